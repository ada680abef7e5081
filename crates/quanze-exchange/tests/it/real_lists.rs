//! Reading real lists (issue 14, item 12): every problem of a row is reported at its cell, a
//! 基本编码 cell holding a local code is an error there, citations of several articles are
//! several references, the lead-in of an accountability list is not a situation, and a
//! responsibility written `N.XX责任。` has its stage.

use quanze_core::Severity;
use quanze_exchange::{ImportOptions, Imported, import_xlsx};
use rust_xlsxwriter::{Format, Workbook};

use crate::helpers::{directory, id, problem_at};

const HEADER: [&str; 12] = [
    "序号",
    "事项名称",
    "事项类型",
    "基本编码",
    "地方编码",
    "设定依据",
    "实施主体",
    "责任事项",
    "追责情形",
    "权力来源",
    "行使层级",
    "法定办结时限",
];

fn workbook(rows: &[[&str; 12]]) -> Imported {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("权责清单").expect("name");
    let wrap = Format::new().set_text_wrap();
    for (r, cells) in std::iter::once(&HEADER).chain(rows).enumerate() {
        for (c, text) in cells.iter().enumerate() {
            if !text.is_empty() {
                ws.write_string_with_format(r as u32, c as u16, *text, &wrap).expect("write");
            }
        }
    }
    let bytes = wb.save_to_buffer().expect("save");
    import_xlsx(&bytes, &directory(), &ImportOptions::default()).expect("readable workbook")
}

const ACCOUNTABILITY: &str = "因不履行或不正确履行行政职责，有下列情形的，行政机关及相关工作人员应承担相应责任：\n\
     1.对符合法定条件的行政许可申请不予受理的；\n\
     2.不在办公场所公示依法应当公示的材料的；\n\
     3.申请人提交的申请材料不齐全、不符合法定形式，不一次告知申请人必须补正的全部内容的。";

const RESPONSIBILITIES: &str = "1.受理责任。公示应当提交的材料，一次性告知补正材料，依法受理或不予受理。\n\
     2.审查责任。对申请材料进行审查，必要时现场核查。\n\
     3.决定责任。作出准予或不予许可决定。\n\
     4.送达责任。准予许可的，制发许可证件。\n\
     5.事后监管责任。开展定期和不定期检查。";

