//! AD Explorer snapshots: a real one checked against an independent dump, generated ones
//! against the same objects as csvde, and damaged copies.

use crate::{analyze_to, assert_reconciles, read};
use rand::{Rng, SeedableRng};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use synclint::directory::{Attr, Directory};
use synclint::generate::{snapshot, GenerateOptions};
use synclint::ingest::adexplorer::{self, Snapshot};
use synclint::ingest::{read_files, FileReport, Format, ReadOptions};

fn real() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/adexplorer/detectionlab.dat")
}

fn expected() -> serde_json::Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/adexplorer/detectionlab.expected.json");
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn generated(options: &GenerateOptions) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    snapshot::generate(options, &mut out).unwrap();
    out.into_inner()
}

fn planted(objects: u64, seed: u64) -> GenerateOptions {
    GenerateOptions {
        objects,
        seed,
        planted: true,
        escaped_names: true,
        ..GenerateOptions::default()
    }
}

/// Reads snapshot bytes as the reader of a file does, without a file.
fn read_bytes(data: &[u8]) -> (Directory, FileReport, adexplorer::Outcome) {
    let mut directory = Directory::default();
    let mut report = FileReport::default();
    let outcome = adexplorer::read_bytes(data, 0, &mut directory, &mut report, None, |_| {});
    report.objects = directory.len() as u64;
    (directory, report, outcome)
}

fn values(v: &serde_json::Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn real_snapshot_counts_and_users_equal_the_independent_dump() {
    let ingest = read(&[real()]);
    assert_reconciles(&ingest);
    let file = &ingest.files[0];
    assert_eq!(file.format, Some(Format::Adexplorer));
    assert!(file.error.is_none(), "{:?}", file.error);
    assert_eq!(file.rejected, 0);
    let dir = &ingest.directory;
    let dump = expected();
    assert_eq!(dump["header_objects"], 3848);

    // The dump's parser reads the header's count of records; the file holds one more
    // (DC=RootDNSServers, as in every AD Explorer snapshot seen: the last record), which a
    // reader that follows the records up to the attribute table also reads.
    assert_eq!(dir.len(), 3849);
    let last = dir.len() - 1;
    assert_eq!(
        dir.dn.get(last),
        Some("DC=RootDNSServers,CN=MicrosoftDNS,CN=System,DC=windomain,DC=local")
    );
    assert_eq!(dir.object_class.get(last), None);
    assert!(
        file.warnings.iter().all(|w| !w.contains("more than")),
        "{:?}",
        file.warnings
    );

    let mut ours: BTreeMap<String, u64> = BTreeMap::new();
    for row in 0..last {
        *ours
            .entry(dir.object_class.get(row).unwrap_or("").to_string())
            .or_default() += 1;
    }
    let theirs: BTreeMap<String, u64> = dump["per_class"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_u64().unwrap()))
        .collect();
    assert_eq!(ours, theirs);
    assert_eq!(theirs["user"], 6);
    assert_eq!(theirs["attributeSchema"], 1498);

    let users = dump["users"].as_array().unwrap();
    let our_users: Vec<usize> = (0..dir.len())
        .filter(|r| dir.object_class.get(*r) == Some("user"))
        .collect();
    assert_eq!(our_users.len(), users.len());
    for user in users {
        let dn = user["dn"].as_str().unwrap();
        let row = crate::row_of(dir, dn);
        let one = |attr| -> Vec<String> {
            dir.text(attr, row)
                .map(str::to_string)
                .into_iter()
                .collect()
        };
        assert_eq!(
            one(Attr::SamAccountName),
            values(&user["sAMAccountName"]),
            "{dn}"
        );
        assert_eq!(
            one(Attr::UserPrincipalName),
            values(&user["userPrincipalName"]),
            "{dn}"
        );
        assert_eq!(one(Attr::Mail), values(&user["mail"]), "{dn}");
        let proxies: Vec<String> = dir.proxy_addresses.get(row).map(str::to_string).collect();
        assert_eq!(proxies, values(&user["proxyAddresses"]), "{dn}");
        assert!(dir.object_guid[row].is_some(), "{dn}: objectGUID");
    }
}

