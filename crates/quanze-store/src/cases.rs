//! Cases (办件): the case row with its document, its sealed applicant, its timeline (one row
//! per step, with the ledger event that recorded it), supervision items, ratings and
//! complaints.
//!
//! Case writes go through the group writer ([`crate::group`]): a case step is the hot path of
//! the one-stop service, and many steps share one durable commit.
//!
//! Invariants: a case's `steps` column is its optimistic version: a write names the count it
//! was computed from and fails with `Conflict` if another write came first, so two clerks can
//! never both move one case. Every step row carries the sequence number of the event written
//! in the same transaction. `next_alert_on` is the only thing the deadline scheduler searches,
//! along its partial index. The applicant's personal data is only ever in `case_applicants`,
//! sealed by the service; the store never sees it in clear.

use async_trait::async_trait;
use chrono::NaiveDate;
use quanze_core::case::rating::{Complaint, Rating};
use quanze_core::case::{Case, CaseStep, ReceiptNo, Supervision};
use quanze_core::{CaseId, UnitId};

use crate::group::{Bulk, GroupJob, GroupStore, SqlValue, Stmt};
use crate::open::SqlStore;
use crate::reseal::open_stored;
use crate::rows::{date_text, document, instant_text, placeholders};
use crate::tx::violation;
use crate::{NewEvent, Receipt, StoreError};

/// The applicant of a new case, as the service sealed it.
#[derive(Debug, Clone, Copy)]
pub struct SealedApplicant<'a> {
    /// SM4-sealed personal data.
    pub sealed: &'a [u8],
    /// Keyed SM3 of the ID number or credit code (matching only).
    pub key: &'a str,
    /// SM3 of the access code the applicant was given.
    pub access_hash: &'a str,
}

/// One write to a case: the case after a step, the step, and what else the step opened.
#[derive(Debug, Clone, Copy)]
pub struct CaseWrite<'a> {
    /// The case after the step.
    pub case: &'a Case,
    /// The step.
    pub step: &'a CaseStep,
    /// The step count the write was computed from (`None`: a new case).
    pub previous_steps: Option<u32>,
    /// Whether the step changes the case's units or state. One that does not (an alert, a
    /// 催办, a pause) leaves the columns of the units' index as they are, and that index's
    /// pages unwritten.
    pub moves: bool,
    /// The scheduler's next look: the next day it has something to record on the case (its
    /// level rises, a 督办 is due, a 容缺 promise runs out); today, for a write on a case with
    /// something late that opened no 督办.
    pub next_alert_on: Option<NaiveDate>,
    /// For a new case: its applicant.
    pub applicant: Option<SealedApplicant<'a>>,
    /// 督办 opened by the step (a late clock's, and one per late task of a cooperating unit).
    pub supervisions: &'a [Supervision],
    /// 督办 of this case closed by the step (the case ended or moved on), on this day.
    pub close_supervisions: Option<NaiveDate>,
}

/// A case as stored.
#[derive(Debug, Clone)]
pub struct StoredCase {
    /// The case.
    pub case: Case,
    /// The sealed applicant.
    pub sealed: Vec<u8>,
    /// Keyed hash of the applicant's number.
    pub applicant_key: String,
    /// Hash of the applicant's access code.
    pub access_hash: String,
}

/// The scheduler's next look at a case it found unchanged (the same alert level, every 督办 it
/// calls for on record): only the case's `next_alert_on` moves, and no step is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NextLook {
    /// The case.
    pub case: CaseId,
    /// The step count the look was computed from; a case stepped meanwhile is left as that
    /// step wrote it.
    pub steps: u32,
    /// The scheduler's next look at it (`None`: never, as things stand).
    pub on: Option<NaiveDate>,
}

/// A step as stored, with its ledger event.
#[derive(Debug, Clone)]
pub struct StoredStep {
    /// The step.
    pub step: CaseStep,
    /// The sequence number of its event.
    pub seq: u64,
}

/// 办件统计 — the counts a dashboard shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseTallies {
    /// Cases in each state (`as_str`).
    pub by_state: Vec<(String, u64)>,
    /// Open cases at each alert level (`as_str`).
    pub open_by_alert: Vec<(String, u64)>,
    /// Ratings at each level (its score, 1 非常不满意 to 5 非常满意).
    pub ratings_by_score: Vec<(i64, u64)>,
    /// Cases decided (办结: closed or refused, not withdrawn) per unit whose name the
    /// decision bears: (unit, on time, late).
    pub decided_by_unit: Vec<(UnitId, u64, u64)>,
    /// Ended cases (withdrawn ones too) by the trips their applicant made: (trips, cases).
    pub ended_by_trips: Vec<(u32, u64)>,
}

/// Which cases to list.
#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    /// Cases a unit has now.
    pub unit: Option<UnitId>,
    /// In this state (`as_str`).
    pub state: Option<String>,
    /// At this alert level (`as_str`).
    pub alert: Option<String>,
    /// Of this applicant (keyed hash).
    pub applicant_key: Option<String>,
    /// Only cases that have not ended.
    pub open_only: bool,
    /// Oldest first (and `before` then means after), where a list is to show the cases that
    /// have waited longest: an inbox of overdue cases. Newest first otherwise.
    pub oldest_first: bool,
}

