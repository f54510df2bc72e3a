//! Every variant of export-formats.md §4 that the reader must accept, with the parsed values.

use crate::{assert_reconciles, read, row_of, sample, temp_file};
use synclint::directory::{Attr, ObjectFlags, ObjectKind};
use synclint::hex::format_guid;
use synclint::ingest::{read_files, Encoding, Format, ReadOptions};

fn guid(n: u8) -> [u8; 16] {
    std::array::from_fn(|i| ((n as usize * 37 + i * 11) % 256) as u8)
}

#[test]
fn ldifde_export_crlf_base64_folding_ranges_and_no_final_newline() {
    let ingest = read(&[sample("contoso.ldf")]);
    assert_reconciles(&ingest);
    let f = &ingest.files[0];
    assert_eq!(f.format, Some(Format::Ldif));
    assert_eq!(f.encoding, Some(Encoding::Utf8));
    assert_eq!((f.objects, f.rejected), (4, 0));
    let d = &ingest.directory;

    // dn:: and cn:: are base64 UTF-8; binary objectGUID is kept as bytes.
    let ana = row_of(d, "CN=Ana García,OU=Sales,DC=corp,DC=contoso,DC=com");
    assert_eq!(d.text(Attr::Cn, ana), Some("Ana García"));
    assert_eq!(d.text(Attr::DisplayName, ana), Some("García, Ana"));
    assert_eq!(d.object_guid[ana], Some(guid(1)));
    assert_eq!(d.kind[ana], ObjectKind::User);
    assert_eq!(d.object_class.get(ana), Some("user"));
    assert_eq!(d.int(Attr::RecipientTypeDetails, ana), Some(1));
    assert_eq!(d.thumbnail_photo_bytes.get(ana), Some(200));
    // Folded lines join at any column, dropping exactly one space.
    let proxies: Vec<&str> = d.proxy_addresses.get(ana).collect();
    assert_eq!(proxies.len(), 4);
    assert_eq!(
        proxies[2],
        "X500:/o=ExchangeLabs/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=ana"
    );
    // homeMDB is kept as presence only.
    assert_eq!(d.count(Attr::HomeMdb, ana), 1);

    // Attribute names in any case; a comment with a continuation line before the record.
    let bob = row_of(d, "CN=Bob O'Brien,OU=Sales,DC=corp,DC=contoso,DC=com");
    assert_eq!(
        d.text(Attr::UserPrincipalName, bob),
        Some("bob.o'brien@contoso.local")
    );
    assert_eq!(d.text(Attr::SamAccountName, bob), Some("bobrien"));
    assert_eq!(d.int(Attr::UserAccountControl, bob), Some(514));
    assert_eq!(d.count(Attr::UserCertificate, bob), 2);
    assert_eq!(
        { d.source[bob].line },
        30,
        "a record's line is its first non-comment line"
    );

    // member;range=0-1499 counts as member and flags the object.
    let group = row_of(d, "CN=All Sales,OU=Groups,DC=corp,DC=contoso,DC=com");
    assert_eq!(d.kind[group], ObjectKind::Group);
    assert_eq!(d.count(Attr::Member, group), 3);
    assert!(d.flags[group].has(ObjectFlags::RANGED));
    assert_eq!(d.int(Attr::GroupType, group), Some(-2147483646));

    // The last record has no final newline; a leading space forced base64 and is kept.
    let contact = row_of(d, "CN=Dee Partner,OU=Contacts,DC=corp,DC=contoso,DC=com");
    assert_eq!(d.kind[contact], ObjectKind::Contact);
    assert_eq!(
        d.text(Attr::DisplayName, contact),
        Some(" Dee Partner (leading space)")
    );
    assert_eq!(d.text(Attr::MailNickname, contact), Some("dee.partner"));
    assert_eq!(
        d.text(Attr::TargetAddress, contact),
        Some("SMTP:dee@partner.example.net")
    );
}

