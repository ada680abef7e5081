//! 办理程序 — the statutory procedure of each category of power, as data: its states, the
//! actions that move a case between them, who may take each action, and the clocks (time
//! limits with their article and unit) that actions start, stop, pause and extend.
//!
//! The tables follow domain.md §6: 行政许可法 第32、38、42–45条 (intake, decision, extension,
//! delivery, special procedures), 行政处罚法 第51、58、60、61、64条 (summary procedure, 法制审核,
//! the 90-day decision period, service, hearing), 行政强制法 第25、35–37、43条 (measures and
//! enforcement). A procedure is a value: the service asks [`Procedure::transition`] and never
//! hard-codes a state of its own.

use crate::account::Role;
use crate::calendar::Period;
use crate::item::PowerCategory;

/// 办理程序类别 — which procedure a case follows; one per category of power.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProcedureKind {
    /// 行政许可 (依申请, 行政许可法第四章).
    Licensing,
    /// 行政处罚 (依职权, 行政处罚法第五章).
    Penalty,
    /// 行政强制措施 (行政强制法第三章).
    CoerciveMeasure,
    /// 行政强制执行 (行政强制法第四章).
    CoerciveEnforcement,
    /// 行政征收 (依职权).
    Levy,
    /// 行政给付 (依申请).
    Benefit,
    /// 行政检查 (依职权).
    Inspection,
    /// 行政确认 (依申请).
    Confirmation,
    /// 行政奖励 (依申请).
    Reward,
    /// 行政裁决 (依申请).
    Adjudication,
    /// 其他行政权力 (依申请).
    Other,
    /// 公共服务 (依申请).
    PublicService,
}

impl ProcedureKind {
    /// Every kind.
    pub const ALL: [ProcedureKind; 12] = [
        ProcedureKind::Licensing,
        ProcedureKind::Penalty,
        ProcedureKind::CoerciveMeasure,
        ProcedureKind::CoerciveEnforcement,
        ProcedureKind::Levy,
        ProcedureKind::Benefit,
        ProcedureKind::Inspection,
        ProcedureKind::Confirmation,
        ProcedureKind::Reward,
        ProcedureKind::Adjudication,
        ProcedureKind::Other,
        ProcedureKind::PublicService,
    ];

    /// The procedure of an item of `category`.
    pub fn of(category: PowerCategory) -> ProcedureKind {
        match category {
            PowerCategory::Licensing => ProcedureKind::Licensing,
            PowerCategory::Penalty => ProcedureKind::Penalty,
            PowerCategory::CoerciveMeasure => ProcedureKind::CoerciveMeasure,
            PowerCategory::CoerciveEnforcement => ProcedureKind::CoerciveEnforcement,
            PowerCategory::Levy => ProcedureKind::Levy,
            PowerCategory::Benefit => ProcedureKind::Benefit,
            PowerCategory::Inspection => ProcedureKind::Inspection,
            PowerCategory::Confirmation => ProcedureKind::Confirmation,
            PowerCategory::Reward => ProcedureKind::Reward,
            PowerCategory::Adjudication => ProcedureKind::Adjudication,
            PowerCategory::Other => ProcedureKind::Other,
            PowerCategory::PublicService => ProcedureKind::PublicService,
        }
    }

    /// Whether a case of this kind starts with an application (依申请), so that it has an
    /// applicant who may withdraw and rate it; the others are opened ex officio (依职权).
    pub fn on_application(self) -> bool {
        !matches!(
            self,
            ProcedureKind::Penalty
                | ProcedureKind::CoerciveMeasure
                | ProcedureKind::CoerciveEnforcement
                | ProcedureKind::Levy
                | ProcedureKind::Inspection
        )
    }

    /// The stable name (as stored and in the API).
    pub fn as_str(self) -> &'static str {
        match self {
            ProcedureKind::Licensing => "licensing",
            ProcedureKind::Penalty => "penalty",
            ProcedureKind::CoerciveMeasure => "coercive_measure",
            ProcedureKind::CoerciveEnforcement => "coercive_enforcement",
            ProcedureKind::Levy => "levy",
            ProcedureKind::Benefit => "benefit",
            ProcedureKind::Inspection => "inspection",
            ProcedureKind::Confirmation => "confirmation",
            ProcedureKind::Reward => "reward",
            ProcedureKind::Adjudication => "adjudication",
            ProcedureKind::Other => "other",
            ProcedureKind::PublicService => "public_service",
        }
    }

    /// The Chinese name.
    pub fn zh(self) -> &'static str {
        match self {
            ProcedureKind::Licensing => "行政许可",
            ProcedureKind::Penalty => "行政处罚",
            ProcedureKind::CoerciveMeasure => "行政强制措施",
            ProcedureKind::CoerciveEnforcement => "行政强制执行",
            ProcedureKind::Levy => "行政征收",
            ProcedureKind::Benefit => "行政给付",
            ProcedureKind::Inspection => "行政检查",
            ProcedureKind::Confirmation => "行政确认",
            ProcedureKind::Reward => "行政奖励",
            ProcedureKind::Adjudication => "行政裁决",
            ProcedureKind::Other => "其他行政权力",
            ProcedureKind::PublicService => "公共服务",
        }
    }

    /// The procedure's definition.
    pub fn procedure(self) -> &'static Procedure {
        match self {
            ProcedureKind::Licensing => &LICENSING,
            ProcedureKind::Penalty => &PENALTY,
            ProcedureKind::CoerciveMeasure => &COERCIVE_MEASURE,
            ProcedureKind::CoerciveEnforcement => &COERCIVE_ENFORCEMENT,
            ProcedureKind::Levy => &EX_OFFICIO_LEVY,
            ProcedureKind::Inspection => &EX_OFFICIO_INSPECTION,
            ProcedureKind::Benefit => &ON_APPLICATION_BENEFIT,
            ProcedureKind::Confirmation => &ON_APPLICATION_CONFIRMATION,
            ProcedureKind::Reward => &ON_APPLICATION_REWARD,
            ProcedureKind::Adjudication => &ON_APPLICATION_ADJUDICATION,
            ProcedureKind::Other => &ON_APPLICATION_OTHER,
            ProcedureKind::PublicService => &ON_APPLICATION_SERVICE,
        }
    }
}

