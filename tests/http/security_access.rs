//! Trust (issue #9), what reaches access: who may change which account, through which
//! workflow, on whose behalf; mailed links; idempotency keys; answers that tell nothing
//! of other people's workflows; bounded waiting. Each test tries the attack that worked
//! before and checks that it is refused and changed nothing.

use super::api::*;
use super::harness::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::time::Duration;

on_both_databases!(
    subjects_are_checked_whatever_the_order_says,
    only_the_applicable_workflow_starts_unless_an_administrator_forces_it,
    acting_for_another_needs_its_own_right_and_is_recorded,
    the_beneficiary_is_never_asked_nor_forwarded_to,
    mailed_links_stop_when_replaced_or_disabled_and_survive_failed_decisions,
    idempotency_keys_bind_their_request_and_expire,
    unknown_and_foreign_workflows_answer_alike,
    waiting_requests_are_bounded,
);

async fn subjects_are_checked_whatever_the_order_says(app: TestApp) {
    let before = instance_count(&app).await;
    // Yesterday's attack: a registration of nora's disabled account whose order named
    // another object type skipped every subject check.
    for object_type in ["group", "account", "USER-ish"] {
        let answer = fault(
            &app,
            "createInstance",
            "alice",
            nora_registration("addOrder", object_type),
            BAD_REQUEST,
            "invalidRequest",
        )
        .await;
        assert_names(&answer, "subject.objectType");
    }
    // As a user: a registration of an existing account, or any other order on a
    // disabled one, needs the right to manage accounts.
    for order in ["addOrder", "modifyOrder", "infoOrder"] {
        fault(
            &app,
            "createInstance",
            "alice",
            nora_registration(order, "user"),
            FORBIDDEN,
            "accessDenied",
        )
        .await;
    }
    let new_person = |attributes: Value| json!({"subject": {"type": "addOrder", "targetID": "new.person", "objectType": "user", "attributes": attributes}});
    let verification = new_person(json!({"mail": ["new.person@example.com"]}));
    #[rustfmt::skip]
    let refusals: Vec<Refusal> = vec![
        // Someone who is not alice's manager asks for her.
        ("createInstance", "carol", role_order("alice", "Developer"), FORBIDDEN, "accessDenied"),
        // Only administrators start a verification (the definition's `starters`).
        ("verify", "alice", verification, FORBIDDEN, "accessDenied"),
    ];
    faults(&app, refusals).await;
    assert_eq!(instance_count(&app).await, before, "nothing was started");
    // The administrator may, and the registration's key goes to the stored address.
    ok(
        &app,
        "verify",
        "admin",
        new_person(json!({"mail": ["new.person@example.com"], "sn": ["Person"]})),
    )
    .await;
}

async fn only_the_applicable_workflow_starts_unless_an_administrator_forces_it(app: TestApp) {
    let before = instance_count(&app).await;
    // Naming the plain 4-eye approval for a role the segregation-of-duties workflow
    // covers is refused.
    let mut weaker = role_order("alice", "Developer");
    weaker["definition"] = json!({"nameFilter": {"path": "My-Company/Approval/4-Eye-Approval"}});
    fault(
        &app,
        "createInstance",
        "alice",
        weaker.clone(),
        UNPROCESSABLE,
        "noApplicableDefinition",
    )
    .await;
    // Items must be in the catalog, under the type the order names.
    for (role, object_type) in [("No Such Role", "role"), ("Developer", "resource")] {
        let mut request = role_order("alice", role);
        request["resources"][0]["objectType"] = json!(object_type);
        let answer = fault(
            &app,
            "createInstance",
            "alice",
            request,
            BAD_REQUEST,
            "invalidRequest",
        )
        .await;
        let message = answer["errorMessage"].as_str().unwrap();
        assert!(
            message.contains("resources[0]") && message.contains(role),
            "{message}"
        );
    }
    // Every item must be decided by the workflow chosen: not the first item's for all.
    let order =
        |kind: &str, name: &str| json!({"type": "addOrder", "targetID": name, "objectType": kind});
    for (resources, criteria) in [
        (
            json!([
                order("entitlement", "VPN full tunnel"),
                order("role", "Developer")
            ]),
            json!({}),
        ),
        (
            json!([
                order("resource", "Source Repository"),
                order("resource", "Production Database (read)")
            ]),
            json!({}),
        ),
        (
            json!([order("entitlement", "VPN full tunnel")]),
            json!({"operation": "assign", "resourceType": "role"}),
        ),
    ] {
        let mut request = role_order("frank", "Developer");
        request["resources"] = resources;
        request["definition"] = criteria;
        fault(
            &app,
            "createInstance",
            "frank",
            request,
            BAD_REQUEST,
            "invalidRequest",
        )
        .await;
    }
    assert_eq!(instance_count(&app).await, before);
    // Unnamed, or naming the one that applies: the segregation-of-duties workflow.
    for request in [
        role_order("alice", "Developer"),
        role_request("alice", "Developer"),
    ] {
        let answer = ok(&app, "createInstance", "alice", request).await;
        assert_path_starts(&answer, "My-Company/Roles/Role-Request-SoD/");
    }
    // An administrator may force another, and the audit trail says so.
    let forced = ok(&app, "createInstance", "admin", weaker).await;
    assert_path_starts(&forced, "My-Company/Approval/4-Eye-Approval/");
    assert_eq!(
        app.scalar("SELECT COUNT(*) AS n FROM audit_events WHERE action = 'workflow.definition_forced' AND actor = 'admin'").await,
        1
    );
}

