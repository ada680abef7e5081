//! 全程留痕: the ledger under `/api/v1/ledger` — the signed checkpoint with its cosignatures,
//! entries by range, inclusion and consistency proofs, receipts of single writes, and the
//! endpoint witnesses post their cosignatures to. Everything here is public: a proof is worth
//! something only if anyone can fetch it.

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use quanze_service::ErrorCode;
use quanze_service::ledger::{ConsistencyProof, InclusionProof, LedgerReceipt};
use quanze_service::views::{CosignView, EntryRange, LeafRef, LedgerHeadView};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{Path, Query};
use crate::routes::api::ErrorBody;

/// The largest cosigned note a witness may post.
const MAX_NOTE_BYTES: usize = 16 * 1024;

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/ledger", get(head))
        .route("/api/v1/ledger/checkpoint", get(checkpoint))
        .route("/api/v1/ledger/entries", get(entries))
        .route("/api/v1/ledger/proof/inclusion", get(inclusion))
        .route("/api/v1/ledger/proof/consistency", get(consistency))
        .route("/api/v1/ledger/receipts/{index}", get(receipt))
        .route("/api/v1/ledger/cosignatures", post(cosign))
}

#[utoipa::path(get, path = "/api/v1/ledger", operation_id = "ledger_head",
    responses((status = 200, description = "hash algorithm, size, root, origin and the log's public key", body = LedgerHeadView),
        (status = 500, description = "the store failed", body = ErrorBody)))]
pub(crate) async fn head(
    State(st): State<AppState>,
) -> Result<axum::Json<LedgerHeadView>, ApiError> {
    Ok(axum::Json(st.service.ledger_head_view().await?))
}

#[utoipa::path(get, path = "/api/v1/ledger/checkpoint", operation_id = "ledger_checkpoint",
    responses((status = 200, description = "the latest signed checkpoint (C2SP signed note) with witness cosignatures",
            body = String, content_type = "text/plain"),
        (status = 404, description = "no checkpoint signed yet", body = ErrorBody)))]
pub(crate) async fn checkpoint(State(st): State<AppState>) -> Result<Response, ApiError> {
    let Some(note) = st.service.latest_checkpoint().await? else {
        return Err(ApiError::new(
            ErrorCode::NotFound,
            "尚未签发检查点（服务未配置签名密钥，或账本为空）",
            "no checkpoint has been signed yet",
        ));
    };
    Ok(([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], note).into_response())
}

/// A range of leaf indexes `[start, end)`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct Range {
    /// First index.
    start: u64,
    /// One past the last index (at most 1,000 entries are returned).
    end: u64,
}

#[utoipa::path(get, path = "/api/v1/ledger/entries", operation_id = "ledger_entries", params(Range),
    responses((status = 200, description = "entries: index, leaf hash and the leaf (RFC 8785 canonical JSON of the event); an account's events (sign-ins, tokens, locks) are `withheld` (hash only) unless the caller has the audit role", body = EntryRange),
        (status = 400, description = "a bad range", body = ErrorBody),
        (status = 422, description = "a range beyond the tree", body = ErrorBody)))]
pub(crate) async fn entries(
    State(st): State<AppState>,
    reader: Option<crate::extract::Auth>,
    Query(r): Query<Range>,
) -> Result<axum::Json<EntryRange>, ApiError> {
    if r.start > r.end {
        return Err(ApiError::new(
            ErrorCode::InvalidQuery,
            "start 不能大于 end",
            "start must not exceed end",
        ));
    }
    let reader = reader.map(|crate::extract::Auth(user)| user);
    Ok(axum::Json(st.service.entry_range(reader.as_ref(), r.start, r.end).await?))
}

/// Which leaf, in which tree.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct InclusionParams {
    /// Leaf index (or give `leaf_hash`).
    index: Option<u64>,
    /// Hex leaf hash (or give `index`).
    leaf_hash: Option<String>,
    /// Tree size the proof is for.
    size: u64,
}

