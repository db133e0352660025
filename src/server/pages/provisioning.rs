//! The server side of the provisioning screens: a person's own accounts ("My access"),
//! and the administrators' outbox with retry and drop of parked messages.

use super::{after_form_post, fail, request_lang, require_user, state};
use crate::model::provisioning::{AccountLine, ProvisioningOverview};
use crate::model::AppError;
use crate::server::provisioning::outbox::ParkedAction;
use crate::server::rights::{Granted, ManageProvisioning};
use crate::server::usecases::provisioning as usecase;

pub async fn my_accounts() -> Result<Vec<AccountLine>, AppError> {
    let user = require_user().await?;
    let state = state()?;
    usecase::my_accounts(
        &state.db.connection,
        state.workflows.provisioning(),
        user.username.as_str(),
        request_lang(),
    )
    .await
    .map_err(|e| fail(e.into()))
}

pub async fn overview() -> Result<ProvisioningOverview, AppError> {
    let user = require_user().await?;
    let may =
        Granted::<ManageProvisioning>::check(&user).ok_or_else(|| fail(AppError::Forbidden))?;
    let state = state()?;
    usecase::overview(
        may,
        &state.db.connection,
        state.workflows.provisioning(),
        request_lang(),
    )
    .await
    .map_err(|e| fail(e.into()))
}

pub async fn resolve_parked(id: i32, action: ParkedAction) -> Result<String, AppError> {
    let user = require_user().await?;
    let may =
        Granted::<ManageProvisioning>::check(&user).ok_or_else(|| fail(AppError::Forbidden))?;
    let state = state()?;
    let answer = usecase::resolve_parked(
        may,
        &state.db.connection,
        id,
        action,
        user.username.as_str(),
    )
    .await
    .map_err(|e| fail(e.into()))?;
    after_form_post("/admin/provisioning").await;
    Ok(answer)
}
