//! Use cases on regions, units, lists and versions: create, import, publish, query, diff and
//! export.
//!
//! One module per use case; the types they share are here.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use quanze_core::{
    CreditCode, DutyKind, ItemId, ListId, ListVersionId, PowerCategory, RegionCode, Tag, UnitId,
    UnitKind,
};

use crate::catalog::ContentRef;
use crate::error::Problem;

mod drafts;
mod export;
mod import;
mod publish;
pub(crate) use publish::schedule_error;
mod queries;
mod registry;

/// A unit to create, as entered.
#[derive(Debug, Clone)]
pub struct NewUnit {
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: UnitKind,
    /// Region code.
    pub region: RegionCode,
    /// Credit code, if known.
    pub credit_code: Option<CreditCode>,
    /// Parent unit.
    pub parent: Option<UnitId>,
    /// Tags.
    pub tags: BTreeSet<Tag>,
}

/// One item as a list shows it: the entry and its content.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ItemView {
    /// Stable item id.
    #[schema(value_type = String, format = Uuid)]
    pub item: ItemId,
    /// Content version.
    pub version: u32,
    /// The list it comes from.
    #[schema(value_type = String, format = Uuid)]
    pub list: ListId,
    /// Duty kind: `{"kind": "own"}`, `{"kind": "cooperate", "lead": id}` or
    /// `{"kind": "reclaimed", "receiver": id}`.
    #[schema(value_type = Object)]
    pub duty: DutyKind,
    /// Content (shared with the catalogue), as the unit holds it: in a town's list a
    /// 基本履职 entry names the town as `holder` (实施主体, in its own name) and the department
    /// the template names as `guide` (业务指导部门); a 委托 entry names the entrusting
    /// department; 配合履职 and 收回 entries name the department.
    #[schema(value_type = Object)]
    pub content: ContentRef,
}

/// Filters for the item query.
#[derive(Debug, Clone, Default)]
pub struct ItemQuery {
    /// Items a unit holds (its own list, or its resolved township list).
    pub unit: Option<UnitId>,
    /// Only this category.
    pub category: Option<PowerCategory>,
    /// Only this duty kind (`own`, `cooperate`, `reclaimed`).
    pub duty: Option<String>,
    /// Text contained in the name, sub-item or code.
    pub text: Option<String>,
    /// The date (default: today).
    pub date: Option<NaiveDate>,
    /// Skip this many.
    pub offset: usize,
    /// At most this many (capped at 500).
    pub limit: usize,
}

/// A page of results with the total count.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Page<T> {
    /// How many match in all.
    pub total: usize,
    /// Offset of the first.
    pub offset: usize,
    /// Page size.
    pub limit: usize,
    /// The page.
    pub items: Vec<T>,
}

impl<T> Page<T> {
    /// Cuts a page out of all results.
    pub fn of(all: Vec<T>, offset: usize, limit: usize) -> Page<T> {
        let total = all.len();
        let items = all.into_iter().skip(offset).take(limit).collect();
        Page { total, offset, limit, items }
    }

    /// Cuts a page out of all results and builds the answer of the page's rows only (building
    /// every row's answer to keep fifty was most of a page's cost).
    pub fn of_mapped<S>(
        all: Vec<S>,
        offset: usize,
        limit: usize,
        answer: impl FnMut(S) -> T,
    ) -> Page<T> {
        let total = all.len();
        let items = all.into_iter().skip(offset).take(limit).map(answer).collect();
        Page { total, offset, limit, items }
    }
}

/// What an import found and did.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ImportOutcome {
    /// Rows read.
    pub rows: usize,
    /// Every problem, with where it is.
    #[schema(value_type = Vec<Object>)]
    pub problems: Vec<Problem>,
    /// Whether this was a dry run (nothing stored).
    pub dry_run: bool,
    /// The draft version written (not on a dry run).
    #[schema(value_type = Option<String>, format = Uuid)]
    pub version: Option<ListVersionId>,
    /// Items new to the list.
    pub added: usize,
    /// Items whose content changed.
    pub changed: usize,
    /// Items unchanged.
    pub unchanged: usize,
    /// Items of the previous version not in the file.
    pub removed: usize,
    /// The ledger leaf of the write (not on a dry run).
    pub leaf_index: Option<u64>,
}

/// Export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// The published xlsx layout.
    Xlsx,
    /// CSV (UTF-8 with BOM).
    Csv,
    /// JSON for open data.
    Json,
}

impl ExportFormat {
    /// Parses xlsx / csv / json.
    pub fn parse(raw: &str) -> Option<ExportFormat> {
        match raw.to_ascii_lowercase().as_str() {
            "xlsx" => Some(ExportFormat::Xlsx),
            "csv" => Some(ExportFormat::Csv),
            "json" => Some(ExportFormat::Json),
            _ => None,
        }
    }
    /// File extension.
    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Xlsx => "xlsx",
            ExportFormat::Csv => "csv",
            ExportFormat::Json => "json",
        }
    }
}
