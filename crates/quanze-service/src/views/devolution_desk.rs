//! 赋权办理 — what the staff's devolution pages show: every grant with how many towns have
//! taken it up; one grant with each town's standing, what its readiness checklist still
//! lacks, and which of readiness, override and reclaim the signed-in account may record; and
//! the form of a new grant (a department, one of its own powers, the towns). The service
//! still checks each write as the API's.

use chrono::NaiveDate;
use quanze_core::access::Act;
use quanze_core::devolution::legal::{CertificateNo, EnforcementOfficer};
use quanze_core::devolution::{TrainedStaff, TrainingRecord};
use quanze_core::{
    DutyKind, GrantId, GrantMode, GrantTarget, ItemId, ListScope, ReadinessState, UnitId, UnitKind,
    VersionStatus,
};

use crate::devolution::{GrantView, NewGrant, ReadinessInput};
use crate::error::{ErrorCode, ServiceError};
use crate::{CurrentUser, Service, ServiceResult};

/// One grant in the list of them.
#[derive(Debug, Clone)]
pub struct GrantLine {
    /// Id.
    pub id: GrantId,
    /// The power.
    pub item_name: String,
    /// The department that hands it down.
    pub from_name: String,
    /// 直接下放, 委托下放, …
    pub mode_zh: &'static str,
    /// 批次.
    pub batch: String,
    /// In force from.
    pub from: NaiveDate,
    /// Towns named.
    pub towns: usize,
    /// Towns exercising it on the day shown.
    pub active: usize,
}

/// A town of a grant as its page shows it.
#[derive(Debug, Clone)]
pub struct TownLine {
    /// The town.
    pub town: UnitId,
    /// Its name.
    pub name: String,
    /// 已具备承接条件, 待完善, 特批承接, 已收回.
    pub state_zh: &'static str,
    /// Exercising it on the day shown.
    pub active: bool,
    /// What its checklist lacks (labels).
    pub missing: Vec<&'static str>,
    /// Whether a leader may waive what it lacks (every missing item waivable).
    pub waivable: bool,
    /// Reclaimed.
    pub reclaimed: bool,
    /// Whether the account may record this town's readiness (a county-wide role, or one held
    /// for the town).
    pub may_readiness: bool,
}

/// 赋权 — one grant for the staff's page.
#[derive(Debug, Clone)]
pub struct GrantPage {
    /// Id.
    pub id: GrantId,
    /// The power.
    pub item: ItemId,
    /// Its name.
    pub item_name: String,
    /// The department.
    pub from_name: String,
    /// How.
    pub mode_zh: &'static str,
    /// 批次.
    pub batch: String,
    /// In force from.
    pub from: NaiveDate,
    /// Until (exclusive), if set.
    pub until: Option<NaiveDate>,
    /// 承接确认书 number, if any.
    pub confirmation_doc: Option<String>,
    /// Whether the towns need two certified officers and a confirmation date.
    pub needs_certificates: bool,
    /// The towns.
    pub towns: Vec<TownLine>,
    /// The township list entries that carry it: (list, item).
    pub entries: Vec<(String, String)>,
    /// May approve an override (a leader).
    pub may_override: bool,
    /// May reclaim (the staffing office).
    pub may_reclaim: bool,
    /// The day the standings are for.
    pub date: NaiveDate,
}

/// 新的赋权 — the departments, once one is chosen its own powers, and the towns.
#[derive(Debug, Clone)]
pub struct GrantForm {
    /// Departments: (id, name).
    pub departments: Vec<(UnitId, String)>,
    /// The department chosen.
    pub department: Option<(UnitId, String)>,
    /// Its own powers in its published list: (id, name).
    pub items: Vec<(ItemId, String)>,
    /// Towns and subdistricts: (id, name).
    pub towns: Vec<(UnitId, String)>,
}

/// A grant made on the page: one of a department's powers to the towns named, as a service
/// window moved forward or as the power of substantive review. A direct or entrusted grant
/// needs its legal documents (a provincial decision, a 委托书, an own-name basis), which the
/// API takes (`POST /api/v1/grants`).
#[derive(Debug, Clone)]
pub struct GrantRequest {
    /// The power.
    pub item: ItemId,
    /// The department.
    pub from: UnitId,
    /// The towns.
    pub towns: Vec<UnitId>,
    /// How the power is handed down; a direct or entrusted grant with its documents below.
    pub mode: GrantMode,
    /// In force from.
    pub effective_from: NaiveDate,
    /// 批次.
    pub batch: String,
    /// 承接确认书, if any.
    pub confirmation_doc: Option<String>,
    /// 省级赋权决定, for a direct grant of penalty powers (行政处罚法第二十四条).
    pub provincial_decision: Option<quanze_core::devolution::legal::ProvincialDecision>,
    /// 委托书, for an entrusted grant.
    pub entrustment: Option<quanze_core::devolution::legal::Entrustment>,
    /// 以自己名义行使的法定依据, for a direct grant of a licence or a coercive measure.
    pub own_name_basis: Option<quanze_core::devolution::legal::OwnNameBasis>,
}

