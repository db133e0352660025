//! HTTP-level tests of the running server, each on SQLite and on PostgreSQL.

#[path = "../common/mod.rs"]
mod common;
mod harness;

use harness::*;
use reqwest::StatusCode;

/// Generates one test per backend from an `async fn(TestApp)`.
macro_rules! on_both_databases {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let app = super::TestApp::spawn(super::Backend::Sqlite).await.expect("sqlite app");
                    super::$name(app).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some(app) = super::TestApp::spawn(super::Backend::Postgres).await else { return };
                    super::$name(app).await;
                }
            )*
        }
    };
}

// After the macro, which they use.
mod security_access;
mod security_auth;
mod security_platform;
mod wfs;
mod wfs_operations;

on_both_databases!(
    health_and_readiness_answer,
    anonymous_visitors_are_sent_to_login,
    failed_logins_look_the_same_whatever_the_reason,
    login_starts_a_fresh_session_with_safe_cookie_flags,
    logout_kills_the_session,
    cross_site_posts_are_refused_and_change_nothing,
    admin_data_is_for_admins_only,
    demo_data_is_loaded_once,
    disabled_users_cannot_log_in,
    unknown_pages_get_a_404,
    worklists_filter_sort_and_page_on_the_server,
    pool_items_are_claimed_and_released,
    bulk_decisions_mix_verdicts_and_name_what_failed,
    delegations_belong_to_their_owner,
    requests_for_others_only_where_allowed,
    a_cart_requests_several_items_all_or_nothing,
    a_mailed_link_shows_first_and_decides_on_confirmation,
    pages_speak_the_chosen_language_else_the_browsers,
);

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
    let wrong_password = app
        .post_form(
            "/login",
            &[("username", "alice"), ("password", "not-it")],
            None,
        )
        .await;
    let unknown_user = app
        .post_form(
            "/login",
            &[("username", "nobody"), ("password", "not-it")],
            None,
        )
        .await;
    let malformed_user = app
        .post_form(
            "/login",
            &[("username", "bad name!"), ("password", "x")],
            None,
        )
        .await;
    for response in [&wrong_password, &unknown_user, &malformed_user] {
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(response), "/login?error=credentials");
        assert!(
            session_cookie(response.headers()).is_none(),
            "no session for a failed login"
        );
    }
    let page = app
        .get("/login?error=credentials", None)
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("The user name or password is incorrect."));

    let db = app.database().await;
    use sea_orm::{ConnectionTrait, Statement};
    let row = db
        .query_one(Statement::from_string(
            db.get_database_backend(),
            "SELECT COUNT(*) AS n FROM audit_events WHERE action = 'login.failed'",
        ))
        .await
        .unwrap()
        .unwrap();
    let failures: i64 = row.try_get("", "n").unwrap();
    assert_eq!(failures, 3, "every failed login is audited");
}

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
    let as_bob = app.get("/", Some(&second)).await.text().await.unwrap();
    assert!(as_bob.contains("Bob Martin"));

    let secure = TestApp::spawn_with(Backend::Sqlite, &["--secure-cookies", "true"])
        .await
        .unwrap();
    let response = secure
        .post_form(
            "/login",
            &[("username", "alice"), ("password", DEMO_PASSWORD)],
            None,
        )
        .await;
    let set_cookie = set_cookie_header(response.headers()).unwrap();
    assert!(set_cookie.contains("Secure"), "{set_cookie}");
}

