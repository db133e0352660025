//! The job table: timers and the outbox. Jobs are claimed with a lease (`FOR UPDATE SKIP
//! LOCKED` on PostgreSQL; SQLite serialises writers), handled, and marked done in the same
//! transaction as the step they cause, so a job run twice has one effect.

use super::answers::{Answer, Answered, ANSWER};
use super::committer::EventCommand;
use super::store::{OutboxMessage, TimerPayload};
use super::{WorkflowError, Workflows};
use crate::server::entities::{job, user};
use assent_engine::flowdata::Value;
use assent_engine::runtime::Event;
use assent_engine::UserName;
use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Expr, LockBehavior, LockType, OnConflict};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction, DbBackend, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait,
};
use std::collections::BTreeMap;

pub use super::ports::{
    Integrations, LogMailer, MailRequest, Mailer, NoIntegrations, RestCall, SharedMailer,
};

/// How long a claimed job stays reserved for its worker, renewed as each job of a claimed
/// batch is taken up: longer than the longest one job may take (a REST call's tries are
/// capped at 50 s, an engine's requests at 30 s).
const LEASE_SECONDS: i64 = 120;
/// Deliveries tried before the waiting activity is put in WAIT_IN_ERROR.
pub const MAX_ATTEMPTS: i32 = 5;
/// The job kind that re-asks a workflow's waiting approvals after the directory changed
/// (a leaver, a new manager): queued with the change, so it is never lost.
pub const REASSESS: &str = "reassess";

/// A job to store: what it is, its idempotency key, the workflow and run it is about,
/// and when it is due.
pub(crate) struct NewJob<'a> {
    pub kind: &'a str,
    pub key: String,
    pub instance_id: &'a str,
    pub run: u32,
    pub payload: String,
    pub due_at: DateTime<Utc>,
}

