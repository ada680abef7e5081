//! Reports of list governance (issue 4 §9), on any date, from the in-memory catalogue:
//!
//! - the **consistency report** (一致性检查): items in force without legal basis,
//!   responsibilities or accountability (权责一致); grants in force in towns that are not ready
//!   to take them; powers that nobody holds in its own right (every unit listing it only
//!   cooperates or has handed it back); powers a town holds twice (in two of its lists, or in
//!   its list and through an active grant);
//! - the **devolution report** (赋权承接情况): per town, the grants that reach it, how many are
//!   active, pending readiness, taken by override and reclaimed.
//!
//! Each is a serialisable value (the JSON answer), a page, and an xlsx workbook of the same
//! rows ([`ConsistencyReport::sheets`], [`DevolutionReport::sheets`]).

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use quanze_core::authority::Source;
use quanze_core::devolution::ReadinessIndex;
use quanze_core::{DutyKind, GrantId, ItemId, ReadinessState, UnitId};
use quanze_exchange::{ReportCell, ReportSheet};

use crate::Service;
use crate::catalog::Catalog;

/// One item in force with 权责一致 findings.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct IncompleteItem {
    /// The holder.
    #[schema(value_type = String)]
    pub unit: UnitId,
    /// The holder's name.
    pub unit_name: String,
    /// The item.
    #[schema(value_type = String)]
    pub item: ItemId,
    /// Its name.
    pub item_name: String,
    /// Finding codes: `no_legal_basis`, `no_responsibility`, `no_accountability`.
    pub problems: Vec<String>,
    /// The findings in Chinese.
    pub problems_zh: Vec<String>,
}

/// A grant in force in a town that is not ready for it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct UnreadyGrant {
    /// The grant.
    #[schema(value_type = String)]
    pub grant: GrantId,
    /// Its batch.
    pub batch: String,
    /// The item's name.
    pub item_name: String,
    /// The granting department's name.
    pub department: String,
    /// The town.
    #[schema(value_type = String)]
    pub town: UnitId,
    /// The town's name.
    pub town_name: String,
    /// What is missing, in Chinese.
    pub missing_zh: Vec<&'static str>,
}

/// A power nobody holds in its own right.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct UnheldPower {
    /// The item.
    #[schema(value_type = String)]
    pub item: ItemId,
    /// Its name.
    pub item_name: String,
    /// The units that list it, each with how (配合履职, 上级部门收回).
    pub listed_by: Vec<String>,
}

/// A power a town holds twice.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct DoubleHolding {
    /// The town.
    #[schema(value_type = String)]
    pub town: UnitId,
    /// Its name.
    pub town_name: String,
    /// The item.
    #[schema(value_type = String)]
    pub item: ItemId,
    /// Its name.
    pub item_name: String,
    /// Through what: list names and grant batches.
    pub through: Vec<String>,
}

/// 一致性检查报告.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ConsistencyReport {
    /// The day checked.
    pub date: NaiveDate,
    /// Items without basis, responsibility or accountability.
    pub incomplete_items: Vec<IncompleteItem>,
    /// Grants in force in towns that are not ready.
    pub unready_grants: Vec<UnreadyGrant>,
    /// Powers held by nobody in its own right.
    pub unheld_powers: Vec<UnheldPower>,
    /// Powers held twice in one town.
    pub held_twice: Vec<DoubleHolding>,
    /// Grants of penalty powers whose provincial decision is due for its periodic evaluation
    /// or recorded by its number alone (行政处罚法 第24条).
    pub overdue_evaluations: Vec<OverdueEvaluation>,
}

/// A grant in force whose provincial decision's periodic evaluation is overdue, or whose
/// decision was recorded before issue 14 without issuer, publication or evaluation date.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct OverdueEvaluation {
    /// The grant.
    #[schema(value_type = String)]
    pub grant: GrantId,
    /// Its batch.
    pub batch: String,
    /// The item's name.
    pub item_name: String,
    /// The granting department's name.
    pub department: String,
    /// The decision's number.
    pub decision: String,
    /// The date of the evaluation that is due (`None`: not recorded).
    pub next_evaluation: Option<NaiveDate>,
    /// The finding in Chinese.
    pub problem_zh: String,
}

