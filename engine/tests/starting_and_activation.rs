//! Trust (#9): definitions say who may start a workflow of theirs (`starters`); and an
//! activation waits for its key, which goes only to the account's own stored address,
//! expires, and must match.

mod support;

use assent_engine::definition::{parse, Starter};
use assent_engine::flowdata::Value;
use assent_engine::runtime::model::{Order, Timestamp};
use assent_engine::runtime::{Effect, EngineError, Event, IdentityChange};
use assent_engine::{ActivityState, ApplicationState, WorkflowState};
use std::collections::BTreeMap;
use support::definitions::{header, start, FINISH};
use support::*;

/// A definition that only starts and finishes, with `starters` (a whole line, or none) on
/// line 9, right after the header.
fn starting(starters: &str) -> String {
    let header = header("Starting", "Test/Starting", "role");
    format!("{header}{starters}\n{}{FINISH}", start("end"))
}

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
        let definition = parse("test.toml", &starting(line)).unwrap();
        let subject = subject.map(user);
        assert_eq!(
            definition.may_start(&user(initiator), subject.as_ref(), *admin, &directory),
            *allowed,
            "{line:?}: {initiator} for {subject:?}, admin {admin}"
        );
    }
    let listed = |line: &str| parse("test.toml", &starting(line)).unwrap().starter_names();
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
        let errors = parse("test.toml", &starting(line)).unwrap_err();
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
    let mut new = new_instance("reg", "reg", "admin", subject);
    new.request.form = BTreeMap::from([("email".to_owned(), vec![Value::text(typed)])]);
    Run::start_new(shipped("user-registration.toml"), new)
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
        let activation = run.runs_of("activation").next().unwrap();
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

    let mut run = registration(Some(order("user", "newhire")), "New.Hire@Example.com");
    let effects = &run.last.as_ref().unwrap().effects;
    assert!(effects.contains(&Effect::IssueActivationKey {
        run: 2,
        account: user("newhire")
    }));
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
