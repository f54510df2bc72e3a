//! Seamless SSO, service connection point, forest and security-descriptor cases for
//! `synclint generate --plant-readiness`: seven forests' domain objects (to append to the
//! domain export, after the hybrid join and password cases of [`super::devices`]) and their
//! configuration partitions (a second export), with a truth: for each planted case its rule
//! code, the DN it must be reported on and the severity the reference gives it — written here
//! by hand, never computed by the rules.
//!
//! | forest | planted |
//! |---|---|
//! | adatum.com | SSO account disabled, in CN=Computers; SCP tenant id not a GUID; child domain with a dotted NetBIOS name; users with an undeclared UPN suffix (twice: one finding); users whose inheritance is disabled, who cannot change their password, a protected account with inheritance disabled, a disabled one, an unreadable descriptor |
//! | fabrikam.com | SSO key 45 days old, RC4 only, not protected from deletion; no SCP |
//! | tailspin.com | delegation on the SSO account; a service account allowed to delegate to the SSO service; the SSO account without SPNs |
//! | woodgrove.com | domain export only: computers, no SSO account |
//! | wingtiptoys.com | an SSO account per domain (two); one with other SPNs only, one without encryption types |
//! | proseware.com | forest functional level 0, recycle bin off, two device registration SCPs |
//! | northwind.com | clean |
//! | devices.contoso.com | a healthy SSO account beside the hybrid join cases |
//!
//! Every object's whenChanged is [`EXPORT_TIME`](super::devices::EXPORT_TIME).

use super::devices::EXPORT_TIME;
use super::writer::ExportObject;
use crate::sd::build::{self, Ace};

/// The tenant the well-formed SCPs name.
pub const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
/// The device registration SCP's place under the configuration partition.
pub const SCP: &str =
    "CN=62a0ff2e-97b9-4513-943f-0d221bd30080,CN=Device Registration Configuration,CN=Services";
const SSO_SPN: &str = "HTTP/autologon.microsoftazuread-sso.com";
const DAY: i64 = 86_400;

/// A planted case: the rule that must report it, on which object, with which severity.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Truth {
    pub code: String,
    pub dn: String,
    pub severity: String,
    /// What the case is, for messages.
    pub what: String,
}

impl Truth {
    fn new(code: &str, dn: &str, severity: &str, what: &str) -> Truth {
        Truth {
            code: code.into(),
            dn: dn.into(),
            severity: severity.into(),
            what: what.into(),
        }
    }
}

/// The planted objects and their truth.
pub struct Planted {
    /// Domain partition objects (domain heads, computers, users).
    pub domain: Vec<ExportObject>,
    /// Configuration partition objects.
    pub configuration: Vec<ExportObject>,
    pub truth: Vec<Truth>,
}

/// The truth of the hybrid join and password cases ([`super::devices::cases`]) in the same
/// form.
pub fn device_truth() -> Vec<Truth> {
    super::devices::cases()
        .into_iter()
        .flat_map(|c| {
            let dn = c.object.dn.clone();
            c.expected
                .into_iter()
                .map(move |(code, severity)| Truth::new(code, &dn, severity, c.what))
        })
        .collect()
}

fn when_changed() -> String {
    jiff::Timestamp::from_second(EXPORT_TIME)
        .map(|t| t.strftime("%Y%m%d%H%M%S.0Z").to_string())
        .unwrap_or_default()
}

fn object(dn: &str, classes: &[&str]) -> ExportObject {
    let mut o = ExportObject::new(dn);
    for c in classes {
        o.text("objectClass", *c);
    }
    o.text("whenChanged", when_changed());
    o
}

/// A distinct objectGUID per DN (wire order).
fn guid(dn: &str) -> Vec<u8> {
    let mut g = [0u8; 16];
    for (i, b) in dn.bytes().enumerate() {
        g[i % 16] = g[i % 16].wrapping_mul(31).wrapping_add(b);
    }
    g[7] = (g[7] & 0x0f) | 0x40;
    g[8] = (g[8] & 0x3f) | 0x80;
    g.to_vec()
}

fn first_rdn_value(dn: &str) -> &str {
    dn.split_once('=')
        .map_or("", |(_, rest)| rest.split(',').next().unwrap_or(""))
}

