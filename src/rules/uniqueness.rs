//! Duplicates and collisions over every in-scope object of every input (duplicate attribute
//! resiliency and the proxyAddresses population rules; sources in each rule).
//!
//! Every value that Entra keeps unique becomes an entry `(hash of its normalized form, row,
//! source)`; entries are sorted in parallel and equal hashes grouped, then verified on the
//! normalized text, so hash collisions can't merge groups. Values are case-insensitive and
//! prefix-aware (`SMTP:A@x` = `smtp:a@x` = mail `a@x` = UPN `A@X`). IdFix compares inside one
//! attribute only (quadratically); here UPN, mail, SMTP proxies and targetAddress share one
//! address space, so a UPN equal to another object's proxy is found too.
//!
//! The engine is a kernel of our own rather than polars: the issue measured polars 0.55's lazy
//! group_by at 8-12 s and 5-7 GB on 15M values, a parallel sort of (hash, row) at 3.3 s.

use super::proxy::{is_legacy_type, is_smtp, parse};
use super::registry::Family;
use super::sources;
use super::{Context, Profile, Rule, ALL_PROFILES};
use crate::directory::{Attr, ObjectKind};
use crate::dn::dns_domain;
use crate::domain::is_discarded_address;
use crate::findings::{Action, Class, Finding, Groups, Holder, Severity};
use rayon::prelude::*;
use rustc_hash::FxHasher;
use serde::Serialize;
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::hash::Hasher;

macro_rules! duplicate_rule {
    ($name:ident, $code:literal, $slug:literal, $severity:ident, $attr:ident, $idfix:expr, $entra:literal, $sources:expr, $source_note:literal, $what:literal, $why:literal, $fix:literal) => {
        pub static $name: Rule = Rule {
            code: $code,
            slug: $slug,
            class: Class::Duplicate,
            severity: Severity::$severity,
            attributes: &[Attr::$attr],
            idfix: $idfix,
            entra: $entra,
            sources: $sources,
            source_note: $source_note,
            what: $what,
            why: $why,
            fix: $fix,
            default_action: Action::Edit,
            profiles: ALL_PROFILES,
            limits: &[],
        };
    };
}

duplicate_rule!(DUPLICATE_UPN, "SL801", "duplicate-upn", Error, UserPrincipalName, Some("Duplicate"),
    "AttributeValueMustBeUnique; the UPN is quarantined and replaced by <prefix>+NNNN@<tenant>.onmicrosoft.com",
    &[&sources::RESILIENCY, &sources::SYNC_ERRORS], "",
    "Two or more in-scope objects have the same userPrincipalName (case-insensitive), in any input. For users without a UPN, the one Connect derives (sAMAccountName@domain) takes part.",
    "UPNs are unique tenant-wide; duplicate attribute resiliency quarantines the second value and gives the user a placeholder UPN.",
    "Give each object its own UPN.");
duplicate_rule!(DUPLICATE_MAIL, "SL802", "duplicate-mail", Error, Mail, Some("Duplicate"),
    "AttributeValueMustBeUnique",
    &[&sources::PREPARE, &sources::SYNC_ERRORS], "",
    "Two or more in-scope objects have the same mail (case-insensitive).",
    "mail must be unique; with duplicates \"the first user with the value is synchronized. Subsequent users will not appear\".",
    "Give each object its own address.");
duplicate_rule!(DUPLICATE_SMTP, "SL803", "duplicate-smtp-address", Error, ProxyAddresses, Some("Duplicate"),
    "AttributeValueMustBeUnique; the address is quarantined",
    &[&sources::RESILIENCY, &sources::SYNC_ERRORS, &sources::IDFIX], "",
    "Two or more in-scope objects have the same SMTP proxy address, whatever the prefix's case (SMTP:a@x = smtp:A@x). Under the entra profile, addresses in *.onmicrosoft.com and *.microsoftonline.com (but the coexistence domain <tenant>.mail.onmicrosoft.com) are not compared: Entra discards them (SL404), so they never meet in the tenant.",
    "proxyAddresses are unique across users, groups and contacts; the second value is quarantined and mail to it goes to one object only.",
    "Remove the address from all but one object (a secondary smtp: copy is usually the one to remove).");
duplicate_rule!(DUPLICATE_OTHER_PROXY, "SL804", "duplicate-other-proxy", Warning, ProxyAddresses, Some("Duplicate"),
    "undocumented for non-SMTP types (reported as a warning)",
    &[&sources::RESILIENCY], "Duplicate attribute resiliency covers SMTP addresses only.",
    "Two or more in-scope objects have the same non-SMTP proxy value (X500:, SIP:, EUM: …), compared in full. Under the entra profile, X400:, MSMAIL: and CCMAIL: values are not compared: Entra discards them (SL405), so they never meet in the tenant.",
    "Entra's behaviour for duplicate non-SMTP values is not documented; a duplicate X500 breaks legacy Exchange routing, a duplicate SIP breaks Teams sign-in.",
    "Keep the value on one object only.");
duplicate_rule!(DUPLICATE_TARGET, "SL805", "duplicate-target-address", Warning, TargetAddress, Some("Duplicate"),
    "mail forwarding is ambiguous",
    &[&sources::PREPARE], "The preparation guide: \"unique within the directory\".",
    "Two or more in-scope objects have the same targetAddress.",
    "Microsoft's preparation guide requires targetAddress to be unique; Entra's error articles list no uniqueness for it, so this is a warning.",
    "Give each object its own targetAddress.");
duplicate_rule!(DUPLICATE_ALIAS, "SL806", "duplicate-mail-nickname", Warning, MailNickname, Some("Duplicate"),
    "both sync; the second cloud alias/MOERA gets 4 random digits",
    &[&sources::PROXY_POPULATION, &sources::IDFIX], "Scenario 6 of the proxyAddresses article.",
    "Two or more in-scope objects have the same mailNickname.",
    "Entra does not enforce unique aliases for synced users, but the second one's onmicrosoft.com address gets random digits appended.",
    "Give each object its own alias.");
