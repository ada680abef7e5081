//! The rules every declared difference (差异声明) of a township template obeys, whichever way
//! it arrives — set on a draft or read from a file's 差异声明 sheet: one function for both.

use std::collections::{BTreeSet, HashSet};

use crate::codes::RegionCode;
use crate::ids::{ItemId, UnitId};
use crate::unit::Unit;

use super::{ListEntry, Override, OverrideChange, OverrideTarget};

/// Why a declared difference cannot stand. [`OverrideError::zh`] gives the text for users.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OverrideError {
    /// The town named does not exist.
    #[error("town {unit} does not exist")]
    UnknownTown {
        /// The unit named.
        unit: UnitId,
    },
    /// The unit named is not a town or subdistrict of the template's county.
    #[error("{name} is not a town of county {county}")]
    NotATownOfCounty {
        /// The unit's name.
        name: String,
        /// The template's county.
        county: RegionCode,
    },
    /// An added entry names an item version that does not exist.
    #[error("item {item} version {version} does not exist")]
    UnknownItemVersion {
        /// The item.
        item: ItemId,
        /// The version.
        version: u32,
    },
    /// A removed item is not in the template.
    #[error("item {item} to remove is not in the template")]
    NotInTemplate {
        /// The item.
        item: ItemId,
    },
    /// The same target has two differences for one item.
    #[error("item {item} is overridden twice for the same target")]
    Duplicate {
        /// The item.
        item: ItemId,
    },
    /// A town drops a template power without saying why (法定职责必须为).
    #[error("removing item {item} from a town needs a reason")]
    RemovalWithoutReason {
        /// The item.
        item: ItemId,
    },
}

impl OverrideError {
    /// The message for users; `name` gives an item's display name where one is known (an
    /// imported row), otherwise the item is named by its id.
    pub fn zh(&self, name: impl Fn(ItemId) -> Option<String>) -> String {
        let item_zh = |item: &ItemId| match name(*item) {
            Some(n) => format!("事项“{n}”"),
            None => format!("事项 {item} "),
        };
        match self {
            OverrideError::UnknownTown { unit } => format!("乡镇 {unit} 不存在"),
            OverrideError::NotATownOfCounty { name, .. } => {
                format!("“{name}”不是本县的乡镇或街道")
            }
            OverrideError::UnknownItemVersion { item, version } => {
                format!("{}第{version}版不存在", item_zh(item))
            }
            OverrideError::NotInTemplate { item } => {
                format!("要去掉的{}不在通用目录中", item_zh(item).trim_end())
            }
            OverrideError::Duplicate { item } => {
                format!("同一对象对{}的差异重复", item_zh(item).trim_end())
            }
            OverrideError::RemovalWithoutReason { item } => {
                format!("去掉通用目录{}须说明理由（法定职责必须为）", item_zh(item).trim_end())
            }
        }
    }

    /// The item concerned, if any.
    pub fn item(&self) -> Option<ItemId> {
        match self {
            OverrideError::UnknownTown { .. } | OverrideError::NotATownOfCounty { .. } => None,
            OverrideError::UnknownItemVersion { item, .. }
            | OverrideError::NotInTemplate { item }
            | OverrideError::Duplicate { item }
            | OverrideError::RemovalWithoutReason { item } => Some(*item),
        }
    }
}

/// One difference that cannot stand: its place in the list of differences and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverrideProblem {
    /// The index of the difference (0-based).
    pub index: usize,
    /// Why.
    pub error: OverrideError,
}

