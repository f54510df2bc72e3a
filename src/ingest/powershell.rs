//! PowerShell `Export-Csv` of AD module objects (`Get-ADObject`, `Get-ADUser -Properties *` …).
//!
//! Such a file is read by the csvde scanner ([`super::csvde::scan`]: the same blocks, RFC 4180
//! rows, `;`-joined values with optional `\;` escapes, `X'hex'` binaries, positions on every
//! rejection), with what PowerShell does differently handled here:
//! - an optional `#TYPE Microsoft.ActiveDirectory.Management.ADUser` first line (Windows
//!   PowerShell 5.1 writes it unless told `-NoTypeInformation`);
//! - the AD module's property names ([`PROPERTIES`]: `EmailAddress` is `mail`, `Surname` is
//!   `sn` …), matched ignoring case; every other column is taken as an LDAP name, which is
//!   what `-Properties *` adds;
//! - a multi-valued or binary property that was not joined into text comes out as its .NET
//!   type name (`Microsoft.ActiveDirectory.Management.ADPropertyValueCollection`,
//!   `System.String[]`, `System.Byte[]`): never read as a value, counted per attribute, and
//!   said once per file with the calculated property that keeps it ([`warnings`]);
//! - `?` in names and addresses of a file written as ASCII or in the ANSI code page: Windows
//!   PowerShell 5.1 writes `?` for every character its encoding lacks, which is said too.
//!
//! `$null` is an empty unquoted field and an empty string `""`: both are an absent attribute,
//! as in csvde. Culture-formatted dates and numbers are in columns the rules don't read, and
//! booleans are `True`/`False`, which the reader takes ignoring case, so neither rejects a row.

use super::csvde::{header_names, CsvHeader};
use super::encoding::Encoding;
use super::sink::{NonEntry, RecordSink, Value};
use crate::directory::attrs::{Attr, AttrShape};
use memchr::memchr;

/// AD module property names (as the module spells them) and the LDAP attribute each shows,
/// for the properties whose name or spelling is not the attribute's. `Name` is the RDN value,
/// which for users, contacts, groups and computers is `cn`: it stands for `cn` when the export
/// has no `cn` column. `Enabled` is left unread: it is bit 2 of userAccountControl, and no
/// rule or scope decision depends on an account being disabled. `GroupCategory` stands for
/// groupType's security bit when the export has no groupType column (see [`Header::parse`]).
pub const PROPERTIES: &[(&str, &str)] = &[
    ("DistinguishedName", "distinguishedName"),
    ("ObjectClass", "objectClass"),
    ("ObjectGUID", "objectGUID"),
    ("SamAccountName", "sAMAccountName"),
    ("UserPrincipalName", "userPrincipalName"),
    ("EmailAddress", "mail"),
    ("GivenName", "givenName"),
    ("Surname", "sn"),
    ("DisplayName", "displayName"),
    ("ProxyAddresses", "proxyAddresses"),
    ("Members", "member"),
    ("MemberOf", "memberOf"),
    ("Certificates", "userCertificate"),
    ("SID", "objectSid"),
    ("Description", "description"),
    ("Created", "whenCreated"),
    ("Modified", "whenChanged"),
    ("Office", "physicalDeliveryOfficeName"),
    ("OfficePhone", "telephoneNumber"),
    ("Title", "title"),
    ("Department", "department"),
    ("Company", "company"),
    ("Manager", "manager"),
    ("DNSHostName", "dNSHostName"),
    ("ServicePrincipalNames", "servicePrincipalName"),
    ("OperatingSystem", "operatingSystem"),
];

/// Properties of the AD module's objects that no LDAP export names (with the spellings above,
/// they tell a PowerShell header from another CSV's).
const MODULE_ONLY: &[&str] = &[
    "Name",
    "Enabled",
    "GroupCategory",
    "GroupScope",
    "PropertyNames",
    "AddedProperties",
];

/// The groupType bit that makes a group a security group.
const SECURITY_GROUP: &str = "-2147483648";

/// Whether a line is PowerShell's `#TYPE <.NET type>` line.
pub fn is_type_line(line: &[u8]) -> bool {
    line.strip_prefix(b"#TYPE ")
        .is_some_and(|rest| !rest.trim_ascii().is_empty())
}

