//! Materials: content stored once under its SM3 digest, filed with cases in one transaction
//! with its event, checked against its digest both ways, found again for the same applicant
//! while valid.

use quanze_core::case::material::{CaseMaterial, MaterialDigest, MediaType};
use quanze_core::case::{Case, CaseStep};

use super::cases::{TestSealer, new_case};
use super::*;
use quanze_core::CaseId;

use crate::{CaseWrite, SealedApplicant};

const PDF: &[u8] = include_bytes!("../../../quanze-core/tests/data/materials/letter.pdf");

fn digest_of(bytes: &[u8]) -> MaterialDigest {
    MaterialDigest::parse(&quanze_ledger::HashAlg::Sm3.digest(bytes).to_hex()).unwrap()
}

/// A new case of the applicant whose keyed hash is `key`.
async fn case_of(store: &Arc<dyn Store>, n: u32, key: &'static str) -> Case {
    let (case, step): (Case, CaseStep) =
        new_case(UnitId::from_uuid(Uuid::now_v7()), n, day(2026, 9, 28));
    let write = CaseWrite {
        case: &case,
        step: &step,
        previous_steps: None,
        moves: true,
        next_alert_on: None,
        applicant: Some(SealedApplicant { sealed: b"sealed", key, access_hash: "hash" }),
        supervisions: &[],
        close_supervisions: None,
    };
    store.write_case(write, ev("case.applied")).await.unwrap();
    case
}

fn filed(case: &Case, name: &str, bytes: &[u8], valid_until: Option<NaiveDate>) -> CaseMaterial {
    CaseMaterial {
        case: case.id,
        name: name.to_owned(),
        digest: digest_of(bytes),
        size: bytes.len() as u64,
        media_type: MediaType::Pdf,
        attached_at: Utc::now(),
        at_step: case.steps,
        valid_until,
        reused_from: None,
    }
}

contract!(a_material_is_stored_once_and_filed_with_each_case, |store| {
    let first = case_of(&store, 1, "applicant-a").await;
    let second = case_of(&store, 2, "applicant-a").await;
    let head = store.ledger_head().await.unwrap().size;

    let m1 = filed(&first, "申请书", PDF, Some(day(2027, 1, 1)));
    let r1 = store.file_material(&m1, Some(PDF.to_vec()), ev("case.material_filed")).await.unwrap();
    assert_eq!(r1.seq, head + 1, "one event");
    // The same bytes uploaded again for another case: stored once, filed twice.
    let m2 = filed(&second, "申请书", PDF, None);
    store.file_material(&m2, Some(PDF.to_vec()), ev("case.material_filed")).await.unwrap();
    assert_eq!(store.material_content(&m1.digest).await.unwrap().as_deref(), Some(PDF));
    assert_eq!(store.case_materials(first.id).await.unwrap(), std::slice::from_ref(&m1));
    assert_eq!(store.case_materials(second.id).await.unwrap(), std::slice::from_ref(&m2));

    // Filed again under the same name: a conflict, and no event.
    let head = store.ledger_head().await.unwrap().size;
    assert_conflict(store.file_material(&m1, Some(PDF.to_vec()), ev("x")).await);
    // By reference (reuse): no bytes needed, they are there.
    let mut reused = filed(&second, "营业执照", PDF, Some(day(2027, 1, 1)));
    reused.reused_from = Some(first.id);
    store.file_material(&reused, None, ev("case.material_reused")).await.unwrap();
    assert_eq!(store.ledger_head().await.unwrap().size, head + 1);
    assert_eq!(store.case_materials(second.id).await.unwrap().len(), 2);
});

contract!(content_and_row_are_written_together_or_not_at_all, |store| {
    let case = case_of(&store, 1, "applicant-a").await;
    let head = store.ledger_head().await.unwrap().size;
    // Bytes that are not what the digest says.
    let mut lying = filed(&case, "申请书", PDF, None);
    lying.digest = digest_of(b"something else");
    assert!(matches!(
        store.file_material(&lying, Some(PDF.to_vec()), ev("x")).await,
        Err(StoreError::Corrupt(_))
    ));
    // A case that does not exist: the transaction rolls back, bytes and row with it.
    let other = b"%PDF-1.4 another material";
    let mut orphan = filed(&case, "申请书", other, None);
    orphan.case = CaseId::from_uuid(Uuid::now_v7());
    assert_not_found(store.file_material(&orphan, Some(other.to_vec()), ev("x")).await);
    assert_eq!(store.material_content(&orphan.digest).await.unwrap(), None);
    // Reuse of bytes never stored.
    assert_not_found(
        store.file_material(&filed(&case, "申请书", other, None), None, ev("x")).await,
    );
    assert_eq!(store.ledger_head().await.unwrap().size, head, "no refused write left an event");
    assert!(store.case_materials(case.id).await.unwrap().is_empty());
});

