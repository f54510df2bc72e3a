//! What the readiness checks read beside the columnar table: the values of the
//! [`AttrShape::Sparse`](super::AttrShape::Sparse) attributes, kept only for the few objects
//! that have them (the configuration partition's crossRefs and service connection points,
//! domain heads, the Seamless SSO account), and the latest time of the
//! [`AttrShape::Latest`](super::AttrShape::Latest) attributes and of AD Explorer snapshots:
//! the export's own time, which time-relative checks measure from (never the machine's clock).

use super::Attr;

/// Where a time of the export comes from.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub enum TimeSource {
    /// The latest `whenChanged` of any object (AD's replicated change time).
    WhenChanged,
    /// The latest `modifyTimeStamp` (the operational attribute ldapsearch returns).
    ModifyTimeStamp,
    /// The time an AD Explorer snapshot was taken (its header).
    Snapshot,
}

impl TimeSource {
    pub fn name(self) -> &'static str {
        match self {
            TimeSource::WhenChanged => "the latest whenChanged",
            TimeSource::ModifyTimeStamp => "the latest modifyTimeStamp",
            TimeSource::Snapshot => "the snapshot's time",
        }
    }
}

/// The service principal name browsers ask a Kerberos ticket for with Seamless SSO.
pub const SEAMLESS_SSO_SPN: &str = "HTTP/autologon.microsoftazuread-sso.com";

/// What the [`AttrShape::Marks`](super::AttrShape::Marks) attributes said of an object: a
/// few bits, so that a million security descriptors cost a few megabytes, not gigabytes.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct Marks(pub u16);

impl Marks {
    /// The object has servicePrincipalName values.
    pub const SPN: u16 = 1;
    /// One of them is the Seamless SSO service's (`HTTP/autologon.microsoftazuread-sso.com`).
    pub const SSO_SPN: u16 = 2;
    /// The object has an nTSecurityDescriptor.
    pub const SD: u16 = 4;
    /// It could not be read ([`crate::sd::SdError`]): its facts are unknown.
    pub const SD_MALFORMED: u16 = 8;
    /// Its DACL is protected: inheritance is disabled.
    pub const DACL_PROTECTED: u16 = 16;
    /// It denies Everyone or SELF the Change Password right.
    pub const DENY_CHANGE_PASSWORD: u16 = 32;
    /// It denies Everyone Delete and Delete Subtree (protected from accidental deletion).
    pub const DENY_DELETE: u16 = 64;

    pub fn has(self, bit: u16) -> bool {
        self.0 & bit != 0
    }

    /// The bits of a security descriptor's facts.
    pub fn of_sd(facts: &crate::sd::SdFacts) -> u16 {
        let mut bits = Marks::SD;
        if facts.dacl_protected {
            bits |= Marks::DACL_PROTECTED;
        }
        if facts.deny_change_password {
            bits |= Marks::DENY_CHANGE_PASSWORD;
        }
        if facts.deny_delete {
            bits |= Marks::DENY_DELETE;
        }
        bits
    }
}

/// Sparse values and latest times of a directory (or of a block being read).
#[derive(Clone, Debug, Default)]
pub struct Extra {
    /// (row, attribute, value), in row order.
    values: Vec<(u32, Attr, Box<str>)>,
    /// The latest time (Unix seconds) seen per source.
    latest: Vec<(TimeSource, i64)>,
    /// (row, marks) of the objects with a marked attribute, in row order.
    marks: Vec<(u32, Marks)>,
    /// Every bit any object has: whether the inputs carry an attribute at all.
    marks_seen: u16,
}

impl Extra {
    /// Adds one value of object `row` (rows must not decrease).
    pub fn push(&mut self, row: usize, attr: Attr, value: &str) {
        self.values.push((row as u32, attr, value.into()));
    }

