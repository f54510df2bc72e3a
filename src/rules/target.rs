//! targetAddress: its characters, length and routing (and its absence, for IdFix Dedicated).

use super::address::{
    ascii_set, clean_smtp, describe, in_set, longer_than, smtp_problem, split, truncate_chars,
};
use super::mail::{non_routable, repaired};
use super::proxy::{is_smtp, parse};
use super::registry::Family;
use super::sources;
use super::{Context, Limit, Rule, ALL_PROFILES, DEDICATED};
use crate::directory::{Attr, ObjectKind};
use crate::domain::is_microsoft_namespace;
use crate::findings::{Action, Class, Finding, Severity};

const ATTR: &[Attr] = &[Attr::TargetAddress];

/// The longest targetAddress.
pub const MAX_LENGTH: usize = 256;

pub static INVALID: Rule = Rule {
    code: "SL651",
    slug: "target-invalid",
    class: Class::Character,
    severity: Severity::Warning,
    attributes: ATTR,
    idfix: Some("Character"),
    entra: "mail routing to the object breaks",
    sources: &[&sources::PREPARE, &sources::IDFIX],
    source_note: "",
    what: "targetAddress with white space or one of \\ < > ( ) ; , [ ] \", or an SMTP: target that breaks the mail standard.",
    why: "Mail for the object is forwarded to targetAddress; an invalid one can't route.",
    fix: "Correct the address (the suggestion cleans it).",
    default_action: Action::Edit,
    profiles: ALL_PROFILES,
    limits: &[],
};

pub static TOO_LONG: Rule = Rule {
    code: "SL652",
    slug: "target-too-long",
    class: Class::Length,
    severity: Severity::Error,
    attributes: ATTR,
    idfix: Some("Length"),
    entra: "DataValidationFailed",
    sources: &[&sources::PREPARE],
    source_note: "IdFix uses 255.",
    what: "targetAddress longer than 256 characters.",
    why: "256 is the documented maximum.",
    fix: "Shorten it.",
    default_action: Action::Edit,
    profiles: ALL_PROFILES,
    limits: &[Limit {
        what: "characters",
        max: MAX_LENGTH,
    }],
};

pub static BLANK: Rule = Rule {
    code: "SL653",
    slug: "target-blank",
    class: Class::Blank,
    severity: Severity::Warning,
    attributes: ATTR,
    idfix: Some("Blank"),
    entra: "(idfix-dedicated profile only)",
    sources: &[&sources::IDFIX],
    source_note: "",
    what: "A contact, or a user without homeMDB, has no targetAddress (IdFix Dedicated).",
    why: "IdFix's Dedicated rule set requires it for mail routing; the suggestion is SMTP:+mail as IdFix does.",
    fix: "Set targetAddress to the external address.",
    default_action: Action::Edit,
    profiles: DEDICATED,
    limits: &[],
};

pub static NON_ROUTABLE_SUFFIX: Rule = Rule {
    code: "SL654",
    slug: "target-non-routable-suffix",
    class: Class::Suffix,
    severity: Severity::Warning,
    attributes: ATTR,
    idfix: Some("TopLevelDomain"),
    entra: "hybrid mail routing to the object fails (mail forwarded to targetAddress can't be delivered)",
    sources: &[&sources::PREPARE, &sources::IDFIX],
    source_note: "IdFix reports targetAddress errors as for proxyAddresses, TopLevelDomain included.",
    what: "An SMTP: targetAddress whose domain is special-use or not delegated (.local, .corp …); with --verified-domain, also a user's targetAddress outside the verified domains and Microsoft's (onmicrosoft.com) namespaces.",
    why: "In a hybrid organisation mail for a remote mailbox or mail user is forwarded to its targetAddress (for a migrated mailbox, the remote routing address in tenant.mail.onmicrosoft.com): a domain the internet can't resolve, or that the tenant does not accept, never delivers. Contacts point outside on purpose, so only their non-routable domains are reported.",
    fix: "Point targetAddress at a routable address the tenant accepts (--suffix-map old=new suggests one).",
    default_action: Action::Edit,
    profiles: ALL_PROFILES,
    limits: &[],
};

const TARGET_INVALID: u128 = ascii_set("\\<>();,[]\"");

fn bad_char(c: char) -> bool {
    c.is_whitespace() || in_set(c, TARGET_INVALID)
}

pub static FAMILY: Family = Family {
    name: "targetAddress",
    rules: &[&INVALID, &TOO_LONG, &BLANK, &NON_ROUTABLE_SUFFIX],
    values: ATTR,
    check_value: Some(|ctx, row, _, value, out| check_value(ctx, row, value, out)),
    check: Some(check),
};

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
    check_value(ctx, row, target, out);
}

/// Every rule of the profile that `target` breaks as object `row`'s targetAddress: what
/// [`check`] reports for a present value, and what validation is derived from.
pub fn check_value(ctx: &Context, row: usize, target: &str, out: &mut Vec<Finding>) {
    if longer_than(target, MAX_LENGTH) {
        let f = Finding::new(&TOO_LONG, row, ATTR[0], target)
            .suggest(Some(truncate_chars(target, MAX_LENGTH)))
            .note(format!("{} characters", target.chars().count()));
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
        return;
    }
    if let Some(note) = routing_problem(ctx, row, target) {
        let fixed = parse(target).and_then(|(prefix, address)| {
            let (_, domain) = split(address)?;
            ctx.mapped_suffix(domain)?;
            repaired(ctx, address).map(|a| format!("{prefix}:{a}"))
        });
        ctx.report(
            out,
            Finding::new(&NON_ROUTABLE_SUFFIX, row, ATTR[0], target)
                .suggest(fixed)
                .note(note),
        );
    }
}

/// Why mail forwarded to an SMTP targetAddress can't be delivered, if it can't: a
/// non-routable domain, or (for users, with verified domains given) a domain the tenant
/// does not accept.
fn routing_problem(ctx: &Context, row: usize, target: &str) -> Option<String> {
    let (prefix, address) = parse(target)?;
    if !is_smtp(prefix) {
        return None;
    }
    let (_, domain) = split(address)?;
    if let Some(reason) = non_routable(domain) {
        return Some(reason.into_owned());
    }
    let user = matches!(
        ctx.dir.kind[row],
        ObjectKind::User | ObjectKind::InetOrgPerson
    );
    match &ctx.options.verified_domains {
        Some(verified)
            if user
                && !is_microsoft_namespace(domain)
                && !verified.contains(&domain.to_lowercase()) =>
        {
            Some(format!(
                "{domain} is not a verified domain (nor the tenant's onmicrosoft.com)"
            ))
        }
        _ => None,
    }
}

fn problem(target: &str) -> Option<String> {
    if target.is_empty() {
        // Never read from an export (an empty value is no value); a proposed one is invalid.
        return Some("empty value".into());
    }
    if let Some(c) = target.chars().find(|c| bad_char(*c)) {
        return Some(format!("invalid character {}", describe(c)));
    }
    match parse(target) {
        Some((prefix, address)) if is_smtp(prefix) => smtp_problem(address),
        _ => None,
    }
}
