//! Changing a running workflow through the Workflow Management Service: modifyInstance,
//! suspend, resume, abort and notifyParticipantChanged, each with its refusals.

use super::api::*;
use super::harness::*;
use serde_json::{json, Value};

on_both_databases!(
    modify_instance_changes_whole_or_not_at_all,
    suspend_resume_and_abort_follow_the_lifecycle,
    notify_participant_changed_asks_the_rule_again,
);

/// Whether `user`'s worklist (getWorklist) holds the workflow `id`.
async fn in_worklist(app: &TestApp, user: &str, id: &str) -> bool {
    ids(
        &ok(app, "getWorklist", user, json!({})).await,
        "workflowInstance",
    )
    .iter()
    .any(|found| found == id)
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
    assert!(in_worklist(&app, "dave", &id).await);
    assert!(!in_worklist(&app, "bob", &id).await);

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

    let by_bob = modify(json!({"workflowID": id, "correlationID": "by-bob"}));
    let unknown = modify(json!({"workflowID": "0000", "correlationID": "x"}));
    let no_such_activity =
        modify(json!({"workflowID": id, "activity": [{"name": "nope", "participant": ["dave"]}]}));
    let read_only = modify(json!({"workflowID": id, "startDate": "20260101000000Z"}));
    // The requester cannot be asked; the correlation id of the same request stays unset.
    let requester_asked = modify(json!({"workflowID": id, "correlationID": "lost",
        "activity": [{"name": "manager_approval", "participant": ["alice"]}]}));
    let succeeded = modify(json!({"workflowID": id, "state": "SUCCEEDED"}));
    #[rustfmt::skip]
    let refusals: Vec<Refusal> = vec![
        ("modifyInstance", "bob", by_bob, FORBIDDEN, "accessDenied"),
        ("modifyInstance", "admin", unknown, NOT_FOUND, "workflowNotFound"),
        ("modifyInstance", "admin", no_such_activity, NOT_FOUND, "activityNotFound"),
        ("modifyInstance", "admin", read_only, BAD_REQUEST, "invalidRequest"),
        ("modifyInstance", "admin", requester_asked, BAD_REQUEST, "invalidRequest"),
        ("modifyInstance", "admin", succeeded, BAD_REQUEST, "invalidRequest"),
    ];
    let refused = faults(&app, refusals).await;
    assert_names(&refused[3], "workflow.startDate");
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
        CONFLICT,
        "invalidState",
    )
    .await;
}

async fn suspend_resume_and_abort_follow_the_lifecycle(app: TestApp) {
    let id = alices_request(&app).await;
    let this = json!({"requestID": "s", "workflowID": id});
    let state = || async { instance(&app, &id).await["state"].clone() };
    assert_eq!(
        ok(&app, "suspend", "admin", this.clone()).await,
        json!({"requestID": "s"})
    );
    assert_eq!(state().await, "SUSPENDED");
    let unknown = json!({"workflowID": "0000"});
    let on_activity = |name: &str| json!({"workflowID": id, "activityName": name});
    #[rustfmt::skip]
    let refusals: Vec<Refusal> = vec![
        ("suspend", "admin", this.clone(), CONFLICT, "invalidState"),
        ("suspend", "bob", this.clone(), FORBIDDEN, "accessDenied"),
        ("suspend", "admin", unknown, NOT_FOUND, "workflowNotFound"),
        ("resume", "admin", on_activity("nope"), NOT_FOUND, "activityNotFound"),
        ("resume", "admin", on_activity("manager_approval"), CONFLICT, "invalidState"),
        ("resume", "bob", this.clone(), FORBIDDEN, "accessDenied"),
    ];
    faults(&app, refusals).await;
    ok(&app, "resume", "admin", this.clone()).await;
    assert_eq!(state().await, "RUNNING");
    #[rustfmt::skip]
    let refusals: Vec<Refusal> = vec![
        ("resume", "admin", this.clone(), CONFLICT, "invalidState"),
        ("abort", "bob", this.clone(), FORBIDDEN, "accessDenied"),
    ];
    faults(&app, refusals).await;
    ok(&app, "abort", "admin", this.clone()).await;
    let aborted = instance(&app, &id).await;
    assert_eq!(aborted["state"], "ABORTED");
    assert!(aborted["endDate"].is_string());
    let not_an_id = json!({"workflowID": "not/an/id"});
    #[rustfmt::skip]
    let refusals: Vec<Refusal> = vec![
        ("abort", "admin", this, CONFLICT, "invalidState"),
        ("abort", "admin", not_an_id, BAD_REQUEST, "invalidRequest"),
    ];
    faults(&app, refusals).await;
}

async fn notify_participant_changed_asks_the_rule_again(app: TestApp) {
    let id = alices_request(&app).await;
    app.execute(
        "UPDATE users SET manager_id = (SELECT id FROM users WHERE username = 'dave') WHERE username = 'alice'",
    )
    .await;
    let this = json!({"workflowID": id, "returnData": "everything", "timeout": 2000});
    fault(
        &app,
        "notifyParticipantChanged",
        "bob",
        this.clone(),
        FORBIDDEN,
        "accessDenied",
    )
    .await;
    let answer = ok(&app, "notifyParticipantChanged", "admin", this.clone()).await;
    assert_eq!(answer["timedout"], false);
    assert_eq!(
        activity(&answer["workflowInstance"], "manager_approval")["participant"],
        json!(["dave"])
    );
    assert!(in_worklist(&app, "dave", &id).await);
    assert!(!in_worklist(&app, "bob", &id).await);
    fault(
        &app,
        "notifyParticipantChanged",
        "admin",
        json!({"workflowID": "0000"}),
        NOT_FOUND,
        "workflowNotFound",
    )
    .await;
    ok(&app, "abort", "admin", json!({"workflowID": id})).await;
    fault(
        &app,
        "notifyParticipantChanged",
        "admin",
        this,
        CONFLICT,
        "invalidState",
    )
    .await;
}
