//! Suggested values are re-checked before anyone sees them. A suggestion is kept only if
//!
//! - it passes every rule of the profile for its attribute ([`registry::validate`], derived
//!   from the rules' own checks);
//! - it is not a value the object already holds in the same attribute, compared as Active
//!   Directory and Entra compare proxyAddresses (ignoring case, so `SMTP:a@x` = `smtp:A@x`):
//!   then the recommendation becomes REMOVE of the bad value, since adding the corrected one
//!   would fail ("attribute or value exists") and an undo could delete the wrong value;
//! - it collides with no other object's value and no other suggestion;
//! - applied together with every other suggestion for the same object, it raises no finding
//!   on the object that is not there now (the per-object rules are run on the object as the
//!   suggestions would leave it), so accepting every suggestion never creates a new problem.
//!
//! UPN suggestions prefer the object's primary SMTP address (as its own suggestion would make
//! it) when that is a valid UPN (routable, verified when verified domains are given) held by
//! no other object: Microsoft's guidance is
//! that the UPN match the primary SMTP address. mail suggestions prefer it likewise (Entra
//! sets mail from the primary SMTP address).

use super::uniqueness::{self, Index, Space};
use super::{advisory, mail, registry, upn, Context, Rule};
use crate::directory::{Attr, AttrShape, Directory, ObjectKind};
use crate::findings::{Action, Finding, FindingList};
use crate::scope::Scope;
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet, FxHasher};
use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hash, Hasher};

/// What the re-check decided for one finding's suggestion (the suggestion itself stays in
/// the finding until the verdicts are applied).
enum Verdict {
    Keep,
    /// Withheld, with the reason shown in the note.
    Withhold(String),
    /// The corrected value is already on the object: remove the bad value instead.
    Remove(String),
    /// Neither a suggestion nor a removal can be recommended, for this reason.
    Unsettled(String),
}

/// A change one finding proposes to its object: `new` replaces `old` (`None`: removed).
struct Change<'f> {
    finding: usize,
    attribute: Attr,
    old: &'f str,
    new: Option<&'f str>,
}

/// Re-checks every suggestion of `findings` (see the module documentation): keeps it, withholds
/// it with the reason in the finding's note, or turns it into a REMOVE recommendation.
pub fn recheck(ctx: &Context, index: &Index, findings: &mut FindingList) {
    prefer_primary_smtp(ctx, index, findings);
    // Only the findings of objects with a suggestion take part (every check below is of a
    // suggestion, or of the other findings of its object): the verdicts and the by-object
    // index over every finding were the run's peak memory, 64 MB of 978,917 findings
    // (massif, 1M generated objects, 2.8 % of them with a suggestion).
    let with_suggestion = objects_with_suggestion(ctx.dir.len(), findings);
    let takes_part = |f: &Finding| with_suggestion.contains(f.row);
    let verdicts = {
        let all: Vec<&Finding> = findings.iter().filter(|f| takes_part(f)).collect();
        // Every finding, by object (each object's in finding order).
        let mut by_row: Vec<(u32, usize)> =
            all.iter().enumerate().map(|(i, f)| (f.row, i)).collect();
        by_row.par_sort_unstable();
        let objects: Vec<&[(u32, usize)]> = by_row.chunk_by(|a, b| a.0 == b.0).collect();
        let mut verdicts = first_verdicts(ctx, index, &all, &objects);
        no_new_findings(ctx, &all, &objects, &mut verdicts);
        verdicts
    };
    for (f, verdict) in findings.iter_mut().filter(|f| takes_part(f)).zip(verdicts) {
        let suggested = f.take_suggested();
        match verdict {
            None => {}
            Some(Verdict::Keep) => f.set_suggested(suggested),
            Some(Verdict::Withhold(reason)) => {
                let s = suggested.unwrap_or_default();
                add_note(f, format!("suggestion {s:?} withheld: {reason}"));
            }
            Some(Verdict::Unsettled(reason)) => {
                add_note(
                    f,
                    format!("its corrected value is already on the object, but removing this value: {reason}"),
                );
            }
            Some(Verdict::Remove(existing)) => {
                f.action = Action::Remove;
                let primary = if f.value(ctx.dir).starts_with("SMTP:") {
                    format!(" (this is the primary address: make {existing} the primary, SMTP:)")
                } else {
                    String::new()
                };
                add_note(
                    f,
                    format!(
                        "the corrected value is already on the object as {existing}: remove this value{primary}"
                    ),
                );
            }
        }
    }
}

