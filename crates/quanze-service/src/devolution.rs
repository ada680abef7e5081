//! Devolution (赋权, issue 4 §5–6): grants of department powers to towns in batches
//! (成熟一批、赋予一批), each town's readiness to take them (承接) with overrides, reclaims
//! (收回), and the one question everything else asks — `holds(unit, item, date)`.
//!
//! Grant writes are checked against the catalogue and written one at a time (a service-wide
//! lock), so two clerks cannot both grant the same power to the same town.

use chrono::NaiveDate;
use quanze_core::access::Act;
use quanze_core::devolution::{
    EnforcementOfficer, Entrustment, GrantContext, GrantLink, GrantTarget, OwnNameBasis,
    ProvincialDecision, ReadinessIndex, TrainedStaff, validate_grant, validate_reclaim,
};
use quanze_core::{
    Authority, DocNo, DutyKind, Grant, GrantError, GrantId, GrantMode, GrantReclaim, ItemId,
    ListId, ListScope, Readiness, ReadinessState, UnitId, VersionStatus,
};

use crate::Service;
use crate::auth::CurrentUser;
use crate::catalog::Catalog;
use crate::error::{ErrorCode, ServiceError, ServiceResult};

impl From<GrantError> for ServiceError {
    fn from(err: GrantError) -> ServiceError {
        let code = match &err {
            GrantError::EmptyWindow { .. } => ErrorCode::EmptyWindow,
            GrantError::NoTowns | GrantError::NotATown(_) => ErrorCode::NotATown,
            GrantError::DepartmentDoesNotHold { .. } => ErrorCode::DepartmentDoesNotHold,
            GrantError::GrantedTwice { .. } => ErrorCode::GrantedTwice,
            GrantError::OverlappingWindow { .. } => ErrorCode::OverlappingWindow,
            GrantError::PenaltyWithoutProvincialDecision => {
                ErrorCode::PenaltyWithoutProvincialDecision
            }
            GrantError::CoercionEntrusted => ErrorCode::CoercionEntrusted,
            GrantError::UnknownGrant(_) => ErrorCode::UnknownGrant,
            GrantError::NoActiveGrant { .. } => ErrorCode::NoActiveGrant,
            GrantError::MissingReason => ErrorCode::MissingReason,
            GrantError::DecisionNotProvincial { .. } => ErrorCode::DecisionNotProvincial,
            GrantError::DecisionNotPublished { .. } => ErrorCode::DecisionNotPublished,
            GrantError::EvaluationNotScheduled { .. } => ErrorCode::EvaluationNotScheduled,
            GrantError::EntrustmentWithoutLetter => ErrorCode::EntrustmentWithoutLetter,
            GrantError::EntrustmentIncomplete => ErrorCode::EntrustmentIncomplete,
            GrantError::OutsideEntrustmentTerm { .. } => ErrorCode::OutsideEntrustmentTerm,
            GrantError::EntrustmentNotPublished { .. } => ErrorCode::EntrustmentNotPublished,
            GrantError::ReEntrustment => ErrorCode::ReEntrustment,
            GrantError::LicenceWithoutOwnNameBasis => ErrorCode::LicenceWithoutOwnNameBasis,
            GrantError::CoercionWithoutOwnNameBasis => ErrorCode::CoercionWithoutOwnNameBasis,
            GrantError::NotWaivable(_) => ErrorCode::ReadinessNotWaivable,
        };
        ServiceError::Rejected {
            code,
            message_zh: err.zh(),
            message_en: err.to_string(),
            issues: vec![],
        }
    }
}

/// A grant to record.
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewGrant {
    /// The department's power item.
    #[schema(value_type = String)]
    pub item: ItemId,
    /// The granting department.
    #[schema(value_type = String)]
    pub from: UnitId,
    /// The towns, named or by tag.
    #[schema(value_type = Object)]
    pub to: GrantTarget,
    /// How: `direct`, `entrusted`, `review_power` or `window_forward`.
    #[schema(value_type = String)]
    pub mode: GrantMode,
    /// In force from.
    pub effective_from: NaiveDate,
    /// In force until (exclusive).
    #[serde(default)]
    pub effective_until: Option<NaiveDate>,
    /// 批次.
    pub batch: String,
    /// 赋权事项承接确认书.
    #[serde(default)]
    pub confirmation_doc: Option<String>,
    /// The provincial decision a penalty power handed down needs (行政处罚法 第24条): issuer
    /// (name and province-level region code), doc_no, published_on, next_evaluation.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub provincial_decision: Option<ProvincialDecision>,
    /// The 委托书 an entrustment needs: doc_no, matters, scope, term_from, term_until,
    /// published_on.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub entrustment: Option<Entrustment>,
    /// The basis for the town's own name, for a licence or coercive measure handed down
    /// directly: kind (`by_law`, `concentrated_licensing`, `concentrated_enforcement`), basis,
    /// doc_no.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub own_name_basis: Option<OwnNameBasis>,
}

