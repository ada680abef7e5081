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
    /// The provincial decision a penalty power needs (行政处罚法 第24条).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provincial_decision: Option<DocNo>,
}

impl Grant {
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
        }
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
        out
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
            Some(o) => ReadinessState::Overridden { reason: o.reason.clone() },
            None => ReadinessState::Pending { missing },
        }
    }

    /// The first day the town counts as having taken the grant: the confirmation date of a
    /// complete checklist, or the override's day. `None` while pending.
    pub fn taken_from(&self) -> Option<NaiveDate> {
        if self.missing().is_empty() {
            return Some(self.confirmed_on.unwrap_or(NaiveDate::MIN));
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
    let until = match (grant.effective_until, reclaimed) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    until.is_none_or(|u| from < u).then_some((from, until))
}

/// Why a grant or reclaim was refused. Nothing changed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GrantError {
    /// The window ends before it starts.
    #[error("the grant ends ({until}) before it starts ({from})")]
    EmptyWindow {
        /// Start.
        from: NaiveDate,
        /// End.
        until: NaiveDate,
    },
    /// The target selects no town.
    #[error("the grant names no town")]
    NoTowns,
    /// A named unit is not a town or subdistrict.
    #[error("unit {0} is not a town or subdistrict")]
    NotATown(UnitId),
    /// The department does not hold the power on the date.
    #[error("department {unit} does not hold item {item} on {date}")]
    DepartmentDoesNotHold {
        /// The department.
        unit: UnitId,
        /// The item.
        item: ItemId,
        /// The date.
        date: NaiveDate,
    },
    /// The town already holds the power through another grant on the start date.
    #[error("town {town} already holds this power through grant {other}")]
    GrantedTwice {
        /// The town.
        town: UnitId,
        /// The existing grant.
        other: GrantId,
    },
    /// The windows of two grants of the power to a town overlap.
    #[error("the window overlaps grant {other} in town {town}")]
    OverlappingWindow {
        /// The town.
        town: UnitId,
        /// The existing grant.
        other: GrantId,
    },
    /// A penalty power without a provincial decision (行政处罚法 第24条).
    #[error("a penalty power may go to towns only by a provincial decision")]
    PenaltyWithoutProvincialDecision,
    /// Entrusting a coercive measure (行政强制法 第17条).
    #[error("administrative coercive measures cannot be entrusted")]
    CoercionEntrusted,
    /// A reclaim names an unknown grant.
    #[error("no grant {0}")]
    UnknownGrant(GrantId),
    /// The grant is not active in the town on the reclaim date.
    #[error("grant {grant} is not active in town {town} on {date}")]
    NoActiveGrant {
        /// The grant.
        grant: GrantId,
        /// The town.
        town: UnitId,
        /// The date.
        date: NaiveDate,
    },
    /// A reclaim or override without a reason.
    #[error("a reason is required")]
    MissingReason,
}

impl GrantError {
    /// The message in Chinese, for end users.
    pub fn zh(&self) -> String {
        match self {
            GrantError::EmptyWindow { from, until } => {
                format!("赋权截止日期{until}早于或等于生效日期{from}")
            }
            GrantError::NoTowns => "赋权对象中没有乡镇（街道）".into(),
            GrantError::NotATown(unit) => format!("单位{unit}不是乡镇或街道，不能作为赋权对象"),
            GrantError::DepartmentDoesNotHold { unit, item, date } => {
                format!("部门{unit}在{date}不享有事项{item}的权力，不能下放（法无授权不可为）")
            }
            GrantError::GrantedTwice { town, other } => {
                format!("乡镇{town}已通过赋权{other}承接该事项，不能重复赋权")
            }
            GrantError::OverlappingWindow { town, other } => {
                format!("对乡镇{town}的赋权期间与赋权{other}重叠")
            }
            GrantError::PenaltyWithoutProvincialDecision => {
                "行政处罚权交由乡镇行使须有省级决定（行政处罚法第二十四条），请先登记省级决定文号"
                    .into()
            }
            GrantError::CoercionEntrusted => "行政强制措施权不得委托（行政强制法第十七条）".into(),
            GrantError::UnknownGrant(id) => format!("赋权{id}不存在"),
            GrantError::NoActiveGrant { grant, town, date } => {
                format!("赋权{grant}在{date}未在乡镇{town}生效，无可收回")
            }
            GrantError::MissingReason => "须说明理由".into(),
        }
    }
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
    if item.category == PowerCategory::CoerciveMeasure && grant.mode == GrantMode::Entrusted {
        return Err(GrantError::CoercionEntrusted);
    }
    if item.category == PowerCategory::Penalty
        && grant.mode != GrantMode::WindowForward
        && grant.provincial_decision.is_none()
    {
        return Err(GrantError::PenaltyWithoutProvincialDecision);
    }
    if !department_holds(grant.from, grant.item, grant.effective_from) {
        return Err(GrantError::DepartmentDoesNotHold {
            unit: grant.from,
            item: grant.item,
            date: grant.effective_from,
        });
    }
    let new_until = grant.effective_until.unwrap_or(NaiveDate::MAX);
    for other in ctx.grants.iter().filter(|g| g.item == grant.item && g.id != grant.id) {
        let other_towns = other.towns(ctx.units);
        for town in towns.iter().filter(|t| other_towns.contains(t)) {
            let reclaimed = ctx.reclaim_on(other.id, *town);
            let other_until = [other.effective_until, reclaimed]
                .into_iter()
                .flatten()
                .min()
                .unwrap_or(NaiveDate::MAX);
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

#[cfg(test)]
mod tests;
