//! modifyInstance: changes to a running workflow (correlation id, description, context,
//! state) and to the participants of its waiting approvals, in one step. The seed's
//! other attributes are the engine's records: a request that sets one is refused, and
//! the refusal names it.

use super::require_management;
use crate::server::wfs::contract::{
    check_context_attribute, flow_texts, wfs_request, InstanceAnswer, Order, WorkflowState,
    ACTIVITY_CHANGE_FAULTS,
};
use crate::server::wfs::instances::{checked_id, instance_answer};
use crate::server::wfs::{About, Call, Failure, FaultCode, Operation};
use assent_engine::runtime::model::Instance;
use assent_engine::runtime::{Lifecycle, Modification};
use assent_engine::UserName;
use schemars::JsonSchema;
use serde::Deserialize;
use std::collections::BTreeMap;

/// Attributes the seed lists that Assent keeps to itself: setting (or deleting) one is
/// refused with invalidRequest naming it, and nothing changes.
type ReadOnly = Option<serde_json::Value>;

/// Changes to a workflow. Set an attribute by giving it; delete it with its `...Delete`
/// flag. Of the seed's attributes, Assent lets `correlationID`, `description`,
/// `context` and `state` (SUSPENDED, RUNNING, ABORTED) be changed; the others are what
/// the engine records and are refused.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WorkflowModification {
    /// The workflow to change (the seed's `uid`).
    #[serde(rename = "workflowID", alias = "uid")]
    #[schemars(pattern(crate::server::wfs::contract::WORKFLOW_ID_PATTERN))]
    pub workflow_id: String,
    /// Identification only, as in the seed; refused when it names another workflow.
    #[serde(default)]
    #[schemars(length(max = 256))]
    pub dn: Option<String>,
    #[serde(rename = "correlationID", default)]
    #[schemars(length(max = 256))]
    pub correlation_id: Option<String>,
    #[serde(rename = "correlationIDDelete", default)]
    pub correlation_id_delete: bool,
    #[serde(default)]
    #[schemars(length(max = 2000))]
    pub description: Option<String>,
    #[serde(default)]
    pub description_delete: bool,
    /// SUSPENDED suspends, RUNNING resumes, ABORTED cancels; other states are the
    /// engine's to set.
    #[serde(default)]
    pub state: Option<WorkflowState>,
    /// Context attributes to set; an empty list removes one.
    #[serde(default)]
    pub context: Option<BTreeMap<String, Vec<String>>>,
    /// Removes every context attribute (before `context` is applied).
    #[serde(default)]
    pub context_delete: bool,
    #[serde(default)]
    #[schemars(length(max = 50))]
    pub activity: Vec<ActivityModification>,
    /// Read-only here.
    #[serde(default)]
    pub name: ReadOnly,
    /// Read-only here.
    #[serde(default)]
    pub application_state: ReadOnly,
    /// Read-only here.
    #[serde(default)]
    pub request_workflow_type: ReadOnly,
    /// Read-only here.
    #[serde(default)]
    pub start_date: ReadOnly,
    /// Read-only here.
    #[serde(default)]
    pub end_date: ReadOnly,
    /// Read-only here.
    #[serde(default)]
    pub expiration_date: ReadOnly,
    /// Read-only here.
    #[serde(default)]
    pub initiator: ReadOnly,
    /// Read-only here.
    #[serde(default)]
    pub subject_type: ReadOnly,
    /// Read-only here.
    #[serde(rename = "subjectID", default)]
    pub subject_id: ReadOnly,
    /// Read-only here: approvers decided on what was requested.
    #[serde(default)]
    pub subject: Option<Order>,
    /// Read-only here: approvers decided on what was requested.
    #[serde(default)]
    pub resources: Option<Vec<Order>>,
    #[serde(default)]
    pub state_delete: bool,
    #[serde(default)]
    pub application_state_delete: bool,
    #[serde(default)]
    pub start_date_delete: bool,
    #[serde(default)]
    pub expiration_date_delete: bool,
    #[serde(default)]
    pub end_date_delete: bool,
    #[serde(default)]
    pub subject_type_delete: bool,
    #[serde(rename = "subjectIDDelete", default)]
    pub subject_id_delete: bool,
    #[serde(default)]
    pub subject_delete: bool,
    #[serde(default)]
    pub resources_delete: bool,
    #[serde(default)]
    pub initiator_delete: bool,
    #[serde(default)]
    pub request_workflow_type_delete: bool,
}

