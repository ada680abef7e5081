//! What every page needs, embedded in the binary (nothing is loaded from the internet): the
//! stylesheet, htmx (vendored, 2.0.11, Zero-Clause BSD: `assets/vendor/htmx-LICENSE.txt`) and
//! a few lines of our own script; and the security headers every answer carries.

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::AppState;

const CSS: &str = include_str!("../assets/quanze.css");
const JS: &str = include_str!("../assets/quanze.js");
const HTMX: &str = include_str!("../assets/vendor/htmx-2.0.11.min.js");
const ICON: &str = include_str!("../assets/favicon.svg");
const VERIFY: &str = include_str!("../assets/verify.js");
/// sm-crypto 0.5.8's SM3 (MIT: `assets/vendor/sm-crypto-LICENCE.txt`), for receipts checked
/// in the browser.
const SM3: &str = include_str!("../assets/vendor/sm3-0.5.8.min.js");

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/assets/quanze.css", get(|| async { asset("text/css; charset=utf-8", CSS) }))
        .route("/assets/quanze.js", get(|| async { asset(JS_TYPE, JS) }))
        .route("/assets/htmx.min.js", get(|| async { asset(JS_TYPE, HTMX) }))
        .route("/assets/verify.js", get(|| async { asset(JS_TYPE, VERIFY) }))
        .route("/assets/sm3.min.js", get(|| async { asset(JS_TYPE, SM3) }))
        .route("/assets/favicon.svg", get(|| async { asset("image/svg+xml", ICON) }))
        // Browsers ask for it whatever the page says.
        .route("/favicon.ico", get(|| async { asset("image/svg+xml", ICON) }))
}

const JS_TYPE: &str = "text/javascript; charset=utf-8";

fn asset(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            // Not fingerprinted: an hour, so that a new release is picked up the same day.
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
        .into_response()
}

/// The pages' content security policy: scripts, styles, images, requests and form posts from
/// this server only, no inline script, never framed.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
    img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; \
    object-src 'none'; frame-ancestors 'none'";

/// The API browser (Swagger UI, vendored) sets styles inline; it runs no inline script.
const DOCS_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
    img-src 'self' data:; connect-src 'self'; base-uri 'none'; object-src 'none'; \
    frame-ancestors 'none'";

/// Adds the security headers to every answer (pages, API and errors alike).
pub async fn security_headers(
    axum::extract::State(secure): axum::extract::State<bool>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path();
    let docs = path.starts_with("/api/v1/docs");
    // Sign-in answers (a token) and the staff's pages are never kept by a cache or a shared
    // browser's history.
    let private = path.starts_with("/api/v1/auth") || path.starts_with("/staff");
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    if private {
        headers.entry(header::CACHE_CONTROL).or_insert(HeaderValue::from_static("no-store"));
    }
    // Served over HTTPS (behind a proxy, `--https`): browsers keep to HTTPS for a year.
    if secure {
        headers
            .entry(header::STRICT_TRANSPORT_SECURITY)
            .or_insert(HeaderValue::from_static("max-age=31536000"));
    }
    let csp = if docs { DOCS_CSP } else { CSP };
    let set = [
        (header::CONTENT_SECURITY_POLICY, csp),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "same-origin"),
        (HeaderName::from_static("cross-origin-opener-policy"), "same-origin"),
        (
            HeaderName::from_static("permissions-policy"),
            "camera=(), microphone=(), geolocation=(), payment=()",
        ),
    ];
    for (name, value) in set {
        headers.entry(name).or_insert(HeaderValue::from_static(value));
    }
    response
}
