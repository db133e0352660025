//! Certification: a certifier keeps or revokes each of the subject's items, and what is
//! revoked is taken away.

mod support;

use assent_engine::runtime::{Effect, EngineError, Event, IdentityChange};
use assent_engine::WorkflowState;
use support::*;

#[test]
fn certification_keeps_and_revokes_item_by_item() {
    let mut run = Run::start(
        shipped("access-certification.toml"),
        "admin",
        "alice",
        "Finance Analyst",
    );
    run.instance.resources.push(order("resource", "VPN Access"));
    let review = run.running("review");
    assert_eq!(run.participants(review), vec!["bob"]);
    let certify = |verdicts: &[(&str, bool)], submit: bool, actor: &str| Event::Certify {
        run: review,
        actor: user(actor),
        verdicts: verdicts.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
        submit,
        by: None,
    };
    assert_eq!(
        run.send(certify(&[("Finance Analyst", true)], false, "dave"))
            .unwrap_err(),
        EngineError::NotAParticipant
    );
    assert!(matches!(
        run.send(certify(&[("Ghost", true)], false, "bob"))
            .unwrap_err(),
        EngineError::NotACertificationItem(_)
    ));
    run.send(certify(&[("Finance Analyst", true)], false, "bob"))
        .unwrap();
    assert_eq!(
        run.send(certify(&[], true, "bob")).unwrap_err(),
        EngineError::CertificationIncomplete
    );
    let step = run
        .send(certify(&[("VPN Access", false)], true, "bob"))
        .unwrap()
        .clone();
    let revoked: Vec<_> = step
        .effects
        .iter()
        .filter_map(|e| match e {
            Effect::ChangeIdentity {
                change:
                    IdentityChange::Resource {
                        resource,
                        grant: false,
                        ..
                    },
                ..
            } => Some(resource.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(revoked, vec!["VPN Access".to_owned()]);
    assert!(
        !step.effects.iter().any(|e| matches!(
            e,
            Effect::ChangeIdentity {
                change: IdentityChange::Role { .. },
                ..
            }
        )),
        "kept access stays"
    );
    assert_eq!(run.instance.state, WorkflowState::Succeeded);
}
