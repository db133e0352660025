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

/// A call that declares a body of `declared` bytes but sends only its first `sent`
/// (past the limit), then reads the answer: how a server that stops reading far-too-large
/// bodies is asked, without the race of a client still writing when the server has
/// answered and closed (where the client sees a broken pipe instead of the answer).
pub async fn call_declaring(
    app: &TestApp,
    operation: &str,
    auth: &str,
    declared: usize,
    sent: usize,
) -> (StatusCode, Value) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(app.address).await.unwrap();
    let start = r#"{"requestID": ""#;
    let head = format!(
        "POST /api/wfs/v1/{operation} HTTP/1.1\r\nHost: {}\r\nAuthorization: {auth}\r\n\
         Content-Type: application/json\r\nContent-Length: {declared}\r\n\
         Connection: close\r\n\r\n{start}",
        app.address
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(&vec![b'x'; sent]).await.unwrap();
    // Read until the answer is whole (the server may keep the connection open).
    let mut answer = Vec::new();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let (status, body) = loop {
        let mut chunk = [0u8; 8192];
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        let read = tokio::time::timeout(left, stream.read(&mut chunk)).await;
        let Ok(Ok(count)) = read else {
            panic!("no whole answer: {}", String::from_utf8_lossy(&answer))
        };
        answer.extend_from_slice(&chunk[..count]);
        let text = String::from_utf8_lossy(&answer).into_owned();
        if let Some(whole) = whole_response(&text) {
            break whole;
        }
        assert!(count > 0, "closed before the answer was whole: {text}");
    };
    let json = serde_json::from_str(&body).unwrap_or(Value::Null);
    (StatusCode::from_u16(status).unwrap(), json)
}

/// The status and body of an HTTP/1.1 answer once all of it has arrived (a body of a
/// given length, or chunks up to the last one).
fn whole_response(text: &str) -> Option<(u16, String)> {
    let (head, body) = text.split_once("\r\n\r\n")?;
    let status = head.split(' ').nth(1)?.parse().ok()?;
    let header = |name: &str| {
        head.lines().find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.eq_ignore_ascii_case(name)
                .then(|| value.trim().to_owned())
        })
    };
    if let Some(length) = header("content-length") {
        let length: usize = length.parse().ok()?;
        return (body.len() >= length).then(|| (status, body[..length].to_owned()));
    }
    if header("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
        if !body.ends_with("0\r\n\r\n") {
            return None;
        }
        let mut joined = String::new();
        let mut rest = body;
        while let Some((size, after)) = rest.split_once("\r\n") {
            let size = usize::from_str_radix(size.trim(), 16).ok()?;
            if size == 0 {
                break;
            }
            joined.push_str(after.get(..size)?);
            rest = after.get(size + 2..)?;
        }
        return Some((status, joined));
    }
    None
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
