//! waitForIdle: answers once a workflow is idle (ended, or waiting for a person), woken
//! by the engine's announcement of each change, or when the timeout runs out. The waits
//! of the other operations (createInstance, verify, notifyParticipantChanged) are these.

use super::contract::{wfs_request, CommonParameters, InstanceAnswer};
use super::instances::{instance_answer, readable};
use super::{About, Call, Failure, FaultCode, Operation};
use crate::server::workflow::{is_idle, WaitSlot};
use assent_engine::runtime::model::Instance;
use schemars::JsonSchema;
use serde::Serialize;

/// The workflow once `reached` holds for it, or as it is when the request's `timeout`
/// runs out (then with `true`). Only a request holding a slot may wait.
pub(super) async fn wait_for(
    call: &Call<'_>,
    slot: &WaitSlot,
    workflow_id: &str,
    request: &impl CommonParameters,
    reached: impl Fn(&Instance) -> bool,
) -> Result<(Instance, bool), Failure> {
    let deadline = tokio::time::Instant::now() + request.wait();
    Ok(call
        .state
        .workflows
        .wait_until(slot, workflow_id, deadline, reached)
        .await?)
}

/// Waits until the workflow is idle (or the request's `timeout` runs out, then with
/// `true`) and answers it as the request's `returnData` asks.
pub(super) async fn answer_once_idle(
    call: &Call<'_>,
    slot: &WaitSlot,
    workflow_id: &str,
    request: &impl CommonParameters,
) -> Result<(InstanceAnswer, bool), Failure> {
    let (instance, timed_out) = wait_for(call, slot, workflow_id, request, is_idle).await?;
    let answer = instance_answer(call, request.return_data(), &instance, None).await?;
    Ok((answer, timed_out))
}

wfs_request! {
    pub struct WaitForIdleRequest {
        #[serde(rename = "workflowID")]
        #[schemars(pattern(super::contract::WORKFLOW_ID_PATTERN))]
        pub workflow_id: String,
    }
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct WaitForIdleResponse {
    /// True when `timeout` ran out before the workflow was idle.
    pub timedout: bool,
    #[serde(flatten)]
    pub instance: InstanceAnswer,
}

/// Faults of waitForIdle besides the common ones: the workflow may be missing or not the
/// caller's to read, and too many requests may be waiting.
const WAITING_FAULTS: &[FaultCode] = &[
    FaultCode::AccessDenied,
    FaultCode::WorkflowNotFound,
    FaultCode::TooManyRequests,
];

pub struct WaitForIdle;

impl Operation for WaitForIdle {
    const ABOUT: About = About {
        name: "waitForIdle",
        summary: "Wait until a workflow has ended or waits for a person, or the timeout runs out",
        faults: WAITING_FAULTS,
    };
    type Request = WaitForIdleRequest;
    type Response = WaitForIdleResponse;

    async fn run(call: &Call<'_>, request: Self::Request) -> Result<Self::Response, Failure> {
        let instance = readable(call, &request.workflow_id).await?;
        let slot = call.state.workflows.wait_slot(&call.user.username)?;
        let (instance, timedout) = answer_once_idle(call, &slot, &instance.id, &request).await?;
        Ok(WaitForIdleResponse { timedout, instance })
    }
}
