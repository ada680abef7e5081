//! Import: a workbook (or CSV, or JSON) in, items and located problems out.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Cursor;
use std::panic::{self, AssertUnwindSafe};

use calamine::{Reader, ReaderRef, Xlsx, XlsxError};
use quanze_core::{
    Accountability, BaseCode, Cooperation, DutyKind, ExerciseLevel, ImplCode, ItemContent,
    PowerCategory, PowerSource, Responsibility, ServiceInfo, Severity, TimeLimit, UnitId, UnitKind,
    ValidationError,
};

use crate::ExchangeItem;
use crate::columns::{Column, HeaderMatch, match_header, match_sub_header};
use crate::error::{ImportError, Problem};
use crate::grid::{Grid, HEADER_SEARCH_ROWS};
use crate::progress::{self, ProgressHandle};
use crate::text::{self, Sections, split_numbering};
use crate::units::UnitDirectory;
use crate::variant::{Variant, VariantChange, VariantScope};

/// The default size cap: 200 MiB, far above a county's whole list (a 100,000-row workbook is
/// about 10 MiB) and low enough that a stray upload cannot exhaust memory.
pub const DEFAULT_MAX_BYTES: u64 = 200 * 1024 * 1024;

/// How to read a file.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// Files larger than this are refused before parsing.
    pub max_bytes: u64,
    /// The 实施主体 of rows that leave it blank (a unit's own list often does).
    pub default_holder: Option<UnitId>,
    /// The 权力来源 of rows without one.
    pub default_source: PowerSource,
    /// The 行使层级 of rows without one; `None` derives it from the holder (乡级 for towns and
    /// subdistricts, 县级 otherwise).
    pub default_level: Option<ExerciseLevel>,
    /// Where to report progress, sheet by sheet and row by row.
    pub progress: Option<ProgressHandle>,
}

impl Default for ImportOptions {
    fn default() -> ImportOptions {
        ImportOptions {
            max_bytes: DEFAULT_MAX_BYTES,
            default_holder: None,
            default_source: PowerSource::Statutory,
            default_level: None,
            progress: None,
        }
    }
}

/// One item read from a file, with where it was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedItem {
    /// The sheet name.
    pub sheet: String,
    /// The row as Excel shows it (1-based); for a sub-item, its own row.
    pub row: u32,
    /// The item.
    pub item: ExchangeItem,
}

/// 导入结果 — what a file holds: every row that could be read as an item, and every problem
/// found. A row whose name, category, holder or duty counterpart cannot be resolved yields a
/// problem and no item. Whether to store anything is the caller's decision: a dry run shows
/// the problems; a real import stores nothing while [`Imported::has_errors`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Imported {
    /// Items in file order (sheet by sheet, row by row).
    pub items: Vec<ImportedItem>,
    /// Problems, sorted by sheet and row.
    pub problems: Vec<Problem>,
}

impl Imported {
    /// Whether any problem is an error.
    pub fn has_errors(&self) -> bool {
        self.problems.iter().any(Problem::is_error)
    }

    /// The items without their locations.
    pub fn into_items(self) -> Vec<ExchangeItem> {
        self.items.into_iter().map(|i| i.item).collect()
    }
}

/// Reads an xlsx workbook in any of the published layouts.
pub fn import_xlsx(
    bytes: &[u8],
    units: &UnitDirectory,
    options: &ImportOptions,
) -> Result<Imported, ImportError> {
    check_size(bytes, options)?;
    sniff(bytes)?;
    // calamine parses untrusted bytes; a panic inside it (or here) on some malformed file must
    // not take down the caller, so it becomes a Corrupt error.
    panic::catch_unwind(AssertUnwindSafe(|| read_xlsx(bytes, units, options))).unwrap_or_else(
        |_| Err(ImportError::Corrupt("the reader failed on malformed content".to_owned())),
    )
}

/// Reads a CSV file (UTF-8, with or without BOM) with the same columns as the xlsx layout.
pub fn import_csv(
    bytes: &[u8],
    units: &UnitDirectory,
    options: &ImportOptions,
) -> Result<Imported, ImportError> {
    check_size(bytes, options)?;
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(body);
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| ImportError::Csv(e.to_string()))?;
        rows.push(record.iter().map(str::to_owned).collect());
    }
    let grid = Grid::from_text_rows("CSV", rows);
    if grid.is_blank() {
        return Err(ImportError::EmptyWorkbook);
    }
    let mut importer = Importer::new(units, options);
    importer.sheet(&grid);
    Ok(importer.finish())
}

/// Reads the JSON that [`crate::export_json`] writes, checking units and items the same way.
pub fn import_json(
    bytes: &[u8],
    units: &UnitDirectory,
    options: &ImportOptions,
) -> Result<Imported, ImportError> {
    check_size(bytes, options)?;
    let items: Vec<ExchangeItem> =
        serde_json::from_slice(bytes).map_err(|e| ImportError::Json(e.to_string()))?;
    let mut importer = Importer::new(units, options);
    let sheet = "JSON";
    importer.sheet_order.insert(sheet.to_owned(), 0);
    importer.sheets_with_header = 1;
    for (i, item) in items.into_iter().enumerate() {
        let row = i as u32 + 1;
        let at = Loc { sheet, row, headers: &BTreeMap::new() };
        let mut known = |id: UnitId, col: Column| {
            if units.name(id).is_none() {
                importer.problems.push(at.problem(
                    Some(col),
                    Severity::Error,
                    "unknown_unit",
                    format!("单位目录中没有编号为 {id} 的单位"),
                    format!("unit {id} is not in the unit directory"),
                ));
            }
        };
        known(item.content.holder, Column::Holder);
        for c in &item.content.cooperation {
            known(c.unit, Column::Cooperation);
        }
        if let Some(other) = item.duty.counterpart() {
            known(other, Column::Lead);
        }
        importer.push_item(&at, &BTreeMap::new(), item);
    }
    Ok(importer.finish())
}

