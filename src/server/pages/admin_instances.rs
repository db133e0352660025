//! The server side of the administrators' workflow screens: the search, one workflow
//! taken apart, and its repairs. Rights are proven here by capability; what is done is
//! decided in `usecases::instances`.

use super::{after_form_post, fail, request_lang, require_user, state, workflow_id};
use crate::model::instances::{Inspection, InstancePage, InstanceQuery, Repair};
use crate::model::replay::Replay;
use crate::model::AppError;
use crate::server::rights::{Granted, ManageWorkflows, ReadAllWorkflows};
use crate::server::usecases::instances::{inspect, repair as repairs, replay as replays, search};

pub async fn instances(query: InstanceQuery) -> Result<InstancePage, AppError> {
    let user = require_user().await?;
    let may = Granted::<ReadAllWorkflows>::check(&user).ok_or_else(|| fail(AppError::Forbidden))?;
    search(
        may,
        &state()?.workflows,
        &query,
        chrono::Utc::now(),
        request_lang(),
    )
    .await
    .map_err(|e| fail(e.into()))
}

pub async fn instance(id: String) -> Result<Inspection, AppError> {
    let user = require_user().await?;
    let may = Granted::<ReadAllWorkflows>::check(&user).ok_or_else(|| fail(AppError::Forbidden))?;
    inspect::inspect(may, &state()?.workflows, &workflow_id(&id)?, request_lang())
        .await
        .map_err(|e| fail(e.into()))
}

pub async fn replay(id: String, step: Option<usize>) -> Result<Replay, AppError> {
    let user = require_user().await?;
    let may = Granted::<ReadAllWorkflows>::check(&user).ok_or_else(|| fail(AppError::Forbidden))?;
    replays::replay(
        may,
        &state()?.workflows,
        &workflow_id(&id)?,
        step,
        request_lang(),
    )
    .await
    .map_err(|e| fail(e.into()))
}

pub async fn repair_instance(
    id: String,
    version: u64,
    repair: String,
    run: Option<u32>,
    users: Option<String>,
    due: Option<String>,
    reason: String,
) -> Result<String, AppError> {
    let user = require_user().await?;
    let may = Granted::<ManageWorkflows>::check(&user).ok_or_else(|| fail(AppError::Forbidden))?;
    let chosen = Repair::from_form(&repair, run, users.as_deref(), due.as_deref())
        .map_err(|message| fail(AppError::Invalid(message.into())))?;
    let id = workflow_id(&id)?;
    let done = repairs::repair(
        may,
        &state()?.workflows,
        &user.username,
        &id,
        version,
        chosen,
        &reason,
    )
    .await
    .map_err(|e| fail(e.into()))?;
    after_form_post(&format!("/admin/instances/{id}")).await;
    Ok(done)
}
