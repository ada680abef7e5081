//! Materials of a case (申请材料): what was filed, what is still missing, what the same
//! applicant filed before and may reuse, and the answers to filing one.

use chrono::{DateTime, NaiveDate, Utc};
use quanze_core::CaseId;
use quanze_core::case::material::{CaseMaterial, MaterialDigest, MediaType};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// 办件材料 — one material filed with a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[schema(example = json!({
    "name": "申请书", "digest": "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0",
    "size": 600, "media_type": "pdf", "mime": "application/pdf",
    "attached_at": "2026-09-28T02:00:00Z", "at_step": 1, "valid_until": "2027-09-27"
}))]
pub struct MaterialView {
    /// 材料名称.
    pub name: String,
    /// SM3 digest of the content (the download's key).
    #[schema(value_type = String)]
    pub digest: MaterialDigest,
    /// Size in bytes.
    pub size: u64,
    /// The type detected from the content (`pdf`, `ofd`, `jpeg`, `png`, `docx`, `xlsx`).
    #[schema(value_type = String)]
    pub media_type: MediaType,
    /// Its MIME type.
    pub mime: &'static str,
    /// When it was filed.
    pub attached_at: DateTime<Utc>,
    /// The case's step count when it was filed.
    pub at_step: u32,
    /// 有效期至, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<NaiveDate>,
    /// The earlier case it was reused from (once-only), when it was.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = Uuid)]
    pub reused_from: Option<CaseId>,
}

impl From<&CaseMaterial> for MaterialView {
    fn from(m: &CaseMaterial) -> MaterialView {
        MaterialView {
            name: m.name.clone(),
            digest: m.digest.clone(),
            size: m.size,
            media_type: m.media_type,
            mime: m.media_type.mime(),
            attached_at: m.attached_at,
            at_step: m.at_step,
            valid_until: m.valid_until,
            reused_from: m.reused_from,
        }
    }
}

/// A case's materials.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MaterialsView {
    /// 已提交材料, in the order they were filed.
    pub filed: Vec<MaterialView>,
    /// 尚缺材料: the guide's required materials not filed (not those obtained by data sharing)
    /// and those a 容缺受理 accepted as missing.
    pub missing: Vec<String>,
    /// 容缺受理: the day the missing material was promised for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub promised: Option<NaiveDate>,
    /// 可复用材料: what the same applicant filed with earlier cases, still valid today, that
    /// this case has not filed; attach one by its digest without uploading it again
    /// (《国务院关于在线政务服务的若干规定》第七条).
    pub reusable: Vec<MaterialView>,
    /// The largest file accepted, in bytes.
    pub max_bytes: u64,
    /// The accepted types (detected from the content, not the name).
    pub accepted: Vec<&'static str>,
}

/// The answer to filing a material.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MaterialReceipt {
    /// The material as filed.
    pub material: MaterialView,
    /// Index of the ledger leaf recording the filing; `None` when the case had this material
    /// under this name already (nothing was written).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub leaf_index: Option<u64>,
    /// Whether the same bytes were stored already (for this or another case): stored once.
    pub deduplicated: bool,
}

/// How to file an upload.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MaterialUpload {
    /// 材料名称: one of the item's guide materials (or of the 容缺 list) when the guide lists any.
    pub name: String,
    /// 有效期至 (a licence's or certificate's end of validity), for reuse on later cases.
    #[serde(default)]
    pub valid_until: Option<NaiveDate>,
}

/// A material of the same applicant's earlier case to file with this one.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReuseRequest {
    /// Its digest (from `reusable`).
    #[schema(value_type = String)]
    pub digest: MaterialDigest,
    /// The name to file it under (default: the name it was filed under before).
    #[serde(default)]
    pub name: Option<String>,
    /// The applicant's access code, when the applicant files it (staff use their token).
    #[serde(default)]
    pub access_code: Option<String>,
}

/// A material's bytes with what they are.
#[derive(Debug, Clone)]
pub struct MaterialFile {
    /// The material.
    pub material: MaterialView,
    /// The bytes, checked against the digest.
    pub bytes: Vec<u8>,
}