/// 办件状态 — where a case stands. Each procedure uses some of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseState {
    /// 已申请 — received, awaiting the intake decision.
    Submitted,
    /// 待补正 — told once what is missing (一次性告知).
    CorrectionRequested,
    /// 审查中 — accepted and under review.
    UnderReview,
    /// 已转报 — passed to the department that decides (窗口前移, 下放实质性审核权).
    Forwarded,
    /// 已立案 — opened ex officio.
    Filed,
    /// 调查取证 — investigation (or inspection) under way.
    Investigating,
    /// 已告知 — the party told of the intended decision and its rights (陈述、申辩、听证).
    Notified,
    /// 听证中 — a hearing was requested.
    Hearing,
    /// 已听证.
    Heard,
    /// 已法制审核.
    LegallyChecked,
    /// 措施实施中 — a coercive measure is in force.
    MeasureInForce,
    /// 已催告 — the party was told to perform (强制法第三十五条).
    Demanded,
    /// 已决定.
    Decided,
    /// 已送达.
    Delivered,
    /// 执行中.
    Executing,
    /// 已办结.
    Closed,
    /// 不予受理.
    Refused,
    /// 已撤回 — withdrawn by the applicant.
    Withdrawn,
}

impl CaseState {
    /// Every state.
    pub const ALL: [CaseState; 18] = [
        CaseState::Submitted,
        CaseState::CorrectionRequested,
        CaseState::UnderReview,
        CaseState::Forwarded,
        CaseState::Filed,
        CaseState::Investigating,
        CaseState::Notified,
        CaseState::Hearing,
        CaseState::Heard,
        CaseState::LegallyChecked,
        CaseState::MeasureInForce,
        CaseState::Demanded,
        CaseState::Decided,
        CaseState::Delivered,
        CaseState::Executing,
        CaseState::Closed,
        CaseState::Refused,
        CaseState::Withdrawn,
    ];

    /// Whether the case has ended.
    pub fn is_final(self) -> bool {
        matches!(self, CaseState::Closed | CaseState::Refused | CaseState::Withdrawn)
    }

    /// The stable name (as stored and in the API).
    pub fn as_str(self) -> &'static str {
        match self {
            CaseState::Submitted => "submitted",
            CaseState::CorrectionRequested => "correction_requested",
            CaseState::UnderReview => "under_review",
            CaseState::Forwarded => "forwarded",
            CaseState::Filed => "filed",
            CaseState::Investigating => "investigating",
            CaseState::Notified => "notified",
            CaseState::Hearing => "hearing",
            CaseState::Heard => "heard",
            CaseState::LegallyChecked => "legally_checked",
            CaseState::MeasureInForce => "measure_in_force",
            CaseState::Demanded => "demanded",
            CaseState::Decided => "decided",
            CaseState::Delivered => "delivered",
            CaseState::Executing => "executing",
            CaseState::Closed => "closed",
            CaseState::Refused => "refused",
            CaseState::Withdrawn => "withdrawn",
        }
    }

    /// Parses [`CaseState::as_str`].
    pub fn parse(s: &str) -> Option<CaseState> {
        CaseState::ALL.into_iter().find(|state| state.as_str() == s)
    }

    /// The Chinese label.
    pub fn zh(self) -> &'static str {
        match self {
            CaseState::Submitted => "已申请",
            CaseState::CorrectionRequested => "待补正",
            CaseState::UnderReview => "审查中",
            CaseState::Forwarded => "已转报",
            CaseState::Filed => "已立案",
            CaseState::Investigating => "调查取证",
            CaseState::Notified => "已告知",
            CaseState::Hearing => "听证中",
            CaseState::Heard => "已听证",
            CaseState::LegallyChecked => "已法制审核",
            CaseState::MeasureInForce => "强制措施实施中",
            CaseState::Demanded => "已催告",
            CaseState::Decided => "已决定",
            CaseState::Delivered => "已送达",
            CaseState::Executing => "执行中",
            CaseState::Closed => "已办结",
            CaseState::Refused => "不予受理",
            CaseState::Withdrawn => "已撤回",
        }
    }
}

