//! Contract tests of the Workflow Management Service (`/api/wfs/v1/{operation}`): for
//! each operation offered, a success and each of its faults, on both databases.

use super::harness::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

on_both_databases!(
    every_request_is_authenticated_and_faults_echo_the_request,
    list_definitions_filters_by_the_contract,
    get_instance_answers_the_people_involved_only,
    bulk_approval_applies_each_workflow_on_its_own,
);

/// `user:password` as HTTP Basic credentials.
pub fn basic(user: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let input = format!("{user}:{DEMO_PASSWORD}").into_bytes();
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
    let response = request.send().await.expect("POST");
    let status = response.status();
    let text = response.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
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

async fn every_request_is_authenticated_and_faults_echo_the_request(app: TestApp) {
    let body = r#"{"requestID": "r-1"}"#;
    let (status, fault) = call(&app, "listDefinitions", None, body).await;
    assert_fault(
        status,
        &fault,
        StatusCode::UNAUTHORIZED,
        "authenticationFailed",
        "listDefinitions",
    );
    assert_eq!(fault["requestID"], "r-1");
    let wrong = format!("Basic {}", "Ym9iOm5vcGU="); // bob:nope
    let (status, fault) = call(&app, "listDefinitions", Some(&wrong), body).await;
    assert_fault(
        status,
        &fault,
        StatusCode::UNAUTHORIZED,
        "authenticationFailed",
        "listDefinitions",
    );
    let (status, answer) = call(&app, "listDefinitions", Some(&basic("bob")), body).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["requestID"], "r-1");
    // The portal session works as well as Basic.
    let cookie = app.login("bob", DEMO_PASSWORD).await.expect("login");
    let response = app
        .client
        .post(app.url("/api/wfs/v1/listDefinitions"))
        .header("cookie", cookie)
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);

    let bob = basic("bob");
    let (status, fault) = call(&app, "listDefinitions", Some(&bob), "{not json").await;
    assert_fault(
        status,
        &fault,
        StatusCode::BAD_REQUEST,
        "invalidRequest",
        "listDefinitions",
    );
    let (status, fault) = call(
        &app,
        "listDefinitions",
        Some(&bob),
        r#"{"requestID": "r-2", "colour": 1}"#,
    )
    .await;
    assert_fault(
        status,
        &fault,
        StatusCode::BAD_REQUEST,
        "invalidRequest",
        "listDefinitions",
    );
    assert!(
        fault["errorMessage"].as_str().unwrap().contains("colour"),
        "{fault}"
    );
    assert_eq!(fault["requestID"], "r-2");
    let (status, fault) = call(
        &app,
        "listDefinitions",
        Some(&bob),
        r#"{"domain": "Other-Company"}"#,
    )
    .await;
    assert_fault(
        status,
        &fault,
        StatusCode::BAD_REQUEST,
        "wrongDomain",
        "listDefinitions",
    );
    let (status, answer) = call(
        &app,
        "listDefinitions",
        Some(&bob),
        r#"{"domain": "My-Company"}"#,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let (status, fault) = call(&app, "noSuchOperation", Some(&bob), "{}").await;
    assert_fault(
        status,
        &fault,
        StatusCode::NOT_FOUND,
        "invalidRequest",
        "noSuchOperation",
    );
    // Over the limit, and far over it (where the server stops reading): faults both.
    for size in [300 * 1024, 3 * 1024 * 1024] {
        let huge = format!(r#"{{"requestID": "{}"}}"#, "x".repeat(size));
        let (status, fault) = call(&app, "listDefinitions", Some(&bob), &huge).await;
        assert!(status.is_client_error(), "{status}");
        assert_eq!(fault["error"], "invalidRequest", "{fault}");
        assert_eq!(fault["requestType"], "listDefinitions", "{fault}");
    }
}

async fn list_definitions_filters_by_the_contract(app: TestApp) {
    let bob = basic("bob");
    let names = |answer: &Value| -> Vec<String> {
        answer["workflowDefinition"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["name"].as_str().unwrap().to_owned())
            .collect()
    };
    let (_, all) = call(&app, "listDefinitions", Some(&bob), "{}").await;
    assert!(names(&all).contains(&"4-Eye-Approval".to_owned()), "{all}");
    let four_eye = all["workflowDefinition"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["name"] == "4-Eye-Approval")
        .unwrap();
    assert_eq!(four_eye["id"], "My-Company/Approval/4-Eye-Approval");
    assert_eq!(four_eye["requestWorkflowType"], "approval");

    let (_, roles) = call(
        &app,
        "listDefinitions",
        Some(&bob),
        r#"{"definitionFilter": {"resourceType": "role", "operation": "assign"}}"#,
    )
    .await;
    let role_names = names(&roles);
    assert!(
        role_names.contains(&"4-Eye-Approval".to_owned())
            && !role_names.contains(&"Parallel-Quorum".to_owned()),
        "{roles}"
    );
    let (_, quorum) = call(&app, "listDefinitions", Some(&bob), r#"{"definitionFilter": {"nameFilter": {"valueAssertion": [{"value": "quorum", "matchOperation": "contains"}]}}}"#).await;
    assert_eq!(names(&quorum), vec!["Parallel-Quorum"]);
    let (_, by_path) = call(
        &app,
        "listDefinitions",
        Some(&bob),
        r#"{"definitionFilter": {"nameFilter": {"path": "My-Company/Approval/4-Eye-Approval"}}}"#,
    )
    .await;
    assert_eq!(names(&by_path), vec!["4-Eye-Approval"]);
    let (_, german) = call(&app, "listDefinitions", Some(&bob), r#"{"language": "de", "definitionFilter": {"nameFilter": {"path": "My-Company/Approval/Entitlement-Pool"}}}"#).await;
    assert_eq!(
        german["workflowDefinition"][0]["title"],
        "Genehmigung durch das Sicherheitsteam"
    );
    let (status, fault) = call(&app, "listDefinitions", Some(&bob), r#"{"definitionFilter": {"nameFilter": {"valueAssertion": [{"value": "x", "matchOperation": "regex"}]}}}"#).await;
    assert_fault(
        status,
        &fault,
        StatusCode::BAD_REQUEST,
        "invalidRequest",
        "listDefinitions",
    );
    let (status, fault) = call(
        &app,
        "listDefinitions",
        Some(&bob),
        r#"{"definitionFilter": {"operation": 7}}"#,
    )
    .await;
    assert_fault(
        status,
        &fault,
        StatusCode::BAD_REQUEST,
        "invalidRequest",
        "listDefinitions",
    );
}

/// alice's running demo request (4-eye, bob decides).
pub async fn alices_request(app: &TestApp) -> String {
    use sea_orm::{ConnectionTrait, Statement};
    let db = app.database().await;
    let row = db
        .query_one(Statement::from_string(
            db.get_database_backend(),
            "SELECT id FROM workflow_instances WHERE initiator = 'alice'",
        ))
        .await
        .unwrap()
        .expect("alice's request");
    row.try_get("", "id").unwrap()
}

async fn get_instance_answers_the_people_involved_only(app: TestApp) {
    let id = alices_request(&app).await;
    let ask = |return_data: &str| {
        json!({"requestID": "g", "workflowID": id, "returnData": return_data}).to_string()
    };
    let (status, answer) = call(
        &app,
        "getInstance",
        Some(&basic("alice")),
        &ask("identifier"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["workflowID"], id.as_str());
    let (_, answer) = call(&app, "getInstance", Some(&basic("bob")), &ask("everything")).await;
    let instance = &answer["workflowInstance"];
    assert_eq!(instance["state"], "RUNNING", "{answer}");
    assert_eq!(instance["initiator"], "alice");
    let created = instance["startDate"].as_str().unwrap();
    assert!(
        chrono::DateTime::parse_from_rfc3339(created).is_ok() && created.ends_with('Z'),
        "{created}"
    );
    let approval = instance["activity"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "manager_approval")
        .expect("the approval");
    assert_eq!(approval["state"], "RUNNING");
    assert_eq!(approval["participant"], json!(["bob"]));
    let (_, matching) = call(
        &app,
        "getInstance",
        Some(&basic("bob")),
        &json!({"workflowID": id, "returnData": "matchingActivities", "workflowActivityFilter": {"state": "RUNNING"}}).to_string(),
    )
    .await;
    let states: Vec<&Value> = matching["workflowInstance"]["activity"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| &a["state"])
        .collect();
    assert!(
        !states.is_empty() && states.iter().all(|s| *s == "RUNNING"),
        "{matching}"
    );
    let (_, nothing) = call(&app, "getInstance", Some(&basic("alice")), &ask("nothing")).await;
    assert_eq!(nothing, json!({"requestID": "g"}));

    let (status, fault) = call(
        &app,
        "getInstance",
        Some(&basic("carol")),
        &ask("everything"),
    )
    .await;
    assert_fault(
        status,
        &fault,
        StatusCode::FORBIDDEN,
        "accessDenied",
        "getInstance",
    );
    assert!(
        !fault.to_string().contains("alice"),
        "a refusal tells nothing: {fault}"
    );
    let (status, fault) = call(
        &app,
        "getInstance",
        Some(&basic("admin")),
        &ask("identifier"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "administrators read any: {fault}");
    // Without the right to read every workflow, a missing one is refused like a
    // forbidden one: nothing is revealed.
    let (status, fault) = call(
        &app,
        "getInstance",
        Some(&basic("bob")),
        r#"{"workflowID": "0000"}"#,
    )
    .await;
    assert_fault(
        status,
        &fault,
        StatusCode::FORBIDDEN,
        "accessDenied",
        "getInstance",
    );
    let (status, fault) = call(
        &app,
        "getInstance",
        Some(&basic("admin")),
        r#"{"workflowID": "0000"}"#,
    )
    .await;
    assert_fault(
        status,
        &fault,
        StatusCode::NOT_FOUND,
        "workflowNotFound",
        "getInstance",
    );
    let (status, fault) = call(
        &app,
        "getInstance",
        Some(&basic("bob")),
        r#"{"returnData": "everything"}"#,
    )
    .await;
    assert_fault(
        status,
        &fault,
        StatusCode::BAD_REQUEST,
        "invalidRequest",
        "getInstance",
    );
    assert!(
        fault["errorMessage"]
            .as_str()
            .unwrap()
            .contains("workflowID"),
        "{fault}"
    );
    let (status, fault) = call(
        &app,
        "getInstance",
        Some(&basic("bob")),
        &json!({"workflowID": id, "returnData": "all"}).to_string(),
    )
    .await;
    assert_fault(
        status,
        &fault,
        StatusCode::BAD_REQUEST,
        "invalidRequest",
        "getInstance",
    );
}

async fn bulk_approval_applies_each_workflow_on_its_own(app: TestApp) {
    let id = alices_request(&app).await;
    // carol may not approve on bob's behalf.
    let for_bob = json!({"participantDN": "bob", "accept": {"workflowID": [id]}}).to_string();
    let (status, fault) = call(&app, "bulkApproval", Some(&basic("carol")), &for_bob).await;
    assert_fault(
        status,
        &fault,
        StatusCode::FORBIDDEN,
        "accessDenied",
        "bulkApproval",
    );
    // alice may not approve her own request: a participant error, nothing decided.
    let own = json!({"accept": {"workflowID": [id]}}).to_string();
    let (status, answer) = call(&app, "bulkApproval", Some(&basic("alice")), &own).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["failed"][0]["errorCode"], 30, "{answer}");

    let body = json!({
        "requestID": "b-1",
        "accept": {"reason": "fine", "workflowID": [id, "no-such-workflow"]},
    })
    .to_string();
    let (status, answer) = call(&app, "bulkApproval", Some(&basic("bob")), &body).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["requestID"], "b-1");
    let failed = answer["failed"].as_array().unwrap();
    assert_eq!(failed.len(), 1, "{answer}");
    assert_eq!(failed[0]["id"], "no-such-workflow");
    assert_eq!(failed[0]["errorCode"], 40);
    // The valid one stays decided.
    let (_, after) = call(
        &app,
        "getInstance",
        Some(&basic("alice")),
        &json!({"workflowID": id, "returnData": "everything"}).to_string(),
    )
    .await;
    assert_eq!(
        after["workflowInstance"]["applicationState"], "ACCEPTED",
        "{after}"
    );
    // Deciding again: nothing waits for bob any more: at activity level (11) while the
    // workflow still runs its last steps, at workflow level (20) once it has ended.
    let (_, again) = call(&app, "bulkApproval", Some(&basic("bob")), &own).await;
    let (_, now) = call(
        &app,
        "getInstance",
        Some(&basic("bob")),
        &json!({"workflowID": id, "returnData": "everything"}).to_string(),
    )
    .await;
    // Read after the attempt: still running now means it was running then; ended now
    // may have happened either side of it.
    let code = again["failed"][0]["errorCode"].as_u64();
    if now["workflowInstance"]["state"] == "RUNNING" {
        assert_eq!(code, Some(11), "{again} {now}");
    } else {
        assert!(matches!(code, Some(11 | 20)), "{again} {now}");
    }
    let (status, fault) = call(
        &app,
        "bulkApproval",
        Some(&basic("bob")),
        r#"{"accept": {"workflowID": "one"}}"#,
    )
    .await;
    assert_fault(
        status,
        &fault,
        StatusCode::BAD_REQUEST,
        "invalidRequest",
        "bulkApproval",
    );
}
