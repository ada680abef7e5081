//! Lists and their versions (清单与版本): the answers and the request bodies of listing,
//! creating, reading, publishing, diffing, importing and exporting them.

use chrono::NaiveDate;
use quanze_core::diff::ListDiff;
use quanze_core::list_approval::ListApproval;
use quanze_core::schedule::Ratification;
use quanze_core::{
    DocNo, Issue, ListEntry, ListId, ListScope, ListVersion, ListVersionId, Override, UnitId,
    VersionStatus,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{Created, page};
use crate::Service;
use crate::auth::CurrentUser;
use crate::error::{ErrorCode, ServiceError, ServiceResult};
use crate::lists::{ExportFormat, ImportOutcome, ItemQuery, ItemView};

page!(
    /// A page of the items matching a query.
    ItemPage of ItemView
);

/// A list to create.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({ "name": "王坛镇权责清单", "scope": { "kind": "unit", "unit": "0190c3a4-7e1b-7c2d-9a51-3f0e2b6d8c11" } }))]
pub struct NewListRequest {
    /// Title.
    pub name: String,
    /// `{"kind":"unit","unit":"<id>"}` or `{"kind":"township_template","county":"<code>"}`.
    #[schema(value_type = Object)]
    pub scope: ListScope,
}

/// Publication details.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({ "effective": "2027-01-01", "doc_no": "x编〔2026〕34号", "body": "x县委机构编制委员会", "meeting": "x县委编委2026年第3次会议", "decided_on": "2026-12-01" }))]
pub struct PublishRequest {
    /// The first day in force, YYYY-MM-DD.
    pub effective: NaiveDate,
    /// The document number, e.g. x编〔2024〕34号.
    pub doc_no: String,
    /// 审定机关 — the body that approved the list (e.g. 县委机构编制委员会).
    pub body: String,
    /// 审定会议 — the meeting that approved it.
    pub meeting: String,
    /// The day it was approved, YYYY-MM-DD.
    pub decided_on: NaiveDate,
    /// Whether this is the adoption of a list approved before (an imported list published
    /// with the document that approved it).
    #[serde(default)]
    pub adoption: bool,
    /// 追认理由 — required when `effective` is before today.
    #[serde(default)]
    pub ratification: Option<String>,
}

/// A township template draft's declared differences, replacing the ones it has.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OverridesRequest {
    /// Each: `{"target": {"kind": "tag", "tag": "蓄滞洪区"} | {"kind": "town", "unit": id},
    /// "change": {"kind": "add", "entry": {...}} | {"kind": "remove", "item": id}, "reason": ""}`.
    #[schema(value_type = Vec<Object>)]
    pub overrides: Vec<Override>,
}

/// The latest version of a list, in brief.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LatestVersion {
    /// Version id.
    #[schema(value_type = String, format = Uuid)]
    pub id: ListVersionId,
    /// 1, 2, 3 … within the list.
    pub number: u32,
    /// draft, published or superseded.
    #[schema(value_type = String)]
    pub status: VersionStatus,
    /// How many entries it has.
    pub entries: usize,
}

/// A list with the number of its versions and its latest one.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({ "id": "0190c3a4-7e1b-7c2d-9a51-3f0e2b6d8c12", "name": "王坛镇权责清单", "scope": { "kind": "unit", "unit": "0190c3a4-7e1b-7c2d-9a51-3f0e2b6d8c11" }, "versions": 2, "latest": { "id": "0190c3a4-7e1b-7c2d-9a51-3f0e2b6d8c13", "number": 2, "status": "published", "entries": 286 } }))]
pub struct ListSummary {
    /// List id.
    #[schema(value_type = String, format = Uuid)]
    pub id: ListId,
    /// Title.
    pub name: String,
    /// Whose list: `{"kind":"unit","unit":"<id>"}` or `{"kind":"township_template","county":"<code>"}`.
    #[schema(value_type = Object)]
    pub scope: ListScope,
    /// How many versions it has.
    pub versions: usize,
    /// Its latest version, if any.
    pub latest: Option<LatestVersion>,
}

page!(
    /// A page of lists.
    ListPage of ListSummary
);

