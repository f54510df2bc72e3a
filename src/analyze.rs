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

/// Objects with findings: by their worst finding (the verdict a report leads with) and per
/// class. Each object counts once however many findings it has.
#[derive(Clone, Debug, Default, serde::Serialize, PartialEq, Eq)]
pub struct ObjectsAffected {
    /// Objects with at least one error: they fail to sync, or lose the value.
    pub will_fail: u64,
    /// Objects whose worst finding is a warning: they sync, renamed or degraded.
    pub degraded: u64,
    /// Objects with informational findings only.
    pub advisory_only: u64,
    /// Objects with at least one finding of the class, by class name.
    pub by_class: std::collections::BTreeMap<&'static str, u64>,
}

/// Wall time per stage.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct Timings {
    pub read: Duration,
    pub scope: Duration,
    /// The per-object rules.
    pub rules: Duration,
    /// Duplicates and collisions across objects, and the suggestions' re-check.
    pub collisions: Duration,
    pub workbook: Duration,
}

/// What [`check`] returns.
pub struct Checked {
    pub scope: Scope,
    pub findings: FindingList,
    pub uniqueness: uniqueness::Summary,
    /// `scope`, `rules` and `collisions` filled in.
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
            ..Timings::default()
        },
    }
}

impl Analysis {
    /// Counts the objects with findings (see [`ObjectsAffected`]): one pass over the findings
    /// with two bytes per object (a bit per class, the worst severity above them).
    pub fn objects_affected(&self) -> ObjectsAffected {
        const SEVERITY_SHIFT: u16 = 12;
        let mut marks = vec![0u16; self.ingest.directory.len()];
        for f in &self.findings {
            let Some(mark) = marks.get_mut(f.row as usize) else {
                continue;
            };
            let class = Class::ALL
                .iter()
                .position(|c| *c == f.rule.class)
                .unwrap_or_default();
            let severity = f.rule.severity as u16 + 1;
            let worst = (*mark >> SEVERITY_SHIFT).max(severity);
            *mark =
                (*mark & ((1 << SEVERITY_SHIFT) - 1)) | (1 << class) | (worst << SEVERITY_SHIFT);
        }
        let mut affected = ObjectsAffected {
            by_class: Class::ALL.iter().map(|c| (c.name(), 0)).collect(),
            ..ObjectsAffected::default()
        };
        let mut per_class = [0u64; Class::ALL.len()];
        for mark in marks.into_iter().filter(|m| *m != 0) {
            match mark >> SEVERITY_SHIFT {
                w if w == Severity::Error as u16 + 1 => affected.will_fail += 1,
                w if w == Severity::Warning as u16 + 1 => affected.degraded += 1,
                _ => affected.advisory_only += 1,
            }
            for (i, n) in per_class.iter_mut().enumerate() {
                *n += u64::from(mark >> i & 1);
            }
        }
        for (class, n) in Class::ALL.iter().zip(per_class) {
            affected.by_class.insert(class.name(), n);
        }
        affected
    }

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
