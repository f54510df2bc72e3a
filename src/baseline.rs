//! Run-to-run tracking: every finding gets a stable id, a run's JSON lists them, and a later
//! run compared with it reports what is new, resolved and unchanged.

use crate::directory::Directory;
use crate::error::Error;
use crate::findings::{Finding, FindingList};
use crate::redact::Redactor;
use crate::view::Views;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::borrow::Cow;
use std::path::Path;

/// One finding as the JSON lists it. This run's items borrow their text from the analysis
/// (a million findings would otherwise copy every DN and value once more); a loaded baseline
/// owns its text.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Item<'a> {
    /// Hash of rule, object (objectGUID, else DN), attribute and normalized value: the same
    /// problem keeps its id across runs, wherever the object sits in the export.
    pub id: String,
    pub rule: Cow<'a, str>,
    pub dn: Cow<'a, str>,
    pub attribute: Cow<'a, str>,
    pub value: Cow<'a, str>,
}

impl Item<'_> {
    pub fn into_owned(self) -> Item<'static> {
        Item {
            id: self.id,
            rule: Cow::Owned(self.rule.into_owned()),
            dn: Cow::Owned(self.dn.into_owned()),
            attribute: Cow::Owned(self.attribute.into_owned()),
            value: Cow::Owned(self.value.into_owned()),
        }
    }
}

/// The stable id of a finding: the first 8 bytes of a SHA-256 over the rule, the object
/// (its objectGUID as text, else its DN lower-cased), the attribute lower-cased and the value
/// lower-cased, each followed by a zero byte. The JSON shows it as 16 lower-case hex digits.
#[cfg(test)]
fn finding_id(rule: &str, object: &str, attribute: &str, value: &str) -> String {
    id_text(id_bits(rule, Object::AsIs(object), attribute, value))
}

/// The id as the JSON shows it.
fn id_text(id: u64) -> String {
    String::from_utf8_lossy(&id_hex(id)).into_owned()
}

/// The id's 16 lower-case hex digits, on the stack.
fn id_hex(id: u64) -> [u8; 16] {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut text = [0u8; 16];
    for (i, digit) in text.iter_mut().enumerate() {
        *digit = DIGITS[(id >> (60 - 4 * i) & 15) as usize];
    }
    text
}

