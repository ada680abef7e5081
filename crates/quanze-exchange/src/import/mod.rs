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
use crate::error::{Expansion, ImportError, Problem};
use crate::grid::{Grid, HEADER_SEARCH_ROWS};
use crate::progress::{self, ProgressHandle};
use crate::text::{self, Sections, split_numbering};
use crate::units::UnitDirectory;
use crate::variant::{Variant, VariantChange, VariantScope};

mod fields;
mod rows;

/// The default size cap: 200 MiB, far above a county's whole list (a 100,000-row workbook is
/// about 10 MiB) and low enough that a stray upload cannot exhaust memory.
pub const DEFAULT_MAX_BYTES: u64 = 200 * 1024 * 1024;

/// 解压限额 — how far an xlsx archive may expand, checked by reading it through once, entry by
/// entry in 64 KiB pieces, before the workbook is parsed: the parser then never holds more
/// than the budget's worth of XML (a 4 MB zip bomb expands to gigabytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArchiveLimits {
    /// The most bytes of all entries once decompressed (default 128 MiB: a 100,000-row list
    /// is about a third of it).
    pub max_uncompressed: u64,
    /// The most entries (default 10,000).
    pub max_entries: usize,
    /// The largest ratio of an entry's size to its compressed size, for entries past 1 MiB
    /// (default 200; Excel's XML compresses about 10 to 20 times).
    pub max_ratio: u64,
    /// The most cells a sheet's span may cover, first to last row times first to last column
    /// (default 8,000,000: the reader lays a sheet out as that rectangle, so two cells at A1
    /// and XFD1048576 would ask for 17 billion; a 100,000-row list of 40 columns is 4,000,000).
    pub max_cells: u64,
}

impl Default for ArchiveLimits {
    fn default() -> ArchiveLimits {
        ArchiveLimits {
            max_uncompressed: 128 * 1024 * 1024,
            max_entries: 10_000,
            max_ratio: 200,
            max_cells: 8_000_000,
        }
    }
}

/// Refuses an archive at the first limit passed: first by the sizes its directory declares (a
/// bomb that declares itself costs no inflating), then reading every entry once, counting, with
/// no entry allowed past the size it declares (so a bomb that lies about itself is stopped at
/// its lie, and the declared sizes bound the work).
fn check_archive(bytes: &[u8], limits: &ArchiveLimits) -> Result<(), ImportError> {
    use std::io::Read;
    let corrupt = |e: zip::result::ZipError| ImportError::Corrupt(e.to_string());
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(corrupt)?;
    if archive.len() > limits.max_entries {
        return Err(ImportError::Expands(Expansion::Entries { max: limits.max_entries }));
    }
    let mut declared = Vec::with_capacity(archive.len());
    let mut declared_total = 0u64;
    for i in 0..archive.len() {
        let entry = archive.by_index_raw(i).map_err(corrupt)?;
        let (size, compressed) = (entry.size(), entry.compressed_size().max(1));
        declared_total = declared_total.saturating_add(size);
        if declared_total > limits.max_uncompressed {
            return Err(ImportError::Expands(Expansion::Bytes { max: limits.max_uncompressed }));
        }
        if size > 1024 * 1024 && size / compressed > limits.max_ratio {
            return Err(ImportError::Expands(Expansion::Ratio { max: limits.max_ratio }));
        }
        declared.push(size);
    }
    let mut total = 0u64;
    let mut buf = vec![0u8; 64 * 1024];
    for (i, &declared) in declared.iter().enumerate() {
        let mut entry = archive.by_index(i).map_err(corrupt)?;
        let compressed = entry.compressed_size().max(1);
        // A name that is not UTF-8 is no sheet Excel wrote; its span is then not looked for,
        // and the reader finds no sheet there either.
        let sheet = entry
            .name()
            .is_ok_and(|name| name.starts_with("xl/worksheets/") && name.ends_with(".xml"));
        let mut span = Span::default();
        let mut carry: Vec<u8> = Vec::new();
        let mut size = 0u64;
        loop {
            let n = entry.read(&mut buf).map_err(|e| ImportError::Corrupt(e.to_string()))?;
            if n == 0 {
                if sheet && span.cells() > limits.max_cells {
                    return Err(ImportError::Expands(Expansion::Cells { max: limits.max_cells }));
                }
                break;
            }
            if sheet {
                carry.extend_from_slice(&buf[..n]);
                let used = span.scan(&carry);
                carry.drain(..used);
            }
            size += n as u64;
            total += n as u64;
            if size > declared {
                return Err(ImportError::Corrupt(format!(
                    "entry {i} holds more than the {declared} bytes it declares"
                )));
            }
            if total > limits.max_uncompressed {
                return Err(ImportError::Expands(Expansion::Bytes {
                    max: limits.max_uncompressed,
                }));
            }
            if size > 1024 * 1024 && size / compressed > limits.max_ratio {
                return Err(ImportError::Expands(Expansion::Ratio { max: limits.max_ratio }));
            }
        }
    }
    Ok(())
}

