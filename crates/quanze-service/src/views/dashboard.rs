//! 数据看板 — the figures a leader looks at, as plain data: each chart is rows of labelled
//! numbers in one or more series, with its table and its xlsx sheet made from the same rows,
//! so what is drawn, what is listed and what is downloaded cannot differ. The web crate
//! draws them (SVG on the server; no chart runtime in the browser).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use quanze_core::PowerCategory;
use quanze_core::case::rating::RatingLevel;
use quanze_core::case::{Alert, CaseState};
use quanze_exchange::{ReportCell, ReportSheet};

use crate::views::DutyTally;
use crate::{Service, ServiceResult};

/// One row of a chart: a label and one number per series.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChartRow {
    /// What the row counts (a town, a category, a state).
    pub label: String,
    /// One number per series.
    pub values: Vec<u64>,
}

/// 图表 — a chart as data.
#[derive(Debug, Clone)]
pub struct Chart {
    /// A stable id (for anchors and the sheet's name).
    pub id: &'static str,
    /// The title.
    pub title: String,
    /// The rows' heading in the table (乡镇, 事项类型, 状态).
    pub label_heading: &'static str,
    /// The series' names (the legend and the table's columns).
    pub series: Vec<&'static str>,
    /// The unit of the numbers (项, 件).
    pub unit: &'static str,
    /// The rows.
    pub rows: Vec<ChartRow>,
}

impl Chart {
    /// The largest number in the chart (at least 1, for scaling).
    pub fn max(&self) -> u64 {
        self.rows.iter().flat_map(|r| r.values.iter().copied()).max().unwrap_or(0).max(1)
    }

    /// Each series' total.
    pub fn totals(&self) -> Vec<u64> {
        (0..self.series.len())
            .map(|i| self.rows.iter().map(|r| r.values.get(i).copied().unwrap_or(0)).sum())
            .collect()
    }

    fn sheet(&self, on: NaiveDate) -> ReportSheet {
        let mut header = vec![self.label_heading.to_owned()];
        header.extend(self.series.iter().map(|s| format!("{s}（{}）", self.unit)));
        ReportSheet {
            name: self.title.chars().take(31).collect(),
            title: format!("{}（{on}）", self.title),
            header,
            rows: self
                .rows
                .iter()
                .map(|r| {
                    let mut row = vec![ReportCell::Text(r.label.clone())];
                    row.extend(r.values.iter().map(|v| ReportCell::Number(*v as f64)));
                    row
                })
                .collect(),
        }
    }
}

/// 数据看板 — every chart, on a day.
#[derive(Debug, Clone)]
pub struct Dashboard {
    /// The day.
    pub on: NaiveDate,
    /// The charts.
    pub charts: Vec<Chart>,
}

impl Dashboard {
    /// The charts as xlsx sheets, one each.
    pub fn sheets(&self) -> Vec<ReportSheet> {
        self.charts.iter().map(|c| c.sheet(self.on)).collect()
    }
}

impl Service {
    /// 数据看板 — items per town by duty kind, items by category (departments and towns),
    /// devolved powers per town by state, cases by state, open cases by alert level, and the
    /// ratings by level.
    pub async fn dashboard(&self) -> ServiceResult<Dashboard> {
        let on = self.today();
        let catalog = self.catalog();
        let mut towns = Vec::new();
        let mut by_category: BTreeMap<usize, [u64; 2]> = BTreeMap::new();
        for u in catalog.units.iter() {
            let held: Vec<_> = catalog.holdings.holdings(u.id, on).collect();
            let town = u.kind.is_township_level();
            for e in &held {
                if let Some(c) = catalog.content(e) {
                    let at = PowerCategory::ALL.iter().position(|x| *x == c.category).unwrap_or(0);
                    by_category.entry(at).or_default()[usize::from(town)] += 1;
                }
            }
            if town {
                let t = DutyTally::of(held.iter().map(|e| e.duty));
                towns.push(ChartRow {
                    label: u.name.clone(),
                    values: vec![t.own as u64, t.cooperate as u64, t.reclaimed as u64],
                });
            }
        }
        let devolution = self.devolution_report(on);
        let tallies = self.store.case_tallies().await?;
        let state_count = |s: CaseState| {
            tallies.by_state.iter().find(|(k, _)| k == s.as_str()).map_or(0, |(_, n)| *n)
        };
        let alert_count = |a: Alert| {
            tallies.open_by_alert.iter().find(|(k, _)| k == a.as_str()).map_or(0, |(_, n)| *n)
        };
        let rating_count = |l: RatingLevel| {
            let score = i64::from(l.score());
            tallies.ratings_by_score.iter().find(|(k, _)| *k == score).map_or(0, |(_, n)| *n)
        };
        let charts = vec![
            Chart {
                id: "town-items",
                title: "各乡镇（街道）在用事项".to_owned(),
                label_heading: "乡镇（街道）",
                series: vec!["基本履职", "配合履职", "上级部门收回"],
                unit: "项",
                rows: towns,
            },
            Chart {
                id: "categories",
                title: "事项类型分布".to_owned(),
                label_heading: "事项类型",
                series: vec!["县直部门", "乡镇（街道）"],
                unit: "项",
                rows: by_category
                    .into_iter()
                    .map(|(at, [depts, towns])| ChartRow {
                        label: PowerCategory::ALL[at].zh().to_owned(),
                        values: vec![depts, towns],
                    })
                    .collect(),
            },
            Chart {
                id: "devolution",
                title: "赋权事项承接情况".to_owned(),
                label_heading: "乡镇（街道）",
                series: vec!["已承接", "待承接", "已收回"],
                unit: "项",
                rows: devolution
                    .towns
                    .iter()
                    .map(|t| ChartRow {
                        label: t.name.clone(),
                        values: vec![t.active as u64, t.pending as u64, t.reclaimed as u64],
                    })
                    .collect(),
            },
            Chart {
                id: "case-states",
                title: "办件状态".to_owned(),
                label_heading: "状态",
                series: vec!["办件"],
                unit: "件",
                rows: CaseState::ALL
                    .iter()
                    .map(|s| ChartRow { label: s.zh().to_owned(), values: vec![state_count(*s)] })
                    .filter(|r| r.values[0] > 0)
                    .collect(),
            },
            Chart {
                id: "case-alerts",
                title: "在办件期限预警".to_owned(),
                label_heading: "预警",
                series: vec!["在办件"],
                unit: "件",
                rows: [Alert::Red, Alert::Yellow, Alert::Green]
                    .iter()
                    .map(|a| ChartRow { label: a.zh().to_owned(), values: vec![alert_count(*a)] })
                    .collect(),
            },
            Chart {
                id: "ratings",
                title: "办件评价".to_owned(),
                label_heading: "满意程度",
                series: vec!["评价"],
                unit: "次",
                rows: RatingLevel::ALL
                    .iter()
                    .rev()
                    .map(|l| ChartRow { label: l.zh().to_owned(), values: vec![rating_count(*l)] })
                    .collect(),
            },
        ];
        Ok(Dashboard { on, charts })
    }
}