/// A set of directory rows: a bit per object.
struct Rows(Vec<u64>);

impl Rows {
    fn contains(&self, row: u32) -> bool {
        let row = row as usize;
        self.0
            .get(row / 64)
            .is_some_and(|w| w & (1 << (row % 64)) != 0)
    }
}

/// The objects (of `objects` in the directory) that have a finding with a suggestion.
fn objects_with_suggestion(objects: usize, findings: &FindingList) -> Rows {
    let mut rows = vec![0u64; objects.div_ceil(64)];
    for f in findings.iter().filter(|f| f.suggested().is_some()) {
        let row = f.row as usize;
        if row / 64 >= rows.len() {
            rows.resize(row / 64 + 1, 0);
        }
        rows[row / 64] |= 1 << (row % 64);
    }
    Rows(rows)
}

/// Whether two values are equal ignoring case, as `a.to_lowercase() == b.to_lowercase()`
/// decides, without allocating for ASCII (nearly every value).
fn eq_lower(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        a.eq_ignore_ascii_case(b)
    } else {
        a.to_lowercase() == b.to_lowercase()
    }
}

/// `value` in lower case, borrowed when it already is.
fn lowered(value: Cow<'_, str>) -> Cow<'_, str> {
    if value.is_ascii() && !value.bytes().any(|b| b.is_ascii_uppercase()) {
        value
    } else {
        Cow::Owned(value.to_lowercase())
    }
}

/// A unique value a suggestion would take: its space, its normalized (lower-case) form, and
/// another object that already holds it.
struct Key<'f> {
    claim: Claim<'f>,
    held_by: Option<u32>,
}

/// A unique value as the suggestions claim it: its space and normalized form, with their hash
/// worked out in the parallel checks (hashing them in the ordered replay was a fifth of it).
struct Claim<'f> {
    hash: u64,
    space: Space,
    value: Cow<'f, str>,
}

impl<'f> Claim<'f> {
    fn new(space: Space, value: Cow<'f, str>) -> Claim<'f> {
        let mut h = FxHasher::default();
        space.hash(&mut h);
        value.hash(&mut h);
        Claim {
            hash: h.finish(),
            space,
            value,
        }
    }
}

impl PartialEq for Claim<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.space == other.space && self.value == other.value
    }
}

impl Eq for Claim<'_> {}

impl Hash for Claim<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.hash);
    }
}

/// The hasher of [`Claim`]s: their hash is already worked out.
#[derive(Default)]
struct Prehashed(u64);

impl Hasher for Prehashed {
    fn write(&mut self, bytes: &[u8]) {
        // Only `write_u64` is called (by `Claim::hash`); anything else still hashes.
        let mut h = FxHasher::default();
        h.write_u64(self.0);
        h.write(bytes);
        self.0 = h.finish();
    }

