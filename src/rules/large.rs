//! Large objects and counts (sync-rules.md §3.4 [S7, S13], §3.5 [S12, S19], §6.5).

use super::{Context, Rule, ALL_PROFILES, ENTRA};
use crate::directory::{Attr, ObjectFlags, ObjectKind};
use crate::findings::{Action, Class, Finding, Severity};

pub static TOO_MANY_CERTIFICATES: Rule = Rule {
    code: "SL701",
    slug: "too-many-certificates",
    class: Class::LargeObject,
    severity: Severity::Error,
    attributes: &["userCertificate"],
    idfix: None,
    entra: "LargeObject / ExceededAllowedLength (Connect ≥ 1.1.524 stops exporting the attribute)",
    source: "sync-rules.md §3.4 [S7, S13]",
    what: "More than 15 userCertificate values.",
    why: "15 values is a hard limit; the object fails export with LargeObject, or newer Connect versions drop the certificates.",
    fix: "Remove expired or unused certificates until 15 or fewer remain.",
    default_action: Action::Edit,
    profiles: ENTRA,
};

pub static TOO_MANY_SMIME_CERTIFICATES: Rule = Rule {
    code: "SL702",
    slug: "too-many-smime-certificates",
    class: Class::LargeObject,
    severity: Severity::Error,
    attributes: &["userSMIMECertificate"],
    idfix: None,
    entra: "LargeObject / ExceededAllowedLength",
    source: "sync-rules.md §3.4 [S7, S13]",
    what: "More than 15 userSMIMECertificate values.",
    why: "Same hard limit of 15 as userCertificate.",
    fix: "Remove expired or unused certificates until 15 or fewer remain.",
    default_action: Action::Edit,
    profiles: ENTRA,
};

pub static TOO_MANY_PROXIES: Rule = Rule {
    code: "SL703",
    slug: "too-many-proxy-addresses",
    class: Class::LargeObject,
    severity: Severity::Warning,
    attributes: &["proxyAddresses"],
    idfix: None,
    entra: "LargeObject",
    source: "sync-rules.md §3.4 [S7] (\"safer to assume … approximately 300\")",
    what: "300 or more proxyAddresses values.",
    why: "Objects with a few hundred addresses hit the per-object size limit (observed maxima 311-332).",
    fix: "Remove addresses that are no longer used.",
    default_action: Action::Edit,
    profiles: ENTRA,
};

pub static LARGE_GROUP: Rule = Rule {
    code: "SL704",
    slug: "large-group",
    class: Class::LargeObject,
    severity: Severity::Info,
    attributes: &["member"],
    idfix: None,
    entra: "Cloud Sync (older documentation): groups up to 50,000 members",
    source: "sync-rules.md §3.5 [S19], §6.5; groups of 250,000 or more are out of scope (Connect, [S12])",
    what: "A group with 50,000 or more members (and fewer than 250,000, which are out of scope).",
    why: "Entra Connect syncs it; Cloud Sync's documented limit was 50,000 members.",
    fix: "Nothing with Entra Connect; with Cloud Sync, split the group.",
    default_action: Action::Complete,
    profiles: ENTRA,
};

pub static LARGE_PHOTO: Rule = Rule {
    code: "SL705",
    slug: "large-thumbnail-photo",
    class: Class::LargeObject,
    severity: Severity::Warning,
    attributes: &["thumbnailPhoto"],
    idfix: None,
    entra: "LargeObject (thumbnailPhoto \"too large\")",
    source: "sync-rules.md §3.4 [S7]",
    what: "thumbnailPhoto larger than 100 KB (the attribute's schema limit).",
    why: "A too-large photo is one of the documented LargeObject causes.",
    fix: "Replace it with a smaller image (Microsoft recommends 96x96, under 10 KB).",
    default_action: Action::Edit,
    profiles: ENTRA,
};

pub static RANGED_VALUES: Rule = Rule {
    code: "SL706",
    slug: "range-retrieved-values",
    class: Class::LargeObject,
    severity: Severity::Info,
    attributes: &["member"],
    idfix: None,
    entra: "none: the export may be incomplete",
    source: "export-formats.md §4.3 (range retrieval, MS-ADTS [S25])",
    what: "The export holds a range-retrieved attribute (member;range=…): the value count is a lower bound.",
    why: "Counts checked against limits (members, certificates) may be short.",
    fix: "Re-export without range limits if the count matters.",
    default_action: Action::Complete,
    profiles: ALL_PROFILES,
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
        15,
        out,
    );
    count(
        &TOO_MANY_SMIME_CERTIFICATES,
        dir.count(Attr::UserSmimeCertificate, row),
        15,
        out,
    );
    let proxies = dir.proxy_addresses.value_count(row) as u32;
    count(&TOO_MANY_PROXIES, proxies, 299, out);
    if dir.kind[row] == ObjectKind::Group {
        count(&LARGE_GROUP, dir.count(Attr::Member, row), 49_999, out);
    }
    if let Some(size) = dir.thumbnail_photo_bytes[row] {
        if size > 100 * 1024 {
            ctx.report(
                out,
                Finding::new(
                    &LARGE_PHOTO,
                    row,
                    "thumbnailPhoto",
                    &format!("{size} bytes"),
                )
                .note("limit 102,400 bytes"),
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
                "member",
                &format!("{n} values (at least)"),
            ),
        );
    }
}
