//! Contract tests of the Workflow Management Service, operation by operation: a success
//! and each of its faults, on both databases, against the demo company (alice asks bob,
//! heidi certifies ivan, nora waits for activation).

use super::harness::*;
use super::wfs::{alices_request, assert_fault, basic, call, call_with};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

on_both_databases!(
    create_instance_starts_waits_and_is_idempotent,
    create_instance_refuses_and_creates_nothing,
    list_instances_filters_sorts_and_limits,
    get_worklist_holds_only_the_participants_activities,
    modify_instance_changes_whole_or_not_at_all,
    suspend_resume_and_abort_follow_the_lifecycle,
    activate_takes_the_mailed_key_once,
    verify_answers_what_the_verification_found,
    wait_for_idle_answers_once_the_workflow_is_idle,
    waits_answer_timedout_when_time_runs_out,
    notify_participant_changed_asks_the_rule_again,
    update_certification_records_then_submits,
    the_openapi_document_lists_every_operation_and_is_shown_to_people,
);

pub(super) async fn op(
    app: &TestApp,
    operation: &str,
    user: &str,
    body: Value,
) -> (StatusCode, Value) {
    call(app, operation, Some(&basic(user)), &body.to_string()).await
}

/// The answer of a call that must succeed.
pub(super) async fn ok(app: &TestApp, operation: &str, user: &str, body: Value) -> Value {
    let (status, answer) = op(app, operation, user, body.clone()).await;
    assert_eq!(status, StatusCode::OK, "{operation} {body}: {answer}");
    answer
}

pub(super) async fn fault(
    app: &TestApp,
    operation: &str,
    user: &str,
    body: Value,
    status: StatusCode,
    error: &str,
) -> Value {
    let (got, answer) = op(app, operation, user, body).await;
    assert_fault(got, &answer, status, error, operation);
    answer
}

async fn instance(app: &TestApp, id: &str) -> Value {
    ok(
        app,
        "getInstance",
        "admin",
        json!({"workflowID": id, "returnData": "everything"}),
    )
    .await["workflowInstance"]
        .clone()
}

fn activity<'a>(instance: &'a Value, name: &str) -> &'a Value {
    instance["activity"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .find(|a| a["name"] == name)
        .unwrap_or_else(|| panic!("no activity {name} in {instance}"))
}

