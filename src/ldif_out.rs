//! Writing LDIF (RFC 2849): one `name: value` line, plain or base64, and folding. The one LDIF
//! writer: `fix`'s change and undo files and the generator's exports both write their lines
//! with it.

use base64::Engine;

/// Appends `name: value` to `line`, or `name:: base64` when the value is not an RFC 2849
/// SAFE-STRING (non-ASCII, a line break, NUL, a leading space, colon or `<`, a trailing
/// space) or is `binary`. No line ending.
pub fn value_line(line: &mut String, name: &str, value: &[u8], binary: bool) {
    let safe = !binary
        && value
            .iter()
            .all(|b| (1..0x80).contains(b) && *b != b'\n' && *b != b'\r')
        && !matches!(value.first(), Some(b' ' | b':' | b'<'))
        && value.last() != Some(&b' ');
    line.push_str(name);
    if safe {
        line.push_str(": ");
        // Safe means ASCII, so this is valid UTF-8.
        line.push_str(std::str::from_utf8(value).unwrap_or_default());
    } else {
        line.push_str(":: ");
        base64::engine::general_purpose::STANDARD.encode_string(value, line);
    }
}

/// Appends `line` and `eol` to `out`, folded (RFC 2849: continuation lines start with a
/// space) when it is longer than `fold_width` bytes; `None` never folds. `line` is what
/// [`value_line`] writes: ASCII, so any byte is a place to fold.
pub fn push_folded(out: &mut String, line: &str, fold_width: Option<usize>, eol: &str) {
    let width = match fold_width {
        Some(w) if w >= 2 && line.len() > w => w,
        _ => {
            out.push_str(line);
            out.push_str(eol);
            return;
        }
    };
    let mut rest = line;
    let mut first = true;
    while !rest.is_empty() {
        let take = if first { width } else { width - 1 }.min(rest.len());
        if !first {
            out.push(' ');
        }
        out.push_str(&rest[..take]);
        out.push_str(eol);
        rest = &rest[take..];
        first = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(value: &str) -> String {
        let mut l = String::new();
        value_line(&mut l, "cn", value.as_bytes(), false);
        l
    }

    #[test]
    fn safe_strings_plain_the_rest_base64() {
        assert_eq!(line("Ann Lee"), "cn: Ann Lee");
        assert_eq!(line("Zoë"), "cn:: Wm/Dqw==");
        assert_eq!(line(" lead"), "cn:: IGxlYWQ=");
        assert_eq!(line(":x"), "cn:: Ong=");
        assert_eq!(line("<x"), "cn:: PHg=");
        assert_eq!(line("trail "), "cn:: dHJhaWwg");
        assert_eq!(line("a\r\nb"), "cn:: YQ0KYg==");
        assert_eq!(line(""), "cn: ");
        let mut l = String::new();
        value_line(&mut l, "objectGUID", b"ab", true);
        assert_eq!(l, "objectGUID:: YWI=");
    }

    #[test]
    fn folds_past_the_width() {
        let mut out = String::new();
        push_folded(&mut out, "description: abcdefgh", Some(10), "\n");
        assert_eq!(out, "descriptio\n n: abcdef\n gh\n");
        assert_eq!(out.replace("\n ", ""), "description: abcdefgh\n");
        out.clear();
        push_folded(&mut out, "description: abcdefgh", None, "\r\n");
        assert_eq!(out, "description: abcdefgh\r\n");
    }
}
