//! Findings: what the rules report, one per object and value.

use crate::directory::attrs::Attr;
use crate::directory::Directory;
use crate::vocab::Rule;
pub use crate::vocab::{Action, Class, Severity};
use std::borrow::Cow;
use std::num::{NonZeroU16, NonZeroU32};

/// One problem with one value of one object.
///
/// 32 bytes: a run keeps every finding to the end (1.6 million at the 1M field shape), so
/// what few findings have (a value the directory does not hold, a suggestion, a note written
/// for the finding) is boxed apart, and a fixed note (a rule's own text, shared by hundreds of
/// thousands of findings) is a number. At 80 bytes, with those inline, the findings were a
/// fifth of the field shape's peak: 48 took it from 860 to 793 MiB (analyze with workbook and
/// JSON, 1M field csvde), the default shape's from 741 to 718 MiB. The value went into the box
/// later (48 to 32 bytes): most findings read theirs from the directory
/// ([`Finding::refer_to`]; 1,497,000 of 1,599,267 at the 1M field shape, 942,000 of
/// 1,072,840 at the default shape).
#[derive(Clone, Debug)]
pub struct Finding {
    pub rule: &'static Rule,
    /// The value when the finding holds its own, the suggestion and a written note, when the
    /// finding has any of them.
    more: Option<Box<More>>,
    /// Row of the object in the directory.
    pub row: u32,
    /// Duplicate or collision group (numbered from 1).
    group: Option<NonZeroU32>,
    /// Which of the directory's values of `attribute` at `row` the value is (`0` for a
    /// single-valued attribute, the place in the list for proxyAddresses), or [`OWN_VALUE`]
    /// when the finding holds its value (in its box; none there is the empty value). Read
    /// through [`Finding::value`].
    held: u16,
    /// The fixed note's number ([`fixed_notes`]), if the note is one.
    fixed_note: Option<NonZeroU16>,
    pub attribute: Attr,
    /// What synclint recommends (see [`Finding::recommendation`]).
    pub action: Action,
}

// The size the comment above gives, on 64-bit targets.
#[cfg(target_pointer_width = "64")]
const _: () = assert!(std::mem::size_of::<Finding>() == 32);

/// What few findings have.
#[derive(Clone, Debug, Default)]
struct More {
    /// The value, when the finding holds its own (empty when the directory holds it).
    value: Box<str>,
    /// A value that passes every rule and collides with nothing, when one can be derived.
    suggested: Option<Box<str>>,
    /// A note written for this finding (why a suggestion was withheld …).
    note: Option<Box<str>>,
}

impl More {
    fn is_empty(&self) -> bool {
        self.value.is_empty() && self.suggested.is_none() && self.note.is_none()
    }
}

impl Finding {
    pub fn new(rule: &'static Rule, row: usize, attribute: Attr, value: &str) -> Finding {
        Finding {
            rule,
            row: row as u32,
            attribute,
            held: OWN_VALUE,
            more: (!value.is_empty()).then(|| {
                Box::new(More {
                    value: value.into(),
                    ..More::default()
                })
            }),
            action: rule.default_action,
            group: None,
            fixed_note: None,
        }
    }

    /// The value found: the directory's own when it holds it ([`Finding::refer_to`]).
    pub fn value<'a>(&'a self, dir: &'a Directory) -> &'a str {
        if self.held == OWN_VALUE {
            return self.own_value();
        }
        dir.nth_value(self.attribute, self.row as usize, usize::from(self.held))
            .unwrap_or("")
    }

    /// The value the finding holds (empty when the directory holds it).
    fn own_value(&self) -> &str {
        self.more.as_ref().map_or("", |more| &more.value)
    }

    /// Whether the value is read from the directory ([`Finding::refer_to`]) rather than held
    /// by the finding.
    pub fn reads_value_from_directory(&self) -> bool {
        self.held != OWN_VALUE
    }

    /// Drops the finding's copy of its value when `dir` holds the same text as one of the
    /// values of the finding's attribute at its row: the value is then read from there. For
    /// findings that come in row order (the per-object checks'): reading a value back from
    /// the table then costs about what reading the copy did. At the 1M field shape (2.2
    /// million findings, values of 44 bytes on average) this lowered the peak from 942-972 MB
    /// to 865-885 MB, at the default shape from 795-800 MB to 751-753 MB (csvde and LDIF,
    /// analyze with workbook and JSON).
    pub fn refer_to(&mut self, dir: &Directory) {
        if self.held != OWN_VALUE {
            return;
        }
        if let Some(n) = dir.position_of(self.attribute, self.row as usize, self.own_value()) {
            if let Ok(n) = u16::try_from(n) {
                if n != OWN_VALUE {
                    self.held = n;
                    self.change_more(false, |more| more.value = Box::default());
                }
            }
        }
    }