/// 办理操作 — an action on a case. Some move it to another state, some only record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    /// 申请 — the application that opens a case.
    Apply,
    /// 立案 — a case opened ex officio.
    File,
    /// 受理.
    Accept,
    /// 不予受理 (naming the competent unit when it is another, 许可法第三十二条).
    Refuse,
    /// 一次性告知补正.
    RequestCorrection,
    /// 补正材料 — the applicant supplies what was missing.
    SupplyMaterials,
    /// 逾期未告知补正，自收到材料之日起即为受理 (许可法第三十二条第一款第四项) — by the scheduler.
    DeemAccepted,
    /// 当场办结 — an immediate item (即办件) decided on the spot.
    DecideOnTheSpot,
    /// 中止计时 — a special procedure whose time does not count (许可法第四十五条).
    Pause,
    /// 恢复计时.
    Resume,
    /// 延长期限 — with the head's approval and a reason (许可法第四十二条).
    Extend,
    /// 转报 — pass the case to the department that decides.
    Forward,
    /// 退回 — back to the unit that passed it on.
    Return,
    /// 调查取证 — with at least two certified officers (处罚法第四十二条).
    Investigate,
    /// 告知 — the intended decision, its facts, reasons and the party's rights.
    Notify,
    /// 申请听证.
    RequestHearing,
    /// 放弃陈述申辩和听证.
    WaiveHearing,
    /// 举行听证.
    HoldHearing,
    /// 法制审核.
    LegalCheck,
    /// 实施强制措施.
    ApplyMeasure,
    /// 解除强制措施.
    LiftMeasure,
    /// 催告.
    Demand,
    /// 作出决定 (准予, 不予, 处罚, 不予处罚 …).
    Decide,
    /// 送达.
    Deliver,
    /// 执行.
    Execute,
    /// 办结 / 结案.
    Close,
    /// 撤回 — by the applicant.
    Withdraw,
    /// 会签.
    Countersign,
    /// 转办 — to another unit that holds the power.
    Transfer,
    /// 催办.
    Urge,
    /// 督办.
    Supervise,
    /// 配合任务 — a task for a cooperating unit with its own deadline.
    AssignTask,
    /// 完成配合任务.
    CompleteTask,
    /// 计时变更 — deadlines recomputed after a calendar year was loaded (system).
    Recompute,
    /// 预警 — the scheduler records that a clock turned yellow or red (system).
    Alert,
    /// 补齐容缺材料 — the last of the materials a 容缺受理 accepted as missing was filed
    /// (system: recorded by the materials service after the filing).
    MissingSupplied,
}

impl ActionKind {
    /// Every action.
    pub const ALL: [ActionKind; 36] = [
        ActionKind::Apply,
        ActionKind::File,
        ActionKind::Accept,
        ActionKind::Refuse,
        ActionKind::RequestCorrection,
        ActionKind::SupplyMaterials,
        ActionKind::DeemAccepted,
        ActionKind::DecideOnTheSpot,
        ActionKind::Pause,
        ActionKind::Resume,
        ActionKind::Extend,
        ActionKind::Forward,
        ActionKind::Return,
        ActionKind::Investigate,
        ActionKind::Notify,
        ActionKind::RequestHearing,
        ActionKind::WaiveHearing,
        ActionKind::HoldHearing,
        ActionKind::LegalCheck,
        ActionKind::ApplyMeasure,
        ActionKind::LiftMeasure,
        ActionKind::Demand,
        ActionKind::Decide,
        ActionKind::Deliver,
        ActionKind::Execute,
        ActionKind::Close,
        ActionKind::Withdraw,
        ActionKind::Countersign,
        ActionKind::Transfer,
        ActionKind::Urge,
        ActionKind::Supervise,
        ActionKind::AssignTask,
        ActionKind::CompleteTask,
        ActionKind::Recompute,
        ActionKind::Alert,
        ActionKind::MissingSupplied,
    ];

    /// The Chinese label.
    pub fn zh(self) -> &'static str {
        match self {
            ActionKind::Apply => "申请",
            ActionKind::File => "立案",
            ActionKind::Accept => "受理",
            ActionKind::Refuse => "不予受理",
            ActionKind::RequestCorrection => "一次性告知补正",
            ActionKind::SupplyMaterials => "补正材料",
            ActionKind::DeemAccepted => "逾期未告知补正视为受理",
            ActionKind::DecideOnTheSpot => "当场办结",
            ActionKind::Pause => "中止计时",
            ActionKind::Resume => "恢复计时",
            ActionKind::Extend => "延长期限",
            ActionKind::Forward => "转报",
            ActionKind::Return => "退回",
            ActionKind::Investigate => "调查取证",
            ActionKind::Notify => "告知",
            ActionKind::RequestHearing => "申请听证",
            ActionKind::WaiveHearing => "放弃陈述申辩和听证",
            ActionKind::HoldHearing => "举行听证",
            ActionKind::LegalCheck => "法制审核",
            ActionKind::ApplyMeasure => "实施强制措施",
            ActionKind::LiftMeasure => "解除强制措施",
            ActionKind::Demand => "催告",
            ActionKind::Decide => "作出决定",
            ActionKind::Deliver => "送达",
            ActionKind::Execute => "执行",
            ActionKind::Close => "办结",
            ActionKind::Withdraw => "撤回",
            ActionKind::Countersign => "会签",
            ActionKind::Transfer => "转办",
            ActionKind::Urge => "催办",
            ActionKind::Supervise => "督办",
            ActionKind::AssignTask => "配合任务",
            ActionKind::CompleteTask => "完成配合任务",
            ActionKind::Recompute => "重算期限",
            ActionKind::Alert => "预警",
            ActionKind::MissingSupplied => "补齐容缺材料",
        }
    }
}

