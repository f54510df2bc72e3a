//! Forests, as far as an export shows them. An object's domain is the `DC=` part of its DN
//! (`DC=emea,DC=contoso,DC=com` is emea.contoso.com); domains under one registered domain
//! (contoso.com, by the public suffix list) are taken to be one forest, as a forest's domains
//! usually are, and domains under different registered domains (contoso.com, fabrikam.local)
//! two forests. A forest with a second domain tree under another registered name counts as
//! two; two forests under one registered name count as one. Reports say so.
//!
//! Each forest also knows its domains' SIDs (objectSid without the last RID), so that a
//! foreign security principal (`CN=S-1-5-21-…,CN=ForeignSecurityPrincipals,…`), AD's form of a
//! member from a trusted forest, is traced to the forest of the input it stands for.

use crate::directory::{domain_part, Directory};
use rustc_hash::FxHashMap;

/// The forests of a directory.
#[derive(Debug, Default)]
pub struct Forests {
    /// Forest roots (lower-case `DC=` parts), index = forest id.
    pub roots: Vec<String>,
    /// Per row, its forest id (`u32::MAX` for an object without `DC=` in its DN).
    pub of_row: Vec<u32>,
    /// Domain SID (`S-1-5-21-a-b-c`) → forest id.
    domain_sids: FxHashMap<String, u32>,
}

/// The forest id of objects whose DN has no `DC=` part.
pub const NO_FOREST: u32 = u32::MAX;

impl Forests {
    pub fn of(dir: &Directory) -> Forests {
        // The forest key is worked out once per distinct domain ([`Directory::domains`]), not
        // per object (a string per object made this 8 % of a 1M-object run).
        let domains = dir.domains();
        let keys: Vec<String> = domains.names.iter().map(|d| forest_key(d)).collect();
        let mut roots: Vec<String> = keys.iter().filter(|k| !k.is_empty()).cloned().collect();
        roots.sort_unstable();
        roots.dedup();
        let id_of_domain: Vec<u32> = keys
            .iter()
            .map(|k| {
                roots
                    .binary_search_by(|r| r.as_str().cmp(k))
                    .map_or(NO_FOREST, |i| i as u32)
            })
            .collect();
        let of_row: Vec<u32> = domains
            .of_row
            .iter()
            .map(|&d| id_of_domain.get(d as usize).copied().unwrap_or(NO_FOREST))
            .collect();
        let mut domain_sids: FxHashMap<String, u32> = FxHashMap::default();
        // A domain's objects share its SID (the column's interned prefix): only the first row
        // of each prefix is looked up. Skipping only a repeat of the last row's prefix looked
        // up nearly every row of an export whose domains' objects alternate (callgrind, 100k
        // objects in 3 domains: 99,595 SIDs written out, 85M instructions).
        let mut seen_prefixes: Vec<bool> = Vec::new();
        for (row, &forest) in of_row.iter().enumerate() {
            if forest == NO_FOREST {
                continue;
            }
            let prefix = dir.object_sid.prefix_id(row).map(|p| p as usize);
            if let Some(p) = prefix {
                if seen_prefixes.get(p).copied().unwrap_or(false) {
                    continue;
                }
            }
            let Some(sid) = dir.object_sid.get(row) else {
                continue;
            };
            if let Some(p) = prefix {
                if seen_prefixes.len() <= p {
                    seen_prefixes.resize(p + 1, false);
                }
                seen_prefixes[p] = true;
            }
            if let Some(domain_sid) = domain_sid(&sid) {
                if !domain_sids.contains_key(domain_sid) {
                    domain_sids.insert(domain_sid.to_string(), forest);
                }
            }
        }
        Forests {
            roots,
            of_row,
            domain_sids,
        }
    }

    /// How many forests hold objects.
    pub fn count(&self) -> usize {
        self.roots.len()
    }

    /// The forest's name: its registered domain (`contoso.com`).
    pub fn name(&self, id: u32) -> String {
        self.roots
            .get(id as usize)
            .cloned()
            .unwrap_or_else(|| "(no domain)".into())
    }

    /// The forest a referenced DN lies in: `Some(id)` for a forest of the inputs, `None` for
    /// one that no input holds. A foreign security principal is resolved by its SID.
    pub fn of_reference(&self, dn: &str) -> Option<u32> {
        if let Some(sid) = crate::dn::foreign_principal_sid(dn) {
            return domain_sid(sid).and_then(|d| self.domain_sids.get(d).copied());
        }
        let key = forest_key(&domain_part(dn).to_ascii_lowercase());
        self.roots
            .binary_search_by(|r| r.as_str().cmp(&key))
            .ok()
            .map(|i| i as u32)
    }
}

/// A domain account's domain SID (`S-1-5-21-a-b-c` of `S-1-5-21-a-b-c-rid`); well-known SIDs
/// (`S-1-5-11`, `S-1-5-32-544` …) have none.
pub fn domain_sid(sid: &str) -> Option<&str> {
    if !sid.starts_with("S-1-5-21-") {
        return None;
    }
    let cut = sid.rfind('-')?;
    (sid[..cut].matches('-').count() == 6).then_some(&sid[..cut])
}

/// A domain part's forest key: the registered domain of its DNS name (`contoso.com` for
/// `DC=emea,DC=contoso,DC=com`), or the whole name when the public suffix list gives none;
/// `""` without `DC=`.
pub fn forest_key(domain_part: &str) -> String {
    let Some(name) = crate::dn::dns_domain(domain_part) else {
        return String::new();
    };
    let name = name.to_ascii_lowercase();
    match psl::domain_str(&name) {
        Some(registered) => registered.to_string(),
        None => name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domain_sids() {
        assert_eq!(domain_sid("S-1-5-21-1-2-3-1104"), Some("S-1-5-21-1-2-3"));
        assert_eq!(domain_sid("S-1-5-11"), None);
        assert_eq!(domain_sid("S-1-5-32-544"), None);
    }

    #[test]
    fn domains_of_one_registered_name_are_one_forest() {
        assert_eq!(forest_key("dc=emea,dc=contoso,dc=com"), "contoso.com");
        assert_eq!(forest_key("dc=corp,dc=contoso,dc=com"), "contoso.com");
        assert_eq!(forest_key("dc=fabrikam,dc=local"), "fabrikam.local");
        assert_eq!(forest_key("dc=ad,dc=contoso,dc=co,dc=uk"), "contoso.co.uk");
        assert_eq!(forest_key(""), "");
    }
}
