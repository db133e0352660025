//! The dashboard's figures of what needs an administrator. Each is a count over an index
//! range that grows with open work, not with history: open workflows by state (and the
//! running ones by definition), failed ones, those that ended in the last days, overdue
//! work items, failing jobs; the chart's days are one index range count each. So the
//! page costs the same at a thousand workflows as at millions that ended long ago.

use crate::model::instances::{
    ApproverLoad, Attention, DayCount, StepTimes, DUE_SOON_HOURS, TREND_DAYS,
};
use crate::server::entities::{
    audit_event, change_source, decision_time, job, work_item, workflow_instance as row,
};
use crate::server::provisioning::OperationState;
use crate::server::rights::{Granted, ReadAllWorkflows};
use crate::server::usecases::operations::{messages_in, waiting_in_error, workflows_in};
use crate::server::workflow::{WorkflowError, Workflows};
use assent_engine::WorkflowState;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, SimpleExpr};
use sea_orm::{
    ColumnTrait, DatabaseConnection, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect,
};

/// Approvers the dashboard lists at most.
const APPROVERS_SHOWN: usize = 20;

/// The figures, as of `now`, with step titles in `lang`.
pub async fn attention(
    _may: Granted<ReadAllWorkflows>,
    workflows: &Workflows,
    now: DateTime<Utc>,
    lang: &str,
) -> Result<Attention, WorkflowError> {
    let db = &workflows.db;
    // The larger passes run side by side, each on a connection of its own.
    let (running_by_definition, overdue, approvers, days, decision_times) = tokio::try_join!(
        running_by_definition(workflows),
        overdue_workflows(db, now),
        async { Ok::<_, WorkflowError>(approvers(db, now).await?) },
        async { Ok::<_, WorkflowError>(days(db, now).await?) },
        decision_times(workflows, now, lang),
    )?;
    let window_start = now - chrono::Duration::days(TREND_DAYS as i64);
    // The running ones are counted once, by definition.
    let running = running_by_definition.iter().map(|(_, n)| n).sum();
    let mut by_state = vec![(WorkflowState::Running.as_str().to_owned(), running)];
    for state in [WorkflowState::Suspended, WorkflowState::Failed] {
        by_state.push((state.as_str().to_owned(), workflows_in(db, state).await?));
    }
    // Ended well: only the recent ones (all of them are history, not work).
    for state in [WorkflowState::Succeeded, WorkflowState::Aborted] {
        let count = row::Entity::find()
            .filter(row::Column::State.eq(state.as_str()))
            .filter(row::Column::EndedAt.gte(window_start))
            .count(db)
            .await?;
        by_state.push((state.as_str().to_owned(), count));
    }
    let state_count = |state: WorkflowState| {
        by_state
            .iter()
            .find(|(s, _)| s == state.as_str())
            .map_or(0, |(_, n)| *n)
    };
    let (failed, suspended) = (
        state_count(WorkflowState::Failed),
        state_count(WorkflowState::Suspended),
    );
    let waiting_in_error = waiting_in_error(db).await?;
    let failing_jobs = job::Entity::find()
        .filter(job::Column::DoneAt.is_null())
        .filter(job::Column::LastError.is_not_null())
        .count(db)
        .await?;
    let parked_messages = messages_in(db, OperationState::Parked).await?;
    let stopped_sources = change_source::Entity::find()
        .filter(change_source::Column::StoppedAt.is_not_null())
        .count(db)
        .await?;
    let engines_down = crate::server::health::engines_of(workflows)
        .await
        .into_iter()
        .filter(|engine| engine.up == Some(false))
        .count() as u64;
    Ok(Attention {
        approvers,
        days,
        waiting_in_error,
        failed,
        suspended,
        overdue_workflows: overdue,
        failing_jobs,
        parked_messages,
        stopped_sources,
        engines_down,
        by_state,
        running_by_definition,
        decision_times,
    })
}

