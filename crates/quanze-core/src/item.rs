//! Power items (权责事项): the content of one power, its categories, legal bases,
//! responsibilities, accountability and service fields.

use std::fmt;

use crate::codes::{BaseCode, ImplCode};
use crate::error::{Issue, Severity, ValidationError};
use crate::ids::{ItemId, UnitId};
use crate::numerals::{parse_chinese, to_chinese};

mod citation;
mod periods;
mod sessions;
pub use periods::{apply_lawful_units, lawful_limit};
pub use sessions::SessionDays;

/// 事项类型 — one of the ten categories of 中办发〔2015〕21号, or 公共服务.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum PowerCategory {
    /// 01 行政许可.
    Licensing,
    /// 02 行政处罚.
    Penalty,
    /// 03 行政强制 — 行政强制措施: restricting liberty, sealing, seizing or freezing for a while
    /// to stop a wrong, keep evidence or avert danger (行政强制法第二条第二款). A recorded
    /// single kind "coercion" (before issue 14) reads as this one.
    #[serde(alias = "coercion")]
    CoerciveMeasure,
    /// 03 行政强制 — 行政强制执行: compelling a party who does not perform an administrative
    /// decision (行政强制法第二条第三款); only where a 法律 provides it (第十三条).
    CoerciveEnforcement,
    /// 04 行政征收.
    Levy,
    /// 05 行政给付.
    Benefit,
    /// 06 行政检查.
    Inspection,
    /// 07 行政确认.
    Confirmation,
    /// 08 行政奖励.
    Reward,
    /// 09 行政裁决.
    Adjudication,
    /// 10 其他行政权力.
    Other,
    /// 20 公共服务 — a service that is not an administrative power.
    PublicService,
}

impl PowerCategory {
    /// Every category in code order.
    pub const ALL: [PowerCategory; 12] = [
        PowerCategory::Licensing,
        PowerCategory::Penalty,
        PowerCategory::CoerciveMeasure,
        PowerCategory::CoerciveEnforcement,
        PowerCategory::Levy,
        PowerCategory::Benefit,
        PowerCategory::Inspection,
        PowerCategory::Confirmation,
        PowerCategory::Reward,
        PowerCategory::Adjudication,
        PowerCategory::Other,
        PowerCategory::PublicService,
    ];

