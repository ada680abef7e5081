//! Tamper tests of the ledger on both backends: a few real writes, signed checkpoints, then
//! the damage an insider with database access could do — change one event row, delete one,
//! swap two, truncate the table, replace the signing key — each found by `verify_ledger`
//! with the exact index and kind of damage. Also export, offline verification, proofs and
//! receipts against the stored tree.

use std::sync::Arc;

use quanze_core::{Role, RoleAssignment, Username};
use quanze_ledger::note::SigAlg;
use quanze_ledger::{SigningKey, VerifierKey};
use quanze_service::ledger::{DamageKind, LedgerConfig, VerifyReport, verify_export};
use quanze_service::{Config, NewUser, Service};
use quanze_store::testing::{TestDb, test_databases};
use sqlx::{AnyConnection, Connection as _};

const ORIGIN: &str = "quanze.test/341128";
const PASSWORD: &str = "Ledger#2026x";

fn key() -> Arc<SigningKey> {
    Arc::new(SigningKey::generate(SigAlg::Sm2, ORIGIN).expect("SM2 key"))
}

fn config(key: &Arc<SigningKey>) -> Config {
    Config {
        ledger: LedgerConfig {
            origin: ORIGIN.to_owned(),
            key: Some(Arc::clone(key)),
            witnesses: Vec::new(),
        },
        lockout_threshold: 100,
        ..Config::default()
    }
}

/// Eight events (one account, then seven failed logins: one event each, and a threshold
/// high enough that the account never locks) with a checkpoint after the fourth and after
/// the eighth.
async fn populate(service: &Service) {
    let user = NewUser {
        username: Username::parse("clerk01").unwrap(),
        display_name: "张三".into(),
        password: PASSWORD.into(),
        roles: vec![RoleAssignment { role: Role::Clerk, unit: None }],
    };
    service.create_user(None, user).await.unwrap();
    for i in 1..8 {
        assert!(service.login("clerk01", "wrong password").await.is_err());
        if i == 3 {
            assert_eq!(service.sign_checkpoint().await.unwrap().unwrap().size, 4);
        }
    }
    assert_eq!(service.sign_checkpoint().await.unwrap().unwrap().size, 8);
    assert!(service.sign_checkpoint().await.unwrap().is_none(), "nothing new to sign");
}

async fn raw(db: &TestDb) -> AnyConnection {
    sqlx::any::install_default_drivers();
    AnyConnection::connect(&db.url).await.unwrap()
}

async fn exec(conn: &mut AnyConnection, sql: &str) {
    sqlx::query(sqlx::AssertSqlSafe(sql.to_owned())).execute(&mut *conn).await.unwrap();
}

fn kinds(report: &VerifyReport) -> Vec<(Option<u64>, DamageKind)> {
    report.damage.iter().map(|d| (d.index, d.kind.clone())).collect()
}

/// Runs `check` on a fresh, populated database of every backend.
macro_rules! on_every_backend {
    ($name:ident, |$service:ident, $db:ident, $trusted:ident| $body:block) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $name() {
            let dir = tempfile::tempdir().unwrap();
            for $db in test_databases(dir.path()).await {
                let key = key();
                let $trusted: Vec<VerifierKey> = vec![key.verifier_key()];
                let $service = Service::open(&$db.url, config(&key)).await.unwrap();
                populate(&$service).await;
                eprintln!("backend {:?}", $db.backend);
                $body
                drop($service);
                $db.cleanup().await;
            }
        }
    };
}

