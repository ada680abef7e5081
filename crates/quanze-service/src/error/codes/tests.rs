use std::collections::HashSet;
use std::path::PathBuf;

use super::ErrorCode;

/// The table as text, one code a line: code, status (and other statuses), Chinese, English.
fn table_lines() -> String {
    ErrorCode::ALL
        .iter()
        .map(|code| {
            format!("{} | {} | {} | {}\n", code.as_str(), statuses(*code), code.zh(), code.en())
        })
        .collect()
}

/// `422`, or `422 (also 400, 413)`.
fn statuses(code: ErrorCode) -> String {
    let others = code.other_statuses();
    if others.is_empty() {
        code.status().to_string()
    } else {
        let others: Vec<String> = others.iter().map(u16::to_string).collect();
        format!("{} (also {})", code.status(), others.join(", "))
    }
}

/// `docs/errors.md` as the table makes it.
fn render_errors_md() -> String {
    let mut md = String::from(
        "# Error codes\n\n\
         <!-- Generated from crates/quanze-service/src/error/codes.rs; do not edit by hand. -->\n\
         <!-- Regenerate: QUANZE_BLESS=1 cargo test -p quanze-service errors_md -->\n\n\
         Every error answer of the API is a JSON object `{code, message, message_en}` \
         (with `issues` or `problems` where there are findings).\n\
         `code` is one of the codes below and does not change; the messages of an answer \
         are specific (they name the row, the item, the article), the ones below are generic.\n\n\
         | Code | HTTP status | 中文 | English |\n\
         | --- | --- | --- | --- |\n",
    );
    for code in ErrorCode::ALL {
        md.push_str(&format!(
            "| `{}` | {} | {} | {} |\n",
            code.as_str(),
            statuses(*code),
            code.zh(),
            code.en()
        ));
    }
    md
}

/// The CamelCase of a snake_case code.
fn camel(code: &str) -> String {
    code.split('_')
        .map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map_or_else(String::new, |c| c.to_ascii_uppercase().to_string() + chars.as_str())
        })
        .collect()
}

#[test]
fn the_table_is_pinned() {
    insta::assert_snapshot!("error_codes", table_lines());
}

#[test]
fn codes_are_unique_snake_case_and_named_after_their_variant() {
    let mut seen = HashSet::new();
    for code in ErrorCode::ALL {
        let wire = code.as_str();
        assert!(seen.insert(wire), "{wire} appears twice");
        assert!(
            !wire.is_empty() && wire.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
            "{wire} is not snake_case"
        );
        assert_eq!(format!("{code:?}"), camel(wire), "the variant of {wire}");
        assert_eq!(ErrorCode::parse(wire), Some(*code));
        assert_eq!(*code, wire);
        assert_eq!(code.to_string(), wire);
        assert_eq!(serde_json::to_value(code).expect("a code serialises"), wire);
    }
    assert_eq!(ErrorCode::parse("no_such_code"), None);
}

#[test]
fn statuses_are_http_errors_and_messages_are_filled() {
    for code in ErrorCode::ALL {
        for status in std::iter::once(code.status()).chain(code.other_statuses().iter().copied()) {
            assert!((400..600).contains(&status), "{code}: {status}");
        }
        assert!(!code.other_statuses().contains(&code.status()), "{code}");
        assert!(!code.zh().trim().is_empty() && !code.en().trim().is_empty(), "{code}");
        for message in [code.zh(), code.en()] {
            assert!(!message.contains('|') && !message.contains('\n'), "{code}: {message}");
        }
    }
}

#[test]
fn errors_md() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/errors.md");
    let want = render_errors_md();
    if std::env::var_os("QUANZE_BLESS").is_some() {
        std::fs::write(&path, &want).expect("write docs/errors.md");
        return;
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "docs/errors.md is not the table of crates/quanze-service/src/error/codes.rs; \
         regenerate it with `QUANZE_BLESS=1 cargo test -p quanze-service errors_md`"
    );
}
