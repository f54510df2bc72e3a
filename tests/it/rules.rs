//! The rule engine: every rule positive and negative, IdFix's verdicts and where synclint
//! deliberately differs, duplicate and collision counts against an
//! independent count, and hostile values.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use synclint::directory::Directory;
use synclint::findings::{Action, Finding};
use synclint::generate::writer::{ldif_file, ExportObject, ExportValue, LdifStyle};
use synclint::ingest::{ldif, table::TableSink};
use synclint::rules::uniqueness::Summary;
use synclint::rules::{self, Profile, RuleOptions};
use synclint::scope::{self, Scope, ScopeOptions};

pub struct Run {
    pub dir: Directory,
    pub scope: Scope,
    pub findings: synclint::findings::FindingList,
    pub summary: Summary,
}

impl Run {
    /// Rule codes reported for the object with this cn.
    pub fn codes(&self, cn: &str) -> Vec<&'static str> {
        let mut codes: Vec<&str> = self
            .findings
            .iter()
            .filter(|f| self.dir.text(synclint::directory::Attr::Cn, f.row as usize) == Some(cn))
            .map(|f| f.rule.code)
            .collect();
        codes.sort_unstable();
        codes
    }

    /// The values of the findings of rule `code`, in the findings' order.
    pub fn values(&self, code: &str) -> Vec<&str> {
        self.findings
            .iter()
            .filter(|f| f.rule.code == code)
            .map(|f| f.value(&self.dir))
            .collect()
    }

    pub fn finding(&self, code: &str) -> &Finding {
        self.findings
            .iter()
            .find(|f| f.rule.code == code)
            .unwrap_or_else(|| panic!("no {code}"))
    }

    pub fn reason(&self, cn: &str) -> Option<&str> {
        let row = (0..self.dir.len())
            .find(|r| self.dir.text(synclint::directory::Attr::Cn, *r) == Some(cn))?;
        self.scope.reason(row)
    }
}

pub fn run_with(
    objects: &[ExportObject],
    options: RuleOptions,
    scope_options: ScopeOptions,
) -> Run {
    let text = ldif_file(objects, &LdifStyle::default());
    let mut sink = TableSink::new(0);
    ldif::scan(text.as_bytes(), 1, &mut sink);
    let (mut dir, stats) = sink.finish();
    assert!(stats.rejections.is_empty(), "{:?}", stats.rejections);
    dir.sources.push("test.ldf".into());
    // One engine for the scope and the rules, as analyze::check does.
    let scope_options = ScopeOptions {
        engine: options.engine,
        ..scope_options
    };
    let scope = scope::decide(&dir, &scope_options, options.profile);
    let analysis = rules::run(&dir, &scope, &options);
    Run {
        dir,
        scope,
        findings: analysis.findings,
        summary: analysis.uniqueness,
    }
}

pub fn run(objects: &[ExportObject]) -> Run {
    run_with(objects, RuleOptions::default(), ScopeOptions::default())
}

pub fn profile(objects: &[ExportObject], profile: Profile) -> Run {
    run_with(
        objects,
        RuleOptions {
            profile,
            ..RuleOptions::default()
        },
        ScopeOptions::default(),
    )
}

/// A user Entra Connect syncs without complaint.
pub fn user(cn: &str) -> ExportObject {
    let alias = cn.to_lowercase().replace(' ', ".");
    let mut o = ExportObject::new(format!("CN={cn},OU=Staff,DC=corp,DC=contoso,DC=com"));
    for c in ["top", "person", "organizationalPerson", "user"] {
        o.text("objectClass", c);
    }
    let guid: Vec<u8> = cn.bytes().chain(std::iter::repeat(7)).take(16).collect();
    o.text("cn", cn)
        .text("displayName", cn)
        .text("givenName", cn.split(' ').next().unwrap_or(cn))
        .text("sn", cn.split(' ').next_back().unwrap_or(cn))
        .binary("objectGUID", guid)
        .text("userAccountControl", "512")
        .text(
            "sAMAccountName",
            alias.replace('.', "").chars().take(20).collect::<String>(),
        )
        .text("userPrincipalName", format!("{alias}@contoso.com"))
        .text("mail", format!("{alias}@contoso.com"))
        .text("mailNickname", alias.clone())
        .text("proxyAddresses", format!("SMTP:{alias}@contoso.com"));
    o
}

pub fn group(cn: &str, address: &str) -> ExportObject {
    let mut o = ExportObject::new(format!("CN={cn},OU=Groups,DC=corp,DC=contoso,DC=com"));
    o.text("objectClass", "top").text("objectClass", "group");
    let guid: Vec<u8> = cn.bytes().chain(std::iter::repeat(9)).take(16).collect();
    o.text("cn", cn)
        .binary("objectGUID", guid)
        .text("groupType", "8")
        .text("sAMAccountName", cn.replace(' ', ""))
        .text("mail", address)
        .text("mailNickname", cn.to_lowercase().replace(' ', ""))
        .text("proxyAddresses", format!("SMTP:{address}"));
    o
}

pub fn contact(cn: &str, address: &str) -> ExportObject {
    let mut o = ExportObject::new(format!("CN={cn},OU=Contacts,DC=corp,DC=contoso,DC=com"));
    for c in ["top", "person", "organizationalPerson", "contact"] {
        o.text("objectClass", c);
    }
    o.text("cn", cn)
        .text("displayName", cn)
        .text("mail", address)
        .text("mailNickname", cn.to_lowercase().replace(' ', ""))
        .text("proxyAddresses", format!("SMTP:{address}"))
        .text("targetAddress", format!("SMTP:{address}"));
    o
}

pub fn with(mut o: ExportObject, f: impl FnOnce(&mut ExportObject)) -> ExportObject {
    f(&mut o);
    o
}

#[test]
fn valid_objects_have_no_findings() {
    let r = run(&[
        user("Valid User"),
        group("All Staff", "staff@contoso.com"),
        contact("Dee Partner", "dee@partner.example.net"),
    ]);
    assert_eq!(r.scope.analyzed(), 3);
    assert!(
        r.findings.is_empty(),
        "{:?}",
        r.findings
            .iter()
            .map(|f| (f.rule.code, f.value(&r.dir)))
            .collect::<Vec<_>>()
    );
}