fn computer(dn: &str, sam: &str, uac: u32) -> ExportObject {
    let mut o = object(
        dn,
        &["top", "person", "organizationalPerson", "user", "computer"],
    );
    o.text("cn", first_rdn_value(dn))
        .text("sAMAccountName", sam)
        .text("userAccountControl", uac.to_string())
        .binary("objectGUID", guid(dn));
    o
}

fn user(dn: &str, upn: &str) -> ExportObject {
    let mut o = object(dn, &["top", "person", "organizationalPerson", "user"]);
    let cn = first_rdn_value(dn);
    o.text("cn", cn)
        .text("sAMAccountName", cn.to_lowercase())
        .text("userPrincipalName", upn)
        .text("userAccountControl", "512")
        .binary("objectGUID", guid(dn));
    o
}

/// A user's ordinary descriptor (inheritance on, nothing denied), or with `extra` ACEs.
fn descriptor(protected: bool, extra: Vec<Ace<'static>>) -> Vec<u8> {
    let mut aces = build::ordinary_aces();
    aces.extend(extra);
    build::descriptor(protected, &aces)
}

/// A FILETIME `days` before the export.
fn filetime_days_before(days: i64) -> String {
    crate::time::to_filetime(EXPORT_TIME - days * DAY).to_string()
}

/// The Seamless SSO account as Connect leaves it, healthy: key 3 days old, AES, its SPN,
/// protected from deletion; `shape` then plants a case.
fn sso_account(root: &str, parent: &str, shape: impl FnOnce(&mut ExportObject)) -> ExportObject {
    let mut o = computer(
        &format!("CN=AZUREADSSOACC,{parent},{root}"),
        "AZUREADSSOACC$",
        4096,
    );
    o.text("pwdLastSet", filetime_days_before(3))
        .text("msDS-SupportedEncryptionTypes", "24")
        .text("servicePrincipalName", SSO_SPN)
        .text("servicePrincipalName", "HTTP/aadg.windows.net.nsatc.net")
        .binary(
            "nTSecurityDescriptor",
            descriptor(false, vec![build::protected_from_deletion()]),
        );
    shape(&mut o);
    o
}

struct Forest {
    root: &'static str,
    dns: &'static str,
    netbios: &'static str,
}

impl Forest {
    fn config(&self, rdns: &str, classes: &[&str]) -> ExportObject {
        let dn = if rdns.is_empty() {
            format!("CN=Configuration,{}", self.root)
        } else {
            format!("{rdns},CN=Configuration,{}", self.root)
        };
        object(&dn, classes)
    }

    /// The domain head and one workstation.
    fn domain(&self) -> Vec<ExportObject> {
        let mut head = object(self.root, &["top", "domain", "domainDNS"]);
        head.text("dc", first_rdn_value(self.root));
        vec![
            head,
            computer(
                &format!("CN=PC1,OU=Workstations,{}", self.root),
                "PC1$",
                4096,
            ),
        ]
    }

    /// The configuration partition: its head, CN=Partitions (level 7, a UPN suffix
    /// `mail.<dns>`, the recycle bin on), the root domain's crossRef and CN=Services.
    fn configuration(&self) -> Vec<ExportObject> {
        let mut partitions = self.config("CN=Partitions", &["top", "crossRefContainer"]);
        partitions
            .text("msDS-Behavior-Version", "7")
            .text("uPNSuffixes", format!("mail.{}", self.dns))
            .text(
                "msDS-EnabledFeature",
                format!("CN=Recycle Bin Feature,CN=Optional Features,CN=Directory Service,CN=Windows NT,CN=Services,CN=Configuration,{}", self.root),
            );
        vec![
            self.config("", &["top", "configuration"]),
            partitions,
            self.crossref(self.netbios, self.root, self.dns, self.netbios),
            self.config("CN=Services", &["top", "container"]),
        ]
    }

    fn crossref(&self, cn: &str, nc: &str, dns: &str, netbios: &str) -> ExportObject {
        let mut o = self.config(&format!("CN={cn},CN=Partitions"), &["top", "crossRef"]);
        o.text("nCName", nc)
            .text("dnsRoot", dns)
            .text("nETBIOSName", netbios);
        o
    }