/// Checks the declared differences of a township template of `county` whose entries are
/// `template`: a town named exists and is a town or subdistrict lying in the county, an added
/// item version exists (`has_version`), a removed item is one of the template's, and no
/// (target, item) is declared twice. Returns every problem, in order; none means the
/// differences may be stored.
pub fn check_overrides<'u>(
    county: &RegionCode,
    template: &[ListEntry],
    overrides: &[Override],
    unit: impl Fn(UnitId) -> Option<&'u Unit>,
    has_version: impl Fn(&ListEntry) -> bool,
) -> Vec<OverrideProblem> {
    let template_items: BTreeSet<ItemId> = template.iter().map(|e| e.item).collect();
    let mut seen = HashSet::new();
    let mut problems = Vec::new();
    for (index, o) in overrides.iter().enumerate() {
        let mut fail = |error| problems.push(OverrideProblem { index, error });
        if let OverrideTarget::Town { unit: id } = &o.target {
            match unit(*id) {
                None => fail(OverrideError::UnknownTown { unit: *id }),
                Some(town) if !town.kind.is_township_level() || !town.region.is_within(county) => {
                    fail(OverrideError::NotATownOfCounty {
                        name: town.name.clone(),
                        county: county.clone(),
                    })
                }
                Some(_) => {}
            }
        }
        let item = match &o.change {
            OverrideChange::Add { entry } => {
                if !has_version(entry) {
                    fail(OverrideError::UnknownItemVersion {
                        item: entry.item,
                        version: entry.item_version,
                    });
                }
                entry.item
            }
            OverrideChange::Remove { item } => {
                if !template_items.contains(item) {
                    fail(OverrideError::NotInTemplate { item: *item });
                }
                // 法定职责必须为: a town does not drop a template power without saying why; the
                // template is then published only with its 审定 and the review's checks.
                if o.reason.trim().is_empty() {
                    fail(OverrideError::RemovalWithoutReason { item: *item });
                }
                *item
            }
        };
        if !seen.insert((o.target.clone(), item)) {
            fail(OverrideError::Duplicate { item });
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::{item, unit};
    use crate::list::DutyKind;
    use crate::unit::{Tag, UnitKind};

    fn town(n: u128, name: &str, kind: UnitKind, region: &str) -> Unit {
        Unit {
            id: unit(n),
            name: name.to_owned(),
            kind,
            region: RegionCode::parse(region).unwrap(),
            credit_code: None,
            parent: None,
            tags: Default::default(),
        }
    }

    fn entry(n: u128, version: u32) -> ListEntry {
        ListEntry { item: item(n), item_version: version, duty: DutyKind::Own }
    }

    fn add(target: OverrideTarget, n: u128, version: u32) -> Override {
        Override {
            target,
            change: OverrideChange::Add { entry: entry(n, version) },
            reason: "蓄滞洪区".into(),
        }
    }

    fn remove(target: OverrideTarget, n: u128) -> Override {
        Override {
            target,
            change: OverrideChange::Remove { item: item(n) },
            reason: "无此职责".into(),
        }
    }

    /// Each rule, alone, in a table: (the difference, the error it gives or none).
    #[test]
    fn each_rule_of_a_declared_difference() {
        let county = RegionCode::parse("330603").unwrap();
        let units = [
            town(1, "王坛镇人民政府", UnitKind::Township, "330603107"),
            town(2, "城东街道办事处", UnitKind::Subdistrict, "330603001"),
            town(3, "某某县市场监督管理局", UnitKind::Department, "330603"),
            town(4, "邻县某镇人民政府", UnitKind::Township, "330604101"),
        ];
        let lookup = |id: UnitId| units.iter().find(|u| u.id == id);
        let template = [entry(10, 1), entry(11, 2)];
        let exists = |e: &ListEntry| e.item_version <= 2;
        let t = |n| OverrideTarget::Town { unit: unit(n) };
        let tag = OverrideTarget::Tag { tag: Tag::parse("蓄滞洪区").unwrap() };
        let table: Vec<(Override, Option<OverrideError>)> = vec![
            (add(t(1), 20, 1), None),
            (add(t(2), 20, 1), None),
            (remove(tag.clone(), 10), None),
            (add(t(9), 20, 1), Some(OverrideError::UnknownTown { unit: unit(9) })),
            (
                add(t(3), 20, 1),
                Some(OverrideError::NotATownOfCounty {
                    name: "某某县市场监督管理局".into(),
                    county: county.clone(),
                }),
            ),
            (
                remove(t(4), 10),
                Some(OverrideError::NotATownOfCounty {
                    name: "邻县某镇人民政府".into(),
                    county: county.clone(),
                }),
            ),
            (
                add(tag.clone(), 20, 3),
                Some(OverrideError::UnknownItemVersion { item: item(20), version: 3 }),
            ),
            (remove(tag.clone(), 12), Some(OverrideError::NotInTemplate { item: item(12) })),
        ];
        for (o, expected) in table {
            let got = check_overrides(&county, &template, std::slice::from_ref(&o), lookup, exists);
            let got: Vec<_> = got.into_iter().map(|p| p.error).collect();
            assert_eq!(got, expected.into_iter().collect::<Vec<_>>(), "{o:?}");
        }
        // The same (target, item) twice: the second is the problem, at its index.
        let twice = [add(t(1), 20, 1), remove(t(2), 10), remove(t(1), 20)];
        let got = check_overrides(&county, &template, &twice, lookup, exists);
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!(
            got[0],
            OverrideProblem { index: 2, error: OverrideError::NotInTemplate { item: item(20) } }
        );
        assert_eq!(
            got[1],
            OverrideProblem { index: 2, error: OverrideError::Duplicate { item: item(20) } }
        );
        // Messages in Chinese, naming the item when a name is known.
        let e = OverrideError::Duplicate { item: item(20) };
        assert_eq!(
            e.zh(|_| Some("农村村民住宅用地审批".into())),
            "同一对象对事项“农村村民住宅用地审批”的差异重复"
        );
        assert!(e.zh(|_| None).starts_with("同一对象对事项 00000000-"), "{}", e.zh(|_| None));
    }

    /// The towns of a city without counties are towns of the city, which stands at county level.
    #[test]
    fn a_city_without_counties_is_the_county_of_its_towns() {
        let city = RegionCode::parse("441900").unwrap();
        let units = [town(1, "东城街道办事处", UnitKind::Subdistrict, "441900003")];
        let got = check_overrides(
            &city,
            &[entry(10, 1)],
            &[remove(OverrideTarget::Town { unit: unit(1) }, 10)],
            |id| units.iter().find(|u| u.id == id),
            |_| true,
        );
        assert!(got.is_empty(), "{got:?}");
    }
}
