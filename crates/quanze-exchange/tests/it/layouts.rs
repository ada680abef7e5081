//! Workbooks in the layouts counties publish, built cell by cell, and the problems found in them.

use quanze_core::{DutyKind, PowerCategory, Severity};
use quanze_exchange::{ImportOptions, Imported, import_xlsx};
use rust_xlsxwriter::{Format, Workbook, Worksheet};

use crate::helpers::{directory, id, located, problem_at};

fn row(ws: &mut Worksheet, r: u32, cells: &[&str]) {
    let wrap = Format::new().set_text_wrap();
    for (c, text) in cells.iter().enumerate() {
        if !text.is_empty() {
            ws.write_string_with_format(r, c as u16, *text, &wrap).expect("write");
        }
    }
}

fn merge(ws: &mut Worksheet, r0: u32, c0: u16, r1: u32, c1: u16, text: &str) {
    ws.merge_range(r0, c0, r1, c1, text, &Format::new().set_text_wrap()).expect("merge");
}

fn import(workbook: &mut Workbook) -> Imported {
    let bytes = workbook.save_to_buffer().expect("save");
    import_xlsx(&bytes, &directory(), &ImportOptions::default()).expect("readable workbook")
}

const FOOD_BASIS: &str = "1.《中华人民共和国食品安全法》（2021年修正）第三十五条：国家对食品生产经营实行许可制度。\n从事食品销售，应当依法取得许可。\n2.《食品经营许可和备案管理办法》第十条";
const LICENCE_RESP: &str = "1.受理责任：公示应当提交的材料，一次性告知补正材料，依法受理或不予受理。\n2.审查责任：对申请材料进行审查，\n必要时现场核查。\n3.决定责任：作出准予或不予许可决定。";