/// Whether a CSV header line (already decoded) was written by `Export-Csv` from AD module
/// objects: no csvde `DN` column, and a property spelled as the AD module spells it
/// (`DistinguishedName`, `SamAccountName`, `EmailAddress` …; csvde and LDAP tools write
/// `distinguishedName`, `sAMAccountName`). Fields separated by `;` count too, so that a file
/// written with `-UseCulture` where the list separator is `;` gets a clear refusal.
pub fn is_header(line: &[u8]) -> bool {
    let fields: Vec<&[u8]> = line
        .split(|b| matches!(b, b',' | b';'))
        .map(|f| {
            let f = f.trim_ascii();
            f.strip_prefix(b"\"")
                .and_then(|f| f.strip_suffix(b"\""))
                .unwrap_or(f)
        })
        .collect();
    if fields.iter().any(|f| f.eq_ignore_ascii_case(b"DN")) {
        return false;
    }
    fields.iter().any(|f| {
        PROPERTIES.iter().any(|(ps, _)| *f == ps.as_bytes())
            || MODULE_ONLY.iter().any(|ps| *f == ps.as_bytes())
    })
}

/// The header of a PowerShell CSV, its columns named as LDAP attributes.
#[derive(Clone, Debug)]
pub struct Header {
    /// Column names mapped to LDAP attributes (the csvde scanner reads the rows with it).
    pub csv: CsvHeader,
    /// The `#TYPE` line's type name, when there is one.
    pub type_name: Option<String>,
    /// `GroupCategory` stands for groupType (the export has no groupType column).
    group_category: bool,
}

impl Header {
    /// Parses the header record, given the `#TYPE` line before it if there was one.
    pub fn parse(type_line: Option<&[u8]>, record: &[u8]) -> Result<Header, String> {
        let written = header_names(record)?;
        if let [only] = written.as_slice() {
            if only.contains(';') {
                return Err(
                    "the columns are separated by ';' (Export-Csv -UseCulture, or -Delimiter \
                     ';'), and synclint reads ',' only: export again without them"
                        .into(),
                );
            }
        }
        let has = |name: &str| written.iter().any(|n| n.eq_ignore_ascii_case(name));
        let mut names: Vec<String> = written
            .iter()
            .map(|n| {
                if n.eq_ignore_ascii_case("Name") && !has("cn") {
                    return "cn".to_string();
                }
                match PROPERTIES.iter().find(|(ps, _)| n.eq_ignore_ascii_case(ps)) {
                    // -Properties * writes both EmailAddress and mail, Surname and sn …: the
                    // LDAP-named column is read, the other is left as written (and unread).
                    Some((_, ldap)) if !n.eq_ignore_ascii_case(ldap) && has(ldap) => n.clone(),
                    Some((_, ldap)) => ldap.to_string(),
                    None => n.clone(),
                }
            })
            .collect();
        let group_category = has("GroupCategory") && !has("groupType");
        let dn_column = names
            .iter()
            .position(|n| n.eq_ignore_ascii_case("distinguishedName"))
            .ok_or_else(|| {
                format!(
                    "the header has no DistinguishedName column (columns: {}); export it too \
                     (`synclint help export` gives a Get-ADObject command)",
                    preview_names(&written)
                )
            })?;
        names[dn_column] = "distinguishedName".to_string();
        Ok(Header {
            csv: CsvHeader { names, dn_column },
            type_name: type_line.map(|l| {
                String::from_utf8_lossy(l.strip_prefix(b"#TYPE ").unwrap_or(l))
                    .trim()
                    .to_string()
            }),
            group_category,
        })
    }
}

fn preview_names(names: &[String]) -> String {
    let mut shown: Vec<&str> = names.iter().take(8).map(String::as_str).collect();
    if names.len() > shown.len() {
        shown.push("…");
    }
    shown.join(", ")
}

/// Whether a field is a .NET type name that Export-Csv wrote in place of a value it could not
/// turn into text: a collection (`…ADPropertyValueCollection`, `System.String[]`) or a byte
/// array (`System.Byte[]`).
pub fn is_type_name(value: &[u8]) -> bool {
    (value.starts_with(b"System.") || value.starts_with(b"Microsoft."))
        && (value.ends_with(b"[]") || value.ends_with(b"Collection"))
        && value
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'[' | b']' | b'`' | b'_'))
}