/// alice's running demo request, which bob decides.
async fn alices_demo_request(app: &TestApp) -> String {
    id_of(
        app,
        "SELECT w.instance_id AS id FROM work_items w JOIN workflow_instances i ON i.id = w.instance_id WHERE w.username = 'bob' AND i.initiator = 'alice'",
    )
    .await
}

/// How many items of the workflow `id` wait for `user`.
async fn open_items(app: &TestApp, id: &str, user: &str) -> i64 {
    app.scalar(&format!(
        "SELECT COUNT(*) AS n FROM work_items WHERE instance_id = '{id}' AND username = '{user}'"
    ))
    .await
}

/// The activity run of the item of the workflow `id` that waits for `user`.
async fn run_of(app: &TestApp, id: &str, user: &str) -> i64 {
    app.scalar(&format!(
        "SELECT CAST(run_seq AS BIGINT) AS n FROM work_items WHERE instance_id = '{id}' AND username = '{user}'"
    ))
    .await
}

async fn acting_for_another_needs_its_own_right_and_is_recorded(app: TestApp) {
    let id = alices_demo_request(&app).await;
    let accept = |participant: &str, id: &str| json!({"participantDN": participant, "accept": {"reason": "on leave", "workflowID": [id]}});
    // Being an administrator is not the right to decide as someone else.
    fault(
        &app,
        "bulkApproval",
        "admin",
        accept("bob", &id),
        FORBIDDEN,
        "accessDenied",
    )
    .await;
    // The service desk holds it: the decision counts as bob's, made by sam.
    let answer = ok(&app, "bulkApproval", "sam", accept("bob", &id)).await;
    assert_eq!(answer["failed"], json!([]), "{answer}");
    assert_eq!(
        app.scalar(&format!("SELECT COUNT(*) AS n FROM audit_events WHERE action = 'workflow.decided' AND actor = 'sam' AND detail LIKE '%for bob%' AND detail LIKE '%{id}%'")).await,
        1,
        "the audit trail names the real caller and on whose behalf"
    );
    let alice = app.session("alice").await;
    let response = app
        .post_form(
            "/app/request",
            &[("workflow_id", id.as_str())],
            Some(&alice),
        )
        .await;
    let timeline = response.text().await.unwrap();
    assert!(timeline.contains("sam for bob"), "{timeline}");

    // Never on a workflow where the one acting is the subject: a request for sam,
    // decided by erin (admin, sam's manager, started it), which sam may not decide as erin.
    let for_sam = ok(
        &app,
        "createInstance",
        "admin",
        role_order("sam", "Developer"),
    )
    .await;
    let for_sam = for_sam["workflowID"].as_str().unwrap().to_owned();
    let asked = open_items(&app, &for_sam, "erin").await;
    assert_eq!(
        asked, 1,
        "admin started it, so admin's manager erin is asked"
    );
    let answer = ok(&app, "bulkApproval", "sam", accept("erin", &for_sam)).await;
    assert_eq!(answer["failed"][0]["errorCode"], 30, "{answer}");
    assert_eq!(open_items(&app, &for_sam, "erin").await, 1, "still open");
    // Starting as another person: for alice, yes; as alice, for sam himself, no.
    let started_as = |subject: &str, initiator: &str| {
        let mut request = role_order(subject, "Developer");
        request["initiator"] = json!(initiator);
        request
    };
    ok(&app, "createInstance", "sam", started_as("alice", "alice")).await;
    #[rustfmt::skip]
    let refusals: Vec<Refusal> = vec![
        ("createInstance", "admin", started_as("alice", "alice"), FORBIDDEN, "accessDenied"),
        // Nor as someone whose account is disabled (nora awaits activation).
        ("createInstance", "sam", started_as("nora", "nora"), FORBIDDEN, "accessDenied"),
        ("createInstance", "sam", started_as("sam", "admin"), FORBIDDEN, "accessDenied"),
    ];
    faults(&app, refusals).await;
}

