//! Real directories' shapes (issue 14): names written `Last, First`, replication-conflict
//! copies, OUs with escaped characters, one row per problem.

use std::collections::HashMap;
use synclint::generate::{objects, ExportObject, GenerateOptions};

/// One row per problem: a value held by several objects is one duplicate-or-collision row per
/// holder, attribute and value (other rules on the same value are other problems, with their
/// own fixes and suggestions, and keep their rows).
#[test]
fn no_two_duplicate_or_collision_rows_share_object_attribute_and_value() {
    use synclint::findings::Class;
    let (_, r) = crate::rules::planted_run();
    let mut seen: HashMap<(u32, &str, &str), &str> = HashMap::new();
    let mut shared = Vec::new();
    let groups = r
        .findings
        .iter()
        .filter(|f| matches!(f.rule.class, Class::Duplicate | Class::Collision));
    for f in groups {
        if let Some(earlier) = seen.insert(
            (f.row, f.attribute.ldap_name(), f.value(&r.dir)),
            f.rule.code,
        ) {
            shared.push(format!(
                "{earlier}+{} {} {}",
                f.rule.code,
                f.attribute,
                f.value(&r.dir)
            ));
        }
    }
    let mut kinds: Vec<String> = shared
        .iter()
        .map(|s| s.split(' ').next().unwrap().to_string())
        .collect();
    kinds.sort();
    kinds.dedup();
    assert!(
        shared.is_empty(),
        "{} shared rows {kinds:?}, e.g. {:?}",
        shared.len(),
        &shared[..shared.len().min(10)]
    );
    // The planted duplicates and collisions are there, each once; a duplicate that also
    // collides across attributes names the other attribute's holders in its one row.
    for code in ["SL801", "SL802", "SL803", "SL853"] {
        assert!(r.findings.iter().any(|f| f.rule.code == code), "{code}");
    }
    assert!(
        r.findings
            .iter()
            .any(|f| f.rule.code == "SL801"
                && r.findings.note(&r.dir, f).contains("(proxyAddresses)"))
    );
}

/// Findings as comparable tuples: rule, DN, attribute, value, suggestion.
fn finding_rows(paths: &[std::path::PathBuf]) -> Vec<(String, String, String, String, String)> {
    let a = synclint::analyze::run(
        paths,
        &synclint::ingest::ReadOptions::default(),
        &synclint::scope::ScopeOptions::default(),
        synclint::rules::RuleOptions::default(),
    );
    assert!(a.ingest.failed_files().next().is_none());
    let dir = &a.ingest.directory;
    let mut rows: Vec<_> = a
        .findings
        .iter()
        .map(|f| {
            (
                f.rule.code.to_string(),
                dir.dn.get(f.row as usize).unwrap_or_default().to_string(),
                f.attribute.to_string(),
                f.value(dir).to_string(),
                f.suggested().unwrap_or_default().to_string(),
            )
        })
        .collect();
    rows.sort();
    rows
}

