//! The contract suite: every [`Store`] method on SQLite (always) and PostgreSQL (when a server
//! answers; see [`crate::testing`]). Each test body is written once, in `contract!`, and runs
//! against a fresh database per backend.

use std::collections::{BTreeSet, HashSet};
use std::future::Future;
use std::sync::Arc;
use std::time::Instant;

use chrono::{NaiveDate, TimeZone, Utc};
use quanze_core::{
    Cooperation, CreditCode, DocNo, DutyKind, ExerciseLevel, ItemContent, ItemId, ListEntry,
    ListId, ListScope, ListVersion, ListVersionId, Override, OverrideChange, OverrideTarget,
    PowerCategory, PowerItem, PowerList, PowerSource, Region, RegionCode, Role, RoleGrant, Tag,
    Unit, UnitId, UnitKind, UserId, Username, VersionStatus,
};
use serde_json::json;
use uuid::Uuid;

use crate::testing::test_databases;
use crate::{
    ChangeSetWrite, DraftWrite, NewEvent, Store, StoreError, StoredChangeSet, UserRecord, connect,
};

/// Runs `body` on a fresh store for every available backend, dropping each database after,
/// also when the body panics.
async fn each_backend<F, Fut>(body: F)
where
    F: Fn(Arc<dyn Store>) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let dir = tempfile::tempdir().expect("temporary directory");
    for db in test_databases(dir.path()).await {
        let store =
            connect(&db.url).await.unwrap_or_else(|e| panic!("connect {:?}: {e}", db.backend));
        let outcome = tokio::spawn(body(store)).await;
        db.cleanup().await;
        if let Err(e) = outcome {
            if e.is_panic() {
                std::panic::resume_unwind(e.into_panic());
            }
            panic!("{e}");
        }
    }
}

/// Declares a test whose body runs once per backend with `$store: Arc<dyn Store>`.
macro_rules! contract {
    ($(#[$meta:meta])* $name:ident, |$store:ident| $body:block) => {
        $(#[$meta])*
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $name() {
            each_backend(|$store: Arc<dyn Store>| async move $body).await;
        }
    };
}

fn ev(kind: &str) -> NewEvent {
    NewEvent {
        personal: None,
        at: Utc::now(),
        actor: None,
        unit: None,
        kind: kind.to_owned(),
        subject: "test".to_owned(),
        payload: json!({}),
    }
}

fn county() -> Region {
    Region { code: RegionCode::parse("330621").unwrap(), name: "某某县".to_owned() }
}

fn township() -> Region {
    Region { code: RegionCode::parse("330621101").unwrap(), name: "王坛镇".to_owned() }
}

fn unit(name: &str, kind: UnitKind, region: &Region) -> Unit {
    Unit {
        id: UnitId::from_uuid(Uuid::now_v7()),
        name: name.to_owned(),
        kind,
        region: region.code.clone(),
        credit_code: None,
        parent: None,
        tags: BTreeSet::new(),
    }
}

/// Regions plus a department and a town.
async fn setup(store: &Arc<dyn Store>) -> (Unit, Unit) {
    store.put_regions(&[county(), township()], ev("regions.put")).await.unwrap();
    let dept = unit("某某县市场监督管理局", UnitKind::Department, &county());
    let mut town = unit("王坛镇人民政府", UnitKind::Township, &township());
    town.tags.insert(Tag::parse("经济发达镇").unwrap());
    store.create_unit(&dept, ev("unit.created")).await.unwrap();
    store.create_unit(&town, ev("unit.created")).await.unwrap();
    (dept, town)
}

fn content(holder: UnitId, name: &str) -> ItemContent {
    ItemContent {
        name: name.to_owned(),
        sub_item: None,
        category: PowerCategory::Licensing,
        category_label: None,
        base_code: None,
        impl_code: None,
        local_code: None,
        legal_basis: vec![],
        holder,
        handling_office: None,
        cooperation: vec![],
        source: PowerSource::Statutory,
        level: ExerciseLevel::County,
        responsibilities: vec![],
        accountability: vec![],
        service: None,
        remarks: None,
    }
}

fn item(holder: UnitId, name: &str) -> PowerItem {
    PowerItem { id: ItemId::from_uuid(Uuid::now_v7()), version: 1, content: content(holder, name) }
}

fn own(item: &PowerItem) -> ListEntry {
    ListEntry { item: item.id, item_version: item.version, duty: DutyKind::Own }
}

fn unit_list(holder: &Unit) -> PowerList {
    PowerList {
        id: ListId::from_uuid(Uuid::now_v7()),
        name: format!("{}权责清单", holder.name),
        scope: ListScope::Unit { unit: holder.id },
    }
}

fn draft(
    list: ListId,
    number: u32,
    entries: Vec<ListEntry>,
    new_items: Vec<PowerItem>,
) -> DraftWrite {
    DraftWrite {
        version: ListVersion {
            id: ListVersionId::from_uuid(Uuid::now_v7()),
            list,
            number,
            status: VersionStatus::Draft,
            effective_from: None,
            effective_until: None,
            doc_no: None,
            entries,
            overrides: vec![],
        },
        new_items,
    }
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn doc(n: u32) -> DocNo {
    DocNo::parse(&format!("某编〔2024〕{n}号")).unwrap()
}

#[track_caller]
fn assert_conflict<T: std::fmt::Debug>(res: Result<T, StoreError>) {
    assert!(matches!(res, Err(StoreError::Conflict(_))), "expected Conflict, got {res:?}");
}

#[track_caller]
fn assert_not_found<T: std::fmt::Debug>(res: Result<T, StoreError>) -> String {
    match res {
        Err(StoreError::NotFound(what)) => what,
        other => panic!("expected NotFound, got {other:?}"),
    }
}

#[test]
fn migrations_have_the_same_numbers_and_names() {
    let names = |backend: &str| -> Vec<String> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations").join(backend);
        let mut names: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    let sqlite = names("sqlite");
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, names("postgres"));
}

#[tokio::test]
async fn unsupported_urls_are_rejected_with_the_supported_schemes() {
    for url in ["mysql://root@localhost/q", "data/quanze.db", "http://example.org"] {
        match connect(url).await {
            Err(StoreError::Url(msg)) => {
                assert!(msg.contains("sqlite://") && msg.contains("postgres://"), "{msg}")
            }
            Err(other) => panic!("{url}: expected Url, got {other:?}"),
            Ok(_) => panic!("{url}: expected Url, got a store"),
        }
    }
}

#[tokio::test]
async fn sqlite_creates_missing_directories_and_reopens() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("a/b/quanze.db").display());
    let store = connect(&url).await.unwrap();
    store.put_regions(&[county()], ev("regions.put")).await.unwrap();
    drop(store);
    let store = connect(&url).await.unwrap();
    assert_eq!(store.regions().await.unwrap(), vec![county()]);
    assert_eq!(store.event_count().await.unwrap(), 1);
}

