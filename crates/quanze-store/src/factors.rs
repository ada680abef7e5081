//! 第二因素 — an account's second factors: a TOTP secret (sealed by the service; the store
//! never sees it in clear), its single-use recovery codes (by hash), and an SM2 public key.
//!
//! Invariants: a TOTP time step is accepted at most once per account, and a recovery code at
//! most once, checked and recorded in the same statement as the sign-in's event (so two
//! sign-ins racing with one code cannot both pass); a confirmed enrolment is replaced only
//! after it is cleared; clearing an account's factors ends its sessions.

use async_trait::async_trait;
use quanze_core::UserId;
use sqlx::AnyConnection;

use crate::open::SqlStore;
use crate::{NewEvent, Receipt, StoreError};

/// An account's second factors as stored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Factors {
    /// The sealed TOTP secret (hex), if one is enrolled or being enrolled.
    pub totp_sealed: Option<String>,
    /// Whether the TOTP enrolment was confirmed with a code.
    pub totp_confirmed: bool,
    /// The last TOTP time step accepted.
    pub totp_last_step: Option<i64>,
    /// The SM2 public key (hex of the uncompressed point), if enrolled.
    pub sm2_public_key: Option<String>,
    /// Recovery codes not yet used.
    pub recovery_codes_left: u32,
    /// Their hashes (a code hashed under a key since rotated away matches one of these only
    /// under that key).
    pub recovery_hashes: Vec<String>,
}

impl Factors {
    /// Whether the account has a second factor it can sign in with.
    pub fn any(&self) -> bool {
        (self.totp_sealed.is_some() && self.totp_confirmed) || self.sm2_public_key.is_some()
    }
}

/// A second factor as a sign-in used it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FactorUse {
    /// A TOTP code of this time step.
    Totp(i64),
    /// A recovery code, by its hash.
    Recovery(String),
    /// A challenge signed by the account's SM2 key.
    Sm2,
}

/// Stores second factors.
#[async_trait]
pub trait FactorStore: Send + Sync {
    /// The account's factors. `NotFound` if there is no such account.
    async fn factors(&self, user: UserId) -> Result<Factors, StoreError>;
    /// Starts a TOTP enrolment with a sealed secret, replacing an unconfirmed one; `Conflict`
    /// if a confirmed enrolment exists.
    async fn begin_totp(
        &self,
        user: UserId,
        sealed: &str,
        ev: NewEvent,
    ) -> Result<Receipt, StoreError>;
    /// Confirms the enrolment with the step of its first code (a sign-in: the failure count
    /// clears) and stores new recovery codes (by hash), replacing any. `Conflict` unless an
    /// unconfirmed enrolment exists.
    async fn confirm_totp(
        &self,
        user: UserId,
        step: i64,
        recovery_hashes: &[String],
        ev: NewEvent,
    ) -> Result<Receipt, StoreError>;
    /// Records a sign-in completed with a second factor: a TOTP step later than the last
    /// accepted, or an unused recovery code (then used up), and clears the failure count.
    /// `Conflict` if the step or the code was already used.
    async fn record_second_factor(
        &self,
        user: UserId,
        used: &FactorUse,
        ev: NewEvent,
    ) -> Result<Receipt, StoreError>;
    /// Stores (or with `None` removes) the account's SM2 public key.
    async fn set_sm2_key(
        &self,
        user: UserId,
        key: Option<&str>,
        ev: NewEvent,
    ) -> Result<Receipt, StoreError>;
    /// Replaces the account's recovery codes.
    async fn replace_recovery_codes(
        &self,
        user: UserId,
        hashes: &[String],
        ev: NewEvent,
    ) -> Result<Receipt, StoreError>;
    /// Removes every second factor of the account and ends its sessions (an administrator's
    /// reset for a lost phone or key).
    async fn clear_factors(&self, user: UserId, ev: NewEvent) -> Result<Receipt, StoreError>;
}

#[async_trait]
impl FactorStore for SqlStore {
    async fn factors(&self, user: UserId) -> Result<Factors, StoreError> {
        const SELECT: &str = "SELECT totp_sealed, totp_confirmed, totp_last_step, sm2_public_key \
             FROM users WHERE id = $1";
        const CODES: &str = "SELECT code_hash FROM recovery_codes WHERE user_id = $1";
        let mut conn = self.pool.acquire().await?;
        let row: Option<(Option<String>, i64, Option<i64>, Option<String>)> =
            sqlx::query_as(SELECT).bind(user.to_string()).fetch_optional(&mut *conn).await?;
        let (totp_sealed, confirmed, totp_last_step, sm2_public_key) =
            row.ok_or_else(|| StoreError::NotFound(format!("user {user}")))?;
        let recovery_hashes: Vec<String> =
            sqlx::query_scalar(CODES).bind(user.to_string()).fetch_all(&mut *conn).await?;
        Ok(Factors {
            totp_sealed,
            totp_confirmed: confirmed != 0,
            totp_last_step,
            sm2_public_key,
            recovery_codes_left: u32::try_from(recovery_hashes.len()).unwrap_or(u32::MAX),
            recovery_hashes,
        })
    }

