//! Reading tenant inputs, each detected by content:
//!
//! * JSON: Graph PowerShell's `ConvertTo-Json` (an array, or one object, with PascalCase
//!   properties) or a raw Graph REST page (`{"value":[…]}`, camelCase; several pages as
//!   several files);
//! * CSV: Graph PowerShell's `Export-Csv` (PascalCase, an optional `#TYPE` line), the Entra
//!   admin center's "Download users" (camelCase columns, or the preview's display labels,
//!   mapped by [`field`]'s synonym table), the Microsoft 365 admin center's "Export users"
//!   (display names; `Proxy addresses` joined with `+`);
//! * a plain list of verified domains, one a line.
//!
//! Each record is told apart by its properties: a user (a UPN), a group (mailEnabled,
//! securityEnabled or groupTypes), an organizational contact (mail without a UPN), a domain
//! (isVerified, authenticationType …), a role holder (a role and a member), the
//! synchronization features. A record that is none of these, or holds a value of the wrong
//! type, is rejected with its line; a file that cannot be read at all is reported and the
//! others are still read.

use super::{CloudKind, CloudObject, Domain, Features, Property, RoleHolder, Tenant, TenantInput};
use serde_json::value::RawValue;
use serde_json::Value;
use std::path::Path;

/// How a tenant input was written.
#[derive(Copy, Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TenantFormat {
    /// `ConvertTo-Json` of Graph PowerShell objects (PascalCase).
    GraphPowershellJson,
    /// A Graph REST response page (`{"value":[…]}`, camelCase).
    GraphRestJson,
    /// A JSON array with camelCase properties (`Invoke-MgGraphRequest … | ConvertTo-Json`).
    GraphJson,
    /// `Export-Csv` of Graph PowerShell objects.
    GraphPowershellCsv,
    /// Entra admin center → Users → Download users (camelCase columns).
    EntraUsersCsv,
    /// Entra admin center → Download users (preview): display labels.
    EntraUsersPreviewCsv,
    /// Microsoft 365 admin center → Active users → Export users.
    M365UsersCsv,
    /// Some other CSV whose columns name the properties.
    Csv,
    /// A plain list of verified domains.
    DomainList,
}

impl TenantFormat {
    pub fn name(self) -> &'static str {
        match self {
            TenantFormat::GraphPowershellJson => "Graph PowerShell JSON",
            TenantFormat::GraphRestJson => "Graph REST JSON",
            TenantFormat::GraphJson => "Graph JSON",
            TenantFormat::GraphPowershellCsv => "Graph PowerShell Export-Csv",
            TenantFormat::EntraUsersCsv => "Entra admin center Download users CSV",
            TenantFormat::EntraUsersPreviewCsv => "Entra admin center Download users (preview) CSV",
            TenantFormat::M365UsersCsv => "Microsoft 365 admin center Export users CSV",
            TenantFormat::Csv => "CSV",
            TenantFormat::DomainList => "domain list",
        }
    }
}

/// What a column or key means, after [`field`]'s synonym table.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum Field {
    Id,
    Upn,
    Mail,
    Proxies,
    ImmutableId,
    SyncEnabled,
    Sid,
    ObjectIdentifier,
    DisplayName,
    /// mailEnabled, securityEnabled, groupTypes: the record is a group.
    GroupMarker,
    /// companyName, addresses, phones: an organizational contact.
    ContactMarker,
    ODataType,
    IsVerified,
    IsInitial,
    IsDefault,
    AuthenticationType,
    Features,
    BlockSoftMatch,
    BlockTakeover,
    SoftMatchOnUpn,
    RoleName,
    RoleId,
    PrincipalId,
    /// The expanded principal of a role assignment (`$expand=principal`).
    Principal,
    /// A domain's name in a CSV that calls it so.
    Name,
}