/// The rows and columns a sheet's cell references reach (`<row r="N">`, `<c r="XFD9">`),
/// read from its XML as it streams by.
#[derive(Debug, Default)]
struct Span {
    rows: Option<(u64, u64)>,
    cols: Option<(u64, u64)>,
}

impl Span {
    /// The rectangle's cells.
    fn cells(&self) -> u64 {
        let extent = |r: Option<(u64, u64)>| r.map_or(1, |(lo, hi)| hi - lo + 1);
        extent(self.rows).saturating_mul(extent(self.cols))
    }

    fn widen(range: &mut Option<(u64, u64)>, v: u64) {
        *range = Some(range.map_or((v, v), |(lo, hi)| (lo.min(v), hi.max(v))));
    }

    /// Notes the references in `text`; returns how many bytes are done with (the rest may hold
    /// a reference cut by the chunk's end).
    fn scan(&mut self, text: &[u8]) -> usize {
        const MARK: &[u8] = b" r=\"";
        let mut at = 0;
        while let Some(found) = text[at..].windows(MARK.len()).position(|w| w == MARK) {
            let start = at + found + MARK.len();
            let Some(len) = text[start..].iter().take(24).position(|b| *b == b'"') else {
                // Cut by the chunk's end: kept for the next one, unless too long to be a
                // reference at all.
                if text.len() - start < 24 {
                    return at + found;
                }
                at = start;
                continue;
            };
            self.note(&text[start..start + len]);
            at = start + len + 1;
        }
        at.max(text.len().saturating_sub(MARK.len()))
    }

    fn note(&mut self, reference: &[u8]) {
        let letters = reference.iter().take_while(|b| b.is_ascii_uppercase()).count();
        let digits = &reference[letters..];
        if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) || digits.len() > 12 {
            return;
        }
        let row = digits.iter().fold(0u64, |n, d| n * 10 + u64::from(d - b'0'));
        Span::widen(&mut self.rows, row);
        if letters > 0 {
            let col = reference[..letters.min(8)]
                .iter()
                .fold(0u64, |n, c| n * 26 + u64::from(c - b'A' + 1));
            Span::widen(&mut self.cols, col);
        }
    }
}

/// How to read a file.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// Files larger than this are refused before parsing.
    pub max_bytes: u64,
    /// How far an xlsx may expand.
    pub archive: ArchiveLimits,
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
            archive: ArchiveLimits::default(),
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
        if let Some(guide) = item.guide {
            known(guide, Column::Guide);
        }
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
    check_archive(bytes, &options.archive)?;
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
pub(crate) struct Loc<'a> {
    pub(crate) sheet: &'a str,
    pub(crate) row: u32,
    pub(crate) headers: &'a BTreeMap<Column, String>,
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
pub(crate) struct Layout {
    pub(crate) columns: BTreeMap<Column, u32>,
    /// Further legal-basis columns (设定依据 and 实施依据 side by side): appended.
    extra_basis: Vec<u32>,
    /// Header texts as written, for problem locations.
    pub(crate) headers: BTreeMap<Column, String>,
    pub(crate) header_row: u32,
    pub(crate) data_start: u32,
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

pub(crate) struct Importer<'u> {
    units: &'u UnitDirectory,
    options: &'u ImportOptions,
    items: Vec<ImportedItem>,
    problems: Vec<Problem>,
    pub(crate) sheet_headers: HashMap<String, BTreeMap<Column, String>>,
    pub(crate) sheet_order: HashMap<String, usize>,
    pub(crate) sheets_with_header: usize,
}

/// One data row's cells by column.
pub(crate) struct RowCells<'g> {
    pub(crate) grid: &'g Grid<'g>,
    pub(crate) layout: &'g Layout,
    pub(crate) row: u32,
}

impl<'g> RowCells<'g> {
    pub(crate) fn get(&self, col: Column) -> &'g str {
        self.layout.columns.get(&col).map_or("", |c| self.grid.text(self.row, *c))
    }

    pub(crate) fn opt(&self, col: Column) -> Option<String> {
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

pub(crate) const SERVICE_COLUMNS: [Column; 10] = [
    Column::Conditions,
    Column::Materials,
    Column::StatutoryLimit,
    Column::CommittedLimit,
    Column::Fee,
    Column::Channels,
    Column::Place,
    Column::Phone,
    Column::Trips,
    Column::Sessions,
];

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
    fn a_sheets_span_is_read_across_any_chunk_boundary() {
        let xml = br#"<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="XFD1048576" t="n"><v>2</v></c></row>"#;
        for split in 1..xml.len() {
            let mut span = Span::default();
            let mut carry = Vec::new();
            for chunk in [&xml[..split], &xml[split..]] {
                carry.extend_from_slice(chunk);
                let used = span.scan(&carry);
                carry.drain(..used);
            }
            assert_eq!(span.rows, Some((1, 1_048_576)), "split at {split}");
            assert_eq!(span.cols, Some((1, 16_384)), "split at {split}");
        }
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