duplicate_rule!(DUPLICATE_SAM, "SL807", "duplicate-sam-without-upn", Warning, SamAccountName, Some("Duplicate"),
    "duplicate derived identifiers",
    &[&sources::IDFIX], "IdFix reports it only if userPrincipalName is absent.",
    "Two or more in-scope objects without a userPrincipalName have the same sAMAccountName (across all inputs).",
    "Without a UPN the account name is the identifier Connect falls back to; duplicates across domains collide once combined.",
    "Set a unique UPN on these objects.");

pub static UPN_COLLISION: Rule = Rule {
    code: "SL851",
    slug: "upn-collides-with-address",
    class: Class::Collision,
    severity: Severity::Warning,
    attributes: &[Attr::UserPrincipalName, Attr::Mail, Attr::ProxyAddresses, Attr::TargetAddress],
    idfix: None,
    entra: "ProxyAddress conflict for Exchange-licensed users (AttributeValueMustBeUnique)",
    sources: &[&sources::PROXY_POPULATION, &sources::UPN_POPULATION],
    source_note: "",
    what: "A user's UPN equals another object's mail, SMTP proxy address or targetAddress.",
    why: "For Exchange-licensed users \"the userPrincipalName is always added as a proxy address\": it then clashes with the other object's address. IdFix never compares across attributes.",
    fix: "Change the UPN or remove the address from the other object.",
    default_action: Action::Edit,
    profiles: ALL_PROFILES,
    limits: &[],
};

pub static ADDRESS_COLLISION: Rule = Rule {
    code: "SL852",
    slug: "address-collision",
    class: Class::Collision,
    severity: Severity::Error,
    attributes: &[Attr::Mail, Attr::ProxyAddresses, Attr::TargetAddress],
    idfix: None,
    entra: "AttributeValueMustBeUnique",
    sources: &[&sources::PROXY_POPULATION, &sources::RESILIENCY, &sources::SYNC_ERRORS],
    source_note: "",
    what: "One object's mail, SMTP proxy address or targetAddress equals a different attribute of another object (mail vs proxy, targetAddress vs proxy …).",
    why: "mail becomes the primary SMTP address and targetAddress routes mail: all of them land in the same tenant-wide address space, where the value must be unique.",
    fix: "Keep the address on one object only.",
    default_action: Action::Edit,
    profiles: ALL_PROFILES,
    limits: &[],
};

pub static TYPE_MISMATCH: Rule = Rule {
    code: "SL853",
    slug: "object-type-mismatch",
    class: Class::Collision,
    severity: Severity::Error,
    attributes: &[Attr::UserPrincipalName, Attr::Mail, Attr::ProxyAddresses, Attr::TargetAddress],
    idfix: None,
    entra: "ObjectTypeMismatch (not quarantined by duplicate attribute resiliency)",
    sources: &[&sources::SYNC_ERRORS, &sources::RESILIENCY],
    source_note: "Duplicate attribute resiliency does not quarantine these (its known exceptions).",
    what: "A user shares an SMTP address (as UPN, mail, proxy or target) with a group or a contact.",
    why: "Objects of different types that share soft-match values fail with ObjectTypeMismatch on every sync cycle; resiliency does not quarantine them.",
    fix: "Remove the address from one of the objects.",
    default_action: Action::Edit,
    profiles: ALL_PROFILES,
    limits: &[],
};

/// Uniqueness runs over every object at once ([`check`]), not per object.
pub static FAMILY: Family = Family {
    name: "uniqueness",
    rules: &[
        &DUPLICATE_UPN,
        &DUPLICATE_MAIL,
        &DUPLICATE_SMTP,
        &DUPLICATE_OTHER_PROXY,
        &DUPLICATE_TARGET,
        &DUPLICATE_ALIAS,
        &DUPLICATE_SAM,
        &UPN_COLLISION,
        &ADDRESS_COLLISION,
        &TYPE_MISMATCH,
    ],
    values: &[],
    check_value: None,
    check: None,
};

/// Where a unique value comes from.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Source {
    Upn,
    DerivedUpn,
    Mail,
    SmtpProxy,
    TargetSmtp,
    OtherProxy,
    TargetOther,
    Nickname,
    Sam,
}

impl Source {
    /// Every source, each at its own number (`Source::X as usize`).
    const ALL: [Source; 9] = [
        Source::Upn,
        Source::DerivedUpn,
        Source::Mail,
        Source::SmtpProxy,
        Source::TargetSmtp,
        Source::OtherProxy,
        Source::TargetOther,
        Source::Nickname,
        Source::Sam,
    ];
}

/// Values compete only within a space.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Space {
    Address,
    Proxy,
    Nickname,
    Sam,
}

impl Source {
    pub fn space(self) -> Space {
        match self {
            Source::Upn
            | Source::DerivedUpn
            | Source::Mail
            | Source::SmtpProxy
            | Source::TargetSmtp => Space::Address,
            Source::OtherProxy | Source::TargetOther => Space::Proxy,
            Source::Nickname => Space::Nickname,
            Source::Sam => Space::Sam,
        }
    }

    pub fn attribute(self) -> Attr {
        match self {
            Source::Upn | Source::DerivedUpn => Attr::UserPrincipalName,
            Source::Mail => Attr::Mail,
            Source::SmtpProxy | Source::OtherProxy => Attr::ProxyAddresses,
            Source::TargetSmtp | Source::TargetOther => Attr::TargetAddress,
            Source::Nickname => Attr::MailNickname,
            Source::Sam => Attr::SamAccountName,
        }
    }

    /// The key in the JSON summary's `duplicates`.
    pub fn summary_key(self) -> &'static str {
        match self {
            Source::SmtpProxy => "proxyAddresses",
            Source::OtherProxy => "proxyAddressesOther",
            other => other.attribute().ldap_name(),
        }
    }

    fn duplicate_rule(self) -> &'static Rule {
        match self {
            Source::Upn | Source::DerivedUpn => &DUPLICATE_UPN,
            Source::Mail => &DUPLICATE_MAIL,
            Source::SmtpProxy => &DUPLICATE_SMTP,
            Source::OtherProxy => &DUPLICATE_OTHER_PROXY,
            Source::TargetSmtp | Source::TargetOther => &DUPLICATE_TARGET,
            Source::Nickname => &DUPLICATE_ALIAS,
            Source::Sam => &DUPLICATE_SAM,
        }
    }
}

