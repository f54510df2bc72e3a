//! The one place that lists every rule and every check. Adding a rule: declare it in its
//! family's module, then add it to [`RULES`] (and its family's check to [`OBJECT_CHECKS`] if
//! the family is new).

use super::uniqueness;
use super::{account, advisory, alias, large, mail, names, proxy, target, upn, Context, Rule};
use crate::directory::Attr;
use crate::findings::Finding;

/// Every rule, in code order.
pub static RULES: &[&Rule] = &[
    &upn::INVALID_CHARACTER,
    &upn::TOO_LONG,
    &upn::FORMAT,
    &upn::NON_ROUTABLE_SUFFIX,
    &upn::UNVERIFIED_SUFFIX,
    &upn::MISSING,
    &mail::FORMAT,
    &mail::NON_ROUTABLE_SUFFIX,
    &mail::TOO_LONG,
    &alias::INVALID_CHARACTER,
    &alias::AMPERSAND,
    &alias::PERIODS,
    &alias::TOO_LONG,
    &proxy::INVALID_SMTP,
    &proxy::COLON_AFTER_PREFIX,
    &proxy::TOO_LONG,
    &proxy::MICROSOFT_NAMESPACE,
    &proxy::LEGACY_TYPE,
    &proxy::NO_PREFIX,
    &proxy::NON_ROUTABLE_SUFFIX,
    &proxy::SEVERAL_PRIMARY,
    &proxy::INVALID_OTHER,
    &account::INVALID_CHARACTER,
    &account::TOO_LONG,
    &account::TRAILING_PERIOD,
    &names::DISPLAY_NAME_TOO_LONG,
    &names::DISPLAY_NAME_BLANK,
    &names::GIVEN_NAME_TOO_LONG,
    &names::SURNAME_TOO_LONG,
    &names::DISPLAY_NAME_SPACES,
    &target::INVALID,
    &target::TOO_LONG,
    &target::BLANK,
    &target::NON_ROUTABLE_SUFFIX,
    &large::TOO_MANY_CERTIFICATES,
    &large::TOO_MANY_SMIME_CERTIFICATES,
    &large::TOO_MANY_PROXIES,
    &large::LARGE_GROUP,
    &large::LARGE_PHOTO,
    &large::RANGED_VALUES,
    &uniqueness::DUPLICATE_UPN,
    &uniqueness::DUPLICATE_MAIL,
    &uniqueness::DUPLICATE_SMTP,
    &uniqueness::DUPLICATE_OTHER_PROXY,
    &uniqueness::DUPLICATE_TARGET,
    &uniqueness::DUPLICATE_ALIAS,
    &uniqueness::DUPLICATE_SAM,
    &uniqueness::UPN_COLLISION,
    &uniqueness::ADDRESS_COLLISION,
    &uniqueness::TYPE_MISMATCH,
    &advisory::UPN_NOT_PRIMARY_SMTP,
    &advisory::MAIL_NOT_PRIMARY_SMTP,
];

/// A check run on each in-scope object.
pub type ObjectCheck = fn(&Context, usize, &mut Vec<Finding>);

/// Per-object checks, in report order (uniqueness runs over all objects at once).
pub static OBJECT_CHECKS: &[ObjectCheck] = &[
    upn::check,
    mail::check,
    alias::check,
    proxy::check,
    account::check,
    names::check,
    target::check,
    large::check,
    advisory::check,
];

/// Every attribute an export must hold for synclint to see what sync sees: the attributes the
/// rules read, in rule order, then the others the scope needs to tell what sync would take
/// (object class, account state, system objects, Exchange recipient types; every attribute
/// the reader extracts). This is the `-l` list of `synclint help export` and
/// `synclint rules --attributes`, so it follows the rules as they change.
pub fn export_attributes() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = Vec::new();
    let rules = RULES.iter().flat_map(|r| r.attributes.iter().copied());
    let reader = Attr::ALL.iter().map(|a| a.ldap_name());
    for name in rules.chain(reader) {
        if !names.iter().any(|n| n.eq_ignore_ascii_case(name)) {
            names.push(name);
        }
    }
    names
}

/// Runs every per-object check on object `row`.
pub fn check_object(ctx: &Context, row: usize, out: &mut Vec<Finding>) {
    for check in OBJECT_CHECKS {
        check(ctx, row, out);
    }
}

/// Looks a rule up by code (`SL101`) or slug, ignoring case.
pub fn find(name: &str) -> Option<&'static Rule> {
    RULES
        .iter()
        .find(|r| r.code.eq_ignore_ascii_case(name) || r.slug.eq_ignore_ascii_case(name))
        .copied()
}

/// The first rule of the profile (advice aside) a value of `attribute` would break on object
/// `row`: each family's `validate` is derived from its check (targetAddress's still restates
/// it).
pub fn validate(ctx: &Context, row: usize, attribute: &str, value: &str) -> Option<&'static Rule> {
    match attribute {
        "userPrincipalName" => upn::validate(ctx, row, value),
        "mail" => mail::validate(ctx, row, value),
        "mailNickname" => alias::validate(ctx, row, value),
        "proxyAddresses" => proxy::validate(ctx, row, value),
        "sAMAccountName" => account::validate(ctx, row, value),
        "targetAddress" => target::validate(ctx, row, value),
        "displayName" | "givenName" | "sn" => names::validate(ctx, row, attribute, value),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_slugs_are_unique_and_documented() {
        let mut codes: Vec<&str> = RULES.iter().map(|r| r.code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), RULES.len());
        let mut slugs: Vec<&str> = RULES.iter().map(|r| r.slug).collect();
        slugs.sort_unstable();
        slugs.dedup();
        assert_eq!(slugs.len(), RULES.len());
        for r in RULES {
            assert!(r.code.starts_with("SL") && r.code.len() == 5, "{}", r.code);
            assert!(r.source.contains('§'), "{} cites no section", r.code);
            assert!(
                !r.what.is_empty() && !r.why.is_empty() && !r.fix.is_empty(),
                "{}",
                r.code
            );
            assert!(!r.profiles.is_empty(), "{}", r.code);
        }
        assert_eq!(find("sl101").map(|r| r.slug), Some("upn-invalid-character"));
        assert_eq!(find("duplicate-upn").map(|r| r.code), Some("SL801"));
    }

    #[test]
    fn the_export_list_holds_every_attribute_read_once() {
        let list = export_attributes();
        // Every rule's attributes, and each is one the reader extracts (else the rule would
        // never see it, whatever the export holds).
        for r in RULES {
            for a in r.attributes {
                assert!(list.contains(a), "{} reads {a}", r.code);
                assert!(Attr::from_name(a.as_bytes()).is_some(), "{a} is not read");
            }
        }
        // The scope's attributes too, each once, and nothing the reader ignores.
        for a in Attr::ALL {
            assert!(list.contains(&a.ldap_name()), "{}", a.ldap_name());
        }
        assert_eq!(list.len(), Attr::ALL.len());
        assert_eq!(list.first(), Some(&"userPrincipalName"));
    }
}
