//! The dashboard's figures of what needs an administrator. Each is one count on an
//! indexed column (`waits_in_error`, `state`, `definition_id`, a work item's `due_at`, a
//! job's `done_at`), so that the page stays quick however many workflows ended long ago.

use crate::model::instances::{ApproverLoad, Attention, DayCount, DUE_SOON_HOURS, TREND_DAYS};
use crate::server::entities::{
    change_source, job, provisioning_operation, work_item, workflow_instance as row,
};
use crate::server::provisioning::OperationState;
use crate::server::rights::{Granted, ReadAllWorkflows};
use crate::server::workflow::{WorkflowError, Workflows};
use assent_engine::WorkflowState;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Alias, Expr, Query, SimpleExpr};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QuerySelect,
};

/// Approvers the dashboard lists at most.
const APPROVERS_SHOWN: usize = 20;

/// The figures, as of `now`.
pub async fn attention(
    _may: Granted<ReadAllWorkflows>,
    workflows: &Workflows,
    now: DateTime<Utc>,
) -> Result<Attention, WorkflowError> {
    let db = &workflows.db;
    let by_definition_and_state: Vec<(i32, String, i64)> = row::Entity::find()
        .select_only()
        .column(row::Column::DefinitionId)
        .column(row::Column::State)
        .column_as(row::Column::Id.count(), "count")
        .group_by(row::Column::DefinitionId)
        .group_by(row::Column::State)
        .into_tuple()
        .all(db)
        .await?;
    let count_of = |n: i64| u64::try_from(n).unwrap_or(0);
    let by_state: Vec<(String, u64)> = WorkflowState::ALL
        .into_iter()
        .filter(|state| *state != WorkflowState::Initial)
        .map(|state| {
            let count = by_definition_and_state
                .iter()
                .filter(|(_, s, _)| s == state.as_str())
                .map(|(_, _, n)| count_of(*n))
                .sum();
            (state.as_str().to_owned(), count)
        })
        .collect();
    let mut running: std::collections::BTreeMap<String, u64> = Default::default();
    for (definition_id, state, count) in &by_definition_and_state {
        if state == WorkflowState::Running.as_str() {
            let path = workflows.definition(*definition_id).await?.path.clone();
            *running.entry(path).or_default() += count_of(*count);
        }
    }
    let mut running_by_definition: Vec<(String, u64)> = running.into_iter().collect();
    running_by_definition.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let state_count = |state: WorkflowState| {
        by_state
            .iter()
            .find(|(s, _)| s == state.as_str())
            .map_or(0, |(_, n)| *n)
    };
    let waiting_in_error = row::Entity::find()
        .filter(row::Column::WaitsInError.eq(true))
        .count(db)
        .await?;
    let overdue_workflows = row::Entity::find()
        .filter(
            row::Column::Id.in_subquery(
                Query::select()
                    .column(work_item::Column::InstanceId)
                    .from(work_item::Entity)
                    .and_where(work_item::Column::DueAt.lt(now))
                    .to_owned(),
            ),
        )
        .count(db)
        .await?;
    let failing_jobs = job::Entity::find()
        .filter(job::Column::DoneAt.is_null())
        .filter(job::Column::LastError.is_not_null())
        .count(db)
        .await?;
    let parked_messages = provisioning_operation::Entity::find()
        .filter(provisioning_operation::Column::State.eq(OperationState::Parked.as_str()))
        .count(db)
        .await?;
    let stopped_sources = change_source::Entity::find()
        .filter(change_source::Column::StoppedAt.is_not_null())
        .count(db)
        .await?;
    let engines_down = crate::server::health::engines_of(workflows)
        .await
        .into_iter()
        .filter(|engine| engine.up == Some(false))
        .count() as u64;
    let approvers = approvers(db, now).await?;
    let days = days(db, now).await?;
    Ok(Attention {
        approvers,
        days,
        waiting_in_error,
        failed: state_count(WorkflowState::Failed),
        suspended: state_count(WorkflowState::Suspended),
        overdue_workflows,
        failing_jobs,
        parked_messages,
        stopped_sources,
        engines_down,
        by_state,
        running_by_definition,
    })
}

