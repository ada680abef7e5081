//! One item through the item form: its cells read back as the same item, and a wrong cell is
//! named by its column.

use quanze_core::DutyKind;
use quanze_exchange::{
    Column, ExchangeItem, FORM_SHEET, ImportOptions, form_cells, form_columns, import_form,
};

use crate::helpers::{directory, id, sample_list};

fn township(item: &ExchangeItem) -> bool {
    item.duty != DutyKind::Own
}

#[test]
fn every_sample_item_reads_back_from_its_form() {
    let units = directory();
    for mut item in sample_list() {
        // The form has no 业务指导部门 field: a town list's guide is kept by the caller.
        item.guide = None;
        item.variant = None;
        let cells = form_cells(&item, &form_columns(township(&item)), &units).expect("cells");
        let read = import_form(&cells, &units, &ImportOptions::default());
        assert!(!read.has_errors(), "{}: {:#?}", item.content.name, read.problems);
        let items = read.into_items();
        assert_eq!(items, vec![item.clone()], "{}", item.content.name);
    }
}

#[test]
fn a_wrong_cell_is_named_by_its_column_and_yields_no_item() {
    let units = directory();
    let item = sample_list().into_iter().find(|i| i.content.service.is_some()).expect("service");
    let mut cells = form_cells(&item, &form_columns(false), &units).expect("cells");
    for (col, text) in &mut cells {
        match col {
            Column::Holder => *text = "某某县不存在局".to_owned(),
            Column::StatutoryLimit => *text = "很快".to_owned(),
            _ => {}
        }
    }
    let read = import_form(&cells, &units, &ImportOptions::default());
    assert!(read.items.is_empty(), "an unknown holder yields no item");
    let at = |header: &str| {
        read.problems
            .iter()
            .find(|p| p.column.as_deref() == Some(header) && p.is_error())
            .unwrap_or_else(|| panic!("no error at {header}: {:#?}", read.problems))
    };
    let holder = at("实施主体");
    assert_eq!((holder.sheet.as_str(), holder.row), (FORM_SHEET, Some(1)));
    assert!(holder.message_zh.contains("某某县不存在局"), "{}", holder.message_zh);
    at("法定办结时限");
}

#[test]
fn an_empty_holder_takes_the_lists_unit() {
    let units = directory();
    let holder = id("某某县交通运输局");
    let cells = vec![
        (Column::Category, "行政许可".to_owned()),
        (Column::Name, "公路超限运输许可".to_owned()),
        (Column::Holder, String::new()),
        (Column::LegalBasis, "《中华人民共和国公路法》第七十六条".to_owned()),
    ];
    let options = ImportOptions { default_holder: Some(holder), ..ImportOptions::default() };
    let read = import_form(&cells, &units, &options);
    assert!(!read.has_errors(), "{:#?}", read.problems);
    let items = read.into_items();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].content.holder, holder);
    assert_eq!(items[0].content.legal_basis[0].article, Some(76));
}
