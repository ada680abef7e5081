//! What the HTML pages show: the home page's register with each unit's holdings tallied by
//! duty kind, the reports on a day, and the printable page of a list in force. The web crate
//! only renders these.

use chrono::NaiveDate;
use quanze_core::{ListId, ListScope, RegionLevel, UnitId};

use super::DutyTally;
use crate::Service;
use crate::reports::{ConsistencyReport, DevolutionReport};

/// One unit on the home page.
#[derive(Debug, Clone)]
pub struct UnitTally {
    /// The unit.
    pub id: UnitId,
    /// Name.
    pub name: String,
    /// The printable page of the unit's list in force.
    pub print: Option<String>,
    /// The kind in Chinese.
    pub kind: &'static str,
    /// Tags joined with 、.
    pub tags: String,
    /// What it holds today, by duty kind.
    pub tally: DutyTally,
}

/// The home page: the county's units with the number of items each holds today.
#[derive(Debug, Clone)]
pub struct HomeView {
    /// Today in China.
    pub today: NaiveDate,
    /// The county's name, or a placeholder before its region is registered.
    pub county: String,
    /// County departments (and other units that are not township-level).
    pub departments: Vec<UnitTally>,
    /// Towns and subdistricts.
    pub towns: Vec<UnitTally>,
    /// Items held today by all units.
    pub total_items: usize,
}

/// One row of a printable list.
#[derive(Debug, Clone)]
pub struct PrintRow {
    /// 事项类型.
    pub category: String,
    /// 事项名称.
    pub name: String,
    /// 设定依据, one per line.
    pub basis: String,
    /// 实施主体.
    pub holder: String,
    /// 业务指导部门 (a town's 基本履职 entry; empty otherwise).
    pub guide: String,
    /// 责任事项, one per line.
    pub responsibilities: String,
    /// 追责情形, one per line.
    pub accountability: String,
    /// 履职类型 in Chinese.
    pub duty: &'static str,
}

/// The printable page of the version of a list in force on a day.
#[derive(Debug, Clone)]
pub struct PrintView {
    /// The list's name, or the town's list title.
    pub title: String,
    /// Version, document number, start of force and number of items.
    pub subtitle: String,
    /// The version shown.
    pub version_id: String,
    /// `?town=<id>` for a resolved template, else empty.
    pub export_query: String,
    /// Whether it is a township list (shows the duty kind).
    pub township: bool,
    /// Whether it is resolved for one town (shows the 业务指导部门).
    pub for_town: bool,
    /// The rows.
    pub rows: Vec<PrintRow>,
}

/// Why a printable page cannot be shown: a sentence for the reader.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageMissing(pub String);

impl Service {
    /// The home page.
    pub fn home_view(&self) -> HomeView {
        let catalog = self.catalog();
        let today = self.today();
        let county = catalog
            .regions
            .iter()
            .find(|r| r.level() == RegionLevel::County)
            .map(|r| r.name.clone())
            .unwrap_or_else(|| "（尚未建立区划）".to_owned());
        let mut departments = Vec::new();
        let mut towns = Vec::new();
        let mut total_items = 0;
        for u in catalog.units.iter() {
            let print = catalog.lists_for_unit(u).first().map(|l| match l.scope {
                ListScope::TownshipTemplate { .. } => {
                    format!("/lists/{}/print?town={}", l.id, u.id)
                }
                ListScope::Unit { .. } => format!("/lists/{}/print", l.id),
            });
            let tally = DutyTally::of(catalog.holdings.holdings(u.id, today).map(|e| e.duty));
            total_items += tally.items;
            let row = UnitTally {
                id: u.id,
                name: u.name.clone(),
                print,
                kind: u.kind.zh(),
                tags: u.tags.iter().map(|t| t.as_str()).collect::<Vec<_>>().join("、"),
                tally,
            };
            if u.kind.is_township_level() { towns.push(row) } else { departments.push(row) }
        }
        HomeView { today, county, departments, towns, total_items }
    }

    /// The consistency report on `date` (default today).
    pub fn consistency_page(&self, date: Option<NaiveDate>) -> ConsistencyReport {
        self.consistency_report(date.unwrap_or_else(|| self.today()))
    }

    /// The devolution report on `date` (default today).
    pub fn devolution_page(&self, date: Option<NaiveDate>) -> DevolutionReport {
        self.devolution_report(date.unwrap_or_else(|| self.today()))
    }

    /// The printable page of the version of a list in force on `date` (default today), a
    /// township template resolved for `town` when one is named.
    pub fn print_view(
        &self,
        id: ListId,
        date: Option<NaiveDate>,
        town: Option<UnitId>,
    ) -> Result<PrintView, PageMissing> {
        let catalog = self.catalog();
        let date = date.unwrap_or_else(|| self.today());
        let missing = |what: &str| PageMissing(what.to_owned());
        let Some(list) = catalog.list(id) else { return Err(missing("没有这个清单")) };
        let Some(version) = catalog.version_on(id, date) else {
            return Err(missing(&format!("“{}”在{date}没有已公布的版本", list.name)));
        };
        // A town only for a township template, and only one of the template's county.
        let town = match (town, &list.scope) {
            (None, _) => None,
            (Some(t), ListScope::TownshipTemplate { county }) => {
                match catalog
                    .unit(t)
                    .filter(|u| u.kind.is_township_level() && u.region.is_within(county))
                {
                    Some(u) => Some(u),
                    None => return Err(missing("该乡镇不在这份通用目录的适用范围内")),
                }
            }
            (Some(_), ListScope::Unit { .. }) => return Err(missing("部门清单不按乡镇查看")),
        };
        let township = matches!(list.scope, ListScope::TownshipTemplate { .. });
        let name = |u: UnitId| catalog.unit(u).map_or_else(|| u.to_string(), |u| u.name.clone());
        let entries = catalog.entries_for(version, town);
        let rows = entries
            .iter()
            .map(|(e, c)| {
                let join = |v: Vec<String>| v.join("\n");
                PrintRow {
                    category: c.category.to_string(),
                    name: c.display_name(),
                    basis: join(c.legal_basis.iter().map(ToString::to_string).collect()),
                    // As the town holds it (`Catalog::content_ref`).
                    holder: name(c.holder()),
                    guide: c.guide().map(name).unwrap_or_default(),
                    responsibilities: join(
                        c.responsibilities
                            .iter()
                            .map(|r| format!("{}：{}", r.stage, r.content))
                            .collect(),
                    ),
                    accountability: join(
                        c.accountability.iter().map(|a| a.situation.clone()).collect(),
                    ),
                    duty: e.duty.zh(),
                }
            })
            .collect();
        let title = match town {
            Some(t) => format!("{}权责清单", t.name),
            None => list.name.clone(),
        };
        let subtitle = format!(
            "第{}版 · {} · 自{}起施行 · 共{}项",
            version.number,
            version.doc_no.as_ref().map_or_else(|| "（无文号）".to_owned(), ToString::to_string),
            version.effective_from.map_or_else(String::new, |d| d.to_string()),
            entries.len(),
        );
        let export_query = town.map_or_else(String::new, |t| format!("?town={}", t.id));
        Ok(PrintView {
            title,
            subtitle,
            version_id: version.id.to_string(),
            export_query,
            township,
            for_town: town.is_some(),
            rows,
        })
    }
}
