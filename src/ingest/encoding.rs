//! Encoding and format detection (export-formats.md §4.4): BOM first, then BOM-less UTF-16,
//! then UTF-8 if the sample is valid, else Windows-1252.

use serde::Serialize;

/// A text encoding an export can arrive in.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, clap::ValueEnum)]
pub enum Encoding {
    #[value(name = "utf-8")]
    #[serde(rename = "utf-8")]
    Utf8,
    #[value(name = "utf-16le")]
    #[serde(rename = "utf-16le")]
    Utf16Le,
    #[value(name = "utf-16be")]
    #[serde(rename = "utf-16be")]
    Utf16Be,
    #[value(name = "windows-1252")]
    #[serde(rename = "windows-1252")]
    Windows1252,
}

impl Encoding {
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Utf8 => "utf-8",
            Encoding::Utf16Le => "utf-16le",
            Encoding::Utf16Be => "utf-16be",
            Encoding::Windows1252 => "windows-1252",
        }
    }

    /// The decoder that turns the file into UTF-8, or `None` when it already is.
    pub(crate) fn decoder(self) -> Option<encoding_rs::Decoder> {
        let enc = match self {
            Encoding::Utf8 => return None,
            Encoding::Utf16Le => encoding_rs::UTF_16LE,
            Encoding::Utf16Be => encoding_rs::UTF_16BE,
            Encoding::Windows1252 => encoding_rs::WINDOWS_1252,
        };
        Some(enc.new_decoder_without_bom_handling())
    }
}

/// What detection found at the start of a file.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Detected {
    pub encoding: Encoding,
    /// Length of the byte-order mark to skip.
    pub bom_len: usize,
}

impl Detected {
    /// The decoder for the detected encoding (`None` for UTF-8).
    pub fn encoding_decoder(&self) -> Option<encoding_rs::Decoder> {
        self.encoding.decoder()
    }
}

/// Detects the encoding from the first bytes of a file (a few kilobytes to a few megabytes).
/// `complete` says the sample is the whole file (so a cut multi-byte sequence at its end is an error).
pub fn detect_encoding(sample: &[u8], complete: bool) -> Detected {
    let found = |encoding, bom_len| Detected { encoding, bom_len };
    if sample.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return found(Encoding::Utf8, 3);
    }
    if sample.starts_with(&[0xFF, 0xFE]) {
        return found(Encoding::Utf16Le, 2);
    }
    if sample.starts_with(&[0xFE, 0xFF]) {
        return found(Encoding::Utf16Be, 2);
    }
    // Without a BOM, ASCII text in UTF-16 has a NUL in every other byte.
    let head = &sample[..sample.len().min(4096) & !1];
    if head.len() >= 4 {
        let pairs = head.len() / 2;
        let odd_nuls = head.iter().skip(1).step_by(2).filter(|b| **b == 0).count();
        let even_nuls = head.iter().step_by(2).filter(|b| **b == 0).count();
        if odd_nuls * 10 >= pairs * 7 && even_nuls * 10 < pairs {
            return found(Encoding::Utf16Le, 0);
        }
        if even_nuls * 10 >= pairs * 7 && odd_nuls * 10 < pairs {
            return found(Encoding::Utf16Be, 0);
        }
    }
    if is_utf8(sample, complete) || is_utf8(&unfold(sample), complete) {
        found(Encoding::Utf8, 0)
    } else {
        found(Encoding::Windows1252, 0)
    }
}

fn is_utf8(sample: &[u8], complete: bool) -> bool {
    match std::str::from_utf8(sample) {
        Ok(_) => true,
        // A sequence cut by the end of the sample is not evidence against UTF-8.
        Err(e) => e.error_len().is_none() && !complete,
    }
}

/// The sample with LDIF fold points removed: RFC 2849 folds bytes, so a fold may split a
/// UTF-8 character, and such a file is still UTF-8.
fn unfold(sample: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(sample.len());
    let mut rest = sample;
    while let Some(i) = memchr::memmem::find(rest, b"\n ") {
        let cut = if i > 0 && rest[i - 1] == b'\r' {
            i - 1
        } else {
            i
        };
        out.extend_from_slice(&rest[..cut]);
        rest = &rest[i + 2..];
    }
    out.extend_from_slice(rest);
    out
}

