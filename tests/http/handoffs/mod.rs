//! `external` activities against a real Prefect 3 server (started by `./dev.sh test`,
//! which passes its API as `ASSENT_TEST_PREFECT_URL`): the hand-off and its callback,
//! reconciliation of a lost callback, Prefect down at start, the failure path, a time
//! limit; and (in `callbacks`) a callback engine served by the test itself.

use crate::api::{instance, ok};
use crate::harness::{Backend, TestApp};
use assent::server::workflow::{SystemClock, Workflows};
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

mod callbacks;

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

/// The portal with `integrations` (TOML) as its integrations file, on a port chosen
/// before it starts (its callback URL names it).
async fn portal(backend: Backend, integrations: &str) -> (TestApp, tempfile::TempDir) {
    let folder = tempfile::tempdir().unwrap();
    let file = folder.path().join("integrations.toml");
    std::fs::write(&file, integrations).unwrap();
    let bind = format!("127.0.0.1:{}", free_port().await);
    let file = file.display().to_string();
    let app = TestApp::spawn_with(backend, &["--bind", &bind, "--integrations", &file])
        .await
        .expect("an app");
    (app, folder)
}

/// A port nothing listens on yet.
async fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    listener.local_addr().unwrap().port()
}

/// The integrations file naming Prefect at `url` as `prefect`, with `extra` keys.
fn prefect_engine(url: &str, extra: &str) -> String {
    format!("[engines.prefect]\nkind = \"prefect\"\nurl = \"{url}\"\n{extra}")
}

/// Waits until `check` holds, polling; fails naming `what` after `seconds`.
async fn eventually<F, Fut>(seconds: u64, what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(seconds);
    while !check().await {
        assert!(Instant::now() < deadline, "never: {what}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Waits until `/readyz` has `line`.
async fn ready_says(app: &TestApp, line: &str) {
    eventually(15, line, || async {
        app.text("/readyz", None).await.contains(line)
    })
    .await;
}

/// Starts a workflow of `source` and waits (up to `seconds`) until it has ended.
async fn run_to_end(app: &TestApp, source: &str, seconds: u64) -> (String, Value) {
    let id = start_workflow(app, source).await;
    let workflow = until_ended(app, &id, seconds).await;
    (id, workflow)
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
    let (app, _folder) = portal(
        backend,
        &prefect_engine(&prefect, "health_every = \"1s\"\n"),
    )
    .await;
    let mailbox = handing_off("Mailbox", "prefect", "create-mailbox/assent");
    let (id, workflow) = run_to_end(&app, &mailbox, 90).await;
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
    let admin = app.session("admin").await;
    let page = app.text(&format!("/requests/{id}"), Some(&admin)).await;
    assert!(
        page.contains("handed off to prefect: create-mailbox/assent (run "),
        "{page}"
    );
    assert!(page.contains("completed after "), "{page}");
    assert!(page.contains("alice@mail.example.com"), "{page}");

    // Health: up, nothing waiting, on /readyz and /metrics.
    ready_says(&app, "engine prefect: up, 0 waiting").await;
    let metrics = app.text("/metrics", None).await;
    for line in [
        "assent_external_engine_up{engine=\"prefect\"} 1",
        "assent_external_handoffs_waiting{engine=\"prefect\"} 0",
    ] {
        assert!(metrics.contains(line), "{metrics}");
    }
}

async fn a_lost_callback_is_found_by_reconciliation_and_applied_once(
    backend: Backend,
    prefect: String,
) {
    // The flow calls back to a dead address: nothing answers on port 9.
    let dead_callback = "callback_base = \"http://127.0.0.1:9\"\nreconcile_after = \"1s\"\n";
    let (app, _folder) = portal(backend, &prefect_engine(&prefect, dead_callback)).await;
    let lost = handing_off("Lost", "prefect", "create-mailbox/assent");
    let (id, workflow) = run_to_end(&app, &lost, 90).await;
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
    let (app, _folder) = portal(
        backend,
        &prefect_engine(
            &format!("http://127.0.0.1:{down}/api"),
            "health_every = \"1s\"\n",
        ),
    )
    .await;
    let id = start_workflow(
        &app,
        &handing_off("Down", "prefect", "create-mailbox/assent"),
    )
    .await;

    // Not started: the start waits to be tried again, its error kept; health says down.
    eventually(
        20,
        "a start refused, kept as the hand-off's error",
        || async {
            let (state, _, _, error) = handoff(&app, &id).await;
            state == "starting" && error.is_some_and(|e| e.contains("cannot connect"))
        },
    )
    .await;
    ready_says(
        &app,
        "engine prefect: down, 1 waiting, last error: cannot connect",
    )
    .await;
    let metrics = app.text("/metrics", None).await;
    assert!(
        metrics.contains("assent_external_engine_up{engine=\"prefect\"} 0"),
        "{metrics}"
    );
    let admin = app.session("admin").await;
    let page = app.text(&format!("/requests/{id}"), Some(&admin)).await;
    let waiting =
        "not started yet: starting create-mailbox/assent in prefect: Prefect: cannot connect";
    assert!(page.contains(waiting), "{page}");

    // Prefect comes back on that address: the retry starts it and the workflow goes on.
    forward(
        TcpListener::bind(("127.0.0.1", down)).await.unwrap(),
        target,
    );
    let workflow = until_ended(&app, &id, 90).await;
    assert_eq!(workflow["applicationState"], "ACCEPTED", "{workflow}");
    ready_says(&app, "engine prefect: up").await;
}

async fn a_failing_flow_takes_the_failure_path(backend: Backend, prefect: String) {
    let (app, _folder) = portal(backend, &prefect_engine(&prefect, "")).await;
    let failing = handing_off("Failing", "prefect", "always-fails/assent");
    let (id, workflow) = run_to_end(&app, &failing, 90).await;
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

async fn an_overdue_prefect_run_is_cancelled_and_takes_the_failure_path(
    backend: Backend,
    prefect: String,
) {
    let (app, _folder) = portal(backend, &prefect_engine(&prefect, "")).await;
    // The flow takes a minute; the definition allows it four seconds.
    let overdue = handing_off("Overdue", "prefect", "create-mailbox/assent")
        .replace("display_name = ", "delay_seconds = \"60\", display_name = ")
        .replace("\"10m\"", "\"4s\"");
    let (id, workflow) = run_to_end(&app, &overdue, 60).await;
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
    let run = format!("{prefect}/flow_runs/{reference}");
    eventually(30, "the Prefect run cancelled", || async {
        let run: Value = app
            .client
            .get(&run)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        matches!(
            run["state"]["type"].as_str(),
            Some("CANCELLING" | "CANCELLED")
        )
    })
    .await;
}
