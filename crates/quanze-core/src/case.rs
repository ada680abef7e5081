//! 办件 — one case: an application a citizen or firm makes for a power a unit holds, or a
//! procedure a unit opens ex officio, moving through its category's statutory procedure
//! ([`procedure`]) with its clocks ([`clock`]), tasks for cooperating units, and, once ended,
//! its ratings and the complaints about it ([`rating`]).
//!
//! Pure: [`Case::open`] and [`Case::apply`] take the clock, the calendar and the actor, check
//! every rule the law sets for that step (and name the article when they refuse), and return
//! the case as it is after the step with the step's timeline record. Who holds the power
//! (法无授权不可为) is the caller's question to the authority index; its answer comes in as the
//! case's [`Exercise`].

pub mod clock;
pub mod material;
pub mod procedure;
pub mod rating;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Timelike, Utc};

use crate::account::Role;
use crate::authority::Exercise;
use crate::calendar::{Period, WorkCalendar};
use crate::codes::{CreditCode, IdNumber};
use crate::devolution::CertificateNo;
use crate::ids::{CaseId, ItemId, TaskId, UnitId, UserId};
use crate::item::{LimitUnit, PowerCategory, TimeLimit};

pub use clock::{Alert, Clock, Extension, Pause};
pub use procedure::{
    ActionKind, CaseState, ClockEffect, ClockKind, Limit, LimitSource, PauseReason, Procedure,
    ProcedureKind, Taker, Transition,
};

/// 办件规则 — what each county sets for itself (domain.md §6, §8: thresholds and interpretive
/// periods are local policy).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CaseRules {
    /// The share of a period left (‰) at which a clock turns yellow; 200 = the last fifth.
    pub yellow_permille: u32,
    /// 处罚法第六十条: decide within 90 days of filing unless a law, regulation or rule says
    /// otherwise (calendar days: an interpretation, configurable).
    pub penalty_decision: Period,
    /// 差评整改期限 (国办发〔2019〕51号: set per jurisdiction; 15 working days by default).
    pub rectification: Period,
    /// 投诉建议答复期限.
    pub complaint_reply: Period,
    /// 处罚法第五十一条: the largest fine decided on the spot for a person, in yuan.
    pub summary_fine_person: u64,
    /// The same for an organisation.
    pub summary_fine_organisation: u64,
}

impl Default for CaseRules {
    fn default() -> CaseRules {
        CaseRules {
            yellow_permille: 200,
            penalty_decision: Period::CalendarDays(90),
            rectification: Period::WorkingDays(15),
            complaint_reply: Period::WorkingDays(15),
            summary_fine_person: 200,
            summary_fine_organisation: 3_000,
        }
    }
}

/// 受理单号 — the receipt number an applicant is given: `QZ` + date + 6 digits.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(try_from = "String", into = "String")]
pub struct ReceiptNo(String);

impl ReceiptNo {
    /// The number for the `n`-th case received on `on` (from 1).
    pub fn new(on: NaiveDate, n: u32) -> ReceiptNo {
        ReceiptNo(format!("QZ{}{n:06}", on.format("%Y%m%d")))
    }

    /// Parses a receipt number (spaces dropped, letters upper-cased).
    pub fn parse(raw: &str) -> Result<ReceiptNo, crate::ValidationError> {
        let s: String =
            raw.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_uppercase();
        let ok = s.len() == 16
            && s.starts_with("QZ")
            && s[2..].bytes().all(|b| b.is_ascii_digit())
            && NaiveDate::parse_from_str(&s[2..10], "%Y%m%d").is_ok();
        if !ok {
            return Err(crate::ValidationError::Invalid {
                field: "receipt",
                reason: "not a receipt number (QZ, a date and six digits)",
                reason_zh: "不是有效的受理单号（QZ加日期和六位序号）",
                value: raw.to_owned(),
            });
        }
        Ok(ReceiptNo(s))
    }

    /// The number.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for ReceiptNo {
    type Error = crate::ValidationError;
    fn try_from(s: String) -> Result<ReceiptNo, crate::ValidationError> {
        ReceiptNo::parse(&s)
    }
}

impl From<ReceiptNo> for String {
    fn from(r: ReceiptNo) -> String {
        r.0
    }
}

impl std::fmt::Display for ReceiptNo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// 申请人 / 当事人 — a person or an organisation, with the identifying number. A person's name
/// and ID number are personal data: this value never goes into a case document, a step or an
/// event; the service seals it (SM4) and matches cases to it by a keyed hash. It has no serde
/// derive on purpose: [`Applicant::to_sealed_json`] is the one way out, named so that a leak
/// cannot happen by accident.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Applicant {
    /// 自然人.
    Person {
        /// 姓名.
        name: String,
        /// 公民身份号码 (GB 11643).
        id_number: IdNumber,
    },
    /// 法人或其他组织.
    Organisation {
        /// 名称.
        name: String,
        /// 统一社会信用代码 (GB 32100).
        credit_code: CreditCode,
    },
}

impl Applicant {
    /// Whether the applicant is a person (for 处罚法第五十一条's two fine limits).
    pub fn is_person(&self) -> bool {
        matches!(self, Applicant::Person { .. })
    }

    /// The identifying number: the ID number or the credit code.
    pub fn number(&self) -> &str {
        match self {
            Applicant::Person { id_number, .. } => id_number.as_str(),
            Applicant::Organisation { credit_code, .. } => credit_code.as_str(),
        }
    }

    /// What a case keeps: the kind, the name as staff pages may show it (a person's given
    /// name masked), and an organisation's credit code (not personal data).
    pub fn party(&self) -> Party {
        match self {
            Applicant::Person { name, id_number } => {
                let mut chars = name.chars();
                let shown = match chars.next() {
                    Some(first) => format!("{first}{}", "*".repeat(chars.count().max(1))),
                    None => String::new(),
                };
                Party { person: true, name: shown, number: id_number.masked() }
            }
            Applicant::Organisation { name, credit_code } => {
                Party { person: false, name: name.clone(), number: credit_code.to_string() }
            }
        }
    }

    /// The applicant as JSON, for sealing only (personal data in clear).
    pub fn to_sealed_json(&self) -> serde_json::Value {
        match self {
            Applicant::Person { name, id_number } => serde_json::json!({
                "kind": "person", "name": name, "number": id_number.as_str()
            }),
            Applicant::Organisation { name, credit_code } => serde_json::json!({
                "kind": "organisation", "name": name, "number": credit_code.as_str()
            }),
        }
    }

    /// Reads [`Applicant::to_sealed_json`] back.
    pub fn from_sealed_json(
        value: &serde_json::Value,
    ) -> Result<Applicant, crate::ValidationError> {
        let text = |key: &'static str| {
            value
                .get(key)
                .and_then(serde_json::Value::as_str)
                .ok_or(crate::ValidationError::Empty { field: key })
        };
        let name = text("name")?.to_owned();
        match text("kind")? {
            "person" => {
                Ok(Applicant::Person { name, id_number: IdNumber::parse(text("number")?)? })
            }
            _ => Ok(Applicant::Organisation {
                name,
                credit_code: CreditCode::parse(text("number")?)?,
            }),
        }
    }
}

/// 当事人信息 — what a case shows of its applicant: no personal data in clear.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Party {
    /// Whether a person (else an organisation).
    pub person: bool,
    /// An organisation's name; a person's name masked (张*).
    pub name: String,
    /// An organisation's credit code; a person's ID number masked.
    pub number: String,
}

/// 办理渠道 — where the application came in (集中审批、网上审批、流动便民 …).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Channel {
    /// 网上申请.
    Online,
    /// 窗口申请.
    Window,
    /// 邮寄申请.
    Post,
    /// 流动便民服务点, with its place.
    Mobile {
        /// 服务地点.
        place: String,
    },
    /// 依职权 — opened by the unit itself.
    ExOfficio,
}

impl Channel {
    /// Whether applying this way is a trip to a service place (跑动).
    pub fn is_trip(&self) -> bool {
        matches!(self, Channel::Window | Channel::Mobile { .. })
    }

    /// The Chinese label.
    pub fn zh(&self) -> &'static str {
        match self {
            Channel::Online => "网上申请",
            Channel::Window => "窗口申请",
            Channel::Post => "邮寄申请",
            Channel::Mobile { .. } => "流动便民服务点",
            Channel::ExOfficio => "依职权",
        }
    }
}

/// 办件事项 — what the case needs to know of the item, as it was on the day it was received.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CaseItem {
    /// The item.
    pub id: ItemId,
    /// Its version in force that day.
    pub version: u32,
    /// Its name.
    pub name: String,
    /// Its category.
    pub category: PowerCategory,
    /// 法定办结时限.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statutory_limit: Option<TimeLimit>,
    /// 承诺办结时限.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub committed_limit: Option<TimeLimit>,
    /// 定期审批 — the item is decided only on set days (its clocks still run).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_days: Option<crate::item::SessionDays>,
}