#[tokio::test]
async fn sqlite_in_memory_works_on_one_connection() {
    let store = connect("sqlite::memory:").await.unwrap();
    store.put_regions(&[county()], ev("regions.put")).await.unwrap();
    assert_eq!(store.regions().await.unwrap(), vec![county()]);
    assert_eq!(store.snapshot().await.unwrap().regions, vec![county()]);
}

/// Pages in a SQLite file's own header (what the file holds without its write-ahead log),
/// and the database's page count as a reader sees it (with the log).
fn pages_in_file_and_in_database(path: &std::path::Path) -> (u32, i64) {
    let header = std::fs::read(path).unwrap();
    let in_file = u32::from_be_bytes(header[28..32].try_into().unwrap());
    let conn =
        rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap();
    let in_database: i64 = conn.query_row("PRAGMA page_count", [], |r| r.get(0)).unwrap();
    (in_file, in_database)
}

/// Waits (up to 30 s) until every committed page has been copied from the log into the file.
async fn until_checkpointed(path: &std::path::Path) -> i64 {
    let start = Instant::now();
    loop {
        let (in_file, in_database) = pages_in_file_and_in_database(path);
        if i64::from(in_file) == in_database {
            return in_database;
        }
        assert!(
            start.elapsed() < std::time::Duration::from_secs(30),
            "the log was not checkpointed: the file holds {in_file} of {in_database} pages"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn sqlite_file_has_8k_pages_and_its_log_is_checkpointed_after_commits() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("quanze.db");
    let store = connect(&format!("sqlite://{}", path.display())).await.unwrap();
    let conn =
        rusqlite::Connection::open_with_flags(&path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap();
    let page_size: i64 = conn.query_row("PRAGMA page_size", [], |r| r.get(0)).unwrap();
    assert_eq!(page_size, 8192);
    drop(conn);
    // The migrations are checkpointed after opening, with no write since.
    let before = until_checkpointed(&path).await;
    // Commits leave checkpoints to the store's thread (no automatic checkpoint runs in the
    // commit); it copies them into the file while the store stays open and idle.
    let regions: Vec<Region> = (1..=999)
        .map(|i| Region {
            code: RegionCode::parse(&format!("330621{i:03}")).unwrap(),
            name: format!("第{i}镇"),
        })
        .collect();
    store.put_regions(&regions, ev("regions.put")).await.unwrap();
    let after = until_checkpointed(&path).await;
    assert!(after > before, "the write grew the database: {before} -> {after} pages");
    assert_eq!(store.regions().await.unwrap().len(), 999);
}

contract!(regions_are_inserted_and_renamed, |store| {
    let receipt = store.put_regions(&[township(), county()], ev("regions.put")).await.unwrap();
    assert_eq!(receipt.seq, 1);
    assert_eq!(store.regions().await.unwrap(), vec![county(), township()]);
    let renamed = Region { name: "王坛镇（新）".to_owned(), ..township() };
    store.put_regions(std::slice::from_ref(&renamed), ev("regions.put")).await.unwrap();
    assert_eq!(store.regions().await.unwrap(), vec![county(), renamed]);
    assert_eq!(store.event_count().await.unwrap(), 2);
});

contract!(units_are_created_read_and_updated, |store| {
    let (dept, town) = setup(&store).await;
    assert_eq!(store.unit(dept.id).await.unwrap(), dept);
    assert_eq!(store.unit(town.id).await.unwrap(), town);
    let mut sorted = vec![dept.clone(), town.clone()];
    sorted.sort_by(|a, b| a.name.cmp(&b.name));
    assert_eq!(store.units().await.unwrap(), sorted);

    let mut office = unit("某某县市场监督管理局行政审批科", UnitKind::Office, &county());
    office.parent = Some(dept.id);
    office.credit_code = Some(CreditCode::with_check("11330621MB1234567").unwrap());
    store.create_unit(&office, ev("unit.created")).await.unwrap();
    assert_eq!(store.unit(office.id).await.unwrap(), office);

    let mut changed = office.clone();
    changed.name = "某某县市场监督管理局审批科".to_owned();
    changed.tags.insert(Tag::parse("窗口").unwrap());
    changed.credit_code = None;
    store.update_unit(&changed, ev("unit.updated")).await.unwrap();
    assert_eq!(store.unit(office.id).await.unwrap(), changed);
    assert_eq!(store.event_count().await.unwrap(), 5);
});

contract!(unit_rules_are_enforced_without_writing, |store| {
    let (dept, _town) = setup(&store).await;
    let before = store.event_count().await.unwrap();
    let same_name = unit(&dept.name, UnitKind::Department, &county());
    assert_conflict(store.create_unit(&same_name, ev("unit.created")).await);
    let same_id = Unit { name: "另一个局".to_owned(), ..dept.clone() };
    assert_conflict(store.create_unit(&same_id, ev("unit.created")).await);
    let nowhere =
        Region { code: RegionCode::parse("110101").unwrap(), name: "东城区".to_owned() };
    let what = assert_not_found(
        store.create_unit(&unit("东城区某局", UnitKind::Department, &nowhere), ev("x")).await,
    );
    assert!(what.contains("110101"), "{what}");
    let mut orphan = unit("孤儿科", UnitKind::Office, &county());
    orphan.parent = Some(UnitId::from_uuid(Uuid::now_v7()));
    assert_not_found(store.create_unit(&orphan, ev("unit.created")).await);
    assert_not_found(
        store.update_unit(&unit("不存在", UnitKind::Department, &county()), ev("x")).await,
    );
    assert_not_found(store.unit(UnitId::from_uuid(Uuid::now_v7())).await);
    assert_eq!(store.event_count().await.unwrap(), before, "failed writes record no event");
});

contract!(lists_are_created_and_read, |store| {
    let (dept, _town) = setup(&store).await;
    let list = unit_list(&dept);
    let template = PowerList {
        id: ListId::from_uuid(Uuid::now_v7()),
        name: "某某县乡镇权责清单通用目录".to_owned(),
        scope: ListScope::TownshipTemplate { county: county().code },
    };
    store.create_list(&list, ev("list.created")).await.unwrap();
    store.create_list(&template, ev("list.created")).await.unwrap();
    assert_eq!(store.list(list.id).await.unwrap(), list);
    assert_eq!(store.list(template.id).await.unwrap(), template);
    let mut all = vec![list.clone(), template.clone()];
    all.sort_by(|a, b| a.name.cmp(&b.name));
    assert_eq!(store.lists().await.unwrap(), all);
    assert_conflict(store.create_list(&list, ev("list.created")).await);
    let stray = PowerList {
        id: ListId::from_uuid(Uuid::now_v7()),
        name: "无主清单".to_owned(),
        scope: ListScope::Unit { unit: UnitId::from_uuid(Uuid::now_v7()) },
    };
    assert_not_found(store.create_list(&stray, ev("list.created")).await);
    assert_not_found(store.list(stray.id).await);
    assert_not_found(store.versions(stray.id).await);
});

contract!(drafts_are_saved_replaced_published_superseded_and_discarded, |store| {
    let (dept, _town) = setup(&store).await;
    let list = unit_list(&dept);
    store.create_list(&list, ev("list.created")).await.unwrap();
    let items: Vec<PowerItem> = (0..3).map(|i| item(dept.id, &format!("事项{i}"))).collect();

    // Save, then replace the draft whole.
    let mut v1 = draft(list.id, 1, items.iter().map(own).collect(), items.clone());
    store.save_draft(&v1, ev("draft.saved")).await.unwrap();
    assert_eq!(store.version(v1.version.id).await.unwrap(), v1.version);
    v1.version.entries = vec![own(&items[2]), own(&items[0])];
    store.save_draft(&v1, ev("draft.saved")).await.unwrap();
    assert_eq!(store.version(v1.version.id).await.unwrap(), v1.version);

    // A second version may not take the same number.
    let clash = draft(list.id, 1, vec![own(&items[1])], vec![]);
    assert_conflict(store.save_draft(&clash, ev("draft.saved")).await);

    // Publish; the published version is immutable.
    store.publish(v1.version.id, day(2024, 1, 1), &doc(1), ev("published")).await.unwrap();
    assert_conflict(store.save_draft(&v1, ev("draft.saved")).await);
    assert_conflict(store.discard_draft(v1.version.id, ev("discarded")).await);
    assert_conflict(store.publish(v1.version.id, day(2024, 6, 1), &doc(2), ev("published")).await);

    // Version 2 changes item 0's content (a new item version) and keeps the others.
    let mut item0_v2 = items[0].clone();
    item0_v2.version = 2;
    item0_v2.content.remarks = Some("2024年调整".to_owned());
    let v2 = draft(list.id, 2, vec![own(&item0_v2), own(&items[1])], vec![item0_v2.clone()]);
    store.save_draft(&v2, ev("draft.saved")).await.unwrap();
    assert_conflict(store.publish(v2.version.id, day(2024, 1, 1), &doc(2), ev("published")).await);
    assert_conflict(
        store.publish(v2.version.id, day(2023, 12, 31), &doc(2), ev("published")).await,
    );
    store.publish(v2.version.id, day(2025, 1, 1), &doc(2), ev("published")).await.unwrap();

    let versions = store.versions(list.id).await.unwrap();
    assert_eq!(versions.len(), 2);
    let (old, new) = (&versions[0], &versions[1]);
    assert_eq!(old.id, v1.version.id);
    assert_eq!(old.status, VersionStatus::Superseded);
    assert_eq!(old.effective_from, Some(day(2024, 1, 1)));
    assert_eq!(old.effective_until, Some(day(2025, 1, 1)));
    assert_eq!(old.doc_no, Some(doc(1)));
    assert_eq!(old.entries, v1.version.entries);
    assert_eq!(new.status, VersionStatus::Published);
    assert_eq!(new.effective_from, Some(day(2025, 1, 1)));
    assert_eq!(new.effective_until, None);
    assert_eq!(new.entries, v2.version.entries);
    assert_eq!(store.version(v2.version.id).await.unwrap(), *new);

    // A draft can be discarded, and then is gone.
    let v3 = draft(list.id, 3, vec![own(&items[1])], vec![]);
    store.save_draft(&v3, ev("draft.saved")).await.unwrap();
    store.discard_draft(v3.version.id, ev("discarded")).await.unwrap();
    assert_not_found(store.version(v3.version.id).await);
    assert_not_found(store.discard_draft(v3.version.id, ev("discarded")).await);
    assert_not_found(store.publish(v3.version.id, day(2026, 1, 1), &doc(3), ev("published")).await);
    assert_eq!(store.versions(list.id).await.unwrap().len(), 2);
});

contract!(template_overrides_round_trip, |store| {
    let (dept, town) = setup(&store).await;
    let template = PowerList {
        id: ListId::from_uuid(Uuid::now_v7()),
        name: "某某县乡镇权责清单通用目录".to_owned(),
        scope: ListScope::TownshipTemplate { county: county().code },
    };
    store.create_list(&template, ev("list.created")).await.unwrap();
    let mut a = item(town.id, "农村宅基地审批");
    a.content.cooperation = vec![Cooperation { unit: dept.id, duty: "现场核查".to_owned() }];
    let b = item(town.id, "乡村建设规划许可");
    let c = item(town.id, "蓄滞洪区建设审批");
    let mut write = draft(
        template.id,
        1,
        vec![
            own(&a),
            ListEntry { item: b.id, item_version: 1, duty: DutyKind::Cooperate { lead: dept.id } },
        ],
        vec![a.clone(), b.clone(), c.clone()],
    );
    write.version.overrides = vec![
        Override {
            target: OverrideTarget::Tag { tag: Tag::parse("经济发达镇").unwrap() },
            change: OverrideChange::Add {
                entry: ListEntry {
                    item: c.id,
                    item_version: 1,
                    duty: DutyKind::Reclaimed { receiver: dept.id },
                },
            },
            reason: "扩权强镇".to_owned(),
        },
        Override {
            target: OverrideTarget::Town { unit: town.id },
            change: OverrideChange::Remove { item: b.id },
            reason: String::new(),
        },
    ];
    store.save_draft(&write, ev("draft.saved")).await.unwrap();
    assert_eq!(store.version(write.version.id).await.unwrap(), write.version);
    assert_eq!(store.versions(template.id).await.unwrap(), vec![write.version.clone()]);

    // An override naming a town that does not exist is refused whole.
    let mut bad = draft(template.id, 2, vec![own(&a)], vec![]);
    let ghost = UnitId::from_uuid(Uuid::now_v7());
    bad.version.overrides = vec![Override {
        target: OverrideTarget::Town { unit: ghost },
        change: OverrideChange::Remove { item: a.id },
        reason: String::new(),
    }];
    let what = assert_not_found(store.save_draft(&bad, ev("draft.saved")).await);
    assert!(what.contains(&ghost.to_string()), "{what}");
    assert_not_found(store.version(bad.version.id).await);
});

contract!(items_and_their_history, |store| {
    let (dept, _town) = setup(&store).await;
    let list = unit_list(&dept);
    store.create_list(&list, ev("list.created")).await.unwrap();
    let first = item(dept.id, "食品经营许可");
    let other = item(dept.id, "药品零售许可");
    let mut second = first.clone();
    second.version = 2;
    second.content.name = "食品经营许可（含仅销售预包装食品备案）".to_owned();
    store
        .save_draft(
            &draft(list.id, 1, vec![own(&first), own(&other)], vec![first.clone(), other.clone()]),
            ev("d"),
        )
        .await
        .unwrap();
    store
        .save_draft(&draft(list.id, 2, vec![own(&second)], vec![second.clone()]), ev("d"))
        .await
        .unwrap();

    assert_eq!(store.item_history(first.id).await.unwrap(), vec![first.clone(), second.clone()]);
    assert_not_found(store.item_history(ItemId::from_uuid(Uuid::now_v7())).await);
    let missing = (ItemId::from_uuid(Uuid::now_v7()), 1);
    let got = store
        .items(&[(second.id, 2), missing, (other.id, 1), (first.id, 1), (first.id, 3)])
        .await
        .unwrap();
    assert_eq!(got, vec![second.clone(), other.clone(), first.clone()]);
    assert_eq!(store.items(&[]).await.unwrap(), vec![]);

    // Item versions are immutable: the same key with other content is refused, the same
    // content again (a draft saved twice) is accepted.
    let mut forged = first.clone();
    forged.content.name = "篡改".to_owned();
    assert_conflict(
        store
            .save_draft(&draft(list.id, 3, vec![own(&forged)], vec![forged.clone()]), ev("d"))
            .await,
    );
    store
        .save_draft(&draft(list.id, 3, vec![own(&first)], vec![first.clone()]), ev("d"))
        .await
        .unwrap();
    assert_eq!(store.item_history(first.id).await.unwrap(), vec![first, second]);
});

contract!(snapshot_holds_everything_the_catalogue_needs, |store| {
    let (dept, town) = setup(&store).await;
    let list = unit_list(&dept);
    store.create_list(&list, ev("list.created")).await.unwrap();
    let a = item(dept.id, "甲");
    let b = item(dept.id, "乙");
    let mut a2 = a.clone();
    a2.version = 2;
    a2.content.remarks = Some("改".to_owned());
    let mut a3 = a.clone();
    a3.version = 3;
    a3.content.remarks = Some("再改".to_owned());
    let v1 = draft(list.id, 1, vec![own(&a), own(&b)], vec![a.clone(), b.clone()]);
    store.save_draft(&v1, ev("d")).await.unwrap();
    store.publish(v1.version.id, day(2024, 1, 1), &doc(1), ev("p")).await.unwrap();
    // a2 is stored by a draft that is then discarded: neither referenced nor the latest.
    let v2 = draft(list.id, 2, vec![own(&a2)], vec![a2.clone()]);
    store.save_draft(&v2, ev("d")).await.unwrap();
    store.discard_draft(v2.version.id, ev("x")).await.unwrap();
    // a3 is the latest, referenced by nothing after this draft is discarded too.
    let v3 = draft(list.id, 2, vec![own(&a3)], vec![a3.clone()]);
    store.save_draft(&v3, ev("d")).await.unwrap();
    store.discard_draft(v3.version.id, ev("x")).await.unwrap();
    let v4 = draft(list.id, 2, vec![own(&b)], vec![]);
    store.save_draft(&v4, ev("d")).await.unwrap();

    let snap = store.snapshot().await.unwrap();
    assert_eq!(snap.regions, vec![county(), township()]);
    assert_eq!(snap.units.len(), 2);
    assert!(snap.units.contains(&dept) && snap.units.contains(&town));
    assert_eq!(snap.lists, vec![list.clone()]);
    assert_eq!(snap.versions, store.versions(list.id).await.unwrap());
    assert_eq!(snap.versions.len(), 2);
    let keys: HashSet<(ItemId, u32)> = snap.items.iter().map(|i| (i.id, i.version)).collect();
    let want: HashSet<(ItemId, u32)> = [(a.id, 1), (b.id, 1), (a.id, 3)].into();
    assert_eq!(keys, want);
    assert!(snap.items.contains(&a3));
});

contract!(users_roles_logins_and_tokens, |store| {
    let (dept, _town) = setup(&store).await;
    let user = UserRecord {
        id: UserId::from_uuid(Uuid::now_v7()),
        username: Username::parse("editor.01").unwrap(),
        display_name: "张三".to_owned(),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".to_owned(),
        roles: vec![
            RoleGrant { role: Role::StaffingEditor, unit: None },
            RoleGrant { role: Role::Clerk, unit: Some(dept.id) },
        ],
        failed_logins: 0,
        locked_until: None,
    };
    store.create_user(&user, ev("user.created")).await.unwrap();
    assert_eq!(store.user(user.id).await.unwrap(), user);
    assert_eq!(store.user_by_name(&user.username).await.unwrap(), Some(user.clone()));
    assert_eq!(store.user_by_name(&Username::parse("nobody").unwrap()).await.unwrap(), None);
    assert_not_found(store.user(UserId::from_uuid(Uuid::now_v7())).await);

    let before = store.event_count().await.unwrap();
    let twin = UserRecord { id: UserId::from_uuid(Uuid::now_v7()), ..user.clone() };
    assert_conflict(store.create_user(&twin, ev("user.created")).await);
    let stray = UserRecord {
        id: UserId::from_uuid(Uuid::now_v7()),
        username: Username::parse("clerk.02").unwrap(),
        roles: vec![RoleGrant { role: Role::Clerk, unit: Some(UnitId::from_uuid(Uuid::now_v7())) }],
        ..user.clone()
    };
    assert_not_found(store.create_user(&stray, ev("user.created")).await);
    assert_eq!(store.user_by_name(&stray.username).await.unwrap(), None);
    assert_eq!(store.event_count().await.unwrap(), before);

    let until = Utc.with_ymd_and_hms(2030, 1, 1, 8, 30, 0).unwrap();
    let seq = store.record_login(user.id, false, 1, None, ev("login.failed")).await.unwrap().seq;
    assert_eq!(seq, before + 1);
    store.record_login(user.id, false, 2, Some(until), ev("login.failed")).await.unwrap();
    let locked = store.user(user.id).await.unwrap();
    assert_eq!((locked.failed_logins, locked.locked_until), (2, Some(until)));
    store.record_login(user.id, true, 0, None, ev("login.succeeded")).await.unwrap();
    let reset = store.user(user.id).await.unwrap();
    assert_eq!((reset.failed_logins, reset.locked_until), (0, None));
    assert_not_found(
        store.record_login(UserId::from_uuid(Uuid::now_v7()), true, 0, None, ev("x")).await,
    );

    store.create_token(user.id, "sha256:abc", "导入脚本", ev("token.created")).await.unwrap();
    assert_eq!(store.user_by_token("sha256:abc").await.unwrap(), Some(reset));
    assert_eq!(store.user_by_token("sha256:nope").await.unwrap(), None);
    assert_conflict(store.create_token(user.id, "sha256:abc", "again", ev("x")).await);
    assert_not_found(
        store.create_token(UserId::from_uuid(Uuid::now_v7()), "sha256:def", "x", ev("x")).await,
    );
});

contract!(events_record_each_write, |store| {
    let actor = UserId::from_uuid(Uuid::now_v7());
    let unit = UnitId::from_uuid(Uuid::now_v7());
    let first = NewEvent {
        at: Utc::now(),
        actor: Some(actor),
        unit: Some(unit),
        kind: "regions.put".to_owned(),
        subject: "region:330621000000".to_owned(),
        payload: json!({ "count": 1, "names": ["某某县"] }),
        personal: None,
    };
    store.put_regions(&[county()], first.clone()).await.unwrap();
    store.put_regions(&[township()], ev("regions.put")).await.unwrap();
    store.put_regions(&[], ev("regions.put")).await.unwrap();
    assert_eq!(store.event_count().await.unwrap(), 3);
    let events = store.events(0, 10).await.unwrap();
    assert_eq!(events.iter().map(|e| e.seq).collect::<Vec<_>>(), [1, 2, 3]);
    let e = &events[0];
    assert_eq!(
        (e.at, e.actor, e.unit, &e.kind, &e.subject, &e.payload),
        (first.at, first.actor, first.unit, &first.kind, &first.subject, &first.payload)
    );
    assert_eq!(store.events(1, 1).await.unwrap().iter().map(|e| e.seq).collect::<Vec<_>>(), [2]);
    assert!(store.events(3, 10).await.unwrap().is_empty());
    assert!(store.events(u64::MAX, 10).await.unwrap().is_empty());
});

contract!(event_numbers_are_gap_free_under_concurrent_writers, |store| {
    store.put_regions(&[county()], ev("regions.put")).await.unwrap();
    let mut tasks = tokio::task::JoinSet::new();
    for task in 0..8 {
        let store = store.clone();
        tasks.spawn(async move {
            let mut seqs = Vec::new();
            for n in 0..25 {
                let res = if n % 5 == 4 {
                    // Failing writes interleave with the others and must not leave gaps.
                    let dup = Unit {
                        id: UnitId::from_uuid(Uuid::now_v7()),
                        ..unit("重名", UnitKind::Department, &county())
                    };
                    let _ = store.create_unit(&dup, ev("unit.created")).await;
                    store
                        .create_unit(
                            &unit(&format!("单位{task}-{n}"), UnitKind::Department, &county()),
                            ev("unit.created"),
                        )
                        .await
                } else {
                    store.put_regions(&[county()], ev("regions.put")).await
                };
                seqs.push(res.unwrap().seq);
            }
            seqs
        });
    }
    let mut seqs: Vec<u64> = vec![1];
    while let Some(res) = tasks.join_next().await {
        seqs.extend(res.unwrap());
    }
    // One "重名" unit got in; every other attempt to create it failed and gave its number back.
    let dups = store.units().await.unwrap().iter().filter(|u| u.name == "重名").count();
    assert_eq!(dups, 1);
    let n = 1 + 8 * 25 + dups as u64;
    assert_eq!(store.event_count().await.unwrap(), n);
    let stored: Vec<u64> = store.events(0, 1000).await.unwrap().iter().map(|e| e.seq).collect();
    assert_eq!(stored, (1..=n).collect::<Vec<_>>());
    // Concurrent writers appended their leaves in sequence order: the stored root is the root
    // of the events replayed in order.
    let events = store.events(0, 1000).await.unwrap();
    let head = store.ledger_head().await.unwrap();
    assert_eq!(head.size, n);
    assert_eq!(head.root, recomputed(head.alg, &events).root());
    seqs.sort_unstable();
    seqs.dedup();
    assert_eq!(seqs.len(), 1 + 8 * 25, "every receipt has its own number");
});

contract!(a_failed_save_draft_writes_nothing, |store| {
    let (dept, _town) = setup(&store).await;
    let list = unit_list(&dept);
    store.create_list(&list, ev("list.created")).await.unwrap();
    let before = store.event_count().await.unwrap();
    let fresh = item(dept.id, "新事项");

    // Refused up front: an entry pins an item version that does not exist.
    let ghost =
        ListEntry { item: ItemId::from_uuid(Uuid::now_v7()), item_version: 1, duty: DutyKind::Own };
    let missing = draft(list.id, 1, vec![own(&fresh), ghost], vec![fresh.clone()]);
    let what = assert_not_found(store.save_draft(&missing, ev("draft.saved")).await);
    assert!(what.contains(&ghost.item.to_string()), "{what}");

    // Refused by the database after the version row and the items went in: the same item twice.
    let twice = draft(list.id, 1, vec![own(&fresh), own(&fresh)], vec![fresh.clone()]);
    assert_conflict(store.save_draft(&twice, ev("draft.saved")).await);

    // Refused: the cooperating unit of a counterpart does not exist.
    let stranger = UnitId::from_uuid(Uuid::now_v7());
    let lead = draft(
        list.id,
        1,
        vec![ListEntry {
            item: fresh.id,
            item_version: 1,
            duty: DutyKind::Cooperate { lead: stranger },
        }],
        vec![fresh.clone()],
    );
    assert_not_found(store.save_draft(&lead, ev("draft.saved")).await);

    for attempt in [&missing, &twice, &lead] {
        assert_not_found(store.version(attempt.version.id).await);
    }
    assert_not_found(store.item_history(fresh.id).await);
    assert_eq!(store.versions(list.id).await.unwrap(), vec![]);
    assert_eq!(store.event_count().await.unwrap(), before);
    assert_eq!(store.events(before, 10).await.unwrap(), vec![]);

    // The same draft, corrected, goes through and takes the next number.
    let ok = draft(list.id, 1, vec![own(&fresh)], vec![fresh.clone()]);
    assert_eq!(store.save_draft(&ok, ev("draft.saved")).await.unwrap().seq, before + 1);
});

contract!(
    /// Not a benchmark (nothing is asserted about time): prints how long a 100,000-entry draft
    /// and a county-sized snapshot take, and checks they round-trip.
    large_drafts_and_snapshots_print_their_timings,
    |store| {
        let (dept, _town) = setup(&store).await;
        let backend = store.backend();

        // A county: 40 lists of 125 items, each with two published versions and a draft.
        for n in 0..40 {
            let holder = unit(&format!("部门{n:02}"), UnitKind::Department, &county());
            store.create_unit(&holder, ev("unit.created")).await.unwrap();
            let list = unit_list(&holder);
            store.create_list(&list, ev("list.created")).await.unwrap();
            let items: Vec<PowerItem> = (0..125).map(|i| item(holder.id, &format!("事项{i:03}"))).collect();
            let mut entries: Vec<ListEntry> = items.iter().map(own).collect();
            for number in 1..=3 {
                let write = draft(list.id, number, entries.clone(), if number == 1 { items.clone() } else { vec![] });
                store.save_draft(&write, ev("draft.saved")).await.unwrap();
                if number < 3 {
                    store.publish(write.version.id, day(2022 + number as i32, 1, 1), &doc(number), ev("p")).await.unwrap();
                }
                entries.pop();
            }
        }
        let started = Instant::now();
        let snap = store.snapshot().await.unwrap();
        eprintln!(
            "{backend:?}: snapshot of {} lists, {} versions, {} item versions in {:?}",
            snap.lists.len(),
            snap.versions.len(),
            snap.items.len(),
            started.elapsed()
        );
        assert_eq!(snap.versions.len(), 120);
        assert_eq!(snap.items.len(), 40 * 125);

        let list = unit_list(&dept);
        store.create_list(&list, ev("list.created")).await.unwrap();
        let items: Vec<PowerItem> = (0..100_000).map(|i| item(dept.id, &format!("事项{i:06}"))).collect();
        let big = draft(list.id, 1, items.iter().map(own).collect(), items);
        let started = Instant::now();
        store.save_draft(&big, ev("draft.saved")).await.unwrap();
        let saved = started.elapsed();
        let started = Instant::now();
        let back = store.version(big.version.id).await.unwrap();
        let read = started.elapsed();
        assert_eq!(back.entries.len(), 100_000);
        assert_eq!(back, big.version);
        let started = Instant::now();
        store.discard_draft(big.version.id, ev("discarded")).await.unwrap();
        eprintln!("{backend:?}: save_draft 100,000 entries {saved:?}, version() {read:?}, discard {:?}", started.elapsed());

    }
);

/// The ledger as recomputed from the stored events, the way an auditor would.
fn recomputed(
    alg: quanze_ledger::HashAlg,
    events: &[quanze_core::Event],
) -> quanze_ledger::MemoryTree {
    let mut tree = quanze_ledger::MemoryTree::new(alg);
    for e in events {
        tree.append(&e.leaf_bytes());
    }
    tree
}

contract!(every_event_is_a_ledger_leaf_in_its_own_transaction, |store| {
    let head = store.ledger_head().await.unwrap();
    assert_eq!((head.alg, head.size), (quanze_ledger::HashAlg::Sm3, 0));
    assert_eq!(head.root, head.alg.empty_root());
    store.put_regions(&[county()], ev("regions.put")).await.unwrap();
    for i in 0..20 {
        store
            .create_unit(
                &unit(&format!("单位{i}"), UnitKind::Department, &county()),
                ev("unit.created"),
            )
            .await
            .unwrap();
    }
    // A failed write appends nothing.
    let dup = Unit {
        id: UnitId::from_uuid(Uuid::now_v7()),
        ..unit("单位3", UnitKind::Department, &county())
    };
    assert!(store.create_unit(&dup, ev("unit.created")).await.is_err());

    let events = store.events(0, 1000).await.unwrap();
    let tree = recomputed(head.alg, &events);
    let head = store.ledger_head().await.unwrap();
    assert_eq!(head.size, 21);
    assert_eq!(head.root, tree.root(), "stored frontier root equals the recomputed root");
    let leaves = store.leaf_hashes(0, 100).await.unwrap();
    assert_eq!(leaves.len(), 21);
    for (i, h) in &leaves {
        assert_eq!(Some(*h), tree.leaf_hash(*i));
    }
    assert_eq!(store.leaf_index_of(&leaves[7].1).await.unwrap(), Some(7));
    assert_eq!(store.leaf_index_of(&head.alg.hash_leaf(b"nope")).await.unwrap(), None);

    // Proofs computed from the stored nodes verify, for every leaf and an older size.
    for index in 0..21 {
        let ids = quanze_ledger::tree::inclusion_proof_nodes(index, 21).unwrap();
        let nodes = store.ledger_nodes(&ids).await.unwrap();
        let proof = quanze_ledger::tree::inclusion_proof(&nodes, head.alg, index, 21).unwrap();
        quanze_ledger::verify_inclusion(
            head.alg,
            &tree.leaf_hash(index).unwrap(),
            index,
            21,
            &proof,
            &head.root,
        )
        .unwrap();
    }
    let ids = quanze_ledger::tree::consistency_proof_nodes(13, 21).unwrap();
    let nodes = store.ledger_nodes(&ids).await.unwrap();
    let proof = quanze_ledger::tree::consistency_proof(&nodes, head.alg, 13, 21).unwrap();
    quanze_ledger::verify_consistency(
        head.alg,
        13,
        21,
        &tree.root_at(13).unwrap(),
        &head.root,
        &proof,
    )
    .unwrap();
});

contract!(tiles_and_the_upper_levels_give_the_same_nodes_as_the_leaves, |store| {
    // 700 leaves integrated in two runs: tile 0 complete in the first, tile 1 begun in the
    // first and completed in the second (its first nodes come from node rows), tile 2 partial;
    // levels 8 and 9 come from the in-memory upper levels.
    for _ in 0..300 {
        store.put_regions(&[county()], ev("regions.put")).await.unwrap();
    }
    assert_eq!(store.integrate_ledger().await.unwrap(), 300);
    let first = store.ledger_nodes(&[quanze_ledger::NodeId { level: 8, index: 0 }]).await.unwrap();
    for _ in 300..700 {
        store.put_regions(&[county()], ev("regions.put")).await.unwrap();
    }
    assert_eq!(store.integrate_ledger().await.unwrap(), 700);
    let head = store.ledger_head().await.unwrap();
    let leaves: Vec<quanze_ledger::Hash> =
        store.leaf_hashes(0, 700).await.unwrap().into_iter().map(|(_, h)| h).collect();
    let subtree = |first: usize, len: usize| {
        let mut t = quanze_ledger::MemoryTree::new(head.alg);
        leaves[first..first + len].iter().for_each(|h| {
            t.append_leaf_hash(*h);
        });
        t.root()
    };
    let mut ids = Vec::new();
    for level in 0..10u8 {
        for index in 0..(700u64 >> level) {
            ids.push(quanze_ledger::NodeId { level, index });
        }
    }
    let nodes = store.ledger_nodes(&ids).await.unwrap();
    for id in &ids {
        let len = 1usize << id.level;
        let want = subtree(usize::try_from(id.index).unwrap() * len, len);
        assert_eq!(nodes.get(id), Some(&want), "node {id:?}");
    }
    assert_eq!(first.values().next(), nodes.get(&quanze_ledger::NodeId { level: 8, index: 0 }));
    // Proofs at every size across the tile edges verify against roots from the leaves.
    let root_at = |size: usize| {
        let mut t = quanze_ledger::MemoryTree::new(head.alg);
        leaves[..size].iter().for_each(|h| {
            t.append_leaf_hash(*h);
        });
        t.root()
    };
    for (index, size) in [(0, 700), (255, 256), (256, 513), (511, 700), (699, 700), (300, 512)] {
        let ids = quanze_ledger::tree::inclusion_proof_nodes(index, size).unwrap();
        let nodes = store.ledger_nodes(&ids).await.unwrap();
        let proof = quanze_ledger::tree::inclusion_proof(&nodes, head.alg, index, size).unwrap();
        let (i, n) = (usize::try_from(index).unwrap(), usize::try_from(size).unwrap());
        quanze_ledger::verify_inclusion(head.alg, &leaves[i], index, size, &proof, &root_at(n))
            .unwrap();
    }
    for (a, b) in [(256u64, 512u64), (300, 700), (1, 700), (513, 700)] {
        let ids = quanze_ledger::tree::consistency_proof_nodes(a, b).unwrap();
        let nodes = store.ledger_nodes(&ids).await.unwrap();
        let proof = quanze_ledger::tree::consistency_proof(&nodes, head.alg, a, b).unwrap();
        let (x, y) = (usize::try_from(a).unwrap(), usize::try_from(b).unwrap());
        quanze_ledger::verify_consistency(head.alg, a, b, &root_at(x), &root_at(y), &proof)
            .unwrap();
    }
});

contract!(personal_data_stays_out_of_leaves_and_can_be_erased, |store| {
    let mut with_person = ev("case.applied");
    with_person.personal = Some(json!({ "name": "张三", "id_number": "11010519491231002X" }));
    let receipt = store.put_regions(&[county()], with_person).await.unwrap();
    let event = store.events(0, 10).await.unwrap().remove(0);
    let leaf = String::from_utf8(event.leaf_bytes()).unwrap();
    assert!(!leaf.contains("张三") && !leaf.contains("11010519491231002X"), "{leaf}");
    let commitment = event.commitment.clone().expect("a commitment");
    let (salt, data) = store.personal_data(receipt.seq).await.unwrap().expect("data kept");
    assert_eq!(data["name"], "张三");
    let mut bytes = hex::decode(&salt).unwrap();
    bytes.extend(serde_jcs::to_vec(&data).unwrap());
    assert_eq!(quanze_ledger::HashAlg::Sm3.digest(&bytes).to_hex(), commitment);

    let root_before = store.ledger_head().await.unwrap().root;
    let erased = store.erase_personal(receipt.seq, ev("personal.erased")).await.unwrap();
    assert_eq!(erased.seq, 2);
    assert!(store.personal_data(receipt.seq).await.unwrap().is_none());
    assert!(matches!(
        store.erase_personal(receipt.seq, ev("personal.erased")).await,
        Err(StoreError::NotFound(_))
    ));
    // Erasure changes no leaf: the first event still has the same leaf, and the tree of size 1
    // has the same root as before.
    let events = store.events(0, 10).await.unwrap();
    assert_eq!(events[0].commitment.as_deref(), Some(commitment.as_str()));
    assert_eq!(recomputed(quanze_ledger::HashAlg::Sm3, &events[..1]).root(), root_before);
    assert_eq!(
        recomputed(quanze_ledger::HashAlg::Sm3, &events).root(),
        store.ledger_head().await.unwrap().root
    );
});

contract!(checkpoints_and_cosignatures_are_kept, |store| {
    store.put_regions(&[county()], ev("regions.put")).await.unwrap();
    let head = store.ledger_head().await.unwrap();
    assert!(store.latest_checkpoint().await.unwrap().is_none());
    let at = chrono::DateTime::parse_from_rfc3339("2026-11-25T10:00:00.5Z").unwrap().to_utc();
    for size in [1u64, 3, 2] {
        let cp = crate::StoredCheckpoint {
            size,
            root: head.root,
            note: format!("note {size}\n"),
            created_at: at,
        };
        store.add_checkpoint(&cp).await.unwrap();
        store.add_checkpoint(&cp).await.unwrap();
    }
    let all = store.checkpoints().await.unwrap();
    assert_eq!(all.iter().map(|c| c.size).collect::<Vec<_>>(), [1, 2, 3]);
    assert_eq!(all[0].created_at, at);
    assert_eq!(store.latest_checkpoint().await.unwrap().unwrap().size, 3);
    store.add_cosignature(3, "archives", "— archives AAAA\n", at).await.unwrap();
    store.add_cosignature(3, "archives", "— archives BBBB\n", at).await.unwrap();
    store.add_cosignature(3, "procuratorate", "— procuratorate CCCC\n", at).await.unwrap();
    assert_eq!(
        store.cosignatures(3).await.unwrap(),
        ["— archives BBBB\n", "— procuratorate CCCC\n"]
    );
    assert!(
        store.add_cosignature(9, "archives", "x", at).await.is_err(),
        "no checkpoint of size 9"
    );
});

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

contract!(change_sets_are_versioned_and_publish_every_list_in_one_transaction, |store| {
    use quanze_core::changeset::Actor;
    use quanze_core::revision::{Change, ProposedChange};
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
    use quanze_core::changeset::Actor;
    use quanze_core::revision::{Change, ProposedChange};
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

contract!(grants_readiness_and_reclaims_round_trip_through_the_snapshot, |store| {
    use quanze_core::grant::GrantTarget;
    use quanze_core::{Grant, GrantId, GrantMode, Readiness, Reclaim, ReclaimId};

    let (dept, town) = setup(&store).await;
    let grant = Grant {
        id: GrantId::from_uuid(Uuid::now_v7()),
        item: ItemId::from_uuid(Uuid::now_v7()),
        from: dept.id,
        to: GrantTarget::Towns { towns: BTreeSet::from([town.id]) },
        mode: GrantMode::Entrusted,
        effective_from: day(2026, 1, 1),
        effective_until: None,
        batch: "第一批".into(),
        confirmation_doc: Some(doc(3)),
        provincial_decision: None,
    };
    store.put_grant(&grant, ev("grant.created")).await.unwrap();
    assert_conflict(store.put_grant(&grant, ev("grant.created")).await);
    let orphan = Grant {
        id: GrantId::from_uuid(Uuid::now_v7()),
        from: UnitId::from_uuid(Uuid::now_v7()),
        ..grant.clone()
    };
    assert_not_found(store.put_grant(&orphan, ev("grant.created")).await);

    let mut readiness = Readiness::new(grant.id, town.id);
    readiness.seal = true;
    store.put_readiness(&readiness, ev("readiness")).await.unwrap();
    readiness.funding = true;
    store.put_readiness(&readiness, ev("readiness")).await.unwrap();
    let stray = Readiness::new(orphan.id, town.id);
    assert_not_found(store.put_readiness(&stray, ev("readiness")).await);
    let reclaim = Reclaim {
        id: ReclaimId::from_uuid(Uuid::now_v7()),
        grant: grant.id,
        town: town.id,
        effective_on: day(2026, 9, 1),
        reason: "承接能力不足".into(),
        doc: None,
    };
    store.put_reclaim(&reclaim, ev("reclaim")).await.unwrap();

    let snap = store.snapshot().await.unwrap();
    assert_eq!(snap.grants, vec![grant]);
    assert_eq!(snap.readiness, vec![readiness], "replaced, not added");
    assert_eq!(snap.reclaims, vec![reclaim]);
});

contract!(the_establishment_is_one_document_replaced_whole, |store| {
    use quanze_core::establishment::{FunctionalBody, Quota};
    use quanze_core::{Establishment, QuotaKind};

    let (dept, town) = setup(&store).await;
    assert_eq!(store.snapshot().await.unwrap().establishment, Establishment::default());
    let mut e = Establishment::default();
    e.bodies.insert(
        town.id,
        vec![FunctionalBody {
            name: "党政综合办公室".into(), functions: "综合协调".into()
        }],
    );
    e.quotas.entry(dept.id).or_default().insert(QuotaKind::Administrative, 12);
    store.put_establishment(&e, ev("establishment.bodies_set")).await.unwrap();
    assert_eq!(store.snapshot().await.unwrap().establishment, e);
    e.adjustments.push(quanze_core::establishment::QuotaAdjustment {
        on: day(2026, 5, 1),
        quotas: vec![Quota { unit: dept.id, kind: QuotaKind::Administrative, amount: 11 }],
        reason: "精简".into(),
        approval: None,
    });
    store.put_establishment(&e, ev("establishment.quotas_adjusted")).await.unwrap();
    assert_eq!(store.snapshot().await.unwrap().establishment, e, "replaced, not added");
});
