//! 安全审计 — the audit trail for the audit administrator (等保 2.0 L3 8.1.4.3: every user's
//! acts with date, time, user, event type and outcome; records protected against deletion and
//! change; 网络安全法 §21: kept at least six months).
//!
//! The trail is the ledger's own events, read with their personal data opened: so it is
//! protected by the ledger (a changed or removed record breaks the tree the checkpoints sign
//! and the witnesses cosign), it covers every act that wrote anything, and it is never
//! deleted (retention: the life of the database, well past six months). A sign-in and its
//! failures carry the client's address, kept as erasable personal data behind the leaf's
//! commitment. Only the audit role reads it; reading an export is itself recorded.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use quanze_core::access::Act;
use quanze_core::{Event, UserId};
use quanze_store::AuditFilter;

use crate::Service;
use crate::auth::CurrentUser;
use crate::error::{ErrorCode, ServiceError, ServiceResult};

/// The most records one page gives.
pub const MAX_PAGE: u32 = 1_000;
/// The most records one export gives.
pub const MAX_EXPORT: u32 = 100_000;

/// Which records to read.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    /// Records after this sequence number (the previous page's `next_after`; default 0).
    #[serde(default)]
    pub after: u64,
    /// Page size (default 100, at most 1,000).
    #[serde(default)]
    pub limit: Option<u32>,
    /// Kinds starting with this, e.g. `user.` for accounts and sign-ins.
    #[serde(default)]
    pub kind: Option<String>,
    /// By this account (id).
    #[serde(default)]
    #[param(value_type = Option<String>)]
    pub actor: Option<UserId>,
    /// At or after this instant (RFC 3339).
    #[serde(default)]
    pub from: Option<DateTime<Utc>>,
    /// Before this instant (RFC 3339).
    #[serde(default)]
    pub to: Option<DateTime<Utc>>,
}

/// 审计记录 — one act: who, when, from where, what, and how it ended.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct AuditRecord {
    /// The event's sequence number (its ledger leaf is one less).
    pub seq: u64,
    /// When.
    pub at: DateTime<Utc>,
    /// The account that acted (none for the system or an anonymous caller).
    #[schema(value_type = Option<String>)]
    pub actor: Option<UserId>,
    /// Its user name, as stored now.
    pub actor_name: Option<String>,
    /// What happened, e.g. `user.login_failed`.
    pub kind: String,
    /// To what, e.g. `user:<id>`.
    pub subject: String,
    /// `success` or `failure`.
    pub outcome: String,
    /// The client's address, for sign-ins and their failures.
    pub source: Option<String>,
    /// The details of the leaf.
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
    /// The personal data behind the leaf's commitment, unless erased.
    #[schema(value_type = Option<Object>)]
    pub personal: Option<serde_json::Value>,
}

/// A page of the trail.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct AuditPage {
    /// The records, in order.
    pub records: Vec<AuditRecord>,
    /// Pass as `after` for the next page; absent on the last.
    pub next_after: Option<u64>,
}

/// Whether an event records a failure.
fn outcome(kind: &str) -> &'static str {
    if kind.ends_with("_failed") || kind.ends_with(".refused") { "failure" } else { "success" }
}

impl Service {
    fn audit_filter(
        &self,
        by: &CurrentUser,
        q: &AuditQuery,
        limit: u32,
    ) -> ServiceResult<AuditFilter> {
        by.require_act(Act::ReadAudit, None)?;
        if let Some(kind) = &q.kind
            && !kind.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
        {
            return Err(ServiceError::rejected(
                ErrorCode::InvalidQuery,
                "事件类型只能含字母、数字、下划线和点，如 user.",
                "kind: letters, digits, '_' and '.' only",
            ));
        }
        Ok(AuditFilter {
            after: q.after,
            limit,
            kind_prefix: q.kind.clone(),
            actor: q.actor,
            from: q.from,
            to: q.to,
        })
    }

    async fn audit_records(&self, filter: &AuditFilter) -> ServiceResult<Vec<AuditRecord>> {
        let rows = self.store.audit_events(filter).await?;
        let mut names: HashMap<UserId, Option<String>> = HashMap::new();
        let mut records = Vec::with_capacity(rows.len());
        for (event, personal) in rows {
            let actor_name = match event.actor {
                Some(id) => match names.get(&id) {
                    Some(name) => name.clone(),
                    None => {
                        let name = self.store.user(id).await.ok().map(|u| u.username.to_string());
                        names.insert(id, name.clone());
                        name
                    }
                },
                None => None,
            };
            let personal = personal.map(|p| self.opened(p));
            records.push(record(event, personal, actor_name));
        }
        Ok(records)
    }

