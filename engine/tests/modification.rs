//! Changes made to running workflows by those who manage them (modifyInstance) and the
//! re-evaluation of participants after the directory changed (notifyParticipantChanged).

mod support;

use assent_engine::flowdata::{FlowPath, Value};
use assent_engine::runtime::model::{Because, Instance};
use assent_engine::runtime::{
    Effect, EngineError, Event, Lifecycle, Modification, DESCRIPTION_PATH,
};
use assent_engine::WorkflowState;
use std::collections::BTreeMap;
use support::*;

fn four_eye() -> Run {
    let mut run = Run::start(shipped("4-eye-approval.toml"), "alice", "alice", "X");
    // A context attribute to change and remove.
    run.send(Event::Modify {
        actor: user("admin"),
        change: Modification {
            context: BTreeMap::from([
                ("ticket".to_owned(), vec![Value::text("T-1")]),
                ("keep".to_owned(), vec![Value::text("yes")]),
            ]),
            ..Modification::default()
        },
    })
    .unwrap();
    run
}

fn context(instance: &Instance, name: &str) -> Vec<Value> {
    instance
        .flowdata
        .get(&FlowPath::parse(&format!("context/{name}")).unwrap())
        .to_vec()
}

fn active(run: &Run) -> Vec<String> {
    run.participants(run.running("manager_approval"))
}

type Check = fn(&Run);

#[test]
fn modifications_apply_whole_or_not_at_all() {
    let approval = four_eye().running("manager_approval");
    let people =
        |names: &[&str]| BTreeMap::from([(approval, names.iter().map(|n| user(n)).collect())]);
    let cases: Vec<(&str, Modification, Result<Check, EngineError>)> = vec![
        (
            "a correlation id is set",
            Modification {
                correlation_id: Some(Some("TICKET-7".into())),
                ..Default::default()
            },
            Ok(|run| assert_eq!(run.instance.correlation_id.as_deref(), Some("TICKET-7"))),
        ),
        (
            "context attributes are set, and an empty list removes one",
            Modification {
                context: BTreeMap::from([
                    ("ticket".to_owned(), vec![]),
                    ("new".to_owned(), vec![Value::text("a"), Value::text("b")]),
                ]),
                ..Default::default()
            },
            Ok(|run| {
                assert!(context(&run.instance, "ticket").is_empty());
                assert_eq!(context(&run.instance, "keep"), vec![Value::text("yes")]);
                assert_eq!(
                    context(&run.instance, "new"),
                    vec![Value::text("a"), Value::text("b")]
                );
                let names: Vec<&String> = run.instance.flowdata.top_level()["context"]
                    .children
                    .keys()
                    .collect();
                assert_eq!(names, ["keep", "new"], "removed, not left empty");
            }),
        ),
        (
            "clearing the context removes every attribute before new ones apply",
            Modification {
                clear_context: true,
                context: BTreeMap::from([("only".to_owned(), vec![Value::text("1")])]),
                ..Default::default()
            },
            Ok(|run| {
                assert!(context(&run.instance, "keep").is_empty());
                assert_eq!(context(&run.instance, "only"), vec![Value::text("1")]);
            }),
        ),
        (
            "a description of its own",
            Modification {
                description: Some(Some("urgent".into())),
                ..Default::default()
            },
            Ok(|run| {
                let path = FlowPath::parse(DESCRIPTION_PATH).unwrap();
                assert_eq!(run.instance.flowdata.get(&path), &[Value::text("urgent")]);
            }),
        ),
        (
            "new participants replace whoever is asked, and only they are told",
            Modification {
                participants: people(&["dave", "frank"]),
                ..Default::default()
            },
            Ok(|run| {
                assert_eq!(active(run), vec!["dave", "frank"]);
                let step = run.last.as_ref().unwrap();
                assert!(step.effects.iter().any(|e| matches!(e,
                    Effect::NotifyParticipants { users, .. } if users == &[user("dave"), user("frank")])));
                let seq = run.running("manager_approval");
                let why = &run.instance.runs[seq as usize]
                    .approval
                    .as_ref()
                    .unwrap()
                    .participants;
                assert!(why
                    .iter()
                    .filter(|p| p.active)
                    .all(|p| p.because == Because::Forwarded { by: user("admin") }));
            }),
        ),
        (
            "the requester can never be asked, and nothing else of the change applies",
            Modification {
                participants: people(&["alice"]),
                correlation_id: Some(Some("lost".into())),
                ..Default::default()
            },
            Err(EngineError::CannotAssign(
                "alice".into(),
                "the requester cannot decide on their own request",
            )),
        ),
        (
            "an unknown user cannot be asked",
            Modification {
                participants: people(&["ghost"]),
                ..Default::default()
            },
            Err(EngineError::CannotAssign(
                "ghost".into(),
                "no such active user",
            )),
        ),
        (
            "an approval needs someone",
            Modification {
                participants: people(&[]),
                ..Default::default()
            },
            Err(EngineError::CannotAssign(
                "nobody".into(),
                "an approval needs at least one participant",
            )),
        ),
        (
            "only a waiting approval takes participants",
            Modification {
                participants: BTreeMap::from([(0, vec![user("dave")])]),
                ..Default::default()
            },
            Err(EngineError::NotAwaitingDecision),
        ),
        (
            "suspending in the same step",
            Modification {
                correlation_id: Some(Some("with-suspend".into())),
                lifecycle: Some(Lifecycle::Suspend),
                ..Default::default()
            },
            Ok(|run| {
                assert_eq!(run.instance.state, WorkflowState::Suspended);
                assert_eq!(run.instance.correlation_id.as_deref(), Some("with-suspend"));
            }),
        ),
        (
            "asking for the state it is in changes no state",
            Modification {
                lifecycle: Some(Lifecycle::Resume),
                ..Default::default()
            },
            Ok(|run| assert_eq!(run.instance.state, WorkflowState::Running)),
        ),
        (
            "aborting ends it",
            Modification {
                lifecycle: Some(Lifecycle::Abort),
                ..Default::default()
            },
            Ok(|run| {
                assert_eq!(run.instance.state, WorkflowState::Aborted);
                assert!(run.instance.ended_at.is_some());
            }),
        ),
    ];
    for (what, change, expected) in cases {
        let mut run = four_eye();
        let before = run.instance.clone();
        let result = run
            .send(Event::Modify {
                actor: user("admin"),
                change,
            })
            .map(|_| ());
        match expected {
            Ok(check) => {
                assert_eq!(result, Ok(()), "{what}");
                assert_eq!(run.instance.version, before.version + 1, "{what}");
                check(&run);
            }
            Err(error) => {
                assert_eq!(result, Err(error), "{what}");
                assert_eq!(run.instance, before, "{what}: a refusal changes nothing");
            }
        }
    }
}

