//! `synclint fix`: from the reviewed workbook to an LDIF change file (and its undo file).
//!
//! Only rows whose Action a reviewer set are acted on: `analyze` leaves Action empty and
//! shows its recommendation in a column of its own. Every EDIT and REMOVE is checked before it
//! is written, under the analysis's own options (recorded in the workbook): the object and the
//! original value must still be in the export, the new value must pass every rule of its
//! attribute (those the profile runs) and collide with no existing value nor with another
//! edit, no change may leave two proxyAddresses equal ignoring case or delete by a value
//! another one equals (see `Lists`), and the chosen changes together must leave every
//! duplicate value on at least one holder. Refused rows are listed with the reason and left
//! out (`--strict` fails instead).

pub mod ldif;
pub mod reviewed;

use crate::context::AnalysisContext;
use crate::directory::{Attr, AttrShape, Directory};
use crate::domain::is_discarded_address;
use crate::error::Error;
use crate::ingest::{read_files, ReadOptions};
use crate::rules::uniqueness::{self, key_of};
use crate::rules::{account, registry, Context};
use crate::scope;
use reviewed::{Reviewed, ReviewedRow};
use rustc_hash::{FxHashMap, FxHashSet};
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

impl Edit {
    /// A change to a name the user signs in with (userPrincipalName, sAMAccountName): the
    /// user must be told before it is imported.
    pub(crate) fn changes_sign_in(&self) -> bool {
        is_sign_in(self.op.attr())
    }
}

impl Op {
    pub fn attr(&self) -> &str {
        match self {
            Op::Replace { attr, .. }
            | Op::Add { attr, .. }
            | Op::Swap { attr, .. }
            | Op::Delete { attr, .. } => attr,
        }
    }

    /// What the change does, for counting: "replace userPrincipalName".
    pub fn kind(&self) -> String {
        let verb = match self {
            Op::Replace { .. } => "replace",
            Op::Add { .. } => "add",
            Op::Swap { .. } => "delete+add",
            Op::Delete { .. } => "delete",
        };
        format!("{verb} {}", self.attr())
    }

    /// The value written, if any.
    pub fn new_value(&self) -> Option<&str> {
        match self {
            Op::Replace { new, .. } | Op::Add { new, .. } | Op::Swap { new, .. } => Some(new),
            Op::Delete { .. } => None,
        }
    }

    /// The value taken away, if any.
    pub fn old_value(&self) -> Option<&str> {
        match self {
            Op::Replace { old, .. } | Op::Swap { old, .. } => Some(old),
            Op::Delete { value, .. } => Some(value),
            Op::Add { .. } => None,
        }
    }
}

/// The attributes a user signs in with.
pub(crate) fn is_sign_in(attribute: &str) -> bool {
    attribute.eq_ignore_ascii_case("userPrincipalName")
        || attribute.eq_ignore_ascii_case("sAMAccountName")
}

/// Why a row was refused, as a kind (for the summary's counts) …
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Refusal {
    UnknownAction,
    NotChangeable,
    NotInExport,
    ValueChanged,
    NoUpdate,
    SameValue,
    BreaksRule,
    CollidesWithValue,
    CollidesWithEdit,
    ConflictingRows,
    LeavesNoHolder,
    HeldIgnoringCase,
    AmbiguousValue,
}

impl Refusal {
    pub fn label(self) -> &'static str {
        match self {
            Refusal::UnknownAction => "unknown action",
            Refusal::NotChangeable => "attribute fix can't change",
            Refusal::NotInExport => "object or value no longer in the export",
            Refusal::ValueChanged => "value changed since the analysis",
            Refusal::NoUpdate => "EDIT without an Update value",
            Refusal::SameValue => "Update equals the current value",
            Refusal::BreaksRule => "new value would break a rule",
            Refusal::CollidesWithValue => "new value collides with an existing value",
            Refusal::CollidesWithEdit => "new value collides with another chosen edit",
            Refusal::ConflictingRows => "two rows ask different things of one value",
            Refusal::LeavesNoHolder => "no holder would keep a duplicate value",
            Refusal::HeldIgnoringCase => "new value already on the object, ignoring case",
            Refusal::AmbiguousValue => "another value of the object equals it ignoring case",
        }
    }
}

/// A row that was not turned into a change, and why.
#[derive(Clone, Debug)]
pub struct Refused {
    pub sheet: String,
    pub line: usize,
    pub dn: String,
    pub attribute: String,
    pub value: String,
    pub action: String,
    pub update: String,
    pub kind: Refusal,
    pub reason: String,
}

