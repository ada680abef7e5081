//! The law registry (法规库): the laws that items cite as their basis.
//!
//! Invariants: a law is identified by its id and, among laws, by its title and start of force;
//! a law it names as amending or repealing it exists. Laws are read in start-of-force order
//! (the same on every backend: titles would sort by each database's collation).

use async_trait::async_trait;

use crate::open::SqlStore;
use crate::rows::{LawRow, date_text};
use crate::tx::violation;
use crate::{NewEvent, Receipt, StoreError};

/// Stores the law registry. Each write is one transaction writing state and one event.
#[async_trait]
pub trait LawStore: Send + Sync {
    /// Inserts a law of the registry, or replaces the one with its id. `Conflict` when another
    /// law has the same title and start of force; `NotFound` when `amended_by` or
    /// `repealed_by` names no law.
    async fn put_law(&self, law: &quanze_core::Law, ev: NewEvent) -> Result<Receipt, StoreError>;
    /// The law registry, by start of force (the same order on every backend: titles would
    /// sort by each database's collation).
    async fn laws(&self) -> Result<Vec<quanze_core::Law>, StoreError>;
}

#[async_trait]
impl LawStore for SqlStore {
    async fn put_law(&self, law: &quanze_core::Law, ev: NewEvent) -> Result<Receipt, StoreError> {
        const UPSERT_LAW: &str = "INSERT INTO laws (id, title, level, issuer, in_force_from, \
             in_force_until, amended_by, repealed_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (id) DO UPDATE SET title = excluded.title, level = excluded.level, \
             issuer = excluded.issuer, in_force_from = excluded.in_force_from, \
             in_force_until = excluded.in_force_until, amended_by = excluded.amended_by, \
             repealed_by = excluded.repealed_by";
        let mut w = self.begin_write().await?;
        let level = serde_json::to_value(law.level)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        let res = sqlx::query(UPSERT_LAW)
            .bind(law.id.to_string())
            .bind(law.title.as_str())
            .bind(level)
            .bind(law.issuer.as_str())
            .bind(date_text(law.in_force_from))
            .bind(law.in_force_until.map(date_text))
            .bind(law.amended_by.map(|l| l.to_string()))
            .bind(law.repealed_by.map(|l| l.to_string()))
            .execute(w.conn())
            .await
            .map(|_| ())
            .map_err(|e| {
                violation(
                    e,
                    &format!("{} in force from {} is registered", law.title, law.in_force_from),
                    "the amending or repealing law",
                )
            });
        w.finish(res, ev).await
    }

    async fn laws(&self) -> Result<Vec<quanze_core::Law>, StoreError> {
        const SELECT_LAWS: &str = "SELECT id, title, level, issuer, in_force_from, in_force_until, \
             amended_by, repealed_by FROM laws ORDER BY in_force_from, id";
        let rows: Vec<LawRow> = sqlx::query_as(SELECT_LAWS).fetch_all(&self.pool).await?;
        rows.into_iter().map(quanze_core::Law::try_from).collect()
    }
}