impl CaseItem {
    /// 即办件 — decided on the spot.
    pub fn is_immediate(&self) -> bool {
        self.committed_limit.or(self.statutory_limit).is_some_and(|l| l.amount == 0)
    }
}

/// The period of a time limit, in the unit the law counts it in (许可法第八十二条, 处罚法第八十五条,
/// 强制法第六十九条).
pub fn period_of(category: PowerCategory, limit: TimeLimit) -> Period {
    let limit = crate::item::lawful_limit(category, limit).map_or(limit, |(l, _)| l);
    match limit.unit {
        LimitUnit::WorkingDays => Period::WorkingDays(limit.amount),
        LimitUnit::CalendarDays => Period::CalendarDays(limit.amount),
        LimitUnit::Months => Period::Months(limit.amount),
    }
}

/// 决定 — what was decided.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Outcome {
    /// 准予 (许可、给付、确认、奖励 …), with the document issued.
    Granted {
        /// 文书编号 (许可证号 …).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        document: Option<String>,
    },
    /// 不予 — with the reasons and the remedies (许可法第三十八条第二款: 说明理由，并告知申请人享有
    /// 依法申请行政复议或者提起行政诉讼的权利).
    Denied {
        /// 理由.
        reasons: String,
        /// 救济途径.
        remedies: String,
    },
    /// 处罚决定.
    Penalty {
        /// 处罚种类和内容 (警告、罚款 …).
        content: String,
        /// The fine in yuan, when there is one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        fine_yuan: Option<u64>,
    },
    /// 不予处罚 / 不予强制, with the reasons.
    NoAction {
        /// 理由.
        reasons: String,
    },
    /// 其他办理结果 (检查结论、征收决定、执行决定 …).
    Done {
        /// 结论.
        summary: String,
    },
}

/// 配合任务 — a task a cooperating unit must do within its own deadline.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Task {
    /// Its id.
    pub id: TaskId,
    /// The cooperating unit.
    pub unit: UnitId,
    /// What it must do.
    pub description: String,
    /// Its deadline.
    pub due: crate::calendar::Deadline,
    /// When it was assigned (tasks stored before this field: unknown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assigned_on: Option<NaiveDate>,
    /// When it was done, with the result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub done: Option<(NaiveDate, String)>,
}

impl Task {
    /// Whether it is still to be done.
    pub fn is_open(&self) -> bool {
        self.done.is_none()
    }

    /// The day it turns yellow: when `yellow_permille` of its working days from assignment to
    /// deadline are left (its last day when the assignment day is unknown).
    pub fn yellow_from(&self, yellow_permille: u32, calendar: &WorkCalendar) -> NaiveDate {
        let Some(start) = self.assigned_on else { return self.due.date };
        let total = calendar.working_days_between(start, self.due.date).0;
        let left = u32::try_from(u64::from(total) * u64::from(yellow_permille) / 1000).unwrap_or(0);
        clock::back_working_days(calendar, self.due.date, left)
    }

    /// The day it turns red (the day after its deadline).
    pub fn red_from(&self) -> NaiveDate {
        self.due.date.succ_opt().unwrap_or(self.due.date)
    }

    /// Its alert level on `on`: green once done.
    pub fn alert(&self, on: NaiveDate, yellow_permille: u32, calendar: &WorkCalendar) -> Alert {
        if !self.is_open() {
            Alert::Green
        } else if on > self.due.date {
            Alert::Red
        } else if on >= self.yellow_from(yellow_permille, calendar) {
            Alert::Yellow
        } else {
            Alert::Green
        }
    }
}

/// 办件 — one case.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Case {
    /// Its id.
    pub id: CaseId,
    /// 受理单号.
    pub receipt: ReceiptNo,
    /// Which procedure.
    pub procedure: ProcedureKind,
    /// The item.
    pub item: CaseItem,
    /// 申请人 / 当事人, as shown (the personal data itself is sealed by the service).
    pub party: Party,
    /// How it came in.
    pub channel: Channel,
    /// The unit that received it.
    pub receiving_unit: UnitId,
    /// The unit that has it now.
    pub handling_unit: UnitId,
    /// How the receiving unit holds the power (own name, the department's name, review only,
    /// acceptance only), as the authority index answered on the day it was received.
    pub exercise: Exercise,
    /// The unit whose name the decision bears.
    pub deciding_unit: UnitId,
    /// 见文行文 or 见章盖章, when the county decides on the town's review.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review_mode: Option<ReviewMode>,
    /// Where it stands.
    pub state: CaseState,
    /// When it was received.
    pub received_at: DateTime<Utc>,
    /// The day it was received (Beijing time).
    pub received_on: NaiveDate,
    /// Its clocks.
    pub clocks: Vec<Clock>,
    /// Its worst alert level as last computed.
    pub alert: Alert,
    /// 跑动次数 — trips the applicant made to a service place.
    pub trips: u8,
    /// Whether the one correction notice was given (一次性告知).
    pub correction_requested: bool,
    /// 容缺受理 — material accepted as missing and the day promised for it; cleared by the
    /// 补齐容缺材料 step ([`CaseCommand::MissingSupplied`]) once all of it is filed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub missing_promised: Option<(Vec<String>, NaiveDate)>,
    /// Officers who investigated or applied a measure (certificate numbers).
    #[serde(default)]
    pub officers: Vec<CertificateNo>,
    /// Whether the 法制审核 was done.
    #[serde(default)]
    pub legally_checked: bool,
    /// Whether the party waived statement and hearing.
    #[serde(default)]
    pub hearing_waived: bool,
    /// The decision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Outcome>,
    /// Tasks of cooperating units.
    #[serde(default)]
    pub tasks: Vec<Task>,
    /// 经办人 — the member of staff of the handling unit who acted on the case last: the
    /// person a 督办 on its clocks names. `None` until staff of that unit act (an online
    /// application, or just after the case moved to another unit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handler: Option<UserId>,
    /// Steps taken so far (the timeline's length); also the optimistic version.
    pub steps: u32,
}

/// 督办 — a supervision item the scheduler opens on a clock that went red: the case, the late
/// clock and its deadline, the unit (and person, when known) responsible.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Supervision {
    /// Its id.
    pub id: crate::ids::SupervisionId,
    /// The case.
    pub case: CaseId,
    /// The receipt number, for the supervisor's list.
    pub receipt: ReceiptNo,
    /// The late clock (`None`: a cooperating unit's late task).
    pub clock: Option<ClockKind>,
    /// The late task of a cooperating unit, when that is what is late.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<TaskId>,
    /// Its deadline.
    pub due: NaiveDate,
    /// The unit responsible: the one that has the case, or the cooperating unit of a late task.
    pub unit: UnitId,
    /// The last member of staff who acted on it there, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person: Option<UserId>,
    /// When it was opened.
    pub opened_on: NaiveDate,
    /// When it was closed (the clock met, late, or the case ended).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_on: Option<NaiveDate>,
}

/// 审批方式 — how the county decides on the town's review (下放实质性审核权).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewMode {
    /// 见文行文 — the county issues its own decision on the town's review.
    OnTheReview,
    /// 见章盖章 — the county stamps the decision the town prepared.
    StampOnly,
}

impl ReviewMode {
    /// The Chinese label.
    pub fn zh(self) -> &'static str {
        match self {
            ReviewMode::OnTheReview => "见文行文",
            ReviewMode::StampOnly => "见章盖章",
        }
    }
}

/// 行为人 — who takes a step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    /// The applicant (the caller authenticated them as this case's applicant).
    Applicant,
    /// A member of staff acting for `unit` with the roles they hold there.
    Staff {
        /// The account.
        user: UserId,
        /// The unit they act for.
        unit: UnitId,
        /// Their roles for that unit.
        roles: Vec<Role>,
    },
    /// The server (the deadline scheduler, a calendar load).
    System,
}

/// The actor as the timeline records it (no personal data).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ActorRef {
    /// The applicant.
    Applicant,
    /// Staff.
    Staff {
        /// The account.
        user: UserId,
        /// The unit.
        unit: UnitId,
    },
    /// The server.
    System,
}

impl Actor {
    fn recorded(&self) -> ActorRef {
        match self {
            Actor::Applicant => ActorRef::Applicant,
            Actor::Staff { user, unit, .. } => ActorRef::Staff { user: *user, unit: *unit },
            Actor::System => ActorRef::System,
        }
    }
}