fn check_size(bytes: &[u8], options: &ImportOptions) -> Result<(), ImportError> {
    let size = bytes.len() as u64;
    if size > options.max_bytes {
        return Err(ImportError::TooLarge { size, max: options.max_bytes });
    }
    if size == 0 {
        return Err(ImportError::EmptyFile);
    }
    Ok(())
}

const CFB_MAGIC: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Tells the files users mistake for xlsx apart before the zip reader sees them: Excel saves a
/// password-protected workbook as an OLE compound file holding `EncryptionInfo` and
/// `EncryptedPackage` streams; an unencrypted OLE file is a 97-2003 .xls.
fn sniff(bytes: &[u8]) -> Result<(), ImportError> {
    if bytes.starts_with(&CFB_MAGIC) {
        let encrypted =
            ["EncryptedPackage", "EncryptionInfo"].iter().any(|name| contains_utf16le(bytes, name));
        return Err(if encrypted { ImportError::Encrypted } else { ImportError::LegacyXls });
    }
    if !bytes.starts_with(b"PK") {
        return Err(ImportError::NotXlsx);
    }
    Ok(())
}

fn contains_utf16le(haystack: &[u8], needle: &str) -> bool {
    let needle: Vec<u8> = needle.encode_utf16().flat_map(u16::to_le_bytes).collect();
    haystack.windows(needle.len()).any(|w| w == needle.as_slice())
}

fn map_xlsx_error(e: XlsxError) -> ImportError {
    match e {
        XlsxError::FileNotFound(_) | XlsxError::RelationshipNotFound => ImportError::NoWorkbook,
        other => ImportError::Corrupt(other.to_string()),
    }
}

fn read_xlsx(
    bytes: &[u8],
    units: &UnitDirectory,
    options: &ImportOptions,
) -> Result<Imported, ImportError> {
    let progress = options.progress.as_ref();
    progress::stage(progress, "读取工作簿", 0);
    let mut workbook = Xlsx::new(Cursor::new(bytes)).map_err(map_xlsx_error)?;
    let mut importer = Importer::new(units, options);
    let mut any_cells = false;
    let names = workbook.sheet_names();
    for (i, name) in names.iter().cloned().enumerate() {
        progress::stage(progress, &format!("读取工作表“{name}”（{}/{}）", i + 1, names.len()), 0);
        let merges = workbook.merge_cells_by_sheet_name(&name).map_err(map_xlsx_error)?;
        let range = workbook.worksheet_range_ref(&name).map_err(map_xlsx_error)?;
        let grid = Grid::from_range(&name, &range, &merges);
        // The grid borrows the workbook's shared strings, not the range: free the range's
        // cells before the items are built.
        drop(range);
        // Blank sheets (Excel's default Sheet2, Sheet3) are not worth a problem.
        if grid.is_blank() {
            continue;
        }
        any_cells = true;
        importer.sheet(&grid);
    }
    if !any_cells {
        return Err(ImportError::EmptyWorkbook);
    }
    Ok(importer.finish())
}

/// Where a problem is: the sheet, the Excel row and the sheet's header texts.
struct Loc<'a> {
    sheet: &'a str,
    row: u32,
    headers: &'a BTreeMap<Column, String>,
}

impl Loc<'_> {
    fn problem(
        &self,
        column: Option<Column>,
        severity: Severity,
        code: &str,
        message_zh: String,
        message_en: String,
    ) -> Problem {
        Problem {
            sheet: self.sheet.to_owned(),
            row: Some(self.row),
            column: column.map(|c| header_of(self.headers, c)),
            severity,
            code: code.to_owned(),
            message_zh,
            message_en,
        }
    }
}

fn header_of(headers: &BTreeMap<Column, String>, col: Column) -> String {
    headers.get(&col).cloned().unwrap_or_else(|| col.header().to_owned())
}

/// Which columns a sheet has and where its data starts.
#[derive(Debug, Default)]
struct Layout {
    columns: BTreeMap<Column, u32>,
    /// Further legal-basis columns (设定依据 and 实施依据 side by side): appended.
    extra_basis: Vec<u32>,
    /// Header texts as written, for problem locations.
    headers: BTreeMap<Column, String>,
    header_row: u32,
    data_start: u32,
    /// (column, header text, recognised-but-not-stored).
    ignored: Vec<(u32, String, bool)>,
    duplicated: Vec<(u32, String)>,
}

impl Layout {
    fn has(&self, col: Column) -> bool {
        self.columns.contains_key(&col)
    }

    fn column_at(&self, idx: u32) -> Option<Column> {
        self.columns.iter().find(|(_, i)| **i == idx).map(|(c, _)| *c)
    }
}

fn clean_header(text: &str) -> String {
    text.split_whitespace().collect()
}

