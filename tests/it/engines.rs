//! The engines on two generated forests (`synclint generate --forests`): every planted case is
//! reported under the engine it applies to and not under the other, `--engine-diff` lists
//! exactly the planted differences, group scoping takes first-level members, and Cloud Sync's
//! per-domain limits start where the documentation puts them. The truth is the generator's
//! record of what it planted, written case by case, not the rules' output.

use crate::{analyze_to, assert_succeeded};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use synclint::anchor::Engine;
use synclint::generate::forests::{generate, ForestsExport, ForestsOptions};

fn write(dir: &Path, export: &ForestsExport) -> Vec<PathBuf> {
    export
        .files
        .iter()
        .map(|(forest, text)| {
            let path = dir.join(format!("{forest}.ldf"));
            std::fs::write(&path, text).unwrap();
            path
        })
        .collect()
}

/// (code, DN) of every engine-rule finding in a JSON summary, and of SL1304.
fn engine_findings(json: &serde_json::Value) -> BTreeSet<(String, String)> {
    json["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| {
            let code = i["rule"].as_str().unwrap();
            // The engine rules, and inetOrgPerson's password hash sync (both engines).
            code.starts_with("SL11") || code == "SL1304"
        })
        .map(|i| {
            (
                i["rule"].as_str().unwrap().to_string(),
                i["dn"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn planted_under(export: &ForestsExport, engine: Engine) -> BTreeSet<(String, String)> {
    export
        .planted
        .iter()
        .filter(|p| p.engines.contains(&engine))
        .map(|p| (p.code.to_string(), p.dn.clone()))
        .collect()
}

#[test]
fn every_planted_case_is_reported_under_its_engine_and_not_the_other() {
    let dir = tempfile::tempdir().unwrap();
    let export = generate(&ForestsOptions::default());
    let inputs = write(dir.path(), &export);
    for engine in [Engine::Connect, Engine::CloudSync] {
        let (_, json) = analyze_to(
            dir.path(),
            engine.name(),
            &inputs,
            &["--engine", engine.name()],
        );
        assert_eq!(json["engine"], engine.name());
        assert_eq!(json["objects"]["rejected"], 0, "{engine:?}");
        let in_scope = match engine {
            Engine::Connect => export.in_scope.0,
            Engine::CloudSync => export.in_scope.1,
        };
        assert_eq!(json["objects"]["analyzed"], in_scope as u64, "{engine:?}");
        let found = engine_findings(&json);
        let planted = planted_under(&export, engine);
        let missing: Vec<_> = planted.difference(&found).collect();
        let extra: Vec<_> = found.difference(&planted).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "{engine:?}: missing {missing:#?}\nnot planted {extra:#?}"
        );
        // Every planted case kind is there: none can pass by being absent from the truth.
        let codes: BTreeSet<&str> = export
            .planted
            .iter()
            .filter(|p| p.engines.contains(&engine))
            .map(|p| p.code)
            .collect();
        let expected: &[&str] = match engine {
            Engine::Connect => &[
                "SL1101", "SL1102", "SL1103", "SL1104", "SL1105", "SL1106", "SL1304",
            ],
            Engine::CloudSync => &[
                "SL1102", "SL1103", "SL1104", "SL1105", "SL1106", "SL1107", "SL1110", "SL1111",
                "SL1114", "SL1115", "SL1116", "SL1304",
            ],
        };
        assert_eq!(codes, expected.iter().copied().collect());
        // The 60,000-member group: one finding for the fact under each engine, SL704's note
        // under Connect, SL1110's error under Cloud Sync.
        let big: Vec<(String, String)> = json["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| ["SL704", "SL1110"].contains(&i["rule"].as_str().unwrap()))
            .map(|i| {
                (
                    i["rule"].as_str().unwrap().into(),
                    i["dn"].as_str().unwrap().into(),
                )
            })
            .collect();
        let big_group = export
            .planted
            .iter()
            .find(|p| p.code == "SL1110")
            .map(|p| p.dn.clone())
            .unwrap();
        let code = match engine {
            Engine::Connect => "SL704",
            Engine::CloudSync => "SL1110",
        };
        assert_eq!(big, [(code.to_string(), big_group)], "{engine:?}");
    }
}

#[test]
fn engine_diff_lists_exactly_the_planted_differences() {
    let dir = tempfile::tempdir().unwrap();
    let export = generate(&ForestsOptions {
        big_group_members: 2_000,
        ..ForestsOptions::default()
    });
    let inputs = write(dir.path(), &export);
    let planted: BTreeSet<(String, String)> = export.differences.iter().cloned().collect();
    // The 2,000-member group is under Cloud Sync's limit: not a difference.
    assert!(!planted.iter().any(|(_, k)| k.starts_with("SL1110")));
    for engine in ["connect", "cloud-sync"] {
        let (xlsx, json) = analyze_to(
            dir.path(),
            &format!("diff-{engine}"),
            &inputs,
            &["--engine", engine, "--engine-diff"],
        );
        let diff = &json["engine_diff"];
        let listed: BTreeSet<(String, String)> = diff["differences"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                (
                    d["dn"].as_str().unwrap().to_string(),
                    d["kind"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        let missing: Vec<_> = planted.difference(&listed).collect();
        let extra: Vec<_> = listed.difference(&planted).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "--engine {engine}: missing {missing:#?}\nnot planted {extra:#?}"
        );
        assert_eq!(diff["in_scope"]["connect"], export.in_scope.0 as u64);
        assert_eq!(diff["in_scope"]["cloud-sync"], export.in_scope.1 as u64);
        // Two forests, more objects than the tool takes, a device: not eligible.
        let checks = diff["migration_tool"]["checks"].as_array().unwrap();
        let blockers: Vec<&str> = checks
            .iter()
            .filter(|c| c["status"] == "blocker")
            .map(|c| c["check"].as_str().unwrap())
            .collect();
        assert_eq!(
            blockers,
            [
                "Forests with objects in scope",
                "Device sync (computers Connect synchronizes)"
            ]
        );
        assert_eq!(
            diff["migration_tool"]["verdict"],
            "not eligible for the migration tool"
        );
        // The sheet lists the same differences.
        use calamine::Reader;
        let mut wb: calamine::Xlsx<_> = calamine::open_workbook(&xlsx).unwrap();
        let sheet = wb.worksheet_range("Connect → Cloud Sync").unwrap();
        // Found by its header: the Difference column.
        let kind = sheet
            .rows()
            .find(|r| r.first().is_some_and(|c| *c == "Object (DN)"))
            .and_then(|h| h.iter().position(|c| *c == "Difference"))
            .expect("the differences' header");
        let rows: BTreeSet<(String, String)> = sheet
            .rows()
            .filter(|r| r.len() > kind && r[0].to_string().starts_with("CN="))
            .map(|r| (r[0].to_string(), r[kind].to_string()))
            .collect();
        assert_eq!(rows, listed);
    }
}

#[test]
fn group_scoping_takes_first_level_members_only() {
    let dir = tempfile::tempdir().unwrap();
    let export = generate(&ForestsOptions {
        big_group_members: 10,
        ..ForestsOptions::default()
    });
    let inputs = write(dir.path(), &export);
    let (pilot, direct, nested) = &export.pilot;
    for engine in ["connect", "cloud-sync"] {
        let (_, json) = analyze_to(
            dir.path(),
            &format!("pilot-{engine}"),
            &inputs,
            &["--engine", engine, "--include-group", pilot],
        );
        // The group and its direct members (two users and the nested group).
        assert_eq!(
            json["objects"]["analyzed"],
            1 + direct.len() as u64,
            "{engine}"
        );
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_synclint"))
            .args(["analyze", "-q", "--fail-on", "never", "--no-workbook"])
            .args([
                "--engine",
                engine,
                "--include-group",
                "CN=Nobody,DC=contoso,DC=com",
            ])
            .args(&inputs)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("--include-group CN=Nobody,DC=contoso,DC=com"),
            "{stderr}"
        );
    }
    // The member reachable only through the nested group is out of scope, saying why.
    let ingest = synclint::ingest::read_files(&inputs, &Default::default());
    let scope = synclint::scope::decide(
        &ingest.directory,
        &synclint::scope::ScopeOptions {
            include_group: vec![pilot.clone()],
            engine: Engine::CloudSync,
            ..Default::default()
        },
        synclint::rules::Profile::Entra,
    );
    let d = &ingest.directory;
    let row = (0..d.len()).find(|r| d.dn.get(*r) == Some(nested)).unwrap();
    assert!(
        scope
            .reason(row)
            .unwrap()
            .contains("only through a nested group"),
        "{:?}",
        scope.reason(row)
    );
    assert_eq!(scope.included_groups.len(), 1);
}

#[test]
fn cloud_sync_objects_per_domain_limits() {
    let dir = tempfile::tempdir().unwrap();
    let base = generate(&ForestsOptions {
        big_group_members: 10,
        ..ForestsOptions::default()
    })
    .contoso_in_cloud_scope;
    // At 90 % (135,000) the warning, above 150,000 the error; one fewer, nothing.
    for (total, code) in [
        (134_999, None),
        (135_000, Some("SL1108")),
        (150_001, Some("SL1109")),
    ] {
        let export = generate(&ForestsOptions {
            big_group_members: 10,
            filler: total - base,
            ..ForestsOptions::default()
        });
        assert_eq!(export.contoso_in_cloud_scope, total);
        let inputs = write(dir.path(), &export);
        let ingest = synclint::ingest::read_files(&inputs, &Default::default());
        for engine in [Engine::Connect, Engine::CloudSync] {
            let options = synclint::rules::RuleOptions {
                engine,
                ..Default::default()
            };
            let checked = synclint::analyze::check(&ingest, &Default::default(), &options);
            let limits: Vec<(&str, String)> = checked
                .findings
                .iter()
                .filter(|f| ["SL1108", "SL1109"].contains(&f.rule.code))
                .map(|f| (f.rule.code, f.value(&ingest.directory).to_string()))
                .collect();
            let expected: Vec<(&str, String)> = match (engine, code) {
                (Engine::CloudSync, Some(c)) => vec![(c, "contoso.com".to_string())],
                _ => Vec::new(),
            };
            assert_eq!(limits, expected, "{total} objects, {engine:?}");
        }
    }
}

#[test]
fn generate_forests_writes_both_exports() {
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_synclint"))
        .args(["generate", "--forests", "--objects", "5", "-o"])
        .arg(dir.path().join("f.ldf"))
        .output()
        .unwrap();
    assert_succeeded(&out);
    let a = std::fs::read_to_string(dir.path().join("f.ldf")).unwrap();
    let b = std::fs::read_to_string(dir.path().join("f-fabrikam.ldf")).unwrap();
    assert!(a.contains("dn: CN=Filler 4,OU=Filler,DC=contoso,DC=com"));
    assert!(a.contains("member;range=58500-*: "));
    assert!(b.contains("DC=fabrikam,DC=com") && !b.contains("dn: CN=Filler"));
}

/// The second engine of `--engine-diff` is computed only where its findings can differ
/// (`rules::other_engine`); the differences must be exactly those of running both engines in
/// full and comparing everything: on the two planted forests, on a planted one-forest
/// directory (duplicates, collisions, conflicts, system accounts), and on all of them read
/// together, from either engine, with this engine's value index kept or built again.
#[test]
fn engine_diff_equals_both_engines_run_in_full() {
    use synclint::engine_diff::{compare, Outcome};
    use synclint::rules::RuleOptions;
    use synclint::scope::ScopeOptions;
    let dir = tempfile::tempdir().unwrap();
    let two_forests = write(
        dir.path(),
        &generate(&ForestsOptions {
            big_group_members: 2_000,
            ..ForestsOptions::default()
        }),
    );
    let planted = dir.path().join("planted.ldf");
    synclint::generate::generate(
        &synclint::generate::GenerateOptions {
            objects: 20_000,
            seed: 7,
            planted: true,
            escaped_names: true,
            ..synclint::generate::GenerateOptions::default()
        },
        std::fs::File::create(&planted).unwrap(),
    )
    .unwrap();
    // Objects Connect skips and Cloud Sync syncs that share an address with objects both
    // sync: the duplicates and collisions then differ between the engines.
    let extra = dir.path().join("shared-addresses.ldf");
    std::fs::write(
        &extra,
        "dn: CN=SystemMailbox{1f05a927-0001},CN=Users,DC=contoso,DC=com\n\
         objectClass: user\ncn: SystemMailbox{1f05a927-0001}\nsAMAccountName: SM_0001\n\
         mailNickname: SystemMailbox{1f05a927-0001}\nmail: shared.one@contoso.com\n\
         proxyAddresses: SMTP:shared.one@contoso.com\nobjectGUID:: ZGVmZ2hpamtsbW5vcHFycw==\n\n\
         dn: CN=Shared One,CN=Users,DC=contoso,DC=com\nobjectClass: user\ncn: Shared One\n\
         sAMAccountName: sharedone\nuserPrincipalName: shared.one@contoso.com\n\
         objectGUID:: dHV2d3h5ent8fX5/gIGCgw==\n\n\
         dn: CN=No Mail Contact,CN=Users,DC=contoso,DC=com\nobjectClass: contact\n\
         cn: No Mail Contact\nproxyAddresses: SMTP:team@contoso.com\n\
         objectGUID:: hIWGh4iJiouMjY6PkJGSkw==\n\n\
         dn: CN=Team,CN=Users,DC=contoso,DC=com\nobjectClass: group\ncn: Team\n\
         groupType: -2147483646\nsAMAccountName: team\nproxyAddresses: SMTP:team@contoso.com\n\
         objectGUID:: lJWWl5iZmpucnZ6foKGiow==\n",
    )
    .unwrap();
    let two_forests: Vec<PathBuf> = two_forests.into_iter().chain([extra]).collect();
    let all: Vec<PathBuf> = two_forests
        .iter()
        .cloned()
        .chain([planted.clone()])
        .collect();
    let shown = |d: &synclint::engine_diff::EngineDiff| -> Vec<(usize, String, String)> {
        d.differences
            .iter()
            .map(|x| (x.row, x.kind.label(), x.detail.clone()))
            .collect()
    };
    let mut kinds: BTreeSet<String> = BTreeSet::new();
    for inputs in [two_forests.clone(), vec![planted.clone()], all] {
        let ingest = synclint::ingest::read_files(&inputs, &Default::default());
        let full = |engine| {
            let options = RuleOptions {
                engine,
                ..Default::default()
            };
            synclint::analyze::check(&ingest, &ScopeOptions::default(), &options)
        };
        let (connect, cloud) = (full(Engine::Connect), full(Engine::CloudSync));
        let d = &ingest.directory;
        let expected = compare(
            d,
            &Outcome::complete(Engine::Connect, &connect.scope, &connect.findings),
            &Outcome::complete(Engine::CloudSync, &cloud.scope, &cloud.findings),
            &ScopeOptions::default(),
            &synclint::forest::Forests::of(d),
        );
        let expected = shown(&expected);
        kinds.extend(
            expected
                .iter()
                .map(|(_, k, _)| k.split(" only under").next().unwrap().to_string()),
        );
        for engine in [Engine::Connect, Engine::CloudSync] {
            for keep_index in [true, false] {
                let ingest = synclint::ingest::read_files(&inputs, &Default::default());
                let options = RuleOptions {
                    engine,
                    keep_index,
                    ..Default::default()
                };
                let checked = synclint::analyze::check(&ingest, &ScopeOptions::default(), &options);
                let mut a = synclint::analyze::Analysis::from_checked(
                    ingest,
                    checked,
                    options,
                    Default::default(),
                );
                synclint::analyze::compare_engines(&mut a, &ScopeOptions::default());
                let found = shown(a.engine_diff.as_ref().unwrap());
                assert!(
                    found == expected,
                    "{inputs:?} from {engine:?} (index kept: {keep_index}): {} listed, {} expected; first difference {:?}",
                    found.len(),
                    expected.len(),
                    found
                        .iter()
                        .zip(&expected)
                        .find(|(a, b)| a != b)
                        .or(None)
                );
            }
        }
    }
    // Differences of every kind were compared (scope, anchor, an engine rule, a duplicate or
    // collision), or the test could pass on nothing.
    assert!(
        kinds.contains("in scope") && kinds.contains("anchor changes"),
        "{kinds:?}"
    );
    assert!(kinds.iter().any(|k| k.starts_with("SL11")), "{kinds:?}");
    assert!(kinds.iter().any(|k| k.starts_with("SL8")), "{kinds:?}");
}

/// Group members are read value by value only where Cloud Sync's model needs them
/// (`ReadOptions::member_values`, which the CLI turns off under Connect): under Connect the
/// findings are the same without them; under Cloud Sync the cross-forest references (SL1116)
/// and group scoping need them, so dropping them would change the outcome.
#[test]
fn member_values_matter_only_to_cloud_sync() {
    let dir = tempfile::tempdir().unwrap();
    let export = generate(&ForestsOptions::default());
    let inputs = write(dir.path(), &export);
    let run = |engine: Engine, member_values: bool| -> Vec<(String, String, String, String)> {
        let a = synclint::analyze::run(
            &inputs,
            &synclint::ingest::ReadOptions {
                member_values,
                ..Default::default()
            },
            &synclint::scope::ScopeOptions::default(),
            synclint::rules::RuleOptions {
                engine,
                ..Default::default()
            },
        );
        let d = &a.ingest.directory;
        let mut rows: Vec<_> = a
            .findings
            .iter()
            .map(|f| {
                (
                    f.rule.code.to_string(),
                    d.dn.get(f.row as usize).unwrap_or_default().to_string(),
                    f.value(d).to_string(),
                    a.findings.note(d, f).into_owned(),
                )
            })
            .collect();
        rows.sort();
        rows
    };
    let connect = run(Engine::Connect, true);
    assert!(!connect.is_empty());
    assert_eq!(connect, run(Engine::Connect, false));
    let cloud = run(Engine::CloudSync, true);
    let cloud_without = run(Engine::CloudSync, false);
    // Without member values, the references made through `member` are gone (those through
    // manager and managedBy stay).
    let references =
        |rows: &[(String, String, String, String)]| rows.iter().filter(|r| r.0 == "SL1116").count();
    assert!(
        references(&cloud) > references(&cloud_without),
        "{cloud_without:?}"
    );
}
