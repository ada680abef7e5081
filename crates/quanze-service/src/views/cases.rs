//! Cases (办件) as the API answers them, and the request bodies of the case service.

use chrono::NaiveDate;
use quanze_core::case::rating::{ComplaintKind, RatingChannel, RatingLevel};
use quanze_core::case::{ActionKind, Alert, Case, CaseRules, CaseStep, Channel, ClockKind};
use quanze_core::{ItemId, UnitId, WorkCalendar};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{ErrorCode, ServiceError, ServiceResult};

/// 申请人 — who applies (or the party of an ex-officio case). The number is an ID number
/// (GB 11643) for a person and a credit code (GB 32100) for an organisation; it is checked,
/// sealed with SM4 and only ever shown masked.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({ "kind": "person", "name": "张三", "number": "11010519491231002X" }))]
pub struct ApplicantInput {
    /// `person` (自然人) or `organisation` (法人或其他组织).
    pub kind: String,
    /// 姓名或名称.
    pub name: String,
    /// 公民身份号码 or 统一社会信用代码.
    pub number: String,
}

/// 办理渠道 as a request gives it.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum ChannelInput {
    /// 网上申请.
    Online,
    /// 窗口申请 (registered by the clerk).
    Window,
    /// 邮寄申请.
    Post,
    /// 流动便民服务点, with its place.
    Mobile {
        /// 服务地点.
        place: String,
    },
}

impl ChannelInput {
    /// The core's channel; a mobile point needs its place.
    pub fn into_channel(self) -> ServiceResult<Channel> {
        Ok(match self {
            ChannelInput::Online => Channel::Online,
            ChannelInput::Window => Channel::Window,
            ChannelInput::Post => Channel::Post,
            ChannelInput::Mobile { place } => {
                let place = place.trim();
                if place.is_empty() {
                    return Err(ServiceError::rejected(
                        ErrorCode::InvalidInput,
                        "流动便民服务须写明服务地点",
                        "a mobile service point needs its place",
                    ));
                }
                Channel::Mobile { place: place.to_owned() }
            }
        })
    }
}

/// 申请 — an application for a power a unit holds.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplyRequest {
    /// The item (事项).
    #[schema(value_type = String, format = Uuid)]
    pub item: ItemId,
    /// The unit applied to.
    #[schema(value_type = String, format = Uuid)]
    pub unit: UnitId,
    /// The applicant.
    pub applicant: ApplicantInput,
    /// How.
    pub channel: ChannelInput,
}

/// 立案 — a case opened ex officio against a party.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FileCaseRequest {
    /// The item (a penalty, a coercive measure, an inspection …).
    #[schema(value_type = String, format = Uuid)]
    pub item: ItemId,
    /// The unit that opens it.
    #[schema(value_type = String, format = Uuid)]
    pub unit: UnitId,
    /// 当事人.
    pub party: ApplicantInput,
}

/// One step on a case: `command` is `{"action": "accept", …}` with the action's fields (see
/// `CaseCommand`); staff may name the unit they act for (a cooperating unit completing its task).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({ "command": { "action": "accept" } }))]
pub struct CaseActionRequest {
    /// The action and its data.
    #[schema(value_type = Object)]
    pub command: quanze_core::case::CaseCommand,
    /// The unit the caller acts for (default: the unit that has the case).
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Uuid)]
    pub as_unit: Option<UnitId>,
}

/// One step the applicant takes (补正, 撤回, 申请听证 …), with the access code.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplicantActionRequest {
    /// The access code given with the receipt.
    pub access_code: String,
    /// The action and its data.
    #[schema(value_type = Object)]
    pub command: quanze_core::case::CaseCommand,
}

/// 评价 — the applicant's rating.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({ "access_code": "ABCD2345EFGH6789", "level": "satisfied", "channel": "online", "comment": "办理快" }))]
pub struct RatingRequest {
    /// The access code given with the receipt.
    pub access_code: String,
    /// `very_satisfied`, `satisfied`, `basic`, `dissatisfied`, `very_dissatisfied`.
    #[schema(value_type = String)]
    pub level: RatingLevel,
    /// `window` (一次一评), `online` (一事一评), `overall` (综合点评).
    #[schema(value_type = String)]
    pub channel: RatingChannel,
    /// Comment (at most 500 characters).
    #[serde(default)]
    pub comment: Option<String>,
}

