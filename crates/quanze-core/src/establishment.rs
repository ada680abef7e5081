//! 机构编制 — the establishment of a county: each town's functional bodies (at most ten by
//! default, 乡镇机构限额), the headcount quotas (编制) and leader posts (职数) of every unit, and
//! the county units seconded to towns (派驻机构) with their dual management.
//!
//! The reform texts fix two rules the software must hold: a town has no more functional bodies
//! than the limit, and a county's total quota of each kind only decreases (只减不增) — a change
//! that raises a total is refused unless the approval that allows it is recorded with it.
//! Quotas may move between units of one county freely as long as the total does not rise.
//!
//! [`Establishment::apply`] is the one way to change it: it checks a whole change against the
//! units and the rules and returns the new state, or an [`EstablishmentError`] and nothing
//! changed.

use std::borrow::Borrow;
use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;

use crate::codes::RegionCode;
use crate::ids::UnitId;
use crate::list::DocNo;
use crate::unit::{Unit, UnitKind};

/// 机构编制规则 — the limits, configurable per province.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EstablishmentRules {
    /// The most functional bodies a town may have (default 10).
    pub max_bodies_per_town: usize,
}

impl Default for EstablishmentRules {
    fn default() -> EstablishmentRules {
        EstablishmentRules { max_bodies_per_town: 10 }
    }
}

/// 编制类别 — the kind of a headcount quota.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum QuotaKind {
    /// 行政编制.
    Administrative,
    /// 事业编制.
    Institutional,
    /// 领导职数.
    LeaderPosts,
}

impl QuotaKind {
    /// Every kind, in display order.
    pub const ALL: [QuotaKind; 3] =
        [QuotaKind::Administrative, QuotaKind::Institutional, QuotaKind::LeaderPosts];

    /// The Chinese label.
    pub fn zh(self) -> &'static str {
        match self {
            QuotaKind::Administrative => "行政编制",
            QuotaKind::Institutional => "事业编制",
            QuotaKind::LeaderPosts => "领导职数",
        }
    }
}

/// 内设机构 — one functional body of a town (党政综合办公室, 综合行政执法办公室, ...).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FunctionalBody {
    /// Its name, unique within the town.
    pub name: String,
    /// 主要职责, in a sentence or two.
    #[serde(default)]
    pub functions: String,
}

/// 编制审批 — the approval that allows a county's total quota to rise.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct QuotaApproval {
    /// The approving body (上级机构编制委员会).
    pub approver: String,
    /// Its document number.
    pub doc_no: DocNo,
    /// The day it approved.
    pub approved_on: NaiveDate,
}

/// 派驻机构双重管理 — a county unit stationed in a town: its department leads its work, the
/// town manages it day to day, and their appraisals are weighed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Secondment {
    /// The seconded unit (of kind 派驻机构).
    pub unit: UnitId,
    /// The county department it belongs to (业务指导).
    pub department: UnitId,
    /// The town it serves (属地管理).
    pub town: UnitId,
    /// The town's share of its appraisal, in percent (the department has the rest).
    pub town_appraisal_percent: u8,
    /// Whether the town's opinion is needed to appoint or remove its head (任免征求乡镇意见).
    #[serde(default)]
    pub town_consulted_on_appointments: bool,
    /// Since when.
    pub since: NaiveDate,
}

impl Secondment {
    /// The unit whose appraisal counts most (the town on a tie: 属地管理为主).
    pub fn appraised_mainly_by(&self) -> UnitId {
        if self.town_appraisal_percent >= 50 { self.town } else { self.department }
    }
}

/// One quota as stored: a unit's number of one kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Quota {
    /// The unit.
    pub unit: UnitId,
    /// The kind.
    pub kind: QuotaKind,
    /// How many.
    pub amount: u32,
}

/// One recorded quota adjustment (the history the 只减不增 rule is read against).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct QuotaAdjustment {
    /// The day it was recorded.
    pub on: NaiveDate,
    /// The new numbers.
    pub quotas: Vec<Quota>,
    /// Why.
    pub reason: String,
    /// The approval of an increase, if the change raised a total.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approval: Option<QuotaApproval>,
}