    pub fn suggest(mut self, suggested: Option<String>) -> Finding {
        self.set_suggested(suggested.map(String::into_boxed_str));
        self
    }

    /// The suggested value, if one was derived.
    pub fn suggested(&self) -> Option<&str> {
        self.more.as_ref()?.suggested.as_deref()
    }

    /// Replaces the suggestion.
    pub fn set_suggested(&mut self, suggested: Option<Box<str>>) {
        self.change_more(suggested.is_some(), |more| more.suggested = suggested);
    }

    /// Changes the box of what few findings have: made when `adds` (something goes in it),
    /// dropped when nothing is left in it.
    fn change_more(&mut self, adds: bool, change: impl FnOnce(&mut More)) {
        if self.more.is_none() && !adds {
            return;
        }
        let more = self.more.get_or_insert_with(Box::default);
        change(more);
        if more.is_empty() {
            self.more = None;
        }
    }

    /// Takes the suggestion out of the finding.
    pub fn take_suggested(&mut self) -> Option<Box<str>> {
        let taken = self.more.as_mut()?.suggested.take();
        self.set_suggested(None);
        taken
    }

    pub fn note(mut self, note: impl Into<Cow<'static, str>>) -> Finding {
        self.set_note(note.into());
        self
    }

    /// Replaces the finding's own note: a rule's fixed text is kept as its number, any other
    /// text in the finding's box.
    pub fn set_note(&mut self, note: Cow<'static, str>) {
        let (fixed, written) = match note {
            Cow::Borrowed(text) => match fixed_notes::number(text) {
                Some(n) => (Some(n), None),
                None => (None, Some(Box::from(text))),
            },
            Cow::Owned(text) => (None, Some(text.into_boxed_str())),
        };
        self.fixed_note = fixed;
        self.change_more(written.is_some(), |more| more.note = written);
    }

    /// The finding's own note (not what a group's note adds: [`FindingList::note`]).
    pub fn own_note(&self) -> Option<&str> {
        match self.fixed_note {
            Some(n) => Some(fixed_notes::text(n)),
            None => self.more.as_ref()?.note.as_deref(),
        }
    }

    /// The note when it is a rule's fixed text (the same for many findings: outputs write
    /// it once).
    pub fn fixed_note(&self) -> Option<&'static str> {
        self.fixed_note.map(fixed_notes::text)
    }

    /// The finding's duplicate or collision group, numbered from 1.
    pub fn group(&self) -> Option<u32> {
        self.group.map(NonZeroU32::get)
    }

    /// Puts the finding in group `id` (numbered from 1; 0 takes it out of any).
    pub fn set_group(&mut self, id: u32) {
        self.group = NonZeroU32::new(id);
    }

    /// The workbook's read-only "Recommended" column: what synclint recommends, in words a
    /// reviewer can act on (one of [`RECOMMENDATIONS`]).
    pub fn recommendation(&self) -> &'static str {
        match (
            self.action,
            self.group.is_some(),
            self.suggested().is_some(),
        ) {
            (Action::Complete, _, _) => RECOMMENDATIONS[0],
            (_, true, _) => RECOMMENDATIONS[1],
            (Action::Remove, false, _) => RECOMMENDATIONS[2],
            (Action::Edit, false, true) => RECOMMENDATIONS[3],
            (Action::Edit, false, false) => RECOMMENDATIONS[4],
        }
    }
}

/// The rules' fixed notes (`&'static str`s, a handful a run), numbered from 1 in the order
/// findings first carry them, for the process: a finding keeps the number (2 bytes) rather
/// than the text's address and length (16). Each thread keeps the numbers it has seen, so
/// only a note new to a thread takes the lock.
mod fixed_notes {
    use std::cell::RefCell;
    use std::num::NonZeroU16;
    use std::sync::RwLock;

    static NOTES: RwLock<Vec<&'static str>> = RwLock::new(Vec::new());

