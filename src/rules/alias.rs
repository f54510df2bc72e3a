//! mailNickname, the Exchange alias.

use super::address::{ascii_set, describe, in_set, longer_than, tidy_periods, truncate_chars};
use super::registry::Family;
use super::sources;
use super::{Context, Limit, Profile, Rule, ALL_PROFILES, ENTRA};
use crate::directory::Attr;
use crate::findings::{Action, Class, Finding, Severity};

const ATTR: &[Attr] = &[Attr::MailNickname];

/// The longest alias Exchange accepts.
pub const MAX_LENGTH: usize = 64;

pub static INVALID_CHARACTER: Rule = Rule {
    code: "SL301",
    slug: "alias-invalid-character",
    class: Class::Character,
    severity: Severity::Warning,
    attributes: ATTR,
    idfix: Some("Character"),
    entra: "the character becomes '_' in the synced alias",
    sources: &[&sources::EXCHANGE_ALIAS, &sources::PREPARE, &sources::IDFIX],
    source_note: "",
    what: "A character outside the Exchange alias set: letters, digits, ! # $ % ' * + - / = ? ^ _ ` { | } ~ and periods, plus Latin-1 letters U+00A1-U+00FF. White space, @, quotes, brackets, commas, semicolons and other scripts are not allowed. The idfix-dedicated profile uses IdFix's narrower Dedicated set.",
    why: "Invalid characters are replaced by '_' in the synced alias, which then differs from on-premises and from the address the user knows.",
    fix: "Remove the characters (the suggestion does).",
    default_action: Action::Edit,
    profiles: ALL_PROFILES,
    limits: &[],
};

pub static AMPERSAND: Rule = Rule {
    code: "SL302",
    slug: "alias-ampersand",
    class: Class::Character,
    severity: Severity::Error,
    attributes: ATTR,
    idfix: None,
    entra: "not supported by Entra Connect synchronization",
    sources: &[&sources::EXCHANGE_ALIAS],
    source_note: "Entra Connect does not support & in mailNickname.",
    what: "mailNickname contains '&'.",
    why: "Microsoft's alias documentation: \"The & character is not supported in the Alias value for Microsoft Entra Connect synchronization.\" IdFix never checked it.",
    fix: "Remove the '&' or replace it with 'and'.",
    default_action: Action::Edit,
    profiles: ENTRA,
    limits: &[],
};

pub static PERIODS: Rule = Rule {
    code: "SL303",
    slug: "alias-period-placement",
    class: Class::Character,
    severity: Severity::Error,
    attributes: ATTR,
    idfix: Some("Character"),
    entra: "invalid alias",
    sources: &[&sources::EXCHANGE_ALIAS, &sources::PREPARE, &sources::IDFIX],
    source_note: "",
    what: "mailNickname starts or ends with a period, or has two in a row. IdFix checks only a leading period.",
    why: "\"Periods must be surrounded by other valid characters\"; the alias can't begin with '.'.",
    fix: "Remove the stray periods (the suggestion does; if nothing is left it uses cn).",
    default_action: Action::Edit,
    profiles: ALL_PROFILES,
    limits: &[],
};

pub static TOO_LONG: Rule = Rule {
    code: "SL304",
    slug: "alias-too-long",
    class: Class::Length,
    severity: Severity::Error,
    attributes: ATTR,
    idfix: Some("Length"),
    entra: "invalid alias",
    sources: &[&sources::EXCHANGE_ALIAS, &sources::IDFIX],
    source_note: "",
    what: "mailNickname longer than 64 characters.",
    why: "64 is the alias limit in Exchange and in IdFix's rules.",
    fix: "Shorten it (the suggestion truncates to 64).",
    default_action: Action::Edit,
    profiles: ALL_PROFILES,
    limits: &[Limit {
        what: "characters",
        max: MAX_LENGTH,
    }],
};

pub static FAMILY: Family = Family {
    name: "mailNickname",
    rules: &[&INVALID_CHARACTER, &AMPERSAND, &PERIODS, &TOO_LONG],
    values: ATTR,
    check_value: Some(|ctx, row, _, value, out| check_value(ctx, row, value, out)),
    check: Some(check),
};

const ALIAS_SYMBOLS: u128 = ascii_set("!#$%&'*+-/=?^_`{|}~.");
const DEDICATED_INVALID: u128 = ascii_set("\\!#$%&*+/=?^`{}|~<>()';:,[]\"@");

/// Whether `c` may stand in an alias under `profile`.
pub fn char_ok(c: char, profile: Profile) -> bool {
    match profile {
        Profile::Entra => {
            c.is_ascii_alphanumeric()
                || in_set(c, ALIAS_SYMBOLS)
                || ('\u{A1}'..='\u{FF}').contains(&c)
        }
        // IdFix Dedicated's bad set: \s \ ! # $ % & * + / = ? ^ ` { } | ~ < > ( ) ' ; : , [ ] " @
        Profile::IdfixDedicated => !c.is_whitespace() && !in_set(c, DEDICATED_INVALID),
    }
}

pub fn check(ctx: &Context, row: usize, out: &mut Vec<Finding>) {
    if let Some(alias) = ctx.dir.text(Attr::MailNickname, row) {
        check_value(ctx, row, alias, out);
    }
}

/// Every rule of the profile that `alias` breaks as object `row`'s mailNickname: what
/// [`check`] reports, and what [`validate`] is derived from.
pub fn check_value(ctx: &Context, row: usize, alias: &str, out: &mut Vec<Finding>) {
    let profile = ctx.options.profile;
    let cn = || {
        ctx.dir.text(Attr::Cn, row).map(|c| {
            c.chars()
                .filter(|c| char_ok(*c, profile) && *c != '&')
                .collect::<String>()
        })
    };
    let bad: Vec<char> = alias.chars().filter(|c| !char_ok(*c, profile)).collect();
    if let Some(first) = bad.first() {
        let fixed: String = alias.chars().filter(|c| char_ok(*c, profile)).collect();
        let fixed = tidy_periods(&fixed);
        let f = Finding::new(&INVALID_CHARACTER, row, ATTR[0], alias)
            .suggest(if fixed.is_empty() { cn() } else { Some(fixed) })
            .note(format!(
                "invalid character {} ({} in all)",
                describe(*first),
                bad.len()
            ));
        ctx.report(out, f);
    }
    if alias.contains('&') {
        let fixed = tidy_periods(&alias.replace('&', ""));
        ctx.report(
            out,
            Finding::new(&AMPERSAND, row, ATTR[0], alias)
                .suggest(Some(fixed).filter(|f| !f.is_empty())),
        );
    }
    if alias.starts_with('.') || alias.ends_with('.') || alias.contains("..") {
        let fixed = tidy_periods(alias);
        let f = Finding::new(&PERIODS, row, ATTR[0], alias).suggest(if fixed.is_empty() {
            cn()
        } else {
            Some(fixed)
        });
        ctx.report(out, f);
    }
    if longer_than(alias, MAX_LENGTH) {
        let f = Finding::new(&TOO_LONG, row, ATTR[0], alias)
            .suggest(Some(tidy_periods(&truncate_chars(alias, MAX_LENGTH))))
            .note(format!("{} characters", alias.chars().count()));
        ctx.report(out, f);
    }
}
