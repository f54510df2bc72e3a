//! The one declarative list of rule families, from which everything else is derived: the rule
//! list ([`RULES`]), the per-object checks ([`check_object`]) and the value validation used by
//! suggestions and `fix` ([`validate`]).
//!
//! Adding a rule to a family touches only the family's module (its `Rule`, its emission in the
//! family's value check, its place in the family's `FAMILY.rules`); a new family adds one line
//! to [`FAMILIES`].

use super::{
    account, advisory, alias, engine, first_broken, large, mail, names, proxy, readiness, target,
    tenant, uniqueness, upn, Context, Rule,
};
use crate::directory::Attr;
use crate::findings::Finding;

/// A check run on each in-scope object.
pub type ObjectCheck = fn(&Context, usize, &mut Vec<Finding>);

/// A family's value check: every rule of the profile that `value`, as object `row`'s value of
/// the attribute, breaks. The family's per-object check reports the same for the values the
/// object holds, so a rule, its limits and its gating are written once.
pub type ValueCheck = fn(&Context, usize, Attr, &str, &mut Vec<Finding>);

/// A family of rules: the rules one module declares and the checks that report them.
pub struct Family {
    pub name: &'static str,
    /// The family's rules, in code order.
    pub rules: &'static [&'static Rule],
    /// The attributes whose single values [`Family::check_value`] judges.
    pub values: &'static [Attr],
    pub check_value: Option<ValueCheck>,
    /// The per-object check (None: the family runs over all objects at once, as uniqueness).
    pub check: Option<ObjectCheck>,
}

/// Every family, in report order (their rules in code order).
pub static FAMILIES: &[&Family] = &[
    &upn::FAMILY,
    &mail::FAMILY,
    &alias::FAMILY,
    &proxy::FAMILY,
    &account::FAMILY,
    &names::FAMILY,
    &target::FAMILY,
    &large::FAMILY,
    &uniqueness::FAMILY,
    &advisory::FAMILY,
    &tenant::FAMILY,
    &engine::FAMILY,
    &readiness::sso::FAMILY,
    &readiness::forest::FAMILY,
    &readiness::devices::FAMILY,
    &readiness::passwords::FAMILY,
];

const RULE_COUNT: usize = {
    let (mut n, mut i) = (0, 0);
    while i < FAMILIES.len() {
        n += FAMILIES[i].rules.len();
        i += 1;
    }
    n
};

static ALL_RULES: [&Rule; RULE_COUNT] = {
    let mut all: [&Rule; RULE_COUNT] = [FAMILIES[0].rules[0]; RULE_COUNT];
    let (mut n, mut i) = (0, 0);
    while i < FAMILIES.len() {
        let mut j = 0;
        while j < FAMILIES[i].rules.len() {
            all[n] = FAMILIES[i].rules[j];
            n += 1;
            j += 1;
        }
        i += 1;
    }
    all
};

/// Every rule, in code order: the families' rules one after the other.
pub static RULES: &[&Rule] = &ALL_RULES;

/// Every attribute an export must hold for synclint to see what sync sees: the attributes the
/// rules read, in rule order, then the others the scope needs to tell what sync would take
/// (object class, account state, system objects, Exchange recipient types; every attribute
/// the reader extracts). This is the `-l` list of `synclint help export` and
/// `synclint rules --attributes`, so it follows the rules as they change.
pub fn export_attributes() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = Vec::new();
    let rules = RULES.iter().flat_map(|r| r.attributes.iter().copied());
    let reader = Attr::ALL.iter().copied();
    let wanted = |a: &Attr| !Attr::OPT_IN.contains(a);
    for name in rules.chain(reader).filter(wanted).map(Attr::ldap_name) {
        if !names.iter().any(|n| n.eq_ignore_ascii_case(name)) {
            names.push(name);
        }
    }
    names
}

/// Runs every per-object check on object `row`.
pub fn check_object(ctx: &Context, row: usize, out: &mut Vec<Finding>) {
    for family in FAMILIES {
        if let Some(check) = family.check {
            check(ctx, row, out);
        }
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
/// `row`, from the value check of the family that judges the attribute.
pub fn validate(ctx: &Context, row: usize, attribute: &str, value: &str) -> Option<&'static Rule> {
    let attr = Attr::from_name(attribute.as_bytes())?;
    validate_attr(ctx, row, attr, value)
}

/// [`validate`] for an attribute already known.
pub fn validate_attr(ctx: &Context, row: usize, attr: Attr, value: &str) -> Option<&'static Rule> {
    let check_value = FAMILIES
        .iter()
        .find(|f| f.values.contains(&attr))?
        .check_value?;
    first_broken(|out| check_value(ctx, row, attr, value, out))
}

