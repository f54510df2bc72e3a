//! The sync engine and the source anchor (SL1101–SL1199): what Entra Cloud Sync accepts that
//! Entra Connect Sync does not (and back), and the source-anchor audit for both.
//!
//! A rule here runs under the engines [`engines`] names for it (`--engine`); the profile
//! gating of [`Context::report`] applies as well. Per-object rules report from [`check`];
//! the rules that compare objects (anchors, SIDs, forests, per-domain counts) from
//! [`collective`], which [`super::run`] calls after the uniqueness kernel.
//!
//! SL1117 (inetOrgPerson gets no password hash sync, Cloud Sync only) is retired: both
//! engines' documentation says so, and SL1304 reports it under both.

use super::registry::Family;
use super::{sources, Context, Limit, Rule, ALL_PROFILES};
use crate::anchor::{self, AnchorAttr};
use crate::directory::{domain_part, Attr, ObjectFlags, ObjectKind, SidKey};
use crate::findings::{Action, Class, Finding, Severity};
use crate::forest::{Forests, NO_FOREST};
use crate::vocab::Engine;
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use std::hash::BuildHasher;

const CONNECT: &[Engine] = &[Engine::Connect];
const CLOUD_SYNC: &[Engine] = &[Engine::CloudSync];
const BOTH: &[Engine] = &[Engine::Connect, Engine::CloudSync];

/// Cloud Sync's objects per AD domain.
pub const MAX_OBJECTS_PER_DOMAIN: usize = 150_000;
/// The warning starts at 90 % of it.
pub const WARN_OBJECTS_PER_DOMAIN: usize = MAX_OBJECTS_PER_DOMAIN / 10 * 9;
/// Cloud Sync's group size.
pub const MAX_GROUP_MEMBERS: usize = 50_000;
/// "Approximately 50" OUs or groups in one Cloud Sync scoping configuration.
pub const MAX_SCOPE_ROOTS: usize = 50;

pub static CONSISTENCY_GUID_IN_USE: Rule = Rule {
    code: "SL1101",
    slug: "consistency-guid-in-use",
    class: Class::Advisory,
    severity: Severity::Warning,
    attributes: &[Attr::ConsistencyGuid],
    idfix: None,
    entra: "Connect's express setup anchors on objectGUID instead (the wizard errors when the directory joins an existing ConsistencyGuid deployment)",
    sources: &[&sources::SOURCE_ANCHOR],
    source_note: "",
    what: "mS-DS-ConsistencyGuid already holds a value on objects of a forest (reported once per forest, on its first such object, with the count).",
    why: "When Connect's installation wizard (express, or \"let Azure manage the source anchor\") finds the attribute in use, it assumes another application owns it and uses objectGUID as the source anchor; objects migrated with a stamped ConsistencyGuid then no longer hard-match their cloud users.",
    fix: "Decide the anchor before installing: choose mS-DS-ConsistencyGuid explicitly in a custom installation if the values were stamped on purpose (a migration), else find which tool writes them.",
    default_action: Action::Complete,
    profiles: ALL_PROFILES,
    limits: &[],
};

pub static CONSISTENCY_GUID_DIFFERS: Rule = Rule {
    code: "SL1102",
    slug: "consistency-guid-not-object-guid",
    class: Class::Advisory,
    severity: Severity::Info,
    attributes: &[Attr::ConsistencyGuid, Attr::ObjectGuid],
    idfix: None,
    entra: "the object hard-matches the cloud object whose immutableId is the ConsistencyGuid, not one derived from its own objectGUID",
    sources: &[&sources::SOURCE_ANCHOR, &sources::SYNC_ERRORS],
    source_note: "",
    what: "The source anchor comes from an mS-DS-ConsistencyGuid that differs from the object's objectGUID: a migrated object (the note names the object of the inputs whose objectGUID it carries) or one stamped by another tool.",
    why: "The anchor, not the object, decides which cloud object it becomes; a moved or rebuilt object keeps its old cloud identity only through this value.",
    fix: "Nothing when the object was migrated on purpose; else find the tool that stamped it before the first sync.",
    default_action: Action::Complete,
    profiles: ALL_PROFILES,
    limits: &[],
};

pub static DUPLICATE_ANCHOR: Rule = Rule {
    code: "SL1103",
    slug: "duplicate-source-anchor",
    class: Class::Duplicate,
    severity: Severity::Error,
    attributes: &[Attr::ConsistencyGuid, Attr::ObjectGuid],
    idfix: None,
    entra: "InvalidSoftMatch / AttributeValueMustBeUnique on the immutableId: only one of the objects syncs",
    sources: &[&sources::SYNC_ERRORS, &sources::CUSTOM_INSTALL],
    source_note: "",
    what: "Two or more objects in scope have the same source anchor under the engine: the same mS-DS-ConsistencyGuid, or one object's ConsistencyGuid equal to another's objectGUID (a migrated object beside its source), in one forest or across forests.",
    why: "The anchor is the immutableId: Entra keeps it unique, so both objects claim one cloud object.",
    fix: "Keep the value on the object that owns the cloud identity and clear it on the others (Connect writes their objectGUID back; Cloud Sync then uses objectGUID).",
    default_action: Action::Complete,
    profiles: ALL_PROFILES,
    limits: &[],
};

pub static CONSISTENCY_GUID_NOT_GUID: Rule = Rule {
    code: "SL1104",
    slug: "consistency-guid-not-16-bytes",
    class: Class::Format,
    severity: Severity::Warning,
    attributes: &[Attr::ConsistencyGuid],
    idfix: None,
    entra: "still used as the anchor (base64 of whatever bytes it holds), so the object matches no immutableId derived from a GUID",
    sources: &[&sources::SOURCE_ANCHOR],
    source_note: "synclint's inference: a value that is not 16 bytes cannot have come from an objectGUID.",
    what: "mS-DS-ConsistencyGuid holds a value that is not 16 bytes (a GUID is 16).",
    why: "Connect and Cloud Sync anchor on it as it is; it was written by something other than sync or a migration that copied an objectGUID.",
    fix: "Find what wrote it; clear it before the first sync unless that value is the cloud object's immutableId.",
    default_action: Action::Complete,
    profiles: ALL_PROFILES,
    limits: &[],
};

