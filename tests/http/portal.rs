//! The portal's server functions (`/app/...`) as its hydrated pages call them.

use super::harness::*;
use reqwest::StatusCode;
use serde_json::Value;

/// One page of the worklist of the user logged in with `cookie`, with `filter`
/// (`filter[key]=value` fields); it must be answered.
pub async fn worklist(app: &TestApp, cookie: &str, filter: &[(&str, &str)]) -> Value {
    let form: Vec<(String, &str)> = filter
        .iter()
        .map(|(key, value)| (format!("filter[{key}]"), *value))
        .collect();
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    let (status, page) = app.server_fn("/app/worklist", &form, Some(cookie)).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page
}

/// The workflow ids of a worklist page's items, in order.
pub fn workflow_ids(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["workflow_id"].as_str().unwrap().to_owned())
        .collect()
}

/// The id of the catalog item `name`, as the catalog shows it to `cookie`'s user.
pub async fn catalog_id(app: &TestApp, cookie: &str, name: &str) -> String {
    let (_, catalog) = app.server_fn("/app/catalog", &[], Some(cookie)).await;
    catalog["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|item| item["name"] == name)
        .unwrap_or_else(|| panic!("{name} in {catalog}"))["id"]
        .to_string()
}
