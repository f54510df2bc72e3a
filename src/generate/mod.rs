//! Synthetic exports for tests, benchmarks and demos: users, groups, contacts and computers
//! across several domains, with multi-valued proxyAddresses, non-ASCII names, folded lines and
//! binary GUIDs/SIDs, in either format and in UTF-8 or UTF-16LE. Seeded, so reproducible.

pub mod devices;
pub mod forests;
pub mod snapshot;
pub mod tenant;
pub mod writer;

use crate::ingest::{Encoding, Format};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::io::{self, Write};
pub use writer::{ExportObject, ExportValue, LdifStyle, PowershellStyle};

/// What to generate.
#[derive(Clone, Debug)]
pub struct GenerateOptions {
    pub objects: u64,
    pub seed: u64,
    pub format: Format,
    pub encoding: Encoding,
    /// Number of domains (1 to [`DOMAINS`].len()).
    pub domains: usize,
    /// Plant known sync problems (duplicates, collisions, invalid values) at fixed intervals;
    /// see [`plant`].
    pub planted: bool,
    /// Real directories' names: users named `Last, First`, OUs with characters a DN escapes,
    /// replication-conflict copies; see [`real_names`].
    pub escaped_names: bool,
    /// The export's shape: which columns, how full each row is, which object kinds.
    pub shape: Shape,
    /// After the objects, the hybrid join and password readiness cases of [`devices`].
    pub plant_devices: bool,
}

/// Shapes of export the benchmarks compare on, so a speed measured on one is not taken for all.
/// Every shape is reproducible from the seed; `Default` is byte-for-byte what the generator
/// wrote before shapes existed (the other shapes draw their extras from a second random stream).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Shape {
    /// 52 columns, most filled on a user's row: every attribute the rules read and the
    /// operational ones csvde exports by default.
    #[default]
    Default,
    /// A full-domain csvde export without `-l`: about 240 columns, the union of the
    /// attributes of users, groups, contacts, computers and OUs, most of them empty on any row.
    SparseWide,
    /// An export as met in the field: 52 columns, most empty on any row (the objects carry
    /// the attributes that were set, not the operational ones); OU objects; longer memberOf
    /// lists; X400 addresses (their `;` escaped as `\;` by csvde); every 5th user named
    /// `Last, First`, with escaped OU names and conflict copies as in [`real_names`].
    Field,
}

impl Shape {
    pub fn name(self) -> &'static str {
        match self {
            Shape::Default => "default",
            Shape::SparseWide => "sparse-wide",
            Shape::Field => "field",
        }
    }

    /// The csvde columns (after DN), in header order.
    pub fn columns(self) -> Vec<&'static str> {
        match self {
            Shape::Default => CSV_COLUMNS.to_vec(),
            Shape::Field => CSV_COLUMNS
                .iter()
                .map(|c| {
                    FIELD_SWAPS
                        .iter()
                        .find(|(from, _)| from == c)
                        .map_or(*c, |s| s.1)
                })
                .collect(),
            Shape::SparseWide => {
                let mut columns = CSV_COLUMNS.to_vec();
                let field = FIELD_SWAPS.iter().map(|s| &s.1);
                for name in field.chain(WIDE_COLUMNS.iter()) {
                    if !columns.iter().any(|c| c.eq_ignore_ascii_case(name)) {
                        columns.push(name);
                    }
                }
                columns
            }
        }
    }

    /// One OU object in this many objects (none in the default shape).
    fn ou_every(self) -> Option<u64> {
        match self {
            Shape::Default => None,
            Shape::SparseWide => Some(50),
            Shape::Field => Some(25),
        }
    }
}

impl Default for GenerateOptions {
    fn default() -> Self {
        GenerateOptions {
            objects: 1000,
            seed: 1,
            format: Format::Ldif,
            encoding: Encoding::Utf8,
            domains: 3,
            planted: false,
            escaped_names: false,
            shape: Shape::Default,
            plant_devices: false,
        }
    }
}

/// Domains objects are spread over: (AD DNS name, mail domain). One is non-routable on purpose.
pub const DOMAINS: [(&str, &str); 4] = [
    ("corp.contoso.com", "contoso.com"),
    ("emea.contoso.com", "contoso.com"),
    ("fabrikam.local", "fabrikam.local"),
    ("tailspin.example.org", "tailspintoys.com"),
];

const GIVEN: [&str; 24] = [
    "James",
    "Mary",
    "John",
    "Patricia",
    "Robert",
    "Jennifer",
    "Michael",
    "Linda",
    "David",
    "Elizabeth",
    "William",
    "Susan",
    "José",
    "Zoë",
    "Łukasz",
    "Søren",
    "François",
    "Ana",
    "Mohammed",
    "Wei",
    "Yuki",
    "Olga",
    "Björn",
    "Aoife",
];
const SURNAMES: [&str; 24] = [
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "García",
    "Miller",
    "Davis",
    "Müller",
    "Wilson",
    "Anderson",
    "Taylor",
    "O'Brien",
    "Nguyễn",
    "Kowalski",
    "Øvergaard",
    "Şahin",
    "Martin",
    "Lee",
    "Thompson",
    "王",
    "Иванов",
    "Dubois",
    "Rossi",
];
const DEPARTMENTS: [&str; 8] = [
    "Sales",
    "Finance",
    "Engineering",
    "Human Resources",
    "Legal",
    "Marketing",
    "Support",
    "Operations",
];