/// A town's readiness checklist as the page's form gives it: one trained member of staff, the
/// three arrangements, the guidance, the confirmation date and up to two certified officers.
#[derive(Debug, Clone, Default)]
pub struct ReadinessForm {
    /// 培训人员.
    pub staff_name: String,
    /// 培训课程.
    pub course: String,
    /// 培训日期.
    pub trained_on: Option<NaiveDate>,
    /// 系统权限.
    pub system_access: bool,
    /// 印章.
    pub seal: bool,
    /// 经费.
    pub funding: bool,
    /// 办事指南.
    pub guidance_doc: String,
    /// 承接确认书日期.
    pub confirmed_on: Option<NaiveDate>,
    /// Certified officers: (name, certificate number).
    pub officers: Vec<(String, String)>,
}

impl ReadinessForm {
    /// The checklist the API takes, or the message for a field that is wrong.
    fn input(self) -> ServiceResult<ReadinessInput> {
        let bad = |zh: &str, en: &str| ServiceError::rejected(ErrorCode::InvalidInput, zh, en);
        let staff = match (self.staff_name.trim(), self.course.trim(), self.trained_on) {
            ("", "", None) => Vec::new(),
            (name, course, Some(date)) if !name.is_empty() && !course.is_empty() => {
                vec![TrainedStaff {
                    name: name.to_owned(),
                    trainings: vec![TrainingRecord { course: course.to_owned(), date }],
                }]
            }
            _ => {
                return Err(bad(
                    "业务培训须同时填写人员姓名、培训课程和培训日期",
                    "a training needs a name, a course and a date",
                ));
            }
        };
        let mut officers = Vec::new();
        for (name, certificate) in self.officers {
            match (name.trim(), certificate.trim()) {
                ("", "") => {}
                (name, number) if !name.is_empty() => {
                    let certificate = CertificateNo::parse(number).map_err(|_| {
                        bad(
                            &format!("{name}的执法证号不正确（应为执法证上的编号）"),
                            "an enforcement certificate number is malformed",
                        )
                    })?;
                    officers.push(EnforcementOfficer { name: name.to_owned(), certificate });
                }
                _ => return Err(bad("持证执法人员须填写姓名", "an officer needs a name")),
            }
        }
        Ok(ReadinessInput {
            staff,
            system_access: self.system_access,
            seal: self.seal,
            funding: self.funding,
            guidance_doc: Some(self.guidance_doc.trim().to_owned()).filter(|d| !d.is_empty()),
            confirmed_on: self.confirmed_on,
            officers,
        })
    }
}

fn line(view: &GrantView) -> GrantLine {
    GrantLine {
        id: view.grant.id,
        item_name: view.item_name.clone(),
        from_name: view.from_name.clone(),
        mode_zh: view.mode_zh,
        batch: view.grant.batch.clone(),
        from: view.grant.effective_from,
        towns: view.towns.len(),
        active: view.towns.iter().filter(|t| t.active).count(),
    }
}

impl Service {
    /// Every grant with its towns' standing on `date` (today by default), newest first.
    pub fn grant_lines(&self, date: Option<NaiveDate>) -> (NaiveDate, Vec<GrantLine>) {
        let date = date.unwrap_or_else(|| self.today());
        let mut lines: Vec<GrantLine> = self.grants(date).iter().map(line).collect();
        lines.sort_by(|a, b| b.from.cmp(&a.from).then(b.id.cmp(&a.id)));
        (date, lines)
    }