/// Decision time percentiles per definition path and step over the last [`TREND_DAYS`]
/// days: one grouped pass over those days' counts (a few hundred rows per step at most).
async fn decision_times(
    workflows: &Workflows,
    now: DateTime<Utc>,
    lang: &str,
) -> Result<Vec<StepTimes>, WorkflowError> {
    use crate::server::workflow::decision_times::percentile;
    let first_day = (now - chrono::Duration::days(TREND_DAYS as i64 - 1)).date_naive();
    let rows: Vec<(i32, String, i16, Option<i64>)> = decision_time::Entity::find()
        .select_only()
        .column(decision_time::Column::DefinitionId)
        .column(decision_time::Column::Activity)
        .column(decision_time::Column::Bucket)
        // PostgreSQL sums BIGINTs as NUMERIC; the sums fit a BIGINT.
        .column_as(
            decision_time::Column::Decisions
                .sum()
                .cast_as(sea_orm::sea_query::Alias::new("BIGINT")),
            "decisions",
        )
        .filter(decision_time::Column::Day.gte(first_day))
        .group_by(decision_time::Column::DefinitionId)
        .group_by(decision_time::Column::Activity)
        .group_by(decision_time::Column::Bucket)
        .into_tuple()
        .all(&workflows.db)
        .await?;
    // Versions of one definition count together; the newest version names the step.
    type Buckets = std::collections::BTreeMap<i16, u64>;
    let mut steps: std::collections::BTreeMap<(String, String), (i32, Buckets)> =
        Default::default();
    for (definition_id, activity, bucket, decisions) in rows {
        let path = workflows.definition(definition_id).await?.path.clone();
        let entry = steps.entry((path, activity)).or_default();
        entry.0 = entry.0.max(definition_id);
        *entry.1.entry(bucket).or_default() += u64::try_from(decisions.unwrap_or(0)).unwrap_or(0);
    }
    let mut times = Vec::with_capacity(steps.len());
    for ((path, activity), (newest, buckets)) in steps {
        let definition = workflows.definition(newest).await?;
        let seconds = |quantile| percentile(&buckets, quantile).unwrap_or(0.0).round() as u64;
        times.push(StepTimes {
            step: crate::server::usecases::reading::step_title(&definition, &activity, lang),
            definition: path,
            decisions: buckets.values().sum(),
            median: seconds(0.5),
            p90: seconds(0.9),
            p99: seconds(0.99),
        });
    }
    times.sort_by(|a, b| {
        (&a.definition, std::cmp::Reverse(a.decisions), &a.step).cmp(&(
            &b.definition,
            std::cmp::Reverse(b.decisions),
            &b.step,
        ))
    });
    Ok(times)
}

/// Running workflows by definition path, most first: one pass over the running part of
/// the (state, definition) index.
async fn running_by_definition(workflows: &Workflows) -> Result<Vec<(String, u64)>, WorkflowError> {
    let grouped: Vec<(i32, i64)> = row::Entity::find()
        .select_only()
        .column(row::Column::DefinitionId)
        // The definition, not the id: the count is answered from the index alone.
        .column_as(row::Column::DefinitionId.count(), "count")
        .filter(row::Column::State.eq(WorkflowState::Running.as_str()))
        .group_by(row::Column::DefinitionId)
        .into_tuple()
        .all(&workflows.db)
        .await?;
    let mut running: std::collections::BTreeMap<String, u64> = Default::default();
    for (definition_id, count) in grouped {
        let path = workflows.definition(definition_id).await?.path.clone();
        *running.entry(path).or_default() += u64::try_from(count).unwrap_or(0);
    }
    let mut running: Vec<(String, u64)> = running.into_iter().collect();
    running.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    Ok(running)
}

/// Workflows with a work item past its due time (the covering index on `due_at`).
async fn overdue_workflows(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
) -> Result<u64, WorkflowError> {
    let overdue: Option<i64> = work_item::Entity::find()
        .select_only()
        .column_as(
            Expr::col(work_item::Column::InstanceId).count_distinct(),
            "overdue",
        )
        .filter(work_item::Column::DueAt.lt(now))
        .into_tuple()
        .one(db)
        .await?;
    Ok(overdue.and_then(|n| u64::try_from(n).ok()).unwrap_or(0))
}

/// 1 where `condition` holds, else 0: summed, a count of the rows it holds for.
fn one_if(condition: SimpleExpr) -> SimpleExpr {
    Expr::case(condition, 1).finally(0).into()
}

/// Approvers with open work items overdue or due soon: one grouped pass over the items
/// due before the horizon (the covering index on `due_at, instance_id, username`).
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

/// New requests and decisions per day over the last [`TREND_DAYS`] days: a count over an
/// index range per day (`created_at`; `action, occurred_at`).
async fn days(db: &DatabaseConnection, now: DateTime<Utc>) -> Result<Vec<DayCount>, DbErr> {
    let today = now.date_naive();
    let first = today - chrono::Duration::days(TREND_DAYS as i64 - 1);
    let midnight = |offset: usize| {
        (first + chrono::Duration::days(offset as i64))
            .and_hms_opt(0, 0, 0)
            .expect("midnight exists")
            .and_utc()
    };
    let mut days = Vec::with_capacity(TREND_DAYS);
    for day in 0..TREND_DAYS {
        let (start, end) = (midnight(day), midnight(day + 1));
        let requests = row::Entity::find()
            .filter(row::Column::CreatedAt.gte(start))
            .filter(row::Column::CreatedAt.lt(end))
            .count(db)
            .await?;
        let decisions = audit_event::Entity::find()
            .filter(audit_event::Column::Action.eq("workflow.decided"))
            .filter(audit_event::Column::OccurredAt.gte(start))
            .filter(audit_event::Column::OccurredAt.lt(end))
            .count(db)
            .await?;
        days.push(DayCount {
            day: start.format("%Y-%m-%d").to_string(),
            requests,
            decisions,
        });
    }
    Ok(days)
}