#[test]
fn a_real_licence_row_reads_as_published() {
    let imported = workbook(&[[
        "1",
        "食品经营许可",
        "行政许可",
        "000117025000",
        "420100-XK-0001",
        "《中华人民共和国行政许可法》第三十条、第三十二条\n《中华人民共和国食品安全法》（2021年修正）第三十五条至第三十七条：国家对食品生产经营实行许可制度。",
        "某某县市场监督管理局",
        RESPONSIBILITIES,
        ACCOUNTABILITY,
        "法定本级行使",
        "县级",
        "20个工作日",
    ]]);
    let errors: Vec<_> = imported.problems.iter().filter(|p| p.is_error()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let item = &imported.items[0].item.content;
    let cited: Vec<_> =
        item.legal_basis.iter().map(|r| (r.law.as_str(), r.article)).collect::<Vec<_>>();
    assert_eq!(
        cited,
        [
            ("中华人民共和国行政许可法", Some(30)),
            ("中华人民共和国行政许可法", Some(32)),
            ("中华人民共和国食品安全法", Some(35)),
            ("中华人民共和国食品安全法", Some(36)),
            ("中华人民共和国食品安全法", Some(37)),
        ]
    );
    assert!(item.legal_basis[..4].iter().all(|r| r.quote.is_none()));
    assert_eq!(item.legal_basis[4].quote.as_deref(), Some("国家对食品生产经营实行许可制度。"));
    assert_eq!(item.legal_basis[4].edition.as_deref(), Some("2021年修正"));

    let stages: Vec<_> = item.responsibilities.iter().map(|r| r.stage.as_str()).collect();
    assert_eq!(stages, ["受理", "审查", "决定", "送达", "事后监管"]);
    assert_eq!(item.responsibilities[3].content, "准予许可的，制发许可证件。");

    let situations: Vec<_> = item.accountability.iter().map(|a| a.situation.as_str()).collect();
    assert_eq!(situations.len(), 3, "the lead-in is not a situation: {situations:#?}");
    assert_eq!(situations[0], "对符合法定条件的行政许可申请不予受理的；");
    assert_eq!(item.base_code.as_ref().map(|c| c.as_str()), Some("000117025000"));
    assert_eq!(item.local_code.as_deref(), Some("420100-XK-0001"));
    assert_eq!(item.holder, id("某某县市场监督管理局"));
}

/// One row wrong in five cells: a 湖北 16-digit local code in the 基本编码 column, an unknown
/// holder, an unknown 权力来源, an unknown 行使层级 and an unreadable time limit. Every one is
/// reported, each with its row and its column, in Chinese; the row yields no item. A second
/// row, wrong in its name and its category, reports both.
#[test]
fn every_problem_of_a_row_is_reported_at_its_cell() {
    let imported = workbook(&[
        [
            "1",
            "食品经营许可",
            "行政许可",
            "4201000000011001",
            "",
            "《中华人民共和国食品安全法》第三十五条",
            "某某县食品局",
            RESPONSIBILITIES,
            ACCOUNTABILITY,
            "上级赋予",
            "村级",
            "尽快",
        ],
        ["2", "", "行政指导", "", "", "", "某某县市场监督管理局", "", "", "", "", ""],
    ]);
    assert!(imported.has_errors());
    assert!(imported.items.is_empty(), "rows with errors yield no item: {:?}", imported.items);
    let sheet = "权责清单";
    let at = |row: u32| -> Vec<(&str, Option<&str>, Severity)> {
        let mut found: Vec<_> = imported
            .problems
            .iter()
            .filter(|p| p.sheet == sheet && p.row == Some(row))
            .map(|p| (p.code.as_str(), p.column.as_deref(), p.severity))
            .collect();
        found.sort();
        found
    };
    assert_eq!(
        at(2),
        [
            ("invalid_code", Some("基本编码"), Severity::Error),
            ("invalid_value", Some("权力来源"), Severity::Error),
            ("invalid_value", Some("法定办结时限"), Severity::Error),
            ("invalid_value", Some("行使层级"), Severity::Error),
            ("unknown_unit", Some("实施主体"), Severity::Error),
        ],
        "{:#?}",
        imported.problems
    );
    let code = problem_at(&imported, sheet, 2, "invalid_code");
    assert!(code.message_zh.starts_with("基本编码应为12位"), "{}", code.message_zh);
    assert!(code.message_zh.contains("地方编码请填写在“地方编码”列"), "{}", code.message_zh);
    assert!(problem_at(&imported, sheet, 2, "unknown_unit").message_zh.contains("某某县食品局"));
    let row3 = at(3);
    assert!(row3.contains(&("missing_name", Some("事项名称"), Severity::Error)), "{row3:#?}");
    assert!(row3.contains(&("unknown_category", Some("事项类型"), Severity::Error)), "{row3:#?}");
    // The empty name is reported once, not again by the content's own check.
    assert!(!row3.iter().any(|(code, ..)| *code == "empty_name"), "{row3:#?}");
    for p in imported.problems.iter().filter(|p| p.is_error()) {
        assert!(p.message_zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "{p:?}");
    }
}

/// 基本编码 cells in the national form pass; anything else is an error at the cell, never a
/// national code read from a local one.
#[test]
fn a_base_code_cell_holds_the_national_form_only() {
    let row = |code: &'static str| -> [&'static str; 12] {
        [
            "1",
            "食品经营许可",
            "行政许可",
            code,
            "",
            "《中华人民共和国食品安全法》第三十五条",
            "某某县市场监督管理局",
            RESPONSIBILITIES,
            ACCOUNTABILITY,
            "",
            "",
            "",
        ]
    };
    for (code, ok) in [
        ("000117025000", true),
        ("00011702500Z", true),
        ("4201000000011001", false), // 湖北 16 digits
        ("GZ10000001", false),       // 贵州 10 characters
        ("00011702500-", false),
        ("1-1", false),
    ] {
        let imported = workbook(&[row(code)]);
        let bad: Vec<_> = imported.problems.iter().filter(|p| p.code == "invalid_code").collect();
        if ok {
            assert!(bad.is_empty(), "{code}: {bad:#?}");
        } else {
            assert_eq!(bad.len(), 1, "{code}: {:#?}", imported.problems);
            assert_eq!((bad[0].row, bad[0].column.as_deref()), (Some(2), Some("基本编码")));
            assert_eq!(bad[0].severity, Severity::Error);
            assert!(imported.items.iter().all(|i| i.item.content.base_code.is_none()));
        }
    }
}
