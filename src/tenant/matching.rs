//! What Entra does with each in-scope on-premises object when it meets the tenant's objects
//! (Entra Connect and Cloud Sync alike: matching is the service's): hard match on the source
//! anchor (immutableId), else soft match on the primary SMTP address, then on the UPN
//! (SoftMatchOnUpnEnabled), unless BlockSoftMatchEnabled; the conflicts Entra raises instead
//! (InvalidHardMatch, the July 2026 hardening, InvalidSoftMatch, ObjectTypeMismatch, the
//! admin role conflict, AttributeValueMustBeUnique with its placeholder UPN); two on-premises
//! objects claiming one cloud object.
//!
//! The tenant's objects are indexed once in hash maps (anchor bytes; case-folded UPN; every
//! SMTP address, with its holders), and each on-premises object costs a few lookups of
//! hashes computed from its columns without allocating: 1,000,000 on-premises and 300,000
//! tenant objects are matched in the time docs/performance.md gives.
//!
//! A property no input carried makes the outcome that needs it "unknown" for that check: the
//! prediction names it in [`ObjectPrediction::depends`] instead of assuming a value.

use super::{immutable_id_text, CloudKind, CloudObject, Property, Tenant};
use crate::directory::{Attr, Directory, ObjectKind};
use crate::domain::is_discarded_address;
use crate::scope::Scope;
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet, FxHasher};
use std::collections::BTreeMap;
use std::hash::Hasher;

/// The predicted outcome for one on-premises object.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// No tenant object matches: a new cloud object.
    Created,
    /// The source anchor equals a tenant object's onPremisesImmutableId: they are joined and
    /// on-premises values overwrite the cloud ones.
    HardMatched,
    /// A cloud-managed object holds the primary SMTP address: it is taken over.
    SoftMatchedSmtp,
    /// A cloud-managed user holds the UPN: it is taken over.
    SoftMatchedUpn,
    /// The hard match would take over a cloud-managed object while
    /// BlockCloudObjectTakeoverThroughHardMatchEnabled is on.
    InvalidHardMatch,
    /// The cloud object's onPremisesObjectIdentifier is mapped to another on-premises object
    /// (July 2026 hardening).
    HardMatchBlocked,
    /// The soft-match candidate already carries another immutableId (it is synced).
    InvalidSoftMatch,
    /// The address is held by a cloud object of another type (a group, a contact).
    ObjectTypeMismatch,
    /// The soft-match candidate holds a directory role.
    AdminRoleConflict,
    /// The UPN or an SMTP address is held by a tenant object that will not match: the value
    /// is quarantined (the UPN replaced by a placeholder).
    AttributeValueMustBeUnique,
    /// Another tenant object carries this objectSid as onPremisesSecurityIdentifier.
    DuplicateSid,
    /// Another on-premises object matches the same cloud object.
    SameCloudObject,
}

impl Outcome {
    pub const ALL: [Outcome; 12] = [
        Outcome::Created,
        Outcome::HardMatched,
        Outcome::SoftMatchedSmtp,
        Outcome::SoftMatchedUpn,
        Outcome::InvalidHardMatch,
        Outcome::HardMatchBlocked,
        Outcome::InvalidSoftMatch,
        Outcome::ObjectTypeMismatch,
        Outcome::AdminRoleConflict,
        Outcome::AttributeValueMustBeUnique,
        Outcome::DuplicateSid,
        Outcome::SameCloudObject,
    ];

