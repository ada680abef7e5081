//! The demo county: regions, units, department lists, the township template with overrides,
//! and their versions.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use chrono::NaiveDate;

use quanze_core::devolution::GrantLink;
use quanze_core::{
    Cooperation, CreditCode, DocNo, DutyKind, ExerciseLevel, GrantMode, ImplCode, ItemContent,
    ItemId, ListEntry, ListHoldings, ListId, ListScope, ListVersion, Override, OverrideChange,
    OverrideTarget, PowerCategory, PowerItem, PowerList, PowerSource, Region, RegionCode, Tag,
    Unit, UnitId, UnitKind, VersionStatus,
};

use crate::content::{self, HolderCtx, Spec, legal_ref, owner_segment, plain_spec};
use crate::data::{
    AREA_CODE, CITY, COOPERATE_DUTIES, COUNTY, DEPARTMENTS, DEVELOPED_ITEMS, DOC_PREFIX,
    DRAFT_DEPARTMENTS, FLOOD_ITEMS, OVERSIGHT_DEPARTMENT, PENALTY_LAW, PROVINCE,
    REVISED_DEPARTMENTS, SUBDISTRICTS, SUPERVISING_DEPARTMENT, TAG_DEVELOPED, TAG_FLOOD,
    TEMPLATE_BATCH, TOWN_OFFICES, TOWNS, TOWNSHIP_DUTIES, VERTICAL_DEPARTMENTS,
};
use crate::seeded::Gen;
use quanze_core::unit::{TAG_OVERSIGHT, TAG_SUPERVISING};

/// The exercise-level digit of 实施编码 for county bodies. domain.md §4 confirms only 5 (乡镇)
/// and 3 (市); 4 for 县级 follows the same order and is an assumption.
pub const COUNTY_LEVEL_DIGIT: u8 = 4;

/// The effective date of the first published lists.
pub fn first_publication() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 3, 1).expect("2024-03-01 is a date")
}

/// The effective date of the 2025 revision.
pub fn revision_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 6, 1).expect("2025-06-01 is a date")
}

/// A generated demo county: every value is a quanze-core domain value.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DemoCounty {
    /// The province, the city, the county, then towns (镇) and subdistricts (街道).
    pub regions: Vec<Region>,
    /// County departments, then town governments, then subdistrict offices.
    pub units: Vec<Unit>,
    /// One list per department, then the township template.
    pub lists: Vec<PowerList>,
    /// Every version of every list, in list order then version order.
    pub versions: Vec<ListVersion>,
    /// Every item version referenced by an entry or an override.
    pub items: Vec<PowerItem>,
}

impl DemoCounty {
    /// The county region.
    pub fn county(&self) -> &Region {
        &self.regions[2]
    }

    /// The unit with this id.
    pub fn unit(&self, id: UnitId) -> Option<&Unit> {
        self.units.iter().find(|u| u.id == id)
    }

    /// The unit with this name.
    pub fn unit_named(&self, name: &str) -> Option<&Unit> {
        self.units.iter().find(|u| u.name == name)
    }

    /// The given version of an item.
    pub fn item(&self, id: ItemId, version: u32) -> Option<&PowerItem> {
        self.items.iter().find(|i| i.id == id && i.version == version)
    }

    /// The versions of a list, oldest first.
    pub fn versions_of(&self, list: ListId) -> Vec<&ListVersion> {
        let mut versions: Vec<&ListVersion> =
            self.versions.iter().filter(|v| v.list == list).collect();
        versions.sort_by_key(|v| v.number);
        versions
    }

    /// The township template list.
    pub fn template(&self) -> &PowerList {
        self.lists
            .iter()
            .find(|l| matches!(l.scope, ListScope::TownshipTemplate { .. }))
            .expect("the demo always has a township template")
    }

    /// The town governments and subdistrict offices.
    pub fn townships(&self) -> impl Iterator<Item = &Unit> {
        self.units.iter().filter(|u| u.kind.is_township_level())
    }

