//! Import and export of power lists (权责清单) as xlsx, csv and json, in the layouts counties
//! actually publish: Chinese headers with local aliases, title rows above the header, two-row
//! headers, merged type and name cells, multi-line cells, several sheets.
//!
//! Import turns a workbook into [`ItemContent`]s with their duty kinds plus a list of
//! [`Problem`]s located by sheet, row and column; the caller decides whether to store anything.
//! Export writes the same layout back, so that importing an export gives the same list.
//!
//! This crate knows cells, headers and the domain types of `quanze-core`. It must not know
//! storage (no SQL), HTTP or async, nor who may import what: units come in as a
//! [`UnitDirectory`], and the bytes come in as a slice.
//!
//! [`ItemContent`]: quanze_core::ItemContent

mod columns;
mod error;
mod export;
mod form;
mod grid;
mod import;
mod progress;
mod report;
mod text;
mod units;
mod variant;

pub use columns::Column;
pub use error::{Expansion, ExportError, ImportError, Problem};
pub use export::{ExportOptions, SheetSplit, export_csv, export_json, export_xlsx};
pub use form::{FORM_SHEET, form_cells, form_columns, import_form};
pub use import::{
    ArchiveLimits, DEFAULT_MAX_BYTES, ImportOptions, Imported, ImportedItem, import_csv,
    import_json, import_xlsx,
};
pub use progress::{Progress, ProgressHandle};
pub use report::{ReportCell, ReportSheet, report_xlsx};
pub use units::UnitDirectory;
pub use variant::{VARIANT_SHEET, Variant, VariantChange, VariantScope};

/// 清单行 — one item of a list as exchanged: its content and its duty kind (always
/// [`DutyKind::Own`] in a department list).
///
/// [`DutyKind::Own`]: quanze_core::DutyKind::Own
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ExchangeItem {
    /// 履职类型.
    pub duty: quanze_core::DutyKind,
    /// The item's content.
    pub content: quanze_core::ItemContent,
    /// For a row of a township template's 差异声明: whom it applies to and what it does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<Variant>,
    /// 业务指导部门 — in a town's list, the department that guides a 基本履职 entry the town
    /// exercises as 实施主体 in its own name (`quanze_core::TownHolder`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guide: Option<quanze_core::UnitId>,
}