    thread_local! {
        /// The notes this thread has numbered or read, by number (a copy of a prefix of
        /// `NOTES`).
        static KNOWN: RefCell<Vec<&'static str>> = const { RefCell::new(Vec::new()) };
    }

    /// The number of `note`, given one when it is new; `None` once 65,535 notes are numbered
    /// (the note is then written out by the finding).
    pub fn number(note: &'static str) -> Option<NonZeroU16> {
        let same = |known: &&'static str| std::ptr::eq(*known, note) || *known == note;
        if let Some(i) = KNOWN.with_borrow(|known| known.iter().position(same)) {
            return NonZeroU16::new(u16::try_from(i + 1).ok()?);
        }
        let mut notes = NOTES
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let i = match notes.iter().position(same) {
            Some(i) => i,
            None if notes.len() < usize::from(u16::MAX) => {
                notes.push(note);
                notes.len() - 1
            }
            None => return None,
        };
        KNOWN.with_borrow_mut(|known| *known = notes.clone());
        NonZeroU16::new(u16::try_from(i + 1).ok()?)
    }

    /// The text of note `n`.
    pub fn text(n: NonZeroU16) -> &'static str {
        let i = usize::from(n.get()) - 1;
        if let Some(text) = KNOWN.with_borrow(|known| known.get(i).copied()) {
            return text;
        }
        let notes = NOTES
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let text = notes.get(i).copied().unwrap_or("");
        KNOWN.with_borrow_mut(|known| *known = notes.clone());
        text
    }
}

/// `Finding::held` of a finding that holds its own value.
const OWN_VALUE: u16 = u16::MAX;

/// Every text of the "Recommended" column.
pub const RECOMMENDATIONS: [&str; 5] = [
    "nothing to do",
    "keep on one holder: REMOVE or EDIT it on the others",
    "REMOVE",
    "EDIT (accept the suggested value)",
    "EDIT by hand (no suggestion)",
];

/// Findings in order, kept in the chunks the parallel checks produced: concatenating them
/// would hold every finding twice at the peak.
#[derive(Clone, Debug, Default)]
pub struct FindingList {
    chunks: Vec<Vec<Finding>>,
    /// The holders of every duplicate and collision group, by the findings' `group`.
    pub groups: Groups,
}

impl FindingList {
    pub fn push_chunk(&mut self, mut chunk: Vec<Finding>) {
        if !chunk.is_empty() {
            // A chunk grew by doubling: its spare half would be held to the end of the run.
            chunk.shrink_to_fit();
            self.chunks.push(chunk);
        }
    }

    pub fn len(&self) -> usize {
        self.chunks.iter().map(Vec::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.chunks.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Finding> + '_ {
        self.chunks.iter().flatten()
    }

    /// The findings in order, for rayon (collecting keeps the order). Indexed (a finding's
    /// place follows from the chunks' lengths), so that collecting something per finding
    /// writes it straight into one vector: through `flat_map_iter` rayon gathered the
    /// results in per-thread vectors first, and the JSON's items (one a finding) were held
    /// twice at the run's peak.
    pub fn par_iter(&self) -> impl rayon::iter::IndexedParallelIterator<Item = &Finding> + '_ {
        use rayon::prelude::*;
        let mut ends = Vec::with_capacity(self.chunks.len());
        let mut total = 0;
        for chunk in &self.chunks {
            total += chunk.len();
            ends.push(total);
        }
        (0..total).into_par_iter().map(move |i| {
            // The chunk holding finding `i`: the first whose end is past it.
            let c = ends.partition_point(|&end| end <= i);
            let start = c.checked_sub(1).map_or(0, |p| ends[p]);
            &self.chunks[c][i - start]
        })
    }

    /// The findings in the chunks they were pushed in, for work split by chunk.
    pub fn chunks(&self) -> &[Vec<Finding>] {
        &self.chunks
    }

