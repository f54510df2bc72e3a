//! Reports: the JSON summary and the CSV findings (the workbook comes next).

pub mod csv;
pub mod redact;
pub mod summary;
pub mod workbook;