async fn logout_kills_the_session(app: TestApp) {
    let cookie = app.login("carol", DEMO_PASSWORD).await.expect("login");
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

async fn cross_site_posts_are_refused_and_change_nothing(app: TestApp) {
    let cookie = app.login("alice", DEMO_PASSWORD).await.expect("login");
    let forged = app
        .client
        .post(app.url("/logout"))
        .header("cookie", &cookie)
        .header("sec-fetch-site", "cross-site")
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    let old_browser = app
        .client
        .post(app.url("/logout"))
        .header("cookie", &cookie)
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(old_browser.status(), StatusCode::FORBIDDEN);
    let server_fn = app
        .client
        .post(app.url("/app/shell"))
        .header("cookie", &cookie)
        .header("sec-fetch-site", "same-site")
        .send()
        .await
        .unwrap();
    assert_eq!(server_fn.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        app.get("/", Some(&cookie)).await.status(),
        StatusCode::OK,
        "still logged in"
    );
}

async fn admin_data_is_for_admins_only(app: TestApp) {
    let alice = app.login("alice", DEMO_PASSWORD).await.expect("login");
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

    let admin = app.login("admin", DEMO_PASSWORD).await.expect("login");
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
    let page = app.get("/admin", Some(&admin)).await.text().await.unwrap();
    assert!(page.contains("login.succeeded"), "audit trail shown");
    assert!(
        page.contains(r#"href="/admin""#),
        "admin link shown to admins"
    );
}

async fn demo_data_is_loaded_once(mut app: TestApp) {
    use sea_orm::{ConnectionTrait, Statement};
    async fn count(app: &TestApp, sql: &str) -> i64 {
        let db = app.database().await;
        let row = db
            .query_one(Statement::from_string(db.get_database_backend(), sql))
            .await
            .unwrap()
            .unwrap();
        row.try_get("", "n").unwrap()
    }
    let users = count(&app, "SELECT COUNT(*) AS n FROM users").await;
    assert!(users >= 20);
    assert!(count(&app, "SELECT COUNT(*) AS n FROM catalog_items").await >= 10);
    let alice_reports_to_bob = count(
        &app,
        "SELECT COUNT(*) AS n FROM users a JOIN users m ON a.manager_id = m.id \
         WHERE a.username = 'alice' AND m.username = 'bob'",
    )
    .await;
    assert_eq!(alice_reports_to_bob, 1);
    let carol_owns = count(
        &app,
        "SELECT COUNT(*) AS n FROM catalog_items c JOIN users u ON c.owner_id = u.id WHERE u.username = 'carol'",
    )
    .await;
    assert!(carol_owns >= 1);
    let examples = count(&app, "SELECT COUNT(*) AS n FROM workflow_definitions").await;
    assert!(
        examples >= 6,
        "six shipped examples deployed, found {examples}"
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(DISTINCT definition_id) AS n FROM workflow_instances"
        )
        .await,
        examples,
        "the demo starts an instance of each shipped example"
    );
    assert!(
        app.login("nora", DEMO_PASSWORD).await.is_err(),
        "nora waits for activation"
    );
    app.restart().await;
    assert_eq!(
        count(&app, "SELECT COUNT(*) AS n FROM users").await,
        users,
        "restart adds nothing"
    );
    assert!(
        app.login("dave", DEMO_PASSWORD).await.is_ok(),
        "the restarted server serves the same data"
    );
}

async fn disabled_users_cannot_log_in(app: TestApp) {
    use sea_orm::{ConnectionTrait, Statement};
    let cookie = app.login("frank", DEMO_PASSWORD).await.expect("login");
    let db = app.database().await;
    db.execute(Statement::from_string(
        db.get_database_backend(),
        "UPDATE users SET disabled = TRUE WHERE username = 'frank'",
    ))
    .await
    .unwrap();
    assert_eq!(
        location(&app.get("/", Some(&cookie)).await),
        "/login",
        "a disabled user's session ends"
    );
    assert!(app.login("frank", DEMO_PASSWORD).await.is_err());
}

async fn unknown_pages_get_a_404(app: TestApp) {
    let cookie = app.login("alice", DEMO_PASSWORD).await.expect("login");
    let response = app.get("/no/such/page", Some(&cookie)).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert!(response.text().await.unwrap().contains("Page not found"));
}

async fn json(response: reqwest::Response) -> (StatusCode, serde_json::Value) {
    let status = response.status();
    let text = response.text().await.unwrap();
    let value = serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text));
    (status, value)
}

