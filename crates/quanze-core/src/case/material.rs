//! 申请材料 — the documents an applicant hands in with a case: what kind of file each is (read
//! from its bytes, never from its name), the SM3 digest it is stored under, and which of an
//! applicant's earlier materials may be reused on a later case (once-only: information the
//! government already holds is not asked for again, 《国务院关于在线政务服务的若干规定》
//! （国务院令第716号）第七条).
//!
//! The type of a file is decided by its content alone, against an allow-list: PDF, OFD (GB/T
//! 33190: a zip package with `OFD.xml` at its root), JPEG, PNG, and Word and Excel files in the
//! Office Open XML format. A name or a declared `Content-Type` is not evidence: an executable
//! renamed to `.pdf` is an executable, and is refused as one; a PNG sent as `scan.jpg` is a PNG,
//! and is stored and served as one (the file name is never stored, so a mismatched name cannot
//! reach anyone who downloads it). Executables (ELF, Windows PE, Mach-O, WebAssembly, scripts
//! starting with `#!`) and Office files with macros are named as such in the refusal, so that
//! a clerk sees why; anything else outside the allow-list is refused as a type not accepted.
//!
//! Pure: detection reads a byte slice; hashing, storage and limits are the caller's.

use chrono::{DateTime, NaiveDate, Utc};

use crate::ids::CaseId;
use crate::item::Material;

/// 材料摘要 — the SM3 digest of a material's bytes, 64 lowercase hex digits: the key it is
/// stored under (content-addressed: the same bytes are stored once).
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(try_from = "String", into = "String")]
pub struct MaterialDigest(String);

impl MaterialDigest {
    /// Parses a digest: 64 hex digits, either case (stored lower-case).
    pub fn parse(raw: &str) -> Result<MaterialDigest, crate::ValidationError> {
        let s = raw.trim();
        if s.len() != 64 {
            return Err(crate::ValidationError::Length {
                field: "digest",
                expected: 64,
                got: s.chars().count(),
                value: raw.to_owned(),
            });
        }
        if let Some((pos, ch)) = s.chars().enumerate().find(|(_, c)| !c.is_ascii_hexdigit()) {
            return Err(crate::ValidationError::Charset {
                field: "digest",
                ch,
                pos: pos + 1,
                value: raw.to_owned(),
            });
        }
        Ok(MaterialDigest(s.to_ascii_lowercase()))
    }

    /// The digest of 32 hash bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> MaterialDigest {
        use std::fmt::Write as _;
        let mut s = String::with_capacity(64);
        for b in bytes {
            let _ = write!(s, "{b:02x}");
        }
        MaterialDigest(s)
    }

    /// The 64 hex digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for MaterialDigest {
    type Error = crate::ValidationError;
    fn try_from(s: String) -> Result<MaterialDigest, crate::ValidationError> {
        MaterialDigest::parse(&s)
    }
}

impl From<MaterialDigest> for String {
    fn from(d: MaterialDigest) -> String {
        d.0
    }
}

impl std::fmt::Display for MaterialDigest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// 材料格式 — the file types a material may have, detected from its bytes.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum MediaType {
    /// PDF.
    Pdf,
    /// OFD (版式文档, GB/T 33190).
    Ofd,
    /// JPEG image.
    Jpeg,
    /// PNG image.
    Png,
    /// Word document (Office Open XML, without macros).
    Docx,
    /// Excel workbook (Office Open XML, without macros).
    Xlsx,
}

impl MediaType {
    /// Every accepted type.
    pub const ALL: [MediaType; 6] = [
        MediaType::Pdf,
        MediaType::Ofd,
        MediaType::Jpeg,
        MediaType::Png,
        MediaType::Docx,
        MediaType::Xlsx,
    ];

    /// The stored name (`pdf`, `ofd` …).
    pub fn as_str(self) -> &'static str {
        match self {
            MediaType::Pdf => "pdf",
            MediaType::Ofd => "ofd",
            MediaType::Jpeg => "jpeg",
            MediaType::Png => "png",
            MediaType::Docx => "docx",
            MediaType::Xlsx => "xlsx",
        }
    }

    /// The type by its stored name.
    pub fn from_name(name: &str) -> Option<MediaType> {
        MediaType::ALL.into_iter().find(|t| t.as_str() == name)
    }

    /// The MIME type a download is served with.
    pub fn mime(self) -> &'static str {
        match self {
            MediaType::Pdf => "application/pdf",
            MediaType::Ofd => "application/ofd",
            MediaType::Jpeg => "image/jpeg",
            MediaType::Png => "image/png",
            MediaType::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            MediaType::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }

    /// The file extension a download is named with.
    pub fn extension(self) -> &'static str {
        match self {
            MediaType::Jpeg => "jpg",
            other => other.as_str(),
        }
    }
}