/// Stores `job` in the caller's transaction. The key makes this idempotent: the same
/// timer, message or re-evaluation is stored once.
pub(crate) async fn enqueue(
    db: &impl ConnectionTrait,
    job: NewJob<'_>,
) -> Result<(), sea_orm::DbErr> {
    job::Entity::insert(job::ActiveModel {
        kind: Set(job.kind.to_owned()),
        idempotency_key: Set(job.key),
        instance_id: Set(job.instance_id.to_owned()),
        run_seq: Set(job.run as i32),
        payload: Set(job.payload),
        due_at: Set(job.due_at),
        attempts: Set(0),
        locked_until: Set(None),
        locked_by: Set(None),
        done_at: Set(None),
        last_error: Set(None),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::column(job::Column::IdempotencyKey)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}

pub(crate) enum Outcome {
    /// Handled; the job was marked done inside the step's transaction (or needs it now).
    Done {
        already_marked: bool,
    },
    /// Someone else changed the workflow first: try again soon.
    Retry,
    Failed(String),
    /// The work is done and its answer kept in the job, to be applied later (see
    /// `answers`): the job was rescheduled and released already.
    Kept,
}

impl Outcome {
    /// Handled, and the job is to be marked done now.
    pub(crate) fn done() -> Self {
        Outcome::Done {
            already_marked: false,
        }
    }

    /// What became of a job whose step was applied together with marking it done.
    fn of_step<T>(applied: Result<T, WorkflowError>) -> Self {
        match applied {
            Ok(_) => Outcome::Done {
                already_marked: true,
            },
            Err(WorkflowError::Conflict) => Outcome::Retry,
            // The workflow is gone or ended: nothing is left for this job to do.
            Err(WorkflowError::WorkflowNotFound | WorkflowError::Engine(_)) => Outcome::Done {
                already_marked: false,
            },
            Err(other) => Outcome::Failed(other.to_string()),
        }
    }
}

impl Workflows {
    /// Claims up to `limit` due jobs and handles them; returns how many it handled.
    pub async fn run_due_jobs(&self, worker: &str, limit: u64) -> Result<usize, WorkflowError> {
        let claimed = self.claim(worker, limit).await?;
        let mut count = 0;
        for job in claimed {
            // The batch's earlier jobs may have taken a while: the lease is renewed for
            // this one, and a job whose lease ran out (another worker may have it) is
            // left alone.
            if !self.renew_lease(&job, worker).await? {
                continue;
            }
            let outcome = self.handle_job(&job).await;
            self.settle_job(&job, outcome).await?;
            count += 1;
        }
        Ok(count)
    }

    async fn renew_lease(&self, job: &job::Model, worker: &str) -> Result<bool, WorkflowError> {
        let now = self.clock.now();
        let _turn = self.write_turn().await;
        let renewed = job::Entity::update_many()
            .col_expr(
                job::Column::LockedUntil,
                Expr::value(now + Duration::seconds(LEASE_SECONDS)),
            )
            .filter(job::Column::Id.eq(job.id))
            .filter(job::Column::LockedBy.eq(worker))
            .filter(job::Column::LockedUntil.gt(now))
            .filter(job::Column::DoneAt.is_null())
            .exec(&self.db)
            .await?;
        Ok(renewed.rows_affected == 1)
    }

    async fn claim(&self, worker: &str, limit: u64) -> Result<Vec<job::Model>, WorkflowError> {
        let _turn = self.write_turn().await;
        let now = self.clock.now();
        let txn = self.db.begin().await?;
        let free = Condition::any()
            .add(job::Column::LockedUntil.is_null())
            .add(job::Column::LockedUntil.lt(now));
        let mut query = job::Entity::find()
            .filter(job::Column::DoneAt.is_null())
            .filter(job::Column::DueAt.lte(now))
            .filter(free.clone())
            .order_by_asc(job::Column::DueAt)
            .limit(limit);
        if txn.get_database_backend() == DbBackend::Postgres {
            query = query.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
        }
        let candidates = query.all(&txn).await?;
        let mut claimed = Vec::new();
        for candidate in candidates {
            let updated = job::Entity::update_many()
                .col_expr(
                    job::Column::LockedUntil,
                    Expr::value(now + Duration::seconds(LEASE_SECONDS)),
                )
                .col_expr(job::Column::LockedBy, Expr::value(worker))
                .col_expr(
                    job::Column::Attempts,
                    Expr::col(job::Column::Attempts).add(1),
                )
                .filter(job::Column::Id.eq(candidate.id))
                .filter(free.clone())
                .exec(&txn)
                .await?;
            if updated.rows_affected == 1 {
                claimed.push(job::Model {
                    attempts: candidate.attempts + 1,
                    ..candidate
                });
            }
        }
        txn.commit().await?;
        Ok(claimed)
    }

    async fn handle_job(&self, job: &job::Model) -> Outcome {
        let run = job.run_seq as u32;
        match job.kind.as_str() {
            "timer" => match serde_json::from_str::<TimerPayload>(&job.payload) {
                Ok(timer) => Outcome::of_step(
                    self.submit_event(
                        EventCommand::new(
                            &job.instance_id,
                            Event::TimerFired {
                                run,
                                generation: timer.generation,
                            },
                            None,
                            "workflow.timeout",
                            format!("activity run {run} timed out"),
                        )
                        .completing(job.id),
                    )
                    .await,
                ),
                Err(error) => Outcome::Failed(format!("bad timer payload: {error}")),
            },
            "effect" => match serde_json::from_str::<OutboxMessage>(&job.payload) {
                Ok(message) => self.deliver(job, run, message).await,
                Err(error) => Outcome::Failed(format!("bad outbox payload: {error}")),
            },
            ANSWER => match serde_json::from_str::<Answered>(&job.payload) {
                Ok(answered) => self.apply_answer(job, answered).await,
                Err(error) => Outcome::Failed(format!("bad kept answer: {error}")),
            },
            REASSESS => {
                let why = serde_json::from_str::<serde_json::Value>(&job.payload)
                    .ok()
                    .and_then(|p| p.get("why").and_then(|w| w.as_str()).map(str::to_owned))
                    .unwrap_or_else(|| "the directory changed".to_owned());
                Outcome::of_step(
                    self.submit_event(
                        EventCommand::new(
                            &job.instance_id,
                            Event::ReevaluateParticipants,
                            None,
                            "workflow.participants_reevaluated",
                            format!("approvers asked again: {why}"),
                        )
                        .completing(job.id),
                    )
                    .await,
                )
            }
            other => Outcome::Failed(format!("unknown job kind {other}")),
        }
    }

    /// Tells each approver of `run` that it waits for them: one mail each, carrying their
    /// own approve and reject links where the run is an approval.
    async fn notify(
        &self,
        instance_id: &str,
        run: u32,
        users: &[String],
    ) -> Result<BTreeMap<String, Vec<Value>>, String> {
        let is_approval = self
            .instance(instance_id)
            .await
            .ok()
            .and_then(|instance| instance.run(run).map(|r| r.activity_type == "approval"))
            .unwrap_or(false);
        for user in users {
            let mut details = BTreeMap::new();
            if is_approval {
                let (approve, reject) = self
                    .issue_decision_links(instance_id, run, user)
                    .await
                    .map_err(|e| e.to_string())?;
                details.insert("approveToken".to_owned(), approve);
                details.insert("rejectToken".to_owned(), reject);
            }
            self.mailer
                .send(MailRequest {
                    to: std::slice::from_ref(user),
                    template: "approval-requested",
                    workflow_id: instance_id,
                    details: &details,
                })
                .await?;
        }
        Ok(BTreeMap::new())
    }

    async fn deliver(&self, job: &job::Model, run: u32, message: OutboxMessage) -> Outcome {
        let answer = |result: Result<BTreeMap<String, Vec<Value>>, String>| result;
        let (result, waits) = match &message {
            OutboxMessage::Notify { users, .. } => (
                answer(self.notify(&job.instance_id, run, users).await),
                false,
            ),
            OutboxMessage::Email { to, template } => (
                self.mailer
                    .send(MailRequest {
                        to,
                        template,
                        workflow_id: &job.instance_id,
                        details: &BTreeMap::new(),
                    })
                    .await
                    .map(|()| BTreeMap::new()),
                true,
            ),
            OutboxMessage::Rest {
                endpoint,
                method,
                path,
                body,
            } => {
                let call = RestCall {
                    endpoint,
                    method,
                    path,
                    body: body.as_ref(),
                    workflow_id: &job.instance_id,
                    run,
                };
                // The endpoint's retries have run: the answer is final, and a refusal (a
                // 4xx) must not be asked again through the job's attempts. Every try
                // reaches the audit trail here and the run (its result or its error).
                // The answer is kept if it cannot land at once: the call is not repeated.
                let (answer, detail) = match self.integrations.call_rest(call).await {
                    Ok(result) => {
                        let calls: Vec<String> = result
                            .get("calls")
                            .map(|calls| calls.iter().map(Value::as_text).collect())
                            .unwrap_or_default();
                        let detail = format!("activity run {run}: {}", calls.join("; "));
                        (Answer::Succeeded { result }, detail)
                    }
                    Err(error) => {
                        let detail = format!("activity run {run}: {error}");
                        (Answer::Failed { error }, detail)
                    }
                };
                return self
                    .apply_answer(
                        job,
                        Answered {
                            answer,
                            action: "workflow.rest".to_owned(),
                            detail,
                            settles: None,
                        },
                    )
                    .await;
            }
            OutboxMessage::ActivationKey { account } => {
                let key = new_activation_key();
                let expires_at =
                    self.clock.now() + Duration::hours(i64::from(self.activation_key_hours));
                let details = BTreeMap::from([
                    ("activationKey".to_owned(), key.clone()),
                    ("expiresAt".to_owned(), expires_at.to_rfc3339()),
                ]);
                // Only the account's own stored address: never a fallback to another.
                let sent = match self.account_address(account).await {
                    Ok(address) => {
                        self.mailer
                            .send(MailRequest {
                                to: std::slice::from_ref(&address),
                                template: "activation-key",
                                workflow_id: &job.instance_id,
                                details: &details,
                            })
                            .await
                    }
                    Err(error) => Err(error),
                };
                if sent.is_err() {
                    self.metrics.mail_failed();
                }
                return match sent {
                    Ok(()) => {
                        self.answer(
                            job,
                            Answer::KeyIssued {
                                key_hash: key_digest(&key),
                                expires_at: super::to_timestamp(expires_at).0,
                            },
                        )
                        .await
                    }
                    Err(error) if job.attempts < MAX_ATTEMPTS => Outcome::Failed(error),
                    Err(error) => {
                        self.answer(
                            job,
                            Answer::Failed {
                                error: format!("{error} (after {} attempts)", job.attempts),
                            },
                        )
                        .await
                    }
                };
            }
            OutboxMessage::HandOff {
                handoff,
                secret,
                parameters,
            } => {
                return self
                    .start_handoff(job, run, handoff, secret, parameters)
                    .await
            }
        };
        // Only mail (a notification or a definition's e-mail) gets this far.
        if result.is_err() {
            self.metrics.mail_failed();
        }
        let waits_for_answer = waits;
        let answer = match result {
            Ok(result) if waits_for_answer => Answer::Succeeded { result },
            Ok(_) => {
                return Outcome::Done {
                    already_marked: false,
                }
            }
            Err(error) if job.attempts < MAX_ATTEMPTS => return Outcome::Failed(error),
            Err(error) => {
                if matches!(message, OutboxMessage::Notify { .. }) {
                    tracing::error!(%error, job = job.id, "notification given up");
                    return Outcome::Done {
                        already_marked: false,
                    };
                }
                Answer::Failed {
                    error: format!("{error} (after {} attempts)", job.attempts),
                }
            }
        };
        self.answer(job, answer).await
    }

    /// The e-mail address stored for `account`, the only place its activation key may go.
    async fn account_address(&self, account: &str) -> Result<String, String> {
        let found = user::Entity::find()
            .filter(user::Column::Username.eq(account))
            .one(&self.db)
            .await
            .map_err(|error| format!("looking up account {account}: {error}"))?;
        match found {
            None => Err(format!(
                "no account {account} to send the activation key to"
            )),
            Some(row) if row.email.trim().is_empty() => Err(format!(
                "account {account} has no e-mail address to send the activation key to"
            )),
            Some(row) => Ok(row.email.trim().to_owned()),
        }
    }

    /// Applies the result of outside work to the workflow, marking the job done with it.
    async fn answer(&self, job: &job::Model, answer: Answer) -> Outcome {
        let run = job.run_seq;
        self.apply_answer(
            job,
            Answered {
                answer,
                action: "workflow.effect".to_owned(),
                detail: format!("activity run {run}: outside work finished"),
                settles: None,
            },
        )
        .await
    }

    async fn settle_job(&self, job: &job::Model, outcome: Outcome) -> Result<(), WorkflowError> {
        let now = self.clock.now();
        let none: Option<DateTime<Utc>> = None;
        let update = job::Entity::update_many().filter(job::Column::Id.eq(job.id));
        let update = match outcome {
            Outcome::Done {
                already_marked: true,
            }
            | Outcome::Kept => return Ok(()),
            Outcome::Done {
                already_marked: false,
            } => update
                .col_expr(job::Column::DoneAt, Expr::value(now))
                .col_expr(job::Column::LockedUntil, Expr::value(none)),
            Outcome::Retry => update
                .col_expr(job::Column::LockedUntil, Expr::value(none))
                .col_expr(
                    job::Column::Attempts,
                    Expr::col(job::Column::Attempts).sub(1),
                ),
            Outcome::Failed(error) => {
                let backoff = Duration::seconds(2i64.pow(job.attempts.clamp(0, 9) as u32));
                tracing::warn!(job = job.id, attempts = job.attempts, %error, "job failed; will retry");
                update
                    .col_expr(job::Column::LockedUntil, Expr::value(none))
                    .col_expr(job::Column::DueAt, Expr::value(now + backoff))
                    .col_expr(job::Column::LastError, Expr::value(error))
            }
        };
        let _turn = self.write_turn().await;
        update.exec(&self.db).await?;
        Ok(())
    }

    pub(crate) async fn finish_job(
        &self,
        txn: &DatabaseTransaction,
        job_id: i32,
    ) -> Result<(), WorkflowError> {
        let none: Option<DateTime<Utc>> = None;
        job::Entity::update_many()
            .col_expr(job::Column::DoneAt, Expr::value(self.clock.now()))
            .col_expr(job::Column::LockedUntil, Expr::value(none))
            .filter(job::Column::Id.eq(job_id))
            .exec(txn)
            .await?;
        Ok(())
    }
}

/// 128 random bits, as 32 hexadecimal digits.
fn new_activation_key() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// What is stored of an activation key: its SHA-256 digest, in hexadecimal.
pub fn key_digest(key: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(key.trim().as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Runs due jobs every `interval` until the process ends.
pub fn spawn_runner(workflows: Workflows, interval: std::time::Duration) {
    let worker = format!("worker-{}", uuid::Uuid::new_v4().simple());
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(interval);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            loop {
                match workflows.run_due_jobs(&worker, 50).await {
                    Ok(0) => break,
                    Ok(_) => continue,
                    Err(error) => {
                        tracing::error!(%error, "job runner");
                        break;
                    }
                }
            }
        }
    });
}

/// Users named in a message, for tests and the admin view.
pub fn recipients(payload: &str) -> Vec<UserName> {
    match serde_json::from_str::<OutboxMessage>(payload) {
        Ok(OutboxMessage::Notify { users, .. }) | Ok(OutboxMessage::Email { to: users, .. }) => {
            users
                .iter()
                .filter_map(|u| UserName::parse(u).ok())
                .collect()
        }
        _ => Vec::new(),
    }
}
