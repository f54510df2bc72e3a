//! The csvde reader on arbitrary bytes: header, quote-aware block cutting, row scanner.
#![no_main]
use libfuzzer_sys::fuzz_target;
use synclint::ingest::blocks::BlockReader;
use synclint::ingest::csvde::{self, CsvHeader};
use synclint::ingest::table::TableSink;
use synclint::ingest::Format;

fuzz_target!(|data: &[u8]| {
    let mut reader = BlockReader::new(data, b"", None, Format::Csvde, 64, 4096);
    let Ok(first) = reader.take_first_record() else {
        return;
    };
    let Ok(header) = CsvHeader::parse(&first) else {
        return;
    };
    while let Ok(Some(block)) = reader.next_block() {
        let mut sink = TableSink::new(0);
        let newlines = csvde::scan(&block.data, block.first_line, &header, &mut sink);
        // The merge places each block's lines by this count.
        assert_eq!(
            newlines,
            block.data.iter().filter(|&&b| b == b'\n').count() as u64
        );
        let _ = sink.finish();
    }
    // The hot-path row scanner and the csv crate split rows into the same fields.
    let fields = |rows: Vec<(u64, Vec<Vec<u8>>)>| rows.into_iter().map(|r| r.1).collect::<Vec<_>>();
    // The csv crate drops a UTF-8 byte-order mark at the start; the reader takes it off before
    // any scanning (`detect_encoding`), so the scanner never sees one.
    let data = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
    if !data.contains(&b'\r') {
        assert_eq!(
            fields(csvde::rows_with_scanner(data)),
            fields(csvde::rows_with_csv_crate(data))
        );
    }
});