async fn the_beneficiary_is_never_asked_nor_forwarded_to(app: TestApp) {
    let request = |subject: &str, item: &str| {
        json!({
            "subject": {"type": "infoOrder", "targetID": subject, "objectType": "user"},
            "resources": [{"type": "addOrder", "targetID": item, "objectType": "resource"}],
            "context": {"justification": ["remote work"]},
        })
    };
    let start = |subject: &'static str, item: &'static str| {
        let app = &app;
        async move {
            ok(app, "createInstance", "admin", request(subject, item)).await["workflowID"]
                .as_str()
                .unwrap()
                .to_owned()
        }
    };
    // VPN Access is decided by two of bob, carol and dave: for carol, her place goes to
    // her manager dave, who is already asked, so bob and dave decide.
    let vpn = start("carol", "VPN Access").await;
    assert_eq!(
        open_items(&app, &vpn, "carol").await,
        0,
        "the subject is not asked"
    );
    assert_eq!(open_items(&app, &vpn, "bob").await, 1);
    assert_eq!(open_items(&app, &vpn, "dave").await, 1);
    // dave owns the Source Repository: asked for dave, his manager erin approves as his
    // manager and then again instead of dave as the owner.
    let repo = start("dave", "Source Repository").await;
    assert_eq!(open_items(&app, &repo, "erin").await, 1);
    let answer = ok(
        &app,
        "bulkApproval",
        "erin",
        json!({"accept": {"reason": "fine", "workflowID": [repo]}}),
    )
    .await;
    assert_eq!(answer["failed"], json!([]), "{answer}");
    assert_eq!(
        open_items(&app, &repo, "dave").await,
        0,
        "the owner is the subject"
    );
    assert_eq!(
        open_items(&app, &repo, "erin").await,
        1,
        "his manager decides instead"
    );
    // The subject cannot decide it, nor can it be forwarded or reassigned to him.
    let answer = bulk_accept(&app, "dave", &repo).await;
    assert_eq!(answer["failed"].as_array().unwrap().len(), 1, "{answer}");
    let erin = app.session("erin").await;
    let run = run_of(&app, &repo, "erin").await;
    let response = app
        .post_form(
            "/app/forward",
            &[
                ("workflow_id", repo.as_str()),
                ("run", &run.to_string()),
                ("to", "dave"),
            ],
            Some(&erin),
        )
        .await;
    assert_eq!(response.status(), BAD_REQUEST);
    assert!(response.text().await.unwrap().contains("dave"));
    let answer = op(
        &app,
        "modifyInstance",
        "admin",
        json!({"workflow": {"workflowID": repo, "activity": [{"name": "owner_approval", "participant": ["dave"]}]}}),
    )
    .await;
    assert_ne!(answer.0, StatusCode::OK, "{answer:?}");
    assert_eq!(open_items(&app, &repo, "dave").await, 0);
}

async fn confirm(app: &TestApp, token: &str) -> (StatusCode, String) {
    let response = app
        .post_form("/app/mail-decision/confirm", &[("token", token)], None)
        .await;
    (response.status(), response.text().await.unwrap())
}

