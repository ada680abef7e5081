//! Export: a list to xlsx in the published layout, to CSV with the same columns, to JSON.

use std::collections::HashSet;

use quanze_core::{DutyKind, LegalRef, PowerCategory, UnitId};
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, Worksheet};

use crate::ExchangeItem;
use crate::columns::Column;
use crate::error::ExportError;
use crate::progress::{self, ProgressHandle};
use crate::text;
use crate::units::UnitDirectory;
use crate::variant::{VARIANT_SHEET, VariantScope};

/// How items are spread over sheets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SheetSplit {
    /// One sheet with every item.
    #[default]
    Single,
    /// One sheet per 事项类型, in code order.
    ByCategory,
    /// One sheet per 实施主体, in order of first appearance.
    ByHolder,
    /// A township list: 基本履职, 配合履职 (with 牵头部门) and 上级部门收回 (with 承接部门) sheets.
    ByDutyKind,
}

/// How to write a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportOptions {
    /// The title row, e.g. 某某镇权责清单.
    pub title: String,
    /// How items are spread over sheets.
    pub split: SheetSplit,
    /// Where to report progress, sheet by sheet and item by item.
    pub progress: Option<ProgressHandle>,
}

impl ExportOptions {
    /// One sheet under this title.
    pub fn new(title: &str) -> ExportOptions {
        ExportOptions { title: title.to_owned(), split: SheetSplit::Single, progress: None }
    }
}

/// Sheet names that the importer reads back as duty kinds.
const DUTY_SHEETS: [(&str, &str); 3] =
    [("own", "基本履职事项"), ("cooperate", "配合履职事项"), ("reclaimed", "上级部门收回事项")];

/// Writes a list as an xlsx workbook: a title row merged across the sheet, a frozen header row
/// repeated on each printed page, one row per item or sub-item with the main item's 事项类型 and
/// 事项名称 merged over its sub-items, wrapped text, A4 landscape one page wide.
pub fn export_xlsx(
    items: &[ExchangeItem],
    units: &UnitDirectory,
    options: &ExportOptions,
) -> Result<Vec<u8>, ExportError> {
    let all: Vec<&ExchangeItem> = items.iter().collect();
    let mut workbook = Workbook::new();
    let formats = Formats::new();
    let mut used_names = HashSet::new();
    let progress = options.progress.as_ref();
    let sheets = split(items, units, options.split)?;
    let n_sheets = sheets.len();
    for (i, (name, sheet_items, duty_sheet)) in sheets.into_iter().enumerate() {
        progress::stage(
            progress,
            &format!("写出工作表“{name}”（{}/{n_sheets}）", i + 1),
            sheet_items.len() as u64,
        );
        let columns = columns(&all, duty_sheet);
        let sheet_name = unique_sheet_name(&name, &mut used_names);
        let title = match options.split {
            SheetSplit::Single => options.title.clone(),
            _ => format!("{}（{}）", options.title, name),
        };
        let worksheet = workbook.add_worksheet();
        worksheet.set_name(&sheet_name)?;
        write_sheet(worksheet, &title, &columns, &sheet_items, units, &formats, progress)?;
    }
    progress::stage(progress, "压缩保存工作簿", 0);
    Ok(workbook.save_to_buffer()?)
}

/// Writes a list as CSV (UTF-8 with a byte-order mark, so Excel opens it as UTF-8): a header row
/// and one row per item with the same columns as the xlsx layout, the name repeated on each
/// sub-item row.
pub fn export_csv(items: &[ExchangeItem], units: &UnitDirectory) -> Result<Vec<u8>, ExportError> {
    let all: Vec<&ExchangeItem> = items.iter().collect();
    let columns = columns(&all, None);
    let mut out = b"\xEF\xBB\xBF".to_vec();
    {
        let mut writer = csv::Writer::from_writer(&mut out);
        writer.write_record(columns.iter().map(|c| c.header()))?;
        let numbers = numbering(&all);
        for (item, number) in all.iter().zip(numbers) {
            let mut record = Vec::with_capacity(columns.len());
            for col in &columns {
                record.push(match col {
                    Column::Seq => number.clone(),
                    col => cell_text(item, *col, units)?,
                });
            }
            writer.write_record(&record)?;
        }
        writer.flush().map_err(csv::Error::from)?;
    }
    Ok(out)
}

