//! Hand-offs of `external` activities to outside workflow engines. The row is written in
//! the step that suspends the activity; the job runner starts the outside run (the key
//! is the workflow ID and the run, so a retry or a second node never starts a second
//! one); the run ends by callback or, when that is lost, by reconciliation, and either
//! settles the row in the same transaction as the workflow's step, so exactly once.

use super::committer::EventCommand;
use super::jobs::{key_digest, Outcome};
use super::{WorkflowError, Workflows};
use crate::server::entities::handoff;
use crate::server::integrations::engines::{RunState, StartRequest};
use crate::server::integrations::prefect::shorten;
use assent_engine::flowdata::Value;
use assent_engine::runtime::Event;
use chrono::{DateTime, Duration, Utc};
use sea_orm::prelude::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect,
};
use std::collections::BTreeMap;

/// A start is tried this often (backoff doubling up to 512 s: about half an hour) before
/// the activity waits in error: an engine being down for a while is ordinary.
pub const MAX_START_ATTEMPTS: i32 = 12;
/// Answers larger than this are refused: they land in flowdata.
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
    let deadline = time_limit_seconds
        .and_then(|s| i64::try_from(s).ok())
        .map(|s| now + Duration::seconds(s));
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

/// Flowdata values as JSON: one value a scalar, several an array, none null.
pub(crate) fn to_json(values: &[Value]) -> serde_json::Value {
    let one = |v: &Value| match v {
        Value::Bool(b) => serde_json::Value::Bool(*b),
        Value::Int(i) => serde_json::Value::from(*i),
        Value::Float(f) => serde_json::Value::from(*f),
        Value::Text(t) => serde_json::Value::String(t.clone()),
    };
    match values {
        [] => serde_json::Value::Null,
        [single] => one(single),
        many => serde_json::Value::Array(many.iter().map(one).collect()),
    }
}

/// An answer as flowdata: scalars and arrays of scalars as values, nested objects as
/// nested paths (`a/b`), deeper than four levels kept as JSON text.
pub(crate) fn to_values(
    result: &serde_json::Map<String, serde_json::Value>,
) -> BTreeMap<String, Vec<Value>> {
    fn scalar(value: &serde_json::Value) -> Option<Value> {
        match value {
            serde_json::Value::Bool(b) => Some(Value::Bool(*b)),
            serde_json::Value::Number(n) => Some(match n.as_i64() {
                Some(i) => Value::Int(i),
                None => Value::Float(n.as_f64().unwrap_or_default()),
            }),
            serde_json::Value::String(s) => Some(Value::Text(s.clone())),
            serde_json::Value::Null => None,
            other => Some(Value::Text(other.to_string())),
        }
    }
    fn walk(
        prefix: &str,
        map: &serde_json::Map<String, serde_json::Value>,
        depth: usize,
        into: &mut BTreeMap<String, Vec<Value>>,
    ) {
        for (key, value) in map {
            // A key is one flowdata segment: no separators smuggled in.
            let key: String = key.chars().filter(|c| *c != '/' && *c != '.').collect();
            if key.is_empty() {
                continue;
            }
            let path = if prefix.is_empty() {
                key
            } else {
                format!("{prefix}/{key}")
            };
            match value {
                serde_json::Value::Object(inner) if depth < 4 => {
                    walk(&path, inner, depth + 1, into)
                }
                serde_json::Value::Array(items) => {
                    into.insert(path, items.iter().filter_map(scalar).collect());
                }
                other => {
                    into.insert(path, scalar(other).into_iter().collect());
                }
            }
        }
    }
    let mut values = BTreeMap::new();
    walk("", result, 0, &mut values);
    values
}

/// How a callback or a reconciliation left the hand-off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settled {
    /// This report moved the workflow on.
    Applied,
    /// It had been settled before with this secret: nothing changed.
    AlreadySettled,
    /// The workflow is suspended: the report is applied once it resumes (by
    /// reconciliation, or a repeated callback).
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

/// Settling a hand-off inside the step's transaction (see [`EventCommand::settling`]).
#[derive(Clone, Debug)]
pub(crate) struct Settlement {
    pub handoff: String,
    pub state: &'static str,
    pub by: &'static str,
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
        .col_expr(handoff::Column::State, Expr::value(settlement.state))
        .col_expr(handoff::Column::FinishedAt, Expr::value(now))
        .col_expr(handoff::Column::FinishedBy, Expr::value(settlement.by))
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
    /// The job of a hand-off: start the outside run, once.
    pub(crate) async fn start_handoff(
        &self,
        job: &crate::server::entities::job::Model,
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
        let now = self.clock.now();
        match started {
            Ok(reference) => {
                let reference: String = reference.chars().take(128).collect();
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
                let _ = crate::server::entities::job::Entity::update_many()
                    .col_expr(
                        crate::server::entities::job::Column::Payload,
                        Expr::value(
                            serde_json::json!({"type": "hand_off", "handoff": row.id, "secret": "", "parameters": {}})
                                .to_string(),
                        ),
                    )
                    .filter(crate::server::entities::job::Column::Id.eq(job.id))
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
                let _ = self.close_handoff(&row.id, FAILED, &error).await;
                self.answer(
                    job,
                    Event::EffectFailed {
                        run,
                        error: format!("{error} (after {} attempts)", job.attempts),
                    },
                )
                .await
            }
        }
    }

