//! Handing an item on: forwarding it to another user, and claiming an item offered to a
//! pool so that only the claimant decides until they release it.

mod support;

use assent_engine::definition::Definition;
use assent_engine::runtime::{EngineError, Event};
use assent_engine::WorkflowState;
use support::definitions::{header, with_activities};
use support::*;

#[test]
fn forwarding_hands_the_item_to_another_user() {
    let mut run = Run::alice_requests("4-eye-approval.toml", "X");
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

/// One approval offered to bob, carol and dave, any one of whom decides.
fn pool_definition() -> Definition {
    definition(&with_activities(
        &header("Pool", "Test/Pool", "resource"),
        "pool",
        r#"
[[activity]]
id = "pool"
type = "approval"
participants = { users = ["bob", "carol", "dave"] }
mode = "any"
on_approve = "end"
on_reject = "end"
"#,
    ))
}

#[test]
fn a_pool_member_claims_an_item_and_only_they_can_decide_until_released() {
    let mut run = Run::start(pool_definition(), "alice", "alice", "X");
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
    let mut run = Run::alice_requests("4-eye-approval.toml", "X");
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