/// 清单版本 — a version of a list, in brief.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({ "id": "0190c3a4-7e1b-7c2d-9a51-3f0e2b6d8c13", "list": "0190c3a4-7e1b-7c2d-9a51-3f0e2b6d8c12", "number": 1, "status": "published", "effective_from": "2026-01-01", "effective_until": null, "doc_no": "x编〔2024〕34号", "entries": 286, "overrides": 0 }))]
pub struct VersionSummary {
    /// Version id.
    #[schema(value_type = String, format = Uuid)]
    pub id: ListVersionId,
    /// The list.
    #[schema(value_type = String, format = Uuid)]
    pub list: ListId,
    /// 1, 2, 3 … within the list.
    pub number: u32,
    /// draft, published or superseded.
    #[schema(value_type = String)]
    pub status: VersionStatus,
    /// In force from (published versions).
    pub effective_from: Option<NaiveDate>,
    /// In force until, exclusive.
    pub effective_until: Option<NaiveDate>,
    /// The publication's document number.
    #[schema(value_type = Option<String>)]
    pub doc_no: Option<DocNo>,
    /// How many entries it has.
    pub entries: usize,
    /// How many township overrides it has.
    pub overrides: usize,
}

impl From<&ListVersion> for VersionSummary {
    fn from(v: &ListVersion) -> VersionSummary {
        VersionSummary {
            id: v.id,
            list: v.list,
            number: v.number,
            status: v.status,
            effective_from: v.effective_from,
            effective_until: v.effective_until,
            doc_no: v.doc_no.clone(),
            entries: v.entries.len(),
            overrides: v.overrides.len(),
        }
    }
}

page!(
    /// A page of a list's versions, oldest first.
    VersionPage of VersionSummary
);

/// 清单版本 — one version with its entries, overrides and what blocks its publication.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VersionDetail {
    /// Version id.
    #[schema(value_type = String, format = Uuid)]
    pub id: ListVersionId,
    /// The list.
    #[schema(value_type = String, format = Uuid)]
    pub list: ListId,
    /// 1, 2, 3 … within the list.
    pub number: u32,
    /// draft, published or superseded.
    #[schema(value_type = String)]
    pub status: VersionStatus,
    /// In force from (published versions).
    pub effective_from: Option<NaiveDate>,
    /// In force until, exclusive.
    pub effective_until: Option<NaiveDate>,
    /// The publication's document number.
    #[schema(value_type = Option<String>)]
    pub doc_no: Option<DocNo>,
    /// The entries: `{item, item_version, duty}`.
    #[schema(value_type = Vec<Object>)]
    pub entries: Vec<ListEntry>,
    /// Township overrides (template lists only).
    #[schema(value_type = Vec<Object>)]
    pub overrides: Vec<Override>,
    /// What would block its publication: `{code, severity, field, message, message_en}`.
    #[schema(value_type = Vec<Object>)]
    pub issues: Vec<Issue>,
}

/// The answer to a write on a version: its id, its status after it and the ledger leaf.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({ "id": "0190c3a4-7e1b-7c2d-9a51-3f0e2b6d8c13", "status": "published", "leaf_index": 42 }))]
pub struct VersionReceipt {
    /// Version id.
    #[schema(value_type = String, format = Uuid)]
    pub id: ListVersionId,
    /// `published` or `discarded`.
    pub status: String,
    /// Index of the ledger leaf of the write.
    pub leaf_index: u64,
}

/// The answer to setting a template draft's overrides.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OverridesReceipt {
    /// Version id.
    #[schema(value_type = String, format = Uuid)]
    pub id: ListVersionId,
    /// How many overrides the draft has now.
    pub overrides: usize,
    /// Index of the ledger leaf of the write.
    pub leaf_index: u64,
}

/// 差异 — added, removed and changed items, field by field.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DiffView {
    /// Items only on the right: `{item, name}`.
    #[schema(value_type = Vec<Object>)]
    pub added: Vec<quanze_core::diff::ItemRef>,
    /// Items only on the left: `{item, name}`.
    #[schema(value_type = Vec<Object>)]
    pub removed: Vec<quanze_core::diff::ItemRef>,
    /// Items on both sides that differ, with the fields that differ.
    #[schema(value_type = Vec<Object>)]
    pub changed: Vec<quanze_core::diff::ItemChange>,
    /// How many items are the same on both sides.
    pub unchanged: usize,
}

impl From<ListDiff> for DiffView {
    fn from(d: ListDiff) -> DiffView {
        DiffView { added: d.added, removed: d.removed, changed: d.changed, unchanged: d.unchanged }
    }
}