#[test]
fn an_ended_workflow_takes_no_modification() {
    let mut run = four_eye();
    run.send(Event::Abort).unwrap();
    assert!(run.instance.state.is_terminal());
    assert!(matches!(
        run.send(Event::Modify {
            actor: user("admin"),
            change: Modification::default(),
        }),
        Err(EngineError::InvalidState(_))
    ));
}

#[test]
fn reevaluation_asks_the_rule_again_after_the_directory_changed() {
    let mut run = four_eye();
    assert_eq!(active(&run), vec!["bob"]);
    // Nothing changed in the directory: nothing to do.
    assert!(!run.send(Event::ReevaluateParticipants).unwrap().changed);

    // alice moves to dave's team.
    run.directory.managers.insert(user("alice"), user("dave"));
    let step = run.send(Event::ReevaluateParticipants).unwrap().clone();
    assert!(step.changed);
    assert_eq!(active(&run), vec!["dave"]);
    assert!(step.effects.iter().any(|e| matches!(e,
        Effect::NotifyParticipants { users, .. } if users == &[user("dave")])));
    let approval = run.running("manager_approval");
    assert_eq!(
        run.decide(approval, "bob", true, None).unwrap_err(),
        EngineError::NotAParticipant,
        "bob is no longer asked"
    );

    // Someone an administrator asked stays: the rule does not undo a person's choice.
    run.send(Event::Modify {
        actor: user("admin"),
        change: Modification {
            participants: BTreeMap::from([(approval, vec![user("frank")])]),
            ..Default::default()
        },
    })
    .unwrap();
    assert!(!run.send(Event::ReevaluateParticipants).unwrap().changed);
    assert_eq!(active(&run), vec!["frank"]);
}

#[test]
fn reevaluation_never_strands_an_approval() {
    let mut run = four_eye();
    // alice's manager leaves: the rule names nobody now, and bob stays asked.
    run.directory.managers.remove(&user("alice"));
    assert!(!run.send(Event::ReevaluateParticipants).unwrap().changed);
    assert_eq!(active(&run), vec!["bob"]);
    // A suspended workflow is not re-evaluated.
    run.send(Event::Suspend).unwrap();
    assert!(matches!(
        run.send(Event::ReevaluateParticipants),
        Err(EngineError::InvalidState(WorkflowState::Suspended))
    ));
}