    /// The two-digit code (only 01, 05, 07, 10 and 20 are confirmed national codes). Both
    /// kinds of 行政强制 are 03: the national form knows one category; the label
    /// (行政强制措施/行政强制执行) tells them apart, and a bare 03 or 行政强制 is decided by
    /// [`PowerCategory::coercion_kind`].
    pub fn code(self) -> &'static str {
        match self {
            PowerCategory::Licensing => "01",
            PowerCategory::Penalty => "02",
            PowerCategory::CoerciveMeasure | PowerCategory::CoerciveEnforcement => "03",
            PowerCategory::Levy => "04",
            PowerCategory::Benefit => "05",
            PowerCategory::Inspection => "06",
            PowerCategory::Confirmation => "07",
            PowerCategory::Reward => "08",
            PowerCategory::Adjudication => "09",
            PowerCategory::Other => "10",
            PowerCategory::PublicService => "20",
        }
    }

    /// The Chinese name.
    pub fn zh(self) -> &'static str {
        match self {
            PowerCategory::Licensing => "行政许可",
            PowerCategory::Penalty => "行政处罚",
            PowerCategory::CoerciveMeasure => "行政强制措施",
            PowerCategory::CoerciveEnforcement => "行政强制执行",
            PowerCategory::Levy => "行政征收",
            PowerCategory::Benefit => "行政给付",
            PowerCategory::Inspection => "行政检查",
            PowerCategory::Confirmation => "行政确认",
            PowerCategory::Reward => "行政奖励",
            PowerCategory::Adjudication => "行政裁决",
            PowerCategory::Other => "其他行政权力",
            PowerCategory::PublicService => "公共服务",
        }
    }

    /// The name of the national category: 行政强制 for both kinds of coercion, else
    /// [`PowerCategory::zh`].
    pub fn national_zh(self) -> &'static str {
        match self {
            PowerCategory::CoerciveMeasure | PowerCategory::CoerciveEnforcement => "行政强制",
            other => other.zh(),
        }
    }

    /// Whether this is one of the two kinds of 行政强制 (national code 03).
    pub fn is_coercion(self) -> bool {
        matches!(self, PowerCategory::CoerciveMeasure | PowerCategory::CoerciveEnforcement)
    }

    /// The kind of 行政强制 an item published under the bare category 行政强制 (or 03) is,
    /// from its name and responsibility stages: 行政强制执行 when the name says 强制执行,
    /// 代履行, 强制拆除, 加处罚款 or 加处滞纳金 (强制法第十二条、第四十五条、第五十条), or a stage is
    /// 催告 (第三十五条); otherwise 行政强制措施. Migration 0011 decides stored items the same way.
    pub fn coercion_kind<'a>(
        name: &str,
        stages: impl IntoIterator<Item = &'a str>,
    ) -> PowerCategory {
        const ENFORCEMENT: [&str; 5] = ["强制执行", "代履行", "强制拆除", "加处罚款", "加处滞纳金"];
        if ENFORCEMENT.iter().any(|w| name.contains(w)) || stages.into_iter().any(|s| s == "催告")
        {
            PowerCategory::CoerciveEnforcement
        } else {
            PowerCategory::CoerciveMeasure
        }
    }

    /// Whether this is an administrative power (everything but 公共服务): powers must carry
    /// responsibilities and accountability (权责一致).
    pub fn is_power(self) -> bool {
        self != PowerCategory::PublicService
    }

    /// Parses a category label as counties publish it, tolerating local variants: a code
    /// (`01`), a full or short name (行政许可, 许可), 行政监督 for 行政检查, a parenthesised
    /// suffix (行政许可(国办)), 其他类 / 其他职权 / 行政调解 for 其他行政权力.
    pub fn parse(raw: &str) -> Result<PowerCategory, ValidationError> {
        let mut label: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
        for open in ['(', '（', '【', '['] {
            if let Some(pos) = label.find(open) {
                label.truncate(pos);
            }
        }
        let label = label.trim_end_matches(['类', '权']);
        // 03 names both kinds of 行政强制: the first, 行政强制措施, until the name decides.
        let by_code = PowerCategory::ALL
            .iter()
            .find(|c| c.code() == label || label == c.code().trim_start_matches('0'));
        if let Some(c) = by_code {
            return Ok(*c);
        }
        let short = label.trim_start_matches("行政");
        let found = match short {
            "许可" | "审批" => PowerCategory::Licensing,
            "处罚" => PowerCategory::Penalty,
            "强制" | "强制措施" => PowerCategory::CoerciveMeasure,
            "强制执行" => PowerCategory::CoerciveEnforcement,
            "征收" | "征用" => PowerCategory::Levy,
            "给付" => PowerCategory::Benefit,
            "检查" | "监督" | "监督检查" => PowerCategory::Inspection,
            "确认" => PowerCategory::Confirmation,
            "奖励" => PowerCategory::Reward,
            "裁决" => PowerCategory::Adjudication,
            "其他" | "其他行政权力" | "其它" | "其他职" | "其他权力" | "调解" | "备案" => {
                PowerCategory::Other
            }
            "公共服务" | "服务" => PowerCategory::PublicService,
            _ => {
                return Err(ValidationError::Invalid {
                    field: "category",
                    reason: "unknown category",
                    reason_zh: "不是已知的事项类型（应为行政许可、行政处罚、行政强制（措施、执行）、行政征收、行政给付、行政检查、行政确认、行政奖励、行政裁决、其他行政权力或公共服务）",
                    value: raw.trim().to_owned(),
                });
            }
        };
        Ok(found)
    }
}

impl fmt::Display for PowerCategory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.zh())
    }
}

