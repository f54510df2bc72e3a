//! Address syntax shared by the UPN, mail, proxy and target rules.

/// A set of ASCII characters as a 128-bit mask: membership is one shift, which matters when
/// every character of millions of values is checked.
pub const fn ascii_set(chars: &str) -> u128 {
    let bytes = chars.as_bytes();
    let mut mask = 0u128;
    let mut i = 0;
    while i < bytes.len() {
        mask |= 1u128 << bytes[i];
        i += 1;
    }
    mask
}

/// A byte-class table from two [`ascii_set`]s: entry `b` has `first_bit` when `b` is in
/// `first`, `second_bit` when in `second` (non-ASCII bytes have neither). One look-up a byte
/// answers both questions, for the scans that run over every byte of millions of values.
pub const fn byte_classes(first: u128, first_bit: u8, second: u128, second_bit: u8) -> [u8; 256] {
    let mut table = [0u8; 256];
    let mut c = 0;
    while c < 128 {
        if (first >> c) & 1 == 1 {
            table[c] |= first_bit;
        }
        if (second >> c) & 1 == 1 {
            table[c] |= second_bit;
        }
        c += 1;
    }
    table
}

/// Whether `c` is in an [`ascii_set`].
pub fn in_set(c: char, set: u128) -> bool {
    (c as u32) < 128 && (set >> (c as u32)) & 1 == 1
}

const ATOM_SYMBOLS: u128 = ascii_set("!#$%&'*+/=?^_`{|}~-");

/// Splits `local@domain` at its only `@`.
pub fn split(address: &str) -> Option<(&str, &str)> {
    // Bytes, not chars: '@' is ASCII, and a plain byte scan of a short address costs a
    // fraction of the char searcher's set-up.
    let b = address.as_bytes();
    let at = b.iter().position(|c| *c == b'@')?;
    if b[at + 1..].contains(&b'@') {
        return None;
    }
    Some((&address[..at], &address[at + 1..]))
}

/// RFC 5322 dot-atom characters of a local part (IdFix's RFC2822 rule).
pub fn is_atom_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || in_set(c, ATOM_SYMBOLS)
}

/// A DNS label character (letters with diacritics are invalid in addresses, per Microsoft's
/// preparation guide).
pub fn is_domain_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '.'
}

/// Whether `text` has more than `max` characters. Bytes first: a value has no more characters
/// than bytes, most values are short, and an ASCII value (checked a word at a time) has one
/// character per byte; only a long non-ASCII value has its characters counted.
pub fn longer_than(text: &str, max: usize) -> bool {
    text.len() > max && (text.is_ascii() || text.chars().count() > max)
}

const DOMAIN_BYTES: u128 =
    ascii_set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.");
const LOCAL_BYTES: u128 = DOMAIN_BYTES | ATOM_SYMBOLS;

/// Byte classes for [`smtp_clearly_valid`]: allowed in a local part, allowed in a domain.
const LOCAL_OK: u8 = 1;
const DOMAIN_OK: u8 = 2;
static SMTP_CLASS: [u8; 256] = byte_classes(LOCAL_BYTES, LOCAL_OK, DOMAIN_BYTES, DOMAIN_OK);

/// One pass over an ASCII address that says whether it is certainly valid; the precise
/// reason (rare) comes from the slower checks in [`smtp_problem`]. Every address of every
/// object goes through here, so it is one table look-up per byte: the local part's
/// characters and periods, then the domain's characters, periods and hyphens.
fn smtp_clearly_valid(address: &str) -> bool {
    let b = address.as_bytes();
    let Some(at) = b.iter().position(|c| *c == b'@') else {
        return false;
    };
    let (local, domain) = (&b[..at], &b[at + 1..]);
    // A part is non-empty, has no period first, last or doubled (`prev` starts as '.').
    let mut prev = b'.';
    for &c in local {
        if SMTP_CLASS[usize::from(c)] & LOCAL_OK == 0 || (c == b'.' && prev == b'.') {
            return false;
        }
        prev = c;
    }
    if prev == b'.' {
        return false;
    }
    // The domain also needs a period, and no label may start or end with '-'.
    let (mut prev, mut dots) = (b'.', 0);
    for &c in domain {
        if SMTP_CLASS[usize::from(c)] & DOMAIN_OK == 0
            || (c == b'.' && (prev == b'.' || prev == b'-'))
            || (c == b'-' && prev == b'.')
        {
            return false;
        }
        dots += usize::from(c == b'.');
        prev = c;
    }
    prev != b'.' && prev != b'-' && dots > 0
}

