//! Units: the bodies that hold powers.

use std::collections::BTreeSet;
use std::fmt;

use crate::codes::{CreditCode, RegionCode, TownshipSegment};
use crate::error::{Issue, Severity, ValidationError};
use crate::ids::UnitId;

/// 单位类型 — what kind of body a unit is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    /// 县直部门 — a county department.
    Department,
    /// 乡镇人民政府 — a town or township government.
    Township,
    /// 街道办事处 — a subdistrict office.
    Subdistrict,
    /// 内设机构 — an internal office of another unit.
    Office,
    /// 派驻机构 — a county unit stationed in a town, under dual management.
    Seconded,
}

impl UnitKind {
    /// The Chinese label.
    pub fn zh(self) -> &'static str {
        match self {
            UnitKind::Department => "县直部门",
            UnitKind::Township => "乡镇",
            UnitKind::Subdistrict => "街道",
            UnitKind::Office => "内设机构",
            UnitKind::Seconded => "派驻机构",
        }
    }

    /// Whether units of this kind receive the township template list.
    pub fn is_township_level(self) -> bool {
        matches!(self, UnitKind::Township | UnitKind::Subdistrict)
    }
}

/// 标签 — a tag on a unit that township overrides can select, such as 经济发达镇 or 蓄滞洪区.
///
/// Invariant: trimmed, 1..=32 characters.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(try_from = "String", into = "String")]
pub struct Tag(String);

impl Tag {
    /// Parses a tag.
    pub fn parse(raw: &str) -> Result<Tag, ValidationError> {
        let tag = raw.trim();
        if tag.is_empty() {
            return Err(ValidationError::Empty { field: "tag" });
        }
        if tag.chars().count() > 32 {
            return Err(ValidationError::TooLong { field: "tag", max: 32 });
        }
        Ok(Tag(tag.to_owned()))
    }
    /// The tag text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
impl From<Tag> for String {
    fn from(tag: Tag) -> String {
        tag.0
    }
}
impl TryFrom<String> for Tag {
    type Error = ValidationError;
    fn try_from(raw: String) -> Result<Tag, ValidationError> {
        Tag::parse(&raw)
    }
}

/// 单位 — a county department, township government, subdistrict office, internal office or
/// seconded unit.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Unit {
    /// Stable id.
    pub id: UnitId,
    /// Full name, e.g. 某某县市场监督管理局.
    pub name: String,
    /// What kind of body.
    pub kind: UnitKind,
    /// The region it serves (a county for departments, a township for towns).
    pub region: RegionCode,
    /// The unified social credit code, when known.
    pub credit_code: Option<CreditCode>,
    /// The unit this one belongs to (internal offices) or is seconded from (派驻机构).
    pub parent: Option<UnitId>,
    /// Tags such as 经济发达镇.
    pub tags: BTreeSet<Tag>,
}

/// The tag that marks a vertically managed unit (垂直管理: 税务, 消防救援, 气象): the county lists
/// its powers but does not lead it, so it is not a county department it can devolve from.
pub const TAG_VERTICAL: &str = "垂直管理";

/// The tag that marks the county's supervising unit for the one-stop service (政务服务监督:
/// the 政务服务管理局 or the government office's 督查室): complaints and suggestions (投诉建议)
/// go to it with their reply deadline.
pub const TAG_SUPERVISING: &str = "政务服务监督";

/// The tag that marks the unit that takes complaints about the supervising unit itself
/// (行政执法监督, usually the 司法局): nobody answers a complaint about itself (回避).
pub const TAG_OVERSIGHT: &str = "执法监督";

impl Unit {
    /// Whether the unit is vertically managed (垂直管理), recorded as the tag [`TAG_VERTICAL`].
    pub fn is_vertically_managed(&self) -> bool {
        self.has_tag(TAG_VERTICAL)
    }

    /// Whether the unit is the county's supervising unit for complaints ([`TAG_SUPERVISING`]).
    pub fn is_supervising(&self) -> bool {
        self.has_tag(TAG_SUPERVISING)
    }

    /// Whether the unit takes complaints about the supervising unit ([`TAG_OVERSIGHT`]).
    pub fn is_oversight(&self) -> bool {
        self.has_tag(TAG_OVERSIGHT)
    }

    fn has_tag(&self, tag: &str) -> bool {
        self.tags.iter().any(|t| t.as_str() == tag)
    }

    /// Findings that do not stop the unit from being stored: a credit code whose check digit
    /// fails (early pilot codes do, and are legal), or a town or subdistrict whose region code
    /// says another kind of body (see [`Unit::region_issue`]).
    pub fn issues(&self) -> Vec<Issue> {
        let mut issues = Vec::new();
        if let Some(code) = &self.credit_code
            && !code.check_digit_ok()
        {
            issues.push(Issue::new(
                "credit_code_check",
                Severity::Warning,
                "credit_code",
                format!("统一社会信用代码“{code}”校验位不符（GB 32100），请核对"),
                format!("credit code {code} fails the GB 32100 check digit"),
            ));
        }
        if let Some(issue) = self.region_issue() {
            issues.push(issue);
        }
        if self.name.trim().is_empty() {
            issues.push(Issue::new(
                "empty_name",
                Severity::Error,
                "unit_name",
                "单位名称不能为空",
                "unit name is empty",
            ));
        }
        issues
    }

    /// 乡级代码段 — for a town or subdistrict, whether its region code's township segment
    /// agrees with its kind (统计用区划代码: 001–099 街道, 100–199 镇, 200–399 乡, 400–599
    /// 乡级单位 such as 开发区, which either kind may be). A mismatch is a warning, never a
    /// refusal: the code may be right and the kind wrong, and the adviser decides which.
    pub fn region_issue(&self) -> Option<Issue> {
        if !self.kind.is_township_level() {
            return None;
        }
        let code = &self.region;
        let Some(class) = code.township_class() else {
            return Some(Issue::new(
                "region_not_township",
                Severity::Warning,
                "region_code",
                format!(
                    "{}“{}”的行政区划代码“{code}”不是乡级代码（统计用区划代码第7–9位为乡级代码段）",
                    self.kind.zh(),
                    self.name
                ),
                format!(
                    "{} is a {:?} but its region code {code} is not at township level",
                    self.name, self.kind
                ),
            ));
        };
        let agrees = match class {
            TownshipSegment::TownshipLevelUnit => true,
            TownshipSegment::Subdistrict => self.kind == UnitKind::Subdistrict,
            TownshipSegment::Town | TownshipSegment::Township => self.kind == UnitKind::Township,
            TownshipSegment::Unassigned => false,
        };
        (!agrees).then(|| {
            Issue::new(
                "region_segment_kind",
                Severity::Warning,
                "region_code",
                format!(
                    "{}“{}”的行政区划代码“{code}”乡级代码段为{:03}，属{}（{}），与单位类型不符，请核对",
                    self.kind.zh(),
                    self.name,
                    code.township_segment().unwrap_or(0),
                    class.zh(),
                    class.range()
                ),
                format!(
                    "{} is a {:?} but the township segment of {code} denotes {class:?}",
                    self.name, self.kind
                ),
            )
        })
    }
}
