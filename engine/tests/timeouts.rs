//! Approval timeouts: an approver who does not answer is escalated or reminded, as often
//! as the definition allows, and then the final outcome applies.

mod support;

use assent_engine::flowdata::Value;
use assent_engine::runtime::{Effect, EngineError};
use assent_engine::ApplicationState;
use support::*;

#[test]
fn a_silent_manager_is_escalated_once_then_the_request_is_denied() {
    let mut run = Run::alice_requests("4-eye-approval.toml", "Finance Analyst");
    let approval = run.running("manager_approval");
    let (seq, generation, due_at) = run.timer();
    assert_eq!(due_at.0 - run.now.0, 3 * DAY);
    run.advance(3 * DAY);
    let step = run.fire_timer(seq, generation).unwrap().clone();
    assert!(step.changed);
    assert_eq!(
        run.participants(approval),
        vec!["erin"],
        "escalated to bob's manager"
    );
    let second_timer = *step.timers.last().expect("re-armed for the next level");
    // The first timer again (a job run twice) has no effect.
    let version = run.instance.version;
    let repeat = run.fire_timer(seq, generation).unwrap().clone();
    assert!(!repeat.changed);
    assert_eq!(run.instance.version, version);
    assert_eq!(
        run.decide(approval, "bob", true, None).unwrap_err(),
        EngineError::NotAParticipant
    );

    run.advance(3 * DAY);
    run.fire_timer(seq, second_timer.generation).unwrap();
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
    let mut run = Run::alice_requests("manager-then-owner.toml", "VPN Access");
    let approval = run.running("manager_approval");
    for reminder in 1..=2 {
        let (seq, generation, _) = run.timer();
        run.advance(2 * DAY);
        let step = run.fire_timer(seq, generation).unwrap().clone();
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
    run.fire_timer(seq, generation).unwrap();
    assert_eq!(
        run.instance.application_state,
        Some(ApplicationState::Rejected)
    );
}

#[test]
fn an_administrator_moves_the_due_time_and_the_earlier_timer_goes_stale() {
    use assent_engine::runtime::model::Timestamp;
    use assent_engine::runtime::{Event, Modification};
    use std::collections::BTreeMap;

    let mut run = Run::alice_requests("4-eye-approval.toml", "Finance Analyst");
    let approval = run.running("manager_approval");
    let (seq, old_generation, _) = run.timer();
    let later = Timestamp(run.now.0 + 10 * DAY);
    let move_to = |due_at: Timestamp| Event::Modify {
        actor: user("admin"),
        change: Modification {
            due: BTreeMap::from([(approval, due_at)]),
            ..Modification::default()
        },
    };

    // Not into the past, and not on an approval without a timeout.
    assert_eq!(
        run.send(move_to(Timestamp(run.now.0 - 1))).unwrap_err(),
        EngineError::DueInPast
    );
    let mut untimed = Run::alice_requests("role-request-sod.toml", "Finance Analyst");
    let untimed_approval = *untimed
        .instance
        .runs
        .iter()
        .filter(|r| r.activity_type == "approval" && r.approval.is_some())
        .map(|r| &r.seq)
        .next_back()
        .expect("a running approval");
    let refused = untimed.send(Event::Modify {
        actor: user("admin"),
        change: Modification {
            due: BTreeMap::from([(untimed_approval, later)]),
            ..Modification::default()
        },
    });
    assert_eq!(refused.unwrap_err(), EngineError::NoTimeout);

    let step = run.send(move_to(later)).unwrap().clone();
    let timer = *step.timers.last().expect("a new timer");
    assert_eq!(timer.due_at, later);
    assert_eq!(
        run.instance
            .run(approval)
            .unwrap()
            .approval
            .as_ref()
            .unwrap()
            .due_at,
        Some(later)
    );
    // The old due time passes: its timer is stale and changes nothing.
    run.advance(3 * DAY);
    assert!(!run.fire_timer(seq, old_generation).unwrap().changed);
    assert_eq!(run.participants(approval), vec!["bob"]);
    // The new one escalates as the old one would have.
    run.advance(7 * DAY);
    assert!(run.fire_timer(seq, timer.generation).unwrap().changed);
    assert_eq!(run.participants(approval), vec!["erin"]);
}
