//! One positive and one negative case for every registered rule, with the exact findings of
//! each (code, attribute, value, suggestion, recommendation, note) kept as reviewed snapshots
//! in tests/it/snapshots/ (insta; a mismatch fails, `cargo insta review` or INSTA_UPDATE=always
//! rewrites them). The negative case is a near miss: the same object just inside the rule.
//! Also: docs/rules.md is the output of `synclint rules --markdown`.

use crate::rules::{contact, group, run_with, user, with, Run};
use std::collections::HashSet;
use std::fmt::Write;
use synclint::directory::Attr;
use synclint::generate::writer::ExportObject;
use synclint::rules::registry::RULES;
use synclint::rules::{Profile, RuleOptions};
use synclint::scope::ScopeOptions;
use synclint::sd::build as sd;

/// A rule's cases: the objects that must raise it, and near misses that must not.
pub(crate) struct Case {
    pub(crate) code: &'static str,
    pub(crate) options: RuleOptions,
    /// The scope options both cases run with (engine: the rule options').
    pub(crate) scope: ScopeOptions,
    /// Other scope options for the negative case, when the rule's limit is in the options.
    pub(crate) negative_scope: Option<ScopeOptions>,
    pub(crate) positive: Vec<ExportObject>,
    pub(crate) negative: Vec<ExportObject>,
}

pub(crate) fn case(
    code: &'static str,
    positive: Vec<ExportObject>,
    negative: Vec<ExportObject>,
) -> Case {
    Case {
        code,
        options: RuleOptions::default(),
        scope: ScopeOptions::default(),
        negative_scope: None,
        positive,
        negative,
    }
}

fn dedicated(mut c: Case) -> Case {
    c.options.profile = Profile::IdfixDedicated;
    c
}

/// A user with `attribute` set to `value`.
fn user_with(cn: &str, attribute: &str, value: impl Into<String>) -> ExportObject {
    let value = value.into();
    with(user(cn), |o| {
        o.set(attribute, value);
    })
}

/// A user with one more proxyAddresses value.
fn user_proxy(cn: &str, value: impl Into<String>) -> ExportObject {
    let value = value.into();
    with(user(cn), |o| {
        o.text("proxyAddresses", value);
    })
}

fn contact_target(cn: &str, target: impl Into<String>) -> ExportObject {
    let target = target.into();
    with(
        contact(cn, &format!("{}@partner.example.net", cn.to_lowercase())),
        |o| {
            o.set("targetAddress", target);
        },
    )
}

/// A user without userPrincipalName, in the domain of `dc` (`DC=contoso,DC=local`).
fn user_without_upn(cn: &str, dc: &str, sam: &str) -> ExportObject {
    with(ExportObject::new(format!("CN={cn},OU=Staff,{dc}")), |o| {
        for c in ["top", "person", "organizationalPerson", "user"] {
            o.text("objectClass", c);
        }
        o.text("cn", cn)
            .binary(
                "objectGUID",
                cn.bytes().chain(std::iter::repeat(3)).take(16).collect(),
            )
            .text("userAccountControl", "512")
            .text("sAMAccountName", sam);
    })
}

fn no_upn(o: ExportObject, sam: &str) -> ExportObject {
    with(o, |o| {
        o.attributes.retain(|(n, _)| n != "userPrincipalName");
        o.set("sAMAccountName", sam);
    })
}

fn certificates(cn: &str, attribute: &str, n: u8) -> ExportObject {
    with(user(cn), |o| {
        for i in 0..n {
            o.binary(attribute, vec![i; 8]);
        }
    })
}

fn proxies(cn: &str, extra: usize) -> ExportObject {
    with(user(cn), |o| {
        for i in 0..extra {
            o.text(
                "proxyAddresses",
                format!("smtp:{}.{i}@contoso.com", cn.to_lowercase()),
            );
        }
    })
}

fn members(cn: &str, n: usize) -> ExportObject {
    with(
        group(cn, &format!("{}@contoso.com", cn.to_lowercase())),
        |o| {
            for i in 0..n {
                o.text(
                    "member",
                    format!("CN=m{i},OU=Staff,DC=corp,DC=contoso,DC=com"),
                );
            }
        },
    )
}

/// The time the readiness cases' exports stand for (their whenChanged): 2026-12-01 12:00 UTC.
const EXPORT_TIME: &str = "20261201120000.0Z";
const EXPORT_SECONDS: i64 = 1_796_126_400;

/// A FILETIME `days` before the readiness cases' export time.
fn days_before_export(days: i64) -> String {
    synclint::time::to_filetime(EXPORT_SECONDS - days * 86_400).to_string()
}

/// A domain head object, as a domain export holds it.
fn domain_head(dc: &str) -> ExportObject {
    with(ExportObject::new(dc), |o| {
        for c in ["top", "domain", "domainDNS"] {
            o.text("objectClass", c);
        }
        o.text("whenChanged", EXPORT_TIME);
    })
}

/// A computer account `cn` under `parent`.
fn computer(cn: &str, parent: &str) -> ExportObject {
    with(ExportObject::new(format!("CN={cn},{parent}")), |o| {
        for c in ["top", "person", "organizationalPerson", "user", "computer"] {
            o.text("objectClass", c);
        }
        o.text("cn", cn)
            .text("sAMAccountName", format!("{cn}$"))
            .binary(
                "objectGUID",
                cn.bytes().chain(std::iter::repeat(5)).take(16).collect(),
            )
            .text("userAccountControl", "4096")
            .text("whenChanged", EXPORT_TIME);
    })
}

/// A healthy Seamless SSO account in a protected OU of `dc` (key rolled a day before the
/// export, AES only, no delegation), changed by `f`.
fn sso_account(dc: &str, f: impl FnOnce(&mut ExportObject)) -> ExportObject {
    with(computer("AZUREADSSOACC", &format!("OU=Tier0,{dc}")), |o| {
        // One objectGUID per domain: the same GUID twice is one object read twice.
        o.attributes.retain(|(n, _)| n != "objectGUID");
        o.binary(
            "objectGUID",
            dc.bytes().chain(std::iter::repeat(6)).take(16).collect(),
        )
        .text("pwdLastSet", days_before_export(1))
        .text("msDS-SupportedEncryptionTypes", "24");
        f(o);
    })
}

