//! sAMAccountName: its characters, its length and its trailing period.

use super::address::{ascii_set, describe, in_set, longer_than, truncate_chars};
use super::registry::Family;
use super::sources;
use super::{Context, Limit, Rule, ALL_PROFILES};
use crate::directory::{Attr, ObjectKind};
use crate::findings::{Action, Class, Finding, Severity};

const ATTR: &[Attr] = &[Attr::SamAccountName];

/// The longest sAMAccountName of a user (and inetOrgPerson), and of any other object.
pub const MAX_USER: usize = 20;
pub const MAX_OTHER: usize = 256;

pub static INVALID_CHARACTER: Rule = Rule {
    code: "SL501",
    slug: "sam-invalid-character",
    class: Class::Character,
    severity: Severity::Warning,
    attributes: ATTR,
    idfix: Some("Character"),
    entra: "sync continues while the UPN is valid; it fails when both are invalid",
    sources: &[&sources::PREPARE],
    source_note: "Microsoft lists the apostrophe as invalid; IdFix's pattern lacks it.",
    what: "sAMAccountName contains one of [ ] \\ \" | , / : < > + = ; ? * ' — the apostrophe included, which IdFix misses.",
    why: "Microsoft lists these as invalid; an invalid sAMAccountName with a valid UPN still syncs, but if the UPN is invalid too, sync fails.",
    fix: "Remove the characters (the suggestion does); if the UPN is also invalid, fix the UPN first.",
    default_action: Action::Edit,
    profiles: ALL_PROFILES,
    limits: &[],
};

pub static TOO_LONG: Rule = Rule {
    code: "SL502",
    slug: "sam-too-long",
    class: Class::Length,
    severity: Severity::Warning,
    attributes: ATTR,
    idfix: Some("Length"),
    entra: "invalid sAMAccountName",
    sources: &[&sources::PREPARE, &sources::IDFIX],
    source_note: "IdFix gives inetOrgPerson objects 256 characters.",
    what: "A user's or inetOrgPerson's sAMAccountName longer than 20 characters (other objects: 256). IdFix applies 20 to 'user' only, because it takes the last objectClass; synclint treats inetOrgPerson as the user it is.",
    why: "20 characters is the documented limit for user logon names (pre-Windows 2000).",
    fix: "Shorten it (the suggestion truncates).",
    default_action: Action::Edit,
    profiles: ALL_PROFILES,
    limits: &[
        Limit {
            what: "characters for a user or inetOrgPerson",
            max: MAX_USER,
        },
        Limit {
            what: "characters for another object",
            max: MAX_OTHER,
        },
    ],
};

pub static TRAILING_PERIOD: Rule = Rule {
    code: "SL503",
    slug: "sam-trailing-period",
    class: Class::Format,
    severity: Severity::Warning,
    attributes: ATTR,
    idfix: None,
    entra: "none of its own: the domain controller refuses to write the value",
    sources: &[&sources::PREPARE],
    source_note: "Observed on a domain controller: Samba AD DC 4.17 refuses the value (\"samldb: sAMAccountName ends with '.'\", constraint violation); found by .ci/samba-loop.sh.",
    what: "sAMAccountName ends with a period.",
    why: "A domain controller refuses to write such a logon name, so an import that sets it stops at that record; the rule keeps fix and the suggestions from writing one.",
    fix: "Remove the trailing periods (the suggestion does).",
    default_action: Action::Edit,
    profiles: ALL_PROFILES,
    limits: &[],
};

pub static FAMILY: Family = Family {
    name: "sAMAccountName",
    rules: &[&INVALID_CHARACTER, &TOO_LONG, &TRAILING_PERIOD],
    values: ATTR,
    check_value: Some(|ctx, row, _, value, out| check_value(ctx, row, value, out)),
    check: Some(check),
};

const INVALID_SET: u128 = ascii_set("[]\\\"|,/:<>+=;?*'");

pub fn char_ok(c: char) -> bool {
    !in_set(c, INVALID_SET) && !c.is_control()
}

