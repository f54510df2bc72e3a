//! The JSON summary of a run (`--json`).

use crate::analyze::{Analysis, Timings};
use crate::findings::{Class, Severity};
use crate::ingest::{Encoding, Format};
use crate::rules::registry::RULES;
use crate::rules::uniqueness::GroupCount;
use crate::rules::Profile;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Serialize)]
pub struct Summary {
    pub version: &'static str,
    pub profile: Profile,
    pub verified_domains: Option<Vec<String>>,
    pub inputs: Vec<Input>,
    pub objects: Objects,
    pub findings: Findings,
    pub duplicates: BTreeMap<&'static str, GroupCount>,
    pub collisions: GroupCount,
    pub timings_ms: BTreeMap<&'static str, u128>,
    /// Against `--baseline`: new, resolved and unchanged findings.
    pub changes: Option<crate::baseline::Changes>,
    /// Every finding with its stable id (what a later `--baseline` compares with).
    pub items: Vec<crate::baseline::Item>,
}

#[derive(Serialize)]
pub struct Input {
    pub path: String,
    pub format: Option<Format>,
    pub encoding: Option<Encoding>,
    pub bytes: u64,
    pub objects: u64,
    pub rejected: u64,
    pub error: Option<String>,
}

#[derive(Serialize)]
pub struct Objects {
    pub read: u64,
    pub analyzed: u64,
    pub out_of_scope: u64,
    pub rejected: u64,
}

#[derive(Serialize)]
pub struct Findings {
    pub total: u64,
    pub by_class: BTreeMap<&'static str, u64>,
    pub by_rule: BTreeMap<&'static str, u64>,
    pub by_severity: BTreeMap<&'static str, u64>,
}

impl Summary {
    pub fn build(a: &Analysis, items: Vec<crate::baseline::Item>) -> Summary {
        let mut by_class: BTreeMap<&'static str, u64> =
            Class::ALL.iter().map(|c| (c.name(), 0)).collect();
        let mut by_rule: BTreeMap<&'static str, u64> = RULES
            .iter()
            .filter(|r| r.profiles.contains(&a.options.profile))
            .map(|r| (r.code, 0))
            .collect();
        let mut by_severity: BTreeMap<&'static str, u64> =
            [Severity::Error, Severity::Warning, Severity::Info]
                .iter()
                .map(|s| (s.name(), 0))
                .collect();
        for f in &a.findings {
            *by_class.entry(f.rule.class.name()).or_default() += 1;
            *by_rule.entry(f.rule.code).or_default() += 1;
            *by_severity.entry(f.rule.severity.name()).or_default() += 1;
        }
        let verified_domains = a.options.verified_domains.as_ref().map(|v| {
            let mut d: Vec<String> = v.iter().cloned().collect();
            d.sort();
            d
        });
        let Timings {
            read,
            scope,
            rules,
            collisions,
            workbook,
        } = &a.timings;
        Summary {
            version: env!("CARGO_PKG_VERSION"),
            profile: a.options.profile,
            verified_domains,
            inputs: a
                .ingest
                .files
                .iter()
                .map(|f| Input {
                    path: f.path.clone(),
                    format: f.format,
                    encoding: f.encoding,
                    bytes: f.bytes,
                    objects: f.objects,
                    rejected: f.rejected,
                    error: f.error.clone(),
                })
                .collect(),
            objects: Objects {
                read: a.ingest.objects_read(),
                analyzed: a.scope.analyzed(),
                out_of_scope: a.scope.out_of_scope(),
                rejected: a.ingest.objects_rejected(),
            },
            findings: Findings {
                total: a.findings.len() as u64,
                by_class,
                by_rule,
                by_severity,
            },
            duplicates: a.uniqueness.duplicates.clone(),
            collisions: a.uniqueness.collisions,
            timings_ms: [
                ("read", read.as_millis()),
                ("scope", scope.as_millis()),
                ("rules", rules.as_millis()),
                ("collisions", collisions.as_millis()),
                ("workbook", workbook.as_millis()),
            ]
            .into_iter()
            .collect(),
            changes: a.changes.clone(),
            items,
        }
    }
}
