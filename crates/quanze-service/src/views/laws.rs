//! The law registry (法规库): laws, their ending and the impact report, as the API answers
//! them, and the request bodies.

use chrono::NaiveDate;
use quanze_core::law::{ImpactReport, ImpactedItem};
use quanze_core::{Law, LawId, LawLevel};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ChangeSetReceipt, Created, page};
use crate::Service;
use crate::auth::CurrentUser;
use crate::error::ServiceResult;
use crate::laws::{ArticleMove, Ending, NewLaw};

/// 法规 — a law of the registry, one edition with its window of force.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({ "id": "0190c3a4-7e1b-7c2d-9a51-3f0e2b6d8c21", "title": "中华人民共和国行政处罚法", "level": "law", "issuer": "全国人民代表大会常务委员会", "in_force_from": "2021-07-15" }))]
pub struct LawView {
    /// Stable id.
    #[schema(value_type = String, format = Uuid)]
    pub id: LawId,
    /// The title as promulgated.
    pub title: String,
    /// Its rank (效力层级): `law`, `administrative_regulation`, `state_council_decision`,
    /// `local_regulation`, `autonomous_regulation`, `departmental_rule`,
    /// `local_government_rule` or `normative_document`.
    #[schema(value_type = String)]
    pub level: LawLevel,
    /// 制定机关.
    pub issuer: String,
    /// In force from.
    pub in_force_from: NaiveDate,
    /// In force until (exclusive), once repealed or replaced.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub in_force_until: Option<NaiveDate>,
    /// The entry that amended this edition.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = Uuid)]
    pub amended_by: Option<LawId>,
    /// The entry that repealed this one.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = Uuid)]
    pub repealed_by: Option<LawId>,
}

impl From<Law> for LawView {
    fn from(l: Law) -> LawView {
        LawView {
            id: l.id,
            title: l.title,
            level: l.level,
            issuer: l.issuer,
            in_force_from: l.in_force_from,
            in_force_until: l.in_force_until,
            amended_by: l.amended_by,
            repealed_by: l.repealed_by,
        }
    }
}

page!(
    /// A page of the law registry, by start of force.
    LawPage of LawView
);

/// How a law ends.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({ "ending": "repealed", "on": "2026-01-01" }))]
pub struct EndLawRequest {
    /// `repealed` (废止) or `amended` (修订/修正; `by` is then required).
    #[schema(value_type = String)]
    pub ending: Ending,
    /// The first day it is no longer in force.
    pub on: NaiveDate,
    /// The repealing law or the new edition, when registered.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Uuid)]
    pub by: Option<LawId>,
}

/// The day a revision drafted for an ended law is to take effect, and how its articles were
/// renumbered.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({ "effective_on": "2027-01-01", "articles": [{ "old": 24, "new": 26 }] }))]
pub struct DraftForLawRequest {
    /// YYYY-MM-DD.
    pub effective_on: NaiveDate,
    /// 条文对照表: old article → new article. A cited article not in the table is not carried
    /// over: the citation is marked for the editor to confirm its new article.
    #[serde(default)]
    pub articles: Vec<ArticleMove>,
    /// The new edition kept every article's number (a 修正 that renumbered nothing).
    #[serde(default)]
    pub keep_numbers: bool,
}

/// 影响评估 — every item citing a law, with where.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImpactView {
    /// The law.
    #[schema(value_type = String, format = Uuid)]
    pub law: LawId,
    /// Its title.
    pub title: String,
    /// Items citing it: each with its lists, units and the citations.
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<ImpactedItem>,
}

impl From<ImpactReport> for ImpactView {
    fn from(r: ImpactReport) -> ImpactView {
        ImpactView { law: r.law, title: r.title, items: r.items }
    }
}

/// The answer to a law's ending: the impact report and the ledger leaf.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EndLawReceipt {
    /// Every item in force today that cites the law.
    pub impact: ImpactView,
    /// Index of the ledger leaf of the write.
    pub leaf_index: u64,
}

