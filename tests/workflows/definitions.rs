//! Definitions: versioned and checked before they are deployed, the best fitting one
//! chosen when a request names none, and only their starters may start them.

use crate::common::{self, Backend};
use crate::on_both_databases;
use crate::support::*;
use assent::server::workflow::{DeployOutcome, WorkflowError};
use assent_engine::ApplicationState;

on_both_databases!(
    definitions_are_versioned_and_checked_before_deploy,
    a_request_naming_no_definition_gets_the_best_fitting_one,
    only_the_definitions_starters_may_start_it,
);

async fn definitions_are_versioned_and_checked_before_deploy(backend: Backend) {
    let f = fixture(backend).await;
    let source = four_eye_source();
    let again = f
        .workflows
        .deploy("4-eye-approval.toml", &source, Some("admin"))
        .await
        .unwrap();
    assert!(matches!(again, DeployOutcome::Unchanged { version: 1, .. }));

    let started = f.four_eye("alice", "alice").await;
    assert_eq!(started.definition.version, 1);

    // Version 2 sends the approval to a named user instead of the manager.
    let changed = source.replace(
        r#"participants = { manager_of = "subject" }"#,
        r#"participants = { users = ["dave"] }"#,
    );
    let deployed = f
        .workflows
        .deploy("4-eye-approval.toml", &changed, Some("admin"))
        .await
        .unwrap();
    assert!(matches!(
        deployed,
        DeployOutcome::Deployed { version: 2, .. }
    ));

    let broken = changed.replace(r#"on_approve = "grant""#, r#"on_approve = "nowhere""#);
    let before = count(&f.db, "SELECT COUNT(*) AS n FROM workflow_definitions").await;
    match f
        .workflows
        .deploy("4-eye-approval.toml", &broken, Some("admin"))
        .await
    {
        Err(WorkflowError::InvalidDefinition(errors)) => {
            assert!(
                errors.to_string().starts_with("4-eye-approval.toml:"),
                "{errors}"
            );
            assert!(
                errors.to_string().contains("unknown activity nowhere"),
                "{errors}"
            );
        }
        other => panic!("accepted a broken definition: {other:?}"),
    }
    assert_eq!(
        count(&f.db, "SELECT COUNT(*) AS n FROM workflow_definitions").await,
        before,
        "a refused definition changes nothing"
    );

    // The running instance stays on version 1: bob (the manager) still decides it.
    let approval = running(&started, "manager_approval");
    let done = approve(&f.workflows, "bob", &started.id, approval, None)
        .await
        .unwrap();
    assert_eq!(done.application_state, Some(ApplicationState::Accepted));
    let newer = f
        .workflows
        .create(request(FOUR_EYE, "alice", "alice", "Developer"))
        .await
        .unwrap();
    assert_eq!(newer.definition.version, 2);
    let approval = running(&newer, "manager_approval");
    assert_eq!(
        newer.runs[approval as usize]
            .approval
            .as_ref()
            .unwrap()
            .participants[0]
            .user,
        user("dave")
    );
}

async fn a_request_naming_no_definition_gets_the_best_fitting_one(backend: Backend) {
    use assent_engine::definition::RequestFacts;
    let f = fixture(backend).await;
    let facts = |resource: &[(&str, &str)]| RequestFacts {
        operation: Some("assign".into()),
        subject_type: Some("user".into()),
        resource_type: Some("resource".into()),
        resource: resource
            .iter()
            .map(|(k, v)| (k.to_string(), vec![v.to_string()]))
            .collect(),
        ..RequestFacts::default()
    };
    assert_eq!(
        f.workflows
            .choose_definition(&facts(&[
                ("kind", "resource"),
                ("category", "Infrastructure")
            ]))
            .await
            .unwrap(),
        "My-Company/Approval/Parallel-Quorum"
    );
    assert_eq!(
        f.workflows
            .choose_definition(&facts(&[("kind", "resource"), ("category", "Sales")]))
            .await
            .unwrap(),
        "My-Company/Approval/Manager-Then-Owner"
    );
    let mut unknown = facts(&[]);
    unknown.resource_type = Some("printer".into());
    assert!(matches!(
        f.workflows.choose_definition(&unknown).await,
        Err(WorkflowError::NoApplicableDefinition)
    ));
}

/// `starters` is checked where every creation passes (portal, cart, API, demo, jobs):
/// the workflow layer's create.
async fn only_the_definitions_starters_may_start_it(backend: Backend) {
    let f = fixture(backend).await;
    let source = four_eye_source();
    let for_the_team = source
        .replace(
            r#"path = "My-Company/Approval/4-Eye-Approval""#,
            "path = \"Test/Team-Only\"\nstarters = [\"group:security-team\", \"manager\"]",
        )
        .replace(r#"name = "4-Eye-Approval""#, r#"name = "Team-Only""#);
    f.workflows
        .deploy("team-only.toml", &for_the_team, Some("admin"))
        .await
        .unwrap();
    // Who asks for whom, through which definition, whether it starts, and why.
    #[rustfmt::skip]
    let attempts = [
        ("alice", "alice", "Test/Team-Only", false, "alice is in no such group"),
        // A member of the group, for herself; a manager, for his report.
        ("trent", "trent", "Test/Team-Only", true, "trent is in the security team"),
        ("bob", "alice", "Test/Team-Only", true, "bob is alice's manager"),
        // Administrators are not starters of this one.
        ("admin", "alice", "Test/Team-Only", false, "admin is no starter"),
        // The default (self, manager, admin) still lets a requester ask for herself,
        // but not for someone else who does not report to her.
        ("alice", "alice", FOUR_EYE, true, "for herself"),
        ("alice", "carol", FOUR_EYE, false, "carol does not report to alice"),
    ];
    for (initiator, subject, path, starts, why) in attempts {
        let outcome = f
            .workflows
            .create(request(path, initiator, subject, "Finance Analyst"))
            .await;
        if starts {
            outcome.expect(why);
        } else {
            assert!(
                matches!(outcome, Err(WorkflowError::Forbidden)),
                "{why}: {outcome:?}"
            );
        }
    }
    // Any subject but a user is refused, whoever asks.
    let mut group_subject = request(FOUR_EYE, "admin", "alice", "Finance Analyst");
    group_subject.subject.as_mut().unwrap().object_type = "group".into();
    assert!(matches!(
        f.workflows.create(group_subject).await,
        Err(WorkflowError::Invalid(_))
    ));
    assert_eq!(
        count(&f.db, "SELECT COUNT(*) AS n FROM workflow_instances i JOIN workflow_definitions d ON d.id = i.definition_id WHERE d.path = 'Test/Team-Only'").await,
        2
    );
}