/// A town's readiness checklist as sent.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReadinessInput {
    /// Trained staff with their training records.
    #[serde(default)]
    #[schema(value_type = Vec<Object>)]
    pub staff: Vec<TrainedStaff>,
    /// System access granted.
    #[serde(default)]
    pub system_access: bool,
    /// Seal available.
    #[serde(default)]
    pub seal: bool,
    /// Funding arranged.
    #[serde(default)]
    pub funding: bool,
    /// The guidance document.
    #[serde(default)]
    pub guidance_doc: Option<String>,
    /// The date of the town's 承接确认书.
    #[serde(default)]
    pub confirmed_on: Option<NaiveDate>,
    /// Officers holding enforcement certificates (name and certificate number; personal data,
    /// kept out of the ledger's leaves). A penalty power needs two (行政处罚法 第42条).
    #[serde(default)]
    #[schema(value_type = Vec<Object>)]
    pub officers: Vec<EnforcementOfficer>,
}

/// One town of a grant, as shown.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct TownStanding {
    /// The town.
    #[schema(value_type = String)]
    pub town: UnitId,
    /// Its name.
    pub name: String,
    /// Its readiness state on the day asked.
    #[schema(value_type = Object)]
    pub state: ReadinessState,
    /// The state in Chinese.
    pub state_zh: &'static str,
    /// Whether the grant is active there on the day.
    pub active: bool,
}

/// A grant with its towns' standing.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
#[schema(example = json!({ "grant": { "id": "0190c3a4-7e1b-7c2d-9a51-3f0e2b6d8c31", "item": "0190c3a4-7e1b-7c2d-9a51-3f0e2b6d8c41", "from": "0190c3a4-7e1b-7c2d-9a51-3f0e2b6d8c51", "to": { "kind": "towns", "towns": ["0190c3a4-7e1b-7c2d-9a51-3f0e2b6d8c11"] }, "mode": "entrusted", "effective_from": "2026-01-01", "batch": "2026年第一批" }, "item_name": "对未取得食品经营许可从事食品经营活动的行政处罚", "from_name": "某某县市场监督管理局", "mode_zh": "委托下放", "towns": [{ "town": "0190c3a4-7e1b-7c2d-9a51-3f0e2b6d8c11", "name": "王坛镇人民政府", "state": { "state": "ready" }, "state_zh": "已具备承接条件", "active": true }] }))]
pub struct GrantView {
    /// The grant.
    #[schema(value_type = Object)]
    pub grant: Grant,
    /// The item's name.
    pub item_name: String,
    /// The department's name.
    pub from_name: String,
    /// The mode in Chinese.
    pub mode_zh: &'static str,
    /// Every town it reaches.
    pub towns: Vec<TownStanding>,
    /// The township entries it produced: template or town list items linked to it.
    pub entries: Vec<GrantEntry>,
}

/// 赋权产生的乡镇事项 — a township list entry linked to a grant.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct GrantEntry {
    /// The list (the township template or a town's list).
    #[schema(value_type = String)]
    pub list: ListId,
    /// Its name.
    pub list_name: String,
    /// The township item.
    #[schema(value_type = String)]
    pub item: ItemId,
    /// The item's name.
    pub item_name: String,
}

impl Service {
    /// Every grant with its towns' standing on `date`.
    pub fn grants(&self, date: NaiveDate) -> Vec<GrantView> {
        let catalog = self.catalog();
        let ready = ReadinessIndex::new(&catalog.readiness, &catalog.reclaims);
        let mut entries = township_entries(&catalog, date);
        catalog
            .grants
            .iter()
            .map(|g| {
                let mut view = grant_view(&catalog, &ready, g, date);
                view.entries = take_entries(&mut entries, g);
                view
            })
            .collect()
    }

    /// One grant with its towns' standing on `date`, without building every other grant's.
    pub fn grant(&self, id: GrantId, date: NaiveDate) -> Option<GrantView> {
        let catalog = self.catalog();
        let at = catalog.grants.binary_search_by(|g| g.id.cmp(&id)).ok()?;
        let g = &catalog.grants[at];
        let ready = ReadinessIndex::new(&catalog.readiness, &catalog.reclaims);
        let mut view = grant_view(&catalog, &ready, g, date);
        view.entries = take_entries(&mut township_entries(&catalog, date), g);
        Some(view)
    }

