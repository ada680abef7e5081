//! 条文对照 — carrying citations over to an amended (or replacing) law. A revision renumbers
//! articles, so an old article number is never carried over on trust: each citation is moved by
//! the editor's article-mapping table (old article → new article), or kept when the editor says
//! the numbers did not change, or else marked for the editor to confirm its new article.

use std::collections::BTreeMap;

use crate::item::LegalRef;
use crate::numerals::to_chinese;

/// The mark that opens the quote of a citation whose new article is still to be confirmed. The
/// legality review reports every citation carrying it (`article_unconfirmed`).
pub const UNCONFIRMED: &str = "【待确认新条文】";

/// 条文对照表 — what the editor says of the new edition's numbering.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Renumbering {
    /// Nothing known: every cited article is marked for confirmation.
    #[default]
    Unknown,
    /// The articles kept their numbers (a 修正 that renumbered nothing).
    Kept,
    /// Old article → new article; an article not in the table is marked for confirmation.
    Mapped(BTreeMap<u32, u32>),
}

/// What happened to one citation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Moved {
    /// It cites no article, or the numbers were kept: only the title and edition changed.
    Retitled,
    /// Its article was mapped from the old number to the new one.
    Mapped {
        /// The old article.
        from: u32,
        /// The new article.
        to: u32,
    },
    /// Its article is cleared and marked for the editor to confirm.
    Marked {
        /// The old article.
        from: u32,
    },
}

/// Moves `cite` (a citation of the old edition) to `title` and `edition` following
/// `renumbering`. A mapped citation keeps its 款 and 项 and its quote; a marked one loses its
/// article, 款 and 项, and its quote becomes [`UNCONFIRMED`] with the old provision
/// (原第N条第M款：old quote) for the editor to find the new one.
pub fn move_citation(
    cite: &mut LegalRef,
    title: &str,
    edition: Option<String>,
    renumbering: &Renumbering,
) -> Moved {
    cite.law = title.to_owned();
    cite.edition = edition;
    let Some(from) = cite.article else { return Moved::Retitled };
    match renumbering {
        Renumbering::Kept => Moved::Retitled,
        Renumbering::Mapped(table) if table.contains_key(&from) => {
            let to = table[&from];
            cite.article = Some(to);
            Moved::Mapped { from, to }
        }
        Renumbering::Unknown | Renumbering::Mapped(_) => {
            let mut old = format!("原第{}条", to_chinese(from));
            if let Some(p) = cite.paragraph.take() {
                old.push_str(&format!("第{}款", to_chinese(p)));
            }
            if let Some(p) = cite.point.take() {
                old.push_str(&format!("第（{}）项", to_chinese(p)));
            }
            if let Some(q) = cite.quote.take().filter(|q| !q.is_empty()) {
                old.push_str(&format!("：{q}"));
            }
            cite.article = None;
            cite.quote = Some(format!("{UNCONFIRMED}{old}"));
            Moved::Marked { from }
        }
    }
}

/// Whether a citation still waits for its new article to be confirmed.
pub fn is_unconfirmed(cite: &LegalRef) -> bool {
    cite.quote.as_deref().is_some_and(|q| q.starts_with(UNCONFIRMED))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cite() -> LegalRef {
        let mut r = LegalRef::article("中华人民共和国行政处罚法", 24);
        r.paragraph = Some(1);
        r.quote = Some("旧条文".into());
        r
    }

    #[test]
    fn an_old_article_is_never_carried_over_on_trust() {
        let new = "中华人民共和国行政处罚法";
        let mut r = cite();
        let moved = move_citation(&mut r, new, Some("2021年施行".into()), &Renumbering::Unknown);
        assert_eq!(moved, Moved::Marked { from: 24 });
        assert_eq!((r.article, r.paragraph), (None, None));
        assert_eq!(r.quote.as_deref(), Some("【待确认新条文】原第二十四条第一款：旧条文"));
        assert!(is_unconfirmed(&r));
        // Written and read back, the mark survives.
        let back = LegalRef::parse_many(&r.to_string());
        assert!(is_unconfirmed(&back[0]), "{r}");

        let table = Renumbering::Mapped([(24, 25)].into_iter().collect());
        let mut r = cite();
        assert_eq!(move_citation(&mut r, new, None, &table), Moved::Mapped { from: 24, to: 25 });
        assert_eq!((r.article, r.paragraph), (Some(25), Some(1)));
        assert!(!is_unconfirmed(&r));
        let mut other = LegalRef::article(new, 10);
        assert_eq!(move_citation(&mut other, new, None, &table), Moved::Marked { from: 10 });

        let mut r = cite();
        assert_eq!(move_citation(&mut r, new, None, &Renumbering::Kept), Moved::Retitled);
        assert_eq!(r.article, Some(24));
        let mut bare = LegalRef::article(new, 1);
        bare.article = None;
        assert_eq!(move_citation(&mut bare, new, None, &Renumbering::Unknown), Moved::Retitled);
    }
}
