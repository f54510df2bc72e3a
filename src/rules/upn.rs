//! userPrincipalName: Entra's UPN policy and suffix rules.

use super::address::{ascii, ascii_set, describe, in_set, longer_than, split, tidy_periods};
use super::registry::Family;
use super::sources;
use super::{reports_nothing, Context, Limit, Rule, ALL_PROFILES, ENTRA};
use crate::directory::{Attr, ObjectKind};
use crate::dn::dns_domain;
use crate::domain::{suffix_status, SuffixStatus};
use crate::findings::{Action, Class, Finding, Severity};
use std::borrow::Cow;

const ATTR: &[Attr] = &[Attr::UserPrincipalName];

/// Entra's UPN length limits: in all, before the '@', after it.
pub const MAX_LENGTH: usize = 113;
pub const MAX_LOCAL: usize = 64;
pub const MAX_DOMAIN: usize = 48;

pub static INVALID_CHARACTER: Rule = Rule {
    code: "SL101",
    slug: "upn-invalid-character",
    class: Class::Character,
    severity: Severity::Error,
    attributes: ATTR,
    idfix: Some("Character"),
    entra: "DataValidationFailed; the UPN is recalculated to <alias>@<tenant>.onmicrosoft.com",
    sources: &[&sources::UPN_POLICY, &sources::PREPARE, &sources::UPN_POPULATION],
    source_note: "",
    what: "A character outside Entra's UPN whitelist: A-Z a-z 0-9 ' . - _ ! # ^ ~ before the '@'; letters, digits, '.' and '-' after it. White space, letters with diacritics, & $ ` % * + / = ? { } | < > ( ) ; : , [ ] \" and \\ are all invalid.",
    why: "Entra refuses the value and recalculates the UPN from the alias and the onmicrosoft.com domain, so the user signs in with an address nobody expects. Unlike IdFix, the apostrophe is allowed (Entra permits it) and $ and ` are flagged (IdFix lets them through).",
    fix: "Remove or transliterate the characters (the suggestion does both) and check that the result is still the address the user knows.",
    default_action: Action::Edit,
    profiles: ENTRA,
    limits: &[],
};

pub static TOO_LONG: Rule = Rule {
    code: "SL102",
    slug: "upn-too-long",
    class: Class::Length,
    severity: Severity::Error,
    attributes: ATTR,
    idfix: Some("Length"),
    entra: "DataValidationFailed",
    sources: &[&sources::UPN_POLICY, &sources::PREPARE],
    source_note: "IdFix checks only the total of 113.",
    what: "More than 113 characters in all, more than 64 before the '@' or more than 48 after it.",
    why: "Entra rejects longer UPNs. IdFix checks only the total, so UPNs with a long local part or domain pass IdFix and fail in Entra.",
    fix: "Shorten the part before the '@' (the suggestion truncates it to 64) or use a shorter UPN suffix.",
    default_action: Action::Edit,
    profiles: ALL_PROFILES,
    limits: &[
        Limit {
            what: "characters in all",
            max: MAX_LENGTH,
        },
        Limit {
            what: "characters before the '@'",
            max: MAX_LOCAL,
        },
        Limit {
            what: "characters after the '@'",
            max: MAX_DOMAIN,
        },
    ],
};

pub static FORMAT: Rule = Rule {
    code: "SL103",
    slug: "upn-format",
    class: Class::Format,
    severity: Severity::Error,
    attributes: ATTR,
    idfix: Some("Format"),
    entra: "DataValidationFailed",
    sources: &[&sources::UPN_POLICY, &sources::PREPARE],
    source_note: "",
    what: "Not of the form name@domain: no '@', more than one, nothing before or after it, a period right before the '@', or a period at the start or doubled.",
    why: "Entra accepts only one '@', never first, and no '.' immediately before it.",
    fix: "Correct the value; the suggestion removes stray periods where that is enough.",
    default_action: Action::Edit,
    profiles: ALL_PROFILES,
    limits: &[],
};

pub static NON_ROUTABLE_SUFFIX: Rule = Rule {
    code: "SL104",
    slug: "upn-non-routable-suffix",
    class: Class::Suffix,
    severity: Severity::Warning,
    attributes: ATTR,
    idfix: Some("TopLevelDomain"),
    entra: "UPN replaced by <alias>@<tenant>.onmicrosoft.com",
    sources: &[&sources::NON_ROUTABLE_DOMAIN, &sources::DOMAIN_USERS, &sources::UPN_POPULATION, &sources::PRIVATE_USE_TLD, &sources::SPECIAL_USE_DOMAINS],
    source_note: "",
    what: "The UPN suffix is not a delegated Internet domain: special-use (.local, .internal, .test, home.arpa …), never delegated (.corp, .lan …), a single label, or an unknown TLD. Checked against the public suffix list (current, IDN TLDs included), not IdFix's frozen list.",
    why: "Only a verified tenant domain can be a UPN suffix, and a non-routable one can never be verified: the user is synced as <alias>@<tenant>.onmicrosoft.com.",
    fix: "Add a routable UPN suffix (Active Directory Domains and Trusts → UPN Suffixes) and re-suffix the users; --suffix-map old=new makes the suggestions.",
    default_action: Action::Edit,
    profiles: ALL_PROFILES,
    limits: &[],
};

