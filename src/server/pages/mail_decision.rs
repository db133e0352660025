//! The page a mailed approve or reject link opens. The token is the approver's
//! credential for this one decision, so no login is needed; opening the page decides
//! nothing, the confirmation does.

use super::{fail, state, step_title, title_of};
use crate::app::types::MailDecisionPreview;
use crate::model::AppError;
use crate::server::workflow::links::LinkError;
use assent_engine::definition::ActivityKind;

fn refused(error: LinkError) -> AppError {
    match error {
        LinkError::Workflow(error) => fail(error.into()),
        other => fail(AppError::Invalid(other.to_string())),
    }
}

pub async fn preview(token: String) -> Result<MailDecisionPreview, AppError> {
    let state = state()?;
    let link = state
        .workflows
        .decision_link(&token)
        .await
        .map_err(refused)?;
    let opened = super::opened(&state, &link.instance_id).await?;
    let (instance, definition) = (opened.instance, opened.definition);
    let run = instance
        .run(link.run_seq as u32)
        .ok_or_else(|| fail(AppError::NotFound))?;
    let reason_required = matches!(
        definition.activity(&run.activity).map(|a| &a.kind),
        Some(ActivityKind::Approval(a)) if a.reason_required_on_reject
    );
    Ok(MailDecisionPreview {
        workflow: title_of(&definition),
        step: step_title(&definition, &run.activity.0),
        requester: instance.initiator.to_string(),
        subject: instance.subject_id(),
        items: instance.item_ids(),
        approver: link.username,
        approve: link.verdict == "approve",
        reason_required: reason_required && link.verdict != "approve",
        still_open: run.approval.as_ref().is_some_and(|a| {
            a.outcome.is_none() && run.state == assent_engine::ActivityState::Running
        }),
    })
}

pub async fn confirm(token: String, reason: Option<String>) -> Result<String, AppError> {
    let reason = reason.filter(|r| !r.trim().is_empty());
    let (link, _) = state()?
        .workflows
        .decide_by_link(&token, reason)
        .await
        .map_err(refused)?;
    Ok(if link.verdict == "approve" {
        "Approved. Thank you.".into()
    } else {
        "Rejected. Thank you.".into()
    })
}
