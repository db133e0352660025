//! Authentication (issue #9, "Trust"): password guessing is slowed by lockouts on the
//! login page and through HTTP Basic on the API, per account and per client address.
//! On both databases.

use super::api::*;
use super::harness::*;
use reqwest::StatusCode;
use serde_json::Value;

on_both_databases!(
    repeated_wrong_passwords_lock_the_login_out_for_longer_each_time,
    repeated_wrong_basic_credentials_lock_the_api_out_too,
    a_lockout_is_in_the_audit_trail,
    the_address_limit_covers_every_account_tried_from_it,
);

/// Lockouts of a second, so the test sees one end and the next, doubled, begin.
const SHORT_LOCKOUTS: &[&str] = &["--lockout-seconds", "1"];

fn retry_after(response: &reqwest::Response) -> Option<u64> {
    response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
}

async fn locked_login(app: &TestApp, username: &str, password: &str) -> u64 {
    let response = app.login_attempt(username, password).await;
    assert_eq!(response.status(), TOO_MANY_REQUESTS);
    assert!(
        session_cookie(response.headers()).is_none(),
        "no session while locked out"
    );
    let seconds = retry_after(&response).expect("Retry-After in seconds");
    let page = response.text().await.unwrap();
    assert!(
        page.contains(&format!("/login?error=locked&amp;wait={seconds}")),
        "the page goes back to the login form, which says how long: {page}"
    );
    seconds
}

async fn repeated_wrong_passwords_lock_the_login_out_for_longer_each_time(mut app: TestApp) {
    app.restart_with(SHORT_LOCKOUTS).await;
    for attempt in 1..=4 {
        let response = app.login_attempt("alice", "not-her-password").await;
        assert_eq!(
            location(&response),
            "/login?error=credentials",
            "attempt {attempt} is an ordinary failure"
        );
    }
    // The fifth failure starts the lockout; the right password is refused while it lasts.
    assert_eq!(locked_login(&app, "alice", "not-her-password").await, 1);
    assert_eq!(locked_login(&app, "alice", DEMO_PASSWORD).await, 1);
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    // Over, but no failure has been forgiven yet: the next one locks for twice as long.
    assert_eq!(locked_login(&app, "alice", "still-not-it").await, 2);
    assert_eq!(locked_login(&app, "alice", DEMO_PASSWORD).await, 2);
    // The login page says so, in English and in German.
    let page = app.text("/login?error=locked&wait=2", None).await;
    assert!(
        page.contains("Too many failed attempts. Please wait 2 seconds before trying again."),
        "{page}"
    );
    let german = app
        .text_in("/login?error=locked&wait=300", None, "de")
        .await;
    assert!(german.contains("Bitte warten Sie 5 Minuten"), "{german}");
    // Other accounts are not affected (the address has seen 6 failures of 20).
    assert!(app.login("bob", DEMO_PASSWORD).await.is_ok());
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    assert!(app.login("alice", DEMO_PASSWORD).await.is_ok());
    // The success wiped alice's failures: a wrong password is an ordinary failure again.
    let response = app.login_attempt("alice", "typo").await;
    assert_eq!(location(&response), "/login?error=credentials");
}

