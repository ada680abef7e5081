//! Reports written as xlsx read back with calamine: the title, the header, text and numbers in
//! their cells, unique sheet names, and an empty sheet that says so.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use quanze_exchange::{ReportCell, ReportSheet, report_xlsx};

#[test]
fn a_report_reads_back_cell_by_cell() {
    let towns = ReportSheet {
        name: "按乡镇".into(),
        title: "赋权事项承接情况（2026-05-01）".into(),
        header: vec!["乡镇".into(), "已赋权".into(), "已生效".into()],
        rows: vec![
            vec!["城关镇".into(), 12usize.into(), 9usize.into()],
            vec!["王坛镇".into(), 3usize.into()],
        ],
    };
    let empty = ReportSheet { rows: vec![], name: "按乡镇".into(), ..towns.clone() };
    let bytes = report_xlsx(&[towns, empty]).unwrap();
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).unwrap();
    assert_eq!(book.sheet_names(), ["按乡镇", "按乡镇(2)"]);
    let first = book.worksheet_range("按乡镇").unwrap();
    assert_eq!(
        first.get_value((0, 0)),
        Some(&Data::String("赋权事项承接情况（2026-05-01）".into()))
    );
    assert_eq!(first.get_value((1, 2)), Some(&Data::String("已生效".into())));
    assert_eq!(first.get_value((2, 0)), Some(&Data::String("城关镇".into())));
    assert_eq!(first.get_value((2, 1)), Some(&Data::Float(12.0)));
    assert_eq!(first.get_value((3, 1)), Some(&Data::Float(3.0)));
    assert!(matches!(first.get_value((3, 2)), None | Some(Data::Empty)));
    let second = book.worksheet_range("按乡镇(2)").unwrap();
    assert_eq!(second.get_value((2, 0)), Some(&Data::String("（无）".into())));
    assert_eq!(ReportCell::from("x"), ReportCell::Text("x".into()));
}
