//! The rows of the big sheets, written and compressed beside rust_xlsxwriter.
//!
//! rust_xlsxwriter builds every sheet's frame (header, table, validation, shading, panes) and
//! the small sheets; the rows of the class sheets, which can number millions, are rendered
//! here and spliced into its package. Measured on 901,531 findings (1M generated objects):
//! rust_xlsxwriter wrote them in 5.0 s on one core (`write!` formatting per cell, a temporary
//! file per sheet read back at save, then single-threaded deflate); here chunks of rows are
//! rendered and deflated in parallel while a writer thread puts them in order: 0.64 s.
//!
//! The cells are strings escaped as rust_xlsxwriter and Excel escape them (XML entities;
//! control characters and literal `_xHHHH_` as `_xHHHH_`), so nothing can become a formula,
//! and values past Excel's 32,767-character cell limit are cut with a visible marker instead
//! of failing the workbook. Data (DNs, values) goes inline (`t="inlineStr"`); the short labels
//! repeated down every sheet (rule code, severity, attribute, action, the rule's explanation)
//! are [`SharedStrings`]: stored once in the package's shared-string table and referenced by
//! index, which makes the sheet XML about a quarter smaller, and writing it that much faster.

use super::package::{deflate_piece, OpenEntry, PackageWriter};
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use std::io::{self, Read, Seek, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::sync_channel;
use zip::{CompressionMethod, ZipArchive};

/// Excel's limit on the characters (UTF-16 code units) in one cell.
pub const MAX_CELL_CHARS: usize = 32_767;

/// Appended to a value cut at [`MAX_CELL_CHARS`].
pub const TRUNCATED: &str = " …[truncated by synclint]";

/// Rows rendered per task: large enough to amortize scheduling, small enough to bound memory.
const CHUNK_ROWS: usize = 4_096;

/// Chunks per worker thread in one parallel batch (about 2 MB of XML each before deflate).
const CHUNKS_PER_THREAD: usize = 4;

/// Fills the cells of data row `i` (0-based); called from several threads.
pub type FillRow<'a> = Box<dyn Fn(usize, &mut RowWriter<'_>) + Sync + 'a>;

/// The package part rust_xlsxwriter writes its shared strings to (the other sheets' text).
const SHARED_STRINGS_PART: &str = "xl/sharedStrings.xml";

/// Labels that the big sheets reference from the shared-string table instead of repeating
/// them inline in every row (see the module documentation).
#[derive(Debug, Default)]
pub struct SharedStrings {
    list: Vec<Box<str>>,
    index: FxHashMap<Box<str>, u32>,
}

impl SharedStrings {
    pub fn new<S: AsRef<str>>(labels: impl IntoIterator<Item = S>) -> SharedStrings {
        let mut table = SharedStrings::default();
        for label in labels {
            let label = label.as_ref();
            // Only what a cell holds unchanged: no clipping, no leading or trailing space.
            if label.is_empty() || label.len() > MAX_CELL_CHARS || label.trim() != label {
                continue;
            }
            if !table.index.contains_key(label) {
                table.index.insert(label.into(), table.list.len() as u32);
                table.list.push(label.into());
            }
        }
        table
    }

    pub fn len(&self) -> usize {
        self.list.len()
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    fn get(&self, text: &str) -> Option<u32> {
        self.index.get(text).copied()
    }

    /// `text` looked up once, for rows that write it many times ([`RowWriter::shared`]):
    /// a row then refers to it without hashing the text again (a "Why" label is about 200
    /// bytes, written on most of a million rows).
    pub fn label<'t>(&self, text: &'t str) -> Label<'t> {
        Label {
            index: self.get(text),
            text,
        }
    }
}

/// A text and its place in the [`SharedStrings`] (none: written inline).
#[derive(Clone, Copy, Debug)]
pub struct Label<'t> {
    index: Option<u32>,
    text: &'t str,
}

impl<'t> Label<'t> {
    pub fn text(&self) -> &'t str {
        self.text
    }
}

/// The head of rust_xlsxwriter's shared-string table, to add ours after its strings.
struct SharedStringsXml {
    xml: Vec<u8>,
    unique: u32,
    count: u64,
}

impl SharedStringsXml {
    /// `None` if the part is not shaped as expected: the labels are then written inline.
    fn parse(xml: Vec<u8>) -> Option<SharedStringsXml> {
        let number = |attribute: &[u8]| -> Option<u64> {
            let head = &xml[..xml.len().min(1024)];
            let at = find(head, attribute)? + attribute.len();
            let digits = head[at..].iter().take_while(|b| b.is_ascii_digit()).count();
            std::str::from_utf8(&head[at..at + digits])
                .ok()?
                .parse()
                .ok()
        };
        let unique = u32::try_from(number(b" uniqueCount=\"")?).ok()?;
        let count = number(b" count=\"")?;
        memchr::memmem::rfind(&xml, b"</sst>")?;
        Some(SharedStringsXml { xml, unique, count })
    }

    /// The table with `labels` appended, referenced `references` more times.
    fn with(&self, labels: &SharedStrings, references: u64) -> Vec<u8> {
        let unique = self.unique as u64 + labels.list.len() as u64;
        let count = self.count + references;
        let mut out = Vec::with_capacity(self.xml.len() + 64 * labels.list.len());
        let close = memchr::memmem::rfind(&self.xml, b"</sst>").unwrap_or(self.xml.len());
        // The end of the `<sst …>` start tag (after the XML declaration).
        let sst = find(&self.xml[..close], b"<sst").unwrap_or(0);
        let head_end = memchr::memchr(b'>', &self.xml[sst..close]).map_or(sst, |i| sst + i + 1);
        let mut head = String::from_utf8_lossy(&self.xml[..head_end]).into_owned();
        head = head.replacen(
            &format!(" count=\"{}\"", self.count),
            &format!(" count=\"{count}\""),
            1,
        );
        head = head.replacen(
            &format!(" uniqueCount=\"{}\"", self.unique),
            &format!(" uniqueCount=\"{unique}\""),
            1,
        );
        out.extend_from_slice(head.as_bytes());
        out.extend_from_slice(&self.xml[head_end..close]);
        for label in &labels.list {
            out.extend_from_slice(b"<si><t>");
            escape_into(label, &mut out);
            out.extend_from_slice(b"</t></si>");
        }
        out.extend_from_slice(&self.xml[close..]);
        out
    }
}

/// The rows of one sheet, by row index (0 = the first data row, below the header).
pub struct SheetRows<'a> {
    /// The sheet's part in the package, e.g. `xl/worksheets/sheet3.xml`.
    pub part: String,
    pub rows: usize,
    pub fill: FillRow<'a>,
    /// An upper bound of the bytes the rows' XML takes ([`ROW_XML`] and [`cell_bound`] per
    /// row), to choose Zip64 ahead of writing. What [`SheetRows::wrapped`] adds (cell
    /// styles, row heights) is added by [`splice`].
    pub size_bound: u64,
    /// Columns (0 = A) whose text wraps. The frame gives each a wrapping column format; its
    /// xf index (the frame's `<col style>`) goes on every cell of the column, and a row
    /// whose text takes more than one line at the column's width gets the height of its
    /// lines. A listed column without a style fails the workbook rather than losing it.
    pub wrapped: &'static [u8],
    /// The frame's Excel table was added over the header and one row: [`splice`] stretches
    /// its range (and its filter's) to the sheet's last row. rust_xlsxwriter checks a new
    /// table against earlier ones cell by cell, a hash-map entry per cell (0.5 billion
    /// instructions and about 8 MB for a 20,000-row sheet), though nothing can overlap here.
    pub table: bool,
}

/// The most bytes a cell's style takes: ` s="4294967295"`.
const STYLE_XML: u64 = 15;

