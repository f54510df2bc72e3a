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
    pub rules: Duration,
    pub workbook: Duration,
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
    let (scope, findings, uniqueness, scope_time, rules_time) =
        check(&ingest, scope_options, &options);
    Analysis {
        ingest,
        scope,
        findings,
        uniqueness,
        options,
        timings: Timings {
            read: read_time,
            scope: scope_time,
            rules: rules_time,
            workbook: Duration::ZERO,
        },
        changes: None,
        redactor: None,
    }
}

/// Scope and rules over an already-read directory (separately timed by the benchmark).
pub fn check(
    ingest: &Ingest,
    scope_options: &ScopeOptions,
    options: &RuleOptions,
) -> (Scope, FindingList, uniqueness::Summary, Duration, Duration) {
    let t = Instant::now();
    let scope = scope::decide(&ingest.directory, scope_options, options.profile);
    let scope_time = t.elapsed();
    let t = Instant::now();
    let result = rules::run(&ingest.directory, &scope, options);
    (
        scope,
        result.findings,
        result.uniqueness,
        scope_time,
        t.elapsed(),
    )
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
