//! Accounts: users (账号) with their roles, login outcomes and API tokens.
//!
//! Invariants: a user name is unique; a role scoped to a unit names an existing unit; an API
//! token is stored only by its hash, never in clear. A display name is personal data: it is
//! stored on the user row and never written into events in clear (the service passes it as
//! the event's personal data). The sign-in policy is the caller's: the store counts failures
//! and keeps the lock an administrator sets; a lock, and a new password, end the account's
//! tokens and web sessions in the same transaction.

use std::collections::BTreeSet;

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use quanze_core::{RoleAssignment, UnitId, UserId, Username};
use sqlx::AnyConnection;

use crate::batch::insert_rows;
use crate::open::SqlStore;
use crate::rows::{RoleRow, UserRow, instant_text};
use crate::tx::violation;
use crate::{NewEvent, Receipt, StoreError};

/// A stored account.
#[derive(Debug, Clone, PartialEq)]
pub struct UserRecord {
    /// Id.
    pub id: UserId,
    /// Login name.
    pub username: Username,
    /// Display name (personal data: never put into events in clear; sealed by the service
    /// with SM4, `sm4:…`, when it has a personal-data key).
    pub display_name: String,
    /// PHC-format argon2id hash.
    pub password_hash: String,
    /// Roles.
    pub roles: Vec<RoleAssignment>,
    /// Consecutive failed logins.
    pub failed_logins: u32,
    /// Locked by an administrator until this instant.
    pub locked_until: Option<DateTime<Utc>>,
}

const SELECT_USER_BY_ID: &str = "SELECT id, username, display_name, password_hash, failed_logins, \
             locked_until FROM users WHERE id = $1";

/// How long an API token lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenLife {
    /// The absolute end.
    pub expires_at: DateTime<Utc>,
    /// How long it may go unused.
    pub idle: Duration,
}

/// Stores accounts, their roles, logins and API tokens. Each write is one transaction writing
/// state and one event.
#[async_trait]
pub trait AccountStore: Send + Sync {
    /// Creates an account with its roles. `Conflict` if the name is taken.
    async fn create_user(&self, user: &UserRecord, ev: NewEvent) -> Result<Receipt, StoreError>;
    /// Looks an account up by name.
    async fn user_by_name(&self, name: &Username) -> Result<Option<UserRecord>, StoreError>;
    /// Looks an account up by id.
    async fn user(&self, id: UserId) -> Result<UserRecord, StoreError>;
    /// Records a login attempt's outcome: a success clears the failure count, a failure adds
    /// one to it (in SQL, so concurrent failures all count). Records an event either way.
    async fn record_login(
        &self,
        user: UserId,
        success: bool,
        ev: NewEvent,
    ) -> Result<Receipt, StoreError>;
    /// Stores an API token by its hash (the token itself is never stored), live until its
    /// `life` ends and while it is used within `life.idle`.
    async fn create_token(
        &self,
        user: UserId,
        token_hash: &str,
        name: &str,
        life: TokenLife,
        ev: NewEvent,
    ) -> Result<Receipt, StoreError>;
    /// The account a live API token (by hash) belongs to at `now`: before its end, and used
    /// within its idle time. The use is recorded, at most once a minute.
    async fn user_by_token(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<UserRecord>, StoreError>;
    /// 注销 — ends one token. `NotFound` if it is not stored.
    async fn revoke_token(&self, token_hash: &str, ev: NewEvent) -> Result<Receipt, StoreError>;
    /// Ends every token and web session of an account but the token `keep` (its holder's own,
    /// when the holder ends the others).
    async fn end_sessions(
        &self,
        user: UserId,
        keep: Option<&str>,
        ev: NewEvent,
    ) -> Result<Receipt, StoreError>;
    /// 锁定 or 解锁 — sets (until an instant) or clears an account's lock. A lock ends every
    /// token and web session of the account in the same transaction.
    async fn set_lock(
        &self,
        user: UserId,
        until: Option<DateTime<Utc>>,
        ev: NewEvent,
    ) -> Result<Receipt, StoreError>;
    /// 修改口令 — stores a new password hash and ends every token and web session of the
    /// account but the token `keep`.
    async fn set_password(
        &self,
        user: UserId,
        password_hash: &str,
        keep: Option<&str>,
        ev: NewEvent,
    ) -> Result<Receipt, StoreError>;
}

#[async_trait]
impl AccountStore for SqlStore {
    async fn create_user(&self, user: &UserRecord, ev: NewEvent) -> Result<Receipt, StoreError> {
        let mut w = self.begin_write().await?;
        let res = self.create_user_in(w.conn(), user).await;
        w.finish(res, ev).await
    }

