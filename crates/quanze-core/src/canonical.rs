//! RFC 8785 JSON Canonicalization Scheme (JCS) for the values a ledger leaf holds.
//!
//! Written by hand because verification recomputes every leaf of the ledger: `serde_jcs`, the
//! crate we cross-check against in tests, re-parses every object key and boxes a writer per
//! scalar, which made it most of the cost of verifying ten million leaves. This writer emits
//! the same bytes: object members sorted by the UTF-16 code units of their names, strings
//! escaped as JSON requires and no more (serde_json's escaping is exactly JCS's), integers in
//! full and other numbers in the ECMAScript form (`ryu-js`).

use serde_json::Value;

/// The canonical bytes of `value`.
pub fn to_vec(value: &Value) -> Result<Vec<u8>, NonFiniteNumber> {
    let mut out = Vec::with_capacity(128);
    write_value(&mut out, value)?;
    Ok(out)
}

/// A number JSON cannot hold (NaN or an infinity); serde_json never produces one, but a
/// hand-built `Value` could.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a number in the value is not finite")]
pub struct NonFiniteNumber;

/// Appends the canonical bytes of `value` to `out`.
pub fn write_value(out: &mut Vec<u8>, value: &Value) -> Result<(), NonFiniteNumber> {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Number(n) => {
            if let Some(u) = n.as_u64() {
                write_u64(out, u);
            } else if let Some(i) = n.as_i64() {
                if i.unsigned_abs() <= MAX_EXACT {
                    out.extend_from_slice(itoa::Buffer::new().format(i).as_bytes());
                } else {
                    write_f64(out, i as f64);
                }
            } else {
                let f = n.as_f64().filter(|f| f.is_finite()).ok_or(NonFiniteNumber)?;
                write_f64(out, f);
            }
        }
        Value::String(s) => write_str(out, s),
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_value(out, item)?;
            }
            out.push(b']');
        }
        Value::Object(map) => {
            let mut members: Vec<(&String, &Value)> = map.iter().collect();
            // The map iterates in UTF-8 byte order, which is code point order; UTF-16 order
            // differs only where a name holds a character above U+FFFF (4 bytes in UTF-8,
            // the first ≥ 0xF0), so nearly every object is already sorted.
            if map.keys().any(|k| k.bytes().any(|b| b >= 0xF0)) {
                members.sort_by(|a, b| a.0.encode_utf16().cmp(b.0.encode_utf16()));
            }
            write_members(out, members.into_iter().map(|(k, v)| (k.as_str(), Member::Value(v))))?;
        }
    }
    Ok(())
}

/// One member's value: borrowed JSON, or text that is already canonical.
pub enum Member<'a> {
    /// A JSON value, canonicalised on the way out.
    Value(&'a Value),
    /// A string, escaped on the way out.
    Str(&'a str),
    /// Bytes that are already canonical JSON (a number, `null`).
    Raw(&'a [u8]),
}

/// Writes an object from members already in canonical (UTF-16) order.
pub fn write_members<'a>(
    out: &mut Vec<u8>,
    members: impl IntoIterator<Item = (&'a str, Member<'a>)>,
) -> Result<(), NonFiniteNumber> {
    out.push(b'{');
    for (i, (name, member)) in members.into_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_str(out, name);
        out.push(b':');
        match member {
            Member::Value(v) => write_value(out, v)?,
            Member::Str(s) => write_str(out, s),
            Member::Raw(bytes) => out.extend_from_slice(bytes),
        }
    }
    out.push(b'}');
    Ok(())
}

/// The largest integer a double holds exactly (2^53): below it an integer's digits are its
/// ECMAScript form.
const MAX_EXACT: u64 = 1 << 53;

/// Appends an unsigned integer as the double it denotes in JSON (RFC 8785 §3.2.2.3: numbers
/// are IEEE 754 doubles, so digits beyond 2^53 are rounded as ECMAScript rounds them).
pub fn write_u64(out: &mut Vec<u8>, u: u64) {
    if u <= MAX_EXACT {
        out.extend_from_slice(itoa::Buffer::new().format(u).as_bytes());
    } else {
        write_f64(out, u as f64); // rounded, as RFC 8785 asks
    }
}

fn write_f64(out: &mut Vec<u8>, f: f64) {
    out.extend_from_slice(ryu_js::Buffer::new().format_finite(f).as_bytes());
}

/// Appends `s` as a JSON string literal.
pub fn write_str(out: &mut Vec<u8>, s: &str) {
    // serde_json escapes ", \ and the control characters (as \b \f \n \r \t or \u00xx with
    // lowercase hex) and nothing else: exactly RFC 8785 §3.2.2.2.
    serde_json::to_writer(&mut *out, s).expect("writing a string to a Vec cannot fail");
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::{Value, json};

    use super::*;

    fn value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(|i| json!(i)),
            any::<u64>().prop_map(|u| json!(u)),
            any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(|f| json!(f)),
            "\\PC{0,8}".prop_map(Value::String),
            // Control characters, quotes, backslashes and characters above U+FFFF.
            "[\u{0}-\u{1f}\"\\\\/\u{7f}\u{e000}\u{ffff}\u{10000}\u{1f600}a-z]{0,6}"
                .prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::btree_map(
                    "[a-z\u{e000}\u{ffff}\u{10000}\u{1f600}县]{0,4}",
                    inner,
                    0..6
                )
                .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn same_bytes_as_serde_jcs(v in value()) {
            prop_assert_eq!(to_vec(&v).unwrap(), serde_jcs::to_vec(&v).unwrap());
        }
    }

    #[test]
    fn rfc_8785_examples() {
        // RFC 8785 §3.2.3: sorting by UTF-16 code units puts U+1F600 (a surrogate pair,
        // 0xD83D...) before U+E000 although its UTF-8 bytes sort after.
        let v = json!({ "\u{e000}": 1, "\u{1f600}": 2, "a": [1.5, 1e21, -0.0, 100] });
        assert_eq!(
            String::from_utf8(to_vec(&v).unwrap()).unwrap(),
            "{\"a\":[1.5,1e+21,0,100],\"\u{1f600}\":2,\"\u{e000}\":1}"
        );
        assert_eq!(to_vec(&json!("\u{1}\"\\\n")).unwrap(), br#""\u0001\"\\\n""#.to_vec());
    }
}
