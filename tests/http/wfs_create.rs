//! createInstance of the Workflow Management Service: what starts, what it answers,
//! what makes a retry the same request, and every refusal, which creates nothing.

use super::api::*;
use super::harness::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

on_both_databases!(
    create_instance_starts_waits_and_is_idempotent,
    create_instance_refuses_and_creates_nothing,
);

async fn create_instance_starts_waits_and_is_idempotent(app: TestApp) {
    let mut request = role_request("alice", "Developer");
    request["requestID"] = json!("c-1");
    request["context"]["ticket"] = json!(["T-42"]);
    request["correlationID"] = json!("T-42");
    request["waitForIdle"] = json!(true);
    request["timeout"] = json!(5000);
    request["returnData"] = json!("everything");
    let before = instance_count(&app).await;
    let answer = ok(&app, "createInstance", "alice", request.clone()).await;
    assert_eq!(answer["requestID"], "c-1");
    assert_eq!(
        answer["timedout"], false,
        "waiting for bob is idle: {answer}"
    );
    let id = answer["workflowID"].as_str().unwrap().to_owned();
    assert_eq!(
        answer["workflowPath"],
        format!("My-Company/Roles/Role-Request-SoD/{id}")
    );
    let created = &answer["workflowInstance"];
    assert_eq!(created["state"], "RUNNING");
    assert_eq!(created["initiator"], "alice");
    assert_eq!(created["correlationID"], "T-42");
    assert_eq!(created["context"]["ticket"], json!(["T-42"]));
    assert_eq!(
        created["context"]["justification"],
        json!(["for the new project"])
    );
    let approval = activity(created, "manager_only");
    assert_eq!(approval["state"], "RUNNING");
    assert_eq!(approval["participant"], json!(["bob"]));
    assert_eq!(instance_count(&app).await, before + 1);

    // The same correlationID by the same caller: the first workflow, nothing new.
    let again = ok(&app, "createInstance", "alice", request.clone()).await;
    assert_eq!(again["workflowID"], id.as_str());
    assert_eq!(instance_count(&app).await, before + 1);

    // An Idempotency-Key header does the same.
    let keyed = role_request("alice", "HR Records Viewer").to_string();
    let alice = basic("alice");
    let headers = [("idempotency-key", "order-9")];
    let (status, first) = call_with(&app, "createInstance", Some(&alice), &keyed, &headers).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    let (_, second) = call_with(&app, "createInstance", Some(&alice), &keyed, &headers).await;
    assert_eq!(first["workflowID"], second["workflowID"]);
    assert_ne!(first["workflowID"], id.as_str());
    assert_eq!(instance_count(&app).await, before + 2);

    // Another caller's key is another key.
    let mut bobs = role_request("bob", "Developer");
    bobs["correlationID"] = json!("T-42");
    let other = ok(&app, "createInstance", "bob", bobs).await;
    assert_ne!(other["workflowID"], id.as_str());

    // No definition named: the best fitting one for a role.
    let chosen = ok(
        &app,
        "createInstance",
        "alice",
        role_order("alice", "Developer"),
    )
    .await;
    assert_path_starts(&chosen, "My-Company/");
    // A manager may ask for a report; identifier is the default answer.
    let for_alice = ok(
        &app,
        "createInstance",
        "bob",
        role_request("alice", "Developer"),
    )
    .await;
    assert!(for_alice.get("workflowInstance").is_none(), "{for_alice}");
    assert_eq!(
        instance(&app, for_alice["workflowID"].as_str().unwrap()).await["initiator"],
        "bob"
    );
}

/// alice's role request, changed by `change`.
fn changed(change: impl FnOnce(&mut Value)) -> Value {
    let mut request = role_request("alice", "Developer");
    change(&mut request);
    request
}

async fn create_instance_refuses_and_creates_nothing(app: TestApp) {
    let before = instance_count(&app).await;
    // Each request, the status and error it gets, and what its message must name.
    let refusals = [
        (
            changed(|r| r["definition"] = json!({"nameFilter": {"path": "My-Company/No-Such"}})),
            NOT_FOUND,
            "definitionNotFound",
            None,
        ),
        (
            changed(|r| r["definition"] = json!({"operation": "teleport"})),
            UNPROCESSABLE,
            "noApplicableDefinition",
            None,
        ),
        (
            changed(|r| r["initiator"] = json!("bob")),
            FORBIDDEN,
            "accessDenied",
            None,
        ),
        // carol does not report to alice.
        (
            role_request("carol", "Developer"),
            FORBIDDEN,
            "accessDenied",
            None,
        ),
        // An addOrder names a user still to be created, never an existing account.
        (
            nora_registration("addOrder", "user"),
            FORBIDDEN,
            "accessDenied",
            None,
        ),
        (
            changed(|r| r["context"] = json!({})),
            BAD_REQUEST,
            "invalidRequest",
            Some("context.justification"),
        ),
        (
            changed(|r| r["context"]["no spaces"] = json!(["x"])),
            BAD_REQUEST,
            "invalidRequest",
            None,
        ),
        (
            changed(|r| r["subject"]["targetID"] = json!("")),
            BAD_REQUEST,
            "invalidRequest",
            Some("subject.targetID"),
        ),
        (
            changed(|r| r["waitForIdle"] = json!("yes")),
            BAD_REQUEST,
            "invalidRequest",
            Some("waitForIdle"),
        ),
        (
            changed(|r| r["timeout"] = json!(60_000)),
            BAD_REQUEST,
            "invalidRequest",
            None,
        ),
    ];
    let mut answers = Vec::new();
    for (request, status, error, named) in refusals {
        let answer = fault(&app, "createInstance", "alice", request, status, error).await;
        if let Some(named) = named {
            assert_names(&answer, named);
        }
        answers.push(answer);
    }
    // Acting as someone else is refused without saying more.
    assert_eq!(answers[2]["errorMessage"], "access denied");
    assert_eq!(
        instance_count(&app).await,
        before,
        "a fault changes nothing"
    );
}