#[test]
fn ldapsearch_output_version_comments_trailers_and_referrals() {
    let ingest = read(&[sample("ldapsearch.ldif")]);
    assert_reconciles(&ingest);
    let f = &ingest.files[0];
    assert_eq!((f.objects, f.rejected), (2, 0));
    assert_eq!(f.search_trailers, 1);
    assert_eq!(f.records_without_dn, 1, "the ref: record");
    let d = &ingest.directory;
    let erik = row_of(d, "CN=Erik Sørensen,OU=Staff,DC=emea,DC=contoso,DC=com");
    assert_eq!(
        d.kind[erik],
        ObjectKind::InetOrgPerson,
        "last objectClass wins"
    );
    assert!(d.has_consistency_guid[erik]);
    assert_eq!(d.boolean(Attr::HideFromAddressLists, erik), Some(true));
    assert_eq!(d.boolean(Attr::IsCriticalSystemObject, erik), Some(false));
    let krbtgt = row_of(d, "CN=krbtgt,CN=Users,DC=emea,DC=contoso,DC=com");
    assert_eq!(d.boolean(Attr::IsCriticalSystemObject, krbtgt), Some(true));
}

#[test]
fn csvde_quoting_multivalues_escapes_hex_and_absent_fields() {
    let ingest = read(&[sample("fabrikam.csv")]);
    assert_reconciles(&ingest);
    let f = &ingest.files[0];
    assert_eq!(f.format, Some(Format::Csvde));
    assert_eq!((f.objects, f.rejected), (5, 0));
    let d = &ingest.directory;
    let frank = row_of(d, "CN=Frank Miller,OU=Staff,DC=fabrikam,DC=com");
    assert_eq!(d.text(Attr::DisplayName, frank), Some("Miller, Frank"));
    let proxies: Vec<&str> = d.proxy_addresses.get(frank).collect();
    assert_eq!(
        proxies,
        [
            "SMTP:frank.miller@fabrikam.com",
            "smtp:fm@fabrikam.com",
            "X400:c=us;a= ;p=Fabrikam;o=Exchange;s=Miller;g=Frank;"
        ]
    );
    assert_eq!(d.object_guid[frank], Some(guid(6)));
    assert_eq!(format_guid(&guid(6)).len(), 36);
    // An empty field is an absent attribute.
    assert_eq!(d.text(Attr::TargetAddress, frank), None);
    assert_eq!(d.int(Attr::GroupType, frank), None);

    // A quoted field with CRLF and doubled quotes; the row's line is where it starts.
    let grace = row_of(d, "CN=Grace Hopper,OU=Staff,DC=fabrikam,DC=com");
    assert_eq!({ d.source[grace].line }, 3);
    assert_eq!(
        d.text(Attr::UserPrincipalName, grace),
        Some("grace hopper@fabrikam.com")
    );
    assert_eq!(d.thumbnail_photo_bytes.get(grace), Some(50));
    let group = row_of(d, "CN=Fabrikam Staff,OU=Groups,DC=fabrikam,DC=com");
    assert_eq!(
        { d.source[group].line },
        5,
        "the quoted newline moved the next row down a line"
    );
    assert_eq!(d.count(Attr::Member, group), 2);
    assert_eq!(d.int(Attr::GroupType, group), Some(8));
    let computer = row_of(d, "CN=WS0001,OU=Workstations,DC=fabrikam,DC=com");
    assert_eq!(d.kind[computer], ObjectKind::Computer);
    assert_eq!(d.text(Attr::SamAccountName, computer), Some("WS0001$"));
}

#[test]
fn csvde_escapes_are_undone_only_in_rows_that_have_them() {
    // Rows with and without a backslash alternate: each row is searched once for one, and a
    // row without is read as it stands. Read whole and in blocks of a few rows.
    let dir = tempfile::tempdir().unwrap();
    let csv = b"DN,objectClass,proxyAddresses,displayName\r\n\
\"CN=Escaped,DC=x,DC=com\",user,smtp:e@x.com;X400:c=us\\;a= \\;p=T\\;,E\\;scaped\r\n\
\"CN=Bare,DC=x,DC=com\",user,smtp:b@x.com;X400:c=us;a= ;p=T;,B;are\r\n\
\"CN=Last\\, First,DC=x,DC=com\",user,smtp:l@x.com;SIP:l@x.com,L;ast\r\n\
\"CN=Plain,DC=x,DC=com\",user,smtp:p@x.com,Plain\\;\r\n";
    let path = temp_file(&dir, "escapes.csv", csv);
    for block_size in [4 << 20, 64] {
        let ingest = read_files(
            std::slice::from_ref(&path),
            &ReadOptions {
                block_size,
                ..ReadOptions::default()
            },
        );
        assert_reconciles(&ingest);
        let d = &ingest.directory;
        let expected: [(&str, &[&str], &str); 4] = [
            (
                "CN=Escaped,DC=x,DC=com",
                &["smtp:e@x.com", "X400:c=us;a= ;p=T;"],
                "E;scaped",
            ),
            (
                "CN=Bare,DC=x,DC=com",
                &["smtp:b@x.com", "X400:c=us;a= ;p=T;"],
                "B;are",
            ),
            (
                "CN=Last\\, First,DC=x,DC=com",
                &["smtp:l@x.com", "SIP:l@x.com"],
                "L;ast",
            ),
            ("CN=Plain,DC=x,DC=com", &["smtp:p@x.com"], "Plain;"),
        ];
        for (dn, proxies, display_name) in expected {
            let row = row_of(d, dn);
            let read: Vec<&str> = d.proxy_addresses.get(row).collect();
            assert_eq!(read, proxies, "{dn}, block size {block_size}");
            assert_eq!(
                d.text(Attr::DisplayName, row),
                Some(display_name),
                "{dn}, block size {block_size}"
            );
        }
    }
}