pub static ANCHOR_CHANGES_ON_MOVE: Rule = Rule {
    code: "SL1105",
    slug: "anchor-changes-on-move",
    class: Class::Advisory,
    severity: Severity::Warning,
    attributes: &[Attr::ConsistencyGuid, Attr::ObjectGuid],
    idfix: None,
    entra: "a Connect → Cloud Sync move gives the group or contact another immutableId: it no longer matches its cloud object",
    sources: &[&sources::SOURCE_ANCHOR, &sources::CLOUD_SYNC_TOPOLOGIES],
    source_note: "synclint's inference from the two documented anchor policies (Connect: ConsistencyGuid for users only; Cloud Sync: ConsistencyGuid if present, any type): verify before migrating.",
    what: "A group or contact whose mS-DS-ConsistencyGuid differs from its objectGUID: Connect anchors it on objectGUID, Cloud Sync on mS-DS-ConsistencyGuid.",
    why: "The two engines compute different immutableIds for the object, so moving from one to the other would not match the existing cloud object.",
    fix: "Before the move, clear the attribute or set it to the objectGUID's bytes, so both engines compute the same anchor.",
    default_action: Action::Complete,
    profiles: ALL_PROFILES,
    limits: &[],
};

pub static DUPLICATE_OBJECT_SID: Rule = Rule {
    code: "SL1106",
    slug: "duplicate-object-sid",
    class: Class::Duplicate,
    severity: Severity::Error,
    attributes: &[Attr::ObjectSid],
    idfix: None,
    entra: "AttributeValueMustBeUnique on OnPremiseSecurityIdentifier",
    sources: &[&sources::EXISTING_TENANT, &sources::SYNC_ERRORS],
    source_note: "",
    what: "Two or more objects in scope have the same objectSid (a domain controller restored from backup, a reused RID, or the same account exported twice under different names).",
    why: "Entra keeps onPremisesSecurityIdentifier unique: the second object fails to sync.",
    fix: "Find which object is real (objectGUID, whenCreated) and remove the stale one from the directory or from the scope.",
    default_action: Action::Complete,
    profiles: ALL_PROFILES,
    limits: &[],
};

pub static SYNCED_ONLY_BY_CLOUD_SYNC: Rule = Rule {
    code: "SL1107",
    slug: "in-scope-only-under-cloud-sync",
    class: Class::Advisory,
    severity: Severity::Warning,
    attributes: &[Attr::ObjectClass],
    idfix: None,
    entra: "the object is created in Entra by Cloud Sync, where Connect would have skipped it",
    sources: &[&sources::CLOUD_SYNC_SKIPPED, &sources::DEFAULT_CONFIGURATION],
    source_note: "Cloud Sync documents only two default exclusions (isCriticalSystemObject, replication conflicts); that it syncs the other objects Connect skips (system mailboxes, MSOL_ accounts, mail-less contacts) is synclint's inference.",
    what: "An object Entra Connect's default rules would skip (the note gives Connect's reason) that Cloud Sync's documented default exclusions do not skip.",
    why: "System and discovery mailboxes, Connect's own MSOL_/AAD_ accounts, mail-less contacts and the like would appear in the tenant.",
    fix: "Keep such objects out of Cloud Sync's scope (OU scoping or a scoping filter), or accept them.",
    default_action: Action::Complete,
    profiles: ALL_PROFILES,
    limits: &[],
};

pub static DOMAIN_NEAR_OBJECT_LIMIT: Rule = Rule {
    code: "SL1108",
    slug: "domain-near-object-limit",
    class: Class::LargeObject,
    severity: Severity::Warning,
    attributes: &[Attr::ObjectClass],
    idfix: None,
    entra: "none yet: Cloud Sync supports 150,000 objects per AD domain",
    sources: &[&sources::CLOUD_SYNC_COMPARISON],
    source_note: "",
    what: "A domain with 135,000 to 150,000 objects in Cloud Sync's scope (90 % of its limit), reported on the domain's first object.",
    why: "Growth will cross the documented limit of 150,000 objects per domain.",
    fix: "Narrow the scope (OU scoping), or plan for Connect Sync for this domain.",
    default_action: Action::Complete,
    profiles: ALL_PROFILES,
    limits: &[Limit {
        what: "objects in scope per domain before the warning",
        max: WARN_OBJECTS_PER_DOMAIN - 1,
    }],
};

pub static DOMAIN_OVER_OBJECT_LIMIT: Rule = Rule {
    code: "SL1109",
    slug: "domain-over-object-limit",
    class: Class::LargeObject,
    severity: Severity::Error,
    attributes: &[Attr::ObjectClass],
    idfix: None,
    entra: "Cloud Sync does not support the domain: more than 150,000 objects",
    sources: &[&sources::CLOUD_SYNC_COMPARISON],
    source_note: "",
    what: "A domain with more than 150,000 objects in Cloud Sync's scope, reported on the domain's first object.",
    why: "Cloud Sync's documented limit is 150,000 objects per AD domain; Connect Sync has none.",
    fix: "Narrow the scope below the limit, or keep Connect Sync for this domain.",
    default_action: Action::Complete,
    profiles: ALL_PROFILES,
    limits: &[Limit {
        what: "objects in scope per domain",
        max: MAX_OBJECTS_PER_DOMAIN,
    }],
};

pub static GROUP_OVER_MEMBER_LIMIT: Rule = Rule {
    code: "SL1110",
    slug: "group-over-member-limit",
    class: Class::LargeObject,
    severity: Severity::Error,
    attributes: &[Attr::Member],
    idfix: None,
    entra: "Cloud Sync does not support groups above 50,000 members",
    sources: &[&sources::CLOUD_SYNC_COMPARISON, &sources::RANGE_RETRIEVAL],
    source_note: "",
    what: "A group with more than 50,000 member values (every member;range= part of the export counted).",
    why: "Cloud Sync's documented group size is 50,000 members (Connect Sync: 250,000).",
    fix: "Split the group, or keep it out of Cloud Sync's scope.",
    default_action: Action::Complete,
    profiles: ALL_PROFILES,
    limits: &[Limit {
        what: "members per group",
        max: MAX_GROUP_MEMBERS,
    }],
};

