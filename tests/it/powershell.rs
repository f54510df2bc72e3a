//! PowerShell `Export-Csv` of AD objects as an input (issue 17): every variant such a file
//! comes in (with and without `#TYPE`, UTF-8 with and without BOM, UTF-16LE, the ANSI code
//! page, LF and CRLF, multi-valued properties left unjoined) gives the same objects and the
//! same findings as the csvde export of the same directory, and works wherever an export does.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use synclint::directory::{Attr, Directory, BOOL_ATTRS, COUNT_ATTRS, INT_ATTRS, TEXT_ATTRS};
use synclint::generate::writer::{ansi, csvde_file, powershell_file, PowershellStyle};
use synclint::generate::{objects, ExportObject, GenerateOptions};
use synclint::ingest::{read_files, Format, Ingest, ReadOptions};

/// The directory both exports are made of: planted problems, `Last, First` names, escaped
/// OUs and replication-conflict copies (a line feed inside a quoted field).
fn directory(objects_wanted: u64, seed: u64) -> Vec<ExportObject> {
    objects(&GenerateOptions {
        objects: objects_wanted,
        seed,
        planted: true,
        escaped_names: true,
        ..GenerateOptions::default()
    })
    .collect()
}

#[derive(Copy, Clone, Debug)]
enum Bytes {
    Utf8Bom,
    Utf8,
    Utf16Le,
    Ansi,
    /// Windows PowerShell 5.1's default for Export-Csv: `?` for everything outside ASCII.
    Ascii,
}

fn encode(text: &str, how: Bytes) -> Vec<u8> {
    match how {
        Bytes::Utf8 => text.as_bytes().to_vec(),
        Bytes::Utf8Bom => [&[0xEF, 0xBB, 0xBF][..], text.as_bytes()].concat(),
        Bytes::Utf16Le => [0xFF, 0xFE]
            .into_iter()
            .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
            .collect(),
        Bytes::Ansi => ansi(text),
        Bytes::Ascii => text
            .chars()
            .map(|c| if c.is_ascii() { c as u8 } else { b'?' })
            .collect(),
    }
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// Every column the rules read, row by row (the source line aside).
fn assert_same_objects(powershell: &Directory, csvde: &Directory) {
    assert_eq!(powershell.len(), csvde.len());
    for row in 0..csvde.len() {
        let dn = csvde.dn.get(row);
        assert_eq!(powershell.dn.get(row), dn);
        assert_eq!(
            powershell.object_class.get(row),
            csvde.object_class.get(row),
            "{dn:?}"
        );
        assert_eq!(powershell.kind[row], csvde.kind[row], "{dn:?}");
        for attr in TEXT_ATTRS {
            assert_eq!(
                powershell.text(attr, row),
                csvde.text(attr, row),
                "{attr:?} of {dn:?}"
            );
        }
        assert!(
            powershell
                .proxy_addresses
                .get(row)
                .eq(csvde.proxy_addresses.get(row)),
            "proxyAddresses of {dn:?}"
        );
        for attr in INT_ATTRS {
            assert_eq!(powershell.int(attr, row), csvde.int(attr, row), "{attr:?}");
        }
        for attr in BOOL_ATTRS {
            assert_eq!(
                powershell.boolean(attr, row),
                csvde.boolean(attr, row),
                "{attr:?}"
            );
        }
        for attr in COUNT_ATTRS {
            assert_eq!(
                powershell.count(attr, row),
                csvde.count(attr, row),
                "{attr:?}"
            );
        }
        assert_eq!(
            powershell.object_guid[row], csvde.object_guid[row],
            "{dn:?}"
        );
        assert_eq!(
            powershell.has_consistency_guid[row],
            csvde.has_consistency_guid[row]
        );
        assert_eq!(
            powershell.thumbnail_photo_bytes.get(row),
            csvde.thumbnail_photo_bytes.get(row)
        );
        assert_eq!(powershell.flags[row].0, csvde.flags[row].0, "{dn:?}");
    }
}

/// The findings of an analysis: (rule, DN, attribute, value), sorted.
fn findings(summary: &serde_json::Value) -> BTreeSet<(String, String, String, String)> {
    let text = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_string();
    summary["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| {
            (
                text(&i["rule"]),
                text(&i["dn"]),
                text(&i["attribute"]),
                text(&i["value"]),
            )
        })
        .collect()
}

