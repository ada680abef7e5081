//! Importing an xlsx into a list as a new draft version.

use quanze_core::access::Act;
use quanze_core::import_match::{
    self, DifferenceKind, ImportMatch, ImportProblem, ImportRow, ItemVersions, RowDifference,
};
use quanze_core::{
    ItemContent, ItemId, ListId, ListScope, ListVersion, OverrideTarget, TownHolder, VersionStatus,
};
use quanze_store::DraftWrite;

use super::*;
use crate::Service;
use crate::auth::CurrentUser;
use crate::catalog::Catalog;
use crate::error::{ErrorCode, Problem, ServiceError, ServiceResult};

impl Service {
    /// Imports an xlsx into a list as a new draft version (or replaces the open draft). With
    /// `dry_run`, or when any problem is an error, nothing is stored; the outcome lists every
    /// problem with sheet, row and column.
    pub async fn import_list(
        &self,
        by: &CurrentUser,
        list_id: ListId,
        bytes: &[u8],
        dry_run: bool,
        progress: Option<quanze_exchange::ProgressHandle>,
    ) -> ServiceResult<ImportOutcome> {
        let catalog = self.catalog();
        let list = catalog
            .list(list_id)
            .ok_or_else(|| ServiceError::NotFound(format!("清单 {list_id}")))?;
        let list_unit = match &list.scope {
            ListScope::Unit { unit } => Some(*unit),
            ListScope::TownshipTemplate { .. } => None,
        };
        by.require_act(Act::ImportList, list_unit)?;
        let directory = quanze_exchange::UnitDirectory::new(&catalog.units);
        let options = quanze_exchange::ImportOptions {
            max_bytes: self.config.max_upload_bytes as u64,
            default_holder: list_unit,
            progress: progress.clone(),
            ..Default::default()
        };
        // 导入排队: one workbook is parsed at a time (the others wait their turn), on a blocking
        // thread, so an upload's memory stays within one archive's decompression budget and
        // other requests keep their threads.
        let imported =
            {
                // The turn goes with the parse: if this request goes away, the parse still holds
                // it until it ends.
                let turn =
                    self.import_turns.clone().acquire_owned().await.map_err(|_| {
                        ServiceError::Internal("the import queue is closed".to_owned())
                    })?;
                let bytes = bytes.to_vec();
                tokio::task::spawn_blocking(move || {
                    let _turn = turn;
                    quanze_exchange::import_xlsx(&bytes, &directory, &options)
                })
                .await
                .map_err(|e| ServiceError::Internal(format!("the import's thread failed: {e}")))??
            };
        let mut problems = imported.problems;
        let template = matches!(list.scope, ListScope::TownshipTemplate { .. });
        let mut rows: Vec<ImportRow> =
            imported.items.into_iter().map(|i| import_row(i, template, &catalog)).collect();
        problems.extend(self.lawful_rows(&mut rows).await?);
        let base = catalog.latest_version(list_id);
        // Match rows to the items of the newest version so unchanged items keep their id and
        // content version, and changed ones get a new version of the same item.
        let ImportMatch {
            entries,
            overrides,
            override_rows,
            new_items,
            added,
            changed,
            unchanged,
            removed,
            problems: found,
        } = import_match::match_import(&list.scope, base, &CatalogItems(&catalog), &rows, || {
            self.ids.item()
        });
        problems.extend(found.iter().map(problem));
        if let ListScope::TownshipTemplate { county } = &list.scope {
            problems.extend(override_problems(
                &catalog,
                county,
                &entries,
                &overrides,
                &override_rows,
                &new_items,
                &rows,
            ));
        }
        let has_errors = problems.iter().any(Problem::is_error);
        let mut outcome = ImportOutcome {
            rows: rows.len(),
            problems,
            dry_run,
            version: None,
            added,
            changed,
            unchanged,
            removed,
            leaf_index: None,
        };
        if dry_run {
            return Ok(outcome);
        }
        if has_errors {
            return Err(ServiceError::ImportProblems { problems: outcome.problems });
        }
        let (id, number) = match base {
            Some(b) if b.status == VersionStatus::Draft => (b.id, b.number),
            Some(b) => (self.ids.version(), b.number + 1),
            None => (self.ids.version(), 1),
        };
        let version = ListVersion {
            id,
            list: list_id,
            number,
            status: VersionStatus::Draft,
            effective_from: None,
            effective_until: None,
            doc_no: None,
            entries,
            overrides,
        };
        let ev = self.event(
            Some(by),
            list_unit,
            "list.version.imported",
            format!("list_version:{id}"),
            serde_json::json!({
                "list": list_id, "number": number, "rows": outcome.rows,
                "added": added, "changed": changed, "unchanged": unchanged, "removed": removed,
            }),
        );
        if let Some(p) = &progress {
            p.0.stage("保存草稿版本", 0);
        }
        let mut writer = self.catalog_writer().await?;
        let draft = DraftWrite { version, new_items };
        let receipt = writer.write(self.store.save_draft(&draft, ev)).await?;
        writer.apply(|c| c.with_draft(draft.version, draft.new_items));
        outcome.version = Some(id);
        outcome.leaf_index = Some(receipt.leaf_index());
        Ok(outcome)
    }
}