#[test]
fn unverified_suffix_and_suffix_map() {
    let objects = [
        with(user("V1"), |o| {
            o.set("userPrincipalName", "v1@fabrikam.com");
        }),
        with(user("V2"), |o| {
            o.set("userPrincipalName", "v2@contoso.local");
        }),
    ];
    let options = RuleOptions {
        verified_domains: Some(HashSet::from(["contoso.com".to_string()])),
        suffix_map: vec![("contoso.local".into(), "contoso.com".into())],
        ..RuleOptions::default()
    };
    let r = run_with(&objects, options, ScopeOptions::default());
    assert!(r.codes("V1").contains(&"SL105"));
    assert!(!r.codes("Valid User").contains(&"SL105"));
    let v2 = r.findings.iter().find(|f| f.rule.code == "SL104").unwrap();
    assert_eq!(v2.suggested(), Some("v2@contoso.com"));
    // Without the map, the user's primary SMTP address (a valid UPN no one else holds) is the
    // suggestion; without that either, nothing can be suggested for a suffix.
    let r = run(&objects[1..]);
    assert_eq!(r.finding("SL104").suggested(), Some("v2@contoso.com"));
    let no_mailbox = with(objects[1].clone(), |o| {
        o.attributes.retain(|(n, _)| n != "proxyAddresses");
    });
    let r = run(&[no_mailbox]);
    assert_eq!(r.finding("SL104").suggested(), None);
}

#[test]
fn dedicated_profile_rules() {
    let objects = [
        with(user("P1"), |o| {
            o.set("displayName", " P1 ");
        }),
        with(user("P2"), |o| {
            o.set("mailNickname", "p2.");
        }),
        with(contact("P3", "p3@partner.example.net"), |o| {
            o.attributes.retain(|(n, _)| n != "targetAddress");
        }),
        with(user("P4"), |o| {
            o.set("mailNickname", "p'4");
        }),
    ];
    let r = profile(&objects, Profile::IdfixDedicated);
    assert!(r.codes("P1").contains(&"SL605"));
    // IdFix's own Dedicated periods rule never reports; synclint's does.
    assert!(r.codes("P2").contains(&"SL303"));
    assert!(r.codes("P3").contains(&"SL653"));
    assert!(
        r.codes("P4").contains(&"SL301"),
        "Dedicated forbids the apostrophe in aliases"
    );
    let entra = run(&objects);
    assert!(
        !entra.codes("P1").contains(&"SL605"),
        "Connect trims, so Entra does not report it"
    );
    assert!(
        !entra.codes("P4").contains(&"SL301"),
        "Exchange allows ' in aliases"
    );
}

/// Where synclint agrees with IdFix and where it deliberately differs.
#[test]
fn idfix_verdicts_and_deliberate_differences() {
    let objects = [
        // IdFix flags the apostrophe in UPNs; Entra allows it.
        with(user("Q1"), |o| {
            o.set("userPrincipalName", "o'brien@contoso.com");
        }),
        // $ and ` are outside the whitelist; IdFix lets them through.
        with(user("Q2"), |o| {
            o.set("userPrincipalName", "q$2@contoso.com");
        }),
        // IdFix's stale list lacks .app and caps TLDs at 17 letters.
        with(user("Q3"), |o| {
            o.set("userPrincipalName", "q3@contoso.app");
        }),
        with(user("Q4"), |o| {
            o.set("userPrincipalName", "q4@contoso.xn--vermgensberatung-pwb");
        }),
        // IdFix checks only 113 in all; Entra also 64 before '@'.
        with(user("Q5"), |o| {
            o.set(
                "userPrincipalName",
                format!("{}@contoso.com", "q".repeat(65)),
            );
        }),
        // an inetOrgPerson is a user: 20-character sAMAccountName limit.
        with(user("Q6"), |o| {
            o.text("objectClass", "inetOrgPerson");
            o.set("sAMAccountName", "q".repeat(21));
        }),
        // IdFix's 255/63/255 limits are one short of the documented 256/64/256.
        with(user("Q7"), |o| {
            o.set("displayName", "q".repeat(256));
            o.set("givenName", "q".repeat(64));
        }),
        // an absent displayName is IdFix noise (Connect uses cn).
        with(user("Q8"), |o| {
            o.attributes.retain(|(n, _)| n != "displayName");
        }),
        // the apostrophe in sAMAccountName, missing from IdFix's regex.
        with(user("Q9"), |o| {
            o.set("sAMAccountName", "q'9");
        }),
        // mailNickname with a leading period: both flag it.
        with(user("Q10"), |o| {
            o.set("mailNickname", ".q10");
        }),
        // IdFix 2.6: the apostrophe is allowed in smtp proxies.
        with(user("Q11"), |o| {
            o.text("proxyAddresses", "smtp:o'q11@contoso.com");
        }),
        // IdFix skips real people whose cn starts with "Guest".
        with(user("Guest Services"), |_| {}),
    ];
    let r = run(&objects);
    assert!(!r.codes("Q1").contains(&"SL101"));
    assert!(r.codes("Q2").contains(&"SL101"));
    assert!(!r.codes("Q3").contains(&"SL104"));
    assert!(!r.codes("Q4").contains(&"SL104"));
    assert!(r.codes("Q5").contains(&"SL102"));
    assert!(r.codes("Q6").contains(&"SL502"));
    assert!(r.codes("Q7").is_empty(), "{:?}", r.codes("Q7"));
    assert!(r.codes("Q8").is_empty(), "{:?}", r.codes("Q8"));
    assert!(r.codes("Q9").contains(&"SL501"));
    assert!(r.codes("Q10").contains(&"SL303"));
    assert!(r.codes("Q11").is_empty(), "{:?}", r.codes("Q11"));
    assert_eq!(r.reason("Guest Services"), None, "a real user is analyzed");
    // msExchRecipientTypeDetails arrives in decimal; Connect's bitmask still excludes it.
    let mailbox = with(user("SystemMailbox"), |o| {
        o.text("msExchRecipientTypeDetails", "8388608");
    });
    assert!(run(&[mailbox])
        .reason("SystemMailbox")
        .unwrap()
        .contains("recipient type"));
}

