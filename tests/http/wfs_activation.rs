//! The Workflow Management Service's operations on one activity of a workflow: activate
//! with a mailed key, verify a subject, and update a certification step by step.

use super::api::*;
use super::harness::*;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

on_both_databases!(
    activate_takes_the_mailed_key_once,
    verify_answers_what_the_verification_found,
    update_certification_records_then_submits,
);

async fn activate_takes_the_mailed_key_once(app: TestApp) {
    use assent::server::entities::workflow_instance;
    use sea_orm::{ActiveModelTrait, EntityTrait, Set};
    // Jobs stay pending here after the first tick: nothing replaces the key set below.
    let app = app.with_slow_jobs().await;
    let id = id_of(
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
    let unknown = json!({"workflowID": "0000", "activityName": "activation", "activationKey": "k"});
    let (right_key, wrong_activity) = (
        with("the-mailed-key", "activation"),
        with("the-mailed-key", "nope"),
    );
    #[rustfmt::skip]
    let refusals: Vec<Refusal> = vec![
        ("activate", "carol", with("a-guess", "activation"), FORBIDDEN, "invalidActivationKey"),
        // carol may not read the workflow: a wrong activity or an unknown workflow
        // answer exactly like a wrong key. The administrator, who may read it, is
        // told what is wrong.
        ("activate", "carol", wrong_activity.clone(), FORBIDDEN, "invalidActivationKey"),
        ("activate", "admin", wrong_activity.clone(), NOT_FOUND, "activityNotFound"),
        ("activate", "carol", unknown, FORBIDDEN, "invalidActivationKey"),
    ];
    faults(&app, refusals).await;
    assert!(app.login("nora", DEMO_PASSWORD).await.is_err(), "not yet");
    // The key is the right to activate; carol may not read the workflow, so she gets
    // its id, whatever returnData asks.
    let mut everything = right_key.clone();
    everything["returnData"] = json!("everything");
    let answer = ok(&app, "activate", "carol", everything).await;
    assert_eq!(answer["workflowID"], id.as_str());
    assert!(answer.get("workflowInstance").is_none(), "{answer}");
    assert!(app.login("nora", DEMO_PASSWORD).await.is_ok(), "enabled");
    #[rustfmt::skip]
    let refusals: Vec<Refusal> = vec![
        ("activate", "carol", right_key.clone(), FORBIDDEN, "invalidActivationKey"),
        ("activate", "admin", right_key.clone(), CONFLICT, "invalidState"),
    ];
    faults(&app, refusals).await;
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
        NOT_FOUND,
        "definitionNotFound",
    )
    .await;
    let missing = fault(
        &app,
        "verify",
        "admin",
        json!({}),
        BAD_REQUEST,
        "invalidRequest",
    )
    .await;
    assert_names(&missing, "subject");
}

async fn update_certification_records_then_submits(app: TestApp) {
    let id = id_of(
        &app,
        "SELECT id FROM workflow_instances WHERE subject_id = 'ivan'",
    )
    .await;
    let order = |kind: &str, target: &str, object: &str| json!({"type": kind, "targetID": target, "objectType": object});
    let revoke_crm = json!({"workflowID": id, "activityName": "review",
        "resource": [order("deleteOrder", "CRM Account", "resource")]});
    let mut for_heidi = revoke_crm.clone();
    for_heidi["initiator"] = json!("heidi");
    let mut wrong_activity = revoke_crm.clone();
    wrong_activity["activityName"] = json!("nope");
    #[rustfmt::skip]
    let refusals: Vec<Refusal> = vec![
        ("updateCertification", "carol", revoke_crm.clone(), FORBIDDEN, "accessDenied"),
        ("updateCertification", "bob", for_heidi, FORBIDDEN, "accessDenied"),
        ("updateCertification", "heidi", wrong_activity, NOT_FOUND, "activityNotFound"),
    ];
    faults(&app, refusals).await;
    let step = ok(&app, "updateCertification", "heidi", revoke_crm).await;
    assert_eq!(step["complete"], false);
    let submit = json!({"workflowID": id, "activityName": "review", "submit": true});
    let submit_refused = |submit: Value| {
        let app = &app;
        async move {
            fault(
                app,
                "updateCertification",
                "heidi",
                submit,
                CONFLICT,
                "invalidState",
            )
            .await
        }
    };
    submit_refused(submit.clone()).await;
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
    // Once submitted, no more.
    submit_refused(submit).await;
}
