//! Bytes as text: lower-case hex (digests, finding ids) and the text form of a GUID. A leaf
//! module: the reader, the baseline and the generator all format with it.

/// Bytes as lower-case hex: digests, ids, GUIDs.
pub fn lower_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut text = String::with_capacity(2 * bytes.len());
    for b in bytes {
        text.push(DIGITS[usize::from(b >> 4)] as char);
        text.push(DIGITS[usize::from(b & 15)] as char);
    }
    text
}

/// The text form of a wire-order GUID (Data1..Data3 little-endian on the wire, big-endian in
/// text).
pub fn format_guid(wire: &[u8; 16]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    // The wire bytes in text order, a '-' before the 5th, 7th, 9th and 11th. Written into
    // one buffer: a `format!` of five slices of a hex String cost ten times as much, once
    // per finding (its id) and per anchor compared.
    const ORDER: [usize; 16] = [3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15];
    let mut text = [0u8; 36];
    let mut at = 0;
    for (i, &w) in ORDER.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            text[at] = b'-';
            at += 1;
        }
        let b = wire[w];
        text[at] = DIGITS[usize::from(b >> 4)];
        text[at + 1] = DIGITS[usize::from(b & 15)];
        at += 2;
    }
    // Only hex digits and '-' were written: the text is ASCII, checked in one pass.
    std::str::from_utf8(&text).map_or_else(|_| String::new(), str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_and_guid_text() {
        assert_eq!(lower_hex(&[0x00, 0x0f, 0xa0, 0xff]), "000fa0ff");
        let wire = [
            0x0b, 0x81, 0x8f, 0xd0, 0x5c, 0xa3, 0xa8, 0x49, 0x8a, 0x3c, 0x1b, 0x2c, 0x3d, 0x4e,
            0x5f, 0x60,
        ];
        assert_eq!(format_guid(&wire), "d08f810b-a35c-49a8-8a3c-1b2c3d4e5f60");
    }
}
