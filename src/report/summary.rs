//! The JSON summary of a run (`--json`).

use crate::analyze::{Analysis, Timings};
use crate::findings::{Class, Severity};
use crate::ingest::{Encoding, Format};
use crate::rules::registry::RULES;
use crate::rules::uniqueness::GroupCount;
use crate::rules::Profile;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Serialize)]
pub struct Summary<'a> {
    pub version: &'static str,
    pub profile: Profile,
    /// The sync engine the findings are for (`--engine`).
    pub engine: crate::anchor::Engine,
    pub verified_domains: Option<Vec<String>>,
    pub inputs: Vec<Input>,
    pub objects: Objects,
    /// Objects with findings: the verdict (will fail, degraded, advisories only) and per class.
    pub objects_affected: crate::analyze::ObjectsAffected,
    pub findings: Findings,
    pub duplicates: BTreeMap<&'static str, GroupCount>,
    pub collisions: GroupCount,
    pub timings_ms: BTreeMap<&'static str, u128>,
    /// Against `--baseline`: new, resolved and unchanged findings.
    pub changes: Option<crate::baseline::Changes>,
    /// What limits what was checked (missing attributes, inputs mostly out of scope or
    /// rejected, OU options matching nothing …), as printed on stderr.
    pub warnings: Vec<String>,
    /// With `--engine-diff`: every object whose outcome differs between Connect and Cloud
    /// Sync, and the migration tool's readiness.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub engine_diff: Option<EngineDiffJson>,
    /// With `--tenant`: what the tenant inputs held and the predicted outcome counts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tenant: Option<TenantSummary>,
    /// Sign-in and device readiness: the export's time, the forests seen and one entry per
    /// feature (verdict, worst finding, counts, what could not be checked); absent with
    /// `--no-readiness`.
    pub readiness: Option<crate::rules::readiness::Report>,
    /// Every finding with its stable id (what a later `--baseline` compares with); written
    /// by [`Summary::write_json`], one item per line.
    #[serde(skip)]
    pub items: Items<'a>,
}

/// The items of the JSON.
pub enum Items<'a> {
    /// Made from the run's findings as they are written.
    Findings(crate::baseline::FindingItems<'a>),
    /// Given as a list.
    Listed(Vec<crate::baseline::Item<'a>>),
}

impl Items<'_> {
    /// The JSON's end: every item, one per line, and the closing brackets.
    pub fn write_json(&self, out: &mut (dyn std::io::Write + Send)) -> std::io::Result<()> {
        match self {
            Items::Findings(items) => {
                let pieces = items.pieces(ITEMS_PER_CHUNK);
                write_items(&pieces, out, |(first, findings), buf| {
                    for (i, f) in findings.iter().enumerate() {
                        buf.extend_from_slice(b",\n    ");
                        items.write_json(first + i, f, buf);
                    }
                    Ok(())
                })?;
            }
            Items::Listed(items) => {
                let pieces: Vec<&[crate::baseline::Item]> = items.chunks(ITEMS_PER_CHUNK).collect();
                write_items(&pieces, out, |items, buf| {
                    for item in *items {
                        buf.extend_from_slice(b",\n    ");
                        serde_json::to_writer(&mut *buf, item).map_err(std::io::Error::other)?;
                    }
                    Ok(())
                })?;
            }
        }
        out.write_all(b"\n  ]\n}\n")
    }
}

impl Default for Items<'_> {
    fn default() -> Self {
        Items::Listed(Vec::new())
    }
}

/// The JSON section of `--engine-diff`.
#[derive(Serialize)]
pub struct EngineDiffJson {
    pub from: crate::anchor::Engine,
    pub to: crate::anchor::Engine,
    /// Objects in scope under each engine.
    pub in_scope: BTreeMap<&'static str, u64>,
    /// Differences per kind.
    pub counts: BTreeMap<String, u64>,
    pub differences: Vec<DifferenceJson>,
    pub migration_tool: MigrationToolJson,
}