#[test]
fn real_snapshot_values_are_typed_as_ldifde_writes_them() {
    let ingest = read(&[real()]);
    let dir = &ingest.directory;
    let admins = crate::row_of(dir, "CN=Domain Admins,CN=Users,DC=windomain,DC=local");
    // INTEGER syntax, signed as ldifde writes it: a global security group.
    assert_eq!(dir.int(Attr::GroupType, admins), Some(-2147483646));
    assert_eq!(
        dir.boolean(Attr::IsCriticalSystemObject, admins),
        Some(true)
    );
    assert!(dir.count(Attr::Member, admins) >= 1);
    let vagrant = crate::row_of(dir, "CN=vagrant,CN=Users,DC=windomain,DC=local");
    assert_eq!(dir.int(Attr::UserAccountControl, vagrant), Some(66048));
    // The snapshot's header.
    let data = std::fs::read(real()).unwrap();
    let snapshot = Snapshot::parse(&data).unwrap();
    assert_eq!(snapshot.header.server, "dc.windomain.local");
    assert_eq!(snapshot.header.objects, 3848);
    assert_eq!(snapshot.properties.len(), 1498);
    assert!(snapshot.table_damage.is_none());
}

#[test]
fn real_snapshot_analyzes_end_to_end_with_schema_and_configuration_out_of_scope() {
    let dir = tempfile::tempdir().unwrap();
    let (_, summary) = analyze_to(dir.path(), "dl", &[real()], &[]);
    let objects = &summary["objects"];
    assert_eq!(objects["read"], 3849);
    assert_eq!(
        objects["read"].as_u64(),
        Some(
            objects["analyzed"].as_u64().unwrap()
                + objects["out_of_scope"].as_u64().unwrap()
                + objects["rejected"].as_u64().unwrap()
        )
    );
    // The console's "not checked" warning breaks the out-of-scope count down into parts that
    // add up to it (the three largest reasons, then the rest in one figure).
    let warning = summary["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|w| w.as_str())
        .find(|w| w.contains("not checked"))
        .expect("a mostly out-of-scope input is said to be");
    let parts: u64 = warning
        .split_once("): ")
        .unwrap()
        .1
        .split(", ")
        // Reasons hold ", " too ("not a user, contact, group or computer"): a part starts
        // with its figure.
        .filter_map(|part| part.split(' ').next()?.replace(',', "").parse::<u64>().ok())
        .sum();
    assert_eq!(Some(parts), objects["out_of_scope"].as_u64(), "{warning}");
    // The DetectionLab domain: two ordinary users without a UPN; the built-in accounts and
    // groups are critical system objects, schema and configuration are never synchronized.
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
        .collect();
    items.sort();
    assert_eq!(
        items,
        [
            ("SL106", "CN=blaatschaap,CN=Users,DC=windomain,DC=local"),
            ("SL106", "CN=vagrant,CN=Users,DC=windomain,DC=local"),
            // Readiness: the domain has computers but no Seamless SSO account (advice), the
            // lab never configured hybrid join (no device registration SCP under CN=Services)
            // nor the AD Recycle Bin (CN=Partitions' msDS-EnabledFeature names none).
            ("SL1201", "DC=windomain,DC=local"),
            (
                "SL1221",
                "CN=Services,CN=Configuration,DC=windomain,DC=local"
            ),
            (
                "SL1227",
                "CN=Partitions,CN=Configuration,DC=windomain,DC=local"
            ),
            // Hybrid join: Windows 10 1909 (build 18363, before 2004); the domain controller;
            // neither WEF nor WIN10 has registered (no userCertificate).
            ("SL1252", "CN=WIN10,OU=Workstations,DC=windomain,DC=local"),
            (
                "SL1254",
                "CN=DC,OU=Domain Controllers,DC=windomain,DC=local"
            ),
            ("SL1255", "CN=WEF,OU=Servers,DC=windomain,DC=local"),
            ("SL1255", "CN=WIN10,OU=Workstations,DC=windomain,DC=local"),
            // Writeback: the default domain policy's 1-day minimum password age; vagrant is
            // a protected account (adminCount 1).
            ("SL1351", "DC=windomain,DC=local"),
            ("SL1352", "CN=vagrant,CN=Users,DC=windomain,DC=local"),
        ]
        .map(|(r, d)| (r.to_string(), d.to_string()))
    );
    // The out-of-scope reasons name the partitions.
    let ingest = read(&[real()]);
    let scope = synclint::scope::decide(
        &ingest.directory,
        &Default::default(),
        synclint::rules::Profile::Entra,
    );
    let reasons = |word: &str| {
        (0..ingest.directory.len())
            .filter(|r| scope.reason(*r).is_some_and(|x| x.contains(word)))
            .count()
    };
    assert_eq!(reasons("in the schema partition"), 1498 + 269 + 2);
    assert!(reasons("in the configuration partition") > 1500);
}

/// generate → snapshot → analyze gives what generate → csvde → analyze gives.
#[test]
fn generated_snapshot_gives_the_same_findings_as_csvde() {
    let dir = tempfile::tempdir().unwrap();
    let options = planted(4000, 11);
    let dat = crate::temp_file(&dir, "export.dat", &generated(&options));
    let mut csv = Vec::new();
    synclint::generate::generate(
        &GenerateOptions {
            format: Format::Csvde,
            ..options.clone()
        },
        &mut csv,
    )
    .unwrap();
    let csv = crate::temp_file(&dir, "export.csv", &csv);
    let (_, a) = analyze_to(dir.path(), "dat", &[dat], &[]);
    let (_, b) = analyze_to(dir.path(), "csv", &[csv], &[]);
    assert_eq!(a["objects"], b["objects"]);
    assert!(a["findings"]["total"].as_u64().unwrap() > 1000);
    assert_eq!(a["findings"], b["findings"]);
    let key = |s: &serde_json::Value| {
        let mut v: Vec<String> = s["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| format!("{} {} {} {}", i["id"], i["rule"], i["dn"], i["value"]))
            .collect();
        v.sort();
        v
    };
    assert_eq!(key(&a), key(&b));
}

#[test]
fn generated_snapshot_shares_values_with_negative_offsets_and_reads_back() {
    let data = generated(&planted(2000, 3));
    let snapshot = Snapshot::parse(&data).unwrap();
    assert_eq!(snapshot.header.objects, 2000);
    // The writer stores repeated values once: some entries point back before their record.
    let mut backwards = 0;
    for r in snapshot.records() {
        let r = r.unwrap();
        let entries = u32::from_le_bytes(data[r.offset + 4..r.offset + 8].try_into().unwrap());
        for i in 0..entries as usize {
            let at = r.offset + 8 + 8 * i + 4;
            backwards += usize::from(i32::from_le_bytes(data[at..at + 4].try_into().unwrap()) < 0);
        }
    }
    assert!(backwards > 2000, "{backwards}");
    let (dir, report, outcome) = read_bytes(&data);
    assert!(outcome.stopped.is_none());
    assert_eq!(dir.len(), 2000);
    assert_eq!(report.rejected, 0);
}

/// A snapshot of one domain with a csvde export of another, in one run.
#[test]
fn snapshot_and_csvde_of_another_domain_in_one_run() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("other.csv");
    let mut bytes = Vec::new();
    synclint::generate::generate(
        &GenerateOptions {
            objects: 500,
            format: Format::Csvde,
            domains: 1,
            ..GenerateOptions::default()
        },
        &mut bytes,
    )
    .unwrap();
    std::fs::write(&csv, bytes).unwrap();
    let ingest = read(&[real(), csv.clone()]);
    assert_reconciles(&ingest);
    assert_eq!(ingest.files[0].format, Some(Format::Adexplorer));
    assert_eq!(ingest.files[1].format, Some(Format::Csvde));
    assert_eq!(ingest.directory.len(), 3849 + 500);
    let (_, summary) = analyze_to(dir.path(), "both", &[real(), csv], &[]);
    assert_eq!(summary["objects"]["read"], 3849 + 500);
    assert_eq!(summary["inputs"].as_array().unwrap().len(), 2);
}

#[test]
fn snapshot_is_read_the_same_when_spilled_and_when_forced() {
    let dir = tempfile::tempdir().unwrap();
    let data = generated(&planted(1500, 5));
    // A name that says nothing: detection is by content.
    let path = crate::temp_file(&dir, "export.bin", &data);
    let plain = read(std::slice::from_ref(&path));
    let spilled = read_files(
        std::slice::from_ref(&path),
        &ReadOptions {
            spill_dir: Some(dir.path().to_path_buf()),
            format: Some(Format::Adexplorer),
            ..ReadOptions::default()
        },
    );
    assert!(matches!(spilled.spill, Some(Ok(_))));
    assert_eq!(plain.directory.len(), 1500);
    assert_eq!(spilled.directory.len(), 1500);
    for row in (0..1500).step_by(7) {
        assert_eq!(plain.directory.dn.get(row), spilled.directory.dn.get(row));
        assert_eq!(
            plain.directory.text(Attr::UserPrincipalName, row),
            spilled.directory.text(Attr::UserPrincipalName, row)
        );
    }
    // A text export forced as a snapshot is refused with a reason, not misread.
    let ldf = crate::planted_export(dir.path(), "x.ldf", 10, 1);
    let forced = read_files(
        &[ldf],
        &ReadOptions {
            format: Some(Format::Adexplorer),
            ..ReadOptions::default()
        },
    );
    assert_eq!(forced.directory.len(), 0);
    assert!(forced.files[0]
        .error
        .as_deref()
        .unwrap()
        .contains("win-ad-"));
}

#[test]
fn fix_and_baseline_work_on_a_snapshot() {
    crate::fix::every_suggestion_applied(Format::Adexplorer, &[]);
}

/// The byte offset a damage message names.
fn offset_in(message: &str) -> u64 {
    let at = message.find("at byte ").expect(message) + 8;
    message[at..]
        .split(|c: char| !c.is_ascii_digit())
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

#[test]
fn truncated_snapshots_say_where_they_stop() {
    let data = std::fs::read(real()).unwrap();
    let table = Snapshot::parse(&data).unwrap().header.table_offset as usize;
    let dir = tempfile::tempdir().unwrap();
    for cut in [
        9,
        600,
        0x43e + 100,
        1_000_000,
        table - 3,
        table + 3,
        table + 50_000,
        table + 250_000,
    ] {
        let path = crate::temp_file(&dir, &format!("cut{cut}.dat"), &data[..cut]);
        let ingest = read(std::slice::from_ref(&path));
        assert_reconciles(&ingest);
        let file = &ingest.files[0];
        let error = file
            .error
            .as_deref()
            .unwrap_or_else(|| panic!("cut at {cut}: no error"));
        let offset = offset_in(error);
        assert!(offset <= cut as u64, "cut at {cut}: {error}");
        if cut < table {
            // Without the attribute table (at the end) no record can be read; the message
            // says how many intact records there were.
            assert_eq!(file.objects, 0, "{error}");
            if cut > 0x43e {
                assert!(error.contains("intact object records"), "{error}");
            }
        } else if cut < table + 204_214 {
            // Cut before the table names distinguishedName: nothing can be read.
            assert_eq!(file.objects, 0, "{error}");
            assert!(error.contains("intact object records"), "{error}");
        } else {
            // Cut after it: every record is read with the attributes the table still names.
            assert_eq!(file.objects, 3849, "cut at {cut}: {error}");
            assert!(error.contains("objects read before it are kept"), "{error}");
        }
    }
    // The classes and rights after the attribute table are not needed: a cut there loses
    // nothing this reader uses.
    let path = crate::temp_file(&dir, "cut-tail.dat", &data[..data.len() - 1]);
    let ingest = read(&[path]);
    assert!(ingest.files[0].error.is_none());
    assert_eq!(ingest.directory.len(), 3849);
}

#[test]
fn a_broken_record_chain_keeps_the_records_before_it() {
    let mut data = generated(&planted(3000, 9));
    let snapshot = Snapshot::parse(&data).unwrap();
    let records: Vec<_> = snapshot.records().map(Result::unwrap).collect();
    let broken = records[1234].offset;
    drop(snapshot);
    // A record size reaching past the attribute table.
    data[broken..broken + 4].copy_from_slice(&u32::MAX.to_le_bytes());
    let (dir, report, outcome) = read_bytes(&data);
    assert_eq!(dir.len(), 1234);
    assert_eq!(report.rejected, 0);
    let stopped = outcome.stopped.unwrap();
    assert_eq!(stopped.offset, broken as u64);
    assert!(stopped.reason.contains("record 1235"), "{stopped}");
}

/// A record size of 0 ends AD Explorer's chain of records. Where a stretch of the file is
/// zeroed, the chain ends there too, early: the records before it are kept, and the reading
/// stops with a damage that says how many of the header's objects were not reached, instead
/// of a shorter directory and no word (before, 1,234 of 3,000 objects and exit code 0).
#[test]
fn a_zeroed_stretch_ends_the_chain_with_a_damage_not_in_silence() {
    let mut data = generated(&planted(3000, 9));
    let snapshot = Snapshot::parse(&data).unwrap();
    let records: Vec<_> = snapshot.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), 3000);
    let zeroed = records[1234].offset;
    drop(snapshot);
    data[zeroed..zeroed + 4096].fill(0);
    let (dir, report, outcome) = read_bytes(&data);
    assert_eq!(dir.len(), 1234);
    assert_eq!(report.rejected, 0);
    let stopped = outcome.stopped.expect("a damage");
    assert_eq!(stopped.offset, zeroed as u64);
    assert!(
        stopped.reason.contains("after 1234 of the 3000"),
        "{stopped}"
    );
}