pub static GROUP_MEMBER_COUNT_UNKNOWN: Rule = Rule {
    code: "SL1111",
    slug: "group-member-count-unknown",
    class: Class::LargeObject,
    severity: Severity::Warning,
    attributes: &[Attr::Member],
    idfix: None,
    entra: "unknown: the group may exceed Cloud Sync's 50,000 members",
    sources: &[&sources::RANGE_RETRIEVAL, &sources::CLOUD_SYNC_COMPARISON],
    source_note: "",
    what: "A group whose members were exported by range retrieval (member;range=…) without the last part (…-*): the export holds only some of its members, so the count is unknown.",
    why: "The 50,000-member limit can't be checked on a partial list.",
    fix: "Export again with a tool that follows every range (ldifde does; for ldapsearch request member;range=N-* until the part ending in *).",
    default_action: Action::Complete,
    profiles: ALL_PROFILES,
    limits: &[],
};

pub static TOO_MANY_SCOPE_ROOTS: Rule = Rule {
    code: "SL1112",
    slug: "too-many-scope-roots",
    class: Class::Advisory,
    severity: Severity::Warning,
    attributes: &[Attr::ObjectClass],
    idfix: None,
    entra: "the Cloud Sync scoping configuration may exceed its 4 MB size",
    sources: &[&sources::CLOUD_SYNC_PREREQUISITES],
    source_note: "",
    what: "More than 50 OUs and groups given as scope (--include-ou, --include-group), reported on the first object in scope.",
    why: "Cloud Sync supports approximately 50 separate OUs or security groups per configuration (nested OUs under a selected one don't count).",
    fix: "Select parent OUs instead of many siblings.",
    default_action: Action::Complete,
    profiles: ALL_PROFILES,
    limits: &[Limit {
        what: "scope roots",
        max: MAX_SCOPE_ROOTS,
    }],
};

pub static GROUP_SCOPE_DELTA: Rule = Rule {
    code: "SL1113",
    slug: "scoping-group-over-delta-limit",
    class: Class::LargeObject,
    severity: Severity::Warning,
    attributes: &[Attr::Member],
    idfix: None,
    entra: "delta sync does not support group scope filtering above 50,000 members",
    sources: &[&sources::CLOUD_SYNC_PREREQUISITES],
    source_note: "",
    what: "A group given with --include-group that has more than 50,000 members.",
    why: "Cloud Sync's group scope filtering does not support more than 50,000 members in delta sync.",
    fix: "Scope by OU instead, or split the pilot group.",
    default_action: Action::Complete,
    profiles: ALL_PROFILES,
    limits: &[Limit {
        what: "members of a scoping group",
        max: MAX_GROUP_MEMBERS,
    }],
};

pub static SAME_PERSON_TWO_FORESTS: Rule = Rule {
    code: "SL1114",
    slug: "same-person-in-two-forests",
    class: Class::Collision,
    severity: Severity::Error,
    attributes: &[Attr::UserPrincipalName, Attr::Mail, Attr::ProxyAddresses],
    idfix: None,
    entra: "two cloud objects for one person: AttributeValueMustBeUnique (or ObjectTypeMismatch); Cloud Sync does not join objects across forests",
    sources: &[&sources::CLOUD_SYNC_TOPOLOGIES, &sources::CUSTOM_INSTALL],
    source_note: "",
    what: "Users in two forests with the same UPN, mail or primary SMTP address (reported on each, the note naming the other).",
    why: "Connect can join them into one metaverse object (mail join); Cloud Sync requires every user to be unique across all forests.",
    fix: "Sync the person from one forest only (scope the other copy out), or keep Connect Sync for this topology.",
    default_action: Action::Complete,
    profiles: ALL_PROFILES,
    limits: &[],
};

pub static GALSYNC_CONTACT: Rule = Rule {
    code: "SL1115",
    slug: "galsync-contact-mirrors-user",
    class: Class::Collision,
    severity: Severity::Error,
    attributes: &[Attr::Mail, Attr::TargetAddress, Attr::ProxyAddresses],
    idfix: None,
    entra: "the contact and the user collide on the address (ObjectTypeMismatch / AttributeValueMustBeUnique)",
    sources: &[&sources::CLOUD_SYNC_TOPOLOGIES, &sources::CUSTOM_INSTALL],
    source_note: "",
    what: "A contact whose mail, targetAddress or primary SMTP address is a user's UPN, mail or primary SMTP address in another forest (a GALSync contact mirroring that user).",
    why: "Under Connect such contacts are joined to the user; Cloud Sync does no matching across forests, so both reach Entra.",
    fix: "Keep GALSync contacts out of Cloud Sync's scope (their OU).",
    default_action: Action::Complete,
    profiles: ALL_PROFILES,
    limits: &[],
};

pub static CROSS_FOREST_REFERENCE: Rule = Rule {
    code: "SL1116",
    slug: "cross-forest-reference-dropped",
    class: Class::Advisory,
    severity: Severity::Warning,
    attributes: &[Attr::Member, Attr::Manager, Attr::ManagedBy],
    idfix: None,
    entra: "the link does not appear in Entra",
    sources: &[&sources::CLOUD_SYNC_COMPARISON, &sources::CLOUD_SYNC_FAQ],
    source_note: "A second domain tree of one forest looks like another forest in DNs; foreign security principals are traced by their SID to the forests of the inputs.",
    what: "A member, manager or managedBy value that points into another forest (directly, or as a foreign security principal standing for an account of another forest).",
    why: "Cloud Sync does not support references across forests: group memberships, managers and owners from another forest are dropped.",
    fix: "Nothing to change in AD: plan those memberships and managers in the cloud, or keep Connect Sync.",
    default_action: Action::Complete,
    profiles: ALL_PROFILES,
    limits: &[],
};

