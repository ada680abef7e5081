//! Regions and units: the county's register (区划与单位).

use quanze_core::access::Act;
use quanze_core::{Issue, Region, Severity, Unit, UnitId};

use super::*;
use crate::Service;
use crate::auth::CurrentUser;
use crate::error::{ErrorCode, ServiceError, ServiceResult};

impl Service {
    /// Adds or renames regions. Returns the ledger leaf of the write.
    pub async fn put_regions(
        &self,
        by: Option<&CurrentUser>,
        regions: Vec<Region>,
    ) -> ServiceResult<u64> {
        if let Some(by) = by {
            by.require_act(Act::ManageOrganisation, None)?;
        }
        if regions.is_empty() {
            return Err(ServiceError::rejected(
                ErrorCode::EmptyRegions,
                "没有提供任何行政区划",
                "no regions given",
            ));
        }
        let codes: Vec<&str> = regions.iter().map(|r| r.code.as_str()).collect();
        let ev = self.event(
            by,
            None,
            "region.put",
            "regions".into(),
            serde_json::json!({ "codes": codes }),
        );
        let mut writer = self.catalog_writer().await?;
        let receipt = writer.write(self.store.put_regions(&regions, ev)).await?;
        writer.apply(|c| c.with_regions(&regions));
        Ok(receipt.leaf_index())
    }

    /// Creates a unit. Returns its id and any warnings (a credit code failing its check digit
    /// is stored with a warning, never rejected).
    pub async fn create_unit(
        &self,
        by: Option<&CurrentUser>,
        new: NewUnit,
    ) -> ServiceResult<(UnitId, Vec<Issue>, u64)> {
        if let Some(by) = by {
            by.require_act(Act::ManageOrganisation, None)?;
        }
        let name = new.name.trim().to_owned();
        if name.is_empty() {
            return Err(quanze_core::ValidationError::Empty { field: "unit_name" }.into());
        }
        let catalog = self.catalog();
        if !catalog.regions.iter().any(|r| r.code == new.region) {
            return Err(ServiceError::NotFound(format!("行政区划 {}", new.region)));
        }
        if let Some(parent) = new.parent
            && catalog.unit(parent).is_none()
        {
            return Err(ServiceError::NotFound(format!("上级单位 {parent}")));
        }
        let (unit, issues) = checked_unit(self.ids.unit(), name, new)?;
        let ev = self.event(
            by,
            Some(unit.id),
            "unit.created",
            format!("unit:{}", unit.id),
            serde_json::to_value(&unit).unwrap_or_default(),
        );
        let mut writer = self.catalog_writer().await?;
        let receipt = writer.write(self.store.create_unit(&unit, ev)).await?;
        let id = unit.id;
        writer.apply(|c| c.with_unit(unit));
        Ok((id, issues, receipt.leaf_index()))
    }

    /// Changes a unit's name, kind, region, credit code, parent or tags (its id stays). Returns
    /// the warnings (a failing credit-code check digit) and the event's leaf index.
    pub async fn update_unit(
        &self,
        by: Option<&CurrentUser>,
        id: UnitId,
        new: NewUnit,
    ) -> ServiceResult<(Vec<Issue>, u64)> {
        if let Some(by) = by {
            by.require_act(Act::ManageOrganisation, None)?;
        }
        let catalog = self.catalog();
        let before =
            catalog.unit(id).ok_or_else(|| ServiceError::NotFound(format!("单位 {id}")))?.clone();
        let name = new.name.trim().to_owned();
        if name.is_empty() {
            return Err(quanze_core::ValidationError::Empty { field: "unit_name" }.into());
        }
        if !catalog.regions.iter().any(|r| r.code == new.region) {
            return Err(ServiceError::NotFound(format!("行政区划 {}", new.region)));
        }
        if let Some(parent) = new.parent {
            // A unit may not sit under itself, directly or through its descendants.
            let mut at = Some(parent);
            while let Some(p) = at {
                if p == id {
                    return Err(ServiceError::rejected(
                        ErrorCode::ParentCycle,
                        "上级单位不能是本单位或其下级单位".to_owned(),
                        format!("unit {id} cannot sit under itself (through {parent})"),
                    ));
                }
                at = catalog
                    .unit(p)
                    .ok_or_else(|| ServiceError::NotFound(format!("上级单位 {p}")))?
                    .parent;
            }
        }
        let (unit, issues) = checked_unit(id, name, new)?;
        let ev = self.event(
            by,
            Some(id),
            "unit.updated",
            format!("unit:{id}"),
            serde_json::json!({ "before": before, "after": unit }),
        );
        let mut writer = self.catalog_writer().await?;
        let receipt = writer.write(self.store.update_unit(&unit, ev)).await?;
        writer.apply(|c| c.with_unit(unit));
        Ok((issues, receipt.leaf_index()))
    }
}

/// The unit `new` describes under `id`, with its findings; refused when any is an error.
fn checked_unit(id: UnitId, name: String, new: NewUnit) -> ServiceResult<(Unit, Vec<Issue>)> {
    let unit = Unit {
        id,
        name,
        kind: new.kind,
        region: new.region,
        credit_code: new.credit_code,
        parent: new.parent,
        tags: new.tags,
    };
    let issues = unit.issues();
    if let Some(err) = issues.iter().find(|i| i.severity == Severity::Error) {
        return Err(ServiceError::Rejected {
            code: ErrorCode::InvalidUnit,
            message_zh: err.message_zh.clone(),
            message_en: err.message_en.clone(),
            issues,
        });
    }
    Ok((unit, issues))
}