on_every_backend!(an_untouched_ledger_verifies, |service, db, trusted| {
    let report = service.verify_ledger(&trusted).await.unwrap();
    assert!(report.is_intact(), "{:?}", report.damage);
    assert_eq!((report.leaves, report.checkpoints), (8, 2));
    // The person's name is only behind a commitment: not in any leaf.
    let entries = service.ledger_entries(0, 8).await.unwrap();
    assert_eq!(entries.len(), 8);
    assert!(entries.iter().all(|e| !e.leaf.contains("张三")), "{:?}", entries[0]);
    assert!(entries[0].leaf.contains("commitment"), "{}", entries[0].leaf);
    // An account's event reaches the public as its hash alone, by range and by receipt.
    let public = service.ledger_entries_for(None, 0, 8).await.unwrap();
    assert!(public[0].withheld && public[0].leaf.is_empty());
    assert_eq!(public[0].leaf_hash, entries[0].leaf_hash, "its place still proven");
    let receipt = service.receipt_for(None, 0).await.unwrap();
    assert!(receipt.entry.withheld && receipt.entry.leaf.is_empty());
    // A key nobody trusts is reported on every checkpoint.
    let stranger = vec![key().verifier_key()];
    let report = service.verify_ledger(&stranger).await.unwrap();
    assert_eq!(
        kinds(&report),
        vec![
            (None, DamageKind::BadSignature { size: 4 }),
            (None, DamageKind::BadSignature { size: 8 })
        ]
    );
});

on_every_backend!(a_changed_event_is_found_at_its_index, |service, db, trusted| {
    let mut conn = raw(&db).await;
    exec(&mut conn, "UPDATE events SET payload = '{\"failures\":1}' WHERE seq = 6").await;
    let report = service.verify_ledger(&trusted).await.unwrap();
    let found = kinds(&report);
    assert_eq!(found[0], (Some(5), DamageKind::Modified), "{found:?}");
    assert!(found.contains(&(None, DamageKind::RootMismatch { size: 8 })), "{found:?}");
    assert!(!found.contains(&(None, DamageKind::RootMismatch { size: 4 })), "{found:?}");
});

on_every_backend!(a_deleted_event_is_found_at_its_index, |service, db, trusted| {
    let mut conn = raw(&db).await;
    exec(&mut conn, "DELETE FROM events WHERE seq = 3").await;
    let report = service.verify_ledger(&trusted).await.unwrap();
    let found = kinds(&report);
    assert_eq!(found[0], (Some(2), DamageKind::Missing), "{found:?}");
    assert_eq!(found.iter().filter(|(i, _)| i.is_some()).count(), 1, "{found:?}");
});

on_every_backend!(swapped_events_are_found_at_both_indexes, |service, db, trusted| {
    let mut conn = raw(&db).await;
    // Move rows 3 and 5 through a free sequence number, exchanging their contents.
    exec(&mut conn, "UPDATE events SET seq = 1003 WHERE seq = 3").await;
    exec(&mut conn, "UPDATE events SET seq = 3 WHERE seq = 5").await;
    exec(&mut conn, "UPDATE events SET seq = 5 WHERE seq = 1003").await;
    let report = service.verify_ledger(&trusted).await.unwrap();
    let found = kinds(&report);
    assert_eq!(found[0], (Some(2), DamageKind::Moved { from: 4 }), "{found:?}");
    assert_eq!(found[1], (Some(4), DamageKind::Moved { from: 2 }), "{found:?}");
    assert!(found.contains(&(None, DamageKind::RootMismatch { size: 4 })), "{found:?}");
});

on_every_backend!(a_truncated_table_is_found_where_it_ends, |service, db, trusted| {
    let mut conn = raw(&db).await;
    exec(&mut conn, "DELETE FROM events WHERE seq > 6").await;
    let report = service.verify_ledger(&trusted).await.unwrap();
    let found = kinds(&report);
    assert_eq!(found[0], (Some(6), DamageKind::Truncated { expected: 8 }), "{found:?}");
    // And the whole table.
    exec(&mut conn, "DELETE FROM event_personal").await;
    exec(&mut conn, "DELETE FROM events").await;
    let report = service.verify_ledger(&trusted).await.unwrap();
    let found = kinds(&report);
    assert_eq!(found[0].0, Some(0), "{found:?}");
    assert!(matches!(found[0].1, DamageKind::Truncated { .. }), "{found:?}");
});

