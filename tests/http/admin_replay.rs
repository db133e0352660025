//! Replaying a workflow's history: every step recorded in its transaction, each shown with
//! who moved it and why, the position on the definition's graph, who was asked and the
//! flowdata right after, for administrators only.

use super::api::{alices_request, bulk_accept};
use super::harness::*;
use reqwest::StatusCode;
use serde_json::Value;

on_both_databases!(a_workflow_is_replayed_step_by_step_on_its_graph);

async fn replay(app: &TestApp, cookie: &str, id: &str, step: Option<&str>) -> Value {
    let mut form = vec![("id", id)];
    form.extend(step.map(|step| ("step", step)));
    let (status, replay) = app
        .server_fn("/app/admin/replay", &form, Some(cookie))
        .await;
    assert_eq!(status, StatusCode::OK, "{replay}");
    replay
}

/// The mark of `activity` on the graph.
fn mark<'a>(graph: &'a Value, activity: &str) -> &'a str {
    graph["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|node| node["activity"] == activity)
        .unwrap_or_else(|| panic!("no node {activity}: {graph}"))["mark"]
        .as_str()
        .unwrap()
}

async fn a_workflow_is_replayed_step_by_step_on_its_graph(app: TestApp) {
    let id = alices_request(&app).await;
    let admin = app.session("admin").await;

    // Started by the demo: one step, the creation, waiting for bob (alice's manager).
    let first = replay(&app, &admin, &id, None).await;
    assert_eq!(first["at"], 1, "{first}");
    assert_eq!(first["starts_late"], false);
    assert_eq!(first["steps"][0]["action"], "workflow.created");
    assert_eq!(first["steps"][0]["actor"], "alice");
    assert_eq!(mark(&first["graph"], "manager_approval"), "Current");
    assert_eq!(mark(&first["graph"], "start"), "Visited");
    assert_eq!(mark(&first["graph"], "grant"), "Untouched");
    let asked = &first["view"]["asked"][0];
    assert_eq!(asked["step"], "Approval by the manager", "{first}");
    assert_eq!(asked["waiting_on"][0][0], "bob");
    assert!(
        asked["waiting_on"][0][1]
            .as_str()
            .unwrap()
            .contains("manager"),
        "{asked}"
    );
    // Every node of the definition is drawn, and the approval's ways out are labelled.
    assert_eq!(first["graph"]["nodes"].as_array().unwrap().len(), 7);
    let labels: Vec<&str> = first["graph"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|edge| edge["from"] == "manager_approval")
        .filter_map(|edge| edge["label"].as_str())
        .collect();
    assert!(
        labels.contains(&"approved") && labels.contains(&"rejected"),
        "{labels:?}"
    );

    bulk_accept(&app, "bob", &id).await;

    // bob's decision is step 2; the mail it sends comes back as step 3, the end.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let ended = loop {
        let ended = replay(&app, &admin, &id, None).await;
        if ended["view"]["state"] == "SUCCEEDED" {
            break ended;
        }
        assert!(std::time::Instant::now() < deadline, "never ended: {ended}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    let steps = ended["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 3, "{ended}");
    assert_eq!(ended["at"], 3);
    assert_eq!(steps[2]["actor"], Value::Null, "the engine's own step");
    assert_eq!(mark(&ended["graph"], "end"), "Visited");

    let last = replay(&app, &admin, &id, Some("2")).await;
    assert_eq!(steps[1]["actor"], "bob");
    assert_eq!(steps[1]["action"], "workflow.decided");
    let decisions = last["view"]["decisions"].to_string();
    assert!(decisions.contains("bob approve"), "{decisions}");
    assert!(
        last["view"]["ended"]
            .to_string()
            .contains("Approval by the manager"),
        "{last}"
    );
    assert_eq!(mark(&last["graph"], "manager_approval"), "Visited");
    assert_eq!(mark(&last["graph"], "rejected"), "Untouched");
    assert_eq!(mark(&last["graph"], "approved"), "Visited");
    assert_eq!(
        mark(&last["graph"], "notify"),
        "Current",
        "the mail is on its way"
    );
    // Nobody is asked any more; the decision is in the flowdata, marked as changed.
    assert_eq!(last["view"]["asked"], serde_json::json!([]));
    let changed: Vec<&str> = last["view"]["flowdata"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|line| line["changed"] == true)
        .map(|line| line["path"].as_str().unwrap())
        .collect();
    assert!(
        changed.contains(&"manager_approval/decision"),
        "{changed:?}"
    );

    // Step 1 again, as it was before bob decided; out-of-range steps are clamped.
    let again = replay(&app, &admin, &id, Some("1")).await;
    assert_eq!(again["view"], first["view"]);
    assert_eq!(mark(&again["graph"], "manager_approval"), "Current");
    let past_the_end = replay(&app, &admin, &id, Some("99")).await;
    assert_eq!(past_the_end["at"], 3);
    let before_the_start = replay(&app, &admin, &id, Some("0")).await;
    assert_eq!(before_the_start["at"], 1);

    // The inspector shows the same graph, as the workflow stands now.
    let (status, inspection) = app
        .server_fn("/app/admin/instance", &[("id", id.as_str())], Some(&admin))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(inspection["graph"], ended["graph"]);

    // Not for alice, though it is her request; an unknown workflow is not found.
    let alice = app.session("alice").await;
    let (status, _) = app
        .server_fn("/app/admin/replay", &[("id", id.as_str())], Some(&alice))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app
        .server_fn(
            "/app/admin/replay",
            &[("id", "no-such-workflow")],
            Some(&admin),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
