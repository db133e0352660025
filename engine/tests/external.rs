//! The `external` activity: it hands off with parameters computed from flowdata, keeps the
//! answer and maps it, and a failed, cancelled or overdue outside run takes the failure
//! path or waits in error for an administrator.

mod support;

use assent_engine::flowdata::Value;
use assent_engine::runtime::{Effect, Event};
use assent_engine::{ActivityState, WorkflowState};
use support::definitions::{header, with_activities};
use support::*;

/// A mailbox created by the outside engine `prefect`; `extra` adds keys to the activity.
fn mailbox_definition(extra: &str) -> String {
    let failure_path = if extra.contains("on_failure") {
        FAILURE_PATH
    } else {
        ""
    };
    with_activities(
        &header("Mailbox", "Test/Mailbox", "role"),
        "mailbox",
        &format!(
            r#"
[[activity]]
id = "mailbox"
type = "external"
engine = "prefect"
start = "create-mailbox/assent"
parameters = {{ user = "subject.id", kind = "'shared'" }}
assign = [{{ target = "mail/address", expression = "flowdata.mailbox.mailbox" }}]
time_limit = "2h"
{extra}
next = "end"
{failure_path}"#
        ),
    )
}

/// The activity a failure path leads to, where the definition has one.
const FAILURE_PATH: &str = r#"
[[activity]]
id = "mailbox_failed"
type = "status"
application_state = "REJECTED"
next = "end"
"#;

fn handed_off(run: &Run) -> (u32, Effect) {
    let effect = run
        .last
        .as_ref()
        .unwrap()
        .effects
        .iter()
        .find(|e| matches!(e, Effect::HandOff { .. }))
        .cloned()
        .expect("a hand-off");
    (run.running("mailbox"), effect)
}

#[test]
fn the_hand_off_carries_the_computed_parameters_and_the_answer_is_mapped() {
    let mut run = Run::start(definition(&mailbox_definition("")), "alice", "bob", "Mail");
    let (seq, effect) = handed_off(&run);
    let Effect::HandOff {
        run: effect_run,
        engine,
        start,
        parameters,
        time_limit_seconds,
    } = effect
    else {
        unreachable!()
    };
    assert_eq!(effect_run, seq);
    assert_eq!(
        (engine.as_str(), start.as_str()),
        ("prefect", "create-mailbox/assent")
    );
    assert_eq!(parameters["user"], vec![Value::text("bob")]);
    assert_eq!(parameters["kind"], vec![Value::text("shared")]);
    assert_eq!(time_limit_seconds, Some(7200));

    let answer = [(
        "mailbox".to_owned(),
        vec![Value::text("bob@mail.example.com")],
    )];
    assert!(
        run.send(Event::EffectSucceeded {
            run: seq,
            result: answer.into()
        })
        .unwrap()
        .changed
    );
    assert_eq!(
        flow(&run, "mailbox/mailbox"),
        vec![Value::text("bob@mail.example.com")]
    );
    assert_eq!(
        flow(&run, "mail/address"),
        vec![Value::text("bob@mail.example.com")]
    );
    assert_eq!(run.instance.state, WorkflowState::Succeeded);
    // A second answer (a repeated callback, a late reconciliation) changes nothing.
    assert!(
        !run.send(Event::EffectSucceeded {
            run: seq,
            result: Default::default()
        })
        .unwrap()
        .changed
    );
    assert!(
        !run.send(Event::ExternalFailed {
            run: seq,
            reason: "late".into()
        })
        .unwrap()
        .changed
    );
}

