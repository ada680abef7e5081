//! Import and export of a 100,000-row list in the published layout (about 10 MiB of xlsx).
//!
//! The workbook is generated once into a temporary file, then read back for each measurement.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use quanze_exchange::{ExportOptions, ImportOptions, UnitDirectory, export_xlsx, import_xlsx};

#[path = "../bench/generate.rs"]
mod generate;

const ROWS: usize = 100_000;

fn bench(c: &mut Criterion) {
    let units = UnitDirectory::new(&generate::units());
    let items = generate::list(ROWS);
    let options = ExportOptions::new("某某县权责清单");
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("list.xlsx");
    let bytes = export_xlsx(&items, &units, &options).expect("export");
    std::fs::write(&path, &bytes).expect("write workbook");
    eprintln!("workbook: {ROWS} rows, {} bytes at {}", bytes.len(), path.display());

    let mut group = c.benchmark_group("exchange_100k");
    group.sample_size(10).measurement_time(Duration::from_secs(40));
    group.bench_function("import_xlsx", |b| {
        b.iter(|| {
            let bytes = std::fs::read(&path).expect("read workbook");
            let imported = import_xlsx(&bytes, &units, &ImportOptions::default()).expect("import");
            assert_eq!(imported.items.len(), ROWS);
            black_box(imported)
        })
    });
    group.bench_function("export_xlsx", |b| {
        b.iter(|| black_box(export_xlsx(&items, &units, &options).expect("export")))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
