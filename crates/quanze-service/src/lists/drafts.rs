//! Lists and their drafts: create a list, write, discard and declare a template draft's differences.

use std::collections::BTreeSet;

use quanze_core::access::Act;
use quanze_core::{
    ItemId, ListId, ListScope, ListVersionId, Override, OverrideChange, OverrideTarget, PowerList,
    VersionStatus,
};
use quanze_store::DraftWrite;

use crate::Service;
use crate::auth::CurrentUser;
use crate::error::{ErrorCode, ServiceError, ServiceResult};

impl Service {
    /// Discards a draft version (a published or superseded one is never removed). Editors of
    /// the staffing office, or a clerk of the list's own unit.
    pub async fn discard_draft(
        &self,
        by: &CurrentUser,
        version_id: ListVersionId,
    ) -> ServiceResult<u64> {
        let catalog = self.catalog();
        let (version, list) = catalog.version_with_list(version_id)?;
        let list_unit = match &list.scope {
            ListScope::Unit { unit } => Some(*unit),
            ListScope::TownshipTemplate { .. } => None,
        };
        by.require_act(Act::ImportList, list_unit)?;
        if version.status != VersionStatus::Draft {
            return Err(ServiceError::rejected(
                ErrorCode::NotADraft,
                format!("第{}版已{}，只能删除草稿", version.number, version.status.zh()),
                format!(
                    "version {} is {:?}; only drafts can be discarded",
                    version.number, version.status
                ),
            ));
        }
        let ev = self.event(
            Some(by),
            list_unit,
            "list.version.discarded",
            format!("list_version:{version_id}"),
            serde_json::json!({ "list": version.list, "number": version.number }),
        );
        let mut writer = self.catalog_writer().await?;
        let receipt = writer.write(self.store.discard_draft(version_id, ev)).await?;
        writer.apply(|c| c.without_draft(version_id));
        Ok(receipt.leaf_index())
    }

    /// Creates an empty list.
    pub async fn create_list(
        &self,
        by: Option<&CurrentUser>,
        name: &str,
        scope: ListScope,
    ) -> ServiceResult<(ListId, u64)> {
        if let Some(by) = by {
            by.require_act(Act::EditList, None)?;
        }
        let name = name.trim();
        if name.is_empty() {
            return Err(quanze_core::ValidationError::Empty { field: "name" }.into());
        }
        let catalog = self.catalog();
        match &scope {
            ListScope::Unit { unit } if catalog.unit(*unit).is_none() => {
                return Err(ServiceError::NotFound(format!("单位 {unit}")));
            }
            _ => {}
        }
        let list = PowerList { id: self.ids.list(), name: name.to_owned(), scope };
        let ev = self.event(
            by,
            None,
            "list.created",
            format!("list:{}", list.id),
            serde_json::to_value(&list).unwrap_or_default(),
        );
        let mut writer = self.catalog_writer().await?;
        let receipt = writer.write(self.store.create_list(&list, ev)).await?;
        let id = list.id;
        writer.apply(|c| c.with_list(list));
        Ok((id, receipt.leaf_index()))
    }

    /// Writes a draft built elsewhere (the demo loader, later the change-set workflow).
    pub async fn save_draft(
        &self,
        by: Option<&CurrentUser>,
        draft: DraftWrite,
    ) -> ServiceResult<()> {
        if let Some(by) = by {
            by.require_act(Act::EditList, None)?;
        }
        let v = &draft.version;
        let ev = self.event(
            by,
            None,
            "list.version.draft_saved",
            format!("list_version:{}", v.id),
            serde_json::json!({ "list": v.list, "number": v.number, "entries": v.entries.len(), "new_items": draft.new_items.len() }),
        );
        let mut writer = self.catalog_writer().await?;
        writer.write(self.store.save_draft(&draft, ev)).await?;
        writer.apply(|c| c.with_draft(draft.version, draft.new_items));
        Ok(())
    }

