//! The catalogue's writer: a store write abandoned mid-way leaves the catalogue to be rebuilt.

use std::time::Duration;

use quanze_core::{Region, RegionCode};
use quanze_store::NewEvent;

use crate::{Config, Service};

fn region(code: &str, name: &str) -> Region {
    Region { code: RegionCode::parse(code).expect("a valid code"), name: name.to_owned() }
}

fn knows(service: &Service, code: &str) -> bool {
    service.catalog().regions.iter().any(|r| r.code.as_str() == code)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_abandoned_write_makes_the_next_writer_rebuild_the_catalogue() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let url = format!("sqlite://{}", dir.path().join("q.db").display());
    let service = Service::open(&url, Config::default()).await.expect("service");
    // A write that committed without the catalogue hearing of it, as when its request went
    // away between the commit and the catalogue's change.
    let ev = NewEvent {
        at: chrono::Utc::now(),
        actor: None,
        unit: None,
        kind: "region.put".into(),
        subject: "region:370000000000".into(),
        payload: serde_json::json!({}),
        personal: None,
    };
    service.store().put_regions(&[region("370000000000", "山东省")], ev).await.expect("stored");
    assert!(!knows(&service, "370000000000"));

    // A writer that finishes its write does not rebuild.
    drop(service.catalog_writer().await.expect("writer"));
    assert!(!knows(&service, "370000000000"));

    // A writer dropped while its store write runs marks the catalogue stale.
    {
        let mut writer = service.catalog_writer().await.expect("writer");
        let abandoned = writer.write(std::future::pending::<()>());
        assert!(tokio::time::timeout(Duration::from_millis(10), abandoned).await.is_err());
    }
    drop(service.catalog_writer().await.expect("writer"));
    assert!(knows(&service, "370000000000"), "the next writer rebuilt the catalogue");
}
