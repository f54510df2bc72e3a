//! `synclint fix`: from the reviewed workbook to an LDIF change file (and its undo file).
//!
//! Every EDIT and REMOVE is checked before it is written: the object and the original value
//! must still be in the export, the new value must pass every rule of its attribute and
//! collide with no existing value nor with another edit. Refused rows are listed with the
//! reason and left out (`--strict` fails instead).

pub mod ldif;
pub mod reviewed;

use crate::directory::{Attr, AttrShape};
use crate::error::Error;
use crate::ingest::{read_files, ReadOptions};
use crate::rules::uniqueness::{self, key_of};
use crate::rules::{registry, Context, RuleOptions};
use crate::scope::{self, ScopeOptions};
use reviewed::{Reviewed, ReviewedRow};
use rustc_hash::FxHashMap;
use std::path::PathBuf;

/// One LDAP change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op {
    /// Single-valued attribute: `replace:` old with new.
    Replace {
        attr: String,
        old: String,
        new: String,
    },
    /// Single-valued attribute that had no value (a missing UPN): `add:`.
    Add { attr: String, new: String },
    /// One value of a multi-valued attribute: `delete:` old, `add:` new, in one record.
    Swap {
        attr: String,
        old: String,
        new: String,
    },
    /// `delete:` one value.
    Delete { attr: String, value: String },
}

/// A change to one object, and the workbook row it came from.
#[derive(Clone, Debug)]
pub struct Edit {
    pub dn: String,
    pub op: Op,
    pub sheet: String,
    pub line: usize,
}

/// A row that was not turned into a change, and why.
#[derive(Clone, Debug)]
pub struct Refused {
    pub sheet: String,
    pub line: usize,
    pub dn: String,
    pub attribute: String,
    pub reason: String,
}

/// What `fix` will write.
#[derive(Clone, Debug, Default)]
pub struct Plan {
    pub edits: Vec<Edit>,
    pub refused: Vec<Refused>,
    /// Rows marked COMPLETE, IGNORE or left empty.
    pub untouched: usize,
}

/// An object's value: (lower-case DN, lower-case attribute, value).
type ValueKey = (String, String, String);

/// Options of `fix`.
#[derive(Clone, Debug, Default)]
pub struct FixOptions {
    /// Check against these current exports instead of the inputs recorded in the workbook.
    pub exports: Vec<PathBuf>,
    pub rules: RuleOptions,
    /// Keep the exports' text columns in mapped files here (see `ReadOptions::spill_dir`).
    pub spill_dir: Option<PathBuf>,
}

/// Builds the plan for a reviewed workbook.
pub fn plan(reviewed: &Reviewed, options: &FixOptions) -> Result<Plan, Error> {
    let exports: Vec<PathBuf> = if options.exports.is_empty() {
        reviewed.inputs.iter().map(|(p, _)| p.clone()).collect()
    } else {
        options.exports.clone()
    };
    if exports.is_empty() {
        return Err(Error::Fix(
            "the workbook records no inputs; pass --export FILE".into(),
        ));
    }
    let ingest = read_files(
        &exports,
        &ReadOptions {
            sha256: true,
            spill_dir: options.spill_dir.clone(),
            ..ReadOptions::default()
        },
    );
    if let Some(failed) = ingest.failed_files().next() {
        return Err(Error::Fix(format!(
            "{} (pass --export with the current export)",
            failed.error.as_deref().unwrap_or("an input can't be read")
        )));
    }
    if options.exports.is_empty() {
        // Without --export the recorded inputs must be the very files the workbook came from.
        for ((path, recorded), file) in reviewed.inputs.iter().zip(&ingest.files) {
            if file.sha256.as_deref() != Some(recorded.as_str()) {
                return Err(Error::Fix(format!(
                    "{} changed since the workbook was made (SHA-256 differs); pass --export FILE to check each edit against the current export",
                    path.display()
                )));
            }
        }
    }
    let dir = &ingest.directory;
    let scope = scope::decide(dir, &ScopeOptions::default(), options.rules.profile);
    let ctx = Context {
        dir,
        scope: &scope,
        options: &options.rules,
    };
    let (_, index, _) = uniqueness::check(&ctx);
    let mut rows_by_dn: FxHashMap<String, usize> = FxHashMap::default();
    for row in (0..dir.len()).rev() {
        if let Some(dn) = dir.dn.get(row) {
            rows_by_dn.insert(crate::dn::normalized(dn), row);
        }
    }

    let mut plan = Plan::default();
    // (space, normalized new value) → the edit that claimed it.
    let mut claimed: FxHashMap<(uniqueness::Space, String), (String, usize)> = FxHashMap::default();
    // (dn, attribute, old value) already changed by an earlier row.
    let mut touched: FxHashMap<ValueKey, (String, usize, Option<String>)> = FxHashMap::default();
    for r in &reviewed.rows {
        let refuse = |reason: String| Refused {
            sheet: r.sheet.clone(),
            line: r.line,
            dn: r.dn.clone(),
            attribute: r.attribute.clone(),
            reason,
        };
        if !matches!(r.action.as_str(), "EDIT" | "REMOVE") {
            if !matches!(r.action.as_str(), "" | "COMPLETE" | "IGNORE") {
                plan.refused.push(refuse(format!(
                    "unknown action {:?} (EDIT, REMOVE, COMPLETE, IGNORE)",
                    r.action
                )));
            } else {
                plan.untouched += 1;
            }
            continue;
        }
        match check(&ctx, &index, &rows_by_dn, r) {
            Err(reason) => plan.refused.push(refuse(reason)),
            Ok(op) => {
                let new = match &op {
                    Op::Replace { new, .. } | Op::Add { new, .. } | Op::Swap { new, .. } => {
                        Some(new.clone())
                    }
                    Op::Delete { .. } => None,
                };
                let key = (
                    crate::dn::normalized(&r.dn),
                    r.attribute.to_ascii_lowercase(),
                    r.value.clone(),
                );
                if let Some((sheet, line, earlier)) = touched.get(&key) {
                    // The same value flagged on two sheets: one change, if they agree.
                    if *earlier != new {
                        plan.refused.push(refuse(format!(
                            "conflicts with the change in {sheet} row {line}"
                        )));
                    }
                    continue;
                }
                if let Some(new) = &new {
                    if let Some((space, value)) = key_of(&r.attribute, new) {
                        let k = (space, value.to_lowercase());
                        if let Some((sheet, line)) = claimed.get(&k) {
                            plan.refused.push(refuse(format!(
                                "{new:?} collides with the edit in {sheet} row {line}"
                            )));
                            continue;
                        }
                        claimed.insert(k, (r.sheet.clone(), r.line));
                    }
                }
                touched.insert(key, (r.sheet.clone(), r.line, new));
                let dn = dir
                    .dn
                    .get(rows_by_dn[&crate::dn::normalized(&r.dn)])
                    .unwrap_or(&r.dn)
                    .to_string();
                plan.edits.push(Edit {
                    dn,
                    op,
                    sheet: r.sheet.clone(),
                    line: r.line,
                });
            }
        }
    }
    Ok(plan)
}

