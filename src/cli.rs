//! The command line: argument parsing, friendly errors, exit codes. The work is in the library.

use crate::findings::Severity;
use crate::generate::{self, GenerateOptions};
use crate::ingest::{self, Encoding, Format, ReadOptions};
use crate::inspect::InspectReport;
use crate::output::{folder_of, write_atomically};
use crate::progress::Stage;
use crate::rules::registry;
use crate::rules::{Profile, RuleOptions};
use crate::scope::ScopeOptions;
use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// `synclint --version`: the crate's version and the commit it was built from (build.rs).
pub const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (",
    env!("SYNCLINT_COMMIT"),
    ")"
);

#[derive(Parser, Debug)]
#[command(
    name = "synclint",
    version = VERSION,
    about = "Finds what Entra ID / Microsoft 365 directory sync would reject or degrade, offline, from csvde or ldifde exports.",
    after_help = "Examples:\n  synclint analyze samples/contoso.ldf samples/fabrikam.csv --json summary.json --csv-dir findings\n  synclint analyze export.csv --verified-domain contoso.com --suffix-map contoso.local=contoso.com\n  synclint rules            (list every rule)\n  synclint rules SL101      (explain one)\n  synclint inspect export1.csv export2.ldf --json\n  synclint help export      (how to make the export: csvde/ldifde command lines)\n  synclint generate --objects 1000000 --format csvde -o big.csv\n\nExit status: 0 success (analyze: nothing at or above --fail-on), 1 findings at or above --fail-on, 2 usage error or unreadable input."
)]
pub struct Cli {
    /// Worker threads for parsing (default: one per core).
    #[arg(long, global = true)]
    pub threads: Option<usize>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run every rule over the exports and report what sync would reject or degrade.
    #[command(
        after_help = "Examples:\n  synclint analyze samples/contoso.ldf samples/fabrikam.csv --json summary.json --csv-dir findings\n  synclint analyze forest1.ldf forest2.ldf --verified-domains domains.txt --fail-on warning\n  synclint analyze export.csv --exclude-ou OU=Disabled,DC=contoso,DC=com --suffix-map contoso.local=contoso.com\n  synclint analyze export.csv --profile idfix-dedicated\n  synclint analyze tonight.ldf --no-workbook --json tonight.json --baseline last-night.json\n  synclint analyze huge.ldf --spill always --spill-dir /var/tmp\n\nExit status: 0 nothing at or above --fail-on, 1 something was, 2 usage error, unreadable input, or nothing analyzed (then nothing is written)."
    )]
    Analyze(Box<AnalyzeArgs>),
    /// Turn a reviewed workbook into an LDIF change file for `ldifde -i` (and an undo file).
    #[command(
        after_help = "Examples:\n  synclint fix reviewed.xlsx -o changes.ldf --undo undo.ldf\n  synclint fix reviewed.xlsx -o changes.ldf --export dc1.ldf dc2.csv --strict\n\nOnly rows whose Action a reviewer set are changed: EDIT writes the Update column, REMOVE deletes the value; empty, COMPLETE and IGNORE change nothing. The Recommended column is never acted on.\nThe analysis's options (profile, verified domains, suffix map, OU filters) and exports are recorded in the workbook and used here.\nRefused rows are summed up here and listed in CHANGES-refused.csv beside the change file.\nExit status: 0 written (also when rows were refused), 1 refused rows with --strict (nothing written), 2 usage error or unreadable input."
    )]
    Fix(Box<FixArgs>),
    /// List the rules, or explain one (by code or slug).
    #[command(
        after_help = "Examples:\n  synclint rules\n  synclint rules SL801\n  synclint rules upn-invalid-character\n  synclint rules --attributes   (the -l list for csvde/ldifde)"
    )]
    Rules {
        /// A rule code (SL101) or slug.
        rule: Option<String>,
        /// Print the attributes an export must hold, comma-separated: the -l list for csvde
        /// and ldifde (see `synclint help export`).
        #[arg(long, conflicts_with = "rule")]
        attributes: bool,
        /// Print every rule's documentation as Markdown (docs/rules.md is this output).
        #[arg(long, conflicts_with_all = ["rule", "attributes"])]
        markdown: bool,
    },
    /// How to make the export: csvde and ldifde command lines for a domain, several domains,
    /// a forest (global catalog) or a huge directory.
    #[command(after_help = crate::guide::export_guide("contoso.com"))]
    Export {
        /// Your domain's DNS name, to fill in the command lines.
        #[arg(long, value_name = "DNS NAME", default_value = "contoso.com")]
        domain: String,
    },
    /// Show what exports hold: format, encoding, objects by class, rejected records, attributes.
    #[command(
        after_help = "Examples:\n  synclint inspect samples/contoso.ldf samples/fabrikam.csv\n  synclint inspect export.csv --json > inspect.json\n  synclint inspect odd.txt --format ldif --encoding windows-1252"
    )]
    Inspect {
        /// csvde (.csv) or ldifde (.ldf) exports, or AD Explorer snapshots (.dat); several domains or forests may be given.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        read: ReadArgs,
    },
    /// Write a synthetic export (users, groups, contacts, computers) for tests and demos.
    #[command(
        after_help = "Examples:\n  synclint generate --objects 1000 -o demo.ldf\n  synclint generate --objects 1000000 --format csvde --encoding utf-16le --seed 7 -o big.csv"
    )]
    Generate {
        /// Output file.
        #[arg(short, long)]
        output: PathBuf,
        /// Number of objects.
        #[arg(long, default_value_t = 1000)]
        objects: u64,
        /// Random seed (the same seed gives the same file).
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long, value_enum, default_value_t = Format::Ldif)]
        format: Format,
        /// utf-8 or utf-16le (what csvde/ldifde -u write).
        #[arg(long, value_enum, default_value_t = Encoding::Utf8)]
        encoding: Encoding,
        /// Number of domains to spread objects over (1-4).
        #[arg(long, default_value_t = 3)]
        domains: usize,
        /// Plant known sync problems at fixed intervals (duplicates, collisions, invalid values).
        #[arg(long)]
        plant_issues: bool,
        /// Names as real directories have them: every 5th user named "Last, First", OUs with
        /// characters a DN escapes, replication-conflict (CNF) copies of some users.
        #[arg(long)]
        escaped_names: bool,
    },
}