#[test]
fn encodings_utf16le_bom_windows_1252_and_bomless_utf16() {
    let ingest = read(&[sample("fabrikam-unicode.csv"), sample("ansi.csv")]);
    assert_reconciles(&ingest);
    assert_eq!(ingest.files[0].encoding, Some(Encoding::Utf16Le));
    assert!(ingest.files[0].bom);
    assert_eq!(ingest.files[1].encoding, Some(Encoding::Windows1252));
    let d = &ingest.directory;
    let wang = row_of(d, "CN=王 伟,OU=Staff,DC=fabrikam,DC=com");
    assert_eq!(d.text(Attr::Cn, wang), Some("王 伟"));
    let lukasz = row_of(d, "CN=Łukasz Kowalski,OU=Staff,DC=fabrikam,DC=com");
    assert_eq!(
        d.proxy_addresses.get(lukasz).nth(1),
        Some("smtp:łukasz@fabrikam.com")
    );
    let jose = row_of(d, "CN=José Núñez,OU=Staff,DC=fabrikam,DC=com");
    assert_eq!(d.text(Attr::Cn, jose), Some("José Núñez"));
    assert_eq!({ d.source[jose].file }, 1);
    assert_eq!(ingest.directory.sources.len(), 2);

    // Without a BOM: UTF-16LE and UTF-16BE by their NUL pattern; UTF-8 with a BOM.
    let dir = tempfile::tempdir().unwrap();
    let text = "dn: CN=Zoë,DC=x\r\ncn: Zoë\r\nmail: z@x.com\r\n";
    let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
    let mut bom8 = vec![0xEF, 0xBB, 0xBF];
    bom8.extend_from_slice(text.as_bytes());
    let paths = [
        temp_file(&dir, "le.ldf", &le),
        temp_file(&dir, "be.ldf", &be),
        temp_file(&dir, "bom8.ldf", &bom8),
    ];
    let ingest = read(&paths);
    let encodings: Vec<_> = ingest.files.iter().map(|f| (f.encoding, f.bom)).collect();
    assert_eq!(
        encodings,
        [
            (Some(Encoding::Utf16Le), false),
            (Some(Encoding::Utf16Be), false),
            (Some(Encoding::Utf8), true)
        ]
    );
    for row in 0..3 {
        assert_eq!(ingest.directory.text(Attr::Cn, row), Some("Zoë"));
    }
}

#[test]
fn invalid_utf8_in_a_utf8_file_is_counted_as_lossy() {
    let dir = tempfile::tempdir().unwrap();
    // Valid UTF-8 for the first megabyte decides the encoding; the bad byte comes later.
    let mut bytes = Vec::new();
    for i in 0..60_000 {
        bytes.extend_from_slice(format!("dn: CN=u{i},DC=x\ncn: Zoë {i}\n\n").as_bytes());
    }
    bytes.extend_from_slice(b"dn: CN=bad,DC=x\ncn: caf\xe9\n");
    let path = temp_file(&dir, "late.ldf", &bytes);
    let ingest = read(&[path]);
    assert_eq!(ingest.files[0].encoding, Some(Encoding::Utf8));
    assert_eq!(ingest.files[0].lossy_values, 1);
    let d = &ingest.directory;
    let bad = row_of(d, "CN=bad,DC=x");
    assert_eq!(d.text(Attr::Cn, bad), Some("caf\u{FFFD}"));
    assert!(d.flags[bad].has(ObjectFlags::LOSSY_TEXT));
}