/// The most bytes a row's height takes: ` ht="405"`. Without `customHeight`, as Excel
/// writes a row it fitted to wrapped text itself: it fits the row again when it is edited.
const ROW_HEIGHT_XML: u64 = 9;

/// Points per line of text: the default row height of the workbook's font (Calibri 11).
const LINE_POINTS: u32 = 15;

/// Excel's tallest row is 409 points: 27 lines.
const MOST_LINES: u32 = 409 / LINE_POINTS;

/// The wrapped columns of a sheet: the xf index their cells carry (0: not wrapped) and the
/// characters a line holds at the column's width.
#[derive(Clone, Copy, Default)]
struct Wrapping {
    style: [u32; 26],
    line_chars: [u32; 26],
}

impl Wrapping {
    /// The lines `text` takes in column `col` (at least one).
    fn lines(&self, col: u8, text: &str) -> u32 {
        let per_line = self.line_chars[col as usize].max(1) as usize;
        // Bytes are at least characters: a short text fits without counting.
        if text.len() <= per_line && memchr::memchr(b'\n', text.as_bytes()).is_none() {
            return 1;
        }
        lines_per(text, per_line)
    }
}

/// The lines `text` takes at `per_line` characters a line, at most Excel's tallest row.
fn lines_per(text: &str, per_line: usize) -> u32 {
    let lines: usize = text
        .split('\n')
        .map(|line| line.chars().count().div_ceil(per_line.max(1)).max(1))
        .sum();
    lines.min(MOST_LINES as usize) as u32
}

/// The height (points) of a row whose wrapped cells are `cells`, each with its column's
/// width (characters): the lines of the tallest, estimated as the class sheets' rows are
/// fitted. For the sheets rust_xlsxwriter writes row by row (Tenant matching, Connect →
/// Cloud Sync): Excel does not fit a row to its wrapped text on opening.
pub fn wrapped_row_height<'t>(cells: impl IntoIterator<Item = (&'t str, f64)>) -> f64 {
    let lines = cells
        .into_iter()
        .map(|(text, width)| lines_per(text, (width as usize).saturating_sub(1).max(1)))
        .max()
        .unwrap_or(1)
        .max(1);
    f64::from(lines * LINE_POINTS)
}

/// Renders the cells of one row as SpreadsheetML.
pub struct RowWriter<'a> {
    buf: Vec<u8>,
    /// 1-based sheet row of the row being written.
    row: u32,
    /// The row number's digits, formatted once per row for every cell reference.
    row_digits: [u8; 10],
    row_len: usize,
    digits: itoa::Buffer,
    /// Reused by [`RowWriter::cell_joined`].
    scratch: String,
    /// The labels in the shared-string table, and the index of the first.
    shared: Option<(&'a SharedStrings, u32)>,
    /// Cells that referenced a shared string.
    references: u64,
    /// The wrapped columns, from [`SheetRows::wrapped`].
    wrapping: Wrapping,
    /// Where the attributes of the row being written end (its start tag's `>`), and the
    /// most lines one of its wrapped cells takes.
    row_tag_end: usize,
    lines: u32,
    /// The lines of the shared labels met in wrapped columns, by (label, column).
    label_lines: FxHashMap<(u32, u8), u32>,
    /// The last label measured in each wrapped column and its lines: rows in a run mostly
    /// repeat it, and then skip the hash lookup.
    last_label: [(u32, u32); 26],
    /// Each column's ` s="N"` (empty: no style), written on every cell of the column.
    style_xml: [([u8; 16], u8); 26],
    /// The column a cell without a reference (`r`) would be read in: the one after the
    /// row's previous cell (see [`RowWriter::cell_start`]).
    next_col: u8,
}

