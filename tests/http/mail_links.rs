//! Decision links in mail: opening one shows the decision, confirming it decides, once,
//! for the approver it was sent to, before it expires.

use super::harness::*;
use reqwest::StatusCode;

on_both_databases!(a_mailed_link_shows_first_and_decides_on_confirmation);

async fn a_mailed_link_shows_first_and_decides_on_confirmation(app: TestApp) {
    let row = app
        .row(
            // alice's 4-eye request: bob alone decides it (carol is not asked).
            "SELECT w.instance_id, w.run_seq FROM work_items w JOIN workflow_instances i ON i.id = w.instance_id WHERE w.username = 'bob' AND i.initiator = 'alice'",
        )
        .await
        .expect("bob has an item");
    let instance: String = row.try_get("", "instance_id").unwrap();
    let run: i32 = row.try_get("", "run_seq").unwrap();
    // Valid longer than the links the demo's own mail carries (7 days), which a newer
    // link would replace.
    for (token, user, days) in [
        ("link-approve-bob", "bob", 8),
        ("link-expired-bob", "bob", -1),
        ("link-approve-carol", "carol", 8),
    ] {
        insert_decision_link(&app, token, &instance, run.into(), user, days).await;
    }
    let bobs_items = format!(
        "SELECT COUNT(*) AS n FROM work_items WHERE instance_id = '{instance}' AND username = 'bob'"
    );
    let items = || app.scalar(&bobs_items);
    // Opening the link needs no login and decides nothing.
    let page = app.get("/mail-decision?token=link-approve-bob", None).await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("Confirm approval"), "{html}");
    assert_eq!(items().await, 1);
    let confirm = |token: &'static str| {
        let app = &app;
        async move {
            app.server_fn("/app/mail-decision/confirm", &[("token", token)], None)
                .await
        }
    };
    let (status, body) = confirm("link-expired-bob").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.to_string().contains("expired"), "{body}");
    let (status, body) = confirm("link-approve-carol").await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "a link for a non-approver decides nothing: {body}"
    );
    let (status, body) = confirm("link-approve-bob").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(items().await, 0);
    let (status, body) = confirm("link-approve-bob").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.to_string().contains("already used"), "{body}");
    let (status, body) = confirm("no-such-link").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.to_string().contains("not valid"), "{body}");
}
