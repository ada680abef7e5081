//! The law registry's use cases (法规库, issue 4 §3): registering the laws items cite,
//! recording an amendment or a repeal, and the impact report of every item in force that
//! cites a law — the start of the change set that revises them.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use quanze_core::access::Act;
use quanze_core::law::impact;
use quanze_core::law::renumber::Renumbering;
use quanze_core::{ImpactReport, Law, LawId, LawLevel};

use crate::Service;
use crate::auth::CurrentUser;
use crate::error::{ErrorCode, ServiceError, ServiceResult};

mod lawful;
pub(crate) use lawful::rank_refusals;

/// A law to register.
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({ "title": "中华人民共和国行政处罚法", "level": "law", "issuer": "全国人民代表大会常务委员会", "in_force_from": "2021-07-15" }))]
pub struct NewLaw {
    /// The title as promulgated.
    pub title: String,
    /// Its rank (效力层级), which decides what powers it may create (设定权): `law`,
    /// `administrative_regulation`, `state_council_decision`, `local_regulation`,
    /// `autonomous_regulation` (自治条例、单行条例), `departmental_rule`,
    /// `local_government_rule` or `normative_document`; the Chinese labels (法律, 国务院决定 …)
    /// are read too.
    #[schema(value_type = String)]
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

/// One line of an article-mapping table: the old edition's article and the new one's.
#[derive(Debug, Clone, Copy, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ArticleMove {
    /// The article number in the old edition.
    pub old: u32,
    /// The article number in the new edition.
    pub new: u32,
}

/// The article-mapping table of a request, checked: no article 0, no old article twice, not
/// both a table and `keep_numbers`.
pub fn renumbering(articles: &[ArticleMove], keep_numbers: bool) -> ServiceResult<Renumbering> {
    let invalid =
        |zh: String, en: String| ServiceError::rejected(ErrorCode::InvalidArticleMap, zh, en);
    if keep_numbers {
        if !articles.is_empty() {
            return Err(invalid(
                "条文序号未变时不应再提供条文对照表".into(),
                "keep_numbers and an article table contradict each other".into(),
            ));
        }
        return Ok(Renumbering::Kept);
    }
    if articles.is_empty() {
        return Ok(Renumbering::Unknown);
    }
    let mut table = std::collections::BTreeMap::new();
    for (i, m) in articles.iter().enumerate() {
        if m.old == 0 || m.new == 0 {
            return Err(invalid(
                format!("条文对照表第{}行：条文序号须从1开始", i + 1),
                format!("article table line {}: articles start at 1", i + 1),
            ));
        }
        if table.insert(m.old, m.new).is_some() {
            return Err(invalid(
                format!("条文对照表中原第{}条出现两次", m.old),
                format!("old article {} appears twice in the article table", m.old),
            ));
        }
    }
    Ok(Renumbering::Mapped(table))
}

impl Service {
    /// The law registry, by start of force.
    pub async fn laws(&self) -> ServiceResult<Vec<Law>> {
        Ok(self.store.laws().await?)
    }

    /// One page of the law registry, by start of force, cut in the store's index.
    pub async fn laws_page(
        &self,
        offset: usize,
        limit: usize,
    ) -> ServiceResult<crate::lists::Page<Law>> {
        let (total, items) = self.store.laws_page(offset, limit).await?;
        Ok(crate::lists::Page { total, offset, limit, items })
    }

