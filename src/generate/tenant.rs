//! A tenant export consistent with a generated directory (`synclint generate --tenant DIR`):
//! the same seed and options give the same on-premises objects, and the tenant is planted
//! around them: cloud objects that hard-match, soft-match or conflict with chosen on-premises
//! users, every outcome of [`crate::tenant::Outcome`], background cloud-only users, groups
//! and contacts that match nothing, role holders, verified, unverified and federated
//! domains, and the synchronization features. Users are written in every accepted format,
//! groups and contacts as Graph PowerShell JSON and as Export-Csv (cloud groups and contacts
//! holding users' addresses plant the type mismatches and the values they make non-unique);
//! `truth.json` gives, for each users format, the outcome every planted object must get,
//! from the plant's intent and the properties that format carries (declared here, not
//! computed by the matching code).

use super::{objects, ExportObject, ExportValue, GenerateOptions};
use crate::tenant::Property;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io;
use std::path::{Path, PathBuf};

/// At most this many on-premises users are considered for plants.
const MAX_CANDIDATES: usize = 20_000;

/// What is planted, one per chosen on-premises user (two for [`Plant::SameCloudObject`]).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum Plant {
    HardMatched,
    InvalidHardMatch,
    HardMatchBlocked,
    SoftMatchedSmtp,
    SoftMatchedUpn,
    InvalidSoftMatch,
    ObjectTypeMismatch,
    AdminRoleConflict,
    AttributeValueMustBeUnique,
    SameCloudObject,
    /// A synced cloud user under another UPN and anchor carries the user's objectSid (a DC
    /// restored from backup reissued the RID).
    DuplicateSid,
    /// A synced cloud user with the user's objectSid and primary SMTP address but another
    /// anchor: the same account provisioned again.
    DuplicateSidSmtp,
    /// A cloud contact holds the user's primary SMTP address.
    ContactTypeMismatch,
    /// A cloud group holds one of the user's secondary SMTP addresses.
    ValueHeldByGroup,
    /// A cloud contact holds one of the user's secondary SMTP addresses.
    ValueHeldByContact,
}

const PLANTS: [Plant; 15] = [
    Plant::HardMatched,
    Plant::InvalidHardMatch,
    Plant::HardMatchBlocked,
    Plant::SoftMatchedSmtp,
    Plant::SoftMatchedUpn,
    Plant::InvalidSoftMatch,
    Plant::ObjectTypeMismatch,
    Plant::AdminRoleConflict,
    Plant::AttributeValueMustBeUnique,
    Plant::SameCloudObject,
    Plant::DuplicateSid,
    Plant::DuplicateSidSmtp,
    Plant::ContactTypeMismatch,
    Plant::ValueHeldByGroup,
    Plant::ValueHeldByContact,
];

impl Plant {
    /// The outcome an input that carries `carried` must predict (the plant's intent, and
    /// what it degrades to when the input lacks the property it rests on).
    fn expected(self, carried: &BTreeSet<Property>) -> &'static str {
        let has = |p| carried.contains(&p);
        match self {
            Plant::HardMatched if has(Property::ImmutableId) => "hard-matched",
            Plant::InvalidHardMatch if has(Property::ImmutableId) => "invalid-hard-match",
            Plant::HardMatchBlocked if has(Property::ImmutableId) => {
                if has(Property::ObjectIdentifier) {
                    "hard-match-blocked"
                } else {
                    "hard-matched"
                }
            }
            Plant::HardMatched | Plant::InvalidHardMatch | Plant::HardMatchBlocked => "created",
            Plant::SoftMatchedSmtp => "soft-matched-smtp",
            Plant::SoftMatchedUpn => "soft-matched-upn",
            Plant::InvalidSoftMatch if has(Property::ImmutableId) || has(Property::SyncEnabled) => {
                "invalid-soft-match"
            }
            Plant::InvalidSoftMatch => "soft-matched-upn",
            Plant::ObjectTypeMismatch => "object-type-mismatch",
            Plant::AdminRoleConflict => "admin-role-conflict",
            Plant::AttributeValueMustBeUnique if has(Property::ProxyAddresses) => {
                "attribute-value-must-be-unique"
            }
            Plant::AttributeValueMustBeUnique => "created",
            Plant::SameCloudObject => "same-cloud-object",
            Plant::DuplicateSid | Plant::DuplicateSidSmtp if has(Property::SecurityIdentifier) => {
                "duplicate-sid"
            }
            Plant::DuplicateSid => "created",
            // Without the SID, the primary SMTP address soft-matches a synced user (refused
            // when the input says it is synced).
            Plant::DuplicateSidSmtp if has(Property::ImmutableId) || has(Property::SyncEnabled) => {
                "invalid-soft-match"
            }
            Plant::DuplicateSidSmtp => "soft-matched-smtp",
            // Groups and contacts: every groups and contacts file carries mail and
            // proxyAddresses.
            Plant::ContactTypeMismatch => "object-type-mismatch",
            Plant::ValueHeldByGroup | Plant::ValueHeldByContact => "attribute-value-must-be-unique",
        }
    }
}