/// A domain with one ordinary computer and the SSO account `f` makes.
fn sso_domain(f: impl FnOnce(&mut ExportObject)) -> Vec<ExportObject> {
    let dc = "DC=contoso,DC=com";
    vec![
        domain_head(dc),
        computer("PC1", &format!("OU=Workstations,{dc}")),
        sso_account(dc, f),
    ]
}

fn moved(o: &mut ExportObject, dn: &str) {
    o.dn = dn.to_string();
}

const ROOT: &str = "DC=contoso,DC=com";
const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";

/// A configuration partition object of the contoso.com forest.
fn config_object(rdns: &str, classes: &[&str]) -> ExportObject {
    with(
        ExportObject::new(format!("{rdns},CN=Configuration,{ROOT}")),
        |o| {
            for c in classes {
                o.text("objectClass", *c);
            }
            o.text("whenChanged", EXPORT_TIME);
        },
    )
}

/// A healthy configuration partition export: CN=Partitions (level 7, contoso.org declared,
/// recycle bin on), the domain's crossRef, CN=Services and a well-formed device SCP; `f`
/// changes it.
fn configuration(f: impl FnOnce(&mut Vec<ExportObject>)) -> Vec<ExportObject> {
    let mut objects = vec![
        with(
            config_object("CN=Partitions", &["top", "crossRefContainer"]),
            |o| {
                o.text("msDS-Behavior-Version", "7")
                    .text("uPNSuffixes", "contoso.org")
                    .text(
                        "msDS-EnabledFeature",
                        format!("CN=Recycle Bin Feature,CN=Optional Features,CN=Directory Service,CN=Windows NT,CN=Services,CN=Configuration,{ROOT}"),
                    );
            },
        ),
        with(
            config_object("CN=CONTOSO,CN=Partitions", &["top", "crossRef"]),
            |o| {
                o.text("nCName", ROOT)
                    .text("dnsRoot", "contoso.com")
                    .text("nETBIOSName", "CONTOSO");
            },
        ),
        config_object("CN=Services", &["top", "container"]),
        scp_object("CN=62a0ff2e-97b9-4513-943f-0d221bd30080,CN=Device Registration Configuration,CN=Services", &[
            &format!("azureADId:{TENANT}"),
            "azureADName:contoso.com",
        ]),
    ];
    f(&mut objects);
    objects
}

fn scp_object(rdns: &str, keywords: &[&str]) -> ExportObject {
    with(
        config_object(
            rdns,
            &["top", "leaf", "connectionPoint", "serviceConnectionPoint"],
        ),
        |o| {
            for k in keywords {
                o.text("keywords", *k);
            }
        },
    )
}

/// Changes the configuration object whose DN starts with `rdn`.
fn change(objects: &mut [ExportObject], rdn: &str, f: impl FnOnce(&mut ExportObject)) {
    if let Some(o) = objects.iter_mut().find(|o| o.dn.starts_with(rdn)) {
        f(o);
    }
}

/// A user of contoso.com with UPN `upn`.
fn contoso_user(cn: &str, upn: &str) -> ExportObject {
    with(user(cn), |o| {
        o.dn = format!("CN={cn},OU=Staff,{ROOT}");
        o.set("userPrincipalName", upn);
    })
}