pub static UNVERIFIED_SUFFIX: Rule = Rule {
    code: "SL105",
    slug: "upn-unverified-suffix",
    class: Class::Suffix,
    severity: Severity::Warning,
    attributes: ATTR,
    idfix: None,
    entra: "UPN replaced by <alias>@<tenant>.onmicrosoft.com",
    sources: &[&sources::NON_ROUTABLE_DOMAIN, &sources::UPN_POPULATION],
    source_note: "",
    what: "The UPN suffix is routable but not among the verified domains given with --verified-domain / --verified-domains.",
    why: "Entra keeps a UPN suffix only if the domain is verified in the tenant; otherwise the user silently gets the onmicrosoft.com UPN.",
    fix: "Verify the domain in the tenant before syncing, or re-suffix the users to a verified domain.",
    default_action: Action::Edit,
    profiles: ALL_PROFILES,
    limits: &[],
};

pub static MISSING: Rule = Rule {
    code: "SL106",
    slug: "upn-missing",
    class: Class::Blank,
    severity: Severity::Warning,
    attributes: ATTR,
    idfix: None,
    entra: "Connect derives sAMAccountName@<domain FQDN>",
    sources: &[&sources::DEFAULT_CONFIGURATION, &sources::UPN_POPULATION],
    source_note: "Connect's default rules build the UPN from sAMAccountName and the domain's DNS name.",
    what: "A user without userPrincipalName whose derived UPN (sAMAccountName@ the domain's DNS name) has a non-routable suffix.",
    why: "Connect's default rule builds the UPN from sAMAccountName and the AD domain name; with a non-routable domain that UPN falls back to onmicrosoft.com.",
    fix: "Set a userPrincipalName with a routable, verified suffix.",
    default_action: Action::Edit,
    profiles: ENTRA,
    limits: &[],
};

pub static FAMILY: Family = Family {
    name: "userPrincipalName",
    rules: &[
        &INVALID_CHARACTER,
        &TOO_LONG,
        &FORMAT,
        &NON_ROUTABLE_SUFFIX,
        &UNVERIFIED_SUFFIX,
        &MISSING,
    ],
    values: ATTR,
    check_value: Some(|ctx, row, _, value, out| check_value(ctx, row, value, out)),
    check: Some(check),
};

fn is_user(ctx: &Context, row: usize) -> bool {
    matches!(
        ctx.dir.kind[row],
        ObjectKind::User | ObjectKind::InetOrgPerson
    )
}

const UPN_SYMBOLS: u128 = ascii_set("'.-_!#^~");

/// Characters Entra's UPN policy allows before the '@'.
pub fn local_char_ok(c: char) -> bool {
    c.is_ascii_alphanumeric() || in_set(c, UPN_SYMBOLS)
}

fn domain_char_ok(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '.' || c == '-'
}

/// Every character the UPN policy refuses, before the '@' then after it.
fn invalid_characters(local: &str, domain: &str) -> Vec<char> {
    local
        .chars()
        .filter(|c| !local_char_ok(*c))
        .chain(domain.chars().filter(|c| !domain_char_ok(*c)))
        .collect()
}

/// Whether `text` holds ".." (a byte look: a substring search is set up for each call).
fn has_double_period(text: &str) -> bool {
    text.as_bytes().windows(2).any(|w| w == b"..")
}

/// The UPN with every repairable problem repaired at once (so one suggestion fixes all of
/// the object's UPN findings): characters transliterated or dropped, periods tidied, the name
/// cut to 64, the suffix replaced through --suffix-map.
pub fn repaired(ctx: &Context, upn: &str) -> Option<String> {
    let at = upn.rfind('@')?;
    let (local, domain) = (&upn[..at], &upn[at + 1..]);
    let local: String = ascii(&local.replace('@', ""))
        .chars()
        .filter(|c| local_char_ok(*c))
        .collect();
    let local: String = tidy_periods(&local).chars().take(MAX_LOCAL).collect();
    let local = tidy_periods(&local);
    let domain: String = ascii(domain)
        .chars()
        .filter(|c| domain_char_ok(*c))
        .collect();
    let domain = tidy_periods(&domain);
    let domain = ctx
        .mapped_suffix(&domain)
        .map_or(domain.clone(), str::to_string);
    let fixed = format!("{local}@{domain}");
    (!local.is_empty()
        && !domain.is_empty()
        && !longer_than(&domain, MAX_DOMAIN)
        && !longer_than(&fixed, MAX_LENGTH))
    .then_some(fixed)
}

pub fn check(ctx: &Context, row: usize, out: &mut Vec<Finding>) {
    if !is_user(ctx, row) {
        return;
    }
    match ctx.dir.text(Attr::UserPrincipalName, row) {
        Some(upn) => check_value(ctx, row, upn, out),
        None => missing(ctx, row, out),
    }
}