#[derive(Serialize)]
pub struct DifferenceJson {
    pub dn: String,
    pub source: String,
    pub kind: String,
    pub rule: Option<&'static str>,
    pub detail: String,
}

#[derive(Serialize)]
pub struct MigrationToolJson {
    pub verdict: &'static str,
    pub checks: Vec<crate::engine_diff::ReadinessItem>,
}

impl EngineDiffJson {
    fn of(a: &Analysis, d: &crate::engine_diff::EngineDiff) -> EngineDiffJson {
        use crate::anchor::Engine;
        use crate::engine_diff::DiffKind;
        let dir = &a.ingest.directory;
        EngineDiffJson {
            from: Engine::Connect,
            to: Engine::CloudSync,
            in_scope: [("connect", d.in_scope.0), ("cloud-sync", d.in_scope.1)]
                .into_iter()
                .collect(),
            counts: d.counts(),
            differences: d
                .differences
                .iter()
                .map(|x| DifferenceJson {
                    dn: a.shown_dn(dir.dn.get(x.row).unwrap_or("")).into_owned(),
                    source: dir.source_label(x.row),
                    kind: x.kind.label(),
                    rule: match &x.kind {
                        DiffKind::RuleOnlyUnder(_, r) => Some(r.code),
                        _ => None,
                    },
                    detail: a.shown_note(&x.detail).into_owned(),
                })
                .collect(),
            migration_tool: MigrationToolJson {
                verdict: d.verdict(),
                checks: d.readiness.clone(),
            },
        }
    }
}

/// The tenant part of the summary (`tenant.outcomes.{outcome: count}`).
#[derive(Serialize)]
pub struct TenantSummary {
    /// In-scope users, groups and contacts by predicted outcome (every outcome, zeros too).
    pub outcomes: BTreeMap<&'static str, u64>,
    pub inputs: Vec<crate::tenant::TenantInput>,
    pub objects: u64,
    pub domains: Option<u64>,
    pub role_holders: Option<u64>,
    pub features: Option<crate::tenant::Features>,
    pub capacity: crate::tenant::matching::Capacity,
    /// What could not be checked, and why.
    pub not_checked: Vec<String>,
    pub matching_ms: u128,
}

#[derive(Serialize)]
pub struct Input {
    pub path: String,
    pub format: Option<Format>,
    pub encoding: Option<Encoding>,
    pub bytes: u64,
    pub objects: u64,
    pub rejected: u64,
    pub error: Option<String>,
}

#[derive(Serialize)]
pub struct Objects {
    pub read: u64,
    pub analyzed: u64,
    pub out_of_scope: u64,
    pub rejected: u64,
}

#[derive(Serialize)]
pub struct Findings {
    pub total: u64,
    pub by_class: BTreeMap<&'static str, u64>,
    pub by_rule: BTreeMap<&'static str, u64>,
    pub by_severity: BTreeMap<&'static str, u64>,
}

/// Items serialized per parallel task (about 0.8 MB of JSON).
const ITEMS_PER_CHUNK: usize = 4_096;

