//! Writes generated objects as an AD Explorer snapshot (the layout is described in
//! [`crate::ingest::adexplorer`]), as AD Explorer does: typed values, identical values
//! stored once and pointed back at from later records (whole attributes such as objectClass,
//! and single texts such as a group's DN), and the attribute table after the records.

use super::{ExportObject, ExportValue, GenerateOptions, Generated};
use crate::ingest::adexplorer::{ads_type, RECORDS_START};
use rustc_hash::FxHashMap;
use std::io::{self, Seek, SeekFrom, Write};

/// The syntax a generated attribute has in AD's schema.
pub fn syntax_of(name: &str) -> u32 {
    const DN: &[&str] = &[
        "distinguishedName",
        "member",
        "memberOf",
        "manager",
        "objectCategory",
        "homeMDB",
    ];
    const INTEGER: &[&str] = &[
        "instanceType",
        "groupType",
        "userAccountControl",
        "badPwdCount",
        "codePage",
        "countryCode",
        "primaryGroupID",
        "logonCount",
        "sAMAccountType",
    ];
    const LARGE: &[&str] = &[
        "uSNCreated",
        "uSNChanged",
        "badPasswordTime",
        "lastLogoff",
        "lastLogon",
        "pwdLastSet",
        "accountExpires",
        "lastLogonTimestamp",
        "msExchRecipientTypeDetails",
    ];
    const TIME: &[&str] = &["whenCreated", "whenChanged", "dSCorePropagationData"];
    const BOOLEAN: &[&str] = &["msExchHideFromAddressLists", "isCriticalSystemObject"];
    const OCTET: &[&str] = &[
        "objectGUID",
        "objectSid",
        "userCertificate",
        "thumbnailPhoto",
        "mS-DS-ConsistencyGuid",
    ];
    let is = |list: &[&str]| list.iter().any(|n| n.eq_ignore_ascii_case(name));
    if is(DN) {
        ads_type::DN_STRING
    } else if is(INTEGER) {
        ads_type::INTEGER
    } else if is(LARGE) {
        ads_type::LARGE_INTEGER
    } else if is(TIME) {
        ads_type::UTC_TIME
    } else if is(BOOLEAN) {
        ads_type::BOOLEAN
    } else if is(OCTET) {
        ads_type::OCTET_STRING
    } else if name.eq_ignore_ascii_case("nTSecurityDescriptor") {
        ads_type::NT_SECURITY_DESCRIPTOR
    } else {
        ads_type::CASE_IGNORE_STRING
    }
}

/// Shared values kept for pointing back (bounded: the oldest are forgotten in one go).
const MAX_SHARED: usize = 1 << 16;

/// A snapshot being written.
pub struct SnapshotWriter<W: Write + Seek> {
    out: W,
    /// Bytes written so far (the next record's offset).
    position: u64,
    properties: Vec<(String, u32)>,
    property_of: FxHashMap<String, u32>,
    /// Text → where its UTF-16 form is in the file.
    texts: FxHashMap<String, u64>,
    /// Whole attributes (syntax and values) → where their value block is.
    blocks: FxHashMap<(u32, Vec<ExportValue>), u64>,
    records: u32,
    record: Vec<u8>,
}

fn bad(reason: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, reason)
}

impl<W: Write + Seek> SnapshotWriter<W> {
    pub fn new(mut out: W) -> io::Result<SnapshotWriter<W>> {
        out.write_all(&[0u8; RECORDS_START])?;
        Ok(SnapshotWriter {
            out,
            position: RECORDS_START as u64,
            properties: Vec::new(),
            property_of: FxHashMap::default(),
            texts: FxHashMap::default(),
            blocks: FxHashMap::default(),
            records: 0,
            record: Vec::new(),
        })
    }

    fn property(&mut self, name: &str) -> u32 {
        if let Some(i) = self.property_of.get(name) {
            return *i;
        }
        let i = self.properties.len() as u32;
        self.properties.push((name.to_string(), syntax_of(name)));
        self.property_of.insert(name.to_string(), i);
        i
    }

