//! Workflow instances and their activities as answers show them, and the answer that
//! `returnData` shapes.

use super::{
    time, ActivityFilter, ActivityState, ApplicationState, Order, ReturnData, WorkflowState,
};
use assent_engine::runtime::model::{self, Instance, Timestamp};
use schemars::JsonSchema;
use serde::Serialize;
use std::collections::BTreeMap;

/// One decision of an approval.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DecisionView {
    pub participant: String,
    pub accept: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub time: String,
    /// True when the timeout, not a person, decided.
    pub by_timeout: bool,
}

/// An activity instance as answers show it.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ActivityView {
    /// The activity instance's id within its workflow.
    pub id: String,
    pub name: String,
    /// The activity's type (`start`, `approval`, `email`, ...).
    #[serde(rename = "type")]
    pub activity_type: String,
    pub state: ActivityState,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub application_state: Option<ApplicationState>,
    pub start_date: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_date: Option<String>,
    /// When a waiting approval times out.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expiration_date: Option<String>,
    /// Who is asked now (user names).
    pub participant: Vec<String>,
    pub decision: Vec<DecisionView>,
    pub escalation_level: u32,
    pub retry_count: u32,
    /// The reason of the decision that concluded the approval.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approval_result: Option<ApplicationState>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The definition an instance runs.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct DefinitionRefView {
    pub id: String,
    pub version: u32,
}

/// A workflow instance as answers show it.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct WorkflowInstanceView {
    #[serde(rename = "workflowID")]
    pub workflow_id: String,
    /// The definition's name.
    pub name: String,
    /// The instance's path: the definition's path and the workflow id.
    pub path: String,
    pub definition: DefinitionRefView,
    pub operation: String,
    pub request_workflow_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub state: WorkflowState,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub application_state: Option<ApplicationState>,
    pub initiator: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject_type: Option<String>,
    #[serde(rename = "subjectID", skip_serializing_if = "Option::is_none")]
    pub subject_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<Order>,
    pub resources: Vec<Order>,
    /// The workflow's context attributes.
    pub context: BTreeMap<String, Vec<String>>,
    #[serde(rename = "correlationID", skip_serializing_if = "Option::is_none")]
    pub correlation_id: Option<String>,
    pub start_date: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_date: Option<String>,
    /// The earliest due date of its running activities.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expiration_date: Option<String>,
    pub activity: Vec<ActivityView>,
}

/// What a workflow's definition adds to its view (name, operation, ...).
pub struct DefinitionFacts<'a> {
    pub name: &'a str,
    pub operation: &'a str,
    pub request_workflow_type: &'a str,
    pub owner: &'a str,
    pub description: Option<String>,
}

