//! The administrators' definition screen: versions with their open workflows, the
//! difference between two versions, and a rehearsal of a text on real and typed requests
//! that changes nothing.

use super::api::alices_request;
use super::harness::*;
use reqwest::StatusCode;
use serde_json::Value;

on_both_databases!(
    versions_are_listed_and_compared,
    a_text_is_rehearsed_on_real_and_typed_requests_changing_nothing
);

const PATH: &str = "My-Company/Approval/4-Eye-Approval";

fn shipped() -> String {
    let file =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("definitions/4-eye-approval.toml");
    std::fs::read_to_string(file).unwrap()
}

/// The shipped text with the owner of the role asked after the manager.
fn with_owner_approval() -> String {
    shipped()
        .replace("on_approve = \"grant\"", "on_approve = \"owner_approval\"")
        .replace(
            "[[activity]]\nid = \"grant\"",
            "[[activity]]\nid = \"owner_approval\"\ntype = \"approval\"\n\
             participants = { resource_owner = true }\non_approve = \"grant\"\n\
             on_reject = \"rejected\"\n\n[[activity]]\nid = \"grant\"",
        )
}

async fn definition(app: &TestApp, cookie: &str, form: &[(&str, &str)]) -> (StatusCode, Value) {
    app.server_fn("/app/admin/definition", form, Some(cookie))
        .await
}