pub(super) async fn scalar(app: &TestApp, sql: &str) -> i64 {
    use sea_orm::{ConnectionTrait, Statement};
    let db = app.database().await;
    let row = db
        .query_one(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap()
        .unwrap();
    row.try_get("", "n").unwrap()
}

pub(super) async fn instance_count(app: &TestApp) -> i64 {
    scalar(app, "SELECT COUNT(*) AS n FROM workflow_instances").await
}

async fn text(app: &TestApp, sql: &str) -> String {
    use sea_orm::{ConnectionTrait, Statement};
    let db = app.database().await;
    let row = db
        .query_one(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("no row for {sql}"));
    row.try_get("", "id").unwrap()
}

fn ids(answer: &Value, field: &str) -> Vec<String> {
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

/// Another server on the same kind of database whose job runner ticks once at start
/// and then not for ten minutes: mail and other jobs stay pending, deterministically.
async fn with_slow_jobs(app: &TestApp) -> TestApp {
    let backend = if app.database_url.starts_with("sqlite") {
        Backend::Sqlite
    } else {
        Backend::Postgres
    };
    let slow = TestApp::spawn_with(backend, &["--job-interval-ms", "600000"])
        .await
        .expect("a second app");
    // The first tick works off the demo's mail (on PostgreSQL that takes a while); a job
    // made while it still runs would be worked too.
    let deadline = Instant::now() + Duration::from_secs(30);
    while scalar(
        &slow,
        "SELECT COUNT(*) AS n FROM jobs WHERE done_at IS NULL AND kind <> 'timer'",
    )
    .await
        > 0
    {
        assert!(Instant::now() < deadline, "the first tick never finished");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // And the runner has asked once more, found nothing, and sleeps.
    tokio::time::sleep(Duration::from_millis(300)).await;
    slow
}

/// A role request naming the definition that applies to roles (segregation of duties
/// checked, then the subject's manager decides).
fn role_request(subject: &str, role: &str) -> Value {
    json!({
        "definition": {"nameFilter": {"path": "My-Company/Roles/Role-Request-SoD"}},
        "subject": {"type": "infoOrder", "targetID": subject, "objectType": "user"},
        "resources": [{"type": "addOrder", "targetID": role, "objectType": "role"}],
        "context": {"justification": ["for the new project"]},
    })
}

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
    let mut best = role_request("alice", "Developer");
    best.as_object_mut().unwrap().remove("definition");
    let chosen = ok(&app, "createInstance", "alice", best).await;
    assert!(
        chosen["workflowPath"]
            .as_str()
            .unwrap()
            .starts_with("My-Company/"),
        "{chosen}"
    );
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

async fn create_instance_refuses_and_creates_nothing(app: TestApp) {
    let before = instance_count(&app).await;
    let mut unknown = role_request("alice", "Developer");
    unknown["definition"] = json!({"nameFilter": {"path": "My-Company/No-Such"}});
    fault(
        &app,
        "createInstance",
        "alice",
        unknown,
        StatusCode::NOT_FOUND,
        "definitionNotFound",
    )
    .await;
    let mut nothing_fits = role_request("alice", "Developer");
    nothing_fits["definition"] = json!({"operation": "teleport"});
    fault(
        &app,
        "createInstance",
        "alice",
        nothing_fits,
        StatusCode::UNPROCESSABLE_ENTITY,
        "noApplicableDefinition",
    )
    .await;
    let mut as_bob = role_request("alice", "Developer");
    as_bob["initiator"] = json!("bob");
    let refusal = fault(
        &app,
        "createInstance",
        "alice",
        as_bob,
        StatusCode::FORBIDDEN,
        "accessDenied",
    )
    .await;
    assert_eq!(refusal["errorMessage"], "access denied");
    // carol does not report to alice.
    fault(
        &app,
        "createInstance",
        "alice",
        role_request("carol", "Developer"),
        StatusCode::FORBIDDEN,
        "accessDenied",
    )
    .await;
    // An addOrder names a user still to be created, never an existing account.
    let registration = json!({
        "definition": {"nameFilter": {"path": "My-Company/Registration/User-Registration"}},
        "subject": {"type": "addOrder", "targetID": "nora", "objectType": "user"},
        "context": {"email": ["mallory@example.com"]},
    });
    fault(
        &app,
        "createInstance",
        "alice",
        registration,
        StatusCode::FORBIDDEN,
        "accessDenied",
    )
    .await;
    let mut no_reason = role_request("alice", "Developer");
    no_reason["context"] = json!({});
    let missing = fault(
        &app,
        "createInstance",
        "alice",
        no_reason,
        StatusCode::BAD_REQUEST,
        "invalidRequest",
    )
    .await;
    assert!(
        missing["errorMessage"]
            .as_str()
            .unwrap()
            .contains("context.justification"),
        "{missing}"
    );
    let mut bad_name = role_request("alice", "Developer");
    bad_name["context"]["no spaces"] = json!(["x"]);
    fault(
        &app,
        "createInstance",
        "alice",
        bad_name,
        StatusCode::BAD_REQUEST,
        "invalidRequest",
    )
    .await;
    let mut empty_target = role_request("alice", "Developer");
    empty_target["subject"]["targetID"] = json!("");
    let named = fault(
        &app,
        "createInstance",
        "alice",
        empty_target,
        StatusCode::BAD_REQUEST,
        "invalidRequest",
    )
    .await;
    assert!(
        named["errorMessage"]
            .as_str()
            .unwrap()
            .contains("subject.targetID"),
        "{named}"
    );
    let mut wrong_type = role_request("alice", "Developer");
    wrong_type["waitForIdle"] = json!("yes");
    let typed = fault(
        &app,
        "createInstance",
        "alice",
        wrong_type,
        StatusCode::BAD_REQUEST,
        "invalidRequest",
    )
    .await;
    assert!(
        typed["errorMessage"]
            .as_str()
            .unwrap()
            .contains("waitForIdle"),
        "{typed}"
    );
    let mut too_long = role_request("alice", "Developer");
    too_long["timeout"] = json!(60_000);
    fault(
        &app,
        "createInstance",
        "alice",
        too_long,
        StatusCode::BAD_REQUEST,
        "invalidRequest",
    )
    .await;
    assert_eq!(
        instance_count(&app).await,
        before,
        "a fault changes nothing"
    );
}

async fn list_instances_filters_sorts_and_limits(app: TestApp) {
    let alices = alices_request(&app).await;
    let theirs = ok(
        &app,
        "listInstances",
        "admin",
        json!({"workflowInstanceFilter": {"initiator": "alice"}}),
    )
    .await;
    assert_eq!(ids(&theirs, "workflowID"), vec![alices.clone()]);
    assert_eq!(theirs["sizeLimitExceeded"], false);

    let running = scalar(
        &app,
        "SELECT COUNT(*) AS n FROM workflow_instances WHERE state = 'RUNNING'",
    )
    .await;
    assert!(running > 2, "the demo runs several workflows");
    let two = ok(
        &app,
        "listInstances",
        "admin",
        json!({"workflowInstanceFilter": {"state": "RUNNING"}, "resultConstraints": {"range": {"itemTo": 2}}}),
    )
    .await;
    assert_eq!(ids(&two, "workflowID").len(), 2);
    assert_eq!(two["sizeLimitExceeded"], true);

    let four_eye = ok(
        &app,
        "listInstances",
        "admin",
        json!({"returnData": "everything", "workflowInstanceFilter": {"definitionFilter": {"path": "My-Company/Approval/4-Eye-Approval"}}}),
    )
    .await;
    let found = four_eye["workflowInstance"].as_array().unwrap();
    assert!(found.len() >= 2, "{four_eye}");
    assert!(found
        .iter()
        .all(|i| i["definition"]["id"] == "My-Company/Approval/4-Eye-Approval"));

    let bobs = ok(
        &app,
        "listInstances",
        "admin",
        json!({"returnData": "matchingActivities", "workflowInstanceFilter": {"workflowActivityFilter": {"participant": "bob", "state": "RUNNING"}}}),
    )
    .await;
    let bobs = bobs["workflowInstance"].as_array().unwrap().clone();
    assert!(!bobs.is_empty());
    for workflow in &bobs {
        let activities = workflow["activity"].as_array().unwrap();
        assert!(!activities.is_empty());
        assert!(activities.iter().all(|a| a["state"] == "RUNNING"
            && a["participant"].as_array().unwrap().contains(&json!("bob"))));
    }

    for (attribute, field) in [("initiator", "initiator"), ("name", "name")] {
        let sorted = ok(
            &app,
            "listInstances",
            "admin",
            json!({"returnData": "everything", "resultConstraints": {"sortCriteria": [{"attribute": attribute}]}}),
        )
        .await;
        let values: Vec<String> = sorted["workflowInstance"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i[field].as_str().unwrap().to_owned())
            .collect();
        let mut expected = values.clone();
        expected.sort();
        assert_eq!(values, expected, "sorted by {attribute}");
        let reversed = ok(
            &app,
            "listInstances",
            "admin",
            json!({"returnData": "everything", "resultConstraints": {"sortCriteria": [{"attribute": attribute, "reverse": true}]}}),
        )
        .await;
        let first = reversed["workflowInstance"][0][field].as_str().unwrap();
        assert_eq!(first, expected.last().unwrap());
    }

    // alice sees only her own.
    let own = ok(&app, "listInstances", "alice", json!({})).await;
    assert_eq!(ids(&own, "workflowID"), vec![alices]);
    let started_later = ok(
        &app,
        "listInstances",
        "admin",
        json!({"workflowInstanceFilter": {"started": {"after": "20990101000000Z"}}}),
    )
    .await;
    assert!(ids(&started_later, "workflowID").is_empty());

    let malformed = fault(
        &app,
        "listInstances",
        "admin",
        json!({"workflowInstanceFilter": [null]}),
        StatusCode::BAD_REQUEST,
        "invalidRequest",
    )
    .await;
    assert!(malformed["errorMessage"]
        .as_str()
        .unwrap()
        .contains("workflowInstanceFilter"));
    fault(
        &app,
        "listInstances",
        "admin",
        json!({"resultConstraints": {"range": {"itemTo": 0}}}),
        StatusCode::BAD_REQUEST,
        "invalidRequest",
    )
    .await;
    fault(
        &app,
        "listInstances",
        "admin",
        json!({"workflowInstanceFilter": {"started": {"after": "yesterday"}}}),
        StatusCode::BAD_REQUEST,
        "invalidRequest",
    )
    .await;
}

async fn get_worklist_holds_only_the_participants_activities(app: TestApp) {
    let alices = alices_request(&app).await;
    let worklist = ok(&app, "getWorklist", "bob", json!({})).await;
    let found = ids(&worklist, "workflowInstance");
    assert!(found.contains(&alices), "{worklist}");
    assert!(found.len() >= 2, "bob has several items: {worklist}");
    for workflow in worklist["workflowInstance"].as_array().unwrap() {
        for activity in workflow["activity"].as_array().unwrap() {
            assert_eq!(activity["state"], "RUNNING");
            assert!(activity["participant"]
                .as_array()
                .unwrap()
                .contains(&json!("bob")));
        }
    }
    assert_eq!(worklist["sizeLimitExceeded"], false);
    let hers = ok(
        &app,
        "getWorklist",
        "bob",
        json!({"workflowInstanceFilter": {"initiator": "alice"}}),
    )
    .await;
    assert_eq!(ids(&hers, "workflowInstance"), vec![alices.clone()]);
    let one = ok(
        &app,
        "getWorklist",
        "bob",
        json!({"resultConstraints": {"range": {"itemTo": 1}}}),
    )
    .await;
    assert_eq!(ids(&one, "workflowInstance").len(), 1);
    assert_eq!(one["sizeLimitExceeded"], true);
    let for_bob = ok(&app, "getWorklist", "admin", json!({"participant": "bob"})).await;
    assert_eq!(ids(&for_bob, "workflowInstance"), found);
    let own = ok(&app, "getWorklist", "admin", json!({})).await;
    assert!(!ids(&own, "workflowInstance").contains(&alices));
    let refusal = fault(
        &app,
        "getWorklist",
        "carol",
        json!({"participant": "bob"}),
        StatusCode::FORBIDDEN,
        "accessDenied",
    )
    .await;
    assert!(!refusal.to_string().contains("alice"));
    fault(
        &app,
        "getWorklist",
        "carol",
        json!({"participant": "not a name!"}),
        StatusCode::BAD_REQUEST,
        "invalidRequest",
    )
    .await;
}

async fn modify_instance_changes_whole_or_not_at_all(app: TestApp) {
    let id = alices_request(&app).await;
    let changed = ok(
        &app,
        "modifyInstance",
        "admin",
        json!({
            "returnData": "everything",
            "causeRefID": "audit-7",
            "workflow": {
                "workflowID": id,
                "correlationID": "X-1",
                "description": "urgent: auditors waiting",
                "context": {"note": ["call first"]},
                "activity": [{"name": "manager_approval", "participant": ["dave"]}]
            }
        }),
    )
    .await;
    let shown = &changed["workflowInstance"];
    assert_eq!(shown["correlationID"], "X-1");
    assert_eq!(shown["description"], "urgent: auditors waiting");
    assert_eq!(shown["context"]["note"], json!(["call first"]));
    assert_eq!(
        activity(shown, "manager_approval")["participant"],
        json!(["dave"])
    );
    let daves = ok(&app, "getWorklist", "dave", json!({})).await;
    assert!(ids(&daves, "workflowInstance").contains(&id));
    let bobs = ok(&app, "getWorklist", "bob", json!({})).await;
    assert!(!ids(&bobs, "workflowInstance").contains(&id));

    let modify = |workflow: Value| json!({"workflow": workflow});
    let suspended = ok(
        &app,
        "modifyInstance",
        "admin",
        json!({"returnData": "everything", "workflow": {"workflowID": id, "state": "SUSPENDED"}}),
    )
    .await;
    assert_eq!(suspended["workflowInstance"]["state"], "SUSPENDED");
    ok(
        &app,
        "modifyInstance",
        "admin",
        modify(json!({"workflowID": id, "state": "RUNNING", "correlationIDDelete": true})),
    )
    .await;
    let now = instance(&app, &id).await;
    assert_eq!(now["state"], "RUNNING");
    assert!(now.get("correlationID").is_none(), "{now}");

    fault(
        &app,
        "modifyInstance",
        "bob",
        modify(json!({"workflowID": id, "correlationID": "by-bob"})),
        StatusCode::FORBIDDEN,
        "accessDenied",
    )
    .await;
    fault(
        &app,
        "modifyInstance",
        "admin",
        modify(json!({"workflowID": "0000", "correlationID": "x"})),
        StatusCode::NOT_FOUND,
        "workflowNotFound",
    )
    .await;
    fault(
        &app,
        "modifyInstance",
        "admin",
        modify(json!({"workflowID": id, "activity": [{"name": "nope", "participant": ["dave"]}]})),
        StatusCode::NOT_FOUND,
        "activityNotFound",
    )
    .await;
    let read_only = fault(
        &app,
        "modifyInstance",
        "admin",
        modify(json!({"workflowID": id, "startDate": "20260101000000Z"})),
        StatusCode::BAD_REQUEST,
        "invalidRequest",
    )
    .await;
    assert!(read_only["errorMessage"]
        .as_str()
        .unwrap()
        .contains("workflow.startDate"));
    // The requester cannot be asked; the correlation id of the same request stays unset.
    fault(
        &app,
        "modifyInstance",
        "admin",
        modify(json!({"workflowID": id, "correlationID": "lost",
            "activity": [{"name": "manager_approval", "participant": ["alice"]}]})),
        StatusCode::BAD_REQUEST,
        "invalidRequest",
    )
    .await;
    fault(
        &app,
        "modifyInstance",
        "admin",
        modify(json!({"workflowID": id, "state": "SUCCEEDED"})),
        StatusCode::BAD_REQUEST,
        "invalidRequest",
    )
    .await;
    let after = instance(&app, &id).await;
    assert!(after.get("correlationID").is_none(), "{after}");
    assert_eq!(
        activity(&after, "manager_approval")["participant"],
        json!(["dave"])
    );
    ok(
        &app,
        "modifyInstance",
        "admin",
        modify(json!({"workflowID": id, "state": "ABORTED"})),
    )
    .await;
    fault(
        &app,
        "modifyInstance",
        "admin",
        modify(json!({"workflowID": id, "correlationID": "late"})),
        StatusCode::CONFLICT,
        "invalidState",
    )
    .await;
}

async fn suspend_resume_and_abort_follow_the_lifecycle(app: TestApp) {
    let id = alices_request(&app).await;
    let this = json!({"requestID": "s", "workflowID": id});
    assert_eq!(
        ok(&app, "suspend", "admin", this.clone()).await,
        json!({"requestID": "s"})
    );
    assert_eq!(instance(&app, &id).await["state"], "SUSPENDED");
    fault(
        &app,
        "suspend",
        "admin",
        this.clone(),
        StatusCode::CONFLICT,
        "invalidState",
    )
    .await;
    fault(
        &app,
        "suspend",
        "bob",
        this.clone(),
        StatusCode::FORBIDDEN,
        "accessDenied",
    )
    .await;
    fault(
        &app,
        "suspend",
        "admin",
        json!({"workflowID": "0000"}),
        StatusCode::NOT_FOUND,
        "workflowNotFound",
    )
    .await;
    fault(
        &app,
        "resume",
        "admin",
        json!({"workflowID": id, "activityName": "nope"}),
        StatusCode::NOT_FOUND,
        "activityNotFound",
    )
    .await;
    fault(
        &app,
        "resume",
        "admin",
        json!({"workflowID": id, "activityName": "manager_approval"}),
        StatusCode::CONFLICT,
        "invalidState",
    )
    .await;
    fault(
        &app,
        "resume",
        "bob",
        this.clone(),
        StatusCode::FORBIDDEN,
        "accessDenied",
    )
    .await;
    ok(&app, "resume", "admin", this.clone()).await;
    assert_eq!(instance(&app, &id).await["state"], "RUNNING");
    fault(
        &app,
        "resume",
        "admin",
        this.clone(),
        StatusCode::CONFLICT,
        "invalidState",
    )
    .await;
    fault(
        &app,
        "abort",
        "bob",
        this.clone(),
        StatusCode::FORBIDDEN,
        "accessDenied",
    )
    .await;
    ok(&app, "abort", "admin", this.clone()).await;
    let aborted = instance(&app, &id).await;
    assert_eq!(aborted["state"], "ABORTED");
    assert!(aborted["endDate"].is_string());
    fault(
        &app,
        "abort",
        "admin",
        this.clone(),
        StatusCode::CONFLICT,
        "invalidState",
    )
    .await;
    fault(
        &app,
        "abort",
        "admin",
        json!({"workflowID": "not/an/id"}),
        StatusCode::BAD_REQUEST,
        "invalidRequest",
    )
    .await;
}

async fn activate_takes_the_mailed_key_once(app: TestApp) {
    use assent::server::entities::workflow_instance;
    use sea_orm::{ActiveModelTrait, EntityTrait, Set};
    // Jobs stay pending here after the first tick: nothing replaces the key set below.
    let app = with_slow_jobs(&app).await;
    let id = text(
        &app,
        "SELECT id FROM workflow_instances WHERE subject_id = 'nora'",
    )
    .await;
    let db = app.database().await;
    let deadline = Instant::now() + Duration::from_secs(10);
    let stored = loop {
        let stored = workflow_instance::Entity::find_by_id(id.clone())
            .one(&db)
            .await
            .unwrap()
            .unwrap();
        let mut data: Value = serde_json::from_str(&stored.data).unwrap();
        let runs = data["runs"].as_array_mut().unwrap();
        let activation = runs
            .iter_mut()
            .find(|r| r["activity_type"] == "activation")
            .expect("the activation runs");
        if activation["result"].get("keyHash").is_some() || Instant::now() > deadline {
            // The mail only ever carries the key; the test plays its reader.
            activation["result"]["keyHash"] =
                json!([assent::server::workflow::jobs::key_digest("the-mailed-key")]);
            break (stored, data);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let (stored, data) = stored;
    let mut row: workflow_instance::ActiveModel = stored.into();
    row.data = Set(data.to_string());
    row.update(&db).await.unwrap();

    let with = |key: &str, activity: &str| json!({"workflowID": id, "activityName": activity, "activationKey": key});
    fault(
        &app,
        "activate",
        "carol",
        with("a-guess", "activation"),
        StatusCode::FORBIDDEN,
        "invalidActivationKey",
    )
    .await;
    // carol may not read the workflow: a wrong activity or an unknown workflow answer
    // exactly like a wrong key. The administrator, who may read it, is told what is wrong.
    fault(
        &app,
        "activate",
        "carol",
        with("the-mailed-key", "nope"),
        StatusCode::FORBIDDEN,
        "invalidActivationKey",
    )
    .await;
    fault(
        &app,
        "activate",
        "admin",
        with("the-mailed-key", "nope"),
        StatusCode::NOT_FOUND,
        "activityNotFound",
    )
    .await;
    fault(
        &app,
        "activate",
        "carol",
        json!({"workflowID": "0000", "activityName": "activation", "activationKey": "k"}),
        StatusCode::FORBIDDEN,
        "invalidActivationKey",
    )
    .await;
    assert!(app.login("nora", DEMO_PASSWORD).await.is_err(), "not yet");
    // The key is the right to activate; carol may not read the workflow, so she gets
    // its id, whatever returnData asks.
    let mut everything = with("the-mailed-key", "activation");
    everything["returnData"] = json!("everything");
    let answer = ok(&app, "activate", "carol", everything).await;
    assert_eq!(answer["workflowID"], id.as_str());
    assert!(answer.get("workflowInstance").is_none(), "{answer}");
    assert!(app.login("nora", DEMO_PASSWORD).await.is_ok(), "enabled");
    fault(
        &app,
        "activate",
        "carol",
        with("the-mailed-key", "activation"),
        StatusCode::FORBIDDEN,
        "invalidActivationKey",
    )
    .await;
    fault(
        &app,
        "activate",
        "admin",
        with("the-mailed-key", "activation"),
        StatusCode::CONFLICT,
        "invalidState",
    )
    .await;
}

async fn verify_answers_what_the_verification_found(app: TestApp) {
    // Verifications are for administrators (the definition's starters).
    let subject = |attributes: Value| json!({"subject": {"type": "addOrder", "targetID": "new.hire", "objectType": "user", "attributes": attributes}});
    let bad = ok(
        &app,
        "verify",
        "admin",
        subject(json!({"mail": ["ann@elsewhere.org"]})),
    )
    .await;
    assert_eq!(
        bad["errorMessage"],
        json!([
            "mail: a company address ending in @example.com is required",
            "sn: the surname is required"
        ])
    );
    assert!(bad.get("timedout").is_none(), "{bad}");
    let mut named = subject(json!({"mail": ["ann@example.com"], "sn": ["Lee"]}));
    named["workflowDefinitionName"] = json!("User-Verification");
    let good = ok(&app, "verify", "admin", named).await;
    assert_eq!(good["errorMessage"], json!([]));
    let ended = instance(&app, good["workflowID"].as_str().unwrap()).await;
    assert_eq!(ended["state"], "SUCCEEDED");
    let mut unknown = subject(json!({}));
    unknown["workflowDefinitionName"] = json!("No-Such-Check");
    fault(
        &app,
        "verify",
        "admin",
        unknown,
        StatusCode::NOT_FOUND,
        "definitionNotFound",
    )
    .await;
    let missing = fault(
        &app,
        "verify",
        "admin",
        json!({}),
        StatusCode::BAD_REQUEST,
        "invalidRequest",
    )
    .await;
    assert!(missing["errorMessage"]
        .as_str()
        .unwrap()
        .contains("subject"));
}

async fn wait_for_idle_answers_once_the_workflow_is_idle(app: TestApp) {
    let id = alices_request(&app).await;
    let wait = json!({"workflowID": id, "timeout": 10000, "returnData": "everything"});
    let waiting = ok(&app, "waitForIdle", "bob", wait.clone()).await;
    assert_eq!(waiting["timedout"], false, "waiting for bob is idle");
    assert_eq!(waiting["workflowInstance"]["state"], "RUNNING");
    // bob approves; the mail still has to go out before the workflow ends.
    let approved = ok(
        &app,
        "bulkApproval",
        "bob",
        json!({"accept": {"workflowID": [id]}}),
    )
    .await;
    assert_eq!(approved["failed"], json!([]));
    let started = Instant::now();
    let ended = ok(&app, "waitForIdle", "alice", wait.clone()).await;
    assert_eq!(ended["timedout"], false, "{ended}");
    assert_eq!(ended["workflowInstance"]["state"], "SUCCEEDED");
    assert!(started.elapsed() < Duration::from_secs(10));
    fault(
        &app,
        "waitForIdle",
        "carol",
        wait.clone(),
        StatusCode::FORBIDDEN,
        "accessDenied",
    )
    .await;
    fault(
        &app,
        "waitForIdle",
        "admin",
        json!({"workflowID": "0000"}),
        StatusCode::NOT_FOUND,
        "workflowNotFound",
    )
    .await;
}

async fn waits_answer_timedout_when_time_runs_out(app: TestApp) {
    let app = with_slow_jobs(&app).await;
    let id = alices_request(&app).await;
    ok(
        &app,
        "bulkApproval",
        "bob",
        json!({"accept": {"workflowID": [id]}}),
    )
    .await;
    // The approval mail stays pending: the workflow is busy, not idle.
    let started = Instant::now();
    let waited = ok(
        &app,
        "waitForIdle",
        "alice",
        json!({"workflowID": id, "timeout": 300, "returnData": "everything"}),
    )
    .await;
    assert_eq!(waited["timedout"], true, "{waited}");
    assert_eq!(waited["workflowInstance"]["state"], "RUNNING");
    assert!(started.elapsed() >= Duration::from_millis(300));
    let mut request = role_request("alice", "Developer");
    request["waitForTermination"] = json!(true);
    request["timeout"] = json!(300);
    let created = ok(&app, "createInstance", "alice", request).await;
    assert_eq!(created["timedout"], true, "waiting for bob is not the end");
}

async fn notify_participant_changed_asks_the_rule_again(app: TestApp) {
    use sea_orm::{ConnectionTrait, Statement};
    let id = alices_request(&app).await;
    let db = app.database().await;
    db.execute(Statement::from_string(
        db.get_database_backend(),
        "UPDATE users SET manager_id = (SELECT id FROM users WHERE username = 'dave') WHERE username = 'alice'",
    ))
    .await
    .unwrap();
    let this = json!({"workflowID": id, "returnData": "everything", "timeout": 2000});
    fault(
        &app,
        "notifyParticipantChanged",
        "bob",
        this.clone(),
        StatusCode::FORBIDDEN,
        "accessDenied",
    )
    .await;
    let answer = ok(&app, "notifyParticipantChanged", "admin", this.clone()).await;
    assert_eq!(answer["timedout"], false);
    assert_eq!(
        activity(&answer["workflowInstance"], "manager_approval")["participant"],
        json!(["dave"])
    );
    assert!(ids(
        &ok(&app, "getWorklist", "dave", json!({})).await,
        "workflowInstance"
    )
    .contains(&id));
    assert!(!ids(
        &ok(&app, "getWorklist", "bob", json!({})).await,
        "workflowInstance"
    )
    .contains(&id));
    fault(
        &app,
        "notifyParticipantChanged",
        "admin",
        json!({"workflowID": "0000"}),
        StatusCode::NOT_FOUND,
        "workflowNotFound",
    )
    .await;
    ok(&app, "abort", "admin", json!({"workflowID": id})).await;
    fault(
        &app,
        "notifyParticipantChanged",
        "admin",
        this,
        StatusCode::CONFLICT,
        "invalidState",
    )
    .await;
}

async fn update_certification_records_then_submits(app: TestApp) {
    let id = text(
        &app,
        "SELECT id FROM workflow_instances WHERE subject_id = 'ivan'",
    )
    .await;
    let order = |kind: &str, target: &str, object: &str| json!({"type": kind, "targetID": target, "objectType": object});
    let revoke_crm = json!({"workflowID": id, "activityName": "review",
        "resource": [order("deleteOrder", "CRM Account", "resource")]});
    fault(
        &app,
        "updateCertification",
        "carol",
        revoke_crm.clone(),
        StatusCode::FORBIDDEN,
        "accessDenied",
    )
    .await;
    let mut for_heidi = revoke_crm.clone();
    for_heidi["initiator"] = json!("heidi");
    fault(
        &app,
        "updateCertification",
        "bob",
        for_heidi,
        StatusCode::FORBIDDEN,
        "accessDenied",
    )
    .await;
    let mut wrong_activity = revoke_crm.clone();
    wrong_activity["activityName"] = json!("nope");
    fault(
        &app,
        "updateCertification",
        "heidi",
        wrong_activity,
        StatusCode::NOT_FOUND,
        "activityNotFound",
    )
    .await;
    let step = ok(&app, "updateCertification", "heidi", revoke_crm).await;
    assert_eq!(step["complete"], false);
    let early = json!({"workflowID": id, "activityName": "review", "submit": true});
    fault(
        &app,
        "updateCertification",
        "heidi",
        early,
        StatusCode::CONFLICT,
        "invalidState",
    )
    .await;
    let done = ok(
        &app,
        "updateCertification",
        "heidi",
        json!({"workflowID": id, "activityName": "review", "submit": true,
            "resource": [order("infoOrder", "Sales Representative", "role")]}),
    )
    .await;
    assert_eq!(done["complete"], true);
    let ended = instance(&app, &id).await;
    assert_eq!(activity(&ended, "review")["state"], "SUCCEEDED");
    fault(
        &app,
        "updateCertification",
        "heidi",
        json!({"workflowID": id, "activityName": "review", "submit": true}),
        StatusCode::CONFLICT,
        "invalidState",
    )
    .await;
}

async fn the_openapi_document_lists_every_operation_and_is_shown_to_people(app: TestApp) {
    let response = app.get("/api/wfs/v1/openapi.json", None).await;
    assert_eq!(response.status(), StatusCode::OK);
    let document: Value = serde_json::from_str(&response.text().await.unwrap()).unwrap();
    assert_eq!(document["openapi"], "3.1.0");
    let operations = [
        "listDefinitions",
        "createInstance",
        "getInstance",
        "listInstances",
        "getWorklist",
        "modifyInstance",
        "suspend",
        "resume",
        "abort",
        "activate",
        "verify",
        "waitForIdle",
        "notifyParticipantChanged",
        "updateCertification",
        "bulkApproval",
    ];
    let paths = document["paths"].as_object().unwrap();
    assert_eq!(paths.len(), operations.len());
    let page = app.get("/api/wfs/v1/docs", None).await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(!html.contains("<script"), "the page runs nothing");
    for operation in operations {
        let item = &paths[&format!("/api/wfs/v1/{operation}")]["post"];
        assert_eq!(item["operationId"], operation);
        let request = item["requestBody"]["content"]["application/json"]["schema"]["$ref"]
            .as_str()
            .unwrap();
        let name = request.rsplit('/').next().unwrap();
        let schema = &document["components"]["schemas"][name];
        assert_eq!(schema["additionalProperties"], false, "{operation}");
        assert_eq!(
            schema["properties"]["domain"]["enum"],
            json!(["My-Company", null]),
            "{operation}"
        );
        for status in ["200", "400", "401", "500"] {
            assert!(
                item["responses"][status].is_object(),
                "{operation} {status}"
            );
        }
        assert!(
            html.contains(&format!("id=\"op-{operation}\"")),
            "{operation}"
        );
        // What the document lists is served (an unlisted name is a 404).
        let (status, _) = op(&app, operation, "bob", json!({"colour": 1})).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{operation}");
    }
}