    /// The name the JSON, CSV and truth files use.
    pub fn name(self) -> &'static str {
        match self {
            Outcome::Created => "created",
            Outcome::HardMatched => "hard-matched",
            Outcome::SoftMatchedSmtp => "soft-matched-smtp",
            Outcome::SoftMatchedUpn => "soft-matched-upn",
            Outcome::InvalidHardMatch => "invalid-hard-match",
            Outcome::HardMatchBlocked => "hard-match-blocked",
            Outcome::InvalidSoftMatch => "invalid-soft-match",
            Outcome::ObjectTypeMismatch => "object-type-mismatch",
            Outcome::AdminRoleConflict => "admin-role-conflict",
            Outcome::AttributeValueMustBeUnique => "attribute-value-must-be-unique",
            Outcome::DuplicateSid => "duplicate-sid",
            Outcome::SameCloudObject => "same-cloud-object",
        }
    }

    pub fn of_name(name: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| o.name() == name)
    }

    /// What Entra will do, in words.
    pub fn entra_does(self) -> &'static str {
        match self {
            Outcome::Created => "creates a new object",
            Outcome::HardMatched => "joins the cloud object (hard match); on-premises values overwrite the cloud ones",
            Outcome::SoftMatchedSmtp | Outcome::SoftMatchedUpn => "takes over the cloud-only object (soft match): it becomes synchronized, on-premises values overwrite the cloud ones (mailbox and licences stay)",
            Outcome::InvalidHardMatch => "refuses the hard match: InvalidHardMatch (BlockCloudObjectTakeoverThroughHardMatchEnabled)",
            Outcome::HardMatchBlocked => "refuses: \"Hard match operation blocked due to security hardening. Review OnPremisesObjectIdentifier mapping.\"",
            Outcome::InvalidSoftMatch => "refuses the soft match: InvalidSoftMatch (the cloud object already has another immutableId)",
            Outcome::ObjectTypeMismatch => "refuses: ObjectTypeMismatch (the cloud object is of another type)",
            Outcome::AdminRoleConflict => "refuses the soft match: Existing Admin Role Conflict",
            Outcome::AttributeValueMustBeUnique => "creates the object with the value quarantined: AttributeValueMustBeUnique (a UPN gets the placeholder)",
            Outcome::DuplicateSid => "refuses the object: AttributeValueMustBeUnique, AttributeConflictName OnPremiseSecurityIdentifier (the SID is already held)",
            Outcome::SameCloudObject => "matches only the first to sync; the others fail (InvalidSoftMatch or AttributeValueMustBeUnique)",
        }
    }

    /// What to do before syncing.
    pub fn to_do(self) -> &'static str {
        match self {
            Outcome::Created => "nothing",
            Outcome::HardMatched => "confirm the cloud object is this person's; its cloud-only values (phone, title, addresses) will be overwritten",
            Outcome::SoftMatchedSmtp | Outcome::SoftMatchedUpn => "confirm the cloud-only object is this person's (else change the address or UPN on one side); its cloud values will be overwritten",
            Outcome::InvalidHardMatch => "if the takeover is wanted, turn BlockCloudObjectTakeoverThroughHardMatchEnabled off for the first sync and back on; else clear the cloud object's onPremisesImmutableId or delete it",
            Outcome::HardMatchBlocked => "if this object really replaces the mapped one (forest move, rebuilt user), clear onPremisesObjectIdentifier on the cloud object (beta Graph, set to null) before syncing",
            Outcome::InvalidSoftMatch => "set this object's ms-DS-ConsistencyGuid to the cloud object's immutableId (hard match), or change the address or UPN on one side",
            Outcome::ObjectTypeMismatch => "remove the address from the cloud group or contact, or from this object",
            Outcome::AdminRoleConflict => "remove the directory role from the cloud user before the first sync (add it back afterwards), or hard-match it",
            Outcome::AttributeValueMustBeUnique => "remove the value from one of the two objects, or make them one (hard match)",
            Outcome::DuplicateSid => "if both are the same account, stamp this object's ms-DS-ConsistencyGuid with the cloud object's immutableId (hard match); if not (a DC restored from backup reissued the RID), find which owns the SID and delete the stale cloud object",
            Outcome::SameCloudObject => "keep one on-premises object per cloud object: change the UPN or address of the others",
        }
    }
}

/// By what an object matched (or collided).
#[derive(Copy, Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MatchedBy {
    ImmutableId,
    PrimarySmtp,
    UserPrincipalName,
    ProxyAddress,
    SecurityIdentifier,
}

impl MatchedBy {
    pub fn name(self) -> &'static str {
        match self {
            MatchedBy::ImmutableId => "onPremisesImmutableId",
            MatchedBy::PrimarySmtp => "primary SMTP address",
            MatchedBy::UserPrincipalName => "userPrincipalName",
            MatchedBy::ProxyAddress => "proxyAddresses",
            MatchedBy::SecurityIdentifier => "onPremisesSecurityIdentifier",
        }
    }
}

/// The prediction for one object with an outcome other than [`Outcome::Created`] (or a
/// created object whose outcome depends on something unknown).
#[derive(Clone, Debug)]
pub struct ObjectPrediction {
    pub row: u32,
    pub outcome: Outcome,
    /// The tenant object (index into [`Tenant::objects`]).
    pub target: Option<u32>,
    pub by: Option<MatchedBy>,
    /// The value matched or in conflict (the anchor, the address, the UPN).
    pub value: String,
    /// For a quarantined UPN: the placeholder Entra gives.
    pub placeholder: Option<String>,
    /// What the outcome assumes because no input said (a feature flag, a property).
    pub depends: Vec<String>,
    /// For [`Outcome::SameCloudObject`]: the other on-premises objects.
    pub others: Vec<u32>,
}

