//! The demo county's year of cases (issue 15 §10), so that every case call and page has real
//! content: applications to departments and towns and penalty and inspection cases opened ex
//! officio, in every state — closed on time and late, open green, yellow and red, paused for
//! 专家评审 or 检测 with written notice, extended by a leader with a reason, refused naming the
//! competent unit, corrected once, deemed accepted, accepted at a subdistrict's window and
//! forwarded to the county department, transferred, withdrawn, with cooperating units — their
//! ratings (good and 差评) and complaints (some answered).
//!
//! Every step goes through the use cases (`apply_for_case`, `file_case`, `act_on_case`,
//! `rate_case`, `file_complaint`, `reply_complaint`, `tick_deadlines`), so every rule applies:
//! an item is taken only for a unit that `holds()` it on the day the case opens, in the way it
//! holds it. The steps are dated: a plan is drawn from the seed for the year up to "today" (the
//! loading service's clock), then replayed in time order by a service over the same store whose
//! clock moves to each step's time, with the deadline scheduler ticking at the start of every
//! day, as the server's does. The scheduler, not the plan, turns cases yellow and red, opens
//! supervision items and deems untouched applications accepted.
//!
//! The case year has its own clock: it overlaps the governance history (which runs to mid-2026
//! on the history's clock), so the ledger's times step back once where the cases begin.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Datelike, Days, Duration, NaiveDate, NaiveDateTime, Utc, Weekday};
use quanze_core::case::rating::{ComplaintKind, RatingChannel, RatingLevel};
use quanze_core::case::{Alert, CaseCommand, CaseRules, Clock as CaseClockValue, ClockKind};
use quanze_core::case::{Outcome, PauseReason, period_of};
use quanze_core::devolution::CertificateNo;
use quanze_core::item::{SessionDays, TimeLimit};
use quanze_core::{
    ComplaintId, Exercise, ItemId, PowerCategory, TaskId, UnitId, UnitKind, WorkCalendar,
};
use quanze_demo::parties::{Dice, Firm, Person};

use crate::cases::CaseCaller;
use crate::catalog::Catalog;
use crate::error::{ServiceError, ServiceResult};
use crate::views::cases::{
    ApplicantInput, ApplyRequest, ChannelInput, ComplaintRequest, FileCaseRequest, RatingRequest,
};
use crate::views::materials::MaterialUpload;
use crate::{Clock, CurrentUser, Service};

/// The random stream of the case plan (apart from the county generator's).
const STREAM: u64 = 15;

/// A clock the case year moves through, set to each step's local (Beijing) time; never back.
struct CaseClock(Mutex<DateTime<Utc>>);

impl Clock for CaseClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().expect("the case clock's lock is never poisoned")
    }
}

impl CaseClock {
    fn at(local: NaiveDateTime) -> CaseClock {
        CaseClock(Mutex::new(utc(local)))
    }

    fn set(&self, at: DateTime<Utc>) {
        let mut now = self.0.lock().expect("the case clock's lock is never poisoned");
        *now = at.max(*now);
    }
}

/// A Beijing local time as an instant.
fn utc(local: NaiveDateTime) -> DateTime<Utc> {
    (local - Duration::hours(8)).and_utc()
}

fn local(at: DateTime<Utc>) -> NaiveDateTime {
    crate::beijing_time(at)
}

/// Loads the year of cases up to `now` (the loading service's time) through `service`'s store
/// and settings; returns how many cases were opened. Without a personal-data key no case can
/// be received, so none are loaded.
pub(super) async fn load(service: &Service, seed: u64, now: DateTime<Utc>) -> ServiceResult<usize> {
    if service.config.cases.personal_key.is_none() {
        tracing::warn!("no personal-data key: the demo county is loaded without cases");
        return Ok(0);
    }
    let today = local(now).date();
    let start = today - Days::new(365);
    let clock = Arc::new(CaseClock::at(start.and_hms_opt(0, 1, 0).expect("a valid time")));
    let cases = Service::new(service.store.clone(), clock.clone(), service.config.clone()).await?;
    let staff = Staff::login(&cases).await?;
    let plan = Planner::new(&cases, seed, start, today).plan();
    replay(&cases, &clock, &staff, plan, start, now).await
}

/// The demo accounts that handle cases (county-wide roles).
struct Staff {
    clerk: CurrentUser,
    reviewer: CurrentUser,
    leader: CurrentUser,
    supervisor: CurrentUser,
}

impl Staff {
    async fn login(service: &Service) -> ServiceResult<Staff> {
        let login = |name: &'static str| async move {
            let login = service.login(name, super::DEMO_PASSWORD).await?;
            service.authenticate(&login.token).await
        };
        Ok(Staff {
            clerk: login("clerk").await?,
            reviewer: login("reviewer").await?,
            leader: login("leader").await?,
            supervisor: login("supervisor").await?,
        })
    }

    fn get(&self, who: Who) -> &CurrentUser {
        match who {
            Who::Clerk => &self.clerk,
            Who::Reviewer => &self.reviewer,
            Who::Leader => &self.leader,
            Who::Supervisor => &self.supervisor,
        }
    }
}

/// Which demo account acts.
#[derive(Debug, Clone, Copy)]
enum Who {
    Clerk,
    Reviewer,
    Leader,
    Supervisor,
}

/// The file the demo's applicants file as a missing material: a one-page PDF (its content is
/// what makes it a PDF; the demo's files are all this one, stored once under its digest).
const DEMO_PDF: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n\
2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n\
3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >> endobj\n\
trailer << /Root 1 0 R >>\n%%EOF\n";

