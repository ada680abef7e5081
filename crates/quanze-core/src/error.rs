//! Errors and findings. A [`ValidationError`] rejects an input outright; an [`Issue`] is a
//! finding about otherwise well-formed data (a warning in a draft, blocking on publication).

use std::fmt;

/// Why a value failed to parse. Messages are English (logs); [`ValidationError::zh`] gives the
/// Chinese text shown to users.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValidationError {
    /// A required value was empty.
    #[error("{field} must not be empty")]
    Empty {
        /// Which field.
        field: &'static str,
    },
    /// The value has the wrong length.
    #[error("{field} must be {expected} characters long, got {got}: {value:?}")]
    Length {
        /// Which field.
        field: &'static str,
        /// Expected length.
        expected: usize,
        /// Actual length.
        got: usize,
        /// The offending value.
        value: String,
    },
    /// The value contains a character outside its alphabet.
    #[error("{field} contains the invalid character {ch:?} at position {pos}: {value:?}")]
    Charset {
        /// Which field.
        field: &'static str,
        /// The character.
        ch: char,
        /// 1-based position.
        pos: usize,
        /// The offending value.
        value: String,
    },
    /// The value is well-formed but not allowed (an unknown category, an impossible region code).
    #[error("{field}: {reason}: {value:?}")]
    Invalid {
        /// Which field.
        field: &'static str,
        /// What is wrong, in English.
        reason: &'static str,
        /// What is wrong, in Chinese.
        reason_zh: &'static str,
        /// The offending value.
        value: String,
    },
    /// The value is too long.
    #[error("{field} must be at most {max} characters")]
    TooLong {
        /// Which field.
        field: &'static str,
        /// Maximum length in characters.
        max: usize,
    },
}

impl ValidationError {
    /// The message in Chinese, for end users.
    pub fn zh(&self) -> String {
        match self {
            ValidationError::Empty { field } => format!("{}不能为空", field_zh(field)),
            ValidationError::Length { field, expected, got, value } => {
                format!("{}应为{expected}位，实际为{got}位：{value}", field_zh(field))
            }
            ValidationError::Charset { field, ch, pos, value } => {
                format!("{}第{pos}位含有非法字符“{ch}”：{value}", field_zh(field))
            }
            ValidationError::Invalid { field, reason_zh, value, .. } => {
                format!("{}{reason_zh}：{value}", field_zh(field))
            }
            ValidationError::TooLong { field, max } => {
                format!("{}不能超过{max}个字符", field_zh(field))
            }
        }
    }
}

/// The Chinese label of a field name used in errors and issues.
pub fn field_zh(field: &str) -> &str {
    match field {
        "region_code" => "行政区划代码",
        "credit_code" => "统一社会信用代码",
        "org_code" => "组织机构代码",
        "id_number" => "公民身份号码",
        "base_code" => "基本编码",
        "impl_code" => "实施编码",
        "category" => "事项类型",
        "name" => "事项名称",
        "sub_item" => "子项",
        "legal_basis" => "设定依据",
        "holder" => "实施主体",
        "handling_office" => "承办机构",
        "cooperation" => "配合部门",
        "responsibilities" => "责任事项",
        "accountability" => "追责情形",
        "source" => "权力来源",
        "level" => "行使层级",
        "law_level" => "法规",
        "service" => "服务信息",
        "remarks" => "备注",
        "local_code" => "地方编码",
        "username" => "用户名",
        "password" => "密码",
        "tag" => "标签",
        "unit_name" => "单位名称",
        "doc_no" => "文号",
        "time_limit" => "办理时限",
        "certificate" => "执法证号",
        "grant" => "赋权依据",
        "digest" => "材料摘要（SM3）",
        "title" => "标题",
        "issuer" => "制定机关",
        "in_force_from" => "施行日期",
        "in_force_until" => "废止日期",
        "effective_on" => "生效日期",
        "until" => "截止日期",
        "reason" => "理由",
        "basis" => "依据",
        "proposed" => "修改意见",
        "answer" => "答复",
        "display_name" => "姓名",
        other => other,
    }
}

/// How serious a finding is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Allowed in a draft, but blocks publication.
    Warning,
    /// Never allowed.
    Error,
}

/// 问题 — one finding about an item or a list, with a stable code, the field it concerns and
/// messages in Chinese and English.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Issue {
    /// Stable machine code, e.g. `no_legal_basis`.
    pub code: String,
    /// How serious it is.
    pub severity: Severity,
    /// The field concerned (English identifier).
    pub field: String,
    /// Message for users, in Chinese.
    pub message_zh: String,
    /// Message for logs, in English.
    pub message_en: String,
}

impl Issue {
    /// A new finding.
    pub fn new(
        code: &str,
        severity: Severity,
        field: &str,
        message_zh: impl Into<String>,
        message_en: impl Into<String>,
    ) -> Issue {
        Issue {
            code: code.to_owned(),
            severity,
            field: field.to_owned(),
            message_zh: message_zh.into(),
            message_en: message_en.into(),
        }
    }
}

/// Findings that warn and never block publication or a verdict (domain.md §4): a credit
/// code failing its check digit (early pilot codes do, and are legal), a law not yet in the
/// registry (its force cannot be confirmed, but it may well be in force), the removal of an
/// item whose legal basis is still in force (the reviewer decides, with the reason).
pub const ADVISORY_CODES: [&str; 4] =
    ["impl_code_credit_check", "credit_code_check", "law_unknown", "removal_basis_in_force"];

impl Issue {
    /// Whether the finding blocks publication and a passing verdict: every error, and every
    /// warning but the advisory ones ([`ADVISORY_CODES`]).
    pub fn blocks(&self) -> bool {
        self.severity == Severity::Error || !ADVISORY_CODES.contains(&self.code.as_str())
    }
}

impl fmt::Display for Issue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.message_en, self.code)
    }
}
