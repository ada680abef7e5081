//! Opening stores: URLs, SQLite files and their settings, migrations on both backends.

use super::*;

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

#[tokio::test]
async fn a_durable_store_syncs_every_commit() {
    let dir = tempfile::tempdir().unwrap();
    let url = crate::testing::sqlite_url(dir.path());
    for (durable, level) in [(false, 1), (true, 2)] {
        let options = crate::ConnectOptions { durable, ..crate::ConnectOptions::default() };
        let store = crate::open::open(&url, options).await.unwrap();
        let synchronous: i64 =
            sqlx::query_scalar("PRAGMA synchronous").fetch_one(&store.pool).await.unwrap();
        assert_eq!(synchronous, level, "durable = {durable}");
    }
}
