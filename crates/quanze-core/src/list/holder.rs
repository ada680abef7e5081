//! Who is the 实施主体 of an entry in a town's list: the one rule every view, export and page
//! of a town's resolved list applies, so that none of them decides it for itself.
//!
//! A township template serves every town, so its content names a county department: the
//! department that guides the towns for a 基本履职 entry, the lead for 配合履职, the receiver
//! for 上级部门收回. Read for one town, a 基本履职 entry is the town's own: the town exercises
//! it in its own name and answers for it (as [`crate::AuthorityIndex::holds`] says), so the
//! town is its 实施主体 and the department is its 业务指导部门. The stored content is never
//! rewritten; this is a rule of resolution.

use crate::ids::UnitId;
use crate::item::ItemContent;

use super::DutyKind;

/// 实施主体与业务指导部门 — who exercises an entry of a town's list, and the department that
/// guides it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct TownHolder {
    /// 实施主体 — the unit in whose name the power is exercised.
    pub holder: UnitId,
    /// 业务指导部门 — the department the content names, when the town is the 实施主体 in its
    /// place; `None` when the content names the town itself or the holder is the department.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guide: Option<UnitId>,
}

impl TownHolder {
    /// The 实施主体 of an entry held by `town` with duty `duty` and content `content`:
    /// - 基本履职: the town, in its own name, with the unit the content names as 业务指导部门;
    ///   except an entry whose source is 上级委托, which the town exercises in the entrusting
    ///   department's name (行政处罚法 第20条, 行政许可法 第24条), so that department stays
    ///   its 实施主体;
    /// - 配合履职 and 上级部门收回: the department the content names (the lead department
    ///   exercises the power; a reclaimed one is the receiving department's).
    pub fn of(duty: DutyKind, content: &ItemContent, town: UnitId) -> TownHolder {
        let stored = TownHolder { holder: content.holder, guide: None };
        match duty {
            DutyKind::Own => match content.entrusting_department() {
                Some(department) if department != town => {
                    TownHolder { holder: department, guide: None }
                }
                _ => TownHolder {
                    holder: town,
                    guide: (content.holder != town).then_some(content.holder),
                },
            },
            DutyKind::Cooperate { .. } | DutyKind::Reclaimed { .. } => stored,
        }
    }

    /// The holder a township template stores for an entry a town's list shows as `self`: the
    /// 业务指导部门 when there is one, else the 实施主体 — the inverse of [`TownHolder::of`],
    /// for reading a town's exported list back into the template.
    pub fn template_holder(self) -> UnitId {
        self.guide.unwrap_or(self.holder)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::devolution::{GrantLink, GrantMode};
    use crate::fixtures::{item, power, unit};
    use crate::item::{PowerCategory, PowerSource};

    /// Each duty kind and source, in a table: (duty, source, link, 实施主体, 业务指导部门).
    #[test]
    fn a_towns_basic_duty_is_held_in_its_own_name() {
        let (town, dept, other) = (unit(1), unit(2), unit(3));
        let link = |department| GrantLink {
            department,
            item: item(9),
            mode: GrantMode::Entrusted,
            batch: "第一批".into(),
            doc: None,
        };
        type Row = (DutyKind, PowerSource, Option<GrantLink>, UnitId, Option<UnitId>);
        let table: Vec<Row> = vec![
            (DutyKind::Own, PowerSource::Statutory, None, town, Some(dept)),
            (DutyKind::Own, PowerSource::Devolved, None, town, Some(dept)),
            (DutyKind::Own, PowerSource::Authorized, None, town, Some(dept)),
            // 委托: in the entrusting department's name — the linked grant's, else the holder.
            (DutyKind::Own, PowerSource::Entrusted, None, dept, None),
            (DutyKind::Own, PowerSource::Entrusted, Some(link(other)), other, None),
            (DutyKind::Cooperate { lead: dept }, PowerSource::Statutory, None, dept, None),
            (DutyKind::Reclaimed { receiver: dept }, PowerSource::Statutory, None, dept, None),
        ];
        for (duty, source, grant, holder, guide) in table {
            let content = ItemContent {
                source,
                grant: grant.clone(),
                ..power("某某事项", PowerCategory::Penalty, dept)
            };
            let got = TownHolder::of(duty, &content, town);
            assert_eq!(got, TownHolder { holder, guide }, "{duty:?} {source:?} {grant:?}");
            // Read back, the template stores the holder it named (a 委托 whose grant names
            // another department is shown, and read back, under that department).
            let named = if grant.is_some() { other } else { dept };
            assert_eq!(got.template_holder(), named, "{duty:?} {source:?}");
        }
        // A town's own list names the town: no 业务指导部门.
        let own = power("农村村民住宅用地审批", PowerCategory::Licensing, town);
        assert_eq!(
            TownHolder::of(DutyKind::Own, &own, town),
            TownHolder { holder: town, guide: None }
        );
    }
}
