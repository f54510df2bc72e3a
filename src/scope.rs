//! Scope: which objects Entra Connect would synchronize at all (sync-rules.md §3.5 [S12],
//! §1.2 [S1]). Every object out of scope keeps its reason; rules see only the rest.

use crate::directory::{Attr, Directory, ObjectKind};
use crate::dn::{self, Subtree};
use crate::vocab::{Engine, Profile};
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet, FxHasher};
use std::hash::{Hash, Hasher};

/// Options that narrow the scope, like Connect's OU filtering.
#[derive(Clone, Debug, Default)]
pub struct ScopeOptions {
    /// Only objects under one of these DNs (subtrees), if any are given.
    pub include_ou: Vec<String>,
    /// No object under these DNs.
    pub exclude_ou: Vec<String>,
    /// Group scoping: only these groups and their direct (first-level) members, if any are
    /// given. Both engines take direct members only.
    pub include_group: Vec<String>,
    /// The sync engine whose default exclusions apply.
    pub engine: Engine,
}

/// The scope decision for every object.
#[derive(Clone, Debug, Default)]
pub struct Scope {
    /// Per row, the number of its reason in `reasons` ([`IN_SCOPE`] when it has none): 4
    /// bytes a row and each distinct reason held once, where an `Option<Box<str>>` a row took
    /// 16 bytes and a box for every object out of scope (1M field LDIF: 16 MB and 88,036
    /// boxes, held to the end of the run).
    reason_of: Vec<u32>,
    reasons: Vec<Box<str>>,
    /// `--include-ou`/`--exclude-ou` options that no object's DN is under.
    pub unmatched: Vec<String>,
    /// How many OUs and groups were given as scope (`--include-ou`, `--include-group`).
    pub roots: usize,
    /// Rows of the groups given with `--include-group`.
    pub included_groups: Vec<usize>,
}

impl Scope {
    pub fn in_scope(&self, row: usize) -> bool {
        self.reason_of.get(row) == Some(&IN_SCOPE)
    }

    /// Why the object is out of scope, if it is.
    pub fn reason(&self, row: usize) -> Option<&str> {
        let n = *self.reason_of.get(row)?;
        self.reasons.get(n as usize).map(|r| &**r)
    }

    /// Whether the object is a second copy of one read twice (in two inputs): readiness
    /// checks, which look at out-of-scope objects too, count such an object once.
    pub fn read_twice(&self, row: usize) -> bool {
        self.reason(row).is_some_and(|r| r.starts_with(READ_TWICE))
    }

    pub fn analyzed(&self) -> u64 {
        self.reason_of.iter().filter(|r| **r == IN_SCOPE).count() as u64
    }

    pub fn out_of_scope(&self) -> u64 {
        self.reason_of.len() as u64 - self.analyzed()
    }
}

/// [`Scope::reason_of`] of an object in scope.
const IN_SCOPE: u32 = u32::MAX;

/// How the reason of a second copy of an object starts.
const READ_TWICE: &str = "same object as ";

/// `msExchRecipientTypeDetails` bits Connect excludes: public folders, system attendant,
/// system mailboxes, mailbox plans, discovery mailboxes … (`&H21C07000`, §3.5).
const EXCLUDED_RECIPIENT_TYPES: i64 = 0x21C0_7000;
/// Role groups.
const ROLE_GROUP: i64 = 0x4000_0000;
/// Connect's group member limit.
pub const MAX_GROUP_MEMBERS: u32 = 250_000;

