//! An administrator's repairs: suspend, resume, abort, restart an activity waiting in
//! error, ask other people on a running approval, or move its due time. Each needs a
//! reason, names the version the administrator saw (a workflow changed meanwhile is
//! refused), is audited with what and why, and is refused with the engine's words where
//! the engine refuses it (the requester or the subject choosing approvers, a restart of a
//! run that does not wait in error, a due time in the past, ...).

use crate::model::instances::Repair;
use crate::model::WorkflowId;
use crate::server::entities::user;
use crate::server::rights::{Granted, ManageWorkflows};
use crate::server::workflow::{to_timestamp, WorkflowError, Workflows};
use assent_engine::runtime::{Event, Modification};
use assent_engine::UserName;
use chrono::{DateTime, NaiveDateTime, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

/// Longest reason kept with a repair, in characters.
pub const MAX_REASON_CHARS: usize = 500;
/// Most people asked instead in one reassignment.
pub const MAX_NEW_PARTICIPANTS: usize = 20;

/// Makes `repair` to the workflow `id` as seen at `version`, for `reason`; answers what
/// was done, in words for the administrator.
pub async fn repair(
    may: Granted<ManageWorkflows>,
    workflows: &Workflows,
    actor: &UserName,
    id: &WorkflowId,
    version: u64,
    repair: Repair,
    reason: &str,
) -> Result<String, WorkflowError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(WorkflowError::Invalid(
            "Say why: a repair needs a reason for the audit trail.".into(),
        ));
    }
    if reason.chars().count() > MAX_REASON_CHARS {
        return Err(WorkflowError::Invalid(format!(
            "A reason has at most {MAX_REASON_CHARS} characters."
        )));
    }
    let id = id.as_str();
    let (event, what, done) = match repair {
        Repair::Suspend => (
            Event::Suspend,
            "suspended".to_owned(),
            "The workflow is suspended.",
        ),
        Repair::Resume => (
            Event::Resume { run: None },
            "resumed".to_owned(),
            "The workflow runs again.",
        ),
        Repair::Abort => (
            Event::Abort,
            "aborted".to_owned(),
            "The workflow is aborted.",
        ),
        Repair::Restart { run } => (
            Event::Resume { run: Some(run) },
            format!("activity run {run} restarted"),
            "The activity was started again.",
        ),
        Repair::Reassign { run, users } => {
            let users = known_people(workflows, &users).await?;
            let names: Vec<&str> = users.iter().map(UserName::as_str).collect();
            let detail = format!(
                "repair: activity run {run} now asks {}; reason: {reason}",
                names.join(", ")
            );
            let change = Modification {
                participants: [(run, users)].into_iter().collect(),
                ..Modification::default()
            };
            workflows
                .modify(actor, id, change, Some(version), detail)
                .await?;
            return Ok("The approval now asks the people you named; they were told.".into());
        }
        Repair::Due { run, due } => {
            let due = due_time(&due)?;
            let detail = format!(
                "repair: activity run {run} due {} UTC; reason: {reason}",
                due.format("%Y-%m-%d %H:%M")
            );
            let change = Modification {
                due: [(run, to_timestamp(due))].into_iter().collect(),
                ..Modification::default()
            };
            workflows
                .modify(actor, id, change, Some(version), detail)
                .await?;
            return Ok("The due time was moved.".into());
        }
    };
    let detail = format!("repair: {what}; reason: {reason}");
    workflows
        .repair(actor, may, id, event, version, detail)
        .await?;
    Ok(done.to_owned())
}

/// A due time as a browser's date-and-time field sends it (`2027-01-05T09:30`), or
/// typed with a space; read as UTC.
fn due_time(text: &str) -> Result<DateTime<Utc>, WorkflowError> {
    ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(text.trim(), format).ok())
        .map(|time| time.and_utc())
        .ok_or_else(|| {
            WorkflowError::Invalid("Give the due time as YYYY-MM-DD HH:MM (UTC).".into())
        })
}

/// The people named, each an enabled account, or a refusal that names who is not.
async fn known_people(
    workflows: &Workflows,
    names: &[String],
) -> Result<Vec<UserName>, WorkflowError> {
    if names.len() > MAX_NEW_PARTICIPANTS {
        return Err(WorkflowError::Invalid(format!(
            "Name at most {MAX_NEW_PARTICIPANTS} people."
        )));
    }
    let mut users = Vec::with_capacity(names.len());
    for name in names {
        let unknown = || WorkflowError::Invalid(format!("{name:?} is not an active user."));
        let parsed = UserName::parse(&name.to_lowercase()).map_err(|_| unknown())?;
        let enabled = user::Entity::find()
            .filter(user::Column::Username.eq(parsed.as_str()))
            .filter(user::Column::Disabled.eq(false))
            .one(&workflows.db)
            .await?
            .is_some();
        if !enabled {
            return Err(unknown());
        }
        if !users.contains(&parsed) {
            users.push(parsed);
        }
    }
    Ok(users)
}
