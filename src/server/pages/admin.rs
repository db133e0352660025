//! The administrator's screen: counts of the directory, running workflows, the deployed
//! definitions and recent audit events; deploying a definition.

use super::{fail, request_lang, require_role, state, MINUTES};
use crate::app::types::{AdminOverview, AuditLine, DefinitionLine, DeployResult, EngineLine};
use crate::model::AppError;
use crate::server::entities::{audit_event, catalog_item, department, user, workflow_instance};
use crate::server::rights::{Granted, ReadAllWorkflows};
use crate::server::workflow::DeployOutcome;
use assent_engine::Role;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};

pub async fn admin_overview() -> Result<AdminOverview, AppError> {
    let admin = require_role(Role::Admin).await?;
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
    let running_workflows = workflow_instance::Entity::find()
        .filter(workflow_instance::Column::State.is_in(["RUNNING", "SUSPENDED"]))
        .count(db)
        .await
        .map_err(|e| fail(e.into()))?;
    let definitions = state()?
        .workflows
        .latest_definitions()
        .await
        .map_err(|e| fail(e.into()))?
        .into_iter()
        .map(|(stored, _)| DefinitionLine {
            path: stored.path,
            name: stored.name,
            version: stored.version,
            deployed_at: stored.deployed_at.format(MINUTES).to_string(),
            deployed_by: stored.deployed_by,
        })
        .collect();
    let engines = crate::server::health::engines_of(&state()?.workflows)
        .await
        .into_iter()
        .map(|line| EngineLine {
            name: line.name,
            kind: line.kind.to_owned(),
            state: match line.up {
                Some(true) => "up",
                Some(false) => "down",
                None => "unknown",
            }
            .to_owned(),
            waiting: line.waiting,
            checked_at: line
                .checked_at
                .map(|at| at.format("%Y-%m-%d %H:%M:%S").to_string()),
            last_error: line.last_error,
        })
        .collect();
    let attention = crate::server::usecases::instances::attention::attention(
        Granted::<ReadAllWorkflows>::check(&admin).ok_or_else(|| fail(AppError::Forbidden))?,
        &state()?.workflows,
        chrono::Utc::now(),
        request_lang(),
    )
    .await
    .map_err(|e| fail(e.into()))?;
    Ok(AdminOverview {
        attention,
        engines,
        users,
        disabled_users,
        departments,
        catalog_items,
        running_workflows,
        definitions,
        recent_audit,
    })
}

/// Largest definition file accepted, in bytes.
const MAX_DEFINITION_BYTES: usize = 256 * 1024;

pub async fn deploy_definition(
    file_name: String,
    source: String,
) -> Result<DeployResult, AppError> {
    let admin = require_role(Role::Admin).await?;
    let file_name = checked_definition_file(&file_name, &source)?;
    let outcome = state()?
        .workflows
        .deploy(file_name, &source, Some(admin.username.as_str()))
        .await
        .map_err(|e| fail(e.into()))?;
    Ok(match outcome {
        DeployOutcome::Deployed { path, version, .. } => DeployResult {
            path,
            version,
            changed: true,
        },
        DeployOutcome::Unchanged { path, version, .. } => DeployResult {
            path,
            version,
            changed: false,
        },
    })
}

/// A definition file as sent to deploy or rehearse: its trimmed name, or why it is refused.
pub(super) fn checked_definition_file<'a>(
    file_name: &'a str,
    source: &str,
) -> Result<&'a str, AppError> {
    let file_name = file_name.trim();
    let valid_name = !file_name.is_empty()
        && file_name.len() <= 200
        && file_name.ends_with(".toml")
        && file_name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
    if !valid_name {
        return Err(fail(AppError::Invalid(
            "The file name must end in .toml and use only letters, digits, - _ and .".into(),
        )));
    }
    if source.len() > MAX_DEFINITION_BYTES {
        return Err(fail(AppError::Invalid(format!(
            "A definition has at most {} KiB.",
            MAX_DEFINITION_BYTES / 1024
        ))));
    }
    Ok(file_name)
}
