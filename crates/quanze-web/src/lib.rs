//! Quanze web layer: the JSON API under `/api/v1` (with its OpenAPI description and a
//! browsable page served from the binary) and the HTML pages. Handlers extract, call
//! `quanze-service`, and render; there are no business rules and no SQL here.

// utoipa's path and params derives expand to fully qualified paths of our own extractor types.
#![allow(unused_qualifications)]

pub mod assets;
pub mod charts;
pub mod error;
pub mod extract;
pub mod i18n;
pub mod routes;
pub mod session;
pub mod tls;

use std::future::Future;
use std::io;
use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use quanze_service::Service;
use tokio::net::TcpListener;
use tower_http::trace::TraceLayer;

/// A TLS server configuration ([`tls::server_config`]).
pub use tokio_rustls::rustls::ServerConfig as TlsServerConfig;

/// Shared state of every handler.
#[derive(Clone)]
pub struct AppState {
    /// The use cases.
    pub service: Arc<Service>,
    /// Whether the session cookie is marked `Secure` (the server is reached over HTTPS).
    pub secure_cookies: bool,
}

/// The largest request body accepted (an xlsx upload); larger ones get 413.
pub const MAX_BODY_BYTES: usize = 50 * 1024 * 1024;

/// The whole application.
pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(routes::pages::router())
        .merge(routes::portal::router())
        .merge(routes::staff::router())
        .merge(routes::password::router())
        .merge(routes::factors::router())
        .merge(routes::audit::router())
        .merge(routes::revisions::router())
        .merge(routes::item_editor::router())
        .merge(routes::grants::router())
        .merge(routes::apply::router())
        .merge(routes::law_pages::router())
        .merge(routes::track::router())
        .merge(assets::router())
        .merge(routes::api::router())
        .merge(routes::ledger::router())
        .merge(routes::laws::router())
        .merge(routes::changesets::router())
        .merge(routes::devolution::router())
        .merge(routes::cases::router())
        .merge(routes::materials::router())
        .merge(routes::reports::router())
        .merge(routes::calendar::router())
        .merge(routes::search::router())
        .merge(routes::api::docs())
        .route("/healthz", axum::routing::get(|| async { "ok" }))
        .fallback(routes::not_found)
        .method_not_allowed_fallback(routes::method_not_allowed)
        // Inside the session layer: it reads the session before a staff form's handler does.
        .layer(axum::middleware::from_fn_with_state(state.clone(), routes::staff::keep_typed_text))
        .layer(session::layer(state.service.clone(), state.secure_cookies))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        // 跨站请求防护: a write from another site's page is refused (tower-http's CSRF layer:
        // Sec-Fetch-Site, else Origin against Host; a request with neither carries no
        // browser's cookies). The API is bearer-token only, so only forms are at stake.
        .layer(tower_http::csrf::CsrfLayer::new().with_rejection_response(
            |e: tower_http::csrf::ProtectionError| {
                tracing::warn!(error = ?e.kind(), "a cross-site write was refused");
                routes::portal::error_page(
                    axum::http::StatusCode::FORBIDDEN,
                    "已拒绝",
                    "这次提交来自其他网站，已被拒绝。请在本站页面上重新填写并提交。",
                )
            },
        ))
        // 限流: writes counted by address and caller before any handler reads them.
        .layer(axum::middleware::from_fn_with_state(state.clone(), routes::write_limits))
        // 界面语言: each request's language, for every page rendered inside it.
        .layer(axum::middleware::from_fn_with_state(state.clone(), i18n::locale))
        // Inside the security headers: an early 414 or 431 carries them too.
        .layer(axum::middleware::from_fn(routes::request_limits))
        .layer(axum::middleware::from_fn_with_state(state.secure_cookies, assets::security_headers))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// The API's OpenAPI 3.1 document, as pretty JSON (what `/api/v1/openapi.json` serves).
pub fn openapi_json() -> String {
    use utoipa::OpenApi;
    routes::api::ApiDoc::openapi()
        .to_pretty_json()
        .expect("the OpenAPI document is plain data and always serialises")
}

/// Serves the application on a bound listener until `shutdown` completes.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    // The peer's address reaches handlers (`extract::Source`): the sign-in throttle counts by it.
    let app = router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app).with_graceful_shutdown(shutdown).await
}

/// Serves the application over HTTPS (`tls::TlsListener`) until `shutdown` completes. The
/// state should mark cookies `Secure`.
pub async fn serve_tls(
    listener: TcpListener,
    config: Arc<tokio_rustls::rustls::ServerConfig>,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    use axum::serve::ListenerExt as _;
    // `tap_io` with nothing to do: the tapped listener is the one axum gives the peer's
    // address to (`ConnectInfo<SocketAddr>`) for any listener.
    let listener = tls::TlsListener::new(listener, config)?.tap_io(|_| {});
    let app = router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app).with_graceful_shutdown(shutdown).await
}
