//! Authentication (issue #9, "Trust"): password guessing is slowed by lockouts on the
//! login page and through HTTP Basic on the API; programs authenticate with API tokens
//! created on the portal's `/tokens` screen. On both databases.

use super::harness::*;
use super::wfs::{basic, call};
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::Value;

on_both_databases!(
    repeated_wrong_passwords_lock_the_login_out_for_longer_each_time,
    repeated_wrong_basic_credentials_lock_the_api_out_too,
    a_lockout_is_in_the_audit_trail,
    the_address_limit_covers_every_account_tried_from_it,
    a_token_from_the_portal_calls_the_api_within_its_scopes_until_revoked,
    expired_tokens_and_tokens_of_disabled_owners_are_refused,
    a_token_made_without_javascript_is_shown_once_and_stored_only_hashed,
);

/// Lockouts of a second, so the test sees one end and the next, doubled, begin.
const SHORT_LOCKOUTS: &[&str] = &["--lockout-seconds", "1"];

async fn login_attempt(app: &TestApp, username: &str, password: &str) -> reqwest::Response {
    app.post_form(
        "/login",
        &[("username", username), ("password", password)],
        None,
    )
    .await
}

fn retry_after(response: &reqwest::Response) -> Option<u64> {
    response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
}

async fn locked_login(app: &TestApp, username: &str, password: &str) -> u64 {
    let response = login_attempt(app, username, password).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
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
        let response = login_attempt(&app, "alice", "not-her-password").await;
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
    let page = app
        .get("/login?error=locked&wait=2", None)
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Too many failed attempts. Please wait 2 seconds before trying again."),
        "{page}"
    );
    let german = app
        .client
        .get(app.url("/login?error=locked&wait=300"))
        .header("accept-language", "de")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(german.contains("Bitte warten Sie 5 Minuten"), "{german}");
    // Other accounts are not affected (the address has seen 6 failures of 20).
    assert!(app.login("bob", DEMO_PASSWORD).await.is_ok());
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    assert!(app.login("alice", DEMO_PASSWORD).await.is_ok());
    // The success wiped alice's failures: a wrong password is an ordinary failure again.
    let response = login_attempt(&app, "alice", "typo").await;
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
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
        assert_eq!(body["error"], "authenticationFailed");
    }
    let (status, seconds, body) = worklist(wrong.clone()).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert_eq!(body["error"], "tooManyRequests");
    assert_eq!(body["requestType"], "getWorklist");
    assert_eq!(seconds, Some(1));
    let (status, seconds, body) = worklist(right.clone()).await;
    assert_eq!(
        status,
        StatusCode::TOO_MANY_REQUESTS,
        "the right password is refused while locked: {body}"
    );
    assert_eq!(seconds, Some(1));
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let (status, seconds, _) = worklist(wrong.clone()).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(seconds, Some(2), "the next lockout is twice as long");
    // The login page and the API count the same account.
    assert_eq!(locked_login(&app, "bob", DEMO_PASSWORD).await, 2);
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let (status, _, body) = worklist(right).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // The fault is in the document, with its header.
    let document = app
        .get("/api/wfs/v1/openapi.json", None)
        .await
        .text()
        .await
        .unwrap();
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
        login_attempt(&app, "carol", "wrong").await;
    }
    let db = app.database().await;
    let rows = db
        .query_all(Statement::from_string(
            db.get_database_backend(),
            "SELECT actor, detail FROM audit_events WHERE action = 'login.locked'",
        ))
        .await
        .unwrap();
    assert_eq!(rows.len(), 1, "one lockout, one entry");
    let detail: String = rows[0].try_get("", "detail").unwrap();
    assert!(
        detail.contains("account \"carol\"")
            && detail.contains("127.0.0.1")
            && detail.contains("60 s"),
        "{detail}"
    );
    // Refusals while locked out are not lockouts of their own.
    login_attempt(&app, "carol", "wrong").await;
    let again = db
        .query_all(Statement::from_string(
            db.get_database_backend(),
            "SELECT id FROM audit_events WHERE action = 'login.locked'",
        ))
        .await
        .unwrap();
    assert_eq!(again.len(), 1);
}