/// 办理请求 — one action with its data.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum CaseCommand {
    /// 受理, optionally 容缺受理 with the missing material and the day promised for it.
    Accept {
        /// 容缺材料.
        #[serde(default)]
        missing: Vec<String>,
        /// The day the missing material is promised.
        #[serde(default)]
        promised: Option<NaiveDate>,
    },
    /// 不予受理.
    Refuse {
        /// Why.
        reason: String,
        /// Whether the matter is outside this unit's powers.
        #[serde(default)]
        not_competent: bool,
        /// The unit the applicant should go to (许可法第三十二条第一款第二项).
        #[serde(default)]
        competent_unit: Option<UnitId>,
    },
    /// 一次性告知补正.
    RequestCorrection {
        /// Everything missing, in one notice.
        missing: Vec<String>,
    },
    /// 补正材料.
    SupplyMaterials {
        /// Whether the applicant came in person.
        #[serde(default)]
        in_person: bool,
    },
    /// 逾期未告知补正视为受理.
    DeemAccepted,
    /// 当场办结 / 简易程序.
    DecideOnTheSpot {
        /// The decision.
        outcome: Outcome,
    },
    /// 中止计时.
    Pause {
        /// Which special procedure.
        reason: PauseReason,
        /// Details.
        note: String,
        /// Whether the applicant was told in writing (许可法第四十五条).
        notified_in_writing: bool,
    },
    /// 恢复计时.
    Resume,
    /// 延长期限.
    Extend {
        /// Why (told to the applicant).
        reason: String,
    },
    /// 转报.
    Forward {
        /// The review opinion (见文行文) or the prepared decision (见章盖章).
        opinion: String,
        /// How the department decides, for a review-only power.
        #[serde(default)]
        mode: Option<ReviewMode>,
    },
    /// 退回.
    Return {
        /// Why.
        reason: String,
    },
    /// 调查取证.
    Investigate {
        /// The officers' certificate numbers (at least two).
        officers: Vec<CertificateNo>,
    },
    /// 告知.
    Notify {
        /// The facts, reasons and basis told.
        content: String,
    },
    /// 申请听证.
    RequestHearing,
    /// 放弃陈述申辩和听证.
    WaiveHearing,
    /// 举行听证.
    HoldHearing {
        /// 听证笔录摘要.
        record: String,
    },
    /// 法制审核.
    LegalCheck {
        /// The opinion.
        opinion: String,
    },
    /// 实施强制措施.
    ApplyMeasure {
        /// The officers' certificate numbers (at least two, 强制法第十八条).
        officers: Vec<CertificateNo>,
        /// 现场笔录.
        record: String,
    },
    /// 解除强制措施.
    LiftMeasure {
        /// Why.
        reason: String,
    },
    /// 催告.
    Demand {
        /// The period given to perform.
        period: Period,
        /// What must be performed.
        content: String,
    },
    /// 作出决定.
    Decide {
        /// The decision.
        outcome: Outcome,
        /// Whether it is a major decision that needs the 法制审核 first (处罚法第五十八条).
        #[serde(default)]
        major: bool,
    },
    /// 送达.
    Deliver {
        /// How (直接送达、邮寄、电子送达 …).
        method: String,
        /// Whether the applicant came to collect it.
        #[serde(default)]
        in_person: bool,
    },
    /// 执行.
    Execute {
        /// The local (Beijing) date and time it is carried out.
        at_local: NaiveDateTime,
        /// 情况紧急 (强制法第四十三条第一款 allows night or holiday enforcement then).
        #[serde(default)]
        emergency: bool,
    },
    /// 办结.
    Close,
    /// 撤回.
    Withdraw {
        /// Why.
        #[serde(default)]
        reason: String,
    },
    /// 会签.
    Countersign {
        /// The opinion.
        opinion: String,
    },
    /// 转办 — to another unit that holds the power (the caller checked it).
    Transfer {
        /// The unit.
        to: UnitId,
        /// How it holds the power.
        exercise: Exercise,
        /// The unit whose name its decision bears.
        deciding_unit: UnitId,
        /// Why.
        reason: String,
    },
    /// 催办.
    Urge {
        /// Note.
        note: String,
    },
    /// 督办.
    Supervise {
        /// Note.
        note: String,
    },
    /// 配合任务.
    AssignTask {
        /// The task's id.
        task: TaskId,
        /// The cooperating unit.
        unit: UnitId,
        /// What it must do.
        description: String,
        /// Its time limit.
        period: Period,
    },
    /// 完成配合任务.
    CompleteTask {
        /// The task.
        task: TaskId,
        /// The result.
        result: String,
    },
    /// 重算期限 (after a calendar year was loaded).
    Recompute,
    /// 预警 — recorded by the scheduler when a clock turns yellow or red.
    Alert {
        /// What turned, in words.
        note: String,
    },
    /// 补齐容缺材料 — recorded by the server once every material a 容缺受理 accepted as missing
    /// is filed: clears the promise; the step's data adds the promised day and whether the
    /// material came on time (`on_time`: filed on or before that day).
    MissingSupplied {
        /// The materials that were promised, every one of them (blank names aside).
        names: Vec<String>,
        /// The day (Beijing time) the last of them was filed; on or before the step's day.
        supplied_on: NaiveDate,
    },
}

impl CaseCommand {
    /// Which action.
    pub fn kind(&self) -> ActionKind {
        match self {
            CaseCommand::Accept { .. } => ActionKind::Accept,
            CaseCommand::Refuse { .. } => ActionKind::Refuse,
            CaseCommand::RequestCorrection { .. } => ActionKind::RequestCorrection,
            CaseCommand::SupplyMaterials { .. } => ActionKind::SupplyMaterials,
            CaseCommand::DeemAccepted => ActionKind::DeemAccepted,
            CaseCommand::DecideOnTheSpot { .. } => ActionKind::DecideOnTheSpot,
            CaseCommand::Pause { .. } => ActionKind::Pause,
            CaseCommand::Resume => ActionKind::Resume,
            CaseCommand::Extend { .. } => ActionKind::Extend,
            CaseCommand::Forward { .. } => ActionKind::Forward,
            CaseCommand::Return { .. } => ActionKind::Return,
            CaseCommand::Investigate { .. } => ActionKind::Investigate,
            CaseCommand::Notify { .. } => ActionKind::Notify,
            CaseCommand::RequestHearing => ActionKind::RequestHearing,
            CaseCommand::WaiveHearing => ActionKind::WaiveHearing,
            CaseCommand::HoldHearing { .. } => ActionKind::HoldHearing,
            CaseCommand::LegalCheck { .. } => ActionKind::LegalCheck,
            CaseCommand::ApplyMeasure { .. } => ActionKind::ApplyMeasure,
            CaseCommand::LiftMeasure { .. } => ActionKind::LiftMeasure,
            CaseCommand::Demand { .. } => ActionKind::Demand,
            CaseCommand::Decide { .. } => ActionKind::Decide,
            CaseCommand::Deliver { .. } => ActionKind::Deliver,
            CaseCommand::Execute { .. } => ActionKind::Execute,
            CaseCommand::Close => ActionKind::Close,
            CaseCommand::Withdraw { .. } => ActionKind::Withdraw,
            CaseCommand::Countersign { .. } => ActionKind::Countersign,
            CaseCommand::Transfer { .. } => ActionKind::Transfer,
            CaseCommand::Urge { .. } => ActionKind::Urge,
            CaseCommand::Supervise { .. } => ActionKind::Supervise,
            CaseCommand::AssignTask { .. } => ActionKind::AssignTask,
            CaseCommand::CompleteTask { .. } => ActionKind::CompleteTask,
            CaseCommand::Recompute => ActionKind::Recompute,
            CaseCommand::Alert { .. } => ActionKind::Alert,
            CaseCommand::MissingSupplied { .. } => ActionKind::MissingSupplied,
        }
    }

    /// The command as the timeline and the ledger keep it: everything but personal data
    /// (officers' certificate numbers become a count).
    pub fn public_data(&self) -> serde_json::Value {
        let mut value = serde_json::to_value(self).unwrap_or(serde_json::Value::Null);
        if let Some(officers) = value.get_mut("officers") {
            let n = officers.as_array().map_or(0, Vec::len);
            *officers = serde_json::json!(n);
        }
        value
    }
}

/// 计时变更 — what a step did to a clock.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum ClockChange {
    /// Started, with its deadline.
    Started {
        /// Which clock.
        clock: ClockKind,
        /// Its deadline.
        due: NaiveDate,
        /// Whether the deadline is provisional.
        provisional: bool,
        /// The article.
        basis: String,
    },
    /// Stopped (met or ended).
    Stopped {
        /// Which clock.
        clock: ClockKind,
        /// Whether it was met on time.
        on_time: bool,
    },
    /// Paused.
    Paused {
        /// Which clock.
        clock: ClockKind,
        /// Why.
        reason: PauseReason,
    },
    /// Resumed, with the new deadline.
    Resumed {
        /// Which clock.
        clock: ClockKind,
        /// The new deadline.
        due: NaiveDate,
    },
    /// Extended, with the new deadline.
    Extended {
        /// Which clock.
        clock: ClockKind,
        /// The new deadline.
        due: NaiveDate,
    },
    /// Recomputed after a calendar change.
    Recomputed {
        /// Which clock.
        clock: ClockKind,
        /// The old deadline.
        was: NaiveDate,
        /// The new deadline.
        due: NaiveDate,
        /// Whether it is still provisional.
        provisional: bool,
    },
}

