//! The registry: regions (行政区划) and units (单位).
//!
//! Invariants: a unit's region exists, and so does its parent; a unit's id and its name are
//! each unique. References are checked before writing so that a missing one is named
//! precisely (SQLite's foreign-key error does not say which key failed); the schema's foreign
//! keys remain the backstop. Units are sorted by name in Rust, not by `ORDER BY`: PostgreSQL
//! sorts text by the server's collation and SQLite by bytes, and the two differ for Chinese.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use async_trait::async_trait;
use quanze_core::{Region, Unit, UnitId};
use sqlx::AnyConnection;

use crate::batch::{insert_rows, select_in};
use crate::open::SqlStore;
use crate::rows::{RegionRow, UnitRow, region_level_code, unit_kind_code};
use crate::tx::violation;
use crate::{NewEvent, Receipt, StoreError};

/// Stores regions and units. Each write is one transaction writing state and one event.
#[async_trait]
pub trait RegistryStore: Send + Sync {
    /// Inserts regions, or renames existing ones (by code).
    async fn put_regions(&self, regions: &[Region], ev: NewEvent) -> Result<Receipt, StoreError>;
    /// All regions, by code.
    async fn regions(&self) -> Result<Vec<Region>, StoreError>;

    /// Creates a unit; `Conflict` if the id or (name) exists; its region must exist
    /// (`NotFound` otherwise), and so must its parent.
    async fn create_unit(&self, unit: &Unit, ev: NewEvent) -> Result<Receipt, StoreError>;
    /// Replaces a unit's fields.
    async fn update_unit(&self, unit: &Unit, ev: NewEvent) -> Result<Receipt, StoreError>;
    /// All units, by name.
    async fn units(&self) -> Result<Vec<Unit>, StoreError>;
    /// One unit.
    async fn unit(&self, id: UnitId) -> Result<Unit, StoreError>;
}

/// Every region (also read by the catalogue's snapshot).
pub(crate) const SELECT_REGIONS: &str = "SELECT code, name FROM regions ORDER BY code";
/// Every unit (also read by the catalogue's snapshot).
pub(crate) const SELECT_UNITS: &str =
    "SELECT id, name, kind, region, credit_code, parent, tags FROM units";

#[async_trait]
impl RegistryStore for SqlStore {
    async fn put_regions(&self, regions: &[Region], ev: NewEvent) -> Result<Receipt, StoreError> {
        const UPSERT_REGIONS: &str = "INSERT INTO regions (code, name, level, parent) VALUES ";
        const ON_CONFLICT_REGIONS: &str = " ON CONFLICT (code) DO UPDATE SET name = excluded.name";
        // One row per code (the last wins): PostgreSQL refuses to upsert a row twice in one
        // statement.
        let by_code: BTreeMap<&str, &Region> =
            regions.iter().map(|r| (r.code.as_str(), r)).collect();
        let mut w = self.begin_write().await?;
        let res = insert_rows(
            w.conn(),
            self.backend,
            UPSERT_REGIONS,
            ON_CONFLICT_REGIONS,
            4,
            by_code.values(),
            |row, r| {
                row.bind(r.code.as_str())
                    .bind(r.name.as_str())
                    .bind(region_level_code(r.level()))
                    .bind(r.parent().map(String::from));
            },
        )
        .await
        .map(|_| ())
        .map_err(StoreError::from);
        w.finish(res, ev).await
    }

    async fn regions(&self) -> Result<Vec<Region>, StoreError> {
        let rows: Vec<RegionRow> = sqlx::query_as(SELECT_REGIONS).fetch_all(&self.pool).await?;
        rows.into_iter().map(Region::try_from).collect()
    }

    async fn create_unit(&self, unit: &Unit, ev: NewEvent) -> Result<Receipt, StoreError> {
        const INSERT_UNIT: &str = "INSERT INTO units (id, name, kind, region, credit_code, parent, tags) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)";
        let mut w = self.begin_write().await?;
        let res = self.write_unit(w.conn(), unit, INSERT_UNIT).await;
        w.finish(res, ev).await
    }

