//! proxyAddresses, each value by its type.

use super::address::{
    ascii_set, byte_classes, describe, in_set, longer_than, smtp_problem, split, truncate_chars,
};
use super::mail::{non_routable, repaired};
use super::registry::Family;
use super::sources;
use super::{Context, Limit, Rule, ALL_PROFILES, ENTRA};
use crate::directory::Attr;
use crate::domain::is_discarded_namespace;
use crate::findings::{Action, Class, Finding, Severity};

const ATTR: &[Attr] = &[Attr::ProxyAddresses];

/// The longest proxyAddresses value.
pub const MAX_LENGTH: usize = 256;

pub static INVALID_SMTP: Rule = Rule {
    code: "SL401",
    slug: "proxy-invalid-smtp",
    class: Class::Format,
    severity: Severity::Warning,
    attributes: ATTR,
    idfix: Some("Format"),
    entra: "the address is discarded (data loss)",
    sources: &[&sources::PREPARE, &sources::PROXY_POPULATION, &sources::IDFIX],
    source_note: "",
    what: "An smtp: address that breaks the mail standard: white space, < > ( ) ; , [ ] \", letters with diacritics, no '@' or several, a domain that is not name.tld.",
    why: "Entra's proxy calculation drops malformed addresses: mail sent to them bounces after migration.",
    fix: "Correct the address (the suggestion removes invalid characters and transliterates diacritics) or remove it.",
    default_action: Action::Edit,
    profiles: ALL_PROFILES,
    limits: &[],
};

pub static COLON_AFTER_PREFIX: Rule = Rule {
    code: "SL402",
    slug: "proxy-colon-after-prefix",
    class: Class::Character,
    severity: Severity::Warning,
    attributes: ATTR,
    idfix: Some("Character"),
    entra: "the address is invalid and discarded",
    sources: &[&sources::PREPARE, &sources::IDFIX],
    source_note: "The preparation guide's example: SMTP:user:M@contoso.com is invalid.",
    what: "A second ':' after the type prefix of an smtp: address.",
    why: "The rules apply after the type delimiter; a colon there makes the address invalid.",
    fix: "Remove the extra colon (the suggestion does).",
    default_action: Action::Edit,
    profiles: ALL_PROFILES,
    limits: &[],
};

pub static TOO_LONG: Rule = Rule {
    code: "SL403",
    slug: "proxy-too-long",
    class: Class::Length,
    severity: Severity::Error,
    attributes: ATTR,
    idfix: Some("Length"),
    entra: "DataValidationFailed",
    sources: &[&sources::PREPARE, &sources::IDFIX],
    source_note: "",
    what: "A proxyAddresses value longer than 256 characters.",
    why: "256 characters per value is the documented limit.",
    fix: "Shorten or remove the value.",
    default_action: Action::Edit,
    profiles: ALL_PROFILES,
    limits: &[Limit {
        what: "characters per value",
        max: MAX_LENGTH,
    }],
};

pub static MICROSOFT_NAMESPACE: Rule = Rule {
    code: "SL404",
    slug: "proxy-microsoft-namespace",
    class: Class::Advisory,
    severity: Severity::Warning,
    attributes: ATTR,
    idfix: None,
    entra: "discarded by the proxy calculation",
    sources: &[&sources::PROXY_POPULATION],
    source_note: "",
    what: "An smtp: address in *.onmicrosoft.com or *.microsoftonline.com set on-premises, other than in the hybrid coexistence domain <tenant>.mail.onmicrosoft.com (every on-premises mailbox of a hybrid Exchange organisation needs one, and it syncs).",
    why: "Entra discards on-premises addresses in Microsoft's namespaces (all but the coexistence domain) and adds its own; the on-premises value silently disappears.",
    fix: "Remove the value on-premises; Exchange Online creates the onmicrosoft.com address itself. Keep the <tenant>.mail.onmicrosoft.com addresses of a hybrid organisation: mailbox moves need them.",
    default_action: Action::Remove,
    profiles: ENTRA,
    limits: &[],
};