/// What `fix` will write.
#[derive(Clone, Debug, Default)]
pub struct Plan {
    pub edits: Vec<Edit>,
    pub refused: Vec<Refused>,
    /// Rows whose Action nobody set: nothing is done with them.
    pub not_chosen: usize,
    /// Rows marked COMPLETE or IGNORE: a reviewer's note, nothing to change.
    pub noted: usize,
    /// Rows that asked for the same change as an earlier row (one value on two sheets).
    pub repeated: usize,
}

impl Plan {
    /// Every finding row of the workbook.
    pub fn rows(&self) -> usize {
        self.edits.len() + self.refused.len() + self.not_chosen + self.noted + self.repeated
    }

    /// Rows a reviewer set to EDIT or REMOVE (or to something unknown).
    pub fn chosen(&self) -> usize {
        self.edits.len() + self.refused.len() + self.repeated
    }

    /// The changes counted by kind ("replace userPrincipalName", "delete proxyAddresses" …).
    pub fn changes_by_kind(&self) -> Vec<(String, usize)> {
        let mut counts: std::collections::BTreeMap<String, usize> = Default::default();
        for e in &self.edits {
            *counts.entry(e.op.kind()).or_default() += 1;
        }
        counts.into_iter().collect()
    }

    /// The refused rows by kind, most frequent first, each with its rows in workbook order.
    pub fn refusals_by_kind(&self) -> Vec<(Refusal, Vec<&Refused>)> {
        let mut kinds: FxHashMap<Refusal, Vec<&Refused>> = FxHashMap::default();
        for r in &self.refused {
            kinds.entry(r.kind).or_default().push(r);
        }
        let mut out: Vec<(Refusal, Vec<&Refused>)> = kinds.into_iter().collect();
        out.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(&b.0)));
        out
    }

    /// The objects whose sign-in names change, with the attributes, in the order of the edits.
    pub fn sign_in_changes(&self) -> Vec<(&str, Vec<&str>)> {
        let mut out: Vec<(&str, Vec<&str>)> = Vec::new();
        for e in self.edits.iter().filter(|e| e.changes_sign_in()) {
            match out
                .iter_mut()
                .find(|(dn, _)| dn.eq_ignore_ascii_case(&e.dn))
            {
                Some((_, attrs)) if !attrs.contains(&e.op.attr()) => attrs.push(e.op.attr()),
                Some(_) => {}
                None => out.push((&e.dn, vec![e.op.attr()])),
            }
        }
        out
    }
}

/// The refused rows as CSV (UTF-8 with a BOM, so that Excel reads accents right; cells that
/// would start a formula are quoted as in the findings CSV).
pub fn write_refused_csv(refused: &[Refused], w: &mut dyn std::io::Write) -> std::io::Result<()> {
    use crate::report::csv::safe_cell;
    w.write_all(b"\xEF\xBB\xBF")?;
    let mut out = csv::Writer::from_writer(w);
    out.write_record([
        "sheet",
        "row",
        "dn",
        "attribute",
        "value",
        "action",
        "update",
        "refusal",
        "reason",
    ])?;
    for r in refused {
        let line = r.line.to_string();
        let fields = [
            r.sheet.as_str(),
            &line,
            &r.dn,
            &r.attribute,
            &r.value,
            &r.action,
            &r.update,
            r.kind.label(),
            &r.reason,
        ];
        out.write_record(fields.iter().map(|v| safe_cell(v).into_owned()))?;
    }
    out.flush()
}

/// An object's value: (lower-case DN, lower-case attribute, value).
type ValueKey = (String, String, String);

/// Options of `fix`.
#[derive(Clone, Debug, Default)]
pub struct FixOptions {
    /// The exports to check each change against: the inputs recorded in the workbook (see
    /// [`AnalysisContext::locate_inputs`]) or the current exports given with `--export`.
    pub exports: Vec<PathBuf>,
    /// `exports` are the recorded inputs: each must be unchanged (same SHA-256).
    pub recorded: bool,
    /// Keep the exports' text columns in mapped files here (see `ReadOptions::spill_dir`).
    pub spill_dir: Option<PathBuf>,
}

