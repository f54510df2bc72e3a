//! The directory: one columnar table of every object read from every input.
//!
//! Columns are Arrow-shaped (one byte arena plus end offsets per column) so that millions of
//! objects cost a few allocations, chunks parsed in parallel append with a memcpy, and the
//! rules scan contiguous memory.

pub mod attrs;
pub mod extra;
pub mod sparse;
pub(crate) mod spill;

use crate::cert::CertificateValue;
pub use attrs::{Attr, AttrShape, BOOL_ATTRS, COUNT_ATTRS, INT_ATTRS, TEXT_ATTRS};
pub use extra::{Extra, Marks, TimeSource, SEAMLESS_SSO_SPN};
use sparse::{Presence, SparseColumn};
use spill::SpillVec;
use std::path::Path;

/// The kind of object, from its most specific objectClass.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ObjectKind {
    User,
    InetOrgPerson,
    Computer,
    Group,
    Contact,
    Other,
}

impl ObjectKind {
    /// Classifies by the most specific objectClass value.
    pub fn from_class(class: &str) -> ObjectKind {
        const KINDS: [(&str, ObjectKind); 5] = [
            ("user", ObjectKind::User),
            ("inetOrgPerson", ObjectKind::InetOrgPerson),
            ("computer", ObjectKind::Computer),
            ("group", ObjectKind::Group),
            ("contact", ObjectKind::Contact),
        ];
        KINDS
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(class))
            .map_or(ObjectKind::Other, |(_, kind)| *kind)
    }

    pub fn name(self) -> &'static str {
        match self {
            ObjectKind::User => "user",
            ObjectKind::InetOrgPerson => "inetOrgPerson",
            ObjectKind::Computer => "computer",
            ObjectKind::Group => "group",
            ObjectKind::Contact => "contact",
            ObjectKind::Other => "other",
        }
    }
}

/// Per-object facts that are not attribute values.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct ObjectFlags(pub u8);

impl ObjectFlags {
    /// A multi-valued attribute arrived by range retrieval (`member;range=0-1499`): counts may be short.
    pub const RANGED: u8 = 1;
    /// A value could not be interpreted (a non-numeric integer, a GUID of the wrong length …).
    pub const MALFORMED_VALUE: u8 = 2;
    /// A text value was not valid in the file's encoding and was decoded with replacements.
    pub const LOSSY_TEXT: u8 = 4;
    /// The last part of a range-retrieved attribute (`member;range=1500-*`) is in the record:
    /// with [`ObjectFlags::RANGED`], every part up to the end was exported.
    pub const RANGE_END: u8 = 8;

    pub fn has(self, flag: u8) -> bool {
        self.0 & flag != 0
    }
}

/// A nullable UTF-8 text column: one arena, one end offset for each row that has a value,
/// and one bit a row saying which rows have one ([`Presence`]). Offsets are 32-bit while the
/// arena is below 4 GiB, which every column of a 10-million-object export is; a larger
/// column widens to 64-bit offsets once, when it crosses.
///
/// Absent rows cost their bit only: most text attributes are missing on many rows (a
/// computer has no givenName, a group no userPrincipalName, and targetAddress or
/// operatingSystem are on few objects), and an offset for every row (absent ones marked by
/// its top bit, as before) held 4 bytes for each: 17.7 MB of the 1M field shape's table.
///
/// The arena and the offsets live on the heap, or with [`spill`] in mapped temporary files.
#[derive(Clone, Debug, Default)]
pub struct TextColumn {
    /// Concatenated UTF-8 values: only whole `&str`s are appended and rows are cut only at
    /// their ends, so every row's range is valid UTF-8.
    data: SpillVec<u8>,
    /// The end of each present row's value in `data`, in row order.
    ends: Ends,
    /// Which rows have a value (a present row's rank among them indexes `ends`), once a row
    /// has none; `None` while every row has one, so that a column always full (the DNs, the
    /// values of a list) is read without a rank.
    present: Option<Presence>,
}

#[derive(Clone, Debug)]
enum Ends {
    Narrow(SpillVec<u32>),
    Wide(SpillVec<u64>),
}

impl Default for Ends {
    fn default() -> Self {
        Ends::Narrow(SpillVec::default())
    }
}

impl Ends {
    fn len(&self) -> usize {
        match self {
            Ends::Narrow(v) => v.len(),
            Ends::Wide(v) => v.len(),
        }
    }

    /// Where the first `values` values end (0 for none): what a cut to them keeps.
    fn end_of(&self, values: usize) -> usize {
        let Some(last) = values.checked_sub(1) else {
            return 0;
        };
        match self {
            Ends::Narrow(v) => v.as_slice().get(last).map_or(0, |e| *e as usize),
            Ends::Wide(v) => v.as_slice().get(last).map_or(0, |e| *e as usize),
        }
    }

    /// Where the `i`-th value starts and ends.
    #[inline]
    fn range(&self, i: usize) -> Option<(usize, usize)> {
        fn of<T: Copy + Into<u64>>(ends: &[T], i: usize) -> Option<(usize, usize)> {
            let end = (*ends.get(i)?).into() as usize;
            let start = match i {
                0 => 0,
                i => ends.get(i - 1).map_or(0, |e| (*e).into() as usize),
            };
            Some((start, end))
        }
        match self {
            Ends::Narrow(v) => of(v.as_slice(), i),
            Ends::Wide(v) => of(v.as_slice(), i),
        }
    }

    /// Switches to 64-bit offsets.
    fn widen(&mut self) {
        if let Ends::Narrow(v) = self {
            let mut wide: SpillVec<u64> = v.empty_like();
            wide.extend(v.as_slice().iter().map(|e| u64::from(*e)));
            *self = Ends::Wide(wide);
        }
    }

    fn push(&mut self, end: usize) {
        if end > u32::MAX as usize {
            self.widen();
        }
        match self {
            Ends::Narrow(v) => v.push(end as u32),
            Ends::Wide(v) => v.push(end as u64),
        }
    }

    /// Appends `other`'s ends, each moved on by `base`.
    fn append(&mut self, other: &Ends, base: usize, data_len: usize) {
        if data_len > u32::MAX as usize || matches!(other, Ends::Wide(_)) {
            self.widen();
        }
        match (self, other) {
            (Ends::Narrow(mine), Ends::Narrow(theirs)) => {
                mine.extend(theirs.as_slice().iter().map(|e| e + base as u32));
            }
            (Ends::Wide(mine), Ends::Narrow(theirs)) => {
                mine.extend(
                    theirs
                        .as_slice()
                        .iter()
                        .map(|e| u64::from(*e) + base as u64),
                );
            }
            (Ends::Wide(mine), Ends::Wide(theirs)) => {
                mine.extend(theirs.as_slice().iter().map(|e| e + base as u64));
            }
            (Ends::Narrow(_), Ends::Wide(_)) => unreachable!("widened above"),
        }
    }

    fn truncate(&mut self, len: usize) {
        match self {
            Ends::Narrow(v) => v.truncate(len),
            Ends::Wide(v) => v.truncate(len),
        }
    }

    fn reserve(&mut self, more: usize) {
        match self {
            Ends::Narrow(v) => v.reserve(more),
            Ends::Wide(v) => v.reserve(more),
        }
    }

    fn heap_bytes(&self) -> usize {
        match self {
            Ends::Narrow(v) => v.heap_bytes(),
            Ends::Wide(v) => v.heap_bytes(),
        }
    }

    fn expect_random_access(&self, random: bool) {
        match self {
            Ends::Narrow(v) => v.expect_random_access(random),
            Ends::Wide(v) => v.expect_random_access(random),
        }
    }

    fn spill_failure(&self) -> Option<&str> {
        match self {
            Ends::Narrow(v) => v.spill_failure(),
            Ends::Wide(v) => v.spill_failure(),
        }
    }
}

impl TextColumn {
    /// See [`SpillVec::expect_random_access`].
    pub fn expect_random_access(&self, random: bool) {
        self.data.expect_random_access(random);
        self.ends.expect_random_access(random);
    }

    /// Why this column went back to the heap, if it was spilled and the disk refused.
    fn spill_failure(&self) -> Option<&str> {
        self.data.spill_failure().or(self.ends.spill_failure())
    }

    /// An empty column kept in mapped temporary files in `dir` (see [`spill`]).
    pub fn spilled_to(dir: &Path) -> std::io::Result<TextColumn> {
        Ok(TextColumn {
            data: SpillVec::in_file(dir)?,
            ends: Ends::Narrow(SpillVec::in_file(dir)?),
            present: None,
        })
    }

    pub fn push(&mut self, value: Option<&str>) {
        match value {
            Some(v) => {
                self.data.extend_from_slice(v.as_bytes());
                self.ends.push(self.data.len());
                if let Some(present) = &mut self.present {
                    present.push(true);
                }
            }
            None => self.presence().push(false),
        }
    }

    /// The presence bits, made (every row so far present) when the column was full.
    fn presence(&mut self) -> &mut Presence {
        let rows = self.ends.len();
        self.present.get_or_insert_with(|| Presence::full(rows))
    }

