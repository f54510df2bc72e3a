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
    let mut c = *wire;
    c[0..4].reverse();
    c[4..6].reverse();
    c[6..8].reverse();
    let h = lower_hex(&c);
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
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
