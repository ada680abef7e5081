//! Devolution (赋权) and authority (职权) as the API answers them: a recorded grant, a town's
//! readiness, overrides and reclaims, and "may this unit exercise this power on this day".

use chrono::NaiveDate;
use quanze_core::{Exercise, GrantId, ItemId, ReadinessState, UnitId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::Receipt;
use crate::Service;
use crate::auth::CurrentUser;
use crate::devolution::{GrantView, NewGrant, ReadinessInput};
use crate::error::ServiceResult;

/// The answer to recording a grant: the grant with its towns' standing, and the ledger leaf.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GrantReceipt {
    /// The grant recorded.
    pub grant: GrantView,
    /// Index of the ledger leaf of the write.
    pub leaf_index: u64,
}

/// The answer to recording a town's readiness (承接条件): its state after it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({ "state": { "state": "ready" }, "state_zh": "已具备承接条件", "leaf_index": 42 }))]
pub struct ReadinessReceipt {
    /// The readiness state: `{"state": "pending" | "ready" | …, …}`.
    #[schema(value_type = Object)]
    pub state: ReadinessState,
    /// The state in Chinese.
    pub state_zh: &'static str,
    /// Index of the ledger leaf of the write.
    pub leaf_index: u64,
}

/// An override (特批) of an incomplete checklist, or a reclaim (收回).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({ "reason": "县委编委会议决定", "effective_on": "2026-01-01" }))]
pub struct ReasonRequest {
    /// Why.
    pub reason: String,
    /// From which day.
    pub effective_on: NaiveDate,
    /// The document (reclaims).
    #[serde(default)]
    pub doc: Option<String>,
}

/// 职权 — whether a unit may exercise a power on a day, and how. `holds: false` answers carry
/// `message`; `holds: true` answers carry `exercise`, `exercise_zh`, `source` and `except_in`.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({ "holds": true, "date": "2026-01-15", "exercise": { "kind": "own_name" }, "exercise_zh": "以自己名义行使", "source": { "kind": "list", "list": "0190c3a4-7e1b-7c2d-9a51-3f0e2b6d8c12", "item_version": 1 }, "except_in": [] }))]
pub struct AuthorityAnswer {
    /// Whether the unit holds the power on the day.
    pub holds: bool,
    /// The day asked about.
    pub date: NaiveDate,
    /// Why not (when it does not hold it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<&'static str>,
    /// How it exercises it: `{"kind": "own_name"}`, `{"kind": "in_name_of", department}`,
    /// `review_only`, `accept_only` (with `department`) or `{"kind": "cooperate", lead}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub exercise: Option<Exercise>,
    /// How, in Chinese.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exercise_zh: Option<&'static str>,
    /// From where: `{"kind": "list", list, item_version}` or `{"kind": "grant", grant, from, item_version}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub source: Option<quanze_core::authority::Source>,
    /// Towns where the power has passed to the town by an active grant.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<String>>)]
    pub except_in: Option<Vec<UnitId>>,
}

impl Service {
    /// Every grant with each town's standing on `date` (default today).
    pub fn grant_list(&self, date: Option<NaiveDate>) -> Vec<GrantView> {
        self.grants(date.unwrap_or_else(|| self.today()))
    }

    /// Records a grant.
    pub async fn add_grant(&self, by: &CurrentUser, new: NewGrant) -> ServiceResult<GrantReceipt> {
        let (grant, leaf_index) = self.create_grant(by, new).await?;
        Ok(GrantReceipt { grant, leaf_index })
    }

    /// Records a town's readiness for a grant.
    pub async fn put_readiness(
        &self,
        by: &CurrentUser,
        grant: GrantId,
        town: UnitId,
        input: ReadinessInput,
    ) -> ServiceResult<ReadinessReceipt> {
        let (state, leaf_index) = self.record_readiness(by, grant, town, input).await?;
        Ok(ReadinessReceipt { state_zh: state.zh(), state, leaf_index })
    }

    /// Overrides a town's incomplete checklist (特批).
    pub async fn approve_override(
        &self,
        by: &CurrentUser,
        grant: GrantId,
        town: UnitId,
        body: &ReasonRequest,
    ) -> ServiceResult<Receipt> {
        let leaf_index =
            self.override_readiness(by, grant, town, &body.reason, body.effective_on).await?;
        Ok(Receipt { leaf_index })
    }

    /// Takes a granted power back from a town (收回).
    pub async fn take_back(
        &self,
        by: &CurrentUser,
        grant: GrantId,
        town: UnitId,
        body: ReasonRequest,
    ) -> ServiceResult<Receipt> {
        let leaf_index =
            self.reclaim(by, grant, town, body.effective_on, &body.reason, body.doc).await?;
        Ok(Receipt { leaf_index })
    }

    /// Whether `unit` may exercise `item` on `date` (default today), and how.
    pub fn authority(
        &self,
        unit: UnitId,
        item: ItemId,
        date: Option<NaiveDate>,
    ) -> AuthorityAnswer {
        let date = date.unwrap_or_else(|| self.today());
        match self.holds(unit, item, date) {
            None => AuthorityAnswer {
                holds: false,
                date,
                message: Some("该单位在该日不享有此项职权（法无授权不可为）"),
                exercise: None,
                exercise_zh: None,
                source: None,
                except_in: None,
            },
            Some(a) => AuthorityAnswer {
                holds: true,
                date,
                message: None,
                exercise_zh: Some(a.exercise.zh()),
                exercise: Some(a.exercise),
                source: Some(a.source),
                except_in: Some(a.except_in),
            },
        }
    }
}