    /// The holdings index over every published and superseded version: department lists for
    /// their unit, the template resolved for each town and subdistrict.
    pub fn holdings_index(&self) -> ListHoldings {
        let mut index = ListHoldings::new();
        for version in self.versions.iter().filter(|v| v.status != VersionStatus::Draft) {
            let Some(from) = version.effective_from else { continue };
            let list = self.lists.iter().find(|l| l.id == version.list);
            match list.map(|l| &l.scope) {
                Some(ListScope::Unit { unit }) => {
                    let entries = ListHoldings::sorted(version.entries.clone());
                    index.add(*unit, version.list, from, version.effective_until, entries);
                }
                Some(ListScope::TownshipTemplate { .. }) => {
                    for town in self.townships() {
                        let entries: Arc<[ListEntry]> = version.resolve_for(town).into();
                        index.add(town.id, version.list, from, version.effective_until, entries);
                    }
                }
                None => {}
            }
        }
        index
    }
}

/// Generates the demo county for `seed`. The same seed always gives the same value.
pub fn demo_county(seed: u64) -> DemoCounty {
    Builder::new(seed).build()
}

struct DeptInfo {
    unit: UnitId,
    credit: CreditCode,
    phone: String,
    place: String,
}

/// The publication of a list version: in force from `from` until `until` (exclusive).
struct Release {
    from: NaiveDate,
    until: Option<NaiveDate>,
    doc_no: DocNo,
}

impl Release {
    /// The first publication, superseded by the 2025 revision when `revised`.
    fn first(number: u32, revised: bool) -> Release {
        let until = revised.then(revision_date);
        Release { from: first_publication(), until, doc_no: date_doc(2024, number) }
    }

    /// The 2025 revision, in force until further notice.
    fn revision(number: u32) -> Release {
        Release { from: revision_date(), until: None, doc_no: date_doc(2025, number) }
    }
}

struct Builder {
    rng: Gen,
    out: DemoCounty,
    depts: Vec<DeptInfo>,
    used_credit: BTreeSet<CreditCode>,
    /// 基本编码 → the department and item listing it in its latest version.
    held_by_code: BTreeMap<String, (UnitId, ItemId)>,
}

fn date_doc(year: i32, number: u32) -> DocNo {
    DocNo::parse(&format!("{DOC_PREFIX}〔{year}〕{number}号")).expect("well-formed document number")
}

impl Builder {
    fn new(seed: u64) -> Builder {
        Builder {
            rng: Gen::new(seed, 0),
            out: DemoCounty {
                regions: Vec::new(),
                units: Vec::new(),
                lists: Vec::new(),
                versions: Vec::new(),
                items: Vec::new(),
            },
            depts: Vec::new(),
            used_credit: BTreeSet::new(),
            held_by_code: BTreeMap::new(),
        }
    }

    fn build(mut self) -> DemoCounty {
        self.regions_and_units();
        for dept_idx in 0..DEPARTMENTS.len() {
            self.department_list(dept_idx);
        }
        self.index_department_items();
        self.template();
        self.out
    }

    fn credit_code(&mut self, region6: &str) -> CreditCode {
        loop {
            let code = self.rng.gov_credit_code(region6);
            if self.used_credit.insert(code.clone()) {
                return code;
            }
        }
    }

    fn regions_and_units(&mut self) {
        let code = |raw: &str| RegionCode::parse(raw).expect("region codes in data.rs are valid");
        let county_code = code(COUNTY.1);
        let county6 = &COUNTY.1[..6];
        for (name, raw) in [PROVINCE, CITY, COUNTY] {
            self.out.regions.push(Region { code: code(raw), name: name.to_owned() });
        }
        for (k, dept) in DEPARTMENTS.iter().enumerate() {
            let id = self.rng.unit_id();
            let credit = self.credit_code(county6);
            let phone = format!("{AREA_CODE}-7{}", self.rng.digits(6));
            self.out.units.push(Unit {
                id,
                name: format!("{}{}", COUNTY.0, dept.name),
                kind: UnitKind::Department,
                region: county_code.clone(),
                credit_code: Some(credit.clone()),
                parent: None,
                tags: VERTICAL_DEPARTMENTS
                    .contains(&dept.name)
                    .then_some(quanze_core::unit::TAG_VERTICAL)
                    .into_iter()
                    .chain((dept.name == SUPERVISING_DEPARTMENT).then_some(TAG_SUPERVISING))
                    .chain((dept.name == OVERSIGHT_DEPARTMENT).then_some(TAG_OVERSIGHT))
                    .map(|t| Tag::parse(t).expect("a valid tag"))
                    .collect(),
            });
            let place = format!("{}政务服务中心{}号窗口（{}）", COUNTY.0, k + 1, dept.name);
            self.depts.push(DeptInfo { unit: id, credit, phone, place });
        }
        let townships = TOWNS
            .iter()
            .enumerate()
            .map(|(k, (name, tags))| (101 + k, *name, *tags, UnitKind::Township))
            .chain(
                SUBDISTRICTS
                    .iter()
                    .enumerate()
                    .map(|(k, name)| (1 + k, *name, &[][..], UnitKind::Subdistrict)),
            );
        for (number, name, tags, kind) in townships {
            let region = code(&format!("{county6}{number:03}000"));
            self.out.regions.push(Region { code: region.clone(), name: name.to_owned() });
            let unit_name = match kind {
                UnitKind::Subdistrict => format!("{name}办事处"),
                _ => format!("{name}人民政府"),
            };
            let id = self.rng.unit_id();
            let credit = self.credit_code(county6);
            self.out.units.push(Unit {
                id,
                name: unit_name,
                kind,
                region,
                credit_code: Some(credit),
                parent: None,
                tags: tags
                    .iter()
                    .map(|t| Tag::parse(t).expect("tags in data.rs are valid"))
                    .collect(),
            });
        }
    }

