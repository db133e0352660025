//! Calling the Workflow Management Service (`/api/wfs/v1/{operation}`) as a program
//! would: HTTP Basic credentials, JSON bodies, and the checks every fault must pass.

use super::harness::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

// The statuses of the contract's faults, short enough for a table's row.
pub const BAD_REQUEST: StatusCode = StatusCode::BAD_REQUEST;
pub const UNAUTHORIZED: StatusCode = StatusCode::UNAUTHORIZED;
pub const FORBIDDEN: StatusCode = StatusCode::FORBIDDEN;
pub const NOT_FOUND: StatusCode = StatusCode::NOT_FOUND;
pub const CONFLICT: StatusCode = StatusCode::CONFLICT;
pub const UNPROCESSABLE: StatusCode = StatusCode::UNPROCESSABLE_ENTITY;
pub const TOO_MANY_REQUESTS: StatusCode = StatusCode::TOO_MANY_REQUESTS;

/// `user:password` as HTTP Basic credentials.
pub fn basic_with(user: &str, password: &str) -> String {
    use base64::Engine;
    let credentials =
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    format!("Basic {credentials}")
}

/// A demo user's HTTP Basic credentials (with the demo password).
pub fn basic(user: &str) -> String {
    basic_with(user, DEMO_PASSWORD)
}

pub async fn call(
    app: &TestApp,
    operation: &str,
    auth: Option<&str>,
    body: &str,
) -> (StatusCode, Value) {
    call_with(app, operation, auth, body, &[]).await
}

pub async fn call_with(
    app: &TestApp,
    operation: &str,
    auth: Option<&str>,
    body: &str,
    headers: &[(&str, &str)],
) -> (StatusCode, Value) {
    let mut request = app
        .client
        .post(app.url(&format!("/api/wfs/v1/{operation}")))
        .header("content-type", "application/json")
        .body(body.to_owned());
    if let Some(auth) = auth {
        request = request.header("authorization", auth);
    }
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    json(request.send().await.expect("POST")).await
}

pub fn assert_fault(
    status: StatusCode,
    body: &Value,
    expected: StatusCode,
    error: &str,
    operation: &str,
) {
    assert_eq!(status, expected, "{body}");
    assert_eq!(body["error"], error, "{body}");
    assert_eq!(body["requestType"], operation, "{body}");
    assert!(
        body["errorMessage"].as_str().is_some_and(|m| !m.is_empty()),
        "{body}"
    );
    let text = body.to_string().to_lowercase();
    assert!(
        !text.contains("sql") && !text.contains("panicked"),
        "{body}"
    );
}

/// Asserts that a fault's message names `text`.
pub fn assert_names(fault: &Value, text: &str) {
    let message = fault["errorMessage"].as_str().unwrap();
    assert!(message.contains(text), "{text}: {fault}");
}

/// Asserts that a started workflow's path begins with `prefix`.
pub fn assert_path_starts(answer: &Value, prefix: &str) {
    let path = answer["workflowPath"].as_str().unwrap();
    assert!(path.starts_with(prefix), "{prefix}: {answer}");
}

/// bulkApproval of the workflow `id` by `user`: the answer.
pub async fn bulk_accept(app: &TestApp, user: &str, id: &str) -> Value {
    let accept = json!({"accept": {"workflowID": [id]}});
    ok(app, "bulkApproval", user, accept).await
}

/// The answer of a call with a raw body that must fail with `status` and `error`.
pub async fn raw_fault(
    app: &TestApp,
    operation: &str,
    auth: Option<&str>,
    body: &str,
    status: StatusCode,
    error: &str,
) -> Value {
    let (got, answer) = call(app, operation, auth, body).await;
    assert_fault(got, &answer, status, error, operation);
    answer
}

/// `operation` called by a demo user (HTTP Basic) with a JSON body.
pub async fn op(app: &TestApp, operation: &str, user: &str, body: Value) -> (StatusCode, Value) {
    call(app, operation, Some(&basic(user)), &body.to_string()).await
}

