//! `synclint fix`: a reviewed workbook to an LDIF change file (and undo file), with what was
//! written and what was refused summed up on stderr.

use super::args::{FixArgs, RuleArgs};
use super::{count, plan_memory, thousands, verified_domains};
use anyhow::Result;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use synclint::context::GivenOptions;
use synclint::fix::{FixOptions, Plan};
use synclint::memory::Spill;
use synclint::output::{folder_of, write_atomically};

pub fn run(args: &FixArgs) -> Result<ExitCode> {
    let reviewed = synclint::fix::reviewed::read(&args.workbook)?;
    let context = synclint::fix::context(&reviewed)?;
    let contradictions = context.contradictions(&given(&args.analysis)?);
    if !contradictions.is_empty() {
        for c in &contradictions {
            eprintln!("synclint: {c}");
        }
        anyhow::bail!(
            "fix checks each change under the options the analysis ran with, recorded in {}: leave these options out, or run analyze again with them",
            args.workbook.display()
        );
    }
    let recorded = args.exports.is_empty();
    let exports = if recorded {
        context.locate_inputs(&args.workbook)
    } else {
        args.exports.clone()
    };
    let options = FixOptions {
        exports: exports.clone(),
        recorded,
        spill_dir: plan_memory(&exports, Spill::Auto, folder_of(&args.output)).spill_dir,
    };
    let plan = synclint::fix::plan(&reviewed, &options)?;
    let refused_csv = refused_csv_path(&args.output);
    let mut protected: Vec<PathBuf> = exports;
    protected.push(args.workbook.clone());
    if args.strict && !plan.refused.is_empty() {
        print_refusals(&plan, &refused_csv, args.list);
        write_atomically(&refused_csv, &protected, |w| {
            synclint::fix::write_refused_csv(&plan.refused, w)
        })?;
        eprintln!(
            "synclint: {} refused; no change file written (--strict)",
            count(plan.refused.len(), "row", "rows")
        );
        return Ok(ExitCode::from(1));
    }
    let changes = synclint::fix::ldif::changes(&plan.edits);
    write_atomically(&args.output, &protected, |w| {
        w.write_all(changes.as_bytes())
    })?;
    if let Some(undo) = &args.undo {
        let text = synclint::fix::ldif::undo(&plan.edits);
        write_atomically(undo, &protected, |w| w.write_all(text.as_bytes()))?;
    }
    write_atomically(&refused_csv, &protected, |w| {
        synclint::fix::write_refused_csv(&plan.refused, w)
    })?;
    print_changes(&plan, args);
    print_refusals(&plan, &refused_csv, args.list);
    Ok(ExitCode::SUCCESS)
}

/// The analysis options given to `fix` (each `None` when not given), to compare with the
/// analysis's.
fn given(args: &RuleArgs) -> Result<GivenOptions> {
    let given_list = |v: &[String]| (!v.is_empty()).then(|| v.to_vec());
    let verified = (!args.verified_domain.is_empty() || args.verified_domains.is_some())
        .then(|| verified_domains(args))
        .transpose()?;
    Ok(GivenOptions {
        profile: args.profile,
        engine: args.engine,
        verified_domains: verified,
        suffix_map: (!args.suffix_map.is_empty())
            .then(|| args.suffix_pairs())
            .transpose()?,
        include_ou: given_list(&args.include_ou),
        exclude_ou: given_list(&args.exclude_ou),
        include_group: given_list(&args.include_group),
    })
}

/// Where the refused rows go: `changes-refused.csv` beside `changes.ldf`.
fn refused_csv_path(output: &Path) -> PathBuf {
    let stem = output
        .file_stem()
        .map_or("changes".into(), |s| s.to_string_lossy().into_owned());
    output.with_file_name(format!("{stem}-refused.csv"))
}

/// Rows shown per kind without `--list`.
const FIRST_FEW: usize = 3;

/// The refused rows: counts by reason and the first few of each (all with `--list`).
fn print_refusals(plan: &Plan, csv: &Path, list: bool) {
    if plan.refused.is_empty() {
        return;
    }
    eprintln!(
        "synclint: {} refused, listed in {}{}:",
        count(plan.refused.len(), "row", "rows"),
        csv.display(),
        if list {
            ""
        } else {
            " (--list prints them all)"
        }
    );
    for (kind, rows) in plan.refusals_by_kind() {
        eprintln!("  {:>7}  {}", thousands(rows.len()), kind.label());
        let shown = if list { rows.len() } else { FIRST_FEW };
        for r in rows.iter().take(shown) {
            eprintln!(
                "             {} row {}: {} {}: {}",
                r.sheet, r.line, r.dn, r.attribute, r.reason
            );
        }
        if rows.len() > shown {
            eprintln!("             … and {} more", rows.len() - shown);
        }
    }
}

/// Sign-in name changes listed without `--list`.
const SIGN_IN_SHOWN: usize = 10;

/// What was written: changes by kind, and the sign-in names that change.
fn print_changes(plan: &Plan, args: &FixArgs) {
    let rows = count(plan.rows(), "row", "rows");
    if plan.chosen() == 0 {
        eprintln!(
            "synclint: no actions chosen in {rows}: nothing to change; {} holds no change records",
            args.output.display()
        );
        eprintln!(
            "synclint: set Action (EDIT or REMOVE) on the rows to change, then run fix again"
        );
        return;
    }
    let objects: std::collections::HashSet<String> =
        plan.edits.iter().map(|e| e.dn.to_lowercase()).collect();
    eprintln!(
        "synclint: {} chosen of {rows} ({} left empty, {} set to COMPLETE or IGNORE)",
        count(plan.chosen(), "row", "rows"),
        count(plan.not_chosen, "row", "rows"),
        count(plan.noted, "row", "rows"),
    );
    eprintln!(
        "synclint: {} to {} written to {}{}{}",
        count(plan.edits.len(), "change", "changes"),
        count(objects.len(), "object", "objects"),
        args.output.display(),
        args.undo
            .as_ref()
            .map_or(String::new(), |u| format!(", undo in {}", u.display())),
        if plan.refused.is_empty() {
            String::new()
        } else {
            format!("; {} refused", count(plan.refused.len(), "row", "rows"))
        }
    );
    for (kind, n) in plan.changes_by_kind() {
        eprintln!("  {:>7}  {kind}", thousands(n));
    }
    if args.list {
        for e in &plan.edits {
            let (old, new) = (e.op.old_value(), e.op.new_value());
            eprintln!(
                "             {} row {}: {}: {} {:?} -> {:?}",
                e.sheet,
                e.line,
                e.dn,
                e.op.kind(),
                old.unwrap_or(""),
                new.unwrap_or("")
            );
        }
    }
    let sign_in = plan.sign_in_changes();
    if !sign_in.is_empty() {
        eprintln!(
            "synclint: users whose sign-in name changes: {} — tell them before importing (marked with a # comment in {}):",
            sign_in.len(),
            args.output.display()
        );
        let shown = if args.list {
            sign_in.len()
        } else {
            SIGN_IN_SHOWN
        };
        for (dn, attrs) in sign_in.iter().take(shown) {
            eprintln!("             {dn} ({})", attrs.join(", "));
        }
        if sign_in.len() > shown {
            eprintln!(
                "             … and {} more (--list prints them all)",
                sign_in.len() - shown
            );
        }
    }
}
