//! The fix command's workbook read-back on arbitrary bytes (and mutated real workbooks).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = synclint::fix::reviewed::read_bytes(data);
});
