//! Distinguished names as Active Directory writes them (RFC 4514,
//! <https://www.rfc-editor.org/rfc/rfc4514>): the one place that splits, compares and
//! unescapes DNs.
//!
//! - RDNs are separated by unescaped `,`; the attribute-value pairs of a multi-valued RDN by
//!   unescaped `+`; spaces around separators and around `=` are not part of the value.
//! - A backslash escapes one of `, + " \ < > ; = # ` and space, or starts a hex pair (`\0A`,
//!   `\2C`, and UTF-8 sequences such as `\C3\A9`). AD writes a replication conflict's name
//!   as `CN=Doe\, John\0ACNF:<guid>` (the `\0A` is a line feed).
//! - A backslash before anything else is not an escape: it is kept as it is (`OU=R\&D` is
//!   the value `R\&D`), so a DN from a lenient tool still splits where AD would.
//! - A value starting with an unescaped `#` is taken as text (`CN=#test` is `#test`): RFC
//!   4514's BER form never appears in the names AD writes, which escape the `#`.
//! - Types compare case-insensitively, values case-insensitively after unescaping (AD's
//!   matching rule for names).
//!
//! Scope calls these for every object: nothing allocates unless a value has an escape.

use std::borrow::Cow;

/// What a backslash may escape (RFC 4514 §2.4, §3).
fn is_special(b: u8) -> bool {
    matches!(
        b,
        b',' | b'+' | b'"' | b'\\' | b'<' | b'>' | b';' | b'=' | b'#' | b' '
    )
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// The position of the first unescaped `stop` byte in `s` (or `s.len()`). RFC 2253's quoted
/// values (`CN="Doe, John"`) are not read: RFC 4514 dropped them and AD never writes them.
fn find_unescaped(s: &str, stop: u8) -> usize {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 1,
            c if c == stop => return i,
            _ => {}
        }
        i += 1;
    }
    s.len()
}

/// `s` without leading spaces, and without trailing spaces that are not escaped.
fn trim(s: &str) -> &str {
    let s = s.trim_start_matches(' ');
    let b = s.as_bytes();
    let mut end = b.len();
    while end > 0 && b[end - 1] == b' ' {
        let backslashes = b[..end - 1]
            .iter()
            .rev()
            .take_while(|c| **c == b'\\')
            .count();
        if backslashes % 2 == 1 {
            break;
        }
        end -= 1;
    }
    &s[..end]
}

/// The end of the first RDN of `s` (the first unescaped `,`), or `s.len()`. `s` may also be
/// a value followed by the rest of a DN, or text that quotes a DN.
pub fn rdn_end(s: &str) -> usize {
    find_unescaped(s, b',')
}

/// One attribute-value pair (`CN=Doe\, John`).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Ava<'a> {
    /// The attribute type as written (`CN`, `ou`, `DC` …), trimmed.
    pub kind: &'a str,
    /// The value as written, escapes included, trimmed.
    pub raw: &'a str,
}

impl<'a> Ava<'a> {
    fn parse(text: &'a str) -> Ava<'a> {
        let eq = find_unescaped(text, b'=');
        if eq == text.len() {
            return Ava {
                kind: "",
                raw: trim(text),
            };
        }
        Ava {
            kind: text[..eq].trim(),
            raw: trim(&text[eq + 1..]),
        }
    }

    /// The value with its escapes undone (borrowed when there is none).
    pub fn value(&self) -> Cow<'a, str> {
        unescape(self.raw)
    }

    pub fn is(&self, kind: &str) -> bool {
        self.kind.eq_ignore_ascii_case(kind)
    }
}

/// One RDN: one or more attribute-value pairs joined by `+`.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Rdn<'a> {
    /// The RDN as written, trimmed.
    pub raw: &'a str,
}

impl<'a> Rdn<'a> {
    /// Its attribute-value pairs, in order.
    pub fn avas(&self) -> impl Iterator<Item = Ava<'a>> + 'a {
        let mut rest = Some(self.raw);
        std::iter::from_fn(move || {
            let text = rest?;
            let end = find_unescaped(text, b'+');
            rest = (end < text.len()).then(|| &text[end + 1..]);
            Some(Ava::parse(&text[..end]))
        })
    }

    /// The first pair (the only one, in every RDN AD writes for its own objects).
    pub fn first(&self) -> Ava<'a> {
        Ava::parse(&self.raw[..find_unescaped(self.raw, b'+')])
    }

    /// Whether two RDNs name the same thing: the same types and values, pair by pair, types
    /// and values compared without case, values after unescaping.
    pub fn same_as(&self, other: &Rdn<'_>) -> bool {
        if self.raw.eq_ignore_ascii_case(other.raw) {
            return true;
        }
        let mut a = self.avas();
        let mut b = other.avas();
        loop {
            match (a.next(), b.next()) {
                (None, None) => return true,
                (Some(x), Some(y)) => {
                    if !x.kind.eq_ignore_ascii_case(y.kind) || !same_text(&x.value(), &y.value()) {
                        return false;
                    }
                }
                _ => return false,
            }
        }
    }
}