impl Service {
    /// What the law says of the rows before they are matched (issue 14): a bare 行政强制 is
    /// decided as a measure or an enforcement by the item's name and stages; a row whose every
    /// cited law's rank cannot create its power is an error at its 设定依据 (设定权); a period
    /// is put in the unit its law counts it in, with a warning at its cell.
    async fn lawful_rows(&self, rows: &mut [ImportRow]) -> ServiceResult<Vec<Problem>> {
        let laws = quanze_core::LawRegistry::new(self.store.laws().await?);
        let at = |row: &ImportRow, column: &str, issue: quanze_core::Issue| Problem {
            sheet: row.sheet.clone(),
            row: Some(row.row),
            column: Some(column.to_owned()),
            severity: issue.severity,
            code: issue.code,
            message_zh: issue.message_zh,
            message_en: issue.message_en,
        };
        let mut out = Vec::new();
        for row in rows.iter_mut() {
            settle_coercion_kind(&mut row.content);
        }
        let refusals =
            crate::laws::rank_refusals(rows.iter().map(|r| &r.content), &laws, self.today());
        for r in refusals {
            out.push(at(&rows[r.index], "设定依据", r.issue));
        }
        for row in rows.iter_mut() {
            for issue in quanze_core::item::apply_lawful_units(&mut row.content) {
                let column = if issue.field == "committed_limit" {
                    "承诺办结时限"
                } else {
                    "法定办结时限"
                };
                out.push(at(row, column, issue));
            }
        }
        Ok(out)
    }
}

/// A row published under the bare category 行政强制 (or its code 03) is a 行政强制执行 when its
/// name or stages say so (see `PowerCategory::coercion_kind`); a label that says 措施 stays a
/// measure.
fn settle_coercion_kind(content: &mut ItemContent) {
    let bare = content.category_label.as_deref().is_some_and(|l| !l.contains("措施"));
    if content.category == PowerCategory::CoerciveMeasure && bare {
        let stages = content.responsibilities.iter().map(|r| r.stage.as_str());
        content.category = PowerCategory::coercion_kind(&content.name, stages);
    }
}

/// The catalogue's item versions, as matching reads them.
struct CatalogItems<'a>(&'a Catalog);

impl ItemVersions for CatalogItems<'_> {
    fn content(&self, item: ItemId, version: u32) -> Option<&ItemContent> {
        self.0.item(item, version).map(|i| &i.content)
    }
}

/// A row read from the file, as matching takes it. Read into a township template, a row of a
/// town's exported list that names the town as 实施主体 and a 业务指导部门 is stored under the
/// department, as the template names it (the inverse of `TownHolder::of`), so that a town's
/// list read back into the template changes nothing.
fn import_row(
    imported: quanze_exchange::ImportedItem,
    template: bool,
    catalog: &Catalog,
) -> ImportRow {
    let quanze_exchange::ExchangeItem { duty, mut content, variant, guide } = imported.item;
    let by_town = catalog.unit(content.holder).is_some_and(|u| u.kind.is_township_level());
    if template && by_town {
        content.holder = TownHolder { holder: content.holder, guide }.template_holder();
    }
    let difference = variant.map(|v| RowDifference {
        target: match v.scope {
            quanze_exchange::VariantScope::Tag { tag } => OverrideTarget::Tag { tag },
            quanze_exchange::VariantScope::Town { unit } => OverrideTarget::Town { unit },
        },
        kind: match v.change {
            quanze_exchange::VariantChange::Add => DifferenceKind::Add,
            quanze_exchange::VariantChange::Remove => DifferenceKind::Remove,
        },
        reason: v.reason,
    });
    ImportRow { sheet: imported.sheet, row: imported.row, content, duty, difference }
}

/// The differences the file declares, checked by the rules `set_overrides` applies (one
/// function, [`quanze_core::list::check_overrides`]), each problem at the row it was read from.
fn override_problems(
    catalog: &Catalog,
    county: &RegionCode,
    entries: &[quanze_core::ListEntry],
    overrides: &[quanze_core::Override],
    override_rows: &[(String, u32)],
    new_items: &[quanze_core::PowerItem],
    rows: &[ImportRow],
) -> Vec<Problem> {
    let fresh = |entry: &quanze_core::ListEntry| {
        new_items.iter().find(|i| i.id == entry.item && i.version == entry.item_version)
    };
    let found = quanze_core::list::check_overrides(
        county,
        entries,
        overrides,
        |unit| catalog.unit(unit),
        |entry| catalog.content(entry).is_some() || fresh(entry).is_some(),
    );
    found
        .iter()
        .map(|p| {
            let at = override_rows.get(p.index);
            // The row a difference was read from names its item.
            let row_name = at
                .and_then(|(sheet, row)| rows.iter().find(|r| r.sheet == *sheet && r.row == *row));
            let name = |_: ItemId| row_name.map(|r| r.content.display_name());
            let column = match p.error {
                quanze_core::list::OverrideError::UnknownTown { .. }
                | quanze_core::list::OverrideError::NotATownOfCounty { .. } => "适用范围",
                _ => "事项名称",
            };
            Problem {
                sheet: at.map_or_else(
                    || quanze_exchange::VARIANT_SHEET.to_owned(),
                    |(sheet, _)| sheet.clone(),
                ),
                row: at.map(|(_, row)| *row),
                column: at.map(|_| column.to_owned()),
                severity: quanze_core::Severity::Error,
                code: ErrorCode::InvalidOverride.as_str().to_owned(),
                message_zh: p.error.zh(name),
                message_en: p.error.to_string(),
            }
        })
        .collect()
}

/// A matching problem as the import outcome lists it.
fn problem(p: &ImportProblem) -> Problem {
    Problem {
        sheet: p.sheet().to_owned(),
        row: p.row(),
        column: p.column().map(Into::into),
        severity: p.severity(),
        code: p.code().into(),
        message_zh: p.message_zh(),
        message_en: p.message_en(),
    }
}
