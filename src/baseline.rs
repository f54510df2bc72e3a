//! Run-to-run tracking: every finding gets a stable id, a run's JSON lists them, and a later
//! run compared with it reports what is new, resolved and unchanged.

use crate::analyze::Analysis;
use crate::error::Error;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::HashSet;
use std::path::Path;

/// One finding as the JSON lists it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Item {
    /// Hash of rule, object (objectGUID, else DN), attribute and normalized value: the same
    /// problem keeps its id across runs, wherever the object sits in the export.
    pub id: String,
    pub rule: String,
    pub dn: String,
    pub attribute: String,
    pub value: String,
}

/// The stable id of a finding.
pub fn finding_id(rule: &str, object: &str, attribute: &str, value: &str) -> String {
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
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut id = String::with_capacity(16);
    for b in &h.finalize()[..8] {
        id.push(HEX[usize::from(b >> 4)] as char);
        id.push(HEX[usize::from(b & 15)] as char);
    }
    id
}

/// Every finding of a run, with its id, in report order.
pub fn items(a: &Analysis) -> Vec<Item> {
    use rayon::prelude::*;
    let dir = &a.ingest.directory;
    // A hash and a few strings per finding: in parallel, in finding order.
    a.findings
        .par_iter()
        .map(|f| {
            let row = f.row as usize;
            let dn = dir.dn.get(row).unwrap_or("");
            let object = match dir.object_guid[row] {
                Some(g) => crate::ingest::table::format_guid(&g),
                None => dn.to_lowercase(),
            };
            Item {
                id: finding_id(f.rule.code, &object, f.attribute, &f.value),
                rule: f.rule.code.to_string(),
                dn: a.shown_dn(dn).into_owned(),
                attribute: f.attribute.to_string(),
                value: a.shown_value(f.attribute, &f.value).into_owned(),
            }
        })
        .collect()
}

/// What changed since a baseline run.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Changes {
    pub baseline: String,
    pub new: u64,
    pub resolved: u64,
    pub unchanged: u64,
    #[serde(skip)]
    pub new_items: Vec<Item>,
    #[serde(skip)]
    pub resolved_items: Vec<Item>,
}

/// Compares this run's findings with a baseline's.
pub fn compare(baseline: &str, current: &[Item], previous: &[Item]) -> Changes {
    let before: HashSet<&str> = previous.iter().map(|i| i.id.as_str()).collect();
    let now: HashSet<&str> = current.iter().map(|i| i.id.as_str()).collect();
    let new_items: Vec<Item> = current
        .iter()
        .filter(|i| !before.contains(i.id.as_str()))
        .cloned()
        .collect();
    let resolved_items: Vec<Item> = previous
        .iter()
        .filter(|i| !now.contains(i.id.as_str()))
        .cloned()
        .collect();
    let unchanged = current
        .iter()
        .filter(|i| before.contains(i.id.as_str()))
        .count() as u64;
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
    items: Vec<Item>,
}

/// The findings of a previous run's JSON summary.
pub fn load(path: &Path) -> Result<Vec<Item>, Error> {
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

    fn item(id: &str) -> Item {
        Item {
            id: id.into(),
            rule: "SL101".into(),
            dn: String::new(),
            attribute: String::new(),
            value: String::new(),
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

    #[test]
    fn new_resolved_unchanged() {
        let c = compare(
            "prev.json",
            &[item("a"), item("b")],
            &[item("b"), item("c")],
        );
        assert_eq!((c.new, c.resolved, c.unchanged), (1, 1, 1));
        assert_eq!(c.new_items[0].id, "a");
        assert_eq!(c.resolved_items[0].id, "c");
    }
}