/// One planned step of a case (or of a complaint about a unit).
#[derive(Debug)]
enum Act {
    /// 申请: online or by post by the applicant, at a window or a mobile point by the clerk.
    Apply(ApplyRequest),
    /// 立案.
    File(FileCaseRequest),
    /// A step by staff, for the case's handling unit or the one named.
    Staff(Who, Option<UnitId>, CaseCommand),
    /// A step by the applicant with the access code.
    Applicant(CaseCommand),
    /// The applicant files a material (the one a 容缺受理 accepted as missing), online.
    Supply(String),
    /// 评价.
    Rate(RatingLevel, RatingChannel, &'static str),
    /// 投诉建议 about this track's case (or, without a case, as the request says).
    Complain(ComplaintRequest),
    /// 答复 to this track's complaint.
    Reply(&'static str, bool),
}

/// One case's planned steps, at their local times, in order.
#[derive(Debug, Default)]
struct Track {
    steps: Vec<(NaiveDateTime, Act)>,
}

/// What the replay learnt of a track: its receipt, access code and complaint.
#[derive(Default)]
struct TrackState {
    receipt: Option<String>,
    access: Option<String>,
    complaint: Option<ComplaintId>,
}

async fn replay(
    service: &Service,
    clock: &CaseClock,
    staff: &Staff,
    plan: Vec<Track>,
    start: NaiveDate,
    now: DateTime<Utc>,
) -> ServiceResult<usize> {
    let today = local(now).date();
    let mut events: Vec<(NaiveDateTime, usize, usize)> = plan
        .iter()
        .enumerate()
        .flat_map(|(t, track)| track.steps.iter().enumerate().map(move |(s, (at, _))| (*at, t, s)))
        .collect();
    events.sort();
    let mut states: Vec<TrackState> = plan.iter().map(|_| TrackState::default()).collect();
    let mut next = events.iter().peekable();
    let mut opened = 0;
    let mut day = start;
    while day <= today {
        // The scheduler's tick early in the day, as the server's (today: no later than now).
        let tick = utc(day.and_hms_opt(0, 5, 0).expect("a valid time")).min(now);
        clock.set(tick);
        service.tick_deadlines(day, 1_000).await?;
        let until = utc(day.succ_opt().unwrap_or(day).and_hms_opt(0, 5, 0).expect("a valid time"));
        while let Some(&&(at, t, s)) = next.peek() {
            if utc(at) >= until {
                break;
            }
            next.next();
            clock.set(utc(at));
            let act = &plan[t].steps[s].1;
            opened +=
                usize::from(step(service, staff, &mut states[t], act).await.map_err(|err| {
                    let receipt = states[t].receipt.as_deref().unwrap_or("(new)");
                    ServiceError::Internal(format!(
                        "demo case {receipt}, step {} on {at} ({act:?}): {err} — {}",
                        s + 1,
                        err.zh()
                    ))
                })?);
        }
        let Some(next_day) = day.succ_opt() else { break };
        day = next_day;
    }
    Ok(opened)
}

/// Takes one step; answers whether it opened a case.
async fn step(
    service: &Service,
    staff: &Staff,
    state: &mut TrackState,
    act: &Act,
) -> ServiceResult<bool> {
    let receipt =
        || state.receipt.clone().ok_or_else(|| ServiceError::Internal("no case yet".to_owned()));
    match act {
        Act::Apply(req) => {
            let by = match req.channel {
                ChannelInput::Window | ChannelInput::Mobile { .. } => Some(&staff.clerk),
                ChannelInput::Online | ChannelInput::Post => None,
            };
            let out = service.apply_for_case(by, req.clone()).await?;
            state.receipt = Some(out.receipt);
            state.access = out.access_code;
            Ok(true)
        }
        Act::File(req) => {
            let out = service.file_case(&staff.clerk, req.clone()).await?;
            state.receipt = Some(out.receipt);
            state.access = out.access_code;
            Ok(true)
        }
        Act::Staff(who, unit, command) => {
            let caller = CaseCaller::Staff(staff.get(*who), *unit);
            service.act_on_case(caller, &receipt()?, command.clone()).await?;
            Ok(false)
        }
        Act::Applicant(command) => {
            let code = state.access.clone().unwrap_or_default();
            service.act_on_case(CaseCaller::Applicant(&code), &receipt()?, command.clone()).await?;
            Ok(false)
        }
        Act::Supply(name) => {
            let code = state.access.clone().unwrap_or_default();
            let req = MaterialUpload { name: name.clone(), valid_until: None };
            let caller = CaseCaller::Applicant(&code);
            service.upload_material(caller, &receipt()?, req, DEMO_PDF.to_vec()).await?;
            Ok(false)
        }
        Act::Rate(level, channel, comment) => {
            let req = RatingRequest {
                access_code: state.access.clone().unwrap_or_default(),
                level: *level,
                channel: *channel,
                comment: (!comment.is_empty()).then(|| (*comment).to_owned()),
            };
            service.rate_case(&receipt()?, req).await?;
            Ok(false)
        }
        Act::Complain(req) => {
            let mut req = req.clone();
            if req.unit.is_none() {
                req.case = Some(receipt()?);
            }
            state.complaint = Some(service.file_complaint(req).await?.id);
            Ok(false)
        }
        Act::Reply(text, publish) => {
            let id = state
                .complaint
                .ok_or_else(|| ServiceError::Internal("no complaint to answer".to_owned()))?;
            service.reply_complaint(&staff.supervisor, id, text, *publish).await?;
            Ok(false)
        }
    }
}

/// A power a unit holds, as the plan uses it.
#[derive(Debug, Clone)]
struct Holding {
    unit: UnitId,
    item: ItemId,
    exercise: Exercise,
    category: PowerCategory,
    statutory: Option<TimeLimit>,
    committed: Option<TimeLimit>,
    materials: Vec<String>,
    /// 定期审批: decided on these days only.
    sessions: Option<SessionDays>,
}

impl Holding {
    /// The committed limit in working days (what the applicant is shown).
    fn committed_days(&self) -> u32 {
        self.committed.or(self.statutory).map_or(20, |l| l.amount)
    }

    /// The statutory limit in working days (a licence without one: 20, 许可法第四十二条).
    fn statutory_days(&self) -> u32 {
        self.statutory.map_or(20, |l| l.amount)
    }
}

/// The powers the plan draws from, by the part they play.
#[derive(Default)]
struct Pools {
    /// On-application powers with time limits that departments decide themselves.
    department_service: Vec<Holding>,
    /// The same for towns and subdistricts.
    town_service: Vec<Holding>,
    /// Licences (the procedure with pauses, extensions and deemed acceptance).
    licensing: Vec<Holding>,
    /// Powers a town or subdistrict only accepts or reviews for a department (窗口前移,
    /// 下放实质性审核权) on application.
    forward: Vec<Holding>,
    /// Penalties a unit decides in its own name.
    penalty: Vec<Holding>,
    /// Inspections of departments.
    inspection: Vec<Holding>,
    /// On-application powers that several units hold in their own name (for refusals that
    /// name the competent unit and for transfers).
    shared: BTreeMap<ItemId, Vec<UnitId>>,
    /// A department's powers handed to some towns (the department's authority leaves them
    /// out): the towns.
    passed: BTreeMap<(UnitId, ItemId), Vec<UnitId>>,
}

fn is_service(category: PowerCategory) -> bool {
    matches!(
        category,
        PowerCategory::Licensing
            | PowerCategory::Confirmation
            | PowerCategory::Benefit
            | PowerCategory::PublicService
    )
}

impl Pools {
    fn of(catalog: &Catalog, dates: &[NaiveDate]) -> Pools {
        let mut pools = Pools::default();
        let granted: BTreeSet<ItemId> = catalog.grants.iter().map(|g| g.item).collect();
        let mut shared: BTreeMap<ItemId, BTreeSet<UnitId>> = BTreeMap::new();
        for unit in catalog.units.iter() {
            let town = unit.kind.is_township_level();
            if !town && unit.kind != UnitKind::Department {
                continue;
            }
            let mut items: BTreeSet<ItemId> = dates
                .iter()
                .flat_map(|d| catalog.holdings.holdings(unit.id, *d).map(|e| e.item))
                .collect();
            if town {
                items.extend(granted.iter().copied());
            }
            for item in items {
                let Some(authority) =
                    dates.iter().rev().find_map(|d| catalog.authority.holds(unit.id, item, *d))
                else {
                    continue;
                };
                let version = match authority.source {
                    quanze_core::authority::Source::List { item_version, .. }
                    | quanze_core::authority::Source::Grant { item_version, .. } => item_version,
                };
                let Some(power) = catalog.item(item, version) else { continue };
                let content = &power.content;
                let service = content.service.as_ref();
                let holding = Holding {
                    unit: unit.id,
                    item,
                    exercise: authority.exercise,
                    category: content.category,
                    statutory: service.and_then(|s| s.statutory_limit),
                    committed: service.and_then(|s| s.committed_limit),
                    materials: service
                        .map(|s| s.materials.iter().map(|m| m.name.clone()).collect())
                        .unwrap_or_default(),
                    sessions: service.and_then(|s| s.sessions.clone()),
                };
                let timed = holding.committed.is_some_and(|l| l.amount > 0);
                match (holding.exercise, holding.category) {
                    (Exercise::OwnName, c) if is_service(c) && timed => {
                        shared.entry(item).or_default().insert(unit.id);
                        if c == PowerCategory::Licensing {
                            pools.licensing.push(holding.clone());
                        }
                        if town {
                            pools.town_service.push(holding);
                        } else {
                            if !authority.except_in.is_empty() {
                                pools.passed.insert((unit.id, item), authority.except_in.clone());
                            }
                            pools.department_service.push(holding);
                        }
                    }
                    (Exercise::AcceptOnly { .. } | Exercise::ReviewOnly { .. }, c)
                        if town && is_service(c) && timed =>
                    {
                        pools.forward.push(holding)
                    }
                    (Exercise::OwnName, PowerCategory::Penalty) => pools.penalty.push(holding),
                    (Exercise::OwnName, PowerCategory::Inspection) if !town => {
                        pools.inspection.push(holding)
                    }
                    _ => {}
                }
            }
        }
        pools.shared = shared
            .into_iter()
            .filter(|(_, units)| units.len() > 1)
            .map(|(item, units)| (item, units.into_iter().collect()))
            .collect();
        pools
    }
}

/// What a planned application looks like at first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scenario {
    OnTime,
    Late,
    Submitted,
    OpenGreen,
    OpenYellow,
    OpenRed,
    Paused,
    PausedOpen,
    Extended,
    ExtendedOpen,
    RefusedCompetent,
    RefusedOther,
    Correction,
    CorrectionOpen,
    Deemed,
    DeemedOpen,
    Forwarded,
    ForwardedOpen,
    Withdrawn,
    Tolerated,
    Cooperation,
    Transferred,
    PenaltyOrdinary,
    PenaltyLate,
    PenaltyHearing,
    PenaltyNoAction,
    PenaltySummary,
    PenaltyOpen,
    Inspection,
    UnitComplaint,
}

/// How many of each, over a year.
const MIX: [(Scenario, u32); 30] = [
    (Scenario::OnTime, 95),
    (Scenario::Late, 18),
    (Scenario::Submitted, 4),
    (Scenario::OpenGreen, 16),
    (Scenario::OpenYellow, 8),
    (Scenario::OpenRed, 8),
    (Scenario::Paused, 6),
    (Scenario::PausedOpen, 3),
    (Scenario::Extended, 4),
    (Scenario::ExtendedOpen, 2),
    (Scenario::RefusedCompetent, 5),
    (Scenario::RefusedOther, 3),
    (Scenario::Correction, 10),
    (Scenario::CorrectionOpen, 2),
    (Scenario::Deemed, 4),
    (Scenario::DeemedOpen, 1),
    (Scenario::Forwarded, 8),
    (Scenario::ForwardedOpen, 3),
    (Scenario::Withdrawn, 4),
    (Scenario::Tolerated, 4),
    (Scenario::Cooperation, 4),
    (Scenario::Transferred, 3),
    (Scenario::PenaltyOrdinary, 22),
    (Scenario::PenaltyLate, 2),
    (Scenario::PenaltyHearing, 4),
    (Scenario::PenaltyNoAction, 3),
    (Scenario::PenaltySummary, 10),
    (Scenario::PenaltyOpen, 10),
    (Scenario::Inspection, 10),
    (Scenario::UnitComplaint, 8),
];

/// When the open penalty cases were filed (days before today, from and until), by how far they
/// have come: filed (green); under investigation past the 90 days (red) or near them (yellow);
/// paused for an appraisal; the party told of the intended decision; a hearing requested.
const OPEN_PENALTY_FILED: [(u64, u64); 6] =
    [(15, 1), (110, 96), (86, 75), (60, 30), (40, 12), (50, 18)];

const GOOD_COMMENTS: [&str; 6] = [
    "办理速度快，工作人员态度好",
    "一次办好，不用来回跑",
    "网上提交很方便，进度随时能查",
    "窗口人员耐心讲解，材料一次就交齐了",
    "比承诺时间提前办结",
    "",
];
const BASIC_COMMENTS: [&str; 2] = ["流程还可以再简化", "等候时间略长"];
const BAD_COMMENTS: [&str; 3] = [
    "超过承诺时限才办结，中间没有人告知进度",
    "多次电话询问进度无人答复",
    "要求补充的材料前后不一致",
];

const DENIAL_REMEDIES: &str = "如不服本决定，可以自收到本决定书之日起六十日内向清源县人民政府申请行政复议，或者在六个月内向清源县人民法院提起行政诉讼";

/// Working days of the calendar the service counts with.
struct WorkDays(Arc<WorkCalendar>);

impl WorkDays {
    fn is_working(&self, day: NaiveDate) -> bool {
        self.0.is_working_day(day).unwrap_or(!matches!(day.weekday(), Weekday::Sat | Weekday::Sun))
    }

