//! Sign-in and device readiness end to end: domain and configuration partition exports of
//! five forests with each Seamless SSO, SCP and forest case planted, and a clean forest. The
//! truth is the planting list below, written independently of the rules: every planted case
//! is reported once, on its object, with the severity the reference gives it, and nothing else
//! is reported by the readiness rules of this family range (SL1201–SL1249). The same export
//! analysed under two different machine clocks gives the same findings.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use synclint::generate::writer::{ldif_file, ExportObject, LdifStyle};

/// The export's time: every object's whenChanged (2026-12-01 12:00 UTC).
const CHANGED: &str = "20261201120000.0Z";
const EXPORT_SECONDS: i64 = 1_796_126_400;
const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const SCP: &str =
    "CN=62a0ff2e-97b9-4513-943f-0d221bd30080,CN=Device Registration Configuration,CN=Services";

fn object(dn: &str, classes: &[&str]) -> ExportObject {
    let mut o = ExportObject::new(dn);
    for c in classes {
        o.text("objectClass", *c);
    }
    o.text("whenChanged", CHANGED);
    o
}

fn guid(seed: &str) -> Vec<u8> {
    // Distinct per DN: a 16-byte FNV-style spread of its bytes.
    let mut g = [0u8; 16];
    for (i, b) in seed.bytes().enumerate() {
        g[i % 16] = g[i % 16].wrapping_mul(31).wrapping_add(b);
    }
    g.to_vec()
}

fn computer(dn: &str, sam: &str, uac: u32) -> ExportObject {
    let mut o = object(
        dn,
        &["top", "person", "organizationalPerson", "user", "computer"],
    );
    o.text("cn", dn[3..].split(',').next().unwrap_or(""))
        .text("sAMAccountName", sam)
        .text("userAccountControl", uac.to_string())
        .binary("objectGUID", guid(dn));
    o
}

fn user(dn: &str, upn: &str) -> ExportObject {
    let mut o = object(dn, &["top", "person", "organizationalPerson", "user"]);
    let cn = dn[3..].split(',').next().unwrap_or("");
    o.text("cn", cn)
        .text("sAMAccountName", cn.to_lowercase())
        .text("userPrincipalName", upn)
        .text("userAccountControl", "512")
        .binary("objectGUID", guid(dn));
    o
}

/// A FILETIME `days` before the export.
fn filetime_days_before(days: i64) -> String {
    synclint::time::to_filetime(EXPORT_SECONDS - days * 86_400).to_string()
}

/// A planted case: the object it must be reported on, its rule and the reference's severity.
struct Truth {
    code: &'static str,
    dn: String,
    severity: &'static str,
}

struct Forest<'a> {
    root: &'a str,
    dns: &'a str,
    netbios: &'a str,
}

/// A forest's domain export (head, a workstation, its users) and configuration export.
fn forest(
    f: &Forest,
    sso: Option<ExportObject>,
    scp_keywords: Option<&[&str]>,
    users: Vec<ExportObject>,
    with_configuration: bool,
) -> (Vec<ExportObject>, Vec<ExportObject>) {
    let mut domain = vec![
        object(f.root, &["top", "domain", "domainDNS"]),
        computer(&format!("CN=PC1,OU=Workstations,{}", f.root), "PC1$", 4096),
    ];
    domain.extend(sso);
    domain.extend(users);
    if !with_configuration {
        return (domain, Vec::new());
    }
    let config = |rdns: &str, classes: &[&str]| {
        object(&format!("{rdns},CN=Configuration,{}", f.root), classes)
    };
    let mut partitions = config("CN=Partitions", &["top", "crossRefContainer"]);
    partitions
        .text("msDS-Behavior-Version", "7")
        .text("uPNSuffixes", format!("mail.{}", f.dns))
        .text(
            "msDS-EnabledFeature",
            format!("CN=Recycle Bin Feature,CN=Optional Features,CN=Directory Service,CN=Windows NT,CN=Services,CN=Configuration,{}", f.root),
        );
    let mut crossref = config(
        &format!("CN={},CN=Partitions", f.netbios),
        &["top", "crossRef"],
    );
    crossref
        .text("nCName", f.root)
        .text("dnsRoot", f.dns)
        .text("nETBIOSName", f.netbios);
    let mut configuration = vec![
        config("", &["top", "configuration"]),
        partitions,
        crossref,
        config("CN=Services", &["top", "container"]),
    ];
    // The configuration head's DN has no leading RDN to join: fix it up.
    configuration[0].dn = format!("CN=Configuration,{}", f.root);
    if let Some(keywords) = scp_keywords {
        let mut scp = config(
            SCP,
            &["top", "leaf", "connectionPoint", "serviceConnectionPoint"],
        );
        for k in keywords {
            scp.text("keywords", *k);
        }
        configuration.push(scp);
    }
    (domain, configuration)
}

