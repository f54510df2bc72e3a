//! The whole pipeline: ingest → directory → scope → rules → findings.

use crate::error::Error;
use crate::findings::{Class, Finding, FindingList, Severity};
use crate::ingest::{self, Ingest, ReadOptions};
use crate::progress::{Counters, Observer, Silent, Stage};
use crate::rules::{self, uniqueness, RuleOptions};
use crate::scope::{self, Scope, ScopeOptions};
use std::path::{Path, PathBuf};
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
    pub redactor: Option<crate::redact::Redactor>,
    /// What the reader of the results must know about what was checked ([`warnings`]).
    pub warnings: Vec<String>,
    /// Set with `--engine-diff` ([`compare_engines`]).
    pub engine_diff: Option<crate::engine_diff::EngineDiff>,
    /// With `--tenant`: the predicted outcome of each object against the tenant.
    pub tenant: Option<crate::tenant::Prediction>,
    /// Sign-in and device readiness per feature (None with `--no-readiness`).
    pub readiness: Option<rules::readiness::Report>,
    /// The duplicates' value index, with [`RuleOptions::keep_index`] (taken by
    /// [`compare_engines`]).
    pub index: Option<uniqueness::Index>,
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
    /// Duplicates and collisions across objects, with the engine's source-anchor and limit
    /// audits and the readiness checks, which run beside them.
    pub collisions: Duration,
    /// The suggestions' re-check (every suggested value checked against the rules, the other
    /// objects and the object as all its suggestions would leave it).
    pub suggest: Duration,
    /// Tenant matching (`--tenant`).
    pub tenant: Duration,
    pub workbook: Duration,
}

/// What [`check`] returns.
pub struct Checked {
    pub scope: Scope,
    pub findings: FindingList,
    pub uniqueness: uniqueness::Summary,
    /// `scope`, `rules`, `collisions` and `suggest` filled in.
    pub timings: Timings,
    /// See [`warnings`].
    pub warnings: Vec<String>,
    /// See [`Analysis::tenant`].
    pub tenant: Option<crate::tenant::Prediction>,
    pub readiness: Option<rules::readiness::Report>,
    /// See [`Analysis::index`].
    pub index: Option<uniqueness::Index>,
}

/// Reads the inputs and runs the rules, watched by nothing (see [`run_observed`]).
pub fn run(
    paths: &[PathBuf],
    read: &ReadOptions,
    scope_options: &ScopeOptions,
    options: RuleOptions,
) -> Analysis {
    run_observed(paths, read, scope_options, options, &mut Silent)
}

/// The pipeline: reads the inputs ([`Stage::Reading`], counting bytes and objects), then
/// decides the scope and runs the rules ([`check`], [`Stage::Rules`]), telling `observer` as
/// each stage starts and ends. The reading counters in `read` are replaced by the stage's.
pub fn run_observed(
    paths: &[PathBuf],
    read: &ReadOptions,
    scope_options: &ScopeOptions,
    options: RuleOptions,
    observer: &mut dyn Observer,
) -> Analysis {
    run_observed_then(paths, read, scope_options, options, observer, |_| {})
}

/// [`run_observed`], with `prepare` given the rule options once the inputs are read and
/// before the rules run: what is read alongside the exports (the tenant inputs, on another
/// thread) joins there, so that its reading overlaps the exports'.
pub fn run_observed_then(
    paths: &[PathBuf],
    read: &ReadOptions,
    scope_options: &ScopeOptions,
    mut options: RuleOptions,
    observer: &mut dyn Observer,
    prepare: impl FnOnce(&mut RuleOptions),
) -> Analysis {
    let bytes: u64 = paths
        .iter()
        .filter_map(|f| std::fs::metadata(f).ok())
        .map(|m| m.len())
        .sum();
    let counters = Counters::default();
    let read = ReadOptions {
        progress: Some(counters.done.clone()),
        objects_progress: Some(counters.objects.clone()),
        ..read.clone()
    };
    observer.started(Stage::Reading, bytes, &counters);
    let t = Instant::now();
    let ingest = ingest::read_files(paths, &read);
    let read_time = t.elapsed();
    observer.finished(Stage::Reading);
    prepare(&mut options);
    observer.started(Stage::Rules, 1, &Counters::default());
    let checked = check(&ingest, scope_options, &options);
    observer.finished(Stage::Rules);
    Analysis::from_checked(ingest, checked, options, read_time)
}

