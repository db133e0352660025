//! What those who manage workflows do to one: suspend, resume (or restart an activity
//! waiting in error), abort, and modify (the contract's modifyInstance).

use super::activities;
use super::{EngineError, Lifecycle, Machine, Modification, DESCRIPTION_PATH};
use crate::flowdata::{FlowPath, Value};
use crate::{ActivityState, UserName, WorkflowState};

pub(super) fn suspend(machine: &mut Machine) -> Result<(), EngineError> {
    machine.require_state(WorkflowState::Running)?;
    machine.instance.state = WorkflowState::Suspended;
    Ok(())
}

/// Resumes a suspended workflow (`run` is `None`), or restarts run `run` waiting in error.
/// `state` is the workflow's state before the event.
pub(super) fn resume(
    machine: &mut Machine,
    state: WorkflowState,
    run: Option<u32>,
) -> Result<(), EngineError> {
    match (state, run) {
        (WorkflowState::Suspended, None) => {
            machine.instance.state = WorkflowState::Running;
            activities::timeouts::rearm_timers(machine);
        }
        (WorkflowState::Suspended | WorkflowState::Running, Some(seq)) => {
            machine.instance.state = WorkflowState::Running;
            restart(machine, seq)?;
        }
        (other, _) => return Err(EngineError::InvalidState(other)),
    }
    Ok(())
}

/// Ends the run waiting in error as failed and enters its activity again.
fn restart(machine: &mut Machine, seq: u32) -> Result<(), EngineError> {
    let run = machine.existing_run(seq)?;
    if run.state != ActivityState::WaitInError {
        return Err(EngineError::NotInError);
    }
    let activity = run.activity.clone();
    let now = machine.env.now;
    let run = machine.run_mut(seq);
    run.state = ActivityState::Failed;
    run.ended_at = Some(now);
    machine.queue.push_back(activity);
    Ok(())
}

/// An ended workflow takes no more changes.
pub(super) fn require_not_ended(state: WorkflowState) -> Result<(), EngineError> {
    if state.is_terminal() {
        return Err(EngineError::InvalidState(state));
    }
    Ok(())
}

/// Ends the workflow and every run still going; their timers become stale.
pub(super) fn abort(machine: &mut Machine) {
    let now = machine.env.now;
    for run in &mut machine.instance.runs {
        if matches!(
            run.state,
            ActivityState::Running | ActivityState::WaitInError
        ) {
            run.state = ActivityState::Aborted;
            run.ended_at = Some(now);
            if let Some(approval) = &mut run.approval {
                approval.timer_generation += 1;
                approval.due_at = None;
            }
        }
    }
    machine.instance.state = WorkflowState::Aborted;
    machine.instance.ended_at = Some(now);
}

/// Applies a modification whole, or refuses it whole, then the change of lifecycle it
/// asks for. `state` is the workflow's state before the event.
pub(super) fn modify(
    machine: &mut Machine,
    state: WorkflowState,
    actor: &UserName,
    change: Modification,
) -> Result<(), EngineError> {
    require_not_ended(state)?;
    let lifecycle = change.lifecycle;
    apply(machine, actor, change)?;
    match lifecycle {
        Some(Lifecycle::Suspend) if state == WorkflowState::Suspended => {}
        Some(Lifecycle::Resume) if state == WorkflowState::Running => {}
        Some(Lifecycle::Suspend) => suspend(machine)?,
        Some(Lifecycle::Resume) => resume(machine, state, None)?,
        Some(Lifecycle::Abort) => abort(machine),
        None => {}
    }
    Ok(())
}

/// Everything of a modification but its lifecycle.
fn apply(machine: &mut Machine, actor: &UserName, change: Modification) -> Result<(), EngineError> {
    // Choosing who approves is deciding by other means: not for the requester or the
    // subject, administrator or not.
    if !change.participants.is_empty() && machine.instance.may_not_decide(actor) {
        return Err(EngineError::OwnRequest);
    }
    for (seq, users) in &change.participants {
        activities::reassignment::reassign(machine, *seq, actor, users)?;
    }
    for (seq, due_at) in &change.due {
        activities::timeouts::move_due(machine, *seq, *due_at)?;
    }
    if let Some(correlation_id) = change.correlation_id {
        machine.instance.correlation_id = correlation_id;
    }
    if let Some(description) = change.description {
        let path = FlowPath::parse(DESCRIPTION_PATH).expect("a valid constant path");
        match description {
            Some(text) => machine
                .instance
                .flowdata
                .set(&path, vec![Value::Text(text)]),
            None => machine.instance.flowdata.remove(&path),
        }
    }
    if change.clear_context {
        let context = FlowPath::parse("context").expect("a valid constant path");
        machine.instance.flowdata.remove(&context);
    }
    for (name, values) in change.context {
        let path = FlowPath::parse(&format!("context/{name}"))
            .map_err(|_| EngineError::BadContextName(name.clone()))?;
        if values.is_empty() {
            machine.instance.flowdata.remove(&path);
        } else {
            machine.instance.flowdata.set(&path, values);
        }
    }
    Ok(())
}