/// 可执行文件 — what kind of program a refused file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Executable {
    /// Linux and Unix programs (ELF).
    Elf,
    /// Windows programs and libraries (MZ / PE).
    Windows,
    /// macOS programs (Mach-O), or a Java class file (the same magic).
    MachO,
    /// WebAssembly.
    WebAssembly,
    /// A script (`#!`).
    Script,
    /// A Word or Excel file with macros (`vbaProject.bin`).
    OfficeMacros,
}

impl Executable {
    /// In Chinese.
    pub fn zh(self) -> &'static str {
        match self {
            Executable::Elf => "Linux 可执行程序（ELF）",
            Executable::Windows => "Windows 可执行程序（EXE/DLL）",
            Executable::MachO => "macOS 可执行程序或 Java 类文件",
            Executable::WebAssembly => "WebAssembly 程序",
            Executable::Script => "脚本文件",
            Executable::OfficeMacros => "含宏的 Office 文件",
        }
    }

    /// In English.
    pub fn en(self) -> &'static str {
        match self {
            Executable::Elf => "an ELF executable",
            Executable::Windows => "a Windows executable (MZ/PE)",
            Executable::MachO => "a Mach-O executable or Java class file",
            Executable::WebAssembly => "a WebAssembly module",
            Executable::Script => "a script (#!)",
            Executable::OfficeMacros => "an Office file with macros",
        }
    }
}

/// Why a material was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MaterialError {
    /// No bytes.
    #[error("the file is empty")]
    Empty,
    /// Over the size limit.
    #[error("the file has {size} bytes, over the limit of {limit}")]
    TooLarge {
        /// Its size (or at least this many bytes, when it was cut off at the limit).
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// The content is a program, whatever its name says.
    #[error("the content is {}, not a document", kind.en())]
    Executable {
        /// What kind.
        kind: Executable,
    },
    /// The content is not one of the accepted types.
    #[error("the content ({what}) is not an accepted type (PDF, OFD, JPEG, PNG, DOCX, XLSX)")]
    NotAllowed {
        /// What it looks like, in English.
        what: &'static str,
    },
    /// The name is not a material of the item's guide.
    #[error("{name:?} is not a material of the item's guide")]
    UnknownName {
        /// The name given.
        name: String,
        /// The guide's materials.
        listed: Vec<String>,
    },
    /// The name is empty or too long.
    #[error("a material name has 1 to 100 characters")]
    BadName,
    /// The validity ends before today.
    #[error("valid until {valid_until}, before today {today}")]
    Expired {
        /// The given end of validity.
        valid_until: NaiveDate,
        /// Today.
        today: NaiveDate,
    },
}

impl MaterialError {
    /// The message in Chinese, for end users.
    pub fn zh(&self) -> String {
        match self {
            MaterialError::Empty => "上传的文件为空".to_owned(),
            MaterialError::TooLarge { limit, .. } => {
                format!("上传的材料超过单个文件大小上限（{}），未保存", size_zh(*limit))
            }
            MaterialError::Executable { kind } => format!(
                "文件内容是{}，不是申请材料，拒绝接收（文件类型按内容识别，与文件名无关）",
                kind.zh()
            ),
            MaterialError::NotAllowed { .. } => "文件内容不是可接收的材料格式（仅接收 PDF、OFD、JPEG、PNG、DOCX、XLSX；按内容识别，与文件名无关）".to_owned(),
            MaterialError::UnknownName { name, listed } => format!(
                "“{name}”不是该事项办事指南所列的申请材料；可提交的材料为：{}",
                listed.join("、")
            ),
            MaterialError::BadName => "材料名称应为1至100个字符".to_owned(),
            MaterialError::Expired { valid_until, today } => {
                format!("材料有效期至{valid_until}，早于今天{today}，不能作为有效材料提交")
            }
        }
    }
}

