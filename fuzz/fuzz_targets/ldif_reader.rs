//! The LDIF reader on arbitrary bytes: block cutting at tiny sizes and the scanner.
#![no_main]
use libfuzzer_sys::fuzz_target;
use synclint::ingest::blocks::BlockReader;
use synclint::ingest::table::TableSink;
use synclint::ingest::{ldif, Format};

fuzz_target!(|data: &[u8]| {
    let mut reader = BlockReader::new(data, b"", None, Format::Ldif, 64, 4096);
    let mut rejected = 0;
    let mut objects = 0;
    while let Ok(Some(block)) = reader.next_block() {
        rejected += block.rejections.len();
        let mut sink = TableSink::new(0);
        let newlines = ldif::scan(&block.data, block.first_line, &mut sink);
        // The merge places each block's lines by this count.
        assert_eq!(
            newlines,
            block.data.iter().filter(|&&b| b == b'\n').count() as u64
        );
        let (table, stats) = sink.finish();
        objects += table.len();
        rejected += stats.rejections.len();
    }
    let _ = (objects, rejected);
});