/// The object part of an id.
enum Object<'a> {
    /// The objectGUID, in wire order: hashed as its text.
    Guid(&'a [u8; 16]),
    /// The DN: hashed lower-cased.
    Dn(&'a str),
    /// Text hashed as it is (tests).
    #[cfg(test)]
    AsIs(&'a str),
}

thread_local! {
    /// The message of the id being made: the parts are put together here and hashed at once.
    static MESSAGE: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// The id's bits. The parts are lower-cased into one buffer a thread keeps and hashed in one
/// call: fed to the hasher part by part (eight updates an id, each through the hasher's block
/// buffer), the ids of the 1M field shape's 1.6M findings were 10 % of a run writing only the
/// JSON (`perf`), the SHA-256 rounds themselves 3 %.
fn id_bits(rule: &str, object: Object<'_>, attribute: &str, value: &str) -> u64 {
    MESSAGE.with_borrow_mut(|m| {
        m.clear();
        m.extend_from_slice(rule.as_bytes());
        m.push(0);
        match object {
            Object::Guid(wire) => m.extend_from_slice(&crate::hex::guid_text(wire)),
            Object::Dn(dn) => push_lowercase(m, dn),
            #[cfg(test)]
            Object::AsIs(text) => m.extend_from_slice(text.as_bytes()),
        }
        m.push(0);
        push_ascii_lowercase(m, attribute);
        m.push(0);
        push_lowercase(m, value);
        m.push(0);
        let digest = Sha256::digest(m.as_slice());
        let mut first = [0u8; 8];
        first.copy_from_slice(&digest[..8]);
        u64::from_be_bytes(first)
    })
}

/// Appends `text` as `str::to_ascii_lowercase` would give it.
fn push_ascii_lowercase(m: &mut Vec<u8>, text: &str) {
    let start = m.len();
    m.extend_from_slice(text.as_bytes());
    m[start..].make_ascii_lowercase();
}

/// Appends `text` as `str::to_lowercase` would give it: ASCII without allocating; other text
/// through `to_lowercase` itself (its context rules, such as a final sigma, included).
fn push_lowercase(m: &mut Vec<u8>, text: &str) {
    if text.is_ascii() {
        push_ascii_lowercase(m, text);
    } else {
        m.extend_from_slice(text.to_lowercase().as_bytes());
    }
}

/// The findings of a run as the JSON's items, made when they are written rather than held:
/// a million items (id, DN, value) took about 200 bytes each for the whole workbook stage.
/// The ids are kept (8 bytes a finding) only when a baseline comparison needs them too.
pub struct FindingItems<'a> {
    dir: &'a Directory,
    findings: &'a FindingList,
    views: Views<'a, 'a>,
    ids: Option<Vec<u64>>,
}

impl<'a> FindingItems<'a> {
    /// Takes the analysis's parts rather than the analysis, so that the caller can still
    /// record changes and timings in it while the items borrow from these.
    pub fn new(
        dir: &'a Directory,
        findings: &'a FindingList,
        redactor: Option<&'a Redactor>,
    ) -> FindingItems<'a> {
        FindingItems {
            dir,
            findings,
            views: Views::new(dir, findings, redactor),
            ids: None,
        }
    }

    pub fn len(&self) -> usize {
        self.findings.len()
    }

    pub fn is_empty(&self) -> bool {
        self.findings.is_empty()
    }

    /// Every finding's id, in order (in parallel), kept for what follows.
    fn ids(&mut self) -> &[u64] {
        use rayon::prelude::*;
        let dir = self.dir;
        let findings = self.findings;
        self.ids
            .get_or_insert_with(|| {
                let mut ids = Vec::with_capacity(findings.len());
                ids.par_extend(
                    findings
                        .chunks()
                        .par_iter()
                        .flat_map_iter(|c| c.iter().map(|f| id_of(dir, f))),
                );
                ids
            })
            .as_slice()
    }

    /// The findings in order, in slices of at most `most` with the index of their first.
    pub fn pieces(&self, most: usize) -> Vec<(usize, &'a [Finding])> {
        let mut at = 0;
        let mut pieces = Vec::new();
        for chunk in self.findings.chunks() {
            for piece in chunk.chunks(most.max(1)) {
                pieces.push((at, piece));
                at += piece.len();
            }
        }
        pieces
    }

    /// The id of finding `f`, the `i`th.
    fn id(&self, i: usize, f: &Finding) -> u64 {
        match self.ids.as_deref().and_then(|ids| ids.get(i)) {
            Some(id) => *id,
            None => id_of(self.dir, f),
        }
    }

    /// Finding `f` (the `i`th) as an item, its texts as shown.
    pub fn item(&self, i: usize, f: &'a Finding) -> Item<'a> {
        Item {
            id: id_text(self.id(i, f)),
            rule: Cow::Borrowed(f.rule.code),
            dn: self.views.dn(self.dir.dn.get(f.row as usize).unwrap_or("")),
            attribute: Cow::Borrowed(f.attribute.ldap_name()),
            value: self.views.value(f.attribute.ldap_name(), f.value(self.dir)),
        }
    }

    /// Appends finding `f` (the `i`th) as its item's JSON, byte for byte as serde_json writes
    /// an [`Item`] (written by hand: see [`push_json_str`]).
    pub fn write_json(&self, i: usize, f: &Finding, out: &mut Vec<u8>) {
        let id = id_hex(self.id(i, f));
        let dn = self.views.dn(self.dir.dn.get(f.row as usize).unwrap_or(""));
        let value = self.views.value(f.attribute.ldap_name(), f.value(self.dir));
        out.extend_from_slice(b"{\"id\":\"");
        out.extend_from_slice(&id);
        out.extend_from_slice(b"\",\"rule\":");
        push_json_str(out, f.rule.code);
        out.extend_from_slice(b",\"dn\":");
        push_json_str(out, &dn);
        out.extend_from_slice(b",\"attribute\":");
        push_json_str(out, f.attribute.ldap_name());
        out.extend_from_slice(b",\"value\":");
        push_json_str(out, &value);
        out.push(b'}');
    }
}

/// Appends `text` as a JSON string exactly as serde_json writes it: `"` and `\\` escaped with a
/// backslash, the control characters below 0x20 as `\b \t \n \f \r` or `\u00xx` (lower-case
/// hex), everything else (DEL, non-ASCII) as is. Eight bytes are checked at a time: serde's
/// byte-by-byte table took about 30% of the JSON stage's CPU (perf, 438,129 findings of a
/// 200k-object field export); this takes half its instructions (callgrind, 100k objects:
/// 567M -> 280M), and the JSON's CPU time fell from 0.26 to 0.19 s (200k, one thread).
pub fn push_json_str(out: &mut Vec<u8>, text: &str) {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    /// Whether any byte of `word` is below 0x20, a `"` or a `\\` (exact for the word as a
    /// whole: the borrow of the subtraction only reaches above a byte that matches).
    fn needs_escape(word: u64) -> bool {
        let zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGH;
        let control = word.wrapping_sub(ONES * 0x20) & !word & HIGH;
        (control | zero(word ^ (ONES * u64::from(b'"'))) | zero(word ^ (ONES * u64::from(b'\\'))))
            != 0
    }
    let bytes = text.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    // `start` is the first byte not yet copied; `at` the next to look at.
    let mut start = 0;
    let mut at = 0;
    while at < bytes.len() {
        if let Some(word) = bytes.get(at..at + 8) {
            let mut eight = [0u8; 8];
            eight.copy_from_slice(word);
            if !needs_escape(u64::from_le_bytes(eight)) {
                at += 8;
                continue;
            }
        }
        let byte = bytes[at];
        let escape: &[u8] = match byte {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            0x08 => b"\\b",
            0x09 => b"\\t",
            0x0a => b"\\n",
            0x0c => b"\\f",
            0x0d => b"\\r",
            0x00..=0x1f => &[],
            _ => {
                at += 1;
                continue;
            }
        };
        out.extend_from_slice(&bytes[start..at]);
        if escape.is_empty() {
            const DIGITS: &[u8; 16] = b"0123456789abcdef";
            out.extend_from_slice(&[
                b'\\',
                b'u',
                b'0',
                b'0',
                DIGITS[usize::from(byte >> 4)],
                DIGITS[usize::from(byte & 15)],
            ]);
        } else {
            out.extend_from_slice(escape);
        }
        at += 1;
        start = at;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

/// The id of finding `f`.
fn id_of(dir: &Directory, f: &Finding) -> u64 {
    let row = f.row as usize;
    let attribute = f.attribute.ldap_name();
    match dir.object_guid.get(row).copied().flatten() {
        Some(guid) => id_bits(f.rule.code, Object::Guid(&guid), attribute, f.value(dir)),
        None => {
            let dn = dir.dn.get(row).unwrap_or("");
            id_bits(f.rule.code, Object::Dn(dn), attribute, f.value(dir))
        }
    }
}

/// What changed since a baseline run.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Changes {
    pub baseline: String,
    pub new: u64,
    pub resolved: u64,
    pub unchanged: u64,
    #[serde(skip)]
    pub new_items: Vec<Item<'static>>,
    #[serde(skip)]
    pub resolved_items: Vec<Item<'static>>,
}

/// Compares this run's findings with a baseline's (and keeps their ids for the JSON).
pub fn compare(
    baseline: &str,
    current: &mut FindingItems<'_>,
    previous: &[Item<'static>],
) -> Changes {
    current.ids();
    let current = &*current;
    let ids = current.ids.as_deref().unwrap_or_default();
    changes_between(baseline, ids, previous, |new| {
        // `new` is in finding order: one walk over the findings picks them.
        let mut wanted = new.iter().copied().peekable();
        let mut items = Vec::with_capacity(new.len());
        for (i, f) in current.findings.iter().enumerate() {
            if wanted.peek() == Some(&i) {
                wanted.next();
                items.push(current.item(i, f).into_owned());
            }
        }
        items
    })
}

/// The changes between this run's finding ids and a baseline's items; `items_at` makes the
/// items of this run's findings at the given indices (in order).
fn changes_between(
    baseline: &str,
    current: &[u64],
    previous: &[Item<'static>],
    items_at: impl FnOnce(&[usize]) -> Vec<Item<'static>>,
) -> Changes {
    use rustc_hash::FxHashSet;
    // A baseline id that is not 16 lower-case hex digits is no id this run can give.
    let parse = |id: &str| {
        (id.len() == 16 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
            .then(|| u64::from_str_radix(id, 16).ok())
            .flatten()
    };
    let before: FxHashSet<u64> = previous.iter().filter_map(|i| parse(&i.id)).collect();
    let now: FxHashSet<u64> = current.iter().copied().collect();
    let new: Vec<usize> = (0..current.len())
        .filter(|i| !before.contains(&current[*i]))
        .collect();
    let resolved_items: Vec<Item<'static>> = previous
        .iter()
        .filter(|i| !parse(&i.id).is_some_and(|id| now.contains(&id)))
        .cloned()
        .collect();
    let unchanged = (current.len() - new.len()) as u64;
    let new_items = items_at(&new);
    Changes {
        baseline: baseline.to_string(),
        new: new_items.len() as u64,
        resolved: resolved_items.len() as u64,
        unchanged,
        new_items,
        resolved_items,
    }
}

#[derive(Deserialize)]
struct PreviousRun {
    items: Vec<Item<'static>>,
}

/// The findings of a previous run's JSON summary.
pub fn load(path: &Path) -> Result<Vec<Item<'static>>, Error> {
    let error = |reason: String| Error::Baseline {
        path: path.to_path_buf(),
        reason,
    };
    let file = std::fs::File::open(path).map_err(|e| error(e.to_string()))?;
    let previous: PreviousRun =
        serde_json::from_reader(std::io::BufReader::new(file)).map_err(|e| error(e.to_string()))?;
    Ok(previous.items)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(id: &str) -> Item<'static> {
        Item {
            id: id.into(),
            rule: "SL101".into(),
            dn: "".into(),
            attribute: "".into(),
            value: "".into(),
        }
    }

    #[test]
    fn ids_are_stable_and_case_blind_on_values() {
        let a = finding_id("SL101", "guid", "userPrincipalName", "A B@x.com");
        assert_eq!(
            a,
            finding_id("SL101", "guid", "userprincipalname", "a b@X.COM")
        );
        assert_ne!(
            a,
            finding_id("SL102", "guid", "userPrincipalName", "A B@x.com")
        );
        assert_eq!(a.len(), 16);
    }

    /// The ids as they were first made (every part lower-cased into a new string, the
    /// GUID formatted by `hex`): the ids of earlier runs' JSON, which a baseline compares
    /// with, so they must not change.
    fn allocating_id(rule: &str, object: &str, attribute: &str, value: &str) -> String {
        let mut h = Sha256::new();
        for part in [
            rule,
            object,
            &attribute.to_ascii_lowercase(),
            &value.to_lowercase(),
        ] {
            h.update(part.as_bytes());
            h.update([0]);
        }
        crate::hex::lower_hex(&h.finalize()[..8])
    }

    #[test]
    fn ids_are_those_of_earlier_runs() {
        let long = "CN=Ärger Öl ".repeat(40) + "OU=Staff,DC=Corp,DC=Example";
        let dns = [
            "CN=Ana,OU=Sales,DC=corp,DC=contoso,DC=com",
            "CN=ΣΟΦΟΣ,OU=Ελλάδα,DC=x",
            "CN=İnci Σ,DC=x",
            long.as_str(),
            "",
        ];
        let values = ["A B@X.com", "ΣΑΣ", "straße@İ.com", long.as_str(), ""];
        let attributes = ["userPrincipalName", "proxyAddresses", "ÄttribUte"];
        for dn in dns {
            for value in values {
                for attribute in attributes {
                    let now = id_bits("SL101", Object::Dn(dn), attribute, value);
                    let then = allocating_id("SL101", &dn.to_lowercase(), attribute, value);
                    assert_eq!(id_text(now), then, "{dn} {attribute} {value}");
                }
            }
        }
        let wire = [
            0x0b, 0x81, 0x8f, 0xd0, 0x5c, 0xa3, 0xa8, 0x49, 0x8a, 0x3c, 0x1b, 0x2c, 0x3d, 0x4e,
            0x5f, 0x60,
        ];
        let now = id_bits("SL203", Object::Guid(&wire), "mail", "X@Y");
        let then = allocating_id("SL203", &crate::hex::format_guid(&wire), "mail", "X@Y");
        assert_eq!(id_text(now), then);
    }

    #[test]
    fn json_strings_are_written_as_serde_json_writes_them() {
        // Every ASCII byte, at every place in and around an eight-byte word, among DN-like
        // text, non-ASCII and DEL.
        let mut texts: Vec<String> = vec![
            String::new(),
            "CN=Rossi\\, Elizabeth 0,OU=Sales\\, EMEA,DC=corp".into(),
            "\"quoted\" \u{7f} Zoë ΣΑΣ 日本 \u{1F600}".into(),
        ];
        for byte in 0u8..0x80 {
            for at in 0..18 {
                let mut text = "abcdefghijklmnopq".to_string();
                text.insert(at.min(text.len()), char::from(byte));
                texts.push(text);
            }
        }
        for text in &texts {
            let mut ours = Vec::new();
            push_json_str(&mut ours, text);
            let serde = serde_json::to_string(text).unwrap();
            assert_eq!(String::from_utf8(ours).unwrap(), serde, "{text:?}");
        }
    }

    #[test]
    fn new_resolved_unchanged() {
        let [a, b, c] = ["0000000000000a0a", "00000000000b0b0b", "c0c0c0c0c0c0c0c0"];
        let bits = |id: &str| u64::from_str_radix(id, 16).unwrap();
        // A baseline id that is not one this run could give (upper case, short) is resolved.
        let previous = [item(b), item(c), item("00000000000B0B0B"), item("b0b0b")];
        let c = changes_between("prev.json", &[bits(a), bits(b)], &previous, |new| {
            assert_eq!(new, [0]);
            vec![item(a)]
        });
        assert_eq!((c.new, c.resolved, c.unchanged), (1, 3, 1));
        assert_eq!(c.new_items[0].id, a);
        assert_eq!(c.resolved_items[0].id, "c0c0c0c0c0c0c0c0");
        assert_eq!(c.resolved_items[1].id, "00000000000B0B0B");
        assert_eq!(id_text(bits(a)), a);
    }
}
