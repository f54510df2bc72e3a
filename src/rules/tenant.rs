//! Tenant matching (`analyze --tenant`): what Entra does with each in-scope object when it
//! meets the objects already in the tenant ([`crate::tenant::matching`]), and what the
//! tenant's domains do to UPNs and addresses. Each finding names the tenant input it used.
//! Without `--tenant` the family reports nothing (and says so nowhere else: the tenant
//! checks simply were not asked for).

use super::registry::Family;
use super::{address, sources, Context, Rule, ALL_PROFILES};
use crate::directory::{Attr, ObjectKind};
use crate::findings::{Action, Class, Finding, Severity};
use crate::tenant::matching::{MatchedBy, ObjectPrediction, Outcome, Prediction};
use crate::tenant::Tenant;
use rayon::prelude::*;

const MATCH_SOURCES: &[&crate::vocab::Source] = &[
    &sources::EXISTING_TENANT,
    &sources::SYNC_ERRORS,
    &sources::SYNC_FEATURES,
];

macro_rules! tenant_rule {
    ($name:ident, $code:literal, $slug:literal, $class:expr, $severity:expr, $attrs:expr,
     $entra:literal, $sources:expr, $what:literal, $why:literal, $fix:literal, $action:expr) => {
        pub static $name: Rule = Rule {
            code: $code,
            slug: $slug,
            class: $class,
            severity: $severity,
            attributes: $attrs,
            idfix: None,
            entra: $entra,
            sources: $sources,
            source_note: "Needs a tenant export (--tenant); the finding names the input it used.",
            what: $what,
            why: $why,
            fix: $fix,
            default_action: $action,
            profiles: ALL_PROFILES,
            limits: &[],
        };
    };
}

tenant_rule!(
    HARD_MATCH,
    "SL1001",
    "tenant-hard-match",
    Class::Collision,
    Severity::Warning,
    &[Attr::ObjectGuid, Attr::ConsistencyGuid],
    "hard match: the object joins the cloud object and overwrites its values",
    MATCH_SOURCES,
    "The object's source anchor (base64 of ms-DS-ConsistencyGuid, else objectGUID) equals a tenant object's onPremisesImmutableId.",
    "The first sync joins the two: on-premises values overwrite the cloud ones; a cloud-only user (mailbox, licences) is taken over.",
    "Confirm the cloud object is this object's; if not, clear its onPremisesImmutableId or change this object's anchor.",
    Action::Complete
);

tenant_rule!(
    SOFT_MATCH,
    "SL1002",
    "tenant-soft-match",
    Class::Collision,
    Severity::Warning,
    &[Attr::ProxyAddresses, Attr::UserPrincipalName],
    "soft match: the cloud-only object is taken over",
    MATCH_SOURCES,
    "A cloud-managed tenant object holds the object's primary SMTP address, or (user, SoftMatchOnUpnEnabled) its UPN.",
    "Entra joins them at the first sync: the cloud object becomes synchronized and its values are overwritten from on-premises.",
    "Confirm both are the same person or group; if not, change the address or UPN on one side before syncing.",
    Action::Complete
);

tenant_rule!(
    INVALID_HARD_MATCH,
    "SL1003",
    "tenant-invalid-hard-match",
    Class::Collision,
    Severity::Error,
    &[Attr::ObjectGuid, Attr::ConsistencyGuid],
    "InvalidHardMatch",
    MATCH_SOURCES,
    "The source anchor equals a cloud-managed object's onPremisesImmutableId while BlockCloudObjectTakeoverThroughHardMatchEnabled is on.",
    "Entra refuses to take over a cloud-managed object by hard match when the block is on: the object fails to sync.",
    "Turn the block off for the first sync and back on, if the takeover is wanted; else clear the cloud object's onPremisesImmutableId.",
    Action::Complete
);