/// Stores cases and what hangs off them. Each write is one transaction with one event.
#[async_trait]
pub trait CaseStore: Send + Sync {
    /// Writes a new case or a step of one. `Conflict` if the receipt is taken or another step
    /// came first (the case's step count is not `previous_steps`). The receipt's `counted` is
    /// the number of supervision items it opened: one for the same case, late thing and
    /// deadline is kept once, so writing it again opens none.
    async fn write_case(&self, write: CaseWrite<'_>, ev: NewEvent) -> Result<Receipt, StoreError>;
    /// One case.
    async fn case(&self, id: CaseId) -> Result<Option<StoredCase>, StoreError>;
    /// One case by its receipt number.
    async fn case_by_receipt(&self, receipt: &ReceiptNo) -> Result<Option<StoredCase>, StoreError>;
    /// A case's timeline, in order.
    async fn case_steps(&self, id: CaseId) -> Result<Vec<StoredStep>, StoreError>;
    /// Cases whose alert level may change on or before `on`, earliest first (the scheduler's
    /// read, along the index on `next_alert_on`), leaving out the cases `excluding` (the page
    /// the scheduler is still writing, so that it reads the next one meanwhile).
    async fn cases_due(
        &self,
        on: NaiveDate,
        limit: u32,
        excluding: &[CaseId],
    ) -> Result<Vec<StoredCase>, StoreError>;
    /// The supervision items of these cases, open or closed (one read for a page of the
    /// scheduler's cases).
    async fn supervisions_of_cases(&self, cases: &[CaseId])
    -> Result<Vec<Supervision>, StoreError>;
    /// Moves the scheduler's next look at each case whose step count is still the look's, in
    /// one transaction with no event (a look is not an action on the case). Returns how many
    /// moved; the others were stepped meanwhile, and that step set their next look.
    async fn reschedule_cases(&self, looks: &[NextLook]) -> Result<u64, StoreError>;
    /// Cases by filter, newest first, after the case `before` (paging by id, which is time
    /// ordered).
    async fn cases(
        &self,
        filter: &CaseFilter,
        before: Option<CaseId>,
        limit: u32,
    ) -> Result<Vec<StoredCase>, StoreError>;
    /// How many cases match the filter.
    async fn count_cases(&self, filter: &CaseFilter) -> Result<u64, StoreError>;
    /// What a dashboard counts, each in one grouped read.
    async fn case_tallies(&self) -> Result<CaseTallies, StoreError>;
    /// The highest receipt number issued on `day` (0 when none).
    async fn last_receipt_on(&self, day: NaiveDate) -> Result<u32, StoreError>;
    /// Supervision items, open ones only or all, of a unit or everywhere.
    async fn supervisions(
        &self,
        unit: Option<UnitId>,
        open_only: bool,
    ) -> Result<Vec<Supervision>, StoreError>;
    /// Records a rating. `Conflict` if the case was rated on that channel already.
    async fn put_rating(&self, rating: &Rating, ev: NewEvent) -> Result<Receipt, StoreError>;
    /// Replaces a rating's follow-up (call-back, rectification, appeal).
    async fn update_rating(&self, rating: &Rating, ev: NewEvent) -> Result<Receipt, StoreError>;
    /// One rating.
    async fn rating(&self, id: quanze_core::RatingId) -> Result<Option<Rating>, StoreError>;
    /// Ratings of a case.
    async fn ratings_of_case(&self, case: CaseId) -> Result<Vec<Rating>, StoreError>;
    /// Ratings of a unit (for its published results).
    async fn ratings_of_unit(&self, unit: UnitId) -> Result<Vec<Rating>, StoreError>;
    /// Records or replaces a complaint.
    async fn put_complaint(
        &self,
        complaint: &Complaint,
        ev: NewEvent,
    ) -> Result<Receipt, StoreError>;
    /// One complaint.
    async fn complaint(
        &self,
        id: quanze_core::ComplaintId,
    ) -> Result<Option<Complaint>, StoreError>;
    /// Complaints a supervising unit must answer (or all of them), oldest first.
    async fn complaints(
        &self,
        supervisor: Option<UnitId>,
        open_only: bool,
    ) -> Result<Vec<Complaint>, StoreError>;
}

const CASE_COLUMNS: &str = "doc, sealed, applicant_key, access_hash, officers";
const CASE_FROM: &str = "FROM cases c JOIN case_applicants a ON a.case_id = c.id";

type CaseRow = (Vec<u8>, Vec<u8>, String, String, Option<String>);

/// A case's timeline, in step order (on SQLite along the clustered table's own key).
pub(crate) const SELECT_STEPS: &str =
    "SELECT seq, doc FROM case_steps WHERE case_id = $1 ORDER BY n";

/// The scheduler's read: cases due by `$1`, earliest first, `$2` of them. Its `WHERE` names
/// `next_alert_on IS NOT NULL` so that both backends can use the partial index
/// `cases_next_alert`, and it orders by the index's key alone: a page reads its own rows along
/// the index and stops, never the table, and never sorts the day's whole due set (a tie-break
/// on `id` would, for every page: most of a tick's cases are due the same day). A test checks
/// each backend's plan. `excluding` ids, `$3` on, are left out (`NOT IN`). On PostgreSQL the
/// next look is a row of `case_looks` ([`Looks::Apart`]).
pub(crate) fn cases_due_sql(looks: Looks, excluding: usize) -> String {
    let not_in = if excluding == 0 {
        String::new()
    } else {
        format!(" AND c.id NOT IN ({})", placeholders(3, excluding))
    };
    let (from, look) = match looks {
        Looks::InCases => (CASE_FROM.to_owned(), "c"),
        Looks::Apart => (
            "FROM case_looks l JOIN cases c ON c.id = l.case_id \
             JOIN case_applicants a ON a.case_id = c.id"
                .to_owned(),
            "l",
        ),
    };
    format!(
        "SELECT {CASE_COLUMNS} {from} WHERE {look}.next_alert_on IS NOT NULL \
         AND {look}.next_alert_on <= $1{not_in} ORDER BY {look}.next_alert_on LIMIT $2"
    )
}

/// Where a case's next look (`next_alert_on`, the scheduler's cursor) is kept.
///
/// PostgreSQL writes a new version of a row on every `UPDATE`, and inserts it into every index
/// of the table unless no indexed column changed (a HOT update). The cursor is indexed for the
/// scheduler, so kept in `cases` it would make every step of a case — the deadline tick's above
/// all — insert into all five of `cases`' indexes. PostgreSQL keeps it in the narrow table
/// `case_looks` (migration 0019), so that a step which keeps the case's units and state is a
/// HOT update of `cases`. SQLite updates only the indexes whose columns change, and one row
/// less per step is fewer pages per commit, so it keeps the column where it was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Looks {
    /// `cases.next_alert_on` (SQLite).
    InCases,
    /// `case_looks.next_alert_on`, one row per case (PostgreSQL).
    Apart,
}