/// Arguments of `analyze`.
#[derive(Args, Debug)]
pub struct AnalyzeArgs {
    /// csvde or ldifde exports, or AD Explorer snapshots; several domains or forests are analyzed as one directory.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// The workbook to write (default: <first input's name>-synclint.xlsx in the current folder).
    #[arg(short, long, value_name = "REPORT.xlsx")]
    pub output: Option<PathBuf>,
    /// Write no workbook: for a nightly job that keeps the JSON summary (--json, --baseline)
    /// or only needs the exit status.
    #[arg(long, conflicts_with = "output")]
    pub no_workbook: bool,
    /// Write the JSON summary here.
    #[arg(long, value_name = "SUMMARY")]
    pub json: Option<PathBuf>,
    /// Write findings.csv and one CSV per class into this folder.
    #[arg(long, value_name = "DIR")]
    pub csv_dir: Option<PathBuf>,
    /// Start the CSVs with a UTF-8 byte order mark, so Excel and Windows PowerShell 5.1 read
    /// non-ASCII names right (`never` for pipelines that dislike it).
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = CsvBom::Always)]
    pub csv_bom: CsvBom,
    /// Compare with a previous run's --json summary: new, resolved and unchanged findings
    /// (summary and a Changes sheet).
    #[arg(long, value_name = "PREVIOUS.json")]
    pub baseline: Option<PathBuf>,
    #[command(flatten)]
    pub rules: RuleArgs,
    /// Exit with status 1 when a finding of this severity or worse exists.
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    pub fail_on: FailOn,
    /// Pseudonymise personal values (names, account names, address local parts) in every
    /// output, keeping domains, value shapes and findings, so reports can be shared.
    #[arg(long)]
    pub redact: bool,
    /// Key for --redact: the same key gives the same pseudonyms in every run (default: random).
    #[arg(long, value_name = "KEY", requires = "redact")]
    pub redact_key: Option<String>,
    /// No progress display (it is shown only on a terminal anyway).
    #[arg(short, long)]
    pub quiet: bool,
    /// Print each stage's wall time, the total and the peak memory on stderr when done.
    #[arg(long)]
    pub timings: bool,
    #[command(flatten)]
    pub read: ReadArgs,
}

