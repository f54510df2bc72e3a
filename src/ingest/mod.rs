//! Ingest: exports on disk → the directory table.
//!
//! Each file is detected (encoding, format), cut into blocks of whole records by a reader
//! thread ([`blocks`]), and the blocks are parsed on parallel threads ([`ldif`], [`csvde`],
//! which also reads PowerShell's Export-Csv through [`powershell`])
//! into table chunks that are appended in file order. Only the attributes the rules need are
//! kept ([`crate::directory::attrs`]); the raw text is dropped block by block.

pub mod adexplorer;
pub mod blocks;
pub mod csvde;
pub mod delims;
pub mod encoding;
pub mod ldif;
pub mod ordered;
pub mod powershell;
pub mod sink;
pub mod table;

pub use encoding::{Encoding, Format};
pub use table::Rejection;

use crate::directory::Directory;
use crate::error::Error;
use blocks::{Block, BlockReader};
use rustc_hash::FxHashMap;
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use table::{BlockStats, TableSink};

/// A parsed block: its table, what else it held, and its newlines.
type Parsed = (Directory, BlockStats, u64);

/// How to read the inputs.
#[derive(Clone, Debug)]
pub struct ReadOptions {
    /// Force a format instead of detecting it.
    pub format: Option<Format>,
    /// Force an encoding instead of detecting it.
    pub encoding: Option<Encoding>,
    /// Bytes per parallel block.
    pub block_size: usize,
    /// A record (or csvde row) larger than this is rejected.
    pub max_record_bytes: usize,
    /// Compute each input's SHA-256 while reading (the workbook records it).
    pub sha256: bool,
    /// Bytes read so far, over all inputs, for a progress display.
    pub progress: Option<std::sync::Arc<std::sync::atomic::AtomicU64>>,
    /// Objects parsed (or rejected) so far, over all inputs, for a progress display.
    pub objects_progress: Option<std::sync::Arc<std::sync::atomic::AtomicU64>>,
    /// Keep the directory's text columns in mapped temporary files in this folder, which the
    /// system can page out (for inputs larger than the memory available).
    pub spill_dir: Option<PathBuf>,
    /// Keep each group's `member` values (hashed) and the references they make into other
    /// domains. Only Cloud Sync's model reads them (`--include-group`, the cross-forest
    /// references it drops); without them a group's members are only counted, which spared
    /// about a tenth of the reading of an export with groups.
    pub member_values: bool,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            format: None,
            encoding: None,
            block_size: 4 << 20,
            max_record_bytes: 64 << 20,
            sha256: false,
            progress: None,
            objects_progress: None,
            spill_dir: None,
            member_values: true,
        }
    }
}

/// Rejections kept per file for the report (all are counted).
pub const MAX_KEPT_REJECTIONS: usize = 10_000;

/// What reading one input produced.
#[derive(Clone, Debug, Default, Serialize)]
pub struct FileReport {
    pub path: String,
    pub format: Option<Format>,
    pub encoding: Option<Encoding>,
    pub bom: bool,
    /// Bytes read from disk.
    pub bytes: u64,
    /// SHA-256 of the file, when asked for.
    pub sha256: Option<String>,
    /// Objects parsed into the directory.
    pub objects: u64,
    /// Records rejected (each has a line and a reason; the first ones are kept).
    pub rejected: u64,
    #[serde(skip)]
    pub rejections: Vec<Rejection>,
    /// ldapsearch `search:`/`result:` trailer records (not objects, not errors).
    pub search_trailers: u64,
    /// Records without `dn:` such as referrals (not objects, not errors).
    pub records_without_dn: u64,
    /// Values that were not valid in the file's encoding and were decoded with replacements.
    pub lossy_values: u64,
    /// Values that could not be interpreted (a non-numeric groupType, a GUID of the wrong length …).
    pub malformed_values: u64,
    /// Attribute name (as first spelled) → number of objects having it.
    pub attributes: BTreeMap<String, u64>,
    /// Rows of the directory that came from this file.
    #[serde(skip)]
    pub rows: std::ops::Range<usize>,
    /// Set when the file could not be read at all (or stopped being readable part-way), or
    /// when it holds text but no object could be read from it.
    pub error: Option<String>,
    /// What the reader had to guess or retry (read as the other format …), to be said loudly.
    pub warnings: Vec<String>,
    /// Attributes whose values the file does not hold although it has their column: a
    /// PowerShell export wrote a type name in their place (its warning says so and how to
    /// keep them; they are not also reported as missing from the export).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub lost_attributes: Vec<&'static str>,
}

impl FileReport {
    /// Records read: parsed plus rejected.
    pub fn read(&self) -> u64 {
        self.objects + self.rejected
    }