    /// `day` if it is a working day, else the next one.
    fn working_on(&self, day: NaiveDate) -> NaiveDate {
        if self.is_working(day) { day } else { self.wd(day, 1) }
    }

    /// `n` working days after `day`.
    fn wd(&self, day: NaiveDate, n: u32) -> NaiveDate {
        self.0.add_working_days(day, n).date
    }

    /// The working day `n` working days before `day` (a working day itself).
    fn wd_back(&self, day: NaiveDate, n: u32) -> NaiveDate {
        let mut d = day;
        let mut left = n;
        while left > 0 || !self.is_working(d) {
            d = d.pred_opt().unwrap_or(d);
            if self.is_working(d) && left > 0 {
                left -= 1;
            }
        }
        d
    }
}

/// Draws the year's cases.
struct Planner {
    catalog: Arc<Catalog>,
    days: WorkDays,
    rules: CaseRules,
    dice: Dice,
    start: NaiveDate,
    today: NaiveDate,
    pools: Pools,
    persons: Vec<Person>,
    firms: Vec<Firm>,
    towns: Vec<UnitId>,
    departments: Vec<UnitId>,
    tracks: Vec<Track>,
    documents: u32,
    tasks: Vec<TaskId>,
    /// Penalty cases left open so far (each takes the next stage).
    open_penalties: u32,
}

impl Planner {
    fn new(service: &Service, seed: u64, start: NaiveDate, today: NaiveDate) -> Planner {
        let catalog = service.catalog();
        let span = (today - start).num_days().max(1) as u64;
        let dates: Vec<NaiveDate> =
            (0..4).map(|k| start + Days::new(span * k / 3)).map(|d| d.min(today)).collect();
        let pools = Pools::of(&catalog, &dates);
        let mut dice = Dice::new(seed, STREAM);
        let (county, region) = quanze_demo::data::COUNTY;
        let region6 = &region[..6];
        let persons = (0..160).map(|_| quanze_demo::parties::person(&mut dice, region6)).collect();
        let firms =
            (0..80).map(|_| quanze_demo::parties::firm(&mut dice, county, region6)).collect();
        let towns =
            catalog.units.iter().filter(|u| u.kind.is_township_level()).map(|u| u.id).collect();
        let departments =
            catalog.units.iter().filter(|u| u.kind == UnitKind::Department).map(|u| u.id).collect();
        // Task ids for cooperating units come from the service's id source.
        let tasks = (0..8).map(|_| TaskId::from_uuid(service.ids.case_uuid())).collect();
        Planner {
            days: WorkDays(service.calendar()),
            rules: service.config.cases.rules.clone(),
            catalog,
            dice,
            start,
            today,
            pools,
            persons,
            firms,
            towns,
            departments,
            tracks: Vec::new(),
            documents: 0,
            tasks,
            open_penalties: 0,
        }
    }

    fn plan(mut self) -> Vec<Track> {
        for (scenario, n) in MIX {
            for _ in 0..n {
                // A draw that finds no power held that day, or runs past today, is drawn again.
                for _ in 0..8 {
                    if let Some(track) = self.draw(scenario)
                        && track.steps.iter().all(|(at, _)| at.date() < self.today)
                    {
                        self.tracks.push(track);
                        self.open_penalties += u32::from(scenario == Scenario::PenaltyOpen);
                        break;
                    }
                }
            }
        }
        self.tracks
    }

    /// A day drawn from `from..=until` (clamped to the year).
    fn day_between(&mut self, from: NaiveDate, until: NaiveDate) -> NaiveDate {
        let from = from.max(self.start);
        let until = until.min(self.today - Days::new(1)).max(from);
        let span = (until - from).num_days().max(0) as u32;
        from + Days::new(u64::from(self.dice.range(0, span)))
    }