    /// Personal data with its sealed names opened (an account's display name is sealed with
    /// SM4 at rest; the auditor reads it).
    fn opened(&self, mut personal: serde_json::Value) -> serde_json::Value {
        let Some(key) = &self.config.cases.personal_key else { return personal };
        if let Some(obj) = personal.as_object_mut() {
            for value in obj.values_mut() {
                if let Some(text) = value.as_str()
                    && text.starts_with(crate::cases::personal::SEALED_TEXT)
                {
                    *value = key
                        .open_text(text)
                        .map_or(serde_json::Value::Null, serde_json::Value::String);
                }
            }
        }
        personal
    }

    /// 查阅审计记录 — a page of the trail (the audit role only).
    pub async fn audit_trail(&self, by: &CurrentUser, q: &AuditQuery) -> ServiceResult<AuditPage> {
        let limit = q.limit.unwrap_or(100).clamp(1, MAX_PAGE);
        let filter = self.audit_filter(by, q, limit)?;
        let records = self.audit_records(&filter).await?;
        self.record_audit_read(by, "audit.read", q, records.len()).await?;
        let next_after =
            (records.len() == limit as usize).then(|| records.last().map(|r| r.seq)).flatten();
        Ok(AuditPage { records, next_after })
    }

    /// 导出审计记录 — the trail as CSV (UTF-8 with a byte-order mark, so spreadsheet programs
    /// read the Chinese), at most [`MAX_EXPORT`] records; the export is itself recorded.
    pub async fn audit_csv(&self, by: &CurrentUser, q: &AuditQuery) -> ServiceResult<Vec<u8>> {
        let limit = q.limit.unwrap_or(MAX_EXPORT).clamp(1, MAX_EXPORT);
        let filter = self.audit_filter(by, q, limit)?;
        let records = self.audit_records(&filter).await?;
        let mut out = Vec::from("\u{feff}".as_bytes());
        {
            let mut w = csv::Writer::from_writer(&mut out);
            let header =
                ["序号", "时间（北京时间）", "账号", "事件", "对象", "结果", "来源地址", "详情"];
            let fail = |e: csv::Error| ServiceError::Internal(format!("writing CSV: {e}"));
            w.write_record(header).map_err(fail)?;
            for r in &records {
                let at = crate::beijing_time(r.at).format("%Y-%m-%d %H:%M:%S").to_string();
                let outcome = if r.outcome == "failure" { "失败" } else { "成功" };
                w.write_record([
                    r.seq.to_string().as_str(),
                    at.as_str(),
                    r.actor_name.as_deref().unwrap_or(""),
                    r.kind.as_str(),
                    r.subject.as_str(),
                    outcome,
                    r.source.as_deref().unwrap_or(""),
                    r.details.to_string().as_str(),
                ])
                .map_err(fail)?;
            }
            w.flush().map_err(|e| ServiceError::Internal(format!("writing CSV: {e}")))?;
        }
        self.record_audit_read(by, "audit.exported", q, records.len()).await?;
        Ok(out)
    }

    /// Records a reading of the trail: by whom, which records, how many.
    async fn record_audit_read(
        &self,
        by: &CurrentUser,
        kind: &str,
        q: &AuditQuery,
        count: usize,
    ) -> ServiceResult<()> {
        let payload = serde_json::json!({
            "records": count,
            "after": q.after,
            "kind": q.kind,
            "actor": q.actor,
            "from": q.from,
            "to": q.to,
        });
        let ev = self.event(Some(by), None, kind, "audit".to_owned(), payload);
        self.store.record_act(ev).await?;
        Ok(())
    }
}

fn record(
    event: Event,
    personal: Option<serde_json::Value>,
    actor_name: Option<String>,
) -> AuditRecord {
    let source =
        personal.as_ref().and_then(|p| p.get("source")).and_then(|s| s.as_str()).map(str::to_owned);
    // The audit trail shows the accounts' own personal data (names, addresses), never the
    // citizens' behind the other events (applicants, contacts, comments): those stay sealed
    // with their cases and behind their commitments.
    let personal = personal.filter(|_| {
        crate::ledger::is_account_event(&event.kind) || event.kind.starts_with("audit.")
    });
    AuditRecord {
        seq: event.seq,
        at: event.at,
        actor: event.actor,
        actor_name,
        outcome: outcome(&event.kind).to_owned(),
        kind: event.kind,
        subject: event.subject,
        source,
        details: event.payload,
        personal,
    }
}
