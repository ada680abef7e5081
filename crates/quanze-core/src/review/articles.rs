//! Citations moved to an amended law whose new article the editor has not yet confirmed
//! (see [`crate::law::renumber`]): each is a finding until the draft gives the article.

use crate::error::{Issue, Severity};
use crate::item::ItemContent;
use crate::law::renumber::{UNCONFIRMED, is_unconfirmed};

/// One error per citation (in 设定依据, a 责任事项 or a 追责情形) still marked
/// [`UNCONFIRMED`].
pub fn unconfirmed_articles(c: &ItemContent, name: &str) -> Vec<Issue> {
    let basis = c.legal_basis.iter().map(|r| ("legal_basis", "设定依据", r));
    let resp = c
        .responsibilities
        .iter()
        .flat_map(|x| &x.basis)
        .map(|r| ("responsibilities", "责任事项", r));
    let acc =
        c.accountability.iter().flat_map(|x| &x.basis).map(|r| ("accountability", "追责依据", r));
    basis
        .chain(resp)
        .chain(acc)
        .filter(|(_, _, r)| is_unconfirmed(r))
        .map(|(field, zh, r)| {
            let old = r.quote.as_deref().unwrap_or_default().trim_start_matches(UNCONFIRMED);
            let old = old.split('：').next().unwrap_or_default();
            Issue::new(
                "article_unconfirmed",
                Severity::Error,
                field,
                format!("“{name}”的{zh}引用《{}》{old}，修订后的条文序号尚待确认", r.law),
                format!(
                    "{name}: {field} cites {} ({old}); its new article is to be confirmed",
                    r.law
                ),
            )
        })
        .collect()
}