impl<'a> RowWriter<'a> {
    fn new(shared: Option<(&'a SharedStrings, u32)>, wrapping: Wrapping) -> RowWriter<'a> {
        RowWriter {
            // A chunk of findings rows takes about 2 MB: `render` gives it a buffer of that
            // size, reused from chunk to chunk.
            buf: Vec::new(),
            row: 0,
            row_digits: [0; 10],
            row_len: 0,
            digits: itoa::Buffer::new(),
            scratch: String::new(),
            shared,
            references: 0,
            wrapping,
            row_tag_end: 0,
            lines: 1,
            label_lines: FxHashMap::default(),
            last_label: [(u32::MAX, 1); 26],
            next_col: 0,
            style_xml: std::array::from_fn(|col| {
                let mut xml = ([0; 16], 0);
                let style = wrapping.style[col];
                if style != 0 {
                    let digits = itoa::Buffer::new().format(style).as_bytes().to_vec();
                    let attribute = [&b" s=\""[..], &digits, b"\""].concat();
                    xml.0[..attribute.len()].copy_from_slice(&attribute);
                    xml.1 = attribute.len() as u8;
                }
                xml
            }),
        }
    }

    fn start_row(&mut self, row: u32) {
        self.row = row;
        let digits = self.digits.format(row).as_bytes();
        self.row_len = digits.len();
        self.row_digits[..digits.len()].copy_from_slice(digits);
        self.buf.extend_from_slice(b"<row r=\"");
        self.buf.extend_from_slice(&self.row_digits[..self.row_len]);
        self.buf.push(b'"');
        self.row_tag_end = self.buf.len();
        self.lines = 1;
        self.next_col = 0;
        self.buf.push(b'>');
    }

    fn end_row(&mut self) {
        if self.lines > 1 {
            // Only this row's cells move: a few hundred bytes, on rows that wrap.
            let mut digits = itoa::Buffer::new();
            let points = digits.format(self.lines * LINE_POINTS).as_bytes();
            let (at, end) = (self.row_tag_end, self.buf.len());
            let height = [&b" ht=\""[..], points, b"\""];
            let grow: usize = height.iter().map(|part| part.len()).sum();
            self.buf.resize(end + grow, 0);
            self.buf.copy_within(at..end, at + grow);
            let mut to = at;
            for part in height {
                self.buf[to..to + part.len()].copy_from_slice(part);
                to += part.len();
            }
        }
        self.buf.extend_from_slice(b"</row>");
    }

    /// Counts the lines of `text` when column `col` wraps.
    fn measure(&mut self, col: u8, text: &str) {
        if self.wrapping.style[col as usize] != 0 {
            self.lines = self.lines.max(self.wrapping.lines(col, text));
        }
    }

    /// [`RowWriter::measure`] for shared label `index`: counted once per chunk of rows.
    fn measure_label(&mut self, col: u8, index: u32, text: &str) {
        if self.wrapping.style[col as usize] == 0 {
            return;
        }
        let (last, last_lines) = self.last_label[col as usize];
        if last == index {
            self.lines = self.lines.max(last_lines);
            return;
        }
        let key = (index, col);
        let lines = match self.label_lines.get(&key) {
            Some(&lines) => lines,
            None => {
                let lines = self.wrapping.lines(col, text);
                self.label_lines.insert(key, lines);
                lines
            }
        };
        self.last_label[col as usize] = (index, lines);
        self.lines = self.lines.max(lines);
    }

    /// `<c`, the cell's reference when it needs one, and the column's style, on the stack:
    /// the cell's markup is appended to the buffer in one copy rather than a copy per piece
    /// (a tenth of the rows' time, measured with callgrind on 97,796 rows).
    ///
    /// A cell right after the row's previous cell (or in column A as the row's first) goes
    /// without its `r="B7"`. ECMA-376 Part 1 (§18.3.1.4) makes the reference optional, and
    /// Office's implementation notes say where such a cell is: the column after the row's
    /// previous cell, or the first column ([MS-OI29500], Part 1 Section 18.3.1.4, `c`, note c:
    /// <https://learn.microsoft.com/en-us/openspecs/office_standards/ms-oi29500/2fd4e47f-0965-4c60-95bd-cff980b6c325>).
    /// LibreOffice, calamine and openpyxl read it so too. A cell carries its reference only
    /// where that rule would misplace it: after an empty column, or first in its row but not
    /// in column A. Measured on the 1M sparse-wide shape's 1.43 million findings:
    /// the sheets' XML 1,044 → 922 MB, the workbook 150 → 96 MB (row numbers repeated in
    /// every cell were what deflate found least to match), its stage 1.40-1.73 → 1.09-1.24 s.
    fn cell_start(&mut self, col: u8) -> Markup {
        debug_assert!(col < 26);
        let mut m = Markup::new();
        m.put(b"<c");
        if col != self.next_col {
            m.put(b" r=\"");
            m.put(&[b'A' + col]);
            m.put_fixed(&self.row_digits, self.row_len);
            m.put(b"\"");
        }
        self.next_col = col + 1;
        let (style, len) = &self.style_xml[col as usize];
        m.put_fixed(style, *len as usize);
        m
    }

    /// Writes a label (a text that repeats down the sheet) in column `col`: a reference to the
    /// shared-string table when the label is in it, else the same as [`RowWriter::cell`].
    pub fn label(&mut self, col: u8, text: &str) {
        let Some(index) = self
            .shared
            .and_then(|(table, first)| Some(first + table.get(text)?))
        else {
            return self.cell(col, text);
        };
        self.reference(col, index, text);
    }

    /// [`RowWriter::label`] for a label looked up beforehand ([`SharedStrings::label`]).
    pub fn shared(&mut self, col: u8, label: Label<'_>) {
        match (self.shared, label.index) {
            (Some((_, first)), Some(index)) => self.reference(col, first + index, label.text),
            _ => self.cell(col, label.text),
        }
    }

    /// A cell that refers to shared string `index` (`text`).
    fn reference(&mut self, col: u8, index: u32, text: &str) {
        self.measure_label(col, index, text);
        let mut m = self.cell_start(col);
        m.put(b" t=\"s\"><v>");
        let (digits, len) = decimal(index);
        m.put_fixed(&digits, len);
        m.put(b"</v></c>");
        self.buf.extend_from_slice(m.bytes());
        self.references += 1;
    }

    /// Writes `text` as a string cell in column `col` (0 = A, up to Z). Empty text writes
    /// nothing: an absent cell reads back as empty.
    pub fn cell(&mut self, col: u8, text: &str) {
        if text.is_empty() {
            return;
        }
        self.text_cell(col, text, None);
    }

    /// Writes `first` followed by `second` as one string cell, joined in a buffer the writer
    /// keeps (no allocation per row).
    pub fn cell_joined(&mut self, col: u8, first: &str, second: &str) {
        let mut joined = std::mem::take(&mut self.scratch);
        joined.clear();
        joined.push_str(first);
        joined.push_str(second);
        self.cell(col, &joined);
        self.scratch = joined;
    }

    /// Writes `file:line` (a source location) without building the string first.
    pub fn location(&mut self, col: u8, file: &str, line: u64) {
        self.text_cell(col, file, Some(line));
    }

    fn text_cell(&mut self, col: u8, text: &str, line: Option<u64>) {
        self.measure(col, text);
        let mut m = self.cell_start(col);
        m.put(b" t=\"inlineStr\"><is><t");
        // A line number leaves room for itself: at most 21 characters.
        let text = if line.is_some() && text.len() > MAX_CELL_CHARS - 21 {
            clip_to(text, MAX_CELL_CHARS - 21)
        } else {
            clip(text)
        };
        // Byte tests: in UTF-8 no byte of another character is an ASCII space.
        let space = |b: Option<&u8>| matches!(b, Some(b'\t' | b'\n' | b' '));
        let ends_in_space = line.is_none() && space(text.as_bytes().last());
        if space(text.as_bytes().first()) || ends_in_space {
            m.put(b" xml:space=\"preserve\"");
        }
        m.put(b">");
        self.buf.extend_from_slice(m.bytes());
        escape_into(&text, &mut self.buf);
        if let Some(line) = line {
            self.buf.push(b':');
            self.buf
                .extend_from_slice(itoa::Buffer::new().format(line).as_bytes());
        }
        self.buf.extend_from_slice(b"</t></is></c>");
    }
}

/// The start of a cell's XML, put together on the stack. Pieces of varying length up to a
/// fixed size (row digits, style) are copied whole and the end moved by their length: fixed
/// copies are a few moves, where one of varying length is a call.
struct Markup {
    bytes: [u8; 96],
    len: usize,
}

impl Markup {
    fn new() -> Markup {
        Markup {
            bytes: [0; 96],
            len: 0,
        }
    }

    fn put(&mut self, piece: &[u8]) {
        self.bytes[self.len..self.len + piece.len()].copy_from_slice(piece);
        self.len += piece.len();
    }

    /// The first `len` bytes of `piece`.
    fn put_fixed<const N: usize>(&mut self, piece: &[u8; N], len: usize) {
        self.bytes[self.len..self.len + N].copy_from_slice(piece);
        self.len += len.min(N);
    }

    fn bytes(&self) -> &[u8] {
        &self.bytes[..self.len]
    }
}

/// `n` in decimal: its digits from the first byte, and how many.
fn decimal(n: u32) -> ([u8; 10], usize) {
    let mut digits = [0; 10];
    let len = n.checked_ilog10().unwrap_or(0) as usize + 1;
    let mut rest = n;
    for at in (0..len).rev() {
        digits[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
    }
    (digits, len)
}

/// The XML of a row besides its cells: `<row r="1048576">` and `</row>`.
pub const ROW_XML: u64 = 23;

/// The most bytes a cell of `text` takes in a row's XML: its markup (`<c r="Z1048576"
/// t="inlineStr"><is><t xml:space="preserve">` … `</t></is></c>`, 71 bytes; a shared-string
/// reference takes less), the text, and 6 more bytes for each byte that escaping can grow (a
/// control character becomes `_x001F_`, `&` `&amp;`, `_` of a literal `_xHHHH_` gains
/// `_x005F`, 0xEF leads U+FFFE, written `_xFFFE_`). Clipping at [`MAX_CELL_CHARS`] never
/// lengthens a text. An empty text is no cell; `:line` after a source adds at most 21 bytes.
pub fn cell_bound(text: &str) -> u64 {
    if text.is_empty() {
        return 0;
    }
    // `|`, not `||`: without branches the compiler vectorizes the count.
    let grows: usize = text
        .as_bytes()
        .iter()
        .map(|&b| {
            usize::from(
                (b < 0x20) | (b == b'&') | (b == b'<') | (b == b'>') | (b == b'_') | (b == 0xEF),
            )
        })
        .sum();
    71 + text.len() as u64 + 6 * grows as u64
}

/// [`cell_bound`] without looking at the text: every byte taken as growing the most (7
/// bytes). Enough for all but the largest sheets, and costs nothing per row.
pub fn cell_bound_unscanned(text: &str) -> u64 {
    if text.is_empty() {
        return 0;
    }
    71 + 7 * text.len() as u64
}

/// [`cell_bound`] of a text with nothing to escape: the least a cell of `text` can take.
fn cell_bound_unescaped(text: &str) -> u64 {
    if text.is_empty() {
        return 0;
    }
    71 + text.len() as u64
}

/// The sum of a bound over `items` in parallel: first with [`cell_bound_unscanned`], and only
/// if that could pass 4 GiB, and the scan could bring it back below, again with
/// [`cell_bound`] (a scan of every text).
pub fn sheet_bound<T: Sync>(
    items: &[T],
    row_bound: impl Fn(&T, fn(&str) -> u64) -> u64 + Sync,
) -> u64 {
    use rayon::prelude::*;
    let quick: u64 = items
        .par_iter()
        .map(|item| row_bound(item, cell_bound_unscanned))
        .sum();
    // Far enough below 4 GiB for the sheet's head and tail and deflate's overhead.
    const LIMIT: u64 = 15 * (u32::MAX as u64 / 16);
    if quick < LIMIT {
        return quick;
    }
    // The scan can only bring the bound down to the texts' own length: when that alone
    // reaches the limit (a sheet of group notes, 5 kB a row, bounded unscanned by the
    // caller), the entry takes Zip64 whatever the scan says. Measured on the field shape's
    // 624,458 duplicate rows (1M objects): the scan was 4 % of the run's CPU, for nothing.
    let floor: u64 = items
        .par_iter()
        .map(|item| row_bound(item, cell_bound_unescaped))
        .sum();
    if floor >= LIMIT {
        return quick;
    }
    items
        .par_iter()
        .map(|item| row_bound(item, cell_bound))
        .sum()
}

/// `text` cut to fit one cell, with a marker when cut.
pub fn clip(text: &str) -> std::borrow::Cow<'_, str> {
    clip_to(text, MAX_CELL_CHARS)
}

/// `text` cut to `max` UTF-16 units, with a marker when cut.
fn clip_to(text: &str, max: usize) -> std::borrow::Cow<'_, str> {
    // A UTF-16 unit takes at least one UTF-8 byte, so short strings need no counting.
    if text.len() <= max {
        return text.into();
    }
    let budget = max - TRUNCATED.encode_utf16().count();
    let mut units = 0;
    let mut end = 0;
    for (i, c) in text.char_indices() {
        units += c.len_utf16();
        if units > max {
            break;
        }
        if units <= budget {
            end = i + c.len_utf8();
        }
    }
    if units <= max {
        return text.into();
    }
    format!("{}{TRUNCATED}", &text[..end]).into()
}

/// Whether byte `b` needs a look: XML specials, control characters, `_` (a literal `_xHHHH_`
/// must be escaped) and 0xEF (the lead byte of U+FFFE and U+FFFF). Without branches, so the
/// compiler vectorizes it over a block; [`NEEDS_CARE`] is the same set as a table.
#[inline(always)]
const fn needs_care(b: u8) -> bool {
    ((b < 0x20) & (b != b'\t') & (b != b'\n'))
        | (b == b'&')
        | (b == b'<')
        | (b == b'>')
        | (b == b'_')
        | (b == 0xEF)
}

/// [`needs_care`] as a table, for the byte-by-byte search after a block that holds one.
const NEEDS_CARE: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = needs_care(b as u8);
        b += 1;
    }
    t
};

