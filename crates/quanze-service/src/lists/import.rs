//! Importing an xlsx into a list as a new draft version.

use quanze_core::access::Act;
use quanze_core::import_match::{
    self, DifferenceKind, ImportMatch, ImportProblem, ImportRow, ItemVersions, RowDifference,
};
use quanze_core::{
    ItemContent, ItemId, ListId, ListScope, ListVersion, OverrideTarget, VersionStatus,
};
use quanze_store::DraftWrite;

use super::*;
use crate::Service;
use crate::auth::CurrentUser;
use crate::catalog::Catalog;
use crate::error::{Problem, ServiceError, ServiceResult};

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
        let imported = quanze_exchange::import_xlsx(bytes, &directory, &options)?;
        let mut problems = imported.problems;
        let rows: Vec<ImportRow> = imported.items.into_iter().map(import_row).collect();
        let base = catalog.latest_version(list_id);
        // Match rows to the items of the newest version so unchanged items keep their id and
        // content version, and changed ones get a new version of the same item.
        let ImportMatch {
            entries,
            overrides,
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

/// The catalogue's item versions, as matching reads them.
struct CatalogItems<'a>(&'a Catalog);

impl ItemVersions for CatalogItems<'_> {
    fn content(&self, item: ItemId, version: u32) -> Option<&ItemContent> {
        self.0.item(item, version).map(|i| &i.content)
    }
}

/// A row read from the file, as matching takes it.
fn import_row(imported: quanze_exchange::ImportedItem) -> ImportRow {
    let quanze_exchange::ExchangeItem { duty, content, variant } = imported.item;
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
