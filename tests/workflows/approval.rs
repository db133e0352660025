//! Approval from creation to grant: who is asked, who may decide, and the substitutes
//! who stand in.

use crate::common::{self, Backend};
use crate::on_both_databases;
use crate::support::*;
use assent::server::workflow::WorkflowError;
use assent_engine::runtime::EngineError;
use assent_engine::{ApplicationState, WorkflowState};

on_both_databases!(
    a_request_runs_from_creation_to_grant,
    the_requester_never_approves_and_substitutes_are_honoured,
);

async fn a_request_runs_from_creation_to_grant(backend: Backend) {
    let f = fixture(backend).await;
    let instance = f.four_eye("alice", "alice").await;
    assert_eq!(instance.state, WorkflowState::Running);
    assert_eq!(f.workflows.open_item_count(&user("bob")).await.unwrap(), 1);
    assert_eq!(
        f.workflows.open_item_count(&user("alice")).await.unwrap(),
        0
    );
    let approval = running(&instance, "manager_approval");

    // Notification and timeout jobs were written with the step.
    assert_eq!(
        count(&f.db, "SELECT COUNT(*) AS n FROM jobs WHERE kind = 'timer'").await,
        1
    );
    assert_eq!(
        count(
            &f.db,
            "SELECT COUNT(*) AS n FROM jobs WHERE kind = 'effect'"
        )
        .await,
        1
    );
    assert_eq!(
        f.workflows.run_due_jobs("test", 10).await.unwrap(),
        1,
        "only the notification is due"
    );
    assert_eq!(f.mailer.sent.lock().unwrap()[0].0, vec!["bob".to_owned()]);

    let wrong = approve(&f.workflows, "dave", &instance.id, approval, None).await;
    // dave has no part in this workflow: it answers as if it did not exist.
    assert!(matches!(wrong, Err(WorkflowError::WorkflowNotFound)));
    let bob_approves = |version| approve(&f.workflows, "bob", &instance.id, approval, version);
    let stale = bob_approves(Some(instance.version + 7)).await;
    assert!(matches!(stale, Err(WorkflowError::Conflict)));

    let decided = bob_approves(Some(instance.version)).await.unwrap();
    assert_eq!(decided.application_state, Some(ApplicationState::Accepted));
    assert_eq!(f.workflows.open_item_count(&user("bob")).await.unwrap(), 0);
    assert_eq!(
        count(&f.db, "SELECT COUNT(*) AS n FROM assignments WHERE username = 'alice' AND kind = 'role' AND name = 'Finance Analyst'").await,
        1,
        "the role was granted in the same transaction"
    );
    // The closing mail leaves through the outbox; then the workflow ends.
    f.workflows.run_due_jobs("test", 10).await.unwrap();
    let finished = f.workflows.instance(&instance.id).await.unwrap();
    assert_eq!(finished.state, WorkflowState::Succeeded);
    assert_eq!(
        count(
            &f.db,
            &format!(
                "SELECT COUNT(*) AS n FROM audit_events WHERE detail LIKE 'workflow {}%'",
                instance.id
            )
        )
        .await,
        3,
        "created, decided, mail sent"
    );
}

async fn the_requester_never_approves_and_substitutes_are_honoured(backend: Backend) {
    let f = fixture(backend).await;
    // bob asks for alice, whose manager he is: his own manager decides instead.
    let instance = f.four_eye("bob", "alice").await;
    let approval = running(&instance, "manager_approval");
    assert_eq!(f.workflows.open_item_count(&user("bob")).await.unwrap(), 0);
    assert_eq!(f.workflows.open_item_count(&user("erin")).await.unwrap(), 1);
    let own = approve(&f.workflows, "bob", &instance.id, approval, None).await;
    assert!(matches!(
        own,
        Err(WorkflowError::Engine(EngineError::OwnRequest))
    ));

    // bob is away; dave stands in for him.
    f.execute(
        "INSERT INTO delegations (username, substitute, starts_at, ends_at) VALUES ('bob', 'dave', '2026-11-01T00:00:00Z', '2026-12-31T00:00:00Z')",
    )
    .await;
    let delegated = f.four_eye("frank", "frank").await;
    assert_eq!(f.workflows.open_item_count(&user("dave")).await.unwrap(), 1);
    let approval = running(&delegated, "manager_approval");
    let participant = &delegated.runs[approval as usize]
        .approval
        .as_ref()
        .unwrap()
        .participants[0];
    assert_eq!(participant.user, user("dave"));
    assert!(format!("{:?}", participant.because).contains("Substitute"));
}