#[utoipa::path(get, path = "/api/v1/ledger/proof/inclusion", operation_id = "ledger_inclusion_proof", params(InclusionParams),
    responses((status = 200, description = "inclusion proof", body = InclusionProof),
        (status = 400, description = "neither or both of index and leaf_hash", body = ErrorBody),
        (status = 404, description = "no leaf with that hash", body = ErrorBody),
        (status = 422, description = "index or size beyond the tree", body = ErrorBody)))]
pub(crate) async fn inclusion(
    State(st): State<AppState>,
    Query(p): Query<InclusionParams>,
) -> Result<axum::Json<InclusionProof>, ApiError> {
    let leaf = match (p.index, p.leaf_hash) {
        (Some(index), None) => LeafRef::Index(index),
        (None, Some(hash)) => LeafRef::Hash(hash),
        _ => {
            return Err(ApiError::new(
                ErrorCode::InvalidQuery,
                "请给出 index 或 leaf_hash 之一",
                "give exactly one of index and leaf_hash",
            ));
        }
    };
    Ok(axum::Json(st.service.inclusion_of(leaf, p.size).await?))
}

/// Two tree sizes.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ConsistencyParams {
    /// Older size.
    first: u64,
    /// Newer size.
    second: u64,
}

#[utoipa::path(get, path = "/api/v1/ledger/proof/consistency", operation_id = "ledger_consistency_proof", params(ConsistencyParams),
    responses((status = 200, description = "consistency proof", body = ConsistencyProof),
        (status = 400, description = "missing sizes", body = ErrorBody),
        (status = 422, description = "sizes beyond the tree", body = ErrorBody)))]
pub(crate) async fn consistency(
    State(st): State<AppState>,
    Query(p): Query<ConsistencyParams>,
) -> Result<axum::Json<ConsistencyProof>, ApiError> {
    Ok(axum::Json(st.service.consistency_proof(p.first, p.second).await?))
}

#[utoipa::path(get, path = "/api/v1/ledger/receipts/{index}", operation_id = "ledger_receipt", params(("index" = u64, Path, description = "leaf index")),
    responses((status = 200, description = "the leaf, its inclusion proof and the signed checkpoint it is proven against; an account's event is `withheld` (hash only) unless the caller has the audit role", body = LedgerReceipt),
        (status = 400, description = "a malformed index", body = ErrorBody),
        (status = 404, description = "no such leaf, or no checkpoint covers it yet", body = ErrorBody)))]
pub(crate) async fn receipt(
    State(st): State<AppState>,
    reader: Option<crate::extract::Auth>,
    Path(index): Path<u64>,
) -> Result<axum::Json<LedgerReceipt>, ApiError> {
    let reader = reader.map(|crate::extract::Auth(user)| user);
    Ok(axum::Json(st.service.receipt_for(reader.as_ref(), index).await?))
}

#[utoipa::path(post, path = "/api/v1/ledger/cosignatures", operation_id = "ledger_cosign", request_body(content = String, content_type = "text/plain", description = "the checkpoint note with the witness's cosignature line"),
    responses((status = 200, description = "accepted witnesses", body = CosignView),
        (status = 400, description = "not UTF-8 text", body = ErrorBody),
        (status = 413, description = "the note is too large", body = ErrorBody),
        (status = 422, description = "not a cosignature by a trusted witness over a checkpoint of this log", body = ErrorBody)))]
pub(crate) async fn cosign(
    State(st): State<AppState>,
    body: axum::body::Bytes,
) -> Result<axum::Json<CosignView>, ApiError> {
    if body.len() > MAX_NOTE_BYTES {
        return Err(ApiError::new(
            ErrorCode::BodyTooLarge,
            "见证签名过大",
            "cosigned note too large",
        ));
    }
    let Ok(text) = std::str::from_utf8(&body) else {
        return Err(ApiError::new(
            ErrorCode::InvalidBody,
            "见证签名必须是 UTF-8 文本",
            "the note must be UTF-8 text",
        )
        .with_status(StatusCode::BAD_REQUEST));
    };
    Ok(axum::Json(st.service.witness_cosignature(text).await?))
}