/// 办理记录 — one step on a case's timeline.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CaseStep {
    /// Its number in the case (1 = the application or filing).
    pub n: u32,
    /// When.
    pub at: DateTime<Utc>,
    /// The day (Beijing time).
    pub on: NaiveDate,
    /// What.
    pub action: ActionKind,
    /// Who.
    pub actor: ActorRef,
    /// The state before (none for the opening step).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<CaseState>,
    /// The state after.
    pub to: CaseState,
    /// The action's data, free of personal data.
    pub data: serde_json::Value,
    /// What it did to the clocks.
    #[serde(default)]
    pub clocks: Vec<ClockChange>,
}

/// The time of a step: the instant, and the local (Beijing) date and time, which the caller
/// computes (the core knows no time zones).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StepTime {
    /// The instant.
    pub at: DateTime<Utc>,
    /// The local date and time.
    pub local: NaiveDateTime,
}

impl StepTime {
    /// The local date.
    pub fn on(&self) -> NaiveDate {
        self.local.date()
    }
}

/// 新办件 — what opens a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCase {
    /// Its id.
    pub id: CaseId,
    /// Its receipt number.
    pub receipt: ReceiptNo,
    /// The item.
    pub item: CaseItem,
    /// The applicant or party.
    pub applicant: Applicant,
    /// How it came in.
    pub channel: Channel,
    /// The receiving unit.
    pub unit: UnitId,
    /// How it holds the power (the authority index's answer).
    pub exercise: Exercise,
}

/// Why a step was refused. Each names the rule, and the article where there is one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaseError {
    /// The action is not part of this procedure in this state.
    #[error("{action:?} is not allowed in state {state:?} of a {procedure:?} case")]
    NotAllowed {
        /// The action.
        action: ActionKind,
        /// The state.
        state: CaseState,
        /// The procedure.
        procedure: ProcedureKind,
    },
    /// The actor may not take it.
    #[error("{action:?} may not be taken by this actor: {why}")]
    NotPermitted {
        /// The action.
        action: ActionKind,
        /// Why (English).
        why: &'static str,
        /// Why (Chinese).
        why_zh: String,
    },
    /// A unit that does not decide tried to decide.
    #[error("the unit only {exercise:?}: the decision is the department's")]
    NoPowerToDecide {
        /// How the unit holds the power.
        exercise: Exercise,
        /// The department that decides.
        department: UnitId,
    },
    /// A rule of law refuses the step.
    #[error("{rule}: {detail}")]
    Unlawful {
        /// A stable rule name (`one_correction_notice` …).
        rule: &'static str,
        /// The article.
        article: &'static str,
        /// English detail.
        detail: String,
        /// Chinese message.
        zh: String,
    },
    /// A required field is empty.
    #[error("{field} must not be empty")]
    Missing {
        /// The field.
        field: &'static str,
        /// Its Chinese name.
        zh: &'static str,
    },
}

impl CaseError {
    /// The message in Chinese, for end users.
    pub fn zh(&self) -> String {
        match self {
            CaseError::NotAllowed { action, state, procedure } => {
                format!("{}办件在“{}”状态下不能“{}”", procedure.zh(), state.zh(), action.zh())
            }
            CaseError::NotPermitted { action, why_zh, .. } => {
                format!("无权“{}”：{why_zh}", action.zh())
            }
            CaseError::NoPowerToDecide { exercise, .. } => format!(
                "本单位对该事项为“{}”，无权作出决定，应转报赋权部门决定（法无授权不可为）",
                exercise.zh()
            ),
            CaseError::Unlawful { zh, .. } => zh.clone(),
            CaseError::Missing { zh, .. } => format!("“{zh}”不能为空"),
        }
    }

    /// The stable rule name, for the error table's detail.
    pub fn rule(&self) -> &'static str {
        match self {
            CaseError::NotAllowed { .. } => "action_not_allowed",
            CaseError::NotPermitted { .. } => "actor_not_permitted",
            CaseError::NoPowerToDecide { .. } => "no_power_to_decide",
            CaseError::Unlawful { rule, .. } => rule,
            CaseError::Missing { .. } => "missing_field",
        }
    }
}

fn unlawful(rule: &'static str, article: &'static str, detail: String, zh: String) -> CaseError {
    CaseError::Unlawful { rule, article, detail, zh }
}

fn require(text: &str, field: &'static str, zh: &'static str) -> Result<(), CaseError> {
    if text.trim().is_empty() { Err(CaseError::Missing { field, zh }) } else { Ok(()) }
}

fn two_officers(officers: &[CertificateNo], article: &'static str) -> Result<(), CaseError> {
    let mut distinct: Vec<&str> = officers.iter().map(CertificateNo::as_str).collect();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() < 2 {
        return Err(unlawful(
            "two_certified_officers",
            article,
            format!("{} distinct certified officers; at least two are required", distinct.len()),
            format!("{article}：执法人员不得少于两人并应出示执法证件（本次{}人）", distinct.len()),
        ));
    }
    Ok(())
}

impl Case {
    /// Opens a case (申请 or 立案) on `time`, starting the opening clocks.
    pub fn open(
        new: NewCase,
        actor: &Actor,
        time: StepTime,
        calendar: &WorkCalendar,
        rules: &CaseRules,
    ) -> Result<(Case, CaseStep), CaseError> {
        let procedure_kind = ProcedureKind::of(new.item.category);
        let procedure = procedure_kind.procedure();
        let opening = procedure.opening();
        let ex_officio = !procedure_kind.on_application();
        if ex_officio != matches!(new.channel, Channel::ExOfficio) {
            return Err(unlawful(
                "wrong_channel",
                "",
                format!(
                    "a {procedure_kind:?} case is opened {}",
                    if ex_officio { "ex officio" } else { "on application" }
                ),
                if ex_officio {
                    format!("{}依职权立案，不能由申请人申请", procedure_kind.zh())
                } else {
                    format!("{}依申请办理，应通过受理渠道申请", procedure_kind.zh())
                },
            ));
        }
        if procedure_kind == ProcedureKind::CoerciveMeasure
            && matches!(new.exercise, Exercise::InNameOf { .. })
        {
            return Err(unlawful(
                "measure_not_entrusted",
                "行政强制法第十七条",
                "coercive measures cannot be exercised by entrustment".into(),
                "行政强制法第十七条：行政强制措施权不得委托".into(),
            ));
        }
        let deciding_unit = match new.exercise {
            Exercise::OwnName | Exercise::Cooperate { .. } => new.unit,
            Exercise::InNameOf { department }
            | Exercise::ReviewOnly { department }
            | Exercise::AcceptOnly { department } => department,
        };
        if let Exercise::Cooperate { lead } = new.exercise {
            return Err(unlawful(
                "cooperating_unit_cannot_handle",
                "",
                "a cooperating unit does not handle the case; the lead unit does".into(),
                format!("本单位对该事项为配合履职，应由牵头单位（{lead}）受理办理"),
            ));
        }
        let mut case = Case {
            id: new.id,
            receipt: new.receipt,
            procedure: procedure_kind,
            item: new.item,
            party: new.applicant.party(),
            trips: u8::from(new.channel.is_trip()),
            channel: new.channel,
            receiving_unit: new.unit,
            handling_unit: new.unit,
            exercise: new.exercise,
            deciding_unit,
            review_mode: None,
            state: procedure.start,
            received_at: time.at,
            received_on: time.on(),
            clocks: Vec::new(),
            alert: Alert::Green,
            correction_requested: false,
            missing_promised: None,
            officers: Vec::new(),
            legally_checked: false,
            hearing_waived: false,
            outcome: None,
            tasks: Vec::new(),
            handler: None,
            steps: 0,
        };
        check_taker(&case, opening, actor)?;
        case.handler = case.handler_after(actor);
        let mut changes = Vec::new();
        case.run_effects(opening.clocks, time.on(), calendar, rules, None, &mut changes);
        case.steps = 1;
        case.alert = case.alert_on(time.on(), calendar, rules);
        let step = CaseStep {
            n: 1,
            at: time.at,
            on: time.on(),
            action: opening.action,
            actor: actor.recorded(),
            from: None,
            to: case.state,
            data: serde_json::json!({ "channel": case.channel }),
            clocks: changes,
        };
        Ok((case, step))
    }