/// 投诉建议 — about a case (its receipt number), an item of a unit, or a unit.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ComplaintRequest {
    /// `complaint` (投诉), `suggestion` (建议), `report` (举报).
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub kind: Option<ComplaintKind>,
    /// The case's receipt number.
    #[serde(default)]
    pub case: Option<String>,
    /// The item.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Uuid)]
    pub item: Option<ItemId>,
    /// The unit.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Uuid)]
    pub unit: Option<UnitId>,
    /// The text.
    pub text: String,
    /// Name and contact, when the complainant gives them (kept as erasable personal data).
    #[serde(default)]
    pub contact: Option<String>,
    /// Whether the complaint and its reply may be published (never the name).
    #[serde(default)]
    pub publishable: bool,
}

/// One clock of a case as shown: its deadline, whether it is provisional, its alert level.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DeadlineView {
    /// Which clock.
    #[schema(value_type = String)]
    pub clock: ClockKind,
    /// Its Chinese name.
    pub clock_zh: &'static str,
    /// The article or rule.
    pub basis: String,
    /// The day it started.
    pub started: NaiveDate,
    /// The deadline.
    pub due: NaiveDate,
    /// Computed into a year without calendar data: shown as provisional (暂定).
    pub provisional: bool,
    /// Paused now (特别程序).
    pub paused: bool,
    /// Extended (with its reason).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extended: Option<String>,
    /// The day it stopped, when it has.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stopped: Option<NaiveDate>,
    /// Its level today.
    #[schema(value_type = String)]
    pub alert: Alert,
}

/// One step of the timeline, with the ledger leaf that records it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StepView {
    /// The step.
    #[schema(value_type = Object)]
    pub step: CaseStep,
    /// Its action in Chinese.
    pub action_zh: &'static str,
    /// Index of its ledger leaf.
    pub leaf_index: u64,
}

/// 办件 — a case with its deadlines and timeline.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CaseView {
    /// The case (no personal data: the applicant is masked).
    #[schema(value_type = Object)]
    pub case: Case,
    /// Its state in Chinese.
    pub state_zh: &'static str,
    /// Its procedure in Chinese.
    pub procedure_zh: &'static str,
    /// Its worst alert level today.
    #[schema(value_type = String)]
    pub alert: Alert,
    /// Its deadlines.
    pub deadlines: Vec<DeadlineView>,
    /// Whether any running deadline is provisional.
    pub provisional: bool,
    /// 定期审批: the item's session days in Chinese (每周二、周五), when it has them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sessions_zh: Option<String>,
    /// The next session that can decide the case, while it waits for its decision.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_session: Option<NaiveDate>,
    /// The actions its procedure allows now.
    #[schema(value_type = Vec<String>)]
    pub actions: Vec<ActionKind>,
    /// 最多跑一次: whether the trips so far keep to at most one.
    pub at_most_one_trip: bool,
    /// 容缺受理 overdue: the day promised for material accepted as missing (the case's
    /// `missing_promised`) has passed and it is still not all filed (in a step's answer:
    /// judged by the promise alone; GET the case or its materials for what is filed).
    pub missing_overdue: bool,
    /// The timeline.
    pub timeline: Vec<StepView>,
    /// 申请材料 filed with it (in a step's answer: empty; GET the case or its materials).
    pub materials: Vec<crate::views::materials::MaterialView>,
    /// How many certified officers investigated or applied a measure (their certificate
    /// numbers are personal data, kept sealed: `case.officers` is always empty here).
    pub officers: usize,
}

impl CaseView {
    /// The steps `by` may take on the case now: of the actions its procedure allows in its
    /// state, those its table gives to staff of the handling unit in one of `by`'s roles.
    pub fn actions_for(&self, by: &crate::CurrentUser) -> Vec<ActionKind> {
        let procedure = self.case.procedure_def();
        let unit = Some(self.case.handling_unit);
        self.actions
            .iter()
            .copied()
            .filter(|a| {
                procedure.transition(*a, self.case.state).is_some_and(|t| match t.taker {
                    quanze_core::case::procedure::Taker::Staff(roles) => {
                        roles.iter().any(|r| by.has(*r, unit))
                    }
                    _ => false,
                })
            })
            .collect()
    }

