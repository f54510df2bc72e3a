//! Microsoft Entra hybrid join, per computer (SL1251–SL1260): the operating system and build,
//! the join certificate in `userCertificate` that Entra Connect needs to synchronize the
//! computer as a device, domain controllers, stale and disabled computers.
//!
//! Since Entra Connect 1.4 a computer is synchronized as a device only when `userCertificate`
//! holds a certificate that has not expired and whose subject is `CN={objectGUID}`; Windows
//! writes that self-signed certificate when it registers. The certificates are read while the
//! export is read ([`crate::cert`]); here they are judged at the export's own time.

use super::sources as readiness_sources;
use super::{Feature, Inputs, Out, Readiness, NO_EXPORT_TIME};
use crate::cert::{CertificateValue, Subject};
use crate::directory::{Attr, ObjectKind};
use crate::findings::{Finding, Severity};
use crate::rules::registry::Family;
use crate::rules::{Limit, Rule};
use crate::vocab::Source;

/// A computer whose last logon is more days than this before the export is stale (the
/// example Microsoft's stale-device guide uses; the threshold is a policy choice).
pub const STALE_DAYS: i64 = 90;
/// The first Windows 10 build hybrid join supports (1511, the November 2015 update).
pub const FIRST_SUPPORTED_BUILD: u32 = 10_586;
/// Builds before these miss hybrid join features: 1803 (17134), 1903 (18362), 2004 (19041).
const BUILD_1803: u32 = 17_134;
const BUILD_1903: u32 = 18_362;
const BUILD_2004: u32 = 19_041;

const ACCOUNTDISABLE: i64 = 0x2;
const SERVER_TRUST_ACCOUNT: i64 = 0x2000;
const PARTIAL_SECRETS_ACCOUNT: i64 = 0x0400_0000;

pub static DEVICE_DISAPPEARANCE: Source = Source {
    title: "Understanding Microsoft Entra Connect 1.4.xx.x and device disappearance",
    url: "https://github.com/MicrosoftDocs/azure-docs/blob/deed4c3/articles/active-directory/hybrid/reference-connect-device-disappearance.md",
};

pub static SYNCED_ATTRIBUTES: Source = Source {
    title: "Microsoft Entra Connect Sync: Attributes synchronized to Microsoft Entra ID (devices)",
    url: "https://learn.microsoft.com/entra/identity/hybrid/connect/reference-connect-sync-attributes-synchronized",
};

pub static HYBRID_JOIN_DOWNLEVEL: Source = Source {
    title: "Microsoft Entra hybrid join for down-level devices",
    url: "https://learn.microsoft.com/entra/identity/devices/how-to-hybrid-join-downlevel",
};

pub static STALE_DEVICES: Source = Source {
    title: "How to manage stale devices in Microsoft Entra ID",
    url: "https://learn.microsoft.com/entra/identity/devices/manage-stale-devices",
};

use super::rule as device_rule;

pub static OS_UNSUPPORTED: Rule = device_rule(
    "SL1251",
    "hybrid-join-os-unsupported",
    Severity::Warning,
    &[Attr::OperatingSystem, Attr::OperatingSystemVersion],
    "the computer never becomes a hybrid-joined device (down-level devices are not synchronized by Connect)",
    &[
        &readiness_sources::HYBRID_JOIN_PLAN,
        &readiness_sources::HYBRID_JOIN_TROUBLESHOOT,
        &HYBRID_JOIN_DOWNLEVEL,
        &DEVICE_DISAPPEARANCE,
    ],
    "The supported list is Microsoft's (Windows 11, Windows 10 from the November 2015 update, Windows Server 2016 and later); reading the build from operatingSystemVersion (10.0 (10586)) is ours.",
    [
        "An enabled computer on Windows 7, 8, 8.1, Vista or XP, Windows Server 2012 R2 or older, or Windows 10 before build 10586 (the November 2015 update).",
        "Hybrid join supports Windows 11, Windows 10 from build 10586, and Windows Server 2016 and later. Down-level Windows needed the Workplace Join package with Seamless SSO or AD FS, is no longer listed as supported, and is never synchronized as a device by Entra Connect.",
        "Upgrade or retire the computer; until then it gets no hybrid join (and no device-based Conditional Access).",
    ],
    &[],
);