    /// Replaces the declared differences (差异) of a township template's draft: which extra
    /// items a tag or a town holds, and which template items it does not. Every override is
    /// checked before anything is written: the town exists and lies in the template's county,
    /// an added item version exists, a removed item is in the template, and no (target, item)
    /// is declared twice. Returns the ledger leaf of the write.
    pub async fn set_overrides(
        &self,
        by: &CurrentUser,
        version_id: ListVersionId,
        overrides: Vec<Override>,
    ) -> ServiceResult<u64> {
        by.require_act(Act::EditList, None)?;
        let catalog = self.catalog();
        let version = catalog
            .version(version_id)
            .ok_or_else(|| ServiceError::NotFound(format!("清单版本 {version_id}")))?;
        if version.status != VersionStatus::Draft {
            return Err(ServiceError::Conflict(format!(
                "version {version_id} is {:?}: only a draft can change",
                version.status
            )));
        }
        let list = catalog
            .list(version.list)
            .ok_or_else(|| ServiceError::NotFound(format!("清单 {}", version.list)))?;
        let ListScope::TownshipTemplate { county } = &list.scope else {
            return Err(ServiceError::rejected(
                ErrorCode::NotATemplate,
                "只有乡镇通用目录才能设置按标签或按乡镇的差异",
                "overrides apply to township templates only",
            ));
        };
        let bad = |i: usize, zh: String, en: String| {
            ServiceError::rejected(
                ErrorCode::InvalidOverride,
                format!("第{}条差异：{zh}", i + 1),
                format!("override {}: {en}", i + 1),
            )
        };
        let template_items: BTreeSet<ItemId> = version.entries.iter().map(|e| e.item).collect();
        let mut seen = std::collections::HashSet::new();
        for (i, o) in overrides.iter().enumerate() {
            if let OverrideTarget::Town { unit } = &o.target {
                let town = catalog.unit(*unit).ok_or_else(|| {
                    bad(i, format!("乡镇 {unit} 不存在"), format!("town {unit} does not exist"))
                })?;
                if !town.kind.is_township_level() || !town.region.is_within(county) {
                    return Err(bad(
                        i,
                        format!("“{}”不是本县的乡镇或街道", town.name),
                        format!("{} is not a town of county {}", town.name, county.as_str()),
                    ));
                }
            }
            let item = match &o.change {
                OverrideChange::Add { entry } => {
                    if catalog.content(entry).is_none() {
                        return Err(bad(
                            i,
                            format!("事项 {} 第{}版不存在", entry.item, entry.item_version),
                            format!(
                                "item {} version {} does not exist",
                                entry.item, entry.item_version
                            ),
                        ));
                    }
                    entry.item
                }
                OverrideChange::Remove { item } => {
                    if !template_items.contains(item) {
                        return Err(bad(
                            i,
                            format!("要去掉的事项 {item} 不在通用目录中"),
                            format!("item {item} to remove is not in the template"),
                        ));
                    }
                    // 法定职责必须为: a town does not drop a template power without saying why;
                    // the template is then published only with its 审定 and the review's checks.
                    if o.reason.trim().is_empty() {
                        return Err(bad(
                            i,
                            format!("去掉通用目录事项 {item} 须说明理由（法定职责必须为）"),
                            format!("removing item {item} from a town needs a reason"),
                        ));
                    }
                    *item
                }
            };
            if !seen.insert((o.target.clone(), item)) {
                return Err(bad(
                    i,
                    format!("同一对象对事项 {item} 的差异重复"),
                    format!("item {item} is overridden twice for the same target"),
                ));
            }
        }
        let mut draft = version.clone();
        draft.overrides = overrides;
        let ev = self.event(
            Some(by),
            None,
            "list.version.overrides_set",
            format!("list_version:{version_id}"),
            serde_json::json!({ "list": draft.list, "number": draft.number, "overrides": draft.overrides.len() }),
        );
        let mut writer = self.catalog_writer().await?;
        let receipt = writer
            .write(
                self.store
                    .save_draft(&DraftWrite { version: draft.clone(), new_items: Vec::new() }, ev),
            )
            .await?;
        writer.apply(|c| c.with_draft(draft, Vec::new()));
        Ok(receipt.leaf_index())
    }
}
