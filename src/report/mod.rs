//! Reports: the workbook, the JSON summary and the CSV findings.

pub mod csv;
pub mod package;
pub mod schema;
pub mod sheet_rows;
pub mod summary;
pub mod tenant;
pub mod workbook;