    /// Room for `values` more values holding `bytes` more bytes.
    fn reserve(&mut self, values: usize, bytes: usize) {
        self.data.reserve(bytes);
        self.ends.reserve(values);
    }

    #[inline]
    pub fn get(&self, row: usize) -> Option<&str> {
        let i = match &self.present {
            None => row,
            Some(present) => present.rank(row)?,
        };
        let (start, end) = self.ends.range(i)?;
        let bytes = self.data.as_slice().get(start..end)?;
        // SAFETY: a row's range holds one whole value appended as a `&str` (see `data`).
        Some(unsafe { std::str::from_utf8_unchecked(bytes) })
    }

    /// Rows, with a value or not.
    pub fn len(&self) -> usize {
        self.present.as_ref().map_or(self.ends.len(), Presence::len)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Rows that have a value.
    pub fn values(&self) -> usize {
        self.ends.len()
    }

    pub fn heap_bytes(&self) -> usize {
        self.data.heap_bytes()
            + self.ends.heap_bytes()
            + self.present.as_ref().map_or(0, Presence::heap_bytes)
    }

    /// Whether offsets are 64-bit (the arena passed 4 GiB).
    pub fn is_wide(&self) -> bool {
        matches!(self.ends, Ends::Wide(_))
    }

    fn append(&mut self, other: TextColumn) {
        // The presence bits first: made from this column's rows as they are.
        match (&self.present, &other.present) {
            (None, None) => {}
            (_, Some(theirs)) => self.presence().append(theirs),
            (Some(_), None) => self.presence().append(&Presence::full(other.len())),
        }
        let base = self.data.len();
        self.data.extend_from_slice(other.data.as_slice());
        self.ends.append(&other.ends, base, self.data.len());
    }

    fn truncate(&mut self, rows: usize) {
        if rows < self.len() {
            let values = match &mut self.present {
                None => rows,
                Some(present) => present.truncate(rows),
            };
            self.data.truncate(self.ends.end_of(values));
            self.ends.truncate(values);
        }
    }
}

/// A nullable integer column, stored only for the rows that have a value: most of these
/// attributes are absent on most rows (groupType outside groups, pwdLastSet outside users).
/// Values are kept 32 bits wide until one does not fit (userAccountControl, groupType and
/// adminCount never need more; times and recipient types do): 3.6 MB of the 1M field shape's
/// table, where every user and computer has a userAccountControl.
#[derive(Clone, Debug, Default)]
pub struct IntColumn(Ints);

#[derive(Clone, Debug)]
enum Ints {
    Narrow(SparseColumn<i32>),
    Wide(SparseColumn<i64>),
}

impl Default for Ints {
    fn default() -> Self {
        Ints::Narrow(SparseColumn::default())
    }
}

impl IntColumn {
    pub fn push(&mut self, value: Option<i64>) {
        if let Ints::Narrow(narrow) = &mut self.0 {
            match value.map(i32::try_from).transpose() {
                Ok(fits) => return narrow.push(fits),
                Err(_) => self.widen(),
            }
        }
        if let Ints::Wide(wide) = &mut self.0 {
            wide.push(value);
        }
    }

    pub fn get(&self, row: usize) -> Option<i64> {
        match &self.0 {
            Ints::Narrow(narrow) => narrow.get(row).map(i64::from),
            Ints::Wide(wide) => wide.get(row),
        }
    }

    /// Switches to 64-bit values.
    fn widen(&mut self) {
        if let Ints::Narrow(narrow) = &mut self.0 {
            self.0 = Ints::Wide(std::mem::take(narrow).map(i64::from));
        }
    }

    fn append(&mut self, other: IntColumn) {
        if matches!(other.0, Ints::Wide(_)) {
            self.widen();
        }
        match (&mut self.0, other.0) {
            (Ints::Narrow(mine), Ints::Narrow(theirs)) => mine.append(theirs),
            (Ints::Wide(mine), Ints::Narrow(theirs)) => mine.append(theirs.map(i64::from)),
            (Ints::Wide(mine), Ints::Wide(theirs)) => mine.append(theirs),
            (Ints::Narrow(_), Ints::Wide(_)) => unreachable!("widened above"),
        }
    }

    fn truncate(&mut self, rows: usize) {
        match &mut self.0 {
            Ints::Narrow(narrow) => narrow.truncate(rows),
            Ints::Wide(wide) => wide.truncate(rows),
        }
    }

    pub fn heap_bytes(&self) -> usize {
        match &self.0 {
            Ints::Narrow(narrow) => narrow.heap_bytes(),
            Ints::Wide(wide) => wide.heap_bytes(),
        }
    }
}

/// The number of values of a counted attribute, stored only for the rows that have any
/// (member outside groups, certificates, homeMDB outside mailboxes are zero on most rows).
#[derive(Clone, Debug, Default)]
pub struct CountColumn(SparseColumn<u32>);

impl CountColumn {
    pub fn push(&mut self, count: u32) {
        self.0.push((count != 0).then_some(count));
    }

    pub fn get(&self, row: usize) -> u32 {
        self.0.get(row).unwrap_or(0)
    }

    fn append(&mut self, other: CountColumn) {
        self.0.append(other.0);
    }

    fn truncate(&mut self, rows: usize) {
        self.0.truncate(rows);
    }

    pub fn heap_bytes(&self) -> usize {
        self.0.heap_bytes()
    }
}

/// objectClass (the most specific value) a row, interned: an export holds a handful of
/// distinct classes, and the text with its offset cost every row ~10 bytes.
#[derive(Clone, Debug, Default)]
pub struct ClassColumn {
    /// Per row: 0 absent, `i` the class `names[i - 1]`, [`ClassColumn::ODD`] a row of `odd`.
    ids: Vec<u16>,
    names: Vec<Box<str>>,
    lookup: rustc_hash::FxHashMap<Box<str>, u16>,
    /// Values past the 65,534th distinct one (a hostile file), by row (ascending).
    odd: Vec<(usize, Box<str>)>,
}

impl ClassColumn {
    const ODD: u16 = u16::MAX;

    pub fn push(&mut self, value: Option<&str>) {
        let id = match value {
            None => 0,
            Some(v) => match self.lookup.get(v) {
                Some(id) => *id,
                None if self.names.len() + 1 < Self::ODD as usize => {
                    self.names.push(v.into());
                    let id = self.names.len() as u16;
                    self.lookup.insert(v.into(), id);
                    id
                }
                None => {
                    self.odd.push((self.ids.len(), v.into()));
                    Self::ODD
                }
            },
        };
        self.ids.push(id);
    }

    pub fn get(&self, row: usize) -> Option<&str> {
        match *self.ids.get(row)? {
            0 => None,
            Self::ODD => {
                let i = self.odd.binary_search_by_key(&row, |(r, _)| *r).ok()?;
                Some(&self.odd[i].1)
            }
            id => self.names.get(id as usize - 1).map(|n| &**n),
        }
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    pub fn heap_bytes(&self) -> usize {
        self.ids.capacity() * 2
            + self.names.iter().map(|n| n.len() * 2 + 40).sum::<usize>()
            + self.odd.iter().map(|(_, n)| n.len() + 24).sum::<usize>()
    }

    fn append(&mut self, other: ClassColumn) {
        if self.ids.is_empty() && self.odd.is_empty() {
            *self = other;
            return;
        }
        // Every class of `other` interned here once, then its rows renumbered.
        let mut renumber = Vec::with_capacity(other.names.len() + 1);
        renumber.push(0u16);
        let base = self.ids.len();
        for name in &other.names {
            let id = match self.lookup.get(name) {
                Some(id) => *id,
                None if self.names.len() + 1 < Self::ODD as usize => {
                    self.names.push(name.clone());
                    let id = self.names.len() as u16;
                    self.lookup.insert(name.clone(), id);
                    id
                }
                None => Self::ODD,
            };
            renumber.push(id);
        }
        let mut odd = other.odd.into_iter().peekable();
        for (row, id) in other.ids.into_iter().enumerate() {
            let mine = match id {
                Self::ODD => Self::ODD,
                id => renumber[id as usize],
            };
            if mine == Self::ODD {
                let value = if id == Self::ODD {
                    odd.next().map(|(_, v)| v).unwrap_or_default()
                } else {
                    other.names[id as usize - 1].clone()
                };
                self.odd.push((base + row, value));
            }
            self.ids.push(mine);
        }
    }

    fn truncate(&mut self, rows: usize) {
        self.ids.truncate(rows);
        let keep = self.odd.partition_point(|(r, _)| *r < rows);
        self.odd.truncate(keep);
    }
}

/// objectSid a row, in its text form `S-1-5-21-…`. The accounts of a domain share all of it
/// but the last number (the domain's SID, then the RID), so a row keeps an interned id of the
/// text up to its last `-` and the RID: 8 bytes instead of ~45 and an offset, and nothing on a
/// row without one.
#[derive(Clone, Debug, Default)]
pub struct SidColumn {
    /// Per row that has one: (prefix id, RID), or ([`SidColumn::ODD`], 0) for a text that is
    /// not a prefix and a canonical 32-bit RID (kept whole in `odd`).
    values: SparseColumn<(u32, u32)>,
    prefixes: Vec<Box<str>>,
    lookup: rustc_hash::FxHashMap<Box<str>, u32>,
    odd: Vec<(usize, Box<str>)>,
}

/// What identifies an objectSid text (equal keys, equal texts) without writing the text.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SidKey<'a> {
    /// An interned prefix and a RID.
    Split(u32, u32),
    Whole(&'a str),
}

impl SidColumn {
    const ODD: u32 = u32::MAX;