/// Summary of a generated file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Generated {
    pub objects: u64,
    pub users: u64,
    pub groups: u64,
    pub contacts: u64,
    pub computers: u64,
    /// Organizational units (in the shapes that have them).
    pub ous: u64,
    /// Replication-conflict copies of users (counted among the users too).
    pub conflict_copies: u64,
}

/// The generated objects, in order (what [`generate`] writes).
pub struct Objects {
    rng: ChaCha8Rng,
    next: u64,
    count: u64,
    domains: &'static [(&'static str, &'static str)],
    planted: bool,
    escaped_names: bool,
    shape: Shape,
    /// The shape's own random stream, so the default shape's objects stay as they were.
    shape_rng: ChaCha8Rng,
    /// A conflict copy to yield next (it takes the next object's place).
    pending: Option<ExportObject>,
    /// The readiness cases still to yield after the objects ([`devices`]).
    devices: std::vec::IntoIter<devices::Case>,
    pub summary: Generated,
}

/// Iterates over the objects `options` describe.
pub fn objects(options: &GenerateOptions) -> Objects {
    Objects {
        rng: ChaCha8Rng::seed_from_u64(options.seed),
        next: 0,
        count: options.objects,
        domains: &DOMAINS[..options.domains.clamp(1, DOMAINS.len())],
        planted: options.planted,
        escaped_names: options.escaped_names || options.shape == Shape::Field,
        shape: options.shape,
        shape_rng: ChaCha8Rng::seed_from_u64(options.seed ^ 0x5348_4150_4500_0000),
        pending: None,
        devices: if options.plant_devices {
            devices::cases().into_iter()
        } else {
            Vec::new().into_iter()
        },
        summary: Generated::default(),
    }
}

impl Iterator for Objects {
    type Item = ExportObject;

    fn next(&mut self) -> Option<ExportObject> {
        if self.next >= self.count {
            let case = self.devices.next()?;
            self.summary.objects += 1;
            match case.object.last_text("objectClass") {
                Some("computer") => self.summary.computers += 1,
                Some("user" | "inetOrgPerson") => self.summary.users += 1,
                _ => {}
            }
            return Some(case.object);
        }
        let i = self.next;
        self.next += 1;
        self.summary.objects += 1;
        if let Some(copy) = self.pending.take() {
            self.summary.users += 1;
            self.summary.conflict_copies += 1;
            return Some(copy);
        }
        if self
            .shape
            .ou_every()
            .is_some_and(|every| i % every == every - 1)
        {
            self.summary.ous += 1;
            return Some(organizational_unit(&mut self.shape_rng, i, self.domains));
        }
        let mut object = make_object(&mut self.rng, i, self.domains, &mut self.summary);
        match self.shape {
            Shape::Default => {}
            Shape::SparseWide => widen(&mut object, &mut self.shape_rng, i),
            Shape::Field => as_in_the_field(&mut object, &mut self.shape_rng, i),
        }
        if self.planted {
            plant(&mut object, i);
        }
        if self.escaped_names {
            self.pending = real_names(&mut object, i);
        }
        Some(object)
    }
}

/// Plants known problems by object number, so tests can count them independently:
/// shared UPNs (every 101st object), shared mail (103rd), a shared secondary SMTP address
/// (107th), a shared address between users' UPNs (113th) and others' proxies (127th) or
/// groups' proxies (every 11th group, in even buckets), a space in the UPN (131st), '&' in the alias (137th),
/// a space in a proxy address (139th), an apostrophe in sAMAccountName (149th), a
/// 300-character displayName (151st) and a legacy X400 address (157th, info only).
pub fn plant(o: &mut ExportObject, i: u64) {
    let class = o.last_text("objectClass").unwrap_or_default();
    let user = class == "user";
    // Groups join only the even buckets, so odd ones clash between users alone.
    if class == "group" && o.has("mail") && i % 11 == 0 && (i / 1130) % 2 == 0 {
        o.text(
            "proxyAddresses",
            format!("smtp:clash{}@contoso.com", i / 1130),
        );
    }
    if !user {
        return;
    }
    if i % 101 == 0 {
        o.set(
            "userPrincipalName",
            format!("dup.upn{}@contoso.com", i / 1010),
        );
    }
    if i % 103 == 0 {
        o.set("mail", format!("dup.mail{}@contoso.com", i / 1030));
    }
    if i % 107 == 0 {
        o.text(
            "proxyAddresses",
            format!("smtp:shared.proxy{}@contoso.com", i / 1070),
        );
    }
    if i % 113 == 0 {
        o.set(
            "userPrincipalName",
            format!("clash{}@contoso.com", i / 1130),
        );
    }
    if i % 127 == 0 {
        o.text(
            "proxyAddresses",
            format!("smtp:clash{}@contoso.com", i / 1270),
        );
    }
    if i % 131 == 0 {
        o.set("userPrincipalName", format!("space user{i}@contoso.com"));
    }
    if i % 137 == 0 {
        o.set("mailNickname", format!("r&d{i}"));
    }
    if i % 139 == 0 {
        o.text("proxyAddresses", format!("smtp:bad address{i}@contoso.com"));
    }
    if i % 149 == 0 {
        o.set("sAMAccountName", format!("o'neil{i}"));
    }
    if i % 151 == 0 {
        o.set("displayName", "x".repeat(300));
    }
    if i % 157 == 0 {
        o.text(
            "proxyAddresses",
            format!("X400:c=US;a= ;p=Contoso;o=Exchange;s=User{i};"),
        );
    }
}