    /// A day drawn from the year, leaving `room` days before today.
    fn day_leaving(&mut self, room: u64) -> NaiveDate {
        let until = self.today - Days::new(room);
        self.day_between(self.start, until)
    }

    fn office(&mut self, day: NaiveDate) -> NaiveDateTime {
        let minutes = i64::from(self.dice.range(0, 9 * 60));
        day.and_hms_opt(8, 30, 0).expect("a valid time") + Duration::minutes(minutes)
    }

    /// Appends a step on `day` (at an office hour, after the track's last step).
    fn push(&mut self, track: &mut Track, day: NaiveDate, act: Act) {
        let mut at = self.office(day);
        if let Some((last, _)) = track.steps.last() {
            at = at.max(*last + Duration::minutes(i64::from(self.dice.range(3, 20))));
        }
        track.steps.push((at, act));
    }

    // ---- powers and parties ----

    /// A power of `pool` that its unit holds on `day` in the same way.
    fn pick(&mut self, pool: fn(&Pools) -> &Vec<Holding>, day: NaiveDate) -> Option<Holding> {
        let n = pool(&self.pools).len();
        if n == 0 {
            return None;
        }
        for _ in 0..40 {
            let h = pool(&self.pools)[self.dice.below(n)].clone();
            let held = self.catalog.authority.holds(h.unit, h.item, day);
            if held.is_some_and(|a| a.exercise == h.exercise) {
                return Some(h);
            }
        }
        None
    }

    fn applicant(&mut self, firm_share: f64) -> ApplicantInput {
        if self.dice.chance(firm_share) {
            let firm = &self.firms[self.dice.below(self.firms.len())];
            ApplicantInput {
                kind: "organisation".into(),
                name: firm.name.clone(),
                number: firm.credit_code.as_str().to_owned(),
            }
        } else {
            let person = &self.persons[self.dice.below(self.persons.len())];
            ApplicantInput {
                kind: "person".into(),
                name: person.name.clone(),
                number: person.id_number.as_str().to_owned(),
            }
        }
    }

    fn unit_name(&self, unit: UnitId) -> String {
        self.catalog.unit(unit).map(|u| u.name.clone()).unwrap_or_default()
    }

    /// Two certified officers of `unit` (行政处罚法第四十二条).
    fn officers(&self, unit: UnitId) -> Vec<CertificateNo> {
        let n = self.catalog.units.iter().position(|u| u.id == unit).unwrap_or(0);
        (1..=2).filter_map(|k| CertificateNo::parse(&format!("AH1128{n:02}{k:03}")).ok()).collect()
    }

    fn document(&mut self, day: NaiveDate, kind: &str) -> String {
        self.documents += 1;
        format!("清{kind}〔{}〕{}号", day.year(), self.documents)
    }

    // ---- alerts ----

    /// The worst alert on `on` of the decision and committed clocks an acceptance on
    /// `accepted` starts (what the scheduler will find).
    fn alert_if_accepted(&self, h: &Holding, accepted: NaiveDate, on: NaiveDate) -> Alert {
        let statutory = match (h.category, h.statutory) {
            (_, Some(l)) => Some(period_of(h.category, l)),
            (PowerCategory::Licensing, None) => Some(quanze_core::Period::WorkingDays(20)),
            _ => None,
        };
        let committed = h.committed.map(|l| period_of(h.category, l));
        [(ClockKind::Decision, statutory), (ClockKind::Committed, committed)]
            .into_iter()
            .filter_map(|(kind, period)| {
                let clock = CaseClockValue::start(kind, "", accepted, period?, true, &self.days.0);
                Some(clock.alert(on, self.rules.yellow_permille, &self.days.0))
            })
            .max()
            .unwrap_or(Alert::Green)
    }

    // ---- scenarios ----

    fn draw(&mut self, scenario: Scenario) -> Option<Track> {
        use Scenario as S;
        match scenario {
            S::OnTime | S::Late | S::Tolerated | S::Cooperation | S::Withdrawn => {
                let day = self.day_leaving(if scenario == S::Late { 70 } else { 50 });
                let h = if self.dice.chance(0.3) {
                    self.pick(|p| &p.town_service, day)?
                } else {
                    self.pick(|p| &p.department_service, day)?
                };
                self.application(scenario, h, day)
            }
            S::Submitted | S::OpenGreen | S::OpenYellow | S::OpenRed => {
                let day = self.today - Days::new(1);
                let h = self.pick(|p| &p.department_service, day)?;
                if h.committed_days() < 5 {
                    return None;
                }
                self.open_application(scenario, h)
            }
            S::Paused
            | S::PausedOpen
            | S::Extended
            | S::ExtendedOpen
            | S::Deemed
            | S::DeemedOpen => {
                let day = match scenario {
                    S::Extended => self.day_leaving(120),
                    S::Paused => self.day_leaving(90),
                    S::Deemed => self.day_leaving(70),
                    S::DeemedOpen => {
                        self.day_between(self.today - Days::new(20), self.today - Days::new(10))
                    }
                    // Open ones are dated back from today; the power is checked on that day.
                    _ => self.today - Days::new(1),
                };
                let h = self.pick(|p| &p.licensing, day)?;
                self.licence(scenario, h, day)
            }
            S::RefusedCompetent | S::RefusedOther | S::Transferred => {
                let day = self.day_leaving(30);
                self.refusal(scenario, day)
            }
            S::Correction | S::CorrectionOpen => {
                let day = if scenario == S::Correction {
                    self.day_leaving(60)
                } else {
                    self.day_between(self.today - Days::new(6), self.today)
                };
                let h = self.pick(|p| &p.department_service, day)?;
                self.correction(scenario, h, day)
            }
            S::Forwarded | S::ForwardedOpen => {
                let day = if scenario == S::Forwarded {
                    self.day_leaving(50)
                } else {
                    self.day_between(self.today - Days::new(12), self.today)
                };
                let h = self.pick(|p| &p.forward, day)?;
                self.forwarded(scenario, h, day)
            }
            S::PenaltyOrdinary
            | S::PenaltyLate
            | S::PenaltyHearing
            | S::PenaltyNoAction
            | S::PenaltySummary
            | S::PenaltyOpen => {
                let day = match scenario {
                    S::PenaltySummary => self.day_leaving(2),
                    S::PenaltyOpen => {
                        let (from, until) = OPEN_PENALTY_FILED[self.open_penalties as usize % 6];
                        self.day_between(
                            self.today - Days::new(from),
                            self.today - Days::new(until),
                        )
                    }
                    S::PenaltyLate => self.day_leaving(150),
                    _ => self.day_leaving(110),
                };
                let day = self.days.working_on(day);
                let h = self.pick(|p| &p.penalty, day)?;
                self.penalty(scenario, h, day)
            }
            S::Inspection => {
                let day = self.day_leaving(30);
                let day = self.days.working_on(day);
                let h = self.pick(|p| &p.inspection, day)?;
                self.inspection(h, day)
            }
            S::UnitComplaint => self.unit_complaint(),
        }
    }

    /// Opens an application on `day` (a window or mobile point only on a working day), when
    /// the unit holds the power that day as the plan took it.
    fn apply(&mut self, h: &Holding, day: NaiveDate) -> Option<(Track, NaiveDate, bool)> {
        let mut track = Track::default();
        let firm_share = if h.category == PowerCategory::Licensing { 0.6 } else { 0.2 };
        let applicant = self.applicant(firm_share);
        let roll = self.dice.range(0, 99);
        let (channel, day) = match roll {
            0..=49 => (ChannelInput::Online, day),
            50..=84 => (ChannelInput::Window, self.days.working_on(day)),
            85..=89 => (ChannelInput::Post, self.days.working_on(day)),
            _ => {
                let place = format!("{}流动便民服务点", self.unit_name(h.unit));
                (ChannelInput::Mobile { place }, self.days.working_on(day))
            }
        };
        let held = self.catalog.authority.holds(h.unit, h.item, day);
        if !held.is_some_and(|a| a.exercise == h.exercise) {
            return None;
        }
        let counter = matches!(channel, ChannelInput::Window | ChannelInput::Mobile { .. });
        let req = ApplyRequest { item: h.item, unit: h.unit, applicant, channel };
        self.push(&mut track, day, Act::Apply(req));
        Some((track, day, counter))
    }