    fn dept_index(name: &str) -> usize {
        DEPARTMENTS.iter().position(|d| d.name == name).expect("department names in data.rs match")
    }

    /// Builds a department item and records it.
    fn dept_item(&mut self, dept_idx: usize, spec: &Spec) -> ListEntry {
        let info = &self.depts[dept_idx];
        let ctx = HolderCtx {
            holder: info.unit,
            office: DEPARTMENTS[dept_idx].office,
            place: &info.place,
            phone: &info.phone,
            source: PowerSource::Statutory,
            level: ExerciseLevel::County,
        };
        let mut item = content::build(&mut self.rng, spec, &ctx);
        item.impl_code = Some(ImplCode::compose(&info.credit, COUNTY_LEVEL_DIGIT, &spec.base_code));
        // Some items name a cooperating department (配合部门) with its share of the duty.
        if self.rng.chance(0.08) {
            let other = (dept_idx + 1 + self.rng.below(DEPARTMENTS.len() - 1)) % DEPARTMENTS.len();
            item.cooperation.push(Cooperation {
                unit: self.depts[other].unit,
                duty: "依职责提供相关信息，配合开展调查核实和联合检查".to_owned(),
            });
        }
        self.push_item(item, DutyKind::Own)
    }

    fn push_item(&mut self, content: ItemContent, duty: DutyKind) -> ListEntry {
        let id = self.rng.item_id();
        self.out.items.push(PowerItem { id, version: 1, content });
        ListEntry { item: id, item_version: 1, duty }
    }

    /// Records a new version of the item behind `entry` and returns the entry pointing at it.
    fn push_revision(&mut self, entry: ListEntry, content: ItemContent) -> ListEntry {
        let version = entry.item_version + 1;
        self.out.items.push(PowerItem { id: entry.item, version, content });
        ListEntry { item_version: version, ..entry }
    }

    /// The department and item that list `code` in the department's latest version.
    fn dept_held(&self, code: &quanze_core::BaseCode) -> Option<(UnitId, ItemId)> {
        self.held_by_code.get(code.as_str()).copied()
    }

    /// Indexes the department items of every department list's latest version by 基本编码.
    fn index_department_items(&mut self) {
        let items: BTreeMap<(ItemId, u32), &ItemContent> =
            self.out.items.iter().map(|i| ((i.id, i.version), &i.content)).collect();
        for l in &self.out.lists {
            let ListScope::Unit { unit } = l.scope else { continue };
            let latest =
                self.out.versions.iter().filter(|v| v.list == l.id).max_by_key(|v| v.number);
            for e in latest.into_iter().flat_map(|v| &v.entries) {
                let Some(code) =
                    items.get(&(e.item, e.item_version)).and_then(|c| c.base_code.as_ref())
                else {
                    continue;
                };
                self.held_by_code.insert(code.as_str().to_owned(), (unit, e.item));
            }
        }
    }

    fn content_of(&self, entry: &ListEntry) -> ItemContent {
        self.out
            .items
            .iter()
            .find(|i| i.id == entry.item && i.version == entry.item_version)
            .map(|i| i.content.clone())
            .expect("entries only point at recorded items")
    }