pub static EXCHANGE_SCHEMA_NOT_SEEN: Rule = Rule {
    code: "SL1118",
    slug: "exchange-attributes-not-seen",
    class: Class::Advisory,
    severity: Severity::Info,
    attributes: &[Attr::RecipientTypeDetails, Attr::HomeMdb],
    idfix: None,
    entra: "if the schema indeed lacks Exchange, Cloud Sync's Exchange hybrid writeback can't be turned on",
    sources: &[&sources::CLOUD_SYNC_EXCHANGE, &sources::CLOUD_SYNC_PREREQUISITES],
    source_note: "An export shows values, not the schema: no value does not prove there is no Exchange schema.",
    what: "No object of the inputs has a value in the Exchange attributes synclint reads (msExchRecipientTypeDetails, msExchHideFromAddressLists, homeMDB); reported once, on the first user in scope.",
    why: "Cloud Sync's Exchange hybrid writeback needs the Exchange attributes (msDS-ExternalDirectoryObjectId among them) in the AD schema.",
    fix: "Check the schema (Get-ADObject on the schema partition) before relying on Exchange hybrid writeback.",
    default_action: Action::Complete,
    profiles: ALL_PROFILES,
    limits: &[],
};

/// The engines each rule runs under.
pub fn engines(rule: &Rule) -> &'static [Engine] {
    match rule.code {
        "SL1101" => CONNECT,
        "SL1102" | "SL1103" | "SL1104" | "SL1105" | "SL1106" => BOTH,
        c if FAMILY.rules.iter().any(|r| r.code == c) => CLOUD_SYNC,
        _ => BOTH,
    }
}

pub static FAMILY: Family = Family {
    name: "engine and source anchor",
    rules: &[
        &CONSISTENCY_GUID_IN_USE,
        &CONSISTENCY_GUID_DIFFERS,
        &DUPLICATE_ANCHOR,
        &CONSISTENCY_GUID_NOT_GUID,
        &ANCHOR_CHANGES_ON_MOVE,
        &DUPLICATE_OBJECT_SID,
        &SYNCED_ONLY_BY_CLOUD_SYNC,
        &DOMAIN_NEAR_OBJECT_LIMIT,
        &DOMAIN_OVER_OBJECT_LIMIT,
        &GROUP_OVER_MEMBER_LIMIT,
        &GROUP_MEMBER_COUNT_UNKNOWN,
        &TOO_MANY_SCOPE_ROOTS,
        &GROUP_SCOPE_DELTA,
        &SAME_PERSON_TWO_FORESTS,
        &GALSYNC_CONTACT,
        &CROSS_FOREST_REFERENCE,
        &EXCHANGE_SCHEMA_NOT_SEEN,
    ],
    values: &[],
    check_value: None,
    check: Some(check),
};

/// Reports a finding when the engine and the profile run its rule.
fn report(ctx: &Context, out: &mut Vec<Finding>, finding: Finding) {
    if engines(finding.rule).contains(&ctx.options.engine) {
        ctx.report(out, finding);
    }
}

fn runs(ctx: &Context, rule: &Rule) -> bool {
    engines(rule).contains(&ctx.options.engine) && ctx.runs(rule)
}

/// A ConsistencyGuid as admins see it: a GUID's text form, else hex.
fn hex(bytes: &[u8]) -> String {
    match <&[u8; 16]>::try_from(bytes) {
        Ok(guid) => crate::hex::format_guid(guid),
        Err(_) => crate::hex::lower_hex(bytes),
    }
}

/// The per-object rules.
pub fn check(ctx: &Context, row: usize, out: &mut Vec<Finding>) {
    let dir = ctx.dir;
    let kind = dir.kind[row];
    if let Some(cg) = dir.consistency_guid_bytes(row) {
        if cg.len() != 16 {
            report(
                ctx,
                out,
                Finding::new(
                    &CONSISTENCY_GUID_NOT_GUID,
                    row,
                    Attr::ConsistencyGuid,
                    &hex(cg),
                )
                .note(format!("{} bytes", cg.len())),
            );
        }
        let differs = dir.object_guid[row].is_some_and(|g| g[..] != *cg);
        if differs && matches!(kind, ObjectKind::Group | ObjectKind::Contact) {
            let b64 = |e: Engine| {
                anchor::source_anchor(dir, row, e).map_or_else(String::new, |a| a.base64())
            };
            report(
                ctx,
                out,
                Finding::new(&ANCHOR_CHANGES_ON_MOVE, row, Attr::ConsistencyGuid, &hex(cg)).note(
                    format!(
                        "immutableId under Connect {} (objectGUID), under Cloud Sync {} (mS-DS-ConsistencyGuid)",
                        b64(Engine::Connect),
                        b64(Engine::CloudSync)
                    ),
                ),
            );
        }
    }
    if ctx.options.engine != Engine::CloudSync {
        return;
    }
    if let Some(reason) =
        crate::scope::object_reason(dir, row, ctx.options.profile, Engine::Connect)
    {
        report(
            ctx,
            out,
            Finding::new(
                &SYNCED_ONLY_BY_CLOUD_SYNC,
                row,
                Attr::ObjectClass,
                dir.object_class.get(row).unwrap_or(""),
            )
            .note(format!("Connect would skip it: {reason}")),
        );
    }
    if kind == ObjectKind::Group {
        let members = dir.count(Attr::Member, row) as usize;
        let flags = dir.flags[row];
        let partial = flags.has(ObjectFlags::RANGED) && !flags.has(ObjectFlags::RANGE_END);
        if partial {
            report(
                ctx,
                out,
                Finding::new(
                    &GROUP_MEMBER_COUNT_UNKNOWN,
                    row,
                    Attr::Member,
                    &format!("{members} values read"),
                )
                .note("member count unknown: the export lacks the last member;range=…-* part"),
            );
        }
        if members > MAX_GROUP_MEMBERS {
            let value = format!("{members} members");
            report(
                ctx,
                out,
                Finding::new(&GROUP_OVER_MEMBER_LIMIT, row, Attr::Member, &value).note(
                    if partial {
                        "at least: the export holds only part of the members".to_string()
                    } else if flags.has(ObjectFlags::RANGED) {
                        "every member;range= part counted".to_string()
                    } else {
                        String::new()
                    },
                ),
            );
        }
    }
}

