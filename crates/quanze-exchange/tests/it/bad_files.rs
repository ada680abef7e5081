//! Files that are not lists: each gives a clear error, never a panic.

use std::io::Write;
use std::sync::Once;
use std::sync::atomic::{AtomicBool, Ordering};

use proptest::prelude::*;
use quanze_core::Severity;
use quanze_exchange::{ExportOptions, ImportError, ImportOptions, export_xlsx, import_xlsx};
use rust_xlsxwriter::Workbook;

use crate::helpers::{directory, sample_list};

fn import(bytes: &[u8]) -> Result<quanze_exchange::Imported, ImportError> {
    import_xlsx(bytes, &directory(), &ImportOptions::default())
}

fn valid_xlsx() -> Vec<u8> {
    export_xlsx(&sample_list(), &directory(), &ExportOptions::new("某某县权责清单"))
        .expect("export")
}

const OLE_MAGIC: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

fn ole_file(streams: &[&str]) -> Vec<u8> {
    let mut bytes = OLE_MAGIC.to_vec();
    bytes.resize(1024, 0);
    for name in streams {
        bytes.extend(name.encode_utf16().flat_map(u16::to_le_bytes));
        bytes.resize(bytes.len().next_multiple_of(128), 0);
    }
    bytes
}

#[test]
fn random_bytes_are_not_xlsx() {
    let err = import(b"\x00\x01 this is not a workbook").expect_err("not xlsx");
    assert!(matches!(err, ImportError::NotXlsx), "{err:?}");
    assert!(err.zh().contains("不是 Excel 工作簿"));
}

#[test]
fn empty_and_oversized_files() {
    assert!(matches!(import(b""), Err(ImportError::EmptyFile)));
    let options = ImportOptions { max_bytes: 1024, ..ImportOptions::default() };
    let err = import_xlsx(&[b'P'; 2048], &directory(), &options).expect_err("too large");
    assert!(matches!(err, ImportError::TooLarge { size: 2048, max: 1024 }), "{err:?}");
    assert!(err.zh().contains("超过上限"), "{}", err.zh());
}

#[test]
fn encrypted_workbook() {
    let err = import(&ole_file(&["EncryptionInfo", "EncryptedPackage"])).expect_err("encrypted");
    assert!(matches!(err, ImportError::Encrypted), "{err:?}");
    assert!(err.zh().contains("密码"), "{}", err.zh());
    let err = import(&ole_file(&["Workbook"])).expect_err("xls");
    assert!(matches!(err, ImportError::LegacyXls), "{err:?}");
    assert!(err.zh().contains(".xls"));
}

#[test]
fn truncated_workbook_is_corrupt() {
    let bytes = valid_xlsx();
    let err = import(&bytes[..bytes.len() / 2]).expect_err("truncated");
    assert!(matches!(err, ImportError::Corrupt(_)), "{err:?}");
    assert!(err.zh().contains("损坏"));
}

/// A workbook whose one sheet holds a number in each of `cells` (written by hand: no writer
/// puts cells that far apart).
fn sparse_sheet_xlsx(cells: &[&str]) -> Vec<u8> {
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    let part = |out: &mut zip::ZipWriter<_>, name: &str, text: &str| {
        out.start_file(name, options).unwrap();
        out.write_all(text.as_bytes()).unwrap();
    };
    part(
        &mut out,
        "[Content_Types].xml",
        r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#,
    );
    part(
        &mut out,
        "_rels/.rels",
        r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
    );
    part(
        &mut out,
        "xl/workbook.xml",
        r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
    );
    part(
        &mut out,
        "xl/_rels/workbook.xml.rels",
        r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#,
    );
    let rows: String = cells
        .iter()
        .map(|c| {
            let row: String = c.chars().filter(char::is_ascii_digit).collect();
            format!(r#"<row r="{row}"><c r="{c}"><v>1</v></c></row>"#)
        })
        .collect();
    part(
        &mut out,
        "xl/worksheets/sheet1.xml",
        &format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{rows}</sheetData></worksheet>"#
        ),
    );
    out.finish().unwrap().into_inner()
}

/// A zip archive of `entries` entries, each `size` zero bytes (they compress about 1,000 to 1).
fn zeros_zip(entries: usize, size: usize) -> Vec<u8> {
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let zeros = vec![0u8; size];
    for i in 0..entries {
        out.start_file(format!("xl/worksheets/sheet{i}.xml"), options).unwrap();
        out.write_all(&zeros).unwrap();
    }
    out.finish().unwrap().into_inner()
}

