//! The holdings index: which entries a unit holds on a date, answered from memory.
//!
//! Built from published list versions (department lists and resolved township templates);
//! rebuilt when a version is published. A query is two binary searches.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::NaiveDate;

use crate::ids::{ItemId, ListId, UnitId};
use crate::list::ListEntry;

#[derive(Debug, Clone)]
struct Period {
    from: NaiveDate,
    until: Option<NaiveDate>,
    /// Sorted by item id.
    entries: Arc<[ListEntry]>,
}

/// 清单持有 — for every unit, the entries it holds by its published lists alone, by effective
/// window. Grants are not in it: who may exercise a power, lists and grants together, is
/// [`crate::AuthorityIndex::holds`].
#[derive(Debug, Default, Clone)]
pub struct ListHoldings {
    units: HashMap<UnitId, Vec<(ListId, Vec<Period>)>>,
    n_entries: usize,
}

impl ListHoldings {
    /// An empty index.
    pub fn new() -> ListHoldings {
        ListHoldings::default()
    }

    /// Records that `unit` holds `entries` under `list` from `from` until `until` (exclusive).
    /// Entries may share one allocation between towns of one template.
    pub fn add(
        &mut self,
        unit: UnitId,
        list: ListId,
        from: NaiveDate,
        until: Option<NaiveDate>,
        entries: Arc<[ListEntry]>,
    ) {
        debug_assert!(entries.windows(2).all(|w| w[0].item <= w[1].item), "entries must be sorted");
        self.n_entries += entries.len();
        let lists = self.units.entry(unit).or_default();
        let periods = match lists.iter_mut().find(|(l, _)| *l == list) {
            Some((_, periods)) => periods,
            None => {
                lists.push((list, Vec::new()));
                &mut lists.last_mut().expect("just pushed").1
            }
        };
        let at = periods.partition_point(|p| p.from <= from);
        periods.insert(at, Period { from, until, entries });
    }

    /// Sorts entries by item id, as [`ListHoldings::add`] requires.
    pub fn sorted(mut entries: Vec<ListEntry>) -> Arc<[ListEntry]> {
        entries.sort_by_key(|e| e.item);
        entries.into()
    }

    /// The entries `unit` holds on `date`, list by list.
    pub fn holdings(&self, unit: UnitId, date: NaiveDate) -> impl Iterator<Item = &ListEntry> {
        self.units
            .get(&unit)
            .into_iter()
            .flatten()
            .filter_map(move |(_, periods)| period_on(periods, date))
            .flat_map(|p| p.entries.iter())
    }

    /// The entry through which `unit` holds `item` on `date`, if it does.
    pub fn holds(&self, unit: UnitId, item: ItemId, date: NaiveDate) -> Option<&ListEntry> {
        self.holds_in(unit, item, date).map(|(_, e)| e)
    }

    /// Like [`ListHoldings::holds`], with the list the entry is in.
    pub fn holds_in(
        &self,
        unit: UnitId,
        item: ItemId,
        date: NaiveDate,
    ) -> Option<(ListId, &ListEntry)> {
        self.units.get(&unit)?.iter().find_map(|(list, periods)| {
            let p = period_on(periods, date)?;
            p.entries.binary_search_by_key(&item, |e| e.item).ok().map(|i| (*list, &p.entries[i]))
        })
    }

    /// Every (unit, list, window, entries) indexed, for indexes built on top of this one.
    pub fn periods(
        &self,
    ) -> impl Iterator<Item = (UnitId, ListId, NaiveDate, Option<NaiveDate>, &[ListEntry])> {
        self.units.iter().flat_map(|(unit, lists)| {
            lists.iter().flat_map(move |(list, periods)| {
                periods.iter().map(move |p| (*unit, *list, p.from, p.until, &p.entries[..]))
            })
        })
    }

    /// Number of units indexed.
    pub fn n_units(&self) -> usize {
        self.units.len()
    }

    /// Number of (unit, period, entry) triples indexed.
    pub fn n_entries(&self) -> usize {
        self.n_entries
    }
}

fn period_on(periods: &[Period], date: NaiveDate) -> Option<&Period> {
    // The last period starting on or before the date, if it has not ended.
    let at = periods.partition_point(|p| p.from <= date);
    let p = periods.get(at.checked_sub(1)?)?;
    p.until.is_none_or(|until| date < until).then_some(p)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::list::DutyKind;

    #[test]
    fn answers_by_date() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        let unit = UnitId::from_uuid(uuid::Uuid::from_u128(1));
        let list = ListId::from_uuid(uuid::Uuid::from_u128(2));
        let e = |n| ListEntry {
            item: ItemId::from_uuid(uuid::Uuid::from_u128(n)),
            item_version: 1,
            duty: DutyKind::Own,
        };
        let mut idx = ListHoldings::new();
        idx.add(unit, list, d(2025, 3, 1), None, ListHoldings::sorted(vec![e(3), e(1)]));
        idx.add(
            unit,
            list,
            d(2024, 1, 1),
            Some(d(2025, 3, 1)),
            ListHoldings::sorted(vec![e(1), e(2)]),
        );
        assert_eq!(idx.holdings(unit, d(2023, 12, 31)).count(), 0);
        assert!(idx.holds(unit, e(2).item, d(2025, 2, 28)).is_some());
        assert!(idx.holds(unit, e(2).item, d(2025, 3, 1)).is_none());
        assert!(idx.holds(unit, e(3).item, d(2025, 3, 1)).is_some());
        let on: Vec<_> = idx.holdings(unit, d(2026, 1, 1)).map(|e| e.item).collect();
        assert_eq!(on, vec![e(1).item, e(3).item]);
        assert_eq!(idx.n_entries(), 4);
    }
}