pub static LEGACY_TYPE: Rule = Rule {
    code: "SL405",
    slug: "proxy-legacy-type",
    class: Class::Advisory,
    severity: Severity::Info,
    attributes: ATTR,
    idfix: None,
    entra: "discarded by the proxy calculation",
    sources: &[&sources::PROXY_POPULATION],
    source_note: "",
    what: "An X400: or MSMAIL: (or CCMAIL:) address.",
    why: "Legacy address types are discarded by Entra's proxy calculation; nothing breaks, but they don't arrive.",
    fix: "Nothing required; remove them if they are no longer used.",
    default_action: Action::Complete,
    profiles: ENTRA,
    limits: &[],
};

pub static NO_PREFIX: Rule = Rule {
    code: "SL406",
    slug: "proxy-no-prefix",
    class: Class::Format,
    severity: Severity::Warning,
    attributes: ATTR,
    idfix: Some("Format"),
    entra: "discarded (missing SMTP: prefix)",
    sources: &[&sources::PROXY_POPULATION],
    source_note: "",
    what: "A proxyAddresses value without a type prefix (no 'type:' before the address).",
    why: "Values without a prefix are malformed and discarded.",
    fix: "Add the prefix (smtp: for a secondary SMTP address); the suggestion does when the value is an address.",
    default_action: Action::Edit,
    profiles: ALL_PROFILES,
    limits: &[],
};

pub static NON_ROUTABLE_SUFFIX: Rule = Rule {
    code: "SL407",
    slug: "proxy-non-routable-suffix",
    class: Class::Suffix,
    severity: Severity::Warning,
    attributes: ATTR,
    idfix: Some("TopLevelDomain"),
    entra: "an unverified-domain address is dropped when an Exchange Online license is assigned",
    sources: &[&sources::PROXY_POPULATION, &sources::SPECIAL_USE_DOMAINS],
    source_note: "",
    what: "An smtp: address whose domain is special-use or not delegated (.local, .corp …).",
    why:
        "Such a domain can never be verified; Exchange Online drops the address for licensed users.",
    fix: "Remove the address or re-domain it (--suffix-map old=new suggests).",
    default_action: Action::Remove,
    profiles: ALL_PROFILES,
    limits: &[],
};

pub static SEVERAL_PRIMARY: Rule = Rule {
    code: "SL408",
    slug: "proxy-several-primary",
    class: Class::Format,
    severity: Severity::Warning,
    attributes: ATTR,
    idfix: None,
    entra: "ambiguous primary SMTP address",
    sources: &[&sources::PROXY_POPULATION],
    source_note: "One primary SMTP: address feeds mail and soft match.",
    what: "More than one upper-case SMTP: (primary) value on one object.",
    why: "There is one primary address; with several, which one becomes mail and the soft-match key is undefined.",
    fix: "Keep one SMTP: and make the others smtp:.",
    default_action: Action::Edit,
    profiles: ENTRA,
    limits: &[],
};

pub static INVALID_OTHER: Rule = Rule {
    code: "SL409",
    slug: "proxy-invalid-character",
    class: Class::Character,
    severity: Severity::Warning,
    attributes: ATTR,
    idfix: Some("Character"),
    entra: "the value may be rejected or discarded",
    sources: &[&sources::IDFIX],
    source_note: "IdFix's characters per type: x500 \\f \\n \\r \\t \\v [ ] \"; others white space < > ( ) , [ ] \".",
    what: "A non-SMTP value (X500:, SIP:, EUM: …) with a character IdFix rejects for its type. The apostrophe is allowed (IdFix 2.6 changelog).",
    why: "Invalid characters in a proxy value make it unusable.",
    fix: "Remove the characters (the suggestion does).",
    default_action: Action::Edit,
    profiles: ALL_PROFILES,
    limits: &[],
};

pub static FAMILY: Family = Family {
    name: "proxyAddresses",
    rules: &[
        &INVALID_SMTP,
        &COLON_AFTER_PREFIX,
        &TOO_LONG,
        &MICROSOFT_NAMESPACE,
        &LEGACY_TYPE,
        &NO_PREFIX,
        &NON_ROUTABLE_SUFFIX,
        &SEVERAL_PRIMARY,
        &INVALID_OTHER,
    ],
    values: ATTR,
    check_value: Some(|ctx, row, _, value, out| check_value(ctx, row, value, out)),
    check: Some(check),
};

