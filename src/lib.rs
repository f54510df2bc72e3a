//! synclint: reads Active Directory exports (csvde, ldifde) offline and finds what directory
//! synchronization to Entra ID / Microsoft 365 would reject or degrade.
//!
//! The pipeline: [`ingest`] (formats, encodings, parallel parsing) → [`directory`] (the
//! columnar table of objects) → rules → findings → report. [`generate`] makes synthetic
//! exports for tests, benchmarks and demos.

pub mod analyze;
pub mod baseline;
pub mod cli;
pub mod context;
pub mod directory;
pub mod dn;
pub mod error;
pub mod findings;
pub mod fix;
pub mod generate;
pub mod guide;
pub mod ingest;
pub mod inspect;
pub mod memory;
pub mod output;
pub mod progress;
pub mod report;
pub mod rules;
pub mod scope;
pub mod vocab;

pub use error::Error;
