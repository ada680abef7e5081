//! Devolution (下放/赋权): grants of county powers to towns, the towns' readiness to take them
//! (承接), and reclaims (收回).
//!
//! A grant is active in a town only on dates inside its window, after the town is ready (or an
//! override with a reason is recorded), and before any reclaim in that town. Everything is
//! effective-dated, so the authority index can answer for any day.

use std::collections::BTreeSet;
use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};

use crate::ids::{GrantId, ItemId, ReclaimId, UnitId, UserId};
use crate::item::{ItemContent, PowerCategory};
use crate::list::DocNo;
use crate::unit::{Tag, Unit};

/// 赋权方式 — how a power moves to a town (兰陵县 practice; 行政处罚法 第18、20–21、24条).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GrantMode {
    /// 直接下放 — the town acts in its own name and answers for the result.
    Direct,
    /// 委托下放 — the town acts in the department's name and cannot re-entrust.
    Entrusted,
    /// 下放实质性审核权 — the town reviews, the county signs and stamps (见章盖章).
    ReviewPower,
    /// 服务窗口前移 — the town's window only accepts applications.
    WindowForward,
}

impl GrantMode {
    /// The Chinese label.
    pub fn zh(self) -> &'static str {
        match self {
            GrantMode::Direct => "直接下放",
            GrantMode::Entrusted => "委托下放",
            GrantMode::ReviewPower => "下放实质性审核权",
            GrantMode::WindowForward => "服务窗口前移",
        }
    }

    /// Whether the town exercises the power itself (in its own or the department's name), so
    /// that the department no longer does in that town.
    pub fn transfers_exercise(self) -> bool {
        matches!(self, GrantMode::Direct | GrantMode::Entrusted)
    }
}

/// 赋权对象 — the towns a grant goes to: named, or every town with a tag (经济发达镇).
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum GrantTarget {
    /// These towns.
    Towns {
        /// The towns.
        towns: BTreeSet<UnitId>,
    },
    /// Every township-level unit carrying the tag.
    Tag {
        /// The tag.
        tag: Tag,
    },
}

/// 赋权 — one power of one department granted to towns in a batch (成熟一批、赋予一批).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Grant {
    /// Id.
    pub id: GrantId,
    /// The power item (the department's item).
    pub item: ItemId,
    /// The granting department.
    pub from: UnitId,
    /// The towns.
    pub to: GrantTarget,
    /// How.
    pub mode: GrantMode,
    /// In force from.
    pub effective_from: NaiveDate,
    /// In force until (exclusive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective_until: Option<NaiveDate>,
    /// 批次, e.g. 第一批.
    pub batch: String,
    /// 赋权事项承接确认书 — the confirmation document's number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirmation_doc: Option<DocNo>,
    /// The provincial decision a penalty power handed to towns in their own name needs
    /// (行政处罚法 第24条).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provincial_decision: Option<ProvincialDecision>,
    /// The 委托书 an entrustment needs (行政处罚法 第20条, 行政许可法 第24条).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entrustment: Option<Entrustment>,
    /// The legal basis that lets the town act in its own name, for a licence or a coercive
    /// measure handed down directly (行政许可法 第23、25条; 行政强制法 第17条第二款).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub own_name_basis: Option<OwnNameBasis>,
    /// A provincial decision recorded before issue 14 by its number alone (migration 0012):
    /// issuer, publication and evaluation unknown; the consistency report lists it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub legacy_decision: Option<DocNo>,
}

