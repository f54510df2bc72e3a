//! The positive and negative cases of the engine and source-anchor rules (SL1101–SL1199),
//! run by rule_cases.rs with the others. Each case runs under the engine its rule is for.

use crate::rule_cases::{case, Case};
use crate::rules::{group, user, with};
use synclint::anchor::Engine;
use synclint::generate::writer::ExportObject;
use synclint::scope::ScopeOptions;

fn cloud(mut c: Case) -> Case {
    c.options.engine = Engine::CloudSync;
    c
}

/// The objectGUID `rules::user` gives the user `cn`.
fn guid_of(cn: &str) -> Vec<u8> {
    cn.bytes().chain(std::iter::repeat(7)).take(16).collect()
}

fn group_guid_of(cn: &str) -> Vec<u8> {
    cn.bytes().chain(std::iter::repeat(9)).take(16).collect()
}

fn anchored(cn: &str, cg: Vec<u8>) -> ExportObject {
    with(user(cn), |o| {
        o.binary("mS-DS-ConsistencyGuid", cg);
    })
}

fn sid(rid: u32) -> Vec<u8> {
    let mut s = vec![1, 5, 0, 0, 0, 0, 0, 5, 21, 0, 0, 0];
    for sub in [11_u32, 22, 33, rid] {
        s.extend(sub.to_le_bytes());
    }
    s
}

/// `user` moved to another domain (`DC=…` replaced).
fn in_domain(o: ExportObject, domain: &str) -> ExportObject {
    let mut o = o;
    o.dn = o.dn.replace("DC=corp,DC=contoso,DC=com", domain);
    o
}

fn with_exchange(o: ExportObject) -> ExportObject {
    with(o, |o| {
        o.text("msExchRecipientTypeDetails", "1");
    })
}

/// `n` clean users (of corp.contoso.com).
fn users(n: usize) -> Vec<ExportObject> {
    (0..n)
        .map(|i| with_exchange(user(&format!("P{i}"))))
        .collect()
}