    /// 赋权 — records a grant after checking it: the department holds the power on the start
    /// date, every target is a town, no town gets it twice or in overlapping windows, a penalty
    /// power has a provincial decision, a coercive measure is not entrusted.
    pub async fn create_grant(
        &self,
        by: &CurrentUser,
        new: NewGrant,
    ) -> ServiceResult<(GrantView, u64)> {
        by.require_act(Act::Grant, None)?;
        let batch = new.batch.trim().to_owned();
        if batch.is_empty() {
            return Err(quanze_core::ValidationError::Empty { field: "batch" }.into());
        }
        let doc = |raw: Option<String>| raw.map(|d| DocNo::parse(&d)).transpose();
        let grant = Grant {
            id: self.ids.grant(),
            item: new.item,
            from: new.from,
            to: new.to,
            mode: new.mode,
            effective_from: new.effective_from,
            effective_until: new.effective_until,
            batch,
            confirmation_doc: doc(new.confirmation_doc)?,
            provincial_decision: new.provincial_decision,
            entrustment: new.entrustment,
            own_name_basis: new.own_name_basis,
            legacy_decision: None,
        };
        let _writing = self.devolution.lock().await;
        let catalog = self.catalog();
        // Only the department's own entry is holding: one it cooperates on or handed back
        // (收回) gives it nothing to grant.
        let own = |u, i, d| catalog.holdings.holds(u, i, d).filter(|e| e.duty == DutyKind::Own);
        let content = own(grant.from, grant.item, grant.effective_from)
            .and_then(|e| catalog.content(e))
            .ok_or(GrantError::DepartmentDoesNotHold {
                unit: grant.from,
                item: grant.item,
                date: grant.effective_from,
            })?;
        let holds = |u, i, d| own(u, i, d).is_some();
        let towns = validate_grant(&grant, content, holds, context(&catalog))?;
        let ev = self.event(
            Some(by),
            Some(grant.from),
            "grant.created",
            format!("grant:{}", grant.id),
            serde_json::json!({ "grant": grant, "towns": towns }),
        );
        let mut writer = self.catalog_writer().await?;
        let receipt = writer.write(self.store.put_grant(&grant, ev)).await?;
        writer.apply(|c| c.with_grant(grant.clone()));
        let catalog = self.catalog();
        let ready = ReadinessIndex::new(&catalog.readiness, &catalog.reclaims);
        let view = grant_view(&catalog, &ready, &grant, self.today());
        Ok((view, receipt.leaf_index()))
    }

    /// 承接 — records a town's readiness checklist for a grant (replacing the last one, and
    /// keeping an override recorded before).
    pub async fn record_readiness(
        &self,
        by: &CurrentUser,
        grant: GrantId,
        town: UnitId,
        input: ReadinessInput,
    ) -> ServiceResult<(ReadinessState, u64)> {
        let mut recorded = self.record_readiness_of_towns(by, vec![(grant, town, input)]).await?;
        Ok(recorded.pop().expect("one checklist, one answer"))
    }

