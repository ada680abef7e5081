//! The ledger: events, leaves, the stored tree, personal data, checkpoints and cosignatures.

use super::*;

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