fn big_group(cn: &str, n: usize) -> ExportObject {
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

fn scoped(mut c: Case, scope: ScopeOptions) -> Case {
    c.scope = scope;
    c
}

pub(crate) fn cases() -> Vec<Case> {
    let ous = |n: usize| ScopeOptions {
        include_ou: (0..n)
            .map(|i| format!("OU=Site{i},DC=corp,DC=contoso,DC=com"))
            .collect(),
        ..ScopeOptions::default()
    };
    let in_site0 = |o: ExportObject| {
        let mut o = o;
        o.dn = o.dn.replace("OU=Staff", "OU=Site0");
        o
    };
    let pilot = ScopeOptions {
        include_group: vec!["CN=Pilot,OU=Groups,DC=corp,DC=contoso,DC=com".into()],
        ..ScopeOptions::default()
    };
    vec![
        case(
            "SL1101",
            vec![anchored("K1", guid_of("K1"))],
            vec![user("K1")],
        ),
        case(
            "SL1102",
            vec![anchored("K2", guid_of("other object"))],
            vec![anchored("K2", guid_of("K2"))],
        ),
        case(
            "SL1103",
            vec![
                anchored("K3", guid_of("shared")),
                in_domain(anchored("K3b", guid_of("shared")), "DC=fabrikam,DC=com"),
            ],
            vec![
                anchored("K3", guid_of("K3")),
                in_domain(anchored("K3b", guid_of("K3b")), "DC=fabrikam,DC=com"),
            ],
        ),
        case(
            "SL1104",
            vec![anchored("K4", vec![1, 2, 3, 4, 5, 6, 7, 8, 9, 10])],
            vec![anchored("K4", guid_of("K4"))],
        ),
        case(
            "SL1105",
            vec![with(group("K5", "k5@contoso.com"), |o| {
                o.binary("mS-DS-ConsistencyGuid", group_guid_of("another"));
            })],
            vec![with(group("K5", "k5@contoso.com"), |o| {
                o.binary("mS-DS-ConsistencyGuid", group_guid_of("K5"));
            })],
        ),
        case(
            "SL1106",
            vec![
                with(user("K6"), |o| {
                    o.binary("objectSid", sid(1104));
                }),
                with(user("K6b"), |o| {
                    o.binary("objectSid", sid(1104));
                }),
            ],
            vec![
                with(user("K6"), |o| {
                    o.binary("objectSid", sid(1104));
                }),
                with(user("K6b"), |o| {
                    o.binary("objectSid", sid(1105));
                }),
            ],
        ),
        cloud(case(
            "SL1107",
            vec![with_exchange(with(user("MSOL_0a1b2c"), |o| {
                o.set("sAMAccountName", "MSOL_0a1b2c");
            }))],
            vec![with_exchange(user("K7"))],
        )),
        cloud(case("SL1108", users(135_000), users(134_999))),
        cloud(case("SL1109", users(150_001), users(150_000))),
        cloud(case(
            "SL1110",
            vec![with_exchange(big_group("K10", 50_001))],
            vec![with_exchange(big_group("K10", 50_000))],
        )),
        cloud(case(
            "SL1111",
            vec![with_exchange(with(group("K11", "k11@contoso.com"), |o| {
                for i in 0..3 {
                    o.text(
                        "member;range=0-1499",
                        format!("CN=m{i},DC=corp,DC=contoso,DC=com"),
                    );
                }
            }))],
            vec![with_exchange(with(group("K11", "k11@contoso.com"), |o| {
                for i in 0..3 {
                    o.text(
                        "member;range=0-*",
                        format!("CN=m{i},DC=corp,DC=contoso,DC=com"),
                    );
                }
            }))],
        )),
        negative_scope(
            scoped(
                cloud(case(
                    "SL1112",
                    vec![in_site0(with_exchange(user("K12")))],
                    vec![in_site0(with_exchange(user("K12")))],
                )),
                ous(51),
            ),
            ous(50),
        ),
        scoped(
            cloud(case(
                "SL1113",
                vec![with_exchange(big_group("Pilot", 50_001))],
                vec![with_exchange(big_group("Pilot", 50_000))],
            )),
            pilot,
        ),
        cloud(case(
            "SL1114",
            vec![
                with_exchange(user("K14")),
                // The same person, another object (its own objectGUID) in the other forest.
                in_domain(
                    with_exchange(with(user("K14"), |o| {
                        o.set_binary("objectGUID", guid_of("K14 in fabrikam"));
                    })),
                    "DC=fabrikam,DC=com",
                ),
            ],
            vec![
                with_exchange(user("K14")),
                in_domain(with_exchange(user("K14b")), "DC=fabrikam,DC=com"),
            ],
        )),
        cloud(case(
            "SL1115",
            vec![
                with_exchange(user("K15")),
                in_domain(
                    crate::rules::contact("K15 (GAL)", "K15@contoso.com"),
                    "DC=fabrikam,DC=com",
                ),
            ],
            vec![
                with_exchange(user("K15")),
                in_domain(
                    crate::rules::contact("K15 (GAL)", "k15@fabrikam.com"),
                    "DC=fabrikam,DC=com",
                ),
            ],
        )),
        cloud(case(
            "SL1116",
            vec![in_domain(
                with_exchange(with(user("K16"), |o| {
                    o.text("manager", "CN=Boss,OU=Staff,DC=corp,DC=contoso,DC=com");
                })),
                "DC=fabrikam,DC=com",
            )],
            vec![in_domain(
                with_exchange(with(user("K16"), |o| {
                    o.text("manager", "CN=Boss,OU=Staff,DC=corp,DC=contoso,DC=com");
                })),
                "DC=emea,DC=contoso,DC=com",
            )],
        )),
        cloud(case(
            "SL1118",
            vec![user("K18")],
            vec![with_exchange(user("K18"))],
        )),
    ]
}

/// The negative case runs with other scope options (when the limit is in the options).
fn negative_scope(mut c: Case, scope: ScopeOptions) -> Case {
    c.negative_scope = Some(scope);
    c
}