/// Every `duplicates` key of the summary, in order.
pub const SUMMARY_KEYS: [&str; 7] = [
    "userPrincipalName",
    "mail",
    "proxyAddresses",
    "proxyAddressesOther",
    "targetAddress",
    "mailNickname",
    "sAMAccountName",
];

/// One unique value of one object: its hash, where it comes from and which object holds it.
///
/// 12 bytes: one 64-bit key (the top 40 bits of the value's hash, then its source and its
/// place in its attribute) and the row, packed to an alignment of 4. Every value an object must
/// hold uniquely has one (4.3 million at the 1M field shape), and they are held together
/// while the groups are found: at 16 bytes (the whole hash as a `u64`, the source and place
/// beside it) they were 69 MB of that stage's peak. Forty bits leave about eight pairs of
/// different values with equal hashes among 4.3 million entries (n² / 2⁴¹), which the groups'
/// verification (each value read and compared) sets apart anyway.
/// The key was first two `u32` halves, joined for every comparison of the sort: 32M more
/// instructions than a `u64` (callgrind, 100k field csvde), which the packing saves.
#[derive(Copy, Clone, Debug)]
#[repr(C, packed(4))]
pub struct Entry {
    key: u64,
    pub row: u32,
}

/// The bits of a hash an [`Entry`] keeps (the top 40).
const HASH_MASK: u64 = !0 << 24;

impl Entry {
    /// A place holder, overwritten before it is read ([`entries_for`]).
    const UNSET: Entry = Entry { key: 0, row: 0 };

    fn new(hash: u64, row: u32, index: u16, source: Source) -> Entry {
        Entry {
            key: (hash & HASH_MASK) | (source as u64) << 16 | u64::from(index),
            row,
        }
    }

    /// Hash, source and place in one number: entries sorted by it have equal hashes together.
    fn key(&self) -> u64 {
        self.key
    }

    /// The value's hash as kept ([`stored_hash`]).
    pub fn hash(&self) -> u64 {
        self.key() & HASH_MASK
    }

    /// Which proxyAddresses value, for proxies (values past the 65,536th of one object are
    /// not compared: no real object has that many; SL703 flags 300).
    pub fn index(&self) -> u16 {
        self.key() as u16
    }

    pub fn source(&self) -> Source {
        Source::ALL[usize::from((self.key() >> 16) as u8)]
    }
}

/// The part of a [`key_hash`] that an [`Entry`] keeps, to compare with [`Entry::hash`].
pub fn stored_hash(hash: u64) -> u64 {
    hash & HASH_MASK
}

#[derive(Copy, Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct GroupCount {
    /// Distinct normalized values held by two or more different objects.
    pub groups: u64,
    /// Distinct objects in those groups.
    pub objects: u64,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Summary {
    pub duplicates: BTreeMap<&'static str, GroupCount>,
    pub collisions: GroupCount,
}

/// Every unique value, sorted by hash: answers "who holds this value?" for suggestions.
pub struct Index {
    entries: Vec<Entry>,
    /// `starts[b]`: the first entry whose hash's top `bits` bits are `b` or more (one slot a
    /// bucket, and one past the last). A binary search over all entries took ~22 cache misses
    /// a lookup; the suggestions' re-check does one or two per suggestion, and at 1M objects
    /// with a suffix map (900k suggestions) these searches were half its time.
    starts: Vec<u32>,
    bits: u32,
}

impl Index {
    /// The index over `entries`, sorted by hash.
    fn new(entries: Vec<Entry>) -> Index {
        // About eight entries a bucket (96 bytes, searched in one or two cache lines): the
        // starts take a twenty-fourth of the entries' own size. With two a bucket they took
        // 8.4 MB of the 1M field shape's peak, which is the suggestions' re-check, where the
        // index is held beside every finding.
        let bits = (entries.len() / 8).max(1).ilog2().clamp(1, 32);
        let buckets = 1usize << bits;
        let Ok(len) = u32::try_from(entries.len()) else {
            // Beyond 4G entries (not reachable in memory today): plain binary search.
            return Index {
                entries,
                starts: Vec::new(),
                bits: 0,
            };
        };
        let mut starts = Vec::with_capacity(buckets + 1);
        let mut at = 0usize;
        for bucket in 0..buckets as u64 {
            while at < entries.len() && entries[at].hash() >> (64 - bits) < bucket {
                at += 1;
            }
            starts.push(at as u32);
        }
        starts.push(len);
        Index {
            entries,
            starts,
            bits,
        }
    }

    /// The entries whose hash may be `hash`: its bucket's.
    fn bucket(&self, hash: u64) -> &[Entry] {
        if self.starts.is_empty() {
            return &self.entries;
        }
        let b = (hash >> (64 - self.bits)) as usize;
        &self.entries[self.starts[b] as usize..self.starts[b + 1] as usize]
    }

    /// The rows holding a value whose hash is `hash` (a row once per value it holds; some
    /// may hold another value whose hash has the same [`stored_hash`]).
    pub fn rows_with_hash(&self, hash: u64) -> impl Iterator<Item = u32> + '_ {
        let hash = stored_hash(hash);
        let bucket = self.bucket(hash);
        let start = bucket.partition_point(|e| e.hash() < hash);
        bucket[start..]
            .iter()
            .take_while(move |e| e.hash() == hash)
            .map(|e| e.row)
    }

    /// Rows other than `except` that hold `value` (normalized) in `space`.
    pub fn holders(&self, ctx: &Context, space: Space, value: &str, except: u32) -> Vec<u32> {
        let hash = stored_hash(key_hash(space, value));
        let bucket = self.bucket(hash);
        let start = bucket.partition_point(|e| e.hash() < hash);
        let normalized = lower(value);
        bucket[start..]
            .iter()
            .take_while(|e| e.hash() == hash)
            .filter(|e| {
                e.row != except
                    && e.source().space() == space
                    && normalized_value(ctx, e).as_deref() == Some(normalized.as_ref())
            })
            .map(|e| e.row)
            .collect()
    }
}

