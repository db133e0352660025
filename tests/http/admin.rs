//! The administrators' area: its data and pages are for administrators only, every one
//! of them (a walk over all server functions and pages finds any new one unchecked).

use super::harness::*;
use reqwest::StatusCode;

on_both_databases!(
    admin_data_is_for_admins_only,
    every_admin_page_and_server_function_refuses_a_non_admin
);

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

/// The server functions only administrators may call; every other one is for any
/// signed-in user (or no one signed in). A new server function must be put in one of the
/// two lists, so none can slip in without its check being tested.
const ADMIN_ONLY: &[&str] = &[
    "/app/admin/overview",
    "/app/admin/audit",
    "/app/admin/deploy",
    "/app/admin/instances",
    "/app/admin/instance",
    "/app/admin/repair",
    "/app/admin/replay",
    "/app/admin/definition",
    "/app/admin/dry-run",
    "/app/admin/users",
    "/app/admin/user",
    "/app/admin/user-save",
    "/app/admin/user-access",
    "/app/admin/user-groups",
    "/app/admin/user-password",
    "/app/admin/provisioning",
    "/app/provisioning_retry",
    "/app/provisioning_drop",
    "/app/admin/changes",
    "/app/changes_retry",
    "/app/changes_skip",
    "/app/changes_policy",
];
const FOR_EVERYONE: &[&str] = &[
    "/app/shell",
    "/app/worklist",
    "/app/worklist/matching",
    "/app/worklist/stamp",
    "/app/claim",
    "/app/my-requests",
    "/app/work-item",
    "/app/decide",
    "/app/catalog",
    "/app/request-form",
    "/app/submit-request",
    "/app/bulk-decide",
    "/app/request",
    "/app/access",
    "/app/withdraw",
    "/app/forward",
    "/app/delegations",
    "/app/delegations/add",
    "/app/delegations/remove",
    "/app/tokens",
    "/app/tokens/create",
    "/app/tokens/revoke",
    "/app/cart",
    "/app/cart/add",
    "/app/cart/remove",
    "/app/cart/submit",
    "/app/cart/count",
    "/app/mail-decision/preview",
    "/app/mail-decision/confirm",
];

async fn every_admin_page_and_server_function_refuses_a_non_admin(app: TestApp) {
    // Every registered server function is in exactly one list.
    let mut registered: Vec<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.to_owned())
        .collect();
    registered.sort();
    registered.dedup();
    let mut listed: Vec<String> = ADMIN_ONLY
        .iter()
        .chain(FOR_EVERYONE)
        .map(|path| (*path).to_owned())
        .collect();
    listed.sort();
    assert_eq!(
        registered, listed,
        "a server function is missing from ADMIN_ONLY or FOR_EVERYONE (or gone)"
    );

    // Each admin function refuses alice, whatever she sends: a form naming every field
    // any of them reads, so that none is refused for a missing field instead.
    let alice = app.session("alice").await;
    let everything = [
        ("id", "1"),
        ("version", "1"),
        ("repair", "abort"),
        ("run", "1"),
        ("step", "1"),
        ("users", "bob"),
        ("reason", "mine now"),
        ("file_name", "mine.toml"),
        ("username", "bob"),
        ("display_name", "Bob"),
        ("access", "disable"),
        ("join", "mine"),
        ("path", "My-Company/Approval/4-Eye-Approval"),
        ("source", "hr"),
        ("note", "mine"),
        ("policy", "park"),
    ];
    for path in ADMIN_ONLY {
        let response = app.post_form(path, &everything, Some(&alice)).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{path}");
    }

    let export = app.get("/admin/audit.csv", Some(&alice)).await;
    assert_eq!(export.status(), StatusCode::FORBIDDEN);
    // Nobody signed in: sent to log in, as on every page.
    let export = app.get("/admin/audit.csv", None).await;
    assert_eq!(export.status(), StatusCode::SEE_OTHER);
    assert!(export.headers()["location"]
        .to_str()
        .unwrap()
        .starts_with("/login"));

    // Each administrators' page refuses her too (a parameter filled with anything).
    let admin_pages: Vec<String> = assent::server::page_paths()
        .into_iter()
        .filter(|path| path == "/admin" || path.starts_with("/admin/"))
        .collect();
    assert!(admin_pages.len() >= 5, "{admin_pages:?}");
    for page in admin_pages {
        let address: String = page
            .split('/')
            .map(|part| if part.starts_with(':') { "WF-1" } else { part })
            .collect::<Vec<_>>()
            .join("/");
        let response = app.get(&address, Some(&alice)).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{address}");
    }
}