pub static BUILD_CAVEATS: Rule = device_rule(
    "SL1252",
    "hybrid-join-windows10-build-caveats",
    Severity::Info,
    &[Attr::OperatingSystemVersion],
    "hybrid join works; some scenarios need a later build",
    &[&readiness_sources::HYBRID_JOIN_PLAN],
    "The versions are Microsoft's (1803, 1903, 2004); their build numbers (17134, 18362, 19041) are ours.",
    [
        "An enabled Windows 10 computer older than version 2004 (build 19041).",
        "Before 2004, a UPN change breaks SSO until the device re-joins; before 1903 (18362) staged rollout of cloud authentication is unsupported; before 1803 (17134) federated join with a non-routable UPN, managed join with a routable one, and the cleanup of registered-and-hybrid dual state are missing.",
        "Update Windows 10 to a supported release (22H2).",
    ],
    &[],
);

pub static NOT_WINDOWS: Rule = device_rule(
    "SL1253",
    "hybrid-join-not-windows",
    Severity::Info,
    &[Attr::OperatingSystem],
    "not applicable: hybrid join is for Windows",
    &[&readiness_sources::HYBRID_JOIN_PLAN],
    "",
    [
        "A computer object whose operatingSystem is not Windows (Linux, macOS, appliances).",
        "Hybrid join applies to Windows devices only; other systems register with Entra ID in other ways.",
        "Nothing for hybrid join; leave it out of the device counts.",
    ],
    &[],
);

pub static DOMAIN_CONTROLLER: Rule = device_rule(
    "SL1254",
    "hybrid-join-domain-controller",
    Severity::Info,
    &[Attr::UserAccountControl],
    "not applicable: domain controllers can't hybrid join",
    &[&readiness_sources::HYBRID_JOIN_PLAN],
    "SERVER_TRUST_ACCOUNT (0x2000) and PARTIAL_SECRETS_ACCOUNT (0x04000000, read-only DCs) are AD's userAccountControl bits.",
    [
        "A domain controller's computer account (userAccountControl has SERVER_TRUST_ACCOUNT 0x2000, or PARTIAL_SECRETS_ACCOUNT 0x04000000 for a read-only DC).",
        "Microsoft does not support hybrid join of the domain controller role.",
        "Nothing; leave domain controllers out of the device counts.",
    ],
    &[],
);

pub static NO_CERTIFICATE: Rule = device_rule(
    "SL1255",
    "hybrid-join-not-registered",
    Severity::Info,
    &[Attr::UserCertificate],
    "no device object in Entra ID until the computer registers and Connect syncs it",
    &[
        &readiness_sources::DEVICE_REGISTRATION,
        &SYNCED_ATTRIBUTES,
        &DEVICE_DISAPPEARANCE,
    ],
    "Expected before hybrid join is rolled out. After the rollout it means the Automatic-Device-Join task has not run or the service connection point is wrong.",
    [
        "An enabled computer on a supported Windows release whose userCertificate is empty.",
        "Windows writes its self-signed join certificate into userCertificate when it registers; without one Connect does not synchronize the computer as a device.",
        "Nothing before rollout; after it, check the service connection point and the Automatic-Device-Join task (dsregcmd /status on the computer).",
    ],
    &[],
);

pub static CERTIFICATE_EXPIRED: Rule = device_rule(
    "SL1256",
    "hybrid-join-certificate-expired",
    Severity::Warning,
    &[Attr::UserCertificate, Attr::ObjectGuid],
    "Connect 1.4 and later filter the computer out: its Entra device is deleted or never created",
    &[&DEVICE_DISAPPEARANCE, &SYNCED_ATTRIBUTES],
    "Expiry is judged at the export's own time, not the machine's clock.",
    [
        "A computer whose only join certificates (subject CN={objectGUID}) had expired at the export's time.",
        "Entra Connect synchronizes a computer as a hybrid-joined device only while userCertificate holds a non-expired certificate with subject CN={objectGUID}.",
        "Let the computer register again (dsregcmd /leave then restart, or the Automatic-Device-Join task), which writes a new certificate; remove the expired ones.",
    ],
    &[],
);

pub static CERTIFICATE_FOREIGN: Rule = device_rule(
    "SL1257",
    "hybrid-join-certificate-not-for-device",
    Severity::Warning,
    &[Attr::UserCertificate, Attr::ObjectGuid],
    "Connect 1.4 and later filter the computer out: no hybrid-joined device",
    &[&DEVICE_DISAPPEARANCE, &SYNCED_ATTRIBUTES],
    "",
    [
        "A computer whose userCertificate values include no certificate with subject CN={objectGUID} of this computer (other subjects, another computer's GUID, or values that are not certificates).",
        "Connect synchronizes a computer as a device only for a certificate whose subject is its own objectGUID; certificates from an enterprise CA (CN=host name) or from a cloned disk don't count.",
        "Let the computer register for hybrid join so Windows writes its own certificate; a cloned computer must leave and join again.",
    ],
    &[],
);