/// A township list as 某某镇 publishes it: a title row, a filler line, a two-row header with
/// 职权名称 over 主项/子项 and 追责 over 情形/依据/追责对象范围, merged type and name cells
/// over sub-items, one sheet per duty kind and a notes sheet.
fn township_workbook() -> Workbook {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("基本履职事项").expect("name");
    merge(ws, 0, 0, 0, 11, "某某镇权责清单（基本履职事项）");
    row(ws, 1, &["填报单位：某某镇人民政府"]);
    for (c, text) in [
        (0, "序号"),
        (1, "职权类型"),
        (2, "项目编码"),
        (5, "职权依据"),
        (6, "实施主体"),
        (7, "责任事项"),
        (11, "备注"),
    ] {
        merge(ws, 2, c, 3, c, text);
    }
    merge(ws, 2, 3, 2, 4, "职权名称");
    merge(ws, 2, 8, 2, 10, "追责");
    row(ws, 3, &["", "", "", "主项", "子项", "", "", "", "情形", "依据", "追责对象范围"]);
    // Excel rows 5-6: one licence with two sub-items, type and name merged.
    merge(ws, 4, 1, 5, 1, "行政许可(国办)");
    merge(ws, 4, 3, 5, 3, "食品经营许可");
    let acc = [
        "1.对符合法定条件的申请不予受理的；\n2.不依法说明不予许可理由的。",
        "《中华人民共和国行政许可法》第七十二条",
        "法定代表人、分管负责人",
    ];
    for (r, seq, code, sub, holder) in [
        (4, "1-1", "000117025001", "新办", "某某县市场监督管理局"),
        (5, "1-2", "000117025002", "变更", "某某县 市场监督管理局"),
    ] {
        row(
            ws,
            r,
            &[seq, "", code, "", sub, FOOD_BASIS, holder, LICENCE_RESP, acc[0], acc[1], acc[2]],
        );
    }
    row(
        ws,
        6,
        &[
            "2",
            "行政处罚",
            "1-3",
            "对农村村民未经批准占用土地建住宅的处罚",
            "",
            "《中华人民共和国土地管理法》第七十八条",
            "某某镇人民政府",
            "1.立案责任：发现违法行为及时立案。",
            "1.发现违法行为不予制止的",
            "",
            "具体承办人",
        ],
    );
    row(
        ws,
        7,
        &[
            "3",
            "行政强制措施",
            "",
            "查封违法建设施工工具",
            "",
            "《中华人民共和国城乡规划法》第六十八条",
            "某某县国土局",
            "1.决定责任：依法作出决定。",
            "1.违法实施强制措施的",
        ],
    );
    row(
        ws,
        8,
        &[
            "4",
            "行政指导",
            "",
            "农业技术指导",
            "",
            "《中华人民共和国农业法》第五十条",
            "某某镇人民政府",
        ],
    );
    row(
        ws,
        9,
        &[
            "5",
            "行政确认",
            "0001-1702500",
            "农村土地承包经营权确认",
            "",
            "《中华人民共和国农村土地承包法》第二十四条",
            "某某镇人民政府",
        ],
    );
    row(
        ws,
        10,
        &["6", "行政许可", "", "", "", "《中华人民共和国行政许可法》第十二条", "某某镇人民政府"],
    );
    row(
        ws,
        11,
        &[
            "7",
            "行政许可(国办)",
            "000117025001",
            "食品经营许可",
            "新办",
            FOOD_BASIS,
            "某某县市场监督管理局",
            LICENCE_RESP,
            acc[0],
            acc[1],
            acc[2],
        ],
    );

    let ws = wb.add_worksheet();
    ws.set_name("配合履职事项").expect("name");
    merge(ws, 0, 0, 0, 8, "某某镇权责清单（配合履职事项）");
    row(
        ws,
        1,
        &[
            "序号",
            "事项类型",
            "事项名称",
            "设定依据",
            "实施主体",
            "牵头部门",
            "职责边界",
            "责任事项",
            "追责情形",
        ],
    );
    row(
        ws,
        2,
        &[
            "1",
            "行政监督",
            "道路交通安全隐患排查",
            "《中华人民共和国道路交通安全法》第二十九条",
            "某某镇人民政府",
            "某某县公安局",
            "某某县交通运输局：负责隐患路段治理\n某某县公安局：负责交通秩序维护",
            "1.其他责任：发现隐患及时报告牵头部门。",
            "1.发现隐患不报告的",
        ],
    );
    row(
        ws,
        3,
        &[
            "2",
            "其他类",
            "森林防火巡查",
            "《森林防火条例》第二十条",
            "某某镇人民政府",
            "",
            "",
            "1.其他责任：组织巡查。",
            "1.未组织巡查的",
        ],
    );
    row(
        ws,
        4,
        &[
            "3",
            "其他类",
            "农村饮水安全巡查",
            "《中华人民共和国水法》第二十条",
            "某某镇人民政府",
            "某某县水利局",
            "某某县卫生健康局(中医药局)：负责水质监测",
            "1.其他责任：报告水质问题。",
            "1.未报告的",
        ],
    );

    let ws = wb.add_worksheet();
    ws.set_name("上级部门收回事项").expect("name");
    merge(ws, 0, 0, 0, 5, "某某镇权责清单（上级部门收回事项）");
    row(ws, 1, &["序号", "权力类别", "权力名称", "权力依据", "实施主体", "收回部门"]);
    row(
        ws,
        2,
        &[
            "1",
            "行政许可",
            "危险化学品经营许可",
            "《危险化学品安全管理条例》第三十三条",
            "某某镇人民政府",
            "某某县应急管理局",
        ],
    );

    let ws = wb.add_worksheet();
    ws.set_name("填表说明").expect("name");
    row(ws, 0, &["1.本清单按照“三上三下”程序编制。"]);
    row(ws, 1, &["2.事项编码按照国家标准填写。"]);
    wb
}

