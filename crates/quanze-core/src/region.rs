//! Administrative regions.

use crate::codes::RegionCode;

/// 区划层级 — the level of a region.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum RegionLevel {
    /// 省级.
    Province,
    /// 地级.
    City,
    /// 县级.
    County,
    /// 乡级 (town, township, subdistrict).
    Township,
    /// 村级.
    Village,
}

impl RegionLevel {
    /// The Chinese label.
    pub fn zh(self) -> &'static str {
        match self {
            RegionLevel::Province => "省级",
            RegionLevel::City => "地级",
            RegionLevel::County => "县级",
            RegionLevel::Township => "乡级",
            RegionLevel::Village => "村级",
        }
    }
}

/// 行政区划 — a region with its statistical code and name. Level and parent follow from the code.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Region {
    /// The 12-digit statistical code.
    pub code: RegionCode,
    /// The name, e.g. 王坛镇.
    pub name: String,
}

impl Region {
    /// The level, from the code.
    pub fn level(&self) -> RegionLevel {
        self.code.level()
    }
    /// The parent's code, from the code.
    pub fn parent(&self) -> Option<RegionCode> {
        self.code.parent()
    }
}
