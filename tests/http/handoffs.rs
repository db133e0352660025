//! `external` activities against a real Prefect 3 server (started by `./dev.sh test`,
//! which passes its API as `ASSENT_TEST_PREFECT_URL`) and a callback engine served by the
//! test itself: the hand-off, the callback, reconciliation of a lost callback, an engine
//! down at start, the failure path, and callbacks with wrong or spent secrets.

use crate::api::{instance, ok};
use crate::harness::{Backend, TestApp};
use assent::server::workflow::{SystemClock, Workflows};
use axum::extract::State;
use axum::routing::post;
use axum::Json;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::net::TcpListener;

/// Prefect's API for the tests; without it they say SKIPPED (and fail in CI).
fn prefect_url() -> Option<String> {
    match std::env::var("ASSENT_TEST_PREFECT_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!("CI=true but ASSENT_TEST_PREFECT_URL is not set: run the tests through ./dev.sh test");
            }
            eprintln!("SKIPPED: ASSENT_TEST_PREFECT_URL is not set (./dev.sh test starts Prefect)");
            None
        }
    }
}

macro_rules! with_prefect_on_both_databases {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some(prefect) = super::prefect_url() else { return };
                    super::$name(super::Backend::Sqlite, prefect).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some(prefect) = super::prefect_url() else { return };
                    if crate::common::postgres_url().is_none() {
                        return;
                    }
                    super::$name(super::Backend::Postgres, prefect).await;
                }
            )*
        }
    };
}

mod with_prefect {
    use super::*;
    with_prefect_on_both_databases!(
        a_workflow_hands_off_to_prefect_and_goes_on_with_the_result,
        a_lost_callback_is_found_by_reconciliation_and_applied_once,
        prefect_down_at_start_is_retried_shown_down_and_proceeds_when_back,
        a_failing_flow_takes_the_failure_path,
        an_overdue_prefect_run_is_cancelled_and_takes_the_failure_path,
    );
}

on_both_databases!(
    callbacks_with_a_wrong_or_spent_secret_are_refused_and_a_repeat_changes_nothing,
    a_hand_off_past_its_time_limit_takes_the_failure_path,
);

/// A port nothing listens on yet, for a server that must know its own address first.
async fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    listener.local_addr().unwrap().port()
}

/// The portal on `port` with `integrations` (TOML) as its integrations file.
async fn portal(backend: Backend, port: u16, integrations: &str) -> (TestApp, tempfile::TempDir) {
    let folder = tempfile::tempdir().unwrap();
    let file = folder.path().join("integrations.toml");
    std::fs::write(&file, integrations).unwrap();
    let bind = format!("127.0.0.1:{port}");
    let file = file.display().to_string();
    let app = TestApp::spawn_with(backend, &["--bind", &bind, "--integrations", &file])
        .await
        .expect("an app");
    (app, folder)
}

/// A definition `Test/<name>` that hands off `start` to `engine` at once, with a failure
/// path to a REJECTED status.
fn handing_off(name: &str, engine: &str, start: &str) -> String {
    format!(
        r#"
name = "{name}"
path = "Test/{name}"
operation = "assign"
subject_type = "user"
resource_type = "role"
request_workflow_type = "approval"
owner = "admin"

[[activity]]
id = "start"
type = "start"
next = "mailbox"

[[activity]]
id = "mailbox"
type = "external"
engine = "{engine}"
start = "{start}"
parameters = {{ user = "subject.id", display_name = "'Nina Berger'" }}
assign = [{{ target = "mail/address", expression = "flowdata.mailbox.mailbox" }}]
time_limit = "10m"
on_failure = "failed"
next = "accepted"

[[activity]]
id = "accepted"
type = "status"
application_state = "ACCEPTED"
next = "end"

[[activity]]
id = "failed"
type = "status"
application_state = "REJECTED"
next = "end"

[[activity]]
id = "end"
type = "finish"
"#
    )
}