/// A generated cloud object, with every property any format may write.
#[derive(Clone, Debug, Default)]
struct Cloud {
    kind: &'static str,
    id: String,
    display_name: String,
    upn: Option<String>,
    mail: Option<String>,
    proxies: Vec<String>,
    immutable_id: Option<String>,
    sync_enabled: Option<bool>,
    sid: Option<String>,
    object_identifier: Option<String>,
}

/// One on-premises user as the generator wrote it.
struct OnPrem {
    dn: String,
    upn: String,
    primary: String,
    secondary: Option<String>,
    guid: [u8; 16],
    /// objectSid as text.
    sid: Option<String>,
}

/// The users formats written, with the properties each carries.
pub const USER_FORMATS: [(&str, &[Property]); 6] = [
    (
        "graph-users.json",
        &[
            Property::UserPrincipalName,
            Property::Mail,
            Property::ProxyAddresses,
            Property::ImmutableId,
            Property::SyncEnabled,
            Property::SecurityIdentifier,
        ],
    ),
    (
        "rest-users-1.json",
        &[
            Property::UserPrincipalName,
            Property::Mail,
            Property::ProxyAddresses,
            Property::ImmutableId,
            Property::SyncEnabled,
            Property::SecurityIdentifier,
            Property::ObjectIdentifier,
        ],
    ),
    (
        "export-csv-users.csv",
        &[
            Property::UserPrincipalName,
            Property::Mail,
            Property::ProxyAddresses,
            Property::ImmutableId,
            Property::SyncEnabled,
            Property::SecurityIdentifier,
        ],
    ),
    (
        "entra-users.csv",
        &[Property::UserPrincipalName, Property::Mail],
    ),
    (
        "entra-users-preview.csv",
        &[
            Property::UserPrincipalName,
            Property::Mail,
            Property::ProxyAddresses,
            Property::ImmutableId,
            Property::SyncEnabled,
            Property::SecurityIdentifier,
        ],
    ),
    (
        "m365-users.csv",
        &[
            Property::UserPrincipalName,
            Property::ProxyAddresses,
            Property::SyncEnabled,
        ],
    ),
];

/// The files every users format is analyzed with, besides one groups and one contacts file:
/// domains, features, role holders.
pub const SHARED_FILES: [&str; 3] = ["domains.json", "features.json", "roles.json"];

/// The groups and contacts files, each pair holding the same objects: `Get-MgGroup` and
/// `Get-MgContact` as JSON (`ConvertTo-Json`) and as `Export-Csv`.
pub const GROUP_CONTACT_FILES: [(&str, &str); 2] = [
    ("groups.json", "contacts.json"),
    ("groups.csv", "contacts.csv"),
];

/// The REST users are split over two pages; the second page's file.
pub const REST_SECOND_PAGE: &str = "rest-users-2.json";

/// The tenant's initial domain.
pub const INITIAL_DOMAIN: &str = "contoso.onmicrosoft.com";

/// What was written.
#[derive(Clone, Debug, Default)]
pub struct TenantGenerated {
    pub files: Vec<PathBuf>,
    pub cloud_objects: u64,
    pub planted: u64,
}

fn guid_string(bytes: &[u8; 16]) -> String {
    crate::hex::format_guid(bytes)
}

fn random_guid(rng: &mut ChaCha8Rng) -> [u8; 16] {
    rng.random::<u128>().to_le_bytes()
}

fn base64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// An object's objectSid as text (`S-1-5-21-…`).
fn object_sid(o: &ExportObject) -> Option<String> {
    o.attributes
        .iter()
        .find(|(n, _)| n == "objectSid")
        .and_then(|(_, v)| v.first())
        .and_then(|v| match v {
            ExportValue::Binary(b) => crate::tenant::sid_text(b),
            ExportValue::Text(_) => None,
        })
}

