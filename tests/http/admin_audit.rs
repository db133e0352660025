//! The audit trail for administrators: the search by actor, kind, workflow, words and days, paged
//! by entry number, and the CSV export, whole, in order and safe to open in a
//! spreadsheet.

use super::harness::*;
use reqwest::StatusCode;
use serde_json::Value;

on_both_databases!(the_audit_trail_is_searched_paged_and_exported_safely);

async fn audit(app: &TestApp, cookie: &str, filters: &[(&str, &str)]) -> (StatusCode, Value) {
    app.query_fn("/app/admin/audit", filters, cookie).await
}

async fn the_audit_trail_is_searched_paged_and_exported_safely(app: TestApp) {
    let admin = app.session("admin").await;
    // 250 entries of one kind (one of them hostile to spreadsheets), written as the
    // server writes them.
    let mut values = Vec::new();
    for n in 0..250 {
        let detail = if n == 7 {
            "=HYPERLINK(\"http://evil\",\"x\"), with a comma".to_owned()
        } else {
            format!("entry {n}")
        };
        values.push(format!(
            "('2026-11-20T10:00:00+00:00', 'carol', 'test.bulk', '{}', NULL, 'WF-AUDIT-{}')",
            detail.replace('\'', "''"),
            n % 2
        ));
    }
    app.execute(&format!(
        "INSERT INTO audit_events (occurred_at, actor, action, detail, request_id, workflow_id) VALUES {}",
        values.join(", ")
    ))
    .await;

    // By kind: 100 to a page, newest first, then the older ones by entry number.
    let (status, first) = audit(&app, &admin, &[("kind", "test.")]).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    let entries = first["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 100);
    assert_eq!(entries[0]["detail"], "entry 249");
    let older = first["older"].as_i64().expect("an older page");
    let before = older.to_string();
    let (_, second) = audit(&app, &admin, &[("kind", "test."), ("before", &before)]).await;
    assert_eq!(second["entries"][0]["detail"], "entry 149", "{second}");
    let (_, third) = audit(
        &app,
        &admin,
        &[("kind", "test."), ("before", &second["older"].to_string())],
    )
    .await;
    assert_eq!(third["entries"].as_array().unwrap().len(), 50);
    assert!(third["older"].is_null(), "{third}");

    // By actor, target (workflow or words) and days.
    let (_, by_target) = audit(
        &app,
        &admin,
        &[("target", "WF-AUDIT-1"), ("actor", "CAROL")],
    )
    .await;
    assert_eq!(by_target["entries"].as_array().unwrap().len(), 100);
    assert!(by_target["older"].is_i64(), "125 entries: a second page");
    let (_, by_words) = audit(&app, &admin, &[("words", "entry 24")]).await;
    let found: Vec<&str> = by_words["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["detail"].as_str().unwrap())
        .collect();
    assert!(
        found.contains(&"entry 24") && found.contains(&"entry 249"),
        "{found:?}"
    );
    let (_, that_day) = audit(
        &app,
        &admin,
        &[
            ("kind", "test."),
            ("from", "2026-11-20"),
            ("to", "2026-11-20"),
        ],
    )
    .await;
    assert_eq!(that_day["entries"].as_array().unwrap().len(), 100);
    let (_, next_day) = audit(&app, &admin, &[("kind", "test."), ("from", "2026-11-21")]).await;
    assert!(
        next_day["entries"].as_array().unwrap().is_empty(),
        "{next_day}"
    );
    for (name, value) in [("from", "20.11.2026"), ("target", &"x".repeat(201))] {
        let (status, refused) = audit(&app, &admin, &[(name, value)]).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{name}: {refused}");
    }
    let (status, _) = audit(
        &app,
        &admin,
        &[("from", "2026-11-21"), ("to", "2026-11-20")],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // The export: every entry of the search, newest first, cells safe from formulas.
    let response = app.get("/admin/audit.csv?kind=test.", Some(&admin)).await;
    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers().clone();
    assert_eq!(headers["content-type"], "text/csv; charset=utf-8");
    assert!(headers["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment; filename=\"assent-audit-"));
    let csv = response.text().await.unwrap();
    let lines: Vec<&str> = csv.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(
        lines[0],
        "id,occurred_at,actor,action,detail,workflow_id,request_id"
    );
    assert_eq!(lines.len(), 251, "the header and every entry");
    assert!(lines[1].contains(",entry 249,"), "{}", lines[1]);
    let hostile = lines
        .iter()
        .find(|line| line.contains("HYPERLINK"))
        .unwrap();
    assert!(
        hostile.contains(",\"'=HYPERLINK(\"\"http://evil\"\",\"\"x\"\"), with a comma\","),
        "{hostile}"
    );
    let refused = app
        .get("/admin/audit.csv?from=yesterday", Some(&admin))
        .await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
}