/// One town's line of the devolution report.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct TownDevolution {
    /// The town.
    #[schema(value_type = String)]
    pub town: UnitId,
    /// Its name.
    pub name: String,
    /// Its tags.
    pub tags: Vec<String>,
    /// Grants that reach it.
    pub granted: usize,
    /// Active on the day.
    pub active: usize,
    /// Waiting for readiness.
    pub pending: usize,
    /// Taken by override of an incomplete checklist.
    pub overridden: usize,
    /// Taken back.
    pub reclaimed: usize,
}

/// One grant in one town, for the detail sheet.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct GrantInTown {
    /// The town's name.
    pub town_name: String,
    /// The batch.
    pub batch: String,
    /// The item's name.
    pub item_name: String,
    /// The department's name.
    pub department: String,
    /// The mode in Chinese.
    pub mode_zh: &'static str,
    /// The state in Chinese.
    pub state_zh: &'static str,
    /// Whether active on the day.
    pub active: bool,
}

/// 赋权承接情况报告.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct DevolutionReport {
    /// The day.
    pub date: NaiveDate,
    /// Per town.
    pub towns: Vec<TownDevolution>,
    /// Every grant in every town.
    pub details: Vec<GrantInTown>,
}

impl Service {
    /// The consistency report on `date`.
    pub fn consistency_report(&self, date: NaiveDate) -> ConsistencyReport {
        consistency(&self.catalog(), date)
    }

    /// The devolution report on `date`.
    pub fn devolution_report(&self, date: NaiveDate) -> DevolutionReport {
        devolution(&self.catalog(), date)
    }
}

fn unit_name(catalog: &Catalog, id: UnitId) -> String {
    catalog.unit(id).map_or_else(|| id.to_string(), |u| u.name.clone())
}

/// The name of an item as its newest published version has it (the reports are public).
fn item_name(catalog: &Catalog, id: ItemId) -> String {
    catalog
        .public_item_version(id)
        .and_then(|v| catalog.item(id, v))
        .map_or_else(|| id.to_string(), |i| i.content.display_name())
}

const COMPLETENESS: [&str; 3] = ["no_legal_basis", "no_responsibility", "no_accountability"];