/// IdFix's cn prefixes (§1.2): used as they are by the idfix-dedicated profile; the Entra
/// profile keeps only those that can't be a person's name (IdFix's "Admini", "Guest" and
/// "support_" prefixes skip real users such as "Guest Services", §1.6.7).
const IDFIX_CN_PREFIXES: &[&str] = &[
    "Admini",
    "CAS_{",
    "DiscoverySearchMailbox",
    "FederatedEmail",
    "Guest",
    "HTTPConnector",
    "krbtgt",
    "iusr_",
    "iwam",
    "msol",
    "support_",
    "SystemMailbox",
    "WWIOadmini",
    "HealthMailbox",
    "Exchange Online-ApplicationAccount",
];
const SYSTEM_CN_PREFIXES: &[&str] = &[
    "CAS_{",
    "DiscoverySearchMailbox",
    "FederatedEmail.",
    "SystemMailbox{",
    "HealthMailbox",
    "Exchange Online-ApplicationAccount",
    "MSOL_",
];
const SYSTEM_CN_EXACT: &[&str] = &[
    "krbtgt",
    "Guest",
    "Administrator",
    "DefaultAccount",
    "WDAGUtilityAccount",
];

fn starts_with_ci(text: &str, prefix: &str) -> bool {
    text.len() >= prefix.len()
        && text.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
}

/// Decides the scope of every object.
pub fn decide(dir: &Directory, options: &ScopeOptions, profile: Profile) -> Scope {
    let first_of = first_rows(dir);
    let subtrees = Subtrees {
        include: options.include_ou.iter().map(|b| Subtree::new(b)).collect(),
        exclude: options.exclude_ou.iter().map(|b| Subtree::new(b)).collect(),
    };
    let (groups, unmatched_groups) = GroupScope::new(dir, &options.include_group);
    let (reason_of, reasons) = numbered_reasons(dir.len(), |row| {
        let first = first_of[row] as usize;
        if first != row {
            return Some(format!(
                "{READ_TWICE}{} (read twice)",
                dir.source_label(first)
            ));
        }
        let dn = dir.dn.get(row).unwrap_or("");
        reason(dn, &subtrees)
            .or_else(|| groups.as_ref().and_then(|g| g.reason(row)))
            .or_else(|| object_reason(dir, row, profile, options.engine))
    });
    let unmatched = [
        ("--include-ou", &subtrees.include),
        ("--exclude-ou", &subtrees.exclude),
    ]
    .into_iter()
    .flat_map(|(flag, list)| list.iter().map(move |s| (flag, s)))
    .filter(|(_, s)| {
        !(0..dir.len())
            .into_par_iter()
            .any(|row| s.contains(dir.dn.get(row).unwrap_or("")))
    })
    .map(|(flag, s)| format!("{flag} {}", s.base))
    .chain(unmatched_groups)
    .collect();
    let mut included_groups: Vec<usize> = groups
        .as_ref()
        .map(|g| g.groups.iter().copied().collect())
        .unwrap_or_default();
    included_groups.sort_unstable();
    Scope {
        reason_of,
        reasons,
        unmatched,
        roots: options.include_ou.len() + options.include_group.len(),
        included_groups,
    }
}

/// Every row's reason (`reason_of(row)`, in parallel), numbered: per row the number of its
/// reason in the list of distinct reasons, [`IN_SCOPE`] without one. Each piece of rows
/// numbers its own reasons, and the pieces' numbers are then mapped to the whole list's, so
/// no row's text outlives its piece.
fn numbered_reasons(
    rows: usize,
    reason_of: impl Fn(usize) -> Option<String> + Sync,
) -> (Vec<u32>, Vec<Box<str>>) {
    const PIECE: usize = 1 << 16;
    let pieces: Vec<(Vec<u32>, Vec<Box<str>>)> = (0..rows.div_ceil(PIECE))
        .into_par_iter()
        .map(|piece| {
            let mut numbered = Numbered::default();
            let of_row = (piece * PIECE..rows.min((piece + 1) * PIECE))
                .map(|row| reason_of(row).map_or(IN_SCOPE, |text| numbered.number(text.into())))
                .collect();
            (of_row, numbered.into_texts())
        })
        .collect();
    let mut numbered = Numbered::default();
    let mut of_row = Vec::with_capacity(rows);
    for (piece_of_row, texts) in pieces {
        let to_whole: Vec<u32> = texts.into_iter().map(|t| numbered.number(t)).collect();
        of_row.extend(piece_of_row.into_iter().map(|n| match n {
            IN_SCOPE => IN_SCOPE,
            n => to_whole[n as usize],
        }));
    }
    (of_row, numbered.into_texts())
}