fn all_cases() -> Vec<Case> {
    let x = |n: usize| "x".repeat(n);
    let verified = RuleOptions {
        verified_domains: Some(HashSet::from(["contoso.com".to_string()])),
        ..RuleOptions::default()
    };
    let readiness = readiness_cases();
    let cases = vec![
        case(
            "SL101",
            vec![user_with(
                "A1",
                "userPrincipalName",
                "jos\u{e9} n@contoso.com",
            )],
            vec![user_with("A1", "userPrincipalName", "o'brien@contoso.com")],
        ),
        case(
            "SL102",
            vec![user_with(
                "A2",
                "userPrincipalName",
                format!("{}@contoso.com", "a".repeat(65)),
            )],
            vec![user_with(
                "A2",
                "userPrincipalName",
                format!("{}@contoso.com", "a".repeat(64)),
            )],
        ),
        case(
            "SL103",
            vec![user_with("A3", "userPrincipalName", "a3.@contoso.com")],
            vec![user_with("A3", "userPrincipalName", "a.3@contoso.com")],
        ),
        case(
            "SL104",
            vec![user_with(
                "A4",
                "userPrincipalName",
                "a4@corp.contoso.local",
            )],
            vec![user_with("A4", "userPrincipalName", "a4@corp.contoso.com")],
        ),
        Case {
            options: verified,
            ..case(
                "SL105",
                vec![user_with("A5", "userPrincipalName", "a5@fabrikam.com")],
                vec![user_with("A5", "userPrincipalName", "a5@CONTOSO.com")],
            )
        },
        case(
            "SL106",
            vec![user_without_upn("A6", "DC=contoso,DC=local", "a6")],
            vec![user_without_upn("A6", "DC=contoso,DC=com", "a6")],
        ),
        case(
            "SL201",
            vec![user_with("B1", "mail", "b1 @contoso.com")],
            vec![user_with("B1", "mail", "b1@contoso.com")],
        ),
        case(
            "SL202",
            vec![user_with("B2", "mail", "b2@contoso.corp")],
            vec![user_with("B2", "mail", "b2@contoso.com")],
        ),
        case(
            "SL203",
            vec![user_with("B3", "mail", format!("{}@contoso.com", x(245)))],
            vec![user_with("B3", "mail", format!("{}@contoso.com", x(244)))],
        ),
        case(
            "SL301",
            vec![user_with("C1", "mailNickname", "c 1")],
            vec![user_with("C1", "mailNickname", "c'1")],
        ),
        case(
            "SL302",
            vec![user_with("C2", "mailNickname", "r&d")],
            vec![user_with("C2", "mailNickname", "rnd")],
        ),
        case(
            "SL303",
            vec![user_with("C3", "mailNickname", ".c3")],
            vec![user_with("C3", "mailNickname", "c.3")],
        ),
        case(
            "SL304",
            vec![user_with("C4", "mailNickname", "c".repeat(65))],
            vec![user_with("C4", "mailNickname", "c".repeat(64))],
        ),
        case(
            "SL401",
            vec![user_proxy("D1", "smtp:d 1@contoso.com")],
            vec![user_proxy("D1", "smtp:d-1@contoso.com")],
        ),
        case(
            "SL402",
            vec![user_proxy("D2", "smtp:user:M@contoso.com")],
            vec![user_proxy("D2", "smtp:userM@contoso.com")],
        ),
        case(
            "SL403",
            vec![user_proxy("D3", format!("sip:{}", x(253)))],
            vec![user_proxy("D3", format!("sip:{}", x(252)))],
        ),
        case(
            "SL404",
            vec![user_proxy("D4", "smtp:d4@contoso.onmicrosoft.com")],
            vec![
                user_proxy("D4", "smtp:d4@contoso.com"),
                // A hybrid organisation's remote routing address: kept, and needed.
                user_proxy("D5", "smtp:d5@contoso.mail.onmicrosoft.com"),
            ],
        ),
        case(
            "SL405",
            vec![user_proxy("D5", "X400:c=us;a= ;p=Contoso;s=D5;")],
            vec![user_proxy(
                "D5",
                "X500:/o=Contoso/ou=First/cn=Recipients/cn=d5",
            )],
        ),
        case(
            "SL406",
            vec![user_proxy("D6", "d6@contoso.com")],
            vec![user_proxy("D6", "smtp:d6@contoso.com")],
        ),
        case(
            "SL407",
            vec![user_proxy("D7", "smtp:d7@contoso.local")],
            vec![user_proxy("D7", "smtp:d7@contoso.com")],
        ),
        case(
            "SL408",
            vec![user_proxy("D8", "SMTP:d8.other@contoso.com")],
            vec![user_proxy("D8", "smtp:d8.other@contoso.com")],
        ),
        case(
            "SL409",
            vec![user_proxy("D9", "SIP:d9 @contoso.com")],
            vec![user_proxy("D9", "SIP:d9@contoso.com")],
        ),
        case(
            "SL501",
            vec![user_with("E1", "sAMAccountName", "o'neil")],
            vec![user_with("E1", "sAMAccountName", "o-neil")],
        ),
        case(
            "SL502",
            vec![user_with("E2", "sAMAccountName", "e".repeat(21))],
            vec![user_with("E2", "sAMAccountName", "e".repeat(20))],
        ),
        case(
            "SL503",
            vec![user_with("E3", "sAMAccountName", "e3.")],
            vec![user_with("E3", "sAMAccountName", "e.3")],
        ),
        case(
            "SL601",
            vec![user_with("F1", "displayName", "f".repeat(257))],
            vec![user_with("F1", "displayName", "f".repeat(256))],
        ),
        case(
            "SL602",
            vec![user_with("F2", "displayName", "   ")],
            vec![with(user("F2"), |o| {
                o.attributes.retain(|(n, _)| n != "displayName");
            })],
        ),
        case(
            "SL603",
            vec![user_with("F3", "givenName", "g".repeat(65))],
            vec![user_with("F3", "givenName", "g".repeat(64))],
        ),
        case(
            "SL604",
            vec![user_with("F4", "sn", "s".repeat(65))],
            vec![user_with("F4", "sn", "s".repeat(64))],
        ),
        dedicated(case(
            "SL605",
            vec![user_with("F5", "displayName", " F5 ")],
            vec![user_with("F5", "displayName", "F 5")],
        )),
        case(
            "SL651",
            vec![contact_target("G1", "SMTP:g1 @partner.example.net")],
            vec![contact_target("G1", "SMTP:g1@partner.example.net")],
        ),
        case(
            "SL652",
            vec![contact_target("G2", format!("SMTP:{}@x.com", x(246)))],
            vec![contact_target("G2", format!("SMTP:{}@x.com", x(245)))],
        ),
        dedicated(case(
            "SL653",
            vec![with(contact("G3", "g3@partner.example.net"), |o| {
                o.attributes.retain(|(n, _)| n != "targetAddress");
            })],
            vec![contact("G3", "g3@partner.example.net")],
        )),
        case(
            "SL654",
            vec![contact_target("G4", "SMTP:g4@partner.local")],
            vec![contact_target("G4", "SMTP:g4@partner.example.net")],
        ),
        case(
            "SL701",
            vec![certificates("H1", "userCertificate", 16)],
            vec![certificates("H1", "userCertificate", 15)],
        ),
        case(
            "SL702",
            vec![certificates("H2", "userSMIMECertificate", 16)],
            vec![certificates("H2", "userSMIMECertificate", 15)],
        ),
        case("SL703", vec![proxies("H3", 299)], vec![proxies("H3", 298)]),
        case(
            "SL704",
            vec![members("H4", 50_000)],
            vec![members("H4", 49_999)],
        ),
        case(
            "SL705",
            vec![with(user("H5"), |o| {
                o.binary("thumbnailPhoto", vec![1; 102_401]);
            })],
            vec![with(user("H5"), |o| {
                o.binary("thumbnailPhoto", vec![1; 102_400]);
            })],
        ),
        case(
            "SL706",
            vec![with(group("H6", "h6@contoso.com"), |o| {
                for i in 0..3 {
                    o.text(
                        "member;range=0-1499",
                        format!("CN=m{i},DC=corp,DC=contoso,DC=com"),
                    );
                }
            })],
            vec![members("H6", 3)],
        ),
        case(
            "SL801",
            vec![
                user("J1"),
                user_with("J2", "userPrincipalName", "J1@CONTOSO.COM"),
            ],
            vec![
                user("J1"),
                user_with("J2", "userPrincipalName", "j2.login@contoso.com"),
            ],
        ),
        case(
            "SL802",
            vec![
                user_with("K1", "mail", "shared@contoso.com"),
                user_with("K2", "mail", "shared@contoso.com"),
            ],
            vec![
                user_with("K1", "mail", "shared1@contoso.com"),
                user_with("K2", "mail", "shared2@contoso.com"),
            ],
        ),
        case(
            "SL803",
            vec![
                user_proxy("L1", "smtp:shared@contoso.com"),
                user_proxy("L2", "SMTP:Shared@contoso.com"),
            ],
            vec![
                user_proxy("L1", "smtp:shared1@contoso.com"),
                user_proxy("L2", "smtp:shared2@contoso.com"),
                // Entra discards addresses in its initial domain (SL404): they never meet.
                user_proxy("L3", "smtp:shared@contoso.onmicrosoft.com"),
                user_proxy("L4", "smtp:SHARED@contoso.onmicrosoft.com"),
            ],
        ),
        case(
            "SL804",
            vec![
                user_proxy("M1", "X500:/o=Contoso/cn=shared"),
                user_proxy("M2", "x500:/O=CONTOSO/CN=SHARED"),
            ],
            vec![
                user_proxy("M1", "X500:/o=Contoso/cn=shared1"),
                user_proxy("M2", "X500:/o=Contoso/cn=shared2"),
                // Entra discards X400 values (SL405), so namesakes' equal ones never meet.
                user_proxy("M3", "X400:c=US;a= ;p=Contoso;o=Exchange;s=M;"),
                user_proxy("M4", "x400:C=US;A= ;P=Contoso;O=Exchange;S=M;"),
            ],
        ),
        case(
            "SL805",
            vec![
                contact_target("N1", "SMTP:shared@partner.example.net"),
                contact_target("N2", "smtp:SHARED@partner.example.net"),
            ],
            vec![
                contact_target("N1", "SMTP:shared1@partner.example.net"),
                contact_target("N2", "SMTP:shared2@partner.example.net"),
            ],
        ),
        case(
            "SL806",
            vec![user("O1"), user_with("O2", "mailNickname", "o1")],
            vec![user("O1"), user_with("O2", "mailNickname", "o1.2")],
        ),
        case(
            "SL807",
            vec![no_upn(user("P1"), "jdoe"), no_upn(user("P2"), "jdoe")],
            vec![no_upn(user("P1"), "jdoe"), no_upn(user("P2"), "jdoe2")],
        ),
        case(
            "SL851",
            vec![user("Q1"), user_proxy("Q2", "smtp:q1@contoso.com")],
            vec![user("Q1"), user_proxy("Q2", "smtp:q1.2@contoso.com")],
        ),
        case(
            "SL852",
            vec![
                user_with("R1", "mail", "r1.alias@contoso.com"),
                user_proxy("R2", "smtp:r1.alias@contoso.com"),
            ],
            vec![
                user_with("R1", "mail", "r1.alias@contoso.com"),
                user_proxy("R2", "smtp:r2.alias@contoso.com"),
            ],
        ),
        case(
            "SL853",
            vec![
                with(user("S1"), |o| {
                    o.set("mail", "team@contoso.com");
                }),
                group("Team", "team@contoso.com"),
            ],
            vec![
                with(user("S1"), |o| {
                    o.set("mail", "s1@contoso.com");
                }),
                group("Team", "team@contoso.com"),
            ],
        ),
        case(
            "SL901",
            vec![user_with("T1", "userPrincipalName", "t1.login@contoso.com")],
            vec![user_with("T1", "userPrincipalName", "T1@Contoso.com")],
        ),
        case(
            "SL902",
            vec![user_with("T2", "mail", "t2.other@contoso.com")],
            vec![user_with("T2", "mail", "T2@contoso.com")],
        ),
    ];
    cases
        .into_iter()
        .chain(tenant_cases())
        .chain(crate::engine_cases::cases())
        .chain(readiness)
        .chain(device_cases())
        .collect()
}

