//! Differential test: our LDIF scanner against ldif-parser (the crate the design card names),
//! on the LDIF samples and on generated LDIF. Both must yield the same DN, attribute names and
//! text values for every record.
//!
//! ldif-parser's known lossy cases, excluded explicitly:
//! 1. it trims plain values (not base64 ones): plain values are compared trimmed;
//! 2. binary values whose bytes are not UTF-8 come back as `base64:<encoded>`: compared as such;
//! 3. one non-`add` change record fails the whole call: such files (broken.ldf) are not fed to it;
//! 4. it stops at 1,000,000 entries per call: the inputs here are smaller;
//! 5. it lower-cases objectClass values: those are compared case-insensitively;
//! 6. it refuses `=` in attribute options (`member;range=0-1499`) and fails the whole call:
//!    its copy of the input has such options removed (ours strips options anyway).

use crate::sample;
use base64::Engine;
use std::collections::BTreeMap;
use synclint::ingest::ldif;
use synclint::ingest::sink::{NonEntry, RecordSink, Value};

type Record = (String, BTreeMap<String, Vec<String>>);

/// Keeps every attribute of every record, rendered the way ldif-parser renders values.
#[derive(Default)]
struct Everything {
    records: Vec<Record>,
    current: Option<Record>,
    names: Vec<String>,
    non_entries: usize,
    rejected: usize,
}

fn render(value: Value<'_>) -> String {
    let mut buf = Vec::new();
    let bytes = value.bytes(&mut buf);
    match std::str::from_utf8(bytes) {
        Ok(text) if !value.is_encoded() => text.trim().to_string(),
        Ok(text) => text.to_string(),
        Err(_) => format!(
            "base64:{}",
            base64::engine::general_purpose::STANDARD.encode(bytes)
        ),
    }
}

impl RecordSink for Everything {
    type Key = usize;
    fn resolve(&mut self, name: &[u8]) -> usize {
        self.names
            .push(String::from_utf8_lossy(name).to_lowercase());
        self.names.len() - 1
    }
    fn multi_valued(&self, _: usize) -> bool {
        true
    }
    fn wants_values(&self, _: usize) -> bool {
        true
    }
    fn begin(&mut self, _line: u64, dn: Value<'_>) {
        self.current = Some((render(dn), BTreeMap::new()));
    }
    fn value(&mut self, key: usize, value: Value<'_>, _ranged: bool) {
        let name = self.names[key].clone();
        if let Some((_, attrs)) = self.current.as_mut() {
            attrs.entry(name).or_default().push(render(value));
        }
    }
    fn present(&mut self, _: usize) {}
    fn present_in(&mut self, _: usize, _: u64) {}
    fn commit(&mut self) {
        self.records.extend(self.current.take());
    }
    fn reject(&mut self, _: u64, _: u64, _: String) {
        self.current = None;
        self.rejected += 1;
    }
    fn non_entry(&mut self, _: u64, _: NonEntry) {
        self.non_entries += 1;
    }
}

fn oracle(text: &str) -> (Vec<Record>, usize) {
    let without_options = text.replace(";range=0-1499:", ":");
    let parsed = ldif_parser::LdifParser::parse_with_warnings(&without_options)
        .expect("ldif-parser parses it");
    let records = parsed
        .entries
        .into_iter()
        .map(|e| {
            let mut attrs: BTreeMap<String, Vec<String>> = BTreeMap::new();
            for (name, values) in e.attributes {
                // ldif-parser keeps options (`member;range=0-1499`); ours strips them.
                let base = name.split(';').next().unwrap_or_default().to_string();
                attrs.entry(base).or_default().extend(values);
            }
            if !e.object_classes.is_empty() {
                attrs.insert("objectclass".into(), e.object_classes);
            }
            (e.dn, attrs)
        })
        .collect();
    (records, parsed.skipped_entries)
}

fn compare(bytes: &[u8]) -> usize {
    let text = std::str::from_utf8(bytes).expect("UTF-8 input");
    let mut ours = Everything::default();
    ldif::scan(bytes, 1, &mut ours);
    let (theirs, skipped) = oracle(text);
    assert_eq!(ours.rejected, 0);
    assert_eq!(ours.records.len(), theirs.len());
    assert_eq!(ours.non_entries, skipped, "DN-less records");
    for (a, b) in ours.records.iter_mut().zip(&theirs) {
        assert_eq!(a.0, b.0);
        if let Some(classes) = a.1.get_mut("objectclass") {
            classes.iter_mut().for_each(|c| *c = c.to_lowercase());
        }
        assert_eq!(a.1, b.1, "attributes of {}", a.0);
    }
    theirs.len()
}

#[test]
fn samples_agree_with_ldif_parser() {
    for name in ["contoso.ldf", "ldapsearch.ldif"] {
        let bytes = std::fs::read(sample(name)).unwrap();
        assert!(compare(&bytes) >= 2, "{name}");
    }
}

#[test]
fn generated_ldif_agrees_with_ldif_parser() {
    use synclint::generate::{generate, GenerateOptions, Shape};
    use synclint::ingest::{Encoding, Format};
    let mut bytes = Vec::new();
    let options = GenerateOptions {
        objects: 5000,
        seed: 42,
        format: Format::Ldif,
        encoding: Encoding::Utf8,
        domains: 4,
        planted: false,
        escaped_names: false,
        shape: Shape::Default,
        plant_devices: false,
        plant_readiness: false,
    };
    generate(&options, &mut bytes).unwrap();
    assert_eq!(compare(&bytes), 5000);
}