impl AnalyzeArgs {
    /// The workbook path: `-o`, or derived from the first input.
    pub fn workbook_path(&self) -> PathBuf {
        self.output.clone().unwrap_or_else(|| {
            let stem = self
                .files
                .first()
                .and_then(|f| f.file_stem())
                .map_or("synclint".into(), |s| s.to_string_lossy().into_owned());
            PathBuf::from(format!("{stem}-synclint.xlsx"))
        })
    }
}

/// Arguments of `fix`.
#[derive(Args, Debug)]
pub struct FixArgs {
    /// The workbook written by `analyze`, with Action (and Update) set by the reviewer.
    pub workbook: PathBuf,
    /// The LDIF change file to write.
    #[arg(short, long, value_name = "CHANGES.ldf")]
    pub output: PathBuf,
    /// Also write an LDIF file that restores the original values.
    #[arg(long, value_name = "UNDO.ldf")]
    pub undo: Option<PathBuf>,
    /// Check against these current exports, one or more after the flag (default: the inputs
    /// recorded in the workbook, found beside it or where they were, and unchanged).
    #[arg(long = "export", value_name = "FILE", num_args = 1..)]
    pub exports: Vec<PathBuf>,
    /// Fail, writing no change file (only the refused rows' CSV), if any row is refused.
    #[arg(long)]
    pub strict: bool,
    /// Print every change and every refused row (default: counts and the first few).
    #[arg(long)]
    pub list: bool,
    /// The analysis's options are recorded in the workbook and used; given here, each must
    /// agree with them.
    #[command(
        flatten,
        next_help_heading = "Analysis options (recorded in the workbook; given here, each must agree with it)"
    )]
    pub analysis: RuleArgs,
}

impl RuleArgs {
    /// The options given (each `None` when not given), for `fix` to compare with the
    /// analysis's.
    pub fn given(&self) -> Result<crate::context::GivenOptions> {
        let given_list = |v: &[String]| (!v.is_empty()).then(|| v.to_vec());
        let verified = (!self.verified_domain.is_empty() || self.verified_domains.is_some())
            .then(|| verified_list(&self.verified_domain, self.verified_domains.as_deref()))
            .transpose()?;
        Ok(crate::context::GivenOptions {
            profile: self.profile,
            verified_domains: verified,
            suffix_map: given_list(&self.suffix_map)
                .map(|m| suffix_pairs(&m))
                .transpose()?,
            include_ou: given_list(&self.include_ou),
            exclude_ou: given_list(&self.exclude_ou),
        })
    }
}

/// `--verified-domain` values and the lines of `--verified-domains FILE`, lower case.
fn verified_list(domains: &[String], file: Option<&Path>) -> Result<Vec<String>> {
    let mut verified: Vec<String> = domains.iter().map(|d| d.trim().to_lowercase()).collect();
    if let Some(path) = file {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        verified.extend(
            text.lines()
                .map(|l| l.split('#').next().unwrap_or("").trim().to_lowercase())
                .filter(|l| !l.is_empty()),
        );
    }
    Ok(verified)
}

/// `--suffix-map OLD=NEW` pairs (OLD lower case).
fn suffix_pairs(pairs: &[String]) -> Result<Vec<(String, String)>> {
    pairs
        .iter()
        .map(|pair| {
            let (old, new) = pair
                .split_once('=')
                .with_context(|| format!("--suffix-map takes OLD=NEW, got {pair:?}"))?;
            Ok((old.trim().to_lowercase(), new.trim().to_string()))
        })
        .collect()
}

/// When reading spills the directory's text columns to disk.
#[derive(Copy, Clone, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Spill {
    Auto,
    Always,
    Never,
}

/// Whether the findings CSVs start with a UTF-8 byte order mark.
#[derive(Copy, Clone, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum CsvBom {
    Always,
    Never,
}

/// When `analyze` exits with status 1.
#[derive(Copy, Clone, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Info,
    Never,
}

