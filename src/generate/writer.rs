//! Writers for both export formats, used by the generator and the round-trip tests.
//! They follow what ldifde/ldapsearch and csvde write (export-formats.md §4).

use crate::ldif_out::{push_folded, value_line};
use std::fmt::Write as _;
use std::io::{self, Write};

/// One attribute value of an object to export.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ExportValue {
    Text(String),
    Binary(Vec<u8>),
}

/// An object to export: DN and attributes in order, each with its values.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExportObject {
    pub dn: String,
    pub attributes: Vec<(String, Vec<ExportValue>)>,
}

impl ExportObject {
    pub fn new(dn: impl Into<String>) -> ExportObject {
        ExportObject {
            dn: dn.into(),
            attributes: Vec::new(),
        }
    }

    pub fn text(&mut self, name: &str, value: impl Into<String>) -> &mut Self {
        self.push(name, ExportValue::Text(value.into()))
    }

    pub fn binary(&mut self, name: &str, value: Vec<u8>) -> &mut Self {
        self.push(name, ExportValue::Binary(value))
    }

    /// Replaces every value of `name` with one text value.
    pub fn set(&mut self, name: &str, value: impl Into<String>) -> &mut Self {
        self.attributes.retain(|(n, _)| n != name);
        self.text(name, value)
    }

    pub fn has(&self, name: &str) -> bool {
        self.attributes.iter().any(|(n, _)| n == name)
    }

    /// The last text value of `name`.
    pub fn last_text(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .rev()
            .filter(|(n, _)| n == name)
            .flat_map(|(_, v)| v.iter().rev())
            .find_map(|v| match v {
                ExportValue::Text(t) => Some(t.as_str()),
                ExportValue::Binary(_) => None,
            })
    }

    pub fn push(&mut self, name: &str, value: ExportValue) -> &mut Self {
        match self.attributes.iter_mut().find(|(n, _)| n == name) {
            Some((_, values)) => values.push(value),
            None => self.attributes.push((name.to_string(), vec![value])),
        }
        self
    }
}

/// LDIF layout choices.
#[derive(Clone, Debug)]
pub struct LdifStyle {
    /// Fold lines longer than this many bytes (ldapsearch: 76; `None`: never).
    pub fold_width: Option<usize>,
    /// Write `changetype: add` after the DN, as ldifde does.
    pub changetype_add: bool,
    pub crlf: bool,
}

impl Default for LdifStyle {
    fn default() -> Self {
        LdifStyle {
            fold_width: Some(76),
            changetype_add: true,
            crlf: true,
        }
    }
}

/// Appends one LDIF record (with its terminating blank line) to `out`.
pub(crate) fn write_ldif_record(object: &ExportObject, style: &LdifStyle, out: &mut String) {
    let eol = if style.crlf { "\r\n" } else { "\n" };
    let mut line = String::new();
    value_line(&mut line, "dn", object.dn.as_bytes(), false);
    push_folded(out, &line, style.fold_width, eol);
    if style.changetype_add {
        out.push_str("changetype: add");
        out.push_str(eol);
    }
    for (name, values) in &object.attributes {
        for value in values {
            line.clear();
            match value {
                ExportValue::Text(t) => value_line(&mut line, name, t.as_bytes(), false),
                ExportValue::Binary(b) => value_line(&mut line, name, b, true),
            }
            push_folded(out, &line, style.fold_width, eol);
        }
    }
    out.push_str(eol);
}

/// The csvde header line for these columns (the DN column first).
pub(crate) fn csvde_header(columns: &[String]) -> String {
    let mut out = String::from("DN");
    for c in columns {
        out.push(',');
        out.push_str(c);
    }
    out.push_str("\r\n");
    out
}