/// Deploys `source` next to the running portal and starts a workflow of it for alice.
async fn start_workflow(app: &TestApp, source: &str) -> String {
    let workflows = Workflows::new(app.database().await, Arc::new(SystemClock));
    let outcome = workflows
        .deploy("test.toml", source, Some("admin"))
        .await
        .unwrap();
    let path = match outcome {
        assent::server::workflow::DeployOutcome::Deployed { path, .. }
        | assent::server::workflow::DeployOutcome::Unchanged { path, .. } => path,
    };
    let answer = ok(
        app,
        "createInstance",
        "admin",
        json!({
            "definition": {"nameFilter": {"path": path}},
            "subject": {"type": "infoOrder", "targetID": "alice", "objectType": "user"},
            "resources": [{"type": "addOrder", "targetID": "Developer", "objectType": "role"}],
        }),
    )
    .await;
    answer["workflowID"].as_str().unwrap().to_owned()
}

/// Waits (up to `seconds`) until the workflow has ended, and returns it.
async fn until_ended(app: &TestApp, id: &str, seconds: u64) -> Value {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    loop {
        let workflow = instance(app, id).await;
        if ["SUCCEEDED", "FAILED", "ABORTED"]
            .contains(&workflow["state"].as_str().unwrap_or_default())
        {
            return workflow;
        }
        assert!(
            Instant::now() < deadline,
            "the workflow never ended: {workflow}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// The hand-off row of workflow `id`, as text columns.
async fn handoff(
    app: &TestApp,
    id: &str,
) -> (String, Option<String>, Option<String>, Option<String>) {
    let row = app
        .row(&format!(
            "SELECT state, finished_by, result, error FROM handoffs WHERE instance_id = '{id}'"
        ))
        .await
        .expect("a hand-off row");
    (
        row.try_get("", "state").unwrap(),
        row.try_get("", "finished_by").unwrap(),
        row.try_get("", "result").unwrap(),
        row.try_get("", "error").unwrap(),
    )
}

async fn audits(app: &TestApp, action: &str, id: &str) -> i64 {
    app.scalar(&format!(
        "SELECT COUNT(*) AS n FROM audit_events WHERE action = '{action}' AND detail LIKE 'workflow {id}:%'"
    ))
    .await
}

/// The flowdata values at `path` of workflow `id`, as text.
async fn flowdata(app: &TestApp, id: &str, path: &str) -> Vec<String> {
    use sea_orm::EntityTrait;
    let stored = assent::server::entities::workflow_instance::Entity::find_by_id(id)
        .one(&app.database().await)
        .await
        .unwrap()
        .unwrap();
    let instance = assent::server::workflow::decode_stored(&stored).unwrap();
    let path = assent_engine::flowdata::FlowPath::parse(path).unwrap();
    instance
        .flowdata
        .get(&path)
        .iter()
        .map(|v| v.as_text())
        .collect()
}

async fn a_workflow_hands_off_to_prefect_and_goes_on_with_the_result(
    backend: Backend,
    prefect: String,
) {
    let port = free_port().await;
    let (app, _folder) = portal(
        backend,
        port,
        &format!(
            "[engines.prefect]\nkind = \"prefect\"\nurl = \"{prefect}\"\nhealth_every = \"1s\"\n"
        ),
    )
    .await;
    let id = start_workflow(
        &app,
        &handing_off("Mailbox", "prefect", "create-mailbox/assent"),
    )
    .await;

    let workflow = until_ended(&app, &id, 90).await;
    assert_eq!(workflow["applicationState"], "ACCEPTED", "{workflow}");
    let (state, by, result, _) = handoff(&app, &id).await;
    assert_eq!(
        (state.as_str(), by.as_deref()),
        ("completed", Some("callback"))
    );
    let result: Value = serde_json::from_str(&result.unwrap()).unwrap();
    assert_eq!(result["mailbox"], "alice@mail.example.com");
    // The answer is in flowdata, and mapped where the definition said.
    assert_eq!(
        flowdata(&app, &id, "mail/address").await,
        ["alice@mail.example.com"]
    );
    assert_eq!(audits(&app, "workflow.handed_off", &id).await, 1);
    assert_eq!(audits(&app, "workflow.handoff_completed", &id).await, 1);

    // The requester's page shows the hand-off, the result and the time taken.
    let page = app
        .text(
            &format!("/requests/{id}"),
            Some(&app.session("admin").await),
        )
        .await;
    assert!(
        page.contains("handed off to prefect: create-mailbox/assent (run "),
        "{page}"
    );
    assert!(page.contains("completed after "), "{page}");
    assert!(page.contains("alice@mail.example.com"), "{page}");

    // Health: up, nothing waiting, on /readyz and /metrics.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let ready = app.text("/readyz", None).await;
        if ready.contains("engine prefect: up, 0 waiting") {
            break;
        }
        assert!(Instant::now() < deadline, "{ready}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let metrics = app.text("/metrics", None).await;
    assert!(
        metrics.contains("assent_external_engine_up{engine=\"prefect\"} 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("assent_external_handoffs_waiting{engine=\"prefect\"} 0"),
        "{metrics}"
    );
}

async fn a_lost_callback_is_found_by_reconciliation_and_applied_once(
    backend: Backend,
    prefect: String,
) {
    let port = free_port().await;
    // The flow calls back to a dead address: nothing answers on port 9.
    let (app, _folder) = portal(
        backend,
        port,
        &format!(
            "[engines.prefect]\nkind = \"prefect\"\nurl = \"{prefect}\"\ncallback_base = \"http://127.0.0.1:9\"\nreconcile_after = \"1s\"\n"
        ),
    )
    .await;
    let id = start_workflow(
        &app,
        &handing_off("Lost", "prefect", "create-mailbox/assent"),
    )
    .await;
    let workflow = until_ended(&app, &id, 90).await;
    assert_eq!(workflow["applicationState"], "ACCEPTED", "{workflow}");
    let (state, by, result, _) = handoff(&app, &id).await;
    assert_eq!(
        (state.as_str(), by.as_deref()),
        ("completed", Some("reconciliation"))
    );
    assert!(result.unwrap().contains("alice@mail.example.com"));
    assert_eq!(
        flowdata(&app, &id, "mail/address").await,
        ["alice@mail.example.com"]
    );
    // Reconciliation goes on every second: the run is still completed once.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(audits(&app, "workflow.handoff_completed", &id).await, 1);
    assert_eq!(instance(&app, &id).await["state"], "SUCCEEDED");
}

/// Forwards every connection on `listener` to `target` (Prefect), so a test can have
/// Prefect "come back" on an address that was dead.
fn forward(listener: TcpListener, target: String) {
    tokio::spawn(async move {
        while let Ok((mut inbound, _)) = listener.accept().await {
            let target = target.clone();
            tokio::spawn(async move {
                if let Ok(mut outbound) = tokio::net::TcpStream::connect(target).await {
                    let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                }
            });
        }
    });
}

async fn prefect_down_at_start_is_retried_shown_down_and_proceeds_when_back(
    backend: Backend,
    prefect: String,
) {
    let prefect_address = reqwest::Url::parse(&prefect).unwrap();
    let target = format!(
        "{}:{}",
        prefect_address.host_str().unwrap(),
        prefect_address.port().unwrap()
    );
    let down = free_port().await;
    let port = free_port().await;
    let (app, _folder) = portal(
        backend,
        port,
        &format!(
            "[engines.prefect]\nkind = \"prefect\"\nurl = \"http://127.0.0.1:{down}/api\"\nhealth_every = \"1s\"\n"
        ),
    )
    .await;
    let id = start_workflow(
        &app,
        &handing_off("Down", "prefect", "create-mailbox/assent"),
    )
    .await;

    // Not started: the start waits to be tried again, its error kept; health says down.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (state, _, _, error) = handoff(&app, &id).await;
        let ready = app.text("/readyz", None).await;
        if state == "starting"
            && error
                .as_deref()
                .is_some_and(|e| e.contains("cannot connect"))
            && ready.contains("engine prefect: down, 1 waiting, last error: cannot connect")
        {
            break;
        }
        assert!(Instant::now() < deadline, "{state} {error:?} {ready}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let metrics = app.text("/metrics", None).await;
    assert!(
        metrics.contains("assent_external_engine_up{engine=\"prefect\"} 0"),
        "{metrics}"
    );
    let page = app
        .text(
            &format!("/requests/{id}"),
            Some(&app.session("admin").await),
        )
        .await;
    assert!(
        page.contains(
            "not started yet: starting create-mailbox/assent in prefect: Prefect: cannot connect"
        ),
        "{page}"
    );

    // Prefect comes back on that address: the retry starts it and the workflow goes on.
    forward(
        TcpListener::bind(("127.0.0.1", down)).await.unwrap(),
        target,
    );
    let workflow = until_ended(&app, &id, 90).await;
    assert_eq!(workflow["applicationState"], "ACCEPTED", "{workflow}");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !app
        .text("/readyz", None)
        .await
        .contains("engine prefect: up")
    {
        assert!(Instant::now() < deadline, "health never came back up");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn a_failing_flow_takes_the_failure_path(backend: Backend, prefect: String) {
    let port = free_port().await;
    let (app, _folder) = portal(
        backend,
        port,
        &format!("[engines.prefect]\nkind = \"prefect\"\nurl = \"{prefect}\"\n"),
    )
    .await;
    let id = start_workflow(
        &app,
        &handing_off("Failing", "prefect", "always-fails/assent"),
    )
    .await;
    let workflow = until_ended(&app, &id, 90).await;
    assert_eq!(workflow["applicationState"], "REJECTED", "{workflow}");
    let (state, by, _, error) = handoff(&app, &id).await;
    assert_eq!(
        (state.as_str(), by.as_deref()),
        ("failed", Some("callback"))
    );
    assert!(error.unwrap().contains("mailbox quota service refused"));
    let reason = flowdata(&app, &id, "mailbox/error").await.join(" ");
    assert!(reason.contains("mailbox quota service refused"), "{reason}");
    assert_eq!(audits(&app, "workflow.handoff_failed", &id).await, 1);
}

/// What a callback engine served by the test was asked to start.
#[derive(Clone, Default)]
struct Starts(Arc<Mutex<Vec<Value>>>);

async fn record_start(State(starts): State<Starts>, Json(body): Json<Value>) -> Json<Value> {
    let key = body["key"].clone();
    starts.0.lock().unwrap().push(body);
    Json(json!({ "id": format!("ticket-{}", key.as_str().unwrap_or_default()) }))
}

async fn callbacks_with_a_wrong_or_spent_secret_are_refused_and_a_repeat_changes_nothing(
    app: TestApp,
) {
    // A callback engine: the test's own HTTP server takes the starts.
    let starts = Starts::default();
    let engine = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let engine_url = format!("http://{}/start", engine.local_addr().unwrap());
    let router = axum::Router::new()
        .route("/start", post(record_start))
        .with_state(starts.clone());
    tokio::spawn(async move { axum::serve(engine, router).await });
    let backend = app.backend();
    drop(app);
    let port = free_port().await;
    let (app, _folder) = portal(
        backend,
        port,
        &format!("[engines.tickets]\nkind = \"callback\"\nurl = \"{engine_url}\"\n"),
    )
    .await;

    let id = start_workflow(
        &app,
        &handing_off("Tickets", "tickets", "open-mailbox-ticket"),
    )
    .await;
    let deadline = Instant::now() + Duration::from_secs(20);
    let start = loop {
        if let Some(start) = starts.0.lock().unwrap().first().cloned() {
            break start;
        }
        assert!(Instant::now() < deadline, "the engine was never asked");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(start["start"], "open-mailbox-ticket");
    assert_eq!(start["parameters"]["user"], "alice");
    assert_eq!(start["parameters"]["display_name"], "Nina Berger");
    let callback = start["callback"]["url"].as_str().unwrap().to_owned();
    let token = start["callback"]["token"].as_str().unwrap().to_owned();
    assert!(callback.starts_with(&format!(
        "http://127.0.0.1:{port}/api/external/v1/callback/"
    )));
    // The secret is not kept: only its digest.
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) AS n FROM handoffs WHERE secret_hash = '{token}'"
        ))
        .await,
        0
    );
    // Nor in the job that started the run, once it has.
    let deadline = Instant::now() + Duration::from_secs(10);
    while app
        .scalar(&format!(
            "SELECT COUNT(*) AS n FROM jobs WHERE payload LIKE '%{token}%'"
        ))
        .await
        > 0
    {
        assert!(
            Instant::now() < deadline,
            "the secret stays in the job table"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Health and the waiting hand-off, on /readyz and the administrators' overview.
    let deadline = Instant::now() + Duration::from_secs(10);
    while !app
        .text("/readyz", None)
        .await
        .contains("engine tickets: up, 1 waiting")
    {
        assert!(
            Instant::now() < deadline,
            "{}",
            app.text("/readyz", None).await
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let admin = app.session("admin").await;
    let overview = app
        .post_form("/app/admin/overview", &[], Some(&admin))
        .await;
    let overview: Value = serde_json::from_str(&overview.text().await.unwrap()).unwrap();
    let engine = &overview["engines"][0];
    assert_eq!(
        (engine["name"].as_str(), engine["kind"].as_str()),
        (Some("tickets"), Some("callback"))
    );
    assert_eq!(
        (engine["state"].as_str(), engine["waiting"].as_u64()),
        (Some("up"), Some(1)),
        "{overview}"
    );
    let page = app.text("/admin", Some(&admin)).await;
    assert!(
        page.contains("External workflow engines") && page.contains("tickets"),
        "{page}"
    );

    let report = json!({"state": "COMPLETED", "result": {"mailbox": "alice@mail.example.com", "ticket": 4711}});
    let send = |token: String, body: Value| {
        let client = app.client.clone();
        let callback = callback.clone();
        async move {
            let response = client
                .post(&callback)
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .unwrap();
            let status = response.status();
            (
                status,
                response.json::<Value>().await.unwrap_or(Value::Null),
            )
        }
    };

    // Wrong secret, no secret, unknown hand-off: refused alike, nothing changes.
    let (status, answer) = send("not-the-secret".into(), report.clone()).await;
    assert_eq!(
        (status, answer["error"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("unauthorized"))
    );
    let bare = app
        .client
        .post(&callback)
        .json(&report)
        .send()
        .await
        .unwrap();
    assert_eq!(bare.status(), StatusCode::UNAUTHORIZED);
    let unknown = callback.replace(&callback[callback.len() - 32..], &"0".repeat(32));
    let elsewhere = app
        .client
        .post(&unknown)
        .bearer_auth(&token)
        .json(&report)
        .send()
        .await
        .unwrap();
    assert_eq!(elsewhere.status(), StatusCode::UNAUTHORIZED);
    // A bad report names its mistake.
    let (status, answer) = send(token.clone(), json!({"state": "DONE"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    assert!(answer["message"]
        .as_str()
        .unwrap()
        .contains("COMPLETED, FAILED or CANCELLED"));
    let (status, answer) = send(token.clone(), json!({"state": "COMPLETED", "result": [1]})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        answer["message"].as_str().unwrap().starts_with("result:"),
        "{answer}"
    );
    assert_eq!(instance(&app, &id).await["state"], "RUNNING");

    // The good one goes through; a repeat changes nothing.
    let (status, answer) = send(token.clone(), report.clone()).await;
    assert_eq!(
        (status, answer["outcome"].as_str()),
        (StatusCode::OK, Some("applied")),
        "{answer}"
    );
    let workflow = until_ended(&app, &id, 10).await;
    assert_eq!(workflow["applicationState"], "ACCEPTED");
    assert_eq!(flowdata(&app, &id, "mailbox/ticket").await, ["4711"]);
    let version = workflow["version"].clone();
    let (status, answer) = send(token.clone(), json!({"state": "FAILED", "message": "late"})).await;
    assert_eq!(
        (status, answer["outcome"].as_str()),
        (StatusCode::OK, Some("alreadySettled"))
    );
    assert_eq!(instance(&app, &id).await["version"], version);
    assert_eq!(audits(&app, "workflow.handoff_completed", &id).await, 1);
    assert_eq!(handoff(&app, &id).await.0, "completed");

    // A hand-off whose workflow went on without it: its secret is spent.
    let second = start_workflow(
        &app,
        &handing_off("Tickets", "tickets", "open-mailbox-ticket"),
    )
    .await;
    let deadline = Instant::now() + Duration::from_secs(20);
    let start = loop {
        if let Some(start) = starts.0.lock().unwrap().get(1).cloned() {
            break start;
        }
        assert!(
            Instant::now() < deadline,
            "the engine was never asked again"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    ok(&app, "abort", "admin", json!({"workflowID": second})).await;
    let callback = start["callback"]["url"].as_str().unwrap().to_owned();
    let token = start["callback"]["token"].as_str().unwrap().to_owned();
    let answer = app
        .client
        .post(&callback)
        .bearer_auth(&token)
        .json(&report)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::CONFLICT);
    let answer: Value = answer.json().await.unwrap();
    assert_eq!(answer["error"], "handoffClosed");
    assert_eq!(handoff(&app, &second).await.0, "closed");
    let again = app
        .client
        .post(&callback)
        .bearer_auth(&token)
        .json(&report)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::CONFLICT);
}

async fn a_hand_off_past_its_time_limit_takes_the_failure_path(app: TestApp) {
    // An engine that takes the start and never answers.
    let starts = Starts::default();
    let engine = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let engine_url = format!("http://{}/start", engine.local_addr().unwrap());
    let router = axum::Router::new()
        .route("/start", post(record_start))
        .with_state(starts.clone());
    tokio::spawn(async move { axum::serve(engine, router).await });
    let backend = app.backend();
    drop(app);
    let (app, _folder) = portal(
        backend,
        free_port().await,
        &format!("[engines.tickets]\nkind = \"callback\"\nurl = \"{engine_url}\"\n"),
    )
    .await;
    let source = handing_off("Slow", "tickets", "open-mailbox-ticket").replace("\"10m\"", "\"2s\"");
    let id = start_workflow(&app, &source).await;
    let workflow = until_ended(&app, &id, 30).await;
    assert_eq!(workflow["applicationState"], "REJECTED", "{workflow}");
    assert_eq!(starts.0.lock().unwrap().len(), 1, "started once");
    let (state, by, _, error) = handoff(&app, &id).await;
    assert_eq!(
        (state.as_str(), by.as_deref()),
        ("failed", Some("time limit"))
    );
    assert!(error
        .unwrap()
        .contains("no answer within the time limit of 2 s"));
    let reason = flowdata(&app, &id, "mailbox/error").await.join(" ");
    assert!(reason.contains("time limit"), "{reason}");
}

async fn an_overdue_prefect_run_is_cancelled_and_takes_the_failure_path(
    backend: Backend,
    prefect: String,
) {
    let (app, _folder) = portal(
        backend,
        free_port().await,
        &format!("[engines.prefect]\nkind = \"prefect\"\nurl = \"{prefect}\"\n"),
    )
    .await;
    // The flow takes a minute; the definition allows it four seconds.
    let source = handing_off("Overdue", "prefect", "create-mailbox/assent")
        .replace("display_name = ", "delay_seconds = \"60\", display_name = ")
        .replace("\"10m\"", "\"4s\"");
    let id = start_workflow(&app, &source).await;
    let workflow = until_ended(&app, &id, 60).await;
    assert_eq!(workflow["applicationState"], "REJECTED", "{workflow}");
    let (state, by, _, error) = handoff(&app, &id).await;
    assert_eq!(
        (state.as_str(), by.as_deref()),
        ("failed", Some("time limit"))
    );
    assert!(error.unwrap().contains("time limit of 4 s"));
    // Prefect was asked to stop the run.
    let reference: String = app
        .row(&format!(
            "SELECT external_ref FROM handoffs WHERE instance_id = '{id}'"
        ))
        .await
        .unwrap()
        .try_get("", "external_ref")
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let run: Value = app
            .client
            .get(format!("{prefect}/flow_runs/{reference}"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let state = run["state"]["type"].as_str().unwrap_or_default().to_owned();
        if state == "CANCELLING" || state == "CANCELLED" {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the Prefect run was not cancelled: {run}"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}
