//! The Workflow Management Service: the contract's operations as JSON over HTTP at
//! `POST /api/wfs/v1/{operation}` (`../shared/spec/workflow-service.md`). Every answer
//! is the operation's response object or a fault `{requestID, requestType, error,
//! errorMessage}`; a fault changes nothing.
//!
//! Each operation is a type implementing [`Operation`]: its request and response types
//! are what the handler parses and answers, and what `openapi` describes. One module per
//! operation family.

mod activation;
mod approval;
pub mod contract;
mod control;
mod creation;
mod definitions;
mod instances;
pub mod openapi;
mod schema_check;
mod waiting;

use super::accounts::AccountStore;
use super::auth::Viewer;
use super::AppState;
use crate::app::types::SessionUser;
use assent_engine::{Role, UserName};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use contract::CommonParameters;
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use std::future::Future;

/// Request bodies larger than this are refused before parsing.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// The contract's fault codes (the `error` field).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum FaultCode {
    InvalidRequest,
    AuthenticationFailed,
    AccessDenied,
    WrongDomain,
    WorkflowNotFound,
    ActivityNotFound,
    DefinitionNotFound,
    NoApplicableDefinition,
    InvalidState,
    Conflict,
    InvalidActivationKey,
    InternalError,
}

impl FaultCode {
    pub fn status(self) -> StatusCode {
        match self {
            FaultCode::InvalidRequest | FaultCode::WrongDomain => StatusCode::BAD_REQUEST,
            FaultCode::AuthenticationFailed => StatusCode::UNAUTHORIZED,
            FaultCode::AccessDenied | FaultCode::InvalidActivationKey => StatusCode::FORBIDDEN,
            FaultCode::WorkflowNotFound
            | FaultCode::ActivityNotFound
            | FaultCode::DefinitionNotFound => StatusCode::NOT_FOUND,
            FaultCode::InvalidState | FaultCode::Conflict => StatusCode::CONFLICT,
            FaultCode::NoApplicableDefinition => StatusCode::UNPROCESSABLE_ENTITY,
            FaultCode::InternalError => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// Faults any operation may answer.
pub const COMMON_FAULTS: &[FaultCode] = &[
    FaultCode::InvalidRequest,
    FaultCode::AuthenticationFailed,
    FaultCode::WrongDomain,
    FaultCode::InternalError,
];

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

    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(
            FaultCode::InvalidRequest,
            format!("invalid request: {}", message.into()),
        )
    }

    /// Says no without saying whether the object exists or what it holds.
    pub fn denied() -> Self {
        Self::new(FaultCode::AccessDenied, "access denied")
    }
}

impl From<crate::server::workflow::WorkflowError> for Failure {
    fn from(error: crate::server::workflow::WorkflowError) -> Self {
        use crate::server::workflow::WorkflowError;
        use assent_engine::runtime::EngineError;
        match error {
            WorkflowError::WorkflowNotFound => {
                Failure::new(FaultCode::WorkflowNotFound, "no such workflow")
            }
            WorkflowError::DefinitionNotFound => {
                Failure::new(FaultCode::DefinitionNotFound, "no such workflow definition")
            }
            WorkflowError::NoApplicableDefinition => Failure::new(
                FaultCode::NoApplicableDefinition,
                "no workflow definition applies to this request",
            ),
            WorkflowError::Forbidden => Failure::denied(),
            WorkflowError::Conflict | WorkflowError::Busy => Failure::new(
                FaultCode::Conflict,
                "the workflow changed concurrently or the database was busy; retry",
            ),
            WorkflowError::Invalid(message) => Failure::invalid(message),
            WorkflowError::InvalidForm(errors) => Failure::invalid(
                errors
                    .iter()
                    .map(|e| format!("{}: {}", e.field, e.message))
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
            WorkflowError::Engine(engine) => match engine {
                EngineError::InvalidState(_)
                | EngineError::NotAwaitingDecision
                | EngineError::NotInError
                | EngineError::AlreadyDecided
                | EngineError::ClaimedBy(_)
                | EngineError::CertificationIncomplete
                | EngineError::WrongDefinition => {
                    Failure::new(FaultCode::InvalidState, engine.to_string())
                }
                EngineError::ActivityNotFound(_) => {
                    Failure::new(FaultCode::ActivityNotFound, engine.to_string())
                }
                EngineError::NotAParticipant | EngineError::OwnRequest => Failure::denied(),
                EngineError::InvalidActivationKey => {
                    Failure::new(FaultCode::InvalidActivationKey, engine.to_string())
                }
                other => Failure::invalid(other.to_string()),
            },
            other => {
                tracing::error!(error = %other, "workflow service");
                Failure::new(FaultCode::InternalError, "internal error")
            }
        }
    }
}

/// The fault object every error answers with.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Fault {
    #[serde(rename = "requestID", skip_serializing_if = "Option::is_none")]
    request_id: Option<String>,
    /// The operation's name.
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

/// What an operation runs with: the state, who calls, and the call's own parameters.
pub struct Call<'a> {
    pub state: &'a AppState,
    pub user: &'a SessionUser,
    /// `en` or `de`; texts the portal has in no other language stay English.
    pub language: String,
    /// The `Idempotency-Key` header, if sent.
    pub idempotency_key: Option<String>,
}

/// One operation of the contract.
pub trait Operation {
    const NAME: &'static str;
    /// One line for the OpenAPI document.
    const SUMMARY: &'static str;
    /// Faults this operation answers besides [`COMMON_FAULTS`].
    const FAULTS: &'static [FaultCode];
    type Request: DeserializeOwned + JsonSchema + CommonParameters + Send;
    type Response: Serialize + JsonSchema;

