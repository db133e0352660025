//! Server functions: the pages' only way to the server's data. Each one checks who is
//! asking on the server, whatever the page showed.

use super::types::{
    AdminOverview, BulkOutcome, Catalog, DeployResult, RequestDetail, RequestForm, RequestLine,
    ShellInfo, SubmitOutcome, WorkItemDetail, WorklistFilter, WorklistPage,
};
use crate::model::AppError;
use leptos::prelude::*;

/// The frame's data, or `None` when nobody is logged in.
#[server(prefix = "/app", endpoint = "shell")]
pub async fn get_shell_info() -> Result<Option<ShellInfo>, AppError> {
    crate::server::pages::frame::shell_info().await
}

#[server(prefix = "/app", endpoint = "admin/overview")]
pub async fn get_admin_overview() -> Result<AdminOverview, AppError> {
    crate::server::pages::admin::admin_overview().await
}

/// Deploys a workflow definition (TOML); administrators only. A refused definition
/// changes nothing and the error names file, line and problem.
#[server(prefix = "/app", endpoint = "admin/deploy")]
pub async fn deploy_definition(
    file_name: String,
    source: String,
) -> Result<DeployResult, AppError> {
    crate::server::pages::admin::deploy_definition(file_name, source).await
}

/// A page of the audit trail matching the administrator's search, newest first.
#[server(prefix = "/app", endpoint = "admin/audit")]
pub async fn get_audit(
    #[server(default)] query: crate::model::audit::AuditQuery,
) -> Result<crate::model::audit::AuditPage, AppError> {
    crate::server::pages::admin_audit::search(query).await
}

/// One page of every workflow matching the administrator's search, newest first.
#[server(prefix = "/app", endpoint = "admin/instances")]
pub async fn get_instances(
    #[server(default)] query: crate::model::instances::InstanceQuery,
) -> Result<crate::model::instances::InstancePage, AppError> {
    crate::server::pages::admin_instances::instances(query).await
}

/// One workflow taken apart for an administrator.
#[server(prefix = "/app", endpoint = "admin/instance")]
pub async fn get_instance(id: String) -> Result<crate::model::instances::Inspection, AppError> {
    crate::server::pages::admin_instances::instance(id).await
}

/// A definition's versions, the text and graph of one (`version`; absent: the newest),
/// and what changed since `compare`.
#[server(prefix = "/app", endpoint = "admin/definition")]
pub async fn get_definition(
    path: String,
    #[server(default)] version: Option<i32>,
    #[server(default)] compare: Option<i32>,
) -> Result<crate::model::definitions::DefinitionView, AppError> {
    crate::server::pages::admin_definitions::definition(path, version, compare).await
}

/// Rehearses a definition's text on real requests (`samples`) and a typed one, every
/// approval answered `answer`; nothing is stored or sent.
#[server(prefix = "/app", endpoint = "admin/dry-run")]
#[allow(clippy::too_many_arguments)]
pub async fn dry_run_definition(
    file_name: String,
    source: String,
    #[server(default)] samples: Vec<String>,
    #[server(default)] requester: String,
    #[server(default)] subject: String,
    #[server(default)] item_kind: String,
    #[server(default)] item: String,
    #[server(default)] form: String,
    #[server(default)] answer: String,
) -> Result<crate::model::definitions::DryRun, AppError> {
    use crate::server::pages::admin_definitions::{dry_run, DryRunForm};
    dry_run(DryRunForm {
        file_name,
        source,
        samples,
        requester,
        subject,
        item_kind,
        item,
        form,
        answer,
    })
    .await
}

/// A page of accounts matching an administrator's search, by user name.
#[server(prefix = "/app", endpoint = "admin/users")]
pub async fn get_users(
    #[server(default)] query: crate::model::users::UserQuery,
) -> Result<crate::model::users::UserPage, AppError> {
    crate::server::pages::admin_users::users(query).await
}

/// One account for an administrator: groups, roles, reports, open items, delegations.
#[server(prefix = "/app", endpoint = "admin/user")]
pub async fn get_user(username: String) -> Result<crate::model::users::UserDetail, AppError> {
    crate::server::pages::admin_users::user(username).await
}

/// Creates an account (`create`) or changes one: name, e-mail, title, manager, department.
#[server(prefix = "/app", endpoint = "admin/user-save")]
pub async fn save_user(
    #[server(default)] create: bool,
    username: String,
    display_name: String,
    #[server(default)] email: String,
    #[server(default)] title: String,
    #[server(default)] manager: String,
    #[server(default)] department: String,
) -> Result<String, AppError> {
    use crate::server::pages::admin_users::{save, AccountForm};
    save(AccountForm {
        create,
        username,
        display_name,
        email,
        title,
        manager,
        department,
    })
    .await
}