    /// 受理 within two working days of `received`.
    fn accept_day(&mut self, received: NaiveDate) -> NaiveDate {
        let first = self.days.working_on(received);
        if self.dice.chance(0.6) { first } else { self.days.wd(first, 1) }
    }

    fn grant(&mut self, day: NaiveDate, h: &Holding) -> CaseCommand {
        let outcome = if self.dice.chance(0.06) {
            Outcome::Denied {
                reasons: "经审查，申请人不符合法定条件".into(),
                remedies: DENIAL_REMEDIES.into(),
            }
        } else {
            let document =
                (h.category == PowerCategory::Licensing).then(|| self.document(day, "许"));
            Outcome::Granted { document }
        };
        CaseCommand::Decide { outcome, major: false }
    }

    /// 决定, 送达 and 办结 from `decided`; then the applicant's rating, maybe a complaint.
    fn finish(
        &mut self,
        track: &mut Track,
        h: &Holding,
        decided: NaiveDate,
        counter: bool,
        late: bool,
    ) {
        // 定期审批: the decision waits for the item's next session day.
        let decided =
            h.sessions.as_ref().map_or(decided, |s| s.next_on_or_after(decided, &self.days.0).date);
        let decide = self.grant(decided, h);
        self.push(track, decided, Act::Staff(Who::Leader, None, decide));
        let delivered = self.days.wd(decided, self.dice.range(0, 2));
        let (method, in_person) = if counter && self.dice.chance(0.2) {
            ("窗口领取", true)
        } else if counter {
            ("免费邮寄送达", false)
        } else {
            ("电子送达", false)
        };
        let deliver = CaseCommand::Deliver { method: method.into(), in_person };
        self.push(track, delivered, Act::Staff(Who::Clerk, None, deliver));
        self.push(track, delivered, Act::Staff(Who::Clerk, None, CaseCommand::Close));
        self.rate(track, delivered, counter, late);
    }

    fn rate(&mut self, track: &mut Track, ended: NaiveDate, counter: bool, late: bool) {
        if !self.dice.chance(0.75) {
            return;
        }
        let roll = self.dice.range(0, 99);
        let bad = if late { roll < 45 } else { roll < 4 };
        let (level, comment) = if bad {
            let level = if self.dice.chance(0.5) {
                RatingLevel::Dissatisfied
            } else {
                RatingLevel::VeryDissatisfied
            };
            (level, BAD_COMMENTS[self.dice.below(BAD_COMMENTS.len())])
        } else if roll < 14 {
            (RatingLevel::Basic, BASIC_COMMENTS[self.dice.below(BASIC_COMMENTS.len())])
        } else if roll < 40 {
            (RatingLevel::Satisfied, GOOD_COMMENTS[self.dice.below(GOOD_COMMENTS.len())])
        } else {
            (RatingLevel::VerySatisfied, GOOD_COMMENTS[self.dice.below(GOOD_COMMENTS.len())])
        };
        let channel = if counter { RatingChannel::Window } else { RatingChannel::Online };
        let day = ended + Days::new(u64::from(self.dice.range(0, 3)));
        self.push(track, day, Act::Rate(level, channel, comment));
        if self.dice.chance(0.15) {
            let later = day + Days::new(u64::from(self.dice.range(1, 5)));
            self.push(track, later, Act::Rate(level, RatingChannel::Overall, ""));
        }
        if bad && self.dice.chance(0.6) {
            self.complain_about_case(track, day + Days::new(1));
        }
    }

    fn complain_about_case(&mut self, track: &mut Track, day: NaiveDate) {
        let texts = [
            "办件超过承诺时限才办结，期间多次询问没有明确答复，希望加强督办",
            "补正材料的要求前后不一致，来回跑了两趟",
            "窗口工作人员解释政策不耐心",
        ];
        let text = texts[self.dice.below(texts.len())].to_owned();
        let named = self.dice.chance(0.5);
        let contact = named.then(|| format!("联系电话 1380550{:04}", self.dice.range(0, 9999)));
        let req = ComplaintRequest {
            kind: Some(ComplaintKind::Complaint),
            case: None,
            item: None,
            unit: None,
            text,
            contact,
            publishable: self.dice.chance(0.5),
        };
        self.push(track, day, Act::Complain(req));
        self.reply(track, day);
    }

    fn reply(&mut self, track: &mut Track, day: NaiveDate) {
        if !self.dice.chance(0.7) {
            return;
        }
        let replies = [
            "经核查，该办件因需补充核实申请材料导致延误，已督促承办单位加快办理并向申请人致歉，相关人员已作批评教育",
            "已转承办单位核实整改，统一补正材料清单并在办事指南中公布，感谢您的监督",
            "经调查，反映情况属实，已约谈承办科室负责人，纳入年度绩效考核",
        ];
        let text = replies[self.dice.below(replies.len())];
        let answered = self.days.wd(self.days.working_on(day), self.dice.range(2, 12));
        self.push(track, answered, Act::Reply(text, true));
    }

    fn application(&mut self, scenario: Scenario, h: Holding, day: NaiveDate) -> Option<Track> {
        let (mut track, received, counter) = self.apply(&h, day)?;
        let accepted = self.accept_day(received);
        let c = h.committed_days();
        let mut promise = None;
        let accept = if scenario == Scenario::Tolerated {
            let missing = h.materials.last().cloned().unwrap_or_else(|| "场地产权证明".into());
            let promised = accepted + Days::new(u64::from(self.dice.range(5, 10)));
            promise = Some((missing.clone(), promised));
            CaseCommand::Accept { missing: vec![missing], promised: Some(promised) }
        } else {
            CaseCommand::Accept { missing: vec![], promised: None }
        };
        self.push(&mut track, accepted, Act::Staff(Who::Clerk, None, accept));
        match scenario {
            // 容缺受理: most applicants file the material by the day promised, some after it,
            // a few never (the scheduler flags those the day after); the decision comes after
            // the filing, or after the promise ran out.
            Scenario::Tolerated => {
                let (missing, promised) = promise?;
                let filed = match self.dice.below(10) {
                    0..=6 => Some(self.day_between(accepted + Days::new(1), promised)),
                    7 | 8 => Some(promised + Days::new(u64::from(self.dice.range(1, 4)))),
                    _ => None,
                };
                let waited = filed.unwrap_or(promised + Days::new(1));
                if let Some(day) = filed {
                    self.push(&mut track, day, Act::Supply(missing));
                }
                let decided = self.days.wd(accepted, self.dice.range(0, c.saturating_sub(1)));
                let decided = decided.max(self.days.wd(waited, 1));
                self.finish(&mut track, &h, decided, counter, false);
            }
            Scenario::Late => {
                let decided = self.days.wd(accepted, c + self.dice.range(1, 8));
                if self.dice.chance(0.5) {
                    let urged = self.days.wd(accepted, c + 1);
                    if urged < decided {
                        let urge = CaseCommand::Urge {
                            note: "已超承诺时限，请于三个工作日内办结".into(),
                        };
                        self.push(&mut track, urged, Act::Staff(Who::Leader, None, urge));
                    }
                }
                self.finish(&mut track, &h, decided, counter, true);
            }
            Scenario::Withdrawn => {
                let day = self.days.wd(accepted, self.dice.range(1, c.saturating_sub(1).max(1)));
                let withdraw = CaseCommand::Withdraw {
                    reason: "经营计划调整，主动撤回申请".into(),
                };
                self.push(&mut track, day, Act::Applicant(withdraw));
                self.rate(&mut track, day, counter, false);
            }
            Scenario::Cooperation => {
                let coop = self.other_department(h.unit)?;
                let task = self.tasks.pop()?;
                let assign = CaseCommand::AssignTask {
                    task,
                    unit: coop,
                    description: "请协助核查申请人经营场所是否符合相关安全要求".into(),
                    period: quanze_core::Period::WorkingDays(3),
                };
                self.push(&mut track, accepted, Act::Staff(Who::Reviewer, None, assign));
                let done = self.days.wd(accepted, self.dice.range(1, 3));
                let complete = CaseCommand::CompleteTask {
                    task,
                    result: "经现场核查，符合要求，同意办理".into(),
                };
                self.push(&mut track, done, Act::Staff(Who::Clerk, Some(coop), complete));
                let sign = CaseCommand::Countersign { opinion: "同意，按程序办理".into() };
                self.push(&mut track, done, Act::Staff(Who::Leader, None, sign));
                let decided = self.days.wd(done, 1).min(self.days.wd(accepted, c.max(4)));
                self.finish(&mut track, &h, decided.max(done), counter, false);
            }
            _ => {
                let decided = self.days.wd(accepted, self.dice.range(0, c.saturating_sub(1)));
                self.finish(&mut track, &h, decided, counter, false);
            }
        }
        Some(track)
    }