#[test]
fn format_comes_from_content_and_can_be_forced() {
    let dir = tempfile::tempdir().unwrap();
    let csv = temp_file(&dir, "export.txt", b"DN,cn\r\n\"CN=a,DC=x\",a\r\n");
    let ldif = temp_file(&dir, "export.csv", b"dn: CN=b,DC=x\ncn: b\n");
    let ingest = read(&[csv.clone(), ldif]);
    assert_eq!(ingest.files[0].format, Some(Format::Csvde));
    assert_eq!(ingest.files[1].format, Some(Format::Ldif));
    // Forced encoding: the same bytes read as Windows-1252.
    let options = ReadOptions {
        encoding: Some(Encoding::Windows1252),
        format: Some(Format::Csvde),
        ..ReadOptions::default()
    };
    let forced = read_files(&[csv], &options);
    assert_eq!(forced.files[0].encoding, Some(Encoding::Windows1252));
    assert_eq!(forced.directory.len(), 1);
}

/// Every 250th record of a UTF-8 export made unreadable: for LDIF a line with no colon inside
/// the record, for csvde a row cut short. The line numbers of what is rejected then have to
/// come out the same however the file is cut into blocks and parsed.
fn with_bad_records(format: Format, bytes: &[u8]) -> Vec<u8> {
    let text = std::str::from_utf8(bytes).expect("generated UTF-8");
    let mut out = String::with_capacity(text.len() + 4096);
    let mut records = 0usize;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        match format {
            Format::Ldif => {
                out.push_str(line);
                if line.starts_with("dn:") {
                    records += 1;
                    if records % 250 == 0 {
                        out.push_str("this line has no colon\n");
                    }
                }
            }
            _ if i > 0 && i % 250 == 0 => out.push_str("\"CN=cut short\",user\r\n"),
            _ => out.push_str(line),
        }
    }
    out.into_bytes()
}

#[test]
fn parallel_small_blocks_match_one_block_exactly() {
    use synclint::generate::{generate, GenerateOptions, Shape};
    let dir = tempfile::tempdir().unwrap();
    for (format, encoding) in [
        (Format::Ldif, Encoding::Utf8),
        (Format::Csvde, Encoding::Utf8),
        (Format::Csvde, Encoding::Utf16Le),
    ] {
        let mut bytes = Vec::new();
        let options = GenerateOptions {
            objects: 3000,
            seed: 9,
            format,
            encoding,
            domains: 4,
            planted: false,
            escaped_names: false,
            shape: Shape::Default,
            plant_devices: false,
            plant_readiness: false,
        };
        generate(&options, &mut bytes).unwrap();
        if encoding == Encoding::Utf8 {
            bytes = with_bad_records(format, &bytes);
        }
        let path = temp_file(&dir, "gen", &bytes);
        let whole = read_files(
            std::slice::from_ref(&path),
            &ReadOptions {
                block_size: 1 << 30,
                sha256: true,
                ..ReadOptions::default()
            },
        );
        let bad = if encoding == Encoding::Utf8 { 12 } else { 0 };
        assert_eq!(whole.files[0].rejected, bad, "{format:?}");
        assert_eq!(whole.files[0].objects, 3000 - bad);
        // Blocks of 4 KiB, parsed by one thread, by three, and by more threads than blocks in
        // flight: each block is appended in file order whichever thread parsed it first.
        for threads in [1, 3, 8] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let split = pool.install(|| {
                read_files(
                    std::slice::from_ref(&path),
                    &ReadOptions {
                        block_size: 4096,
                        sha256: true,
                        ..ReadOptions::default()
                    },
                )
            });
            let context = format!("{format:?} {encoding:?}, {threads} threads");
            assert_reconciles(&split);
            assert_eq!(split.files[0].objects, 3000 - bad, "{context}");
            assert_eq!(split.files[0].rejected, bad, "{context}");
            assert_eq!(
                whole.files[0].rejections, split.files[0].rejections,
                "{context}"
            );
            let (a, b) = (&whole.directory, &split.directory);
            assert_eq!(a.len(), b.len());
            for row in 0..a.len() {
                assert_eq!(a.dn.get(row), b.dn.get(row), "{context}");
                assert_eq!(
                    a.source[row], b.source[row],
                    "line numbers of row {row}, {context}"
                );
                assert_eq!(
                    a.proxy_addresses.get(row).collect::<Vec<_>>(),
                    b.proxy_addresses.get(row).collect::<Vec<_>>()
                );
                for attr in synclint::directory::TEXT_ATTRS {
                    assert_eq!(a.text(attr, row), b.text(attr, row));
                }
                assert_eq!(a.object_guid[row], b.object_guid[row]);
                assert_eq!(a.count[0].get(row), b.count[0].get(row));
            }
            assert_eq!(whole.files[0].attributes, split.files[0].attributes);
            assert!(split.files[0].sha256.is_some(), "{context}");
            assert_eq!(whole.files[0].sha256, split.files[0].sha256, "{context}");
        }
    }
}