#[test]
fn township_workbook_items() {
    let imported = import(&mut township_workbook());
    let names: Vec<(String, u32, String)> = imported
        .items
        .iter()
        .map(|i| (i.sheet.clone(), i.row, i.item.content.display_name()))
        .collect();
    assert_eq!(
        names,
        [
            ("基本履职事项".to_owned(), 5, "食品经营许可（新办）".to_owned()),
            ("基本履职事项".to_owned(), 6, "食品经营许可（变更）".to_owned()),
            ("基本履职事项".to_owned(), 7, "对农村村民未经批准占用土地建住宅的处罚".to_owned()),
            ("基本履职事项".to_owned(), 10, "农村土地承包经营权确认".to_owned()),
            ("基本履职事项".to_owned(), 12, "食品经营许可（新办）".to_owned()),
            ("配合履职事项".to_owned(), 3, "道路交通安全隐患排查".to_owned()),
            ("上级部门收回事项".to_owned(), 3, "危险化学品经营许可".to_owned()),
        ]
    );

    let first = &imported.items[0].item.content;
    assert_eq!(first.category, PowerCategory::Licensing);
    assert_eq!(first.category_label.as_deref(), Some("行政许可(国办)"));
    assert_eq!(first.base_code.as_ref().map(|c| c.as_str()), Some("000117025001"));
    assert_eq!(first.holder, id("某某县市场监督管理局"));
    assert_eq!(first.legal_basis.len(), 2);
    assert_eq!(first.legal_basis[0].law, "中华人民共和国食品安全法");
    assert_eq!(first.legal_basis[0].edition.as_deref(), Some("2021年修正"));
    assert_eq!(first.legal_basis[0].article, Some(35));
    assert_eq!(
        first.legal_basis[0].quote.as_deref(),
        Some("国家对食品生产经营实行许可制度。\n从事食品销售，应当依法取得许可。")
    );
    let stages: Vec<&str> = first.responsibilities.iter().map(|r| r.stage.as_str()).collect();
    assert_eq!(stages, ["受理", "审查", "决定"]);
    assert_eq!(first.responsibilities[1].content, "对申请材料进行审查，\n必要时现场核查。");
    assert_eq!(first.accountability.len(), 2);
    assert_eq!(first.accountability[1].situation, "不依法说明不予许可理由的。");
    assert_eq!(first.accountability[1].basis[0].article, Some(72));
    assert_eq!(first.accountability[1].parties, ["法定代表人", "分管负责人"]);
    // The second sub-item's holder was written with a space: matched after normalisation.
    assert_eq!(imported.items[1].item.content.holder, id("某某县市场监督管理局"));
    assert_eq!(imported.items[2].item.content.local_code.as_deref(), Some("1-3"));

    let coop = &imported.items[5].item;
    assert_eq!(coop.duty, DutyKind::Cooperate { lead: id("某某县公安局") });
    assert_eq!(coop.content.category, PowerCategory::Inspection);
    assert_eq!(coop.content.category_label.as_deref(), Some("行政监督"));
    let partners: Vec<_> =
        coop.content.cooperation.iter().map(|c| (c.unit, c.duty.as_str())).collect();
    assert_eq!(
        partners,
        [(id("某某县交通运输局"), "负责隐患路段治理"), (id("某某县公安局"), "负责交通秩序维护")]
    );
    assert_eq!(
        imported.items[6].item.duty,
        DutyKind::Reclaimed { receiver: id("某某县应急管理局") }
    );
}

#[test]
fn township_workbook_problems() {
    let imported = import(&mut township_workbook());
    assert!(imported.has_errors());
    let sheet = "基本履职事项";
    let p = problem_at(&imported, sheet, 8, "unknown_unit");
    assert_eq!(p.column.as_deref(), Some("实施主体"));
    assert!(p.message_zh.contains("某某县国土局"), "{}", p.message_zh);
    let p = problem_at(&imported, sheet, 9, "unknown_category");
    assert_eq!(p.column.as_deref(), Some("职权类型"));
    assert!(p.message_zh.contains("行政指导"));
    let p = problem_at(&imported, sheet, 10, "invalid_code");
    assert_eq!((p.column.as_deref(), p.severity), (Some("项目编码"), Severity::Error));
    assert!(p.message_zh.contains("基本编码"), "{}", p.message_zh);
    assert_eq!(problem_at(&imported, sheet, 11, "missing_name").column.as_deref(), Some("主项"));
    let p = problem_at(&imported, sheet, 12, "duplicate_item");
    assert_eq!(p.severity, Severity::Error);
    assert!(p.message_zh.contains("第5行"), "{}", p.message_zh);
    assert_eq!(
        located(&imported, "duplicate_code"),
        [(sheet.to_owned(), Some(12), Some("项目编码".to_owned()))]
    );
    // The category variant 行政强制措施 parsed; only the holder was wrong on that row.
    assert!(imported.problems.iter().all(|p| !(p.row == Some(8) && p.code == "unknown_category")));

    let sheet = "配合履职事项";
    let p = problem_at(&imported, sheet, 4, "missing_counterpart");
    assert_eq!(p.column.as_deref(), Some("牵头部门"));
    let p = problem_at(&imported, sheet, 5, "unknown_unit");
    assert_eq!(p.column.as_deref(), Some("牵头部门"));
    assert!(p.message_zh.contains("某某县水利局"));

    let notes: Vec<_> = imported.problems.iter().filter(|p| p.sheet == "填表说明").collect();
    assert_eq!(notes.len(), 1);
    assert_eq!(
        (notes[0].code.as_str(), notes[0].severity, notes[0].row),
        ("no_header", Severity::Warning, None)
    );
    // Warnings from ItemContent::issues keep their place: row 10 has no responsibilities.
    assert_eq!(
        problem_at(&imported, "基本履职事项", 10, "no_responsibility").column.as_deref(),
        Some("责任事项")
    );
}

