//! Reports as xlsx: any table of text and numbers — the consistency and devolution reports of
//! the list's governance — written as sheets with a merged title, a frozen bold header and
//! bordered cells, in the same look as an exported list.

use std::collections::HashSet;

use rust_xlsxwriter::{Format, Workbook};

use crate::error::ExportError;
use crate::export::{Formats, unique_sheet_name};

/// One cell of a report.
#[derive(Debug, Clone, PartialEq)]
pub enum ReportCell {
    /// Text.
    Text(String),
    /// A count or an amount.
    Number(f64),
}

impl From<&str> for ReportCell {
    fn from(s: &str) -> ReportCell {
        ReportCell::Text(s.to_owned())
    }
}
impl From<String> for ReportCell {
    fn from(s: String) -> ReportCell {
        ReportCell::Text(s)
    }
}
impl From<usize> for ReportCell {
    fn from(n: usize) -> ReportCell {
        ReportCell::Number(n as f64)
    }
}

/// One sheet of a report.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportSheet {
    /// The sheet's tab name (cut to 31 characters, made unique).
    pub name: String,
    /// The title row above the header.
    pub title: String,
    /// Column headers.
    pub header: Vec<String>,
    /// Rows; a short row leaves its last cells empty.
    pub rows: Vec<Vec<ReportCell>>,
}

/// Writes the sheets as one xlsx workbook. A sheet with no rows says so under its header.
pub fn report_xlsx(sheets: &[ReportSheet]) -> Result<Vec<u8>, ExportError> {
    let mut workbook = Workbook::new();
    let formats = Formats::new();
    let number = formats.body.clone().set_num_format("0");
    let mut used = HashSet::new();
    for sheet in sheets {
        let ws = workbook.add_worksheet();
        ws.set_name(unique_sheet_name(&sheet.name, &mut used))?;
        let last_col = sheet.header.len().max(1) as u16 - 1;
        if last_col > 0 {
            ws.merge_range(0, 0, 0, last_col, &sheet.title, &formats.title)?;
        } else {
            ws.write_string_with_format(0, 0, &sheet.title, &formats.title)?;
        }
        ws.set_row_height(0, 30)?;
        for (c, h) in sheet.header.iter().enumerate() {
            ws.write_string_with_format(1, c as u16, h, &formats.header)?;
            let width = sheet
                .rows
                .iter()
                .filter_map(|r| match r.get(c) {
                    Some(ReportCell::Text(t)) => Some(t.chars().count()),
                    _ => None,
                })
                .chain([h.chars().count()])
                .max()
                .unwrap_or(8);
            ws.set_column_width(c as u16, (width as f64 * 2.0).clamp(8.0, 60.0))?;
        }
        ws.set_freeze_panes(2, 0)?;
        if sheet.rows.is_empty() {
            ws.write_string_with_format(2, 0, "（无）", &formats.body)?;
        }
        for (r, row) in sheet.rows.iter().enumerate() {
            let r = r as u32 + 2;
            for c in 0..sheet.header.len() {
                let c16 = c as u16;
                match row.get(c) {
                    Some(ReportCell::Text(t)) => {
                        ws.write_string_with_format(r, c16, t, &formats.body)?;
                    }
                    Some(ReportCell::Number(n)) => {
                        ws.write_number_with_format(r, c16, *n, &number)?;
                    }
                    None => {
                        ws.write_blank(r, c16, &Format::new())?;
                    }
                }
            }
        }
    }
    Ok(workbook.save_to_buffer()?)
}
