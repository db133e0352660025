//! In the workflow step's own transaction: for each person whose access or directory
//! entry the step changed, the operation each of their accounts needs (computed against
//! the attribute cache, so a change that changes nothing sends nothing), written to the
//! outbox with the next sequence of that account, and the cache brought along.

use super::message::{Cause, ProvisioningMessage};
use super::outbox;
use crate::server::entities::{
    assignment, provisioning_account as cache, provisioning_operation as operation, user,
};
use crate::server::workflow::WorkflowError;
use assent_engine::provisioning::{
    plan, AccountHolder, Attributes, Holding, ItemKind, Operation, Resource,
};
use assent_engine::runtime::model::Instance;
use assent_engine::Verdict;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, SqlErr,
};
use std::collections::BTreeMap;
use std::sync::Arc;

/// The people a step changed, each with the activity that changed them last.
pub(crate) type ChangedPeople = BTreeMap<String, String>;

pub(crate) async fn provision(
    txn: &DatabaseTransaction,
    resources: &[Arc<Resource>],
    changed: &ChangedPeople,
    instance: &Instance,
    now: DateTime<Utc>,
) -> Result<(), WorkflowError> {
    if resources.is_empty() {
        return Ok(());
    }
    for (username, activity) in changed {
        let Some(holder) = holder(txn, username).await? else {
            continue;
        };
        let mut cached: BTreeMap<String, cache::Model> = cache::Entity::find()
            .filter(cache::Column::Account.eq(username))
            .all(txn)
            .await?
            .into_iter()
            .map(|row| (row.resource.clone(), row))
            .collect();
        for resource in resources {
            let row = cached.remove(resource.key.as_str());
            let before = match &row {
                Some(row) if row.present => {
                    match serde_json::from_str::<Attributes>(&row.attributes) {
                        Ok(attributes) => Some(attributes),
                        Err(error) => {
                            // Unreadable: the account is asked for whole again (an `add`)
                            // rather than blocking this person's every step.
                            tracing::error!(resource = %row.resource, account = %row.account, %error, "unreadable attribute cache row");
                            None
                        }
                    }
                }
                _ => None,
            };
            let desired = resource.desired(&holder);
            let Some(operation) = plan(before.as_ref(), desired.as_ref()) else {
                continue;
            };
            let sequence = row.as_ref().map_or(0, |row| row.last_sequence) + 1;
            let message = ProvisioningMessage::new(
                resource,
                &operation,
                username,
                sequence,
                cause(instance, activity),
                now,
            );
            write_operation(txn, &message, &instance.id, now).await?;
            remember(txn, row, resource, username, desired, sequence, now).await?;
        }
    }
    Ok(())
}

impl ProvisioningMessage {
    fn new(
        resource: &Resource,
        operation: &Operation,
        account: &str,
        sequence: i64,
        cause: Cause,
        now: DateTime<Utc>,
    ) -> Self {
        let (attributes, changes) = Self::body(operation);
        Self {
            message_id: uuid::Uuid::new_v4().to_string(),
            resource: resource.key.to_string(),
            operation: operation.name().to_owned(),
            object_class: resource.object_class.clone(),
            object_key: account.to_owned(),
            sequence,
            attributes,
            changes,
            cause,
            time: now.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        }
    }
}

/// The person as the directory has them now, with everything they hold.
async fn holder(
    txn: &DatabaseTransaction,
    username: &str,
) -> Result<Option<AccountHolder>, WorkflowError> {
    let Some(person) = user::Entity::find()
        .filter(user::Column::Username.eq(username))
        .one(txn)
        .await?
    else {
        return Ok(None);
    };
    let holdings = assignment::Entity::find()
        .filter(assignment::Column::Username.eq(username))
        .all(txn)
        .await?
        .into_iter()
        .filter_map(|held| {
            Some(Holding {
                kind: ItemKind::parse(&held.kind)?,
                name: held.name,
            })
        })
        .collect();
    Ok(Some(AccountHolder {
        username: person.username,
        display_name: person.display_name,
        email: person.email,
        title: person.title,
        enabled: !person.disabled,
        holdings,
    }))
}

fn cause(instance: &Instance, activity: &str) -> Cause {
    let mut approved_by: Vec<String> = Vec::new();
    let approvals = instance
        .runs
        .iter()
        .filter_map(|run| run.approval.as_ref())
        .flat_map(|approval| &approval.decisions)
        .filter(|decision| decision.verdict == Verdict::Approve && !decision.by_timeout);
    for decision in approvals {
        let name = decision.user.to_string();
        if !approved_by.contains(&name) {
            approved_by.push(name);
        }
    }
    Cause {
        workflow_id: instance.id.clone(),
        activity_name: activity.to_owned(),
        initiator: instance.initiator.to_string(),
        approved_by,
    }
}

async fn write_operation(
    txn: &DatabaseTransaction,
    message: &ProvisioningMessage,
    instance_id: &str,
    now: DateTime<Utc>,
) -> Result<(), WorkflowError> {
    let text = serde_json::to_string(message).map_err(|e| WorkflowError::Corrupt(e.to_string()))?;
    operation::Entity::insert(outbox::waiting_row(
        message,
        text,
        Some(instance_id.to_owned()),
        now,
    ))
    .exec_without_returning(txn)
    .await
    .map_err(conflict_or_database)?;
    Ok(())
}

/// The cache holds what was just asked. Another writer that took the same sequence
/// first makes this step a conflict (retried or refused as a whole), never a gap.
async fn remember(
    txn: &DatabaseTransaction,
    row: Option<cache::Model>,
    resource: &Resource,
    username: &str,
    desired: Option<Attributes>,
    sequence: i64,
    now: DateTime<Utc>,
) -> Result<(), WorkflowError> {
    let present = desired.is_some();
    let attributes = serde_json::to_string(&desired.unwrap_or_default())
        .map_err(|e| WorkflowError::Corrupt(e.to_string()))?;
    match row {
        Some(row) => {
            let updated = cache::Entity::update_many()
                .col_expr(cache::Column::Present, Expr::value(present))
                .col_expr(cache::Column::Attributes, Expr::value(attributes))
                .col_expr(cache::Column::LastSequence, Expr::value(sequence))
                .col_expr(cache::Column::UpdatedAt, Expr::value(now))
                .filter(cache::Column::Id.eq(row.id))
                .filter(cache::Column::LastSequence.eq(row.last_sequence))
                .exec(txn)
                .await?;
            if updated.rows_affected != 1 {
                return Err(WorkflowError::Conflict);
            }
        }
        None => {
            cache::Entity::insert(cache::ActiveModel {
                resource: Set(resource.key.to_string()),
                account: Set(username.to_owned()),
                present: Set(present),
                attributes: Set(attributes),
                last_sequence: Set(sequence),
                updated_at: Set(now),
                ..Default::default()
            })
            .exec_without_returning(txn)
            .await
            .map_err(conflict_or_database)?;
        }
    }
    Ok(())
}

fn conflict_or_database(error: sea_orm::DbErr) -> WorkflowError {
    match error.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => WorkflowError::Conflict,
        _ => WorkflowError::Database(error),
    }
}