    fn add_rejections(&mut self, rejections: Vec<Rejection>) {
        self.rejected += rejections.len() as u64;
        let room = MAX_KEPT_REJECTIONS.saturating_sub(self.rejections.len());
        self.rejections.extend(rejections.into_iter().take(room));
    }
}

/// The directory and what reading each input found.
#[derive(Debug, Default)]
pub struct Ingest {
    pub directory: Directory,
    pub files: Vec<FileReport>,
    /// Where the text columns were spilled (see [`ReadOptions::spill_dir`]), or why not.
    pub spill: Option<Result<PathBuf, String>>,
}

impl Ingest {
    pub fn objects_read(&self) -> u64 {
        self.files.iter().map(FileReport::read).sum()
    }

    pub fn objects_rejected(&self) -> u64 {
        self.files.iter().map(|f| f.rejected).sum()
    }

    /// Files that could not be read.
    pub fn failed_files(&self) -> impl Iterator<Item = &FileReport> {
        self.files.iter().filter(|f| f.error.is_some())
    }
}

/// Reads an LDIF text through the real reader, from a temporary file (for tests).
#[cfg(test)]
pub(crate) fn read_ldif_text(ldif: &str) -> Ingest {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("in.ldf");
    std::fs::write(&path, ldif).expect("write");
    read_files(&[path], &ReadOptions::default())
}

/// Reads every input into one directory (several domains or forests become one table with a
/// source column). A file that can't be read is reported, and the others are still read.
pub fn read_files(paths: &[PathBuf], options: &ReadOptions) -> Ingest {
    let mut ingest = Ingest::default();
    if let Some(dir) = &options.spill_dir {
        ingest.spill = Some(match Directory::spilled_to(dir) {
            Ok(directory) => {
                ingest.directory = directory;
                Ok(dir.clone())
            }
            Err(e) => Err(format!("cannot spill to {}: {e}", dir.display())),
        });
    }
    for (index, path) in paths.iter().enumerate() {
        let display = path.display().to_string();
        ingest.directory.sources.push(display.clone());
        let start = ingest.directory.len();
        let mut report = FileReport {
            path: display,
            ..FileReport::default()
        };
        let file_index = u16::try_from(index).unwrap_or(u16::MAX);
        let result = read_file(
            path,
            file_index,
            options,
            &mut ingest.directory,
            &mut report,
        );
        report.rows = start..ingest.directory.len();
        report.objects = report.rows.len() as u64;
        let empty = result.is_ok() && report.format.is_none();
        let retry = match &result {
            Ok(()) => report.objects == 0 && !empty,
            Err(Error::BadHeader { .. } | Error::UnknownFormat { .. }) => true,
            Err(_) => false,
        };
        // Nothing in the detected format: the other one is tried (from the start, so a
        // regular file only), and what happened is said either way.
        let detected = report.format.or(Format::of_name(path));
        let snapshot = report.format == Some(Format::Adexplorer);
        if retry && !snapshot && options.format.is_none() && path.is_file() {
            let other = detected.map_or(Format::Ldif, Format::other);
            let mut second = FileReport {
                path: report.path.clone(),
                ..FileReport::default()
            };
            // The first reading went through the whole file when it has a digest: the retry
            // reads the same bytes, so it does not hash them again.
            let digest = report.sha256.clone();
            let forced = ReadOptions {
                format: Some(other),
                sha256: options.sha256 && digest.is_none(),
                ..options.clone()
            };
            let again = read_file(
                path,
                file_index,
                &forced,
                &mut ingest.directory,
                &mut second,
            );
            second.rows = start..ingest.directory.len();
            second.objects = second.rows.len() as u64;
            if digest.is_some() {
                second.sha256 = digest;
            }
            if second.objects > 0 {
                second.warnings.push(format!(
                    "{}: read as {} after nothing could be read as {}{}; check the file, or use --format",
                    report.path,
                    other.name(),
                    detected.map_or("the detected format", Format::name),
                    match &result {
                        Err(e) => format!(" ({e})"),
                        Ok(()) => String::new(),
                    },
                ));
                if let Err(e) = again {
                    second.error = Some(e.to_string());
                }
                ingest.files.push(second);
                continue;
            }
            // Keep the first reading's account (with the retry's digest if only the retry read
            // the whole file); the retry's rows, if any, are dropped.
            ingest.directory.truncate(start);
            report.sha256 = second.sha256;
        }
        match result {
            Err(e) => report.error = Some(e.to_string()),
            Ok(()) if report.objects == 0 && !empty => {
                report.error = Some(
                    Error::NoObjects {
                        path: path.to_path_buf(),
                        format: report.format.map_or("any format", Format::name),
                        rejected: report.rejected,
                        tried: if retry && !snapshot && options.format.is_none() && path.is_file() {
                            format!(
                                "; nothing as {} either",
                                report.format.map_or(Format::Ldif, Format::other).name()
                            )
                        } else {
                            String::new()
                        },
                    }
                    .to_string(),
                )
            }
            Ok(()) => {}
        }
        ingest.files.push(report);
    }
    ingest
}