on_every_backend!(a_replaced_signing_key_is_found, |service, db, trusted| {
    // An insider rewrites event 2 and re-signs every checkpoint with a key of their own.
    let mut conn = raw(&db).await;
    exec(&mut conn, "UPDATE events SET kind = 'user.login' WHERE seq = 2").await;
    assert!(!service.verify_ledger(&trusted).await.unwrap().is_intact());
    let forger = key();
    for cp in service.store().checkpoints().await.unwrap() {
        let text = quanze_ledger::SignedNote::parse(&cp.note).unwrap().text().to_owned();
        let forged = quanze_ledger::SignedNote::sign(text, &[forger.as_ref()]).unwrap();
        let sql = format!("UPDATE checkpoints SET note = '{forged}' WHERE size = {}", cp.size);
        exec(&mut conn, &sql).await;
    }
    let report = service.verify_ledger(&trusted).await.unwrap();
    let found = kinds(&report);
    assert!(found.contains(&(None, DamageKind::BadSignature { size: 4 })), "{found:?}");
    assert!(found.contains(&(None, DamageKind::BadSignature { size: 8 })), "{found:?}");
});

on_every_backend!(proofs_and_receipts_check_against_the_checkpoint, |service, db, trusted| {
    let receipt = service.receipt(5).await.unwrap();
    assert_eq!(receipt.proof.size, 8);
    let note = quanze_ledger::SignedNote::parse(&receipt.checkpoint).unwrap();
    note.verify(&trusted).unwrap();
    let cp = quanze_ledger::Checkpoint::parse(note.text()).unwrap();
    let leaf_hash = quanze_ledger::HashAlg::Sm3.hash_leaf(receipt.entry.leaf.as_bytes());
    assert_eq!(leaf_hash.to_hex(), receipt.entry.leaf_hash);
    let proof: Vec<_> =
        receipt.proof.proof.iter().map(|h| quanze_ledger::Hash::from_hex(h).unwrap()).collect();
    quanze_ledger::verify_inclusion(
        quanze_ledger::HashAlg::Sm3,
        &leaf_hash,
        5,
        8,
        &proof,
        &cp.root,
    )
    .unwrap();
    // The same proof by leaf hash.
    let by_hash = service.inclusion_proof_by_hash(&receipt.entry.leaf_hash, 8).await.unwrap();
    assert_eq!(by_hash.proof, receipt.proof.proof);
    // Consistency between the two checkpoints.
    let c = service.consistency_proof(4, 8).await.unwrap();
    let proof: Vec<_> = c.proof.iter().map(|h| quanze_ledger::Hash::from_hex(h).unwrap()).collect();
    quanze_ledger::verify_consistency(
        quanze_ledger::HashAlg::Sm3,
        4,
        8,
        &quanze_ledger::Hash::from_hex(&c.first_root).unwrap(),
        &cp.root,
        &proof,
    )
    .unwrap();
    // Bad requests are refused, not panics.
    for (index, size) in [(8, 8), (0, 9), (3, 0)] {
        let err = service.inclusion_proof(index, size).await.unwrap_err();
        assert_eq!(err.code(), "invalid_proof_request", "{index} {size}");
    }
    assert_eq!(service.consistency_proof(5, 4).await.unwrap_err().code(), "invalid_proof_request");
    assert_eq!(service.consistency_proof(4, 99).await.unwrap_err().code(), "invalid_proof_request");
    assert_eq!(service.inclusion_proof_by_hash("zz", 8).await.unwrap_err().code(), "invalid_hash");
    assert!(service.receipt(99).await.is_err());
});