fn consistency(catalog: &Catalog, date: NaiveDate) -> ConsistencyReport {
    let mut incomplete_items = Vec::new();
    // item → (unit, duty) of every unit listing it on the day.
    let mut listed: BTreeMap<ItemId, Vec<(UnitId, DutyKind)>> = BTreeMap::new();
    // town → the ways it holds powers in its own right.
    let mut own_in: BTreeMap<UnitId, Vec<Holding>> = BTreeMap::new();
    for (unit, list, from, until, entries) in catalog.holdings.periods() {
        if from > date || until.is_some_and(|u| date >= u) {
            continue;
        }
        let list_name = catalog.list(list).map_or_else(|| list.to_string(), |l| l.name.clone());
        let township = catalog.unit(unit).is_some_and(|u| u.kind.is_township_level());
        for e in entries {
            listed.entry(e.item).or_default().push((unit, e.duty));
            if e.duty != DutyKind::Own {
                continue;
            }
            let Some(content) = catalog.content(e) else { continue };
            if township {
                own_in.entry(unit).or_default().push(Holding {
                    item: e.item,
                    code: content.base_code.as_ref().map(ToString::to_string),
                    name: content.display_name(),
                    through: list_name.clone(),
                    grant: content.grant.clone(),
                });
            }
            let issues: Vec<_> = content
                .issues()
                .into_iter()
                .filter(|i| COMPLETENESS.contains(&i.code.as_str()))
                .collect();
            if !issues.is_empty() {
                incomplete_items.push(IncompleteItem {
                    unit,
                    unit_name: unit_name(catalog, unit),
                    item: e.item,
                    item_name: content.display_name(),
                    problems: issues.iter().map(|i| i.code.clone()).collect(),
                    problems_zh: issues.into_iter().map(|i| i.message_zh).collect(),
                });
            }
        }
    }
    incomplete_items
        .sort_by(|a, b| (&a.unit_name, &a.item_name).cmp(&(&b.unit_name, &b.item_name)));

    let unheld_powers = unheld(catalog, date, &listed);

    let mut unready_grants = Vec::new();
    let ready = ReadinessIndex::new(&catalog.readiness, &catalog.reclaims);
    let mut overdue_evaluations = Vec::new();
    for g in catalog.grants.iter() {
        let in_force = g.in_force_on(date);
        if !in_force {
            continue;
        }
        let (decision, next, problem_zh) = match (&g.provincial_decision, &g.legacy_decision) {
            (Some(d), _) if d.next_evaluation <= date => (
                d.doc_no.to_string(),
                Some(d.next_evaluation),
                format!(
                    "省级决定应于{}组织定期评估，已逾期（行政处罚法第二十四条）",
                    d.next_evaluation
                ),
            ),
            (None, Some(doc)) => (
                doc.to_string(),
                None,
                "省级决定未登记决定机关、公布日期和下次评估日期（行政处罚法第二十四条）".to_owned(),
            ),
            _ => continue,
        };
        overdue_evaluations.push(OverdueEvaluation {
            grant: g.id,
            batch: g.batch.clone(),
            item_name: item_name(catalog, g.item),
            department: unit_name(catalog, g.from),
            decision,
            next_evaluation: next,
            problem_zh,
        });
    }
    for g in catalog.grants.iter() {
        let in_force = g.in_force_on(date);
        for town in g.towns(&catalog.units) {
            if in_force && let ReadinessState::Pending { missing } = ready.state(g.id, town, date) {
                unready_grants.push(UnreadyGrant {
                    grant: g.id,
                    batch: g.batch.clone(),
                    item_name: item_name(catalog, g.item),
                    department: unit_name(catalog, g.from),
                    town,
                    town_name: unit_name(catalog, town),
                    missing_zh: missing.iter().map(|m| m.zh()).collect(),
                });
            }
            let active = catalog
                .authority
                .holds(town, g.item, date)
                .is_some_and(|a| matches!(a.source, Source::Grant { grant, .. } if grant == g.id));
            if active {
                let content = catalog.granted_content(g);
                own_in.entry(town).or_default().push(Holding {
                    item: g.item,
                    code: content.and_then(|c| c.base_code.as_ref()).map(ToString::to_string),
                    name: content.map(|c| c.display_name()).unwrap_or_default(),
                    through: format!("赋权（{}）", g.batch),
                    grant: Some(quanze_core::devolution::GrantLink::to(g)),
                });
            }
        }
    }
    let held_twice = double_holdings(catalog, own_in);
    ConsistencyReport {
        date,
        incomplete_items,
        unready_grants,
        unheld_powers,
        held_twice,
        overdue_evaluations,
    }
}

/// One way a town holds a power in its own right: a list entry or an active grant.
struct Holding {
    item: ItemId,
    code: Option<String>,
    name: String,
    through: String,
    /// For a list entry, the grant its content links to; for a grant, the grant itself.
    grant: Option<quanze_core::devolution::GrantLink>,
}