fn read(path: &Path) -> Ingest {
    let ingest = read_files(&[path.to_path_buf()], &ReadOptions::default());
    crate::assert_reconciles(&ingest);
    ingest
}

/// Writes the directory as a PowerShell CSV in `style` and `how`, and as csvde (in the same
/// encoding for the ANSI code page, where csvde without `-u` loses the same characters):
/// same objects, same findings, nothing rejected or malformed. Returns the PowerShell read.
fn same_as_csvde(
    name: &str,
    objects: &[ExportObject],
    style: &PowershellStyle,
    how: Bytes,
    csvde_objects: &[ExportObject],
) -> Ingest {
    let dir = tempfile::tempdir().unwrap();
    let ps = write(
        dir.path(),
        &format!("{name}.csv"),
        &encode(&powershell_file(objects, style), how),
    );
    let csvde_bytes = match how {
        Bytes::Ansi | Bytes::Ascii => how,
        _ => Bytes::Utf8,
    };
    let csvde = write(
        dir.path(),
        "csvde.csv",
        &encode(&csvde_file(csvde_objects), csvde_bytes),
    );
    let (ps_read, csvde_read) = (read(&ps), read(&csvde));
    let file = &ps_read.files[0];
    assert_eq!(file.format, Some(Format::PowershellCsv), "{name}");
    assert_eq!(csvde_read.files[0].format, Some(Format::Csvde));
    assert_eq!(file.error, None);
    assert_eq!(file.rejected, 0, "{:?}", file.rejections.first());
    // Culture-formatted dates and True/False booleans are read without complaint.
    assert_eq!(file.malformed_values, 0, "{name}");
    assert_eq!(file.lossy_values, csvde_read.files[0].lossy_values);
    assert_same_objects(&ps_read.directory, &csvde_read.directory);

    let (_, ps_summary) = crate::analyze_to(dir.path(), "ps", std::slice::from_ref(&ps), &[]);
    let (_, csvde_summary) = crate::analyze_to(dir.path(), "csvde", &[csvde], &[]);
    assert_eq!(ps_summary["objects"], csvde_summary["objects"], "{name}");
    let (ps_findings, csvde_findings) = (findings(&ps_summary), findings(&csvde_summary));
    assert!(csvde_findings.len() > 500, "{}", csvde_findings.len());
    assert!(
        ps_findings == csvde_findings,
        "{name}: only in PowerShell {:?}; only in csvde {:?}",
        ps_findings
            .difference(&csvde_findings)
            .take(5)
            .collect::<Vec<_>>(),
        csvde_findings
            .difference(&ps_findings)
            .take(5)
            .collect::<Vec<_>>(),
    );
    ps_read
}

const OBJECTS: u64 = 2500;

/// Multi-valued properties joined (the recommended command), with or without `#TYPE`, CRLF or LF.
fn joined(type_line: bool, crlf: bool) -> PowershellStyle {
    PowershellStyle {
        type_line,
        crlf,
        joined: true,
    }
}

/// A variant whose file needs no warning: the same objects and findings as csvde.
fn quiet_variant(name: &str, seed: u64, style: PowershellStyle, how: Bytes) -> Ingest {
    let objects = directory(OBJECTS, seed);
    let read = same_as_csvde(name, &objects, &style, how, &objects);
    assert_eq!(read.files[0].warnings, Vec::<String>::new());
    read
}