    /// Records several checklists as [`Service::record_readiness`] records one: every one is
    /// checked before any is written, each is written in its own transaction with its own
    /// event, and the catalogue takes them in one step (the demo records a batch for every
    /// town, a thousand checklists: rebuilding the authority index after each took 40 s). A
    /// failed write leaves the ones before it recorded and answers the error.
    pub(crate) async fn record_readiness_of_towns(
        &self,
        by: &CurrentUser,
        checklists: Vec<(GrantId, UnitId, ReadinessInput)>,
    ) -> ServiceResult<Vec<(ReadinessState, u64)>> {
        for (_, town, _) in &checklists {
            by.require_act(Act::Readiness, Some(*town))?;
        }
        let _writing = self.devolution.lock().await;
        let catalog = self.catalog();
        let mut prepared = Vec::with_capacity(checklists.len());
        for (grant, town, input) in checklists {
            let g = town_of_grant(&catalog, grant, town)?;
            let certificates_required = catalog.certificates_required(g.id);
            let previous = catalog.readiness.iter().find(|r| r.grant == grant && r.town == town);
            let readiness = Readiness {
                staff: input.staff,
                system_access: input.system_access,
                seal: input.seal,
                funding: input.funding,
                guidance_doc: input
                    .guidance_doc
                    .map(|d| d.trim().to_owned())
                    .filter(|d| !d.is_empty()),
                confirmed_on: input.confirmed_on,
                overridden: previous.and_then(|p| p.overridden.clone()),
                officers: input.officers,
                certificates_required,
                ..Readiness::new(g.id, town)
            };
            // Staff names and certificate numbers are personal data: the leaf carries their
            // number only; they go to the erasable personal table under a salted commitment.
            let mut ev = self.event(
                Some(by),
                Some(town),
                "grant.readiness_recorded",
                format!("grant:{grant}"),
                serde_json::json!({
                    "town": town, "staff": readiness.staff.len(), "missing": readiness.missing(),
                    "system_access": readiness.system_access, "seal": readiness.seal,
                    "funding": readiness.funding, "guidance_doc": readiness.guidance_doc,
                    "confirmed_on": readiness.confirmed_on,
                    "officers": readiness.officers.len(),
                    "certificates_required": readiness.certificates_required,
                }),
            );
            ev.personal = Some(
                serde_json::json!({ "staff": readiness.staff, "officers": readiness.officers }),
            );
            prepared.push((readiness, ev));
        }
        drop(catalog);
        let mut writer = self.catalog_writer().await?;
        let mut recorded = Vec::with_capacity(prepared.len());
        let mut answers = Vec::with_capacity(prepared.len());
        let mut failed = None;
        for (readiness, ev) in prepared {
            match writer.write(self.store.put_readiness(&readiness, ev)).await {
                Ok(receipt) => {
                    answers.push((readiness.state(false), receipt.leaf_index()));
                    recorded.push(readiness);
                }
                Err(err) => {
                    failed = Some(err);
                    break;
                }
            }
        }
        writer.apply(|c| c.with_readiness(recorded));
        match failed {
            Some(err) => Err(err.into()),
            None => Ok(answers),
        }
    }

    /// Records an override: the town takes the grant from `effective_on` although its
    /// checklist is incomplete, for the reason given.
    pub async fn override_readiness(
        &self,
        by: &CurrentUser,
        grant: GrantId,
        town: UnitId,
        reason: &str,
        effective_on: NaiveDate,
    ) -> ServiceResult<u64> {
        by.require_act(Act::ReadinessOverride, None)?;
        let _writing = self.devolution.lock().await;
        let catalog = self.catalog();
        let g = town_of_grant(&catalog, grant, town)?;
        let mut readiness = catalog
            .readiness
            .iter()
            .find(|r| r.grant == grant && r.town == town)
            .cloned()
            .unwrap_or_else(|| Readiness {
                certificates_required: catalog.certificates_required(g.id),
                ..Readiness::new(g.id, town)
            });
        if readiness.missing().is_empty() {
            return Err(ServiceError::rejected(
                ErrorCode::AlreadyReady,
                "该乡镇已具备承接条件，无需特批",
                "the town's checklist is complete; no override is needed",
            ));
        }
        readiness.override_with(reason, by.id, self.clock.now(), effective_on)?;
        let ev = self.event(
            Some(by),
            Some(town),
            "grant.readiness_overridden",
            format!("grant:{grant}"),
            serde_json::json!({ "town": town, "reason": reason.trim(), "effective_on": effective_on, "missing": readiness.missing() }),
        );
        let mut writer = self.catalog_writer().await?;
        let receipt = writer.write(self.store.put_readiness(&readiness, ev)).await?;
        writer.apply(|c| c.with_readiness([readiness]));
        Ok(receipt.leaf_index())
    }

    /// 收回 — takes a granted power back from a town from `effective_on`. Refused without a
    /// reason, or when the grant is not active in the town on that day.
    pub async fn reclaim(
        &self,
        by: &CurrentUser,
        grant: GrantId,
        town: UnitId,
        effective_on: NaiveDate,
        reason: &str,
        doc: Option<String>,
    ) -> ServiceResult<u64> {
        by.require_act(Act::Grant, None)?;
        let _writing = self.devolution.lock().await;
        let catalog = self.catalog();
        let reclaim = GrantReclaim {
            id: self.ids.reclaim(),
            grant,
            town,
            effective_on,
            reason: reason.trim().to_owned(),
            doc: doc.map(|d| DocNo::parse(&d)).transpose()?,
        };
        validate_reclaim(&reclaim, context(&catalog))?;
        let ev = self.event(
            Some(by),
            Some(town),
            "grant.reclaimed",
            format!("grant:{grant}"),
            serde_json::to_value(&reclaim).unwrap_or_default(),
        );
        let mut writer = self.catalog_writer().await?;
        let receipt = writer.write(self.store.put_reclaim(&reclaim, ev)).await?;
        writer.apply(|c| c.with_reclaim(reclaim));
        Ok(receipt.leaf_index())
    }