/// The Seamless SSO cases (SL1201–SL1210): whole domains, since the rules judge forests and
/// out-of-scope computer accounts.
fn readiness_cases() -> Vec<Case> {
    let dc = "DC=contoso,DC=com";
    vec![
        case(
            "SL1201",
            vec![
                domain_head(dc),
                computer("PC1", &format!("OU=Workstations,{dc}")),
            ],
            sso_domain(|_| {}),
        ),
        case(
            "SL1202",
            sso_domain(|o| {
                o.set("userAccountControl", "4098");
            }),
            sso_domain(|_| {}),
        ),
        case(
            "SL1203",
            sso_domain(|o| {
                o.set("pwdLastSet", days_before_export(31));
            }),
            sso_domain(|o| {
                o.set("pwdLastSet", days_before_export(30));
            }),
        ),
        case(
            "SL1204",
            sso_domain(|o| {
                o.set("msDS-SupportedEncryptionTypes", "4");
            }),
            sso_domain(|o| {
                o.set("msDS-SupportedEncryptionTypes", "28");
            }),
        ),
        case(
            "SL1205",
            sso_domain(|o| {
                o.attributes
                    .retain(|(n, _)| n != "msDS-SupportedEncryptionTypes");
            }),
            sso_domain(|o| {
                o.set("msDS-SupportedEncryptionTypes", "16");
            }),
        ),
        case(
            "SL1206",
            sso_domain(|o| {
                o.set("userAccountControl", (4096 | 0x8_0000).to_string());
            }),
            sso_domain(|o| {
                o.set("userAccountControl", (4096 | 0x1_0000).to_string());
            }),
        ),
        case(
            "SL1207",
            [
                sso_domain(|_| {}),
                vec![
                    domain_head("DC=emea,DC=contoso,DC=com"),
                    sso_account("DC=emea,DC=contoso,DC=com", |_| {}),
                ],
            ]
            .concat(),
            [
                sso_domain(|_| {}),
                vec![
                    domain_head("DC=fabrikam,DC=com"),
                    sso_account("DC=fabrikam,DC=com", |_| {}),
                ],
            ]
            .concat(),
        ),
        case(
            "SL1208",
            sso_domain(|o| moved(o, &format!("CN=AZUREADSSOACC,CN=Computers,{dc}"))),
            sso_domain(|o| moved(o, &format!("CN=AZUREADSSOACC,OU=Computers,{dc}"))),
        ),
        case(
            "SL1209",
            sso_domain(|o| {
                o.set("servicePrincipalName", "HOST/AZUREADSSOACC");
            }),
            sso_domain(|o| {
                o.set(
                    "servicePrincipalName",
                    "HTTP/autologon.microsoftazuread-sso.com",
                );
            }),
        ),
        case(
            "SL1210",
            sso_domain(|o| {
                o.set_binary("nTSecurityDescriptor", descriptor(false, Vec::new()));
            }),
            sso_domain(|o| {
                o.set_binary(
                    "nTSecurityDescriptor",
                    descriptor(false, vec![sd::protected_from_deletion()]),
                );
            }),
        ),
        case(
            "SL1221",
            configuration(|c| c.retain(|o| !o.dn.starts_with("CN=62a0"))),
            configuration(|_| {}),
        ),
        case(
            "SL1222",
            configuration(|c| {
                change(c, "CN=62a0", |o| {
                    o.set("keywords", "azureADId:contoso.onmicrosoft.com");
                    o.text("keywords", "azureADName:contoso.com");
                })
            }),
            configuration(|c| {
                change(c, "CN=62a0", |o| {
                    o.set("keywords", format!("AzureADId:{{{TENANT}}}"));
                    o.text("keywords", "azureADName:contoso.com");
                })
            }),
        ),
        case(
            "SL1223",
            configuration(|c| {
                c.push(scp_object(
                    "CN=Old Device Registration,CN=Services",
                    &[
                        "azureADId:00000000-0000-0000-0000-000000000001",
                        "azureADName:contoso.com",
                    ],
                ))
            }),
            configuration(|c| c.push(scp_object("CN=Print,CN=Services", &["printer", "floor 2"]))),
        ),
        case(
            "SL1224",
            configuration(|c| {
                change(c, "CN=Partitions", |o| {
                    o.set("msDS-Behavior-Version", "1");
                })
            }),
            configuration(|c| {
                change(c, "CN=Partitions", |o| {
                    o.set("msDS-Behavior-Version", "2");
                })
            }),
        ),
        case(
            "SL1225",
            configuration(|c| {
                change(c, "CN=CONTOSO", |o| {
                    o.set("nETBIOSName", "CON.TOSO");
                })
            }),
            configuration(|c| {
                change(c, "CN=CONTOSO", |o| {
                    o.set("nETBIOSName", "CON-TOSO");
                })
            }),
        ),
        case(
            "SL1226",
            configuration(|c| c.push(contoso_user("U1", "u1@fabrikam.com"))),
            configuration(|c| c.push(contoso_user("U1", "u1@Contoso.org"))),
        ),
        case(
            "SL1227",
            configuration(|c| {
                change(c, "CN=Partitions", |o| {
                    o.attributes.retain(|(n, _)| n != "msDS-EnabledFeature");
                })
            }),
            configuration(|_| {}),
        ),
    ]
}