async fn mailed_links_stop_when_replaced_or_disabled_and_survive_failed_decisions(app: TestApp) {
    let id = alices_demo_request(&app).await;
    let run = run_of(&app, &id, "bob").await;
    // A reminder's link replaces the first mail's.
    // (Later than the links the demo's own mail carries, which last 7 days.)
    insert_decision_link(&app, "first-mail", &id, run, "bob", 8).await;
    insert_decision_link(&app, "reminder", &id, run, "bob", 9).await;
    let (status, body) = confirm(&app, "first-mail").await;
    assert_eq!(status, BAD_REQUEST, "{body}");
    assert!(body.contains("replaced"), "{body}");
    // A decision that does not commit leaves the link usable: suspended, the workflow
    // refuses; resumed, the same link decides.
    ok(&app, "suspend", "admin", json!({"workflowID": id})).await;
    let (status, body) = confirm(&app, "reminder").await;
    assert_eq!(status, BAD_REQUEST, "{body}");
    assert!(body.contains("no longer running"), "{body}");
    ok(&app, "resume", "admin", json!({"workflowID": id})).await;
    let (status, body) = confirm(&app, "reminder").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, body) = confirm(&app, "reminder").await;
    assert!(body.contains("already used"), "{body}");

    // A disabled approver's links die with the account.
    let niaj = app
        .scalar("SELECT COUNT(*) AS n FROM work_items WHERE username = 'dave'")
        .await;
    assert!(niaj >= 1);
    let row = app
        .row("SELECT w.instance_id AS id, CAST(w.run_seq AS BIGINT) AS n FROM work_items w JOIN workflow_instances i ON i.id = w.instance_id WHERE w.username = 'dave' AND i.initiator = 'niaj'")
        .await
        .expect("dave decides niaj's request");
    let (niajs, niaj_run): (String, i64) = (
        row.try_get("", "id").unwrap(),
        row.try_get::<i64>("", "n").unwrap(),
    );
    insert_decision_link(&app, "daves-link", &niajs, niaj_run, "dave", 8).await;
    let preview = app.get("/mail-decision?token=daves-link", None).await;
    assert!(preview.text().await.unwrap().contains("Confirm approval"));
    app.execute("UPDATE users SET disabled = TRUE WHERE username = 'dave'")
        .await;
    let (status, body) = confirm(&app, "daves-link").await;
    assert_eq!(status, BAD_REQUEST, "{body}");
    assert!(body.contains("not valid"), "{body}");
    assert_eq!(open_items(&app, &niajs, "dave").await, 1, "nothing decided");
}

/// alice's createInstance with the Idempotency-Key `order-7`.
async fn create_keyed(app: &TestApp, body: Value) -> (StatusCode, Value) {
    let headers = [("idempotency-key", "order-7")];
    let auth = basic("alice");
    call_with(
        app,
        "createInstance",
        Some(&auth),
        &body.to_string(),
        &headers,
    )
    .await
}

async fn idempotency_keys_bind_their_request_and_expire(app: TestApp) {
    let mut first = role_order("alice", "Developer");
    first["requestID"] = json!("try-1");
    let (status, answer) = create_keyed(&app, first.clone()).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let id = answer["workflowID"].as_str().unwrap().to_owned();
    let before = instance_count(&app).await;
    // A retry (another requestID, another wait) is the same request.
    let mut retry = first.clone();
    retry["requestID"] = json!("try-2");
    retry["timeout"] = json!(1000);
    let (status, answer) = create_keyed(&app, retry).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["workflowID"], id.as_str());
    // The same key with another request is a conflict naming the key.
    let mut other = first.clone();
    other["context"] = json!({"justification": ["something else entirely"]});
    let (status, answer) = create_keyed(&app, other.clone()).await;
    assert_fault(status, &answer, CONFLICT, "conflict", "createInstance");
    assert_names(&answer, "order-7");
    assert_eq!(instance_count(&app).await, before, "nothing created");
    // After the idempotency window (24 hours by default) the key is free again.
    let long_ago = (chrono::Utc::now() - chrono::Duration::hours(25)).to_rfc3339();
    app.execute(&format!(
        "UPDATE api_requests SET created_at = '{long_ago}'"
    ))
    .await;
    let (status, answer) = create_keyed(&app, other).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_ne!(answer["workflowID"], id.as_str());
    assert_eq!(instance_count(&app).await, before + 1);
}

