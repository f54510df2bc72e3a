//! Forests and their configuration partitions, as far as the inputs show them.
//!
//! An ldifde/csvde export of `CN=Configuration,<forest root>` (or of its `CN=Partitions` and
//! `CN=Services` parts) given next to the domain exports is recognised by its DNs: its
//! objects stay out of the sync scope (scope.rs) but are read here — the crossRef objects
//! (`nCName`, `dnsRoot`, `nETBIOSName`), `CN=Partitions` (`uPNSuffixes`,
//! `msDS-Behavior-Version`, `msDS-EnabledFeature`) and the service connection points. Each
//! domain is tied to its forest by the crossRef whose `nCName` names it; without a
//! configuration partition a domain whose DNS name lies under another's is taken as its
//! child (an inference: tree domains of one forest look like separate forests then).

use crate::directory::{Attr, Directory};
use crate::dn;
use crate::scope::{system_partition, Scope};
use rustc_hash::FxHashMap;
use serde::Serialize;

/// One domain naming context seen in the inputs.
#[derive(Clone, Debug)]
pub struct Domain {
    /// The domain's DN as first written (`DC=corp,DC=contoso,DC=com`).
    pub dn: String,
    /// Its DNS name (`corp.contoso.com`).
    pub dns: String,
    /// The crossRef's `nETBIOSName`, when the configuration partition is given.
    pub netbios: Option<String>,
    /// The crossRef object's row.
    pub crossref: Option<usize>,
    /// The domain head object's row (objectClass domainDNS), when exported.
    pub head: Option<usize>,
    /// Whether the inputs hold objects of the domain itself (not only its crossRef).
    pub exported: bool,
}

/// One forest.
#[derive(Clone, Debug)]
pub struct Forest {
    /// The forest root domain's DN.
    pub root: String,
    /// The forest root domain's DNS name: the forest's name.
    pub name: String,
    /// Whether any object of its configuration partition was read.
    pub configuration: bool,
    /// The `CN=Partitions` object's row.
    pub partitions: Option<usize>,
    /// The `CN=Configuration` object's row.
    pub configuration_head: Option<usize>,
    /// Every service connection point of the configuration partition.
    pub scps: Vec<usize>,
    /// The `CN=Services` object's row, or failing it the first object read under it: the
    /// export covers the part where the device registration SCP lives.
    pub services: Option<usize>,
    /// The crossRefs of the forest's domains and application partitions.
    pub crossrefs: Vec<usize>,
    pub domains: Vec<Domain>,
    /// The domains were grouped by name, not by crossRefs.
    pub inferred: bool,
}

impl Forest {
    /// The row forest-wide findings are reported on: `CN=Partitions`, else the root domain's
    /// head, else any domain head, else the configuration object.
    pub fn anchor(&self) -> Option<usize> {
        let key = dn::normalized(&self.root);
        self.partitions
            .or_else(|| {
                self.domains
                    .iter()
                    .find(|d| dn::normalized(&d.dn) == key)
                    .and_then(|d| d.head)
            })
            .or_else(|| self.domains.iter().find_map(|d| d.head))
            .or(self.configuration_head)
    }

    /// `forest contoso.com` (whether it was inferred is in the report's forest list).
    pub fn label(&self) -> String {
        format!("forest {}", self.name)
    }
}

/// A forest in the Summary and the JSON.
#[derive(Clone, Debug, Serialize)]
pub struct ForestSummary {
    pub name: String,
    pub configuration_partition: bool,
    pub domains: Vec<String>,
    pub inferred: bool,
}

/// Every forest the inputs show.
#[derive(Clone, Debug, Default)]
pub struct Forests {
    pub list: Vec<Forest>,
    /// Normalized domain DN → (forest, domain) index.
    by_domain: FxHashMap<String, (usize, usize)>,
    /// Per domain of [`Directory::domains`], its (forest, domain) index: a user's domain is
    /// then found without cutting and normalizing its DN again.
    by_interned: Vec<Option<(usize, usize)>>,
    /// Normalized forest root DN → forest index.
    by_root: FxHashMap<String, usize>,
}

/// The domain part of a DN: from its first RDN of the trailing `DC=` run (`""` if none).
pub fn domain_part(dn: &str) -> &str {
    crate::directory::domain_part(dn)
}