/// Every rule of the profile that `upn`, as the UPN of object `row`, breaks: what [`check`]
/// reports for a present UPN, and what [`validate`] is derived from, so the two can't drift.
pub fn check_value(ctx: &Context, row: usize, upn: &str, out: &mut Vec<Finding>) {
    let report = |out: &mut Vec<Finding>, rule: &'static Rule, note: String| {
        ctx.report(
            out,
            Finding::new(rule, row, ATTR[0], upn)
                .suggest(repaired(ctx, upn))
                .note(note),
        );
    };
    let Some((local, domain)) = split(upn) else {
        let ats = upn.matches('@').count();
        let note = if ats == 0 {
            "no '@'".to_string()
        } else {
            format!("{ats} '@' characters")
        };
        return report(out, &FORMAT, note);
    };
    if local.is_empty() || domain.is_empty() {
        return report(out, &FORMAT, "nothing before or after '@'".into());
    }
    if local.ends_with('.') || local.starts_with('.') || has_double_period(local) {
        report(
            out,
            &FORMAT,
            "a period at the start or end of the name, or two in a row".into(),
        );
    }
    // Nearly every UPN is valid ASCII: one byte test each says so before the characters
    // are collected for the note.
    let clean = |part: &str, ok: fn(char) -> bool| part.bytes().all(|b| ok(char::from(b)));
    let bad: Vec<char> = if clean(local, local_char_ok) && clean(domain, domain_char_ok) {
        Vec::new()
    } else {
        invalid_characters(local, domain)
    };
    if let Some(first) = bad.first() {
        report(
            out,
            &INVALID_CHARACTER,
            format!(
                "invalid character {} ({} in all)",
                describe(*first),
                bad.len()
            ),
        );
    }
    if longer_than(upn, MAX_LENGTH)
        || longer_than(local, MAX_LOCAL)
        || longer_than(domain, MAX_DOMAIN)
    {
        let (total, before, after) = (
            upn.chars().count(),
            local.chars().count(),
            domain.chars().count(),
        );
        report(
            out,
            &TOO_LONG,
            format!("{total} characters: {before} before '@', {after} after (limits {MAX_LENGTH}, {MAX_LOCAL}, {MAX_DOMAIN})"),
        );
    }
    suffix(ctx, row, upn, domain, out);
}

/// The suffix rule a domain breaks, with the reason.
fn suffix_rule(ctx: &Context, domain: &str) -> Option<(&'static Rule, Cow<'static, str>)> {
    match suffix_status(domain) {
        SuffixStatus::Routable => match &ctx.options.verified_domains {
            Some(verified) if !verified.contains(&domain.to_lowercase()) => Some((
                &UNVERIFIED_SUFFIX,
                format!("{domain} is not a verified domain").into(),
            )),
            _ => None,
        },
        SuffixStatus::SpecialUse(reason) => Some((&NON_ROUTABLE_SUFFIX, reason.into())),
        SuffixStatus::NotDelegated => Some((
            &NON_ROUTABLE_SUFFIX,
            format!("{domain} does not end in a delegated top-level domain").into(),
        )),
        SuffixStatus::Invalid => None, // reported as a format or character problem
    }
}

fn suffix(ctx: &Context, row: usize, upn: &str, domain: &str, out: &mut Vec<Finding>) {
    if ctx.tenant_judges_domains() {
        return; // SL1011 judges the suffix against the tenant's verified domains
    }
    if let Some((rule, note)) = suffix_rule(ctx, domain) {
        // Only --suffix-map can repair a suffix; without it there is nothing to suggest.
        let fixed = ctx.mapped_suffix(domain).and_then(|_| repaired(ctx, upn));
        ctx.report(
            out,
            Finding::new(rule, row, ATTR[0], upn)
                .suggest(fixed)
                .note(note),
        );
    }
}

fn missing(ctx: &Context, row: usize, out: &mut Vec<Finding>) {
    let (Some(sam), Some(domain)) = (
        ctx.dir.text(Attr::SamAccountName, row),
        ctx.dir.dn.get(row).and_then(dns_domain),
    ) else {
        return;
    };
    let status = suffix_status(&domain);
    if status != SuffixStatus::Routable {
        let derived = format!("{sam}@{domain}");
        let fixed = ctx.mapped_suffix(&domain).map(|new| format!("{sam}@{new}"));
        let f = Finding::new(&MISSING, row, ATTR[0], "")
            .suggest(fixed)
            .note(format!(
                "no UPN: Connect derives {derived}, whose suffix is not routable"
            ));
        ctx.report(out, f);
    }
}

/// Whether `value` would be a UPN for object `row` that no rule of the profile flags, advice
/// included: valid, routable, and verified when verified domains are given.
pub fn is_clean(ctx: &Context, row: usize, value: &str) -> bool {
    reports_nothing(|out| check_value(ctx, row, value, out))
}