    /// The values of `attr` on object `row`, in export order.
    pub fn values(&self, attr: Attr, row: usize) -> impl Iterator<Item = &str> + '_ {
        let row = row as u32;
        let start = self.values.partition_point(|(r, _, _)| *r < row);
        self.values[start..]
            .iter()
            .take_while(move |(r, _, _)| *r == row)
            .filter(move |(_, a, _)| *a == attr)
            .map(|(_, _, v)| &**v)
    }

    /// The first value of `attr` on object `row`.
    pub fn value(&self, attr: Attr, row: usize) -> Option<&str> {
        self.values(attr, row).next()
    }

    /// Every object that has `attr`, with each of its values.
    pub fn with(&self, attr: Attr) -> impl Iterator<Item = (usize, &str)> + '_ {
        self.values
            .iter()
            .filter(move |(_, a, _)| *a == attr)
            .map(|(r, _, v)| (*r as usize, &**v))
    }

    /// Sets the marks of object `row` (rows must not decrease).
    pub fn mark(&mut self, row: usize, marks: Marks) {
        if marks.0 != 0 {
            self.marks.push((row as u32, marks));
            self.marks_seen |= marks.0;
        }
    }

    /// The marks of object `row` (none when it has no marked attribute).
    pub fn marks(&self, row: usize) -> Marks {
        let row = row as u32;
        self.marks
            .binary_search_by_key(&row, |(r, _)| *r)
            .map_or(Marks::default(), |i| self.marks[i].1)
    }

    /// Whether any object has `bit`: e.g. [`Marks::SD`], the inputs carry security
    /// descriptors.
    pub fn seen(&self, bit: u16) -> bool {
        self.marks_seen & bit != 0
    }

    /// Records a time (Unix seconds) from `source`, keeping the latest.
    pub fn note_time(&mut self, source: TimeSource, seconds: i64) {
        match self.latest.iter_mut().find(|(s, _)| *s == source) {
            Some((_, t)) => *t = (*t).max(seconds),
            None => {
                self.latest.push((source, seconds));
                self.latest.sort_unstable();
            }
        }
    }

    /// The latest time per source, in [`TimeSource`] order.
    pub fn latest(&self) -> &[(TimeSource, i64)] {
        &self.latest
    }

    /// Appends what a later part of the input holds; its rows start at `first_row`.
    pub(super) fn append(&mut self, other: Extra, first_row: usize) {
        let shift = first_row as u32;
        self.values
            .extend(other.values.into_iter().map(|(r, a, v)| (r + shift, a, v)));
        for (source, t) in other.latest {
            self.note_time(source, t);
        }
        self.marks
            .extend(other.marks.into_iter().map(|(r, m)| (r + shift, m)));
        self.marks_seen |= other.marks_seen;
    }

    /// Drops the values of rows from `rows` on (the times stay: they are the input's).
    pub(super) fn truncate(&mut self, rows: usize) {
        let keep = self
            .values
            .partition_point(|(r, _, _)| (*r as usize) < rows);
        self.values.truncate(keep);
        let keep = self.marks.partition_point(|(r, _)| (*r as usize) < rows);
        self.marks.truncate(keep);
    }

    /// Adds object `row` of `from` as this directory's row `to`.
    pub(super) fn copy_row(&mut self, from: &Extra, row: usize, to: usize) {
        let start = from.values.partition_point(|(r, _, _)| (*r as usize) < row);
        let theirs = from.values[start..]
            .iter()
            .take_while(|(r, _, _)| *r as usize == row);
        self.values
            .extend(theirs.map(|(_, a, v)| (to as u32, *a, v.clone())));
        self.mark(to, from.marks(row));
    }

    pub fn heap_bytes(&self) -> usize {
        self.values
            .iter()
            .map(|(_, _, v)| v.len() + std::mem::size_of::<(u32, Attr, Box<str>)>())
            .sum::<usize>()
            + self.marks.capacity() * std::mem::size_of::<(u32, Marks)>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_follow_their_rows_through_append_and_truncate() {
        let mut a = Extra::default();
        a.push(0, Attr::Keywords, "azureADId:x");
        a.push(0, Attr::Keywords, "azureADName:y");
        a.push(2, Attr::UpnSuffixes, "contoso.com");
        a.note_time(TimeSource::WhenChanged, 10);
        let mut b = Extra::default();
        b.push(1, Attr::Keywords, "z");
        b.note_time(TimeSource::WhenChanged, 5);
        b.note_time(TimeSource::Snapshot, 7);
        a.append(b, 3);
        assert_eq!(
            a.values(Attr::Keywords, 0).collect::<Vec<_>>(),
            ["azureADId:x", "azureADName:y"]
        );
        assert_eq!(a.value(Attr::Keywords, 4), Some("z"));
        assert_eq!(a.value(Attr::Keywords, 2), None);
        assert_eq!(
            a.latest(),
            [(TimeSource::WhenChanged, 10), (TimeSource::Snapshot, 7)]
        );
        a.truncate(3);
        assert_eq!(a.value(Attr::Keywords, 4), None);
        assert_eq!(
            a.with(Attr::UpnSuffixes).collect::<Vec<_>>(),
            [(2, "contoso.com")]
        );
        let mut c = Extra::default();
        c.copy_row(&a, 0, 0);
        assert_eq!(c.values(Attr::Keywords, 0).count(), 2);
    }
}