impl Service {
    /// A page of the law registry.
    pub async fn law_page(&self, offset: usize, limit: usize) -> ServiceResult<LawPage> {
        // Cut in the store along its index: reading every law to keep fifty took 0.37 s a
        // page at 90,000 laws.
        let page = self.laws_page(offset, limit).await?;
        let items = page.items.into_iter().map(LawView::from).collect();
        Ok(LawPage { total: page.total, offset, limit, items })
    }

    /// Registers a law.
    pub async fn add_law(&self, by: &CurrentUser, new: NewLaw) -> ServiceResult<Created> {
        let (id, leaf_index) = self.register_law(Some(by), new).await?;
        Ok(Created { id: id.as_uuid(), leaf_index })
    }

    /// Records a law's repeal or amendment: the impact report.
    pub async fn end_law_view(
        &self,
        by: &CurrentUser,
        id: LawId,
        body: EndLawRequest,
    ) -> ServiceResult<EndLawReceipt> {
        let (report, leaf_index) =
            self.end_law(Some(by), id, body.ending, body.on, body.by).await?;
        Ok(EndLawReceipt { impact: report.into(), leaf_index })
    }

    /// The items in force on `date` (default today) that cite a law.
    pub async fn impact_view(
        &self,
        id: LawId,
        date: Option<NaiveDate>,
    ) -> ServiceResult<ImpactView> {
        let date = date.unwrap_or_else(|| self.today());
        Ok(self.law_impact(id, date).await?.into())
    }

    /// Drafts a change set revising every item that cites an ended law.
    pub async fn draft_for_law_view(
        &self,
        by: &CurrentUser,
        id: LawId,
        body: DraftForLawRequest,
    ) -> ServiceResult<ChangeSetReceipt> {
        let table = crate::laws::renumbering(&body.articles, body.keep_numbers)?;
        let (change_set, leaf_index) = self.draft_for_law(by, id, body.effective_on, table).await?;
        Ok(ChangeSetReceipt { change_set, leaf_index })
    }
}

/// One item in the impact of a law, as the staff's page shows it.
#[derive(Debug, Clone)]
pub struct ImpactLine {
    /// The item.
    pub item: quanze_core::ItemId,
    /// Its name.
    pub name: String,
    /// Its holder's name.
    pub holder: String,
    /// Where it cites the law: 设定依据, a 责任事项's stage or a 追责情形, with the reference.
    pub citations: Vec<String>,
}

/// 法规 — one law of the registry with its impact on the items in force on a day.
#[derive(Debug, Clone)]
pub struct LawImpactPage {
    /// The law.
    pub law: LawView,
    /// Its rank in Chinese.
    pub level_zh: &'static str,
    /// The day.
    pub on: NaiveDate,
    /// Items citing it.
    pub items: Vec<ImpactLine>,
    /// Whether the account may record its repeal or amendment (维护法规库).
    pub may_keep: bool,
}

impl Service {
    /// A law and the items in force on `date` (today by default) that cite it, for `by`.
    pub async fn law_impact_page(
        &self,
        by: &CurrentUser,
        id: LawId,
        date: Option<NaiveDate>,
    ) -> ServiceResult<LawImpactPage> {
        use quanze_core::law::Citation;
        let on = date.unwrap_or_else(|| self.today());
        let law = self.law(id).await?;
        let report = self.law_impact_of(&law, on);
        let catalog = self.catalog();
        let items = report
            .items
            .into_iter()
            .map(|i| ImpactLine {
                item: i.item,
                holder: catalog
                    .unit(i.content.holder)
                    .map_or_else(|| i.content.holder.to_string(), |u| u.name.clone()),
                name: i.content.name,
                citations: i
                    .citations
                    .iter()
                    .map(|c| match c {
                        Citation::LegalBasis { cite } => format!("设定依据：{cite}"),
                        Citation::Responsibility { stage, cite } => format!("{stage}：{cite}"),
                        Citation::Accountability { situation, cite } => {
                            format!("追责情形“{situation}”：{cite}")
                        }
                    })
                    .collect(),
            })
            .collect();
        Ok(LawImpactPage {
            level_zh: law.level.zh(),
            law: law.into(),
            on,
            items,
            may_keep: by.require_act(quanze_core::access::Act::KeepLaws, None).is_ok(),
        })
    }
}