/// Appends one csvde row. `column_of` maps an attribute name (lower case) to its column.
pub(crate) fn write_csvde_row(
    object: &ExportObject,
    columns: usize,
    column_of: &dyn Fn(&str) -> Option<usize>,
    out: &mut String,
) {
    let mut fields: Vec<String> = vec![String::new(); columns];
    for (name, values) in &object.attributes {
        let Some(col) = column_of(name) else { continue };
        let field = &mut fields[col];
        for value in values {
            if !field.is_empty() {
                field.push(';');
            }
            push_value(field, value);
        }
    }
    push_csv_field(out, &object.dn);
    for f in &fields {
        out.push(',');
        push_csv_field(out, f);
    }
    out.push_str("\r\n");
}

/// RFC 4180: quote when the field holds a comma, a quote or a line break; double the quotes.
fn push_csv_field(out: &mut String, field: &str) {
    if field.contains([',', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&field.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(field);
    }
}

/// How a PowerShell `Export-Csv` file is written.
#[derive(Clone, Debug)]
pub struct PowershellStyle {
    /// Start with `#TYPE …` (Windows PowerShell 5.1 without `-NoTypeInformation`).
    pub type_line: bool,
    pub crlf: bool,
    /// Multi-valued and binary properties joined into text as calculated properties (as
    /// `synclint help export` recommends); otherwise they come out as their .NET type name.
    pub joined: bool,
}

impl Default for PowershellStyle {
    fn default() -> Self {
        PowershellStyle {
            type_line: false,
            crlf: true,
            joined: true,
        }
    }
}

/// The columns of a generated PowerShell CSV: the AD module's property names where
/// `Get-ADUser` has them (mapped back by the reader), LDAP names for the rest, plus properties
/// no rule reads in PowerShell's own formats (`Enabled`, a culture-formatted `whenCreated`).
/// Each with the LDAP attribute it comes from.
pub const POWERSHELL_COLUMNS: [(&str, &str); 31] = [
    ("DistinguishedName", "distinguishedName"),
    ("ObjectClass", "objectClass"),
    ("ObjectGUID", "objectGUID"),
    ("Name", "name"),
    ("cn", "cn"),
    ("SamAccountName", "sAMAccountName"),
    ("UserPrincipalName", "userPrincipalName"),
    ("GivenName", "givenName"),
    ("Surname", "sn"),
    ("DisplayName", "displayName"),
    ("EmailAddress", "mail"),
    ("Enabled", "userAccountControl"),
    ("whenCreated", "whenCreated"),
    ("mailNickname", "mailNickname"),
    ("proxyAddresses", "proxyAddresses"),
    ("targetAddress", "targetAddress"),
    ("homeMDB", "homeMDB"),
    ("msExchRecipientTypeDetails", "msExchRecipientTypeDetails"),
    ("groupType", "groupType"),
    ("userAccountControl", "userAccountControl"),
    ("pwdLastSet", "pwdLastSet"),
    ("lastLogonTimestamp", "lastLogonTimestamp"),
    ("accountExpires", "accountExpires"),
    ("adminCount", "adminCount"),
    ("OperatingSystem", "operatingSystem"),
    ("OperatingSystemVersion", "operatingSystemVersion"),
    ("member", "member"),
    ("memberOf", "memberOf"),
    ("userCertificate", "userCertificate"),
    ("thumbnailPhoto", "thumbnailPhoto"),
    ("msExchHideFromAddressLists", "msExchHideFromAddressLists"),
];

/// Attributes the AD module returns as a collection (Export-Csv writes its type name unless
/// they are joined).
const POWERSHELL_MULTI: [&str; 5] = [
    "proxyAddresses",
    "member",
    "memberOf",
    "userCertificate",
    "objectClass",
];

/// The header of a PowerShell CSV (with its `#TYPE` line if the style has one).
pub fn powershell_header(style: &PowershellStyle) -> String {
    let eol = if style.crlf { "\r\n" } else { "\n" };
    let mut out = String::new();
    if style.type_line {
        out.push_str("#TYPE Selected.Microsoft.ActiveDirectory.Management.ADUser");
        out.push_str(eol);
    }
    let names: Vec<String> = POWERSHELL_COLUMNS
        .iter()
        .map(|(name, _)| format!("\"{name}\""))
        .collect();
    out.push_str(&names.join(","));
    out.push_str(eol);
    out
}

/// Appends one PowerShell CSV row: every value quoted, `$null` as an empty unquoted field.
pub fn write_powershell_row(object: &ExportObject, style: &PowershellStyle, out: &mut String) {
    let values = |ldap: &str| {
        object
            .attributes
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(ldap))
            .map(|(_, v)| v.as_slice())
            .filter(|v| !v.is_empty())
    };
    for (i, (property, ldap)) in POWERSHELL_COLUMNS.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let field = match (*property, values(ldap)) {
            ("DistinguishedName", _) => Some(object.dn.clone()),
            ("ObjectClass", _) => object.last_text("objectClass").map(str::to_string),
            ("ObjectGUID", Some([ExportValue::Binary(b), ..])) => <[u8; 16]>::try_from(&b[..])
                .ok()
                .map(|g| crate::hex::format_guid(&g)),
            ("Enabled", Some([ExportValue::Text(uac), ..])) => uac
                .parse::<i64>()
                .ok()
                .map(|uac| if uac & 2 == 0 { "True" } else { "False" }.to_string()),
            ("whenCreated", Some([ExportValue::Text(t), ..])) => Some(culture_date(t)),
            (_, None) if !style.joined && POWERSHELL_MULTI.contains(ldap) => {
                // The AD module returns an empty collection for an absent multi-valued
                // attribute, and Export-Csv writes its type name all the same.
                Some("Microsoft.ActiveDirectory.Management.ADPropertyValueCollection".into())
            }
            (_, None) => None,
            (_, Some(_)) if !style.joined && POWERSHELL_MULTI.contains(ldap) => {
                Some("Microsoft.ActiveDirectory.Management.ADPropertyValueCollection".into())
            }
            (_, Some([ExportValue::Binary(_)])) if !style.joined => Some("System.Byte[]".into()),
            (_, Some(values)) => {
                let mut field = String::new();
                for value in values {
                    if !field.is_empty() {
                        field.push(';');
                    }
                    push_value(&mut field, value);
                }
                Some(field)
            }
        };
        if let Some(field) = field {
            out.push('"');
            out.push_str(&field.replace('"', "\"\""));
            out.push('"');
        }
    }
    out.push_str(if style.crlf { "\r\n" } else { "\n" });
}