impl Forests {
    pub fn of(dir: &Directory, scope: &Scope) -> Forests {
        let mut forests = Forests::default();
        // Domains in order of first appearance: normalized DN → (DN, head row).
        let mut domains: Vec<(String, String, Option<usize>)> = Vec::new();
        let mut domain_index: FxHashMap<String, usize> = FxHashMap::default();
        let dir_domains = dir.domains();
        let mut index_of_interned: Vec<Option<usize>> = vec![None; dir_domains.names.len()];
        // crossRefs: (forest root key, row).
        let mut crossrefs: Vec<(String, usize)> = Vec::new();
        for row in 0..dir.len() {
            if scope.read_twice(row) {
                continue;
            }
            let Some(dn_text) = dir.dn.get(row) else {
                continue;
            };
            match system_partition(dn_text) {
                Some("configuration") => {
                    let root = domain_part(dn_text);
                    let key = dn::normalized(root);
                    let f = forests.forest(&key, root, false);
                    let forest = &mut forests.list[f];
                    forest.configuration = true;
                    let class = dir.object_class.get(row).unwrap_or("");
                    let first = dn::first_rdn_value(dn_text);
                    let services = format!("cn=services,cn=configuration,{key}");
                    let normalized = dn::normalized(dn_text);
                    if normalized == services
                        || (normalized.ends_with(&format!(",{services}"))
                            && forest.services.is_none())
                    {
                        forest.services = Some(row);
                    }
                    if class.eq_ignore_ascii_case("crossRefContainer")
                        || (first.eq_ignore_ascii_case("Partitions")
                            && dn::normalized(dn::parent(dn_text)).starts_with("cn=configuration,"))
                    {
                        forest.partitions = Some(row);
                    } else if class.eq_ignore_ascii_case("crossRef") {
                        forest.crossrefs.push(row);
                        crossrefs.push((key, row));
                    } else if class.eq_ignore_ascii_case("serviceConnectionPoint") {
                        forest.scps.push(row);
                    } else if dn::normalized(dn::parent(dn_text)) == key
                        && first.eq_ignore_ascii_case("Configuration")
                    {
                        forest.configuration_head = Some(row);
                    }
                }
                Some(_) => {}
                None => {
                    // The directory's interned domains: the key is worked out once per
                    // distinct domain, not per object.
                    let interned = dir_domains.of_row[row];
                    if interned == crate::directory::NO_DOMAIN {
                        continue;
                    }
                    let i = match index_of_interned.get(interned as usize).copied().flatten() {
                        Some(i) => i,
                        None => {
                            let domain = domain_part(dn_text);
                            let key = dn::normalized(domain);
                            let next = domains.len();
                            let i = *domain_index.entry(key.clone()).or_insert_with(|| {
                                domains.push((key, domain.to_string(), None));
                                next
                            });
                            if let Some(slot) = index_of_interned.get_mut(interned as usize) {
                                *slot = Some(i);
                            }
                            i
                        }
                    };
                    if dir_domains.names[interned as usize].len() == dn_text.len()
                        && dir
                            .object_class
                            .get(row)
                            .is_some_and(|c| c.eq_ignore_ascii_case("domainDNS"))
                    {
                        domains[i].2 = Some(row);
                    }
                }
            }
        }
        // Domains named by crossRefs belong to that forest.
        for (root_key, row) in &crossrefs {
            let Some(nc) = dir.extra.value(Attr::NcName, *row) else {
                continue;
            };
            // Application partitions (DomainDnsZones …) have crossRefs without a NetBIOS name.
            let Some(netbios) = dir.extra.value(Attr::NetbiosName, *row) else {
                continue;
            };
            let f = forests.by_root[root_key];
            let key = dn::normalized(nc);
            let dns = dir
                .extra
                .value(Attr::DnsRoot, *row)
                .map(str::to_string)
                .or_else(|| dn::dns_domain(nc))
                .unwrap_or_default();
            let head = domain_index.get(&key).and_then(|i| domains[*i].2);
            let exported = domain_index.contains_key(&key);
            forests.add_domain(
                f,
                Domain {
                    dn: nc.to_string(),
                    dns,
                    netbios: Some(netbios.to_string()),
                    crossref: Some(*row),
                    head,
                    exported,
                },
            );
        }
        // The others: the child of a known forest root or domain, else a forest of their own.
        // Shorter DNs first, so parents are placed before their children.
        let mut rest: Vec<&(String, String, Option<usize>)> = domains
            .iter()
            .filter(|(key, _, _)| !forests.by_domain.contains_key(key))
            .collect();
        rest.sort_by_key(|(key, _, _)| (key.len(), key.clone()));
        for (key, text, head) in rest {
            let parent = forests
                .by_root
                .iter()
                .chain(forests.by_domain.iter().map(|(k, (f, _))| (k, f)))
                .filter(|(k, _)| key.ends_with(&format!(",{k}")))
                .max_by_key(|(k, _)| k.len())
                .map(|(_, f)| *f);
            let f = match parent {
                Some(f) => f,
                None => forests.forest(key, text, true),
            };
            if parent.is_some() && !forests.list[f].configuration {
                forests.list[f].inferred = true;
            }
            forests.add_domain(
                f,
                Domain {
                    dn: text.clone(),
                    dns: dn::dns_domain(text).unwrap_or_default(),
                    netbios: None,
                    crossref: None,
                    head: *head,
                    exported: true,
                },
            );
        }
        forests.by_interned = dir
            .domains()
            .names
            .iter()
            .map(|name| forests.by_domain.get(&dn::normalized(name)).copied())
            .collect();
        forests
    }

