//! Concurrent decisions: one winner among many, and group commit that shares commits
//! yet refuses each bad command on its own.

use crate::common::{self, Backend};
use crate::on_both_databases;
use crate::support::*;
use assent::server::workflow::WorkflowError;
use assent_engine::ApplicationState;

on_both_databases!(
    fifty_concurrent_decisions_have_one_winner,
    group_commit_shares_commits_and_isolates_refusals,
);

async fn fifty_concurrent_decisions_have_one_winner(backend: Backend) {
    let f = fixture(backend).await;
    // Fifty approvers in one group, any one of whom decides.
    for i in 0..50 {
        f.execute(format!(
            "INSERT INTO users (username, display_name, email, title, disabled, created_at) VALUES ('crowd{i}', 'Crowd {i}', 'c{i}@example.com', '', FALSE, '2026-11-23T09:00:00Z')"
        ))
        .await;
        f.execute(format!(
            "INSERT INTO group_members (group_name, username) VALUES ('crowd', 'crowd{i}')"
        ))
        .await;
    }
    let source = four_eye_source()
        .replace(
            r#"participants = { manager_of = "subject" }"#,
            r#"participants = { group = "crowd" }"#,
        )
        .replace("My-Company/Approval/4-Eye-Approval", "Test/Crowd");
    f.workflows
        .deploy("crowd.toml", &source, None)
        .await
        .unwrap();
    // Once committing each decision itself, once through the group-commit writer.
    for workflows in [f.workflows.clone(), f.workflows.clone().with_group_commit()] {
        let instance = workflows
            .create(request("Test/Crowd", "alice", "alice", "Finance Analyst"))
            .await
            .unwrap();
        let approval = running(&instance, "manager_approval");
        assert_eq!(workflows.open_item_count(&user("crowd7")).await.unwrap(), 1);
        let mut tasks = Vec::new();
        for i in 0..50 {
            let workflows = workflows.clone();
            let id = instance.id.clone();
            let version = instance.version;
            tasks.push(tokio::spawn(async move {
                approve(
                    &workflows,
                    &format!("crowd{i}"),
                    &id,
                    approval,
                    Some(version),
                )
                .await
            }));
        }
        let mut wins = 0;
        let mut conflicts = 0;
        for task in tasks {
            match task.await.unwrap() {
                Ok(_) => wins += 1,
                Err(WorkflowError::Conflict) => conflicts += 1,
                Err(other) => panic!("unexpected: {other:?}"),
            }
        }
        assert_eq!((wins, conflicts), (1, 49));
        let stored = workflows.instance(&instance.id).await.unwrap();
        let decisions = &stored.runs[approval as usize]
            .approval
            .as_ref()
            .unwrap()
            .decisions;
        assert_eq!(decisions.len(), 1, "exactly one decision was recorded");
        assert_eq!(stored.version, instance.version + 1);
    }
}

async fn group_commit_shares_commits_and_isolates_refusals(backend: Backend) {
    let mut f = fixture(backend).await;
    f.workflows = f.workflows.clone().with_group_commit();
    let mut created = Vec::new();
    for i in 0..60 {
        created.push(
            f.workflows
                .create(request(FOUR_EYE, "alice", "alice", &format!("Item {i}")))
                .await
                .unwrap(),
        );
    }
    let mut tasks = Vec::new();
    for (i, instance) in created.iter().enumerate() {
        let workflows = f.workflows.clone();
        let id = instance.id.clone();
        let approval = running(instance, "manager_approval");
        // Every tenth decision comes from someone who is not an approver.
        let actor = if i % 10 == 0 { "dave" } else { "bob" };
        tasks.push(tokio::spawn(async move {
            approve(&workflows, actor, &id, approval, None).await
        }));
    }
    let mut approved = 0;
    let mut refused = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(instance) => {
                assert_eq!(instance.application_state, Some(ApplicationState::Accepted));
                approved += 1;
            }
            // Outsiders are answered as if the workflow did not exist.
            Err(WorkflowError::WorkflowNotFound) => refused += 1,
            Err(other) => panic!("unexpected: {other:?}"),
        }
    }
    assert_eq!((approved, refused), (54, 6));
    // Each answer came after a durable commit: a fresh read sees every approval.
    assert_eq!(
        count(
            &f.db,
            "SELECT COUNT(*) AS n FROM workflow_instances WHERE application_state = 'ACCEPTED'"
        )
        .await,
        54
    );
    assert_eq!(
        f.workflows.open_item_count(&user("bob")).await.unwrap(),
        6,
        "the refused ones still wait for bob"
    );
    let (commits, commands) = f.workflows.group_commit_stats().unwrap();
    eprintln!("group commit: {commits} commits for {commands} commands");
    assert_eq!(
        commands, 120,
        "60 creations and 60 decisions went through the writer"
    );
    assert!(
        commits < commands,
        "decisions shared commits: {commits} commits for {commands} commands"
    );
}
