//! Trust (issue #9), what reaches access: who may change which account, through which
//! workflow, on whose behalf; mailed links; idempotency keys; answers that tell nothing
//! of other people's workflows; bounded waiting. Each test tries the attack that worked
//! before and checks that it is refused and changed nothing.

use super::harness::*;
use super::wfs::{assert_fault, basic, call_with};
use super::wfs_operations::{
    fault as refused, instance_count as instances, ok, op, scalar as count,
};
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

async fn execute(app: &TestApp, sql: &str) {
    use sea_orm::{ConnectionTrait, Statement};
    let db = app.database().await;
    db.execute(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

fn role_request(subject: &str, role: &str) -> Value {
    json!({
        "subject": {"type": "infoOrder", "targetID": subject, "objectType": "user"},
        "resources": [{"type": "addOrder", "targetID": role, "objectType": "role"}],
        "context": {"justification": ["for the new project"]},
    })
}

async fn subjects_are_checked_whatever_the_order_says(app: TestApp) {
    let before = instances(&app).await;
    // Yesterday's attack: a registration of nora's disabled account whose order named
    // another object type skipped every subject check.
    for object_type in ["group", "account", "USER-ish"] {
        let answer = refused(
            &app,
            "createInstance",
            "alice",
            json!({
                "definition": {"nameFilter": {"path": "My-Company/Registration/User-Registration"}},
                "subject": {"type": "addOrder", "targetID": "nora", "objectType": object_type},
                "context": {"email": ["mallory@example.com"]},
            }),
            StatusCode::BAD_REQUEST,
            "invalidRequest",
        )
        .await;
        assert!(
            answer["errorMessage"]
                .as_str()
                .unwrap()
                .contains("subject.objectType"),
            "{answer}"
        );
    }
    // As a user: a registration of an existing account, or any other order on a
    // disabled one, needs the right to manage accounts.
    for order in ["addOrder", "modifyOrder", "infoOrder"] {
        refused(
            &app,
            "createInstance",
            "alice",
            json!({
                "definition": {"nameFilter": {"path": "My-Company/Registration/User-Registration"}},
                "subject": {"type": order, "targetID": "nora", "objectType": "user"},
                "context": {"email": ["mallory@example.com"]},
            }),
            StatusCode::FORBIDDEN,
            "accessDenied",
        )
        .await;
    }
    // Someone who is not alice's manager asks for her.
    refused(
        &app,
        "createInstance",
        "carol",
        role_request("alice", "Developer"),
        StatusCode::FORBIDDEN,
        "accessDenied",
    )
    .await;
    // Only administrators start a verification (the definition's `starters`).
    refused(
        &app,
        "verify",
        "alice",
        json!({"subject": {"type": "addOrder", "targetID": "new.person", "objectType": "user",
               "attributes": {"mail": ["new.person@example.com"]}}}),
        StatusCode::FORBIDDEN,
        "accessDenied",
    )
    .await;
    assert_eq!(instances(&app).await, before, "nothing was started");
    // The administrator may, and the registration's key goes to the stored address.
    ok(
        &app,
        "verify",
        "admin",
        json!({"subject": {"type": "addOrder", "targetID": "new.person", "objectType": "user",
               "attributes": {"mail": ["new.person@example.com"], "sn": ["Person"]}}}),
    )
    .await;
}

async fn only_the_applicable_workflow_starts_unless_an_administrator_forces_it(app: TestApp) {
    let before = instances(&app).await;
    // Naming the plain 4-eye approval for a role the segregation-of-duties workflow
    // covers is refused.
    let mut weaker = role_request("alice", "Developer");
    weaker["definition"] = json!({"nameFilter": {"path": "My-Company/Approval/4-Eye-Approval"}});
    refused(
        &app,
        "createInstance",
        "alice",
        weaker.clone(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "noApplicableDefinition",
    )
    .await;
    // Items must be in the catalog, under the type the order names.
    for (role, object_type) in [("No Such Role", "role"), ("Developer", "resource")] {
        let mut request = role_request("alice", role);
        request["resources"][0]["objectType"] = json!(object_type);
        let answer = refused(
            &app,
            "createInstance",
            "alice",
            request,
            StatusCode::BAD_REQUEST,
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
        let mut request = role_request("frank", "Developer");
        request["resources"] = resources;
        request["definition"] = criteria;
        refused(
            &app,
            "createInstance",
            "frank",
            request,
            StatusCode::BAD_REQUEST,
            "invalidRequest",
        )
        .await;
    }
    assert_eq!(instances(&app).await, before);
    // Unnamed, or naming the one that applies: the segregation-of-duties workflow.
    for definition in [
        None,
        Some(json!({"nameFilter": {"path": "My-Company/Roles/Role-Request-SoD"}})),
    ] {
        let mut request = role_request("alice", "Developer");
        if let Some(definition) = definition {
            request["definition"] = definition;
        }
        let answer = ok(&app, "createInstance", "alice", request).await;
        assert!(
            answer["workflowPath"]
                .as_str()
                .unwrap()
                .starts_with("My-Company/Roles/Role-Request-SoD/"),
            "{answer}"
        );
    }
    // An administrator may force another, and the audit trail says so.
    let forced = ok(&app, "createInstance", "admin", weaker).await;
    assert!(
        forced["workflowPath"]
            .as_str()
            .unwrap()
            .starts_with("My-Company/Approval/4-Eye-Approval/"),
        "{forced}"
    );
    assert_eq!(
        count(&app, "SELECT COUNT(*) AS n FROM audit_events WHERE action = 'workflow.definition_forced' AND actor = 'admin'").await,
        1
    );
}

/// alice's running demo request, which bob decides.
async fn alices_demo_request(app: &TestApp) -> String {
    use sea_orm::{ConnectionTrait, Statement};
    let db = app.database().await;
    db.query_one(Statement::from_string(
        db.get_database_backend(),
        "SELECT w.instance_id AS id FROM work_items w JOIN workflow_instances i ON i.id = w.instance_id WHERE w.username = 'bob' AND i.initiator = 'alice'",
    ))
    .await
    .unwrap()
    .expect("bob decides a request of alice's")
    .try_get("", "id")
    .unwrap()
}

async fn acting_for_another_needs_its_own_right_and_is_recorded(app: TestApp) {
    let id = alices_demo_request(&app).await;
    let accept = |participant: &str, id: &str| json!({"participantDN": participant, "accept": {"reason": "on leave", "workflowID": [id]}});
    // Being an administrator is not the right to decide as someone else.
    refused(
        &app,
        "bulkApproval",
        "admin",
        accept("bob", &id),
        StatusCode::FORBIDDEN,
        "accessDenied",
    )
    .await;
    // The service desk holds it: the decision counts as bob's, made by sam.
    let answer = ok(&app, "bulkApproval", "sam", accept("bob", &id)).await;
    assert_eq!(answer["failed"], json!([]), "{answer}");
    assert_eq!(
        count(&app, &format!("SELECT COUNT(*) AS n FROM audit_events WHERE action = 'workflow.decided' AND actor = 'sam' AND detail LIKE '%for bob%' AND detail LIKE '%{id}%'")).await,
        1,
        "the audit trail names the real caller and on whose behalf"
    );
    let alice = app.login("alice", DEMO_PASSWORD).await.expect("login");
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
        role_request("sam", "Developer"),
    )
    .await;
    let for_sam = for_sam["workflowID"].as_str().unwrap().to_owned();
    let asked = count(&app, &format!("SELECT COUNT(*) AS n FROM work_items WHERE instance_id = '{for_sam}' AND username = 'erin'")).await;
    assert_eq!(
        asked, 1,
        "admin started it, so admin's manager erin is asked"
    );
    let answer = ok(&app, "bulkApproval", "sam", accept("erin", &for_sam)).await;
    assert_eq!(answer["failed"][0]["errorCode"], 30, "{answer}");
    assert_eq!(
        count(&app, &format!("SELECT COUNT(*) AS n FROM work_items WHERE instance_id = '{for_sam}' AND username = 'erin'")).await,
        1,
        "still open"
    );
    // Starting as another person: for alice, yes; as alice, for sam himself, no.
    let mut as_alice = role_request("alice", "Developer");
    as_alice["initiator"] = json!("alice");
    ok(&app, "createInstance", "sam", as_alice.clone()).await;
    refused(
        &app,
        "createInstance",
        "admin",
        as_alice,
        StatusCode::FORBIDDEN,
        "accessDenied",
    )
    .await;
    // Nor as someone whose account is disabled (nora awaits activation).
    let mut as_nora = role_request("nora", "Developer");
    as_nora["initiator"] = json!("nora");
    refused(
        &app,
        "createInstance",
        "sam",
        as_nora,
        StatusCode::FORBIDDEN,
        "accessDenied",
    )
    .await;
    let mut for_himself = role_request("sam", "Developer");
    for_himself["initiator"] = json!("admin");
    refused(
        &app,
        "createInstance",
        "sam",
        for_himself,
        StatusCode::FORBIDDEN,
        "accessDenied",
    )
    .await;
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
    let items = |id: &str, user: &str| {
        format!("SELECT COUNT(*) AS n FROM work_items WHERE instance_id = '{id}' AND username = '{user}'")
    };
    // VPN Access is decided by two of bob, carol and dave: for carol, her place goes to
    // her manager dave, who is already asked, so bob and dave decide.
    let vpn = start("carol", "VPN Access").await;
    assert_eq!(
        count(&app, &items(&vpn, "carol")).await,
        0,
        "the subject is not asked"
    );
    assert_eq!(count(&app, &items(&vpn, "bob")).await, 1);
    assert_eq!(count(&app, &items(&vpn, "dave")).await, 1);
    // dave owns the Source Repository: asked for dave, his manager erin approves as his
    // manager and then again instead of dave as the owner.
    let repo = start("dave", "Source Repository").await;
    assert_eq!(count(&app, &items(&repo, "erin")).await, 1);
    let answer = ok(
        &app,
        "bulkApproval",
        "erin",
        json!({"accept": {"reason": "fine", "workflowID": [repo]}}),
    )
    .await;
    assert_eq!(answer["failed"], json!([]), "{answer}");
    assert_eq!(
        count(&app, &items(&repo, "dave")).await,
        0,
        "the owner is the subject"
    );
    assert_eq!(
        count(&app, &items(&repo, "erin")).await,
        1,
        "his manager decides instead"
    );
    // The subject cannot decide it, nor can it be forwarded or reassigned to him.
    let answer = ok(
        &app,
        "bulkApproval",
        "dave",
        json!({"accept": {"workflowID": [repo]}}),
    )
    .await;
    assert_eq!(answer["failed"].as_array().unwrap().len(), 1, "{answer}");
    let erin = app.login("erin", DEMO_PASSWORD).await.expect("login");
    let run = count(&app, &format!("SELECT CAST(run_seq AS BIGINT) AS n FROM work_items WHERE instance_id = '{repo}' AND username = 'erin'")).await;
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
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(response.text().await.unwrap().contains("dave"));
    let answer = op(
        &app,
        "modifyInstance",
        "admin",
        json!({"workflow": {"workflowID": repo, "activity": [{"name": "owner_approval", "participant": ["dave"]}]}}),
    )
    .await;
    assert_ne!(answer.0, StatusCode::OK, "{answer:?}");
    assert_eq!(count(&app, &items(&repo, "dave")).await, 0);
}

fn digest(token: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

async fn insert_link(app: &TestApp, token: &str, instance: &str, run: i64, user: &str, days: i64) {
    let expires = (chrono::Utc::now() + chrono::Duration::days(days)).to_rfc3339();
    execute(
        app,
        &format!(
            "INSERT INTO decision_links (token_hash, instance_id, run_seq, username, verdict, expires_at) VALUES ('{}', '{instance}', {run}, '{user}', 'approve', '{expires}')",
            digest(token)
        ),
    )
    .await;
}

async fn confirm(app: &TestApp, token: &str) -> (StatusCode, String) {
    let response = app
        .post_form("/app/mail-decision/confirm", &[("token", token)], None)
        .await;
    (response.status(), response.text().await.unwrap())
}

async fn mailed_links_stop_when_replaced_or_disabled_and_survive_failed_decisions(app: TestApp) {
    let id = alices_demo_request(&app).await;
    let run = count(&app, &format!("SELECT CAST(run_seq AS BIGINT) AS n FROM work_items WHERE instance_id = '{id}' AND username = 'bob'")).await;
    // A reminder's link replaces the first mail's.
    // (Later than the links the demo's own mail carries, which last 7 days.)
    insert_link(&app, "first-mail", &id, run, "bob", 8).await;
    insert_link(&app, "reminder", &id, run, "bob", 9).await;
    let (status, body) = confirm(&app, "first-mail").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.contains("replaced"), "{body}");
    // A decision that does not commit leaves the link usable: suspended, the workflow
    // refuses; resumed, the same link decides.
    ok(&app, "suspend", "admin", json!({"workflowID": id})).await;
    let (status, body) = confirm(&app, "reminder").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.contains("no longer running"), "{body}");
    ok(&app, "resume", "admin", json!({"workflowID": id})).await;
    let (status, body) = confirm(&app, "reminder").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, body) = confirm(&app, "reminder").await;
    assert!(body.contains("already used"), "{body}");

    // A disabled approver's links die with the account.
    let niaj = count(
        &app,
        "SELECT COUNT(*) AS n FROM work_items WHERE username = 'dave'",
    )
    .await;
    assert!(niaj >= 1);
    use sea_orm::{ConnectionTrait, Statement};
    let db = app.database().await;
    let row = db
        .query_one(Statement::from_string(
            db.get_database_backend(),
            "SELECT w.instance_id AS id, CAST(w.run_seq AS BIGINT) AS n FROM work_items w JOIN workflow_instances i ON i.id = w.instance_id WHERE w.username = 'dave' AND i.initiator = 'niaj'",
        ))
        .await
        .unwrap()
        .expect("dave decides niaj's request");
    let (niajs, niaj_run): (String, i64) = (
        row.try_get("", "id").unwrap(),
        row.try_get::<i64>("", "n").unwrap(),
    );
    insert_link(&app, "daves-link", &niajs, niaj_run, "dave", 8).await;
    let preview = app.get("/mail-decision?token=daves-link", None).await;
    assert!(preview.text().await.unwrap().contains("Confirm approval"));
    execute(
        &app,
        "UPDATE users SET disabled = TRUE WHERE username = 'dave'",
    )
    .await;
    let (status, body) = confirm(&app, "daves-link").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.contains("not valid"), "{body}");
    assert_eq!(
        count(&app, &format!("SELECT COUNT(*) AS n FROM work_items WHERE instance_id = '{niajs}' AND username = 'dave'")).await,
        1,
        "nothing decided"
    );
}