/// The first byte at or after `from` that needs care. Skips 32 bytes at a time while none
/// does (a vectorized test), then looks byte by byte: the group notes (1.2 kB of DNs, with a
/// `<` or `_` early) were searched a byte at a time. callgrind, 100k objects of the field
/// shape: `escape_into` 598 -> 444 M instructions.
fn next_care(bytes: &[u8], from: usize) -> Option<usize> {
    let mut at = from;
    while let Some(block) = bytes.get(at..at + 32) {
        if block.iter().fold(false, |care, &b| care | needs_care(b)) {
            break;
        }
        at += 32;
    }
    bytes
        .get(at..)?
        .iter()
        .position(|&b| NEEDS_CARE[b as usize])
        .map(|offset| at + offset)
}

/// Appends `text` escaped as Excel and rust_xlsxwriter escape cell text. Copies the runs
/// between bytes that need care whole: going char by char after the first one made this 30 %
/// of the workbook's time on the field shape, whose group notes (5 kB, 50 DNs) hold a `<`
/// early (`OU=Legal \<EU\>`).
pub fn escape_into(text: &str, out: &mut Vec<u8>) {
    let bytes = text.as_bytes();
    // Nearly every text needs no escaping: one pass without branches (which the compiler
    // vectorizes) tells, before looking byte by byte.
    let care = bytes.iter().fold(false, |care, &b| care | needs_care(b));
    if !care {
        out.extend_from_slice(bytes);
        return;
    }
    let mut at = 0;
    while let Some(i) = next_care(bytes, at) {
        out.extend_from_slice(&bytes[at..i]);
        at = i + 1;
        match bytes[i] {
            b'&' => out.extend_from_slice(b"&amp;"),
            b'<' => out.extend_from_slice(b"&lt;"),
            b'>' => out.extend_from_slice(b"&gt;"),
            b @ (b'\t' | b'\n') => out.push(b),
            b'_' => {
                // A literal `_xHHHH_` would read back as the escaped character.
                let tail = &bytes[i..];
                if tail.len() >= 7
                    && tail[1] == b'x'
                    && tail[2..6].iter().all(u8::is_ascii_hexdigit)
                    && tail[6] == b'_'
                {
                    out.extend_from_slice(b"_x005F");
                }
                out.push(b'_');
            }
            b @ 0..=0x1f => out.extend_from_slice(format!("_x{:04X}_", u32::from(b)).as_bytes()),
            _ => {
                // 0xEF starts the three bytes of U+F000..U+FFFF (`text` is UTF-8).
                let c = text[i..].chars().next().unwrap_or('\u{FFFD}');
                at = i + c.len_utf8();
                if matches!(c, '\u{FFFE}' | '\u{FFFF}') {
                    out.extend_from_slice(format!("_x{:04X}_", c as u32).as_bytes());
                } else {
                    out.extend_from_slice(&bytes[i..at]);
                }
            }
        }
    }
    out.extend_from_slice(&bytes[at..]);
}

/// The part of a sheet's XML before and after its rows.
struct Frame {
    head: Vec<u8>,
    tail: Vec<u8>,
}

/// The value of attribute `name` in the XML start tag `tag` (attributes as rust_xlsxwriter
/// writes them: ` name="value"`).
fn attribute<'x>(tag: &'x [u8], name: &str) -> Option<&'x [u8]> {
    let key = format!(" {name}=\"");
    let start = find(tag, key.as_bytes())? + key.len();
    let len = tag[start..].iter().position(|&b| b == b'"')?;
    Some(&tag[start..start + len])
}

fn number<T: std::str::FromStr>(text: &[u8]) -> Option<T> {
    std::str::from_utf8(text).ok()?.parse().ok()
}

/// The wrapping of `columns` (0 = A), from the `<col … width="W" style="N">` elements in the
/// head of a sheet's XML: the column format the frame gave each, and its width. Every column
/// listed must have a style.
fn wrapping(head: &[u8], columns: &[u8]) -> io::Result<Wrapping> {
    let mut all = Wrapping::default();
    if columns.is_empty() {
        return Ok(all);
    }
    let cols = find(head, b"<cols>")
        .and_then(|start| Some((start, start + find(&head[start..], b"</cols>")?)))
        .map_or(&[][..], |(start, end)| &head[start..end]);
    let mut rest = cols;
    while let Some(at) = find(rest, b"<col ") {
        let end = at
            + rest[at..]
                .iter()
                .position(|&b| b == b'>')
                .unwrap_or(rest.len() - at);
        let tag = &rest[at..end];
        rest = &rest[end..];
        let (Some(min), Some(max), Some(style)) = (
            attribute(tag, "min").and_then(number::<usize>),
            attribute(tag, "max").and_then(number::<usize>),
            attribute(tag, "style").and_then(number::<u32>),
        ) else {
            continue;
        };
        // Widths count characters of the font's digits (plus padding); text is a little
        // narrower on average, word breaks waste a little: one less than the width.
        let width = attribute(tag, "width")
            .and_then(number::<f64>)
            .unwrap_or(8.43);
        // `min` and `max` count from 1.
        for col in min.max(1)..=max.min(26) {
            all.style[col - 1] = style;
            all.line_chars[col - 1] = (width as u32).saturating_sub(1).max(1);
        }
    }
    let mut chosen = Wrapping::default();
    for &col in columns {
        let col = col as usize;
        match all.style.get(col) {
            Some(&style) if style != 0 => {
                chosen.style[col] = style;
                chosen.line_chars[col] = all.line_chars[col];
            }
            _ => {
                return Err(io::Error::other(format!(
                    "unexpected sheet XML from the writer: column {} has no style",
                    char::from(b'A'.saturating_add(col as u8))
                )))
            }
        }
    }
    Ok(chosen)
}