/// The on-premises users plants may use: enabled users of contoso.com with a mailbox, whose
/// UPN and every SMTP address no other generated object holds, without ConsistencyGuid.
fn candidates(options: &GenerateOptions) -> Vec<OnPrem> {
    // Two passes over the generated stream (never all objects in memory): count each value's
    // holders by a hash of its lower case, then pick.
    let values = |o: &ExportObject| -> Vec<u64> {
        let mut v: Vec<u64> = Vec::new();
        let hash = |s: &str| {
            use std::hash::{Hash, Hasher};
            let mut h = rustc_hash::FxHasher::default();
            s.to_lowercase().hash(&mut h);
            h.finish()
        };
        for name in ["userPrincipalName", "mail"] {
            if let Some(t) = o.last_text(name) {
                v.push(hash(t));
            }
        }
        if let Some(sid) = object_sid(o) {
            v.push(hash(&sid));
        }
        for (n, vals) in &o.attributes {
            if n == "proxyAddresses" {
                for val in vals {
                    if let ExportValue::Text(t) = val {
                        if let Some((_, a)) = t.split_once(':') {
                            v.push(hash(a));
                        }
                    }
                }
            }
        }
        v.sort_unstable();
        v.dedup();
        v
    };
    let mut holders: HashMap<u64, u32> = HashMap::new();
    for o in objects(options) {
        for v in values(&o) {
            *holders.entry(v).or_default() += 1;
        }
    }
    let mut out = Vec::new();
    for o in objects(options) {
        let o = &o;
        if out.len() >= MAX_CANDIDATES {
            break;
        }
        if o.last_text("objectClass") != Some("user")
            || o.last_text("userAccountControl") != Some("512")
            || o.has("mS-DS-ConsistencyGuid")
        {
            continue;
        }
        let (Some(upn), Some(_)) = (o.last_text("userPrincipalName"), o.last_text("mail")) else {
            continue;
        };
        if !upn.ends_with("@contoso.com") || upn.contains(' ') {
            continue;
        }
        if values(o).iter().any(|v| holders.get(v) != Some(&1)) {
            continue;
        }
        let proxies: Vec<&str> = o
            .attributes
            .iter()
            .filter(|(n, _)| n == "proxyAddresses")
            .flat_map(|(_, v)| v)
            .filter_map(|v| match v {
                ExportValue::Text(t) => Some(t.as_str()),
                ExportValue::Binary(_) => None,
            })
            .collect();
        let Some(primary) = proxies
            .iter()
            .find_map(|p| p.strip_prefix("SMTP:"))
            .map(str::to_string)
        else {
            continue;
        };
        // The primary must differ from the UPN for the soft-match plants to tell SMTP from
        // UPN: the generator writes them equal, so the plants compare against the UPN
        // through the cloud user's UPN only and against the SMTP address through mail.
        let secondary = proxies
            .iter()
            .find_map(|p| p.strip_prefix("smtp:"))
            .map(str::to_string);
        let guid = o
            .attributes
            .iter()
            .find(|(n, _)| n == "objectGUID")
            .and_then(|(_, v)| v.first())
            .and_then(|v| match v {
                ExportValue::Binary(b) => <[u8; 16]>::try_from(b.as_slice()).ok(),
                ExportValue::Text(_) => None,
            });
        let Some(guid) = guid else {
            continue;
        };
        out.push(OnPrem {
            dn: o.dn.clone(),
            upn: upn.to_string(),
            primary,
            secondary,
            guid,
            sid: object_sid(o),
        });
    }
    out
}