/// Scope and rules over an already-read directory (separately timed by the benchmark).
pub fn check(ingest: &Ingest, scope_options: &ScopeOptions, options: &RuleOptions) -> Checked {
    let t = Instant::now();
    // The engine is the rules' (one option, `--engine`): the scope follows it.
    let scope_options = &ScopeOptions {
        engine: options.engine,
        ..scope_options.clone()
    };
    let scope = scope::decide(&ingest.directory, scope_options, options.profile);
    let scope_time = t.elapsed();
    let result = rules::run(&ingest.directory, &scope, options);
    let mut warnings = warnings(ingest, &scope);
    if let Some(tenant) = &options.tenant {
        warnings.extend(tenant_warnings(tenant, result.tenant.as_ref()));
    }
    Checked {
        warnings,
        tenant: result.tenant,
        scope,
        findings: result.findings,
        uniqueness: result.uniqueness,
        readiness: result.readiness,
        index: result.index,
        timings: Timings {
            scope: scope_time,
            rules: result.checks_time,
            collisions: result.collisions_time,
            suggest: result.suggest_time,
            tenant: result.tenant_time,
            ..Timings::default()
        },
    }
}

/// `--engine-diff`: runs the other engine's model on the same directory and compares the
/// two outcomes, Connect → Cloud Sync ([`crate::engine_diff`]). The other engine's scope is
/// decided in full; its rules only where their findings can differ from this engine's
/// ([`rules::other_engine`]), with this engine's value index ([`Analysis::index`], kept with
/// [`RuleOptions::keep_index`], else built again).
pub fn compare_engines(a: &mut Analysis, scope_options: &ScopeOptions) {
    use crate::engine_diff::{compare, Outcome};
    use crate::vocab::Engine;
    let t = Instant::now();
    let other = match a.options.engine {
        Engine::Connect => Engine::CloudSync,
        Engine::CloudSync => Engine::Connect,
    };
    let dir = &a.ingest.directory;
    let index = a.index.take().unwrap_or_else(|| {
        rules::uniqueness::index(&rules::Context {
            dir,
            scope: &a.scope,
            options: &a.options,
        })
    });
    let options = RuleOptions {
        engine: other,
        ..a.options.clone()
    };
    let other_scope = scope::decide(
        dir,
        &ScopeOptions {
            engine: other,
            ..scope_options.clone()
        },
        options.profile,
    );
    let forests = crate::forest::Forests::of(dir);
    let ctx = rules::Context {
        dir,
        scope: &other_scope,
        options: &options,
    };
    let theirs = rules::other_engine(&ctx, &a.scope, &index, &forests);
    drop(index);
    let mine = Outcome::complete(a.options.engine, &a.scope, &a.findings);
    let theirs = Outcome::partial(other, &other_scope, &theirs);
    let (connect, cloud) = match a.options.engine {
        Engine::Connect => (&mine, &theirs),
        Engine::CloudSync => (&theirs, &mine),
    };
    let scope_options = ScopeOptions {
        engine: a.options.engine,
        ..scope_options.clone()
    };
    let mut diff = compare(dir, connect, cloud, &scope_options, &forests);
    diff.time = t.elapsed();
    a.engine_diff = Some(diff);
}

