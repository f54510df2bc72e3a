//! Honest results: a run that checked nothing never looks clean, a damaged start never loses a
//! file, and what limits a run is said (issue 14).

use crate::{read, sample, temp_file};
use std::process::{Command, Output};
use synclint::generate::{generate, GenerateOptions};
use synclint::ingest::Format;

fn synclint(dir: &tempfile::TempDir, args: &[&str]) -> (Output, String, bool) {
    let xlsx = dir.path().join("out.xlsx");
    let _ = std::fs::remove_file(&xlsx);
    let out = Command::new(env!("CARGO_BIN_EXE_synclint"))
        .args(["analyze", "-q", "--fail-on", "never", "-o"])
        .arg(&xlsx)
        .args(args)
        .output()
        .expect("run synclint");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (out, stderr, xlsx.exists())
}

/// The last line of stderr is the one-line result.
fn last_line(stderr: &str) -> &str {
    stderr.lines().last().unwrap_or_default()
}

fn generated_ldif(objects: u64) -> Vec<u8> {
    let mut bytes = Vec::new();
    let options = GenerateOptions {
        objects,
        format: Format::Ldif,
        ..GenerateOptions::default()
    };
    generate(&options, &mut bytes).expect("generate");
    bytes
}

/// The records of an LDIF text that hold no NUL byte: how many, and the DNs of those whose
/// DN is plain text (not base64).
fn intact_records(text: &[u8]) -> (usize, Vec<String>) {
    let text = String::from_utf8_lossy(text)
        .replace("\r\n", "\n")
        .replace("\n ", "");
    let intact: Vec<&str> = text
        .split("\n\n")
        .filter(|r| !r.contains('\0') && r.contains("dn:"))
        .collect();
    let dns = intact
        .iter()
        .filter_map(|r| r.lines().find_map(|l| l.strip_prefix("dn: ")))
        .map(str::to_string)
        .collect();
    (intact.len(), dns)
}

fn dns_read(path: &std::path::Path) -> (Vec<String>, synclint::ingest::Ingest) {
    let ingest = read(&[path.to_path_buf()]);
    let dir = &ingest.directory;
    let dns = (0..dir.len())
        .map(|r| dir.dn.get(r).unwrap_or_default().to_string())
        .collect();
    (dns, ingest)
}

#[test]
fn an_ldif_with_stray_nuls_in_its_first_lines_keeps_every_intact_record() {
    let dir = tempfile::tempdir().unwrap();
    let clean = generated_ldif(10_000);
    // A NUL before the first byte, and one in the middle of each of the first 50 lines.
    let mut lines: Vec<Vec<u8>> = clean.split(|b| *b == b'\n').map(<[u8]>::to_vec).collect();
    for line in lines.iter_mut().take(50) {
        let middle = line.len() / 2;
        line.insert(middle, 0);
    }
    let mut damaged = vec![0u8];
    damaged.extend(lines.join(&b'\n'));
    let (intact, plain_dns) = intact_records(&damaged);
    assert!(intact > 9_990 && intact < 10_000 && plain_dns.len() > 5_000);
    for name in ["export.ldf", "export.txt"] {
        let path = temp_file(&dir, name, &damaged);
        let (dns, ingest) = dns_read(&path);
        let f = &ingest.files[0];
        assert_eq!(f.format, Some(Format::Ldif), "{name}");
        assert!(f.error.is_none(), "{name}: {:?}", f.error);
        let dns: std::collections::HashSet<String> = dns.into_iter().collect();
        for dn in &plain_dns {
            assert!(dns.contains(dn), "{name}: {dn} lost");
        }
        assert_eq!(
            f.objects as usize, intact,
            "{name}: every intact record read"
        );
        assert_eq!(f.read(), 10_000, "{name}: every record accounted for");
    }
    // The command line says so, and keeps going.
    let path = temp_file(&dir, "export.ldf", &damaged);
    let (out, stderr, workbook) = synclint(&dir, &[path.to_str().unwrap()]);
    assert!(out.status.success() && workbook, "{stderr}");
    assert!(stderr.contains("export.ldf:1: rejected:"), "{stderr}");
    assert!(
        last_line(&stderr).contains("10,000 objects read"),
        "{stderr}"
    );
}

#[test]
fn a_file_that_yields_nothing_in_the_detected_format_is_read_in_the_other() {
    let dir = tempfile::tempdir().unwrap();
    // An LDIF export behind a banner of comma-separated lines that looks like csvde.
    let mut text = b"Exported by,a tool,2026-12-01\n".repeat(300);
    text.extend_from_slice(b"\n");
    text.extend(generated_ldif(200));
    let path = temp_file(&dir, "export.txt", &text);
    let (_, ingest) = dns_read(&path);
    let f = &ingest.files[0];
    assert_eq!((f.format, f.objects), (Some(Format::Ldif), 200));
    assert!(
        f.warnings[0].contains("read as ldif after nothing could be read as csvde"),
        "{:?}",
        f.warnings
    );
    let (out, stderr, _) = synclint(&dir, &[path.to_str().unwrap()]);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("warning: ") && stderr.contains("read as ldif"),
        "{stderr}"
    );
}