/// What reading a PowerShell CSV noticed, per block and then per file.
#[derive(Clone, Debug, Default)]
pub struct Notes {
    /// Attributes the rules read whose values Export-Csv replaced by a type name: the
    /// attribute, the objects concerned and the first type name seen.
    pub lost: Vec<(Attr, u64, String)>,
    /// Objects with `?` in a name or an address.
    pub question_marks: u64,
    /// The line of the first of them.
    pub first_question_line: Option<u64>,
    /// Whether any name or address holds a character outside ASCII.
    pub non_ascii: bool,
}

impl Notes {
    /// Adds a later block's notes.
    pub fn merge(&mut self, other: Notes) {
        for (attr, objects, type_name) in other.lost {
            match self.lost.iter_mut().find(|l| l.0 == attr) {
                Some(l) => l.1 += objects,
                None => self.lost.push((attr, objects, type_name)),
            }
        }
        self.question_marks += other.question_marks;
        self.first_question_line = match (self.first_question_line, other.first_question_line) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.non_ascii |= other.non_ascii;
    }

    fn lost_in(&self, attr: Attr) -> u64 {
        self.lost.iter().find(|l| l.0 == attr).map_or(0, |l| l.1)
    }
}

/// A column as the PowerShell sink resolves it.
#[derive(Copy, Clone, Debug)]
pub struct Key<K> {
    inner: K,
    attr: Option<Attr>,
    group_category: bool,
}

/// Sits between the csvde scanner and the sink that builds the directory: drops type names
/// in place of values (counting them), turns `GroupCategory` into groupType's security bit,
/// and watches names and addresses for `?`.
pub struct Sink<'a, S: RecordSink> {
    inner: &'a mut S,
    group_category: bool,
    notes: Notes,
    line: u64,
    question: bool,
}

impl<'a, S: RecordSink> Sink<'a, S> {
    pub fn new(inner: &'a mut S, header: &Header) -> Sink<'a, S> {
        Sink {
            inner,
            group_category: header.group_category,
            notes: Notes::default(),
            line: 0,
            question: false,
        }
    }

    /// What the block's rows showed.
    pub fn finish(self) -> Notes {
        self.notes
    }
}

/// Names and addresses: where a `?` is probably a character the file's encoding lacked.
fn watched(attr: Attr) -> bool {
    matches!(attr.shape(), AttrShape::Text | AttrShape::TextList)
}

impl<S: RecordSink> RecordSink for Sink<'_, S> {
    type Key = Key<S::Key>;

    fn resolve(&mut self, name: &[u8]) -> Self::Key {
        if self.group_category && name.eq_ignore_ascii_case(b"GroupCategory") {
            return Key {
                inner: self.inner.resolve(b"groupType"),
                attr: Some(Attr::GroupType),
                group_category: true,
            };
        }
        Key {
            inner: self.inner.resolve(name),
            attr: Attr::from_name(name),
            group_category: false,
        }
    }

    fn multi_valued(&self, key: Self::Key) -> bool {
        !key.group_category && self.inner.multi_valued(key.inner)
    }

    fn typed_values(&self, key: Self::Key) -> bool {
        self.inner.typed_values(key.inner)
    }

    fn wants_values(&self, key: Self::Key) -> bool {
        self.inner.wants_values(key.inner)
    }

    fn reads_content(&self, key: Self::Key) -> bool {
        self.inner.reads_content(key.inner)
    }

    fn begin(&mut self, line: u64, dn: Value<'_>) {
        self.line = line;
        self.question = false;
        self.inner.begin(line, dn);
    }