async fn worklist(app: &TestApp, cookie: &str, filter: &[(&str, &str)]) -> serde_json::Value {
    let form: Vec<(String, &str)> = filter
        .iter()
        .map(|(key, value)| (format!("filter[{key}]"), *value))
        .collect();
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    let (status, page) = json(app.post_form("/app/worklist", &form, Some(cookie)).await).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page
}

fn workflow_ids(page: &serde_json::Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["workflow_id"].as_str().unwrap().to_owned())
        .collect()
}

async fn worklists_filter_sort_and_page_on_the_server(app: TestApp) {
    let bob = app.login("bob", DEMO_PASSWORD).await.expect("login");
    let all = worklist(&app, &bob, &[]).await;
    let total = all["total"].as_u64().unwrap();
    assert!(total >= 3, "{all}");
    assert_eq!(all["page"], 1);
    let by_alice = worklist(&app, &bob, &[("requester", "ALI")]).await;
    assert!(by_alice["total"].as_u64().unwrap() >= 1, "{by_alice}");
    assert!(by_alice["total"].as_u64().unwrap() < total);
    for item in by_alice["items"].as_array().unwrap() {
        assert_eq!(item["requester"], "alice");
    }
    // The search looks into the request's business fields (the justification here).
    let searched = worklist(&app, &bob, &[("q", "finance analyst")]).await;
    assert_eq!(searched["total"], 1, "{searched}");
    let nothing = worklist(&app, &bob, &[("q", "no-such-words 100%_")]).await;
    assert_eq!(nothing["total"], 0);
    let by_definition = worklist(
        &app,
        &bob,
        &[("definition", "My-Company/Approval/4-Eye-Approval")],
    )
    .await;
    for item in by_definition["items"].as_array().unwrap() {
        assert_eq!(item["workflow"], "4-eye approval", "{by_definition}");
    }
    let newest = workflow_ids(&worklist(&app, &bob, &[("sort", "newest")]).await);
    let mut oldest = workflow_ids(&worklist(&app, &bob, &[("sort", "oldest")]).await);
    oldest.reverse();
    assert_eq!(newest.len(), oldest.len());
    let overdue = worklist(&app, &bob, &[("overdue", "true")]).await;
    assert_eq!(overdue["total"], 0, "nothing is overdue in fresh demo data");
    let far_page = worklist(&app, &bob, &[("page", "99")]).await;
    assert_eq!(
        far_page["page"], far_page["pages"],
        "a page past the end shows the last"
    );

    for (key, value) in [("sort", "price"), ("status", "everything")] {
        let response = app
            .post_form(
                "/app/worklist",
                &[(&format!("filter[{key}]"), value)],
                Some(&bob),
            )
            .await;
        let (status, body) = json(response).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert!(!body.to_string().contains("SQL"), "{body}");
    }
    let long = "x".repeat(500);
    let response = app
        .post_form("/app/worklist", &[("filter[q]", &long)], Some(&bob))
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
}

