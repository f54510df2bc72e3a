//! The tenant as it is before the first sync: a second kind of input (`analyze --tenant`),
//! read from what an admin can download from the Entra or Microsoft 365 admin centers or
//! with one Graph PowerShell cmdlet, and the prediction of what Entra does with each
//! on-premises object when it meets the objects already there ([`matching`]).
//!
//! Reading ([`read`]) detects each file by content (JSON or CSV, header style, which kind of
//! object each record is) and keeps, for every property the matching needs, which inputs
//! carried it: a property no input carried makes the checks that need it "unknown", never a
//! guess.

pub mod matching;
pub mod read;

pub use matching::{predict, Outcome, Prediction};
pub use read::{read_files, TenantFormat};

use std::collections::BTreeSet;

/// The kind of a tenant object.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CloudKind {
    User,
    Group,
    Contact,
}

impl CloudKind {
    pub fn name(self) -> &'static str {
        match self {
            CloudKind::User => "user",
            CloudKind::Group => "group",
            CloudKind::Contact => "contact",
        }
    }
}

/// A property of tenant objects the matching reads; which inputs carried it decides which
/// checks can run.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub enum Property {
    #[serde(rename = "userPrincipalName")]
    UserPrincipalName,
    #[serde(rename = "mail")]
    Mail,
    #[serde(rename = "proxyAddresses")]
    ProxyAddresses,
    #[serde(rename = "onPremisesImmutableId")]
    ImmutableId,
    #[serde(rename = "onPremisesSyncEnabled")]
    SyncEnabled,
    #[serde(rename = "onPremisesSecurityIdentifier")]
    SecurityIdentifier,
    #[serde(rename = "onPremisesObjectIdentifier")]
    ObjectIdentifier,
}

impl Property {
    pub fn name(self) -> &'static str {
        match self {
            Property::UserPrincipalName => "userPrincipalName",
            Property::Mail => "mail",
            Property::ProxyAddresses => "proxyAddresses",
            Property::ImmutableId => "onPremisesImmutableId",
            Property::SyncEnabled => "onPremisesSyncEnabled",
            Property::SecurityIdentifier => "onPremisesSecurityIdentifier",
            Property::ObjectIdentifier => "onPremisesObjectIdentifier",
        }
    }
}

/// One object already in the tenant.
#[derive(Clone, Debug, Default)]
pub struct CloudObject {
    pub kind: Option<CloudKind>,
    pub id: Option<String>,
    pub display_name: Option<String>,
    pub upn: Option<String>,
    pub mail: Option<String>,
    /// As Graph gives them: `SMTP:a@b` (primary), `smtp:c@d`, `SIP:…`.
    pub proxies: Vec<String>,
    pub immutable_id: Option<String>,
    /// `Some(true)`: synchronized from on-premises; `Some(false)` or empty in an input that
    /// carries it: cloud-managed.
    pub sync_enabled: Option<bool>,
    /// The SID string (`S-1-5-21-…`).
    pub security_identifier: Option<String>,
    /// The objectGUID (string form) of the on-premises object it is mapped to (beta Graph).
    pub object_identifier: Option<String>,
    /// Input index (into [`Tenant::inputs`]) and 1-based line of the record.
    pub input: u16,
    pub line: u64,
}

impl CloudObject {
    /// Whether the object is managed in the cloud (not synchronized), when the input says.
    pub fn cloud_managed(&self) -> Option<bool> {
        self.sync_enabled.map(|s| !s)
    }
}

/// A domain of the tenant (`Get-MgDomain`, or a plain list of verified domains).
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct Domain {
    pub name: String,
    pub verified: bool,
    pub initial: bool,
    pub default: bool,
    /// `Some(true)` Federated, `Some(false)` Managed, `None` not said (a plain list).
    pub federated: Option<bool>,
}