    fn value(&mut self, key: Self::Key, value: Value<'_>, ranged: bool) {
        let raw = value.raw();
        if !value.is_encoded() && is_type_name(raw) {
            if let Some(attr) = key.attr {
                match self.notes.lost.iter_mut().find(|l| l.0 == attr) {
                    Some(l) => l.1 += 1,
                    None => {
                        self.notes
                            .lost
                            .push((attr, 1, String::from_utf8_lossy(raw).into_owned()))
                    }
                }
            }
            return;
        }
        if key.group_category {
            let category = raw.trim_ascii();
            let bits = if category.eq_ignore_ascii_case(b"Security") {
                Value::Str(SECURITY_GROUP)
            } else if category.eq_ignore_ascii_case(b"Distribution") {
                Value::Str("0")
            } else {
                value
            };
            self.inner.value(key.inner, bits, ranged);
            return;
        }
        if key.attr.is_some_and(watched) {
            self.question |= memchr(b'?', raw).is_some();
            self.notes.non_ascii |= !raw.is_ascii();
        }
        self.inner.value(key.inner, value, ranged);
    }

    fn present(&mut self, key: Self::Key) {
        self.inner.present(key.inner);
    }

    fn present_in(&mut self, key: Self::Key, objects: u64) {
        // A type name in place of the values is not the attribute.
        let lost = key.attr.map_or(0, |a| self.notes.lost_in(a));
        let objects = if key.group_category {
            objects
        } else {
            objects.saturating_sub(lost)
        };
        if objects > 0 {
            self.inner.present_in(key.inner, objects);
        }
    }

    fn commit(&mut self) {
        if self.question {
            self.notes.question_marks += 1;
            self.notes.first_question_line.get_or_insert(self.line);
        }
        self.inner.commit();
    }

    fn reject(&mut self, record_line: u64, line: u64, reason: String) {
        self.inner.reject(record_line, line, reason);
    }

    fn non_entry(&mut self, line: u64, kind: NonEntry) {
        self.inner.non_entry(line, kind);
    }
}

/// Attributes written as binary (`X'…'` hex, as csvde writes them).
fn binary(attr: Attr) -> bool {
    matches!(
        attr,
        Attr::UserCertificate
            | Attr::UserSmimeCertificate
            | Attr::ThumbnailPhoto
            | Attr::ConsistencyGuid
    )
}

/// Attributes with several values in AD among those the rules read.
fn multi_valued(attr: Attr) -> bool {
    matches!(
        attr,
        Attr::ProxyAddresses | Attr::Member | Attr::UserCertificate | Attr::UserSmimeCertificate
    )
}

/// `$_.name`, quoted when the name has a `-`.
fn property(name: &str) -> String {
    if name.contains('-') {
        format!("$_.'{name}'")
    } else {
        format!("$_.{name}")
    }
}

/// The `Select-Object` calculated property that writes an attribute's values as csvde does:
/// several values joined with `;` (a `;` inside a value escaped as `\;`), binary values as
/// `X'hex'`. `None` for a single text value, which Export-Csv writes as it is.
pub fn calculated_property(name: &str) -> Option<String> {
    let attr = Attr::from_name(name.as_bytes())?;
    let p = property(name);
    let hex = |v: &str| format!("\"X'\" + [BitConverter]::ToString({v}).Replace('-','') + \"'\"");
    let expression = match (multi_valued(attr), binary(attr)) {
        (true, true) => format!("({p} | ForEach-Object {{ {} }}) -join ';'", hex("$_")),
        (true, false) => format!("({p} -replace ';','\\;') -join ';'"),
        (false, true) => format!("if ({p}) {{ {} }}", hex(&p)),
        (false, false) => return None,
    };
    Some(format!("@{{n='{name}';e={{{expression}}}}}"))
}

