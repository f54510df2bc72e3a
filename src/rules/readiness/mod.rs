//! Sign-in and device readiness: what an AD export shows about the features Microsoft's
//! onboarding turns on after the directory is clean — Seamless SSO, Microsoft Entra hybrid
//! join, password hash sync, password writeback — and the other onboarding items Entra
//! Connect checks (forest functional level, NetBIOS names, UPN suffixes).
//!
//! Readiness rules are ordinary registry rules (class [`Class::Readiness`], codes SL1201..
//! SL1399, in [`registry::FAMILIES`](super::registry::FAMILIES)), with two differences from
//! the sync rules:
//!
//! * they look at every object read, in scope or not (the Seamless SSO computer account,
//!   the configuration partition's crossRefs and service connection point are never
//!   synchronized), except an object read twice; and some judge a whole forest;
//! * time-relative checks measure from the export's own time ([`ExportTime`]: `--as-of`,
//!   else the latest whenChanged / modifyTimeStamp / snapshot time), never the machine's clock.
//!
//! A readiness family is a module here with its `Rule`s, a `Family` whose `check` is `None`
//! (it runs over the whole directory at once) and a [`Readiness`] that says which feature
//! each rule serves and runs the checks. Adding one: the module, one line in
//! `registry::FAMILIES` and one in [`CHECKS`]. A check that needs data the inputs lack calls
//! [`Out::not_checked`] with the reason (never passes silently); a check that ran calls
//! [`Out::ran`]. Per-object checks use [`Inputs::objects`] (parallel, row order kept).
//! Checks the reference material only infers are `Info` with the uncertainty in the rule's
//! `source_note` and the finding's note.

pub mod devices;
pub mod forest;
pub mod forests;
pub mod passwords;
pub mod sources;
pub mod sso;

pub use forests::{Forest, Forests};

use super::registry::Family;
use super::{Limit, Rule, RuleOptions, ALL_PROFILES};
use crate::directory::{Attr, Directory, ObjectKind, TimeSource};
use crate::findings::{Action, Class, Finding, Severity};
use crate::scope::Scope;
use crate::vocab::Source;
use rayon::prelude::*;
use serde::Serialize;

/// The features readiness rules are tagged with.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Feature {
    SeamlessSso,
    HybridJoin,
    PasswordHashSync,
    PasswordWriteback,
    /// Entra Connect's own prerequisites visible in AD (forest level, NetBIOS names, UPN
    /// suffixes …).
    Other,
}

impl Feature {
    pub const ALL: [Feature; 5] = [
        Feature::SeamlessSso,
        Feature::HybridJoin,
        Feature::PasswordHashSync,
        Feature::PasswordWriteback,
        Feature::Other,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Feature::SeamlessSso => "Seamless SSO",
            Feature::HybridJoin => "Hybrid join",
            Feature::PasswordHashSync => "Password hash sync",
            Feature::PasswordWriteback => "Password writeback",
            Feature::Other => "Other onboarding items",
        }
    }
}

/// What the user said about readiness (`--no-readiness`, `--as-of`).
#[derive(Clone, Debug)]
pub struct ReadinessOptions {
    pub enabled: bool,
    /// `--as-of`: the time to measure ages from (Unix seconds), instead of the export's.
    pub as_of: Option<i64>,
}

impl Default for ReadinessOptions {
    fn default() -> Self {
        ReadinessOptions {
            enabled: true,
            as_of: None,
        }
    }
}

/// The time the export stands for: what key ages, expiry and staleness are measured from.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ExportTime {
    /// Unix seconds, UTC.
    pub seconds: i64,
    pub source: ExportTimeSource,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ExportTimeSource {
    /// `--as-of`.
    AsOf,
    /// The latest time the inputs carry.
    Export(TimeSource),
}

impl ExportTime {
    /// `--as-of` if given, else the latest of the inputs' times (whenChanged, modifyTimeStamp,
    /// a snapshot's header); `None` when the inputs carry none.
    pub fn of(dir: &Directory, options: &ReadinessOptions) -> Option<ExportTime> {
        if let Some(seconds) = options.as_of {
            return Some(ExportTime {
                seconds,
                source: ExportTimeSource::AsOf,
            });
        }
        dir.extra
            .latest()
            .iter()
            .max_by_key(|(source, t)| (*t, *source))
            .map(|(source, t)| ExportTime {
                seconds: *t,
                source: ExportTimeSource::Export(*source),
            })
    }