/// 1 where `condition` holds, else 0: summed, a count of the rows it holds for.
fn one_if(condition: SimpleExpr) -> SimpleExpr {
    Expr::case(condition, 1).finally(0).into()
}

/// Approvers with open work items overdue or due soon: one grouped pass over the items
/// due before the horizon (an index range on `due_at`).
async fn approvers(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
) -> Result<Vec<ApproverLoad>, DbErr> {
    let soon = now + chrono::Duration::hours(DUE_SOON_HOURS);
    let grouped: Vec<(String, Option<i64>, Option<i64>)> = work_item::Entity::find()
        .select_only()
        .column(work_item::Column::Username)
        .column_as(
            Expr::expr(one_if(work_item::Column::DueAt.lt(now))).sum(),
            "overdue",
        )
        .column_as(
            Expr::expr(one_if(work_item::Column::DueAt.gte(now))).sum(),
            "due_soon",
        )
        .filter(work_item::Column::DueAt.lt(soon))
        .group_by(work_item::Column::Username)
        .into_tuple()
        .all(db)
        .await?;
    let count = |n: Option<i64>| u64::try_from(n.unwrap_or(0)).unwrap_or(0);
    let mut loads: Vec<ApproverLoad> = grouped
        .into_iter()
        .map(|(username, overdue, due_soon)| ApproverLoad {
            username,
            overdue: count(overdue),
            due_soon: count(due_soon),
        })
        .collect();
    loads.sort_by(|a, b| {
        (b.overdue, b.due_soon, &a.username).cmp(&(a.overdue, a.due_soon, &b.username))
    });
    loads.truncate(APPROVERS_SHOWN);
    Ok(loads)
}

/// New requests and decisions per day over the last [`TREND_DAYS`] days: one pass over
/// each index range (`created_at`; `action, occurred_at`), a sum per day.
async fn days(db: &DatabaseConnection, now: DateTime<Utc>) -> Result<Vec<DayCount>, DbErr> {
    let today = now.date_naive();
    let first = today - chrono::Duration::days(TREND_DAYS as i64 - 1);
    let starts: Vec<DateTime<Utc>> = (0..=TREND_DAYS as i64)
        .map(|offset| {
            (first + chrono::Duration::days(offset))
                .and_hms_opt(0, 0, 0)
                .expect("midnight exists")
                .and_utc()
        })
        .collect();
    let per_day = |table: &str, time: &str, only: Option<(&str, &str)>| {
        let mut query = Query::select();
        query.from(Alias::new(table));
        for (day, window) in starts.windows(2).enumerate() {
            let column = || Expr::col(Alias::new(time));
            let inside = column().gte(window[0]).and(column().lt(window[1]));
            query.expr_as(
                Expr::expr(one_if(inside)).sum(),
                Alias::new(format!("d{day}")),
            );
        }
        query.and_where(Expr::col(Alias::new(time)).gte(starts[0]));
        if let Some((column, value)) = only {
            query.and_where(Expr::col(Alias::new(column)).eq(value));
        }
        query.to_owned()
    };
    let requests = sums(db, per_day("workflow_instances", "created_at", None)).await?;
    let decisions = sums(
        db,
        per_day(
            "audit_events",
            "occurred_at",
            Some(("action", "workflow.decided")),
        ),
    )
    .await?;
    Ok((0..TREND_DAYS)
        .map(|day| DayCount {
            day: (first + chrono::Duration::days(day as i64))
                .format("%Y-%m-%d")
                .to_string(),
            requests: requests[day],
            decisions: decisions[day],
        })
        .collect())
}

/// The `d0`, `d1`, ... sums of a one-row query (no rows summed: 0).
async fn sums(
    db: &DatabaseConnection,
    query: sea_orm::sea_query::SelectStatement,
) -> Result<Vec<u64>, DbErr> {
    let statement = db.get_database_backend().build(&query);
    let row = db.query_one(statement).await?;
    Ok((0..TREND_DAYS)
        .map(|day| {
            row.as_ref()
                .and_then(|row| row.try_get::<Option<i64>>("", &format!("d{day}")).ok())
                .flatten()
                .and_then(|n| u64::try_from(n).ok())
                .unwrap_or(0)
        })
        .collect())
}
