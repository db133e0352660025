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
mod faults;
mod instances;
pub mod openapi;
mod schema_check;
mod waiting;

use super::accounts::AccountStore;
use super::auth::Viewer;
use super::AppState;
use crate::model::SessionUser;
use assent_engine::UserName;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use contract::CommonParameters;
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use std::future::Future;

use faults::fault;
pub use faults::{Failure, Fault, FaultCode, COMMON_FAULTS};

/// Request bodies larger than this are refused before parsing.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// Who calls, and what they may call: `None` for every operation.
struct Caller {
    user: SessionUser,
    scopes: Option<super::tokens::Scopes>,
}

/// Who calls: an API token (`Authorization: Bearer`), else HTTP Basic credentials, else
/// the portal session's user. Basic credentials are checked behind the login throttle (a
/// locked-out account or address gets `tooManyRequests` with `Retry-After`, and nothing
/// is hashed).
async fn caller(
    state: &AppState,
    viewer: &Viewer,
    headers: &HeaderMap,
    address: std::net::IpAddr,
) -> Result<Caller, Failure> {
    let refused = || Failure::new(FaultCode::AuthenticationFailed, "authentication failed");
    let internal = |error: sea_orm::DbErr| {
        tracing::error!(%error, "authenticating an API call");
        Failure::new(FaultCode::InternalError, "internal error")
    };
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    if let Some(token) = authorization.and_then(|v| v.strip_prefix("Bearer ")) {
        let now = state.workflows.now();
        let (user, scopes) = super::tokens::authenticate(&state.db.connection, token.trim(), now)
            .await
            .map_err(internal)?
            .ok_or_else(refused)?;
        return Ok(Caller {
            user,
            scopes: Some(scopes),
        });
    }
    let basic = authorization.and_then(|v| v.strip_prefix("Basic "));
    // Credentials the call names win over a portal session the client happens to carry:
    // a call as bob from a browser signed in as admin acts as bob, not silently as admin.
    let Some(encoded) = basic else {
        return match &viewer.0 {
            Some(user) => Ok(Caller {
                user: user.clone(),
                scopes: None,
            }),
            None => Err(refused()),
        };
    };
    let decoded = basic_credentials(encoded.trim()).ok_or_else(refused)?;
    let (name, password) = decoded.split_once(':').ok_or_else(refused)?;
    let record = super::auth::check_password(
        state,
        name,
        password.to_owned(),
        address,
        "API",
        super::auth::request_id(headers),
    )
    .await
    .map_err(|refusal| match refusal {
        super::auth::PasswordRefused::Locked(locked) => {
            let mut failure = Failure::new(
                FaultCode::TooManyRequests,
                "too many failed authentications: retry after the Retry-After header's seconds",
            );
            failure.retry_after = Some(locked.seconds());
            failure
        }
        super::auth::PasswordRefused::Wrong => refused(),
        super::auth::PasswordRefused::Database(error) => internal(error),
    })?;
    let user = state
        .accounts()
        .find_session_user(record.user_id)
        .await
        .map_err(internal)?
        .ok_or_else(refused)?;
    Ok(Caller { user, scopes: None })
}

/// The `user:password` of HTTP Basic credentials: standard base64 of UTF-8 text.
fn basic_credentials(encoded: &str) -> Option<String> {
    use base64::engine::{general_purpose, GeneralPurpose};
    use base64::Engine as _;
    // Lenient as clients are: the padding may be left out, and the unused bits of the
    // last character are ignored.
    const LENIENT_STANDARD: GeneralPurpose = GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        general_purpose::NO_PAD.with_decode_allow_trailing_bits(true),
    );
    let bytes = LENIENT_STANDARD
        .decode(encoded.trim_end_matches('='))
        .ok()?;
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
    /// SHA-256 of what the body asks, without the parameters that only shape the answer
    /// (see [`request_digest`]): an idempotency key is bound to it.
    pub request_digest: String,
}

/// Parameters that change how a request is answered, not what it asks: a retry may
/// change them and still be the same request.
const ANSWER_PARAMETERS: &[&str] = &[
    "requestID",
    "language",
    "returnData",
    "timeout",
    "waitForIdle",
    "waitForTermination",
];

/// The digest of a request for idempotency: the body's JSON without
/// [`ANSWER_PARAMETERS`], serialized with its keys sorted (serde_json's map is ordered),
/// so whitespace and key order do not make two requests different.
fn request_digest(body: &Value) -> String {
    let mut asked = body.clone();
    if let Some(object) = asked.as_object_mut() {
        for name in ANSWER_PARAMETERS {
            object.remove(*name);
        }
    }
    crate::server::workflow::jobs::key_digest(&asked.to_string())
}

/// What the contract says of an operation besides its request and response types: what
/// the dispatcher and the OpenAPI document know it by.
pub struct About {
    pub name: &'static str,
    /// One line for the OpenAPI document.
    pub summary: &'static str,
    /// Faults this operation answers besides [`COMMON_FAULTS`].
    pub faults: &'static [FaultCode],
}

