//! Devolution (赋权): grants of county powers to towns, each town's readiness for a grant,
//! reclaims, and the establishment (机构编制).
//!
//! Each is stored as a JSON document of the core value beside the columns its keys and
//! foreign keys need: the rules about them are the core's, checked before the store is called.
//! Invariants: a grant's granting department exists; readiness and reclaims name an existing
//! grant and town; readiness is one document per (grant, town), replaced on each write; the
//! establishment is one document, replaced whole. They are read back with the catalogue's
//! snapshot ([`crate::ListStore::snapshot`]).

use async_trait::async_trait;

use crate::open::SqlStore;
use crate::rows::document;
use crate::tx::violation;
use crate::{NewEvent, Receipt, StoreError};

/// Stores devolution grants, readiness, reclaims and the establishment. Each write is one
/// transaction writing state and one event.
#[async_trait]
pub trait DevolutionStore: Send + Sync {
    /// Records a devolution grant. `Conflict` if its id exists; `NotFound` if the granting
    /// department does not exist.
    async fn put_grant(
        &self,
        grant: &quanze_core::Grant,
        ev: NewEvent,
    ) -> Result<Receipt, StoreError>;
    /// Records (or replaces) a town's readiness for a grant. `NotFound` if the grant or the
    /// town does not exist.
    async fn put_readiness(
        &self,
        readiness: &quanze_core::Readiness,
        ev: NewEvent,
    ) -> Result<Receipt, StoreError>;
    /// Records a reclaim. `NotFound` if the grant or the town does not exist.
    async fn put_reclaim(
        &self,
        reclaim: &quanze_core::GrantReclaim,
        ev: NewEvent,
    ) -> Result<Receipt, StoreError>;

    /// Replaces the establishment (机构编制) whole; the caller checked it with the core.
    async fn put_establishment(
        &self,
        establishment: &quanze_core::Establishment,
        ev: NewEvent,
    ) -> Result<Receipt, StoreError>;
}

#[async_trait]
impl DevolutionStore for SqlStore {
    async fn put_grant(
        &self,
        grant: &quanze_core::Grant,
        ev: NewEvent,
    ) -> Result<Receipt, StoreError> {
        const INSERT_GRANT: &str =
            "INSERT INTO grants (id, item, from_unit, batch, doc) VALUES ($1, $2, $3, $4, $5)";
        let mut w = self.begin_write().await?;
        let res = sqlx::query(INSERT_GRANT)
            .bind(grant.id.to_string())
            .bind(grant.item.to_string())
            .bind(grant.from.to_string())
            .bind(grant.batch.as_str())
            .bind(document(grant)?)
            .execute(w.conn())
            .await
            .map(|_| ())
            .map_err(|e| {
                violation(e, &format!("grant {} exists", grant.id), "the granting department")
            });
        w.finish(res, ev).await
    }

    async fn put_readiness(
        &self,
        readiness: &quanze_core::Readiness,
        ev: NewEvent,
    ) -> Result<Receipt, StoreError> {
        const UPSERT_READINESS: &str = "INSERT INTO readiness (grant_id, town, doc) VALUES ($1, $2, $3) \
             ON CONFLICT (grant_id, town) DO UPDATE SET doc = excluded.doc";
        // Names of staff and officers' certificate numbers: sealed at rest when there is a key.
        let doc = crate::reseal::seal_stored(self.sealer().as_deref(), document(readiness)?);
        let mut w = self.begin_write().await?;
        let res = sqlx::query(UPSERT_READINESS)
            .bind(readiness.grant.to_string())
            .bind(readiness.town.to_string())
            .bind(doc)
            .execute(w.conn())
            .await
            .map(|_| ())
            .map_err(|e| violation(e, "readiness", "the grant or the town"));
        w.finish(res, ev).await
    }

    async fn put_reclaim(
        &self,
        reclaim: &quanze_core::GrantReclaim,
        ev: NewEvent,
    ) -> Result<Receipt, StoreError> {
        const INSERT_RECLAIM: &str =
            "INSERT INTO reclaims (id, grant_id, town, doc) VALUES ($1, $2, $3, $4)";
        let mut w = self.begin_write().await?;
        let res = sqlx::query(INSERT_RECLAIM)
            .bind(reclaim.id.to_string())
            .bind(reclaim.grant.to_string())
            .bind(reclaim.town.to_string())
            .bind(document(reclaim)?)
            .execute(w.conn())
            .await
            .map(|_| ())
            .map_err(|e| {
                violation(e, &format!("reclaim {} exists", reclaim.id), "the grant or the town")
            });
        w.finish(res, ev).await
    }

    async fn put_establishment(
        &self,
        establishment: &quanze_core::Establishment,
        ev: NewEvent,
    ) -> Result<Receipt, StoreError> {
        const UPSERT_ESTABLISHMENT: &str = "INSERT INTO establishment (id, doc) VALUES (1, $1) \
             ON CONFLICT (id) DO UPDATE SET doc = excluded.doc";
        let mut w = self.begin_write().await?;
        let res = sqlx::query(UPSERT_ESTABLISHMENT)
            .bind(document(establishment)?)
            .execute(w.conn())
            .await
            .map(|_| ())
            .map_err(StoreError::from);
        w.finish(res, ev).await
    }
}