impl Grant {
    /// The day the grant ends (exclusive): its own end, or the end of the 委托书's term when
    /// that comes first — an entrustment ends with its term.
    pub fn ends(&self) -> Option<NaiveDate> {
        let term = self.entrustment.as_ref().map(|e| e.term_until);
        match (self.effective_until, term) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Whether the grant is in force on `date`: begun, and not yet ended by its own end or its
    /// 委托书's term ([`Grant::ends`]).
    pub fn in_force_on(&self, date: NaiveDate) -> bool {
        self.effective_from <= date && self.ends().is_none_or(|until| date < until)
    }

    /// Whether a decision is recorded for a penalty power (a full one, or a legacy number).
    pub fn has_decision(&self) -> bool {
        self.provincial_decision.is_some() || self.legacy_decision.is_some()
    }

    /// The document that gives the grant its legal force: the provincial decision, the
    /// 委托书 or the own-name basis's decision, when recorded.
    pub fn legal_doc(&self) -> Option<&DocNo> {
        self.provincial_decision
            .as_ref()
            .map(|d| &d.doc_no)
            .or(self.entrustment.as_ref().map(|e| &e.doc_no))
            .or(self.own_name_basis.as_ref().and_then(|b| b.doc_no.as_ref()))
            .or(self.legacy_decision.as_ref())
    }

    /// Whether the town exercises a penalty power through this grant, so that readiness needs
    /// two certified officers (行政处罚法 第42条).
    pub fn needs_certificates(&self, category: PowerCategory) -> bool {
        category == PowerCategory::Penalty && self.mode.transfers_exercise()
    }

    /// The towns this grant names or selects by tag among `units` (township-level units only).
    pub fn towns<U: std::borrow::Borrow<Unit>>(&self, units: &[U]) -> Vec<UnitId> {
        match &self.to {
            GrantTarget::Towns { towns } => towns.iter().copied().collect(),
            GrantTarget::Tag { tag } => units
                .iter()
                .map(U::borrow)
                .filter(|u| u.kind.is_township_level() && u.tags.contains(tag))
                .map(|u| u.id)
                .collect(),
        }
    }
}

/// 赋权关联 — the grant that gives a township template or town item its power, when the item's
/// source is 上级下放 or 上级委托: the department's item, the mode, the batch and, when given,
/// the grant's document. The grant is the one source of a town's devolved powers; the legality
/// review checks that such a grant exists and meets its mode's conditions.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct GrantLink {
    /// The granting department.
    pub department: UnitId,
    /// The department's item.
    pub item: ItemId,
    /// How.
    pub mode: GrantMode,
    /// 批次.
    pub batch: String,
    /// The grant's document (provincial decision, 委托书 …), when the list names it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc: Option<DocNo>,
}

impl GrantLink {
    /// The link to `grant`.
    pub fn to(grant: &Grant) -> GrantLink {
        GrantLink {
            department: grant.from,
            item: grant.item,
            mode: grant.mode,
            batch: grant.batch.clone(),
            doc: grant.legal_doc().cloned(),
        }
    }

    /// Whether `grant` is the one this link names.
    pub fn matches(&self, grant: &Grant) -> bool {
        grant.from == self.department
            && grant.item == self.item
            && grant.mode == self.mode
            && grant.batch == self.batch
            && self.doc.as_ref().is_none_or(|d| grant.legal_doc() == Some(d))
    }
}

/// 收回赋权 — a granted power taken back from one town, from a date on. Not the duty kind
/// [`crate::DutyKind::Reclaimed`] of a township list entry.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct GrantReclaim {
    /// Id.
    pub id: ReclaimId,
    /// The grant.
    pub grant: GrantId,
    /// The town.
    pub town: UnitId,
    /// The first day the power is back with the department.
    pub effective_on: NaiveDate,
    /// Why (无力为).
    pub reason: String,
    /// The document, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc: Option<DocNo>,
}

/// 培训记录 — one training a staff member attended.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TrainingRecord {
    /// The course.
    pub course: String,
    /// When.
    pub date: NaiveDate,
}

/// 承接人员 — a trained staff member of the town. Names are personal data: never put them in
/// event payloads in clear.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TrainedStaff {
    /// Name.
    pub name: String,
    /// Training records.
    pub trainings: Vec<TrainingRecord>,
}

/// 特批承接 — a leader's waiver of an incomplete readiness checklist, with its reason (the API
/// and the events call it an override). Not a township list's [`crate::Override`].
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ReadinessWaiver {
    /// Why the town may take the power anyway.
    pub reason: String,
    /// Who decided.
    pub by: UserId,
    /// When.
    pub at: DateTime<Utc>,
    /// From which day the grant counts as taken.
    pub effective_on: NaiveDate,
}

/// 承接条件 — one item of the readiness checklist.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum ReadinessItem {
    /// 业务培训 — at least one named staff member with a training record.
    TrainedStaff,
    /// 系统权限/网络端口.
    SystemAccess,
    /// 印章.
    Seal,
    /// 经费保障.
    Funding,
    /// 办事指南/操作规程.
    GuidanceDocument,
    /// 持证执法人员 — at least two officers holding enforcement certificates, for a penalty
    /// power the town exercises (行政处罚法 第42条). Cannot be waived.
    EnforcementCertificates,
    /// 承接确认书 — its date, for a penalty power the town exercises. Cannot be waived.
    Confirmation,
}