/// 机构编制 — the establishment of every unit in the store.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Establishment {
    /// Functional bodies by town.
    #[serde(default)]
    pub bodies: BTreeMap<UnitId, Vec<FunctionalBody>>,
    /// Quotas by unit and kind.
    #[serde(default)]
    pub quotas: BTreeMap<UnitId, BTreeMap<QuotaKind, u32>>,
    /// Seconded units by unit.
    #[serde(default)]
    pub secondments: BTreeMap<UnitId, Secondment>,
    /// Every quota adjustment, oldest first.
    #[serde(default)]
    pub adjustments: Vec<QuotaAdjustment>,
}

/// One change to the establishment.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum EstablishmentChange {
    /// Replace a town's functional bodies.
    SetBodies {
        /// The town.
        town: UnitId,
        /// Its bodies.
        bodies: Vec<FunctionalBody>,
    },
    /// Set the quotas of one or more units at once (a transfer between units keeps the total).
    AdjustQuotas {
        /// The new numbers.
        quotas: Vec<Quota>,
        /// Why.
        reason: String,
        /// The approval, needed when a county's total of a kind rises.
        #[serde(default)]
        approval: Option<QuotaApproval>,
    },
    /// Record or change a seconded unit's dual management.
    SetSecondment {
        /// The arrangement.
        secondment: Secondment,
    },
    /// A seconded unit goes back to its department.
    EndSecondment {
        /// The seconded unit.
        unit: UnitId,
    },
}

/// Why a change to the establishment was refused. Nothing changed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EstablishmentError {
    /// The unit is not in the registry.
    #[error("unit {0} does not exist")]
    UnknownUnit(UnitId),
    /// Functional bodies belong to towns and subdistricts.
    #[error("{0} is not a town or subdistrict")]
    NotATown(String),
    /// More bodies than the limit.
    #[error("{town} would have {count} functional bodies; at most {max} are allowed")]
    TooManyBodies {
        /// The town's name.
        town: String,
        /// How many were asked for.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// A body without a name.
    #[error("functional body {position} of {town} has no name")]
    UnnamedBody {
        /// The town's name.
        town: String,
        /// 1-based.
        position: usize,
    },
    /// Two bodies of one name.
    #[error("{town} has two functional bodies named {name}")]
    DuplicateBody {
        /// The town's name.
        town: String,
        /// The name.
        name: String,
    },
    /// A county's total rises without a recorded approval (只减不增).
    #[error(
        "the {kind:?} total of county {county} would rise from {before} to {after} without an approval"
    )]
    IncreaseWithoutApproval {
        /// The county.
        county: RegionCode,
        /// The kind.
        kind: QuotaKind,
        /// Its total now.
        before: u64,
        /// Its total after the change.
        after: u64,
    },
    /// One unit and kind twice in one adjustment.
    #[error("{unit} has two {kind:?} numbers in one adjustment")]
    DuplicateQuota {
        /// The unit's name.
        unit: String,
        /// The kind.
        kind: QuotaKind,
    },
    /// An adjustment without a reason, or that changes nothing.
    #[error("a quota adjustment needs a reason and at least one changed number")]
    EmptyAdjustment,
    /// The unit named as seconded is not of kind 派驻机构.
    #[error("{0} is not a seconded unit")]
    NotSeconded(String),
    /// The department of a secondment is not a county department.
    #[error("{0} is not a county department")]
    NotADepartment(String),
    /// An appraisal share above 100 %.
    #[error("the town's share of the appraisal is {0} %, above 100 %")]
    BadAppraisalShare(u8),
    /// Ending a secondment that is not recorded.
    #[error("{0} has no recorded secondment")]
    NoSecondment(String),
}

