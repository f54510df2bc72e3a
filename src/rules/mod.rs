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
    /// Keep the duplicates' value index in the result ([`Analysis::index`]): `--engine-diff`
    /// reuses it. It holds every unique value's hash (about 16 bytes each).
    pub keep_index: bool,
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
            keep_index: false,
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
    /// The value index of the duplicates, kept with [`RuleOptions::keep_index`] (for
    /// `--engine-diff`, [`other_engine`]).
    pub index: Option<uniqueness::Index>,
}

/// Whether a rule's findings can differ between the engines on an object both synchronize:
/// the engine rules, and the duplicates and collisions (the other objects in scope differ).
pub fn engine_dependent(rule: &Rule) -> bool {
    engine::FAMILY.rules.contains(&rule) || uniqueness::FAMILY.rules.contains(&rule)
}

/// What `--engine-diff` needs of the other engine's model ([`other_engine`]).
pub struct OtherEngine {
    /// Its findings of the rules that run under it alone, on every object in both scopes,
    /// and of every [`engine_dependent`] rule on the `affected` objects.
    pub findings: Vec<Finding>,
    /// Per row: an object in both scopes whose findings of the rules that run under both
    /// engines may differ between them. On every other object in both scopes they are the
    /// same under both engines (see [`other_engine`]), so they are not computed again.
    pub affected: Vec<bool>,
}

/// The other engine's findings where they can differ from this engine's, for
/// `--engine-diff`: `mine` is this engine's scope, `ctx` the other engine's (its scope and
/// options), `index` this engine's value index ([`uniqueness::index`]).
///
/// The rules that run under both engines depend on the engine only through the scope and
/// the anchor, so on an object in both scopes their findings can differ only if it shares
/// a unique value (its hash), an anchor or an objectSid with an object in one scope only,
/// or an anchor with an object whose anchor differs between the engines: those objects are
/// `affected`, and only the duplicates they take part in are computed again, over every
/// object of the other scope holding the same values. Computing the other engine in full
/// cost 1.5x one engine at 1M objects.
pub fn other_engine(
    ctx: &Context,
    mine: &Scope,
    index: &uniqueness::Index,
    forests: &crate::forest::Forests,
) -> OtherEngine {
    use crate::anchor::{anchor_bytes, may_differ};
    use rustc_hash::FxHashSet;
    let dir = ctx.dir;
    let theirs = ctx.scope;
    let other = ctx.options.engine;
    let this = match other {
        crate::vocab::Engine::Connect => crate::vocab::Engine::CloudSync,
        crate::vocab::Engine::CloudSync => crate::vocab::Engine::Connect,
    };
    let both = |r: usize| mine.in_scope(r) && theirs.in_scope(r);
    let n = dir.len();
    let changed: Vec<usize> = (0..n)
        .filter(|r| mine.in_scope(*r) != theirs.in_scope(*r))
        .collect();
    let mut affected = vec![false; n];

    // Duplicates and collisions: the values (hashes) of the objects in one scope only; the
    // objects in both scopes holding one; every object of the other scope holding any value
    // of those (their groups are then complete).
    let mut hashes: FxHashSet<u64> = uniqueness::entries_for(ctx, &changed)
        .iter()
        .map(|e| e.hash())
        .collect();
    let mut touched: Vec<usize> = hashes
        .iter()
        .flat_map(|h| index.rows_with_hash(*h))
        .map(|r| r as usize)
        .filter(|r| both(*r))
        .collect();
    touched.sort_unstable();
    touched.dedup();
    for &r in &touched {
        affected[r] = true;
    }
    hashes.extend(
        uniqueness::entries_for(ctx, &touched)
            .iter()
            .map(|e| e.hash()),
    );
    let mut holders: Vec<usize> = hashes
        .iter()
        .flat_map(|h| index.rows_with_hash(*h))
        .map(|r| r as usize)
        .chain(changed.iter().copied())
        .filter(|r| theirs.in_scope(*r))
        .collect();
    holders.sort_unstable();
    holders.dedup();
    let (chunks, _, _, _) = uniqueness::check_rows(ctx, &holders);
    let mut findings: Vec<Finding> = chunks.into_iter().flatten().collect();

    // Anchors and objectSids: the anchors (under each engine) of the objects in one scope
    // only and of those whose anchor differs; the objectSids of the objects in one scope.
    let mut anchors: FxHashSet<&[u8]> = FxHashSet::default();
    let mut sids: FxHashSet<crate::directory::SidKey> = FxHashSet::default();
    for &r in &changed {
        if mine.in_scope(r) {
            anchors.extend(anchor_bytes(dir, r, this).map(|a| a.0));
        } else {
            anchors.extend(anchor_bytes(dir, r, other).map(|a| a.0));
        }
        sids.extend(dir.object_sid.key(r));
    }
    for r in (0..n).filter(|r| both(*r) && may_differ(dir, *r)) {
        let (a, b) = (anchor_bytes(dir, r, this), anchor_bytes(dir, r, other));
        if a != b {
            affected[r] = true;
            anchors.extend(a.map(|a| a.0));
            anchors.extend(b.map(|b| b.0));
        }
    }
    let mut sharing: Vec<usize> = Vec::new();
    if !anchors.is_empty() || !sids.is_empty() {
        for (r, hit) in affected.iter_mut().enumerate() {
            let (in_mine, in_theirs) = (mine.in_scope(r), theirs.in_scope(r));
            if !in_mine && !in_theirs {
                continue;
            }
            let held = |engine| anchor_bytes(dir, r, engine).is_some_and(|a| anchors.contains(a.0));
            let sid = dir.object_sid.key(r).is_some_and(|s| sids.contains(&s));
            if in_mine && in_theirs && (sid || held(this) || held(other)) {
                *hit = true;
            }
            if in_theirs && (sid || held(other)) {
                sharing.push(r);
            }
        }
    }
    findings.extend(engine::shared_collective(ctx, &sharing, forests));

    // The per-object rules on the objects in both scopes (all of them on the affected ones,
    // for the anchor checks), and the engine's own collective rules.
    let rows: Vec<usize> = (0..n).filter(|r| both(*r)).collect();
    let per_object: Vec<Vec<Finding>> = rows
        .par_chunks(4096)
        .map(|chunk| {
            let mut out = Vec::new();
            for &row in chunk {
                engine::check(ctx, row, &mut out);
            }
            out
        })
        .collect();
    findings.extend(per_object.into_iter().flatten());
    let in_scope: Vec<usize> = (0..n).filter(|r| theirs.in_scope(*r)).collect();
    engine::engine_only_collective(ctx, &in_scope, forests, &mut findings);
    findings.retain(|f| engine::engine_only(f.rule) || affected[f.row as usize]);
    OtherEngine { findings, affected }
}