#[test]
fn scope_rules_keep_their_reasons() {
    let objects = [
        with(user("S1"), |o| {
            o.text("isCriticalSystemObject", "TRUE");
        }),
        with(user("S2"), |o| {
            o.attributes.retain(|(n, _)| n != "objectGUID");
        }),
        with(user("S3"), |o| {
            o.attributes.retain(|(n, _)| n != "sAMAccountName");
        }),
        with(user("S4"), |o| {
            o.set("sAMAccountName", "MSOL_0123abcd");
        }),
        with(
            ExportObject::new("CN=S5\\0ACNF:1234,OU=Staff,DC=corp,DC=contoso,DC=com"),
            |o| {
                o.text("objectClass", "user")
                    .text("cn", "S5")
                    .binary("objectGUID", vec![5; 16])
                    .text("sAMAccountName", "s5");
            },
        ),
        with(contact("S6", "s6@x.com"), |o| {
            o.attributes.retain(|(n, _)| n != "mail");
        }),
        with(group("S7", "s7@contoso.com"), |o| {
            o.attributes
                .retain(|(n, _)| n != "mail" && n != "proxyAddresses");
        }),
        with(
            ExportObject::new("CN=WS1,OU=Computers,DC=corp,DC=contoso,DC=com"),
            |o| {
                o.text("objectClass", "computer")
                    .text("cn", "WS1")
                    .binary("objectGUID", vec![8; 16]);
            },
        ),
        user("S9"),
        user("S9"), // the same object read twice
    ];
    let r = run_with(&objects, RuleOptions::default(), ScopeOptions::default());
    let reasons: Vec<Option<&str>> = ["S1", "S2", "S3", "S4", "S5", "S6", "S7", "WS1"]
        .iter()
        .map(|cn| r.reason(cn))
        .collect();
    for (cn, reason) in ["S1", "S2", "S3", "S4", "S5", "S6", "S7", "WS1"]
        .iter()
        .zip(&reasons)
    {
        assert!(reason.is_some(), "{cn} should be out of scope");
    }
    assert!(reasons[4].unwrap().contains("CNF"));
    assert_eq!(r.scope.analyzed(), 1);
    assert!(r
        .scope
        .reason(9)
        .unwrap()
        .contains("same object as test.ldf:"));
    assert!(
        r.findings.iter().all(|f| f.rule.code != "SL801"),
        "an object is never its own duplicate"
    );
    // OU filtering.
    let objects = [
        user("O1"),
        with(user("O2"), |o| {
            o.dn = "CN=O2,OU=Disabled,DC=corp,DC=contoso,DC=com".into();
        }),
    ];
    let r = run_with(
        &objects,
        RuleOptions::default(),
        ScopeOptions {
            exclude_ou: vec!["ou=disabled,dc=corp,dc=contoso,dc=com".into()],
            ..ScopeOptions::default()
        },
    );
    assert!(r.reason("O2").unwrap().contains("exclude-ou"));
    assert_eq!(r.reason("O1"), None);
}

/// An object read twice is one object: the same objectGUID, or without one the same DN
/// (compared normalized), whatever rows lie between. Among thousands of objects (the rows are
/// grouped by a hash of their key in parallel), every later copy names the first copy, and
/// nothing else is taken for a copy.
#[test]
fn objects_read_twice_are_told_by_guid_else_by_normalized_dn() {
    let no_guid = |dn: &str| {
        with(user("Unused"), |o| {
            o.dn = dn.into();
            o.attributes.retain(|(n, _)| n != "objectGUID");
        })
    };
    let mut objects: Vec<ExportObject> = (0..3000).map(|i| user(&format!("U{i}"))).collect();
    objects.push(user("U10")); // the same DN and GUID again
    objects.insert(500, user("U2000")); // a copy before the object's first read in file order
    objects.push(user("U2000"));
    objects.push(with(user("U42"), |o| {
        o.dn = "CN=U42,OU=Moved,DC=corp,DC=contoso,DC=com".into(); // moved: the GUID decides
    }));
    objects.push(no_guid("CN=Nobody,OU=Staff,DC=corp,DC=contoso,DC=com"));
    objects.push(no_guid("cn=NOBODY, ou=staff,DC=corp,DC=contoso,DC=com"));
    objects.push(no_guid("CN=Somebody,OU=Staff,DC=corp,DC=contoso,DC=com"));
    // A DN equal to an object's without a GUID, but with a GUID of its own: another object.
    objects.push(with(user("Nobody"), |o| {
        o.dn = "CN=Nobody,OU=Staff,DC=corp,DC=contoso,DC=com".into();
    }));
    let r = run(&objects);
    let dir = &r.dir;
    // The oracle: the lowest row of the same key, found by comparing every earlier row.
    let key = |row: usize| match dir.object_guid[row] {
        Some(g) => format!("guid {g:?}"),
        None => format!(
            "dn {}",
            synclint::dn::normalized(dir.dn.get(row).unwrap_or(""))
        ),
    };
    let keys: Vec<String> = (0..dir.len()).map(key).collect();
    let mut copies = 0;
    for row in 0..dir.len() {
        let first = (0..row).find(|&earlier| keys[earlier] == keys[row]);
        let reason = r.scope.reason(row);
        match first {
            Some(first) => {
                copies += 1;
                let expected = format!("same object as {} (read twice)", dir.source_label(first));
                assert_eq!(reason, Some(expected.as_str()), "row {row}");
            }
            None => assert!(
                !reason.is_some_and(|r| r.starts_with("same object")),
                "row {row} is no copy: {reason:?}"
            ),
        }
    }
    assert_eq!(copies, 5, "U10, U2000 twice, the moved U42, cn=NOBODY");
}

