//! `--redact`: pseudonymise personal values in everything written (workbook, CSV, JSON), so a
//! report can leave the customer. Rules run on the real data, so findings stay the same.
//!
//! Every run of letters or digits in a personal value is replaced by a pseudonym of the same
//! length and kind (ASCII letters by letters with the case kept, digits by digits, other
//! letters by accented letters), derived from a keyed SHA-256 of the word: the same word gives
//! the same pseudonym throughout a run, punctuation, spaces, `@` and invalid characters stay
//! where they are (so the reason for a finding is still visible), and domains are kept.
//! Personal values: names (cn, displayName, givenName, sn, and the first RDN of every DN),
//! account names and aliases, and the local part of every address.

use sha2::{Digest, Sha256};
use std::borrow::Cow;

/// Pseudonymises values with a key (random per run unless given).
#[derive(Clone)]
pub struct Redactor {
    key: [u8; 32],
}

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Redactor")
    }
}

const ACCENTED: [char; 8] = ['ä', 'ö', 'ü', 'é', 'è', 'ç', 'ñ', 'å'];

impl Redactor {
    /// A redactor with this key; the same key gives the same pseudonyms in every run.
    pub fn with_key(key: &str) -> Redactor {
        Redactor {
            key: Sha256::digest(key.as_bytes()).into(),
        }
    }

    /// A redactor with a random key.
    pub fn random() -> Redactor {
        Redactor {
            key: rand::random(),
        }
    }

    fn word(&self, word: &str) -> String {
        let mut h = Sha256::new();
        h.update(self.key);
        h.update(word.as_bytes());
        let digest = h.finalize();
        word.chars()
            .enumerate()
            .map(|(i, c)| {
                let b = digest[i % 32].wrapping_add((i / 32) as u8);
                if c.is_ascii_digit() {
                    char::from(b'0' + b % 10)
                } else if c.is_ascii_uppercase() {
                    char::from(b'A' + b % 26)
                } else if c.is_ascii_lowercase() {
                    char::from(b'a' + b % 26)
                } else {
                    ACCENTED[b as usize % ACCENTED.len()]
                }
            })
            .collect()
    }

    /// Every word of `text` replaced; everything else kept.
    pub fn text(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut word = String::new();
        for c in text.chars() {
            if c.is_alphanumeric() {
                word.push(c);
            } else {
                if !word.is_empty() {
                    out.push_str(&self.word(&word));
                    word.clear();
                }
                out.push(c);
            }
        }
        if !word.is_empty() {
            out.push_str(&self.word(&word));
        }
        out
    }

    /// An address (`local@domain`, optionally `type:` first): the local part redacted.
    pub fn address(&self, value: &str) -> String {
        let (prefix, rest) = match value.split_once(':') {
            Some((p, r)) if !p.contains('@') && p.len() <= 8 => (&value[..p.len() + 1], r),
            _ => ("", value),
        };
        match rest.rfind('@') {
            Some(at) => format!("{prefix}{}{}", self.text(&rest[..at]), &rest[at..]),
            None => format!("{prefix}{}", self.text(rest)),
        }
    }

    /// A DN: the first RDN's value redacted (the object's name, unescaped, redacted and
    /// escaped again); OUs and DCs kept.
    pub fn dn(&self, dn: &str) -> String {
        let (first, rest) = dn.split_at(crate::dn::rdn_end(dn));
        match first.split_once('=') {
            Some((kind, raw)) => {
                let name = self.text(&crate::dn::unescape(raw));
                format!("{kind}={}{rest}", crate::dn::escape(&name))
            }
            None => self.text(dn),
        }
    }

    /// A value of `attribute`.
    pub fn value(&self, attribute: &str, value: &str) -> String {
        match attribute {
            "userPrincipalName" | "mail" | "proxyAddresses" | "targetAddress" => {
                self.address(value)
            }
            "distinguishedName" | "member" => self.dn(value),
            _ => self.text(value),
        }
    }