    /// The text's prefix (up to its last `-`) and RID, when the RID reads back the same.
    fn split(sid: &str) -> Option<(&str, u32)> {
        let cut = sid.rfind('-')?;
        let digits = &sid[cut + 1..];
        let canonical = !digits.is_empty()
            && digits.bytes().all(|b| b.is_ascii_digit())
            && (digits == "0" || !digits.starts_with('0'));
        let rid = digits.parse::<u32>().ok().filter(|_| canonical)?;
        Some((&sid[..cut], rid))
    }

    fn intern(&mut self, prefix: &str) -> u32 {
        // Rows come a domain at a time: the last prefix is the likely one.
        if let Some(last) = self.prefixes.last().filter(|p| ***p == *prefix) {
            debug_assert_eq!(
                self.lookup.get(&**last),
                Some(&(self.prefixes.len() as u32 - 1))
            );
            return self.prefixes.len() as u32 - 1;
        }
        if let Some(id) = self.lookup.get(prefix) {
            return *id;
        }
        if self.prefixes.len() >= Self::ODD as usize {
            return Self::ODD;
        }
        self.prefixes.push(prefix.into());
        let id = self.prefixes.len() as u32 - 1;
        self.lookup.insert(prefix.into(), id);
        id
    }

    pub fn push(&mut self, value: Option<&str>) {
        let row = self.values.len();
        let entry = value.map(|sid| {
            match Self::split(sid).map(|(prefix, rid)| (self.intern(prefix), rid)) {
                Some((id, rid)) if id != Self::ODD => (id, rid),
                _ => {
                    self.odd.push((row, sid.into()));
                    (Self::ODD, 0)
                }
            }
        });
        self.values.push(entry);
    }

    pub fn is_present(&self, row: usize) -> bool {
        self.values.get_ref(row).is_some()
    }

    pub fn key(&self, row: usize) -> Option<SidKey<'_>> {
        match self.values.get(row)? {
            (Self::ODD, _) => {
                let i = self.odd.binary_search_by_key(&row, |(r, _)| *r).ok()?;
                Some(SidKey::Whole(&self.odd[i].1))
            }
            (id, rid) => Some(SidKey::Split(id, rid)),
        }
    }

    /// The id of the text before the RID, shared by the rows of a domain (`None` without a
    /// SID or for a SID kept whole).
    pub fn prefix_id(&self, row: usize) -> Option<u32> {
        self.values
            .get(row)
            .map(|(id, _)| id)
            .filter(|id| *id != Self::ODD)
    }

    /// Writes the row's SID text into `out` (cleared first); `false` without one.
    pub fn write(&self, row: usize, out: &mut String) -> bool {
        out.clear();
        match self.key(row) {
            None => false,
            Some(SidKey::Whole(text)) => {
                out.push_str(text);
                true
            }
            Some(SidKey::Split(id, rid)) => {
                out.push_str(self.prefixes.get(id as usize).map_or("", |p| &**p));
                out.push('-');
                // The RID's digits, written by hand: the duplicate-SID audit writes every
                // row's SID, and `fmt` cost more than the rest of it.
                let mut digits = [0u8; 10];
                let mut at = digits.len();
                let mut n = rid;
                loop {
                    at -= 1;
                    digits[at] = b'0' + (n % 10) as u8;
                    n /= 10;
                    if n == 0 {
                        break;
                    }
                }
                if let Ok(digits) = std::str::from_utf8(&digits[at..]) {
                    out.push_str(digits);
                }
                true
            }
        }
    }

    /// The row's SID text.
    pub fn get(&self, row: usize) -> Option<std::borrow::Cow<'_, str>> {
        match self.key(row)? {
            SidKey::Whole(text) => Some(std::borrow::Cow::Borrowed(text)),
            SidKey::Split(..) => {
                let mut text = String::new();
                self.write(row, &mut text);
                Some(std::borrow::Cow::Owned(text))
            }
        }
    }

    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    pub fn heap_bytes(&self) -> usize {
        self.values.heap_bytes()
            + self
                .prefixes
                .iter()
                .map(|p| p.len() * 2 + 48)
                .sum::<usize>()
            + self.odd.iter().map(|(_, t)| t.len() + 24).sum::<usize>()
    }

    fn append(&mut self, other: SidColumn) {
        if self.values.is_empty() && self.prefixes.is_empty() {
            *self = other;
            return;
        }
        let renumber: Vec<u32> = other.prefixes.iter().map(|p| self.intern(p)).collect();
        let mut text = String::new();
        for row in 0..other.len() {
            match other.values.get(row) {
                Some((id, rid)) if id != Self::ODD && renumber[id as usize] != Self::ODD => {
                    self.values.push(Some((renumber[id as usize], rid)));
                }
                Some(_) => {
                    other.write(row, &mut text);
                    self.push(Some(&text));
                }
                None => self.values.push(None),
            }
        }
    }

    fn truncate(&mut self, rows: usize) {
        self.values.truncate(rows);
        let keep = self.odd.partition_point(|(r, _)| *r < rows);
        self.odd.truncate(keep);
    }
}

/// A list-of-text column (multi-valued attributes).
#[derive(Clone, Debug, Default)]
pub struct ListColumn {
    values: TextColumn,
    /// Per row, the end of its values in `values` (32-bit while there are fewer than 4G
    /// values: 4 bytes a row where a `u64` took 8).
    row_ends: Ends,
}

impl ListColumn {
    /// Appends one value to the row being built; close the row with [`ListColumn::end_row`].
    pub fn push_value(&mut self, value: &str) {
        self.values.push(Some(value));
    }

    pub fn end_row(&mut self) {
        self.row_ends.push(self.values.len());
    }

    pub fn get(&self, row: usize) -> impl ExactSizeIterator<Item = &str> + '_ {
        let (start, end) = self.row_ends.range(row).unwrap_or((0, 0));
        (start..end).map(move |i| self.values.get(i).unwrap_or(""))
    }

    pub fn value_count(&self, row: usize) -> usize {
        self.get(row).len()
    }

    /// Every value of every row, flattened, with the row each belongs to.
    pub fn total_values(&self) -> usize {
        self.values.len()
    }

    pub fn heap_bytes(&self) -> usize {
        self.values.heap_bytes() + self.row_ends.heap_bytes()
    }

    fn append(&mut self, other: ListColumn) {
        let base = self.values.len();
        self.values.append(other.values);
        self.row_ends
            .append(&other.row_ends, base, self.values.len());
    }

    fn truncate(&mut self, rows: usize) {
        if rows < self.row_ends.len() {
            self.values.truncate(self.row_ends.end_of(rows));
            self.row_ends.truncate(rows);
        }
    }
}

/// Where an object came from. Packed: 10 bytes a row instead of 16.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
#[repr(C, packed)]
pub struct SourceRef {
    /// Index into [`Directory::sources`].
    pub file: u16,
    /// 1-based line of the record's first line.
    pub line: u64,
}

/// The table of objects. Row `i` of every column is object `i`.
#[derive(Clone, Debug, Default)]
pub struct Directory {
    /// Input paths, indexed by [`SourceRef::file`].
    pub sources: Vec<String>,
    pub source: Vec<SourceRef>,
    pub dn: TextColumn,
    /// The most specific objectClass.
    pub object_class: ClassColumn,
    pub kind: Vec<ObjectKind>,
    /// Indexed like [`TEXT_ATTRS`].
    pub text: [TextColumn; TEXT_ATTRS.len()],
    pub proxy_addresses: ListColumn,
    /// Indexed like [`INT_ATTRS`].
    pub int: [IntColumn; INT_ATTRS.len()],
    /// Indexed like [`BOOL_ATTRS`].
    pub boolean: [Vec<Option<bool>>; BOOL_ATTRS.len()],
    /// Indexed like [`COUNT_ATTRS`]: the number of values.
    pub count: [CountColumn; COUNT_ATTRS.len()],
    pub object_guid: Vec<Option<[u8; 16]>>,
    /// Whether `mS-DS-ConsistencyGuid` has a non-empty value (of any length).
    pub has_consistency_guid: Vec<bool>,
    /// `mS-DS-ConsistencyGuid` when it is 16 bytes (a GUID, in AD's byte order), for the
    /// source anchor ([`crate::anchor`]).
    pub consistency_guid: SparseColumn<[u8; 16]>,
    /// `mS-DS-ConsistencyGuid` values that are not 16 bytes, by row (ascending): rare (a
    /// tool stamped something else), so kept aside rather than widening every row.
    pub odd_consistency_guids: Vec<(usize, Box<[u8]>)>,
    /// Size in bytes of thumbnailPhoto, when present.
    pub thumbnail_photo_bytes: SparseColumn<u32>,
    pub flags: Vec<ObjectFlags>,
    /// What each userCertificate value says as a certificate (only the rows that have any).
    pub certificates: CertificateColumn,
    /// The sparse attributes' values and the export's latest times (readiness checks).
    pub extra: Extra,
    /// objectSid, read back in its text form (`S-1-5-21-…`).
    pub object_sid: SidColumn,
    /// Each object's `member` values as hashes of their lower-case DN ([`dn_hash`]), for
    /// group scoping (`--include-group`) without keeping every member's DN.
    pub members: MemberColumn,
    /// `member`, `manager` and `managedBy` values whose `DC=` part differs from the object's
    /// own (another domain or forest), by row (ascending): the cross-forest references
    /// Cloud Sync drops are among these.
    pub foreign_refs: Vec<(usize, Attr, Box<str>)>,
    /// Each object's domain, worked out on first use ([`Directory::domains`]).
    domains: std::sync::OnceLock<Domains>,
}