/// 设定依据 — one structured reference to a law, regulation, rule or normative document.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct LegalRef {
    /// The title without book-title marks, e.g. 中华人民共和国行政许可法.
    pub law: String,
    /// The edition note that follows the title, e.g. 2019年修正.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edition: Option<String>,
    /// 条.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub article: Option<u32>,
    /// 款.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paragraph: Option<u32>,
    /// 项.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub point: Option<u32>,
    /// The quoted text of the provision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quote: Option<String>,
}

impl LegalRef {
    /// A reference to a law's article.
    pub fn article(law: &str, article: u32) -> LegalRef {
        LegalRef {
            law: law.to_owned(),
            edition: None,
            article: Some(article),
            paragraph: None,
            point: None,
            quote: None,
        }
    }

    /// Parses a cell of references as counties publish them: one or more
    /// `《title》（edition）第N条第M款第（K）项：quote` parts, each on its own line or separated by
    /// `；`, optionally numbered (`1.`, `2、`, `（一）`). A part naming several provisions
    /// (`第三十条、第三十二条`, `第十条至第十二条`) gives one reference per provision. A line that does not start a new
    /// reference continues the previous one's quote. Text without book-title marks becomes a
    /// reference whose `law` is the whole text.
    pub fn parse_many(text: &str) -> Vec<LegalRef> {
        let mut refs: Vec<LegalRef> = Vec::new();
        for line in text.lines() {
            let line = citation::strip_numbering(line.trim());
            if line.is_empty() {
                continue;
            }
            if line.starts_with('《') {
                // A line may carry several references separated by ；《.
                for part in citation::split_refs(line) {
                    refs.extend(citation::parse_one(part));
                }
            } else if let Some(last) = refs.last_mut() {
                let quote = last.quote.get_or_insert_with(String::new);
                if !quote.is_empty() {
                    quote.push('\n');
                }
                quote.push_str(line);
            } else {
                refs.push(LegalRef {
                    law: line.to_owned(),
                    edition: None,
                    article: None,
                    paragraph: None,
                    point: None,
                    quote: None,
                });
            }
        }
        refs
    }

    /// Formats references one per line, in the form [`LegalRef::parse_many`] reads.
    pub fn format_many(refs: &[LegalRef]) -> String {
        refs.iter().map(|r| r.to_string()).collect::<Vec<_>>().join("\n")
    }
}

impl fmt::Display for LegalRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "《{}》", self.law)?;
        if let Some(edition) = &self.edition {
            write!(f, "（{edition}）")?;
        }
        if let Some(n) = self.article {
            write!(f, "第{}条", to_chinese(n))?;
        }
        if let Some(n) = self.paragraph {
            write!(f, "第{}款", to_chinese(n))?;
        }
        if let Some(n) = self.point {
            write!(f, "第（{}）项", to_chinese(n))?;
        }
        if let Some(quote) = &self.quote {
            write!(f, "：{quote}")?;
        }
        Ok(())
    }
}

/// 责任事项 — what the holder must do at one stage (受理、审查、决定、送达、事后监管、其他 …),
/// with its own legal basis.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Responsibility {
    /// The stage, e.g. 受理.
    pub stage: String,
    /// What must be done.
    pub content: String,
    /// The legal basis of this responsibility.
    #[serde(default)]
    pub basis: Vec<LegalRef>,
}

/// 追责情形 — when someone is held to account, under which provision, and who.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Accountability {
    /// The situation, e.g. 对符合法定条件的申请不予受理的.
    pub situation: String,
    /// 追责依据.
    #[serde(default)]
    pub basis: Vec<LegalRef>,
    /// 追责对象 — who is accountable (法定代表人、分管负责人、承办机构负责人、具体承办人 …).
    #[serde(default)]
    pub parties: Vec<String>,
}

/// 配合部门 — a cooperating unit and its share of the duty (职责边界).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Cooperation {
    /// The cooperating unit.
    pub unit: UnitId,
    /// What it does.
    pub duty: String,
}

