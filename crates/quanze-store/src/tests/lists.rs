//! Lists: lists, drafts, publication, template overrides, items, the catalogue's snapshot.

use super::*;

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