/// The type prefix and the rest of a proxy value.
pub fn parse(value: &str) -> Option<(&str, &str)> {
    // ':' is ASCII: a byte scan (the prefix is a few bytes) beats the char searcher.
    let colon = value.as_bytes().iter().position(|c| *c == b':')?;
    (colon > 0).then(|| (&value[..colon], &value[colon + 1..]))
}

pub fn is_smtp(prefix: &str) -> bool {
    prefix.eq_ignore_ascii_case("smtp")
}

/// Whether the type is one Entra's proxy calculation discards (X400, MSMAIL, CCMAIL): such
/// values never reach the tenant.
pub fn is_legacy_type(prefix: &str) -> bool {
    x_type(prefix, "400")
        || prefix.eq_ignore_ascii_case("msmail")
        || prefix.eq_ignore_ascii_case("ccmail")
}

/// `x400`/`x.400` style prefixes, any case (IdFix: `^x\.?400`).
fn x_type(prefix: &str, n: &str) -> bool {
    let rest = match prefix.as_bytes().first() {
        Some(b'x' | b'X') => &prefix[1..],
        _ => return false,
    };
    rest.strip_prefix('.').unwrap_or(rest) == n
}

const X_INVALID: u128 = ascii_set("\u{c}\n\r\t\u{b}[]\"");
const OTHER_INVALID: u128 = ascii_set("<>(),[]\"");

/// [`first_bad_other`]'s byte classes (one look-up per byte of the long X500 values): a
/// byte X400/X500 values may not hold, and one other types may not (their set and ASCII
/// white space).
const X_BAD: u8 = 1;
const OTHER_BAD: u8 = 2;
/// ASCII white space, for the other types' set.
const ASCII_WHITESPACE: u128 = ascii_set("\t\n\u{c}\r ");
static BAD_BYTES: [u8; 256] = byte_classes(
    X_INVALID,
    X_BAD,
    OTHER_INVALID | ASCII_WHITESPACE,
    OTHER_BAD,
);

/// Whether the type is X400 or X500, whose values allow white space and most punctuation.
fn x400_or_x500(prefix: &str) -> bool {
    x_type(prefix, "500") || x_type(prefix, "400")
}

/// Whether a value of a non-SMTP type may hold `c` (`x`: the type is X400 or X500, decided
/// once per value rather than per character).
fn other_char_ok(x: bool, c: char) -> bool {
    if x {
        !in_set(c, X_INVALID)
    } else {
        !c.is_whitespace() && !in_set(c, OTHER_INVALID)
    }
}

/// Whether an ASCII value may hold a byte its type refuses (for other types than X400/X500,
/// also a vertical tab, which they allow). A pass without branches, which the compiler turns
/// into vector compares: the long X500 values are nearly all clean, and only the others are
/// then looked at byte by byte.
fn may_hold_refused(bytes: &[u8], x: bool) -> bool {
    // 9..=13: tab, line feed, vertical tab, form feed, carriage return.
    let control = |b: u8| b.wrapping_sub(9) < 5;
    let brackets = |b: u8| b == b'[' || b == b']' || b == b'"';
    if x {
        bytes
            .iter()
            .fold(false, |found, &b| found | control(b) | brackets(b))
    } else {
        bytes.iter().fold(false, |found, &b| {
            found | control(b) | brackets(b) | matches!(b, b' ' | b'<' | b'>' | b'(' | b')' | b',')
        })
    }
}

/// The first character of a non-SMTP value its type does not allow. Long X500 values are
/// the bulk of proxyAddresses, so ASCII values are checked byte by byte.
fn first_bad_other(prefix: &str, address: &str) -> Option<char> {
    let x = x400_or_x500(prefix);
    if address.is_ascii() {
        if !may_hold_refused(address.as_bytes(), x) {
            return None;
        }
        let bad = if x { X_BAD } else { OTHER_BAD };
        return address
            .bytes()
            .find(|b| BAD_BYTES[usize::from(*b)] & bad != 0)
            .map(char::from);
    }
    address.chars().find(|c| !other_char_ok(x, *c))
}