    fn forest(&mut self, key: &str, root: &str, inferred: bool) -> usize {
        if let Some(f) = self.by_root.get(key) {
            return *f;
        }
        self.list.push(Forest {
            root: root.to_string(),
            name: dn::dns_domain(root).unwrap_or_else(|| root.to_string()),
            configuration: false,
            partitions: None,
            configuration_head: None,
            scps: Vec::new(),
            services: None,
            crossrefs: Vec::new(),
            domains: Vec::new(),
            inferred,
        });
        self.by_root.insert(key.to_string(), self.list.len() - 1);
        self.list.len() - 1
    }

    fn add_domain(&mut self, forest: usize, domain: Domain) {
        let key = dn::normalized(&domain.dn);
        let list = &mut self.list[forest].domains;
        self.by_domain.insert(key, (forest, list.len()));
        list.push(domain);
    }

    /// The forest an object belongs to, by its DN (a domain object, or one of a configuration
    /// partition).
    pub fn of_dn(&self, dn_text: &str) -> Option<&Forest> {
        let domain = dn::normalized(domain_part(dn_text));
        self.by_domain
            .get(&domain)
            .map(|(f, _)| *f)
            .or_else(|| self.by_root.get(&domain).copied())
            .map(|f| &self.list[f])
    }

    /// The domain an object belongs to.
    /// The domain of a row of `dir` (the directory these forests were made from).
    pub fn domain_of_row(&self, dir: &Directory, row: usize) -> Option<&Domain> {
        let interned = *dir.domains().of_row.get(row)?;
        let (f, d) = (*self.by_interned.get(interned as usize)?)?;
        Some(&self.list[f].domains[d])
    }

    pub fn domain_of(&self, dn_text: &str) -> Option<&Domain> {
        let domain = dn::normalized(domain_part(dn_text));
        self.by_domain
            .get(&domain)
            .map(|(f, d)| &self.list[*f].domains[*d])
    }

    /// Whether some forest's configuration partition was read.
    pub fn any_configuration(&self) -> bool {
        self.list.iter().any(|f| f.configuration)
    }

    pub fn summaries(&self) -> Vec<ForestSummary> {
        self.list
            .iter()
            .map(|f| ForestSummary {
                name: f.name.clone(),
                configuration_partition: f.configuration,
                domains: f.domains.iter().map(|d| d.dns.clone()).collect(),
                inferred: f.inferred,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_domain_part_is_the_trailing_dc_run() {
        assert_eq!(
            domain_part("CN=a,OU=DC=x,DC=corp,DC=contoso,DC=com"),
            "DC=corp,DC=contoso,DC=com"
        );
        assert_eq!(
            domain_part("CN=Partitions,CN=Configuration,DC=contoso,DC=com"),
            "DC=contoso,DC=com"
        );
        assert_eq!(domain_part("DC=contoso,DC=com"), "DC=contoso,DC=com");
        assert_eq!(domain_part("CN=a,OU=b"), "");
        assert_eq!(domain_part("CN=a,DC=x,OU=b,DC=com"), "DC=com");
    }
}