/// Options for the rules and the scope (`analyze`; `fix` reads them from the workbook).
#[derive(Args, Debug, Clone)]
pub struct RuleArgs {
    /// Rule set: Microsoft's current documentation (entra, the default), or IdFix's Dedicated
    /// rules.
    #[arg(long, value_enum)]
    pub profile: Option<Profile>,
    /// A domain verified in the tenant (repeatable); UPN suffixes outside the list are reported.
    #[arg(long = "verified-domain", value_name = "DOMAIN")]
    pub verified_domain: Vec<String>,
    /// A file of verified domains, one per line (# comments allowed).
    #[arg(long, value_name = "FILE")]
    pub verified_domains: Option<PathBuf>,
    /// Suggest re-suffixing OLD to NEW in fixes (repeatable), e.g. contoso.local=contoso.com.
    #[arg(long = "suffix-map", value_name = "OLD=NEW")]
    pub suffix_map: Vec<String>,
    /// Analyze only objects under this DN (repeatable), like Connect's OU filtering.
    #[arg(long = "include-ou", value_name = "DN")]
    pub include_ou: Vec<String>,
    /// Leave out objects under this DN (repeatable).
    #[arg(long = "exclude-ou", value_name = "DN")]
    pub exclude_ou: Vec<String>,
}

impl RuleArgs {
    pub fn options(&self) -> Result<(RuleOptions, ScopeOptions)> {
        let verified = verified_list(&self.verified_domain, self.verified_domains.as_deref())?;
        let suffix_map = suffix_pairs(&self.suffix_map)?;
        let rules = RuleOptions {
            profile: self.profile.unwrap_or(Profile::Entra),
            verified_domains: (!verified.is_empty()).then(|| verified.into_iter().collect()),
            suffix_map,
        };
        let scope = ScopeOptions {
            include_ou: self.include_ou.clone(),
            exclude_ou: self.exclude_ou.clone(),
        };
        Ok((rules, scope))
    }
}

/// Options for reading exports.
#[derive(Args, Debug, Clone)]
pub struct ReadArgs {
    /// Force the format instead of detecting it from the content.
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Force the encoding instead of detecting it (BOM, UTF-16 pattern, UTF-8, else Windows-1252).
    #[arg(long, value_enum)]
    pub encoding: Option<Encoding>,
    /// Reject any record (csvde row) larger than this many bytes.
    #[arg(long, default_value_t = 64 << 20)]
    pub max_record_bytes: usize,
    /// Bytes per parallel parsing block (tuning only).
    #[arg(long, default_value_t = 4 << 20, hide = true)]
    pub block_size: usize,
    /// Keep the directory's text columns (most of its memory) in memory-mapped temporary
    /// files the system can page out: `auto` when the inputs likely need more memory than is
    /// available (RAM or the cgroup's limit), `always`, or `never`.
    #[arg(long, value_enum, default_value_t = Spill::Auto)]
    pub spill: Spill,
    /// Folder for spilled columns (unnamed temporary files, gone when synclint exits; default:
    /// the workbook's folder, or the current one).
    #[arg(long, value_name = "DIR")]
    pub spill_dir: Option<PathBuf>,
}

impl ReadArgs {
    /// The reading options for `files`; spilled columns, if any, go to `--spill-dir` or else
    /// `default_dir` (see [`plan_memory`]).
    pub fn options(&self, files: &[PathBuf], default_dir: &Path) -> ReadOptions {
        let spill_dir = self.spill_dir.as_deref().unwrap_or(default_dir);
        ReadOptions {
            format: self.format,
            encoding: self.encoding,
            max_record_bytes: self.max_record_bytes,
            block_size: self.block_size,
            spill_dir: plan_memory(files, self.spill, spill_dir),
            ..ReadOptions::default()
        }
    }
}