    /// The 2025 revision of an item: a shorter committed limit for service items, otherwise a
    /// refined legal basis.
    fn revise(&mut self, mut content: ItemContent) -> ItemContent {
        let committed = content.service.as_mut().and_then(|s| s.committed_limit.as_mut());
        match committed {
            Some(limit) if limit.amount > 1 => {
                limit.amount -= self.rng.range(1, (limit.amount - 1).min(3));
                content.remarks = Some("2025年优化营商环境，压缩承诺办结时限".to_owned());
            }
            _ => {
                if content.category == PowerCategory::Penalty {
                    content.legal_basis.push(legal_ref(PENALTY_LAW, 28));
                } else if let Some(first) = content.legal_basis.first_mut() {
                    first.paragraph = Some(1);
                }
                content.remarks = Some("2025年动态调整，完善设定依据".to_owned());
            }
        }
        content
    }

    fn push_list(&mut self, name: String, scope: ListScope) -> ListId {
        let id = self.rng.list_id();
        self.out.lists.push(PowerList { id, name, scope });
        id
    }

    /// Records version `number` of `list`. A release with an end date is superseded, so
    /// status and window always agree.
    fn push_version(
        &mut self,
        list: ListId,
        number: u32,
        release: Option<Release>,
        entries: Vec<ListEntry>,
        overrides: Vec<Override>,
    ) {
        let id = self.rng.version_id();
        let status = match &release {
            None => VersionStatus::Draft,
            Some(r) if r.until.is_some() => VersionStatus::Superseded,
            Some(_) => VersionStatus::Published,
        };
        self.out.versions.push(ListVersion {
            id,
            list,
            number,
            status,
            effective_from: release.as_ref().map(|r| r.from),
            effective_until: release.as_ref().and_then(|r| r.until),
            doc_no: release.map(|r| r.doc_no),
            entries,
            overrides,
        });
    }

    /// Picks `n` distinct positions below `len`, avoiding `taken`.
    fn pick(&mut self, len: usize, n: usize, taken: &BTreeSet<usize>) -> Vec<usize> {
        let mut positions: Vec<usize> = (0..len).filter(|p| !taken.contains(p)).collect();
        self.rng.shuffle(&mut positions);
        positions.truncate(n);
        positions.sort_unstable();
        positions
    }

    fn department_list(&mut self, dept_idx: usize) {
        let dept = &DEPARTMENTS[dept_idx];
        let unit = self.depts[dept_idx].unit;
        let mut specs = content::dept_specs(dept_idx, dept);
        let revised = REVISED_DEPARTMENTS.contains(&dept.name);
        // A revised department's new items exist in the tables from the start; they are kept
        // out of the first version so the 2025 version can add them.
        let held_back: Vec<Spec> = if revised {
            let picks = self.pick(specs.len(), 4, &BTreeSet::new());
            picks.iter().rev().map(|&p| specs.remove(p)).collect()
        } else {
            Vec::new()
        };
        let entries: Vec<ListEntry> = specs.iter().map(|s| self.dept_item(dept_idx, s)).collect();
        let list_name = format!("{}{}权责清单", COUNTY.0, dept.name);
        let list = self.push_list(list_name, ListScope::Unit { unit });
        if revised {
            let v1 = Some(Release::first(34, true));
            self.push_version(list, 1, v1, entries.clone(), Vec::new());
            let changed = self.pick(entries.len(), 4, &BTreeSet::new());
            let removed = self.pick(entries.len(), 3, &changed.iter().copied().collect());
            let mut v2_entries = Vec::new();
            for (pos, entry) in entries.iter().enumerate() {
                if removed.contains(&pos) {
                    continue;
                }
                if changed.contains(&pos) {
                    let content = self.content_of(entry);
                    let content = self.revise(content);
                    v2_entries.push(self.push_revision(*entry, content));
                } else {
                    v2_entries.push(*entry);
                }
            }
            for spec in &held_back {
                v2_entries.push(self.dept_item(dept_idx, spec));
            }
            self.push_version(list, 2, Some(Release::revision(21)), v2_entries, Vec::new());
        } else {
            self.push_version(
                list,
                1,
                Some(Release::first(34, false)),
                entries.clone(),
                Vec::new(),
            );
        }
        if DRAFT_DEPARTMENTS.contains(&dept.name) {
            self.draft(list, &entries);
        }
    }

