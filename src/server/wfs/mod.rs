//! The Workflow Management Service: the contract's operations as JSON over HTTP at
//! `POST /api/wfs/v1/{operation}` (`../shared/spec/workflow-service.md`). Every answer
//! is the operation's response object or a fault `{requestID, requestType, error,
//! errorMessage}`; a fault changes nothing.
//!
//! One module per operation family: `definitions` (listDefinitions), `instances`
//! (getInstance), `approval` (bulkApproval). The other operations of the contract answer
//! `invalidRequest` naming the operation as not offered yet.

mod approval;
mod definitions;
mod instances;

use super::accounts::AccountStore;
use super::auth::Viewer;
use super::AppState;
use crate::app::types::SessionUser;
use assent_engine::{Role, UserName};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// Request bodies larger than this are refused before parsing.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// The contract's fault codes (the `error` field).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum FaultCode {
    InvalidRequest,
    AuthenticationFailed,
    AccessDenied,
    WrongDomain,
    WorkflowNotFound,
    Conflict,
    InternalError,
}

impl FaultCode {
    fn status(self) -> StatusCode {
        match self {
            FaultCode::InvalidRequest | FaultCode::WrongDomain => StatusCode::BAD_REQUEST,
            FaultCode::AuthenticationFailed => StatusCode::UNAUTHORIZED,
            FaultCode::AccessDenied => StatusCode::FORBIDDEN,
            FaultCode::WorkflowNotFound => StatusCode::NOT_FOUND,
            FaultCode::Conflict => StatusCode::CONFLICT,
            FaultCode::InternalError => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// What went wrong, before the operation's name and request id are attached.
#[derive(Debug)]
pub struct Failure {
    pub code: FaultCode,
    pub message: String,
}

impl Failure {
    pub fn new(code: FaultCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

impl From<crate::server::workflow::WorkflowError> for Failure {
    fn from(error: crate::server::workflow::WorkflowError) -> Self {
        use crate::server::workflow::WorkflowError;
        match error {
            WorkflowError::WorkflowNotFound => {
                Failure::new(FaultCode::WorkflowNotFound, "no such workflow")
            }
            WorkflowError::Conflict | WorkflowError::Busy => Failure::new(
                FaultCode::Conflict,
                "the workflow changed concurrently or the database was busy; retry",
            ),
            other => {
                tracing::error!(error = %other, "workflow service");
                Failure::new(FaultCode::InternalError, "internal error")
            }
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Fault {
    #[serde(rename = "requestID", skip_serializing_if = "Option::is_none")]
    request_id: Option<String>,
    request_type: String,
    error: FaultCode,
    error_message: String,
}

fn fault(request_id: Option<String>, operation: &str, failure: Failure) -> Response {
    let status = failure.code.status();
    let mut response = (
        status,
        Json(Fault {
            request_id,
            request_type: operation.to_owned(),
            error: failure.code,
            error_message: failure.message,
        }),
    )
        .into_response();
    if status == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            header::HeaderValue::from_static("Basic realm=\"Assent\", charset=\"UTF-8\""),
        );
    }
    response
}

/// Who calls: the portal session's user, else HTTP Basic credentials.
async fn caller(
    state: &AppState,
    viewer: &Viewer,
    headers: &HeaderMap,
) -> Result<SessionUser, Failure> {
    if let Some(user) = &viewer.0 {
        return Ok(user.clone());
    }
    let refused = || Failure::new(FaultCode::AuthenticationFailed, "authentication failed");
    let encoded = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .ok_or_else(refused)?;
    let decoded = base64_decode(encoded.trim()).ok_or_else(refused)?;
    let (name, password) = decoded.split_once(':').ok_or_else(refused)?;
    let name = UserName::parse(name).ok();
    let accounts = state.accounts();
    let record = match &name {
        Some(name) => accounts.find_login(name).await.map_err(|error| {
            tracing::error!(%error, "loading a login");
            Failure::new(FaultCode::InternalError, "internal error")
        })?,
        None => None,
    };
    // An unknown user is checked against a dummy hash: both failures take as long.
    let stored_hash = record
        .as_ref()
        .and_then(|r| r.password_hash.clone())
        .unwrap_or_else(|| state.dummy_password_hash.to_string());
    let matches = super::passwords::verify(stored_hash, password.to_owned()).await;
    let record = record
        .filter(|r| matches && !r.disabled && r.password_hash.is_some())
        .ok_or_else(refused)?;
    accounts
        .find_session_user(record.user_id)
        .await
        .map_err(|error| {
            tracing::error!(%error, "loading a user");
            Failure::new(FaultCode::InternalError, "internal error")
        })?
        .ok_or_else(refused)
}

/// Standard base64 (as in HTTP Basic), without a dependency for twenty lines.
fn base64_decode(text: &str) -> Option<String> {
    let mut bits: u32 = 0;
    let mut count = 0;
    let mut bytes = Vec::with_capacity(text.len() * 3 / 4);
    for c in text.bytes().filter(|c| *c != b'=') {
        let value = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        };
        bits = (bits << 6) | u32::from(value);
        count += 6;
        if count >= 8 {
            count -= 8;
            bytes.push((bits >> count) as u8);
        }
    }
    String::from_utf8(bytes).ok()
}

/// The common parameters of every request.
pub struct Common {
    pub request_id: Option<String>,
    pub language: String,
}

/// Parses the body into the operation's request type; a mistake names the field.
fn parse_request<T: DeserializeOwned>(body: &[u8]) -> Result<T, Failure> {
    serde_json::from_slice(body).map_err(|error| {
        let message = error.to_string();
        // serde's messages name the field ("unknown field `x`", "missing field `y`",
        // "invalid type ... at line 1 column 9"); they carry no internals.
        Failure::new(
            FaultCode::InvalidRequest,
            format!("invalid request: {message}"),
        )
    })
}

/// Reads `requestID`, `domain` and `language` before the operation's own parsing, so a
/// fault can echo the request id even when the rest is malformed.
fn common(state: &AppState, body: &[u8]) -> Result<Common, (Option<String>, Failure)> {
    let value: serde_json::Value = serde_json::from_slice(body).map_err(|error| {
        (
            None,
            Failure::new(
                FaultCode::InvalidRequest,
                format!("invalid request: the body is not JSON ({error})"),
            ),
        )
    })?;
    let object = value.as_object().ok_or_else(|| {
        (
            None,
            Failure::new(
                FaultCode::InvalidRequest,
                "invalid request: the body is not a JSON object",
            ),
        )
    })?;
    let text = |name: &str| object.get(name).and_then(|v| v.as_str()).map(str::to_owned);
    let request_id = text("requestID");
    if let Some(domain) = text("domain") {
        if domain != state.config.domain {
            return Err((
                request_id,
                Failure::new(FaultCode::WrongDomain, format!("wrong domain {domain:?}")),
            ));
        }
    }
    let language = text("language").unwrap_or_else(|| "en".into());
    Ok(Common {
        request_id,
        language,
    })
}

/// `POST /api/wfs/v1/{operation}`.
pub async fn handle(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Path(operation): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let operation: String = operation.chars().take(64).collect();
    if body.len() > MAX_BODY_BYTES {
        return fault(
            None,
            &operation,
            Failure::new(
                FaultCode::InvalidRequest,
                format!("the request body is larger than {MAX_BODY_BYTES} bytes"),
            ),
        );
    }
    let common = match common(&state, &body) {
        Ok(common) => common,
        Err((request_id, failure)) => return fault(request_id, &operation, failure),
    };
    let user = match caller(&state, &viewer, &headers).await {
        Ok(user) => user,
        Err(failure) => return fault(common.request_id, &operation, failure),
    };
    let answer = match operation.as_str() {
        "listDefinitions" => definitions::list(&state, &common, &body).await,
        "getInstance" => instances::get(&state, &user, &common, &body).await,
        "bulkApproval" => approval::bulk(&state, &user, &common, &body).await,
        other => Err(Failure::new(
            FaultCode::InvalidRequest,
            format!("unknown or not yet offered operation {other:?}"),
        )),
    };
    match answer {
        Ok(mut value) => {
            if let (Some(object), Some(id)) = (value.as_object_mut(), &common.request_id) {
                object.insert("requestID".into(), serde_json::Value::String(id.clone()));
            }
            Json(value).into_response()
        }
        Err(failure) => fault(common.request_id, &operation, failure),
    }
}

/// Administrators may act for others (read their work, approve on their behalf).
pub fn may_act_for_others(user: &SessionUser) -> bool {
    user.has_role(Role::Admin)
}
