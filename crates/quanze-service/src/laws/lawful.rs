//! What every write path that stores item contents applies before anything is written
//! (issue 14 §3, §10): the rank of the laws an item rests on must be able to create its kind
//! of power (设定权), and its periods are counted in the unit the law gives them.

use chrono::NaiveDate;
use quanze_core::law::rank::{Creation, basis_creates};
use quanze_core::{Issue, ItemContent, LawRegistry};

use crate::Service;
use crate::error::{ErrorCode, ServiceError, ServiceResult};

/// Why one content cannot be stored: the article that forbids its basis to create its power.
#[derive(Debug, Clone)]
pub(crate) struct RankRefusal {
    /// The position of the content among those checked (0-based).
    pub index: usize,
    /// The finding, as the legality review would report it.
    pub issue: Issue,
}

/// The refusal of each content whose every cited law is registered and of a rank that cannot
/// create its kind of power (a 规范性文件 alone never creates a licence, a penalty or a coercive
/// act). What the review must confirm is left to the review.
pub(crate) fn rank_refusals<'a>(
    contents: impl IntoIterator<Item = &'a ItemContent>,
    laws: &LawRegistry,
    on: NaiveDate,
) -> Vec<RankRefusal> {
    let mut out = Vec::new();
    for (index, content) in contents.into_iter().enumerate() {
        let (creation, law) = basis_creates(content, laws, on);
        let (Creation::Forbidden { article, rule_zh }, Some(law)) = (creation, law) else {
            continue;
        };
        let name = content.display_name();
        let kind = content.category.zh();
        out.push(RankRefusal {
            index,
            issue: Issue::new(
                "rank_cannot_create",
                quanze_core::Severity::Error,
                "legal_basis",
                format!(
                    "{article}：{rule_zh}；“{name}”（{kind}）的设定依据仅有{}《{}》",
                    law.level.zh(),
                    law.title
                ),
                format!(
                    "{name}: a {} ({}) cannot create a {kind} ({article})",
                    law.level.zh(),
                    law.title
                ),
            ),
        });
    }
    out
}

impl Service {
    /// Makes `contents` lawful before they are stored: refuses them all (nothing is written)
    /// when any rests only on laws whose rank cannot create its power, naming the article, with
    /// every such finding in `issues`; otherwise puts each period in the unit its law counts it
    /// in and returns the warnings of what changed. `label` names a content for the message
    /// (its position in the request).
    pub(crate) async fn make_lawful(
        &self,
        contents: &mut [&mut ItemContent],
        on: NaiveDate,
        label: impl Fn(usize) -> String,
    ) -> ServiceResult<Vec<Issue>> {
        if contents.is_empty() {
            return Ok(Vec::new());
        }
        let laws = LawRegistry::new(self.store.laws().await?);
        let refusals = rank_refusals(contents.iter().map(|c| &**c), &laws, on);
        if let Some(first) = refusals.first() {
            let message_zh = format!("{}：{}", label(first.index), first.issue.message_zh);
            let message_en = format!("{}: {}", label(first.index), first.issue.message_en);
            return Err(ServiceError::Rejected {
                code: ErrorCode::RankCannotCreate,
                message_zh,
                message_en,
                issues: refusals.into_iter().map(|r| r.issue).collect(),
            });
        }
        Ok(contents.iter_mut().flat_map(|c| quanze_core::item::apply_lawful_units(c)).collect())
    }
}
