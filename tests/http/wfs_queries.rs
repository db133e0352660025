//! listInstances and getWorklist of the Workflow Management Service: filters, sorting,
//! limits, and whose workflows each caller may see.

use super::api::*;
use super::harness::*;
use serde_json::json;

on_both_databases!(
    list_instances_filters_sorts_and_limits,
    get_worklist_holds_only_the_participants_activities,
);

async fn list_instances_filters_sorts_and_limits(app: TestApp) {
    let alices = alices_request(&app).await;
    let list = |body: serde_json::Value| ok(&app, "listInstances", "admin", body);
    let theirs = list(json!({"workflowInstanceFilter": {"initiator": "alice"}})).await;
    assert_eq!(ids(&theirs, "workflowID"), vec![alices.clone()]);
    assert_eq!(theirs["sizeLimitExceeded"], false);

    let running = app
        .scalar("SELECT COUNT(*) AS n FROM workflow_instances WHERE state = 'RUNNING'")
        .await;
    assert!(running > 2, "the demo runs several workflows");
    let two = list(json!({"workflowInstanceFilter": {"state": "RUNNING"}, "resultConstraints": {"range": {"itemTo": 2}}})).await;
    assert_eq!(ids(&two, "workflowID").len(), 2);
    assert_eq!(two["sizeLimitExceeded"], true);

    let four_eye = list(json!({"returnData": "everything", "workflowInstanceFilter": {"definitionFilter": {"path": "My-Company/Approval/4-Eye-Approval"}}})).await;
    let found = four_eye["workflowInstance"].as_array().unwrap();
    assert!(found.len() >= 2, "{four_eye}");
    assert!(found
        .iter()
        .all(|i| i["definition"]["id"] == "My-Company/Approval/4-Eye-Approval"));

    let bobs = list(json!({"returnData": "matchingActivities", "workflowInstanceFilter": {"workflowActivityFilter": {"participant": "bob", "state": "RUNNING"}}})).await;
    let bobs = bobs["workflowInstance"].as_array().unwrap().clone();
    assert!(!bobs.is_empty());
    for workflow in &bobs {
        let activities = workflow["activity"].as_array().unwrap();
        assert!(!activities.is_empty());
        assert!(activities.iter().all(|a| a["state"] == "RUNNING"
            && a["participant"].as_array().unwrap().contains(&json!("bob"))));
    }

    for (attribute, field) in [("initiator", "initiator"), ("name", "name")] {
        let sorted = list(json!({"returnData": "everything", "resultConstraints": {"sortCriteria": [{"attribute": attribute}]}})).await;
        let values: Vec<String> = sorted["workflowInstance"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i[field].as_str().unwrap().to_owned())
            .collect();
        let mut expected = values.clone();
        expected.sort();
        assert_eq!(values, expected, "sorted by {attribute}");
        let reversed = list(json!({"returnData": "everything", "resultConstraints": {"sortCriteria": [{"attribute": attribute, "reverse": true}]}})).await;
        let first = reversed["workflowInstance"][0][field].as_str().unwrap();
        assert_eq!(first, expected.last().unwrap());
    }

    // alice sees only her own.
    let own = ok(&app, "listInstances", "alice", json!({})).await;
    assert_eq!(ids(&own, "workflowID"), vec![alices]);
    let started_later =
        list(json!({"workflowInstanceFilter": {"started": {"after": "20990101000000Z"}}})).await;
    assert!(ids(&started_later, "workflowID").is_empty());

    #[rustfmt::skip]
    let refusals: Vec<Refusal> = vec![
        ("listInstances", "admin", json!({"workflowInstanceFilter": [null]}), BAD_REQUEST, "invalidRequest"),
        ("listInstances", "admin", json!({"resultConstraints": {"range": {"itemTo": 0}}}), BAD_REQUEST, "invalidRequest"),
        ("listInstances", "admin", json!({"workflowInstanceFilter": {"started": {"after": "yesterday"}}}), BAD_REQUEST, "invalidRequest"),
    ];

    let malformed = faults(&app, refusals).await;
    assert_names(&malformed[0], "workflowInstanceFilter");
}

async fn get_worklist_holds_only_the_participants_activities(app: TestApp) {
    let alices = alices_request(&app).await;
    let worklist_of = |user, body| ok(&app, "getWorklist", user, body);
    let worklist = worklist_of("bob", json!({})).await;
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
    let hers = worklist_of(
        "bob",
        json!({"workflowInstanceFilter": {"initiator": "alice"}}),
    )
    .await;
    assert_eq!(ids(&hers, "workflowInstance"), vec![alices.clone()]);
    let one = worklist_of(
        "bob",
        json!({"resultConstraints": {"range": {"itemTo": 1}}}),
    )
    .await;
    assert_eq!(ids(&one, "workflowInstance").len(), 1);
    assert_eq!(one["sizeLimitExceeded"], true);
    let for_bob = worklist_of("admin", json!({"participant": "bob"})).await;
    assert_eq!(ids(&for_bob, "workflowInstance"), found);
    let own = worklist_of("admin", json!({})).await;
    assert!(!ids(&own, "workflowInstance").contains(&alices));
    #[rustfmt::skip]
    let refusals: Vec<Refusal> = vec![
        ("getWorklist", "carol", json!({"participant": "bob"}), FORBIDDEN, "accessDenied"),
        ("getWorklist", "carol", json!({"participant": "not a name!"}), BAD_REQUEST, "invalidRequest"),
    ];
    let refusals = faults(&app, refusals).await;
    assert!(!refusals[0].to_string().contains("alice"));
}