/// Splits rust_xlsxwriter's XML of a sheet that holds only its header row, and widens the
/// `<dimension>` to the rows that will follow.
fn frame(xml: &[u8], last_row: u32) -> io::Result<Frame> {
    let bad =
        |what: &str| io::Error::other(format!("unexpected sheet XML from the writer: {what}"));
    let close = find(xml, b"</sheetData>").ok_or_else(|| bad("no </sheetData>"))?;
    let mut head = xml[..close].to_vec();
    let tail = xml[close..].to_vec();
    if let Some(start) = find(&head, b"<dimension ref=\"") {
        let value_start = start + b"<dimension ref=\"".len();
        let value_end = value_start
            + head[value_start..]
                .iter()
                .position(|&b| b == b'"')
                .ok_or_else(|| bad("unterminated dimension"))?;
        let old = String::from_utf8_lossy(&head[value_start..value_end]).to_string();
        let first = old.split(':').next().unwrap_or("A1").to_string();
        let last_col: String = old
            .rsplit(':')
            .next()
            .unwrap_or("A1")
            .chars()
            .take_while(char::is_ascii_alphabetic)
            .collect();
        let new = format!("{first}:{last_col}{last_row}");
        head.splice(value_start..value_end, new.into_bytes());
    }
    Ok(Frame { head, tail })
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(haystack, needle)
}