/// Distinct texts, numbered from 0 in the order they first come.
#[derive(Default)]
struct Numbered(FxHashMap<Box<str>, u32>);

impl Numbered {
    fn number(&mut self, text: Box<str>) -> u32 {
        let next = self.0.len() as u32;
        *self.0.entry(text).or_insert(next)
    }

    /// The texts, each at its number.
    fn into_texts(self) -> Vec<Box<str>> {
        let mut texts: Vec<(Box<str>, u32)> = self.0.into_iter().collect();
        texts.sort_unstable_by_key(|(_, n)| *n);
        texts.into_iter().map(|(text, _)| text).collect()
    }
}

/// The first row of each row's object: the same object in two inputs (same objectGUID, else
/// the same DN, normalized) is one object, read twice.
///
/// Every row's key is hashed in parallel and sorted in parallel with its row; only rows of
/// equal hashes have their keys compared, and a run of equal hashes lists its rows in order,
/// so the first of each key is its lowest row. One hash map of every row's key, filled on one
/// thread, took 1.79 s at 10M objects (48 ms at 1M): at 10M its 400 MB of random inserts
/// missed the cache on nearly every row. The scope stage with this instead (2 cores, release,
/// csvde, alternating runs): default shape 95-97 → 67-68 ms at 1M, field shape 113-117 →
/// 76-79 ms, default shape at 10M 1.20-2.56 s → 0.71-0.78 s, the peak no higher.
fn first_rows(dir: &Directory) -> Vec<u32> {
    let rows = dir.len();
    let dn_of = |row: usize| dn::normalized(dir.dn.get(row).unwrap_or(""));
    // The key's hash in the high half, the row in the low: sorted, equal hashes come together
    // in row order. Rows are u32 throughout (`Finding::row`).
    let mut keyed: Vec<u64> = (0..rows)
        .into_par_iter()
        .map(|row| {
            let mut h = FxHasher::default();
            match dir.object_guid[row] {
                Some(g) => (0u8, g).hash(&mut h),
                None => (1u8, dn_of(row)).hash(&mut h),
            }
            (h.finish() >> 32 << 32) | row as u64
        })
        .collect();
    keyed.par_sort_unstable();
    let mut first_of: Vec<u32> = (0..rows as u32).collect();
    let same = |a: usize, b: usize| match (dir.object_guid[a], dir.object_guid[b]) {
        (Some(x), Some(y)) => x == y,
        (None, None) => dn_of(a) == dn_of(b),
        _ => false,
    };
    let row_of = |k: u64| (k & u64::from(u32::MAX)) as usize;
    for run in keyed
        .chunk_by(|a, b| a >> 32 == b >> 32)
        .filter(|run| run.len() > 1)
    {
        // The first row of each distinct key in the run: one key, unless two keys share
        // their 32 bits of hash (about ten thousand pairs at 10M rows).
        let mut firsts: Vec<usize> = Vec::new();
        for &k in run {
            let row = row_of(k);
            match firsts.iter().find(|&&f| same(f, row)) {
                Some(&f) => first_of[row] = f as u32,
                None => firsts.push(row),
            }
        }
    }
    first_of
}

/// `--include-group`: the groups given, their direct members, and the objects reachable only
/// through nested groups (which neither engine follows).
struct GroupScope {
    /// Rows of the groups given.
    groups: FxHashSet<usize>,
    direct: FxHashSet<usize>,
    /// Rows reachable only through a nested group: the nested group's DN.
    nested: FxHashMap<usize, usize>,
}