fn limit(kind: ObjectKind) -> usize {
    match kind {
        ObjectKind::User | ObjectKind::InetOrgPerson => MAX_USER,
        _ => MAX_OTHER,
    }
}

pub fn check(ctx: &Context, row: usize, out: &mut Vec<Finding>) {
    if let Some(sam) = ctx.dir.text(Attr::SamAccountName, row) {
        check_value(ctx, row, sam, out);
    }
}

/// Every rule of the profile that `sam` breaks as object `row`'s sAMAccountName: what
/// [`check`] reports, and what [`validate`] is derived from.
pub fn check_value(ctx: &Context, row: usize, sam: &str, out: &mut Vec<Finding>) {
    if let Some(c) = sam.chars().find(|c| !char_ok(*c)) {
        let fixed: String = sam.chars().filter(|c| char_ok(*c)).collect();
        let f = Finding::new(&INVALID_CHARACTER, row, ATTR[0], sam)
            .suggest(writable(fixed))
            .note(format!("invalid character {}", describe(c)));
        ctx.report(out, f);
    }
    if sam.ends_with('.') {
        let f = Finding::new(&TRAILING_PERIOD, row, ATTR[0], sam)
            .suggest(writable(sam.to_string()))
            .note("a domain controller refuses a logon name ending with '.'");
        ctx.report(out, f);
    }
    let max = limit(ctx.dir.kind[row]);
    if longer_than(sam, max) {
        let f = Finding::new(&TOO_LONG, row, ATTR[0], sam)
            .suggest(writable(truncate_chars(sam, max)))
            .note(format!("{} characters, limit {max}", sam.chars().count()));
        ctx.report(out, f);
    }
}

/// A suggested name as a domain controller will take it: without trailing periods (a cut
/// after a period would otherwise leave one), and none at all if nothing is left.
fn writable(mut name: String) -> Option<String> {
    name.truncate(name.trim_end_matches('.').len());
    Some(name).filter(|n| !n.is_empty())
}

/// The sAMAccountNames of a directory by domain, for `fix`: a domain controller refuses a
/// name that another object of the same domain holds, ignoring case (Samba AD DC:
/// "samldb: samAccountName '…' already in use!", found by .ci/samba-loop.sh; Active
/// Directory keeps sAMAccountName unique within a domain). Every object counts, in scope or
/// not: the DC's own accounts hold names too.
pub struct TakenNames {
    /// (domain, lower-case name) → the rows that hold it.
    holders: rustc_hash::FxHashMap<(String, String), Vec<u32>>,
}

impl TakenNames {
    pub fn new(dir: &crate::directory::Directory) -> TakenNames {
        let mut holders: rustc_hash::FxHashMap<(String, String), Vec<u32>> = Default::default();
        for row in 0..dir.len() {
            if let Some(key) = Self::key(dir, row, dir.text(Attr::SamAccountName, row)) {
                holders.entry(key).or_default().push(row as u32);
            }
        }
        TakenNames { holders }
    }

    fn key(
        dir: &crate::directory::Directory,
        row: usize,
        name: Option<&str>,
    ) -> Option<(String, String)> {
        let domain = dir.dn.get(row).and_then(crate::dn::dns_domain)?;
        Some((domain.to_lowercase(), name?.to_lowercase()))
    }

    /// Another object of `row`'s domain that holds `name`.
    pub fn holder(&self, dir: &crate::directory::Directory, row: usize, name: &str) -> Option<u32> {
        let key = Self::key(dir, row, Some(name))?;
        self.holders
            .get(&key)?
            .iter()
            .copied()
            .find(|r| *r as usize != row)
    }

    /// The key two edits of one run compete for: `name` in `row`'s domain.
    pub fn claim(dir: &crate::directory::Directory, row: usize, name: &str) -> Option<String> {
        Self::key(dir, row, Some(name)).map(|(domain, name)| format!("{domain}/{name}"))
    }
}