async fn the_address_limit_covers_every_account_tried_from_it(app: TestApp) {
    // 20 failures from one address, at most 4 per account (below the account limit of 5).
    let accounts = ["alice", "carol", "dave", "erin", "no-such-user"];
    let mut refused = 0;
    for round in 0..4 {
        for account in accounts {
            let response = login_attempt(&app, account, "wrong-password").await;
            if response.status() == StatusCode::TOO_MANY_REQUESTS {
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
    let response = login_attempt(&app, "bob", DEMO_PASSWORD).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(retry_after(&response), Some(60));
    let (status, body) = call(&app, "getWorklist", Some(&basic("bob")), "{}").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    let db = app.database().await;
    let row = db
        .query_one(Statement::from_string(
            db.get_database_backend(),
            "SELECT detail FROM audit_events WHERE action = 'login.locked'",
        ))
        .await
        .unwrap()
        .expect("the address lockout is audited");
    let detail: String = row.try_get("", "detail").unwrap();
    assert!(
        detail.starts_with("address 127.0.0.1 locked out"),
        "{detail}"
    );
}

/// `user:password` as HTTP Basic credentials.
fn basic_with(user: &str, password: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let input = format!("{user}:{password}").into_bytes();
    let mut out = String::new();
    for chunk in input.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    format!("Basic {out}")
}

fn day(offset: i64) -> String {
    (chrono::Utc::now().date_naive() + chrono::Duration::days(offset)).to_string()
}

/// Creates a token through the page's server function, as the hydrated page calls it.
async fn create_token(app: &TestApp, cookie: &str, form: &[(&str, &str)]) -> (StatusCode, Value) {
    super::json(
        app.post_form("/app/tokens/create", form, Some(cookie))
            .await,
    )
    .await
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
    let bob = app.login("bob", DEMO_PASSWORD).await.expect("login");
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
    assert_eq!(status, StatusCode::FORBIDDEN, "{fault}");
    assert_eq!(fault["error"], "accessDenied");
    assert!(!fault.to_string().contains(&secret[7..]), "{fault}");
    let (status, fault) = bearer(&app, "getWorklist", "assent_not-a-token").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{fault}");
    assert_eq!(fault["error"], "authenticationFailed");

    // Listed for bob with its use; not for alice, who cannot revoke it either.
    let (_, listed) = super::json(app.post_form("/app/tokens", &[], Some(&bob)).await).await;
    let line = &listed["tokens"][0];
    assert_eq!(line["name"], "worklist robot", "{listed}");
    // In the document's order of operations.
    assert_eq!(
        line["scopes"],
        serde_json::json!(["getInstance", "getWorklist"])
    );
    assert_eq!(line["state"], "active");
    assert_eq!(line["expires"], expires.as_str());
    assert!(line["last_used"].is_string(), "use is noted: {line}");
    assert!(!listed.to_string().contains(&secret), "never listed again");
    let alice = app.login("alice", DEMO_PASSWORD).await.expect("login");
    let (_, theirs) = super::json(app.post_form("/app/tokens", &[], Some(&alice)).await).await;
    assert_eq!(theirs["tokens"], serde_json::json!([]), "{theirs}");
    let refused = app
        .post_form("/app/tokens/revoke", &[("id", &id)], Some(&alice))
        .await;
    assert_eq!(refused.status(), StatusCode::NOT_FOUND);
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
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");

    let (status, body) = super::json(
        app.post_form("/app/tokens/revoke", &[("id", &id)], Some(&bob))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, fault) = bearer(&app, "getWorklist", &secret).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{fault}");
    assert_eq!(fault["error"], "authenticationFailed");
    let (_, listed) = super::json(app.post_form("/app/tokens", &[], Some(&bob)).await).await;
    assert_eq!(
        listed["tokens"][0]["state"], "revoked",
        "revoked stays listed"
    );

    let db = app.database().await;
    let actions = db
        .query_all(Statement::from_string(
            db.get_database_backend(),
            "SELECT action, actor FROM audit_events WHERE action LIKE 'token.%' ORDER BY id",
        ))
        .await
        .unwrap()
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
    let admin = app.login("admin", DEMO_PASSWORD).await.expect("login");
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
    assert_eq!(status, StatusCode::UNAUTHORIZED, "expired: {fault}");
    assert_eq!(fault["error"], "authenticationFailed");
    assert_eq!(
        bearer(&app, "listDefinitions", &secrets[1].1).await.0,
        StatusCode::OK
    );
    db.execute(Statement::from_string(
        db.get_database_backend(),
        "UPDATE users SET disabled = TRUE WHERE username = 'frank'",
    ))
    .await
    .unwrap();
    let (status, fault) = bearer(&app, "listDefinitions", &secrets[1].1).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "disabled owner: {fault}");
    // The administrator sees both, the expired one as expired.
    let (_, listed) = super::json(app.post_form("/app/tokens", &[], Some(&admin)).await).await;
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
    let carol = app.login("carol", DEMO_PASSWORD).await.expect("login");
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
    let page = app.get("/tokens", Some(&carol)).await.text().await.unwrap();
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
    let again = app.get("/tokens", Some(&carol)).await.text().await.unwrap();
    assert!(!again.contains(&secret), "shown once only");
    assert!(again.contains("reporting"), "still listed");
    assert_eq!(
        bearer(&app, "listInstances", &secret).await.0,
        StatusCode::OK
    );

    // The table holds the SHA-256 of the secret, and the secret nowhere.
    use sha2::Digest;
    let digest: String = sha2::Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let db = app.database().await;
    let rows = db
        .query_all(Statement::from_string(
            db.get_database_backend(),
            "SELECT token_hash, name, scopes, created_by FROM api_tokens",
        ))
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    assert_eq!(row.try_get::<String>("", "token_hash").unwrap(), digest);
    for column in ["token_hash", "name", "scopes", "created_by"] {
        let value: String = row.try_get("", column).unwrap();
        assert!(!value.contains(&secret[7..]), "{column}: {value}");
    }
    // Nor in the sessions (it waited in carol's until shown) ...
    let sessions = match db.get_database_backend() {
        sea_orm::DatabaseBackend::Postgres => "SELECT data FROM tower_sessions.session",
        _ => "SELECT data FROM tower_sessions",
    };
    let stored = db
        .query_all(Statement::from_string(db.get_database_backend(), sessions))
        .await
        .unwrap();
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
    let audit = db
        .query_all(Statement::from_string(
            db.get_database_backend(),
            "SELECT detail FROM audit_events",
        ))
        .await
        .unwrap();
    for row in audit {
        let detail: String = row.try_get("", "detail").unwrap();
        assert!(!detail.contains(&secret[7..]), "{detail}");
    }
}