/// The analysis context of a reviewed workbook, or why `fix` can't use the workbook.
pub fn context(reviewed: &Reviewed) -> Result<&AnalysisContext, Error> {
    let context = match &reviewed.context {
        Some(Ok(c)) => c,
        Some(Err(why)) => return Err(Error::Fix(format!("the workbook's analysis context can't be read: {why}; run analyze again"))),
        None => return Err(Error::Fix(
            "the workbook has no analysis context: it was written by an older synclint, whose Action column was filled in by synclint rather than by a reviewer; run analyze again and review the new workbook".into(),
        )),
    };
    if context.redacted {
        return Err(Error::Fix(
            "the workbook was written with --redact: its values are pseudonyms that match nothing in the export; run analyze without --redact for the workbook you review".into(),
        ));
    }
    Ok(context)
}

/// A change that passed its row's checks, before the checks across rows.
struct Candidate<'r> {
    review: &'r ReviewedRow,
    /// Row of the object in the directory.
    row: usize,
    op: Op,
}

/// Builds the plan for a reviewed workbook: only the rows whose Action a reviewer set.
pub fn plan(reviewed: &Reviewed, options: &FixOptions) -> Result<Plan, Error> {
    let context = context(reviewed)?;
    let exports = &options.exports;
    if exports.is_empty() {
        return Err(Error::Fix(
            "the workbook records no inputs; pass --export FILE".into(),
        ));
    }
    let ingest = read_files(
        exports,
        &ReadOptions {
            sha256: true,
            format: context.format,
            encoding: context.encoding,
            max_record_bytes: context.max_record_bytes,
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
    if options.recorded {
        // The recorded inputs must be the very files the workbook came from.
        for (recorded, file) in context.inputs.iter().zip(&ingest.files) {
            if file.sha256.as_deref() != Some(recorded.sha256.as_str()) {
                return Err(Error::Fix(format!(
                    "{} changed since the workbook was made (SHA-256 differs); pass --export FILE to check each change against the current export",
                    file.path
                )));
            }
        }
    }
    let dir = &ingest.directory;
    let rule_options = context.rule_options();
    let scope = scope::decide(dir, &context.scope_options(), rule_options.profile);
    let ctx = Context {
        dir,
        scope: &scope,
        options: &rule_options,
    };
    let (_, _, index, _) = uniqueness::check(&ctx);
    // Only built when a row edits a sAMAccountName: names in use, by domain.
    let taken = reviewed
        .rows
        .iter()
        .any(|r| r.action == "EDIT" && r.attribute.eq_ignore_ascii_case("sAMAccountName"))
        .then(|| account::TakenNames::new(dir));
    let mut rows_by_dn: FxHashMap<String, usize> = FxHashMap::default();
    for row in (0..dir.len()).rev() {
        if let Some(dn) = dir.dn.get(row) {
            rows_by_dn.insert(crate::dn::normalized(dn), row);
        }
    }

    let mut plan = Plan::default();
    let refuse = |r: &ReviewedRow, kind: Refusal, reason: String| Refused {
        sheet: r.sheet.clone(),
        line: r.line,
        dn: r.dn.clone(),
        attribute: r.attribute.clone(),
        value: r.value.clone(),
        action: r.action.clone(),
        update: r.update.clone(),
        kind,
        reason,
    };
    // Each chosen row on its own.
    let mut candidates: Vec<Candidate> = Vec::new();
    // (dn, attribute, old value) already changed by an earlier row: the new value it gets.
    let mut touched: FxHashMap<ValueKey, (String, usize, Option<String>)> = FxHashMap::default();
    let mut lists = Lists::default();
    for r in &reviewed.rows {
        match r.action.as_str() {
            "" => {
                plan.not_chosen += 1;
                continue;
            }
            "COMPLETE" | "IGNORE" => {
                plan.noted += 1;
                continue;
            }
            "EDIT" | "REMOVE" => {}
            other => {
                plan.refused.push(refuse(
                    r,
                    Refusal::UnknownAction,
                    format!("unknown action {other:?} (EDIT, REMOVE, COMPLETE, IGNORE)"),
                ));
                continue;
            }
        }
        let checked = check(&ctx, &index, &rows_by_dn, &context.inputs, r)
            .and_then(|(row, op)| Ok((row, name_in_use(dir, taken.as_ref(), row, op)?)));
        let (row, op) = match checked {
            Err((kind, reason)) => {
                plan.refused.push(refuse(r, kind, reason));
                continue;
            }
            Ok(change) => change,
        };
        let key = (
            crate::dn::normalized(&r.dn),
            r.attribute.to_ascii_lowercase(),
            r.value.clone(),
        );
        let new = op.new_value().map(str::to_string);
        if let Some((sheet, line, earlier)) = touched.get(&key) {
            // The same value flagged on two sheets: one change, if they agree.
            if *earlier == new {
                plan.repeated += 1;
            } else {
                plan.refused.push(refuse(
                    r,
                    Refusal::ConflictingRows,
                    format!("conflicts with the change in {sheet} row {line}"),
                ));
            }
            continue;
        }
        touched.insert(key, (r.sheet.clone(), r.line, new));
        candidates.push(Candidate { review: r, row, op });
    }

    // Groups as groups: no chosen set of changes may take a duplicate value from every holder.
    let stripped = leaves_no_holder(&ctx, &index, &candidates);
    let mut kept = Vec::with_capacity(candidates.len());
    for (i, c) in candidates.into_iter().enumerate() {
        match stripped.get(&i) {
            Some(reason) => {
                plan.refused
                    .push(refuse(c.review, Refusal::LeavesNoHolder, reason.clone()))
            }
            None => kept.push(c),
        }
    }

    // New values must not collide with each other's (one object may take a value through
    // several attributes: UPN = mail = primary SMTP address), nor leave proxyAddresses that
    // Active Directory can't tell apart.
    let mut claimed: FxHashMap<(uniqueness::Space, String), (String, usize, usize)> =
        FxHashMap::default();
    for c in kept {
        let r = c.review;
        let new = c.op.new_value();
        // sAMAccountNames are unique per domain: claimed as "domain/name".
        let claim = new.and_then(|new| {
            unique_key(&ctx, &r.attribute, new).or_else(|| {
                (c.op.attr() == "sAMAccountName")
                    .then(|| account::TakenNames::claim(dir, c.row, new))
                    .flatten()
                    .map(|key| (uniqueness::Space::Sam, key))
            })
        });
        if let Some((sheet, line, _)) = claim
            .as_ref()
            .and_then(|k| claimed.get(k))
            .filter(|(_, _, other)| *other != c.row)
        {
            plan.refused.push(refuse(
                r,
                Refusal::CollidesWithEdit,
                format!(
                    "{:?} collides with the edit in {sheet} row {line}",
                    new.unwrap_or_default()
                ),
            ));
            continue;
        }
        if let Err((kind, reason)) = lists.change(dir, c.row, &c.op) {
            plan.refused.push(refuse(r, kind, reason));
            continue;
        }
        if let Some(k) = claim {
            claimed.entry(k).or_insert((r.sheet.clone(), r.line, c.row));
        }
        plan.edits.push(Edit {
            dn: dir.dn.get(c.row).unwrap_or(&r.dn).to_string(),
            op: c.op,
            sheet: r.sheet.clone(),
            line: r.line,
        });
    }
    Ok(plan)
}

/// Refuses a new sAMAccountName that another object of the same domain holds.
fn name_in_use(
    dir: &crate::directory::Directory,
    taken: Option<&account::TakenNames>,
    row: usize,
    op: Op,
) -> Result<Op, (Refusal, String)> {
    let (Some(taken), Op::Replace { attr, new, .. }) = (taken, &op) else {
        return Ok(op);
    };
    if attr != "sAMAccountName" {
        return Ok(op);
    }
    match taken.holder(dir, row, new) {
        Some(other) => Err((
            Refusal::CollidesWithValue,
            format!(
                "{new:?} is the sAMAccountName of {} in the same domain (a domain controller refuses a name in use)",
                dir.dn.get(other as usize).unwrap_or("another object")
            ),
        )),
        None => Ok(op),
    }
}

/// The proxyAddresses of every object a change touches, as the changes accepted so far leave
/// them. Active Directory compares these values ignoring case (`SMTP:a@x` = `smtp:A@x`): it
/// refuses to add a value equal to one the object holds ("attribute or value exists"), and a
/// `delete:` removes whichever value matches. So a change must neither add such a value nor
/// delete by a value that matches two; then every delete of the change file and of its undo
/// file (which deletes the new values, last change first) matches exactly the value meant, and
/// the undo writes back the exact original bytes.
#[derive(Default)]
struct Lists {
    values: FxHashMap<usize, Vec<String>>,
}

impl Lists {
    /// Applies `op` to object `row`'s values, or says why Active Directory would not do what
    /// the reviewer meant.
    fn change(&mut self, dir: &Directory, row: usize, op: &Op) -> Result<(), (Refusal, String)> {
        let (attr, old, new) = match op {
            Op::Swap { attr, old, new } => (attr, old, Some(new)),
            Op::Delete { attr, value } => (attr, value, None),
            Op::Replace { .. } | Op::Add { .. } => return Ok(()),
        };
        if Attr::from_name(attr.as_bytes()).map(Attr::shape) != Some(AttrShape::TextList) {
            return Ok(()); // a single value: replaced or deleted whole
        }
        let values = self
            .values
            .entry(row)
            .or_insert_with(|| dir.proxy_addresses.get(row).map(str::to_string).collect());
        let at = values.iter().position(|v| v == old).ok_or_else(|| {
            (
                Refusal::ConflictingRows,
                format!("{old:?} was already changed by another row"),
            )
        })?;
        if let Some(twin) = other_equal_ignoring_case(values, at, old) {
            return Err((
                Refusal::AmbiguousValue,
                format!(
                    "the object also holds {:?}, equal to {old:?} ignoring case: Active Directory can't tell which one a change means (correct them by hand)",
                    twin
                ),
            ));
        }
        match new {
            Some(new) => {
                if let Some(held) = other_equal_ignoring_case(values, at, new) {
                    return Err((
                        Refusal::HeldIgnoringCase,
                        format!(
                            "the object already holds {:?}, equal to {new:?} ignoring case, and Active Directory would refuse it: REMOVE {old:?} instead",
                            held
                        ),
                    ));
                }
                values[at] = new.clone();
            }
            None => {
                values.remove(at);
            }
        }
        Ok(())
    }
}

/// The normalized key of a value in its uniqueness space.
fn unique_key(ctx: &Context, attribute: &str, value: &str) -> Option<(uniqueness::Space, String)> {
    key_of(ctx.options.profile, attribute, value).map(|(space, v)| (space, v.to_lowercase()))
}

/// The candidates (by index) that together take a duplicate or colliding value away from
/// every object holding it, with the reason. A value in Microsoft's namespace
/// (`.onmicrosoft.com`) may go everywhere: Entra discards it on-premises anyway; one in a
/// hybrid organisation's coexistence domain (`.mail.onmicrosoft.com`) may not, since it syncs
/// and mailbox moves need it.
fn leaves_no_holder(
    ctx: &Context,
    index: &uniqueness::Index,
    candidates: &[Candidate],
) -> FxHashMap<usize, String> {
    // Values taken away: (row, lower-case attribute, value).
    let mut removed: FxHashSet<(usize, String, &str)> = FxHashSet::default();
    // Group key → the candidates that take the value away.
    let mut groups: FxHashMap<(uniqueness::Space, String), Vec<usize>> = FxHashMap::default();
    for (i, c) in candidates.iter().enumerate() {
        let Some(old) = c.op.old_value() else {
            continue;
        };
        let Some(key) = unique_key(ctx, c.op.attr(), old) else {
            continue;
        };
        let new_key =
            c.op.new_value()
                .and_then(|n| unique_key(ctx, c.op.attr(), n));
        if new_key.as_ref() == Some(&key) {
            continue; // a change of case keeps the value
        }
        removed.insert((c.row, c.op.attr().to_ascii_lowercase(), old));
        groups.entry(key).or_default().push(i);
    }
    let dir = ctx.dir;
    let mut out = FxHashMap::default();
    for ((space, key), members) in groups {
        let mut holders = index.holders(ctx, space, &key, u32::MAX);
        holders.sort_unstable();
        holders.dedup();
        if holders.len() < 2 {
            continue; // not a duplicate: removing a value one object holds is up to the reviewer
        }
        if space == uniqueness::Space::Address && is_discarded_address(&key) {
            continue;
        }
        let keeps = |row: usize| {
            let mut held = false;
            let mut kept = false;
            let mut look = |attr: &str, value: &str| {
                if unique_key(ctx, attr, value).is_some_and(|(s, k)| s == space && k == key) {
                    held = true;
                    kept |= !removed.contains(&(row, attr.to_ascii_lowercase(), value));
                }
            };
            for attr in [
                Attr::UserPrincipalName,
                Attr::Mail,
                Attr::TargetAddress,
                Attr::MailNickname,
            ] {
                if let Some(v) = dir.text(attr, row) {
                    look(attr.ldap_name(), v);
                }
            }
            for v in dir.proxy_addresses.get(row) {
                look("proxyAddresses", v);
            }
            // Held otherwise (a UPN Connect derives from sAMAccountName): fix can't take it.
            kept || !held
        };
        if holders.iter().any(|&row| keeps(row as usize)) {
            continue;
        }
        let group = members
            .iter()
            .map(|&i| candidates[i].review.group.as_str())
            .find(|g| !g.is_empty())
            .map_or_else(String::new, |g| format!("group {g}: "));
        let reason = format!(
            "{group}{key:?} is held by {} objects and the chosen actions take it from every one; keep it on one (REMOVE or EDIT on all but one holder)",
            holders.len()
        );
        for i in members {
            out.insert(i, reason.clone());
        }
    }
    out
}

/// Turns one reviewed row into a change, or says why not.
fn check(
    ctx: &Context,
    index: &uniqueness::Index,
    rows_by_dn: &FxHashMap<String, usize>,
    inputs: &[crate::context::RecordedInput],
    r: &ReviewedRow,
) -> Result<(usize, Op), (Refusal, String)> {
    let attr = Attr::from_name(r.attribute.as_bytes())
        .filter(|a| matches!(a.shape(), AttrShape::Text | AttrShape::TextList) && *a != Attr::Cn)
        .ok_or_else(|| (Refusal::NotChangeable, format!("{} can't be changed by fix (only text attributes and proxyAddresses; cn means a rename)", r.attribute)))?;
    let name = attr.ldap_name().to_string();
    let row = *rows_by_dn.get(&crate::dn::normalized(&r.dn)).ok_or_else(|| {
        // The analysis read it from this file: perhaps that export was not given to fix.
        let file = r.source.rsplit_once(':').map_or(r.source.as_str(), |(f, _)| f);
        // The workbook names the file without its folders: the recorded input of that name
        // says where it was.
        let recorded = inputs
            .iter()
            .map(|input| input.given.to_string_lossy())
            .find(|given| crate::context::file_name(given) == file);
        let file = recorded.as_deref().unwrap_or(file);
        let reason = if file.is_empty() {
            "the object is not in the export".to_string()
        } else {
            format!("the object is not in the exports read (the analysis found it in {file}; give that export too)")
        };
        (Refusal::NotInExport, reason)
    })?;
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
            Some(now) if !multi => (
                Refusal::ValueChanged,
                format!("the value changed since the workbook was made (now {now:?})"),
            ),
            _ => (
                Refusal::NotInExport,
                format!("{:?} is no longer in the export", r.value),
            ),
        });
    }
    if r.action == "REMOVE" {
        if absent_and_expected {
            return Err((
                Refusal::NotInExport,
                "REMOVE of a value that is absent".into(),
            ));
        }
        return Ok((
            row,
            Op::Delete {
                attr: name,
                value: r.value.clone(),
            },
        ));
    }
    let new = r.update.trim_end_matches(['\r', '\n']).to_string();
    if new.is_empty() {
        return Err((
            Refusal::NoUpdate,
            "EDIT without an Update value: type the new value in Update (REMOVE deletes the value)"
                .into(),
        ));
    }
    if new == r.value {
        return Err((
            Refusal::SameValue,
            "Update is the same as the current value".into(),
        ));
    }
    if let Some(rule) = registry::validate(ctx, row, &name, &new) {
        return Err((
            Refusal::BreaksRule,
            format!("{new:?} would break {} ({})", rule.code, rule.slug),
        ));
    }
    if let Some((space, key)) = key_of(ctx.options.profile, &name, &new) {
        if let Some(other) = index.holders(ctx, space, key, row as u32).first() {
            return Err((
                Refusal::CollidesWithValue,
                format!(
                    "{new:?} collides with an existing value of {}",
                    dir.dn.get(*other as usize).unwrap_or("another object")
                ),
            ));
        }
    }
    let op = if multi {
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
    };
    Ok((row, op))
}

/// Another value of `values` than the one at `at` that equals `value` ignoring case, as Active
/// Directory compares proxyAddresses.
fn other_equal_ignoring_case<'a>(
    values: &'a [String],
    at: usize,
    value: &str,
) -> Option<&'a String> {
    let key = value.to_lowercase();
    values
        .iter()
        .enumerate()
        .find(|(i, v)| *i != at && v.to_lowercase() == key)
        .map(|(_, v)| v)
}