/// Writes the items of `pieces`, each rendered by `render` (every item after `,\n    `), in
/// order; the first item goes without its comma. The pieces are rendered in parallel a batch
/// at a time while a thread of its own writes the batch before (the writes, a copy into the
/// page cache, took a fifth of the stage's time with the renderers idle). Memory stays
/// bounded: one batch being rendered, at most one handed over and one being written, their
/// buffers reused.
fn write_items<P: Sync>(
    pieces: &[P],
    out: &mut (dyn std::io::Write + Send),
    render: impl Fn(&P, &mut Vec<u8>) -> std::io::Result<()> + Sync,
) -> std::io::Result<()> {
    use rayon::prelude::*;
    use std::sync::mpsc;
    let batch_len = rayon::current_num_threads().max(1) * 2;
    // A rendezvous: the renderers wait for the writer rather than pile batches up.
    let (full, batches) = mpsc::sync_channel::<Vec<Vec<u8>>>(0);
    let (empty, spares) = mpsc::channel::<Vec<u8>>();
    // The writer is a thread of its own, not a rayon task: a rayon worker waiting for it
    // (in `send`) never waits for work that needs another worker (`--threads 1`).
    std::thread::scope(|scope| {
        let writer = scope.spawn(move || -> std::io::Result<()> {
            let mut first = true;
            for batch in batches {
                for mut buf in batch {
                    let text = match (first, buf.first()) {
                        (true, Some(b',')) => &buf[1..],
                        _ => &buf[..],
                    };
                    first &= text.is_empty();
                    out.write_all(text)?;
                    buf.clear();
                    // The renderers may be gone (an error): the buffer is then just freed.
                    let _ = empty.send(buf);
                }
            }
            Ok(())
        });
        let mut rendered = Ok(());
        for batch in pieces.chunks(batch_len) {
            let bufs: Vec<Vec<u8>> = batch
                .iter()
                .map(|_| spares.try_recv().unwrap_or_default())
                .collect();
            let done: std::io::Result<Vec<Vec<u8>>> = batch
                .par_iter()
                .zip(bufs)
                .map(|(piece, mut buf)| render(piece, &mut buf).map(|()| buf))
                .collect();
            match done {
                // A closed channel means the writer stopped on an error: it tells which.
                Ok(bufs) => {
                    if full.send(bufs).is_err() {
                        break;
                    }
                }
                Err(e) => {
                    rendered = Err(e);
                    break;
                }
            }
        }
        drop(full);
        let written = writer
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        rendered.and(written)
    })
}

impl<'a> Summary<'a> {
    /// Writes the summary as JSON: the figures indented for reading, then `items` with one
    /// finding per line (compact, so a million findings stay greppable and diffable). The
    /// items are serialized in parallel chunks: one-threaded serde took 1.1 s for 985,946.
    pub fn write_json(&self, out: &mut (dyn std::io::Write + Send)) -> std::io::Result<()> {
        self.write_head(out)?;
        self.items.write_json(out)
    }

    /// Writes the figures over the first `reserve` bytes of `out`, whose items were written
    /// after them by [`Items::write_json`] while the workbook was written (the figures hold
    /// its time), padded with spaces up to the items: the items are not copied (copying the
    /// 1M field shape's 450 MB of items took 0.2 s). `false`, with nothing written, when the
    /// figures need more room than `reserve`.
    pub fn write_head_over(&self, out: &mut std::fs::File, reserve: u64) -> std::io::Result<bool> {
        use std::io::{Seek, Write};
        let mut head = Vec::new();
        self.write_head(&mut head)?;
        let Some(padding) = (reserve as usize).checked_sub(head.len()) else {
            return Ok(false);
        };
        // Whitespace between the items' bracket and the first item is insignificant in JSON.
        head.resize(head.len() + padding, b' ');
        out.rewind()?;
        out.write_all(&head)?;
        Ok(true)
    }

    /// The length of the figures as [`Summary::write_head_over`] writes them.
    pub fn head_len(&self) -> std::io::Result<u64> {
        let mut head = Vec::new();
        self.write_head(&mut head)?;
        Ok(head.len() as u64)
    }

    /// Writes the summary as JSON whose items are in `items` from byte `from` on: the
    /// figures, then the items copied after them, by the kernel where it can
    /// (`copy_file_range`).
    pub fn write_json_with(
        &self,
        out: &mut std::fs::File,
        items: &mut std::fs::File,
        from: u64,
    ) -> std::io::Result<()> {
        use std::io::{Seek, SeekFrom};
        self.write_head(out)?;
        items.seek(SeekFrom::Start(from))?;
        std::io::copy(items, out)?;
        Ok(())
    }