impl EstablishmentError {
    /// The message in Chinese, for end users.
    pub fn zh(&self) -> String {
        match self {
            EstablishmentError::UnknownUnit(id) => format!("单位{id}不存在"),
            EstablishmentError::NotATown(name) => {
                format!("“{name}”不是乡镇或街道，不能设置乡镇内设机构")
            }
            EstablishmentError::TooManyBodies { town, count, max } => {
                format!("“{town}”内设机构将达{count}个，超过限额{max}个")
            }
            EstablishmentError::UnnamedBody { town, position } => {
                format!("“{town}”第{position}个内设机构未填写名称")
            }
            EstablishmentError::DuplicateBody { town, name } => {
                format!("“{town}”已有名为“{name}”的内设机构")
            }
            EstablishmentError::IncreaseWithoutApproval { county, kind, before, after } => {
                format!(
                    "该调整将使{county}的{}总数由{before}名增至{after}名；编制只减不增，增加须登记上级审批文号",
                    kind.zh()
                )
            }
            EstablishmentError::DuplicateQuota { unit, kind } => {
                format!("同一次调整中“{unit}”的{}出现两次", kind.zh())
            }
            EstablishmentError::EmptyAdjustment => "编制调整须说明理由，且至少改变一个数".into(),
            EstablishmentError::NotSeconded(name) => format!("“{name}”不是派驻机构"),
            EstablishmentError::NotADepartment(name) => format!("“{name}”不是县直部门"),
            EstablishmentError::BadAppraisalShare(p) => {
                format!("乡镇考核权重为{p}%，不能超过100%")
            }
            EstablishmentError::NoSecondment(name) => format!("“{name}”没有派驻记录"),
        }
    }
}

impl Establishment {
    /// The quota of one unit and kind (0 when none is recorded).
    pub fn quota(&self, unit: UnitId, kind: QuotaKind) -> u32 {
        self.quotas.get(&unit).and_then(|q| q.get(&kind)).copied().unwrap_or(0)
    }

    /// The total quota of each kind per county (units grouped by their region's county),
    /// summed in 64 bits so no total can wrap.
    pub fn totals<U: Borrow<Unit>>(&self, units: &[U]) -> BTreeMap<(RegionCode, QuotaKind), u64> {
        let county_of = county_of(units);
        let mut totals = BTreeMap::new();
        for (unit, kinds) in &self.quotas {
            let Some(county) = county_of.get(unit) else { continue };
            for (kind, amount) in kinds {
                *totals.entry((county.clone(), *kind)).or_insert(0) += u64::from(*amount);
            }
        }
        totals
    }

    /// The counties that have ever recorded a quota (their first numbers were the baseline).
    fn recorded_counties<U: Borrow<Unit>>(&self, units: &[U]) -> BTreeSet<RegionCode> {
        let county_of = county_of(units);
        self.adjustments
            .iter()
            .flat_map(|a| &a.quotas)
            .filter_map(|q| county_of.get(&q.unit).cloned())
            .collect()
    }

