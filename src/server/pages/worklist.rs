//! The worklist screen's server side: one page of the signed-in user's open items under a
//! filter, every item matching a filter (for "all matching" bulk decisions), claiming
//! pool items, and bulk decisions with the contract's bulkApproval error codes.

use super::{contains_ignoring_case, fail, require_user, state, step_title, title_of, MINUTES};
use crate::app::error::AppError;
use crate::app::types::{BulkFailure, BulkOutcome, WorkItemLine, WorklistFilter, WorklistPage};
use crate::server::entities::{work_item, workflow_definition, workflow_instance};
use crate::server::workflow::{decode_stored, WorkflowError, Workflows};
use assent_engine::runtime::model::Verdict;
use assent_engine::runtime::EngineError;
use assent_engine::UserName;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Select,
};

pub const PAGE_SIZE: u64 = 50;
/// Items one bulk decision may carry, and the most "all matching" selects.
pub const MAX_BULK_ITEMS: usize = 5000;
/// Decisions of one bulk submission in flight at once.
const BULK_CONCURRENCY: usize = 64;
const MAX_FILTER_CHARS: usize = 200;

fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// The user's work items joined with their instances, narrowed by `filter`.
async fn matching(
    db: &DatabaseConnection,
    user: &UserName,
    filter: &WorklistFilter,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Select<work_item::Entity>, AppError> {
    for (name, value) in [
        ("search", &filter.q),
        ("definition", &filter.definition),
        ("requester", &filter.requester),
        ("subject", &filter.subject),
    ] {
        if value
            .as_ref()
            .is_some_and(|v| v.chars().count() > MAX_FILTER_CHARS)
        {
            return Err(fail(AppError::Invalid(format!(
                "The {name} filter has at most {MAX_FILTER_CHARS} characters."
            ))));
        }
    }
    let mut select = work_item::Entity::find()
        .inner_join(workflow_instance::Entity)
        .filter(work_item::Column::Username.eq(user.as_str()));
    if let Some(status) = given(&filter.status) {
        if !matches!(status, "personal" | "pool" | "claimed") {
            return Err(fail(AppError::Invalid(
                "The state filter is one of personal, pool or claimed.".into(),
            )));
        }
        select = select.filter(work_item::Column::Status.eq(status));
    }
    if filter.overdue {
        select = select.filter(work_item::Column::DueAt.lt(now));
    }
    if let Some(path) = given(&filter.definition) {
        let ids: Vec<i32> = workflow_definition::Entity::find()
            .filter(workflow_definition::Column::Path.eq(path))
            .all(db)
            .await
            .map_err(|e| fail(e.into()))?
            .into_iter()
            .map(|d| d.id)
            .collect();
        select = select.filter(workflow_instance::Column::DefinitionId.is_in(ids));
    }
    if let Some(requester) = given(&filter.requester) {
        select = select.filter(contains_ignoring_case(
            workflow_instance::Column::Initiator,
            requester,
        ));
    }
    if let Some(subject) = given(&filter.subject) {
        select = select.filter(contains_ignoring_case(
            workflow_instance::Column::SubjectId,
            subject,
        ));
    }
    if let Some(words) = given(&filter.q) {
        // The stored instance holds the request's fields, subject, items and requester.
        for word in words.split_whitespace().take(8) {
            select = select.filter(contains_ignoring_case(
                workflow_instance::Column::Data,
                word,
            ));
        }
    }
    Ok(select)
}

fn ordered(
    select: Select<work_item::Entity>,
    sort: Option<&str>,
) -> Result<Select<work_item::Entity>, AppError> {
    let due = (work_item::Entity, work_item::Column::DueAt);
    Ok(match sort.unwrap_or("due") {
        // Items without a due date come last on both databases.
        "due" => select
            .order_by_asc(Expr::col(due).is_null())
            .order_by_asc(work_item::Column::DueAt)
            .order_by_asc(work_item::Column::CreatedAt),
        "oldest" => select.order_by_asc(work_item::Column::CreatedAt),
        "newest" => select.order_by_desc(work_item::Column::CreatedAt),
        "requester" => select
            .order_by_asc(workflow_instance::Column::Initiator)
            .order_by_asc(work_item::Column::CreatedAt),
        _ => {
            return Err(fail(AppError::Invalid(
                "Sort by due, oldest, newest or requester.".into(),
            )))
        }
    }
    .order_by_asc(work_item::Column::InstanceId)
    .order_by_asc(work_item::Column::RunSeq))
}

pub async fn worklist(filter: WorklistFilter) -> Result<WorklistPage, AppError> {
    let user = require_user().await?;
    let state = state()?;
    page_for(
        &state.db.connection,
        &state.workflows,
        &user.username,
        filter,
    )
    .await
}

/// One page of `user`'s worklist; apart from the session, all the worklist screen does.
pub async fn page_for(
    db: &DatabaseConnection,
    workflows: &Workflows,
    user: &UserName,
    filter: WorklistFilter,
) -> Result<WorklistPage, AppError> {
    let now = workflows.now();
    let select = matching(db, user, &filter, now).await?;
    let total = select.clone().count(db).await.map_err(|e| fail(e.into()))?;
    let pages = total.div_ceil(PAGE_SIZE).max(1) as u32;
    let page = filter.page.unwrap_or(1).clamp(1, pages);
    let rows = ordered(select, given(&filter.sort))?
        .select_also(workflow_instance::Entity)
        .offset(u64::from(page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
        .all(db)
        .await
        .map_err(|e| fail(e.into()))?;
    let mut items = Vec::with_capacity(rows.len());
    for (item, stored) in rows {
        let Some(stored) = stored else { continue };
        let instance = decode_stored(&stored).map_err(|e| fail(e.into()))?;
        let definition = workflows
            .definition(stored.definition_id)
            .await
            .map_err(|e| fail(e.into()))?;
        items.push(WorkItemLine {
            workflow_id: instance.id.clone(),
            run: item.run_seq as u32,
            status: item.status.clone(),
            overdue: item.due_at.is_some_and(|due| due < now),
            workflow: title_of(&definition),
            step: step_title(&definition, &item.activity),
            requester: instance.initiator.to_string(),
            subject: instance.subject_id(),
            items: instance.item_ids(),
            waiting_since: item.created_at.format(MINUTES).to_string(),
            due: item.due_at.map(|d| d.format(MINUTES).to_string()),
        });
    }
    let definitions = workflows
        .latest_definitions()
        .await
        .map_err(|e| fail(e.into()))?
        .into_iter()
        .map(|(stored, definition)| (stored.path, title_of(&definition)))
        .collect();
    Ok(WorklistPage {
        items,
        total,
        page,
        pages,
        definitions,
    })
}

/// Every item matching `filter` as `workflowID:run`, in the filter's order.
pub async fn matching_items(filter: WorklistFilter) -> Result<Vec<String>, AppError> {
    let user = require_user().await?;
    let state = state()?;
    let db = &state.db.connection;
    let select = matching(db, &user.username, &filter, state.workflows.now()).await?;
    let rows = ordered(select, given(&filter.sort))?
        .limit(MAX_BULK_ITEMS as u64)
        .all(db)
        .await
        .map_err(|e| fail(e.into()))?;
    Ok(rows
        .into_iter()
        .map(|item| format!("{}:{}", item.instance_id, item.run_seq))
        .collect())
}

/// A fingerprint of the user's open items: it changes when one arrives or leaves.
pub async fn worklist_stamp() -> Result<String, AppError> {
    use std::hash::{Hash, Hasher};
    let user = require_user().await?;
    let db = &state()?.db.connection;
    let rows: Vec<(String, i32, String)> = work_item::Entity::find()
        .select_only()
        .column(work_item::Column::InstanceId)
        .column(work_item::Column::RunSeq)
        .column(work_item::Column::Status)
        .filter(work_item::Column::Username.eq(user.username.as_str()))
        .order_by_asc(work_item::Column::InstanceId)
        .order_by_asc(work_item::Column::RunSeq)
        .into_tuple()
        .all(db)
        .await
        .map_err(|e| fail(e.into()))?;
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    rows.hash(&mut hasher);
    Ok(format!("{}-{:x}", rows.len(), hasher.finish()))
}

pub async fn claim(workflow_id: String, run: u32, claim: bool) -> Result<String, AppError> {
    let user = require_user().await?;
    let result = state()?
        .workflows
        .claim_item(&user.username, &workflow_id, run, claim)
        .await;
    match result {
        Ok(_) if claim => Ok("Claimed: the item is yours until you decide or release it.".into()),
        Ok(_) => Ok("Released: the item is back in the pool.".into()),
        Err(other) => Err(fail(other.into())),
    }
}

/// The seed's bulkApproval codes: 1x activity, 2x workflow, 3x participant, 4x invalid ID.
pub fn bulk_error_code(error: &WorkflowError) -> u16 {
    match error {
        WorkflowError::WorkflowNotFound => 40,
        WorkflowError::Forbidden => 30,
        WorkflowError::Engine(engine) => match engine {
            EngineError::NotAParticipant | EngineError::OwnRequest => 30,
            EngineError::AlreadyDecided | EngineError::ClaimedBy(_) => 31,
            EngineError::ActivityNotFound(_) => 10,
            EngineError::NotAwaitingDecision => 11,
            EngineError::ReasonRequired | EngineError::ReasonTooLong => 12,
            EngineError::InvalidState(_) => 20,
            _ => 19,
        },
        WorkflowError::Conflict | WorkflowError::Busy => 21,
        _ => 29,
    }
}

/// One item of a bulk submission: `a:workflowID:run` approves, `r:workflowID:run` rejects.
fn parse_mark(mark: &str) -> Option<(Verdict, String, u32)> {
    let (verdict, reference) = match mark.split_once(':')? {
        ("a", rest) => (Verdict::Approve, rest),
        ("r", rest) => (Verdict::Reject, rest),
        _ => return None,
    };
    let (id, run) = reference.rsplit_once(':')?;
    Some((verdict, id.to_owned(), run.parse().ok()?))
}

pub async fn bulk_decide(
    marks: Vec<String>,
    approve_reason: Option<String>,
    reject_reason: Option<String>,
    all_matching: Option<String>,
    filter: WorklistFilter,
) -> Result<BulkOutcome, AppError> {
    let user = require_user().await?;
    let mut failed = Vec::new();
    let mut chosen: Vec<(Verdict, String, u32)> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for mark in marks.iter().filter(|m| !m.is_empty()) {
        match parse_mark(mark) {
            Some(item) => {
                if seen.insert((item.1.clone(), item.2)) {
                    chosen.push(item)
                }
            }
            None => failed.push(BulkFailure {
                id: mark.clone(),
                name: String::new(),
                error_code: 40,
                message: "not an item reference".into(),
            }),
        }
    }
    let everything = match all_matching.as_deref().unwrap_or("") {
        "" => None,
        "approve" => Some(Verdict::Approve),
        "reject" => Some(Verdict::Reject),
        _ => {
            return Err(fail(AppError::Invalid(
                "Apply to all matching items with approve or reject.".into(),
            )))
        }
    };
    if let Some(verdict) = everything {
        // Items marked one by one keep their own decision.
        for reference in matching_items(filter).await? {
            if let Some((id, run)) = reference.rsplit_once(':') {
                let run: u32 = run.parse().unwrap_or_default();
                if seen.insert((id.to_owned(), run)) {
                    chosen.push((verdict, id.to_owned(), run));
                }
            }
        }
    }
    if chosen.is_empty() && failed.is_empty() {
        return Err(fail(AppError::Invalid(
            "Mark at least one item to approve or reject.".into(),
        )));
    }
    if chosen.len() > MAX_BULK_ITEMS {
        return Err(fail(AppError::Invalid(format!(
            "At most {MAX_BULK_ITEMS} items at once."
        ))));
    }
    let workflows = state()?.workflows;
    let mut tasks = tokio::task::JoinSet::new();
    // A bounded number in flight: enough for the group-commit writer to batch them, not
    // so many that one submission fills the database pool and memory.
    let in_flight = std::sync::Arc::new(tokio::sync::Semaphore::new(BULK_CONCURRENCY));
    for (verdict, workflow_id, run) in chosen {
        let reason = match verdict {
            Verdict::Approve => approve_reason.clone(),
            Verdict::Reject => reject_reason.clone(),
        }
        .filter(|r| !r.trim().is_empty());
        let (workflows, user) = (workflows.clone(), user.username.clone());
        // Each item is its own transaction, applied whole or not at all; the
        // group-commit writer gathers the concurrent ones into few commits.
        let permit = std::sync::Arc::clone(&in_flight).acquire_owned().await;
        tasks.spawn(async move {
            let _permit = permit;
            let result = workflows
                .decide(&user, &workflow_id, run, verdict, reason, None)
                .await;
            (workflow_id, run, result)
        });
    }
    let mut decided = 0;
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok((_, _, Ok(_))) => decided += 1,
            Ok((workflow_id, run, Err(error))) => {
                // The step's name and the real reason only for a workflow the user has
                // a part in (asked on it, requested it, or it is for them): of anyone
                // else's nothing is told, not even that it exists.
                let asked_run = match workflows.instance(&workflow_id).await {
                    Ok(instance) => {
                        let involved = instance.may_not_decide(&user.username)
                            || instance.run(run).is_some_and(|r| {
                                r.approval.as_ref().is_some_and(|a| {
                                    a.participants.iter().any(|p| p.user == user.username)
                                })
                            });
                        instance.run(run).cloned().filter(|_| involved)
                    }
                    Err(_) => None,
                };
                let (name, error_code, message) = match asked_run {
                    Some(asked) => (
                        asked.activity.to_string(),
                        bulk_error_code(&error),
                        AppError::from(error).to_string(),
                    ),
                    None => (String::new(), 40, AppError::NotFound.to_string()),
                };
                failed.push(BulkFailure {
                    id: workflow_id,
                    name,
                    error_code,
                    message,
                });
            }
            Err(error) => {
                tracing::error!(%error, "bulk decision task");
                failed.push(BulkFailure {
                    id: String::new(),
                    name: String::new(),
                    error_code: 29,
                    message: AppError::Internal.to_string(),
                });
            }
        }
    }
    failed.sort();
    super::after_form_post(&format!(
        "/worklist?decided={decided}&failed={}",
        failed.len()
    ))
    .await;
    Ok(BulkOutcome { decided, failed })
}
