//! `--engine-diff`: the move from Entra Connect Sync to Entra Cloud Sync, from both engines'
//! models run on the same inputs. Every object whose outcome differs is listed: in scope
//! under one engine only (with the other's reason), a rule that fires under one engine only,
//! an anchor (immutableId) that changes. Then the readiness for Microsoft's migration tool,
//! whose documented eligibility is one forest, at most 2,000 objects in scope and at most 30
//! included containers per domain
//! (<https://learn.microsoft.com/entra/identity/hybrid/cloud-sync/migrate-connect-sync-cloud-sync-tool>).

use crate::anchor::{self, Engine};
use crate::directory::{domain_part, Directory, ObjectKind};
use crate::findings::Finding;
use crate::forest::Forests;
use crate::scope::{Scope, ScopeOptions};
use crate::vocab::Rule;
use std::collections::BTreeSet;

/// The migration tool's limits.
pub const MIGRATION_MAX_OBJECTS: u64 = 2_000;
pub const MIGRATION_MAX_CONTAINERS: usize = 30;

/// How one object's outcome differs between the engines.
#[derive(Clone, Debug, PartialEq)]
pub enum DiffKind {
    /// Synchronized by this engine only; the other engine's reason in the detail.
    InScopeOnlyUnder(Engine),
    /// The rule fires under this engine only.
    RuleOnlyUnder(Engine, &'static Rule),
    /// The source anchor is not the same: Connect's, then Cloud Sync's, in the detail.
    AnchorChanges,
}

impl DiffKind {
    /// A short label for reports.
    pub fn label(&self) -> String {
        match self {
            DiffKind::InScopeOnlyUnder(e) => format!("in scope only under {}", e.name()),
            DiffKind::RuleOnlyUnder(e, r) => format!("{} only under {}", r.code, e.name()),
            DiffKind::AnchorChanges => "anchor changes".into(),
        }
    }
}

/// One difference.
#[derive(Clone, Debug)]
pub struct Difference {
    pub row: usize,
    pub kind: DiffKind,
    pub detail: String,
}

/// One line of the migration-tool readiness block.
#[derive(Clone, Debug, serde::Serialize)]
pub struct ReadinessItem {
    pub check: &'static str,
    pub found: String,
    pub limit: &'static str,
    /// `ok`, `blocker` or `not checked`.
    pub status: &'static str,
}

/// What `--engine-diff` found.
#[derive(Clone, Debug, Default)]
pub struct EngineDiff {
    /// By row, then kind.
    pub differences: Vec<Difference>,
    pub readiness: Vec<ReadinessItem>,
    /// Objects in scope under each engine (Connect, Cloud Sync).
    pub in_scope: (u64, u64),
    /// The time the second engine's model took (scope, rules, comparison).
    pub time: std::time::Duration,
}

impl EngineDiff {
    /// The readiness verdict: a blocker, or none seen with some items not checked.
    pub fn verdict(&self) -> &'static str {
        if self.readiness.iter().any(|i| i.status == "blocker") {
            "not eligible for the migration tool"
        } else if self.readiness.iter().any(|i| i.status == "not checked") {
            "no blocker seen in the export; the items not checked decide"
        } else {
            "eligible as far as the export shows"
        }
    }

    /// Differences per kind label (`in scope only under cloud-sync` …), for summaries.
    pub fn counts(&self) -> std::collections::BTreeMap<String, u64> {
        let mut out = std::collections::BTreeMap::new();
        for d in &self.differences {
            let key = match &d.kind {
                DiffKind::RuleOnlyUnder(e, _) => format!("rule only under {}", e.name()),
                other => other.label(),
            };
            *out.entry(key).or_default() += 1;
        }
        out
    }
}

/// One engine's outcome.
pub struct Outcome<'a> {
    pub engine: Engine,
    pub scope: &'a Scope,
    /// The findings of the rules whose findings can differ between the engines
    /// ([`crate::rules::engine_dependent`]): (row, rule), sorted, each once.
    rules: Vec<(usize, &'static Rule)>,
    /// `None` when `rules` is complete; else the objects on which the findings of the rules
    /// that run under both engines are known (those of the rules that run under this engine
    /// alone are known everywhere): see [`crate::rules::other_engine`].
    affected: Option<&'a [bool]>,
}

impl<'a> Outcome<'a> {
    /// Every finding of the engine.
    pub fn complete(
        engine: Engine,
        scope: &'a Scope,
        findings: impl IntoIterator<Item = &'a Finding>,
    ) -> Outcome<'a> {
        let mut rules: Vec<(usize, &'static Rule)> = findings
            .into_iter()
            .filter(|f| crate::rules::engine_dependent(f.rule))
            .map(|f| (f.row as usize, f.rule))
            .collect();
        rules.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(a.1.code.cmp(b.1.code)));
        rules.dedup_by(|a, b| a.0 == b.0 && a.1.code == b.1.code);
        Outcome {
            engine,
            scope,
            rules,
            affected: None,
        }
    }

    /// The findings [`crate::rules::other_engine`] computed.
    pub fn partial(
        engine: Engine,
        scope: &'a Scope,
        other: &'a crate::rules::OtherEngine,
    ) -> Outcome<'a> {
        Outcome {
            affected: Some(&other.affected),
            ..Outcome::complete(engine, scope, &other.findings)
        }
    }

    /// Whether the rule's findings on the object are known.
    fn knows(&self, row: usize, rule: &Rule) -> bool {
        crate::rules::engine::engine_only(rule)
            || self
                .affected
                .is_none_or(|a| a.get(row).copied().unwrap_or(false))
    }
}