    async fn begin_totp(
        &self,
        user: UserId,
        sealed: &str,
        ev: NewEvent,
    ) -> Result<Receipt, StoreError> {
        const BEGIN: &str = "UPDATE users SET totp_sealed = $2, totp_confirmed = 0, \
             totp_last_step = NULL WHERE id = $1 AND totp_confirmed = 0";
        let mut w = self.begin_write().await?;
        let res = async {
            let done =
                sqlx::query(BEGIN).bind(user.to_string()).bind(sealed).execute(w.conn()).await?;
            if done.rows_affected() == 0 {
                crate::accounts::require_user(w.conn(), user).await?;
                return Err(StoreError::Conflict(format!(
                    "user {user} has a confirmed second factor already"
                )));
            }
            Ok(())
        }
        .await;
        w.finish(res, ev).await
    }

    async fn confirm_totp(
        &self,
        user: UserId,
        step: i64,
        recovery_hashes: &[String],
        ev: NewEvent,
    ) -> Result<Receipt, StoreError> {
        const CONFIRM: &str = "UPDATE users SET totp_confirmed = 1, totp_last_step = $2, \
             failed_logins = 0 WHERE id = $1 AND totp_confirmed = 0 AND totp_sealed IS NOT NULL";
        let mut w = self.begin_write().await?;
        let res = async {
            let done =
                sqlx::query(CONFIRM).bind(user.to_string()).bind(step).execute(w.conn()).await?;
            if done.rows_affected() == 0 {
                crate::accounts::require_user(w.conn(), user).await?;
                return Err(StoreError::Conflict(format!(
                    "user {user} has no enrolment waiting to be confirmed"
                )));
            }
            put_recovery_codes(w.conn(), user, recovery_hashes).await
        }
        .await;
        w.finish(res, ev).await
    }

    async fn record_second_factor(
        &self,
        user: UserId,
        used: &FactorUse,
        ev: NewEvent,
    ) -> Result<Receipt, StoreError> {
        const USE_STEP: &str = "UPDATE users SET totp_last_step = $2, failed_logins = 0 \
             WHERE id = $1 AND totp_confirmed = 1 \
             AND (totp_last_step IS NULL OR totp_last_step < $2)";
        const USE_CODE: &str = "DELETE FROM recovery_codes WHERE user_id = $1 AND code_hash = $2";
        const CLEAR_FAILURES: &str = "UPDATE users SET failed_logins = 0 WHERE id = $1";
        let mut w = self.begin_write().await?;
        let res = async {
            let id = user.to_string();
            let done = match used {
                FactorUse::Totp(step) => {
                    sqlx::query(USE_STEP).bind(id.as_str()).bind(*step).execute(w.conn()).await?
                }
                FactorUse::Recovery(hash) => {
                    let done = sqlx::query(USE_CODE)
                        .bind(id.as_str())
                        .bind(hash.as_str())
                        .execute(w.conn())
                        .await?;
                    if done.rows_affected() > 0 {
                        sqlx::query(CLEAR_FAILURES).bind(id.as_str()).execute(w.conn()).await?;
                    }
                    done
                }
                FactorUse::Sm2 => {
                    sqlx::query(CLEAR_FAILURES).bind(id.as_str()).execute(w.conn()).await?
                }
            };
            if done.rows_affected() == 0 {
                return Err(StoreError::Conflict(format!(
                    "user {user}: this second factor was used already"
                )));
            }
            Ok(())
        }
        .await;
        w.finish(res, ev).await
    }

    async fn set_sm2_key(
        &self,
        user: UserId,
        key: Option<&str>,
        ev: NewEvent,
    ) -> Result<Receipt, StoreError> {
        const SET: &str = "UPDATE users SET sm2_public_key = $2 WHERE id = $1";
        let mut w = self.begin_write().await?;
        let query = sqlx::query(SET).bind(user.to_string()).bind(key.map(str::to_owned));
        let res = crate::accounts::update_user(w.conn(), user, query).await;
        w.finish(res, ev).await
    }

    async fn replace_recovery_codes(
        &self,
        user: UserId,
        hashes: &[String],
        ev: NewEvent,
    ) -> Result<Receipt, StoreError> {
        let mut w = self.begin_write().await?;
        let res = async {
            crate::accounts::require_user(w.conn(), user).await?;
            put_recovery_codes(w.conn(), user, hashes).await
        }
        .await;
        w.finish(res, ev).await
    }

    async fn clear_factors(&self, user: UserId, ev: NewEvent) -> Result<Receipt, StoreError> {
        const CLEAR: &str = "UPDATE users SET totp_sealed = NULL, totp_confirmed = 0, \
             totp_last_step = NULL, sm2_public_key = NULL WHERE id = $1";
        let mut w = self.begin_write().await?;
        let res = async {
            let query = sqlx::query(CLEAR).bind(user.to_string());
            crate::accounts::update_user(w.conn(), user, query).await?;
            put_recovery_codes(w.conn(), user, &[]).await?;
            crate::accounts::end_sessions_in(w.conn(), user, None).await
        }
        .await;
        w.finish(res, ev).await
    }
}

/// Replaces an account's recovery codes with `hashes`.
async fn put_recovery_codes(
    conn: &mut AnyConnection,
    user: UserId,
    hashes: &[String],
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
        .bind(user.to_string())
        .execute(&mut *conn)
        .await?;
    for hash in hashes {
        sqlx::query("INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)")
            .bind(user.to_string())
            .bind(hash.as_str())
            .execute(&mut *conn)
            .await
            .map_err(|e| crate::tx::violation(e, "a recovery code repeats", "recovery code"))?;
    }
    Ok(())
}