/// The source anchor (immutableId) of `user(cn)`: base64 of its objectGUID.
fn anchor(cn: &str) -> String {
    use base64::Engine as _;
    let guid: Vec<u8> = cn.bytes().chain(std::iter::repeat(7)).take(16).collect();
    base64::engine::general_purpose::STANDARD.encode(guid)
}

/// `user(cn)` with objectSid S-1-5-21-11-22-33-`rid`.
fn user_sid(cn: &str, rid: u32) -> ExportObject {
    let mut sid = vec![1, 5, 0, 0, 0, 0, 0, 5, 21, 0, 0, 0];
    for sub in [11_u32, 22, 33, rid] {
        sid.extend(sub.to_le_bytes());
    }
    with(user(cn), |o| {
        o.binary("objectSid", sid);
    })
}

/// A case against a tenant: a Graph REST page of `records` (JSON objects), with the features
/// (soft match on UPN, takeover by hard match blocked) and the domains contoso.com (managed),
/// tailspintoys.com (federated), the initial contoso.onmicrosoft.com and the coexistence
/// domain contoso.mail.onmicrosoft.com.
fn tenant_case(
    code: &'static str,
    records: &str,
    positive: Vec<ExportObject>,
    negative: Vec<ExportObject>,
) -> Case {
    let users = format!(
        "{{\"@odata.context\":\"https://graph.microsoft.com/beta/$metadata#users\",\"value\":[\n{records}\n]}}"
    );
    let features = r#"{"Features":{"BlockSoftMatchEnabled":false,"BlockCloudObjectTakeoverThroughHardMatchEnabled":true,"SoftMatchOnUpnEnabled":true}}"#;
    let domains = r#"[{"Id":"contoso.com","IsVerified":true,"IsInitial":false,"AuthenticationType":"Managed"},
{"Id":"tailspintoys.com","IsVerified":true,"IsInitial":false,"AuthenticationType":"Federated"},
{"Id":"contoso.onmicrosoft.com","IsVerified":true,"IsInitial":true,"AuthenticationType":"Managed"},
{"Id":"contoso.mail.onmicrosoft.com","IsVerified":true,"IsInitial":false,"AuthenticationType":"Managed"}]"#;
    let tenant = synclint::tenant::read::read_texts(&[
        ("tenant.json", users.as_bytes()),
        ("features.json", features.as_bytes()),
        ("domains.json", domains.as_bytes()),
    ]);
    for input in &tenant.inputs {
        assert!(
            input.error.is_none() && input.rejected == 0,
            "{code}: {input:?}"
        );
    }
    Case {
        code,
        options: RuleOptions {
            tenant: Some(std::sync::Arc::new(tenant)),
            ..RuleOptions::default()
        },
        scope: ScopeOptions::default(),
        negative_scope: None,
        positive,
        negative,
    }
}

