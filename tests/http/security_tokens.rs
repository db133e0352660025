//! API tokens (issue #9, "Trust"): programs authenticate with tokens created on the
//! portal's `/tokens` screen, within their scopes, until they expire or are revoked;
//! the secret is shown once and stored only hashed. On both databases.

use super::api::*;
use super::harness::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

on_both_databases!(
    a_token_from_the_portal_calls_the_api_within_its_scopes_until_revoked,
    expired_tokens_and_tokens_of_disabled_owners_are_refused,
    a_token_made_without_javascript_is_shown_once_and_stored_only_hashed,
);

/// Creates a token through the page's server function, as the hydrated page calls it.
async fn create_token(app: &TestApp, cookie: &str, form: &[(&str, &str)]) -> (StatusCode, Value) {
    app.server_fn("/app/tokens/create", form, Some(cookie))
        .await
}

/// The tokens listed to `cookie`'s user.
async fn tokens(app: &TestApp, cookie: &str) -> Value {
    app.server_fn("/app/tokens", &[], Some(cookie)).await.1
}

async fn bearer(app: &TestApp, operation: &str, token: &str) -> (StatusCode, Value) {
    call(
        app,
        operation,
        Some(&format!("Bearer {token}")),
        r#"{"requestID": "t-1"}"#,
    )
    .await
}

async fn a_token_from_the_portal_calls_the_api_within_its_scopes_until_revoked(app: TestApp) {
    let bob = app.session("bob").await;
    let expires = day(30);
    let (status, created) = create_token(
        &app,
        &bob,
        &[
            ("name", "worklist robot"),
            ("scopes[]", "getWorklist"),
            ("scopes[]", "getInstance"),
            ("expires", &expires),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{created}");
    let secret = created["secret"].as_str().unwrap().to_owned();
    assert!(
        secret.starts_with("assent_") && secret.len() >= 7 + 64,
        "{secret}"
    );
    assert_eq!(created["owner"], "bob");
    let id = created["id"].to_string();

    let (status, answer) = bearer(&app, "getWorklist", &secret).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["requestID"], "t-1");
    let (_, with_basic) = call(
        &app,
        "getWorklist",
        Some(&basic("bob")),
        r#"{"requestID": "t-1"}"#,
    )
    .await;
    assert_eq!(answer, with_basic, "the token acts as bob");
    // Outside its scopes: refused, naming only the operation.
    let (status, fault) = bearer(&app, "listDefinitions", &secret).await;
    assert_eq!(status, FORBIDDEN, "{fault}");
    assert_eq!(fault["error"], "accessDenied");
    assert!(!fault.to_string().contains(&secret[7..]), "{fault}");
    let (status, fault) = bearer(&app, "getWorklist", "assent_not-a-token").await;
    assert_eq!(status, UNAUTHORIZED, "{fault}");
    assert_eq!(fault["error"], "authenticationFailed");

    // Listed for bob with its use; not for alice, who cannot revoke it either.
    let listed = tokens(&app, &bob).await;
    let line = &listed["tokens"][0];
    assert_eq!(line["name"], "worklist robot", "{listed}");
    // In the document's order of operations.
    assert_eq!(line["scopes"], json!(["getInstance", "getWorklist"]));
    assert_eq!(line["state"], "active");
    assert_eq!(line["expires"], expires.as_str());
    assert!(line["last_used"].is_string(), "use is noted: {line}");
    assert!(!listed.to_string().contains(&secret), "never listed again");
    let alice = app.session("alice").await;
    let theirs = tokens(&app, &alice).await;
    assert_eq!(theirs["tokens"], json!([]), "{theirs}");
    let refused = app
        .post_form("/app/tokens/revoke", &[("id", &id)], Some(&alice))
        .await;
    assert_eq!(refused.status(), NOT_FOUND);
    assert_eq!(bearer(&app, "getWorklist", &secret).await.0, StatusCode::OK);
    // Nor may she make one for bob.
    let (status, body) = create_token(
        &app,
        &alice,
        &[
            ("name", "as bob"),
            ("owner", "bob"),
            ("scopes[]", "*"),
            ("expires", &expires),
        ],
    )
    .await;
    assert_eq!(status, BAD_REQUEST, "{body}");

    let (status, body) = app
        .server_fn("/app/tokens/revoke", &[("id", &id)], Some(&bob))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, fault) = bearer(&app, "getWorklist", &secret).await;
    assert_eq!(status, UNAUTHORIZED, "{fault}");
    assert_eq!(fault["error"], "authenticationFailed");
    let listed = tokens(&app, &bob).await;
    assert_eq!(
        listed["tokens"][0]["state"], "revoked",
        "revoked stays listed"
    );

    let actions = app
        .rows("SELECT action, actor FROM audit_events WHERE action LIKE 'token.%' ORDER BY id")
        .await
        .iter()
        .map(|row| {
            (
                row.try_get::<String>("", "action").unwrap(),
                row.try_get::<Option<String>>("", "actor").unwrap(),
            )
        })
        .collect::<Vec<_>>();
    assert_eq!(
        actions,
        [
            ("token.created".to_owned(), Some("bob".to_owned())),
            ("token.revoked".to_owned(), Some("bob".to_owned())),
        ]
    );
}