pub static CERTIFICATE_MALFORMED: Rule = device_rule(
    "SL1258",
    "certificate-value-malformed",
    Severity::Info,
    &[Attr::UserCertificate],
    "none by itself; the value counts toward the limit of 15",
    &[&SYNCED_ATTRIBUTES, &crate::rules::sources::LARGE_OBJECT],
    "",
    [
        "A computer's userCertificate value that is not a DER X.509 certificate.",
        "It can't be a join certificate; it still counts toward the 15 values Connect exports.",
        "Remove the value.",
    ],
    &[],
);

pub static STALE: Rule = device_rule(
    "SL1259",
    "hybrid-join-stale-computer",
    Severity::Info,
    &[Attr::LastLogonTimestamp],
    "becomes a stale device in Entra ID",
    &[&STALE_DEVICES],
    "The 90 days are the example of Microsoft's stale-device guide, not a limit; lastLogonTimestamp replicates with a lag of up to 14 days. Measured from the export's own time. Advice.",
    [
        "An enabled computer with a join certificate whose lastLogonTimestamp is more than 90 days before the export.",
        "Hybrid-joined devices follow the on-premises objects: a stale computer becomes a stale device, counted and targeted by policies.",
        "Disable or delete stale computers in AD (the change flows to Entra ID), after checking they are not in use.",
    ],
    &[Limit {
        what: "days",
        max: STALE_DAYS as usize,
    }],
);

pub static DISABLED: Rule = device_rule(
    "SL1260",
    "hybrid-join-disabled-computer",
    Severity::Info,
    &[Attr::UserAccountControl],
    "synchronized as a disabled device",
    &[&STALE_DEVICES, &SYNCED_ATTRIBUTES],
    "",
    [
        "A disabled computer (userAccountControl 0x2) that holds a join certificate.",
        "Connect synchronizes accountEnabled: its Entra device is disabled too, and nobody can sign in on it with Entra ID.",
        "Nothing if intended; delete computers that are retired.",
    ],
    &[],
);

pub static FAMILY: Family = Family {
    name: "hybrid join devices",
    rules: &[
        &OS_UNSUPPORTED,
        &BUILD_CAVEATS,
        &NOT_WINDOWS,
        &DOMAIN_CONTROLLER,
        &NO_CERTIFICATE,
        &CERTIFICATE_EXPIRED,
        &CERTIFICATE_FOREIGN,
        &CERTIFICATE_MALFORMED,
        &STALE,
        &DISABLED,
    ],
    values: &[],
    check_value: None,
    check: None,
};

pub static READINESS: Readiness = Readiness {
    family: &FAMILY,
    feature: |_| Feature::HybridJoin,
    run,
};

/// What an operatingSystem / operatingSystemVersion pair says for hybrid join.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum OsSupport {
    /// Windows 11, Windows 10 from 2004, Windows Server 2016 and later.
    Supported,
    /// Windows 10 from build 10586 and before 2004 (19041): supported, with caveats.
    Windows10Before2004(u32),
    /// Down-level or too old (the build when the version shows it).
    Unsupported,
    NotWindows,
    /// No operatingSystem value.
    Unknown,
}

/// The build number of `10.0 (19045)`.
fn build_of(version: &str) -> Option<u32> {
    let open = version.find('(')?;
    let close = version[open..].find(')')? + open;
    version[open + 1..close].trim().parse().ok()
}

/// The major version of `10.0 (19045)` / `6.1 (7601)`.
fn major_of(version: &str) -> Option<u32> {
    version.trim().split(['.', ' ']).next()?.parse().ok()
}

