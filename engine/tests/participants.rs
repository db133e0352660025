//! Who an approval asks: whom the rule names, or whoever stands in for them; never the
//! requester; and, when nobody is left, an error an administrator can repair.

mod support;

use assent_engine::runtime::model::Because;
use assent_engine::runtime::{EngineError, Event};
use assent_engine::{ActivityState, WorkflowState};
use support::*;

#[test]
fn the_requester_never_approves_their_own_request() {
    // bob asks for alice, whose manager is bob himself: erin decides instead.
    let mut run = Run::start(
        shipped("4-eye-approval.toml"),
        "bob",
        "alice",
        "Finance Analyst",
    );
    let approval = run.running("manager_approval");
    assert_eq!(run.participants(approval), vec!["erin"]);
    assert_eq!(
        because(&run, approval, "erin"),
        Because::InsteadOfRequester {
            requester: user("bob")
        }
    );
    assert_eq!(
        run.decide(approval, "bob", true, None).unwrap_err(),
        EngineError::OwnRequest
    );
    // alice is the person the request is for: she may not decide it either.
    assert_eq!(
        run.decide(approval, "alice", true, None).unwrap_err(),
        EngineError::OwnRequest
    );
    run.decide(approval, "erin", true, None).unwrap();
}

#[test]
fn a_rule_naming_only_the_requester_with_nobody_above_waits_in_error() {
    let mut run = Run::start(
        shipped("4-eye-approval.toml"),
        "erin",
        "bob",
        "Finance Analyst",
    );
    let seq = run.runs_of("manager_approval").next().unwrap().seq;
    assert_eq!(
        run.instance.runs[seq as usize].state,
        ActivityState::WaitInError
    );
    assert!(run.instance.runs[seq as usize]
        .error
        .as_deref()
        .unwrap()
        .contains("no eligible approver"));
    assert_eq!(
        run.instance.state,
        WorkflowState::Running,
        "an admin can repair it"
    );
    // The repair: someone above erin appears; resuming the activity asks them.
    run.directory.user("board", None);
    run.directory.managers.insert(user("erin"), user("board"));
    run.send(Event::Resume { run: Some(seq) }).unwrap();
    let again = run.running("manager_approval");
    assert_eq!(run.participants(again), vec!["board"]);
}

#[test]
fn delegations_and_substitutes_are_honoured_and_recorded() {
    let run = Run::while_bob_is_away("frank", "alice");
    let approval = run.running("manager_approval");
    assert_eq!(run.participants(approval), vec!["frank"]);
    assert_eq!(
        because(&run, approval, "frank"),
        Because::Substitute {
            for_user: user("bob")
        }
    );
}