tenant_rule!(
    HARD_MATCH_BLOCKED,
    "SL1004",
    "tenant-hard-match-blocked",
    Class::Collision,
    Severity::Error,
    &[Attr::ObjectGuid, Attr::ConsistencyGuid],
    "Hard match operation blocked due to security hardening",
    &[&sources::HARD_MATCH_HARDENING, &sources::SYNC_ERRORS],
    "The anchor equals a tenant user's onPremisesImmutableId whose onPremisesObjectIdentifier names another on-premises objectGUID.",
    "Since July 2026 Entra refuses to remap a synced user to another on-premises object (account takeover hardening).",
    "If this object really replaces the mapped one (forest move, rebuilt user), clear the cloud user's onPremisesObjectIdentifier (beta Graph) first.",
    Action::Complete
);

tenant_rule!(
    INVALID_SOFT_MATCH,
    "SL1005",
    "tenant-invalid-soft-match",
    Class::Collision,
    Severity::Error,
    &[Attr::ProxyAddresses, Attr::UserPrincipalName],
    "InvalidSoftMatch",
    MATCH_SOURCES,
    "The tenant object holding the primary SMTP address or UPN already carries another immutableId (it is synchronized from another object).",
    "Entra does not soft-match an object that already has a source anchor: the sync of this object fails.",
    "Stamp this object's ms-DS-ConsistencyGuid with the cloud object's immutableId (hard match), or change the address or UPN on one side.",
    Action::Complete
);

tenant_rule!(
    OBJECT_TYPE_MISMATCH,
    "SL1006",
    "tenant-object-type-mismatch",
    Class::Collision,
    Severity::Error,
    &[Attr::ProxyAddresses, Attr::ObjectGuid],
    "ObjectTypeMismatch",
    MATCH_SOURCES,
    "The tenant object holding the primary SMTP address (or the anchor) is of another type: a group or contact for a user, and so on.",
    "Entra matches only objects of the same type: the sync of this object fails.",
    "Remove the address from the cloud group or contact, or from this object.",
    Action::Complete
);

tenant_rule!(
    ADMIN_ROLE_CONFLICT,
    "SL1007",
    "tenant-admin-role-conflict",
    Class::Collision,
    Severity::Error,
    &[Attr::ProxyAddresses, Attr::UserPrincipalName],
    "Existing Admin Role Conflict",
    MATCH_SOURCES,
    "The cloud-only user this user would soft-match holds a directory role.",
    "Entra does not soft-match a cloud user with an administrative role: the sync fails.",
    "Remove the role from the cloud user before the first sync (add it back afterwards), or hard-match it.",
    Action::Complete
);

tenant_rule!(
    VALUE_NOT_UNIQUE,
    "SL1008",
    "tenant-value-not-unique",
    Class::Collision,
    Severity::Error,
    &[Attr::UserPrincipalName, Attr::ProxyAddresses],
    "AttributeValueMustBeUnique (the value is quarantined; a UPN gets a placeholder)",
    &[&sources::RESILIENCY, &sources::SYNC_ERRORS, &sources::EXISTING_TENANT],
    "The UPN or an SMTP address is held by a tenant object that this object will not match. A secondary address in *.onmicrosoft.com or *.microsoftonline.com (but a coexistence domain) is not compared: Entra discards it (SL404), so it meets nothing.",
    "Duplicate attribute resiliency quarantines the value: a UPN becomes <prefix>NNNN@<initial domain>, an address is dropped.",
    "Remove the value from one of the two objects, or make them one (hard match).",
    Action::Edit
);

tenant_rule!(
    DUPLICATE_SID,
    "SL1009",
    "tenant-duplicate-sid",
    Class::Collision,
    Severity::Error,
    &[Attr::ObjectSid],
    "AttributeValueMustBeUnique on OnPremiseSecurityIdentifier",
    &[&sources::EXISTING_TENANT, &sources::SYNC_ERRORS],
    "The object's objectSid is the onPremisesSecurityIdentifier of a tenant object it will not match (another source anchor).",
    "Entra keeps onPremisesSecurityIdentifier unique: the new object is refused. Either the same account is being provisioned again under another anchor, or a domain controller restored from backup reissued the RID.",
    "Same account: stamp its ms-DS-ConsistencyGuid with the cloud object's immutableId so it hard-matches. Not the same: find which owns the SID and delete the stale cloud object.",
    Action::Complete
);