    /// The procedure's definition.
    pub fn procedure_def(&self) -> &'static Procedure {
        self.procedure.procedure()
    }

    /// Applies one action; returns the case after it and the step's record. Nothing changes
    /// when it is refused.
    pub fn apply(
        &self,
        command: &CaseCommand,
        actor: &Actor,
        time: StepTime,
        calendar: &WorkCalendar,
        rules: &CaseRules,
    ) -> Result<(Case, CaseStep), CaseError> {
        let action = command.kind();
        let procedure = self.procedure_def();
        let transition = procedure.transition(action, self.state).ok_or(CaseError::NotAllowed {
            action,
            state: self.state,
            procedure: self.procedure,
        })?;
        check_taker(self, transition, actor)?;
        let on = time.on();
        let mut next = self.clone();
        let mut changes = Vec::new();
        let mut action_period = None;
        next.check_and_record(
            command,
            actor,
            time,
            calendar,
            rules,
            &mut changes,
            &mut action_period,
        )?;
        next.run_effects(transition.clocks, on, calendar, rules, action_period, &mut changes);
        if let Some(to) = transition.to {
            next.state = to;
        }
        next.handler = if next.handling_unit == self.handling_unit {
            next.handler_after(actor).or(self.handler)
        } else {
            // Moved to another unit (转办, forwarded to the county, 退回): nobody there has
            // acted yet.
            next.handler_after(actor)
        };
        if next.state.is_final() {
            // Whatever still runs ends with the case.
            for clock in next.clocks.iter_mut().filter(|c| c.stopped.is_none()) {
                clock.stopped = Some(on);
                changes.push(ClockChange::Stopped {
                    clock: clock.kind,
                    on_time: on <= clock.due.date,
                });
            }
        }
        next.steps += 1;
        next.alert = next.alert_on(on, calendar, rules);
        let mut data = command.public_data();
        // 补齐容缺材料 records the day promised and whether the material came by then.
        if let CaseCommand::MissingSupplied { supplied_on, .. } = command
            && let Some((_, promised)) = &self.missing_promised
            && let Some(fields) = data.as_object_mut()
        {
            fields.insert("promised".into(), serde_json::json!(promised));
            fields.insert("on_time".into(), serde_json::json!(supplied_on <= promised));
        }
        let step = CaseStep {
            n: next.steps,
            at: time.at,
            on,
            action,
            actor: actor.recorded(),
            from: Some(self.state),
            to: next.state,
            data,
            clocks: changes,
        };
        Ok((next, step))
    }

    /// The handler after `actor` acted: a member of staff of the handling unit, else `None`.
    fn handler_after(&self, actor: &Actor) -> Option<UserId> {
        match actor {
            Actor::Staff { user, unit, .. } if *unit == self.handling_unit => Some(*user),
            _ => None,
        }
    }

    /// The worst alert level on `on` of its administration clocks and of its cooperating
    /// units' open tasks (a late task holds the case up, so the case shows it).
    pub fn alert_on(&self, on: NaiveDate, calendar: &WorkCalendar, rules: &CaseRules) -> Alert {
        let clocks = self
            .clocks
            .iter()
            .filter(|c| c.kind.binds_administration())
            .map(|c| c.alert(on, rules.yellow_permille, calendar));
        let tasks = self.open_tasks().map(|t| t.alert(on, rules.yellow_permille, calendar));
        clocks.chain(tasks).max().unwrap_or(Alert::Green)
    }

    /// Tasks of cooperating units still to be done (none once the case ended).
    pub fn open_tasks(&self) -> impl Iterator<Item = &Task> {
        let open = !self.state.is_final();
        self.tasks.iter().filter(move |t| open && t.is_open())
    }

    /// Open tasks past their deadline on `on`, for 督办 records of their units.
    pub fn late_tasks(&self, on: NaiveDate) -> impl Iterator<Item = &Task> {
        self.open_tasks().filter(move |t| on > t.due.date)
    }

    /// The next day after `on` on which the scheduler has something to record (for its
    /// index): the case's alert level rises (its worst running administration clock or open
    /// task turns yellow or red), the first of its clocks turns red (a 督办 for the unit
    /// that has the case), a task turns red (a 督办 for its cooperating unit), or the day
    /// promised for 容缺 material has passed. `None` when the case has ended or none of these
    /// is ahead.
    ///
    /// Days on which nothing would be recorded are skipped: a second clock or a task turning
    /// yellow on a case already yellow or red, and a clock turning red after another one is
    /// late already (the 督办 names the clock furthest behind, which stays the same). The
    /// level only rises while no step is taken, and every step computes this again.
    pub fn next_alert_on(
        &self,
        on: NaiveDate,
        calendar: &WorkCalendar,
        rules: &CaseRules,
    ) -> Option<NaiveDate> {
        if self.state.is_final() {
            return None;
        }
        let yellow = rules.yellow_permille;
        // (yellow day, red day, is a clock) of everything that sets the case's level.
        let clocks = self
            .clocks
            .iter()
            .filter(|c| c.kind.binds_administration() && c.is_running())
            .map(|c| (c.yellow_from(yellow, calendar), c.red_from(), true));
        let tasks =
            self.open_tasks().map(|t| (t.yellow_from(yellow, calendar), t.red_from(), false));
        let marks: Vec<(NaiveDate, NaiveDate, bool)> = clocks.chain(tasks).collect();
        let level = |day: NaiveDate| {
            marks
                .iter()
                .map(|&(y, r, _)| {
                    if day >= r {
                        Alert::Red
                    } else if day >= y {
                        Alert::Yellow
                    } else {
                        Alert::Green
                    }
                })
                .max()
                .unwrap_or(Alert::Green)
        };
        let now = level(on);
        let ahead = |day: &NaiveDate| *day > on;
        // The level rises on the first yellow or red day ahead (green now), or on the first
        // red day ahead (yellow now); a red case's level cannot rise.
        let rises = match now {
            Alert::Green => marks.iter().flat_map(|&(y, r, _)| [y, r]).filter(ahead).min(),
            Alert::Yellow => marks.iter().map(|&(_, r, _)| r).filter(ahead).min(),
            Alert::Red => None,
        };
        // The first clock to turn red, while none is: its 督办 (on a case red by a task).
        let clock_late = marks.iter().any(|&(_, r, clock)| clock && on >= r);
        let first_clock_red = (!clock_late)
            .then(|| marks.iter().filter(|m| m.2).map(|m| m.1).filter(ahead).min())
            .flatten();
        // Each task turning red: its own 督办.
        let task_red = marks.iter().filter(|m| !m.2).map(|m| m.1).filter(ahead).min();
        // 容缺受理: the day after the one promised for the missing material, when the promise
        // becomes broken unless it was kept.
        let promise = self
            .missing_promised
            .as_ref()
            .filter(|(_, day)| on <= *day)
            .and_then(|(_, day)| day.succ_opt());
        // 逾期未告知补正: the day a licensing application unanswered is deemed accepted.
        let deemed = self.unanswered_intake().map(Clock::red_from).filter(ahead).min();
        [rises, first_clock_red, task_red, promise, deemed].into_iter().flatten().min()
    }

    /// 逾期未告知补正 (行政许可法第三十二条): a licensing application still unanswered on `on`,
    /// its notice period over; the scheduler then deems it accepted from the day of receipt.
    pub fn acceptance_overdue(&self, on: NaiveDate) -> bool {
        self.unanswered_intake().any(|c| on > c.due.date)
    }

    /// The running intake clock of a licensing application not yet answered: when it runs out
    /// the application is deemed accepted (行政许可法第三十二条).
    fn unanswered_intake(&self) -> impl Iterator<Item = &Clock> {
        let unanswered =
            self.state == CaseState::Submitted && self.procedure == ProcedureKind::Licensing;
        self.clocks
            .iter()
            .filter(move |c| unanswered && c.kind == ClockKind::Intake && c.is_running())
    }

    /// 按期办结 — once the case has ended, whether every clock that runs on the
    /// administration's time stopped by its deadline (a pause or an extension already moved
    /// the deadline; the party's own periods — 申请听证, 催告 — are not the unit's lateness);
    /// `None` while it is open.
    pub fn ended_on_time(&self) -> Option<bool> {
        self.state.is_final().then(|| {
            self.clocks
                .iter()
                .filter(|c| c.kind.binds_administration())
                .all(|c| c.stopped.is_none_or(|day| day <= c.due.date))
        })
    }

    /// Whether anything calls for a 督办 on `on`: a running administration clock or an open
    /// task past its deadline (nothing once the case has ended).
    pub fn has_late(&self, on: NaiveDate) -> bool {
        !self.state.is_final()
            && (self.most_late_clock(on).is_some() || self.late_tasks(on).next().is_some())
    }

    /// The running administration clock that is furthest behind, for a 督办 record.
    pub fn most_late_clock(&self, on: NaiveDate) -> Option<&Clock> {
        self.clocks
            .iter()
            .filter(|c| c.kind.binds_administration() && c.is_running() && on > c.due.date)
            .min_by_key(|c| c.due.date)
    }

    /// 定期审批: the next session on or after `on` that can decide the case, while it waits for
    /// its decision (an item decided on set days only).
    pub fn next_session(&self, on: NaiveDate, calendar: &WorkCalendar) -> Option<NaiveDate> {
        let sessions = self.item.session_days.as_ref()?;
        (!self.state.is_final() && self.outcome.is_none())
            .then(|| sessions.next_on_or_after(on, calendar).date)
    }

    /// Whether any deadline is provisional (computed into a year without calendar data).
    pub fn has_provisional_deadline(&self) -> bool {
        self.clocks.iter().any(|c| c.stopped.is_none() && c.due.provisional)
    }

    /// Recomputes every running clock's deadline with `calendar` (a year was loaded); the step
    /// records each deadline that moved. `None` when nothing moved.
    pub fn recompute(
        &self,
        time: StepTime,
        calendar: &WorkCalendar,
        rules: &CaseRules,
    ) -> Option<(Case, CaseStep)> {
        let mut next = self.clone();
        let mut changes = Vec::new();
        for clock in next.clocks.iter_mut().filter(|c| c.stopped.is_none()) {
            let was = clock.due;
            clock.recompute(calendar);
            if clock.due != was {
                changes.push(ClockChange::Recomputed {
                    clock: clock.kind,
                    was: was.date,
                    due: clock.due.date,
                    provisional: clock.due.provisional,
                });
            }
        }
        if changes.is_empty() {
            return None;
        }
        next.steps += 1;
        next.alert = next.alert_on(time.on(), calendar, rules);
        let step = CaseStep {
            n: next.steps,
            at: time.at,
            on: time.on(),
            action: ActionKind::Recompute,
            actor: ActorRef::System,
            from: Some(self.state),
            to: next.state,
            data: serde_json::json!({}),
            clocks: changes,
        };
        Some((next, step))
    }

    fn clock_mut(&mut self, kind: ClockKind) -> Option<&mut Clock> {
        self.clocks.iter_mut().rev().find(|c| c.kind == kind)
    }

    fn clock(&self, kind: ClockKind) -> Option<&Clock> {
        self.clocks.iter().rev().find(|c| c.kind == kind)
    }

    /// The length of a clock for this case, when it has one.
    fn length(
        &self,
        limit: &Limit,
        rules: &CaseRules,
        from_action: Option<Period>,
    ) -> Option<Period> {
        let category = self.item.category;
        match limit.length {
            LimitSource::Fixed(p) => Some(p),
            LimitSource::ItemStatutoryOr(p) => {
                Some(self.item.statutory_limit.map_or(p, |l| period_of(category, l)))
            }
            LimitSource::ItemStatutory => self.item.statutory_limit.map(|l| period_of(category, l)),
            LimitSource::ItemCommitted => self.item.committed_limit.map(|l| period_of(category, l)),
            LimitSource::PenaltyDecision => Some(rules.penalty_decision),
            LimitSource::Action => from_action,
        }
    }

    fn run_effects(
        &mut self,
        effects: &[ClockEffect],
        on: NaiveDate,
        calendar: &WorkCalendar,
        rules: &CaseRules,
        from_action: Option<Period>,
        changes: &mut Vec<ClockChange>,
    ) {
        let procedure = self.procedure_def();
        for effect in effects {
            match *effect {
                ClockEffect::Start(kind) | ClockEffect::StartFromReceipt(kind) => {
                    let Some(limit) = procedure.limit(kind) else { continue };
                    // The pre-review clock is the lower level's part (许可法第四十三条): only
                    // where the unit reviews for a department that decides.
                    if kind == ClockKind::PreReview
                        && !matches!(
                            self.exercise,
                            Exercise::ReviewOnly { .. } | Exercise::AcceptOnly { .. }
                        )
                    {
                        continue;
                    }
                    let Some(period) = self.length(limit, rules, from_action) else { continue };
                    let start = match effect {
                        ClockEffect::StartFromReceipt(_) => self.received_on,
                        _ => on,
                    };
                    let clock =
                        Clock::start(kind, limit.basis, start, period, limit.pausable, calendar);
                    changes.push(ClockChange::Started {
                        clock: kind,
                        due: clock.due.date,
                        provisional: clock.due.provisional,
                        basis: limit.basis.to_owned(),
                    });
                    // A restarted clock (补正后重新起算) replaces the stopped one of its kind.
                    self.clocks.retain(|c| {
                        !(c.kind == kind && c.stopped.is_some() && kind == ClockKind::Intake)
                    });
                    self.clocks.push(clock);
                }
                ClockEffect::Stop(kind) => {
                    if let Some(clock) = self.clock_mut(kind).filter(|c| c.stopped.is_none()) {
                        // A clock stopped while paused closes its pause on the same day.
                        if let Some(pause) = clock.pauses.last_mut().filter(|p| p.until.is_none()) {
                            pause.until = Some(on);
                        }
                        clock.stopped = Some(on);
                        changes.push(ClockChange::Stopped {
                            clock: kind,
                            on_time: on <= clock.due.date,
                        });
                    }
                }
            }
        }
    }

    /// Checks the action's own rules and records its facts on `self` (the clone being built).
    #[allow(clippy::too_many_arguments)]
    fn check_and_record(
        &mut self,
        command: &CaseCommand,
        actor: &Actor,
        time: StepTime,
        calendar: &WorkCalendar,
        rules: &CaseRules,
        changes: &mut Vec<ClockChange>,
        action_period: &mut Option<Period>,
    ) -> Result<(), CaseError> {
        let on = time.on();
        match command {
            CaseCommand::Accept { missing, promised } => {
                match (missing.iter().any(|m| !m.trim().is_empty()), promised) {
                    (false, None) => {}
                    (true, Some(day)) if *day > on => {
                        self.missing_promised = Some((missing.clone(), *day));
                    }
                    (true, Some(_)) => {
                        return Err(unlawful(
                            "missing_promise_in_past",
                            "",
                            "the promised day for missing material must be after today".into(),
                            "容缺受理承诺补齐材料的日期应晚于受理当日".into(),
                        ));
                    }
                    (true, None) | (false, Some(_)) => {
                        return Err(unlawful(
                            "missing_needs_promise",
                            "",
                            "容缺受理 needs both the missing material and the day it is promised"
                                .into(),
                            "容缺受理须同时写明所缺材料和承诺补齐日期".into(),
                        ));
                    }
                }
            }
            CaseCommand::Refuse { reason, not_competent, competent_unit } => {
                require(reason, "reason", "不予受理理由")?;
                if *not_competent && competent_unit.is_none() {
                    return Err(unlawful(
                        "competent_unit_required",
                        "行政许可法第三十二条",
                        "refusing for lack of competence must name the competent unit".into(),
                        "行政许可法第三十二条：申请事项不属于本机关职权范围的，应当即时作出不予受理的决定，并告知申请人向有关行政机关申请（须写明有权机关）".into(),
                    ));
                }
            }
            CaseCommand::RequestCorrection { missing } => {
                if missing.iter().all(|m| m.trim().is_empty()) {
                    return Err(CaseError::Missing {
                        field: "missing", zh: "需要补正的全部内容"
                    });
                }
                if self.correction_requested {
                    return Err(unlawful(
                        "one_correction_notice",
                        "行政许可法第三十二条",
                        "everything missing must be told in one notice; a second notice is not allowed".into(),
                        "行政许可法第三十二条：申请材料不齐全的，应当一次告知申请人需要补正的全部内容，不得再次要求补正".into(),
                    ));
                }
                if let Some(intake) = self.clock(ClockKind::Intake).filter(|c| on > c.due.date) {
                    return Err(unlawful(
                        "correction_too_late",
                        "行政许可法第三十二条",
                        format!(
                            "the 5-working-day notice period ended on {}; the case counts as accepted",
                            intake.due.date
                        ),
                        format!(
                            "行政许可法第三十二条：逾期不告知补正的，自收到申请材料之日起即为受理（告知期限至{}）",
                            intake.due.date
                        ),
                    ));
                }
                self.correction_requested = true;
            }
            CaseCommand::SupplyMaterials { in_person } => {
                if *in_person {
                    self.trips = self.trips.saturating_add(1);
                }
            }
            CaseCommand::DeemAccepted => {
                let due = self.clock(ClockKind::Intake).map(|c| c.due.date);
                if due.is_none_or(|d| on <= d) {
                    return Err(unlawful(
                        "not_yet_deemed_accepted",
                        "行政许可法第三十二条",
                        "the notice period has not ended".into(),
                        "补正告知期限尚未届满，不能视为受理".into(),
                    ));
                }
            }
            CaseCommand::DecideOnTheSpot { outcome } => {
                if self.procedure == ProcedureKind::Penalty {
                    let limit = if self.party.person {
                        rules.summary_fine_person
                    } else {
                        rules.summary_fine_organisation
                    };
                    let fine = match outcome {
                        Outcome::Penalty { fine_yuan, .. } => fine_yuan.unwrap_or(0),
                        _ => {
                            return Err(unlawful(
                                "summary_needs_penalty",
                                "行政处罚法第五十一条",
                                "the summary procedure decides a warning or a small fine".into(),
                                "行政处罚法第五十一条：当场处罚限于警告或小额罚款".into(),
                            ));
                        }
                    };
                    if fine > limit {
                        return Err(unlawful(
                            "summary_fine_too_high",
                            "行政处罚法第五十一条",
                            format!("a fine of {fine} yuan exceeds the summary limit of {limit}"),
                            format!(
                                "行政处罚法第五十一条：当场处罚的罚款，{}不得超过{limit}元（本次{fine}元），应适用普通程序",
                                if self.party.person {
                                    "对公民"
                                } else {
                                    "对法人或者其他组织"
                                }
                            ),
                        ));
                    }
                } else if !self.item.is_immediate() {
                    return Err(unlawful(
                        "not_immediate",
                        "",
                        "only an immediate item (即办件) is decided on the spot".into(),
                        "该事项不是即办件，不能当场办结".into(),
                    ));
                } else if !self.exercise.decides() {
                    return Err(CaseError::NoPowerToDecide {
                        exercise: self.exercise,
                        department: self.deciding_unit,
                    });
                }
                check_outcome(self.procedure, outcome)?;
                self.outcome = Some(outcome.clone());
            }
            CaseCommand::Pause { reason, note, notified_in_writing } => {
                require(note, "note", "中止计时说明")?;
                let procedure = self.procedure_def();
                if let Some(allowed) = procedure.pause_reasons
                    && !allowed.contains(reason)
                {
                    return Err(unlawful(
                        "pause_reason_not_allowed",
                        "行政许可法第四十五条",
                        format!("{reason:?} is not a special procedure whose time is excluded"),
                        "行政许可法第四十五条：只有听证、招标、拍卖、检验、检测、检疫、鉴定和专家评审所需时间不计算在期限内".into(),
                    ));
                }
                if self.procedure == ProcedureKind::Licensing && !notified_in_writing {
                    return Err(unlawful(
                        "pause_needs_written_notice",
                        "行政许可法第四十五条",
                        "the applicant must be told the excluded time in writing".into(),
                        "行政许可法第四十五条：所需时间应当书面告知申请人".into(),
                    ));
                }
                let mut paused = 0;
                for clock in self.clocks.iter_mut().filter(|c| c.pausable && c.is_running()) {
                    clock.pauses.push(Pause { from: on, until: None, reason: *reason });
                    changes.push(ClockChange::Paused { clock: clock.kind, reason: *reason });
                    paused += 1;
                }
                if paused == 0 {
                    return Err(unlawful(
                        "nothing_to_pause",
                        "",
                        "no running clock can be paused".into(),
                        "没有正在计时且可中止的期限".into(),
                    ));
                }
            }
            CaseCommand::Resume => {
                let mut resumed = 0;
                for clock in self.clocks.iter_mut().filter(|c| c.is_paused() && c.stopped.is_none())
                {
                    if let Some(pause) = clock.pauses.last_mut() {
                        pause.until = Some(on);
                    }
                    clock.recompute(calendar);
                    changes.push(ClockChange::Resumed { clock: clock.kind, due: clock.due.date });
                    resumed += 1;
                }
                if resumed == 0 {
                    return Err(unlawful(
                        "not_paused",
                        "",
                        "no clock is paused".into(),
                        "当前没有中止计时的期限".into(),
                    ));
                }
            }
            CaseCommand::Extend { reason } => {
                require(reason, "reason", "延长理由")?;
                let procedure = self.procedure_def();
                let extendable = procedure
                    .limits
                    .iter()
                    .filter_map(|l| l.extension.map(|e| (l.clock, e, l.basis)))
                    .collect::<Vec<_>>();
                let mut extended = 0;
                for (kind, period, basis) in extendable {
                    let Some(clock) = self.clock_mut(kind).filter(|c| c.stopped.is_none()) else {
                        continue;
                    };
                    if clock.extension.is_some() {
                        return Err(unlawful(
                            "extended_once",
                            basis,
                            "the period may be extended once".into(),
                            format!("{basis}：期限只能延长一次"),
                        ));
                    }
                    clock.extension = Some(Extension { period, reason: reason.clone(), on });
                    clock.recompute(calendar);
                    changes.push(ClockChange::Extended { clock: kind, due: clock.due.date });
                    extended += 1;
                }
                if extended == 0 {
                    return Err(unlawful(
                        "not_extendable",
                        "",
                        "no running clock of this procedure may be extended".into(),
                        "该程序没有可以延长的期限".into(),
                    ));
                }
            }
            CaseCommand::Forward { opinion, mode } => {
                require(opinion, "opinion", "审查意见")?;
                match self.exercise {
                    Exercise::ReviewOnly { department } => {
                        let Some(mode) = mode else {
                            return Err(CaseError::Missing {
                                field: "mode",
                                zh: "审批方式（见文行文或见章盖章）",
                            });
                        };
                        self.review_mode = Some(*mode);
                        self.handling_unit = department;
                    }
                    Exercise::AcceptOnly { department } => {
                        self.handling_unit = department;
                    }
                    _ => {
                        return Err(unlawful(
                            "forward_not_needed",
                            "",
                            "the unit decides this power itself".into(),
                            "本单位对该事项有决定权，无需转报".into(),
                        ));
                    }
                }
            }
            CaseCommand::Return { reason } => {
                require(reason, "reason", "退回理由")?;
                self.handling_unit = self.receiving_unit;
            }
            CaseCommand::Investigate { officers } => {
                two_officers(officers, "行政处罚法第四十二条")?;
                self.officers = officers.clone();
            }
            CaseCommand::Notify { content } => require(content, "content", "告知内容")?,
            CaseCommand::RequestHearing => {
                if let Some(c) = self.clock(ClockKind::HearingRequest).filter(|c| on > c.due.date) {
                    return Err(unlawful(
                        "hearing_request_late",
                        "行政处罚法第六十四条",
                        format!("the hearing had to be requested by {}", c.due.date),
                        format!(
                            "行政处罚法第六十四条：当事人应当在被告知后五日内提出听证要求（截止{}）",
                            c.due.date
                        ),
                    ));
                }
            }
            CaseCommand::WaiveHearing => self.hearing_waived = true,
            CaseCommand::HoldHearing { record } => require(record, "record", "听证笔录")?,
            CaseCommand::LegalCheck { opinion } => {
                require(opinion, "opinion", "法制审核意见")?;
                self.legally_checked = true;
            }
            CaseCommand::ApplyMeasure { officers, record } => {
                two_officers(officers, "行政强制法第十八条")?;
                require(record, "record", "现场笔录")?;
                self.officers = officers.clone();
            }
            CaseCommand::LiftMeasure { reason } => require(reason, "reason", "解除理由")?,
            CaseCommand::Demand { period, content } => {
                require(content, "content", "催告内容")?;
                *action_period = Some(*period);
            }
            CaseCommand::Decide { outcome, major } => {
                self.check_decide(*major, on, calendar)?;
                check_outcome(self.procedure, outcome)?;
                self.outcome = Some(outcome.clone());
            }
            CaseCommand::Deliver { method, in_person } => {
                require(method, "method", "送达方式")?;
                if *in_person {
                    self.trips = self.trips.saturating_add(1);
                }
            }
            CaseCommand::Execute { at_local, emergency } => {
                if self.procedure == ProcedureKind::CoerciveEnforcement && !emergency {
                    let night = at_local.hour() >= 22 || at_local.hour() < 6;
                    let day_off = !calendar.counts_as_working_day(at_local.date());
                    if night || day_off {
                        return Err(unlawful(
                            "no_enforcement_at_night_or_holiday",
                            "行政强制法第四十三条",
                            format!("enforcement at {at_local} is at night or on a day off"),
                            "行政强制法第四十三条：行政机关不得在夜间或者法定节假日实施行政强制执行（情况紧急的除外）".into(),
                        ));
                    }
                }
            }
            CaseCommand::Close => {}
            CaseCommand::Withdraw { .. } => {}
            CaseCommand::Countersign { opinion } => require(opinion, "opinion", "会签意见")?,
            CaseCommand::Transfer { to, exercise, deciding_unit, reason } => {
                require(reason, "reason", "转办理由")?;
                if *to == self.handling_unit {
                    return Err(unlawful(
                        "transfer_to_self",
                        "",
                        "a case is transferred to another unit".into(),
                        "不能转办给本单位".into(),
                    ));
                }
                self.receiving_unit = *to;
                self.handling_unit = *to;
                self.exercise = *exercise;
                self.deciding_unit = *deciding_unit;
            }
            CaseCommand::Urge { note } => require(note, "note", "催办内容")?,
            CaseCommand::Supervise { note } => require(note, "note", "督办内容")?,
            CaseCommand::AssignTask { task, unit, description, period } => {
                require(description, "description", "配合任务内容")?;
                if self.tasks.iter().any(|t| t.id == *task) {
                    return Err(unlawful(
                        "task_exists",
                        "",
                        "the task id is taken".into(),
                        "配合任务已存在".into(),
                    ));
                }
                self.tasks.push(Task {
                    id: *task,
                    unit: *unit,
                    description: description.clone(),
                    due: calendar.deadline(on, *period),
                    assigned_on: Some(on),
                    done: None,
                });
            }
            CaseCommand::CompleteTask { task, result } => {
                require(result, "result", "配合结果")?;
                let unit = match actor {
                    Actor::Staff { unit, .. } => Some(*unit),
                    _ => None,
                };
                let Some(t) = self.tasks.iter_mut().find(|t| t.id == *task) else {
                    return Err(unlawful(
                        "task_not_found",
                        "",
                        "no such task in this case".into(),
                        "本办件没有该配合任务".into(),
                    ));
                };
                if Some(t.unit) != unit {
                    return Err(CaseError::NotPermitted {
                        action: ActionKind::CompleteTask,
                        why: "only the cooperating unit completes its task",
                        why_zh: "配合任务只能由承担任务的配合单位办结".into(),
                    });
                }
                if t.done.is_some() {
                    return Err(unlawful(
                        "task_done",
                        "",
                        "the task is done already".into(),
                        "该配合任务已办结".into(),
                    ));
                }
                t.done = Some((on, result.clone()));
            }
            CaseCommand::MissingSupplied { names, supplied_on } => {
                self.check_missing_supplied(names, *supplied_on, on)?;
                self.missing_promised = None;
            }
            CaseCommand::Recompute | CaseCommand::Alert { .. } => {}
        }
        Ok(())
    }

    /// 补齐容缺材料: there is a promise, `names` are exactly the materials promised, and the
    /// last of them was not filed after the step's day.
    fn check_missing_supplied(
        &self,
        names: &[String],
        supplied_on: NaiveDate,
        on: NaiveDate,
    ) -> Result<(), CaseError> {
        let Some((promised, _)) = &self.missing_promised else {
            return Err(unlawful(
                "nothing_promised",
                "",
                "no material was accepted as missing (容缺受理), or it was supplied already".into(),
                "本办件没有待补齐的容缺材料".into(),
            ));
        };
        let set = |list: &[String]| -> std::collections::BTreeSet<String> {
            list.iter().map(|n| n.trim()).filter(|n| !n.is_empty()).map(str::to_owned).collect()
        };
        if set(names) != set(promised) {
            return Err(unlawful(
                "missing_supplied_mismatch",
                "",
                format!("supplied {names:?}, promised {promised:?}"),
                format!(
                    "补齐的材料（{}）与容缺受理的材料（{}）不一致",
                    names.join("、"),
                    promised.join("、")
                ),
            ));
        }
        if supplied_on > on {
            return Err(unlawful(
                "supplied_in_future",
                "",
                format!("material supplied on {supplied_on} is recorded on {on}"),
                format!("补齐日期{supplied_on}晚于记录日期{on}"),
            ));
        }
        Ok(())
    }

    /// 容缺受理 overdue: the day promised for the missing material has passed on `on` and the
    /// promise is still open (no 补齐容缺材料 step cleared it).
    pub fn missing_overdue(&self, on: NaiveDate) -> bool {
        !self.state.is_final() && self.missing_promised.as_ref().is_some_and(|(_, day)| on > *day)
    }

    fn check_decide(
        &self,
        major: bool,
        on: NaiveDate,
        calendar: &WorkCalendar,
    ) -> Result<(), CaseError> {
        // 法无授权不可为: only the unit whose name the decision bears decides; a town that only
        // reviews or accepts passes the case on.
        if self.handling_unit != self.deciding_unit {
            return Err(CaseError::NoPowerToDecide {
                exercise: self.exercise,
                department: self.deciding_unit,
            });
        }
        // 定期审批: the item is decided on its published session days only (its clocks ran on
        // meanwhile, so a session after the deadline makes the case late, as it should).
        if let Some(sessions) = &self.item.session_days
            && !sessions.is_session(on, calendar)
        {
            let next = sessions.next_on_or_after(on, calendar).date;
            return Err(unlawful(
                "not_a_session_day",
                "",
                format!("the item is decided on its session days ({sessions}); next {next}"),
                format!("本事项实行定期审批（{sessions}），只在审批日作出决定；下一审批日为{next}"),
            ));
        }
        if let Some(open) = self.tasks.iter().find(|t| t.done.is_none()) {
            return Err(unlawful(
                "cooperation_pending",
                "",
                format!("the task of unit {} is not done", open.unit),
                format!("配合单位的任务“{}”尚未办结，不能作出决定", open.description),
            ));
        }
        match self.procedure {
            ProcedureKind::Penalty => {
                if major && !self.legally_checked {
                    return Err(unlawful(
                        "legal_check_required",
                        "行政处罚法第五十八条",
                        "a major penalty decision needs the legal check first".into(),
                        "行政处罚法第五十八条：重大行政处罚决定作出前须经法制审核，未经审核或审核未通过的不得作出决定".into(),
                    ));
                }
                let window_open = self
                    .clock(ClockKind::HearingRequest)
                    .is_some_and(|c| c.stopped.is_none() && on <= c.due.date);
                if window_open && !self.hearing_waived {
                    return Err(unlawful(
                        "party_rights_pending",
                        "行政处罚法第六十二条",
                        "the party's period to state a defence and ask for a hearing has not ended".into(),
                        "行政处罚法第六十二条：未向当事人告知或者拒绝听取陈述、申辩的，不得作出行政处罚决定（当事人申请听证的期限尚未届满）".into(),
                    ));
                }
            }
            ProcedureKind::CoerciveEnforcement => {
                if let Some(c) = self.clock(ClockKind::Demand).filter(|c| on <= c.due.date) {
                    return Err(unlawful(
                        "demand_period_running",
                        "行政强制法第三十七条",
                        format!("the party may perform until {}", c.due.date),
                        format!(
                            "行政强制法第三十七条：经催告，当事人逾期仍不履行的，方可作出强制执行决定（履行期限至{}）",
                            c.due.date
                        ),
                    ));
                }
            }
            _ => {}
        }
        Ok(())
    }
}

