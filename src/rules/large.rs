//! Large objects and counts: the LargeObject errors of Entra Connect and group sizes.

use super::registry::Family;
use super::sources;
use super::{Context, Limit, Rule, ALL_PROFILES, ENTRA};
use crate::directory::{Attr, ObjectFlags, ObjectKind};
use crate::findings::{Action, Class, Finding, Severity};

/// The most userCertificate (and userSMIMECertificate) values an object may hold.
pub const MAX_CERTIFICATES: u32 = 15;
/// The most proxyAddresses values that are safe ("approximately 300").
pub const MAX_PROXIES: u32 = 299;
/// The most members of a group Cloud Sync's older documentation allowed, minus one.
pub const MAX_GROUP_MEMBERS: u32 = 49_999;
/// thumbnailPhoto's schema limit in bytes, and the note that states it.
pub const MAX_PHOTO_BYTES: usize = 100 * 1024;
const PHOTO_NOTE: &str = "limit 102,400 bytes";

pub static TOO_MANY_CERTIFICATES: Rule = Rule {
    code: "SL701",
    slug: "too-many-certificates",
    class: Class::LargeObject,
    severity: Severity::Error,
    attributes: &[Attr::UserCertificate],
    idfix: None,
    entra: "LargeObject / ExceededAllowedLength (Connect ≥ 1.1.524 stops exporting the attribute)",
    sources: &[&sources::SYNC_ERRORS, &sources::LARGE_OBJECT],
    source_note: "",
    what: "More than 15 userCertificate values.",
    why: "15 values is a hard limit; the object fails export with LargeObject, or newer Connect versions drop the certificates.",
    fix: "Remove expired or unused certificates until 15 or fewer remain.",
    default_action: Action::Edit,
    profiles: ENTRA,
    limits: &[
        Limit {
            what: "values",
            max: MAX_CERTIFICATES as usize,
        },
    ],
};

pub static TOO_MANY_SMIME_CERTIFICATES: Rule = Rule {
    code: "SL702",
    slug: "too-many-smime-certificates",
    class: Class::LargeObject,
    severity: Severity::Error,
    attributes: &[Attr::UserSmimeCertificate],
    idfix: None,
    entra: "LargeObject / ExceededAllowedLength",
    sources: &[&sources::SYNC_ERRORS, &sources::LARGE_OBJECT],
    source_note: "",
    what: "More than 15 userSMIMECertificate values.",
    why: "Same hard limit of 15 as userCertificate.",
    fix: "Remove expired or unused certificates until 15 or fewer remain.",
    default_action: Action::Edit,
    profiles: ENTRA,
    limits: &[Limit {
        what: "values",
        max: MAX_CERTIFICATES as usize,
    }],
};

pub static TOO_MANY_PROXIES: Rule = Rule {
    code: "SL703",
    slug: "too-many-proxy-addresses",
    class: Class::LargeObject,
    severity: Severity::Warning,
    attributes: &[Attr::ProxyAddresses],
    idfix: None,
    entra: "LargeObject",
    sources: &[&sources::SYNC_ERRORS],
    source_note: "The error article: \"safer to assume … approximately 300\".",
    what: "300 or more proxyAddresses values.",
    why: "Objects with a few hundred addresses hit the per-object size limit (observed maxima 311-332).",
    fix: "Remove addresses that are no longer used.",
    default_action: Action::Edit,
    profiles: ENTRA,
    limits: &[
        Limit {
            what: "values",
            max: MAX_PROXIES as usize,
        },
    ],
};

pub static LARGE_GROUP: Rule = Rule {
    code: "SL704",
    slug: "large-group",
    class: Class::LargeObject,
    severity: Severity::Info,
    attributes: &[Attr::Member],
    idfix: None,
    entra: "none under Connect Sync; Cloud Sync supports groups up to 50,000 members",
    sources: &[
        &sources::CLOUD_SYNC_COMPARISON,
        &sources::CLOUD_SYNC,
        &sources::DEFAULT_CONFIGURATION,
    ],
    source_note: "Groups of 250,000 members or more are out of scope in Connect (default configuration). Under --engine cloud-sync this note is not given: SL1110 reports groups above 50,000 members as errors.",
    what: "Under Entra Connect Sync: a group with 50,000 or more members (and fewer than 250,000, which are out of scope).",
    why: "Entra Connect syncs it; a move to Cloud Sync, whose documented limit is 50,000 members, would not.",
    fix: "Nothing with Entra Connect; before a move to Cloud Sync, split the group.",
    default_action: Action::Complete,
    profiles: ENTRA,
    limits: &[
        Limit {
            what: "members",
            max: MAX_GROUP_MEMBERS as usize,
        },
    ],
};