/// One operation of the contract.
pub trait Operation {
    const ABOUT: About;
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
    let schema = &document["paths"][format!("{}/{}", openapi::PREFIX, O::ABOUT.name)]["post"]
        ["requestBody"]["content"]["application/json"]["schema"];
    schema_check::check(&body, schema, document, "").map_err(Failure::invalid)?;
    let request: O::Request = parse_request(body)?;
    let response = O::run(call, request).await?;
    serde_json::to_value(response).map_err(|error| {
        tracing::error!(%error, operation = O::ABOUT.name, "encoding a response");
        Failure::new(FaultCode::InternalError, "internal error")
    })
}

/// Lists every operation once: the handler dispatches on this list and the OpenAPI
/// document describes it, so neither can have one the other lacks.
macro_rules! operations {
    ($($operation:ty),* $(,)?) => {
        async fn dispatch(name: &str, call: &Call<'_>, body: Value) -> Option<Result<Value, Failure>> {
            $(
                if name == <$operation as Operation>::ABOUT.name {
                    return Some(run::<$operation>(call, body).await);
                }
            )*
            None
        }

        fn is_operation(name: &str) -> bool {
            operation_names().contains(&name)
        }

        /// Every operation's name, in the order of this list.
        pub fn operation_names() -> &'static [&'static str] {
            &[$(<$operation as Operation>::ABOUT.name),*]
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
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
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
    let user = match caller(&state, &viewer, &headers, peer.ip()).await {
        // A token names the operations it may call; the refusal names only this one.
        Ok(Caller {
            scopes: Some(scopes),
            ..
        }) if !scopes.allows(&operation) => {
            let failure = Failure::new(
                FaultCode::AccessDenied,
                format!("access denied: this API token may not call {operation}"),
            );
            return fault(request_id, &operation, failure);
        }
        Ok(caller) => caller.user,
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
        request_digest: request_digest(&body),
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

/// Rights beyond one's own work. Administrators hold all but acting for others, which is
/// a role of its own (`act-for-others`): deciding or starting as another person is rarer
/// and riskier than administering, and is granted to a help desk or a service account
/// deliberately.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Right {
    /// Read another participant's worklist (getWorklist `participant`).
    ReadOthersWork,
    /// Act on behalf of another person: decide as a participant (bulkApproval
    /// `participantDN`), certify as a certifier, start as another initiator.
    ActForOthers,
    /// Modify, suspend, resume, abort workflows and re-evaluate their participants.
    ManageWorkflows,
    /// Read every workflow, not only those one takes part in.
    ReadAllWorkflows,
    /// Register or change accounts that are not one's own or one's reports' (including
    /// disabled ones).
    ManageAccounts,
    /// Start a definition other than the one that applies to the request.
    ForceDefinition,
}

/// Whether `user` holds `right`; which role holds it is decided in
/// [`crate::server::rights`].
pub fn has_right(user: &SessionUser, right: Right) -> bool {
    use crate::server::rights::{self as rights, holds};
    match right {
        Right::ActForOthers => holds::<rights::ActForOthers>(user),
        Right::ReadOthersWork => holds::<rights::ReadOthersWork>(user),
        Right::ManageWorkflows => holds::<rights::ManageWorkflows>(user),
        Right::ReadAllWorkflows => holds::<rights::ReadAllWorkflows>(user),
        Right::ManageAccounts => holds::<rights::ManageAccounts>(user),
        Right::ForceDefinition => holds::<rights::ForceDefinition>(user),
    }
}

/// Writes an entry of the audit trail as the caller.
pub async fn audit(call: &Call<'_>, action: &'static str, detail: String) -> Result<(), Failure> {
    super::accounts::insert_audit(
        &call.state.db.connection,
        super::accounts::AuditEntry {
            actor: Some(call.user.username.to_string()),
            action,
            detail,
            request_id: None,
        },
    )
    .await
    .map_err(|error| Failure::from(crate::server::workflow::WorkflowError::from(error)))
}

/// A request field that may name another user than the caller.
#[derive(Debug, Clone, Copy)]
pub enum NamedUser {
    /// `initiator`: starting or signing as someone else needs the right to act for others.
    Initiator,
    /// `participant`: reading someone else's worklist needs the right to read others' work.
    Participant,
}

impl NamedUser {
    fn field(self) -> &'static str {
        match self {
            NamedUser::Initiator => "initiator",
            NamedUser::Participant => "participant",
        }
    }

    fn right(self) -> Right {
        match self {
            NamedUser::Initiator => Right::ActForOthers,
            NamedUser::Participant => Right::ReadOthersWork,
        }
    }
}

/// The user a request names in the field `which`, or the caller when it names none.
/// Naming someone else needs the field's right; the refusal says nothing of them.
pub fn named_or_caller(
    call: &Call<'_>,
    named: Option<&str>,
    which: NamedUser,
) -> Result<UserName, Failure> {
    let Some(name) = named else {
        return Ok(call.user.username.clone());
    };
    let (field, right) = (which.field(), which.right());
    let named =
        UserName::parse(name).map_err(|_| Failure::invalid(format!("{field}: not a user name")))?;
    if named == call.user.username || has_right(call.user, right) {
        Ok(named)
    } else {
        Err(Failure::denied())
    }
}
