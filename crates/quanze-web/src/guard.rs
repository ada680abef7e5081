//! 跨站请求防护 — a form posted to a page from another site is refused before any handler
//! runs. The browser says where a request comes from: `Sec-Fetch-Site` (every current
//! browser), else `Origin`, which must name this server. A request with neither comes from
//! no browser (curl, a script) and carries no one's cookies, so it is let through; the JSON
//! API (`/api/`) is authorised by bearer tokens, never cookies, and is not a form target.

use axum::extract::Request;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;

/// Refuses a cross-site write to the pages with 403 and a page in Chinese.
pub async fn same_site_forms(request: Request, next: Next) -> Response {
    let writes = !matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if writes && !request.uri().path().starts_with("/api/") && cross_site(request.headers()) {
        tracing::warn!(path = %request.uri().path(), "a cross-site form post was refused");
        return crate::routes::portal::error_page(
            StatusCode::FORBIDDEN,
            "已拒绝",
            "这次提交来自其他网站，已被拒绝。请在本站页面上重新填写并提交。",
        );
    }
    next.run(request).await
}

/// Whether the browser says the request was made by another site's page.
fn cross_site(headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site") {
        return !matches!(site.to_str(), Ok("same-origin" | "none"));
    }
    let Some(origin) = headers.get(header::ORIGIN) else { return false };
    let origin_host = origin.to_str().ok().and_then(|o| o.split_once("://")).map(|(_, h)| h);
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    origin_host.is_none() || origin_host != host
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn what_the_browser_says_decides() {
        assert!(!cross_site(&headers(&[("sec-fetch-site", "same-origin")])));
        assert!(!cross_site(&headers(&[("sec-fetch-site", "none")])));
        assert!(cross_site(&headers(&[("sec-fetch-site", "cross-site")])));
        assert!(cross_site(&headers(&[("sec-fetch-site", "same-site")])));
        assert!(!cross_site(&headers(&[("origin", "http://a.gov:8080"), ("host", "a.gov:8080")])));
        assert!(cross_site(&headers(&[("origin", "http://evil.example"), ("host", "a.gov:8080")])));
        assert!(cross_site(&headers(&[("origin", "null"), ("host", "a.gov:8080")])));
        assert!(!cross_site(&headers(&[("host", "a.gov:8080")])), "no browser, no cookies");
    }
}