fn tenant_cases() -> Vec<Case> {
    vec![
        tenant_case(
            "SL1001",
            &format!(
                r#"{{"id":"c1","userPrincipalName":"prev.h1@contoso.onmicrosoft.com","onPremisesImmutableId":"{}","onPremisesSyncEnabled":true,"onPremisesObjectIdentifier":null}}"#,
                anchor("H1")
            ),
            vec![user("H1")],
            vec![user("H2")],
        ),
        tenant_case(
            "SL1002",
            r#"{"id":"c2","userPrincipalName":"s1.cloud@contoso.onmicrosoft.com","mail":"s1@contoso.com","proxyAddresses":["SMTP:s1@contoso.com"],"onPremisesImmutableId":null,"onPremisesSyncEnabled":null}"#,
            vec![user("S1")],
            vec![user("S2")],
        ),
        tenant_case(
            "SL1003",
            &format!(
                r#"{{"id":"c3","userPrincipalName":"restored.i1@contoso.onmicrosoft.com","onPremisesImmutableId":"{}","onPremisesSyncEnabled":null}}"#,
                anchor("I1")
            ),
            vec![user("I1")],
            vec![user("I2")],
        ),
        tenant_case(
            "SL1004",
            &format!(
                r#"{{"id":"c4","userPrincipalName":"moved.b1@contoso.onmicrosoft.com","onPremisesImmutableId":"{}","onPremisesSyncEnabled":true,"onPremisesObjectIdentifier":"00000000-1111-2222-3333-444444444444"}}"#,
                anchor("B1")
            ),
            vec![user("B1")],
            vec![user("B2")],
        ),
        tenant_case(
            "SL1005",
            &format!(
                r#"{{"id":"c5","userPrincipalName":"v1@contoso.com","onPremisesImmutableId":"{}","onPremisesSyncEnabled":true}}"#,
                anchor("Other")
            ),
            vec![user("V1")],
            vec![user("V2")],
        ),
        tenant_case(
            "SL1006",
            r##"{"@odata.type":"#microsoft.graph.group","id":"c6","displayName":"G1 team","mail":"g1@contoso.com","mailEnabled":true,"proxyAddresses":["SMTP:g1@contoso.com"]}"##,
            vec![user("G1")],
            vec![user("G2")],
        ),
        tenant_case(
            "SL1007",
            r#"{"id":"c7","userPrincipalName":"r1@contoso.com","onPremisesImmutableId":null,"onPremisesSyncEnabled":null},
{"role":"Global Administrator","principalId":"c7"}"#,
            vec![user("R1")],
            vec![user("R2")],
        ),
        tenant_case(
            "SL1008",
            r#"{"id":"c8","userPrincipalName":"u.other@contoso.onmicrosoft.com","mail":"u.other@contoso.com","proxyAddresses":["SMTP:u.other@contoso.com","smtp:u1.alt@contoso.com","smtp:u.other@contoso.onmicrosoft.com"],"onPremisesSyncEnabled":null}"#,
            vec![user_proxy("U1", "smtp:u1.alt@contoso.com")],
            // The cloud user's own onmicrosoft.com address, left on U1: Entra discards it
            // (SL404), so it meets nothing.
            vec![user_proxy("U1", "smtp:u.other@contoso.onmicrosoft.com")],
        ),
        tenant_case(
            "SL1009",
            &format!(
                r#"{{"id":"c9","userPrincipalName":"q.old@contoso.onmicrosoft.com","onPremisesImmutableId":"{}","onPremisesSyncEnabled":true,"onPremisesSecurityIdentifier":"S-1-5-21-11-22-33-1109"}}"#,
                anchor("Q0")
            ),
            vec![user_sid("Q1", 1109)],
            vec![user_sid("Q1", 1110)],
        ),
        tenant_case(
            "SL1010",
            r#"{"id":"c10","userPrincipalName":"m2@contoso.com","mail":"m1@contoso.com","proxyAddresses":["SMTP:m1@contoso.com"],"onPremisesImmutableId":null,"onPremisesSyncEnabled":null}"#,
            vec![user("M1"), user("M2")],
            vec![user("M1"), user("M3")],
        ),
        tenant_case(
            "SL1011",
            r#"{"id":"c11","userPrincipalName":"nobody@contoso.onmicrosoft.com"}"#,
            vec![user_with("D1", "userPrincipalName", "d1@fabrikam.com")],
            vec![user("D1")],
        ),
        tenant_case(
            "SL1012",
            r#"{"id":"c12","userPrincipalName":"nobody@contoso.onmicrosoft.com"}"#,
            vec![user_with("F1", "userPrincipalName", "f1@tailspintoys.com")],
            vec![user("F1")],
        ),
        tenant_case(
            "SL1013",
            r#"{"id":"c13","userPrincipalName":"nobody@contoso.onmicrosoft.com"}"#,
            vec![
                user_proxy("P1", "smtp:p1@fabrikam.com"),
                // Another tenant's coexistence address, left by a tenant-to-tenant move.
                user_proxy("P2", "smtp:p2@fabrikam.mail.onmicrosoft.com"),
            ],
            vec![
                user("P1"),
                // This tenant's coexistence address; an address in the initial domain is
                // SL404's (discarded), not an unverified one.
                user_proxy("P3", "smtp:p3@Contoso.mail.onmicrosoft.com"),
                user_proxy("P4", "smtp:p4@contoso.onmicrosoft.com"),
                user_proxy("P5", "smtp:p5@contoso.microsoftonline.com"),
            ],
        ),
    ]
}

/// A long value shown by its start and length, so snapshots stay readable.
fn shown(value: &str) -> String {
    let n = value.chars().count();
    if n <= 72 {
        format!("{value:?}")
    } else {
        let start: String = value.chars().take(24).collect();
        format!("{start:?}… ({n} characters)")
    }
}

