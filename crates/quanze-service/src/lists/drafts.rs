//! Lists and their drafts: create a list, write, discard and declare a template draft's differences.

use quanze_core::access::Act;
use quanze_core::{ItemId, ListId, ListScope, ListVersionId, Override, PowerList, VersionStatus};
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
    /// Refused, with nothing written: a new item version whose cited laws' rank cannot create
    /// its power (设定权). Periods are put in the unit their law counts them in.
    pub async fn save_draft(
        &self,
        by: Option<&CurrentUser>,
        mut draft: DraftWrite,
    ) -> ServiceResult<()> {
        if let Some(by) = by {
            by.require_act(Act::EditList, None)?;
        }
        let names: Vec<String> = draft.new_items.iter().map(|i| i.content.display_name()).collect();
        let mut contents: Vec<&mut quanze_core::ItemContent> =
            draft.new_items.iter_mut().map(|i| &mut i.content).collect();
        self.make_lawful(&mut contents, self.today(), |i| {
            format!("事项“{}”", names.get(i).map_or("", String::as_str))
        })
        .await?;
        let v = &draft.version;
        // A template's differences obey the rules of `set_overrides` on this path too.
        let catalog = self.catalog();
        if let Some(list) = catalog.list(v.list)
            && let ListScope::TownshipTemplate { county } = &list.scope
        {
            let fresh = |e: &quanze_core::ListEntry| {
                draft.new_items.iter().any(|i| i.id == e.item && i.version == e.item_version)
            };
            let problems = quanze_core::list::check_overrides(
                county,
                &v.entries,
                &v.overrides,
                |unit| catalog.unit(unit),
                |entry| catalog.content(entry).is_some() || fresh(entry),
            );
            if let Some(p) = problems.first() {
                return Err(invalid_override(p, |_| None));
            }
        }
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
        // The same rules as a 差异声明 read from a file (`import_list`): one function.
        let problems = quanze_core::list::check_overrides(
            county,
            &version.entries,
            &overrides,
            |unit| catalog.unit(unit),
            |entry| catalog.content(entry).is_some(),
        );
        if let Some(p) = problems.first() {
            return Err(invalid_override(p, |_| None));
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

/// A difference that cannot stand, as `set_overrides` refuses it: the rule's code and the
/// difference's place in the request.
fn invalid_override(
    p: &quanze_core::list::OverrideProblem,
    name: impl Fn(ItemId) -> Option<String>,
) -> ServiceError {
    ServiceError::rejected(
        ErrorCode::InvalidOverride,
        format!("第{}条差异：{}", p.index + 1, p.error.zh(name)),
        format!("override {}: {}", p.index + 1, p.error),
    )
}
