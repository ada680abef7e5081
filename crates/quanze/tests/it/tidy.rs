//! Layout rules of the workspace that keep the tests building fast: each crate's integration
//! tests are modules of one binary, `tests/it/main.rs`, so a change to a lower crate links one
//! test binary per crate instead of one per file.
//!
//! (That both migration directories of the store hold the same file names is checked by
//! `migrations_have_the_same_numbers_and_names` in `quanze-store`.)

use std::fs;
use std::path::{Path, PathBuf};

/// The `crates/` directory of the workspace.
fn crates_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("crates/ holds this crate").to_owned()
}

/// Every `.rs` file under `dir`, at any depth.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_owned()];
    while let Some(dir) = pending.pop() {
        for entry in fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|ext| ext == "rs") {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// The `.rs` files under `crate_dir/tests` that are not under `crate_dir/tests/it`.
fn stray_test_files(crate_dir: &Path) -> Vec<PathBuf> {
    let tests = crate_dir.join("tests");
    if !tests.is_dir() {
        return Vec::new();
    }
    let it = tests.join("it");
    rust_files(&tests).into_iter().filter(|path| !path.starts_with(&it)).collect()
}

#[test]
fn integration_tests_live_in_one_binary_per_crate() {
    let mut crates = 0;
    let mut stray = Vec::new();
    for entry in fs::read_dir(crates_dir()).expect("crates/ is readable") {
        let crate_dir = entry.expect("a directory entry").path();
        if !crate_dir.join("Cargo.toml").is_file() {
            continue;
        }
        crates += 1;
        stray.extend(stray_test_files(&crate_dir));
        let it = crate_dir.join("tests/it");
        if it.is_dir() && !rust_files(&it).is_empty() {
            assert!(it.join("main.rs").is_file(), "{} has no main.rs", it.display());
        }
    }
    assert!(crates >= 2, "found only {crates} crates under {}", crates_dir().display());
    assert!(
        stray.is_empty(),
        "integration tests go in tests/it/ as modules of tests/it/main.rs (with `autotests = \
         false` and a [[test]] named \"it\" in Cargo.toml), not in their own binaries: {stray:#?}"
    );
}

#[test]
fn a_test_file_outside_tests_it_is_found() {
    let dir = tempfile::tempdir().expect("temp dir");
    let crate_dir = dir.path();
    fs::create_dir_all(crate_dir.join("tests/it/deep")).expect("tests/it/deep");
    fs::create_dir_all(crate_dir.join("tests/data")).expect("tests/data");
    for file in ["tests/it/main.rs", "tests/it/deep/more.rs", "tests/data/notes.txt"] {
        fs::write(crate_dir.join(file), "").expect("a file");
    }
    assert!(stray_test_files(crate_dir).is_empty());
    fs::write(crate_dir.join("tests/api.rs"), "").expect("a stray file");
    fs::write(crate_dir.join("tests/data/gen.rs"), "").expect("a stray file");
    assert_eq!(
        stray_test_files(crate_dir),
        [crate_dir.join("tests/api.rs"), crate_dir.join("tests/data/gen.rs")]
    );
}