    /// Free text that may quote DNs, addresses and values (notes, reasons): DN values after
    /// `CN=`, address local parts and quoted text are redacted.
    pub fn note(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        loop {
            let next_cn = find_ci(rest, "CN=");
            let next_quote = rest.find('"');
            let next_at = rest.find('@');
            let Some(first) = [next_cn, next_quote, next_at].into_iter().flatten().min() else {
                out.push_str(rest);
                return out;
            };
            if Some(first) == next_cn {
                out.push_str(&rest[..first + 3]);
                let after = &rest[first + 3..];
                let end = crate::dn::rdn_end(after);
                out.push_str(&self.text(&after[..end]));
                rest = &after[end..];
            } else if Some(first) == next_quote {
                out.push_str(&rest[..=first]);
                let after = &rest[first + 1..];
                let end = after.find('"').unwrap_or(after.len());
                let quoted = &after[..end];
                out.push_str(&if quoted.contains('@') {
                    self.address(quoted)
                } else {
                    self.text(quoted)
                });
                rest = &after[end..];
                if let Some(stripped) = rest.strip_prefix('"') {
                    out.push('"');
                    rest = stripped;
                }
            } else {
                // An address: redact the word run before '@', keep the domain.
                let start = rest[..first]
                    .rfind(|c: char| c.is_whitespace() || c == ':' || c == '(' || c == ',')
                    .map_or(0, |i| i + 1);
                out.push_str(&rest[..start]);
                out.push_str(&self.text(&rest[start..first]));
                out.push('@');
                rest = &rest[first + 1..];
            }
        }
    }
}

fn find_ci(haystack: &str, needle: &str) -> Option<usize> {
    haystack
        .as_bytes()
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

/// Applies an optional redactor.
pub fn show<'a>(
    redactor: Option<&Redactor>,
    value: &'a str,
    f: impl FnOnce(&Redactor, &str) -> String,
) -> Cow<'a, str> {
    match redactor {
        Some(r) => Cow::Owned(f(r, value)),
        None => Cow::Borrowed(value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_and_domains_survive_names_do_not() {
        let r = Redactor::with_key("k");
        let upn = r.address("jo hn.doe@contoso.com");
        assert!(upn.ends_with("@contoso.com") && upn.len() == "jo hn.doe@contoso.com".len());
        assert!(!upn.contains("john") && !upn.contains("doe") && upn.contains(' '));
        assert_eq!(r.address("SMTP:ana@x.com").split('@').nth(1), Some("x.com"));
        assert!(r.address("SMTP:ana@x.com").starts_with("SMTP:"));
        let dn = r.dn("CN=Ana García,OU=Sales,DC=contoso,DC=com");
        assert!(dn.starts_with("CN=") && dn.ends_with(",OU=Sales,DC=contoso,DC=com"));
        assert!(!dn.contains("Ana") && !dn.contains("García"));
        // An escaped name is redacted as the name it stands for; the separator survives.
        let dn = r.dn("CN=Doe\\, John\\0ACNF:1234,OU=Staff,DC=x,DC=com");
        assert!(
            dn.ends_with(",OU=Staff,DC=x,DC=com") && !dn.contains("Doe"),
            "{dn}"
        );
        assert_eq!(crate::dn::rdns(&dn).count(), 4);
        // Consistent within a key, different across keys; diacritics stay diacritics.
        assert_eq!(r.text("García"), r.text("García"));
        assert_ne!(r.text("García"), Redactor::with_key("other").text("García"));
        assert!(!r.text("García").is_ascii());
        let note = r.note("also held by CN=Bob Smith,OU=Staff,DC=x,DC=com (mail); suggestion \"bob@x.com\" withheld");
        assert!(!note.contains("Bob") && !note.contains("Smith") && !note.contains("bob@"));
        assert!(note.contains("OU=Staff,DC=x,DC=com") && note.contains("@x.com"));
    }
}