fn lower(value: &str) -> Cow<'_, str> {
    if value.bytes().any(|b| b.is_ascii_uppercase()) || !value.is_ascii() {
        Cow::Owned(value.to_lowercase())
    } else {
        Cow::Borrowed(value)
    }
}

/// Hash of a value's normalized (lower-case) form in a space, without allocating for ASCII.
pub fn key_hash(space: Space, value: &str) -> u64 {
    let mut h = FxHasher::default();
    h.write_u8(space as u8);
    let mut buf = [0u8; 64];
    let lowered;
    let bytes = if value.is_ascii() {
        value.as_bytes()
    } else {
        lowered = value.to_lowercase();
        lowered.as_bytes()
    };
    for chunk in bytes.chunks(64) {
        let b = &mut buf[..chunk.len()];
        lowercase_into(chunk, b);
        h.write(b);
    }
    h.finish()
}

/// `dst` = `src` with ASCII letters lowered (same length), in one pass that the compiler
/// vectorizes: copying a value and then `make_ascii_lowercase` on the copy made two. Callgrind,
/// 200k field-shaped objects (982k values), `entries_of`: 406M instructions with the copy,
/// 387M with this loop, 450M with a hand-written eight-bytes-a-word lowering.
fn lowercase_into(src: &[u8], dst: &mut [u8]) {
    for (d, s) in dst.iter_mut().zip(src) {
        *d = s.to_ascii_lowercase();
    }
}

/// Whether equal proxyAddresses values of this type on two objects compete. Entra's proxy
/// calculation discards the legacy types (X400, MSMAIL, CCMAIL; SL405) before anything is
/// compared, so under `--profile entra` two such values never meet in the tenant, and an X400
/// address is built from a person's name, so namesakes commonly share one. IdFix compares
/// every value, and so does `--profile idfix-dedicated`.
fn competes(profile: Profile, prefix: &str) -> bool {
    profile != Profile::Entra || !is_legacy_type(prefix)
}

/// Whether an SMTP proxyAddresses value competes for its address. The proxy calculation also
/// discards on-premises addresses in Microsoft's namespaces (all but the coexistence domain;
/// SL404) and adds the tenant's own, so under `--profile entra` two objects holding
/// `smtp:x@contoso.onmicrosoft.com` never meet either: each loses the value, which SL404
/// reports. Compared, they were SL803 errors ("keep on one holder") while SL404's REMOVE, which
/// `fix` rightly accepts, takes the value from every holder.
fn smtp_proxy_competes(profile: Profile, address: &str) -> bool {
    profile != Profile::Entra || !is_discarded_address(address)
}

/// The space and the comparable part of a value of `attribute` (a proxy's address without
/// `smtp:`), or `None` for values that need not be unique under `profile`.
pub fn key_of<'a>(profile: Profile, attribute: &str, value: &'a str) -> Option<(Space, &'a str)> {
    match attribute {
        "userPrincipalName" | "mail" => Some((Space::Address, value)),
        "proxyAddresses" | "targetAddress" => match parse(value) {
            Some((prefix, address)) if is_smtp(prefix) => {
                let kept = attribute == "targetAddress" || smtp_proxy_competes(profile, address);
                kept.then_some((Space::Address, address))
            }
            Some((prefix, _)) if attribute == "targetAddress" || competes(profile, prefix) => {
                Some((Space::Proxy, value))
            }
            _ => None,
        },
        "mailNickname" => Some((Space::Nickname, value)),
        _ => None,
    }
}

/// The raw value behind an entry.
fn raw_value<'a>(ctx: &'a Context, e: &Entry) -> Option<Cow<'a, str>> {
    let row = e.row as usize;
    let dir = ctx.dir;
    Some(match e.source() {
        Source::Upn => Cow::Borrowed(dir.text(Attr::UserPrincipalName, row)?),
        Source::DerivedUpn => Cow::Owned(derived_upn(ctx, row)?),
        Source::Mail => Cow::Borrowed(dir.text(Attr::Mail, row)?),
        Source::SmtpProxy | Source::OtherProxy => {
            Cow::Borrowed(dir.proxy_addresses.get(row).nth(e.index() as usize)?)
        }
        Source::TargetSmtp | Source::TargetOther => {
            Cow::Borrowed(dir.text(Attr::TargetAddress, row)?)
        }
        Source::Nickname => Cow::Borrowed(dir.text(Attr::MailNickname, row)?),
        Source::Sam => Cow::Borrowed(dir.text(Attr::SamAccountName, row)?),
    })
}

/// The comparable form: lower case, without the smtp: prefix.
fn normalized_value(ctx: &Context, e: &Entry) -> Option<String> {
    let raw = raw_value(ctx, e)?;
    Some(comparable(e.source(), &raw).to_ascii_lowercase())
}

fn derived_upn(ctx: &Context, row: usize) -> Option<String> {
    let sam = ctx.dir.text(Attr::SamAccountName, row)?;
    Some(format!("{sam}@{}", dns_domain(ctx.dir.dn.get(row)?)?))
}

fn is_user(kind: ObjectKind) -> bool {
    matches!(kind, ObjectKind::User | ObjectKind::InetOrgPerson)
}