/// Writes the tenant export for the directory `options` describe into folder `out`, with
/// `background` cloud-only users that match nothing (and a tenth as many groups and
/// contacts).
pub fn generate_tenant(
    options: &GenerateOptions,
    background: u64,
    out: &Path,
) -> io::Result<TenantGenerated> {
    std::fs::create_dir_all(out)?;
    let mut rng = ChaCha8Rng::seed_from_u64(options.seed ^ 0x7E4A_4E54);
    let candidates = candidates(options);
    let per = (candidates.len() / (PLANTS.len() + 1) / 4).clamp(1, 500);
    let mut users: Vec<Cloud> = Vec::new();
    let mut groups: Vec<Cloud> = Vec::new();
    let mut contacts: Vec<Cloud> = Vec::new();
    let mut admins: Vec<(String, String)> = Vec::new();
    // (dn, plant) for the truth.
    let mut planted: Vec<(String, Plant)> = Vec::new();
    let mut next = candidates.iter();
    let id = |rng: &mut ChaCha8Rng| guid_string(&random_guid(rng));
    let local = |upn: &str| upn.split('@').next().unwrap_or(upn).to_string();
    'plants: for plant in PLANTS {
        for _ in 0..per {
            let Some(o) = next.next() else {
                break 'plants;
            };
            let anchor = base64(&o.guid);
            let alias = local(&o.upn);
            let mut c = Cloud {
                kind: "user",
                id: id(&mut rng),
                display_name: alias.clone(),
                sync_enabled: Some(false),
                ..Cloud::default()
            };
            match plant {
                Plant::HardMatched => {
                    c.upn = Some(format!("prev.{alias}@{INITIAL_DOMAIN}"));
                    c.immutable_id = Some(anchor);
                    c.sync_enabled = Some(true);
                    c.object_identifier = Some(guid_string(&o.guid));
                }
                Plant::InvalidHardMatch => {
                    c.upn = Some(format!("restored.{alias}@{INITIAL_DOMAIN}"));
                    c.immutable_id = Some(anchor);
                }
                Plant::HardMatchBlocked => {
                    c.upn = Some(format!("moved.{alias}@{INITIAL_DOMAIN}"));
                    c.immutable_id = Some(anchor);
                    c.sync_enabled = Some(true);
                    c.object_identifier = Some(id(&mut rng));
                }
                Plant::SoftMatchedSmtp => {
                    c.upn = Some(format!("{alias}.cloud@{INITIAL_DOMAIN}"));
                    c.mail = Some(o.primary.clone());
                    c.proxies = vec![format!("SMTP:{}", o.primary)];
                }
                Plant::SoftMatchedUpn | Plant::AdminRoleConflict => {
                    c.upn = Some(o.upn.clone());
                    if plant == Plant::AdminRoleConflict {
                        admins.push((c.id.clone(), o.upn.clone()));
                    }
                }
                Plant::InvalidSoftMatch => {
                    c.upn = Some(o.upn.clone());
                    c.immutable_id = Some(base64(&random_guid(&mut rng)));
                    c.sync_enabled = Some(true);
                    c.sid = Some(format!("S-1-5-21-1-2-3-{}", 500_000 + users.len()));
                }
                Plant::ObjectTypeMismatch => {
                    groups.push(Cloud {
                        kind: "group",
                        id: c.id.clone(),
                        display_name: format!("{alias} (cloud group)"),
                        mail: Some(o.primary.clone()),
                        proxies: vec![format!("SMTP:{}", o.primary)],
                        sync_enabled: Some(false),
                        ..Cloud::default()
                    });
                    planted.push((o.dn.clone(), plant));
                    continue;
                }
                Plant::AttributeValueMustBeUnique => {
                    let Some(secondary) = &o.secondary else {
                        continue;
                    };
                    let own = format!("other.{alias}@contoso.com");
                    c.upn = Some(format!("{alias}.other@{INITIAL_DOMAIN}"));
                    c.mail = Some(own.clone());
                    c.proxies = vec![format!("SMTP:{own}"), format!("smtp:{secondary}")];
                }
                Plant::DuplicateSid | Plant::DuplicateSidSmtp => {
                    let Some(sid) = &o.sid else {
                        continue;
                    };
                    c.upn = Some(format!("{alias}.old@{INITIAL_DOMAIN}"));
                    c.immutable_id = Some(base64(&random_guid(&mut rng)));
                    c.sync_enabled = Some(true);
                    c.sid = Some(sid.clone());
                    if plant == Plant::DuplicateSidSmtp {
                        c.mail = Some(o.primary.clone());
                        c.proxies = vec![format!("SMTP:{}", o.primary)];
                    }
                }
                Plant::ContactTypeMismatch | Plant::ValueHeldByContact => {
                    let address = if plant == Plant::ContactTypeMismatch {
                        o.primary.clone()
                    } else {
                        let Some(secondary) = &o.secondary else {
                            continue;
                        };
                        secondary.clone()
                    };
                    let own = format!("{alias}@partner.fourthcoffee.example.com");
                    let (mail, proxies) = if plant == Plant::ContactTypeMismatch {
                        (address.clone(), vec![format!("SMTP:{address}")])
                    } else {
                        (
                            own.clone(),
                            vec![format!("SMTP:{own}"), format!("smtp:{address}")],
                        )
                    };
                    contacts.push(Cloud {
                        kind: "contact",
                        id: c.id.clone(),
                        display_name: format!("{alias} (cloud contact)"),
                        mail: Some(mail),
                        proxies,
                        sync_enabled: Some(false),
                        ..Cloud::default()
                    });
                    planted.push((o.dn.clone(), plant));
                    continue;
                }
                Plant::ValueHeldByGroup => {
                    let Some(secondary) = &o.secondary else {
                        continue;
                    };
                    let own = format!("team.{alias}@contoso.com");
                    groups.push(Cloud {
                        kind: "group",
                        id: c.id.clone(),
                        display_name: format!("{alias} team (cloud group)"),
                        mail: Some(own.clone()),
                        proxies: vec![format!("SMTP:{own}"), format!("smtp:{secondary}")],
                        sync_enabled: Some(false),
                        ..Cloud::default()
                    });
                    planted.push((o.dn.clone(), plant));
                    continue;
                }
                Plant::SameCloudObject => {
                    let Some(second) = next.next() else {
                        break 'plants;
                    };
                    c.upn = Some(second.upn.clone());
                    c.mail = Some(o.primary.clone());
                    c.proxies = vec![format!("SMTP:{}", o.primary)];
                    planted.push((second.dn.clone(), plant));
                }
            }
            users.push(c);
            planted.push((o.dn.clone(), plant));
        }
    }
    // Background: cloud-only users, groups and contacts that match nothing on-premises; the
    // first is a Global Administrator.
    if background > 0 {
        admins.push((id(&mut rng), String::new()));
    }
    for k in 0..background {
        let upn = format!("cloud.only{k}@{INITIAL_DOMAIN}");
        users.push(Cloud {
            kind: "user",
            id: match (k, admins.last()) {
                (0, Some((admin, _))) => admin.clone(),
                _ => id(&mut rng),
            },
            display_name: format!("Cloud Only {k}"),
            mail: (k % 2 == 0).then(|| format!("cloud.only{k}@contoso.com")),
            proxies: if k % 2 == 0 {
                vec![
                    format!("SMTP:cloud.only{k}@contoso.com"),
                    format!("smtp:{upn}"),
                ]
            } else {
                Vec::new()
            },
            upn: Some(upn),
            sync_enabled: Some(false),
            ..Cloud::default()
        });
    }
    for k in 0..background / 10 {
        groups.push(Cloud {
            kind: "group",
            id: id(&mut rng),
            display_name: format!("Cloud Team {k}"),
            mail: Some(format!("cloudteam{k}@contoso.com")),
            proxies: vec![format!("SMTP:cloudteam{k}@contoso.com")],
            sync_enabled: Some(false),
            ..Cloud::default()
        });
    }
    contacts.extend((0..(background / 10).max(1)).map(|k| Cloud {
        kind: "contact",
        id: id(&mut rng),
        display_name: format!("Partner {k}"),
        mail: Some(format!("partner{k}@fourthcoffee.example.com")),
        proxies: vec![format!("SMTP:partner{k}@fourthcoffee.example.com")],
        sync_enabled: Some(false),
        ..Cloud::default()
    }));

    let mut written = TenantGenerated {
        cloud_objects: (users.len() + groups.len() + contacts.len()) as u64,
        planted: planted.len() as u64,
        ..TenantGenerated::default()
    };
    let mut write = |name: &str, bytes: Vec<u8>| -> io::Result<()> {
        let path = out.join(name);
        crate::output::write_atomically(&path, &[], |w| w.write_all(&bytes))
            .map_err(io::Error::other)?;
        written.files.push(path);
        Ok(())
    };
    write("graph-users.json", graph_powershell_json(&users))?;
    let half = users.len() / 2;
    write("rest-users-1.json", rest_page(&users[..half], true))?;
    write(REST_SECOND_PAGE, rest_page(&users[half..], false))?;
    write("export-csv-users.csv", export_csv(&users)?)?;
    write("entra-users.csv", entra_csv(&users)?)?;
    write("entra-users-preview.csv", entra_preview_csv(&users)?)?;
    write("m365-users.csv", m365_csv(&users)?)?;
    write("groups.json", graph_powershell_json(&groups))?;
    write("groups.csv", groups_csv(&groups)?)?;
    write("contacts.json", contacts_json(&contacts))?;
    write("contacts.csv", contacts_csv(&contacts)?)?;
    write("domains.json", domains_json())?;
    write(
        "domains.txt",
        format!("# verified domains\ncontoso.com\ntailspintoys.com\n{INITIAL_DOMAIN}\n")
            .into_bytes(),
    )?;
    write("features.json", features_json())?;
    write("roles.json", roles_json(&admins))?;
    write("truth.json", truth_json(&planted))?;
    Ok(written)
}

