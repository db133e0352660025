//! The administrators' area: its data and page are for administrators only.

use super::harness::*;
use reqwest::StatusCode;

on_both_databases!(admin_data_is_for_admins_only);

async fn admin_data_is_for_admins_only(app: TestApp) {
    let alice = app.session("alice").await;
    let refused = app
        .post_form("/app/admin/overview", &[], Some(&alice))
        .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let body = refused.text().await.unwrap();
    assert!(!body.contains("users"), "no figures leak: {body}");
    let page = app.get("/admin", Some(&alice)).await;
    assert_eq!(page.status(), StatusCode::FORBIDDEN);
    assert!(page
        .text()
        .await
        .unwrap()
        .contains("This page is for administrators."));

    let admin = app.session("admin").await;
    let overview = app
        .post_form("/app/admin/overview", &[], Some(&admin))
        .await;
    assert_eq!(overview.status(), StatusCode::OK);
    let figures: serde_json::Value = serde_json::from_str(&overview.text().await.unwrap()).unwrap();
    assert!(figures["users"].as_u64().unwrap() >= 20, "{figures}");
    assert!(
        figures["catalog_items"].as_u64().unwrap() >= 10,
        "{figures}"
    );
    let page = app.text("/admin", Some(&admin)).await;
    assert!(page.contains("login.succeeded"), "audit trail shown");
    assert!(
        page.contains(r#"href="/admin""#),
        "admin link shown to admins"
    );
}