#[test]
fn a_fold_inside_a_multibyte_character_joins_back_without_loss() {
    // RFC 2849 folds bytes, so a fold may split a character: the block is then not valid UTF-8
    // as it stands, and each value is checked after joining instead.
    let dir = tempfile::tempdir().unwrap();
    let path = temp_file(
        &dir,
        "split.ldf",
        b"dn: CN=Zo\xc3\n \xab,DC=x\ncn: Zo\xc3\n \xab\nmail: z@x.com\n",
    );
    let ingest = read(&[path]);
    assert_reconciles(&ingest);
    assert_eq!(ingest.files[0].lossy_values, 0);
    let row = row_of(&ingest.directory, "CN=Zoë,DC=x");
    assert_eq!(ingest.directory.text(Attr::Cn, row), Some("Zoë"));
}

fn independent_sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A csvde export and an LDIF export of `objects` users, large enough to take several reads of
/// the input (1 MiB sample, then 4 MiB reads) and many blocks.
fn exports_of(objects: usize) -> (Vec<u8>, Vec<u8>) {
    let mut csv =
        b"DN,objectClass,cn,sAMAccountName,userPrincipalName,mail,description\r\n".to_vec();
    let mut ldif = Vec::new();
    for n in 0..objects {
        let dn = format!("CN=User {n},OU=Staff,DC=contoso,DC=com");
        let note = format!("R\u{e9}sum\u{e9} {n}, \"quoted\" text");
        csv.extend_from_slice(
            format!(
                "\"{dn}\",user,User {n},user{n},user{n}@contoso.com,user{n}@contoso.com,\"{}\"\r\n",
                note.replace('"', "\"\"")
            )
            .as_bytes(),
        );
        ldif.extend_from_slice(
            format!(
                "dn: {dn}\nobjectClass: user\ncn: User {n}\nsAMAccountName: user{n}\n\
                 userPrincipalName: user{n}@contoso.com\nmail: user{n}@contoso.com\n\n"
            )
            .as_bytes(),
        );
    }
    (csv, ldif)
}

/// The digest comes from the reader's own reads (no second pass over the file): it must be
/// exactly the SHA-256 of the file's bytes, for every encoding and format, whether the
/// directory is in memory or spilled, and whatever the block size.
#[test]
fn sha256_is_the_digest_of_the_file_for_every_format_encoding_and_spill() {
    let dir = tempfile::tempdir().unwrap();
    let (csv, ldif) = exports_of(60_000);
    assert!(csv.len() > 6 << 20 && ldif.len() > 6 << 20);
    let mut utf16 = vec![0xFF, 0xFE];
    for unit in String::from_utf8(csv.clone()).unwrap().encode_utf16() {
        utf16.extend_from_slice(&unit.to_le_bytes());
    }
    let inputs = [
        temp_file(&dir, "export.csv", &csv),
        temp_file(&dir, "export.ldf", &ldif),
        temp_file(&dir, "export-utf16.csv", &utf16),
    ];
    let spill = dir.path().join("spill");
    std::fs::create_dir(&spill).unwrap();
    for spill_dir in [None, Some(spill.clone())] {
        for block_size in [64 << 10, 4 << 20] {
            let options = ReadOptions {
                sha256: true,
                block_size,
                spill_dir: spill_dir.clone(),
                ..ReadOptions::default()
            };
            let ingest = read_files(&inputs, &options);
            assert_reconciles(&ingest);
            if spill_dir.is_some() {
                assert!(matches!(ingest.spill, Some(Ok(_))), "{:?}", ingest.spill);
            }
            for (path, file) in inputs.iter().zip(&ingest.files) {
                let expected = independent_sha256(&std::fs::read(path).unwrap());
                assert_eq!(
                    file.sha256.as_deref(),
                    Some(expected.as_str()),
                    "{} (block size {block_size}, spilled: {})",
                    path.display(),
                    spill_dir.is_some()
                );
                assert_eq!(file.bytes, std::fs::metadata(path).unwrap().len());
            }
            assert_eq!(ingest.objects_read(), 3 * 60_000);
        }
    }
}