/// Writes the items as pretty-printed JSON, for open data and for [`crate::import_json`].
pub fn export_json(items: &[ExchangeItem]) -> Result<Vec<u8>, ExportError> {
    Ok(serde_json::to_vec_pretty(items)?)
}

type SheetPlan<'a> = (String, Vec<&'a ExchangeItem>, Option<&'static str>);

fn split<'a>(
    items: &'a [ExchangeItem],
    units: &UnitDirectory,
    how: SheetSplit,
) -> Result<Vec<SheetPlan<'a>>, ExportError> {
    let mut sheets: Vec<SheetPlan<'a>> = Vec::new();
    // A township template's declared differences go on a sheet of their own, after the rest.
    let (variants, items): (Vec<&'a ExchangeItem>, Vec<&'a ExchangeItem>) =
        items.iter().partition(|i| i.variant.is_some());
    match how {
        SheetSplit::Single => sheets.push(("权责清单".to_owned(), items.clone(), None)),
        SheetSplit::ByCategory => {
            for cat in PowerCategory::ALL {
                let part: Vec<_> =
                    items.iter().copied().filter(|i| i.content.category == cat).collect();
                if !part.is_empty() {
                    sheets.push((cat.zh().to_owned(), part, None));
                }
            }
        }
        SheetSplit::ByHolder => {
            let mut holders: Vec<UnitId> = Vec::new();
            for item in &items {
                if !holders.contains(&item.content.holder) {
                    holders.push(item.content.holder);
                }
            }
            for holder in holders {
                let name = unit_name(units, holder)?.to_owned();
                let part = items.iter().copied().filter(|i| i.content.holder == holder).collect();
                sheets.push((name, part, None));
            }
        }
        SheetSplit::ByDutyKind => {
            for (code, name) in DUTY_SHEETS {
                let part: Vec<_> =
                    items.iter().copied().filter(|i| i.duty.code() == code).collect();
                if !part.is_empty() {
                    sheets.push((name.to_owned(), part, Some(code)));
                }
            }
        }
    }
    if sheets.is_empty() {
        sheets.push(("权责清单".to_owned(), Vec::new(), None));
    }
    if !variants.is_empty() {
        sheets.push((VARIANT_SHEET.to_owned(), variants, None));
    }
    Ok(sheets)
}

/// The columns to write: first the ones a printed list shows (its print area), then code
/// columns that any item uses, the rest of the standard set, duty columns when needed,
/// service columns when any item is a service. The importer finds columns by their headers,
/// so the order is free.
fn columns(items: &[&ExchangeItem], duty_sheet: Option<&str>) -> Vec<Column> {
    let any = |f: &dyn Fn(&ExchangeItem) -> bool| items.iter().any(|i| f(i));
    let mixed_duties = duty_sheet.is_none() && any(&|i| i.duty != DutyKind::Own);
    let mut cols = vec![Column::Seq];
    if any(&|i| i.variant.is_some()) {
        cols.extend([Column::VariantScope, Column::VariantChange, Column::VariantReason]);
    }
    cols.extend([
        Column::Category,
        Column::Name,
        Column::SubItem,
        Column::LegalBasis,
        Column::Holder,
    ]);
    if any(&|i| i.guide.is_some()) {
        cols.push(Column::Guide);
    }
    cols.extend([Column::Responsibilities, Column::AccountabilitySituations]);
    if mixed_duties {
        cols.push(Column::DutyKind);
    }
    if any(&|i| i.content.base_code.is_some()) {
        cols.push(Column::BaseCode);
    }
    if any(&|i| i.content.impl_code.is_some()) {
        cols.push(Column::ImplCode);
    }
    if any(&|i| i.content.local_code.is_some()) {
        cols.push(Column::LocalCode);
    }
    cols.extend([
        Column::Office,
        Column::Cooperation,
        Column::ResponsibilityBasis,
        Column::AccountabilityBasis,
        Column::AccountabilityParties,
        Column::Source,
        Column::Level,
    ]);
    match duty_sheet {
        Some("cooperate") => cols.push(Column::Lead),
        Some("reclaimed") => cols.push(Column::Receiver),
        Some(_) => {}
        None if mixed_duties => cols.extend([Column::Lead, Column::Receiver]),
        None => {}
    }
    if any(&|i| i.content.service.is_some()) {
        cols.extend([
            Column::Conditions,
            Column::Materials,
            Column::StatutoryLimit,
            Column::CommittedLimit,
            Column::Fee,
            Column::Channels,
            Column::Place,
            Column::Phone,
            Column::Trips,
        ]);
        if any(&|i| i.content.service.as_ref().is_some_and(|s| s.sessions.is_some())) {
            cols.push(Column::Sessions);
        }
    }
    cols.push(Column::Remarks);
    cols
}