/// 权力来源 — where the holder's power comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PowerSource {
    /// 法定本级行使.
    Statutory,
    /// 上级下放.
    Devolved,
    /// 上级委托.
    Entrusted,
    /// 上级授权.
    Authorized,
}

impl PowerSource {
    /// Every source.
    pub const ALL: [PowerSource; 4] = [
        PowerSource::Statutory,
        PowerSource::Devolved,
        PowerSource::Entrusted,
        PowerSource::Authorized,
    ];
    /// The Chinese label.
    pub fn zh(self) -> &'static str {
        match self {
            PowerSource::Statutory => "法定本级行使",
            PowerSource::Devolved => "上级下放",
            PowerSource::Entrusted => "上级委托",
            PowerSource::Authorized => "上级授权",
        }
    }
    /// Parses the Chinese label (or a short form such as 法定, 下放).
    pub fn parse(raw: &str) -> Result<PowerSource, ValidationError> {
        let s = raw.trim();
        PowerSource::ALL
            .into_iter()
            .find(|p| p.zh() == s || p.zh().contains(s) && s.chars().count() >= 2)
            .ok_or_else(|| ValidationError::Invalid {
                field: "source",
                reason: "unknown power source",
                reason_zh: "不是已知的权力来源（法定本级行使、上级下放、上级委托、上级授权）",
                value: s.to_owned(),
            })
    }
}

/// 行使层级 — the level at which the power is exercised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExerciseLevel {
    /// 省级.
    Province,
    /// 市级.
    City,
    /// 县级.
    County,
    /// 乡级.
    Township,
}

impl ExerciseLevel {
    /// Every level.
    pub const ALL: [ExerciseLevel; 4] = [
        ExerciseLevel::Province,
        ExerciseLevel::City,
        ExerciseLevel::County,
        ExerciseLevel::Township,
    ];
    /// The Chinese label.
    pub fn zh(self) -> &'static str {
        match self {
            ExerciseLevel::Province => "省级",
            ExerciseLevel::City => "市级",
            ExerciseLevel::County => "县级",
            ExerciseLevel::Township => "乡级",
        }
    }
    /// Parses 省级/市级/县级/乡级 (also 乡镇级, 镇级, 区级).
    pub fn parse(raw: &str) -> Result<ExerciseLevel, ValidationError> {
        match raw.trim() {
            "省级" | "省" => Ok(ExerciseLevel::Province),
            "市级" | "市" | "设区的市级" => Ok(ExerciseLevel::City),
            "县级" | "县" | "区级" | "县（区）级" => Ok(ExerciseLevel::County),
            "乡级" | "乡镇级" | "镇级" | "乡镇" | "街道" => Ok(ExerciseLevel::Township),
            other => Err(ValidationError::Invalid {
                field: "level",
                reason: "unknown exercise level",
                reason_zh: "不是已知的行使层级（省级、市级、县级、乡级）",
                value: other.to_owned(),
            }),
        }
    }
}

/// The unit of a time limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LimitUnit {
    /// 工作日.
    WorkingDays,
    /// 自然日.
    CalendarDays,
    /// 个月.
    Months,
}

/// 办理时限 — a statutory or committed time limit, e.g. 20 工作日.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct TimeLimit {
    /// How many units; 0 means decided on the spot (即办).
    pub amount: u32,
    /// The unit.
    pub unit: LimitUnit,
}