    async fn close_handoff(&self, id: &str, state: &str, why: &str) -> Result<(), DbErr> {
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
    /// finds the row settled and changes nothing.
    pub(crate) async fn settle(
        &self,
        row: &handoff::Model,
        state: RunState,
        by: &'static str,
    ) -> Result<Settled, CallbackError> {
        let run = row.run_seq as u32;
        // From the hand-off to its answer: what the history shows as the time taken.
        let elapsed = self.clock.now().signed_duration_since(row.created_at);
        let seconds = elapsed.num_milliseconds().max(0) as f64 / 1000.0;
        let (event, settlement, action, detail) = match state {
            RunState::Completed(result) => {
                let text = serde_json::Value::Object(result.clone()).to_string();
                if text.len() > MAX_RESULT_BYTES {
                    return Err(CallbackError::Invalid(format!(
                        "result: larger than {MAX_RESULT_BYTES} bytes"
                    )));
                }
                let shown = shorten(&text);
                (
                    Event::EffectSucceeded {
                        run,
                        result: to_values(&result),
                    },
                    Settlement {
                        handoff: row.id.clone(),
                        state: COMPLETED,
                        by,
                        result: Some(text),
                        error: None,
                    },
                    "workflow.handoff_completed",
                    format!(
                        "{} answered COMPLETED after {seconds:.1} s (by {by}): {shown}",
                        row.engine
                    ),
                )
            }
            RunState::Failed(reason) => (
                Event::ExternalFailed {
                    run,
                    reason: format!("{}: {reason}", row.engine),
                },
                Settlement {
                    handoff: row.id.clone(),
                    state: FAILED,
                    by,
                    result: None,
                    error: Some(reason.clone()),
                },
                "workflow.handoff_failed",
                format!(
                    "{} answered {reason} after {seconds:.1} s (by {by})",
                    row.engine
                ),
            ),
            RunState::Going => return Ok(Settled::Deferred),
        };
        let command =
            EventCommand::new(&row.instance_id, event, None, action, detail).settling(settlement);
        match self.submit_event(command).await {
            Ok(step) if step.changed => Ok(Settled::Applied),
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

    /// The engine took no step: the workflow is suspended (try again later), or its run
    /// no longer waits (the hand-off is closed, its secret spent).
    async fn not_taken(&self, row: &handoff::Model) -> Result<Settled, CallbackError> {
        let instance = self.instance(&row.instance_id).await?;
        let waiting = instance
            .run(row.run_seq as u32)
            .is_some_and(|r| r.state == assent_engine::ActivityState::Running);
        if waiting && !instance.state.is_terminal() {
            return Ok(Settled::Deferred);
        }
        self.close_handoff(&row.id, CLOSED, "the workflow went on without it")
            .await
            .map_err(WorkflowError::from)?;
        Err(CallbackError::Spent)
    }

    /// Asks the engines about hand-offs that waited `reconcile_after` without a callback,
    /// and fails those past their time limit. Returns how many were settled.
    pub async fn reconcile_handoffs(&self) -> Result<usize, WorkflowError> {
        let now = self.clock.now();
        let open = handoff::Entity::find()
            .filter(handoff::Column::State.eq(WAITING))
            .limit(500)
            .all(&self.db)
            .await?;
        let mut settled = 0;
        for row in open {
            let Some(engine) = self.engines.get(&row.engine) else {
                continue;
            };
            if row.deadline.is_some_and(|deadline| deadline <= now) {
                let limit = row.deadline.unwrap_or(now) - row.created_at;
                let why = format!(
                    "no answer within the time limit of {} s",
                    limit.num_seconds()
                );
                if matches!(
                    self.settle(&row, RunState::Failed(why), "time limit").await,
                    Ok(Settled::Applied)
                ) {
                    settled += 1;
                    if let Some(reference) = &row.external_ref {
                        if let Err(error) = engine.cancel(reference).await {
                            tracing::warn!(handoff = %row.id, %error, "cannot cancel an overdue external run");
                        }
                    }
                }
                continue;
            }
            let since = row
                .last_checked_at
                .or(row.started_at)
                .unwrap_or(row.created_at);
            let due = Duration::from_std(engine.reconcile_after).unwrap_or(Duration::minutes(1));
            if now - since < due {
                continue;
            }
            let Some(reference) = &row.external_ref else {
                continue;
            };
            // A workflow that went on without its hand-off (aborted, restarted) closes it,
            // so it is no longer counted as waiting.
            let still_waits = match self.instance(&row.instance_id).await {
                Ok(instance) => instance
                    .run(row.run_seq as u32)
                    .is_some_and(|r| r.state == assent_engine::ActivityState::Running),
                Err(WorkflowError::WorkflowNotFound) => false,
                Err(_) => true,
            };
            if !still_waits {
                self.close_handoff(&row.id, CLOSED, "the workflow went on without it")
                    .await?;
                continue;
            }
            let state = engine.state(reference).await;
            let _turn = self.write_turn().await;
            handoff::Entity::update_many()
                .col_expr(handoff::Column::LastCheckedAt, Expr::value(now))
                .filter(handoff::Column::Id.eq(&row.id))
                .exec(&self.db)
                .await?;
            drop(_turn);
            match state {
                Some(Ok(RunState::Going)) | None => {}
                Some(Ok(end)) => {
                    if matches!(
                        self.settle(&row, end, "reconciliation").await,
                        Ok(Settled::Applied)
                    ) {
                        settled += 1;
                    }
                }
                Some(Err(error)) => {
                    tracing::warn!(handoff = %row.id, engine = %row.engine, %error, "cannot read an external run's state");
                }
            }
        }
        Ok(settled)
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
        use sea_orm::QueryOrder;
        Ok(handoff::Entity::find()
            .filter(handoff::Column::InstanceId.eq(instance_id))
            .order_by_asc(handoff::Column::RunSeq)
            .all(&self.db)
            .await?)
    }
}