/// The decision's own rules: a refusal gives reasons and remedies (许可法第三十八条), and the
/// kind of outcome fits the procedure.
fn check_outcome(procedure: ProcedureKind, outcome: &Outcome) -> Result<(), CaseError> {
    match outcome {
        Outcome::Denied { reasons, remedies } => {
            if reasons.trim().is_empty() || remedies.trim().is_empty() {
                return Err(unlawful(
                    "denial_needs_reasons",
                    "行政许可法第三十八条",
                    "a denial states its reasons and the right to reconsideration or a lawsuit".into(),
                    "行政许可法第三十八条：作出不予行政许可的书面决定，应当说明理由，并告知申请人享有依法申请行政复议或者提起行政诉讼的权利".into(),
                ));
            }
        }
        Outcome::Penalty { content, .. } => {
            if procedure != ProcedureKind::Penalty {
                return Err(unlawful(
                    "penalty_outside_penalty_procedure",
                    "",
                    "a penalty is decided only in a penalty case".into(),
                    "只有行政处罚办件可以作出处罚决定".into(),
                ));
            }
            require(content, "content", "处罚内容")?;
        }
        Outcome::NoAction { reasons } => require(reasons, "reasons", "理由")?,
        Outcome::Done { summary } => require(summary, "summary", "办理结论")?,
        Outcome::Granted { .. } => {
            if !procedure.on_application() {
                return Err(unlawful(
                    "grant_outside_application",
                    "",
                    "a grant answers an application".into(),
                    "依职权办件不能作出准予决定".into(),
                ));
            }
        }
    }
    Ok(())
}

