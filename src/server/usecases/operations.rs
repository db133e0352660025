//! The figures an operations team graphs and alerts on, as the database knows them now:
//! open workflows by state, jobs due and how late the oldest is, and the provisioning
//! outbox. Each is a count over an index range that grows with open work only (see
//! `instances::attention`). Read for `/metrics`, whose caller is checked there.

use crate::server::entities::{job, provisioning_operation, workflow_instance as row};
use crate::server::provisioning::OperationState;
use assent_engine::WorkflowState;
use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, DatabaseConnection, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect,
};

pub struct OperationsFigures {
    /// Running, suspended and failed workflows (the open ones and those left failed).
    pub workflows_by_state: Vec<(&'static str, u64)>,
    pub waiting_in_error: u64,
    /// Jobs (timers, mail, REST calls, hand-offs) due and not done.
    pub jobs_due: u64,
    /// How long the oldest of them has been due, in seconds; 0 when none is.
    pub job_lag_seconds: f64,
    /// Provisioning messages waiting for the relay, and those parked for an administrator.
    pub outbox_pending: u64,
    pub outbox_parked: u64,
}

pub async fn figures(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
) -> Result<OperationsFigures, DbErr> {
    let mut workflows_by_state = Vec::new();
    for state in [
        WorkflowState::Running,
        WorkflowState::Suspended,
        WorkflowState::Failed,
    ] {
        workflows_by_state.push((state.as_str(), workflows_in(db, state).await?));
    }
    // Both from the (done_at, due_at) index: the undone jobs' range, due ones first.
    let due = || {
        job::Entity::find()
            .filter(job::Column::DoneAt.is_null())
            .filter(job::Column::DueAt.lte(now))
    };
    let jobs_due = due().count(db).await?;
    let oldest: Option<Option<DateTime<Utc>>> = due()
        .select_only()
        .column_as(job::Column::DueAt.min(), "oldest")
        .into_tuple()
        .one(db)
        .await?;
    let job_lag_seconds = oldest.flatten().map_or(0.0, |due_at| {
        (now - due_at).num_milliseconds().max(0) as f64 / 1000.0
    });
    Ok(OperationsFigures {
        workflows_by_state,
        waiting_in_error: waiting_in_error(db).await?,
        jobs_due,
        job_lag_seconds,
        outbox_pending: messages_in(db, OperationState::Pending).await?,
        outbox_parked: messages_in(db, OperationState::Parked).await?,
    })
}

/// Workflows in `state` (the state index).
pub(crate) async fn workflows_in(
    db: &DatabaseConnection,
    state: WorkflowState,
) -> Result<u64, DbErr> {
    row::Entity::find()
        .filter(row::Column::State.eq(state.as_str()))
        .count(db)
        .await
}

/// Running workflows with a step waiting in error (the attention index).
pub(crate) async fn waiting_in_error(db: &DatabaseConnection) -> Result<u64, DbErr> {
    row::Entity::find()
        .filter(row::Column::WaitsInError.eq(true))
        .count(db)
        .await
}

/// Provisioning messages in `state` (the state index).
pub(crate) async fn messages_in(
    db: &DatabaseConnection,
    state: OperationState,
) -> Result<u64, DbErr> {
    provisioning_operation::Entity::find()
        .filter(provisioning_operation::Column::State.eq(state.as_str()))
        .count(db)
        .await
}