    /// `2026-12-02 12:44 UTC (--as-of)`.
    pub fn describe(&self) -> String {
        let from = match self.source {
            ExportTimeSource::AsOf => "--as-of",
            ExportTimeSource::Export(s) => s.name(),
        };
        format!("{} ({from})", crate::time::display(self.seconds))
    }
}

/// Why time-relative checks could not run.
pub const NO_EXPORT_TIME: &str = "the export carries no time (no whenChanged or modifyTimeStamp values, not a snapshot); give --as-of DATE";

/// Why the checks that read security descriptors could not run.
pub const NO_SECURITY_DESCRIPTORS: &str = "the export has no security descriptors (add nTSecurityDescriptor to ldifde's -l list, or give an AD Explorer snapshot; `synclint help export`)";

/// Everything a readiness check reads.
pub struct Inputs<'a> {
    pub dir: &'a Directory,
    pub scope: &'a Scope,
    pub options: &'a RuleOptions,
    /// `None`: time-relative checks say [`NO_EXPORT_TIME`].
    pub time: Option<ExportTime>,
    pub forests: Forests,
}

impl Inputs<'_> {
    /// Whether `row` counts: every object read, except a second copy of one read twice.
    pub fn counts(&self, row: usize) -> bool {
        !self.scope.read_twice(row)
    }

    /// Runs `check` on every counted object of one of `kinds` (all kinds when empty), in
    /// parallel, and appends what it reports in row order.
    pub fn objects(
        &self,
        kinds: &[ObjectKind],
        out: &mut Out,
        check: impl Fn(usize, &mut Vec<Finding>) + Sync,
    ) {
        let dir = self.dir;
        let rows: Vec<usize> = (0..dir.len())
            .filter(|r| (kinds.is_empty() || kinds.contains(&dir.kind[*r])) && self.counts(*r))
            .collect();
        let found: Vec<Vec<Finding>> = rows
            .par_chunks(4096)
            .map(|chunk| {
                let mut found = Vec::new();
                for &row in chunk {
                    check(row, &mut found);
                }
                found
            })
            .collect();
        for f in found.into_iter().flatten() {
            out.report(self, f);
        }
    }
}

/// A check that could not run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NotChecked {
    #[serde(skip)]
    pub feature: Feature,
    /// The rule codes concerned.
    pub rules: Vec<&'static str>,
    pub why: String,
}

/// What readiness checks report: findings, what could not be checked, which features ran.
#[derive(Default)]
pub struct Out {
    pub findings: Vec<Finding>,
    pub not_checked: Vec<NotChecked>,
    ran: Vec<Feature>,
}

impl Out {
    /// Keeps a finding if the profile runs its rule.
    pub fn report(&mut self, inputs: &Inputs, finding: Finding) {
        if finding.rule.runs_in(inputs.options.profile) {
            self.findings.push(finding);
        }
    }

    /// `rules` could not run: `why` names what the inputs lack.
    pub fn not_checked(
        &mut self,
        feature: Feature,
        rules: &[&'static Rule],
        why: impl Into<String>,
    ) {
        let why = why.into();
        let codes: Vec<&'static str> = rules.iter().map(|r| r.code).collect();
        match self
            .not_checked
            .iter_mut()
            .find(|n| n.feature == feature && n.why == why)
        {
            Some(n) => n.rules.extend(codes),
            None => self.not_checked.push(NotChecked {
                feature,
                rules: codes,
                why,
            }),
        }
    }

    /// Some check of `feature` did run.
    pub fn ran(&mut self, feature: Feature) {
        if !self.ran.contains(&feature) {
            self.ran.push(feature);
        }
    }
}

/// A readiness family: which feature each of its rules serves, and the run over the whole
/// directory. The rules are listed once, in `family.rules`; `feature` decides per rule, so a
/// family serving one feature answers it for all, and adding a rule touches its family only.
pub struct Readiness {
    pub family: &'static Family,
    /// The feature a rule of `family` serves.
    pub feature: fn(&Rule) -> Feature,
    pub run: fn(&Inputs, &mut Out),
}

/// Every readiness family, in code order (the same families as in `registry::FAMILIES`).
pub static CHECKS: &[&Readiness] = &[
    &sso::READINESS,
    &forest::READINESS,
    &devices::READINESS,
    &passwords::READINESS,
];

/// The feature a readiness rule serves.
pub fn feature_of(rule: &Rule) -> Option<Feature> {
    CHECKS
        .iter()
        .find(|c| c.family.rules.contains(&rule))
        .map(|c| (c.feature)(rule))
}

/// A feature's state after the checks.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// An error: the feature fails for some object or forest.
    NotReady,
    /// Warnings: it works, badly or insecurely somewhere.
    ReadyWithWarnings,
    /// Nothing worse than advice among what was checked.
    Ready,
    /// No check of the feature could run.
    NotChecked,
}