    fn other_department(&mut self, not: UnitId) -> Option<UnitId> {
        let others: Vec<UnitId> = self.departments.iter().copied().filter(|d| *d != not).collect();
        self.dice.pick(&others).copied()
    }

    /// Applications still open today: not yet accepted, or accepted so that the scheduler
    /// finds them green, yellow or red.
    fn open_application(&mut self, scenario: Scenario, h: Holding) -> Option<Track> {
        let today = self.today;
        let last = self.days.wd_back(today - Days::new(1), 0);
        let accepted = match scenario {
            Scenario::Submitted => None,
            Scenario::OpenGreen => {
                let a = self.days.wd_back(last, self.dice.range(0, 2));
                Some((self.alert_if_accepted(&h, a, today) == Alert::Green).then_some(a)?)
            }
            Scenario::OpenYellow => {
                // Back from yesterday until the scheduler would call it yellow today.
                let mut found = None;
                for n in 0..h.committed_days() + 2 {
                    let a = self.days.wd_back(last, n);
                    match self.alert_if_accepted(&h, a, today) {
                        Alert::Yellow => {
                            found = Some(a);
                            break;
                        }
                        Alert::Red => break,
                        Alert::Green => {}
                    }
                }
                Some(found?)
            }
            _ => {
                let a = self.days.wd_back(last, h.committed_days() + self.dice.range(2, 15));
                Some((self.alert_if_accepted(&h, a, today) == Alert::Red).then_some(a)?)
            }
        };
        let received = match accepted {
            Some(a) => a,
            None => self.day_between(today - Days::new(2), today),
        };
        let (mut track, received_on, _) = self.apply(&h, received)?;
        let Some(a) = accepted else { return Some(track) };
        if received_on > a {
            return None;
        }
        let accept = CaseCommand::Accept { missing: vec![], promised: None };
        self.push(&mut track, a, Act::Staff(Who::Clerk, None, accept));
        if scenario == Scenario::OpenRed {
            let due = self.days.wd(a, h.committed_days());
            let urged = self.days.wd(due, 2);
            if urged < today {
                let urge = CaseCommand::Urge {
                    note: "已超承诺时限，请说明原因并尽快办结".into()
                };
                self.push(&mut track, urged, Act::Staff(Who::Leader, None, urge));
            }
            let supervised = self.days.wd(due, 4);
            if supervised < today && self.dice.chance(0.6) {
                let supervise = CaseCommand::Supervise {
                    note: "超期未办结，列入督办，限五个工作日内办结并书面说明".into(),
                };
                self.push(&mut track, supervised, Act::Staff(Who::Supervisor, None, supervise));
                if self.dice.chance(0.5) {
                    self.complain_about_case(&mut track, supervised);
                }
            }
        }
        Some(track)
    }

    /// Licences with their special procedures.
    fn licence(&mut self, scenario: Scenario, h: Holding, day: NaiveDate) -> Option<Track> {
        use Scenario as S;
        let today = self.today;
        let s = h.statutory_days();
        let c = h.committed_days();
        let pause = |reason: PauseReason, note: &str| CaseCommand::Pause {
            reason,
            note: note.to_owned(),
            notified_in_writing: true,
        };
        let (reason, note) = if self.dice.chance(0.5) {
            (
                PauseReason::ExpertReview,
                "组织专家评审，评审所需时间不计入审查期限，已书面告知申请人",
            )
        } else {
            (PauseReason::Testing, "委托检测机构检测，检测所需时间不计入审查期限，已书面告知申请人")
        };
        match scenario {
            S::Paused => {
                let (mut track, received, counter) = self.apply(&h, day)?;
                let a = self.accept_day(received);
                self.push(&mut track, a, Act::Staff(Who::Clerk, None, accept()));
                let paused = self.days.wd(a, self.dice.range(1, c.saturating_sub(1).clamp(1, 3)));
                self.push(&mut track, paused, Act::Staff(Who::Reviewer, None, pause(reason, note)));
                let resumed = self.days.wd(paused, self.dice.range(5, 15));
                self.push(
                    &mut track,
                    resumed,
                    Act::Staff(Who::Reviewer, None, CaseCommand::Resume),
                );
                let decided = self.days.wd(resumed, 1);
                self.finish(&mut track, &h, decided, counter, false);
                Some(track)
            }
            S::PausedOpen => {
                let paused = self.days.wd_back(today - Days::new(1), self.dice.range(0, 12));
                let a = self.days.wd_back(paused, 1);
                let (mut track, received, _) = self.apply(&h, a)?;
                if received > a {
                    return None;
                }
                self.push(&mut track, a, Act::Staff(Who::Clerk, None, accept()));
                self.push(&mut track, paused, Act::Staff(Who::Reviewer, None, pause(reason, note)));
                Some(track)
            }
            S::Extended | S::ExtendedOpen => {
                let reason = "需现场核查并征求相关部门意见，二十个工作日内不能作出决定，经本行政机关负责人批准延长十个工作日，已将延长理由告知申请人";
                let extended = if scenario == S::Extended {
                    None
                } else {
                    Some(self.days.wd_back(today - Days::new(1), self.dice.range(0, 4)))
                };
                let a = match extended {
                    Some(e) => self.days.wd_back(e, s.saturating_sub(2)),
                    None => self.days.working_on(day),
                };
                let (mut track, received, counter) = self.apply(&h, a)?;
                if received > a {
                    return None;
                }
                self.push(&mut track, a, Act::Staff(Who::Clerk, None, accept()));
                let e = extended.unwrap_or_else(|| self.days.wd(a, s.saturating_sub(2)));
                let extend = CaseCommand::Extend { reason: reason.into() };
                self.push(&mut track, e, Act::Staff(Who::Leader, None, extend));
                if scenario == S::Extended {
                    let decided = self.days.wd(a, s + self.dice.range(1, 8));
                    self.finish(&mut track, &h, decided, counter, true);
                }
                Some(track)
            }
            _ => {
                // Nobody tells the applicant what is missing within five working days: the
                // scheduler accepts it the day after the notice period ends (许可法第三十二条).
                let (mut track, received, counter) = self.apply(&h, day)?;
                let deemed = self.days.wd(received, 5) + Days::new(1);
                if scenario == S::Deemed {
                    let decided = self.days.wd(self.days.working_on(deemed), self.dice.range(0, 2));
                    self.finish(&mut track, &h, decided, counter, true);
                } else if deemed >= today {
                    return None;
                }
                Some(track)
            }
        }
    }