/// Who may take an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Taker {
    /// The applicant (or the party) through the portal or at the window.
    Applicant,
    /// Staff of the handling unit with one of these roles.
    Staff(&'static [Role]),
    /// Staff of a supervising unit (any unit) with one of these roles.
    Supervisor(&'static [Role]),
    /// The server itself (the deadline scheduler, a calendar load).
    System,
}

/// 计时 — which clock of a case.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum ClockKind {
    /// 补正告知期限 — tell what is missing within 5 working days (许可法第三十二条).
    Intake,
    /// 办理期限 — the statutory period to decide.
    Decision,
    /// 承诺期限 — the shorter limit the unit promised (承诺时限), what the applicant is shown.
    Committed,
    /// 初审期限 — the lower level's pre-review (许可法第四十三条).
    PreReview,
    /// 送达期限.
    Delivery,
    /// 听证申请期限 — the party's period to ask for a hearing (处罚法第六十四条).
    HearingRequest,
    /// 强制措施期限 (强制法第二十五条).
    Measure,
    /// 催告履行期限 (强制法第三十五条).
    Demand,
}

impl ClockKind {
    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            ClockKind::Intake => "intake",
            ClockKind::Decision => "decision",
            ClockKind::Committed => "committed",
            ClockKind::PreReview => "pre_review",
            ClockKind::Delivery => "delivery",
            ClockKind::HearingRequest => "hearing_request",
            ClockKind::Measure => "measure",
            ClockKind::Demand => "demand",
        }
    }

    /// The Chinese label.
    pub fn zh(self) -> &'static str {
        match self {
            ClockKind::Intake => "补正告知期限",
            ClockKind::Decision => "法定办理期限",
            ClockKind::Committed => "承诺办结期限",
            ClockKind::PreReview => "初审期限",
            ClockKind::Delivery => "送达期限",
            ClockKind::HearingRequest => "听证申请期限",
            ClockKind::Measure => "强制措施期限",
            ClockKind::Demand => "催告履行期限",
        }
    }

    /// Whether it runs on the administration's time (late means the unit is late and the case
    /// goes yellow, red and to 督办); the party's own periods only gate actions.
    pub fn binds_administration(self) -> bool {
        !matches!(self, ClockKind::HearingRequest | ClockKind::Demand)
    }
}

/// Where a clock's length comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimitSource {
    /// Fixed by the article.
    Fixed(Period),
    /// The item's own statutory limit (法定办结时限) when it has one, else this.
    ItemStatutoryOr(Period),
    /// The item's own statutory limit; no clock when it has none.
    ItemStatutory,
    /// The item's committed limit (承诺办结时限); no clock when it has none.
    ItemCommitted,
    /// The county's rules ([`super::CaseRules`]): the penalty decision period.
    PenaltyDecision,
    /// Set by the action (a demand names its own period).
    Action,
}

/// 时限 — one clock of a procedure: its length, its article, whether special procedures pause
/// it, and how far it may be extended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    /// Which clock.
    pub clock: ClockKind,
    /// How long.
    pub length: LimitSource,
    /// The article that sets it, for the timeline and refusals.
    pub basis: &'static str,
    /// Whether [`ActionKind::Pause`] stops it.
    pub pausable: bool,
    /// How far [`ActionKind::Extend`] may extend it, once.
    pub extension: Option<Period>,
}

/// What an action does to a clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClockEffect {
    /// Starts the clock (from the action's date).
    Start(ClockKind),
    /// Starts the clock from the date the case was received (逾期未告知补正视为受理).
    StartFromReceipt(ClockKind),
    /// Stops it (met).
    Stop(ClockKind),
}

/// 流转 — one row of a procedure's table: an action, the states it may be taken in, the state
/// it leads to (`None`: stays), who may take it, and what it does to the clocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition {
    /// The action.
    pub action: ActionKind,
    /// The states it may be taken in (empty: opens a case).
    pub from: &'static [CaseState],
    /// The state it leads to.
    pub to: Option<CaseState>,
    /// Who may take it.
    pub taker: Taker,
    /// Its effect on the clocks.
    pub clocks: &'static [ClockEffect],
}

/// 办理程序 — one category's procedure.
#[derive(Debug, PartialEq, Eq)]
pub struct Procedure {
    /// Which.
    pub kind: ProcedureKind,
    /// The state a new case starts in.
    pub start: CaseState,
    /// The table.
    pub transitions: &'static [Transition],
    /// The clocks.
    pub limits: &'static [Limit],
    /// The special procedures that pause its clocks, when the list is closed by law
    /// (许可法第四十五条); `None`: any reason the unit records.
    pub pause_reasons: Option<&'static [PauseReason]>,
}

