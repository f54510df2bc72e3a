//! Hybrid join and password readiness cases for `synclint generate --plant-devices`: two
//! domain heads (password policies), computers on each operating-system family and build
//! range, with valid, expired, foreign-subject, malformed and 16+ certificates, stale and
//! disabled computers, and users whose password or account state matters to password hash
//! sync and writeback. Each case carries the findings it must raise — code and severity,
//! written here by hand from the reference, never computed by the rules — so tests compare
//! the analysis with a truth that does not come from the code under test.
//!
//! Every case's whenChanged is [`EXPORT_TIME`], later than any the main generator writes
//! (2010-2025), so the export's own time is known, and ages are set relative to it.
//! The certificates are real DER X.509 (hand-encoded below: self-signed in shape, with a
//! signature that is random bytes, as nothing here verifies signatures), so the reader's
//! parser sees what a Windows device writes.

use super::writer::ExportObject;

/// The export's own time the cases are built around: 2026-11-30 12:00:00 UTC.
pub const EXPORT_TIME: i64 = 1_796_040_000;
/// The domain whose head carries a 1-day minimum and a 42-day maximum password age.
pub const DOMAIN: &str = "DC=devices,DC=contoso,DC=com";
/// A domain whose passwords never expire (maxPwdAge 0) and with no minimum age.
pub const LAB_DOMAIN: &str = "DC=lab,DC=contoso,DC=com";
/// The attributes these cases write, for a csvde header.
const COLUMNS: [&str; 12] = [
    "operatingSystem",
    "operatingSystemVersion",
    "lastLogonTimestamp",
    "pwdLastSet",
    "accountExpires",
    "adminCount",
    "minPwdAge",
    "maxPwdAge",
    "minPwdLength",
    "pwdHistoryLength",
    "pwdProperties",
    "userCertificate",
];

/// The csvde columns these cases need that `columns` lacks.
pub fn columns_beyond(columns: &[String]) -> Vec<String> {
    COLUMNS
        .iter()
        .filter(|c| !columns.iter().any(|have| have.eq_ignore_ascii_case(c)))
        .map(|c| c.to_string())
        .collect()
}

const DAY: i64 = 86_400;
/// FILETIME ticks (100 ns) in a day.
const DAY_TICKS: i64 = 864_000_000_000;

/// The findings a case must raise: (rule code, severity name).
type Expected = &'static [(&'static str, &'static str)];

/// One planted object and the findings it must raise: (rule code, severity name).
#[derive(Clone, Debug)]
pub struct Case {
    pub object: ExportObject,
    /// What the case is, for test messages.
    pub what: &'static str,
    pub expected: Vec<(&'static str, &'static str)>,
}

fn expect(
    object: ExportObject,
    what: &'static str,
    expected: &[(&'static str, &'static str)],
) -> Case {
    Case {
        object,
        what,
        expected: expected.to_vec(),
    }
}

/// The certificates a computer case holds.
#[derive(Clone, Copy, Debug)]
enum Cert {
    /// Subject `CN={objectGUID}`, valid at the export time.
    Valid,
    /// Subject `CN=objectGUID` (no braces), valid.
    ValidNoBraces,
    /// Subject `CN={objectGUID}`, expired 30 days before the export time.
    Expired,
    /// Subject the host's DNS name, valid.
    Foreign,
    /// A join certificate of another computer (a cloned disk).
    OtherGuid,
    /// Bytes that are not DER.
    Malformed,
}

