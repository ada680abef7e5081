//! Our extractors: axum's, with rejections turned into [`ApiError`] JSON, and the
//! authenticated user from a bearer token.

use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;
use quanze_service::CurrentUser;
use quanze_service::ErrorCode;

use crate::AppState;
use crate::error::ApiError;

/// Query string, rejected as `invalid_query`.
#[derive(Debug, axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct Query<T>(pub T);

/// Path parameters, rejected as `invalid_id`.
#[derive(Debug, axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct Path<T>(pub T);

/// JSON body, rejected as `invalid_body`.
#[derive(Debug, axum::extract::FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct Json<T>(pub T);

/// The caller, from `Authorization: Bearer <token>`. Writes require it.
#[derive(Debug, Clone)]
pub struct Auth(pub CurrentUser);

fn bearer(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(axum::http::header::AUTHORIZATION)?.to_str().ok()?;
    value.strip_prefix("Bearer ").map(str::trim)
}

impl FromRequestParts<AppState> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Auth, ApiError> {
        let Some(token) = bearer(parts) else {
            return Err(ApiError::new(
                ErrorCode::Unauthenticated,
                "此操作需要登录：请在请求头 Authorization 中提供 Bearer 令牌",
                "this action needs a bearer token",
            ));
        };
        Ok(Auth(state.service.authenticate(token).await?))
    }
}

/// The caller with the token it presented (to end it, or to keep it when ending the others).
#[derive(Debug, Clone)]
pub struct AuthToken(pub CurrentUser, pub String);

impl FromRequestParts<AppState> for AuthToken {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<AuthToken, ApiError> {
        let Auth(user) =
            <Auth as FromRequestParts<AppState>>::from_request_parts(parts, state).await?;
        let token = bearer(parts).unwrap_or_default().to_owned();
        Ok(AuthToken(user, token))
    }
}

/// The address a request comes from, when the server knows it: the peer of its connection, or,
/// when that peer is a trusted reverse proxy (`--trusted-proxy`), the nearest address in
/// `X-Forwarded-For` that is not one (a client can write any `X-Forwarded-For` it likes, so
/// only the part the trusted proxies appended counts).
#[derive(Debug, Clone, Copy)]
pub struct Source(pub Option<std::net::IpAddr>);

impl FromRequestParts<AppState> for Source {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Source, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|c| c.0.ip());
        let trusted = state.service.trusted_proxies();
        let Some(peer) = peer.filter(|p| trusted.contains(p)) else {
            return Ok(Source(peer));
        };
        let forwarded = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|a| a.trim().parse::<std::net::IpAddr>().ok())
            .collect::<Vec<_>>();
        let client = forwarded.into_iter().rev().find(|a| !trusted.contains(a));
        Ok(Source(Some(client.unwrap_or(peer))))
    }
}

impl OptionalFromRequestParts<AppState> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Option<Auth>, ApiError> {
        match bearer(parts) {
            None => Ok(None),
            Some(token) => Ok(Some(Auth(state.service.authenticate(token).await?))),
        }
    }
}