/// In-scope objects plus the tenant's against the directory quota.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Capacity {
    /// 50,000 or 300,000; `None` without a domain input (unknown).
    pub quota: Option<u64>,
    /// Tenant objects in the inputs (users, groups, contacts).
    pub existing: u64,
    /// In-scope objects that will be new cloud objects.
    pub new: u64,
    pub total: u64,
    /// Whether `total` is above the quota (`None`: unknown).
    pub over_quota: Option<bool>,
}

/// The whole prediction.
#[derive(Clone, Debug)]
pub struct Prediction {
    /// Objects with a non-trivial outcome, in row order.
    pub objects: Vec<ObjectPrediction>,
    /// Every in-scope object that syncs as a user, group or contact, by outcome (all outcomes,
    /// zeros included).
    pub counts: BTreeMap<&'static str, u64>,
    /// What could not be checked, and why.
    pub not_checked: Vec<String>,
    pub capacity: Capacity,
    pub time: std::time::Duration,
}

/// A case-insensitive hash of an address or UPN: ASCII folded byte by byte; other text
/// folded with Unicode lower case (no allocation for ASCII).
fn fold_hash(s: &str) -> u64 {
    let mut h = FxHasher::default();
    if s.is_ascii() {
        for chunk in s.as_bytes().chunks(8) {
            let mut word = [0u8; 8];
            for (w, b) in word.iter_mut().zip(chunk) {
                *w = b.to_ascii_lowercase();
            }
            h.write_u64(u64::from_le_bytes(word));
        }
        h.write_usize(s.len());
    } else {
        for c in s.chars().flat_map(char::to_lowercase) {
            h.write_u32(c as u32);
        }
    }
    h.finish()
}

fn same_folded(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        a.eq_ignore_ascii_case(b)
    } else {
        a.chars()
            .flat_map(char::to_lowercase)
            .eq(b.chars().flat_map(char::to_lowercase))
    }
}

/// `SMTP:a@b` → `("SMTP", "a@b")`.
fn split_proxy(value: &str) -> Option<(&str, &str)> {
    let colon = value.find(':')?;
    Some((&value[..colon], &value[colon + 1..]))
}

fn is_smtp(prefix: &str) -> bool {
    prefix.eq_ignore_ascii_case("smtp")
}

/// Keys to their holders: a map from a key's hash to one tenant object, or (top bit set) to
/// a list in `many` for the rare key several objects hold. 16-byte entries: the map is
/// looked up a few times per on-premises object, so its size is its cost.
#[derive(Default)]
struct KeyMap {
    map: FxHashMap<u64, u32>,
    many: Vec<Vec<u32>>,
}

const MANY: u32 = 1 << 31;

impl KeyMap {
    fn with_capacity(n: usize) -> KeyMap {
        KeyMap {
            map: FxHashMap::with_capacity_and_hasher(n, Default::default()),
            many: Vec::new(),
        }
    }

    fn add(&mut self, key: u64, t: u32) {
        match self.map.entry(key) {
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(t);
            }
            std::collections::hash_map::Entry::Occupied(mut e) => {
                let v = *e.get();
                if v & MANY != 0 {
                    let list = &mut self.many[(v & !MANY) as usize];
                    if !list.contains(&t) {
                        list.push(t);
                    }
                } else if v != t {
                    self.many.push(vec![v, t]);
                    e.insert(MANY | (self.many.len() - 1) as u32);
                }
            }
        }
    }

    fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    fn get(&self, key: u64) -> &[u32] {
        match self.map.get(&key) {
            None => &[],
            Some(v) if v & MANY != 0 => &self.many[(v & !MANY) as usize],
            Some(v) => std::slice::from_ref(v),
        }
    }
}

/// A bit per hash (2^24 bits, 2 MiB): most on-premises values are in no tenant object, and
/// this answers "surely not" from a table that stays in cache, before the map is probed.
struct Filter(Vec<u64>);

const FILTER_BITS: u32 = 24;

impl Filter {
    fn new() -> Filter {
        Filter(vec![0; (1 << FILTER_BITS) / 64])
    }

    fn slot(key: u64) -> (usize, u64) {
        let bit = (key >> (64 - FILTER_BITS)) as usize;
        (bit / 64, 1 << (bit % 64))
    }

    fn add(&mut self, key: u64) {
        let (word, bit) = Filter::slot(key);
        self.0[word] |= bit;
    }

    fn may_hold(&self, key: u64) -> bool {
        let (word, bit) = Filter::slot(key);
        self.0[word] & bit != 0
    }
}

