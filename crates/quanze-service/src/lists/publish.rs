//! Publication of a draft: the blockers, then publication with an effective date.

use std::collections::HashMap;

use chrono::NaiveDate;
use quanze_core::{
    DocNo, Issue, ListEntry, ListVersion, ListVersionId, OverrideChange, Role, Severity,
    VersionStatus,
};

use crate::Service;
use crate::auth::CurrentUser;
use crate::error::{ErrorCode, ServiceError, ServiceResult};

impl Service {
    /// Findings that block publication of a version: 权责不一致 warnings and errors on any item,
    /// cooperating, lead or receiving units that do not exist, duplicate items.
    pub fn publication_blockers(&self, version: &ListVersion) -> Vec<Issue> {
        let catalog = self.catalog();
        let mut out = Vec::new();
        let mut keys = HashMap::new();
        let check_entry = |e: &ListEntry, out: &mut Vec<Issue>| {
            let Some(content) = catalog.content(e) else {
                out.push(Issue::new(
                    "missing_item",
                    Severity::Error,
                    "item",
                    format!("事项 {} 第{}版不存在", e.item, e.item_version),
                    format!("item {} version {} does not exist", e.item, e.item_version),
                ));
                return;
            };
            out.extend(content.issues());
            if catalog.unit(content.holder).is_none() {
                out.push(Issue::new(
                    "unknown_holder",
                    Severity::Error,
                    "holder",
                    format!("“{}”的实施主体不存在", content.display_name()),
                    format!("holder of {} does not exist", content.display_name()),
                ));
            }
            for c in &content.cooperation {
                if catalog.unit(c.unit).is_none() {
                    out.push(Issue::new(
                        "unknown_cooperating_unit",
                        Severity::Error,
                        "cooperation",
                        format!("“{}”的配合部门 {} 不存在", content.display_name(), c.unit),
                        format!(
                            "cooperating unit {} of {} does not exist",
                            c.unit,
                            content.display_name()
                        ),
                    ));
                }
            }
            if let Some(other) = e.duty.counterpart()
                && catalog.unit(other).is_none()
            {
                out.push(Issue::new(
                    "unknown_counterpart",
                    Severity::Error,
                    "duty",
                    format!("“{}”的{}单位不存在", content.display_name(), e.duty.zh()),
                    format!("the lead/receiving unit of {} does not exist", content.display_name()),
                ));
            }
        };
        for e in &version.entries {
            check_entry(e, &mut out);
            if let Some(c) = catalog.content(e)
                && let Some(prev) = keys.insert(c.list_key(), e.item)
                && prev != e.item
            {
                out.push(Issue::new(
                    "duplicate_item",
                    Severity::Error,
                    "name",
                    format!("清单中“{}”重复", c.display_name()),
                    format!("{} appears twice in the list", c.display_name()),
                ));
            }
        }
        for o in &version.overrides {
            if let OverrideChange::Add { entry } = &o.change {
                check_entry(entry, &mut out);
            }
        }
        out
    }

    /// Publishes a draft with its effective date and document number, after checking that
    /// nothing blocks publication.
    pub async fn publish(
        &self,
        by: Option<&CurrentUser>,
        version_id: ListVersionId,
        effective: NaiveDate,
        doc_no: DocNo,
    ) -> ServiceResult<u64> {
        if let Some(by) = by {
            by.require(&[Role::StaffingEditor, Role::Leader, Role::SysAdmin], None, "公布清单")?;
        }
        let catalog = self.catalog();
        let version = catalog
            .version(version_id)
            .ok_or_else(|| ServiceError::NotFound(format!("清单版本 {version_id}")))?;
        if version.status != VersionStatus::Draft {
            return Err(ServiceError::rejected(
                ErrorCode::NotADraft,
                format!("第{}版已{}，不能再次公布", version.number, version.status.zh()),
                format!("version {} is {:?}, not a draft", version.number, version.status),
            ));
        }
        let blockers = self.publication_blockers(version);
        if !blockers.is_empty() {
            return Err(ServiceError::Rejected {
                code: ErrorCode::PublicationBlocked,
                message_zh: format!(
                    "有{}个问题需要先解决才能公布（如：{}）",
                    blockers.len(),
                    blockers[0].message_zh
                ),
                message_en: format!(
                    "{} issue(s) block publication: {}",
                    blockers.len(),
                    blockers[0].message_en
                ),
                issues: blockers,
            });
        }
        let ev = self.event(
            by,
            None,
            "list.version.published",
            format!("list_version:{version_id}"),
            serde_json::json!({ "list": version.list, "number": version.number, "effective": effective, "doc_no": doc_no.as_str() }),
        );
        let mut writer = self.catalog_writer().await?;
        let receipt = writer.write(self.store.publish(version_id, effective, &doc_no, ev)).await?;
        writer.apply(|c| match c.version(version_id) {
            Some(v) => c.with_published(vec![v.clone()], Vec::new(), effective, &doc_no),
            None => c.clone(),
        });
        Ok(receipt.leaf_index())
    }
}
