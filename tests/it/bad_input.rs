//! Bad input: each broken record is rejected with its file and line, the run goes on, and
//! read = parsed + rejected.

use crate::{assert_reconciles, read, row_of, sample, temp_file};
use synclint::ingest::Rejection;

fn rejections(path: std::path::PathBuf) -> (u64, Vec<Rejection>) {
    let ingest = read(&[path]);
    assert_reconciles(&ingest);
    assert!(
        ingest.files[0].error.is_none(),
        "{:?}",
        ingest.files[0].error
    );
    (ingest.files[0].objects, ingest.files[0].rejections.clone())
}

#[test]
fn the_broken_sample_rejects_each_bad_record_with_its_line() {
    let (parsed, rejected) = rejections(sample("broken.ldf"));
    assert_eq!(parsed, 2);
    let found: Vec<(u64, &str)> = rejected
        .iter()
        .map(|r| (r.line, r.reason.split(':').next().unwrap_or_default()))
        .collect();
    assert_eq!(
        found,
        [
            (7, "invalid base64 in objectGUID"),
            (11, "line has no '"),
            (14, "'changetype"),
            (20, "NUL byte in the value of cn (record dn"),
            (28, "invalid base64 in objectGUID"),
        ]
    );
}

#[test]
fn csv_rows_with_too_many_or_too_few_fields_and_nul_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let csv = b"DN,cn,mail\r\n\"CN=a,DC=x\",a,a@x.com\r\nCN=b,DC=x,b,b@x.com\r\n\"CN=c,DC=x\",c\r\n\"CN=d,DC=x\",d\0,d@x.com\r\n\"CN=e,DC=x\",e,e@x.com\r\nDN,cn,mail\r\n\"CN=f,DC=x\",f,f@x.com";
    let (parsed, rejected) = rejections(temp_file(&dir, "bad.csv", csv));
    assert_eq!(parsed, 3);
    let lines: Vec<u64> = rejected.iter().map(|r| r.line).collect();
    assert_eq!(lines, [3, 4, 5, 7]);
    assert!(rejected[0].reason.contains("4 fields but the header has 3"));
    assert!(rejected[1].reason.contains("2 fields"));
    assert!(rejected[2].reason.contains("NUL"));
    assert!(rejected[3].reason.contains("repeated header"));
}

#[test]
fn truncated_files_in_both_formats() {
    let dir = tempfile::tempdir().unwrap();
    // Cut mid-quote: the open quote is reported, the rows before it survive.
    let csv = b"DN,cn\r\n\"CN=a,DC=x\",a\r\n\"CN=b,DC=x\",b\r\n\"CN=c,DC";
    let (parsed, rejected) = rejections(temp_file(&dir, "cut.csv", csv));
    assert_eq!(parsed, 2);
    assert_eq!(rejected.len(), 1);
    assert_eq!(rejected[0].line, 4);
    assert!(rejected[0].reason.contains("unterminated quoted field"));

    // Cut mid-base64 and mid-attribute-name.
    let ldif = b"dn: CN=a,DC=x\ncn: a\n\ndn: CN=b,DC=x\nobjectGUID:: AAECAwQFBgcICQoLDA0\n\ndn: CN=c,DC=x\nmailNi";
    let (parsed, rejected) = rejections(temp_file(&dir, "cut.ldf", ldif));
    assert_eq!(parsed, 1);
    let lines: Vec<u64> = rejected.iter().map(|r| r.line).collect();
    assert_eq!(lines, [5, 8]);
}

#[test]
fn a_100_mb_single_line_is_rejected_in_both_formats() {
    let dir = tempfile::tempdir().unwrap();
    let huge = vec![b'x'; 100 << 20];

    let mut ldif = b"dn: CN=a,DC=x\ncn: a\n\ndn: CN=huge,DC=x\ndescription: ".to_vec();
    ldif.extend_from_slice(&huge);
    ldif.extend_from_slice(b"\n\ndn: CN=c,DC=x\ncn: c\n");
    let path = temp_file(&dir, "huge.ldf", &ldif);
    drop(ldif);
    let ingest = read(&[path]);
    assert_reconciles(&ingest);
    let f = &ingest.files[0];
    assert_eq!((f.objects, f.rejected), (2, 1));
    assert_eq!(f.rejections[0].line, 4);
    assert!(f.rejections[0].reason.contains("longer than"));
    row_of(&ingest.directory, "CN=c,DC=x");
    assert_eq!({ ingest.directory.source[1].line }, 7);

    let mut csv = b"DN,cn\n\"CN=a,DC=x\",a\n".to_vec();
    csv.extend_from_slice(&huge);
    csv.extend_from_slice(b"\n\"CN=c,DC=x\",c\n");
    let path = temp_file(&dir, "huge.csv", &csv);
    drop(csv);
    let ingest = read(&[path]);
    assert_reconciles(&ingest);
    let f = &ingest.files[0];
    assert_eq!((f.objects, f.rejected), (2, 1));
    assert_eq!(f.rejections[0].line, 3);
    assert_eq!({ ingest.directory.source[1].line }, 4);
}

#[test]
fn garbage_empty_and_unreadable_inputs_never_panic() {
    let dir = tempfile::tempdir().unwrap();
    let mut garbage: Vec<u8> = (0..200_000u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    garbage.extend_from_slice(b"\n\n");
    let paths = [
        temp_file(&dir, "garbage.bin", &garbage),
        temp_file(&dir, "empty.ldf", b""),
        temp_file(&dir, "header-only.csv", b"DN,cn,mail\r\n"),
        temp_file(&dir, "no-dn-column.csv", b"cn,mail\r\na,a@x\r\n"),
        dir.path().to_path_buf(),
        dir.path().join("missing.ldf"),
        temp_file(
            &dir,
            "binary.ldf",
            b"dn: CN=a,DC=x\n\x01\x02\x03\xff\xfe\n\ndn: CN=b,DC=x\ncn: b\n",
        ),
    ];
    let forced = synclint::ingest::ReadOptions {
        format: Some(synclint::ingest::Format::Ldif),
        ..Default::default()
    };
    let garbage_as_ldif = synclint::ingest::read_files(&paths[..1], &forced);
    assert_reconciles(&garbage_as_ldif);
    let ingest = read(&paths);
    assert_reconciles(&ingest);
    let errors: Vec<bool> = ingest.files.iter().map(|f| f.error.is_some()).collect();
    // A header without rows holds text but no object: an error, not a quiet zero.
    assert_eq!(errors, [true, false, true, true, true, true, false]);
    // Random bytes that happen to hold a comma look like a csvde header without a DN column.
    let garbage_error = ingest.files[0].error.as_deref().unwrap();
    assert!(garbage_error.contains("garbage.bin: "), "{garbage_error}");
    assert!(
        garbage_error.contains("no DN column") || garbage_error.contains("neither LDIF nor csvde"),
        "{garbage_error}"
    );
    assert!(ingest.files[3]
        .error
        .as_deref()
        .unwrap()
        .contains("no DN column"));
    assert!(ingest.files[4]
        .error
        .as_deref()
        .unwrap()
        .contains("is a directory"));
    assert_eq!(ingest.files[2].objects, 0);
    assert_eq!((ingest.files[6].objects, ingest.files[6].rejected), (1, 1));
}
