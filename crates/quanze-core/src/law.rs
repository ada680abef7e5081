//! The law registry (法规库) and impact reports: which items cite a law that is amended or
//! repealed.

use std::collections::HashMap;

use chrono::NaiveDate;

use crate::ids::{ItemId, LawId};
use crate::item::{ItemContent, LegalRef};

pub mod rank;
pub mod renumber;

/// 效力层级 — the rank of a legal source, which decides what powers it may create (设定权,
/// see [`rank`]).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum LawLevel {
    /// 法律.
    #[serde(alias = "法律")]
    Law,
    /// 行政法规.
    #[serde(alias = "行政法规")]
    AdministrativeRegulation,
    /// 国务院决定 — a decision of the State Council (行政许可法第十四条第二款).
    #[serde(alias = "国务院决定")]
    StateCouncilDecision,
    /// 地方性法规.
    #[serde(alias = "地方性法规")]
    LocalRegulation,
    /// 自治条例、单行条例 — regulations of a national autonomous area, of the rank of a
    /// 地方性法规 for what they may create.
    #[serde(alias = "自治条例", alias = "单行条例", alias = "自治条例/单行条例")]
    AutonomousRegulation,
    /// 部门规章.
    #[serde(alias = "部门规章")]
    DepartmentalRule,
    /// 地方政府规章.
    #[serde(alias = "地方政府规章")]
    LocalGovernmentRule,
    /// 规范性文件.
    #[serde(alias = "规范性文件", alias = "其他规范性文件")]
    NormativeDocument,
}

impl LawLevel {
    /// Every rank, from the highest.
    pub const ALL: [LawLevel; 8] = [
        LawLevel::Law,
        LawLevel::AdministrativeRegulation,
        LawLevel::StateCouncilDecision,
        LawLevel::LocalRegulation,
        LawLevel::AutonomousRegulation,
        LawLevel::DepartmentalRule,
        LawLevel::LocalGovernmentRule,
        LawLevel::NormativeDocument,
    ];

    /// The Chinese label.
    pub fn zh(self) -> &'static str {
        match self {
            LawLevel::Law => "法律",
            LawLevel::AdministrativeRegulation => "行政法规",
            LawLevel::StateCouncilDecision => "国务院决定",
            LawLevel::LocalRegulation => "地方性法规",
            LawLevel::AutonomousRegulation => "自治条例、单行条例",
            LawLevel::DepartmentalRule => "部门规章",
            LawLevel::LocalGovernmentRule => "地方政府规章",
            LawLevel::NormativeDocument => "规范性文件",
        }
    }

    /// Parses a rank as registries and spreadsheets write it: the snake_case name or the
    /// Chinese label (自治条例 and 单行条例 each name [`LawLevel::AutonomousRegulation`];
    /// 其他规范性文件 is a 规范性文件).
    pub fn parse(raw: &str) -> Result<LawLevel, crate::ValidationError> {
        let s: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
        let found = LawLevel::ALL.into_iter().find(|l| {
            l.zh() == s
                || serde_json::to_value(l).ok().and_then(|v| v.as_str().map(|v| v == s))
                    == Some(true)
        });
        match (found, s.as_str()) {
            (Some(level), _) => Ok(level),
            (None, "自治条例" | "单行条例" | "自治条例/单行条例") => {
                Ok(LawLevel::AutonomousRegulation)
            }
            (None, "其他规范性文件" | "行政规范性文件") => {
                Ok(LawLevel::NormativeDocument)
            }
            (None, _) => Err(crate::ValidationError::Invalid {
                field: "law_level",
                reason: "unknown rank of law",
                reason_zh: "不是已知的效力层级（法律、行政法规、国务院决定、地方性法规、自治条例、单行条例、部门规章、地方政府规章、规范性文件）",
                value: raw.trim().to_owned(),
            }),
        }
    }
}

/// 法规 — one entry of the law registry: a law, regulation, rule or normative document with
/// its window of force. An amendment that gets its own entry points back through `amended_by`
/// on the old edition; a repeal through `repealed_by` (and `in_force_until`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Law {
    /// Stable id.
    pub id: LawId,
    /// The title as promulgated, e.g. 中华人民共和国行政处罚法.
    pub title: String,
    /// Its rank.
    pub level: LawLevel,
    /// 制定机关, e.g. 全国人民代表大会常务委员会.
    pub issuer: String,
    /// In force from.
    pub in_force_from: NaiveDate,
    /// In force until (exclusive), once repealed or replaced.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_force_until: Option<NaiveDate>,
    /// The entry that amended this edition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amended_by: Option<LawId>,
    /// The entry that repealed this one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repealed_by: Option<LawId>,
}

impl Law {
    /// Whether the law is in force on `date`.
    pub fn in_force_on(&self, date: NaiveDate) -> bool {
        self.in_force_from <= date && self.in_force_until.is_none_or(|until| date < until)
    }

    /// Whether a citation's title names this law (see [`normalize_title`]).
    pub fn is_cited_as(&self, cited: &str) -> bool {
        normalize_title(&self.title) == normalize_title(cited)
    }
}

