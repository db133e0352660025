//! One workflow's recorded steps, replayed one at a time: what moved it and who, and right
//! after, its state, the steps begun and ended, the decisions taken, who was asked and why,
//! and its flowdata with what changed, on the definition's graph.

use super::MINUTES;
use crate::model::replay::{Asked, FlowLine, Replay, StepLine, StepView};
use crate::model::WorkflowId;
use crate::server::entities::workflow_step;
use crate::server::rights::{Granted, ReadAllWorkflows};
use crate::server::usecases::graph::graph_of;
use crate::server::usecases::reading::{
    definition_title, flowdata_texts, step_title, with_definition, OpenedWorkflow,
};
use crate::server::workflow::{decode_stored_data, from_timestamp, WorkflowError, Workflows};
use assent_engine::definition::Definition;
use assent_engine::runtime::model::{Because, Instance};
use assent_engine::ActivityState;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::BTreeMap;

type StepRow = (
    i64,
    chrono::DateTime<chrono::Utc>,
    Option<String>,
    String,
    String,
);

/// `at` counts from 1; absent or past the end, the last step is shown.
pub async fn replay(
    _may: Granted<ReadAllWorkflows>,
    workflows: &Workflows,
    id: &WorkflowId,
    at: Option<usize>,
    lang: &str,
) -> Result<Replay, WorkflowError> {
    let OpenedWorkflow {
        instance: current,
        definition,
        ..
    } = with_definition(workflows, id).await?;
    let rows: Vec<StepRow> = workflow_step::Entity::find()
        .select_only()
        .columns([
            workflow_step::Column::Id,
            workflow_step::Column::OccurredAt,
            workflow_step::Column::Actor,
            workflow_step::Column::Action,
            workflow_step::Column::Detail,
        ])
        .filter(workflow_step::Column::WorkflowId.eq(id.as_str()))
        .order_by_asc(workflow_step::Column::Id)
        .into_tuple()
        .all(&workflows.db)
        .await?;
    let steps: Vec<StepLine> = rows
        .iter()
        .enumerate()
        .map(|(index, (_, at, actor, action, detail))| StepLine {
            number: index + 1,
            occurred_at: at.format("%Y-%m-%d %H:%M:%S").to_string(),
            actor: actor.clone(),
            action: action.clone(),
            detail: detail.clone(),
        })
        .collect();
    let starts_late = steps
        .first()
        .is_none_or(|first| first.action != "workflow.created");
    // A workflow last saved before steps were recorded shows as it is now.
    let (at, before, after) = if rows.is_empty() {
        (0, None, current)
    } else {
        let at = at.unwrap_or(rows.len()).clamp(1, rows.len());
        let before = match at.checked_sub(2) {
            Some(index) => Some(step_instance(workflows, rows[index].0).await?),
            None => None,
        };
        (at, before, step_instance(workflows, rows[at - 1].0).await?)
    };
    Ok(Replay {
        id: id.to_string(),
        title: definition_title(&definition, lang),
        definition: definition.path.clone(),
        steps,
        at,
        starts_late,
        view: view_of(&definition, before.as_ref(), &after, lang),
        graph: graph_of(&definition, Some(&after), lang),
    })
}

async fn step_instance(workflows: &Workflows, step: i64) -> Result<Instance, WorkflowError> {
    let data: Option<String> = workflow_step::Entity::find_by_id(step)
        .select_only()
        .column(workflow_step::Column::Data)
        .into_tuple()
        .one(&workflows.db)
        .await?;
    decode_stored_data(&data.ok_or(WorkflowError::WorkflowNotFound)?)
}

/// The workflow after a step, compared with the one before it (none for the first).
fn view_of(
    definition: &Definition,
    before: Option<&Instance>,
    after: &Instance,
    lang: &str,
) -> StepView {
    let title = |run: &assent_engine::runtime::model::ActivityRun| {
        step_title(definition, &run.activity.0, lang)
    };
    let earlier = |seq: u32| before.and_then(|b| b.run(seq));
    let started = after
        .runs
        .iter()
        .filter(|run| earlier(run.seq).is_none())
        .map(title)
        .collect();
    let ended = after
        .runs
        .iter()
        .filter(|run| run.ended_at.is_some())
        .filter(|run| earlier(run.seq).is_none_or(|was| was.ended_at.is_none()))
        .map(|run| (title(run), run.state.as_str().to_owned()))
        .collect();
    let decisions = after
        .runs
        .iter()
        .filter_map(|run| run.approval.as_ref().map(|approval| (run, approval)))
        .flat_map(|(run, approval)| {
            let known = earlier(run.seq)
                .and_then(|was| was.approval.as_ref())
                .map_or(0, |was| was.decisions.len());
            approval.decisions.iter().skip(known).map(move |decision| {
                let who = match (&decision.by, decision.by_timeout) {
                    (_, true) => "the timeout".to_owned(),
                    (Some(by), _) => format!("{by} for {}", decision.user),
                    (None, _) => decision.user.to_string(),
                };
                let reason = decision
                    .reason
                    .as_deref()
                    .map(|r| format!(": {r}"))
                    .unwrap_or_default();
                format!(
                    "{}: {who} {}{reason}",
                    title(run),
                    decision.verdict.as_str()
                )
            })
        })
        .collect();
    let asked = after
        .runs
        .iter()
        .filter(|run| run.state == ActivityState::Running)
        .filter_map(|run| run.approval.as_ref().map(|approval| (run, approval)))
        .map(|(run, approval)| Asked {
            step: title(run),
            waiting_on: approval
                .waiting_on()
                .into_iter()
                .map(|p| (p.user.to_string(), why_asked(&p.because, lang)))
                .collect(),
            due: approval
                .due_at
                .map(|at| from_timestamp(at).format(MINUTES).to_string()),
        })
        .collect();
    let was: BTreeMap<String, Vec<String>> = before
        .map(|b| flowdata_texts(&b.flowdata))
        .unwrap_or_default()
        .into_iter()
        .collect();
    let flowdata = flowdata_texts(&after.flowdata)
        .into_iter()
        .map(|(path, values)| FlowLine {
            changed: was.get(&path) != Some(&values),
            path,
            values,
        })
        .collect();
    StepView {
        state: after.state.as_str().to_owned(),
        started,
        ended,
        asked,
        decisions,
        flowdata,
    }
}

/// Why someone was asked, said of them (the work item page says it to them).
pub(crate) fn why_asked(because: &Because, lang: &str) -> String {
    let german = lang == "de";
    match because {
        Because::Rule { rule } if german => format!("Regel: {rule}"),
        Because::Rule { rule } => format!("rule: {rule}"),
        Because::Substitute { for_user } if german => format!("vertritt {for_user}"),
        Because::Substitute { for_user } => format!("stands in for {for_user}"),
        Because::Escalation { from } if german => format!("eskaliert von {from}"),
        Because::Escalation { from } => format!("escalated from {from}"),
        Because::Forwarded { by } if german => format!("weitergeleitet von {by}"),
        Because::Forwarded { by } => format!("forwarded by {by}"),
        Because::InsteadOfRequester { requester } if german => {
            format!("statt des Antragstellers {requester}")
        }
        Because::InsteadOfRequester { requester } => {
            format!("instead of the requester {requester}")
        }
        Because::InsteadOfBeneficiary { beneficiary } if german => {
            format!("statt des Begünstigten {beneficiary}")
        }
        Because::InsteadOfBeneficiary { beneficiary } => {
            format!("instead of {beneficiary}, whom the request is for")
        }
    }
}
