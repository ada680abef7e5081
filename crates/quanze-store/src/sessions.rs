//! 网页会话 — the staff's web sessions: an opaque record per session id (the web layer's
//! session data), the account it belongs to, and its expiry.
//!
//! Invariants: one row per id; a session past its `expires_at` is never returned (and is
//! deleted by [`WebSessionStore::delete_expired_sessions`]); deleting an account deletes its
//! sessions. These writes record no event: a session is a cookie's memory, not an act of
//! government; signing in and out are recorded by the accounts' use cases.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use quanze_core::UserId;

use crate::StoreError;
use crate::open::SqlStore;
use crate::rows::instant_text;

/// One stored session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSession {
    /// The web layer's record (opaque).
    pub record: String,
    /// Whose session it is, once signed in.
    pub user: Option<UserId>,
    /// When it expires.
    pub expires_at: DateTime<Utc>,
}

/// Stores web sessions.
#[async_trait]
pub trait WebSessionStore: Send + Sync {
    /// Stores a new session; `Conflict` when the id is taken.
    async fn create_session(&self, id: &str, session: &StoredSession) -> Result<(), StoreError>;
    /// Replaces the stored session of that id; a session no longer stored (ended meanwhile)
    /// stays ended.
    async fn save_session(&self, id: &str, session: &StoredSession) -> Result<(), StoreError>;
    /// The session of that id, unless it expired by `now`.
    async fn session(
        &self,
        id: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<StoredSession>, StoreError>;
    /// Ends a session (nothing when there is none).
    async fn delete_session(&self, id: &str) -> Result<(), StoreError>;
    /// Ends every session of an account; how many.
    async fn delete_user_sessions(&self, user: UserId) -> Result<u64, StoreError>;
    /// Removes the sessions expired by `now`; how many.
    async fn delete_expired_sessions(&self, now: DateTime<Utc>) -> Result<u64, StoreError>;
}

#[async_trait]
impl WebSessionStore for SqlStore {
    async fn create_session(&self, id: &str, session: &StoredSession) -> Result<(), StoreError> {
        const INSERT: &str = "INSERT INTO web_sessions (id, user_id, record, expires_at) \
             VALUES ($1, $2, $3, $4)";
        self.write_session(INSERT, id, session).await.map_err(|e| match e {
            StoreError::Sqlx(sqlx::Error::Database(db))
                if db.kind() == sqlx::error::ErrorKind::UniqueViolation =>
            {
                StoreError::Conflict(format!("session id {id} is taken"))
            }
            other => other,
        })
    }

    async fn save_session(&self, id: &str, session: &StoredSession) -> Result<(), StoreError> {
        // An update only: a session ended meanwhile (a password change, a lock, a logout
        // elsewhere) stays ended, even if one of its requests was still running.
        const UPDATE: &str = "UPDATE web_sessions SET user_id = $2, record = $3, expires_at = $4 \
             WHERE id = $1";
        self.write_session(UPDATE, id, session).await
    }

    async fn session(
        &self,
        id: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<StoredSession>, StoreError> {
        const SELECT: &str = "SELECT user_id, record, expires_at FROM web_sessions \
             WHERE id = $1 AND expires_at > $2";
        let row: Option<(Option<String>, String, String)> = sqlx::query_as(SELECT)
            .bind(id)
            .bind(instant_text(now))
            .fetch_optional(&self.pool)
            .await?;
        let Some((user, record, expires_at)) = row else { return Ok(None) };
        let corrupt = |what: &str, e: &dyn std::fmt::Display| {
            StoreError::Corrupt(format!("web_sessions {id}: {what}: {e}"))
        };
        Ok(Some(StoredSession {
            user: user
                .map(|u| u.parse::<UserId>().map_err(|e| corrupt("user_id", &e)))
                .transpose()?,
            record,
            expires_at: DateTime::parse_from_rfc3339(&expires_at)
                .map_err(|e| corrupt("expires_at", &e))?
                .with_timezone(&Utc),
        }))
    }

    async fn delete_session(&self, id: &str) -> Result<(), StoreError> {
        self.delete_sessions("DELETE FROM web_sessions WHERE id = $1", id.to_owned()).await?;
        Ok(())
    }

    async fn delete_user_sessions(&self, user: UserId) -> Result<u64, StoreError> {
        self.delete_sessions("DELETE FROM web_sessions WHERE user_id = $1", user.to_string()).await
    }

    async fn delete_expired_sessions(&self, now: DateTime<Utc>) -> Result<u64, StoreError> {
        self.delete_sessions("DELETE FROM web_sessions WHERE expires_at <= $1", instant_text(now))
            .await
    }
}

impl SqlStore {
    /// One session statement under the writer's lock, as every write takes it (no event).
    async fn write_session(
        &self,
        sql: &'static str,
        id: &str,
        session: &StoredSession,
    ) -> Result<(), StoreError> {
        let (_slot, mut tx) =
            crate::tx::begin_locked(&self.pool, self.backend, &self.sqlite_writer).await?;
        sqlx::query(sql)
            .bind(id)
            .bind(session.user.map(|u| u.to_string()))
            .bind(session.record.as_str())
            .bind(instant_text(session.expires_at))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        self.written();
        Ok(())
    }

    async fn delete_sessions(&self, sql: &'static str, key: String) -> Result<u64, StoreError> {
        let (_slot, mut tx) =
            crate::tx::begin_locked(&self.pool, self.backend, &self.sqlite_writer).await?;
        let n = sqlx::query(sql).bind(key).execute(&mut *tx).await?.rows_affected();
        tx.commit().await?;
        self.written();
        Ok(n)
    }
}
