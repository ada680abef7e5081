use super::*;

const COUNTY: &str = "county-market";
const TOWN_A: &str = "610102001";
const TOWN_B: &str = "610102002";

fn doc(
    item: &str,
    list: &str,
    name: &str,
    unit_name: &str,
    category: &str,
    towns: &[&str],
    guide: &str,
) -> ItemDoc {
    ItemDoc {
        item: item.into(),
        list: list.into(),
        name: name.into(),
        unit: format!("unit-{unit_name}"),
        unit_name: unit_name.into(),
        category: category.into(),
        towns: towns.iter().map(|t| (*t).to_owned()).collect(),
        guide: guide.into(),
    }
}

/// A few items as a county publishes them, with the words villagers use in their guides.
fn county() -> Vec<ItemDoc> {
    vec![
        doc(
            "licence",
            COUNTY,
            "个体工商户设立登记",
            "县市场监督管理局",
            "licensing",
            &[TOWN_A, TOWN_B],
            "受理条件：经营者持身份证件申请，核发营业执照。申请材料：个体工商户登记申请书；经营场所使用证明。办理地点：县政务服务中心市场监管窗口。不收费。",
        ),
        doc(
            "food",
            COUNTY,
            "食品经营许可",
            "县市场监督管理局",
            "licensing",
            &[TOWN_A],
            "申请材料：食品经营许可申请书；营业执照复印件；与食品经营相适应的主要设备设施布局。设定依据：《中华人民共和国食品安全法》第三十五条。",
        ),
        doc(
            "green",
            "county-housing",
            "临时占用城市绿地审批",
            "县住房和城乡建设局",
            "licensing",
            &[TOWN_A, TOWN_B],
            "因建设或者其他特殊需要临时占用城市绿地的，须经城市人民政府城市绿化行政主管部门同意。设定依据：《城市绿化条例》第十九条。",
        ),
        doc(
            "house",
            "town-a",
            "农村村民住宅用地审批",
            "甲镇人民政府",
            "licensing",
            &[TOWN_A],
            "农村村民在本集体经济组织的土地上建房，申请宅基地。申请材料：农村宅基地和建房（规划许可）申请表；户口簿。设定依据：《中华人民共和国土地管理法》第六十二条。",
        ),
        doc(
            "dibao",
            "county-civil",
            "最低生活保障对象认定",
            "县民政局",
            "confirmation",
            &[TOWN_A, TOWN_B],
            "城乡居民家庭人均收入低于当地最低生活保障标准的，可申请低保。由乡镇人民政府受理，县民政局审批。",
        ),
        doc(
            "penalty",
            COUNTY,
            "对无照经营的行政处罚",
            "县市场监督管理局",
            "penalty",
            &[],
            "未取得营业执照从事经营活动的，由市场监督管理部门责令改正，没收违法所得。设定依据：《无证无照经营查处办法》第十三条。",
        ),
    ]
}

fn index() -> SearchIndex {
    let index = SearchIndex::in_memory().unwrap();
    let docs = county();
    let lists: Vec<&str> = docs.iter().map(|d| d.list.as_str()).collect();
    index.replace_lists(&lists, &docs).unwrap();
    index
}

fn find(index: &SearchIndex, text: &str) -> SearchResults {
    index.search(&SearchQuery { text, limit: 10, ..SearchQuery::default() }).unwrap()
}

fn items(found: &SearchResults) -> Vec<&str> {
    found.hits.iter().map(|h| h.item.as_str()).collect()
}

#[test]
fn what_a_villager_types_finds_the_item_that_does_it() {
    let index = index();
    assert_eq!(index.len(), 6);
    // 营业执照 is in three guides; the item that issues it is not named by it, the others
    // mention it as a material or an offence: all three are found, nothing else.
    let licence = find(&index, "营业执照");
    let mut got = items(&licence);
    got.sort_unstable();
    assert_eq!(got, ["food", "licence", "penalty"], "{licence:?}");
    assert!(!licence.partial);
    assert_eq!(items(&find(&index, "临时占用绿地"))[0], "green");
    assert_eq!(items(&find(&index, "农村建房"))[0], "house");
    assert_eq!(items(&find(&index, "低保")), ["dibao"]);
    // A word inside a longer one (search mode): 执照 in 营业执照.
    assert!(items(&find(&index, "执照")).contains(&"licence"));
    // By the unit's name.
    assert!(items(&find(&index, "民政局")).contains(&"dibao"));
}

#[test]
fn the_name_counts_more_than_the_guide() {
    let index = index();
    // 食品经营许可 is the food item's name, and only a material of nothing else.
    let found = find(&index, "食品经营许可");
    assert_eq!(found.hits[0].item, "food");
    // 行政处罚 names the penalty item.
    assert_eq!(items(&find(&index, "行政处罚"))[0], "penalty");
}

