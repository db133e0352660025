//! The worklist screen's server side: one page of the signed-in user's open items under a
//! filter, every item matching a filter (for "all matching" bulk decisions), claiming
//! pool items, and bulk decisions. The work itself is done by the use cases in
//! `server::usecases::{worklist, decisions}`; this adapter reads the session, parses
//! the page's input and shapes the answer.

use super::{fail, require_user, state, step_title, title_of, MINUTES};
use crate::app::types::{BulkFailure, BulkOutcome, WorkItemLine, WorklistFilter, WorklistPage};
use crate::model::{AppError, BulkErrorCode, BulkMark, SessionUser, WorkItemRef};
use crate::server::usecases::decisions::{
    self, BulkDecision, BulkTarget, Deciding, MAX_BULK_ITEMS,
};
use crate::server::usecases::worklist::{self as use_case, WorklistQuery};
use crate::server::workflow::Workflows;
use assent_engine::runtime::model::Verdict;
use assent_engine::UserName;

pub use crate::server::usecases::worklist::PAGE_SIZE;

fn parsed(filter: &WorklistFilter) -> Result<WorklistQuery, AppError> {
    WorklistQuery::try_from(filter).map_err(|error| fail(error.into()))
}

pub async fn worklist(filter: WorklistFilter) -> Result<WorklistPage, AppError> {
    let user = require_user().await?;
    page_for(&state()?.workflows, &user.username, filter).await
}

/// One page of `user`'s worklist; apart from the session, all the worklist screen does.
pub async fn page_for(
    workflows: &Workflows,
    user: &UserName,
    filter: WorklistFilter,
) -> Result<WorklistPage, AppError> {
    let query = parsed(&filter)?;
    let found = use_case::items_page(workflows, user, &query, filter.page)
        .await
        .map_err(|e| fail(e.into()))?;
    let now = workflows.now();
    let items = found
        .items
        .into_iter()
        .map(|open| WorkItemLine {
            workflow_id: open.reference.workflow,
            run: open.reference.run,
            status: open.item.status.clone(),
            overdue: open.item.due_at.is_some_and(|due| due < now),
            workflow: title_of(&open.definition),
            step: step_title(&open.definition, &open.item.activity),
            requester: open.instance.initiator.to_string(),
            subject: open.instance.subject_id(),
            items: open.instance.item_ids(),
            waiting_since: open.item.created_at.format(MINUTES).to_string(),
            due: open.item.due_at.map(|d| d.format(MINUTES).to_string()),
        })
        .collect();
    let definitions = workflows
        .latest_definitions()
        .await
        .map_err(|e| fail(e.into()))?
        .into_iter()
        .map(|(stored, definition)| (stored.path, title_of(&definition)))
        .collect();
    Ok(WorklistPage {
        items,
        total: found.total,
        page: found.page,
        pages: found.pages,
        definitions,
    })
}

async fn items_matching(
    workflows: &Workflows,
    user: &SessionUser,
    filter: &WorklistFilter,
) -> Result<Vec<WorkItemRef>, AppError> {
    use_case::matching_items(workflows, &user.username, &parsed(filter)?, MAX_BULK_ITEMS)
        .await
        .map_err(|e| fail(e.into()))
}

/// Every item matching `filter` as `workflowID:run`, in the filter's order.
pub async fn matching_items(filter: WorklistFilter) -> Result<Vec<String>, AppError> {
    let user = require_user().await?;
    let found = items_matching(&state()?.workflows, &user, &filter).await?;
    Ok(found.iter().map(WorkItemRef::to_string).collect())
}

/// A fingerprint of the user's open items: it changes when one arrives or leaves.
pub async fn worklist_stamp() -> Result<String, AppError> {
    let user = require_user().await?;
    use_case::stamp(&state()?.workflows, &user.username)
        .await
        .map_err(|e| fail(e.into()))
}

pub async fn claim(workflow_id: String, run: u32, claim: bool) -> Result<String, AppError> {
    let user = require_user().await?;
    let workflow = super::workflow_id(&workflow_id)?;
    let result = state()?
        .workflows
        .claim_item(&user.username, workflow.as_str(), run, claim)
        .await;
    match result {
        Ok(_) if claim => Ok("Claimed: the item is yours until you decide or release it.".into()),
        Ok(_) => Ok("Released: the item is back in the pool.".into()),
        Err(other) => Err(fail(other.into())),
    }
}

fn unreadable_mark(mark: &str) -> BulkFailure {
    BulkFailure {
        id: mark.to_owned(),
        name: String::new(),
        error_code: BulkErrorCode::UnknownWorkflow.code(),
        message: "not an item reference".into(),
    }
}

pub async fn bulk_decide(
    marks: Vec<String>,
    approve_reason: Option<String>,
    reject_reason: Option<String>,
    all_matching: Option<String>,
    filter: WorklistFilter,
) -> Result<BulkOutcome, AppError> {
    let user = require_user().await?;
    let workflows = state()?.workflows;
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
    let mut failed = Vec::new();
    let mut chosen: Vec<(Verdict, WorkItemRef)> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for mark in marks.iter().filter(|m| !m.is_empty()) {
        match mark.parse::<BulkMark>() {
            Ok(mark) if seen.insert(mark.item.clone()) => chosen.push((mark.verdict, mark.item)),
            Ok(_) => {}
            Err(_) => failed.push(unreadable_mark(mark)),
        }
    }
    if let Some(verdict) = everything {
        // Items marked one by one keep their own decision.
        for item in items_matching(&workflows, &user, &filter).await? {
            if seen.insert(item.clone()) {
                chosen.push((verdict, item));
            }
        }
    }
    if chosen.is_empty() && failed.is_empty() {
        return Err(fail(AppError::Invalid(
            "Mark at least one item to approve or reject.".into(),
        )));
    }
    let decisions = chosen
        .into_iter()
        .map(|(verdict, item)| BulkDecision {
            verdict,
            reason: match verdict {
                Verdict::Approve => approve_reason.clone(),
                Verdict::Reject => reject_reason.clone(),
            },
            target: BulkTarget::Item(item),
        })
        .collect();
    let outcome = decisions::decide_many(&workflows, &user, Deciding::OwnItems, decisions)
        .await
        .map_err(|_| {
            fail(AppError::Invalid(format!(
                "At most {MAX_BULK_ITEMS} items at once."
            )))
        })?;
    failed.extend(outcome.failed.into_iter().map(|failure| {
        let message = match failure.cause {
            Some(cause) => AppError::from(cause),
            None if failure.code == BulkErrorCode::UnknownWorkflow => AppError::NotFound,
            None => AppError::Internal,
        };
        BulkFailure {
            id: failure.workflow,
            name: failure.activity,
            error_code: failure.code.code(),
            message: message.to_string(),
        }
    }));
    failed.sort();
    super::after_form_post(&format!(
        "/worklist?decided={}&failed={}",
        outcome.decided,
        failed.len()
    ))
    .await;
    Ok(BulkOutcome {
        decided: outcome.decided,
        failed,
    })
}
