use chrono::TimeZone;

use super::*;

const PDF: &[u8] = include_bytes!("../../../tests/data/materials/letter.pdf");
const PNG: &[u8] = include_bytes!("../../../tests/data/materials/stamp.png");

/// A zip archive of empty, stored entries with these names (what the central directory says is
/// all the detection reads).
fn zip(names: &[&str]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for name in names {
        let offset = u32::try_from(out.len()).unwrap();
        let len = u16::try_from(name.len()).unwrap();
        out.extend_from_slice(b"PK\x03\x04");
        out.extend_from_slice(&[20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        out.extend_from_slice(&[0; 12]); // crc, sizes
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&[0, 0]);
        out.extend_from_slice(name.as_bytes());
        central.extend_from_slice(b"PK\x01\x02");
        central.extend_from_slice(&[20, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        central.extend_from_slice(&[0; 12]);
        central.extend_from_slice(&len.to_le_bytes());
        central.extend_from_slice(&[0; 12]); // extra, comment, disk, attributes
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name.as_bytes());
    }
    let cd_offset = u32::try_from(out.len()).unwrap();
    let cd_size = u32::try_from(central.len()).unwrap();
    out.extend_from_slice(&central);
    let n = u16::try_from(names.len()).unwrap();
    out.extend_from_slice(b"PK\x05\x06\0\0\0\0");
    out.extend_from_slice(&n.to_le_bytes());
    out.extend_from_slice(&n.to_le_bytes());
    out.extend_from_slice(&cd_size.to_le_bytes());
    out.extend_from_slice(&cd_offset.to_le_bytes());
    out.extend_from_slice(&[0, 0]);
    out
}

#[test]
fn real_pdf_and_png_files_are_accepted() {
    assert_eq!(detect(PDF), Ok(MediaType::Pdf));
    assert_eq!(detect(PNG), Ok(MediaType::Png));
    assert_eq!(
        detect(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F', b'I', b'F']),
        Ok(MediaType::Jpeg)
    );
}

#[test]
fn an_executable_is_refused_whatever_its_name() {
    // The content is all there is: these bytes could be called "营业执照.pdf".
    let elf = b"\x7FELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x02\0\x3E\0";
    assert_eq!(detect(elf), Err(MaterialError::Executable { kind: Executable::Elf }));
    assert_eq!(
        detect(b"MZ\x90\0\x03\0\0\0\x04\0"),
        Err(MaterialError::Executable { kind: Executable::Windows })
    );
    assert_eq!(
        detect(&[0xCF, 0xFA, 0xED, 0xFE, 7, 0, 0, 1]),
        Err(MaterialError::Executable { kind: Executable::MachO })
    );
    assert_eq!(
        detect(b"#!/bin/sh\nrm -rf /\n"),
        Err(MaterialError::Executable { kind: Executable::Script })
    );
    assert_eq!(
        detect(b"\0asm\x01\0\0\0"),
        Err(MaterialError::Executable { kind: Executable::WebAssembly })
    );
    let err = detect(elf).unwrap_err();
    assert!(err.zh().contains("可执行程序"), "{}", err.zh());
    assert!(err.zh().contains("与文件名无关"), "{}", err.zh());
}

#[test]
fn the_test_binary_itself_is_refused_as_an_executable() {
    // A real program, not a hand-made header.
    let exe = std::fs::read(std::env::current_exe().unwrap()).unwrap();
    assert!(matches!(detect(&exe), Err(MaterialError::Executable { .. })));
}

#[test]
fn anything_else_off_the_allow_list_is_refused() {
    for bytes in [
        &b"hello, plain text"[..],
        b"<html><script>alert(1)</script></html>",
        b"GIF89a\x01\0\x01\0",
        &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0],
        b"PK\x03\x04 but no central directory",
    ] {
        assert!(matches!(detect(bytes), Err(MaterialError::NotAllowed { .. })), "{bytes:?}");
    }
    assert_eq!(detect(b""), Err(MaterialError::Empty));
    assert!(detect(b"plain").unwrap_err().zh().contains("PDF"));
}

#[test]
fn zip_packages_are_told_apart_by_their_entries() {
    assert_eq!(detect(&zip(&["OFD.xml", "Doc_0/Document.xml"])), Ok(MediaType::Ofd));
    assert_eq!(
        detect(&zip(&["[Content_Types].xml", "_rels/.rels", "word/document.xml"])),
        Ok(MediaType::Docx)
    );
    assert_eq!(
        detect(&zip(&["[Content_Types].xml", "xl/workbook.xml", "xl/worksheets/sheet1.xml"])),
        Ok(MediaType::Xlsx)
    );
    assert_eq!(
        detect(&zip(&["[Content_Types].xml", "word/document.xml", "word/vbaProject.bin"])),
        Err(MaterialError::Executable { kind: Executable::OfficeMacros })
    );
    assert!(matches!(
        detect(&zip(&["setup.exe", "readme.txt"])),
        Err(MaterialError::NotAllowed { what: "a zip archive" })
    ));
    // A central directory pointing outside the file.
    let mut broken = zip(&["OFD.xml"]);
    let n = broken.len();
    broken[n - 6..n - 2].copy_from_slice(&u32::MAX.to_le_bytes());
    assert!(matches!(detect(&broken), Err(MaterialError::NotAllowed { .. })));
}

#[test]
fn sizes_over_the_limit_are_refused() {
    assert_eq!(check_size(10, 10), Ok(()));
    assert_eq!(check_size(0, 10), Err(MaterialError::Empty));
    let err = check_size(2 * 1024 * 1024 * 1024, 20 * 1024 * 1024).unwrap_err();
    assert!(err.zh().contains("20 MB"), "{}", err.zh());
}

#[test]
fn digests_parse_as_64_hex_digits() {
    let hex = "66C7F0F462EEEDD9D1F2D46BDC10E4E24167C4875CF2F7A2297DA02B8F4BA8E0";
    let d = MaterialDigest::parse(hex).unwrap();
    assert_eq!(d.as_str(), hex.to_ascii_lowercase());
    assert!(MaterialDigest::parse("abc").is_err());
    assert!(MaterialDigest::parse(&"g".repeat(64)).is_err());
    assert_eq!(MaterialDigest::from_bytes([0xAB; 32]).as_str(), "ab".repeat(32));
    let json = serde_json::to_string(&d).unwrap();
    assert_eq!(serde_json::from_str::<MaterialDigest>(&json).unwrap(), d);
    assert!(serde_json::from_str::<MaterialDigest>("\"../../etc/passwd\"").is_err());
}

fn guide() -> Vec<Material> {
    let m = |name: &str, required: bool, shared: bool| Material {
        name: name.into(),
        form: None,
        copies: None,
        required,
        shared,
    };
    vec![
        m("申请书", true, false),
        m("营业执照", true, true),
        m("场地证明", true, false),
        m("其他", false, false),
    ]
}

#[test]
fn names_come_from_the_guide_when_it_lists_materials() {
    assert_eq!(material_name(" 申请书 ", &guide(), &[]), Ok("申请书".into()));
    let err = material_name("身份证", &guide(), &[]).unwrap_err();
    assert!(err.zh().contains("申请书、营业执照"), "{}", err.zh());
    assert_eq!(material_name("身份证", &guide(), &["身份证".into()]), Ok("身份证".into()));
    assert_eq!(material_name("任意材料", &[], &[]), Ok("任意材料".into()));
    assert_eq!(material_name(" ", &[], &[]), Err(MaterialError::BadName));
    assert_eq!(material_name(&"长".repeat(101), &[], &[]), Err(MaterialError::BadName));
}

#[test]
fn what_is_still_missing_leaves_out_shared_and_filed_materials() {
    let today = NaiveDate::from_ymd_opt(2026, 9, 28).unwrap();
    let filed = CaseMaterial {
        case: CaseId::from_uuid(uuid::Uuid::from_u128(7)),
        name: "申请书".into(),
        digest: MaterialDigest::from_bytes([1; 32]),
        size: 3,
        media_type: MediaType::Pdf,
        attached_at: Utc.with_ymd_and_hms(2026, 9, 28, 2, 0, 0).unwrap(),
        at_step: 1,
        valid_until: Some(today),
        reused_from: None,
    };
    assert_eq!(
        still_missing(
            &guide(),
            &["身份证".into(), "场地证明".into()],
            std::slice::from_ref(&filed)
        ),
        ["场地证明", "身份证"]
    );
    assert!(filed.valid_on(today));
    assert!(!filed.valid_on(today.succ_opt().unwrap()));
    assert_eq!(check_valid_until(Some(today), today), Ok(()));
    assert!(check_valid_until(today.pred_opt(), today).is_err());
}

#[test]
fn promised_material_is_supplied_when_every_name_is_filed_and_dated_by_the_last() {
    let filed = |name: &str, hour: u32| CaseMaterial {
        case: CaseId::from_uuid(uuid::Uuid::from_u128(7)),
        name: name.into(),
        digest: MaterialDigest::from_bytes([u8::try_from(hour).unwrap(); 32]),
        size: 3,
        media_type: MediaType::Pdf,
        attached_at: Utc.with_ymd_and_hms(2026, 9, 28, hour, 0, 0).unwrap(),
        at_step: 2,
        valid_until: None,
        reused_from: None,
    };
    let promised = ["身份证".to_owned(), " ".to_owned(), "场地证明".to_owned()];
    assert_eq!(promised_supplied(&promised, &[]), None);
    // One of two filed: not yet.
    let first = filed("身份证", 1);
    assert_eq!(promised_supplied(&promised, std::slice::from_ref(&first)), None);
    // Both: dated by the last one's first filing (a later copy of the first does not count);
    // the blank name is not a material.
    let all = [first, filed("场地证明", 3), filed("身份证", 5), filed("其他", 6)];
    let (names, at) = promised_supplied(&promised, &all).unwrap();
    assert_eq!(names, ["身份证", "场地证明"]);
    assert_eq!(at, Utc.with_ymd_and_hms(2026, 9, 28, 3, 0, 0).unwrap());
    // Nothing promised: nothing to supply.
    assert_eq!(promised_supplied(&[], &all), None);
}