/// Hands each unique value of `row` to `out`, as an entry.
fn entries_of(ctx: &Context, row: usize, out: &mut impl FnMut(Entry)) {
    let dir = ctx.dir;
    let profile = ctx.options.profile;
    let r = row as u32;
    let mut push = |source: Source, value: &str, index: usize| {
        let Ok(index) = u16::try_from(index) else {
            return;
        };
        if !value.is_empty() {
            out(Entry::new(
                key_hash(source.space(), value),
                r,
                index,
                source,
            ));
        }
    };
    let upn = dir.text(Attr::UserPrincipalName, row);
    if is_user(dir.kind[row]) {
        match upn {
            Some(upn) => push(Source::Upn, upn, 0),
            None => {
                if let Some(derived) = derived_upn(ctx, row) {
                    push(Source::DerivedUpn, &derived, 0);
                }
            }
        }
    }
    if let Some(mail) = dir.text(Attr::Mail, row) {
        push(Source::Mail, mail, 0);
    }
    for (i, value) in dir.proxy_addresses.get(row).enumerate() {
        match parse(value) {
            Some((prefix, address)) if is_smtp(prefix) && smtp_proxy_competes(profile, address) => {
                push(Source::SmtpProxy, address, i)
            }
            Some((prefix, _)) if !is_smtp(prefix) && competes(profile, prefix) => {
                push(Source::OtherProxy, value, i)
            }
            _ => {}
        }
    }
    if let Some(target) = dir.text(Attr::TargetAddress, row) {
        match parse(target) {
            Some((prefix, address)) if is_smtp(prefix) => push(Source::TargetSmtp, address, 0),
            _ => push(Source::TargetOther, target, 0),
        }
    }
    if let Some(alias) = dir.text(Attr::MailNickname, row) {
        push(Source::Nickname, alias, 0);
    }
    if upn.is_none() {
        if let Some(sam) = dir.text(Attr::SamAccountName, row) {
            push(Source::Sam, sam, 0);
        }
    }
}

/// Finds every duplicate and collision group. Returns the findings (in chunks, in order; each
/// group's members adjacent), the groups' holders (by the findings' `group`), the value index, and the counts
/// for the summary.
pub fn check(ctx: &Context) -> (Vec<Vec<Finding>>, Groups, Index, Summary) {
    // The rows' list (8 bytes an object) goes as soon as their entries are made: the groups'
    // verification and the suggestions' re-check after it, where the 1M field shape's run
    // peaks, no longer hold it.
    let entries = {
        let rows: Vec<usize> = (0..ctx.dir.len())
            .filter(|r| ctx.scope.in_scope(*r))
            .collect();
        entries_for(ctx, &rows)
    };
    check_entries(ctx, entries)
}

/// Every unique value of the objects `rows`, in no particular order.
///
/// Written in parallel into one vector, each block of rows into its own stretch of it (sized
/// by [`entries_bound`]), then closed up. Gathered block by block into vectors of their own
/// and then copied into one, the entries were held twice for a moment (the blocks' memory
/// stays with the allocator once freed): at the 1M field shape that moment was the run's peak,
/// 726-736 MiB against 661-671 MiB just after it.
pub fn entries_for(ctx: &Context, rows: &[usize]) -> Vec<Entry> {
    entries_in_blocks(ctx, rows, 8192)
}

/// [`entries_for`], `block` rows at a time.
fn entries_in_blocks(ctx: &Context, rows: &[usize], block: usize) -> Vec<Entry> {
    let bounds: Vec<usize> = rows
        .par_chunks(block)
        .map(|part| part.iter().map(|&row| entries_bound(ctx, row)).sum())
        .collect();
    let mut entries: Vec<Entry> = Vec::new();
    entries.par_extend(rayon::iter::repeat_n(Entry::UNSET, bounds.iter().sum()));
    let mut stretches = Vec::with_capacity(bounds.len());
    let mut rest = entries.as_mut_slice();
    for &bound in &bounds {
        let (stretch, after) = rest.split_at_mut(bound);
        stretches.push(stretch);
        rest = after;
    }
    // Each block's count, and what did not fit its stretch (nothing, as the bound is an upper
    // one; kept so that a wrong bound could cost memory, never values).
    let written: Vec<(usize, Vec<Entry>)> = rows
        .par_chunks(block)
        .zip(stretches)
        .map(|(part, stretch)| {
            let mut n = 0;
            let mut beyond = Vec::new();
            for &row in part {
                entries_of(ctx, row, &mut |entry| match stretch.get_mut(n) {
                    Some(slot) => {
                        *slot = entry;
                        n += 1;
                    }
                    None => beyond.push(entry),
                });
            }
            (n, beyond)
        })
        .collect();
    let mut end = 0;
    let mut start = 0;
    for (&bound, (n, _)) in bounds.iter().zip(&written) {
        entries.copy_within(start..start + n, end);
        end += n;
        start += bound;
    }
    entries.truncate(end);
    for (_, beyond) in written {
        entries.extend_from_slice(&beyond);
    }
    entries.shrink_to_fit();
    entries
}

/// At least as many entries as [`entries_of`] gives `row`, without computing them: one for
/// each single-valued attribute it may take, one for each proxy address. (Counting only the
/// proxy addresses that make an entry, as `entries_of` does, made the bound exact at the 1M
/// field shape, 600,000 slots and 1.3 MB less at the peak, for 0.5 % more instructions: not
/// kept.)
fn entries_bound(ctx: &Context, row: usize) -> usize {
    let dir = ctx.dir;
    let has = |attr| usize::from(dir.text(attr, row).is_some());
    let upn = dir.text(Attr::UserPrincipalName, row).is_some();
    usize::from(upn || is_user(dir.kind[row]))
        + has(Attr::Mail)
        + dir.proxy_addresses.value_count(row)
        + has(Attr::TargetAddress)
        + has(Attr::MailNickname)
        + usize::from(!upn && dir.text(Attr::SamAccountName, row).is_some())
}

/// The value index of the objects in scope (what [`check`] returns), without the groups.
pub fn index(ctx: &Context) -> Index {
    let rows: Vec<usize> = (0..ctx.dir.len())
        .filter(|r| ctx.scope.in_scope(*r))
        .collect();
    let mut entries = entries_for(ctx, &rows);
    entries.par_sort_unstable_by_key(|e| e.key());
    Index::new(entries)
}