#[test]
fn a_failed_outside_run_takes_the_failure_path_keeping_the_reason() {
    let source = mailbox_definition("on_failure = \"mailbox_failed\"");
    let mut run = Run::start(definition(&source), "alice", "bob", "Mail");
    let (seq, _) = handed_off(&run);
    run.send(Event::ExternalFailed {
        run: seq,
        reason: "flow run FAILED: quota service refused".into(),
    })
    .unwrap();
    let failed = &run.instance.runs[seq as usize];
    assert_eq!(failed.state, ActivityState::Failed);
    assert_eq!(
        failed.error.as_deref(),
        Some("flow run FAILED: quota service refused")
    );
    assert_eq!(
        flow(&run, "mailbox/error"),
        vec![Value::text("flow run FAILED: quota service refused")]
    );
    assert!(
        run.runs_of("mailbox_failed").next().is_some(),
        "the failure path ran"
    );
    assert_eq!(run.instance.state, WorkflowState::Succeeded);
}

#[test]
fn without_a_failure_path_a_failed_outside_run_waits_in_error_and_resumes_with_a_new_hand_off() {
    let mut run = Run::start(definition(&mailbox_definition("")), "alice", "bob", "Mail");
    let (seq, _) = handed_off(&run);
    run.send(Event::ExternalFailed {
        run: seq,
        reason: "flow run CANCELLED".into(),
    })
    .unwrap();
    assert_eq!(
        run.instance.runs[seq as usize].state,
        ActivityState::WaitInError
    );
    assert!(run.runs_of("mailbox_failed").next().is_none());

    run.send(Event::Resume { run: Some(seq) }).unwrap();
    let (again, effect) = handed_off(&run);
    assert_ne!(
        again, seq,
        "a resumed activity hands off anew, under its own run"
    );
    assert!(matches!(effect, Effect::HandOff { run, .. } if run == again));
}

#[test]
fn a_parameter_that_cannot_be_computed_starts_nothing_and_waits_in_error() {
    let source = mailbox_definition("").replace("'shared'", "flowdata.missing.nothing + 1");
    let run = Run::start(definition(&source), "alice", "bob", "Mail");
    let effects = &run.last.as_ref().unwrap().effects;
    assert!(!effects.iter().any(|e| matches!(e, Effect::HandOff { .. })));
    let stuck = run.runs_of("mailbox").next().unwrap();
    assert_eq!(stuck.state, ActivityState::WaitInError);
    assert!(
        stuck
            .error
            .as_deref()
            .unwrap()
            .starts_with("parameter kind = "),
        "{:?}",
        stuck.error
    );
}

#[test]
fn a_definition_must_name_the_engine_and_what_to_start_and_a_real_time_limit() {
    let without = mailbox_definition("").replace("engine = \"prefect\"\n", "");
    let problems = assent_engine::definition::parse("test.toml", &without)
        .unwrap_err()
        .to_string();
    assert!(
        problems.contains("external activity mailbox needs engine"),
        "{problems}"
    );
    let bad_limit = mailbox_definition("").replace("\"2h\"", "\"soon\"");
    let problems = assent_engine::definition::parse("test.toml", &bad_limit)
        .unwrap_err()
        .to_string();
    assert!(problems.contains("time_limit \"soon\""), "{problems}");
    // A limit no clock can add (a hundred million days) is refused, not scheduled.
    let huge_limit = mailbox_definition("").replace("\"2h\"", "\"100000000d\"");
    let problems = assent_engine::definition::parse("test.toml", &huge_limit)
        .unwrap_err()
        .to_string();
    assert!(problems.contains("at most 3650d"), "{problems}");
    // Names longer than a hand-off can record are refused when the definition is read.
    let long_engine = mailbox_definition("").replace(
        "engine = \"prefect\"",
        &format!("engine = \"{}\"", "e".repeat(65)),
    );
    let problems = assent_engine::definition::parse("test.toml", &long_engine)
        .unwrap_err()
        .to_string();
    assert!(
        problems.contains("engine is longer than 64 characters"),
        "{problems}"
    );
    let unknown_path = mailbox_definition("on_failure = \"nowhere\"");
    let problems = assent_engine::definition::parse("test.toml", &unknown_path)
        .unwrap_err()
        .to_string();
    assert!(problems.contains("nowhere"), "{problems}");
}
