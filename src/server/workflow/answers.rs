//! The answer of outside work (a mail sent, a REST call made, an activation key mailed,
//! a hand-off ended) applied to its workflow. Work that was done is never done again for
//! want of a place to land: while the workflow is suspended, or when others keep changing
//! it first, the answer is kept in the job's payload and applied later, as it is.

use super::committer::EventCommand;
use super::handoffs::{Settlement, CLOSED, COMPLETED, FAILED};
use super::jobs::{enqueue, NewJob, Outcome};
use super::{WorkflowError, Workflows};
use crate::server::entities::{handoff, job};
use assent_engine::flowdata::Value;
use assent_engine::runtime::model::{Instance, Timestamp};
use assent_engine::runtime::Event;
use assent_engine::{ActivityState, WorkflowState};
use chrono::Duration;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The job kind of a kept answer; its payload is an [`Answered`].
pub const ANSWER: &str = "answer";
/// How long an answer kept for a suspended workflow waits before it is offered again
/// (resuming the workflow offers it at once; this is the safety net).
const SUSPENDED_RETRY_SECONDS: i64 = 60;
/// How long an answer kept because others changed the workflow first waits.
const BUSY_RETRY_SECONDS: i64 = 2;
/// Offers of an answer in a row that lose to someone else's change before it is kept
/// for later rather than offered at once again.
const OFFERS: usize = 3;

/// What outside work answered, as the job keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "answer", rename_all = "snake_case")]
pub(crate) enum Answer {
    Succeeded {
        result: BTreeMap<String, Vec<Value>>,
    },
    /// The work could not be done: the run waits in error.
    Failed {
        error: String,
    },
    /// The outside run failed: the activity's failure path, if it has one.
    ExternalFailed {
        reason: String,
    },
    KeyIssued {
        key_hash: String,
        expires_at: i64,
    },
}

impl Answer {
    pub(crate) fn into_event(self, run: u32) -> Event {
        match self {
            Answer::Succeeded { result } => Event::EffectSucceeded { run, result },
            Answer::Failed { error } => Event::EffectFailed { run, error },
            Answer::ExternalFailed { reason } => Event::ExternalFailed { run, reason },
            Answer::KeyIssued {
                key_hash,
                expires_at,
            } => Event::KeyIssued {
                run,
                key_hash,
                expires_at: Timestamp(expires_at),
            },
        }
    }
}

/// An answer with what the audit trail says of it and the hand-off it settles.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Answered {
    pub answer: Answer,
    pub action: String,
    pub detail: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settles: Option<Settlement>,
}

/// The audit actions an answer is recorded under (kept answers store them as text).
const ACTIONS: [&str; 4] = [
    "workflow.effect",
    "workflow.rest",
    "workflow.handoff_completed",
    "workflow.handoff_failed",
];

pub(crate) fn action(text: &str) -> &'static str {
    ACTIONS
        .into_iter()
        .find(|known| *known == text)
        .unwrap_or(ACTIONS[0])
}

/// The run an event answers, if it is the answer of outside work.
pub(crate) fn answered_run(event: &Event) -> Option<u32> {
    match event {
        Event::EffectSucceeded { run, .. }
        | Event::EffectFailed { run, .. }
        | Event::ExternalFailed { run, .. }
        | Event::KeyIssued { run, .. } => Some(*run),
        _ => None,
    }
}

/// True when an answer for `run` cannot land yet but will once the workflow resumes: the
/// workflow is suspended and the run still waits for it.
pub(crate) fn waits_for_resume(instance: &Instance, run: u32) -> bool {
    instance.state == WorkflowState::Suspended
        && instance
            .run(run)
            .is_some_and(|r| r.state == ActivityState::Running)
}