    /// Builds the view of `case` on `on`.
    pub fn of(
        case: &Case,
        steps: Vec<(CaseStep, u64)>,
        calendar: &WorkCalendar,
        rules: &CaseRules,
        on: NaiveDate,
    ) -> CaseView {
        let deadlines = case
            .clocks
            .iter()
            .map(|c| DeadlineView {
                clock: c.kind,
                clock_zh: c.kind.zh(),
                basis: c.basis.clone(),
                started: c.started,
                due: c.due.date,
                provisional: c.due.provisional,
                paused: c.is_paused(),
                extended: c.extension.as_ref().map(|e| e.reason.clone()),
                stopped: c.stopped,
                alert: c.alert(on, rules.yellow_permille, calendar),
            })
            .collect();
        CaseView {
            state_zh: case.state.zh(),
            procedure_zh: case.procedure.zh(),
            alert: case.alert_on(on, calendar, rules),
            deadlines,
            provisional: case.has_provisional_deadline(),
            sessions_zh: case.item.session_days.as_ref().map(|s| s.zh()),
            next_session: case.next_session(on, calendar),
            actions: case.procedure_def().actions_in(case.state),
            at_most_one_trip: case.trips <= 1,
            missing_overdue: case.missing_overdue(on),
            timeline: steps
                .into_iter()
                .map(|(step, seq)| StepView {
                    action_zh: step.action.zh(),
                    leaf_index: seq.saturating_sub(1),
                    step,
                })
                .collect(),
            materials: Vec::new(),
            officers: case.officers.len(),
            // Their certificate numbers stay sealed in the store: no answer shows them.
            case: Case { officers: Vec::new(), ..case.clone() },
        }
    }
}

/// The answer to an application or a filing: the receipt number, the access code (shown once:
/// the applicant follows, rates and gets receipts with it), the case and its ledger leaf.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CaseReceipt {
    /// 受理单号.
    pub receipt: String,
    /// 查询码 — shown only in this answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_code: Option<String>,
    /// Index of the ledger leaf of the application.
    pub leaf_index: u64,
    /// The case.
    pub case: CaseView,
}

/// One line of a case list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CaseLine {
    /// 受理单号.
    pub receipt: String,
    /// The item's name.
    pub item: String,
    /// The party as shown.
    pub party: String,
    /// State (stable name) and in Chinese.
    pub state: &'static str,
    /// 状态.
    pub state_zh: &'static str,
    /// Alert level today.
    #[schema(value_type = String)]
    pub alert: Alert,
    /// The earliest running deadline.
    pub due: Option<NaiveDate>,
    /// The unit that has it.
    #[schema(value_type = String, format = Uuid)]
    pub unit: UnitId,
}

/// A page of cases, newest first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CasePage {
    /// How many match.
    pub total: u64,
    /// This page.
    pub cases: Vec<CaseLine>,
    /// The id to ask `before=` for the next page.
    pub next_before: Option<String>,
}

impl CasePage {
    /// Builds a page.
    pub fn of<'a>(
        cases: impl Iterator<Item = &'a Case>,
        total: u64,
        calendar: &WorkCalendar,
        rules: &CaseRules,
        on: NaiveDate,
    ) -> CasePage {
        let mut last = None;
        let lines = cases
            .map(|c| {
                last = Some(c.id.to_string());
                CaseLine {
                    receipt: c.receipt.to_string(),
                    item: c.item.name.clone(),
                    party: c.party.name.clone(),
                    state: c.state.as_str(),
                    state_zh: c.state.zh(),
                    alert: c.alert_on(on, calendar, rules),
                    due: c.clocks.iter().filter(|k| k.is_running()).map(|k| k.due.date).min(),
                    unit: c.handling_unit,
                }
            })
            .collect();
        CasePage { total, cases: lines, next_before: last }
    }
}

/// What one tick of the deadline scheduler did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct TickReport {
    /// Cases read along the index.
    pub examined: u32,
    /// Turned yellow.
    pub yellow: u32,
    /// Alert steps written at red: turned red, something newly late (its 督办 opened), or a
    /// broken 容缺 promise flagged again.
    pub red: u32,
    /// Supervision items opened.
    pub supervisions_opened: u32,
    /// Accepted because nobody told the applicant what was missing in time.
    pub deemed_accepted: u32,
    /// 容缺受理 whose promised material is still missing after the day promised (flagged on
    /// the case's timeline for its staff).
    pub promises_broken: u32,
    /// Due, but with nothing to record: the same level and nothing newly late (another clock
    /// or task moved within the level). No step is written; the scheduler's next look at the
    /// case moves.
    pub unchanged: u32,
    /// Moved by another writer meanwhile (seen again next tick).
    pub skipped: u32,
}