/// Checks who may take `transition` on `case`.
fn check_taker(case: &Case, transition: &Transition, actor: &Actor) -> Result<(), CaseError> {
    let action = transition.action;
    let refuse =
        |why: &'static str, why_zh: String| Err(CaseError::NotPermitted { action, why, why_zh });
    match (transition.taker, actor) {
        (Taker::Applicant, Actor::Applicant) => Ok(()),
        // Staff record a party's hearing request or waiver made in writing at the window.
        (Taker::Applicant, Actor::Staff { unit, .. })
            if matches!(
                action,
                ActionKind::Apply
                    | ActionKind::RequestHearing
                    | ActionKind::WaiveHearing
                    | ActionKind::SupplyMaterials
            ) && *unit == case.handling_unit =>
        {
            Ok(())
        }
        (Taker::Applicant, _) => {
            refuse("only the applicant may", "只有申请人（当事人）本人可以办理".into())
        }
        (Taker::System, Actor::System) => Ok(()),
        (Taker::System, _) => {
            refuse("only the server takes this step", "该操作由系统自动办理".into())
        }
        (Taker::Staff(roles), Actor::Staff { unit, roles: held, .. }) => {
            let unit_ok = *unit == case.handling_unit
                || (matches!(action, ActionKind::CompleteTask | ActionKind::Countersign)
                    && case.tasks.iter().any(|t| t.unit == *unit))
                || (action == ActionKind::File && *unit == case.receiving_unit);
            if !unit_ok {
                return refuse(
                    "staff act only within their unit",
                    "工作人员只能办理本单位的办件".into(),
                );
            }
            if !held.iter().any(|r| roles.contains(r)) {
                let names: Vec<&str> = roles.iter().map(|r| r.zh()).collect();
                return refuse(
                    "the role table does not allow it",
                    format!("须由{}办理", names.join("或")),
                );
            }
            Ok(())
        }
        (Taker::Staff(_), _) => refuse("staff only", "须由工作人员办理".into()),
        (Taker::Supervisor(roles), Actor::Staff { roles: held, .. }) => {
            if held.iter().any(|r| roles.contains(r)) {
                Ok(())
            } else {
                refuse("supervisors only", "须由监督人员办理".into())
            }
        }
        (Taker::Supervisor(_), _) => refuse("supervisors only", "须由监督人员办理".into()),
    }
}

#[cfg(test)]
mod tests;
