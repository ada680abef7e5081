//! 设定权 in the legality review: whether the rank of the law an item rests on may create its
//! kind of power (行政许可法第十四条至第十七条, 行政处罚法第十条至第十六条, 行政强制法第十条、
//! 第十一条、第十三条; the table is [`crate::law::rank`]).

use crate::error::{Issue, Severity};
use crate::item::ItemContent;
use crate::law::rank::{Creation, basis_creates};

use super::ReviewContext;

/// The finding about an item's 设定依据, if any: an error naming the article that forbids the
/// rank to create the power, or a warning saying what the reviewer must confirm.
pub fn creation_issue(c: &ItemContent, ctx: &ReviewContext<'_>, name: &str) -> Option<Issue> {
    let (creation, law) = basis_creates(c, ctx.laws, ctx.effective_on);
    let law = law?;
    let kind = c.category.zh();
    let (level, title) = (law.level.zh(), law.title.as_str());
    match creation {
        Creation::Allowed => None,
        Creation::Forbidden { article, rule_zh } => Some(Issue::new(
            "rank_cannot_create",
            Severity::Error,
            "legal_basis",
            format!("{article}：{rule_zh}；“{name}”（{kind}）的设定依据仅有{level}《{title}》"),
            format!("{name}: a {level} ({title}) cannot create a {kind} ({article})"),
        )),
        Creation::Confirm { article, confirm_zh } => Some(Issue::new(
            "rank_needs_confirmation",
            Severity::Warning,
            "legal_basis",
            format!("{article}：{confirm_zh}（“{name}”的设定依据为{level}《{title}》）"),
            format!("{name}: a {level} ({title}) creates a {kind} only under {article}; confirm"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use crate::fixtures::{d, item, list, power, uid, unit};
    use crate::ids::LawId;
    use crate::item::{LegalRef, PowerCategory};
    use crate::law::renumber::{Renumbering, move_citation};
    use crate::law::{Law, LawLevel, LawRegistry};
    use crate::list::DutyKind;
    use crate::review::{ReviewContext, ReviewItem, check_items};

    fn law(n: u128, title: &str, level: LawLevel) -> Law {
        Law {
            id: LawId::from_uuid(uid(n)),
            title: title.into(),
            level,
            issuer: "某机关".into(),
            in_force_from: d(2010, 1, 1),
            in_force_until: None,
            amended_by: None,
            repealed_by: None,
        }
    }

    #[test]
    fn the_review_says_which_article_forbids_and_what_to_confirm() {
        let laws = LawRegistry::new([
            law(1, "中华人民共和国食品安全法", LawLevel::Law),
            law(2, "中华人民共和国行政许可法", LawLevel::Law),
            law(3, "中华人民共和国行政处罚法", LawLevel::Law),
            law(4, "某县规范性文件", LawLevel::NormativeDocument),
            law(5, "某部规章", LawLevel::DepartmentalRule),
            law(6, "某省条例", LawLevel::LocalRegulation),
        ]);
        let known: HashSet<_> = [unit(1)].into_iter().collect();
        let ctx = ReviewContext {
            laws: &laws,
            known_units: &known,
            effective_on: d(2025, 6, 1),
            grants: &[],
        };
        let mut by_doc = power("对某行为的罚款", PowerCategory::Penalty, unit(1));
        by_doc.legal_basis = vec![LegalRef::article("某县规范性文件", 3)];
        let mut by_rule = power("对某行为的处罚", PowerCategory::Penalty, unit(1));
        by_rule.legal_basis = vec![LegalRef::article("某部规章", 9)];
        let mut enforced = power("强制拆除违法建筑", PowerCategory::CoerciveEnforcement, unit(1));
        enforced.legal_basis = vec![LegalRef::article("某省条例", 20)];
        let mut moved = power("某确认", PowerCategory::Confirmation, unit(1));
        let cite = &mut moved.responsibilities[0].basis[0];
        move_citation(cite, "中华人民共和国行政许可法", None, &Renumbering::Unknown);
        let contents = [&by_doc, &by_rule, &enforced, &moved];
        let items: Vec<ReviewItem<'_>> = contents
            .iter()
            .enumerate()
            .map(|(i, c)| ReviewItem {
                item: item(i as u128 + 1),
                list: list(1),
                duty: DutyKind::Own,
                content: c,
            })
            .collect();
        let found = check_items(&items, &ctx);
        let issue = |k: usize, code: &str| found[k].issues.iter().find(|i| i.code == code).cloned();

        let forbidden =
            issue(0, "rank_cannot_create").expect("a 规范性文件 alone creates no penalty");
        assert_eq!(forbidden.severity, crate::Severity::Error);
        assert!(
            forbidden.message_zh.starts_with("行政处罚法第十六条："),
            "{}",
            forbidden.message_zh
        );
        let confirm = issue(1, "rank_needs_confirmation").expect("a 部门规章 penalty is confirmed");
        assert_eq!(confirm.severity, crate::Severity::Warning);
        assert!(confirm.message_zh.contains("请确认处罚种类"), "{}", confirm.message_zh);
        let enforcement = issue(2, "rank_cannot_create").expect("enforcement only by a 法律");
        assert!(
            enforcement.message_zh.starts_with("行政强制法第十三条"),
            "{}",
            enforcement.message_zh
        );
        let unconfirmed = issue(3, "article_unconfirmed").expect("a marked citation is a finding");
        assert!(unconfirmed.message_zh.contains("原第三十二条"), "{}", unconfirmed.message_zh);
    }
}