fn sso_account(root: &str, parent: &str, f: impl FnOnce(&mut ExportObject)) -> ExportObject {
    let mut o = computer(
        &format!("CN=AZUREADSSOACC,{parent},{root}"),
        "AZUREADSSOACC$",
        4096,
    );
    o.text("pwdLastSet", filetime_days_before(3))
        .text("msDS-SupportedEncryptionTypes", "24");
    f(&mut o);
    o
}

/// Writes the planted exports into `dir`; returns the files and the truth.
fn planted(dir: &Path) -> (Vec<PathBuf>, Vec<Truth>) {
    let good_scp = [format!("azureADId:{TENANT}")];
    let good: Vec<&str> = vec![good_scp[0].as_str(), "azureADName:contoso.com"];
    let mut truth = Vec::new();
    let mut domain = Vec::new();
    let mut config = Vec::new();
    let mut extra_config = Vec::new();
    let mut add = |(d, c): (Vec<ExportObject>, Vec<ExportObject>)| {
        domain.extend(d);
        config.extend(c);
    };

    // contoso.com: the SSO account disabled and in CN=Computers, the SCP's tenant id not a
    // GUID, a child domain with a dotted NetBIOS name, users with undeclared suffixes
    // (litware.com twice: one finding; the declared mail.contoso.com: none).
    let contoso = Forest {
        root: "DC=contoso,DC=com",
        dns: "contoso.com",
        netbios: "CONTOSO",
    };
    let disabled = sso_account(contoso.root, "CN=Computers", |o| {
        o.set("userAccountControl", "4098");
    });
    truth.push(Truth {
        code: "SL1202",
        dn: disabled.dn.clone(),
        severity: "error",
    });
    truth.push(Truth {
        code: "SL1208",
        dn: disabled.dn.clone(),
        severity: "info",
    });
    let first_litware = user("CN=Ann,OU=Staff,DC=contoso,DC=com", "ann@litware.com");
    truth.push(Truth {
        code: "SL1226",
        dn: first_litware.dn.clone(),
        severity: "info",
    });
    let users = vec![
        first_litware,
        user("CN=Bob,OU=Staff,DC=contoso,DC=com", "bob@litware.com"),
        user("CN=Cy,OU=Staff,DC=contoso,DC=com", "cy@mail.contoso.com"),
        user("CN=Di,OU=Staff,DC=contoso,DC=com", "di@contoso.com"),
    ];
    add(forest(
        &contoso,
        Some(disabled),
        Some(&[
            "azureADId:contoso.onmicrosoft.com",
            "azureADName:contoso.com",
        ]),
        users,
        true,
    ));
    truth.push(Truth {
        code: "SL1222",
        dn: format!("{SCP},CN=Configuration,{}", contoso.root),
        severity: "error",
    });
    let mut emea = object(
        &format!("CN=EMEA,CN=Partitions,CN=Configuration,{}", contoso.root),
        &["top", "crossRef"],
    );
    emea.text("nCName", "DC=emea,DC=contoso,DC=com")
        .text("dnsRoot", "emea.contoso.com")
        .text("nETBIOSName", "EMEA.CONTOSO");
    truth.push(Truth {
        code: "SL1225",
        dn: emea.dn.clone(),
        severity: "error",
    });
    extra_config.push(emea);

    // fabrikam.com: the SSO key 45 days old and RC4 only; no device SCP.
    let fabrikam = Forest {
        root: "DC=fabrikam,DC=com",
        dns: "fabrikam.com",
        netbios: "FABRIKAM",
    };
    let old = sso_account(fabrikam.root, "OU=Tier0", |o| {
        o.set("pwdLastSet", filetime_days_before(45))
            .set("msDS-SupportedEncryptionTypes", "4");
    });
    truth.push(Truth {
        code: "SL1203",
        dn: old.dn.clone(),
        severity: "warning",
    });
    truth.push(Truth {
        code: "SL1204",
        dn: old.dn.clone(),
        severity: "warning",
    });
    add(forest(&fabrikam, Some(old), None, Vec::new(), true));
    truth.push(Truth {
        code: "SL1221",
        dn: format!("CN=Services,CN=Configuration,{}", fabrikam.root),
        severity: "error",
    });

    // tailspin.com: delegation on the SSO account, and a service account allowed to
    // delegate to the SSO service.
    let tailspin = Forest {
        root: "DC=tailspin,DC=com",
        dns: "tailspin.com",
        netbios: "TAILSPIN",
    };
    let delegating = sso_account(tailspin.root, "OU=Tier0", |o| {
        o.set("userAccountControl", (4096 | 0x8_0000).to_string());
    });
    truth.push(Truth {
        code: "SL1206",
        dn: delegating.dn.clone(),
        severity: "error",
    });
    let mut svc = user(
        "CN=svc-web,OU=Service,DC=tailspin,DC=com",
        "svc-web@tailspin.com",
    );
    svc.text(
        "msDS-AllowedToDelegateTo",
        "HTTP/autologon.microsoftazuread-sso.com",
    );
    truth.push(Truth {
        code: "SL1206",
        dn: svc.dn.clone(),
        severity: "error",
    });
    add(forest(
        &tailspin,
        Some(delegating),
        Some(&good),
        vec![svc],
        true,
    ));

    // woodgrove.com, domain export only: computers but no SSO account.
    let woodgrove = Forest {
        root: "DC=woodgrove,DC=com",
        dns: "woodgrove.com",
        netbios: "WOODGROVE",
    };
    add(forest(&woodgrove, None, None, Vec::new(), false));
    truth.push(Truth {
        code: "SL1201",
        dn: woodgrove.root.to_string(),
        severity: "info",
    });

    // northwind.com: all clean.
    let northwind = Forest {
        root: "DC=northwind,DC=com",
        dns: "northwind.com",
        netbios: "NORTHWIND",
    };
    let clean = sso_account(northwind.root, "OU=Tier0", |_| {});
    let users = vec![user(
        "CN=Eve,OU=Staff,DC=northwind,DC=com",
        "eve@northwind.com",
    )];
    add(forest(&northwind, Some(clean), Some(&good), users, true));

    config.extend(extra_config);
    let domains = dir.join("domains.ldf");
    let configuration = dir.join("config.ldf");
    std::fs::write(&domains, ldif_file(&domain, &LdifStyle::default())).unwrap();
    std::fs::write(&configuration, ldif_file(&config, &LdifStyle::default())).unwrap();
    (vec![domains, configuration], truth)
}