    async fn update_unit(&self, unit: &Unit, ev: NewEvent) -> Result<Receipt, StoreError> {
        const UPDATE_UNIT: &str = "UPDATE units SET name = $2, kind = $3, region = $4, credit_code = $5, \
             parent = $6, tags = $7 WHERE id = $1";
        let mut w = self.begin_write().await?;
        let res = self.write_unit(w.conn(), unit, UPDATE_UNIT).await;
        w.finish(res, ev).await
    }

    async fn units(&self) -> Result<Vec<Unit>, StoreError> {
        let rows: Vec<UnitRow> = sqlx::query_as(SELECT_UNITS).fetch_all(&self.pool).await?;
        let mut units = rows.into_iter().map(Unit::try_from).collect::<Result<Vec<_>, _>>()?;
        sort_units(&mut units);
        Ok(units)
    }

    async fn unit(&self, id: UnitId) -> Result<Unit, StoreError> {
        const SELECT_UNIT: &str =
            "SELECT id, name, kind, region, credit_code, parent, tags FROM units WHERE id = $1";
        let row: Option<UnitRow> =
            sqlx::query_as(SELECT_UNIT).bind(id.to_string()).fetch_optional(&self.pool).await?;
        row.ok_or_else(|| StoreError::NotFound(format!("unit {id}")))?.try_into()
    }
}

impl SqlStore {
    /// The first of `ids` that is not a stored unit.
    async fn first_missing_unit(
        &self,
        conn: &mut AnyConnection,
        ids: &BTreeSet<UnitId>,
    ) -> Result<Option<UnitId>, StoreError> {
        if ids.is_empty() {
            // Nothing to look up: save the round trip (most accounts hold county-wide roles).
            return Ok(None);
        }
        let wanted: Vec<String> = ids.iter().map(|id| id.to_string()).collect();
        let found: Vec<(String,)> =
            select_in(conn, self.backend, "SELECT id FROM units WHERE id IN ", "", &wanted).await?;
        let found: HashSet<String> = found.into_iter().map(|(id,)| id).collect();
        Ok(ids.iter().find(|id| !found.contains(&id.to_string())).copied())
    }

    pub(crate) async fn require_units(
        &self,
        conn: &mut AnyConnection,
        ids: &BTreeSet<UnitId>,
    ) -> Result<(), StoreError> {
        match self.first_missing_unit(conn, ids).await? {
            Some(id) => Err(StoreError::NotFound(format!("unit {id}"))),
            None => Ok(()),
        }
    }

    async fn require_region(&self, conn: &mut AnyConnection, code: &str) -> Result<(), StoreError> {
        const SELECT_REGION_CODE: &str = "SELECT code FROM regions WHERE code = $1";
        let found: Option<(String,)> =
            sqlx::query_as(SELECT_REGION_CODE).bind(code).fetch_optional(conn).await?;
        match found {
            Some(_) => Ok(()),
            None => Err(StoreError::NotFound(format!("region {code}"))),
        }
    }

    /// Inserts or updates (by `sql`) one unit after checking its region and parent.
    async fn write_unit(
        &self,
        conn: &mut AnyConnection,
        unit: &Unit,
        sql: &'static str,
    ) -> Result<(), StoreError> {
        self.require_region(conn, unit.region.as_str()).await?;
        if let Some(parent) = unit.parent {
            self.require_units(conn, &BTreeSet::from([parent])).await?;
        }
        let tags = serde_json::to_string(&unit.tags)
            .map_err(|e| StoreError::Corrupt(format!("unit tags do not serialise: {e}")))?;
        let done = sqlx::query(sql)
            .bind(unit.id.to_string())
            .bind(unit.name.as_str())
            .bind(unit_kind_code(unit.kind))
            .bind(unit.region.as_str())
            .bind(unit.credit_code.as_ref().map(|c| c.as_str().to_owned()))
            .bind(unit.parent.map(|p| p.to_string()))
            .bind(tags)
            .execute(conn)
            .await
            .map_err(|e| {
                violation(
                    e,
                    &format!("a unit with id {} or name {} exists", unit.id, unit.name),
                    "the unit's region or parent",
                )
            })?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound(format!("unit {}", unit.id)));
        }
        Ok(())
    }
}

/// Units sorted by name in Rust rather than `ORDER BY`: PostgreSQL sorts text by the server's
/// collation and SQLite by bytes, and the two orders differ for Chinese names.
pub(crate) fn sort_units(units: &mut [Unit]) {
    units.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
}