/// The comparable form of a law's title: without book-title marks, whitespace, the
/// 中华人民共和国 prefix and a trailing edition note such as （2021年修订）.
pub fn normalize_title(raw: &str) -> String {
    let mut title: String =
        raw.chars().filter(|c| !c.is_whitespace() && !matches!(c, '《' | '》')).collect();
    // Edition notes trail the title: 行政处罚法（2021年修订） / 行政处罚法(2017修正).
    while let Some(close) = title.chars().last().filter(|c| matches!(c, '）' | ')')) {
        let open = if close == '）' { '（' } else { '(' };
        match title.rfind(open) {
            Some(at) if at > 0 => title.truncate(at),
            _ => break,
        }
    }
    match title.strip_prefix("中华人民共和国") {
        Some(rest) if !rest.is_empty() => rest.to_owned(),
        _ => title,
    }
}

/// 法规库 — the registry, with lookup by normalised title. Several editions may share a title;
/// the one in force on a date wins.
#[derive(Debug, Clone, Default)]
pub struct LawRegistry {
    laws: Vec<Law>,
    by_title: HashMap<String, Vec<usize>>,
}

/// What the registry says about a cited title on a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing<'a> {
    /// An edition is in force.
    InForce(&'a Law),
    /// The title is registered, but no edition is in force on that date (repealed, or not yet
    /// in force); the latest edition starting on or before the date, else the earliest.
    NotInForce(&'a Law),
    /// The title is not in the registry.
    Unknown,
}

impl LawRegistry {
    /// A registry of these laws.
    pub fn new(laws: impl IntoIterator<Item = Law>) -> LawRegistry {
        let mut registry = LawRegistry::default();
        for law in laws {
            registry.insert(law);
        }
        registry
    }

    /// Adds (or, with the same id, replaces) an entry.
    pub fn insert(&mut self, law: Law) {
        if let Some(at) = self.laws.iter().position(|l| l.id == law.id) {
            let old = normalize_title(&self.laws[at].title);
            if let Some(list) = self.by_title.get_mut(&old) {
                list.retain(|i| *i != at);
            }
            self.laws[at] = law;
            self.by_title.entry(normalize_title(&self.laws[at].title)).or_default().push(at);
        } else {
            self.by_title.entry(normalize_title(&law.title)).or_default().push(self.laws.len());
            self.laws.push(law);
        }
    }

    /// Every entry.
    pub fn laws(&self) -> &[Law] {
        &self.laws
    }

    /// The entry with this id.
    pub fn get(&self, id: LawId) -> Option<&Law> {
        self.laws.iter().find(|l| l.id == id)
    }

    /// The standing of a cited title on `date`.
    pub fn standing(&self, cited: &str, date: NaiveDate) -> Standing<'_> {
        let Some(editions) = self.by_title.get(&normalize_title(cited)) else {
            return Standing::Unknown;
        };
        let editions = editions.iter().map(|i| &self.laws[*i]);
        if let Some(law) = editions.clone().find(|l| l.in_force_on(date)) {
            return Standing::InForce(law);
        }
        let before = editions.clone().filter(|l| l.in_force_from <= date);
        match before.max_by_key(|l| l.in_force_from) {
            Some(law) => Standing::NotInForce(law),
            None => match editions.min_by_key(|l| l.in_force_from) {
                Some(law) => Standing::NotInForce(law),
                None => Standing::Unknown,
            },
        }
    }
}

/// Where an item cites a law.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Citation {
    /// In 设定依据.
    LegalBasis {
        /// The reference.
        cite: LegalRef,
    },
    /// In the basis of a 责任事项.
    Responsibility {
        /// The stage.
        stage: String,
        /// The reference.
        cite: LegalRef,
    },
    /// In the basis of a 追责情形.
    Accountability {
        /// The situation.
        situation: String,
        /// The reference.
        cite: LegalRef,
    },
}

/// One item that cites the law.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ImpactedItem {
    /// The item.
    pub item: ItemId,
    /// The content that cites it (the version the caller passed).
    pub content: ItemContent,
    /// Every place it is cited.
    pub citations: Vec<Citation>,
}

/// 影响评估 — every item citing a law, for a repeal or an amendment; the start of a change set.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ImpactReport {
    /// The law.
    pub law: LawId,
    /// Its title.
    pub title: String,
    /// Items citing it, in the order given.
    pub items: Vec<ImpactedItem>,
}

impl ImpactReport {
    /// The ids of the items concerned.
    pub fn item_ids(&self) -> Vec<ItemId> {
        self.items.iter().map(|i| i.item).collect()
    }
}

/// Every item among `items` whose legal basis, responsibilities or accountability cite `law`.
pub fn impact<'a>(
    law: &Law,
    items: impl IntoIterator<Item = (ItemId, &'a ItemContent)>,
) -> ImpactReport {
    let wanted = normalize_title(&law.title);
    let cites = |r: &LegalRef| normalize_title(&r.law) == wanted;
    let mut out = Vec::new();
    for (item, content) in items {
        let mut citations: Vec<Citation> = Vec::new();
        for cite in content.legal_basis.iter().filter(|r| cites(r)) {
            citations.push(Citation::LegalBasis { cite: cite.clone() });
        }
        for resp in &content.responsibilities {
            for cite in resp.basis.iter().filter(|r| cites(r)) {
                citations.push(Citation::Responsibility {
                    stage: resp.stage.clone(),
                    cite: cite.clone(),
                });
            }
        }
        for acc in &content.accountability {
            for cite in acc.basis.iter().filter(|r| cites(r)) {
                citations.push(Citation::Accountability {
                    situation: acc.situation.clone(),
                    cite: cite.clone(),
                });
            }
        }
        if !citations.is_empty() {
            out.push(ImpactedItem { item, content: content.clone(), citations });
        }
    }
    ImpactReport { law: law.id, title: law.title.clone(), items: out }
}

#[cfg(test)]
mod tests;