#[test]
fn a_damaged_value_rejects_its_record_only() {
    let mut data = generated(&planted(500, 2));
    let snapshot = Snapshot::parse(&data).unwrap();
    let record = snapshot.records().nth(99).unwrap().unwrap();
    drop(snapshot);
    // The first entry's value offset, pointed outside the file.
    let at = record.offset + 12;
    data[at..at + 4].copy_from_slice(&i32::MIN.to_le_bytes());
    let (dir, report, outcome) = read_bytes(&data);
    assert!(outcome.stopped.is_none());
    assert_eq!(dir.len(), 499);
    assert_eq!(report.rejected, 1);
    let rejection = &report.rejections[0];
    assert_eq!(rejection.line, 100);
    // The message names the attribute's entry in the record's table.
    assert!(
        rejection
            .reason
            .contains(&format!("at byte {}", record.offset + 8)),
        "{}",
        rejection.reason
    );
}

#[test]
fn random_byte_flips_never_panic_and_reconcile() {
    let clean = generated(&planted(400, 4));
    let real = std::fs::read(real()).unwrap();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(17);
    for round in 0..300 {
        let base = if round % 3 == 0 { &real } else { &clean };
        let mut data = base.clone();
        for _ in 0..rng.random_range(1..=32) {
            let i = rng.random_range(0..data.len());
            data[i] = rng.random();
        }
        let cut = if round % 5 == 0 {
            rng.random_range(0..data.len())
        } else {
            data.len()
        };
        let (dir, report, outcome) = read_bytes(&data[..cut]);
        assert_eq!(report.objects as usize, dir.len());
        assert!(report.rejections.len() as u64 <= report.rejected);
        if let Some(stopped) = outcome.stopped {
            assert!(stopped.offset <= cut as u64, "round {round}: {stopped}");
        }
    }
}

#[test]
fn invalid_utf16_is_decoded_with_replacements_and_counted() {
    let mut data = generated(&planted(50, 1));
    let (clean, _, _) = read_bytes(&data);
    let name = clean.text(Attr::DisplayName, 0).unwrap().to_string();
    let utf16: Vec<u8> = name.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let at = data
        .windows(utf16.len())
        .position(|w| w == utf16.as_slice())
        .unwrap();
    // A lone high surrogate in place of the first character.
    data[at..at + 2].copy_from_slice(&0xD800u16.to_le_bytes());
    let (dir, report, outcome) = read_bytes(&data);
    assert!(outcome.stopped.is_none());
    assert_eq!(dir.len(), 50);
    assert!(report.lossy_values >= 1);
    let damaged = dir.text(Attr::DisplayName, 0).unwrap();
    assert!(damaged.starts_with('\u{FFFD}'), "{damaged}");
    assert_eq!(
        damaged[3..],
        name[name.chars().next().unwrap().len_utf8()..]
    );
}