/// An export format.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// csvde's CSV.
    Csvde,
    /// ldifde's (or ldapsearch's) LDIF.
    Ldif,
    /// PowerShell's `Export-Csv` of AD module objects (`Get-ADObject`, `Get-ADUser` …).
    #[value(name = "powershell-csv")]
    #[serde(rename = "powershell-csv")]
    PowershellCsv,
    /// A Sysinternals AD Explorer snapshot (`.dat`).
    Adexplorer,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Csvde => "csvde",
            Format::Ldif => "ldif",
            Format::PowershellCsv => "powershell-csv",
            Format::Adexplorer => "adexplorer",
        }
    }

    /// Whether records are CSV rows (cut into blocks at newlines outside quotes).
    pub fn is_csv(self) -> bool {
        matches!(self, Format::Csvde | Format::PowershellCsv)
    }
}

impl Format {
    /// The other text format (tried when a file yields nothing in the detected one).
    pub fn other(self) -> Format {
        match self {
            Format::Csvde | Format::PowershellCsv => Format::Ldif,
            Format::Ldif | Format::Adexplorer => Format::Csvde,
        }
    }

    /// The format a file name says (`.ldf`/`.ldif`, `.csv`), if any.
    pub fn of_name(path: &std::path::Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?;
        if ext.eq_ignore_ascii_case("ldf") || ext.eq_ignore_ascii_case("ldif") {
            Some(Format::Ldif)
        } else if ext.eq_ignore_ascii_case("csv") {
            Some(Format::Csvde)
        } else {
            None
        }
    }
}

/// Lines of the sample looked at beyond the first.
const SAMPLED_LINES: usize = 200;

/// Whether a line (with its folds joined) looks like an LDIF `name: value` line.
fn ldif_like(line: &[u8]) -> bool {
    let name_end = line
        .iter()
        .position(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'-' | b';' | b'.')));
    name_end.is_some_and(|i| i > 0 && line[i] == b':')
}

