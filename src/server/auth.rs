//! Logging in and out, and knowing who each request comes from.

use super::accounts::{AccountStore, AuditEntry, SeaOrmAccounts};
use super::passwords;
use super::AppState;
use crate::app::error::AppError;
use crate::app::types::SessionUser;
use assent_engine::UserName;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use serde::Deserialize;
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

pub async fn login(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    let accounts = state.accounts();
    let name = UserName::parse(&form.username).ok();
    let record = match &name {
        Some(name) => match accounts.find_login(name).await {
            Ok(record) => record,
            Err(error) => return AppErrorResponse::from(AppError::from(error)).into_response(),
        },
        None => None,
    };
    // Unknown users are checked against a dummy hash so that both failures take as long.
    let stored_hash = record
        .as_ref()
        .and_then(|r| r.password_hash.clone())
        .unwrap_or_else(|| state.dummy_password_hash.to_string());
    let password_matches = passwords::verify(stored_hash, form.password).await;
    let account = record.filter(|r| password_matches && !r.disabled && r.password_hash.is_some());
    let next = safe_next(&form.next);
    let audit_actor = name.as_ref().map(|n| n.to_string());

    let Some(account) = account else {
        audit(
            &accounts,
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
    };

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
        "/login" | "/logout" | "/lang" | "/healthz" | "/readyz" | "/favicon.ico" | "/mail-decision"
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

fn percent_encode(value: &str) -> String {
    let mut encoded = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                encoded.push(byte as char)
            }
            _ => encoded.push_str(&format!("%{byte:02X}")),
        }
    }
    encoded
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
