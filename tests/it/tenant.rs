//! Tenant matching (`analyze --tenant`, issue 18): a generated directory and the tenant
//! export planted around it (`generate --tenant`), in every accepted users format, each with
//! the groups and contacts as JSON and as CSV; every planted object gets the outcome
//! truth.json gives for that format, and the counts per outcome equal the truth's. The truth is the plants' intent and each format's declared
//! properties (generate/tenant.rs), not the matching code.

use crate::{assert_succeeded, temp_file};
use calamine::{open_workbook, Reader, Xlsx};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use synclint::generate::tenant::{
    generate_tenant, GROUP_CONTACT_FILES, REST_SECOND_PAGE, SHARED_FILES, USER_FORMATS,
};
use synclint::generate::{generate, GenerateOptions};
use synclint::ingest::ReadOptions;
use synclint::rules::RuleOptions;
use synclint::scope::ScopeOptions;
use synclint::tenant::Outcome;

fn options(seed: u64) -> GenerateOptions {
    GenerateOptions {
        objects: 3000,
        seed,
        planted: true,
        escaped_names: true,
        ..GenerateOptions::default()
    }
}

/// The directory and its tenant in `dir`; returns the export's path.
fn directory_and_tenant(dir: &Path, seed: u64) -> PathBuf {
    let mut bytes = Vec::new();
    generate(&options(seed), &mut bytes).expect("generate");
    let export = dir.join("directory.ldf");
    std::fs::write(&export, bytes).expect("write");
    generate_tenant(&options(seed), 200, &dir.join("tenant")).expect("tenant");
    export
}

/// The tenant files one users format is analyzed with, with the groups and contacts files
/// `pair` of [`GROUP_CONTACT_FILES`].
fn tenant_files(dir: &Path, users: &str, pair: usize) -> Vec<PathBuf> {
    let t = dir.join("tenant");
    let mut files = vec![t.join(users)];
    if users.starts_with("rest-") {
        files.push(t.join(REST_SECOND_PAGE));
    }
    let (groups, contacts) = GROUP_CONTACT_FILES[pair];
    files.push(t.join(groups));
    files.push(t.join(contacts));
    files.extend(SHARED_FILES.iter().map(|f| t.join(f)));
    files
}

/// Runs the synclint binary with `args` and asserts that it succeeded.
fn run_synclint(args: &[String]) -> std::process::Output {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_synclint"))
        .args(args)
        .output()
        .expect("run");
    assert_succeeded(&out);
    out
}

fn truth(dir: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(dir.join("tenant/truth.json")).expect("truth"))
        .expect("JSON")
}

