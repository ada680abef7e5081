//! The table of stable error codes: every code an API answer can carry, with its HTTP status and
//! its generic message in Chinese and English.
//!
//! An error carries a specific message (naming the row, the item, the article); the message here
//! is the generic one of its code, for documentation and for clients that show no details.
//! `docs/errors.md` is generated from this table and a snapshot test pins it: adding, changing or
//! removing a code is a visible diff.
//! The variant is the CamelCase of the code, so a code can be found from either spelling.

use std::fmt;

/// Defines [`ErrorCode`] and its accessors from one table.
///
/// Each line is `Variant = "code", status, "中文", "English";`, with `status | other | ...`
/// where a code is answered with more than one status.
macro_rules! error_codes {
    ($(
        $(#[doc = $doc:literal])+
        $variant:ident = $code:literal, $status:literal $(| $other:literal)*, $zh:literal, $en:literal;
    )+) => {
        /// 错误代码 — a stable error code of the API.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum ErrorCode {
            $(
                $(#[doc = $doc])+
                $variant,
            )+
        }

        impl ErrorCode {
            /// Every code, in table order.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant),+];

            /// The code as it appears on the wire (snake_case).
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $code,)+
                }
            }

            /// The HTTP status the code is answered with.
            pub const fn status(self) -> u16 {
                match self {
                    $(ErrorCode::$variant => $status,)+
                }
            }

            /// Other HTTP statuses the code is answered with in some cases (most codes have none).
            pub const fn other_statuses(self) -> &'static [u16] {
                match self {
                    $(ErrorCode::$variant => &[$($other),*],)+
                }
            }

            /// The generic message in Chinese.
            pub const fn zh(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $zh,)+
                }
            }

            /// The generic message in English.
            pub const fn en(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $en,)+
                }
            }
        }
    };
}