/// Every finding of a run, one line each: the object's cn, code, attribute, value,
/// suggestion, recommendation, group and note.
fn render(r: &Run) -> String {
    let mut text = String::new();
    for f in &r.findings {
        let cn = r.dir.text(Attr::Cn, f.row as usize).unwrap_or("?");
        let _ = write!(
            text,
            "{cn}: {} {} = {}",
            f.rule.code,
            f.attribute,
            shown(f.value(&r.dir))
        );
        if let Some(s) = f.suggested() {
            let _ = write!(text, " -> {}", shown(s));
        }
        let _ = write!(text, " [{}]", f.recommendation());
        if let Some(g) = f.group() {
            let _ = write!(text, " group {g}");
        }
        let note = r.findings.note(&r.dir, f);
        if !note.is_empty() {
            let _ = write!(text, "; {note}");
        }
        text.push('\n');
    }
    if text.is_empty() {
        text.push_str("(no findings)\n");
    }
    text
}

/// A Windows computer for the hybrid join cases, on `os` `version`, with `certs` (DER).
fn hj_computer(cn: &str, os: &str, version: &str, certs: Vec<Vec<u8>>) -> ExportObject {
    with(computer(cn, "OU=Workstations,DC=contoso,DC=com"), |o| {
        o.text("operatingSystem", os)
            .text("operatingSystemVersion", version)
            .text("lastLogonTimestamp", days_before_export(1));
        for c in certs {
            o.binary("userCertificate", c);
        }
    })
}

/// The join certificate of computer `cn` (subject CN={its objectGUID}), valid until
/// `expires` (Unix seconds).
fn join_certificate(cn: &str, expires: i64) -> Vec<u8> {
    let guid: Vec<u8> = cn.bytes().chain(std::iter::repeat(5)).take(16).collect();
    let guid: [u8; 16] = guid.try_into().unwrap();
    let subject = format!("{{{}}}", synclint::hex::format_guid(&guid));
    synclint::generate::devices::certificate(&subject, EXPORT_SECONDS - 100 * 86_400, expires, 1)
}

fn windows11(cn: &str, certs: Vec<Vec<u8>>) -> ExportObject {
    hj_computer(cn, "Windows 11 Enterprise", "10.0 (22631)", certs)
}

fn valid(cn: &str) -> Vec<Vec<u8>> {
    vec![join_certificate(cn, EXPORT_SECONDS + 365 * 86_400)]
}

/// A user of the password cases (in `DC=corp,DC=contoso,DC=com`), changed by `f`.
fn pw_user(cn: &str, f: impl FnOnce(&mut ExportObject)) -> ExportObject {
    with(user(cn), |o| {
        o.text("whenChanged", EXPORT_TIME)
            .set("pwdLastSet", days_before_export(1));
        f(o);
    })
}

/// A domain head with a password policy: minimum and maximum age in days (AD's negative
/// 100-ns intervals).
fn policy_head(min_days: i64, max_days: i64) -> ExportObject {
    with(domain_head("DC=corp,DC=contoso,DC=com"), |o| {
        o.text("minPwdAge", (-min_days * 864_000_000_000).to_string())
            .text("maxPwdAge", (-max_days * 864_000_000_000).to_string());
    })
}

/// A user's security descriptor: the ACEs an ordinary user has, `extra` ACEs, and the DACL
/// protected (inheritance disabled) or not.
fn descriptor(protected: bool, extra: Vec<sd::Ace<'static>>) -> Vec<u8> {
    let mut aces = sd::ordinary_aces();
    aces.extend(extra);
    sd::descriptor(protected, &aces)
}