    /// An open draft that leaves some items without an accountability case or legal basis, so
    /// the 权责不一致 warnings have something to show. Drafts never get published as they are.
    fn draft(&mut self, list: ListId, published: &[ListEntry]) {
        let defective = self.pick(published.len(), 16, &BTreeSet::new());
        let mut entries = Vec::with_capacity(published.len());
        for (pos, entry) in published.iter().enumerate() {
            let Some(k) = defective.iter().position(|&p| p == pos) else {
                entries.push(*entry);
                continue;
            };
            let mut content = self.content_of(entry);
            if k % 2 == 0 {
                content.accountability.clear();
                content.remarks = Some("草稿：追责情形待补充".to_owned());
            } else {
                content.legal_basis.clear();
                content.remarks = Some("草稿：设定依据待核实".to_owned());
            }
            entries.push(self.push_revision(*entry, content));
        }
        self.push_version(list, 2, None, entries, Vec::new());
    }

    /// Builds a township-template item: the holder is the department named (the guiding
    /// department for 基本履职, the lead for 配合履职, the receiver for 上级部门收回), because
    /// one template serves every town; each town holds it through the resolved list, which
    /// names the town as 实施主体 of its 基本履职 and the department as 业务指导部门
    /// (`quanze_core::TownHolder`).
    fn template_item(
        &mut self,
        dept_idx: usize,
        spec: &Spec,
        duty: DutyKind,
        source: PowerSource,
    ) -> ListEntry {
        let dept_name = DEPARTMENTS[dept_idx].name;
        let info = &self.depts[dept_idx];
        let (level, office, place, phone) = match duty {
            DutyKind::Own => {
                let office = if spec.category == PowerCategory::Penalty {
                    "综合行政执法队"
                } else {
                    TOWN_OFFICES[self.rng.below(TOWN_OFFICES.len())]
                };
                let place = "各乡镇（街道）便民服务中心".to_owned();
                (ExerciseLevel::Township, office, place, format!("{AREA_CODE}-12345"))
            }
            _ => {
                let office = DEPARTMENTS[dept_idx].office;
                (ExerciseLevel::County, office, info.place.clone(), info.phone.clone())
            }
        };
        let ctx =
            HolderCtx { holder: info.unit, office, place: &place, phone: &phone, source, level };
        let mut item = content::build(&mut self.rng, spec, &ctx);
        // A power from above names the grant that gives it (issue 14 §1): the department's
        // item with the same 基本编码, 直接下放 or 委托, in the template's batch.
        let mode = match source {
            PowerSource::Devolved => Some(GrantMode::Direct),
            PowerSource::Entrusted => Some(GrantMode::Entrusted),
            _ => None,
        };
        item.grant = mode.zip(self.dept_held(&spec.base_code)).map(|(mode, (department, id))| {
            GrantLink { department, item: id, mode, batch: TEMPLATE_BATCH.to_owned(), doc: None }
        });
        item.remarks = Some(match duty {
            // 委托: the towns act in the department's name (行政处罚法 第20条).
            DutyKind::Own if source == PowerSource::Entrusted => {
                format!(
                    "由{}{dept_name}委托各乡镇人民政府（街道办事处）以其名义实施，不得再委托",
                    COUNTY.0
                )
            }
            DutyKind::Own => {
                format!(
                    "实施主体为各乡镇人民政府（街道办事处）；业务指导部门：{}{dept_name}",
                    COUNTY.0
                )
            }
            DutyKind::Cooperate { .. } => {
                let duty_text = COOPERATE_DUTIES[self.rng.below(COOPERATE_DUTIES.len())];
                format!("乡镇（街道）配合职责：{duty_text}")
            }
            DutyKind::Reclaimed { .. } => {
                format!("乡镇（街道）不具备承接条件，由{}{dept_name}收回行使", COUNTY.0)
            }
        });
        self.push_item(item, duty)
    }