    /// Registers a law. Refused: an empty title or issuer, or the same title already in force
    /// from the same date.
    pub async fn register_law(
        &self,
        by: Option<&CurrentUser>,
        new: NewLaw,
    ) -> ServiceResult<(LawId, u64)> {
        if let Some(by) = by {
            by.require_act(Act::KeepLaws, None)?;
        }
        let title = crate::error::checked_text("title", &new.title, 200, false)?;
        if title.is_empty() {
            return Err(quanze_core::ValidationError::Empty { field: "title" }.into());
        }
        let issuer = crate::error::checked_text("issuer", &new.issuer, 200, false)?;
        if issuer.is_empty() {
            return Err(quanze_core::ValidationError::Empty { field: "issuer" }.into());
        }
        quanze_core::text::check_plausible_date("in_force_from", new.in_force_from, self.today())?;
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
            by.require_act(Act::KeepLaws, None)?;
        }
        quanze_core::text::check_plausible_date("in_force_until", on, self.today())?;
        let law = self.law(id).await?;
        if let Some(until) = law.in_force_until {
            return Err(ServiceError::rejected(
                ErrorCode::LawAlreadyEnded,
                format!("《{}》已于{until}失效", law.title),
                format!("{} already ended on {until}", law.title),
            ));
        }
        if on <= law.in_force_from {
            return Err(ServiceError::rejected(
                ErrorCode::LawEndBeforeStart,
                format!("失效日期{on}不晚于《{}》的施行日期{}", law.title, law.in_force_from),
                format!("{on} is not after {} took force on {}", law.title, law.in_force_from),
            ));
        }
        if let Some(other) = by_law {
            if other == id {
                return Err(ServiceError::rejected(
                    ErrorCode::LawEndsItself,
                    "法规不能由其自身废止或修订",
                    "a law cannot end itself",
                ));
            }
            self.law(other).await?;
        } else if ending == Ending::Amended {
            return Err(ServiceError::rejected(
                ErrorCode::AmendmentWithoutEdition,
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
        let law = self.law(id).await?;
        Ok(self.law_impact_of(&law, date))
    }

    /// One law of the registry, `NotFound` naming it when there is none.
    pub async fn law(&self, id: LawId) -> ServiceResult<Law> {
        self.store.law(id).await?.ok_or_else(|| ServiceError::NotFound(format!("法规 {id}")))
    }

    pub(crate) fn law_impact_of(&self, law: &Law, date: NaiveDate) -> ImpactReport {
        let catalog = self.catalog();
        let mut seen = BTreeSet::new();
        let mut items = Vec::new();
        for list in catalog.lists.iter() {
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

impl Service {
    /// Opens a draft change set (动态调整) for every item in force on `effective_on` that
    /// cites a law no longer in force: each citation of it moves to the edition or law that
    /// replaced it (amended or repealed by another), and an item whose law was repealed with
    /// no successor is proposed for removal. Items whose citations need no change, and
    /// items that only a township override adds, are left out. An old article number is not
    /// carried over (a revision renumbers): each cited article is moved by `renumbering`, the
    /// editor's article-mapping table, or marked for the editor to confirm (the legality review
    /// reports it until the article is given; the change's reason lists them). Refused: the law
    /// is still in force, no item needs changing, or the table is given for a law with no
    /// successor.
    pub async fn draft_for_law(
        &self,
        by: &CurrentUser,
        id: LawId,
        effective_on: NaiveDate,
        renumbering: Renumbering,
    ) -> ServiceResult<(crate::changesets::ChangeSetView, u64)> {
        use crate::changesets::{ChangeAction, ChangeInput, NewChangeSet};
        use quanze_core::law::normalize_title;
        use quanze_core::law::renumber::{Moved, move_citation};

        by.require_act(Act::DraftChangeSet, None)?;
        let law = &self.law(id).await?;
        let Some(ended) = law.in_force_until else {
            return Err(ServiceError::rejected(
                ErrorCode::LawInForce,
                format!("《{}》仍然有效，无需调整清单", law.title),
                format!("{} is still in force", law.title),
            ));
        };
        let successor = match law.amended_by.or(law.repealed_by) {
            Some(s) => self.store.law(s).await?,
            None => None,
        };
        let successor = successor.as_ref();
        if successor.is_none() && renumbering != Renumbering::Unknown {
            return Err(ServiceError::rejected(
                ErrorCode::InvalidArticleMap,
                format!("《{}》已废止且没有替代的法规，无条文可对照", law.title),
                format!("{} has no successor to map articles to", law.title),
            ));
        }
        let report = self.law_impact_of(law, effective_on);
        let wanted = normalize_title(&law.title);
        let catalog = self.catalog();
        let mut changes = Vec::new();
        // Each item's first list (in catalogue order) whose version in force holds it as an
        // entry, found in one pass over the lists.
        let mut entry_of = std::collections::HashMap::new();
        for l in catalog.lists.iter() {
            let Some(v) = catalog.version_on(l.id, effective_on) else { continue };
            for e in &v.entries {
                entry_of.entry(e.item).or_insert((l.id, *e));
            }
        }
        let mut done = BTreeSet::new();
        for impacted in &report.items {
            if !done.insert(impacted.item) {
                continue;
            }
            let Some(&(list, entry)) = entry_of.get(&impacted.item) else { continue };
            let Some(current) = catalog.item(entry.item, entry.item_version) else { continue };
            let mut content = current.content.clone();
            let cites = |r: &quanze_core::LegalRef| normalize_title(&r.law) == wanted;
            let mut marked = BTreeSet::new();
            match successor {
                Some(new) => {
                    let edition = Some(format!("{}年施行", new.in_force_from.format("%Y")));
                    let refs = content
                        .legal_basis
                        .iter_mut()
                        .chain(content.responsibilities.iter_mut().flat_map(|r| &mut r.basis))
                        .chain(content.accountability.iter_mut().flat_map(|a| &mut a.basis));
                    for r in refs.filter(|r| cites(r)) {
                        let moved = move_citation(r, &new.title, edition.clone(), &renumbering);
                        if let Moved::Marked { from } = moved {
                            marked.insert(from);
                        }
                    }
                }
                // Repealed with no successor: the citations go; the power itself only when
                // no legal basis is left (法无授权不可为).
                None => {
                    content.legal_basis.retain(|r| !cites(r));
                    content.responsibilities.iter_mut().for_each(|r| r.basis.retain(|b| !cites(b)));
                    content.accountability.iter_mut().for_each(|a| a.basis.retain(|b| !cites(b)));
                }
            }
            if content == current.content {
                continue;
            }
            let (action, content) = if content.legal_basis.is_empty() {
                (ChangeAction::Remove, None)
            } else {
                (ChangeAction::Amend, Some(content))
            };
            let unconfirmed = if marked.is_empty() {
                String::new()
            } else {
                let list: Vec<String> = marked.iter().map(|a| format!("原第{a}条")).collect();
                format!("；{}的新条文序号待确认", list.join("、"))
            };
            let reason = match successor {
                Some(new) => format!(
                    "《{}》已于{ended}失效，依据改为《{}》{unconfirmed}",
                    law.title, new.title
                ),
                None if action == ChangeAction::Remove => {
                    format!("设定依据《{}》已于{ended}废止，且无其他设定依据", law.title)
                }
                None => format!("《{}》已于{ended}废止，删去对它的引用", law.title),
            };
            changes.push(ChangeInput {
                list,
                action,
                item: Some(impacted.item),
                base: Some(entry.item_version),
                duty: None,
                content,
                reason,
                basis: format!("《{}》失效（法规库记录）", law.title),
            });
        }
        if changes.is_empty() {
            return Err(ServiceError::rejected(
                ErrorCode::NothingToRevise,
                format!("没有需要因《{}》失效而调整的事项", law.title),
                format!("no item needs revising after {} ended", law.title),
            ));
        }
        let new = NewChangeSet {
            title: format!("因《{}》失效调整权责清单", law.title),
            effective_on,
            changes,
            countersigners: vec![],
            ratification: None,
        };
        self.create_change_set(by, new).await
    }
}
