//! Waiting through the Workflow Management Service: waitForIdle, and the waits of
//! createInstance, answer when the workflow is idle or say that time ran out.

use super::api::*;
use super::harness::*;
use serde_json::json;
use std::time::{Duration, Instant};

on_both_databases!(
    wait_for_idle_answers_once_the_workflow_is_idle,
    waits_answer_timedout_when_time_runs_out,
);

async fn wait_for_idle_answers_once_the_workflow_is_idle(app: TestApp) {
    let id = alices_request(&app).await;
    let wait = json!({"workflowID": id, "timeout": 10000, "returnData": "everything"});
    let waiting = ok(&app, "waitForIdle", "bob", wait.clone()).await;
    assert_eq!(waiting["timedout"], false, "waiting for bob is idle");
    assert_eq!(waiting["workflowInstance"]["state"], "RUNNING");
    // bob approves; the mail still has to go out before the workflow ends.
    let approved = bulk_accept(&app, "bob", &id).await;
    assert_eq!(approved["failed"], json!([]));
    let started = Instant::now();
    let ended = ok(&app, "waitForIdle", "alice", wait.clone()).await;
    assert_eq!(ended["timedout"], false, "{ended}");
    assert_eq!(ended["workflowInstance"]["state"], "SUCCEEDED");
    assert!(started.elapsed() < Duration::from_secs(10));
    #[rustfmt::skip]
    let refusals: Vec<Refusal> = vec![
        ("waitForIdle", "carol", wait, FORBIDDEN, "accessDenied"),
        ("waitForIdle", "admin", json!({"workflowID": "0000"}), NOT_FOUND, "workflowNotFound"),
    ];
    faults(&app, refusals).await;
}

async fn waits_answer_timedout_when_time_runs_out(app: TestApp) {
    let app = app.with_slow_jobs().await;
    let id = alices_request(&app).await;
    bulk_accept(&app, "bob", &id).await;
    // The approval mail stays pending: the workflow is busy, not idle.
    let started = Instant::now();
    let waited = ok(
        &app,
        "waitForIdle",
        "alice",
        json!({"workflowID": id, "timeout": 300, "returnData": "everything"}),
    )
    .await;
    assert_eq!(waited["timedout"], true, "{waited}");
    assert_eq!(waited["workflowInstance"]["state"], "RUNNING");
    assert!(started.elapsed() >= Duration::from_millis(300));
    let mut request = role_request("alice", "Developer");
    request["waitForTermination"] = json!(true);
    request["timeout"] = json!(300);
    let created = ok(&app, "createInstance", "alice", request).await;
    assert_eq!(created["timedout"], true, "waiting for bob is not the end");
}
