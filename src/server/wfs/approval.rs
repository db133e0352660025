//! bulkApproval: accept some workflows and reject others for one participant. Each
//! workflow is decided on its own; the ones that fail are listed with the seed's codes
//! (1x activity, 2x workflow, 3x participant, 4x invalid workflow ID) and the others
//! stay decided.

use super::contract::{wfs_request, MAX_REASON, OTHER_PARTICIPANT_FAULTS};
use super::{About, Call, Failure, Operation};
use crate::server::rights::{ActForOthers, Granted};
use crate::server::usecases::decisions::{decide_many, BulkDecision, BulkTarget, Deciding};
use assent_engine::runtime::model::Verdict;
use assent_engine::UserName;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

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
    const ABOUT: About = About {
        name: "bulkApproval",
        summary: "Accept and reject the participant's tasks in many workflows at once",
        faults: OTHER_PARTICIPANT_FAULTS,
    };
    type Request = BulkApprovalRequest;
    type Response = BulkApprovalResponse;

    async fn run(call: &Call<'_>, request: Self::Request) -> Result<Self::Response, Failure> {
        let deciding = match request.participant_dn.as_deref() {
            None => Deciding::OwnItems,
            Some(name) => {
                let participant = UserName::parse(name)
                    .map_err(|_| Failure::invalid("participantDN: not a user name"))?;
                if participant == call.user.username {
                    Deciding::OwnItems
                } else {
                    let granted =
                        Granted::<ActForOthers>::check(call.user).ok_or_else(Failure::denied)?;
                    Deciding::ItemsOf(participant, granted)
                }
            }
        };
        let mut decisions = Vec::new();
        for (verdict, list, field) in [
            (Verdict::Approve, &request.accept, "accept"),
            (Verdict::Reject, &request.reject, "reject"),
        ] {
            let Some(list) = list else { continue };
            if list
                .reason
                .as_ref()
                .is_some_and(|r| r.chars().count() > MAX_REASON)
            {
                return Err(Failure::invalid(format!(
                    "{field}.reason: at most {MAX_REASON} characters"
                )));
            }
            decisions.extend(list.workflow_id.iter().map(|id| BulkDecision {
                verdict,
                target: BulkTarget::EveryItemOf(id.clone()),
                reason: list.reason.clone(),
            }));
        }
        let outcome = decide_many(&call.state.workflows, call.user, deciding, decisions)
            .await
            .map_err(|error| Failure::invalid(error.to_string()))?;
        Ok(BulkApprovalResponse {
            failed: outcome
                .failed
                .into_iter()
                .map(|failure| FailedApproval {
                    id: failure.workflow,
                    name: failure.activity,
                    error_code: failure.code.code(),
                })
                .collect(),
        })
    }
}