impl ReadinessItem {
    /// The Chinese label.
    pub fn zh(self) -> &'static str {
        match self {
            ReadinessItem::TrainedStaff => "业务培训",
            ReadinessItem::SystemAccess => "系统权限",
            ReadinessItem::Seal => "印章",
            ReadinessItem::Funding => "经费保障",
            ReadinessItem::GuidanceDocument => "办事指南",
            ReadinessItem::EnforcementCertificates => "持证执法人员（不少于两名）",
            ReadinessItem::Confirmation => "承接确认书日期",
        }
    }

    /// Whether a leader's waiver may stand in for this item: the legal conditions of a penalty
    /// power (certified officers, the confirmation) cannot be waived.
    pub fn waivable(self) -> bool {
        !matches!(self, ReadinessItem::EnforcementCertificates | ReadinessItem::Confirmation)
    }
}

/// 承接能力 — one town's readiness to take one grant.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Readiness {
    /// The grant.
    pub grant: GrantId,
    /// The town.
    pub town: UnitId,
    /// Trained staff.
    #[serde(default)]
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
    /// The guidance document's title or number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guidance_doc: Option<String>,
    /// The date of the town's 承接确认书; the grant takes effect there from this day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirmed_on: Option<NaiveDate>,
    /// An override of an incomplete checklist.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overridden: Option<ReadinessWaiver>,
    /// Officers holding enforcement certificates (personal data).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub officers: Vec<EnforcementOfficer>,
    /// Whether the grant hands a penalty power to the town, so that certified officers and the
    /// confirmation's date are required ([`Grant::needs_certificates`]); set from the grant
    /// whenever the record is written or loaded.
    #[serde(default)]
    pub certificates_required: bool,
}

/// 承接状态 — where a town stands with a grant.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ReadinessState {
    /// The checklist is complete.
    Ready,
    /// Items are missing.
    Pending {
        /// What is missing.
        missing: Vec<ReadinessItem>,
    },
    /// Incomplete, but an override was recorded.
    Overridden {
        /// Its reason.
        reason: String,
    },
    /// The power was taken back.
    Reclaimed,
}

impl ReadinessState {
    /// The Chinese label.
    pub fn zh(&self) -> &'static str {
        match self {
            ReadinessState::Ready => "已具备承接条件",
            ReadinessState::Pending { .. } => "待完善",
            ReadinessState::Overridden { .. } => "特批承接",
            ReadinessState::Reclaimed => "已收回",
        }
    }
}

impl Readiness {
    /// An empty checklist.
    pub fn new(grant: GrantId, town: UnitId) -> Readiness {
        Readiness {
            grant,
            town,
            staff: Vec::new(),
            system_access: false,
            seal: false,
            funding: false,
            guidance_doc: None,
            confirmed_on: None,
            overridden: None,
            officers: Vec::new(),
            certificates_required: false,
        }
    }

    /// The checklist items still missing.
    pub fn missing(&self) -> Vec<ReadinessItem> {
        let mut out = Vec::new();
        if !self.staff.iter().any(|s| !s.name.trim().is_empty() && !s.trainings.is_empty()) {
            out.push(ReadinessItem::TrainedStaff);
        }
        if !self.system_access {
            out.push(ReadinessItem::SystemAccess);
        }
        if !self.seal {
            out.push(ReadinessItem::Seal);
        }
        if !self.funding {
            out.push(ReadinessItem::Funding);
        }
        if self.guidance_doc.as_deref().is_none_or(|d| d.trim().is_empty()) {
            out.push(ReadinessItem::GuidanceDocument);
        }
        if self.certificates_required {
            if legal::certified_officers(&self.officers) < legal::MIN_CERTIFIED_OFFICERS {
                out.push(ReadinessItem::EnforcementCertificates);
            }
            if self.confirmed_on.is_none() {
                out.push(ReadinessItem::Confirmation);
            }
        }
        out
    }

