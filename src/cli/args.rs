//! The arguments: what clap parses, and their pure conversions to the library's options.
//! Nothing here reads a file; the commands do (through the library).

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;
use synclint::ingest::{Encoding, Format, ReadOptions};
use synclint::memory::Spill;
use synclint::rules::Profile;
use synclint::scope::ScopeOptions;

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
    #[command(after_help = synclint::guide::export_guide("contoso.com"))]
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
    Generate(GenerateArgs),
}

/// Arguments of `generate`.
#[derive(Args, Debug)]
pub struct GenerateArgs {
    /// Output file.
    #[arg(short, long)]
    pub output: PathBuf,
    /// Number of objects.
    #[arg(long, default_value_t = 1000)]
    pub objects: u64,
    /// Random seed (the same seed gives the same file).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    #[arg(long, value_enum, default_value_t = Format::Ldif)]
    pub format: Format,
    /// utf-8 or utf-16le (what csvde/ldifde -u write).
    #[arg(long, value_enum, default_value_t = Encoding::Utf8)]
    pub encoding: Encoding,
    /// Number of domains to spread objects over (1-4).
    #[arg(long, default_value_t = 3)]
    pub domains: usize,
    /// Plant known sync problems at fixed intervals (duplicates, collisions, invalid values).
    #[arg(long)]
    pub plant_issues: bool,
    /// Names as real directories have them: every 5th user named "Last, First", OUs with
    /// characters a DN escapes, replication-conflict (CNF) copies of some users.
    #[arg(long)]
    pub escaped_names: bool,
    /// The export's shape: default (52 columns, full rows), sparse-wide (about 240 mostly
    /// empty columns, as a full-domain csvde export) or field (52 mostly empty columns, OUs,
    /// memberOf lists, X400 addresses, "Last, First" names).
    #[arg(long, value_enum, default_value_t = synclint::generate::Shape::Default)]
    pub shape: synclint::generate::Shape,
    /// Two forests for the engine checks instead (LDIF): OUTPUT holds contoso.com and
    /// OUTPUT's name with "-fabrikam" fabrikam.com, with every Connect/Cloud Sync difference
    /// planted (same people in both, GALSync contacts, cross-forest references, anchors,
    /// duplicate SIDs, system mailboxes, inetOrgPerson, a 60,000-member group in range parts);
    /// --objects adds that many plain users to contoso.com.
    #[arg(long, conflicts_with_all = ["plant_issues", "escaped_names"])]
    pub forests: bool,
    /// Also write a tenant export consistent with this directory into this folder: users in
    /// every accepted format, groups, contacts, domains, features, role holders, with every
    /// matching outcome planted and its truth (truth.json), for `analyze --tenant`.
    #[arg(long, value_name = "DIR")]
    pub tenant: Option<PathBuf>,
    /// Cloud-only users in the tenant export that match nothing (and a tenth as many groups
    /// and contacts); default: a tenth of --objects.
    #[arg(long, value_name = "N", requires = "tenant")]
    pub tenant_objects: Option<u64>,
    /// After the objects, hybrid join and password readiness cases (domain heads with
    /// password policies, computers on each OS and build range with valid, expired,
    /// foreign-subject, malformed and 16+ certificates, stale and disabled computers, users
    /// with temporary, expired or never-expiring passwords, expired accounts, inetOrgPerson,
    /// adminCount), each whenChanged 2026-11-30 12:00 UTC.
    #[arg(long)]
    pub plant_devices: bool,
    /// The readiness cases of --plant-devices, and Seamless SSO, device registration SCP,
    /// forest and security-descriptor cases in seven more forests (SSO account absent,
    /// disabled, old key, RC4 only, delegation, SPNs missing, not protected from deletion;
    /// SCP absent, malformed, repeated; forest level, recycle bin, dotted NetBIOS name,
    /// undeclared UPN suffix; inheritance disabled, user cannot change password). Also writes
    /// OUTPUT's name with "-config" (the configuration partitions) and with "-truth.json"
    /// (each planted case's rule code, DN and severity). csvde or ldif.
    #[arg(long)]
    pub plant_readiness: bool,
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
    /// Also run the other engine's model on the same inputs and list every object whose
    /// outcome differs (Connect → Cloud Sync), with the migration tool's readiness: a
    /// workbook sheet and a JSON section.
    #[arg(long)]
    pub engine_diff: bool,
    /// The tenant as it is today, to predict how each object matches (one or more files after
    /// the flag, each detected by content): Graph PowerShell JSON or Export-Csv, Graph REST
    /// JSON pages, the Entra or Microsoft 365 admin center's user download, groups, contacts,
    /// domains, synchronization features, role holders. README gives the command for each.
    #[arg(long = "tenant", value_name = "FILE", num_args = 1..)]
    pub tenant: Vec<PathBuf>,
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
    /// The sync engine to check for: Entra Connect Sync (connect, the default) or Entra Cloud
    /// Sync (cloud-sync): scope, limits and source anchors follow it.
    #[arg(long, value_enum, value_name = "ENGINE")]
    pub engine: Option<synclint::anchor::Engine>,
    /// Group scoping (repeatable): only this group and its direct members; members of nested
    /// groups are out of scope, as both engines do.
    #[arg(long = "include-group", value_name = "DN")]
    pub include_group: Vec<String>,
    /// Skip the sign-in and device readiness checks (Seamless SSO, hybrid join, password
    /// hash sync, password writeback, other onboarding items).
    #[arg(long)]
    pub no_readiness: bool,
    /// Measure key ages, expiry and staleness from this date (2026-12-02, the end of that day
    /// UTC, or 2026-12-02T12:00:00Z) instead of the export's own time (the latest
    /// whenChanged / modifyTimeStamp, or a snapshot's time). Never the machine's clock.
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
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

impl RuleArgs {
    /// The scope options given (`--include-ou`, `--exclude-ou`).
    pub fn scope(&self) -> ScopeOptions {
        ScopeOptions {
            include_ou: self.include_ou.clone(),
            exclude_ou: self.exclude_ou.clone(),
            include_group: self.include_group.clone(),
            engine: self.engine.unwrap_or_default(),
        }
    }

    /// `--suffix-map OLD=NEW` pairs (OLD lower case).
    pub fn suffix_pairs(&self) -> Result<Vec<(String, String)>> {
        self.suffix_map
            .iter()
            .map(|pair| {
                let (old, new) = pair
                    .split_once('=')
                    .with_context(|| format!("--suffix-map takes OLD=NEW, got {pair:?}"))?;
                Ok((old.trim().to_lowercase(), new.trim().to_string()))
            })
            .collect()
    }
}

impl ReadArgs {
    /// The reading options; spilled columns, if any, go to `spill_dir` (the memory plan's).
    pub fn options(&self, spill_dir: Option<PathBuf>) -> ReadOptions {
        ReadOptions {
            format: self.format,
            encoding: self.encoding,
            max_record_bytes: self.max_record_bytes,
            block_size: self.block_size,
            spill_dir,
            ..ReadOptions::default()
        }
    }
}