#[test]
fn csvde_with_bare_semicolons_in_x400_values_finds_what_the_escaped_layout_finds() {
    let options = GenerateOptions {
        objects: 3_000,
        seed: 11,
        planted: true,
        ..GenerateOptions::default()
    };
    let mut generated: Vec<ExportObject> = objects(&options).collect();
    let mut x400 = 0;
    for (i, o) in generated.iter_mut().enumerate() {
        if !o.has("proxyAddresses") {
            continue;
        }
        let sn = o.last_text("sn").unwrap_or("Team").to_string();
        o.text(
            "proxyAddresses",
            format!("X400:c=US;a= ;p=Contoso;o=Exchange;s={sn};g=N{i};"),
        );
        x400 += 1;
        if i % 7 == 0 {
            // A value without a type prefix: reported as such in both layouts.
            o.text("proxyAddresses", format!("plain{i}@contoso.com"));
        }
    }
    assert!(x400 > 1_000);
    let escaped = synclint::generate::writer::csvde_file(&generated);
    assert!(escaped.contains("X400:c=US\\;a= \\;p=Contoso"));
    let bare = escaped.replace("\\;", ";");
    let dir = tempfile::tempdir().unwrap();
    let escaped_rows = finding_rows(&[crate::temp_file(&dir, "escaped.csv", escaped.as_bytes())]);
    let bare_rows = finding_rows(&[crate::temp_file(&dir, "bare.csv", bare.as_bytes())]);
    assert_eq!(escaped_rows.len(), bare_rows.len());
    assert!(escaped_rows == bare_rows, "the layouts disagree");
    // X400 values arrive whole (one SL405 legacy-type row each), no-prefix values as SL406.
    let count = |code: &str| escaped_rows.iter().filter(|r| r.0 == code).count();
    let x400_values = generated
        .iter()
        .flat_map(|o| o.attributes.iter().filter(|(n, _)| n == "proxyAddresses"))
        .flat_map(|(_, values)| values.iter())
        .filter(|v| matches!(v, synclint::generate::ExportValue::Text(t) if t.starts_with("X400:")))
        .count();
    assert!(x400_values > x400);
    assert_eq!(count("SL405"), x400_values);
    assert!(count("SL406") > 100);
    assert!(!bare_rows
        .iter()
        .any(|r| r.3.starts_with("a= ") || r.3.starts_with("p=")));
}

#[test]
fn target_address_on_a_non_routable_or_unverified_domain() {
    use crate::rules::{contact, run_with, user};
    let with = |mut o: ExportObject, target: &str| {
        o.set("targetAddress", target);
        o
    };
    let objects = [
        with(
            contact("C1", "c1@partner.example.net"),
            "SMTP:c1@customer.local",
        ),
        with(
            contact("C2", "c2@partner.example.net"),
            "SMTP:c2@partner.example.net",
        ),
        with(user("U1"), "SMTP:u1@contoso.mail.onmicrosoft.com"),
        with(user("U2"), "smtp:u2@elsewhere.example.org"),
        with(user("U3"), "SMTP:u3@corp.internal"),
        with(user("U4"), "X400:c=US;a= ;p=Contoso;"),
    ];
    let verified = synclint::rules::RuleOptions {
        verified_domains: Some(["contoso.com".to_string()].into_iter().collect()),
        suffix_map: vec![("customer.local".into(), "contoso.com".into())],
        ..Default::default()
    };
    let flagged = |r: &crate::rules::Run| {
        let mut cns: Vec<String> = r
            .findings
            .iter()
            .filter(|f| f.rule.code == "SL654")
            .map(|f| {
                let cn = r
                    .dir
                    .text(synclint::directory::Attr::Cn, f.row as usize)
                    .unwrap();
                format!("{cn} {}", f.suggested().unwrap_or("-"))
            })
            .collect();
        cns.sort();
        cns
    };
    let r = run_with(&objects, verified, Default::default());
    // Contacts point outside on purpose: only their non-routable domains count.
    assert_eq!(
        flagged(&r),
        ["C1 SMTP:c1@contoso.com", "U2 -", "U3 -"],
        "{:?}",
        r.findings
            .iter()
            .map(|f| (f.rule.code, f.own_note()))
            .collect::<Vec<_>>()
    );
    let note = r
        .findings
        .iter()
        .find(|f| f.rule.code == "SL654")
        .unwrap()
        .own_note()
        .map(str::to_string);
    assert!(note.unwrap_or_default().contains("local"));
    let r = crate::rules::run(&objects);
    assert_eq!(flagged(&r), ["C1 -", "U3 -"]);
}

