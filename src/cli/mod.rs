//! The command line: arguments ([`args`]), one module per command, friendly errors and exit
//! codes. Each command turns its arguments into the library's options, calls the library and
//! prints what came back; the work is in the library.

mod analyze;
mod args;
mod fix;
mod generate;
mod inspect;
mod progress;
mod rules;

use anyhow::{Context, Result};
use args::{Cli, Command, RuleArgs};
use clap::Parser;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use synclint::memory::{MemoryPlan, Spill};

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
            eprintln!("synclint: {}", error_line(&e));
            ExitCode::from(2)
        }
    }
}

/// An error and its causes on one line, as `{:#}` prints them, but without a cause that the
/// line already says: the library's errors name their I/O error in their own message
/// (`x.json: cannot write: No such file or directory`) and also give it as their source, and
/// the I/O errors of a temporary file repeat the path in theirs.
fn error_line(e: &anyhow::Error) -> String {
    let mut line = e.to_string();
    for cause in e.chain().skip(1) {
        let cause = cause.to_string();
        if !line.contains(&cause) {
            line.push_str(": ");
            line.push_str(&cause);
        }
    }
    line
}

fn execute(cli: Cli) -> Result<ExitCode> {
    let threads = cli.threads.unwrap_or(0);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .context("cannot start worker threads")?;
    pool.install(|| match cli.command {
        Command::Analyze(args) => analyze::run(&args),
        Command::Rules {
            rule,
            attributes,
            markdown,
        } => rules::run(rule.as_deref(), attributes, markdown),
        Command::Export { domain } => {
            print_out(&synclint::guide::export_guide(&domain))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Fix(args) => fix::run(&args),
        Command::Inspect { files, json, read } => inspect::run(&files, json, &read),
        Command::Generate(args) => generate::run(&args),
    })
}

/// `--verified-domain` values and the lines of `--verified-domains FILE`, lower case.
fn verified_domains(args: &RuleArgs) -> Result<Vec<String>> {
    let mut verified: Vec<String> = args
        .verified_domain
        .iter()
        .map(|d| d.trim().to_lowercase())
        .collect();
    if let Some(path) = &args.verified_domains {
        verified.extend(synclint::analyze::read_domain_list(path)?);
    }
    Ok(verified)
}

/// The memory plan for reading `files`, said on stderr when memory looks short.
fn plan_memory(files: &[PathBuf], spill: Spill, spill_dir: &Path) -> MemoryPlan {
    let plan = MemoryPlan::new(files, spill, spill_dir);
    if let Some(warning) = plan.warning() {
        eprintln!("synclint: {warning}");
    }
    plan.prepare_allocator();
    plan
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

/// `N thing` or `N things`, N with thousands separators.
fn count(n: usize, one: &str, many: &str) -> String {
    synclint::text::plural(n as u64, one, many)
}

/// `n` with thousands separators, as synclint prints counts.
fn thousands(n: usize) -> String {
    synclint::text::count(n as u64)
}
