//! The operations table as the outbox: what the relay takes next, what it marks after
//! the broker answered, what the target systems' results change, and what
//! administrators retry or drop.

use super::message::{ProvisioningMessage, ProvisioningResult, ResultStatus};
use super::OperationState;
use crate::server::accounts::{insert_audit, AuditEntry};
use crate::server::entities::{provisioning_account as cache, provisioning_operation as row};
use crate::server::rights::{Granted, ManageProvisioning};
use crate::server::workflow::placeholders;
use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::ActiveValue::Set;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Statement, TransactionTrait,
};

/// How often and how patiently a message the broker refuses is offered again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retries {
    /// Refusals after which the message is parked for an administrator.
    pub max_attempts: u32,
    /// The wait after the first refusal; it doubles with each further one.
    pub first_wait: std::time::Duration,
}

impl Default for Retries {
    fn default() -> Self {
        Self {
            max_attempts: 8,
            first_wait: std::time::Duration::from_secs(1),
        }
    }
}

impl Retries {
    /// The wait after `attempts` refusals, at most five minutes.
    pub fn backoff(&self, attempts: i32) -> Duration {
        let doublings = attempts.clamp(1, 20) - 1;
        let wait = self.first_wait.saturating_mul(1 << doublings);
        Duration::from_std(wait.min(std::time::Duration::from_secs(300)))
            .unwrap_or(Duration::seconds(300))
    }

    fn parks(&self, attempts: i32) -> bool {
        attempts >= i32::try_from(self.max_attempts).unwrap_or(i32::MAX)
    }
}

/// The next messages to publish, oldest first: of each account only its earliest unsent
/// one, once due. So per account they go in sequence order: a refused one is offered
/// again before anything after it, and a parked one holds its account back (held-back
/// accounts never crowd out the others).
pub async fn next_batch(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<row::Model>, DbErr> {
    let backend = db.get_database_backend();
    let sql = placeholders(
        backend,
        "SELECT o.* FROM provisioning_operations o \
         WHERE o.state = ? AND o.next_attempt_at <= ? \
         AND NOT EXISTS (SELECT 1 FROM provisioning_operations e \
           WHERE e.resource = o.resource AND e.account = o.account AND e.sequence < o.sequence \
           AND e.state IN (?, ?)) \
         ORDER BY o.id LIMIT ?",
    );
    let pending = OperationState::Pending.as_str();
    let values: [sea_orm::Value; 5] = [
        pending.into(),
        now.into(),
        OperationState::Parked.as_str().into(),
        pending.into(),
        (limit as i64).into(),
    ];
    row::Entity::find()
        .from_raw_sql(Statement::from_sql_and_values(backend, sql, values))
        .all(db)
        .await
}

/// What the broker said of one published message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Publication {
    Confirmed,
    /// Negatively acknowledged, returned as unroutable or not confirmed; the text says
    /// which.
    Refused(String),
}

