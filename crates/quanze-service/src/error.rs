//! The one error type of the use cases, with stable codes and messages in Chinese and English.
//!
//! Every code is in one table, [`ErrorCode`]; each error type of the core maps into it here, in
//! one exhaustive `match` per type, so a new core error cannot go without a code.

mod codes;

use quanze_core::workflow::FlowError;
use quanze_core::{ChangeSetError, EstablishmentError, Issue, ValidationError};
use quanze_store::StoreError;

pub use codes::ErrorCode;

/// A problem found in an uploaded file, with where it is.
pub use quanze_exchange::Problem;

/// What a use case can fail with. `code()` is stable (API clients rely on it) and gives the
/// HTTP status; `zh()` is for users; `Display` is English, for logs.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// A field failed to parse.
    #[error("invalid input: {0}")]
    Invalid(#[from] ValidationError),
    /// A request is well-formed but breaks a rule (with the findings).
    #[error("rejected: {message_en}")]
    Rejected {
        /// Stable code.
        code: ErrorCode,
        /// Chinese message.
        message_zh: String,
        /// English message.
        message_en: String,
        /// Findings behind the rejection (publication blockers, ...).
        issues: Vec<Issue>,
    },
    /// An uploaded file had errors; nothing was stored.
    #[error("the file has {} problem(s); nothing was stored", problems.len())]
    ImportProblems {
        /// Every problem found.
        problems: Vec<Problem>,
    },
    /// An uploaded file could not be read at all.
    #[error("unreadable file: {0}")]
    File(#[from] quanze_exchange::ImportError),
    /// The subject does not exist.
    #[error("not found: {0}")]
    NotFound(String),
    /// Conflicts with stored state.
    #[error("conflict: {0}")]
    Conflict(String),
    /// No or bad credentials.
    #[error("not authenticated")]
    Unauthenticated,
    /// The account is locked by an administrator, until the instant given.
    #[error("account locked until {0}")]
    Locked(chrono::DateTime<chrono::Utc>),
    /// Too many failed sign-ins: this address or this account name waits until the instant.
    #[error("too many failed sign-ins; wait until {0}")]
    Throttled(chrono::DateTime<chrono::Utc>),
    /// Too many writes from this address or caller: wait this many seconds.
    #[error("too many writes; wait {0} s")]
    RateLimited(u64),
    /// The password was right; the sign-in continues with a second factor.
    #[error("a second factor is required")]
    SecondFactor(Box<crate::second_factor::SecondFactorNeeded>),
    /// The user lacks the role for this action.
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// The store failed.
    #[error(transparent)]
    Store(StoreError),
    /// Anything else (a bug); logged, never shown in detail.
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<StoreError> for ServiceError {
    fn from(err: StoreError) -> ServiceError {
        match err {
            StoreError::NotFound(what) => ServiceError::NotFound(what),
            StoreError::Conflict(what) => ServiceError::Conflict(what),
            other => ServiceError::Store(other),
        }
    }
}

impl From<ChangeSetError> for ServiceError {
    fn from(err: ChangeSetError) -> ServiceError {
        ServiceError::Rejected {
            code: ErrorCode::from(&err),
            message_zh: err.zh(),
            message_en: err.to_string(),
            issues: vec![],
        }
    }
}

/// A free text field checked (`quanze_core::text::check_text`) and trimmed: at most `max`
/// characters, no control characters (line breaks where `lines`), no bidi controls; the
/// refusal names the field.
pub fn checked_text(
    field: &'static str,
    text: &str,
    max: usize,
    lines: bool,
) -> ServiceResult<String> {
    let text = text.trim();
    quanze_core::text::check_text(text, max, lines).map_err(|e| {
        ServiceError::rejected(
            ErrorCode::InvalidInput,
            format!("{}{}", quanze_core::error::field_zh(field), e.zh()),
            format!("{field}: {e}"),
        )
    })?;
    Ok(text.to_owned())
}

impl ServiceError {
    /// A rule violation without findings.
    pub fn rejected(code: ErrorCode, zh: impl Into<String>, en: impl Into<String>) -> ServiceError {
        ServiceError::Rejected {
            code,
            message_zh: zh.into(),
            message_en: en.into(),
            issues: vec![],
        }
    }

    /// The stable error code.
    pub fn code(&self) -> ErrorCode {
        match self {
            ServiceError::Invalid(_) => ErrorCode::InvalidInput,
            ServiceError::Rejected { code, .. } => *code,
            ServiceError::ImportProblems { .. } => ErrorCode::ImportProblems,
            ServiceError::File(e) => import_error_code(e),
            ServiceError::NotFound(_) => ErrorCode::NotFound,
            ServiceError::Conflict(_) => ErrorCode::Conflict,
            ServiceError::Unauthenticated => ErrorCode::Unauthenticated,
            ServiceError::Locked(_) => ErrorCode::AccountLocked,
            ServiceError::Throttled(_) => ErrorCode::SignInThrottled,
            ServiceError::SecondFactor(_) => ErrorCode::SecondFactorRequired,
            ServiceError::RateLimited(_) => crate::rate::CODE,
            ServiceError::Forbidden(_) => ErrorCode::Forbidden,
            ServiceError::Store(_) | ServiceError::Internal(_) => ErrorCode::Internal,
        }
    }

    /// The message for users, in Chinese.
    pub fn zh(&self) -> String {
        match self {
            ServiceError::Invalid(e) => e.zh(),
            ServiceError::Rejected { message_zh, .. } => message_zh.clone(),
            ServiceError::ImportProblems { problems } => {
                format!("文件中有{}处问题，未保存任何内容。请修改后重新导入。", problems.len())
            }
            ServiceError::File(e) => e.zh(),
            ServiceError::NotFound(what) => format!("未找到：{what}"),
            ServiceError::Conflict(what) => format!("与已有数据冲突：{what}"),
            ServiceError::Unauthenticated => "未登录或令牌无效，请先登录".to_owned(),
            ServiceError::Locked(_) => "账号已被管理员锁定，请联系系统管理员解锁".to_owned(),
            ServiceError::Throttled(until) => format!(
                "登录失败次数过多，请于北京时间{}后再试",
                crate::beijing_time(*until).format("%H:%M:%S")
            ),
            ServiceError::RateLimited(seconds) => crate::rate::zh(*seconds),
            ServiceError::SecondFactor(need) if need.enrol => {
                "密码正确。该账号的角色须使用动态口令，请先登记动态口令".to_owned()
            }
            ServiceError::SecondFactor(_) => "密码正确，请输入动态口令以完成登录".to_owned(),
            ServiceError::Forbidden(what) => format!("没有权限：{what}"),
            ServiceError::Store(_) | ServiceError::Internal(_) => {
                "系统内部错误，请稍后重试或联系管理员".to_owned()
            }
        }
    }
}

/// The stable code of a file that could not be read.
pub fn import_error_code(err: &quanze_exchange::ImportError) -> ErrorCode {
    use quanze_exchange::ImportError as E;
    match err {
        E::TooLarge { .. } | E::Expands(_) => ErrorCode::FileTooLarge,
        E::EmptyFile | E::EmptyWorkbook => ErrorCode::FileEmpty,
        E::Encrypted => ErrorCode::FileEncrypted,
        E::LegacyXls => ErrorCode::FileLegacyXls,
        E::NotXlsx | E::NoWorkbook => ErrorCode::FileNotXlsx,
        E::Corrupt(_) => ErrorCode::FileCorrupt,
        E::Csv(_) | E::Json(_) => ErrorCode::FileUnreadable,
    }
}

impl From<&ChangeSetError> for ErrorCode {
    fn from(err: &ChangeSetError) -> ErrorCode {
        match err {
            ChangeSetError::Flow(flow) => match flow {
                FlowError::WrongStage { .. }
                | FlowError::NotACountersigner(_)
                | FlowError::MissingReason
                | FlowError::NotEarlier { .. }
                | FlowError::NothingToUrge => ErrorCode::WrongStage,
                FlowError::NoRoundYet => ErrorCode::NoRoundYet,
                FlowError::TooManyRounds { .. } => ErrorCode::TooManyRounds,
                FlowError::UnresolvedOpinions(_) => ErrorCode::UnresolvedOpinions,
                FlowError::UnansweredComments(_) => ErrorCode::UnansweredComments,
                FlowError::CommentPeriodOpen(_) => ErrorCode::CommentPeriodOpen,
                FlowError::ReviewNotPassed(_) => ErrorCode::ReviewNotPassed,
                FlowError::MissingCountersignatures(_) => ErrorCode::MissingCountersignatures,
            },
            ChangeSetError::Opinion(_) => ErrorCode::OpinionRefused,
            ChangeSetError::Review(_) => ErrorCode::VerdictRefused,
            ChangeSetError::Revision(_) => ErrorCode::InvalidChange,
            ChangeSetError::BadPeriod(_) => ErrorCode::BadCommentPeriod,
            ChangeSetError::NobodyToAsk => ErrorCode::NobodyToAsk,
        }
    }
}

impl From<&EstablishmentError> for ErrorCode {
    fn from(err: &EstablishmentError) -> ErrorCode {
        match err {
            EstablishmentError::UnknownUnit(_) => ErrorCode::UnknownUnit,
            EstablishmentError::NotATown(_) => ErrorCode::NotATown,
            EstablishmentError::TooManyBodies { .. } => ErrorCode::TooManyBodies,
            EstablishmentError::UnnamedBody { .. } => ErrorCode::UnnamedBody,
            EstablishmentError::DuplicateBody { .. } => ErrorCode::DuplicateBody,
            EstablishmentError::IncreaseWithoutApproval { .. } => {
                ErrorCode::QuotaIncreaseWithoutApproval
            }
            EstablishmentError::DuplicateQuota { .. } => ErrorCode::DuplicateQuota,
            EstablishmentError::EmptyAdjustment => ErrorCode::EmptyAdjustment,
            EstablishmentError::NotSeconded(_) => ErrorCode::NotSeconded,
            EstablishmentError::NotADepartment(_) => ErrorCode::NotADepartment,
            EstablishmentError::BadAppraisalShare(_) => ErrorCode::BadAppraisalShare,
            EstablishmentError::NoSecondment(_) => ErrorCode::NoSecondment,
        }
    }
}

/// Result of a use case.
pub type ServiceResult<T> = Result<T, ServiceError>;

#[cfg(test)]
mod tests;