/// The family that declares `rule`.
pub fn family_of(rule: &Rule) -> Option<&'static Family> {
    FAMILIES.iter().copied().find(|f| f.rules.contains(&rule))
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
            // SL and three digits for the first families (SL101..SL902), four for the
            // families added after them (SL1001.., one hundred per family).
            let digits = &r.code[2..];
            assert!(
                r.code.starts_with("SL")
                    && (3..=4).contains(&digits.len())
                    && digits.bytes().all(|b| b.is_ascii_digit()),
                "{}",
                r.code
            );
            assert!(!r.sources.is_empty(), "{} cites no source", r.code);
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

    /// The registry is consistent: each rule in exactly one family, codes in order, each
    /// attribute's values judged by one family only, and that family's rules read it.
    #[test]
    fn the_registry_is_consistent() {
        assert_eq!(
            RULES.len(),
            FAMILIES.iter().map(|f| f.rules.len()).sum::<usize>()
        );
        let number = |code: &str| code[2..].parse::<u32>().unwrap_or(0);
        for pair in RULES.windows(2) {
            assert!(
                number(pair[0].code) < number(pair[1].code),
                "{} before {}",
                pair[0].code,
                pair[1].code
            );
        }
        for r in RULES {
            let families = FAMILIES.iter().filter(|f| f.rules.contains(r)).count();
            assert_eq!(families, 1, "{} is in {families} families", r.code);
            // The text states the limit the check applies: the most allowed, or the least
            // reported ("300 or more").
            let what = r.what.replace(',', "");
            for limit in r.limits {
                let (max, first) = (limit.max.to_string(), (limit.max + 1).to_string());
                assert!(
                    what.contains(&max) || what.contains(&first),
                    "{}: {} is not in {:?}",
                    r.code,
                    limit.max,
                    r.what
                );
            }
        }
        let mut judged = Vec::new();
        for f in FAMILIES {
            assert_eq!(f.values.is_empty(), f.check_value.is_none(), "{}", f.name);
            for attr in f.values {
                assert!(!judged.contains(attr), "{attr:?} judged twice");
                judged.push(*attr);
                assert!(
                    f.rules.iter().any(|r| r.attributes.contains(attr)),
                    "{}: no rule reads {attr:?}",
                    f.name
                );
            }
        }
        // Only uniqueness, tenant matching and the readiness families run over all objects
        // at once; each readiness family is in readiness::CHECKS once, and every feature is
        // served by some rule.
        let collective: Vec<&str> = FAMILIES
            .iter()
            .filter(|f| f.check.is_none())
            .map(|f| f.name)
            .collect();
        let readiness: Vec<&str> = readiness::CHECKS.iter().map(|c| c.family.name).collect();
        assert_eq!(
            collective,
            [&["uniqueness", "tenant"][..], &readiness].concat()
        );
        for c in readiness::CHECKS {
            assert!(FAMILIES.iter().any(|f| std::ptr::eq(*f, c.family)));
            for r in c.family.rules {
                assert_eq!(r.class, crate::vocab::Class::Readiness, "{}", r.code);
                assert_eq!(readiness::feature_of(r), Some((c.feature)(r)), "{}", r.code);
            }
        }
        for feature in readiness::Feature::ALL {
            assert!(
                RULES
                    .iter()
                    .any(|r| readiness::feature_of(r) == Some(feature)),
                "{feature:?}"
            );
        }
        // Each readiness rule in one readiness family only.
        for r in RULES
            .iter()
            .filter(|r| r.class == crate::vocab::Class::Readiness)
        {
            let families = readiness::CHECKS
                .iter()
                .filter(|c| c.family.rules.iter().any(|f| f == r))
                .count();
            assert_eq!(families, 1, "{}", r.code);
        }
    }

    #[test]
    fn the_export_list_holds_every_attribute_read_once() {
        let list = export_attributes();
        // Every rule's attributes, and each is one the reader extracts (else the rule would
        // never see it, whatever the export holds).
        // The opt-in attributes (security descriptors) are left out: `help export` asks for
        // them separately.
        for r in RULES {
            for a in r.attributes.iter().filter(|a| !Attr::OPT_IN.contains(a)) {
                assert!(list.contains(&a.ldap_name()), "{} reads {a:?}", r.code);
            }
        }
        // The scope's attributes too, each once, and nothing the reader ignores.
        for a in Attr::ALL.iter().filter(|a| !Attr::OPT_IN.contains(a)) {
            assert!(list.contains(&a.ldap_name()), "{}", a.ldap_name());
        }
        for a in Attr::OPT_IN {
            assert!(!list.contains(&a.ldap_name()), "{}", a.ldap_name());
        }
        assert_eq!(list.len(), Attr::ALL.len() - Attr::OPT_IN.len());
        assert_eq!(list.first(), Some(&"userPrincipalName"));
    }
}
