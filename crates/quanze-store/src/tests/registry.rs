//! The registry: regions and units.

use super::*;

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