fn opt(v: &Option<String>) -> Value {
    v.as_ref().map_or(Value::Null, |s| Value::String(s.clone()))
}

fn pretty(v: &Value) -> Vec<u8> {
    let mut s = serde_json::to_string_pretty(v).unwrap_or_default();
    s.push('\n');
    s.into_bytes()
}

/// `Get-MgUser -All -Property … | ConvertTo-Json -Depth 4` (and `Get-MgGroup`): PascalCase,
/// every selected property present, null when empty.
fn graph_powershell_json(objects: &[Cloud]) -> Vec<u8> {
    let list: Vec<Value> = objects
        .iter()
        .map(|c| {
            let mut m = Map::new();
            m.insert("Id".into(), json!(c.id));
            m.insert("DisplayName".into(), json!(c.display_name));
            if c.kind == "user" {
                m.insert("UserPrincipalName".into(), opt(&c.upn));
                m.insert("UserType".into(), json!("Member"));
                m.insert("AccountEnabled".into(), json!(true));
            } else {
                m.insert("MailEnabled".into(), json!(true));
                m.insert("SecurityEnabled".into(), json!(false));
                m.insert("GroupTypes".into(), json!([]));
            }
            m.insert("Mail".into(), opt(&c.mail));
            m.insert("ProxyAddresses".into(), json!(c.proxies));
            if c.kind == "user" {
                m.insert("OnPremisesImmutableId".into(), opt(&c.immutable_id));
            }
            m.insert(
                "OnPremisesSyncEnabled".into(),
                if c.sync_enabled == Some(true) {
                    json!(true)
                } else {
                    Value::Null
                },
            );
            m.insert("OnPremisesSecurityIdentifier".into(), opt(&c.sid));
            m.insert("AdditionalProperties".into(), json!({}));
            Value::Object(m)
        })
        .collect();
    pretty(&Value::Array(list))
}