/// Hybrid join support of a computer, from its operatingSystem and operatingSystemVersion.
pub fn os_support(os: Option<&str>, version: Option<&str>) -> OsSupport {
    let Some(os) = os.map(str::trim).filter(|o| !o.is_empty()) else {
        return OsSupport::Unknown;
    };
    let lower = os.to_ascii_lowercase();
    if !lower.contains("windows") {
        return OsSupport::NotWindows;
    }
    let major = version.and_then(major_of);
    let build = version.and_then(build_of);
    let names = |list: &[&str]| list.iter().any(|n| lower.contains(n));
    if lower.contains("server") {
        if names(&["2016", "2019", "2022", "2025"]) {
            return OsSupport::Supported;
        }
        if names(&["2000", "2003", "2008", "2012"]) {
            return OsSupport::Unsupported;
        }
        // A server name without a year ("Windows Server Datacenter", semi-annual channel):
        // the version decides; Windows Server 2016 is 10.0 build 14393.
        return match (major, build) {
            (Some(m), _) if m < 10 => OsSupport::Unsupported,
            (_, Some(b)) if b < 14_393 => OsSupport::Unsupported,
            (Some(_), _) => OsSupport::Supported,
            (None, _) => OsSupport::Unknown,
        };
    }
    if lower.contains("windows 11") {
        return OsSupport::Supported;
    }
    if names(&[
        "windows 7",
        "windows 8",
        "vista",
        "windows xp",
        "windows 2000",
    ]) {
        return OsSupport::Unsupported;
    }
    if lower.contains("windows 10") || major == Some(10) {
        return match build {
            Some(b) if b < FIRST_SUPPORTED_BUILD => OsSupport::Unsupported,
            Some(b) if b < BUILD_2004 => OsSupport::Windows10Before2004(b),
            // Windows 11 reports 10.0 too, from build 22000.
            _ => OsSupport::Supported,
        };
    }
    match major {
        Some(m) if m < 10 => OsSupport::Unsupported,
        Some(_) => OsSupport::Supported,
        None => OsSupport::Unknown,
    }
}

/// What a computer's certificates say for hybrid join at time `at` (None: not known).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Certificates {
    values: usize,
    /// Join certificates (subject CN={this objectGUID}) valid at `at`, or of unknown expiry.
    valid: usize,
    expired: Vec<i64>,
    /// Subjects that are not this computer's GUID.
    foreign: Vec<String>,
    malformed: Vec<String>,
}

fn certificates<'a>(
    values: impl Iterator<Item = &'a CertificateValue>,
    guid: &[u8; 16],
    at: Option<i64>,
) -> Certificates {
    let mut c = Certificates::default();
    for value in values {
        c.values += 1;
        match value {
            CertificateValue::Malformed(why) => c.malformed.push(why.to_string()),
            CertificateValue::Parsed(facts) => match &facts.subject {
                Subject::Guid(g) if g == guid => match at {
                    Some(at) if facts.expired_at(at) => c.expired.push(facts.not_after),
                    _ => c.valid += 1,
                },
                Subject::Guid(g) => c
                    .foreign
                    .push(format!("CN={{{}}}", crate::hex::format_guid(g))),
                Subject::Other(s) => c.foreign.push(s.to_string()),
            },
        }
    }
    c
}

fn date(seconds: i64) -> String {
    jiff::Timestamp::from_second(seconds)
        .map(|t| t.strftime("%Y-%m-%d").to_string())
        .unwrap_or_else(|_| format!("{seconds} s since 1970"))
}

/// A FILETIME (100 ns since 1601) as Unix seconds; None for 0 and "never".
fn filetime_seconds(ticks: i64) -> Option<i64> {
    (ticks > 0 && ticks != i64::MAX).then(|| ticks / 10_000_000 - 11_644_473_600)
}

fn run(inputs: &Inputs, out: &mut Out) {
    let dir = inputs.dir;
    let at = inputs.time.map(|t| t.seconds);
    let computers: Vec<usize> = (0..dir.len())
        .filter(|r| dir.kind[*r] == ObjectKind::Computer && inputs.counts(*r))
        .collect();
    let all = FAMILY.rules;
    if computers.is_empty() {
        out.not_checked(
            Feature::HybridJoin,
            all,
            "the inputs hold no computer object; export the domain with its computers",
        );
        return;
    }
    out.ran(Feature::HybridJoin);
    let has = |attr: Attr| computers.iter().any(|r| attr_present(inputs, attr, *r));
    if !has(Attr::OperatingSystem) {
        out.not_checked(
            Feature::HybridJoin,
            &[&OS_UNSUPPORTED, &BUILD_CAVEATS, &NOT_WINDOWS, &NO_CERTIFICATE],
            "no computer has operatingSystem (an -l list without operatingSystem,operatingSystemVersion?)",
        );
    } else if !has(Attr::OperatingSystemVersion) {
        out.not_checked(
            Feature::HybridJoin,
            &[&BUILD_CAVEATS],
            "no computer has operatingSystemVersion: Windows 10 builds can't be told apart",
        );
    }
    if at.is_none() {
        out.not_checked(
            Feature::HybridJoin,
            &[&CERTIFICATE_EXPIRED, &STALE],
            NO_EXPORT_TIME,
        );
    } else if !has(Attr::LastLogonTimestamp) {
        out.not_checked(
            Feature::HybridJoin,
            &[&STALE],
            "no computer has lastLogonTimestamp",
        );
    }
    let without_guid = computers
        .iter()
        .filter(|r| dir.count(Attr::UserCertificate, **r) > 0 && dir.object_guid[**r].is_none())
        .count();
    if without_guid > 0 {
        out.not_checked(
            Feature::HybridJoin,
            &[&CERTIFICATE_EXPIRED, &CERTIFICATE_FOREIGN, &DISABLED],
            format!(
                "{} with userCertificate but no objectGUID in the export: the join certificate's subject can't be compared",
                crate::text::plural(without_guid as u64, "computer", "computers")
            ),
        );
    }
    inputs.objects(&[ObjectKind::Computer], out, |row, found| {
        computer(inputs, at, row, found)
    });
}

