//! Run-to-run tracking: every finding gets a stable id, a run's JSON lists them, and a later
//! run compared with it reports what is new, resolved and unchanged.

use crate::directory::Directory;
use crate::error::Error;
use crate::findings::FindingList;
use crate::redact::Redactor;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::borrow::Cow;
use std::collections::HashSet;
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

/// The stable id of a finding.
pub(crate) fn finding_id(rule: &str, object: &str, attribute: &str, value: &str) -> String {
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

/// Every finding of a run, with its id, in report order. Takes the analysis's parts rather
/// than the analysis, so that the caller can still record changes and timings in it while the
/// items borrow from these.
pub fn items<'a>(
    dir: &'a Directory,
    findings: &'a FindingList,
    redactor: Option<&Redactor>,
) -> Vec<Item<'a>> {
    use rayon::prelude::*;
    let views = crate::view::Views::new(dir, findings, redactor);
    // A hash per finding, text borrowed: in parallel, in finding order.
    findings
        .par_iter()
        .map(|f| {
            let view = views.of(f);
            let object = match dir.object_guid[f.row as usize] {
                Some(g) => crate::hex::format_guid(&g),
                None => view.real_dn.to_lowercase(),
            };
            Item {
                id: finding_id(f.rule.code, &object, f.attribute.ldap_name(), &f.value),
                rule: Cow::Borrowed(f.rule.code),
                dn: view.dn,
                attribute: Cow::Borrowed(f.attribute.ldap_name()),
                value: view.value,
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
    pub new_items: Vec<Item<'static>>,
    #[serde(skip)]
    pub resolved_items: Vec<Item<'static>>,
}

/// Compares this run's findings with a baseline's.
pub fn compare(baseline: &str, current: &[Item<'_>], previous: &[Item<'static>]) -> Changes {
    let before: HashSet<&str> = previous.iter().map(|i| i.id.as_str()).collect();
    let now: HashSet<&str> = current.iter().map(|i| i.id.as_str()).collect();
    let new_items: Vec<Item<'static>> = current
        .iter()
        .filter(|i| !before.contains(i.id.as_str()))
        .map(|i| i.clone().into_owned())
        .collect();
    let resolved_items: Vec<Item<'static>> = previous
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
