//! import(export(list)) == list, for a hand-written list and for generated ones.

use proptest::prelude::*;
use quanze_core::item::SessionDays;
use quanze_core::{
    Accountability, BaseCode, Cooperation, DutyKind, ExerciseLevel, ImplCode, ItemContent,
    LegalRef, LimitUnit, Material, PowerCategory, PowerSource, Responsibility, ServiceInfo,
    TimeLimit,
};
use quanze_exchange::{
    ExchangeItem, ExportOptions, ImportOptions, SheetSplit, export_csv, export_json, export_xlsx,
    import_csv, import_json, import_xlsx,
};

use crate::helpers::{UNITS, directory, id, sample_list, sorted};

/// Findings about generated contents (no legal basis …), not about the file.
const ITEM_FINDINGS: [&str; 6] = [
    "no_legal_basis",
    "no_responsibility",
    "no_accountability",
    "impl_code_mismatch",
    "impl_code_credit_check",
    "impl_code_holder",
];

fn xlsx_round_trip(items: &[ExchangeItem], split: SheetSplit) -> Vec<ExchangeItem> {
    let units = directory();
    let options =
        ExportOptions { title: "某某县权责清单".to_owned(), split, progress: None };
    let bytes = export_xlsx(items, &units, &options).expect("export");
    let imported = import_xlsx(&bytes, &units, &ImportOptions::default()).expect("import");
    let unexpected: Vec<_> = imported
        .problems
        .iter()
        .filter(|p| !ITEM_FINDINGS.contains(&p.code.as_str()) && !p.code.starts_with("duplicate"))
        .collect();
    assert!(unexpected.is_empty(), "{unexpected:#?}");
    imported.into_items()
}

#[test]
fn sample_list_survives_every_split() {
    let list = sample_list();
    assert_eq!(xlsx_round_trip(&list, SheetSplit::Single), list);
    for split in [SheetSplit::ByCategory, SheetSplit::ByHolder, SheetSplit::ByDutyKind] {
        assert_eq!(sorted(xlsx_round_trip(&list, split)), sorted(list.clone()), "{split:?}");
    }
}

#[test]
fn sample_list_survives_csv_and_json() {
    let units = directory();
    let list = sample_list();
    let csv = export_csv(&list, &units).expect("csv");
    assert!(csv.starts_with(b"\xEF\xBB\xBF"), "Excel needs the BOM to read UTF-8");
    let imported = import_csv(&csv, &units, &ImportOptions::default()).expect("import csv");
    assert!(imported.problems.is_empty(), "{:#?}", imported.problems);
    assert_eq!(imported.into_items(), list);

    let json = export_json(&list).expect("json");
    let imported = import_json(&json, &units, &ImportOptions::default()).expect("import json");
    assert!(imported.problems.is_empty(), "{:#?}", imported.problems);
    assert_eq!(imported.into_items(), list);
}

#[test]
fn township_export_has_one_sheet_per_duty_kind() {
    let units = directory();
    let options = ExportOptions {
        title: "某某镇权责清单".to_owned(),
        split: SheetSplit::ByDutyKind,
        progress: None,
    };
    let bytes = export_xlsx(&sample_list(), &units, &options).expect("export");
    let imported = import_xlsx(&bytes, &units, &ImportOptions::default()).expect("import");
    let sheets: Vec<&str> = imported.items.iter().map(|i| i.sheet.as_str()).collect();
    assert_eq!(sheets.iter().filter(|s| **s == "配合履职事项").count(), 1);
    assert_eq!(sheets.iter().filter(|s| **s == "上级部门收回事项").count(), 1);
    // Title in row 1, header in row 2, first item in row 3.
    assert_eq!(imported.items[0].row, 3);
}

// ---- generated lists ----

/// Short Chinese text without line breaks, colons, brackets or list numbering: the characters
/// that the cell formats use as structure.
fn plain() -> impl Strategy<Value = String> {
    "[\u{4e00}-\u{4e50}\u{5b89}-\u{5b99}]{1,10}"
}

fn sessions() -> impl Strategy<Value = SessionDays> {
    prop_oneof![
        proptest::collection::vec(1u8..=7, 1..4).prop_map(|d| SessionDays::weekly(&d).unwrap()),
        proptest::collection::vec(1u8..=31, 1..4).prop_map(|d| SessionDays::monthly(&d).unwrap()),
    ]
}

fn legal_ref() -> impl Strategy<Value = LegalRef> {
    (
        plain(),
        proptest::option::of(plain()),
        proptest::option::of(1u32..300),
        proptest::option::of(1u32..6),
        proptest::option::of(1u32..12),
        proptest::option::of(plain()),
    )
        .prop_map(|(law, edition, article, paragraph, point, quote)| LegalRef {
            law,
            edition,
            article,
            paragraph,
            point,
            quote,
        })
}

