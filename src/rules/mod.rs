//! Rules: every sync blocker and degrader, one small module per family, all listed in
//! [`registry`]. A rule is a [`Rule`] (stable code, class, severity, documentation with its
//! source in sync-rules.md) plus the check in its family's module.
//!
//! To add a rule: declare its `Rule` and check in the family's module (or a new module), and
//! list it in `registry.rs`.

pub mod account;
pub mod address;
pub mod advisory;
pub mod alias;
pub mod domain;
pub mod large;
pub mod mail;
pub mod names;
pub mod proxy;
pub mod registry;
pub mod target;
pub mod uniqueness;
pub mod upn;

use crate::directory::Directory;
use crate::findings::{Action, Class, Finding, FindingList, Severity};
use crate::scope::Scope;
use rayon::prelude::*;
use std::collections::HashSet;

/// A rule's identity and documentation.
#[derive(Debug)]
pub struct Rule {
    /// Stable code, e.g. `SL101`.
    pub code: &'static str,
    pub slug: &'static str,
    pub class: Class,
    pub severity: Severity,
    pub attributes: &'static [&'static str],
    /// IdFix's error type where one applies (Character, Format, TopLevelDomain, …).
    pub idfix: Option<&'static str>,
    /// The Entra error or outcome it leads to.
    pub entra: &'static str,
    /// Where the rule comes from: a section and source key of sync-rules.md.
    pub source: &'static str,
    pub what: &'static str,
    pub why: &'static str,
    pub fix: &'static str,
    pub default_action: Action,
    /// Profiles that run it.
    pub profiles: &'static [Profile],
}

impl PartialEq for Rule {
    fn eq(&self, other: &Rule) -> bool {
        self.code == other.code
    }
}

/// Which rule set to apply.
#[derive(Copy, Clone, Debug, PartialEq, Eq, serde::Serialize, clap::ValueEnum)]
pub enum Profile {
    /// Microsoft's current documentation (Entra ID, Entra Connect).
    #[value(name = "entra")]
    #[serde(rename = "entra")]
    Entra,
    /// IdFix's Dedicated/ITAR rule set (sync-rules.md §1.4).
    #[value(name = "idfix-dedicated")]
    #[serde(rename = "idfix-dedicated")]
    IdfixDedicated,
}

/// Both profiles.
pub const ALL_PROFILES: &[Profile] = &[Profile::Entra, Profile::IdfixDedicated];
/// Only Microsoft's current rules.
pub const ENTRA: &[Profile] = &[Profile::Entra];
/// Only IdFix Dedicated.
pub const DEDICATED: &[Profile] = &[Profile::IdfixDedicated];

/// What the user told us about the tenant.
#[derive(Clone, Debug)]
pub struct RuleOptions {
    pub profile: Profile,
    /// Domains verified in the tenant (lower case), if known.
    pub verified_domains: Option<HashSet<String>>,
    /// `old=new` suffix replacements for suggested fixes (lower case).
    pub suffix_map: Vec<(String, String)>,
}

impl Default for RuleOptions {
    fn default() -> Self {
        RuleOptions {
            profile: Profile::Entra,
            verified_domains: None,
            suffix_map: Vec::new(),
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
    pub fn runs(&self, rule: &Rule) -> bool {
        rule.profiles.contains(&self.options.profile)
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

/// The result of running the rules.
pub struct Analysis {
    /// In directory order, then rule order; uniqueness groups keep their members adjacent.
    pub findings: FindingList,
    pub uniqueness: uniqueness::Summary,
    /// Wall time of the per-object checks.
    pub checks_time: std::time::Duration,
    /// Wall time of duplicate and collision detection and the suggestion re-checks.
    pub collisions_time: std::time::Duration,
}

/// Puts `other` into `slot`, which flags the same value of the same object: one row per
/// problem. The worse rule (the earlier on a tie) keeps the row; the other is named in its
/// note, and lends its group and suggestion if the row has none.
fn absorb(slot: &mut Finding, other: Finding) {
    let loser = if other.rule.severity > slot.rule.severity {
        std::mem::replace(slot, other)
    } else {
        other
    };
    let mut note = slot.note.take().map(String::from).unwrap_or_default();
    if !note.is_empty() {
        note.push_str("; ");
    }
    note.push_str(&format!("also {} ({})", loser.rule.code, loser.rule.slug));
    if let Some(n) = &loser.note {
        note.push_str(": ");
        note.push_str(n);
    }
    slot.note = Some(note.into());
    slot.group = slot.group.or(loser.group);
    if slot.suggested.is_none() {
        slot.suggested = loser.suggested;
    }
}

/// Merges the findings from `start` on (one object's) that flag the same attribute and value.
fn one_row_per_value(out: &mut Vec<Finding>, start: usize) {
    let mut i = start;
    while i + 1 < out.len() {
        let mut j = i + 1;
        while j < out.len() {
            if out[j].attribute == out[i].attribute && out[j].value == out[i].value {
                let later = out.remove(j);
                absorb(&mut out[i], later);
            } else {
                j += 1;
            }
        }
        i += 1;
    }
}

/// Merges per-object findings into the duplicate and collision finding for the same object,
/// attribute and value (which keeps its place beside its group).
fn merge_into_groups(per_object: &mut [Vec<Finding>], groups: &mut [Finding]) {
    let matches: Vec<(usize, usize, usize)> = {
        let index: rustc_hash::FxHashMap<(u32, &str, &str), usize> = groups
            .iter()
            .enumerate()
            .map(|(i, f)| ((f.row, f.attribute, f.value.as_str()), i))
            .collect();
        if index.is_empty() {
            return;
        }
        per_object
            .par_iter()
            .enumerate()
            .flat_map_iter(|(c, chunk)| {
                let index = &index;
                chunk.iter().enumerate().filter_map(move |(i, f)| {
                    index
                        .get(&(f.row, f.attribute, f.value.as_str()))
                        .map(|u| (c, i, *u))
                })
            })
            .collect()
    };
    let mut taken: Vec<(usize, usize)> = Vec::with_capacity(matches.len());
    for (c, i, u) in matches {
        absorb(&mut groups[u], per_object[c][i].clone());
        taken.push((c, i));
    }
    taken.sort_unstable();
    for (c, chunk) in per_object.iter_mut().enumerate() {
        let start = taken.partition_point(|t| t.0 < c);
        let end = taken.partition_point(|t| t.0 <= c);
        if start == end {
            continue;
        }
        let drop: Vec<usize> = taken[start..end].iter().map(|t| t.1).collect();
        let mut k = 0;
        chunk.retain(|_| {
            let keep = drop.binary_search(&k).is_err();
            k += 1;
            keep
        });
    }
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
                let start = out.len();
                for check in registry::OBJECT_CHECKS {
                    check(&ctx, row, &mut out);
                }
                one_row_per_value(&mut out, start);
            }
            out
        })
        .collect();
    let checks_time = started.elapsed();
    let started = std::time::Instant::now();
    let (mut unique_findings, index, summary) = uniqueness::check(&ctx);
    let mut per_object = per_object;
    merge_into_groups(&mut per_object, &mut unique_findings);
    let mut findings = FindingList::default();
    for chunk in per_object {
        findings.push_chunk(chunk);
    }
    findings.push_chunk(unique_findings);
    registry::recheck_suggestions(&ctx, &index, &mut findings);
    Analysis {
        findings,
        uniqueness: summary,
        checks_time,
        collisions_time: started.elapsed(),
    }
}