#[test]
fn matched_words_are_marked_and_everything_else_escaped() {
    let index = SearchIndex::in_memory().unwrap();
    let evil = doc(
        "x",
        "l",
        "<script>alert(1)</script>临时占用绿地",
        "县<b>局",
        "licensing",
        &[],
        "临时占用绿地 & <img src=x onerror=alert(2)>",
    );
    index.replace_list("l", &[evil]).unwrap();
    let hit = &find(&index, "绿地").hits[0];
    let name_html = hit.name_html.as_deref().unwrap();
    assert!(name_html.contains("<b>绿地</b>"), "{name_html}");
    assert!(name_html.contains("&lt;script&gt;"), "{name_html}");
    assert!(!name_html.contains("<script"), "{name_html}");
    assert!(hit.guide_html.contains("<b>绿地</b>"), "{}", hit.guide_html);
    assert!(!hit.guide_html.contains("<img"), "{}", hit.guide_html);
    assert_eq!(hit.name, "<script>alert(1)</script>临时占用绿地", "the text itself is kept");
    // A name without the word has no marked form; the guide's passage has the word.
    let other = find(&index, "onerror");
    assert_eq!(other.hits.len(), 1);
    assert_eq!(other.hits[0].name_html, None);
    assert!(other.hits[0].guide_html.contains("<b>onerror</b>"), "{}", other.hits[0].guide_html);
}

#[test]
fn filters_by_unit_category_and_town() {
    let index = index();
    let q = |unit, category, town| SearchQuery {
        text: "营业执照",
        unit,
        category,
        town,
        offset: 0,
        limit: 10,
    };
    let only = |q: SearchQuery<'_>| {
        let mut v: Vec<String> =
            index.search(&q).unwrap().hits.into_iter().map(|h| h.item).collect();
        v.sort_unstable();
        v
    };
    assert_eq!(only(q(None, Some("penalty"), None)), ["penalty"]);
    assert_eq!(only(q(None, None, Some(TOWN_B))), ["licence"]);
    assert_eq!(only(q(None, None, Some(TOWN_A))), ["food", "licence"]);
    assert_eq!(only(q(Some("unit-县民政局"), None, None)), Vec::<String>::new());
    assert_eq!(
        only(q(Some("unit-县市场监督管理局"), Some("licensing"), Some(TOWN_A))),
        ["food", "licence"]
    );
}

#[test]
fn without_an_item_having_every_word_the_closest_are_given_as_such() {
    let index = index();
    // Nothing is about both 低保 and 绿地.
    let found = find(&index, "低保 绿地");
    assert!(found.partial);
    let mut got = items(&found);
    got.sort_unstable();
    assert_eq!(got, ["dibao", "green"]);
    // Still filtered in that case.
    let q = SearchQuery {
        text: "低保 绿地",
        category: Some("confirmation"),
        limit: 10,
        ..SearchQuery::default()
    };
    assert_eq!(items(&index.search(&q).unwrap()), ["dibao"]);
    // Nothing at all: an empty page, not an error.
    let none = find(&index, "航空器");
    assert_eq!((none.total, none.hits.len()), (0, 0));
}

#[test]
fn a_bad_query_is_refused_with_a_chinese_message_and_query_syntax_is_text() {
    let index = index();
    let err = |text: &str| {
        index.search(&SearchQuery { text, limit: 10, ..SearchQuery::default() }).unwrap_err()
    };
    for blank in ["", "   ", "，。！？", "\"\"::()"] {
        let e = err(blank);
        assert!(matches!(e, SearchError::Empty), "{blank:?}: {e:?}");
        assert!(e.zh().contains("关键词"));
    }
    let long = "营".repeat(10_000);
    let e = err(&long);
    assert!(matches!(e, SearchError::TooLong { chars: 10_000, max: MAX_QUERY_CHARS }), "{e:?}");
    assert!(e.zh().contains("10000个字"), "{}", e.zh());
    assert!(matches!(err(&"营".repeat(MAX_QUERY_CHARS + 1)), SearchError::TooLong { .. }));
    assert!(
        index
            .search(&SearchQuery {
                text: &"营".repeat(MAX_QUERY_CHARS),
                limit: 1,
                ..SearchQuery::default()
            })
            .is_ok()
    );
    for bad in ["营业\u{0}执照", "营业\u{202E}执照", "营业\n执照"] {
        assert!(matches!(err(bad), SearchError::BadCharacter), "{bad:?}");
    }
    assert!(err("").is_bad_query());
    // What a query language would read as syntax is just text here.
    let found = find(&index, "营业执照 AND \"title:(");
    assert!(items(&found).contains(&"licence"), "{found:?}");
    assert!(found.partial, "AND and title are words no item has");
}