/// A size in Chinese (`20 MB`, `512 KB`).
fn size_zh(bytes: u64) -> String {
    const MIB: u64 = 1024 * 1024;
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MB", bytes / MIB)
    } else if bytes >= 1024 {
        format!("{} KB", bytes / 1024)
    } else {
        format!("{bytes} 字节")
    }
}

/// Refuses a material over `limit` bytes.
pub fn check_size(size: u64, limit: u64) -> Result<(), MaterialError> {
    if size == 0 {
        return Err(MaterialError::Empty);
    }
    if size > limit {
        return Err(MaterialError::TooLarge { size, limit });
    }
    Ok(())
}

/// The type of a material, read from its bytes; refused when it is a program or not on the
/// allow-list (see the module's documentation).
pub fn detect(bytes: &[u8]) -> Result<MediaType, MaterialError> {
    if bytes.is_empty() {
        return Err(MaterialError::Empty);
    }
    if let Some(kind) = executable(bytes) {
        return Err(MaterialError::Executable { kind });
    }
    if bytes.starts_with(b"%PDF-") {
        return Ok(MediaType::Pdf);
    }
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Ok(MediaType::Jpeg);
    }
    if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        return Ok(MediaType::Png);
    }
    if bytes.starts_with(b"PK\x03\x04") {
        return package(bytes);
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        return Err(MaterialError::NotAllowed { what: "a legacy Office file (.doc/.xls)" });
    }
    Err(MaterialError::NotAllowed { what: "an unknown format" })
}

/// The kind of program `bytes` is, by its magic number.
fn executable(bytes: &[u8]) -> Option<Executable> {
    const MACH_O: [[u8; 4]; 5] = [
        [0xFE, 0xED, 0xFA, 0xCE],
        [0xFE, 0xED, 0xFA, 0xCF],
        [0xCE, 0xFA, 0xED, 0xFE],
        [0xCF, 0xFA, 0xED, 0xFE],
        [0xCA, 0xFE, 0xBA, 0xBE],
    ];
    if bytes.starts_with(b"\x7FELF") {
        Some(Executable::Elf)
    } else if bytes.starts_with(b"MZ") {
        Some(Executable::Windows)
    } else if MACH_O.iter().any(|m| bytes.starts_with(m)) {
        Some(Executable::MachO)
    } else if bytes.starts_with(b"\0asm") {
        Some(Executable::WebAssembly)
    } else if bytes.starts_with(b"#!") || bytes.starts_with(b"\xEF\xBB\xBF#!") {
        Some(Executable::Script)
    } else {
        None
    }
}

/// A zip package: OFD, DOCX or XLSX by the entries of its central directory, else refused.
fn package(bytes: &[u8]) -> Result<MediaType, MaterialError> {
    let Some(names) = zip_entry_names(bytes) else {
        return Err(MaterialError::NotAllowed { what: "a damaged zip archive" });
    };
    let has = |wanted: &[u8]| names.contains(&wanted);
    if names.iter().any(|n| n.ends_with(b"vbaProject.bin")) {
        return Err(MaterialError::Executable { kind: Executable::OfficeMacros });
    }
    if has(b"OFD.xml") {
        return Ok(MediaType::Ofd);
    }
    if has(b"[Content_Types].xml") {
        if has(b"word/document.xml") {
            return Ok(MediaType::Docx);
        }
        if has(b"xl/workbook.xml") {
            return Ok(MediaType::Xlsx);
        }
    }
    Err(MaterialError::NotAllowed { what: "a zip archive" })
}

/// The entry names of a zip file's central directory, or `None` when there is none to read
/// (no end record, offsets outside the file, a ZIP64 archive, more than 65,535 entries).
fn zip_entry_names(bytes: &[u8]) -> Option<Vec<&[u8]>> {
    const EOCD: &[u8] = b"PK\x05\x06";
    const CENTRAL: &[u8] = b"PK\x01\x02";
    let u16_at = |at: usize| -> Option<usize> {
        bytes.get(at..at + 2).map(|b| usize::from(u16::from_le_bytes([b[0], b[1]])))
    };
    let u32_at = |at: usize| -> Option<usize> {
        bytes
            .get(at..at + 4)
            .and_then(|b| usize::try_from(u32::from_le_bytes([b[0], b[1], b[2], b[3]])).ok())
    };
    // The end record is the last 22 bytes, unless a comment (up to 65,535 bytes) follows it.
    let last = bytes.len().checked_sub(22)?;
    let first = last.saturating_sub(65_535);
    let end = (first..=last).rev().find(|&at| bytes[at..].starts_with(EOCD))?;
    let entries = u16_at(end + 10)?;
    let size = u32_at(end + 12)?;
    let offset = u32_at(end + 16)?;
    if offset.checked_add(size)? > end {
        return None;
    }
    let mut names = Vec::with_capacity(entries.min(1024));
    let mut at = offset;
    for _ in 0..entries {
        if !bytes.get(at..)?.starts_with(CENTRAL) {
            return None;
        }
        let name_len = u16_at(at + 28)?;
        let extra_len = u16_at(at + 30)?;
        let comment_len = u16_at(at + 32)?;
        names.push(bytes.get(at + 46..at + 46 + name_len)?);
        at += 46 + name_len + extra_len + comment_len;
    }
    Some(names)
}

