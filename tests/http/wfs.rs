//! Contract tests of the Workflow Management Service (`/api/wfs/v1/{operation}`): for
//! each operation offered, a success and each of its faults, on both databases. This
//! file: authentication and the faults every operation shares, listDefinitions,
//! getInstance and bulkApproval.

use super::api::*;
use super::harness::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

on_both_databases!(
    every_request_is_authenticated_and_faults_echo_the_request,
    list_definitions_filters_by_the_contract,
    get_instance_answers_the_people_involved_only,
    bulk_approval_applies_each_workflow_on_its_own,
);

async fn every_request_is_authenticated_and_faults_echo_the_request(app: TestApp) {
    let body = r#"{"requestID": "r-1"}"#;
    let unauthorized = |auth: Option<String>| {
        let app = &app;
        async move {
            raw_fault(
                app,
                "listDefinitions",
                auth.as_deref(),
                body,
                UNAUTHORIZED,
                "authenticationFailed",
            )
            .await
        }
    };
    let fault = unauthorized(None).await;
    assert_eq!(fault["requestID"], "r-1");
    let wrong = format!("Basic {}", "Ym9iOm5vcGU="); // bob:nope
    unauthorized(Some(wrong)).await;
    let (status, answer) = call(&app, "listDefinitions", Some(&basic("bob")), body).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["requestID"], "r-1");
    // The portal session works as well as Basic.
    let cookie = app.session("bob").await;
    let response = app
        .client
        .post(app.url("/api/wfs/v1/listDefinitions"))
        .header("cookie", &cookie)
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    // Credentials the call names win over the session it carries: wrong ones are refused.
    let response = app
        .client
        .post(app.url("/api/wfs/v1/listDefinitions"))
        .header("cookie", &cookie)
        .header("authorization", "Basic Ym9iOm5vcGU=")
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);

    let bob = basic("bob");
    let invalid = |body: &'static str| {
        let (app, bob) = (&app, &bob);
        async move {
            raw_fault(
                app,
                "listDefinitions",
                Some(bob.as_str()),
                body,
                BAD_REQUEST,
                "invalidRequest",
            )
            .await
        }
    };
    invalid("{not json").await;
    let fault = invalid(r#"{"requestID": "r-2", "colour": 1}"#).await;
    assert_names(&fault, "colour");
    assert_eq!(fault["requestID"], "r-2");
    raw_fault(
        &app,
        "listDefinitions",
        Some(&bob),
        r#"{"domain": "Other-Company"}"#,
        BAD_REQUEST,
        "wrongDomain",
    )
    .await;
    let (status, answer) = call(
        &app,
        "listDefinitions",
        Some(&bob),
        r#"{"domain": "My-Company"}"#,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    raw_fault(
        &app,
        "noSuchOperation",
        Some(&bob),
        "{}",
        NOT_FOUND,
        "invalidRequest",
    )
    .await;
    // Over the limit, and far over it (where the server stops reading at the limit and
    // answers): faults both.
    let huge = format!(r#"{{"requestID": "{}"}}"#, "x".repeat(300 * 1024));
    let over = call(&app, "listDefinitions", Some(&bob), &huge).await;
    let far_over = call_declaring(&app, "listDefinitions", &bob, 3 << 20, 300 << 10).await;
    for (status, fault) in [over, far_over] {
        assert!(status.is_client_error(), "{status}");
        assert_eq!(fault["error"], "invalidRequest", "{fault}");
        assert_eq!(fault["requestType"], "listDefinitions", "{fault}");
    }
}

async fn list_definitions_filters_by_the_contract(app: TestApp) {
    let bob = basic("bob");
    let list = |body: &'static str| {
        let (app, bob) = (&app, &bob);
        async move {
            call(app, "listDefinitions", Some(bob.as_str()), body)
                .await
                .1
        }
    };
    let names = |answer: &Value| -> Vec<String> {
        answer["workflowDefinition"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["name"].as_str().unwrap().to_owned())
            .collect()
    };
    let all = list("{}").await;
    assert!(names(&all).contains(&"4-Eye-Approval".to_owned()), "{all}");
    let four_eye = all["workflowDefinition"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["name"] == "4-Eye-Approval")
        .unwrap();
    assert_eq!(four_eye["id"], "My-Company/Approval/4-Eye-Approval");
    assert_eq!(four_eye["requestWorkflowType"], "approval");

    let roles =
        list(r#"{"definitionFilter": {"resourceType": "role", "operation": "assign"}}"#).await;
    let role_names = names(&roles);
    assert!(
        role_names.contains(&"4-Eye-Approval".to_owned())
            && !role_names.contains(&"Parallel-Quorum".to_owned()),
        "{roles}"
    );
    let quorum = list(r#"{"definitionFilter": {"nameFilter": {"valueAssertion": [{"value": "quorum", "matchOperation": "contains"}]}}}"#).await;
    assert_eq!(names(&quorum), vec!["Parallel-Quorum"]);
    let by_path = list(
        r#"{"definitionFilter": {"nameFilter": {"path": "My-Company/Approval/4-Eye-Approval"}}}"#,
    )
    .await;
    assert_eq!(names(&by_path), vec!["4-Eye-Approval"]);
    let german = list(r#"{"language": "de", "definitionFilter": {"nameFilter": {"path": "My-Company/Approval/Entitlement-Pool"}}}"#).await;
    assert_eq!(
        german["workflowDefinition"][0]["title"],
        "Genehmigung durch das Sicherheitsteam"
    );
    for body in [
        r#"{"definitionFilter": {"nameFilter": {"valueAssertion": [{"value": "x", "matchOperation": "regex"}]}}}"#,
        r#"{"definitionFilter": {"operation": 7}}"#,
    ] {
        raw_fault(
            &app,
            "listDefinitions",
            Some(&bob),
            body,
            BAD_REQUEST,
            "invalidRequest",
        )
        .await;
    }
}

async fn get_instance_answers_the_people_involved_only(app: TestApp) {
    let id = alices_request(&app).await;
    let ask =
        |return_data: &str| json!({"requestID": "g", "workflowID": id, "returnData": return_data});
    let answer = ok(&app, "getInstance", "alice", ask("identifier")).await;
    assert_eq!(answer["workflowID"], id.as_str());
    let (_, answer) = op(&app, "getInstance", "bob", ask("everything")).await;
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
    let (_, matching) = op(
        &app,
        "getInstance",
        "bob",
        json!({"workflowID": id, "returnData": "matchingActivities", "workflowActivityFilter": {"state": "RUNNING"}}),
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
    let (_, nothing) = op(&app, "getInstance", "alice", ask("nothing")).await;
    assert_eq!(nothing, json!({"requestID": "g"}));

    let refusal = fault(
        &app,
        "getInstance",
        "carol",
        ask("everything"),
        FORBIDDEN,
        "accessDenied",
    )
    .await;
    assert!(
        !refusal.to_string().contains("alice"),
        "a refusal tells nothing: {refusal}"
    );
    let (status, answer) = op(&app, "getInstance", "admin", ask("identifier")).await;
    assert_eq!(status, StatusCode::OK, "administrators read any: {answer}");
    let unknown_return = json!({"workflowID": id, "returnData": "all"});
    #[rustfmt::skip]
    let refusals: Vec<Refusal> = vec![
        // Without the right to read every workflow, a missing one is refused like a
        // forbidden one: nothing is revealed.
        ("getInstance", "bob", json!({"workflowID": "0000"}), FORBIDDEN, "accessDenied"),
        ("getInstance", "admin", json!({"workflowID": "0000"}), NOT_FOUND, "workflowNotFound"),
        ("getInstance", "bob", json!({"returnData": "everything"}), BAD_REQUEST, "invalidRequest"),
        ("getInstance", "bob", unknown_return, BAD_REQUEST, "invalidRequest"),
    ];
    let refused = faults(&app, refusals).await;
    assert_names(&refused[2], "workflowID");
}

async fn bulk_approval_applies_each_workflow_on_its_own(app: TestApp) {
    let id = alices_request(&app).await;
    // carol may not approve on bob's behalf.
    fault(
        &app,
        "bulkApproval",
        "carol",
        json!({"participantDN": "bob", "accept": {"workflowID": [id]}}),
        FORBIDDEN,
        "accessDenied",
    )
    .await;
    // alice may not approve her own request: a participant error, nothing decided.
    let own = json!({"accept": {"workflowID": [id]}});
    let answer = ok(&app, "bulkApproval", "alice", own.clone()).await;
    assert_eq!(answer["failed"][0]["errorCode"], 30, "{answer}");

    let body = json!({
        "requestID": "b-1",
        "accept": {"reason": "fine", "workflowID": [id, "no-such-workflow"]},
    });
    let answer = ok(&app, "bulkApproval", "bob", body).await;
    assert_eq!(answer["requestID"], "b-1");
    let failed = answer["failed"].as_array().unwrap();
    assert_eq!(failed.len(), 1, "{answer}");
    assert_eq!(failed[0]["id"], "no-such-workflow");
    assert_eq!(failed[0]["errorCode"], 40);
    // The valid one stays decided.
    let everything = json!({"workflowID": id, "returnData": "everything"});
    let (_, after) = op(&app, "getInstance", "alice", everything.clone()).await;
    assert_eq!(
        after["workflowInstance"]["applicationState"], "ACCEPTED",
        "{after}"
    );
    // Deciding again: nothing waits for bob any more: at activity level (11) while the
    // workflow still runs its last steps, at workflow level (20) once it has ended.
    let (_, again) = op(&app, "bulkApproval", "bob", own).await;
    let (_, now) = op(&app, "getInstance", "bob", everything).await;
    // Read after the attempt: still running now means it was running then; ended now
    // may have happened either side of it.
    let code = again["failed"][0]["errorCode"].as_u64();
    if now["workflowInstance"]["state"] == "RUNNING" {
        assert_eq!(code, Some(11), "{again} {now}");
    } else {
        assert!(matches!(code, Some(11 | 20)), "{again} {now}");
    }
    raw_fault(
        &app,
        "bulkApproval",
        Some(&basic("bob")),
        r#"{"accept": {"workflowID": "one"}}"#,
        BAD_REQUEST,
        "invalidRequest",
    )
    .await;
}
