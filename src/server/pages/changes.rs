//! The server side of the administrators' change-events screen: the sources, their stops
//! and set-aside events; retry or skip a stopped event; a source's policy.

use super::{after_form_post, fail, require_user, state};
use crate::model::changes::ChangesOverview;
use crate::model::AppError;
use crate::server::changes::OnError;
use crate::server::rights::{Granted, ManageChangeEvents};
use crate::server::usecases::changes as usecase;

/// Where the forms of the screen come back to without JavaScript.
const PAGE: &str = "/admin/changes";

async fn granted() -> Result<(crate::model::SessionUser, Granted<ManageChangeEvents>), AppError> {
    let user = require_user().await?;
    let may =
        Granted::<ManageChangeEvents>::check(&user).ok_or_else(|| fail(AppError::Forbidden))?;
    Ok((user, may))
}

pub async fn overview() -> Result<ChangesOverview, AppError> {
    let (_, may) = granted().await?;
    let state = state()?;
    usecase::overview(may, &state.db.connection, &state.changes)
        .await
        .map_err(|e| fail(e.into()))
}

pub async fn retry(source: String) -> Result<String, AppError> {
    let (user, may) = granted().await?;
    let state = state()?;
    let answer = usecase::retry(
        may,
        &state.db.connection,
        &state.changes,
        &source,
        user.username.as_str(),
    )
    .await
    .map_err(|e| fail(e.into()))?;
    after_form_post(PAGE).await;
    Ok(answer)
}

pub async fn skip(source: String, note: String) -> Result<String, AppError> {
    let (user, may) = granted().await?;
    let state = state()?;
    let answer = usecase::skip(
        may,
        &state.db.connection,
        &state.changes,
        &source,
        &note,
        user.username.as_str(),
    )
    .await
    .map_err(|e| fail(e.into()))?;
    after_form_post(PAGE).await;
    Ok(answer)
}

pub async fn set_policy(source: String, policy: String) -> Result<String, AppError> {
    let (user, may) = granted().await?;
    let policy = OnError::parse(&policy).ok_or_else(|| {
        fail(AppError::Invalid(
            "Choose stop or park for events that cannot be applied.".into(),
        ))
    })?;
    let state = state()?;
    let answer = usecase::set_policy(
        may,
        &state.db.connection,
        &source,
        policy,
        user.username.as_str(),
    )
    .await
    .map_err(|e| fail(e.into()))?;
    after_form_post(PAGE).await;
    Ok(answer)
}
