//! 办件服务 — cases under statutory procedure: applications online, at a window, by post or at
//! a mobile service point; cases opened ex officio; every step by the procedure's table, by a
//! unit that holds the power on that day and acts in the name the authority index gives it
//! (法无授权不可为); the deadline scheduler; ratings and complaints; per-step receipts.
//!
//! A case write never touches the list catalogue: authority is read from the in-memory index.
//! Each step is one store transaction with its ledger event; the event carries no personal
//! data (the applicant's is in the erasable table, committed to by salted hash).

pub mod materials;
pub mod personal;

use std::collections::HashSet;
use std::sync::Arc;

use chrono::NaiveDate;
use quanze_core::access::Act;
use quanze_core::case::rating::{
    Complaint, ComplaintKind, ComplaintSubject, NewRating, Rating, RatingChannel, RatingLevel,
    Reply,
};
use quanze_core::case::{
    Actor, Applicant, Case, CaseCommand, CaseError, CaseItem, CaseRules, CaseStep, Channel,
    NewCase, ReceiptNo, StepTime, Supervision,
};
use quanze_core::{
    CaseId, ComplaintId, CreditCode, Exercise, IdNumber, ItemId, RatingId, Role, SupervisionId,
    TaskId, UnitId, WorkCalendar,
};
use quanze_store::{CaseFilter, CaseWrite, NextLook, SealedApplicant, StoredCase};

pub use personal::PersonalKey;

use crate::auth::CurrentUser;
use crate::error::{ErrorCode, ServiceError, ServiceResult};
use crate::views::cases::{
    ApplicantInput, ApplyRequest, CasePage, CaseReceipt, CaseView, ComplaintRequest,
    FileCaseRequest, RatingRequest, TickReport,
};
use crate::{NewEvent, Service};

/// Settings of the case service.
#[derive(Debug, Clone, Default)]
pub struct CasesConfig {
    /// The county's rules (alert threshold, penalty decision period, rectification …).
    pub rules: CaseRules,
    /// The key for applicants' personal data; without one, no case can be received.
    pub personal_key: Option<PersonalKey>,
    /// Materials: the size limit.
    pub materials: materials::MaterialsConfig,
}

/// The cases this server wrote last, by receipt number, so that a step does not read its case
/// back from the store (issue 15's throughput). Bounded: past `CAPACITY` entries it starts
/// again empty, which costs the next steps one read each and nothing else.
#[derive(Debug, Default)]
pub(crate) struct CaseCache {
    cases: std::sync::Mutex<std::collections::HashMap<String, Arc<StoredCase>>>,
}

impl CaseCache {
    const CAPACITY: usize = 20_000;

    fn get(&self, receipt: &str) -> Option<Arc<StoredCase>> {
        self.cases.lock().expect("case cache lock is never poisoned").get(receipt).cloned()
    }

    fn put(&self, stored: StoredCase) {
        let mut cases = self.cases.lock().expect("case cache lock is never poisoned");
        if cases.len() >= Self::CAPACITY {
            cases.clear();
        }
        cases.insert(stored.case.receipt.to_string(), Arc::new(stored));
    }

    fn remove(&self, receipt: &str) {
        self.cases.lock().expect("case cache lock is never poisoned").remove(receipt);
    }

    /// Forgets every case (their seals changed: a key rotation).
    pub(crate) fn clear(&self) {
        self.cases.lock().expect("case cache lock is never poisoned").clear();
    }
}

/// Receipt numbers of the day, handed out in order (seeded from the store at the first case of
/// a day, so a restart continues the sequence).
#[derive(Debug, Default)]
pub(crate) struct ReceiptCounter {
    day: Option<NaiveDate>,
    last: u32,
}

impl From<CaseError> for ServiceError {
    fn from(err: CaseError) -> ServiceError {
        let code = case_error_code(&err);
        let en = err.to_string();
        ServiceError::rejected(code, err.zh(), en)
    }
}

/// The stable code of a refused case step.
pub fn case_error_code(err: &CaseError) -> ErrorCode {
    match err {
        CaseError::NotAllowed { .. } => ErrorCode::CaseActionNotAllowed,
        CaseError::NotPermitted { .. } => ErrorCode::CaseActorNotPermitted,
        CaseError::NoPowerToDecide { .. } => ErrorCode::CaseNoPowerToDecide,
        CaseError::Missing { .. } => ErrorCode::InvalidInput,
        CaseError::Unlawful { rule, .. } => match *rule {
            "one_correction_notice" | "correction_too_late" => ErrorCode::CaseCorrectionRefused,
            "competent_unit_required" => ErrorCode::CaseCompetentUnitRequired,
            "two_certified_officers" => ErrorCode::CaseTwoOfficersRequired,
            "summary_fine_too_high" | "summary_needs_penalty" => ErrorCode::CaseSummaryLimit,
            "party_rights_pending" | "hearing_request_late" => ErrorCode::CasePartyRights,
            "legal_check_required" => ErrorCode::CaseLegalCheckRequired,
            "no_enforcement_at_night_or_holiday" | "demand_period_running" => {
                ErrorCode::CaseEnforcementRefused
            }
            "measure_not_entrusted" => ErrorCode::CaseMeasureNotEntrusted,
            "denial_needs_reasons" => ErrorCode::CaseDenialNeedsReasons,
            "pause_reason_not_allowed"
            | "pause_needs_written_notice"
            | "nothing_to_pause"
            | "not_paused" => ErrorCode::CasePauseRefused,
            "extended_once" | "not_extendable" => ErrorCode::CaseExtensionRefused,
            "cooperation_pending" => ErrorCode::CaseCooperationPending,
            "not_a_session_day" => ErrorCode::CaseNotSessionDay,
            "only_applicant_rates" => ErrorCode::RatingNotApplicant,
            "already_rated" => ErrorCode::RatingDuplicate,
            "case_not_ended" | "not_rateable" | "comment_too_long" => ErrorCode::RatingRefused,
            _ => ErrorCode::CaseRuleViolated,
        },
    }
}

/// How many of a tick's steps are written at once: enough that the group writer fills large
/// commits (a tick's cases lie all over a large store, so each step dirties pages of its own
/// and the commits are bound by the log's writes). 64 at a time ticked 1,000,000 cases at
/// 1,000–3,300 cases/s, 512 at 9,900–15,300 (docs/performance.md).
const TICK_WRITES: usize = 512;