/// Runs of consecutive sub-items of one main item (same name and type), as index ranges.
fn groups(items: &[&ExchangeItem]) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    while start < items.len() {
        let head = &items[start].content;
        let mut end = start + 1;
        if head.sub_item.is_some() {
            while end < items.len() {
                let c = &items[end].content;
                if c.sub_item.is_none()
                    || c.name != head.name
                    || c.category != head.category
                    || c.category_label != head.category_label
                {
                    break;
                }
                end += 1;
            }
        }
        out.push(start..end);
        start = end;
    }
    out
}

/// 序号: `n` for a main item, `n-k` for its sub-items.
fn numbering(items: &[&ExchangeItem]) -> Vec<String> {
    let mut out = Vec::with_capacity(items.len());
    for (n, group) in groups(items).into_iter().enumerate() {
        if group.len() == 1 {
            out.push((n + 1).to_string());
        } else {
            out.extend((1..=group.len()).map(|k| format!("{}-{k}", n + 1)));
        }
    }
    out
}

pub(crate) struct Formats {
    pub(crate) title: Format,
    pub(crate) header: Format,
    pub(crate) body: Format,
    centred: Format,
}

impl Formats {
    pub(crate) fn new() -> Formats {
        let body = Format::new()
            .set_text_wrap()
            .set_align(FormatAlign::VerticalCenter)
            .set_border(FormatBorder::Thin)
            .set_font_size(10);
        Formats {
            title: Format::new()
                .set_bold()
                .set_font_size(16)
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter),
            header: body
                .clone()
                .set_bold()
                .set_align(FormatAlign::Center)
                .set_background_color(0xD9D9D9),
            centred: body.clone().set_align(FormatAlign::Center),
            body,
        }
    }
}

/// The height of one line of 10-point text, in points.
const LINE_POINTS: f64 = 12.75;

/// How many lines `text` takes in a column `width` characters wide (widths are measured in
/// digits; a Chinese character of the body's font takes about one and a half).
fn wrapped_lines(text: &str, width: f64) -> u32 {
    let room = width.max(2.0);
    text.split('\n')
        .map(|line| {
            let units: f64 = line.chars().map(|c| if c.is_ascii() { 1.0 } else { 1.55 }).sum();
            (units / room).ceil().max(1.0) as u32
        })
        .sum()
}