impl TimeLimit {
    /// Parses 20个工作日, 20工作日, 30日, 3个月, 即办.
    pub fn parse(raw: &str) -> Result<TimeLimit, ValidationError> {
        let s: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
        if s == "即办" || s == "当场办结" || s == "0" {
            return Ok(TimeLimit { amount: 0, unit: LimitUnit::WorkingDays });
        }
        let digits: String = s.chars().take_while(|c| c.is_ascii_digit()).collect();
        let rest = &s[digits.len()..];
        let amount = if digits.is_empty() {
            let end = rest.find(['个', '工', '日', '天', '月']).unwrap_or(rest.len());
            parse_chinese(&rest[..end])
        } else {
            digits.parse().ok()
        };
        let unit_text =
            rest.trim_start_matches(|c: char| !matches!(c, '个' | '工' | '日' | '天' | '月'));
        let unit = match unit_text.trim_start_matches('个') {
            "工作日" => Some(LimitUnit::WorkingDays),
            "日" | "天" | "自然日" => Some(LimitUnit::CalendarDays),
            "月" => Some(LimitUnit::Months),
            _ => None,
        };
        match (amount, unit) {
            (Some(amount), Some(unit)) => Ok(TimeLimit { amount, unit }),
            _ => Err(ValidationError::Invalid {
                field: "time_limit",
                reason: "not a time limit such as 20个工作日",
                reason_zh: "不是有效的办理时限（例如“20个工作日”“30日”“即办”）",
                value: raw.trim().to_owned(),
            }),
        }
    }
}

impl fmt::Display for TimeLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.amount == 0 {
            return f.write_str("即办");
        }
        match self.unit {
            LimitUnit::WorkingDays => write!(f, "{}个工作日", self.amount),
            LimitUnit::CalendarDays => write!(f, "{}日", self.amount),
            LimitUnit::Months => write!(f, "{}个月", self.amount),
        }
    }
}

/// 申请材料 — one document an applicant hands in.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Material {
    /// Name of the document.
    pub name: String,
    /// 材料形式 — paper, electronic, or both.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub form: Option<String>,
    /// Number of copies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub copies: Option<u32>,
    /// Whether it is required.
    pub required: bool,
    /// Whether the government obtains it by data sharing (免提交, 国务院令第716号 第7条).
    #[serde(default)]
    pub shared: bool,
}

/// 服务信息 — the service fields of a service item (政务服务事项实施清单).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ServiceInfo {
    /// 受理条件.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conditions: Option<String>,
    /// 申请材料.
    #[serde(default)]
    pub materials: Vec<Material>,
    /// 法定办结时限.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statutory_limit: Option<TimeLimit>,
    /// 承诺办结时限.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub committed_limit: Option<TimeLimit>,
    /// 收费标准及依据; `None` means free of charge.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fee: Option<String>,
    /// 办理形式 — 窗口办理, 网上办理, 快递申请 …
    #[serde(default)]
    pub channels: Vec<String>,
    /// 办理地点.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place: Option<String>,
    /// 咨询电话.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// 到办事现场次数.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trips: Option<u8>,
    /// 定期审批 — the set days the item is decided on, when it is not decided any working day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sessions: Option<SessionDays>,
}

/// 事项内容 — the content of one version of a power item.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ItemContent {
    /// 事项名称 (主项).
    pub name: String,
    /// 子项名称, when this entry is a sub-item of `name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_item: Option<String>,
    /// 事项类型.
    pub category: PowerCategory,
    /// The category label as the county published it, when it differs from the canonical name
    /// (行政监督, 行政许可(国办)).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category_label: Option<String>,
    /// 基本编码.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_code: Option<BaseCode>,
    /// 实施编码.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub impl_code: Option<ImplCode>,
    /// A local code (湖北 16-digit, 贵州 10-char, 1-1 …), never parsed as national.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local_code: Option<String>,
    /// 设定依据.
    #[serde(default)]
    pub legal_basis: Vec<LegalRef>,
    /// 实施主体.
    pub holder: UnitId,
    /// 承办机构.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handling_office: Option<String>,
    /// 配合部门 with the split of duties.
    #[serde(default)]
    pub cooperation: Vec<Cooperation>,
    /// 权力来源.
    pub source: PowerSource,
    /// The grant that gives the power, for a township item whose source is 上级下放 or
    /// 上级委托 (issue 14 §1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grant: Option<crate::devolution::GrantLink>,
    /// 行使层级.
    pub level: ExerciseLevel,
    /// 责任事项 by stage.
    #[serde(default)]
    pub responsibilities: Vec<Responsibility>,
    /// 追责情形 with basis and parties.
    #[serde(default)]
    pub accountability: Vec<Accountability>,
    /// Service fields, for items citizens and firms apply for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<ServiceInfo>,
    /// 备注.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remarks: Option<String>,
}

