//! The contract's faults: the codes, the failure an operation returns, the one mapping
//! of the use cases' errors to them, and the fault object every error answers with.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use schemars::JsonSchema;
use serde::Serialize;

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
    /// A limit was reached (password guessing, waiting requests): retry after the
    /// `Retry-After` header's seconds, when given.
    TooManyRequests,
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
            FaultCode::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            FaultCode::InternalError => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// Faults any operation may answer.
pub const COMMON_FAULTS: &[FaultCode] = &[
    FaultCode::InvalidRequest,
    FaultCode::AuthenticationFailed,
    // An API token may be limited to some operations.
    FaultCode::AccessDenied,
    FaultCode::WrongDomain,
    // Password guessing through HTTP Basic is slowed by lockouts.
    FaultCode::TooManyRequests,
    FaultCode::InternalError,
];

/// What went wrong, before the operation's name and request id are attached.
#[derive(Debug)]
pub struct Failure {
    pub code: FaultCode,
    pub message: String,
    /// Seconds for a `Retry-After` header.
    pub retry_after: Option<u64>,
}

impl Failure {
    pub fn new(code: FaultCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            retry_after: None,
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
            WorkflowError::Conflict | WorkflowError::Busy | WorkflowError::LinkUsed => {
                Failure::new(
                    FaultCode::Conflict,
                    "the workflow changed concurrently or the database was busy; retry",
                )
            }
            WorkflowError::TooManyWaiting => Failure::new(
                FaultCode::TooManyRequests,
                "too many requests are waiting for workflows; retry without waiting, or later",
            ),
            WorkflowError::KeyReused(key) => Failure::new(
                FaultCode::Conflict,
                format!(
                    "the idempotency key {:?} was used before for a different request",
                    key.chars()
                        .take(super::contract::MAX_TEXT)
                        .collect::<String>()
                ),
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
                EngineError::InvalidActivationKey | EngineError::ActivationKeyExpired => {
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

pub(super) fn fault(request_id: Option<String>, operation: &str, failure: Failure) -> Response {
    let status = failure.code.status();
    let retry_after = failure.retry_after;
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
        response.headers_mut().append(
            header::WWW_AUTHENTICATE,
            header::HeaderValue::from_static("Bearer realm=\"Assent\""),
        );
    }
    if let Some(seconds) = retry_after {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, header::HeaderValue::from(seconds));
    }
    response
}