/// Escaped names, OUs and conflict copies, read from files in both formats: the scope and the
/// duplicate and collision groups equal a count made without synclint's DN handling.
#[test]
fn escaped_names_and_conflict_copies_match_an_independent_count_in_both_formats() {
    use std::collections::HashSet;
    use synclint::generate::ESCAPED_OUS;
    let options = GenerateOptions {
        objects: 20_000,
        seed: 7,
        planted: true,
        escaped_names: true,
        ..GenerateOptions::default()
    };
    let generated: Vec<ExportObject> = objects(&options).collect();
    let copies: HashSet<&str> = generated
        .iter()
        .filter(|o| o.dn.contains("\\0ACNF:"))
        .map(|o| o.dn.as_str())
        .collect();
    let last_first = generated
        .iter()
        .filter(|o| o.last_text("cn").is_some_and(|cn| cn.contains(", ")))
        .count();
    assert!(
        copies.len() > 50 && last_first > 2_000,
        "{} {last_first}",
        copies.len()
    );
    // The oracle: the same objects under plain names (no escape anywhere, no copies), whose
    // scope any DN reader gets right; the copies are out of scope.
    let unescape = |dn: &str| {
        let mut plain = dn.to_string();
        for (department, escaped) in ESCAPED_OUS {
            plain = plain.replace(&format!("OU={escaped},"), &format!("OU={department},"));
        }
        plain.replace("\\, ", " ")
    };
    let originals: Vec<&ExportObject> = generated
        .iter()
        .filter(|o| !copies.contains(o.dn.as_str()))
        .collect();
    let plain: Vec<ExportObject> = originals
        .iter()
        .map(|o| {
            let mut p = (*o).clone();
            p.dn = unescape(&o.dn);
            assert!(!p.dn.contains('\\'), "{}", p.dn);
            p
        })
        .collect();
    let oracle = crate::rules::run(&plain);
    let in_scope: HashSet<&str> = originals
        .iter()
        .enumerate()
        .filter(|(row, _)| oracle.scope.in_scope(*row))
        .map(|(_, o)| o.dn.as_str())
        .collect();
    let (expected, collisions) = crate::rules::expected_groups(&generated, &in_scope);
    let sales = "OU=Sales\\, EMEA,OU=Staff,DC=corp,DC=contoso,DC=com";
    let in_sales = in_scope
        .iter()
        .filter(|dn| dn.ends_with(&format!(",{sales}")))
        .count();
    assert!(in_sales > 500);

    let dir = tempfile::tempdir().unwrap();
    let files = [
        crate::temp_file(
            &dir,
            "escaped.ldf",
            synclint::generate::writer::ldif_file(&generated, &Default::default()).as_bytes(),
        ),
        crate::temp_file(
            &dir,
            "escaped.csv",
            synclint::generate::writer::csvde_file(&generated).as_bytes(),
        ),
    ];
    for file in &files {
        let ingest = crate::read(std::slice::from_ref(file));
        assert_eq!(
            ingest.directory.len(),
            generated.len(),
            "{}",
            file.display()
        );
        let checked = synclint::analyze::check(
            &ingest,
            &Default::default(),
            &synclint::rules::RuleOptions::default(),
        );
        let d = &ingest.directory;
        for row in 0..d.len() {
            let dn = d.dn.get(row).unwrap();
            let wanted = in_scope.contains(dn);
            assert_eq!(
                checked.scope.in_scope(row),
                wanted,
                "{dn}: {:?}",
                checked.scope.reason(row)
            );
            if copies.contains(dn) {
                assert!(checked
                    .scope
                    .reason(row)
                    .unwrap()
                    .starts_with("replication conflict"));
            }
        }
        for (attr, (groups, holders)) in &expected {
            let got = checked.uniqueness.duplicates[attr];
            assert_eq!(
                (got.groups, got.objects),
                (*groups, holders.len() as u64),
                "{attr} in {}",
                file.display()
            );
        }
        let got = checked.uniqueness.collisions;
        assert_eq!(
            (got.groups, got.objects),
            (collisions.0, collisions.1.len() as u64)
        );
        // --include-ou with an escaped comma selects exactly that OU's objects.
        let only_sales = synclint::scope::ScopeOptions {
            include_ou: vec![sales.replace(",OU=", ", OU=")],
            ..Default::default()
        };
        let scope = synclint::scope::decide(d, &only_sales, synclint::rules::Profile::Entra);
        assert_eq!(scope.analyzed() as usize, in_sales, "{}", file.display());
        assert!(scope.unmatched.is_empty());
    }
    assert!(expected["userPrincipalName"].0 >= 5 && collisions.0 >= 5);
}