impl GroupScope {
    /// The group scope, and the `--include-group` options that name no group of the inputs.
    fn new(dir: &Directory, given: &[String]) -> (Option<GroupScope>, Vec<String>) {
        if given.is_empty() {
            return (None, Vec::new());
        }
        let mut by_hash: FxHashMap<u64, usize> = FxHashMap::default();
        for row in 0..dir.len() {
            by_hash
                .entry(crate::directory::dn_hash(dir.dn.get(row).unwrap_or("")))
                .or_insert(row);
        }
        let mut unmatched = Vec::new();
        let mut groups = FxHashSet::default();
        for g in given {
            match by_hash.get(&crate::directory::dn_hash(g)) {
                Some(&row) if dir.kind[row] == ObjectKind::Group => {
                    groups.insert(row);
                }
                _ => unmatched.push(format!("--include-group {g}")),
            }
        }
        let members_of = |row: usize| {
            dir.members
                .get(row)
                .iter()
                .filter_map(|h| by_hash.get(h).copied())
                .collect::<Vec<usize>>()
        };
        let direct: FxHashSet<usize> = groups.iter().flat_map(|&g| members_of(g)).collect();
        // Breadth first from the direct members that are groups: each object first reached
        // through a nested group remembers that group.
        let mut nested = FxHashMap::default();
        let mut queue: std::collections::VecDeque<usize> = direct
            .iter()
            .copied()
            .filter(|r| dir.kind[*r] == ObjectKind::Group)
            .collect();
        let mut seen: FxHashSet<usize> = queue.iter().copied().collect();
        while let Some(group) = queue.pop_front() {
            for member in members_of(group) {
                if direct.contains(&member) || groups.contains(&member) || !seen.insert(member) {
                    continue;
                }
                nested.insert(member, group);
                if dir.kind[member] == ObjectKind::Group {
                    queue.push_back(member);
                }
            }
        }
        (
            Some(GroupScope {
                groups,
                direct,
                nested,
            }),
            unmatched,
        )
    }

    fn reason(&self, row: usize) -> Option<String> {
        if self.groups.contains(&row) || self.direct.contains(&row) {
            return None;
        }
        Some(match self.nested.get(&row) {
            Some(_) => "member of an --include-group only through a nested group \
                        (group scoping takes first-level members only)"
                .to_string(),
            None => "not a member of any --include-group".to_string(),
        })
    }
}

/// `--include-ou` and `--exclude-ou`, parsed once.
struct Subtrees {
    include: Vec<Subtree>,
    exclude: Vec<Subtree>,
}

/// Whether an object's name marks a replication conflict: AD appends a line feed and
/// `CNF:<objectGUID>` to the loser's RDN value (written `\0ACNF:` in the DN).
pub fn is_conflict_name(name: &str) -> bool {
    let name = name.as_bytes();
    memchr::memchr_iter(b'\n', name).any(|i| {
        name[i + 1..]
            .get(..4)
            .is_some_and(|c| c.eq_ignore_ascii_case(b"CNF:"))
    })
}

/// The forest's schema or configuration partition, if the DN is in one: `CN=Configuration`
/// (and `CN=Schema` under it) right above the forest root's `DC=` components. AD Explorer
/// snapshots hold both besides the domain.
pub fn system_partition(dn: &str) -> Option<&'static str> {
    // A first look from the end: the RDN right above the trailing `DC=` components must be
    // CN=Configuration (a few `memrchr` per DN). Comparing a 17-byte window at every byte
    // made the scope stage 40 % slower on 1M objects.
    let cheap = {
        let bytes = dn.as_bytes();
        let mut end = bytes.len();
        loop {
            let start = memchr::memrchr(b',', &bytes[..end]).map_or(0, |at| at + 1);
            let rdn = bytes[start..end].trim_ascii();
            if rdn.len() >= 3 && rdn[..3].eq_ignore_ascii_case(b"DC=") && start > 0 {
                end = start - 1;
                continue;
            }
            break end < bytes.len() && rdn.eq_ignore_ascii_case(b"CN=Configuration");
        }
    };
    if !cheap {
        return None;
    }
    let rdns: Vec<dn::Rdn<'_>> = dn::rdns(dn).collect();
    let dcs = rdns.iter().rev().take_while(|r| r.first().is("DC")).count();
    let above = rdns.len().checked_sub(dcs).filter(|a| *a > 0 && dcs > 0)?;
    let named = |r: &dn::Rdn<'_>, value: &str| {
        r.first().is("CN") && r.first().value().eq_ignore_ascii_case(value)
    };
    if !named(&rdns[above - 1], "Configuration") {
        return None;
    }
    if above >= 2 && named(&rdns[above - 2], "Schema") {
        Some("schema")
    } else {
        Some("configuration")
    }
}

