//! `synclint analyze`: runs the library's pipeline, writes the outputs asked for, prints the
//! outcome and chooses the exit status.

use super::args::{AnalyzeArgs, CsvBom, FailOn, RuleArgs};
use super::progress::Bars;
use super::{count, plan_memory, thousands, verified_domains};
use anyhow::Result;
use std::process::ExitCode;
use std::time::{Duration, Instant};
use synclint::analyze::Timings;
use synclint::findings::Severity;
use synclint::ingest::{Ingest, ReadOptions};
use synclint::output::{folder_of, write_file_atomically, Output, PendingOutput};
use synclint::progress::{Counters, Observer, Stage};
use synclint::redact::Redactor;
use synclint::rules::{Profile, RuleOptions};

pub fn run(args: &AnalyzeArgs) -> Result<ExitCode> {
    let started = Instant::now();
    let files = &args.files;
    let mut rule_options = rule_options(&args.rules)?;
    // --engine-diff reuses the duplicates' value index of the run.
    rule_options.keep_index = args.engine_diff;
    // The tenant inputs are read on their own thread while the exports are read (joined
    // before the rules run), so that their reading adds little to the analysis.
    let tenant_reader = (!args.tenant.is_empty()).then(|| {
        let paths = args.tenant.clone();
        std::thread::spawn(move || synclint::tenant::read_files(&paths))
    });
    let with_tenant = move |options: &mut RuleOptions| {
        let Some(reader) = tenant_reader else {
            return;
        };
        let tenant = match reader.join() {
            Ok(tenant) => tenant,
            Err(panic) => std::panic::resume_unwind(panic),
        };
        // The tenant's verified domains replace the routability heuristic (added to any
        // given with --verified-domain).
        if let Some(verified) = tenant.verified_domains() {
            options
                .verified_domains
                .get_or_insert_with(Default::default)
                .extend(verified);
        }
        options.tenant = Some(std::sync::Arc::new(tenant));
    };
    let scope_options = args.rules.scope();
    let workbook = args.workbook_path();
    let spill_dir = args
        .read
        .spill_dir
        .as_deref()
        .unwrap_or(folder_of(&workbook));
    let plan = plan_memory(files, args.read.spill, spill_dir);
    let read_options = ReadOptions {
        // The inputs' SHA-256 is the workbook's (its Summary, and the context `fix` checks the
        // inputs against); no other output shows it. Without a workbook it is not worked out:
        // hashing took 0.68 of the whole run's 7.95 CPU seconds (perf, 1M objects, 1.15 GB of
        // csvde, workbook and JSON).
        sha256: !args.no_workbook,
        // Group members are read value by value only where Cloud Sync's model needs them.
        member_values: rule_options.engine == synclint::anchor::Engine::CloudSync
            || args.engine_diff
            || !scope_options.include_group.is_empty(),
        ..args.read.options(plan.spill_dir)
    };
    let mut bars = Bars::new(args.quiet);
    let mut analysis = synclint::analyze::run_observed_then(
        files,
        &read_options,
        &scope_options,
        rule_options,
        &mut bars,
        with_tenant,
    );
    if args.engine_diff && analysis.nothing_analyzed().is_none() {
        synclint::analyze::compare_engines(&mut analysis, &scope_options);
    }
    // Not needed past the comparison: freed before the outputs are written.
    analysis.index = None;
    if let Some(Err(why)) = &analysis.ingest.spill {
        eprintln!("synclint: warning: {why}; the directory is kept in memory");
    }
    if let Some(why) = analysis.ingest.directory.spill_failure() {
        eprintln!("synclint: warning: {why}");
    }
    // Errors and warnings first, the one-line result last.
    let unreadable = analysis.ingest.failed_files().count();
    for f in analysis.ingest.failed_files() {
        eprintln!("synclint: {}", f.error.as_deref().unwrap_or_default());
    }
    for w in &analysis.warnings {
        eprintln!("synclint: warning: {w}");
    }
    // Readiness said of part of an export (or of none) would read as a result.
    let unread = analysis.no_input_read();
    if let Some(readiness) = &analysis.readiness {
        if !args.quiet && !unread {
            for f in &readiness.features {
                eprintln!("synclint: readiness: {}", f.line());
            }
        }
    }
    print_rejections(&analysis.ingest);
    if let Some(why) = analysis.nothing_analyzed() {
        let read = analysis.ingest.objects_read();
        if unread {
            // The objects read before reading stopped were never checked: not "analyzed".
            let before = (read > 0).then(|| {
                format!(
                    "; {} read before it stopped, {} rejected",
                    count(read as usize, "object was", "objects were"),
                    thousands(analysis.ingest.objects_rejected() as usize)
                )
            });
            eprintln!(
                "synclint: nothing was analyzed ({why}{}); no workbook or summary written",
                before.unwrap_or_default()
            );
        } else {
            eprintln!(
                "synclint: {}: nothing was analyzed ({why}); no workbook or summary written",
                objects_line(
                    read,
                    analysis.scope.analyzed(),
                    analysis.scope.out_of_scope(),
                    analysis.ingest.objects_rejected()
                )
            );
        }
        return Ok(ExitCode::from(2));
    }
    analysis.redactor = args.redact.then(|| match &args.redact_key {
        Some(key) => Redactor::with_key(key),
        None => Redactor::random(),
    });
    // The JSON's items are made while it is written; a baseline comparison keeps their ids.
    let mut items = synclint::baseline::FindingItems::new(
        &analysis.ingest.directory,
        &analysis.findings,
        analysis.redactor.as_ref(),
    );
    if let Some(path) = &args.baseline {
        let previous = synclint::baseline::load(path)?;
        let changes =
            synclint::baseline::compare(&path.display().to_string(), &mut items, &previous);
        analysis.changes = Some(changes);
    }
    let items = synclint::report::summary::Items::Findings(items);
    // The JSON, when its items were rendered beside the workbook (see below), with the
    // room left before them for the figures.
    let mut items_written: Option<(
        PendingOutput,
        u64,
        std::thread::JoinHandle<std::io::Result<()>>,
    )> = None;
    if !args.no_workbook {
        let counters = Counters::default();
        bars.started(Stage::Workbook, analysis.findings.len() as u64, &counters);
        let t = Instant::now();
        let mut context =
            synclint::context::AnalysisContext::new(&analysis.options, &scope_options);
        context.format = args.read.format;
        context.encoding = args.read.encoding;
        context.max_record_bytes = args.read.max_record_bytes;
        let workbook_options = synclint::report::workbook::WorkbookOptions {
            progress: Some(counters.done),
            context: Some(context),
            ..Default::default()
        };
        // With a JSON too, its items are rendered into its temporary file while the workbook
        // is written (the workbook leaves a core idle part of the time), after room for the
        // figures, which wait for the workbook's time. On one thread there is nothing to
        // overlap: the JSON is written after, as it was; so is a JSON that is a device.
        let beside = args
            .json
            .as_deref()
            .filter(|_| rayon::current_num_threads() > 1)
            .and_then(
                |path| match synclint::output::begin_atomically(path, files) {
                    Ok(Output::Pending(pending)) => Some(pending),
                    // An error is reported when the JSON is written the usual way.
                    Ok(Output::InPlace(_)) | Err(_) => None,
                },
            );
        let (written, beside) = rayon::join(
            || synclint::report::workbook::write(&analysis, &workbook, files, &workbook_options),
            || {
                beside.map(|mut pending| {
                    use std::io::{Seek, SeekFrom};
                    // The figures as they are now: only the workbook's time will change.
                    let provisional = synclint::report::summary::Summary::build(
                        &analysis,
                        synclint::report::summary::Items::default(),
                    );
                    let reserve = provisional.head_len()? + HEAD_ROOM;
                    pending.file().seek(SeekFrom::Start(reserve))?;
                    items.write_json(pending.file())?;
                    // The items go to disk while the workbook is finished, on a thread of
                    // their own that waits on the disk (not on a rayon worker): the last
                    // flush then has only the figures to write (0.17 s less on the 1M field
                    // shape's 450 MB JSON). Its failure shows in that last flush.
                    let flushing = pending.file().try_clone()?;
                    let flushing = std::thread::spawn(move || flushing.sync_data());
                    Ok::<_, std::io::Error>((pending, reserve, flushing))
                })
            },
        );
        bars.finished(Stage::Workbook);
        written?;
        analysis.timings.workbook = t.elapsed();
        if let (Some(path), Some(beside)) = (&args.json, beside) {
            items_written = Some(beside.map_err(|source| synclint::Error::Write {
                path: path.clone(),
                source,
            })?);
        }
    }
    let t = Instant::now();
    let summary = synclint::report::summary::Summary::build(&analysis, items);
    if let Some(path) = &args.json {
        let error = |source| synclint::Error::Write {
            path: path.clone(),
            source,
        };
        match items_written {
            Some((mut pending, reserve, flushing)) => {
                let _ = flushing.join();
                if summary
                    .write_head_over(pending.file(), reserve)
                    .map_err(error)?
                {
                    pending.finish()?;
                } else {
                    // The figures outgrew their room: written before a copy of the items.
                    write_file_atomically(path, files, |file| {
                        summary.write_json_with(file, pending.file(), reserve)
                    })?;
                }
            }
            // The file itself, not a `BufWriter`: the items come in megabytes at a time,
            // from a writer thread (so the writer must be `Send`).
            None => write_file_atomically(path, files, |file| summary.write_json(file))?,
        }
    }
    if let Some(dir) = &args.csv_dir {
        synclint::report::csv::write_dir(&analysis, dir, files, args.csv_bom == CsvBom::Always)?;
    }
    if args.timings {
        print_timings(
            &analysis.timings,
            analysis.engine_diff.as_ref().map(|d| d.time),
            t.elapsed(),
            started.elapsed(),
        );
    }
    let o = &summary.objects;
    let by = &summary.findings.by_severity;
    let written = if args.no_workbook {
        "no workbook".to_string()
    } else {
        format!("workbook {}", workbook.display())
    };
    let severity = |s: &str| *by.get(s).unwrap_or(&0);
    eprintln!(
        "synclint: {}: {} ({}, {}, {} info); {written}",
        objects_line(o.read, o.analyzed, o.out_of_scope, o.rejected),
        count(summary.findings.total as usize, "finding", "findings"),
        count(severity("error") as usize, "error", "errors"),
        count(severity("warning") as usize, "warning", "warnings"),
        thousands(severity("info") as usize),
    );
    if let Some(t) = &analysis.tenant {
        let outcomes: Vec<String> = t
            .counts
            .iter()
            .filter(|(_, n)| **n > 0)
            .map(|(o, n)| format!("{} {o}", thousands(*n as usize)))
            .collect();
        eprintln!("synclint: tenant matching: {}", outcomes.join(", "));
    }
    if unreadable > 0 {
        eprintln!(
            "synclint: {} could not be read (see above): exit status 2",
            count(unreadable, "input", "inputs")
        );
        return Ok(ExitCode::from(2));
    }
    let failed = fail_threshold(args.fail_on).is_some_and(|s| analysis.count_at_least(s) > 0);
    // The process ends now: freeing a million findings and the directory one allocation at a
    // time would only delay the exit (the system reclaims it all at once; spill files are
    // unnamed and go with it).
    std::mem::forget(summary);
    std::mem::forget(analysis);
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Room left before the JSON's items for the figures beyond their provisional length: only
/// the workbook's time changes (from 0), and a `u128` of milliseconds has at most 39 digits.
const HEAD_ROOM: u64 = 39;

/// The rule options given (reading `--verified-domains`).
fn rule_options(args: &RuleArgs) -> Result<RuleOptions> {
    let verified = verified_domains(args)?;
    Ok(RuleOptions {
        profile: args.profile.unwrap_or(Profile::Entra),
        verified_domains: (!verified.is_empty()).then(|| verified.into_iter().collect()),
        suffix_map: args.suffix_pairs()?,
        engine: args.engine.unwrap_or_default(),
        tenant: None,
        readiness: synclint::rules::readiness::ReadinessOptions {
            enabled: !args.no_readiness,
            as_of: match &args.as_of {
                None => None,
                Some(text) => Some(synclint::time::parse_as_of(text).ok_or_else(|| {
                    anyhow::anyhow!(
                        "--as-of {text:?}: not a date (2026-12-02) or a time (2026-12-02T12:00:00Z)"
                    )
                })?),
            },
        },
        keep_index: false,
    })
}

/// The least severity that makes `analyze` exit with status 1.
fn fail_threshold(fail_on: FailOn) -> Option<Severity> {
    match fail_on {
        FailOn::Error => Some(Severity::Error),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Info => Some(Severity::Info),
        FailOn::Never => None,
    }
}

/// `10,000 objects read (9,529 analyzed, 470 out of scope, 1 rejected)`.
fn objects_line(read: u64, analyzed: u64, out_of_scope: u64, rejected: u64) -> String {
    format!(
        "{} read ({} analyzed, {} out of scope, {} rejected)",
        count(read as usize, "object", "objects"),
        thousands(analyzed as usize),
        thousands(out_of_scope as usize),
        thousands(rejected as usize)
    )
}

/// Rejected records shown on the console (all of them are on the Input problems sheet).
const REJECTIONS_PRINTED: usize = 5;

/// The first rejected records as `file:line: reason`.
fn print_rejections(ingest: &Ingest) {
    let mut shown = 0;
    for f in &ingest.files {
        for r in f.rejections.iter().take(REJECTIONS_PRINTED - shown) {
            eprintln!("synclint: {}:{}: rejected: {}", f.path, r.line, r.reason);
            shown += 1;
        }
    }
    let total = ingest.objects_rejected();
    if total > shown as u64 {
        eprintln!(
            "synclint: … and {} more rejected (Input problems sheet)",
            thousands((total - shown as u64) as usize)
        );
    }
}

/// `--timings`: one line per stage, for benchmarks and batch logs.
fn print_timings(t: &Timings, engine_diff: Option<Duration>, outputs: Duration, total: Duration) {
    let stages = [
        ("read", Some(t.read)),
        ("scope", Some(t.scope)),
        ("rules", Some(t.rules)),
        ("collisions", Some(t.collisions)),
        ("suggest", Some(t.suggest)),
        ("tenant", Some(t.tenant)),
        ("engine diff", engine_diff),
        ("workbook", Some(t.workbook)),
        ("json+csv", Some(outputs)),
        ("total", Some(total)),
    ];
    let stages = stages.into_iter().filter_map(|(n, d)| Some((n, d?)));
    for (name, d) in stages {
        eprintln!("synclint: time {name:<11} {:>8.3} s", d.as_secs_f64());
    }
    if let Some(bytes) = synclint::memory::peak_rss_bytes() {
        eprintln!("synclint: peak memory {:>9} MB", bytes >> 20);
    }
}