fn write_sheet(
    sheet: &mut Worksheet,
    title: &str,
    columns: &[Column],
    items: &[&ExchangeItem],
    units: &UnitDirectory,
    formats: &Formats,
    progress: Option<&ProgressHandle>,
) -> Result<(), ExportError> {
    // The print area: the columns a printed list shows, which come first (`columns`).
    let printed = columns.iter().take_while(|c| c.printed()).count().max(1);
    let last_col = (printed - 1) as u16;
    if last_col > 0 {
        sheet.merge_range(0, 0, 0, last_col, title, &formats.title)?;
    } else {
        sheet.write_string_with_format(0, 0, title, &formats.title)?;
    }
    sheet.set_row_height(0, 30)?;
    for (c, col) in columns.iter().enumerate() {
        sheet.write_string_with_format(1, c as u16, col.header(), &formats.header)?;
        sheet.set_column_width(c as u16, col.width())?;
    }
    sheet.set_freeze_panes(2, 0)?;
    sheet.set_landscape();
    sheet.set_paper_size(9); // A4
    sheet.set_print_fit_to_pages(1, 0);
    sheet.set_repeat_rows(1, 1)?;
    sheet.set_margins(0.4, 0.4, 0.6, 0.6, 0.3, 0.3);
    sheet.set_footer("&C第 &P 页，共 &N 页");

    let numbers = numbering(items);
    let merged = [Column::Category, Column::Name];
    let mut row: u32 = 2;
    for group in groups(items) {
        let first = row;
        let last = row + group.len() as u32 - 1;
        for idx in group.clone() {
            progress::advance(progress, idx as u64 + 1, items.len() as u64);
            let item = items[idx];
            let mut lines = 1u32;
            for (c, col) in columns.iter().enumerate() {
                let c = c as u16;
                if group.len() > 1 && merged.contains(col) {
                    if idx == group.start {
                        let text = cell_text(item, *col, units)?;
                        let format =
                            if *col == Column::Category { &formats.centred } else { &formats.body };
                        sheet.merge_range(first, c, last, c, &text, format)?;
                    }
                    continue;
                }
                let (text, format) = match col {
                    Column::Seq => (numbers[idx].clone(), &formats.centred),
                    Column::Category | Column::Source | Column::Level | Column::DutyKind => {
                        (cell_text(item, *col, units)?, &formats.centred)
                    }
                    col => (cell_text(item, *col, units)?, &formats.body),
                };
                if usize::from(c) < printed && !text.is_empty() {
                    lines = lines.max(wrapped_lines(&text, col.width()));
                }
                if text.is_empty() {
                    sheet.write_blank(row, c, format)?;
                } else {
                    sheet.write_string_with_format(row, c, &text, format)?;
                }
            }
            // Spreadsheets do not grow a row to its wrapped text when they print a file they
            // did not lay out (LibreOffice keeps the default height, and lines overlap), so
            // each row gets the height of its longest printed cell.
            sheet.set_row_height(row, (f64::from(lines) * LINE_POINTS + 4.0).min(409.0))?;
            row += 1;
        }
    }
    // Landscape A4, one page wide, the header repeated, page numbers (set above): the print
    // area keeps a town's 26-column list from being shrunk onto one unreadable page.
    sheet.set_print_area(0, 0, row.saturating_sub(1).max(1), last_col)?;
    Ok(())
}

fn unit_name(units: &UnitDirectory, id: UnitId) -> Result<&str, ExportError> {
    units.name(id).ok_or(ExportError::UnknownUnit(id))
}

