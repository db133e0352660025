//! The worklist in the portal: filtered, sorted and paged on the server, with wrong
//! filters refused.

use super::harness::*;
use super::portal::*;
use reqwest::StatusCode;

on_both_databases!(worklists_filter_sort_and_page_on_the_server);

async fn worklists_filter_sort_and_page_on_the_server(app: TestApp) {
    let bob = app.session("bob").await;
    let all = worklist(&app, &bob, &[]).await;
    let total = all["total"].as_u64().unwrap();
    assert!(total >= 3, "{all}");
    assert_eq!(all["page"], 1);
    let by_alice = worklist(&app, &bob, &[("requester", "ALI")]).await;
    assert!(by_alice["total"].as_u64().unwrap() >= 1, "{by_alice}");
    assert!(by_alice["total"].as_u64().unwrap() < total);
    for item in by_alice["items"].as_array().unwrap() {
        assert_eq!(item["requester"], "alice");
    }
    // The search looks into the request's business fields (the justification here).
    let searched = worklist(&app, &bob, &[("q", "finance analyst")]).await;
    assert_eq!(searched["total"], 1, "{searched}");
    let nothing = worklist(&app, &bob, &[("q", "no-such-words 100%_")]).await;
    assert_eq!(nothing["total"], 0);
    let by_definition = worklist(
        &app,
        &bob,
        &[("definition", "My-Company/Approval/4-Eye-Approval")],
    )
    .await;
    for item in by_definition["items"].as_array().unwrap() {
        assert_eq!(item["workflow"], "4-eye approval", "{by_definition}");
    }
    let newest = workflow_ids(&worklist(&app, &bob, &[("sort", "newest")]).await);
    let mut oldest = workflow_ids(&worklist(&app, &bob, &[("sort", "oldest")]).await);
    oldest.reverse();
    assert_eq!(newest.len(), oldest.len());
    let overdue = worklist(&app, &bob, &[("overdue", "true")]).await;
    assert_eq!(overdue["total"], 0, "nothing is overdue in fresh demo data");
    let far_page = worklist(&app, &bob, &[("page", "99")]).await;
    assert_eq!(
        far_page["page"], far_page["pages"],
        "a page past the end shows the last"
    );

    for (key, value) in [("sort", "price"), ("status", "everything")] {
        let (status, body) = app
            .server_fn(
                "/app/worklist",
                &[(&format!("filter[{key}]"), value)],
                Some(&bob),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert!(!body.to_string().contains("SQL"), "{body}");
    }
    let long = "x".repeat(500);
    let response = app
        .post_form("/app/worklist", &[("filter[q]", &long)], Some(&bob))
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
}