impl Procedure {
    /// The row for `action` taken in `state`; `None` when the procedure has no such action
    /// there. Recorded actions (会签, 催办 …) are allowed in every open state.
    pub fn transition(&self, action: ActionKind, state: CaseState) -> Option<&Transition> {
        if state.is_final() {
            return None;
        }
        self.transitions
            .iter()
            .chain(RECORDED.iter())
            .find(|t| t.action == action && t.from.contains(&state))
    }

    /// The row that opens a case (申请 or 立案).
    pub fn opening(&self) -> &Transition {
        self.transitions
            .iter()
            .find(|t| t.from.is_empty())
            .expect("every procedure has an opening row: checked by a unit test")
    }

    /// The clock definition.
    pub fn limit(&self, clock: ClockKind) -> Option<&Limit> {
        self.limits.iter().find(|l| l.clock == clock)
    }

    /// The actions possible in `state`, in table order (for the workbench's buttons).
    pub fn actions_in(&self, state: CaseState) -> Vec<ActionKind> {
        let mut out: Vec<ActionKind> = Vec::new();
        for t in self.transitions.iter().chain(RECORDED.iter()) {
            if t.from.contains(&state) && !out.contains(&t.action) {
                out.push(t.action);
            }
        }
        out
    }
}

/// 特别程序 — why a clock is paused (许可法第四十五条: 听证、招标、拍卖、检验、检测、检疫、鉴定和
/// 专家评审 do not count).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PauseReason {
    /// 听证.
    Hearing,
    /// 招标.
    Tender,
    /// 拍卖.
    Auction,
    /// 检验.
    Inspection,
    /// 检测.
    Testing,
    /// 检疫.
    Quarantine,
    /// 鉴定.
    Appraisal,
    /// 专家评审.
    ExpertReview,
    /// 其他特别程序 named by the item (公示、现场勘查 …), for procedures whose list is not closed.
    Other,
}

impl PauseReason {
    /// The Chinese label.
    pub fn zh(self) -> &'static str {
        match self {
            PauseReason::Hearing => "听证",
            PauseReason::Tender => "招标",
            PauseReason::Auction => "拍卖",
            PauseReason::Inspection => "检验",
            PauseReason::Testing => "检测",
            PauseReason::Quarantine => "检疫",
            PauseReason::Appraisal => "鉴定",
            PauseReason::ExpertReview => "专家评审",
            PauseReason::Other => "其他特别程序",
        }
    }
}

use ActionKind as A;
use CaseState as S;
use ClockEffect::{Start, StartFromReceipt, Stop};
use ClockKind as C;
use Role as R;

const CLERK: Taker = Taker::Staff(&[R::Clerk]);
const REVIEWER: Taker = Taker::Staff(&[R::Clerk, R::Reviewer]);
const HEAD: Taker = Taker::Staff(&[R::Leader]);
const DECIDER: Taker = Taker::Staff(&[R::Leader, R::Reviewer]);

/// Recorded actions, in every procedure and every open state.
const OPEN: &[CaseState] = &[
    S::Submitted,
    S::CorrectionRequested,
    S::UnderReview,
    S::Forwarded,
    S::Filed,
    S::Investigating,
    S::Notified,
    S::Hearing,
    S::Heard,
    S::LegallyChecked,
    S::MeasureInForce,
    S::Demanded,
    S::Decided,
    S::Delivered,
    S::Executing,
];

const RECORDED: &[Transition] = &[
    Transition { action: A::Countersign, from: OPEN, to: None, taker: DECIDER, clocks: &[] },
    Transition { action: A::Urge, from: OPEN, to: None, taker: REVIEWER_OR_HEAD, clocks: &[] },
    Transition {
        action: A::Supervise,
        from: OPEN,
        to: None,
        taker: Taker::Supervisor(&[R::Supervisor, R::Leader]),
        clocks: &[],
    },
    Transition { action: A::AssignTask, from: OPEN, to: None, taker: REVIEWER, clocks: &[] },
    Transition { action: A::CompleteTask, from: OPEN, to: None, taker: CLERK_ANY, clocks: &[] },
    Transition {
        action: A::Transfer,
        from: BEFORE_DECISION,
        to: None,
        taker: REVIEWER,
        clocks: &[],
    },
    Transition { action: A::Recompute, from: OPEN, to: None, taker: Taker::System, clocks: &[] },
    Transition { action: A::Alert, from: OPEN, to: None, taker: Taker::System, clocks: &[] },
    Transition {
        action: A::MissingSupplied,
        from: OPEN,
        to: None,
        taker: Taker::System,
        clocks: &[],
    },
];

const REVIEWER_OR_HEAD: Taker = Taker::Staff(&[R::Clerk, R::Reviewer, R::Leader]);
/// A cooperating unit's clerk completes its own task (the service checks the unit).
const CLERK_ANY: Taker = Taker::Staff(&[R::Clerk, R::Reviewer]);

const BEFORE_DECISION: &[CaseState] =
    &[S::Submitted, S::CorrectionRequested, S::UnderReview, S::Filed, S::Investigating];

/// States in which an applicant may still withdraw (before the decision).
const WITHDRAWABLE: &[CaseState] =
    &[S::Submitted, S::CorrectionRequested, S::UnderReview, S::Forwarded];