    async fn user_by_name(&self, name: &Username) -> Result<Option<UserRecord>, StoreError> {
        const SELECT_USER_BY_NAME: &str = "SELECT id, username, display_name, password_hash, failed_logins, \
             locked_until FROM users WHERE username = $1";
        let mut conn = self.pool.acquire().await?;
        let row: Option<UserRow> = sqlx::query_as(SELECT_USER_BY_NAME)
            .bind(name.as_str())
            .fetch_optional(&mut *conn)
            .await?;
        match row {
            Some(row) => Ok(Some(self.load_user(&mut conn, row).await?)),
            None => Ok(None),
        }
    }

    async fn user(&self, id: UserId) -> Result<UserRecord, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let row: Option<UserRow> = sqlx::query_as(SELECT_USER_BY_ID)
            .bind(id.to_string())
            .fetch_optional(&mut *conn)
            .await?;
        let row = row.ok_or_else(|| StoreError::NotFound(format!("user {id}")))?;
        self.load_user(&mut conn, row).await
    }

    async fn record_login(
        &self,
        user: UserId,
        success: bool,
        ev: NewEvent,
    ) -> Result<Receipt, StoreError> {
        const LOGIN_SUCCEEDED: &str = "UPDATE users SET failed_logins = 0 WHERE id = $1";
        const LOGIN_FAILED: &str =
            "UPDATE users SET failed_logins = failed_logins + 1 WHERE id = $1";
        let mut w = self.begin_write().await?;
        let sql = if success { LOGIN_SUCCEEDED } else { LOGIN_FAILED };
        let res = update_user(w.conn(), user, sqlx::query(sql).bind(user.to_string())).await;
        w.finish(res, ev).await
    }

    async fn create_token(
        &self,
        user: UserId,
        token_hash: &str,
        name: &str,
        life: TokenLife,
        ev: NewEvent,
    ) -> Result<Receipt, StoreError> {
        const INSERT_TOKEN: &str = "INSERT INTO api_tokens (token_hash, user_id, name, created_at, \
             expires_at, used_at, idle_secs) VALUES ($1, $2, $3, $4, $5, $4, $6)";
        let mut w = self.begin_write().await?;
        let res = sqlx::query(INSERT_TOKEN)
            .bind(token_hash)
            .bind(user.to_string())
            .bind(name)
            .bind(instant_text(ev.at))
            .bind(instant_text(life.expires_at))
            .bind(life.idle.num_seconds())
            .execute(w.conn())
            .await
            .map(|_| ())
            .map_err(|e| violation(e, "this token is already stored", &format!("user {user}")));
        w.finish(res, ev).await
    }

    async fn user_by_token(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<UserRecord>, StoreError> {
        const SELECT_TOKEN: &str =
            "SELECT user_id, expires_at, used_at, idle_secs FROM api_tokens WHERE token_hash = $1";
        // Not a recorded act, so no event: the last use, at most once a minute.
        const TOUCH: &str =
            "UPDATE api_tokens SET used_at = $2 WHERE token_hash = $1 AND used_at < $3";
        let mut conn = self.pool.acquire().await?;
        let token: Option<(String, Option<String>, Option<String>, Option<i64>)> =
            sqlx::query_as(SELECT_TOKEN).bind(token_hash).fetch_optional(&mut *conn).await?;
        let Some((user, Some(expires_at), Some(used_at), Some(idle))) = token else {
            return Ok(None);
        };
        let instant = |text: &str| {
            DateTime::parse_from_rfc3339(text)
                .map(|t| t.to_utc())
                .map_err(|e| StoreError::Corrupt(format!("token instant {text:?}: {e}")))
        };
        if instant(&expires_at)? <= now || instant(&used_at)? + Duration::seconds(idle) <= now {
            return Ok(None);
        }
        let row: Option<UserRow> =
            sqlx::query_as(SELECT_USER_BY_ID).bind(user).fetch_optional(&mut *conn).await?;
        let Some(row) = row else { return Ok(None) };
        let user = self.load_user(&mut conn, row).await?;
        // A busy writer must not fail the request: a missed touch only shortens the idle time.
        let touched = sqlx::query(TOUCH)
            .bind(token_hash)
            .bind(instant_text(now))
            .bind(instant_text(now - Duration::minutes(1)))
            .execute(&mut *conn)
            .await;
        if let Err(e) = touched {
            tracing::warn!(error = %e, "a token's last use could not be recorded");
        }
        Ok(Some(user))
    }

    async fn revoke_token(&self, token_hash: &str, ev: NewEvent) -> Result<Receipt, StoreError> {
        const DELETE_TOKEN: &str = "DELETE FROM api_tokens WHERE token_hash = $1";
        let mut w = self.begin_write().await?;
        let res = async {
            let done = sqlx::query(DELETE_TOKEN).bind(token_hash).execute(w.conn()).await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::NotFound("token".to_owned()));
            }
            Ok(())
        }
        .await;
        w.finish(res, ev).await
    }

    async fn end_sessions(
        &self,
        user: UserId,
        keep: Option<&str>,
        ev: NewEvent,
    ) -> Result<Receipt, StoreError> {
        let mut w = self.begin_write().await?;
        let res = async {
            require_user(w.conn(), user).await?;
            end_sessions_in(w.conn(), user, keep).await
        }
        .await;
        w.finish(res, ev).await
    }

    async fn set_lock(
        &self,
        user: UserId,
        until: Option<DateTime<Utc>>,
        ev: NewEvent,
    ) -> Result<Receipt, StoreError> {
        const SET_LOCK: &str = "UPDATE users SET locked_until = $2 WHERE id = $1";
        let mut w = self.begin_write().await?;
        let res = async {
            let query = sqlx::query(SET_LOCK).bind(user.to_string()).bind(until.map(instant_text));
            update_user(w.conn(), user, query).await?;
            if until.is_some() {
                end_sessions_in(w.conn(), user, None).await?;
            }
            Ok(())
        }
        .await;
        w.finish(res, ev).await
    }

    async fn set_password(
        &self,
        user: UserId,
        password_hash: &str,
        keep: Option<&str>,
        ev: NewEvent,
    ) -> Result<Receipt, StoreError> {
        const SET_PASSWORD: &str =
            "UPDATE users SET password_hash = $2, failed_logins = 0 WHERE id = $1";
        let mut w = self.begin_write().await?;
        let res = async {
            let query = sqlx::query(SET_PASSWORD).bind(user.to_string()).bind(password_hash);
            update_user(w.conn(), user, query).await?;
            end_sessions_in(w.conn(), user, keep).await
        }
        .await;
        w.finish(res, ev).await
    }
}