#[test]
fn duplicates_and_collisions_across_attributes_and_types() {
    let objects = [
        user("U1"),
        with(user("U2"), |o| {
            o.set("userPrincipalName", "U1@CONTOSO.COM");
        }),
        with(user("U3"), |o| {
            o.text("proxyAddresses", "smtp:u1@contoso.com");
        }),
        with(user("U4"), |o| {
            o.set("mail", "shared@contoso.com");
        }),
        with(user("U5"), |o| {
            o.set("mail", "shared@contoso.com");
        }),
        group("G1", "u4@contoso.com"),
        with(user("U6"), |o| {
            o.text("proxyAddresses", "X500:/o=Contoso/cn=shared");
        }),
        with(user("U7"), |o| {
            o.text("proxyAddresses", "x500:/O=CONTOSO/CN=SHARED");
        }),
        with(user("U8"), |o| {
            o.set("mailNickname", "u1");
        }),
        with(user("U9"), |o| {
            o.set("userPrincipalName", "u9@contoso.com");
            o.set("mail", "team@contoso.com");
        }),
        group("Team", "team@contoso.com"),
    ];
    let r = run(&objects);
    assert!(r.codes("U2").contains(&"SL801"), "{:?}", r.codes("U2"));
    assert!(r.codes("U1").contains(&"SL801"));
    // U1's UPN = U3's smtp proxy: a UPN/address collision (U1 also has it as mail and
    // proxy), and a duplicate proxy: one row, under the worse rule, naming every holder.
    assert_eq!(r.codes("U3"), ["SL803"]);
    let u3 = r
        .findings
        .iter()
        .find(|f| r.dir.text(synclint::directory::Attr::Cn, f.row as usize) == Some("U3"))
        .unwrap();
    let note = r.findings.note(&r.dir, u3);
    assert!(
        note.contains("CN=U1,") && note.contains("(userPrincipalName, mail, proxyAddresses)"),
        "{note}"
    );
    assert!(r.codes("U4").contains(&"SL802") && r.codes("U5").contains(&"SL802"));
    assert!(r.codes("U6").contains(&"SL804") && r.codes("U7").contains(&"SL804"));
    assert!(r.codes("U8").contains(&"SL806"));
    assert!(
        r.codes("U9").contains(&"SL853") && r.codes("Team").contains(&"SL853"),
        "{:?}",
        r.codes("U9")
    );
    let d = &r.summary.duplicates;
    assert_eq!(
        (
            d["userPrincipalName"].groups,
            d["userPrincipalName"].objects
        ),
        (1, 2)
    );
    assert_eq!(
        (d["mail"].groups, d["mail"].objects),
        (2, 4),
        "shared@ and team@"
    );
    assert_eq!(
        (
            d["proxyAddressesOther"].groups,
            d["proxyAddressesOther"].objects
        ),
        (1, 2)
    );
    assert_eq!(d["mailNickname"].groups, 1);
    // Every member of a group carries the group id, and they are adjacent.
    let ids: Vec<u32> = r.findings.iter().filter_map(|f| f.group()).collect();
    let mut seen = Vec::new();
    for id in ids {
        if seen.last() != Some(&id) {
            assert!(!seen.contains(&id), "group {id} is not contiguous");
            seen.push(id);
        }
    }
}

/// Namesakes' X400 addresses are equal, and Entra's proxy calculation discards them: under the
/// entra profile they are no duplicate (each is still SL405), while X500 values still are;
/// idfix-dedicated compares every value, as IdFix does.
#[test]
fn legacy_proxy_types_are_no_duplicates_where_entra_discards_them() {
    let namesake = |cn: &str| {
        with(user(cn), |o| {
            o.text(
                "proxyAddresses",
                "X400:c=US;a= ;p=Contoso;o=Exchange;s=Smith;g=John;",
            )
            .text("proxyAddresses", "MSMAIL:CONTOSO/PO/JSMITH")
            .text("proxyAddresses", "X500:/o=Contoso/cn=jsmith");
        })
    };
    let objects = [namesake("John Smith"), namesake("John A Smith")];
    let entra = run(&objects);
    assert_eq!(
        entra.values("SL804"),
        ["X500:/o=Contoso/cn=jsmith", "X500:/o=Contoso/cn=jsmith"]
    );
    assert_eq!(
        entra.summary.duplicates["proxyAddressesOther"].groups, 1,
        "the X500 value only"
    );
    for cn in ["John Smith", "John A Smith"] {
        assert_eq!(
            entra.codes(cn),
            ["SL405", "SL405", "SL804"],
            "{cn}: the X400 and the MSMAIL value, and the X500 duplicate"
        );
    }
    let dedicated = profile(&objects, Profile::IdfixDedicated);
    assert_eq!(
        dedicated.summary.duplicates["proxyAddressesOther"].groups, 3,
        "IdFix compares X400, MSMAIL and X500 values alike"
    );
}

/// Entra discards on-premises addresses in Microsoft's namespaces too (SL404), all but the
/// coexistence domain: under the entra profile two objects with the same
/// `smtp:…@contoso.onmicrosoft.com` are no duplicate, nor does it collide with a UPN in the
/// initial domain; the same address in `contoso.mail.onmicrosoft.com` still is one, and
/// idfix-dedicated compares every address.
#[test]
fn addresses_entra_discards_are_no_duplicates() {
    let holder = |cn: &str| {
        with(user(cn), |o| {
            o.text("proxyAddresses", "smtp:shared@contoso.onmicrosoft.com")
                .text("proxyAddresses", "smtp:Shared@Contoso.mail.onmicrosoft.com")
                .text("proxyAddresses", "smtp:admin@contoso.onmicrosoft.com");
        })
    };
    let admin = with(user("Admin"), |o| {
        o.set("userPrincipalName", "admin@contoso.onmicrosoft.com");
    });
    let objects = [holder("Ann"), holder("Ben"), admin];
    let entra = run(&objects);
    for cn in ["Ann", "Ben"] {
        assert_eq!(
            entra.codes(cn),
            ["SL404", "SL404", "SL803"],
            "{cn}: both onmicrosoft.com addresses discarded, the coexistence one duplicated"
        );
    }
    assert_eq!(
        entra.values("SL803"),
        [
            "smtp:Shared@Contoso.mail.onmicrosoft.com",
            "smtp:Shared@Contoso.mail.onmicrosoft.com"
        ]
    );
    assert_eq!(
        entra.codes("Admin"),
        ["SL901"],
        "no collision (SL851) with the discarded smtp:admin@ values; its UPN is only not its primary address"
    );
    let dedicated = profile(&objects, Profile::IdfixDedicated);
    assert_eq!(
        dedicated.summary.duplicates["proxyAddresses"].groups, 3,
        "IdFix compares every address"
    );
}