const LICENSING_PAUSES: &[PauseReason] = &[
    PauseReason::Hearing,
    PauseReason::Tender,
    PauseReason::Auction,
    PauseReason::Inspection,
    PauseReason::Testing,
    PauseReason::Quarantine,
    PauseReason::Appraisal,
    PauseReason::ExpertReview,
];

/// The on-application table (许可 and the other 依申请 kinds share its shape).
const ON_APPLICATION: &[Transition] = &[
    Transition {
        action: A::Apply,
        from: &[],
        to: Some(S::Submitted),
        taker: Taker::Applicant,
        clocks: &[Start(C::Intake)],
    },
    Transition {
        action: A::Accept,
        from: &[S::Submitted],
        to: Some(S::UnderReview),
        taker: CLERK,
        clocks: &[Stop(C::Intake), Start(C::Decision), Start(C::Committed), Start(C::PreReview)],
    },
    Transition {
        action: A::DeemAccepted,
        from: &[S::Submitted],
        to: Some(S::UnderReview),
        taker: Taker::System,
        clocks: &[
            Stop(C::Intake),
            StartFromReceipt(C::Decision),
            StartFromReceipt(C::Committed),
            StartFromReceipt(C::PreReview),
        ],
    },
    Transition {
        action: A::Refuse,
        from: &[S::Submitted],
        to: Some(S::Refused),
        taker: CLERK,
        clocks: &[Stop(C::Intake)],
    },
    Transition {
        action: A::RequestCorrection,
        from: &[S::Submitted],
        to: Some(S::CorrectionRequested),
        taker: CLERK,
        clocks: &[Stop(C::Intake)],
    },
    Transition {
        action: A::SupplyMaterials,
        from: &[S::CorrectionRequested],
        to: Some(S::Submitted),
        taker: Taker::Applicant,
        clocks: &[Start(C::Intake)],
    },
    Transition {
        action: A::DecideOnTheSpot,
        from: &[S::Submitted],
        to: Some(S::Delivered),
        taker: CLERK,
        clocks: &[Stop(C::Intake)],
    },
    Transition {
        action: A::Pause,
        from: &[S::UnderReview, S::Forwarded],
        to: None,
        taker: REVIEWER,
        clocks: &[],
    },
    Transition {
        action: A::Resume,
        from: &[S::UnderReview, S::Forwarded],
        to: None,
        taker: REVIEWER,
        clocks: &[],
    },
    Transition {
        action: A::Extend,
        from: &[S::UnderReview, S::Forwarded],
        to: None,
        taker: HEAD,
        clocks: &[],
    },
    Transition {
        action: A::Forward,
        from: &[S::UnderReview],
        to: Some(S::Forwarded),
        taker: REVIEWER,
        clocks: &[Stop(C::PreReview)],
    },
    Transition {
        action: A::Return,
        from: &[S::Forwarded],
        to: Some(S::UnderReview),
        taker: DECIDER,
        clocks: &[],
    },
    Transition {
        action: A::Decide,
        from: &[S::UnderReview, S::Forwarded],
        to: Some(S::Decided),
        taker: DECIDER,
        clocks: &[Stop(C::Decision), Stop(C::Committed), Stop(C::PreReview), Start(C::Delivery)],
    },
    Transition {
        action: A::Deliver,
        from: &[S::Decided],
        to: Some(S::Delivered),
        taker: CLERK,
        clocks: &[Stop(C::Delivery)],
    },
    Transition {
        action: A::Close,
        from: &[S::Delivered],
        to: Some(S::Closed),
        taker: CLERK,
        clocks: &[],
    },
    Transition {
        action: A::Withdraw,
        from: WITHDRAWABLE,
        to: Some(S::Withdrawn),
        taker: Taker::Applicant,
        clocks: &[Stop(C::Intake), Stop(C::Decision), Stop(C::Committed), Stop(C::PreReview)],
    },
];

/// 行政许可 (许可法第三十二、四十二至四十五条).
pub static LICENSING: Procedure = Procedure {
    kind: ProcedureKind::Licensing,
    start: S::Submitted,
    transitions: ON_APPLICATION,
    limits: &[
        Limit {
            clock: C::Intake,
            length: LimitSource::Fixed(Period::WorkingDays(5)),
            basis: "行政许可法第三十二条",
            pausable: false,
            extension: None,
        },
        Limit {
            clock: C::Decision,
            length: LimitSource::ItemStatutoryOr(Period::WorkingDays(20)),
            basis: "行政许可法第四十二条",
            pausable: true,
            extension: Some(Period::WorkingDays(10)),
        },
        Limit {
            clock: C::Committed,
            length: LimitSource::ItemCommitted,
            basis: "承诺办结时限",
            pausable: true,
            extension: None,
        },
        Limit {
            clock: C::PreReview,
            length: LimitSource::Fixed(Period::WorkingDays(20)),
            basis: "行政许可法第四十三条",
            pausable: true,
            extension: None,
        },
        Limit {
            clock: C::Delivery,
            length: LimitSource::Fixed(Period::WorkingDays(10)),
            basis: "行政许可法第四十四条",
            pausable: false,
            extension: None,
        },
    ],
    pause_reasons: Some(LICENSING_PAUSES),
};

