//! getInstance: one workflow instance, for the people involved in it and administrators.

use super::{may_act_for_others, parse_request, Common, Failure, FaultCode};
use crate::app::types::SessionUser;
use crate::server::AppState;
use assent_engine::runtime::model::{Instance, Timestamp};
use serde::Deserialize;
use serde_json::{json, Value};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[allow(dead_code)] // the common parameters are read before the operation's own parsing
struct GetInstance {
    #[serde(rename = "requestID")]
    request_id: Option<String>,
    domain: Option<String>,
    language: Option<String>,
    #[serde(default)]
    return_data: ReturnData,
    timeout: Option<u64>,
    #[serde(rename = "workflowID")]
    workflow_id: String,
    workflow_activity_filter: Option<ActivityFilter>,
}

#[derive(Deserialize, Default, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub enum ReturnData {
    #[default]
    Identifier,
    MatchingActivities,
    Everything,
    Nothing,
}

/// Which activities `matchingActivities` keeps.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ActivityFilter {
    name: Option<String>,
    state: Option<String>,
}

/// RFC 3339 in UTC, as the contract has times.
fn time(at: Timestamp) -> String {
    chrono::DateTime::from_timestamp_millis(at.0)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_default()
}

/// The instance as the contract shows it; `keep` chooses the activities.
pub fn instance_json(instance: &Instance, keep: impl Fn(&str, &str) -> bool) -> Value {
    let activities: Vec<Value> = instance
        .runs
        .iter()
        .filter(|run| keep(&run.activity.0, run.state.as_str()))
        .map(|run| {
            let mut activity = json!({
                "id": run.seq.to_string(),
                "name": run.activity.0,
                "type": run.activity_type,
                "state": run.state.as_str(),
                "startTime": time(run.started_at),
            });
            if let Some(ended) = run.ended_at {
                activity["endTime"] = json!(time(ended));
            }
            if let Some(approval) = &run.approval {
                activity["participant"] = json!(approval
                    .participants
                    .iter()
                    .filter(|p| p.active)
                    .map(|p| p.user.to_string())
                    .collect::<Vec<_>>());
                activity["decision"] = json!(approval
                    .decisions
                    .iter()
                    .map(|d| json!({
                        "participant": d.user.to_string(),
                        "accept": d.verdict == assent_engine::runtime::model::Verdict::Approve,
                        "reason": d.reason,
                        "time": time(d.at),
                    }))
                    .collect::<Vec<_>>());
            }
            if let Some(error) = &run.error {
                activity["error"] = json!(error);
            }
            activity
        })
        .collect();
    let mut value = json!({
        "workflowID": instance.id,
        "definition": { "id": instance.definition.id, "version": instance.definition.version },
        "state": instance.state.as_str(),
        "initiator": instance.initiator.to_string(),
        "subject": instance.subject,
        "resources": instance.resources,
        "createTime": time(instance.created_at),
        "activity": activities,
    });
    if let Some(state) = instance.application_state {
        value["applicationState"] = json!(state);
    }
    if let Some(ended) = instance.ended_at {
        value["endTime"] = json!(time(ended));
    }
    if let Some(correlation) = &instance.correlation_id {
        value["correlationID"] = json!(correlation);
    }
    value
}

/// The requester, the subject, anyone ever asked, and administrators may read it.
pub fn may_read(user: &SessionUser, instance: &Instance) -> bool {
    may_act_for_others(user)
        || instance.initiator == user.username
        || instance.subject_id() == user.username.as_str()
        || instance.runs.iter().any(|run| {
            run.approval
                .as_ref()
                .is_some_and(|a| a.participants.iter().any(|p| p.user == user.username))
        })
}

pub async fn get(
    state: &AppState,
    user: &SessionUser,
    _common: &Common,
    body: &[u8],
) -> Result<Value, Failure> {
    let request: GetInstance = parse_request(body)?;
    if request.workflow_id.len() > 64 {
        return Err(Failure::new(
            FaultCode::InvalidRequest,
            "invalid request: workflowID has at most 64 characters",
        ));
    }
    let instance = state.workflows.instance(&request.workflow_id).await?;
    if !may_read(user, &instance) {
        return Err(Failure::new(FaultCode::AccessDenied, "access denied"));
    }
    let filter = request.workflow_activity_filter.unwrap_or_default();
    Ok(match request.return_data {
        ReturnData::Nothing => json!({}),
        ReturnData::Identifier => json!({ "workflowID": instance.id }),
        ReturnData::Everything => {
            json!({ "workflowInstance": instance_json(&instance, |_, _| true) })
        }
        ReturnData::MatchingActivities => json!({
            "workflowInstance": instance_json(&instance, |name, state| {
                filter.name.as_deref().is_none_or(|n| n == name)
                    && filter.state.as_deref().is_none_or(|s| s.eq_ignore_ascii_case(state))
            })
        }),
    })
}
