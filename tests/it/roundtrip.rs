//! Property test: random objects written by both writers (UTF-8 and UTF-16LE) and read back by
//! both readers come back unchanged.

use proptest::prelude::*;
use synclint::directory::{Attr, ObjectKind, TEXT_ATTRS};
use synclint::generate::writer::{csvde_file, ldif_file, ExportObject, LdifStyle, TextOut};
use synclint::ingest::{read_files, ReadOptions};

/// Text that csvde can carry: not empty, no backslash (its `\;` escape leaves `\` ambiguous,
/// export-formats.md §4.6), and not of the `X'…'` binary form.
fn text() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9 .,;:<'\"@#=()éß王Ł\\-]{1,12}|[a-z]{1,3}\n[a-z ]{0,3}"
}

fn object() -> impl Strategy<Value = ExportObject> {
    (
        "[a-zA-Z0-9 .é王'\"#=+-]{1,16}",
        prop::collection::vec((0..TEXT_ATTRS.len(), text()), 0..6),
        // Typed, as proxyAddresses are: in a csvde field without `\;`, an untyped text after
        // a typed non-SMTP value would read as part of it (bare X400 values, csvde.rs).
        prop::collection::vec(
            (
                prop::sample::select(vec!["SMTP", "smtp", "X500", "x400", "SIP", "eum"]),
                text(),
            )
                .prop_map(|(t, v)| format!("{t}:{v}")),
            0..5,
        ),
        prop::option::of(prop::array::uniform16(any::<u8>())),
        prop::option::of(any::<i32>()),
        0..4usize,
        prop::sample::select(vec![
            "user",
            "group",
            "contact",
            "computer",
            "inetOrgPerson",
        ]),
    )
        .prop_map(|(cn, texts, proxies, guid, uac, certs, class)| {
            let mut o = ExportObject::new(format!("CN={cn},OU=Test,DC=x,DC=com"));
            o.text("objectClass", "top").text("objectClass", class);
            for (i, value) in texts {
                let name = TEXT_ATTRS[i].ldap_name();
                if !o.attributes.iter().any(|(n, _)| n == name) {
                    o.text(name, value);
                }
            }
            for p in proxies {
                o.text("proxyAddresses", p);
            }
            if let Some(g) = guid {
                o.binary("objectGUID", g.to_vec());
            }
            if let Some(v) = uac {
                o.text("userAccountControl", v.to_string());
            }
            for c in 0..certs {
                o.binary("userCertificate", vec![c as u8; 20 + c]);
            }
            o
        })
}

fn check(objects: &[ExportObject], dir: &synclint::directory::Directory) {
    assert_eq!(dir.len(), objects.len());
    for (row, o) in objects.iter().enumerate() {
        assert_eq!(dir.dn.get(row), Some(o.dn.as_str()));
        let values = |name: &str| -> Vec<String> {
            o.attributes
                .iter()
                .filter(|(n, _)| n == name)
                .flat_map(|(_, v)| v.iter())
                .map(|v| match v {
                    synclint::generate::ExportValue::Text(t) => t.clone(),
                    synclint::generate::ExportValue::Binary(b) => format!("{b:?}"),
                })
                .collect()
        };
        for attr in TEXT_ATTRS {
            let expected = values(attr.ldap_name()).into_iter().next();
            assert_eq!(
                dir.text(attr, row).map(str::to_string),
                expected,
                "{attr:?} of {}",
                o.dn
            );
        }
        let proxies: Vec<String> = dir.proxy_addresses.get(row).map(str::to_string).collect();
        assert_eq!(proxies, values("proxyAddresses"));
        let class = values("objectClass").pop().unwrap();
        assert_eq!(dir.object_class.get(row), Some(class.as_str()));
        assert_eq!(dir.kind[row], ObjectKind::from_class(&class));
        let guid = o
            .attributes
            .iter()
            .find(|(n, _)| n == "objectGUID")
            .and_then(|(_, v)| match &v[0] {
                synclint::generate::ExportValue::Binary(b) => {
                    <[u8; 16]>::try_from(b.as_slice()).ok()
                }
                _ => None,
            });
        assert_eq!(dir.object_guid[row], guid);
        let uac = values("userAccountControl")
            .first()
            .map(|v| v.parse::<i64>().unwrap());
        assert_eq!(dir.int(Attr::UserAccountControl, row), uac);
        assert_eq!(
            dir.count(Attr::UserCertificate, row) as usize,
            values("userCertificate").len()
        );
    }
}

fn write(dir: &tempfile::TempDir, name: &str, text: &str, utf16: bool) -> std::path::PathBuf {
    let path = dir.path().join(name);
    let mut out = TextOut::new(Vec::new(), utf16).unwrap();
    out.write_str(text).unwrap();
    std::fs::write(&path, out.into_inner()).unwrap();
    path
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn objects_survive_both_writers_and_readers(objects in prop::collection::vec(object(), 1..12), utf16 in any::<bool>(), crlf in any::<bool>(), fold in prop::option::of(2usize..90)) {
        let dir = tempfile::tempdir().unwrap();
        let style = LdifStyle { fold_width: fold, changetype_add: crlf, crlf };
        let ldif = write(&dir, "x.ldf", &ldif_file(&objects, &style), utf16);
        let csv = write(&dir, "x.csv", &csvde_file(&objects), utf16);
        // Tiny blocks, so records also cross block boundaries.
        let options = ReadOptions { block_size: 64, ..ReadOptions::default() };
        for path in [ldif, csv] {
            let ingest = read_files(&[path], &options);
            prop_assert_eq!(ingest.files[0].rejected, 0, "{:?}", ingest.files[0].rejections);
            prop_assert!(ingest.files[0].error.is_none(), "{:?}", ingest.files[0].error);
            check(&objects, &ingest.directory);
        }
    }
}