    fn write_u64(&mut self, hash: u64) {
        self.0 = hash;
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// The checks of one suggestion that depend on it alone (its attribute's rules, the object's
/// other values, other objects' values), done in parallel; those that depend on the other
/// suggestions (which came first) are replayed in order by [`first_verdicts`].
enum Alone<'f> {
    /// No suggestion.
    Nothing,
    /// The suggestion is the value itself.
    Same,
    /// The object already holds the corrected value (this one).
    Held(&'f str),
    /// The suggestion breaks this rule of its attribute.
    Breaks(&'static Rule),
    /// None of these: the unique values it would take (at most two).
    Keys([Option<Key<'f>>; 2]),
}

fn alone<'f>(ctx: &Context<'f>, index: &Index, f: &'f Finding) -> Alone<'f> {
    let Some(suggested) = f.suggested() else {
        return Alone::Nothing;
    };
    let value = f.value(ctx.dir);
    if suggested == value {
        return Alone::Same;
    }
    let row = f.row as usize;
    if let Some(existing) = held_by_object(ctx, row, f.attribute, value, suggested) {
        return Alone::Held(existing);
    }
    if let Some(rule) = registry::validate_attr(ctx, row, f.attribute, suggested) {
        return Alone::Breaks(rule);
    }
    let [a, b] = unique_keys(ctx, row, f.attribute, suggested);
    let key = |k: Option<(Space, Cow<'f, str>)>| {
        k.map(|(space, value)| Key {
            held_by: index.holders(ctx, space, &value, f.row).first().copied(),
            claim: Claim::new(space, lowered(value)),
        })
    };
    Alone::Keys([key(a), key(b)])
}

/// Findings a batch of the parallel checks covers: enough to share among the threads, few
/// enough that the batch's [`Alone`]s stay small next to the findings.
const BATCH_FINDINGS: usize = 1 << 16;

/// The verdict on every finding's suggestion from the checks of [`alone`] and, in finding
/// order, the other suggestions: one value flagged by several rules takes the first rule's
/// suggestion, and a unique value goes to the first suggestion that claims it.
fn first_verdicts<'f>(
    ctx: &Context<'f>,
    index: &Index,
    all: &[&'f Finding],
    objects: &[&[(u32, usize)]],
) -> Vec<Option<Verdict>> {
    let mut verdicts: Vec<Option<Verdict>> = Vec::with_capacity(all.len());
    let mut second = second_suggestions(ctx.dir, all, objects)
        .into_iter()
        .peekable();
    // (space, normalized value) → the finding whose suggestion claimed it.
    let mut claimed: HashMap<Claim, &Finding, BuildHasherDefault<Prehashed>> = HashMap::default();
    claimed.reserve(all.par_iter().filter(|f| f.suggested().is_some()).count());
    let dn = |row: u32| ctx.dir.dn.get(row as usize).unwrap_or("another object");
    // One buffer for every batch: a fresh one each time was freed to the system and faulted in
    // again.
    let mut checked: Vec<Alone> = Vec::with_capacity(BATCH_FINDINGS.min(all.len()));
    for batch in all.chunks(BATCH_FINDINGS) {
        batch
            .par_iter()
            .map(|f| alone(ctx, index, f))
            .collect_into_vec(&mut checked);
        for (f, checked) in batch.iter().zip(checked.drain(..)) {
            let at = verdicts.len();
            let withhold = |reason: String| Some(Verdict::Withhold(reason));
            let verdict = 'verdict: {
                match checked {
                    Alone::Nothing => break 'verdict None,
                    Alone::Same => break 'verdict withhold("no change would fix it".into()),
                    _ => {}
                }
                if let Some((_, earlier)) = second.next_if(|(i, _)| *i == at) {
                    break 'verdict withhold(format!(
                        "another finding on this value suggests {earlier:?}"
                    ));
                }
                let keys = match checked {
                    Alone::Held(existing) => break 'verdict Some(Verdict::Remove(existing.into())),
                    Alone::Breaks(rule) => {
                        break 'verdict withhold(format!(
                            "it would still break {} ({})",
                            rule.code, rule.slug
                        ))
                    }
                    Alone::Keys(keys) => keys,
                    Alone::Nothing | Alone::Same => unreachable!("decided above"),
                };
                for key in keys.into_iter().flatten() {
                    if let Some(other) = key.held_by {
                        break 'verdict withhold(format!("it would collide with {}", dn(other)));
                    }
                    match claimed.get(&key.claim) {
                        Some(other) if other.row != f.row => {
                            break 'verdict withhold(format!(
                                "it would collide with the suggestion for {}",
                                dn(other.row)
                            ));
                        }
                        Some(other)
                            if other.attribute == f.attribute
                                && other.value(ctx.dir) != f.value(ctx.dir) =>
                        {
                            break 'verdict withhold(format!(
                                "the suggestion for this object's value {:?} is the same (remove this value if you accept that one)",
                                other.value(ctx.dir)
                            ));
                        }
                        Some(_) => {}
                        None => {
                            claimed.insert(key.claim, f);
                        }
                    }
                }
                Some(Verdict::Keep)
            };
            verdicts.push(verdict);
        }
    }
    verdicts
}

/// The findings (by index, in order) whose value an earlier finding on the same object,
/// attribute and value already suggests another correction for, with that correction: one
/// value takes one change, the first rule's. Worked out object by object, in parallel.
fn second_suggestions<'f>(
    dir: &'f Directory,
    all: &[&'f Finding],
    objects: &[&[(u32, usize)]],
) -> Vec<(usize, &'f str)> {
    let mut second: Vec<(usize, &str)> = objects
        .par_iter()
        .map_init(FxHashMap::default, |first, object| {
            first.clear();
            let mut second = Vec::new();
            for &(_, i) in *object {
                let f = all[i];
                let Some(suggested) = f.suggested() else {
                    continue;
                };
                let value = f.value(dir);
                if suggested == value {
                    continue; // withheld before this check
                }
                match first.get(&(f.attribute, value)) {
                    Some(earlier) if *earlier != suggested => second.push((i, *earlier)),
                    Some(_) => {}
                    None => {
                        first.insert((f.attribute, value), suggested);
                    }
                }
            }
            second
        })
        .flatten_iter()
        .collect();
    second.par_sort_unstable_by_key(|(i, _)| *i);
    second
}

