//! Logging in and out, and knowing who each request comes from.

use super::accounts::{AccountStore, AuditEntry, LoginRecord, SeaOrmAccounts};
use super::passwords;
use super::throttle::Locked;
use super::AppState;
use crate::model::AppError;
use crate::model::SessionUser;
use assent_engine::UserName;
use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use serde::Deserialize;
use std::net::{IpAddr, SocketAddr};
use tower_sessions::Session;

const SESSION_USER_ID: &str = "user_id";
const SESSION_LOGIN_AT: &str = "login_at";

/// Who sent the request; `None` for anonymous requests. Every request past the session
/// layer carries one in its extensions.
#[derive(Debug, Clone)]
pub struct Viewer(pub Option<SessionUser>);

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

pub fn request_id(headers: &HeaderMap) -> Option<String> {
    headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(|v| v.chars().take(64).collect())
}

/// Why a password check let nobody in.
#[derive(Debug)]
pub enum PasswordRefused {
    /// The account or the client address is locked out (or this failure locked it).
    Locked(Locked),
    /// Wrong password, unknown or disabled account: the same to the caller.
    Wrong,
    Database(sea_orm::DbErr),
}

/// Checks a user name and password sent from `address` (the login page or HTTP Basic,
/// named by `channel` in the audit trail) behind the throttle: while the account or the
/// address is locked out nothing is looked up or hashed; a failure is counted and, when
/// it starts a lockout, audited and answered as [`PasswordRefused::Locked`]; a success
/// wipes the account's failures.
pub async fn check_password(
    state: &AppState,
    username: &str,
    password: String,
    address: IpAddr,
    channel: &'static str,
    request_id: Option<String>,
) -> Result<LoginRecord, PasswordRefused> {
    let throttle = &state.throttle;
    if let Err(locked) = throttle.check(username, address) {
        tracing::warn!(%address, retry_after = locked.seconds(), "password check refused: locked out");
        return Err(PasswordRefused::Locked(locked));
    }
    let accounts = state.accounts();
    let record = match UserName::parse(username) {
        Ok(name) => accounts
            .find_login(&name)
            .await
            .map_err(PasswordRefused::Database)?,
        Err(_) => None,
    };
    // Unknown users are checked against a dummy hash so that both failures take as long.
    let stored_hash = record
        .as_ref()
        .and_then(|r| r.password_hash.clone())
        .unwrap_or_else(|| state.dummy_password_hash.to_string());
    // Asked again once a hashing slot is free: a lockout may have begun while waiting.
    let matches = passwords::verify_if(stored_hash, password, || throttle.check(username, address))
        .await
        .map_err(PasswordRefused::Locked)?;
    if let Some(record) = record.filter(|r| matches && !r.disabled && r.password_hash.is_some()) {
        throttle.succeeded(username);
        return Ok(record);
    }
    let started = throttle.failed(username, address);
    let shown: String = username.chars().take(64).collect();
    let mut longest = None;
    for (lockout, what) in [
        (started.account, format!("account {shown:?}")),
        (started.address, format!("address {address}")),
    ] {
        let Some(lockout) = lockout else { continue };
        longest = longest.max(Some(lockout));
        audit(
            &accounts,
            AuditEntry {
                actor: None,
                action: "login.locked",
                detail: format!(
                    "{what} locked out for {} s after repeated failed password checks ({channel}; account {shown:?} from {address})",
                    lockout.as_secs()
                ),
                request_id: request_id.clone(),
            },
        )
        .await;
    }
    match longest {
        Some(retry_after) => Err(PasswordRefused::Locked(Locked { retry_after })),
        None => Err(PasswordRefused::Wrong),
    }
}