#[test]
fn archives_that_expand_past_their_limits_are_refused_before_parsing() {
    use quanze_exchange::{ArchiveLimits, Expansion};
    let with = |archive: ArchiveLimits| ImportOptions { archive, ..ImportOptions::default() };
    // A bomb: 64 MiB of zeros in about 64 KiB, each entry far past the ratio.
    let bomb = zeros_zip(4, 16 * 1024 * 1024);
    assert!(bomb.len() < 200 * 1024, "{}", bomb.len());
    let err = import(&bomb).expect_err("a bomb");
    assert!(matches!(err, ImportError::Expands(Expansion::Ratio { max: 200 })), "{err:?}");
    assert!(err.zh().contains("压缩炸弹"), "{}", err.zh());
    // Past the total, with the ratio check out of the way.
    let lenient = ArchiveLimits {
        max_ratio: u64::MAX,
        max_uncompressed: 20 * 1024 * 1024,
        ..ArchiveLimits::default()
    };
    let err = import_xlsx(&bomb, &directory(), &with(lenient)).expect_err("too large");
    assert!(matches!(err, ImportError::Expands(Expansion::Bytes { .. })), "{err:?}");
    assert!(err.zh().contains("解压后超过20 MB"), "{}", err.zh());
    // Too many entries.
    let many = zeros_zip(30, 10);
    let err = import_xlsx(
        &many,
        &directory(),
        &with(ArchiveLimits { max_entries: 20, ..ArchiveLimits::default() }),
    )
    .expect_err("too many");
    assert!(matches!(err, ImportError::Expands(Expansion::Entries { max: 20 })), "{err:?}");
    // Two cells at the corners of a sheet: 200 bytes asking for 17 billion cells.
    let corners = sparse_sheet_xlsx(&["A1", "XFD1048576"]);
    let err = import(&corners).expect_err("too wide a span");
    assert!(matches!(err, ImportError::Expands(Expansion::Cells { max: 8_000_000 })), "{err:?}");
    assert!(err.zh().contains("单元格范围"), "{}", err.zh());
    // Two cells far from A1 but near each other span little.
    let near = sparse_sheet_xlsx(&["XFC1048575", "XFD1048576"]);
    assert!(!matches!(import(&near), Err(ImportError::Expands(_))));
    // A real workbook is well inside the default limits.
    assert!(import(&valid_xlsx()).is_ok());
}

/// A bomb that declares a small size (under the ratio check's 1 MiB) in its directory and
/// inflates to 4 MiB is refused as corrupt: no entry is read past the size it declares, so the
/// declared sizes, checked before any inflating, bound the work.
#[test]
fn an_archive_that_lies_about_its_sizes_is_refused() {
    let mut lying = zeros_zip(1, 4 * 1024 * 1024);
    let patch = |bytes: &mut Vec<u8>, signature: &[u8; 4], offset: usize| {
        let at = bytes.windows(4).position(|w| w == signature).expect("a zip header");
        bytes[at + offset..at + offset + 4].copy_from_slice(&1000u32.to_le_bytes());
    };
    patch(&mut lying, b"PK\x03\x04", 22); // the local header's uncompressed size
    patch(&mut lying, b"PK\x01\x02", 24); // the central directory's
    let err = import(&lying).expect_err("a lying archive");
    // Stopped at the first piece past what it declares (by the zip reader, which counts, or
    // by the check's own count behind it), not by a checksum after inflating all 4 MiB.
    match &err {
        ImportError::Corrupt(why) => assert!(why.contains("declare"), "{why}"),
        other => panic!("expected a corrupt archive, got {other:?}"),
    }
    assert!(!err.zh().contains("declares"), "the user's message is Chinese: {}", err.zh());
}

#[test]
fn zip_without_workbook() {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    zip.start_file("readme.txt", zip::write::SimpleFileOptions::default()).expect("entry");
    zip.write_all("权责清单说明".as_bytes()).expect("write");
    let bytes = zip.finish().expect("zip").into_inner();
    let err = import(&bytes).expect_err("no workbook");
    assert!(matches!(err, ImportError::NoWorkbook), "{err:?}");
}

#[test]
fn workbook_without_data() {
    let mut wb = Workbook::new();
    wb.add_worksheet();
    let err = import(&wb.save_to_buffer().expect("save")).expect_err("empty");
    assert!(matches!(err, ImportError::EmptyWorkbook), "{err:?}");
}

#[test]
fn workbook_without_any_header_is_an_error_not_a_failure() {
    let mut wb = Workbook::new();
    wb.add_worksheet().write_string(0, 0, "会议纪要").expect("write");
    let imported = import(&wb.save_to_buffer().expect("save")).expect("readable");
    assert!(imported.items.is_empty());
    assert_eq!(imported.problems.len(), 1);
    assert_eq!(
        (imported.problems[0].code.as_str(), imported.problems[0].severity),
        ("no_header", Severity::Error)
    );
}

static PANICKED: AtomicBool = AtomicBool::new(false);

/// Records any panic, even one the importer catches, so that the fuzz tests see it.
fn watch_panics() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            PANICKED.store(true, Ordering::SeqCst);
            default(info);
        }));
    });
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn random_files_give_errors(mut bytes in proptest::collection::vec(any::<u8>(), 0..4096), zip_magic in any::<bool>()) {
        watch_panics();
        if zip_magic {
            bytes.splice(0..0, *b"PK\x03\x04");
        }
        prop_assert!(import(&bytes).is_err());
        prop_assert!(!PANICKED.load(Ordering::SeqCst));
    }

    #[test]
    fn damaged_workbooks_never_panic(cut in 0.0f64..1.0, flips in proptest::collection::vec((0.0f64..1.0, any::<u8>()), 0..4)) {
        watch_panics();
        let mut bytes = valid_xlsx();
        for (at, value) in flips {
            let idx = (at * bytes.len() as f64) as usize % bytes.len();
            bytes[idx] = value;
        }
        bytes.truncate(((cut * bytes.len() as f64) as usize).max(1));
        let _ = import(&bytes);
        prop_assert!(!PANICKED.load(Ordering::SeqCst));
    }
}