async fn versions_are_listed_and_compared(app: TestApp) {
    let admin = app.session("admin").await;
    let (status, deployed) = app
        .server_fn(
            "/app/admin/deploy",
            &[
                ("file_name", "4-eye-approval.toml"),
                ("source", &with_owner_approval()),
            ],
            Some(&admin),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{deployed}");
    assert_eq!(deployed["version"], 2);

    let (status, view) = definition(&app, &admin, &[("path", PATH)]).await;
    assert_eq!(status, StatusCode::OK, "{view}");
    assert_eq!(view["shown"], 2);
    let versions = view["versions"].as_array().unwrap();
    assert_eq!(versions.len(), 2);
    // The demo's two 4-eye requests run on version 1; none yet on version 2.
    assert_eq!(
        (
            versions[0]["version"].as_i64(),
            versions[0]["open"].as_i64()
        ),
        (Some(2), Some(0))
    );
    assert_eq!(
        (
            versions[1]["version"].as_i64(),
            versions[1]["open"].as_i64()
        ),
        (Some(1), Some(2))
    );
    assert!(view["graph"].to_string().contains("owner_approval"));
    assert!(view["diff"].is_null());
    assert!(!view["samples"].as_array().unwrap().is_empty());

    let (status, compared) = definition(
        &app,
        &admin,
        &[("path", PATH), ("version", "2"), ("compare", "1")],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let diff = &compared["diff"];
    assert_eq!(
        (diff["from"].as_i64(), diff["to"].as_i64()),
        (Some(1), Some(2))
    );
    assert_eq!(
        (diff["added"].as_i64(), diff["removed"].as_i64()),
        (Some(7), Some(0)),
        "{diff}"
    );
    let lines = diff["hunks"].to_string();
    assert!(lines.contains("id = \\\"owner_approval\\\""), "{lines}");

    let (status, old) = definition(&app, &admin, &[("path", PATH), ("version", "1")]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(old["source"], shipped());
    for form in [
        vec![("path", "No/Such/Definition")],
        vec![("path", PATH), ("version", "9")],
        vec![("path", PATH), ("compare", "9")],
    ] {
        let (status, _) = definition(&app, &admin, &form).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{form:?}");
    }
}

async fn a_text_is_rehearsed_on_real_and_typed_requests_changing_nothing(app: TestApp) {
    let admin = app.session("admin").await;
    let alices = alices_request(&app).await;
    // The job runner may finish the demo's mail meanwhile: count what a rehearsal could
    // have left behind.
    let counts =
        "SELECT (SELECT COUNT(*) FROM workflow_instances) + (SELECT COUNT(*) FROM user_roles) \
                  + (SELECT COUNT(*) FROM jobs WHERE instance_id = 'rehearsal') \
                  + (SELECT COUNT(*) FROM workflow_steps WHERE workflow_id = 'rehearsal') AS n";
    let before = app.scalar(counts).await;
    let text = with_owner_approval();
    let rehearse = |answer: &'static str| {
        vec![
            ("file_name", "4-eye-approval.toml"),
            ("source", text.as_str()),
            ("samples[]", alices.as_str()),
            ("requester", "frank"),
            ("item_kind", "role"),
            ("item", "Payroll Administrator"),
            ("form", "justification = covering for grace"),
            ("answer", answer),
        ]
    };

    let (status, approved) = app
        .server_fn("/app/admin/dry-run", &rehearse("approve"), Some(&admin))
        .await;
    assert_eq!(status, StatusCode::OK, "{approved}");
    let results = approved["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    // alice's real request: her manager bob, then the role's owner, then granted.
    let real = &results[0];
    assert_eq!(real["state"], "SUCCEEDED", "{real}");
    let steps = real["steps"].as_array().unwrap();
    let asked = |title: &str| -> Vec<String> {
        steps
            .iter()
            .find(|s| s["title"] == title)
            .unwrap_or_else(|| panic!("no {title}: {real}"))["asked"]
            .as_array()
            .unwrap()
            .iter()
            .map(|pair| pair[0].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(asked("Approval by the manager"), ["bob"]);
    assert!(!asked("owner approval").is_empty(), "{real}");
    assert!(
        real.to_string()
            .contains("grant alice the role Finance Analyst"),
        "{real}"
    );
    // The typed request: frank's manager is asked; the owner of Payroll Administrator next.
    let typed = &results[1];
    assert!(
        typed["sample"].as_str().unwrap().starts_with("frank"),
        "{typed}"
    );
    assert_eq!(typed["steps"][1]["asked"][0][0], "bob", "{typed}");

    let (status, rejected) = app
        .server_fn("/app/admin/dry-run", &rehearse("reject"), Some(&admin))
        .await;
    assert_eq!(status, StatusCode::OK);
    let real = rejected["results"][0].to_string();
    assert!(
        real.contains("Rejected") || real.contains("rejected"),
        "{real}"
    );
    assert!(!real.contains("grant alice"), "{real}");

    // Nothing was stored, queued or granted.
    assert_eq!(app.scalar(counts).await, before);

    // Bad input: a broken text names its line; a form that does not fit is said per
    // sample; no sample at all, or a bad user name, is refused.
    let broken = [
        ("file_name", "x.toml"),
        ("source", "name = "),
        ("requester", "frank"),
    ];
    let (status, refused) = app
        .server_fn("/app/admin/dry-run", &broken, Some(&admin))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{refused}");
    assert!(refused.to_string().contains("x.toml:1:"), "{refused}");
    let unfit = [
        ("file_name", "4-eye-approval.toml"),
        ("source", text.as_str()),
        ("requester", "frank"),
        ("item", "Developer"),
        ("item_kind", "role"),
    ];
    let (status, answer) = app
        .server_fn("/app/admin/dry-run", &unfit, Some(&admin))
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert!(
        answer["results"][0]["refused"]
            .as_str()
            .unwrap()
            .contains("justification"),
        "{answer}"
    );
    for form in [
        vec![
            ("file_name", "4-eye-approval.toml"),
            ("source", text.as_str()),
        ],
        vec![
            ("file_name", "4-eye-approval.toml"),
            ("source", text.as_str()),
            ("requester", "Not A Name!"),
        ],
        vec![
            ("file_name", "4-eye-approval.toml"),
            ("source", text.as_str()),
            ("samples[]", "no-such-workflow"),
        ],
    ] {
        let (status, answer) = app
            .server_fn("/app/admin/dry-run", &form, Some(&admin))
            .await;
        assert!(
            status == StatusCode::BAD_REQUEST || status == StatusCode::NOT_FOUND,
            "{form:?}: {status} {answer}"
        );
    }
}