/// Why the options or the object's place leave it out, whatever the engine.
fn reason(dn: &str, subtrees: &Subtrees) -> Option<String> {
    if !subtrees.include.is_empty() && !subtrees.include.iter().any(|s| s.contains(dn)) {
        return Some("outside every --include-ou".into());
    }
    if let Some(s) = subtrees.exclude.iter().find(|s| s.contains(dn)) {
        return Some(format!("under --exclude-ou {}", s.base));
    }
    if let Some(partition) = system_partition(dn) {
        return Some(format!(
            "in the {partition} partition (forest-wide, never synchronized)"
        ));
    }
    if may_hold_line_feed(dn) && is_conflict_name(&dn::first_rdn_value(dn)) {
        return Some("replication conflict object (CNF in the first RDN)".into());
    }
    None
}

/// Whether the unescaped DN may hold a line feed (a conflict name's mark): written as it is
/// or as the escape `\0A`. Most DNs have neither, and their first RDN is then not unescaped
/// (which allocates for every `CN=Last\, First`).
fn may_hold_line_feed(dn: &str) -> bool {
    let b = dn.as_bytes();
    memchr::memchr2_iter(b'\n', b'\\', b).any(|i| {
        b[i] == b'\n' || (b.get(i + 1) == Some(&b'0') && matches!(b.get(i + 2), Some(b'a' | b'A')))
    })
}

/// Why an object the options leave in scope would still not be synchronized by `engine`:
/// its default exclusions (Connect's long list; Cloud Sync's documented two, critical system
/// objects and replication conflicts, plus no devices), or `None`.
pub fn object_reason(
    dir: &Directory,
    row: usize,
    profile: Profile,
    engine: Engine,
) -> Option<String> {
    match engine {
        Engine::Connect => connect_reason(dir, row, profile),
        Engine::CloudSync => cloud_sync_reason(dir, row),
    }
}

/// Cloud Sync: "users, groups and contacts with isCriticalSystemObject = TRUE" and
/// replication victims (CNF, decided before) are skipped; computers are not synchronized
/// (device sync is in preview); everything else Connect would skip by default is synchronized.
fn cloud_sync_reason(dir: &Directory, row: usize) -> Option<String> {
    if dir.boolean(Attr::IsCriticalSystemObject, row) == Some(true) {
        return Some("isCriticalSystemObject = TRUE (Cloud Sync's default exclusion)".into());
    }
    match dir.kind[row] {
        ObjectKind::Computer => Some(
            "computer: Cloud Sync does not synchronize devices (device sync is in preview)".into(),
        ),
        ObjectKind::Other => {
            let class = dir.object_class.get(row).unwrap_or("no objectClass");
            Some(format!("not a user, contact or group ({class})"))
        }
        ObjectKind::User | ObjectKind::InetOrgPerson
            if dir.object_guid[row].is_none() && !dir.has_consistency_guid[row] =>
        {
            Some("no sourceAnchor (neither objectGUID nor mS-DS-ConsistencyGuid)".into())
        }
        _ => None,
    }
}