/// A department list as a county site publishes it: header on row 1, no merge information
/// (blank type and name under the main item mean "same as above"), codes of every kind,
/// service columns and a column this system does not store.
fn department_workbook() -> Workbook {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("Sheet1").expect("name");
    row(
        ws,
        0,
        &[
            "序号",
            "权力类型",
            "事项编码",
            "权力名称",
            "子项名称",
            "设定依据",
            "实施主体",
            "承办机构",
            "配合部门",
            "责任事项",
            "责任事项依据",
            "追责情形",
            "追责依据",
            "追责对象范围",
            "法定办结时限",
            "承诺办结时限",
            "收费标准",
            "到办事现场次数",
            "廉政风险点",
            "备注",
        ],
    );
    let resp = "1.受理责任：依法受理。\n2.审查责任：审查材料。";
    let resp_basis = "1.受理责任：《中华人民共和国行政许可法》第三十二条\n2.审查责任：《中华人民共和国行政许可法》第三十四条";
    row(
        ws,
        1,
        &[
            "1",
            "行政许可",
            "000117025001",
            "食品经营许可",
            "新办",
            "《中华人民共和国食品安全法》第三十五条",
            "某某县市场监督管理局",
            "行政审批股",
            "某某县公安局：负责协助调查",
            resp,
            resp_basis,
            "1.不予受理的",
            "《中华人民共和国行政许可法》第七十二条",
            "具体承办人",
            "20个工作日",
            "5个工作日",
            "不收费",
            "0",
            "审批不及时",
            "",
        ],
    );
    row(
        ws,
        2,
        &[
            "",
            "",
            "000117025002",
            "",
            "变更",
            "《中华人民共和国食品安全法》第三十五条",
            "某某县市场监督管理局",
            "行政审批股",
            "",
            resp,
            resp_basis,
            "1.不予受理的",
            "",
            "",
            "二十天左右",
            "",
            "",
            "1次",
            "",
            "",
        ],
    );
    row(
        ws,
        3,
        &[
            "2",
            "行政处罚",
            "11321281014422781F5000117025003",
            "对无证经营的处罚",
            "",
            "《中华人民共和国食品安全法》第一百二十二条",
            "某某县市场监督管理局",
            "执法大队",
            "某某县水务局：负责水源地巡查",
            "1.立案责任：依法立案。",
            "",
            "1.不立案的",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "备注文字",
        ],
    );
    ws.write_number(4, 2, 117025004.0).expect("number");
    row(
        ws,
        4,
        &[
            "3",
            "行政检查",
            "",
            "食品安全监督检查",
            "",
            "《中华人民共和国食品安全法》第一百一十条",
            "某某县市场监督管理局",
            "",
            "",
            "1.检查责任：按计划检查。",
            "",
            "1.未检查的",
        ],
    );
    wb
}

