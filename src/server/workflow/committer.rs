//! Group commit: concurrent creations and decisions share one database transaction.
//!
//! A disk syncs a few hundred times a second; one commit per decision would cap the portal
//! there. Instead one writer task takes every command waiting in its queue, applies each in
//! its own savepoint (a refused command rolls back alone), commits once, and only then
//! answers every caller: nobody hears "done" before their change is durable. Batches form
//! by themselves under load, while the previous commit is being synced; an idle portal
//! commits each command at once.

use super::directory::Snapshot;
use super::idempotency::IdempotencyKey;
use super::instances::{contention, CreateRequest};
use super::{WorkflowError, Workflows};
use assent_engine::runtime::model::Instance;
use assent_engine::runtime::{Event, Step};
use assent_engine::UserName;
use sea_orm::TransactionTrait;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

/// Commands one commit may carry at most.
const MAX_BATCH: usize = 512;

#[derive(Clone)]
pub(crate) struct EventCommand {
    pub instance_id: String,
    pub event: Event,
    pub actor: Option<UserName>,
    pub action: &'static str,
    pub detail: String,
    pub expected_version: Option<u64>,
    pub completes_job: Option<i32>,
    /// The digest of a mailed decision link this event redeems: it is spent in the
    /// event's own transaction, so a conflict or a busy database leaves it usable.
    pub spends_link: Option<String>,
    /// The hand-off this event answers, settled in the event's own transaction (see
    /// `handoffs`): if someone settled it first, the step does not happen.
    pub settles: Option<super::handoffs::Settlement>,
}

impl EventCommand {
    /// `event` for the workflow `instance_id`, by `actor` (`None`: the system), recorded
    /// in the audit trail as `action` with `detail`.
    pub fn new(
        instance_id: &str,
        event: Event,
        actor: Option<&UserName>,
        action: &'static str,
        detail: String,
    ) -> Self {
        Self {
            instance_id: instance_id.to_owned(),
            event,
            actor: actor.cloned(),
            action,
            detail,
            expected_version: None,
            completes_job: None,
            spends_link: None,
            settles: None,
        }
    }

    /// Settles a hand-off with the step.
    pub(crate) fn settling(mut self, settlement: super::handoffs::Settlement) -> Self {
        self.settles = Some(settlement);
        self
    }

    /// Refused as a conflict unless the workflow is still at `version` (what the person
    /// saw), when one is given.
    pub fn expecting(mut self, version: Option<u64>) -> Self {
        self.expected_version = version;
        self
    }

    /// Completes the job `job` in the same transaction.
    pub fn completing(mut self, job: i32) -> Self {
        self.completes_job = Some(job);
        self
    }
}

#[derive(Clone)]
pub(crate) enum Command {
    Create(CreateRequest, Option<IdempotencyKey>),
    Event(EventCommand),
}

pub(crate) enum Done {
    Created(Instance),
    Step(Step),
}

impl Done {
    pub(crate) fn instance(&self) -> &Instance {
        match self {
            Done::Created(instance) => instance,
            Done::Step(step) => &step.instance,
        }
    }
}

struct Queued {
    command: Command,
    reply: oneshot::Sender<Result<Done, WorkflowError>>,
}

/// The handle callers use; the writer task owns the receiving end.
#[derive(Clone)]
pub(crate) struct Committer {
    queue: mpsc::Sender<Queued>,
    stats: Arc<Stats>,
}

/// How many commits carried how many commands, for tests and benchmarks.
#[derive(Default)]
pub(crate) struct Stats {
    pub commits: AtomicU64,
    pub commands: AtomicU64,
}

impl Committer {
    pub(crate) async fn submit(&self, command: Command) -> Result<Done, WorkflowError> {
        let (reply, answer) = oneshot::channel();
        self.queue
            .send(Queued { command, reply })
            .await
            .map_err(|_| WorkflowError::Unavailable("the workflow writer has stopped".into()))?;
        answer
            .await
            .map_err(|_| WorkflowError::Unavailable("the workflow writer has stopped".into()))?
    }
}

impl Workflows {
    /// Carries out one command inside a transaction (or savepoint) the caller commits.
    pub(crate) async fn execute_in(
        &self,
        txn: &sea_orm::DatabaseTransaction,
        snapshot: &Snapshot,
        command: Command,
    ) -> Result<Done, WorkflowError> {
        match command {
            Command::Create(request, key) => self
                .create_in(txn, snapshot, request, key.as_ref())
                .await
                .map(Done::Created),
            Command::Event(event) => self.apply_in(txn, snapshot, event).await.map(Done::Step),
        }
    }

    /// Carries out one command in its own transaction, from the start again while SQLite
    /// reports the database busy.
    pub(crate) async fn execute(&self, command: Command) -> Result<Done, WorkflowError> {
        let mut attempt = 0;
        loop {
            let result = async {
                let _turn = self.write_turn().await;
                let txn = self.db.begin().await.map_err(contention)?;
                let snapshot = self.snapshot(&txn).await?;
                let done = self.execute_in(&txn, &snapshot, command.clone()).await?;
                txn.commit().await.map_err(contention)?;
                self.announce(&done);
                Ok::<_, WorkflowError>(done)
            }
            .await;
            match result {
                Err(error) if error.is_busy() && attempt + 1 < super::BUSY_ATTEMPTS => {
                    super::busy_pause(attempt).await;
                    attempt += 1;
                }
                other => return other,
            }
        }
    }

