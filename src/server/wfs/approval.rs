//! bulkApproval: accept some workflows and reject others for one participant. Each
//! workflow is decided on its own; the ones that fail are listed with the seed's codes
//! (1x activity, 2x workflow, 3x participant, 4x invalid workflow ID) and the others
//! stay decided.

use super::{may_act_for_others, parse_request, Common, Failure, FaultCode};
use crate::app::types::SessionUser;
use crate::server::pages::worklist::bulk_error_code;
use crate::server::AppState;
use assent_engine::runtime::model::Verdict;
use assent_engine::UserName;
use serde::Deserialize;
use serde_json::{json, Value};

/// Workflows one request may decide.
pub const MAX_WORKFLOWS: usize = 1000;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[allow(dead_code)] // the common parameters are read before the operation's own parsing
struct BulkApproval {
    #[serde(rename = "requestID")]
    request_id: Option<String>,
    domain: Option<String>,
    language: Option<String>,
    return_data: Option<String>,
    timeout: Option<u64>,
    #[serde(rename = "participantDN")]
    participant_dn: Option<String>,
    accept: Option<Decisions>,
    reject: Option<Decisions>,
    workflow_context: Option<Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Decisions {
    reason: Option<String>,
    #[serde(rename = "workflowID", default)]
    workflow_id: Vec<String>,
}

pub async fn bulk(
    state: &AppState,
    user: &SessionUser,
    _common: &Common,
    body: &[u8],
) -> Result<Value, Failure> {
    let request: BulkApproval = parse_request(body)?;
    let participant = match &request.participant_dn {
        None => user.username.clone(),
        Some(name) => {
            let named = UserName::parse(name).map_err(|_| {
                Failure::new(
                    FaultCode::InvalidRequest,
                    "invalid request: participantDN is not a user name",
                )
            })?;
            if named != user.username && !may_act_for_others(user) {
                return Err(Failure::new(FaultCode::AccessDenied, "access denied"));
            }
            named
        }
    };
    let mut work = Vec::new();
    for (verdict, decisions) in [
        (Verdict::Approve, &request.accept),
        (Verdict::Reject, &request.reject),
    ] {
        if let Some(decisions) = decisions {
            for id in &decisions.workflow_id {
                work.push((verdict, id.clone(), decisions.reason.clone()));
            }
        }
    }
    if work.len() > MAX_WORKFLOWS {
        return Err(Failure::new(
            FaultCode::InvalidRequest,
            format!("invalid request: at most {MAX_WORKFLOWS} workflows at once"),
        ));
    }
    let mut failed = Vec::new();
    for (verdict, workflow_id, reason) in work {
        let failure =
            |name: String, code: u16| json!({ "id": workflow_id, "name": name, "errorCode": code });
        let instance = match state.workflows.instance(&workflow_id).await {
            Ok(instance) => instance,
            Err(_) => {
                failed.push(failure(String::new(), 40));
                continue;
            }
        };
        // Every activity of this workflow now waiting for the participant.
        let waiting: Vec<(u32, String)> = instance
            .runs
            .iter()
            .filter(|run| run.state == assent_engine::ActivityState::Running)
            .filter(|run| {
                run.approval
                    .as_ref()
                    .is_some_and(|a| a.awaits_decision_from(&participant))
            })
            .map(|run| (run.seq, run.activity.0.clone()))
            .collect();
        if waiting.is_empty() {
            let asked = instance.runs.iter().any(|run| {
                run.approval
                    .as_ref()
                    .is_some_and(|a| a.participants.iter().any(|p| p.user == participant))
            });
            failed.push(failure(String::new(), if asked { 11 } else { 30 }));
            continue;
        }
        for (run, activity) in waiting {
            if let Err(error) = state
                .workflows
                .decide(
                    &participant,
                    &workflow_id,
                    run,
                    verdict,
                    reason.clone(),
                    None,
                )
                .await
            {
                failed.push(failure(activity, bulk_error_code(&error)));
            }
        }
    }
    Ok(json!({ "failed": failed }))
}