    fn scp(&self, rdns: &str, keywords: &[&str]) -> ExportObject {
        let mut o = self.config(
            rdns,
            &["top", "leaf", "connectionPoint", "serviceConnectionPoint"],
        );
        o.text("cn", first_rdn_value(rdns));
        for k in keywords {
            o.text("keywords", *k);
        }
        o
    }

    fn scp_dn(&self) -> String {
        format!("{SCP},CN=Configuration,{}", self.root)
    }
}

/// Every case.
pub fn planted() -> Planted {
    let tenant = format!("azureADId:{TENANT}");
    let good_scp: [&str; 2] = [&tenant, "azureADName:contoso.com"];
    let mut domain = Vec::new();
    let mut configuration = Vec::new();
    let mut truth = Vec::new();

    // adatum.com.
    let adatum = Forest {
        root: "DC=adatum,DC=com",
        dns: "adatum.com",
        netbios: "ADATUM",
    };
    let disabled = sso_account(adatum.root, "CN=Computers", |o| {
        o.set("userAccountControl", "4098");
    });
    truth.push(Truth::new(
        "SL1202",
        &disabled.dn,
        "error",
        "SSO account disabled",
    ));
    truth.push(Truth::new(
        "SL1208",
        &disabled.dn,
        "info",
        "SSO account in the default Computers container",
    ));
    domain.extend(adatum.domain());
    domain.push(disabled);
    let staff = |cn: &str, upn: &str| user(&format!("CN={cn},OU=Staff,{}", adatum.root), upn);
    let ann = staff("Ann", "ann@litware.com");
    truth.push(Truth::new(
        "SL1226",
        &ann.dn,
        "info",
        "UPN suffix litware.com not declared (first of two users)",
    ));
    domain.extend([
        ann,
        staff("Bob", "bob@litware.com"),
        staff("Cy", "cy@mail.adatum.com"),
        staff("Di", "di@adatum.com"),
    ]);
    // Security descriptors (one each; the ones without a case have an ordinary one).
    let with_sd = |cn: &str, sd: Vec<u8>, uac: &str, admin: bool| {
        let mut o = staff(cn, &format!("{}@adatum.com", cn.to_lowercase()));
        o.set("userAccountControl", uac)
            .binary("nTSecurityDescriptor", sd);
        if admin {
            o.text("adminCount", "1");
        }
        o
    };
    let gil = with_sd("Gil", descriptor(true, Vec::new()), "512", false);
    truth.push(Truth::new(
        "SL1353",
        &gil.dn,
        "warning",
        "inheritance disabled",
    ));
    let hal = with_sd(
        "Hal",
        descriptor(false, build::cannot_change_password()),
        "512",
        false,
    );
    truth.push(Truth::new(
        "SL1354",
        &hal.dn,
        "warning",
        "user cannot change password",
    ));
    let ivy = with_sd("Ivy", descriptor(true, Vec::new()), "512", true);
    truth.push(Truth::new(
        "SL1352",
        &ivy.dn,
        "info",
        "protected account with inheritance disabled (adminCount 1: not SL1353)",
    ));
    let jo = with_sd(
        "Jo",
        descriptor(true, build::cannot_change_password()),
        "514",
        false,
    );
    let kim = with_sd("Kim", descriptor(false, Vec::new()), "512", false);
    let lu = with_sd(
        "Lu",
        b"\x01\x00\x04\x94 not a descriptor".to_vec(),
        "512",
        false,
    );
    domain.extend([gil, hal, ivy, jo, kim, lu]);
    configuration.extend(adatum.configuration());
    configuration.push(adatum.scp(
        SCP,
        &["azureADId:adatum.onmicrosoft.com", "azureADName:adatum.com"],
    ));
    truth.push(Truth::new(
        "SL1222",
        &adatum.scp_dn(),
        "error",
        "SCP tenant id not a GUID",
    ));
    let emea = adatum.crossref(
        "EMEA",
        "DC=emea,DC=adatum,DC=com",
        "emea.adatum.com",
        "EMEA.ADATUM",
    );
    truth.push(Truth::new(
        "SL1225",
        &emea.dn,
        "error",
        "dotted NetBIOS name",
    ));
    configuration.push(emea);

    // fabrikam.com.
    let fabrikam = Forest {
        root: "DC=fabrikam,DC=com",
        dns: "fabrikam.com",
        netbios: "FABRIKAM",
    };
    let old = sso_account(fabrikam.root, "OU=Tier0", |o| {
        o.set("pwdLastSet", filetime_days_before(45))
            .set("msDS-SupportedEncryptionTypes", "4")
            .set_binary("nTSecurityDescriptor", descriptor(false, Vec::new()));
    });
    for (code, what) in [
        ("SL1203", "SSO key 45 days old"),
        ("SL1204", "SSO account RC4 only"),
        ("SL1210", "SSO account not protected from deletion"),
    ] {
        truth.push(Truth::new(code, &old.dn, "warning", what));
    }
    domain.extend(fabrikam.domain());
    domain.push(old);
    configuration.extend(fabrikam.configuration());
    truth.push(Truth::new(
        "SL1221",
        &format!("CN=Services,CN=Configuration,{}", fabrikam.root),
        "error",
        "no device registration SCP",
    ));

    // tailspin.com.
    let tailspin = Forest {
        root: "DC=tailspin,DC=com",
        dns: "tailspin.com",
        netbios: "TAILSPIN",
    };
    let delegating = sso_account(tailspin.root, "OU=Tier0", |o| {
        o.set("userAccountControl", (4096 | 0x8_0000).to_string());
        o.attributes.retain(|(n, _)| n != "servicePrincipalName");
    });
    truth.push(Truth::new(
        "SL1206",
        &delegating.dn,
        "error",
        "delegation on the SSO account",
    ));
    truth.push(Truth::new(
        "SL1209",
        &delegating.dn,
        "warning",
        "SSO account without servicePrincipalName",
    ));
    let mut svc = user(
        &format!("CN=svc-web,OU=Service,{}", tailspin.root),
        "svc-web@tailspin.com",
    );
    svc.text("msDS-AllowedToDelegateTo", SSO_SPN);
    truth.push(Truth::new(
        "SL1206",
        &svc.dn,
        "error",
        "another account may delegate to the SSO service",
    ));
    domain.extend(tailspin.domain());
    domain.extend([delegating, svc]);
    configuration.extend(tailspin.configuration());
    configuration.push(tailspin.scp(SCP, &good_scp));

    // woodgrove.com: the domain only.
    let woodgrove = Forest {
        root: "DC=woodgrove,DC=com",
        dns: "woodgrove.com",
        netbios: "WOODGROVE",
    };
    domain.extend(woodgrove.domain());
    truth.push(Truth::new(
        "SL1201",
        woodgrove.root,
        "info",
        "no SSO account in a forest with computers",
    ));

    // wingtiptoys.com: two domains, an SSO account in each.
    let wingtip = Forest {
        root: "DC=wingtiptoys,DC=com",
        dns: "wingtiptoys.com",
        netbios: "WINGTIP",
    };
    let eu_root = "DC=eu,DC=wingtiptoys,DC=com";
    let root_account = sso_account(wingtip.root, "OU=Tier0", |o| {
        o.attributes.retain(|(n, _)| n != "servicePrincipalName");
        o.text("servicePrincipalName", "HOST/AZUREADSSOACC");
    });
    let eu_account = sso_account(eu_root, "OU=Tier0", |o| {
        o.attributes
            .retain(|(n, _)| n != "msDS-SupportedEncryptionTypes");
    });
    for account in [&root_account, &eu_account] {
        truth.push(Truth::new(
            "SL1207",
            &account.dn,
            "info",
            "two SSO accounts in one forest",
        ));
    }
    truth.push(Truth::new(
        "SL1209",
        &root_account.dn,
        "warning",
        "SSO account whose SPNs lack the SSO service",
    ));
    truth.push(Truth::new(
        "SL1205",
        &eu_account.dn,
        "info",
        "SSO account without encryption types",
    ));
    domain.extend(wingtip.domain());
    let mut eu_head = object(eu_root, &["top", "domain", "domainDNS"]);
    eu_head.text("dc", "eu");
    domain.extend([root_account, eu_head, eu_account]);
    configuration.extend(wingtip.configuration());
    configuration.push(wingtip.crossref("EU", eu_root, "eu.wingtiptoys.com", "WINGTIP-EU"));
    configuration.push(wingtip.scp(SCP, &good_scp));

    // proseware.com: the forest's own settings.
    let proseware = Forest {
        root: "DC=proseware,DC=com",
        dns: "proseware.com",
        netbios: "PROSEWARE",
    };
    domain.extend(proseware.domain());
    domain.push(sso_account(proseware.root, "OU=Tier0", |_| {}));
    let mut prose_config = proseware.configuration();
    let partitions = &mut prose_config[1];
    partitions.set("msDS-Behavior-Version", "0");
    partitions
        .attributes
        .retain(|(n, _)| n != "msDS-EnabledFeature");
    let partitions_dn = partitions.dn.clone();
    truth.push(Truth::new(
        "SL1224",
        &partitions_dn,
        "error",
        "forest functional level 0",
    ));
    truth.push(Truth::new(
        "SL1227",
        &partitions_dn,
        "info",
        "recycle bin not enabled",
    ));
    configuration.extend(prose_config);
    let documented = proseware.scp(SCP, &good_scp);
    let leftover = proseware.scp("CN=Old Device Registration,CN=Services", &good_scp);
    for scp in [&documented, &leftover] {
        truth.push(Truth::new(
            "SL1223",
            &scp.dn,
            "warning",
            "two device registration SCPs in one forest",
        ));
    }
    configuration.extend([documented, leftover]);

    // The hybrid join cases' domain (devices.contoso.com) holds computers: a healthy SSO
    // account there, so that its forest is not one without Seamless SSO.
    domain.push(sso_account(super::devices::DOMAIN, "OU=Tier0", |_| {}));

    // northwind.com: clean.
    let northwind = Forest {
        root: "DC=northwind,DC=com",
        dns: "northwind.com",
        netbios: "NORTHWIND",
    };
    domain.extend(northwind.domain());
    domain.push(sso_account(northwind.root, "OU=Tier0", |_| {}));
    let mut eve = user(
        &format!("CN=Eve,OU=Staff,{}", northwind.root),
        "eve@northwind.com",
    );
    eve.binary("nTSecurityDescriptor", descriptor(false, Vec::new()));
    domain.push(eve);
    configuration.extend(northwind.configuration());
    configuration.push(northwind.scp(SCP, &good_scp));

    Planted {
        domain,
        configuration,
        truth,
    }
}