/// A Graph REST page of beta users (`$select` with onPremisesObjectIdentifier).
fn rest_page(users: &[Cloud], first: bool) -> Vec<u8> {
    let list: Vec<Value> = users
        .iter()
        .map(|c| {
            json!({
                "id": c.id,
                "displayName": c.display_name,
                "userPrincipalName": c.upn,
                "mail": c.mail,
                "proxyAddresses": c.proxies,
                "onPremisesImmutableId": c.immutable_id,
                "onPremisesSyncEnabled": if c.sync_enabled == Some(true) { json!(true) } else { Value::Null },
                "onPremisesSecurityIdentifier": c.sid,
                "onPremisesObjectIdentifier": c.object_identifier,
                "userType": "Member",
                "accountEnabled": true
            })
        })
        .collect();
    let mut page = json!({
        "@odata.context": "https://graph.microsoft.com/beta/$metadata#users(id,displayName,userPrincipalName,mail,proxyAddresses,onPremisesImmutableId,onPremisesSyncEnabled,onPremisesSecurityIdentifier,onPremisesObjectIdentifier,userType,accountEnabled)",
        "value": list
    });
    if first {
        page["@odata.nextLink"] =
            json!("https://graph.microsoft.com/beta/users?$skiptoken=RFNwdAIAAQAAAA");
    }
    // Graph answers on one line.
    let mut s = serde_json::to_string(&page).unwrap_or_default();
    s.push('\n');
    s.into_bytes()
}

fn csv_bytes(
    bom: bool,
    preamble: &str,
    header: &[&str],
    rows: impl Iterator<Item = Vec<String>>,
) -> io::Result<Vec<u8>> {
    let mut out = Vec::new();
    if bom {
        out.extend_from_slice(&[0xEF, 0xBB, 0xBF]);
    }
    out.extend_from_slice(preamble.as_bytes());
    let mut w = csv::WriterBuilder::new()
        .quote_style(csv::QuoteStyle::Always)
        .terminator(csv::Terminator::CRLF)
        .from_writer(out);
    w.write_record(header).map_err(io::Error::other)?;
    for row in rows {
        w.write_record(&row).map_err(io::Error::other)?;
    }
    w.into_inner().map_err(|e| io::Error::other(e.to_string()))
}

fn s(v: &Option<String>) -> String {
    v.clone().unwrap_or_default()
}

fn ps_bool(v: Option<bool>) -> String {
    match v {
        Some(true) => "True".into(),
        Some(false) | None => String::new(),
    }
}

/// `… | Select-Object Id,UserPrincipalName,Mail,@{n='ProxyAddresses';e={$_.ProxyAddresses
/// -join ';'}},… | Export-Csv` in Windows PowerShell 5.1 (a `#TYPE` line, every field quoted).
fn export_csv(users: &[Cloud]) -> io::Result<Vec<u8>> {
    csv_bytes(
        true,
        "#TYPE Selected.Microsoft.Graph.PowerShell.Models.MicrosoftGraphUser\r\n",
        &[
            "Id",
            "DisplayName",
            "UserPrincipalName",
            "Mail",
            "ProxyAddresses",
            "OnPremisesImmutableId",
            "OnPremisesSyncEnabled",
            "OnPremisesSecurityIdentifier",
            "UserType",
            "AccountEnabled",
        ],
        users.iter().map(|c| {
            vec![
                c.id.clone(),
                c.display_name.clone(),
                s(&c.upn),
                s(&c.mail),
                c.proxies.join(";"),
                s(&c.immutable_id),
                ps_bool(c.sync_enabled),
                s(&c.sid),
                "Member".into(),
                "True".into(),
            ]
        }),
    )
}

/// Entra admin center → Users → Download users: the documented camelCase columns.
fn entra_csv(users: &[Cloud]) -> io::Result<Vec<u8>> {
    let header = [
        "userPrincipalName",
        "displayName",
        "surname",
        "mail",
        "givenName",
        "objectId",
        "userType",
        "jobTitle",
        "department",
        "accountEnabled",
        "usageLocation",
        "streetAddress",
        "state",
        "country",
        "physicalDeliveryOfficeName",
        "city",
        "postalCode",
        "telephoneNumber",
        "mobile",
        "authenticationAlternativePhoneNumber",
        "authenticationEmail",
        "alternateEmailAddress",
        "ageGroup",
        "consentProvidedForMinor",
        "legalAgeGroupClassification",
    ];
    csv_bytes(
        true,
        "",
        &header,
        users.iter().map(|c| {
            let mut row = vec![String::new(); header.len()];
            row[0] = s(&c.upn);
            row[1] = c.display_name.clone();
            row[3] = s(&c.mail);
            row[5] = c.id.clone();
            row[6] = "Member".into();
            row[9] = "TRUE".into();
            row
        }),
    )
}

