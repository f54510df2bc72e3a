//! Findings: what the rules report, one per object and value.

use crate::rules::Rule;
use serde::Serialize;
use std::borrow::Cow;

/// How bad a finding is.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Informational: nothing breaks.
    Info,
    /// The object syncs, but renamed, degraded, or an address is lost.
    Warning,
    /// Sync fails, the value is quarantined, or the object is dropped.
    Error,
}

impl Severity {
    pub fn name(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// The issue class: one workbook sheet each.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Class {
    Duplicate,
    Collision,
    Character,
    Format,
    Suffix,
    Length,
    Blank,
    #[serde(rename = "Large object")]
    LargeObject,
    Advisory,
}

impl Class {
    pub const ALL: [Class; 9] = [
        Class::Duplicate,
        Class::Collision,
        Class::Character,
        Class::Format,
        Class::Suffix,
        Class::Length,
        Class::Blank,
        Class::LargeObject,
        Class::Advisory,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Class::Duplicate => "Duplicate",
            Class::Collision => "Collision",
            Class::Character => "Character",
            Class::Format => "Format",
            Class::Suffix => "Suffix",
            Class::Length => "Length",
            Class::Blank => "Blank",
            Class::LargeObject => "Large object",
            Class::Advisory => "Advisory",
        }
    }
}

/// What synclint recommends doing with the value (IdFix's ACTION). It is shown, never acted
/// on: `fix` acts only on the Action a reviewer chose.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Action {
    /// Replace the value (with the suggestion, when there is one).
    Edit,
    /// Remove the value.
    Remove,
    /// Nothing to change in the directory (advisory, or accepted as is).
    Complete,
}

impl Action {
    pub fn name(self) -> &'static str {
        match self {
            Action::Edit => "EDIT",
            Action::Remove => "REMOVE",
            Action::Complete => "COMPLETE",
        }
    }
}

/// One problem with one value of one object.
#[derive(Clone, Debug)]
pub struct Finding {
    pub rule: &'static Rule,
    /// Row of the object in the directory.
    pub row: u32,
    pub attribute: &'static str,
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
    pub fn new(rule: &'static Rule, row: usize, attribute: &'static str, value: &str) -> Finding {
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
