//! The rows of the big sheets, written and compressed beside rust_xlsxwriter.
//!
//! rust_xlsxwriter builds every sheet's frame (header, table, validation, shading, panes) and
//! the small sheets; the rows of the class sheets, which can number millions, are rendered
//! here and spliced into its package. Measured on 901,531 findings (1M generated objects):
//! rust_xlsxwriter wrote them in 5.0 s on one core (`write!` formatting per cell, a temporary
//! file per sheet read back at save, then single-threaded deflate); rendering rows in parallel
//! chunks straight into a deflate stream that runs on its own thread takes a fraction of that.
//!
//! The cells are the same inline strings rust_xlsxwriter writes (`t="inlineStr"`), escaped the
//! same way (XML entities; control characters and literal `_xHHHH_` as Excel escapes them), so
//! nothing can become a formula, and values past Excel's 32,767-character cell limit are cut
//! with a visible marker instead of failing the workbook.

use super::package::{deflate_piece, OpenEntry, PackageWriter};
use rayon::prelude::*;
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

/// Fills the cells of data row `i` (0-based); called from several threads.
pub type FillRow<'a> = Box<dyn Fn(usize, &mut RowWriter) + Sync + 'a>;

/// The rows of one sheet, by row index (0 = the first data row, below the header).
pub struct SheetRows<'a> {
    /// The sheet's part in the package, e.g. `xl/worksheets/sheet3.xml`.
    pub part: String,
    pub rows: usize,
    pub fill: FillRow<'a>,
    /// An upper bound of the bytes the row XML takes, to choose Zip64 ahead of writing.
    pub size_bound: u64,
}

/// Renders the cells of one row as SpreadsheetML.
pub struct RowWriter {
    buf: Vec<u8>,
    /// 1-based sheet row of the row being written.
    row: u32,
    row_digits: itoa::Buffer,
}

impl RowWriter {
    fn new() -> RowWriter {
        RowWriter {
            buf: Vec::with_capacity(1 << 20),
            row: 0,
            row_digits: itoa::Buffer::new(),
        }
    }

    fn start_row(&mut self, row: u32) {
        self.row = row;
        self.buf.extend_from_slice(b"<row r=\"");
        self.buf
            .extend_from_slice(self.row_digits.format(row).as_bytes());
        self.buf.extend_from_slice(b"\">");
    }

    fn end_row(&mut self) {
        self.buf.extend_from_slice(b"</row>");
    }

    /// Writes `text` as a string cell in column `col` (0 = A, up to Z). Empty text writes
    /// nothing: an absent cell reads back as empty.
    pub fn cell(&mut self, col: u8, text: &str) {
        if text.is_empty() {
            return;
        }
        debug_assert!(col < 26);
        self.buf.extend_from_slice(b"<c r=\"");
        self.buf.push(b'A' + col);
        self.buf
            .extend_from_slice(self.row_digits.format(self.row).as_bytes());
        self.buf.extend_from_slice(b"\" t=\"inlineStr\"><is><t");
        let text = clip(text);
        if text.starts_with(['\t', '\n', ' ']) || text.ends_with(['\t', '\n', ' ']) {
            self.buf.extend_from_slice(b" xml:space=\"preserve\"");
        }
        self.buf.push(b'>');
        escape_into(&text, &mut self.buf);
        self.buf.extend_from_slice(b"</t></is></c>");
    }
}

/// `text` cut to fit one cell, with a marker when cut.
pub fn clip(text: &str) -> std::borrow::Cow<'_, str> {
    // A UTF-16 unit takes at least one UTF-8 byte, so short strings need no counting.
    if text.len() <= MAX_CELL_CHARS {
        return text.into();
    }
    let budget = MAX_CELL_CHARS - TRUNCATED.encode_utf16().count();
    let mut units = 0;
    let mut end = 0;
    for (i, c) in text.char_indices() {
        units += c.len_utf16();
        if units > MAX_CELL_CHARS {
            break;
        }
        if units <= budget {
            end = i + c.len_utf8();
        }
    }
    if units <= MAX_CELL_CHARS {
        return text.into();
    }
    format!("{}{TRUNCATED}", &text[..end]).into()
}

/// Bytes that need a look: XML specials, control characters, `_` (a literal `_xHHHH_` must
/// be escaped) and 0xEF (the lead byte of U+FFFE and U+FFFF).
const NEEDS_CARE: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        t[b] = b != b'\t' as usize && b != b'\n' as usize;
        b += 1;
    }
    t[b'&' as usize] = true;
    t[b'<' as usize] = true;
    t[b'>' as usize] = true;
    t[b'_' as usize] = true;
    t[0xEF] = true;
    t
};

/// Appends `text` escaped as Excel and rust_xlsxwriter escape cell text.
pub fn escape_into(text: &str, out: &mut Vec<u8>) {
    let bytes = text.as_bytes();
    let Some(first) = bytes.iter().position(|&b| NEEDS_CARE[b as usize]) else {
        out.extend_from_slice(bytes);
        return;
    };
    out.extend_from_slice(&bytes[..first]);
    let rest = &text[first..];
    for (i, c) in rest.char_indices() {
        match c {
            '&' => out.extend_from_slice(b"&amp;"),
            '<' => out.extend_from_slice(b"&lt;"),
            '>' => out.extend_from_slice(b"&gt;"),
            '\t' | '\n' => out.push(c as u8),
            '\0'..='\x1f' | '\u{FFFE}' | '\u{FFFF}' => {
                let code = c as u32;
                out.extend_from_slice(format!("_x{code:04X}_").as_bytes());
            }
            '_' => {
                // A literal `_xHHHH_` would read back as the escaped character.
                let tail = &rest.as_bytes()[i..];
                if tail.len() >= 7
                    && tail[1] == b'x'
                    && tail[2..6].iter().all(u8::is_ascii_hexdigit)
                    && tail[6] == b'_'
                {
                    out.extend_from_slice(b"_x005F");
                }
                out.push(b'_');
            }
            c => {
                let mut utf8 = [0; 4];
                out.extend_from_slice(c.encode_utf8(&mut utf8).as_bytes());
            }
        }
    }
}