/// Department OUs renamed with characters a DN escapes: (department, escaped RDN value).
pub const ESCAPED_OUS: [(&str, &str); 5] = [
    ("Sales", "Sales\\, EMEA"),
    ("Engineering", "R\\+D"),
    ("Legal", "Legal \\<EU\\>"),
    ("Support", "Support\\; Tier 1"),
    ("Finance", "\\#Finance"),
];

/// Real directories' names (issue 14): the department OUs of [`ESCAPED_OUS`] carry escaped
/// characters; every 5th object, when a user, is named `Last, First` (`CN=Doe\, John 5`);
/// every 250th such user also has a replication-conflict copy, returned to be written next:
/// the same attributes under `CN=Doe\, John 250\0ACNF:<guid>`, with its own objectGUID and
/// the `$DUPLICATE-…` account name AD gives the loser.
pub(crate) fn real_names(o: &mut ExportObject, i: u64) -> Option<ExportObject> {
    if o.last_text("objectClass") != Some("user") {
        return None;
    }
    for (department, escaped) in ESCAPED_OUS {
        let plain = format!(",OU={department},OU=Staff,");
        if o.dn.contains(&plain) {
            o.dn =
                o.dn.replacen(&plain, &format!(",OU={escaped},OU=Staff,"), 1);
            break;
        }
    }
    if i % 5 == 0 {
        let name = format!(
            "{}, {} {i}",
            o.last_text("sn").unwrap_or("Doe"),
            o.last_text("givenName").unwrap_or("John")
        );
        let parent = crate::dn::parent(&o.dn).to_string();
        o.dn = format!("CN={},{parent}", crate::dn::escape(&name));
        o.set("cn", name.clone()).set("name", name);
    }
    let dn = o.dn.clone();
    o.set("distinguishedName", dn);
    if i % 250 != 0 {
        return None;
    }
    let mut copy = o.clone();
    let guid: [u8; 16] = (u128::from(i) << 64 | 0x0C0F_11C7).to_le_bytes();
    let conflict = format!(
        "{}\nCNF:{}",
        o.last_text("cn").unwrap_or_default(),
        crate::hex::format_guid(&guid)
    );
    let parent = crate::dn::parent(&o.dn).to_string();
    copy.dn = format!("CN={},{parent}", crate::dn::escape(&conflict));
    let dn = copy.dn.clone();
    copy.set("cn", conflict.clone())
        .set("name", conflict)
        .set("distinguishedName", dn)
        .set("sAMAccountName", format!("$DUPLICATE-{i:x}"));
    copy.attributes.retain(|(n, _)| n != "objectGUID");
    copy.binary("objectGUID", guid.to_vec());
    Some(copy)
}

/// Writes a generated export to `out`.
pub fn generate<W: Write>(options: &GenerateOptions, out: W) -> io::Result<Generated> {
    if options.format == Format::Adexplorer {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "a snapshot needs a seekable output: use generate::snapshot::generate",
        ));
    }
    let mut out = io::BufWriter::with_capacity(1 << 20, out);
    if options.format == Format::PowershellCsv && options.encoding == Encoding::Utf8 {
        // What `Export-Csv -Encoding UTF8` writes in Windows PowerShell 5.1.
        out.write_all(&[0xEF, 0xBB, 0xBF])?;
    }
    let mut text = writer::TextOut::new(out, options.encoding == Encoding::Utf16Le)?;
    let powershell = writer::PowershellStyle::default();
    let style = LdifStyle::default();
    let mut columns: Vec<String> = options
        .shape
        .columns()
        .iter()
        .map(|c| c.to_string())
        .collect();
    if options.plant_devices {
        columns.extend(devices::columns_beyond(&columns));
    }
    let column_index: std::collections::HashMap<String, usize> = columns
        .iter()
        .enumerate()
        .map(|(i, c)| (c.to_ascii_lowercase(), i))
        .collect();
    let column_of = |name: &str| column_index.get(&name.to_ascii_lowercase()).copied();
    match options.format {
        Format::Csvde => text.write_str(&writer::csvde_header(&columns))?,
        Format::PowershellCsv => text.write_str(&writer::powershell_header(&powershell))?,
        Format::Ldif | Format::Adexplorer => {}
    }
    let mut buffer = String::with_capacity(1 << 16);
    let mut all = objects(options);
    for object in all.by_ref() {
        match options.format {
            Format::Ldif => writer::write_ldif_record(&object, &style, &mut buffer),
            Format::Csvde => {
                writer::write_csvde_row(&object, columns.len(), &column_of, &mut buffer)
            }
            Format::PowershellCsv => {
                writer::write_powershell_row(&object, &powershell, &mut buffer)
            }
            Format::Adexplorer => {} // refused above
        }
        if buffer.len() > 1 << 15 {
            text.write_str(&buffer)?;
            buffer.clear();
        }
    }
    text.write_str(&buffer)?;
    text.into_inner().flush()?;
    Ok(all.summary)
}

