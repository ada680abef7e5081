//! Progress reports of a long import and export: stages in order, rows counted up to the
//! total, reported every 500 rows and at the end.

use std::sync::{Arc, Mutex};

use quanze_exchange::{
    ExportOptions, ImportOptions, Progress, ProgressHandle, SheetSplit, export_xlsx, import_xlsx,
};

use crate::helpers::{directory, sample_list};

#[derive(Default)]
struct Recorder(Mutex<Vec<(String, u64, Vec<u64>)>>);

impl Progress for Recorder {
    fn stage(&self, label: &str, total: u64) {
        self.0.lock().unwrap().push((label.to_owned(), total, Vec::new()));
    }
    fn advance(&self, done: u64) {
        self.0.lock().unwrap().last_mut().expect("a stage first").2.push(done);
    }
}

#[test]
fn import_and_export_report_stages_and_rows() {
    let one = sample_list();
    // About 1,300 rows in one sheet: several reports.
    let mut items = Vec::new();
    for copy in 0..220 {
        for item in &one {
            let mut item = item.clone();
            item.content.name = format!("{}（{copy}）", item.content.name);
            items.push(item);
        }
    }
    let units = directory();
    let recorder = Arc::new(Recorder::default());
    let handle = ProgressHandle(Arc::clone(&recorder) as Arc<dyn Progress>);
    let options = ExportOptions {
        title: "某某县权责清单".to_owned(),
        split: SheetSplit::Single,
        progress: Some(handle.clone()),
    };
    let bytes = export_xlsx(&items, &units, &options).expect("export");
    let stages = std::mem::take(&mut *recorder.0.lock().unwrap());
    let labels: Vec<&str> = stages.iter().map(|s| s.0.as_str()).collect();
    assert_eq!(labels.len(), 2, "{labels:?}");
    assert!(labels[0].starts_with("写出工作表") && labels[0].ends_with("（1/1）"), "{labels:?}");
    assert_eq!(labels[1], "压缩保存工作簿");
    let (_, total, done) = &stages[0];
    assert_eq!(*total, items.len() as u64);
    assert_eq!(done.last(), Some(total), "the last report is the total: {done:?}");
    assert!(done.windows(2).all(|w| w[0] < w[1]), "counts only grow: {done:?}");
    assert!(done[..done.len() - 1].iter().all(|d| d % 500 == 0), "{done:?}");

    let options = ImportOptions { progress: Some(handle), ..ImportOptions::default() };
    let imported = import_xlsx(&bytes, &units, &options).expect("import");
    assert!(!imported.items.is_empty());
    let stages = std::mem::take(&mut *recorder.0.lock().unwrap());
    let labels: Vec<&str> = stages.iter().map(|s| s.0.as_str()).collect();
    assert_eq!(labels[0], "读取工作簿", "{labels:?}");
    assert!(labels[1].starts_with("读取工作表") && labels[1].ends_with("（1/1）"), "{labels:?}");
    assert!(labels[2].starts_with("解析工作表"), "{labels:?}");
    let (_, total, done) = &stages[2];
    assert!(*total >= items.len() as u64, "{total}");
    assert_eq!(done.last(), Some(total), "{done:?}");
    assert!(done.len() >= 3, "reported every 500 rows: {done:?}");
}
