//! Trust (#9): definitions say who may start a workflow of theirs (`starters`), and an
//! activation key goes only to the account's own stored address and expires.

mod support;

use assent_engine::definition::{parse, Starter};
use assent_engine::flowdata::Value;
use assent_engine::runtime::model::{DefinitionRef, Order, Timestamp};
use assent_engine::runtime::{start, Effect, EngineError, Env, Event, NewInstance};
use assent_engine::ActivityState;
use std::collections::BTreeMap;
use support::*;

const STARTING: &str = r#"
name = "Starting"
path = "Test/Starting"
operation = "assign"
subject_type = "user"
resource_type = "role"
request_workflow_type = "approval"
owner = "admin"
STARTERS

[[activity]]
id = "start"
type = "start"
next = "end"

[[activity]]
id = "end"
type = "finish"
"#;

#[test]
fn starters_say_who_may_start_a_workflow() {
    let mut directory = company();
    directory
        .groups
        .insert("helpdesk".into(), vec![user("carol")]);
    // (starters line, initiator, subject, initiator is admin, allowed)
    let cases: &[(&str, &str, Option<&str>, bool, bool)] = &[
        ("", "alice", Some("alice"), false, true),
        ("", "bob", Some("alice"), false, true),
        ("", "carol", Some("alice"), false, false),
        ("", "carol", Some("alice"), true, true),
        ("", "carol", None, false, true),
        (
            r#"starters = ["self"]"#,
            "alice",
            Some("alice"),
            false,
            true,
        ),
        (r#"starters = ["self"]"#, "alice", None, false, true),
        (r#"starters = ["self"]"#, "bob", Some("alice"), false, false),
        (r#"starters = ["self"]"#, "bob", Some("alice"), true, false),
        (
            r#"starters = ["manager"]"#,
            "bob",
            Some("alice"),
            false,
            true,
        ),
        (
            r#"starters = ["manager"]"#,
            "erin",
            Some("alice"),
            false,
            false,
        ),
        (
            r#"starters = ["manager"]"#,
            "alice",
            Some("alice"),
            false,
            false,
        ),
        (r#"starters = ["manager"]"#, "bob", None, false, false),
        (
            r#"starters = ["admin"]"#,
            "heidi",
            Some("alice"),
            true,
            true,
        ),
        (
            r#"starters = ["admin"]"#,
            "alice",
            Some("alice"),
            false,
            false,
        ),
        (
            r#"starters = ["group:helpdesk"]"#,
            "carol",
            Some("alice"),
            false,
            true,
        ),
        (
            r#"starters = ["group:helpdesk"]"#,
            "dave",
            Some("alice"),
            false,
            false,
        ),
        (
            r#"starters = ["group:helpdesk"]"#,
            "alice",
            Some("alice"),
            false,
            false,
        ),
        (
            r#"starters = ["self", "group:helpdesk"]"#,
            "alice",
            Some("alice"),
            false,
            true,
        ),
    ];
    for (line, initiator, subject, admin, allowed) in cases {
        let definition = parse("test.toml", &STARTING.replace("STARTERS", line)).unwrap();
        let subject = subject.map(user);
        assert_eq!(
            definition.may_start(&user(initiator), subject.as_ref(), *admin, &directory),
            *allowed,
            "{line:?}: {initiator} for {subject:?}, admin {admin}"
        );
    }
    let listed = |line: &str| {
        parse("test.toml", &STARTING.replace("STARTERS", line))
            .unwrap()
            .starter_names()
    };
    assert_eq!(listed(""), vec!["self", "manager", "admin"]);
    assert_eq!(
        listed(r#"starters = ["group:helpdesk", "admin"]"#),
        vec!["group:helpdesk", "admin"]
    );
    for file in [
        "user-registration.toml",
        "user-verification.toml",
        "access-certification.toml",
    ] {
        assert_eq!(shipped(file).starters, vec![Starter::Admin], "{file}");
    }
    assert_eq!(
        shipped("4-eye-approval.toml").starters,
        Starter::DEFAULT.to_vec()
    );
}

#[test]
fn bad_starters_are_refused_with_file_and_line() {
    // The starters line is line 9 of the file.
    let cases: &[(&str, usize, &str)] = &[
        ("starters = []", 9, "at least one"),
        (
            r#"starters = ["self", "boss"]"#,
            9,
            r#"unknown starter "boss""#,
        ),
        (
            "starters = [\n  \"admin\",\n  \"group:\",\n]",
            11,
            r#"unknown starter "group:""#,
        ),
        (r#"starters = ["Admin"]"#, 9, "unknown starter"),
        (r#"starters = "admin""#, 9, ""),
    ];
    for (line, at, message) in cases {
        let errors = parse("test.toml", &STARTING.replace("STARTERS", line)).unwrap_err();
        let text = errors.to_string();
        assert!(
            text.starts_with(&format!("test.toml:{at}: ")),
            "{line:?}: {text}"
        );
        assert!(text.contains(message), "{line:?}: {text}");
    }
}

/// A registration for `subject` whose requester typed `typed` as the address.
fn registration(subject: Option<Order>, typed: &str) -> Run {
    let definition = shipped("user-registration.toml");
    let (directory, lookups) = (company(), TestLookups::default());
    let now = Timestamp(1_800_000_000_000);
    let step = start(
        &definition,
        NewInstance {
            id: "reg".into(),
            definition: DefinitionRef {
                id: "reg".into(),
                version: 1,
            },
            initiator: user("admin"),
            subject,
            resources: vec![],
            form: BTreeMap::from([("email".to_owned(), vec![Value::text(typed)])]),
            context: BTreeMap::new(),
            correlation_id: None,
        },
        &Env {
            now,
            directory: &directory,
            lookups: &lookups,
        },
    );
    Run {
        instance: step.instance.clone(),
        last: Some(step),
        definition,
        directory,
        lookups,
        now,
    }
}

#[test]
fn the_activation_key_goes_to_the_subject_account_only() {
    let run = registration(Some(order("user", "newhire")), "attacker@example.com");
    let effects = &run.last.as_ref().unwrap().effects;
    let issued: Vec<_> = effects
        .iter()
        .filter_map(|e| match e {
            Effect::IssueActivationKey { account, .. } => Some(account.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(issued, vec![user("newhire")]);
    assert!(!format!("{effects:?}").contains("attacker"), "{effects:?}");

    for subject in [None, Some(order("role", "newhire"))] {
        let run = registration(subject.clone(), "attacker@example.com");
        let activation = run
            .instance
            .runs
            .iter()
            .find(|r| r.activity.0 == "activation")
            .unwrap();
        assert_eq!(activation.state, ActivityState::WaitInError, "{subject:?}");
        assert_eq!(
            activation.error.as_deref(),
            Some("no account to send the activation key to")
        );
    }
}

#[test]
fn an_activation_key_works_only_before_it_expires() {
    // (time after issue the key is presented, the key, the answer)
    let cases: &[(i64, &str, Result<(), EngineError>)] = &[
        (HOUR, "h1", Ok(())),
        (72 * HOUR - 1, "h1", Ok(())),
        (72 * HOUR, "h1", Err(EngineError::ActivationKeyExpired)),
        (80 * HOUR, "h1", Err(EngineError::ActivationKeyExpired)),
        // A wrong key does not learn that the right one expired.
        (80 * HOUR, "wrong", Err(EngineError::InvalidActivationKey)),
    ];
    for (after, key, result) in cases {
        let mut run = registration(Some(order("user", "newhire")), "new.hire@example.com");
        let activation = run.running("activation");
        let expires_at = Timestamp(run.now.0 + 72 * HOUR);
        run.send(Event::KeyIssued {
            run: activation,
            key_hash: "h1".into(),
            expires_at,
        })
        .unwrap();
        run.advance(*after);
        let answer = run.send(Event::Activate {
            run: activation,
            key_hash: (*key).into(),
        });
        assert_eq!(answer.map(|_| ()), *result, "{key} after {after} ms");
        let succeeded = run.instance.runs[activation as usize].state == ActivityState::Succeeded;
        assert_eq!(succeeded, result.is_ok(), "{key} after {after} ms");
    }
    // A key stored before keys expired (no expiry beside it) no longer works.
    let mut run = registration(Some(order("user", "newhire")), "new.hire@example.com");
    let activation = run.running("activation");
    run.send(Event::KeyIssued {
        run: activation,
        key_hash: "h1".into(),
        expires_at: Timestamp(i64::MAX),
    })
    .unwrap();
    run.instance.runs[activation as usize]
        .result
        .remove("keyExpiresAt");
    assert_eq!(
        run.send(Event::Activate {
            run: activation,
            key_hash: "h1".into()
        })
        .unwrap_err(),
        EngineError::ActivationKeyExpired
    );
}