async fn unknown_and_foreign_workflows_answer_alike(app: TestApp) {
    let foreign = alices_demo_request(&app).await;
    let unknown = "0123456789abcdef0123456789abcdef";
    // activate: a wrong key, an unknown workflow, a wrong activity all answer the same
    // to someone who may not read the workflow.
    let mut answers = Vec::new();
    for (id, activity) in [
        (foreign.as_str(), "activation"),
        (unknown, "activation"),
        (foreign.as_str(), "manager_only"),
    ] {
        let answer = fault(
            &app,
            "activate",
            "carol",
            json!({"workflowID": id, "activityName": activity, "activationKey": "a-guess"}),
            FORBIDDEN,
            "invalidActivationKey",
        )
        .await;
        answers.push(answer["errorMessage"].clone());
    }
    assert!(answers.windows(2).all(|w| w[0] == w[1]), "{answers:?}");
    // bulkApproval: someone else's workflow is an unknown ID (40), naming no activity.
    let answer = ok(
        &app,
        "bulkApproval",
        "carol",
        json!({"accept": {"workflowID": [foreign, unknown]}}),
    )
    .await;
    assert_eq!(
        answer["failed"],
        json!([{"id": foreign, "name": "", "errorCode": 40}, {"id": unknown, "name": "", "errorCode": 40}]),
    );
    // The portal's item page and its helpers: the same status and words for both.
    let carol = app.session("carol").await;
    for (endpoint, extra) in [
        ("/app/work-item", vec![]),
        ("/app/claim", vec![("claim", "true")]),
        ("/app/forward", vec![("to", "dave")]),
        ("/app/decide", vec![("version", "1"), ("approve", "true")]),
        ("/app/request", vec![]),
        ("/app/withdraw", vec![("version", "1")]),
    ] {
        let mut seen = Vec::new();
        for id in [foreign.as_str(), unknown] {
            let mut form = vec![("workflow_id", id), ("run", "2")];
            form.extend(extra.iter().copied());
            let response = app.post_form(endpoint, &form, Some(&carol)).await;
            let status = response.status();
            seen.push((status, response.text().await.unwrap()));
        }
        assert_eq!(seen[0], seen[1], "{endpoint}");
        assert_eq!(seen[0].0, NOT_FOUND, "{endpoint}: {:?}", seen[0]);
    }
    let (status, page) = {
        let response = app
            .post_form(
                "/app/bulk-decide",
                &[("marks[]", &format!("a:{foreign}:2"))],
                Some(&carol),
            )
            .await;
        (response.status(), response.text().await.unwrap())
    };
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("\"error_code\":40"), "{page}");
}

async fn waiting_requests_are_bounded(app: TestApp) {
    let backend = app.backend();
    drop(app);
    let app = TestApp::spawn_with(backend, &["--max-waiting-requests", "1"])
        .await
        .expect("an app with one waiting slot");
    // One wait holds the only slot for three seconds: bob's own request waits for its
    // end, which a person must bring about.
    let waiting = {
        let url = app.url("/api/wfs/v1/createInstance");
        let client = app.client.clone();
        let mut body = role_order("bob", "Developer");
        body["waitForTermination"] = json!(true);
        body["timeout"] = json!(3000);
        tokio::spawn(async move {
            client
                .post(url)
                .header("content-type", "application/json")
                .header("authorization", basic("bob"))
                .body(body.to_string())
                .send()
                .await
                .map(|r| r.status())
        })
    };
    tokio::time::sleep(Duration::from_millis(500)).await;
    let before = instance_count(&app).await;
    let mut request = role_order("alice", "Developer");
    request["waitForIdle"] = json!(true);
    let answer = fault(
        &app,
        "createInstance",
        "alice",
        request.clone(),
        TOO_MANY_REQUESTS,
        "tooManyRequests",
    )
    .await;
    assert_names(&answer, "waiting");
    assert_eq!(
        instance_count(&app).await,
        before,
        "a refused wait creates nothing"
    );
    assert_eq!(waiting.await.unwrap().unwrap(), StatusCode::OK);
    // The slot came back.
    ok(&app, "createInstance", "alice", request).await;
}
