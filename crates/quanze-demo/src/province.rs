//! Scale mode: a province-sized catalogue generated county by county, for benchmarks of the
//! holdings index. Items share a small set of content templates; what varies is ids, holders
//! and list entries.

use std::collections::BTreeSet;
use std::ops::Range;
use std::sync::Arc;

use chrono::NaiveDate;

use quanze_core::{
    DocNo, DutyKind, ExerciseLevel, ItemContent, ItemId, ListEntry, ListHoldings, ListId,
    ListScope, ListVersion, Override, OverrideChange, OverrideTarget, PowerItem, PowerList,
    PowerSource, Region, RegionCode, Tag, Unit, UnitId, UnitKind, VersionStatus,
};

use crate::content::{self, HolderCtx};
use crate::data::{DEPARTMENTS, PROVINCE, TAG_FLOOD};
use crate::seeded::Gen;

/// How many items one county of the catalogue holds (the last counties may hold fewer).
pub const ITEMS_PER_COUNTY: usize = 10_000;
/// Towns (镇) per county; two of them are 蓄滞洪区 towns.
pub const TOWNS_PER_COUNTY: usize = 12;
/// Subdistricts (街道) per county.
pub const SUBDISTRICTS_PER_COUNTY: usize = 3;
/// The most entries a county's township template gets.
pub const TEMPLATE_SIZE: usize = 300;
/// Extra items each 蓄滞洪区 town holds beyond the template.
pub const FLOOD_EXTRAS: usize = 2;

const NAME_HEADS: [&str; 10] = ["安", "平", "临", "清", "永", "长", "东", "西", "南", "北"];
const NAME_TAILS: [&str; 10] = ["丰", "宁", "河", "山", "阳", "源", "泉", "川", "溪", "城"];
const FLOOD_TOWNS: [usize; 2] = [2, 11];

/// A province-sized catalogue: `n_items` items over `ceil(n_items / 10,000)` counties, each
/// with the 28 county departments of the demo tables, 12 towns and 3 subdistricts.
/// Counties are generated on demand, so a consumer can stream them.
#[derive(Debug, Clone)]
pub struct ProvinceCatalogue {
    seed: u64,
    n_items: usize,
    n_counties: usize,
    templates: Vec<ItemContent>,
    /// Template indices of each department's items.
    dept_templates: Vec<Range<usize>>,
}

/// One item of the catalogue: its id, holder and the shared content template it uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CatalogueItem {
    /// Stable id.
    pub id: ItemId,
    /// Content version (always 1 in the catalogue).
    pub version: u32,
    /// The holding unit (a department; for template items the guiding department).
    pub holder: UnitId,
    /// Index of the shared content template ([`ProvinceCatalogue::content`]).
    pub template: u32,
}

/// What one unit holds under one list from a date: the arguments of [`ListHoldings::add`].
#[derive(Debug, Clone)]
pub struct Holding {
    /// The unit.
    pub unit: UnitId,
    /// The list.
    pub list: ListId,
    /// In force from.
    pub from: NaiveDate,
    /// In force until (exclusive).
    pub until: Option<NaiveDate>,
    /// The entries, sorted by item id; towns with the same resolution share one allocation.
    pub entries: Arc<[ListEntry]>,
}

/// One county of the catalogue.
#[derive(Debug, Clone)]
pub struct CountyBatch {
    /// The county's position in the catalogue.
    pub index: usize,
    /// The county, then its towns and subdistricts.
    pub regions: Vec<Region>,
    /// Departments, then towns and subdistricts.
    pub units: Vec<Unit>,
    /// One list per department, then the township template.
    pub lists: Vec<PowerList>,
    /// One published version per list.
    pub versions: Vec<ListVersion>,
    /// Every item of the county's lists and overrides.
    pub items: Vec<CatalogueItem>,
    /// Department holdings, then one per town and subdistrict (resolved template).
    pub holdings: Vec<Holding>,
}

/// A catalogue of `n_items` items, generated lazily from `seed`.
pub fn province_catalogue(seed: u64, n_items: usize) -> ProvinceCatalogue {
    let mut rng = Gen::new(seed, u64::MAX);
    let mut templates = Vec::new();
    let mut dept_templates = Vec::new();
    for (dept_idx, dept) in DEPARTMENTS.iter().enumerate() {
        let start = templates.len();
        for spec in content::dept_specs(dept_idx, dept) {
            let ctx = HolderCtx {
                // The real holder is set per item by ProvinceCatalogue::content.
                holder: UnitId::from_uuid(uuid::Uuid::nil()),
                office: dept.office,
                place: "政务服务中心",
                phone: "12345",
                source: PowerSource::Statutory,
                level: ExerciseLevel::County,
            };
            templates.push(content::build(&mut rng, &spec, &ctx));
        }
        dept_templates.push(start..templates.len());
    }
    ProvinceCatalogue {
        seed,
        n_items,
        n_counties: n_items.div_ceil(ITEMS_PER_COUNTY).max(1),
        templates,
        dept_templates,
    }
}