/// `Get-MgDirectoryOnPremiseSynchronization` → Features: `None` where the input did not say.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct Features {
    pub block_soft_match: Option<bool>,
    pub block_cloud_object_takeover_through_hard_match: Option<bool>,
    pub soft_match_on_upn: Option<bool>,
    /// The input that gave them (index into [`Tenant::inputs`]).
    #[serde(skip)]
    pub input: u16,
}

/// A holder of a directory role.
#[derive(Clone, Debug, Default)]
pub struct RoleHolder {
    pub id: Option<String>,
    pub upn: Option<String>,
    pub role: Option<String>,
    pub input: u16,
    pub line: u64,
}

/// A record of a tenant input that could not be used.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Rejection {
    pub line: u64,
    pub reason: String,
}

/// One tenant input as read.
#[derive(Clone, Debug, serde::Serialize)]
pub struct TenantInput {
    pub path: String,
    pub format: Option<TenantFormat>,
    /// Records read: used + rejected.
    pub records: u64,
    pub users: u64,
    pub groups: u64,
    pub contacts: u64,
    pub domains: u64,
    pub role_holders: u64,
    pub features: u64,
    pub rejected: u64,
    /// The first rejected records (all are counted in `rejected`).
    pub rejections: Vec<Rejection>,
    /// Properties this input carried (a column or a key, even when empty).
    pub carried: BTreeSet<Property>,
    /// What limits what this input tells (collections written as type names …).
    pub warnings: Vec<String>,
    /// Why the file could not be read at all.
    pub error: Option<String>,
}

impl TenantInput {
    pub(crate) fn new(path: &str) -> TenantInput {
        TenantInput {
            path: path.to_string(),
            format: None,
            records: 0,
            users: 0,
            groups: 0,
            contacts: 0,
            domains: 0,
            role_holders: 0,
            features: 0,
            rejected: 0,
            rejections: Vec::new(),
            carried: BTreeSet::new(),
            warnings: Vec::new(),
            error: None,
        }
    }

    /// Counts a rejected record, keeping the first ones' reasons.
    pub(crate) fn reject(&mut self, line: u64, reason: impl Into<String>) {
        self.records += 1;
        self.rejected += 1;
        if self.rejections.len() < 100 {
            self.rejections.push(Rejection {
                line,
                reason: reason.into(),
            });
        }
    }
}

/// Everything read from the tenant inputs.
#[derive(Clone, Debug, Default)]
pub struct Tenant {
    pub inputs: Vec<TenantInput>,
    pub objects: Vec<CloudObject>,
    /// `None`: no domain input.
    pub domains: Option<Vec<Domain>>,
    pub features: Option<Features>,
    /// `None`: no role-holder input.
    pub roles: Option<Vec<RoleHolder>>,
}

impl Tenant {
    /// The inputs (paths) that carried `property` on some object, or none.
    pub fn carriers(&self, property: Property) -> Vec<&str> {
        self.inputs
            .iter()
            .filter(|i| i.carried.contains(&property))
            .map(|i| i.path.as_str())
            .collect()
    }

    pub fn carried(&self, property: Property) -> bool {
        self.inputs.iter().any(|i| i.carried.contains(&property))
    }

    /// `path:line` of a tenant object.
    pub fn source_of(&self, object: &CloudObject) -> String {
        let path = self
            .inputs
            .get(object.input as usize)
            .map_or("", |i| i.path.as_str());
        format!("{path}:{}", object.line)
    }

    /// The path of input `i`.
    pub fn input_path(&self, i: u16) -> &str {
        self.inputs.get(i as usize).map_or("", |i| i.path.as_str())
    }

    /// The initial (`….onmicrosoft.com`) domain, from `IsInitial` or, in a plain list, the
    /// one `onmicrosoft.com` domain that is not the `mail.` one.
    pub fn initial_domain(&self) -> Option<&str> {
        let domains = self.domains.as_ref()?;
        domains
            .iter()
            .find(|d| d.initial)
            .or_else(|| {
                domains.iter().find(|d| {
                    d.name.ends_with(".onmicrosoft.com") && !d.name.contains(".mail.onmicrosoft.")
                })
            })
            .map(|d| d.name.as_str())
    }

