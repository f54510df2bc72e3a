//! Forest-wide onboarding checks read from the configuration partition: the device
//! registration service connection point hybrid join discovers its tenant from, and Entra
//! Connect's own prerequisites (forest functional level, NetBIOS names, UPN suffixes, the
//! recycle bin) (SL1221–SL1249).

use super::sources;
use super::{Feature, Forest, Inputs, Out, Readiness};
use crate::directory::{Attr, ObjectKind};
use crate::dn;
use crate::findings::{Finding, Severity};
use crate::rules::registry::Family;
use crate::rules::{Limit, Rule};
use std::collections::BTreeMap;

/// The device registration SCP's name under `CN=Device Registration Configuration,CN=Services`.
pub const SCP_CN: &str = "62a0ff2e-97b9-4513-943f-0d221bd30080";
/// Windows Server 2003, the lowest forest functional level Entra Connect supports.
pub const MIN_FOREST_LEVEL: i64 = 2;

static SCP_SOURCES: &[&crate::vocab::Source] = &[
    &sources::HYBRID_JOIN_MANUAL,
    &sources::DEVICE_REGISTRATION,
    &sources::HYBRID_JOIN_TROUBLESHOOT,
];
static CONNECT_SOURCES: &[&crate::vocab::Source] = &[&sources::CONNECT_PREREQUISITES];
static SUFFIX_SOURCES: &[&crate::vocab::Source] =
    &[&sources::SHADOW_ATTRIBUTES, &sources::HYBRID_JOIN_PLAN];

#[allow(clippy::too_many_arguments)]
const fn rule(
    code: &'static str,
    slug: &'static str,
    severity: Severity,
    attributes: &'static [Attr],
    sources: &'static [&'static crate::vocab::Source],
    entra: &'static str,
    source_note: &'static str,
    texts: [&'static str; 3],
    limits: &'static [Limit],
) -> Rule {
    super::rule(
        code,
        slug,
        severity,
        attributes,
        entra,
        sources,
        source_note,
        texts,
        limits,
    )
}

pub static SCP_ABSENT: Rule = rule(
    "SL1221",
    "device-scp-absent",
    Severity::Error,
    &[Attr::Keywords],
    SCP_SOURCES,
    "Hybrid join fails at discovery (DSREG_AUTOJOIN_ADCONFIG_READ_FAILED, 0x801c001d)",
    "Expected when devices are pointed at the tenant by a client-side (registry) SCP for a targeted rollout, or when one forest feeds several tenants.",
    [
        "The forest's configuration partition export covers CN=Services but holds no device registration service connection point (CN=62a0ff2e-97b9-4513-943f-0d221bd30080,CN=Device Registration Configuration,CN=Services).",
        "Windows devices find their tenant by reading this object's keywords over LDAP; without it they never register, and Connect never syncs them as hybrid joined devices.",
        "Configure hybrid join in Entra Connect (Configure device options) for this forest, or create the SCP as the manual configuration article shows.",
    ],
    &[],
);

pub static SCP_MALFORMED: Rule = rule(
    "SL1222",
    "device-scp-malformed",
    Severity::Error,
    &[Attr::Keywords],
    SCP_SOURCES,
    "DSREG_DISCOVERY_TENANT_NOT_FOUND / AADSTS90002 (wrong tenant), or discovery fails",
    "",
    [
        "The device registration SCP's keywords do not hold exactly one azureADId:<tenant GUID> and one azureADName:<verified domain>.",
        "Devices take the tenant from these two values; a missing, repeated or malformed tenant ID sends them nowhere or to the wrong tenant.",
        "Set keywords to azureADId:<your tenant ID> and azureADName:<a verified domain> (Entra Connect's device options rewrite them).",
    ],
    &[],
);

pub static SCP_REPEATED: Rule = rule(
    "SL1223",
    "device-scp-repeated",
    Severity::Warning,
    &[Attr::Keywords],
    SCP_SOURCES,
    "devices read the one at the documented place; the others are ignored or conflict",
    "Microsoft documents one SCP per forest at one DN; a second object naming a tenant is our observation of what leftover configurations look like.",
    [
        "A forest holds more than one service connection point naming an Entra tenant (keywords azureADId:…).",
        "One SCP per forest is what hybrid join reads; a second one (another tenant, an old test) shows a configuration nobody is sure of.",
        "Keep the one at CN=62a0ff2e-97b9-4513-943f-0d221bd30080,CN=Device Registration Configuration,CN=Services and delete the others.",
    ],
    &[],
);