/// Whether object `row` has a value of `attr` (a text or integer column).
fn attr_present(inputs: &Inputs, attr: Attr, row: usize) -> bool {
    match attr {
        Attr::LastLogonTimestamp => inputs.dir.int(attr, row).is_some(),
        _ => inputs.dir.text(attr, row).is_some(),
    }
}

fn computer(inputs: &Inputs, at: Option<i64>, row: usize, found: &mut Vec<Finding>) {
    let dir = inputs.dir;
    if super::sso::is_sso_account(inputs, row) {
        return; // Seamless SSO's account: its own family.
    }
    let uac = dir.int(Attr::UserAccountControl, row).unwrap_or(0);
    let os = dir.text(Attr::OperatingSystem, row);
    let version = dir.text(Attr::OperatingSystemVersion, row);
    let shown = match (os, version) {
        (Some(o), Some(v)) => format!("{o} {v}"),
        (Some(o), None) => o.to_string(),
        (None, _) => String::new(),
    };
    if uac & (SERVER_TRUST_ACCOUNT | PARTIAL_SECRETS_ACCOUNT) != 0 {
        found.push(
            Finding::new(
                &DOMAIN_CONTROLLER,
                row,
                Attr::UserAccountControl,
                &uac.to_string(),
            )
            .note(format!("domain controller ({shown})")),
        );
        return;
    }
    let disabled = uac & ACCOUNTDISABLE != 0;
    let support = os_support(os, version);
    if !disabled {
        match support {
            OsSupport::Unsupported => found.push(
                Finding::new(&OS_UNSUPPORTED, row, Attr::OperatingSystem, &shown)
                    .note("down-level or too old for hybrid join (supported: Windows 11, Windows 10 from build 10586, Windows Server 2016 and later)"),
            ),
            OsSupport::Windows10Before2004(build) => {
                let missing = if build < BUILD_1803 {
                    "before 1803: no UPN-change support, no staged rollout, no managed join with a routable UPN"
                } else if build < BUILD_1903 {
                    "before 1903: no UPN-change support, no staged rollout of cloud authentication"
                } else {
                    "before 2004: a UPN change breaks SSO until the device re-joins"
                };
                found.push(
                    Finding::new(&BUILD_CAVEATS, row, Attr::OperatingSystemVersion, version.unwrap_or(""))
                        .note(format!("Windows 10 build {build}, {missing}")),
                );
            }
            OsSupport::NotWindows => found.push(
                Finding::new(&NOT_WINDOWS, row, Attr::OperatingSystem, &shown)
                    .note("hybrid join is for Windows devices"),
            ),
            OsSupport::Supported | OsSupport::Unknown => {}
        }
    }
    let values = dir.count(Attr::UserCertificate, row);
    if values == 0 {
        let joins = matches!(
            support,
            OsSupport::Supported | OsSupport::Windows10Before2004(_)
        );
        if joins && !disabled {
            found.push(
                Finding::new(&NO_CERTIFICATE, row, Attr::UserCertificate, "no value")
                    .note(format!("{shown}: not registered for hybrid join yet")),
            );
        }
        return;
    }
    let Some(guid) = dir.object_guid[row] else {
        return; // said once for all in `run`
    };
    let certs = certificates(dir.certificates.get(row), &guid, at);
    if !certs.malformed.is_empty() {
        found.push(
            Finding::new(
                &CERTIFICATE_MALFORMED,
                row,
                Attr::UserCertificate,
                &format!(
                    "{} of {}",
                    certs.malformed.len(),
                    crate::text::plural(u64::from(values), "value", "values")
                ),
            )
            .note(format!("not a DER certificate: {}", certs.malformed[0])),
        );
    }
    let id = crate::hex::format_guid(&guid);
    if certs.valid > 0 {
        if disabled {
            found.push(
                Finding::new(&DISABLED, row, Attr::UserAccountControl, &uac.to_string()).note(
                    "disabled computer with a join certificate: synchronized as a disabled device",
                ),
            );
            return;
        }
        if let (Some(at), Some(logon)) = (
            at,
            dir.int(Attr::LastLogonTimestamp, row)
                .and_then(filetime_seconds),
        ) {
            let days = (at - logon).div_euclid(86_400);
            if days > STALE_DAYS {
                found.push(
                    Finding::new(&STALE, row, Attr::LastLogonTimestamp, &date(logon)).note(
                        format!("last logon {days} days before the export ({})", date(at)),
                    ),
                );
            }
        }
        return;
    }
    if let Some(latest) = certs.expired.iter().max() {
        found.push(
            Finding::new(
                &CERTIFICATE_EXPIRED,
                row,
                Attr::UserCertificate,
                &format!(
                    "{} of {}, the latest expired {}",
                    crate::text::plural(
                        certs.expired.len() as u64,
                        "expired join certificate",
                        "expired join certificates"
                    ),
                    crate::text::plural(u64::from(values), "value", "values"),
                    date(*latest)
                ),
            )
            .note(format!(
                "no join certificate for {{{id}}} valid at the export's time ({})",
                at.map(date).unwrap_or_default()
            )),
        );
        return;
    }
    let mut what: Vec<String> = Vec::new();
    if let Some(first) = certs.foreign.first() {
        what.push(format!(
            "{} (first: {first})",
            crate::text::plural(
                certs.foreign.len() as u64,
                "other subject",
                "other subjects"
            )
        ));
    }
    if !certs.malformed.is_empty() {
        what.push(crate::text::plural(
            certs.malformed.len() as u64,
            "value that is not a certificate",
            "values that are not certificates",
        ));
    }
    found.push(
        Finding::new(
            &CERTIFICATE_FOREIGN,
            row,
            Attr::UserCertificate,
            &crate::text::plural(u64::from(values), "value", "values"),
        )
        .note(format!(
            "no certificate with subject CN={{{id}}}: {}",
            what.join(", ")
        )),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operating_systems_and_builds() {
        let s = |os: &str, v: &str| os_support(Some(os), Some(v));
        assert_eq!(s("Windows 11 Pro", "10.0 (22631)"), OsSupport::Supported);
        assert_eq!(
            s("Windows 10 Enterprise", "10.0 (19045)"),
            OsSupport::Supported
        );
        assert_eq!(
            s("Windows 10 Enterprise", "10.0 (18363)"),
            OsSupport::Windows10Before2004(18_363)
        );
        assert_eq!(
            s("Windows 10 Enterprise", "10.0 (10586)"),
            OsSupport::Windows10Before2004(10_586)
        );
        assert_eq!(
            s("Windows 10 Enterprise", "10.0 (10240)"),
            OsSupport::Unsupported
        );
        assert_eq!(
            s("Windows 7 Professional", "6.1 (7601)"),
            OsSupport::Unsupported
        );
        assert_eq!(s("Windows 8.1 Pro", "6.3 (9600)"), OsSupport::Unsupported);
        assert_eq!(
            s("Windows Server 2012 R2 Standard", "6.3 (9600)"),
            OsSupport::Unsupported
        );
        assert_eq!(
            s("Windows Server 2016 Standard", "10.0 (14393)"),
            OsSupport::Supported
        );
        assert_eq!(
            s("Windows Server 2025 Datacenter", "10.0 (26100)"),
            OsSupport::Supported
        );
        assert_eq!(
            s("Windows Server Datacenter", "10.0 (20348)"),
            OsSupport::Supported
        );
        assert_eq!(
            s("Windows Server Datacenter", "6.3 (9600)"),
            OsSupport::Unsupported
        );
        assert_eq!(s("Mac OS X", "10.15"), OsSupport::NotWindows);
        assert_eq!(os_support(None, None), OsSupport::Unknown);
        assert_eq!(
            os_support(Some("Windows 10 Pro"), None),
            OsSupport::Supported
        );
    }
}