/// [`check`] over the objects `rows` only (all in scope): a group is complete when every
/// object in scope holding its value is among them.
/// The findings come in chunks, in order: one vector of them all would be filled while each
/// group's own still held theirs (about 30 MB more at the 1M field shape's peak).
pub fn check_rows(ctx: &Context, rows: &[usize]) -> (Vec<Vec<Finding>>, Groups, Index, Summary) {
    check_entries(ctx, entries_for(ctx, rows))
}

/// [`check_rows`] with the rows' entries made.
fn check_entries(
    ctx: &Context,
    mut entries: Vec<Entry>,
) -> (Vec<Vec<Finding>>, Groups, Index, Summary) {
    entries.par_sort_unstable_by_key(|e| e.key());

    // Runs of equal hash held by two or more rows are the candidates; most values are unique.
    let mut runs = Vec::new();
    let mut start = 0;
    while start < entries.len() {
        let first = entries[start];
        let mut end = start + 1;
        let mut rows_differ = false;
        while end < entries.len() && entries[end].hash() == first.hash() {
            rows_differ |= entries[end].row != first.row;
            end += 1;
        }
        if rows_differ {
            runs.push(start..end);
        }
        start = end;
    }
    // From here values are looked up by hash order, at random rows.
    ctx.dir.expect_random_access(true);
    // Each run is verified and its groups' findings written in parallel (what a run's
    // verification holds is dropped run by run); numbering the groups and counting them stays
    // in order.
    // Written one group at a time after the verification, the findings of the 1M field
    // shape's 576 groups of a thousand X.400 holders (when the entra profile still compared
    // them) took 0.65 s on one core.
    let reported: Vec<Vec<Reported>> = runs
        .par_iter()
        .map(|run| {
            verified_groups(ctx, &entries[run.clone()])
                .iter()
                .map(|group| report_group(ctx, group))
                .collect()
        })
        .collect();

    let mut summary = Summary::default();
    for key in SUMMARY_KEYS {
        summary.duplicates.insert(key, GroupCount::default());
    }
    let mut objects: BTreeMap<&'static str, Vec<u32>> = BTreeMap::new();
    let mut collision_objects = Vec::new();
    let mut findings: Vec<Vec<Finding>> = Vec::new();
    let mut chunk: Vec<Finding> = Vec::new();
    let mut holders = Groups::default();
    for group in reported.into_iter().flatten() {
        for (key, rows) in group.duplicated {
            if let Some(count) = summary.duplicates.get_mut(key) {
                count.groups += 1;
            }
            objects.entry(key).or_default().extend(rows);
        }
        if let Some(rows) = group.collision_rows {
            summary.collisions.groups += 1;
            collision_objects.extend(rows);
        }
        let id = holders.push(&group.holders);
        let mut found = group.findings;
        for finding in &mut found {
            finding.set_group(id);
        }
        if found.len() >= OWN_CHUNK {
            // A big group's findings stay in their vector: copied into a chunk, the 1M field
            // shape's X.400 groups (then compared under entra) were held twice while merging (30
            // MB more at the peak).
            if !chunk.is_empty() {
                findings.push(std::mem::take(&mut chunk));
            }
            findings.push(found);
        } else {
            chunk.append(&mut found);
            if chunk.len() >= FINDINGS_CHUNK {
                findings.push(std::mem::take(&mut chunk));
            }
        }
    }
    for (key, mut rows) in objects {
        rows.sort_unstable();
        rows.dedup();
        if let Some(count) = summary.duplicates.get_mut(key) {
            count.objects = rows.len() as u64;
        }
    }
    collision_objects.sort_unstable();
    collision_objects.dedup();
    summary.collisions.objects = collision_objects.len() as u64;
    ctx.dir.expect_random_access(false);
    findings.push(chunk);
    (findings, holders, Index::new(entries), summary)
}

/// Findings per chunk returned by [`check_rows`] (at least), gathered from small groups.
const FINDINGS_CHUNK: usize = 65_536;

/// A group with this many findings or more is a chunk of its own.
const OWN_CHUNK: usize = 1024;

/// An entry of a run being verified: its value as the object holds it, and the comparable
/// form.
struct Keyed<'a> {
    entry: Entry,
    raw: Cow<'a, str>,
    /// The comparable part ([`comparable`]), compared with ASCII case folded.
    key: Cow<'a, str>,
}

impl<'a> Keyed<'a> {
    fn of(ctx: &'a Context, entry: Entry) -> Option<Keyed<'a>> {
        let raw = raw_value(ctx, &entry)?;
        let key = match &raw {
            Cow::Borrowed(raw) => comparable(entry.source(), raw),
            Cow::Owned(raw) => Cow::Owned(comparable(entry.source(), raw).into_owned()),
        };
        Some(Keyed { entry, raw, key })
    }

    fn space_name(&self) -> &'static str {
        match self.entry.source().space() {
            Space::Address => "Address",
            Space::Proxy => "Proxy",
            Space::Nickname => "Nickname",
            Space::Sam => "Sam",
        }
    }

    /// Same space and value (case-insensitive).
    fn same(&self, other: &Keyed) -> bool {
        self.entry.source().space() == other.entry.source().space()
            && self.key.eq_ignore_ascii_case(&other.key)
    }

    /// The order of "{space:?}\0{lower-case value}".
    fn cmp_value(&self, other: &Keyed) -> std::cmp::Ordering {
        self.space_name()
            .cmp(other.space_name())
            .then_with(|| folded(&self.key).cmp(folded(&other.key)))
    }
}

/// A key's bytes with ASCII letters lowered.
fn folded(key: &str) -> impl Iterator<Item = u8> + '_ {
    key.bytes().map(|b| b.to_ascii_lowercase())
}

/// The part of a raw value that is compared: without the smtp: prefix, and lowered when not
/// ASCII (ASCII is compared with its case folded, without a lowered copy: lowering the field
/// shape's 600,000 X.400 addresses (then compared under entra) in the parallel verification
/// left their copies' holes between the findings, 35 MB more at the run's peak).
fn comparable(source: Source, raw: &str) -> Cow<'_, str> {
    let part = match source {
        Source::SmtpProxy | Source::TargetSmtp => parse(raw).map_or(raw, |(_, a)| a),
        _ => raw,
    };
    if part.is_ascii() {
        Cow::Borrowed(part)
    } else {
        Cow::Owned(part.to_lowercase())
    }
}