/// The hybrid join and password cases (SL1251–SL1354).
fn device_cases() -> Vec<Case> {
    let when = |mut o: ExportObject| {
        o.set("whenChanged", EXPORT_TIME);
        o
    };
    let set = |o: ExportObject, name: &'static str, value: String| {
        with(o, move |o| {
            o.set(name, value);
        })
    };
    vec![
        case(
            "SL1251",
            vec![hj_computer(
                "W7",
                "Windows 7 Professional",
                "6.1 (7601)",
                vec![],
            )],
            vec![hj_computer(
                "W7",
                "Windows 10 Enterprise",
                "10.0 (10586)",
                valid("W7"),
            )],
        ),
        case(
            "SL1252",
            vec![hj_computer(
                "W10",
                "Windows 10 Enterprise",
                "10.0 (19040)",
                valid("W10"),
            )],
            vec![hj_computer(
                "W10",
                "Windows 10 Enterprise",
                "10.0 (19041)",
                valid("W10"),
            )],
        ),
        case(
            "SL1253",
            vec![hj_computer("MAC", "Mac OS X", "10.15", vec![])],
            vec![windows11("MAC", valid("MAC"))],
        ),
        case(
            "SL1254",
            vec![set(
                hj_computer(
                    "DC1",
                    "Windows Server 2019 Datacenter",
                    "10.0 (17763)",
                    vec![],
                ),
                "userAccountControl",
                "532480".into(),
            )],
            vec![windows11("DC1", valid("DC1"))],
        ),
        case(
            "SL1255",
            vec![windows11("NEW", vec![])],
            vec![windows11("NEW", valid("NEW"))],
        ),
        case(
            "SL1256",
            vec![windows11(
                "EXP",
                vec![join_certificate("EXP", EXPORT_SECONDS - 1)],
            )],
            vec![windows11(
                "EXP",
                vec![join_certificate("EXP", EXPORT_SECONDS + 86_400)],
            )],
        ),
        case(
            "SL1257",
            vec![windows11(
                "CA",
                vec![synclint::generate::devices::certificate(
                    "ca.contoso.com",
                    EXPORT_SECONDS - 86_400,
                    EXPORT_SECONDS + 86_400,
                    2,
                )],
            )],
            vec![windows11("CA", valid("CA"))],
        ),
        case(
            "SL1258",
            vec![windows11(
                "BAD",
                [valid("BAD"), vec![b"not a certificate".to_vec()]].concat(),
            )],
            vec![windows11("BAD", valid("BAD"))],
        ),
        case(
            "SL1259",
            vec![set(
                windows11("OLD", valid("OLD")),
                "lastLogonTimestamp",
                days_before_export(91),
            )],
            vec![set(
                windows11("OLD", valid("OLD")),
                "lastLogonTimestamp",
                days_before_export(90),
            )],
        ),
        case(
            "SL1260",
            vec![set(
                windows11("OFF", valid("OFF")),
                "userAccountControl",
                "4098".into(),
            )],
            vec![set(
                windows11("OFF", vec![]),
                "userAccountControl",
                "4098".into(),
            )],
        ),
        case(
            "SL1301",
            vec![pw_user("P1", |o| {
                o.set("pwdLastSet", "0");
            })],
            vec![pw_user("P1", |_| {})],
        ),
        case(
            "SL1302",
            vec![
                policy_head(0, 42),
                pw_user("P2", |o| {
                    o.set("pwdLastSet", days_before_export(43));
                }),
            ],
            vec![
                policy_head(0, 42),
                pw_user("P2", |o| {
                    o.set("pwdLastSet", days_before_export(41));
                }),
            ],
        ),
        case(
            "SL1303",
            vec![pw_user("P3", |o| {
                o.set("accountExpires", days_before_export(1));
            })],
            vec![pw_user("P3", |o| {
                o.set("accountExpires", days_before_export(-1));
            })],
        ),
        case(
            "SL1304",
            vec![pw_user("P4", |o| {
                o.text("objectClass", "inetOrgPerson");
            })],
            vec![pw_user("P4", |_| {})],
        ),
        case(
            "SL1351",
            vec![when(policy_head(1, 42))],
            vec![when(policy_head(0, 42))],
        ),
        case(
            "SL1352",
            vec![pw_user("P5", |o| {
                o.set("adminCount", "1");
            })],
            vec![pw_user("P5", |o| {
                o.set("adminCount", "0");
            })],
        ),
        case(
            "SL1353",
            vec![pw_user("P6", |o| {
                o.set_binary("nTSecurityDescriptor", descriptor(true, Vec::new()));
            })],
            vec![pw_user("P6", |o| {
                o.set_binary("nTSecurityDescriptor", descriptor(false, Vec::new()));
            })],
        ),
        case(
            "SL1354",
            vec![pw_user("P7", |o| {
                o.set_binary(
                    "nTSecurityDescriptor",
                    descriptor(false, sd::cannot_change_password()),
                );
            })],
            vec![pw_user("P7", |o| {
                o.set_binary("nTSecurityDescriptor", descriptor(false, Vec::new()));
            })],
        ),
    ]
}

fn analyze(objects: &[ExportObject], options: &RuleOptions, scope: &ScopeOptions) -> Run {
    run_with(objects, options.clone(), scope.clone())
}

#[test]
fn every_rule_has_a_positive_and_a_negative_case() {
    let cases = all_cases();
    let covered: Vec<&str> = cases.iter().map(|c| c.code).collect();
    for rule in RULES {
        assert_eq!(
            covered.iter().filter(|c| **c == rule.code).count(),
            1,
            "{} needs exactly one case",
            rule.code
        );
    }
    assert_eq!(
        cases.len(),
        RULES.len(),
        "a case for a rule that is not registered"
    );
    for c in &cases {
        assert!(
            !c.positive.is_empty() && !c.negative.is_empty(),
            "{}",
            c.code
        );
    }
}

#[test]
fn each_rule_fires_on_its_positive_case_and_not_on_its_negative_case() {
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_snapshot_path("snapshots");
    settings.set_omit_expression(true);
    settings.bind(|| {
        for c in all_cases() {
            let positive = analyze(&c.positive, &c.options, &c.scope);
            let negative = analyze(
                &c.negative,
                &c.options,
                c.negative_scope.as_ref().unwrap_or(&c.scope),
            );
            // Readiness rules judge out-of-scope objects too (computer accounts, the
            // configuration partition).
            let readiness = synclint::rules::registry::find(c.code)
                .is_some_and(|r| r.class == synclint::findings::Class::Readiness);
            let scoped = |r: &Run| readiness || r.scope.analyzed() == r.dir.len() as u64;
            assert!(
                scoped(&positive) && scoped(&negative),
                "{}: out of scope",
                c.code
            );
            assert!(
                positive.findings.iter().any(|f| f.rule.code == c.code),
                "{} not raised by its positive case:\n{}",
                c.code,
                render(&positive)
            );
            assert!(
                negative.findings.iter().all(|f| f.rule.code != c.code),
                "{} raised by its negative case:\n{}",
                c.code,
                render(&negative)
            );
            // The engine is named when it is not the default, so older snapshots stand.
            let engine = match c.options.engine {
                synclint::anchor::Engine::Connect => String::new(),
                other => format!("engine: {}\n", other.name()),
            };
            let text = format!(
                "profile: {}\n{engine}\npositive:\n{}\nnegative:\n{}",
                c.options.profile.name(),
                render(&positive),
                render(&negative)
            );
            insta::assert_snapshot!(c.code, text);
        }
    });
}

#[test]
fn docs_rules_md_is_the_generated_reference() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/rules.md");
    let committed = std::fs::read_to_string(&path).expect("docs/rules.md");
    let generated = synclint::rules::docs::markdown();
    assert!(
        committed.replace("\r\n", "\n") == generated,
        "docs/rules.md is stale: run `synclint rules --markdown > docs/rules.md`"
    );
    // Every rule documented, every source a public link, no private reference left.
    for rule in RULES {
        assert!(committed.contains(&format!("### {} {}", rule.code, rule.slug)));
        for s in rule.sources {
            assert!(s.url.starts_with("https://"), "{}: {}", rule.code, s.url);
        }
    }
    assert!(!committed.contains("sync-rules.md") && !committed.contains('§'));
}