/// The tenant's objects by what matching looks them up by.
struct Index<'t> {
    tenant: &'t Tenant,
    /// Tenant objects by the bytes of their immutableId.
    anchors: FxHashMap<Box<[u8]>, u32>,
    upns: KeyMap,
    /// Every SMTP address (proxyAddresses, and mail) → its holders.
    smtp: KeyMap,
    /// onPremisesSecurityIdentifier → its holders.
    sids: KeyMap,
    /// Every key of `upns`, `smtp` and `sids`.
    filter: Filter,
    /// Tenant objects that hold a directory role.
    admins: FxHashSet<u32>,
}

/// What a key of the index is.
#[derive(Copy, Clone, PartialEq, Eq)]
enum KeyKind {
    Upn,
    Smtp,
    Sid,
}

impl<'t> Index<'t> {
    fn new(tenant: &'t Tenant) -> Index<'t> {
        let n = tenant.objects.len();
        // The keys are hashed in parallel (reading every tenant string is the cost), then
        // inserted in one pass.
        let keys: Vec<(KeyKind, u64, u32)> = tenant
            .objects
            .par_iter()
            .enumerate()
            .flat_map_iter(|(t, o)| {
                let t = t as u32;
                let upn = o.upn.as_deref().map(|u| (KeyKind::Upn, fold_hash(u), t));
                let mail = o.mail.as_deref().map(|m| (KeyKind::Smtp, fold_hash(m), t));
                let sid = o
                    .security_identifier
                    .as_deref()
                    .map(|s| (KeyKind::Sid, fold_hash(s), t));
                let proxies = o.proxies.iter().filter_map(move |p| {
                    let (prefix, address) = split_proxy(p)?;
                    is_smtp(prefix).then(|| (KeyKind::Smtp, fold_hash(address), t))
                });
                upn.into_iter().chain(mail).chain(sid).chain(proxies)
            })
            .collect();
        let mut index = Index {
            tenant,
            anchors: FxHashMap::default(),
            upns: KeyMap::with_capacity(n),
            smtp: KeyMap::with_capacity(keys.len().saturating_sub(n)),
            sids: KeyMap::default(),
            filter: Filter::new(),
            admins: FxHashSet::default(),
        };
        for (kind, key, t) in keys {
            index.filter.add(key);
            match kind {
                KeyKind::Upn => index.upns.add(key, t),
                KeyKind::Smtp => index.smtp.add(key, t),
                KeyKind::Sid => index.sids.add(key, t),
            }
        }
        for (t, o) in tenant.objects.iter().enumerate() {
            if let Some(anchor) = o.immutable_id.as_deref().and_then(super::anchor_bytes) {
                index.anchors.entry(anchor).or_insert(t as u32);
            }
        }
        if let Some(roles) = &tenant.roles {
            // Role holders are few and tenant objects many: the holders' ids are hashed, and
            // each object's id is looked up by its hash (no copy of every id).
            let wanted: FxHashSet<u64> = roles
                .iter()
                .filter_map(|h| h.id.as_deref().map(fold_hash))
                .collect();
            let mut ids: FxHashMap<u64, Vec<u32>> = FxHashMap::default();
            if !wanted.is_empty() {
                for (t, o) in tenant.objects.iter().enumerate() {
                    if let Some(id) = o.id.as_deref() {
                        let key = fold_hash(id);
                        if wanted.contains(&key) {
                            ids.entry(key).or_default().push(t as u32);
                        }
                    }
                }
            }
            let mut admins = Vec::new();
            for holder in roles {
                let by_id = holder.id.as_deref().and_then(|id| {
                    ids.get(&fold_hash(id))?.iter().copied().find(|t| {
                        tenant.objects[*t as usize]
                            .id
                            .as_deref()
                            .is_some_and(|o| o.eq_ignore_ascii_case(id))
                    })
                });
                let by_upn = holder
                    .upn
                    .as_deref()
                    .and_then(|upn| index.upn_holders(upn).next());
                admins.extend(by_id.or(by_upn));
            }
            index.admins.extend(admins);
        }
        index
    }

    fn object(&self, t: u32) -> &'t CloudObject {
        &self.tenant.objects[t as usize]
    }

    /// The holders of a key, after the filter.
    fn holders<'a>(&'a self, map: &'a KeyMap, key: u64) -> &'a [u32] {
        if self.filter.may_hold(key) {
            map.get(key)
        } else {
            &[]
        }
    }

    /// Tenant users whose UPN is `upn`.
    fn upn_holders<'a>(&'a self, upn: &'a str) -> impl Iterator<Item = u32> + 'a {
        self.holders(&self.upns, fold_hash(upn))
            .iter()
            .copied()
            .filter(move |t| {
                self.object(*t)
                    .upn
                    .as_deref()
                    .is_some_and(|u| same_folded(u, upn))
            })
    }

