//! `synclint rules`: the rules, one rule explained, or the attributes an export must hold.

use super::print_out;
use anyhow::Result;
use std::fmt::Write;
use std::process::ExitCode;
use synclint::rules::registry::{self, RULES};
use synclint::rules::Profile;

pub fn run(rule: Option<&str>, attributes: bool) -> Result<ExitCode> {
    if attributes {
        print_out(&(registry::export_attributes().join(",") + "\n"))?;
        return Ok(ExitCode::SUCCESS);
    }
    match rule {
        Some(name) => explain(name),
        None => list(),
    }
}

/// Every rule, one a line.
fn list() -> Result<ExitCode> {
    let mut text = String::new();
    text.push_str("code   slug                           class        severity profiles\n");
    for r in RULES {
        let profiles: Vec<&str> = r
            .profiles
            .iter()
            .map(|p| match p {
                Profile::Entra => "entra",
                Profile::IdfixDedicated => "idfix-dedicated",
            })
            .collect();
        let _ = writeln!(
            text,
            "{:<6} {:<30} {:<12} {:<8} {}",
            r.code,
            r.slug,
            r.class.name(),
            r.severity.name(),
            profiles.join(",")
        );
    }
    print_out(&text)?;
    Ok(ExitCode::SUCCESS)
}

/// One rule (by code or slug) in full.
fn explain(name: &str) -> Result<ExitCode> {
    let Some(r) = registry::find(name) else {
        anyhow::bail!("no rule {name:?}; `synclint rules` lists them");
    };
    let mut text = String::new();
    let _ = writeln!(
        text,
        "{} {} ({}, {})",
        r.code,
        r.slug,
        r.class.name(),
        r.severity.name()
    );
    let _ = writeln!(text, "attributes: {}", r.attributes.join(", "));
    if let Some(idfix) = r.idfix {
        let _ = writeln!(text, "IdFix error type: {idfix}");
    }
    let _ = writeln!(text, "Entra: {}", r.entra);
    let _ = writeln!(
        text,
        "\nWhat: {}\n\nWhy: {}\n\nFix: {}\n\nSource: {}",
        r.what, r.why, r.fix, r.source
    );
    print_out(&text)?;
    Ok(ExitCode::SUCCESS)
}
