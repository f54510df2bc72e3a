//! Findings: what the rules report, one per object and value.

use crate::directory::attrs::Attr;
use crate::vocab::Rule;
pub use crate::vocab::{Action, Class, Severity};
use std::borrow::Cow;

/// One problem with one value of one object.
#[derive(Clone, Debug)]
pub struct Finding {
    pub rule: &'static Rule,
    /// Row of the object in the directory.
    pub row: u32,
    pub attribute: Attr,
    pub value: String,
    /// A value that passes every rule and collides with nothing, when one can be derived.
    pub suggested: Option<String>,
    /// What synclint recommends (see [`Finding::recommendation`]).
    pub action: Action,
    /// Duplicate or collision group.
    pub group: Option<u32>,
    /// Extra detail: what it conflicts with, why a suggestion was withheld.
    pub note: Option<Cow<'static, str>>,
}

impl Finding {
    pub fn new(rule: &'static Rule, row: usize, attribute: Attr, value: &str) -> Finding {
        Finding {
            rule,
            row: row as u32,
            attribute,
            value: value.to_string(),
            suggested: None,
            action: rule.default_action,
            group: None,
            note: None,
        }
    }

    pub fn suggest(mut self, suggested: Option<String>) -> Finding {
        self.suggested = suggested;
        self
    }

    pub fn note(mut self, note: impl Into<Cow<'static, str>>) -> Finding {
        self.note = Some(note.into());
        self
    }

    /// The workbook's read-only "Recommended" column: what synclint recommends, in words a
    /// reviewer can act on (one of [`RECOMMENDATIONS`]).
    pub fn recommendation(&self) -> &'static str {
        match (self.action, self.group.is_some(), self.suggested.is_some()) {
            (Action::Complete, _, _) => RECOMMENDATIONS[0],
            (_, true, _) => RECOMMENDATIONS[1],
            (Action::Remove, false, _) => RECOMMENDATIONS[2],
            (Action::Edit, false, true) => RECOMMENDATIONS[3],
            (Action::Edit, false, false) => RECOMMENDATIONS[4],
        }
    }
}

/// Every text of the "Recommended" column.
pub const RECOMMENDATIONS: [&str; 5] = [
    "nothing to do",
    "keep on one holder: REMOVE or EDIT it on the others",
    "REMOVE",
    "EDIT (accept the suggested value)",
    "EDIT by hand (no suggestion)",
];

/// Findings in order, kept in the chunks the parallel checks produced: concatenating them
/// would hold every finding twice at the peak.
#[derive(Clone, Debug, Default)]
pub struct FindingList {
    chunks: Vec<Vec<Finding>>,
}

impl FindingList {
    pub fn push_chunk(&mut self, chunk: Vec<Finding>) {
        if !chunk.is_empty() {
            self.chunks.push(chunk);
        }
    }

    pub fn len(&self) -> usize {
        self.chunks.iter().map(Vec::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.chunks.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Finding> + '_ {
        self.chunks.iter().flatten()
    }

    /// The findings in order, for rayon (collecting keeps the order).
    pub fn par_iter(&self) -> impl rayon::iter::ParallelIterator<Item = &Finding> + '_ {
        use rayon::prelude::*;
        self.chunks.par_iter().flat_map_iter(|c| c.iter())
    }

    /// The findings in the chunks they were pushed in, for work split by chunk.
    pub fn chunks(&self) -> &[Vec<Finding>] {
        &self.chunks
    }

    pub fn iter_mut(&mut self) -> impl Iterator<Item = &mut Finding> + '_ {
        self.chunks.iter_mut().flatten()
    }
}

impl<'a> IntoIterator for &'a FindingList {
    type Item = &'a Finding;
    type IntoIter = std::iter::Flatten<std::slice::Iter<'a, Vec<Finding>>>;

    fn into_iter(self) -> Self::IntoIter {
        self.chunks.iter().flatten()
    }
}