fn add_note(f: &mut Finding, note: String) {
    let note = match f.own_note() {
        Some(n) => format!("{n}; {note}"),
        None => note,
    };
    f.set_note(note.into());
}

/// Another value of the object's multi-valued `attribute` equal to `suggested` ignoring case
/// (how Active Directory compares them, and Entra after normalizing the smtp: prefix).
fn held_by_object<'d>(
    ctx: &Context<'d>,
    row: usize,
    attribute: Attr,
    old: &str,
    suggested: &str,
) -> Option<&'d str> {
    if attribute.shape() != AttrShape::TextList {
        return None;
    }
    let dir: &'d Directory = ctx.dir;
    dir.proxy_addresses
        .get(row)
        .find(|v| *v != old && eq_lower(v, suggested))
}

/// The unique-value spaces `value` would take part in as object `row`'s `attribute` (at most
/// two), with the value as compared there (case aside).
fn unique_keys<'v>(
    ctx: &Context,
    row: usize,
    attribute: Attr,
    value: &'v str,
) -> [Option<(Space, Cow<'v, str>)>; 2] {
    if attribute == Attr::SamAccountName {
        // Only an object without a UPN is identified by its account name, and Connect derives
        // its UPN from it.
        if ctx.dir.text(Attr::UserPrincipalName, row).is_some() {
            return [None, None];
        }
        let user = matches!(
            ctx.dir.kind[row],
            ObjectKind::User | ObjectKind::InetOrgPerson
        );
        let derived = ctx
            .dir
            .dn
            .get(row)
            .and_then(crate::dn::dns_domain)
            .filter(|_| user)
            .map(|domain| (Space::Address, Cow::Owned(format!("{value}@{domain}"))));
        return [Some((Space::Sam, Cow::Borrowed(value))), derived];
    }
    [
        uniqueness::key_of(ctx.options.profile, attribute.ldap_name(), value)
            .map(|(space, key)| (space, Cow::Borrowed(key))),
        None,
    ]
}

/// The attribute a finding's suggestion may take from the primary SMTP address: the UPN's and
/// mail's own rules (not duplicates or collisions, whose fix is a choice between objects).
fn primary_candidate(f: &Finding) -> Option<Attr> {
    match f.attribute {
        Attr::UserPrincipalName if upn::FAMILY.rules.contains(&f.rule) => {
            Some(Attr::UserPrincipalName)
        }
        Attr::Mail if mail::FAMILY.rules.contains(&f.rule) => Some(Attr::Mail),
        _ => None,
    }
}

/// Points every UPN and mail finding's suggestion at the object's primary SMTP address, when
/// that address breaks no rule of the attribute and no other object holds it (Microsoft
/// recommends UPN = primary SMTP address, and Entra sets mail from it).
fn prefer_primary_smtp(ctx: &Context, index: &Index, findings: &mut FindingList) {
    // (finding, its new suggestion), in finding order.
    let preferred: Vec<(usize, String)> = {
        // The primary address as its own suggestion would make it (re-suffixed, cleaned): the
        // address the object will have if the suggestions are accepted together.
        let mut repaired: FxHashMap<u32, &str> = FxHashMap::default();
        for f in findings.iter() {
            // The suggestion first: it is rare, and the value is read from the directory.
            let Some(new) = f.suggested().and_then(|s| s.strip_prefix("SMTP:")) else {
                continue;
            };
            if f.attribute == Attr::ProxyAddresses && f.value(ctx.dir).starts_with("SMTP:") {
                repaired.entry(f.row).or_insert(new);
            }
        }
        let repaired = &repaired;
        let starts = chunk_starts(findings);
        // In parallel: an object with several findings on one attribute works its choice out
        // once for each (the same choice), which costs less than sharing it.
        findings
            .chunks()
            .par_iter()
            .zip(starts)
            .flat_map(|(chunk, start)| {
                chunk.par_iter().enumerate().filter_map(move |(i, f)| {
                    let attr = primary_candidate(f)?;
                    let repaired = repaired.get(&f.row).copied();
                    primary_for(ctx, index, f.row as usize, attr, repaired).map(|p| (start + i, p))
                })
            })
            .collect()
    };
    let mut preferred = preferred.into_iter().peekable();
    for (i, f) in findings.iter_mut().enumerate() {
        if let Some((_, primary)) = preferred.next_if(|(at, _)| *at == i) {
            f.set_suggested(Some(primary.into_boxed_str()));
        }
    }
}

/// The index of each chunk's first finding.
fn chunk_starts(findings: &FindingList) -> Vec<usize> {
    findings
        .chunks()
        .iter()
        .scan(0, |next, chunk| {
            let start = *next;
            *next += chunk.len();
            Some(start)
        })
        .collect()
}

/// The object's primary SMTP address (`repaired`, if its own suggestion changes it), if it
/// would make a good value of `attr` for it.
fn primary_for(
    ctx: &Context,
    index: &Index,
    row: usize,
    attr: Attr,
    repaired: Option<&str>,
) -> Option<String> {
    let primaries = ctx
        .dir
        .proxy_addresses
        .get(row)
        .filter(|v| v.starts_with("SMTP:"))
        .count();
    let primary = advisory::primary_smtp(ctx, row).filter(|_| primaries == 1)?;
    let primary = repaired.unwrap_or(primary);
    if ctx
        .dir
        .text(attr, row)
        .is_some_and(|now| now.eq_ignore_ascii_case(primary))
    {
        return None; // the value's problem is the address's too
    }
    let clean = match attr {
        Attr::UserPrincipalName => upn::is_clean(ctx, row, primary),
        _ => mail::is_clean(ctx, row, primary),
    };
    let unique = || {
        index
            .holders(ctx, Space::Address, primary, row as u32)
            .is_empty()
    };
    (clean && unique()).then(|| primary.to_string())
}

/// Whether two findings are the same as the baseline identifies them (on one object): rule,
/// attribute and value ignoring case (`a_value` and `b_value` their values).
fn same_finding(a: &Finding, a_value: &str, b: &Finding, b_value: &str) -> bool {
    a.rule.code == b.rule.code && a.attribute == b.attribute && eq_lower(a_value, b_value)
}

/// Runs the per-object rules on every object as its kept suggestions (and REMOVE
/// recommendations) would leave it, all at once; a suggestion that makes a finding appear
/// that the object does not have now is withheld, and the object checked again.
fn no_new_findings(
    ctx: &Context,
    all: &[&Finding],
    objects: &[&[(u32, usize)]],
    verdicts: &mut [Option<Verdict>],
) {
    let verdicts_now: &[Option<Verdict>] = verdicts;
    // Objects are independent: checked in parallel, each thread on its own scratch copy of one
    // object, the verdicts applied in order after.
    let withheld: Vec<Vec<(usize, Verdict)>> = objects
        .par_iter()
        .map_init(Directory::default, |scratch, object| {
            let changes: Vec<Change> = object
                .iter()
                .filter_map(|&(_, i)| {
                    let f = all[i];
                    let new = match &verdicts_now[i] {
                        Some(Verdict::Keep) => f.suggested(),
                        Some(Verdict::Remove(_)) => None,
                        _ => return None,
                    };
                    Some(Change {
                        finding: i,
                        attribute: f.attribute,
                        old: f.value(ctx.dir),
                        new,
                    })
                })
                .collect();
            if changes.is_empty() {
                return Vec::new();
            }
            // What the object has now: its findings of this run.
            let now = Now::new(ctx.dir, object.iter().map(|(_, i)| all[*i]).collect());
            withhold_what_raises(ctx, scratch, object[0].0 as usize, changes, &now)
        })
        .collect();
    for (finding, verdict) in withheld.into_iter().flatten() {
        verdicts[finding] = Some(verdict);
    }
}

/// An object's findings of this run, to tell a finding it would have after its changes from
/// one it has now (as the baseline identifies them: rule, attribute, value ignoring case).
enum Now<'f> {
    /// Most objects have a few: compared one by one, nothing allocated (their values are
    /// read from the directory).
    Few(&'f Directory, Vec<&'f Finding>),
    /// An object with many (hundreds of flagged proxy addresses): hashed.
    Many(FxHashSet<(&'static str, Attr, String)>),
}

impl<'f> Now<'f> {
    fn new(dir: &'f Directory, findings: Vec<&'f Finding>) -> Now<'f> {
        if findings.len() <= 32 {
            Now::Few(dir, findings)
        } else {
            Now::Many(findings.iter().map(|f| identity(f, f.value(dir))).collect())
        }
    }

    /// Whether the object has finding `f` (of value `value`) now.
    fn has(&self, f: &Finding, value: &str) -> bool {
        match self {
            Now::Few(dir, now) => now.iter().any(|n| same_finding(n, n.value(dir), f, value)),
            Now::Many(now) => now.contains(&identity(f, value)),
        }
    }
}

fn identity(f: &Finding, value: &str) -> (&'static str, Attr, String) {
    (f.rule.code, f.attribute, value.to_lowercase())
}

/// The changes of object `row` to withhold, with the reason, until the rest raise nothing new
/// (`now`: the object's findings of this run).
fn withhold_what_raises(
    ctx: &Context,
    scratch: &mut Directory,
    row: usize,
    mut changes: Vec<Change>,
    now: &Now,
) -> Vec<(usize, Verdict)> {
    let mut withheld = Vec::new();
    while !changes.is_empty() {
        let after = object_after(ctx, scratch, row, &changes.iter().collect::<Vec<_>>());
        // The findings after the changes are of the object as loaded into `scratch`.
        let Some(raised) = after.iter().find(|f| !now.has(f, f.value(scratch))) else {
            break;
        };
        let raised_value = raised.value(scratch).to_owned();
        let blamed = blame(ctx, scratch, row, raised, &raised_value, &changes);
        let reason = format!(
            "it would raise {} ({}) on {} {:?}{}",
            raised.rule.code,
            raised.rule.slug,
            raised.attribute.ldap_name(),
            raised_value,
            if blamed.len() > 1 {
                " (with this object's other suggestions)"
            } else {
                ""
            },
        );
        for i in blamed.iter().rev() {
            let change = changes.remove(*i);
            let verdict = match change.new {
                Some(_) => Verdict::Withhold(reason.clone()),
                None => Verdict::Unsettled(reason.clone()),
            };
            withheld.push((change.finding, verdict));
        }
    }
    withheld
}

/// Which changes to withhold for a finding they raise: the one that wrote the flagged value;
/// else the first, among those of the attributes the rule looks at, without which the finding
/// is not raised; else all of those (or all).
fn blame(
    ctx: &Context,
    scratch: &mut Directory,
    row: usize,
    raised: &Finding,
    raised_value: &str,
    changes: &[Change],
) -> Vec<usize> {
    let wrote = changes.iter().position(|c| {
        c.attribute == raised.attribute && c.new.is_some_and(|n| eq_lower(n, raised_value))
    });
    if let Some(i) = wrote {
        return vec![i];
    }
    let related: Vec<usize> = (0..changes.len())
        .filter(|i| {
            let changed = changes[*i].attribute;
            raised.rule.attributes.contains(&changed)
        })
        .collect();
    for &i in &related {
        let without: Vec<&Change> = changes
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != i)
            .map(|(_, c)| c)
            .collect();
        if !object_after(ctx, scratch, row, &without)
            .iter()
            .any(|f| same_finding(f, f.value(scratch), raised, raised_value))
        {
            return vec![i];
        }
    }
    if related.is_empty() {
        (0..changes.len()).collect()
    } else {
        related
    }
}

