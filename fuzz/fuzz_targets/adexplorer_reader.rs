//! The AD Explorer snapshot reader on damaged snapshots: the input is used as it is, and as a
//! list of edits (4-byte little-endian offset, 1 byte) applied to a small generated snapshot,
//! cut where its first two bytes say. Never a panic; the rows and the counts always agree, and
//! where reading stopped is inside the bytes given.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use synclint::directory::Directory;
use synclint::generate::{snapshot, GenerateOptions};
use synclint::ingest::{adexplorer, FileReport};

fn base() -> &'static [u8] {
    static BASE: OnceLock<Vec<u8>> = OnceLock::new();
    BASE.get_or_init(|| {
        let mut out = std::io::Cursor::new(Vec::new());
        let options = GenerateOptions {
            objects: 30,
            planted: true,
            ..GenerateOptions::default()
        };
        snapshot::generate(&options, &mut out).expect("generated snapshot");
        out.into_inner()
    })
}

fn check(data: &[u8]) {
    let mut directory = Directory::default();
    let mut report = FileReport::default();
    let outcome = adexplorer::read_bytes(data, 0, &mut directory, &mut report, None, |_| {});
    assert!(report.rejections.len() as u64 <= report.rejected);
    if let Some(stopped) = outcome.stopped {
        assert!(stopped.offset <= data.len() as u64);
    }
}

fuzz_target!(|input: &[u8]| {
    check(input);
    let mut data = base().to_vec();
    let (cut, edits) = match input {
        [a, b, rest @ ..] => (usize::from(u16::from_le_bytes([*a, *b])), rest),
        _ => (0, input),
    };
    for edit in edits.chunks_exact(5) {
        let at = u32::from_le_bytes([edit[0], edit[1], edit[2], edit[3]]) as usize % data.len();
        data[at] = edit[4];
    }
    if cut > 0 {
        data.truncate(data.len() - cut % data.len());
    }
    check(&data);
});