const ON_APPLICATION_LIMITS: &[Limit] = &[
    Limit {
        clock: C::Decision,
        length: LimitSource::ItemStatutory,
        basis: "法定办结时限",
        pausable: true,
        extension: None,
    },
    Limit {
        clock: C::Committed,
        length: LimitSource::ItemCommitted,
        basis: "承诺办结时限",
        pausable: true,
        extension: None,
    },
];

macro_rules! on_application {
    ($name:ident, $kind:expr) => {
        #[doc = "A 依申请 procedure with the item's own limits."]
        pub static $name: Procedure = Procedure {
            kind: $kind,
            start: S::Submitted,
            transitions: ON_APPLICATION,
            limits: ON_APPLICATION_LIMITS,
            pause_reasons: None,
        };
    };
}
on_application!(ON_APPLICATION_BENEFIT, ProcedureKind::Benefit);
on_application!(ON_APPLICATION_CONFIRMATION, ProcedureKind::Confirmation);
on_application!(ON_APPLICATION_REWARD, ProcedureKind::Reward);
on_application!(ON_APPLICATION_ADJUDICATION, ProcedureKind::Adjudication);
on_application!(ON_APPLICATION_OTHER, ProcedureKind::Other);
on_application!(ON_APPLICATION_SERVICE, ProcedureKind::PublicService);

/// 行政处罚 (处罚法第五章): 立案 → 调查取证 → 告知 → [听证] → [法制审核] → 决定 → 送达 → 执行 → 结案;
/// the summary procedure (第五十一条) is [`ActionKind::DecideOnTheSpot`] from 立案.
pub static PENALTY: Procedure = Procedure {
    kind: ProcedureKind::Penalty,
    start: S::Filed,
    transitions: &[
        Transition {
            action: A::File,
            from: &[],
            to: Some(S::Filed),
            taker: CLERK,
            clocks: &[Start(C::Decision)],
        },
        Transition {
            action: A::DecideOnTheSpot,
            from: &[S::Filed],
            to: Some(S::Delivered),
            taker: CLERK,
            clocks: &[Stop(C::Decision)],
        },
        Transition {
            action: A::Investigate,
            from: &[S::Filed],
            to: Some(S::Investigating),
            taker: CLERK,
            clocks: &[],
        },
        Transition {
            action: A::Notify,
            from: &[S::Investigating],
            to: Some(S::Notified),
            taker: CLERK,
            clocks: &[Start(C::HearingRequest)],
        },
        Transition {
            action: A::RequestHearing,
            from: &[S::Notified],
            to: Some(S::Hearing),
            taker: Taker::Applicant,
            clocks: &[Stop(C::HearingRequest)],
        },
        Transition {
            action: A::WaiveHearing,
            from: &[S::Notified],
            to: None,
            taker: Taker::Applicant,
            clocks: &[Stop(C::HearingRequest)],
        },
        Transition {
            action: A::HoldHearing,
            from: &[S::Hearing],
            to: Some(S::Heard),
            taker: REVIEWER,
            clocks: &[],
        },
        Transition {
            action: A::LegalCheck,
            from: &[S::Notified, S::Heard],
            to: Some(S::LegallyChecked),
            taker: Taker::Staff(&[R::Reviewer]),
            clocks: &[],
        },
        Transition {
            action: A::Pause,
            from: &[S::Investigating, S::Notified, S::Hearing, S::Heard],
            to: None,
            taker: REVIEWER,
            clocks: &[],
        },
        Transition {
            action: A::Resume,
            from: &[S::Investigating, S::Notified, S::Hearing, S::Heard],
            to: None,
            taker: REVIEWER,
            clocks: &[],
        },
        Transition {
            action: A::Decide,
            from: &[S::Notified, S::Heard, S::LegallyChecked],
            to: Some(S::Decided),
            taker: HEAD,
            clocks: &[Stop(C::Decision), Start(C::Delivery)],
        },
        Transition {
            action: A::Deliver,
            from: &[S::Decided],
            to: Some(S::Delivered),
            taker: CLERK,
            clocks: &[Stop(C::Delivery)],
        },
        Transition {
            action: A::Execute,
            from: &[S::Delivered],
            to: Some(S::Executing),
            taker: CLERK,
            clocks: &[],
        },
        Transition {
            action: A::Close,
            from: &[S::Delivered, S::Executing],
            to: Some(S::Closed),
            taker: CLERK,
            clocks: &[],
        },
    ],
    limits: &[
        Limit {
            clock: C::Decision,
            length: LimitSource::PenaltyDecision,
            basis: "行政处罚法第六十条",
            pausable: true,
            extension: None,
        },
        Limit {
            clock: C::HearingRequest,
            length: LimitSource::Fixed(Period::WorkingDays(5)),
            basis: "行政处罚法第六十四条",
            pausable: false,
            extension: None,
        },
        Limit {
            clock: C::Delivery,
            length: LimitSource::Fixed(Period::WorkingDays(7)),
            basis: "行政处罚法第六十一条",
            pausable: false,
            extension: None,
        },
    ],
    pause_reasons: None,
};