/// How the records of a file are read, from its header.
enum Header {
    Csvde(csvde::CsvHeader),
    Powershell(powershell::Header),
    Ldif,
}

fn read_file(
    path: &Path,
    file_index: u16,
    options: &ReadOptions,
    directory: &mut Directory,
    report: &mut FileReport,
) -> Result<(), Error> {
    let open_error = |source| Error::Open {
        path: path.to_path_buf(),
        source,
    };
    if path.is_dir() {
        return Err(Error::IsDirectory(path.to_path_buf()));
    }
    let mut file = std::fs::File::open(path).map_err(open_error)?;
    let read_error = |source| Error::Read {
        path: path.to_path_buf(),
        source,
    };

    // Detect the encoding from the first megabyte.
    let mut sample = Vec::with_capacity(1 << 20);
    (&mut file)
        .take(1 << 20)
        .read_to_end(&mut sample)
        .map_err(read_error)?;
    if options.format == Some(Format::Adexplorer)
        || (options.format.is_none() && adexplorer::is_snapshot(&sample))
    {
        drop(file);
        return adexplorer::read_file(path, file_index, options, directory, report);
    }
    let complete = sample.len() < 1 << 20;
    let detected = encoding::detect_encoding(&sample, complete);
    let (enc, bom_len) = match options.encoding {
        Some(forced) => {
            let bom = encoding::detect_encoding(&sample, complete);
            (
                forced,
                if bom.encoding == forced {
                    bom.bom_len
                } else {
                    0
                },
            )
        }
        None => (detected.encoding, detected.bom_len),
    };
    report.encoding = Some(enc);
    report.bom = bom_len > 0;

    let mut reader = BlockReader::new(
        file,
        &sample[bom_len..],
        enc.decoder(),
        Format::Ldif,
        options.block_size,
        options.max_record_bytes,
    );
    reader.bytes_read = sample.len() as u64;
    if options.sha256 {
        reader.start_digest(&sample, bom_len);
    }
    if let Some(progress) = &options.progress {
        progress.fetch_add(sample.len() as u64, std::sync::atomic::Ordering::Relaxed);
        reader.progress = Some(progress.clone());
    }
    let format = match options.format {
        Some(f) => f,
        None => {
            let head = reader.peek(64 << 10).map_err(read_error)?;
            if head.iter().all(u8::is_ascii_whitespace) {
                // An empty file: nothing to read, nothing lost; it still has a digest.
                if reader.read_rest().map_err(read_error)? {
                    report.bytes = reader.bytes_read;
                    report.sha256 = reader.finish_digest();
                    return Ok(());
                }
                return Err(Error::UnknownFormat {
                    path: path.to_path_buf(),
                    start: "64 KiB of blank space and text after it".into(),
                });
            }
            encoding::guess_format(Format::of_name(path), head).ok_or_else(|| {
                Error::UnknownFormat {
                    path: path.to_path_buf(),
                    start: ldif::preview(head),
                }
            })?
        }
    };
    report.format = Some(format);
    reader.set_format(format);

    let bad_header = |reason| Error::BadHeader {
        path: path.to_path_buf(),
        reason,
    };
    let header = match format {
        Format::Csvde => {
            let first = reader.take_first_record().map_err(read_error)?;
            Header::Csvde(csvde::CsvHeader::parse(&first).map_err(bad_header)?)
        }
        Format::PowershellCsv => {
            let mut first = reader.take_first_record().map_err(read_error)?;
            let mut type_line = None;
            if powershell::is_type_line(first.trim_ascii_end()) {
                type_line = Some(first.trim_ascii_end().to_vec());
                first = reader.take_first_record().map_err(read_error)?;
            }
            Header::Powershell(
                powershell::Header::parse(type_line.as_deref(), &first).map_err(bad_header)?,
            )
        }
        Format::Ldif | Format::Adexplorer => Header::Ldif,
    };

    // The size of the last block's table: the next one is given that room up front.
    let last_size = std::sync::Mutex::new(None);
    let parse = |block: Block, recycle: &std::sync::mpsc::Sender<std::sync::Arc<Vec<u8>>>| {
        let room = last_size.lock().ok().and_then(|size| *size);
        let mut sink =
            TableSink::with_room(file_index, room.as_ref()).member_values(options.member_values);
        let mut notes = None;
        let newlines = match &header {
            Header::Csvde(h) => csvde::scan(&block.data, block.first_line, h, &mut sink),
            Header::Powershell(h) => {
                let mut ps = powershell::Sink::new(&mut sink, h);
                let newlines = csvde::scan(&block.data, block.first_line, &h.csv, &mut ps);
                notes = Some(ps.finish());
                newlines
            }
            Header::Ldif => ldif::scan(&block.data, block.first_line, &mut sink),
        };
        let _ = recycle.send(block.data);
        let (table, mut stats) = sink.finish();
        if let Ok(mut size) = last_size.lock() {
            *size = Some(table.size());
        }
        stats.powershell = notes.unwrap_or_default();
        if let Some(objects) = &options.objects_progress {
            let n = table.len() + stats.rejections.len();
            objects.fetch_add(n as u64, std::sync::atomic::Ordering::Relaxed);
        }
        if !block.rejections.is_empty() {
            let mut all = block.rejections;
            all.append(&mut stats.rejections);
            stats.rejections = all;
        }
        (table, stats, newlines)
    };

    let mut attributes: FxHashMap<Box<[u8]>, (String, u64)> = FxHashMap::default();
    let mut notes = powershell::Notes::default();
    // Newlines of the blocks merged so far: each block's lines were counted from the lines
    // the reader took itself (see `Block::first_line`), and are placed here, in order.
    let mut lines_before = 0u64;
    let mut merge = |parsed: Parsed, directory: &mut Directory| {
        let (mut table, mut stats, newlines) = parsed;
        for source in &mut table.source {
            source.line += lines_before;
        }
        for rejection in &mut stats.rejections {
            rejection.move_down(lines_before);
        }
        if let Some(line) = &mut stats.powershell.first_question_line {
            *line += lines_before;
        }
        lines_before += newlines;
        notes.merge(stats.powershell);
        directory.append(table);
        report.add_rejections(stats.rejections);
        report.search_trailers += stats.search_trailers;
        report.records_without_dn += stats.records_without_dn;
        report.lossy_values += stats.lossy_values;
        report.malformed_values += stats.malformed_values;
        for (lower, name, count) in stats.attributes {
            attributes.entry(lower).or_insert((name, 0)).1 += count;
        }
    };

    // The reader thread cuts blocks while the pool's threads parse them and append them in
    // file order ([`ordered`]).
    let threads = rayon::current_num_threads().max(1);
    // Blocks between the reader and the append, at most (being cut, queued, being parsed,
    // parsed and waiting, being appended): two a thread. With three or four a thread the 1M
    // field shape's csvde `inspect` was no faster (817-830 ms against 830 ms) and the full
    // run's peak 10-25 MB higher.
    let in_flight = threads * 2;
    let outcome = std::thread::scope(|scope| {
        let (recycle, recycled) = std::sync::mpsc::channel::<std::sync::Arc<Vec<u8>>>();
        let (mut feeder, items) = ordered::channel(in_flight);
        let reader_thread = scope.spawn(move || {
            loop {
                while let Ok(buffer) = recycled.try_recv() {
                    reader.recycle(buffer);
                }
                if !feeder.wait_for_room() {
                    // The append stopped (a panic); after a read error the reader has
                    // stopped already.
                    break;
                }
                // A failed read takes the place after the last block, and is the last.
                let next = match reader.next_block() {
                    Ok(Some(block)) => Ok(block),
                    Ok(None) => break,
                    Err(e) => Err(e),
                };
                let failed = next.is_err();
                if !feeder.send(next) || failed {
                    break;
                }
            }
            let digest = reader.finish_digest();
            (reader.bytes_read, reader.replacements, digest)
        });
        let mut failure = None;
        ordered::parse_in_order(
            items,
            threads,
            |block: std::io::Result<Block>| block.map(|block| parse(block, &recycle)),
            |parsed| match parsed {
                Ok(parsed) => {
                    merge(parsed, directory);
                    std::ops::ControlFlow::Continue(())
                }
                // The read that failed was the reader's last: the blocks before it are
                // appended, and the failure is the file's.
                Err(e) => {
                    failure = Some(e);
                    std::ops::ControlFlow::Break(())
                }
            },
        );
        // A panic on the reader thread is a bug, not a shorter file: it is passed on.
        let (bytes, replacements, digest) = reader_thread
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (failure, bytes, replacements, digest)
    });
    let (failure, bytes, replacements, digest) = outcome;
    report.bytes = bytes;
    // A digest of part of the file (reading failed half-way) would pass for the file's.
    report.sha256 = digest.filter(|_| failure.is_none());
    report.lossy_values += replacements;
    report.attributes = attributes.into_values().collect();
    if format == Format::PowershellCsv {
        let said = powershell::warnings(&notes, report.encoding, report.bom);
        report
            .warnings
            .extend(said.into_iter().map(|w| format!("{}: {w}", report.path)));
        report.lost_attributes = notes.lost.iter().map(|l| l.0.ldap_name()).collect();
    }
    match failure {
        Some(source) => Err(Error::Read {
            path: path.to_path_buf(),
            source,
        }),
        None => Ok(()),
    }
}