/// Runs synclint; it must succeed.
fn synclint(args: &[&std::ffi::OsStr]) -> String {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_synclint"))
        .args(args)
        .output()
        .unwrap();
    crate::assert_succeeded(&out);
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn utf8_with_bom_crlf_and_type_line_is_the_csvde_export() {
    let read = quiet_variant("utf8-bom", 17, joined(true, true), Bytes::Utf8Bom);
    assert!(read.files[0].bom);
}

#[test]
fn utf8_without_bom_lf_and_no_type_line_is_the_csvde_export() {
    // PowerShell 7's default: UTF-8 without BOM, no #TYPE; LF as on Linux.
    let read = quiet_variant("utf8", 18, joined(false, false), Bytes::Utf8);
    assert!(!read.files[0].bom);
}

#[test]
fn utf16le_unicode_with_type_line_and_lf_is_the_csvde_export() {
    let read = quiet_variant("unicode", 19, joined(true, false), Bytes::Utf16Le);
    assert_eq!(
        read.files[0].encoding,
        Some(synclint::ingest::Encoding::Utf16Le)
    );
}

#[test]
fn ansi_code_page_is_the_ansi_csvde_export_and_its_question_marks_are_said() {
    let objects = directory(OBJECTS, 20);
    let read = same_as_csvde(
        "ansi",
        &objects,
        &joined(false, true),
        Bytes::Ansi,
        &objects,
    );
    let file = &read.files[0];
    assert_eq!(file.encoding, Some(synclint::ingest::Encoding::Windows1252));
    // 王, Иванов, Nguyễn, Łukasz … are outside windows-1252: written as '?'.
    let lost: Vec<&str> = (0..read.directory.len())
        .filter_map(|r| read.directory.text(Attr::DisplayName, r))
        .filter(|d| d.contains('?'))
        .collect();
    assert!(lost.len() > 100, "{}", lost.len());
    let warning = file
        .warnings
        .iter()
        .find(|w| w.contains("'?' in a name or an address"))
        .unwrap_or_else(|| panic!("{:?}", file.warnings));
    assert!(warning.contains("windows-1252"), "{warning}");
    assert!(warning.contains("-Encoding UTF8"), "{warning}");
    // Latin-1 letters survive the code page.
    assert!((0..read.directory.len())
        .filter_map(|r| read.directory.text(Attr::GivenName, r))
        .any(|g| g == "José"));
}

#[test]
fn ascii_default_of_windows_powershell_is_the_same_and_its_question_marks_are_said() {
    let objects = directory(OBJECTS, 24);
    let read = same_as_csvde(
        "ascii",
        &objects,
        &PowershellStyle::default(),
        Bytes::Ascii,
        &objects,
    );
    let file = &read.files[0];
    assert_eq!(file.encoding, Some(synclint::ingest::Encoding::Utf8));
    let warning = file
        .warnings
        .iter()
        .find(|w| w.contains("'?' in a name or an address"))
        .unwrap_or_else(|| panic!("{:?}", file.warnings));
    assert!(warning.contains("ASCII only"), "{warning}");
}

#[test]
fn rejected_rows_keep_their_file_lines_after_the_type_line() {
    let dir = tempfile::tempdir().unwrap();
    let text = powershell_file(&directory(40, 25), &joined(true, true));
    // Line 1 #TYPE, line 2 the header: the third object's row, the fifth CRLF line, loses a field.
    let mut lines: Vec<&str> = text.split("\r\n").collect();
    assert!(!lines[4].contains('\n'), "a multi-line row");
    // The last column (msExchHideFromAddressLists) is empty in generated rows: drop it.
    lines[4] = lines[4].rsplit_once(',').unwrap().0;
    let path = write(dir.path(), "short.csv", lines.join("\r\n").as_bytes());
    let read = read(&path);
    let file = &read.files[0];
    assert_eq!((file.objects, file.rejected), (39, 1));
    // Line 5 of the text, after the line feeds quoted inside earlier rows (conflict names).
    let quoted: usize = lines[..4].iter().map(|l| l.matches('\n').count()).sum();
    assert!(quoted > 0, "no conflict copy before the cut row");
    assert_eq!(
        file.rejections[0].line,
        5 + quoted as u64,
        "{:?}",
        file.rejections[0]
    );
    assert!(file.rejections[0].reason.contains("fields"));
}

#[test]
fn unjoined_multi_values_are_said_once_and_read_as_absent() {
    let objects = directory(OBJECTS, 21);
    let style = PowershellStyle {
        type_line: true,
        crlf: true,
        joined: false,
    };
    // The equivalent csvde export is one without the attributes Export-Csv could not write.
    let unwritten = [
        "proxyAddresses",
        "member",
        "memberOf",
        "userCertificate",
        "thumbnailPhoto",
    ];
    let stripped: Vec<ExportObject> = objects
        .iter()
        .cloned()
        .map(|mut o| {
            o.attributes
                .retain(|(n, _)| !unwritten.contains(&n.as_str()));
            o
        })
        .collect();
    let read = same_as_csvde("unjoined", &objects, &style, Bytes::Utf8Bom, &stripped);
    let file = &read.files[0];
    let lost: Vec<&String> = file
        .warnings
        .iter()
        .filter(|w| w.contains("type name"))
        .collect();
    assert_eq!(lost.len(), 1, "{:?}", file.warnings);
    let photos = objects.iter().filter(|o| o.has("thumbnailPhoto")).count();
    for said in [
        format!(
            "proxyAddresses ({OBJECTS} objects: \"Microsoft.ActiveDirectory.Management.ADPropertyValueCollection\")"
        ),
        format!("member ({OBJECTS} objects"),
        format!("userCertificate ({OBJECTS} objects"),
        format!("thumbnailPhoto ({photos} objects: \"System.Byte[]\")"),
        "@{n='proxyAddresses';e={($_.proxyAddresses -replace ';','\\;') -join ';'}}".into(),
        "synclint help export".into(),
    ] {
        assert!(lost[0].contains(&said), "{said} in {}", lost[0]);
    }
    // memberOf is not read by any rule: not listed.
    assert!(!lost[0].contains("memberOf"), "{}", lost[0]);
    // A type name is not the attribute: not counted as present, never a value.
    assert!(!file.attributes.contains_key("proxyAddresses"));
    // … and not also reported as missing from the export (the warning above says why).
    assert!(lost[0].starts_with(&file.path), "{}", lost[0]);
    assert_eq!(
        synclint::inspect::missing_attributes(file),
        Vec::<&str>::new()
    );
    assert_eq!(read.directory.proxy_addresses.total_values(), 0);
}

#[test]
fn get_adgroup_defaults_map_name_guid_and_group_category() {
    let dir = tempfile::tempdir().unwrap();
    let text = "#TYPE Microsoft.ActiveDirectory.Management.ADGroup\r\n\
        \"DistinguishedName\",\"GroupCategory\",\"GroupScope\",\"Name\",\"ObjectClass\",\"ObjectGUID\",\"SamAccountName\",\"SID\",\"Members\",\"Created\"\r\n\
        \"CN=Sales,OU=Groups,DC=contoso,DC=com\",\"Security\",\"Global\",\"Sales\",\"group\",\"d08f810b-a35c-49a8-8a3c-1b2c3d4e5f60\",\"Sales\",\"S-1-5-21-1-2-3-1105\",\"CN=a,DC=contoso,DC=com;CN=b,DC=contoso,DC=com\",\"14.03.2019 10:22:05\"\r\n\
        \"CN=News,OU=Groups,DC=contoso,DC=com\",\"Distribution\",\"Universal\",\"News\",\"group\",\"0b818fd0-5ca3-a849-8a3c-1b2c3d4e5f60\",\"News\",\"S-1-5-21-1-2-3-1106\",,\"2019-03-14 10:22\"\r\n";
    // No .csv: the content says what it is.
    let path = write(dir.path(), "groups.txt", text.as_bytes());
    let read = read(&path);
    let (file, d) = (&read.files[0], &read.directory);
    assert_eq!(file.format, Some(Format::PowershellCsv));
    assert_eq!(
        (file.objects, file.rejected, file.malformed_values),
        (2, 0, 0)
    );
    let sales = crate::row_of(d, "CN=Sales,OU=Groups,DC=contoso,DC=com");
    let news = crate::row_of(d, "CN=News,OU=Groups,DC=contoso,DC=com");
    assert_eq!(d.text(Attr::Cn, sales), Some("Sales"));
    assert_eq!(d.text(Attr::SamAccountName, news), Some("News"));
    assert!(d.int(Attr::GroupType, sales).is_some_and(|t| t < 0));
    assert_eq!(d.int(Attr::GroupType, news), Some(0));
    assert_eq!(d.count(Attr::Member, sales), 2);
    // The GUID's text form gives csvde's bytes (X'0b818fd0a35ca8498a3c1b2c3d4e5f60').
    assert_eq!(
        d.object_guid[sales].map(|g| g[..4].to_vec()),
        Some(vec![0x0b, 0x81, 0x8f, 0xd0])
    );
    assert_eq!(d.kind[sales], synclint::directory::ObjectKind::Group);
}

#[test]
fn ldap_named_columns_are_read_when_forced_and_detected_when_the_module_spells_them() {
    let dir = tempfile::tempdir().unwrap();
    let objects = directory(200, 22);
    let text = powershell_file(&objects, &PowershellStyle::default())
        .replacen("\"DistinguishedName\"", "\"distinguishedName\"", 1)
        .replacen("\"ObjectClass\"", "\"objectClass\"", 1)
        .replacen("\"ObjectGUID\"", "\"objectGUID\"", 1);
    // Only module-only names (Name, Enabled) and module spellings left: still PowerShell.
    let path = write(dir.path(), "mixed.csv", text.as_bytes());
    assert_eq!(read(&path).files[0].format, Some(Format::PowershellCsv));
    // `--format powershell-csv` on a header of LDAP names alone.
    let ldap_only = "\"distinguishedName\",\"sAMAccountName\",\"mail\",\"proxyAddresses\",\"objectClass\",\"objectGUID\"\n\
        \"CN=A,DC=x\",\"a\",\"a@x.com\",\"SMTP:a@x.com;smtp:b@x.com\",\"user\",\"d08f810b-a35c-49a8-8a3c-1b2c3d4e5f60\"\n";
    let path = write(dir.path(), "ldap.csv", ldap_only.as_bytes());
    let forced = read_files(
        &[path],
        &ReadOptions {
            format: Some(Format::PowershellCsv),
            ..ReadOptions::default()
        },
    );
    assert_eq!(forced.files[0].format, Some(Format::PowershellCsv));
    assert_eq!(forced.directory.proxy_addresses.value_count(0), 2);
    let ldap = dir.path().join("ldap.csv");
    let text = synclint(&[
        "inspect".as_ref(),
        "--format".as_ref(),
        "powershell-csv".as_ref(),
        ldap.as_ref(),
    ]);
    assert!(text.contains("format powershell-csv"), "{text}");
}

#[test]
fn a_header_without_distinguished_name_is_refused_with_what_to_add() {
    let dir = tempfile::tempdir().unwrap();
    let text = "\"SamAccountName\",\"EmailAddress\",\"Enabled\"\r\n\"a\",\"a@x.com\",\"True\"\r\n";
    let path = write(dir.path(), "nodn.csv", text.as_bytes());
    let read = read_files(&[path], &ReadOptions::default());
    let error = read.files[0].error.clone().unwrap_or_default();
    assert!(error.contains("no DistinguishedName column"), "{error}");
    assert!(
        error.contains("SamAccountName, EmailAddress, Enabled"),
        "{error}"
    );
    // `Export-Csv -UseCulture` where the list separator is ';'.
    let text = "\"DistinguishedName\";\"SamAccountName\"\r\n\"CN=a,DC=x\";\"a\"\r\n";
    let path = write(dir.path(), "culture.csv", text.as_bytes());
    let read = read_files(&[path], &ReadOptions::default());
    assert_eq!(read.files[0].format, Some(Format::PowershellCsv));
    let error = read.files[0].error.clone().unwrap_or_default();
    assert!(error.contains("separated by ';'"), "{error}");
}

/// One domain as PowerShell (UTF-16), the other as csvde, read in one run with the columns
/// spilled to disk: the findings of one csvde export of both; and a baseline made from that
/// csvde export finds nothing new or resolved in the PowerShell run.
#[test]
fn mixed_with_csvde_in_one_run_spilled_and_against_a_csvde_baseline() {
    let dir = tempfile::tempdir().unwrap();
    let objects = directory(3000, 23);
    let (first, second) = objects.split_at(1400);
    let ps = write(
        dir.path(),
        "first.csv",
        &encode(
            &powershell_file(first, &PowershellStyle::default()),
            Bytes::Utf16Le,
        ),
    );
    let csvde = write(dir.path(), "second.csv", csvde_file(second).as_bytes());
    let whole = write(dir.path(), "whole.csv", csvde_file(&objects).as_bytes());
    let (_, reference) = crate::analyze_to(dir.path(), "whole", &[whole], &[]);
    let baseline = dir.path().join("whole.json");
    let spill_dir = dir.path().join("spill");
    std::fs::create_dir_all(&spill_dir).unwrap();
    let (_, mixed) = crate::analyze_to(
        dir.path(),
        "mixed",
        &[ps, csvde],
        &[
            "--spill",
            "always",
            "--spill-dir",
            spill_dir.to_str().unwrap(),
            "--baseline",
            baseline.to_str().unwrap(),
        ],
    );
    assert_eq!(mixed["inputs"][0]["format"], "powershell-csv");
    assert_eq!(mixed["inputs"][1]["format"], "csvde");
    assert_eq!(mixed["objects"], reference["objects"]);
    assert_eq!(findings(&mixed), findings(&reference));
    assert_eq!(mixed["changes"]["new"], 0, "{}", mixed["changes"]);
    assert_eq!(mixed["changes"]["resolved"], 0, "{}", mixed["changes"]);
}

/// analyze → review (every suggestion accepted) → fix writes LDIF → applied and written back
/// as a PowerShell CSV → re-analyzed against the first run: nothing new.
#[test]
fn every_suggestion_applied_to_a_planted_powershell_export_raises_nothing_new() {
    crate::fix::every_suggestion_applied(Format::PowershellCsv, &[]);
}

#[test]
fn generate_writes_powershell_csv() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("gen.csv");
    let args = [
        "generate",
        "--objects",
        "500",
        "--format",
        "powershell-csv",
        "-o",
    ];
    let mut args: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_ref()).collect();
    args.push(path.as_ref());
    synclint(&args);
    let bytes = std::fs::read(&path).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF\"DistinguishedName\",\"ObjectClass\""));
    let read = read(&path);
    assert_eq!(read.files[0].objects, 500);
    assert_eq!(read.files[0].format, Some(Format::PowershellCsv));
}