/// Runs synclint (under `faketime` at `clock` when given) and returns its JSON summary.
fn analyze(files: &[PathBuf], out: &Path, clock: Option<&str>) -> serde_json::Value {
    let json = out.join("summary.json");
    let mut command = match clock {
        Some(clock) => {
            let mut c = std::process::Command::new("faketime");
            c.arg(clock).arg(env!("CARGO_BIN_EXE_synclint"));
            c
        }
        None => std::process::Command::new(env!("CARGO_BIN_EXE_synclint")),
    };
    let output = command
        .arg("analyze")
        .args(files)
        .arg("--no-workbook")
        .arg("--json")
        .arg(&json)
        .arg("--fail-on")
        .arg("never")
        .output()
        .expect("synclint runs");
    crate::assert_succeeded(&output);
    serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap()
}

/// (rule, dn) of every readiness finding of this family range.
fn readiness_items(summary: &serde_json::Value) -> Vec<(String, String)> {
    let mut items: Vec<(String, String)> = summary["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["rule"].as_str().unwrap().to_string(),
                i["dn"].as_str().unwrap().to_string(),
            )
        })
        .filter(|(code, _)| {
            code[2..]
                .parse::<u32>()
                .is_ok_and(|n| (1201..=1249).contains(&n))
        })
        .collect();
    items.sort();
    items
}