/// `20190314102205.0Z` as en-US PowerShell shows a DateTime: `3/14/2019 10:22:05 AM`.
fn culture_date(generalized: &str) -> String {
    let n = |range: std::ops::Range<usize>| {
        generalized
            .get(range)
            .and_then(|d| d.parse::<u32>().ok())
            .unwrap_or(0)
    };
    let hour = n(8..10);
    let (h12, half) = match hour {
        0 => (12, "AM"),
        1..=11 => (hour, "AM"),
        12 => (12, "PM"),
        _ => (hour - 12, "PM"),
    };
    format!(
        "{}/{}/{} {h12}:{:02}:{:02} {half}",
        n(4..6),
        n(6..8),
        n(0..4),
        n(10..12),
        n(12..14)
    )
}

/// A csvde field value: `;` escaped as `\;`, binary as `X'hex'`.
fn push_value(field: &mut String, value: &ExportValue) {
    match value {
        ExportValue::Text(t) => field.push_str(&t.replace(';', "\\;")),
        ExportValue::Binary(b) => {
            field.push_str("X'");
            for byte in b {
                let _ = write!(field, "{byte:02x}");
            }
            field.push('\'');
        }
    }
}

/// Writes objects as a complete PowerShell CSV.
pub fn powershell_file(objects: &[ExportObject], style: &PowershellStyle) -> String {
    let mut out = powershell_header(style);
    for o in objects {
        write_powershell_row(o, style, &mut out);
    }
    out
}