async fn repeated_wrong_basic_credentials_lock_the_api_out_too(mut app: TestApp) {
    app.restart_with(SHORT_LOCKOUTS).await;
    let wrong = basic_with("bob", "guess");
    let right = basic("bob");
    let worklist = |auth: String| {
        let app = &app;
        async move {
            let response = app
                .client
                .post(app.url("/api/wfs/v1/getWorklist"))
                .header("content-type", "application/json")
                .header("authorization", auth)
                .body("{}")
                .send()
                .await
                .unwrap();
            let seconds = retry_after(&response);
            let status = response.status();
            let body: Value = serde_json::from_str(&response.text().await.unwrap()).unwrap();
            (status, seconds, body)
        }
    };
    for _ in 1..=4 {
        let (status, _, body) = worklist(wrong.clone()).await;
        assert_eq!(status, UNAUTHORIZED, "{body}");
        assert_eq!(body["error"], "authenticationFailed");
    }
    let (status, seconds, body) = worklist(wrong.clone()).await;
    assert_eq!(status, TOO_MANY_REQUESTS, "{body}");
    assert_eq!(body["error"], "tooManyRequests");
    assert_eq!(body["requestType"], "getWorklist");
    assert_eq!(seconds, Some(1));
    let (status, seconds, body) = worklist(right.clone()).await;
    assert_eq!(
        status, TOO_MANY_REQUESTS,
        "the right password is refused while locked: {body}"
    );
    assert_eq!(seconds, Some(1));
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let (status, seconds, _) = worklist(wrong.clone()).await;
    assert_eq!(status, TOO_MANY_REQUESTS);
    assert_eq!(seconds, Some(2), "the next lockout is twice as long");
    // The login page and the API count the same account.
    assert_eq!(locked_login(&app, "bob", DEMO_PASSWORD).await, 2);
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let (status, _, body) = worklist(right).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // The fault is in the document, with its header.
    let document = app.text("/api/wfs/v1/openapi.json", None).await;
    let document: Value = serde_json::from_str(&document).unwrap();
    let limited = &document["paths"]["/api/wfs/v1/getWorklist"]["post"]["responses"]["429"];
    assert!(
        limited["description"]
            .as_str()
            .is_some_and(|d| d.contains("tooManyRequests")),
        "{limited}"
    );
    assert!(limited["headers"]["Retry-After"].is_object(), "{limited}");
}

async fn a_lockout_is_in_the_audit_trail(app: TestApp) {
    for _ in 0..5 {
        app.login_attempt("carol", "wrong").await;
    }
    let rows = app
        .rows("SELECT actor, detail FROM audit_events WHERE action = 'login.locked'")
        .await;
    assert_eq!(rows.len(), 1, "one lockout, one entry");
    let detail: String = rows[0].try_get("", "detail").unwrap();
    assert!(
        detail.contains("account \"carol\"")
            && detail.contains("127.0.0.1")
            && detail.contains("60 s"),
        "{detail}"
    );
    // Refusals while locked out are not lockouts of their own.
    app.login_attempt("carol", "wrong").await;
    let again = app
        .rows("SELECT id FROM audit_events WHERE action = 'login.locked'")
        .await;
    assert_eq!(again.len(), 1);
}

async fn the_address_limit_covers_every_account_tried_from_it(app: TestApp) {
    // 20 failures from one address, at most 4 per account (below the account limit of 5).
    let accounts = ["alice", "carol", "dave", "erin", "no-such-user"];
    let mut refused = 0;
    for round in 0..4 {
        for account in accounts {
            let response = app.login_attempt(account, "wrong-password").await;
            if response.status() == TOO_MANY_REQUESTS {
                refused += 1;
                assert_eq!(
                    (round, account),
                    (3, "no-such-user"),
                    "only the 20th failure locks"
                );
            }
        }
    }
    assert_eq!(refused, 1);
    // bob has not failed once, yet from this address even his right password waits.
    let response = app.login_attempt("bob", DEMO_PASSWORD).await;
    assert_eq!(response.status(), TOO_MANY_REQUESTS);
    assert_eq!(retry_after(&response), Some(60));
    let (status, body) = call(&app, "getWorklist", Some(&basic("bob")), "{}").await;
    assert_eq!(status, TOO_MANY_REQUESTS, "{body}");
    let row = app
        .row("SELECT detail FROM audit_events WHERE action = 'login.locked'")
        .await
        .expect("the address lockout is audited");
    let detail: String = row.try_get("", "detail").unwrap();
    assert!(
        detail.starts_with("address 127.0.0.1 locked out"),
        "{detail}"
    );
}
