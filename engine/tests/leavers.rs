//! Leavers: when someone asked on a running approval is disabled or deleted in the
//! directory, re-evaluating the participants hands their place to whoever takes over
//! (whom the rule names now, or else their manager, as an escalation would ask them);
//! when nobody can, the item keeps its people for an administrator to reassign.

mod support;

use assent_engine::definition::Definition;
use assent_engine::flowdata::Value;
use assent_engine::runtime::directory::{MemoryDirectory, Substitution};
use assent_engine::runtime::model::{Because, Timestamp};
use assent_engine::runtime::{Effect, EngineError, Event, Step};
use assent_engine::{ActivityState, UserName, WorkflowState};
use support::definitions::one_approval;
use support::*;

/// One approval whose participants and extra keys (mode, quorum) the test chooses.
fn approval(participants: &str, extra: &str) -> Definition {
    definition(&one_approval("Leavers", participants, extra))
}

/// The company, with bob, carol and dave in the group "approvers".
fn with_approvers() -> MemoryDirectory {
    let mut directory = company();
    directory.groups.insert(
        "approvers".into(),
        vec![user("bob"), user("carol"), user("dave")],
    );
    directory
}

/// `initiator` asks for `resource` for grace through `definition` in `directory`.
fn start_in(definition: Definition, directory: MemoryDirectory, initiator: &str) -> Run {
    Run::start_with(
        definition,
        directory,
        TestLookups::default(),
        initiator,
        "grace",
        "X",
    )
}

/// `who` are disabled in the directory, and the workflow is told.
fn leave(run: &mut Run, who: &[&str]) -> Step {
    for name in who {
        run.directory.disabled.insert(user(name));
    }
    run.send(Event::ReevaluateParticipants).unwrap().clone()
}

/// Whom the step newly asked.
fn newly_asked(step: &Step) -> Vec<UserName> {
    step.effects
        .iter()
        .filter_map(|e| match e {
            Effect::NotifyParticipants {
                users,
                reminder: false,
                ..
            } => Some(users.clone()),
            _ => None,
        })
        .flatten()
        .collect()
}

fn escalated_from(who: &str) -> Because {
    Because::Escalation { from: user(who) }
}

#[test]
fn a_manager_who_left_makes_way_for_their_own_manager() {
    let mut run = Run::alice_requests("4-eye-approval.toml", "X");
    let seq = run.running("manager_approval");
    assert_eq!(run.participants(seq), vec!["bob"]);
    let step = leave(&mut run, &["bob"]);
    assert!(step.changed);
    assert_eq!(run.participants(seq), vec!["erin"]);
    assert_eq!(because(&run, seq, "erin"), escalated_from("bob"));
    assert_eq!(newly_asked(&step), vec![user("erin")]);
    let stored = run.instance.runs[seq as usize].approval.as_ref().unwrap();
    assert_eq!(
        stored.escalations, 0,
        "no timeout escalated: one is still left"
    );
    // Told again, nothing more changes.
    assert!(!run.send(Event::ReevaluateParticipants).unwrap().changed);
    assert_eq!(
        run.decide(seq, "bob", true, None).unwrap_err(),
        EngineError::NotAParticipant
    );
    run.decide(seq, "erin", true, None).unwrap();
    assert_eq!(
        flow(&run, "manager_approval/decision"),
        vec![Value::text("approved")]
    );
}

#[test]
fn whom_the_rule_names_now_comes_before_the_leavers_manager() {
    // bob leaves and alice moves to dave's team in the same change.
    let mut run = Run::alice_requests("4-eye-approval.toml", "X");
    let seq = run.running("manager_approval");
    run.directory.managers.insert(user("alice"), user("dave"));
    let step = leave(&mut run, &["bob"]);
    assert_eq!(run.participants(seq), vec!["dave"]);
    assert_eq!(
        because(&run, seq, "dave"),
        Because::Rule {
            rule: "manager of alice".into()
        }
    );
    assert_eq!(newly_asked(&step), vec![user("dave")]);
}

#[test]
fn the_leavers_manager_is_asked_through_their_substitute() {
    let mut run = Run::alice_requests("4-eye-approval.toml", "X");
    let seq = run.running("manager_approval");
    run.directory.substitutions.push(Substitution {
        user: user("erin"),
        substitute: user("heidi"),
        from: Timestamp(0),
        until: Timestamp(i64::MAX),
    });
    let step = leave(&mut run, &["bob"]);
    assert_eq!(run.participants(seq), vec!["heidi"]);
    assert_eq!(
        because(&run, seq, "heidi"),
        Because::Substitute {
            for_user: user("erin")
        }
    );
    assert_eq!(newly_asked(&step), vec![user("heidi")]);
}