    /// Tenant objects whose onPremisesSecurityIdentifier is `sid`.
    fn sid_holders<'a>(&'a self, sid: &'a str) -> impl Iterator<Item = u32> + 'a {
        self.holders(&self.sids, fold_hash(sid))
            .iter()
            .copied()
            .filter(move |t| {
                self.object(*t)
                    .security_identifier
                    .as_deref()
                    .is_some_and(|s| same_folded(s.trim(), sid))
            })
    }

    /// Tenant objects holding `address` as an SMTP proxy or mail.
    fn smtp_holders<'a>(&'a self, address: &'a str) -> impl Iterator<Item = u32> + 'a {
        self.holders(&self.smtp, fold_hash(address))
            .iter()
            .copied()
            .filter(move |t| {
                let o = self.object(*t);
                o.mail.as_deref().is_some_and(|m| same_folded(m, address))
                    || o.proxies.iter().any(|p| {
                        split_proxy(p)
                            .is_some_and(|(prefix, a)| is_smtp(prefix) && same_folded(a, address))
                    })
            })
    }
}

/// The kind an on-premises object has in the cloud, if it syncs as a user, group or contact.
fn cloud_kind(kind: ObjectKind) -> Option<CloudKind> {
    match kind {
        ObjectKind::User | ObjectKind::InetOrgPerson => Some(CloudKind::User),
        ObjectKind::Group => Some(CloudKind::Group),
        ObjectKind::Contact => Some(CloudKind::Contact),
        ObjectKind::Computer | ObjectKind::Other => None,
    }
}

/// The primary SMTP address of an object, if any.
fn primary_smtp(dir: &Directory, row: usize) -> Option<&str> {
    dir.proxy_addresses
        .get(row)
        .find(|v| v.starts_with("SMTP:"))
        .map(|v| &v[5..])
}