impl Looks {
    pub(crate) fn of(backend: crate::Backend) -> Looks {
        match backend {
            crate::Backend::Sqlite => Looks::InCases,
            crate::Backend::Postgres => Looks::Apart,
        }
    }
}

/// 办结: how a case ended, once (the write that ends it, or the backfill of those before).
const INSERT_END: &str = "INSERT INTO case_ends (case_id, unit, state, ended_on, on_time, \
     trips) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (case_id) DO NOTHING";

/// The case ids one statement names at most (one value each, or three for a look: far below
/// either backend's limit on a statement's values).
const CASES_PER_STATEMENT: usize = 1_000;

/// `UPDATE … FROM (VALUES …)` moving `n` looks: `($1, $2, $3)` per case (id, step count, next
/// day), each only if the case still has that step count. A `VALUES` list's columns are
/// `column1`, `column2`, … on both backends.
fn reschedule_sql(looks: Looks, n: usize) -> String {
    let rows: Vec<String> =
        (0..n).map(|i| format!("(${}, ${}, ${})", 3 * i + 1, 3 * i + 2, 3 * i + 3)).collect();
    let rows = rows.join(", ");
    match looks {
        Looks::InCases => format!(
            "UPDATE cases SET next_alert_on = v.column3 FROM (VALUES {rows}) AS v \
             WHERE cases.id = v.column1 AND cases.steps = v.column2"
        ),
        // The step count is checked on the row updated (its own copy in `case_looks`), which
        // PostgreSQL checks again when a step commits first; a joined `cases` row would not be.
        Looks::Apart => format!(
            "UPDATE case_looks SET next_alert_on = v.column3 FROM (VALUES {rows}) AS v \
             WHERE case_looks.case_id = v.column1 AND case_looks.steps = v.column2"
        ),
    }
}

/// What a supervision item is about, as its row keeps it: a clock by its name, a task by its id
/// (one record per case, late thing and deadline).
fn late_key(s: &Supervision) -> Result<String, StoreError> {
    match (s.clock, s.task) {
        (_, Some(task)) => Ok(format!("task:{task}")),
        (Some(clock), None) => Ok(clock.as_str().to_owned()),
        (None, None) => Err(StoreError::Corrupt("a supervision names a clock or a task".into())),
    }
}

/// A supervision item from its row: the document, and the day it was closed (a column, set
/// after the document was written).
fn supervision_row(doc: &str, closed: Option<String>) -> Result<Supervision, StoreError> {
    let mut s: Supervision = parse_doc("supervision", doc)?;
    s.closed_on = closed.and_then(|d| NaiveDate::parse_from_str(&d, crate::rows::DATE_FORMAT).ok());
    Ok(s)
}

/// A case row read: its document unpacked, with the officers' certificate numbers opened from
/// their own column when they are sealed there. A process without the key (a console command
/// given none) reads the case without them: nothing it does needs them, and a write of the case
/// leaves the sealed column as it is. With the key, a seal that does not open is `Corrupt`.
fn parse_case(
    sealer: Option<&dyn crate::Sealer>,
    (doc, sealed, applicant_key, access_hash, officers): CaseRow,
) -> Result<StoredCase, StoreError> {
    let mut case: Case = crate::packed::unpack("case", &doc)?;
    if let (Some(stored), Some(sealer)) = (officers, sealer) {
        let what = format!("case {}: officers", case.receipt);
        case.officers = parse_doc(&what, &open_stored(Some(sealer), &what, &stored)?)?;
    }
    Ok(StoredCase { case, sealed, applicant_key, access_hash })
}

fn parse_doc<T: serde::de::DeserializeOwned>(what: &str, doc: &str) -> Result<T, StoreError> {
    serde_json::from_str(doc).map_err(|e| StoreError::Corrupt(format!("{what}: {e}")))
}

impl SqlStore {
    /// Case rows read, each opened under the installed sealer ([`parse_case`]).
    fn parse_cases(&self, rows: Vec<CaseRow>) -> Result<Vec<StoredCase>, StoreError> {
        let sealer = self.sealer();
        rows.into_iter().map(|row| parse_case(sealer.as_deref(), row)).collect()
    }

