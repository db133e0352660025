//! `POST /api/external/v1/callback/{handoff}`: an outside engine reports how the run it
//! was handed ended. The per-hand-off secret comes as a bearer token; an unknown hand-off
//! and a wrong secret get the same answer. A repeat of a settled report changes nothing.
//! Refused secrets count against the caller's address in a throttle of their own (apart
//! from the login's): after a few the address is locked out for a while (`429` with
//! `Retry-After`), before anything is looked up.

use super::callback_engine::Report;
use crate::server::throttle::Locked;
use crate::server::workflow::{CallbackError, Settled, WorkflowError};
use crate::server::AppState;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;
use std::net::SocketAddr;

/// A report is small: the result lands in flowdata.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

pub async fn callback(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(handoff): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let address = peer.ip();
    // The address is the throttle's account too: a caller elsewhere cannot lock a
    // hand-off's own engine out.
    let caller = address.to_string();
    let throttle = &state.callback_throttle;
    if let Err(locked) = throttle.check(&caller, address) {
        return too_many(locked);
    }
    let unauthorized = || {
        let started = throttle.failed(&caller, address);
        match started.account.max(started.address) {
            Some(retry_after) => {
                tracing::warn!(%address, "hand-off callbacks: address locked out after refused secrets");
                too_many(Locked { retry_after })
            }
            None => refused(CallbackError::Unauthorized),
        }
    };
    let token = crate::server::headers::bearer_token(&headers);
    let well_formed = handoff.len() == 32 && handoff.bytes().all(|b| b.is_ascii_hexdigit());
    let Some(token) = token.filter(|_| well_formed) else {
        return unauthorized();
    };
    if body.len() > MAX_BODY_BYTES {
        return refused(CallbackError::Invalid(format!(
            "the report is larger than {MAX_BODY_BYTES} bytes"
        )));
    }
    let mut reading = serde_json::Deserializer::from_slice(&body);
    let report: Result<Report, _> = serde_path_to_error::deserialize(&mut reading);
    let state_reported = match report {
        Ok(report) => report.run_state(),
        Err(error) => Err(match error.path().to_string().as_str() {
            "." => {
                "the body is not a report: {\"state\": ..., \"result\": {...}, \"message\": ...}"
                    .to_owned()
            }
            path => format!("{path}: {}", error.inner().classify_text()),
        }),
    };
    match state
        .workflows
        .handoff_callback(&handoff, token, state_reported)
        .await
    {
        Ok(settled) => {
            let (status, outcome) = match settled {
                Settled::Applied => (StatusCode::OK, "applied"),
                Settled::AlreadySettled => (StatusCode::OK, "alreadySettled"),
                // Kept: applied when the workflow resumes; the engine need not send it again.
                Settled::Deferred => (StatusCode::ACCEPTED, "deferred"),
            };
            (
                status,
                Json(json!({ "handoff": handoff, "outcome": outcome })),
            )
                .into_response()
        }
        Err(CallbackError::Unauthorized) => unauthorized(),
        Err(error) => refused(error),
    }
}

fn too_many(locked: Locked) -> Response {
    let seconds = locked.seconds();
    let message = format!("too many refused reports from this address; try again in {seconds} s");
    let mut answer = (
        StatusCode::TOO_MANY_REQUESTS,
        Json(json!({ "error": "tooManyAttempts", "message": message })),
    )
        .into_response();
    answer
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    answer
}

trait Classify {
    fn classify_text(&self) -> String;
}

impl Classify for serde_json::Error {
    /// serde's message without its line and column (the path says where).
    fn classify_text(&self) -> String {
        let text = self.to_string();
        match text.rfind(" at line ") {
            Some(at) => text[..at].to_owned(),
            None => text,
        }
    }
}

fn refused(error: CallbackError) -> Response {
    let (status, code, message) = match &error {
        CallbackError::Unauthorized => {
            (StatusCode::UNAUTHORIZED, "unauthorized", error.to_string())
        }
        CallbackError::Spent => (StatusCode::CONFLICT, "handoffClosed", error.to_string()),
        CallbackError::Invalid(_) => (StatusCode::BAD_REQUEST, "invalidRequest", error.to_string()),
        CallbackError::Workflow(WorkflowError::Conflict | WorkflowError::Busy) => (
            StatusCode::SERVICE_UNAVAILABLE,
            "busy",
            "the portal is busy; send the report again".to_owned(),
        ),
        CallbackError::Workflow(other) => {
            tracing::error!(error = %other, "a hand-off callback failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "the report could not be recorded; send it again later".to_owned(),
            )
        }
    };
    let mut answer = (status, Json(json!({ "error": code, "message": message }))).into_response();
    if status == StatusCode::UNAUTHORIZED {
        answer
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    answer
}