/// The csvde columns the domain objects of [`planted`] need that `columns` lacks.
pub fn columns_beyond(columns: &[String], objects: &[ExportObject]) -> Vec<String> {
    let mut more: Vec<String> = Vec::new();
    for o in objects {
        for (name, _) in &o.attributes {
            let known = |c: &String| c.eq_ignore_ascii_case(name);
            if !columns.iter().any(known) && !more.iter().any(known) {
                more.push(name.clone());
            }
        }
    }
    more
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_case_names_an_object_planted_once() {
        let p = planted();
        let mut dns: Vec<String> = p
            .domain
            .iter()
            .chain(&p.configuration)
            .map(|o| o.dn.to_lowercase())
            .collect();
        let all = dns.len();
        dns.sort();
        dns.dedup();
        assert_eq!(dns.len(), all, "a DN planted twice");
        for t in &p.truth {
            assert!(dns.contains(&t.dn.to_lowercase()), "{t:?}");
        }
        // The descriptors planted read back as planted.
        let facts = |cn: &str| {
            let o = p
                .domain
                .iter()
                .find(|o| o.dn.starts_with(&format!("CN={cn},")))
                .unwrap();
            crate::sd::read(o.last_binary("nTSecurityDescriptor").unwrap())
        };
        assert!(facts("Gil").unwrap().dacl_protected);
        assert!(facts("Hal").unwrap().deny_change_password);
        assert_eq!(facts("Kim"), Ok(crate::sd::SdFacts::default()));
        assert!(facts("Lu").is_err());
    }
}
