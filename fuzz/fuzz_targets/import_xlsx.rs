//! Any bytes given to the xlsx reader as an upload: it must answer (a list or an error) without
//! crashing, without holding more than the memory budget (`-rss_limit_mb`, `-malloc_limit_mb`)
//! and without hanging (`-timeout`). The seeds (`fuzz/seeds/import_xlsx`) are small workbooks in
//! the published layout, deflated and stored.

#![no_main]

use libfuzzer_sys::fuzz_target;
use quanze_exchange::{ImportOptions, UnitDirectory, import_xlsx};

static QUIET: std::sync::Once = std::sync::Once::new();

fuzz_target!(|data: &[u8]| {
    // The importer turns a panic inside the spreadsheet library into an error (an upload must
    // never take the server down), and libFuzzer's panic hook would abort on that caught panic;
    // the hook is silenced so only what escapes the importer counts as a crash.
    QUIET.call_once(|| std::panic::set_hook(Box::new(|_| {})));
    let units = UnitDirectory::default();
    let _ = import_xlsx(data, &units, &ImportOptions::default());
});
