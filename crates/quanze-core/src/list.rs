//! Lists (权责清单) and their versions, township templates with overrides, duty kinds, and
//! who is the 实施主体 of an entry in a town's list ([`TownHolder`]).

use std::collections::BTreeMap;
use std::fmt;

use chrono::NaiveDate;

use crate::codes::RegionCode;
use crate::error::ValidationError;
use crate::ids::{ItemId, ListId, ListVersionId, UnitId};
use crate::unit::{Tag, Unit};

mod holder;
mod overrides;

pub use holder::TownHolder;
pub use overrides::{OverrideError, OverrideProblem, check_overrides};

/// 清单范围 — whose list this is.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ListScope {
    /// The list of one unit (a department, or a town's own additions).
    Unit {
        /// The unit.
        unit: UnitId,
    },
    /// 乡镇权责清单通用目录 — the township template of a county, which every town and subdistrict
    /// of that county receives with its declared overrides.
    TownshipTemplate {
        /// The county's region code.
        county: RegionCode,
    },
}

/// 权责清单 — a list: a scope and a name; its content lives in its versions.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PowerList {
    /// Stable id.
    pub id: ListId,
    /// Title, e.g. 某某县市场监督管理局权责清单.
    pub name: String,
    /// Whose list.
    pub scope: ListScope,
}

/// 履职类型 — the duty kind of an entry in a township list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DutyKind {
    /// 基本履职 — the town must do it and bears full responsibility.
    Own,
    /// 配合履职 — the town cooperates with the lead department.
    Cooperate {
        /// The lead department.
        lead: UnitId,
    },
    /// 上级部门收回 — the town cannot do it; the receiving department took it back.
    Reclaimed {
        /// The department that took it back.
        receiver: UnitId,
    },
}

impl DutyKind {
    /// The Chinese label.
    pub fn zh(&self) -> &'static str {
        match self {
            DutyKind::Own => "基本履职",
            DutyKind::Cooperate { .. } => "配合履职",
            DutyKind::Reclaimed { .. } => "上级部门收回",
        }
    }
    /// The stable machine name: own, cooperate, reclaimed.
    pub fn code(&self) -> &'static str {
        match self {
            DutyKind::Own => "own",
            DutyKind::Cooperate { .. } => "cooperate",
            DutyKind::Reclaimed { .. } => "reclaimed",
        }
    }
    /// The other unit named by the duty (lead or receiver).
    pub fn counterpart(&self) -> Option<UnitId> {
        match self {
            DutyKind::Own => None,
            DutyKind::Cooperate { lead } => Some(*lead),
            DutyKind::Reclaimed { receiver } => Some(*receiver),
        }
    }
}

/// 清单条目 — one item in a list version, pinned to one content version of the item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct ListEntry {
    /// The item.
    pub item: ItemId,
    /// Which content version of the item.
    pub item_version: u32,
    /// The duty kind (always [`DutyKind::Own`] in a department list).
    pub duty: DutyKind,
}

/// Whom a township override applies to.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum OverrideTarget {
    /// Every town with this tag (蓄滞洪区, 经济发达镇).
    Tag {
        /// The tag.
        tag: Tag,
    },
    /// One town.
    Town {
        /// The town.
        unit: UnitId,
    },
}

/// What an override changes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum OverrideChange {
    /// The town holds an extra item (or the entry replaces the template's one).
    Add {
        /// The entry.
        entry: ListEntry,
    },
    /// The town does not hold this template item.
    Remove {
        /// The item.
        item: ItemId,
    },
}

/// 差异声明 — a declared difference between the township template and some towns.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Override {
    /// Whom it applies to.
    pub target: OverrideTarget,
    /// What it changes.
    pub change: OverrideChange,
    /// Why (shown in the published list).
    #[serde(default)]
    pub reason: String,
}

/// The state of a list version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VersionStatus {
    /// 草稿 — editable.
    Draft,
    /// 已公布 — immutable and in force from its effective date.
    Published,
    /// 已废止 — replaced by a later published version; still queryable for its window.
    Superseded,
}

impl VersionStatus {
    /// The Chinese label.
    pub fn zh(self) -> &'static str {
        match self {
            VersionStatus::Draft => "草稿",
            VersionStatus::Published => "已公布",
            VersionStatus::Superseded => "已废止",
        }
    }
}

