//! 差异声明 in a file: the rows of a township template that apply only to some towns.
//!
//! A township template is published with its declared differences (a 蓄滞洪区 town holds two
//! more items, a town does not hold one). Export writes them on a sheet of their own, 差异声明,
//! with the usual columns plus 适用范围 (`标签：蓄滞洪区` or `乡镇：某某镇`), 差异 (增加 or
//! 不承担) and 差异理由; import reads them back, so a template round-trips with its
//! differences.

use quanze_core::{Tag, UnitId};

use crate::units::UnitDirectory;

/// The sheet export writes the differences on.
pub const VARIANT_SHEET: &str = "差异声明";

/// Whom a difference applies to.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum VariantScope {
    /// Every town with this tag.
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

/// What a difference does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VariantChange {
    /// 增加 — the towns hold this item too (or hold it with this duty kind instead).
    Add,
    /// 不承担 — the towns do not hold this template item.
    Remove,
}

impl VariantChange {
    /// The text in the 差异 column.
    pub fn zh(self) -> &'static str {
        match self {
            VariantChange::Add => "增加",
            VariantChange::Remove => "不承担",
        }
    }

    /// Reads the 差异 column.
    pub fn parse(text: &str) -> Option<VariantChange> {
        match text.trim() {
            "增加" | "新增" | "增加事项" | "增" => Some(VariantChange::Add),
            "不承担" | "删除" | "减少" | "取消" | "不承接" | "减" => {
                Some(VariantChange::Remove)
            }
            _ => None,
        }
    }
}

/// 差异 — a row's declared difference.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Variant {
    /// Whom it applies to.
    pub scope: VariantScope,
    /// What it does.
    pub change: VariantChange,
    /// Why (差异理由).
    #[serde(default)]
    pub reason: String,
}

impl VariantScope {
    /// Reads the 适用范围 column: `标签：X` or `乡镇：X` (a half-width colon works too); a
    /// bare name is a town when the directory knows it and a tag otherwise. `Err` says why in
    /// Chinese.
    pub fn parse(text: &str, units: &UnitDirectory) -> Result<VariantScope, String> {
        let text = text.trim();
        let (kind, name) = match text.split_once(['：', ':']) {
            Some((k, n)) => (Some(k.trim()), n.trim()),
            None => (None, text),
        };
        if name.is_empty() {
            return Err("适用范围为空（应为“标签：蓄滞洪区”或“乡镇：某某镇”）".to_owned());
        }
        let town = || {
            units
                .find(name)
                .map(|unit| VariantScope::Town { unit })
                .ok_or_else(|| format!("适用范围中的乡镇“{name}”不存在"))
        };
        let tag = || {
            Tag::parse(name)
                .map(|tag| VariantScope::Tag { tag })
                .map_err(|_| format!("适用范围中的标签“{name}”不正确"))
        };
        match kind {
            Some("标签") => tag(),
            Some("乡镇" | "街道" | "乡镇（街道）" | "单位") => town(),
            Some(other) => Err(format!("适用范围“{other}”不明（应为“标签”或“乡镇”）")),
            None => town().or_else(|_| tag()),
        }
    }
}