/// Every attribute the generator writes, in csvde header order.
const CSV_COLUMNS: [&str; 52] = [
    "objectClass",
    "cn",
    "sn",
    "givenName",
    "distinguishedName",
    "instanceType",
    "whenCreated",
    "whenChanged",
    "displayName",
    "uSNCreated",
    "uSNChanged",
    "department",
    "company",
    "title",
    "telephoneNumber",
    "physicalDeliveryOfficeName",
    "description",
    "memberOf",
    "member",
    "groupType",
    "name",
    "objectGUID",
    "userAccountControl",
    "badPwdCount",
    "codePage",
    "countryCode",
    "badPasswordTime",
    "lastLogoff",
    "lastLogon",
    "pwdLastSet",
    "primaryGroupID",
    "objectSid",
    "accountExpires",
    "logonCount",
    "sAMAccountName",
    "sAMAccountType",
    "userPrincipalName",
    "objectCategory",
    "dSCorePropagationData",
    "lastLogonTimestamp",
    "mail",
    "mailNickname",
    "proxyAddresses",
    "targetAddress",
    "homeMDB",
    "msExchRecipientTypeDetails",
    "dNSHostName",
    "servicePrincipalName",
    "operatingSystem",
    "userCertificate",
    "thumbnailPhoto",
    "msExchHideFromAddressLists",
];

/// The field shape's columns: the default's, with the USNs and the two binary columns
/// (photos, certificates) replaced by attributes of OUs and managed groups: (default, field).
const FIELD_SWAPS: [(&str, &str); 4] = [
    ("uSNCreated", "ou"),
    ("uSNChanged", "gPLink"),
    ("userCertificate", "managedBy"),
    ("thumbnailPhoto", "legacyExchangeDN"),
];