/// The file's warnings: attributes lost to type names (with the calculated properties that
/// keep them), and `?` in names or addresses of a file whose encoding may have put them there.
pub fn warnings(notes: &Notes, encoding: Option<Encoding>, bom: bool) -> Vec<String> {
    let mut out = Vec::new();
    if !notes.lost.is_empty() {
        let mut lost = notes.lost.clone();
        lost.sort_by_key(|l| l.0.ldap_name());
        let listed: Vec<String> = lost
            .iter()
            .map(|(a, n, t)| format!("{} ({n} objects: \"{t}\")", a.ldap_name()))
            .collect();
        let keep: Vec<String> = lost
            .iter()
            .map(|(a, ..)| {
                calculated_property(a.ldap_name()).unwrap_or_else(|| a.ldap_name().to_string())
            })
            .collect();
        out.push(format!(
            "Export-Csv wrote a .NET type name instead of the values of {}: a multi-valued or \
             binary property must be joined into text before Export-Csv, so these values are \
             not in the file and the rules that read them could not check them. Export again \
             with these calculated properties in Select-Object: {} (`synclint help export` \
             gives the whole command)",
            listed.join(", "),
            keep.join(", ")
        ));
    }
    let narrow = match encoding {
        Some(Encoding::Windows1252) => Some("in the ANSI code page (windows-1252)"),
        // ASCII only, no BOM: what Windows PowerShell 5.1's Export-Csv writes by default.
        Some(Encoding::Utf8) if !bom && !notes.non_ascii => Some("ASCII only, without a BOM"),
        _ => None,
    };
    if let (Some(narrow), true) = (narrow, notes.question_marks > 0) {
        out.push(format!(
            "{} objects have '?' in a name or an address (the first on line {}) and the file \
             is {narrow}: Windows PowerShell 5.1's Export-Csv writes ASCII by default (the ANSI \
             code page with -Encoding Default) and puts '?' for every character it can't \
             write, so these are probably lost letters, not real question marks. Export again \
             with -Encoding UTF8",
            notes.question_marks,
            notes.first_question_line.unwrap_or(0),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_of_the_ad_module_are_told_from_csvde() {
        assert!(is_header(
            b"\"DistinguishedName\",\"Enabled\",\"GivenName\",\"Name\",\"ObjectClass\""
        ));
        assert!(is_header(b"DistinguishedName,SamAccountName,EmailAddress"));
        assert!(!is_header(
            b"DN,objectClass,distinguishedName,sAMAccountName"
        ));
        assert!(!is_header(b"distinguishedName,sAMAccountName,mail"));
        assert!(is_type_line(
            b"#TYPE Microsoft.ActiveDirectory.Management.ADUser"
        ));
        assert!(!is_type_line(b"#TYPE "));
    }

    #[test]
    fn names_map_to_ldap_and_the_ldap_column_wins() {
        let h = Header::parse(
            Some(b"#TYPE Selected.Microsoft.ActiveDirectory.Management.ADUser"),
            b"\"DistinguishedName\",\"EmailAddress\",\"mail\",\"Surname\",\"Name\",\"ObjectGUID\",\"Enabled\"\r\n",
        )
        .unwrap();
        assert_eq!(
            h.csv.names,
            [
                "distinguishedName",
                "EmailAddress",
                "mail",
                "sn",
                "cn",
                "objectGUID",
                "Enabled"
            ]
        );
        assert_eq!(h.csv.dn_column, 0);
        assert_eq!(
            h.type_name.as_deref(),
            Some("Selected.Microsoft.ActiveDirectory.Management.ADUser")
        );
        let err = Header::parse(None, b"\"SamAccountName\",\"EmailAddress\"").unwrap_err();
        assert!(err.contains("no DistinguishedName column"), "{err}");
    }

    #[test]
    fn type_names_are_recognised_and_values_are_not() {
        for t in [
            "Microsoft.ActiveDirectory.Management.ADPropertyValueCollection",
            "System.String[]",
            "System.Byte[]",
            "System.Object[]",
        ] {
            assert!(is_type_name(t.as_bytes()), "{t}");
        }
        for v in [
            "System.Admin@contoso.com",
            "smtp:System.String[]@x.com",
            "System Collection",
            "Microsoft",
        ] {
            assert!(!is_type_name(v.as_bytes()), "{v}");
        }
    }

    #[test]
    fn calculated_properties_join_like_csvde() {
        assert_eq!(
            calculated_property("proxyAddresses").unwrap(),
            "@{n='proxyAddresses';e={($_.proxyAddresses -replace ';','\\;') -join ';'}}"
        );
        assert_eq!(
            calculated_property("mS-DS-ConsistencyGuid").unwrap(),
            "@{n='mS-DS-ConsistencyGuid';e={if ($_.'mS-DS-ConsistencyGuid') { \"X'\" + [BitConverter]::ToString($_.'mS-DS-ConsistencyGuid').Replace('-','') + \"'\" }}}"
        );
        assert!(calculated_property("userCertificate")
            .unwrap()
            .contains("ForEach-Object"));
        assert_eq!(calculated_property("mail"), None);
    }
}
