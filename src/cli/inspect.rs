//! `synclint inspect`: what exports hold, before any rule runs.

use super::args::ReadArgs;
use super::{plan_memory, print_out};
use anyhow::Result;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use synclint::inspect::InspectReport;

pub fn run(files: &[PathBuf], json: bool, read: &ReadArgs) -> Result<ExitCode> {
    let spill_dir = read.spill_dir.as_deref().unwrap_or(Path::new("."));
    let plan = plan_memory(files, read.spill, spill_dir);
    let ingest = synclint::ingest::read_files(files, &read.options(plan.spill_dir));
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
