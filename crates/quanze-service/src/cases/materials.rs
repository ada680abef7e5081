//! 申请材料 — materials filed with a case: uploaded by the applicant (with the access code) or
//! by staff of the receiving or handling unit, typed by their content (never their name) and
//! refused when they are programs, over the size limit or off the allow-list; stored once
//! under their SM3 digest; reused by reference on the same applicant's later cases while still
//! valid, without uploading them again (once-only, 《国务院关于在线政务服务的若干规定》
//! （国务院令第716号）第七条); read and downloaded only by the applicant and the staff of the
//! units the case concerns (and supervisors).
//!
//! Filing is one store transaction with its ledger event (`case.material_filed` or
//! `case.material_reused`), which carries the material's name, size and type; its digest,
//! which identifies the applicant's document, is personal data behind the leaf's commitment.
//! It is not a step of the case's procedure: it moves no state and no clock,
//! so it never competes with the steps for the case's version (补正材料 is still the step the
//! procedure records; 容缺 materials still missing are shown beside the filed ones). The one
//! step a filing leads to is the server's 补齐容缺材料, once the last material a 容缺受理
//! promised is in: a second transaction after the filing's, which is safe because what is
//! missing is always computed from the filed materials ([`Service::record_missing_supplied`]).
//!
//! Memory: an upload reaches this module whole, but never larger than the limit
//! ([`MaterialsConfig::max_bytes`]): the web layer stops reading a body at the limit.

use std::sync::Arc;

use quanze_core::access::Act;
use quanze_core::case::material::{self, CaseMaterial, MaterialDigest, MaterialError, MediaType};
use quanze_core::case::{Actor, Case, CaseCommand};
use quanze_core::item::Material;
pub use quanze_store::MaterialSweep;
use quanze_store::StoredCase;

use super::CaseCaller;
use crate::auth::CurrentUser;
use crate::error::{ErrorCode, ServiceError, ServiceResult};
use crate::views::cases::CaseView;
use crate::views::materials::{
    MaterialFile, MaterialReceipt, MaterialUpload, MaterialView, MaterialsView, ReuseRequest,
};
use crate::{NewEvent, Service};

/// Settings of materials.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MaterialsConfig {
    /// The largest material accepted, in bytes (20 MiB by default).
    pub max_bytes: u64,
    /// How many uploads are read at once (4 by default); more wait their turn, so uploads
    /// never hold more than this many times `max_bytes` of memory.
    pub concurrent_uploads: usize,
}

impl Default for MaterialsConfig {
    fn default() -> MaterialsConfig {
        MaterialsConfig { max_bytes: 20 * 1024 * 1024, concurrent_uploads: 4 }
    }
}

impl From<MaterialError> for ServiceError {
    fn from(err: MaterialError) -> ServiceError {
        let code = match &err {
            MaterialError::Empty => ErrorCode::FileEmpty,
            MaterialError::TooLarge { .. } => ErrorCode::FileTooLarge,
            MaterialError::Executable { .. } => ErrorCode::MaterialExecutable,
            MaterialError::NotAllowed { .. } => ErrorCode::MaterialTypeNotAllowed,
            MaterialError::UnknownName { .. } => ErrorCode::MaterialNameUnknown,
            MaterialError::BadName | MaterialError::Expired { .. } => ErrorCode::InvalidInput,
        };
        ServiceError::rejected(code, err.zh(), err.to_string())
    }
}

/// What a caller may do with a case's materials.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Access {
    /// File one (the applicant; staff of the receiving or handling unit).
    File,
    /// See and download them (also staff of the deciding and cooperating units, supervisors).
    Read,
}

/// The SM3 digest of `bytes`.
fn digest_of(bytes: &[u8]) -> MaterialDigest {
    use sm3::Digest as _;
    MaterialDigest::from_bytes(sm3::Sm3::digest(bytes).into())
}

impl Service {
    /// 材料文件清理 — removes the material files beside a SQLite database that no stored
    /// material names (a crash between a file's write and its row's commit) and temporary files
    /// of unfinished writes, once they are older than `grace`; for the operator
    /// (`quanze materials sweep`) and the server's start. Content kept in the database
    /// (PostgreSQL) has nothing to sweep.
    pub async fn sweep_materials(
        &self,
        grace: std::time::Duration,
    ) -> ServiceResult<MaterialSweep> {
        Ok(self.store.sweep_materials(grace).await?)
    }

    /// The largest material accepted, in bytes (the web layer reads no more than this).
    pub fn max_material_bytes(&self) -> u64 {
        self.config.cases.materials.max_bytes
    }