/// The answer of a call that must succeed.
pub async fn ok(app: &TestApp, operation: &str, user: &str, body: Value) -> Value {
    let (status, answer) = op(app, operation, user, body.clone()).await;
    assert_eq!(status, StatusCode::OK, "{operation} {body}: {answer}");
    answer
}

/// The answer of a call that must fail with `status` and `error`.
pub async fn fault(
    app: &TestApp,
    operation: &str,
    user: &str,
    body: Value,
    status: StatusCode,
    error: &str,
) -> Value {
    let auth = basic(user);
    raw_fault(
        app,
        operation,
        Some(&auth),
        &body.to_string(),
        status,
        error,
    )
    .await
}

/// One expected refusal: the operation, who calls it with what, and the status and
/// error expected.
pub type Refusal = (&'static str, &'static str, Value, StatusCode, &'static str);

/// Each of `refusals` in turn; their answers.
pub async fn faults(app: &TestApp, refusals: Vec<Refusal>) -> Vec<Value> {
    let mut answers = Vec::new();
    for (operation, user, body, status, error) in refusals {
        answers.push(fault(app, operation, user, body, status, error).await);
    }
    answers
}

/// The whole workflow, as an administrator reads it.
pub async fn instance(app: &TestApp, id: &str) -> Value {
    ok(
        app,
        "getInstance",
        "admin",
        json!({"workflowID": id, "returnData": "everything"}),
    )
    .await["workflowInstance"]
        .clone()
}

/// The latest run of the activity `name` in an answered workflow.
pub fn activity<'a>(instance: &'a Value, name: &str) -> &'a Value {
    instance["activity"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .find(|a| a["name"] == name)
        .unwrap_or_else(|| panic!("no activity {name} in {instance}"))
}

/// The workflow ids of a list in an answer (ids, or workflows with their `workflowID`).
pub fn ids(answer: &Value, field: &str) -> Vec<String> {
    answer[field]
        .as_array()
        .unwrap_or_else(|| panic!("no {field} in {answer}"))
        .iter()
        .map(|v| match v {
            Value::String(id) => id.clone(),
            other => other["workflowID"].as_str().unwrap().to_owned(),
        })
        .collect()
}

pub async fn instance_count(app: &TestApp) -> i64 {
    app.scalar("SELECT COUNT(*) AS n FROM workflow_instances")
        .await
}

/// The `id` column of the row `sql` selects.
pub async fn id_of(app: &TestApp, sql: &str) -> String {
    app.row(sql)
        .await
        .unwrap_or_else(|| panic!("no row for {sql}"))
        .try_get("", "id")
        .unwrap()
}

/// alice's running demo request (4-eye, bob decides).
pub async fn alices_request(app: &TestApp) -> String {
    id_of(
        app,
        "SELECT id FROM workflow_instances WHERE initiator = 'alice'",
    )
    .await
}

/// A role for `subject`, naming no definition.
pub fn role_order(subject: &str, role: &str) -> Value {
    json!({
        "subject": {"type": "infoOrder", "targetID": subject, "objectType": "user"},
        "resources": [{"type": "addOrder", "targetID": role, "objectType": "role"}],
        "context": {"justification": ["for the new project"]},
    })
}

/// A role request naming the definition that applies to roles (segregation of duties
/// checked, then the subject's manager decides).
pub fn role_request(subject: &str, role: &str) -> Value {
    let mut request = role_order(subject, role);
    request["definition"] = json!({"nameFilter": {"path": "My-Company/Roles/Role-Request-SoD"}});
    request
}

/// A registration of nora's (disabled, awaiting activation) account by an order of
/// `order_type` naming an object of `object_type`, with mallory's address.
pub fn nora_registration(order_type: &str, object_type: &str) -> Value {
    json!({
        "definition": {"nameFilter": {"path": "My-Company/Registration/User-Registration"}},
        "subject": {"type": order_type, "targetID": "nora", "objectType": object_type},
        "context": {"email": ["mallory@example.com"]},
    })
}