/// Copies the package rust_xlsxwriter wrote (`skeleton`) to `out`, adding each of `sheets`'
/// rows below the header row of its part. Other parts are copied without recompressing.
pub fn splice<R: Read + Seek, W: Write + Seek + Send>(
    skeleton: R,
    sheets: &[SheetRows<'_>],
    labels: &SharedStrings,
    out: W,
    progress: Option<&AtomicU64>,
) -> io::Result<()> {
    let mut archive = ZipArchive::new(skeleton).map_err(io::Error::other)?;
    // Labels go to rust_xlsxwriter's shared-string table, after its own strings; without
    // one (a workbook with no other text) they are written inline.
    let shared_xml = match archive.by_name(SHARED_STRINGS_PART) {
        Ok(mut part) => {
            let mut xml = Vec::new();
            part.read_to_end(&mut xml)?;
            SharedStringsXml::parse(xml)
        }
        Err(_) => None,
    }
    .filter(|_| !labels.list.is_empty());
    let shared = shared_xml.as_ref().map(|xml| (labels, xml.unique));
    let tables = stretched_tables(&mut archive, sheets)?;
    let mut references = 0;
    let mut written: Vec<String> = Vec::new();
    let mut package = PackageWriter::new(out)?;
    for i in 0..archive.len() {
        let mut file = archive.by_index_raw(i).map_err(io::Error::other)?;
        let name = file.name().map_err(io::Error::other)?.to_string();
        if name == SHARED_STRINGS_PART && shared.is_some() {
            continue; // rewritten below, once the references are counted
        }
        if let Some((_, last_row)) = tables.iter().find(|(part, _)| *part == name) {
            drop(file);
            let mut xml = String::new();
            archive
                .by_index(i)
                .map_err(io::Error::other)?
                .read_to_string(&mut xml)?;
            let table = stretch_table(&xml, *last_row)
                .ok_or_else(|| io::Error::other(format!("{name}: unexpected table XML")))?;
            let mut open = package.begin_entry(&name, table.len() as u64, 1)?;
            let deflated = deflate_piece(table.as_bytes(), Vec::new())?;
            package.write_piece(
                &mut open,
                &deflated,
                crc32fast::hash(table.as_bytes()),
                table.len() as u64,
            )?;
            package.end_entry(open)?;
            continue;
        }
        let Some(sheet) = sheets.iter().find(|s| s.part == name) else {
            let method = match file.compression() {
                CompressionMethod::Stored => 0,
                CompressionMethod::Deflated => 8,
                other => {
                    return Err(io::Error::other(format!(
                        "{name}: unexpected compression {other:?} from the writer"
                    )))
                }
            };
            let (crc, size, compressed) = (file.crc32(), file.size(), file.compressed_size());
            package.copy_entry(&name, method, crc, size, &mut file, compressed)?;
            continue;
        };
        drop(file);
        let mut xml = Vec::new();
        archive
            .by_index(i)
            .map_err(io::Error::other)?
            .read_to_end(&mut xml)?;
        // The header row is row 1; data rows follow it.
        let frame = frame(&xml, sheet.rows as u32 + 1)?;
        let wrapping = wrapping(&frame.head, sheet.wrapped)
            .map_err(|e| io::Error::other(format!("{name}: {e}")))?;
        let row_height = if sheet.wrapped.is_empty() {
            0
        } else {
            ROW_HEIGHT_XML
        };
        let bound = sheet.size_bound
            + sheet.rows as u64 * (sheet.wrapped.len() as u64 * STYLE_XML + row_height)
            + (frame.head.len() + frame.tail.len()) as u64;
        // The head, the tail and one piece per chunk of rows.
        let pieces = sheet.rows.div_ceil(CHUNK_ROWS) as u64 + 2;
        let mut open = package.begin_entry(&name, bound, pieces)?;
        written.push(name.clone());
        let head = deflate_piece(&frame.head, Vec::new())?;
        package.write_piece(
            &mut open,
            &head,
            crc32fast::hash(&frame.head),
            frame.head.len() as u64,
        )?;
        references += write_rows(sheet, shared, wrapping, &mut package, &mut open, progress)?;
        let tail = deflate_piece(&frame.tail, Vec::new())?;
        package.write_piece(
            &mut open,
            &tail,
            crc32fast::hash(&frame.tail),
            frame.tail.len() as u64,
        )?;
        package.end_entry(open)?;
    }
    if let Some(xml) = &shared_xml {
        let table = xml.with(labels, references);
        let mut open = package.begin_entry(SHARED_STRINGS_PART, table.len() as u64, 1)?;
        let deflated = deflate_piece(&table, Vec::new())?;
        package.write_piece(
            &mut open,
            &deflated,
            crc32fast::hash(&table),
            table.len() as u64,
        )?;
        package.end_entry(open)?;
    }
    // Every sheet's rows must have found their part: rows are never dropped silently.
    if let Some(lost) = sheets.iter().find(|s| !written.contains(&s.part)) {
        return Err(io::Error::other(format!(
            "{}: no such part in the writer's package ({} rows not written)",
            lost.part, lost.rows
        )));
    }
    package.finish()?;
    // The render buffers of the pool's threads go back (the stages after keep their memory).
    rayon::broadcast(|_| XML.with(|xml| *xml.borrow_mut() = Vec::new()));
    Ok(())
}

/// The table parts of the sheets whose table is stretched ([`SheetRows::table`]), with the
/// row their range ends on (1-based: the header is row 1).
fn stretched_tables<R: Read + Seek>(
    archive: &mut ZipArchive<R>,
    sheets: &[SheetRows<'_>],
) -> io::Result<Vec<(String, u32)>> {
    let mut tables = Vec::new();
    for sheet in sheets.iter().filter(|s| s.table) {
        // xl/worksheets/sheet3.xml's relationships: xl/worksheets/_rels/sheet3.xml.rels.
        let (folder, file) = sheet.part.rsplit_once('/').unwrap_or(("", &sheet.part));
        let rels = format!("{folder}/_rels/{file}.rels");
        let mut xml = String::new();
        archive
            .by_name(&rels)
            .map_err(|e| io::Error::other(format!("{rels}: {e}")))?
            .read_to_string(&mut xml)?;
        let mut found = 0;
        for (at, _) in xml.match_indices("Target=\"../tables/") {
            let name = &xml[at + "Target=\"../".len()..];
            let name = &name[..name.find('"').unwrap_or(name.len())];
            tables.push((format!("xl/{name}"), sheet.rows.max(1) as u32 + 1));
            found += 1;
        }
        if found != 1 {
            return Err(io::Error::other(format!(
                "{}: {found} tables where the frame has one",
                sheet.part
            )));
        }
    }
    Ok(tables)
}

/// A table part with its range and its filter's ending on `last_row`: each `ref="A1:O2"`
/// becomes `ref="A1:O{last_row}"`. `None` if a range is not shaped so.
fn stretch_table(xml: &str, last_row: u32) -> Option<String> {
    const REF: &str = " ref=\"";
    let mut out = String::with_capacity(xml.len() + 16);
    let mut rest = xml;
    let mut ranges = 0;
    while let Some(at) = rest.find(REF) {
        let start = at + REF.len();
        let end = start + rest[start..].find('"')?;
        let (first, last) = rest[start..end].split_once(':')?;
        let column: String = last.chars().take_while(char::is_ascii_alphabetic).collect();
        if column.is_empty() {
            return None;
        }
        out.push_str(&rest[..start]);
        out.push_str(&format!("{first}:{column}{last_row}"));
        rest = &rest[end..];
        ranges += 1;
    }
    out.push_str(rest);
    (ranges > 0).then_some(out)
}

/// One chunk of rows, rendered and deflated.
struct Piece {
    deflated: Vec<u8>,
    crc: u32,
    plain_len: u64,
    rows: usize,
    references: u64,
}

/// Renders and deflates the rows in parallel chunks (pigz-style, see package.rs) while a
/// writer thread puts them in the package in order. Returns the number of shared-string
/// references written.
///
/// The rendering stays on the calling thread, which is one of rayon's workers (the CLI runs
/// in its pool): a worker blocked on the channel would leave the pool a thread short, which
/// on two cores halved the rendering. The writer thread only waits for the disk.
fn write_rows<W: Write + Seek + Send>(
    sheet: &SheetRows<'_>,
    shared: Option<(&SharedStrings, u32)>,
    wrapping: Wrapping,
    package: &mut PackageWriter<W>,
    open: &mut OpenEntry,
    progress: Option<&AtomicU64>,
) -> io::Result<u64> {
    let threads = rayon::current_num_threads().max(1);
    // Several chunks per thread in each parallel batch: a batch ends when its slowest chunk
    // does, so one chunk per thread left a core idle for part of every batch.
    let batch = CHUNK_ROWS * threads * CHUNKS_PER_THREAD;
    let (tx, rx) = sync_channel::<Piece>(threads * CHUNKS_PER_THREAD);
    std::thread::scope(|scope| {
        let writer = scope.spawn(move || -> io::Result<u64> {
            let mut references = 0;
            for piece in rx {
                package.write_piece(open, &piece.deflated, piece.crc, piece.plain_len)?;
                references += piece.references;
                if let Some(p) = progress {
                    p.fetch_add(piece.rows as u64, Ordering::Relaxed);
                }
            }
            Ok(references)
        });
        let mut start = 0;
        let mut rendered = Ok(());
        while start < sheet.rows && rendered.is_ok() {
            let end = (start + batch).min(sheet.rows);
            let pieces: io::Result<Vec<Piece>> = (start..end)
                .step_by(CHUNK_ROWS)
                .collect::<Vec<_>>()
                .into_par_iter()
                .map(|from| render(sheet, shared, wrapping, from, (from + CHUNK_ROWS).min(end)))
                .collect();
            match pieces {
                Ok(pieces) => {
                    if pieces.into_iter().any(|piece| tx.send(piece).is_err()) {
                        break; // the writer failed and says why below
                    }
                }
                Err(e) => rendered = Err(e),
            }
            start = end;
        }
        drop(tx);
        let written = writer
            .join()
            .unwrap_or_else(|_| Err(io::Error::other("the workbook writer thread panicked")));
        rendered.and(written)
    })
}

thread_local! {
    /// The XML of the last chunk this thread rendered: its buffer serves the next chunk,
    /// instead of a new 2.6 MB allocation (fresh pages to fault in and zero) per chunk.
    /// [`splice`] frees them when done.
    static XML: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Rows `from..to` of `sheet`, rendered and deflated.
fn render(
    sheet: &SheetRows<'_>,
    shared: Option<(&SharedStrings, u32)>,
    wrapping: Wrapping,
    from: usize,
    to: usize,
) -> io::Result<Piece> {
    let mut w = RowWriter::new(shared, wrapping);
    w.buf = XML.with(|xml| std::mem::take(&mut *xml.borrow_mut()));
    w.buf.clear();
    w.buf.reserve(CHUNK_ROWS * 640);
    for i in from..to {
        w.start_row(i as u32 + 2);
        (sheet.fill)(i, &mut w);
        w.end_row();
    }
    let deflated = deflate_piece(&w.buf, Vec::with_capacity(w.buf.len() / 8));
    let piece = Piece {
        crc: crc32fast::hash(&w.buf),
        plain_len: w.buf.len() as u64,
        rows: to - from,
        references: w.references,
        deflated: Vec::new(),
    };
    XML.with(|xml| *xml.borrow_mut() = w.buf);
    Ok(Piece {
        deflated: deflated?,
        ..piece
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn escaped(s: &str) -> String {
        let mut out = Vec::new();
        escape_into(s, &mut out);
        String::from_utf8(out).expect("utf-8")
    }

    /// [`escape_into`] byte by byte, as it was before skipping blocks.
    fn escaped_slowly(s: &str) -> String {
        let mut out = String::new();
        let bytes = s.as_bytes();
        for (i, c) in s.char_indices() {
            match c {
                '&' => out.push_str("&amp;"),
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '\t' | '\n' => out.push(c),
                '_' => {
                    let tail = &bytes[i..];
                    if tail.len() >= 7
                        && tail[1] == b'x'
                        && tail[2..6].iter().all(u8::is_ascii_hexdigit)
                        && tail[6] == b'_'
                    {
                        out.push_str("_x005F");
                    }
                    out.push('_');
                }
                '\0'..='\u{1f}' | '\u{FFFE}' | '\u{FFFF}' => {
                    out.push_str(&format!("_x{:04X}_", c as u32))
                }
                _ => out.push(c),
            }
        }
        out
    }

    #[test]
    fn escapes_long_texts_with_specials_anywhere() {
        // Group notes: DNs of 30 to 90 bytes with specials before, at and after each
        // 32-byte block's edge, and texts that need no care.
        let specials = [
            "<", ">", "&", "_", "_x0041_", "\r", "\u{1}", "\u{FFFE}", "\u{F000}", "é",
        ];
        for len in [0usize, 1, 31, 32, 33, 63, 64, 65, 100, 1_200] {
            for (k, special) in specials.iter().enumerate() {
                for at in [0, 1, 30, 31, 32, 33, len / 2, len.saturating_sub(1), len] {
                    let mut text: String = (0..len)
                        .map(|i| char::from(b"CN=a,OU=Legal DC=ex"[(i + k) % 19]))
                        .collect();
                    text.insert_str(at.min(text.len()), special);
                    assert_eq!(escaped(&text), escaped_slowly(&text), "{text:?}");
                }
            }
        }
    }

    #[test]
    fn escapes_as_excel_does() {
        assert_eq!(escaped("plain"), "plain");
        assert_eq!(escaped("a&b<c>d\"e'"), "a&amp;b&lt;c&gt;d\"e'");
        assert_eq!(escaped("tab\tnl\ncr\r"), "tab\tnl\ncr_x000D_");
        assert_eq!(escaped("\0\u{1f}"), "_x0000__x001F_");
        assert_eq!(escaped("_x0041_ and _x12_"), "_x005F_x0041_ and _x12_");
        assert_eq!(escaped("snake_case_name"), "snake_case_name");
        assert_eq!(escaped("\u{FFFE}é😀"), "_xFFFE_é😀");
        // Runs after the first byte that needs care are copied as they are.
        assert_eq!(
            escaped("CN=<a> (mail); CN=b\u{F8FF}c\u{FFFF}_x00e9_ é & end"),
            "CN=&lt;a&gt; (mail); CN=b\u{F8FF}c_xFFFF__x005F_x00e9_ é &amp; end"
        );
    }

    #[test]
    fn decimals_as_itoa_writes_them() {
        for n in [0, 7, 9, 10, 99, 100, 4_096, 1_048_576, u32::MAX] {
            let (digits, len) = decimal(n);
            assert_eq!(&digits[..len], itoa::Buffer::new().format(n).as_bytes());
        }
    }

    #[test]
    fn long_values_are_cut_to_a_cell() {
        assert_eq!(clip("short"), "short");
        let exact = "x".repeat(MAX_CELL_CHARS);
        assert_eq!(clip(&exact).len(), MAX_CELL_CHARS);
        let long = "é".repeat(40_000);
        let cut = clip(&long);
        assert!(cut.ends_with(TRUNCATED));
        assert!(cut.encode_utf16().count() <= MAX_CELL_CHARS);
        // Characters outside the BMP count twice.
        let emoji = "😀".repeat(20_000);
        let cut = clip(&emoji);
        assert!(cut.ends_with(TRUNCATED));
        assert!(cut.encode_utf16().count() <= MAX_CELL_CHARS);
        assert!(cut.encode_utf16().count() > MAX_CELL_CHARS - 40);
    }

    #[test]
    fn labels_are_appended_to_the_shared_string_table() {
        let xml = br#"<?xml version="1.0"?>
<sst xmlns="x" count="5" uniqueCount="2"><si><t>a</t></si><si><t>b</t></si></sst>"#;
        let table = SharedStringsXml::parse(xml.to_vec()).expect("parse");
        assert_eq!((table.unique, table.count), (2, 5));
        let labels = SharedStrings::new(["SL101", "x & y", "SL101", " padded", ""]);
        assert_eq!(
            labels.len(),
            2,
            "duplicates, padded and empty labels are left out"
        );
        assert_eq!(labels.get("x & y"), Some(1));
        let out = String::from_utf8(table.with(&labels, 7)).expect("utf-8");
        assert!(
            out.ends_with(
                r#"<sst xmlns="x" count="12" uniqueCount="4"><si><t>a</t></si><si><t>b</t></si><si><t>SL101</t></si><si><t>x &amp; y</t></si></sst>"#
            ),
            "{out}"
        );
        assert!(SharedStringsXml::parse(b"<sst/>".to_vec()).is_none());

        // A label cell refers to the table after the writer's own strings; other text is inline.
        let mut w = RowWriter::new(Some((&labels, 2)), Wrapping::default());
        w.start_row(7);
        w.label(0, "x & y");
        w.label(1, "not a label");
        w.end_row();
        // A row's first cell outside column A carries its reference (even in the column
        // after the previous row's last cell), and so does a cell after an empty one: empty
        // text writes no cell.
        w.start_row(8);
        w.label(2, "x & y");
        w.cell(3, "");
        w.cell(4, "after an empty cell");
        w.cell(5, "next");
        w.end_row();
        assert_eq!(
            String::from_utf8(w.buf).expect("utf-8"),
            concat!(
                r#"<row r="7"><c t="s"><v>3</v></c><c t="inlineStr"><is><t>not a label</t></is></c></row>"#,
                r#"<row r="8"><c r="C8" t="s"><v>3</v></c><c r="E8" t="inlineStr"><is><t>after an empty cell</t></is></c>"#,
                r#"<c t="inlineStr"><is><t>next</t></is></c></row>"#,
            )
        );
        assert_eq!(w.references, 2);
    }

    #[test]
    fn a_cell_bound_covers_the_cell_as_written() {
        for text in [
            "plain",
            "CN=Smith\\, John,OU=Staff,DC=x,DC=com",
            "a&b<c>d",
            "_x0041_x_",
            "\u{1}\u{1f}\t\n",
            "\u{FFFE}\u{FFFF}é",
            " padded ",
        ] {
            let mut w = RowWriter::new(None, Wrapping::default());
            w.start_row(1_048_576);
            w.cell(25, text);
            let row_len = w.buf.len() as u64;
            w.end_row();
            assert_eq!(w.buf.len() as u64 - row_len + 17, ROW_XML);
            assert!(
                row_len - 17 <= cell_bound(text),
                "{text:?}: {} > {}",
                row_len - 17,
                cell_bound(text)
            );
            assert!(cell_bound(text) <= cell_bound_unscanned(text), "{text:?}");
        }
        assert_eq!(cell_bound(""), 0);
        let long = "x".repeat(40_000);
        let mut w = RowWriter::new(None, Wrapping::default());
        w.start_row(2);
        w.cell(0, &long);
        assert!((w.buf.len() as u64) < cell_bound(&long));
    }

    /// The contract with rust_xlsxwriter that splicing relies on, checked on what the
    /// version in Cargo.lock really writes: worksheet parts named `xl/worksheets/sheetN.xml`
    /// in the order the sheets were added, a constant-memory sheet's XML with `<dimension>`,
    /// `<cols>` with the column format's `style`, and `</sheetData>`, and a shared-string
    /// table with `count` and `uniqueCount` to append to. An upgrade that changes any of it
    /// fails here, loudly, instead of writing a workbook that loses rows or that Excel
    /// repairs.
    #[test]
    fn rust_xlsxwriter_package_contract() {
        use calamine::{Data, Reader, Xlsx};
        use rust_xlsxwriter::{Format, Workbook};
        let mut workbook = Workbook::new();
        let summary = workbook.add_worksheet();
        summary.set_name("Summary").unwrap();
        summary.write_string(0, 0, "a summary string").unwrap();
        summary.write_string(1, 0, "a summary string").unwrap();
        let rows_sheet = workbook.add_worksheet_with_constant_memory().unwrap();
        rows_sheet.set_name("Rows").unwrap();
        rows_sheet
            .set_column_format(2, &Format::new().set_text_wrap())
            .unwrap();
        rows_sheet.set_column_width(2, 11).unwrap();
        for (c, h) in ["Code", "DN", "Why"].iter().enumerate() {
            rows_sheet.write_string(0, c as u16, *h).unwrap();
        }
        rows_sheet.autofilter(0, 0, 3, 2).unwrap();
        let last = workbook.add_worksheet();
        last.set_name("Last").unwrap();
        last.write_string(0, 0, "last").unwrap();
        let package = workbook.save_to_buffer().unwrap();

        // Part names, in the order the sheets were added.
        let mut zip = ZipArchive::new(std::io::Cursor::new(package.clone())).unwrap();
        let mut part = |name: &str| {
            let mut xml = Vec::new();
            zip.by_name(name)
                .unwrap_or_else(|e| panic!("rust_xlsxwriter no longer writes {name}: {e}"))
                .read_to_end(&mut xml)
                .unwrap();
            xml
        };
        let workbook_xml = String::from_utf8(part("xl/workbook.xml")).unwrap();
        let rels = String::from_utf8(part("xl/_rels/workbook.xml.rels")).unwrap();
        for (i, name) in ["Summary", "Rows", "Last"].iter().enumerate() {
            let id = format!("r:id=\"rId{}\"", i + 1);
            assert!(
                workbook_xml.contains(&format!(
                    "<sheet name=\"{name}\" sheetId=\"{}\" {id}",
                    i + 1
                )),
                "sheet {name} is not sheet {} (rId{}): {workbook_xml}",
                i + 1,
                i + 1
            );
            let target = format!("Id=\"rId{}\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet{}.xml\"", i + 1, i + 1);
            assert!(rels.contains(&target), "{target} not in {rels}");
        }
        // The constant-memory sheet: a frame whose rows can be added, and its column format.
        let sheet = part("xl/worksheets/sheet2.xml");
        let f = frame(&sheet, 4).expect("frame");
        let head = String::from_utf8(f.head.clone()).unwrap();
        assert!(head.contains("<dimension ref=\"A1:C4\"/>"), "{head}");
        let wrap = wrapping(&f.head, &[2]).expect("the column format's style");
        assert!(wrap.style[2] > 0);
        assert_eq!(wrap.line_chars[2], 10);
        // Its header strings are inline: the shared-string table holds only the other
        // sheets' strings, and says how many.
        assert!(head.contains("t=\"inlineStr\""), "{head}");
        let sst = SharedStringsXml::parse(part(SHARED_STRINGS_PART))
            .expect("shared strings with count and uniqueCount");
        assert_eq!(
            (sst.unique, sst.count),
            (2, 3),
            "Summary's two strings, three cells, and Last's"
        );

        // Spliced: the rows land in the right sheet and their labels read back.
        let labels = SharedStrings::new(["SL101", "why it matters"]);
        let sheets = [SheetRows {
            part: "xl/worksheets/sheet2.xml".into(),
            rows: 3,
            fill: Box::new(|i, w: &mut RowWriter| {
                w.label(0, "SL101");
                w.cell(1, &format!("CN=user{i},DC=x"));
                w.label(2, "why it matters");
            }),
            size_bound: 10_000,
            wrapped: &[2],
            table: false,
        }];
        let mut out = std::io::Cursor::new(Vec::new());
        splice(
            std::io::Cursor::new(package),
            &sheets,
            &labels,
            &mut out,
            None,
        )
        .unwrap();
        let mut book = Xlsx::new(std::io::Cursor::new(out.into_inner())).unwrap();
        let rows = book.worksheet_range("Rows").unwrap();
        let cell = |r: u32, c: u32| match rows.get_value((r, c)) {
            Some(Data::String(s)) => s.clone(),
            other => panic!("({r}, {c}): {other:?}"),
        };
        assert_eq!(rows.height(), 4);
        assert_eq!(cell(3, 0), "SL101");
        assert_eq!(cell(3, 1), "CN=user2,DC=x");
        assert_eq!(cell(1, 2), "why it matters");
        let summary = book.worksheet_range("Summary").unwrap();
        assert_eq!(
            summary.get_value((1, 0)),
            Some(&Data::String("a summary string".into()))
        );
        let last = book.worksheet_range("Last").unwrap();
        assert_eq!(last.get_value((0, 0)), Some(&Data::String("last".into())));
    }

    #[test]
    fn rows_for_a_part_the_package_lacks_are_an_error() {
        let mut skeleton = std::io::Cursor::new(Vec::new());
        let mut zip = zip::ZipWriter::new(&mut skeleton);
        zip.start_file(
            "xl/worksheets/sheet1.xml",
            zip::write::SimpleFileOptions::default(),
        )
        .unwrap();
        zip.write_all(b"<worksheet><sheetData></sheetData></worksheet>")
            .unwrap();
        zip.finish().unwrap();
        skeleton.set_position(0);
        let sheets = [SheetRows {
            part: "xl/worksheets/sheet2.xml".into(),
            rows: 3,
            fill: Box::new(|_, w: &mut RowWriter| w.cell(0, "x")),
            size_bound: 1_000,
            wrapped: &[],
            table: false,
        }];
        let out = std::io::Cursor::new(Vec::new());
        let err = splice(skeleton, &sheets, &SharedStrings::default(), out, None).unwrap_err();
        assert!(err.to_string().contains("sheet2.xml"), "{err}");
    }

    #[test]
    fn the_dimension_covers_the_added_rows() {
        let xml = br#"<worksheet><dimension ref="A1:N1"/><sheetData><row r="1"></row></sheetData><tableParts/></worksheet>"#;
        let f = frame(xml, 901_532).expect("frame");
        let head = String::from_utf8(f.head).expect("utf-8");
        assert!(head.contains(r#"<dimension ref="A1:N901532"/>"#), "{head}");
        assert!(head.ends_with(r#"<row r="1"></row>"#));
        assert_eq!(f.tail, b"</sheetData><tableParts/></worksheet>");
        assert!(frame(b"<worksheet/>", 2).is_err());
    }

    #[test]
    fn wrapped_columns_take_their_column_style_and_rows_their_lines() {
        let head = br#"<worksheet><cols><col min="1" max="1" width="9" customWidth="1"/><col min="9" max="9" width="11.7109375" style="7" customWidth="1"/><col min="13" max="14" width="40" style="12" customWidth="1"/></cols><sheetData>"#;
        let wrap = wrapping(head, &[8, 13]).expect("wrapping");
        assert_eq!((wrap.style[8], wrap.style[13]), (7, 12));
        assert_eq!((wrap.line_chars[8], wrap.line_chars[13]), (10, 39));
        // Only the listed columns carry a style, even where the frame has one.
        assert_eq!(wrap.style[12], 0);
        assert_eq!(wrap.lines(8, "ten chars!"), 1);
        assert_eq!(wrap.lines(8, "eleven char"), 2);
        assert_eq!(wrap.lines(8, "a\nb\n"), 3);
        assert_eq!(wrap.lines(8, &"x".repeat(100_000)), MOST_LINES);
        let mut w = RowWriter::new(None, wrap);
        w.start_row(2);
        w.cell(8, "why: more than ten");
        w.cell(0, "error but long, not wrapped");
        w.end_row();
        w.start_row(3);
        w.cell(8, "short");
        w.end_row();
        assert_eq!(
            String::from_utf8(w.buf).expect("utf-8"),
            concat!(
                r#"<row r="2" ht="30"><c r="I2" s="7" t="inlineStr"><is><t>why: more than ten</t></is></c>"#,
                r#"<c r="A2" t="inlineStr"><is><t>error but long, not wrapped</t></is></c></row>"#,
                r#"<row r="3"><c r="I3" s="7" t="inlineStr"><is><t>short</t></is></c></row>"#,
            )
        );
        let err = wrapping(head, &[0]).err().expect("column A has no style");
        assert!(err.to_string().contains("column A has no style"), "{err}");
        assert!(wrapping(b"<worksheet><sheetData>", &[8]).is_err());
        let none = wrapping(b"<worksheet><sheetData>", &[]).expect("none");
        assert_eq!(none.style, [0; 26]);
    }

    #[test]
    fn a_table_is_stretched_to_the_last_row() {
        let xml = r#"<table id="1" name="Table1" ref="A1:O2" totalsRowShown="0"><autoFilter ref="A1:O2"/><tableColumns count="15"/></table>"#;
        assert_eq!(
            stretch_table(xml, 6751).unwrap(),
            r#"<table id="1" name="Table1" ref="A1:O6751" totalsRowShown="0"><autoFilter ref="A1:O6751"/><tableColumns count="15"/></table>"#
        );
        assert_eq!(stretch_table("<table/>", 5), None);
        assert_eq!(stretch_table(r#"<table ref="A1"/>"#, 5), None);
    }
}
