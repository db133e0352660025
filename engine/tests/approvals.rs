//! Approvals from request to outcome on the shipped definitions: decisions and their
//! reasons, the modes that count them, and approvals on parallel paths.

mod support;

use assent_engine::flowdata::Value;
use assent_engine::runtime::{Effect, EngineError, Event, IdentityChange};
use assent_engine::{ActivityState, ApplicationState, WorkflowState};
use support::*;

#[test]
fn four_eye_approval_runs_from_request_to_grant() {
    let mut run = Run::alice_requests("4-eye-approval.toml", "Finance Analyst");
    assert_eq!(run.instance.state, WorkflowState::Running);
    assert_eq!(run.instance.version, 1);
    assert_eq!(
        flow(&run, "request/justification"),
        vec![Value::text("new job")]
    );
    let approval = run.running("manager_approval");
    assert_eq!(run.participants(approval), vec!["bob"]);
    let step = run.last.as_ref().unwrap();
    assert!(step
        .effects
        .iter()
        .any(|e| matches!(e, Effect::NotifyParticipants { users, .. } if users == &[user("bob")])));
    assert_eq!(step.timers.len(), 1, "a three-day timeout is armed");

    let step = run.decide(approval, "bob", true, None).unwrap().clone();
    assert!(step.effects.contains(&Effect::ChangeIdentity {
        run: approval + 1,
        change: IdentityChange::Role {
            user: "alice".into(),
            role: "Finance Analyst".into(),
            grant: true
        }
    }));
    assert_eq!(
        run.instance.application_state,
        Some(ApplicationState::Accepted)
    );
    assert_eq!(
        flow(&run, "manager_approval/decision"),
        vec![Value::text("approved")]
    );
    assert_eq!(
        flow(&run, "manager_approval/approvers"),
        vec![Value::text("bob")]
    );
    assert_eq!(
        run.instance.state,
        WorkflowState::Running,
        "the notification mail is still out"
    );
    run.complete_waiting_effects();
    assert_eq!(run.instance.state, WorkflowState::Succeeded);
    assert!(run.instance.ended_at.is_some());
    let types: Vec<_> = run
        .instance
        .runs
        .iter()
        .map(|r| r.activity_type.as_str())
        .collect();
    assert_eq!(
        types,
        vec![
            "start",
            "approval",
            "role_request",
            "status",
            "email",
            "finish"
        ]
    );
}

#[test]
fn rejection_needs_a_reason_where_the_definition_says_so() {
    let mut run = Run::alice_requests("4-eye-approval.toml", "Finance Analyst");
    let approval = run.running("manager_approval");
    let version = run.instance.version;
    assert_eq!(
        run.decide(approval, "bob", false, None).unwrap_err(),
        EngineError::ReasonRequired
    );
    assert_eq!(
        run.decide(approval, "bob", false, Some("   ")).unwrap_err(),
        EngineError::ReasonRequired
    );
    assert_eq!(
        run.instance.version, version,
        "a refused decision changes nothing"
    );
    run.decide(approval, "bob", false, Some("not in your job"))
        .unwrap();
    assert_eq!(
        run.instance.application_state,
        Some(ApplicationState::Rejected)
    );
    assert_eq!(
        flow(&run, "manager_approval/reasons"),
        vec![Value::text("not in your job")]
    );
    run.complete_waiting_effects();
    assert_eq!(run.instance.state, WorkflowState::Succeeded);
}

#[test]
fn manager_then_owner_asks_in_sequence() {
    let mut run = Run::alice_requests("manager-then-owner.toml", "VPN Access");
    let first = run.running("manager_approval");
    run.decide(first, "bob", true, None).unwrap();
    let second = run.running("owner_approval");
    assert_eq!(run.participants(second), vec!["carol"]);
    run.decide(second, "carol", true, None).unwrap();
    assert_eq!(run.instance.state, WorkflowState::Succeeded);
    assert_eq!(
        run.instance.application_state,
        Some(ApplicationState::Accepted)
    );
}

