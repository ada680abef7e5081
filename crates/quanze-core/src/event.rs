//! Events: one per write, the trace that the ledger hangs off (全程留痕).

use chrono::{DateTime, Utc};

use crate::ids::{UnitId, UserId};

/// 事件 — one write: who did what to which subject, when. Its canonical bytes become a ledger
/// leaf; personal data must never be put in `payload` in clear.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Event {
    /// Gap-free sequence number, assigned by the store in the write's transaction.
    pub seq: u64,
    /// When.
    pub at: DateTime<Utc>,
    /// Who (absent for system actions such as the demo loader).
    pub actor: Option<UserId>,
    /// The unit the actor acted for, when relevant.
    pub unit: Option<UnitId>,
    /// What happened, e.g. `list.version.published`.
    pub kind: String,
    /// The subject, e.g. `list_version:<uuid>`.
    pub subject: String,
    /// Details.
    pub payload: serde_json::Value,
}