fn refs() -> impl Strategy<Value = Vec<LegalRef>> {
    proptest::collection::vec(legal_ref(), 0..3)
}

fn category() -> impl Strategy<Value = (PowerCategory, Option<String>)> {
    let variants = |c: PowerCategory| -> Vec<&'static str> {
        match c {
            PowerCategory::Licensing => vec!["行政许可(国办)", "许可"],
            PowerCategory::Penalty => vec!["行政处罚类"],
            PowerCategory::Inspection => vec!["行政监督", "监督检查"],
            PowerCategory::Other => vec!["其他类", "其他职权"],
            _ => vec![],
        }
    };
    (proptest::sample::select(PowerCategory::ALL.to_vec()), any::<prop::sample::Index>()).prop_map(
        move |(c, idx)| {
            let labels = variants(c);
            let label = if labels.is_empty() || idx.index(3) == 0 {
                None
            } else {
                Some(labels[idx.index(labels.len())].to_owned())
            };
            (c, label)
        },
    )
}

fn unit() -> impl Strategy<Value = quanze_core::UnitId> {
    proptest::sample::select(UNITS.iter().map(|(n, _)| *n).collect::<Vec<_>>()).prop_map(id)
}

fn service() -> impl Strategy<Value = ServiceInfo> {
    let limit = (
        1u32..60,
        proptest::sample::select(vec![
            LimitUnit::WorkingDays,
            LimitUnit::CalendarDays,
            LimitUnit::Months,
        ]),
    )
        .prop_map(|(amount, unit)| TimeLimit { amount, unit });
    let material = (
        plain(),
        proptest::option::of(proptest::sample::select(vec!["纸质", "电子"])),
        proptest::option::of(1u32..5),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(name, form, copies, required, shared)| Material {
            name,
            form: form.map(str::to_owned),
            copies,
            required,
            shared,
        });
    (
        proptest::option::of(plain()),
        proptest::collection::vec(material, 0..3),
        proptest::option::of(limit.clone()),
        proptest::option::of(limit),
        proptest::option::of(plain()),
        proptest::collection::vec(plain(), 0..3),
        (
            proptest::option::of(plain()),
            proptest::option::of(plain()),
            proptest::option::of(any::<u8>()),
            proptest::option::of(sessions()),
        ),
    )
        .prop_map(
            |(
                conditions,
                materials,
                statutory_limit,
                committed_limit,
                fee,
                channels,
                (place, phone, trips, sessions),
            )| ServiceInfo {
                conditions,
                materials,
                statutory_limit,
                committed_limit,
                fee,
                channels,
                place,
                phone,
                trips,
                sessions,
            },
        )
}

fn item() -> impl Strategy<Value = ExchangeItem> {
    let stage = proptest::sample::select(vec![
        "受理",
        "审查",
        "决定",
        "送达",
        "事后监管",
        "其他",
        "立案",
        "调查取证",
    ]);
    let responsibility = (stage, plain(), refs()).prop_map(|(stage, content, basis)| {
        Responsibility { stage: stage.to_owned(), content, basis }
    });
    let accountability = (plain(), refs(), proptest::collection::vec(plain(), 0..3))
        .prop_map(|(situation, basis, parties)| Accountability { situation, basis, parties });
    let codes = (
        proptest::option::of("[0-9A-Z]{12}"),
        proptest::option::of("[0-9A-HJ-NP-RTUWXY]{18}[0-9][0-9A-Z]{12}"),
        proptest::option::of("[0-9]{1,3}-[0-9]{1,2}"),
    );
    let duty = prop_oneof![
        Just(DutyKind::Own),
        unit().prop_map(|lead| DutyKind::Cooperate { lead }),
        unit().prop_map(|receiver| DutyKind::Reclaimed { receiver }),
    ];
    (
        (plain(), proptest::option::of(plain()), category(), codes, refs(), unit()),
        (
            proptest::option::of(plain()),
            proptest::collection::vec((unit(), proptest::option::of(plain())), 0..3),
            proptest::sample::select(PowerSource::ALL.to_vec()),
            proptest::sample::select(ExerciseLevel::ALL.to_vec()),
        ),
        proptest::collection::vec(responsibility, 0..4),
        proptest::collection::vec(accountability, 0..3),
        proptest::option::of(service()),
        proptest::option::of(plain()),
        duty,
    )
        .prop_map(
            |(
                (
                    name,
                    sub_item,
                    (category, category_label),
                    (base, imp, local),
                    legal_basis,
                    holder,
                ),
                (handling_office, coop, source, level),
                responsibilities,
                accountability,
                service,
                remarks,
                duty,
            )| {
                let content = ItemContent {
                    name,
                    sub_item,
                    category,
                    category_label,
                    base_code: base.map(|b| BaseCode::parse(&b).expect("generated valid")),
                    impl_code: imp.map(|i| ImplCode::parse(&i).expect("generated valid")),
                    local_code: local,
                    legal_basis,
                    holder,
                    handling_office,
                    cooperation: coop
                        .into_iter()
                        .map(|(unit, duty)| Cooperation { unit, duty: duty.unwrap_or_default() })
                        .collect(),
                    source,
                    grant: None,
                    level,
                    responsibilities,
                    accountability,
                    service,
                    remarks,
                };
                ExchangeItem { duty, content, variant: None, guide: None }
            },
        )
}

