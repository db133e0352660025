//! The requester's list of their own requests, filtered by state and searched by words.

use super::{definition_of, fail, require_user, state, step_title, title_of, MINUTES};
use crate::app::types::RequestLine;
use crate::model::AppError;
use crate::server::entities::workflow_instance;
use crate::server::usecases::worklist::contains_ignoring_case;
use crate::server::workflow::decode_stored;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

/// The most requests the list shows, newest first; a search narrows it further.
const SHOWN: u64 = 200;

pub async fn my_requests(
    status: Option<String>,
    q: Option<String>,
) -> Result<Vec<RequestLine>, AppError> {
    let user = require_user().await?;
    let state = state()?;
    let mut select = workflow_instance::Entity::find()
        .filter(workflow_instance::Column::Initiator.eq(user.username.as_str()));
    select = match status.as_deref().unwrap_or("") {
        "" => select,
        "open" => select.filter(workflow_instance::Column::State.is_in(["RUNNING", "SUSPENDED"])),
        "accepted" => select.filter(workflow_instance::Column::ApplicationState.eq("ACCEPTED")),
        "rejected" => select.filter(workflow_instance::Column::ApplicationState.eq("REJECTED")),
        "withdrawn" => select.filter(workflow_instance::Column::State.eq("ABORTED")),
        "failed" => select.filter(workflow_instance::Column::State.eq("FAILED")),
        _ => {
            return Err(fail(AppError::Invalid(
                "The state filter is one of open, accepted, rejected, withdrawn or failed.".into(),
            )))
        }
    };
    let words = q.unwrap_or_default();
    if words.chars().count() > 200 {
        return Err(fail(AppError::Invalid(
            "The search has at most 200 characters.".into(),
        )));
    }
    for word in words.split_whitespace().take(8) {
        select = select.filter(contains_ignoring_case(
            workflow_instance::Column::Data,
            word,
        ));
    }
    let rows = select
        .order_by_desc(workflow_instance::Column::CreatedAt)
        .limit(SHOWN)
        .all(&state.db.connection)
        .await
        .map_err(|e| fail(e.into()))?;
    let mut lines = Vec::with_capacity(rows.len());
    for stored in rows {
        let instance = decode_stored(&stored).map_err(|e| fail(e.into()))?;
        let definition = definition_of(&state, &stored).await?;
        let current_steps = instance
            .runs
            .iter()
            .filter(|r| {
                matches!(
                    r.state,
                    assent_engine::ActivityState::Running
                        | assent_engine::ActivityState::WaitInError
                ) && r.activity_type != "merge"
            })
            .map(|r| step_title(&definition, &r.activity.0))
            .collect();
        lines.push(RequestLine {
            workflow_id: instance.id.clone(),
            workflow: title_of(&definition),
            subject: instance.subject_id(),
            items: instance.item_ids(),
            state: instance.state.as_str().to_owned(),
            outcome: stored.application_state,
            current_steps,
            created: stored.created_at.format(MINUTES).to_string(),
        });
    }
    Ok(lines)
}
