//! Hand-offs of `external` activities to outside workflow engines. The row is written in
//! the step that suspends the activity; the job runner starts the outside run (the key
//! is the workflow ID and the run, so a retry or a second node never starts a second
//! one); the run ends by callback or, when that is lost, by reconciliation, and either
//! settles the row in the same transaction as the workflow's step, so exactly once.

mod reconcile;
mod start;
mod values;

pub(crate) use values::{to_json, to_values};

use super::answers::{action, waits_for_resume, Answer, Answered};
use super::committer::EventCommand;
use super::jobs::key_digest;
use super::{WorkflowError, Workflows};
use crate::server::entities::handoff;
use crate::server::integrations::engines::RunState;
use crate::server::integrations::prefect::shorten;
use chrono::{DateTime, Duration, Utc};
use sea_orm::prelude::Expr;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};

/// A start is tried this often (backoff doubling up to 512 s: about half an hour) before
/// the activity waits in error: an engine being down for a while is ordinary.
pub const MAX_START_ATTEMPTS: i32 = 12;
/// Results larger than this fail the hand-off: they would land in flowdata.
pub const MAX_RESULT_BYTES: usize = 64 * 1024;

pub const STARTING: &str = "starting";
pub const WAITING: &str = "waiting";
pub const COMPLETED: &str = "completed";
pub const FAILED: &str = "failed";
pub const CLOSED: &str = "closed";

/// What the job that starts a hand-off carries.
pub(crate) struct NewHandoff {
    pub id: String,
    pub secret: String,
}

/// Writes the hand-off row of run `run` (inside the step's transaction).
pub(crate) async fn record(
    txn: &impl ConnectionTrait,
    instance_id: &str,
    run: u32,
    engine: &str,
    start: &str,
    time_limit_seconds: Option<u64>,
    now: DateTime<Utc>,
) -> Result<NewHandoff, DbErr> {
    let id = uuid::Uuid::new_v4().simple().to_string();
    let secret = format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    );
    // Definitions cap their spans; checked arithmetic all the same, since this runs in
    // the writer's transaction, where a panic would fail everyone's commit.
    let deadline = time_limit_seconds
        .and_then(|s| i64::try_from(s).ok())
        .and_then(Duration::try_seconds)
        .and_then(|limit| now.checked_add_signed(limit));
    handoff::Entity::insert(handoff::ActiveModel {
        id: Set(id.clone()),
        instance_id: Set(instance_id.to_owned()),
        run_seq: Set(run as i32),
        engine: Set(engine.to_owned()),
        start: Set(start.to_owned()),
        state: Set(STARTING.to_owned()),
        external_ref: Set(None),
        secret_hash: Set(key_digest(&secret)),
        deadline: Set(deadline),
        created_at: Set(now),
        started_at: Set(None),
        last_checked_at: Set(None),
        finished_at: Set(None),
        finished_by: Set(None),
        result: Set(None),
        error: Set(None),
    })
    .exec_without_returning(txn)
    .await?;
    Ok(NewHandoff { id, secret })
}

/// How a callback or a reconciliation left the hand-off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settled {
    /// This report moved the workflow on.
    Applied,
    /// It had been settled before with this secret: nothing changed.
    AlreadySettled,
    /// The workflow is suspended: the report is kept and applied once it resumes.
    Deferred,
}

/// Why a callback was refused.
#[derive(Debug, thiserror::Error)]
pub enum CallbackError {
    /// Unknown hand-off or wrong secret: the same answer for both.
    #[error("unknown hand-off or wrong secret")]
    Unauthorized,
    /// The workflow went on without this hand-off (resumed anew, aborted, over time).
    #[error("this hand-off is closed: its secret is spent")]
    Spent,
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Workflow(#[from] WorkflowError),
}

/// Settling a hand-off inside the step's transaction (see [`EventCommand::settling`]);
/// kept with an answer that waits (see `answers`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct Settlement {
    pub handoff: String,
    pub state: String,
    pub by: String,
    pub result: Option<String>,
    pub error: Option<String>,
}

/// Marks the hand-off settled if it still waits; false when someone settled it first.
pub(crate) async fn settle_row(
    txn: &impl ConnectionTrait,
    settlement: &Settlement,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let updated = handoff::Entity::update_many()
        .col_expr(
            handoff::Column::State,
            Expr::value(settlement.state.clone()),
        )
        .col_expr(handoff::Column::FinishedAt, Expr::value(now))
        .col_expr(
            handoff::Column::FinishedBy,
            Expr::value(settlement.by.clone()),
        )
        .col_expr(
            handoff::Column::Result,
            Expr::value(settlement.result.clone()),
        )
        .col_expr(
            handoff::Column::Error,
            Expr::value(settlement.error.clone()),
        )
        .filter(handoff::Column::Id.eq(&settlement.handoff))
        .filter(handoff::Column::State.is_in([STARTING, WAITING]))
        .exec(txn)
        .await?;
    Ok(updated.rows_affected == 1)
}