pub fn check(ctx: &Context, row: usize, out: &mut Vec<Finding>) {
    let proxies = ctx.dir.proxy_addresses.get(row);
    if proxies.len() == 0 {
        return;
    }
    let mut primaries = 0;
    for value in proxies {
        check_value(ctx, row, value, out);
        if value.starts_with("SMTP:") {
            primaries += 1;
        }
    }
    if primaries > 1 {
        let primary: Vec<&str> = ctx
            .dir
            .proxy_addresses
            .get(row)
            .filter(|v| v.starts_with("SMTP:"))
            .collect();
        let f = Finding::new(&SEVERAL_PRIMARY, row, ATTR[0], primary[1]).note(format!(
            "{primaries} primary addresses: {}",
            primary.join(", ")
        ));
        ctx.report(out, f);
    }
}

pub fn check_value(ctx: &Context, row: usize, value: &str, out: &mut Vec<Finding>) {
    let finding = |rule: &'static Rule| Finding::new(rule, row, ATTR[0], value);
    if longer_than(value, MAX_LENGTH) {
        ctx.report(
            out,
            finding(&TOO_LONG)
                .suggest(Some(truncate_chars(value, MAX_LENGTH)))
                .note(format!("{} characters", value.chars().count())),
        );
    }
    let Some((prefix, address)) = parse(value) else {
        let fixed = (smtp_problem(value).is_none()).then(|| format!("smtp:{value}"));
        ctx.report(out, finding(&NO_PREFIX).suggest(fixed));
        return;
    };
    if is_smtp(prefix) {
        if address.contains(':') {
            let fixed = format!("{prefix}:{}", address.replace(':', ""));
            ctx.report(out, finding(&COLON_AFTER_PREFIX).suggest(Some(fixed)));
            return;
        }
        if let Some(problem) = smtp_problem(address) {
            let fixed = repaired(ctx, address).map(|a| format!("{prefix}:{a}"));
            ctx.report(out, finding(&INVALID_SMTP).suggest(fixed).note(problem));
            return;
        }
        let Some((_, domain)) = split(address) else {
            return;
        };
        if is_discarded_namespace(domain) {
            ctx.report(out, finding(&MICROSOFT_NAMESPACE));
        } else if let Some(reason) = non_routable(domain).filter(|_| !ctx.tenant_judges_domains()) {
            // With the tenant's domains given, SL1013 judges the domain instead.
            let fixed = ctx
                .mapped_suffix(domain)
                .and_then(|_| repaired(ctx, address))
                .map(|a| format!("{prefix}:{a}"));
            let mut f = finding(&NON_ROUTABLE_SUFFIX).suggest(fixed).note(reason);
            if f.suggested().is_some() {
                f.action = Action::Edit;
            }
            ctx.report(out, f);
        }
        return;
    }
    if is_legacy_type(prefix) {
        ctx.report(out, finding(&LEGACY_TYPE));
    }
    if let Some(c) = first_bad_other(prefix, address) {
        let x = x400_or_x500(prefix);
        let fixed: String = address.chars().filter(|c| other_char_ok(x, *c)).collect();
        let f = finding(&INVALID_OTHER)
            .suggest(Some(format!("{prefix}:{fixed}")))
            .note(format!("invalid character {}", describe(c)));
        ctx.report(out, f);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The vector pre-check never passes a byte the exact look refuses, for either kind of
    /// type, alone or in a long value; and the refused byte is then the one reported.
    #[test]
    fn the_pre_check_misses_no_refused_byte() {
        for (prefix, x) in [("X500", true), ("x400", true), ("SIP", false)] {
            assert_eq!(x400_or_x500(prefix), x);
            let bad = if x { X_BAD } else { OTHER_BAD };
            for b in 0u8..128 {
                let refused = BAD_BYTES[usize::from(b)] & bad != 0;
                let mut value = "/o=Contoso/ou=Exchange Administrative Group/cn=Recipients/cn=ab"
                    .replace(' ', "-")
                    .into_bytes();
                value.insert(40, b);
                if refused {
                    assert!(may_hold_refused(&[b], x), "{prefix} {b}");
                    assert!(may_hold_refused(&value, x), "{prefix} {b}");
                }
                let text = String::from_utf8(value).unwrap_or_default();
                let expected = refused.then_some(char::from(b));
                assert_eq!(first_bad_other(prefix, &text), expected, "{prefix} {b}");
            }
        }
    }
}
