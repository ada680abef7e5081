//! The review of a removal (取消): a removed item gets its own entry in the legality review,
//! so a change set made only of removals still needs the justice bureau's verdict; an item
//! whose legal basis is still in force is flagged (法定职责必须为), for the reviewer to weigh
//! the change's reason.

use crate::error::{Issue, Severity};
use crate::ids::ItemId;
use crate::item::ItemContent;
use crate::law::{LawRegistry, Standing};

use super::ItemFindings;

/// The review entry of a removed item: `content` is its current content (none if it cannot
/// be found, which leaves the entry without findings but still awaiting a verdict).
pub fn removal_findings(
    item: ItemId,
    content: Option<&ItemContent>,
    laws: &LawRegistry,
    effective_on: chrono::NaiveDate,
) -> ItemFindings {
    let Some(c) = content else {
        return ItemFindings { item, name: format!("事项{item}（取消）"), issues: vec![] };
    };
    let name = c.display_name();
    let mut issues = Vec::new();
    if let Some(law) = basis_in_force(c, laws, effective_on) {
        issues.push(Issue::new(
            "removal_basis_in_force",
            Severity::Warning,
            "legal_basis",
            format!(
                "取消“{name}”：其设定依据《{law}》在{effective_on}仍在施行，法定职责必须为，取消须说明理由并经合法性审查"
            ),
            format!("removing {name}: its legal basis {law} is still in force on {effective_on}"),
        ));
    }
    ItemFindings { item, name: format!("{name}（取消）"), issues }
}

/// The first cited law of the item's legal basis that is in force on `on`.
pub fn basis_in_force(
    c: &ItemContent,
    laws: &LawRegistry,
    on: chrono::NaiveDate,
) -> Option<String> {
    c.legal_basis
        .iter()
        .find(|cite| matches!(laws.standing(&cite.law, on), Standing::InForce(_)))
        .map(|cite| cite.law.clone())
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::fixtures::{at, d, item, list, power, unit, user};
    use crate::item::{LegalRef, PowerCategory};
    use crate::law::{Law, LawLevel};
    use crate::list::DutyKind;
    use crate::review::{LegalReview, ReviewContext, ReviewItem, Verdict};

    /// domain.md §4: a law not yet in the registry and a credit code failing its check
    /// digit warn, and neither stops the reviewer's pass.
    #[test]
    fn advisory_findings_do_not_block_a_pass() {
        let mut content = power("食品经营许可", PowerCategory::Licensing, unit(1));
        content.legal_basis = vec![LegalRef::article("某省食品小作坊管理条例", 3)];
        content.base_code = Some(crate::codes::BaseCode::parse("000117025000").unwrap());
        content.impl_code =
            Some(crate::codes::ImplCode::parse("11321281014422781G5000117025000").unwrap());
        let laws = LawRegistry::new([]);
        let known: HashSet<_> = [unit(1)].into();
        let ctx = ReviewContext {
            laws: &laws,
            known_units: &known,
            effective_on: d(2026, 7, 1),
            grants: &[],
        };
        let items =
            [ReviewItem { item: item(1), list: list(1), duty: DutyKind::Own, content: &content }];
        let mut review = LegalReview::start(&items, &ctx);
        let codes: Vec<&str> = review.findings[0].issues.iter().map(|i| i.code.as_str()).collect();
        assert!(codes.contains(&"law_unknown") && codes.contains(&"impl_code_credit_check"));
        assert!(review.findings[0].issues.iter().all(|i| !i.blocks()), "{codes:?}");
        assert_eq!(review.open_findings(), 0);
        review.record(item(1), Verdict::Pass, user(1), at(2026, 3, 2)).unwrap();

        // A removal: no finding without a law in force; flagged (advisory) with one.
        let none = removal_findings(item(2), Some(&content), &laws, d(2026, 7, 1));
        assert!(none.issues.is_empty());
        let law = Law {
            id: crate::ids::LawId::from_uuid(uuid::Uuid::nil()),
            title: "某省食品小作坊管理条例".into(),
            level: LawLevel::LocalRegulation,
            issuer: "某省人大常委会".into(),
            in_force_from: d(2017, 1, 1),
            in_force_until: None,
            amended_by: None,
            repealed_by: None,
        };
        let laws = LawRegistry::new([law]);
        let flagged = removal_findings(item(2), Some(&content), &laws, d(2026, 7, 1));
        assert_eq!(flagged.issues.len(), 1);
        assert!(!flagged.issues[0].blocks());
        assert!(flagged.name.ends_with("（取消）"));
    }
}
