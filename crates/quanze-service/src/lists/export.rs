//! Export of a list version as xlsx, csv or json.

use quanze_core::{ListScope, ListVersion, ListVersionId, OverrideChange, OverrideTarget, UnitId};

use super::*;
use crate::Service;
use crate::catalog::Catalog;
use crate::error::{ServiceError, ServiceResult};

impl Service {
    /// Exports a version (a template version resolved for `town` when given).
    pub fn export_version(
        &self,
        version_id: ListVersionId,
        town: Option<UnitId>,
        format: ExportFormat,
        progress: Option<quanze_exchange::ProgressHandle>,
    ) -> ServiceResult<(String, Vec<u8>)> {
        let catalog = self.catalog();
        let (version, list) = catalog.version_with_list(version_id)?;
        let town = match town {
            Some(id) => {
                Some(catalog.unit(id).ok_or_else(|| ServiceError::NotFound(format!("单位 {id}")))?)
            }
            None => None,
        };
        let entries = catalog.entries_for(version, town);
        let title = match town {
            Some(t) => format!("{}权责清单", t.name),
            None => list.name.clone(),
        };
        // A town's list names the town as 实施主体 of its 基本履职, with the department as its
        // 业务指导部门 (the catalogue's one rule, `TownHolder::of`).
        let mut rows: Vec<quanze_exchange::ExchangeItem> = entries
            .iter()
            .map(|(e, content)| quanze_exchange::ExchangeItem {
                content: content.resolved().into_owned(),
                duty: e.duty,
                variant: None,
                guide: content.guide(),
            })
            .collect();
        // The template itself (no town chosen) carries its declared differences, which the
        // exchange layout writes on its 差异声明 sheet.
        if town.is_none() {
            rows.extend(variant_rows(&catalog, version));
        }
        let directory = quanze_exchange::UnitDirectory::new(&catalog.units);
        let township = town.is_some() || matches!(list.scope, ListScope::TownshipTemplate { .. });
        let options = quanze_exchange::ExportOptions {
            title: title.clone(),
            split: if township {
                quanze_exchange::SheetSplit::ByDutyKind
            } else {
                quanze_exchange::SheetSplit::ByCategory
            },
            progress,
        };
        let bytes = match format {
            ExportFormat::Xlsx => quanze_exchange::export_xlsx(&rows, &directory, &options),
            ExportFormat::Csv => quanze_exchange::export_csv(&rows, &directory),
            ExportFormat::Json => quanze_exchange::export_json(&rows),
        }
        .map_err(|e| ServiceError::Internal(format!("export failed: {e}")))?;
        Ok((format!("{title}-第{}版.{}", version.number, format.extension()), bytes))
    }
}

/// A template version's overrides as exchange rows: an added entry with its content, a
/// removed item with the template entry's content so that a reader can see what is dropped.
fn variant_rows(catalog: &Catalog, version: &ListVersion) -> Vec<quanze_exchange::ExchangeItem> {
    use quanze_exchange::{Variant, VariantChange, VariantScope};
    version
        .overrides
        .iter()
        .filter_map(|o| {
            let scope = match &o.target {
                OverrideTarget::Tag { tag } => VariantScope::Tag { tag: tag.clone() },
                OverrideTarget::Town { unit } => VariantScope::Town { unit: *unit },
            };
            let (entry, change) = match &o.change {
                OverrideChange::Add { entry } => (*entry, VariantChange::Add),
                OverrideChange::Remove { item } => {
                    (*version.entries.iter().find(|e| e.item == *item)?, VariantChange::Remove)
                }
            };
            Some(quanze_exchange::ExchangeItem {
                content: catalog.content(&entry)?.clone(),
                duty: entry.duty,
                variant: Some(Variant { scope, change, reason: o.reason.clone() }),
                guide: None,
            })
        })
        .collect()
}
