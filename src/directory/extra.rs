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

/// Sparse values and latest times of a directory (or of a block being read).
#[derive(Clone, Debug, Default)]
pub struct Extra {
    /// (row, attribute, value), in row order.
    values: Vec<(u32, Attr, Box<str>)>,
    /// The latest time (Unix seconds) seen per source.
    latest: Vec<(TimeSource, i64)>,
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
    }

    /// Drops the values of rows from `rows` on (the times stay: they are the input's).
    pub(super) fn truncate(&mut self, rows: usize) {
        let keep = self
            .values
            .partition_point(|(r, _, _)| (*r as usize) < rows);
        self.values.truncate(keep);
    }

    /// Adds object `row` of `from` as this directory's row `to`.
    pub(super) fn copy_row(&mut self, from: &Extra, row: usize, to: usize) {
        let start = from.values.partition_point(|(r, _, _)| (*r as usize) < row);
        let theirs = from.values[start..]
            .iter()
            .take_while(|(r, _, _)| *r as usize == row);
        self.values
            .extend(theirs.map(|(_, a, v)| (to as u32, *a, v.clone())));
    }

    pub fn heap_bytes(&self) -> usize {
        self.values
            .iter()
            .map(|(_, _, v)| v.len() + std::mem::size_of::<(u32, Attr, Box<str>)>())
            .sum()
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