/// Predicts the outcome of every in-scope user, group and contact against the tenant, with
/// the source anchors `engine` computes.
pub fn predict(
    dir: &Directory,
    scope: &Scope,
    tenant: &Tenant,
    engine: crate::anchor::Engine,
) -> Prediction {
    let started = std::time::Instant::now();
    let cpu_before = cpu_time();
    let index = Index::new(tenant);
    let tenant_has_sids = !index.sids.is_empty();
    let indexed = started.elapsed();
    let cpu_indexed = cpu_time();
    let features = tenant.features.as_ref();
    let block_soft = features.and_then(|f| f.block_soft_match);
    let block_takeover = features.and_then(|f| f.block_cloud_object_takeover_through_hard_match);
    let soft_upn = features.and_then(|f| f.soft_match_on_upn);
    let carried_immutable = tenant.carried(Property::ImmutableId);
    let initial = tenant.initial_domain();
    let rows: Vec<usize> = (0..dir.len()).filter(|r| scope.in_scope(*r)).collect();
    let per_chunk: Vec<(Vec<ObjectPrediction>, [u64; Outcome::ALL.len()])> = rows
        .par_chunks(8192)
        .map(|chunk| {
            let mut out = Vec::new();
            let mut counts = [0u64; Outcome::ALL.len()];
            for &row in chunk {
                let Some(kind) = cloud_kind(dir.kind[row]) else {
                    continue;
                };
                let p = predict_one(
                    dir,
                    row,
                    kind,
                    &index,
                    Flags {
                        block_soft,
                        block_takeover,
                        soft_upn,
                        features_given: features.is_some(),
                        carried_immutable,
                        initial,
                        engine,
                    },
                );
                let p = with_sid_conflict(dir, row, &index, p);
                counts[p.as_ref().map_or(0, |p| outcome_index(p.outcome))] += 1;
                if let Some(p) = p {
                    out.push(p);
                }
            }
            (out, counts)
        })
        .collect();
    let mut objects = Vec::new();
    let mut counts = [0u64; Outcome::ALL.len()];
    for (chunk, c) in per_chunk {
        objects.extend(chunk);
        for (t, n) in counts.iter_mut().zip(c) {
            *t += n;
        }
    }
    if std::env::var_os("SYNCLINT_TENANT_TIMES").is_some() {
        let cpu = |a: Option<std::time::Duration>, b: Option<std::time::Duration>| {
            a.zip(b).map(|(a, b)| b.saturating_sub(a))
        };
        eprintln!(
            "tenant: index {indexed:?} wall, {:?} CPU; rows {:?} wall, {:?} CPU",
            cpu(cpu_before, cpu_indexed),
            started.elapsed() - indexed,
            cpu(cpu_indexed, cpu_time())
        );
    }
    // Two on-premises objects matching one cloud object: every claimant is reported.
    let mut claims: FxHashMap<u32, Vec<usize>> = FxHashMap::default();
    for (i, p) in objects.iter().enumerate() {
        if matches!(
            p.outcome,
            Outcome::HardMatched | Outcome::SoftMatchedSmtp | Outcome::SoftMatchedUpn
        ) {
            if let Some(t) = p.target {
                claims.entry(t).or_default().push(i);
            }
        }
    }
    for claimants in claims.values().filter(|c| c.len() > 1) {
        let rows: Vec<u32> = claimants.iter().map(|i| objects[*i].row).collect();
        for i in claimants {
            let p = &mut objects[*i];
            counts[outcome_index(p.outcome)] -= 1;
            counts[outcome_index(Outcome::SameCloudObject)] += 1;
            p.outcome = Outcome::SameCloudObject;
            p.others = rows.iter().copied().filter(|r| *r != p.row).collect();
        }
    }
    let mut not_checked = Vec::new();
    let users = tenant
        .objects
        .iter()
        .filter(|o| o.kind == Some(CloudKind::User))
        .count();
    if tenant.objects.is_empty() {
        not_checked.push(
            "matching: no tenant input holds users, groups or contacts; every outcome is unknown"
                .to_string(),
        );
    }
    if users > 0 && !carried_immutable {
        not_checked.push(
            "hard match: no tenant input carries onPremisesImmutableId (the admin centers' \
             downloads don't); objects that would hard-match are predicted as created or \
             soft-matched"
                .to_string(),
        );
    }
    if users > 0 && !tenant.carried(Property::ProxyAddresses) {
        not_checked.push(
            "soft match by SMTP: no tenant input carries proxyAddresses; only mail was compared"
                .to_string(),
        );
    }
    if users > 0 && !tenant.carried(Property::ObjectIdentifier) {
        not_checked.push(
            "July 2026 hard-match hardening: no tenant input carries onPremisesObjectIdentifier \
             (beta Graph)"
                .to_string(),
        );
    }
    if tenant.features.is_none() {
        not_checked.push(
            "synchronization features not given: soft and hard matches assume the flags allow \
             them (each says so)"
                .to_string(),
        );
    }
    if tenant.roles.is_none() {
        not_checked.push("admin role conflicts: no role-holder input".to_string());
    }
    if !tenant
        .objects
        .iter()
        .any(|o| o.kind == Some(CloudKind::Group))
    {
        not_checked.push("object type mismatches with groups: no group input".to_string());
    }
    // Users and groups carry onPremisesSecurityIdentifier in Graph; an input without the
    // property leaves its objects' SIDs unknown (contacts have none).
    let without_sid: Vec<&str> = tenant
        .inputs
        .iter()
        .filter(|i| i.users + i.groups > 0 && !i.carried.contains(&Property::SecurityIdentifier))
        .map(|i| i.path.as_str())
        .collect();
    if !without_sid.is_empty() {
        not_checked.push(format!(
            "duplicate SID against onPremisesSecurityIdentifier: not checked against the objects \
             of {} (no onPremisesSecurityIdentifier column or key)",
            without_sid.join(", ")
        ));
    }
    if tenant_has_sids && (0..dir.len()).all(|r| !dir.object_sid.is_present(r)) {
        not_checked.push(
            "duplicate SID against onPremisesSecurityIdentifier: the export carries no objectSid"
                .to_string(),
        );
    }
    let created = counts[outcome_index(Outcome::Created)]
        + counts[outcome_index(Outcome::AttributeValueMustBeUnique)];
    let existing = tenant.objects.len() as u64;
    let quota = tenant.quota();
    let total = existing + created;
    Prediction {
        objects,
        counts: Outcome::ALL
            .iter()
            .map(|o| (o.name(), counts[outcome_index(*o)]))
            .collect(),
        not_checked,
        capacity: Capacity {
            quota,
            existing,
            new: created,
            total,
            over_quota: quota.map(|q| total > q),
        },
        time: started.elapsed(),
    }
}

/// The process's CPU time (user + system) from /proc, for the benchmark's figures
/// (`SYNCLINT_TENANT_TIMES`): on a loaded machine, wall time says little.
fn cpu_time() -> Option<std::time::Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let after = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(std::time::Duration::from_millis(ticks * 10))
}

fn outcome_index(o: Outcome) -> usize {
    Outcome::ALL.iter().position(|x| *x == o).unwrap_or(0)
}