/// Lists where runs of sub-items of one main item occur, as they do in real lists.
fn list() -> impl Strategy<Value = Vec<ExchangeItem>> {
    proptest::collection::vec((item(), 0usize..3), 0..12).prop_map(|groups| {
        let mut out = Vec::new();
        for (head, extra) in groups {
            let is_group = head.content.sub_item.is_some();
            out.push(head.clone());
            if is_group {
                for k in 0..extra {
                    let mut sub = head.clone();
                    sub.content.sub_item =
                        Some(format!("{}之{k}", head.content.sub_item.clone().unwrap_or_default()));
                    out.push(sub);
                }
            }
        }
        out
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn generated_lists_round_trip(list in list()) {
        prop_assert_eq!(xlsx_round_trip(&list, SheetSplit::Single), list.clone());
        prop_assert_eq!(sorted(xlsx_round_trip(&list, SheetSplit::ByDutyKind)), sorted(list.clone()));
        let units = directory();
        let csv = export_csv(&list, &units).expect("csv");
        let back = import_csv(&csv, &units, &ImportOptions::default());
        // An empty list has only a header row.
        if let Ok(back) = back {
            prop_assert_eq!(back.into_items(), list);
        }
    }
}

#[test]
fn template_differences_round_trip_on_their_own_sheet() {
    use quanze_core::Tag;
    use quanze_exchange::{Variant, VariantChange, VariantScope};
    let units = directory();
    let mut list = sample_list();
    let town_items: Vec<ExchangeItem> =
        list.iter().filter(|i| i.content.holder == id("某某镇人民政府")).cloned().collect();
    // A flood-storage town holds one more item; the town does not hold another.
    let mut extra = town_items[0].clone();
    extra.content.name = "蓄滞洪区内建设项目审查".to_owned();
    extra.variant = Some(Variant {
        scope: VariantScope::Tag { tag: Tag::parse("蓄滞洪区").unwrap() },
        change: VariantChange::Add,
        reason: "蓄滞洪区运用补偿暂行办法".to_owned(),
    });
    let mut dropped = town_items[1].clone();
    dropped.variant = Some(Variant {
        scope: VariantScope::Town { unit: id("某某镇人民政府") },
        change: VariantChange::Remove,
        reason: String::new(),
    });
    list.push(extra);
    list.push(dropped);
    let options = ExportOptions {
        title: "某某县乡镇权责清单模板".to_owned(),
        split: SheetSplit::ByDutyKind,
        progress: None,
    };
    let bytes = export_xlsx(&list, &units, &options).expect("export");
    let imported = import_xlsx(&bytes, &units, &ImportOptions::default()).expect("import");
    let unexpected: Vec<_> =
        imported.problems.iter().filter(|p| !ITEM_FINDINGS.contains(&p.code.as_str())).collect();
    assert!(unexpected.is_empty(), "{unexpected:#?}");
    let on_sheet: Vec<&str> = imported
        .items
        .iter()
        .filter(|i| i.item.variant.is_some())
        .map(|i| i.sheet.as_str())
        .collect();
    assert_eq!(on_sheet, ["差异声明", "差异声明"]);
    assert_eq!(sorted(imported.into_items()), sorted(list.clone()));

    // The same through JSON.
    let json = export_json(&list).expect("json");
    let imported = import_json(&json, &units, &ImportOptions::default()).expect("import json");
    assert_eq!(imported.into_items(), list);
}

/// A town's list names the town as 实施主体 of its 基本履职 and the department that guides it
/// in a 业务指导部门 column of its own, which reads back (xlsx, csv and json); the other sheets
/// keep the department as 实施主体 and have no such column.
#[test]
fn a_towns_list_round_trips_with_its_guiding_departments() {
    use calamine::{Data, Reader, Xlsx};
    let units = directory();
    let town = id("某某镇人民政府");
    let list: Vec<ExchangeItem> = sample_list()
        .into_iter()
        .map(|mut i| {
            if i.duty == DutyKind::Own && i.content.holder != town {
                i.guide = Some(i.content.holder);
                i.content.holder = town;
            }
            i
        })
        .collect();
    assert!(list.iter().filter(|i| i.guide.is_some()).count() >= 3, "the sample has departments");
    let options = ExportOptions {
        title: "某某镇权责清单".to_owned(),
        split: SheetSplit::ByDutyKind,
        progress: None,
    };
    let bytes = export_xlsx(&list, &units, &options).expect("export");
    // The header as a reader of the workbook sees it: 业务指导部门 right after 实施主体 (every
    // sheet has the workbook's columns), filled on the 基本履职 sheet only.
    let mut book: Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.clone())).unwrap();
    for (sheet, guided) in [("基本履职事项", true), ("配合履职事项", false)] {
        let range = book.worksheet_range(sheet).unwrap();
        let header: Vec<String> =
            range.rows().nth(1).unwrap().iter().map(Data::to_string).collect();
        let holder = header.iter().position(|h| h == "实施主体").expect("实施主体");
        assert_eq!(header[holder + 1], "业务指导部门", "{sheet}: {header:?}");
        let first = range.rows().nth(2).unwrap();
        let (holder_name, guide_name) = (first[holder].to_string(), first[holder + 1].to_string());
        if guided {
            assert_eq!(holder_name, "某某镇人民政府");
            assert!(guide_name.starts_with("某某县"), "{first:?}");
        } else {
            assert!(guide_name.is_empty(), "{first:?}");
        }
    }
    let imported = import_xlsx(&bytes, &units, &ImportOptions::default()).expect("import");
    let unexpected: Vec<_> =
        imported.problems.iter().filter(|p| !ITEM_FINDINGS.contains(&p.code.as_str())).collect();
    assert!(unexpected.is_empty(), "{unexpected:#?}");
    assert_eq!(sorted(imported.into_items()), sorted(list.clone()));

    let csv = export_csv(&list, &units).expect("csv");
    let imported = import_csv(&csv, &units, &ImportOptions::default()).expect("import csv");
    assert!(imported.problems.is_empty(), "{:#?}", imported.problems);
    assert_eq!(imported.into_items(), list);
    let json = export_json(&list).expect("json");
    let imported = import_json(&json, &units, &ImportOptions::default()).expect("import json");
    assert_eq!(imported.into_items(), list);

    // A 业务指导部门 not in the directory is an error at its cell.
    let mut csv = String::from_utf8(csv).unwrap();
    csv = csv.replacen("某某县市场监督管理局", "某某县不存在局", 1);
    let imported =
        import_csv(csv.as_bytes(), &units, &ImportOptions::default()).expect("import csv");
    let at: Vec<_> =
        imported.problems.iter().map(|p| (p.code.as_str(), p.column.as_deref())).collect();
    assert!(at.contains(&("unknown_unit", Some("业务指导部门"))), "{at:?}");
}

