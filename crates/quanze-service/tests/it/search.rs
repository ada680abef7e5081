//! 事项检索 over the demo county: what villagers type.

use quanze_service::ErrorCode;
use quanze_service::search::{SearchPage, SearchRequest};

use crate::helpers::demo;

fn ask(q: &str) -> SearchRequest {
    SearchRequest { q: q.into(), limit: Some(20), ..SearchRequest::default() }
}

fn names(page: &SearchPage) -> Vec<&str> {
    page.hits.iter().map(|h| h.name.as_str()).collect()
}

#[tokio::test]
async fn what_villagers_type_finds_the_demo_countys_items() {
    let (_dir, service) = demo().await;
    // 绿地 is written 绿化用地 in the list; every word still counts.
    let green = service.search_items(&ask("临时占用绿地")).unwrap();
    assert_eq!(names(&green)[0], "临时占用城市绿化用地审批", "{:?}", names(&green));
    assert!(!green.partial);
    let marked = green.hits[0].name_html.as_deref().unwrap();
    assert!(marked.starts_with("<b>临时占用") && !marked.ends_with("审批</b>"), "{marked}");
    // 低保 is nowhere in the lists: it is 最低生活保障.
    let relief = service.search_items(&ask("低保")).unwrap();
    assert!(!relief.hits.is_empty());
    assert!(relief.hits.iter().all(|h| h.name.contains("最低生活保障")), "{:?}", names(&relief));
    // 农村建房: the homestead items.
    let house = service.search_items(&ask("农村建房")).unwrap();
    assert!(house.hits.iter().any(|h| h.name.contains("宅基地")), "{:?}", names(&house));
    // 营业执照 is a material: found in the guides, marked there.
    let licence = service.search_items(&ask("营业执照")).unwrap();
    assert!(licence.total > 0);
    assert!(licence.hits.iter().all(|h| h.guide_html.contains("<b>") || h.name_html.is_some()));
}

#[tokio::test]
async fn filters_narrow_and_a_town_has_its_template() {
    let (_dir, service) = demo().await;
    let all = service.search_items(&ask("最低生活保障")).unwrap();
    let town = service
        .catalog()
        .units
        .iter()
        .find(|u| u.kind.is_township_level())
        .map(|u| u.region.to_string())
        .unwrap();
    let in_town =
        service.search_items(&SearchRequest { town: Some(town), ..ask("最低生活保障") }).unwrap();
    assert!(
        in_town.total > 0,
        "the township template's 受理最低生活保障申请 is done in every town"
    );
    assert!(in_town.total < all.total, "{} of {}", in_town.total, all.total);
    let benefit = service
        .search_items(&SearchRequest {
            category: Some("benefit".into()), ..ask("最低生活保障")
        })
        .unwrap();
    assert!(benefit.total > 0 && benefit.hits.iter().all(|h| h.category == "benefit"));
    let unit = all.hits[0].unit.clone();
    let of_unit = service
        .search_items(&SearchRequest { unit: Some(unit.clone()), ..ask("最低生活保障") })
        .unwrap();
    assert!(of_unit.hits.iter().all(|h| h.unit == unit));
}

#[tokio::test]
async fn a_bad_query_gets_a_chinese_message() {
    let (_dir, service) = demo().await;
    let long = "证".repeat(10_000);
    for (q, says) in
        [("", "关键词"), ("？！", "关键词"), (long.as_str(), "过长"), ("低\u{202E}保", "控制字符")]
    {
        let err = service.search_items(&ask(q)).unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidInput, "{q:.20}");
        assert!(err.zh().contains(says), "{q:.20}: {}", err.zh());
    }
}