/// The rules that compare objects: anchors, SIDs, forests and per-domain counts.
pub fn collective(ctx: &Context) -> Vec<Finding> {
    if !FAMILY.rules.iter().any(|r| runs(ctx, r)) {
        return Vec::new();
    }
    collective_in(ctx, &Forests::of(ctx.dir))
}

/// [`collective`] with the directory's forests.
pub fn collective_in(ctx: &Context, forests: &Forests) -> Vec<Finding> {
    if !FAMILY.rules.iter().any(|r| runs(ctx, r)) {
        return Vec::new();
    }
    let rows: Vec<usize> = (0..ctx.dir.len())
        .filter(|r| ctx.scope.in_scope(*r))
        .collect();
    let mut out = shared_collective(ctx, &rows, forests);
    engine_only_collective(ctx, &rows, forests, &mut out);
    out.sort_by_key(|f| (f.row, f.rule.code.len(), f.rule.code));
    out
}

/// Whether the rule runs under one engine only.
pub fn engine_only(rule: &Rule) -> bool {
    FAMILY.rules.contains(&rule) && engines(rule).len() == 1
}

/// The collective rules that run under both engines (SL1102, SL1103, SL1106) over the objects
/// `rows` (in scope): a duplicate is complete when every object in scope holding the anchor
/// or SID is among them.
pub fn shared_collective(ctx: &Context, rows: &[usize], forests: &Forests) -> Vec<Finding> {
    let mut out = Vec::new();
    anchors(ctx, rows, forests, &mut out);
    duplicate_sids(ctx, rows, &mut out);
    out
}

/// The collective rules of the engine alone (SL1101 under Connect; SL1108, SL1109,
/// SL1112–SL1116 and SL1118 under Cloud Sync) over every object in scope (`rows`).
pub fn engine_only_collective(
    ctx: &Context,
    rows: &[usize],
    forests: &Forests,
    out: &mut Vec<Finding>,
) {
    in_use(ctx, rows, forests, out);
    if ctx.options.engine == Engine::CloudSync {
        per_domain(ctx, rows, out);
        scope_roots(ctx, rows, out);
        across_forests(ctx, rows, forests, out);
        references(ctx, forests, out);
        exchange(ctx, rows, out);
    }
}

fn location(ctx: &Context, row: usize) -> String {
    format!(
        "{} ({})",
        ctx.dir.dn.get(row).unwrap_or(""),
        ctx.dir.source_label(row)
    )
}

/// SL1101: per forest, the first object in scope carrying a ConsistencyGuid.
fn in_use(ctx: &Context, rows: &[usize], forests: &Forests, out: &mut Vec<Finding>) {
    if !runs(ctx, &CONSISTENCY_GUID_IN_USE) {
        return;
    }
    let dir = ctx.dir;
    let mut first: FxHashMap<u32, (usize, u64)> = FxHashMap::default();
    for &row in rows {
        if dir.has_consistency_guid[row] {
            first.entry(forests.of_row[row]).or_insert((row, 0)).1 += 1;
        }
    }
    for (forest, (row, n)) in first {
        let value = dir.consistency_guid_bytes(row).map(hex).unwrap_or_default();
        out.push(
            Finding::new(&CONSISTENCY_GUID_IN_USE, row, Attr::ConsistencyGuid, &value).note(
                format!(
                    "forest {}: {} in scope with mS-DS-ConsistencyGuid",
                    forests.name(forest),
                    crate::text::plural(n, "object", "objects"),
                ),
            ),
        );
    }
}