    pub fn iter_mut(&mut self) -> impl Iterator<Item = &mut Finding> + '_ {
        self.chunks.iter_mut().flatten()
    }

    /// A finding's whole note, as outputs show it (before redaction): for a finding of a
    /// group, `also held by CN=b,… (mail, proxyAddresses); CN=c,… (userPrincipalName)` (every
    /// other holder of the value and the attributes through which it holds it), then its own
    /// note after `; `.
    pub fn note<'a>(&self, dir: &Directory, finding: &'a Finding) -> Cow<'a, str> {
        let own = finding.own_note();
        let Some((id, holders)) = finding
            .group()
            .and_then(|id| Some((id, self.groups.holders(id)?)))
        else {
            return Cow::Borrowed(own.unwrap_or(""));
        };
        // Sized once: grown push by push, a note of ten DNs was reallocated about twice per
        // finding (1.2% of a field-shaped run's instructions).
        let mut note = String::with_capacity(self.note_len_bound(dir, finding));
        let me = holder_of(holders, finding.row);
        if finding.attribute == Attr::UserPrincipalName && me.is_some_and(|h| h.derived_upn) {
            note.push_str("derived UPN (no userPrincipalName); ");
        }
        let others = holders.len() - usize::from(me.is_some());
        write_holders(&mut note, dir, id, holders, me.map(|h| h.row), others);
        if let Some(own) = own {
            note.push_str("; ");
            note.push_str(own);
        }
        Cow::Owned(note)
    }

    /// The group whose [`FindingList::shared_note`] is `finding`'s whole note, if it has one:
    /// the finding is not among the holders its group's notes name, and has no note of its
    /// own. In a group of a thousand holders (as the field shape's X.400 addresses made, when
    /// the entra profile still compared them) all but ten rows show the same text, which the
    /// workbook then writes once.
    pub fn shares_note(&self, finding: &Finding) -> Option<u32> {
        let id = finding.group()?;
        let holders = self.groups.holders(id)?;
        if finding.own_note().is_some() || holders.len() <= HOLDERS_NAMED + 1 {
            return None;
        }
        let me = holder_of(holders, finding.row);
        let derived =
            finding.attribute == Attr::UserPrincipalName && me.is_some_and(|h| h.derived_upn);
        let named = holders[..HOLDERS_NAMED]
            .iter()
            .any(|h| h.row == finding.row);
        (!derived && !named).then_some(id)
    }

    /// The note shown by every finding of group `id` that [`FindingList::shares_note`]
    /// names: its first holders, then how many more. `None` for a group too small to have one.
    pub fn shared_note(&self, dir: &Directory, id: u32) -> Option<String> {
        let holders = self.groups.holders(id)?;
        if holders.len() <= HOLDERS_NAMED + 1 {
            return None;
        }
        // Written as for any holder past the named ones: they name the first ones, and count
        // the group less themselves.
        let mut note = String::new();
        write_holders(&mut note, dir, id, holders, None, holders.len() - 1);
        Some(note)
    }

    /// The numbers of the groups, from 1.
    pub fn group_ids(&self) -> std::ops::RangeInclusive<u32> {
        1..=self.groups.len() as u32
    }

    /// A bound on the bytes of [`FindingList::note`] of `finding` (never fewer), without
    /// writing it.
    pub fn note_len_bound(&self, dir: &Directory, finding: &Finding) -> usize {
        let own = finding.own_note().map_or(0, |n| n.len() + 2);
        let Some(holders) = finding.group().and_then(|id| self.groups.holders(id)) else {
            return own;
        };
        let named: usize = holders
            .iter()
            .take(HOLDERS_NAMED + 1)
            .map(|h| dir.dn.get(h.row as usize).map_or(0, str::len) + 5 + HOLDER_NAMES_LEN)
            .sum();
        // The derived UPN's words, "also held by ", " and N more objects (group G)".
        own + 36 + 13 + named + 60
    }
}

/// The holder on `row`: holders are in row order, and a group of a thousand holders (the
/// field shape) scanned for each of its findings cost a million steps.
fn holder_of(holders: &[Holder], row: u32) -> Option<&Holder> {
    match holders.binary_search_by_key(&row, |h| h.row) {
        Ok(i) => holders.get(i),
        // Not in row order after all: look through them.
        Err(_) => holders.iter().find(|h| h.row == row),
    }
}

