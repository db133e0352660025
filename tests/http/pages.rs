//! What every visitor gets: health and readiness answers, a 404 page, and pages that
//! render while other servers start in the same process.

use super::harness::*;
use reqwest::StatusCode;

on_both_databases!(health_and_readiness_answer, unknown_pages_get_a_404);

async fn health_and_readiness_answer(app: TestApp) {
    let alive = app.get("/healthz", None).await;
    assert_eq!(alive.status(), StatusCode::OK);
    assert!(
        alive.headers().contains_key("x-request-id"),
        "every response has a request id"
    );
    let ready = app.get("/readyz", None).await;
    assert_eq!(ready.status(), StatusCode::OK);
    assert_eq!(ready.text().await.unwrap(), "ready");
}

async fn unknown_pages_get_a_404(app: TestApp) {
    let cookie = app.session("alice").await;
    let response = app.get("/no/such/page", Some(&cookie)).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert!(response.text().await.unwrap().contains("Page not found"));
}

/// Pages with server data keep rendering while other servers start in the same process
/// (each start builds the route list, which once left a concurrently rendered page's
/// data pending forever: leptos-rs/leptos#4773).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_render_while_other_servers_start() {
    let app = TestApp::spawn(Backend::Sqlite).await.expect("sqlite app");
    let admin = app.session("admin").await;
    let starting = tokio::spawn(async {
        let mut others = Vec::new();
        for _ in 0..4 {
            others.push(TestApp::spawn(Backend::Sqlite).await.expect("another app"));
        }
        others
    });
    let mut rendered = 0;
    while !starting.is_finished() || rendered < 10 {
        let page = tokio::time::timeout(
            std::time::Duration::from_secs(10),
            app.get("/admin", Some(&admin)),
        )
        .await
        .expect("the admin page renders within 10 s while servers start");
        let html = page.text().await.unwrap();
        assert!(html.contains("Workflow definitions"), "page complete");
        rendered += 1;
    }
    drop(starting.await.unwrap());
}
