//! Crashes: a transition cut off anywhere, or a process killed mid-flight, leaves every
//! workflow before or after a transition, never half-way.

use crate::common::{self, Backend};
use crate::on_both_databases;
use crate::support::*;
use assent::server::db;
use assent::server::workflow::Workflows;
use assent_engine::runtime::model::Instance;
use assent_engine::ActivityState;
use sea_orm::{ConnectionTrait, Statement, TransactionTrait};
use std::sync::Arc;

on_both_databases!(
    interrupted_transitions_leave_the_instance_before_or_after,
    a_killed_process_leaves_no_half_transition,
);

/// Not a test by itself: the child process of `a_killed_process_leaves_no_half_transition`,
/// which creates and decides workflows as fast as it can until it is killed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "run as a child process by the crash test"]
async fn crash_child_worker() {
    let Ok(url) = std::env::var("ASSENT_CRASH_CHILD_DB") else {
        return;
    };
    let opened = db::connect(&url).await.expect("connect");
    let workflows = Workflows::new(
        opened.connection.clone(),
        Arc::new(assent::server::workflow::SystemClock),
    )
    .with_group_commit();
    let mut round = 0u64;
    loop {
        round += 1;
        let mut tasks = Vec::new();
        for i in 0..8 {
            let workflows = workflows.clone();
            tasks.push(tokio::spawn(async move {
                let instance = workflows
                    .create(request(
                        FOUR_EYE,
                        "alice",
                        "alice",
                        &format!("Crash {}-{round}-{i}", std::process::id()),
                    ))
                    .await?;
                let approval = running(&instance, "manager_approval");
                approve(&workflows, "bob", &instance.id, approval, None).await
            }));
        }
        for task in tasks {
            let _ = task.await;
        }
        println!("round {round}");
    }
}

/// Every instance's columns, open items and grants agree with its stored state.
async fn check_consistency(f: &Fixture) {
    let backend = f.db.get_database_backend();
    let rows =
        f.db.query_all(Statement::from_string(
            backend,
            "SELECT id, version, state, application_state, data FROM workflow_instances",
        ))
        .await
        .unwrap();
    for row in rows {
        let id: String = row.try_get("", "id").unwrap();
        let version: i64 = row.try_get("", "version").unwrap();
        let state: String = row.try_get("", "state").unwrap();
        let application: Option<String> = row.try_get("", "application_state").unwrap();
        let data: String = row.try_get("", "data").unwrap();
        let instance: Instance = serde_json::from_str(&data).expect("stored state is whole");
        assert_eq!(
            instance.version as i64, version,
            "{id}: version column matches the state"
        );
        assert_eq!(instance.state.as_str(), state, "{id}");
        let expected_items: i64 = instance
            .runs
            .iter()
            .filter(|r| r.state == ActivityState::Running)
            .filter_map(|r| r.approval.as_ref())
            .map(|a| a.undecided().len() as i64)
            .sum();
        let items = count(
            &f.db,
            &format!("SELECT COUNT(*) AS n FROM work_items WHERE instance_id = '{id}'"),
        )
        .await;
        assert_eq!(items, expected_items, "{id}: work items match the state");
        let granted = count(
            &f.db,
            &format!("SELECT COUNT(*) AS n FROM assignments WHERE instance_id = '{id}'"),
        )
        .await;
        let accepted = application.as_deref() == Some("ACCEPTED");
        assert_eq!(
            granted,
            i64::from(accepted),
            "{id}: the grant is there exactly when accepted"
        );
    }
}

async fn interrupted_transitions_leave_the_instance_before_or_after(backend: Backend) {
    let f = fixture(backend).await;
    // A transition cut off at many different points (the task is dropped mid-flight, as
    // a killed process would drop its transaction) is all there or not there at all.
    let (mut befores, mut afters) = (0, 0);
    for cut_after_micros in [0u64, 50, 200, 500, 1_000, 2_000, 5_000, 10_000, 200_000] {
        let item = format!("Item {cut_after_micros}");
        let instance = f
            .workflows
            .create(request(FOUR_EYE, "alice", "alice", &item))
            .await
            .unwrap();
        let approval = running(&instance, "manager_approval");
        let workflows = f.workflows.clone();
        let id = instance.id.clone();
        let decision = async move { approve(&workflows, "bob", &id, approval, None).await };
        let attempt = if cut_after_micros == 0 {
            // Cut after the very first step, before anything can have been committed.
            let mut decision = Box::pin(decision);
            std::future::poll_fn(|cx| {
                let _ = std::future::Future::poll(decision.as_mut(), cx);
                std::task::Poll::Ready(())
            })
            .await;
            drop(decision);
            Err(())
        } else {
            tokio::time::timeout(std::time::Duration::from_micros(cut_after_micros), decision)
                .await
                .map_err(|_| ())
        };
        // A commit already handed to the database may still land; let it, then look at
        // one consistent snapshot of the instance, its work items and its grants.
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        let snapshot = f.db.begin().await.unwrap();
        let version: i64 = column_n(
            &snapshot,
            &format!(
                "SELECT version AS n FROM workflow_instances WHERE id = '{}'",
                instance.id
            ),
        )
        .await;
        let items = count(
            &snapshot,
            &format!(
                "SELECT COUNT(*) AS n FROM work_items WHERE instance_id = '{}'",
                instance.id
            ),
        )
        .await;
        let granted = count(
            &snapshot,
            &format!(
                "SELECT COUNT(*) AS n FROM assignments WHERE instance_id = '{}'",
                instance.id
            ),
        )
        .await;
        snapshot.commit().await.unwrap();
        let stored = f.workflows.instance(&instance.id).await.unwrap();
        assert_eq!(stored.version as i64, version);
        if stored.version == instance.version {
            assert_eq!(
                (items, granted),
                (1, 0),
                "before: cut at {cut_after_micros}µs"
            );
            befores += 1;
        } else {
            assert!(attempt.is_ok() || stored.version == instance.version + 1);
            assert_eq!(
                (items, granted),
                (0, 1),
                "after: cut at {cut_after_micros}µs"
            );
            afters += 1;
        }
    }
    assert!(
        befores >= 1 && afters >= 1,
        "both outcomes were exercised: {befores} before, {afters} after"
    );
}

async fn a_killed_process_leaves_no_half_transition(backend: Backend) {
    let f = fixture(backend).await;
    let url = f.database.url.clone();
    // The child's full test name: this module's path without the crate's name.
    let child_test = format!(
        "{}::crash_child_worker",
        module_path!().split_once("::").unwrap().1
    );
    for kill_after_ms in [400u64, 900, 1500] {
        let mut child = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                &child_test,
                "--ignored",
                "--nocapture",
                "--test-threads",
                "1",
            ])
            .env("ASSENT_CRASH_CHILD_DB", &url)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("start the child");
        tokio::time::sleep(std::time::Duration::from_millis(kill_after_ms)).await;
        child.kill().expect("SIGKILL"); // no chance to finish or roll back anything
        child.wait().unwrap();
        check_consistency(&f).await;
    }
    let made = count(&f.db, "SELECT COUNT(*) AS n FROM workflow_instances").await;
    assert!(made > 0, "the child made progress before it was killed");
}