impl Workflows {
    /// Applies `answered` to the job's workflow and run, completing `job` in the same
    /// transaction; keeps it in the job when it cannot land now.
    pub(crate) async fn apply_answer(&self, job: &job::Model, answered: Answered) -> Outcome {
        let run = job.run_seq as u32;
        let mut command = EventCommand::new(
            &job.instance_id,
            answered.answer.clone().into_event(run),
            None,
            action(&answered.action),
            answered.detail.clone(),
        )
        .completing(job.id);
        if let Some(settlement) = answered.settles.clone() {
            command = command.settling(settlement);
        }
        for _ in 0..OFFERS {
            match self.submit_event(command.clone()).await {
                Ok(step) if step.changed => {
                    return Outcome::Done {
                        already_marked: true,
                    }
                }
                Ok(step) if waits_for_resume(&step.instance, run) => {
                    return self
                        .keep(
                            job,
                            &answered,
                            "the workflow is suspended",
                            SUSPENDED_RETRY_SECONDS,
                        )
                        .await;
                }
                // The run no longer waits (aborted, restarted): the job was completed
                // with the unchanged step; a hand-off it answered is closed.
                Ok(_) => {
                    if let Some(settlement) = &answered.settles {
                        let _ = self
                            .close_handoff(
                                &settlement.handoff,
                                CLOSED,
                                "the workflow went on without it",
                            )
                            .await;
                    }
                    return Outcome::Done {
                        already_marked: true,
                    };
                }
                Err(WorkflowError::Conflict) => {
                    if let Some(settlement) = &answered.settles {
                        if self.settled_elsewhere(&settlement.handoff).await {
                            return Outcome::done();
                        }
                    }
                }
                Err(WorkflowError::WorkflowNotFound | WorkflowError::Engine(_)) => {
                    return Outcome::done()
                }
                Err(other) => {
                    let why = format!("applying the answer: {other}");
                    return self.keep(job, &answered, &why, BUSY_RETRY_SECONDS).await;
                }
            }
        }
        let why = "others kept changing the workflow first";
        self.keep(job, &answered, why, BUSY_RETRY_SECONDS).await
    }

    /// True when hand-off `id` was settled or closed by someone else.
    async fn settled_elsewhere(&self, id: &str) -> bool {
        matches!(
            handoff::Entity::find_by_id(id).one(&self.db).await,
            Ok(Some(row)) if [COMPLETED, FAILED, CLOSED].contains(&row.state.as_str())
        )
    }

    /// Stores the answer in the job, to be applied in a little while without doing the
    /// work again.
    async fn keep(
        &self,
        job: &job::Model,
        answered: &Answered,
        why: &str,
        after_seconds: i64,
    ) -> Outcome {
        let Ok(payload) = serde_json::to_string(answered) else {
            return Outcome::Failed("the answer cannot be stored".to_owned());
        };
        let none: Option<chrono::DateTime<chrono::Utc>> = None;
        let _turn = self.write_turn().await;
        let kept = job::Entity::update_many()
            .col_expr(job::Column::Kind, Expr::value(ANSWER))
            .col_expr(job::Column::Payload, Expr::value(payload))
            .col_expr(
                job::Column::DueAt,
                Expr::value(self.clock.now() + Duration::seconds(after_seconds)),
            )
            .col_expr(job::Column::LockedUntil, Expr::value(none))
            .col_expr(job::Column::LastError, Expr::value(why))
            .filter(job::Column::Id.eq(job.id))
            .filter(job::Column::DoneAt.is_null())
            .exec(&self.db)
            .await;
        match kept {
            Ok(_) => Outcome::Kept,
            // Not stored: the work is done again on the job's next attempt. Rare (the
            // database refused a write) and safe (outside work is keyed), if slower.
            Err(error) => Outcome::Failed(format!("keeping the answer: {error}")),
        }
    }

    /// Keeps the answer of a hand-off whose workflow cannot take it yet, as a job of its
    /// own (one per hand-off, however often the engine reports).
    pub(crate) async fn keep_handoff_answer(
        &self,
        row: &handoff::Model,
        answered: Answered,
    ) -> Result<(), WorkflowError> {
        let payload = serde_json::to_string(&answered)
            .map_err(|e| WorkflowError::Corrupt(format!("storing an answer: {e}")))?;
        let _turn = self.write_turn().await;
        enqueue(
            &self.db,
            NewJob {
                kind: ANSWER,
                key: format!("handoff-answer-{}", row.id),
                instance_id: &row.instance_id,
                run: row.run_seq as u32,
                payload,
                due_at: self.clock.now() + Duration::seconds(SUSPENDED_RETRY_SECONDS),
            },
        )
        .await?;
        Ok(())
    }
}

/// Offers the kept answers of workflow `instance_id` at once (it has just resumed), in
/// the transaction that resumes it.
pub(crate) async fn offer_kept_answers(
    txn: &impl ConnectionTrait,
    instance_id: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), DbErr> {
    job::Entity::update_many()
        .col_expr(job::Column::DueAt, Expr::value(now))
        .filter(job::Column::InstanceId.eq(instance_id))
        .filter(job::Column::Kind.eq(ANSWER))
        .filter(job::Column::DoneAt.is_null())
        .exec(txn)
        .await?;
    Ok(())
}
