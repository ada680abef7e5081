//! 密钥轮换 — the rows sealed under the personal-data key, read out and written back resealed
//! under a new key in one transaction (`quanze key rotate-personal`).
//!
//! The store never sees a key: the service opens and reseals. Each row is written back only if
//! it still holds what was read (a compare-and-set), so a server that wrote meanwhile makes the
//! whole rotation roll back rather than lose its write.
//!
//! The store seals two kinds of rows itself, with the [`crate::Sealer`] the service installed:
//! the personal data behind events' commitments (`event_personal`; the commitment is to the data
//! in clear, so resealing the stored copy keeps every proof), towns' readiness documents
//! (staff names, officers' certificate numbers) and the certificate numbers of the officers who
//! acted on a case (`cases.officers`). The service seals the rest (accounts' names and
//! TOTP secrets, cases' applicants) and gives them here resealed.
//!
//! Left as they are, on purpose: recovery codes (kept only as keyed hashes, which cannot be
//! rehashed without the code) and names sealed inside the personal data of accounts created
//! before the store sealed it (their commitment is to the sealed text). The key ring keeps the
//! previous keys to open and match those.

use async_trait::async_trait;

use quanze_core::case::material::MaterialDigest;

use crate::open::SqlStore;
use crate::{NewEvent, Receipt, StoreError};

/// An account's sealed columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealedAccountRow {
    /// The account id.
    pub id: String,
    /// `users.display_name` (sealed `sm4:…`, or a name stored before there was a key).
    pub display_name: String,
    /// `users.totp_sealed` (hex of a seal).
    pub totp_sealed: Option<String>,
}

/// A case's sealed applicant and the keyed hash it is matched by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealedApplicantRow {
    /// The case id.
    pub case_id: String,
    /// `case_applicants.sealed`.
    pub sealed: Vec<u8>,
    /// `cases.applicant_key`.
    pub applicant_key: String,
}

/// Every row sealed under the personal-data key.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SealedRows {
    /// Accounts.
    pub accounts: Vec<SealedAccountRow>,
    /// Cases' applicants.
    pub applicants: Vec<SealedApplicantRow>,
}

/// What a rotation resealed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct ResealCounts {
    /// Accounts (names, TOTP secrets).
    pub accounts: usize,
    /// Cases' applicants (and the keyed hash each is matched by).
    pub applicants: usize,
    /// Events' personal data.
    pub personal: usize,
    /// Towns' readiness documents.
    pub readiness: usize,
    /// Cases' officers' certificate numbers.
    pub officers: usize,
    /// Applicants' uploaded materials.
    pub materials: usize,
    /// Materials (files beside SQLite, rows in PostgreSQL) that were missing or did not open or
    /// match their digest (already unreadable before the rotation): left as they were, each
    /// named in the log.
    pub unreadable_materials: usize,
}

/// The prefix of a sealed text (the service's `SEALED_TEXT`); a JSON document never starts so.
const SEALED: &str = "sm4:";

/// `plain` sealed by `sealer`, or as it is without one.
pub(crate) fn seal_stored(sealer: Option<&dyn crate::Sealer>, plain: String) -> String {
    match sealer {
        Some(sealer) => sealer.seal_text(&plain),
        None => plain,
    }
}

/// A stored text opened: as it is unless sealed. `Corrupt` naming `what` when it is sealed and
/// there is no sealer (the process was not given the key) or the seal does not open.
pub(crate) fn open_stored(
    sealer: Option<&dyn crate::Sealer>,
    what: &str,
    stored: &str,
) -> Result<String, StoreError> {
    if !stored.starts_with(SEALED) {
        return Ok(stored.to_owned());
    }
    let Some(sealer) = sealer else {
        return Err(StoreError::Corrupt(format!(
            "{what} is sealed under the personal-data key, which was not given \
             (--personal-key or QUANZE_PERSONAL_KEY)"
        )));
    };
    sealer.open_text(stored).ok_or_else(|| {
        StoreError::Corrupt(format!("{what}: the seal does not open under the key ring"))
    })
}

/// Reads and rewrites sealed rows.
#[async_trait]
pub trait ResealStore: Send + Sync {
    /// Every sealed row.
    async fn sealed_rows(&self) -> Result<SealedRows, StoreError>;
    /// Writes `after` over `before` (the same rows, in the same order, resealed), reseals the
    /// rows the store seals itself under the installed sealer's current key, and writes `ev`,
    /// in one transaction. `Conflict` if a row no longer holds what `before` says, `Corrupt`
    /// if a seal does not open (nothing is written then).
    async fn reseal(
        &self,
        before: &SealedRows,
        after: &SealedRows,
        ev: NewEvent,
    ) -> Result<(Receipt, ResealCounts), StoreError>;
}