/// Case-insensitive text equality that allocates nothing.
fn same_text(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        return a.eq_ignore_ascii_case(b);
    }
    a.chars()
        .flat_map(char::to_lowercase)
        .eq(b.chars().flat_map(char::to_lowercase))
}

/// The RDNs of a DN, first (the object's own name) to last (the domain's top DC).
pub fn rdns(dn: &str) -> impl Iterator<Item = Rdn<'_>> {
    let dn = dn.trim();
    let mut rest = (!dn.is_empty()).then_some(dn);
    std::iter::from_fn(move || {
        let text = rest?;
        let end = rdn_end(text);
        rest = (end < text.len()).then(|| &text[end + 1..]);
        Some(Rdn {
            raw: trim(&text[..end]),
        })
    })
}

/// The DN of the object's container: everything after the first RDN (`""` for a one-RDN DN).
pub fn parent(dn: &str) -> &str {
    let dn = dn.trim();
    let end = rdn_end(dn);
    if end < dn.len() {
        dn[end + 1..].trim_start_matches(' ')
    } else {
        ""
    }
}

/// The unescaped value of the first RDN (the object's name, `Doe, John\nCNF:…` for a
/// replication conflict).
pub fn first_rdn_value(dn: &str) -> Cow<'_, str> {
    rdns(dn)
        .next()
        .map_or(Cow::Borrowed(""), |r| r.first().value())
}

/// Whether `dn` is `base` or lies under it, RDN by RDN (`CN=x\,OU=Sales,DC=a` is not under
/// `OU=Sales,DC=a`; `CN=x, OU=Sales,DC=a` is).
pub fn is_under(dn: &str, base: &str) -> bool {
    let wanted = rdns(base).count();
    let have = rdns(dn).count();
    wanted > 0
        && have >= wanted
        && rdns(dn)
            .skip(have - wanted)
            .zip(rdns(base))
            .all(|(a, b)| a.same_as(&b))
}

/// The domain's DNS name from the DN's `DC=` parts (`corp.contoso.com`), if it has any.
pub fn dns_domain(dn: &str) -> Option<String> {
    let mut name = String::new();
    for ava in rdns(dn).flat_map(|r| r.avas()).filter(|a| a.is("DC")) {
        if !name.is_empty() {
            name.push('.');
        }
        name.push_str(&ava.value());
    }
    (!name.is_empty()).then_some(name)
}

/// The canonical name of the container `container` (`corp.contoso.com/Staff/Sales` for
/// `OU=Sales,OU=Staff,DC=corp,DC=contoso,DC=com`), which sorts by location. A `/` inside a
/// name is written `\/`, as AD's canonicalName does.
pub fn canonical_name(container: &str) -> String {
    let mut domain = String::new();
    let mut path: Vec<Cow<str>> = Vec::new();
    for rdn in rdns(container) {
        let ava = rdn.first();
        let value = ava.value();
        if ava.is("DC") {
            if !domain.is_empty() {
                domain.push('.');
            }
            domain.push_str(&value);
        } else if value.contains('/') {
            path.push(Cow::Owned(value.replace('/', "\\/")));
        } else {
            path.push(value);
        }
    }
    for part in path.iter().rev() {
        domain.push('/');
        domain.push_str(part);
    }
    domain
}

/// The canonical OU path of an object: the canonical name of its container.
pub fn ou_path(dn: &str) -> String {
    canonical_name(parent(dn))
}

/// A value with its escapes undone; borrowed when it has none.
pub fn unescape(raw: &str) -> Cow<'_, str> {
    if !raw.contains('\\') {
        return Cow::Borrowed(raw);
    }
    let b = raw.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' && i + 1 < b.len() {
            let next = b[i + 1];
            if let (Some(h), Some(l)) = (hex(next), b.get(i + 2).and_then(|c| hex(*c))) {
                out.push(h << 4 | l);
                i += 3;
                continue;
            }
            if is_special(next) {
                out.push(next);
                i += 2;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    match String::from_utf8(out) {
        Ok(s) => Cow::Owned(s),
        Err(e) => Cow::Owned(String::from_utf8_lossy(e.as_bytes()).into_owned()),
    }
}

