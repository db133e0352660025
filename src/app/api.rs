//! Server functions: the pages' only way to the server's data. Each one checks who is
//! asking on the server, whatever the page showed.

use super::error::AppError;
use super::types::{
    AdminOverview, BulkOutcome, Catalog, DeployResult, RequestDetail, RequestForm, RequestLine,
    ShellInfo, SubmitOutcome, WorkItemDetail, WorkItemLine,
};
use leptos::prelude::*;

/// The frame's data, or `None` when nobody is logged in.
#[server(prefix = "/app", endpoint = "shell")]
pub async fn get_shell_info() -> Result<Option<ShellInfo>, AppError> {
    crate::server::pages::shell_info().await
}

#[server(prefix = "/app", endpoint = "admin/overview")]
pub async fn get_admin_overview() -> Result<AdminOverview, AppError> {
    crate::server::pages::admin_overview().await
}

/// Deploys a workflow definition (TOML); administrators only. A refused definition
/// changes nothing and the error names file, line and problem.
#[server(prefix = "/app", endpoint = "admin/deploy")]
pub async fn deploy_definition(
    file_name: String,
    source: String,
) -> Result<DeployResult, AppError> {
    crate::server::pages::deploy_definition(file_name, source).await
}

/// The signed-in user's open items, soonest due first.
#[server(prefix = "/app", endpoint = "worklist")]
pub async fn get_worklist() -> Result<Vec<WorkItemLine>, AppError> {
    crate::server::pages::worklist().await
}

/// The requests the signed-in user made, newest first.
#[server(prefix = "/app", endpoint = "my-requests")]
pub async fn get_my_requests() -> Result<Vec<RequestLine>, AppError> {
    crate::server::pages::my_requests().await
}

/// One open item, for its approver only.
#[server(prefix = "/app", endpoint = "work-item")]
pub async fn get_work_item(workflow_id: String, run: u32) -> Result<WorkItemDetail, AppError> {
    crate::server::pages::work_item(workflow_id, run).await
}

/// Approve (`approve = true`) or reject an item, against the version the approver saw.
#[server(prefix = "/app", endpoint = "decide")]
pub async fn decide_item(
    workflow_id: String,
    run: u32,
    version: u64,
    approve: bool,
    reason: Option<String>,
) -> Result<String, AppError> {
    crate::server::pages::decide(workflow_id, run, version, approve, reason).await
}

/// Requestable items, filtered by words and category.
#[server(prefix = "/app", endpoint = "catalog")]
pub async fn get_catalog(
    query: Option<String>,
    category: Option<String>,
) -> Result<Catalog, AppError> {
    crate::server::pages::catalog(query, category).await
}

/// The request form of the definition that applies to a catalog item.
#[server(prefix = "/app", endpoint = "request-form")]
pub async fn get_request_form(item_id: i32) -> Result<RequestForm, AppError> {
    crate::server::pages::request_form(item_id).await
}

/// Submits a request for a catalog item for oneself. The form's values arrive as
/// `fields` (name to values); every field is checked on the server.
#[server(prefix = "/app", endpoint = "submit-request")]
pub async fn submit_request(
    item_id: i32,
    fields: std::collections::BTreeMap<String, Vec<String>>,
) -> Result<SubmitOutcome, AppError> {
    crate::server::pages::submit_request(item_id, fields).await
}

/// Approves or rejects many items at once; `items` are `workflowID:run`. Each item is
/// checked like a single decision; the ones that fail are listed with the reason.
#[server(prefix = "/app", endpoint = "bulk-decide")]
pub async fn bulk_decide(
    #[server(default)] items: Vec<String>,
    approve: bool,
    reason: Option<String>,
) -> Result<BulkOutcome, AppError> {
    crate::server::pages::bulk_decide(items, approve, reason).await
}

/// One request with its timeline, for its requester, its subject or an admin.
#[server(prefix = "/app", endpoint = "request")]
pub async fn get_request(workflow_id: String) -> Result<RequestDetail, AppError> {
    crate::server::pages::request_detail(workflow_id).await
}

/// The requester withdraws a pending request.
#[server(prefix = "/app", endpoint = "withdraw")]
pub async fn withdraw_request(workflow_id: String, version: u64) -> Result<String, AppError> {
    crate::server::pages::withdraw(workflow_id, version).await
}

/// Hands an open item to another user, who then decides instead.
#[server(prefix = "/app", endpoint = "forward")]
pub async fn forward_item(workflow_id: String, run: u32, to: String) -> Result<String, AppError> {
    crate::server::pages::forward(workflow_id, run, to).await
}