/// Who asks for a step.
pub enum CaseCaller<'a> {
    /// A member of staff, acting for `unit` (the case's handling unit when `None`).
    Staff(&'a CurrentUser, Option<UnitId>),
    /// The applicant, with the access code given with the receipt.
    Applicant(&'a str),
}

impl Service {
    pub(crate) fn case_rules(&self) -> &CaseRules {
        &self.config.cases.rules
    }

    fn personal_key(&self) -> ServiceResult<&PersonalKey> {
        personal::require(self.config.cases.personal_key.as_ref())
    }

    /// The time of a step: now, with the local (Beijing) date and time.
    fn step_time(&self) -> StepTime {
        let at = self.clock.now();
        StepTime { at, local: crate::beijing_time(at) }
    }

    /// The item as the unit holds it on `on`, and how: refused, naming a unit that holds it,
    /// when the unit does not (法无授权不可为).
    fn authority_for_case(
        &self,
        unit: UnitId,
        item: ItemId,
        on: NaiveDate,
    ) -> ServiceResult<(CaseItem, Exercise)> {
        let catalog = self.catalog();
        let unit_name = catalog
            .unit(unit)
            .map(|u| u.name.clone())
            .ok_or_else(|| ServiceError::NotFound(format!("单位 {unit}")))?;
        let version = |source: &quanze_core::authority::Source| match source {
            quanze_core::authority::Source::List { item_version, .. }
            | quanze_core::authority::Source::Grant { item_version, .. } => *item_version,
        };
        let held = catalog
            .authority
            .holds(unit, item, on)
            .filter(|a| !matches!(a.exercise, Exercise::Cooperate { .. }));
        let Some(authority) = held else {
            // Name who does hold it, for the applicant (许可法第三十二条: 告知向有关行政机关申请).
            let competent = catalog
                .units
                .iter()
                .find(|u| {
                    catalog
                        .authority
                        .holds(u.id, item, on)
                        .is_some_and(|a| !matches!(a.exercise, Exercise::Cooperate { .. }))
                })
                .map(|u| u.name.clone());
            let name = catalog
                .public_item_version(item)
                .and_then(|v| catalog.item(item, v))
                .map_or_else(|| item.to_string(), |i| i.content.name.clone());
            let zh = match competent {
                Some(other) => format!(
                    "“{unit_name}”在{on}不持有“{name}”的职权，不能受理或办理（法无授权不可为）。请向“{other}”申请"
                ),
                None => format!(
                    "“{unit_name}”在{on}不持有“{name}”的职权，不能受理或办理（法无授权不可为）；该日没有单位持有此项职权"
                ),
            };
            return Err(ServiceError::rejected(
                ErrorCode::CaseUnitNotCompetent,
                zh,
                format!("unit {unit} does not hold item {item} on {on}"),
            ));
        };
        let v = version(&authority.source);
        let power = catalog.item(item, v).ok_or_else(|| {
            ServiceError::Internal(format!("item {item} version {v} not in the catalogue"))
        })?;
        let content = &power.content;
        let service = content.service.as_ref();
        let case_item = CaseItem {
            id: item,
            version: v,
            name: match &content.sub_item {
                Some(sub) => format!("{}（{sub}）", content.name),
                None => content.name.clone(),
            },
            category: content.category,
            statutory_limit: service.and_then(|s| s.statutory_limit),
            committed_limit: service.and_then(|s| s.committed_limit),
            session_days: service.and_then(|s| s.sessions.clone()),
        };
        Ok((case_item, authority.exercise))
    }

    async fn next_receipt(&self, on: NaiveDate) -> ServiceResult<ReceiptNo> {
        let mut counter = self.receipts.lock().await;
        if counter.day != Some(on) {
            counter.last = self.store.last_receipt_on(on).await?;
            counter.day = Some(on);
        }
        counter.last += 1;
        Ok(ReceiptNo::new(on, counter.last))
    }

    fn applicant_of(input: &ApplicantInput) -> ServiceResult<Applicant> {
        let name = input.name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(ServiceError::rejected(
                ErrorCode::InvalidInput,
                "申请人名称应为1至100个字符",
                "the applicant's name must have 1 to 100 characters",
            ));
        }
        Ok(match input.kind.as_str() {
            "person" => Applicant::Person {
                name: name.to_owned(),
                id_number: IdNumber::parse(&input.number)?,
            },
            "organisation" => Applicant::Organisation {
                name: name.to_owned(),
                credit_code: CreditCode::parse(&input.number)?,
            },
            other => {
                return Err(ServiceError::rejected(
                    ErrorCode::InvalidInput,
                    format!(
                        "申请人类型“{other}”无效：应为 person（自然人）或 organisation（法人或其他组织）"
                    ),
                    format!("applicant kind {other:?} is not person or organisation"),
                ));
            }
        })
    }

    /// 申请 — an application online or by post (no account: `by` is `None`), or registered by a
    /// window clerk for the applicant (window, mobile service point). Answers with the receipt
    /// number and the access code the applicant follows the case with.
    pub async fn apply_for_case(
        &self,
        by: Option<&CurrentUser>,
        req: ApplyRequest,
    ) -> ServiceResult<CaseReceipt> {
        let channel = req.channel.clone().into_channel()?;
        let actor = match (by, &channel) {
            (None, Channel::Online | Channel::Post) => Actor::Applicant,
            (None, _) => {
                return Err(ServiceError::rejected(
                    ErrorCode::CaseActorNotPermitted,
                    "窗口和流动服务点的申请由工作人员登记",
                    "window and mobile applications are registered by staff",
                ));
            }
            (Some(user), _) => {
                user.require_act(Act::HandleCase, Some(req.unit))?;
                // The clerk registers what the applicant hands in: the step is the applicant's.
                Actor::Staff { user: user.id, unit: req.unit, roles: roles_for(user, req.unit) }
            }
        };
        let applicant = Service::applicant_of(&req.applicant)?;
        self.open_case(by, req.item, req.unit, applicant, channel, actor).await
    }

    /// 立案 — a case the unit opens ex officio (处罚、强制、检查、征收) against a party.
    pub async fn file_case(
        &self,
        by: &CurrentUser,
        req: FileCaseRequest,
    ) -> ServiceResult<CaseReceipt> {
        by.require_act(Act::HandleCase, Some(req.unit))?;
        let party = Service::applicant_of(&req.party)?;
        let actor = Actor::Staff { user: by.id, unit: req.unit, roles: roles_for(by, req.unit) };
        self.open_case(Some(by), req.item, req.unit, party, Channel::ExOfficio, actor).await
    }

    async fn open_case(
        &self,
        by: Option<&CurrentUser>,
        item: ItemId,
        unit: UnitId,
        applicant: Applicant,
        channel: Channel,
        actor: Actor,
    ) -> ServiceResult<CaseReceipt> {
        let key = self.personal_key()?;
        let time = self.step_time();
        let on = time.on();
        // One calendar for the whole step, even if a load swaps it meanwhile.
        let calendar = self.calendar();
        let (case_item, exercise) = self.authority_for_case(unit, item, on)?;
        let sealed = key.seal(&serde_json::to_vec(&applicant.to_sealed_json()).unwrap_or_default());
        let index = key.index(applicant.number());
        let access_code = personal::new_access_code();
        let access_hash = personal::access_hash(&access_code);
        let mut last_err = None;
        // A receipt number taken by another process writing to the same database: take the
        // next one (the counter reseeds from the store).
        for _ in 0..3 {
            let receipt = self.next_receipt(on).await?;
            let new = NewCase {
                id: CaseId::from_uuid(self.ids.case_uuid()),
                receipt,
                item: case_item.clone(),
                applicant: applicant.clone(),
                channel: channel.clone(),
                unit,
                exercise,
            };
            let (case, step) = Case::open(new, &actor, time, &calendar, self.case_rules())?;
            let write = CaseWrite {
                case: &case,
                step: &step,
                previous_steps: None,
                moves: true,
                next_alert_on: case.next_alert_on(on, &calendar, self.case_rules()),
                applicant: Some(SealedApplicant {
                    sealed: &sealed,
                    key: &index,
                    access_hash: &access_hash,
                }),
                supervisions: &[],
                close_supervisions: None,
            };
            let mut ev = self.case_event(by, &case, &step);
            ev.personal = Some(applicant.to_sealed_json());
            match self.store.write_case(write, ev).await {
                Ok(receipt) => {
                    self.case_cache.put(StoredCase {
                        case: case.clone(),
                        sealed: sealed.clone(),
                        applicant_key: index.clone(),
                        access_hash: access_hash.clone(),
                    });
                    let view = CaseView::of(
                        &case,
                        vec![(step, receipt.seq)],
                        &calendar,
                        self.case_rules(),
                        on,
                    );
                    return Ok(CaseReceipt {
                        receipt: case.receipt.to_string(),
                        access_code: Some(access_code),
                        leaf_index: receipt.seq.saturating_sub(1),
                        case: view,
                    });
                }
                Err(quanze_store::StoreError::Conflict(what)) => {
                    self.receipts.lock().await.day = None;
                    last_err = Some(ServiceError::Conflict(what));
                }
                Err(e) => return Err(e.into()),
            }
        }
        Err(last_err.unwrap_or_else(|| ServiceError::Internal("no receipt number".into())))
    }

    fn case_event(&self, by: Option<&CurrentUser>, case: &Case, step: &CaseStep) -> NewEvent {
        self.event(
            by,
            Some(case.handling_unit),
            &format!("case.{}", action_name(step)),
            format!("case:{}", case.id),
            serde_json::json!({
                "receipt": case.receipt,
                "item": case.item.id,
                "step": step,
            }),
        )
    }

    /// A case by its receipt number: from the cache of cases recently written by this server,
    /// else from the store. The cache is only a hint: every write names the step count it was
    /// computed from, so a stale entry (another server wrote the case) fails with `Conflict`,
    /// is dropped, and the step is computed again from the store ([`Service::act_on_case`]).
    async fn load_by_receipt(&self, receipt: &str) -> ServiceResult<Arc<StoredCase>> {
        let receipt = ReceiptNo::parse(receipt)?;
        if let Some(hit) = self.case_cache.get(receipt.as_str()) {
            return Ok(hit);
        }
        let stored = self
            .store
            .case_by_receipt(&receipt)
            .await?
            .ok_or_else(|| ServiceError::NotFound(format!("受理单号 {receipt}")))?;
        Ok(Arc::new(stored))
    }

    fn check_access(stored: &StoredCase, code: &str) -> ServiceResult<()> {
        if personal::access_hash(code) == stored.access_hash {
            Ok(())
        } else {
            Err(ServiceError::rejected(
                ErrorCode::CaseAccessDenied,
                "受理单号或查询码不正确",
                "wrong receipt number or access code",
            ))
        }
    }

    /// Takes one step on a case and answers with the case after it, its `timeline` holding the
    /// step just taken (with its ledger leaf). Staff act for their unit (the case's handling unit unless they
    /// name another, such as a cooperating unit completing its task); the applicant acts with
    /// the access code. Refused steps change nothing.
    pub async fn act_on_case(
        &self,
        caller: CaseCaller<'_>,
        receipt: &str,
        command: CaseCommand,
    ) -> ServiceResult<CaseView> {
        let stored = self.load_by_receipt(receipt).await?;
        let (actor, by) = match &caller {
            CaseCaller::Applicant(code) => {
                Service::check_access(&stored, code)?;
                (Actor::Applicant, None)
            }
            CaseCaller::Staff(user, unit) => {
                let unit = unit.unwrap_or(stored.case.handling_unit);
                let supervising = matches!(command, CaseCommand::Supervise { .. });
                let act = if supervising { Act::SuperviseCases } else { Act::HandleCase };
                user.require_act(act, if supervising { None } else { Some(unit) })?;
                (Actor::Staff { user: user.id, unit, roles: roles_for(user, unit) }, Some(*user))
            }
        };
        // A transfer goes only to a unit that holds the power that day (法无授权不可为).
        let command = match command {
            CaseCommand::Transfer { to, reason, .. } => {
                let (_, exercise) =
                    self.authority_for_case(to, stored.case.item.id, self.today())?;
                let deciding_unit = match exercise {
                    Exercise::InNameOf { department }
                    | Exercise::ReviewOnly { department }
                    | Exercise::AcceptOnly { department } => department,
                    _ => to,
                };
                CaseCommand::Transfer { to, exercise, deciding_unit, reason }
            }
            other => other,
        };
        let view = self.step_case(stored, by, &actor, |_| Some(command.clone())).await?;
        view.ok_or_else(|| ServiceError::Internal(format!("办件 {receipt} 的操作未执行")))
    }

    /// Takes the step `command` gives for the case as read (`None`: none is due) and writes
    /// it, answering with the case after it, its `timeline` holding that step. When the case
    /// moved since it was read (another server, or a cache entry gone stale), it is read again
    /// from the store and the step computed again from it, once.
    pub(crate) async fn step_case(
        &self,
        mut stored: Arc<StoredCase>,
        by: Option<&CurrentUser>,
        actor: &Actor,
        command: impl Fn(&Case) -> Option<CaseCommand>,
    ) -> ServiceResult<Option<CaseView>> {
        for attempt in 0..2 {
            let Some(command) = command(&stored.case) else { return Ok(None) };
            let time = self.step_time();
            let calendar = self.calendar();
            let (next, step) =
                stored.case.apply(&command, actor, time, &calendar, self.case_rules())?;
            match self.write_step(&calendar, by, &stored.case, &next, &step, &[]).await {
                Ok(written) => {
                    if !next.state.is_final() {
                        self.case_cache.put(StoredCase {
                            case: next.clone(),
                            sealed: stored.sealed.clone(),
                            applicant_key: stored.applicant_key.clone(),
                            access_hash: stored.access_hash.clone(),
                        });
                    }
                    // The answer carries the step just taken; the whole timeline is one GET
                    // away (reading it back here would cost every step a read of them all).
                    return Ok(Some(CaseView::of(
                        &next,
                        vec![(step, written.seq)],
                        &calendar,
                        self.case_rules(),
                        time.on(),
                    )));
                }
                // The case moved since it was read: compute the step again from the stored
                // case, once.
                Err(ServiceError::Conflict(_)) if attempt == 0 => {
                    let fresh = self.store.case(stored.case.id).await?.ok_or_else(|| {
                        ServiceError::NotFound(format!("受理单号 {}", stored.case.receipt))
                    })?;
                    stored = Arc::new(fresh);
                }
                Err(e) => return Err(e),
            }
        }
        Err(ServiceError::Conflict(format!(
            "办件 {} 同时被他人办理，请刷新后重试",
            stored.case.receipt
        )))
    }

    async fn write_step(
        &self,
        calendar: &WorkCalendar,
        by: Option<&CurrentUser>,
        before: &Case,
        next: &Case,
        step: &CaseStep,
        supervisions: &[Supervision],
    ) -> ServiceResult<quanze_store::Receipt> {
        let on = step.on;
        // A case that ended, or on which nothing is late any more (its clocks and its cooperating
        // units' tasks), closes its open supervision items.
        // Supervision items are opened only on a red case and every write keeps a case with
        // open items red until one closes them, so only a case that was red can have any:
        // the others' steps skip the statement.
        let closes = before.alert == quanze_core::case::Alert::Red && !next.has_late(on);
        let write = CaseWrite {
            case: next,
            step,
            previous_steps: Some(before.steps),
            moves: (
                before.receiving_unit,
                before.handling_unit,
                before.deciding_unit,
                before.state,
            ) != (next.receiving_unit, next.handling_unit, next.deciding_unit, next.state),
            next_alert_on: if supervisions.is_empty() && next.has_late(on) {
                // A write that opens no 督办 on a case with something late (a clerk's step on
                // the day a clock ran out, before that day's tick; a deemed acceptance whose
                // clocks ran out meanwhile) leaves the case due today: the scheduler opens the
                // 督办 it calls for, or finds them on record and moves its look on.
                Some(on)
            } else {
                next.next_alert_on(on, calendar, self.case_rules())
            },
            applicant: None,
            supervisions,
            close_supervisions: (closes && supervisions.is_empty()).then_some(on),
        };
        let ev = self.case_event(by, next, step);
        // Whatever this server cached of the case is older than this write.
        self.case_cache.remove(next.receipt.as_str());
        Ok(self.store.write_case(write, ev).await?)
    }

    /// A case with its timeline, for staff of the units it concerns and supervisors.
    pub async fn case_for_staff(&self, by: &CurrentUser, receipt: &str) -> ServiceResult<CaseView> {
        let stored = self.load_by_receipt(receipt).await?;
        let case = &stored.case;
        let units = [case.receiving_unit, case.handling_unit, case.deciding_unit];
        let involved = units.iter().any(|u| by.require_act(Act::HandleCase, Some(*u)).is_ok())
            || case.tasks.iter().any(|t| by.require_act(Act::HandleCase, Some(t.unit)).is_ok())
            || by.require_act(Act::SuperviseCases, None).is_ok();
        if !involved {
            return Err(ServiceError::Forbidden("只能查看本单位经办或配合的办件".into()));
        }
        self.view_of(stored).await
    }

    /// A case for the operator at the console (`quanze case show`): the same view staff get,
    /// which holds no personal data in clear.
    pub async fn case_for_operator(&self, receipt: &str) -> ServiceResult<CaseView> {
        let stored = self.load_by_receipt(receipt).await?;
        self.view_of(stored).await
    }

    /// Runs the deadline scheduler until `stop`: a tick at once and then every `every`, each
    /// for the day in China. Its state is all in the store (`next_alert_on`, one supervision
    /// per late clock), so a restart misses nothing and repeats nothing.
    pub async fn run_deadline_scheduler(
        &self,
        every: std::time::Duration,
        stop: impl Future<Output = ()>,
    ) {
        tokio::pin!(stop);
        loop {
            match self.tick_deadlines(self.today(), 1_000).await {
                Ok(report) if report.examined > 0 => tracing::info!(?report, "deadline tick"),
                Ok(_) => {}
                Err(err) => tracing::warn!(error = %err, "deadline tick failed"),
            }
            tokio::select! {
                () = &mut stop => return,
                () = tokio::time::sleep(every) => {}
            }
        }
    }

    /// A case for its applicant (receipt number and access code).
    pub async fn case_for_applicant(&self, receipt: &str, code: &str) -> ServiceResult<CaseView> {
        let stored = self.load_by_receipt(receipt).await?;
        Service::check_access(&stored, code)?;
        self.view_of(stored).await
    }

    async fn view_of(&self, stored: Arc<StoredCase>) -> ServiceResult<CaseView> {
        let steps = self.store.case_steps(stored.case.id).await?;
        let mut view = CaseView::of(
            &stored.case,
            steps.into_iter().map(|s| (s.step, s.seq)).collect(),
            &self.calendar(),
            self.case_rules(),
            self.today(),
        );
        let filed = self.store.case_materials(stored.case.id).await?;
        // Overdue only while something promised is still not filed: a promise whose material
        // is all in, but whose 补齐容缺材料 step is not yet recorded, is not overdue.
        view.missing_overdue &= stored.case.missing_promised.as_ref().is_some_and(|(names, _)| {
            quanze_core::case::material::promised_supplied(names, &filed).is_none()
        });
        view.materials = filed.iter().map(crate::views::materials::MaterialView::from).collect();
        Ok(view)
    }

    /// The ledger receipt of one step of a case, for its applicant: the step's event with its
    /// inclusion proof under the latest signed checkpoint.
    pub async fn case_step_receipt(
        &self,
        receipt: &str,
        code: &str,
        n: u32,
    ) -> ServiceResult<crate::ledger::LedgerReceipt> {
        let stored = self.load_by_receipt(receipt).await?;
        Service::check_access(&stored, code)?;
        let steps = self.store.case_steps(stored.case.id).await?;
        let step = steps
            .iter()
            .find(|s| s.step.n == n)
            .ok_or_else(|| ServiceError::NotFound(format!("办件 {receipt} 第{n}步")))?;
        self.receipt(step.seq.saturating_sub(1)).await
    }

    /// Cases a unit has (its staff), or any unit's (supervisors), newest first.
    pub async fn list_cases(
        &self,
        by: &CurrentUser,
        unit: Option<UnitId>,
        state: Option<String>,
        alert: Option<String>,
        before: Option<CaseId>,
        limit: u32,
    ) -> ServiceResult<CasePage> {
        match unit {
            Some(u) => {
                if by.require_act(Act::HandleCase, Some(u)).is_err() {
                    by.require_act(Act::SuperviseCases, None)?;
                }
            }
            None => by.require_act(Act::SuperviseCases, None)?,
        }
        let filter = CaseFilter { unit, state, alert, ..CaseFilter::default() };
        self.case_page(&filter, before, limit.clamp(1, 200)).await
    }

    /// A page of the cases a filter selects, with how many it selects in all. The caller
    /// checked who may see them.
    pub(crate) async fn case_page(
        &self,
        filter: &CaseFilter,
        before: Option<CaseId>,
        limit: u32,
    ) -> ServiceResult<CasePage> {
        let rows = self.store.cases(filter, before, limit).await?;
        let total = self.store.count_cases(filter).await?;
        Ok(CasePage::of(
            rows.iter().map(|s| &s.case),
            total,
            &self.calendar(),
            self.case_rules(),
            self.today(),
        ))
    }

    /// 预警扫描 — one tick of the deadline scheduler for `on`: cases whose alert level may
    /// change by then (read along the index, never the whole table) get their new level; an
    /// overdue intake clock makes the case accepted (许可法第三十二条); a red clock opens a
    /// supervision item (once per clock and deadline, so a tick repeated after a restart opens
    /// none twice). Returns what it did.
    ///
    /// It records changes only: a due case that keeps its level, with every 督办 it calls for
    /// on record and no 容缺 promise broken, gets no step and no event; its next look moves
    /// (see `quiet_look`). A broken promise is flagged again each time the case comes due.
    ///
    /// The cases of a page are independent, so their steps are written together, up to
    /// `TICK_WRITES` at a time: the group writer then commits many of them in one
    /// transaction, where one at a time would cost each its own durable commit. The unchanged
    /// cases' looks are moved in one write beside them, and the next page is read meanwhile.
    pub async fn tick_deadlines(&self, on: NaiveDate, batch: u32) -> ServiceResult<TickReport> {
        use futures_util::StreamExt as _;
        let mut report = TickReport::default();
        let mut next = self.store.cases_due(on, batch, &[]).await?;
        loop {
            let due = std::mem::take(&mut next);
            let n = due.len();
            if n == 0 {
                break;
            }
            // The next page is read while this one is written: it leaves out this page's
            // cases (the pages before are written, and their cases no longer due).
            let ids: Vec<CaseId> = due.iter().map(|c| c.case.id).collect();
            let read_next = async {
                if n < batch as usize {
                    Ok(Vec::new())
                } else {
                    self.store.cases_due(on, batch, &ids).await
                }
            };
            // What the page's red cases have on record, in one read: a case that stays red
            // writes nothing when every 督办 it calls for is there.
            let red: Vec<CaseId> = due
                .iter()
                .filter(|c| c.case.alert == quanze_core::case::Alert::Red)
                .map(|c| c.case.id)
                .collect();
            let recorded: HashSet<SupervisionKey> = if red.is_empty() {
                HashSet::new()
            } else {
                self.store
                    .supervisions_of_cases(&red)
                    .await?
                    .iter()
                    .map(SupervisionKey::of)
                    .collect()
            };
            // The cases that surely stay as they are move their next look in one write, beside
            // the others' steps. Every step of the page runs to its end (none is abandoned
            // mid-write), then the outcomes are counted.
            let (cal, rules) = (self.calendar(), self.case_rules());
            let (mut quiet, mut busy) = (Vec::new(), Vec::new());
            for stored in due {
                match self.quiet_look(&stored.case, on, &cal, rules, &recorded, false) {
                    Some(look) => quiet.push(look),
                    None => busy.push(stored),
                }
            }
            let steps = futures_util::stream::iter(busy)
                .map(|stored| self.tick_case(stored, on, &recorded))
                .buffer_unordered(TICK_WRITES)
                .collect::<Vec<_>>();
            let (outcomes, moved, read) = tokio::join!(steps, self.reschedule(&quiet), read_next);
            next = read?;
            report.examined += u32::try_from(quiet.len()).unwrap_or(u32::MAX);
            report.unchanged += moved;
            report.skipped += u32::try_from(quiet.len()).unwrap_or(u32::MAX).saturating_sub(moved);
            let mut looks = Vec::new();
            for outcome in outcomes {
                report.examined += 1;
                match outcome {
                    Ok(TickOutcome::Unchanged(look)) => looks.push(look),
                    Ok(TickOutcome::Deemed) => report.deemed_accepted += 1,
                    Ok(TickOutcome::Level { alert, opened, promise_broken }) => {
                        match alert {
                            quanze_core::case::Alert::Yellow => report.yellow += 1,
                            quanze_core::case::Alert::Red => report.red += 1,
                            quanze_core::case::Alert::Green => {}
                        }
                        report.supervisions_opened += opened;
                        report.promises_broken += u32::from(promise_broken);
                    }
                    // Another writer moved the case between the read and the write: the next
                    // tick sees it again.
                    Err(ServiceError::Conflict(_)) => report.skipped += 1,
                    Err(e) => return Err(e),
                }
            }
            // A case found unchanged only after reading its filed material (a 容缺 promise kept).
            let moved = self.reschedule(&looks).await;
            report.unchanged += moved;
            report.skipped += u32::try_from(looks.len()).unwrap_or(u32::MAX).saturating_sub(moved);
        }
        Ok(report)
    }

    /// One tick asked for by a supervisor, for today or an earlier day (never a later one: the
    /// scheduler does not run ahead of time).
    pub async fn tick_for(
        &self,
        by: &CurrentUser,
        on: Option<NaiveDate>,
    ) -> ServiceResult<TickReport> {
        by.require_act(Act::SuperviseCases, None)?;
        let today = self.today();
        let on = on.unwrap_or(today);
        if on > today {
            return Err(ServiceError::rejected(
                ErrorCode::InvalidInput,
                format!("预警扫描的日期{on}晚于今天{today}"),
                format!("a tick for {on} is after today {today}"),
            ));
        }
        self.tick_deadlines(on, 1_000).await
    }

    /// Moves the looks; how many moved. A failure leaves the cases due, to be looked at
    /// again by the next tick, and does not fail this one: on PostgreSQL the multi-row update
    /// can meet a group batch locking two of its cases in the other order, and lose as the
    /// deadlock's victim. Nothing is recorded by a look, so nothing is lost.
    async fn reschedule(&self, looks: &[NextLook]) -> u32 {
        match self.store.reschedule_cases(looks).await {
            Ok(moved) => u32::try_from(moved).unwrap_or(u32::MAX),
            Err(e) => {
                tracing::warn!(cases = looks.len(), error = %e, "the scheduler's looks were not moved; the next tick looks again");
                0
            }
        }
    }

    /// The scheduler's next look at a due case with nothing to record, or `None`. Nothing to
    /// record: no acceptance to deem, the case keeps its level, every 督办 it calls for is on
    /// record, and no 容缺 promise is broken (`promise_kept`: the filed material was read and
    /// all of it is in; otherwise a promise that has run out gives `None`, and
    /// [`Service::tick_case`] reads the material). Such a case came due because another
    /// clock or task moved within its level (a second clock turning yellow on a red case);
    /// the timeline records changes, so only its next look moves. A thing late before the
    /// case came due may have turned red under a staff step or a deemed acceptance, which
    /// open no 督办: the record is asked, not assumed.
    fn quiet_look(
        &self,
        case: &Case,
        on: NaiveDate,
        cal: &WorkCalendar,
        rules: &CaseRules,
        recorded: &HashSet<SupervisionKey>,
        promise_kept: bool,
    ) -> Option<NextLook> {
        use quanze_core::case::Alert;
        let promise_out =
            !promise_kept && case.missing_promised.as_ref().is_some_and(|(_, day)| on > *day);
        let alert = case.alert_on(on, cal, rules);
        if case.acceptance_overdue(on) || promise_out || alert != case.alert {
            return None;
        }
        if alert == Alert::Red {
            let clock = case
                .most_late_clock(on)
                .map(|c| SupervisionKey(case.id, Some(c.kind), None, c.due.date));
            let tasks =
                case.late_tasks(on).map(|t| SupervisionKey(case.id, None, Some(t.id), t.due.date));
            if !clock.into_iter().chain(tasks).all(|key| recorded.contains(&key)) {
                return None;
            }
        }
        Some(NextLook { case: case.id, steps: case.steps, on: case.next_alert_on(on, cal, rules) })
    }

    async fn tick_case(
        &self,
        stored: StoredCase,
        on: NaiveDate,
        recorded: &HashSet<SupervisionKey>,
    ) -> ServiceResult<TickOutcome> {
        let case = stored.case;
        let time =
            StepTime { at: self.clock.now(), local: on.and_hms_opt(0, 0, 0).unwrap_or_default() };
        let cal_arc = self.calendar();
        let cal: &WorkCalendar = &cal_arc;
        let rules = self.case_rules();
        // 逾期未告知补正: accepted from the day of receipt.
        if case.acceptance_overdue(on) {
            let (next, step) =
                case.apply(&CaseCommand::DeemAccepted, &Actor::System, time, cal, rules)?;
            self.write_step(cal, None, &case, &next, &step, &[]).await?;
            return Ok(TickOutcome::Deemed);
        }
        let alert = case.alert_on(on, cal, rules);
        let late = case.most_late_clock(on).cloned();
        let late_tasks: Vec<_> = case.late_tasks(on).cloned().collect();
        // 督办 for what is late: the clock furthest behind (the unit that has the case), and
        // each late task (its cooperating unit).
        let mut supervisions = Vec::new();
        if alert == quanze_core::case::Alert::Red {
            let open = |clock, task, due, unit, person| Supervision {
                id: SupervisionId::from_uuid(self.ids.case_uuid()),
                case: case.id,
                receipt: case.receipt.clone(),
                clock,
                task,
                due,
                unit,
                person,
                opened_on: on,
                closed_on: None,
            };
            if let Some(clock) = &late {
                supervisions.push(open(
                    Some(clock.kind),
                    None,
                    clock.due.date,
                    case.handling_unit,
                    case.handler,
                ));
            }
            for t in &late_tasks {
                supervisions.push(open(None, Some(t.id), t.due.date, t.unit, None));
            }
        }
        let mut notes: Vec<String> = Vec::new();
        if let Some(clock) = &late {
            notes.push(format!("{}已超期（期限{}）", clock.kind.zh(), clock.due.date));
        }
        for t in &late_tasks {
            notes.push(format!("配合任务“{}”已超期（期限{}）", t.description, t.due.date));
        }
        let mut note = if notes.is_empty() {
            format!("剩余办理时间不足，{}", alert.zh())
        } else {
            format!("{}，转督办", notes.join("；"))
        };
        // 容缺受理: the material promised is not in by the day promised. The applicant's
        // lateness, not the unit's: flagged for its staff on the timeline with what is still
        // missing, no 督办. Filed material whose 补齐容缺材料 step is still to come counts as in.
        let broken = match &case.missing_promised {
            Some((names, day)) if on > *day => {
                let filed = self.store.case_materials(case.id).await?;
                let lacking: Vec<String> =
                    quanze_core::case::material::still_missing(&[], names, &filed)
                        .into_iter()
                        .filter(|n| !n.trim().is_empty())
                        .collect();
                (!lacking.is_empty()).then(|| {
                    format!("容缺材料（{}）承诺于{day}前补齐，逾期未补齐", lacking.join("、"))
                })
            }
            _ => None,
        };
        if let Some(promise) = &broken {
            note = if notes.is_empty() && alert == quanze_core::case::Alert::Green {
                promise.clone()
            } else {
                format!("{note}；{promise}")
            };
        }
        if broken.is_none()
            && let Some(look) = self.quiet_look(&case, on, cal, rules, recorded, true)
        {
            return Ok(TickOutcome::Unchanged(look));
        }
        let (stepped, step) =
            case.apply(&CaseCommand::Alert { note }, &Actor::System, time, cal, rules)?;
        // A case that was red already may have its 督办 for the same lateness (another clock
        // or a task brought it back to the scheduler): the store keeps one per late thing and
        // deadline, and says how many this write opened.
        let written = self.write_step(cal, None, &case, &stepped, &step, &supervisions).await?;
        Ok(TickOutcome::Level {
            alert,
            opened: u32::try_from(written.counted).unwrap_or(u32::MAX),
            promise_broken: broken.is_some(),
        })
    }

    /// 评价 — the applicant rates an ended case (once per channel).
    pub async fn rate_case(&self, receipt: &str, req: RatingRequest) -> ServiceResult<Rating> {
        let stored = self.load_by_receipt(receipt).await?;
        let by_applicant = personal::access_hash(&req.access_code) == stored.access_hash;
        let existing: Vec<RatingChannel> =
            self.store.ratings_of_case(stored.case.id).await?.iter().map(|r| r.channel).collect();
        let new = NewRating {
            id: RatingId::from_uuid(self.ids.case_uuid()),
            level: req.level,
            channel: req.channel,
            comment: req.comment.unwrap_or_default(),
        };
        let rating = quanze_core::case::rating::rate(
            &stored.case,
            by_applicant,
            &existing,
            new,
            self.step_time(),
            self.case_rules(),
            &self.calendar(),
        )?;
        let ev = self.event(
            None,
            Some(rating.unit),
            "case.rated",
            format!("case:{}", stored.case.id),
            serde_json::json!({ "rating": rating.id, "level": rating.level, "channel": rating.channel }),
        );
        match self.store.put_rating(&rating, ev).await {
            Ok(_) => Ok(rating),
            Err(quanze_store::StoreError::Conflict(_)) => Err(ServiceError::rejected(
                ErrorCode::RatingDuplicate,
                format!("该办件已通过“{}”评价过，每个渠道只能评价一次", rating.channel.zh()),
                "rated on this channel already",
            )),
            Err(e) => Err(e.into()),
        }
    }

    /// 差评处理 — one step of a 差评's follow-up, by the rated unit's staff (回访, 整改) or leader
    /// (申诉 against a malicious rating), or a supervisor's decision on that appeal; nobody
    /// changes the rating itself (国办发〔2019〕51号: 不得干预评价).
    pub async fn follow_up_rating(
        &self,
        by: &CurrentUser,
        id: RatingId,
        step: RatingFollowUp,
    ) -> ServiceResult<Rating> {
        let mut rating = self
            .store
            .rating(id)
            .await?
            .ok_or_else(|| ServiceError::NotFound(format!("评价 {id}")))?;
        let today = self.today();
        let unit = rating.unit;
        let Some(follow) = rating.follow_up.as_mut() else {
            return Err(ServiceError::rejected(
                ErrorCode::RatingRefused,
                "只有差评需要回访、整改和申诉",
                "only a bad rating has a follow-up",
            ));
        };
        let text_of = |t: &str, zh: &'static str| -> ServiceResult<String> {
            let t = t.trim();
            if t.is_empty() || t.chars().count() > 1_000 {
                return Err(ServiceError::rejected(
                    ErrorCode::InvalidInput,
                    format!("{zh}应为1至1000个字符"),
                    "the text must have 1 to 1000 characters",
                ));
            }
            Ok(t.to_owned())
        };
        let kind = match &step {
            RatingFollowUp::CallBack { note } => {
                by.require_act(Act::HandleCase, Some(unit))?;
                follow.call_back = Some((today, text_of(note, "回访情况")?));
                "rating.called_back"
            }
            RatingFollowUp::Rectified { text } => {
                by.require_act(Act::HandleCase, Some(unit))?;
                follow.rectified = Some((today, text_of(text, "整改情况")?));
                "rating.rectified"
            }
            RatingFollowUp::Appeal { grounds } => {
                if !by.has(Role::Leader, Some(unit)) {
                    return Err(ServiceError::Forbidden(
                        "对恶意评价的申诉须由被评价单位的领导提出".into(),
                    ));
                }
                if follow.appeal.is_some() {
                    return Err(ServiceError::Conflict("该差评已申诉".into()));
                }
                follow.appeal = Some(quanze_core::case::rating::Appeal {
                    grounds: text_of(grounds, "申诉理由")?,
                    on: today,
                    upheld: None,
                    decided_by: None,
                });
                "rating.appealed"
            }
            RatingFollowUp::DecideAppeal { upheld } => {
                // Decided by the supervising side, never by the unit that appealed.
                if !by.has(Role::Supervisor, None) {
                    return Err(ServiceError::Forbidden(
                        "对差评申诉的审核须由监督人员作出，被评价单位不能审核自己的申诉".into(),
                    ));
                }
                let Some(appeal) = follow.appeal.as_mut().filter(|a| a.upheld.is_none()) else {
                    return Err(ServiceError::Conflict("没有待审核的申诉".into()));
                };
                appeal.upheld = Some(*upheld);
                appeal.decided_by = Some(by.id);
                "rating.appeal_decided"
            }
        };
        let ev = self.event(
            Some(by),
            Some(unit),
            kind,
            format!("rating:{id}"),
            serde_json::json!({ "case": rating.case, "on_time": today <= follow.rectify_by.date }),
        );
        self.store.update_rating(&rating, ev).await?;
        Ok(rating)
    }

    /// Published rating results of a unit: counts per level, leaving out ratings whose appeal
    /// was upheld.
    pub async fn unit_ratings(&self, unit: UnitId) -> ServiceResult<[u32; 5]> {
        let mut counts = [0u32; 5];
        for rating in self.store.ratings_of_unit(unit).await?.iter().filter(|r| r.counts()) {
            counts[usize::from(rating.level.score() - 1)] += 1;
        }
        Ok(counts)
    }

    /// 投诉建议 — a complaint, suggestion or report about a unit, an item or a case; anyone may
    /// file one, named or not. It goes to the county's supervising unit with a reply deadline.
    pub async fn file_complaint(&self, req: ComplaintRequest) -> ServiceResult<Complaint> {
        let catalog = self.catalog();
        let text = req.text.trim();
        if text.is_empty() || text.chars().count() > 2_000 {
            return Err(ServiceError::rejected(
                ErrorCode::InvalidInput,
                "投诉建议内容应为1至2000个字符",
                "the text must have 1 to 2000 characters",
            ));
        }
        let (subject, unit) = match (req.case, req.item, req.unit) {
            (Some(receipt), _, _) => {
                let stored = self.load_by_receipt(&receipt).await?;
                (ComplaintSubject::Case { case: stored.case.id }, stored.case.handling_unit)
            }
            (None, Some(item), Some(unit)) => (ComplaintSubject::Item { unit, item }, unit),
            (None, None, Some(unit)) => (ComplaintSubject::Unit { unit }, unit),
            _ => {
                return Err(ServiceError::rejected(
                    ErrorCode::InvalidInput,
                    "请指明投诉建议针对的单位、事项或办件",
                    "name the unit, item or case",
                ));
            }
        };
        if catalog.unit(unit).is_none() {
            return Err(ServiceError::NotFound(format!("单位 {unit}")));
        }
        let supervisor = self.supervising_unit(unit);
        let time = self.step_time();
        let complaint = Complaint {
            id: ComplaintId::from_uuid(self.ids.case_uuid()),
            kind: req.kind.unwrap_or(ComplaintKind::Complaint),
            subject,
            unit,
            supervisor,
            text: text.to_owned(),
            named: req.contact.is_some(),
            at: time.at,
            reply_by: self.calendar().deadline(time.on(), self.case_rules().complaint_reply),
            reply: None,
            publishable: req.publishable,
        };
        let mut ev = self.event(
            None,
            Some(supervisor),
            "complaint.received",
            format!("complaint:{}", complaint.id),
            serde_json::json!({ "kind": complaint.kind, "unit": unit, "reply_by": complaint.reply_by.date }),
        );
        ev.personal = req.contact.map(|c| serde_json::json!({ "contact": c }));
        self.store.put_complaint(&complaint, ev).await?;
        Ok(complaint)
    }

    /// The supervising unit of a complaint about `unit`: the unit the registry tags
    /// [`quanze_core::unit::TAG_SUPERVISING`] (a setting of the county, edited with its units).
    /// A store that predates the tag falls back to a unit named 政务服务管理 or 督查. Nobody
    /// answers a complaint about itself (回避): one about the supervising unit, or about an
    /// office inside it, goes to the unit tagged [`quanze_core::unit::TAG_OVERSIGHT`] (行政执法
    /// 监督), else to another supervising unit. A county with none of these settings gets the
    /// complaint at the unit itself, with a warning in the log (a complaint is never refused
    /// for want of a setting).
    fn supervising_unit(&self, unit: UnitId) -> UnitId {
        let catalog = self.catalog();
        let units = &catalog.units;
        // The unit and the units it is part of or seconded from, which cannot judge it.
        let subject_parent = catalog.unit(unit).and_then(|u| u.parent);
        let free = |u: &&Arc<quanze_core::unit::Unit>| u.id != unit && Some(u.id) != subject_parent;
        let primary = units.iter().find(|u| u.is_supervising()).or_else(|| {
            units.iter().find(|u| u.name.contains("政务服务管理") || u.name.contains("督查"))
        });
        match primary {
            Some(p) if free(&p) => p.id,
            _ => units
                .iter()
                .filter(free)
                .find(|u| u.is_oversight())
                .or_else(|| units.iter().filter(free).find(|u| u.is_supervising()))
                .map_or_else(
                    || {
                        tracing::warn!(%unit, "no other unit takes this complaint (none tagged 执法监督)");
                        primary.map_or(unit, |p| p.id)
                    },
                    |u| u.id,
                ),
        }
    }

    /// 答复 — the supervising unit answers a complaint.
    pub async fn reply_complaint(
        &self,
        by: &CurrentUser,
        id: ComplaintId,
        text: &str,
        publish: bool,
    ) -> ServiceResult<Complaint> {
        let mut complaint = self
            .store
            .complaint(id)
            .await?
            .ok_or_else(|| ServiceError::NotFound(format!("投诉建议 {id}")))?;
        by.require_act(Act::SuperviseCases, Some(complaint.supervisor))?;
        if complaint.reply.is_some() {
            return Err(ServiceError::Conflict("该投诉建议已答复".into()));
        }
        if text.trim().is_empty() {
            return Err(ServiceError::rejected(
                ErrorCode::InvalidInput,
                "答复内容不能为空",
                "empty reply",
            ));
        }
        complaint.reply = Some(Reply {
            text: text.trim().to_owned(),
            on: self.today(),
            by: by.id,
            published: publish && complaint.publishable,
        });
        let ev = self.event(
            Some(by),
            Some(complaint.supervisor),
            "complaint.replied",
            format!("complaint:{id}"),
            serde_json::json!({ "on_time": self.today() <= complaint.reply_by.date }),
        );
        self.store.put_complaint(&complaint, ev).await?;
        Ok(complaint)
    }

    /// Open supervision items (督办) of a unit, or all for a supervisor.
    pub async fn supervisions(
        &self,
        by: &CurrentUser,
        unit: Option<UnitId>,
    ) -> ServiceResult<Vec<Supervision>> {
        match unit {
            Some(u) if by.require_act(Act::HandleCase, Some(u)).is_ok() => {}
            _ => by.require_act(Act::SuperviseCases, None)?,
        }
        Ok(self.store.supervisions(unit, true).await?)
    }

    /// Recomputes the running deadlines of every open case that has a provisional one (a year
    /// of calendar data was loaded); each case whose deadline moved gets a 重算期限 step on its
    /// timeline. Returns how many cases changed.
    pub async fn recompute_provisional_deadlines(&self) -> ServiceResult<u32> {
        let filter = CaseFilter { open_only: true, ..CaseFilter::default() };
        let mut before = None;
        let mut changed = 0;
        loop {
            let page = self.store.cases(&filter, before, 500).await?;
            let Some(last) = page.last() else { break };
            before = Some(last.case.id);
            for stored in page.iter().filter(|s| s.case.has_provisional_deadline()) {
                let cal = self.calendar();
                let Some((next, step)) =
                    stored.case.recompute(self.step_time(), &cal, self.case_rules())
                else {
                    continue;
                };
                match self.write_step(&cal, None, &stored.case, &next, &step, &[]).await {
                    Ok(_) => changed += 1,
                    // Moved by someone meanwhile: its next step computes with the new calendar.
                    Err(ServiceError::Conflict(_)) => {}
                    Err(e) => return Err(e),
                }
            }
        }
        Ok(changed)
    }

    /// Level names for the rating API.
    pub fn rating_levels() -> [RatingLevel; 5] {
        RatingLevel::ALL
    }
}