pub async fn login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    session: Session,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    let next = safe_next(&form.next);
    let name = UserName::parse(&form.username).ok();
    let audit_actor = name.as_ref().map(|n| n.to_string());
    let checked = check_password(
        &state,
        &form.username,
        form.password,
        peer.ip(),
        "login page",
        request_id(&headers),
    )
    .await;
    let account = match checked {
        Ok(account) => account,
        Err(PasswordRefused::Database(error)) => {
            return AppErrorResponse::from(AppError::from(error)).into_response()
        }
        Err(PasswordRefused::Locked(locked)) => return locked_out(&headers, &next, locked),
        Err(PasswordRefused::Wrong) => {
            audit(
                &state.accounts(),
                AuditEntry {
                    actor: None,
                    action: "login.failed",
                    detail: format!(
                        "user name {:?}",
                        audit_actor.unwrap_or_else(|| "(invalid)".into())
                    ),
                    request_id: request_id(&headers),
                },
            )
            .await;
            let mut target = String::from("/login?error=credentials");
            if next != "/" {
                target.push_str("&next=");
                target.push_str(&percent_encode(&next));
            }
            return Redirect::to(&target).into_response();
        }
    };
    let accounts = state.accounts();

    // A fresh session id at login defeats session fixation.
    let stored = async {
        session.cycle_id().await?;
        session.insert(SESSION_USER_ID, account.user_id).await?;
        session
            .insert(SESSION_LOGIN_AT, chrono::Utc::now().timestamp())
            .await
    }
    .await;
    if let Err(error) = stored {
        tracing::error!(%error, "cannot store the session");
        return AppErrorResponse::from(AppError::Internal).into_response();
    }
    audit(
        &accounts,
        AuditEntry {
            actor: audit_actor,
            action: "login.succeeded",
            detail: String::new(),
            request_id: request_id(&headers),
        },
    )
    .await;
    Redirect::to(&next).into_response()
}

pub async fn logout(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    Extension(viewer): Extension<Viewer>,
) -> Response {
    if let Err(error) = session.flush().await {
        tracing::error!(%error, "cannot end the session");
        return AppErrorResponse::from(AppError::Internal).into_response();
    }
    if let Some(user) = viewer.0 {
        audit(
            &state.accounts(),
            AuditEntry {
                actor: Some(user.username.to_string()),
                action: "logout",
                detail: String::new(),
                request_id: request_id(&headers),
            },
        )
        .await;
    }
    Redirect::to("/login?logged_out=1").into_response()
}

/// A locked-out login: `429` with `Retry-After`, and a page that goes straight back to
/// the login form, which says how long to wait (a plain HTML form gets no script).
fn locked_out(headers: &HeaderMap, next: &str, locked: Locked) -> Response {
    use crate::app::i18n::{t, Lang};
    let lang = Lang::for_request(
        headers.get(header::COOKIE).and_then(|v| v.to_str().ok()),
        headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    );
    let seconds = locked.seconds();
    let mut target = format!("/login?error=locked&wait={seconds}");
    if next != "/" {
        target.push_str("&next=");
        target.push_str(&percent_encode(next));
    }
    let target = target.replace('&', "&amp;");
    let message = crate::app::pages::login::locked_message(lang, seconds);
    let page = format!(
        "<!DOCTYPE html><html lang=\"{code}\"><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"refresh\" content=\"0; url={target}\">\
         <title>{title}</title><link rel=\"stylesheet\" href=\"/pkg/assent.css\"></head>\
         <body><main class=\"login-page\"><section class=\"login-card\">\
         <p class=\"alert alert-error\" role=\"alert\">{message}</p>\
         <p><a href=\"{target}\">{back}</a></p></section></main></body></html>",
        code = lang.code(),
        title = t(lang, "Log in"),
        back = t(lang, "Back to the login page"),
    );
    let mut response = (StatusCode::TOO_MANY_REQUESTS, Html(page)).into_response();
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    response
}

async fn audit(accounts: &SeaOrmAccounts, entry: AuditEntry) {
    if let Err(error) = accounts.record_audit(entry).await {
        tracing::error!(%error, "cannot write the audit trail");
    }
}

/// Resolves the session's user once per request and hands it on as a [`Viewer`].
pub async fn resolve_viewer(
    State(state): State<AppState>,
    session: Session,
    mut request: Request<Body>,
    next: Next,
) -> Response {
    let viewer = match load_viewer(&state, &session).await {
        Ok(viewer) => viewer,
        Err(error) => return AppErrorResponse::from(error).into_response(),
    };
    request.extensions_mut().insert(Viewer(viewer));
    next.run(request).await
}