    /// The statements of one case write, for the group writer: the case row (inserted with its
    /// sealed applicant, or updated only if its step count is still `previous_steps`), the
    /// step's timeline row naming its own event ([`SqlValue::EventSeq`]), and the supervision
    /// items it opens or closes.
    ///
    /// With a sealer, the officers' certificate numbers (执法证号) are kept out of the document
    /// and sealed in `cases.officers`; without one the document keeps them.
    fn case_job(
        looks: Looks,
        sealer: Option<&dyn crate::Sealer>,
        write: CaseWrite<'_>,
        ev: NewEvent,
    ) -> Result<GroupJob, StoreError> {
        // Each statement of `cases` twice: with the next look (SQLite, `Looks::InCases`) and
        // without it (PostgreSQL, whose `case_looks` then gets a statement of its own).
        const INSERT_CASE: &str = "INSERT INTO cases (id, receipt, item_id, procedure, \
             receiving_unit, handling_unit, deciding_unit, state, alert, next_alert_on, \
             received_at, applicant_key, access_hash, steps, doc) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)";
        const INSERT_CASE_APART: &str = "INSERT INTO cases (id, receipt, item_id, procedure, \
             receiving_unit, handling_unit, deciding_unit, state, alert, \
             received_at, applicant_key, access_hash, steps, doc) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)";
        const INSERT_LOOK: &str =
            "INSERT INTO case_looks (case_id, steps, next_alert_on) VALUES ($1, $2, $3)";
        const INSERT_APPLICANT: &str =
            "INSERT INTO case_applicants (case_id, sealed) VALUES ($1, $2)";
        const UPDATE_CASE: &str = "UPDATE cases SET receiving_unit = $2, handling_unit = $3, \
             deciding_unit = $4, state = $5, alert = $6, next_alert_on = $7, steps = $8, doc = $9 \
             WHERE id = $1 AND steps = $10";
        const UPDATE_CASE_APART: &str = "UPDATE cases SET receiving_unit = $2, \
             handling_unit = $3, deciding_unit = $4, state = $5, alert = $6, steps = $7, \
             doc = $8 WHERE id = $1 AND steps = $9";
        const UPDATE_CASE_IN_PLACE: &str = "UPDATE cases SET alert = $2, next_alert_on = $3, \
             steps = $4, doc = $5 WHERE id = $1 AND steps = $6";
        const UPDATE_CASE_IN_PLACE_APART: &str =
            "UPDATE cases SET alert = $2, steps = $3, doc = $4 WHERE id = $1 AND steps = $5";
        const UPDATE_LOOK: &str =
            "UPDATE case_looks SET steps = $2, next_alert_on = $3 WHERE case_id = $1";
        const INSERT_STEP: &str =
            "INSERT INTO case_steps (case_id, n, seq, doc) VALUES ($1, $2, $3, $4)";
        const INSERT_SUPERVISION: &str = "INSERT INTO supervisions \
             (id, case_id, clock, due, unit, opened_on, closed_on, doc) \
             VALUES ($1, $2, $3, $4, $5, $6, NULL, $7) ON CONFLICT (case_id, clock, due) DO NOTHING";
        const CLOSE_SUPERVISIONS: &str =
            "UPDATE supervisions SET closed_on = $2 WHERE case_id = $1 AND closed_on IS NULL";
        // The updates of many jobs at once, for the pooled writer (PostgreSQL): each row the
        // single statement's values in order.
        const UPDATE_CASES: Bulk = Bulk::Rows {
            head: "UPDATE cases SET receiving_unit = v.column2, handling_unit = v.column3, \
                   deciding_unit = v.column4, state = v.column5, alert = v.column6, \
                   next_alert_on = v.column7, steps = v.column8, doc = v.column9 FROM (VALUES ",
            tail: ") AS v WHERE cases.id = v.column1 AND cases.steps = v.column10",
        };
        const UPDATE_CASES_APART: Bulk = Bulk::Rows {
            head: "UPDATE cases SET receiving_unit = v.column2, handling_unit = v.column3, \
                   deciding_unit = v.column4, state = v.column5, alert = v.column6, \
                   steps = v.column7, doc = v.column8 FROM (VALUES ",
            tail: ") AS v WHERE cases.id = v.column1 AND cases.steps = v.column9",
        };
        const UPDATE_CASES_IN_PLACE: Bulk = Bulk::Rows {
            head: "UPDATE cases SET alert = v.column2, next_alert_on = v.column3, \
                   steps = v.column4, doc = v.column5 FROM (VALUES ",
            tail: ") AS v WHERE cases.id = v.column1 AND cases.steps = v.column6",
        };
        const UPDATE_CASES_IN_PLACE_APART: Bulk = Bulk::Rows {
            head: "UPDATE cases SET alert = v.column2, steps = v.column3, doc = v.column4 \
                   FROM (VALUES ",
            tail: ") AS v WHERE cases.id = v.column1 AND cases.steps = v.column5",
        };
        const UPDATE_LOOKS: Bulk = Bulk::Rows {
            head: "UPDATE case_looks SET steps = v.column2, next_alert_on = v.column3 \
                   FROM (VALUES ",
            tail: ") AS v WHERE case_looks.case_id = v.column1",
        };
        const SET_OFFICERS: &str = "UPDATE cases SET officers = $2 WHERE id = $1";
        const SET_OFFICERS_OF_CASES: Bulk = Bulk::Rows {
            head: "UPDATE cases SET officers = v.column2 FROM (VALUES ",
            tail: ") AS v WHERE cases.id = v.column1",
        };
        const CLOSE_SUPERVISIONS_OF_CASES: Bulk = Bulk::Rows {
            head: "UPDATE supervisions SET closed_on = v.column2 FROM (VALUES ",
            tail: ") AS v WHERE supervisions.case_id = v.column1 \
                   AND supervisions.closed_on IS NULL",
        };
        let apart = looks == Looks::Apart;
        let case = write.case;
        let id = case.id.to_string();
        let next = write.next_alert_on.map(date_text);
        // Only cases some officers acted on (penalties, measures) carry certificate numbers.
        let officers = match sealer {
            Some(sealer) if !case.officers.is_empty() => {
                Some(sealer.seal_text(&document(&case.officers)?))
            }
            _ => None,
        };
        let doc = if officers.is_some() {
            crate::packed::pack(&Case { officers: Vec::new(), ..case.clone() })?
        } else {
            crate::packed::pack(case)?
        };
        // Two writes of one case contend for its row; writes of different cases do not.
        let mut job = GroupJob::new(ev).key(id.as_str());
        match (write.previous_steps, write.applicant) {
            (None, Some(applicant)) => {
                let insert = Stmt::new(if apart { INSERT_CASE_APART } else { INSERT_CASE })
                    .bulk(Bulk::Insert)
                    .bind(id.as_str())
                    .bind(case.receipt.as_str())
                    .bind(case.item.id.to_string())
                    .bind(case.procedure.as_str())
                    .bind(case.receiving_unit.to_string())
                    .bind(case.handling_unit.to_string())
                    .bind(case.deciding_unit.to_string())
                    .bind(case.state.as_str())
                    .bind(case.alert.as_str());
                let insert = if apart { insert } else { insert.bind(next.clone()) };
                job = job
                    .stmt(
                        insert
                            .bind(instant_text(case.received_at))
                            .bind(applicant.key)
                            .bind(applicant.access_hash)
                            .bind(case.steps)
                            .bind(doc),
                    )
                    .stmt(
                        Stmt::new(INSERT_APPLICANT)
                            .bulk(Bulk::Insert)
                            .bind(id.as_str())
                            .bind(applicant.sealed),
                    );
                if apart {
                    job = job.stmt(
                        Stmt::new(INSERT_LOOK)
                            .bulk(Bulk::Insert)
                            .bind(id.as_str())
                            .bind(case.steps)
                            .bind(next),
                    );
                }
            }
            (Some(previous), None) => {
                // Both statements end with the same values: alert, next day (not on
                // PostgreSQL), steps, document, and the step count the write was computed from.
                let update = match (write.moves, apart) {
                    (true, _) => Stmt::new(if apart { UPDATE_CASE_APART } else { UPDATE_CASE })
                        .bulk(if apart { UPDATE_CASES_APART } else { UPDATE_CASES })
                        .bind(id.as_str())
                        .bind(case.receiving_unit.to_string())
                        .bind(case.handling_unit.to_string())
                        .bind(case.deciding_unit.to_string())
                        .bind(case.state.as_str()),
                    (false, false) => Stmt::new(UPDATE_CASE_IN_PLACE)
                        .bulk(UPDATE_CASES_IN_PLACE)
                        .bind(id.as_str()),
                    (false, true) => Stmt::new(UPDATE_CASE_IN_PLACE_APART)
                        .bulk(UPDATE_CASES_IN_PLACE_APART)
                        .bind(id.as_str()),
                };
                let update = update.bind(case.alert.as_str());
                let update = if apart { update } else { update.bind(next.clone()) };
                job = job.stmt(update.bind(case.steps).bind(doc).bind(previous).expect_rows(1));
                if apart {
                    job = job.stmt(
                        Stmt::new(UPDATE_LOOK)
                            .bulk(UPDATE_LOOKS)
                            .bind(id.as_str())
                            .bind(case.steps)
                            .bind(next)
                            .expect_rows(1),
                    );
                }
            }
            _ => {
                return Err(StoreError::Corrupt(
                    "a new case needs its applicant, and only a new case".into(),
                ));
            }
        }
        if !case.officers.is_empty() {
            // Sealed, or NULL: the document holds them (written without a key).
            job = job.stmt(
                Stmt::new(SET_OFFICERS)
                    .bulk(SET_OFFICERS_OF_CASES)
                    .bind(id.as_str())
                    .bind(officers)
                    .expect_rows(1),
            );
        }
        job = job.stmt(
            Stmt::new(INSERT_STEP)
                .bulk(Bulk::Insert)
                .bind(id.as_str())
                .bind(write.step.n)
                .bind(SqlValue::EventSeq)
                .bind(crate::packed::pack(write.step)?),
        );
        // The write that ends a case records how it ended, for the dashboard (办结).
        if let Some(on_time) = case.ended_on_time() {
            job = job.stmt(
                Stmt::new(INSERT_END)
                    .bulk(Bulk::Insert)
                    .bind(id.as_str())
                    .bind(case.deciding_unit.to_string())
                    .bind(case.state.as_str())
                    .bind(date_text(write.step.on))
                    .bind(on_time)
                    .bind(u32::from(case.trips)),
            );
        }
        if let Some(day) = write.close_supervisions {
            job = job.stmt(
                Stmt::new(CLOSE_SUPERVISIONS)
                    .bulk(CLOSE_SUPERVISIONS_OF_CASES)
                    .bind(id.as_str())
                    .bind(date_text(day)),
            );
        }
        for s in write.supervisions {
            let late = late_key(s)?;
            job = job.stmt(
                Stmt::new(INSERT_SUPERVISION)
                    .bulk(Bulk::Insert)
                    .bind(s.id.to_string())
                    .bind(id.as_str())
                    .bind(late)
                    .bind(date_text(s.due))
                    .bind(s.unit.to_string())
                    .bind(date_text(s.opened_on))
                    .bind(document(s)?)
                    .counted(),
            );
        }
        Ok(job)
    }

