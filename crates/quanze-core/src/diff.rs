//! Field-by-field differences between two lists (two versions, or two towns).

use std::collections::BTreeMap;

use serde_json::Value;

use crate::ids::ItemId;
use crate::item::ItemContent;
use crate::list::DutyKind;

/// One side of a comparison: an item as it appears in a list.
#[derive(Debug, Clone, Copy)]
pub struct DiffSide<'a> {
    /// The item.
    pub item: ItemId,
    /// Its duty kind in this list.
    pub duty: DutyKind,
    /// Its content in this list.
    pub content: &'a ItemContent,
}

/// One changed field.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FieldChange {
    /// The field's identifier (`legal_basis`, `duty`, …).
    pub field: String,
    /// The field's Chinese label.
    pub label: String,
    /// The value before (JSON, `null` when absent).
    pub before: Value,
    /// The value after.
    pub after: Value,
}

/// One item present on both sides with different content or duty.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ItemChange {
    /// The item.
    pub item: ItemId,
    /// Its display name (after).
    pub name: String,
    /// The changed fields, in field order.
    pub fields: Vec<FieldChange>,
}

/// An item present on only one side.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ItemRef {
    /// The item.
    pub item: ItemId,
    /// Its display name.
    pub name: String,
}

/// 差异 — the difference between two lists.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ListDiff {
    /// Items only on the right.
    pub added: Vec<ItemRef>,
    /// Items only on the left.
    pub removed: Vec<ItemRef>,
    /// Items on both sides that differ.
    pub changed: Vec<ItemChange>,
    /// How many items are the same on both sides.
    pub unchanged: usize,
}

impl ListDiff {
    /// Whether the two sides are equal.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }
}

/// Compares two lists item by item (matched by stable item id) and field by field.
pub fn diff(left: &[DiffSide<'_>], right: &[DiffSide<'_>]) -> ListDiff {
    let l: BTreeMap<ItemId, &DiffSide<'_>> = left.iter().map(|s| (s.item, s)).collect();
    let r: BTreeMap<ItemId, &DiffSide<'_>> = right.iter().map(|s| (s.item, s)).collect();
    let mut out = ListDiff::default();
    for (id, a) in &l {
        match r.get(id) {
            None => out.removed.push(ItemRef { item: *id, name: a.content.display_name() }),
            Some(b) => {
                let fields = diff_fields(a, b);
                if fields.is_empty() {
                    out.unchanged += 1;
                } else {
                    out.changed.push(ItemChange {
                        item: *id,
                        name: b.content.display_name(),
                        fields,
                    });
                }
            }
        }
    }
    for (id, b) in &r {
        if !l.contains_key(id) {
            out.added.push(ItemRef { item: *id, name: b.content.display_name() });
        }
    }
    out
}

/// The fields (and the duty kind) in which two versions of one item differ, in the order of
/// the published list's columns.
pub fn diff_fields(a: &DiffSide<'_>, b: &DiffSide<'_>) -> Vec<FieldChange> {
    let mut out = Vec::new();
    if a.duty != b.duty {
        out.push(FieldChange {
            field: "duty".into(),
            label: "履职类型".into(),
            before: serde_json::to_value(a.duty).unwrap_or(Value::Null),
            after: serde_json::to_value(b.duty).unwrap_or(Value::Null),
        });
    }
    let (ca, cb) = (a.content, b.content);
    // Compare the typed fields and serialise only those that differ (a whole content as JSON
    // costs microseconds; 100,000 changed items would spend seconds on unchanged fields).
    macro_rules! fields {
        ($($field:ident),* $(,)?) => {
            $(
                if ca.$field != cb.$field {
                    let name = stringify!($field);
                    out.push(FieldChange {
                        field: name.to_owned(),
                        label: crate::error::field_zh(name).to_owned(),
                        before: serde_json::to_value(&ca.$field).unwrap_or(Value::Null),
                        after: serde_json::to_value(&cb.$field).unwrap_or(Value::Null),
                    });
                }
            )*
        };
    }
    // Every field, so that a field added to ItemContent fails to compile here until listed.
    let ItemContent {
        name: _,
        sub_item: _,
        category: _,
        category_label: _,
        base_code: _,
        impl_code: _,
        local_code: _,
        legal_basis: _,
        holder: _,
        handling_office: _,
        cooperation: _,
        source: _,
        grant: _,
        level: _,
        responsibilities: _,
        accountability: _,
        service: _,
        remarks: _,
    } = ca;
    // In the published list's column order.
    fields!(
        name,
        sub_item,
        category,
        category_label,
        base_code,
        impl_code,
        local_code,
        legal_basis,
        holder,
        handling_office,
        cooperation,
        source,
        grant,
        level,
        responsibilities,
        accountability,
        service,
        remarks,
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::UnitId;
    use crate::item::{ExerciseLevel, LegalRef, PowerCategory, PowerSource};

    fn content(name: &str) -> ItemContent {
        ItemContent {
            name: name.into(),
            sub_item: None,
            category: PowerCategory::Penalty,
            category_label: None,
            base_code: None,
            impl_code: None,
            local_code: None,
            legal_basis: vec![LegalRef::article("行政处罚法", 24)],
            holder: UnitId::from_uuid(uuid::Uuid::nil()),
            handling_office: None,
            cooperation: vec![],
            source: PowerSource::Statutory,
            grant: None,
            level: ExerciseLevel::Township,
            responsibilities: vec![],
            accountability: vec![],
            service: None,
            remarks: None,
        }
    }

    #[test]
    fn reports_added_removed_and_changed_fields() {
        let id = |n| ItemId::from_uuid(uuid::Uuid::from_u128(n));
        let (a1, a2, a3) = (content("甲"), content("乙"), content("丙"));
        let mut b2 = content("乙");
        b2.legal_basis.push(LegalRef::article("行政强制法", 17));
        let lead = UnitId::from_uuid(uuid::Uuid::from_u128(99));
        let left = [
            DiffSide { item: id(1), duty: DutyKind::Own, content: &a1 },
            DiffSide { item: id(2), duty: DutyKind::Own, content: &a2 },
        ];
        let right = [
            DiffSide { item: id(1), duty: DutyKind::Cooperate { lead }, content: &a1 },
            DiffSide { item: id(2), duty: DutyKind::Own, content: &b2 },
            DiffSide { item: id(3), duty: DutyKind::Own, content: &a3 },
        ];
        let d = diff(&left, &right);
        assert_eq!(d.added.len(), 1);
        assert!(d.removed.is_empty());
        assert_eq!(d.changed.len(), 2);
        assert_eq!(d.changed[0].fields[0].field, "duty");
        assert_eq!(d.changed[1].fields.len(), 1);
        assert_eq!(d.changed[1].fields[0].label, "设定依据");
        let same = diff(&left, &left);
        assert!(same.is_empty());
        assert_eq!(same.unchanged, 2);
    }
}
