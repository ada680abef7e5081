//! Imports one xlsx file and prints what it found; used to measure peak memory with
//! `/usr/bin/time -v`. `import_file generate PATH [ROWS]` writes the benchmark workbook.

use std::process::ExitCode;
use std::time::Instant;

use quanze_exchange::{ExportOptions, ImportOptions, UnitDirectory, export_xlsx, import_xlsx};

#[path = "../bench/generate.rs"]
mod generate;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let units = UnitDirectory::new(&generate::units());
    match args.as_slice() {
        [cmd, path, rest @ ..] if cmd == "generate" => {
            let rows = rest.first().and_then(|r| r.parse().ok()).unwrap_or(100_000);
            let items = generate::list(rows);
            let bytes = match export_xlsx(&items, &units, &ExportOptions::new("某某县权责清单"))
            {
                Ok(bytes) => bytes,
                Err(e) => {
                    eprintln!("error: {e}");
                    return ExitCode::FAILURE;
                }
            };
            if let Err(e) = std::fs::write(path, &bytes) {
                eprintln!("error: writing {path}: {e}");
                return ExitCode::FAILURE;
            }
            println!("wrote {rows} rows, {} bytes to {path}", bytes.len());
            ExitCode::SUCCESS
        }
        [path] => {
            let bytes = match std::fs::read(path) {
                Ok(bytes) => bytes,
                Err(e) => {
                    eprintln!("error: reading {path}: {e}");
                    return ExitCode::FAILURE;
                }
            };
            let start = Instant::now();
            match import_xlsx(&bytes, &units, &ImportOptions::default()) {
                Ok(imported) => {
                    println!(
                        "{} items, {} problems ({} errors) in {:.2?}",
                        imported.items.len(),
                        imported.problems.len(),
                        imported.problems.iter().filter(|p| p.is_error()).count(),
                        start.elapsed()
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("error: {}", e.zh());
                    ExitCode::FAILURE
                }
            }
        }
        _ => {
            eprintln!("usage: import_file PATH | import_file generate PATH [ROWS]");
            ExitCode::from(2)
        }
    }
}
