//! Rules: every sync blocker and degrader, one small module per family, all listed in
//! [`registry::FAMILIES`]. A rule is a [`Rule`] (stable code, class, severity, documentation
//! with its public sources, limits) reported by its family's value check; the family's
//! per-object check and the validation of proposed values ([`registry::validate`]) both run
//! that one value check.
//!
//! To add a rule to a family: declare its `Rule`, report it in the family's `check_value`, and
//! add it to the family's `FAMILY.rules`; then add its cases to tests/it/rule_cases.rs and
//! regenerate docs/rules.md (`synclint rules --markdown > docs/rules.md`). A new family is one
//! more line in `registry::FAMILIES`.

pub mod account;
pub mod address;
pub mod advisory;
pub mod alias;
pub mod docs;
pub mod domain;
pub mod engine;
pub mod large;
pub mod mail;
pub mod names;
pub mod proxy;
pub mod readiness;
pub mod registry;
pub mod sources;
pub mod suggest;
pub mod target;
pub mod tenant;
pub mod uniqueness;
pub mod upn;

use crate::directory::Directory;
use crate::findings::{Finding, FindingList};
use crate::scope::Scope;
use crate::vocab::Severity;
pub use crate::vocab::{Limit, Profile, Rule, Source, ALL_PROFILES, DEDICATED, ENTRA};
use rayon::prelude::*;
use std::collections::HashSet;

/// What the user told us about the tenant.
#[derive(Clone, Debug)]
pub struct RuleOptions {
    pub profile: Profile,
    /// Domains verified in the tenant (lower case), if known.
    pub verified_domains: Option<HashSet<String>>,
    /// `old=new` suffix replacements for suggested fixes (lower case).
    pub suffix_map: Vec<(String, String)>,
    /// The sync engine the directory is checked for (`--engine`).
    pub engine: crate::vocab::Engine,
    /// The tenant as exported (`--tenant`): the tenant family predicts matching against it.
    pub tenant: Option<std::sync::Arc<crate::tenant::Tenant>>,
    /// Sign-in and device readiness (`--no-readiness`, `--as-of`).
    pub readiness: readiness::ReadinessOptions,
}

impl Default for RuleOptions {
    fn default() -> Self {
        RuleOptions {
            profile: Profile::Entra,
            verified_domains: None,
            suffix_map: Vec::new(),
            engine: crate::vocab::Engine::Connect,
            tenant: None,
            readiness: readiness::ReadinessOptions::default(),
        }
    }
}

/// Everything a check can look at.
pub struct Context<'a> {
    pub dir: &'a Directory,
    pub scope: &'a Scope,
    pub options: &'a RuleOptions,
}

impl Context<'_> {
    /// Whether the tenant's own domain list was given (`--tenant` with a domains file). The
    /// tenant rules then judge UPN suffixes (SL1011) and SMTP addresses (SL1013) against the
    /// verified domains, and the suffix heuristics (SL104, SL105, SL407) stand aside: one
    /// finding per fact, from the better source.
    pub fn tenant_judges_domains(&self) -> bool {
        self.options
            .tenant
            .as_ref()
            .is_some_and(|t| t.domains.is_some())
    }

    pub fn runs(&self, rule: &Rule) -> bool {
        rule.runs_in(self.options.profile)
    }

    /// Pushes a finding if the profile runs the rule.
    pub fn report(&self, out: &mut Vec<Finding>, finding: Finding) {
        if self.runs(finding.rule) {
            out.push(finding);
        }
    }

    /// The suggested replacement suffix for `domain`, from `--suffix-map`.
    pub fn mapped_suffix(&self, domain: &str) -> Option<&str> {
        self.options
            .suffix_map
            .iter()
            .find(|(old, _)| old.eq_ignore_ascii_case(domain))
            .map(|(_, new)| new.as_str())
    }
}

/// The first rule broken (advice, `Info`, does not count) among the findings a family's value
/// check reports: every family's `validate` is derived this way from its check, so the rules,
/// their limits and the profile's gating are written once.
pub fn first_broken(check_value: impl FnOnce(&mut Vec<Finding>)) -> Option<&'static Rule> {
    let mut out = Vec::new();
    check_value(&mut out);
    out.iter()
        .find(|f| f.rule.severity > Severity::Info)
        .map(|f| f.rule)
}

/// Whether a family's value check reports nothing at all (advice included).
pub fn reports_nothing(check_value: impl FnOnce(&mut Vec<Finding>)) -> bool {
    let mut out = Vec::new();
    check_value(&mut out);
    out.is_empty()
}