#[test]
fn every_planted_case_is_reported_once_with_its_severity_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let (files, truth) = planted(dir.path());
    let summary = analyze(&files, dir.path(), None);
    let found = readiness_items(&summary);
    let mut expected: Vec<(String, String)> = truth
        .iter()
        .map(|t| (t.code.to_string(), t.dn.clone()))
        .collect();
    expected.sort();
    assert_eq!(found, expected);
    for t in &truth {
        let rule = synclint::rules::registry::find(t.code).unwrap();
        assert_eq!(rule.severity.name(), t.severity, "{}", t.code);
    }
    // Nothing on the clean forest.
    assert!(found
        .iter()
        .all(|(_, dn)| !dn.to_lowercase().contains("dc=northwind")));
    // The forests are tied to their configuration partitions, woodgrove's is missing.
    let forests = summary["readiness"]["forests"].as_array().unwrap();
    let with_config: BTreeSet<&str> = forests
        .iter()
        .filter(|f| f["configuration_partition"] == true)
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        with_config,
        BTreeSet::from([
            "contoso.com",
            "fabrikam.com",
            "northwind.com",
            "tailspin.com"
        ])
    );
    let contoso = forests.iter().find(|f| f["name"] == "contoso.com").unwrap();
    assert_eq!(
        contoso["domains"],
        serde_json::json!(["contoso.com", "emea.contoso.com"])
    );
    // The Summary's verdict per feature.
    let feature = |name: &str| {
        summary["readiness"]["features"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["feature"] == name)
            .cloned()
            .unwrap()
    };
    assert_eq!(feature("seamless_sso")["verdict"], "not_ready");
    assert_eq!(feature("hybrid_join")["verdict"], "not_ready");
    assert_eq!(feature("other")["verdict"], "not_ready");
    assert_eq!(
        summary["readiness"]["as_of"]["seconds"].as_i64(),
        Some(EXPORT_SECONDS)
    );
    // Configuration objects never count as objects to synchronize.
    assert!(summary["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["dn"].as_str().unwrap().contains("CN=Configuration"))
        .all(|i| i["rule"].as_str().unwrap().starts_with("SL12")));
}

#[test]
fn findings_do_not_depend_on_the_machine_clock() {
    let dir = tempfile::tempdir().unwrap();
    let (files, _) = planted(dir.path());
    let faketime = std::process::Command::new("faketime")
        .args(["2027-03-01 08:00:00", "date", "+%Y-%m"])
        .output();
    let clocks: [Option<&str>; 2] = match faketime {
        // The clock really is moved (else the comparison would prove nothing).
        Ok(o) if String::from_utf8_lossy(&o.stdout).trim() == "2027-03" => {
            [Some("2026-12-05 10:00:00"), Some("2027-03-01 08:00:00")]
        }
        _ => panic!("faketime is needed to run the analysis under two machine clocks"),
    };
    let runs: Vec<serde_json::Value> = clocks
        .iter()
        .enumerate()
        .map(|(i, clock)| {
            let out = dir.path().join(format!("run{i}"));
            std::fs::create_dir_all(&out).unwrap();
            analyze(&files, &out, *clock)
        })
        .collect();
    let items = |s: &serde_json::Value| -> Vec<String> {
        s["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| i["rule"].as_str().unwrap().starts_with("SL12"))
            .map(|i| i.to_string())
            .collect()
    };
    assert!(!items(&runs[0]).is_empty());
    assert_eq!(items(&runs[0]), items(&runs[1]));
    assert_eq!(runs[0]["readiness"], runs[1]["readiness"]);
    // --as-of moves the measure: on 2026-11-10 the fabrikam key (set 2026-10-17) was 24
    // days old, not yet over 30.
    let out = dir.path().join("asof");
    std::fs::create_dir_all(&out).unwrap();
    let json = out.join("s.json");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_synclint"))
        .arg("analyze")
        .args(&files)
        .args([
            "--no-workbook",
            "--fail-on",
            "never",
            "--as-of",
            "2026-11-10",
            "--json",
        ])
        .arg(&json)
        .output()
        .unwrap();
    crate::assert_succeeded(&output);
    let earlier: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let old_keys = |s: &serde_json::Value| {
        s["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| i["rule"] == "SL1203")
            .count()
    };
    assert_eq!(old_keys(&runs[0]), 1);
    assert_eq!(old_keys(&earlier), 0);
    assert_eq!(earlier["readiness"]["as_of"]["source"], "asOf");
}
