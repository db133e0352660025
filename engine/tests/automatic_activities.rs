//! The activities that run without people: every automatic type does its part, a failure
//! waits in error until the activity is resumed, and a loop that never waits is stopped.

mod support;

use assent_engine::flowdata::Value;
use assent_engine::runtime::{Effect, Event, IdentityChange};
use assent_engine::{ActivityState, ApplicationState, WorkflowState};
use support::definitions::{header, with_activities};
use support::*;

/// One of every automatic type: a mapping feeds a condition, a branch runs provisioning on
/// one path and a REST call and a hand-off on the other, and after the merge a log, a
/// resource request and a status.
fn every_automatic_type() -> String {
    with_activities(
        &header("All types", "Test/All", "role"),
        "map",
        include_str!("fixtures/every_automatic_type.toml"),
    )
}

/// alice requests the Cloud Console for herself through the definition `source`.
fn requested_through(source: &str) -> Run {
    Run::start(definition(source), "alice", "alice", "Cloud Console")
}

#[test]
fn every_automatic_activity_type_does_its_part() {
    let mut run = requested_through(&every_automatic_type());
    assert_eq!(flow(&run, "calc/total"), vec![Value::Int(42)]);
    let effects = run.last.as_ref().unwrap().effects.clone();
    assert!(effects.iter().any(|e| matches!(e, Effect::ChangeIdentity { change: IdentityChange::SetAttributes { user, attributes }, .. } if user == "alice" && attributes["title"] == vec![Value::text("Analyst")])));
    assert!(effects.iter().any(|e| matches!(e, Effect::ChangeIdentity { change: IdentityChange::Entitlement { entitlement, grant: false, .. }, .. } if entitlement == "vpn")));
    assert!(effects.iter().any(
        |e| matches!(e, Effect::CallRest { endpoint, method, path, body: Some(body), .. }
        if endpoint == "hr" && method == "POST" && path == "/employees/alice"
            && body["items"] == vec![Value::text("VPN"), Value::text("CRM")])
    ));
    let call = run.running("call");
    assert!(
        run.runs_of("join").next().is_some(),
        "one path waits at the merge"
    );

    run.send(Event::EffectSucceeded {
        run: call,
        result: [("status".to_owned(), vec![Value::Int(201)])].into(),
    })
    .unwrap();
    assert_eq!(flow(&run, "hr/ok"), vec![Value::Bool(true)]);
    let outside = run.running("outside");
    assert!(run.last.as_ref().unwrap().effects.iter().any(
        |e| matches!(e, Effect::HandOff { engine, start, parameters, .. }
            if engine == "ticketing" && start == "open-ticket"
                && parameters["kind"] == vec![Value::text("access")])
    ));
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
    let source = every_automatic_type().replace(
        "size(flowdata.request.justification) + 41",
        "flowdata.request.justification[5]",
    );
    let mut run = requested_through(&source);
    let failed = run.runs_of("map").next().unwrap().clone();
    assert_eq!(failed.state, ActivityState::WaitInError);
    assert!(failed.error.unwrap().contains("out of range"));
    assert_eq!(run.instance.state, WorkflowState::Running);
    assert!(
        run.send(Event::Resume { run: Some(0) }).is_err(),
        "only a run in error restarts"
    );

    let mut run = requested_through(&every_automatic_type());
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
    let source = with_activities(
        &header("Loop", "Test/Loop", "role"),
        "again",
        r#"
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
"#,
    );
    let run = Run::start(definition(&source), "alice", "alice", "X");
    assert!(run
        .instance
        .runs
        .iter()
        .any(|r| r.state == ActivityState::WaitInError));
    assert_eq!(run.instance.state, WorkflowState::Running);
}