/// One step of a 差评's follow-up.
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum RatingFollowUp {
    /// 回访 — the applicant was called back; what they said.
    CallBack {
        /// 回访情况.
        note: String,
    },
    /// 整改 — what was put right (or explained).
    Rectified {
        /// 整改情况.
        text: String,
    },
    /// 申诉 — the unit's leader says the rating is malicious.
    Appeal {
        /// 申诉理由.
        grounds: String,
    },
    /// 申诉审核 — a supervisor upholds (the rating no longer counts) or rejects the appeal.
    DecideAppeal {
        /// Whether the appeal is upheld.
        upheld: bool,
    },
}

/// What a supervision item is kept under: the case, the late clock or task, its deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct SupervisionKey(CaseId, Option<quanze_core::case::ClockKind>, Option<TaskId>, NaiveDate);

impl SupervisionKey {
    fn of(s: &Supervision) -> SupervisionKey {
        SupervisionKey(s.case, s.clock, s.task, s.due)
    }
}

enum TickOutcome {
    /// 逾期未告知补正: accepted from the day of receipt.
    Deemed,
    /// An alert step: the case's level, the 督办 opened, whether a 容缺 promise is broken.
    Level { alert: quanze_core::case::Alert, opened: u32, promise_broken: bool },
    /// Nothing changed: only the scheduler's next look at the case moves.
    Unchanged(NextLook),
}

fn action_name(step: &CaseStep) -> String {
    serde_json::to_value(step.action)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_else(|| "step".to_owned())
}

/// The roles a user holds for a unit (county-wide roles included).
fn roles_for(user: &CurrentUser, unit: UnitId) -> Vec<Role> {
    Role::ALL.into_iter().filter(|r| user.has(*r, Some(unit))).collect()
}