    fn run(
        call: &Call<'_>,
        request: Self::Request,
    ) -> impl Future<Output = Result<Self::Response, Failure>> + Send;
}

/// Reads the (already parsed and schema-checked) body as the operation's request type;
/// a mistake names the field.
fn parse_request<T: DeserializeOwned>(body: Value) -> Result<T, Failure> {
    serde_path_to_error::deserialize(body).map_err(|error| {
        let path = error.path().to_string();
        let message = error.inner().to_string();
        if path.is_empty() || path == "." {
            Failure::invalid(message)
        } else {
            Failure::invalid(format!("{path}: {message}"))
        }
    })
}

async fn run<O: Operation>(call: &Call<'_>, body: Value) -> Result<Value, Failure> {
    // The document is the gate: what it refuses is refused before serde reads the body.
    let document = openapi::document();
    let schema = &document["paths"][format!("{}/{}", openapi::PREFIX, O::NAME)]["post"]
        ["requestBody"]["content"]["application/json"]["schema"];
    schema_check::check(&body, schema, document, "").map_err(Failure::invalid)?;
    let request: O::Request = parse_request(body)?;
    let response = O::run(call, request).await?;
    serde_json::to_value(response).map_err(|error| {
        tracing::error!(%error, operation = O::NAME, "encoding a response");
        Failure::new(FaultCode::InternalError, "internal error")
    })
}

/// Lists every operation once: the handler dispatches on this list and the OpenAPI
/// document describes it, so neither can have one the other lacks.
macro_rules! operations {
    ($($operation:ty),* $(,)?) => {
        async fn dispatch(name: &str, call: &Call<'_>, body: Value) -> Option<Result<Value, Failure>> {
            $(
                if name == <$operation as Operation>::NAME {
                    return Some(run::<$operation>(call, body).await);
                }
            )*
            None
        }

        fn is_operation(name: &str) -> bool {
            [$(<$operation as Operation>::NAME),*].contains(&name)
        }

        /// Adds every operation to the document.
        pub fn describe(document: &mut openapi::Document) {
            $( document.operation::<$operation>(); )*
        }
    };
}

operations!(
    definitions::ListDefinitions,
    creation::CreateInstance,
    instances::GetInstance,
    instances::ListInstances,
    instances::GetWorklist,
    control::ModifyInstance,
    control::Suspend,
    control::Resume,
    control::Abort,
    activation::Activate,
    creation::Verify,
    waiting::WaitForIdle,
    control::NotifyParticipantChanged,
    activation::UpdateCertification,
    approval::BulkApproval,
);

/// The request id, if the body is a JSON object that has one, for faults that happen
/// before (or instead of) the operation's own parsing.
fn request_id_of(body: &Value) -> Option<String> {
    body.get("requestID")?
        .as_str()
        .map(|id| id.chars().take(contract::MAX_TEXT).collect())
}

/// The common parameters read before the operation's own parsing: `domain` is checked
/// and `language` chosen whatever the operation.
fn check_common(state: &AppState, body: &Value) -> Result<String, Failure> {
    let object = body
        .as_object()
        .ok_or_else(|| Failure::invalid("the body is not a JSON object"))?;
    if let Some(domain) = object.get("domain").and_then(Value::as_str) {
        if domain != state.config.domain {
            let shown: String = domain.chars().take(contract::MAX_TEXT).collect();
            return Err(Failure::new(
                FaultCode::WrongDomain,
                format!("wrong domain {shown:?}"),
            ));
        }
    }
    let language = object
        .get("language")
        .and_then(Value::as_str)
        .map(|l| l.split(['-', '_']).next().unwrap_or("en").to_lowercase())
        .filter(|l| l == "de")
        .unwrap_or_else(|| "en".into());
    Ok(language)
}

/// `POST /api/wfs/v1/{operation}`.
pub async fn handle(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Path(operation): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let operation: String = operation.chars().take(64).collect();
    // Beyond the route's body limit (MAX_BODY_BYTES) axum stops reading: still a fault.
    let body = match body {
        Ok(body) => body,
        Err(rejection) => {
            let mut answer = fault(
                None,
                &operation,
                Failure::invalid(format!(
                    "the body could not be read: at most {MAX_BODY_BYTES} bytes of JSON"
                )),
            );
            *answer.status_mut() = rejection.status();
            return answer;
        }
    };
    // Parsed once; a body that is no JSON is refused after authentication.
    let parsed: Result<Value, _> = serde_json::from_slice(&body);
    let request_id = parsed.as_ref().ok().and_then(request_id_of);
    if !is_operation(&operation) {
        let mut answer = fault(
            request_id,
            &operation,
            Failure::invalid(format!("there is no operation {operation:?}")),
        );
        *answer.status_mut() = StatusCode::NOT_FOUND;
        return answer;
    }
    if body.len() > MAX_BODY_BYTES {
        return fault(
            request_id,
            &operation,
            Failure::invalid(format!("the body is larger than {MAX_BODY_BYTES} bytes")),
        );
    }
    let user = match caller(&state, &viewer, &headers).await {
        Ok(user) => user,
        Err(failure) => return fault(request_id, &operation, failure),
    };
    let body = match parsed {
        Ok(body) => body,
        Err(error) => {
            let failure = Failure::invalid(format!("the body is not JSON ({error})"));
            return fault(request_id, &operation, failure);
        }
    };
    let language = match check_common(&state, &body) {
        Ok(language) => language,
        Err(failure) => return fault(request_id, &operation, failure),
    };
    let idempotency_key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let call = Call {
        state: &state,
        user: &user,
        language,
        idempotency_key,
    };
    match dispatch(&operation, &call, body).await {
        Some(Ok(mut value)) => {
            if let (Some(object), Some(id)) = (value.as_object_mut(), &request_id) {
                object.insert("requestID".into(), Value::String(id.clone()));
            }
            Json(value).into_response()
        }
        Some(Err(failure)) => fault(request_id, &operation, failure),
        None => fault(
            request_id,
            &operation,
            Failure::new(FaultCode::InternalError, "internal error"),
        ),
    }
}

/// Rights beyond one's own work. Administrators hold them all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Right {
    /// Read another participant's worklist (getWorklist `participant`).
    ReadOthersWork,
    /// Decide on behalf of another participant (bulkApproval `participantDN`).
    ActForOthers,
    /// Modify, suspend, resume, abort workflows and re-evaluate their participants.
    ManageWorkflows,
    /// Read every workflow, not only those one takes part in.
    ReadAllWorkflows,
}

pub fn has_right(user: &SessionUser, _right: Right) -> bool {
    user.has_role(Role::Admin)
}

/// The user a request names in `field` (a participant, an initiator), or the caller when
/// it names none. Naming someone else needs `right`; the refusal says nothing of them.
pub fn named_or_caller(
    call: &Call<'_>,
    named: Option<&str>,
    field: &str,
    right: Right,
) -> Result<UserName, Failure> {
    let Some(name) = named else {
        return Ok(call.user.username.clone());
    };
    let named =
        UserName::parse(name).map_err(|_| Failure::invalid(format!("{field}: not a user name")))?;
    if named == call.user.username || has_right(call.user, right) {
        Ok(named)
    } else {
        Err(Failure::denied())
    }
}
