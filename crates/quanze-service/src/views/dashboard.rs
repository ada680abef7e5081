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
    /// A figure drawn from the rows, said beside the chart (按期办结率 96.4%).
    pub note: Option<ChartNote>,
}

/// 图表说明 — a sentence with its figures kept apart (`{}` where each goes), so that a page
/// in another language can translate the sentence and put the same figures in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChartNote {
    /// The sentence, with `{}` for each figure in order.
    pub text: &'static str,
    /// The figures.
    pub values: Vec<String>,
}

impl ChartNote {
    /// The sentence with its figures, `text` being the sentence (or its translation).
    pub fn fill(&self, text: &str) -> String {
        let mut out = String::new();
        let mut values = self.values.iter();
        let mut parts = text.split("{}");
        if let Some(first) = parts.next() {
            out.push_str(first);
        }
        for part in parts {
            out.push_str(values.next().map_or("", String::as_str));
            out.push_str(part);
        }
        out
    }
}

impl std::fmt::Display for ChartNote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.fill(self.text))
    }
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
            title: match &self.note {
                Some(note) => format!("{}（{on}）：{note}", self.title),
                None => format!("{}（{on}）", self.title),
            },
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
    /// devolved powers per town by state, cases by state, open cases by alert level, the
    /// ratings by level, the cases decided on time per unit and the trips per ended case.
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
                note: None,
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
                note: None,
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
                note: None,
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
                note: None,
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
                note: None,
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
                note: None,
            },
            decided_chart(&tallies.decided_by_unit, |u| catalog.unit(u).map(|u| u.name.clone())),
            trips_chart(&tallies.ended_by_trips),
        ];
        Ok(Dashboard { on, charts })
    }
}

/// A share as a percentage with one decimal (`None` of nothing).
fn percent(part: u64, whole: u64) -> Option<String> {
    (whole > 0).then(|| format!("{:.1}%", part as f64 * 100.0 / whole as f64))
}

/// 按期办结 — cases decided (办结: closed or refused) per unit whose name the decision bears,
/// on time and late, the busiest unit first; its note the county's on-time rate.
fn decided_chart(
    decided: &[(quanze_core::UnitId, u64, u64)],
    name: impl Fn(quanze_core::UnitId) -> Option<String>,
) -> Chart {
    let mut rows: Vec<ChartRow> = decided
        .iter()
        .map(|(unit, on_time, late)| ChartRow {
            label: name(*unit).unwrap_or_else(|| unit.to_string()),
            values: vec![*on_time, *late],
        })
        .collect();
    rows.sort_by(|a, b| {
        let all = |r: &ChartRow| r.values.iter().sum::<u64>();
        all(b).cmp(&all(a)).then_with(|| a.label.cmp(&b.label))
    });
    let on_time: u64 = decided.iter().map(|d| d.1).sum();
    let all: u64 = decided.iter().map(|d| d.1 + d.2).sum();
    Chart {
        id: "on-time",
        title: "办结时效（按办结单位）".to_owned(),
        label_heading: "办结单位",
        series: vec!["按期办结", "超期办结"],
        unit: "件",
        rows,
        note: percent(on_time, all).map(|rate| ChartNote {
            text: "按期办结率 {}（{} / {} 件）",
            values: vec![rate, on_time.to_string(), all.to_string()],
        }),
    }
}

/// 跑动次数 — ended cases by the trips their applicant made to a service place (最多跑一次:
/// at most one); its note the mean and the share within one trip.
fn trips_chart(ended: &[(u32, u64)]) -> Chart {
    let mut by = [0_u64; 4];
    for (trips, n) in ended {
        by[(*trips as usize).min(3)] += n;
    }
    let all: u64 = by.iter().sum();
    let trips: u64 = ended.iter().map(|(t, n)| u64::from(*t) * n).sum();
    let labels = ["0 次（全程网办）", "1 次", "2 次", "3 次及以上"];
    Chart {
        id: "trips",
        title: "办件跑动次数".to_owned(),
        label_heading: "跑动次数",
        series: vec!["办结件"],
        unit: "件",
        rows: if all == 0 {
            Vec::new()
        } else {
            labels
                .iter()
                .zip(by)
                .map(|(label, n)| ChartRow { label: (*label).to_owned(), values: vec![n] })
                .collect()
        },
        note: percent(by[0] + by[1], all).map(|within| ChartNote {
            text: "平均跑动 {} 次；最多跑一次 {}",
            values: vec![format!("{:.2}", trips as f64 / all as f64), within],
        }),
    }
}