async fn idempotency_keys_bind_their_request_and_expire(app: TestApp) {
    let create = |body: Value| {
        let app = &app;
        async move {
            call_with(
                app,
                "createInstance",
                Some(&basic("alice")),
                &body.to_string(),
                &[("idempotency-key", "order-7")],
            )
            .await
        }
    };
    let mut first = role_request("alice", "Developer");
    first["requestID"] = json!("try-1");
    let (status, answer) = create(first.clone()).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let id = answer["workflowID"].as_str().unwrap().to_owned();
    let before = instances(&app).await;
    // A retry (another requestID, another wait) is the same request.
    let mut retry = first.clone();
    retry["requestID"] = json!("try-2");
    retry["timeout"] = json!(1000);
    let (status, answer) = create(retry).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["workflowID"], id.as_str());
    // The same key with another request is a conflict naming the key.
    let mut other = first.clone();
    other["context"] = json!({"justification": ["something else entirely"]});
    let (status, answer) = create(other.clone()).await;
    assert_fault(
        status,
        &answer,
        StatusCode::CONFLICT,
        "conflict",
        "createInstance",
    );
    assert!(
        answer["errorMessage"].as_str().unwrap().contains("order-7"),
        "{answer}"
    );
    assert_eq!(instances(&app).await, before, "nothing created");
    // After the idempotency window (24 hours by default) the key is free again.
    let long_ago = (chrono::Utc::now() - chrono::Duration::hours(25)).to_rfc3339();
    execute(
        &app,
        &format!("UPDATE api_requests SET created_at = '{long_ago}'"),
    )
    .await;
    let (status, answer) = create(other).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_ne!(answer["workflowID"], id.as_str());
    assert_eq!(instances(&app).await, before + 1);
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
        let answer = refused(
            &app,
            "activate",
            "carol",
            json!({"workflowID": id, "activityName": activity, "activationKey": "a-guess"}),
            StatusCode::FORBIDDEN,
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
    let carol = app.login("carol", DEMO_PASSWORD).await.expect("login");
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
        assert_eq!(
            seen[0].0,
            StatusCode::NOT_FOUND,
            "{endpoint}: {:?}",
            seen[0]
        );
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
    let backend = if app.database_url.starts_with("sqlite") {
        Backend::Sqlite
    } else {
        Backend::Postgres
    };
    drop(app);
    let app = TestApp::spawn_with(backend, &["--max-waiting-requests", "1"])
        .await
        .expect("an app with one waiting slot");
    // One wait holds the only slot for three seconds: bob's own request waits for its
    // end, which a person must bring about.
    let waiting = {
        let url = app.url("/api/wfs/v1/createInstance");
        let client = app.client.clone();
        let mut body = role_request("bob", "Developer");
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
    let before = instances(&app).await;
    let mut request = role_request("alice", "Developer");
    request["waitForIdle"] = json!(true);
    let answer = refused(
        &app,
        "createInstance",
        "alice",
        request.clone(),
        StatusCode::TOO_MANY_REQUESTS,
        "tooManyRequests",
    )
    .await;
    assert!(answer["errorMessage"].as_str().unwrap().contains("waiting"));
    assert_eq!(
        instances(&app).await,
        before,
        "a refused wait creates nothing"
    );
    assert_eq!(waiting.await.unwrap().unwrap(), StatusCode::OK);
    // The slot came back.
    ok(&app, "createInstance", "alice", request).await;
}
