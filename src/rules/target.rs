//! targetAddress (sync-rules.md §2.1 [S2], §1.3-1.4 [S1]).

use super::address::{
    ascii_set, clean_smtp, describe, in_set, longer_than, smtp_problem, truncate_chars,
};
use super::proxy::{is_smtp, parse};
use super::{Context, Rule, ALL_PROFILES, DEDICATED};
use crate::directory::{Attr, ObjectKind};
use crate::findings::{Action, Class, Finding, Severity};

const ATTR: &[&str] = &["targetAddress"];

pub static INVALID: Rule = Rule {
    code: "SL651",
    slug: "target-invalid",
    class: Class::Character,
    severity: Severity::Warning,
    attributes: ATTR,
    idfix: Some("Character"),
    entra: "mail routing to the object breaks",
    source: "sync-rules.md §2.1 [S2] (no space; invalid \\ < > ( ) ; , [ ] \"; SMTP standards), §1.3 [S1]",
    what: "targetAddress with white space or one of \\ < > ( ) ; , [ ] \", or an SMTP: target that breaks the mail standard.",
    why: "Mail for the object is forwarded to targetAddress; an invalid one can't route.",
    fix: "Correct the address (the suggestion cleans it).",
    default_action: Action::Edit,
    profiles: ALL_PROFILES,
};

pub static TOO_LONG: Rule = Rule {
    code: "SL652",
    slug: "target-too-long",
    class: Class::Length,
    severity: Severity::Error,
    attributes: ATTR,
    idfix: Some("Length"),
    entra: "DataValidationFailed",
    source: "sync-rules.md §2.1 [S2] (256; IdFix uses 255, §6.11)",
    what: "targetAddress longer than 256 characters.",
    why: "256 is the documented maximum.",
    fix: "Shorten it.",
    default_action: Action::Edit,
    profiles: ALL_PROFILES,
};

pub static BLANK: Rule = Rule {
    code: "SL653",
    slug: "target-blank",
    class: Class::Blank,
    severity: Severity::Warning,
    attributes: ATTR,
    idfix: Some("Blank"),
    entra: "(idfix-dedicated profile only)",
    source: "sync-rules.md §1.4 [S1]",
    what: "A contact, or a user without homeMDB, has no targetAddress (IdFix Dedicated).",
    why: "IdFix's Dedicated rule set requires it for mail routing; the suggestion is SMTP:+mail as IdFix does.",
    fix: "Set targetAddress to the external address.",
    default_action: Action::Edit,
    profiles: DEDICATED,
};

const TARGET_INVALID: u128 = ascii_set("\\<>();,[]\"");

fn bad_char(c: char) -> bool {
    c.is_whitespace() || in_set(c, TARGET_INVALID)
}

pub fn check(ctx: &Context, row: usize, out: &mut Vec<Finding>) {
    let Some(target) = ctx.dir.text(Attr::TargetAddress, row) else {
        let kind = ctx.dir.kind[row];
        let needs = kind == ObjectKind::Contact
            || (matches!(kind, ObjectKind::User | ObjectKind::InetOrgPerson)
                && ctx.dir.count(Attr::HomeMdb, row) == 0);
        if needs {
            let fixed = ctx.dir.text(Attr::Mail, row).map(|m| format!("SMTP:{m}"));
            ctx.report(out, Finding::new(&BLANK, row, ATTR[0], "").suggest(fixed));
        }
        return;
    };
    let n = target.chars().count();
    if n > 256 {
        let f = Finding::new(&TOO_LONG, row, ATTR[0], target)
            .suggest(Some(truncate_chars(target, 256)))
            .note(format!("{n} characters"));
        ctx.report(out, f);
    }
    if let Some(problem) = problem(target) {
        let fixed = match parse(target) {
            Some((prefix, address)) if is_smtp(prefix) => {
                clean_smtp(address).map(|a| format!("{prefix}:{a}"))
            }
            _ => Some(target.chars().filter(|c| !bad_char(*c)).collect()),
        };
        ctx.report(
            out,
            Finding::new(&INVALID, row, ATTR[0], target)
                .suggest(fixed)
                .note(problem),
        );
    }
}

fn problem(target: &str) -> Option<String> {
    if let Some(c) = target.chars().find(|c| bad_char(*c)) {
        return Some(format!("invalid character {}", describe(c)));
    }
    match parse(target) {
        Some((prefix, address)) if is_smtp(prefix) => smtp_problem(address),
        _ => None,
    }
}

pub fn validate(_ctx: &Context, _row: usize, value: &str) -> Option<&'static Rule> {
    if longer_than(value, 256) {
        Some(&TOO_LONG)
    } else if value.is_empty() || problem(value).is_some() {
        Some(&INVALID)
    } else {
        None
    }
}