/// Attributes of users, groups, contacts, computers and OUs in a full-domain export beyond
/// [`CSV_COLUMNS`] and [`FIELD_SWAPS`] (attribute names of the AD schema and the Exchange,
/// Skype for Business and LAPS extensions).
const WIDE_COLUMNS: &[&str] = &[
    "streetAddress",
    "l",
    "st",
    "postalCode",
    "co",
    "c",
    "postOfficeBox",
    "postalAddress",
    "street",
    "mobile",
    "facsimileTelephoneNumber",
    "homePhone",
    "ipPhone",
    "pager",
    "otherTelephone",
    "otherMobile",
    "otherHomePhone",
    "otherFacsimileTelephoneNumber",
    "otherIpPhone",
    "otherPager",
    "info",
    "manager",
    "directReports",
    "employeeID",
    "employeeNumber",
    "employeeType",
    "initials",
    "middleName",
    "personalTitle",
    "generationQualifier",
    "wWWHomePage",
    "url",
    "homeDirectory",
    "homeDrive",
    "profilePath",
    "scriptPath",
    "logonHours",
    "userWorkstations",
    "lockoutTime",
    "adminCount",
    "msDS-SupportedEncryptionTypes",
    "msNPAllowDialin",
    "showInAddressBook",
    "msExchMailboxGuid",
    "msExchArchiveGUID",
    "msExchArchiveName",
    "msExchMailboxSecurityDescriptor",
    "msExchPoliciesIncluded",
    "msExchRecipientDisplayType",
    "msExchRemoteRecipientType",
    "msExchUserAccountControl",
    "msExchVersion",
    "msExchWhenMailboxCreated",
    "msExchUMDtmfMap",
    "msExchSafeSendersHash",
    "msExchBlockedSendersHash",
    "msExchELCMailboxFlags",
    "msExchTextMessagingState",
    "msExchUserCulture",
    "msExchDelegateListLink",
    "msExchDelegateListBL",
    "publicDelegates",
    "publicDelegatesBL",
    "mDBUseDefaults",
    "msExchCoManagedByLink",
    "msExchRequireAuthToSendTo",
    "authOrig",
    "unauthOrig",
    "dLMemSubmitPerms",
    "msExchGroupDepartRestriction",
    "msExchGroupJoinRestriction",
    "reportToOriginator",
    "oOFReplyToOriginator",
    "msExchArbitrationMailbox",
    "msExchModerationFlags",
    "msExchMasterAccountSid",
    "msExchAddressBookFlags",
    "msExchBypassAudit",
    "msExchMailboxAuditEnable",
    "msExchMailboxAuditLogAgeLimit",
    "msExchProvisioningFlags",
    "msExchTransportRecipientSettingsFlags",
    "msExchGroupSecurityFlags",
    "msExchLitigationHoldDate",
    "msExchRetentionComment",
    "msRTCSIP-PrimaryUserAddress",
    "msRTCSIP-UserEnabled",
    "msRTCSIP-PrimaryHomeServer",
    "msRTCSIP-DeploymentLocator",
    "msRTCSIP-OptionFlags",
    "msRTCSIP-Line",
    "msDS-ExternalDirectoryObjectId",
    "mS-DS-ConsistencyGuid",
    "msDS-UserPasswordExpiryTimeComputed",
    "preferredLanguage",
    "preferredDataLocation",
    "departmentNumber",
    "division",
    "carLicense",
    "roomNumber",
    "jpegPhoto",
    "userSMIMECertificate",
    "altSecurityIdentities",
    "userParameters",
    "unixHomeDirectory",
    "loginShell",
    "uidNumber",
    "gidNumber",
    "uid",
    "msSFU30Name",
    "msSFU30NisDomain",
    "sIDHistory",
    "comment",
    "msDS-LastSuccessfulInteractiveLogonTime",
    "msDS-AllowedToDelegateTo",
    "msDS-AllowedToActOnBehalfOfOtherIdentity",
    "lastKnownParent",
    "isCriticalSystemObject",
    "systemFlags",
    "showInAdvancedViewOnly",
    "adminDescription",
    "adminDisplayName",
    "extensionAttribute1",
    "extensionAttribute2",
    "extensionAttribute3",
    "extensionAttribute4",
    "extensionAttribute5",
    "extensionAttribute6",
    "extensionAttribute7",
    "extensionAttribute8",
    "extensionAttribute9",
    "extensionAttribute10",
    "extensionAttribute11",
    "extensionAttribute12",
    "extensionAttribute13",
    "extensionAttribute14",
    "extensionAttribute15",
    "msExchExtensionCustomAttribute1",
    "msExchExtensionCustomAttribute2",
    "msExchExtensionCustomAttribute3",
    "msExchExtensionCustomAttribute4",
    "msExchExtensionCustomAttribute5",
    "msDS-cloudExtensionAttribute1",
    "msDS-cloudExtensionAttribute2",
    "msDS-cloudExtensionAttribute3",
    "msDS-cloudExtensionAttribute4",
    "msDS-cloudExtensionAttribute5",
    "msDS-cloudExtensionAttribute6",
    "msDS-cloudExtensionAttribute7",
    "msDS-cloudExtensionAttribute8",
    "msDS-cloudExtensionAttribute9",
    "msDS-cloudExtensionAttribute10",
    "msDS-cloudExtensionAttribute11",
    "msDS-cloudExtensionAttribute12",
    "msDS-cloudExtensionAttribute13",
    "msDS-cloudExtensionAttribute14",
    "msDS-cloudExtensionAttribute15",
    "msDS-cloudExtensionAttribute16",
    "msDS-cloudExtensionAttribute17",
    "msDS-cloudExtensionAttribute18",
    "msDS-cloudExtensionAttribute19",
    "msDS-cloudExtensionAttribute20",
    "operatingSystemVersion",
    "operatingSystemServicePack",
    "operatingSystemHotfix",
    "localPolicyFlags",
    "ms-Mcs-AdmPwdExpirationTime",
    "msLAPS-PasswordExpirationTime",
    "networkAddress",
    "machineRole",
    "netbootGUID",
    "msDS-KeyCredentialLink",
    "rIDSetReferences",
    "serverReferenceBL",
    "frsComputerReferenceBL",
    "gPOptions",
    "msDS-ObjectReference",
    "msDS-ObjectReferenceBL",
    "secretary",
    "assistant",
    "textEncodedORAddress",
    "msExchAssistantName",
    "msExchHomeServerName",
    "msExchRecipientSoftDeletedStatus",
];

/// An organizational unit under `OU=Staff` (the shapes other than the default have them).
fn organizational_unit(rng: &mut ChaCha8Rng, i: u64, domains: &[(&str, &str)]) -> ExportObject {
    let (ad_domain, _) = domains[(i % domains.len() as u64) as usize];
    let base = base_dn(ad_domain);
    let department = DEPARTMENTS[rng.random_range(0..DEPARTMENTS.len())];
    let name = format!("{department} {i}");
    let mut o = ExportObject::new(format!("OU={name},OU=Staff,{base}"));
    let dn = o.dn.clone();
    o.text("objectClass", "top")
        .text("objectClass", "organizationalUnit")
        .text("ou", name.clone())
        .text("distinguishedName", dn)
        .text("instanceType", "4")
        .text("whenCreated", time(rng))
        .text("whenChanged", time(rng))
        .text("name", name)
        .binary("objectGUID", bytes(rng, 16))
        .text(
            "objectCategory",
            format!("CN=Organizational-Unit,CN=Schema,CN=Configuration,{base}"),
        );
    if rng.random_range(0..3) == 0 {
        o.text("description", format!("{department} accounts"));
    }
    if rng.random_range(0..4) == 0 {
        o.text(
            "gPLink",
            format!(
                "[LDAP://cn={{{:08X}-0000-0000-0000-{:012X}}},cn=policies,cn=system,{base};0]",
                rng.random::<u32>(),
                i
            ),
        );
    }
    o
}