/// Finds the header row: the first row in the top rows that names the item and at least two
/// other known columns. The row below is a sub-header when each of its cells that differs from
/// the cell above reads as a column under that group (追责 → 情形, 依据, 对象).
fn find_layout(grid: &Grid<'_>) -> Option<Layout> {
    let first = grid.first_row();
    let end = grid.end_row().min(first + HEADER_SEARCH_ROWS);
    let end_col = grid.end_col();
    for row in first..end {
        let found: BTreeSet<Column> = (0..end_col)
            .filter_map(|c| match match_header(grid.header_text(row, c)) {
                Some(HeaderMatch::Column(col)) => Some(col),
                _ => None,
            })
            .collect();
        if !found.contains(&Column::Name) || found.len() < 3 {
            continue;
        }
        let below = row + 1;
        let mut sub_ok = false;
        let mut sub_bad = false;
        for c in 0..end_col {
            let upper = grid.header_text(row, c);
            let lower = grid.header_text(below, c);
            if lower.is_empty() || lower == upper {
                continue;
            }
            if match_sub_header(upper, lower).is_some() {
                sub_ok = true;
            } else {
                sub_bad = true;
            }
        }
        let two_rows = sub_ok && !sub_bad;
        let mut layout = Layout {
            header_row: row,
            data_start: if two_rows { row + 2 } else { row + 1 },
            ..Layout::default()
        };
        for c in 0..end_col {
            let upper = grid.header_text(row, c);
            let lower = if two_rows { grid.header_text(below, c) } else { "" };
            let (matched, text) = if !lower.is_empty() && lower != upper {
                let text = if match_header(lower).is_some() || upper.is_empty() {
                    clean_header(lower)
                } else {
                    clean_header(&format!("{upper}{lower}"))
                };
                (match_sub_header(upper, lower), text)
            } else {
                (match_header(upper), clean_header(upper))
            };
            match matched {
                Some(HeaderMatch::Column(col)) => {
                    if let std::collections::btree_map::Entry::Vacant(slot) =
                        layout.columns.entry(col)
                    {
                        slot.insert(c);
                        layout.headers.insert(col, text);
                    } else if col == Column::LegalBasis {
                        layout.extra_basis.push(c);
                    } else {
                        layout.duplicated.push((c, text));
                    }
                }
                Some(HeaderMatch::NotStored) => layout.ignored.push((c, text, true)),
                None if !text.is_empty() => layout.ignored.push((c, text, false)),
                None => {}
            }
        }
        return Some(layout);
    }
    None
}

/// The duty kind a sheet name implies: 基本履职事项, 配合履职事项清单, 上级部门收回事项.
fn duty_from_sheet(name: &str) -> Option<&'static str> {
    if name.contains("基本履职") {
        Some("基本履职")
    } else if name.contains("配合履职") {
        Some("配合履职")
    } else if name.contains("收回") {
        Some("上级部门收回")
    } else {
        None
    }
}

/// A section row such as 一、行政许可（共12项） names the category of the rows below it.
fn section_category(text: &str) -> Option<(PowerCategory, String)> {
    let body = split_numbering(text).map_or(text, |(_, rest)| rest);
    let body = body.split(['（', '(']).next().unwrap_or(body).trim();
    let body = body.trim_end_matches(['事', '项', '类']);
    PowerCategory::parse(body).ok().map(|c| (c, body.to_owned()))
}

/// The main item a following sub-item row belongs to.
#[derive(Debug, Clone)]
struct MainRow {
    name: String,
    category: String,
    seq: String,
}

/// `2-1`, `2－1`, `2.1` → `2`: the main item's number of a sub-item row.
fn sub_seq_prefix(seq: &str) -> Option<&str> {
    let idx = seq.find(['-', '－', '.', '—'])?;
    let (main, rest) = seq.split_at(idx);
    let rest = &rest[rest.chars().next().map_or(0, char::len_utf8)..];
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    (digits(main) && digits(rest)).then_some(main)
}

struct Importer<'u> {
    units: &'u UnitDirectory,
    options: &'u ImportOptions,
    items: Vec<ImportedItem>,
    problems: Vec<Problem>,
    sheet_headers: HashMap<String, BTreeMap<Column, String>>,
    sheet_order: HashMap<String, usize>,
    sheets_with_header: usize,
}

/// One data row's cells by column.
struct RowCells<'g> {
    grid: &'g Grid<'g>,
    layout: &'g Layout,
    row: u32,
}

impl<'g> RowCells<'g> {
    fn get(&self, col: Column) -> &'g str {
        self.layout.columns.get(&col).map_or("", |c| self.grid.text(self.row, *c))
    }

    fn opt(&self, col: Column) -> Option<String> {
        let text = self.get(col);
        (!text.is_empty()).then(|| text.to_owned())
    }

    fn numeric(&self, col: Column) -> bool {
        self.layout.columns.get(&col).is_some_and(|c| self.grid.numeric(self.row, *c))
    }

    fn legal_basis(&self) -> String {
        let mut text = self.get(Column::LegalBasis).to_owned();
        for c in &self.layout.extra_basis {
            let more = self.grid.text(self.row, *c);
            if !more.is_empty() {
                if !text.is_empty() {
                    text.push('\n');
                }
                text.push_str(more);
            }
        }
        text
    }
}

const SERVICE_COLUMNS: [Column; 9] = [
    Column::Conditions,
    Column::Materials,
    Column::StatutoryLimit,
    Column::CommittedLimit,
    Column::Fee,
    Column::Channels,
    Column::Place,
    Column::Phone,
    Column::Trips,
];

