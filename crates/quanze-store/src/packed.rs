//! Packed documents: the JSON of a case and of its steps, compressed with zstd against a
//! dictionary built into the store.
//!
//! Every case step rewrites its case's row and adds a timeline row, and on SQLite every page
//! a commit touches is written whole to the write-ahead log (8 KiB) and again by the
//! checkpoint. A case's JSON is about 1.7 KB and a step's about 0.45 KB, most of it the same
//! keys and values in every case ("clocks", "行政许可法第四十二条", "working_days", ...), so the
//! rows of the cases a server is working on spread over many pages. Packed against a
//! dictionary of typical documents they take about a fifth of that, and a commit touches
//! fewer pages (docs/performance.md, issue 15). zstd is the codec made for small records
//! with a shared dictionary; the dictionary here is raw content (typical documents of the
//! demo county, `packed/dictionary-v1.jsonl`), not a trained one, so it can be read.
//!
//! The first byte says how the rest is stored: `{` is plain JSON (rows written before this
//! format, and any document the codec cannot pack), [`ZSTD_V1`] is zstd against dictionary
//! version 1. A dictionary is part of the stored format: it never changes once released; a
//! better one becomes version 2 beside it.

use std::cell::RefCell;
use std::sync::LazyLock;

use zstd::bulk::{Compressor, Decompressor};
use zstd::dict::{DecoderDictionary, EncoderDictionary};

use crate::StoreError;

/// The tag of a document packed with zstd against [`DICTIONARY_V1`].
const ZSTD_V1: u8 = 1;

/// The dictionary of format 1: one typical document per procedure and per kind of step.
const DICTIONARY_V1: &[u8] = include_bytes!("packed/dictionary-v1.jsonl");

/// zstd's level: one of its fast levels. Measured on case documents of 2.3 KB: level 3 packs
/// one in 10.6 µs to 172 bytes, level -1 in 4.5 µs to 212 bytes (every step packs two, on the
/// caller's core).
const LEVEL: i32 = -1;

/// The largest document unpacked (a case's JSON is a few KB): a corrupt header cannot make
/// a read allocate more.
const MAX_DOCUMENT: usize = 16 << 20;

static ENCODER_V1: LazyLock<EncoderDictionary<'static>> =
    LazyLock::new(|| EncoderDictionary::copy(DICTIONARY_V1, LEVEL));
static DECODER_V1: LazyLock<DecoderDictionary<'static>> =
    LazyLock::new(|| DecoderDictionary::copy(DICTIONARY_V1));

thread_local! {
    // A context per thread, reused: making one costs more than packing a document.
    static PACKER: RefCell<Option<Compressor<'static>>> = const { RefCell::new(None) };
    static UNPACKER: RefCell<Option<Decompressor<'static>>> = const { RefCell::new(None) };
}

/// A core value as a packed document.
pub(crate) fn pack<T: serde::Serialize>(value: &T) -> Result<Vec<u8>, StoreError> {
    let json = crate::rows::document(value)?.into_bytes();
    PACKER.with_borrow_mut(|slot| {
        if slot.is_none() {
            *slot = Compressor::with_prepared_dictionary(&ENCODER_V1).ok();
        }
        let Some(packer) = slot.as_mut() else { return Ok(json) };
        let mut out = vec![0; 1 + zstd::zstd_safe::compress_bound(json.len())];
        out[0] = ZSTD_V1;
        match packer.compress_to_buffer(&json, &mut out[1..]) {
            Ok(n) => {
                out.truncate(1 + n);
                Ok(out)
            }
            // Stored plain rather than not at all.
            Err(_) => Ok(json),
        }
    })
}

/// A packed (or plain JSON) document back as a core value; `what` names it in the error.
pub(crate) fn unpack<T: serde::de::DeserializeOwned>(
    what: &str,
    stored: &[u8],
) -> Result<T, StoreError> {
    let corrupt = |e: &dyn std::fmt::Display| StoreError::Corrupt(format!("{what}: {e}"));
    match stored.first() {
        Some(b'{') => serde_json::from_slice(stored).map_err(|e| corrupt(&e)),
        Some(&ZSTD_V1) => {
            let frame = &stored[1..];
            let size = zstd::zstd_safe::get_frame_content_size(frame)
                .map_err(|_| corrupt(&"not a zstd frame"))?
                .ok_or_else(|| corrupt(&"a zstd frame without its size"))?;
            let size = usize::try_from(size)
                .ok()
                .filter(|s| *s <= MAX_DOCUMENT)
                .ok_or_else(|| corrupt(&format!("a document of {size} bytes")))?;
            let json = UNPACKER.with_borrow_mut(|slot| {
                if slot.is_none() {
                    *slot = Some(
                        Decompressor::with_prepared_dictionary(&DECODER_V1)
                            .map_err(|e| corrupt(&e))?,
                    );
                }
                let unpacker = slot.as_mut().ok_or_else(|| corrupt(&"no zstd context"))?;
                unpacker.decompress(frame, size).map_err(|e| corrupt(&e))
            })?;
            serde_json::from_slice(&json).map_err(|e| corrupt(&e))
        }
        Some(other) => Err(corrupt(&format!("unknown document format {other:#04x}"))),
        None => Err(corrupt(&"an empty document")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    struct Doc {
        basis: String,
        units: Vec<String>,
    }

    fn doc() -> Doc {
        Doc {
            basis: "行政许可法第四十二条".into(), units: vec!["working_days".into(); 8]
        }
    }

    #[test]
    fn a_document_comes_back_as_it_went_in_and_smaller() {
        let plain = serde_json::to_vec(&doc()).unwrap();
        let packed = pack(&doc()).unwrap();
        assert_eq!(packed[0], ZSTD_V1);
        assert!(packed.len() < plain.len() / 2, "{} of {} bytes", packed.len(), plain.len());
        assert_eq!(unpack::<Doc>("doc", &packed).unwrap(), doc());
    }

    #[test]
    fn a_plain_json_document_written_before_packing_is_read() {
        let plain = serde_json::to_vec(&doc()).unwrap();
        assert_eq!(unpack::<Doc>("doc", &plain).unwrap(), doc());
    }

    #[test]
    fn a_damaged_document_is_an_error_naming_it_not_a_panic() {
        let mut packed = pack(&doc()).unwrap();
        let n = packed.len();
        packed.truncate(n - 3);
        let e = unpack::<Doc>("case step", &packed).unwrap_err().to_string();
        assert!(e.contains("case step"), "{e}");
        assert!(unpack::<Doc>("case", &[7, 1, 2]).unwrap_err().to_string().contains("0x07"));
        assert!(unpack::<Doc>("case", &[]).is_err());
        // A header claiming a huge document is refused before any allocation.
        let mut huge = vec![ZSTD_V1];
        huge.extend_from_slice(&zstd::bulk::compress(&vec![0; MAX_DOCUMENT + 1], 1).unwrap());
        let e = unpack::<Doc>("case", &huge).unwrap_err().to_string();
        assert!(e.contains("16777217 bytes"), "{e}");
    }
}