    fn template(&mut self) {
        let county = RegionCode::parse(COUNTY.1).expect("county code in data.rs is valid");
        let list_name = format!("{}乡镇（街道）权责清单通用目录", COUNTY.0);
        let list = self.push_list(list_name, ListScope::TownshipTemplate { county });

        // Candidate pools, each shuffled by the seed. A penalty is devolved only if its
        // department still lists it, so that a grant can give it.
        let mut devolved: Vec<(usize, Spec)> = Vec::new();
        let mut cooperate: Vec<(usize, Spec)> = Vec::new();
        let mut reclaim: Vec<(usize, Spec)> = Vec::new();
        for (dept_idx, dept) in DEPARTMENTS.iter().enumerate() {
            for spec in content::dept_specs(dept_idx, dept) {
                match spec.category {
                    PowerCategory::Penalty
                        if dept.devolvable && self.dept_held(&spec.base_code).is_some() =>
                    {
                        devolved.push((dept_idx, spec))
                    }
                    PowerCategory::Penalty => reclaim.push((dept_idx, spec)),
                    _ => cooperate.push((dept_idx, spec)),
                }
            }
        }
        self.rng.shuffle(&mut devolved);
        self.rng.shuffle(&mut cooperate);
        // A town does not cooperate on a power it holds as its own basic duty, nor on one a
        // 差异声明 gives some towns as their own (the same name twice in one town).
        cooperate.retain(|(_, spec)| {
            !TOWNSHIP_DUTIES.iter().any(|duty| duty.1 == spec.name)
                && !DEVELOPED_ITEMS.iter().any(|item| item.1 == spec.name)
                && !FLOOD_ITEMS.iter().any(|item| item.1 == spec.name)
        });
        let (n_own, n_coop, n_reclaim) =
            (self.rng.range(92, 108), self.rng.range(92, 108), self.rng.range(92, 108));
        let n_devolved = n_own as usize - TOWNSHIP_DUTIES.len();
        let extra_devolved: Vec<(usize, Spec)> =
            devolved.drain(n_devolved..n_devolved + 5).collect();
        // Penalties of devolving departments that are not handed down stay with them.
        reclaim.extend(devolved.drain(n_devolved..));
        self.rng.shuffle(&mut reclaim);

        let mut entries = Vec::new();
        // (entry position, department) of devolved 基本履职 entries, for the town removals.
        let mut own_devolved: Vec<(usize, usize)> = Vec::new();
        for (k, (category, name, law, article, dept_name)) in TOWNSHIP_DUTIES.iter().enumerate() {
            let dept_idx = Self::dept_index(dept_name);
            let owner = owner_segment(dept_idx);
            let spec = plain_spec(&owner, 900 + k as u32, *category, name, law, *article);
            entries.push(self.template_item(
                dept_idx,
                &spec,
                DutyKind::Own,
                PowerSource::Statutory,
            ));
        }
        for (dept_idx, spec) in &devolved[..n_devolved] {
            // Most penalties are handed down outright; some are entrusted (委托下放).
            let source =
                if self.rng.chance(0.3) { PowerSource::Entrusted } else { PowerSource::Devolved };
            own_devolved.push((entries.len(), *dept_idx));
            entries.push(self.template_item(*dept_idx, spec, DutyKind::Own, source));
        }
        for (dept_idx, spec) in &cooperate[..n_coop as usize] {
            let duty = DutyKind::Cooperate { lead: self.depts[*dept_idx].unit };
            entries.push(self.template_item(*dept_idx, spec, duty, PowerSource::Statutory));
        }
        let reclaimed_start = entries.len();
        for (dept_idx, spec) in &reclaim[..n_reclaim as usize] {
            let duty = DutyKind::Reclaimed { receiver: self.depts[*dept_idx].unit };
            entries.push(self.template_item(*dept_idx, spec, duty, PowerSource::Statutory));
        }

        let overrides = self.overrides(&entries, &own_devolved);
        let v1 = Some(Release::first(35, true));
        self.push_version(list, 1, v1, entries.clone(), overrides.clone());

        // The 2025 revision: four items change, three reclaimed items leave, five devolved
        // penalties join. Items a town removes stay, so the overrides remain meaningful.
        let removed_by_towns: BTreeSet<ItemId> = overrides
            .iter()
            .filter_map(|o| match o.change {
                OverrideChange::Remove { item } => Some(item),
                OverrideChange::Add { .. } => None,
            })
            .collect();
        let keep: BTreeSet<usize> = entries
            .iter()
            .enumerate()
            .filter(|(_, e)| removed_by_towns.contains(&e.item))
            .map(|(p, _)| p)
            .chain(reclaimed_start..entries.len())
            .collect();
        let changed = self.pick(reclaimed_start, 4, &keep);
        let not_reclaimed: BTreeSet<usize> = (0..reclaimed_start).collect();
        let removed = self.pick(entries.len(), 3, &not_reclaimed);
        let mut v2_entries = Vec::new();
        for (pos, entry) in entries.iter().enumerate() {
            if removed.contains(&pos) {
                continue;
            }
            if changed.contains(&pos) {
                let content = self.content_of(entry);
                let content = self.revise(content);
                v2_entries.push(self.push_revision(*entry, content));
            } else {
                v2_entries.push(*entry);
            }
        }
        for (dept_idx, spec) in &extra_devolved {
            v2_entries.push(self.template_item(
                *dept_idx,
                spec,
                DutyKind::Own,
                PowerSource::Devolved,
            ));
        }
        self.push_version(list, 2, Some(Release::revision(22)), v2_entries, overrides);
    }