/// Changes to one activity, named by `name` (its newest run) or `id`. Assent lets
/// `participant` be changed on an approval waiting for decisions; the seed's other
/// attributes are recorded by the engine and refused.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct ActivityModification {
    #[schemars(length(max = 256))]
    pub name: Option<String>,
    /// The activity instance's id, as answers show it.
    #[schemars(length(max = 16))]
    pub id: Option<String>,
    /// User names who are asked from now on, in place of whoever is asked now.
    #[schemars(length(max = 50))]
    pub participant: Option<Vec<String>>,
    /// Refused: an approval needs participants.
    pub participant_delete: bool,
    /// Read-only here.
    pub description: ReadOnly,
    /// Read-only here.
    pub title: ReadOnly,
    /// Read-only here.
    pub category: ReadOnly,
    /// Read-only here.
    pub state: ReadOnly,
    /// Read-only here.
    pub application_state: ReadOnly,
    /// Read-only here.
    pub start_date: ReadOnly,
    /// Read-only here.
    pub expiration_date: ReadOnly,
    /// Read-only here.
    pub end_date: ReadOnly,
    /// Read-only here.
    pub escalation_level: ReadOnly,
    /// Read-only here.
    pub retry_count: ReadOnly,
    /// Read-only here.
    pub retry_limit: ReadOnly,
    /// Read-only here.
    pub reason: ReadOnly,
    /// Read-only here.
    pub activity_type: ReadOnly,
    /// Read-only here.
    pub activity_sub_type: ReadOnly,
    /// Read-only here.
    pub approval_result: ReadOnly,
    /// Read-only here.
    pub sign_approve: ReadOnly,
    /// Read-only here.
    pub sign_deny: ReadOnly,
    /// Read-only here.
    pub content_read_only: ReadOnly,
    pub description_delete: bool,
    pub title_delete: bool,
    pub state_delete: bool,
    pub application_state_delete: bool,
    pub category_delete: bool,
    pub start_date_delete: bool,
    pub expiration_date_delete: bool,
    pub end_date_delete: bool,
    pub escalation_level_delete: bool,
    pub retry_count_delete: bool,
    pub retry_limit_delete: bool,
    pub reason_delete: bool,
    pub activity_type_delete: bool,
    pub context_delete: bool,
    pub approval_result_delete: bool,
}

wfs_request! {
    pub struct ModifyInstanceRequest {
        pub workflow: WorkflowModification,
        /// Reference to the causing audit record.
        #[serde(rename = "causeRefID", default)]
        #[schemars(length(max = 256))]
        pub cause_ref_id: Option<String>,
    }
}

fn refuse_read_only(fields: &[(&str, bool)], prefix: &str) -> Result<(), Failure> {
    match fields.iter().find(|(_, given)| *given) {
        Some((name, _)) => Err(Failure::invalid(format!(
            "{prefix}{name}: Assent records this itself; it cannot be changed"
        ))),
        None => Ok(()),
    }
}

fn check_workflow_fields(w: &WorkflowModification) -> Result<(), Failure> {
    refuse_read_only(
        &[
            ("name", w.name.is_some()),
            ("applicationState", w.application_state.is_some()),
            ("requestWorkflowType", w.request_workflow_type.is_some()),
            ("startDate", w.start_date.is_some()),
            ("endDate", w.end_date.is_some()),
            ("expirationDate", w.expiration_date.is_some()),
            ("initiator", w.initiator.is_some()),
            ("subjectType", w.subject_type.is_some()),
            ("subjectID", w.subject_id.is_some()),
            ("subject", w.subject.is_some()),
            ("resources", w.resources.is_some()),
            ("stateDelete", w.state_delete),
            ("applicationStateDelete", w.application_state_delete),
            ("startDateDelete", w.start_date_delete),
            ("expirationDateDelete", w.expiration_date_delete),
            ("endDateDelete", w.end_date_delete),
            ("subjectTypeDelete", w.subject_type_delete),
            ("subjectIDDelete", w.subject_id_delete),
            ("subjectDelete", w.subject_delete),
            ("resourcesDelete", w.resources_delete),
            ("initiatorDelete", w.initiator_delete),
            ("requestWorkflowTypeDelete", w.request_workflow_type_delete),
        ],
        "workflow.",
    )?;
    for (i, a) in w.activity.iter().enumerate() {
        refuse_read_only(
            &[
                ("participantDelete", a.participant_delete),
                ("description", a.description.is_some()),
                ("title", a.title.is_some()),
                ("category", a.category.is_some()),
                ("state", a.state.is_some()),
                ("applicationState", a.application_state.is_some()),
                ("startDate", a.start_date.is_some()),
                ("expirationDate", a.expiration_date.is_some()),
                ("endDate", a.end_date.is_some()),
                ("escalationLevel", a.escalation_level.is_some()),
                ("retryCount", a.retry_count.is_some()),
                ("retryLimit", a.retry_limit.is_some()),
                ("reason", a.reason.is_some()),
                ("activityType", a.activity_type.is_some()),
                ("activitySubType", a.activity_sub_type.is_some()),
                ("approvalResult", a.approval_result.is_some()),
                ("signApprove", a.sign_approve.is_some()),
                ("signDeny", a.sign_deny.is_some()),
                ("contentReadOnly", a.content_read_only.is_some()),
                ("descriptionDelete", a.description_delete),
                ("titleDelete", a.title_delete),
                ("stateDelete", a.state_delete),
                ("applicationStateDelete", a.application_state_delete),
                ("categoryDelete", a.category_delete),
                ("startDateDelete", a.start_date_delete),
                ("expirationDateDelete", a.expiration_date_delete),
                ("endDateDelete", a.end_date_delete),
                ("escalationLevelDelete", a.escalation_level_delete),
                ("retryCountDelete", a.retry_count_delete),
                ("retryLimitDelete", a.retry_limit_delete),
                ("reasonDelete", a.reason_delete),
                ("activityTypeDelete", a.activity_type_delete),
                ("contextDelete", a.context_delete),
                ("approvalResultDelete", a.approval_result_delete),
            ],
            &format!("workflow.activity[{i}]."),
        )?;
    }
    Ok(())
}