/// The text of one cell, in the form the importer reads back.
pub(crate) fn cell_text(
    item: &ExchangeItem,
    col: Column,
    units: &UnitDirectory,
) -> Result<String, ExportError> {
    let c = &item.content;
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    let service = c.service.as_ref();
    let text = match col {
        Column::Seq => String::new(),
        Column::Category => c.category_label.clone().unwrap_or_else(|| c.category.zh().to_owned()),
        Column::Code | Column::LocalCode => opt(&c.local_code),
        Column::BaseCode => c.base_code.as_ref().map(|b| b.to_string()).unwrap_or_default(),
        Column::ImplCode => c.impl_code.as_ref().map(|b| b.to_string()).unwrap_or_default(),
        Column::Name => c.name.clone(),
        Column::SubItem => opt(&c.sub_item),
        Column::LegalBasis => LegalRef::format_many(&c.legal_basis),
        Column::Holder => unit_name(units, c.holder)?.to_owned(),
        Column::Guide => match item.guide {
            Some(guide) => unit_name(units, guide)?.to_owned(),
            None => String::new(),
        },
        Column::Office => opt(&c.handling_office),
        Column::Cooperation => {
            let mut lines = Vec::with_capacity(c.cooperation.len());
            for coop in &c.cooperation {
                let name = unit_name(units, coop.unit)?;
                lines.push(if coop.duty.is_empty() {
                    name.to_owned()
                } else {
                    format!("{name}：{}", coop.duty)
                });
            }
            lines.join("\n")
        }
        Column::Responsibilities => text::format_responsibilities(&c.responsibilities),
        Column::ResponsibilityBasis => {
            let values: Vec<String> =
                c.responsibilities.iter().map(|r| LegalRef::format_many(&r.basis)).collect();
            let labels: Vec<String> =
                c.responsibilities.iter().map(|r| format!("{}责任", r.stage)).collect();
            text::format_per_entry(&values, &labels)
        }
        Column::AccountabilitySituations => {
            let situations: Vec<String> =
                c.accountability.iter().map(|a| a.situation.clone()).collect();
            text::format_situations(&situations)
        }
        Column::AccountabilityBasis | Column::AccountabilityParties => {
            let values: Vec<String> = c
                .accountability
                .iter()
                .map(|a| {
                    if col == Column::AccountabilityBasis {
                        LegalRef::format_many(&a.basis)
                    } else {
                        text::format_parties(&a.parties)
                    }
                })
                .collect();
            let labels = vec!["追责情形".to_owned(); values.len()];
            text::format_per_entry(&values, &labels)
        }
        Column::Source => c.source.zh().to_owned(),
        Column::Level => c.level.zh().to_owned(),
        Column::DutyKind => item.duty.zh().to_owned(),
        Column::Lead => match item.duty {
            DutyKind::Cooperate { lead } => unit_name(units, lead)?.to_owned(),
            _ => String::new(),
        },
        Column::Receiver => match item.duty {
            DutyKind::Reclaimed { receiver } => unit_name(units, receiver)?.to_owned(),
            _ => String::new(),
        },
        Column::Conditions => service.map(|s| opt(&s.conditions)).unwrap_or_default(),
        Column::Materials => {
            service.map(|s| text::format_materials(&s.materials)).unwrap_or_default()
        }
        Column::StatutoryLimit => {
            service.and_then(|s| s.statutory_limit).map(|l| l.to_string()).unwrap_or_default()
        }
        Column::CommittedLimit => {
            service.and_then(|s| s.committed_limit).map(|l| l.to_string()).unwrap_or_default()
        }
        Column::Fee => service
            .map(|s| s.fee.clone().unwrap_or_else(|| "不收费".to_owned()))
            .unwrap_or_default(),
        Column::Channels => service.map(|s| s.channels.join("、")).unwrap_or_default(),
        Column::Place => service.map(|s| opt(&s.place)).unwrap_or_default(),
        Column::Phone => service.map(|s| opt(&s.phone)).unwrap_or_default(),
        Column::Trips => service.and_then(|s| s.trips).map(|t| t.to_string()).unwrap_or_default(),
        Column::Sessions => {
            service.and_then(|s| s.sessions.as_ref()).map(|s| s.zh()).unwrap_or_default()
        }
        Column::Remarks => opt(&c.remarks),
        Column::VariantScope => match item.variant.as_ref().map(|v| &v.scope) {
            Some(VariantScope::Town { unit }) => format!("乡镇：{}", unit_name(units, *unit)?),
            Some(VariantScope::Tag { tag }) => format!("标签：{}", tag.as_str()),
            None => String::new(),
        },
        Column::VariantChange => {
            item.variant.as_ref().map(|v| v.change.zh().to_owned()).unwrap_or_default()
        }
        Column::VariantReason => {
            item.variant.as_ref().map(|v| v.reason.clone()).unwrap_or_default()
        }
    };
    Ok(text)
}

/// Excel sheet names: at most 31 characters, none of `[]:*?/\`, unique in the workbook.
pub(crate) fn unique_sheet_name(name: &str, used: &mut HashSet<String>) -> String {
    let clean: String = name
        .chars()
        .filter(|c| !matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\'))
        .collect::<String>()
        .trim_matches('\'')
        .chars()
        .take(31)
        .collect();
    let base = if clean.trim().is_empty() { "Sheet".to_owned() } else { clean };
    let mut candidate = base.clone();
    let mut n = 2;
    while !used.insert(candidate.clone()) {
        let suffix = format!("({n})");
        let keep = 31 - suffix.chars().count();
        candidate = format!("{}{suffix}", base.chars().take(keep).collect::<String>());
        n += 1;
    }
    candidate
}