tenant_rule!(
    SAME_CLOUD_OBJECT,
    "SL1010",
    "tenant-same-cloud-object",
    Class::Collision,
    Severity::Error,
    &[Attr::ProxyAddresses, Attr::UserPrincipalName],
    "only the first object to sync matches; the others fail",
    MATCH_SOURCES,
    "Two or more on-premises objects match the same tenant object (by anchor, SMTP address or UPN).",
    "A cloud object can be joined to one on-premises object only.",
    "Keep one on-premises object per cloud object: change the UPN or address of the others.",
    Action::Edit
);

tenant_rule!(
    UPN_INITIAL_DOMAIN,
    "SL1011",
    "tenant-upn-initial-domain",
    Class::Suffix,
    Severity::Warning,
    &[Attr::UserPrincipalName],
    "the UPN is synced as <prefix>@<initial>.onmicrosoft.com",
    &[&sources::UPN_POPULATION, &sources::GRAPH_DOMAIN],
    "The UPN suffix is not a verified domain of the tenant's domain input.",
    "Entra keeps a UPN suffix only when the domain is verified: the user signs in as <prefix>@ the tenant's initial domain.",
    "Verify the domain in the tenant, or change the UPN suffix to a verified domain before syncing.",
    Action::Edit
);

tenant_rule!(
    UPN_FEDERATED,
    "SL1012",
    "tenant-upn-federated",
    Class::Suffix,
    Severity::Info,
    &[Attr::UserPrincipalName],
    "sign-in is redirected to the federation service",
    &[&sources::GRAPH_DOMAIN],
    "The UPN suffix is a federated domain of the tenant.",
    "Users of a federated domain authenticate at the federation service (AD FS or another), not with Entra passwords.",
    "Nothing, if federation is intended; plan the move to managed authentication otherwise.",
    Action::Complete
);

tenant_rule!(
    PROXY_UNVERIFIED,
    "SL1013",
    "tenant-proxy-unverified-domain",
    Class::Suffix,
    Severity::Warning,
    &[Attr::ProxyAddresses],
    "the address is dropped when an Exchange Online licence is assigned",
    &[&sources::PROXY_POPULATION, &sources::GRAPH_DOMAIN],
    "An SMTP address whose domain is not a verified domain of the tenant's domain input. In Microsoft's namespaces only an address in another tenant's coexistence domain (*.mail.onmicrosoft.com, when the input lists this tenant's own) counts: the others are discarded anyway (SL404).",
    "Exchange Online removes addresses in unverified domains from licensed users.",
    "Verify the domain, or remove the address.",
    Action::Remove
);

pub static FAMILY: Family = Family {
    name: "tenant",
    rules: &[
        &HARD_MATCH,
        &SOFT_MATCH,
        &INVALID_HARD_MATCH,
        &HARD_MATCH_BLOCKED,
        &INVALID_SOFT_MATCH,
        &OBJECT_TYPE_MISMATCH,
        &ADMIN_ROLE_CONFLICT,
        &VALUE_NOT_UNIQUE,
        &DUPLICATE_SID,
        &SAME_CLOUD_OBJECT,
        &UPN_INITIAL_DOMAIN,
        &UPN_FEDERATED,
        &PROXY_UNVERIFIED,
    ],
    values: &[],
    check_value: None,
    check: None,
};

/// The rule that reports an outcome (none for a created object).
pub fn rule_of(outcome: Outcome) -> Option<&'static Rule> {
    Some(match outcome {
        Outcome::Created => return None,
        Outcome::HardMatched => &HARD_MATCH,
        Outcome::SoftMatchedSmtp | Outcome::SoftMatchedUpn => &SOFT_MATCH,
        Outcome::InvalidHardMatch => &INVALID_HARD_MATCH,
        Outcome::HardMatchBlocked => &HARD_MATCH_BLOCKED,
        Outcome::InvalidSoftMatch => &INVALID_SOFT_MATCH,
        Outcome::ObjectTypeMismatch => &OBJECT_TYPE_MISMATCH,
        Outcome::AdminRoleConflict => &ADMIN_ROLE_CONFLICT,
        Outcome::AttributeValueMustBeUnique => &VALUE_NOT_UNIQUE,
        Outcome::DuplicateSid => &DUPLICATE_SID,
        Outcome::SameCloudObject => &SAME_CLOUD_OBJECT,
    })
}

