//! Bulk decisions in the portal: approvals and rejections in one go, with each item that
//! could not be decided named.

use super::harness::*;
use super::portal::*;
use reqwest::StatusCode;

on_both_databases!(bulk_decisions_mix_verdicts_and_name_what_failed);

async fn bulk_decisions_mix_verdicts_and_name_what_failed(app: TestApp) {
    let bob = app.session("bob").await;
    let page = worklist(&app, &bob, &[]).await;
    let items = page["items"].as_array().unwrap();
    assert!(items.len() >= 2, "{page}");
    let reference = |item: &serde_json::Value| {
        format!("{}:{}", item["workflow_id"].as_str().unwrap(), item["run"])
    };
    let approve = format!("a:{}", reference(&items[0]));
    let reject = format!("r:{}", reference(&items[1]));
    // heidi's certification of ivan is not bob's to decide.
    let heidi = app.session("heidi").await;
    let others = worklist(&app, &heidi, &[]).await;
    let not_mine = format!("a:{}", reference(&others["items"][0]));
    let (status, outcome) = app
        .server_fn(
            "/app/bulk-decide",
            &[
                ("marks[]", &approve),
                ("marks[]", &reject),
                ("marks[]", &not_mine),
                ("marks[]", "a:no-such-workflow:1"),
                ("marks[]", "garbage"),
                ("reject_reason", "not needed"),
            ],
            Some(&bob),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{outcome}");
    assert_eq!(outcome["decided"], 2, "{outcome}");
    let codes: Vec<u64> = outcome["failed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["error_code"].as_u64().unwrap())
        .collect();
    let mut sorted = codes.clone();
    sorted.sort();
    // heidi's item answers like an unknown workflow: nothing is told of it.
    assert_eq!(sorted, vec![40, 40, 40], "{outcome}");
    let left = worklist(&app, &bob, &[]).await;
    assert_eq!(
        left["total"].as_u64().unwrap(),
        page["total"].as_u64().unwrap() - 2
    );
    // The rejected request carries the group's reason.
    let id = items[1]["workflow_id"].as_str().unwrap();
    let data: String = app
        .row(&format!(
            "SELECT data FROM workflow_instances WHERE id = '{id}'"
        ))
        .await
        .expect("the rejected request")
        .try_get("", "data")
        .unwrap();
    assert!(data.contains("not needed"), "{data}");
    let empty = app.post_form("/app/bulk-decide", &[], Some(&bob)).await;
    assert_eq!(empty.status(), StatusCode::BAD_REQUEST);
    // Fields of the wrong form are the caller's mistake: a 400 that says so, never a 500.
    let (status, body) = app
        .server_fn(
            "/app/claim",
            &[("workflow_id", "x"), ("run", "one")],
            Some(&bob),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.to_string().contains("could not be read"), "{body}");
}