    /// 差异声明: two extra items for 蓄滞洪区 towns, devolved powers for 经济发达镇, one item
    /// dropped by 白沙镇 and two by 城西街道.
    fn overrides(
        &mut self,
        entries: &[ListEntry],
        own_devolved: &[(usize, usize)],
    ) -> Vec<Override> {
        let tag = |t: &str| OverrideTarget::Tag {
            tag: Tag::parse(t).expect("tags in data.rs are valid"),
        };
        let mut overrides = Vec::new();
        let water = Self::dept_index("水利局");
        for (k, (category, name, law, article)) in FLOOD_ITEMS.iter().enumerate() {
            let spec =
                plain_spec(&owner_segment(water), 950 + k as u32, *category, name, law, *article);
            let entry = self.template_item(water, &spec, DutyKind::Own, PowerSource::Statutory);
            overrides.push(Override {
                target: tag(TAG_FLOOD),
                change: OverrideChange::Add { entry },
                reason: "蓄滞洪区所在镇承担蓄滞洪区运用和群众转移安置职责".to_owned(),
            });
        }
        for (k, (category, name, law, article, dept_name)) in DEVELOPED_ITEMS.iter().enumerate() {
            let dept_idx = Self::dept_index(dept_name);
            let owner = owner_segment(dept_idx);
            let spec = plain_spec(&owner, 960 + k as u32, *category, name, law, *article);
            let entry = self.template_item(dept_idx, &spec, DutyKind::Own, PowerSource::Devolved);
            overrides.push(Override {
                target: tag(TAG_DEVELOPED),
                change: OverrideChange::Add { entry },
                reason: "经济发达镇行政管理体制改革赋予的县级管理权限".to_owned(),
            });
        }
        let town_id = |units: &[Unit], name: &str| {
            units.iter().find(|u| u.name.starts_with(name)).map(|u| u.id).expect("town in data.rs")
        };
        let baisha = town_id(&self.out.units, TOWNS[1].0);
        let chengxi = town_id(&self.out.units, SUBDISTRICTS[1]);
        let farm = Self::dept_index("农业农村局");
        // 城西街道 has no farming: it drops devolved agricultural penalties where there are any.
        let mut candidates: Vec<usize> = own_devolved.iter().map(|(p, _)| *p).collect();
        candidates.sort_by_key(|p| {
            let farm_first = own_devolved.iter().any(|(q, d)| q == p && *d == farm);
            (!farm_first, *p)
        });
        let drops = [(chengxi, candidates[0]), (chengxi, candidates[1])];
        let baisha_pick = candidates[2 + self.rng.below(candidates.len() - 2)];
        let reasons = [
            "街道辖区内无农业生产经营活动，该事项不发生",
            "街道辖区内无农业生产经营活动，该事项不发生",
            "该镇辖区内无相关管理对象，经县委编办审核不列入",
        ];
        for ((town, pos), reason) in drops.into_iter().chain([(baisha, baisha_pick)]).zip(reasons) {
            overrides.push(Override {
                target: OverrideTarget::Town { unit: town },
                change: OverrideChange::Remove { item: entries[pos].item },
                reason: reason.to_owned(),
            });
        }
        overrides
    }
}

/// Counts of a list version's entries by duty kind: (基本履职, 配合履职, 上级部门收回).
pub fn duty_counts(entries: &[ListEntry]) -> (usize, usize, usize) {
    let mut counts = BTreeMap::new();
    for e in entries {
        *counts.entry(e.duty.code()).or_insert(0usize) += 1;
    }
    let get = |k: &str| counts.get(k).copied().unwrap_or(0);
    (get("own"), get("cooperate"), get("reclaimed"))
}