pub static FOREST_LEVEL: Rule = rule(
    "SL1224",
    "forest-functional-level-too-low",
    Severity::Error,
    &[Attr::BehaviorVersion],
    CONNECT_SOURCES,
    "Entra Connect is not supported on the forest",
    "That CN=Partitions' msDS-Behavior-Version is the forest functional level (2 = Windows Server 2003) is AD's model, not the article's text.",
    [
        "The forest functional level (msDS-Behavior-Version on CN=Partitions) is below 2, Windows Server 2003.",
        "Entra Connect requires forest functional level and schema of Windows Server 2003 or later.",
        "Raise the forest functional level (after the domain controllers allow it).",
    ],
    &[Limit {
        what: "level",
        max: MIN_FOREST_LEVEL as usize,
    }],
);

pub static DOTTED_NETBIOS: Rule = rule(
    "SL1225",
    "netbios-name-with-dot",
    Severity::Error,
    &[Attr::NetbiosName],
    CONNECT_SOURCES,
    "Entra Connect does not support the domain",
    "",
    [
        "A domain's NetBIOS name (nETBIOSName of its crossRef) contains a period.",
        "Entra Connect's prerequisites: a domain whose NetBIOS name holds a dot is not supported.",
        "There is no rename in place for a NetBIOS name short of a domain rename; plan with Microsoft's guidance before onboarding.",
    ],
    &[],
);

pub static UPN_SUFFIX_UNDECLARED: Rule = rule(
    "SL1226",
    "upn-suffix-undeclared",
    Severity::Info,
    &[Attr::UserPrincipalName, Attr::UpnSuffixes],
    SUFFIX_SOURCES,
    "Entra Connect's sign-in page lists the forest's UPN suffixes; a suffix users hold but the forest does not declare is easy to miss when verifying domains",
    "The list (uPNSuffixes on CN=Partitions, plus each domain's dnsRoot) is AD's; the wizard page is Microsoft's. Advice.",
    [
        "Users hold a UPN suffix that is neither a domain of the forest nor in its uPNSuffixes (reported once per suffix).",
        "Connect shows the declared suffixes as Not Added / Not Verified / Verified; users with an undeclared suffix get no line there, and their suffix must still be verified in the tenant or they sign in as …onmicrosoft.com.",
        "Add the suffix to the forest (Active Directory Domains and Trusts, UPN suffixes) and verify it in the tenant, or change those users' UPNs.",
    ],
    &[],
);

pub static RECYCLE_BIN_OFF: Rule = rule(
    "SL1227",
    "recycle-bin-not-enabled",
    Severity::Info,
    &[Attr::EnabledFeature],
    CONNECT_SOURCES,
    "none; deleted objects cannot be restored with their identity",
    "Recommended, not required. Read from msDS-EnabledFeature on CN=Partitions: an export whose -l list lacks the attribute looks the same.",
    [
        "The AD Recycle Bin is not enabled in the forest (msDS-EnabledFeature on CN=Partitions does not name the Recycle Bin Feature).",
        "Microsoft recommends it: an object deleted by mistake and restored from the recycle bin keeps its objectGUID, so its cloud object is matched again instead of recreated.",
        "Enable the Recycle Bin (Enable-ADOptionalFeature 'Recycle Bin Feature').",
    ],
    &[],
);

pub static FAMILY: Family = Family {
    name: "forest onboarding",
    rules: &[
        &SCP_ABSENT,
        &SCP_MALFORMED,
        &SCP_REPEATED,
        &FOREST_LEVEL,
        &DOTTED_NETBIOS,
        &UPN_SUFFIX_UNDECLARED,
        &RECYCLE_BIN_OFF,
    ],
    values: &[],
    check_value: None,
    check: None,
};

/// The service connection point's rules serve hybrid join; the others are Entra Connect's
/// own prerequisites.
static SCP_RULES: &[&Rule] = &[&SCP_ABSENT, &SCP_MALFORMED, &SCP_REPEATED];

pub static READINESS: Readiness = Readiness {
    family: &FAMILY,
    feature: |rule| {
        if SCP_RULES.contains(&rule) {
            Feature::HybridJoin
        } else {
            Feature::Other
        }
    },
    run,
};

const NO_CONFIGURATION: &str = "the inputs hold no configuration partition (export CN=Configuration,<forest root> next to the domain; `synclint help export`)";

fn run(inputs: &Inputs, out: &mut Out) {
    let forests = &inputs.forests.list;
    if !inputs.forests.any_configuration() {
        out.not_checked(Feature::HybridJoin, SCP_RULES, NO_CONFIGURATION);
        out.not_checked(
            Feature::Other,
            &[
                &FOREST_LEVEL,
                &DOTTED_NETBIOS,
                &UPN_SUFFIX_UNDECLARED,
                &RECYCLE_BIN_OFF,
            ],
            NO_CONFIGURATION,
        );
        return;
    }
    for forest in forests.iter().filter(|f| !f.configuration) {
        out.not_checked(
            Feature::HybridJoin,
            SCP_RULES,
            format!("no configuration partition of {} was given", forest.label()),
        );
    }
    for forest in forests.iter().filter(|f| f.configuration) {
        scp(inputs, out, forest);
        partitions(inputs, out, forest);
    }
    upn_suffixes(inputs, out);
}

