//! The administrators' Users screen: accounts created and changed with the same checks as
//! change events, disabled (their sessions end at once) and enabled, groups, one-time
//! passwords and anyone's delegations; every change audited, and only for administrators.

use super::harness::*;
use reqwest::StatusCode;
use serde_json::Value;

on_both_databases!(
    an_admin_creates_changes_and_searches_accounts,
    a_disabled_account_loses_its_session_at_once_and_comes_back_when_enabled,
    groups_passwords_and_delegations_of_anyone
);

async fn save(app: &TestApp, admin: &str, form: &[(&str, &str)]) -> (StatusCode, Value) {
    app.server_fn("/app/admin/user-save", form, Some(admin))
        .await
}

async fn detail(app: &TestApp, admin: &str, username: &str) -> Value {
    let (status, account) = app
        .server_fn("/app/admin/user", &[("username", username)], Some(admin))
        .await;
    assert_eq!(status, StatusCode::OK, "{account}");
    account
}

async fn an_admin_creates_changes_and_searches_accounts(app: TestApp) {
    let admin = app.session("admin").await;
    let zed = [
        ("create", "true"),
        ("username", "zed"),
        ("display_name", "Zed Zimmer"),
        ("email", "zed@example.com"),
        ("manager", "bob"),
        ("department", "Finance"),
    ];
    let (status, answer) = save(&app, &admin, &zed).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let account = detail(&app, &admin, "zed").await;
    assert_eq!(account["line"]["manager"], "bob");
    assert_eq!(account["line"]["department"], "Finance");
    assert_eq!(account["roles"], serde_json::json!(["requester"]));
    assert_eq!(app.audited("user.created", "%created zed%").await, 1);

    // Mistakes are named and change nothing.
    let (status, again) = save(&app, &admin, &zed).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(again.to_string().contains("already exists"), "{again}");
    for (field, value) in [
        ("username", "Not A Name"),
        ("display_name", "  "),
        ("email", "no-at-sign"),
        ("manager", "Nobody Here"),
    ] {
        let mut form = zed.to_vec();
        form.retain(|(name, _)| *name != field);
        form.push((field, value));
        form.retain(|(name, _)| *name != "create");
        let (status, refused) = save(&app, &admin, &form).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{field}: {refused}");
    }
    // The directory's own rules: nobody is their own manager, and no manager cycle.
    let own = [
        ("username", "zed"),
        ("display_name", "Zed Zimmer"),
        ("manager", "zed"),
    ];
    let (status, refused) = save(&app, &admin, &own).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{refused}");
    let cycle = [
        ("username", "bob"),
        ("display_name", "Bob"),
        ("manager", "zed"),
    ];
    let (status, refused) = save(&app, &admin, &cycle).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{refused}");
    assert!(
        refused.to_string().contains("zed reports to them"),
        "{refused}"
    );
    assert_eq!(detail(&app, &admin, "zed").await["line"]["manager"], "bob");

    // A change of manager is saved, audited, and names only what changed.
    let moved = [
        ("username", "zed"),
        ("display_name", "Zed Zimmer"),
        ("email", "zed@example.com"),
        ("manager", "dave"),
        ("department", "Finance"),
    ];
    let (status, _) = save(&app, &admin, &moved).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(detail(&app, &admin, "zed").await["line"]["manager"], "dave");
    assert_eq!(app.audited("user.changed", "%manager dave%").await, 1);

    // The search finds by part of the name; unknown accounts are not found.
    let (status, found) = app
        .query_fn("/app/admin/users", &[("words", "zimm")], &admin)
        .await;
    assert_eq!(status, StatusCode::OK);
    let names: Vec<&str> = found["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|line| line["username"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["zed"]);
    let (status, _) = app
        .server_fn("/app/admin/user", &[("username", "nobody")], Some(&admin))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn a_disabled_account_loses_its_session_at_once_and_comes_back_when_enabled(app: TestApp) {
    let admin = app.session("admin").await;
    let alice = app.session("alice").await;
    let access = |what: &'static str| [("username", "alice"), ("access", what)];
    let (status, answer) = app
        .server_fn("/app/admin/user-access", &access("disable"), Some(&admin))
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    // Her session is gone at her next request, and she cannot log in.
    let (status, _) = app.server_fn("/app/my-requests", &[], Some(&alice)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(app.login("alice", DEMO_PASSWORD).await.is_err());
    assert_eq!(app.audited("user.disabled", "%alice: disabled%").await, 1);
    // Hidden from the list unless asked for.
    let (_, listed) = app
        .query_fn("/app/admin/users", &[("words", "alice")], &admin)
        .await;
    assert_eq!(listed["lines"], serde_json::json!([]));
    let (_, listed) = app
        .query_fn(
            "/app/admin/users",
            &[("words", "alice"), ("disabled", "shown")],
            &admin,
        )
        .await;
    assert_eq!(listed["lines"][0]["disabled"], true);

    let (status, _) = app
        .server_fn("/app/admin/user-access", &access("enable"), Some(&admin))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(app.login("alice", DEMO_PASSWORD).await.is_ok());

    // Nobody disables themselves (the last administrator stays one).
    let (status, refused) = app
        .server_fn(
            "/app/admin/user-access",
            &[("username", "admin"), ("access", "disable")],
            Some(&admin),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{refused}");
}

async fn groups_passwords_and_delegations_of_anyone(app: TestApp) {
    let admin = app.session("admin").await;
    let groups = |form: &'static [(&'static str, &'static str)]| {
        let (app, admin) = (&app, &admin);
        async move {
            app.server_fn("/app/admin/user-groups", form, Some(admin))
                .await
        }
    };
    let (status, _) = groups(&[("username", "frank"), ("join", "auditors")]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        detail(&app, &admin, "frank").await["groups"],
        serde_json::json!(["auditors"])
    );
    let (status, _) = groups(&[("username", "frank"), ("leave", "auditors")]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        detail(&app, &admin, "frank").await["groups"],
        serde_json::json!([])
    );
    let (status, _) = groups(&[("username", "frank")]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // A one-time password, shown once, works; the audit trail never holds it.
    let (status, password) = app
        .server_fn(
            "/app/admin/user-password",
            &[("username", "frank")],
            Some(&admin),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let password = password.as_str().unwrap().to_owned();
    assert_eq!(password.len(), 23, "{password}");
    assert!(app.login("frank", &password).await.is_ok());
    assert!(app.login("frank", DEMO_PASSWORD).await.is_err());
    assert_eq!(app.audited("account.password_reset", "%frank%").await, 1);
    assert_eq!(
        app.audited("account.password_reset", &format!("%{password}%"))
            .await,
        0
    );

    // An administrator names alice's substitute for her; she sees it as her own.
    let days = [day(1), day(3)];
    let add = [
        ("owner", "alice"),
        ("substitute", "carol"),
        ("starts", days[0].as_str()),
        ("ends", days[1].as_str()),
    ];
    let (status, answer) = app
        .server_fn("/app/delegations/add", &add, Some(&admin))
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert!(answer.as_str().unwrap().contains("for alice"), "{answer}");
    let alice = app.session("alice").await;
    let (_, own) = app.server_fn("/app/delegations", &[], Some(&alice)).await;
    assert_eq!(own["mine"][0]["substitute"], "carol", "{own}");
    let id = detail(&app, &admin, "alice").await["delegations"][0]["id"].to_string();
    // alice cannot do the same for bob; the administrator ends hers.
    let for_bob = [
        ("owner", "bob"),
        ("substitute", "carol"),
        ("starts", days[0].as_str()),
        ("ends", days[1].as_str()),
    ];
    let (status, _) = app
        .server_fn("/app/delegations/add", &for_bob, Some(&alice))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app
        .server_fn(
            "/app/delegations/remove",
            &[("id", id.as_str()), ("owner", "alice")],
            Some(&admin),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, own) = app.server_fn("/app/delegations", &[], Some(&alice)).await;
    assert_eq!(own["mine"], serde_json::json!([]));
}