    /// Applies one change on `on`, checked against the registry's units and the rules. The
    /// result is the new establishment; on a refusal nothing changed.
    pub fn apply<U: Borrow<Unit>>(
        &self,
        change: &EstablishmentChange,
        on: NaiveDate,
        units: &[U],
        rules: EstablishmentRules,
    ) -> Result<Establishment, EstablishmentError> {
        let unit = |id: UnitId| {
            units
                .iter()
                .map(U::borrow)
                .find(|u| u.id == id)
                .ok_or(EstablishmentError::UnknownUnit(id))
        };
        let mut next = self.clone();
        match change {
            EstablishmentChange::SetBodies { town, bodies } => {
                let town = unit(*town)?;
                if !town.kind.is_township_level() {
                    return Err(EstablishmentError::NotATown(town.name.clone()));
                }
                if bodies.len() > rules.max_bodies_per_town {
                    return Err(EstablishmentError::TooManyBodies {
                        town: town.name.clone(),
                        count: bodies.len(),
                        max: rules.max_bodies_per_town,
                    });
                }
                let mut names = BTreeSet::new();
                let mut clean = Vec::with_capacity(bodies.len());
                for (i, b) in bodies.iter().enumerate() {
                    let name = b.name.trim();
                    if name.is_empty() {
                        return Err(EstablishmentError::UnnamedBody {
                            town: town.name.clone(),
                            position: i + 1,
                        });
                    }
                    if !names.insert(name.to_owned()) {
                        return Err(EstablishmentError::DuplicateBody {
                            town: town.name.clone(),
                            name: name.to_owned(),
                        });
                    }
                    clean.push(FunctionalBody {
                        name: name.to_owned(),
                        functions: b.functions.trim().to_owned(),
                    });
                }
                if clean.is_empty() {
                    next.bodies.remove(&town.id);
                } else {
                    next.bodies.insert(town.id, clean);
                }
            }
            EstablishmentChange::AdjustQuotas { quotas, reason, approval } => {
                let mut seen = BTreeSet::new();
                for q in quotas {
                    let u = unit(q.unit)?;
                    if !seen.insert((q.unit, q.kind)) {
                        return Err(EstablishmentError::DuplicateQuota {
                            unit: u.name.clone(),
                            kind: q.kind,
                        });
                    }
                }
                let changed = quotas.iter().any(|q| self.quota(q.unit, q.kind) != q.amount);
                if reason.trim().is_empty() || !changed {
                    return Err(EstablishmentError::EmptyAdjustment);
                }
                for q in quotas {
                    let kinds = next.quotas.entry(q.unit).or_default();
                    if q.amount == 0 {
                        kinds.remove(&q.kind);
                    } else {
                        kinds.insert(q.kind, q.amount);
                    }
                }
                next.quotas.retain(|_, kinds| !kinds.is_empty());
                if approval.is_none() {
                    let before = self.totals(units);
                    // The first quotas a county records set its baseline; after that, its
                    // totals only go down (even after a cut to zero).
                    let recorded = self.recorded_counties(units);
                    for ((county, kind), after) in next.totals(units) {
                        let baseline = !recorded.contains(&county);
                        let before = before.get(&(county.clone(), kind)).copied().unwrap_or(0);
                        if after > before && !baseline {
                            return Err(EstablishmentError::IncreaseWithoutApproval {
                                county,
                                kind,
                                before,
                                after,
                            });
                        }
                    }
                }
                next.adjustments.push(QuotaAdjustment {
                    on,
                    quotas: quotas.clone(),
                    reason: reason.trim().to_owned(),
                    approval: approval.clone(),
                });
            }
            EstablishmentChange::SetSecondment { secondment } => {
                let seconded = unit(secondment.unit)?;
                if seconded.kind != UnitKind::Seconded {
                    return Err(EstablishmentError::NotSeconded(seconded.name.clone()));
                }
                let department = unit(secondment.department)?;
                if department.kind != UnitKind::Department {
                    return Err(EstablishmentError::NotADepartment(department.name.clone()));
                }
                let town = unit(secondment.town)?;
                if !town.kind.is_township_level() {
                    return Err(EstablishmentError::NotATown(town.name.clone()));
                }
                if secondment.town_appraisal_percent > 100 {
                    return Err(EstablishmentError::BadAppraisalShare(
                        secondment.town_appraisal_percent,
                    ));
                }
                next.secondments.insert(secondment.unit, secondment.clone());
            }
            EstablishmentChange::EndSecondment { unit: id } => {
                let seconded = unit(*id)?;
                if next.secondments.remove(id).is_none() {
                    return Err(EstablishmentError::NoSecondment(seconded.name.clone()));
                }
            }
        }
        Ok(next)
    }
}

fn county_of<U: Borrow<Unit>>(units: &[U]) -> BTreeMap<UnitId, RegionCode> {
    units
        .iter()
        .map(U::borrow)
        .map(|u| (u.id, u.region.county().unwrap_or_else(|| u.region.clone())))
        .collect()
}

#[cfg(test)]
mod tests;