/// Sparse-wide shape: a few of the wide columns filled on each object, by its kind.
fn widen(o: &mut ExportObject, rng: &mut ChaCha8Rng, i: u64) {
    let class = o.last_text("objectClass").unwrap_or_default().to_string();
    let base = o.dn[o.dn.find(",DC=").map_or(0, |p| p + 1)..].to_string();
    let mailbox = o.has("mail");
    match class.as_str() {
        "user" => {
            let optional = [
                (60, "streetAddress", format!("{} Main Street", i % 900)),
                (60, "l", "Redmond".into()),
                (50, "st", "WA".into()),
                (50, "postalCode", "98052".into()),
                (50, "co", "United States".into()),
                (50, "c", "US".into()),
                (40, "mobile", format!("+1 206 555 {:04}", i % 10_000)),
                (
                    50,
                    "manager",
                    format!("CN=Manager {},OU=Staff,{base}", i % 500),
                ),
                (70, "employeeID", format!("E{i:08}")),
                (30, "extensionAttribute1", format!("cost-{}", i % 40)),
                (20, "extensionAttribute2", "contractor".into()),
                (10, "extensionAttribute10", format!("{}", i % 7)),
                (30, "lockoutTime", "0".into()),
                (5, "info", "Moved from the old domain".into()),
            ];
            for (percent, name, value) in optional {
                maybe(o, rng, percent, name, value);
            }
            if mailbox {
                o.text(
                    "legacyExchangeDN",
                    format!("/o=Contoso/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=u{i}"),
                )
                .text("msExchRecipientDisplayType", "1073741824")
                .text(
                    "showInAddressBook",
                    format!("CN=Default Global Address List,CN=All Global Address Lists,CN=Address Lists Container,CN=Contoso,CN=Microsoft Exchange,CN=Services,CN=Configuration,{base}"),
                )
                .binary("msExchMailboxGuid", bytes(rng, 16));
            }
            if rng.random_range(0..2) == 0 {
                o.binary("mS-DS-ConsistencyGuid", bytes(rng, 16));
            }
        }
        "group" => {
            maybe(
                o,
                rng,
                50,
                "managedBy",
                format!("CN=Manager {},OU=Staff,{base}", i % 500),
            );
            maybe(o, rng, 20, "info", "Requested by the service desk".into());
            maybe(
                o,
                rng,
                5,
                "authOrig",
                format!("CN=Manager {},OU=Staff,{base}", i % 500),
            );
            if mailbox {
                o.text(
                    "legacyExchangeDN",
                    format!("/o=Contoso/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=g{i}"),
                );
            }
        }
        "contact" => {
            maybe(o, rng, 60, "company", "Partner Inc".into());
            maybe(o, rng, 40, "l", "Seattle".into());
            maybe(o, rng, 40, "c", "US".into());
            o.text(
                "legacyExchangeDN",
                format!("/o=Contoso/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=c{i}"),
            );
        }
        _ => {
            o.text("operatingSystemVersion", "10.0 (22631)")
                .text("msDS-SupportedEncryptionTypes", "28")
                .text("localPolicyFlags", "0");
            let expires = (133_000_000_000_000_000u64 + i * 1_000_003).to_string();
            maybe(o, rng, 50, "ms-Mcs-AdmPwdExpirationTime", expires);
        }
    }
}

/// Sets `name` on `percent` % of the objects.
fn maybe(o: &mut ExportObject, rng: &mut ChaCha8Rng, percent: u32, name: &str, value: String) {
    if rng.random_range(0..100) < percent {
        o.text(name, value);
    }
}

/// Attributes a field export's user rows carry; the rest of the default's operational
/// attributes are left out, so most of the 52 columns are empty on a row.
const FIELD_USER_ATTRIBUTES: [&str; 19] = [
    "objectClass",
    "cn",
    "sn",
    "givenName",
    "distinguishedName",
    "displayName",
    "department",
    "memberOf",
    "name",
    "objectGUID",
    "userAccountControl",
    "sAMAccountName",
    "userPrincipalName",
    "mail",
    "mailNickname",
    "proxyAddresses",
    "targetAddress",
    "whenChanged",
    "description",
];

/// Field shape: users with only the attributes that were set, longer memberOf lists, X400
/// addresses; groups with owners.
fn as_in_the_field(o: &mut ExportObject, rng: &mut ChaCha8Rng, i: u64) {
    let class = o.last_text("objectClass").unwrap_or_default().to_string();
    let base = o.dn[o.dn.find(",DC=").map_or(0, |p| p + 1)..].to_string();
    match class.as_str() {
        "user" => {
            o.attributes
                .retain(|(name, _)| FIELD_USER_ATTRIBUTES.iter().any(|a| a == name));
            for g in 0..rng.random_range(0..8) {
                o.text(
                    "memberOf",
                    format!("CN=Role {g}-{},OU=Groups,{base}", i % 211),
                );
            }
            if o.has("mail") {
                let surname = o.last_text("sn").unwrap_or("User").to_string();
                let given = o.last_text("givenName").unwrap_or("A").to_string();
                o.text(
                    "proxyAddresses",
                    format!("X400:C=US;A= ;P=Contoso;O=Exchange;S={surname};G={given};"),
                );
            }
        }
        "group" => {
            let owner = format!("CN=Owner {},OU=Staff,{base}", i % 300);
            maybe(o, rng, 50, "managedBy", owner);
        }
        _ => {}
    }
}

