//! displayName, givenName, sn: lengths, blanks and surrounding white space.

use super::address::{longer_than, truncate_chars};
use super::registry::Family;
use super::sources;
use super::{Context, Limit, Rule, ALL_PROFILES, DEDICATED};
use crate::directory::{Attr, ObjectKind};
use crate::findings::{Action, Class, Finding, Severity};

/// The longest displayName; the longest givenName and sn.
pub const MAX_DISPLAY_NAME: usize = 256;
pub const MAX_NAME_PART: usize = 64;

pub static DISPLAY_NAME_TOO_LONG: Rule = Rule {
    code: "SL601",
    slug: "displayname-too-long",
    class: Class::Length,
    severity: Severity::Error,
    attributes: &[Attr::DisplayName],
    idfix: Some("Length"),
    entra: "DataValidationFailed",
    sources: &[&sources::PREPARE],
    source_note: "IdFix uses 255.",
    what: "displayName longer than 256 characters.",
    why: "256 is the documented maximum; IdFix's 255 flags one character too early.",
    fix: "Shorten it (the suggestion truncates to 256).",
    default_action: Action::Edit,
    profiles: ALL_PROFILES,
    limits: &[Limit {
        what: "characters",
        max: MAX_DISPLAY_NAME,
    }],
};

pub static DISPLAY_NAME_BLANK: Rule = Rule {
    code: "SL602",
    slug: "displayname-blank",
    class: Class::Blank,
    severity: Severity::Error,
    attributes: &[Attr::DisplayName],
    idfix: Some("Blank"),
    entra: "DataValidationFailed",
    sources: &[&sources::PREPARE, &sources::DEFAULT_CONFIGURATION],
    source_note: "\"If present, it must not be blank\"; Connect falls back to cn only when displayName is absent.",
    what: "displayName is present but only white space. An absent displayName is not reported: Connect uses cn instead (IdFix reports it, which is noise).",
    why: "A present displayName must not be blank; Connect's fallback to cn applies only when it is empty or absent.",
    fix: "Set a real display name or clear the attribute (the suggestion uses cn).",
    default_action: Action::Edit,
    profiles: ALL_PROFILES,
    limits: &[],
};

pub static GIVEN_NAME_TOO_LONG: Rule = Rule {
    code: "SL603",
    slug: "givenname-too-long",
    class: Class::Length,
    severity: Severity::Warning,
    attributes: &[Attr::GivenName],
    idfix: Some("Length"),
    entra: "value rejected or truncated",
    sources: &[&sources::PREPARE],
    source_note: "IdFix uses 63.",
    what: "givenName longer than 64 characters.",
    why: "64 is the documented maximum.",
    fix: "Shorten it (the suggestion truncates to 64).",
    default_action: Action::Edit,
    profiles: ALL_PROFILES,
    limits: &[Limit {
        what: "characters",
        max: MAX_NAME_PART,
    }],
};

pub static SURNAME_TOO_LONG: Rule = Rule {
    code: "SL604",
    slug: "sn-too-long",
    class: Class::Length,
    severity: Severity::Warning,
    attributes: &[Attr::Sn],
    idfix: None,
    entra: "value rejected or truncated",
    sources: &[&sources::PREPARE],
    source_note: "The older documented limit; IdFix's Multi-Tenant rules don't check it.",
    what: "sn (surname) longer than 64 characters.",
    why: "The older documented limit; not checked by IdFix's Multi-Tenant rules.",
    fix: "Shorten it (the suggestion truncates to 64).",
    default_action: Action::Edit,
    profiles: ALL_PROFILES,
    limits: &[Limit {
        what: "characters",
        max: MAX_NAME_PART,
    }],
};

pub static DISPLAY_NAME_SPACES: Rule = Rule {
    code: "SL605",
    slug: "displayname-surrounding-space",
    class: Class::Character,
    severity: Severity::Warning,
    attributes: &[Attr::DisplayName],
    idfix: Some("Character"),
    entra: "none: Connect trims (idfix-dedicated profile only)",
    sources: &[&sources::IDFIX],
    source_note: "Connect trims the value, so the entra profile does not report it.",
    what: "displayName starts or ends with white space (IdFix Dedicated), or a Dedicated group has no displayName.",
    why: "IdFix's Dedicated rule set reports it; kept for compatibility with that profile.",
    fix: "Trim the value (the suggestion does; a blank group name becomes cn).",
    default_action: Action::Edit,
    profiles: DEDICATED,
    limits: &[],
};

pub static FAMILY: Family = Family {
    name: "names",
    rules: &[
        &DISPLAY_NAME_TOO_LONG,
        &DISPLAY_NAME_BLANK,
        &GIVEN_NAME_TOO_LONG,
        &SURNAME_TOO_LONG,
        &DISPLAY_NAME_SPACES,
    ],
    values: &[Attr::DisplayName, Attr::GivenName, Attr::Sn],
    check_value: Some(check_value),
    check: Some(check),
};

/// The length rule of a name attribute and its limit.
fn length_rule(attribute: Attr) -> Option<(&'static Rule, usize)> {
    match attribute {
        Attr::DisplayName => Some((&DISPLAY_NAME_TOO_LONG, MAX_DISPLAY_NAME)),
        Attr::GivenName => Some((&GIVEN_NAME_TOO_LONG, MAX_NAME_PART)),
        Attr::Sn => Some((&SURNAME_TOO_LONG, MAX_NAME_PART)),
        _ => None,
    }
}

pub fn check(ctx: &Context, row: usize, out: &mut Vec<Finding>) {
    for attr in [Attr::DisplayName, Attr::GivenName, Attr::Sn] {
        if let Some(value) = ctx.dir.text(attr, row) {
            check_value(ctx, row, attr, value, out);
        }
    }
    if ctx.dir.text(Attr::DisplayName, row).is_none() && ctx.dir.kind[row] == ObjectKind::Group {
        let cn = ctx
            .dir
            .text(Attr::Cn, row)
            .map(|c| truncate_chars(c, MAX_DISPLAY_NAME));
        ctx.report(
            out,
            Finding::new(&DISPLAY_NAME_SPACES, row, Attr::DisplayName, "").suggest(cn),
        );
    }
}

/// Every rule of the profile that `value` breaks as object `row`'s `attribute` (displayName,
/// givenName or sn): what [`check`] reports for a present value, and what [`validate`] is
/// derived from.
pub fn check_value(
    ctx: &Context,
    row: usize,
    attribute: Attr,
    value: &str,
    out: &mut Vec<Finding>,
) {
    let Some((rule, max)) = length_rule(attribute) else {
        return;
    };
    if longer_than(value, max) {
        let f = Finding::new(rule, row, rule.attributes[0], value)
            .suggest(Some(truncate_chars(value, max)))
            .note(format!("{} characters, limit {max}", value.chars().count()));
        ctx.report(out, f);
    }
    if attribute != Attr::DisplayName {
        return;
    }
    if !value.is_empty() && value.trim().is_empty() {
        let cn = ctx
            .dir
            .text(Attr::Cn, row)
            .map(|c| truncate_chars(c, MAX_DISPLAY_NAME));
        ctx.report(
            out,
            Finding::new(&DISPLAY_NAME_BLANK, row, Attr::DisplayName, value).suggest(cn),
        );
    } else if value.trim() != value {
        let f = Finding::new(&DISPLAY_NAME_SPACES, row, Attr::DisplayName, value)
            .suggest(Some(value.trim().to_string()));
        ctx.report(out, f);
    }
}
