//! Governance: change sets, their revisions, publication and the migration of their changes.

use super::*;

contract!(change_sets_are_versioned_and_publish_every_list_in_one_transaction, |store| {
    use quanze_core::changeset::{Change, ProposedChange};
    use quanze_core::workflow::Actor;
    use quanze_core::{ChangeSet, ChangeSetId};

    let (dept, town) = setup(&store).await;
    let (a, b) = (unit_list(&dept), unit_list(&town));
    store.create_list(&a, ev("list.created")).await.unwrap();
    store.create_list(&b, ev("list.created")).await.unwrap();
    let (ia, ib) = (item(dept.id, "食品经营许可"), item(town.id, "农村建房审批"));
    let (va, vb) = (
        draft(a.id, 1, vec![own(&ia)], vec![ia.clone()]),
        draft(b.id, 1, vec![own(&ib)], vec![ib.clone()]),
    );
    store.save_draft(&va, ev("draft.saved")).await.unwrap();
    store.save_draft(&vb, ev("draft.saved")).await.unwrap();
    store.publish(va.version.id, day(2025, 1, 1), &doc(1), ev("published")).await.unwrap();
    store.publish(vb.version.id, day(2025, 1, 1), &doc(1), ev("published")).await.unwrap();

    let who = Actor { by: UserId::from_uuid(Uuid::now_v7()), at: Utc::now() };
    let change = |list: ListId, item: &PowerItem| ProposedChange {
        list,
        change: Change::Remove { item: item.id, base: 1 },
        reason: "职责划转".into(),
        basis: "县委编委会议纪要".into(),
    };
    let mut set = ChangeSet::draft(
        ChangeSetId::from_uuid(Uuid::now_v7()),
        "关于调整两份清单的方案".into(),
        day(2026, 1, 1),
        vec![change(a.id, &ia), change(b.id, &ib)],
        dept.id,
        3,
        BTreeSet::new(),
        who,
    )
    .unwrap();
    store.put_change_set(&set, ChangeSetWrite::Create, ev("change_set.drafted")).await.unwrap();
    assert_conflict(store.put_change_set(&set, ChangeSetWrite::Create, ev("drafted")).await);
    let stored = store.change_set(set.id).await.unwrap();
    assert_eq!((stored.rev, &stored.set), (1, &set));

    // Replacing needs the revision it was read at: a stale writer is refused.
    let state = |prev_rev| ChangeSetWrite::State { prev_rev };
    set.title = "关于调整两份清单的方案（修改稿）".into();
    // A ratification (追认, issue 14) is part of the stored document.
    set.ratification = Some(quanze_core::schedule::Ratification { reason: "补录追认".into() });
    store.put_change_set(&set, state(1), ev("change_set.revised")).await.unwrap();
    assert_conflict(store.put_change_set(&set, state(1), ev("change_set.revised")).await);
    let missing = ChangeSet { id: ChangeSetId::from_uuid(Uuid::now_v7()), ..set.clone() };
    assert_not_found(store.put_change_set(&missing, state(1), ev("change_set.revised")).await);
    assert_eq!(
        store.change_sets().await.unwrap(),
        vec![StoredChangeSet { set: set.clone(), rev: 2 }]
    );

    // A state write keeps the stored changes, whatever the set in hand holds; a write of the
    // changes replaces them (here: one change fewer, then back).
    let mut fewer = set.clone();
    fewer.changes.pop();
    store.put_change_set(&fewer, state(2), ev("change_set.urged")).await.unwrap();
    assert_eq!(store.change_set(set.id).await.unwrap().set.changes, set.changes);
    let both = |prev_rev| ChangeSetWrite::StateAndChanges { prev_rev };
    store.put_change_set(&fewer, both(3), ev("change_set.revised")).await.unwrap();
    assert_eq!(store.change_set(set.id).await.unwrap().set.changes, fewer.changes);
    assert_conflict(store.put_change_set(&set, both(3), ev("change_set.revised")).await);
    assert_eq!(store.change_set(set.id).await.unwrap().set.changes, fewer.changes);
    store.put_change_set(&set, both(4), ev("change_set.revised")).await.unwrap();
    assert_eq!(
        store.change_set(set.id).await.unwrap(),
        StoredChangeSet { set: set.clone(), rev: 5 }
    );

    // Publication: list b's draft takes a version number already used, so nothing of list a
    // (written and published first in the transaction) is kept either.
    let next = |list: ListId| draft(list, 2, vec![], vec![]);
    let (na, nb) = (next(a.id), next(b.id));
    let clash = draft(b.id, 1, vec![], vec![]);
    let before = store.event_count().await.unwrap();
    let refused = store
        .publish_change_set(&set, 5, &[na.clone(), clash], day(2026, 1, 1), &doc(2), ev("x"))
        .await;
    assert_conflict(refused);
    assert_eq!(store.event_count().await.unwrap(), before);
    assert_eq!(store.versions(a.id).await.unwrap().len(), 1);
    assert_eq!(store.change_set(set.id).await.unwrap().rev, 5);

    set.published = vec![na.version.id, nb.version.id];
    store
        .publish_change_set(&set, 5, &[na.clone(), nb.clone()], day(2026, 1, 1), &doc(2), ev("p"))
        .await
        .unwrap();
    for (list, new) in [(a.id, &na), (b.id, &nb)] {
        let versions = store.versions(list).await.unwrap();
        assert_eq!(versions[0].status, VersionStatus::Superseded);
        assert_eq!(versions[1].id, new.version.id);
        assert_eq!(versions[1].status, VersionStatus::Published);
        assert_eq!(versions[1].effective_from, Some(day(2026, 1, 1)));
    }
    let stored = store.change_set(set.id).await.unwrap();
    assert_eq!((stored.rev, stored.set.published.len()), (6, 2));
    assert_eq!(stored.set.changes, set.changes);
});