/// The benchmark shapes (issue 20): each is read back whole in both formats, with the columns,
/// emptiness and object kinds it claims, and the same seed gives the same bytes.
#[test]
fn every_generated_shape_reads_back_whole_with_its_columns_and_kinds() {
    use synclint::directory::ObjectKind;
    use synclint::generate::{generate, Shape};
    use synclint::ingest::Format;
    let dir = tempfile::tempdir().unwrap();
    let total = 5_000u64;
    for shape in [Shape::Default, Shape::SparseWide, Shape::Field] {
        let mut ous_seen = None;
        for format in [Format::Csvde, Format::Ldif] {
            let options = GenerateOptions {
                objects: total,
                seed: 3,
                format,
                planted: true,
                shape,
                ..GenerateOptions::default()
            };
            let mut bytes = Vec::new();
            let summary = generate(&options, &mut bytes).unwrap();
            let mut again = Vec::new();
            generate(&options, &mut again).unwrap();
            assert!(bytes == again, "{shape:?} {format:?}: not reproducible");
            let name = format!(
                "{}.{}",
                shape.name(),
                if format == Format::Ldif { "ldf" } else { "csv" }
            );
            let path = crate::temp_file(&dir, &name, &bytes);
            let ingest = crate::read(&[path]);
            crate::assert_reconciles(&ingest);
            assert_eq!(ingest.files[0].rejected, 0, "{shape:?} {format:?}");
            assert_eq!(ingest.objects_read(), total, "{shape:?} {format:?}");
            let d = &ingest.directory;
            let ous = (0..d.len())
                .filter(|&r| d.object_class.get(r) == Some("organizationalUnit"))
                .count() as u64;
            assert_eq!(ous, summary.ous, "{shape:?} {format:?}");
            ous_seen = Some(ous);
            if format != Format::Csvde {
                continue;
            }
            let text = String::from_utf8(bytes).unwrap();
            let mut csv = csv::Reader::from_reader(text.as_bytes());
            let columns = csv.headers().unwrap().len() - 1; // after DN
            let rows: Vec<csv::StringRecord> =
                csv.records().take(2000).map(Result::unwrap).collect();
            let empty: usize = rows
                .iter()
                .map(|r| r.iter().filter(|f| f.is_empty()).count())
                .sum();
            let empty_share = empty as f64 / (rows.len() * columns) as f64;
            match shape {
                Shape::Default => {
                    assert_eq!(columns, 52);
                    assert_eq!(summary.ous, 0);
                    assert!(
                        empty_share < 0.5,
                        "default rows are mostly full: {empty_share}"
                    );
                }
                Shape::SparseWide => {
                    assert!((230..=250).contains(&columns), "{columns} columns");
                    assert!(
                        empty_share > 0.7,
                        "sparse-wide rows are mostly empty: {empty_share}"
                    );
                }
                Shape::Field => {
                    assert_eq!(columns, 52);
                    assert!(
                        empty_share > 0.5,
                        "field rows are mostly empty: {empty_share}"
                    );
                    assert_eq!(summary.ous, total / 25);
                    assert!(
                        text.contains("X400:C=US\\;A= \\;P=Contoso"),
                        "X400 with \\;"
                    );
                    let last_first = (0..d.len())
                        .filter(|&r| d.kind[r] == ObjectKind::User)
                        .filter_map(|r| d.dn.get(r))
                        .filter(|dn| {
                            dn.split_once(",OU=")
                                .is_some_and(|(cn, _)| cn.contains("\\,"))
                        })
                        .count() as f64;
                    let share = last_first / summary.users as f64;
                    assert!((0.15..0.3).contains(&share), "Last, First share {share}");
                }
            }
        }
        assert!(ous_seen.is_some());
    }
}