fn connect_reason(dir: &Directory, row: usize, profile: Profile) -> Option<String> {
    let text = |a| dir.text(a, row);
    let critical = dir.boolean(Attr::IsCriticalSystemObject, row);
    match profile {
        Profile::Entra if critical.is_some() => {
            return Some("isCriticalSystemObject is set (Connect: IsPresent)".into())
        }
        Profile::IdfixDedicated if critical == Some(true) => {
            return Some("isCriticalSystemObject = TRUE".into())
        }
        _ => {}
    }
    let cn = text(Attr::Cn).unwrap_or("");
    let system = match profile {
        Profile::Entra => {
            SYSTEM_CN_PREFIXES.iter().any(|p| starts_with_ci(cn, p))
                || SYSTEM_CN_EXACT.iter().any(|e| cn.eq_ignore_ascii_case(e))
        }
        Profile::IdfixDedicated => {
            IDFIX_CN_PREFIXES.iter().any(|p| starts_with_ci(cn, p)) || cn.ends_with('$')
        }
    };
    if system {
        return Some(format!("system account ({cn})"));
    }
    if profile == Profile::IdfixDedicated && text(Attr::Mail).is_none() {
        return Some("no mail (IdFix Dedicated reads only objects with mail)".into());
    }
    let sam = text(Attr::SamAccountName);
    let alias = text(Attr::MailNickname);
    let rtd = dir.int(Attr::RecipientTypeDetails, row).unwrap_or(0);
    let cas = |v: Option<&str>| v.is_some_and(|v| starts_with_ci(v, "CAS_") && v.contains('}'));
    match dir.kind[row] {
        ObjectKind::User | ObjectKind::InetOrgPerson => {
            if dir.object_guid[row].is_none() && !dir.has_consistency_guid[row] {
                return Some(
                    "no sourceAnchor (neither objectGUID nor mS-DS-ConsistencyGuid)".into(),
                );
            }
            let Some(sam) = sam else {
                return Some("no sAMAccountName".into());
            };
            if starts_with_ci(sam, "AAD_") || starts_with_ci(sam, "MSOL_") {
                return Some(format!("service account ({sam})"));
            }
            if sam.eq_ignore_ascii_case("SUPPORT_388945a0") {
                return Some("built-in SUPPORT_388945a0 account".into());
            }
            if alias.is_some_and(|a| starts_with_ci(a, "SystemMailbox{"))
                || cas(alias)
                || cas(Some(sam))
            {
                return Some("Exchange system mailbox".into());
            }
            if rtd & EXCLUDED_RECIPIENT_TYPES != 0 {
                return Some(format!(
                    "msExchRecipientTypeDetails {rtd} is an Exchange system recipient type"
                ));
            }
        }
        ObjectKind::Contact => {
            let mail = text(Attr::Mail);
            if mail.is_none() {
                return Some("contact without mail".into());
            }
            let smtp_primary = dir
                .proxy_addresses
                .get(row)
                .any(|p| p.starts_with("SMTP:") && p.contains('@'));
            let mail_enabled = dir.proxy_addresses.value_count(row) > 0
                && (smtp_primary || mail.is_some_and(|m| m.contains('@')));
            if !mail_enabled {
                return Some(
                    "contact is not mail-enabled (no proxyAddresses with an address)".into(),
                );
            }
            if text(Attr::DisplayName).is_some_and(|d| d.contains("(MSOL)"))
                && dir.boolean(Attr::HideFromAddressLists, row) == Some(true)
            {
                return Some("hidden (MSOL) contact".into());
            }
            if cas(alias) {
                return Some("Exchange system contact".into());
            }
        }
        ObjectKind::Group => {
            let members = dir.count(Attr::Member, row);
            if members >= MAX_GROUP_MEMBERS {
                return Some(format!(
                    "group with {members} members (Connect syncs fewer than 250,000)"
                ));
            }
            let security = dir.int(Attr::GroupType, row).is_some_and(|t| t < 0);
            let mail_enabled =
                text(Attr::Mail).is_some() || dir.proxy_addresses.value_count(row) > 0;
            if !security && !mail_enabled {
                return Some("distribution group that is not mail-enabled".into());
            }
            if sam.is_some_and(|s| s.eq_ignore_ascii_case("MSOL_AD_Sync_RichCoexistence")) {
                return Some("Connect's own rich-coexistence group".into());
            }
            if rtd & ROLE_GROUP != 0 {
                return Some("Exchange role group".into());
            }
        }
        ObjectKind::Computer => {
            if dir.count(Attr::UserCertificate, row) == 0 {
                return Some(
                    "computer without userCertificate (synced only for hybrid join)".into(),
                );
            }
        }
        ObjectKind::Other => {
            let class = dir.object_class.get(row).unwrap_or("no objectClass");
            return Some(format!("not a user, contact, group or computer ({class})"));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_are_numbered_once_across_pieces() {
        // Three and a half pieces of rows: a few shared reasons, some rows with a reason of
        // their own, the rest in scope.
        let rows = (1 << 16) * 7 / 2;
        let reason_of = |row: usize| match row % 7 {
            0 => Some(format!("own {row}")),
            1 | 4 => Some("computer".to_string()),
            2 => Some(format!("shared {}", row % 3)),
            _ => None,
        };
        let (of_row, reasons) = numbered_reasons(rows, reason_of);
        let scope = Scope {
            reason_of: of_row,
            reasons,
            ..Scope::default()
        };
        for row in 0..rows {
            assert_eq!(scope.reason(row), reason_of(row).as_deref(), "row {row}");
            assert_eq!(scope.in_scope(row), reason_of(row).is_none(), "row {row}");
        }
        let own = (0..rows).filter(|r| r % 7 == 0).count();
        assert_eq!(scope.reasons.len(), own + 1 + 3);
        assert_eq!(
            scope.analyzed(),
            (0..rows).filter(|r| reason_of(*r).is_none()).count() as u64
        );
    }

    #[test]
    fn schema_and_configuration_partitions() {
        let forest = ",DC=windomain,DC=local";
        assert_eq!(
            system_partition(&format!("CN=User,CN=Schema,CN=Configuration{forest}")),
            Some("schema")
        );
        // The schema partition's own head.
        assert_eq!(
            system_partition(&format!("CN=Schema,CN=Configuration{forest}")),
            Some("schema")
        );
        assert_eq!(
            system_partition(&format!("CN=Configuration{forest}")),
            Some("configuration")
        );
        assert_eq!(
            system_partition(&format!("CN=Sites,CN=Configuration{forest}")),
            Some("configuration")
        );
        // An OU or user that happens to be named Configuration in the domain is not.
        assert_eq!(
            system_partition(&format!("CN=Jo,OU=Configuration,OU=IT{forest}")),
            None
        );
        assert_eq!(
            system_partition(&format!("CN=Jo,CN=Configuration,OU=IT{forest}")),
            None
        );
        assert_eq!(system_partition("CN=Users,DC=windomain,DC=local"), None);
    }

    #[test]
    fn conflict_names() {
        assert!(is_conflict_name("Doe, John\nCNF:5f3c7a2e"));
        assert!(is_conflict_name("x\ncnf:1"));
        assert!(!is_conflict_name("CNF: a name"));
        assert!(!is_conflict_name("Doe\\0ACNF"));
    }

    /// The look before a DN's first RDN is unescaped finds every way a line feed is written,
    /// so no conflict object is missed: the escape in either case, a raw line feed, and an
    /// escaped backslash before `0A` (which only costs the slow path).
    #[test]
    fn conflict_objects_are_looked_for_only_where_a_line_feed_may_be() {
        let subtrees = Subtrees {
            include: Vec::new(),
            exclude: Vec::new(),
        };
        let conflict = Some("replication conflict object (CNF in the first RDN)".to_string());
        for dn in [
            "CN=Doe\\, John\\0ACNF:5f3c7a2e,OU=Staff,DC=contoso,DC=com",
            "CN=Doe\\0aCNF:5f3c7a2e,DC=contoso,DC=com",
            "CN=Doe\nCNF:5f3c7a2e,DC=contoso,DC=com",
        ] {
            assert!(may_hold_line_feed(dn), "{dn}");
            assert_eq!(reason(dn, &subtrees), conflict, "{dn}");
        }
        for dn in [
            "CN=Doe\\, John,OU=Staff,DC=contoso,DC=com",
            "CN=Jo,OU=CNF:x,DC=contoso,DC=com",
        ] {
            assert!(!may_hold_line_feed(dn), "{dn}");
            assert_eq!(reason(dn, &subtrees), None, "{dn}");
        }
        let escaped_backslash = "CN=Doe\\\\0ACNF:1,DC=contoso,DC=com";
        assert!(may_hold_line_feed(escaped_backslash));
        assert_eq!(reason(escaped_backslash, &subtrees), None);
    }
}
