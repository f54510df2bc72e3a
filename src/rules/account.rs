//! sAMAccountName (sync-rules.md §2.1 [S2], §1.3 [S1], §6.9).

use super::address::{ascii_set, describe, in_set, truncate_chars};
use super::{first_broken, Context, Rule, ALL_PROFILES};
use crate::directory::{Attr, ObjectKind};
use crate::findings::{Action, Class, Finding, Severity};

const ATTR: &[&str] = &["sAMAccountName"];

pub static INVALID_CHARACTER: Rule = Rule {
    code: "SL501",
    slug: "sam-invalid-character",
    class: Class::Character,
    severity: Severity::Warning,
    attributes: ATTR,
    idfix: Some("Character"),
    entra: "sync continues while the UPN is valid; it fails when both are invalid",
    source: "sync-rules.md §2.1 [S2]; §6.9 (IdFix's regex lacks ')",
    what: "sAMAccountName contains one of [ ] \\ \" | , / : < > + = ; ? * ' — the apostrophe included, which IdFix misses.",
    why: "Microsoft lists these as invalid; an invalid sAMAccountName with a valid UPN still syncs, but if the UPN is invalid too, sync fails.",
    fix: "Remove the characters (the suggestion does); if the UPN is also invalid, fix the UPN first.",
    default_action: Action::Edit,
    profiles: ALL_PROFILES,
};

pub static TOO_LONG: Rule = Rule {
    code: "SL502",
    slug: "sam-too-long",
    class: Class::Length,
    severity: Severity::Warning,
    attributes: ATTR,
    idfix: Some("Length"),
    entra: "invalid sAMAccountName",
    source: "sync-rules.md §2.1 [S2] (20), §1.3 [S1]; §1.6.6 (IdFix gives inetOrgPerson 256)",
    what: "A user's or inetOrgPerson's sAMAccountName longer than 20 characters (other objects: 256). IdFix applies 20 to 'user' only, because it takes the last objectClass; synclint treats inetOrgPerson as the user it is.",
    why: "20 characters is the documented limit for user logon names (pre-Windows 2000).",
    fix: "Shorten it (the suggestion truncates).",
    default_action: Action::Edit,
    profiles: ALL_PROFILES,
};

const INVALID_SET: u128 = ascii_set("[]\\\"|,/:<>+=;?*'");

pub fn char_ok(c: char) -> bool {
    !in_set(c, INVALID_SET) && !c.is_control()
}

fn limit(kind: ObjectKind) -> usize {
    match kind {
        ObjectKind::User | ObjectKind::InetOrgPerson => 20,
        _ => 256,
    }
}

pub fn check(ctx: &Context, row: usize, out: &mut Vec<Finding>) {
    if let Some(sam) = ctx.dir.text(Attr::SamAccountName, row) {
        check_value(ctx, row, sam, out);
    }
}

/// Every rule of the profile that `sam` breaks as object `row`'s sAMAccountName: what
/// [`check`] reports, and what [`validate`] is derived from.
pub fn check_value(ctx: &Context, row: usize, sam: &str, out: &mut Vec<Finding>) {
    if let Some(c) = sam.chars().find(|c| !char_ok(*c)) {
        let fixed: String = sam.chars().filter(|c| char_ok(*c)).collect();
        let f = Finding::new(&INVALID_CHARACTER, row, ATTR[0], sam)
            .suggest(Some(fixed).filter(|f| !f.is_empty()))
            .note(format!("invalid character {}", describe(c)));
        ctx.report(out, f);
    }
    let max = limit(ctx.dir.kind[row]);
    let length = sam.chars().count();
    if length > max {
        let f = Finding::new(&TOO_LONG, row, ATTR[0], sam)
            .suggest(Some(truncate_chars(sam, max)))
            .note(format!("{length} characters, limit {max}"));
        ctx.report(out, f);
    }
}

/// The first rule of the profile a candidate sAMAccountName would break.
pub fn validate(ctx: &Context, row: usize, value: &str) -> Option<&'static Rule> {
    first_broken(|out| check_value(ctx, row, value, out))
}
