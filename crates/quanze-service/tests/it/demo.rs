//! The demo loader refuses to reuse a load that was cut off.

use quanze_core::{Region, RegionCode, UnitKind};
use quanze_service::lists::NewUnit;
use quanze_service::{Config, Service};

#[tokio::test]
async fn a_cut_off_demo_load_is_refused_with_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let url = quanze_store::testing::sqlite_url(dir.path());
    let service = Service::open(&url, Config::default()).await.unwrap();
    // What a first start leaves behind when it is stopped before the accounts are written.
    let regions =
        [("330000000000", "浙江省"), ("330600000000", "绍兴市"), ("330603000000", "柯桥区")];
    let regions = regions
        .iter()
        .map(|(code, name)| Region { code: RegionCode::parse(code).unwrap(), name: (*name).into() })
        .collect();
    service.put_regions(None, regions).await.unwrap();
    let unit = NewUnit {
        name: "柯桥区市场监督管理局".into(),
        kind: UnitKind::Department,
        region: RegionCode::parse("330603000000").unwrap(),
        credit_code: None,
        parent: None,
        tags: Default::default(),
    };
    service.create_unit(None, unit).await.unwrap();
    let err = service.load_demo(1).await.unwrap_err();
    assert_eq!(err.code(), "demo_incomplete");
    assert!(err.zh().contains("删除数据目录"), "{}", err.zh());

    // A fresh database loads, and a second call reuses it.
    let other = tempfile::tempdir().unwrap();
    let service =
        Service::open(&quanze_store::testing::sqlite_url(other.path()), Config::default())
            .await
            .unwrap();
    assert!(matches!(
        service.load_demo(1).await.unwrap(),
        quanze_service::demo::DemoLoad::Loaded { .. }
    ));
    assert!(matches!(service.load_demo(1).await.unwrap(), quanze_service::demo::DemoLoad::Reused));
}

/// The demo's drafts go through the use case (`save_draft`: the rank of their laws, the units
/// of their periods, the template's differences by `check_overrides`), and the generated
/// county passes it unchanged: every stored item version is the generated one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_drafts_pass_the_draft_checks_unchanged() {
    let (_dir, service) = crate::helpers::demo().await;
    let county = quanze_demo::demo_county(7);
    let catalog = service.catalog();
    let mut compared = 0;
    for item in &county.items {
        if let Some(stored) = catalog.item(item.id, item.version) {
            assert_eq!(stored.content, item.content, "{}", item.content.display_name());
            compared += 1;
        }
    }
    assert!(compared * 10 >= county.items.len() * 9, "{compared} of {}", county.items.len());
}
