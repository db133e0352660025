//! bulkApproval: accept some workflows and reject others for one participant. Each
//! workflow is decided on its own; the ones that fail are listed with the seed's codes
//! (1x activity, 2x workflow, 3x participant, 4x invalid workflow ID) and the others
//! stay decided.

use super::contract::{wfs_request, MAX_REASON};
use super::{named_or_caller, Call, Failure, FaultCode, Operation, Right};
use crate::server::pages::worklist::bulk_error_code;
use assent_engine::runtime::model::Verdict;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Workflows one request may decide.
pub const MAX_WORKFLOWS: usize = 1000;

/// One verdict for several workflows.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Decisions {
    /// Applied to every workflow of this list.
    #[serde(default)]
    #[schemars(length(max = 2000))]
    pub reason: Option<String>,
    /// Every running task of the participant in each of these workflows is decided.
    #[serde(rename = "workflowID", default)]
    #[schemars(length(max = 1000))]
    pub workflow_id: Vec<String>,
}

wfs_request! {
    pub struct BulkApprovalRequest {
        /// The user whose tasks are decided; deciding for another needs the right.
        #[serde(rename = "participantDN", default)]
        #[schemars(pattern(super::contract::USER_NAME_PATTERN))]
        pub participant_dn: Option<String>,
        #[serde(default)]
        pub accept: Option<Decisions>,
        #[serde(default)]
        pub reject: Option<Decisions>,
        /// Not used, as in the seed.
        #[allow(dead_code)] // accepted for the contract
        #[serde(default)]
        pub workflow_context: Option<serde_json::Value>,
    }
}

/// A workflow that could not be decided (or one of its activities).
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct FailedApproval {
    /// The workflow ID as sent.
    pub id: String,
    /// The activity's name where the failure is at activity level, else empty.
    pub name: String,
    /// 1x activity level, 2x workflow level, 3x participant, 4x invalid workflow ID.
    pub error_code: u16,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct BulkApprovalResponse {
    pub failed: Vec<FailedApproval>,
}

pub struct BulkApproval;

impl Operation for BulkApproval {
    const NAME: &'static str = "bulkApproval";
    const SUMMARY: &'static str =
        "Accept and reject the participant's tasks in many workflows at once";
    const FAULTS: &'static [FaultCode] = &[FaultCode::AccessDenied];
    type Request = BulkApprovalRequest;
    type Response = BulkApprovalResponse;

    async fn run(call: &Call<'_>, request: Self::Request) -> Result<Self::Response, Failure> {
        let participant = named_or_caller(
            call,
            request.participant_dn.as_deref(),
            "participantDN",
            Right::ActForOthers,
        )?;
        let mut work = Vec::new();
        for (verdict, decisions, field) in [
            (Verdict::Approve, &request.accept, "accept"),
            (Verdict::Reject, &request.reject, "reject"),
        ] {
            if let Some(decisions) = decisions {
                if decisions
                    .reason
                    .as_ref()
                    .is_some_and(|r| r.chars().count() > MAX_REASON)
                {
                    return Err(Failure::invalid(format!(
                        "{field}.reason: at most {MAX_REASON} characters"
                    )));
                }
                for id in &decisions.workflow_id {
                    work.push((verdict, id.clone(), decisions.reason.clone()));
                }
            }
        }
        if work.len() > MAX_WORKFLOWS {
            return Err(Failure::invalid(format!(
                "at most {MAX_WORKFLOWS} workflows at once"
            )));
        }
        let workflows = &call.state.workflows;
        let mut failed = Vec::new();
        for (verdict, workflow_id, reason) in work {
            let failure = |name: String, error_code: u16| FailedApproval {
                id: workflow_id.clone(),
                name,
                error_code,
            };
            let instance = match super::instances::checked_id(&workflow_id) {
                Ok(id) => workflows.instance(id).await,
                Err(_) => Err(crate::server::workflow::WorkflowError::WorkflowNotFound),
            };
            let instance = match instance {
                Ok(instance) => instance,
                Err(crate::server::workflow::WorkflowError::WorkflowNotFound) => {
                    failed.push(failure(String::new(), 40));
                    continue;
                }
                Err(error) => {
                    failed.push(failure(String::new(), bulk_error_code(&error)));
                    continue;
                }
            };
            // Every activity of this workflow now waiting for the participant.
            let waiting: Vec<(u32, String)> = instance
                .open_items_for(&participant)
                .map(|run| (run.seq, run.activity.0.clone()))
                .collect();
            if waiting.is_empty() {
                let asked = instance.runs.iter().any(|run| {
                    run.approval
                        .as_ref()
                        .is_some_and(|a| a.participants.iter().any(|p| p.user == participant))
                });
                // A workflow the caller has no part in answers like one that does not
                // exist (40), so the codes tell nothing of other people's workflows.
                let code = if !asked && !super::instances::may_read(call.user, &instance) {
                    40
                } else if instance.state.is_terminal() {
                    20
                } else if asked {
                    11
                } else {
                    30
                };
                failed.push(failure(String::new(), code));
                continue;
            }
            for (run, activity) in waiting {
                let decided = if participant == call.user.username {
                    workflows
                        .decide(
                            &participant,
                            &workflow_id,
                            run,
                            verdict,
                            reason.clone(),
                            None,
                        )
                        .await
                } else {
                    workflows
                        .decide_on_behalf(
                            &call.user.username,
                            &participant,
                            &workflow_id,
                            run,
                            verdict,
                            reason.clone(),
                        )
                        .await
                };
                if let Err(error) = decided {
                    failed.push(failure(activity, bulk_error_code(&error)));
                }
            }
        }
        Ok(BulkApprovalResponse { failed })
    }
}
