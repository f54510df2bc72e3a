//! tests/malformed/: broken inputs, each with its expected message (file:line, reason), the
//! objects that survive, and the reconciliation read = analyzed + out of scope + rejected.
//! A few cases are made at test time: a 100 MB single line, a directory, a missing path, the
//! same file given twice, two exports of the same domain.

use std::path::{Path, PathBuf};
use synclint::analyze::{self, Analysis};
use synclint::ingest::{Encoding, ReadOptions};

fn malformed(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/malformed")
        .join(name)
}

fn run(paths: &[PathBuf], read: ReadOptions) -> Analysis {
    let a = analyze::run(paths, &read, &Default::default(), Default::default());
    let read_count = a.ingest.objects_read();
    assert_eq!(
        read_count,
        a.scope.analyzed() + a.scope.out_of_scope() + a.ingest.objects_rejected(),
        "read = analyzed + out of scope + rejected for {paths:?}"
    );
    a
}

/// (file, objects parsed, expected `file:line: reason` start, or a file-level error).
enum Expect {
    Rejected {
        parsed: u64,
        line: u64,
        reason: &'static str,
    },
    Clean {
        parsed: u64,
    },
    FileError(&'static str),
}
use Expect::*;

const CASES: &[(&str, Expect)] = &[
    (
        "truncated-mid-record.ldf",
        Rejected {
            parsed: 1,
            line: 10,
            reason: "line has no ':' separator: \"mailNick\"",
        },
    ),
    (
        "truncated-mid-base64.ldf",
        Rejected {
            parsed: 1,
            line: 9,
            reason: "invalid base64 in objectGUID: Invalid padding",
        },
    ),
    (
        "truncated-mid-quote.csv",
        Rejected {
            parsed: 2,
            line: 4,
            reason: "unterminated quoted field",
        },
    ),
    ("binary-garbage.bin", FileError("neither LDIF nor csvde")),
    (
        "nul-bytes.ldf",
        Rejected {
            parsed: 1,
            line: 9,
            reason: "NUL byte in the value of cn",
        },
    ),
    (
        "unbalanced-quote-to-end.csv",
        Rejected {
            parsed: 2,
            line: 3,
            reason: "unterminated quoted field",
        },
    ),
    (
        "header-only.csv",
        FileError("no object could be read as csvde (0 records rejected); nothing as ldif either"),
    ),
    (
        "repeated-header.csv",
        Rejected {
            parsed: 2,
            line: 3,
            reason: "repeated header line",
        },
    ),
    (
        "too-many-fields.csv",
        Rejected {
            parsed: 1,
            line: 3,
            reason: "row has 3 fields but the header has 2",
        },
    ),
    (
        "too-few-fields.csv",
        Rejected {
            parsed: 1,
            line: 3,
            reason: "row has 2 fields but the header has 3",
        },
    ),
    (
        "invalid-base64.ldf",
        Rejected {
            parsed: 1,
            line: 9,
            reason: "invalid base64 in objectGUID",
        },
    ),
    (
        "bom-mid-file.ldf",
        Rejected {
            parsed: 1,
            line: 8,
            reason: "invalid attribute name \"\u{feff}dn\"",
        },
    ),
    ("mixed-line-endings.ldf", Clean { parsed: 3 }),
    (
        "utf16-odd-bytes.ldf",
        Rejected {
            parsed: 1,
            line: 6,
            reason: "line has no ':' separator",
        },
    ),
    ("empty.ldf", Clean { parsed: 0 }),
    (
        "changetype-modify.ldf",
        Rejected {
            parsed: 1,
            line: 9,
            reason: "'changetype: modify' is a change record",
        },
    ),
    (
        "line-without-colon.ldf",
        Rejected {
            parsed: 1,
            line: 9,
            reason: "line has no ':' separator",
        },
    ),
    (
        "continuation-without-line.ldf",
        Rejected {
            parsed: 1,
            line: 1,
            reason: "continuation line",
        },
    ),
    (
        "attributes-before-dn.ldf",
        Rejected {
            parsed: 1,
            line: 2,
            reason: "'dn:' must be the first line",
        },
    ),
    (
        "second-dn.ldf",
        Rejected {
            parsed: 1,
            line: 3,
            reason: "second 'dn:' line",
        },
    ),
    (
        "url-value.ldf",
        Rejected {
            parsed: 1,
            line: 9,
            reason: "URL value (':<') is not supported",
        },
    ),
    (
        "empty-dn.csv",
        Rejected {
            parsed: 1,
            line: 3,
            reason: "row has an empty DN",
        },
    ),
    ("no-dn-column.csv", FileError("the header has no DN column")),
    (
        "invalid-attribute-name.ldf",
        Rejected {
            parsed: 1,
            line: 9,
            reason: "invalid attribute name \"bad name!\"",
        },
    ),
    ("binary-in-value.ldf", Clean { parsed: 2 }),
];

#[test]
fn every_malformed_file_gives_its_message_and_reconciles() {
    let on_disk = std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/malformed"))
        .unwrap()
        .count();
    assert_eq!(
        on_disk,
        CASES.len() + 1,
        "every file in tests/malformed has a case (plus invalid-utf8-plain.ldf)"
    );
    for (name, expect) in CASES {
        let a = run(&[malformed(name)], ReadOptions::default());
        let f = &a.ingest.files[0];
        match expect {
            Rejected {
                parsed,
                line,
                reason,
            } => {
                assert_eq!(f.error, None, "{name}");
                assert_eq!(
                    (f.objects, f.rejected),
                    (*parsed, 1),
                    "{name}: {:?}",
                    f.rejections
                );
                let r = &f.rejections[0];
                let message = format!(
                    "{}:{}: {}",
                    Path::new(&f.path).file_name().unwrap().to_string_lossy(),
                    r.line,
                    r.reason
                );
                let wanted = format!("{name}:{line}: {reason}");
                assert!(
                    message.starts_with(&wanted),
                    "{message}\n  expected {wanted}"
                );
            }
            Clean { parsed } => {
                assert_eq!(
                    (f.error.as_deref(), f.objects, f.rejected),
                    (None, *parsed, 0),
                    "{name}: {:?}",
                    f.rejections
                );
            }
            FileError(text) => {
                let error = f.error.as_deref().unwrap_or_default();
                assert!(
                    error.contains(name) && error.contains(text),
                    "{name}: {error}"
                );
            }
        }
    }
}

#[test]
fn invalid_utf8_in_a_plain_value_is_decoded_lossily_and_counted() {
    let forced = ReadOptions {
        encoding: Some(Encoding::Utf8),
        ..ReadOptions::default()
    };
    let a = run(&[malformed("invalid-utf8-plain.ldf")], forced);
    let f = &a.ingest.files[0];
    assert_eq!((f.objects, f.rejected, f.lossy_values), (2, 0, 1));
    // Left to detection, the same bytes read as Windows-1252 without loss.
    let a = run(
        &[malformed("invalid-utf8-plain.ldf")],
        ReadOptions::default(),
    );
    assert_eq!(a.ingest.files[0].encoding, Some(Encoding::Windows1252));
}

#[test]
fn paths_that_are_not_exports_and_inputs_read_twice() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.ldf");
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/contoso.ldf");
    let a = run(
        &[
            dir.path().to_path_buf(),
            missing.clone(),
            sample.clone(),
            sample.clone(),
        ],
        ReadOptions::default(),
    );
    assert!(a.ingest.files[0]
        .error
        .as_deref()
        .unwrap()
        .contains("is a directory"));
    assert!(a.ingest.files[1]
        .error
        .as_deref()
        .unwrap()
        .contains("cannot open"));
    // The same file twice: the second copy is the same objects, out of scope, not duplicates.
    let copies = a.ingest.files[3].objects;
    let twice: Vec<&str> = (0..a.ingest.directory.len())
        .filter_map(|r| a.scope.reason(r))
        .filter(|r| r.contains("same object as"))
        .collect();
    assert_eq!(twice.len() as u64, copies);
    assert!(a
        .findings
        .iter()
        .all(|f| f.rule.class != synclint::findings::Class::Duplicate));