#[test]
fn publishing_a_list_replaces_its_items_and_no_other() {
    let index = index();
    let mut town = county().into_iter().find(|d| d.item == "house").unwrap();
    town.name = "农村村民住宅建设审批".into();
    town.item = "house-v2".into();
    index.replace_list("town-a", &[town]).unwrap();
    assert_eq!(items(&find(&index, "农村建房")), ["house-v2"]);
    assert_eq!(index.len(), 6);
    // A list withdrawn whole.
    index.replace_list("town-a", &[]).unwrap();
    assert_eq!(index.len(), 5);
    assert!(find(&index, "宅基地").hits.is_empty());
    assert_eq!(items(&find(&index, "低保")), ["dibao"]);
}

#[test]
fn paging_and_the_total() {
    let index = SearchIndex::in_memory().unwrap();
    let docs: Vec<ItemDoc> = (0..25)
        .map(|i| {
            doc(
                &format!("i{i:02}"),
                "l",
                &format!("第{i}项乡村建设规划许可"),
                "县自然资源局",
                "licensing",
                &[],
                "",
            )
        })
        .collect();
    index.replace_list("l", &docs).unwrap();
    let page = |offset| {
        index
            .search(&SearchQuery {
                text: "规划许可", offset, limit: 10, ..SearchQuery::default()
            })
            .unwrap()
    };
    let (first, third) = (page(0), page(20));
    assert_eq!((first.total, first.hits.len(), third.hits.len()), (25, 10, 5));
    let mut seen: HashSet<String> = HashSet::new();
    for offset in [0, 10, 20] {
        for hit in page(offset).hits {
            assert!(seen.insert(hit.item));
        }
    }
    assert_eq!(seen.len(), 25);
}

#[test]
fn an_index_in_a_folder_starts_empty_and_is_rebuilt() {
    let dir = std::env::temp_dir().join(format!("quanze-search-test-{}", std::process::id()));
    let first = SearchIndex::in_dir(&dir).unwrap();
    first.replace_list(COUNTY, &county()).unwrap();
    assert!(!first.is_empty());
    drop(first);
    let again = SearchIndex::in_dir(&dir).unwrap();
    assert!(again.is_empty(), "rebuilt from the store, not read back");
    again.replace_list(COUNTY, &county()[..2]).unwrap();
    assert_eq!(again.len(), 2);
    drop(again);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_spoken_word_finds_the_written_one() {
    let index = SearchIndex::in_memory().unwrap();
    let docs = vec![
        doc(
            "benefit",
            "l",
            "最低生活保障金给付",
            "县民政局",
            "benefit",
            &[],
            "按月发放最低生活保障金。",
        ),
        doc("green", "l", "临时占用城市绿化用地审批", "县住房和城乡建设局", "licensing", &[], ""),
        doc("other", "l", "生活垃圾处理收费", "县城市管理局", "levy", &[], "生活"),
    ];
    index.replace_list("l", &docs).unwrap();
    // 低保 is nowhere in the text; the table says it is 最低生活保障.
    assert_eq!(items(&find(&index, "低保")), ["benefit"]);
    // 绿地 is written 绿化用地 here: every word of the query is still required.
    let green = find(&index, "临时占用绿地");
    assert_eq!((items(&green), green.partial), (vec!["green"], false), "{green:?}");
    assert!(synonyms("低保").any(|w| w == "最低生活保障"));
    assert_eq!(synonyms("最低生活保障").count(), 0, "only spoken words are keys");
}

#[test]
fn a_long_guide_shows_a_passage_around_the_first_match() {
    let marked: HashSet<String> =
        ["执照".to_owned(), "营业执照".to_owned(), "营业".to_owned()].into();
    let text = format!("{}核发营业执照。{}", "甲".repeat(300), "乙".repeat(300));
    let html = highlight(&text, &marked, GUIDE_PASSAGE_CHARS).unwrap();
    // Overlapping words (营业执照, 营业, 执照) are marked once, as one.
    assert!(html.contains("核发<b>营业执照</b>。"), "{html}");
    assert!(html.starts_with('…') && html.ends_with('…'), "{html}");
    assert!(html.chars().count() <= GUIDE_PASSAGE_CHARS + 2 + 7, "{}", html.chars().count());
    assert_eq!(highlight("没有这个词", &marked, 10), None);
    // A short text is whole.
    assert_eq!(highlight("营业执照", &marked, usize::MAX).unwrap(), "<b>营业执照</b>");
}

#[test]
fn a_page_too_far_in_is_refused_before_anything_is_collected() {
    let index = index();
    let q =
        |offset| SearchQuery { text: "营业执照", offset, limit: 10, ..SearchQuery::default() };
    assert!(index.search(&q(MAX_OFFSET)).unwrap().hits.is_empty());
    // An offset from a request (u32::MAX) would have the collector reserve ~64 GiB.
    let e = index.search(&q(u32::MAX as usize)).unwrap_err();
    assert!(matches!(e, SearchError::TooFar { max: MAX_OFFSET, .. }), "{e:?}");
    assert!(e.is_bad_query());
    assert!(e.zh().contains("1000条"), "{}", e.zh());
}
