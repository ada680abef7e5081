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
pub fn basis_in_force(c: &ItemContent, laws: &LawRegistry, on: chrono::NaiveDate) -> Option<String> {
    c.legal_basis
        .iter()
        .find(|cite| matches!(laws.standing(&cite.law, on), Standing::InForce(_)))
        .map(|cite| cite.law.clone())
}