/// Builds the engine's modification from the request, checking every value first.
fn modification(w: &WorkflowModification, instance: &Instance) -> Result<Modification, Failure> {
    let mut change = Modification {
        clear_context: w.context_delete,
        ..Modification::default()
    };
    if w.correlation_id_delete {
        change.correlation_id = Some(None);
    } else if let Some(id) = &w.correlation_id {
        change.correlation_id = Some(Some(id.clone()));
    }
    for (name, values) in w.context.iter().flatten() {
        check_context_attribute("workflow.context", name, values)?;
        change.context.insert(name.clone(), flow_texts(values));
    }
    // The description lives in the workflow's flowdata; the view shows it over the
    // definition's.
    if w.description_delete {
        change.description = Some(None);
    } else if let Some(description) = &w.description {
        change.description = Some(Some(description.clone()));
    }
    for (i, a) in w.activity.iter().enumerate() {
        let field = format!("workflow.activity[{i}]");
        let run = match (&a.id, &a.name) {
            (Some(id), _) => id
                .parse::<u32>()
                .ok()
                .and_then(|seq| instance.run(seq))
                .ok_or_else(|| {
                    Failure::new(
                        FaultCode::ActivityNotFound,
                        format!("{field}.id: no such activity"),
                    )
                })?,
            (None, Some(name)) => instance
                .runs
                .iter()
                .rev()
                .find(|r| &r.activity.0 == name)
                .ok_or_else(|| {
                    Failure::new(
                        FaultCode::ActivityNotFound,
                        format!("{field}.name: the workflow has no such activity"),
                    )
                })?,
            (None, None) => {
                return Err(Failure::invalid(format!("{field}: name or id is required")))
            }
        };
        if let Some(names) = &a.participant {
            let users = names
                .iter()
                .map(|n| {
                    UserName::parse(n).map_err(|_| {
                        Failure::invalid(format!("{field}.participant: {n:?} is not a user name"))
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            change.participants.insert(run.seq, users);
        }
    }
    Ok(change)
}

/// The lifecycle event a requested state asks for: only those a caller may ask.
fn lifecycle_event(state: WorkflowState) -> Result<Lifecycle, Failure> {
    match state {
        WorkflowState::Suspended => Ok(Lifecycle::Suspend),
        WorkflowState::Running => Ok(Lifecycle::Resume),
        WorkflowState::Aborted => Ok(Lifecycle::Abort),
        other => Err(Failure::invalid(format!(
            "workflow.state: {} is the engine's to set",
            other.as_str()
        ))),
    }
}

pub struct ModifyInstance;

impl Operation for ModifyInstance {
    const ABOUT: About = About {
        name: "modifyInstance",
        summary: "Change a workflow: correlation id, description, context, state, participants",
        faults: ACTIVITY_CHANGE_FAULTS,
    };
    type Request = ModifyInstanceRequest;
    type Response = InstanceAnswer;

    async fn run(call: &Call<'_>, request: Self::Request) -> Result<Self::Response, Failure> {
        require_management(call)?;
        let w = &request.workflow;
        check_workflow_fields(w)?;
        let workflow_id = checked_id(&w.workflow_id)?;
        if w.dn.as_deref().is_some_and(|dn| dn != workflow_id) {
            return Err(Failure::invalid("workflow.dn: names another workflow"));
        }
        let workflows = &call.state.workflows;
        let loaded = workflows.instance(workflow_id).await?;
        let mut change = modification(w, &loaded)?;
        change.lifecycle = w.state.map(lifecycle_event).transpose()?;
        // One step, against the version read above: all of it applies or none, and a
        // concurrent change makes this a conflict, not a lost update.
        let instance = if change == Modification::default() {
            loaded
        } else {
            workflows
                .modify(
                    &call.user.username,
                    workflow_id,
                    change,
                    Some(loaded.version),
                    request
                        .cause_ref_id
                        .as_ref()
                        .map(|cause| format!("caused by {cause}"))
                        .unwrap_or_default(),
                )
                .await?
        };
        instance_answer(call, request.return_data, &instance, None).await
    }
}
