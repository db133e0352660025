//! notifyParticipantChanged: waiting approvals ask their participant rule again, and the
//! answer comes once the workflow is idle again.

use super::lifecycle::WorkflowRequest;
use super::require_management;
use crate::server::wfs::contract::InstanceAnswer;
use crate::server::wfs::instances::checked_id;
use crate::server::wfs::waiting::answer_once_idle;
use crate::server::wfs::{About, Call, Failure, FaultCode, Operation};
use schemars::JsonSchema;
use serde::Serialize;

/// The waiting time of the answer of notifyParticipantChanged.
#[derive(Debug, Default, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChangedAnswer {
    #[serde(flatten)]
    pub instance: InstanceAnswer,
    /// True when the workflow was not idle again before `timeout` ran out.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timedout: Option<bool>,
}

/// Faults of notifyParticipantChanged besides the common ones: those of a workflow event
/// (as suspend and abort), and tooManyRequests when too many answers are waiting.
const PARTICIPANT_CHANGE_FAULTS: &[FaultCode] = &[
    FaultCode::AccessDenied,
    FaultCode::WorkflowNotFound,
    FaultCode::InvalidState,
    FaultCode::Conflict,
    FaultCode::TooManyRequests,
];

pub struct NotifyParticipantChanged;

impl Operation for NotifyParticipantChanged {
    const ABOUT: About = About {
        name: "notifyParticipantChanged",
        summary:
            "Tell the service that participants changed: waiting approvals ask their rule again",
        faults: PARTICIPANT_CHANGE_FAULTS,
    };
    type Request = WorkflowRequest;
    type Response = ChangedAnswer;

    async fn run(call: &Call<'_>, request: Self::Request) -> Result<Self::Response, Failure> {
        require_management(call)?;
        let workflows = &call.state.workflows;
        let slot = workflows.wait_slot(&call.user.username)?;
        let instance = workflows
            .reevaluate_participants(&call.user.username, checked_id(&request.workflow_id)?)
            .await?;
        let (instance, timed_out) = answer_once_idle(call, &slot, &instance.id, &request).await?;
        Ok(ChangedAnswer {
            instance,
            timedout: Some(timed_out),
        })
    }
}
