//! The cell formats every sheet shares, and the pieces of layout they are used in: header
//! rows, section titles, links between sheets, print setup.

use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, TableColumn, Url, Worksheet, XlsxError};

pub(super) struct Formats {
    pub(super) title: Format,
    pub(super) section: Format,
    pub(super) bold: Format,
    pub(super) bold_top: Format,
    pub(super) header: Format,
    pub(super) link: Format,
    pub(super) shaded: Format,
    pub(super) number: Format,
    pub(super) wrap: Format,
    /// Aligned to the top, beside wrapped cells (Tenant matching, Connect → Cloud Sync).
    pub(super) top: Format,
    /// Wrapped text, aligned as the cells beside it (the class sheets' columns that wrap).
    pub(super) wrapped: Format,
    pub(super) verdict_error: Format,
    pub(super) verdict_warning: Format,
    pub(super) verdict_info: Format,
}

impl Formats {
    pub(super) fn new() -> Formats {
        let header = Format::new()
            .set_bold()
            .set_background_color("1F4E79")
            .set_font_color("FFFFFF")
            .set_border_bottom(FormatBorder::Thin);
        Formats {
            title: Format::new().set_bold().set_font_size(16),
            section: Format::new()
                .set_bold()
                .set_font_size(12)
                .set_font_color("1F4E79"),
            bold: Format::new().set_bold(),
            bold_top: Format::new().set_bold().set_align(FormatAlign::Top),
            wrap: Format::new().set_text_wrap().set_align(FormatAlign::Top),
            top: Format::new().set_align(FormatAlign::Top),
            wrapped: Format::new().set_text_wrap(),
            verdict_error: Format::new()
                .set_bold()
                .set_background_color("FFC7CE")
                .set_font_color("9C0006"),
            verdict_warning: Format::new()
                .set_bold()
                .set_background_color("FFEB9C")
                .set_font_color("9C5700"),
            verdict_info: Format::new()
                .set_bold()
                .set_background_color("DDEBF7")
                .set_font_color("1F4E79"),
            header,
            link: Format::new()
                .set_font_color("0563C1")
                .set_underline(rust_xlsxwriter::FormatUnderline::Single),
            shaded: Format::new().set_background_color("DDEBF7"),
            // `_)` pads the number on the right by the width of ")": a count never sits
            // flush against the text in the next column.
            number: Format::new()
                .set_num_format("#,##0_)")
                .set_align(FormatAlign::Right),
        }
    }
}

pub(super) fn header(
    ws: &mut Worksheet,
    row: u32,
    names: &[&str],
    f: &Formats,
) -> Result<(), XlsxError> {
    header_at(ws, row, 0, names, f)
}

pub(super) fn header_at(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    names: &[&str],
    f: &Formats,
) -> Result<(), XlsxError> {
    for (i, name) in names.iter().enumerate() {
        ws.write_string_with_format(row, col + i as u16, *name, &f.header)?;
    }
    Ok(())
}

/// Printed or exported to PDF, every sheet reads as a document: landscape, one page wide (as
/// many tall as the rows need), narrow margins, the header row repeated on every page (when
/// the sheet has one) and a footer with the sheet's name and "Page N of M".
pub(super) fn print_setup(ws: &mut Worksheet, header_row: Option<u32>) -> Result<(), XlsxError> {
    ws.set_landscape();
    ws.set_print_fit_to_pages(1, 0);
    // Inches: 0.4 left and right, 0.5 top and bottom, header and footer 0.25 from the edge.
    ws.set_margins(0.4, 0.4, 0.5, 0.6, 0.25, 0.25);
    ws.set_footer("&L&A&RPage &P of &N");
    if let Some(row) = header_row {
        ws.set_repeat_rows(row, row)?;
    }
    Ok(())
}

/// A titled table: the title in the section style, then the header row; returns the row
/// after the header.
pub(super) fn section(
    ws: &mut Worksheet,
    row: u32,
    title: &str,
    columns: &[&str],
    f: &Formats,
) -> Result<u32, XlsxError> {
    ws.write_string_with_format(row, 0, title, &f.section)?;
    header(ws, row + 1, columns, f)?;
    Ok(row + 2)
}

pub(super) fn link_to(sheet: &str) -> Url {
    Url::new(format!("internal:'{}'!A1", sheet.replace('\'', "''")))
}

/// The columns of an Excel table with these headers, in the header style (the table style's
/// own header looks different in Excel and LibreOffice).
pub(super) fn table_columns(headers: &[&str], f: &Formats) -> Vec<TableColumn> {
    headers
        .iter()
        .map(|n| {
            TableColumn::new()
                .set_header(*n)
                .set_header_format(&f.header)
        })
        .collect()
}

/// A column's width fitted to its longest text (characters, plus a margin), kept within
/// `narrowest..=widest`.
pub(super) fn fitted(longest: usize, narrowest: f64, widest: f64) -> f64 {
    (longest as f64 + 2.0).clamp(narrowest, widest)
}

/// The rows whose text fits a sheet's columns: up to 2,000 spread evenly over `rows` (as
/// the class sheets sample theirs).
pub(super) fn sampled(rows: usize) -> impl Iterator<Item = usize> {
    (0..rows).step_by((rows / 2_000).max(1))
}

/// Ends a constant-memory sheet whose rows were given heights, at `next_row` (the row after
/// its last): rust_xlsxwriter (0.102) writes the last row's `<row>` a second time when that
/// row has a height of its own, and Excel reports a sheet with a repeated row as damaged.
/// A later row that holds a cell avoids it: a blank cell, styled, that readers skip.
pub(super) fn end_fitted_rows(
    ws: &mut Worksheet,
    next_row: u32,
    f: &Formats,
) -> Result<(), XlsxError> {
    ws.write_blank(next_row, 0, &f.top)?;
    Ok(())
}