/// Flowdata values under `context/` as the contract's attribute lists.
pub fn context_of(instance: &Instance) -> BTreeMap<String, Vec<String>> {
    instance
        .flowdata
        .top_level()
        .get("context")
        .map(|node| {
            node.children
                .iter()
                .map(|(name, child)| {
                    (
                        name.clone(),
                        child.values.iter().map(|v| v.as_text()).collect(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

pub fn activity_view(run: &model::ActivityRun) -> ActivityView {
    let approval = run.approval.as_ref();
    let result = approval.and_then(|a| a.outcome).map(|v| match v {
        model::Verdict::Approve => ApplicationState::Accepted,
        model::Verdict::Reject => ApplicationState::Rejected,
    });
    let concluding_reason = approval.and_then(|a| {
        let outcome = a.outcome?;
        a.decisions
            .iter()
            .rev()
            .find(|d| d.verdict == outcome)
            .and_then(|d| d.reason.clone())
    });
    ActivityView {
        id: run.seq.to_string(),
        name: run.activity.0.clone(),
        activity_type: run.activity_type.clone(),
        state: run.state,
        application_state: result,
        start_date: time(run.started_at),
        end_date: run.ended_at.map(time),
        expiration_date: approval
            .filter(|_| run.state == ActivityState::Running)
            .and_then(|a| a.due_at)
            .map(time),
        participant: approval
            .map(|a| {
                a.waiting_on()
                    .into_iter()
                    .map(|p| p.user.to_string())
                    .collect()
            })
            .unwrap_or_default(),
        decision: approval
            .map(|a| {
                a.decisions
                    .iter()
                    .map(|d| DecisionView {
                        participant: d.user.to_string(),
                        accept: d.verdict == model::Verdict::Approve,
                        reason: d.reason.clone(),
                        time: time(d.at),
                        by_timeout: d.by_timeout,
                    })
                    .collect()
            })
            .unwrap_or_default(),
        escalation_level: approval.map(|a| a.escalations).unwrap_or(0),
        retry_count: approval.map(|a| a.reminders).unwrap_or(0),
        reason: concluding_reason,
        approval_result: result,
        error: run.error.clone(),
    }
}

/// The earliest due date of the running approvals.
pub fn expiration_of(instance: &Instance) -> Option<Timestamp> {
    instance
        .runs
        .iter()
        .filter(|r| r.state == ActivityState::Running)
        .filter_map(|r| r.approval.as_ref()?.due_at)
        .min()
}

pub fn instance_view(
    instance: &Instance,
    facts: &DefinitionFacts<'_>,
    keep: impl Fn(&model::ActivityRun) -> bool,
) -> WorkflowInstanceView {
    WorkflowInstanceView {
        workflow_id: instance.id.clone(),
        name: facts.name.to_owned(),
        path: format!("{}/{}", instance.definition.id, instance.id),
        definition: DefinitionRefView {
            id: instance.definition.id.clone(),
            version: instance.definition.version,
        },
        operation: facts.operation.to_owned(),
        request_workflow_type: facts.request_workflow_type.to_owned(),
        description: assent_engine::flowdata::FlowPath::parse(
            assent_engine::runtime::DESCRIPTION_PATH,
        )
        .ok()
        .and_then(|path| instance.flowdata.get(&path).first().map(|v| v.as_text()))
        .or_else(|| facts.description.clone()),
        state: instance.state,
        application_state: instance.application_state,
        initiator: instance.initiator.to_string(),
        subject_type: instance.subject.as_ref().map(|s| s.object_type.clone()),
        subject_id: instance.subject.as_ref().map(|s| s.target_id.clone()),
        subject: instance.subject.as_ref().map(Order::from),
        resources: instance.resources.iter().map(Order::from).collect(),
        context: context_of(instance),
        correlation_id: instance.correlation_id.clone(),
        start_date: time(instance.created_at),
        end_date: instance.ended_at.map(time),
        expiration_date: expiration_of(instance).map(time),
        activity: instance
            .runs
            .iter()
            .filter(|r| keep(r))
            .map(activity_view)
            .collect(),
    }
}

/// A workflow as `returnData` asks: its id, the instance (all activities or the
/// matching ones), or nothing.
#[derive(Debug, Default, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct InstanceAnswer {
    #[serde(rename = "workflowID", skip_serializing_if = "Option::is_none")]
    pub workflow_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workflow_instance: Option<WorkflowInstanceView>,
}

impl InstanceAnswer {
    pub fn new(
        return_data: ReturnData,
        instance: &Instance,
        facts: &DefinitionFacts<'_>,
        activities: Option<&ActivityFilter>,
    ) -> Self {
        match return_data {
            ReturnData::Nothing => Self::default(),
            ReturnData::Identifier => Self {
                workflow_id: Some(instance.id.clone()),
                workflow_instance: None,
            },
            ReturnData::Everything => Self {
                workflow_id: None,
                workflow_instance: Some(instance_view(instance, facts, |_| true)),
            },
            ReturnData::MatchingActivities => Self {
                workflow_id: None,
                workflow_instance: Some(instance_view(instance, facts, |run| {
                    activities.is_none_or(|f| f.matches(run))
                })),
            },
        }
    }
}