    /// A turn to read an upload: held while its body is read and filed, so that no more
    /// than `MaterialsConfig::concurrent_uploads` bodies are in memory at once; the others
    /// wait for a turn.
    pub async fn material_upload_turn(&self) -> tokio::sync::OwnedSemaphorePermit {
        Arc::clone(&self.material_uploads)
            .acquire_owned()
            .await
            .expect("the uploads' semaphore is never closed")
    }

    /// The case at `receipt` if the caller may do `access` to its materials; the user when
    /// staff.
    async fn case_for_materials<'u>(
        &self,
        caller: &CaseCaller<'u>,
        receipt: &str,
        access: Access,
    ) -> ServiceResult<(Arc<StoredCase>, Option<&'u CurrentUser>)> {
        let stored = self.load_by_receipt(receipt).await?;
        let case = &stored.case;
        let user = match caller {
            CaseCaller::Applicant(code) => {
                Service::check_access(&stored, code)?;
                None
            }
            CaseCaller::Staff(user, _) => {
                let handles = |u| user.require_act(Act::HandleCase, Some(u)).is_ok();
                let allowed = match access {
                    Access::File => handles(case.receiving_unit) || handles(case.handling_unit),
                    Access::Read => {
                        [case.receiving_unit, case.handling_unit, case.deciding_unit]
                            .into_iter()
                            .any(handles)
                            || case.tasks.iter().any(|t| handles(t.unit))
                            || user.require_act(Act::SuperviseCases, None).is_ok()
                    }
                };
                if !allowed {
                    return Err(ServiceError::Forbidden(match access {
                        Access::File => "只有受理或经办单位的工作人员可以为办件提交材料".into(),
                        Access::Read => "只能查看本单位经办或配合的办件的材料".into(),
                    }));
                }
                Some(*user)
            }
        };
        if access == Access::File && case.state.is_final() {
            return Err(ServiceError::rejected(
                ErrorCode::CaseActionNotAllowed,
                format!("办件已{}，不能再提交材料", case.state.zh()),
                format!("case {receipt} has ended ({})", case.state.as_str()),
            ));
        }
        Ok((stored, user))
    }

    /// The names of the item's guide materials (申请材料目录) for `case`, for an upload form.
    pub fn material_names(&self, case: &Case) -> Vec<String> {
        self.guide_materials(case).into_iter().map(|m| m.name).collect()
    }

    /// The item's guide materials (申请材料目录) in the version the case is for.
    fn guide_materials(&self, case: &Case) -> Vec<Material> {
        self.catalog()
            .item(case.item.id, case.item.version)
            .and_then(|i| i.content.service.as_ref().map(|s| s.materials.clone()))
            .unwrap_or_default()
    }

    /// The name a material is filed under on `case`: one of its guide's, of its 容缺受理's, or
    /// one it has filed before (a material promised under 容缺受理 keeps its name once the
    /// promise is supplied and cleared, so that it can be filed again, corrected).
    async fn material_name_for(&self, case: &Case, raw: &str) -> ServiceResult<String> {
        let missing = case.missing_promised.as_ref().map(|(m, _)| m.as_slice()).unwrap_or(&[]);
        match material::material_name(raw, &self.guide_materials(case), missing) {
            Err(err @ MaterialError::UnknownName { .. }) => {
                let filed = self.store.case_materials(case.id).await?;
                let name = raw.trim();
                match filed.into_iter().find(|m| m.name == name) {
                    Some(m) => Ok(m.name),
                    None => Err(err.into()),
                }
            }
            other => Ok(other?),
        }
    }

    fn material_event(
        &self,
        by: Option<&CurrentUser>,
        stored: &StoredCase,
        kind: &str,
        m: &CaseMaterial,
    ) -> NewEvent {
        let mut ev = self.event(
            by,
            Some(stored.case.handling_unit),
            kind,
            format!("case:{}", stored.case.id),
            serde_json::json!({
                "receipt": stored.case.receipt,
                "name": m.name,
                "size": m.size,
                "media_type": m.media_type,
                "valid_until": m.valid_until,
                "reused_from": m.reused_from,
            }),
        );
        // The content's SM3 would let anyone holding a copy of a scan (an ID card) find in
        // the public ledger that it was filed: it goes behind the leaf's salted commitment.
        ev.personal = Some(serde_json::json!({ "digest": m.digest }));
        ev
    }

    /// Files `m` (with its bytes for an upload) unless the case has it under that name
    /// already, in which case the filed one is the answer and nothing is written; then, either
    /// way, records 补齐容缺材料 if this completed the material a 容缺受理 promised
    /// ([`Service::record_missing_supplied`]).
    async fn file(
        &self,
        by: Option<&CurrentUser>,
        stored: Arc<StoredCase>,
        m: CaseMaterial,
        content: Option<Vec<u8>>,
    ) -> ServiceResult<MaterialReceipt> {
        let receipt = self.file_once(by, &stored, m, content).await?;
        if let Err(err) = self.record_missing_supplied(stored).await {
            // The material is filed; only the timeline's note waits for the next filing.
            tracing::warn!(error = %err, "recording 补齐容缺材料 failed");
        }
        Ok(receipt)
    }

    async fn file_once(
        &self,
        by: Option<&CurrentUser>,
        stored: &StoredCase,
        m: CaseMaterial,
        content: Option<Vec<u8>>,
    ) -> ServiceResult<MaterialReceipt> {
        let filed = self.store.case_materials(stored.case.id).await?;
        if let Some(same) = filed.iter().find(|f| f.name == m.name && f.digest == m.digest) {
            return Ok(MaterialReceipt {
                material: same.into(),
                leaf_index: None,
                deduplicated: true,
            });
        }
        let known = self.store.material_stored(&m.digest).await?;
        let kind = if content.is_some() { "case.material_filed" } else { "case.material_reused" };
        let ev = self.material_event(by, stored, kind, &m);
        match self.store.file_material(&m, content, ev).await {
            Ok(receipt) => Ok(MaterialReceipt {
                material: (&m).into(),
                leaf_index: Some(receipt.leaf_index()),
                deduplicated: known,
            }),
            // Filed by a concurrent request meanwhile: the same answer as above.
            Err(quanze_store::StoreError::Conflict(_)) => {
                Ok(MaterialReceipt { material: (&m).into(), leaf_index: None, deduplicated: true })
            }
            Err(e) => Err(e.into()),
        }
    }

    /// 补齐容缺材料 — when the case has material a 容缺受理 accepted as missing and every name
    /// promised is now filed, the server's step that records it (with the day the last came
    /// and whether that was on time) and clears the promise; nothing otherwise, and nothing on
    /// a case that ended. The step goes through the path every step does, computed again from
    /// the stored case on a version conflict (so two filings racing to complete the promise
    /// record it once: the second finds it cleared).
    ///
    /// Two transactions, the filing's and this step's, and that is safe: what is missing is
    /// computed from the filed materials, never from the step, so a crash between them loses
    /// only the timeline's note, not a material, and no view shows material missing that was
    /// filed (the case's `missing_overdue` is judged against the filed materials too). The
    /// note is recovered by the next filing on the case, which checks again: another
    /// material, or the same one again (deduplicated, it writes nothing but this check). It
    /// is dated by the filings, not by when it is recorded, so a late note is no later.
    pub(crate) async fn record_missing_supplied(
        &self,
        stored: Arc<StoredCase>,
    ) -> ServiceResult<Option<CaseView>> {
        if stored.case.missing_promised.is_none() || stored.case.state.is_final() {
            return Ok(None);
        }
        let filed = self.store.case_materials(stored.case.id).await?;
        // Judged on the case as it is when the step is computed (again after a conflict): a
        // promise cleared meanwhile, or a case that ended, records nothing.
        let command = |case: &Case| {
            let (names, _) = case.missing_promised.as_ref().filter(|_| !case.state.is_final())?;
            let (names, last) = material::promised_supplied(names, &filed)?;
            let supplied_on = crate::beijing_time(last).date();
            Some(CaseCommand::MissingSupplied { names, supplied_on })
        };
        self.step_case(stored, None, &Actor::System, command).await
    }

    /// 提交材料 — uploads a material to a case. Its type is read from `content` (an executable
    /// or anything off the allow-list is refused, whatever it is called), it is stored once
    /// under its SM3 digest, and filed under `req.name`.
    pub async fn upload_material(
        &self,
        caller: CaseCaller<'_>,
        receipt: &str,
        req: MaterialUpload,
        content: Vec<u8>,
    ) -> ServiceResult<MaterialReceipt> {
        material::check_size(content.len() as u64, self.max_material_bytes())?;
        let media_type: MediaType = material::detect(&content)?;
        let (stored, by) = self.case_for_materials(&caller, receipt, Access::File).await?;
        let case = &stored.case;
        let name = self.material_name_for(case, &req.name).await?;
        material::check_valid_until(req.valid_until, self.today())?;
        let m = CaseMaterial {
            case: case.id,
            name,
            digest: digest_of(&content),
            size: content.len() as u64,
            media_type,
            attached_at: self.clock.now(),
            at_step: case.steps,
            valid_until: req.valid_until,
            reused_from: None,
        };
        self.file(by, stored, m, Some(content)).await
    }

    /// 材料复用 — files a material the same applicant filed with an earlier case and that is
    /// still valid, by reference: nothing is uploaded again. Another applicant's material is
    /// not found.
    pub async fn reuse_material(
        &self,
        caller: CaseCaller<'_>,
        receipt: &str,
        req: ReuseRequest,
    ) -> ServiceResult<MaterialReceipt> {
        let (stored, by) = self.case_for_materials(&caller, receipt, Access::File).await?;
        let case = &stored.case;
        let source = self
            .reusable_for(&stored)
            .await?
            .into_iter()
            .find(|m| m.digest == req.digest)
            .ok_or_else(|| {
                ServiceError::rejected(
                    ErrorCode::MaterialNotReusable,
                    "没有可复用的该材料：只能复用同一申请人此前办件中提交、且仍在有效期内的材料",
                    format!("no valid material {} of this applicant to reuse", req.digest),
                )
            })?;
        let name =
            self.material_name_for(case, req.name.as_deref().unwrap_or(&source.name)).await?;
        let m = CaseMaterial {
            case: case.id,
            name,
            attached_at: self.clock.now(),
            at_step: case.steps,
            reused_from: Some(source.case),
            ..source
        };
        self.file(by, stored, m, None).await
    }

    /// The same applicant's materials from other cases, valid today, newest first, one per
    /// name and digest.
    async fn reusable_for(&self, stored: &StoredCase) -> ServiceResult<Vec<CaseMaterial>> {
        // The applicant's keyed hash as stored now: a key rotation takes every hash again, and
        // the case this server cached may hold the one from before.
        let applicant_key = match self.store.case(stored.case.id).await? {
            Some(fresh) => fresh.applicant_key,
            None => stored.applicant_key.clone(),
        };
        let mut seen = std::collections::HashSet::new();
        Ok(self
            .store
            .applicant_materials(&applicant_key, self.today())
            .await?
            .into_iter()
            .filter(|m| m.case != stored.case.id)
            .filter(|m| seen.insert((m.name.clone(), m.digest.clone())))
            .collect())
    }

    /// A case's materials: filed, still missing (the guide's and the 容缺 list's), and
    /// reusable from the same applicant's earlier cases.
    pub async fn case_materials(
        &self,
        caller: CaseCaller<'_>,
        receipt: &str,
    ) -> ServiceResult<MaterialsView> {
        let (stored, _) = self.case_for_materials(&caller, receipt, Access::Read).await?;
        let case = &stored.case;
        let filed = self.store.case_materials(case.id).await?;
        let (promised_names, promised) = match &case.missing_promised {
            Some((names, day)) => (names.as_slice(), Some(*day)),
            None => (&[][..], None),
        };
        let missing = material::still_missing(&self.guide_materials(case), promised_names, &filed);
        let reusable = self
            .reusable_for(&stored)
            .await?
            .iter()
            .filter(|r| !filed.iter().any(|f| f.name == r.name && f.digest == r.digest))
            .map(MaterialView::from)
            .collect();
        Ok(MaterialsView {
            filed: filed.iter().map(MaterialView::from).collect(),
            promised: promised.filter(|_| !missing.is_empty()),
            missing,
            reusable,
            max_bytes: self.max_material_bytes(),
            accepted: MediaType::ALL.iter().map(|t| t.mime()).collect(),
        })
    }

    /// One material of a case with its bytes, for the applicant and the staff who may see the
    /// case. A digest the case did not file is not found, even when another case did.
    pub async fn material_file(
        &self,
        caller: CaseCaller<'_>,
        receipt: &str,
        digest: &str,
    ) -> ServiceResult<MaterialFile> {
        let digest = MaterialDigest::parse(digest)?;
        let (stored, _) = self.case_for_materials(&caller, receipt, Access::Read).await?;
        let filed = self.store.case_materials(stored.case.id).await?;
        let m = filed
            .iter()
            .rev()
            .find(|m| m.digest == digest)
            .ok_or_else(|| ServiceError::NotFound(format!("办件 {receipt} 的材料 {digest}")))?;
        let bytes = self.store.material_content(&digest).await?.ok_or_else(|| {
            ServiceError::Internal(format!("material {digest} is filed but not stored"))
        })?;
        Ok(MaterialFile { material: m.into(), bytes })
    }
}