/// Disables an account (its sessions end at once) or enables it again.
#[server(prefix = "/app", endpoint = "admin/user-access")]
pub async fn set_user_access(username: String, access: String) -> Result<String, AppError> {
    crate::server::pages::admin_users::set_access(username, access).await
}

/// Adds the account to the group `join` and/or takes it out of `leave`.
#[server(prefix = "/app", endpoint = "admin/user-groups")]
pub async fn change_user_groups(
    username: String,
    #[server(default)] join: String,
    #[server(default)] leave: String,
) -> Result<String, AppError> {
    crate::server::pages::admin_users::groups(username, join, leave).await
}

/// Gives the account a new one-time password, answered once.
#[server(prefix = "/app", endpoint = "admin/user-password")]
pub async fn reset_user_password(username: String) -> Result<String, AppError> {
    crate::server::pages::admin_users::reset_password(username).await
}

/// One workflow's recorded history at step `step` (from 1; absent: the last).
#[server(prefix = "/app", endpoint = "admin/replay")]
pub async fn get_replay(
    id: String,
    #[server(default)] step: Option<usize>,
) -> Result<crate::model::replay::Replay, AppError> {
    crate::server::pages::admin_instances::replay(id, step).await
}

/// An administrator's repair of a workflow (suspend, resume, abort, restart, reassign),
/// with a reason; audited. `version` is the one the page showed.
#[server(prefix = "/app", endpoint = "admin/repair")]
pub async fn repair_instance(
    id: String,
    version: u64,
    repair: String,
    #[server(default)] run: Option<u32>,
    #[server(default)] users: Option<String>,
    #[server(default)] due: Option<String>,
    #[server(default)] reason: String,
) -> Result<String, AppError> {
    crate::server::pages::admin_instances::repair_instance(
        id, version, repair, run, users, due, reason,
    )
    .await
}

/// One page of the signed-in user's open items under a filter, soonest due first.
#[server(prefix = "/app", endpoint = "worklist")]
pub async fn get_worklist(
    #[server(default)] filter: WorklistFilter,
) -> Result<WorklistPage, AppError> {
    crate::server::pages::worklist::worklist(filter).await
}

/// Every open item of the signed-in user matching the filter, as `workflowID:run`.
#[server(prefix = "/app", endpoint = "worklist/matching")]
pub async fn get_matching_items(
    #[server(default)] filter: WorklistFilter,
) -> Result<Vec<String>, AppError> {
    crate::server::pages::worklist::matching_items(filter).await
}

/// Changes whenever an item arrives in or leaves the signed-in user's worklist.
#[server(prefix = "/app", endpoint = "worklist/stamp")]
pub async fn get_worklist_stamp() -> Result<String, AppError> {
    crate::server::pages::worklist::worklist_stamp().await
}

/// Takes a pool item for oneself (`claim = true`) or gives it back to the pool.
#[server(prefix = "/app", endpoint = "claim")]
pub async fn claim_item(workflow_id: String, run: u32, claim: bool) -> Result<String, AppError> {
    crate::server::pages::worklist::claim(workflow_id, run, claim).await
}

/// The requests the signed-in user made, newest first; `status` is open, accepted,
/// rejected, withdrawn or failed, `q` words of the request.
#[server(prefix = "/app", endpoint = "my-requests")]
pub async fn get_my_requests(
    #[server(default)] status: Option<String>,
    #[server(default)] q: Option<String>,
) -> Result<Vec<RequestLine>, AppError> {
    crate::server::pages::my_requests::my_requests(status, q).await
}

/// One open item, for its approver only.
#[server(prefix = "/app", endpoint = "work-item")]
pub async fn get_work_item(workflow_id: String, run: u32) -> Result<WorkItemDetail, AppError> {
    crate::server::pages::work_item::work_item(workflow_id, run).await
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
    crate::server::pages::work_item::decide(DecideItem {
        workflow_id,
        run,
        version,
        approve,
        reason,
    })
    .await
}

/// Requestable items, filtered by words and category.
#[server(prefix = "/app", endpoint = "catalog")]
pub async fn get_catalog(
    query: Option<String>,
    category: Option<String>,
) -> Result<Catalog, AppError> {
    crate::server::pages::catalog::catalog(query, category).await
}