#[test]
fn every_planted_outcome_is_predicted_in_every_users_format() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let export = directory_and_tenant(tmp.path(), 11);
    let truth = truth(tmp.path());
    let mut planted_outcomes = std::collections::BTreeSet::new();
    let runs = USER_FORMATS
        .iter()
        .flat_map(|u| (0..GROUP_CONTACT_FILES.len()).map(move |pair| (u, pair)));
    for (&(users, declared), pair) in runs {
        let files = tenant_files(tmp.path(), users, pair);
        let tenant = synclint::tenant::read_files(&files);
        for input in &tenant.inputs {
            assert_eq!(input.error, None, "{users}");
            assert_eq!(input.rejected, 0, "{}: {:?}", input.path, input.rejections);
            assert!(
                input.warnings.is_empty(),
                "{}: {:?}",
                input.path,
                input.warnings
            );
        }
        // Both groups and contacts files hold every planted and background group and
        // contact (the pairs hold the same objects).
        let (groups, contacts) = GROUP_CONTACT_FILES[pair];
        let of = |name: &str| {
            tenant
                .inputs
                .iter()
                .find(|i| i.path.ends_with(name))
                .expect("input")
        };
        assert!(of(groups).groups > 20, "{groups}: {:?}", of(groups));
        assert_eq!(of(groups).groups, of(groups).records, "{groups}");
        assert!(of(contacts).contacts > 20, "{contacts}: {:?}", of(contacts));
        assert_eq!(of(contacts).contacts, of(contacts).records, "{contacts}");
        let sid_carried = declared.contains(&synclint::tenant::Property::SecurityIdentifier);
        // The reader saw exactly the properties the format carries.
        let carried: Vec<_> = tenant.inputs[0].carried.iter().copied().collect();
        let mut declared = declared.to_vec();
        declared.sort();
        assert_eq!(carried, declared, "{users}");
        let analysis = synclint::analyze::run(
            std::slice::from_ref(&export),
            &ReadOptions::default(),
            &ScopeOptions::default(),
            RuleOptions {
                tenant: Some(Arc::new(tenant)),
                ..RuleOptions::default()
            },
        );
        let prediction = analysis.tenant.as_ref().expect("prediction");
        let dir = &analysis.ingest.directory;
        // A users file without onPremisesSecurityIdentifier: the SID check says it did not
        // look at its objects, never guesses.
        let sid_unknown = prediction.not_checked.iter().any(|n| {
            n.starts_with("duplicate SID") && n.contains(users) && n.contains("not checked")
        });
        assert_eq!(
            sid_unknown, !sid_carried,
            "{users}: {:?}",
            prediction.not_checked
        );
        let predicted: BTreeMap<&str, Outcome> = prediction
            .objects
            .iter()
            .map(|p| (dir.dn.get(p.row as usize).unwrap_or(""), p.outcome))
            .collect();
        let expected = &truth["formats"][users];
        let objects = expected["objects"].as_object().expect("objects");
        assert!(objects.len() > 100, "{users}: {} planted", objects.len());
        for (dn, outcome) in objects {
            let outcome = outcome.as_str().expect("outcome");
            planted_outcomes.insert(outcome.to_string());
            let got = predicted.get(dn.as_str()).map_or("created", |o| o.name());
            assert_eq!(got, outcome, "{users} with {groups}, {contacts}: {dn}");
        }
        // Counts per outcome: exactly the truth's (nothing predicted beyond the plants).
        for outcome in Outcome::ALL.iter().filter(|o| **o != Outcome::Created) {
            let want = expected["counts"][outcome.name()].as_u64().unwrap_or(0);
            assert_eq!(
                prediction.counts[outcome.name()],
                want,
                "{users}: {}",
                outcome.name()
            );
        }
        // Every object that syncs as a user, group or contact has one outcome.
        let syncing = (0..dir.len())
            .filter(|r| analysis.scope.in_scope(*r))
            .filter(|r| {
                !matches!(
                    dir.kind[*r],
                    synclint::directory::ObjectKind::Computer
                        | synclint::directory::ObjectKind::Other
                )
            })
            .count() as u64;
        assert_eq!(prediction.counts.values().sum::<u64>(), syncing, "{users}");
        // Each non-trivial outcome is a finding of its rule, naming the tenant input.
        for p in &prediction.objects {
            let rule = synclint::rules::tenant::rule_of(p.outcome).expect("rule");
            let finding = analysis
                .findings
                .iter()
                .find(|f| f.row == p.row && f.rule.code == rule.code)
                .unwrap_or_else(|| panic!("{users}: no {} for row {}", rule.code, p.row));
            let note = finding.own_note().unwrap_or("");
            if p.target.is_some() {
                assert!(note.contains("tenant/"), "{users}: {note}");
            }
        }
    }
    // Every outcome is planted in some format.
    for outcome in Outcome::ALL {
        assert!(
            planted_outcomes.contains(outcome.name()),
            "{} never planted",
            outcome.name()
        );
    }
}

#[test]
fn the_cli_writes_the_sheet_the_json_and_the_csv() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let export = directory_and_tenant(tmp.path(), 12);
    let truth = truth(tmp.path());
    let xlsx = tmp.path().join("report.xlsx");
    let json = tmp.path().join("report.json");
    let csv = tmp.path().join("csv");
    let mut args: Vec<String> = vec![
        "analyze".into(),
        "-q".into(),
        "--fail-on".into(),
        "never".into(),
        "-o".into(),
        xlsx.display().to_string(),
        "--json".into(),
        json.display().to_string(),
        "--csv-dir".into(),
        csv.display().to_string(),
        export.display().to_string(),
        "--tenant".into(),
    ];
    args.extend(
        tenant_files(tmp.path(), "rest-users-1.json", 1)
            .iter()
            .map(|p| p.display().to_string()),
    );
    let out = run_synclint(&args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("tenant matching: "), "{stderr}");
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&json).expect("json")).expect("JSON");
    let outcomes = &summary["tenant"]["outcomes"];
    let expected = &truth["formats"]["rest-users-1.json"]["counts"];
    let mut non_trivial = 0;
    for outcome in Outcome::ALL.iter().filter(|o| **o != Outcome::Created) {
        let want = expected[outcome.name()].as_u64().unwrap_or(0);
        assert_eq!(
            outcomes[outcome.name()].as_u64(),
            Some(want),
            "{}",
            outcome.name()
        );
        non_trivial += want;
    }
    // The tenant's verified domains replaced the heuristic.
    let verified = summary["verified_domains"].as_array().expect("verified");
    assert!(
        verified.iter().any(|d| d == "tailspintoys.com"),
        "{verified:?}"
    );
    assert_eq!(summary["tenant"]["capacity"]["quota"], 300_000);
    // The sheet: one row per non-trivial outcome.
    let mut wb: Xlsx<_> = open_workbook(&xlsx).expect("workbook");
    let sheet = wb.worksheet_range("Tenant matching").expect("sheet");
    assert_eq!(sheet.height() as u64 - 1, non_trivial);
    let header: Vec<String> = sheet
        .rows()
        .next()
        .expect("header")
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert!(
        header.contains(&"What to do before syncing".to_string()),
        "{header:?}"
    );
    // The CSV: the same rows.
    let text = std::fs::read_to_string(csv.join("tenant-matching.csv")).expect("csv");
    assert_eq!(text.lines().count() as u64 - 1, non_trivial);
}