/// Powers a town holds more than once: holdings of the same item, or of items with the same
/// 基本编码 or the same name (a town's list item and a department's granted item are separate
/// items). A list entry linked to the grant it comes from is that grant's product, not a
/// second holding.
fn double_holdings(
    catalog: &Catalog,
    own_in: BTreeMap<UnitId, Vec<Holding>>,
) -> Vec<DoubleHolding> {
    let mut out = Vec::new();
    for (town, holdings) in own_in {
        // Union-find over the town's holdings, joined by item, code and name.
        let mut parent: Vec<usize> = (0..holdings.len()).collect();
        fn root(parent: &mut [usize], mut i: usize) -> usize {
            while parent[i] != i {
                parent[i] = parent[parent[i]];
                i = parent[i];
            }
            i
        }
        let mut first: BTreeMap<String, usize> = BTreeMap::new();
        for (i, h) in holdings.iter().enumerate() {
            let keys =
                [Some(format!("id:{}", h.item)), h.code.as_ref().map(|c| format!("code:{c}"))]
                    .into_iter()
                    .flatten()
                    .chain((!h.name.is_empty()).then(|| format!("name:{}", h.name)));
            for key in keys {
                let j = *first.entry(key).or_insert(i);
                let (a, b) = (root(&mut parent, i), root(&mut parent, j));
                parent[a] = b;
            }
        }
        let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for i in 0..holdings.len() {
            let r = root(&mut parent, i);
            groups.entry(r).or_default().push(i);
        }
        for members in groups.into_values() {
            // Drop a list entry whose linked grant is also in the group: one source.
            let grants: Vec<_> = members
                .iter()
                .filter(|&&i| holdings[i].through.starts_with("赋权"))
                .filter_map(|&i| holdings[i].grant.clone())
                .collect();
            let through: Vec<&Holding> = members
                .iter()
                .map(|&i| &holdings[i])
                .filter(|h| {
                    h.through.starts_with("赋权")
                        || h.grant.as_ref().is_none_or(|l| {
                            !grants.iter().any(|g| GrantKey::of(g) == GrantKey::of(l))
                        })
                })
                .collect();
            if through.len() > 1 {
                let first = through[0];
                out.push(DoubleHolding {
                    town,
                    town_name: unit_name(catalog, town),
                    item: first.item,
                    item_name: item_name(catalog, first.item),
                    through: through.iter().map(|h| h.through.clone()).collect(),
                });
            }
        }
    }
    out
}

/// A grant named by department, item, mode and batch (a link's document is optional).
#[derive(PartialEq)]
struct GrantKey<'a>(UnitId, ItemId, quanze_core::GrantMode, &'a str);