    /// Routes creations and decisions through one writer task that commits them in groups.
    pub fn with_group_commit(mut self) -> Self {
        let (queue, receiver) = mpsc::channel(MAX_BATCH * 4);
        let stats = Arc::new(Stats::default());
        // The writer works on its own copy, which writes directly.
        let writer = self.clone();
        tokio::spawn(writer.write_batches(receiver, stats.clone()));
        self.committer = Some(Committer { queue, stats });
        self
    }

    /// (commits, commands) through the group-commit writer so far.
    pub fn group_commit_stats(&self) -> Option<(u64, u64)> {
        self.committer.as_ref().map(|c| {
            (
                c.stats.commits.load(Ordering::Relaxed),
                c.stats.commands.load(Ordering::Relaxed),
            )
        })
    }

    async fn write_batches(self, mut receiver: mpsc::Receiver<Queued>, stats: Arc<Stats>) {
        while let Some(first) = receiver.recv().await {
            let mut batch = vec![first];
            while batch.len() < MAX_BATCH {
                match receiver.try_recv() {
                    Ok(next) => batch.push(next),
                    Err(_) => break,
                }
            }
            let (commands, replies): (Vec<_>, Vec<_>) =
                batch.into_iter().map(|q| (q.command, q.reply)).unzip();
            stats.commits.fetch_add(1, Ordering::Relaxed);
            stats
                .commands
                .fetch_add(commands.len() as u64, Ordering::Relaxed);
            let results = self.commit_batch(commands).await;
            for (reply, result) in replies.into_iter().zip(results) {
                // A caller that gave up waiting is not an error of the batch.
                let _ = reply.send(result);
            }
        }
    }

    /// Commits a batch; when SQLite turns the writer away as busy, the whole batch runs
    /// again (nothing of a refused attempt is kept).
    async fn commit_batch(&self, commands: Vec<Command>) -> Vec<Result<Done, WorkflowError>> {
        let mut attempt = 0;
        loop {
            let results = self.commit_batch_once(commands.clone()).await;
            let busy = results
                .iter()
                .any(|r| r.as_ref().is_err_and(WorkflowError::is_busy));
            if !busy || attempt + 1 >= super::BUSY_ATTEMPTS {
                return results;
            }
            tracing::debug!(attempt, "database busy: running the batch again");
            super::busy_pause(attempt).await;
            attempt += 1;
        }
    }

    async fn commit_batch_once(&self, commands: Vec<Command>) -> Vec<Result<Done, WorkflowError>> {
        let count = commands.len();
        let _turn = self.write_turn().await;
        let failed_all =
            |error: &dyn Fn() -> WorkflowError| (0..count).map(|_| Err(error())).collect();
        let txn = match self.db.begin().await {
            Ok(txn) => txn,
            Err(error) => {
                let message = error.to_string();
                return failed_all(&|| {
                    WorkflowError::Unavailable(format!("database unavailable: {message}"))
                });
            }
        };
        let snapshot: Snapshot = match self.snapshot(&txn).await {
            Ok(snapshot) => snapshot,
            Err(error) => {
                let message = error.to_string();
                return failed_all(&|| {
                    WorkflowError::Unavailable(format!("cannot read the directory: {message}"))
                });
            }
        };
        let mut results = Vec::with_capacity(count);
        for command in commands {
            let savepoint = match txn.begin().await {
                Ok(savepoint) => savepoint,
                Err(error) => {
                    results.push(Err(contention(error)));
                    continue;
                }
            };
            let outcome = self.execute_in(&savepoint, &snapshot, command).await;
            match outcome {
                Ok(done) => match savepoint.commit().await {
                    Ok(()) => results.push(Ok(done)),
                    Err(error) => results.push(Err(contention(error))),
                },
                Err(error) => {
                    let _ = savepoint.rollback().await;
                    results.push(Err(error));
                }
            }
        }
        if results
            .iter()
            .any(|r| r.as_ref().is_err_and(WorkflowError::is_busy))
        {
            // Roll back: the whole batch runs again.
            let _ = txn.rollback().await;
            return results;
        }
        match txn.commit().await {
            Ok(()) => {
                for done in results.iter().flatten() {
                    self.announce(done);
                }
                results
            }
            Err(error) => {
                let failure = contention(error);
                let busy = failure.is_busy();
                tracing::warn!(%failure, "group commit failed");
                // Nothing of this batch is durable: every caller hears so.
                results
                    .into_iter()
                    .map(|result| {
                        result.and(Err(if busy {
                            WorkflowError::Busy
                        } else {
                            WorkflowError::Conflict
                        }))
                    })
                    .collect()
            }
        }
    }
}
