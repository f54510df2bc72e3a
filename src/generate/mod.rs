//! Synthetic exports for tests, benchmarks and demos: users, groups, contacts and computers
//! across several domains, with multi-valued proxyAddresses, non-ASCII names, folded lines and
//! binary GUIDs/SIDs, in either format and in UTF-8 or UTF-16LE. Seeded, so reproducible.

pub mod snapshot;
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
    /// A conflict copy to yield next (it takes the next object's place).
    pending: Option<ExportObject>,
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
        escaped_names: options.escaped_names,
        pending: None,
        summary: Generated::default(),
    }
}

impl Iterator for Objects {
    type Item = ExportObject;

    fn next(&mut self) -> Option<ExportObject> {
        if self.next >= self.count {
            return None;
        }
        let i = self.next;
        self.next += 1;
        self.summary.objects += 1;
        if let Some(copy) = self.pending.take() {
            self.summary.users += 1;
            self.summary.conflict_copies += 1;
            return Some(copy);
        }
        let mut object = make_object(&mut self.rng, i, self.domains, &mut self.summary);
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
pub fn real_names(o: &mut ExportObject, i: u64) -> Option<ExportObject> {
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
        crate::ingest::table::format_guid(&guid)
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
    let columns: Vec<String> = CSV_COLUMNS.iter().map(|c| c.to_string()).collect();
    let column_of = |name: &str| {
        CSV_COLUMNS
            .iter()
            .position(|c| c.eq_ignore_ascii_case(name))
    };
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

fn sid(rng: &mut ChaCha8Rng, rid: u64) -> Vec<u8> {
    let mut s = vec![1, 5, 0, 0, 0, 0, 0, 5, 21, 0, 0, 0];
    s.extend(bytes(rng, 12));
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
        o.binary("objectSid", sid(rng, 1000 + i));
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
        o.binary("objectSid", sid(rng, 1000 + i));
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
        o.binary("objectSid", sid(rng, 1000 + i));
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