/// samples/tailspin-powershell.csv, what the recommended Get-ADObject command writes (UTF-8
/// with BOM, joined values, `$null` and `""` for absent ones): every object, and the findings
/// its planted problems call for, the X400 address kept whole.
#[test]
fn the_powershell_sample_gives_its_planted_findings() {
    let path = crate::sample("tailspin-powershell.csv");
    let read = read(&path);
    let (file, d) = (&read.files[0], &read.directory);
    assert_eq!(file.format, Some(Format::PowershellCsv));
    assert_eq!(
        (file.objects, file.rejected, file.malformed_values),
        (8, 0, 0)
    );
    assert_eq!(file.warnings, Vec::<String>::new());
    let ana = crate::row_of(d, "CN=Ana Silva,OU=Staff,DC=tailspintoys,DC=com");
    // 3f2504e0-4f89-41d3-… in AD's byte order.
    assert_eq!(
        d.object_guid[ana].map(|g| g[..8].to_vec()),
        Some(vec![0xe0, 0x04, 0x25, 0x3f, 0x89, 0x4f, 0xd3, 0x41])
    );
    assert_eq!(d.proxy_addresses.value_count(ana), 3);
    let dir = tempfile::tempdir().unwrap();
    let (_, summary) = crate::analyze_to(
        dir.path(),
        "tailspin",
        &[path],
        &["--verified-domain", "tailspintoys.com"],
    );
    assert_eq!(summary["objects"]["out_of_scope"], 1); // krbtgt, a critical system object
    let found: BTreeSet<(String, String)> = findings(&summary)
        .into_iter()
        .map(|(rule, dn, attribute, _)| (rule, format!("{dn} {attribute}")))
        .collect();
    let staff = |cn: &str, attr: &str| format!("CN={cn},OU=Staff,DC=tailspintoys,DC=com {attr}");
    let expected: BTreeSet<(String, String)> = [
        ("SL405", staff("Ana Silva", "proxyAddresses")),
        ("SL803", staff("Ana Silva", "proxyAddresses")),
        ("SL803", staff("Lee\\, Chris", "proxyAddresses")),
        ("SL101", staff("Lee\\, Chris", "userPrincipalName")),
        ("SL901", staff("Lee\\, Chris", "userPrincipalName")),
        ("SL302", staff("Lee\\, Chris", "mailNickname")),
        ("SL104", staff("Jörg Müller", "userPrincipalName")),
        (
            "SL404",
            "CN=Sales,OU=Groups,DC=tailspintoys,DC=com proxyAddresses".to_string(),
        ),
        // WS001's one userCertificate value is a truncated DER prefix: not a certificate,
        // so no join certificate either (hybrid join readiness).
        (
            "SL1257",
            "CN=WS001,OU=Workstations,DC=tailspintoys,DC=com userCertificate".to_string(),
        ),
        (
            "SL1258",
            "CN=WS001,OU=Workstations,DC=tailspintoys,DC=com userCertificate".to_string(),
        ),
    ]
    .into_iter()
    .map(|(r, s)| (r.to_string(), s))
    .collect();
    assert_eq!(found, expected);
}