/// `NotFound` unless the account exists.
pub(crate) async fn require_user(conn: &mut AnyConnection, user: UserId) -> Result<(), StoreError> {
    let found: Option<(String,)> = sqlx::query_as("SELECT id FROM users WHERE id = $1")
        .bind(user.to_string())
        .fetch_optional(conn)
        .await?;
    found.map(|_| ()).ok_or_else(|| StoreError::NotFound(format!("user {user}")))
}

/// Runs an update of one account's row; `NotFound` when there is no such account.
pub(crate) async fn update_user<'q>(
    conn: &mut AnyConnection,
    user: UserId,
    query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
) -> Result<(), StoreError> {
    let done = query.execute(conn).await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound(format!("user {user}")));
    }
    Ok(())
}

/// Deletes an account's web sessions and its tokens but `keep`.
pub(crate) async fn end_sessions_in(
    conn: &mut AnyConnection,
    user: UserId,
    keep: Option<&str>,
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM web_sessions WHERE user_id = $1")
        .bind(user.to_string())
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM api_tokens WHERE user_id = $1 AND token_hash <> $2")
        .bind(user.to_string())
        .bind(keep.unwrap_or(""))
        .execute(&mut *conn)
        .await?;
    Ok(())
}

impl SqlStore {
    async fn load_user(
        &self,
        conn: &mut AnyConnection,
        row: UserRow,
    ) -> Result<UserRecord, StoreError> {
        const SELECT_ROLES: &str =
            "SELECT role, unit_id FROM user_roles WHERE user_id = $1 ORDER BY position";
        let roles: Vec<RoleRow> =
            sqlx::query_as(SELECT_ROLES).bind(row.id.as_str()).fetch_all(conn).await?;
        row.into_record(roles)
    }

    async fn create_user_in(
        &self,
        conn: &mut AnyConnection,
        user: &UserRecord,
    ) -> Result<(), StoreError> {
        const INSERT_USER: &str = "INSERT INTO users (id, username, display_name, password_hash, failed_logins, \
             locked_until) VALUES ($1, $2, $3, $4, $5, $6)";
        const INSERT_ROLES: &str =
            "INSERT INTO user_roles (user_id, position, role, unit_id) VALUES ";
        let units: BTreeSet<UnitId> = user.roles.iter().filter_map(|grant| grant.unit).collect();
        self.require_units(conn, &units).await?;
        let id = user.id.to_string();
        sqlx::query(INSERT_USER)
            .bind(id.as_str())
            .bind(user.username.as_str())
            .bind(user.display_name.as_str())
            .bind(user.password_hash.as_str())
            .bind(i64::from(user.failed_logins))
            .bind(user.locked_until.map(instant_text))
            .execute(&mut *conn)
            .await
            .map_err(|e| {
                violation(e, &format!("user name {} or id {id} is taken", user.username), "user")
            })?;
        insert_rows(
            conn,
            self.backend,
            INSERT_ROLES,
            "",
            4,
            user.roles.iter().enumerate(),
            |row, (i, grant)| {
                row.bind(id.as_str())
                    .bind(i as i64)
                    .bind(grant.role.code())
                    .bind(grant.unit.map(|u| u.to_string()));
            },
        )
        .await
        .map_err(|e| violation(e, "role position taken", "a role's unit"))?;
        Ok(())
    }
}
