//! Trust (#9): the person a request is for never decides it (nor does the requester),
//! on any path, and decisions made for someone else say by whom. Who may start a
//! workflow and where activation keys go: `starting_and_activation.rs`.

mod support;

use assent_engine::definition::Definition;
use assent_engine::flowdata::Value;
use assent_engine::runtime::model::{Because, Decision, Participant, Verdict};
use assent_engine::runtime::{EngineError, Event, Modification};
use assent_engine::ActivityState;
use std::collections::BTreeMap;
use support::definitions::one_approval;
use support::*;

/// One approval whose participants and extra keys (mode, timeout) the test chooses.
fn approval(participants: &str, extra: &str) -> Definition {
    definition(&one_approval("Trust", participants, extra))
}

#[test]
fn a_rule_naming_the_subject_asks_the_subjects_manager_instead() {
    let beneficiary = |who: &str| {
        Some(Because::InsteadOfBeneficiary {
            beneficiary: user(who),
        })
    };
    // (rule, initiator, subject, who is asked, why the first of them is asked)
    type Case<'a> = (&'a str, &'a str, &'a str, Vec<&'a str>, Option<Because>);
    let cases: Vec<Case> = vec![
        (
            r#"{ users = ["alice"] }"#,
            "carol",
            "alice",
            vec!["bob"],
            beneficiary("alice"),
        ),
        (
            r#"{ group = "team" }"#,
            "carol",
            "alice",
            vec!["bob", "dave"],
            beneficiary("alice"),
        ),
        (
            r#"{ resource_owner = true }"#,
            "alice",
            "carol",
            vec!["dave"],
            beneficiary("carol"),
        ),
        (
            r#"{ manager_of = "initiator" }"#,
            "alice",
            "bob",
            vec!["erin"],
            beneficiary("bob"),
        ),
        // Requester and subject at once: the requester's rule words it.
        (
            r#"{ users = ["alice"] }"#,
            "alice",
            "alice",
            vec!["bob"],
            Some(Because::InsteadOfRequester {
                requester: user("alice"),
            }),
        ),
        // The subject's manager asked for it: nobody is left, an administrator repairs.
        (r#"{ users = ["alice"] }"#, "bob", "alice", vec![], None),
    ];
    for (rule, initiator, subject, asked, why) in cases {
        let mut directory = company();
        directory
            .groups
            .insert("team".into(), vec![user("alice"), user("dave")]);
        let resource = "VPN Access"; // owned by carol
        let run = Run::start_with(
            approval(rule, ""),
            directory,
            TestLookups::default(),
            initiator,
            subject,
            resource,
        );
        let decide = &run.instance.runs[1];
        let case = format!("{rule} asked by {initiator} for {subject}");
        if asked.is_empty() {
            assert_eq!(decide.state, ActivityState::WaitInError, "{case}");
            continue;
        }
        assert_eq!(run.participants(1), asked, "{case}");
        assert_eq!(Some(because(&run, 1, asked[0])), why, "{case}");
    }
}

#[test]
fn the_subject_never_decides_claims_or_is_handed_the_item() {
    let pool = approval(r#"{ users = ["bob", "carol", "dave"] }"#, "");
    // `actor` asks `users` on the approval instead (modifyInstance).
    let reassign = |actor: &str, users: &[&str]| Event::Modify {
        actor: user(actor),
        change: Modification {
            participants: BTreeMap::from([(1, users.iter().map(|u| user(u)).collect())]),
            ..Modification::default()
        },
    };
    // (what is tried, the event, the refusal)
    let forwarded = "the person the request is for cannot decide on it";
    let cases: Vec<(&str, Event, EngineError)> = vec![
        (
            "decide",
            decide_event("alice", None),
            EngineError::OwnRequest,
        ),
        (
            "claim",
            Event::Claim {
                run: 1,
                actor: user("alice"),
            },
            EngineError::OwnRequest,
        ),
        (
            "be forwarded to",
            Event::Forward {
                run: 1,
                actor: user("bob"),
                to: user("alice"),
            },
            EngineError::CannotForward("alice".into(), forwarded),
        ),
        (
            "be forwarded to as requester",
            Event::Forward {
                run: 1,
                actor: user("bob"),
                to: user("frank"),
            },
            EngineError::CannotForward(
                "frank".into(),
                "the requester cannot decide on their own request",
            ),
        ),
        (
            "be assigned",
            reassign("heidi", &["dave", "alice"]),
            EngineError::CannotAssign("alice".into(), forwarded),
        ),
        (
            "reassign their own request's approvers",
            reassign("frank", &["dave"]),
            EngineError::OwnRequest,
        ),
        (
            "reassign the approvers of a request for them",
            reassign("alice", &["dave"]),
            EngineError::OwnRequest,
        ),
    ];
    for (what, event, refusal) in cases {
        let mut run = Run::start(pool.clone(), "frank", "alice", "X");
        let version = run.instance.version;
        assert_eq!(run.send(event).unwrap_err(), refusal, "{what}");
        assert_eq!(run.instance.version, version, "{what}: nothing changed");
        assert_eq!(run.participants(1), vec!["bob", "carol", "dave"], "{what}");
    }
}

fn decide_event(actor: &str, by: Option<&str>) -> Event {
    decide_on(1, actor, by)
}

fn decide_on(run: u32, actor: &str, by: Option<&str>) -> Event {
    Event::Decide {
        run,
        actor: user(actor),
        verdict: Verdict::Approve,
        reason: None,
        by: by.map(user),
    }
}

/// An instance stored before the subject was excluded may still name them.
fn with_stale_subject(run: &mut Run, because: Because) {
    let approval = run.instance.runs[1].approval.as_mut().unwrap();
    approval.participants.push(Participant {
        user: user("alice"),
        because,
        active: true,
    });
}

#[test]
fn a_subject_asked_before_the_rule_existed_can_do_nothing_with_the_item() {
    let pool = approval(r#"{ users = ["bob", "carol"] }"#, "");
    let rule = Because::Rule {
        rule: "named in the definition".into(),
    };
    let cases: Vec<(&str, Event)> = vec![
        ("decide", decide_event("alice", None)),
        (
            "claim",
            Event::Claim {
                run: 1,
                actor: user("alice"),
            },
        ),
        (
            "forward",
            Event::Forward {
                run: 1,
                actor: user("alice"),
                to: user("dave"),
            },
        ),
    ];
    for (what, event) in cases {
        let mut run = Run::start(pool.clone(), "frank", "alice", "X");
        with_stale_subject(&mut run, rule.clone());
        assert_eq!(
            run.send(event).unwrap_err(),
            EngineError::OwnRequest,
            "{what}"
        );
    }
    // Asking the rule again replaces them with whom it names now.
    let mut run = Run::start(
        approval(r#"{ users = ["alice", "dave"] }"#, r#"mode = "all""#),
        "carol",
        "alice",
        "X",
    );
    assert_eq!(run.participants(1), vec!["bob", "dave"]);
    let stored = run.instance.runs[1].approval.as_mut().unwrap();
    stored.participants.retain(|p| p.user != user("bob"));
    with_stale_subject(&mut run, rule);
    assert!(run.send(Event::ReevaluateParticipants).unwrap().changed);
    assert_eq!(run.participants(1), vec!["dave", "bob"]);
    // Forwarded to the subject by the manager the rule named: the rule asks him again.
    let mut run = Run::start(shipped("4-eye-approval.toml"), "carol", "alice", "X");
    let seq = run.running("manager_approval");
    let stored = run.instance.runs[seq as usize].approval.as_mut().unwrap();
    stored.participants[0].active = false;
    stored.participants.push(Participant {
        user: user("alice"),
        because: Because::Forwarded { by: user("bob") },
        active: true,
    });
    assert!(run.send(Event::ReevaluateParticipants).unwrap().changed);
    assert_eq!(run.participants(seq), vec!["bob"]);
    // A person routed the item to erin, who approved, and to the subject: all must
    // approve, and without the subject everyone has. The item completes.
    let mut run = Run::start(
        approval(r#"{ users = ["erin", "dave"] }"#, r#"mode = "all""#),
        "carol",
        "alice",
        "X",
    );
    let stored = run.instance.runs[1].approval.as_mut().unwrap();
    stored.participants.retain(|p| p.user == user("erin"));
    stored.participants[0].because = Because::Forwarded { by: user("heidi") };
    with_stale_subject(&mut run, Because::Forwarded { by: user("heidi") });
    run.decide(1, "erin", true, None).unwrap();
    assert!(
        flow(&run, "decide/decision").is_empty(),
        "alice is still counted"
    );
    run.send(Event::ReevaluateParticipants).unwrap();
    assert_eq!(flow(&run, "decide/decision"), vec![Value::text("approved")]);
}

#[test]
fn a_delegation_to_the_subject_or_the_requester_is_ignored() {
    // (bob's substitute, who is asked, why)
    let cases: Vec<(&str, &str, Because)> = vec![
        (
            "alice",
            "bob",
            Because::Rule {
                rule: "manager of alice".into(),
            },
        ),
        (
            "carol",
            "bob",
            Because::Rule {
                rule: "manager of alice".into(),
            },
        ),
        // The control: any other substitute stands in.
        (
            "frank",
            "frank",
            Because::Substitute {
                for_user: user("bob"),
            },
        ),
    ];
    for (substitute, asked, why) in cases {
        let run = Run::while_bob_is_away(substitute, "carol");
        let seq = run.running("manager_approval");
        assert_eq!(run.participants(seq), vec![asked], "bob -> {substitute}");
        assert_eq!(because(&run, seq, asked), why, "bob -> {substitute}");
    }
}

#[test]
fn escalation_goes_past_the_subject() {
    let escalating = approval(
        r#"{ users = ["alice"] }"#,
        r#"timeout = { after = "1d", outcome = "escalate", max_repeats = 1 }"#,
    );
    // (initiator, subject, asked after the timeout; none: the request is denied)
    let cases = [
        ("carol", "bob", Some("erin")),
        ("frank", "bob", Some("erin")),
        ("erin", "bob", None),
    ];
    for (initiator, subject, next) in cases {
        let mut run = Run::start(escalating.clone(), initiator, subject, "X");
        assert_eq!(run.participants(1), vec!["alice"]);
        let (seq, generation, _) = run.timer();
        run.advance(DAY);
        run.fire_timer(seq, generation).unwrap();
        let case = format!("{initiator} for {subject}");
        match next {
            Some(next) => {
                assert_eq!(run.participants(1), vec![next], "{case}");
                assert_eq!(
                    because(&run, 1, next),
                    Because::InsteadOfBeneficiary {
                        beneficiary: user(subject)
                    },
                    "{case}"
                );
            }
            None => {
                assert_eq!(
                    flow(&run, "decide/decision"),
                    vec![Value::text("rejected")],
                    "{case}"
                );
                assert_eq!(
                    flow(&run, "decide/timedOut"),
                    vec![Value::Bool(true)],
                    "{case}"
                );
            }
        }
    }
}

#[test]
fn a_decision_on_behalf_is_recorded_and_never_by_the_parties() {
    // carol asks for alice; bob decides. (who acts for bob, the result, who is recorded)
    type Case<'a> = (Option<&'a str>, Result<(), EngineError>, Option<&'a str>);
    let cases: Vec<Case> = vec![
        (None, Ok(()), None),
        (Some("heidi"), Ok(()), Some("heidi")),
        (Some("bob"), Ok(()), None),
        (Some("carol"), Err(EngineError::OwnRequest), None),
        (Some("alice"), Err(EngineError::OwnRequest), None),
    ];
    for (by, result, recorded) in cases {
        let mut run = Run::start(shipped("4-eye-approval.toml"), "carol", "alice", "X");
        let seq = run.running("manager_approval");
        let event = decide_on(seq, "bob", by);
        assert_eq!(run.send(event).map(|_| ()), result, "by {by:?}");
        if result.is_ok() {
            let decision = &run.instance.runs[seq as usize]
                .approval
                .as_ref()
                .unwrap()
                .decisions[0];
            assert_eq!(decision.user, user("bob"));
            assert_eq!(decision.by, recorded.map(user), "by {by:?}");
        }
    }
    // Stored decisions without `by` still load, and `None` is not written.
    let old = r#"{"user":"bob","verdict":"approve","reason":null,"at":1,"by_timeout":false}"#;
    let decision: Decision = serde_json::from_str(old).unwrap();
    assert_eq!(decision.by, None);
    assert_eq!(serde_json::to_string(&decision).unwrap(), old);
}

#[test]
fn certification_is_never_by_the_subject_or_the_initiator() {
    let certify = |actor: &str, by: Option<&str>| Event::Certify {
        run: 1,
        actor: user(actor),
        verdicts: BTreeMap::from([("Finance Analyst".to_owned(), true)]),
        submit: true,
        by: by.map(user),
    };
    // admin starts a campaign for alice; bob certifies.
    let cases: Vec<(&str, Option<&str>, Result<(), EngineError>)> = vec![
        ("alice", None, Err(EngineError::OwnRequest)),
        ("admin", None, Err(EngineError::OwnRequest)),
        ("bob", Some("alice"), Err(EngineError::OwnRequest)),
        ("bob", Some("admin"), Err(EngineError::OwnRequest)),
        ("bob", Some("heidi"), Ok(())),
    ];
    for (actor, by, result) in cases {
        let mut run = Run::start(
            shipped("access-certification.toml"),
            "admin",
            "alice",
            "Finance Analyst",
        );
        assert_eq!(run.participants(1), vec!["bob"]);
        assert_eq!(
            run.send(certify(actor, by)).map(|_| ()),
            result,
            "{actor} by {by:?}"
        );
        if result.is_ok() {
            assert_eq!(
                flow(&run, "review/certifiedOnBehalfBy"),
                vec![Value::text("heidi")]
            );
        }
    }
}