on_every_backend!(an_export_verifies_offline_and_edits_are_found, |service, db, trusted| {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(service.export_ledger(dir.path(), None).await.unwrap(), 8);
    let report = verify_export(dir.path(), &trusted).unwrap();
    assert!(report.is_intact(), "{:?}", report.damage);
    assert_eq!((report.leaves, report.checkpoints), (8, 2));
    // Edit one line of the export.
    let path = dir.path().join("entries.jsonl");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    lines[6] = lines[6].replace("user.login", "user.logon");
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    let report = verify_export(dir.path(), &trusted).unwrap();
    let found = kinds(&report);
    assert!(found.contains(&(None, DamageKind::RootMismatch { size: 8 })), "{found:?}");
    assert!(!found.contains(&(None, DamageKind::RootMismatch { size: 4 })), "{found:?}");
    // An export whose key file was replaced no longer verifies against its own key.
    let other = key();
    std::fs::write(dir.path().join("keys/log.vkey"), format!("{}\n", other.verifier_key()))
        .unwrap();
    let report = verify_export(dir.path(), &[]).unwrap();
    assert!(kinds(&report).contains(&(None, DamageKind::BadSignature { size: 4 })));
});

on_every_backend!(
    integration_completes_the_tree_and_refuses_tampered_leaves,
    |service, db, trusted| {
        let mut conn = raw(&db).await;
        let count = |sql: &'static str| sqlx::query_scalar::<_, i64>(sql);
        // A write stores its leaf hash in its own row; the interior nodes wait for the integrator.
        let nodes = "SELECT COUNT(*) FROM ledger_nodes";
        assert_eq!(count(nodes).fetch_one(&mut conn).await.unwrap(), 0);
        assert_eq!(service.store().integrated_size().await.unwrap(), 0);
        let sixth: String = sqlx::query_scalar("SELECT leaf_hash FROM events WHERE seq = 6")
            .fetch_one(&mut conn)
            .await
            .unwrap();

        // A leaf hash changed before integration: the integrator refuses and stores nothing.
        let forged = "00".repeat(32);
        exec(&mut conn, &format!("UPDATE events SET leaf_hash = '{forged}' WHERE seq = 6")).await;
        let err = service.store().integrate_ledger().await.unwrap_err().to_string();
        assert!(err.contains("head's root"), "{err}");
        assert_eq!(count(nodes).fetch_one(&mut conn).await.unwrap(), 0);
        assert_eq!(service.store().integrated_size().await.unwrap(), 0);
        let found = kinds(&service.verify_ledger(&trusted).await.unwrap());
        assert_eq!(found[0], (Some(5), DamageKind::Modified), "{found:?}");

        // Put back, it integrates: 8 leaf copies and 7 interior nodes.
        exec(&mut conn, &format!("UPDATE events SET leaf_hash = '{sixth}' WHERE seq = 6")).await;
        assert_eq!(service.store().integrate_ledger().await.unwrap(), 8);
        assert_eq!(count(nodes).fetch_one(&mut conn).await.unwrap(), 15);
        assert_eq!(service.store().integrated_size().await.unwrap(), 8);
        assert!(service.verify_ledger(&trusted).await.unwrap().is_intact());

        // Proofs do not wait for the integrator: a new leaf is found by hash in its row and
        // proven at once, here from the stored subtree of the first 8 leaves and the row itself.
        assert!(service.login("clerk01", "wrong password").await.is_err());
        let ninth: String = sqlx::query_scalar("SELECT leaf_hash FROM events WHERE seq = 9")
            .fetch_one(&mut conn)
            .await
            .unwrap();
        let proof = service.inclusion_proof_by_hash(&ninth, 9).await.unwrap();
        assert_eq!((proof.index, proof.size), (8, 9));
        let root = service.ledger_head().await.unwrap().root.to_hex();
        assert_eq!(proof.root, root);
        assert_eq!(service.store().integrated_size().await.unwrap(), 8);

        // Once integrated, a deleted event is named and its leaf's copy keeps the replay on track:
        // no checkpoint is reported as mismatching.
        exec(&mut conn, "DELETE FROM events WHERE seq = 3").await;
        let found = kinds(&service.verify_ledger(&trusted).await.unwrap());
        assert_eq!(found, vec![(Some(2), DamageKind::Missing)]);
    }
);
