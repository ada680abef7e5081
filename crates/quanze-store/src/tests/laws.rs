//! The law registry.

use super::*;

contract!(laws_are_registered_repealed_and_refused_when_inconsistent, |store| {
    use quanze_core::{Law, LawId, LawLevel};
    let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
    let old = Law {
        id: LawId::from_uuid(Uuid::now_v7()),
        title: "中华人民共和国食品卫生法".into(),
        level: LawLevel::Law,
        issuer: "全国人民代表大会常务委员会".into(),
        in_force_from: day(1995, 10, 30),
        in_force_until: None,
        amended_by: None,
        repealed_by: None,
    };
    let new = Law {
        id: LawId::from_uuid(Uuid::now_v7()),
        title: "中华人民共和国食品安全法".into(),
        in_force_from: day(2009, 6, 1),
        ..old.clone()
    };
    store.put_law(&old, ev("law.registered")).await.unwrap();
    store.put_law(&new, ev("law.registered")).await.unwrap();
    assert_eq!(store.laws().await.unwrap(), vec![old.clone(), new.clone()], "by start of force");

    let repealed =
        Law { in_force_until: Some(day(2009, 6, 1)), repealed_by: Some(new.id), ..old.clone() };
    store.put_law(&repealed, ev("law.repealed")).await.unwrap();
    assert_eq!(store.laws().await.unwrap(), vec![repealed.clone(), new.clone()]);

    // The same title and start under another id, and a repeal by a law nobody registered:
    // refused, nothing written.
    let events = store.event_count().await.unwrap();
    let twin = Law { id: LawId::from_uuid(Uuid::now_v7()), ..old.clone() };
    assert!(matches!(
        store.put_law(&twin, ev("law.registered")).await,
        Err(StoreError::Conflict(_))
    ));
    let dangling = Law { repealed_by: Some(LawId::from_uuid(Uuid::now_v7())), ..new.clone() };
    assert!(matches!(
        store.put_law(&dangling, ev("law.repealed")).await,
        Err(StoreError::NotFound(_))
    ));
    assert_eq!(store.laws().await.unwrap(), vec![repealed, new]);
    assert_eq!(store.event_count().await.unwrap(), events);
});

contract!(every_rank_of_law_is_stored_and_read_back, |store| {
    use quanze_core::{Law, LawId, LawLevel};
    let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
    let mut laws = Vec::new();
    for (k, level) in LawLevel::ALL.into_iter().enumerate() {
        let law = Law {
            id: LawId::from_uuid(Uuid::now_v7()),
            title: format!("{}示例{k}", level.zh()),
            level,
            issuer: "某机关".into(),
            in_force_from: day(2001 + k as i32, 1, 1),
            in_force_until: None,
            amended_by: None,
            repealed_by: None,
        };
        store.put_law(&law, ev("law.registered")).await.unwrap();
        laws.push(law);
    }
    assert_eq!(store.laws().await.unwrap(), laws);
});

/// Migration 0011 splits the stored single kind 行政强制 into 行政强制措施 and 行政强制执行 (by
/// name and stages, a measure by default) and puts the demo's 办法 at their rank.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migration_0011_splits_coercion_and_ranks_the_demo_rules() {
    use quanze_core::{LawLevel, PowerCategory};

    let dir = tempfile::tempdir().expect("temporary directory");
    for db in test_databases(dir.path()).await {
        sqlx::any::install_default_drivers();
        let (url, migrator) = match db.backend {
            crate::Backend::Sqlite => {
                (format!("{}?mode=rwc", db.url), sqlx::migrate!("./migrations/sqlite"))
            }
            crate::Backend::Postgres => (db.url.clone(), sqlx::migrate!("./migrations/postgres")),
        };
        let pool = sqlx::AnyPool::connect(&url).await.unwrap();
        migrator.run_to(10, &pool).await.unwrap();
        let exec = |sql: &'static str, binds: Vec<String>| {
            let pool = pool.clone();
            async move {
                let mut q = sqlx::query(sql);
                for b in binds {
                    q = q.bind(b);
                }
                q.execute(&pool).await.unwrap();
            }
        };
        exec(
            "INSERT INTO regions (code, name, level, parent) VALUES ('341128000000', '清源县', 'county', NULL)",
            vec![],
        )
        .await;
        let unit = UnitId::from_uuid(Uuid::now_v7());
        exec(
            "INSERT INTO units (id, name, kind, region, credit_code, parent, tags) \
             VALUES ($1, '清源县税务局', 'department', '341128000000', NULL, NULL, '[]')",
            vec![unit.to_string()],
        )
        .await;
        let mut ids = Vec::new();
        for (name, stage) in
            [("税收强制执行措施", "执行"), ("查封、扣押违法物品", "实施"), ("某强制", "催告")]
        {
            let mut content = item(unit, name).content;
            content.responsibilities.push(quanze_core::Responsibility {
                stage: stage.into(),
                content: "依法实施".into(),
                basis: vec![],
            });
            let json = serde_json::to_string(&content)
                .unwrap()
                .replace("\"category\":\"licensing\"", "\"category\":\"coercion\"");
            let id = ItemId::from_uuid(Uuid::now_v7());
            exec(
                "INSERT INTO items (id, created_at) VALUES ($1, '2026-01-01T00:00:00Z')",
                vec![id.to_string()],
            )
            .await;
            exec(
                "INSERT INTO item_versions (item_id, number, name, category, holder, content) \
                 VALUES ($1, 1, $2, '03', $3, $4)",
                vec![id.to_string(), name.to_owned(), unit.to_string(), json],
            )
            .await;
            ids.push(id);
        }
        exec(
            "INSERT INTO laws (id, title, level, issuer, in_force_from) \
             VALUES ($1, '养老机构管理办法', 'law', '民政部', '2020-11-01')",
            vec![Uuid::now_v7().to_string()],
        )
        .await;
        pool.close().await;

        let store = connect(&db.url).await.unwrap();
        let kinds: Vec<PowerCategory> = {
            let mut out = Vec::new();
            for id in &ids {
                out.push(store.item_history(*id).await.unwrap()[0].content.category);
            }
            out
        };
        assert_eq!(
            kinds,
            [
                PowerCategory::CoerciveEnforcement,
                PowerCategory::CoerciveMeasure,
                PowerCategory::CoerciveEnforcement
            ],
            "{:?}",
            db.backend
        );
        let laws = store.laws().await.unwrap();
        assert_eq!(laws[0].level, LawLevel::DepartmentalRule);
        let pool = sqlx::AnyPool::connect(&url).await.unwrap();
        let (raw,): (String,) =
            sqlx::query_as("SELECT content FROM item_versions WHERE item_id = $1")
                .bind(ids[1].to_string())
                .fetch_one(&pool)
                .await
                .unwrap();
        assert!(raw.contains("\"category\":\"coercive_measure\""), "{raw}");
        pool.close().await;
        db.cleanup().await;
    }
}