/// Quorum arithmetic, 2 of 3: each row is a decision sequence and when it must end.
#[test]
fn two_of_three_decides_as_soon_as_the_outcome_is_certain() {
    type Case = (
        &'static [(&'static str, bool)],
        Option<(usize, ApplicationState)>,
    );
    let cases: &[Case] = &[
        (
            &[("bob", true), ("carol", true)],
            Some((2, ApplicationState::Accepted)),
        ),
        (
            &[("bob", true), ("carol", false), ("dave", true)],
            Some((3, ApplicationState::Accepted)),
        ),
        (
            &[("bob", false), ("carol", false)],
            Some((2, ApplicationState::Rejected)),
        ),
        (
            &[("bob", true), ("carol", false), ("dave", false)],
            Some((3, ApplicationState::Rejected)),
        ),
        (&[("bob", true)], None),
        (&[("dave", false)], None),
    ];
    for (decisions, expected) in cases {
        let mut run = Run::alice_requests("parallel-quorum.toml", "Cloud Console");
        let quorum = run.running("quorum");
        assert_eq!(run.participants(quorum), vec!["bob", "carol", "dave"]);
        let mut ended_after = None;
        for (index, (who, approve)) in decisions.iter().enumerate() {
            run.decide(quorum, who, *approve, None).unwrap();
            if ended_after.is_none() && run.instance.application_state.is_some() {
                ended_after = Some(index + 1);
            }
        }
        let outcome = ended_after.map(|n| (n, run.instance.application_state.unwrap()));
        assert_eq!(&outcome, expected, "{decisions:?}");
    }
}

#[test]
fn no_decision_is_accepted_once_the_approval_or_workflow_ended() {
    let mut run = Run::alice_requests("parallel-quorum.toml", "Cloud Console");
    let quorum = run.running("quorum");
    run.decide(quorum, "bob", true, None).unwrap();
    assert_eq!(
        run.decide(quorum, "bob", false, Some("changed my mind"))
            .unwrap_err(),
        EngineError::AlreadyDecided
    );
    run.decide(quorum, "carol", true, None).unwrap();
    assert_eq!(run.instance.state, WorkflowState::Succeeded);
    assert!(matches!(
        run.decide(quorum, "dave", true, None).unwrap_err(),
        EngineError::InvalidState(WorkflowState::Succeeded)
    ));
    assert!(matches!(
        run.send(Event::Abort).unwrap_err(),
        EngineError::InvalidState(_)
    ));
}

#[test]
fn segregation_of_duties_conflicts_need_two_approvals_in_parallel() {
    // The role conflicts with one alice holds: her manager and its owner both decide.
    let conflicting = || {
        let lookups = TestLookups {
            conflicts: vec!["Accounts Payable Clerk".into()],
        };
        Run::start_with(
            shipped("role-request-sod.toml"),
            company(),
            lookups,
            "alice",
            "alice",
            "Payroll Administrator",
        )
    };
    let mut run = conflicting();
    assert_eq!(
        flow(&run, "sod/conflicts"),
        vec![Value::text("Accounts Payable Clerk")]
    );
    let owner = run.running("owner_review");
    let manager = run.running("manager_review");
    assert_eq!(run.participants(owner), vec!["dave"]);
    assert_eq!(run.participants(manager), vec!["bob"]);
    run.decide(owner, "dave", true, None).unwrap();
    assert!(
        run.runs_of("join")
            .any(|r| r.state == ActivityState::Running),
        "the merge waits for the other path"
    );
    assert_eq!(run.instance.application_state, None);
    run.decide(manager, "bob", true, None).unwrap();
    assert_eq!(
        run.instance.application_state,
        Some(ApplicationState::Accepted)
    );
    assert_eq!(run.instance.state, WorkflowState::Succeeded);
    let merges = run.runs_of("join").count();
    assert_eq!(merges, 1, "both paths share one merge run");

    let mut run = conflicting();
    let owner = run.running("owner_review");
    let manager = run.running("manager_review");
    run.decide(owner, "dave", false, Some("conflict")).unwrap();
    run.decide(manager, "bob", true, None).unwrap();
    assert_eq!(
        run.instance.application_state,
        Some(ApplicationState::Rejected)
    );

    let mut run = Run::alice_requests("role-request-sod.toml", "Finance Analyst");
    let only = run.running("manager_only");
    run.decide(only, "bob", true, None).unwrap();
    assert_eq!(
        run.instance.application_state,
        Some(ApplicationState::Accepted)
    );
}