    /// Gives `case_ends` its rows for the cases that ended before migration 0020, once (the
    /// task `case_ends` of `store_tasks`). Their day of ending is the last
    /// day one of their clocks stopped (the steps are not read back for a one-off).
    pub(crate) async fn backfill_case_ends(&self) -> Result<(), StoreError> {
        const PENDING: &str = "SELECT done_at FROM store_tasks WHERE name = 'case_ends'";
        const ENDED: &str = "SELECT id, doc FROM cases \
             WHERE state IN ('closed', 'refused', 'withdrawn') AND id > $1 ORDER BY id LIMIT 2000";
        const DONE: &str = "UPDATE store_tasks SET done_at = $1 WHERE name = 'case_ends'";
        let pending: Option<(Option<String>,)> =
            sqlx::query_as(PENDING).fetch_optional(&self.pool).await?;
        if !matches!(pending, Some((None,))) {
            return Ok(());
        }
        // A page of ended cases per transaction, so a store of millions is not one
        // transaction and an interrupted backfill keeps its pages (the next opening goes over
        // them again, each row inserted once); the task is marked done with the last page.
        let mut after = String::new();
        loop {
            let (_slot, mut tx) =
                crate::tx::begin_locked(&self.pool, self.backend, &self.sqlite_writer).await?;
            let rows: Vec<(String, Vec<u8>)> =
                sqlx::query_as(ENDED).bind(after.as_str()).fetch_all(&mut *tx).await?;
            let Some(last) = rows.last().map(|(id, _)| id.clone()) else {
                sqlx::query(DONE).bind(instant_text(chrono::Utc::now())).execute(&mut *tx).await?;
                tx.commit().await?;
                return Ok(());
            };
            for (id, doc) in rows {
                let case: Case = crate::packed::unpack("case", &doc)?;
                let Some(on_time) = case.ended_on_time() else { continue };
                let ended_on =
                    case.clocks.iter().filter_map(|c| c.stopped).max().unwrap_or(case.received_on);
                sqlx::query(INSERT_END)
                    .bind(id)
                    .bind(case.deciding_unit.to_string())
                    .bind(case.state.as_str())
                    .bind(date_text(ended_on))
                    .bind(i64::from(on_time))
                    .bind(i64::from(case.trips))
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            after = last;
        }
    }

    fn filter_sql(filter: &CaseFilter, args: &mut Vec<String>) -> String {
        let mut clauses = Vec::new();
        let mut push = |clause: &str, value: String, args: &mut Vec<String>| {
            args.push(value);
            clauses.push(clause.replace('?', &format!("${}", args.len())));
        };
        if let Some(unit) = filter.unit {
            push("c.handling_unit = ?", unit.to_string(), args);
        }
        if let Some(state) = &filter.state {
            push("c.state = ?", state.clone(), args);
        }
        if let Some(alert) = &filter.alert {
            push("c.alert = ?", alert.clone(), args);
        }
        if let Some(key) = &filter.applicant_key {
            push("c.applicant_key = ?", key.clone(), args);
        }
        if filter.open_only {
            clauses.push("c.state NOT IN ('closed', 'refused', 'withdrawn')".to_owned());
        }
        if clauses.is_empty() { "1 = 1".to_owned() } else { clauses.join(" AND ") }
    }
}

#[async_trait]
impl CaseStore for SqlStore {
    async fn write_case(&self, write: CaseWrite<'_>, ev: NewEvent) -> Result<Receipt, StoreError> {
        let subject = ev.subject.clone();
        let receipt = write.case.receipt.clone();
        let sealer = self.sealer();
        let job = SqlStore::case_job(Looks::of(self.backend), sealer.as_deref(), write, ev)?;
        self.group_write(job).await.map_err(|e| match e {
            // Name the case rather than the statement that found the conflict.
            StoreError::Conflict(_) => StoreError::Conflict(format!(
                "case {receipt} ({subject}): its receipt number is taken or another step came first"
            )),
            other => other,
        })
    }