/// The result of running the rules.
pub struct Analysis {
    /// In directory order, then rule order; uniqueness groups keep their members adjacent.
    pub findings: FindingList,
    pub uniqueness: uniqueness::Summary,
    /// Wall time of the per-object checks.
    pub checks_time: std::time::Duration,
    /// Wall time of duplicate and collision detection.
    pub collisions_time: std::time::Duration,
    /// Wall time of the suggestions' re-check ([`suggest::recheck`]).
    pub suggest_time: std::time::Duration,
    /// With a tenant (`--tenant`): the predicted outcome of each object.
    pub tenant: Option<crate::tenant::Prediction>,
    /// Wall time of tenant matching and its findings.
    pub tenant_time: std::time::Duration,
    /// The readiness outcome per feature (None with `--no-readiness`).
    pub readiness: Option<readiness::Report>,
}

/// Whether a rule's findings can differ between the engines on an object both synchronize:
/// the engine rules, and the duplicates and collisions (the other objects in scope differ).
pub fn engine_dependent(rule: &Rule) -> bool {
    engine::FAMILY.rules.contains(&rule) || uniqueness::FAMILY.rules.contains(&rule)
}

/// The findings of the rules [`engine_dependent`] names, for `--engine-diff`'s second engine.
pub fn run_engine_dependent(dir: &Directory, scope: &Scope, options: &RuleOptions) -> FindingList {
    let ctx = Context {
        dir,
        scope,
        options,
    };
    let rows: Vec<usize> = (0..dir.len()).filter(|r| scope.in_scope(*r)).collect();
    let per_object: Vec<Vec<Finding>> = rows
        .par_chunks(4096)
        .map(|chunk| {
            let mut out = Vec::new();
            for &row in chunk {
                engine::check(&ctx, row, &mut out);
            }
            out
        })
        .collect();
    let mut findings = FindingList::default();
    for chunk in per_object {
        findings.push_chunk(chunk);
    }
    let (unique_findings, groups, _, _) = uniqueness::check(&ctx);
    findings.push_chunk(unique_findings);
    findings.groups = groups;
    findings.push_chunk(engine::collective(&ctx));
    findings
}

/// Runs every rule of the profile over the in-scope objects.
pub fn run(dir: &Directory, scope: &Scope, options: &RuleOptions) -> Analysis {
    let ctx = Context {
        dir,
        scope,
        options,
    };
    // Per-object checks, in parallel over row ranges; results keep row order.
    let started = std::time::Instant::now();
    let rows: Vec<usize> = (0..dir.len()).filter(|r| scope.in_scope(*r)).collect();
    let per_object: Vec<Vec<Finding>> = rows
        .par_chunks(4096)
        .map(|chunk| {
            let mut out = Vec::new();
            for &row in chunk {
                registry::check_object(&ctx, row, &mut out);
            }
            out
        })
        .collect();
    let mut findings = FindingList::default();
    for chunk in per_object {
        findings.push_chunk(chunk);
    }
    let checks_time = started.elapsed();
    let started = std::time::Instant::now();
    // The uniqueness kernel, the engine's whole-directory audits and readiness do not depend
    // on each other, and the last two are mostly sequential: run side by side, they cost
    // about the kernel's time on two cores instead of the sum.
    let ((unique, collective), readiness) = rayon::join(
        || rayon::join(|| uniqueness::check(&ctx), || engine::collective(&ctx)),
        // Readiness looks at every object (in scope or not) and at whole forests.
        || {
            options
                .readiness
                .enabled
                .then(|| readiness::run(dir, scope, options))
        },
    );
    let (unique_findings, groups, index, summary) = unique;
    findings.push_chunk(unique_findings);
    findings.groups = groups;
    findings.push_chunk(collective);
    let collisions_time = started.elapsed();
    let started = std::time::Instant::now();
    suggest::recheck(&ctx, &index, &mut findings);
    let suggest_time = started.elapsed();
    let readiness = readiness.map(|(found, report)| {
        findings.push_chunk(found);
        report
    });
    let started = std::time::Instant::now();
    let prediction = options.tenant.as_deref().map(|t| {
        let prediction = crate::tenant::predict(dir, scope, t, options.engine);
        findings.push_chunk(tenant::check(&ctx, t, &prediction));
        prediction
    });
    Analysis {
        findings,
        uniqueness: summary,
        checks_time,
        collisions_time,
        suggest_time,
        tenant: prediction,
        tenant_time: started.elapsed(),
        readiness,
    }
}
