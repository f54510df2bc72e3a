//! The command line: argument parsing, friendly errors, exit codes. The work is in the library.

use crate::generate::{self, GenerateOptions};
use crate::ingest::{self, Encoding, Format, ReadOptions};
use crate::inspect::InspectReport;
use crate::output::write_atomically;
use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    name = "synclint",
    version,
    about = "Finds what Entra ID / Microsoft 365 directory sync would reject or degrade, offline, from csvde or ldifde exports.",
    after_help = "Examples:\n  synclint inspect samples/contoso.ldf\n  synclint inspect export1.csv export2.ldf --json\n  synclint generate --objects 1000000 --format csvde -o big.csv\n\nExit status: 0 success, 2 usage error or unreadable input."
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
    /// Show what exports hold: format, encoding, objects by class, rejected records, attributes.
    #[command(
        after_help = "Examples:\n  synclint inspect samples/contoso.ldf samples/fabrikam.csv\n  synclint inspect export.csv --json > inspect.json\n  synclint inspect odd.txt --format ldif --encoding windows-1252"
    )]
    Inspect {
        /// csvde (.csv) or ldifde (.ldf) exports; several domains or forests may be given.
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
    },
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
}

impl ReadArgs {
    pub fn options(&self) -> ReadOptions {
        ReadOptions {
            format: self.format,
            encoding: self.encoding,
            max_record_bytes: self.max_record_bytes,
            block_size: self.block_size,
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
        Command::Inspect { files, json, read } => inspect(&files, json, &read),
        Command::Generate {
            output,
            objects,
            seed,
            format,
            encoding,
            domains,
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
            };
            let mut summary = None;
            write_atomically(&output, &[], |w| {
                summary = Some(generate::generate(&options, w)?);
                Ok(())
            })?;
            if let Some(s) = summary {
                eprintln!(
                    "wrote {}: {} objects ({} users, {} groups, {} contacts, {} computers)",
                    output.display(),
                    s.objects,
                    s.users,
                    s.groups,
                    s.contacts,
                    s.computers
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    })
}

fn inspect(files: &[PathBuf], json: bool, read: &ReadArgs) -> Result<ExitCode> {
    let ingest = ingest::read_files(files, &read.options());
    let report = InspectReport::build(&ingest);
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", report.render());
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