/// The per-object checks of every in-scope object, in parallel over row ranges, in chunks in
/// row order.
fn per_object_checks(ctx: &Context) -> Vec<Vec<Finding>> {
    let dir = ctx.dir;
    let rows: Vec<usize> = (0..dir.len()).filter(|r| ctx.scope.in_scope(*r)).collect();
    rows.par_chunks(4096)
        .map(|chunk| {
            let mut out = Vec::new();
            for &row in chunk {
                let first = out.len();
                registry::check_object(ctx, row, &mut out);
                // Held to the end of the run: the values are read from the directory where
                // it holds them. The copies are freed object by object, so the next object's
                // findings take the same blocks back from the allocator's cache: freed a
                // chunk at a time, they went through its slow paths (callgrind, 100k field
                // csvde: 78M more instructions, 0.7 %, once each finding's copy came in a box
                // of its own). The duplicate groups' findings keep their copies: they come
                // in hash order, at random rows, and reading their values back from the
                // table made the 1M field shape's workbook 0.3 s slower (3.85 s against
                // 3.26-3.50 s with copies).
                out[first..].iter_mut().for_each(|f| f.refer_to(dir));
            }
            out
        })
        .collect()
}

/// Runs every rule of the profile over the in-scope objects.
pub fn run(dir: &Directory, scope: &Scope, options: &RuleOptions) -> Analysis {
    let ctx = Context {
        dir,
        scope,
        options,
    };
    let started = std::time::Instant::now();
    // The per-object checks, the engine's whole-directory audits and readiness do not depend
    // on each other, and the last two are mostly sequential: run side by side, they cost
    // about the checks' time on two cores instead of the sum. They run before the uniqueness
    // kernel rather than beside it (as they did): their working sets (the anchors' and SIDs'
    // sort, readiness's forests) then never meet the kernel's entries, and the collisions
    // stage was the 1M field shape's peak.
    let (per_object, (collective, readiness)) = rayon::join(
        || per_object_checks(&ctx),
        || {
            rayon::join(
                || engine::collective(&ctx),
                // Readiness looks at every object (in scope or not) and at whole forests.
                || {
                    options
                        .readiness
                        .enabled
                        .then(|| readiness::run(dir, scope, options))
                },
            )
        },
    );
    let mut findings = FindingList::default();
    for chunk in per_object {
        findings.push_chunk(chunk);
    }
    let checks_time = started.elapsed();
    let started = std::time::Instant::now();
    let (unique_findings, groups, index, summary) = uniqueness::check(&ctx);
    for chunk in unique_findings {
        findings.push_chunk(chunk);
    }
    findings.groups = groups;
    findings.push_chunk(collective);
    let collisions_time = started.elapsed();
    let started = std::time::Instant::now();
    suggest::recheck(&ctx, &index, &mut findings);
    let suggest_time = started.elapsed();
    let index = options.keep_index.then_some(index);
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
        index,
    }
}