    /// Verified domains (lower case), when domains were given.
    pub fn verified_domains(&self) -> Option<Vec<String>> {
        self.domains.as_ref().map(|ds| {
            ds.iter()
                .filter(|d| d.verified)
                .map(|d| d.name.to_lowercase())
                .collect()
        })
    }

    /// The input that gave the domains.
    pub fn domain_inputs(&self) -> Vec<&str> {
        self.inputs
            .iter()
            .filter(|i| i.domains > 0)
            .map(|i| i.path.as_str())
            .collect()
    }

    /// The directory quota (Entra service limits): 300,000 objects once a domain other than
    /// the initial one is verified, 50,000 before; `None` without a domain input.
    pub fn quota(&self) -> Option<u64> {
        let domains = self.domains.as_ref()?;
        let custom_verified = domains
            .iter()
            .any(|d| d.verified && !d.initial && !d.name.ends_with(".onmicrosoft.com"));
        Some(if custom_verified {
            QUOTA_VERIFIED
        } else {
            QUOTA_UNVERIFIED
        })
    }

    /// Every file that could not be read at all, as `path: why`.
    pub fn errors(&self) -> impl Iterator<Item = &str> {
        self.inputs.iter().filter_map(|i| i.error.as_deref())
    }
}

/// Directory quota without a verified domain (Entra service limits).
pub const QUOTA_UNVERIFIED: u64 = 50_000;
/// Directory quota with a verified domain.
pub const QUOTA_VERIFIED: u64 = 300_000;

/// The source anchor bytes `engine` gives object `row` ([`crate::anchor::source_anchor`]),
/// `None` when it has none.
pub fn anchor_of(
    dir: &crate::directory::Directory,
    row: usize,
    engine: crate::anchor::Engine,
) -> Option<Box<[u8]>> {
    crate::anchor::source_anchor(dir, row, engine).map(|a| a.bytes)
}

/// The immutableId text of anchor bytes.
pub fn immutable_id_text(anchor: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(anchor)
}

/// Anchor bytes of an immutableId that is base64 (what every binary-anchored sync writes);
/// `None` for other values (custom string anchors, which no binary anchor can equal).
pub fn anchor_bytes(immutable_id: &str) -> Option<Box<[u8]>> {
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(immutable_id.trim())
        .ok()?;
    Some(bytes.into())
}

/// A SID as text (`S-1-5-21-…`) from its binary form.
pub fn sid_text(bytes: &[u8]) -> Option<String> {
    if bytes.len() < 8 {
        return None;
    }
    let count = bytes[1] as usize;
    if bytes.len() != 8 + 4 * count {
        return None;
    }
    let authority = bytes[2..8]
        .iter()
        .fold(0u64, |a, b| (a << 8) | u64::from(*b));
    let mut s = format!("S-{}-{authority}", bytes[0]);
    for i in 0..count {
        let at = 8 + 4 * i;
        let sub = u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
        s.push('-');
        s.push_str(&sub.to_string());
    }
    Some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchors_round_trip_through_base64() {
        let guid = [7u8; 16];
        let text = immutable_id_text(&guid);
        assert_eq!(text, "BwcHBwcHBwcHBwcHBwcHBw==");
        assert_eq!(anchor_bytes(&text).as_deref(), Some(&guid[..]));
        assert_eq!(anchor_bytes("employee-12345"), None);
    }

    #[test]
    fn sids_read_as_text() {
        let mut sid = vec![1, 5, 0, 0, 0, 0, 0, 5, 21, 0, 0, 0];
        sid.extend(1u32.to_le_bytes());
        sid.extend(2u32.to_le_bytes());
        sid.extend(3u32.to_le_bytes());
        sid.extend(1104u32.to_le_bytes());
        assert_eq!(sid_text(&sid).as_deref(), Some("S-1-5-21-1-2-3-1104"));
        assert_eq!(sid_text(&sid[..10]), None);
    }
}