#[test]
fn suggestions_are_rechecked_and_withheld_with_a_reason() {
    // W1 and W5 have no proxyAddresses, so no primary SMTP address to prefer as their UPN.
    let objects = [
        // Cleaning "ab c" gives "abc", which another object already has.
        with(user("W1"), |o| {
            o.set("userPrincipalName", "ab c@contoso.com");
            o.attributes.retain(|(n, _)| n != "proxyAddresses");
        }),
        with(user("W2"), |o| {
            o.set("userPrincipalName", "abc@contoso.com");
        }),
        // Two suggestions that would collide with each other: the second is withheld. (No
        // proxyAddresses: with a primary SMTP address, that would be the suggestion.)
        with(user("W3"), |o| {
            o.set("mail", "x y@contoso.com");
            o.attributes.retain(|(n, _)| n != "proxyAddresses");
        }),
        with(user("W4"), |o| {
            o.set("mail", "xy @contoso.com");
            o.attributes.retain(|(n, _)| n != "proxyAddresses");
        }),
        // A fix that still fails another rule is withheld too.
        with(user("W5"), |o| {
            o.set("userPrincipalName", "w 5@contoso.local");
            o.attributes.retain(|(n, _)| n != "proxyAddresses");
        }),
    ];
    let r = run(&objects);
    let w1 = r
        .findings
        .iter()
        .find(|f| f.rule.code == "SL101" && f.value(&r.dir).starts_with("ab c"))
        .unwrap();
    assert_eq!(w1.suggested(), None);
    assert!(
        w1.own_note().unwrap().contains("would collide with CN=W2"),
        "{:?}",
        w1.own_note()
    );
    let mails: Vec<&Finding> = r
        .findings
        .iter()
        .filter(|f| f.rule.code == "SL201")
        .collect();
    assert_eq!(mails[0].suggested(), Some("xy@contoso.com"));
    assert_eq!(mails[1].suggested(), None);
    assert!(mails[1]
        .own_note()
        .unwrap()
        .contains("suggestion for CN=W3"));
    let w5 = r
        .findings
        .iter()
        .find(|f| f.rule.code == "SL101" && f.value(&r.dir).starts_with("w 5"))
        .unwrap();
    assert!(
        w5.own_note().unwrap().contains("still break SL104"),
        "{:?}",
        w5.own_note()
    );
}

#[test]
fn hostile_values_never_panic_and_findings_stay_correct() {
    let mut weird = user("Z1");
    weird.set("displayName", "d".repeat(1 << 20));
    for i in 0..10_000 {
        weird.text("proxyAddresses", format!("smtp:z1.{i}@contoso.com"));
    }
    let objects = [
        weird,
        with(user("Z2"), |o| {
            o.set("mail", "@");
            o.set("userPrincipalName", "@@");
            o.set("mailNickname", ".");
        }),
        with(user("Z3"), |o| {
            o.set("userPrincipalName", "\u{0}\u{ffff}\u{1F600}@\u{202E}.com");
            o.text("proxyAddresses", "smtp:");
            o.text("proxyAddresses", ":");
        }),
        with(user("Z4"), |o| {
            o.set("displayName", "");
            o.set("mail", "z4@[127.0.0.1]");
            o.set("targetAddress", "");
        }),
    ];
    let r = run(&objects);
    assert!(r.codes("Z1").contains(&"SL601"));
    assert!(r.codes("Z1").contains(&"SL703"));
    assert!(r.codes("Z2").contains(&"SL103"));
    assert!(r.codes("Z2").contains(&"SL201"));
    assert!(r.codes("Z3").contains(&"SL101"));
    assert!(r.codes("Z4").contains(&"SL201"));
}

/// Expected duplicate groups per summary key and collision groups, counted independently over
/// generated objects (those whose DN is in `in_scope`): (groups, distinct holder DNs).
pub type ExpectedGroups = (
    BTreeMap<&'static str, (u64, BTreeSet<String>)>,
    (u64, BTreeSet<String>),
);

/// X400, X.400, MSMAIL and CCMAIL: the types Entra's proxy calculation discards.
fn legacy_type(prefix: &str) -> bool {
    matches!(
        prefix.to_ascii_lowercase().as_str(),
        "x400" | "x.400" | "msmail" | "ccmail"
    )
}