/// Records one round of publishing in one transaction.
pub async fn record(
    db: &DatabaseConnection,
    outcomes: &[(row::Model, Publication)],
    retries: Retries,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let txn = db.begin().await?;
    let confirmed: Vec<i32> = outcomes
        .iter()
        .filter(|(_, outcome)| *outcome == Publication::Confirmed)
        .map(|(operation, _)| operation.id)
        .collect();
    for ids in confirmed.chunks(500) {
        // A fast target system may have answered already: its answer stands.
        row::Entity::update_many()
            .col_expr(
                row::Column::State,
                Expr::value(OperationState::Sent.as_str()),
            )
            .col_expr(row::Column::SentAt, Expr::value(now))
            .col_expr(row::Column::LastError, Expr::value(Option::<String>::None))
            .filter(row::Column::Id.is_in(ids.iter().copied()))
            .filter(row::Column::State.eq(OperationState::Pending.as_str()))
            .exec(&txn)
            .await?;
    }
    for (operation, outcome) in outcomes {
        let Publication::Refused(reason) = outcome else {
            continue;
        };
        let attempts = operation.attempts + 1;
        let state = if retries.parks(attempts) {
            OperationState::Parked
        } else {
            OperationState::Pending
        };
        row::Entity::update_many()
            .col_expr(row::Column::State, Expr::value(state.as_str()))
            .col_expr(row::Column::Attempts, Expr::value(attempts))
            .col_expr(
                row::Column::NextAttemptAt,
                Expr::value(now + retries.backoff(attempts)),
            )
            .col_expr(row::Column::LastError, Expr::value(reason.clone()))
            .filter(row::Column::Id.eq(operation.id))
            .filter(row::Column::State.eq(OperationState::Pending.as_str()))
            .exec(&txn)
            .await?;
        if state == OperationState::Parked {
            tracing::warn!(message_id = %operation.message_id, resource = %operation.resource, %reason, "provisioning message parked");
        }
    }
    txn.commit().await
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answered {
    Recorded,
    /// No such message, or one given up already: nothing changed.
    Unknown,
}

/// A target system's answer marks its operation confirmed or failed.
pub async fn answer(
    db: &DatabaseConnection,
    result: &ProvisioningResult,
    now: DateTime<Utc>,
) -> Result<Answered, DbErr> {
    let state = match result.status {
        ResultStatus::Done => OperationState::Confirmed,
        ResultStatus::Failed => OperationState::Failed,
    };
    let error = match result.status {
        ResultStatus::Done => None,
        ResultStatus::Failed => Some(
            result
                .error
                .clone()
                .unwrap_or_else(|| "the target system gave no reason".to_owned()),
        ),
    };
    let updated = row::Entity::update_many()
        .col_expr(row::Column::State, Expr::value(state.as_str()))
        .col_expr(row::Column::AnsweredAt, Expr::value(now))
        .col_expr(row::Column::LastError, Expr::value(error))
        .filter(row::Column::MessageId.eq(&result.message_id))
        // The first answer stands: a late or repeated one changes nothing.
        .filter(row::Column::State.is_in([
            OperationState::Pending.as_str(),
            OperationState::Sent.as_str(),
            OperationState::Parked.as_str(),
        ]))
        .exec(db)
        .await?;
    Ok(if updated.rows_affected == 0 {
        Answered::Unknown
    } else {
        Answered::Recorded
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParkedAction {
    /// Offer it to the broker again, from a fresh count of tries.
    Retry,
    /// Give it up; later messages of its account go on.
    Drop,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParkedError {
    #[error("no such message")]
    NotFound,
    #[error("only a parked message can be retried or dropped; this one is {0}")]
    NotParked(String),
    #[error("database error")]
    Database(String),
}

impl From<DbErr> for ParkedError {
    fn from(error: DbErr) -> Self {
        ParkedError::Database(error.to_string())
    }
}

/// An administrator's retry or drop of a parked message, audited in the same
/// transaction.
pub async fn resolve_parked(
    _may: Granted<ManageProvisioning>,
    db: &DatabaseConnection,
    id: i32,
    action: ParkedAction,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<row::Model, ParkedError> {
    let txn = db.begin().await?;
    let operation = row::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(ParkedError::NotFound)?;
    if operation.state != OperationState::Parked.as_str() {
        return Err(ParkedError::NotParked(operation.state));
    }
    let (state, audit_action) = match action {
        ParkedAction::Retry => (OperationState::Pending, "provisioning.retried"),
        ParkedAction::Drop => (OperationState::Dropped, "provisioning.dropped"),
    };
    let updated = row::Entity::update_many()
        .col_expr(row::Column::State, Expr::value(state.as_str()))
        .col_expr(row::Column::Attempts, Expr::value(0))
        .col_expr(row::Column::NextAttemptAt, Expr::value(now))
        .filter(row::Column::Id.eq(id))
        .filter(row::Column::State.eq(OperationState::Parked.as_str()))
        .exec(&txn)
        .await?;
    if updated.rows_affected != 1 {
        return Err(ParkedError::NotParked("changed meanwhile".to_owned()));
    }
    insert_audit(
        &txn,
        AuditEntry {
            actor: Some(actor.to_owned()),
            action: audit_action,
            detail: format!(
                "message {} ({} of {} on {}, sequence {}; last error: {})",
                operation.message_id,
                operation.operation,
                operation.account,
                operation.resource,
                operation.sequence,
                operation.last_error.as_deref().unwrap_or("none")
            ),
            request_id: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(operation)
}

/// Every operation a workflow caused, in order.
pub async fn of_workflow(
    db: &DatabaseConnection,
    instance_id: &str,
) -> Result<Vec<row::Model>, DbErr> {
    row::Entity::find()
        .filter(row::Column::InstanceId.eq(instance_id))
        .order_by_asc(row::Column::Id)
        .all(db)
        .await
}

/// The attribute cache of one person's accounts, each with its newest operation.
pub async fn accounts_of(
    db: &DatabaseConnection,
    username: &str,
) -> Result<Vec<(cache::Model, Option<row::Model>)>, DbErr> {
    let accounts = cache::Entity::find()
        .filter(cache::Column::Account.eq(username))
        .order_by_asc(cache::Column::Resource)
        .all(db)
        .await?;
    let mut result = Vec::with_capacity(accounts.len());
    for account in accounts {
        let newest = row::Entity::find()
            .filter(row::Column::Resource.eq(&account.resource))
            .filter(row::Column::Account.eq(&account.account))
            .order_by_desc(row::Column::Sequence)
            .one(db)
            .await?;
        result.push((account, newest));
    }
    Ok(result)
}

/// Messages that wait (pending) or need an administrator (parked), oldest first.
pub async fn waiting(
    _may: Granted<ManageProvisioning>,
    db: &DatabaseConnection,
    limit: u64,
) -> Result<Vec<row::Model>, DbErr> {
    row::Entity::find()
        .filter(row::Column::State.is_in([
            OperationState::Pending.as_str(),
            OperationState::Parked.as_str(),
        ]))
        .order_by_asc(row::Column::Id)
        .limit(limit)
        .all(db)
        .await
}

/// How many operations are in each state (every state listed, none missing), in one
/// grouped query over the state index.
pub async fn counts(db: &DatabaseConnection) -> Result<Vec<(OperationState, u64)>, DbErr> {
    let grouped: Vec<(String, i64)> = row::Entity::find()
        .select_only()
        .column(row::Column::State)
        .column_as(row::Column::Id.count(), "count")
        .group_by(row::Column::State)
        .into_tuple()
        .all(db)
        .await?;
    Ok(OperationState::ALL
        .into_iter()
        .map(|state| {
            let count = grouped
                .iter()
                .find(|(word, _)| word == state.as_str())
                .map_or(0, |(_, count)| u64::try_from(*count).unwrap_or(0));
            (state, count)
        })
        .collect())
}

/// A new outbox row for `message` (its JSON `text`), waiting for the relay.
pub fn waiting_row(
    message: &ProvisioningMessage,
    text: String,
    instance_id: Option<String>,
    now: DateTime<Utc>,
) -> row::ActiveModel {
    row::ActiveModel {
        message_id: Set(message.message_id.clone()),
        resource: Set(message.resource.clone()),
        account: Set(message.object_key.clone()),
        sequence: Set(message.sequence),
        operation: Set(message.operation.clone()),
        message: Set(text),
        instance_id: Set(instance_id),
        state: Set(OperationState::Pending.as_str().to_owned()),
        attempts: Set(0),
        next_attempt_at: Set(now),
        last_error: Set(None),
        created_at: Set(now),
        sent_at: Set(None),
        answered_at: Set(None),
        ..Default::default()
    }
}
