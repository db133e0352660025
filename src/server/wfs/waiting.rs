//! waitForIdle: answers once a workflow is idle (ended, or waiting for a person), woken
//! by the engine's announcement of each change, or when the timeout runs out.

use super::contract::{wfs_request, CommonParameters, InstanceAnswer};
use super::instances::{readable, Catalogue};
use super::{Call, Failure, FaultCode, Operation};
use schemars::JsonSchema;
use serde::Serialize;

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

pub struct WaitForIdle;

impl Operation for WaitForIdle {
    const NAME: &'static str = "waitForIdle";
    const SUMMARY: &'static str =
        "Wait until a workflow has ended or waits for a person, or the timeout runs out";
    const FAULTS: &'static [FaultCode] = &[
        FaultCode::AccessDenied,
        FaultCode::WorkflowNotFound,
        FaultCode::TooManyRequests,
    ];
    type Request = WaitForIdleRequest;
    type Response = WaitForIdleResponse;

    async fn run(call: &Call<'_>, request: Self::Request) -> Result<Self::Response, Failure> {
        let instance = readable(call, &request.workflow_id).await?;
        let workflows = &call.state.workflows;
        let slot = workflows.wait_slot(&call.user.username)?;
        let deadline = tokio::time::Instant::now() + request.wait();
        let (instance, timedout) = workflows
            .wait_until(
                &slot,
                &instance.id,
                deadline,
                crate::server::workflow::is_idle,
            )
            .await?;
        let catalogue = Catalogue::load(call).await?;
        Ok(WaitForIdleResponse {
            timedout,
            instance: InstanceAnswer::new(
                request.return_data,
                &instance,
                &catalogue.facts(&instance, &call.language),
                None,
            ),
        })
    }
}