    /// 不予受理 naming the competent unit, or for another reason; or 转办 to the unit that is.
    fn refusal(&mut self, scenario: Scenario, day: NaiveDate) -> Option<Track> {
        // A department's power handed to towns (the town where the site is decides), or one
        // that several towns hold (each for its own area).
        let (h, competent) = if scenario == Scenario::RefusedCompetent && self.dice.chance(0.5) {
            let passed: Vec<((UnitId, ItemId), Vec<UnitId>)> =
                self.pools.passed.iter().map(|(k, v)| (*k, v.clone())).collect();
            let ((unit, item), towns) = self.dice.pick(&passed)?.clone();
            let h = self
                .pools
                .department_service
                .iter()
                .find(|h| h.unit == unit && h.item == item)?
                .clone();
            let town = *self.dice.pick(&towns)?;
            (h, town)
        } else if scenario == Scenario::RefusedOther {
            let h = self.pick(|p| &p.department_service, day)?;
            let unit = h.unit;
            (h, unit)
        } else {
            let shared: Vec<(ItemId, Vec<UnitId>)> = self
                .pools
                .shared
                .iter()
                .filter(|(_, units)| units.iter().filter(|u| self.towns.contains(u)).count() > 1)
                .map(|(k, v)| (*k, v.clone()))
                .collect();
            let (item, units) = self.dice.pick(&shared)?.clone();
            let towns: Vec<UnitId> = units.into_iter().filter(|u| self.towns.contains(u)).collect();
            let a = self.dice.below(towns.len());
            let b = (a + 1 + self.dice.below(towns.len() - 1)) % towns.len();
            let h = self
                .pools
                .town_service
                .iter()
                .find(|h| h.unit == towns[a] && h.item == item)?
                .clone();
            (h, towns[b])
        };
        let held =
            |u| self.catalog.authority.holds(u, h.item, day).is_some_and(|a| a.exercise.decides());
        if !held(h.unit) || (scenario != Scenario::RefusedOther && !held(competent)) {
            return None;
        }
        let (mut track, received, counter) = self.apply(&h, day)?;
        let on = self.days.working_on(received);
        let other = self.unit_name(competent);
        match scenario {
            Scenario::Transferred => {
                let transfer = CaseCommand::Transfer {
                    to: competent,
                    exercise: Exercise::OwnName,
                    deciding_unit: competent,
                    reason: format!("申请人住所地在{other}辖区，转{other}办理"),
                };
                self.push(&mut track, on, Act::Staff(Who::Reviewer, None, transfer));
                let a = self.days.wd(on, self.dice.range(0, 1));
                self.push(&mut track, a, Act::Staff(Who::Clerk, None, accept()));
                let decided =
                    self.days.wd(a, self.dice.range(0, h.committed_days().saturating_sub(1)));
                self.finish(&mut track, &h, decided, counter, false);
            }
            Scenario::RefusedCompetent => {
                let refuse = CaseCommand::Refuse {
                    reason: format!(
                        "申请事项所涉场所位于{other}辖区，不属于本机关管辖，请向{other}申请"
                    ),
                    not_competent: true,
                    competent_unit: Some(competent),
                };
                self.push(&mut track, on, Act::Staff(Who::Clerk, None, refuse));
                self.rate(&mut track, on, counter, false);
            }
            _ => {
                let refuse = CaseCommand::Refuse {
                    reason: "申请事项依法不需要取得行政许可，已当场告知申请人".into(),
                    not_competent: false,
                    competent_unit: None,
                };
                self.push(&mut track, on, Act::Staff(Who::Clerk, None, refuse));
                self.rate(&mut track, on, counter, false);
            }
        }
        Some(track)
    }

    /// 一次性告知补正, then the applicant supplies it (or, lately, not yet).
    fn correction(&mut self, scenario: Scenario, h: Holding, day: NaiveDate) -> Option<Track> {
        let (mut track, received, counter) = self.apply(&h, day)?;
        let told = self.accept_day(received);
        let mut missing: Vec<String> = h.materials.iter().skip(2).take(2).cloned().collect();
        if missing.is_empty() {
            missing = vec!["申请书（签字页）".into(), "场地平面示意图".into()];
        }
        let notice = CaseCommand::RequestCorrection { missing };
        self.push(&mut track, told, Act::Staff(Who::Clerk, None, notice));
        if scenario == Scenario::CorrectionOpen {
            return Some(track);
        }
        let supplied = told + Days::new(u64::from(self.dice.range(1, 6)));
        if counter {
            let supply = CaseCommand::SupplyMaterials { in_person: true };
            self.push(
                &mut track,
                self.days.working_on(supplied),
                Act::Staff(Who::Clerk, None, supply),
            );
        } else {
            let supply = CaseCommand::SupplyMaterials { in_person: false };
            self.push(&mut track, supplied, Act::Applicant(supply));
        }
        let accepted = self.accept_day(supplied);
        self.push(&mut track, accepted, Act::Staff(Who::Clerk, None, accept()));
        let decided =
            self.days.wd(accepted, self.dice.range(0, h.committed_days().saturating_sub(1)));
        self.finish(&mut track, &h, decided, counter, false);
        Some(track)
    }

    /// 服务窗口前移: the subdistrict accepts and forwards; the department decides.
    fn forwarded(&mut self, scenario: Scenario, h: Holding, day: NaiveDate) -> Option<Track> {
        let department = match h.exercise {
            Exercise::AcceptOnly { department } | Exercise::ReviewOnly { department } => department,
            _ => return None,
        };
        let (mut track, received, counter) = self.apply(&h, day)?;
        let a = self.accept_day(received);
        self.push(&mut track, a, Act::Staff(Who::Clerk, None, accept()));
        let mode = matches!(h.exercise, Exercise::ReviewOnly { .. })
            .then_some(quanze_core::case::ReviewMode::OnTheReview);
        let opinion =
            format!("申请材料齐全、符合法定形式，已受理，转报{}审批", self.unit_name(department));
        let forward = || CaseCommand::Forward { opinion: opinion.clone(), mode };
        let f = self.days.wd(a, self.dice.range(0, 2));
        self.push(&mut track, f, Act::Staff(Who::Reviewer, None, forward()));
        if scenario == Scenario::ForwardedOpen {
            return Some(track);
        }
        let mut f = f;
        if self.dice.chance(0.25) {
            let back = self.days.wd(f, 1);
            let ret = CaseCommand::Return {
                reason: "缺少现场照片，请核实后重新转报".into()
            };
            self.push(&mut track, back, Act::Staff(Who::Leader, None, ret));
            f = self.days.wd(back, 1);
            self.push(&mut track, f, Act::Staff(Who::Reviewer, None, forward()));
        }
        let decided = self.days.wd(f, self.dice.range(1, 3));
        self.finish(
            &mut track,
            &h,
            decided,
            counter,
            decided > self.days.wd(a, h.committed_days()),
        );
        Some(track)
    }

