//! Encoding and format detection, then decoding (UTF-16/Windows-1252) and reading.
#![no_main]
use libfuzzer_sys::fuzz_target;
use synclint::ingest::blocks::BlockReader;
use synclint::ingest::encoding::{detect_encoding, detect_format};
use synclint::ingest::table::TableSink;
use synclint::ingest::{csvde, ldif, Format};

fuzz_target!(|data: &[u8]| {
    let detected = detect_encoding(data, true);
    let body = &data[detected.bom_len.min(data.len())..];
    let mut reader = BlockReader::new(
        body,
        b"",
        detected.encoding_decoder(),
        Format::Ldif,
        128,
        8192,
    );
    let head = reader.peek(4096).map(<[u8]>::to_vec).unwrap_or_default();
    let format = detect_format(&head).unwrap_or(Format::Ldif);
    reader.set_format(format);
    let header = match format {
        // A PowerShell CSV is cut and scanned as csvde is (its header is read otherwise).
        Format::Csvde | Format::PowershellCsv => match reader
            .take_first_record()
            .ok()
            .and_then(|f| csvde::CsvHeader::parse(&f).ok())
        {
            Some(h) => Some(h),
            None => return,
        },
        Format::Ldif => None,
        // A binary snapshot, never cut into blocks: `adexplorer_reader` fuzzes its reader.
        Format::Adexplorer => return,
    };
    while let Ok(Some(block)) = reader.next_block() {
        let mut sink = TableSink::new(0);
        let newlines = match &header {
            Some(h) => csvde::scan(&block.data, block.first_line, h, &mut sink),
            None => ldif::scan(&block.data, block.first_line, &mut sink),
        };
        assert_eq!(
            newlines,
            block.data.iter().filter(|&&b| b == b'\n').count() as u64
        );
        let _ = sink.finish();
    }
});