impl<'u> Importer<'u> {
    fn new(units: &'u UnitDirectory, options: &'u ImportOptions) -> Importer<'u> {
        Importer {
            units,
            options,
            items: Vec::new(),
            problems: Vec::new(),
            sheet_headers: HashMap::new(),
            sheet_order: HashMap::new(),
            sheets_with_header: 0,
        }
    }

    fn sheet_problem(
        &mut self,
        sheet: &str,
        severity: Severity,
        code: &str,
        zh: String,
        en: String,
    ) {
        self.problems.push(Problem {
            sheet: sheet.to_owned(),
            row: None,
            column: None,
            severity,
            code: code.to_owned(),
            message_zh: zh,
            message_en: en,
        });
    }

    fn sheet(&mut self, grid: &Grid<'_>) {
        let sheet = grid.name.as_str();
        let order = self.sheet_order.len();
        self.sheet_order.entry(sheet.to_owned()).or_insert(order);
        let Some(layout) = find_layout(grid) else {
            // A notes sheet (填表说明) is common; it is reported, and becomes an error in
            // `finish` only when no sheet at all has a header.
            self.sheet_problem(
                sheet,
                Severity::Warning,
                "no_header",
                format!(
                    "工作表“{sheet}”前{HEADER_SEARCH_ROWS}行中未找到表头（应包含事项名称及事项类型、实施主体等列），该表未导入"
                ),
                format!("sheet {sheet}: no header row with the item name and two other known columns in the first {HEADER_SEARCH_ROWS} rows; not imported"),
            );
            return;
        };
        self.sheets_with_header += 1;
        let header_loc = Loc { sheet, row: layout.header_row + 1, headers: &layout.headers };
        for (_, text, known) in &layout.ignored {
            let (zh, en) = if *known {
                (format!("“{text}”列本系统不保存，已忽略"), format!("column {text} is not stored"))
            } else {
                (format!("未识别的列“{text}”，已忽略"), format!("unknown column {text} ignored"))
            };
            let mut p = header_loc.problem(None, Severity::Warning, "ignored_column", zh, en);
            p.column = Some(text.clone());
            self.problems.push(p);
        }
        for (_, text) in &layout.duplicated {
            let mut p = header_loc.problem(
                None,
                Severity::Warning,
                "duplicate_column",
                format!("“{text}”列与前面的列重复，已忽略"),
                format!("column {text} repeats an earlier column and is ignored"),
            );
            p.column = Some(text.clone());
            self.problems.push(p);
        }
        let sheet_category = PowerCategory::parse(sheet).ok();
        if !layout.has(Column::Holder) && self.options.default_holder.is_none() {
            self.sheet_problem(
                sheet,
                Severity::Error,
                "missing_column",
                format!("工作表“{sheet}”缺少“实施主体”列"),
                format!("sheet {sheet} has no holder (实施主体) column"),
            );
        }
        if !layout.has(Column::Category) && sheet_category.is_none() {
            self.sheet_problem(
                sheet,
                Severity::Warning,
                "missing_column",
                format!("工作表“{sheet}”缺少“事项类型”列，将按分类标题行确定类型"),
                format!("sheet {sheet} has no category column; section rows must give it"),
            );
        }
        self.sheet_headers.insert(sheet.to_owned(), layout.headers.clone());
        self.rows(grid, &layout, sheet_category);
    }

    fn rows(&mut self, grid: &Grid<'_>, layout: &Layout, sheet_category: Option<PowerCategory>) {
        let sheet = grid.name.as_str();
        // Without merged regions, a blank type or name under a main item means "same as above".
        let inherit = !grid.has_vertical_merges_from(layout.data_start);
        let sheet_duty = duty_from_sheet(sheet);
        let name_header = layout.headers.get(&Column::Name).cloned().unwrap_or_default();
        let mut main: Option<MainRow> = None;
        let mut section: Option<PowerCategory> = None;
        let end = grid.end_row();
        let mut row = layout.data_start;
        let progress = self.options.progress.as_ref();
        let total = u64::from(end.saturating_sub(row));
        progress::stage(progress, &format!("解析工作表“{sheet}”"), total);
        while row < end {
            let this = row;
            row += 1;
            progress::advance(progress, u64::from(row - layout.data_start), total);
            if grid.row_is_blank(this) {
                continue;
            }
            let cells = RowCells { grid, layout, row: this };
            let loc = Loc { sheet, row: this + 1, headers: &layout.headers };
            // A header repeated on each printed page.
            if cells.get(Column::Name) == name_header {
                continue;
            }
            let mut non_empty = grid.non_empty_cells(this);
            if let (Some(only), None) = (non_empty.next(), non_empty.next())
                && !matches!(layout.column_at(only), Some(Column::Name | Column::SubItem))
            {
                let text = grid.text(this, only);
                if let Some((cat, _)) = section_category(text) {
                    section = Some(cat);
                    main = None;
                } else {
                    self.problems.push(loc.problem(
                        None,
                        Severity::Warning,
                        "skipped_row",
                        format!("该行只有“{}”一个单元格，不是事项，已跳过", shorten(text)),
                        format!("row holds a single cell ({}) and was skipped", shorten(text)),
                    ));
                }
                continue;
            }
            let seq = cells.get(Column::Seq);
            let mut name = cells.get(Column::Name).to_owned();
            let mut sub = cells.get(Column::SubItem).to_owned();
            let mut category = cells.get(Column::Category).to_owned();
            let sub_prefix = sub_seq_prefix(seq);
            if !layout.has(Column::SubItem)
                && let (Some(prefix), Some(m)) = (sub_prefix, &main)
                && m.seq == prefix
            {
                // 1-1 under 1 with no 子项 column: the name cell holds the sub-item.
                if name != m.name {
                    sub = std::mem::take(&mut name);
                    name = m.name.clone();
                }
                if category.is_empty() {
                    category = m.category.clone();
                }
            } else if inherit
                && name.is_empty()
                && (!sub.is_empty() || sub_prefix.is_some())
                && let Some(m) = &main
            {
                name = m.name.clone();
                if category.is_empty() {
                    category = m.category.clone();
                }
            }
            if !name.is_empty() {
                let is_new_main = main.as_ref().is_none_or(|m| m.name != name);
                if is_new_main || sub.is_empty() {
                    main = Some(MainRow {
                        name: name.clone(),
                        category: category.clone(),
                        seq: sub_prefix.unwrap_or(seq).to_owned(),
                    });
                }
            }
            // A main-item row with no content of its own, followed by its sub-items, is a heading.
            if sub.is_empty()
                && !name.is_empty()
                && cells.get(Column::Holder).is_empty()
                && cells.legal_basis().is_empty()
                && self.next_is_sub_item(grid, layout, row, &name, seq)
            {
                continue;
            }
            let sub = (!sub.is_empty()).then_some(sub);
            if let Some(item) = self.item(
                &cells,
                &loc,
                name,
                sub,
                &category,
                section.or(sheet_category),
                sheet_duty,
            ) {
                self.push_item(&loc, &layout.headers, item);
            }
        }
    }

    fn next_is_sub_item(
        &self,
        grid: &Grid<'_>,
        layout: &Layout,
        from: u32,
        name: &str,
        seq: &str,
    ) -> bool {
        let Some(next) = (from..grid.end_row()).find(|r| !grid.row_is_blank(*r)) else {
            return false;
        };
        let cells = RowCells { grid, layout, row: next };
        let next_name = cells.get(Column::Name);
        let next_seq = cells.get(Column::Seq);
        let by_seq = !seq.is_empty() && sub_seq_prefix(next_seq) == Some(seq);
        let by_sub = layout.has(Column::SubItem) && !cells.get(Column::SubItem).is_empty();
        let same_name = next_name.is_empty() || next_name == name;
        (by_sub && same_name) || (by_seq && !layout.has(Column::SubItem)) || (by_seq && by_sub)
    }

    #[allow(clippy::too_many_arguments)]
    fn item(
        &mut self,
        cells: &RowCells<'_>,
        loc: &Loc<'_>,
        name: String,
        sub_item: Option<String>,
        category_text: &str,
        fallback_category: Option<PowerCategory>,
        sheet_duty: Option<&str>,
    ) -> Option<ExchangeItem> {
        let mut blocked = false;
        if name.is_empty() {
            self.problems.push(loc.problem(
                Some(Column::Name),
                Severity::Error,
                "missing_name",
                "事项名称为空".to_owned(),
                "item name is empty".to_owned(),
            ));
            blocked = true;
        }
        let (category, category_label) = match self.category(loc, category_text, fallback_category)
        {
            Some(c) => c,
            None => {
                blocked = true;
                (PowerCategory::Other, None)
            }
        };
        let holder = self.holder(cells, loc);
        let duty = self.duty(cells, loc, sheet_duty);
        let (Some(holder), Some(duty)) = (holder, duty) else { return None };
        if blocked {
            return None;
        }
        let (base_code, impl_code, local_code) = self.codes(cells, loc, holder);
        let legal_basis = text::parse_refs(&cells.legal_basis());
        let cooperation = self.cooperation(cells, loc);
        let responsibilities = self.responsibilities(cells, loc);
        let accountability = self.accountability(cells, loc);
        let source = match cells.get(Column::Source) {
            "" => self.options.default_source,
            raw => match PowerSource::parse(raw) {
                Ok(s) => s,
                Err(e) => {
                    self.invalid(loc, Column::Source, &e);
                    self.options.default_source
                }
            },
        };
        let level = match cells.get(Column::Level) {
            "" => self.default_level(holder),
            raw => match ExerciseLevel::parse(raw) {
                Ok(l) => l,
                Err(e) => {
                    self.invalid(loc, Column::Level, &e);
                    self.default_level(holder)
                }
            },
        };
        let service = self.service(cells, loc);
        let content = ItemContent {
            name,
            sub_item,
            category,
            category_label,
            base_code,
            impl_code,
            local_code,
            legal_basis,
            holder,
            handling_office: cells.opt(Column::Office),
            cooperation,
            source,
            level,
            responsibilities,
            accountability,
            service,
            remarks: cells.opt(Column::Remarks),
        };
        let Ok(variant) = self.variant(cells, loc) else { return None };
        Some(ExchangeItem { duty, content, variant })
    }

    /// The row's 差异 (适用范围, 差异, 差异理由), if it has one. A bad one is an error and
    /// drops the row.
    fn variant(&mut self, cells: &RowCells<'_>, loc: &Loc<'_>) -> Result<Option<Variant>, ()> {
        let scope = cells.get(Column::VariantScope).trim();
        let change = cells.get(Column::VariantChange).trim();
        if scope.is_empty() && change.is_empty() {
            return Ok(None);
        }
        let Some(change) = VariantChange::parse(change) else {
            self.problems.push(loc.problem(
                Some(Column::VariantChange),
                Severity::Error,
                "invalid_variant",
                format!("差异应为“增加”或“不承担”，此处为“{}”", shorten(change)),
                format!("the difference must be 增加 (add) or 不承担 (remove), not {change:?}"),
            ));
            return Err(());
        };
        let scope = match VariantScope::parse(scope, self.units) {
            Ok(scope) => scope,
            Err(zh) => {
                self.problems.push(loc.problem(
                    Some(Column::VariantScope),
                    Severity::Error,
                    "invalid_variant",
                    zh,
                    format!("scope {scope:?} is not 标签：<tag> or 乡镇：<known town>"),
                ));
                return Err(());
            }
        };
        let reason = cells.get(Column::VariantReason).trim().to_owned();
        Ok(Some(Variant { scope, change, reason }))
    }

    fn invalid(&mut self, loc: &Loc<'_>, col: Column, e: &ValidationError) {
        self.problems.push(loc.problem(
            Some(col),
            Severity::Error,
            "invalid_value",
            e.zh(),
            e.to_string(),
        ));
    }

    fn default_level(&self, holder: UnitId) -> ExerciseLevel {
        self.options.default_level.unwrap_or(match self.units.kind(holder) {
            Some(UnitKind::Township | UnitKind::Subdistrict) => ExerciseLevel::Township,
            _ => ExerciseLevel::County,
        })
    }

    fn category(
        &mut self,
        loc: &Loc<'_>,
        text: &str,
        fallback: Option<PowerCategory>,
    ) -> Option<(PowerCategory, Option<String>)> {
        if text.is_empty() {
            if let Some(c) = fallback {
                return Some((c, None));
            }
            self.problems.push(loc.problem(
                Some(Column::Category),
                Severity::Error,
                "missing_category",
                "事项类型为空".to_owned(),
                "category is empty".to_owned(),
            ));
            return None;
        }
        match PowerCategory::parse(text) {
            Ok(c) => Some((c, (text != c.zh()).then(|| text.to_owned()))),
            Err(e) => {
                self.problems.push(loc.problem(
                    Some(Column::Category),
                    Severity::Error,
                    "unknown_category",
                    e.zh(),
                    e.to_string(),
                ));
                None
            }
        }
    }

    fn unit(&mut self, loc: &Loc<'_>, col: Column, name: &str) -> Option<UnitId> {
        let found = self.units.find(name);
        if found.is_none() {
            self.problems.push(loc.problem(
                Some(col),
                Severity::Error,
                "unknown_unit",
                format!("单位“{name}”不在单位目录中，请核对名称或先添加该单位"),
                format!("unit {name} is not in the unit directory"),
            ));
        }
        found
    }

    fn holder(&mut self, cells: &RowCells<'_>, loc: &Loc<'_>) -> Option<UnitId> {
        match cells.get(Column::Holder) {
            "" => {
                if self.options.default_holder.is_none() {
                    self.problems.push(loc.problem(
                        Some(Column::Holder),
                        Severity::Error,
                        "missing_holder",
                        "实施主体为空".to_owned(),
                        "holder is empty".to_owned(),
                    ));
                }
                self.options.default_holder
            }
            name => self.unit(loc, Column::Holder, name),
        }
    }

    fn duty(
        &mut self,
        cells: &RowCells<'_>,
        loc: &Loc<'_>,
        sheet_duty: Option<&str>,
    ) -> Option<DutyKind> {
        let text = match cells.get(Column::DutyKind) {
            "" => sheet_duty.unwrap_or("基本履职"),
            t => t,
        };
        let (col, zh) = if text.contains("配合") {
            (Column::Lead, "牵头部门")
        } else if text.contains("收回") || text.contains("交还") {
            (Column::Receiver, "承接部门")
        } else if text.contains("基本") {
            return Some(DutyKind::Own);
        } else {
            self.problems.push(loc.problem(
                Some(Column::DutyKind),
                Severity::Error,
                "unknown_duty_kind",
                format!("履职类型“{text}”无法识别（应为基本履职、配合履职或上级部门收回）"),
                format!("unknown duty kind {text}"),
            ));
            return None;
        };
        let other = match cells.get(col) {
            "" => {
                self.problems.push(loc.problem(
                    Some(col),
                    Severity::Error,
                    "missing_counterpart",
                    format!("{text}事项须填写{zh}"),
                    format!("a {text} item needs the {zh} column"),
                ));
                return None;
            }
            name => self.unit(loc, col, name)?,
        };
        Some(if col == Column::Lead {
            DutyKind::Cooperate { lead: other }
        } else {
            DutyKind::Reclaimed { receiver: other }
        })
    }

    fn codes(
        &mut self,
        cells: &RowCells<'_>,
        loc: &Loc<'_>,
        holder: UnitId,
    ) -> (Option<BaseCode>, Option<ImplCode>, Option<String>) {
        let mut base: Option<BaseCode> = None;
        let mut imp: Option<ImplCode> = None;
        let mut local: Option<String> = None;
        for col in [Column::Code, Column::BaseCode, Column::ImplCode, Column::LocalCode] {
            let raw = cells.get(col);
            if raw.is_empty() {
                continue;
            }
            if cells.numeric(col) && col != Column::LocalCode {
                self.problems.push(loc.problem(
                    Some(col),
                    Severity::Warning,
                    "code_stored_as_number",
                    format!("编码“{raw}”以数字格式保存，前导零可能已丢失，请将该列设为文本格式"),
                    format!("code {raw} is stored as a number and may have lost leading zeros"),
                ));
            }
            let len = raw.chars().count();
            let upper = raw.to_ascii_uppercase();
            let parsed = match col {
                Column::LocalCode => Ok(None),
                Column::BaseCode => BaseCode::parse(&upper).map(|c| Some((Some(c), None))),
                Column::ImplCode => ImplCode::parse(&upper).map(|c| Some((None, Some(c)))),
                _ if len == 12 => BaseCode::parse(&upper).map(|c| Some((Some(c), None))),
                _ if len == 31 => ImplCode::parse(&upper).map(|c| Some((None, Some(c)))),
                _ => Ok(None),
            };
            match parsed {
                Ok(Some((b, i))) => {
                    if let Some(b) = b {
                        base = Some(b);
                    }
                    if let Some(i) = i {
                        imp = Some(i);
                    }
                }
                Ok(None) => local = Some(raw.to_owned()),
                Err(e) => self.problems.push(loc.problem(
                    Some(col),
                    Severity::Error,
                    "invalid_code",
                    e.zh(),
                    e.to_string(),
                )),
            }
        }
        if let (Some(i), Some(credit)) = (&imp, self.units.credit_code(holder))
            && i.credit_code() != *credit
        {
            let col = if cells.get(Column::ImplCode).is_empty() {
                Column::Code
            } else {
                Column::ImplCode
            };
            self.problems.push(loc.problem(
                Some(col),
                Severity::Warning,
                "impl_code_holder",
                format!("实施编码“{i}”所含统一社会信用代码与实施主体的代码“{credit}”不一致"),
                format!("implementation code {i} does not embed the holder's credit code {credit}"),
            ));
        }
        (base, imp, local)
    }

    fn cooperation(&mut self, cells: &RowCells<'_>, loc: &Loc<'_>) -> Vec<Cooperation> {
        let mut out: Vec<Cooperation> = Vec::new();
        for line in cells.get(Column::Cooperation).lines().map(str::trim).filter(|l| !l.is_empty())
        {
            let line = split_numbering(line).map_or(line, |(_, rest)| rest);
            if let Some(colon) = line.find(['：', ':']) {
                let after = line[colon..].chars().next().map_or(0, char::len_utf8);
                let duty = line[colon + after..].trim();
                for unit_name in line[..colon].split(['、', '，', ',', '/']) {
                    let unit_name = unit_name.trim();
                    if unit_name.is_empty() {
                        continue;
                    }
                    if let Some(unit) = self.unit(loc, Column::Cooperation, unit_name) {
                        out.push(Cooperation { unit, duty: duty.to_owned() });
                    }
                }
            } else if let Some(unit) = self.units.find(line) {
                out.push(Cooperation { unit, duty: String::new() });
            } else if let Some(last) = out.last_mut() {
                // A line without a unit name continues the previous unit's duty.
                if !last.duty.is_empty() {
                    last.duty.push('\n');
                }
                last.duty.push_str(line);
            } else {
                self.unit(loc, Column::Cooperation, line);
            }
        }
        out
    }

    fn responsibilities(&mut self, cells: &RowCells<'_>, loc: &Loc<'_>) -> Vec<Responsibility> {
        let mut out = text::parse_responsibilities(cells.get(Column::Responsibilities));
        let basis = cells.get(Column::ResponsibilityBasis);
        if basis.is_empty() {
            return out;
        }
        if out.is_empty() {
            self.problems.push(loc.problem(
                Some(Column::ResponsibilityBasis),
                Severity::Warning,
                "basis_without_entry",
                "填写了责任事项依据但没有责任事项，依据未导入".to_owned(),
                "responsibility basis without responsibilities was dropped".to_owned(),
            ));
            return out;
        }
        match text::sections(basis) {
            Sections::Blob(blob) => {
                let refs = text::parse_refs(&blob);
                for r in &mut out {
                    r.basis = refs.clone();
                }
            }
            Sections::Numbered(parts) => {
                for (number, label, body) in parts {
                    let idx = number
                        .map(|n| n as usize - 1)
                        .filter(|i| *i < out.len())
                        .or_else(|| out.iter().position(|r| r.stage == label));
                    match idx {
                        Some(i) => out[i].basis.extend(text::parse_refs(&body)),
                        None => self.unmatched_section(loc, Column::ResponsibilityBasis, label),
                    }
                }
            }
        }
        out
    }

    fn unmatched_section(&mut self, loc: &Loc<'_>, col: Column, label: &str) {
        self.problems.push(loc.problem(
            Some(col),
            Severity::Warning,
            "unmatched_section",
            format!("“{label}”一段找不到对应的条目，未导入"),
            format!("section {label} matches no entry and was dropped"),
        ));
    }

    fn accountability(&mut self, cells: &RowCells<'_>, loc: &Loc<'_>) -> Vec<Accountability> {
        let situations = text::parse_situations(cells.get(Column::AccountabilitySituations));
        let basis = cells.get(Column::AccountabilityBasis);
        let parties = cells.get(Column::AccountabilityParties);
        let mut out: Vec<Accountability> = situations
            .into_iter()
            .map(|situation| Accountability { situation, basis: Vec::new(), parties: Vec::new() })
            .collect();
        if out.is_empty() && !(basis.is_empty() && parties.is_empty()) {
            self.problems.push(loc.problem(
                Some(Column::AccountabilitySituations),
                Severity::Warning,
                "missing_situation",
                "填写了追责依据或追责对象，但追责情形为空".to_owned(),
                "accountability basis or parties without a situation".to_owned(),
            ));
            out.push(Accountability {
                situation: String::new(),
                basis: Vec::new(),
                parties: Vec::new(),
            });
        }
        for (col, text) in
            [(Column::AccountabilityBasis, basis), (Column::AccountabilityParties, parties)]
        {
            if text.is_empty() {
                continue;
            }
            let parse = |t: &str, a: &mut Accountability| {
                if col == Column::AccountabilityBasis {
                    a.basis.extend(text::parse_refs(t));
                } else {
                    a.parties.extend(text::parse_parties(t));
                }
            };
            match text::sections(text) {
                Sections::Blob(blob) => out.iter_mut().for_each(|a| parse(&blob, a)),
                Sections::Numbered(parts) => {
                    for (number, label, body) in parts {
                        match number.map(|n| n as usize - 1).filter(|i| *i < out.len()) {
                            Some(i) => parse(&body, &mut out[i]),
                            None => self.unmatched_section(loc, col, label),
                        }
                    }
                }
            }
        }
        out
    }

    fn service(&mut self, cells: &RowCells<'_>, loc: &Loc<'_>) -> Option<ServiceInfo> {
        if SERVICE_COLUMNS.iter().all(|c| cells.get(*c).is_empty()) {
            return None;
        }
        let mut limit = |col: Column| match cells.get(col) {
            "" => None,
            raw => match TimeLimit::parse(raw) {
                Ok(l) => Some(l),
                Err(e) => {
                    self.invalid(loc, col, &e);
                    None
                }
            },
        };
        let statutory_limit = limit(Column::StatutoryLimit);
        let committed_limit = limit(Column::CommittedLimit);
        let fee = match cells.get(Column::Fee) {
            "" | "不收费" | "免费" | "无" | "否" | "免收" => None,
            other => Some(other.to_owned()),
        };
        let trips = match cells.get(Column::Trips) {
            "" => None,
            "零跑动" | "零次" => Some(0),
            "最多跑一次" | "一次" => Some(1),
            raw => {
                let digits: String = raw.chars().take_while(char::is_ascii_digit).collect();
                match digits.parse::<u8>() {
                    Ok(n) => Some(n),
                    Err(_) => {
                        self.problems.push(loc.problem(
                            Some(Column::Trips),
                            Severity::Error,
                            "invalid_value",
                            format!("到办事现场次数“{raw}”不是0至255之间的次数"),
                            format!("trips {raw} is not a count"),
                        ));
                        None
                    }
                }
            }
        };
        Some(ServiceInfo {
            conditions: cells.opt(Column::Conditions),
            materials: text::parse_materials(cells.get(Column::Materials)),
            statutory_limit,
            committed_limit,
            fee,
            channels: text::parse_parties(cells.get(Column::Channels)),
            place: cells.opt(Column::Place),
            phone: cells.opt(Column::Phone),
            trips,
        })
    }

    /// Records an item with the findings of [`ItemContent::issues`] at their columns.
    fn push_item(&mut self, loc: &Loc<'_>, headers: &BTreeMap<Column, String>, item: ExchangeItem) {
        for issue in item.content.issues() {
            let col = match issue.field.as_str() {
                "name" => Some(Column::Name),
                "impl_code" if headers.contains_key(&Column::ImplCode) => Some(Column::ImplCode),
                "impl_code" => Some(Column::Code),
                "legal_basis" => Some(Column::LegalBasis),
                "responsibilities" => Some(Column::Responsibilities),
                "accountability" => Some(Column::AccountabilitySituations),
                _ => None,
            };
            self.problems.push(loc.problem(
                col,
                issue.severity,
                &issue.code,
                issue.message_zh,
                issue.message_en,
            ));
        }
        self.items.push(ImportedItem { sheet: loc.sheet.to_owned(), row: loc.row, item });
    }

    /// Adds duplicate findings across the whole file (one file is one list) and sorts problems.
    fn finish(mut self) -> Imported {
        if self.sheets_with_header == 0 {
            for p in self.problems.iter_mut().filter(|p| p.code == "no_header") {
                p.severity = Severity::Error;
            }
        }
        let mut by_name: HashMap<(&str, &str), usize> = HashMap::new();
        let mut by_impl: HashMap<&ImplCode, usize> = HashMap::new();
        let mut by_base: HashMap<(UnitId, &BaseCode), usize> = HashMap::new();
        let mut by_local: HashMap<(&str, UnitId, &str), usize> = HashMap::new();
        let mut found: Vec<(usize, usize, Column, Severity, &'static str)> = Vec::new();
        // Rows of a 差异声明 repeat template items on purpose (a town does not hold one, or
        // holds it with another duty kind); they are checked against the template by the
        // caller, not as duplicates here.
        for (i, it) in self.items.iter().enumerate().filter(|(_, it)| it.item.variant.is_none()) {
            let c = &it.item.content;
            let key = (c.name.trim(), c.sub_item.as_deref().unwrap_or("").trim());
            if let Some(&j) = by_name.get(&key) {
                let same_holder = self.items[j].item.content.holder == c.holder;
                let severity = if same_holder { Severity::Error } else { Severity::Warning };
                found.push((i, j, Column::Name, severity, "duplicate_item"));
            } else {
                by_name.insert(key, i);
            }
            if let Some(code) = &c.impl_code
                && let Some(j) = by_impl.insert(code, i)
            {
                found.push((i, j, Column::ImplCode, Severity::Error, "duplicate_code"));
            }
            if let Some(code) = &c.base_code
                && let Some(j) = by_base.insert((c.holder, code), i)
            {
                found.push((i, j, Column::BaseCode, Severity::Error, "duplicate_code"));
            }
            if let Some(code) = &c.local_code
                && let Some(j) = by_local.insert((it.sheet.as_str(), c.holder, code.as_str()), i)
            {
                found.push((i, j, Column::LocalCode, Severity::Warning, "duplicate_code"));
            }
        }
        let empty = BTreeMap::new();
        let mut dupes = Vec::new();
        for (i, j, col, severity, code) in found {
            let (it, first) = (&self.items[i], &self.items[j]);
            let headers = self.sheet_headers.get(&it.sheet).unwrap_or(&empty);
            let col =
                if headers.contains_key(&col) || col == Column::Name { col } else { Column::Code };
            let loc = Loc { sheet: &it.sheet, row: it.row, headers };
            let what = it.item.content.display_name();
            let (zh, en) = if code == "duplicate_item" && severity == Severity::Warning {
                (
                    format!(
                        "“{what}”与工作表“{}”第{}行同名，但实施主体不同，请核对",
                        first.sheet, first.row
                    ),
                    format!(
                        "{what} has the same name as row {} of {} with another holder",
                        first.row, first.sheet
                    ),
                )
            } else {
                (
                    format!("“{what}”与工作表“{}”第{}行重复", first.sheet, first.row),
                    format!("{what} duplicates row {} of {}", first.row, first.sheet),
                )
            };
            dupes.push(loc.problem(Some(col), severity, code, zh, en));
        }
        self.problems.extend(dupes);
        let order = &self.sheet_order;
        self.problems.sort_by_key(|p| {
            (order.get(&p.sheet).copied().unwrap_or(usize::MAX), p.row.unwrap_or(0))
        });
        Imported { items: self.items, problems: self.problems }
    }
}