/// 行政强制措施 (强制法第十八至二十八条): 立案/报批 → 实施 (two officers) → 决定 → 解除.
pub static COERCIVE_MEASURE: Procedure = Procedure {
    kind: ProcedureKind::CoerciveMeasure,
    start: S::Filed,
    transitions: &[
        Transition { action: A::File, from: &[], to: Some(S::Filed), taker: CLERK, clocks: &[] },
        Transition {
            action: A::ApplyMeasure,
            from: &[S::Filed],
            to: Some(S::MeasureInForce),
            taker: CLERK,
            clocks: &[Start(C::Measure)],
        },
        Transition {
            action: A::Pause,
            from: &[S::MeasureInForce],
            to: None,
            taker: REVIEWER,
            clocks: &[],
        },
        Transition {
            action: A::Resume,
            from: &[S::MeasureInForce],
            to: None,
            taker: REVIEWER,
            clocks: &[],
        },
        Transition {
            action: A::Extend,
            from: &[S::MeasureInForce],
            to: None,
            taker: HEAD,
            clocks: &[],
        },
        Transition {
            action: A::Decide,
            from: &[S::MeasureInForce],
            to: Some(S::Decided),
            taker: HEAD,
            clocks: &[Stop(C::Measure)],
        },
        Transition {
            action: A::LiftMeasure,
            from: &[S::MeasureInForce, S::Decided],
            to: Some(S::Closed),
            taker: DECIDER,
            clocks: &[Stop(C::Measure)],
        },
    ],
    limits: &[Limit {
        clock: C::Measure,
        length: LimitSource::Fixed(Period::CalendarDays(30)),
        basis: "行政强制法第二十五条",
        pausable: true,
        extension: Some(Period::CalendarDays(30)),
    }],
    pause_reasons: None,
};

/// 行政强制执行 (强制法第三十五至四十四条): 催告 → 陈述申辩 → 决定 → 送达 → 执行.
pub static COERCIVE_ENFORCEMENT: Procedure = Procedure {
    kind: ProcedureKind::CoerciveEnforcement,
    start: S::Filed,
    transitions: &[
        Transition { action: A::File, from: &[], to: Some(S::Filed), taker: CLERK, clocks: &[] },
        Transition {
            action: A::Demand,
            from: &[S::Filed],
            to: Some(S::Demanded),
            taker: CLERK,
            clocks: &[Start(C::Demand)],
        },
        Transition {
            action: A::Decide,
            from: &[S::Demanded],
            to: Some(S::Decided),
            taker: HEAD,
            clocks: &[Stop(C::Demand)],
        },
        Transition {
            action: A::Deliver,
            from: &[S::Decided],
            to: Some(S::Delivered),
            taker: CLERK,
            clocks: &[],
        },
        Transition {
            action: A::Execute,
            from: &[S::Delivered],
            to: Some(S::Executing),
            taker: CLERK,
            clocks: &[],
        },
        Transition {
            action: A::Close,
            from: &[S::Demanded, S::Executing],
            to: Some(S::Closed),
            taker: CLERK,
            clocks: &[Stop(C::Demand)],
        },
    ],
    limits: &[Limit {
        clock: C::Demand,
        length: LimitSource::Action,
        basis: "行政强制法第三十五条",
        pausable: false,
        extension: None,
    }],
    pause_reasons: None,
};

const EX_OFFICIO: &[Transition] = &[
    Transition {
        action: A::File,
        from: &[],
        to: Some(S::Filed),
        taker: CLERK,
        clocks: &[Start(C::Decision)],
    },
    Transition {
        action: A::Investigate,
        from: &[S::Filed],
        to: Some(S::Investigating),
        taker: CLERK,
        clocks: &[],
    },
    Transition {
        action: A::Pause,
        from: &[S::Investigating],
        to: None,
        taker: REVIEWER,
        clocks: &[],
    },
    Transition {
        action: A::Resume,
        from: &[S::Investigating],
        to: None,
        taker: REVIEWER,
        clocks: &[],
    },
    Transition {
        action: A::Decide,
        from: &[S::Investigating],
        to: Some(S::Decided),
        taker: DECIDER,
        clocks: &[Stop(C::Decision)],
    },
    Transition {
        action: A::Deliver,
        from: &[S::Decided],
        to: Some(S::Delivered),
        taker: CLERK,
        clocks: &[],
    },
    Transition {
        action: A::Close,
        from: &[S::Investigating, S::Delivered],
        to: Some(S::Closed),
        taker: CLERK,
        clocks: &[Stop(C::Decision)],
    },
];

const EX_OFFICIO_LIMITS: &[Limit] = &[Limit {
    clock: C::Decision,
    length: LimitSource::ItemStatutory,
    basis: "法定办结时限",
    pausable: true,
    extension: None,
}];

/// 行政征收 (依职权).
pub static EX_OFFICIO_LEVY: Procedure = Procedure {
    kind: ProcedureKind::Levy,
    start: S::Filed,
    transitions: EX_OFFICIO,
    limits: EX_OFFICIO_LIMITS,
    pause_reasons: None,
};

/// 行政检查 (依职权).
pub static EX_OFFICIO_INSPECTION: Procedure = Procedure {
    kind: ProcedureKind::Inspection,
    start: S::Filed,
    transitions: EX_OFFICIO,
    limits: EX_OFFICIO_LIMITS,
    pause_reasons: None,
};
