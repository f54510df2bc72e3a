//! `synclint rules`: the rules, one rule explained, every rule's documentation as Markdown,
//! or the attributes an export must hold. The text is the library's (`rules::docs`).

use super::print_out;
use anyhow::Result;
use std::process::ExitCode;
use synclint::rules::{docs, registry};

pub fn run(rule: Option<&str>, attributes: bool, markdown: bool) -> Result<ExitCode> {
    let text = if attributes {
        registry::export_attributes().join(",") + "\n"
    } else if markdown {
        docs::markdown()
    } else {
        match rule {
            None => docs::list(),
            Some(name) => match registry::find(name) {
                Some(rule) => docs::explain(rule),
                None => anyhow::bail!("no rule {name:?}; `synclint rules` lists them"),
            },
        }
    };
    print_out(&text)?;
    Ok(ExitCode::SUCCESS)
}