#[test]
fn a_bad_difference_is_an_error_at_its_cell() {
    use rust_xlsxwriter::Workbook;
    let units = directory();
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("差异声明").unwrap();
    let header = ["序号", "适用范围", "差异", "事项类型", "事项名称", "实施主体", "设定依据"];
    for (c, h) in header.iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    let rows = [
        [
            "1",
            "乡镇：不存在镇",
            "增加",
            "行政许可",
            "某项许可",
            "某某镇人民政府",
            "《中华人民共和国行政许可法》第十二条",
        ],
        [
            "2",
            "标签：蓄滞洪区",
            "调整",
            "行政许可",
            "另一项许可",
            "某某镇人民政府",
            "《中华人民共和国行政许可法》第十二条",
        ],
        [
            "3",
            "标签：蓄滞洪区",
            "增加",
            "行政许可",
            "第三项许可",
            "某某镇人民政府",
            "《中华人民共和国行政许可法》第十二条",
        ],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            sheet.write_string(r as u32 + 1, c as u16, *v).unwrap();
        }
    }
    let bytes = workbook.save_to_buffer().unwrap();
    let imported = import_xlsx(&bytes, &units, &ImportOptions::default()).expect("import");
    let bad: Vec<_> = imported
        .problems
        .iter()
        .filter(|p| p.code == "invalid_variant")
        .map(|p| (p.row, p.column.clone(), p.message_zh.clone()))
        .collect();
    assert_eq!(bad.len(), 2, "{bad:#?}");
    assert_eq!((bad[0].0, bad[0].1.as_deref()), (Some(2), Some("适用范围")));
    assert!(bad[0].2.contains("不存在镇"), "{}", bad[0].2);
    assert_eq!((bad[1].0, bad[1].1.as_deref()), (Some(3), Some("差异")));
    assert!(imported.has_errors());
    // The good row is read with its difference.
    assert_eq!(imported.items.len(), 1);
    assert!(imported.items[0].item.variant.is_some());
}
