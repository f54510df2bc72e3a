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
use super::{advisory, mail, registry, upn, Context};
use crate::directory::{Attr, AttrShape, ObjectKind};
use crate::findings::{Action, Finding, FindingList};
use crate::scope::Scope;
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};
use std::collections::BTreeMap;

/// What the re-check decided for one finding's suggestion.
enum Verdict {
    Keep(String),
    /// Withheld, with the reason shown in the note.
    Withhold(String, String),
    /// The corrected value is already on the object: remove the bad value instead.
    Remove(String),
    /// Neither a suggestion nor a removal can be recommended, for this reason.
    Unsettled(String),
}

/// A change one finding proposes to its object: `new` replaces `old` (`None`: removed).
struct Change {
    finding: usize,
    attribute: &'static str,
    old: String,
    new: Option<String>,
}

/// Re-checks every suggestion of `findings` (see the module documentation): keeps it, withholds
/// it with the reason in the finding's note, or turns it into a REMOVE recommendation.
pub fn recheck(ctx: &Context, index: &Index, findings: &mut FindingList) {
    prefer_primary_smtp(ctx, index, findings);
    let mut verdicts: Vec<Option<Verdict>> = Vec::new();
    // (space, normalized value) → (row, attribute, old value) of the suggestion that claimed it.
    let mut claimed: FxHashMap<(Space, String), (u32, &'static str, String)> = FxHashMap::default();
    // The first suggestion made for each (row, attribute, old value).
    let mut first: FxHashMap<(u32, &'static str, String), String> = FxHashMap::default();
    for f in findings.iter() {
        verdicts.push(
            f.suggested
                .as_ref()
                .map(|s| first_verdict(ctx, index, f, s, &mut claimed, &mut first)),
        );
    }
    no_new_findings(ctx, findings, &mut verdicts);
    for (f, verdict) in findings.iter_mut().zip(verdicts) {
        f.suggested = None;
        match verdict {
            None => {}
            Some(Verdict::Keep(s)) => f.suggested = Some(s),
            Some(Verdict::Withhold(s, reason)) => {
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
                let primary = if f.value.starts_with("SMTP:") {
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

fn add_note(f: &mut Finding, note: String) {
    f.note = Some(match f.note.take() {
        Some(n) => format!("{n}; {note}").into(),
        None => note.into(),
    });
}

/// The checks of one suggestion on its own: its attribute's rules, the object's other values,
/// other objects' values and other suggestions.
fn first_verdict(
    ctx: &Context,
    index: &Index,
    f: &Finding,
    suggested: &str,
    claimed: &mut FxHashMap<(Space, String), (u32, &'static str, String)>,
    first: &mut FxHashMap<(u32, &'static str, String), String>,
) -> Verdict {
    let withhold = |reason: String| Verdict::Withhold(suggested.to_string(), reason);
    let row = f.row as usize;
    if suggested == f.value {
        return withhold("no change would fix it".into());
    }
    // One value flagged by several rules takes one change: the first rule's suggestion.
    let key = (f.row, f.attribute, f.value.clone());
    match first.get(&key) {
        Some(earlier) if earlier != suggested => {
            return withhold(format!(
                "another finding on this value suggests {earlier:?}"
            ));
        }
        Some(_) => {}
        None => {
            first.insert(key, suggested.to_string());
        }
    }
    if let Some(existing) = held_by_object(ctx, row, f.attribute, &f.value, suggested) {
        return Verdict::Remove(existing.to_string());
    }
    if let Some(rule) = registry::validate(ctx, row, f.attribute, suggested) {
        return withhold(format!(
            "it would still break {} ({})",
            rule.code, rule.slug
        ));
    }
    let dn = |row: u32| ctx.dir.dn.get(row as usize).unwrap_or("another object");
    for (space, value) in unique_keys(ctx, row, f.attribute, suggested) {
        if let Some(other) = index.holders(ctx, space, &value, f.row).first() {
            return withhold(format!("it would collide with {}", dn(*other)));
        }
        let key = (space, value.to_lowercase());
        match claimed.get(&key) {
            Some((other, _, _)) if *other != f.row => {
                return withhold(format!(
                    "it would collide with the suggestion for {}",
                    dn(*other)
                ));
            }
            Some((_, attribute, old)) if *attribute == f.attribute && *old != f.value => {
                return withhold(format!(
                    "the suggestion for this object's value {old:?} is the same (remove this value if you accept that one)"
                ));
            }
            Some(_) => {}
            None => {
                claimed.insert(key, (f.row, f.attribute, f.value.clone()));
            }
        }
    }
    Verdict::Keep(suggested.to_string())
}

/// Another value of the object's multi-valued `attribute` equal to `suggested` ignoring case
/// (how Active Directory compares them, and Entra after normalizing the smtp: prefix).
fn held_by_object<'a>(
    ctx: &'a Context,
    row: usize,
    attribute: &str,
    old: &str,
    suggested: &str,
) -> Option<&'a str> {
    let attr = Attr::from_name(attribute.as_bytes())?;
    if attr.shape() != AttrShape::TextList {
        return None;
    }
    let wanted = suggested.to_lowercase();
    ctx.dir
        .proxy_addresses
        .get(row)
        .find(|v| *v != old && v.to_lowercase() == wanted)
}

/// The unique-value spaces `value` would take part in as object `row`'s `attribute`.
fn unique_keys(ctx: &Context, row: usize, attribute: &str, value: &str) -> Vec<(Space, String)> {
    if attribute == "sAMAccountName" {
        // Only an object without a UPN is identified by its account name, and Connect derives
        // its UPN from it.
        if ctx.dir.text(Attr::UserPrincipalName, row).is_some() {
            return Vec::new();
        }
        let mut keys = vec![(Space::Sam, value.to_string())];
        let user = matches!(
            ctx.dir.kind[row],
            ObjectKind::User | ObjectKind::InetOrgPerson
        );
        if let (true, Some(domain)) = (user, ctx.dir.dn.get(row).and_then(crate::dn::dns_domain)) {
            keys.push((Space::Address, format!("{value}@{domain}")));
        }
        return keys;
    }
    uniqueness::key_of(attribute, value)
        .map(|(space, key)| (space, key.to_string()))
        .into_iter()
        .collect()
}

/// The attribute a finding's suggestion may take from the primary SMTP address: the UPN's and
/// mail's own rules (not duplicates or collisions, whose fix is a choice between objects).
fn primary_candidate(f: &Finding) -> Option<Attr> {
    match f.attribute {
        "userPrincipalName" if upn::RULES.contains(&f.rule) => Some(Attr::UserPrincipalName),
        "mail" if mail::RULES.contains(&f.rule) => Some(Attr::Mail),
        _ => None,
    }
}

/// Points every UPN and mail finding's suggestion at the object's primary SMTP address, when
/// that address breaks no rule of the attribute and no other object holds it (Microsoft
/// recommends UPN = primary SMTP address, and Entra sets mail from it).
fn prefer_primary_smtp(ctx: &Context, index: &Index, findings: &mut FindingList) {
    // The primary address as its own suggestion would make it (re-suffixed, cleaned): the
    // address the object will have if the suggestions are accepted together.
    let mut repaired: FxHashMap<u32, String> = FxHashMap::default();
    for f in findings.iter() {
        if let (true, Some(new)) = (
            f.attribute == "proxyAddresses" && f.value.starts_with("SMTP:"),
            f.suggested.as_deref().and_then(|s| s.strip_prefix("SMTP:")),
        ) {
            repaired.entry(f.row).or_insert_with(|| new.to_string());
        }
    }
    let mut preferred: FxHashMap<(u32, Attr), Option<String>> = FxHashMap::default();
    for f in findings.iter_mut() {
        let Some(attr) = primary_candidate(f) else {
            continue;
        };
        let choice = preferred.entry((f.row, attr)).or_insert_with(|| {
            let row = f.row as usize;
            primary_for(
                ctx,
                index,
                row,
                attr,
                repaired.get(&f.row).map(String::as_str),
            )
        });
        if let Some(primary) = choice {
            f.suggested = Some(primary.clone());
        }
    }
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

/// A finding as the baseline identifies it (on one object): rule, attribute and value
/// ignoring case.
type Identity = (&'static str, &'static str, String);

fn identity(f: &Finding) -> Identity {
    (f.rule.code, f.attribute, f.value.to_lowercase())
}

/// Runs the per-object rules on every object as its kept suggestions (and REMOVE
/// recommendations) would leave it, all at once; a suggestion that makes a finding appear
/// that the object does not have now is withheld, and the object checked again.
fn no_new_findings(ctx: &Context, findings: &FindingList, verdicts: &mut [Option<Verdict>]) {
    let mut by_row: BTreeMap<u32, Vec<Change>> = BTreeMap::new();
    for (i, (f, verdict)) in findings.iter().zip(verdicts.iter()).enumerate() {
        let new = match verdict {
            Some(Verdict::Keep(s)) => Some(s.clone()),
            Some(Verdict::Remove(_)) => None,
            _ => continue,
        };
        by_row.entry(f.row).or_default().push(Change {
            finding: i,
            attribute: f.attribute,
            old: f.value.clone(),
            new,
        });
    }
    // What each of these objects has now: its findings of this run.
    let mut now: FxHashMap<u32, FxHashSet<Identity>> = FxHashMap::default();
    for f in findings.iter().filter(|f| by_row.contains_key(&f.row)) {
        now.entry(f.row).or_default().insert(identity(f));
    }
    // Objects are independent: checked in parallel, the verdicts applied in order after.
    let by_row: Vec<(u32, Vec<Change>, FxHashSet<Identity>)> = by_row
        .into_iter()
        .map(|(row, changes)| (row, changes, now.remove(&row).unwrap_or_default()))
        .collect();
    let withheld: Vec<Vec<(usize, Verdict)>> = by_row
        .into_par_iter()
        .map(|(row, changes, now)| withhold_what_raises(ctx, row as usize, changes, &now))
        .collect();
    for (finding, verdict) in withheld.into_iter().flatten() {
        verdicts[finding] = Some(verdict);
    }
}

/// The changes of object `row` to withhold, with the reason, until the rest raise nothing new.
fn withhold_what_raises(
    ctx: &Context,
    row: usize,
    mut changes: Vec<Change>,
    now: &FxHashSet<Identity>,
) -> Vec<(usize, Verdict)> {
    let mut withheld = Vec::new();
    while !changes.is_empty() {
        let after = object_after(ctx, row, &changes.iter().collect::<Vec<_>>());
        let Some(raised) = after.iter().find(|f| !now.contains(&identity(f))) else {
            break;
        };
        let blamed = blame(ctx, row, raised, &changes);
        let reason = format!(
            "it would raise {} ({}) on {} {:?}{}",
            raised.rule.code,
            raised.rule.slug,
            raised.attribute,
            raised.value,
            if blamed.len() > 1 {
                " (with this object's other suggestions)"
            } else {
                ""
            },
        );
        for i in blamed.iter().rev() {
            let change = changes.remove(*i);
            let verdict = match change.new {
                Some(s) => Verdict::Withhold(s, reason.clone()),
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
fn blame(ctx: &Context, row: usize, raised: &Finding, changes: &[Change]) -> Vec<usize> {
    let wrote = changes.iter().position(|c| {
        c.attribute == raised.attribute
            && c.new
                .as_deref()
                .is_some_and(|n| n.to_lowercase() == raised.value.to_lowercase())
    });
    if let Some(i) = wrote {
        return vec![i];
    }
    let related: Vec<usize> = (0..changes.len())
        .filter(|i| raised.rule.attributes.contains(&changes[*i].attribute))
        .collect();
    let wanted = identity(raised);
    for &i in &related {
        let without: Vec<&Change> = changes
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != i)
            .map(|(_, c)| c)
            .collect();
        if !object_after(ctx, row, &without)
            .iter()
            .any(|f| identity(f) == wanted)
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

/// The per-object findings of object `row` with `changes` applied.
fn object_after(ctx: &Context, row: usize, changes: &[&Change]) -> Vec<Finding> {
    let mut text: Vec<(Attr, &str)> = Vec::new();
    let mut proxies: Option<Vec<&str>> = None;
    for c in changes {
        let Some(attr) = Attr::from_name(c.attribute.as_bytes()) else {
            continue;
        };
        match attr.shape() {
            AttrShape::Text => {
                if let Some(new) = &c.new {
                    text.push((attr, new));
                }
            }
            AttrShape::TextList => {
                let list =
                    proxies.get_or_insert_with(|| ctx.dir.proxy_addresses.get(row).collect());
                if let Some(at) = list.iter().position(|v| *v == c.old) {
                    match &c.new {
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
    let one = ctx.dir.object_with(row, &text, proxies.as_deref());
    // The per-object rules don't consult the scope (only uniqueness does).
    let scope = Scope::default();
    let probe = Context {
        dir: &one,
        scope: &scope,
        options: ctx.options,
    };
    let mut out = Vec::new();
    registry::check_object(&probe, 0, &mut out);
    out
}
