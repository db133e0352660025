//! Sessions: a login starts a fresh one with safe cookie flags (and a new id on every
//! login), and logging out ends it for good.

use super::harness::*;
use reqwest::StatusCode;

on_both_databases!(
    login_starts_a_fresh_session_with_safe_cookie_flags,
    logout_kills_the_session,
);

async fn login_starts_a_fresh_session_with_safe_cookie_flags(app: TestApp) {
    let response = app
        .post_form(
            "/login",
            &[
                ("username", "Alice"),
                ("password", DEMO_PASSWORD),
                ("next", "/worklist"),
            ],
            None,
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/worklist");
    let set_cookie = set_cookie_header(response.headers()).expect("session cookie");
    assert!(set_cookie.contains("HttpOnly"), "{set_cookie}");
    assert!(set_cookie.contains("SameSite=Lax"), "{set_cookie}");
    let first = session_cookie(response.headers()).unwrap();

    let home = app.get("/", Some(&first)).await;
    assert_eq!(home.status(), StatusCode::OK);
    let html = home.text().await.unwrap();
    assert!(html.contains("Alice Schmidt"), "the shell names the user");
    assert!(html.contains("My requests") && html.contains("Worklist"));
    assert!(
        !html.contains(r#"href="/admin""#),
        "no admin link for a requester"
    );

    // Logging in again on the same browser gives a new session id; the old one is dead.
    let again = app
        .post_form(
            "/login",
            &[("username", "bob"), ("password", DEMO_PASSWORD)],
            Some(&first),
        )
        .await;
    let second = session_cookie(again.headers()).expect("new cookie");
    assert_ne!(first, second, "session id cycled at login");
    assert_eq!(location(&app.get("/", Some(&first)).await), "/login");
    let as_bob = app.text("/", Some(&second)).await;
    assert!(as_bob.contains("Bob Martin"));

    let secure = TestApp::spawn_with(Backend::Sqlite, &["--secure-cookies", "true"])
        .await
        .unwrap();
    let response = secure.login_attempt("alice", DEMO_PASSWORD).await;
    let set_cookie = set_cookie_header(response.headers()).unwrap();
    assert!(set_cookie.contains("Secure"), "{set_cookie}");
}

async fn logout_kills_the_session(app: TestApp) {
    let cookie = app.session("carol").await;
    assert_eq!(app.get("/", Some(&cookie)).await.status(), StatusCode::OK);
    let logout = app.post_form("/logout", &[], Some(&cookie)).await;
    assert_eq!(logout.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&logout), "/login?logged_out=1");
    let replay = app.get("/", Some(&cookie)).await;
    assert_eq!(
        location(&replay),
        "/login",
        "the old cookie no longer works"
    );
}