/// Runs the command line; returns the process exit status.
pub fn run() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match execute(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("synclint: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn execute(cli: Cli) -> Result<ExitCode> {
    let threads = cli.threads.unwrap_or(0);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .context("cannot start worker threads")?;
    pool.install(|| match cli.command {
        Command::Analyze(args) => analyze(&args),
        Command::Rules {
            attributes: true, ..
        } => {
            print_out(&(registry::export_attributes().join(",") + "\n"))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Rules { markdown: true, .. } => {
            print_out(&crate::rules::docs::markdown())?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Rules { rule, .. } => list_rules(rule.as_deref()),
        Command::Export { domain } => {
            print_out(&crate::guide::export_guide(&domain))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Fix(args) => fix(&args),
        Command::Inspect { files, json, read } => inspect(&files, json, &read),
        Command::Generate {
            output,
            objects,
            seed,
            format,
            encoding,
            domains,
            plant_issues,
            escaped_names,
        } => {
            if !matches!(encoding, Encoding::Utf8 | Encoding::Utf16Le) {
                anyhow::bail!("generate writes utf-8 or utf-16le");
            }
            let options = GenerateOptions {
                objects,
                seed,
                format,
                encoding,
                domains,
                planted: plant_issues,
                escaped_names,
            };
            let mut summary = None;
            if format == Format::Adexplorer {
                crate::output::write_file_atomically(&output, &[], |f| {
                    summary = Some(generate::snapshot::generate(&options, f)?);
                    Ok(())
                })?;
            } else {
                write_atomically(&output, &[], |w| {
                    summary = Some(generate::generate(&options, w)?);
                    Ok(())
                })?;
            }
            if let Some(s) = summary {
                eprintln!(
                    "wrote {}: {} objects ({} users, {} groups, {} contacts, {} computers){}",
                    output.display(),
                    s.objects,
                    s.users,
                    s.groups,
                    s.contacts,
                    s.computers,
                    if s.conflict_copies > 0 {
                        format!("; {} users are conflict copies", s.conflict_copies)
                    } else {
                        String::new()
                    }
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    })
}

fn analyze(args: &AnalyzeArgs) -> Result<ExitCode> {
    let started = std::time::Instant::now();
    let files = &args.files;
    let (rule_options, scope_options) = args.rules.options()?;
    let workbook = args.workbook_path();
    let total: u64 = files
        .iter()
        .filter_map(|f| std::fs::metadata(f).ok())
        .map(|m| m.len())
        .sum();
    let read_options = args.read.options(files, folder_of(&workbook));
    let reading = Stage::start("reading", total, true, args.quiet);
    let read_options = ReadOptions {
        sha256: true,
        progress: Some(reading.counter.clone()),
        objects_progress: Some(reading.objects.clone()),
        ..read_options
    };
    let t = std::time::Instant::now();
    let ingest = crate::ingest::read_files(files, &read_options);
    reading.finish();
    if let Some(Err(why)) = &ingest.spill {
        eprintln!("synclint: warning: {why}; the directory is kept in memory");
    }
    if let Some(why) = crate::directory::spill::spill_failure() {
        eprintln!("synclint: warning: {why}");
    }
    let read_time = t.elapsed();
    let checking = Stage::start("rules", 1, false, args.quiet);
    let checked = crate::analyze::check(&ingest, &scope_options, &rule_options);
    checking.finish();
    // Errors and warnings first, the one-line result last.
    let unreadable = ingest.failed_files().count();
    for f in ingest.failed_files() {
        eprintln!("synclint: {}", f.error.as_deref().unwrap_or_default());
    }
    for w in &checked.warnings {
        eprintln!("synclint: warning: {w}");
    }
    print_rejections(&ingest);
    if let Some(why) = nothing_analyzed(&ingest, &checked.scope) {
        eprintln!(
            "synclint: {}: nothing was analyzed ({why}); no workbook or summary written",
            objects_line(
                ingest.objects_read(),
                checked.scope.analyzed(),
                checked.scope.out_of_scope(),
                ingest.objects_rejected()
            )
        );
        return Ok(ExitCode::from(2));
    }
    let mut analysis = crate::analyze::Analysis {
        ingest,
        scope: checked.scope,
        findings: checked.findings,
        uniqueness: checked.uniqueness,
        options: rule_options,
        timings: crate::analyze::Timings {
            read: read_time,
            ..checked.timings
        },
        changes: None,
        redactor: args.redact.then(|| match &args.redact_key {
            Some(key) => crate::report::redact::Redactor::with_key(key),
            None => crate::report::redact::Redactor::random(),
        }),
        warnings: checked.warnings,
    };
    let items = if args.json.is_some() || args.baseline.is_some() {
        crate::baseline::items(
            &analysis.ingest.directory,
            &analysis.findings,
            analysis.redactor.as_ref(),
        )
    } else {
        Vec::new()
    };
    if let Some(path) = &args.baseline {
        let previous = crate::baseline::load(path)?;
        let changes = crate::baseline::compare(&path.display().to_string(), &items, &previous);
        analysis.changes = Some(changes);
    }
    if !args.no_workbook {
        let writing = Stage::start(
            "workbook",
            analysis.findings.len() as u64,
            false,
            args.quiet,
        );
        let t = std::time::Instant::now();
        let mut context = crate::context::AnalysisContext::new(&analysis.options, &scope_options);
        context.format = args.read.format;
        context.encoding = args.read.encoding;
        context.max_record_bytes = args.read.max_record_bytes;
        let workbook_options = crate::report::workbook::WorkbookOptions {
            progress: Some(writing.counter.clone()),
            context: Some(context),
            ..Default::default()
        };
        let written =
            crate::report::workbook::write(&analysis, &workbook, files, &workbook_options);
        writing.finish();
        written?;
        analysis.timings.workbook = t.elapsed();
    }
    let t = std::time::Instant::now();
    let summary = crate::report::summary::Summary::build(&analysis, items);
    if let Some(path) = &args.json {
        write_atomically(path, files, |w| summary.write_json(w))?;
    }
    if let Some(dir) = &args.csv_dir {
        crate::report::csv::write_dir(&analysis, dir, files, args.csv_bom == CsvBom::Always)?;
    }
    if args.timings {
        print_timings(&analysis.timings, t.elapsed(), started.elapsed());
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
    if unreadable > 0 {
        eprintln!(
            "synclint: {} could not be read (see above): exit status 2",
            count(unreadable, "input", "inputs")
        );
        return Ok(ExitCode::from(2));
    }
    let threshold = match args.fail_on {
        FailOn::Error => Some(Severity::Error),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Info => Some(Severity::Info),
        FailOn::Never => None,
    };
    let failed = threshold.is_some_and(|s| analysis.count_at_least(s) > 0);
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

/// Why a run checked nothing, if it did: then `analyze` writes nothing and exits with 2.
fn nothing_analyzed(ingest: &ingest::Ingest, scope: &crate::scope::Scope) -> Option<String> {
    if !ingest.files.is_empty() && ingest.files.iter().all(|f| f.error.is_some()) {
        return Some(if ingest.files.len() == 1 {
            "the input could not be read".into()
        } else {
            "no input could be read".into()
        });
    }
    if scope.analyzed() > 0 {
        return None;
    }
    Some(if ingest.objects_read() == 0 {
        "no object was read".into()
    } else if ingest.directory.is_empty() {
        "every record was rejected".into()
    } else {
        "every object is out of scope; reasons above".into()
    })
}

/// Rejected records shown on the console (all of them are on the Input problems sheet).
const REJECTIONS_PRINTED: usize = 5;

/// The first rejected records as `file:line: reason`.
fn print_rejections(ingest: &ingest::Ingest) {
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

/// Decides before reading whether to spill (`--spill`), and says so when the inputs will
/// likely need more memory than is available. Measured peak RSS (benches/scale.rs, 100k-10M objects): 0.43x an LDIF export, 0.66x a
/// csvde export; a UTF-16 file holds half as much text per byte.
pub fn plan_memory(files: &[PathBuf], spill: Spill, spill_dir: &Path) -> Option<PathBuf> {
    let needed: u64 = files
        .iter()
        .filter_map(|f| std::fs::metadata(f).ok().map(|m| (f, m.len())))
        .map(|(f, bytes)| {
            let ldif = f
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("ldf") || e.eq_ignore_ascii_case("ldif"));
            if ldif {
                bytes / 2
            } else {
                bytes * 7 / 10
            }
        })
        .sum();
    let available = crate::memory::available_bytes();
    let short = available.filter(|a| needed > *a);
    let spill = match spill {
        Spill::Always => true,
        Spill::Never => false,
        Spill::Auto => short.is_some(),
    };
    let dir = spill.then(|| spill_dir.to_path_buf());
    if let Some(available) = short {
        let what = match &dir {
            Some(dir) => format!(
                "the text columns go to temporary files in {} that the system can page out (slower; --spill-dir chooses the folder)",
                dir.display()
            ),
            None => "the system may stop synclint (--spill auto or always keeps the text columns in files it can page out)".into(),
        };
        eprintln!(
            "synclint: these inputs need about {:.1} GB of memory and {:.1} GB is available: {what}.",
            needed as f64 / 1e9,
            available as f64 / 1e9
        );
    }
    dir
}

/// `--timings`: one line per stage, for benchmarks and batch logs.
fn print_timings(
    t: &crate::analyze::Timings,
    outputs: std::time::Duration,
    total: std::time::Duration,
) {
    let stages = [
        ("read", t.read),
        ("scope", t.scope),
        ("rules", t.rules),
        ("collisions", t.collisions),
        ("suggest", t.suggest),
        ("workbook", t.workbook),
        ("json+csv", outputs),
        ("total", total),
    ];
    for (name, d) in stages {
        eprintln!("synclint: time {name:<10} {:>9.3} s", d.as_secs_f64());
    }
    if let Some(bytes) = crate::memory::peak_rss_bytes() {
        eprintln!("synclint: peak memory {:>9} MB", bytes >> 20);
    }
}

fn fix(args: &FixArgs) -> Result<ExitCode> {
    let reviewed = crate::fix::reviewed::read(&args.workbook)?;
    let context = crate::fix::context(&reviewed)?;
    let contradictions = context.contradictions(&args.analysis.given()?);
    if !contradictions.is_empty() {
        for c in &contradictions {
            eprintln!("synclint: {c}");
        }
        anyhow::bail!(
            "fix checks each change under the options the analysis ran with, recorded in {}: leave these options out, or run analyze again with them",
            args.workbook.display()
        );
    }
    let recorded = args.exports.is_empty();
    let exports = if recorded {
        context.locate_inputs(&args.workbook)
    } else {
        args.exports.clone()
    };
    let options = crate::fix::FixOptions {
        exports: exports.clone(),
        recorded,
        spill_dir: plan_memory(&exports, Spill::Auto, folder_of(&args.output)),
    };
    let plan = crate::fix::plan(&reviewed, &options)?;
    let refused_csv = refused_csv_path(&args.output);
    let mut protected: Vec<PathBuf> = exports;
    protected.push(args.workbook.clone());
    if args.strict && !plan.refused.is_empty() {
        print_refusals(&plan, &refused_csv, args.list);
        write_atomically(&refused_csv, &protected, |w| {
            crate::fix::write_refused_csv(&plan.refused, w)
        })?;
        eprintln!(
            "synclint: {} refused; no change file written (--strict)",
            count(plan.refused.len(), "row", "rows")
        );
        return Ok(ExitCode::from(1));
    }
    let changes = crate::fix::ldif::changes(&plan.edits);
    write_atomically(&args.output, &protected, |w| {
        w.write_all(changes.as_bytes())
    })?;
    if let Some(undo) = &args.undo {
        let text = crate::fix::ldif::undo(&plan.edits);
        write_atomically(undo, &protected, |w| w.write_all(text.as_bytes()))?;
    }
    write_atomically(&refused_csv, &protected, |w| {
        crate::fix::write_refused_csv(&plan.refused, w)
    })?;
    print_changes(&plan, args);
    print_refusals(&plan, &refused_csv, args.list);
    Ok(ExitCode::SUCCESS)
}

/// `N thing` or `N things`, N with thousands separators.
fn count(n: usize, one: &str, many: &str) -> String {
    crate::report::text::plural(n as u64, one, many)
}

/// `n` with thousands separators, as synclint prints counts.
pub fn thousands(n: usize) -> String {
    crate::report::text::count(n as u64)
}

/// Where the refused rows go: `changes-refused.csv` beside `changes.ldf`.
fn refused_csv_path(output: &Path) -> PathBuf {
    let stem = output
        .file_stem()
        .map_or("changes".into(), |s| s.to_string_lossy().into_owned());
    output.with_file_name(format!("{stem}-refused.csv"))
}

/// Rows shown per kind without `--list`.
const FIRST_FEW: usize = 3;

/// The refused rows: counts by reason and the first few of each (all with `--list`).
fn print_refusals(plan: &crate::fix::Plan, csv: &Path, list: bool) {
    if plan.refused.is_empty() {
        return;
    }
    eprintln!(
        "synclint: {} refused, listed in {}{}:",
        count(plan.refused.len(), "row", "rows"),
        csv.display(),
        if list {
            ""
        } else {
            " (--list prints them all)"
        }
    );
    for (kind, rows) in plan.refusals_by_kind() {
        eprintln!("  {:>7}  {}", thousands(rows.len()), kind.label());
        let shown = if list { rows.len() } else { FIRST_FEW };
        for r in rows.iter().take(shown) {
            eprintln!(
                "             {} row {}: {} {}: {}",
                r.sheet, r.line, r.dn, r.attribute, r.reason
            );
        }
        if rows.len() > shown {
            eprintln!("             … and {} more", rows.len() - shown);
        }
    }
}

/// What was written: changes by kind, and the sign-in names that change.
fn print_changes(plan: &crate::fix::Plan, args: &FixArgs) {
    let rows = count(plan.rows(), "row", "rows");
    if plan.chosen() == 0 {
        eprintln!(
            "synclint: no actions chosen in {rows}: nothing to change; {} holds no change records",
            args.output.display()
        );
        eprintln!(
            "synclint: set Action (EDIT or REMOVE) on the rows to change, then run fix again"
        );
        return;
    }
    let objects: std::collections::HashSet<String> =
        plan.edits.iter().map(|e| e.dn.to_lowercase()).collect();
    eprintln!(
        "synclint: {} chosen of {rows} ({} left empty, {} set to COMPLETE or IGNORE)",
        count(plan.chosen(), "row", "rows"),
        count(plan.not_chosen, "row", "rows"),
        count(plan.noted, "row", "rows"),
    );
    eprintln!(
        "synclint: {} to {} written to {}{}{}",
        count(plan.edits.len(), "change", "changes"),
        count(objects.len(), "object", "objects"),
        args.output.display(),
        args.undo
            .as_ref()
            .map_or(String::new(), |u| format!(", undo in {}", u.display())),
        if plan.refused.is_empty() {
            String::new()
        } else {
            format!("; {} refused", count(plan.refused.len(), "row", "rows"))
        }
    );
    for (kind, n) in plan.changes_by_kind() {
        eprintln!("  {:>7}  {kind}", thousands(n));
    }
    if args.list {
        for e in &plan.edits {
            let (old, new) = (e.op.old_value(), e.op.new_value());
            eprintln!(
                "             {} row {}: {}: {} {:?} -> {:?}",
                e.sheet,
                e.line,
                e.dn,
                e.op.kind(),
                old.unwrap_or(""),
                new.unwrap_or("")
            );
        }
    }
    let sign_in = plan.sign_in_changes();
    if !sign_in.is_empty() {
        eprintln!(
            "synclint: users whose sign-in name changes: {} — tell them before importing (marked with a # comment in {}):",
            sign_in.len(),
            args.output.display()
        );
        let shown = if args.list { sign_in.len() } else { 10 };
        for (dn, attrs) in sign_in.iter().take(shown) {
            eprintln!("             {dn} ({})", attrs.join(", "));
        }
        if sign_in.len() > shown {
            eprintln!(
                "             … and {} more (--list prints them all)",
                sign_in.len() - shown
            );
        }
    }
}

/// Writes to standard output; a closed pipe (`synclint rules | head`) is not an error.
fn print_out(text: &str) -> Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}

fn list_rules(name: Option<&str>) -> Result<ExitCode> {
    let text = match name {
        None => crate::rules::docs::list(),
        Some(name) => match registry::find(name) {
            Some(rule) => crate::rules::docs::explain(rule),
            None => anyhow::bail!("no rule {name:?}; `synclint rules` lists them"),
        },
    };
    print_out(&text)?;
    Ok(ExitCode::SUCCESS)
}

fn inspect(files: &[PathBuf], json: bool, read: &ReadArgs) -> Result<ExitCode> {
    let ingest = ingest::read_files(files, &read.options(files, Path::new(".")));
    let report = InspectReport::build(&ingest);
    if json {
        print_out(&(serde_json::to_string_pretty(&report)? + "\n"))?;
    } else {
        print_out(&report.render())?;
    }
    let mut failed = false;
    for f in ingest.failed_files() {
        eprintln!("synclint: {}", f.error.as_deref().unwrap_or_default());
        failed = true;
    }
    Ok(if failed {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}