#[test]
fn sha256_of_a_file_and_of_a_pipe_match_an_independent_digest() {
    let path = sample("fabrikam-unicode.csv");
    let bytes = std::fs::read(&path).unwrap();
    let expected = independent_sha256(&bytes);
    let options = ReadOptions {
        sha256: true,
        ..ReadOptions::default()
    };
    let ingest = read_files(std::slice::from_ref(&path), &options);
    assert_eq!(ingest.files[0].sha256.as_deref(), Some(expected.as_str()));
    let objects = ingest.objects_read();

    // A pipe can be read once only: the same single read gives the same digest and objects.
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("export.fifo");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        return; // no mkfifo on this system
    }
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::write(fifo, bytes).unwrap())
    };
    let ingest = read_files(std::slice::from_ref(&fifo), &options);
    writer.join().unwrap();
    assert_eq!(ingest.files[0].sha256.as_deref(), Some(expected.as_str()));
    assert_eq!(ingest.objects_read(), objects);
}

/// Every way a file is read gives the digest `sha256sum` gives, computed from the reader's own
/// reads: Windows-1252, UTF-16LE with a byte-order mark, CRLF UTF-8, PowerShell Export-Csv, an
/// AD Explorer snapshot (hashed from its mapping), a file read only by the retry in the other
/// format, a file whose first reading went through it all before the retry, and blank files.
#[test]
fn sha256_of_every_reading_path_matches_an_independent_digest() {
    let dir = tempfile::tempdir().unwrap();
    // csvde-looking banner lines: the csvde header is refused, and the retry reads the LDIF.
    let mut banner = b"Exported by,a tool,2026-12-01\n".repeat(300);
    banner.extend_from_slice(b"\n");
    banner.extend_from_slice(&exports_of(5_000).1);
    let blank = b"\r\n ".repeat(30_000);
    let cases = [
        (
            sample("ansi.csv"),
            Encoding::Windows1252,
            Some(Format::Csvde),
            2,
        ),
        (
            sample("fabrikam-unicode.csv"),
            Encoding::Utf16Le,
            Some(Format::Csvde),
            2,
        ),
        (sample("contoso.ldf"), Encoding::Utf8, Some(Format::Ldif), 4),
        (
            sample("tailspin-powershell.csv"),
            Encoding::Utf8,
            Some(Format::PowershellCsv),
            8,
        ),
        (
            temp_file(&dir, "banner.txt", &banner),
            Encoding::Utf8,
            Some(Format::Ldif),
            5_000,
        ),
        // Read whole as csvde (no row), then as LDIF (nothing either): one digest, kept.
        (
            temp_file(&dir, "header.csv", b"DN,objectClass,cn\r\n"),
            Encoding::Utf8,
            Some(Format::Csvde),
            0,
        ),
        (temp_file(&dir, "empty.ldf", b""), Encoding::Utf8, None, 0),
        (
            temp_file(&dir, "blank.csv", &blank),
            Encoding::Utf8,
            None,
            0,
        ),
    ];
    let paths: Vec<_> = cases.iter().map(|c| c.0.clone()).collect();
    let snapshot = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/adexplorer/detectionlab.dat");
    let options = ReadOptions {
        sha256: true,
        ..ReadOptions::default()
    };
    let ingest = read_files(&paths, &options);
    assert_reconciles(&ingest);
    for ((path, encoding, format, objects), file) in cases.iter().zip(&ingest.files) {
        let bytes = std::fs::read(path).unwrap();
        let name = path.display();
        assert_eq!(file.encoding, Some(*encoding), "{name}");
        assert_eq!((file.format, file.objects), (*format, *objects), "{name}");
        assert_eq!(file.bytes, bytes.len() as u64, "{name}");
        assert_eq!(
            file.sha256.as_deref(),
            Some(independent_sha256(&bytes).as_str()),
            "{name}"
        );
    }
    assert!(ingest.files[4].warnings[0].contains("read as ldif"));
    assert!(ingest.files[5].error.is_some());

    // The snapshot is memory-mapped and hashed from the mapping, in memory or spilled, and
    // the sample files give the same digest again (spilling changes nothing of the reading).
    let spill = tempfile::tempdir().unwrap();
    let mut all = paths.clone();
    all.push(snapshot.clone());
    let ingest = read_files(
        &all,
        &ReadOptions {
            spill_dir: Some(spill.path().to_path_buf()),
            ..options.clone()
        },
    );
    let file = ingest.files.last().unwrap();
    assert_eq!(file.format, Some(Format::Adexplorer));
    assert!(file.objects > 3_000, "{}", file.objects);
    assert_eq!(
        file.sha256.as_deref(),
        Some(independent_sha256(&std::fs::read(&snapshot).unwrap()).as_str())
    );
    for (path, file) in paths.iter().zip(&ingest.files) {
        let bytes = std::fs::read(path).unwrap();
        assert_eq!(
            file.sha256.as_deref(),
            Some(independent_sha256(&bytes).as_str()),
            "{} spilled",
            path.display()
        );
    }
}