    async fn case(&self, id: CaseId) -> Result<Option<StoredCase>, StoreError> {
        let sql = format!("SELECT {CASE_COLUMNS} {CASE_FROM} WHERE c.id = $1");
        let row: Option<CaseRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?;
        let sealer = self.sealer();
        row.map(|row| parse_case(sealer.as_deref(), row)).transpose()
    }

    async fn case_by_receipt(&self, receipt: &ReceiptNo) -> Result<Option<StoredCase>, StoreError> {
        let sql = format!("SELECT {CASE_COLUMNS} {CASE_FROM} WHERE c.receipt = $1");
        let row: Option<CaseRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(receipt.as_str())
            .fetch_optional(&self.pool)
            .await?;
        let sealer = self.sealer();
        row.map(|row| parse_case(sealer.as_deref(), row)).transpose()
    }

    async fn case_steps(&self, id: CaseId) -> Result<Vec<StoredStep>, StoreError> {
        let rows: Vec<(i64, Vec<u8>)> =
            sqlx::query_as(SELECT_STEPS).bind(id.to_string()).fetch_all(&self.pool).await?;
        rows.into_iter()
            .map(|(seq, doc)| {
                Ok(StoredStep {
                    step: crate::packed::unpack("case step", &doc)?,
                    seq: u64::try_from(seq)
                        .map_err(|_| StoreError::Corrupt(format!("case step: seq {seq}")))?,
                })
            })
            .collect()
    }

    async fn cases_due(
        &self,
        on: NaiveDate,
        limit: u32,
        excluding: &[CaseId],
    ) -> Result<Vec<StoredCase>, StoreError> {
        let sql = cases_due_sql(Looks::of(self.backend), excluding.len());
        let mut query = sqlx::query_as::<_, CaseRow>(sqlx::AssertSqlSafe(sql))
            .bind(date_text(on))
            .bind(i64::from(limit));
        for id in excluding {
            query = query.bind(id.to_string());
        }
        let rows = query.fetch_all(&self.pool).await?;
        self.parse_cases(rows)
    }