/// What limits the tenant prediction: inputs that could not be read or lost values, checks
/// that could not run for want of a property or input, and the directory quota.
fn tenant_warnings(
    tenant: &crate::tenant::Tenant,
    prediction: Option<&crate::tenant::Prediction>,
) -> Vec<String> {
    let mut out = Vec::new();
    for input in &tenant.inputs {
        out.extend(input.error.iter().cloned());
        out.extend(input.warnings.iter().cloned());
        if input.rejected > 0 {
            out.push(format!(
                "{}: {} of {} rejected (first: line {}: {})",
                input.path,
                crate::text::count(input.rejected),
                crate::text::plural(input.records, "tenant record", "tenant records"),
                input.rejections.first().map_or(0, |r| r.line),
                input.rejections.first().map_or("", |r| r.reason.as_str()),
            ));
        }
    }
    if let Some(p) = prediction {
        out.extend(
            p.not_checked
                .iter()
                .map(|w| format!("tenant: not checked: {w}")),
        );
        let c = &p.capacity;
        match (c.quota, c.over_quota) {
            (Some(quota), Some(true)) => out.push(format!(
                "tenant: {} objects after the first sync ({} in the tenant inputs + {} new) \
                 exceed the directory quota of {}",
                crate::text::count(c.total),
                crate::text::count(c.existing),
                crate::text::count(c.new),
                crate::text::count(quota)
            )),
            (None, _) => out.push(
                "tenant: directory quota not checked: no domain input (50,000 objects without a \
                 verified domain, 300,000 with one)"
                    .to_string(),
            ),
            _ => {}
        }
    }
    out
}

/// An input is reported when more than this share of its records is out of scope or rejected.
const MOSTLY_UNCHECKED: f64 = 0.2;

/// What says that less was checked than the inputs suggest: an input that lacks attributes
/// the rules need, an input whose records are mostly out of scope or rejected (with the main
/// reasons), an `--include-ou`/`--exclude-ou` that matches nothing, and what the reader had
/// to retry. The CLI prints them on stderr; the workbook's Summary lists them.
pub(crate) fn warnings(ingest: &Ingest, scope: &Scope) -> Vec<String> {
    let mut out = Vec::new();
    for f in &ingest.files {
        out.extend(f.warnings.iter().cloned());
        if f.error.is_some() {
            continue;
        }
        // An export of a configuration partition is read for the readiness checks only: its
        // objects are never synchronized, and it holds none of the users' attributes.
        if !f.rows.is_empty()
            && f.rows.clone().all(|r| {
                scope
                    .reason(r)
                    .is_some_and(|why| why.starts_with("in the configuration partition"))
            })
        {
            continue;
        }
        let missing = crate::inspect::missing_attributes(f);
        if !missing.is_empty() {
            let them = if missing.len() == 1 { "it" } else { "them" };
            let why = if f.format == Some(crate::ingest::Format::Adexplorer) {
                // A snapshot holds every attribute: none is set in that directory.
                " (a snapshot holds every attribute that is set)".to_string()
            } else {
                format!(
                    " (an export made with an -l list lacking {them}, or from a global catalog, \
                     port 3268?); `synclint help export` gives the command line"
                )
            };
            out.push(format!(
                "{}: no object has {}: the rules that need {them} can't run{why}",
                f.path,
                missing.join(", "),
            ));
        }
        let out_of_scope: Vec<&str> = f.rows.clone().filter_map(|r| scope.reason(r)).collect();
        let unchecked = out_of_scope.len() as u64 + f.rejected;
        if f.read() > 0 && unchecked as f64 > MOSTLY_UNCHECKED * f.read() as f64 {
            // Reasons that name the object ("system account (krbtgt)") count as one.
            let mut reasons: std::collections::BTreeMap<&str, u64> = Default::default();
            for r in &out_of_scope {
                let general = r.split(" (").next().unwrap_or(r);
                *reasons.entry(general).or_default() += 1;
            }
            let mut reasons: Vec<(&str, u64)> = reasons.into_iter().collect();
            reasons.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
            let mut top: Vec<String> = reasons
                .iter()
                .take(3)
                .map(|(r, n)| format!("{} {r}", crate::text::count(*n)))
                .collect();
            // The rest in one figure, so that the parts add up to the out-of-scope count.
            let others: u64 = reasons.iter().skip(3).map(|(_, n)| n).sum();
            if others > 0 {
                top.push(format!(
                    "{} for other reasons (the workbook's Out of scope sheet lists each)",
                    crate::text::count(others)
                ));
            }
            out.push(format!(
                "{}: {} of {} not checked ({} out of scope, {} rejected){}",
                f.path,
                crate::text::count(unchecked),
                crate::text::plural(f.read(), "record", "records"),
                crate::text::count(out_of_scope.len() as u64),
                crate::text::count(f.rejected),
                if top.is_empty() {
                    String::new()
                } else {
                    format!(": {}", top.join(", "))
                }
            ));
        }
    }
    for flag in &scope.unmatched {
        out.push(format!("{flag} matches no object"));
    }
    out
}