/// Without transcoding, the digest is taken from the reader's blocks and from what it drops
/// (a byte-order mark, the csvde header, a record past `--max-record-bytes`, a line with a
/// quote that never closes): still exactly the file's SHA-256, at any block size.
#[test]
fn sha256_counts_what_the_reader_drops() {
    let dir = tempfile::tempdir().unwrap();
    // Longer than a read (4 MiB), so that no record boundary is in sight.
    let long = "x".repeat(5 << 20);
    let mut csv = b"\xEF\xBB\xBFDN,objectClass,cn,description\r\n".to_vec();
    let mut ldif = Vec::new();
    for n in 0..2_000 {
        let note = if n == 700 { long.as_str() } else { "short" };
        csv.extend_from_slice(format!("\"CN=U{n},DC=x\",user,U{n},\"{note}\"\r\n").as_bytes());
        ldif.extend_from_slice(
            format!("dn: CN=U{n},DC=x\nobjectClass: user\ncn: U{n}\ndescription: {note}\n\n")
                .as_bytes(),
        );
    }
    csv.extend_from_slice(b"\"CN=open,DC=x\",user,\"never closed\r\n");
    let inputs = [
        temp_file(&dir, "drops.csv", &csv),
        temp_file(&dir, "drops.ldf", &ldif),
    ];
    for block_size in [4096, 64 << 10, 4 << 20] {
        let ingest = read_files(
            &inputs,
            &ReadOptions {
                sha256: true,
                block_size,
                max_record_bytes: 1 << 20,
                ..ReadOptions::default()
            },
        );
        assert_reconciles(&ingest);
        for (path, file) in inputs.iter().zip(&ingest.files) {
            let bytes = std::fs::read(path).unwrap();
            let name = format!("{} (block size {block_size})", path.display());
            assert_eq!(file.objects, 1_999, "{name}");
            let dropped = file
                .rejections
                .iter()
                .filter(|r| r.reason.contains("longer than"));
            assert_eq!(dropped.count(), 1, "{name}: {:?}", file.rejections);
            assert_eq!(
                file.sha256.as_deref(),
                Some(independent_sha256(&bytes).as_str()),
                "{name}"
            );
        }
    }
}

/// Blank space for more than the format detection's look (64 KiB) and then text is not an
/// empty file: nothing is silently dropped. Without a name saying the format, the retry reads
/// it as LDIF; named `.ldf`, the retry (as csvde) finds nothing and the file is an error.
#[test]
fn text_after_a_long_blank_start_is_not_taken_for_an_empty_file() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = b"\n".repeat(70_000);
    text.extend(exports_of(10).1);
    let unnamed = temp_file(&dir, "late.txt", &text);
    let named = temp_file(&dir, "late.ldf", &text);
    let ingest = read(&[unnamed, named]);
    let file = &ingest.files[0];
    assert_eq!(
        (file.format, file.objects),
        (Some(Format::Ldif), 10),
        "{file:?}"
    );
    assert!(
        file.warnings[0].contains("read as ldif"),
        "{:?}",
        file.warnings
    );
    let file = &ingest.files[1];
    let error = file.error.as_deref().unwrap_or_default();
    assert!(error.contains("64 KiB of blank space"), "{file:?}");
}