    // Two exports of the same domain in different formats: same objectGUIDs, one object each.
    let ldif = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/fixable.ldf");
    let csv = dir.path().join("fixable.csv");
    std::fs::write(
        &csv,
        "DN,objectClass,cn,objectGUID,sAMAccountName,userPrincipalName\r\n\"CN=John Doe,OU=Staff,DC=contoso,DC=com\",user,John Doe,X'000102030405060708090a0b0c0d0e0f',jdoe,jo hn@contoso.com\r\n",
    )
    .unwrap();
    let a = run(&[ldif, csv], ReadOptions::default());
    assert_eq!(
        a.scope.reason(2).map(|r| r.contains("same object as")),
        Some(true)
    );
}

#[test]
fn a_100_mb_line_is_one_rejected_record() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.ldf");
    let mut bytes = b"dn: CN=a,DC=x\ncn: a\nobjectGUID:: AAECAwQFBgcICQoLDA0ODw==\nobjectClass: user\nsAMAccountName: a\n\ndn: CN=huge,DC=x\ndescription: ".to_vec();
    bytes.resize(bytes.len() + (100 << 20), b'x');
    bytes.extend_from_slice(b"\n");
    std::fs::write(&path, bytes).unwrap();
    let a = run(&[path], ReadOptions::default());
    let f = &a.ingest.files[0];
    assert_eq!((f.objects, f.rejected), (1, 1));
    assert!(f.rejections[0].reason.contains("longer than"));
    assert_eq!(f.rejections[0].line, 7);
}