/// The name a material is filed under: one of the item's guide materials (申请材料目录) or of
/// the materials a 容缺受理 accepted as missing when the guide lists any, else any name of 1 to
/// 100 characters.
pub fn material_name(
    raw: &str,
    guide: &[Material],
    missing: &[String],
) -> Result<String, MaterialError> {
    let name = raw.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(MaterialError::BadName);
    }
    if guide.is_empty() || guide.iter().any(|m| m.name == name) || missing.iter().any(|m| m == name)
    {
        return Ok(name.to_owned());
    }
    Err(MaterialError::UnknownName {
        name: name.to_owned(),
        listed: guide.iter().map(|m| m.name.clone()).collect(),
    })
}

/// Refuses a validity that ended before `today`.
pub fn check_valid_until(
    valid_until: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<(), MaterialError> {
    match valid_until {
        Some(day) if day < today => Err(MaterialError::Expired { valid_until: day, today }),
        _ => Ok(()),
    }
}

/// 办件材料 — a material as filed with one case: its name, the content it refers to (by
/// digest), when it was filed and after which step, and until when it stays valid for reuse.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CaseMaterial {
    /// The case.
    pub case: CaseId,
    /// 材料名称 (from the item's guide where it lists materials).
    pub name: String,
    /// The content's SM3 digest.
    pub digest: MaterialDigest,
    /// Its size in bytes.
    pub size: u64,
    /// Its type, as detected from the content.
    pub media_type: MediaType,
    /// When it was filed.
    pub attached_at: DateTime<Utc>,
    /// The case's step count when it was filed (it belongs after that step of the timeline).
    pub at_step: u32,
    /// 有效期至; `None` when no end of validity was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<NaiveDate>,
    /// The earlier case of the same applicant it was reused from (once-only), when it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reused_from: Option<CaseId>,
}

impl CaseMaterial {
    /// Whether it may still be reused on `day`.
    pub fn valid_on(&self, day: NaiveDate) -> bool {
        self.valid_until.is_none_or(|end| day <= end)
    }
}

/// What a case still lacks: the guide's required materials not filed (leaving out those the
/// government obtains by data sharing, 免提交) and the materials a 容缺受理 accepted as missing,
/// in the guide's order, then the 容缺 list's.
pub fn still_missing(
    guide: &[Material],
    missing_promised: &[String],
    filed: &[CaseMaterial],
) -> Vec<String> {
    let filed_name = |name: &str| filed.iter().any(|m| m.name == name);
    let mut out: Vec<String> = guide
        .iter()
        .filter(|m| m.required && !m.shared && !filed_name(&m.name))
        .map(|m| m.name.clone())
        .collect();
    for name in missing_promised {
        if !filed_name(name) && !out.contains(name) {
            out.push(name.clone());
        }
    }
    out
}

/// 容缺材料补齐 — when every material a 容缺受理 accepted as missing is filed (blank names
/// aside), the names and the instant the last of them was first filed; `None` while one is
/// still missing or nothing was promised.
pub fn promised_supplied(
    missing_promised: &[String],
    filed: &[CaseMaterial],
) -> Option<(Vec<String>, DateTime<Utc>)> {
    let mut names = Vec::new();
    let mut last = None;
    for name in missing_promised.iter().map(|n| n.trim()).filter(|n| !n.is_empty()) {
        let first = filed.iter().filter(|m| m.name == name).map(|m| m.attached_at).min()?;
        last = last.max(Some(first));
        names.push(name.to_owned());
    }
    Some((names, last?))
}

#[cfg(test)]
mod tests;