impl Verdict {
    pub fn name(self) -> &'static str {
        match self {
            Verdict::NotReady => "not ready",
            Verdict::ReadyWithWarnings => "ready, with warnings",
            Verdict::Ready => "ready",
            Verdict::NotChecked => "not checked",
        }
    }
}

/// One feature's block in the Summary and the JSON.
#[derive(Clone, Debug, Serialize)]
pub struct FeatureStatus {
    pub feature: Feature,
    pub verdict: Verdict,
    /// The worst finding in words (its note, else its rule's text).
    pub headline: Option<String>,
    pub errors: u64,
    pub warnings: u64,
    pub advice: u64,
    /// Objects (or forests) with findings.
    pub objects: u64,
    pub not_checked: Vec<NotChecked>,
}

impl FeatureStatus {
    /// The verdict in words. "Ready" is said only of a feature checked in full: with gaps it
    /// says what was found, and the line then says what could not be checked.
    pub fn verdict_shown(&self) -> &'static str {
        match self.verdict {
            Verdict::Ready if !self.not_checked.is_empty() => {
                "no problem found in what could be checked"
            }
            // "Ready" only of a feature checked in full, warnings or not.
            Verdict::ReadyWithWarnings if !self.not_checked.is_empty() => {
                "warnings in what could be checked"
            }
            v => v.name(),
        }
    }

    /// `Seamless SSO: not ready — AZUREADSSOACC key 214 days old in forest contoso.com (and
    /// 2 more findings); not checked: …`.
    pub fn line(&self) -> String {
        let mut line = format!("{}: {}", self.feature.name(), self.verdict_shown());
        if let Some(h) = &self.headline {
            line.push_str(" — ");
            line.push_str(h);
            let more = self.errors + self.warnings + self.advice - 1;
            if more > 0 {
                line.push_str(&format!(
                    " (and {})",
                    crate::text::plural(more, "more finding", "more findings")
                ));
            }
        }
        if !self.not_checked.is_empty() {
            let whys: Vec<String> = self
                .not_checked
                .iter()
                .map(|n| {
                    if n.rules.is_empty() {
                        n.why.clone()
                    } else {
                        format!("{} ({})", n.why, n.rules.join(", "))
                    }
                })
                .collect();
            // A feature nothing could check says why once.
            line.push_str(if self.verdict == Verdict::NotChecked {
                ": "
            } else {
                "; not checked: "
            });
            line.push_str(&whys.join("; "));
        }
        line
    }
}

/// The readiness outcome of a run.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// What ages are measured from (`None`: time-relative checks did not run).
    pub as_of: Option<ExportTime>,
    /// `as_of` in words.
    pub as_of_shown: Option<String>,
    pub forests: Vec<forests::ForestSummary>,
    pub features: Vec<FeatureStatus>,
}