fn ascii_fold(s: &str) -> String {
    let mapped: String = s
        .chars()
        .map(|c| match c {
            'é' | 'è' | 'ë' => 'e',
            'ç' => 'c',
            'ã' | 'á' | 'à' => 'a',
            'ø' | 'Ø' | 'ö' => 'o',
            'ü' | 'ú' | 'ễ' => 'u',
            'ł' | 'Ł' => 'l',
            'ş' | 'Ş' => 's',
            c => c,
        })
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    if mapped.is_empty() {
        "x".to_string()
    } else {
        mapped.to_ascii_lowercase()
    }
}

fn base_dn(domain: &str) -> String {
    domain
        .split('.')
        .map(|p| format!("DC={p}"))
        .collect::<Vec<_>>()
        .join(",")
}

fn time(rng: &mut ChaCha8Rng) -> String {
    format!(
        "20{:02}{:02}{:02}{:02}{:02}{:02}.0Z",
        rng.random_range(10..26),
        rng.random_range(1..13),
        rng.random_range(1..29),
        rng.random_range(0..24),
        rng.random_range(0..60),
        rng.random_range(0..60)
    )
}

fn bytes(rng: &mut ChaCha8Rng, n: usize) -> Vec<u8> {
    (0..n).map(|_| rng.random::<u8>()).collect()
}

/// A domain account's SID: the domain's SID (the same for every object of `ad_domain`, as in
/// AD) and the relative id. The 12 random bytes are still drawn, so that a seed writes the
/// same directory as before the SIDs were per domain.
fn sid(rng: &mut ChaCha8Rng, rid: u64, ad_domain: &str) -> Vec<u8> {
    let mut s = vec![1, 5, 0, 0, 0, 0, 0, 5, 21, 0, 0, 0];
    let _ = bytes(rng, 12);
    // FNV-1a of the domain's name: three 32-bit sub-authorities.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in ad_domain.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    let low = (h as u32) | 0x0100_0000;
    let high = ((h >> 32) as u32) | 0x0100_0000;
    for part in [low, high, low ^ high] {
        s.extend(part.to_le_bytes());
    }
    s.extend(((rid % u32::MAX as u64) as u32).to_le_bytes());
    s
}