/// SL1102, SL1103.
fn anchors(ctx: &Context, rows: &[usize], forests: &Forests, out: &mut Vec<Finding>) {
    let dir = ctx.dir;
    let engine = ctx.options.engine;
    // SL1102: the anchor is a ConsistencyGuid that is not the object's objectGUID; say
    // whether it is another object's objectGUID (a migration whose source is in the inputs).
    // Only those values are looked for among the objectGUIDs (a map of every objectGUID
    // cost a tenth of a second at 1M).
    let differs = |row: usize| -> Option<[u8; 16]> {
        let (bytes, from) = anchor::anchor_bytes(dir, row, engine)?;
        let guid = <[u8; 16]>::try_from(bytes).ok()?;
        (from == AnchorAttr::ConsistencyGuid && dir.object_guid[row].is_some_and(|g| g != guid))
            .then_some(guid)
    };
    let by_guid: FxHashMap<[u8; 16], usize> = if runs(ctx, &CONSISTENCY_GUID_DIFFERS) {
        let wanted: rustc_hash::FxHashSet<[u8; 16]> = rows
            .iter()
            .filter(|r| dir.has_consistency_guid[**r])
            .filter_map(|r| differs(*r))
            .collect();
        let mut found = FxHashMap::default();
        if !wanted.is_empty() {
            for (r, g) in dir.object_guid.iter().enumerate() {
                // The last object holding it, as a map collected from every row would keep.
                if let Some(g) = g.filter(|g| wanted.contains(g)) {
                    found.insert(g, r);
                }
            }
        }
        found
    } else {
        FxHashMap::default()
    };
    // Every anchor of the engine: 16-byte ones sorted (a hash map of a million boxed keys
    // cost more), the odd lengths in a map.
    let mut guids: Vec<([u8; 16], u32)> = Vec::with_capacity(rows.len());
    let mut odd: FxHashMap<Box<[u8]>, Vec<usize>> = FxHashMap::default();
    let sl1102 = runs(ctx, &CONSISTENCY_GUID_DIFFERS);
    for &row in rows {
        let Some((bytes, _)) = anchor::anchor_bytes(dir, row, engine) else {
            continue;
        };
        if let Ok(g) = <[u8; 16]>::try_from(bytes) {
            guids.push((g, row as u32));
        } else {
            odd.entry(bytes.into()).or_default().push(row);
        }
        if !sl1102 || !dir.has_consistency_guid[row] {
            continue;
        }
        if let Some(guid) = differs(row) {
            let a = anchor::Anchor {
                bytes: Box::new(guid),
                from: AnchorAttr::ConsistencyGuid,
            };
            let source = by_guid.get(&guid).filter(|r| **r != row);
            let note = match source {
                Some(&source) => format!(
                    "immutableId {}: the objectGUID of {}, so a migrated object whose source is also in the inputs",
                    a.base64(),
                    location(ctx, source)
                ),
                None => format!(
                    "immutableId {}: no object of the inputs has this objectGUID (migrated from elsewhere, or stamped by a tool)",
                    a.base64()
                ),
            };
            out.push(
                Finding::new(
                    &CONSISTENCY_GUID_DIFFERS,
                    row,
                    Attr::ConsistencyGuid,
                    &hex(&a.bytes),
                )
                .note(note),
            );
        }
    }
    // SL1103: one anchor, two objects in scope (a ConsistencyGuid copied onto another object,
    // or a migrated object beside its source; an object read twice is out of scope already).
    if !runs(ctx, &DUPLICATE_ANCHOR) {
        return;
    }
    // Compared as big-endian integers: the order of the bytes, by integer comparisons instead
    // of a `memcmp` call each (this sort of a million anchors was 0.9 % of the 1M default
    // shape's full run in `perf`). Kept as bytes: a u128 in the tuple would align it to 32
    // bytes instead of 20, 120 MB more at 10M objects.
    guids.sort_unstable_by_key(|&(g, row)| (u128::from_be_bytes(g), row));
    let mut holders_list: Vec<Vec<usize>> = guids
        .chunk_by(|a, b| a.0 == b.0)
        .filter(|run| run.len() > 1)
        .map(|run| run.iter().map(|(_, r)| *r as usize).collect())
        .collect();
    holders_list.extend(odd.into_values().filter(|h| h.len() > 1));
    for holders in &holders_list {
        for &row in holders {
            let others: Vec<String> = holders
                .iter()
                .filter(|r| **r != row)
                .take(3)
                .map(|r| {
                    let across = forests.of_row[*r] != forests.of_row[row];
                    format!(
                        "{}{}",
                        location(ctx, *r),
                        if across { ", in another forest" } else { "" }
                    )
                })
                .collect();
            let Some(a) = anchor::source_anchor(dir, row, engine) else {
                continue;
            };
            out.push(
                Finding::new(&DUPLICATE_ANCHOR, row, a.from.attr(), &hex(&a.bytes)).note(format!(
                    "immutableId {} ({}) also the anchor of {}",
                    a.base64(),
                    a.from.name(),
                    others.join("; ")
                )),
            );
        }
    }
}

/// SL1106.
fn duplicate_sids(ctx: &Context, rows: &[usize], out: &mut Vec<Finding>) {
    if !runs(ctx, &DUPLICATE_OBJECT_SID) {
        return;
    }
    let dir = ctx.dir;
    // Sorted hashes, not a map of every SID to a vector of its holders: at 1M objects the
    // map's allocations made this audit cost more than the whole uniqueness kernel.
    // The column's key stands for the text (equal texts, equal keys): a domain's SIDs are an
    // interned prefix and a RID, packed into the u64 as they are, and only the rare SID kept
    // whole is hashed. Writing each SID's text to hash it was 0.3 % of the 1M default shape's
    // full run (`perf`).
    let mut hashed: Vec<(u64, u32)> = Vec::new();
    for &row in rows {
        let key = match dir.object_sid.key(row) {
            Some(SidKey::Split(prefix, rid)) => (u64::from(prefix) << 32) | u64::from(rid),
            Some(SidKey::Whole(text)) => rustc_hash::FxBuildHasher.hash_one(text),
            None => continue,
        };
        hashed.push((key, row as u32));
    }
    hashed.sort_unstable();
    let mut by_sid: Vec<(String, Vec<usize>)> = Vec::new();
    for run in hashed.chunk_by(|a, b| a.0 == b.0).filter(|r| r.len() > 1) {
        // Equal hashes: group by the text itself (a hash collision is not a duplicate).
        let mut texts: Vec<(String, usize)> = run
            .iter()
            .filter_map(|&(_, r)| Some((dir.object_sid.get(r as usize)?.into_owned(), r as usize)))
            .collect();
        texts.sort_unstable();
        for same in texts.chunk_by(|a, b| a.0 == b.0).filter(|s| s.len() > 1) {
            by_sid.push((same[0].0.clone(), same.iter().map(|(_, r)| *r).collect()));
        }
    }
    for (sid, holders) in &by_sid {
        for &row in holders {
            let others: Vec<String> = holders
                .iter()
                .filter(|r| **r != row)
                .take(3)
                .map(|r| location(ctx, *r))
                .collect();
            out.push(
                Finding::new(&DUPLICATE_OBJECT_SID, row, Attr::ObjectSid, sid)
                    .note(format!("same objectSid as {}", others.join("; "))),
            );
        }
    }
}

/// The hash of a value lower-cased in ASCII, as `to_ascii_lowercase` compares.
fn ascii_lower_hash(text: &str) -> u64 {
    use std::hash::Hasher;
    let mut h = rustc_hash::FxHasher::default();
    let mut buf = [0u8; 64];
    for chunk in text.as_bytes().chunks(64) {
        let b = &mut buf[..chunk.len()];
        b.copy_from_slice(chunk);
        b.make_ascii_lowercase();
        h.write(b);
    }
    h.finish()
}