/// ldapsearch prints each entry's DN as a `# ` comment; a replication-conflict name holds a
/// line feed (`\0ACNF:`), so the comment breaks in two and its second half looks like an
/// attribute line before `dn:`. As exported from a Samba AD DC by `ldapsearch -E pr=200`
/// (.ci/samba-loop.sh), and with the DN in base64 holding a raw line feed: the objects are
/// read, and scope puts them out as replication conflicts.
#[test]
fn ldapsearch_comment_broken_by_a_conflict_name() {
    let dir = tempfile::tempdir().unwrap();
    let text = "# extended LDIF\n#\n# LDAPv3\n# base <OU=Staff,DC=corp,DC=contoso,DC=local> with scope subtree\n#\n\n\
# Dup User\nCNF:6f7e1e0a-1111-2222-3333-444455556666, Staff, corp.contoso.local\n\
dn: CN=Dup User\\0ACNF:6f7e1e0a-1111-2222-3333-444455556666,OU=Staff,DC=corp,DC\n =contoso,DC=local\n\
objectClass: top\nobjectClass: person\nobjectClass: organizationalPerson\nobjectClass: user\n\
cn:: RHVwIFVzZXIKQ05GOjZmN2UxZTBhLTExMTEtMjIyMi0zMzMzLTQ0NDQ1NTU1NjY2Ng==\n\
objectGUID:: 8bAXj4KRsE2r8vadbRz5tQ==\nsAMAccountName: dupcnf1\nuserPrincipalName: dupcnf@contoso.com\n\n\
# Dup Two\nCNF:0a0a0a0a-1111-2222-3333-444455556666, Staff, corp.contoso.local\n\
dn:: Q049RHVwIFR3bwpDTkY6MGEwYTBhMGEtMTExMS0yMjIyLTMzMzMtNDQ0NDU1NTU2NjY2LE9VPVN0YWZmLERDPWNvcnAsREM9Y29udG9zbyxEQz1sb2NhbA==\n\
objectClass: user\nobjectGUID:: 8bAXj4KRsE2r8vadbRz5tw==\nsAMAccountName: duptwo\n\n\
# Plain User, Staff, corp.contoso.local\ndn: CN=Plain User,OU=Staff,DC=corp,DC=contoso,DC=local\n\
objectClass: user\nobjectGUID:: 8bAXj4KRsE2r8vadbRz5tg==\nsAMAccountName: plain\n\n\
# Not a conflict\ncn: early\ndn: CN=Early,OU=Staff,DC=corp,DC=contoso,DC=local\nobjectClass: user\n\n\
# search reference\nref: ldap://corp.contoso.local/CN=Configuration,DC=corp,DC=contoso,DC=local\n\n\
# search result\nsearch: 2\nresult: 0 Success\n\n# numResponses: 4\n";
    let path = crate::temp_file(&dir, "conflict.ldif", text.as_bytes());
    let ingest = read(std::slice::from_ref(&path));
    assert_reconciles(&ingest);
    let f = &ingest.files[0];
    assert_eq!((f.objects, f.rejected), (3, 1), "{:?}", f.rejections);
    assert!(
        f.rejections[0]
            .reason
            .contains("'dn:' must be the first line"),
        "a line before a dn without a line feed is still an error: {:?}",
        f.rejections
    );
    assert_eq!(f.search_trailers, 1);
    assert_eq!(f.records_without_dn, 1, "the ref: record");
    let d = &ingest.directory;
    let conflict = row_of(
        d,
        "CN=Dup User\\0ACNF:6f7e1e0a-1111-2222-3333-444455556666,OU=Staff,DC=corp,DC=contoso,DC=local",
    );
    assert_eq!({ d.source[conflict].line }, 9, "the dn: line");
    assert_eq!(d.text(Attr::SamAccountName, conflict), Some("dupcnf1"));

    // analyze: out of scope as a replication conflict, not rejected.
    let (_, summary) = crate::analyze_to(dir.path(), "conflict", &[path], &[]);
    assert_eq!(summary["objects"]["rejected"], 1);
    assert_eq!(summary["objects"]["out_of_scope"], 2, "both conflict names");
    assert_eq!(summary["objects"]["analyzed"], 1);
}