/// The request form of the definition that applies to a catalog item.
#[server(prefix = "/app", endpoint = "request-form")]
pub async fn get_request_form(item_id: i32) -> Result<RequestForm, AppError> {
    crate::server::pages::request::request_form(item_id).await
}

/// Submits a request for a catalog item, for oneself or for `subject` (someone the user
/// may request for). The form's values arrive as
/// `fields` (name to values); every field is checked on the server.
#[server(prefix = "/app", endpoint = "submit-request")]
pub async fn submit_request(
    item_id: i32,
    #[server(default)] subject: Option<String>,
    #[server(default)] fields: std::collections::BTreeMap<String, Vec<String>>,
) -> Result<SubmitOutcome, AppError> {
    crate::server::pages::request::submit_request(item_id, subject, fields).await
}

/// Approves some items and rejects others in one submission. `marks` are
/// `a:workflowID:run` (approve) or `r:workflowID:run` (reject); `all_matching` (approve or
/// reject) adds every item matching `filter`. Each item is applied whole or not at all;
/// the ones that fail are listed with the contract's bulkApproval error code.
#[server(prefix = "/app", endpoint = "bulk-decide")]
pub async fn bulk_decide(
    #[server(default)] marks: Vec<String>,
    #[server(default)] approve_reason: Option<String>,
    #[server(default)] reject_reason: Option<String>,
    #[server(default)] all_matching: Option<String>,
    #[server(default)] filter: WorklistFilter,
) -> Result<BulkOutcome, AppError> {
    crate::server::pages::worklist::bulk_decide(
        marks,
        approve_reason,
        reject_reason,
        all_matching,
        filter,
    )
    .await
}

/// One request with its timeline, for its requester, its subject or an admin.
#[server(prefix = "/app", endpoint = "request")]
pub async fn get_request(workflow_id: String) -> Result<RequestDetail, AppError> {
    crate::server::pages::request_detail::request_detail(workflow_id).await
}

/// The signed-in person's accounts on target systems, as Assent last asked them to be.
#[server(prefix = "/app", endpoint = "access")]
pub async fn get_my_accounts() -> Result<Vec<crate::model::provisioning::AccountLine>, AppError> {
    crate::server::pages::provisioning::my_accounts().await
}

/// Provisioning for administrators: the broker, the outbox, the resources.
#[server(prefix = "/app", endpoint = "admin/provisioning")]
pub async fn get_provisioning_overview(
) -> Result<crate::model::provisioning::ProvisioningOverview, AppError> {
    crate::server::pages::provisioning::overview().await
}

/// Offers a parked provisioning message to the broker again (administrators; audited).
#[server(prefix = "/app", endpoint = "provisioning_retry")]
pub async fn retry_provisioning(id: i32) -> Result<String, AppError> {
    crate::server::pages::provisioning::resolve_parked(
        id,
        crate::server::provisioning::outbox::ParkedAction::Retry,
    )
    .await
}

/// Gives up a parked provisioning message (administrators; audited).
#[server(prefix = "/app", endpoint = "provisioning_drop")]
pub async fn drop_provisioning(id: i32) -> Result<String, AppError> {
    crate::server::pages::provisioning::resolve_parked(
        id,
        crate::server::provisioning::outbox::ParkedAction::Drop,
    )
    .await
}

/// Identity change events for administrators: the consumer, the sources, what is set aside.
#[server(prefix = "/app", endpoint = "admin/changes")]
pub async fn get_changes_overview() -> Result<crate::model::changes::ChangesOverview, AppError> {
    crate::server::pages::changes::overview().await
}

/// Applies the stopped event of a source again (administrators; audited).
#[server(prefix = "/app", endpoint = "changes_retry")]
pub async fn retry_change_event(source: String) -> Result<String, AppError> {
    crate::server::pages::changes::retry(source).await
}

/// Skips the stopped event of a source, saying why (administrators; audited).
#[server(prefix = "/app", endpoint = "changes_skip")]
pub async fn skip_change_event(source: String, note: String) -> Result<String, AppError> {
    crate::server::pages::changes::skip(source, note).await
}

/// Whether a source's events that cannot be applied stop the stream or are parked.
#[server(prefix = "/app", endpoint = "changes_policy")]
pub async fn set_change_policy(source: String, policy: String) -> Result<String, AppError> {
    crate::server::pages::changes::set_policy(source, policy).await
}

/// The requester withdraws a pending request.
#[server(prefix = "/app", endpoint = "withdraw")]
pub async fn withdraw_request(workflow_id: String, version: u64) -> Result<String, AppError> {
    crate::server::pages::request_detail::withdraw(workflow_id, version).await
}