impl ProvinceCatalogue {
    /// Number of counties.
    pub fn n_counties(&self) -> usize {
        self.n_counties
    }

    /// Number of items over all counties.
    pub fn n_items(&self) -> usize {
        self.n_items
    }

    /// The province region.
    pub fn province(&self) -> Region {
        let code = RegionCode::parse(PROVINCE.1).expect("province code in data.rs is valid");
        Region { code, name: PROVINCE.0.to_owned() }
    }

    /// Every county, generated one at a time.
    pub fn counties(&self) -> impl Iterator<Item = CountyBatch> + '_ {
        (0..self.n_counties).map(|index| self.county(index))
    }

    /// The full content of a catalogue item (a clone of its template with its holder).
    pub fn content(&self, item: &CatalogueItem) -> ItemContent {
        let mut content = self.templates[item.template as usize].clone();
        content.holder = item.holder;
        content
    }

    /// The catalogue item as a domain item.
    pub fn power_item(&self, item: &CatalogueItem) -> PowerItem {
        PowerItem { id: item.id, version: item.version, content: self.content(item) }
    }

    /// The holdings index over the whole catalogue.
    pub fn build_index(&self) -> ListHoldings {
        let mut index = ListHoldings::new();
        for batch in self.counties() {
            for h in batch.holdings {
                index.add(h.unit, h.list, h.from, h.until, h.entries);
            }
        }
        index
    }

    /// County `index` (`index < n_counties`), the same on every call.
    pub fn county(&self, index: usize) -> CountyBatch {
        let mut rng = Gen::new(self.seed, 1 + index as u64);
        let n_items =
            self.n_items / self.n_counties + usize::from(index < self.n_items % self.n_counties);
        let (regions, units) = self.places(&mut rng, index);
        let n_depts = DEPARTMENTS.len();
        let extras = if n_items >= 50 { FLOOD_EXTRAS } else { 0 };
        let n_template = TEMPLATE_SIZE.min((n_items - extras) / 3);
        let n_dept_items = n_items - extras - n_template;
        let from = NaiveDate::from_ymd_opt(2025, 1, 1).expect("2025-01-01 is a date");
        let doc_prefix: String = units[0].name.chars().take(1).collect();
        let doc = |n: usize| {
            DocNo::parse(&format!("{doc_prefix}编〔2025〕{n}号")).expect("well-formed doc no")
        };

        let mut batch = CountyBatch {
            index,
            regions,
            units: Vec::new(),
            lists: Vec::new(),
            versions: Vec::new(),
            items: Vec::with_capacity(n_items),
            holdings: Vec::new(),
        };
        for (d, dept) in units[..n_depts].iter().enumerate() {
            let n = n_dept_items / n_depts + usize::from(d < n_dept_items % n_depts);
            let range = &self.dept_templates[d];
            let mut entries = Vec::with_capacity(n);
            for k in 0..n {
                let item = CatalogueItem {
                    id: rng.item_id(),
                    version: 1,
                    holder: dept.id,
                    template: (range.start + k % range.len()) as u32,
                };
                entries.push(ListEntry { item: item.id, item_version: 1, duty: DutyKind::Own });
                batch.items.push(item);
            }
            let list = PowerList {
                id: rng.list_id(),
                name: format!("{}权责清单", dept.name),
                scope: ListScope::Unit { unit: dept.id },
            };
            let holding = Holding {
                unit: dept.id,
                list: list.id,
                from,
                until: None,
                entries: ListHoldings::sorted(entries.clone()),
            };
            batch.versions.push(published(&mut rng, list.id, from, doc(d + 1), entries, vec![]));
            batch.lists.push(list);
            batch.holdings.push(holding);
        }

        // The township template: duty kinds in turn, leads and receivers spread over the
        // departments; 蓄滞洪区 towns add two items by tag.
        let mut template_item = |rng: &mut Gen, k: usize, duty: DutyKind| {
            let d = k % n_depts;
            let item = CatalogueItem {
                id: rng.item_id(),
                version: 1,
                holder: units[d].id,
                template: ((k * 37) % self.templates.len()) as u32,
            };
            batch.items.push(item);
            ListEntry { item: item.id, item_version: 1, duty }
        };
        let mut entries = Vec::with_capacity(n_template);
        for k in 0..n_template {
            let duty = match k % 3 {
                0 => DutyKind::Own,
                1 => DutyKind::Cooperate { lead: units[k % n_depts].id },
                _ => DutyKind::Reclaimed { receiver: units[(k * 7) % n_depts].id },
            };
            entries.push(template_item(&mut rng, k, duty));
        }
        let flood = Tag::parse(TAG_FLOOD).expect("tag in data.rs is valid");
        let overrides: Vec<Override> = (0..extras)
            .map(|k| Override {
                target: OverrideTarget::Tag { tag: flood.clone() },
                change: OverrideChange::Add {
                    entry: template_item(&mut rng, n_template + k, DutyKind::Own),
                },
                reason: "蓄滞洪区所在镇承担蓄滞洪区运用职责".to_owned(),
            })
            .collect();
        let county_code = batch.regions[0].code.clone();
        let list = PowerList {
            id: rng.list_id(),
            name: format!("{}乡镇（街道）权责清单通用目录", batch.regions[0].name),
            scope: ListScope::TownshipTemplate { county: county_code },
        };
        let version = published(&mut rng, list.id, from, doc(n_depts + 1), entries, overrides);
        // Towns resolve to one of two lists: with or without the flood extras.
        let mut shared: Vec<(bool, Arc<[ListEntry]>)> = Vec::new();
        for town in units[n_depts..].iter() {
            let is_flood = town.tags.contains(&flood);
            let entries = match shared.iter().find(|(f, _)| *f == is_flood) {
                Some((_, entries)) => entries.clone(),
                None => {
                    let entries: Arc<[ListEntry]> = version.resolve_for(town).into();
                    shared.push((is_flood, entries.clone()));
                    entries
                }
            };
            batch.holdings.push(Holding {
                unit: town.id,
                list: list.id,
                from,
                until: None,
                entries,
            });
        }
        batch.versions.push(version);
        batch.lists.push(list);
        batch.units = units;
        batch
    }

    /// The county region with its townships, and the county's units.
    fn places(&self, rng: &mut Gen, index: usize) -> (Vec<Region>, Vec<Unit>) {
        // 50 counties per city keeps every code valid for up to 4,950 counties.
        let county6 = format!("{}{:02}{:02}", &PROVINCE.1[..2], index / 50 + 1, 21 + index % 50);
        let mut county_name =
            format!("{}{}", NAME_HEADS[index % 10], NAME_TAILS[(index / 10) % 10]);
        if index >= 100 {
            county_name.push_str(&(index / 100).to_string());
        }
        county_name.push('县');
        let code = |raw: &str| RegionCode::parse(raw).expect("generated region codes are valid");
        let county_code = code(&format!("{county6}000000"));
        let mut regions = vec![Region { code: county_code.clone(), name: county_name.clone() }];
        let mut units = Vec::new();
        for dept in DEPARTMENTS {
            units.push(Unit {
                id: rng.unit_id(),
                name: format!("{county_name}{}", dept.name),
                kind: UnitKind::Department,
                region: county_code.clone(),
                credit_code: Some(rng.gov_credit_code(&county6)),
                parent: None,
                tags: BTreeSet::new(),
            });
        }
        let townships = (0..TOWNS_PER_COUNTY)
            .map(|k| (101 + k, format!("{}{}镇", NAME_TAILS[k % 10], k + 1), UnitKind::Township))
            .chain((0..SUBDISTRICTS_PER_COUNTY).map(|k| {
                (1 + k, format!("城{}街道", ["东", "西", "南", "北"][k % 4]), UnitKind::Subdistrict)
            }));
        for (k, (number, name, kind)) in townships.enumerate() {
            let region = code(&format!("{county6}{number:03}000"));
            regions.push(Region { code: region.clone(), name: name.clone() });
            let mut tags = BTreeSet::new();
            if kind == UnitKind::Township && FLOOD_TOWNS.contains(&k) {
                tags.insert(Tag::parse(TAG_FLOOD).expect("tag in data.rs is valid"));
            }
            units.push(Unit {
                id: rng.unit_id(),
                name: format!("{county_name}{name}"),
                kind,
                region,
                credit_code: Some(rng.gov_credit_code(&county6)),
                parent: None,
                tags,
            });
        }
        (regions, units)
    }
}

fn published(
    rng: &mut Gen,
    list: ListId,
    from: NaiveDate,
    doc_no: DocNo,
    entries: Vec<ListEntry>,
    overrides: Vec<Override>,
) -> ListVersion {
    ListVersion {
        id: rng.version_id(),
        list,
        number: 1,
        status: VersionStatus::Published,
        effective_from: Some(from),
        effective_until: None,
        doc_no: Some(doc_no),
        entries,
        overrides,
    }
}
