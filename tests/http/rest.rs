//! `rest` activities against a real HTTP service the test serves itself (axum on
//! 127.0.0.1:0, counting requests and recording their headers and bodies): a call that
//! succeeds and whose answer is mapped, a timeout, 5xx retried, 4xx not retried, the
//! credential sent and nowhere shown, and a start refused for a missing credential.

use crate::api::{activity, instance, ok, role_order};
use crate::harness::{Backend, TestApp};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use clap::Parser;
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const TOKEN: &str = "hr-token-0f5a9c";
const API_KEY: &str = "tickets-key-77d1";

/// Generates one test per backend from an `async fn(Backend)`.
macro_rules! rest_on_both_databases {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(super::Backend::Sqlite).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if crate::common::postgres_url().is_none() {
                        return;
                    }
                    super::$name(super::Backend::Postgres).await;
                }
            )*
        }
    };
}

rest_on_both_databases!(
    a_call_succeeds_and_its_answer_is_mapped,
    a_call_that_times_out_waits_in_error,
    server_errors_are_retried_and_client_errors_are_not,
);

/// One request the service received.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    path: String,
    query: Option<String>,
    headers: HeaderMap,
    body: String,
}

/// What the service received, in order.
#[derive(Clone, Default)]
struct Service {
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Service {
    /// The requests for `path` so far.
    fn requests_for(&self, path: &str) -> Vec<Seen> {
        let seen = self.seen.lock().unwrap();
        seen.iter().filter(|s| s.path == path).cloned().collect()
    }
}

/// The service's answers, by path (under `/api`): `/employees/<name>` creates, `/slow`
/// answers after three seconds, `/flaky` fails twice, `/down` always, `/missing` is not
/// found, `/text` answers plain text, `/tickets` answers JSON.
async fn answer(
    State(service): State<Service>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path().to_owned();
    let earlier = {
        let mut seen = service.seen.lock().unwrap();
        let earlier = seen.iter().filter(|s| s.path == path).count();
        seen.push(Seen {
            method: method.to_string(),
            path: path.clone(),
            query: uri.query().map(str::to_owned),
            headers,
            body: String::from_utf8_lossy(&body).into_owned(),
        });
        earlier
    };
    match path.as_str() {
        "/api/slow" => {
            tokio::time::sleep(Duration::from_secs(3)).await;
            StatusCode::OK.into_response()
        }
        "/api/flaky" if earlier < 2 => StatusCode::SERVICE_UNAVAILABLE.into_response(),
        "/api/flaky" => axum::Json(json!({"ok": true})).into_response(),
        "/api/down" => StatusCode::SERVICE_UNAVAILABLE.into_response(),
        "/api/text" => "plain answer".into_response(),
        "/api/tickets" => axum::Json(json!({"ticket": "T-7"})).into_response(),
        created if created.starts_with("/api/employees/") => {
            let answer = json!({
                "employeeId": "E-42",
                "name": created.trim_start_matches("/api/employees/"),
                "roles": [{"name": "Analyst"}, {"name": "Viewer"}],
            });
            (StatusCode::CREATED, axum::Json(answer)).into_response()
        }
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

/// Serves the service on a free port.
async fn serve() -> (SocketAddr, Service) {
    let service = Service::default();
    let router = axum::Router::new()
        .fallback(answer)
        .with_state(service.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, router).await.unwrap();
    });
    (address, service)
}

/// The integrations file for a service at `address`: `hr` (bearer token, two retries),
/// `slow` (a short timeout, no retries) and `tickets` (an API key header).
fn integrations_file(address: SocketAddr) -> tempfile::NamedTempFile {
    let file = tempfile::NamedTempFile::new().unwrap();
    let text = format!(
        r#"
[endpoints.hr]
url = "http://{address}/api"
timeout = "2s"
retries = 2
backoff = "50ms"
success = [200, 201]
auth = {{ bearer_env = "TEST_HR_TOKEN" }}

[endpoints.slow]
url = "http://{address}/api/"
timeout = "300ms"
retries = 0

[endpoints.tickets]
url = "http://{address}/api"
auth = {{ header = "X-Api-Key", value_env = "TEST_TICKETS_KEY" }}
"#
    );
    std::fs::write(file.path(), text).unwrap();
    file
}

/// The portal, its job runner quick, with the credentials in its environment.
async fn portal(backend: Backend, integrations: &tempfile::NamedTempFile) -> Option<TestApp> {
    let path = integrations.path().display().to_string();
    TestApp::spawn_with_env(
        backend,
        &["--integrations", &path, "--job-interval-ms", "50"],
        &[("TEST_HR_TOKEN", TOKEN), ("TEST_TICKETS_KEY", API_KEY)],
    )
    .await
}

/// Deploys a definition `name` whose activity `call` is a rest activity with `keys`, as
/// an administrator would, and returns its path.
pub(super) async fn deploy(app: &TestApp, name: &str, keys: &str) -> String {
    let path = format!("My-Company/Test/{name}");
    let source = format!(
        r#"
name = "{name}"
path = "{path}"
operation = "assign"
subject_type = "user"
resource_type = "role"
request_workflow_type = "approval"
owner = "admin"

[[activity]]
id = "start"
type = "start"
next = "call"

[[activity]]
id = "call"
type = "rest"
{keys}
next = "end"

[[activity]]
id = "end"
type = "finish"
"#
    );
    let admin = app.session("admin").await;
    let file = format!("{name}.toml");
    let (status, answer) = app
        .server_fn(
            "/app/admin/deploy",
            &[("file_name", &file), ("source", &source)],
            Some(&admin),
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::OK, "{answer}");
    path
}

/// Starts a workflow of the definition at `path` for alice (the Developer role), with the
/// context attributes `context`, and waits until its call has ended one way or the
/// other; the workflow as an administrator reads it.
pub(super) async fn run(app: &TestApp, path: &str, context: Value) -> Value {
    let mut request = role_order("alice", "Developer");
    request["definition"] = json!({"nameFilter": {"path": path}});
    request["context"] = context;
    let id = ok(app, "createInstance", "admin", request).await["workflowID"]
        .as_str()
        .unwrap()
        .to_owned();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let workflow = instance(app, &id).await;
        if activity(&workflow, "call")["state"] != "RUNNING" {
            return workflow;
        }
        assert!(
            Instant::now() < deadline,
            "the call never ended: {workflow}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The detail of the step `call` on the request's timeline, as its page shows it.
async fn timeline_of_call(app: &TestApp, workflow: &Value) -> String {
    let admin = app.session("admin").await;
    let id = workflow["workflowID"].as_str().unwrap();
    let (status, page) = app
        .server_fn("/app/request", &[("workflow_id", id)], Some(&admin))
        .await;
    assert_eq!(status, reqwest::StatusCode::OK, "{page}");
    page["history"]
        .as_array()
        .unwrap()
        .iter()
        .find(|line| line["step"] == "call")
        .unwrap_or_else(|| panic!("no step call in {page}"))["detail"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// No table holds a credential (the audit trail, the jobs, the workflows).
async fn assert_no_secret_stored(app: &TestApp) {
    for secret in [TOKEN, API_KEY] {
        for (table, column) in [
            ("audit_events", "detail"),
            ("jobs", "payload"),
            ("jobs", "last_error"),
            ("workflow_instances", "data"),
        ] {
            let count = app
                .scalar(&format!(
                    "SELECT COUNT(*) AS n FROM {table} WHERE {column} LIKE '%{secret}%'"
                ))
                .await;
            assert_eq!(count, 0, "{secret} in {table}.{column}");
        }
    }
}

async fn a_call_succeeds_and_its_answer_is_mapped(backend: Backend) {
    let (address, service) = serve().await;
    let integrations = integrations_file(address);
    let Some(app) = portal(backend, &integrations).await else {
        return;
    };
    let hire = deploy(
        &app,
        "Rest-Hire",
        r#"endpoint = "hr"
method = "post"
path = "/employees/{subject.id}"
body = { name = "subject.id", roles = "['Analyst', 'Viewer']", ticket = "flowdata.context.ticket" }
assign = [
  { target = "context/employeeId", expression = "response.body.employeeId" },
  { target = "context/status", expression = "response.status" },
  { target = "context/secondRole", expression = "response.body.roles['1'].name" },
]"#,
    )
    .await;
    let workflow = run(&app, &hire, json!({"ticket": ["T-1"]})).await;
    assert_eq!(workflow["state"], "SUCCEEDED", "{workflow}");
    assert_eq!(workflow["context"]["employeeId"], json!(["E-42"]));
    assert_eq!(workflow["context"]["status"], json!(["201"]));
    assert_eq!(workflow["context"]["secondRole"], json!(["Viewer"]));

    // One call, with the body computed from flowdata and the credential in its header.
    let calls = service.requests_for("/api/employees/alice");
    assert_eq!(calls.len(), 1, "{calls:?}");
    let call = &calls[0];
    assert_eq!(call.method, "POST");
    let sent: Value = serde_json::from_str(&call.body).unwrap();
    assert_eq!(
        sent,
        json!({"name": "alice", "roles": ["Analyst", "Viewer"], "ticket": "T-1"})
    );
    assert_eq!(call.headers["authorization"], format!("Bearer {TOKEN}"));
    assert_eq!(call.headers["content-type"], "application/json");
    let run_seq = activity(&workflow, "call")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let id = workflow["workflowID"].as_str().unwrap();
    assert_eq!(call.headers["idempotency-key"], format!("{id}-{run_seq}"));

    // The timeline and the audit trail show the call and its status, no credential.
    let detail = timeline_of_call(&app, &workflow).await;
    assert!(
        detail.starts_with("POST hr /employees/alice → 201 Created in "),
        "{detail}"
    );
    let like = format!("%{id}%POST hr /employees/alice → 201 Created in %");
    let audited = app.audited("workflow.rest", &like).await;
    assert_eq!(audited, 1);

    // A plain-text answer is kept as text; another endpoint sends its own key header.
    for (name, endpoint, path, answer, expected) in [
        (
            "Rest-Text",
            "slow",
            "/text",
            "response.body",
            "plain answer",
        ),
        (
            "Rest-Tickets",
            "tickets",
            "/tickets",
            "response.body.ticket",
            "T-7",
        ),
    ] {
        let keys = format!(
            r#"endpoint = "{endpoint}"
path = "{path}"
assign = [{{ target = "context/answer", expression = "{answer}" }}]"#
        );
        let definition = deploy(&app, name, &keys).await;
        let workflow = run(&app, &definition, json!({})).await;
        assert_eq!(workflow["context"]["answer"], json!([expected]), "{name}");
    }
    let call = &service.requests_for("/api/tickets")[0];
    assert_eq!(call.headers["x-api-key"], API_KEY);
    assert!(!call.headers.contains_key("authorization"));
    assert!(
        service.requests_for("/api/text")[0]
            .headers
            .get("authorization")
            .is_none(),
        "an endpoint without auth sends none"
    );
    assert_no_secret_stored(&app).await;
}

async fn a_call_that_times_out_waits_in_error(backend: Backend) {
    let (address, service) = serve().await;
    let integrations = integrations_file(address);
    let Some(app) = portal(backend, &integrations).await else {
        return;
    };
    let slow = deploy(&app, "Rest-Slow", "endpoint = \"slow\"\npath = \"/slow\"").await;
    let started = Instant::now();
    let workflow = run(&app, &slow, json!({})).await;
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "the portal did not wait for the answer"
    );
    let call = activity(&workflow, "call");
    assert_eq!(call["state"], "WAIT_IN_ERROR", "{workflow}");
    assert_eq!(workflow["state"], "RUNNING");
    let error = call["error"].as_str().unwrap();
    assert!(
        error.starts_with("GET slow /slow → timed out after ")
            && error.ends_with(": no retries configured"),
        "{error}"
    );
    assert_eq!(service.requests_for("/api/slow").len(), 1);
    assert_eq!(timeline_of_call(&app, &workflow).await, error);

    // An endpoint the file does not configure fails at once, saying so.
    let unknown = deploy(&app, "Rest-Unknown", "endpoint = \"payroll\"").await;
    let workflow = run(&app, &unknown, json!({})).await;
    let call = activity(&workflow, "call");
    assert_eq!(call["state"], "WAIT_IN_ERROR", "{workflow}");
    assert!(
        call["error"]
            .as_str()
            .unwrap()
            .contains("the integrations file configures no endpoint \"payroll\""),
        "{call}"
    );
}

async fn server_errors_are_retried_and_client_errors_are_not(backend: Backend) {
    let (address, service) = serve().await;
    let integrations = integrations_file(address);
    let Some(app) = portal(backend, &integrations).await else {
        return;
    };
    let get = |name: &'static str, path: &'static str| {
        let app = &app;
        async move {
            let keys = format!(
                "endpoint = \"hr\"\npath = \"{path}\"\n\
                 assign = [{{ target = \"context/ok\", expression = \"response.body.ok\" }}]"
            );
            let path = deploy(app, name, &keys).await;
            run(app, &path, json!({})).await
        }
    };

    // Two 503s, then an answer: three tries, all on the timeline.
    let workflow = get("Rest-Flaky", "/flaky").await;
    assert_eq!(workflow["state"], "SUCCEEDED", "{workflow}");
    assert_eq!(workflow["context"]["ok"], json!(["true"]));
    assert_eq!(service.requests_for("/api/flaky").len(), 3);
    let detail = timeline_of_call(&app, &workflow).await;
    let tries: Vec<&str> = detail.split("; ").collect();
    assert_eq!(tries.len(), 3, "{detail}");
    assert!(tries[0].starts_with("GET hr /flaky → 503 Service Unavailable in "));
    assert!(tries[1].starts_with("GET hr /flaky → 503 Service Unavailable in "));
    assert!(tries[2].starts_with("GET hr /flaky → 200 OK in "));

    // Always 503: the first try and both retries, then it waits in error.
    let workflow = get("Rest-Down", "/down").await;
    let call = activity(&workflow, "call");
    assert_eq!(call["state"], "WAIT_IN_ERROR", "{workflow}");
    let error = call["error"].as_str().unwrap();
    assert_eq!(
        error
            .matches("GET hr /down → 503 Service Unavailable in ")
            .count(),
        3,
        "{error}"
    );
    assert!(error.ends_with(": gave up after 3 tries"), "{error}");
    assert_eq!(service.requests_for("/api/down").len(), 3);

    // A 404 is an answer: asked once, and its query (which may hold a secret) not shown.
    let workflow = get("Rest-Missing", "/missing?code=hush").await;
    let call = activity(&workflow, "call");
    assert_eq!(call["state"], "WAIT_IN_ERROR", "{workflow}");
    let error = call["error"].as_str().unwrap();
    assert!(
        error.starts_with("GET hr /missing?… → 404 Not Found in ")
            && error.ends_with(": not a success, not retried"),
        "{error}"
    );
    let missing = service.requests_for("/api/missing");
    assert_eq!(missing.len(), 1, "not retried");
    assert_eq!(missing[0].query.as_deref(), Some("code=hush"));
    let shown = app
        .scalar("SELECT COUNT(*) AS n FROM audit_events WHERE detail LIKE '%hush%'")
        .await;
    assert_eq!(shown, 0, "the query stays out of the audit trail");
    assert_no_secret_stored(&app).await;
}

/// A credential missing from the environment stops the start, naming the endpoint and the
/// key; the variable's value (of another endpoint) appears nowhere.
#[tokio::test]
async fn a_missing_credential_stops_the_start() {
    let integrations = integrations_file("127.0.0.1:9".parse().unwrap());
    let folder = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}/assent.db?mode=rwc", folder.path().display());
    let path = integrations.path().display().to_string();
    let config = assent::server::config::Config::try_parse_from([
        "assent",
        "--bind",
        "127.0.0.1:0",
        "--database-url",
        &database,
        "--integrations",
        &path,
    ])
    .unwrap();
    let env = |name: &str| (name == "TEST_HR_TOKEN").then(|| TOKEN.to_owned());
    let error = match assent::server::prepare_with_env(config, &env).await {
        Ok(_) => panic!("started without TEST_TICKETS_KEY"),
        Err(error) => error.to_string(),
    };
    assert!(
        error.contains("endpoint tickets: auth.value_env: the environment variable TEST_TICKETS_KEY is not set"),
        "{error}"
    );
    assert!(!error.contains(TOKEN), "{error}");
}
