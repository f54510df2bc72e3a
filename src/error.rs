//! Library errors. The CLI adds context and turns them into exit codes.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{}: cannot open: {source}", .path.display())]
    Open {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: is a directory, not an export file", .0.display())]
    IsDirectory(PathBuf),
    #[error("{}: read failed: {source}", .path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: neither LDIF nor csvde (it starts with {start}); use --format to force one", .path.display())]
    UnknownFormat { path: PathBuf, start: String },
    #[error("{}: no object could be read as {format} ({rejected} records rejected){tried}", .path.display())]
    NoObjects {
        path: PathBuf,
        format: &'static str,
        rejected: u64,
        /// What else was tried, if anything.
        tried: String,
    },
    #[error("{}: AD Explorer snapshot damaged {damage}", .path.display())]
    Snapshot { path: PathBuf, damage: String },
    #[error("{}: unusable CSV header: {reason}", .path.display())]
    BadHeader { path: PathBuf, reason: String },
    #[error("cannot read {}", .path.display())]
    DomainList {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: not a usable baseline (a previous run's --json summary): {reason}", .path.display())]
    Baseline { path: PathBuf, reason: String },
    #[error("{}: not a synclint workbook that can be read: {reason}", .path.display())]
    Workbook { path: PathBuf, reason: String },
    #[error("{0}")]
    Fix(String),
    #[error("{}: cannot write: {source}", .path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}