impl ItemContent {
    /// The display name: `主项（子项）` or the main name alone.
    pub fn display_name(&self) -> String {
        match &self.sub_item {
            Some(sub) => format!("{}（{}）", self.name, sub),
            None => self.name.clone(),
        }
    }

    /// The department in whose name the power is exercised when its source is 上级委托 (行政处罚法
    /// 第20条, 行政许可法 第24条): the linked grant's department, else the holder the content
    /// names. `None` for every other source.
    pub fn entrusting_department(&self) -> Option<UnitId> {
        (self.source == PowerSource::Entrusted)
            .then(|| self.grant.as_ref().map_or(self.holder, |link| link.department))
    }

    /// The key that identifies this item inside one list: codes first, names otherwise.
    pub fn list_key(&self) -> String {
        if let Some(code) = &self.impl_code {
            return format!("impl:{code}");
        }
        format!("name:{}|{}", self.name.trim(), self.sub_item.as_deref().unwrap_or("").trim())
    }

    /// Findings about this content. Errors make it unstorable; warnings (权责不一致: no legal
    /// basis, no responsibility, no accountability case) are allowed in a draft and block
    /// publication.
    pub fn issues(&self) -> Vec<Issue> {
        let mut out = Vec::new();
        if self.name.trim().is_empty() {
            out.push(Issue::new(
                "empty_name",
                Severity::Error,
                "name",
                "事项名称不能为空",
                "item name is empty",
            ));
        }
        if self.name.chars().count() > 500 {
            out.push(Issue::new(
                "name_too_long",
                Severity::Error,
                "name",
                "事项名称不能超过500个字符",
                "item name is longer than 500 characters",
            ));
        }
        if let (Some(base), Some(imp)) = (&self.base_code, &self.impl_code)
            && imp.base_code() != *base
        {
            out.push(Issue::new(
                "impl_code_mismatch",
                Severity::Error,
                "impl_code",
                format!("实施编码“{imp}”所含基本编码与基本编码“{base}”不一致"),
                format!("implementation code {imp} does not embed base code {base}"),
            ));
        }
        if let Some(imp) = &self.impl_code
            && !imp.credit_code().check_digit_ok()
        {
            out.push(Issue::new(
                "impl_code_credit_check",
                Severity::Warning,
                "impl_code",
                format!("实施编码“{imp}”所含统一社会信用代码校验位不符"),
                format!("implementation code {imp} embeds a credit code failing its check digit"),
            ));
        }
        if self.legal_basis.is_empty() {
            out.push(Issue::new(
                "no_legal_basis",
                Severity::Warning,
                "legal_basis",
                format!("“{}”没有设定依据（法无授权不可为），不能公布", self.display_name()),
                format!("{} has no legal basis", self.display_name()),
            ));
        }
        if self.category.is_power() {
            if self.responsibilities.is_empty() {
                out.push(Issue::new(
                    "no_responsibility",
                    Severity::Warning,
                    "responsibilities",
                    format!("“{}”没有责任事项（权责不一致），不能公布", self.display_name()),
                    format!("{} has no responsibilities", self.display_name()),
                ));
            }
            if self.accountability.is_empty() {
                out.push(Issue::new(
                    "no_accountability",
                    Severity::Warning,
                    "accountability",
                    format!("“{}”没有追责情形（权责不一致），不能公布", self.display_name()),
                    format!("{} has no accountability case", self.display_name()),
                ));
            }
        }
        out
    }
}

/// 权责事项 — one administrative power (or public service): a stable id plus a numbered version
/// of its content. Links (list entries, grants, cases) point at the stable id.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PowerItem {
    /// Stable identity.
    pub id: ItemId,
    /// The content version number, from 1.
    pub version: u32,
    /// The content.
    pub content: ItemContent,
}

#[cfg(test)]
mod tests;