impl<'a> GrantKey<'a> {
    fn of(l: &'a quanze_core::devolution::GrantLink) -> GrantKey<'a> {
        GrantKey(l.department, l.item, l.mode, &l.batch)
    }
}

/// Items that no unit holds in its own right on `date`: every unit listing it only cooperates
/// (配合履职) or has handed it back (上级部门收回), and none of the units it defers to — the
/// lead or receiving department — lists the same power (by 基本编码 when both items have one,
/// else by name) in its own right. A town's cooperation item and the department's power are
/// separate items in published lists, so the match is by code or name, not by id.
fn unheld(
    catalog: &Catalog,
    date: NaiveDate,
    listed: &BTreeMap<ItemId, Vec<(UnitId, DutyKind)>>,
) -> Vec<UnheldPower> {
    let mut own_names: BTreeMap<UnitId, BTreeSet<String>> = BTreeMap::new();
    let mut own_codes: BTreeMap<UnitId, BTreeSet<String>> = BTreeMap::new();
    let mut held_by = |unit: UnitId, content: &quanze_core::ItemContent| {
        let names = own_names.entry(unit).or_insert_with(|| {
            own_entries(catalog, unit, date).map(|c| c.display_name()).collect()
        });
        if names.contains(&content.display_name()) {
            return true;
        }
        let codes = own_codes.entry(unit).or_insert_with(|| {
            own_entries(catalog, unit, date)
                .filter_map(|c| c.base_code.as_ref().map(ToString::to_string))
                .collect()
        });
        content.base_code.as_ref().is_some_and(|b| codes.contains(&b.to_string()))
    };
    let mut out = Vec::new();
    for (item, holders) in listed {
        if holders.iter().any(|(_, d)| *d == DutyKind::Own) {
            continue;
        }
        let Some(content) = catalog
            .public_item_version(*item)
            .and_then(|v| catalog.item(*item, v))
            .map(|i| i.content.clone())
        else {
            continue;
        };
        let deferred_to: BTreeSet<UnitId> = holders
            .iter()
            .filter_map(|(_, d)| match d {
                DutyKind::Cooperate { lead } => Some(*lead),
                DutyKind::Reclaimed { receiver } => Some(*receiver),
                DutyKind::Own => None,
            })
            .collect();
        if deferred_to.iter().any(|u| held_by(*u, &content)) {
            continue;
        }
        out.push(UnheldPower {
            item: *item,
            item_name: content.display_name(),
            listed_by: holders
                .iter()
                .map(|(u, d)| format!("{}（{}）", unit_name(catalog, *u), d.zh()))
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect(),
        });
    }
    out
}

/// The contents `unit` holds in its own right on `date`.
fn own_entries(
    catalog: &Catalog,
    unit: UnitId,
    date: NaiveDate,
) -> impl Iterator<Item = &quanze_core::ItemContent> {
    catalog
        .holdings
        .holdings(unit, date)
        .filter(|e| e.duty == DutyKind::Own)
        .filter_map(|e| catalog.content(e))
}

fn devolution(catalog: &Catalog, date: NaiveDate) -> DevolutionReport {
    let ready = ReadinessIndex::new(&catalog.readiness, &catalog.reclaims);
    let mut towns: BTreeMap<UnitId, TownDevolution> = catalog
        .units
        .iter()
        .filter(|u| u.kind.is_township_level())
        .map(|u| (u.id, TownDevolution::new(catalog, u.id)))
        .collect();
    let mut details = Vec::new();
    for g in catalog.grants.iter() {
        for town in g.towns(&catalog.units) {
            let state = ready.state(g.id, town, date);
            let active = catalog
                .authority
                .holds(town, g.item, date)
                .is_some_and(|a| matches!(a.source, Source::Grant { grant, .. } if grant == g.id));
            let row = towns.entry(town).or_insert_with(|| TownDevolution::new(catalog, town));
            row.granted += 1;
            row.active += usize::from(active);
            match state {
                ReadinessState::Pending { .. } => row.pending += 1,
                ReadinessState::Overridden { .. } => row.overridden += 1,
                ReadinessState::Reclaimed => row.reclaimed += 1,
                ReadinessState::Ready => {}
            }
            details.push(GrantInTown {
                town_name: unit_name(catalog, town),
                batch: g.batch.clone(),
                item_name: item_name(catalog, g.item),
                department: unit_name(catalog, g.from),
                mode_zh: g.mode.zh(),
                state_zh: state.zh(),
                active,
            });
        }
    }
    details.sort_by(|a, b| (&a.town_name, &a.batch).cmp(&(&b.town_name, &b.batch)));
    let mut towns: Vec<_> = towns.into_values().collect();
    towns.sort_by(|a, b| a.name.cmp(&b.name));
    DevolutionReport { date, towns, details }
}

impl TownDevolution {
    fn new(catalog: &Catalog, town: UnitId) -> TownDevolution {
        let unit = catalog.unit(town);
        TownDevolution {
            town,
            name: unit.map_or_else(|| town.to_string(), |u| u.name.clone()),
            tags: unit
                .map(|u| u.tags.iter().map(|t| t.as_str().to_owned()).collect())
                .unwrap_or_default(),
            granted: 0,
            active: 0,
            pending: 0,
            overridden: 0,
            reclaimed: 0,
        }
    }
}

fn text(s: impl Into<String>) -> ReportCell {
    ReportCell::Text(s.into())
}

impl ConsistencyReport {
    /// The report as xlsx sheets: one per kind of finding.
    pub fn sheets(&self) -> Vec<ReportSheet> {
        let title = |what: &str| format!("{what}（{}）", self.date);
        vec![
            ReportSheet {
                name: "权责不一致事项".into(),
                title: title("缺少设定依据、责任事项或追责情形的事项"),
                header: vec!["实施主体".into(), "事项名称".into(), "问题".into()],
                rows: self
                    .incomplete_items
                    .iter()
                    .map(|i| {
                        vec![
                            text(&*i.unit_name),
                            text(&*i.item_name),
                            text(i.problems_zh.join("；")),
                        ]
                    })
                    .collect(),
            },
            ReportSheet {
                name: "未具备承接条件".into(),
                title: title("已生效但乡镇未具备承接条件的赋权"),
                header: vec![
                    "乡镇".into(),
                    "批次".into(),
                    "事项名称".into(),
                    "下放部门".into(),
                    "缺少条件".into(),
                ],
                rows: self
                    .unready_grants
                    .iter()
                    .map(|g| {
                        vec![
                            text(&*g.town_name),
                            text(&*g.batch),
                            text(&*g.item_name),
                            text(&*g.department),
                            text(g.missing_zh.join("、")),
                        ]
                    })
                    .collect(),
            },
            ReportSheet {
                name: "无人行使的职权".into(),
                title: title("无单位自行实施的职权"),
                header: vec!["事项名称".into(), "列入清单的单位".into()],
                rows: self
                    .unheld_powers
                    .iter()
                    .map(|p| vec![text(&*p.item_name), text(p.listed_by.join("；"))])
                    .collect(),
            },
            ReportSheet {
                name: "重复持有".into(),
                title: title("同一乡镇重复持有的职权"),
                header: vec!["乡镇".into(), "事项名称".into(), "来源".into()],
                rows: self
                    .held_twice
                    .iter()
                    .map(|h| {
                        vec![text(&*h.town_name), text(&*h.item_name), text(h.through.join("；"))]
                    })
                    .collect(),
            },
            ReportSheet {
                name: "省级决定待评估".into(),
                title: title("省级决定逾期未评估或登记不全的赋权"),
                header: vec![
                    "批次".into(),
                    "事项名称".into(),
                    "下放部门".into(),
                    "省级决定".into(),
                    "问题".into(),
                ],
                rows: self
                    .overdue_evaluations
                    .iter()
                    .map(|o| {
                        vec![
                            text(&*o.batch),
                            text(&*o.item_name),
                            text(&*o.department),
                            text(&*o.decision),
                            text(&*o.problem_zh),
                        ]
                    })
                    .collect(),
            },
        ]
    }
}

impl DevolutionReport {
    /// The report as xlsx sheets: per town, and every grant in every town.
    pub fn sheets(&self) -> Vec<ReportSheet> {
        vec![
            ReportSheet {
                name: "按乡镇汇总".into(),
                title: format!("赋权事项承接情况（{}）", self.date),
                header: [
                    "乡镇",
                    "标签",
                    "已赋权",
                    "已生效",
                    "待完善承接条件",
                    "特批承接",
                    "已收回",
                ]
                .map(String::from)
                .to_vec(),
                rows: self
                    .towns
                    .iter()
                    .map(|t| {
                        vec![
                            text(&*t.name),
                            text(t.tags.join("、")),
                            t.granted.into(),
                            t.active.into(),
                            t.pending.into(),
                            t.overridden.into(),
                            t.reclaimed.into(),
                        ]
                    })
                    .collect(),
            },
            ReportSheet {
                name: "赋权明细".into(),
                title: format!("赋权事项明细（{}）", self.date),
                header: ["乡镇", "批次", "事项名称", "下放部门", "方式", "承接状态", "是否生效"]
                    .map(String::from)
                    .to_vec(),
                rows: self
                    .details
                    .iter()
                    .map(|d| {
                        vec![
                            text(&*d.town_name),
                            text(&*d.batch),
                            text(&*d.item_name),
                            text(&*d.department),
                            text(d.mode_zh),
                            text(d.state_zh),
                            text(if d.active { "已生效" } else { "未生效" }),
                        ]
                    })
                    .collect(),
            },
        ]
    }
}

/// Writes report sheets as an xlsx workbook.
pub fn xlsx(sheets: &[ReportSheet]) -> crate::error::ServiceResult<Vec<u8>> {
    quanze_exchange::report_xlsx(sheets)
        .map_err(|e| crate::error::ServiceError::Internal(format!("writing a report: {e}")))
}