/// The finding of one object's prediction.
fn finding_of(ctx: &Context, tenant: &Tenant, p: &ObjectPrediction) -> Option<Finding> {
    let rule = rule_of(p.outcome)?;
    let row = p.row as usize;
    let attribute = match p.by {
        Some(MatchedBy::ImmutableId) => {
            crate::anchor::source_anchor(ctx.dir, row, ctx.options.engine)
                .map_or(Attr::ObjectGuid, |a| a.from.attr())
        }
        Some(MatchedBy::UserPrincipalName) => Attr::UserPrincipalName,
        Some(MatchedBy::PrimarySmtp | MatchedBy::ProxyAddress) => Attr::ProxyAddresses,
        Some(MatchedBy::SecurityIdentifier) => Attr::ObjectSid,
        None => Attr::ObjectGuid,
    };
    let value = if attribute == Attr::ProxyAddresses && !p.value.contains(':') {
        format!("SMTP:{}", p.value)
    } else {
        p.value.clone()
    };
    let mut note = String::new();
    if let Some(t) = p.target.and_then(|t| tenant.objects.get(t as usize)) {
        note.push_str(&format!(
            "{} {}{} by {} ({})",
            t.kind.map_or("object", |k| k.name()),
            t.upn
                .as_deref()
                .or(t.mail.as_deref())
                .or(t.display_name.as_deref())
                .unwrap_or("(no name)"),
            t.id.as_deref()
                .map(|id| format!(" [id {id}]"))
                .unwrap_or_default(),
            p.by.map_or("?", MatchedBy::name),
            tenant.source_of(t)
        ));
    }
    if let Some(placeholder) = &p.placeholder {
        note.push_str(&format!("; UPN becomes {placeholder}"));
    }
    if !p.others.is_empty() {
        let others: Vec<&str> = p
            .others
            .iter()
            .filter_map(|r| ctx.dir.dn.get(*r as usize))
            .collect();
        note.push_str(&format!("; also matched by {}", others.join(" | ")));
    }
    if matches!(p.outcome, Outcome::InvalidHardMatch) {
        if let Some(f) = &tenant.features {
            note.push_str(&format!("; flags from {}", tenant.input_path(f.input)));
        }
    }
    for d in &p.depends {
        note.push_str("; unknown: ");
        note.push_str(d);
    }
    Some(Finding::new(rule, row, attribute, &value).note(note))
}

/// The tenant family's findings: one per object with a non-trivial outcome, then the
/// domain findings, in row order within each.
pub fn check(ctx: &Context, tenant: &Tenant, prediction: &Prediction) -> Vec<Finding> {
    let mut out: Vec<Finding> = prediction
        .objects
        .iter()
        .filter_map(|p| finding_of(ctx, tenant, p))
        .filter(|f| ctx.runs(f.rule))
        .collect();
    if let Some(domains) = &tenant.domains {
        let lower = |d: &crate::tenant::Domain| d.name.to_lowercase();
        let known = KnownDomains {
            verified: domains.iter().filter(|d| d.verified).map(lower).collect(),
            federated: domains
                .iter()
                .filter(|d| d.federated == Some(true))
                .map(lower)
                .collect(),
            initial: tenant.initial_domain(),
            coexistence: domains
                .iter()
                .filter(|d| d.verified && crate::domain::is_coexistence_domain(&d.name))
                .map(lower)
                .next(),
            from: tenant.domain_inputs().join(", "),
        };
        let rows: Vec<usize> = (0..ctx.dir.len())
            .filter(|r| ctx.scope.in_scope(*r))
            .collect();
        let domain_findings: Vec<Vec<Finding>> = rows
            .par_chunks(8192)
            .map(|chunk| {
                let mut out = Vec::new();
                for &row in chunk {
                    domain_check(ctx, row, &known, &mut out);
                }
                out
            })
            .collect();
        out.extend(domain_findings.into_iter().flatten());
    }
    out
}