/// A key or column name, lower case, letters and digits only: `On-premises immutable ID`,
/// `onPremisesImmutableId` and `OnPremisesImmutableId` are one key.
fn normalize(key: &str) -> String {
    key.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// The synonym table: Graph's property names (either case), the Entra admin center's
/// display labels (preview download), the Microsoft 365 admin center's column names.
fn field(key: &str) -> Option<Field> {
    Some(match normalize(key).as_str() {
        "id" | "objectid" => Field::Id,
        "userprincipalname" | "upn" | "username" => Field::Upn,
        "mail" | "email" | "emailaddress" | "primarysmtpaddress" => Field::Mail,
        "proxyaddresses" | "proxyaddress" | "emailaddresses" => Field::Proxies,
        "onpremisesimmutableid" | "immutableid" | "sourceanchor" => Field::ImmutableId,
        "onpremisessyncenabled" | "dirsyncenabled" | "directorysynced" | "onpremisessync" => {
            Field::SyncEnabled
        }
        "onpremisessecurityidentifier" | "onpremisessid" => Field::Sid,
        "onpremisesobjectidentifier" => Field::ObjectIdentifier,
        "displayname" => Field::DisplayName,
        "mailenabled" | "securityenabled" | "grouptypes" => Field::GroupMarker,
        "companyname" | "addresses" | "phones" => Field::ContactMarker,
        "odatatype" => Field::ODataType,
        "isverified" => Field::IsVerified,
        "isinitial" => Field::IsInitial,
        "isdefault" => Field::IsDefault,
        "authenticationtype" => Field::AuthenticationType,
        "features" => Field::Features,
        "blocksoftmatchenabled" => Field::BlockSoftMatch,
        "blockcloudobjecttakeoverthroughhardmatchenabled" => Field::BlockTakeover,
        "softmatchonupnenabled" => Field::SoftMatchOnUpn,
        "role" | "roledisplayname" | "rolename" => Field::RoleName,
        "roletemplateid" | "roledefinitionid" | "roleid" => Field::RoleId,
        "principalid" | "memberid" => Field::PrincipalId,
        "principal" => Field::Principal,
        "name" | "domain" | "domainname" => Field::Name,
        _ => return None,
    })
}

/// The property of the tenant model a field fills.
fn property(f: Field) -> Option<Property> {
    Some(match f {
        Field::Upn => Property::UserPrincipalName,
        Field::Mail => Property::Mail,
        Field::Proxies => Property::ProxyAddresses,
        Field::ImmutableId => Property::ImmutableId,
        Field::SyncEnabled => Property::SyncEnabled,
        Field::Sid => Property::SecurityIdentifier,
        Field::ObjectIdentifier => Property::ObjectIdentifier,
        _ => return None,
    })
}

/// One value of a record, JSON or CSV.
#[derive(Clone, Debug)]
enum Val {
    Null,
    Text(String),
    Bool(bool),
    List(Vec<String>),
    Object(serde_json::Map<String, Value>),
}

impl Val {
    fn of_json(v: Value) -> Result<Val, String> {
        Ok(match v {
            Value::Null => Val::Null,
            Value::String(s) if s.is_empty() => Val::Null,
            Value::String(s) => Val::Text(s),
            Value::Bool(b) => Val::Bool(b),
            Value::Number(n) => Val::Text(n.to_string()),
            Value::Array(items) => Val::List(
                items
                    .into_iter()
                    .map(|i| match i {
                        Value::String(s) => Ok(s),
                        Value::Number(n) => Ok(n.to_string()),
                        other => Err(format!("a list holds {}", json_kind(&other))),
                    })
                    .collect::<Result<_, _>>()?,
            ),
            Value::Object(map) => Val::Object(map),
        })
    }

    fn text(&self) -> Result<Option<&str>, String> {
        match self {
            Val::Null => Ok(None),
            Val::Text(s) => Ok(Some(s.trim()).filter(|s| !s.is_empty())),
            Val::List(l) if l.len() <= 1 => Ok(l.first().map(|s| s.trim())),
            Val::Bool(_) => Err("true/false where text was expected".into()),
            Val::List(_) => Err("a list where one value was expected".into()),
            Val::Object(_) => Err("an object where text was expected".into()),
        }
    }

    fn boolean(&self) -> Result<Option<bool>, String> {
        match self {
            Val::Null => Ok(None),
            Val::Bool(b) => Ok(Some(*b)),
            Val::Text(s) => match s.trim().to_ascii_lowercase().as_str() {
                "" => Ok(None),
                "true" | "yes" | "1" => Ok(Some(true)),
                "false" | "no" | "0" => Ok(Some(false)),
                other => Err(format!("{other:?} is not true or false")),
            },
            _ => Err("a list or object where true/false was expected".into()),
        }
    }
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "true/false",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// Address type prefixes Exchange writes (`smtp:`, `X500:` …): a joined proxyAddresses
/// field is split only where one of them starts.
const PROXY_PREFIXES: [&str; 12] = [
    "smtp:", "x500:", "x400:", "sip:", "eum:", "spo:", "msmail:", "ccmail:", "notes:", "gwise:",
    "fax:", "mapi:",
];

fn starts_with_prefix(s: &str) -> bool {
    PROXY_PREFIXES.iter().any(|p| {
        s.len() >= p.len() && s.is_char_boundary(p.len()) && s[..p.len()].eq_ignore_ascii_case(p)
    })
}

/// Splits a proxyAddresses field as the admin centers and `Export-Csv … -join` write it:
/// a JSON list (`["SMTP:a@b","smtp:c@d"]`), or values joined with `;` or `+`. `+` is legal in
/// a local part (and `;` inside an X400 address), so a field is cut only before a known
/// `type:` prefix.
pub fn split_proxies(field: &str) -> Vec<String> {
    let field = field.trim();
    if field.starts_with('[') {
        if let Ok(list) = serde_json::from_str::<Vec<String>>(field) {
            return list;
        }
    }
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in field.char_indices() {
        if (c == ';' || c == '+' || c == ',') && starts_with_prefix(&field[i + 1..]) {
            out.push(field[start..i].trim().to_string());
            start = i + 1;
        }
    }
    out.push(field[start..].trim().to_string());
    out.retain(|s| !s.is_empty());
    out
}

/// A record as a list of known fields with their values, and its line.
struct Record {
    line: u64,
    fields: Vec<(Field, Val)>,
    /// `@odata.type` or the page's `@odata.context`, lower case.
    type_hint: Option<String>,
}

impl Record {
    fn get(&self, f: Field) -> Option<&Val> {
        self.fields.iter().find(|(g, _)| *g == f).map(|(_, v)| v)
    }

    fn has(&self, f: Field) -> bool {
        self.get(f).is_some()
    }

    fn text(&self, f: Field) -> Result<Option<String>, String> {
        match self.get(f) {
            Some(v) => v
                .text()
                .map(|t| t.map(str::to_string))
                .map_err(|e| format!("{}: {e}", field_name(f))),
            None => Ok(None),
        }
    }

    fn boolean(&self, f: Field) -> Result<Option<bool>, String> {
        match self.get(f) {
            Some(v) => v.boolean().map_err(|e| format!("{}: {e}", field_name(f))),
            None => Ok(None),
        }
    }
}

fn field_name(f: Field) -> &'static str {
    match f {
        Field::Id => "id",
        Field::Upn => "userPrincipalName",
        Field::Mail => "mail",
        Field::Proxies => "proxyAddresses",
        Field::ImmutableId => "onPremisesImmutableId",
        Field::SyncEnabled => "onPremisesSyncEnabled",
        Field::Sid => "onPremisesSecurityIdentifier",
        Field::ObjectIdentifier => "onPremisesObjectIdentifier",
        Field::DisplayName => "displayName",
        Field::GroupMarker => "mailEnabled",
        Field::ContactMarker => "companyName",
        Field::ODataType => "@odata.type",
        Field::IsVerified => "isVerified",
        Field::IsInitial => "isInitial",
        Field::IsDefault => "isDefault",
        Field::AuthenticationType => "authenticationType",
        Field::Features => "features",
        Field::BlockSoftMatch => "blockSoftMatchEnabled",
        Field::BlockTakeover => "blockCloudObjectTakeoverThroughHardMatchEnabled",
        Field::SoftMatchOnUpn => "softMatchOnUpnEnabled",
        Field::RoleName => "role",
        Field::RoleId => "roleTemplateId",
        Field::PrincipalId => "principalId",
        Field::Principal => "principal",
        Field::Name => "name",
    }
}

/// What a record is.
enum Entity {
    Object(CloudObject),
    Domain(Domain),
    Role(RoleHolder),
    Features(Features),
}

/// Reads every tenant input; a file that cannot be read is reported in its
/// [`TenantInput::error`] and the others are still read.
pub fn read_files(paths: &[std::path::PathBuf]) -> Tenant {
    let mut tenant = Tenant::default();
    for path in paths {
        let index = tenant.inputs.len() as u16;
        let mut input = TenantInput::new(&path.display().to_string());
        match std::fs::read(path) {
            Ok(bytes) => read_bytes(&bytes, index, &mut input, &mut tenant),
            Err(e) => input.error = Some(format!("{}: cannot read: {e}", path.display())),
        }
        tenant.inputs.push(input);
    }
    tenant
}

/// Reads inputs held in memory, each `(name, bytes)`, as [`read_files`] reads files.
pub fn read_texts(inputs: &[(&str, &[u8])]) -> Tenant {
    let mut tenant = Tenant::default();
    for (name, bytes) in inputs {
        let index = tenant.inputs.len() as u16;
        let mut input = TenantInput::new(name);
        read_bytes(bytes, index, &mut input, &mut tenant);
        tenant.inputs.push(input);
    }
    tenant
}

/// Reads one input held in memory (the file's bytes) into `tenant`, as input `index`.
pub fn read_bytes(bytes: &[u8], index: u16, input: &mut TenantInput, tenant: &mut Tenant) {
    let text = decode(bytes);
    let text: &str = &text;
    let trimmed = text.trim_start();
    let skipped_lines = line_of(text, text.len() - trimmed.len()) - 1;
    let records = if trimmed.starts_with('[') || trimmed.starts_with('{') {
        json_records(trimmed, skipped_lines, input)
    } else if looks_like_domain_list(trimmed) {
        input.format = Some(TenantFormat::DomainList);
        domain_list(trimmed, skipped_lines, input, tenant);
        return;
    } else {
        csv_records(text, input)
    };
    let Some(records) = records else {
        return;
    };
    for record in records {
        match entity(&record, index) {
            Ok(Entity::Object(o)) => {
                match o.kind {
                    Some(CloudKind::User) => input.users += 1,
                    Some(CloudKind::Group) => input.groups += 1,
                    Some(CloudKind::Contact) => input.contacts += 1,
                    None => {}
                }
                input.records += 1;
                tenant.objects.push(o);
            }
            Ok(Entity::Domain(d)) => {
                input.records += 1;
                input.domains += 1;
                tenant.domains.get_or_insert_with(Vec::new).push(d);
            }
            Ok(Entity::Role(r)) => {
                input.records += 1;
                input.role_holders += 1;
                tenant.roles.get_or_insert_with(Vec::new).push(r);
            }
            Ok(Entity::Features(f)) => {
                input.records += 1;
                input.features += 1;
                tenant.features = Some(f);
            }
            Err(reason) => input.reject(record.line, reason),
        }
    }
    if input.users + input.groups + input.contacts == 0 {
        // Properties matter only where objects came with them.
        input.carried.clear();
    }
    if input.records > 0 && input.rejected == input.records && input.error.is_none() {
        input.error = Some(format!(
            "{}: no record is a user, group, contact, domain, role holder or the \
             synchronization features ({} rejected)",
            input.path, input.rejected
        ));
    }
}

/// The file as text: BOM or UTF-16 without BOM (what Windows PowerShell's `Out-File` and
/// `>` write), else UTF-8 with invalid bytes replaced.
fn decode(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    let detected = crate::ingest::encoding::detect_encoding(bytes, true);
    let body = &bytes[detected.bom_len..];
    let encoding = match detected.encoding {
        crate::ingest::Encoding::Utf8 => encoding_rs::UTF_8,
        crate::ingest::Encoding::Utf16Le => encoding_rs::UTF_16LE,
        crate::ingest::Encoding::Utf16Be => encoding_rs::UTF_16BE,
        crate::ingest::Encoding::Windows1252 => encoding_rs::WINDOWS_1252,
    };
    // Valid UTF-8 (the common case) is borrowed, not copied.
    encoding.decode_without_bom_handling(body).0
}

/// The 1-based line of byte `offset` in `text`.
fn line_of(text: &str, offset: usize) -> u64 {
    bytecount::count(&text.as_bytes()[..offset.min(text.len())], b'\n') as u64 + 1
}

/// Whether every non-comment line is one domain name (no separator, a dot).
fn looks_like_domain_list(text: &str) -> bool {
    let mut lines = text
        .lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter(|l| !l.is_empty())
        .peekable();
    lines.peek().is_some()
        && lines.all(|l| {
            l.contains('.')
                && l.chars()
                    .all(|c| c.is_alphanumeric() || c == '.' || c == '-')
        })
}

fn domain_list(text: &str, skipped: u64, input: &mut TenantInput, tenant: &mut Tenant) {
    let domains = tenant.domains.get_or_insert_with(Vec::new);
    for (i, line) in text.lines().enumerate() {
        let name = line.split('#').next().unwrap_or("").trim().to_lowercase();
        if name.is_empty() {
            continue;
        }
        let _ = skipped + i as u64;
        input.records += 1;
        input.domains += 1;
        domains.push(Domain {
            initial: name.ends_with(".onmicrosoft.com") && !name.ends_with(".mail.onmicrosoft.com"),
            name,
            verified: true,
            default: false,
            federated: None,
        });
    }
}

/// The records of a JSON input: a Graph REST page (`{"value":[…]}`), an array, or one
/// object; each located by the line it starts on.
fn json_records(text: &str, skipped: u64, input: &mut TenantInput) -> Option<Vec<Record>> {
    let fail = |input: &mut TenantInput, e: serde_json::Error| {
        input.error = Some(format!(
            "{}:{}:{}: not valid JSON: {e}",
            input.path,
            e.line() as u64 + skipped,
            e.column()
        ));
        None
    };
    let (raws, context): (Vec<&RawValue>, Option<String>) = if text.starts_with('[') {
        match serde_json::from_str::<Vec<&RawValue>>(text) {
            Ok(list) => (list, None),
            Err(e) => return fail(input, e),
        }
    } else {
        let top: std::collections::BTreeMap<String, &RawValue> = match serde_json::from_str(text) {
            Ok(top) => top,
            Err(e) => return fail(input, e),
        };
        match top.get("value") {
            Some(value) if value.get().trim_start().starts_with('[') => {
                let context = top
                    .get("@odata.context")
                    .and_then(|c| serde_json::from_str::<String>(c.get()).ok())
                    .map(|c| c.to_lowercase());
                match serde_json::from_str::<Vec<&RawValue>>(value.get()) {
                    Ok(list) => (list, context),
                    Err(e) => return fail(input, e),
                }
            }
            _ => match serde_json::from_str::<&RawValue>(text) {
                Ok(one) => (vec![one], None),
                Err(e) => return fail(input, e),
            },
        }
    };
    let mut records = Vec::with_capacity(raws.len());
    let (mut line, mut at) = (1u64, 0usize);
    let mut pascal = None;
    for raw in raws {
        // Lines counted incrementally: each record's text lies inside `text`.
        let offset = (raw.get().as_ptr() as usize).saturating_sub(text.as_ptr() as usize);
        if offset >= at && offset <= text.len() {
            line += bytecount::count(&text.as_bytes()[at..offset], b'\n') as u64;
            at = offset;
        }
        let record_line = line + skipped;
        // Keys first, values left as text: only the values of known keys are parsed (a
        // users file's other properties cost a scan, not a tree of allocations).
        let map = match serde_json::from_str::<std::collections::BTreeMap<String, &RawValue>>(
            raw.get(),
        ) {
            Ok(map) => map,
            Err(e) => {
                let reason = match serde_json::from_str::<Value>(raw.get()) {
                    Ok(other) if !other.is_object() => {
                        format!("{} where an object was expected", json_kind(&other))
                    }
                    _ => format!("not valid JSON: {e}"),
                };
                input.reject(record_line, reason);
                continue;
            }
        };
        if pascal.is_none() {
            pascal = map
                .keys()
                .find(|k| !k.starts_with('@'))
                .map(|k| k.starts_with(|c: char| c.is_ascii_uppercase()));
        }
        let mut fields = Vec::new();
        let mut type_hint = context.clone();
        let mut bad = None;
        for (key, raw_value) in map {
            let Some(f) = field(&key) else {
                continue;
            };
            if let Some(p) = property(f) {
                input.carried.insert(p);
            }
            if matches!(f, Field::GroupMarker | Field::ContactMarker) {
                // Only their presence tells the kind; their values (Get-MgContact's
                // Addresses and Phones are lists of objects) are not read.
                fields.push((f, Val::Null));
                continue;
            }
            let value = match serde_json::from_str::<Value>(raw_value.get()) {
                Ok(v) => v,
                Err(e) => {
                    bad = Some(format!("{key}: {e}"));
                    continue;
                }
            };
            if f == Field::ODataType {
                if let Value::String(s) = &value {
                    type_hint = Some(s.to_lowercase());
                }
                continue;
            }
            match Val::of_json(value) {
                Ok(v) => fields.push((f, v)),
                Err(e) => bad = Some(format!("{key}: {e}")),
            }
        }
        if let Some(reason) = bad {
            input.reject(record_line, reason);
            continue;
        }
        records.push(Record {
            line: record_line,
            fields,
            type_hint,
        });
    }
    input.format = Some(match (context.is_some() || text.starts_with('{'), pascal) {
        (_, Some(true)) => TenantFormat::GraphPowershellJson,
        (true, _) => TenantFormat::GraphRestJson,
        _ => TenantFormat::GraphJson,
    });
    Some(records)
}

/// Type names `Export-Csv` writes for a collection it was not told to join.
fn is_type_name(value: &str) -> bool {
    let v = value.trim();
    v.starts_with("System.") && (v.ends_with("[]") || v.contains("Collections"))
        || v.starts_with("Microsoft.Graph.")
}

/// The records of a CSV input; the header tells which admin center or cmdlet wrote it.
fn csv_records(text: &str, input: &mut TenantInput) -> Option<Vec<Record>> {
    // An optional first line that is not the header: `#TYPE …` (Windows PowerShell's
    // Export-Csv) or `version:v1.0` (the Entra bulk templates).
    let mut body = text;
    let mut skipped = 0u64;
    loop {
        let start = body.trim_start_matches('\u{feff}');
        let first = start.lines().next().unwrap_or("");
        if first.starts_with("#TYPE") || first.to_ascii_lowercase().starts_with("version:") {
            body = &start[first.len()..];
            body = body
                .strip_prefix("\r\n")
                .or(body.strip_prefix('\n'))
                .unwrap_or(body);
            skipped += 1;
            if first.starts_with("#TYPE") {
                input.format = Some(TenantFormat::GraphPowershellCsv);
            }
        } else {
            break;
        }
    }
    let header_line = body.lines().next().unwrap_or("");
    let delimiter = if header_line.matches(';').count() > header_line.matches(',').count() {
        b';'
    } else if header_line.contains('\t') && !header_line.contains(',') {
        b'\t'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_reader(body.as_bytes());
    let headers = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            input.error = Some(format!("{}: unusable CSV header: {e}", input.path));
            return None;
        }
    };
    let columns: Vec<Option<Field>> = headers.iter().map(field).collect();
    if columns.iter().all(Option::is_none) {
        input.error = Some(format!(
            "{}: not a tenant export: no column is a property synclint reads (it starts with {:?})",
            input.path,
            header_line.chars().take(60).collect::<String>()
        ));
        return None;
    }
    for f in columns.iter().flatten() {
        if let Some(p) = property(*f) {
            input.carried.insert(p);
        }
    }
    let has = |name: &str| headers.iter().any(|h| h.trim() == name);
    if input.format.is_none() {
        input.format = Some(
            if has("DirSyncEnabled") || has("Block credential") || has("Licenses") {
                TenantFormat::M365UsersCsv
            } else if has("userPrincipalName") && has("objectId") {
                TenantFormat::EntraUsersCsv
            } else if has("User principal name") || has("Object ID") || has("User name") {
                TenantFormat::EntraUsersPreviewCsv
            } else if has("UserPrincipalName") || has("Id") || has("ProxyAddresses") {
                TenantFormat::GraphPowershellCsv
            } else {
                TenantFormat::Csv
            },
        );
    }
    let mut records = Vec::new();
    let mut type_names = 0u64;
    for result in reader.records() {
        let row = match result {
            Ok(row) => row,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line()) + skipped;
                input.reject(line, format!("not a CSV record: {e}"));
                continue;
            }
        };
        let line = row.position().map_or(0, |p| p.line()) + skipped;
        if row.len() != headers.len() {
            input.reject(
                line,
                format!("{} fields, the header has {}", row.len(), headers.len()),
            );
            continue;
        }
        let mut fields = Vec::new();
        for (value, f) in row.iter().zip(&columns) {
            let Some(f) = *f else {
                continue;
            };
            let v = if value.trim().is_empty() {
                Val::Null
            } else if f == Field::Proxies || f == Field::GroupMarker && value.contains(';') {
                if is_type_name(value) {
                    type_names += 1;
                    Val::Null
                } else {
                    Val::List(split_proxies(value))
                }
            } else {
                Val::Text(value.to_string())
            };
            fields.push((f, v));
        }
        records.push(Record {
            line,
            fields,
            type_hint: None,
        });
    }
    if type_names > 0 {
        input.carried.remove(&Property::ProxyAddresses);
        input.warnings.push(format!(
            "{}: proxyAddresses of {type_names} records written as a .NET type name \
             (Export-Csv without -join): the addresses are unknown; README gives the command \
             that joins them",
            input.path
        ));
    }
    Some(records)
}