/// The part of a sheet's XML before and after its rows.
struct Frame {
    head: Vec<u8>,
    tail: Vec<u8>,
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
pub fn splice<R: Read + Seek, W: Write + Seek>(
    skeleton: R,
    sheets: &[SheetRows<'_>],
    out: W,
    progress: Option<&AtomicU64>,
) -> io::Result<()> {
    let mut archive = ZipArchive::new(skeleton).map_err(io::Error::other)?;
    let mut package = PackageWriter::new(out)?;
    for i in 0..archive.len() {
        let mut file = archive.by_index_raw(i).map_err(io::Error::other)?;
        let name = file.name().map_err(io::Error::other)?.to_string();
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
        let bound = sheet.size_bound + (frame.head.len() + frame.tail.len()) as u64;
        let mut open = package.begin_entry(&name, bound >= u32::MAX as u64)?;
        let head = deflate_piece(&frame.head, Vec::new())?;
        package.write_piece(
            &mut open,
            &head,
            crc32fast::hash(&frame.head),
            frame.head.len() as u64,
        )?;
        write_rows(sheet, &mut package, &mut open, progress)?;
        let tail = deflate_piece(&frame.tail, Vec::new())?;
        package.write_piece(
            &mut open,
            &tail,
            crc32fast::hash(&frame.tail),
            frame.tail.len() as u64,
        )?;
        package.end_entry(open)?;
    }
    package.finish()?;
    Ok(())
}

/// One chunk of rows, rendered and deflated.
struct Piece {
    deflated: Vec<u8>,
    crc: u32,
    plain_len: u64,
    rows: usize,
}

/// Renders and deflates the rows in parallel chunks (pigz-style, see package.rs), while this
/// thread writes them in order.
fn write_rows<W: Write + Seek>(
    sheet: &SheetRows<'_>,
    package: &mut PackageWriter<W>,
    open: &mut OpenEntry,
    progress: Option<&AtomicU64>,
) -> io::Result<()> {
    let threads = rayon::current_num_threads().max(1);
    let batch = CHUNK_ROWS * threads;
    let (tx, rx) = sync_channel::<io::Result<Piece>>(threads);
    std::thread::scope(|scope| {
        scope.spawn(move || {
            let mut start = 0;
            while start < sheet.rows {
                let end = (start + batch).min(sheet.rows);
                let pieces: Vec<io::Result<Piece>> = (start..end)
                    .step_by(CHUNK_ROWS)
                    .collect::<Vec<_>>()
                    .into_par_iter()
                    .map(|from| {
                        let to = (from + CHUNK_ROWS).min(end);
                        let mut w = RowWriter::new();
                        for i in from..to {
                            w.start_row(i as u32 + 2);
                            (sheet.fill)(i, &mut w);
                            w.end_row();
                        }
                        let deflated = deflate_piece(&w.buf, Vec::with_capacity(w.buf.len() / 8))?;
                        Ok(Piece {
                            deflated,
                            crc: crc32fast::hash(&w.buf),
                            plain_len: w.buf.len() as u64,
                            rows: to - from,
                        })
                    })
                    .collect();
                for piece in pieces {
                    if tx.send(piece).is_err() {
                        return; // the writer failed and said why
                    }
                }
                start = end;
            }
        });
        for piece in rx {
            let piece = piece?;
            package.write_piece(open, &piece.deflated, piece.crc, piece.plain_len)?;
            if let Some(p) = progress {
                p.fetch_add(piece.rows as u64, Ordering::Relaxed);
            }
        }
        Ok(())
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

    #[test]
    fn escapes_as_excel_does() {
        assert_eq!(escaped("plain"), "plain");
        assert_eq!(escaped("a&b<c>d\"e'"), "a&amp;b&lt;c&gt;d\"e'");
        assert_eq!(escaped("tab\tnl\ncr\r"), "tab\tnl\ncr_x000D_");
        assert_eq!(escaped("\0\u{1f}"), "_x0000__x001F_");
        assert_eq!(escaped("_x0041_ and _x12_"), "_x005F_x0041_ and _x12_");
        assert_eq!(escaped("snake_case_name"), "snake_case_name");
        assert_eq!(escaped("\u{FFFE}é😀"), "_xFFFE_é😀");
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
    fn the_dimension_covers_the_added_rows() {
        let xml = br#"<worksheet><dimension ref="A1:N1"/><sheetData><row r="1"></row></sheetData><tableParts/></worksheet>"#;
        let f = frame(xml, 901_532).expect("frame");
        let head = String::from_utf8(f.head).expect("utf-8");
        assert!(head.contains(r#"<dimension ref="A1:N901532"/>"#), "{head}");
        assert!(head.ends_with(r#"<row r="1"></row>"#));
        assert_eq!(f.tail, b"</sheetData><tableParts/></worksheet>");
        assert!(frame(b"<worksheet/>", 2).is_err());
    }
}