/// A value escaped as AD writes it: `, + " \ < > ; =` behind a backslash, a leading `#` or
/// space and a trailing space escaped, control characters as hex pairs (`\0A`).
pub fn escape(value: &str) -> Cow<'_, str> {
    let b = value.as_bytes();
    let needs = |i: usize, c: u8| {
        matches!(c, b',' | b'+' | b'"' | b'\\' | b'<' | b'>' | b';' | b'=')
            || c < 0x20
            || c == 0x7F
            || (i == 0 && (c == b'#' || c == b' '))
            || (i + 1 == b.len() && c == b' ')
    };
    if !b.iter().enumerate().any(|(i, c)| needs(i, *c)) {
        return Cow::Borrowed(value);
    }
    let mut out = String::with_capacity(value.len() + 8);
    for (i, c) in value.char_indices() {
        let byte = c as u32;
        if byte < 0x80 && needs(i, byte as u8) {
            if byte < 0x20 || byte == 0x7F {
                out.push_str(&format!("\\{byte:02X}"));
            } else {
                out.push('\\');
                out.push(c);
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A key that is equal for two spellings of the same DN (case, spaces around separators,
/// `\2C` for `\,`): for looking objects up by DN.
pub fn normalized(dn: &str) -> String {
    let plain = !dn.contains(['\\', '+']) && !dn.contains(", ") && !dn.contains(" ,");
    let plain = plain && !dn.contains("= ") && !dn.contains(" =") && dn.trim() == dn;
    if plain {
        return dn.to_lowercase();
    }
    let mut out = String::with_capacity(dn.len());
    for (i, rdn) in rdns(dn).enumerate() {
        if i > 0 {
            out.push(',');
        }
        for (j, ava) in rdn.avas().enumerate() {
            if j > 0 {
                out.push('+');
            }
            out.push_str(&ava.kind.to_lowercase());
            out.push('=');
            out.push_str(&escape(&ava.value()).to_lowercase());
        }
    }
    out
}

/// A subtree given on the command line (`--include-ou`), parsed once.
#[derive(Clone, Debug)]
pub struct Subtree {
    pub base: String,
    rdns: usize,
}

impl Subtree {
    pub fn new(base: &str) -> Subtree {
        Subtree {
            base: base.trim().to_string(),
            rdns: rdns(base).count(),
        }
    }

    /// Whether `dn` is the base or under it ([`is_under`]).
    pub fn contains(&self, dn: &str) -> bool {
        let have = rdns(dn).count();
        self.rdns > 0
            && have >= self.rdns
            && rdns(dn)
                .skip(have - self.rdns)
                .zip(rdns(&self.base))
                .all(|(a, b)| a.same_as(&b))
    }
}

/// The SID a foreign security principal's DN names
/// (`CN=S-1-5-21-1-2-3-1104,CN=ForeignSecurityPrincipals,DC=…`), if it is one.
pub fn foreign_principal_sid(dn: &str) -> Option<&str> {
    // Most DNs are not: the first RDN is looked at before the container is searched for,
    // and first its bytes 3..7 (`S-1-` after `CN=`; a shorter RDN's comma fails it), a
    // check of every member value as it is read.
    let dn_start = dn.trim_start();
    if dn_start.as_bytes().get(3..7) != Some(b"S-1-") {
        return None;
    }
    let value = dn_start.split(',').next()?.trim_end().get(3..)?;
    const CONTAINER: &[u8] = b",cn=foreignsecurityprincipals,";
    dn.as_bytes()
        .windows(CONTAINER.len())
        .any(|w| w.eq_ignore_ascii_case(CONTAINER))
        .then_some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn foreign_principals() {
        assert_eq!(
            foreign_principal_sid(
                "CN=S-1-5-21-1-2-3-1104,CN=ForeignSecurityPrincipals,DC=a,DC=com"
            ),
            Some("S-1-5-21-1-2-3-1104")
        );
        assert_eq!(
            foreign_principal_sid("cn=S-1-5-11,cn=foreignsecurityprincipals,dc=a,dc=com"),
            Some("S-1-5-11")
        );
        assert_eq!(foreign_principal_sid("CN=Jo,OU=Staff,DC=a,DC=com"), None);
        // The container alone does not make one: its first name must be a SID.
        let odd = "CN=Jo,CN=ForeignSecurityPrincipals,DC=a,DC=com";
        assert_eq!(foreign_principal_sid(odd), None);
    }

    fn values(dn: &str) -> Vec<String> {
        rdns(dn)
            .flat_map(|r| r.avas().map(|a| format!("{}={}", a.kind, a.value())))
            .collect()
    }

    #[test]
    fn real_shapes() {
        // A replication conflict copy of a user named "Doe, John".
        let cnf = "CN=Doe\\, John\\0ACNF:5f3c7a2e-1b4d-4c8e-9f00-0a1b2c3d4e5f,OU=Staff,DC=corp,DC=contoso,DC=com";
        assert_eq!(
            first_rdn_value(cnf),
            "Doe, John\nCNF:5f3c7a2e-1b4d-4c8e-9f00-0a1b2c3d4e5f"
        );
        assert_eq!(parent(cnf), "OU=Staff,DC=corp,DC=contoso,DC=com");
        assert_eq!(ou_path(cnf), "corp.contoso.com/Staff");
        // `\&` is not an escape: the backslash stays, and nothing splits there.
        assert_eq!(values("OU=R\\&D,DC=x"), ["OU=R\\&D", "DC=x"]);
        assert_eq!(first_rdn_value("CN=#test,DC=x"), "#test");
        assert_eq!(first_rdn_value("CN=\\#test,DC=x"), "#test");
        // A multi-valued RDN whose first value holds an escaped plus.
        let multi = "CN=a\\+b+UID=x,OU=People,DC=x";
        assert_eq!(values(multi), ["CN=a+b", "UID=x", "OU=People", "DC=x"]);
        assert_eq!(first_rdn_value(multi), "a+b");
        // DC parts with spaces around them, and around the separators.
        let spaced = "CN=a , OU = Sales ,DC=corp ,DC=contoso , DC=com ";
        assert_eq!(dns_domain(spaced).as_deref(), Some("corp.contoso.com"));
        assert_eq!(ou_path(spaced), "corp.contoso.com/Sales");
        assert_eq!(first_rdn_value("CN=trailing\\ ,DC=x"), "trailing ");
        // Hex pairs, UTF-8 sequences included.
        assert_eq!(first_rdn_value("CN=Jos\\C3\\A9\\2C Ana,DC=x"), "José, Ana");
        assert_eq!(
            values("CN=a\\,b\\;c\\\"d\\<e\\>f\\=g\\\\,DC=x"),
            ["CN=a,b;c\"d<e>f=g\\", "DC=x"]
        );
        assert_eq!(dns_domain("CN=a,OU=b").as_deref(), None);
        assert_eq!(parent("CN=a"), "");
        assert_eq!(ou_path("CN=a"), "");
        assert_eq!(canonical_name("OU=a/b,DC=x,DC=com"), "x.com/a\\/b");
    }

    #[test]
    fn subtrees_match_on_rdn_boundaries() {
        let base = "OU=Sales,DC=x,DC=com";
        assert!(is_under(
            "CN=a,OU=Sales,DC=x,DC=com",
            "ou=sales,dc=x,dc=com"
        ));
        assert!(is_under(base, base));
        assert!(!is_under("CN=a,OU=PreSales,DC=x,DC=com", base));
        // An escaped comma does not start an RDN.
        assert!(!is_under("CN=x\\,OU=Sales,DC=x,DC=com", base));
        assert!(is_under("CN=x\\,OU=Sales,DC=x,DC=com", "DC=x,DC=com"));
        assert!(!is_under(
            "OU=a\\,OU=Sales,DC=x,DC=com",
            "OU=x\\,OU=Sales,DC=x,DC=com"
        ));
        // Spaces after separators, hex pairs and case don't matter.
        assert!(is_under("CN=a, OU=Sales, DC=x, DC=com", base));
        assert!(is_under("CN=a,OU=R\\2CD,DC=x", "ou=r\\,d,DC=X"));
        assert!(is_under("CN=a,OU=Ünits,DC=x", "OU=ünits,DC=x"));
        assert!(!is_under("CN=a,DC=x", "not a dn"));
        assert!(!is_under("CN=a,DC=x", ""));
        let s = Subtree::new(" OU=Sales, DC=x,DC=com ");
        assert!(s.contains("CN=b,OU=Sales,DC=x,DC=com") && !s.contains("CN=b,DC=x,DC=com"));
    }

    #[test]
    fn normalized_keys() {
        assert_eq!(
            normalized("CN=Doe\\2C John, OU=Staff,DC=X"),
            normalized("cn=doe\\, john,ou=staff,dc=x")
        );
        assert_eq!(normalized("CN=a,DC=x"), "cn=a,dc=x");
        assert_ne!(normalized("CN=a\\,b,DC=x"), normalized("CN=a,CN=b,DC=x"));
    }

    #[test]
    fn nothing_is_allocated_without_escapes() {
        assert!(matches!(first_rdn_value("CN=Ana,DC=x"), Cow::Borrowed(_)));
        assert!(matches!(escape("Ana García"), Cow::Borrowed(_)));
    }
}
