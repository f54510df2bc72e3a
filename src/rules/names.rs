//! displayName, givenName, sn (sync-rules.md §2.1 [S2], §1.3-1.4 [S1], §3.5 [S30]).

use super::address::{longer_than, truncate_chars};
use super::{Context, Rule, ALL_PROFILES, DEDICATED};
use crate::directory::{Attr, ObjectKind};
use crate::findings::{Action, Class, Finding, Severity};

pub static DISPLAY_NAME_TOO_LONG: Rule = Rule {
    code: "SL601",
    slug: "displayname-too-long",
    class: Class::Length,
    severity: Severity::Error,
    attributes: &["displayName"],
    idfix: Some("Length"),
    entra: "DataValidationFailed",
    source: "sync-rules.md §2.1 [S2] (256; IdFix uses 255, §6.11)",
    what: "displayName longer than 256 characters.",
    why: "256 is the documented maximum; IdFix's 255 flags one character too early.",
    fix: "Shorten it (the suggestion truncates to 256).",
    default_action: Action::Edit,
    profiles: ALL_PROFILES,
};

pub static DISPLAY_NAME_BLANK: Rule = Rule {
    code: "SL602",
    slug: "displayname-blank",
    class: Class::Blank,
    severity: Severity::Error,
    attributes: &["displayName"],
    idfix: Some("Blank"),
    entra: "DataValidationFailed",
    source: "sync-rules.md §2.1 [S2] (\"if present, it must not be blank\"); §3.5, §6.11 [S30]",
    what: "displayName is present but only white space. An absent displayName is not reported: Connect uses cn instead (IdFix reports it, which is noise).",
    why: "A present displayName must not be blank; Connect's fallback to cn applies only when it is empty or absent.",
    fix: "Set a real display name or clear the attribute (the suggestion uses cn).",
    default_action: Action::Edit,
    profiles: ALL_PROFILES,
};

pub static GIVEN_NAME_TOO_LONG: Rule = Rule {
    code: "SL603",
    slug: "givenname-too-long",
    class: Class::Length,
    severity: Severity::Warning,
    attributes: &["givenName"],
    idfix: Some("Length"),
    entra: "value rejected or truncated",
    source: "sync-rules.md §2.1 [S2] (64; IdFix uses 63, §6.11)",
    what: "givenName longer than 64 characters.",
    why: "64 is the documented maximum.",
    fix: "Shorten it (the suggestion truncates to 64).",
    default_action: Action::Edit,
    profiles: ALL_PROFILES,
};

pub static SURNAME_TOO_LONG: Rule = Rule {
    code: "SL604",
    slug: "sn-too-long",
    class: Class::Length,
    severity: Severity::Warning,
    attributes: &["sn"],
    idfix: None,
    entra: "value rejected or truncated",
    source: "sync-rules.md §2.1 [S2] (older TechNet appendix: 64)",
    what: "sn (surname) longer than 64 characters.",
    why: "The older documented limit; not checked by IdFix's Multi-Tenant rules.",
    fix: "Shorten it (the suggestion truncates to 64).",
    default_action: Action::Edit,
    profiles: ALL_PROFILES,
};

pub static DISPLAY_NAME_SPACES: Rule = Rule {
    code: "SL605",
    slug: "displayname-surrounding-space",
    class: Class::Character,
    severity: Severity::Warning,
    attributes: &["displayName"],
    idfix: Some("Character"),
    entra: "none: Connect trims (idfix-dedicated profile only)",
    source: "sync-rules.md §1.4 [S1]; §6.11 (Connect trims, so the Entra profile does not report it)",
    what: "displayName starts or ends with white space (IdFix Dedicated), or a Dedicated group has no displayName.",
    why: "IdFix's Dedicated rule set reports it; kept for compatibility with that profile.",
    fix: "Trim the value (the suggestion does; a blank group name becomes cn).",
    default_action: Action::Edit,
    profiles: DEDICATED,
};

fn length(
    ctx: &Context,
    row: usize,
    attr: Attr,
    rule: &'static Rule,
    max: usize,
    out: &mut Vec<Finding>,
) {
    if let Some(value) = ctx.dir.text(attr, row) {
        let n = value.chars().count();
        if n > max {
            let f = Finding::new(rule, row, rule.attributes[0], value)
                .suggest(Some(truncate_chars(value, max)))
                .note(format!("{n} characters, limit {max}"));
            ctx.report(out, f);
        }
    }
}

pub fn check(ctx: &Context, row: usize, out: &mut Vec<Finding>) {
    length(
        ctx,
        row,
        Attr::DisplayName,
        &DISPLAY_NAME_TOO_LONG,
        256,
        out,
    );
    length(ctx, row, Attr::GivenName, &GIVEN_NAME_TOO_LONG, 64, out);
    length(ctx, row, Attr::Sn, &SURNAME_TOO_LONG, 64, out);
    let cn = || ctx.dir.text(Attr::Cn, row).map(|c| truncate_chars(c, 256));
    match ctx.dir.text(Attr::DisplayName, row) {
        Some(name) if !name.is_empty() && name.trim().is_empty() => {
            ctx.report(
                out,
                Finding::new(&DISPLAY_NAME_BLANK, row, "displayName", name).suggest(cn()),
            );
        }
        Some(name) if name.trim() != name => {
            let f = Finding::new(&DISPLAY_NAME_SPACES, row, "displayName", name)
                .suggest(Some(name.trim().to_string()));
            ctx.report(out, f);
        }
        None if ctx.dir.kind[row] == ObjectKind::Group => {
            ctx.report(
                out,
                Finding::new(&DISPLAY_NAME_SPACES, row, "displayName", "").suggest(cn()),
            );
        }
        _ => {}
    }
}

pub fn validate(
    _ctx: &Context,
    _row: usize,
    attribute: &str,
    value: &str,
) -> Option<&'static Rule> {
    let (rule, max) = match attribute {
        "displayName" => (&DISPLAY_NAME_TOO_LONG, 256),
        "givenName" => (&GIVEN_NAME_TOO_LONG, 64),
        _ => (&SURNAME_TOO_LONG, 64),
    };
    if longer_than(value, max) {
        Some(rule)
    } else if attribute == "displayName" && value.trim().is_empty() {
        Some(&DISPLAY_NAME_BLANK)
    } else {
        None
    }
}
