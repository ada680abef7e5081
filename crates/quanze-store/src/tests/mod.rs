//! The contract suite: every [`Store`] method on SQLite (always) and PostgreSQL (when a server
//! answers; see [`crate::testing`]). Each test body is written once, in `contract!`, and runs
//! against a fresh database per backend. The tests are split by resource, as the store's
//! modules are; the helpers here build the regions, units, items and drafts they share.

use std::collections::{BTreeSet, HashSet};
use std::future::Future;
use std::sync::Arc;
use std::time::Instant;

use chrono::{NaiveDate, TimeZone, Utc};
use quanze_core::{
    Cooperation, CreditCode, DocNo, DutyKind, ExerciseLevel, ItemContent, ItemId, ListEntry,
    ListId, ListScope, ListVersion, ListVersionId, Override, OverrideChange, OverrideTarget,
    PowerCategory, PowerItem, PowerList, PowerSource, Region, RegionCode, Role, RoleAssignment,
    Tag, Unit, UnitId, UnitKind, UserId, Username, VersionStatus,
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
        grant: None,
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

mod accounts;
mod calendar;
mod cases;
mod devolution;
mod governance;
mod group;
mod laws;
mod ledger;
mod lists;
mod materials;
mod open;
mod registry;
mod sessions;