async fn load_viewer(state: &AppState, session: &Session) -> Result<Option<SessionUser>, AppError> {
    let session_error = |error: tower_sessions::session::Error| {
        tracing::error!(%error, "session store error");
        AppError::Internal
    };
    let Some(user_id) = session
        .get::<i32>(SESSION_USER_ID)
        .await
        .map_err(session_error)?
    else {
        return Ok(None);
    };
    let login_at = session
        .get::<i64>(SESSION_LOGIN_AT)
        .await
        .map_err(session_error)?
        .unwrap_or(0);
    let age_seconds = chrono::Utc::now().timestamp() - login_at;
    if age_seconds > i64::from(state.config.session_max_hours) * 3600 {
        session.flush().await.map_err(session_error)?;
        return Ok(None);
    }
    match state.accounts().find_session_user(user_id).await? {
        Some(user) => Ok(Some(user)),
        None => {
            // The account was removed or disabled since login: the session dies with it.
            session.flush().await.map_err(session_error)?;
            Ok(None)
        }
    }
}

/// Pages need a login; anonymous visitors are sent to the login page and come back after.
/// Server functions and the API answer for themselves, with a status instead of a redirect.
pub async fn require_login(
    Extension(viewer): Extension<Viewer>,
    request: Request<Body>,
    next: Next,
) -> Response {
    let path = request.uri().path();
    if path == "/login" && viewer.0.is_some() && request.method() == Method::GET {
        return Redirect::to("/").into_response();
    }
    if viewer.0.is_some() || is_public(path) {
        return next.run(request).await;
    }
    if matches!(*request.method(), Method::GET | Method::HEAD) {
        let wanted = request
            .uri()
            .path_and_query()
            .map(|pq| pq.as_str())
            .unwrap_or("/");
        let target = if wanted == "/" {
            "/login".to_owned()
        } else {
            format!("/login?next={}", percent_encode(wanted))
        };
        return Redirect::to(&target).into_response();
    }
    AppErrorResponse::from(AppError::Unauthenticated).into_response()
}

fn is_public(path: &str) -> bool {
    matches!(
        path,
        "/login"
            | "/logout"
            | "/lang"
            | "/healthz"
            | "/readyz"
            | "/metrics"
            | "/favicon.ico"
            | "/mail-decision"
    ) || path.starts_with("/app/")
        || path.starts_with("/api/")
        || path.starts_with("/pkg/")
}

/// Only paths inside the portal may be a post-login destination (no open redirect).
pub fn safe_next(candidate: &str) -> String {
    let acceptable = candidate.starts_with('/')
        && !candidate.starts_with("//")
        && !candidate.starts_with("/\\")
        && !candidate.starts_with("/login")
        && !candidate.starts_with("/logout")
        && candidate.len() <= 2048
        && !candidate.chars().any(|c| c.is_control());
    if acceptable {
        candidate.to_owned()
    } else {
        "/".to_owned()
    }
}

/// What a path keeps unencoded in a query value: the unreserved characters and `/` (so the
/// `next` parameter stays readable); `?`, `&`, `=`, `%` and the rest are encoded.
const QUERY_VALUE: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b'/');

fn percent_encode(value: &str) -> String {
    percent_encoding::utf8_percent_encode(value, QUERY_VALUE).to_string()
}

/// An [`AppError`] as an HTTP answer outside server functions: its status and its safe text.
pub struct AppErrorResponse(pub AppError);

impl From<AppError> for AppErrorResponse {
    fn from(error: AppError) -> Self {
        Self(error)
    }
}

impl IntoResponse for AppErrorResponse {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.0.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (status, self.0.to_string()).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed_after_login() {
        let cases = [
            ("/worklist", "/worklist"),
            ("/requests?state=RUNNING", "/requests?state=RUNNING"),
            ("", "/"),
            ("https://evil.example/", "/"),
            ("//evil.example/", "/"),
            ("/\\evil.example", "/"),
            ("/login?next=/admin", "/"),
            ("/logout", "/"),
            ("/ok\r\nSet-Cookie: x", "/"),
            ("javascript:alert(1)", "/"),
        ];
        for (candidate, expected) in cases {
            assert_eq!(safe_next(candidate), expected, "{candidate:?}");
        }
    }

    #[test]
    fn encodes_a_path_for_a_query_value() {
        assert_eq!(
            percent_encode("/requests?a=1&b=2"),
            "/requests%3Fa%3D1%26b%3D2"
        );
        assert_eq!(percent_encode("/ü"), "/%C3%BC");
    }
}