contract!(an_applicants_valid_materials_are_found_and_no_one_elses, |store| {
    let a1 = case_of(&store, 1, "applicant-a").await;
    let b1 = case_of(&store, 2, "applicant-b").await;
    let other = b"%PDF-1.4 expired licence";
    store
        .file_material(
            &filed(&a1, "申请书", PDF, Some(day(2026, 12, 31))),
            Some(PDF.to_vec()),
            ev("x"),
        )
        .await
        .unwrap();
    store
        .file_material(
            &filed(&a1, "营业执照", other, Some(day(2026, 10, 1))),
            Some(other.to_vec()),
            ev("x"),
        )
        .await
        .unwrap();
    store
        .file_material(&filed(&b1, "申请书", PDF, None), Some(PDF.to_vec()), ev("x"))
        .await
        .unwrap();

    let on = |d| store.applicant_materials("applicant-a", d);
    assert_eq!(on(day(2026, 10, 1)).await.unwrap().len(), 2);
    let later = on(day(2026, 10, 2)).await.unwrap();
    assert_eq!(later.iter().map(|m| m.name.as_str()).collect::<Vec<_>>(), ["申请书"]);
    assert!(later.iter().all(|m| m.case == a1.id));
    assert!(on(day(2027, 1, 1)).await.unwrap().is_empty());
    let b = store.applicant_materials("applicant-b", day(2030, 1, 1)).await.unwrap();
    assert_eq!(b.len(), 1, "no end of validity: valid");
    assert!(store.applicant_materials("nobody", day(2026, 10, 1)).await.unwrap().is_empty());
});

/// On a SQLite file the bytes are a file under the database's folder, written whole or not at
/// all; a damaged or missing file is reported, never served.
#[tokio::test]
async fn on_a_sqlite_file_the_bytes_are_files_checked_when_read() {
    let dir = tempfile::tempdir().unwrap();
    let store = connect(&crate::testing::sqlite_url(dir.path())).await.unwrap();
    let case = case_of(&store, 1, "applicant-a").await;
    let m = filed(&case, "申请书", PDF, None);
    store.file_material(&m, Some(PDF.to_vec()), ev("x")).await.unwrap();
    let hex = m.digest.as_str();
    let path = dir.path().join("materials").join(&hex[..2]).join(&hex[2..]);
    assert_eq!(std::fs::read(&path).unwrap(), PDF);
    let tmp = dir.path().join("materials").join("tmp");
    assert_eq!(std::fs::read_dir(&tmp).unwrap().count(), 0, "no temporary file left");

    // A damaged file: refused on read, repaired by the next upload of the same bytes.
    std::fs::write(&path, b"%PDF-1.4 tampered!").unwrap();
    assert!(matches!(store.material_content(&m.digest).await, Err(StoreError::Corrupt(_))));
    let again = CaseMaterial { name: "营业执照".into(), ..m.clone() };
    store.file_material(&again, Some(PDF.to_vec()), ev("x")).await.unwrap();
    assert_eq!(store.material_content(&m.digest).await.unwrap().as_deref(), Some(PDF));
    // A missing file is damage too.
    std::fs::remove_file(&path).unwrap();
    assert!(matches!(store.material_content(&m.digest).await, Err(StoreError::Corrupt(_))));
    // A file left by a crash before its row was committed is not served.
    let stray = b"%PDF-1.4 never committed";
    let sd = digest_of(stray);
    let stray_path = dir.path().join("materials").join(&sd.as_str()[..2]).join(&sd.as_str()[2..]);
    std::fs::create_dir_all(stray_path.parent().unwrap()).unwrap();
    std::fs::write(&stray_path, stray).unwrap();
    assert_eq!(store.material_content(&sd).await.unwrap(), None);
}

/// Sets a file's modification time `ago` before now.
fn age(path: &std::path::Path, ago: std::time::Duration) {
    let file = std::fs::File::options().write(true).open(path).unwrap();
    file.set_modified(std::time::SystemTime::now() - ago).unwrap();
}

/// Writes `bytes` where the content under their digest goes, as a crash before the row's
/// commit leaves it; its path.
fn unnamed_file(root: &std::path::Path, bytes: &[u8]) -> std::path::PathBuf {
    let hex = digest_of(bytes).as_str().to_owned();
    let path = root.join(&hex[..2]).join(&hex[2..]);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, bytes).unwrap();
    path
}

