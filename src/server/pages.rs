//! The server side of the pages' server functions: load, authorize, answer.

use super::auth::Viewer;
use super::entities::{audit_event, catalog_item, department, user};
use super::AppState;
use crate::app::error::AppError;
use crate::app::types::{AdminOverview, AuditLine, SessionUser, ShellInfo};
use assent_engine::Role;
use axum::http::StatusCode;
use axum::Extension;
use leptos::prelude::use_context;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};

/// Records the error's status on the response, then hands the error back.
fn fail(error: AppError) -> AppError {
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(
            StatusCode::from_u16(error.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        );
    }
    error
}

fn state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| fail(AppError::Internal))
}

async fn viewer() -> Result<Option<SessionUser>, AppError> {
    let Extension(Viewer(viewer)) =
        leptos_axum::extract::<Extension<Viewer>>()
            .await
            .map_err(|error| {
                tracing::error!(?error, "request without a resolved viewer");
                fail(AppError::Internal)
            })?;
    Ok(viewer)
}

pub async fn require_user() -> Result<SessionUser, AppError> {
    viewer()
        .await?
        .ok_or_else(|| fail(AppError::Unauthenticated))
}

pub async fn require_role(role: Role) -> Result<SessionUser, AppError> {
    let user = require_user().await?;
    if user.has_role(role) {
        Ok(user)
    } else {
        Err(fail(AppError::Forbidden))
    }
}

pub async fn shell_info() -> Result<Option<ShellInfo>, AppError> {
    let Some(user) = viewer().await? else {
        return Ok(None);
    };
    let open = state()?
        .workflows
        .open_item_count(&user.username)
        .await
        .map_err(|e| fail(e.into()))?;
    Ok(Some(ShellInfo {
        user,
        open_work_items: u32::try_from(open).unwrap_or(u32::MAX),
    }))
}

pub async fn admin_overview() -> Result<AdminOverview, AppError> {
    require_role(Role::Admin).await?;
    let db = &state()?.db.connection;
    let users = user::Entity::find()
        .count(db)
        .await
        .map_err(|e| fail(e.into()))?;
    let disabled_users = user::Entity::find()
        .filter(user::Column::Disabled.eq(true))
        .count(db)
        .await
        .map_err(|e| fail(e.into()))?;
    let departments = department::Entity::find()
        .count(db)
        .await
        .map_err(|e| fail(e.into()))?;
    let catalog_items = catalog_item::Entity::find()
        .count(db)
        .await
        .map_err(|e| fail(e.into()))?;
    let recent_audit = audit_event::Entity::find()
        .order_by_desc(audit_event::Column::Id)
        .limit(20)
        .all(db)
        .await
        .map_err(|e| fail(e.into()))?
        .into_iter()
        .map(|event| AuditLine {
            occurred_at: event.occurred_at.format("%Y-%m-%d %H:%M:%S").to_string(),
            actor: event.actor,
            action: event.action,
            detail: event.detail,
        })
        .collect();
    Ok(AdminOverview {
        users,
        disabled_users,
        departments,
        catalog_items,
        recent_audit,
    })
}