fn shorten(text: &str) -> String {
    let mut out: String = text.chars().take(20).collect();
    if text.chars().count() > 20 {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sub_item_numbers() {
        assert_eq!(sub_seq_prefix("2-1"), Some("2"));
        assert_eq!(sub_seq_prefix("12－3"), Some("12"));
        assert_eq!(sub_seq_prefix("2"), None);
        assert_eq!(sub_seq_prefix("一、"), None);
    }

    #[test]
    fn section_rows_name_categories() {
        assert_eq!(
            section_category("一、行政许可（共12项）").map(|c| c.0),
            Some(PowerCategory::Licensing)
        );
        assert_eq!(section_category("二、行政处罚类").map(|c| c.0), Some(PowerCategory::Penalty));
        assert_eq!(section_category("注：本清单自公布之日起施行"), None);
    }

    #[test]
    fn sniffs_ole_files() {
        let mut ole = CFB_MAGIC.to_vec();
        ole.extend_from_slice(&[0; 64]);
        assert!(matches!(sniff(&ole), Err(ImportError::LegacyXls)));
        ole.extend("EncryptedPackage".encode_utf16().flat_map(u16::to_le_bytes));
        assert!(matches!(sniff(&ole), Err(ImportError::Encrypted)));
        assert!(matches!(sniff(b"hello"), Err(ImportError::NotXlsx)));
    }
}