/// What the tenant's domain input says, as the domain checks use it.
struct KnownDomains<'t> {
    /// Verified domains, lower case.
    verified: rustc_hash::FxHashSet<String>,
    /// Federated domains, lower case.
    federated: rustc_hash::FxHashSet<String>,
    /// The initial `….onmicrosoft.com` domain.
    initial: Option<&'t str>,
    /// The tenant's own coexistence domain (`<tenant>.mail.onmicrosoft.com`) when the input
    /// lists it verified, as Microsoft's domain list does for a tenant with Exchange Online.
    coexistence: Option<String>,
    /// The inputs that gave the domains, for the notes.
    from: String,
}

/// Whether `domain` is verified: itself or, for subdomains of a verified federated or managed
/// domain, Entra requires each subdomain to be added; so only exact names count.
fn is_verified(verified: &rustc_hash::FxHashSet<String>, domain: &str) -> bool {
    holds_folded(verified, domain)
}

/// Whether a set of lower-case names holds `domain` in any case; allocates only for a name
/// that is not already lower case (this runs for every UPN and address in scope).
fn holds_folded(set: &rustc_hash::FxHashSet<String>, domain: &str) -> bool {
    if domain.is_ascii() && !domain.bytes().any(|b| b.is_ascii_uppercase()) {
        set.contains(domain)
    } else {
        set.contains(&domain.to_lowercase())
    }
}

fn domain_check(ctx: &Context, row: usize, known: &KnownDomains<'_>, out: &mut Vec<Finding>) {
    let (verified, federated, initial, from) = (
        &known.verified,
        &known.federated,
        known.initial,
        known.from.as_str(),
    );
    let dir = ctx.dir;
    if matches!(dir.kind[row], ObjectKind::User | ObjectKind::InetOrgPerson) {
        if let Some(upn) = dir.text(Attr::UserPrincipalName, row) {
            if let Some((local, domain)) = address::split(upn) {
                if !domain.is_empty() && !is_verified(verified, domain) {
                    let becomes = match initial {
                        Some(i) => format!("{local}@{i}"),
                        None => {
                            format!("{local}@<initial domain: unknown, {from} does not mark one>")
                        }
                    };
                    ctx.report(
                        out,
                        Finding::new(&UPN_INITIAL_DOMAIN, row, Attr::UserPrincipalName, upn)
                            // --suffix-map suggests, as it does for the suffix heuristics
                            // this rule replaces when the tenant's domains are known.
                            .suggest(
                                ctx.mapped_suffix(domain)
                                    .and_then(|_| super::upn::repaired(ctx, upn)),
                            )
                            .note(format!(
                                "{domain} is not verified ({from}); synced as {becomes}"
                            )),
                    );
                } else if holds_folded(federated, domain) {
                    ctx.report(
                        out,
                        Finding::new(&UPN_FEDERATED, row, Attr::UserPrincipalName, upn)
                            .note(format!("{domain} is federated ({from})")),
                    );
                }
            }
        }
    }
    for value in dir.proxy_addresses.get(row) {
        let Some((prefix, address)) = value.split_once(':') else {
            continue;
        };
        if !prefix.eq_ignore_ascii_case("smtp") {
            continue;
        }
        let Some((_, domain)) = address::split(address) else {
            continue;
        };
        if domain.is_empty() || is_verified(verified, domain) {
            continue;
        }
        let note = if crate::domain::is_microsoft_namespace(domain) {
            // Other addresses in Microsoft's namespaces are discarded (SL404). A coexistence
            // address reaches the tenant, so one in another tenant's coexistence domain (left
            // by a tenant-to-tenant move) is dropped as unverified; that is known only when the
            // input lists this tenant's own, since a plain list may leave it out.
            let Some(own) = known
                .coexistence
                .as_deref()
                .filter(|_| crate::domain::is_coexistence_domain(domain))
            else {
                continue;
            };
            format!("{domain} is not this tenant's coexistence domain, {own} ({from})")
        } else {
            format!("{domain} is not verified ({from})")
        };
        let mut f = Finding::new(&PROXY_UNVERIFIED, row, Attr::ProxyAddresses, value)
            .suggest(
                ctx.mapped_suffix(domain)
                    .and_then(|_| super::mail::repaired(ctx, address))
                    .map(|a| format!("{prefix}:{a}")),
            )
            .note(note);
        if f.suggested().is_some() {
            f.action = Action::Edit;
        }
        ctx.report(out, f);
    }
}