async fn pool_items_are_claimed_and_released(app: TestApp) {
    let trent = app.login("trent", DEMO_PASSWORD).await.expect("login");
    let victor = app.login("victor", DEMO_PASSWORD).await.expect("login");
    let pool = worklist(&app, &trent, &[("status", "pool")]).await;
    assert_eq!(pool["total"], 1, "{pool}");
    let item = &pool["items"][0];
    let (id, run) = (
        item["workflow_id"].as_str().unwrap().to_owned(),
        item["run"].as_u64().unwrap().to_string(),
    );
    assert_eq!(
        workflow_ids(&worklist(&app, &victor, &[]).await),
        vec![id.clone()]
    );
    let claim = |cookie: String, claim: &'static str| {
        let (id, run, app) = (id.clone(), run.clone(), &app);
        async move {
            json(
                app.post_form(
                    "/app/claim",
                    &[("workflow_id", &id), ("run", &run), ("claim", claim)],
                    Some(&cookie),
                )
                .await,
            )
            .await
        }
    };
    let (status, _) = claim(trent.clone(), "true").await;
    assert_eq!(status, StatusCode::OK);
    assert!(workflow_ids(&worklist(&app, &victor, &[]).await).is_empty());
    let mine = worklist(&app, &trent, &[("status", "claimed")]).await;
    assert_eq!(workflow_ids(&mine), vec![id.clone()]);
    let (status, refused) = claim(victor.clone(), "true").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        refused.to_string().contains("trent has already claimed"),
        "{refused}"
    );
    let (status, _) = claim(victor.clone(), "false").await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "only the claimant releases"
    );
    let (status, _) = claim(trent.clone(), "false").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        workflow_ids(&worklist(&app, &victor, &[]).await),
        vec![id.clone()]
    );
    // Someone outside the pool can neither claim nor learn anything: the item answers
    // as if it did not exist.
    let bob = app.login("bob", DEMO_PASSWORD).await.expect("login");
    let (status, _) = claim(bob, "true").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn bulk_decisions_mix_verdicts_and_name_what_failed(app: TestApp) {
    let bob = app.login("bob", DEMO_PASSWORD).await.expect("login");
    let page = worklist(&app, &bob, &[]).await;
    let items = page["items"].as_array().unwrap();
    assert!(items.len() >= 2, "{page}");
    let reference = |item: &serde_json::Value| {
        format!("{}:{}", item["workflow_id"].as_str().unwrap(), item["run"])
    };
    let approve = format!("a:{}", reference(&items[0]));
    let reject = format!("r:{}", reference(&items[1]));
    // heidi's certification of ivan is not bob's to decide.
    let heidi = app.login("heidi", DEMO_PASSWORD).await.expect("login");
    let others = worklist(&app, &heidi, &[]).await;
    let not_mine = format!("a:{}", reference(&others["items"][0]));
    let response = app
        .post_form(
            "/app/bulk-decide",
            &[
                ("marks[]", &approve),
                ("marks[]", &reject),
                ("marks[]", &not_mine),
                ("marks[]", "a:no-such-workflow:1"),
                ("marks[]", "garbage"),
                ("reject_reason", "not needed"),
            ],
            Some(&bob),
        )
        .await;
    let (status, outcome) = json(response).await;
    assert_eq!(status, StatusCode::OK, "{outcome}");
    assert_eq!(outcome["decided"], 2, "{outcome}");
    let codes: Vec<u64> = outcome["failed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["error_code"].as_u64().unwrap())
        .collect();
    let mut sorted = codes.clone();
    sorted.sort();
    // heidi's item answers like an unknown workflow: nothing is told of it.
    assert_eq!(sorted, vec![40, 40, 40], "{outcome}");
    let left = worklist(&app, &bob, &[]).await;
    assert_eq!(
        left["total"].as_u64().unwrap(),
        page["total"].as_u64().unwrap() - 2
    );
    // The rejected request carries the group's reason.
    let db = app.database().await;
    use sea_orm::{ConnectionTrait, Statement};
    let id = items[1]["workflow_id"].as_str().unwrap();
    let row = db
        .query_one(Statement::from_string(
            db.get_database_backend(),
            format!("SELECT data FROM workflow_instances WHERE id = '{id}'"),
        ))
        .await
        .unwrap()
        .unwrap();
    let data: String = row.try_get("", "data").unwrap();
    assert!(data.contains("not needed"), "{data}");
    let empty = app.post_form("/app/bulk-decide", &[], Some(&bob)).await;
    assert_eq!(empty.status(), StatusCode::BAD_REQUEST);
    // Fields of the wrong form are the caller's mistake: a 400 that says so, never a 500.
    let (status, body) = json(
        app.post_form(
            "/app/claim",
            &[("workflow_id", "x"), ("run", "one")],
            Some(&bob),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.to_string().contains("could not be read"), "{body}");
}

async fn delegations_belong_to_their_owner(app: TestApp) {
    let sybil = app.login("sybil", DEMO_PASSWORD).await.expect("login");
    let today = chrono::Utc::now().date_naive();
    let day = |offset: i64| (today + chrono::Duration::days(offset)).to_string();
    let add = |cookie: String, substitute: &'static str, starts: String, ends: String| {
        let app = &app;
        async move {
            json(
                app.post_form(
                    "/app/delegations/add",
                    &[
                        ("substitute", substitute),
                        ("starts", &starts),
                        ("ends", &ends),
                    ],
                    Some(&cookie),
                )
                .await,
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
    let (_, listed) = json(app.post_form("/app/delegations", &[], Some(&sybil)).await).await;
    let mine = listed["mine"].as_array().unwrap();
    assert_eq!(mine.len(), 1, "{listed}");
    assert_eq!(mine[0]["substitute"], "rupert");
    assert_eq!(mine[0]["active"], true);
    let id = mine[0]["id"].to_string();
    let rupert = app.login("rupert", DEMO_PASSWORD).await.expect("login");
    let (_, theirs) = json(app.post_form("/app/delegations", &[], Some(&rupert)).await).await;
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
    let (_, listed) = json(app.post_form("/app/delegations", &[], Some(&sybil)).await).await;
    assert!(listed["mine"].as_array().unwrap().is_empty(), "{listed}");
}

async fn catalog_id(app: &TestApp, cookie: &str, name: &str) -> String {
    let (_, catalog) = json(app.post_form("/app/catalog", &[], Some(cookie)).await).await;
    catalog["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|item| item["name"] == name)
        .unwrap_or_else(|| panic!("{name} in {catalog}"))["id"]
        .to_string()
}

async fn requests_for_others_only_where_allowed(app: TestApp) {
    let alice = app.login("alice", DEMO_PASSWORD).await.expect("login");
    let badge = catalog_id(&app, &alice, "Building Badge").await;
    let submit = |cookie: String, subject: &'static str| {
        let (app, badge) = (&app, badge.clone());
        async move {
            json(
                app.post_form(
                    "/app/submit-request",
                    &[
                        ("item_id", &badge),
                        ("subject", subject),
                        ("fields[justification][]", "for a colleague"),
                    ],
                    Some(&cookie),
                )
                .await,
            )
            .await
        }
    };
    // frank is bob's report, not alice's; an unknown name gets the same answer.
    for subject in ["frank", "nobody-at-all"] {
        let (status, body) = submit(alice.clone(), subject).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert!(body
            .to_string()
            .contains("only for yourself and the people who report to you"));
    }
    let (_, form) = json(
        app.post_form("/app/request-form", &[("item_id", &badge)], Some(&alice))
            .await,
    )
    .await;
    assert_eq!(
        form["subjects"].as_array().unwrap().len(),
        1,
        "alice has no reports"
    );
    let bob = app.login("bob", DEMO_PASSWORD).await.expect("login");
    let (_, form) = json(
        app.post_form("/app/request-form", &[("item_id", &badge)], Some(&bob))
            .await,
    )
    .await;
    let offered: Vec<&str> = form["subjects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s[0].as_str().unwrap())
        .collect();
    assert_eq!(offered[0], "bob");
    assert!(
        offered.contains(&"frank") && !offered.contains(&"carol"),
        "{offered:?}"
    );
    let (status, body) = submit(bob.clone(), "frank").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let db = app.database().await;
    use sea_orm::{ConnectionTrait, Statement};
    let id = body["Started"]["workflow_id"].as_str().unwrap();
    let row = db
        .query_one(Statement::from_string(
            db.get_database_backend(),
            format!("SELECT initiator, subject_id FROM workflow_instances WHERE id = '{id}'"),
        ))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.try_get::<String>("", "initiator").unwrap(), "bob");
    assert_eq!(row.try_get::<String>("", "subject_id").unwrap(), "frank");
}

async fn a_cart_requests_several_items_all_or_nothing(app: TestApp) {
    let peggy = app.login("peggy", DEMO_PASSWORD).await.expect("login");
    let developer = catalog_id(&app, &peggy, "Developer").await;
    let crm = catalog_id(&app, &peggy, "CRM Account").await;
    for item in [&developer, &crm, &developer] {
        let response = app
            .post_form("/app/cart/add", &[("item_id", item)], Some(&peggy))
            .await;
        let (status, body) = json(response).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let (_, count) = json(app.post_form("/app/cart/count", &[], Some(&peggy)).await).await;
    assert_eq!(count, 2, "an item is in the cart once");
    let (_, cart) = json(app.post_form("/app/cart", &[], Some(&peggy)).await).await;
    let groups = cart["groups"].as_array().unwrap();
    assert_eq!(
        groups.len(),
        2,
        "a role and a resource go through different workflows: {cart}"
    );
    let count_requests = || async {
        let (_, mine) = json(app.post_form("/app/my-requests", &[], Some(&peggy)).await).await;
        mine.as_array().unwrap().len()
    };
    let before = count_requests().await;
    // The second group's justification is missing: nothing starts.
    let (status, outcome) = json(
        app.post_form(
            "/app/cart/submit",
            &[("fields[g0_justification][]", "new project")],
            Some(&peggy),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{outcome}");
    assert!(
        outcome["FormInvalid"]["errors"]
            .to_string()
            .contains("g1_justification"),
        "{outcome}"
    );
    assert_eq!(
        outcome["FormInvalid"]["values"]["g0_justification"][0], "new project",
        "what was typed comes back"
    );
    assert_eq!(count_requests().await, before);
    let (status, refused) = json(
        app.post_form("/app/cart/submit", &[("fields[g7_x][]", "?")], Some(&peggy))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{refused}");
    let (status, outcome) = json(
        app.post_form(
            "/app/cart/submit",
            &[
                ("fields[g0_justification][]", "new project"),
                ("fields[g1_justification][]", "new project"),
            ],
            Some(&peggy),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{outcome}");
    assert_eq!(
        outcome["Started"]["workflow_ids"].as_array().unwrap().len(),
        2
    );
    assert_eq!(count_requests().await, before + 2);
    let (_, count) = json(app.post_form("/app/cart/count", &[], Some(&peggy)).await).await;
    assert_eq!(count, 0, "the cart empties once requested");
}

async fn a_mailed_link_shows_first_and_decides_on_confirmation(app: TestApp) {
    use sea_orm::{ConnectionTrait, Statement};
    use sha2::Digest;
    let db = app.database().await;
    let backend = db.get_database_backend();
    let row = db
        .query_one(Statement::from_string(
            backend,
            // alice's 4-eye request: bob alone decides it (carol is not asked).
            "SELECT w.instance_id, w.run_seq FROM work_items w JOIN workflow_instances i ON i.id = w.instance_id WHERE w.username = 'bob' AND i.initiator = 'alice'",
        ))
        .await
        .unwrap()
        .expect("bob has an item");
    let instance: String = row.try_get("", "instance_id").unwrap();
    let run: i32 = row.try_get("", "run_seq").unwrap();
    let digest = |token: &str| -> String {
        sha2::Sha256::digest(token.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    };
    let expires = |days: i64| (chrono::Utc::now() + chrono::Duration::days(days)).to_rfc3339();
    // Valid longer than the links the demo's own mail carries (7 days), which a newer
    // link would replace.
    for (token, user, days) in [
        ("link-approve-bob", "bob", 8),
        ("link-expired-bob", "bob", -1),
        ("link-approve-carol", "carol", 8),
    ] {
        let sql = format!(
            "INSERT INTO decision_links (token_hash, instance_id, run_seq, username, verdict, expires_at) VALUES ('{}', '{instance}', {run}, '{user}', 'approve', '{}')",
            digest(token),
            expires(days)
        );
        db.execute(Statement::from_string(backend, sql))
            .await
            .unwrap();
    }
    let items = |db: sea_orm::DatabaseConnection, instance: String| async move {
        db.query_one(Statement::from_string(
            db.get_database_backend(),
            format!("SELECT COUNT(*) AS n FROM work_items WHERE instance_id = '{instance}' AND username = 'bob'"),
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get::<i64>("", "n")
        .unwrap()
    };
    // Opening the link needs no login and decides nothing.
    let page = app.get("/mail-decision?token=link-approve-bob", None).await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("Confirm approval"), "{html}");
    assert_eq!(items(db.clone(), instance.clone()).await, 1);
    let confirm = |token: &'static str| {
        let app = &app;
        async move {
            json(
                app.post_form("/app/mail-decision/confirm", &[("token", token)], None)
                    .await,
            )
            .await
        }
    };
    let (status, body) = confirm("link-expired-bob").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.to_string().contains("expired"), "{body}");
    let (status, body) = confirm("link-approve-carol").await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "a link for a non-approver decides nothing: {body}"
    );
    let (status, body) = confirm("link-approve-bob").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(items(db.clone(), instance.clone()).await, 0);
    let (status, body) = confirm("link-approve-bob").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.to_string().contains("already used"), "{body}");
    let (status, body) = confirm("no-such-link").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.to_string().contains("not valid"), "{body}");
}

async fn pages_speak_the_chosen_language_else_the_browsers(app: TestApp) {
    let bob = app.login("bob", DEMO_PASSWORD).await.expect("login");
    let english = app.get("/worklist", Some(&bob)).await.text().await.unwrap();
    assert!(english.contains(r#"<html lang="en""#), "{english}");
    assert!(english.contains("Worklist") && !english.contains("Arbeitsliste"));

    let german_browser = app
        .client
        .get(app.url("/worklist"))
        .header("cookie", &bob)
        .header("accept-language", "de-DE,de;q=0.9,en;q=0.5")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(german_browser.contains(r#"<html lang="de""#));
    assert!(german_browser.contains("Arbeitsliste"), "{german_browser}");
    // Titles from the definitions come in German too.
    assert!(
        german_browser.contains("Genehmigung durch den Vorgesetzten"),
        "{german_browser}"
    );
    // So do the item's history and why the user is asked, which the server writes.
    let start = german_browser
        .find("href=\"/worklist/")
        .expect("an item link")
        + 6;
    let link = &german_browser[start..start + german_browser[start..].find('"').unwrap()];
    let item = app
        .client
        .get(app.url(link))
        .header("cookie", &bob)
        .header("accept-language", "de")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(item.contains("gefragt: bob"), "{item}");
    assert!(
        item.contains("Sie sind ") && !item.contains("manager of"),
        "why bob is asked, in German: {item}"
    );

    // The choice wins over the browser, and the switch goes back to the page it was on.
    let switched = app
        .client
        .get(app.url("/lang?to=en"))
        .header("cookie", &bob)
        .header("referer", app.url("/worklist?sort=newest"))
        .send()
        .await
        .unwrap();
    assert!(switched.status().is_redirection());
    assert_eq!(location(&switched), "/worklist?sort=newest");
    let cookie = switched
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .unwrap()
        .to_owned();
    assert!(cookie.starts_with("assent_lang=en;"), "{cookie}");
    let chosen = app
        .client
        .get(app.url("/worklist"))
        .header("cookie", format!("{bob}; assent_lang=en"))
        .header("accept-language", "de")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(chosen.contains(r#"<html lang="en""#));
    // Elsewhere than this portal is never a destination.
    let outside = app
        .client
        .get(app.url("/lang?to=de"))
        .header("referer", "https://evil.example//evil.example/x")
        .send()
        .await
        .unwrap();
    assert_eq!(location(&outside), "/");
}

/// Pages with server data keep rendering while other servers start in the same process
/// (each start builds the route list, which once left a concurrently rendered page's
/// data pending forever: leptos-rs/leptos#4773).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_render_while_other_servers_start() {
    let app = TestApp::spawn(Backend::Sqlite).await.expect("sqlite app");
    let admin = app.login("admin", DEMO_PASSWORD).await.expect("login");
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