/// Every case, in the order they are written.
pub fn cases() -> Vec<Case> {
    let mut all = Vec::new();
    all.push(expect(
        domain_head(DOMAIN, -DAY_TICKS, -42 * DAY_TICKS),
        "domain with a 1-day minimum password age",
        &[("SL1351", "warning")],
    ));
    all.push(expect(
        domain_head(LAB_DOMAIN, 0, 0),
        "domain with no minimum age and passwords that never expire",
        &[],
    ));
    // Operating systems and builds (each with a valid join certificate when it could
    // register at all; down-level and non-Windows computers have none).
    let os_cases: [(&str, &str, bool, &'static str, Expected); 15] = [
        (
            "Windows 11 Enterprise",
            "10.0 (22631)",
            true,
            "Windows 11",
            &[],
        ),
        (
            "Windows 10 Enterprise",
            "10.0 (19045)",
            true,
            "Windows 10 22H2",
            &[],
        ),
        (
            "Windows 10 Pro",
            "10.0 (18363)",
            true,
            "Windows 10 1909",
            &[("SL1252", "info")],
        ),
        (
            "Windows 10 Enterprise",
            "10.0 (17134)",
            true,
            "Windows 10 1803",
            &[("SL1252", "info")],
        ),
        (
            "Windows 10 Enterprise",
            "10.0 (10240)",
            false,
            "Windows 10 RTM",
            &[("SL1251", "warning")],
        ),
        (
            "Windows 7 Professional",
            "6.1 (7601)",
            false,
            "Windows 7",
            &[("SL1251", "warning")],
        ),
        (
            "Windows 8.1 Enterprise",
            "6.3 (9600)",
            false,
            "Windows 8.1",
            &[("SL1251", "warning")],
        ),
        (
            "Windows XP Professional",
            "5.1 (2600)",
            false,
            "Windows XP",
            &[("SL1251", "warning")],
        ),
        (
            "Windows Server 2008 R2 Standard",
            "6.1 (7601)",
            false,
            "Server 2008 R2",
            &[("SL1251", "warning")],
        ),
        (
            "Windows Server 2012 R2 Datacenter",
            "6.3 (9600)",
            false,
            "Server 2012 R2",
            &[("SL1251", "warning")],
        ),
        (
            "Windows Server 2016 Standard",
            "10.0 (14393)",
            true,
            "Server 2016",
            &[],
        ),
        (
            "Windows Server 2019 Datacenter",
            "10.0 (17763)",
            true,
            "Server 2019",
            &[],
        ),
        (
            "Windows Server 2022 Standard",
            "10.0 (20348)",
            true,
            "Server 2022",
            &[],
        ),
        (
            "Windows Server 2025 Datacenter",
            "10.0 (26100)",
            true,
            "Server 2025",
            &[],
        ),
        ("CentOS Linux", "7.9", false, "Linux", &[("SL1253", "info")]),
    ];
    for (n, (os, version, joins, what, expected)) in os_cases.into_iter().enumerate() {
        let certs: &[Cert] = if joins { &[Cert::Valid] } else { &[] };
        all.push(expect(
            computer(n, os, version, certs, Computer::default()),
            what,
            expected,
        ));
    }
    let win11 = |n: usize, certs: &[Cert], shape: Computer| {
        computer(n, "Windows 11 Enterprise", "10.0 (22631)", certs, shape)
    };
    let dc = Computer {
        uac: 0x82000,
        ..Computer::default()
    };
    all.push(expect(
        computer(
            30,
            "Windows Server 2019 Datacenter",
            "10.0 (17763)",
            &[],
            dc,
        ),
        "domain controller",
        &[("SL1254", "info")],
    ));
    // Certificates.
    let d = Computer::default;
    let certificate_cases: [(&[Cert], &'static str, Expected); 9] = [
        (
            &[],
            "no certificate (not registered)",
            &[("SL1255", "info")],
        ),
        (
            &[Cert::Expired],
            "only an expired join certificate",
            &[("SL1256", "warning")],
        ),
        (
            &[Cert::Foreign],
            "a foreign-subject certificate only",
            &[("SL1257", "warning")],
        ),
        (
            &[Cert::OtherGuid],
            "another computer's join certificate",
            &[("SL1257", "warning")],
        ),
        (
            &[Cert::Malformed],
            "a value that is not DER",
            &[("SL1257", "warning"), ("SL1258", "info")],
        ),
        (
            &[Cert::Expired, Cert::Foreign, Cert::Valid],
            "valid among expired and foreign",
            &[],
        ),
        (
            &[Cert::Valid, Cert::Malformed],
            "valid and a malformed value",
            &[("SL1258", "info")],
        ),
        (&[Cert::ValidNoBraces], "valid, subject without braces", &[]),
        (
            &[Cert::Expired, Cert::Expired],
            "two expired join certificates",
            &[("SL1256", "warning")],
        ),
    ];
    for (k, (certs, what, expected)) in certificate_cases.into_iter().enumerate() {
        all.push(expect(win11(40 + k, certs, d()), what, expected));
    }
    // More than 15 values: Connect does not export the attribute (SL701, the large-object
    // rule, reports it once, as an error).
    let mut sixteen = vec![Cert::Valid];
    sixteen.extend([Cert::Foreign; 15]);
    all.push(expect(
        win11(60, &sixteen, d()),
        "16 certificates, one valid",
        &[("SL701", "error")],
    ));
    all.push(expect(
        win11(61, &[Cert::Expired; 16], d()),
        "16 expired join certificates",
        &[("SL701", "error"), ("SL1256", "warning")],
    ));
    // Staleness and disabled computers.
    let logon = |days: i64| Computer {
        last_logon_days: Some(days),
        ..Computer::default()
    };
    all.push(expect(
        win11(70, &[Cert::Valid], logon(200)),
        "last logon 200 days before the export",
        &[("SL1259", "info")],
    ));
    all.push(expect(
        win11(71, &[Cert::Valid], logon(89)),
        "last logon 89 days before the export",
        &[],
    ));
    let disabled = Computer {
        uac: 4096 | 2,
        last_logon_days: Some(300),
    };
    all.push(expect(
        win11(72, &[Cert::Valid], disabled),
        "disabled computer with a join certificate",
        &[("SL1260", "info")],
    ));
    all.push(expect(
        win11(73, &[], disabled),
        "disabled computer without certificate",
        &[],
    ));
    // Users.
    let u = User::default;
    let user_cases: [(User, &'static str, Expected); 15] = [
        (u(), "clean user", &[]),
        (
            User {
                pwd_last_set: Pwd::Zero,
                ..u()
            },
            "must change password at next logon",
            &[("SL1301", "warning")],
        ),
        (
            User {
                pwd_last_set: Pwd::Zero,
                uac: 514,
                ..u()
            },
            "must change password, disabled",
            &[],
        ),
        (
            User {
                pwd_last_set: Pwd::DaysAgo(60),
                ..u()
            },
            "password set 60 days ago (max 42)",
            &[("SL1302", "warning")],
        ),
        (
            User {
                pwd_last_set: Pwd::DaysAgo(60),
                uac: 512 | 0x10000,
                ..u()
            },
            "old password that never expires",
            &[],
        ),
        (
            User {
                pwd_last_set: Pwd::DaysAgo(41),
                ..u()
            },
            "password set 41 days ago",
            &[],
        ),
        (
            User {
                account_expires: Expires::DaysAgo(1),
                ..u()
            },
            "account expired yesterday, enabled",
            &[("SL1303", "warning")],
        ),
        (
            User {
                account_expires: Expires::InDays(30),
                ..u()
            },
            "account expiring in 30 days",
            &[],
        ),
        (
            User {
                account_expires: Expires::Zero,
                ..u()
            },
            "accountExpires 0 (never)",
            &[],
        ),
        (
            User {
                account_expires: Expires::DaysAgo(10),
                uac: 514,
                ..u()
            },
            "expired account, disabled",
            &[],
        ),
        (
            User {
                inet_org_person: true,
                ..u()
            },
            "inetOrgPerson",
            &[("SL1304", "error")],
        ),
        (
            User {
                admin_count: Some(1),
                ..u()
            },
            "adminCount 1",
            &[("SL1352", "info")],
        ),
        (
            User {
                admin_count: Some(0),
                ..u()
            },
            "adminCount 0",
            &[],
        ),
        (
            User {
                pwd_last_set: Pwd::Zero,
                admin_count: Some(1),
                ..u()
            },
            "must change password, protected",
            &[("SL1301", "warning"), ("SL1352", "info")],
        ),
        (
            User {
                pwd_last_set: Pwd::DaysAgo(400),
                domain: LAB_DOMAIN,
                ..u()
            },
            "old password where passwords never expire",
            &[],
        ),
    ];
    for (k, (shape, what, expected)) in user_cases.into_iter().enumerate() {
        all.push(expect(user(100 + k, shape), what, expected));
    }
    all
}

fn when_changed() -> String {
    generalized(EXPORT_TIME)
}

fn generalized(seconds: i64) -> String {
    civil(seconds, "%Y%m%d%H%M%S.0Z")
}

fn civil(seconds: i64, format: &str) -> String {
    jiff::Timestamp::from_second(seconds)
        .map(|t| t.strftime(format).to_string())
        .unwrap_or_default()
}

/// Unix seconds as a FILETIME (100-ns intervals since 1601).
fn filetime(seconds: i64) -> i64 {
    (seconds + 11_644_473_600) * 10_000_000
}

fn domain_head(dn: &str, min_age: i64, max_age: i64) -> ExportObject {
    let mut o = ExportObject::new(dn);
    for c in ["top", "domain", "domainDNS"] {
        o.text("objectClass", c);
    }
    let name = dn
        .split(',')
        .next()
        .and_then(|r| r.strip_prefix("DC="))
        .unwrap_or("domain");
    o.text("dc", name)
        .text("distinguishedName", dn)
        .text("name", name)
        .text("whenChanged", when_changed())
        .text("minPwdAge", min_age.to_string())
        .text("maxPwdAge", max_age.to_string())
        .text("minPwdLength", "7")
        .text("pwdHistoryLength", "24")
        .text("pwdProperties", "1")
        .binary("objectGUID", guid(0xD0, 0, dn.len()).to_vec());
    o
}

/// A deterministic objectGUID (wire order) for case `n` of a kind.
fn guid(kind: u8, n: usize, salt: usize) -> [u8; 16] {
    let mut g = [0u8; 16];
    g[0] = kind;
    g[1] = (n & 0xff) as u8;
    g[2] = (salt & 0xff) as u8;
    for (i, b) in g.iter_mut().enumerate().skip(3) {
        *b = (i as u8).wrapping_mul(37).wrapping_add(n as u8) ^ 0x5a;
    }
    // RFC 4122 version 4 and variant bits, as AD's GUIDs have.
    g[7] = (g[7] & 0x0f) | 0x40;
    g[8] = (g[8] & 0x3f) | 0x80;
    g
}

/// A GUID in its text form, from wire order.
fn guid_text(wire: &[u8; 16]) -> String {
    crate::hex::format_guid(wire)
}

#[derive(Clone, Copy)]
struct Computer {
    uac: i64,
    /// lastLogonTimestamp, in days before the export time.
    last_logon_days: Option<i64>,
}

impl Default for Computer {
    fn default() -> Self {
        Computer {
            uac: 4096,
            last_logon_days: Some(3),
        }
    }
}

fn computer(n: usize, os: &str, version: &str, certs: &[Cert], shape: Computer) -> ExportObject {
    let name = format!("HJ{n:03}");
    let mut o = ExportObject::new(format!("CN={name},OU=Workstations,{DOMAIN}"));
    for c in ["top", "person", "organizationalPerson", "user", "computer"] {
        o.text("objectClass", c);
    }
    let id = guid(0xC0, n, 0);
    let dns = format!("{}.devices.contoso.com", name.to_lowercase());
    let dn = o.dn.clone();
    o.text("cn", name.as_str())
        .text("distinguishedName", dn)
        .text("name", name.as_str())
        .text("whenChanged", when_changed())
        .binary("objectGUID", id.to_vec())
        .text("userAccountControl", shape.uac.to_string())
        .text("sAMAccountName", format!("{name}$"))
        .text("dNSHostName", dns.as_str())
        .text("operatingSystem", os)
        .text("operatingSystemVersion", version)
        .text("pwdLastSet", filetime(EXPORT_TIME - 10 * DAY).to_string());
    if let Some(days) = shape.last_logon_days {
        o.text(
            "lastLogonTimestamp",
            filetime(EXPORT_TIME - days * DAY).to_string(),
        );
    }
    for (k, cert) in certs.iter().enumerate() {
        let days = |from: i64, to: i64| (EXPORT_TIME + from * DAY, EXPORT_TIME + to * DAY);
        let join = format!("{{{}}}", guid_text(&id));
        let (subject, (from, to)) = match cert {
            Cert::Valid => (join, days(-100, 3500)),
            Cert::ValidNoBraces => (guid_text(&id), days(-100, 3500)),
            Cert::Expired => (join, days(-400 - k as i64, -30)),
            Cert::Foreign => (dns.clone(), days(-100, 365)),
            Cert::OtherGuid => (
                format!("{{{}}}", guid_text(&guid(0xCF, n, 0))),
                days(-100, 3500),
            ),
            Cert::Malformed => {
                o.binary(
                    "userCertificate",
                    b"\x30\x82\x02\x00not a certificate".to_vec(),
                );
                continue;
            }
        };
        let der = certificate(&subject, from, to, n * 20 + k);
        o.binary("userCertificate", der);
    }
    o
}

#[derive(Clone, Copy)]
enum Pwd {
    DaysAgo(i64),
    Zero,
}

#[derive(Clone, Copy)]
enum Expires {
    Never,
    Zero,
    DaysAgo(i64),
    InDays(i64),
}

#[derive(Clone, Copy)]
struct User {
    pwd_last_set: Pwd,
    account_expires: Expires,
    uac: i64,
    admin_count: Option<i64>,
    inet_org_person: bool,
    domain: &'static str,
}

impl Default for User {
    fn default() -> Self {
        User {
            pwd_last_set: Pwd::DaysAgo(10),
            account_expires: Expires::Never,
            uac: 512,
            admin_count: None,
            inet_org_person: false,
            domain: DOMAIN,
        }
    }
}

fn user(n: usize, shape: User) -> ExportObject {
    let name = format!("Readiness User {n}");
    let alias = format!("readiness.user{n}");
    let mut o = ExportObject::new(format!("CN={name},OU=Staff,{}", shape.domain));
    let mut classes = vec!["top", "person", "organizationalPerson", "user"];
    if shape.inet_org_person {
        classes.push("inetOrgPerson");
    }
    for c in classes {
        o.text("objectClass", c);
    }
    let pwd = match shape.pwd_last_set {
        Pwd::Zero => 0,
        Pwd::DaysAgo(days) => filetime(EXPORT_TIME - days * DAY),
    };
    let expires = match shape.account_expires {
        Expires::Never => i64::MAX,
        Expires::Zero => 0,
        Expires::DaysAgo(days) => filetime(EXPORT_TIME - days * DAY),
        Expires::InDays(days) => filetime(EXPORT_TIME + days * DAY),
    };
    let dn = o.dn.clone();
    o.text("cn", name.as_str())
        .text("distinguishedName", dn)
        .text("name", name.as_str())
        .text("givenName", "Readiness")
        .text("sn", format!("User {n}"))
        .text("displayName", format!("Readiness User {n}"))
        .text("whenChanged", when_changed())
        .binary("objectGUID", guid(0xA0, n, 0).to_vec())
        .text("userAccountControl", shape.uac.to_string())
        .text("sAMAccountName", format!("ruser{n}"))
        .text("userPrincipalName", format!("{alias}@contoso.com"))
        .text("mail", format!("{alias}@contoso.com"))
        .text("mailNickname", alias.as_str())
        .text("proxyAddresses", format!("SMTP:{alias}@contoso.com"))
        .text("pwdLastSet", pwd.to_string())
        .text("accountExpires", expires.to_string());
    if let Some(count) = shape.admin_count {
        o.text("adminCount", count.to_string());
    }
    o
}

/// A DER X.509 v3 certificate with subject and issuer `CN=<cn>`, valid from `not_before` to
/// `not_after` (Unix seconds), RSA 2048 public key and sha256WithRSAEncryption: the shape of
/// the self-signed certificate Windows writes when it registers. Key and signature are
/// deterministic filler from `seed`: nothing verifies them.
pub fn certificate(cn: &str, not_before: i64, not_after: i64, seed: usize) -> Vec<u8> {
    let name = der::seq(&der::set(&der::seq(
        &[der::oid(&[2, 5, 4, 3]), der::utf8(cn)].concat(),
    )));
    let rsa_sha256 = der::seq(&[der::oid(&[1, 2, 840, 113_549, 1, 1, 11]), der::null()].concat());
    let rsa = der::seq(&[der::oid(&[1, 2, 840, 113_549, 1, 1, 1]), der::null()].concat());
    let filler = |len: usize, seed: usize| -> Vec<u8> {
        (0..len)
            .map(|i| ((i * 131 + seed * 17 + 7) % 251) as u8)
            .collect()
    };
    let mut modulus = vec![0u8];
    modulus.push(0xC3);
    modulus.extend(filler(255, seed * 31));
    let public_key = der::seq(&[der::integer(&modulus), der::integer(&[1, 0, 1])].concat());
    let spki = der::seq(&[rsa, der::bit_string(&public_key)].concat());
    let mut serial = vec![0x01];
    serial.extend(filler(15, seed * 7 + 1));
    let validity = der::seq(&[der::time(not_before), der::time(not_after)].concat());
    let tbs = der::seq(
        &[
            der::explicit(0, &der::integer(&[2])),
            der::integer(&serial),
            rsa_sha256.clone(),
            name.clone(),
            validity,
            name,
            spki,
        ]
        .concat(),
    );
    der::seq(&[tbs, rsa_sha256, der::bit_string(&filler(256, seed * 3))].concat())
}

/// Just enough DER to write a certificate.
mod der {
    fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
        let mut out = vec![tag];
        let len = content.len();
        if len < 0x80 {
            out.push(len as u8);
        } else {
            let bytes: Vec<u8> = len
                .to_be_bytes()
                .into_iter()
                .skip_while(|b| *b == 0)
                .collect();
            out.push(0x80 | bytes.len() as u8);
            out.extend(bytes);
        }
        out.extend_from_slice(content);
        out
    }

    pub fn seq(content: &[u8]) -> Vec<u8> {
        tlv(0x30, content)
    }

    pub fn set(content: &[u8]) -> Vec<u8> {
        tlv(0x31, content)
    }

    pub fn explicit(n: u8, content: &[u8]) -> Vec<u8> {
        tlv(0xA0 | n, content)
    }

    /// A non-negative INTEGER from its big-endian bytes (the caller keeps it minimal).
    pub fn integer(bytes: &[u8]) -> Vec<u8> {
        tlv(0x02, bytes)
    }

    pub fn null() -> Vec<u8> {
        vec![0x05, 0x00]
    }

    pub fn utf8(text: &str) -> Vec<u8> {
        tlv(0x0C, text.as_bytes())
    }

    pub fn bit_string(bytes: &[u8]) -> Vec<u8> {
        let mut content = vec![0u8];
        content.extend_from_slice(bytes);
        tlv(0x03, &content)
    }

    pub fn oid(arcs: &[u64]) -> Vec<u8> {
        let mut content = Vec::new();
        let mut push = |mut v: u64| {
            let mut chunk = vec![(v & 0x7f) as u8];
            v >>= 7;
            while v > 0 {
                chunk.push(0x80 | (v & 0x7f) as u8);
                v >>= 7;
            }
            chunk.reverse();
            content.extend(chunk);
        };
        push(arcs[0] * 40 + arcs[1]);
        for &arc in &arcs[2..] {
            push(arc);
        }
        tlv(0x06, &content)
    }

    /// UTCTime before 2050, GeneralizedTime from 2050 (RFC 5280 4.1.2.5).
    pub fn time(seconds: i64) -> Vec<u8> {
        let year: i64 = super::civil(seconds, "%Y").parse().unwrap_or(2000);
        if year < 2050 {
            tlv(0x17, super::civil(seconds, "%y%m%d%H%M%SZ").as_bytes())
        } else {
            tlv(0x18, super::civil(seconds, "%Y%m%d%H%M%SZ").as_bytes())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cert::{read, CertificateValue, Subject};

    #[test]
    fn the_certificates_are_der_the_parser_reads() {
        let id = guid(0xC0, 1, 0);
        let der = certificate(
            &format!("{{{}}}", guid_text(&id)),
            EXPORT_TIME - 100 * DAY,
            EXPORT_TIME + 3500 * DAY,
            1,
        );
        match read(&der) {
            CertificateValue::Parsed(facts) => {
                assert_eq!(facts.subject, Subject::Guid(id));
                assert_eq!(facts.not_before, EXPORT_TIME - 100 * DAY);
                assert_eq!(facts.not_after, EXPORT_TIME + 3500 * DAY);
            }
            other => panic!("{other:?}"),
        }
        let foreign = certificate(
            "hj001.devices.contoso.com",
            EXPORT_TIME,
            EXPORT_TIME + DAY,
            2,
        );
        assert!(matches!(
            read(&foreign),
            CertificateValue::Parsed(f) if f.subject == Subject::Other("CN=hj001.devices.contoso.com".into())
        ));
    }

    #[test]
    fn each_case_is_one_object_with_a_distinct_dn() {
        let all = cases();
        let mut dns: Vec<&str> = all.iter().map(|c| c.object.dn.as_str()).collect();
        dns.sort_unstable();
        dns.dedup();
        assert_eq!(dns.len(), all.len());
    }
}