#[test]
fn bad_tenant_records_are_reported_and_the_run_goes_on() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let export = directory_and_tenant(tmp.path(), 13);
    let broken = temp_file(
        &tmp,
        "broken.json",
        b"[\n{\"Id\":\"1\",\"UserPrincipalName\":\"a@contoso.com\",\"ProxyAddresses\":[{\"no\":1}]},\n\"text\",\n{\"Id\":\"2\",\"UserPrincipalName\":\"b@contoso.com\"}\n]\n",
    );
    let not_json = temp_file(&tmp, "cut.json", b"[\n{\"Id\": \"1\",\n");
    let missing = tmp.path().join("missing.json");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_synclint"))
        .args(["analyze", "-q", "--fail-on", "never", "--no-workbook"])
        .arg(&export)
        .arg("--tenant")
        .args([&broken, &not_json, &missing])
        .output()
        .expect("run");
    assert_succeeded(&out);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("broken.json: 2 of 3 tenant records rejected (first: line 2: "),
        "{stderr}"
    );
    assert!(stderr.contains("cut.json:3:"), "{stderr}");
    assert!(stderr.contains("missing.json: cannot read"), "{stderr}");
    assert!(stderr.contains("tenant matching: "), "{stderr}");
}

/// With the tenant's domains given, the tenant judges every UPN suffix (SL1011) and SMTP
/// domain (SL1013) and the heuristics (SL104 non-routable, SL105 unverified, SL407 proxy
/// non-routable) stand aside; without them, the heuristics stay. No fact is lost: every
/// object a heuristic flags without the tenant is flagged by the tenant rule with it.
#[test]
fn tenant_domains_replace_the_suffix_heuristics() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let export = directory_and_tenant(tmp.path(), 21);
    let run = |tenant: bool| -> serde_json::Value {
        let json = tmp.path().join(format!("tenant-{tenant}.json"));
        let mut args: Vec<String> = vec![
            "analyze".into(),
            "-q".into(),
            "--fail-on".into(),
            "never".into(),
            "--no-workbook".into(),
            "--json".into(),
            json.display().to_string(),
            export.display().to_string(),
        ];
        if tenant {
            args.push("--tenant".into());
            args.extend(
                tenant_files(tmp.path(), "graph-users.json", 0)
                    .iter()
                    .map(|p| p.display().to_string()),
            );
        }
        run_synclint(&args);
        serde_json::from_slice(&std::fs::read(&json).expect("json")).expect("JSON")
    };
    let dns_with = |summary: &serde_json::Value, codes: &[&str]| -> BTreeMap<String, usize> {
        let mut out = BTreeMap::new();
        for item in summary["items"].as_array().expect("items") {
            if codes.iter().any(|c| item["rule"] == *c) {
                *out.entry(item["dn"].as_str().expect("dn").to_string())
                    .or_default() += 1;
            }
        }
        out
    };
    let without = run(false);
    let with = run(true);
    let upn_heuristic = dns_with(&without, &["SL104", "SL105"]);
    let proxy_heuristic = dns_with(&without, &["SL407"]);
    assert!(!upn_heuristic.is_empty() && !proxy_heuristic.is_empty());
    assert!(dns_with(&with, &["SL104", "SL105", "SL407"]).is_empty());
    let upn_tenant = dns_with(&with, &["SL1011"]);
    let proxy_tenant = dns_with(&with, &["SL1013"]);
    for dn in upn_heuristic.keys() {
        assert!(
            upn_tenant.contains_key(dn),
            "UPN suffix of {dn} no longer reported"
        );
    }
    for (dn, n) in &proxy_heuristic {
        assert!(
            proxy_tenant.get(dn).is_some_and(|m| m >= n),
            "addresses of {dn} no longer reported"
        );
    }
    // The tenant rules never fire without the tenant.
    assert!(dns_with(&without, &["SL1011", "SL1013"]).is_empty());
}