/// The share of the sample's first lines (not blank, comments or folds) that look like LDIF,
/// and how many lines that share is of.
fn ldif_share(text: &[u8]) -> (usize, usize) {
    let mut lines = text
        .split(|b| *b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .filter(|l| !l.is_empty() && l[0] != b'#' && l[0] != b' ')
        .take(SAMPLED_LINES);
    let (mut ldif, mut all) = (0, 0);
    for line in lines.by_ref() {
        all += 1;
        ldif += usize::from(ldif_like(line.trim_ascii_start()));
    }
    (ldif, all)
}

/// Detects the format from the file name and the decoded text: the first line decides unless
/// it is damaged or the name and the next lines disagree with it (an `.ldf` whose first line
/// carries a stray byte is still LDIF). `None` if it is neither.
pub fn guess_format(name: Option<Format>, text: &[u8]) -> Option<Format> {
    let first = detect_format(text);
    let (ldif, all) = ldif_share(text);
    let mostly_ldif = all > 0 && ldif * 2 > all;
    match (name, first) {
        (Some(Format::Ldif), Some(Format::Csvde)) if ldif * 5 >= all => Some(Format::Ldif),
        (_, Some(Format::Csvde | Format::PowershellCsv)) if mostly_ldif => Some(Format::Ldif),
        (_, Some(found)) => Some(found),
        (_, None) if mostly_ldif => Some(Format::Ldif),
        (Some(Format::Ldif), None) if ldif > 0 => Some(Format::Ldif),
        _ => None,
    }
}

/// Detects the format from the start of the decoded text; `None` if it is neither. Control
/// bytes before the first line's text (a stray NUL) are passed over.
pub fn detect_format(text: &[u8]) -> Option<Format> {
    let mut lines = text
        .split(|b| *b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .peekable();
    // PowerShell's `#TYPE …` line would pass for an LDIF comment.
    if lines
        .clone()
        .find(|l| !l.is_empty())
        .is_some_and(super::powershell::is_type_line)
    {
        return Some(Format::PowershellCsv);
    }
    while let Some(line) = lines.next() {
        if line.is_empty() || line[0] == b'#' || line[0] == b' ' {
            continue;
        }
        // LDIF may fold anywhere, even inside the first attribute name: unfold first.
        let mut logical = line.to_vec();
        while let Some(next) = lines.next_if(|l| l.first() == Some(&b' ')) {
            logical.extend_from_slice(&next[1..]);
        }
        let start = logical
            .iter()
            .position(|b| *b >= b' ' || *b == b'\t')
            .unwrap_or(logical.len());
        let line = &logical[start..];
        let name_end = line
            .iter()
            .position(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'-' | b';' | b'=' | b'.')));
        if let Some(i) = name_end {
            if line[i] == b':' && i > 0 {
                return Some(Format::Ldif);
            }
        }
        let first = line.split(|b| *b == b',').next().unwrap_or_default();
        let first = first.trim_ascii();
        let first = first
            .strip_prefix(b"\"")
            .and_then(|f| f.strip_suffix(b"\""))
            .unwrap_or(first);
        if super::powershell::is_header(line) {
            return Some(Format::PowershellCsv);
        }
        if memchr::memchr(b',', line).is_some()
            || first.eq_ignore_ascii_case(b"DN")
            || first.eq_ignore_ascii_case(b"distinguishedName")
        {
            return Some(Format::Csvde);
        }
        return None;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_by_name_and_lines_past_a_damaged_first_line() {
        let ldif = b"x\xff,garbage,here\ndn: CN=a,DC=b\nobjectClass: user\ncn: a\n\ndn: CN=b,DC=b\ncn: b\n";
        assert_eq!(guess_format(None, ldif), Some(Format::Ldif));
        assert_eq!(guess_format(Some(Format::Ldif), ldif), Some(Format::Ldif));
        let csv = b"DN,objectClass,cn\n\"CN=a,DC=b\",user,a\n";
        assert_eq!(guess_format(None, csv), Some(Format::Csvde));
        assert_eq!(guess_format(Some(Format::Ldif), csv), Some(Format::Csvde));
        // One LDIF-looking line in five tips an .ldf over a first line with commas.
        let damaged = b"garbage, with, commas\ndn: CN=a\nx y\nx y\nx y\n";
        assert_eq!(
            guess_format(Some(Format::Ldif), damaged),
            Some(Format::Ldif)
        );
        assert_eq!(
            guess_format(Some(Format::Csvde), damaged),
            Some(Format::Csvde)
        );
        assert_eq!(guess_format(Some(Format::Csvde), b"hello world\n"), None);
    }

    #[test]
    fn boms_win() {
        assert_eq!(
            detect_encoding(b"\xEF\xBB\xBFdn: x", true),
            Detected {
                encoding: Encoding::Utf8,
                bom_len: 3
            }
        );
        assert_eq!(
            detect_encoding(b"\xFF\xFEd\0n\0", true).encoding,
            Encoding::Utf16Le
        );
        assert_eq!(
            detect_encoding(b"\xFE\xFF\0d\0n", true).encoding,
            Encoding::Utf16Be
        );
    }

    #[test]
    fn bomless_utf16_utf8_and_ansi() {
        let utf16: Vec<u8> = "dn: CN=a\r\n"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        assert_eq!(
            detect_encoding(&utf16, true),
            Detected {
                encoding: Encoding::Utf16Le,
                bom_len: 0
            }
        );
        assert_eq!(
            detect_encoding("cn: Jos\u{e9}".as_bytes(), true).encoding,
            Encoding::Utf8
        );
        assert_eq!(
            detect_encoding(b"cn: Jos\xe9\n", true).encoding,
            Encoding::Windows1252
        );
        // A character split by an LDIF fold is still UTF-8.
        assert_eq!(
            detect_encoding(b"cn: Zo\xc3\n \xab\n", true).encoding,
            Encoding::Utf8
        );
        // A multi-byte character cut by the end of a partial sample stays UTF-8.
        assert_eq!(
            detect_encoding(b"cn: Jos\xc3", false).encoding,
            Encoding::Utf8
        );
    }

    #[test]
    fn format_by_content() {
        assert_eq!(
            detect_format(b"# comment\nversion: 1\n\ndn: x\n"),
            Some(Format::Ldif)
        );
        assert_eq!(detect_format(b"dn:: Q049eA==\n"), Some(Format::Ldif));
        // Folded inside the first attribute name (RFC 2849 allows any column).
        assert_eq!(detect_format(b"dn\n : CN=a\n"), Some(Format::Ldif));
        assert_eq!(
            detect_format(b"DN,objectClass\n\"CN=a,DC=b\",user\n"),
            Some(Format::Csvde)
        );
        assert_eq!(detect_format(b"\"DN\",cn\n"), Some(Format::Csvde));
        assert_eq!(detect_format(b"hello world\n"), None);
        // PowerShell: the #TYPE line (an LDIF comment otherwise), or the module's spellings.
        assert_eq!(
            detect_format(
                b"#TYPE Microsoft.ActiveDirectory.Management.ADUser\r\n\"DistinguishedName\"\r\n"
            ),
            Some(Format::PowershellCsv)
        );
        assert_eq!(
            detect_format(b"\"DistinguishedName\",\"EmailAddress\"\n"),
            Some(Format::PowershellCsv)
        );
        assert_eq!(
            detect_format(b"# a comment\ndn: CN=a,DC=b\n"),
            Some(Format::Ldif)
        );
        // A stray NUL before the first line's text.
        assert_eq!(detect_format(b"\0dn: CN=a,DC=b\n"), Some(Format::Ldif));
        assert_eq!(detect_format(b""), None);
    }
}
