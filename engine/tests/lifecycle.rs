//! A workflow's life around its activities: suspended, resumed and aborted, and stored
//! between events.

mod support;

use assent_engine::runtime::model::Instance;
use assent_engine::runtime::{EngineError, Event};
use assent_engine::{ActivityState, WorkflowState};
use support::*;

#[test]
fn suspend_resume_and_abort() {
    let mut run = Run::alice_requests("4-eye-approval.toml", "X");
    let approval = run.running("manager_approval");
    let (seq, generation, _) = run.timer();
    run.send(Event::Suspend).unwrap();
    assert_eq!(run.instance.state, WorkflowState::Suspended);
    assert!(matches!(
        run.decide(approval, "bob", true, None).unwrap_err(),
        EngineError::InvalidState(WorkflowState::Suspended)
    ));
    run.advance(4 * DAY);
    assert!(
        !run.fire_timer(seq, generation).unwrap().changed,
        "suspended: the timer waits"
    );
    let step = run.send(Event::Resume { run: None }).unwrap().clone();
    assert_eq!(run.instance.state, WorkflowState::Running);
    let rearmed = step.timers.first().expect("the timer comes back");
    assert_eq!(rearmed.due_at, run.now, "already overdue: due at once");
    assert!(
        !run.fire_timer(seq, generation).unwrap().changed,
        "the old timer is stale"
    );
    run.send(Event::Abort).unwrap();
    assert_eq!(run.instance.state, WorkflowState::Aborted);
    assert_eq!(
        run.instance.runs[approval as usize].state,
        ActivityState::Aborted
    );
    assert!(matches!(
        run.send(Event::Resume { run: None }).unwrap_err(),
        EngineError::InvalidState(_)
    ));
}

#[test]
fn instances_survive_storage_as_json() {
    let run = Run::alice_requests("role-request-sod.toml", "Payroll Administrator");
    let json = serde_json::to_string(&run.instance).unwrap();
    let back: Instance = serde_json::from_str(&json).unwrap();
    assert_eq!(back, run.instance);
    assert!(json.len() < 4000, "compact: {} bytes", json.len());
}
