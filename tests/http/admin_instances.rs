//! The administrators' workflow screens: the dashboard's figures of what needs attention,
//! the search behind them, one workflow taken apart, and the repairs, each with a reason,
//! audited, refused where the engine refuses, and only for administrators.

use super::api::{activity, alices_request, instance};
use super::harness::*;
use super::rest::{deploy, run};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

on_both_databases!(
    a_stuck_workflow_is_found_from_the_dashboard_read_and_restarted,
    repairs_need_a_reason_the_right_and_the_version_seen,
    an_approval_is_reassigned_to_someone_else_but_never_the_requester,
    an_approvals_due_time_is_moved_but_never_into_the_past
);

/// A workflow whose REST call names an endpoint no file configures, so it waits in error
/// at once (deployed and started as the REST tests do); its id.
async fn stuck_workflow(app: &TestApp) -> String {
    let path = deploy(app, "Payroll-Sync", "endpoint = \"payroll\"").await;
    let workflow = run(app, &path, json!({})).await;
    assert_eq!(
        activity(&workflow, "call")["state"],
        "WAIT_IN_ERROR",
        "{workflow}"
    );
    workflow["workflowID"].as_str().unwrap().to_owned()
}

/// Waits until the workflow's call waits in error (the job runner tried it).
async fn waits_in_error(app: &TestApp, id: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let workflow = instance(app, id).await;
        if activity(&workflow, "call")["state"] == "WAIT_IN_ERROR" {
            return workflow;
        }
        assert!(
            Instant::now() < deadline,
            "never waited in error: {workflow}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn search(app: &TestApp, cookie: &str, filters: &[(&str, &str)]) -> (StatusCode, Value) {
    app.query_fn("/app/admin/instances", filters, cookie).await
}

async fn inspect(app: &TestApp, cookie: &str, id: &str) -> Value {
    let (status, inspection) = app
        .server_fn("/app/admin/instance", &[("id", id)], Some(cookie))
        .await;
    assert_eq!(status, StatusCode::OK, "{inspection}");
    inspection
}

async fn repair(app: &TestApp, cookie: &str, form: &[(&str, &str)]) -> (StatusCode, Value) {
    app.server_fn("/app/admin/repair", form, Some(cookie)).await
}

async fn a_stuck_workflow_is_found_from_the_dashboard_read_and_restarted(app: TestApp) {
    let id = stuck_workflow(&app).await;
    let admin = app.session("admin").await;

    // The dashboard counts it among what needs attention.
    let (status, overview) = app
        .server_fn("/app/admin/overview", &[], Some(&admin))
        .await;
    assert_eq!(status, StatusCode::OK, "{overview}");
    let attention = &overview["attention"];
    assert_eq!(attention["waiting_in_error"], 1, "{attention}");
    let running = attention["running_by_definition"].as_array().unwrap();
    assert!(
        running.contains(&json!(["My-Company/Test/Payroll-Sync", 1])),
        "{attention}"
    );
    // Today's bar counts the new request; the chart's numbers are also a table.
    let days = attention["days"].as_array().unwrap();
    assert_eq!(days.len(), 28);
    assert_eq!(
        days[27]["day"],
        chrono::Utc::now().format("%Y-%m-%d").to_string()
    );
    assert!(days[27]["requests"].as_u64().unwrap() >= 1, "{attention}");
    let page = app.text("/admin", Some(&admin)).await;
    assert!(page.contains(r#"id="trend-chart" viewBox="#), "{page}");
    assert!(page.contains(r#"id="trend-table""#), "{page}");
    assert!(
        page.contains(r#"href="/admin/instances?state=stuck""#),
        "{page}"
    );

    // The list behind the figure holds exactly it; other filters narrow or miss it.
    let (status, found) = search(&app, &admin, &[("state", "stuck")]).await;
    assert_eq!(status, StatusCode::OK, "{found}");
    assert_eq!(found["total"], 1, "{found}");
    assert_eq!(found["lines"][0]["id"], id.as_str());
    assert_eq!(found["lines"][0]["waits_in_error"], true);
    assert_eq!(found["lines"][0]["title"], "Payroll-Sync");
    let (_, by_path) = search(
        &app,
        &admin,
        &[
            ("definition", "My-Company/Test/Payroll-Sync"),
            ("initiator", "ADMIN"),
        ],
    )
    .await;
    assert_eq!(by_path["total"], 1, "{by_path}");
    let (_, missed) = search(&app, &admin, &[("state", "stuck"), ("subject", "bob")]).await;
    assert_eq!(missed["total"], 0, "{missed}");
    let (_, everything) = search(&app, &admin, &[]).await;
    assert!(everything["total"].as_u64().unwrap() > 1, "{everything}");
    let (status, refused) = search(&app, &admin, &[("state", "LOST")]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{refused}");
    assert!(refused.to_string().contains("Unknown state"), "{refused}");

    // Taken apart, it says why it waits and which run can be restarted.
    let inspection = inspect(&app, &admin, &id).await;
    assert_eq!(inspection["state"], "RUNNING");
    let call = inspection["runs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|run| run["activity"] == "call")
        .unwrap()
        .clone();
    assert_eq!(call["state"], "WAIT_IN_ERROR");
    assert_eq!(call["restartable"], true);
    assert!(
        call["error"]
            .as_str()
            .unwrap()
            .contains("configures no endpoint \"payroll\""),
        "{call}"
    );
    assert!(
        inspection["jobs"]
            .as_array()
            .is_some_and(|jobs| !jobs.is_empty()),
        "{inspection}"
    );
    assert!(
        inspection["audit"]
            .as_array()
            .unwrap()
            .iter()
            .any(|line| line["action"] == "workflow.created"),
        "{inspection}"
    );

    // Restarted with a reason: the call runs again (and fails again: still no endpoint),
    // and the audit trail says who restarted it and why.
    let seq = call["seq"].to_string();
    let version = inspection["version"].to_string();
    let (status, answer) = repair(
        &app,
        &admin,
        &[
            ("id", &id),
            ("version", &version),
            ("repair", "restart"),
            ("run", &seq),
            ("reason", "payroll endpoint configured again"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer, "The activity was started again.");
    assert_eq!(
        app.audited(
            "workflow.activity_restarted",
            "%reason: payroll endpoint configured again"
        )
        .await,
        1
    );
    let again = waits_in_error(&app, &id).await;
    let restarted = inspect(&app, &admin, &id).await;
    assert!(
        restarted["version"].as_u64() > inspection["version"].as_u64(),
        "{again}"
    );
    assert!(
        restarted["audit"]
            .as_array()
            .unwrap()
            .iter()
            .any(|line| line["action"] == "workflow.activity_restarted"
                && line["actor"] == "admin"),
        "{restarted}"
    );
}

async fn repairs_need_a_reason_the_right_and_the_version_seen(app: TestApp) {
    let id = alices_request(&app).await;
    let admin = app.session("admin").await;

    // bob's item on it, made overdue, shows under late work and as an overdue workflow.
    app.execute(&format!(
        "UPDATE work_items SET due_at = '2026-01-01T00:00:00+00:00' WHERE instance_id = '{id}'"
    ))
    .await;
    let (_, overview) = app
        .server_fn("/app/admin/overview", &[], Some(&admin))
        .await;
    let bob = overview["attention"]["approvers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|load| load["username"] == "bob")
        .cloned()
        .unwrap_or_default();
    assert!(bob["overdue"].as_u64().unwrap_or(0) >= 1, "{overview}");
    let (_, overdue) = search(&app, &admin, &[("state", "overdue")]).await;
    assert!(
        overdue["lines"]
            .as_array()
            .unwrap()
            .iter()
            .any(|line| line["id"] == id.as_str()),
        "{overdue}"
    );
    let version = inspect(&app, &admin, &id).await["version"].to_string();
    let suspend = |reason: &'static str, version: String| {
        let id = id.clone();
        move || {
            vec![
                ("id".to_owned(), id.clone()),
                ("version".to_owned(), version.clone()),
                ("repair".to_owned(), "suspend".to_owned()),
                ("reason".to_owned(), reason.to_owned()),
            ]
        }
    };
    let send = |cookie: String, form: Vec<(String, String)>| {
        let app = &app;
        async move {
            let form: Vec<(&str, &str)> =
                form.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
            repair(app, &cookie, &form).await
        }
    };

    // A non-administrator is refused every screen and repair, and nothing changes.
    let alice = app.session("alice").await;
    let (status, _) = search(&app, &alice, &[]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app
        .server_fn("/app/admin/instance", &[("id", &id)], Some(&alice))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = send(alice.clone(), suspend("mine", version.clone())()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    for page in ["/admin/instances", &format!("/admin/instances/{id}")] {
        let response = app.get(page, Some(&alice)).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{page}");
    }

    // Without a reason, or with an unknown repair: refused, clearly.
    let (status, refused) = send(admin.clone(), suspend("  ", version.clone())()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{refused}");
    assert!(refused.to_string().contains("needs a reason"), "{refused}");
    let mut unknown = suspend("why not", version.clone())();
    unknown[2].1 = "delete".into();
    let (status, refused) = send(admin.clone(), unknown).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{refused}");
    let (status, _) = app
        .server_fn(
            "/app/admin/instance",
            &[("id", "no-such-workflow")],
            Some(&admin),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(inspect(&app, &admin, &id).await["state"], "RUNNING");

    // Suspended with a reason; a second repair naming the old version is refused.
    let (status, answer) = send(admin.clone(), suspend("audit freeze", version.clone())()).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let suspended = inspect(&app, &admin, &id).await;
    assert_eq!(suspended["state"], "SUSPENDED");
    assert_eq!(suspended["may_resume"], true);
    assert_eq!(
        app.audited("workflow.suspended", "%reason: audit freeze")
            .await,
        1
    );
    let mut stale = suspend("again", version)();
    stale[2].1 = "resume".into();
    let (status, refused) = send(admin.clone(), stale).await;
    assert_eq!(status, StatusCode::CONFLICT, "{refused}");

    // Resumed at the version now shown; then a resume of a running workflow is the
    // engine's refusal, in its words.
    let mut resume = suspend("freeze over", suspended["version"].to_string())();
    resume[2].1 = "resume".into();
    let (status, answer) = send(admin.clone(), resume.clone()).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let running = inspect(&app, &admin, &id).await;
    assert_eq!(running["state"], "RUNNING");
    resume[1].1 = running["version"].to_string();
    let (status, refused) = send(admin.clone(), resume).await;
    assert!(status.is_client_error(), "{status} {refused}");
    assert_eq!(
        inspect(&app, &admin, &id).await["version"],
        running["version"]
    );
}

async fn an_approval_is_reassigned_to_someone_else_but_never_the_requester(app: TestApp) {
    let id = alices_request(&app).await;
    let admin = app.session("admin").await;
    let inspection = inspect(&app, &admin, &id).await;
    let approval = inspection["runs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|run| run["reassignable"] == true)
        .expect("a running approval")
        .clone();
    assert_eq!(approval["participants"], json!(["bob"]), "{approval}");
    let (seq, version) = (
        approval["seq"].to_string(),
        inspection["version"].to_string(),
    );
    let reassign = |users: &'static str| {
        vec![
            ("id", id.as_str()),
            ("version", version.as_str()),
            ("repair", "reassign"),
            ("run", seq.as_str()),
            ("users", users),
            ("reason", "bob is on leave"),
        ]
    };

    // Never the requester, nor someone who is not an active user: refused, unchanged.
    for users in ["alice", "nobody-here"] {
        let (status, refused) = repair(&app, &admin, &reassign(users)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{users}: {refused}");
    }
    assert_eq!(
        inspect(&app, &admin, &id).await["version"],
        inspection["version"]
    );

    let (status, answer) = repair(&app, &admin, &reassign("carol")).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let after = inspect(&app, &admin, &id).await;
    let run = after["runs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|run| run["seq"] == approval["seq"])
        .unwrap();
    assert_eq!(run["participants"], json!(["carol"]), "{after}");
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) AS n FROM work_items WHERE instance_id = '{id}' AND username = 'carol'"
        ))
        .await,
        1
    );
    assert_eq!(
        app.audited(
            "workflow.modified",
            "%now asks carol; reason: bob is on leave"
        )
        .await,
        1
    );
}

async fn an_approvals_due_time_is_moved_but_never_into_the_past(app: TestApp) {
    let id = alices_request(&app).await;
    let admin = app.session("admin").await;
    let inspection = inspect(&app, &admin, &id).await;
    let approval = inspection["runs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|run| run["due_movable"] == true)
        .expect("an approval with a timeout")
        .clone();
    let (seq, version) = (
        approval["seq"].to_string(),
        inspection["version"].to_string(),
    );
    let move_to = |due: &'static str| {
        vec![
            ("id", id.as_str()),
            ("version", version.as_str()),
            ("repair", "due"),
            ("run", seq.as_str()),
            ("due", due),
            ("reason", "bob is back on Monday"),
        ]
    };
    for due in ["2020-01-01T09:00", "next monday"] {
        let (status, refused) = repair(&app, &admin, &move_to(due)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{due}: {refused}");
    }
    let (status, answer) = repair(&app, &admin, &move_to("2099-03-02T09:30")).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let after = inspect(&app, &admin, &id).await;
    let run = after["runs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|run| run["seq"] == approval["seq"])
        .unwrap();
    assert_eq!(run["due"], "2099-03-02 09:30", "{after}");
    // bob's worklist shows the new due time, and a timer job waits for it.
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) AS n FROM work_items WHERE instance_id = '{id}' AND username = 'bob' \
             AND due_at > '2099-01-01'"
        ))
        .await,
        1
    );
    assert!(
        after["jobs"]
            .as_array()
            .unwrap()
            .iter()
            .any(|job| job["kind"] == "timer"
                && job["due"] == "2099-03-02 09:30"
                && job["done"] == false),
        "{after}"
    );
    assert_eq!(
        app.audited(
            "workflow.modified",
            "%due 2099-03-02 09:30 UTC; reason: bob is back on Monday"
        )
        .await,
        1
    );
}