    /// The missing items no waiver can stand in for.
    pub fn unwaivable(&self) -> Vec<ReadinessItem> {
        self.missing().into_iter().filter(|m| !m.waivable()).collect()
    }

    /// The state, given whether the power was reclaimed from the town.
    pub fn state(&self, reclaimed: bool) -> ReadinessState {
        if reclaimed {
            return ReadinessState::Reclaimed;
        }
        let missing = self.missing();
        if missing.is_empty() {
            return ReadinessState::Ready;
        }
        match &self.overridden {
            Some(o) if missing.iter().all(|m| m.waivable()) => {
                ReadinessState::Overridden { reason: o.reason.clone() }
            }
            _ => ReadinessState::Pending { missing },
        }
    }

    /// The first day the town counts as having taken the grant: the confirmation date of a
    /// complete checklist, or the override's day. `None` while pending.
    pub fn taken_from(&self) -> Option<NaiveDate> {
        let missing = self.missing();
        if missing.is_empty() {
            return Some(self.confirmed_on.unwrap_or(NaiveDate::MIN));
        }
        if !missing.iter().all(|m| m.waivable()) {
            return None;
        }
        self.overridden.as_ref().map(|o| o.effective_on)
    }

    /// Records an override of an incomplete checklist.
    pub fn override_with(
        &mut self,
        reason: &str,
        by: UserId,
        at: DateTime<Utc>,
        effective_on: NaiveDate,
    ) -> Result<(), GrantError> {
        if reason.trim().is_empty() {
            return Err(GrantError::MissingReason);
        }
        let unwaivable = self.unwaivable();
        if !unwaivable.is_empty() {
            return Err(GrantError::NotWaivable(unwaivable));
        }
        let reason = reason.trim().to_owned();
        self.overridden = Some(ReadinessWaiver { reason, by, at, effective_on });
        Ok(())
    }
}

/// The window in which `grant` is active in `town`: from the later of its start and the day the
/// town took it, until the earliest of its end and a reclaim. `None` when never active.
pub fn active_window(
    grant: &Grant,
    town: UnitId,
    readiness: Option<&Readiness>,
    reclaims: &[GrantReclaim],
) -> Option<(NaiveDate, Option<NaiveDate>)> {
    let taken = readiness.filter(|r| r.grant == grant.id && r.town == town)?.taken_from()?;
    let from = grant.effective_from.max(taken);
    let reclaimed = reclaims
        .iter()
        .filter(|r| r.grant == grant.id && r.town == town)
        .map(|r| r.effective_on)
        .min();
    let until = match (grant.ends(), reclaimed) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    until.is_none_or(|u| from < u).then_some((from, until))
}

impl fmt::Display for GrantMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.zh())
    }
}

/// What a grant is checked against.
#[derive(Debug, Clone, Copy)]
pub struct GrantContext<'a> {
    /// Every unit of the county (to resolve tags and check towns), shared as the catalogue
    /// holds them.
    pub units: &'a [std::sync::Arc<Unit>],
    /// Grants already recorded.
    pub grants: &'a [Grant],
    /// Reclaims already recorded.
    pub reclaims: &'a [GrantReclaim],
    /// Readiness records already recorded.
    pub readiness: &'a [Readiness],
}

impl GrantContext<'_> {
    fn readiness_of(&self, grant: GrantId, town: UnitId) -> Option<&Readiness> {
        self.readiness.iter().find(|r| r.grant == grant && r.town == town)
    }

    fn reclaim_on(&self, grant: GrantId, town: UnitId) -> Option<NaiveDate> {
        let on = self.reclaims.iter().filter(|r| r.grant == grant && r.town == town);
        on.map(|r| r.effective_on).min()
    }
}

