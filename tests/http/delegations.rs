//! Delegations: a substitute for a time, checked when made, and only the owner's to end.

use super::harness::*;
use reqwest::StatusCode;

on_both_databases!(delegations_belong_to_their_owner);

async fn delegations_belong_to_their_owner(app: TestApp) {
    let sybil = app.session("sybil").await;
    let add = |cookie: String, substitute: &'static str, starts: String, ends: String| {
        let app = &app;
        async move {
            app.server_fn(
                "/app/delegations/add",
                &[
                    ("substitute", substitute),
                    ("starts", &starts),
                    ("ends", &ends),
                ],
                Some(&cookie),
            )
            .await
        }
    };
    let (status, body) = add(sybil.clone(), "rupert", day(0), day(3)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    for (substitute, starts, ends, expected) in [
        ("sybil", day(0), day(1), "yourself"),
        ("nobody-here", day(0), day(1), "no such user"),
        ("nora", day(0), day(1), "no such user"),
        ("rupert", day(2), day(1), "on or after"),
        ("rupert", "tomorrow".to_owned(), day(1), "YYYY-MM-DD"),
        ("rupert", day(-9), day(-8), "already over"),
        // The last day of chrono's calendar has no day after it: a clear error, no panic.
        (
            "rupert",
            "262143-12-31".to_owned(),
            "262143-12-31".to_owned(),
            "YYYY-MM-DD",
        ),
        ("admin", day(1), day(5), "overlaps"),
    ] {
        let (status, body) = add(sybil.clone(), substitute, starts, ends).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{substitute}: {body}");
        assert!(body.to_string().contains(expected), "{expected}: {body}");
    }
    let (_, listed) = app.server_fn("/app/delegations", &[], Some(&sybil)).await;
    let mine = listed["mine"].as_array().unwrap();
    assert_eq!(mine.len(), 1, "{listed}");
    assert_eq!(mine[0]["substitute"], "rupert");
    assert_eq!(mine[0]["active"], true);
    let id = mine[0]["id"].to_string();
    let rupert = app.session("rupert").await;
    let (_, theirs) = app.server_fn("/app/delegations", &[], Some(&rupert)).await;
    assert_eq!(theirs["standing_in"][0]["username"], "sybil", "{theirs}");
    // Only sybil ends sybil's delegation; to rupert it does not exist.
    let refused = app
        .post_form("/app/delegations/remove", &[("id", &id)], Some(&rupert))
        .await;
    assert_eq!(refused.status(), StatusCode::NOT_FOUND);
    let removed = app
        .post_form("/app/delegations/remove", &[("id", &id)], Some(&sybil))
        .await;
    assert_eq!(removed.status(), StatusCode::OK);
    let (_, listed) = app.server_fn("/app/delegations", &[], Some(&sybil)).await;
    assert!(listed["mine"].as_array().unwrap().is_empty(), "{listed}");
}