/// Entra admin center → Download users (preview): display labels of the chosen columns;
/// a collection written as the whole JSON value.
fn entra_preview_csv(users: &[Cloud]) -> io::Result<Vec<u8>> {
    csv_bytes(
        true,
        "",
        &[
            "Display name",
            "User principal name",
            "Object ID",
            "Mail",
            "Proxy addresses",
            "On-premises immutable ID",
            "On-premises sync enabled",
            "On-premises security identifier",
            "User type",
        ],
        users.iter().map(|c| {
            vec![
                c.display_name.clone(),
                s(&c.upn),
                c.id.clone(),
                s(&c.mail),
                if c.proxies.is_empty() {
                    String::new()
                } else {
                    serde_json::to_string(&c.proxies).unwrap_or_default()
                },
                s(&c.immutable_id),
                match c.sync_enabled {
                    Some(true) => "true".into(),
                    _ => String::new(),
                },
                s(&c.sid),
                "Member".into(),
            ]
        }),
    )
}

/// Microsoft 365 admin center → Active users → Export users (the 2022+ header).
fn m365_csv(users: &[Cloud]) -> io::Result<Vec<u8>> {
    let header = [
        "Display name",
        "DirSyncEnabled",
        "User principal name",
        "Object Id",
        "First name",
        "Last name",
        "When created",
        "Soft deletion time stamp",
        "Title",
        "Department",
        "Preferred data location",
        "City",
        "CountryOrRegion",
        "Office",
        "StateOrProvince",
        "Usage location",
        "Last dirsync time",
        "Block credential",
        "Licenses",
        "Password never expires",
        "Last password change time stamp",
        "Mobile Phone",
        "Phone number",
        "Postal code",
        "Preferred language",
        "Street address",
        "Fax",
        "Proxy addresses",
    ];
    csv_bytes(
        true,
        "",
        &header,
        users.iter().map(|c| {
            let mut row = vec![String::new(); header.len()];
            row[0] = c.display_name.clone();
            row[1] = match c.sync_enabled {
                Some(true) => "True".into(),
                _ => "False".into(),
            };
            row[2] = s(&c.upn);
            row[3] = c.id.clone();
            row[6] = "1/15/2025 9:12:44 AM".into();
            row[17] = "False".into();
            row[18] = if c.proxies.is_empty() {
                "Unlicensed".into()
            } else {
                "contoso:SPE_E3".into()
            };
            row[19] = "False".into();
            row[27] = c.proxies.join("+");
            row
        }),
    )
}

/// `Get-MgContact -All | Select-Object Id,DisplayName,Mail,@{n='ProxyAddresses';…},
/// OnPremisesSyncEnabled,CompanyName | Export-Csv` in PowerShell 7 (no `#TYPE`).
fn contacts_csv(contacts: &[Cloud]) -> io::Result<Vec<u8>> {
    csv_bytes(
        false,
        "",
        &[
            "Id",
            "DisplayName",
            "Mail",
            "ProxyAddresses",
            "OnPremisesSyncEnabled",
            "CompanyName",
        ],
        contacts.iter().map(|c| {
            vec![
                c.id.clone(),
                c.display_name.clone(),
                s(&c.mail),
                c.proxies.join(";"),
                String::new(),
                "Fourth Coffee".into(),
            ]
        }),
    )
}

/// `Get-MgGroup -All -Property … | Select-Object Id,DisplayName,Mail,MailEnabled,
/// SecurityEnabled,@{n='ProxyAddresses';e={$_.ProxyAddresses -join ';'}},
/// OnPremisesSyncEnabled,OnPremisesSecurityIdentifier | Export-Csv` in PowerShell 7.
fn groups_csv(groups: &[Cloud]) -> io::Result<Vec<u8>> {
    csv_bytes(
        false,
        "",
        &[
            "Id",
            "DisplayName",
            "Mail",
            "MailEnabled",
            "SecurityEnabled",
            "ProxyAddresses",
            "OnPremisesSyncEnabled",
            "OnPremisesSecurityIdentifier",
        ],
        groups.iter().map(|c| {
            vec![
                c.id.clone(),
                c.display_name.clone(),
                s(&c.mail),
                "True".into(),
                "False".into(),
                c.proxies.join(";"),
                ps_bool(c.sync_enabled),
                s(&c.sid),
            ]
        }),
    )
}

