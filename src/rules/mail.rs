//! mail: its format, its suffix and its length.

use super::address::{clean_smtp, longer_than, smtp_problem, split, truncate_chars};
use super::registry::Family;
use super::sources;
use super::{reports_nothing, Context, Limit, Rule, ALL_PROFILES};
use crate::directory::Attr;
use crate::domain::{suffix_status, SuffixStatus};
use crate::findings::{Action, Class, Finding, Severity};
use std::borrow::Cow;

const ATTR: &[Attr] = &[Attr::Mail];

/// The longest mail IdFix accepts.
pub const MAX_LENGTH: usize = 256;

pub static FORMAT: Rule = Rule {
    code: "SL201",
    slug: "mail-format",
    class: Class::Format,
    severity: Severity::Warning,
    attributes: ATTR,
    idfix: Some("Format"),
    entra: "the address is discarded from the proxy calculation",
    sources: &[&sources::PREPARE, &sources::PROXY_POPULATION, &sources::IDFIX],
    source_note: "",
    what: "mail is not a valid SMTP address: white space, a character outside RFC 5322's dot-atom, letters with diacritics, no '@' or several, or a domain that is not name.tld.",
    why: "mail feeds the primary SMTP address; a malformed one is dropped by the proxy calculation, and the mailbox loses it.",
    fix: "Correct the address; the suggestion removes invalid characters and transliterates diacritics.",
    default_action: Action::Edit,
    profiles: ALL_PROFILES,
    limits: &[],
};

pub static NON_ROUTABLE_SUFFIX: Rule = Rule {
    code: "SL202",
    slug: "mail-non-routable-suffix",
    class: Class::Suffix,
    severity: Severity::Warning,
    attributes: ATTR,
    idfix: Some("TopLevelDomain"),
    entra: "the address can't be used for mail in Microsoft 365",
    sources: &[&sources::PROXY_POPULATION, &sources::SPECIAL_USE_DOMAINS],
    source_note: "",
    what: "mail's domain is special-use or not delegated (.local, .corp, a single label …).",
    why: "Such an address can't receive Internet mail and can't be a verified domain; Exchange Online drops unverified-domain addresses of licensed users.",
    fix: "Use an address in a routable, verified domain (--suffix-map old=new suggests one).",
    default_action: Action::Edit,
    profiles: ALL_PROFILES,
    limits: &[],
};

pub static TOO_LONG: Rule = Rule {
    code: "SL203",
    slug: "mail-too-long",
    class: Class::Length,
    severity: Severity::Error,
    attributes: ATTR,
    idfix: Some("Length"),
    entra: "DataValidationFailed",
    sources: &[&sources::IDFIX],
    source_note: "IdFix's limit.",
    what: "mail longer than 256 characters.",
    why: "The attribute's limit in IdFix's rule set (the AD schema bound); longer values fail validation.",
    fix: "Shorten the address.",
    default_action: Action::Edit,
    profiles: ALL_PROFILES,
    limits: &[
        Limit {
            what: "characters",
            max: MAX_LENGTH,
        },
    ],
};

pub static FAMILY: Family = Family {
    name: "mail",
    rules: &[&FORMAT, &NON_ROUTABLE_SUFFIX, &TOO_LONG],
    values: ATTR,
    check_value: Some(|ctx, row, _, value, out| check_value(ctx, row, value, out)),
    check: Some(check),
};

pub fn check(ctx: &Context, row: usize, out: &mut Vec<Finding>) {
    if let Some(mail) = ctx.dir.text(Attr::Mail, row) {
        check_value(ctx, row, mail, out);
    }
}

/// Every rule of the profile that `mail` breaks as object `row`'s mail: what [`check`]
/// reports, and what [`validate`] is derived from.
pub fn check_value(ctx: &Context, row: usize, mail: &str, out: &mut Vec<Finding>) {
    if longer_than(mail, MAX_LENGTH) {
        let f = Finding::new(&TOO_LONG, row, ATTR[0], mail)
            .note(format!("{} characters", mail.chars().count()));
        ctx.report(out, f.suggest(Some(truncate_chars(mail, MAX_LENGTH))));
    }
    if let Some(problem) = smtp_problem(mail) {
        ctx.report(
            out,
            Finding::new(&FORMAT, row, ATTR[0], mail)
                .suggest(repaired(ctx, mail))
                .note(problem),
        );
        return;
    }
    if let Some((_, domain)) = split(mail) {
        if let Some(reason) = non_routable(domain) {
            ctx.report(
                out,
                Finding::new(&NON_ROUTABLE_SUFFIX, row, ATTR[0], mail)
                    .suggest(ctx.mapped_suffix(domain).and_then(|_| repaired(ctx, mail)))
                    .note(reason),
            );
        }
    }
}

/// An SMTP address cleaned and re-suffixed through --suffix-map, fixing all it can at once.
pub fn repaired(ctx: &Context, address: &str) -> Option<String> {
    let clean = clean_smtp(address)?;
    let (local, domain) = split(&clean)?;
    Some(match ctx.mapped_suffix(domain) {
        Some(new) => format!("{local}@{new}"),
        None => clean,
    })
}

/// Why a domain is not routable, or `None` if it is (invalid syntax is left to format rules).
pub fn non_routable(domain: &str) -> Option<Cow<'static, str>> {
    match suffix_status(domain) {
        SuffixStatus::Routable | SuffixStatus::Invalid => None,
        SuffixStatus::SpecialUse(reason) => Some(reason.into()),
        SuffixStatus::NotDelegated => {
            Some(format!("{domain} does not end in a delegated top-level domain").into())
        }
    }
}

/// Whether `value` would be a mail for object `row` that no rule of the profile flags.
pub fn is_clean(ctx: &Context, row: usize, value: &str) -> bool {
    reports_nothing(|out| check_value(ctx, row, value, out))
}
