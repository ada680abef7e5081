//! The law registry's use cases (法规库, issue 4 §3): registering the laws items cite,
//! recording an amendment or a repeal, and the impact report of every item in force that
//! cites a law — the start of the change set that revises them.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use quanze_core::law::impact;
use quanze_core::{ImpactReport, Law, LawId, LawLevel, Role};

use crate::Service;
use crate::auth::CurrentUser;
use crate::error::{ServiceError, ServiceResult};

/// Who keeps the registry: the justice bureau's reviewers, the staffing office, administrators.
const KEEPERS: [Role; 3] = [Role::JusticeReviewer, Role::StaffingEditor, Role::SysAdmin];

/// A law to register.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewLaw {
    /// The title as promulgated.
    pub title: String,
    /// Its rank.
    pub level: LawLevel,
    /// 制定机关.
    pub issuer: String,
    /// In force from.
    pub in_force_from: NaiveDate,
}

/// How a law ends: repealed (废止) or replaced by an amended edition (修订/修正).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Ending {
    /// 废止, optionally by another law.
    Repealed,
    /// 修订/修正: `by` is the new edition.
    Amended,
}

impl Service {
    /// The law registry, by start of force.
    pub async fn laws(&self) -> ServiceResult<Vec<Law>> {
        Ok(self.store.laws().await?)
    }

    /// Registers a law. Refused: an empty title or issuer, or the same title already in force
    /// from the same date.
    pub async fn register_law(
        &self,
        by: Option<&CurrentUser>,
        new: NewLaw,
    ) -> ServiceResult<(LawId, u64)> {
        if let Some(by) = by {
            by.require(&KEEPERS, None, "登记法规")?;
        }
        let title = new.title.trim().to_owned();
        if title.is_empty() {
            return Err(quanze_core::ValidationError::Empty { field: "title" }.into());
        }
        let issuer = new.issuer.trim().to_owned();
        if issuer.is_empty() {
            return Err(quanze_core::ValidationError::Empty { field: "issuer" }.into());
        }
        let law = Law {
            id: self.ids.law(),
            title,
            level: new.level,
            issuer,
            in_force_from: new.in_force_from,
            in_force_until: None,
            amended_by: None,
            repealed_by: None,
        };
        let ev = self.event(
            by,
            None,
            "law.registered",
            format!("law:{}", law.id),
            serde_json::to_value(&law).unwrap_or_default(),
        );
        let receipt = self.store.put_law(&law, ev).await?;
        Ok((law.id, receipt.leaf_index()))
    }

    /// Records that a law stops being in force on `on` (exclusive), repealed or amended,
    /// optionally by another registered law, and returns the impact report: every item in
    /// force today that cites it, to be revised. Refused: an unknown law, one that has already ended, an end before
    /// its start, an amendment without its new edition, a law ended by itself.
    pub async fn end_law(
        &self,
        by: Option<&CurrentUser>,
        id: LawId,
        ending: Ending,
        on: NaiveDate,
        by_law: Option<LawId>,
    ) -> ServiceResult<(ImpactReport, u64)> {
        if let Some(by) = by {
            by.require(&KEEPERS, None, "登记法规废止或修订")?;
        }
        let laws = self.store.laws().await?;
        let law = laws
            .iter()
            .find(|l| l.id == id)
            .ok_or_else(|| ServiceError::NotFound(format!("法规 {id}")))?
            .clone();
        if let Some(until) = law.in_force_until {
            return Err(ServiceError::rejected(
                "law_already_ended",
                format!("《{}》已于{until}失效", law.title),
                format!("{} already ended on {until}", law.title),
            ));
        }
        if on <= law.in_force_from {
            return Err(ServiceError::rejected(
                "law_end_before_start",
                format!("失效日期{on}不晚于《{}》的施行日期{}", law.title, law.in_force_from),
                format!("{on} is not after {} took force on {}", law.title, law.in_force_from),
            ));
        }
        if let Some(other) = by_law {
            if other == id {
                return Err(ServiceError::rejected(
                    "law_ends_itself",
                    "法规不能由其自身废止或修订",
                    "a law cannot end itself",
                ));
            }
            if !laws.iter().any(|l| l.id == other) {
                return Err(ServiceError::NotFound(format!("法规 {other}")));
            }
        } else if ending == Ending::Amended {
            return Err(ServiceError::rejected(
                "amendment_without_edition",
                "修订须指明新版本（先登记修订后的法规）",
                "an amendment needs the new edition (register it first)",
            ));
        }
        let ended = Law {
            in_force_until: Some(on),
            repealed_by: if ending == Ending::Repealed { by_law } else { None },
            amended_by: if ending == Ending::Amended { by_law } else { None },
            ..law
        };
        let report = self.law_impact_of(&ended, self.today());
        let kind = match ending {
            Ending::Repealed => "law.repealed",
            Ending::Amended => "law.amended",
        };
        let ev = self.event(
            by,
            None,
            kind,
            format!("law:{id}"),
            serde_json::json!({
                "law": ended, "impacted_items": report.item_ids(),
            }),
        );
        let receipt = self.store.put_law(&ended, ev).await?;
        Ok((report, receipt.leaf_index()))
    }

    /// 影响评估 — every item in force on `date` (in any list's version on that date, each
    /// item once) whose legal basis, responsibilities or accountability cite the law.
    pub async fn law_impact(&self, id: LawId, date: NaiveDate) -> ServiceResult<ImpactReport> {
        let laws = self.store.laws().await?;
        let law = laws
            .iter()
            .find(|l| l.id == id)
            .ok_or_else(|| ServiceError::NotFound(format!("法规 {id}")))?;
        Ok(self.law_impact_of(law, date))
    }

    fn law_impact_of(&self, law: &Law, date: NaiveDate) -> ImpactReport {
        let catalog = self.catalog();
        let mut seen = BTreeSet::new();
        let mut items = Vec::new();
        for list in &catalog.lists {
            let Some(version) = catalog.version_on(list.id, date) else { continue };
            let added = version.overrides.iter().filter_map(|o| match &o.change {
                quanze_core::OverrideChange::Add { entry } => Some(entry),
                quanze_core::OverrideChange::Remove { .. } => None,
            });
            for entry in version.entries.iter().chain(added) {
                if seen.insert((entry.item, entry.item_version))
                    && let Some(item) = catalog.item(entry.item, entry.item_version)
                {
                    items.push((entry.item, item));
                }
            }
        }
        impact(law, items.iter().map(|(id, item)| (*id, &item.content)))
    }
}