    /// 法无授权不可为 — whether and how `unit` may exercise `item` on `date`.
    pub fn holds(&self, unit: UnitId, item: ItemId, date: NaiveDate) -> Option<Authority> {
        self.catalog().authority.holds(unit, item, date)
    }
}

pub(crate) fn context(catalog: &Catalog) -> GrantContext<'_> {
    GrantContext {
        units: &catalog.units,
        grants: &catalog.grants,
        reclaims: &catalog.reclaims,
        readiness: &catalog.readiness,
    }
}

/// The grant, if it reaches the town.
fn town_of_grant(catalog: &Catalog, grant: GrantId, town: UnitId) -> ServiceResult<&Grant> {
    let g = catalog
        .grants
        .iter()
        .find(|g| g.id == grant)
        .ok_or_else(|| ServiceError::NotFound(format!("赋权 {grant}")))?;
    if !g.towns(&catalog.units).contains(&town) {
        let name = catalog.unit(town).map_or_else(|| town.to_string(), |u| u.name.clone());
        return Err(ServiceError::rejected(
            ErrorCode::TownNotInGrant,
            format!("“{name}”不在该赋权的承接乡镇之中"),
            format!("town {town} is not a target of grant {grant}"),
        ));
    }
    Ok(g)
}

pub(crate) fn grant_view(
    catalog: &Catalog,
    ready: &ReadinessIndex<'_>,
    g: &Grant,
    date: NaiveDate,
) -> GrantView {
    let item_name = catalog.granted_content(g).map(|c| c.display_name()).unwrap_or_default();
    let towns = g
        .towns(&catalog.units)
        .into_iter()
        .map(|town| {
            let state = ready.state(g.id, town, date);
            let active = catalog.authority.holds(town, g.item, date).is_some_and(|a| {
                matches!(a.source, quanze_core::authority::Source::Grant { grant, .. } if grant == g.id)
            });
            TownStanding {
                town,
                name: catalog.unit(town).map(|u| u.name.clone()).unwrap_or_default(),
                state_zh: state.zh(),
                state,
                active,
            }
        })
        .collect();
    GrantView {
        grant: g.clone(),
        item_name,
        from_name: catalog.unit(g.from).map(|u| u.name.clone()).unwrap_or_default(),
        mode_zh: g.mode.zh(),
        towns,
        entries: Vec::new(),
    }
}

/// The township entries (template and town lists, the version in force on `date`, else the
/// latest published) whose content links to a grant, by link.
/// The township list entries that carry `g`: those naming it with its document, else those
/// naming it without one.
fn take_entries(
    entries: &mut std::collections::HashMap<GrantLink, Vec<GrantEntry>>,
    g: &Grant,
) -> Vec<GrantEntry> {
    match entries.remove(&GrantLink::to(g)) {
        Some(found) if !found.is_empty() => found,
        _ => entries.remove(&GrantLink { doc: None, ..GrantLink::to(g) }).unwrap_or_default(),
    }
}

pub(crate) fn township_entries(
    catalog: &Catalog,
    date: NaiveDate,
) -> std::collections::HashMap<GrantLink, Vec<GrantEntry>> {
    let mut out: std::collections::HashMap<GrantLink, Vec<GrantEntry>> = Default::default();
    for list in catalog.lists.iter() {
        let township = match list.scope {
            ListScope::TownshipTemplate { .. } => true,
            ListScope::Unit { unit } => {
                catalog.unit(unit).is_some_and(|u| u.kind.is_township_level())
            }
        };
        if !township {
            continue;
        }
        let version = catalog.version_on(list.id, date).or_else(|| {
            catalog.latest_version(list.id).filter(|v| v.status != VersionStatus::Draft)
        });
        let Some(version) = version else { continue };
        let added = version.overrides.iter().filter_map(|o| match &o.change {
            quanze_core::OverrideChange::Add { entry } => Some(entry),
            quanze_core::OverrideChange::Remove { .. } => None,
        });
        for e in version.entries.iter().chain(added) {
            let Some(c) = catalog.content(e) else { continue };
            let Some(link) = &c.grant else { continue };
            out.entry(link.clone()).or_default().push(GrantEntry {
                list: list.id,
                list_name: list.name.clone(),
                item: e.item,
                item_name: c.display_name(),
            });
        }
    }
    out
}
