use std::collections::BTreeSet;

use super::*;
use crate::unit::UnitKind;

fn uid(n: u128) -> uuid::Uuid {
    uuid::Uuid::from_u128(n)
}

fn town(n: u128, tags: &[&str]) -> Unit {
    Unit {
        id: UnitId::from_uuid(uid(n)),
        name: format!("镇{n}"),
        kind: UnitKind::Township,
        region: RegionCode::parse("330603107").unwrap(),
        credit_code: None,
        parent: None,
        tags: tags.iter().map(|t| Tag::parse(t).unwrap()).collect::<BTreeSet<_>>(),
    }
}

fn entry(n: u128) -> ListEntry {
    ListEntry { item: ItemId::from_uuid(uid(n)), item_version: 1, duty: DutyKind::Own }
}

fn template() -> ListVersion {
    let flood = Tag::parse("蓄滞洪区").unwrap();
    ListVersion {
        id: ListVersionId::from_uuid(uid(900)),
        list: ListId::from_uuid(uid(901)),
        number: 1,
        status: VersionStatus::Published,
        effective_from: NaiveDate::from_ymd_opt(2024, 1, 1),
        effective_until: None,
        doc_no: Some(DocNo::parse("x编〔2024〕34号").unwrap()),
        entries: vec![entry(1), entry(2), entry(3)],
        overrides: vec![
            Override {
                target: OverrideTarget::Tag { tag: flood.clone() },
                change: OverrideChange::Add { entry: entry(10) },
                reason: "蓄滞洪区".into(),
            },
            Override {
                target: OverrideTarget::Tag { tag: flood },
                change: OverrideChange::Add { entry: entry(11) },
                reason: "蓄滞洪区".into(),
            },
            Override {
                target: OverrideTarget::Town { unit: UnitId::from_uuid(uid(7)) },
                change: OverrideChange::Remove { item: ItemId::from_uuid(uid(2)) },
                reason: "无此职能".into(),
            },
        ],
    }
}

#[test]
fn towns_get_the_template_plus_their_overrides() {
    let t = template();
    let plain: Vec<_> = t.resolve_for(&town(5, &[])).iter().map(|e| e.item).collect();
    assert_eq!(plain.len(), 3);
    let flood = t.resolve_for(&town(6, &["蓄滞洪区"]));
    assert_eq!(flood.len(), 5);
    let dropped: Vec<_> = t.resolve_for(&town(7, &["蓄滞洪区"])).iter().map(|e| e.item).collect();
    assert_eq!(dropped.len(), 4);
    assert!(!dropped.contains(&ItemId::from_uuid(uid(2))));
}

#[test]
fn in_force_windows() {
    let mut v = template();
    let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
    assert!(!v.in_force_on(d(2023, 12, 31)));
    assert!(v.in_force_on(d(2024, 1, 1)));
    v.effective_until = Some(d(2025, 1, 1));
    assert!(v.in_force_on(d(2024, 12, 31)));
    assert!(!v.in_force_on(d(2025, 1, 1)));
    v.status = VersionStatus::Draft;
    assert!(!v.in_force_on(d(2024, 6, 1)));
}

#[test]
fn version_on_picks_the_one_in_force() {
    let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
    let mut v1 = template();
    v1.status = VersionStatus::Superseded;
    v1.effective_until = Some(d(2025, 3, 1));
    let mut v2 = template();
    v2.number = 2;
    v2.effective_from = Some(d(2025, 3, 1));
    let versions = vec![v1, v2];
    assert_eq!(version_on(&versions, d(2025, 2, 28)).unwrap().number, 1);
    assert_eq!(version_on(&versions, d(2025, 3, 1)).unwrap().number, 2);
    assert!(version_on(&versions, d(2023, 1, 1)).is_none());
}

#[test]
fn doc_numbers() {
    assert_eq!(DocNo::parse("x编[2024]34号").unwrap().as_str(), "x编〔2024〕34号");
    assert!(DocNo::parse("x编2024 34号").is_err());
    assert!(DocNo::parse("x编〔24〕34号").is_err());
    assert!(DocNo::parse("").is_err());
}
