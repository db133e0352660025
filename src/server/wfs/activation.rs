//! activate (presents a mailed activation key) and updateCertification (a certifier's
//! verdicts on the reviewed items, in as many steps as needed, then submitted).

use super::contract::{
    wfs_request, InstanceAnswer, Order, OrderType, ReturnData, ACTIVITY_CHANGE_FAULTS,
};
use super::instances::{checked_id, instance_answer, may_read};
use super::{named_or_caller, About, Call, Failure, FaultCode, NamedUser, Operation};
use assent_engine::runtime::model::Instance;
use assent_engine::ActivityState;
use schemars::JsonSchema;
use serde::Serialize;
use std::collections::BTreeMap;

/// The newest run of the named activity, of the given type.
fn run_named(instance: &Instance, name: &str, activity_type: &str) -> Result<u32, Failure> {
    instance
        .runs
        .iter()
        .rev()
        .find(|r| r.activity.0 == name && r.activity_type == activity_type)
        .map(|r| r.seq)
        .ok_or_else(|| {
            Failure::new(
                FaultCode::ActivityNotFound,
                format!("the workflow has no {activity_type} activity of that name"),
            )
        })
}

wfs_request! {
    pub struct ActivateRequest {
        #[serde(rename = "workflowID")]
        #[schemars(pattern(super::contract::WORKFLOW_ID_PATTERN))]
        pub workflow_id: String,
        /// The activation activity, which must be RUNNING.
        #[schemars(length(min = 1, max = 256))]
        pub activity_name: String,
        /// The key the activation mail carried.
        #[schemars(length(min = 1, max = 256))]
        pub activation_key: String,
    }
}

/// Faults of activate besides the common ones. A caller who may not read the workflow
/// gets invalidActivationKey for every one of them (see [`Activate`]).
const ACTIVATION_FAULTS: &[FaultCode] = &[
    FaultCode::WorkflowNotFound,
    FaultCode::ActivityNotFound,
    FaultCode::InvalidState,
    FaultCode::InvalidActivationKey,
    FaultCode::Conflict,
];

pub struct Activate;

impl Operation for Activate {
    const ABOUT: About = About {
        name: "activate",
        summary: "Finish an activation activity with the key it mailed",
        faults: ACTIVATION_FAULTS,
    };
    type Request = ActivateRequest;
    type Response = InstanceAnswer;

    async fn run(call: &Call<'_>, request: Self::Request) -> Result<Self::Response, Failure> {
        let workflows = &call.state.workflows;
        // Whoever holds a key may activate, so anyone may call; someone who may not read
        // the workflow learns nothing from the answer: an unknown workflow, a wrong
        // activity, one that is not running and a wrong key all answer the same.
        let no_oracle = |failure: Failure, instance: Option<&Instance>| {
            if instance.is_some_and(|i| may_read(call.user, i)) {
                failure
            } else {
                Failure::new(
                    FaultCode::InvalidActivationKey,
                    "the activation key does not match",
                )
            }
        };
        // The ID's shape is no secret: a malformed one is an invalid request.
        let workflow_id = checked_id(&request.workflow_id)?;
        let instance = workflows
            .instance(workflow_id)
            .await
            .map_err(|e| no_oracle(e.into(), None))?;
        let seq = run_named(&instance, &request.activity_name, "activation")
            .map_err(|f| no_oracle(f, Some(&instance)))?;
        if instance.runs[seq as usize].state != ActivityState::Running {
            return Err(no_oracle(
                Failure::new(
                    FaultCode::InvalidState,
                    "the activation activity is not running",
                ),
                Some(&instance),
            ));
        }
        let instance = workflows
            .activate(workflow_id, &request.activity_name, &request.activation_key)
            .await
            .map_err(|e| no_oracle(e.into(), Some(&instance)))?;
        // The key proves the right to activate, not to read the workflow.
        let return_data = if may_read(call.user, &instance) {
            request.return_data
        } else {
            ReturnData::Identifier
        };
        instance_answer(call, return_data, &instance, None).await
    }
}

wfs_request! {
    pub struct UpdateCertificationRequest {
        #[serde(rename = "workflowID")]
        #[schemars(pattern(super::contract::WORKFLOW_ID_PATTERN))]
        pub workflow_id: String,
        /// The certification activity.
        #[schemars(length(min = 1, max = 256))]
        pub activity_name: String,
        /// Ends the review once every item has a verdict.
        #[serde(default)]
        pub submit: bool,
        /// The certifier (user name); default the caller. Another needs the right to act
        /// for others.
        #[serde(default)]
        #[schemars(pattern(super::contract::USER_NAME_PATTERN))]
        pub initiator: Option<String>,
        /// Verdicts as a delta: a deleteOrder revokes the item it names (targetID), any
        /// other order keeps it. Items not named keep their earlier verdict.
        #[serde(default)]
        #[schemars(length(max = 1000))]
        pub resource: Vec<Order>,
        /// Accepted as in the seed; the certification keeps no context of its own.
        #[allow(dead_code)] // accepted for the contract
        #[serde(default)]
        pub context: BTreeMap<String, Vec<String>>,
    }
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct UpdateCertificationResponse {
    /// True when the certification activity has finished.
    pub complete: bool,
}

pub struct UpdateCertification;

impl Operation for UpdateCertification {
    const ABOUT: About = About {
        name: "updateCertification",
        summary: "Record a certifier's keep or revoke verdicts, and submit them when complete",
        faults: ACTIVITY_CHANGE_FAULTS,
    };
    type Request = UpdateCertificationRequest;
    type Response = UpdateCertificationResponse;

    async fn run(call: &Call<'_>, request: Self::Request) -> Result<Self::Response, Failure> {
        let certifier = named_or_caller(call, request.initiator.as_deref(), NamedUser::Initiator)?;
        let instance = super::instances::readable(call, &request.workflow_id).await?;
        let seq = run_named(&instance, &request.activity_name, "certification")?;
        let verdicts = request
            .resource
            .iter()
            .map(|order| {
                (
                    order.target_id.clone(),
                    order.order_type != OrderType::DeleteOrder,
                )
            })
            .collect();
        let instance = call
            .state
            .workflows
            .certify(
                &certifier,
                Some(&call.user.username).filter(|caller| **caller != certifier),
                &instance.id,
                seq,
                verdicts,
                request.submit,
            )
            .await?;
        Ok(UpdateCertificationResponse {
            complete: instance.runs[seq as usize].state == ActivityState::Succeeded,
        })
    }
}