/// `Get-MgContact -All | ConvertTo-Json -Depth 4`: PascalCase, Addresses and Phones as lists
/// of objects, every property present.
fn contacts_json(contacts: &[Cloud]) -> Vec<u8> {
    let list: Vec<Value> = contacts
        .iter()
        .map(|c| {
            json!({
                "Addresses": [{"City": "Seattle", "CountryOrRegion": "United States", "OfficeLocation": null, "PostalCode": "98101", "State": "WA", "Street": null, "Type": "business"}],
                "CompanyName": "Fourth Coffee",
                "Department": null,
                "DirectReports": null,
                "DisplayName": c.display_name,
                "GivenName": null,
                "Id": c.id,
                "JobTitle": null,
                "Mail": c.mail,
                "MailNickname": c.mail.as_deref().and_then(|m| m.split('@').next()),
                "OnPremisesLastSyncDateTime": null,
                "OnPremisesProvisioningErrors": [],
                "OnPremisesSyncEnabled": if c.sync_enabled == Some(true) { json!(true) } else { Value::Null },
                "Phones": [{"Number": "+1 425 555 0100", "Type": "business"}],
                "ProxyAddresses": c.proxies,
                "Surname": null,
                "AdditionalProperties": {}
            })
        })
        .collect();
    pretty(&Value::Array(list))
}

fn domains_json() -> Vec<u8> {
    pretty(&json!([
        {"Id": "contoso.com", "IsVerified": true, "IsDefault": true, "IsInitial": false, "IsRoot": true, "AuthenticationType": "Managed", "SupportedServices": ["Email", "OrgIdAuthentication"]},
        {"Id": "tailspintoys.com", "IsVerified": true, "IsDefault": false, "IsInitial": false, "IsRoot": true, "AuthenticationType": "Federated", "SupportedServices": ["Email", "OrgIdAuthentication"]},
        {"Id": "fabrikam.com", "IsVerified": false, "IsDefault": false, "IsInitial": false, "IsRoot": true, "AuthenticationType": "Managed", "SupportedServices": []},
        {"Id": INITIAL_DOMAIN, "IsVerified": true, "IsDefault": false, "IsInitial": true, "IsRoot": true, "AuthenticationType": "Managed", "SupportedServices": ["Email", "OfficeCommunicationsOnline"]}
    ]))
}

/// `Get-MgDirectoryOnPremiseSynchronization | ConvertTo-Json -Depth 4`.
fn features_json() -> Vec<u8> {
    pretty(&json!({
        "Configuration": {"AccidentalDeletionPrevention": {"AlertThreshold": 500, "SynchronizationPreventionType": "enabledForCount"}},
        "Features": {
            "BlockCloudObjectTakeoverThroughHardMatchEnabled": true,
            "BlockSoftMatchEnabled": false,
            "BypassDirSyncOverridesEnabled": false,
            "CloudPasswordPolicyForPasswordSyncedUsersEnabled": false,
            "ConcurrentCredentialUpdateEnabled": false,
            "DeviceWritebackEnabled": false,
            "DirectoryExtensionsEnabled": false,
            "FopeConflictResolutionEnabled": false,
            "PasswordSyncEnabled": true,
            "QuarantineUponProxyAddressesConflictEnabled": true,
            "QuarantineUponUpnConflictEnabled": true,
            "SoftMatchOnUpnEnabled": true,
            "SynchronizeUpnForManagedUsersEnabled": true,
            "UserWritebackEnabled": false
        },
        "Id": "0f7a1d5e-0000-4000-8000-000000000001",
        "AdditionalProperties": {}
    }))
}

/// The role holders' one-liner (README): role, member id and UPN.
fn roles_json(admins: &[(String, String)]) -> Vec<u8> {
    let list: Vec<Value> = admins
        .iter()
        .filter(|(id, _)| !id.is_empty())
        .map(|(id, upn)| {
            json!({
                "Role": "Global Administrator",
                "RoleTemplateId": "62e90394-69f5-4237-9190-012177145e10",
                "Id": id,
                "UserPrincipalName": if upn.is_empty() { Value::Null } else { json!(upn) }
            })
        })
        .collect();
    pretty(&Value::Array(list))
}

/// `truth.json`: per users format, the outcome of every planted object and the counts.
fn truth_json(planted: &[(String, Plant)]) -> Vec<u8> {
    let mut formats = Map::new();
    for (name, carried) in USER_FORMATS {
        let carried: BTreeSet<Property> = carried.iter().copied().collect();
        let mut objects = Map::new();
        let mut counts: BTreeMap<&str, u64> = BTreeMap::new();
        for (dn, plant) in planted {
            let outcome = plant.expected(&carried);
            objects.insert(dn.clone(), json!(outcome));
            if outcome != "created" {
                *counts.entry(outcome).or_default() += 1;
            }
        }
        formats.insert(
            name.to_string(),
            json!({"objects": objects, "counts": counts}),
        );
    }
    pretty(&json!({
        "note": "For each users file (analyzed with one groups file and one contacts file, groups.json and contacts.json or groups.csv and contacts.csv, which hold the same objects, and domains.json, features.json and roles.json; rest-users-1.json with rest-users-2.json): the outcome of every planted on-premises object, and the counts of outcomes other than created. Every other in-scope object is created.",
        "formats": formats
    }))
}