#[async_trait]
impl ResealStore for SqlStore {
    async fn sealed_rows(&self) -> Result<SealedRows, StoreError> {
        const ACCOUNTS: &str = "SELECT id, display_name, totp_sealed FROM users ORDER BY id";
        const APPLICANTS: &str = "SELECT a.case_id, a.sealed, c.applicant_key \
             FROM case_applicants a JOIN cases c ON c.id = a.case_id ORDER BY a.case_id";
        let mut conn = self.pool.acquire().await?;
        let accounts: Vec<(String, String, Option<String>)> =
            sqlx::query_as(ACCOUNTS).fetch_all(&mut *conn).await?;
        let applicants: Vec<(String, Vec<u8>, String)> =
            sqlx::query_as(APPLICANTS).fetch_all(&mut *conn).await?;
        Ok(SealedRows {
            accounts: accounts
                .into_iter()
                .map(|(id, display_name, totp_sealed)| SealedAccountRow {
                    id,
                    display_name,
                    totp_sealed,
                })
                .collect(),
            applicants: applicants
                .into_iter()
                .map(|(case_id, sealed, applicant_key)| SealedApplicantRow {
                    case_id,
                    sealed,
                    applicant_key,
                })
                .collect(),
        })
    }

    async fn reseal(
        &self,
        before: &SealedRows,
        after: &SealedRows,
        ev: NewEvent,
    ) -> Result<(Receipt, ResealCounts), StoreError> {
        const ACCOUNT: &str = "UPDATE users SET display_name = $2, totp_sealed = $3 \
             WHERE id = $1 AND display_name = $4 AND COALESCE(totp_sealed, '') = $5";
        const APPLICANT: &str =
            "UPDATE case_applicants SET sealed = $2 WHERE case_id = $1 AND sealed = $3";
        const CASE_KEY: &str =
            "UPDATE cases SET applicant_key = $2 WHERE id = $1 AND applicant_key = $3";
        let same_rows = before.accounts.len() == after.accounts.len()
            && before.applicants.len() == after.applicants.len()
            && before.accounts.iter().zip(&after.accounts).all(|(b, a)| b.id == a.id)
            && before.applicants.iter().zip(&after.applicants).all(|(b, a)| b.case_id == a.case_id);
        if !same_rows {
            return Err(StoreError::Conflict("resealed rows do not match the rows read".into()));
        }
        let changed = || StoreError::Conflict("a sealed row changed during the rotation".into());
        let sealer = self
            .sealer()
            .ok_or_else(|| StoreError::Conflict("no personal-data key is installed".into()))?;
        let mut counts = ResealCounts {
            accounts: after.accounts.len(),
            applicants: after.applicants.len(),
            ..ResealCounts::default()
        };
        let mut w = self.begin_large_write().await?;
        let res = async {
            // The rows read before are all the rows there are: an account or a case added
            // since (by a server still running) would otherwise stay under the old key.
            let accounts: Vec<String> =
                sqlx::query_scalar("SELECT id FROM users ORDER BY id").fetch_all(w.conn()).await?;
            let cases: Vec<String> =
                sqlx::query_scalar("SELECT case_id FROM case_applicants ORDER BY case_id")
                    .fetch_all(w.conn())
                    .await?;
            if !accounts.iter().eq(before.accounts.iter().map(|a| &a.id))
                || !cases.iter().eq(before.applicants.iter().map(|a| &a.case_id))
            {
                return Err(StoreError::Conflict(
                    "an account or a case was added during the rotation".into(),
                ));
            }
            for (b, a) in before.accounts.iter().zip(&after.accounts) {
                let done = sqlx::query(ACCOUNT)
                    .bind(a.id.as_str())
                    .bind(a.display_name.as_str())
                    .bind(a.totp_sealed.clone())
                    .bind(b.display_name.as_str())
                    .bind(b.totp_sealed.clone().unwrap_or_default())
                    .execute(w.conn())
                    .await?;
                if done.rows_affected() != 1 {
                    return Err(changed());
                }
            }
            for (b, a) in before.applicants.iter().zip(&after.applicants) {
                let done = sqlx::query(APPLICANT)
                    .bind(a.case_id.as_str())
                    .bind(a.sealed.clone())
                    .bind(b.sealed.clone())
                    .execute(w.conn())
                    .await?;
                let keyed = sqlx::query(CASE_KEY)
                    .bind(a.case_id.as_str())
                    .bind(a.applicant_key.as_str())
                    .bind(b.applicant_key.as_str())
                    .execute(w.conn())
                    .await?;
                if done.rows_affected() != 1 || keyed.rows_affected() != 1 {
                    return Err(changed());
                }
            }
            counts.personal = reseal_personal(w.conn(), sealer.as_ref()).await?;
            counts.readiness = reseal_readiness(w.conn(), sealer.as_ref()).await?;
            counts.officers = reseal_officers(w.conn(), sealer.as_ref()).await?;
            if self.materials_root().is_none() {
                (counts.materials, counts.unreadable_materials) =
                    reseal_material_rows(w.conn(), sealer.as_ref()).await?;
            }
            Ok(())
        }
        .await;
        let receipt = w.finish(res, ev).await?;
        // Material files beside a SQLite database, after the commit, one at a time: each is
        // replaced whole (a temporary file renamed), and the ring that wrote the new ones is
        // the one every server opens with, whether or not this finishes.
        if let Some(root) = self.materials_root() {
            let digests: Vec<String> =
                sqlx::query_scalar("SELECT digest FROM materials ORDER BY digest")
                    .fetch_all(&self.pool)
                    .await?;
            let digests = digests
                .iter()
                .map(|d| MaterialDigest::parse(d))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| StoreError::Corrupt(format!("materials: digest: {e}")))?;
            let sealer = sealer.clone();
            let (resealed, unreadable) = tokio::task::spawn_blocking(move || {
                crate::materials::reseal_files(&root, &digests, sealer.as_ref())
            })
            .await
            .map_err(|e| StoreError::Direct(format!("resealing materials: {e}")))?
            .map_err(|e| StoreError::Direct(format!("resealing materials: {e}")))?;
            counts.materials = resealed;
            counts.unreadable_materials = unreadable;
        }
        Ok((receipt, counts))
    }
}

