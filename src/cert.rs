//! X.509 certificates as hybrid join reads them: the subject's common name and the validity
//! period of each `userCertificate` value, parsed from its DER with `x509-cert` (RustCrypto).
//!
//! Entra Connect (1.4 and later) synchronizes a computer as a hybrid-joined device only when
//! its `userCertificate` holds a certificate that has not expired and whose subject is
//! `CN={objectGUID}` (braces optional); Windows writes that self-signed certificate when it
//! registers. The reader keeps only what that test needs, a few dozen bytes a value, so an
//! export's certificates are parsed once while it is read and never held as DER.
//!
//! A leaf module: it imports nothing from the rest of the crate.

use x509_cert::der::Decode;
use x509_cert::time::Time;
use x509_cert::Certificate;

/// What one `userCertificate` value says, or why it could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CertificateValue {
    Parsed(CertificateFacts),
    /// Not a DER X.509 certificate (the parser's reason, shortened).
    Malformed(Box<str>),
}

/// The facts hybrid join depends on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertificateFacts {
    pub subject: Subject,
    /// notBefore and notAfter in seconds since 1970-01-01 UTC.
    pub not_before: i64,
    pub not_after: i64,
}

/// The subject's first common name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Subject {
    /// `CN={GUID}` or `CN=GUID`: the GUID in AD's on-the-wire byte order (as `objectGUID`
    /// is exported), so it compares with the computer's objectGUID directly.
    Guid([u8; 16]),
    /// Any other subject (its common name, or the whole name when it has none), at most
    /// [`MAX_SUBJECT_CHARS`] characters.
    Other(Box<str>),
}

/// How much of a foreign subject is kept for the report.
pub const MAX_SUBJECT_CHARS: usize = 80;

impl CertificateFacts {
    /// Whether the certificate has expired at `at` (seconds since 1970, UTC).
    pub fn expired_at(&self, at: i64) -> bool {
        self.not_after < at
    }
}

/// Reads one `userCertificate` value. Never panics: anything that is not a DER certificate is
/// [`CertificateValue::Malformed`] with the reason.
pub fn read(der: &[u8]) -> CertificateValue {
    // The RFC 5280 profile: it refuses only serial numbers longer than 21 bytes, which no
    // Windows device certificate has (theirs are 16 random bytes).
    let cert = match Certificate::from_der(der) {
        Ok(cert) => cert,
        Err(e) => return CertificateValue::Malformed(shorten(&e.to_string())),
    };
    let tbs = cert.tbs_certificate();
    let validity = tbs.validity();
    let subject_name = tbs.subject();
    let subject = match subject_name.common_name() {
        Ok(Some(cn)) => {
            let cn = cn.value();
            match guid_of_text(&cn) {
                Some(guid) => Subject::Guid(guid),
                None => Subject::Other(shorten(&format!("CN={cn}"))),
            }
        }
        Ok(None) => Subject::Other(shorten(&subject_name.to_string())),
        Err(e) => return CertificateValue::Malformed(shorten(&format!("subject: {e}"))),
    };
    CertificateValue::Parsed(CertificateFacts {
        subject,
        not_before: unix_seconds(validity.not_before),
        not_after: unix_seconds(validity.not_after),
    })
}

fn unix_seconds(time: Time) -> i64 {
    i64::try_from(time.to_unix_duration().as_secs()).unwrap_or(i64::MAX)
}

fn shorten(text: &str) -> Box<str> {
    match text.char_indices().nth(MAX_SUBJECT_CHARS) {
        Some((at, _)) => format!("{}…", &text[..at]).into(),
        None => text.into(),
    }
}

/// A GUID written as text (`{d08f810b-a35c-49a8-8a3c-1b2c3d4e5f60}`, braces optional, any
/// case), in AD's on-the-wire byte order: Data1..Data3 little-endian.
pub fn guid_of_text(text: &str) -> Option<[u8; 16]> {
    let text = text.trim();
    let text = text
        .strip_prefix('{')
        .and_then(|t| t.strip_suffix('}'))
        .unwrap_or(text);
    let bytes = text.as_bytes();
    if bytes.len() != 36 || [8, 13, 18, 23].iter().any(|&i| bytes[i] != b'-') {
        return None;
    }
    let digits: Vec<u8> = bytes.iter().copied().filter(|b| *b != b'-').collect();
    if digits.len() != 32 {
        return None;
    }
    let mut guid = [0u8; 16];
    for (i, pair) in digits.chunks_exact(2).enumerate() {
        let hex = std::str::from_utf8(pair).ok()?;
        guid[i] = u8::from_str_radix(hex, 16).ok()?;
    }
    guid[0..4].reverse();
    guid[4..6].reverse();
    guid[6..8].reverse();
    Some(guid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guid_text_is_read_in_wire_order() {
        let wire = guid_of_text("{D08F810B-A35C-49A8-8A3C-1B2C3D4E5F60}").unwrap();
        assert_eq!(
            &wire[..8],
            &[0x0b, 0x81, 0x8f, 0xd0, 0x5c, 0xa3, 0xa8, 0x49]
        );
        assert_eq!(
            guid_of_text("d08f810b-a35c-49a8-8a3c-1b2c3d4e5f60"),
            Some(wire)
        );
        assert_eq!(guid_of_text("d08f810b-a35c-49a8-8a3c-1b2c3d4e5f6"), None);
        assert_eq!(guid_of_text("d08f810b+a35c-49a8-8a3c-1b2c3d4e5f60"), None);
        assert_eq!(guid_of_text("WS0001.contoso.com"), None);
    }

    #[test]
    fn bad_der_is_malformed_never_a_panic() {
        for bytes in [&b""[..], b"\x30", b"\x30\x82\xff\xff", b"not a certificate"] {
            assert!(matches!(read(bytes), CertificateValue::Malformed(_)));
        }
    }
}