#[test]
fn department_workbook_without_merges() {
    let imported = import(&mut department_workbook());
    let items: Vec<_> = imported.items.iter().map(|i| &i.item.content).collect();
    assert_eq!(items.len(), 4);
    // Row 3 had blank type and name: same as above.
    assert_eq!(items[1].display_name(), "食品经营许可（变更）");
    assert_eq!(items[1].category, PowerCategory::Licensing);
    assert_eq!(items[0].handling_office.as_deref(), Some("行政审批股"));
    assert_eq!(items[0].responsibilities[0].basis[0].article, Some(32));
    assert_eq!(items[0].responsibilities[1].basis[0].article, Some(34));
    let service = items[0].service.as_ref().expect("service columns");
    assert_eq!(service.statutory_limit.map(|l| l.to_string()).as_deref(), Some("20个工作日"));
    assert_eq!((service.fee.as_deref(), service.trips), (None, Some(0)));
    assert_eq!(items[1].service.as_ref().and_then(|s| s.trips), Some(1));
    assert_eq!(
        items[2].impl_code.as_ref().map(|c| c.as_str()),
        Some("11321281014422781F5000117025003")
    );
    assert_eq!(items[2].base_code, None);
    assert_eq!(items[3].local_code.as_deref(), Some("117025004"));

    let sheet = "Sheet1";
    let p = problem_at(&imported, sheet, 3, "invalid_value");
    assert_eq!(p.column.as_deref(), Some("法定办结时限"));
    assert!(p.message_zh.contains("二十天左右"));
    let p = problem_at(&imported, sheet, 4, "unknown_unit");
    assert_eq!(p.column.as_deref(), Some("配合部门"));
    assert!(p.message_zh.contains("某某县水务局"));
    let p = problem_at(&imported, sheet, 5, "code_stored_as_number");
    assert_eq!((p.column.as_deref(), p.severity), (Some("事项编码"), Severity::Warning));
    let p = problem_at(&imported, sheet, 1, "ignored_column");
    assert_eq!(p.column.as_deref(), Some("廉政风险点"));
}

/// A list without a 子项 column or a type column: section rows (一、行政许可) give the type,
/// 1-1 numbering marks sub-items under a heading row, a footnote closes the sheet.
#[test]
fn sections_and_numbered_sub_items() {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    merge(ws, 0, 0, 0, 5, "某某县农业农村局权责清单");
    row(ws, 1, &["序号", "权力名称", "设定依据", "实施主体", "责任事项", "追责情形"]);
    merge(ws, 2, 0, 2, 5, "一、行政许可（共1项）");
    row(ws, 3, &["1", "农药经营许可"]);
    row(
        ws,
        4,
        &[
            "1-1",
            "限制使用农药经营许可",
            "《农药管理条例》第二十四条",
            "某某县农业农村局",
            "1.受理责任：受理。",
            "1.不予受理的",
        ],
    );
    row(
        ws,
        5,
        &[
            "1-2",
            "其他农药经营许可",
            "《农药管理条例》第二十四条",
            "某某县农业农村局",
            "1.受理责任：受理。",
            "1.不予受理的",
        ],
    );
    merge(ws, 6, 0, 6, 5, "二、行政处罚");
    row(
        ws,
        7,
        &[
            "2",
            "对经营假农药的处罚",
            "《农药管理条例》第五十五条",
            "某某县农业农村局",
            "1.立案责任：立案。",
            "1.不立案的",
        ],
    );
    merge(ws, 8, 0, 8, 5, "注：本清单自公布之日起施行。");
    let imported = import(&mut wb);
    let got: Vec<_> = imported
        .items
        .iter()
        .map(|i| (i.row, i.item.content.display_name(), i.item.content.category))
        .collect();
    assert_eq!(
        got,
        [
            (5, "农药经营许可（限制使用农药经营许可）".to_owned(), PowerCategory::Licensing),
            (6, "农药经营许可（其他农药经营许可）".to_owned(), PowerCategory::Licensing),
            (8, "对经营假农药的处罚".to_owned(), PowerCategory::Penalty),
        ]
    );
    assert_eq!(located(&imported, "skipped_row"), [("Sheet1".to_owned(), Some(9), None)]);
    assert!(!imported.has_errors(), "{:#?}", imported.problems);
}
