//! Starting workflows: createInstance (optionally waiting until the workflow is idle or
//! has ended) and verify (runs a verification workflow to its end and answers its error
//! messages).
//!
//! - [`checks`] checks the sizes of what the request carries, the subject and the
//!   catalog items;
//! - [`definition_choice`] finds the definition that applies, as the portal does;
//! - [`start`] builds the engine's creation, creates it once per idempotency key, and
//!   audits a forced definition or a start for someone else.

mod checks;
mod definition_choice;
mod start;

use super::contract::{
    instance_view, wfs_request, CommonParameters, NameFilter, Order, ReturnData,
    WorkflowInstanceView, MAX_TEXT,
};
use super::instances::Catalogue;
use super::waiting::wait_for;
use super::{About, Call, Failure, FaultCode, Operation};
use crate::server::workflow::{is_idle, IdempotencyKey, WaitSlot};
use assent_engine::runtime::model::Instance;
use checks::check_text;
use definition_choice::DefinitionCriteria;
use schemars::JsonSchema;
use serde::Serialize;
use start::start;
use std::collections::BTreeMap;

wfs_request! {
    pub struct CreateInstanceRequest {
        #[serde(default)]
        pub definition: Option<DefinitionCriteria>,
        /// User name of the initiator; default the caller. Another needs the right to act
        /// for others.
        #[serde(default)]
        #[schemars(pattern(super::contract::USER_NAME_PATTERN))]
        pub initiator: Option<String>,
        #[serde(default)]
        pub subject: Option<Order>,
        #[serde(default)]
        #[schemars(length(max = 100))]
        pub resources: Vec<Order>,
        /// Attributes stored in the workflow's context. Those named like a field of the
        /// definition's form fill that field and are checked as the form checks it.
        #[serde(default)]
        pub context: BTreeMap<String, Vec<String>>,
        /// The client's own id for this request: a repeat by the same caller with the same
        /// correlationID creates nothing and answers the first workflow.
        #[serde(rename = "correlationID", default)]
        #[schemars(length(max = 256))]
        pub correlation_id: Option<String>,
        /// Reference to the causing audit record, kept in the audit trail.
        #[serde(rename = "causeRefID", default)]
        #[schemars(length(max = 256))]
        pub cause_ref_id: Option<String>,
        /// Answer once the workflow has ended, or when `timeout` runs out.
        #[serde(default)]
        pub wait_for_termination: bool,
        /// Answer once the workflow is idle (ended, or waiting for a person), or when
        /// `timeout` runs out.
        #[serde(default)]
        pub wait_for_idle: bool,
    }
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreateInstanceResponse {
    #[serde(rename = "workflowID")]
    pub workflow_id: String,
    pub workflow_path: String,
    /// With `returnData` `everything` or `matchingActivities`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workflow_instance: Option<WorkflowInstanceView>,
    /// True when a wait ran out before the workflow got there.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timedout: Option<bool>,
}

/// The key a repeat of this request is known by: the `Idempotency-Key` header, else the
/// request's `correlationID`; bound to what the request asks and valid for the configured
/// hours.
fn idempotency_key(
    call: &Call<'_>,
    request: &CreateInstanceRequest,
) -> Result<Option<IdempotencyKey>, Failure> {
    let Some(key) = call
        .idempotency_key
        .clone()
        .or_else(|| request.correlation_id.clone())
    else {
        return Ok(None);
    };
    check_text("Idempotency-Key", &key, MAX_TEXT)?;
    let window = chrono::Duration::hours(i64::from(call.state.config.idempotency_hours));
    Ok(Some(IdempotencyKey {
        caller: call.user.username.clone(),
        key,
        request_hash: call.request_digest.clone(),
        not_before: call.state.workflows.now() - window,
    }))
}

/// A waiting slot when the request asks to wait, taken before anything is created.
fn slot_if_waiting(
    call: &Call<'_>,
    request: &CreateInstanceRequest,
) -> Result<Option<WaitSlot>, Failure> {
    if !request.wait_for_idle && !request.wait_for_termination {
        return Ok(None);
    }
    Ok(Some(call.state.workflows.wait_slot(&call.user.username)?))
}

/// Waits as the request asks; `None` when it asks no wait.
async fn wait_as_asked(
    call: &Call<'_>,
    request: &CreateInstanceRequest,
    slot: Option<WaitSlot>,
    instance: Instance,
) -> Result<(Instance, Option<bool>), Failure> {
    let Some(slot) = slot else {
        return Ok((instance, None));
    };
    let for_termination = request.wait_for_termination;
    let (instance, timed_out) = wait_for(call, &slot, &instance.id, request, |i| {
        if for_termination {
            i.state.is_terminal()
        } else {
            is_idle(i)
        }
    })
    .await?;
    Ok((instance, Some(timed_out)))
}

/// Faults of createInstance besides the common ones: starting for someone else or
/// forcing a definition needs a right, the definition may be missing or not apply, a
/// repeated idempotency key may name another request (or the start meets a concurrent
/// change), and too many may be waiting.
const CREATION_FAULTS: &[FaultCode] = &[
    FaultCode::AccessDenied,
    FaultCode::DefinitionNotFound,
    FaultCode::NoApplicableDefinition,
    FaultCode::Conflict,
    FaultCode::TooManyRequests,
];

pub struct CreateInstance;

impl Operation for CreateInstance {
    const ABOUT: About = About {
        name: "createInstance",
        summary: "Start a workflow (optionally waiting until it is idle or has ended)",
        faults: CREATION_FAULTS,
    };
    type Request = CreateInstanceRequest;
    type Response = CreateInstanceResponse;

    async fn run(call: &Call<'_>, request: Self::Request) -> Result<Self::Response, Failure> {
        let key = idempotency_key(call, &request)?;
        let slot = slot_if_waiting(call, &request)?;
        let instance = start(call, &request, key).await?;
        let (instance, timedout) = wait_as_asked(call, &request, slot, instance).await?;
        let catalogue = Catalogue::load(call).await?;
        let facts = catalogue.facts(&instance, &call.language);
        let workflow_instance = match request.return_data {
            ReturnData::Everything | ReturnData::MatchingActivities => {
                Some(instance_view(&instance, &facts, |_| true))
            }
            _ => None,
        };
        Ok(CreateInstanceResponse {
            workflow_path: format!("{}/{}", instance.definition.id, instance.id),
            workflow_id: instance.id,
            workflow_instance,
            timedout,
        })
    }
}

wfs_request! {
    pub struct VerifyRequest {
        /// The name of the verification definition; default the applicable definition
        /// with operation `verify` for the subject.
        #[serde(default)]
        #[schemars(length(max = 256))]
        pub workflow_definition_name: Option<String>,
        #[serde(default)]
        #[schemars(pattern(super::contract::USER_NAME_PATTERN))]
        pub initiator: Option<String>,
        /// Typically an addOrder with the attributes of a user to be created.
        pub subject: Order,
        #[serde(default)]
        pub context: BTreeMap<String, Vec<String>>,
    }
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct VerifyResponse {
    #[serde(rename = "workflowID")]
    pub workflow_id: String,
    /// The error messages the verification workflow produced (its context attribute
    /// `errorMessage`); empty when the subject passed.
    pub error_message: Vec<String>,
    /// True when the workflow had not ended when `timeout` ran out.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timedout: Option<bool>,
}

/// Faults of verify besides the common ones: starting for someone else needs a right, the
/// verification definition may be missing or not apply, and too many may be waiting.
const VERIFICATION_FAULTS: &[FaultCode] = &[
    FaultCode::AccessDenied,
    FaultCode::DefinitionNotFound,
    FaultCode::NoApplicableDefinition,
    FaultCode::TooManyRequests,
];

pub struct Verify;

impl Operation for Verify {
    const ABOUT: About = About {
        name: "verify",
        summary: "Run a verification workflow to its end and answer the errors it found",
        faults: VERIFICATION_FAULTS,
    };
    type Request = VerifyRequest;
    type Response = VerifyResponse;

    async fn run(call: &Call<'_>, request: Self::Request) -> Result<Self::Response, Failure> {
        let wait = request.wait();
        let creation = CreateInstanceRequest {
            request_id: None,
            domain: None,
            language: None,
            return_data: Default::default(),
            timeout: Some(wait.as_millis() as u64),
            definition: Some(DefinitionCriteria {
                name_filter: request
                    .workflow_definition_name
                    .clone()
                    .map(|name| NameFilter {
                        name: Some(name),
                        ..NameFilter::default()
                    }),
                operation: Some("verify".into()),
                subject_type: Some(request.subject.object_type.clone().into()),
                ..DefinitionCriteria::default()
            }),
            initiator: request.initiator,
            subject: Some(request.subject),
            resources: vec![],
            context: request.context,
            correlation_id: None,
            cause_ref_id: None,
            wait_for_termination: true,
            wait_for_idle: false,
        };
        let slot = slot_if_waiting(call, &creation)?;
        let instance = start(call, &creation, None).await?;
        let (instance, timedout) = wait_as_asked(call, &creation, slot, instance).await?;
        let error_message = super::contract::context_of(&instance)
            .remove("errorMessage")
            .unwrap_or_default();
        Ok(VerifyResponse {
            workflow_id: instance.id,
            error_message,
            timedout: timedout.filter(|t| *t),
        })
    }
}
