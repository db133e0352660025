//! Cross-site request refusal for every state-changing route, server functions included.
//!
//! Browsers say where a request comes from in `Sec-Fetch-Site`; older ones only send
//! `Origin`, which must then name this host. A request with neither did not come from a
//! browser (curl, an API client) and carries no ambient cookie risk. This is the algorithm
//! of Go's `http.CrossOriginProtection`.

use axum::body::Body;
use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    Allow,
    Refuse,
}

pub fn judge(method: &Method, headers: &HeaderMap) -> Verdict {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return Verdict::Allow;
    }
    if let Some(site) = headers.get("sec-fetch-site") {
        return match site.as_bytes() {
            b"same-origin" | b"none" => Verdict::Allow,
            _ => Verdict::Refuse,
        };
    }
    let Some(origin) = headers.get(header::ORIGIN) else {
        return Verdict::Allow;
    };
    let (Ok(origin), Some(Ok(host))) = (
        origin.to_str(),
        headers.get(header::HOST).map(|h| h.to_str()),
    ) else {
        return Verdict::Refuse;
    };
    let origin_host = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"));
    if origin_host == Some(host) {
        Verdict::Allow
    } else {
        Verdict::Refuse
    }
}

pub async fn refuse_cross_site(request: Request<Body>, next: Next) -> Response {
    match judge(request.method(), request.headers()) {
        Verdict::Allow => next.run(request).await,
        Verdict::Refuse => {
            tracing::warn!(path = %request.uri().path(), "cross-site request refused");
            (
                StatusCode::FORBIDDEN,
                "Cross-site request refused: this action must come from the portal's own pages.",
            )
                .into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, value.parse().unwrap());
        }
        map
    }

    #[test]
    fn judges_requests_by_their_provenance() {
        use Verdict::*;
        type Case = (Method, &'static [(&'static str, &'static str)], Verdict);
        let cases: &[Case] = &[
            (Method::GET, &[("sec-fetch-site", "cross-site")], Allow),
            (Method::HEAD, &[("origin", "https://evil.example")], Allow),
            (Method::POST, &[("sec-fetch-site", "same-origin")], Allow),
            (Method::POST, &[("sec-fetch-site", "none")], Allow),
            (Method::POST, &[("sec-fetch-site", "cross-site")], Refuse),
            (Method::POST, &[("sec-fetch-site", "same-site")], Refuse),
            (
                Method::POST,
                &[
                    ("sec-fetch-site", "cross-site"),
                    ("origin", "http://portal:3000"),
                    ("host", "portal:3000"),
                ],
                Refuse,
            ),
            (
                Method::POST,
                &[("origin", "http://portal:3000"), ("host", "portal:3000")],
                Allow,
            ),
            (
                Method::PUT,
                &[("origin", "https://portal"), ("host", "portal")],
                Allow,
            ),
            (
                Method::POST,
                &[("origin", "http://evil.example"), ("host", "portal:3000")],
                Refuse,
            ),
            (
                Method::DELETE,
                &[("origin", "null"), ("host", "portal")],
                Refuse,
            ),
            (Method::POST, &[("origin", "http://portal:3000")], Refuse),
            (Method::POST, &[], Allow),
            (Method::PATCH, &[("host", "portal")], Allow),
        ];
        for (method, pairs, expected) in cases {
            let hdrs = headers(pairs);
            assert_eq!(&judge(method, &hdrs), expected, "{method} {pairs:?}");
        }
    }
}