impl Workflows {
    pub(super) async fn close_handoff(
        &self,
        id: &str,
        state: &str,
        why: &str,
    ) -> Result<(), DbErr> {
        let _turn = self.write_turn().await;
        handoff::Entity::update_many()
            .col_expr(handoff::Column::State, Expr::value(state))
            .col_expr(handoff::Column::FinishedAt, Expr::value(self.clock.now()))
            .col_expr(handoff::Column::Error, Expr::value(why))
            .filter(handoff::Column::Id.eq(id))
            .filter(handoff::Column::State.is_in([STARTING, WAITING]))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// A callback for hand-off `id` with `secret`, reporting `state`.
    pub async fn handoff_callback(
        &self,
        id: &str,
        secret: &str,
        state: Result<RunState, String>,
    ) -> Result<Settled, CallbackError> {
        let row = handoff::Entity::find_by_id(id)
            .one(&self.db)
            .await
            .map_err(WorkflowError::from)?;
        let Some(row) = row.filter(|row| {
            // Digests of equal length compared whole: no early exit on the first difference.
            let given = key_digest(secret);
            given.len() == row.secret_hash.len()
                && given
                    .bytes()
                    .zip(row.secret_hash.bytes())
                    .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                    == 0
        }) else {
            return Err(CallbackError::Unauthorized);
        };
        match row.state.as_str() {
            COMPLETED | FAILED => return Ok(Settled::AlreadySettled),
            CLOSED => return Err(CallbackError::Spent),
            _ => {}
        }
        let state = state.map_err(CallbackError::Invalid)?;
        if state == RunState::Going {
            return Err(CallbackError::Invalid(
                "state: a callback reports COMPLETED, FAILED or CANCELLED".to_owned(),
            ));
        }
        self.settle(&row, state, "callback").await
    }

    /// Applies the outside run's end to the workflow and settles the row, in one
    /// transaction; a second settlement (callback and reconciliation racing, two nodes)
    /// finds the row settled and changes nothing. A suspended workflow gets the answer
    /// when it resumes: it is kept, not lost.
    pub(crate) async fn settle(
        &self,
        row: &handoff::Model,
        state: RunState,
        by: &'static str,
    ) -> Result<Settled, CallbackError> {
        let Some(answered) = self.answer_of(row, state, by) else {
            return Ok(Settled::Deferred);
        };
        let Some(settlement) = answered.settles.clone() else {
            return Err(WorkflowError::Corrupt("an answer without its hand-off".into()).into());
        };
        let command = EventCommand::new(
            &row.instance_id,
            answered.answer.clone().into_event(row.run_seq as u32),
            None,
            action(&answered.action),
            answered.detail.clone(),
        )
        .settling(settlement);
        match self.submit_event(command).await {
            Ok(step) if step.changed => Ok(Settled::Applied),
            Ok(step) if waits_for_resume(&step.instance, row.run_seq as u32) => {
                self.keep_handoff_answer(row, answered).await?;
                Ok(Settled::Deferred)
            }
            Ok(_) => self.not_taken(row).await,
            Err(WorkflowError::Conflict) => {
                // Settled by someone else meanwhile, or the workflow changed: look again.
                match handoff::Entity::find_by_id(&row.id).one(&self.db).await {
                    Ok(Some(now)) if now.state == COMPLETED || now.state == FAILED => {
                        Ok(Settled::AlreadySettled)
                    }
                    _ => Err(WorkflowError::Conflict.into()),
                }
            }
            Err(WorkflowError::WorkflowNotFound) => {
                let _ = self
                    .close_handoff(&row.id, CLOSED, "the workflow is gone")
                    .await;
                Err(CallbackError::Spent)
            }
            Err(other) => Err(other.into()),
        }
    }

    /// The answer an outside run's end gives the workflow; none while it still runs.
    fn answer_of(&self, row: &handoff::Model, state: RunState, by: &str) -> Option<Answered> {
        // From the hand-off to its answer: what the history shows as the time taken.
        let elapsed = self.clock.now().signed_duration_since(row.created_at);
        let seconds = elapsed.num_milliseconds().max(0) as f64 / 1000.0;
        let settlement = |state: &str, result: Option<String>, error: Option<String>| {
            Some(Settlement {
                handoff: row.id.clone(),
                state: state.to_owned(),
                by: by.to_owned(),
                result,
                error,
            })
        };
        let failed = |reason: String| Answered {
            answer: Answer::ExternalFailed {
                reason: format!("{}: {reason}", row.engine),
            },
            action: "workflow.handoff_failed".to_owned(),
            detail: format!(
                "{} answered {reason} after {seconds:.1} s (by {by})",
                row.engine
            ),
            settles: settlement(FAILED, None, Some(reason.clone())),
        };
        match state {
            RunState::Completed(result) => {
                let text = serde_json::Value::Object(result.clone()).to_string();
                // Too large to land in flowdata: the run failed, by the definition's path.
                if text.len() > MAX_RESULT_BYTES {
                    return Some(failed(format!(
                        "COMPLETED, but its result is larger than {MAX_RESULT_BYTES} bytes"
                    )));
                }
                let shown = shorten(&text);
                Some(Answered {
                    answer: Answer::Succeeded {
                        result: to_values(&result),
                    },
                    action: "workflow.handoff_completed".to_owned(),
                    detail: format!(
                        "{} answered COMPLETED after {seconds:.1} s (by {by}): {shown}",
                        row.engine
                    ),
                    settles: settlement(COMPLETED, Some(text), None),
                })
            }
            RunState::Failed(reason) => Some(failed(reason)),
            RunState::Going => None,
        }
    }

    /// The engine took no step and the run no longer waits (the workflow ended, the
    /// activity restarted): the hand-off is closed, its secret spent. A report racing
    /// one that settled it is told so.
    async fn not_taken(&self, row: &handoff::Model) -> Result<Settled, CallbackError> {
        if let Some(now) = handoff::Entity::find_by_id(&row.id)
            .one(&self.db)
            .await
            .map_err(WorkflowError::from)?
        {
            if now.state == COMPLETED || now.state == FAILED {
                return Ok(Settled::AlreadySettled);
            }
        }
        self.close_handoff(&row.id, CLOSED, "the workflow went on without it")
            .await
            .map_err(WorkflowError::from)?;
        Err(CallbackError::Spent)
    }
}