impl Analysis {
    /// The analysis of `ingest`, checked by [`check`] under `options`; `read` is the time
    /// reading took.
    pub fn from_checked(
        ingest: Ingest,
        checked: Checked,
        options: RuleOptions,
        read: Duration,
    ) -> Analysis {
        Analysis {
            ingest,
            scope: checked.scope,
            findings: checked.findings,
            uniqueness: checked.uniqueness,
            options,
            timings: Timings {
                read,
                ..checked.timings
            },
            changes: None,
            redactor: None,
            warnings: checked.warnings,
            engine_diff: None,
            tenant: checked.tenant,
            readiness: checked.readiness,
            index: checked.index,
        }
    }

    /// Why this run checked nothing, if it did: then no report may say "clean", and the CLI
    /// writes nothing and exits with status 2.
    pub fn nothing_analyzed(&self) -> Option<&'static str> {
        let files = &self.ingest.files;
        if self.no_input_read() {
            return Some(if files.len() == 1 {
                "the input could not be read"
            } else {
                "no input could be read"
            });
        }
        if self.scope.analyzed() > 0 {
            return None;
        }
        Some(if self.ingest.objects_read() == 0 {
            "no object was read"
        } else if self.ingest.directory.is_empty() {
            "every record was rejected"
        } else {
            "every object is out of scope; reasons above"
        })
    }

    /// Whether reading failed for every input: what was read before that is not a directory
    /// (a part of an export proves nothing about the rest), so nothing is checked or said of it.
    pub fn no_input_read(&self) -> bool {
        let files = &self.ingest.files;
        !files.is_empty() && files.iter().all(|f| f.error.is_some())
    }

    /// Counts the objects with findings (see [`ObjectsAffected`]): one pass over the findings
    /// with two bytes per object (a bit per class, the worst severity above them).
    pub fn objects_affected(&self) -> ObjectsAffected {
        const SEVERITY_SHIFT: u16 = 12;
        let mut marks = vec![0u16; self.ingest.directory.len()];
        for f in &self.findings {
            // Readiness findings are about features, not about the object's sync: they count
            // in their class, never in the sync verdict.
            let readiness = f.rule.class == Class::Readiness;
            let Some(mark) = marks.get_mut(f.row as usize) else {
                continue;
            };
            let class = Class::ALL
                .iter()
                .position(|c| *c == f.rule.class)
                .unwrap_or_default();
            let severity = if readiness {
                0
            } else {
                f.rule.severity as u16 + 1
            };
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
                0 => {}
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
    pub(crate) fn shown_dn<'a>(&self, dn: &'a str) -> std::borrow::Cow<'a, str> {
        crate::redact::show(self.redactor.as_ref(), dn, |r, v| r.dn(v))
    }

    /// A note or reason as reports show it.
    pub(crate) fn shown_note<'a>(&self, note: &'a str) -> std::borrow::Cow<'a, str> {
        crate::redact::show(self.redactor.as_ref(), note, |r, v| r.note(v))
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

/// The domains listed in a file of verified domains (`--verified-domains`): one a line, `#`
/// starts a comment, blank lines skipped; lower case.
pub fn read_domain_list(path: &Path) -> Result<Vec<String>, Error> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::DomainList {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(text
        .lines()
        .map(|l| l.split('#').next().unwrap_or("").trim().to_lowercase())
        .filter(|l| !l.is_empty())
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domain_lists_skip_comments_and_blanks() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("domains.txt");
        std::fs::write(
            &path,
            "# verified\nContoso.com\n\n  fabrikam.com  # EU\r\n#x.com\n",
        )
        .expect("write");
        assert_eq!(
            read_domain_list(&path).expect("list"),
            ["contoso.com", "fabrikam.com"]
        );
        let missing = read_domain_list(&dir.path().join("none.txt")).expect_err("missing");
        assert!(missing.to_string().starts_with("cannot read "), "{missing}");
    }
}