/// Runs every readiness family: the findings (in row order, then code) and the report.
pub fn run(dir: &Directory, scope: &Scope, options: &RuleOptions) -> (Vec<Finding>, Report) {
    let time = ExportTime::of(dir, &options.readiness);
    let forests = Forests::of(dir, scope);
    let inputs = Inputs {
        dir,
        scope,
        options,
        time,
        forests,
    };
    let mut out = Out::default();
    for check in CHECKS {
        (check.run)(&inputs, &mut out);
    }
    for feature in Feature::ALL {
        let checked = CHECKS
            .iter()
            .any(|c| c.family.rules.iter().any(|r| (c.feature)(r) == feature));
        if !checked {
            out.not_checked(feature, &[], "this version has no check of it");
        }
    }
    let Out {
        mut findings,
        not_checked,
        ran,
    } = out;
    findings.sort_by_key(|f| (f.row, number(f.rule.code)));
    let features = Feature::ALL
        .iter()
        .map(|&feature| status(feature, &findings, &not_checked, &ran))
        .collect();
    let report = Report {
        as_of: time,
        as_of_shown: time.map(|t| t.describe()),
        forests: inputs.forests.summaries(),
        features,
    };
    (findings, report)
}

fn number(code: &str) -> u32 {
    code.get(2..).and_then(|d| d.parse().ok()).unwrap_or(0)
}

fn status(
    feature: Feature,
    findings: &[Finding],
    not_checked: &[NotChecked],
    ran: &[Feature],
) -> FeatureStatus {
    let mine: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.rule.class == Class::Readiness && feature_of(f.rule) == Some(feature))
        .collect();
    let count = |s: Severity| mine.iter().filter(|f| f.rule.severity == s).count() as u64;
    let (errors, warnings, advice) = (
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Info),
    );
    let worst = mine.iter().max_by_key(|f| {
        (
            f.rule.severity,
            std::cmp::Reverse((f.row, number(f.rule.code))),
        )
    });
    let mut rows: Vec<u32> = mine.iter().map(|f| f.row).collect();
    rows.sort_unstable();
    rows.dedup();
    let verdict = if errors > 0 {
        Verdict::NotReady
    } else if !ran.contains(&feature) && mine.is_empty() {
        Verdict::NotChecked
    } else if warnings > 0 {
        Verdict::ReadyWithWarnings
    } else {
        Verdict::Ready
    };
    FeatureStatus {
        feature,
        verdict,
        headline: worst.map(|f| {
            f.own_note()
                .map_or_else(|| f.rule.what.to_string(), str::to_string)
        }),
        errors,
        warnings,
        advice,
        objects: rows.len() as u64,
        not_checked: not_checked
            .iter()
            .filter(|n| n.feature == feature)
            .cloned()
            .collect(),
    }
}

/// A readiness rule: class Readiness, every profile, nothing for `fix` to change; the
/// families keep their own argument order through thin wrappers.
#[allow(clippy::too_many_arguments)]
pub(super) const fn rule(
    code: &'static str,
    slug: &'static str,
    severity: Severity,
    attributes: &'static [Attr],
    entra: &'static str,
    sources: &'static [&'static Source],
    source_note: &'static str,
    texts: [&'static str; 3],
    limits: &'static [Limit],
) -> Rule {
    Rule {
        code,
        slug,
        class: Class::Readiness,
        severity,
        attributes,
        idfix: None,
        entra,
        sources,
        source_note,
        what: texts[0],
        why: texts[1],
        fix: texts[2],
        default_action: Action::Complete,
        profiles: ALL_PROFILES,
        limits,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// "Ready" (with or without warnings) is said only of a feature whose checks all ran.
    #[test]
    fn ready_is_said_only_of_a_feature_checked_in_full() {
        let status = |verdict, gaps: bool| FeatureStatus {
            feature: Feature::PasswordWriteback,
            verdict,
            headline: None,
            errors: 0,
            warnings: 0,
            advice: 0,
            objects: 0,
            not_checked: if gaps {
                vec![NotChecked {
                    feature: Feature::PasswordWriteback,
                    rules: vec!["SL1353"],
                    why: "no security descriptors".into(),
                }]
            } else {
                Vec::new()
            },
        };
        assert_eq!(status(Verdict::Ready, false).verdict_shown(), "ready");
        assert_eq!(
            status(Verdict::ReadyWithWarnings, false).verdict_shown(),
            "ready, with warnings"
        );
        for verdict in [Verdict::Ready, Verdict::ReadyWithWarnings] {
            assert!(!status(verdict, true).verdict_shown().contains("ready"));
        }
        assert_eq!(status(Verdict::NotReady, true).verdict_shown(), "not ready");
    }
}
