//! `ARCHITECTURE.md` is the code map: it must name every crate and each crate's top-level
//! modules, so a new crate or module cannot land without its paragraph.

use std::path::{Path, PathBuf};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The modules a crate root declares (`mod x;` / `pub mod x;`), except those only compiled
/// for tests.
fn top_level_modules(root_file: &str) -> Vec<String> {
    let mut modules = Vec::new();
    let mut test_only = false;
    for line in root_file.lines().map(str::trim) {
        if line.starts_with("#[cfg(test)]") {
            test_only = true;
            continue;
        }
        let declaration = line
            .strip_prefix("pub mod ")
            .or_else(|| line.strip_prefix("pub(crate) mod "))
            .or_else(|| line.strip_prefix("mod "));
        if let Some(name) = declaration.and_then(|rest| rest.strip_suffix(';'))
            && !test_only
        {
            modules.push(name.to_owned());
        }
        if !line.starts_with("#[") {
            test_only = false;
        }
    }
    modules
}

/// The part of the map under `### `crates/NAME``, up to the next heading.
fn section<'m>(map: &'m str, crate_name: &str) -> Option<&'m str> {
    let heading = format!("### `crates/{crate_name}`");
    let start = map.find(&heading)? + heading.len();
    let rest = &map[start..];
    let end = rest.find("\n#").unwrap_or(rest.len());
    Some(&rest[..end])
}

#[test]
fn the_map_names_every_crate_and_top_level_module() {
    let root = workspace();
    let map = std::fs::read_to_string(root.join("ARCHITECTURE.md")).expect("ARCHITECTURE.md");
    let mut crates: Vec<_> = std::fs::read_dir(root.join("crates"))
        .expect("crates/")
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.join("Cargo.toml").exists())
        .collect();
    crates.sort();
    assert!(crates.len() >= 8, "found only {} crates", crates.len());
    let mut missing = Vec::new();
    for dir in crates {
        let name = dir.file_name().and_then(|n| n.to_str()).expect("utf-8 name").to_owned();
        let Some(text) = section(&map, &name) else {
            missing.push(format!("crate {name} (a `### `crates/{name}`` section)"));
            continue;
        };
        let root_file = ["src/lib.rs", "src/main.rs"]
            .iter()
            .map(|f| dir.join(f))
            .find(|p| p.exists())
            .expect("a crate root");
        let source = std::fs::read_to_string(&root_file).expect("crate root");
        for module in top_level_modules(&source) {
            if !text.contains(&format!("`{module}`")) {
                missing.push(format!("module {name}::{module}"));
            }
        }
    }
    assert!(missing.is_empty(), "ARCHITECTURE.md does not name: {missing:#?}");
}

#[test]
fn test_only_modules_are_not_required() {
    let src = "pub mod a;\nmod b;\n#[cfg(test)]\nmod tests;\npub(crate) mod c;\n";
    assert_eq!(top_level_modules(src), ["a", "b", "c"]);
}
