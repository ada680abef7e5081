//! Test fixtures shared by the governance modules' tests.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};

use crate::ids::{ItemId, ListId, UnitId, UserId};
use crate::item::{
    Accountability, ExerciseLevel, ItemContent, LegalRef, PowerCategory, PowerSource,
    Responsibility,
};

pub(crate) fn uid(n: u128) -> uuid::Uuid {
    uuid::Uuid::from_u128(n)
}
pub(crate) fn unit(n: u128) -> UnitId {
    UnitId::from_uuid(uid(n))
}
pub(crate) fn item(n: u128) -> ItemId {
    ItemId::from_uuid(uid(n))
}
pub(crate) fn list(n: u128) -> ListId {
    ListId::from_uuid(uid(n))
}
pub(crate) fn user(n: u128) -> UserId {
    UserId::from_uuid(uid(n))
}
pub(crate) fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("valid date")
}
/// 10:00 China time on that day.
pub(crate) fn at(y: i32, m: u32, day: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, day, 2, 0, 0).single().expect("valid time")
}

/// A complete power item (legal basis, responsibilities, accountability) held by `holder`.
pub(crate) fn power(name: &str, category: PowerCategory, holder: UnitId) -> ItemContent {
    ItemContent {
        name: name.to_owned(),
        sub_item: None,
        category,
        category_label: None,
        base_code: None,
        impl_code: None,
        local_code: None,
        legal_basis: vec![LegalRef::article("中华人民共和国食品安全法", 35)],
        holder,
        handling_office: None,
        cooperation: vec![],
        source: PowerSource::Statutory,
        grant: None,
        level: ExerciseLevel::County,
        responsibilities: vec![Responsibility {
            stage: "受理".into(),
            content: "依法受理".into(),
            basis: vec![LegalRef::article("中华人民共和国行政许可法", 32)],
        }],
        accountability: vec![Accountability {
            situation: "对符合法定条件的申请不予受理的".into(),
            basis: vec![LegalRef::article("行政许可法", 72)],
            parties: vec!["具体承办人".into()],
        }],
        service: None,
        remarks: None,
    }
}

/// A copy of `data/holidays-cn.toml` (2024–2026) as the service would read it.
pub(crate) const HOLIDAYS: &str = r#"

[[year]]
year = 2024
holidays = [
  { name = "元旦",   off = ["2024-01-01", "2024-01-01"], work = [] },
  { name = "春节",   off = ["2024-02-10", "2024-02-17"], work = ["2024-02-04", "2024-02-18"] },
  { name = "清明节", off = ["2024-04-04", "2024-04-06"], work = ["2024-04-07"] },
  { name = "劳动节", off = ["2024-05-01", "2024-05-05"], work = ["2024-04-28", "2024-05-11"] },
  { name = "端午节", off = ["2024-06-10", "2024-06-10"], work = [] },
  { name = "中秋节", off = ["2024-09-15", "2024-09-17"], work = ["2024-09-14"] },
  { name = "国庆节", off = ["2024-10-01", "2024-10-07"], work = ["2024-09-29", "2024-10-12"] },
]

[[year]]
year = 2025
holidays = [
  { name = "元旦",          off = ["2025-01-01", "2025-01-01"], work = [] },
  { name = "春节",          off = ["2025-01-28", "2025-02-04"], work = ["2025-01-26", "2025-02-08"] },
  { name = "清明节",        off = ["2025-04-04", "2025-04-06"], work = [] },
  { name = "劳动节",        off = ["2025-05-01", "2025-05-05"], work = ["2025-04-27"] },
  { name = "端午节",        off = ["2025-05-31", "2025-06-02"], work = [] },
  { name = "国庆节、中秋节", off = ["2025-10-01", "2025-10-08"], work = ["2025-09-28", "2025-10-11"] },
]

[[year]]
year = 2026
holidays = [
  { name = "元旦",   off = ["2026-01-01", "2026-01-03"], work = ["2026-01-04"] },
  { name = "春节",   off = ["2026-02-15", "2026-02-23"], work = ["2026-02-14", "2026-02-28"] },
  { name = "清明节", off = ["2026-04-04", "2026-04-06"], work = [] },
  { name = "劳动节", off = ["2026-05-01", "2026-05-05"], work = ["2026-05-09"] },
  { name = "端午节", off = ["2026-06-19", "2026-06-21"], work = [] },
  { name = "中秋节", off = ["2026-09-25", "2026-09-27"], work = [] },
  { name = "国庆节", off = ["2026-10-01", "2026-10-07"], work = ["2026-09-20", "2026-10-10"] },
]
"#;

/// A township with tags, in 柯桥区王坛镇's region.
pub(crate) fn town(n: u128, tags: &[&str]) -> crate::unit::Unit {
    crate::unit::Unit {
        id: unit(n),
        name: format!("镇{n}"),
        kind: crate::unit::UnitKind::Township,
        region: crate::codes::RegionCode::parse("330603107").unwrap(),
        credit_code: None,
        parent: None,
        tags: tags.iter().map(|t| crate::unit::Tag::parse(t).unwrap()).collect(),
    }
}

/// A department (1) and three towns, two of them 经济发达镇 (11, 13).
pub(crate) fn units() -> Vec<crate::unit::Unit> {
    let dept = crate::unit::Unit { kind: crate::unit::UnitKind::Department, ..town(1, &[]) };
    vec![dept, town(11, &["经济发达镇"]), town(12, &[]), town(13, &["经济发达镇"])]
}
