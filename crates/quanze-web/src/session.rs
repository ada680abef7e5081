//! 登录会话 — staff sign-in for the pages: tower-sessions with a store of our own over the
//! database, through the service (the published sqlx store lags sqlx 0.9). The cookie holds
//! only the session id; the database keeps the SM3 of that id, as it keeps tokens, so that a
//! copy of the database opens no one's session.
//!
//! Rules (those of the security issue, where it sets them): a session ends after 30 minutes
//! without a request (the cookie's and the row's expiry move with each request) and 12 hours
//! after signing in whatever happens; signing in gives a new session id (no fixation);
//! signing out deletes the row; an account that is gone or changed is read afresh on every
//! request, so its roles are those stored now. The cookie is `HttpOnly`, `SameSite=Lax`, and
//! `Secure` when the server is told it is behind HTTPS.

use std::sync::Arc;

use async_trait::async_trait;
use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use quanze_core::UserId;
use quanze_service::{CurrentUser, Service, ServiceError, StoredSession};
use tower_sessions::cookie::SameSite;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{Error, Result};
use tower_sessions::{Expiry, Session, SessionManagerLayer, SessionStore};

use crate::AppState;

/// The session's key for the signed-in account.
const USER: &str = "user";
/// The session's key for when the account signed in (Unix seconds).
const SIGNED_IN_AT: &str = "signed_in_at";

/// The sessions, in the database.
#[derive(Clone)]
pub struct DbSessions(pub Arc<Service>);

impl std::fmt::Debug for DbSessions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DbSessions")
    }
}

/// What the database keys a session by: the SM3 of its id.
fn key(id: &Id) -> String {
    quanze_service::auth::token_hash(&id.to_string())
}

fn stored(record: &Record) -> Result<StoredSession> {
    let user = record.data.get(USER).and_then(|v| v.as_str()).and_then(|s| s.parse().ok());
    Ok(StoredSession {
        record: serde_json::to_string(record).map_err(|e| Error::Encode(e.to_string()))?,
        user,
        expires_at: DateTime::from_timestamp(record.expiry_date.unix_timestamp(), 0)
            .unwrap_or(DateTime::<Utc>::MIN_UTC),
    })
}

fn backend(e: ServiceError) -> Error {
    Error::Backend(e.to_string())
}

#[async_trait]
impl SessionStore for DbSessions {
    async fn create(&self, record: &mut Record) -> Result<()> {
        // A new id until one is free (a collision of 128 random bits: never, in practice).
        for _ in 0..4 {
            match self.0.put_web_session(&key(&record.id), &stored(record)?, true).await {
                Ok(()) => return Ok(()),
                Err(ServiceError::Conflict(_)) => record.id = Id::default(),
                Err(e) => return Err(backend(e)),
            }
        }
        Err(Error::Backend("no free session id".into()))
    }

    async fn save(&self, record: &Record) -> Result<()> {
        self.0.put_web_session(&key(&record.id), &stored(record)?, false).await.map_err(backend)
    }

    async fn load(&self, id: &Id) -> Result<Option<Record>> {
        let Some(found) = self.0.web_session(&key(id)).await.map_err(backend)? else {
            return Ok(None);
        };
        serde_json::from_str(&found.record).map(Some).map_err(|e| Error::Decode(e.to_string()))
    }

    async fn delete(&self, id: &Id) -> Result<()> {
        self.0.end_web_session(&key(id)).await.map_err(backend)
    }
}

/// The session layer: the cookie `quanze_session`, idle expiry.
pub fn layer(service: Arc<Service>, secure: bool) -> SessionManagerLayer<DbSessions> {
    let service_policy = service.session_policy();
    SessionManagerLayer::new(DbSessions(service))
        .with_name("quanze_session")
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(secure)
        .with_expiry(idle_expiry(&service_policy))
}

/// The session policy's idle time as the session layer's expiry.
fn idle_expiry(policy: &quanze_service::SessionPolicy) -> Expiry {
    Expiry::OnInactivity(tower_sessions::cookie::time::Duration::minutes(policy.idle_minutes))
}

/// Signs `user` in on this session: a new id, the account and the time.
pub async fn sign_in(
    session: &Session,
    user: &CurrentUser,
    now: DateTime<Utc>,
) -> std::result::Result<(), tower_sessions::session::Error> {
    session.cycle_id().await?;
    session.insert(USER, user.id.to_string()).await?;
    session.insert(SIGNED_IN_AT, now.timestamp()).await?;
    Ok(())
}

/// Ends the session.
pub async fn sign_out(
    session: &Session,
) -> std::result::Result<(), tower_sessions::session::Error> {
    session.delete().await
}

/// The account this session is signed in as, within the absolute limit; else whether it had
/// been signed in and has now expired (the session then ends). The account itself is read
/// afresh by [`Staff`].
pub(crate) async fn signed_in_account(
    session: &Session,
    now: DateTime<Utc>,
    policy: &quanze_service::SessionPolicy,
) -> std::result::Result<UserId, bool> {
    let user: Option<String> = session.get(USER).await.unwrap_or_default();
    let Some(user) = user.and_then(|u| u.parse::<UserId>().ok()) else {
        return Err(false);
    };
    let since: i64 = session.get(SIGNED_IN_AT).await.unwrap_or_default().unwrap_or(0);
    if now.timestamp() - since > policy.absolute_hours * 3600 {
        let _ = session.flush().await;
        return Err(true);
    }
    Ok(user)
}

/// A signed-in member of staff, for the workbench's pages. Without one (never signed in,
/// idle too long, past the absolute limit, an account that is gone), the page answers with a
/// redirect to the sign-in page, which brings the reader back here afterwards.
pub struct Staff(pub CurrentUser);

impl FromRequestParts<AppState> for Staff {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> std::result::Result<Staff, Response> {
        let here = parts.uri.path_and_query().map_or("/staff", |p| p.as_str()).to_owned();
        let to_sign_in = |expired: bool| {
            let mut to = format!("/staff/login?next={}", crate::routes::portal::encode(&here));
            if expired {
                to.push_str("&expired=1");
            }
            Redirect::to(&to).into_response()
        };
        let session =
            Session::from_request_parts(parts, state).await.map_err(|(status, msg)| {
                tracing::error!(%status, msg, "the session layer is missing");
                StatusCode::INTERNAL_SERVER_ERROR.into_response()
            })?;
        let policy = state.service.session_policy();
        let user = match signed_in_account(&session, state.service.now(), &policy).await {
            Ok(user) => user,
            Err(expired) => return Err(to_sign_in(expired)),
        };
        match state.service.session_user(user).await {
            Ok(current) => {
                // Setting the expiry marks the session changed, so the layer saves it at the
                // end of this request: the row's expiry and the cookie's move 30 minutes on.
                session.set_expiry(Some(idle_expiry(&policy)));
                Ok(Staff(current))
            }
            Err(_) => {
                let _ = session.flush().await;
                Err(to_sign_in(true))
            }
        }
    }
}