/// 文号 — a document number such as `x编〔2024〕34号`.
///
/// Invariant: non-empty, at most 64 characters, contains a year in 〔〕 and ends with 号.
/// ASCII brackets and 【】 are normalised to 〔〕.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DocNo(String);

impl DocNo {
    /// Parses a document number.
    pub fn parse(raw: &str) -> Result<DocNo, ValidationError> {
        let s: String = raw
            .trim()
            .chars()
            .map(|c| match c {
                '[' | '【' | '(' | '（' | '［' => '〔',
                ']' | '】' | ')' | '）' | '］' => '〕',
                c => c,
            })
            .collect();
        if s.is_empty() {
            return Err(ValidationError::Empty { field: "doc_no" });
        }
        if s.chars().count() > 64 {
            return Err(ValidationError::TooLong { field: "doc_no", max: 64 });
        }
        let year_ok = s.find('〔').zip(s.find('〕')).is_some_and(|(a, b)| {
            let year = &s[a + '〔'.len_utf8()..b];
            year.len() == 4 && year.chars().all(|c| c.is_ascii_digit())
        });
        if !year_ok || !s.ends_with('号') {
            return Err(ValidationError::Invalid {
                field: "doc_no",
                reason: "not a document number such as x编〔2024〕34号",
                reason_zh: "格式不正确，应形如“x编〔2024〕34号”",
                value: raw.trim().to_owned(),
            });
        }
        Ok(DocNo(s))
    }
    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for DocNo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
impl From<DocNo> for String {
    fn from(d: DocNo) -> String {
        d.0
    }
}
impl TryFrom<String> for DocNo {
    type Error = ValidationError;
    fn try_from(raw: String) -> Result<DocNo, ValidationError> {
        DocNo::parse(&raw)
    }
}

/// 清单版本 — one version of a list: a draft, or a published (immutable) version with its
/// effective date and document number, later superseded by the next one.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ListVersion {
    /// Id of this version.
    pub id: ListVersionId,
    /// The list.
    pub list: ListId,
    /// 1, 2, 3 … within the list.
    pub number: u32,
    /// Draft, published or superseded.
    pub status: VersionStatus,
    /// In force from (published versions).
    pub effective_from: Option<NaiveDate>,
    /// In force until, exclusive (set when a successor takes effect).
    pub effective_until: Option<NaiveDate>,
    /// The publication's document number.
    pub doc_no: Option<DocNo>,
    /// The entries.
    pub entries: Vec<ListEntry>,
    /// Township overrides (template lists only).
    pub overrides: Vec<Override>,
}

impl ListVersion {
    /// Whether this version is in force on `date`.
    pub fn in_force_on(&self, date: NaiveDate) -> bool {
        self.status != VersionStatus::Draft
            && self.effective_from.is_some_and(|from| from <= date)
            && self.effective_until.is_none_or(|until| date < until)
    }

    /// The entries a town holds under this template version: the template entries, then the
    /// overrides for each of the town's tags (in declaration order), then the town's own
    /// overrides. The result is sorted by item id.
    pub fn resolve_for(&self, town: &Unit) -> Vec<ListEntry> {
        let mut entries: BTreeMap<ItemId, ListEntry> =
            self.entries.iter().map(|e| (e.item, *e)).collect();
        let applies_by_tag = |o: &&Override| match &o.target {
            OverrideTarget::Tag { tag } => town.tags.contains(tag),
            OverrideTarget::Town { .. } => false,
        };
        let applies_to_town = |o: &&Override| match &o.target {
            OverrideTarget::Town { unit } => *unit == town.id,
            OverrideTarget::Tag { .. } => false,
        };
        let by_tag = self.overrides.iter().filter(applies_by_tag);
        let by_town = self.overrides.iter().filter(applies_to_town);
        for o in by_tag.chain(by_town) {
            match &o.change {
                OverrideChange::Add { entry } => {
                    entries.insert(entry.item, *entry);
                }
                OverrideChange::Remove { item } => {
                    entries.remove(item);
                }
            }
        }
        entries.into_values().collect()
    }
}

/// The version of a list in force on `date`, if any.
pub fn version_on(versions: &[ListVersion], date: NaiveDate) -> Option<&ListVersion> {
    versions.iter().filter(|v| v.in_force_on(date)).max_by_key(|v| v.effective_from)
}

#[cfg(test)]
mod tests;
