//! Comparing two catalogues on everything a reader can see, for the test that a catalogue
//! changed write by write equals one rebuilt from the store.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use quanze_core::{ItemId, ListEntry, ListHoldings, ListId, UnitId};

use super::Catalog;

/// One unit's holdings as an index answers them: its lists in the order it asks them, each
/// with its windows and entries.
type UnitHoldings = Vec<(ListId, NaiveDate, Option<NaiveDate>, Vec<ListEntry>)>;

impl Catalog {
    /// Where this catalogue and `other` differ as readers see them (regions, units, lists,
    /// versions, item versions, the latest version of each item, holdings, authority answers on
    /// every date that starts or ends something, grants, readiness, reclaims, establishment);
    /// empty when they agree.
    pub fn differences(&self, other: &Catalog) -> Vec<String> {
        let mut out = Vec::new();
        // Formats only what differs: the parts are large.
        macro_rules! same {
            ($what:expr, $a:expr, $b:expr $(,)?) => {{
                let (a, b) = ($a, $b);
                if a != b {
                    let cut = |s: String| s.chars().take(400).collect::<String>();
                    let (a, b) = (cut(format!("{a:?}")), cut(format!("{b:?}")));
                    out.push(format!("{}:\n  this:  {a}\n  other: {b}", $what));
                }
            }};
        }
        same!("regions", &self.regions, &other.regions);
        same!("units", &self.units, &other.units);
        for u in self.units.iter().chain(other.units.iter()) {
            same!(&format!("unit {}", u.id), &self.unit(u.id), &other.unit(u.id));
        }
        same!("lists", &self.lists, &other.lists);
        for l in self.lists.iter().chain(other.lists.iter()) {
            same!(&format!("list {}", l.id), &self.list(l.id), &other.list(l.id));
        }
        let lists = |c: &Catalog| c.versions.keys().copied().collect::<BTreeSet<_>>();
        same!("lists with versions", &lists(self), &lists(other));
        for list in lists(self).union(&lists(other)) {
            same!(&format!("versions of {list}"), &self.versions(*list), &other.versions(*list));
        }
        let version_ids = |c: &Catalog| c.version_by_id.keys().copied().collect::<BTreeSet<_>>();
        same!("version ids", &version_ids(self), &version_ids(other));
        for id in version_ids(self).union(&version_ids(other)) {
            same!(&format!("version {id}"), &self.version(*id), &other.version(*id));
        }
        let item_keys = |c: &Catalog| c.items.iter().map(|(k, _)| *k).collect::<BTreeSet<_>>();
        same!("item versions", &item_keys(self), &item_keys(other));
        for (id, v) in item_keys(self).union(&item_keys(other)) {
            same!(&format!("item {id} v{v}"), &self.item(*id, *v), &other.item(*id, *v));
        }
        let latest = |c: &Catalog| c.latest_item.iter().map(|(k, v)| (*k, *v)).collect::<Vec<_>>();
        let sorted = |mut v: Vec<(ItemId, u32)>| {
            v.sort();
            v
        };
        same!("latest item versions", &sorted(latest(self)), &sorted(latest(other)));
        let pins = |c: &Catalog| c.pins.iter().map(|(k, n)| (*k, *n)).collect::<BTreeMap<_, _>>();
        same!("pinned item versions", &pins(self), &pins(other));
        let public =
            |c: &Catalog| c.public_pins.iter().map(|(k, n)| (*k, *n)).collect::<BTreeMap<_, _>>();
        same!("item versions pinned by what was published", &public(self), &public(other));
        same!("holdings", &holdings(&self.holdings), &holdings(&other.holdings));
        same!(
            "holdings of the authority index",
            &holdings(self.authority.holdings()),
            &holdings(other.authority.holdings()),
        );
        same!("holdings counts", &counts(&self.holdings), &counts(&other.holdings));
        same!("grants", &self.grants, &other.grants);
        same!("readiness", &self.readiness, &other.readiness);
        same!("reclaims", &self.reclaims, &other.reclaims);
        same!("establishment", &self.establishment, &other.establishment);
        let dates = self.dates().union(&other.dates()).copied().collect::<Vec<_>>();
        let pairs = self.pairs().union(&other.pairs()).copied().collect::<Vec<_>>();
        for (unit, item) in pairs {
            for &date in &dates {
                let (a, b) = (
                    self.authority.holds(unit, item, date),
                    other.authority.holds(unit, item, date),
                );
                same!(format!("authority of {unit} for {item} on {date}"), a, b);
            }
        }
        out
    }

    /// Every (unit, item) the authority index could answer for: held through a list, granted
    /// to a town or granted away by a department.
    fn pairs(&self) -> BTreeSet<(UnitId, ItemId)> {
        let mut pairs: BTreeSet<(UnitId, ItemId)> = self
            .holdings
            .periods()
            .flat_map(|(unit, _, _, _, entries)| entries.iter().map(move |e| (unit, e.item)))
            .collect();
        for g in self.grants.iter() {
            pairs.insert((g.from, g.item));
            pairs.extend(g.towns(&self.units).into_iter().map(|town| (town, g.item)));
        }
        pairs
    }

    /// Every date on which something starts or ends, and the day before each.
    fn dates(&self) -> BTreeSet<NaiveDate> {
        let mut dates = BTreeSet::new();
        for (_, _, from, until, _) in self.holdings.periods() {
            dates.insert(from);
            dates.extend(until);
        }
        let mut values = Vec::new();
        for g in self.grants.iter() {
            values.push(serde_json::to_value(g).unwrap_or_default());
        }
        for r in self.readiness.iter() {
            values.push(serde_json::to_value(r).unwrap_or_default());
        }
        for r in self.reclaims.iter() {
            values.push(serde_json::to_value(r).unwrap_or_default());
        }
        while let Some(value) = values.pop() {
            match value {
                serde_json::Value::String(s) => dates.extend(s.parse::<NaiveDate>().ok()),
                serde_json::Value::Array(vs) => values.extend(vs),
                serde_json::Value::Object(map) => values.extend(map.into_iter().map(|(_, v)| v)),
                _ => {}
            }
        }
        let before: Vec<NaiveDate> = dates.iter().filter_map(|d| d.pred_opt()).collect();
        dates.extend(before);
        dates
    }
}

/// The holdings by unit, in the order the index answers them.
fn holdings(index: &ListHoldings) -> BTreeMap<UnitId, UnitHoldings> {
    let mut out: BTreeMap<UnitId, UnitHoldings> = BTreeMap::new();
    for (unit, list, from, until, entries) in index.periods() {
        out.entry(unit).or_default().push((list, from, until, entries.to_vec()));
    }
    out
}

fn counts(index: &ListHoldings) -> (usize, usize) {
    (index.n_units(), index.n_entries())
}