/// What to compare.
#[derive(Debug, Clone, Copy)]
pub enum DiffOf {
    /// Two versions.
    Versions(ListVersionId, ListVersionId),
    /// What two units hold on a date (default today).
    Units(UnitId, UnitId, Option<NaiveDate>),
}

/// An exported file.
#[derive(Debug, Clone)]
pub struct ExportFile {
    /// File name.
    pub name: String,
    /// Its media type.
    pub content_type: &'static str,
    /// The bytes.
    pub bytes: Vec<u8>,
}

impl Service {
    /// A page of the items matching a query.
    pub fn item_page(&self, q: &ItemQuery) -> ServiceResult<ItemPage> {
        self.items(q).map(ItemPage::from)
    }

    /// A page of the lists, each with its number of versions and its latest one.
    ///
    /// For the public (no `reader`), drafts are left out: a list's count and latest version
    /// are of what was published, and a list with nothing published is not shown at all, not
    /// even its name.
    pub fn list_page(&self, reader: Option<&CurrentUser>, offset: usize, limit: usize) -> ListPage {
        let catalog = self.catalog();
        // Each list with the versions `reader` may read, worked out once.
        let rows: Vec<(&quanze_core::PowerList, Vec<&ListVersion>)> = catalog
            .lists
            .iter()
            .map(|l| {
                let versions = catalog.versions(l.id);
                (l, versions.iter().filter(|v| may_read(reader, v.status)).collect::<Vec<_>>())
            })
            .filter(|(_, versions)| reader.is_some() || !versions.is_empty())
            .collect();
        ListPage::of_mapped(rows, offset, limit, |(l, versions)| ListSummary {
            id: l.id,
            name: l.name.clone(),
            scope: l.scope.clone(),
            versions: versions.len(),
            latest: versions.iter().max_by_key(|v| v.number).map(|v| LatestVersion {
                id: v.id,
                number: v.number,
                status: v.status,
                entries: v.entries.len(),
            }),
        })
    }

    /// Creates a list.
    pub async fn add_list(&self, by: &CurrentUser, body: NewListRequest) -> ServiceResult<Created> {
        let (id, leaf_index) = self.create_list(Some(by), &body.name, body.scope).await?;
        Ok(Created { id: id.as_uuid(), leaf_index })
    }

    /// A page of a list's versions, oldest first.
    ///
    /// Drafts are internal: only a signed-in `reader` sees them (the public sees what was
    /// published, and its history).
    pub fn version_page(
        &self,
        reader: Option<&CurrentUser>,
        list: ListId,
        offset: usize,
        limit: usize,
    ) -> ServiceResult<VersionPage> {
        let catalog = self.catalog();
        if catalog.list(list).is_none() {
            return Err(ServiceError::NotFound(format!("清单 {list}")));
        }
        let rows: Vec<_> =
            catalog.versions(list).iter().filter(|v| may_read(reader, v.status)).collect();
        Ok(VersionPage::of_mapped(rows, offset, limit, VersionSummary::from))
    }

    /// One version with its entries, overrides and publication blockers.
    /// A draft is `NotFound` for the public, as if it did not exist.
    pub fn version_detail(
        &self,
        reader: Option<&CurrentUser>,
        id: ListVersionId,
    ) -> ServiceResult<VersionDetail> {
        let catalog = self.catalog();
        let v = catalog
            .version(id)
            .filter(|v| may_read(reader, v.status))
            .ok_or_else(|| ServiceError::NotFound(format!("清单版本 {id}")))?;
        Ok(VersionDetail {
            id: v.id,
            list: v.list,
            number: v.number,
            status: v.status,
            effective_from: v.effective_from,
            effective_until: v.effective_until,
            doc_no: v.doc_no.clone(),
            entries: v.entries.clone(),
            overrides: v.overrides.clone(),
            issues: self.publication_blockers(v),
        })
    }