/// The per-object findings of object `row` with `changes` applied (loaded into `scratch`).
fn object_after(
    ctx: &Context,
    scratch: &mut Directory,
    row: usize,
    changes: &[&Change],
) -> Vec<Finding> {
    let mut text: Vec<(Attr, &str)> = Vec::new();
    let mut proxies: Option<Vec<&str>> = None;
    for c in changes {
        let attr = c.attribute;
        match attr.shape() {
            AttrShape::Text => {
                if let Some(new) = c.new {
                    text.push((attr, new));
                }
            }
            AttrShape::TextList => {
                let list =
                    proxies.get_or_insert_with(|| ctx.dir.proxy_addresses.get(row).collect());
                if let Some(at) = list.iter().position(|v| *v == c.old) {
                    match c.new {
                        Some(new) => list[at] = new,
                        None => {
                            list.remove(at);
                        }
                    }
                }
            }
            _ => {}
        }
    }
    scratch.load_object_with(ctx.dir, row, &text, proxies.as_deref());
    // The per-object rules don't consult the scope (only uniqueness does).
    let scope = Scope::default();
    let probe = Context {
        dir: scratch,
        scope: &scope,
        options: ctx.options,
    };
    let mut out = Vec::new();
    registry::check_object(&probe, 0, &mut out);
    out
}