    /// The figures, indented, up to the items' opening bracket.
    fn write_head(&self, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        let head = serde_json::to_string_pretty(self).map_err(std::io::Error::other)?;
        // The figures end with `\n}`: the items go before that last brace.
        let head = head
            .strip_suffix("\n}")
            .ok_or_else(|| std::io::Error::other("the summary's JSON does not end in a brace"))?;
        out.write_all(head.as_bytes())?;
        out.write_all(b",\n  \"items\": [")
    }

    pub fn build(a: &Analysis, items: Items<'a>) -> Summary<'a> {
        let mut by_class: BTreeMap<&'static str, u64> =
            Class::ALL.iter().map(|c| (c.name(), 0)).collect();
        let mut by_rule: BTreeMap<&'static str, u64> = RULES
            .iter()
            .filter(|r| r.profiles.contains(&a.options.profile))
            .filter(|r| crate::rules::engine::engines(r).contains(&a.options.engine))
            .map(|r| (r.code, 0))
            .collect();
        let mut by_severity: BTreeMap<&'static str, u64> =
            [Severity::Error, Severity::Warning, Severity::Info]
                .iter()
                .map(|s| (s.name(), 0))
                .collect();
        // Counted per rule first (by the rule's address, one hash of a word per finding),
        // then by class and severity: three ordered-map lookups by text per finding took
        // about 0.3 s of two million findings.
        let mut per_rule: rustc_hash::FxHashMap<usize, (&'static crate::rules::Rule, u64)> =
            Default::default();
        for f in &a.findings {
            let rule: &'static crate::rules::Rule = f.rule;
            per_rule
                .entry(std::ptr::from_ref(rule) as usize)
                .or_insert((rule, 0))
                .1 += 1;
        }
        for (rule, n) in per_rule.into_values() {
            *by_class.entry(rule.class.name()).or_default() += n;
            *by_rule.entry(rule.code).or_default() += n;
            *by_severity.entry(rule.severity.name()).or_default() += n;
        }
        let verified_domains = a.options.verified_domains.as_ref().map(|v| {
            let mut d: Vec<String> = v.iter().cloned().collect();
            d.sort();
            d
        });
        let Timings {
            read,
            scope,
            rules,
            collisions,
            suggest,
            tenant,
            workbook,
        } = &a.timings;
        let tenant_summary = a.tenant.as_ref().and_then(|p| {
            let t = a.options.tenant.as_deref()?;
            Some(TenantSummary {
                outcomes: p.counts.clone(),
                inputs: t.inputs.clone(),
                objects: t.objects.len() as u64,
                domains: t.domains.as_ref().map(|d| d.len() as u64),
                role_holders: t.roles.as_ref().map(|r| r.len() as u64),
                features: t.features.clone(),
                capacity: p.capacity.clone(),
                not_checked: p.not_checked.clone(),
                matching_ms: p.time.as_millis(),
            })
        });
        Summary {
            version: env!("CARGO_PKG_VERSION"),
            profile: a.options.profile,
            engine: a.options.engine,
            engine_diff: a.engine_diff.as_ref().map(|d| EngineDiffJson::of(a, d)),
            verified_domains,
            inputs: a
                .ingest
                .files
                .iter()
                .map(|f| Input {
                    path: f.path.clone(),
                    format: f.format,
                    encoding: f.encoding,
                    bytes: f.bytes,
                    objects: f.objects,
                    rejected: f.rejected,
                    error: f.error.clone(),
                })
                .collect(),
            objects: Objects {
                read: a.ingest.objects_read(),
                analyzed: a.scope.analyzed(),
                out_of_scope: a.scope.out_of_scope(),
                rejected: a.ingest.objects_rejected(),
            },
            objects_affected: a.objects_affected(),
            findings: Findings {
                total: a.findings.len() as u64,
                by_class,
                by_rule,
                by_severity,
            },
            warnings: a.warnings.clone(),
            readiness: a.readiness.clone().map(|mut r| {
                // The headline is a finding's note: it may name an account.
                for f in &mut r.features {
                    if let Some(h) = &mut f.headline {
                        *h = a.shown_note(h).into_owned();
                    }
                }
                r
            }),
            duplicates: a.uniqueness.duplicates.clone(),
            collisions: a.uniqueness.collisions,
            timings_ms: [
                ("read", read.as_millis()),
                ("scope", scope.as_millis()),
                ("rules", rules.as_millis()),
                ("collisions", collisions.as_millis()),
                ("suggest", suggest.as_millis()),
                ("tenant", tenant.as_millis()),
                ("workbook", workbook.as_millis()),
            ]
            .into_iter()
            .collect(),
            changes: a.changes.clone(),
            tenant: tenant_summary,
            items,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::baseline::Item;

    fn summary(items: usize) -> Summary<'static> {
        Summary {
            version: "test",
            profile: Profile::Entra,
            engine: crate::anchor::Engine::Connect,
            engine_diff: None,
            verified_domains: None,
            warnings: Vec::new(),
            readiness: None,
            inputs: Vec::new(),
            objects: Objects {
                read: 1,
                analyzed: 1,
                out_of_scope: 0,
                rejected: 0,
            },
            objects_affected: Default::default(),
            findings: Findings {
                total: items as u64,
                by_class: BTreeMap::new(),
                by_rule: BTreeMap::new(),
                by_severity: BTreeMap::new(),
            },
            duplicates: BTreeMap::new(),
            collisions: GroupCount::default(),
            timings_ms: BTreeMap::new(),
            changes: None,
            tenant: None,
            items: Items::Listed(
                (0..items)
                    .map(|i| Item {
                        id: format!("{i:016x}"),
                        rule: "SL101".into(),
                        dn: format!("CN=\"quoted\" {i},DC=x").into(),
                        attribute: "mail".into(),
                        value: format!("v{i}@x.com").into(),
                    })
                    .collect(),
            ),
        }
    }

    #[test]
    fn items_are_written_in_order_one_per_line() {
        // None, one, and past two chunk boundaries.
        for n in [0, 1, 2 * ITEMS_PER_CHUNK + 3] {
            let mut out = Vec::new();
            summary(n).write_json(&mut out).expect("write");
            let text = String::from_utf8(out).expect("utf-8");
            let json: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
            let items = json["items"].as_array().expect("items");
            assert_eq!(items.len(), n);
            for (i, item) in items.iter().enumerate() {
                assert_eq!(item["id"], format!("{i:016x}"));
                assert_eq!(item["dn"], format!("CN=\"quoted\" {i},DC=x"));
            }
            assert_eq!(json["objects"]["read"], 1);
            assert_eq!(
                text.lines()
                    .filter(|l| l.starts_with("    {\"id\""))
                    .count(),
                n
            );
        }
    }

    /// The figures written over the room left before the items make valid JSON with the
    /// items; without room enough nothing is written.
    #[test]
    fn figures_fill_the_room_before_the_items_or_refuse() {
        use std::io::{Read, Seek, SeekFrom, Write};
        let whole = summary(3);
        let len = whole.head_len().expect("head");
        for room in [0, 1, 39] {
            let mut file = tempfile::tempfile().expect("temp file");
            file.seek(SeekFrom::Start(len + room)).expect("seek");
            whole.items.write_json(&mut file).expect("items");
            assert!(whole.write_head_over(&mut file, len + room).expect("head"));
            let mut text = String::new();
            file.rewind().expect("rewind");
            file.read_to_string(&mut text).expect("read");
            let json: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
            assert_eq!(json["items"].as_array().expect("items").len(), 3);
            let mut plain = Vec::new();
            whole.write_json(&mut plain).expect("write");
            assert_eq!(
                json,
                serde_json::from_slice::<serde_json::Value>(&plain).unwrap()
            );
        }
        let mut file = tempfile::tempfile().expect("temp file");
        file.write_all(b"untouched").expect("write");
        assert!(!whole.write_head_over(&mut file, len - 1).expect("head"));
        let mut text = String::new();
        file.rewind().expect("rewind");
        file.read_to_string(&mut text).expect("read");
        assert_eq!(text, "untouched");
    }
}