/// Compares Connect's and Cloud Sync's outcomes on the same directory (`forests` its
/// forests).
pub fn compare(
    dir: &Directory,
    connect: &Outcome,
    cloud: &Outcome,
    scope_options: &ScopeOptions,
    forests: &Forests,
) -> EngineDiff {
    let mut differences = Vec::new();
    for row in 0..dir.len() {
        let (a, b) = (connect.scope.in_scope(row), cloud.scope.in_scope(row));
        match (a, b) {
            (true, false) => differences.push(Difference {
                row,
                kind: DiffKind::InScopeOnlyUnder(Engine::Connect),
                detail: format!("Cloud Sync: {}", cloud.scope.reason(row).unwrap_or("")),
            }),
            (false, true) => differences.push(Difference {
                row,
                kind: DiffKind::InScopeOnlyUnder(Engine::CloudSync),
                detail: format!("Connect: {}", connect.scope.reason(row).unwrap_or("")),
            }),
            // Only an object with a ConsistencyGuid or a linked mailbox can change anchor.
            (true, true) if anchor::may_differ(dir, row) => {
                let ca = anchor::source_anchor(dir, row, Engine::Connect);
                let cb = anchor::source_anchor(dir, row, Engine::CloudSync);
                if ca != cb {
                    let show = |a: &Option<anchor::Anchor>| {
                        a.as_ref().map_or("none".to_string(), |a| {
                            format!("{} ({})", a.base64(), a.from.name())
                        })
                    };
                    differences.push(Difference {
                        row,
                        kind: DiffKind::AnchorChanges,
                        detail: format!("Connect {} → Cloud Sync {}", show(&ca), show(&cb)),
                    });
                }
            }
            _ => {}
        }
    }
    // Rules that fire under one engine only, on objects both engines synchronize (where
    // both outcomes know the rule's findings on the object).
    let both = |row: usize| connect.scope.in_scope(row) && cloud.scope.in_scope(row);
    for (engine, mine, theirs) in [
        (Engine::Connect, connect, cloud),
        (Engine::CloudSync, cloud, connect),
    ] {
        for &(row, rule) in &mine.rules {
            let known = both(row) && mine.knows(row, rule) && theirs.knows(row, rule);
            let found = |(r, x): &(usize, &'static Rule)| (*r, x.code).cmp(&(row, rule.code));
            if known && theirs.rules.binary_search_by(found).is_err() {
                differences.push(Difference {
                    row,
                    kind: DiffKind::RuleOnlyUnder(engine, rule),
                    detail: rule.entra.to_string(),
                });
            }
        }
    }
    differences.sort_by(|a, b| a.row.cmp(&b.row).then(a.kind.label().cmp(&b.kind.label())));
    let in_scope = (connect.scope.analyzed(), cloud.scope.analyzed());
    let readiness = readiness(dir, connect.scope, scope_options, in_scope.0, forests);
    EngineDiff {
        differences,
        readiness,
        in_scope,
        time: std::time::Duration::ZERO,
    }
}

/// The migration tool's eligibility, as far as an export shows it.
fn readiness(
    dir: &Directory,
    connect: &Scope,
    scope_options: &ScopeOptions,
    objects: u64,
    forests: &Forests,
) -> Vec<ReadinessItem> {
    let in_scope_forests: BTreeSet<u32> = (0..dir.len())
        .filter(|r| connect.in_scope(*r))
        .map(|r| forests.of_row[r])
        .collect();
    let status = |ok: bool| if ok { "ok" } else { "blocker" };
    let mut items = vec![
        ReadinessItem {
            check: "Forests with objects in scope",
            found: in_scope_forests.len().to_string(),
            limit: "1",
            status: status(in_scope_forests.len() <= 1),
        },
        ReadinessItem {
            check: "Objects in scope (under Connect)",
            found: crate::text::count(objects),
            limit: "at most 2,000",
            status: status(objects <= MIGRATION_MAX_OBJECTS),
        },
    ];
    if scope_options.include_ou.is_empty() {
        items.push(ReadinessItem {
            check: "Included containers per domain",
            found: "not checked: give Connect's OU filter as --include-ou".into(),
            limit: "at most 30",
            status: "not checked",
        });
    } else {
        let mut per_domain: std::collections::BTreeMap<String, usize> = Default::default();
        for ou in &scope_options.include_ou {
            *per_domain
                .entry(domain_part(ou).to_ascii_lowercase())
                .or_default() += 1;
        }
        let most = per_domain.values().copied().max().unwrap_or(0);
        items.push(ReadinessItem {
            check: "Included containers per domain",
            found: format!("{most} (most in one domain)"),
            limit: "at most 30",
            status: status(most <= MIGRATION_MAX_CONTAINERS),
        });
    }
    items.push(ReadinessItem {
        check: "Group filtering",
        found: if scope_options.include_group.is_empty() {
            "none given (--include-group)".into()
        } else {
            format!("{} groups given", scope_options.include_group.len())
        },
        limit: "none",
        status: if scope_options.include_group.is_empty() {
            "ok"
        } else {
            "blocker"
        },
    });
    let devices = (0..dir.len())
        .filter(|r| connect.in_scope(*r) && dir.kind[*r] == ObjectKind::Computer)
        .count() as u64;
    items.push(ReadinessItem {
        check: "Device sync (computers Connect synchronizes)",
        found: crate::text::count(devices),
        limit: "none",
        status: status(devices == 0),
    });
    items.push(ReadinessItem {
        check: "Custom sync rules, alternate login ID, directory extensions, writeback",
        found: "not checked: Connect's configuration is not in an export".into(),
        limit: "none",
        status: "not checked",
    });
    items
}