    /// One grant for `by`'s page, its towns' standing on `date` (today by default).
    pub fn grant_page(
        &self,
        by: &CurrentUser,
        id: GrantId,
        date: Option<NaiveDate>,
    ) -> ServiceResult<GrantPage> {
        let date = date.unwrap_or_else(|| self.today());
        let view =
            self.grant(id, date).ok_or_else(|| ServiceError::NotFound(format!("没有赋权{id}")))?;
        let catalog = self.catalog();
        let towns = view
            .towns
            .iter()
            .map(|t| {
                let missing = match &t.state {
                    ReadinessState::Pending { missing } => missing.clone(),
                    _ => Vec::new(),
                };
                TownLine {
                    town: t.town,
                    name: t.name.clone(),
                    state_zh: t.state_zh,
                    active: t.active,
                    waivable: !missing.is_empty() && missing.iter().all(|m| m.waivable()),
                    missing: missing.iter().map(|m| m.zh()).collect(),
                    reclaimed: matches!(t.state, ReadinessState::Reclaimed),
                    may_readiness: by.require_act(Act::Readiness, Some(t.town)).is_ok(),
                }
            })
            .collect();
        Ok(GrantPage {
            id,
            item: view.grant.item,
            item_name: view.item_name.clone(),
            from_name: view.from_name.clone(),
            mode_zh: view.mode_zh,
            batch: view.grant.batch.clone(),
            from: view.grant.effective_from,
            until: view.grant.effective_until,
            confirmation_doc: view.grant.confirmation_doc.as_ref().map(ToString::to_string),
            needs_certificates: catalog.certificates_required(id),
            towns,
            entries: view
                .entries
                .iter()
                .map(|e| (e.list_name.clone(), e.item_name.clone()))
                .collect(),
            may_override: by.require_act(Act::ReadinessOverride, None).is_ok(),
            may_reclaim: by.require_act(Act::Grant, None).is_ok(),
            date,
        })
    }

    /// The new grant's form, with `department`'s own powers when one is chosen.
    pub fn grant_form(&self, department: Option<UnitId>) -> ServiceResult<GrantForm> {
        let catalog = self.catalog();
        let mut departments: Vec<(UnitId, String)> = catalog
            .units
            .iter()
            .filter(|u| u.kind == UnitKind::Department)
            .map(|u| (u.id, u.name.clone()))
            .collect();
        departments.sort_by(|a, b| a.1.cmp(&b.1));
        let mut towns: Vec<(UnitId, String)> = catalog
            .units
            .iter()
            .filter(|u| u.kind.is_township_level())
            .map(|u| (u.id, u.name.clone()))
            .collect();
        towns.sort_by(|a, b| a.1.cmp(&b.1));
        let Some(department) = department else {
            return Ok(GrantForm { departments, department: None, items: Vec::new(), towns });
        };
        let chosen = departments
            .iter()
            .find(|(id, _)| *id == department)
            .cloned()
            .ok_or_else(|| ServiceError::NotFound(format!("没有部门{department}")))?;
        let mut items = Vec::new();
        for list in catalog.lists.iter() {
            if list.scope != (ListScope::Unit { unit: department }) {
                continue;
            }
            let Some(version) =
                catalog.latest_version(list.id).filter(|v| v.status == VersionStatus::Published)
            else {
                continue;
            };
            for entry in version.entries.iter().filter(|e| e.duty == DutyKind::Own) {
                if let Some(content) = catalog.content(entry) {
                    items.push((entry.item, content.name.clone()));
                }
            }
        }
        Ok(GrantForm { departments, department: Some(chosen), items, towns })
    }

    /// Records the grant the page's form describes, through the same use case as the API's.
    pub async fn grant_from_form(
        &self,
        by: &CurrentUser,
        request: GrantRequest,
    ) -> ServiceResult<GrantView> {
        if request.towns.is_empty() {
            return Err(ServiceError::rejected(
                ErrorCode::InvalidInput,
                "请至少选择一个乡镇（街道）",
                "no town was chosen",
            ));
        }
        let new = NewGrant {
            item: request.item,
            from: request.from,
            to: GrantTarget::Towns { towns: request.towns.into_iter().collect() },
            mode: request.mode,
            effective_from: request.effective_from,
            effective_until: None,
            batch: request.batch,
            confirmation_doc: request.confirmation_doc,
            provincial_decision: request.provincial_decision,
            entrustment: request.entrustment,
            own_name_basis: request.own_name_basis,
        };
        Ok(self.create_grant(by, new).await?.0)
    }

    /// Records `town`'s readiness for `grant` from the page's form.
    pub async fn readiness_from_form(
        &self,
        by: &CurrentUser,
        grant: GrantId,
        town: UnitId,
        form: ReadinessForm,
    ) -> ServiceResult<ReadinessState> {
        Ok(self.record_readiness(by, grant, town, form.input()?).await?.0)
    }
}
