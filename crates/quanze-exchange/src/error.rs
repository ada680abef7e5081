//! Errors that stop an import or export, and problems found in an otherwise readable file.

use quanze_core::Severity;

/// 导入问题 — one finding about an imported workbook, located the way a user finds it in Excel.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Problem {
    /// The sheet name.
    pub sheet: String,
    /// The row number as Excel shows it (1-based); `None` for a problem about the whole sheet.
    pub row: Option<u32>,
    /// The column's header text as written in the file (e.g. 法律依据); `None` for a whole row.
    pub column: Option<String>,
    /// Errors stop a real import; warnings are shown and allowed in a draft.
    pub severity: Severity,
    /// Stable machine code, e.g. `unknown_unit`.
    pub code: String,
    /// Message for users.
    pub message_zh: String,
    /// Message for logs.
    pub message_en: String,
}

impl Problem {
    /// Whether this problem stops a real import.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Why a file could not be read at all. [`ImportError::zh`] gives the text for users.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file is larger than the configured cap; nothing was parsed.
    #[error("file is {size} bytes, more than the limit of {max} bytes")]
    TooLarge {
        /// Size of the file.
        size: u64,
        /// The cap.
        max: u64,
    },
    /// The file has no bytes.
    #[error("file is empty")]
    EmptyFile,
    /// An OLE compound file holding an encrypted package: Excel's password protection.
    #[error("the workbook is password-protected; remove the password and save it again")]
    Encrypted,
    /// An OLE compound file that is not encrypted: an Excel 97-2003 workbook (.xls).
    #[error("this is an Excel 97-2003 (.xls) file; save it as .xlsx")]
    LegacyXls,
    /// Not a zip archive, so not an xlsx file.
    #[error("not an xlsx file")]
    NotXlsx,
    /// A zip archive without a workbook part.
    #[error("the zip archive holds no Excel workbook")]
    NoWorkbook,
    /// The archive or its XML is damaged (truncated download, broken copy).
    #[error("the xlsx file is damaged: {0}")]
    Corrupt(String),
    /// The archive expands past a decompression limit (a zip bomb, or a workbook far larger
    /// than any list): nothing was parsed.
    #[error("the workbook expands past the limit: {0}")]
    Expands(Expansion),
    /// The workbook has no sheet with any cell.
    #[error("the workbook has no data")]
    EmptyWorkbook,
    /// A CSV file that is not valid UTF-8 or not valid CSV.
    #[error("not a readable UTF-8 CSV file: {0}")]
    Csv(String),
    /// A JSON file that does not hold a list of items.
    #[error("not a JSON list of items: {0}")]
    Json(String),
}

impl ImportError {
    /// The message in Chinese, for end users.
    pub fn zh(&self) -> String {
        match self {
            ImportError::TooLarge { size, max } => format!(
                "文件大小为{:.1} MB，超过上限{:.1} MB，请拆分后再导入",
                *size as f64 / 1_048_576.0,
                *max as f64 / 1_048_576.0
            ),
            ImportError::EmptyFile => "文件为空".to_owned(),
            ImportError::Encrypted => {
                "工作簿设有打开密码，无法读取。请在 Excel 中取消密码后重新保存再导入".to_owned()
            }
            ImportError::LegacyXls => {
                "这是 Excel 97-2003 格式（.xls）的文件，请在 Excel 中另存为 .xlsx 后再导入"
                    .to_owned()
            }
            ImportError::NotXlsx => "不是 Excel 工作簿（.xlsx）文件".to_owned(),
            ImportError::NoWorkbook => {
                "压缩包中没有 Excel 工作簿内容，不是有效的 .xlsx 文件".to_owned()
            }
            // The reader's own words stay in the log (`Display`), not in the user's message.
            ImportError::Corrupt(_) => {
                "文件已损坏（可能下载不完整或不是 Excel 保存的文件），无法读取，请重新保存后再导入"
                    .to_owned()
            }
            ImportError::Expands(e) => format!("{}，未读取。请检查文件或拆分后再导入", e.zh()),
            ImportError::EmptyWorkbook => "工作簿中没有任何数据".to_owned(),
            ImportError::Csv(detail) => format!("不是可读取的 UTF-8 编码 CSV 文件：{detail}"),
            ImportError::Json(detail) => format!("不是有效的事项 JSON 文件：{detail}"),
        }
    }
}

/// Which decompression limit an archive passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Expansion {
    /// More entries than any workbook has.
    #[error("more than {max} entries")]
    Entries {
        /// The most entries.
        max: usize,
    },
    /// More bytes once decompressed than the budget.
    #[error("more than {max} bytes once decompressed")]
    Bytes {
        /// The most bytes.
        max: u64,
    },
    /// A sheet whose cells span more rows times columns than the reader may lay out.
    #[error("a sheet spans more than {max} cells")]
    Cells {
        /// The most cells.
        max: u64,
    },
    /// An entry far larger than its compressed size.
    #[error("an entry expands more than {max} times")]
    Ratio {
        /// The largest ratio.
        max: u64,
    },
}

impl Expansion {
    /// The message for users.
    pub fn zh(&self) -> String {
        match self {
            Expansion::Entries { max } => format!("压缩包内文件超过{max}个"),
            Expansion::Bytes { max } => {
                format!("工作簿解压后超过{:.0} MB", *max as f64 / 1_048_576.0)
            }
            Expansion::Cells { max } => {
                format!("工作表的单元格范围超过{}万个（首末行列相距过远）", max / 10_000)
            }
            Expansion::Ratio { max } => {
                format!("压缩包内有文件解压后膨胀超过{max}倍（疑似压缩炸弹）")
            }
        }
    }
}

/// Why an export failed.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The xlsx writer refused the data (too many rows for one sheet, and the like).
    #[error("cannot write xlsx: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    /// The CSV writer failed.
    #[error("cannot write csv: {0}")]
    Csv(#[from] csv::Error),
    /// JSON serialisation failed.
    #[error("cannot write json: {0}")]
    Json(#[from] serde_json::Error),
    /// An item names a unit the directory does not know, so its name cannot be written.
    #[error("unit {0} is not in the unit directory")]
    UnknownUnit(quanze_core::UnitId),
}

impl ExportError {
    /// The message in Chinese, for end users.
    pub fn zh(&self) -> String {
        match self {
            ExportError::Xlsx(e) => format!("生成 Excel 文件失败：{e}"),
            ExportError::Csv(e) => format!("生成 CSV 文件失败：{e}"),
            ExportError::Json(e) => format!("生成 JSON 文件失败：{e}"),
            ExportError::UnknownUnit(id) => format!("单位目录中没有编号为 {id} 的单位"),
        }
    }
}