pub static LARGE_PHOTO: Rule = Rule {
    code: "SL705",
    slug: "large-thumbnail-photo",
    class: Class::LargeObject,
    severity: Severity::Warning,
    attributes: &[Attr::ThumbnailPhoto],
    idfix: None,
    entra: "LargeObject (thumbnailPhoto \"too large\")",
    sources: &[&sources::SYNC_ERRORS],
    source_note: "",
    what: "thumbnailPhoto larger than 102,400 bytes (100 KB, the attribute's schema limit).",
    why: "A too-large photo is one of the documented LargeObject causes.",
    fix: "Replace it with a smaller image (Microsoft recommends 96x96, under 10 KB).",
    default_action: Action::Edit,
    profiles: ENTRA,
    limits: &[Limit {
        what: "bytes",
        max: MAX_PHOTO_BYTES,
    }],
};

pub static RANGED_VALUES: Rule = Rule {
    code: "SL706",
    slug: "range-retrieved-values",
    class: Class::LargeObject,
    severity: Severity::Info,
    attributes: &[Attr::Member],
    idfix: None,
    entra: "none: the export may be incomplete",
    sources: &[&sources::RANGE_RETRIEVAL],
    source_note: "",
    what: "The export holds a range-retrieved attribute (member;range=…): the value count is a lower bound.",
    why: "Counts checked against limits (members, certificates) may be short.",
    fix: "Re-export without range limits if the count matters.",
    default_action: Action::Complete,
    profiles: ALL_PROFILES,
    limits: &[],
};

pub static FAMILY: Family = Family {
    name: "large objects",
    rules: &[
        &TOO_MANY_CERTIFICATES,
        &TOO_MANY_SMIME_CERTIFICATES,
        &TOO_MANY_PROXIES,
        &LARGE_GROUP,
        &LARGE_PHOTO,
        &RANGED_VALUES,
    ],
    values: &[],
    check_value: None,
    check: Some(check),
};

pub fn check(ctx: &Context, row: usize, out: &mut Vec<Finding>) {
    let dir = ctx.dir;
    let count = |rule: &'static Rule, n: u32, limit: u32, out: &mut Vec<Finding>| {
        if n > limit {
            ctx.report(
                out,
                Finding::new(rule, row, rule.attributes[0], &format!("{n} values"))
                    .note(format!("limit {limit}")),
            );
        }
    };
    count(
        &TOO_MANY_CERTIFICATES,
        dir.count(Attr::UserCertificate, row),
        MAX_CERTIFICATES,
        out,
    );
    count(
        &TOO_MANY_SMIME_CERTIFICATES,
        dir.count(Attr::UserSmimeCertificate, row),
        MAX_CERTIFICATES,
        out,
    );
    let proxies = dir.proxy_addresses.value_count(row) as u32;
    count(&TOO_MANY_PROXIES, proxies, MAX_PROXIES, out);
    // Under Cloud Sync, SL1110 reports a group above its 50,000-member limit: one finding
    // for the fact, not this note as well.
    if dir.kind[row] == ObjectKind::Group && ctx.options.engine == crate::vocab::Engine::Connect {
        count(
            &LARGE_GROUP,
            dir.count(Attr::Member, row),
            MAX_GROUP_MEMBERS,
            out,
        );
    }
    if let Some(size) = dir.thumbnail_photo_bytes.get(row) {
        if size as usize > MAX_PHOTO_BYTES {
            ctx.report(
                out,
                Finding::new(
                    &LARGE_PHOTO,
                    row,
                    Attr::ThumbnailPhoto,
                    &format!("{size} bytes"),
                )
                .note(PHOTO_NOTE),
            );
        }
    }
    if dir.flags[row].has(ObjectFlags::RANGED) {
        let n = dir.count(Attr::Member, row);
        ctx.report(
            out,
            Finding::new(
                &RANGED_VALUES,
                row,
                Attr::Member,
                &format!("{n} values (at least)"),
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_photo_note_states_the_limit() {
        let digits = super::MAX_PHOTO_BYTES.to_string();
        assert_eq!(
            super::PHOTO_NOTE.replace(',', ""),
            format!("limit {digits} bytes")
        );
    }
}
