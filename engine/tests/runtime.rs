//! The runtime, scenario by scenario and activity by activity.

mod support;

use assent_engine::flowdata::{FlowPath, Value};
use assent_engine::runtime::directory::Substitution;
use assent_engine::runtime::model::{Because, Timestamp};
use assent_engine::runtime::{Effect, EngineError, Event, IdentityChange};
use assent_engine::{ActivityState, ApplicationState, WorkflowState};
use support::*;

fn flow(run: &Run, path: &str) -> Vec<Value> {
    run.instance
        .flowdata
        .get(&FlowPath::parse(path).unwrap())
        .to_vec()
}

#[test]
fn four_eye_approval_runs_from_request_to_grant() {
    let mut run = Run::start(
        shipped("4-eye-approval.toml"),
        "alice",
        "alice",
        "Finance Analyst",
    );
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
    let mut run = Run::start(
        shipped("4-eye-approval.toml"),
        "alice",
        "alice",
        "Finance Analyst",
    );
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
    let because = &run.instance.runs[approval as usize]
        .approval
        .as_ref()
        .unwrap()
        .participants[0]
        .because;
    assert_eq!(
        because,
        &Because::InsteadOfRequester {
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
    let seq = run
        .instance
        .runs
        .iter()
        .find(|r| r.activity.0 == "manager_approval")
        .unwrap()
        .seq;
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
    let mut directory = company();
    directory.substitutions.push(Substitution {
        user: user("bob"),
        substitute: user("frank"),
        from: Timestamp(0),
        until: Timestamp(i64::MAX),
    });
    let run = Run::start_with(
        shipped("4-eye-approval.toml"),
        directory,
        TestLookups::default(),
        "alice",
        "alice",
        "X",
    );
    let approval = run.running("manager_approval");
    assert_eq!(run.participants(approval), vec!["frank"]);
    let because = &run.instance.runs[approval as usize]
        .approval
        .as_ref()
        .unwrap()
        .participants[0]
        .because;
    assert_eq!(
        because,
        &Because::Substitute {
            for_user: user("bob")
        }
    );
}

#[test]
fn a_silent_manager_is_escalated_once_then_the_request_is_denied() {
    let mut run = Run::start(
        shipped("4-eye-approval.toml"),
        "alice",
        "alice",
        "Finance Analyst",
    );
    let approval = run.running("manager_approval");
    let (seq, generation, due_at) = run.timer();
    assert_eq!(due_at.0 - run.now.0, 3 * DAY);
    run.advance(3 * DAY);
    let step = run
        .send(Event::TimerFired {
            run: seq,
            generation,
        })
        .unwrap()
        .clone();
    assert!(step.changed);
    assert_eq!(
        run.participants(approval),
        vec!["erin"],
        "escalated to bob's manager"
    );
    let second_timer = *step.timers.last().expect("re-armed for the next level");
    // The first timer again (a job run twice) has no effect.
    let version = run.instance.version;
    let repeat = run
        .send(Event::TimerFired {
            run: seq,
            generation,
        })
        .unwrap()
        .clone();
    assert!(!repeat.changed);
    assert_eq!(run.instance.version, version);
    assert_eq!(
        run.decide(approval, "bob", true, None).unwrap_err(),
        EngineError::NotAParticipant
    );

    run.advance(3 * DAY);
    run.send(Event::TimerFired {
        run: seq,
        generation: second_timer.generation,
    })
    .unwrap();
    assert_eq!(
        run.instance.application_state,
        Some(ApplicationState::Rejected)
    );
    assert_eq!(
        flow(&run, "manager_approval/timedOut"),
        vec![Value::Bool(true)]
    );
}

#[test]
fn reminders_repeat_then_the_final_outcome_applies() {
    let mut run = Run::start(
        shipped("manager-then-owner.toml"),
        "alice",
        "alice",
        "VPN Access",
    );
    let approval = run.running("manager_approval");
    for reminder in 1..=2 {
        let (seq, generation, _) = run.timer();
        run.advance(2 * DAY);
        let step = run
            .send(Event::TimerFired {
                run: seq,
                generation,
            })
            .unwrap()
            .clone();
        assert!(
            step.effects.contains(&Effect::NotifyParticipants {
                run: approval,
                users: vec![user("bob")],
                reminder: true
            }),
            "reminder {reminder}"
        );
    }
    let (seq, generation, _) = run.timer();
    run.advance(2 * DAY);
    run.send(Event::TimerFired {
        run: seq,
        generation,
    })
    .unwrap();
    assert_eq!(
        run.instance.application_state,
        Some(ApplicationState::Rejected)
    );
}

#[test]
fn manager_then_owner_asks_in_sequence() {
    let mut run = Run::start(
        shipped("manager-then-owner.toml"),
        "alice",
        "alice",
        "VPN Access",
    );
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
        let mut run = Run::start(
            shipped("parallel-quorum.toml"),
            "alice",
            "alice",
            "Cloud Console",
        );
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
    let mut run = Run::start(
        shipped("parallel-quorum.toml"),
        "alice",
        "alice",
        "Cloud Console",
    );
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
    let lookups = TestLookups {
        conflicts: vec!["Accounts Payable Clerk".into()],
    };
    let mut run = Run::start_with(
        shipped("role-request-sod.toml"),
        company(),
        lookups,
        "alice",
        "alice",
        "Payroll Administrator",
    );
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
        run.instance
            .runs
            .iter()
            .any(|r| r.activity.0 == "join" && r.state == ActivityState::Running),
        "the merge waits for the other path"
    );
    assert_eq!(run.instance.application_state, None);
    run.decide(manager, "bob", true, None).unwrap();
    assert_eq!(
        run.instance.application_state,
        Some(ApplicationState::Accepted)
    );
    assert_eq!(run.instance.state, WorkflowState::Succeeded);
    let merges = run
        .instance
        .runs
        .iter()
        .filter(|r| r.activity.0 == "join")
        .count();
    assert_eq!(merges, 1, "both paths share one merge run");

    let lookups = TestLookups {
        conflicts: vec!["Accounts Payable Clerk".into()],
    };
    let mut run = Run::start_with(
        shipped("role-request-sod.toml"),
        company(),
        lookups,
        "alice",
        "alice",
        "Payroll Administrator",
    );
    let owner = run.running("owner_review");
    let manager = run.running("manager_review");
    run.decide(owner, "dave", false, Some("conflict")).unwrap();
    run.decide(manager, "bob", true, None).unwrap();
    assert_eq!(
        run.instance.application_state,
        Some(ApplicationState::Rejected)
    );

    let mut run = Run::start(
        shipped("role-request-sod.toml"),
        "alice",
        "alice",
        "Finance Analyst",
    );
    let only = run.running("manager_only");
    run.decide(only, "bob", true, None).unwrap();
    assert_eq!(
        run.instance.application_state,
        Some(ApplicationState::Accepted)
    );
}

#[test]
fn forwarding_hands_the_item_to_another_user() {
    let mut run = Run::start(shipped("4-eye-approval.toml"), "alice", "alice", "X");
    let approval = run.running("manager_approval");
    let forward = |to: &str| Event::Forward {
        run: approval,
        actor: user("bob"),
        to: user(to),
    };
    assert!(matches!(
        run.send(forward("alice")).unwrap_err(),
        EngineError::CannotForward(_, _)
    ));
    assert!(matches!(
        run.send(forward("ghost")).unwrap_err(),
        EngineError::CannotForward(_, _)
    ));
    run.send(forward("dave")).unwrap();
    assert_eq!(run.participants(approval), vec!["dave"]);
    assert_eq!(
        run.decide(approval, "bob", true, None).unwrap_err(),
        EngineError::NotAParticipant
    );
    run.decide(approval, "dave", true, None).unwrap();
}

#[test]
fn suspend_resume_and_abort() {
    let mut run = Run::start(shipped("4-eye-approval.toml"), "alice", "alice", "X");
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
        !run.send(Event::TimerFired {
            run: seq,
            generation
        })
        .unwrap()
        .changed,
        "suspended: the timer waits"
    );
    let step = run.send(Event::Resume { run: None }).unwrap().clone();
    assert_eq!(run.instance.state, WorkflowState::Running);
    let rearmed = step.timers.first().expect("the timer comes back");
    assert_eq!(rearmed.due_at, run.now, "already overdue: due at once");
    assert!(
        !run.send(Event::TimerFired {
            run: seq,
            generation
        })
        .unwrap()
        .changed,
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

const EVERY_AUTOMATIC_TYPE: &str = r#"
name = "All types"
path = "Test/All"
operation = "assign"
subject_type = "user"
resource_type = "role"
request_workflow_type = "approval"
owner = "admin"

[[activity]]
id = "start"
type = "start"
next = "map"

[[activity]]
id = "map"
type = "mapping"
assign = [{ target = "calc/total", expression = "size(flowdata.request.justification) + 41" }]
next = "check"

[[activity]]
id = "check"
type = "condition"
expression = "flowdata.calc.total[0] == 42"
when_true = "split"
when_false = "end"

[[activity]]
id = "split"
type = "branch"
next = ["entity", "call"]

[[activity]]
id = "entity"
type = "entity"
assign = [{ target = "title", expression = "'Analyst'" }]
next = "entitle"

[[activity]]
id = "entitle"
type = "entitlement"
entitlement = "vpn"
action = "revoke"
next = "join"

[[activity]]
id = "call"
type = "rest"
method = "post"
url = "https://hr.example/api"
assign = [{ target = "hr/ok", expression = "flowdata.call.response.status == ['200']" }]
next = "outside"

[[activity]]
id = "outside"
type = "external"
system = "ticketing"
next = "join"

[[activity]]
id = "join"
type = "merge"
next = "log"

[[activity]]
id = "log"
type = "log"
message = "done"
next = "resource"

[[activity]]
id = "resource"
type = "resource_request"
resource = "requested"
next = "status"

[[activity]]
id = "status"
type = "status"
application_state = "ACCEPTED"
next = "end"

[[activity]]
id = "end"
type = "finish"
"#;

#[test]
fn every_automatic_activity_type_does_its_part() {
    let mut run = Run::start(
        definition(EVERY_AUTOMATIC_TYPE),
        "alice",
        "alice",
        "Cloud Console",
    );
    assert_eq!(flow(&run, "calc/total"), vec![Value::Int(42)]);
    let effects = run.last.as_ref().unwrap().effects.clone();
    assert!(effects.iter().any(|e| matches!(e, Effect::ChangeIdentity { change: IdentityChange::SetAttributes { user, attributes }, .. } if user == "alice" && attributes["title"] == vec![Value::text("Analyst")])));
    assert!(effects.iter().any(|e| matches!(e, Effect::ChangeIdentity { change: IdentityChange::Entitlement { entitlement, grant: false, .. }, .. } if entitlement == "vpn")));
    assert!(effects
        .iter()
        .any(|e| matches!(e, Effect::CallRest { method, .. } if method == "POST")));
    let call = run.running("call");
    assert!(
        run.instance.runs.iter().any(|r| r.activity.0 == "join"),
        "one path waits at the merge"
    );

    run.send(Event::EffectSucceeded {
        run: call,
        result: [("status".to_owned(), vec![Value::text("200")])].into(),
    })
    .unwrap();
    assert_eq!(flow(&run, "hr/ok"), vec![Value::Bool(true)]);
    let outside = run.running("outside");
    assert!(run
        .last
        .as_ref()
        .unwrap()
        .effects
        .iter()
        .any(|e| matches!(e, Effect::HandOff { system, .. } if system == "ticketing")));
    // A duplicate delivery of the REST answer changes nothing.
    assert!(
        !run.send(Event::EffectSucceeded {
            run: call,
            result: Default::default()
        })
        .unwrap()
        .changed
    );

    let step = run
        .send(Event::EffectSucceeded {
            run: outside,
            result: [("ticket".to_owned(), vec![Value::text("T-1")])].into(),
        })
        .unwrap()
        .clone();
    assert_eq!(flow(&run, "outside/ticket"), vec![Value::text("T-1")]);
    assert!(step
        .effects
        .iter()
        .any(|e| matches!(e, Effect::Audit { message } if message.contains("done"))));
    assert!(step.effects.iter().any(|e| matches!(e, Effect::ChangeIdentity { change: IdentityChange::Resource { resource, grant: true, .. }, .. } if resource == "Cloud Console")));
    assert_eq!(run.instance.state, WorkflowState::Succeeded);
    assert_eq!(
        run.instance.application_state,
        Some(ApplicationState::Accepted)
    );
}

#[test]
fn failures_wait_in_error_and_resume_restarts_the_activity() {
    let source = EVERY_AUTOMATIC_TYPE.replace(
        "size(flowdata.request.justification) + 41",
        "flowdata.request.justification[5]",
    );
    let mut run = Run::start(definition(&source), "alice", "alice", "Cloud Console");
    let failed = run
        .instance
        .runs
        .iter()
        .find(|r| r.activity.0 == "map")
        .unwrap()
        .clone();
    assert_eq!(failed.state, ActivityState::WaitInError);
    assert!(failed.error.unwrap().contains("out of range"));
    assert_eq!(run.instance.state, WorkflowState::Running);
    assert!(
        run.send(Event::Resume { run: Some(0) }).is_err(),
        "only a run in error restarts"
    );

    let mut run = Run::start(
        definition(EVERY_AUTOMATIC_TYPE),
        "alice",
        "alice",
        "Cloud Console",
    );
    let call = run.running("call");
    run.send(Event::EffectFailed {
        run: call,
        error: "HTTP 503 after 5 tries".into(),
    })
    .unwrap();
    assert_eq!(
        run.instance.runs[call as usize].state,
        ActivityState::WaitInError
    );
    run.send(Event::Resume { run: Some(call) }).unwrap();
    assert_eq!(
        run.instance.runs[call as usize].state,
        ActivityState::Failed
    );
    let retried = run.running("call");
    assert!(retried > call, "a new run of the same activity");
}

#[test]
fn a_definition_looping_without_waiting_is_stopped() {
    let source = r#"
name = "Loop"
path = "Test/Loop"
operation = "assign"
subject_type = "user"
resource_type = "role"
request_workflow_type = "approval"
owner = "admin"

[[activity]]
id = "start"
type = "start"
next = "again"

[[activity]]
id = "again"
type = "condition"
expression = "true"
when_true = "again_log"
when_false = "end"

[[activity]]
id = "again_log"
type = "log"
message = "spin"
next = "again"

[[activity]]
id = "end"
type = "finish"
"#;
    let run = Run::start(definition(source), "alice", "alice", "X");
    assert!(run
        .instance
        .runs
        .iter()
        .any(|r| r.state == ActivityState::WaitInError));
    assert_eq!(run.instance.state, WorkflowState::Running);
}

#[test]
fn instances_survive_storage_as_json() {
    let run = Run::start(
        shipped("role-request-sod.toml"),
        "alice",
        "alice",
        "Payroll Administrator",
    );
    let json = serde_json::to_string(&run.instance).unwrap();
    let back: assent_engine::runtime::model::Instance = serde_json::from_str(&json).unwrap();
    assert_eq!(back, run.instance);
    assert!(json.len() < 4000, "compact: {} bytes", json.len());
}

#[test]
fn activation_waits_for_the_key_and_refuses_a_wrong_one() {
    let run = Run::start(
        shipped("user-registration.toml"),
        "admin",
        "newhire",
        "account",
    );
    // No e-mail in the form here: the verification condition fails on the empty list.
    assert!(run
        .instance
        .runs
        .iter()
        .any(|r| r.state == ActivityState::WaitInError));

    let mut run = Run::start(
        shipped("user-registration.toml"),
        "admin",
        "newhire",
        "account",
    );
    run.instance.flowdata = Default::default();
    let definition = shipped("user-registration.toml");
    let mut form = std::collections::BTreeMap::new();
    form.insert(
        "email".to_owned(),
        vec![Value::text("New.Hire@Example.com")],
    );
    let step = assent_engine::runtime::start(
        &definition,
        assent_engine::runtime::NewInstance {
            id: "reg".into(),
            definition: assent_engine::runtime::model::DefinitionRef {
                id: "reg".into(),
                version: 1,
            },
            initiator: user("admin"),
            subject: Some(order("user", "newhire")),
            resources: vec![],
            form,
            context: Default::default(),
            correlation_id: None,
        },
        &assent_engine::runtime::Env {
            now: run.now,
            directory: &run.directory,
            lookups: &run.lookups,
        },
    );
    assert!(step.effects.contains(&Effect::IssueActivationKey {
        run: 2,
        account: user("newhire")
    }));
    run.instance = step.instance;
    run.definition = definition;
    let activation = run.running("activation");
    assert!(
        run.send(Event::KeyIssued {
            run: activation,
            key_hash: "h1".into(),
            expires_at: Timestamp(run.now.0 + DAY),
        })
        .unwrap()
        .changed
    );
    assert_eq!(
        run.send(Event::Activate {
            run: activation,
            key_hash: "wrong".into()
        })
        .unwrap_err(),
        EngineError::InvalidActivationKey
    );
    let step = run
        .send(Event::Activate {
            run: activation,
            key_hash: "h1".into(),
        })
        .unwrap()
        .clone();
    assert!(step.effects.iter().any(|e| matches!(e, Effect::ChangeIdentity { change: IdentityChange::SetAttributes { attributes, .. }, .. } if attributes["enabled"] == vec![Value::Bool(true)])));
    assert_eq!(
        run.instance.application_state,
        Some(ApplicationState::Accepted)
    );
    assert_eq!(run.instance.state, WorkflowState::Succeeded);
    assert!(
        matches!(
            run.send(Event::Activate {
                run: activation,
                key_hash: "h1".into()
            })
            .unwrap_err(),
            EngineError::InvalidState(_)
        ),
        "a key works once"
    );
}

#[test]
fn certification_keeps_and_revokes_item_by_item() {
    let mut run = Run::start(
        shipped("access-certification.toml"),
        "admin",
        "alice",
        "Finance Analyst",
    );
    run.instance.resources.push(order("resource", "VPN Access"));
    let review = run.running("review");
    assert_eq!(run.participants(review), vec!["bob"]);
    let certify = |verdicts: &[(&str, bool)], submit: bool, actor: &str| Event::Certify {
        run: review,
        actor: user(actor),
        verdicts: verdicts.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
        submit,
        by: None,
    };
    assert_eq!(
        run.send(certify(&[("Finance Analyst", true)], false, "dave"))
            .unwrap_err(),
        EngineError::NotAParticipant
    );
    assert!(matches!(
        run.send(certify(&[("Ghost", true)], false, "bob"))
            .unwrap_err(),
        EngineError::NotACertificationItem(_)
    ));
    run.send(certify(&[("Finance Analyst", true)], false, "bob"))
        .unwrap();
    assert_eq!(
        run.send(certify(&[], true, "bob")).unwrap_err(),
        EngineError::CertificationIncomplete
    );
    let step = run
        .send(certify(&[("VPN Access", false)], true, "bob"))
        .unwrap()
        .clone();
    let revoked: Vec<_> = step
        .effects
        .iter()
        .filter_map(|e| match e {
            Effect::ChangeIdentity {
                change:
                    IdentityChange::Resource {
                        resource,
                        grant: false,
                        ..
                    },
                ..
            } => Some(resource.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(revoked, vec!["VPN Access".to_owned()]);
    assert!(
        !step.effects.iter().any(|e| matches!(
            e,
            Effect::ChangeIdentity {
                change: IdentityChange::Role { .. },
                ..
            }
        )),
        "kept access stays"
    );
    assert_eq!(run.instance.state, WorkflowState::Succeeded);
}

const POOL: &str = r#"
name = "Pool"
path = "Test/Pool"
operation = "assign"
subject_type = "user"
resource_type = "resource"
request_workflow_type = "approval"
owner = "admin"

[[activity]]
id = "start"
type = "start"
next = "pool"

[[activity]]
id = "pool"
type = "approval"
participants = { users = ["bob", "carol", "dave"] }
mode = "any"
on_approve = "end"
on_reject = "end"

[[activity]]
id = "end"
type = "finish"
"#;

#[test]
fn a_pool_member_claims_an_item_and_only_they_can_decide_until_released() {
    let mut run = Run::start(definition(POOL), "alice", "alice", "X");
    let pool = run.running("pool");
    let waiting = |run: &Run| -> Vec<String> {
        run.instance.runs[pool as usize]
            .approval
            .as_ref()
            .unwrap()
            .waiting_on()
            .iter()
            .map(|p| p.user.to_string())
            .collect()
    };
    let claim = |who: &str| Event::Claim {
        run: pool,
        actor: user(who),
    };
    let release = |who: &str| Event::Release {
        run: pool,
        actor: user(who),
    };
    assert_eq!(waiting(&run), vec!["bob", "carol", "dave"]);
    assert_eq!(
        run.send(release("bob")).unwrap_err(),
        EngineError::NotClaimed
    );
    assert_eq!(
        run.send(claim("alice")).unwrap_err(),
        EngineError::OwnRequest,
        "the requester hears why, as when deciding"
    );
    run.send(claim("bob")).unwrap();
    assert_eq!(waiting(&run), vec!["bob"]);
    let version = run.instance.version;
    assert_eq!(
        run.send(claim("carol")).unwrap_err(),
        EngineError::ClaimedBy("bob".into())
    );
    assert_eq!(
        run.decide(pool, "carol", true, None).unwrap_err(),
        EngineError::ClaimedBy("bob".into())
    );
    assert_eq!(
        run.send(release("carol")).unwrap_err(),
        EngineError::NotClaimed
    );
    assert_eq!(run.instance.version, version, "refusals change nothing");
    run.send(release("bob")).unwrap();
    assert_eq!(waiting(&run), vec!["bob", "carol", "dave"]);
    run.send(claim("carol")).unwrap();
    run.decide(pool, "carol", false, Some("no")).unwrap();
    assert_eq!(run.instance.state, WorkflowState::Succeeded);
}

#[test]
fn a_single_approver_item_cannot_be_claimed() {
    let mut run = Run::start(shipped("4-eye-approval.toml"), "alice", "alice", "X");
    let approval = run.running("manager_approval");
    assert_eq!(
        run.send(Event::Claim {
            run: approval,
            actor: user("bob")
        })
        .unwrap_err(),
        EngineError::NotAPool
    );
}

#[test]
fn verification_names_what_is_missing() {
    use assent_engine::runtime::model::{Order, OrderType};
    type Attributes<'a> = &'a [(&'a str, &'a str)];
    let cases: &[(Attributes, &[&str])] = &[
        (&[("mail", "ann@example.com"), ("sn", "Lee")], &[]),
        (
            &[("mail", "ann@elsewhere.org"), ("sn", "Lee")],
            &["mail: a company address ending in @example.com is required"],
        ),
        (
            &[("mail", "ANN@EXAMPLE.COM")],
            &["sn: the surname is required"],
        ),
        (
            &[],
            &[
                "mail: a company address ending in @example.com is required",
                "sn: the surname is required",
            ],
        ),
    ];
    for (attributes, expected) in cases {
        let definition = shipped("user-verification.toml");
        let directory = company();
        let lookups = TestLookups::default();
        let step = assent_engine::runtime::start(
            &definition,
            assent_engine::runtime::NewInstance {
                id: "v-1".into(),
                definition: assent_engine::runtime::model::DefinitionRef {
                    id: definition.path.clone(),
                    version: 1,
                },
                initiator: user("admin"),
                subject: Some(Order {
                    order_type: OrderType::AddOrder,
                    target_id: "new.hire".into(),
                    object_type: "user".into(),
                    attributes: attributes
                        .iter()
                        .map(|(k, v)| ((*k).to_owned(), vec![(*v).to_owned()]))
                        .collect(),
                }),
                resources: vec![],
                form: Default::default(),
                context: Default::default(),
                correlation_id: None,
            },
            &assent_engine::runtime::Env {
                now: Timestamp(1_800_000_000_000),
                directory: &directory,
                lookups: &lookups,
            },
        );
        assert_eq!(
            step.instance.state,
            WorkflowState::Succeeded,
            "{attributes:?}"
        );
        let messages: Vec<String> = step
            .instance
            .flowdata
            .get(&FlowPath::parse("context/errorMessage").unwrap())
            .iter()
            .map(|v| v.as_text())
            .collect();
        assert_eq!(messages, *expected, "{attributes:?}");
    }
}
