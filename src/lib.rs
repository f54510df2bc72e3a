//! synclint: reads Active Directory exports (csvde, ldifde) offline and finds what directory
//! synchronization to Entra ID / Microsoft 365 would reject or degrade.
//!
//! The pipeline, one way: [`ingest`] (formats, encodings, parallel parsing) → [`directory`]
//! (the columnar table of objects) → [`scope`] → [`rules`] → [`findings`] → [`report`] (the
//! workbook, JSON, CSV) or [`fix`] (a reviewed workbook back to LDIF). [`analyze`] runs it,
//! telling a [`progress`] observer about each stage; [`memory`] plans the memory before a
//! run. Leaf modules (formatting, writers) sit below them all; no top-level module imports
//! one that imports it back (tests/it/architecture.rs). [`generate`] makes synthetic exports
//! for tests, benchmarks and demos. The command line is the binary's (`src/cli/`), over this
//! library's public items.

pub mod analyze;
pub mod anchor;
pub mod baseline;
pub mod cert;
pub mod context;
pub mod directory;
pub mod dn;
pub mod domain;
pub mod engine_diff;
pub(crate) mod error;
pub mod findings;
pub mod fix;
pub mod forest;
pub mod generate;
pub mod guide;
pub mod hex;
pub mod ingest;
pub mod inspect;
pub(crate) mod ldif_out;
pub mod memory;
pub mod output;
pub mod progress;
pub mod redact;
pub mod report;
pub mod rules;
pub mod scope;
pub mod sd;
pub mod tenant;
pub mod text;
pub mod time;
pub mod view;
pub(crate) mod vocab;

pub use error::Error;