/// Whether a text is a GUID in its usual form (with or without braces).
fn is_guid(text: &str) -> bool {
    let t = text.trim();
    let t = t
        .strip_prefix('{')
        .and_then(|t| t.strip_suffix('}'))
        .unwrap_or(t);
    t.len() == 36
        && t.char_indices().all(|(i, c)| {
            if matches!(i, 8 | 13 | 18 | 23) {
                c == '-'
            } else {
                c.is_ascii_hexdigit()
            }
        })
}

/// Whether a text looks like a DNS domain name (two labels or more, LDH).
fn is_dns_name(text: &str) -> bool {
    let t = text.trim().trim_end_matches('.');
    let labels: Vec<&str> = t.split('.').collect();
    labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

fn keyword<'a>(value: &'a str, name: &str) -> Option<&'a str> {
    let (k, v) = value.split_once(':')?;
    k.trim().eq_ignore_ascii_case(name).then(|| v.trim())
}

fn scp(inputs: &Inputs, out: &mut Out, forest: &Forest) {
    let dir = inputs.dir;
    let Some(services) = forest.services else {
        out.not_checked(
            Feature::HybridJoin,
            SCP_RULES,
            format!(
                "the configuration export of {} does not cover CN=Services",
                forest.label()
            ),
        );
        return;
    };
    out.ran(Feature::HybridJoin);
    let well_known = format!(
        "cn={SCP_CN},cn=device registration configuration,cn=services,cn=configuration,{}",
        dn::normalized(&forest.root)
    );
    // Device registration SCPs: the one at the documented DN, and any other naming a tenant.
    let tenant_scps: Vec<usize> = forest
        .scps
        .iter()
        .copied()
        .filter(|r| {
            dn::normalized(dir.dn.get(*r).unwrap_or("")) == well_known
                || dir
                    .extra
                    .values(Attr::Keywords, *r)
                    .any(|k| keyword(k, "azureADId").is_some())
        })
        .collect();
    if tenant_scps.is_empty() {
        out.report(
            inputs,
            Finding::new(&SCP_ABSENT, services, Attr::Keywords, "").note(format!(
                "no device registration SCP in {} (expected only with a client-side SCP)",
                forest.label()
            )),
        );
        return;
    }
    if tenant_scps.len() > 1 {
        for &row in &tenant_scps {
            let keywords: Vec<&str> = dir.extra.values(Attr::Keywords, row).collect();
            out.report(
                inputs,
                Finding::new(&SCP_REPEATED, row, Attr::Keywords, &keywords.join("; ")).note(
                    format!(
                        "{} device registration SCPs in {}",
                        tenant_scps.len(),
                        forest.label()
                    ),
                ),
            );
        }
    }
    for &row in &tenant_scps {
        let keywords: Vec<&str> = dir.extra.values(Attr::Keywords, row).collect();
        let ids: Vec<&str> = keywords
            .iter()
            .filter_map(|k| keyword(k, "azureADId"))
            .collect();
        let names: Vec<&str> = keywords
            .iter()
            .filter_map(|k| keyword(k, "azureADName"))
            .collect();
        let mut wrong: Vec<String> = Vec::new();
        match ids.as_slice() {
            [] => wrong.push("no azureADId".into()),
            [id] if !is_guid(id) => wrong.push(format!("azureADId {id:?} is not a GUID")),
            [_] => {}
            more => wrong.push(format!("{} azureADId values", more.len())),
        }
        match names.as_slice() {
            [] => wrong.push("no azureADName".into()),
            [name] if !is_dns_name(name) => {
                wrong.push(format!("azureADName {name:?} is not a domain name"))
            }
            [_] => {}
            more => wrong.push(format!("{} azureADName values", more.len())),
        }
        if !wrong.is_empty() {
            out.report(
                inputs,
                Finding::new(&SCP_MALFORMED, row, Attr::Keywords, &keywords.join("; ")).note(
                    format!(
                        "device registration SCP of {}: {}",
                        forest.label(),
                        wrong.join(", ")
                    ),
                ),
            );
        }
    }
}

