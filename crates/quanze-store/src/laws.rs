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
    /// One law by its id (its primary key: what a law's page and a change to it read, never
    /// the whole registry).
    async fn law(&self, id: quanze_core::LawId) -> Result<Option<quanze_core::Law>, StoreError>;
    /// The number of laws and the page of at most `limit` from `offset`, in the order of
    /// [`LawStore::laws`]. Cut in the database along the `laws_by_start` index (migration
    /// 0010), so a page costs the same at 100,000 laws as at 100; count and page are read in
    /// one transaction so they agree.
    async fn laws_page(
        &self,
        offset: usize,
        limit: usize,
    ) -> Result<(usize, Vec<quanze_core::Law>), StoreError>;
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
    async fn law(&self, id: quanze_core::LawId) -> Result<Option<quanze_core::Law>, StoreError> {
        const SELECT_LAW: &str = "SELECT id, title, level, issuer, in_force_from, in_force_until, \
             amended_by, repealed_by FROM laws WHERE id = $1";
        let row: Option<LawRow> =
            sqlx::query_as(SELECT_LAW).bind(id.to_string()).fetch_optional(&self.pool).await?;
        row.map(quanze_core::Law::try_from).transpose()
    }

    async fn laws_page(
        &self,
        offset: usize,
        limit: usize,
    ) -> Result<(usize, Vec<quanze_core::Law>), StoreError> {
        const SELECT_LAWS_PAGE: &str = "SELECT id, title, level, issuer, in_force_from, \
             in_force_until, amended_by, repealed_by FROM laws ORDER BY in_force_from, id \
             LIMIT $1 OFFSET $2";
        const COUNT_LAWS: &str = "SELECT COUNT(*) FROM laws";
        let as_i64 = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
        let mut tx = self.pool.begin().await?;
        let total: i64 = sqlx::query_scalar(COUNT_LAWS).fetch_one(&mut *tx).await?;
        let rows: Vec<LawRow> = sqlx::query_as(SELECT_LAWS_PAGE)
            .bind(as_i64(limit))
            .bind(as_i64(offset))
            .fetch_all(&mut *tx)
            .await?;
        tx.commit().await?;
        let laws = rows.into_iter().map(quanze_core::Law::try_from).collect::<Result<_, _>>()?;
        Ok((usize::try_from(total).unwrap_or_default(), laws))
    }
}

#[cfg(test)]
mod page_tests {
    use chrono::{NaiveDate, Utc};
    use quanze_core::{Law, LawId, LawLevel};

    use crate::NewEvent;
    use crate::testing::test_databases;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn pages_are_cut_from_the_registry_in_its_order() {
        let dir = tempfile::tempdir().expect("temporary directory");
        for db in test_databases(dir.path()).await {
            let store = crate::connect(&db.url).await.unwrap();
            assert_eq!(store.laws_page(0, 10).await.unwrap(), (0, Vec::new()));
            // Registered out of order; two start on the same day (then by id).
            for (i, (y, title)) in
                [(2010, "丙法"), (1995, "甲法"), (2010, "乙法"), (2001, "丁法"), (1980, "戊法")]
                    .into_iter()
                    .enumerate()
            {
                let law = Law {
                    id: LawId::from_uuid(uuid::Uuid::from_u128(10 - i as u128)),
                    title: title.into(),
                    level: LawLevel::Law,
                    issuer: "全国人民代表大会常务委员会".into(),
                    in_force_from: NaiveDate::from_ymd_opt(y, 1, 1).unwrap(),
                    in_force_until: None,
                    amended_by: None,
                    repealed_by: None,
                };
                let ev = NewEvent {
                    personal: None,
                    at: Utc::now(),
                    actor: None,
                    unit: None,
                    kind: "law.registered".into(),
                    subject: "test".into(),
                    payload: serde_json::json!({}),
                };
                store.put_law(&law, ev).await.unwrap();
            }
            let all = store.laws().await.unwrap();
            assert_eq!(all.len(), 5);
            for law in &all {
                assert_eq!(store.law(law.id).await.unwrap().as_ref(), Some(law));
            }
            let unknown = LawId::from_uuid(uuid::Uuid::from_u128(99));
            assert_eq!(store.law(unknown).await.unwrap(), None);
            for (offset, limit) in [(0, 2), (2, 2), (4, 2), (0, 5), (1, 10), (5, 2), (9, 3)] {
                let (total, page) = store.laws_page(offset, limit).await.unwrap();
                let expected: Vec<Law> = all.iter().skip(offset).take(limit).cloned().collect();
                assert_eq!(
                    (total, page),
                    (5, expected),
                    "{:?} offset {offset} limit {limit}",
                    db.backend
                );
            }
            db.cleanup().await;
        }
    }
}