fn make_object(
    rng: &mut ChaCha8Rng,
    i: u64,
    domains: &[(&str, &str)],
    summary: &mut Generated,
) -> ExportObject {
    let (ad_domain, mail_domain) = domains[(i % domains.len() as u64) as usize];
    let base = base_dn(ad_domain);
    let roll: u32 = rng.random_range(0..100);
    let given = GIVEN[rng.random_range(0..GIVEN.len())];
    let surname = SURNAMES[rng.random_range(0..SURNAMES.len())];
    let department = DEPARTMENTS[rng.random_range(0..DEPARTMENTS.len())];
    let alias = format!("{}.{}{}", ascii_fold(given), ascii_fold(surname), i);
    let schema = format!("CN=Schema,CN=Configuration,{}", base_dn(domains[0].0));
    let common = |o: &mut ExportObject, rng: &mut ChaCha8Rng, name: &str| {
        let dn = o.dn.clone();
        o.text("cn", name)
            .text("distinguishedName", dn)
            .text("instanceType", "4");
        let created = time(rng);
        o.text("whenCreated", created)
            .text("whenChanged", time(rng));
        o.text(
            "uSNCreated",
            rng.random_range(10_000..9_000_000u64).to_string(),
        )
        .text(
            "uSNChanged",
            rng.random_range(10_000..9_000_000u64).to_string(),
        )
        .text("name", name)
        .binary("objectGUID", bytes(rng, 16));
    };
    if roll < 78 {
        summary.users += 1;
        let name = format!("{given} {surname} {i}");
        let mut o = ExportObject::new(format!("CN={name},OU={department},OU=Staff,{base}"));
        for c in ["top", "person", "organizationalPerson", "user"] {
            o.text("objectClass", c);
        }
        common(&mut o, rng, &name);
        o.text("sn", surname).text("givenName", given);
        o.text("displayName", format!("{surname}, {given}"))
            .text("department", department)
            .text("company", "Contoso Ltd")
            .text("title", "Specialist")
            .text("telephoneNumber", format!("+1 425 555 {:04}", i % 10_000))
            .text("physicalDeliveryOfficeName", format!("Building {}", i % 40));
        for g in 0..rng.random_range(0..3) {
            o.text(
                "memberOf",
                format!("CN=Group {g}-{},OU=Groups,{base}", i % 97),
            );
        }
        let disabled = rng.random_range(0..20) == 0;
        o.text("userAccountControl", if disabled { "514" } else { "512" })
            .text("badPwdCount", "0")
            .text("codePage", "0")
            .text("countryCode", "0")
            .text(
                "badPasswordTime",
                rng.random_range(13_000_000_000_000_000u64..13_400_000_000_000_000)
                    .to_string(),
            )
            .text("lastLogoff", "0")
            .text(
                "lastLogon",
                rng.random_range(13_000_000_000_000_000u64..13_400_000_000_000_000)
                    .to_string(),
            )
            .text(
                "pwdLastSet",
                rng.random_range(13_000_000_000_000_000u64..13_400_000_000_000_000)
                    .to_string(),
            )
            .text("primaryGroupID", "513");
        o.binary("objectSid", sid(rng, 1000 + i, ad_domain));
        o.text("accountExpires", "9223372036854775807")
            .text("logonCount", rng.random_range(0..900u32).to_string())
            .text(
                "sAMAccountName",
                format!(
                    "{}{}",
                    &ascii_fold(surname)[..ascii_fold(surname).len().min(12)],
                    i
                ),
            )
            .text("sAMAccountType", "805306368")
            .text("userPrincipalName", format!("{alias}@{mail_domain}"))
            .text("objectCategory", format!("CN=Person,{schema}"))
            .text("dSCorePropagationData", "16010101000000.0Z")
            .text(
                "lastLogonTimestamp",
                rng.random_range(13_000_000_000_000_000u64..13_400_000_000_000_000)
                    .to_string(),
            );
        if rng.random_range(0..10) < 8 {
            o.text("mail", format!("{alias}@{mail_domain}"))
                .text("mailNickname", alias.clone())
                .text("proxyAddresses", format!("SMTP:{alias}@{mail_domain}"))
                .text("proxyAddresses", format!("smtp:{}@{mail_domain}", ascii_fold(surname) + &i.to_string()))
                .text("proxyAddresses", format!("X500:/o=ExchangeLabs/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn={:032x}-{}", rng.random::<u128>(), &alias[..alias.len().min(8)]));
            if rng.random_range(0..4) == 0 {
                o.text("proxyAddresses", format!("SIP:{alias}@{mail_domain}"));
            }
            o.text("homeMDB", format!("CN=Mailbox Database {},CN=Databases,CN=Exchange Administrative Group (FYDIBOHF23SPDLT),CN=Administrative Groups,CN=Contoso,CN=Microsoft Exchange,CN=Services,CN=Configuration,{}", i % 8, base_dn(domains[0].0)))
                .text("msExchRecipientTypeDetails", "1");
        }
        if rng.random_range(0..50) == 0 {
            o.binary("thumbnailPhoto", bytes(rng, 600));
        }
        if rng.random_range(0..100) == 0 {
            o.binary("userCertificate", bytes(rng, 400));
        }
        o
    } else if roll < 86 {
        summary.groups += 1;
        let name = format!("{department} Team {i}");
        let mut o = ExportObject::new(format!("CN={name},OU=Groups,{base}"));
        o.text("objectClass", "top").text("objectClass", "group");
        common(&mut o, rng, &name);
        o.text("description", format!("Members of {department}"));
        let members = if rng.random_range(0..200) == 0 {
            1500
        } else {
            rng.random_range(0..30)
        };
        for m in 0..members {
            o.text("member", format!("CN=Member {m} of {i},OU=Staff,{base}"));
        }
        let distribution = rng.random_range(0..3) == 0;
        o.text("groupType", if distribution { "8" } else { "-2147483640" });
        o.binary("objectSid", sid(rng, 1000 + i, ad_domain));
        o.text("sAMAccountName", format!("grp{i}"))
            .text(
                "sAMAccountType",
                if distribution {
                    "268435457"
                } else {
                    "268435456"
                },
            )
            .text("objectCategory", format!("CN=Group,{schema}"));
        if distribution {
            let alias = format!("team{i}");
            o.text("mail", format!("{alias}@{mail_domain}"))
                .text("mailNickname", alias.clone())
                .text("proxyAddresses", format!("SMTP:{alias}@{mail_domain}"));
        }
        o
    } else if roll < 93 {
        summary.contacts += 1;
        let name = format!("{given} {surname} (external {i})");
        let mut o = ExportObject::new(format!("CN={name},OU=Contacts,{base}"));
        for c in ["top", "person", "organizationalPerson", "contact"] {
            o.text("objectClass", c);
        }
        common(&mut o, rng, &name);
        let external = format!("{alias}@partner.example.net");
        o.text("sn", surname)
            .text("givenName", given)
            .text("displayName", format!("{given} {surname} (Partner)"))
            .text("objectCategory", format!("CN=Person,{schema}"))
            .text("mail", external.clone())
            .text("mailNickname", format!("ext{i}"))
            .text("proxyAddresses", format!("SMTP:{external}"))
            .text("targetAddress", format!("SMTP:{external}"));
        o
    } else {
        summary.computers += 1;
        let name = format!("WS{i:07}");
        let mut o = ExportObject::new(format!("CN={name},OU=Workstations,{base}"));
        for c in ["top", "person", "organizationalPerson", "user", "computer"] {
            o.text("objectClass", c);
        }
        common(&mut o, rng, &name);
        o.text("userAccountControl", "4096");
        o.binary("objectSid", sid(rng, 1000 + i, ad_domain));
        o.text("sAMAccountName", format!("{name}$"))
            .text("sAMAccountType", "805306369")
            .text("objectCategory", format!("CN=Computer,{schema}"))
            .text(
                "dNSHostName",
                format!("{}.{ad_domain}", name.to_lowercase()),
            )
            .text("servicePrincipalName", format!("HOST/{name}"))
            .text(
                "servicePrincipalName",
                format!("HOST/{}.{ad_domain}", name.to_lowercase()),
            )
            .text("operatingSystem", "Windows 11 Enterprise");
        if rng.random_range(0..3) == 0 {
            o.binary("userCertificate", bytes(rng, 300));
        }
        o
    }
}