/// SL1108, SL1109: objects in scope per domain.
fn per_domain(ctx: &Context, rows: &[usize], out: &mut Vec<Finding>) {
    let dir = ctx.dir;
    let mut domains: FxHashMap<String, (usize, usize)> = FxHashMap::default();
    // Objects of a domain come in runs: one map entry per run, not a string per object.
    let mut run: Option<(&str, usize, usize)> = None;
    let mut flush = |run: Option<(&str, usize, usize)>| {
        if let Some((d, first, n)) = run {
            domains
                .entry(d.to_ascii_lowercase())
                .or_insert((first, 0))
                .1 += n;
        }
    };
    for &row in rows {
        let d = domain_part(dir.dn.get(row).unwrap_or(""));
        match &mut run {
            Some((text, _, n)) if text.eq_ignore_ascii_case(d) => *n += 1,
            _ => flush(run.replace((d, row, 1))),
        }
    }
    flush(run);
    for (domain, (first, n)) in domains {
        let rule = if n > MAX_OBJECTS_PER_DOMAIN {
            &DOMAIN_OVER_OBJECT_LIMIT
        } else if n >= WARN_OBJECTS_PER_DOMAIN {
            &DOMAIN_NEAR_OBJECT_LIMIT
        } else {
            continue;
        };
        let name = crate::dn::dns_domain(&domain).unwrap_or(domain);
        report(
            ctx,
            out,
            Finding::new(rule, first, Attr::ObjectClass, &name).note(format!(
                "{} objects in scope in {name} (Cloud Sync: at most {})",
                crate::text::count(n as u64),
                crate::text::count(MAX_OBJECTS_PER_DOMAIN as u64)
            )),
        );
    }
}

/// SL1112, SL1113: the scope the options give.
fn scope_roots(ctx: &Context, rows: &[usize], out: &mut Vec<Finding>) {
    let roots = ctx.scope.roots;
    if roots > MAX_SCOPE_ROOTS {
        if let Some(&first) = rows.first() {
            report(
                ctx,
                out,
                Finding::new(
                    &TOO_MANY_SCOPE_ROOTS,
                    first,
                    Attr::ObjectClass,
                    &format!("{roots} scope roots"),
                )
                .note(format!(
                    "{roots} --include-ou and --include-group options (Cloud Sync: about {MAX_SCOPE_ROOTS})"
                )),
            );
        }
    }
    for &group in &ctx.scope.included_groups {
        let members = ctx.dir.count(Attr::Member, group) as usize;
        if members > MAX_GROUP_MEMBERS {
            report(
                ctx,
                out,
                Finding::new(
                    &GROUP_SCOPE_DELTA,
                    group,
                    Attr::Member,
                    &format!("{members} members"),
                )
                .note("given with --include-group"),
            );
        }
    }
}

/// The primary SMTP address of an object, as written (without `SMTP:`).
fn primary_smtp<'a>(ctx: &Context<'a>, row: usize) -> Option<&'a str> {
    ctx.dir
        .proxy_addresses
        .get(row)
        .find_map(|p| p.strip_prefix("SMTP:"))
}