/// `also held by` the first [`HOLDERS_NAMED`] holders other than `me` (with the attributes
/// through which each holds the value), and how many more of the `others`.
fn write_holders(
    note: &mut String,
    dir: &Directory,
    id: u32,
    holders: &[Holder],
    me: Option<u32>,
    others: usize,
) {
    note.push_str("also held by ");
    let named = holders.iter().filter(|h| Some(h.row) != me);
    for (i, holder) in named.take(HOLDERS_NAMED).enumerate() {
        if i > 0 {
            note.push_str("; ");
        }
        note.push_str(dir.dn.get(holder.row as usize).unwrap_or(""));
        note.push_str(" (");
        for (j, attribute) in holder.attributes().enumerate() {
            if j > 0 {
                note.push_str(", ");
            }
            note.push_str(attribute.ldap_name());
        }
        note.push(')');
    }
    let more = others.saturating_sub(HOLDERS_NAMED);
    if more > 0 {
        note.push_str(" and ");
        note.push_str(itoa::Buffer::new().format(more));
        note.push_str(" more objects (group ");
        note.push_str(itoa::Buffer::new().format(id));
        note.push(')');
    }
}

/// Holders named in a group finding's note: beyond this a note would grow with the square of
/// the group (every holder's row lists every other), so the rest are counted and found by
/// group (the Group column). Ten, not the 50 of before: on the field shape (60,000 findings
/// in groups of ~100, 100k objects) fifty DNs a row made the notes 300 MB of the workbook's
/// XML and most of its time, and a cell of fifty DNs is not read anyway.
pub const HOLDERS_NAMED: usize = 10;

/// The attributes through which an object can hold a unique value, in the order a note names
/// them.
pub const HOLDER_ATTRIBUTES: [Attr; 6] = [
    Attr::UserPrincipalName,
    Attr::Mail,
    Attr::ProxyAddresses,
    Attr::TargetAddress,
    Attr::MailNickname,
    Attr::SamAccountName,
];

/// The bytes of every name of [`HOLDER_ATTRIBUTES`] with their separators.
const HOLDER_NAMES_LEN: usize = 17 + 4 + 14 + 13 + 12 + 14 + 5 * 2;

/// One object holding a group's value.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Holder {
    pub row: u32,
    /// Bit `i`: it holds the value through `HOLDER_ATTRIBUTES[i]`.
    attributes: u8,
    /// Its userPrincipalName is the one Connect derives (it has none).
    pub derived_upn: bool,
}

impl Holder {
    pub fn new(row: u32) -> Holder {
        Holder {
            row,
            attributes: 0,
            derived_upn: false,
        }
    }

    /// It holds the value through `attribute` too (an attribute not in [`HOLDER_ATTRIBUTES`]
    /// is not named).
    pub fn add(&mut self, attribute: Attr) {
        if let Some(i) = HOLDER_ATTRIBUTES.iter().position(|a| *a == attribute) {
            self.attributes |= 1 << i;
        }
    }

    pub fn attributes(&self) -> impl Iterator<Item = Attr> + Clone + '_ {
        HOLDER_ATTRIBUTES
            .iter()
            .enumerate()
            .filter(|(i, _)| self.attributes >> i & 1 == 1)
            .map(|(_, a)| *a)
    }
}

/// The holders of each duplicate or collision group, numbered from 1 in the order pushed. A
/// group's findings write their "also held by …" note from here when an output shows it:
/// written for every finding up front, the notes of the field shape's 60,000 findings in
/// groups of about 100 holders (100k objects) were 300 MB, most of the collision stage's
/// time and two thirds of the run's peak memory, for outputs (the JSON) that never show them.
#[derive(Clone, Debug, Default)]
pub struct Groups {
    /// Group `g`'s holders are `holders[starts[g - 1]..starts[g]]`.
    starts: Vec<u32>,
    holders: Vec<Holder>,
}

impl Groups {
    /// Adds a group's holders (in row order); returns its number.
    pub fn push(&mut self, holders: &[Holder]) -> u32 {
        if self.starts.is_empty() {
            self.starts.push(0);
        }
        self.holders.extend_from_slice(holders);
        self.starts.push(self.holders.len() as u32);
        (self.starts.len() - 1) as u32
    }

    /// How many groups there are.
    pub fn len(&self) -> usize {
        self.starts.len().saturating_sub(1)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Group `id`'s holders, in row order.
    pub fn holders(&self, id: u32) -> Option<&[Holder]> {
        let id = id as usize;
        let (start, end) = (*self.starts.get(id.checked_sub(1)?)?, *self.starts.get(id)?);
        self.holders.get(start as usize..end as usize)
    }
}

impl<'a> IntoIterator for &'a FindingList {
    type Item = &'a Finding;
    type IntoIter = std::iter::Flatten<std::slice::Iter<'a, Vec<Finding>>>;

