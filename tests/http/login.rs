//! Logging in: anonymous visitors are sent to the login page, a failed login tells
//! nothing of why, and a disabled account cannot log in nor keep its session.

use super::harness::*;
use reqwest::StatusCode;

on_both_databases!(
    anonymous_visitors_are_sent_to_login,
    failed_logins_look_the_same_whatever_the_reason,
    disabled_users_cannot_log_in,
);

async fn anonymous_visitors_are_sent_to_login(app: TestApp) {
    let home = app.get("/", None).await;
    assert!(is_redirect(home.status()));
    assert_eq!(location(&home), "/login");
    let worklist = app.get("/worklist?sort=due", None).await;
    assert_eq!(location(&worklist), "/login?next=/worklist%3Fsort%3Ddue");
    let login = app.get("/login", None).await;
    assert_eq!(login.status(), StatusCode::OK);
    let html = login.text().await.unwrap();
    assert!(html.contains(r#"action="/login""#), "login form present");
    // Server functions answer with a status, not a page.
    let shell = app.post_form("/app/admin/overview", &[], None).await;
    assert_eq!(shell.status(), StatusCode::UNAUTHORIZED);
}

async fn failed_logins_look_the_same_whatever_the_reason(app: TestApp) {
    let mut responses = Vec::new();
    // A wrong password, an unknown user, a malformed user name.
    for (username, password) in [
        ("alice", "not-it"),
        ("nobody", "not-it"),
        ("bad name!", "x"),
    ] {
        responses.push(app.login_attempt(username, password).await);
    }
    for response in &responses {
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(response), "/login?error=credentials");
        assert!(
            session_cookie(response.headers()).is_none(),
            "no session for a failed login"
        );
    }
    let page = app.text("/login?error=credentials", None).await;
    assert!(page.contains("The user name or password is incorrect."));

    let failures = app
        .scalar("SELECT COUNT(*) AS n FROM audit_events WHERE action = 'login.failed'")
        .await;
    assert_eq!(failures, 3, "every failed login is audited");
}

async fn disabled_users_cannot_log_in(app: TestApp) {
    let cookie = app.session("frank").await;
    app.execute("UPDATE users SET disabled = TRUE WHERE username = 'frank'")
        .await;
    assert_eq!(
        location(&app.get("/", Some(&cookie)).await),
        "/login",
        "a disabled user's session ends"
    );
    assert!(app.login("frank", DEMO_PASSWORD).await.is_err());
}