/// Each object's domain (the `DC=` part of its DN, [`domain_part`]), interned. Scope, the
/// forests, the engine's per-domain limits and readiness all group objects by domain; each
/// used to cut every DN again and key a map by a new lower-case string per object.
#[derive(Clone, Debug, Default)]
pub struct Domains {
    /// Per row, an index into `names` ([`NO_DOMAIN`] when the DN has no `DC=` part).
    pub of_row: Vec<u32>,
    /// Each distinct domain part, in lower case, in order of first appearance.
    pub names: Vec<String>,
}

/// [`Domains::of_row`] of an object whose DN has no `DC=` part.
pub const NO_DOMAIN: u32 = u32::MAX;

impl Domains {
    fn of(dir: &Directory) -> Domains {
        let (of_row, parts) = number_dn_parts(
            dir,
            domain_part,
            dn_hash,
            |a, b| a.eq_ignore_ascii_case(b),
            false,
        );
        Domains {
            of_row,
            names: parts.iter().map(|d| d.to_ascii_lowercase()).collect(),
        }
    }

    /// The domain part of a row's DN in lower case (`""` without one).
    pub fn name_of(&self, row: usize) -> &str {
        self.of_row
            .get(row)
            .and_then(|&i| self.names.get(i as usize))
            .map_or("", String::as_str)
    }
}

/// Numbers a part of every row's DN (`part`: its domain, its parent …) in order of first
/// appearance, equal parts (by `same`, which `hash` must agree with) sharing a number: each
/// row's part is hashed in parallel, then numbered in row order, where equal hashes are
/// checked against the text (a collision is not a merge). Returns each row's number and each
/// number's first spelling. An empty part gets [`NO_DOMAIN`] unless `number_empty`.
pub fn number_dn_parts<'d>(
    dir: &'d Directory,
    part: impl Fn(&'d str) -> &'d str + Sync,
    hash: impl Fn(&str) -> u64 + Sync,
    same: impl Fn(&str, &str) -> bool,
    number_empty: bool,
) -> (Vec<u32>, Vec<&'d str>) {
    use rayon::prelude::*;
    let text = |row: usize| part(dir.dn.get(row).unwrap_or(""));
    // 0 stands for an empty part left unnumbered; every other hash is odd.
    let hashes: Vec<u64> = (0..dir.len())
        .into_par_iter()
        .with_min_len(4096)
        .map(|row| {
            let t = text(row);
            if t.is_empty() && !number_empty {
                0
            } else {
                hash(t) | 1
            }
        })
        .collect();
    let mut ids: rustc_hash::FxHashMap<u64, Vec<u32>> = Default::default();
    let mut parts: Vec<&'d str> = Vec::new();
    let mut of_row = Vec::with_capacity(dir.len());
    // The objects of a domain or an OU mostly follow each other.
    let mut last = (0u64, NO_DOMAIN);
    for (row, &h) in hashes.iter().enumerate() {
        let id = if h == 0 {
            NO_DOMAIN
        } else if h == last.0 {
            last.1
        } else {
            let t = text(row);
            let candidates = ids.entry(h).or_default();
            let found = candidates
                .iter()
                .copied()
                .find(|&i| same(parts[i as usize], t));
            let id = found.unwrap_or_else(|| {
                parts.push(t);
                let id = parts.len() as u32 - 1;
                candidates.push(id);
                id
            });
            last = (h, id);
            id
        };
        of_row.push(id);
    }
    (of_row, parts)
}

/// A hash of a DN that is equal for the spellings AD writes of one DN (ASCII case aside):
/// what [`MemberColumn`] keeps of each member.
pub fn dn_hash(dn: &str) -> u64 {
    use std::hash::Hasher;
    let mut h = rustc_hash::FxHasher::default();
    // Hashed a word at a time, each lower-cased in a register: a byte at a time was 1 % of
    // reading an export with group members, and lower-casing a copy of each 64 bytes first
    // 2 % (callgrind, 100k field csvde file: 258 instructions a member).
    let bytes = dn.trim().as_bytes();
    let mut words = bytes.chunks_exact(8);
    for word in &mut words {
        let mut w = [0u8; 8];
        w.copy_from_slice(word);
        h.write_u64(ascii_lowercase_word(u64::from_le_bytes(w)));
    }
    let rest = words.remainder();
    let mut last = [0u8; 8];
    last[..rest.len()].copy_from_slice(rest);
    h.write_u64(ascii_lowercase_word(u64::from_le_bytes(last)));
    h.write_usize(bytes.len());
    h.finish()
}

/// Each byte of `word` ASCII-lower-cased (`A`-`Z` to `a`-`z`, every other byte kept).
fn ascii_lowercase_word(word: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x80 * ONES;
    // Per byte, its low seven bits plus a constant carry into bit 7 exactly when they are at
    // least `A` (and, for the second, greater than `Z`); no carry crosses bytes.
    let low = word & !HIGH;
    let from_a = low + (0x80 - u64::from(b'A')) * ONES;
    let past_z = low + (0x80 - u64::from(b'Z') - 1) * ONES;
    let upper = from_a & !past_z & !word & HIGH;
    word | (upper >> 2)
}

/// The `DC=` part of a DN (`DC=corp,DC=contoso,DC=com`): the longest run of RDNs at the end
/// of the DN that start with `DC=` (any case), or `""` when the last RDN is not one. Read from
/// the end with `memrchr`, so it costs a few short RDNs whatever the DN's length: scope, the
/// forests and the engine rules each ask it of every object.
pub fn domain_part(dn: &str) -> &str {
    let bytes = dn.as_bytes();
    let mut start = None;
    let mut end = bytes.len();
    loop {
        let (separator, s) = rdn_ending_at(bytes, end);
        if !is_dc_at(bytes, s) {
            break;
        }
        start = Some(s);
        match separator {
            Some(i) => end = i,
            None => break,
        }
    }
    start.map_or("", |s| &dn[s..])
}

/// Whether `value`'s domain part ([`domain_part`]) is `own` (an object's domain part), seen
/// from its end: `own`, then (spaces and) an unescaped comma before an RDN that is not a `DC=`
/// one. `false` means "look again with [`domain_part`]", not "another domain". Most DN values
/// of a group point into its own domain, and walking every RDN of each (a memrchr call an
/// RDN) was 4 % of reading the 100k field csvde file (callgrind).
pub fn ends_in_domain(value: &str, own: &str) -> bool {
    let (value, own) = (value.as_bytes(), own.as_bytes());
    let Some(cut) = value.len().checked_sub(own.len()) else {
        return false;
    };
    if own.is_empty() || !value[cut..].eq_ignore_ascii_case(own) {
        return false;
    }
    let mut end = cut;
    while end > 0 && value[end - 1] == b' ' {
        end -= 1;
    }
    if end == 0 {
        return true;
    }
    let comma = end - 1;
    if value[comma] != b',' || is_escaped(value, comma) {
        return false;
    }
    let (_, before) = rdn_ending_at(value, comma);
    !is_dc_at(value, before)
}

/// Whether the byte at `at` is escaped: an odd number of backslashes before it.
#[inline]
fn is_escaped(bytes: &[u8], at: usize) -> bool {
    bytes[..at]
        .iter()
        .rev()
        .take_while(|b| **b == b'\\')
        .count()
        % 2
        == 1
}

/// The RDN that ends at `end`: the unescaped comma before it (if any) and where its text
/// starts, spaces after the comma passed over.
#[inline]
fn rdn_ending_at(bytes: &[u8], end: usize) -> (Option<usize>, usize) {
    let mut search = end;
    let separator = loop {
        match memchr::memrchr(b',', &bytes[..search]) {
            Some(i) if is_escaped(bytes, i) => search = i,
            found => break found,
        }
    };
    let mut start = separator.map_or(0, |i| i + 1);
    while bytes.get(start) == Some(&b' ') {
        start += 1;
    }
    (separator, start)
}