    fn into_iter(self) -> Self::IntoIter {
        self.chunks.iter().flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rayon::prelude::*;

    /// A fixed note is kept as a number and read back as the same text, on any thread; a
    /// written note, a suggestion and a value of the finding's own live in the finding's box,
    /// which goes when all are gone.
    #[test]
    fn notes_and_suggestions_read_back_as_they_were_set() {
        const FIXED: &str = "a rule's fixed text";
        let rule = crate::rules::registry::RULES[0];
        let f = Finding::new(rule, 7, Attr::Mail, "").note(FIXED);
        assert_eq!(f.own_note(), Some(FIXED));
        assert_eq!(f.fixed_note(), Some(FIXED));
        assert!(f.more.is_none(), "a fixed note needs no box");
        let elsewhere = std::thread::spawn(move || {
            let again = Finding::new(rule, 8, Attr::Mail, "x").note(FIXED);
            (
                f.own_note().map(str::to_string),
                again.fixed_note == f.fixed_note,
            )
        })
        .join()
        .expect("thread");
        assert_eq!(elsewhere, (Some(FIXED.to_string()), true));

        let mut f = Finding::new(rule, 7, Attr::Mail, "")
            .note(FIXED)
            .note(format!("written {}", 1))
            .suggest(Some("b@b.c".into()));
        assert_eq!(f.own_note(), Some("written 1"));
        assert_eq!(f.fixed_note(), None);
        assert_eq!(f.suggested(), Some("b@b.c"));
        assert_eq!(f.take_suggested().as_deref(), Some("b@b.c"));
        assert_eq!(f.suggested(), None);
        assert!(f.more.is_some(), "the written note stays");
        f.set_note(Cow::Borrowed(FIXED));
        assert_eq!(f.own_note(), Some(FIXED));
        assert!(f.more.is_none(), "nothing left in the box");

        f.set_group(3);
        assert_eq!(f.group(), Some(3));
        assert_eq!(f.recommendation(), RECOMMENDATIONS[1]);

        let mut f = Finding::new(rule, 7, Attr::Mail, "a@b.c").note(FIXED);
        assert!(f.more.is_some(), "its own value is in the box");
        assert_eq!(f.own_value(), "a@b.c");
        f.set_note(Cow::Owned("written".into()));
        f.set_note(Cow::Borrowed(FIXED));
        assert_eq!(f.own_value(), "a@b.c", "the box stays for the value");
    }

    /// A value the directory holds is read from there, and the finding keeps no box for it;
    /// one it does not hold stays the finding's own.
    #[test]
    fn a_value_the_directory_holds_takes_no_box() {
        let ingest = crate::ingest::read_ldif_text(
            "dn: CN=A,DC=contoso,DC=com\nobjectClass: user\nmail: a@contoso.com\n\
             proxyAddresses: SMTP:a@contoso.com\nproxyAddresses: smtp:b@contoso.com\n\n",
        );
        let dir = &ingest.directory;
        let rule = crate::rules::registry::RULES[0];
        for (attribute, value, from_directory) in [
            (Attr::Mail, "a@contoso.com", true),
            (Attr::ProxyAddresses, "smtp:b@contoso.com", true),
            (Attr::ProxyAddresses, "smtp:c@contoso.com", false),
        ] {
            let mut f = Finding::new(rule, 0, attribute, value);
            f.refer_to(dir);
            assert_eq!(f.value(dir), value);
            assert_eq!(f.reads_value_from_directory(), from_directory, "{value}");
            assert_eq!(f.more.is_none(), from_directory, "{value}");
        }
    }

    #[test]
    fn par_iter_visits_every_finding_in_order_across_chunks() {
        let rule = crate::rules::registry::RULES[0];
        let mut list = FindingList::default();
        let mut row = 0;
        for len in [3, 0, 1, 4096, 2, 7] {
            let chunk: Vec<Finding> = (0..len)
                .map(|_| {
                    row += 1;
                    Finding::new(rule, row, Attr::Mail, "v")
                })
                .collect();
            list.push_chunk(chunk);
        }
        let rows: Vec<u32> = list.par_iter().map(|f| f.row).collect();
        assert_eq!(rows, (1..=row as u32).collect::<Vec<_>>());
        assert_eq!(list.par_iter().len(), list.len());
        assert_eq!(FindingList::default().par_iter().count(), 0);
    }
}