#[derive(Copy, Clone)]
struct Flags<'a> {
    block_soft: Option<bool>,
    block_takeover: Option<bool>,
    soft_upn: Option<bool>,
    features_given: bool,
    carried_immutable: bool,
    initial: Option<&'a str>,
    engine: crate::anchor::Engine,
}

/// The duplicate SID check ([`Outcome::DuplicateSid`]): Entra keeps
/// onPremisesSecurityIdentifier unique, so an object whose objectSid a tenant object it will
/// not join already carries fails with AttributeValueMustBeUnique on
/// OnPremiseSecurityIdentifier. That includes the documented case of a new object with the
/// SID and primary SMTP address of a synced user but another anchor (otherwise an
/// InvalidSoftMatch). Outcomes that already refuse the object for another reason keep it:
/// Entra reports that one.
fn with_sid_conflict(
    dir: &Directory,
    row: usize,
    index: &Index,
    p: Option<ObjectPrediction>,
) -> Option<ObjectPrediction> {
    if index.sids.is_empty() {
        return p;
    }
    let Some(sid) = dir.object_sid.get(row) else {
        return p;
    };
    let sid = &*sid;
    let outcome = p.as_ref().map_or(Outcome::Created, |p| p.outcome);
    let joined = match outcome {
        Outcome::HardMatched | Outcome::SoftMatchedSmtp | Outcome::SoftMatchedUpn => {
            p.as_ref().and_then(|p| p.target)
        }
        Outcome::Created | Outcome::AttributeValueMustBeUnique | Outcome::InvalidSoftMatch => None,
        _ => return p,
    };
    let Some(t) = index.sid_holders(sid).find(|t| Some(*t) != joined) else {
        return p;
    };
    Some(ObjectPrediction {
        row: row as u32,
        outcome: Outcome::DuplicateSid,
        target: Some(t),
        by: Some(MatchedBy::SecurityIdentifier),
        value: sid.to_string(),
        placeholder: None,
        depends: Vec::new(),
        others: Vec::new(),
    })
}

