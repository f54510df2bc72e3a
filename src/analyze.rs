//! The whole pipeline: ingest → directory → scope → rules → findings.

use crate::findings::{Class, Finding, FindingList, Severity};
use crate::ingest::{self, Ingest, ReadOptions};
use crate::rules::{self, uniqueness, RuleOptions};
use crate::scope::{self, Scope, ScopeOptions};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Everything a report needs.
pub struct Analysis {
    pub ingest: Ingest,
    pub scope: Scope,
    pub findings: FindingList,
    pub uniqueness: uniqueness::Summary,
    pub options: RuleOptions,
    pub timings: Timings,
    /// Set when the run was compared with a baseline (`--baseline`).
    pub changes: Option<crate::baseline::Changes>,
    /// Set with `--redact`: personal values are pseudonymised in everything written.
    pub redactor: Option<crate::report::redact::Redactor>,
}

/// Wall time per stage.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct Timings {
    pub read: Duration,
    pub scope: Duration,
    /// The per-object rules.
    pub rules: Duration,
    /// Duplicates and collisions across objects.
    pub collisions: Duration,
    /// The suggestions' re-check (every suggested value checked against the rules, the other
    /// objects and the object as all its suggestions would leave it).
    pub suggest: Duration,
    pub workbook: Duration,
}

/// What [`check`] returns.
pub struct Checked {
    pub scope: Scope,
    pub findings: FindingList,
    pub uniqueness: uniqueness::Summary,
    /// `scope`, `rules`, `collisions` and `suggest` filled in.
    pub timings: Timings,
}

/// Reads the inputs and runs the rules.
pub fn run(
    paths: &[PathBuf],
    read: &ReadOptions,
    scope_options: &ScopeOptions,
    options: RuleOptions,
) -> Analysis {
    let t = Instant::now();
    let ingest = ingest::read_files(paths, read);
    let read_time = t.elapsed();
    let checked = check(&ingest, scope_options, &options);
    Analysis {
        ingest,
        scope: checked.scope,
        findings: checked.findings,
        uniqueness: checked.uniqueness,
        options,
        timings: Timings {
            read: read_time,
            ..checked.timings
        },
        changes: None,
        redactor: None,
    }
}

/// Scope and rules over an already-read directory (separately timed by the benchmark).
pub fn check(ingest: &Ingest, scope_options: &ScopeOptions, options: &RuleOptions) -> Checked {
    let t = Instant::now();
    let scope = scope::decide(&ingest.directory, scope_options, options.profile);
    let scope_time = t.elapsed();
    let result = rules::run(&ingest.directory, &scope, options);
    Checked {
        scope,
        findings: result.findings,
        uniqueness: result.uniqueness,
        timings: Timings {
            scope: scope_time,
            rules: result.checks_time,
            collisions: result.collisions_time,
            suggest: result.suggest_time,
            ..Timings::default()
        },
    }
}

impl Analysis {
    /// A DN as reports show it (redacted with `--redact`).
    pub fn shown_dn<'a>(&self, dn: &'a str) -> std::borrow::Cow<'a, str> {
        crate::report::redact::show(self.redactor.as_ref(), dn, |r, v| r.dn(v))
    }

    /// A value of `attribute` as reports show it.
    pub fn shown_value<'a>(&self, attribute: &str, value: &'a str) -> std::borrow::Cow<'a, str> {
        crate::report::redact::show(self.redactor.as_ref(), value, |r, v| r.value(attribute, v))
    }

    /// A note or reason as reports show it.
    pub fn shown_note<'a>(&self, note: &'a str) -> std::borrow::Cow<'a, str> {
        crate::report::redact::show(self.redactor.as_ref(), note, |r, v| r.note(v))
    }

    pub fn count_at_least(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.rule.severity >= severity)
            .count()
    }

    pub fn by_class(&self, class: Class) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(move |f| f.rule.class == class)
    }
}