error_codes! {
    // General.
    /// A field failed to parse (a name too long, a malformed id or date).
    InvalidInput = "invalid_input", 422, "输入内容不正确", "invalid input";
    /// The subject of the request does not exist.
    NotFound = "not_found", 404, "未找到", "not found";
    /// The request conflicts with stored data (a duplicate, or a stale version).
    Conflict = "conflict", 409, "与已有数据冲突", "conflict with stored data";
    /// A failure inside the server; details are logged, never shown.
    Internal = "internal", 500, "系统内部错误，请稍后重试或联系管理员", "internal error";

    // Requests (answered by the web layer before any use case runs).
    /// An id in the path is malformed.
    InvalidId = "invalid_id", 400, "路径中的编号格式不正确", "invalid id in the path";
    /// A query parameter is malformed or a combination of them is not allowed.
    InvalidQuery = "invalid_query", 400, "查询参数不正确", "invalid query parameters";
    /// The request body cannot be read: 422 for JSON that does not fit, 400 for a note that is
    /// not UTF-8, 413 for a JSON body over the limit, 415 without a JSON content type.
    InvalidBody = "invalid_body", 422 | 400 | 413 | 415, "请求内容不正确", "invalid request body";
    /// The request body is over the limit of its endpoint.
    BodyTooLarge = "body_too_large", 413, "请求内容过大", "request body too large";
    /// The path exists, but not with this method (the `Allow` header lists those it has).
    MethodNotAllowed = "method_not_allowed", 405, "该地址不支持此请求方法", "method not allowed";
    /// The address is longer than the server reads (32 KiB).
    UriTooLong = "uri_too_long", 414, "请求地址过长", "URI too long";
    /// The request's headers are larger than the server reads (32 KiB in all).
    HeadersTooLarge = "headers_too_large", 431, "请求头过大", "request headers too large";
    /// A region of a batch of regions is invalid.
    InvalidRegion = "invalid_region", 422, "行政区划不正确", "invalid region";
    /// A role given to a user does not exist.
    InvalidRole = "invalid_role", 422, "角色不存在", "unknown role";

    // Accounts.
    /// No bearer token, or a bad one, or a wrong password.
    Unauthenticated = "unauthenticated", 401, "未登录或令牌无效，请先登录", "not authenticated";
    /// The account is locked by an administrator (its sessions and tokens ended with the lock).
    AccountLocked = "account_locked", 403, "账号已被锁定", "account locked";
    /// Too many failed sign-ins from this address, or for this account from an address it has
    /// not signed in from: wait (`Retry-After`), the wait growing with each failure.
    SignInThrottled = "sign_in_throttled", 429, "登录尝试过于频繁，请稍后再试", "too many sign-in attempts; wait";
    /// Too many requests of this kind from one address (public comments): wait and send again.
    RateLimited = "rate_limited", 429, "提交过于频繁，请稍后再试", "too many requests; wait";
    /// The password was right and the account signs in with a second factor (等保 2.0 L3
    /// 8.1.4.1 d): send a code (or sign a challenge) with the `ticket` given.
    SecondFactorRequired = "second_factor_required", 401, "请输入动态口令以完成登录", "a second factor is required";
    /// A second factor was wrong, already used, or its ticket expired.
    SecondFactorInvalid = "second_factor_invalid", 401, "动态口令不正确或已使用", "the second factor is wrong or used";
    /// A second factor cannot be enrolled (one is confirmed already, or none is waiting).
    SecondFactorState = "second_factor_state", 409, "第二因素的登记状态不允许此操作", "the second factor's enrolment does not allow this";
    /// A new password breaks the password rule (length, classes, the user name, a weak word).
    WeakPassword = "weak_password", 422, "口令不符合口令策略", "the password breaks the password rule";
    /// The user lacks the role for this action.
    Forbidden = "forbidden", 403, "没有权限", "forbidden";

    // Uploaded files.
    /// An uploaded file had problems (listed in `problems`); nothing was stored.
    ImportProblems = "import_problems", 422, "文件中有问题，未保存任何内容", "the file has problems; nothing was stored";
    /// The uploaded file is over the size limit.
    FileTooLarge = "file_too_large", 413, "上传的文件过大", "file too large";
    /// The uploaded file or workbook is empty.
    FileEmpty = "file_empty", 422, "文件为空", "empty file";
    /// The uploaded workbook is password-protected.
    FileEncrypted = "file_encrypted", 422, "文件已加密，请取消密码后重新上传", "encrypted file";
    /// The uploaded file is an Excel 97–2003 workbook (.xls).
    FileLegacyXls = "file_legacy_xls", 422, "不支持旧版 .xls 文件，请另存为 .xlsx", "legacy .xls file";
    /// The uploaded file is not an .xlsx workbook.
    FileNotXlsx = "file_not_xlsx", 422, "文件不是 .xlsx 工作簿", "not an .xlsx workbook";
    /// The uploaded workbook is damaged.
    FileCorrupt = "file_corrupt", 422, "文件已损坏，无法读取", "corrupt file";
    /// The uploaded CSV or JSON file cannot be read.
    FileUnreadable = "file_unreadable", 422, "文件无法读取", "unreadable file";

    // Registry.
    /// A batch of regions is empty.
    EmptyRegions = "empty_regions", 422, "没有提供任何行政区划", "no regions given";
    /// A unit fails validation (with the findings in `issues`).
    InvalidUnit = "invalid_unit", 422, "单位信息不正确", "invalid unit";
    /// A unit would sit under itself.
    ParentCycle = "parent_cycle", 422, "上级单位不能是本单位或其下级单位", "a unit cannot sit under itself";
    /// A unit named by the request does not exist.
    UnknownUnit = "unknown_unit", 422, "单位不存在", "unknown unit";

    // Lists.
    /// The list version is not a draft.
    NotADraft = "not_a_draft", 422, "该版本不是草稿", "not a draft";
    /// Overrides apply to township templates only.
    NotATemplate = "not_a_template", 422, "只有乡镇通用目录才能设置差异", "not a township template";
    /// A township override is invalid.
    InvalidOverride = "invalid_override", 422, "差异设置不正确", "invalid override";
    /// Findings block publication (listed in `issues`).
    PublicationBlocked = "publication_blocked", 422, "有问题需要先解决才能公布", "issues block publication";
    /// No published list version is in force on the date.
    NoVersionOnDate = "no_version_on_date", 422, "该日期没有生效的清单版本", "no version in force on the date";

    // Laws.
    /// The law has already ended.
    LawAlreadyEnded = "law_already_ended", 422, "法规已失效", "the law has already ended";
    /// A law's end is not after its start.
    LawEndBeforeStart = "law_end_before_start", 422, "失效日期须晚于施行日期", "a law must end after it takes force";
    /// A law is named as ending itself.
    LawEndsItself = "law_ends_itself", 422, "法规不能由其自身废止或修订", "a law cannot end itself";
    /// An amendment names no new edition.
    AmendmentWithoutEdition = "amendment_without_edition", 422, "修订须指明新版本", "an amendment needs the new edition";
    /// The law is still in force, so no list needs revising.
    LawInForce = "law_in_force", 422, "法规仍然有效，无需调整清单", "the law is still in force";
    /// No item needs revising after the law ended.
    NothingToRevise = "nothing_to_revise", 422, "没有需要调整的事项", "nothing to revise";
    /// The rank of every law an item cites cannot create its kind of power (设定权: 行政许可法第十四条至第十七条, 行政处罚法第十条至第十六条, 行政强制法第十条、第十三条).
    RankCannotCreate = "rank_cannot_create", 422, "设定依据的效力层级无权设定该类行政权力", "the rank of the cited law cannot create this kind of power";
    /// An article-mapping table for an amended law names an old article twice, an article 0, or contradicts keeping the numbers.
    InvalidArticleMap = "invalid_article_map", 422, "条文序号对照表不正确", "invalid article-mapping table";

    // Change sets.
    /// The change set is at a stage where the operation does not apply.
    WrongStage = "wrong_stage", 422, "调整方案所处阶段不能进行此操作", "wrong stage for this operation";
    /// A return names a stage that does not exist.
    InvalidStage = "invalid_stage", 422, "退回的环节不正确", "invalid stage";
    /// A proposed change is invalid or incomplete.
    InvalidChange = "invalid_change", 422, "调整内容不正确", "invalid change";
    /// No round of opinions has been sent yet.
    NoRoundYet = "no_round_yet", 422, "尚未征求意见", "no round of opinions yet";
    /// One more round of opinions would pass the maximum.
    TooManyRounds = "too_many_rounds", 422, "征求意见轮次已达上限", "too many rounds of opinions";
    /// Opinions of the round are unresolved.
    UnresolvedOpinions = "unresolved_opinions", 422, "本轮尚有意见未办理", "unresolved opinions";
    /// Public comments are unanswered.
    UnansweredComments = "unanswered_comments", 422, "尚有公众意见未答复", "unanswered comments";
    /// The public comment period has not ended.
    CommentPeriodOpen = "comment_period_open", 422, "公示期尚未结束", "the comment period is still open";
    /// A comment period ends before it opens.
    BadCommentPeriod = "bad_comment_period", 422, "公示期限不正确", "bad comment period";
    /// The legality review has not passed.
    ReviewNotPassed = "review_not_passed", 422, "合法性审查未通过", "the legality review has not passed";
    /// Units due to countersign have not.
    MissingCountersignatures = "missing_countersignatures", 422, "尚有单位未会签", "missing countersignatures";
    /// A round of opinions sent to nobody.
    NobodyToAsk = "nobody_to_ask", 422, "没有需要征求意见的单位", "nobody to ask for opinions";
    /// An opinion or public comment was refused.
    OpinionRefused = "opinion_refused", 422, "意见不能受理", "opinion refused";
    /// A verdict of the legality review was refused.
    VerdictRefused = "verdict_refused", 422, "审查结论不能受理", "verdict refused";
    /// A table of verdicts is empty.
    EmptyVerdicts = "empty_verdicts", 422, "审查结论表为空", "the table of verdicts is empty";

    // No path around review, separated duties (issue 14).
    /// An effective date before today, not recorded as a ratification (追认) with a reason.
    PastEffectiveDate = "past_effective_date", 422, "生效日期早于今日，须作为追认记录并说明理由", "an effective date in the past needs a ratification";
    /// A public comment period shorter than the configured minimum of working days.
    ShortCommentPeriod = "short_comment_period", 422, "公示期少于规定的工作日数", "the comment period is too short";
    /// A list published outside a change set without its recorded 审定.
    MissingApprovalRecord = "missing_approval_record", 422, "公布清单须登记审定机关、会议、日期和文号", "publication needs the recorded approval";
    /// The drafter of a change set asked to approve it.
    DrafterCannotApprove = "drafter_cannot_approve", 403, "起草人不能审定本人起草的调整方案", "the drafter cannot approve the change set";
    /// An account given an administrator role together with another role (三员分立).
    RoleConflict = "role_conflict", 422, "系统管理员、安全管理员、审计管理员不能与其他角色兼任", "administrator roles cannot be combined";

    // Devolution.
    /// A grant ends before it starts.
    EmptyWindow = "empty_window", 422, "赋权的结束日期早于开始日期", "the grant ends before it starts";
    /// A grant names no town, or a unit that is not a town or subdistrict.
    NotATown = "not_a_town", 422, "不是乡镇或街道", "not a town or subdistrict";
    /// The department does not hold the power it grants.
    DepartmentDoesNotHold = "department_does_not_hold", 422, "部门不持有该事项", "the department does not hold the power";
    /// The town already holds the power through another grant.
    GrantedTwice = "granted_twice", 422, "该乡镇已通过其他赋权持有该事项", "the town already holds the power";
    /// Two grants of one power to one town overlap in time.
    OverlappingWindow = "overlapping_window", 422, "赋权期限与已有赋权重叠", "the window overlaps another grant";
    /// A penalty power goes to towns only by a provincial decision (行政处罚法 第24条).
    PenaltyWithoutProvincialDecision = "penalty_without_provincial_decision", 422, "行政处罚权须经省级决定方可赋予乡镇", "a penalty power needs a provincial decision";
    /// Administrative coercive measures cannot be entrusted (行政强制法 第17条).
    CoercionEntrusted = "coercion_entrusted", 422, "行政强制措施不得委托", "coercive measures cannot be entrusted";
    /// A reclaim names an unknown grant.
    UnknownGrant = "unknown_grant", 422, "赋权不存在", "unknown grant";
    /// The grant is not active in the town on the date.
    NoActiveGrant = "no_active_grant", 422, "该赋权当日在该乡镇未生效", "no active grant";
    /// A reclaim, override or return without a reason.
    MissingReason = "missing_reason", 422, "须说明理由", "a reason is required";
    /// The town already meets the checklist, so no override is needed.
    AlreadyReady = "already_ready", 422, "该乡镇已具备承接条件，无需特批", "the town is ready already";
    /// The decision's issuer is not a provincial body (行政处罚法 第24条).
    DecisionNotProvincial = "decision_not_provincial", 422, "行政处罚法第二十四条：赋予乡镇行政处罚权的决定须由省级机关作出", "the decision is not a provincial body's";
    /// The decision is published after the grant takes effect (行政处罚法 第24条).
    DecisionNotPublished = "decision_not_published", 422, "行政处罚法第二十四条：省级决定应当公布后施行", "the decision is not published before the grant";
    /// The decision has no next periodic evaluation after its publication (行政处罚法 第24条).
    EvaluationNotScheduled = "evaluation_not_scheduled", 422, "行政处罚法第二十四条：省级决定须定期组织评估", "the decision's next evaluation is not scheduled";
    /// An entrustment without its 委托书 (行政处罚法 第20条, 行政许可法 第24条).
    EntrustmentWithoutLetter = "entrustment_without_letter", 422, "行政处罚法第二十条、行政许可法第二十四条：委托须有委托书", "an entrustment needs its written entrustment";
    /// A 委托书 without matters, scope or term (行政处罚法 第20条).
    EntrustmentIncomplete = "entrustment_incomplete", 422, "行政处罚法第二十条：委托书应载明委托事项、权限和期限", "the entrustment must name matters, scope and term";
    /// The grant starts outside the 委托书's term (行政处罚法 第20条).
    OutsideEntrustmentTerm = "outside_entrustment_term", 422, "行政处罚法第二十条：赋权不在委托期限之内", "the grant is outside the entrustment's term";
    /// The 委托书 is published after the grant takes effect (行政许可法 第24条).
    EntrustmentNotPublished = "entrustment_not_published", 422, "行政许可法第二十四条：委托书应当公布", "the entrustment is not published before the grant";
    /// A power held by entrustment passed on (行政处罚法 第20条, 行政许可法 第24条: 不得再委托).
    ReEntrustment = "re_entrustment", 422, "行政处罚法第二十条、行政许可法第二十四条：受委托的权力不得再委托", "a power held by entrustment cannot be passed on";
    /// A licence handed down directly without a basis for the town's own name (行政许可法 第23、25条).
    LicenceWithoutOwnNameBasis = "licence_without_own_name_basis", 422, "行政许可法第二十三条、第二十五条：乡镇以自己名义实施行政许可须有法律法规授权或相对集中许可决定", "a licence in the town's own name needs its legal basis";
    /// A coercive measure handed down directly without a basis for the town's own name (行政强制法 第17条).
    CoercionWithoutOwnNameBasis = "coercion_without_own_name_basis", 422, "行政强制法第十七条：乡镇以自己名义实施行政强制措施须有法律法规规定或相对集中行政处罚权", "a coercive measure in the town's own name needs its legal basis";
    /// A waiver of the certified-officers or confirmation condition (行政处罚法 第42条).
    ReadinessNotWaivable = "readiness_not_waivable", 422, "行政处罚法第四十二条：持证执法人员和承接确认书不能以特批承接代替", "certified officers and the confirmation cannot be waived";
    /// The town is not a target of the grant.
    TownNotInGrant = "town_not_in_grant", 422, "该乡镇不在赋权的承接乡镇之中", "the town is not in the grant";

    // Establishment.
    /// A town would have more functional bodies than its limit.
    TooManyBodies = "too_many_bodies", 422, "内设机构超过限额", "too many functional bodies";
    /// A functional body has no name.
    UnnamedBody = "unnamed_body", 422, "内设机构未填写名称", "unnamed functional body";
    /// Two functional bodies of one town have one name.
    DuplicateBody = "duplicate_body", 422, "内设机构重名", "duplicate functional body";
    /// A county's total would rise without a recorded approval (只减不增).
    QuotaIncreaseWithoutApproval = "quota_increase_without_approval", 422, "编制只减不增，增加须登记上级审批文号", "a quota increase needs an approval";
    /// One unit and kind appear twice in one adjustment.
    DuplicateQuota = "duplicate_quota", 422, "同一次调整中编制数重复", "duplicate quota";
    /// An adjustment without a reason, or that changes nothing.
    EmptyAdjustment = "empty_adjustment", 422, "编制调整须说明理由并至少改变一项", "empty adjustment";
    /// The unit is not a seconded unit (派驻机构).
    NotSeconded = "not_seconded", 422, "不是派驻机构", "not a seconded unit";
    /// The department of a secondment is not a county department.
    NotADepartment = "not_a_department", 422, "不是县级部门", "not a county department";
    /// An appraisal share above 100 %.
    BadAppraisalShare = "bad_appraisal_share", 422, "考核权重不能超过100%", "bad appraisal share";
    /// Ending a secondment that is not recorded.
    NoSecondment = "no_secondment", 422, "未登记派驻关系", "no recorded secondment";

    // Working-day calendar.
    /// Holiday text that does not parse: not TOML of the expected shape, a bad date, a date outside its year, a bad off range, a year twice, no year at all.
    CalendarInvalid = "calendar_invalid", 422, "节假日数据格式不正确", "invalid holiday calendar";
    /// A year of holiday text with an implausible number of working days (240–260 expected): a holiday dropped or doubled would shift every deadline.
    CalendarYearImplausible = "calendar_year_implausible", 422, "节假日数据中某年的工作日数不在合理范围内", "a year of the holiday calendar has an implausible number of working days";

    // Ledger.
    /// A proof asked for sizes or indexes the ledger does not have.
    InvalidProofRequest = "invalid_proof_request", 422, "无法生成证明", "invalid proof request";
    /// A hash is malformed.
    InvalidHash = "invalid_hash", 422, "哈希格式不正确", "invalid hash";
    /// A witness cosignature is invalid.
    BadCosignature = "bad_cosignature", 422, "见证签名无效", "bad cosignature";

    // Cases (issue 15).
    /// The unit does not hold the power on that day (法无授权不可为); the message names who does.
    CaseUnitNotCompetent = "case_unit_not_competent", 403, "本单位不持有该事项的职权，不能受理或办理", "the unit does not hold this power on that day";
    /// The action is not part of the case's procedure in its current state.
    CaseActionNotAllowed = "case_action_not_allowed", 409, "办件当前状态下不能进行该操作", "the action is not allowed in the case's state";
    /// The caller may not take this step (another unit, another role, not the applicant).
    CaseActorNotPermitted = "case_actor_not_permitted", 403, "无权进行该办理操作", "the caller may not take this step";
    /// The unit only reviews or accepts: the department decides (下放实质性审核权, 窗口前移).
    CaseNoPowerToDecide = "case_no_power_to_decide", 403, "本单位无决定权，应转报赋权部门决定", "the unit does not decide this power";
    /// 一次性告知 was given already, or too late (许可法第三十二条).
    CaseCorrectionRefused = "case_correction_refused", 422, "行政许可法第三十二条：补正应一次告知且在五日内告知", "a correction notice is given once, within 5 working days";
    /// Refusing for lack of competence without naming the competent unit (许可法第三十二条).
    CaseCompetentUnitRequired = "case_competent_unit_required", 422, "行政许可法第三十二条：不予受理须告知有权机关", "name the competent unit";
    /// Fewer than two certified officers (处罚法第四十二条, 强制法第十八条).
    CaseTwoOfficersRequired = "case_two_officers_required", 422, "执法人员不得少于两人并应持有执法证件", "two certified officers are required";
    /// Beyond the summary procedure's limits (处罚法第五十一条).
    CaseSummaryLimit = "case_summary_limit", 422, "行政处罚法第五十一条：超出当场处罚的范围", "beyond the summary procedure";
    /// The party's rights to state a defence and a hearing are not yet spent (处罚法第六十二、六十四条).
    CasePartyRights = "case_party_rights", 422, "当事人的陈述、申辩和听证权利尚未行使完毕", "the party's rights are pending";
    /// A major penalty decision without the legal check (处罚法第五十八条).
    CaseLegalCheckRequired = "case_legal_check_required", 422, "行政处罚法第五十八条：重大处罚决定须经法制审核", "a major decision needs the legal check";
    /// Enforcement at night, on a holiday, or before the demand period ended (强制法第三十七、四十三条).
    CaseEnforcementRefused = "case_enforcement_refused", 422, "不符合行政强制执行的时间要求", "enforcement is not allowed then";
    /// A coercive measure exercised by entrustment (强制法第十七条).
    CaseMeasureNotEntrusted = "case_measure_not_entrusted", 422, "行政强制法第十七条：行政强制措施权不得委托", "coercive measures cannot be entrusted";
    /// A denial without reasons and remedies (许可法第三十八条).
    CaseDenialNeedsReasons = "case_denial_needs_reasons", 422, "行政许可法第三十八条：不予许可须说明理由并告知救济途径", "a denial states reasons and remedies";
    /// A pause outside the special procedures, or without written notice (许可法第四十五条).
    CasePauseRefused = "case_pause_refused", 422, "行政许可法第四十五条：只有特别程序所需时间可以不计入期限，并应书面告知", "the pause is not allowed";
    /// An extension beyond the one the law allows (许可法第四十二条).
    CaseExtensionRefused = "case_extension_refused", 422, "期限只能依法延长一次", "the period may be extended once";
    /// A cooperating unit's task is still open.
    CaseCooperationPending = "case_cooperation_pending", 409, "配合单位的任务尚未办结", "a cooperating unit's task is open";
    /// A decision on a day that is not one of the item's session days (定期审批); the message
    /// names the next one.
    CaseNotSessionDay = "case_not_session_day", 409, "定期审批事项只在审批日作出决定", "the item is decided on its session days only";
    /// Another rule of the procedure refuses the step; the message names it and its article.
    CaseRuleViolated = "case_rule_violated", 422, "不符合办理程序的规定", "the step breaks a rule of the procedure";
    /// Wrong receipt number or access code.
    CaseAccessDenied = "case_access_denied", 403, "受理单号或查询码不正确", "wrong receipt number or access code";
    /// The uploaded material's content is a program (ELF, EXE, Mach-O, a script, an Office
    /// file with macros), whatever its name says.
    MaterialExecutable = "material_executable", 415, "文件内容是可执行程序，不是申请材料", "the material is an executable";
    /// The uploaded material's content is not an accepted type (PDF, OFD, JPEG, PNG, DOCX, XLSX).
    MaterialTypeNotAllowed = "material_type_not_allowed", 415, "材料格式不在可接收的范围内（按内容识别）", "the material's type is not accepted";
    /// The material's name is not among the item's guide materials.
    MaterialNameUnknown = "material_name_unknown", 422, "材料名称不在该事项的申请材料目录中", "not a material of the item's guide";
    /// No material of the same applicant's earlier cases, still valid, has that digest.
    MaterialNotReusable = "material_not_reusable", 404, "没有可复用的该材料", "no such reusable material";
    /// No key for personal data is configured, so no case can be received.
    PersonalKeyMissing = "personal_key_missing", 503, "未配置个人信息加密密钥", "no personal-data key is configured";
    /// Only the applicant rates a case (国办发〔2019〕51号).
    RatingNotApplicant = "rating_not_applicant", 403, "只有申请人本人可以评价", "only the applicant rates a case";
    /// The case was rated on this channel already.
    RatingDuplicate = "rating_duplicate", 409, "每个渠道只能评价一次", "rated on this channel already";
    /// The case cannot be rated (not ended, not a service on application, comment too long).
    RatingRefused = "rating_refused", 422, "该办件不能评价", "the case cannot be rated";

    // Demo.
    /// The demo data is incomplete (an earlier load was cut off).
    DemoIncomplete = "demo_incomplete", 422, "演示数据不完整", "the demo data is incomplete";
}

impl ErrorCode {
    /// The code of a wire string, if it is in the table.
    pub fn parse(code: &str) -> Option<ErrorCode> {
        ErrorCode::ALL.iter().copied().find(|c| c.as_str() == code)
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for ErrorCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// Lets tests and callers compare a code with its wire string.
impl PartialEq<&str> for ErrorCode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<ErrorCode> for &str {
    fn eq(&self, other: &ErrorCode) -> bool {
        *self == other.as_str()
    }
}

#[cfg(test)]
mod tests;