/// The first reason an SMTP address (without its `smtp:` prefix) breaks the mail standard
/// Entra applies (the preparation guide; IdFix's RFC2822 rule): exactly one `@`, a dot-atom local part, an ASCII domain.
pub fn smtp_problem(address: &str) -> Option<String> {
    if smtp_clearly_valid(address) {
        return None;
    }
    if address.is_empty() {
        return Some("empty address".into());
    }
    if let Some(c) = address.chars().find(|c| c.is_whitespace()) {
        return Some(format!("contains white space ({})", describe(c)));
    }
    let ats = address.matches('@').count();
    if ats != 1 {
        return Some(if ats == 0 {
            "no '@'".into()
        } else {
            format!("{ats} '@' characters")
        });
    }
    let (local, domain) = split(address)?;
    if local.is_empty() {
        return Some("nothing before '@'".into());
    }
    if domain.is_empty() {
        return Some("nothing after '@'".into());
    }
    if let Some(c) = local.chars().find(|c| !is_atom_char(*c) && *c != '.') {
        return Some(format!("invalid character {} before '@'", describe(c)));
    }
    if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
        return Some("a period at the start or end of the local part, or two in a row".into());
    }
    if let Some(c) = domain.chars().find(|c| !is_domain_char(*c)) {
        return Some(format!("invalid character {} after '@'", describe(c)));
    }
    if domain.starts_with('.')
        || domain.ends_with('.')
        || domain.contains("..")
        || !domain.contains('.')
    {
        return Some("the domain is not of the form name.tld".into());
    }
    if domain
        .split('.')
        .any(|l| l.starts_with('-') || l.ends_with('-'))
    {
        return Some("a domain label starts or ends with '-'".into());
    }
    None
}

/// IdFix-style repair of an SMTP address: transliterate letters with diacritics, drop
/// characters that can't appear, tidy periods. `None` if nothing usable is left.
pub fn clean_smtp(address: &str) -> Option<String> {
    let (local, domain) = split(address).or_else(|| {
        let at = address.rfind('@')?;
        Some((&address[..at], &address[at + 1..]))
    })?;
    let local = tidy_periods(
        &ascii(local)
            .chars()
            .filter(|c| is_atom_char(*c) || *c == '.')
            .collect::<String>(),
    );
    let domain = tidy_periods(
        &ascii(domain)
            .to_ascii_lowercase()
            .chars()
            .filter(|c| is_domain_char(*c))
            .collect::<String>(),
    );
    if local.is_empty() || domain.is_empty() {
        return None;
    }
    Some(format!("{local}@{domain}"))
}

/// Letters with diacritics and other scripts written in ASCII (`Łukasz` → `Lukasz`).
pub fn ascii(text: &str) -> String {
    if text.is_ascii() {
        return text.to_string();
    }
    deunicode::deunicode(text).replace(' ', "")
}

/// Removes leading, trailing and doubled periods.
pub fn tidy_periods(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for part in text.split('.').filter(|p| !p.is_empty()) {
        if !out.is_empty() {
            out.push('.');
        }
        out.push_str(part);
    }
    out
}

/// A character as a reader can see it in a message.
pub fn describe(c: char) -> String {
    match c {
        ' ' => "space".into(),
        '\t' => "tab".into(),
        '\n' | '\r' => "line break".into(),
        c if c.is_control() => format!("U+{:04X}", c as u32),
        c => format!("'{c}'"),
    }
}

/// Cuts `text` to at most `max` characters.
pub fn truncate_chars(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smtp_syntax() {
        assert_eq!(smtp_problem("ana.garcia@contoso.com"), None);
        assert_eq!(smtp_problem("o'brien+tag@contoso.com"), None);
        assert!(smtp_problem("grace hopper@fabrikam.com")
            .unwrap()
            .contains("space"));
        assert!(smtp_problem("a@b@c.com").unwrap().contains("2 '@'"));
        assert!(smtp_problem("anacontoso.com").unwrap().contains("no '@'"));
        assert!(smtp_problem("ana.@contoso.com").unwrap().contains("period"));
        assert!(smtp_problem("josé@contoso.com").unwrap().contains("'é'"));
        assert!(smtp_problem("a@contoso").unwrap().contains("name.tld"));
        assert!(smtp_problem("a(b)@contoso.com").unwrap().contains("'('"));
    }

    #[test]
    fn cleaning() {
        assert_eq!(
            clean_smtp("josé núñez@Contoso.com").as_deref(),
            Some("josenunez@contoso.com")
        );
        assert_eq!(clean_smtp(".a..b.@x.com").as_deref(), Some("a.b@x.com"));
        assert_eq!(clean_smtp("@x.com"), None);
        assert_eq!(ascii("Łukasz"), "Lukasz");
    }
}
