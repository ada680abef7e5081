//! Accounts: users (账号) with their roles, login outcomes and API tokens.
//!
//! Invariants: a user name is unique; a role scoped to a unit names an existing unit; an API
//! token is stored only by its hash, never in clear. A display name is personal data: it is
//! stored on the user row and never written into events in clear (the service passes it as
//! the event's personal data). The lock-out policy is the caller's: the store records the
//! failure count and lock it is given.

use std::collections::BTreeSet;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
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
    /// Display name (personal data: never put into events in clear).
    pub display_name: String,
    /// PHC-format argon2id hash.
    pub password_hash: String,
    /// Roles.
    pub roles: Vec<RoleAssignment>,
    /// Consecutive failed logins.
    pub failed_logins: u32,
    /// Locked until this instant, after too many failures.
    pub locked_until: Option<DateTime<Utc>>,
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
    /// Records a login attempt's outcome: on success resets the failure count and any lock;
    /// on failure stores `failures` (the caller's count: it decides when an expired lock
    /// starts a new one) and `locked_until`. Records an event either way.
    async fn record_login(
        &self,
        user: UserId,
        success: bool,
        failures: u32,
        locked_until: Option<DateTime<Utc>>,
        ev: NewEvent,
    ) -> Result<Receipt, StoreError>;
    /// Stores an API token by its hash (the token itself is never stored).
    async fn create_token(
        &self,
        user: UserId,
        token_hash: &str,
        name: &str,
        ev: NewEvent,
    ) -> Result<Receipt, StoreError>;
    /// The account an API token (by hash) belongs to.
    async fn user_by_token(&self, token_hash: &str) -> Result<Option<UserRecord>, StoreError>;
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
        const SELECT_USER_BY_ID: &str = "SELECT id, username, display_name, password_hash, failed_logins, \
             locked_until FROM users WHERE id = $1";
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
        failures: u32,
        locked_until: Option<DateTime<Utc>>,
        ev: NewEvent,
    ) -> Result<Receipt, StoreError> {
        const LOGIN_SUCCEEDED: &str =
            "UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1";
        const LOGIN_FAILED: &str =
            "UPDATE users SET failed_logins = $2, locked_until = $3 WHERE id = $1";
        let mut w = self.begin_write().await?;
        let res = async {
            let query = if success {
                sqlx::query(LOGIN_SUCCEEDED).bind(user.to_string())
            } else {
                sqlx::query(LOGIN_FAILED)
                    .bind(user.to_string())
                    .bind(i64::from(failures))
                    .bind(locked_until.map(instant_text))
            };
            let done = query.execute(w.conn()).await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::NotFound(format!("user {user}")));
            }
            Ok(())
        }
        .await;
        w.finish(res, ev).await
    }

    async fn create_token(
        &self,
        user: UserId,
        token_hash: &str,
        name: &str,
        ev: NewEvent,
    ) -> Result<Receipt, StoreError> {
        const INSERT_TOKEN: &str = "INSERT INTO api_tokens (token_hash, user_id, name, created_at) VALUES ($1, $2, $3, $4)";
        let mut w = self.begin_write().await?;
        let res = sqlx::query(INSERT_TOKEN)
            .bind(token_hash)
            .bind(user.to_string())
            .bind(name)
            .bind(instant_text(ev.at))
            .execute(w.conn())
            .await
            .map(|_| ())
            .map_err(|e| violation(e, "this token is already stored", &format!("user {user}")));
        w.finish(res, ev).await
    }

    async fn user_by_token(&self, token_hash: &str) -> Result<Option<UserRecord>, StoreError> {
        const SELECT_USER_BY_TOKEN: &str = "SELECT u.id, u.username, u.display_name, u.password_hash, \
             u.failed_logins, u.locked_until FROM users u JOIN api_tokens t ON t.user_id = u.id \
             WHERE t.token_hash = $1";
        let mut conn = self.pool.acquire().await?;
        let row: Option<UserRow> = sqlx::query_as(SELECT_USER_BY_TOKEN)
            .bind(token_hash)
            .fetch_optional(&mut *conn)
            .await?;
        match row {
            Some(row) => Ok(Some(self.load_user(&mut conn, row).await?)),
            None => Ok(None),
        }
    }
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
