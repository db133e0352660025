//! suspend, resume and abort: one lifecycle event on a workflow, answered with nothing
//! but the request id.

use super::require_management;
use crate::server::rights::{Granted, ManageWorkflows};
use crate::server::wfs::contract::{wfs_request, ACTIVITY_CHANGE_FAULTS, WORKFLOW_EVENT_FAULTS};
use crate::server::wfs::instances::checked_id;
use crate::server::wfs::{About, Call, Failure, FaultCode, Operation};
use assent_engine::runtime::model::Instance;
use assent_engine::runtime::Event;
use assent_engine::ActivityState;
use schemars::JsonSchema;
use serde::Serialize;

/// The answer of suspend, resume and abort: nothing but the request id.
#[derive(Debug, Default, Serialize, JsonSchema)]
pub struct Nothing {}

wfs_request! {
    pub struct WorkflowRequest {
        #[serde(rename = "workflowID")]
        #[schemars(pattern(crate::server::wfs::contract::WORKFLOW_ID_PATTERN))]
        pub workflow_id: String,
    }
}

wfs_request! {
    pub struct ResumeRequest {
        #[serde(rename = "workflowID")]
        #[schemars(pattern(crate::server::wfs::contract::WORKFLOW_ID_PATTERN))]
        pub workflow_id: String,
        /// An activity waiting in error (WAIT_IN_ERROR) to start again.
        #[serde(default)]
        #[schemars(length(max = 256))]
        pub activity_name: Option<String>,
    }
}

/// Sends the workflow one administrative event; `granted` proves the caller's right.
async fn administer(
    call: &Call<'_>,
    granted: Granted<ManageWorkflows>,
    workflow_id: &str,
    event: Event,
) -> Result<Instance, Failure> {
    let workflow_id = checked_id(workflow_id)?;
    Ok(call
        .state
        .workflows
        .administer(&call.user.username, granted, workflow_id, event)
        .await?)
}

/// Declares an operation that sends the workflow one event and answers nothing: suspend
/// and abort differ only in the event.
macro_rules! event_operation {
    ($operation:ident, $name:literal, $summary:literal, $event:expr) => {
        pub struct $operation;

        impl Operation for $operation {
            const ABOUT: About = About {
                name: $name,
                summary: $summary,
                faults: WORKFLOW_EVENT_FAULTS,
            };
            type Request = WorkflowRequest;
            type Response = Nothing;

            async fn run(
                call: &Call<'_>,
                request: Self::Request,
            ) -> Result<Self::Response, Failure> {
                let granted = require_management(call)?;
                administer(call, granted, &request.workflow_id, $event).await?;
                Ok(Nothing {})
            }
        }
    };
}

event_operation!(
    Suspend,
    "suspend",
    "Suspend a running workflow (its timers wait too)",
    Event::Suspend
);
event_operation!(
    Abort,
    "abort",
    "Cancel a workflow that has not ended",
    Event::Abort
);

pub struct Resume;

impl Operation for Resume {
    const ABOUT: About = About {
        name: "resume",
        summary: "Resume a suspended workflow, or restart an activity waiting in error",
        faults: ACTIVITY_CHANGE_FAULTS,
    };
    type Request = ResumeRequest;
    type Response = Nothing;

    async fn run(call: &Call<'_>, request: Self::Request) -> Result<Self::Response, Failure> {
        let granted = require_management(call)?;
        let run = match &request.activity_name {
            None => None,
            Some(name) => Some(run_waiting_in_error(call, &request.workflow_id, name).await?),
        };
        administer(call, granted, &request.workflow_id, Event::Resume { run }).await?;
        Ok(Nothing {})
    }
}

/// The newest run of the named activity, which must be waiting in error.
async fn run_waiting_in_error(
    call: &Call<'_>,
    workflow_id: &str,
    activity_name: &str,
) -> Result<u32, Failure> {
    let instance = call
        .state
        .workflows
        .instance(checked_id(workflow_id)?)
        .await?;
    let runs: Vec<_> = instance
        .runs
        .iter()
        .filter(|r| r.activity.0 == activity_name)
        .collect();
    if runs.is_empty() {
        return Err(Failure::new(
            FaultCode::ActivityNotFound,
            "the workflow has no activity of that name",
        ));
    }
    let waiting = runs
        .iter()
        .rev()
        .find(|r| r.state == ActivityState::WaitInError)
        .ok_or_else(|| {
            Failure::new(
                FaultCode::InvalidState,
                "that activity is not waiting in error",
            )
        })?;
    Ok(waiting.seq)
}
