//! Publication of a draft: the blockers, then publication with an effective date.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use quanze_core::access::Act;
use quanze_core::list_approval::ListApproval;
use quanze_core::review::{ReviewContext, ReviewItem, check_items};
use quanze_core::schedule::{ScheduleError, check_effective_date};
use quanze_core::{
    Issue, LawRegistry, ListEntry, ListVersion, ListVersionId, OverrideChange, Severity, UnitId,
    VersionStatus,
};

use crate::Service;
use crate::auth::CurrentUser;
use crate::catalog::Catalog;
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

    /// Publishes a draft outside a change set: only with the recorded 审定 of a leader
    /// (body, meeting, date, document number; an import published as the adoption of a list
    /// approved before says so), an effective date not in the past unless recorded as 追认,
    /// and after the same automatic checks a change set passes (the legality review's checks
    /// over every item) and the publication checks. Advisory findings warn and do not block.
    pub async fn publish(
        &self,
        by: Option<&CurrentUser>,
        version_id: ListVersionId,
        effective: NaiveDate,
        approval: ListApproval,
    ) -> ServiceResult<u64> {
        if let Some(by) = by {
            by.require_act(Act::PublishList, None)?;
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
        check_effective_date(effective, self.today(), approval.ratification.as_ref())
            .map_err(schedule_error)?;
        let mut blockers: Vec<Issue> =
            self.publication_blockers(version).into_iter().filter(Issue::blocks).collect();
        let laws = LawRegistry::new(self.store.laws().await?);
        for issue in self.review_findings(&catalog, version, &laws, effective) {
            if issue.blocks() && !blockers.contains(&issue) {
                blockers.push(issue);
            }
        }
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
        let doc_no = approval.doc_no.clone();
        let ev = self.event(
            by,
            None,
            "list.version.published",
            format!("list_version:{version_id}"),
            serde_json::json!({ "list": version.list, "number": version.number, "effective": effective, "doc_no": doc_no.as_str(), "approval": approval }),
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

impl Service {
    /// The legality review's automatic checks over every item of `version` (and the items
    /// its township differences add), as a change set's review runs them; and, for each
    /// difference removing an item whose legal basis is in force, the advisory finding a
    /// removal gets (法定职责必须为).
    fn review_findings(
        &self,
        catalog: &Catalog,
        version: &ListVersion,
        laws: &LawRegistry,
        effective_on: NaiveDate,
    ) -> Vec<Issue> {
        let known: HashSet<UnitId> = catalog.units.iter().map(|u| u.id).collect();
        let ctx =
            ReviewContext { laws, known_units: &known, effective_on, grants: &catalog.grants };
        let added = version.overrides.iter().filter_map(|o| match &o.change {
            OverrideChange::Add { entry } => Some(entry),
            OverrideChange::Remove { .. } => None,
        });
        let review_item = |e: &ListEntry| {
            catalog.content(e).map(|content| ReviewItem {
                item: e.item,
                list: version.list,
                duty: e.duty,
                content,
            })
        };
        let items: Vec<ReviewItem<'_>> = version.entries.iter().filter_map(review_item).collect();
        // Differences are per town: an added item is checked on its own, not as a duplicate.
        let extra: Vec<ReviewItem<'_>> = added.filter_map(review_item).collect();
        let mut out: Vec<Issue> =
            check_items(&items, &ctx).into_iter().flat_map(|f| f.issues).collect();
        for it in &extra {
            out.extend(
                check_items(std::slice::from_ref(it), &ctx).into_iter().flat_map(|f| f.issues),
            );
        }
        let entries: HashMap<_, _> = version.entries.iter().map(|e| (e.item, e)).collect();
        for o in &version.overrides {
            if let OverrideChange::Remove { item } = &o.change
                && let Some(content) = entries.get(item).and_then(|e| catalog.content(e))
            {
                let f = quanze_core::review::removal::removal_findings(
                    *item,
                    Some(content),
                    laws,
                    effective_on,
                );
                out.extend(f.issues);
            }
        }
        out
    }
}

/// A refused date as the service answers it.
pub(crate) fn schedule_error(err: ScheduleError) -> ServiceError {
    let code = match err {
        ScheduleError::PastEffectiveDate { .. } => ErrorCode::PastEffectiveDate,
        ScheduleError::ShortCommentPeriod { .. } => ErrorCode::ShortCommentPeriod,
    };
    ServiceError::rejected(code, err.zh(), err.to_string())
}