    async fn supervisions_of_cases(
        &self,
        cases: &[CaseId],
    ) -> Result<Vec<Supervision>, StoreError> {
        let mut found = Vec::new();
        for chunk in cases.chunks(CASES_PER_STATEMENT) {
            let sql = format!(
                "SELECT doc, closed_on FROM supervisions WHERE case_id IN ({})",
                placeholders(1, chunk.len())
            );
            let mut query = sqlx::query_as::<_, (String, Option<String>)>(sqlx::AssertSqlSafe(sql));
            for case in chunk {
                query = query.bind(case.to_string());
            }
            for (doc, closed) in query.fetch_all(&self.pool).await? {
                found.push(supervision_row(&doc, closed)?);
            }
        }
        Ok(found)
    }

    async fn reschedule_cases(&self, looks: &[NextLook]) -> Result<u64, StoreError> {
        if looks.is_empty() {
            return Ok(0);
        }
        // The writer's lock as every write takes it, but no event and no head: nothing here is
        // recorded, only the scheduler's cursor moves.
        let (_slot, mut tx) =
            crate::tx::begin_locked(&self.pool, self.backend, &self.sqlite_writer).await?;
        let mut moved = 0;
        for chunk in looks.chunks(CASES_PER_STATEMENT) {
            let mut query = sqlx::query(sqlx::AssertSqlSafe(reschedule_sql(
                Looks::of(self.backend),
                chunk.len(),
            )));
            for look in chunk {
                query = query
                    .bind(look.case.to_string())
                    .bind(i64::from(look.steps))
                    .bind(look.on.map(date_text));
            }
            moved += query.execute(&mut *tx).await?.rows_affected();
        }
        tx.commit().await?;
        self.written();
        Ok(moved)
    }

    async fn cases(
        &self,
        filter: &CaseFilter,
        before: Option<CaseId>,
        limit: u32,
    ) -> Result<Vec<StoredCase>, StoreError> {
        let mut args = Vec::new();
        let mut clause = SqlStore::filter_sql(filter, &mut args);
        let (past, order) = if filter.oldest_first { (">", "ASC") } else { ("<", "DESC") };
        if let Some(before) = before {
            args.push(before.to_string());
            clause.push_str(&format!(" AND c.id {past} ${}", args.len()));
        }
        let sql = format!(
            "SELECT {CASE_COLUMNS} {CASE_FROM} WHERE {clause} ORDER BY c.id {order} LIMIT {limit}"
        );
        let mut query = sqlx::query_as::<_, CaseRow>(sqlx::AssertSqlSafe(sql));
        for arg in &args {
            query = query.bind(arg);
        }
        let rows = query.fetch_all(&self.pool).await?;
        self.parse_cases(rows)
    }

