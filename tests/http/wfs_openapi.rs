//! The Workflow Management Service's OpenAPI document and its page for people.

use super::api::*;
use super::harness::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

on_both_databases!(the_openapi_document_lists_every_operation_and_is_shown_to_people);

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
        assert_eq!(status, BAD_REQUEST, "{operation}");
    }
}
