//! Security headers of every response: the Content-Security-Policy (a fresh nonce per
//! page for its one inline script, the hydration loader) and, behind TLS,
//! Strict-Transport-Security; and the bearer token a request carries.

use axum::extract::{Request, State};
use axum::http::{header, request::Parts, HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use leptos::nonce::Nonce;
use leptos::prelude::{provide_context, use_context};

/// The policy of everything but HTML pages (JSON, files, plain-text errors): nothing of
/// it runs as a page, so only framing, `<base>`, forms and plugins are restricted.
pub const STATIC_POLICY: &str =
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'";

/// One year, and every subdomain: once a browser saw it over TLS, it never again talks
/// to the portal in plain HTTP (where the Secure session cookie would not be sent anyway).
pub const HSTS: &str = "max-age=31536000; includeSubDomains";

/// The nonce of the page being answered, put into the request by [`security_headers`]
/// and handed to Leptos by [`provide_page_nonce`], so that the header and the page's
/// `<script nonce>` carry the same value.
#[derive(Clone, Debug)]
pub struct PageNonce(pub Nonce);

/// The policy of an HTML page. Scripts: only the portal's own files (`/pkg`), the inline
/// scripts carrying this response's nonce (the hydration loader, and the serialized
/// resources Leptos appends) and WebAssembly compilation; no `eval`, no inline event
/// handlers. Styles: only the portal's stylesheet. No inline `style` attributes are
/// allowed either: the pages use none (the views set classes only), so allowing them
/// would only help injected markup.
pub fn page_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; connect-src 'self'; \
         frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'"
    )
}

/// Middleware: a fresh nonce for each request; HTML answers get the page policy with that
/// nonce, other answers the static one; a handler that set its own policy keeps it (the
/// API documentation page, which has no script at all). HSTS when `secure` (the
/// session cookie is Secure, so the portal is served over TLS).
pub async fn security_headers(
    State(secure): State<bool>,
    mut request: Request,
    next: Next,
) -> Response {
    let nonce = Nonce::new();
    request.extensions_mut().insert(PageNonce(nonce.clone()));
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        let is_html = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("text/html"));
        let policy = if is_html {
            // The nonce is URL-safe base64: always a valid header value.
            HeaderValue::from_str(&page_policy(&nonce))
                .unwrap_or(HeaderValue::from_static(STATIC_POLICY))
        } else {
            HeaderValue::from_static(STATIC_POLICY)
        };
        headers.insert(header::CONTENT_SECURITY_POLICY, policy);
    }
    if secure {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(HSTS),
        );
    }
    response
}

/// Leptos context: replaces the nonce leptos_axum generated for the page (it generates
/// one itself, which no header would name) with this request's, which the
/// `Content-Security-Policy` header names. `HydrationScripts` and the resource scripts
/// read it through `use_nonce`.
pub fn provide_page_nonce() {
    if let Some(PageNonce(nonce)) =
        use_context::<Parts>().and_then(|parts| parts.extensions.get::<PageNonce>().cloned())
    {
        provide_context(nonce);
    }
}

/// The session cookie's name: with Secure cookies the `__Host-` prefix, which makes the
/// browser refuse the cookie unless it is Secure, has path `/` and no domain, so neither
/// a subdomain nor a plain-HTTP page can plant or overwrite it.
pub fn session_cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-assent_session"
    } else {
        "assent_session"
    }
}

/// The token of an `Authorization: Bearer …` header, trimmed; `None` when absent or empty.
pub fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|token| !token.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_policy_names_the_nonce_and_allows_no_inline_script_otherwise() {
        let policy = page_policy("abc_-1");
        assert!(policy.contains("script-src 'self' 'nonce-abc_-1' 'wasm-unsafe-eval';"));
        assert!(!policy.contains("unsafe-inline"));
        assert!(!policy.contains("'unsafe-eval'"));
        assert!(HeaderValue::from_str(&policy).is_ok());
    }

    #[test]
    fn the_secure_cookie_has_the_host_prefix() {
        assert_eq!(session_cookie_name(true), "__Host-assent_session");
        assert_eq!(session_cookie_name(false), "assent_session");
    }
}