    /// 行政处罚: the ordinary procedure to its end, with a hearing, without penalty, on the
    /// spot (简易程序), or still open.
    fn penalty(&mut self, scenario: Scenario, h: Holding, filed: NaiveDate) -> Option<Track> {
        use Scenario as S;
        let mut track = Track::default();
        let party = self.applicant(0.7);
        let person = party.kind == "person";
        let req = FileCaseRequest { item: h.item, unit: h.unit, party };
        self.push(&mut track, filed, Act::File(req));
        let staff = |cmd| Act::Staff(Who::Clerk, None, cmd);
        if scenario == S::PenaltySummary {
            let (content, fine) = if person {
                ("警告，并处罚款100元", Some(100))
            } else if self.dice.chance(0.5) {
                ("警告，并处罚款2000元", Some(2_000))
            } else {
                ("警告", None)
            };
            let outcome = Outcome::Penalty { content: content.into(), fine_yuan: fine };
            self.push(&mut track, filed, staff(CaseCommand::DecideOnTheSpot { outcome }));
            self.push(&mut track, filed, staff(CaseCommand::Close));
            return Some(track);
        }
        // How far an open case has come by today (see OPEN_PENALTY_FILED).
        let stage = if scenario == S::PenaltyOpen { self.open_penalties % 6 } else { 9 };
        let investigated = self.days.wd(filed, self.dice.range(0, 3));
        if stage == 0 {
            return Some(track);
        }
        let investigate = CaseCommand::Investigate { officers: self.officers(h.unit) };
        self.push(&mut track, investigated, staff(investigate));
        if stage == 3 {
            let pause = CaseCommand::Pause {
                reason: PauseReason::Appraisal,
                note: "涉案物品送检鉴定，鉴定期间不计入办案期限，已书面告知当事人".into(),
                notified_in_writing: true,
            };
            let on = self.days.wd(investigated, 3);
            self.push(&mut track, on, Act::Staff(Who::Reviewer, None, pause));
        }
        if stage <= 3 {
            return Some(track);
        }
        let late = scenario == S::PenaltyLate;
        let gap = if late { self.dice.range(60, 75) } else { self.dice.range(5, 25) };
        let notified = self.days.wd(investigated, gap);
        let fine =
            if person { self.dice.range(2, 20) * 100 } else { self.dice.range(5, 60) * 1_000 };
        let major = u64::from(fine) >= 10_000 || scenario == S::PenaltyHearing;
        let content = format!("警告，并处罚款{fine}元");
        let notify = CaseCommand::Notify {
            content: format!("拟作出“{content}”的行政处罚，告知当事人陈述、申辩和要求听证的权利"),
        };
        self.push(&mut track, notified, staff(notify));
        if stage == 4 {
            return Some(track);
        }
        let mut ready = if scenario == S::PenaltyHearing || stage == 5 {
            let asked = self.days.wd(notified, self.dice.range(1, 4));
            self.push(&mut track, asked, Act::Applicant(CaseCommand::RequestHearing));
            if stage == 5 {
                return Some(track);
            }
            let heard = self.days.wd(asked, self.dice.range(5, 10));
            let hold = CaseCommand::HoldHearing {
                record: "听证会依法举行，当事人陈述申辩意见已记入听证笔录".into(),
            };
            self.push(&mut track, heard, Act::Staff(Who::Reviewer, None, hold));
            heard
        } else if self.dice.chance(0.6) {
            let waived = self.days.wd(notified, self.dice.range(1, 3));
            self.push(&mut track, waived, staff(CaseCommand::WaiveHearing));
            waived
        } else {
            // Silence: the decision waits for the five working days to pass.
            self.days.wd(notified, 5)
        };
        if major {
            ready = self.days.wd(ready, 1);
            let check = CaseCommand::LegalCheck {
                opinion: "事实清楚，证据确凿，适用依据正确，程序合法，处罚适当".into(),
            };
            self.push(&mut track, ready, Act::Staff(Who::Reviewer, None, check));
        }
        let decided = self.days.wd(ready, self.dice.range(1, 3));
        let outcome = if scenario == S::PenaltyNoAction {
            Outcome::NoAction {
                reasons: "违法行为轻微并及时改正，没有造成危害后果，依据行政处罚法第三十三条第一款不予行政处罚".into(),
            }
        } else {
            Outcome::Penalty { content, fine_yuan: Some(u64::from(fine)) }
        };
        self.push(
            &mut track,
            decided,
            Act::Staff(Who::Leader, None, CaseCommand::Decide { outcome, major }),
        );
        let delivered = self.days.wd(decided, self.dice.range(1, 5));
        let method = if self.dice.chance(0.5) { "直接送达" } else { "邮寄送达" };
        self.push(
            &mut track,
            delivered,
            staff(CaseCommand::Deliver { method: method.into(), in_person: false }),
        );
        let mut closed = self.days.wd(delivered, self.dice.range(1, 10));
        if scenario != S::PenaltyNoAction && self.dice.chance(0.5) {
            let paid = self.days.wd(delivered, self.dice.range(3, 12));
            let at_local = self.office(paid);
            self.push(&mut track, paid, staff(CaseCommand::Execute { at_local, emergency: false }));
            closed = self.days.wd(paid, 1);
        }
        self.push(&mut track, closed, staff(CaseCommand::Close));
        Some(track)
    }

    /// 行政检查: filed, inspected by two officers, concluded, closed.
    fn inspection(&mut self, h: Holding, filed: NaiveDate) -> Option<Track> {
        let mut track = Track::default();
        let req = FileCaseRequest { item: h.item, unit: h.unit, party: self.applicant(0.9) };
        self.push(&mut track, filed, Act::File(req));
        let staff = |cmd| Act::Staff(Who::Clerk, None, cmd);
        let inspected = self.days.wd(filed, self.dice.range(0, 3));
        let investigate = CaseCommand::Investigate { officers: self.officers(h.unit) };
        self.push(&mut track, inspected, staff(investigate));
        let done = self.days.wd(inspected, self.dice.range(0, 5));
        if self.dice.chance(0.4) {
            self.push(&mut track, done, staff(CaseCommand::Close));
        } else {
            let summary = if self.dice.chance(0.5) {
                "经检查，未发现违法违规行为"
            } else {
                "发现安全隐患两处，已责令限期整改"
            };
            let decide = CaseCommand::Decide {
                outcome: Outcome::Done { summary: summary.into() },
                major: false,
            };
            self.push(&mut track, done, Act::Staff(Who::Leader, None, decide));
            let delivered = self.days.wd(done, 1);
            let deliver = CaseCommand::Deliver { method: "直接送达".into(), in_person: false };
            self.push(&mut track, delivered, staff(deliver));
            self.push(&mut track, delivered, staff(CaseCommand::Close));
        }
        Some(track)
    }

    /// A complaint, suggestion or report about a unit or one of its items (意见箱、举报热线).
    fn unit_complaint(&mut self) -> Option<Track> {
        let day = self.day_leaving(1);
        let unit = if self.dice.chance(0.5) {
            *self.dice.pick(&self.towns)?
        } else {
            *self.dice.pick(&self.departments)?
        };
        let item = self
            .pools
            .department_service
            .iter()
            .chain(self.pools.town_service.iter())
            .find(|h| h.unit == unit)
            .map(|h| h.item);
        let (kind, text) = match self.dice.range(0, 2) {
            0 => (ComplaintKind::Suggestion, "建议便民服务中心中午不间断服务，方便上班族办事"),
            1 => (ComplaintKind::Complaint, "办事指南所列申请材料与窗口实际要求不一致"),
            _ => (ComplaintKind::Report, "举报辖区内有商户未取得许可擅自经营"),
        };
        let mut track = Track::default();
        let req = ComplaintRequest {
            kind: Some(kind),
            case: None,
            item: if kind == ComplaintKind::Complaint { item } else { None },
            unit: Some(unit),
            text: text.into(),
            contact: None,
            publishable: kind == ComplaintKind::Suggestion,
        };
        self.push(&mut track, day, Act::Complain(req));
        self.reply(&mut track, day);
        Some(track)
    }
}

fn accept() -> CaseCommand {
    CaseCommand::Accept { missing: vec![], promised: None }
}