/// `stored` opened under the ring and sealed again under its current key.
fn resealed(sealer: &dyn crate::Sealer, what: &str, stored: &str) -> Result<String, StoreError> {
    Ok(sealer.seal_text(&open_stored(Some(sealer), what, stored)?))
}

/// A key column's value, bound as it was read.
enum KeyValue {
    Int(i64),
    Text(String),
}

impl std::fmt::Display for KeyValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeyValue::Int(n) => write!(f, "{n}"),
            KeyValue::Text(t) => f.write_str(t),
        }
    }
}

/// Reseals a sealed text column, row by row: `rows` are each row's key values and stored text
/// as read; `update` sets the column to `$k+1` where the keys are `$1`…`$k` and the column
/// still holds `$k+2` (a compare-and-set). How many rows.
async fn reseal_column(
    conn: &mut sqlx::AnyConnection,
    sealer: &dyn crate::Sealer,
    table: &str,
    rows: Vec<(Vec<KeyValue>, String)>,
    update: &'static str,
) -> Result<usize, StoreError> {
    for (keys, stored) in &rows {
        let name = keys.iter().map(ToString::to_string).collect::<Vec<_>>().join(" ");
        let new = resealed(sealer, &format!("{table} {name}"), stored)?;
        let mut query = sqlx::query(update);
        for key in keys {
            query = match key {
                KeyValue::Int(n) => query.bind(*n),
                KeyValue::Text(t) => query.bind(t.as_str()),
            };
        }
        let done = query.bind(new).bind(stored.as_str()).execute(&mut *conn).await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::Conflict("a sealed row changed during the rotation".into()));
        }
    }
    Ok(rows.len())
}

/// Reseals every event's personal data; how many.
async fn reseal_personal(
    conn: &mut sqlx::AnyConnection,
    sealer: &dyn crate::Sealer,
) -> Result<usize, StoreError> {
    const SELECT: &str = "SELECT seq, data FROM event_personal ORDER BY seq";
    const UPDATE: &str = "UPDATE event_personal SET data = $2 WHERE seq = $1 AND data = $3";
    let rows: Vec<(i64, String)> = sqlx::query_as(SELECT).fetch_all(&mut *conn).await?;
    let rows = rows.into_iter().map(|(seq, data)| (vec![KeyValue::Int(seq)], data)).collect();
    reseal_column(conn, sealer, "event_personal", rows, UPDATE).await
}

/// Reseals every readiness document; how many.
async fn reseal_readiness(
    conn: &mut sqlx::AnyConnection,
    sealer: &dyn crate::Sealer,
) -> Result<usize, StoreError> {
    const SELECT: &str = "SELECT grant_id, town, doc FROM readiness ORDER BY grant_id, town";
    const UPDATE: &str =
        "UPDATE readiness SET doc = $3 WHERE grant_id = $1 AND town = $2 AND doc = $4";
    let rows: Vec<(String, String, String)> = sqlx::query_as(SELECT).fetch_all(&mut *conn).await?;
    let rows = rows
        .into_iter()
        .map(|(grant, town, doc)| (vec![KeyValue::Text(grant), KeyValue::Text(town)], doc))
        .collect();
    reseal_column(conn, sealer, "readiness", rows, UPDATE).await
}