/// Hands an open item to another user, who then decides instead.
#[server(prefix = "/app", endpoint = "forward")]
pub async fn forward_item(workflow_id: String, run: u32, to: String) -> Result<String, AppError> {
    crate::server::pages::work_item::forward(workflow_id, run, to).await
}

/// Who stands in for the signed-in user, and for whom they stand in.
#[server(prefix = "/app", endpoint = "delegations")]
pub async fn get_delegations() -> Result<super::types::Delegations, AppError> {
    crate::server::pages::delegations::delegations().await
}

/// Names a substitute for the days `starts` to `ends` (YYYY-MM-DD, both included); an
/// administrator may name `owner`, whose delegation it is.
#[server(prefix = "/app", endpoint = "delegations/add")]
pub async fn add_delegation(
    substitute: String,
    starts: String,
    ends: String,
    #[server(default)] owner: Option<String>,
) -> Result<String, AppError> {
    crate::server::pages::delegations::add_delegation(substitute, starts, ends, owner).await
}

/// Ends one of the signed-in user's own delegations (an administrator's: `owner`'s).
#[server(prefix = "/app", endpoint = "delegations/remove")]
pub async fn remove_delegation(
    id: i32,
    #[server(default)] owner: Option<String>,
) -> Result<String, AppError> {
    crate::server::pages::delegations::remove_delegation(id, owner).await
}

/// The signed-in user's API tokens (an administrator's: everyone's) and the form's choices.
#[server(prefix = "/app", endpoint = "tokens")]
pub async fn get_tokens() -> Result<super::types::TokensView, AppError> {
    crate::server::pages::tokens::tokens().await
}

/// Creates an API token for oneself (an administrator: for `owner`) that may call the
/// operations in `scopes` (`*`: every one) through the day `expires` (YYYY-MM-DD). The
/// answer holds the secret, the only time it is shown.
#[server(prefix = "/app", endpoint = "tokens/create")]
pub async fn create_token(
    name: String,
    #[server(default)] owner: Option<String>,
    #[server(default)] scopes: Vec<String>,
    expires: String,
) -> Result<super::types::NewToken, AppError> {
    crate::server::pages::tokens::create_token(name, owner, scopes, expires).await
}

/// Revokes one's own API token (an administrator: anyone's); it stays listed.
#[server(prefix = "/app", endpoint = "tokens/revoke")]
pub async fn revoke_token(id: i32) -> Result<String, AppError> {
    crate::server::pages::tokens::revoke_token(id).await
}

/// How many items the signed-in user's cart holds.
#[server(prefix = "/app", endpoint = "cart/count")]
pub async fn get_cart_count() -> Result<u32, AppError> {
    crate::server::pages::cart::cart_count().await
}

/// Puts a catalog item in the cart.
#[server(prefix = "/app", endpoint = "cart/add")]
pub async fn add_to_cart(item_id: i32) -> Result<String, AppError> {
    crate::server::pages::cart::add(item_id).await
}

/// Takes an item out of the cart.
#[server(prefix = "/app", endpoint = "cart/remove")]
pub async fn remove_from_cart(item_id: i32) -> Result<String, AppError> {
    crate::server::pages::cart::remove(item_id).await
}

/// The cart, grouped by the workflow that approves each item, with each group's form.
#[server(prefix = "/app", endpoint = "cart")]
pub async fn get_cart() -> Result<super::types::CartView, AppError> {
    crate::server::pages::cart::view().await
}

/// Requests everything in the cart for `subject` (default: oneself): one workflow per
/// group; `fields` are named `g{group}_{field}`. Nothing starts unless every group is valid.
#[server(prefix = "/app", endpoint = "cart/submit")]
pub async fn submit_cart(
    #[server(default)] subject: Option<String>,
    #[server(default)] fields: std::collections::BTreeMap<String, Vec<String>>,
) -> Result<super::types::CartOutcome, AppError> {
    crate::server::pages::cart::submit(subject, fields).await
}

/// What a mailed decision link would decide; opening it decides nothing.
#[server(prefix = "/app", endpoint = "mail-decision/preview")]
pub async fn get_mail_decision(
    token: String,
) -> Result<super::types::MailDecisionPreview, AppError> {
    crate::server::pages::mail_decision::preview(token).await
}

/// Confirms a mailed decision link: decides once, as the approver it was sent to.
#[server(prefix = "/app", endpoint = "mail-decision/confirm")]
pub async fn confirm_mail_decision(
    token: String,
    #[server(default)] reason: Option<String>,
) -> Result<String, AppError> {
    crate::server::pages::mail_decision::confirm(token, reason).await
}