#[test]
fn a_pool_member_who_left_steps_down_and_the_others_stay() {
    let pool = approval(r#"{ group = "approvers" }"#, r#"mode = "any""#);
    let mut run = start_in(pool, with_approvers(), "alice");
    assert_eq!(run.participants(1), vec!["bob", "carol", "dave"]);
    run.send(Event::Claim {
        run: 1,
        actor: user("carol"),
    })
    .unwrap();
    let step = leave(&mut run, &["carol"]);
    assert!(step.changed);
    assert_eq!(run.participants(1), vec!["bob", "dave"]);
    assert!(newly_asked(&step).is_empty(), "nobody new is asked");
    let stored = run.instance.runs[1].approval.as_ref().unwrap();
    assert_eq!(stored.claimed_by, None, "the leaver's claim ends");
    run.decide(1, "dave", true, None).unwrap();
    assert_eq!(flow(&run, "decide/decision"), vec![Value::text("approved")]);
}

#[test]
fn a_forwarded_item_goes_to_the_manager_of_the_forwardee_who_left() {
    let mut run = Run::alice_requests("4-eye-approval.toml", "X");
    let seq = run.running("manager_approval");
    run.send(Event::Forward {
        run: seq,
        actor: user("bob"),
        to: user("carol"),
    })
    .unwrap();
    let step = leave(&mut run, &["carol"]);
    assert!(step.changed);
    // bob's choice stands: the rule does not take the item back, carol's manager does.
    assert_eq!(run.participants(seq), vec!["dave"]);
    assert_eq!(because(&run, seq, "dave"), escalated_from("carol"));
    assert_eq!(newly_asked(&step), vec![user("dave")]);
}

#[test]
fn a_leaver_nobody_can_take_over_for_keeps_the_item() {
    // (what, initiator, directory change besides bob leaving, who else leaves)
    type Case<'a> = (&'a str, &'a str, fn(&mut MemoryDirectory), &'a [&'a str]);
    let cases: Vec<Case> = vec![
        (
            "bob has no manager",
            "alice",
            |d| {
                d.managers.remove(&user("bob"));
            },
            &[],
        ),
        ("bob's manager left too", "alice", |_| {}, &["erin"]),
        // erin asked for it: she may not decide, and nobody is above her.
        ("bob's manager is the requester", "erin", |_| {}, &[]),
    ];
    for (what, initiator, change, others) in cases {
        let mut run = Run::start(shipped("4-eye-approval.toml"), initiator, "alice", "X");
        let seq = run.running("manager_approval");
        change(&mut run.directory);
        let before = run.instance.clone();
        let mut leavers = vec!["bob"];
        leavers.extend_from_slice(others);
        let step = leave(&mut run, &leavers);
        assert!(!step.changed, "{what}");
        assert_eq!(run.instance, before, "{what}");
        assert_eq!(run.participants(seq), vec!["bob"], "{what}");
        assert_eq!(run.instance.state, WorkflowState::Running, "{what}");
        assert_eq!(
            run.instance.runs[seq as usize].state,
            ActivityState::Running,
            "{what}: an administrator reassigns it"
        );
    }
}

#[test]
fn an_approver_whose_substitute_left_stays_asked() {
    let mut directory = company();
    directory.substitutions.push(Substitution {
        user: user("bob"),
        substitute: user("frank"),
        from: Timestamp(0),
        until: Timestamp(i64::MAX),
    });
    let manager_of_alice = Because::Rule {
        rule: "manager of alice".into(),
    };
    // frank left before the request: bob is asked himself.
    let mut gone = directory.clone();
    gone.disabled.insert(user("frank"));
    let run = Run::start_with(
        shipped("4-eye-approval.toml"),
        gone,
        TestLookups::default(),
        "carol",
        "alice",
        "X",
    );
    let seq = run.running("manager_approval");
    assert_eq!(run.participants(seq), vec!["bob"]);
    assert_eq!(because(&run, seq, "bob"), manager_of_alice);
    // frank leaves while he stands in: bob is asked again.
    let mut run = Run::start_with(
        shipped("4-eye-approval.toml"),
        directory,
        TestLookups::default(),
        "carol",
        "alice",
        "X",
    );
    let seq = run.running("manager_approval");
    assert_eq!(run.participants(seq), vec!["frank"]);
    let step = leave(&mut run, &["frank"]);
    assert_eq!(run.participants(seq), vec!["bob"]);
    assert_eq!(because(&run, seq, "bob"), manager_of_alice);
    assert_eq!(newly_asked(&step), vec![user("bob")]);
}

#[test]
fn a_leaver_who_already_decided_stays_recorded() {
    let all = approval(r#"{ users = ["bob", "carol"] }"#, r#"mode = "all""#);
    // Asked by the rule: bob's approval stands, carol still decides.
    let mut run = start_in(all.clone(), company(), "alice");
    run.decide(1, "bob", true, None).unwrap();
    assert!(!leave(&mut run, &["bob"]).changed);
    assert_eq!(run.participants(1), vec!["bob", "carol"]);
    run.decide(1, "carol", true, None).unwrap();
    assert_eq!(
        flow(&run, "decide/approvers"),
        vec![Value::text("bob"), Value::text("carol")]
    );
    // Routed by a person: bob's approval stands, dave (who carol forwarded to) makes way
    // for erin.
    let mut run = start_in(all, company(), "alice");
    run.decide(1, "bob", true, None).unwrap();
    run.send(Event::Forward {
        run: 1,
        actor: user("carol"),
        to: user("dave"),
    })
    .unwrap();
    let step = leave(&mut run, &["bob", "dave"]);
    assert_eq!(run.participants(1), vec!["bob", "erin"]);
    assert_eq!(newly_asked(&step), vec![user("erin")]);
    let stored = run.instance.runs[1].approval.as_ref().unwrap();
    assert_eq!(stored.decisions.len(), 1);
    assert_eq!(stored.decisions[0].user, user("bob"));
    run.decide(1, "erin", true, None).unwrap();
    assert_eq!(
        flow(&run, "decide/approvers"),
        vec![Value::text("bob"), Value::text("erin")]
    );
}

#[test]
fn a_manager_asked_already_takes_over_as_an_escalation_would() {
    // All must approve; carol forwarded to erin, who approved. bob leaves: his manager
    // erin is asked already and has approved, so every approver left has approved.
    let all = approval(r#"{ users = ["bob", "carol"] }"#, r#"mode = "all""#);
    let mut run = start_in(all, company(), "alice");
    run.send(Event::Forward {
        run: 1,
        actor: user("carol"),
        to: user("erin"),
    })
    .unwrap();
    run.decide(1, "erin", true, None).unwrap();
    let step = leave(&mut run, &["bob"]);
    assert!(newly_asked(&step).is_empty());
    assert_eq!(run.participants(1), vec!["erin"]);
    assert_eq!(flow(&run, "decide/decision"), vec![Value::text("approved")]);
}

#[test]
fn leavers_are_replaced_only_while_the_quorum_stays_within_reach() {
    // Two of bob and frank: frank's manager is bob, asked already, and one voter cannot
    // make two approvals. frank stays for an administrator.
    let two_of = |rule: &str| approval(rule, "mode = \"quorum\"\nquorum = 2");
    let mut run = start_in(
        two_of(r#"{ users = ["bob", "frank"] }"#),
        company(),
        "alice",
    );
    assert!(!leave(&mut run, &["frank"]).changed);
    assert_eq!(run.participants(1), vec!["bob", "frank"]);

    // Two of bob, frank and carol, and carol rejected: with frank gone only bob would be
    // left to approve, which could no longer reach two. Leaving decides nothing.
    let rule = r#"{ users = ["bob", "frank", "carol"] }"#;
    let mut run = start_in(two_of(rule), company(), "alice");
    run.decide(1, "carol", false, Some("no")).unwrap();
    let before = run.instance.clone();
    assert!(!leave(&mut run, &["frank"]).changed);
    assert_eq!(run.instance, before);
    assert!(flow(&run, "decide/decision").is_empty());

    // Two of the approvers group: bob and carol leave, and the group names dave alone,
    // too few. bob's manager erin takes his place; carol's manager dave is asked already.
    let mut run = start_in(
        two_of(r#"{ group = "approvers" }"#),
        with_approvers(),
        "alice",
    );
    let step = leave(&mut run, &["bob", "carol"]);
    assert!(step.changed);
    assert_eq!(run.participants(1), vec!["dave", "erin"]);
    assert_eq!(because(&run, 1, "erin"), escalated_from("bob"));
    assert_eq!(newly_asked(&step), vec![user("erin")]);
    run.decide(1, "dave", true, None).unwrap();
    run.decide(1, "erin", true, None).unwrap();
    assert_eq!(flow(&run, "decide/decision"), vec![Value::text("approved")]);
}