/// Checks a new grant of `item` (its content) and returns the towns it reaches. The department
/// must hold the power on the start date (`department_holds`, answered by the holdings or
/// authority index); no town may get the same power twice in overlapping windows (a reclaimed
/// grant's window ends at its reclaim); penalty powers need a provincial decision; coercive
/// measures cannot be entrusted.
pub fn validate_grant(
    grant: &Grant,
    item: &ItemContent,
    department_holds: impl Fn(UnitId, ItemId, NaiveDate) -> bool,
    ctx: GrantContext<'_>,
) -> Result<Vec<UnitId>, GrantError> {
    if let Some(until) = grant.effective_until
        && until <= grant.effective_from
    {
        return Err(GrantError::EmptyWindow { from: grant.effective_from, until });
    }
    let towns = grant.towns(ctx.units);
    if towns.is_empty() {
        return Err(GrantError::NoTowns);
    }
    for town in &towns {
        let is_town = ctx.units.iter().any(|u| u.id == *town && u.kind.is_township_level());
        if !is_town {
            return Err(GrantError::NotATown(*town));
        }
    }
    check_legal_conditions(grant, item)?;
    if !department_holds(grant.from, grant.item, grant.effective_from) {
        return Err(GrantError::DepartmentDoesNotHold {
            unit: grant.from,
            item: grant.item,
            date: grant.effective_from,
        });
    }
    let new_until = grant.ends().unwrap_or(NaiveDate::MAX);
    for other in ctx.grants.iter().filter(|g| g.item == grant.item && g.id != grant.id) {
        let other_towns = other.towns(ctx.units);
        for town in towns.iter().filter(|t| other_towns.contains(t)) {
            let reclaimed = ctx.reclaim_on(other.id, *town);
            let other_until =
                [other.ends(), reclaimed].into_iter().flatten().min().unwrap_or(NaiveDate::MAX);
            if other.effective_from >= other_until {
                continue;
            }
            let overlaps = other.effective_from < new_until && grant.effective_from < other_until;
            if !overlaps {
                continue;
            }
            if other.effective_from <= grant.effective_from {
                return Err(GrantError::GrantedTwice { town: *town, other: other.id });
            }
            return Err(GrantError::OverlappingWindow { town: *town, other: other.id });
        }
    }
    Ok(towns)
}

/// The legal conditions of the grant's mode for the item's category (domain §5):
///
/// - a power the department holds by entrustment is not passed on (行政处罚法 第20条,
///   行政许可法 第24条: 不得再委托);
/// - 行政强制措施 cannot be entrusted (行政强制法 第17条);
/// - an entrustment has a published 委托书 whose term covers the grant's start;
/// - a penalty power handed down (直接下放, and 实质性审核 as before) has a published decision of
///   a provincial body with its next evaluation date (行政处罚法 第24条);
/// - a licence or coercive measure handed down directly has a basis for the town's own name
///   (行政许可法 第23、25条; 行政强制法 第17条).
pub fn check_legal_conditions(grant: &Grant, item: &ItemContent) -> Result<(), GrantError> {
    use crate::item::PowerSource;
    use legal::OwnNameBasisKind as Kind;
    let from = grant.effective_from;
    if item.source == PowerSource::Entrusted && grant.mode.transfers_exercise() {
        return Err(GrantError::ReEntrustment);
    }
    if item.category == PowerCategory::CoerciveMeasure && grant.mode == GrantMode::Entrusted {
        return Err(GrantError::CoercionEntrusted);
    }
    if grant.mode == GrantMode::Entrusted {
        let e = grant.entrustment.as_ref().ok_or(GrantError::EntrustmentWithoutLetter)?;
        if e.matters.trim().is_empty() || e.scope.trim().is_empty() || e.term_until <= e.term_from {
            return Err(GrantError::EntrustmentIncomplete);
        }
        if from < e.term_from || from >= e.term_until {
            return Err(GrantError::OutsideEntrustmentTerm {
                from,
                term_from: e.term_from,
                term_until: e.term_until,
            });
        }
        if e.published_on > from {
            return Err(GrantError::EntrustmentNotPublished { published_on: e.published_on, from });
        }
    }
    let penalty_decision = matches!(grant.mode, GrantMode::Direct | GrantMode::ReviewPower);
    if item.category == PowerCategory::Penalty && penalty_decision {
        let d = grant
            .provincial_decision
            .as_ref()
            .ok_or(GrantError::PenaltyWithoutProvincialDecision)?;
        if !d.issuer.is_provincial() {
            let issuer = format!("{}（{}）", d.issuer.name, d.issuer.region);
            return Err(GrantError::DecisionNotProvincial { issuer });
        }
        if d.published_on > from {
            return Err(GrantError::DecisionNotPublished { published_on: d.published_on, from });
        }
        if d.next_evaluation <= d.published_on {
            return Err(GrantError::EvaluationNotScheduled { next: d.next_evaluation });
        }
    }
    if grant.mode == GrantMode::Direct {
        let kind = grant.own_name_basis.as_ref().map(|b| b.kind);
        match item.category {
            PowerCategory::Licensing
                if !matches!(kind, Some(Kind::ByLaw | Kind::ConcentratedLicensing)) =>
            {
                return Err(GrantError::LicenceWithoutOwnNameBasis);
            }
            PowerCategory::CoerciveMeasure
                if !matches!(kind, Some(Kind::ByLaw | Kind::ConcentratedEnforcement)) =>
            {
                return Err(GrantError::CoercionWithoutOwnNameBasis);
            }
            _ => {}
        }
    }
    Ok(())
}

