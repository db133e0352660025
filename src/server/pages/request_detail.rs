//! One request with its timeline, for the people who may follow it; withdrawing it.

use super::history::history_lines;
use super::{fail, require_user, state, title_of, MINUTES};
use crate::app::types::RequestDetail;
use crate::model::AppError;
use crate::server::rights::{holds, ReadAllWorkflows};
use crate::server::usecases::provisioning::deliveries_of_workflow;
use crate::server::usecases::reading::OpenedWorkflow;

pub async fn request_detail(workflow_id: String) -> Result<RequestDetail, AppError> {
    let user = require_user().await?;
    let state = state()?;
    let OpenedWorkflow {
        stored,
        instance,
        definition,
    } = super::opened(&state, &workflow_id).await?;
    // The requester, the person it is for, and those who may read every workflow
    // (administrators) may follow a request; anyone else is answered as if it did not
    // exist.
    let allowed = instance.initiator == user.username
        || instance.subject_user().as_ref() == Some(&user.username)
        || holds::<ReadAllWorkflows>(&user);
    if !allowed {
        return Err(fail(AppError::NotFound));
    }
    Ok(RequestDetail {
        workflow_id: instance.id.clone(),
        version: instance.version,
        workflow: title_of(&definition),
        subject: instance.subject_id(),
        items: instance.item_ids(),
        state: instance.state.as_str().to_owned(),
        outcome: stored.application_state,
        created: stored.created_at.format(MINUTES).to_string(),
        can_withdraw: instance.initiator == user.username && !instance.state.is_terminal(),
        history: history_lines(
            &instance,
            &definition,
            &state.workflows.handoffs_of(&instance.id).await?,
        ),
        provisioning: deliveries_of_workflow(
            &state.db.connection,
            state.workflows.provisioning(),
            &instance.id,
            super::request_lang(),
        )
        .await
        .map_err(|e| fail(e.into()))?,
    })
}

pub async fn withdraw(workflow_id: String, version: u64) -> Result<String, AppError> {
    let user = require_user().await?;
    state()?
        .workflows
        .withdraw(&user.username, &workflow_id, version)
        .await
        .map_err(|e| fail(e.into()))?;
    Ok("Your request was withdrawn.".into())
}
