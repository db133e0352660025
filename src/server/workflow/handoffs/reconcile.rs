//! Reconciliation: hand-offs whose callback is late are asked for, and those past their
//! time limit end; and what the admin page and the history read of hand-offs.

use super::{Settled, CLOSED, STARTING, WAITING};
use crate::server::entities::handoff;
use crate::server::integrations::engines::{Engine, RunState};
use crate::server::workflow::{WorkflowError, Workflows};
use assent_engine::ActivityState;
use chrono::{DateTime, Duration, Utc};
use sea_orm::prelude::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::BTreeMap;

/// Hand-offs looked at in one round, those asked longest ago first.
const ROUND: u64 = 500;

impl Workflows {
    /// Asks the engines about hand-offs that waited `reconcile_after` without a callback,
    /// and ends those past their time limit. Returns how many were settled.
    pub async fn reconcile_handoffs(&self) -> Result<usize, WorkflowError> {
        let now = self.clock.now();
        let open = handoff::Entity::find()
            .filter(handoff::Column::State.eq(WAITING))
            .order_by_asc(handoff::Column::LastCheckedAt)
            .order_by_asc(handoff::Column::CreatedAt)
            .limit(ROUND)
            .all(&self.db)
            .await?;
        let mut settled = 0;
        for row in open {
            let engine = self.engines.get(&row.engine);
            let overdue = row.deadline.is_some_and(|deadline| deadline <= now);
            if !overdue {
                let Some(engine) = engine.as_deref() else {
                    continue;
                };
                let since = row
                    .last_checked_at
                    .or(row.started_at)
                    .unwrap_or(row.created_at);
                let due =
                    Duration::from_std(engine.reconcile_after).unwrap_or(Duration::minutes(1));
                if now - since < due {
                    continue;
                }
            }
            // A workflow that went on without its hand-off (aborted, restarted) closes it,
            // so it is no longer counted as waiting.
            let still_waits = match self.instance(&row.instance_id).await {
                Ok(instance) => instance
                    .run(row.run_seq as u32)
                    .is_some_and(|r| r.state == ActivityState::Running),
                Err(WorkflowError::WorkflowNotFound) => false,
                Err(_) => true,
            };
            if !still_waits {
                self.close_handoff(&row.id, CLOSED, "the workflow went on without it")
                    .await?;
                continue;
            }
            // The engine is asked first, past the time limit too: a run that ended just
            // in time, whose callback was lost, keeps its real outcome.
            let state = match (engine.as_deref(), &row.external_ref) {
                (Some(engine), Some(reference)) => {
                    let state = engine.state(reference).await;
                    self.mark_checked(&row.id, now).await?;
                    state
                }
                _ => None,
            };
            let end = match state {
                Some(Ok(RunState::Going)) | None => None,
                Some(Ok(end)) => Some(end),
                Some(Err(error)) => {
                    tracing::warn!(handoff = %row.id, engine = %row.engine, %error, "cannot read an external run's state");
                    None
                }
            };
            let (end, by) = match end {
                Some(end) => (end, "reconciliation"),
                None if overdue => (over_time(&row, now), "time limit"),
                None => continue,
            };
            let timed_out = by == "time limit";
            if matches!(self.settle(&row, end, by).await, Ok(Settled::Applied)) {
                settled += 1;
                if timed_out {
                    cancel(engine.as_deref(), &row).await;
                }
            }
        }
        Ok(settled)
    }

    async fn mark_checked(&self, id: &str, now: DateTime<Utc>) -> Result<(), WorkflowError> {
        let _turn = self.write_turn().await;
        handoff::Entity::update_many()
            .col_expr(handoff::Column::LastCheckedAt, Expr::value(now))
            .filter(handoff::Column::Id.eq(id))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// Hand-offs not yet answered (starting or waiting), by engine.
    pub async fn open_handoffs(&self) -> Result<BTreeMap<String, u64>, WorkflowError> {
        let rows: Vec<(String, i64)> = handoff::Entity::find()
            .select_only()
            .column(handoff::Column::Engine)
            .column_as(handoff::Column::Id.count(), "open")
            .filter(handoff::Column::State.is_in([STARTING, WAITING]))
            .group_by(handoff::Column::Engine)
            .into_tuple()
            .all(&self.db)
            .await?;
        Ok(rows
            .into_iter()
            .map(|(engine, open)| (engine, open.max(0) as u64))
            .collect())
    }

    /// The hand-offs of workflow `instance_id`, oldest first, for its history.
    pub async fn handoffs_of(
        &self,
        instance_id: &str,
    ) -> Result<Vec<handoff::Model>, WorkflowError> {
        Ok(handoff::Entity::find()
            .filter(handoff::Column::InstanceId.eq(instance_id))
            .order_by_asc(handoff::Column::RunSeq)
            .all(&self.db)
            .await?)
    }
}

/// The failure a hand-off past its time limit ends with.
fn over_time(row: &handoff::Model, now: DateTime<Utc>) -> RunState {
    let limit = row.deadline.unwrap_or(now) - row.created_at;
    RunState::Failed(format!(
        "no answer within the time limit of {} s",
        limit.num_seconds()
    ))
}

/// The outside run of a hand-off that ran over time is cancelled: nobody waits for it.
async fn cancel(engine: Option<&Engine>, row: &handoff::Model) {
    if let (Some(engine), Some(reference)) = (engine, &row.external_ref) {
        if let Err(error) = engine.cancel(reference).await {
            tracing::warn!(handoff = %row.id, %error, "cannot cancel an overdue external run");
        }
    }
}
