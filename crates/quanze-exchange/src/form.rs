//! 单条事项表单 — one item as the cells of one row of the exchange layout, for a form that edits
//! a single item (the web's item editor). The form's fields are the template's columns and each
//! is read with the same grammar as its cell, so a clerk writes 设定依据, 责任事项 or 申请材料
//! the same way in the form and in Excel, and a problem names the column as an import does.

use std::collections::BTreeMap;

use crate::ExchangeItem;
use crate::columns::Column;
use crate::error::ExportError;
use crate::export::cell_text;
use crate::grid::Grid;
use crate::import::{ImportOptions, Imported, Importer, Layout, Loc, RowCells, SERVICE_COLUMNS};
use crate::units::UnitDirectory;

/// The sheet name a form's problems carry.
pub const FORM_SHEET: &str = "表单";

/// The columns of the item form, in the order a clerk fills them: what the power is, its
/// basis and holder, duties and accountability, then the service guide. A town's list adds its
/// duty kind with the lead or receiving department.
pub fn form_columns(township: bool) -> Vec<Column> {
    let mut cols = vec![
        Column::Category,
        Column::Name,
        Column::SubItem,
        Column::BaseCode,
        Column::ImplCode,
        Column::LocalCode,
        Column::LegalBasis,
        Column::Holder,
    ];
    if township {
        cols.extend([Column::DutyKind, Column::Lead, Column::Receiver]);
    }
    cols.extend([
        Column::Office,
        Column::Cooperation,
        Column::Source,
        Column::Level,
        Column::Responsibilities,
        Column::ResponsibilityBasis,
        Column::AccountabilitySituations,
        Column::AccountabilityBasis,
        Column::AccountabilityParties,
    ]);
    cols.extend(SERVICE_COLUMNS);
    cols.push(Column::Remarks);
    cols
}

/// The item's text in each of `columns`, as export writes its cells (and the form reads back).
pub fn form_cells(
    item: &ExchangeItem,
    columns: &[Column],
    units: &UnitDirectory,
) -> Result<Vec<(Column, String)>, ExportError> {
    columns.iter().map(|col| Ok((*col, cell_text(item, *col, units)?))).collect()
}

/// Reads the item a form describes. Unlike a sheet's row, a form is never a section heading or
/// a repeated header: it is read as one item, and every problem is at row 1 of [`FORM_SHEET`]
/// with its column's header. No item comes back when the name, category, holder or duty
/// cannot be resolved; the problems say why.
pub fn import_form(
    cells: &[(Column, String)],
    units: &UnitDirectory,
    options: &ImportOptions,
) -> Imported {
    let mut layout = Layout::default();
    let mut row = Vec::with_capacity(cells.len());
    for (col, text) in cells {
        if layout.columns.contains_key(col) {
            continue;
        }
        layout.columns.insert(*col, row.len() as u32);
        layout.headers.insert(*col, col.header().to_owned());
        row.push(text.clone());
    }
    let grid = Grid::from_text_rows(FORM_SHEET, vec![row]);
    let mut importer = Importer::new(units, options);
    importer.sheet_order.insert(FORM_SHEET.to_owned(), 0);
    importer.sheets_with_header = 1;
    importer.sheet_headers.insert(FORM_SHEET.to_owned(), layout.headers.clone());
    let headers: BTreeMap<Column, String> = layout.headers.clone();
    let loc = Loc { sheet: FORM_SHEET, row: 1, headers: &headers };
    let row_cells = RowCells { grid: &grid, layout: &layout, row: 0 };
    let name = row_cells.get(Column::Name).to_owned();
    let sub = row_cells.opt(Column::SubItem);
    let category = row_cells.get(Column::Category).to_owned();
    if let Some(item) = importer.item(&row_cells, &loc, name, sub, &category, None, None) {
        importer.push_item(&loc, &headers, item);
    }
    importer.finish()
}