/// The procedures whose cases may name officers: those with a step that takes their
/// certificate numbers (调查取证, 实施强制措施), read from the procedure tables.
fn procedures_with_officers() -> Vec<&'static str> {
    use quanze_core::case::ActionKind;
    use quanze_core::case::procedure::ProcedureKind;
    ProcedureKind::ALL
        .iter()
        .filter(|kind| {
            let def = kind.procedure();
            quanze_core::case::CaseState::ALL.iter().any(|state| {
                let actions = def.actions_in(*state);
                actions.contains(&ActionKind::Investigate)
                    || actions.contains(&ActionKind::ApplyMeasure)
            })
        })
        .map(|kind| kind.as_str())
        .collect()
}

/// Reseals the certificate numbers of the officers who acted on each case; how many cases.
/// The cases of the procedures with officers ([`procedures_with_officers`]) whose document
/// still holds them in clear (written before migration 0023, or without a key) have them moved
/// out of the document and sealed first, read a page at a time.
async fn reseal_officers(
    conn: &mut sqlx::AnyConnection,
    sealer: &dyn crate::Sealer,
) -> Result<usize, StoreError> {
    const PAGE: usize = 500;
    const MOVE: &str = "UPDATE cases SET doc = $2, officers = $3 \
         WHERE id = $1 AND doc = $4 AND officers IS NULL";
    let procedures =
        procedures_with_officers().iter().map(|p| format!("'{p}'")).collect::<Vec<_>>().join(", ");
    let in_clear = format!(
        "SELECT id, doc FROM cases WHERE officers IS NULL AND procedure IN ({procedures}) \
         AND id > $1 ORDER BY id LIMIT {PAGE}"
    );
    let mut after = String::new();
    loop {
        let page: Vec<(String, Vec<u8>)> = sqlx::query_as(sqlx::AssertSqlSafe(in_clear.clone()))
            .bind(after.as_str())
            .fetch_all(&mut *conn)
            .await?;
        for (id, doc) in &page {
            let mut case: quanze_core::case::Case = crate::packed::unpack("case", doc)?;
            if case.officers.is_empty() {
                continue;
            }
            let sealed = sealer.seal_text(&crate::rows::document(&case.officers)?);
            case.officers.clear();
            let done = sqlx::query(MOVE)
                .bind(id.as_str())
                .bind(crate::packed::pack(&case)?)
                .bind(sealed)
                .bind(doc.clone())
                .execute(&mut *conn)
                .await?;
            if done.rows_affected() != 1 {
                return Err(StoreError::Conflict(
                    "a sealed row changed during the rotation".into(),
                ));
            }
        }
        match page.last() {
            Some((id, _)) if page.len() == PAGE => after = id.clone(),
            _ => break,
        }
    }
    const SELECT: &str = "SELECT id, officers FROM cases WHERE officers IS NOT NULL ORDER BY id";
    const UPDATE: &str = "UPDATE cases SET officers = $2 WHERE id = $1 AND officers = $3";
    let rows: Vec<(String, String)> = sqlx::query_as(SELECT).fetch_all(&mut *conn).await?;
    let rows = rows.into_iter().map(|(id, stored)| (vec![KeyValue::Text(id)], stored)).collect();
    reseal_column(conn, sealer, "cases.officers", rows, UPDATE).await
}

/// Reseals the materials stored in the database (PostgreSQL, in-memory SQLite), one at a time:
/// (resealed, left unreadable).
async fn reseal_material_rows(
    conn: &mut sqlx::AnyConnection,
    sealer: &dyn crate::Sealer,
) -> Result<(usize, usize), StoreError> {
    const DIGESTS: &str = "SELECT digest FROM material_contents ORDER BY digest";
    const SELECT: &str = "SELECT content FROM material_contents WHERE digest = $1";
    const UPDATE: &str = "UPDATE material_contents SET content = $2 WHERE digest = $1";
    let digests: Vec<String> = sqlx::query_scalar(DIGESTS).fetch_all(&mut *conn).await?;
    let (mut resealed, mut unreadable) = (0, 0);
    for digest in &digests {
        let stored: Vec<u8> = sqlx::query_scalar(SELECT).bind(digest).fetch_one(&mut *conn).await?;
        // As with the files beside SQLite: a row that was already unreadable (its seal does
        // not open, or its bytes are not what its digest says) is named in the log, counted
        // and left, and the rotation goes on.
        match crate::materials::resealed_content(sealer, stored, digest) {
            Ok(again) => {
                sqlx::query(UPDATE).bind(digest).bind(again).execute(&mut *conn).await?;
                resealed += 1;
            }
            Err(why) => {
                tracing::warn!("rotation: material {digest} left as it was: {why}");
                unreadable += 1;
            }
        }
    }
    Ok((resealed, unreadable))
}