    /// Appends one object's record.
    pub fn write(&mut self, object: &ExportObject) -> io::Result<()> {
        if self.texts.len() > MAX_SHARED {
            self.texts.clear();
        }
        if self.blocks.len() > MAX_SHARED {
            self.blocks.clear();
        }
        let mut attributes: Vec<(u32, &Vec<ExportValue>)> = Vec::new();
        let dn_values;
        if !object
            .attributes
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case("distinguishedName"))
        {
            dn_values = vec![ExportValue::Text(object.dn.clone())];
            attributes.push((self.property("distinguishedName"), &dn_values));
        }
        for (name, values) in &object.attributes {
            attributes.push((self.property(name), values));
        }
        let start = self.position;
        let mut record = std::mem::take(&mut self.record);
        record.clear();
        record.extend_from_slice(&[0u8; 8]);
        let table = record.len();
        record.resize(table + 8 * attributes.len(), 0);
        for (i, (index, values)) in attributes.iter().enumerate() {
            let syntax = self.properties[*index as usize].1;
            let shared = self
                .blocks
                .get(&(syntax, (*values).clone()))
                .map(|at| *at as i64 - start as i64)
                .filter(|d| i32::try_from(*d).is_ok());
            let offset = match shared {
                Some(d) => d,
                None => {
                    let at = record.len();
                    self.value_block(&mut record, start, syntax, values)
                        .map_err(|e| bad(format!("{}: {e}", self.properties[*index as usize].0)))?;
                    if values.len() <= 8 {
                        self.blocks
                            .insert((syntax, (*values).clone()), start + at as u64);
                    }
                    at as i64
                }
            };
            let entry = table + 8 * i;
            record[entry..entry + 4].copy_from_slice(&index.to_le_bytes());
            record[entry + 4..entry + 8].copy_from_slice(&(offset as i32).to_le_bytes());
        }
        let size = u32::try_from(record.len()).map_err(|_| bad("record over 4 GiB".into()))?;
        record[0..4].copy_from_slice(&size.to_le_bytes());
        record[4..8].copy_from_slice(&(attributes.len() as u32).to_le_bytes());
        self.out.write_all(&record)?;
        self.position += record.len() as u64;
        self.record = record;
        self.records += 1;
        Ok(())
    }

    /// Writes one attribute's value block at the end of `record` (which starts at `start`).
    fn value_block(
        &mut self,
        record: &mut Vec<u8>,
        start: u64,
        syntax: u32,
        values: &[ExportValue],
    ) -> Result<(), String> {
        let at = record.len();
        record.extend_from_slice(&(values.len() as u32).to_le_bytes());
        let text = |v: &ExportValue| match v {
            ExportValue::Text(t) => Ok(t.clone()),
            ExportValue::Binary(_) => Err("binary value for a text syntax".to_string()),
        };
        match syntax {
            ads_type::OCTET_STRING => {
                let bytes: Vec<Vec<u8>> = values
                    .iter()
                    .map(|v| match v {
                        ExportValue::Binary(b) => b.clone(),
                        ExportValue::Text(t) => t.as_bytes().to_vec(),
                    })
                    .collect();
                for b in &bytes {
                    record.extend_from_slice(&(b.len() as u32).to_le_bytes());
                }
                for b in &bytes {
                    record.extend_from_slice(b);
                }
            }
            ads_type::NT_SECURITY_DESCRIPTOR => {
                // Each value as its length and its bytes (not lengths first, as octets).
                for v in values {
                    let b: &[u8] = match v {
                        ExportValue::Binary(b) => b,
                        ExportValue::Text(t) => t.as_bytes(),
                    };
                    record.extend_from_slice(&(b.len() as u32).to_le_bytes());
                    record.extend_from_slice(b);
                }
            }
            ads_type::INTEGER | ads_type::BOOLEAN => {
                for v in values {
                    let t = text(v)?;
                    let n: u32 = if syntax == ads_type::BOOLEAN {
                        u32::from(t.eq_ignore_ascii_case("TRUE"))
                    } else {
                        t.parse::<i64>()
                            .map_err(|_| format!("{t:?} is not an integer"))?
                            as u32
                    };
                    record.extend_from_slice(&n.to_le_bytes());
                }
            }
            ads_type::LARGE_INTEGER => {
                for v in values {
                    let t = text(v)?;
                    let n: i64 = t.parse().map_err(|_| format!("{t:?} is not an integer"))?;
                    record.extend_from_slice(&n.to_le_bytes());
                }
            }
            ads_type::UTC_TIME => {
                for v in values {
                    let t = text(v)?;
                    let digit = |r: std::ops::Range<usize>| {
                        t.get(r)
                            .and_then(|s| s.parse::<u16>().ok())
                            .ok_or_else(|| format!("{t:?} is not a generalized time"))
                    };
                    let fields = [
                        digit(0..4)?,
                        digit(4..6)?,
                        0,
                        digit(6..8)?,
                        digit(8..10)?,
                        digit(10..12)?,
                        digit(12..14)?,
                        0,
                    ];
                    for f in fields {
                        record.extend_from_slice(&f.to_le_bytes());
                    }
                }
            }
            _ => {
                // Offsets to the texts; texts seen before are pointed back at.
                let offsets = record.len();
                record.resize(offsets + 4 * values.len(), 0);
                let block_at = start + at as u64;
                for (i, v) in values.iter().enumerate() {
                    let t = text(v)?;
                    let earlier = self
                        .texts
                        .get(&t)
                        .map(|p| *p as i64 - block_at as i64)
                        .filter(|d| i32::try_from(*d).is_ok());
                    let delta = match earlier {
                        Some(d) => d,
                        None => {
                            let here = record.len();
                            record.extend(t.encode_utf16().chain([0]).flat_map(u16::to_le_bytes));
                            self.texts.insert(t, start + here as u64);
                            (here - at) as i64
                        }
                    };
                    let o = offsets + 4 * i;
                    record[o..o + 4].copy_from_slice(&(delta as i32).to_le_bytes());
                }
            }
        }
        Ok(())
    }

    /// Writes the end marker, the attribute table and the header.
    pub fn finish(mut self, server: &str) -> io::Result<W> {
        // A record size of 0 ends the records, as AD Explorer writes it.
        self.out.write_all(&0u64.to_le_bytes())?;
        let table = self.position + 8;
        let mut bytes = Vec::new();
        bytes.extend_from_slice(&(self.properties.len() as u32).to_le_bytes());
        for (name, syntax) in &self.properties {
            let name16: Vec<u8> = name
                .encode_utf16()
                .chain([0])
                .flat_map(u16::to_le_bytes)
                .collect();
            bytes.extend_from_slice(&(name16.len() as u32).to_le_bytes());
            bytes.extend_from_slice(&name16);
            bytes.extend_from_slice(&0i32.to_le_bytes());
            bytes.extend_from_slice(&syntax.to_le_bytes());
            let dn: Vec<u8> = format!("CN={name},CN=Schema,CN=Configuration,DC=example")
                .encode_utf16()
                .chain([0])
                .flat_map(u16::to_le_bytes)
                .collect();
            bytes.extend_from_slice(&(dn.len() as u32).to_le_bytes());
            bytes.extend_from_slice(&dn);
            bytes.extend_from_slice(&[0u8; 36]);
        }
        // No classes, no rights.
        bytes.extend_from_slice(&[0u8; 8]);
        self.out.write_all(&bytes)?;
        let end = table + bytes.len() as u64;
        let mut header = Vec::with_capacity(RECORDS_START);
        header.extend_from_slice(b"win-ad-ob\0");
        header.extend_from_slice(&0x10001u32.to_le_bytes());
        // 2024-01-01T00:00:00Z as FILETIME.
        header.extend_from_slice(&133_485_408_000_000_000u64.to_le_bytes());
        let field = |text: &str| {
            let mut f: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
            f.resize(520, 0);
            f
        };
        header.extend(field("synclint generate"));
        header.extend(field(server));
        header.extend_from_slice(&self.records.to_le_bytes());
        header.extend_from_slice(&(self.properties.len() as u32).to_le_bytes());
        header.extend_from_slice(&(table as u32).to_le_bytes());
        header.extend_from_slice(&((table >> 32) as u32).to_le_bytes());
        header.extend_from_slice(&(end as u32).to_le_bytes());
        header.extend_from_slice(&0u32.to_le_bytes());
        debug_assert_eq!(header.len(), RECORDS_START);
        self.out.seek(SeekFrom::Start(0))?;
        self.out.write_all(&header)?;
        self.out.seek(SeekFrom::End(0))?;
        self.out.flush()?;
        Ok(self.out)
    }
}

/// Writes a generated directory as a snapshot to `out` (which must be seekable: the header,
/// written last, says where the attribute table is).
pub fn generate<W: Write + Seek>(options: &GenerateOptions, out: W) -> io::Result<Generated> {
    let mut writer = SnapshotWriter::new(io::BufWriter::with_capacity(1 << 20, out))?;
    let mut all = super::objects(options);
    for object in all.by_ref() {
        writer.write(&object)?;
    }
    let server = format!("dc1.{}", super::DOMAINS[0].0);
    writer.finish(&server)?;
    Ok(all.summary)
}

/// A snapshot of the given objects, in memory (for tests: what [`generate`] writes).
pub fn file(objects: &[ExportObject]) -> io::Result<Vec<u8>> {
    let mut writer = SnapshotWriter::new(io::Cursor::new(Vec::new()))?;
    for object in objects {
        writer.write(object)?;
    }
    Ok(writer.finish("dc1.example.com")?.into_inner())
}