/// Checks a reclaim: it needs a reason, and the grant must be active in the town on the day.
pub fn validate_reclaim(reclaim: &GrantReclaim, ctx: GrantContext<'_>) -> Result<(), GrantError> {
    if reclaim.reason.trim().is_empty() {
        return Err(GrantError::MissingReason);
    }
    let grant = ctx
        .grants
        .iter()
        .find(|g| g.id == reclaim.grant)
        .ok_or(GrantError::UnknownGrant(reclaim.grant))?;
    let no_active = GrantError::NoActiveGrant {
        grant: grant.id,
        town: reclaim.town,
        date: reclaim.effective_on,
    };
    if !grant.towns(ctx.units).contains(&reclaim.town) {
        return Err(no_active);
    }
    let readiness = ctx.readiness_of(grant.id, reclaim.town);
    let active =
        active_window(grant, reclaim.town, readiness, ctx.reclaims).is_some_and(|(from, until)| {
            from <= reclaim.effective_on && until.is_none_or(|u| reclaim.effective_on < u)
        });
    if !active {
        return Err(no_active);
    }
    Ok(())
}

/// The readiness state of `grant` in `town` on `date` (reclaimed once a reclaim is in effect).
pub fn readiness_state(
    grant: &Grant,
    town: UnitId,
    date: NaiveDate,
    ctx: GrantContext<'_>,
) -> ReadinessState {
    let reclaimed = ctx.reclaim_on(grant.id, town).is_some_and(|on| on <= date);
    match ctx.readiness_of(grant.id, town) {
        Some(r) => r.state(reclaimed),
        None if reclaimed => ReadinessState::Reclaimed,
        None => ReadinessState::Pending { missing: Readiness::new(grant.id, town).missing() },
    }
}

/// Readiness records and reclaims by (grant, town), for answering the state of many grants in
/// many towns at once (a report, the list of grants) without scanning every record per pair.
#[derive(Debug, Clone, Default)]
pub struct ReadinessIndex<'a> {
    readiness: std::collections::HashMap<(GrantId, UnitId), &'a Readiness>,
    reclaimed: std::collections::HashMap<(GrantId, UnitId), NaiveDate>,
}

impl<'a> ReadinessIndex<'a> {
    /// Indexes the records.
    pub fn new(readiness: &'a [Readiness], reclaims: &[GrantReclaim]) -> ReadinessIndex<'a> {
        let mut reclaimed: std::collections::HashMap<(GrantId, UnitId), NaiveDate> =
            std::collections::HashMap::new();
        for r in reclaims {
            let on = reclaimed.entry((r.grant, r.town)).or_insert(r.effective_on);
            *on = (*on).min(r.effective_on);
        }
        ReadinessIndex {
            readiness: readiness.iter().map(|r| ((r.grant, r.town), r)).collect(),
            reclaimed,
        }
    }

    /// The same answer as [`readiness_state`].
    pub fn state(&self, grant: GrantId, town: UnitId, date: NaiveDate) -> ReadinessState {
        let reclaimed = self.reclaimed.get(&(grant, town)).is_some_and(|on| *on <= date);
        match self.readiness.get(&(grant, town)) {
            Some(r) => r.state(reclaimed),
            None if reclaimed => ReadinessState::Reclaimed,
            None => ReadinessState::Pending { missing: Readiness::new(grant, town).missing() },
        }
    }
}

mod error;
pub mod legal;

pub use error::GrantError;
pub use legal::{
    CertificateNo, EnforcementOfficer, Entrustment, Issuer, OwnNameBasis, OwnNameBasisKind,
    ProvincialDecision,
};

#[cfg(test)]
mod tests;
