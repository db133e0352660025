//! Requests for others: only for oneself and one's reports, as offered on the form.

use super::harness::*;
use super::portal::*;
use reqwest::StatusCode;

on_both_databases!(requests_for_others_only_where_allowed);

async fn requests_for_others_only_where_allowed(app: TestApp) {
    let alice = app.session("alice").await;
    let badge = catalog_id(&app, &alice, "Building Badge").await;
    let submit = |cookie: String, subject: &'static str| {
        let (app, badge) = (&app, badge.clone());
        async move {
            app.server_fn(
                "/app/submit-request",
                &[
                    ("item_id", &badge),
                    ("subject", subject),
                    ("fields[justification][]", "for a colleague"),
                ],
                Some(&cookie),
            )
            .await
        }
    };
    // frank is bob's report, not alice's; an unknown name gets the same answer.
    for subject in ["frank", "nobody-at-all"] {
        let (status, body) = submit(alice.clone(), subject).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert!(body
            .to_string()
            .contains("only for yourself and the people who report to you"));
    }
    let (_, form) = app
        .server_fn("/app/request-form", &[("item_id", &badge)], Some(&alice))
        .await;
    assert_eq!(
        form["subjects"].as_array().unwrap().len(),
        1,
        "alice has no reports"
    );
    let bob = app.session("bob").await;
    let (_, form) = app
        .server_fn("/app/request-form", &[("item_id", &badge)], Some(&bob))
        .await;
    let offered: Vec<&str> = form["subjects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s[0].as_str().unwrap())
        .collect();
    assert_eq!(offered[0], "bob");
    assert!(
        offered.contains(&"frank") && !offered.contains(&"carol"),
        "{offered:?}"
    );
    let (status, body) = submit(bob.clone(), "frank").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let id = body["Started"]["workflow_id"].as_str().unwrap();
    let row = app
        .row(&format!(
            "SELECT initiator, subject_id FROM workflow_instances WHERE id = '{id}'"
        ))
        .await
        .expect("the request started");
    assert_eq!(row.try_get::<String>("", "initiator").unwrap(), "bob");
    assert_eq!(row.try_get::<String>("", "subject_id").unwrap(), "frank");
}