    /// Publishes a draft version.
    pub async fn publish_version(
        &self,
        by: &CurrentUser,
        id: ListVersionId,
        request: PublishRequest,
    ) -> ServiceResult<VersionReceipt> {
        let doc_no = DocNo::parse(&request.doc_no)?;
        let ratification = Ratification::parse(request.ratification.as_deref());
        let approval = ListApproval::parse(
            &request.body,
            &request.meeting,
            request.decided_on,
            doc_no,
            request.adoption,
            ratification,
        )
        .map_err(|e| {
            ServiceError::rejected(ErrorCode::MissingApprovalRecord, e.zh(), e.to_string())
        })?;
        let leaf_index = self.publish(Some(by), id, request.effective, approval).await?;
        Ok(VersionReceipt { id, status: "published".to_owned(), leaf_index })
    }

    /// Discards a draft version.
    pub async fn discard_version(
        &self,
        by: &CurrentUser,
        id: ListVersionId,
    ) -> ServiceResult<VersionReceipt> {
        let leaf_index = self.discard_draft(by, id).await?;
        Ok(VersionReceipt { id, status: "discarded".to_owned(), leaf_index })
    }

    /// Replaces a township template draft's overrides.
    pub async fn replace_overrides(
        &self,
        by: &CurrentUser,
        id: ListVersionId,
        body: OverridesRequest,
    ) -> ServiceResult<OverridesReceipt> {
        let overrides = body.overrides.len();
        let leaf_index = self.set_overrides(by, id, body.overrides).await?;
        Ok(OverridesReceipt { id, overrides, leaf_index })
    }

    /// The difference between two versions or between what two units hold.
    /// A draft compared is `NotFound` for the public.
    pub fn diff_of(&self, reader: Option<&CurrentUser>, of: DiffOf) -> ServiceResult<DiffView> {
        let d = match of {
            DiffOf::Versions(a, b) => {
                self.readable_version(reader, a)?;
                self.readable_version(reader, b)?;
                self.diff_versions(a, b)?
            }
            DiffOf::Units(a, b, date) => {
                self.diff_units(a, b, date.unwrap_or_else(|| self.today()))?
            }
        };
        Ok(d.into())
    }

    /// Imports a list file (xlsx) into a new draft, or only checks it.
    pub async fn import_file(
        &self,
        by: &CurrentUser,
        list: ListId,
        bytes: &[u8],
        dry_run: bool,
    ) -> ServiceResult<ImportOutcome> {
        self.import_list(by, list, bytes, dry_run, None).await
    }

    /// A version as a file (a township template resolved for `town` when given).
    ///
    /// A draft is `NotFound` for the public. An export by a signed-in `reader` is an audit
    /// record (`list.exported`: which version, for which town, in which format, how many bytes);
    /// the public's downloads of what was published are not, as that is public information and
    /// recording each would let anyone grow the ledger.
    pub async fn export_file(
        &self,
        reader: Option<&CurrentUser>,
        id: ListVersionId,
        town: Option<UnitId>,
        format: ExportFormat,
    ) -> ServiceResult<ExportFile> {
        self.readable_version(reader, id)?;
        // An audited export writes to the ledger, so it counts as a write of its account.
        if let Some(by) = reader {
            let writer =
                crate::rate::Writer { source: None, caller: Some(format!("user:{}", by.id)) };
            self.check_write_rate(&writer)?;
        }
        let (name, bytes) = self.export_version(id, town, format, None)?;
        if let Some(by) = reader {
            let payload = serde_json::json!({
                "version": id,
                "town": town,
                "format": format.extension(),
                "bytes": bytes.len(),
            });
            let ev = self.event(Some(by), None, "list.exported", id.to_string(), payload);
            self.store.record_act(ev).await?;
        }
        let content_type = match format {
            ExportFormat::Xlsx => {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
            ExportFormat::Csv => "text/csv; charset=utf-8",
            ExportFormat::Json => "application/json",
        };
        Ok(ExportFile { name, content_type, bytes })
    }

    /// `NotFound` unless version `id` exists and `reader` may read it.
    fn readable_version(
        &self,
        reader: Option<&CurrentUser>,
        id: ListVersionId,
    ) -> ServiceResult<()> {
        match self.catalog().version(id) {
            Some(v) if may_read(reader, v.status) => Ok(()),
            _ => Err(ServiceError::NotFound(format!("清单版本 {id}"))),
        }
    }
}

/// Whether `reader` may read a version in `status`: drafts are the staff's (草稿未经审定，
/// 不予公开), the rest is public.
fn may_read(reader: Option<&CurrentUser>, status: VersionStatus) -> bool {
    reader.is_some() || status != VersionStatus::Draft
}