    async fn count_cases(&self, filter: &CaseFilter) -> Result<u64, StoreError> {
        let mut args = Vec::new();
        let clause = SqlStore::filter_sql(filter, &mut args);
        let sql = format!("SELECT COUNT(*) FROM cases c WHERE {clause}");
        let mut query = sqlx::query_as::<_, (i64,)>(sqlx::AssertSqlSafe(sql));
        for arg in &args {
            query = query.bind(arg);
        }
        let (n,) = query.fetch_one(&self.pool).await?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    async fn case_tallies(&self) -> Result<CaseTallies, StoreError> {
        const BY_STATE: &str = "SELECT state, COUNT(*) FROM cases GROUP BY state";
        const OPEN_BY_ALERT: &str = "SELECT alert, COUNT(*) FROM cases \
             WHERE state NOT IN ('closed', 'refused', 'withdrawn') GROUP BY alert";
        const RATINGS: &str = "SELECT level, COUNT(*) FROM ratings GROUP BY level";
        fn counts<K>(rows: Vec<(K, i64)>) -> Vec<(K, u64)> {
            rows.into_iter().map(|(k, n)| (k, u64::try_from(n).unwrap_or(0))).collect()
        }
        const DECIDED: &str = "SELECT unit, SUM(on_time), COUNT(*) FROM case_ends \
             WHERE state IN ('closed', 'refused') GROUP BY unit";
        const TRIPS: &str = "SELECT trips, COUNT(*) FROM case_ends GROUP BY trips ORDER BY trips";
        let count = |n: i64| u64::try_from(n).unwrap_or(0);
        let mut decided_by_unit = Vec::new();
        for (unit, on_time, all) in
            sqlx::query_as::<_, (String, i64, i64)>(DECIDED).fetch_all(&self.pool).await?
        {
            let unit = unit
                .parse()
                .map_err(|_| StoreError::Corrupt(format!("case_ends: unit {unit:?}")))?;
            decided_by_unit.push((unit, count(on_time), count(all - on_time)));
        }
        let ended_by_trips = sqlx::query_as::<_, (i64, i64)>(TRIPS)
            .fetch_all(&self.pool)
            .await?
            .into_iter()
            .map(|(trips, n)| (u32::try_from(trips).unwrap_or(0), count(n)))
            .collect();
        Ok(CaseTallies {
            by_state: counts(sqlx::query_as(BY_STATE).fetch_all(&self.pool).await?),
            open_by_alert: counts(sqlx::query_as(OPEN_BY_ALERT).fetch_all(&self.pool).await?),
            ratings_by_score: counts(sqlx::query_as(RATINGS).fetch_all(&self.pool).await?),
            decided_by_unit,
            ended_by_trips,
        })
    }

    async fn last_receipt_on(&self, day: NaiveDate) -> Result<u32, StoreError> {
        const SELECT_LAST: &str = "SELECT MAX(receipt) FROM cases WHERE receipt LIKE $1";
        let prefix = format!("QZ{}%", day.format("%Y%m%d"));
        let (last,): (Option<String>,) =
            sqlx::query_as(SELECT_LAST).bind(prefix).fetch_one(&self.pool).await?;
        Ok(last.and_then(|r| r.get(10..).and_then(|n| n.parse().ok())).unwrap_or(0))
    }

    async fn supervisions(
        &self,
        unit: Option<UnitId>,
        open_only: bool,
    ) -> Result<Vec<Supervision>, StoreError> {
        let mut sql = "SELECT doc, closed_on FROM supervisions WHERE 1 = 1".to_owned();
        if unit.is_some() {
            sql.push_str(" AND unit = $1");
        }
        if open_only {
            sql.push_str(" AND closed_on IS NULL");
        }
        sql.push_str(" ORDER BY opened_on, id");
        let mut query = sqlx::query_as::<_, (String, Option<String>)>(sqlx::AssertSqlSafe(sql));
        if let Some(unit) = unit {
            query = query.bind(unit.to_string());
        }
        query
            .fetch_all(&self.pool)
            .await?
            .into_iter()
            .map(|(doc, closed)| supervision_row(&doc, closed))
            .collect()
    }

    async fn put_rating(&self, rating: &Rating, ev: NewEvent) -> Result<Receipt, StoreError> {
        const INSERT_RATING: &str = "INSERT INTO ratings (id, case_id, channel, unit, level, at, doc) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)";
        let mut w = self.begin_write().await?;
        let res = sqlx::query(INSERT_RATING)
            .bind(rating.id.to_string())
            .bind(rating.case.to_string())
            .bind(rating.channel.as_str())
            .bind(rating.unit.to_string())
            .bind(i64::from(rating.level.score()))
            .bind(instant_text(rating.at))
            .bind(document(rating)?)
            .execute(w.conn())
            .await
            .map(|_| ())
            .map_err(|e| violation(e, "the case was rated on this channel already", "case"));
        w.finish(res, ev).await
    }

    async fn update_rating(&self, rating: &Rating, ev: NewEvent) -> Result<Receipt, StoreError> {
        const UPDATE_RATING: &str = "UPDATE ratings SET doc = $2 WHERE id = $1";
        let mut w = self.begin_write().await?;
        let res = sqlx::query(UPDATE_RATING)
            .bind(rating.id.to_string())
            .bind(document(rating)?)
            .execute(w.conn())
            .await
            .map_err(StoreError::from)
            .and_then(|done| match done.rows_affected() {
                1 => Ok(()),
                _ => Err(StoreError::NotFound(format!("rating {}", rating.id))),
            });
        w.finish(res, ev).await
    }

    async fn rating(&self, id: quanze_core::RatingId) -> Result<Option<Rating>, StoreError> {
        const SELECT: &str = "SELECT doc FROM ratings WHERE id = $1";
        let row: Option<(String,)> =
            sqlx::query_as(SELECT).bind(id.to_string()).fetch_optional(&self.pool).await?;
        row.map(|(doc,)| parse_doc("rating", &doc)).transpose()
    }

    async fn ratings_of_case(&self, case: CaseId) -> Result<Vec<Rating>, StoreError> {
        const SELECT: &str = "SELECT doc FROM ratings WHERE case_id = $1 ORDER BY at, id";
        let rows: Vec<(String,)> =
            sqlx::query_as(SELECT).bind(case.to_string()).fetch_all(&self.pool).await?;
        crate::rows::documents("rating", rows)
    }

    async fn ratings_of_unit(&self, unit: UnitId) -> Result<Vec<Rating>, StoreError> {
        const SELECT: &str = "SELECT doc FROM ratings WHERE unit = $1 ORDER BY at, id";
        let rows: Vec<(String,)> =
            sqlx::query_as(SELECT).bind(unit.to_string()).fetch_all(&self.pool).await?;
        crate::rows::documents("rating", rows)
    }

    async fn put_complaint(
        &self,
        complaint: &Complaint,
        ev: NewEvent,
    ) -> Result<Receipt, StoreError> {
        const UPSERT: &str = "INSERT INTO complaints (id, unit, supervisor, reply_by, replied, at, doc) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO UPDATE \
             SET replied = excluded.replied, doc = excluded.doc";
        let mut w = self.begin_write().await?;
        let res = sqlx::query(UPSERT)
            .bind(complaint.id.to_string())
            .bind(complaint.unit.to_string())
            .bind(complaint.supervisor.to_string())
            .bind(date_text(complaint.reply_by.date))
            .bind(i64::from(complaint.reply.is_some()))
            .bind(instant_text(complaint.at))
            .bind(document(complaint)?)
            .execute(w.conn())
            .await
            .map(|_| ())
            .map_err(StoreError::from);
        w.finish(res, ev).await
    }

    async fn complaint(
        &self,
        id: quanze_core::ComplaintId,
    ) -> Result<Option<Complaint>, StoreError> {
        const SELECT: &str = "SELECT doc FROM complaints WHERE id = $1";
        let row: Option<(String,)> =
            sqlx::query_as(SELECT).bind(id.to_string()).fetch_optional(&self.pool).await?;
        row.map(|(doc,)| parse_doc("complaint", &doc)).transpose()
    }

    async fn complaints(
        &self,
        supervisor: Option<UnitId>,
        open_only: bool,
    ) -> Result<Vec<Complaint>, StoreError> {
        let mut sql = "SELECT doc FROM complaints WHERE 1 = 1".to_owned();
        if supervisor.is_some() {
            sql.push_str(" AND supervisor = $1");
        }
        if open_only {
            sql.push_str(" AND replied = 0");
        }
        sql.push_str(" ORDER BY at, id");
        let mut query = sqlx::query_as::<_, (String,)>(sqlx::AssertSqlSafe(sql));
        if let Some(unit) = supervisor {
            query = query.bind(unit.to_string());
        }
        crate::rows::documents("complaint", query.fetch_all(&self.pool).await?)
    }
}