/// A user's addresses that identify a person across forests: UPN, mail, primary SMTP, each
/// once (compared in ASCII lower case), with the attribute each comes from.
fn person_keys<'a>(ctx: &Context<'a>, row: usize) -> Vec<(Attr, &'a str)> {
    let dir = ctx.dir;
    let mut keys: Vec<(Attr, &'a str)> = Vec::with_capacity(3);
    let found = [
        (
            Attr::UserPrincipalName,
            dir.text(Attr::UserPrincipalName, row),
        ),
        (Attr::Mail, dir.text(Attr::Mail, row)),
        (Attr::ProxyAddresses, primary_smtp(ctx, row)),
    ];
    for (attr, value) in found {
        if let Some(v) = value {
            if !keys.iter().any(|(_, k)| k.eq_ignore_ascii_case(v)) {
                keys.push((attr, v));
            }
        }
    }
    keys
}

/// SL1114, SL1115: the same person in two forests.
fn across_forests(ctx: &Context, rows: &[usize], forests: &Forests, out: &mut Vec<Finding>) {
    if forests.count() < 2 {
        return;
    }
    let dir = ctx.dir;
    let person = |r: usize| matches!(dir.kind[r], ObjectKind::User | ObjectKind::InetOrgPerson);
    // Every address a user is known by, as (hash of its lower case, row, which key), sorted:
    // the holders of one address are adjacent and in row order. (A map from each lower-cased
    // address to its holders cost 1.5 s at 1M.)
    let mut entries: Vec<(u64, u32, u8)> = rows
        .par_chunks(8192)
        .flat_map_iter(|chunk| {
            let mut part = Vec::with_capacity(chunk.len() * 2);
            for &row in chunk.iter().filter(|r| person(**r)) {
                for (i, (_, key)) in person_keys(ctx, row).into_iter().enumerate() {
                    part.push((ascii_lower_hash(key), row as u32, i as u8));
                }
            }
            part
        })
        .collect();
    entries.par_sort_unstable();
    let key_of = |e: &(u64, u32, u8)| -> Option<(Attr, &str)> {
        person_keys(ctx, e.1 as usize).get(e.2 as usize).copied()
    };
    // The addresses held in more than one forest: (lower case, holders in row order).
    let mut shared: Vec<(String, Vec<usize>)> = Vec::new();
    for run in entries.chunk_by(|a, b| a.0 == b.0) {
        let forest = forests.of_row[run[0].1 as usize];
        if run.iter().all(|e| forests.of_row[e.1 as usize] == forest) {
            continue;
        }
        let mut keyed: Vec<(String, usize)> = run
            .iter()
            .filter_map(|e| Some((key_of(e)?.1.to_ascii_lowercase(), e.1 as usize)))
            .collect();
        keyed.sort();
        for same in keyed.chunk_by(|a, b| a.0 == b.0) {
            shared.push((same[0].0.clone(), same.iter().map(|(_, r)| *r).collect()));
        }
    }
    shared.sort();
    // SL1114: pairs of users in different forests sharing an address; each user once, under
    // its first address in sorted order.
    let mut seen: FxHashMap<usize, ()> = FxHashMap::default();
    for (key, holders) in &shared {
        for &row in holders {
            let Some(&other) = holders.iter().find(|r| {
                forests.of_row[**r] != forests.of_row[row] && forests.of_row[row] != NO_FOREST
            }) else {
                continue;
            };
            if seen.insert(row, ()).is_some() {
                continue;
            }
            let attr = if dir
                .text(Attr::UserPrincipalName, row)
                .is_some_and(|v| v.eq_ignore_ascii_case(key))
            {
                Attr::UserPrincipalName
            } else if dir
                .text(Attr::Mail, row)
                .is_some_and(|v| v.eq_ignore_ascii_case(key))
            {
                Attr::Mail
            } else {
                Attr::ProxyAddresses
            };
            report(
                ctx,
                out,
                Finding::new(&SAME_PERSON_TWO_FORESTS, row, attr, key).note(format!(
                    "also {} in forest {}",
                    location(ctx, other),
                    forests.name(forests.of_row[other])
                )),
            );
        }
    }
    // SL1115: contacts mirroring a user of another forest: the first user (in row order)
    // holding the contact's mail, targetAddress or primary SMTP address, in that order.
    let holder_in_other_forest = |key: &str, forest: u32| -> Option<usize> {
        let hash = ascii_lower_hash(key);
        let start = entries.partition_point(|e| e.0 < hash);
        entries[start..]
            .iter()
            .take_while(|e| e.0 == hash)
            .filter(|e| forests.of_row[e.1 as usize] != forest)
            .find(|e| key_of(e).is_some_and(|(_, k)| k.eq_ignore_ascii_case(key)))
            .map(|e| e.1 as usize)
    };
    for &row in rows.iter().filter(|r| dir.kind[**r] == ObjectKind::Contact) {
        let mut keys: Vec<(Attr, &str)> = Vec::new();
        if let Some(m) = dir.text(Attr::Mail, row) {
            keys.push((Attr::Mail, m));
        }
        if let Some(t) = dir.text(Attr::TargetAddress, row) {
            let t = t
                .strip_prefix("SMTP:")
                .or_else(|| t.strip_prefix("smtp:"))
                .unwrap_or(t);
            keys.push((Attr::TargetAddress, t));
        }
        if let Some(p) = primary_smtp(ctx, row) {
            keys.push((Attr::ProxyAddresses, p));
        }
        let forest = forests.of_row[row];
        let hit = keys.iter().find_map(|(attr, k)| {
            holder_in_other_forest(k, forest).map(|u| (*attr, k.to_ascii_lowercase(), u))
        });
        if let Some((attr, key, user)) = hit {
            report(
                ctx,
                out,
                Finding::new(&GALSYNC_CONTACT, row, attr, &key).note(format!(
                    "mirrors the user {} in forest {}",
                    location(ctx, user),
                    forests.name(forests.of_row[user])
                )),
            );
        }
    }
}

/// SL1116: references into another forest, one finding per object and attribute.
fn references(ctx: &Context, forests: &Forests, out: &mut Vec<Finding>) {
    if !runs(ctx, &CROSS_FOREST_REFERENCE) {
        return;
    }
    let dir = ctx.dir;
    // The forest of each referenced domain part, as written: DNs of one domain repeat.
    let mut forest_of: FxHashMap<&str, Option<u32>> = FxHashMap::default();
    let mut i = 0;
    let refs = &dir.foreign_refs;
    while i < refs.len() {
        let (row, attr, _) = &refs[i];
        let mut j = i;
        let mut dropped: Vec<(&str, String)> = Vec::new();
        while j < refs.len() && refs[j].0 == *row && refs[j].1 == *attr {
            let dn = &*refs[j].2;
            let own = forests.of_row[*row];
            let target = if crate::dn::foreign_principal_sid(dn).is_some() {
                forests.of_reference(dn)
            } else {
                *forest_of
                    .entry(domain_part(dn))
                    .or_insert_with(|| forests.of_reference(dn))
            };
            match target {
                Some(f) if f == own => {}
                Some(f) => dropped.push((dn, forests.name(f))),
                None => {
                    // A foreign principal of no input's domain, or a domain no input holds.
                    let fsp = crate::dn::foreign_principal_sid(dn);
                    let well_known = fsp.is_some_and(|s| crate::forest::domain_sid(s).is_none());
                    if !well_known {
                        dropped.push((dn, "not in the inputs".into()));
                    }
                }
            }
            j += 1;
        }
        if ctx.scope.in_scope(*row) && !dropped.is_empty() {
            let shown: Vec<String> = dropped
                .iter()
                .take(3)
                .map(|(dn, f)| format!("{dn} (forest {f})"))
                .collect();
            let more = dropped.len().saturating_sub(3);
            report(
                ctx,
                out,
                Finding::new(&CROSS_FOREST_REFERENCE, *row, *attr, dropped[0].0).note(format!(
                    "{} dropped: {}{}",
                    crate::text::plural(dropped.len() as u64, "reference", "references"),
                    shown.join("; "),
                    if more > 0 {
                        format!(" and {more} more")
                    } else {
                        String::new()
                    }
                )),
            );
        }
        i = j;
    }
}

/// SL1118.
fn exchange(ctx: &Context, rows: &[usize], out: &mut Vec<Finding>) {
    let dir = ctx.dir;
    let any = (0..dir.len()).any(|r| {
        dir.int(Attr::RecipientTypeDetails, r).is_some()
            || dir.boolean(Attr::HideFromAddressLists, r).is_some()
            || dir.count(Attr::HomeMdb, r) > 0
    });
    if any {
        return;
    }
    let first_user = rows
        .iter()
        .find(|r| matches!(dir.kind[**r], ObjectKind::User | ObjectKind::InetOrgPerson));
    if let Some(&row) = first_user {
        report(
            ctx,
            out,
            Finding::new(&EXCHANGE_SCHEMA_NOT_SEEN, row, Attr::RecipientTypeDetails, "")
                .note("no object of the inputs has msExchRecipientTypeDetails, msExchHideFromAddressLists or homeMDB: absence of values is not proof that the schema lacks Exchange"),
        );
    }
}