/// Whether a `DC=` RDN (any case) starts at `at`.
#[inline]
fn is_dc_at(bytes: &[u8], at: usize) -> bool {
    bytes
        .get(at..at + 3)
        .is_some_and(|p| p.eq_ignore_ascii_case(b"DC="))
}

/// The rows and the bytes of the text columns of a table ([`Directory::size`]).
#[derive(Clone, Copy, Debug, Default)]
pub struct TableSize {
    rows: usize,
    /// Bytes of the DNs.
    dn: usize,
    /// Per text column: values (rows that have one), bytes.
    text: [(usize, usize); TEXT_ATTRS.len()],
    /// proxyAddresses: values, bytes.
    proxies: (usize, usize),
}

/// Per row, hashes of its `member` values. Only groups have any: the rows without cost a
/// bit ([`Presence`]) instead of an offset each.
#[derive(Clone, Debug, Default)]
pub struct MemberColumn {
    hashes: Vec<u64>,
    /// The end of each row's hashes in `hashes`, for the rows that have any, in row order.
    ends: Ends,
    /// Which rows have any.
    present: Presence,
}

impl MemberColumn {
    pub fn push_row(&mut self, hashes: &[u64]) {
        self.present.push(!hashes.is_empty());
        if !hashes.is_empty() {
            self.hashes.extend_from_slice(hashes);
            self.ends.push(self.hashes.len());
        }
    }

    /// The member hashes of `row`.
    pub fn get(&self, row: usize) -> &[u64] {
        self.present
            .rank(row)
            .and_then(|i| self.ends.range(i))
            .and_then(|(start, end)| self.hashes.get(start..end))
            .unwrap_or(&[])
    }

    fn append(&mut self, other: MemberColumn) {
        let base = self.hashes.len();
        self.hashes.extend(other.hashes);
        self.ends.append(&other.ends, base, self.hashes.len());
        self.present.append(&other.present);
    }

    fn truncate(&mut self, rows: usize) {
        let kept = self.present.truncate(rows);
        self.hashes.truncate(self.ends.end_of(kept));
        self.ends.truncate(kept);
    }
}

/// The userCertificate values of the objects that have any, as [`crate::cert::read`] reads
/// them: sparse (row, value) pairs in row order, since most objects have none and a
/// per-row offset would cost every object of a 10-million-object export 4 bytes.
#[derive(Clone, Debug, Default)]
pub struct CertificateColumn {
    values: Vec<(u32, CertificateValue)>,
}

impl CertificateColumn {
    /// Adds a value of object `row` (rows in ascending order).
    pub fn push(&mut self, row: usize, value: CertificateValue) {
        debug_assert!(self.values.last().is_none_or(|(r, _)| *r as usize <= row));
        self.values.push((row as u32, value));
    }

    /// The values of object `row`, in export order.
    pub fn get(&self, row: usize) -> impl ExactSizeIterator<Item = &CertificateValue> + '_ {
        let row = row as u32;
        let start = self.values.partition_point(|(r, _)| *r < row);
        let end = start + self.values[start..].partition_point(|(r, _)| *r == row);
        self.values[start..end].iter().map(|(_, v)| v)
    }

    /// Appends another column whose rows start at `offset`.
    fn append(&mut self, other: CertificateColumn, offset: usize) {
        self.values.extend(
            other
                .values
                .into_iter()
                .map(|(r, v)| (r + offset as u32, v)),
        );
    }

    fn truncate(&mut self, rows: usize) {
        let keep = self.values.partition_point(|(r, _)| (*r as usize) < rows);
        self.values.truncate(keep);
    }

    pub fn heap_bytes(&self) -> usize {
        self.values.capacity() * std::mem::size_of::<(u32, CertificateValue)>()
    }
}

impl Directory {
    /// An empty directory whose text columns (the bulk of its memory: values and their
    /// offsets) live in mapped temporary files in `dir`, which the kernel can page out.
    pub fn spilled_to(dir: &Path) -> std::io::Result<Directory> {
        let mut text = Vec::with_capacity(TEXT_ATTRS.len());
        for _ in TEXT_ATTRS {
            text.push(TextColumn::spilled_to(dir)?);
        }
        Ok(Directory {
            dn: TextColumn::spilled_to(dir)?,
            text: text
                .try_into()
                .map_err(|_| std::io::Error::other("text column count"))?,
            proxy_addresses: ListColumn {
                values: TextColumn::spilled_to(dir)?,
                row_ends: Ends::Narrow(SpillVec::in_file(dir)?),
            },
            ..Directory::default()
        })
    }

    pub fn len(&self) -> usize {
        self.dn.len()
    }

    /// Each object's domain, interned (worked out on first use, kept after).
    ///
    /// Worked out before the `OnceLock` is entered, not inside `get_or_init`: working them out
    /// runs on rayon's pool, and a pool thread waiting there for its parallel pieces takes up
    /// other tasks, one of which may ask for the domains too and would then wait for the lock
    /// its own thread holds, for ever (`analyze --threads 3` hung in 5 of 20 runs on 100k
    /// objects). Two first calls at once both work them out, to the same result: asking once
    /// before the rules' tasks start, to spare that, raised the full run's peak by 20-25 MB
    /// (1M default csvde, 712 → 736 MB).
    pub fn domains(&self) -> &Domains {
        if let Some(domains) = self.domains.get() {
            return domains;
        }
        let domains = Domains::of(self);
        self.domains.get_or_init(|| domains)
    }

    /// For a spilled directory: whether rows will be looked up at random (value lookups by
    /// hash) rather than scanned in order; see [`SpillVec::expect_random_access`].
    pub fn expect_random_access(&self, random: bool) {
        for column in [&self.dn]
            .into_iter()
            .chain(&self.text)
            .chain([&self.proxy_addresses.values])
        {
            column.expect_random_access(random);
        }
        self.proxy_addresses.row_ends.expect_random_access(random);
    }

    pub fn is_empty(&self) -> bool {
        self.dn.is_empty()
    }

    /// Why spilling stopped for some column, if it did: the column went back to the heap and
    /// the run completes in memory (see [`spill`]).
    pub fn spill_failure(&self) -> Option<&str> {
        [&self.dn]
            .into_iter()
            .chain(&self.text)
            .chain([&self.proxy_addresses.values])
            .find_map(TextColumn::spill_failure)
            .or_else(|| self.proxy_addresses.row_ends.spill_failure())
    }

    /// Where an object came from, as `file:line`.
    pub fn source_label(&self, row: usize) -> String {
        let (file, line) = self.source_location(row);
        format!("{file}:{line}")
    }

    /// Where an object came from: the input's path and the line its record starts on.
    pub fn source_location(&self, row: usize) -> (&str, u64) {
        let src = self.source[row];
        let file = self
            .sources
            .get(src.file as usize)
            .map_or("", String::as_str);
        (file, src.line)
    }

    /// The length of [`Directory::source_label`] (at most), without building it.
    pub fn source_label_len(&self, row: usize) -> usize {
        let src = self.source[row];
        self.sources.get(src.file as usize).map_or(0, String::len) + 21
    }

    /// A single-valued text attribute of one object.
    pub fn text(&self, attr: Attr, row: usize) -> Option<&str> {
        debug_assert_eq!(attr.shape(), AttrShape::Text);
        self.text[attrs::column_index(attr)].get(row)
    }

    /// The `n`th value of a text attribute of one object (`n` is 0 for a single-valued one),
    /// for findings that read their value from the table ([`crate::findings::Finding::value`]).
    pub fn nth_value(&self, attr: Attr, row: usize, n: usize) -> Option<&str> {
        match attr.shape() {
            AttrShape::Text if n == 0 => self.text(attr, row),
            AttrShape::TextList if attr == Attr::ProxyAddresses => {
                self.proxy_addresses.get(row).nth(n)
            }
            _ => None,
        }
    }

    /// Which value of a text attribute of one object is `value` ([`Directory::nth_value`]),
    /// if the object holds it.
    pub fn position_of(&self, attr: Attr, row: usize, value: &str) -> Option<usize> {
        match attr.shape() {
            AttrShape::Text => (self.text(attr, row) == Some(value)).then_some(0),
            AttrShape::TextList if attr == Attr::ProxyAddresses => {
                self.proxy_addresses.get(row).position(|v| v == value)
            }
            _ => None,
        }
    }

    pub fn int(&self, attr: Attr, row: usize) -> Option<i64> {
        self.int[attrs::column_index(attr)].get(row)
    }

    pub fn boolean(&self, attr: Attr, row: usize) -> Option<bool> {
        self.boolean[attrs::column_index(attr)][row]
    }

    pub fn count(&self, attr: Attr, row: usize) -> u32 {
        self.count[attrs::column_index(attr)].get(row)
    }

    /// The raw bytes of an object's `mS-DS-ConsistencyGuid`, whatever their length, if it
    /// has a non-empty value.
    pub fn consistency_guid_bytes(&self, row: usize) -> Option<&[u8]> {
        if let Some(g) = self.consistency_guid.get_ref(row) {
            return Some(g);
        }
        if !*self.has_consistency_guid.get(row)? {
            return None;
        }
        let i = self
            .odd_consistency_guids
            .binary_search_by_key(&row, |(r, _)| *r)
            .ok()?;
        Some(&self.odd_consistency_guids[i].1)
    }