/// Tells what a record is and builds it.
fn entity(r: &Record, input: u16) -> Result<Entity, String> {
    let hint = r.type_hint.as_deref().unwrap_or("");
    if let Some(Val::Object(features)) = r.get(Field::Features) {
        return features_of(features, input).map(Entity::Features);
    }
    if r.has(Field::BlockSoftMatch) || r.has(Field::BlockTakeover) || r.has(Field::SoftMatchOnUpn) {
        return Ok(Entity::Features(Features {
            block_soft_match: r.boolean(Field::BlockSoftMatch)?,
            block_cloud_object_takeover_through_hard_match: r.boolean(Field::BlockTakeover)?,
            soft_match_on_upn: r.boolean(Field::SoftMatchOnUpn)?,
            input,
        }));
    }
    if hint.contains("#domains")
        || hint.contains("graph.domain")
        || r.has(Field::IsVerified)
        || r.has(Field::IsInitial)
        || r.has(Field::AuthenticationType)
    {
        let name = r
            .text(Field::Id)?
            .or(r.text(Field::Name)?)
            .ok_or("a domain without its name (Id)")?
            .to_lowercase();
        let federated = r
            .text(Field::AuthenticationType)?
            .map(|t| t.eq_ignore_ascii_case("federated"));
        return Ok(Entity::Domain(Domain {
            verified: r.boolean(Field::IsVerified)?.unwrap_or(false),
            initial: r.boolean(Field::IsInitial)?.unwrap_or(false),
            default: r.boolean(Field::IsDefault)?.unwrap_or(false),
            federated,
            name,
        }));
    }
    if r.has(Field::RoleName) || r.has(Field::RoleId) || r.has(Field::PrincipalId) {
        let mut holder = RoleHolder {
            id: r.text(Field::PrincipalId)?.or(r.text(Field::Id)?),
            upn: r.text(Field::Upn)?,
            role: r.text(Field::RoleName)?.or(r.text(Field::RoleId)?),
            input,
            line: r.line,
        };
        if let Some(Val::Object(principal)) = r.get(Field::Principal) {
            for (k, v) in principal {
                match (field(k), v) {
                    (Some(Field::Id), Value::String(s)) => holder.id = Some(s.clone()),
                    (Some(Field::Upn), Value::String(s)) => holder.upn = Some(s.clone()),
                    _ => {}
                }
            }
        }
        if holder.id.is_none() && holder.upn.is_none() {
            return Err("a role holder without an id or userPrincipalName".into());
        }
        return Ok(Entity::Role(holder));
    }
    let kind = if hint.contains("orgcontact") || hint.contains("#contacts") {
        CloudKind::Contact
    } else if hint.contains("graph.group") || hint.contains("#groups") || r.has(Field::GroupMarker)
    {
        CloudKind::Group
    } else if hint.contains("graph.user")
        || hint.contains("#users")
        || r.has(Field::Upn) && r.text(Field::Upn)?.is_some()
    {
        CloudKind::User
    } else if r.has(Field::ContactMarker) || r.text(Field::Mail)?.is_some() {
        CloudKind::Contact
    } else {
        return Err(
            "neither a user (no userPrincipalName), a group, a contact, a domain, a role \
             holder nor the synchronization features"
                .into(),
        );
    };
    let proxies = match r.get(Field::Proxies) {
        None | Some(Val::Null) => Vec::new(),
        Some(Val::List(l)) => l.iter().map(|s| s.trim().to_string()).collect(),
        Some(Val::Text(s)) => split_proxies(s),
        Some(_) => return Err("proxyAddresses: not a list of addresses".into()),
    };
    let sync_enabled = match r.get(Field::SyncEnabled) {
        // A column or key that is present but empty: Graph's null, the M365 export's empty
        // DirSyncEnabled, both for cloud-managed objects.
        Some(Val::Null) => Some(false),
        _ => r.boolean(Field::SyncEnabled)?,
    };
    Ok(Entity::Object(CloudObject {
        kind: Some(kind),
        id: r.text(Field::Id)?,
        display_name: r.text(Field::DisplayName)?,
        upn: if kind == CloudKind::User {
            r.text(Field::Upn)?
        } else {
            None
        },
        mail: r.text(Field::Mail)?,
        proxies,
        immutable_id: r.text(Field::ImmutableId)?,
        sync_enabled,
        security_identifier: r.text(Field::Sid)?,
        object_identifier: r.text(Field::ObjectIdentifier)?,
        input,
        line: r.line,
    }))
}