pub fn expected_groups(generated: &[ExportObject], in_scope: &HashSet<&str>) -> ExpectedGroups {
    // value space → normalized value → (objects, attributes)
    type Holders = BTreeMap<String, (BTreeSet<String>, BTreeSet<&'static str>)>;
    let mut spaces: BTreeMap<&str, Holders> = BTreeMap::new();
    let mut add = |space: &'static str, attr: &'static str, value: &str, dn: &str| {
        let e = spaces
            .entry(space)
            .or_default()
            .entry(value.to_lowercase())
            .or_default();
        e.0.insert(dn.to_string());
        e.1.insert(attr);
    };
    for o in generated {
        if !in_scope.contains(o.dn.as_str()) {
            continue;
        }
        let texts = |name: &str| -> Vec<String> {
            o.attributes
                .iter()
                .filter(|(n, _)| n == name)
                .flat_map(|(_, v)| v.iter())
                .filter_map(|v| match v {
                    ExportValue::Text(t) => Some(t.clone()),
                    ExportValue::Binary(_) => None,
                })
                .collect()
        };
        let class = o.last_text("objectClass").unwrap_or_default().to_string();
        for v in texts("userPrincipalName") {
            if class == "user" {
                add("address", "userPrincipalName", &v, &o.dn);
            }
        }
        for v in texts("mail") {
            add("address", "mail", &v, &o.dn);
        }
        for v in texts("proxyAddresses") {
            match v.split_once(':') {
                Some((p, a)) if p.eq_ignore_ascii_case("smtp") => {
                    add("address", "proxyAddresses", a, &o.dn)
                }
                // Entra discards the legacy types before comparing (SL405).
                Some((p, _)) if !legacy_type(p) => add("proxy", "proxyAddressesOther", &v, &o.dn),
                _ => {}
            }
        }
        for v in texts("targetAddress") {
            match v.split_once(':') {
                Some((p, a)) if p.eq_ignore_ascii_case("smtp") => {
                    add("address", "targetAddress", a, &o.dn)
                }
                _ => add("proxy", "targetAddress", &v, &o.dn),
            }
        }
        for v in texts("mailNickname") {
            add("alias", "mailNickname", &v, &o.dn);
        }
    }
    let mut expected: BTreeMap<&str, (u64, BTreeSet<String>)> = BTreeMap::new();
    let mut collisions = (0u64, BTreeSet::new());
    for (space, holders) in &spaces {
        for (objects, attrs) in holders.values() {
            if objects.len() < 2 {
                continue;
            }
            if *space != "alias" && attrs.len() >= 2 {
                collisions.0 += 1;
                collisions.1.extend(objects.iter().cloned());
            }
        }
    }
    // Per attribute: values held by two or more objects through that attribute.
    for o_attr in [
        "userPrincipalName",
        "mail",
        "proxyAddresses",
        "proxyAddressesOther",
        "targetAddress",
        "mailNickname",
    ] {
        let mut per_value: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for o in generated {
            if !in_scope.contains(o.dn.as_str()) {
                continue;
            }
            let class = o.last_text("objectClass").unwrap_or_default();
            for (n, values) in &o.attributes {
                for v in values {
                    let ExportValue::Text(t) = v else { continue };
                    let key = match (o_attr, n.as_str()) {
                        ("userPrincipalName", "userPrincipalName") if class == "user" => {
                            Some(t.to_lowercase())
                        }
                        ("mail", "mail") | ("mailNickname", "mailNickname") => {
                            Some(t.to_lowercase())
                        }
                        ("proxyAddresses", "proxyAddresses") => t
                            .split_once(':')
                            .filter(|(p, _)| p.eq_ignore_ascii_case("smtp"))
                            .map(|(_, a)| a.to_lowercase()),
                        ("proxyAddressesOther", "proxyAddresses") => t
                            .split_once(':')
                            .filter(|(p, _)| !p.eq_ignore_ascii_case("smtp") && !legacy_type(p))
                            .map(|_| t.to_lowercase()),
                        ("targetAddress", "targetAddress") => Some(
                            t.split_once(':')
                                .filter(|(p, _)| p.eq_ignore_ascii_case("smtp"))
                                .map_or(t.to_lowercase(), |(_, a)| a.to_lowercase()),
                        ),
                        _ => None,
                    };
                    if let Some(k) = key {
                        per_value.entry(k).or_default().insert(o.dn.clone());
                    }
                }
            }
        }
        let groups: Vec<&BTreeSet<String>> = per_value.values().filter(|s| s.len() >= 2).collect();
        let objects: BTreeSet<&String> = groups.iter().flat_map(|s| s.iter()).collect();
        expected.insert(
            o_attr,
            (groups.len() as u64, objects.into_iter().cloned().collect()),
        );
    }
    (expected, collisions)
}

/// 30,000 generated objects with planted issues (seed 5), and what the rules find in them.
pub fn planted_run() -> (Vec<ExportObject>, Run) {
    use synclint::generate::{objects, GenerateOptions};
    let options = GenerateOptions {
        objects: 30_000,
        seed: 5,
        planted: true,
        ..GenerateOptions::default()
    };
    let generated: Vec<ExportObject> = objects(&options).collect();
    let r = run(&generated);
    (generated, r)
}

/// The per-object checks' findings read their value from the directory wherever it holds that
/// text (their copies were 130 MB of the 1M field shape's peak), and read it back as it was
/// found; only a value the directory does not hold stays the finding's own. A duplicate or
/// collision group's findings keep their copies: they come in hash order, at random rows of
/// the table, and reading their values back from it made the 1M field shape's workbook 0.3 s
/// slower.
#[test]
fn per_object_findings_read_values_the_directory_holds_from_it() {
    let (_, r) = planted_run();
    let (mut read, mut own, mut grouped) = (0, 0, 0);
    for f in r.findings.iter() {
        let row = f.row as usize;
        let value = f.value(&r.dir);
        let held = r.dir.position_of(f.attribute, row, value);
        if f.group().is_some() {
            grouped += 1;
            assert!(
                !f.reads_value_from_directory(),
                "{} of a group",
                f.rule.code
            );
        } else if f.reads_value_from_directory() {
            read += 1;
            let n = held.unwrap_or_else(|| panic!("{} reads {value:?}, not held", f.rule.code));
            assert_eq!(r.dir.nth_value(f.attribute, row, n), Some(value));
        } else {
            own += 1;
            assert!(
                held.is_none(),
                "{} holds its own copy of {value:?}",
                f.rule.code
            );
        }
    }
    assert!(
        read > 10_000 && own > 0 && grouped > 100,
        "{read} read from the directory, {own} own, {grouped} of groups"
    );
}

/// Planted generated data: the duplicate and collision groups equal an independent count.
#[test]
fn planted_duplicates_match_an_independent_count() {
    let (generated, r) = planted_run();
    let in_scope: HashSet<&str> = (0..r.dir.len())
        .filter(|row| r.scope.in_scope(*row))
        .filter_map(|row| r.dir.dn.get(row))
        .collect();

    let (expected, collisions) = expected_groups(&generated, &in_scope);
    for (attr, (groups, objects)) in &expected {
        let got = r.summary.duplicates[attr];
        assert_eq!(
            (got.groups, got.objects),
            (*groups, objects.len() as u64),
            "{attr}"
        );
    }
    assert!(
        expected["userPrincipalName"].0 >= 5 && expected["proxyAddresses"].0 >= 5,
        "planting produced duplicates"
    );
    assert_eq!(
        (r.summary.collisions.groups, r.summary.collisions.objects),
        (collisions.0, collisions.1.len() as u64)
    );
    assert!(collisions.0 >= 5);
    // Every clashing UPN is also a duplicate UPN: one SL801 row that names the proxy holders.
    assert!(
        r.findings
            .iter()
            .any(|f| f.rule.code == "SL801"
                && r.findings.note(&r.dir, f).contains("(proxyAddresses)"))
    );
    assert!(r.findings.iter().any(|f| f.rule.code == "SL853"));
}

#[test]
fn target_sam_and_address_collisions() {
    let no_upn = |cn: &str| {
        with(user(cn), |o| {
            o.attributes.retain(|(n, _)| n != "userPrincipalName");
            o.set("sAMAccountName", "jdoe");
        })
    };
    let objects = [
        with(contact("T1", "t1@partner.example.net"), |o| {
            o.set("targetAddress", "SMTP:shared@partner.example.net");
        }),
        with(contact("T2", "t2@partner.example.net"), |o| {
            o.set("targetAddress", "smtp:SHARED@partner.example.net");
        }),
        no_upn("N1"),
        no_upn("N2"),
        with(user("M1"), |o| {
            o.set("mail", "m1.alias@contoso.com");
        }),
        with(user("M2"), |o| {
            o.text("proxyAddresses", "smtp:m1.alias@contoso.com");
        }),
    ];
    let r = run(&objects);
    assert!(
        r.codes("T1").contains(&"SL805") && r.codes("T2").contains(&"SL805"),
        "{:?}",
        r.codes("T1")
    );
    assert!(r.codes("N1").contains(&"SL807") && r.codes("N2").contains(&"SL807"));
    assert!(
        r.codes("N1").contains(&"SL801"),
        "the derived UPNs jdoe@corp.contoso.com clash too"
    );
    assert!(
        r.codes("M1").contains(&"SL852") && r.codes("M2").contains(&"SL852"),
        "{:?}",
        r.codes("M1")
    );
    assert_eq!(r.summary.duplicates["targetAddress"].groups, 1);
    assert_eq!(r.summary.duplicates["sAMAccountName"].groups, 1);
}

/// A domain controller refuses a sAMAccountName ending with '.' (found by .ci/samba-loop.sh
/// against Samba AD DC): SL503 reports one, and no suggestion of the sAMAccountName rules
/// ends with a period — cutting at 20 characters right after a period would leave one.
#[test]
fn sam_account_names_never_end_with_a_period() {
    let objects = [
        with(user("T1"), |o| {
            o.set("sAMAccountName", "abcdefghijklmnopqrs.tu");
        }),
        with(user("T2"), |o| {
            o.set("sAMAccountName", "o'neil.");
        }),
        with(user("T3"), |o| {
            o.set("sAMAccountName", "...");
        }),
        with(user("T4"), |o| {
            o.set("sAMAccountName", "t.four");
        }),
    ];
    let r = run(&objects);
    let of = |code: &str, value: &str| {
        r.findings
            .iter()
            .find(|f| f.rule.code == code && f.value(&r.dir) == value)
            .unwrap_or_else(|| panic!("no {code} on {value}"))
    };
    assert_eq!(
        of("SL502", "abcdefghijklmnopqrs.tu").suggested(),
        Some("abcdefghijklmnopqrs")
    );
    assert!(!r.codes("T1").contains(&"SL503"));
    assert_eq!(of("SL501", "o'neil.").suggested(), Some("oneil"));
    assert!(r.codes("T2").contains(&"SL503"));
    // Its own suggestion ("o'neil") would still break SL501: withheld, with the reason.
    let t2 = of("SL503", "o'neil.");
    assert_eq!(t2.suggested(), None);
    assert!(
        t2.own_note()
            .unwrap()
            .contains("suggestion \"o'neil\" withheld"),
        "{:?}",
        t2.own_note()
    );
    assert_eq!(of("SL503", "...").suggested(), None);
    assert!(r.codes("T4").is_empty(), "{:?}", r.codes("T4"));
}

/// Issue 23: a suggestion equal (ignoring case) to a value the object already holds becomes a
/// REMOVE recommendation of the bad value, never an add (the SG-Legal-ReadOnly shape).
#[test]
fn a_suggestion_the_object_already_holds_becomes_remove() {
    let objects = [
        with(
            group("SG-Legal-ReadOnly", "sg-legal-readonly@contoso.com"),
            |o| {
                o.text("proxyAddresses", "smtp:sg-legal:-readonly@contoso.com");
                // The corrected form matches a secondary here, in another case.
                o.text("proxyAddresses", "smtp:SG-Legal.RO@contoso.com");
                o.text("proxyAddresses", "smtp:sg-legal.ro @contoso.com");
            },
        ),
        // Two bad values of one object with the same correction: one suggestion only.
        with(user("Twice"), |o| {
            o.text("proxyAddresses", "smtp:t wo@contoso.com");
            o.text("proxyAddresses", "smtp:tw:o@contoso.com");
        }),
    ];
    let r = run(&objects);
    let colon = r
        .findings
        .iter()
        .find(|f| f.value(&r.dir) == "smtp:sg-legal:-readonly@contoso.com")
        .unwrap();
    assert_eq!(colon.rule.code, "SL402");
    assert_eq!(colon.action, Action::Remove);
    assert_eq!(colon.suggested(), None);
    let note = colon.own_note().unwrap();
    assert!(
        note.contains("already on the object as SMTP:sg-legal-readonly@contoso.com"),
        "{note}"
    );
    let space = r
        .findings
        .iter()
        .find(|f| f.value(&r.dir) == "smtp:sg-legal.ro @contoso.com")
        .unwrap();
    assert_eq!((space.action, space.suggested()), (Action::Remove, None));
    assert!(space
        .own_note()
        .unwrap()
        .contains("as smtp:SG-Legal.RO@contoso.com"));
    let twice: Vec<&Finding> = r
        .findings
        .iter()
        .filter(|f| f.value(&r.dir).contains("t wo") || f.value(&r.dir).contains("tw:o"))
        .collect();
    assert_eq!(twice.len(), 2);
    assert_eq!(twice[0].suggested(), Some("smtp:two@contoso.com"));
    assert_eq!(twice[1].suggested(), None);
    assert!(
        twice[1].own_note().unwrap().contains(
            "the suggestion for this object's value \"smtp:t wo@contoso.com\" is the same"
        ),
        "{:?}",
        twice[1].own_note()
    );
}

/// Issue 23: a UPN suggestion prefers the primary SMTP address when it is a valid, routable UPN
/// no other object holds (so does a mail suggestion); otherwise the cleaned UPN, unless that
/// would raise a finding the object does not have (here SL901: the UPN would differ from the
/// primary SMTP address).
#[test]
fn upn_suggestions_prefer_the_primary_smtp_address_and_raise_nothing() {
    let objects = [
        // Stripping the invalid character gives edwardflores@; the primary is the better UPN.
        with(user("Edward Flores"), |o| {
            o.set("userPrincipalName", "edward$flores@contoso.com");
        }),
        // The primary SMTP address is also another user's UPN: not a candidate, and the
        // cleaned UPN would differ from it (a new SL901), so nothing is suggested.
        with(user("Wei Gonzalez"), |o| {
            o.set("userPrincipalName", "wei.gonzalez temp@contoso.com");
            o.set("proxyAddresses", "SMTP:wei@contoso.com");
        }),
        with(user("Wei Other"), |o| {
            o.set("userPrincipalName", "wei@contoso.com");
        }),
        // A primary address in a non-routable domain can't be the UPN: the cleaned UPN is
        // suggested, and SL901 (align with that address) is not raised.
        with(user("Local Mail"), |o| {
            o.set("userPrincipalName", "local mail@contoso.com");
            o.set("proxyAddresses", "SMTP:local.mail@contoso.local");
        }),
        // mail likewise: the primary SMTP address rather than the cleaned value.
        with(user("Mail Fix"), |o| {
            o.set("mail", "mail fix@contoso.com");
        }),
    ];
    let r = run(&objects);
    let upn = |prefix: &str| {
        r.findings
            .iter()
            .find(|f| f.rule.code == "SL101" && f.value(&r.dir).starts_with(prefix))
            .unwrap()
    };
    assert_eq!(
        upn("edward$").suggested(),
        Some("edward.flores@contoso.com")
    );
    let wei = upn("wei.gonzalez");
    assert_eq!(wei.suggested(), None);
    let note = wei.own_note().unwrap();
    assert!(
        note.contains("\"wei.gonzaleztemp@contoso.com\" withheld: it would raise SL901"),
        "{note}"
    );
    assert_eq!(upn("local mail").suggested(), Some("localmail@contoso.com"));
    assert!(!r.codes("Local Mail").contains(&"SL901"));
    let mail = r.finding("SL201");
    assert_eq!(
        (mail.value(&r.dir), mail.suggested()),
        ("mail fix@contoso.com", Some("mail.fix@contoso.com"))
    );
    assert!(r.codes("Edward Flores").contains(&"SL901"));
}

/// Issue 14, point 7: what decides that a rule runs under a profile also decides what the
/// suggestion re-check and `fix` accept (`registry::validate`, derived from the checks).
#[test]
fn validation_follows_the_profile_like_the_checks() {
    let objects = [user("Gate")];
    let cases: [(&str, &str, Option<&str>, Option<&str>); 4] = [
        // attribute, value, rule under Entra, rule under IdFix Dedicated
        (
            "userPrincipalName",
            "ga$te@contoso.com",
            Some("SL101"),
            None,
        ),
        ("mailNickname", "r&d", Some("SL302"), Some("SL301")),
        ("mailNickname", "o'gate", None, Some("SL301")),
        ("displayName", " Gate ", None, Some("SL605")),
    ];
    for p in [Profile::Entra, Profile::IdfixDedicated] {
        let r = profile(&objects, p);
        let options = RuleOptions {
            profile: p,
            ..RuleOptions::default()
        };
        let ctx = rules::Context {
            dir: &r.dir,
            scope: &r.scope,
            options: &options,
        };
        for (attribute, value, entra, dedicated) in cases {
            let expected = if p == Profile::Entra {
                entra
            } else {
                dedicated
            };
            let got = rules::registry::validate(&ctx, 0, attribute, value).map(|r| r.code);
            assert_eq!(got, expected, "{attribute} {value:?} under {p:?}");
            // The same value in the export: analyze reports exactly that rule first.
            let exported = with(user("Gate"), |o| {
                o.set(attribute, value);
            });
            let analyzed = profile(&[exported], p);
            let first = analyzed
                .findings
                .iter()
                .find(|f| f.attribute.ldap_name() == attribute)
                .map(|f| f.rule.code);
            assert_eq!(
                first, expected,
                "analyze: {attribute} {value:?} under {p:?}"
            );
        }
    }
}

/// With --suffix-map, the primary SMTP address is re-suffixed by its own suggestion: the UPN
/// suggestion is that re-suffixed address, so the suggestions accepted together leave the UPN
/// equal to the primary SMTP address.
#[test]
fn upn_suggestion_follows_the_primary_address_as_its_suggestion_repairs_it() {
    let objects = [with(user("Re Suffix"), |o| {
        o.set("userPrincipalName", "re suffix@fabrikam.local");
        o.set("mail", "re.suffix@fabrikam.local");
        o.set("proxyAddresses", "SMTP:re.suffix@fabrikam.local");
    })];
    let options = RuleOptions {
        suffix_map: vec![("fabrikam.local".into(), "fabrikam.com".into())],
        ..RuleOptions::default()
    };
    let r = run_with(&objects, options, ScopeOptions::default());
    let suggested = |attribute: &str| -> Vec<Option<&str>> {
        r.findings
            .iter()
            .filter(|f| f.attribute.ldap_name() == attribute)
            .map(|f| f.suggested())
            .collect()
    };
    assert_eq!(
        suggested("userPrincipalName"),
        [Some("re.suffix@fabrikam.com"); 2],
        "SL101 and SL104"
    );
    assert_eq!(
        suggested("proxyAddresses"),
        [Some("SMTP:re.suffix@fabrikam.com")]
    );
    assert_eq!(suggested("mail"), [Some("re.suffix@fabrikam.com")]);
}

/// The rules run their tasks side by side on the pool (the uniqueness kernel, the engine's
/// audits, readiness), and the first of them to ask for the objects' domains works them out
/// on the pool too. From e81dd27 that was done inside `OnceLock::get_or_init`, and
/// `analyze --threads 3` hung in 5 of 20 runs on a 100k-object csvde export: the thread
/// working the domains out, waiting for a piece another thread had taken, took up the
/// engine's task from a third thread's queue, which asked for the domains and waited for the
/// lock its own thread held. Here the same, on three and four threads, twelve times over.
#[test]
fn the_rules_on_three_or_more_threads_never_hang() {
    use synclint::generate::{generate, GenerateOptions, Shape};
    use synclint::ingest::{Encoding, Format};
    let options = GenerateOptions {
        objects: 60_000,
        seed: 5,
        format: Format::Ldif,
        encoding: Encoding::Utf8,
        domains: 3,
        planted: true,
        escaped_names: false,
        shape: Shape::Default,
        plant_devices: false,
        plant_readiness: false,
    };
    let mut bytes = Vec::new();
    generate(&options, &mut bytes).expect("generated");
    let mut sink = TableSink::new(0);
    ldif::scan(&bytes, 1, &mut sink);
    let (read, _) = sink.finish();
    let (done, finished) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut findings = Vec::new();
        for round in 0..12 {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(3 + round % 2)
                .build()
                .expect("a pool");
            // A fresh table each round: the domains are worked out on first use.
            let mut dir = Directory::default();
            dir.append(read.clone());
            let options = RuleOptions::default();
            let scope = scope::decide(&dir, &ScopeOptions::default(), options.profile);
            let analysis = pool.install(|| rules::run(&dir, &scope, &options));
            findings.push(analysis.findings.len());
        }
        let _ = done.send(findings);
    });
    let findings = finished
        .recv_timeout(std::time::Duration::from_secs(120))
        .expect("twelve runs of the rules returned within two minutes");
    assert!(
        findings[0] > 0 && findings.iter().all(|&n| n == findings[0]),
        "{findings:?}"
    );
}