/// Splits a run of equal hashes into groups of equal normalized values held by 2+ rows.
fn verified_groups<'a>(ctx: &'a Context, run: &[Entry]) -> Vec<Vec<Keyed<'a>>> {
    let mut keyed: Vec<Keyed> = run.iter().filter_map(|e| Keyed::of(ctx, *e)).collect();
    let same = |a: &Keyed, b: &Keyed| a.same(b);
    // Keyed by the space's name, then the normalized value: the order of the groups (and so
    // of their findings) is that of the text "{space:?}\0{value}", without building it (no
    // space's name is a prefix of another's). A run is nearly always one value: then only
    // rows and sources need ordering, and a thousand equal 60-byte texts are not compared
    // again at every step of the sort.
    if keyed.iter().all(|k| same(k, &keyed[0])) {
        keyed.sort_by(|a, b| {
            (a.entry.row.cmp(&b.entry.row)).then(a.entry.source().cmp(&b.entry.source()))
        });
    } else {
        keyed.sort_by(|a, b| {
            a.cmp_value(b)
                .then(a.entry.row.cmp(&b.entry.row))
                .then(a.entry.source().cmp(&b.entry.source()))
        });
    }
    // Each group moved out of the sorted list (not copied: a value each).
    let mut out = Vec::new();
    let mut group: Vec<Keyed> = Vec::new();
    let held_by_two = |g: &[Keyed]| g.first().map(|f| f.entry.row) != g.last().map(|l| l.entry.row);
    for item in keyed {
        if group.last().is_some_and(|last| !same(last, &item)) {
            let done = std::mem::take(&mut group);
            if held_by_two(&done) {
                out.push(done);
            }
        }
        group.push(item);
    }
    if held_by_two(&group) {
        out.push(group);
    }
    out
}

fn distinct_rows(members: impl Iterator<Item = u32>) -> Vec<u32> {
    let mut rows: Vec<u32> = members.collect();
    rows.sort_unstable();
    rows.dedup();
    rows
}

