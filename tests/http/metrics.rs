//! `/metrics`: what the process counted (decisions, request latency, failed mail), the
//! database's open work (workflows by state, jobs, the provisioning outbox) and the
//! engines, for a scraper on this machine or holding the token; and the dashboard's time
//! to decide, counted in each decision's transaction.

use super::api::{alices_request, bulk_accept};
use super::harness::*;
use reqwest::StatusCode;

on_both_databases!(
    metrics_count_decisions_and_read_open_work,
    a_configured_token_is_required,
    mail_an_smtp_server_refuses_is_counted
);

/// The value of the series `series` (name and labels, as written), if present.
fn value(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
        .and_then(|value| value.trim().parse().ok())
}

async fn metrics(app: &TestApp) -> String {
    let response = app.get("/metrics", None).await;
    assert_eq!(response.status(), StatusCode::OK);
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(content_type.starts_with("text/plain"), "{content_type}");
    response.text().await.unwrap()
}

async fn metrics_count_decisions_and_read_open_work(app: TestApp) {
    let before = metrics(&app).await;
    for family in [
        "assent_decisions_total",
        "assent_mail_failures_total",
        "assent_workflows",
        "assent_workflows_waiting_in_error",
        "assent_jobs_due",
        "assent_job_lag_seconds",
        "assent_outbox_depth",
        "assent_external_engine_up",
    ] {
        assert!(
            before.contains(&format!("# TYPE {family} ")),
            "{family} missing:\n{before}"
        );
    }
    let approved = r#"assent_decisions_total{verdict="approve"}"#;
    let approvals_before = value(&before, approved).expect("approvals counted from 0");

    // The figures of open work are the database's.
    let running = app
        .scalar("SELECT COUNT(*) AS n FROM workflow_instances WHERE state = 'RUNNING'")
        .await;
    assert_eq!(
        value(&before, r#"assent_workflows{state="RUNNING"}"#),
        Some(running as f64),
        "{before}"
    );

    let id = alices_request(&app).await;
    bulk_accept(&app, "bob", &id).await;
    let after = metrics(&app).await;
    assert_eq!(
        value(&after, approved),
        Some(approvals_before + 1.0),
        "{after}"
    );
    // The API call was timed under its route's pattern, never the path asked.
    let api_calls = r#"assent_http_request_duration_seconds_count{method="POST",route="/api/wfs/v1/{operation}",status="2xx"}"#;
    assert!(value(&after, api_calls).unwrap_or(0.0) >= 1.0, "{after}");
    assert!(!after.contains("bulkApproval"), "no path as a label");

    // The dashboard's time to decide: bob's approval, a moment after alice asked.
    let admin = app.session("admin").await;
    let (status, overview) = app
        .server_fn("/app/admin/overview", &[], Some(&admin))
        .await;
    assert_eq!(status, StatusCode::OK, "{overview}");
    let steps = overview["attention"]["decision_times"].as_array().unwrap();
    let manager = steps
        .iter()
        .find(|step| step["step"] == "Approval by the manager")
        .unwrap_or_else(|| panic!("no time to decide for the manager's step: {overview}"));
    assert!(manager["decisions"].as_u64().unwrap() >= 1, "{manager}");
    assert!(manager["median"].as_u64().unwrap() <= manager["p90"].as_u64().unwrap());
    assert!(manager["p90"].as_u64().unwrap() <= manager["p99"].as_u64().unwrap());
    let counted = app.scalar("SELECT COUNT(*) AS n FROM decision_times").await;
    assert!(
        counted >= 1,
        "the decision counted in its transaction (a bucket row)"
    );
    let page = app.text("/admin", Some(&admin)).await;
    assert!(
        page.contains(r#"id="decision-times""#),
        "the table is on the page"
    );
}

async fn a_configured_token_is_required(mut app: TestApp) {
    app.restart_with(&["--metrics-token", "scrape-me-please"])
        .await;
    assert_eq!(
        app.get("/metrics", None).await.status(),
        StatusCode::FORBIDDEN
    );
    let wrong = [("authorization", "Bearer scrape-me-not")];
    assert_eq!(
        app.get_with("/metrics", None, &wrong).await.status(),
        StatusCode::FORBIDDEN
    );
    // An administrator's session is no substitute for the scraper's token.
    let admin = app.session("admin").await;
    assert_eq!(
        app.get("/metrics", Some(&admin)).await.status(),
        StatusCode::FORBIDDEN
    );
    let right = [("authorization", "Bearer scrape-me-please")];
    let response = app.get_with("/metrics", None, &right).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.text().await.unwrap().contains("assent_workflows{"));
}

async fn mail_an_smtp_server_refuses_is_counted(mut app: TestApp) {
    // Nothing listens on port 1: every mail fails, and its job stays to retry.
    app.restart_with(&[
        "--smtp-url",
        "smtp://127.0.0.1:1",
        "--job-interval-ms",
        "50",
    ])
    .await;
    let id = alices_request(&app).await;
    // bob's approval mails alice's outcome, which cannot go out.
    bulk_accept(&app, "bob", &id).await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let text = metrics(&app).await;
        let failures = value(&text, "assent_mail_failures_total").unwrap_or(0.0);
        if failures >= 1.0 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no mail failure counted:\n{text}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}
