//! One workflow taken apart for an administrator: its activities with who is asked and
//! why they fail, its flowdata, the jobs it left for the runner and its audit trail, and
//! which repairs its state allows.

use super::MINUTES;
use crate::model::instances::{AuditLine, Inspection, JobLine, RunLine};
use crate::model::WorkflowId;
use crate::server::entities::{audit_event, job};
use crate::server::rights::{Granted, ReadAllWorkflows};
use crate::server::usecases::graph::graph_of;
use crate::server::usecases::reading::{
    definition_title, flowdata_texts, step_title, with_definition, OpenedWorkflow,
};
use crate::server::workflow::{from_timestamp, WorkflowError, Workflows};
use assent_engine::definition::Definition;
use assent_engine::runtime::model::{ActivityRun, Instance};
use assent_engine::{ActivityState, WorkflowState};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

/// Jobs and audit entries shown at most, newest first.
const RECENT: u64 = 200;

pub async fn inspect(
    _may: Granted<ReadAllWorkflows>,
    workflows: &Workflows,
    id: &WorkflowId,
    lang: &str,
) -> Result<Inspection, WorkflowError> {
    let OpenedWorkflow {
        stored,
        instance,
        definition,
    } = with_definition(workflows, id).await?;
    let jobs = job::Entity::find()
        .filter(job::Column::InstanceId.eq(id.as_str()))
        .order_by_desc(job::Column::Id)
        .limit(RECENT)
        .all(&workflows.db)
        .await?
        .into_iter()
        .map(|job| JobLine {
            kind: job.kind,
            run: (job.run_seq > 0).then_some(job.run_seq),
            due: job.due_at.format(MINUTES).to_string(),
            attempts: job.attempts,
            done: job.done_at.is_some(),
            last_error: job.last_error,
        })
        .collect();
    let audit = audit_event::Entity::find()
        .filter(audit_event::Column::WorkflowId.eq(id.as_str()))
        .order_by_desc(audit_event::Column::Id)
        .limit(RECENT)
        .all(&workflows.db)
        .await?
        .into_iter()
        .map(|entry| AuditLine {
            occurred_at: entry.occurred_at.format("%Y-%m-%d %H:%M:%S").to_string(),
            actor: entry.actor,
            action: entry.action,
            detail: entry.detail,
        })
        .collect();
    let runs = instance
        .runs
        .iter()
        .map(|run| run_line(&instance, &definition, run, lang))
        .collect();
    let state = instance.state;
    Ok(Inspection {
        id: instance.id.clone(),
        version: instance.version,
        definition: definition.path.clone(),
        definition_version: stored_version(workflows, stored.definition_id).await?,
        title: definition_title(&definition, lang),
        state: state.as_str().to_owned(),
        application_state: stored.application_state,
        initiator: instance.initiator.to_string(),
        subject: stored.subject_id,
        created: stored.created_at.format(MINUTES).to_string(),
        updated: stored.updated_at.format(MINUTES).to_string(),
        ended: stored.ended_at.map(|at| at.format(MINUTES).to_string()),
        runs,
        flowdata: flowdata_texts(&instance.flowdata),
        jobs,
        audit,
        graph: graph_of(&definition, Some(&instance), lang),
        may_suspend: state == WorkflowState::Running,
        may_resume: state == WorkflowState::Suspended,
        may_abort: !state.is_terminal(),
    })
}

/// The deployed version number of the definition row `definition_id`.
async fn stored_version(workflows: &Workflows, definition_id: i32) -> Result<i32, WorkflowError> {
    use crate::server::entities::workflow_definition;
    Ok(workflow_definition::Entity::find_by_id(definition_id)
        .one(&workflows.db)
        .await?
        .map_or(0, |row| row.version))
}

fn run_line(
    instance: &Instance,
    definition: &Definition,
    run: &ActivityRun,
    lang: &str,
) -> RunLine {
    let running = instance.state == WorkflowState::Running;
    let title = step_title(definition, &run.activity.0, lang);
    let participants = run
        .approval
        .as_ref()
        .map(|approval| {
            approval
                .participants
                .iter()
                .filter(|p| p.active)
                .map(|p| p.user.to_string())
                .collect()
        })
        .unwrap_or_default();
    let reassignable = running
        && run.state == ActivityState::Running
        && run.activity_type == "approval"
        && run.approval.is_some();
    RunLine {
        seq: run.seq,
        activity: run.activity.0.clone(),
        title,
        kind: run.activity_type.clone(),
        state: run.state.as_str().to_owned(),
        started: from_timestamp(run.started_at).format(MINUTES).to_string(),
        ended: run
            .ended_at
            .map(|at| from_timestamp(at).format(MINUTES).to_string()),
        participants,
        due: run
            .approval
            .as_ref()
            .and_then(|approval| approval.due_at)
            .map(|at| from_timestamp(at).format(MINUTES).to_string()),
        error: run.error.clone(),
        restartable: running && run.state == ActivityState::WaitInError,
        reassignable,
        // Only an approval with a timeout has a due time (and a timer to move).
        due_movable: reassignable && run.approval.as_ref().is_some_and(|a| a.due_at.is_some()),
    }
}
