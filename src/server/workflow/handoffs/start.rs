//! The job that starts a hand-off's outside run, once.

use super::{Settlement, CLOSED, FAILED, MAX_START_ATTEMPTS, STARTING, WAITING};
use crate::server::entities::{handoff, job};
use crate::server::integrations::engines::StartRequest;
use crate::server::workflow::answers::{Answer, Answered};
use crate::server::workflow::jobs::Outcome;
use crate::server::workflow::{WorkflowError, Workflows};
use assent_engine::ActivityState;
use sea_orm::prelude::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

impl Workflows {
    /// The job of a hand-off: start the outside run, once.
    pub(crate) async fn start_handoff(
        &self,
        job: &job::Model,
        run: u32,
        handoff_id: &str,
        secret: &str,
        parameters: &serde_json::Map<String, serde_json::Value>,
    ) -> Outcome {
        let row = match handoff::Entity::find_by_id(handoff_id).one(&self.db).await {
            Ok(Some(row)) => row,
            Ok(None) => return Outcome::done(),
            Err(error) => return Outcome::Failed(format!("reading the hand-off: {error}")),
        };
        if row.state != STARTING {
            return Outcome::done(); // started before (a repeated job), or settled
        }
        // Nothing is started for a workflow that went on meanwhile (withdrawn, aborted,
        // its activity restarted): outside work nobody waits for.
        let still_waits = match self.instance(&row.instance_id).await {
            Ok(instance) => {
                !instance.state.is_terminal()
                    && instance
                        .run(run)
                        .is_some_and(|r| r.state == ActivityState::Running)
            }
            Err(WorkflowError::WorkflowNotFound) => false,
            Err(error) => return Outcome::Failed(format!("reading the workflow: {error}")),
        };
        if !still_waits {
            let _ = self
                .close_handoff(&row.id, CLOSED, "the workflow went on before the start")
                .await;
            return Outcome::done();
        }
        let started = match self.engines.get(&row.engine) {
            None => Err(format!("no external engine {:?} is configured", row.engine)),
            Some(engine) => {
                let key = format!("{}-{run}", row.instance_id);
                let callback_url = engine.callback_url(&row.id);
                engine
                    .start(StartRequest {
                        key: &key,
                        start: &row.start,
                        parameters,
                        callback_url: &callback_url,
                        callback_token: secret,
                    })
                    .await
            }
        };
        match started {
            Ok(reference) => self.mark_started(job, run, &row, &reference).await,
            Err(error) => {
                let error = format!("starting {} in {}: {error}", row.start, row.engine);
                let _turn = self.write_turn().await;
                let _ = handoff::Entity::update_many()
                    .col_expr(handoff::Column::Error, Expr::value(error.clone()))
                    .filter(handoff::Column::Id.eq(&row.id))
                    .exec(&self.db)
                    .await;
                drop(_turn);
                if job.attempts < MAX_START_ATTEMPTS {
                    return Outcome::Failed(error);
                }
                // Given up: the hand-off fails and the run waits in error, in one
                // transaction, so neither happens without the other.
                let error = format!("{error} (after {} attempts)", job.attempts);
                self.apply_answer(
                    job,
                    Answered {
                        answer: Answer::Failed {
                            error: error.clone(),
                        },
                        action: "workflow.effect".to_owned(),
                        detail: format!("activity run {run}: {error}"),
                        settles: Some(Settlement {
                            handoff: row.id.clone(),
                            state: FAILED.to_owned(),
                            by: "start".to_owned(),
                            result: None,
                            error: Some(error),
                        }),
                    },
                )
                .await
            }
        }
    }

    async fn mark_started(
        &self,
        job: &job::Model,
        run: u32,
        row: &handoff::Model,
        reference: &str,
    ) -> Outcome {
        let reference: String = reference.chars().take(128).collect();
        let now = self.clock.now();
        let _turn = self.write_turn().await;
        let marked = handoff::Entity::update_many()
            .col_expr(handoff::Column::State, Expr::value(WAITING))
            .col_expr(handoff::Column::ExternalRef, Expr::value(reference.clone()))
            .col_expr(handoff::Column::StartedAt, Expr::value(now))
            .col_expr(handoff::Column::Error, Expr::value(Option::<String>::None))
            .filter(handoff::Column::Id.eq(&row.id))
            .filter(handoff::Column::State.eq(STARTING))
            .exec(&self.db)
            .await;
        if let Err(error) = marked {
            return Outcome::Failed(format!("recording the start: {error}"));
        }
        // The job no longer needs the callback's secret: it is not kept at rest. (Run
        // again, it finds the hand-off started and does nothing.)
        let _ = job::Entity::update_many()
            .col_expr(
                job::Column::Payload,
                Expr::value(
                    serde_json::json!({"type": "hand_off", "handoff": row.id, "secret": "", "parameters": {}})
                        .to_string(),
                ),
            )
            .filter(job::Column::Id.eq(job.id))
            .exec(&self.db)
            .await;
        let _ = crate::server::accounts::insert_audit(
            &self.db,
            crate::server::accounts::AuditEntry {
                actor: None,
                action: "workflow.handed_off",
                detail: format!(
                    "workflow {}: activity run {run} handed off to {}: {} (run {reference})",
                    row.instance_id, row.engine, row.start
                ),
                request_id: None,
            },
        )
        .await;
        Outcome::done()
    }
}
