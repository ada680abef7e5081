//! Establishment (机构编制, issue 4 §7): each town's functional bodies within the limit, every
//! unit's quotas with a county's totals that only decrease unless an approval is recorded
//! (只减不增), and seconded units (派驻机构) under dual management.
//!
//! The whole establishment is checked by [`quanze_core::Establishment::apply`] and written as
//! one document with one ledger event; writes are serialised so two clerks never both read the
//! same totals.

use std::collections::BTreeMap;

use quanze_core::access::Act;
use quanze_core::establishment::{FunctionalBody, QuotaAdjustment, Secondment};
use quanze_core::{
    Establishment, EstablishmentChange, EstablishmentError, EstablishmentRules, QuotaKind,
    RegionCode, UnitId,
};

use crate::Service;
use crate::auth::CurrentUser;
use crate::catalog::Catalog;
use crate::error::{ErrorCode, ServiceError, ServiceResult};

impl From<EstablishmentError> for ServiceError {
    fn from(err: EstablishmentError) -> ServiceError {
        ServiceError::Rejected {
            code: ErrorCode::from(&err),
            message_zh: err.zh(),
            message_en: err.to_string(),
            issues: vec![],
        }
    }
}

/// One town's bodies as shown.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct TownBodies {
    /// The town.
    #[schema(value_type = String)]
    pub town: UnitId,
    /// Its name.
    pub name: String,
    /// Its bodies.
    #[schema(value_type = Vec<Object>)]
    pub bodies: Vec<FunctionalBody>,
    /// The limit.
    pub max: usize,
}

/// One unit's quotas as shown.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct UnitQuotas {
    /// The unit.
    #[schema(value_type = String)]
    pub unit: UnitId,
    /// Its name.
    pub name: String,
    /// Its quotas by kind.
    #[schema(value_type = Object)]
    pub quotas: BTreeMap<QuotaKind, u32>,
}

/// One county's total of one kind.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct QuotaTotal {
    /// The county.
    #[schema(value_type = String)]
    pub county: RegionCode,
    /// Its name (the code when the region is not registered).
    pub county_name: String,
    /// The kind.
    #[schema(value_type = String)]
    pub kind: QuotaKind,
    /// The kind in Chinese.
    pub kind_zh: &'static str,
    /// The total.
    pub total: u64,
}

/// A seconded unit as shown.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct SecondmentView {
    /// The arrangement.
    #[schema(value_type = Object)]
    pub secondment: Secondment,
    /// The seconded unit's name.
    pub name: String,
    /// The department's name.
    pub department_name: String,
    /// The town's name.
    pub town_name: String,
    /// The name of the unit whose appraisal counts most.
    pub appraised_mainly_by: String,
}

/// The establishment as shown.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct EstablishmentView {
    /// Every town and subdistrict with its bodies.
    pub towns: Vec<TownBodies>,
    /// Every unit with a quota.
    pub quotas: Vec<UnitQuotas>,
    /// Totals per county and kind.
    pub totals: Vec<QuotaTotal>,
    /// Seconded units.
    pub secondments: Vec<SecondmentView>,
    /// Every quota adjustment, oldest first.
    #[schema(value_type = Vec<Object>)]
    pub adjustments: Vec<QuotaAdjustment>,
}

impl Service {
    fn establishment_rules(&self) -> EstablishmentRules {
        EstablishmentRules { max_bodies_per_town: self.config.governance.max_town_bodies }
    }

    /// The establishment as it stands.
    pub fn establishment(&self) -> EstablishmentView {
        establishment_view(&self.catalog(), self.establishment_rules())
    }

    /// Applies one change to the establishment. Refused with the reason and nothing written:
    /// more bodies than the limit, a duplicate or unnamed body, a county total that rises
    /// without an approval, a secondment of a unit that is not seconded, ...
    pub async fn change_establishment(
        &self,
        by: &CurrentUser,
        change: EstablishmentChange,
    ) -> ServiceResult<(EstablishmentView, u64)> {
        by.require_act(Act::AdjustEstablishment, None)?;
        let _writing = self.establishment_writes.lock().await;
        let catalog = self.catalog();
        let rules = self.establishment_rules();
        let next = catalog.establishment.apply(&change, self.today(), &catalog.units, rules)?;
        let (kind, unit) = match &change {
            EstablishmentChange::SetBodies { town, .. } => {
                ("establishment.bodies_set", Some(*town))
            }
            EstablishmentChange::AdjustQuotas { .. } => ("establishment.quotas_adjusted", None),
            EstablishmentChange::SetSecondment { secondment } => {
                ("establishment.secondment_set", Some(secondment.unit))
            }
            EstablishmentChange::EndSecondment { unit } => {
                ("establishment.secondment_ended", Some(*unit))
            }
        };
        let totals = |e: &Establishment| {
            e.totals(&catalog.units)
                .into_iter()
                .map(|((county, kind), total)| {
                    serde_json::json!({ "county": county, "kind": kind, "total": total })
                })
                .collect::<Vec<_>>()
        };
        let ev = self.event(
            Some(by),
            unit,
            kind,
            "establishment".to_owned(),
            serde_json::json!({
                "change": change,
                "totals_before": totals(&catalog.establishment),
                "totals_after": totals(&next),
            }),
        );
        let mut writer = self.catalog_writer().await?;
        let receipt = writer.write(self.store.put_establishment(&next, ev)).await?;
        writer.apply(|c| c.with_establishment(next));
        Ok((self.establishment(), receipt.leaf_index()))
    }
}

fn establishment_view(catalog: &Catalog, rules: EstablishmentRules) -> EstablishmentView {
    let e = &catalog.establishment;
    let name = |id: UnitId| catalog.unit(id).map_or_else(|| id.to_string(), |u| u.name.clone());
    let towns = catalog
        .units
        .iter()
        .filter(|u| u.kind.is_township_level())
        .map(|u| TownBodies {
            town: u.id,
            name: u.name.clone(),
            bodies: e.bodies.get(&u.id).cloned().unwrap_or_default(),
            max: rules.max_bodies_per_town,
        })
        .collect();
    let quotas = catalog
        .units
        .iter()
        .filter_map(|u| {
            let q = e.quotas.get(&u.id)?;
            Some(UnitQuotas { unit: u.id, name: u.name.clone(), quotas: q.clone() })
        })
        .collect();
    let totals = e
        .totals(&catalog.units)
        .into_iter()
        .map(|((county, kind), total)| QuotaTotal {
            county_name: catalog
                .regions
                .iter()
                .find(|r| r.code == county)
                .map_or_else(|| county.to_string(), |r| r.name.clone()),
            county,
            kind,
            kind_zh: kind.zh(),
            total,
        })
        .collect();
    let secondments = e
        .secondments
        .values()
        .map(|s| SecondmentView {
            name: name(s.unit),
            department_name: name(s.department),
            town_name: name(s.town),
            appraised_mainly_by: name(s.appraised_mainly_by()),
            secondment: s.clone(),
        })
        .collect();
    EstablishmentView { towns, quotas, totals, secondments, adjustments: e.adjustments.clone() }
}
