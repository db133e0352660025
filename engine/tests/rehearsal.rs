//! Rehearsals: a definition run on a sample request with every approval answered the same
//! way and outside systems answering success, changing nothing, to show the path it would
//! take and who would be asked.

mod support;

use assent_engine::runtime::model::Instance;
use assent_engine::runtime::rehearsal::{rehearse, Answer, Rehearsal, Stop};
use assent_engine::runtime::Env;
use assent_engine::WorkflowState;
use std::collections::BTreeMap;
use support::definitions::{header, with_activities};
use support::*;

fn rehearsed(
    definition: &assent_engine::definition::Definition,
    subject: &str,
    item: (&str, &str),
    answer: Answer,
) -> Rehearsal {
    rehearsed_with(
        definition,
        subject,
        item,
        &[("justification", "new job")],
        answer,
    )
}

fn rehearsed_with(
    definition: &assent_engine::definition::Definition,
    subject: &str,
    item: (&str, &str),
    form: &[(&str, &str)],
    answer: Answer,
) -> Rehearsal {
    let mut new = new_instance(
        "rehearsal",
        &definition.path,
        "alice",
        Some(order("user", subject)),
    );
    new.request.resources = vec![order(item.0, item.1)];
    new.request.form = form
        .iter()
        .map(|(field, value)| {
            let value = assent_engine::flowdata::Value::text(*value);
            ((*field).to_owned(), vec![value])
        })
        .collect::<BTreeMap<_, _>>();
    let directory = company();
    let lookups = TestLookups::default();
    let env = Env {
        now: START,
        directory: &directory,
        lookups: &lookups,
    };
    rehearse(definition, new, &env, answer)
}

fn path(instance: &Instance) -> Vec<&str> {
    instance
        .runs
        .iter()
        .map(|run| run.activity.0.as_str())
        .collect()
}

fn asked(instance: &Instance, activity: &str) -> Vec<String> {
    instance
        .runs
        .iter()
        .filter(|run| run.activity.0 == activity)
        .flat_map(|run| run.approval.iter().flat_map(|a| a.participants.iter()))
        .map(|p| p.user.to_string())
        .collect()
}

#[test]
fn approving_everything_follows_the_approve_paths_and_names_who_is_asked() {
    let definition = shipped("manager-then-owner.toml");
    let rehearsal = rehearsed(
        &definition,
        "alice",
        ("resource", "VPN Access"),
        Answer::Approve,
    );
    assert_eq!(rehearsal.stopped, None);
    assert_eq!(rehearsal.instance.state, WorkflowState::Succeeded);
    let taken = path(&rehearsal.instance);
    assert_eq!(&taken[..3], ["start", "manager_approval", "owner_approval"]);
    assert!(
        taken.contains(&"grant") && !taken.contains(&"rejected"),
        "{taken:?}"
    );
    assert_eq!(asked(&rehearsal.instance, "manager_approval"), ["bob"]);
    assert_eq!(asked(&rehearsal.instance, "owner_approval"), ["carol"]);
    // The grant and the mail are described, not carried out.
    let effects: Vec<&str> = rehearsal.effects.iter().map(|(_, e)| e.as_str()).collect();
    assert!(
        effects.contains(&"grant alice the resource VPN Access"),
        "{effects:?}"
    );
    assert!(effects.contains(&"notify carol"), "{effects:?}");
}

#[test]
fn rejecting_follows_the_reject_path_and_grants_nothing() {
    let definition = shipped("4-eye-approval.toml");
    let rehearsal = rehearsed(
        &definition,
        "alice",
        ("role", "Finance Analyst"),
        Answer::Reject,
    );
    assert_eq!(rehearsal.stopped, None);
    let taken = path(&rehearsal.instance);
    assert!(
        taken.contains(&"rejected") && !taken.contains(&"grant"),
        "{taken:?}"
    );
    assert!(
        !rehearsal
            .effects
            .iter()
            .any(|(_, e)| e.contains("Finance Analyst")),
        "{:?}",
        rehearsal.effects
    );
}

#[test]
fn a_loop_the_answers_never_leave_stops_after_a_bounded_number_of_events() {
    let source = with_activities(
        &header("Loop", "Test/Loop", "role"),
        "decide",
        r#"
[[activity]]
id = "decide"
type = "approval"
participants = { manager_of = "subject" }
on_approve = "end"
on_reject = "decide"
"#,
    );
    let rehearsal = rehearsed(&definition(&source), "alice", ("role", "X"), Answer::Reject);
    assert_eq!(rehearsal.stopped, Some(Stop::TooLong));
    let once = rehearsed(
        &definition(&source),
        "alice",
        ("role", "X"),
        Answer::Approve,
    );
    assert_eq!(once.instance.state, WorkflowState::Succeeded);
}

#[test]
fn an_activation_key_is_outside_a_rehearsal_so_it_stops_there() {
    let definition = shipped("user-registration.toml");
    let form = [("email", "nora@example.com")];
    let rehearsal = rehearsed_with(
        &definition,
        "alice",
        ("user", "alice"),
        &form,
        Answer::Approve,
    );
    match rehearsal.stopped {
        Some(Stop::WaitsForOutside { run }) => {
            assert_eq!(
                rehearsal.instance.runs[run as usize].activity_type,
                "activation"
            );
        }
        other => panic!("stopped {other:?} on {:?}", path(&rehearsal.instance)),
    }
}