fn features_of(map: &serde_json::Map<String, Value>, input: u16) -> Result<Features, String> {
    let mut f = Features {
        input,
        ..Features::default()
    };
    for (k, v) in map {
        let flag = match field(k) {
            Some(Field::BlockSoftMatch) => &mut f.block_soft_match,
            Some(Field::BlockTakeover) => &mut f.block_cloud_object_takeover_through_hard_match,
            Some(Field::SoftMatchOnUpn) => &mut f.soft_match_on_upn,
            _ => continue,
        };
        *flag = match v {
            Value::Bool(b) => Some(*b),
            Value::Null => None,
            other => {
                return Err(format!(
                    "{k}: {} where true/false was expected",
                    json_kind(other)
                ))
            }
        };
    }
    Ok(f)
}

/// The name a tenant input is shown by.
pub fn display_name(path: &Path) -> String {
    path.display().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> (Tenant, TenantInput) {
        let mut tenant = Tenant::default();
        let mut input = TenantInput::new("t");
        read_bytes(text.as_bytes(), 0, &mut input, &mut tenant);
        (tenant, input)
    }

    #[test]
    fn proxies_split_only_before_a_prefix() {
        assert_eq!(
            split_proxies("SMTP:a+b@contoso.com+smtp:c@contoso.com+X500:/o=x"),
            ["SMTP:a+b@contoso.com", "smtp:c@contoso.com", "X500:/o=x"]
        );
        assert_eq!(
            split_proxies("SMTP:a@contoso.com;X400:c=US;a= ;p=Contoso;"),
            ["SMTP:a@contoso.com", "X400:c=US;a= ;p=Contoso;"]
        );
        assert_eq!(
            split_proxies(r#"["SMTP:a@b.com","smtp:c@b.com"]"#),
            ["SMTP:a@b.com", "smtp:c@b.com"]
        );
    }

    #[test]
    fn rest_pages_keep_lines_and_reject_bad_records() {
        let (t, i) = read(
            "{\"@odata.context\":\"https://graph.microsoft.com/v1.0/$metadata#users\",\n\"value\":[\n{\"id\":\"1\",\"userPrincipalName\":\"a@contoso.com\",\"proxyAddresses\":[\"SMTP:a@contoso.com\"],\"onPremisesImmutableId\":null},\n42,\n{\"id\":\"2\",\"userPrincipalName\":\"b@contoso.com\",\"proxyAddresses\":[{\"x\":1}]}\n]}",
        );
        assert_eq!(i.format, Some(TenantFormat::GraphRestJson));
        assert_eq!(t.objects.len(), 1);
        assert_eq!(t.objects[0].line, 3);
        assert_eq!(i.rejected, 2);
        assert_eq!(i.rejections[0].line, 4);
        assert_eq!(i.rejections[1].line, 5);
        assert!(i.carried.contains(&Property::ImmutableId));
    }

    #[test]
    fn broken_json_is_an_error_with_its_position() {
        let (_, i) = read("[\n{\"Id\": \"1\",\n\"UserPrincipalName\": }\n]");
        let error = i.error.expect("error");
        assert!(error.starts_with("t:3:"), "{error}");
    }

    #[test]
    fn m365_export_is_recognised_and_its_proxies_split() {
        let (t, i) = read(
            "Display name,DirSyncEnabled,User principal name,Object Id,Proxy addresses\nAnn,,ann@contoso.com,11,SMTP:ann@contoso.com+smtp:a+b@contoso.com\nBo,True,bo@contoso.com,12,\nbad,row\n",
        );
        assert_eq!(i.format, Some(TenantFormat::M365UsersCsv));
        assert_eq!(t.objects.len(), 2);
        assert_eq!(
            t.objects[0].proxies,
            ["SMTP:ann@contoso.com", "smtp:a+b@contoso.com"]
        );
        assert_eq!(t.objects[0].sync_enabled, Some(false));
        assert_eq!(t.objects[1].sync_enabled, Some(true));
        assert_eq!(i.rejections[0].line, 4);
    }

    #[test]
    fn domains_and_features_and_roles() {
        let (t, _) = read(
            r#"[{"Id":"contoso.com","IsVerified":true,"IsInitial":false,"AuthenticationType":"Federated"},
                {"Id":"contoso.onmicrosoft.com","IsVerified":true,"IsInitial":true,"AuthenticationType":"Managed"}]"#,
        );
        assert_eq!(t.initial_domain(), Some("contoso.onmicrosoft.com"));
        assert_eq!(t.quota(), Some(300_000));
        let (t, _) = read(
            r#"{"Id":"x","Features":{"BlockSoftMatchEnabled":false,"SoftMatchOnUpnEnabled":true}}"#,
        );
        let f = t.features.expect("features");
        assert_eq!(f.block_soft_match, Some(false));
        assert_eq!(f.block_cloud_object_takeover_through_hard_match, None);
        let (t, _) = read("contoso.com\n# comment\ncontoso.onmicrosoft.com\n");
        assert_eq!(t.domains.map(|d| d.len()), Some(2));
        let (t, _) = read(
            r#"[{"Role":"Global Administrator","Id":"9","UserPrincipalName":"adm@contoso.com"}]"#,
        );
        assert_eq!(t.roles.map(|r| r.len()), Some(1));
    }
}