#[test]
fn nothing_checked_is_never_clean() {
    let dir = tempfile::tempdir().unwrap();
    let empty = temp_file(&dir, "empty.ldf", b"");
    let header_only = temp_file(&dir, "header.csv", b"DN,objectClass,cn\r\n");
    let contoso = sample("contoso.ldf");
    let cases: [(&str, Vec<String>, &[&str]); 5] = [
        (
            "empty file",
            vec![empty.display().to_string()],
            &["no object was read"],
        ),
        (
            "header-only CSV",
            vec![header_only.display().to_string()],
            &[
                "header.csv: no object could be read as csvde",
                "could not be read",
            ],
        ),
        (
            "no objectGUID: every object out of scope",
            vec![sample("ansi.csv").display().to_string()],
            &[
                "no object has",
                "objectGUID",
                "2 no sourceAnchor",
                "every object is out of scope",
            ],
        ),
        (
            "--include-ou matching nothing",
            vec![
                "--include-ou".into(),
                "OU=Nowhere,DC=contoso,DC=com".into(),
                contoso.display().to_string(),
            ],
            &["--include-ou OU=Nowhere,DC=contoso,DC=com matches no object"],
        ),
        (
            "5 of 7 records rejected, the rest out of scope",
            vec![sample("broken.ldf").display().to_string()],
            &[
                "broken.ldf:7: rejected: invalid base64",
                "5 rejected",
                "nothing was analyzed",
            ],
        ),
    ];
    for (case, args, expected) in cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (out, stderr, workbook) = synclint(&dir, &args);
        assert_eq!(out.status.code(), Some(2), "{case}: {stderr}");
        assert!(!workbook, "{case}: no workbook when nothing was analyzed");
        for e in expected {
            assert!(stderr.contains(e), "{case}: {e:?} missing in\n{stderr}");
        }
        assert!(
            last_line(&stderr).contains("nothing was analyzed"),
            "{case}: {stderr}"
        );
    }
}

/// When no input can be read, nothing is said of the directory: no readiness line (its "not
/// checked" advice, or "no problem found" of the part read before a failure, would read as a
/// result), no count of objects "analyzed", no workbook, exit code 2.
#[test]
fn an_unreadable_input_says_nothing_of_the_directory() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("export.ldf");
    std::fs::create_dir(&folder).unwrap();
    let xlsx = dir.path().join("out.xlsx");
    let out = Command::new(env!("CARGO_BIN_EXE_synclint"))
        .arg("analyze")
        .arg("-o")
        .arg(&xlsx)
        .arg(&folder)
        .output()
        .expect("run synclint");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(!xlsx.exists());
    assert!(
        stderr.contains("is a directory, not an export file"),
        "{stderr}"
    );
    assert!(!stderr.contains("readiness:"), "{stderr}");
    assert!(!stderr.contains("analyzed,"), "{stderr}");
    assert_eq!(
        last_line(&stderr),
        "synclint: nothing was analyzed (the input could not be read); no workbook or summary written"
    );
}

#[test]
fn what_limits_a_run_is_said_and_the_result_comes_last() {
    let dir = tempfile::tempdir().unwrap();
    // Four good objects, three rejected records: over 20 % not checked.
    let mut text = std::fs::read(sample("contoso.ldf")).unwrap();
    text.extend_from_slice(
        b"\n\ndn: CN=Bad1,DC=x,DC=com\nobjectGUID:: not*base64!\n\n\
          dn: CN=Bad2,DC=x,DC=com\nno colon here\n\n\
          dn: CN=Bad3,DC=x,DC=com\nobjectGUID:: not*base64!\n",
    );
    let path = temp_file(&dir, "mixed.ldf", &text);
    let missing = dir.path().join("missing.ldf");
    let (out, stderr, workbook) = synclint(
        &dir,
        &[
            "--exclude-ou",
            "OU=Nowhere,DC=x,DC=com",
            path.to_str().unwrap(),
            missing.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(workbook, "the readable input is still reported");
    for e in [
        "mixed.ldf: 3 of 7 records not checked (0 out of scope, 3 rejected)",
        "--exclude-ou OU=Nowhere,DC=x,DC=com matches no object",
        "mixed.ldf:",
        "missing.ldf: cannot open",
    ] {
        assert!(stderr.contains(e), "{e:?} missing in\n{stderr}");
    }
    let lines: Vec<&str> = stderr.lines().collect();
    let result = lines
        .iter()
        .position(|l| l.contains("objects read"))
        .unwrap();
    let error = lines
        .iter()
        .position(|l| l.contains("cannot open"))
        .unwrap();
    assert!(error < result, "{stderr}");
    assert!(lines[result].contains("7 objects read (4 analyzed, 0 out of scope, 3 rejected)"));
    // The Summary sheet says it too.
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(dir.path().join("out.xlsx")).unwrap();
    let summary = book.worksheet_range("Summary").unwrap();
    let warnings: Vec<String> = summary
        .rows()
        .filter(|r| r.first().is_some_and(|c| *c == "Warning"))
        .map(|r| r[1].to_string())
        .collect();
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("3 of 7 records not checked"))
            && warnings.iter().any(|w| w.contains("matches no object")),
        "{warnings:?}"
    );
}