/// The sweep removes the files beside a SQLite database that no row names and the temporary
/// files of unfinished writes once they are older than the grace period; a younger one, a
/// file a row names, and anything not named like content stay.
#[tokio::test]
async fn a_sweep_removes_old_unnamed_material_files_only() {
    const HOUR: std::time::Duration = std::time::Duration::from_secs(3600);
    let dir = tempfile::tempdir().unwrap();
    let store = connect(&crate::testing::sqlite_url(dir.path())).await.unwrap();
    let root = dir.path().join("materials");
    let case = case_of(&store, 1, "applicant-a").await;
    let m = filed(&case, "申请书", PDF, None);
    store.file_material(&m, Some(PDF.to_vec()), ev("x")).await.unwrap();
    let hex = m.digest.as_str();
    let named = root.join(&hex[..2]).join(&hex[2..]);
    age(&named, 2 * HOUR);

    let orphan = b"%PDF-1.4 crashed before its commit";
    let old_orphan = unnamed_file(&root, orphan);
    age(&old_orphan, 2 * HOUR);
    let young_orphan = unnamed_file(&root, b"%PDF-1.4 an upload under way");
    let old_tmp = root.join("tmp").join(format!("{hex}.0190a0b0c0d0e0f0"));
    std::fs::write(&old_tmp, b"half a write").unwrap();
    age(&old_tmp, 2 * HOUR);
    let young_tmp = root.join("tmp").join(format!("{hex}.0190a0b0c0d0e0f1"));
    std::fs::write(&young_tmp, b"a write").unwrap();
    let stranger = root.join(&hex[..2]).join("README");
    std::fs::write(&stranger, b"not content").unwrap();
    age(&stranger, 2 * HOUR);

    let head = store.ledger_head().await.unwrap().size;
    let sweep = store.sweep_materials(HOUR).await.unwrap();
    assert_eq!(
        sweep,
        crate::MaterialSweep {
            orphans_removed: 1,
            temporary_removed: 1,
            bytes_removed: (orphan.len() + b"half a write".len()) as u64,
        }
    );
    assert!(!old_orphan.exists() && !old_tmp.exists());
    assert!(named.exists() && young_orphan.exists() && young_tmp.exists() && stranger.exists());
    assert_eq!(store.material_content(&m.digest).await.unwrap().as_deref(), Some(PDF));
    assert_eq!(store.ledger_head().await.unwrap().size, head, "a sweep records no event");
    // Nothing left to do; the swept bytes are written again when they are uploaded.
    assert_eq!(store.sweep_materials(HOUR).await.unwrap(), crate::MaterialSweep::default());
    let again = filed(&case, "营业执照", orphan, None);
    store.file_material(&again, Some(orphan.to_vec()), ev("x")).await.unwrap();
    assert_eq!(store.material_content(&again.digest).await.unwrap().as_deref(), Some(&orphan[..]));
}

/// A file removed after it was written but before its filing took the write lock (a sweep
/// that found it unnamed and old: the same bytes left by a crash) is written again inside the
/// filing's transaction, so the row never names a missing file.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_swept_before_its_row_commits_is_written_again() {
    use sqlx::Connection as _;
    let dir = tempfile::tempdir().unwrap();
    let url = crate::testing::sqlite_url(dir.path());
    let store = connect(&url).await.unwrap();
    let case = case_of(&store, 1, "applicant-a").await;
    let m = filed(&case, "申请书", PDF, None);
    let hex = m.digest.as_str();
    let path = dir.path().join("materials").join(&hex[..2]).join(&hex[2..]);

    // Another connection holds the write lock, as a sweep does while it removes files.
    sqlx::any::install_default_drivers();
    let mut sweeper = sqlx::AnyConnection::connect(&url).await.unwrap();
    sqlx::query("BEGIN IMMEDIATE").execute(&mut sweeper).await.unwrap();
    let filing = tokio::spawn({
        let (store, m) = (Arc::clone(&store), m.clone());
        async move { store.file_material(&m, Some(PDF.to_vec()), ev("x")).await }
    });
    // The filing wrote its file and waits for the lock: the "sweep" takes the file.
    let start = Instant::now();
    while !path.exists() {
        assert!(start.elapsed() < std::time::Duration::from_secs(4), "the file is written");
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    std::fs::remove_file(&path).unwrap();
    sqlx::query("ROLLBACK").execute(&mut sweeper).await.unwrap();
    filing.await.unwrap().unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), PDF);
    assert_eq!(store.material_content(&m.digest).await.unwrap().as_deref(), Some(PDF));
}

