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
    // Only hex digits and '-' are written: the text is ASCII, checked in one pass.
    std::str::from_utf8(&guid_text(wire)).map_or_else(|_| String::new(), str::to_owned)
}

/// [`format_guid`]'s text on the stack, for callers that only copy it on (a finding's id is
/// made from it once per finding: a `format!` of five slices of a hex String cost ten times as
/// much).
pub fn guid_text(wire: &[u8; 16]) -> [u8; 36] {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    // Where each wire byte's two digits go: the first three groups are little-endian.
    const AT: [usize; 16] = [6, 4, 2, 0, 11, 9, 16, 14, 19, 21, 24, 26, 28, 30, 32, 34];
    let mut text = [b'-'; 36];
    for (&b, &at) in wire.iter().zip(&AT) {
        text[at] = DIGITS[usize::from(b >> 4)];
        text[at + 1] = DIGITS[usize::from(b & 15)];
    }
    text
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
        // Every byte value at every place, against the groups put together from `lower_hex`.
        for place in 0..16 {
            for b in 0..=255u8 {
                let mut other = wire;
                other[place] = b;
                let group = |range: std::ops::Range<usize>, reversed: bool| {
                    let mut bytes = other[range].to_vec();
                    if reversed {
                        bytes.reverse();
                    }
                    lower_hex(&bytes)
                };
                let expected = [
                    group(0..4, true),
                    group(4..6, true),
                    group(6..8, true),
                    group(8..10, false),
                    group(10..16, false),
                ]
                .join("-");
                assert_eq!(format_guid(&other), expected);
            }
        }
    }
}