fn predict_one(
    dir: &Directory,
    row: usize,
    kind: CloudKind,
    index: &Index,
    flags: Flags,
) -> Option<ObjectPrediction> {
    let tenant = index.tenant;
    let not_given = |flag: &str| {
        format!(
            "{flag} {}",
            if flags.features_given {
                "(not in the features input)"
            } else {
                "(no synchronization features input)"
            }
        )
    };
    let guid = dir.object_guid[row];
    let anchor = if index.anchors.is_empty() {
        None
    } else {
        crate::anchor::anchor_bytes(dir, row, flags.engine).map(|(a, _)| a)
    };
    let mut p = ObjectPrediction {
        row: row as u32,
        outcome: Outcome::Created,
        target: None,
        by: None,
        value: String::new(),
        placeholder: None,
        depends: Vec::new(),
        others: Vec::new(),
    };
    // 1. Hard match on the source anchor.
    if let Some(&t) = anchor.as_ref().and_then(|a| index.anchors.get(*a)) {
        // (`anchor` is computed only when some tenant object has an immutableId.)
        let o = index.object(t);
        p.target = Some(t);
        p.by = Some(MatchedBy::ImmutableId);
        p.value = anchor
            .as_ref()
            .map(|a| immutable_id_text(a))
            .unwrap_or_default();
        let mapped_elsewhere = match (&o.object_identifier, guid) {
            (Some(mapped), Some(g)) => !mapped
                .trim()
                .trim_matches(|c| c == '{' || c == '}')
                .eq_ignore_ascii_case(&crate::hex::format_guid(&g)),
            _ => false,
        };
        p.outcome = if o.kind != Some(kind) {
            Outcome::ObjectTypeMismatch
        } else if mapped_elsewhere {
            Outcome::HardMatchBlocked
        } else if o.cloud_managed() != Some(false) && flags.block_takeover == Some(true) {
            Outcome::InvalidHardMatch
        } else {
            Outcome::HardMatched
        };
        if p.outcome == Outcome::HardMatched {
            if o.object_identifier.is_none()
                && !tenant.inputs[o.input as usize]
                    .carried
                    .contains(&Property::ObjectIdentifier)
            {
                p.depends.push(
                    "onPremisesObjectIdentifier (not in the input): blocked by the July 2026 \
                     hardening if mapped to another object"
                        .into(),
                );
            }
            if o.cloud_managed() != Some(false) && flags.block_takeover.is_none() {
                p.depends.push(not_given(
                    "BlockCloudObjectTakeoverThroughHardMatchEnabled: InvalidHardMatch if on",
                ));
            }
        }
        return Some(p);
    }
    // 2. Soft match: the primary SMTP address, then the UPN.
    let primary = primary_smtp(dir, row);
    let upn = if kind == CloudKind::User {
        dir.text(Attr::UserPrincipalName, row)
    } else {
        None
    };
    let by_smtp = primary.and_then(|a| index.smtp_holders(a).next().map(|t| (t, a)));
    let by_upn = upn.and_then(|u| index.upn_holders(u).next().map(|t| (t, u)));
    let candidate = by_smtp
        .map(|(t, v)| (t, v, MatchedBy::PrimarySmtp))
        .or_else(|| {
            by_upn
                .filter(|_| flags.soft_upn != Some(false))
                .map(|(t, v)| (t, v, MatchedBy::UserPrincipalName))
        });
    let mut blocked = false;
    if let Some((t, value, by)) = candidate {
        let o = index.object(t);
        if flags.block_soft == Some(true) {
            blocked = true;
        } else {
            p.target = Some(t);
            p.by = Some(by);
            p.value = value.to_string();
            p.outcome = if o.kind != Some(kind) {
                Outcome::ObjectTypeMismatch
            } else if o.immutable_id.is_some() || o.sync_enabled == Some(true) {
                Outcome::InvalidSoftMatch
            } else if index.admins.contains(&t) {
                Outcome::AdminRoleConflict
            } else if by == MatchedBy::PrimarySmtp {
                Outcome::SoftMatchedSmtp
            } else {
                Outcome::SoftMatchedUpn
            };
            if matches!(
                p.outcome,
                Outcome::SoftMatchedSmtp | Outcome::SoftMatchedUpn
            ) {
                if flags.block_soft.is_none() {
                    p.depends
                        .push(not_given("BlockSoftMatchEnabled: no match if on"));
                }
                if by == MatchedBy::UserPrincipalName && flags.soft_upn.is_none() {
                    p.depends.push(not_given(
                        "SoftMatchOnUpnEnabled (on by default): no UPN match if off",
                    ));
                }
                let input = &tenant.inputs[o.input as usize].carried;
                if o.immutable_id.is_none()
                    && !input.contains(&Property::ImmutableId)
                    && !input.contains(&Property::SyncEnabled)
                {
                    p.depends.push(
                        "whether the cloud object is already synced (its input carries neither \
                         onPremisesImmutableId nor onPremisesSyncEnabled): InvalidSoftMatch if so"
                            .into(),
                    );
                }
                if tenant.roles.is_none() && kind == CloudKind::User {
                    p.depends.push(
                        "directory roles (no role-holder input): Existing Admin Role Conflict if \
                         the cloud user holds one"
                            .into(),
                    );
                }
            }
            return Some(p);
        }
    }
    // 3. No match: values another tenant object holds are quarantined.
    if let Some(upn) = upn {
        if let Some(t) = index.upn_holders(upn).next() {
            let local = upn.rsplit_once('@').map_or(upn, |(l, _)| l);
            p.outcome = Outcome::AttributeValueMustBeUnique;
            p.target = Some(t);
            p.by = Some(MatchedBy::UserPrincipalName);
            p.value = upn.to_string();
            p.placeholder = Some(format!(
                "{local}NNNN@{}",
                flags.initial.unwrap_or("<initial domain>.onmicrosoft.com")
            ));
            if blocked {
                p.depends
                    .push("soft match blocked by BlockSoftMatchEnabled".into());
            }
            return Some(p);
        }
    }
    for value in dir.proxy_addresses.get(row) {
        let Some((prefix, address)) = split_proxy(value) else {
            continue;
        };
        if !is_smtp(prefix) {
            continue;
        }
        // The proxy calculation discards a secondary address in Microsoft's namespaces (all
        // but the coexistence domain; SL404) before anything is compared, so it meets no
        // tenant object: compared, every address left in a tenant's onmicrosoft.com domain by
        // a migration would be a conflict with that mailbox's own (MOERA) address.
        if Some(address) != primary && is_discarded_address(address) {
            continue;
        }
        if let Some(t) = index.smtp_holders(address).next() {
            p.outcome = if index.object(t).kind != Some(kind) && Some(address) == primary {
                Outcome::ObjectTypeMismatch
            } else {
                Outcome::AttributeValueMustBeUnique
            };
            p.target = Some(t);
            p.by = Some(MatchedBy::ProxyAddress);
            p.value = value.to_string();
            if blocked {
                p.depends
                    .push("soft match blocked by BlockSoftMatchEnabled".into());
            }
            return Some(p);
        }
    }
    let _ = flags.carried_immutable;
    None
}