    /// What this table holds, for [`Directory::with_room`].
    pub fn size(&self) -> TableSize {
        TableSize {
            rows: self.len(),
            dn: self.dn.data.len(),
            text: std::array::from_fn(|i| {
                let column = &self.text[i];
                (column.values(), column.data.len())
            }),
            proxies: (
                self.proxy_addresses.values.values(),
                self.proxy_addresses.values.data.len(),
            ),
        }
    }

    /// An empty table with room for what `size` held and an eighth more, so that a block's
    /// table is not grown value by value: growing the columns of each block's table from
    /// empty (realloc copying them at every doubling) was 4 % of the instructions of reading
    /// a csvde export, and with the room the reading takes 2.8 % fewer (callgrind, 100k
    /// objects of the default shape).
    pub fn with_room(size: &TableSize) -> Directory {
        let more = |n: usize| n + n / 8;
        let rows = more(size.rows);
        let mut table = Directory::default();
        table.source.reserve(rows);
        table.dn.reserve(rows, more(size.dn));
        table.kind.reserve(rows);
        for (column, &(values, bytes)) in table.text.iter_mut().zip(&size.text) {
            if bytes > 0 {
                column.reserve(more(values), more(bytes));
            }
        }
        table
            .proxy_addresses
            .values
            .reserve(more(size.proxies.0), more(size.proxies.1));
        table.proxy_addresses.row_ends.reserve(rows);
        table.object_guid.reserve(rows);
        table.has_consistency_guid.reserve(rows);
        table.flags.reserve(rows);
        table
    }

    /// Appends a table parsed from a later part of the input (row order is file order).
    pub fn append(&mut self, other: Directory) {
        let Directory {
            sources: _,
            source,
            dn,
            object_class,
            kind,
            text,
            proxy_addresses,
            int,
            boolean,
            count,
            object_guid,
            has_consistency_guid,
            consistency_guid,
            odd_consistency_guids,
            thumbnail_photo_bytes,
            flags,
            object_sid,
            members,
            foreign_refs,
            certificates,
            extra,
            domains: _,
        } = other;
        self.domains = std::sync::OnceLock::new();
        self.certificates.append(certificates, self.len());
        let offset = self.len();
        self.extra.append(extra, offset);
        self.object_sid.append(object_sid);
        self.members.append(members);
        self.foreign_refs.extend(
            foreign_refs
                .into_iter()
                .map(|(row, attr, dn)| (row + offset, attr, dn)),
        );
        self.odd_consistency_guids.extend(
            odd_consistency_guids
                .into_iter()
                .map(|(row, bytes)| (row + offset, bytes)),
        );
        self.consistency_guid.append(consistency_guid);
        self.source.extend(source);
        self.dn.append(dn);
        self.object_class.append(object_class);
        self.kind.extend(kind);
        for (mine, theirs) in self.text.iter_mut().zip(text) {
            mine.append(theirs);
        }
        self.proxy_addresses.append(proxy_addresses);
        for (mine, theirs) in self.int.iter_mut().zip(int) {
            mine.append(theirs);
        }
        for (mine, theirs) in self.boolean.iter_mut().zip(boolean) {
            mine.extend(theirs);
        }
        for (mine, theirs) in self.count.iter_mut().zip(count) {
            mine.append(theirs);
        }
        self.object_guid.extend(object_guid);
        self.has_consistency_guid.extend(has_consistency_guid);
        self.thumbnail_photo_bytes.append(thumbnail_photo_bytes);
        self.flags.extend(flags);
    }

    /// Drops rows from `rows` on (used to undo a partly added object).
    pub fn truncate(&mut self, rows: usize) {
        // Rows change: the interned domains are worked out again when next asked for.
        self.domains = std::sync::OnceLock::new();
        self.source.truncate(rows);
        self.dn.truncate(rows);
        self.object_class.truncate(rows);
        self.kind.truncate(rows);
        self.text.iter_mut().for_each(|c| c.truncate(rows));
        self.proxy_addresses.truncate(rows);
        self.int.iter_mut().for_each(|c| c.truncate(rows));
        self.boolean.iter_mut().for_each(|c| c.truncate(rows));
        self.count.iter_mut().for_each(|c| c.truncate(rows));
        self.object_guid.truncate(rows);
        self.has_consistency_guid.truncate(rows);
        self.consistency_guid.truncate(rows);
        let odd = self
            .odd_consistency_guids
            .partition_point(|(r, _)| *r < rows);
        self.odd_consistency_guids.truncate(odd);
        self.object_sid.truncate(rows);
        self.members.truncate(rows);
        let foreign = self.foreign_refs.partition_point(|(r, _, _)| *r < rows);
        self.foreign_refs.truncate(foreign);
        self.thumbnail_photo_bytes.truncate(rows);
        self.flags.truncate(rows);
        self.certificates.truncate(rows);
        self.extra.truncate(rows);
    }

    /// Makes this directory hold only object `row` of `from`, with the text attributes in
    /// `text` and (when given) the proxyAddresses replaced: the object as it would be after a
    /// change, for running the per-object rules on it. Called once per changed object, so it
    /// reuses this directory's buffers: the suggestions' re-check keeps one such scratch
    /// directory per thread rather than allocating ~60 columns per object.
    pub fn load_object_with(
        &mut self,
        from: &Directory,
        row: usize,
        text: &[(Attr, &str)],
        proxy_addresses: Option<&[&str]>,
    ) {
        // Every field named, so that a new column can't be forgotten here.
        let Directory {
            sources,
            source,
            dn,
            object_class,
            kind,
            text: texts,
            proxy_addresses: proxies,
            int,
            boolean,
            count,
            object_guid,
            has_consistency_guid,
            consistency_guid,
            odd_consistency_guids: _,
            thumbnail_photo_bytes,
            flags,
            object_sid,
            members,
            foreign_refs: _,
            certificates,
            extra,
            domains: _,
        } = from;
        self.truncate(0);
        for value in certificates.get(row) {
            self.certificates.push(0, value.clone());
        }
        self.extra.copy_row(extra, row, 0);
        if self.sources != *sources {
            self.sources.clone_from(sources);
        }
        self.source.push(source[row]);
        self.kind.push(kind[row]);
        self.object_guid.push(object_guid[row]);
        self.has_consistency_guid.push(has_consistency_guid[row]);
        self.consistency_guid.push(consistency_guid.get(row));
        if consistency_guid.get(row).is_none() {
            if let Some(bytes) = from.consistency_guid_bytes(row) {
                self.odd_consistency_guids.push((0, bytes.into()));
            }
        }
        self.thumbnail_photo_bytes
            .push(thumbnail_photo_bytes.get(row));
        self.flags.push(flags[row]);
        self.object_sid.push(object_sid.get(row).as_deref());
        self.members.push_row(members.get(row));
        self.dn.push(dn.get(row));
        self.object_class.push(object_class.get(row));
        for ((mine, theirs), attr) in self.text.iter_mut().zip(texts).zip(TEXT_ATTRS) {
            let changed = text.iter().find(|(a, _)| *a == attr).map(|(_, v)| *v);
            mine.push(changed.or_else(|| theirs.get(row)));
        }
        match proxy_addresses {
            Some(values) => values
                .iter()
                .for_each(|v| self.proxy_addresses.push_value(v)),
            None => proxies
                .get(row)
                .for_each(|v| self.proxy_addresses.push_value(v)),
        }
        self.proxy_addresses.end_row();
        for (mine, theirs) in self.int.iter_mut().zip(int) {
            mine.push(theirs.get(row));
        }
        for (mine, theirs) in self.boolean.iter_mut().zip(boolean) {
            mine.push(theirs[row]);
        }
        for (mine, theirs) in self.count.iter_mut().zip(count) {
            mine.push(theirs.get(row));
        }
    }