/// With the personal-data key installed, a material is stored sealed (a file beside SQLite, a
/// row on PostgreSQL) and opened and checked against its digest when read; one stored in clear
/// before there was a key still reads, and a rotation seals it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn materials_are_sealed_at_rest_under_the_personal_data_key() {
    let dir = tempfile::tempdir().expect("temporary directory");
    for db in test_databases(dir.path()).await {
        let store = connect(&db.url).await.expect("connect and migrate");
        let pool = sqlx::AnyPool::connect(&db.url).await.expect("connect");
        let at_rest = async |digest: &MaterialDigest| -> Vec<u8> {
            match db.backend {
                crate::Backend::Sqlite => {
                    let hex = digest.as_str();
                    std::fs::read(dir.path().join("materials").join(&hex[..2]).join(&hex[2..]))
                        .unwrap()
                }
                crate::Backend::Postgres => {
                    sqlx::query_scalar("SELECT content FROM material_contents WHERE digest = $1")
                        .bind(digest.as_str())
                        .fetch_one(&pool)
                        .await
                        .unwrap()
                }
            }
        };
        let case = case_of(&store, 1, "applicant-a").await;
        let before = filed(&case, "身份证复印件", PDF, None);
        store.file_material(&before, Some(PDF.to_vec()), ev("x")).await.unwrap();
        assert_eq!(at_rest(&before.digest).await, PDF, "no key: in clear, as before");

        store.install_sealer(Arc::new(TestSealer));
        let scan = b"%PDF-1.4 ID card 11010519491231002X".to_vec();
        let m = filed(&case, "营业执照", &scan, None);
        store.file_material(&m, Some(scan.clone()), ev("x")).await.unwrap();
        let stored = at_rest(&m.digest).await;
        assert!(stored.starts_with(crate::materials::SEALED_CONTENT));
        assert!(!stored.windows(18).any(|w| w == b"11010519491231002X"), "no ID number in clear");
        assert_eq!(store.material_content(&m.digest).await.unwrap(), Some(scan.clone()));
        assert_eq!(store.material_content(&before.digest).await.unwrap().as_deref(), Some(PDF));

        // A rotation reseals both, the one in clear included.
        let rows = store.sealed_rows().await.unwrap();
        let (_, counts) = store.reseal(&rows, &rows, ev("personal_key.rotated")).await.unwrap();
        assert_eq!(counts.materials, 2);
        assert!(at_rest(&before.digest).await.starts_with(crate::materials::SEALED_CONTENT));
        assert_eq!(store.material_content(&before.digest).await.unwrap().as_deref(), Some(PDF));
        assert_eq!(store.material_content(&m.digest).await.unwrap(), Some(scan.clone()));
        let m_scan = scan;
        // A file gone missing, or a row whose bytes were damaged (unreadable already), is named
        // in the log and left; the rotation goes on with the others, and commits.
        let damaged = match db.backend {
            crate::Backend::Sqlite => {
                let hex = before.digest.as_str();
                let path = dir.path().join("materials").join(&hex[..2]).join(&hex[2..]);
                std::fs::remove_file(path).unwrap();
                None
            }
            crate::Backend::Postgres => {
                let mut bytes = at_rest(&before.digest).await;
                let last = bytes.len() - 1;
                bytes[last] ^= 1;
                sqlx::query("UPDATE material_contents SET content = $2 WHERE digest = $1")
                    .bind(before.digest.as_str())
                    .bind(bytes.clone())
                    .execute(&pool)
                    .await
                    .unwrap();
                Some(bytes)
            }
        };
        let rows = store.sealed_rows().await.unwrap();
        let (_, counts) = store.reseal(&rows, &rows, ev("personal_key.rotated")).await.unwrap();
        assert_eq!((counts.materials, counts.unreadable_materials), (1, 1));
        if let Some(bytes) = damaged {
            assert_eq!(at_rest(&before.digest).await, bytes, "the damaged row is left as it was");
        }
        assert_eq!(store.material_content(&m.digest).await.unwrap(), Some(m_scan.clone()));

        // A process without the key is told which key it needs, and serves nothing.
        drop(store);
        let keyless = connect(&db.url).await.unwrap();
        match keyless.material_content(&m.digest).await {
            Err(StoreError::Corrupt(why)) => assert!(why.contains("--personal-key"), "{why}"),
            other => panic!("expected the missing key to be named, got {other:?}"),
        }
        // Nor does an upload of the same bytes there put them back in clear.
        let again = filed(&case, "营业执照副本", &m_scan, None);
        keyless.file_material(&again, Some(m_scan.clone()), ev("x")).await.unwrap();
        assert!(at_rest(&m.digest).await.starts_with(crate::materials::SEALED_CONTENT));
        drop(keyless);
        pool.close().await;
        db.cleanup().await;
    }
}