/// Migration 0009 moves the changes of change sets stored before it out of their documents
/// into rows: a change set drafted on the old schema reads back whole, at its revision.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migration_0009_moves_stored_changes_into_rows() {
    use quanze_core::changeset::{Change, ProposedChange};
    use quanze_core::workflow::Actor;
    use quanze_core::{ChangeSet, ChangeSetId};

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
        migrator.run_to(8, &pool).await.unwrap();
        let who = Actor { by: UserId::from_uuid(Uuid::now_v7()), at: Utc::now() };
        let change = |n: u32| ProposedChange {
            list: ListId::from_uuid(Uuid::now_v7()),
            change: Change::Remove { item: ItemId::from_uuid(Uuid::now_v7()), base: n },
            reason: format!("职责划转{n}"),
            basis: "县委编委会议纪要".into(),
        };
        // Every kind of change: removals, an amendment, an addition with a counterpart.
        let content = item(UnitId::from_uuid(Uuid::now_v7()), "食品经营许可").content;
        let mut changes: Vec<ProposedChange> = (1..=3).map(change).collect();
        changes[1].change =
            Change::Amend { item: changes[1].item(), base: 2, content: content.clone() };
        changes[2].change = Change::Add {
            item: changes[2].item(),
            duty: DutyKind::Cooperate { lead: UnitId::from_uuid(Uuid::now_v7()) },
            content,
        };
        let set = ChangeSet::draft(
            ChangeSetId::from_uuid(Uuid::now_v7()),
            "迁移前起草的方案".into(),
            day(2026, 1, 1),
            changes,
            UnitId::from_uuid(Uuid::now_v7()),
            3,
            BTreeSet::new(),
            who,
        )
        .unwrap();
        sqlx::query(
            "INSERT INTO change_sets (id, title, stage, rev, doc, updated_at) \
             VALUES ($1, $2, 'drafting', 4, $3, '2026-01-01T00:00:00Z')",
        )
        .bind(set.id.to_string())
        .bind(set.title.clone())
        .bind(serde_json::to_string(&set).unwrap())
        .execute(&pool)
        .await
        .unwrap();
        pool.close().await;

        let store = connect(&db.url).await.unwrap();
        assert_eq!(
            store.change_set(set.id).await.unwrap(),
            StoredChangeSet { set: set.clone(), rev: 4 }
        );
        let pool = sqlx::AnyPool::connect(&url).await.unwrap();
        let (doc,): (String,) = sqlx::query_as("SELECT doc FROM change_sets WHERE id = $1")
            .bind(set.id.to_string())
            .fetch_one(&pool)
            .await
            .unwrap();
        let doc: serde_json::Value = serde_json::from_str(&doc).unwrap();
        assert_eq!(doc["changes"], json!([]), "{:?}: the document keeps no changes", db.backend);
        assert_eq!(doc["title"], json!("迁移前起草的方案"));
        pool.close().await;
        db.cleanup().await;
    }
}