/// Turns one reviewed row into a change, or says why not.
fn check(
    ctx: &Context,
    index: &uniqueness::Index,
    rows_by_dn: &FxHashMap<String, usize>,
    r: &ReviewedRow,
) -> Result<Op, String> {
    let attr = Attr::from_name(r.attribute.as_bytes())
        .filter(|a| matches!(a.shape(), AttrShape::Text | AttrShape::TextList) && *a != Attr::Cn)
        .ok_or_else(|| format!("{} can't be changed by fix (only text attributes and proxyAddresses; cn means a rename)", r.attribute))?;
    let name = attr.ldap_name().to_string();
    let row = *rows_by_dn
        .get(&crate::dn::normalized(&r.dn))
        .ok_or_else(|| "the object is not in the export".to_string())?;
    let dir = ctx.dir;
    let multi = attr.shape() == AttrShape::TextList;
    let current: Option<&str> = if multi {
        dir.proxy_addresses.get(row).find(|v| *v == r.value)
    } else {
        dir.text(attr, row)
    };
    let absent_and_expected = !multi && current.is_none() && r.value.is_empty();
    if !absent_and_expected && current != Some(r.value.as_str()) {
        return Err(match current {
            Some(now) if !multi => {
                format!("the value changed since the workbook was made (now {now:?})")
            }
            _ => format!("{:?} is no longer in the export", r.value),
        });
    }
    if r.action == "REMOVE" {
        if absent_and_expected {
            return Err("REMOVE of a value that is absent".into());
        }
        return Ok(Op::Delete {
            attr: name,
            value: r.value.clone(),
        });
    }
    let new = r.update.trim_end_matches(['\r', '\n']).to_string();
    if new.is_empty() {
        return Err("EDIT without an Update value (use REMOVE to delete the value)".into());
    }
    if new == r.value {
        return Err("Update is the same as the current value".into());
    }
    if let Some(rule) = registry::validate(ctx, row, &name, &new) {
        return Err(format!("{new:?} would break {} ({})", rule.code, rule.slug));
    }
    if let Some((space, key)) = key_of(&name, &new) {
        if let Some(other) = index.holders(ctx, space, key, row as u32).first() {
            return Err(format!(
                "{new:?} collides with an existing value of {}",
                dir.dn.get(*other as usize).unwrap_or("another object")
            ));
        }
    }
    Ok(if multi {
        Op::Swap {
            attr: name,
            old: r.value.clone(),
            new,
        }
    } else if absent_and_expected {
        Op::Add { attr: name, new }
    } else {
        Op::Replace {
            attr: name,
            old: r.value.clone(),
            new,
        }
    })
}