/// What one group adds to the results; numbered and counted in group order by [`check_rows`].
struct Reported {
    /// Every holder with the attributes through which it holds the value, in row order.
    holders: Vec<Holder>,
    /// Its findings, without their group number yet.
    findings: Vec<Finding>,
    /// The summary keys in which two or more objects hold the value, with those objects.
    duplicated: Vec<(&'static str, Vec<u32>)>,
    /// Its objects, if the value collides across attributes.
    collision_rows: Option<Vec<u32>>,
}

fn report_group(ctx: &Context, group: &[Keyed]) -> Reported {
    let dir = ctx.dir;
    let rows = distinct_rows(group.iter().map(|k| k.entry.row));
    let mut keys: Vec<&'static str> = group
        .iter()
        .map(|k| k.entry.source().summary_key())
        .collect();
    keys.sort_unstable();
    keys.dedup();
    let mut duplicated = Vec::new();
    for key in &keys {
        let holders = distinct_rows(
            group
                .iter()
                .filter(|k| k.entry.source().summary_key() == *key)
                .map(|k| k.entry.row),
        );
        if holders.len() >= 2 {
            duplicated.push((*key, holders));
        }
    }
    let space = group[0].entry.source().space();
    let collision = matches!(space, Space::Address | Space::Proxy) && keys.len() >= 2;
    let kinds: Vec<ObjectKind> = rows.iter().map(|r| dir.kind[*r as usize]).collect();
    let mismatch = space == Space::Address
        && kinds.iter().any(|k| is_user(*k))
        && kinds
            .iter()
            .any(|k| matches!(k, ObjectKind::Group | ObjectKind::Contact));
    let involves_upn = group
        .iter()
        .any(|k| matches!(k.entry.source(), Source::Upn | Source::DerivedUpn));

    // Every holder with the attributes through which it holds the value, in row order (the
    // group is sorted by row).
    let mut holders: Vec<Holder> = Vec::with_capacity(rows.len());
    for k in group {
        let e = &k.entry;
        if holders.last().is_none_or(|h| h.row != e.row) {
            holders.push(Holder::new(e.row));
        }
        if let Some(holder) = holders.last_mut() {
            holder.add(e.source().attribute());
            holder.derived_upn |= e.source() == Source::DerivedUpn;
        }
    }

    // At most one finding an entry: grown by doubling, the slack of 576 groups of a thousand
    // (the 1M field shape) was 30 MB at the peak.
    let mut findings = Vec::with_capacity(group.len());
    for k in group {
        let entry = &k.entry;
        // One row per object, attribute and value: a value both duplicated within its
        // attribute and colliding across attributes is one finding, under the worse rule (the
        // duplicate on a tie); a type mismatch says it all.
        let rule: &'static Rule = if mismatch {
            &TYPE_MISMATCH
        } else {
            let duplicate = duplicated
                .iter()
                .any(|(key, _)| *key == entry.source().summary_key())
                .then(|| entry.source().duplicate_rule());
            let crossing = collision.then_some(if involves_upn {
                &UPN_COLLISION
            } else {
                &ADDRESS_COLLISION
            });
            match (duplicate, crossing) {
                (Some(d), Some(c)) if c.severity > d.severity => c,
                (Some(d), _) => d,
                (None, Some(c)) => c,
                (None, None) => continue,
            }
        };
        let value = &k.raw;
        // Its note, "also held by …", is written from the groups when an output shows it;
        // its group number is given when the groups are numbered.
        let mut finding = Finding::new(rule, entry.row as usize, entry.source().attribute(), value);
        if entry.source() == Source::SmtpProxy
            && value.starts_with("smtp:")
            && rule.class == Class::Duplicate
        {
            finding.action = Action::Remove;
        }
        ctx.report(&mut findings, finding);
    }
    Reported {
        holders,
        findings,
        duplicated,
        collision_rows: collision.then_some(rows),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::RuleOptions;

    /// The one-pass lowering equals `make_ascii_lowercase` for every byte value, at
    /// every place of every length a chunk can have, next to multi-byte UTF-8 text.
    #[test]
    fn lowering_in_one_pass_matches_make_ascii_lowercase() {
        for len in 0..=64usize {
            for at in 0..len {
                for b in 0..=255u8 {
                    let mut src: Vec<u8> =
                        "Ä@Contoso.COM/ÉxyZ-[`{".bytes().cycle().take(len).collect();
                    src[at] = b;
                    let mut expected = src.clone();
                    expected.make_ascii_lowercase();
                    let mut got = vec![0u8; len];
                    lowercase_into(&src, &mut got);
                    assert_eq!(got, expected, "len {len} at {at} byte {b}");
                }
            }
        }
    }

    /// An entry gives back what it was made of, its hash cut to the bits it keeps.
    #[test]
    fn entries_keep_source_place_and_hash() {
        for (i, source) in Source::ALL.iter().enumerate() {
            assert_eq!(*source as usize, i);
            let hash = 0x0123_4567_89ab_cdef_u64.rotate_left(i as u32 * 7);
            let e = Entry::new(hash, 7 + i as u32, 65_535 - i as u16, *source);
            assert_eq!(e.source(), *source);
            assert_eq!(e.index(), 65_535 - i as u16);
            assert_eq!(e.row, 7 + i as u32);
            assert_eq!(e.hash(), stored_hash(hash));
            assert_eq!(e.hash() >> 24, hash >> 24);
        }
        assert_eq!(std::mem::size_of::<Entry>(), 12);
    }

    /// Three users: two hold the same UPN and the same proxy address (in different case),
    /// the third other values.
    fn three_users() -> crate::ingest::Ingest {
        let mut text = String::new();
        for (cn, upn, smtp) in [
            ("A", "same@contoso.com", "SMTP:Shared@contoso.com"),
            ("B", "SAME@contoso.com", "smtp:shared@Contoso.com"),
            ("C", "other@contoso.com", "SMTP:c@contoso.com"),
        ] {
            text.push_str(&format!(
                "dn: CN={cn},OU=Staff,DC=contoso,DC=com\nobjectClass: user\n\
                 userPrincipalName: {upn}\nproxyAddresses: {smtp}\n\
                 proxyAddresses: X500:/o=Contoso/cn={cn}\nsAMAccountName: {cn}\n"
            ));
            // An X.400 address, which competes with nothing under entra: a place to spare
            // in the row's stretch.
            if cn != "B" {
                text.push_str("proxyAddresses: X400:c=US;a= ;p=Contoso;o=Exchange;s=A;\n");
            }
            text.push('\n');
        }
        crate::ingest::read_ldif_text(&text)
    }

    /// Runs `test` with the rules' context over [`three_users`] (entra profile, all in scope).
    fn with_three_users(test: impl FnOnce(Context)) {
        let ingest = three_users();
        let dir = &ingest.directory;
        let options = RuleOptions::default();
        let scope = crate::scope::decide(dir, &Default::default(), options.profile);
        test(Context {
            dir,
            scope: &scope,
            options: &options,
        });
    }

    /// Written in place, the entries are those each row gives, one for one, however the rows
    /// are cut into blocks (each block's stretch has room to spare for the X.400 addresses).
    #[test]
    fn entries_in_place_are_each_rows_entries() {
        with_three_users(|ctx| {
            let rows: Vec<usize> = (0..ctx.dir.len()).collect();
            let mut expected = Vec::new();
            for &row in &rows {
                let before = expected.len();
                entries_of(&ctx, row, &mut |e| expected.push(e));
                assert!(
                    entries_bound(&ctx, row) >= expected.len() - before,
                    "row {row}"
                );
            }
            let keys = |v: &[Entry]| {
                let mut k: Vec<(u64, u32)> = v.iter().map(|e| (e.key(), e.row)).collect();
                k.sort_unstable();
                k
            };
            // UPN, SMTP and X500 proxies of three users (sAMAccountName only without a UPN).
            assert_eq!(expected.len(), 9);
            for block in [1, 2, 3, 8192] {
                let got = entries_in_blocks(&ctx, &rows, block);
                assert_eq!(keys(&got), keys(&expected), "blocks of {block}");
            }
        });
    }

    /// Two different values whose kept hashes are equal are no group: the values are compared.
    #[test]
    fn equal_kept_hashes_of_different_values_are_no_group() {
        with_three_users(|ctx| {
            // Every UPN with one hash: A's and B's are one value, C's another.
            let run: Vec<Entry> = (0..3)
                .map(|row| Entry::new(42 << 40, row, 0, Source::Upn))
                .collect();
            let groups = verified_groups(&ctx, &run);
            assert_eq!(groups.len(), 1);
            let rows: Vec<u32> = groups[0].iter().map(|k| k.entry.row).collect();
            assert_eq!(rows, [0, 1]);
        });
    }

    /// The key of a value is that of its lower-case form, in chunks of 64 bytes as before:
    /// the findings' order follows these hashes.
    #[test]
    fn key_hash_is_the_hash_of_the_lowered_value() {
        let long =
            "Elizabeth.Rossi.With.A.Very.Long.Local.Part.Of.More.Than.Sixty.Four.Bytes@Contoso.COM";
        for value in [
            "",
            "a",
            "SMTP",
            "John.Doe@Contoso.com",
            long,
            "Ärger@Straße.DE",
        ] {
            let lowered = value.to_lowercase();
            let mut h = FxHasher::default();
            h.write_u8(Space::Address as u8);
            for chunk in lowered.as_bytes().chunks(64) {
                h.write(chunk);
            }
            assert_eq!(key_hash(Space::Address, value), h.finish(), "{value}");
            assert_eq!(
                key_hash(Space::Address, value),
                key_hash(Space::Address, &lowered)
            );
        }
    }
}