    /// Approximate heap footprint, for the memory figures in the README.
    pub fn heap_bytes(&self) -> usize {
        self.dn.heap_bytes()
            + self.object_class.heap_bytes()
            + self.text.iter().map(TextColumn::heap_bytes).sum::<usize>()
            + self.proxy_addresses.heap_bytes()
            + self.certificates.heap_bytes()
            + self.extra.heap_bytes()
            + self.object_sid.heap_bytes()
            + self.int.iter().map(IntColumn::heap_bytes).sum::<usize>()
            + self
                .count
                .iter()
                .map(CountColumn::heap_bytes)
                .sum::<usize>()
            + self.consistency_guid.heap_bytes()
            + self.thumbnail_photo_bytes.heap_bytes()
            + self.len()
                * (std::mem::size_of::<SourceRef>() + 1 + BOOL_ATTRS.len() + 17 + 1 + 1 + 4)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_domain_seen_from_the_end_as_by_every_rdn() {
        // Values made of every sequence of up to four RDNs, against every domain part those
        // make: the quick answer is only ever "same domain" where the walk says so.
        let rdns = [
            "CN=Jo",
            "CN=Doe\\, John",
            "OU=Staff",
            " OU=x ",
            "DC=corp",
            "dc=Corp",
            " DC=com",
            "DC=com",
            "DC=a\\,b",
            "CN=x\\\\",
            "CN=y\\",
            "DC=",
            "",
        ];
        let mut values = vec![String::new()];
        for _ in 0..4 {
            let longer: Vec<String> = values
                .iter()
                .flat_map(|v| {
                    rdns.iter().map(move |r| match v.is_empty() {
                        true => r.to_string(),
                        false => format!("{v},{r}"),
                    })
                })
                .collect();
            values.extend(longer);
        }
        values.sort();
        values.dedup();
        let mut owns: Vec<&str> = values.iter().map(|v| domain_part(v)).collect();
        owns.sort();
        owns.dedup();
        let mut quick = 0;
        for own in &owns {
            for value in &values {
                if ends_in_domain(value, own) {
                    quick += 1;
                    let theirs = domain_part(value);
                    assert!(
                        !theirs.is_empty() && theirs.trim().eq_ignore_ascii_case(own.trim()),
                        "{value:?} in {own:?}: walk says {theirs:?}"
                    );
                }
            }
        }
        assert!(quick > 1000, "{quick}");
        assert!(ends_in_domain("CN=Jo,OU=S,DC=a,DC=com", "DC=a,DC=com"));
        assert!(ends_in_domain("CN=Jo,OU=S, dc=A,dc=COM", "DC=a,DC=com"));
        assert!(!ends_in_domain("CN=Jo,DC=b,DC=a,DC=com", "DC=a,DC=com"));
        assert!(!ends_in_domain("CN=Jo\\,DC=a,DC=com", "DC=a,DC=com"));
    }

    #[test]
    fn words_lower_case_as_bytes_do() {
        for b in 0..=255u8 {
            for fill in [0u8, b'A', b'Z', b'@', b'[', 0x7f, 0x80, 0xC1, 0xFF] {
                for at in 0..8 {
                    let mut bytes = [fill; 8];
                    bytes[at] = b;
                    let mut want = bytes;
                    want.make_ascii_lowercase();
                    let got = ascii_lowercase_word(u64::from_le_bytes(bytes));
                    assert_eq!(got.to_le_bytes(), want, "{bytes:?}");
                }
            }
        }
        assert_eq!(
            dn_hash(" CN=Doe\\, John,OU=Staff,DC=Contoso,DC=com "),
            dn_hash("cn=doe\\, john,ou=staff,dc=contoso,dc=COM")
        );
        assert_ne!(dn_hash("CN=a,DC=x"), dn_hash("CN=b,DC=x"));
        assert_ne!(dn_hash("CN=a"), dn_hash("CN=a\0"));
        assert_ne!(dn_hash("CN=É,DC=x"), dn_hash("CN=é,DC=x"));
    }

    #[test]
    fn domain_part_is_the_trailing_run_of_dc_rdns() {
        assert_eq!(
            domain_part("CN=a,OU=b,DC=corp,DC=contoso,DC=com"),
            "DC=corp,DC=contoso,DC=com"
        );
        assert_eq!(domain_part("DC=contoso,DC=com"), "DC=contoso,DC=com");
        assert_eq!(
            domain_part("cn=a, dc=contoso, dc=com"),
            "dc=contoso, dc=com"
        );
        // A DC= in the middle does not start the domain; an OU named "DC=x" is a value.
        assert_eq!(domain_part("CN=a,DC=x,OU=b,DC=com"), "DC=com");
        assert_eq!(domain_part("CN=a,OU=DC=x,DC=corp,DC=com"), "DC=corp,DC=com");
        // An escaped comma is part of a value; an escaped backslash before a comma is not.
        assert_eq!(domain_part(r"CN=Smith\,DC=x,DC=com"), "DC=com");
        assert_eq!(domain_part(r"CN=x\\,DC=com"), "DC=com");
        assert_eq!(domain_part(r"CN=a\,DC=com"), "");
        assert_eq!(domain_part("CN=a,OU=b"), "");
        assert_eq!(domain_part(""), "");
        assert_eq!(domain_part(","), "");
    }

    /// A column on the heap, and the same column spilled to a file (kept alive with it).
    fn both_kinds() -> [(TextColumn, Option<tempfile::TempDir>); 2] {
        let dir = tempfile::tempdir().expect("temp dir");
        let spilled = TextColumn::spilled_to(dir.path()).expect("spill");
        [(TextColumn::default(), None), (spilled, Some(dir))]
    }

    /// Rows `from..to` of a pattern: every row present (`None`), or absent where `row % k`
    /// is 0 (`Some(k)`); the values are of different lengths, some empty.
    fn text_rows(from: usize, to: usize, absent_every: Option<usize>) -> Vec<Option<String>> {
        (from..to)
            .map(|row| match absent_every {
                Some(k) if row % k == 0 => None,
                _ => Some("é".repeat(row % 4) + &row.to_string()[..row % 2]),
            })
            .collect()
    }

    fn text_column_of(rows: &[Option<String>]) -> TextColumn {
        let mut c = TextColumn::default();
        rows.iter().for_each(|v| c.push(v.as_deref()));
        c
    }

    fn text_column_rows(c: &TextColumn) -> Vec<Option<String>> {
        (0..c.len()).map(|r| c.get(r).map(str::to_string)).collect()
    }

    #[test]
    fn full_and_sparse_text_columns_append_and_truncate_alike() {
        // Full columns read without presence bits, sparse ones with; every mix of the two
        // appended, at lengths on and off a 64-row word, then cut, reads back as a vector.
        let kinds = [None, Some(3), Some(64), Some(1)];
        for (a, b) in [(0, 5), (64, 70), (63, 130), (1, 1), (200, 0), (130, 64)] {
            for first in kinds {
                for second in kinds {
                    let mut model = text_rows(0, a, first);
                    let tail = text_rows(a, a + b, second);
                    let mut c = text_column_of(&model);
                    assert_eq!(c.present.is_none(), model.iter().all(Option::is_some));
                    c.append(text_column_of(&tail));
                    model.extend(tail);
                    assert_eq!(c.len(), model.len());
                    assert_eq!(c.values(), model.iter().flatten().count());
                    assert_eq!(text_column_rows(&c), model, "{a}+{b} {first:?} {second:?}");
                    assert_eq!(c.get(model.len()), None);
                    for keep in [0, 1, 63, 64, 65, model.len() / 2, model.len()] {
                        let mut cut = c.clone();
                        cut.truncate(keep);
                        let want: Vec<_> = model.iter().take(keep).cloned().collect();
                        assert_eq!(text_column_rows(&cut), want, "cut at {keep}");
                        // A row pushed after the cut is the next row, present or not.
                        cut.push(None);
                        cut.push(Some("x"));
                        assert_eq!(cut.get(want.len()), None);
                        assert_eq!(cut.get(want.len() + 1), Some("x"));
                    }
                }
            }
        }
    }

    #[test]
    fn member_hashes_of_every_row_after_append_and_truncate() {
        // A group every fifth row, with 1-3 members.
        let model: Vec<Vec<u64>> = (0..300u64)
            .map(|r| match r % 5 {
                0 => (0..1 + r % 3).map(|m| r * 10 + m).collect(),
                _ => Vec::new(),
            })
            .collect();
        let column_of = |rows: &[Vec<u64>]| {
            let mut c = MemberColumn::default();
            rows.iter().for_each(|h| c.push_row(h));
            c
        };
        let mut c = column_of(&model[..130]);
        c.append(column_of(&model[130..]));
        for (row, want) in model.iter().enumerate() {
            assert_eq!(c.get(row), &want[..], "row {row}");
        }
        assert_eq!(c.get(model.len()), &[] as &[u64]);
        assert_eq!(c.ends.len(), 60);
        c.truncate(101);
        assert_eq!(c.get(100), &model[100][..]);
        assert_eq!(c.get(105), &[] as &[u64]);
        c.push_row(&[7]);
        assert_eq!(c.get(101), &[7]);
        assert_eq!(c.get(100), &model[100][..]);
    }

    #[test]
    fn appending_wide_offsets_to_narrow_ones_widens_them() {
        // A text column and a list whose appended part has 64-bit offsets (as past 4 GiB):
        // the receiving column widens and every row reads back.
        for (mut c, _dir) in both_kinds() {
            c.push(Some("a"));
            c.push(None);
            let mut wide = text_column_of(&[None, Some("bc".to_string())]);
            wide.ends.widen();
            c.append(wide);
            assert!(c.is_wide());
            assert_eq!(
                text_column_rows(&c),
                [Some("a"), None, None, Some("bc")].map(|v| v.map(str::to_string))
            );
        }
        let list_of = |rows: &[&[&str]]| {
            let mut list = ListColumn::default();
            for row in rows {
                row.iter().for_each(|v| list.push_value(v));
                list.end_row();
            }
            list
        };
        let mut list = list_of(&[&["smtp:a@x"], &[]]);
        let mut wide = list_of(&[&["x", "y"], &[], &["z"]]);
        wide.row_ends.widen();
        list.append(wide);
        assert!(matches!(list.row_ends, Ends::Wide(_)));
        let rows: Vec<Vec<&str>> = (0..5).map(|r| list.get(r).collect()).collect();
        assert_eq!(
            rows,
            [vec!["smtp:a@x"], vec![], vec!["x", "y"], vec![], vec!["z"]]
        );
        assert_eq!(list.get(5).len(), 0);
    }

    #[test]
    fn int_columns_widen_when_a_value_needs_64_bits() {
        // A userAccountControl-like part (fits 32 bits) and a pwdLastSet-like part (needs 64),
        // each alone and appended to the other, then cut and pushed to.
        let small: Vec<Option<i64>> = (0..100).map(|r| (r % 3 != 0).then_some(512 + r)).collect();
        let big: Vec<Option<i64>> = (0..70)
            .map(|r| {
                (r % 4 != 1).then_some(if r == 0 {
                    -5
                } else {
                    133_000_000_000_000_000 + r
                })
            })
            .collect();
        let column_of = |values: &[Option<i64>]| {
            let mut c = IntColumn::default();
            values.iter().for_each(|v| c.push(*v));
            c
        };
        let read = |c: &IntColumn, n: usize| (0..n).map(|r| c.get(r)).collect::<Vec<_>>();
        assert!(matches!(column_of(&small).0, Ints::Narrow(_)));
        assert!(matches!(column_of(&big).0, Ints::Wide(_)));
        for (first, second) in [(&small, &big), (&big, &small), (&small, &small)] {
            let mut c = column_of(first);
            c.append(column_of(second));
            let model: Vec<_> = first.iter().chain(second.iter()).copied().collect();
            assert_eq!(
                read(&c, model.len() + 2),
                [model.clone(), vec![None, None]].concat()
            );
            c.truncate(first.len() + 1);
            c.push(Some(i64::MIN));
            assert_eq!(c.get(first.len()), model[first.len()]);
            assert_eq!(c.get(first.len() + 1), Some(i64::MIN));
        }
        // 32-bit values take half the room of 64-bit ones.
        let mut wide = SparseColumn::<i64>::default();
        small.iter().for_each(|v| wide.push(*v));
        let narrow = column_of(&small).heap_bytes();
        assert!(narrow < wide.heap_bytes(), "{narrow} {}", wide.heap_bytes());
    }

    #[test]
    fn absent_text_rows_cost_no_offset() {
        // 100,000 rows, a tenth with a value: the offsets of those only, plus a bit a row.
        let rows = text_rows(0, 100_000, None)
            .into_iter()
            .enumerate()
            .map(|(i, v)| v.filter(|_| i % 10 == 0))
            .collect::<Vec<_>>();
        let c = text_column_of(&rows);
        assert_eq!(text_column_rows(&c), rows);
        assert_eq!(c.ends.len(), 10_000);
        assert!(
            c.ends.heap_bytes() < 100_000 * 4 / 5,
            "{}",
            c.ends.heap_bytes()
        );
    }

    #[test]
    fn text_column_keeps_absent_apart_from_empty() {
        for (mut c, _dir) in both_kinds() {
            text_column_keeps_absent_apart_from_empty_in(&mut c);
        }
    }

    fn text_column_keeps_absent_apart_from_empty_in(c: &mut TextColumn) {
        c.push(Some("a"));
        c.push(None);
        c.push(Some(""));
        c.push(Some("dé"));
        assert_eq!(c.get(0), Some("a"));
        assert_eq!(c.get(1), None);
        assert_eq!(c.get(2), Some(""));
        assert_eq!(c.get(3), Some("dé"));
        assert_eq!(c.get(4), None);
    }

    #[test]
    fn offsets_widen_past_four_gib_and_keep_absent_values() {
        for (c, _dir) in both_kinds() {
            offsets_widen_in(c);
        }
    }

    fn offsets_widen_in(mut c: TextColumn) {
        let spilled = c.data.is_spilled();
        c.push(Some("a"));
        c.push(None);
        assert!(!c.is_wide());
        // Pretend the arena grew past 4 GiB without allocating it: widening keeps every row.
        c.ends.widen();
        c.push(Some("bc"));
        assert!(c.is_wide());
        assert!(matches!(&c.ends, Ends::Wide(v) if v.is_spilled() == spilled));
        assert_eq!(c.get(0), Some("a"));
        assert_eq!(c.get(1), None);
        assert_eq!(c.get(2), Some("bc"));
        let mut narrow = TextColumn::default();
        narrow.push(None);
        narrow.push(Some("d"));
        c.append(narrow);
        assert_eq!(c.get(3), None);
        assert_eq!(c.get(4), Some("d"));
        c.truncate(3);
        assert_eq!(c.get(2), Some("bc"));
        assert_eq!(c.get(3), None);
        assert_eq!(c.len(), 3);
    }

    #[test]
    fn class_column_interns_and_keeps_every_value_past_the_limit() {
        let mut a = ClassColumn::default();
        a.push(Some("user"));
        a.push(None);
        a.push(Some("group"));
        let mut b = ClassColumn::default();
        b.push(Some("group"));
        b.push(Some("contact"));
        a.append(b);
        let got: Vec<_> = (0..5).map(|r| a.get(r)).collect();
        assert_eq!(
            got,
            [
                Some("user"),
                None,
                Some("group"),
                Some("group"),
                Some("contact")
            ]
        );
        assert_eq!(a.get(5), None);
        // A hostile file with more distinct classes than ids: the rest are kept aside.
        let mut many = ClassColumn::default();
        let names: Vec<String> = (0..70_000).map(|i| format!("c{i}")).collect();
        names.iter().for_each(|n| many.push(Some(n)));
        let mut joined = ClassColumn::default();
        joined.push(Some("c69999"));
        joined.append(many.clone());
        for (i, n) in names.iter().enumerate().step_by(997) {
            assert_eq!(many.get(i), Some(n.as_str()));
            assert_eq!(joined.get(i + 1), Some(n.as_str()));
        }
        assert_eq!(joined.get(70_000), Some("c69999"));
        many.truncate(66_000);
        assert_eq!(many.get(65_999), Some("c65999"));
        assert_eq!(many.get(66_000), None);
    }

    #[test]
    fn sid_column_reads_back_every_text_and_keys_equal_texts_alike() {
        let texts = [
            Some("S-1-5-21-1004336348-1177238915-682003330-1105"),
            None,
            Some("S-1-5-21-1004336348-1177238915-682003330-500"),
            // Not a prefix and a canonical RID: kept whole.
            Some("S-1-5-21-1004336348-1177238915-682003330-0500"),
            Some("S-1-5-21-1-2-3-99999999999"),
            Some("not a sid"),
            Some("S-1-5-32-544"),
            Some(""),
            Some("S-1-5-21-1-2-3-4294967295"),
            Some("S-1-5-21-1-2-3-0"),
        ];
        let mut a = SidColumn::default();
        texts[..4].iter().for_each(|t| a.push(*t));
        let mut b = SidColumn::default();
        b.push(Some("S-1-5-32-544"));
        texts[4..].iter().for_each(|t| b.push(*t));
        a.append(b);
        let mut all: Vec<Option<&str>> = texts[..4].to_vec();
        all.push(Some("S-1-5-32-544"));
        all.extend(&texts[4..]);
        for (row, want) in all.iter().enumerate() {
            assert_eq!(a.get(row).as_deref(), *want, "row {row}");
            assert_eq!(a.is_present(row), want.is_some());
        }
        assert_eq!(a.get(all.len()), None);
        // Keys are equal exactly when the texts are.
        for i in 0..all.len() {
            for j in 0..all.len() {
                assert_eq!(a.key(i) == a.key(j), all[i] == all[j], "rows {i} and {j}");
            }
        }
        // The domain's accounts share a prefix; the RID written with a leading zero does not.
        assert_eq!(a.prefix_id(0), a.prefix_id(2));
        assert_eq!(a.prefix_id(3), None);
        a.truncate(4);
        assert_eq!(a.get(3).as_deref(), all[3]);
        assert_eq!(a.get(4), None);
        a.push(Some("S-1-5-21-9-9-9-7"));
        assert_eq!(a.get(4).as_deref(), Some("S-1-5-21-9-9-9-7"));
    }

    #[test]
    fn append_shifts_offsets_and_truncate_undoes() {
        let mut a = ListColumn::default();
        a.push_value("x");
        a.push_value("y");
        a.end_row();
        let mut b = ListColumn::default();
        b.end_row();
        b.push_value("z");
        b.end_row();
        a.append(b);
        assert_eq!(a.get(0).collect::<Vec<_>>(), ["x", "y"]);
        assert_eq!(a.get(1).count(), 0);
        assert_eq!(a.get(2).collect::<Vec<_>>(), ["z"]);
        a.truncate(1);
        assert_eq!(a.total_values(), 2);
        assert_eq!(a.get(1).count(), 0);
    }
}