/// Text in the ANSI code page windows-1252, with `?` for every character it lacks (as
/// Windows PowerShell 5.1 and csvde without `-u` write it).
pub fn ansi(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut buf = [0u8; 4];
    for c in text.chars() {
        let (bytes, _, lossy) = encoding_rs::WINDOWS_1252.encode(c.encode_utf8(&mut buf));
        if lossy {
            out.push(b'?');
        } else {
            out.extend_from_slice(&bytes);
        }
    }
    out
}

/// Writes text as UTF-8 or as UTF-16LE with a BOM (what `-u` produces).
pub struct TextOut<W: Write> {
    inner: W,
    utf16: bool,
    buffer: Vec<u8>,
}

impl<W: Write> TextOut<W> {
    pub fn new(mut inner: W, utf16: bool) -> io::Result<TextOut<W>> {
        if utf16 {
            inner.write_all(&[0xFF, 0xFE])?;
        }
        Ok(TextOut {
            inner,
            utf16,
            buffer: Vec::new(),
        })
    }

    pub fn write_str(&mut self, text: &str) -> io::Result<()> {
        if !self.utf16 {
            return self.inner.write_all(text.as_bytes());
        }
        self.buffer.clear();
        self.buffer
            .extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        self.inner.write_all(&self.buffer)
    }

    pub fn into_inner(self) -> W {
        self.inner
    }
}

/// Writes objects as a complete csvde file (header = union of attributes, in order of appearance).
pub fn csvde_file(objects: &[ExportObject]) -> String {
    let mut columns: Vec<String> = Vec::new();
    for o in objects {
        for (name, _) in &o.attributes {
            if !columns.iter().any(|c| c.eq_ignore_ascii_case(name)) {
                columns.push(name.clone());
            }
        }
    }
    let mut out = csvde_header(&columns);
    let lookup = |name: &str| columns.iter().position(|c| c.eq_ignore_ascii_case(name));
    for o in objects {
        write_csvde_row(o, columns.len(), &lookup, &mut out);
    }
    out
}

/// Writes objects as a complete LDIF file.
pub fn ldif_file(objects: &[ExportObject], style: &LdifStyle) -> String {
    let mut out = String::new();
    for o in objects {
        write_ldif_record(o, style, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ldif_base64_for_unsafe_values_and_folds() {
        let mut o = ExportObject::new("CN=Zoë,DC=x");
        o.text("cn", "Zoë")
            .text("description", " lead")
            .text("mail", "a@b.c");
        let style = LdifStyle {
            fold_width: Some(12),
            changetype_add: true,
            crlf: false,
        };
        let text = ldif_file(&[o], &style);
        assert!(
            text.starts_with("dn:: Q049Wm/\n DqyxEQz14\nchangetype: add\n"),
            "{text}"
        );
        assert!(text.contains("cn:: Wm/Dqw=\n =\n"), "{text}");
        let unfolded = text.replace("\n ", "");
        assert!(unfolded.contains("description:: IGxlYWQ=\n"));
        assert!(unfolded.contains("mail: a@b.c\n"));
    }

    #[test]
    fn csvde_quotes_escapes_and_hex() {
        let mut o = ExportObject::new("CN=a,DC=x");
        o.text("proxyAddresses", "smtp:a@x")
            .text("proxyAddresses", "X400:c=us;a= ;")
            .binary("objectGUID", vec![0x0b, 0xff])
            .text("description", "say \"hi\"");
        let text = csvde_file(&[o]);
        assert_eq!(
            text,
            "DN,proxyAddresses,objectGUID,description\r\n\"CN=a,DC=x\",smtp:a@x;X400:c=us\\;a= \\;,X'0bff',\"say \"\"hi\"\"\"\r\n"
        );
    }
}