async fn expired_tokens_and_tokens_of_disabled_owners_are_refused(app: TestApp) {
    use assent::server::entities::api_token;
    use sea_orm::sea_query::Expr;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    // An administrator makes a token for a service account (here: frank).
    let admin = app.session("admin").await;
    let mut secrets = Vec::new();
    for name in ["expiring", "disabled owner"] {
        let (status, created) = create_token(
            &app,
            &admin,
            &[
                ("name", name),
                ("owner", "frank"),
                ("scopes[]", "*"),
                ("expires", &day(1)),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{created}");
        assert_eq!(created["owner"], "frank");
        let secret = created["secret"].as_str().unwrap().to_owned();
        assert_eq!(
            bearer(&app, "listDefinitions", &secret).await.0,
            StatusCode::OK
        );
        secrets.push((created["id"].as_i64().unwrap(), secret));
    }
    let db = app.database().await;
    let a_minute_ago = chrono::Utc::now() - chrono::Duration::minutes(1);
    api_token::Entity::update_many()
        .col_expr(api_token::Column::ExpiresAt, Expr::value(a_minute_ago))
        .filter(api_token::Column::Id.eq(secrets[0].0 as i32))
        .exec(&db)
        .await
        .unwrap();
    let (status, fault) = bearer(&app, "listDefinitions", &secrets[0].1).await;
    assert_eq!(status, UNAUTHORIZED, "expired: {fault}");
    assert_eq!(fault["error"], "authenticationFailed");
    assert_eq!(
        bearer(&app, "listDefinitions", &secrets[1].1).await.0,
        StatusCode::OK
    );
    app.execute("UPDATE users SET disabled = TRUE WHERE username = 'frank'")
        .await;
    let (status, fault) = bearer(&app, "listDefinitions", &secrets[1].1).await;
    assert_eq!(status, UNAUTHORIZED, "disabled owner: {fault}");
    // The administrator sees both, the expired one as expired.
    let listed = tokens(&app, &admin).await;
    let states: Vec<&str> = listed["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["active", "expired"], "{listed}");
    assert_eq!(listed["tokens"][0]["created_by"], "admin");
}

async fn a_token_made_without_javascript_is_shown_once_and_stored_only_hashed(app: TestApp) {
    let carol = app.session("carol").await;
    let form = encode_form(&[
        ("name", "reporting"),
        ("scopes[]", "listInstances"),
        ("expires", &day(90)),
    ]);
    // As a browser posts the form without JavaScript.
    let posted = app
        .client
        .post(app.url("/app/tokens/create"))
        .header("cookie", &carol)
        .header("accept", "text/html,application/xhtml+xml")
        .header("sec-fetch-site", "same-origin")
        .header("origin", format!("http://{}", app.address))
        .header("referer", app.url("/tokens"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form)
        .send()
        .await
        .unwrap();
    assert!(posted.status().is_redirection(), "{}", posted.status());
    assert_eq!(location(&posted), "/tokens");
    let page = app.text("/tokens", Some(&carol)).await;
    let start = page
        .find(r#"value="assent_"#)
        .expect("the new secret is on the page")
        + r#"value=""#.len();
    let secret: String = page[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    assert_eq!(secret.len(), 7 + 64, "{secret}");
    assert!(page.contains("reporting"));
    let again = app.text("/tokens", Some(&carol)).await;
    assert!(!again.contains(&secret), "shown once only");
    assert!(again.contains("reporting"), "still listed");
    assert_eq!(
        bearer(&app, "listInstances", &secret).await.0,
        StatusCode::OK
    );

    // The table holds the SHA-256 of the secret, and the secret nowhere.
    let digest = sha256_hex(&secret);
    let rows = app
        .rows("SELECT token_hash, name, scopes, created_by FROM api_tokens")
        .await;
    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    assert_eq!(row.try_get::<String>("", "token_hash").unwrap(), digest);
    for column in ["token_hash", "name", "scopes", "created_by"] {
        let value: String = row.try_get("", column).unwrap();
        assert!(!value.contains(&secret[7..]), "{column}: {value}");
    }
    // Nor in the sessions (it waited in carol's until shown) ...
    let sessions = match app.backend() {
        Backend::Postgres => "SELECT data FROM tower_sessions.session",
        Backend::Sqlite => "SELECT data FROM tower_sessions",
    };
    let stored = app.rows(sessions).await;
    assert!(!stored.is_empty());
    for row in stored {
        let data: Vec<u8> = row.try_get("", "data").unwrap();
        let secret_tail = &secret.as_bytes()[7..];
        assert!(
            !data.windows(secret_tail.len()).any(|w| w == secret_tail),
            "the secret left the session once shown"
        );
    }
    // ... nor in the audit trail.
    let audit = app.rows("SELECT detail FROM audit_events").await;
    for row in audit {
        let detail: String = row.try_get("", "detail").unwrap();
        assert!(!detail.contains(&secret[7..]), "{detail}");
    }
}