fn partitions(inputs: &Inputs, out: &mut Out, forest: &Forest) {
    let dir = inputs.dir;
    let Some(row) = forest.partitions else {
        out.not_checked(
            Feature::Other,
            &[&FOREST_LEVEL, &UPN_SUFFIX_UNDECLARED, &RECYCLE_BIN_OFF],
            format!(
                "the configuration export of {} has no CN=Partitions object",
                forest.label()
            ),
        );
        return;
    };
    out.ran(Feature::Other);
    match dir
        .extra
        .value(Attr::BehaviorVersion, row)
        .map(|v| v.trim().parse::<i64>())
    {
        Some(Ok(level)) if level < MIN_FOREST_LEVEL => out.report(
            inputs,
            Finding::new(
                &FOREST_LEVEL,
                row,
                Attr::BehaviorVersion,
                &level.to_string(),
            )
            .note(format!(
                "{} functional level {level} (Windows Server 2003 is 2)",
                forest.label()
            )),
        ),
        Some(_) => {}
        None => out.not_checked(
            Feature::Other,
            &[&FOREST_LEVEL],
            format!(
                "CN=Partitions of {} has no msDS-Behavior-Version in the export",
                forest.label()
            ),
        ),
    }
    let recycle = dir
        .extra
        .values(Attr::EnabledFeature, row)
        .any(|v| dn::first_rdn_value(v).eq_ignore_ascii_case("Recycle Bin Feature"));
    if !recycle {
        out.report(
            inputs,
            Finding::new(&RECYCLE_BIN_OFF, row, Attr::EnabledFeature, "")
                .note(format!("AD Recycle Bin not enabled in {}", forest.label())),
        );
    }
    for &crossref in &forest.crossrefs {
        if let Some(name) = dir.extra.value(Attr::NetbiosName, crossref) {
            if name.contains('.') {
                out.report(
                    inputs,
                    Finding::new(&DOTTED_NETBIOS, crossref, Attr::NetbiosName, name).note(format!(
                        "NetBIOS name {name} of {} in {}",
                        dir.extra
                            .value(Attr::DnsRoot, crossref)
                            .unwrap_or("a domain"),
                        forest.label()
                    )),
                );
            }
        }
    }
}

/// Users' UPN suffixes against what each forest declares: once per (forest, suffix), on the
/// first user holding it.
fn upn_suffixes(inputs: &Inputs, out: &mut Out) {
    let dir = inputs.dir;
    // forest index → declared suffixes (lower case).
    let declared: Vec<Option<Vec<String>>> = inputs
        .forests
        .list
        .iter()
        .map(|f| {
            let row = f.partitions?;
            let mut list: Vec<String> = dir
                .extra
                .values(Attr::UpnSuffixes, row)
                .map(|s| s.trim().to_lowercase())
                .collect();
            list.extend(f.domains.iter().map(|d| d.dns.to_lowercase()));
            list.extend(
                f.crossrefs
                    .iter()
                    .filter_map(|r| dir.extra.value(Attr::DnsRoot, *r))
                    .map(str::to_lowercase),
            );
            Some(list)
        })
        .collect();
    // (forest, suffix) → (first row, users).
    let mut used: BTreeMap<(usize, String), (usize, u64)> = BTreeMap::new();
    for row in 0..dir.len() {
        if !matches!(dir.kind[row], ObjectKind::User | ObjectKind::InetOrgPerson)
            || !inputs.counts(row)
        {
            continue;
        }
        let Some(suffix) = dir
            .text(Attr::UserPrincipalName, row)
            .and_then(|u| u.rsplit_once('@'))
            .map(|(_, s)| s.trim().to_lowercase())
        else {
            continue;
        };
        let Some(f) = inputs
            .forests
            .of_dn(dir.dn.get(row).unwrap_or(""))
            .and_then(|f| inputs.forests.list.iter().position(|g| std::ptr::eq(g, f)))
        else {
            continue;
        };
        let Some(list) = &declared[f] else { continue };
        if suffix.is_empty() || list.contains(&suffix) {
            continue;
        }
        let entry = used.entry((f, suffix)).or_insert((row, 0));
        entry.1 += 1;
    }
    for ((f, suffix), (row, users)) in used {
        let forest = &inputs.forests.list[f];
        out.report(
            inputs,
            Finding::new(
                &UPN_SUFFIX_UNDECLARED,
                row,
                Attr::UserPrincipalName,
                dir.text(Attr::UserPrincipalName, row).unwrap_or(""),
            )
            .note(format!(
                "{} UPN suffix {suffix}, not declared in {}",
                crate::text::plural(users, "user has", "users have"),
                forest.label()
            )),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenant_ids_and_names() {
        assert!(is_guid("72f988bf-86f1-41af-91ab-2d7cd011db47"));
        assert!(is_guid("{72f988bf-86f1-41af-91ab-2d7cd011db47}"));
        assert!(!is_guid("72f988bf-86f1-41af-91ab-2d7cd011db4"));
        assert!(!is_guid("contoso.onmicrosoft.com"));
        assert!(is_dns_name("contoso.com"));
        assert!(!is_dns_name("contoso"));
        assert!(!is_dns_name("conto so.com"));
        assert_eq!(keyword("AzureADId: x", "azureADId"), Some("x"));
    }
}
