//! The workflow service: every outside event (create, decision, timer, callback) is
//! load, authorize, decide with the pure engine, persist in one transaction with an
//! optimistic-lock check, audit.

mod answers;
mod committer;
pub(crate) mod decision_times;
mod decisions;
mod definitions;
mod directory;
mod guards;
mod handoffs;
mod idempotency;
mod instances;
pub mod jobs;
pub mod links;
pub mod mail;
mod ports;
mod store;
mod waiting;

use assent_engine::definition::{Definition, DefinitionErrors};
use assent_engine::runtime::model::Timestamp;
use assent_engine::runtime::EngineError;
use chrono::{DateTime, TimeZone, Utc};
use sea_orm::{DatabaseConnection, DbErr};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

pub(crate) use definitions::toml_files;
pub use definitions::DeployOutcome;
pub use handoffs::{CallbackError, Settled, MAX_START_ATTEMPTS};
/// The states a hand-off row goes through.
pub mod handoff_state {
    pub use super::handoffs::{CLOSED, COMPLETED, FAILED, STARTING, WAITING};
}
pub use idempotency::IdempotencyKey;
pub use instances::{CreateRequest, Decision, SubmitRequest};
pub use jobs::{Integrations, Mailer};
pub use store::decode as decode_stored;
pub use store::decode_data as decode_stored_data;
pub(crate) use store::placeholders;
pub use waiting::{is_idle, WaitSlot};

/// The time, handed to the engine; tests move it by hand.
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that only moves when told to.
pub struct ManualClock(Mutex<DateTime<Utc>>);

impl ManualClock {
    pub fn new(start: DateTime<Utc>) -> Self {
        Self(Mutex::new(start))
    }

    pub fn advance(&self, by: chrono::Duration) {
        let mut now = self.0.lock().expect("clock lock");
        *now += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().expect("clock lock")
    }
}

pub(crate) fn to_timestamp(time: DateTime<Utc>) -> Timestamp {
    Timestamp(time.timestamp_millis())
}

/// A timestamp as the pages show it (UTC).
pub fn format_timestamp(time: Timestamp) -> String {
    from_timestamp(time).format("%Y-%m-%d %H:%M").to_string()
}

pub(crate) fn from_timestamp(time: Timestamp) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(time.0)
        .single()
        .unwrap_or_else(Utc::now)
}

#[derive(Debug, thiserror::Error)]
pub enum WorkflowError {
    #[error("the definition is invalid:\n{0}")]
    InvalidDefinition(DefinitionErrors),
    #[error("no such workflow definition")]
    DefinitionNotFound,
    #[error("no workflow definition applies to this request")]
    NoApplicableDefinition,
    #[error("no such workflow")]
    WorkflowNotFound,
    #[error("{0}")]
    Engine(#[from] EngineError),
    #[error("someone else changed this workflow first; reload and try again")]
    Conflict,
    #[error("the database is busy; try again")]
    Busy,
    #[error("you may not do this")]
    Forbidden,
    #[error("{0}")]
    Invalid(String),
    #[error("the form has mistakes")]
    InvalidForm(Vec<assent_engine::form::FieldError>),
    #[error("database error: {0}")]
    Database(#[from] DbErr),
    #[error("stored workflow data is unreadable: {0}")]
    Corrupt(String),
    /// The idempotency key already created the named workflow.
    #[error("this request was made before and created workflow {0}")]
    Duplicate(String),
    /// Every slot for requests that wait on a workflow is taken (or the caller's share).
    #[error("too many requests are waiting for workflows")]
    TooManyWaiting,
    /// A mailed decision link was spent (or expired) while its decision ran.
    #[error("this link was already used")]
    LinkUsed,
    /// The idempotency key (named) was used before with a different request.
    #[error("the idempotency key {0:?} was used before for a different request")]
    KeyReused(String),
    /// The database or the writer task cannot be reached; the text is for the log only.
    #[error("workflow storage unavailable: {0}")]
    Unavailable(String),
}

impl WorkflowError {
    /// SQLite refuses a second writer outright when its snapshot went stale (`SQLITE_BUSY`,
    /// 5 and 517); such a transaction is worth running again from the start.
    pub(crate) fn is_busy(&self) -> bool {
        match self {
            WorkflowError::Busy => true,
            WorkflowError::Database(error) => crate::server::db::is_busy(error),
            _ => false,
        }
    }
}

/// Attempts a transaction gets when the database is busy.
pub(crate) const BUSY_ATTEMPTS: u32 = 8;

/// Waits a little longer before each new attempt.
pub(crate) async fn busy_pause(attempt: u32) {
    tokio::time::sleep(std::time::Duration::from_millis(
        15 * u64::from(attempt + 1),
    ))
    .await;
}

/// Changes a slow waiter may fall behind by before it re-reads its workflow anyway.
const CHANGE_BUFFER: usize = 1024;

/// Runs workflows against the database. Cheap to clone.
#[derive(Clone)]
pub struct Workflows {
    pub(crate) db: DatabaseConnection,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) mailer: Arc<dyn Mailer>,
    pub(crate) integrations: Arc<dyn Integrations>,
    /// Parsed definitions by version id; a version never changes once deployed.
    definitions: Arc<Mutex<HashMap<i32, Arc<Definition>>>>,
    /// Set when creations and decisions go through the group-commit writer.
    committer: Option<committer::Committer>,
    /// The id of every instance whose change was just committed, for those who wait on
    /// a workflow (waitForIdle): they wake on its change instead of polling.
    changes: tokio::sync::broadcast::Sender<String>,
    /// On SQLite, this process's writers take turns here (see [`Workflows::write_turn`]).
    sqlite_writer: Arc<tokio::sync::Mutex<()>>,
    /// Requests waiting on a workflow hold a slot each (see [`waiting::WaitSlots`]).
    waiters: Arc<waiting::WaitSlots>,
    /// How long a mailed activation key works, in hours.
    pub(crate) activation_key_hours: u32,
    /// The target systems that approved access is sent to (see `server::provisioning`).
    pub(crate) provisioning: crate::server::provisioning::Provisioning,
    /// The outside workflow engines `external` activities hand off to.
    pub(crate) engines: crate::server::integrations::engines::Engines,
    /// What this process counts and times for `/metrics`.
    pub(crate) metrics: crate::server::metrics::Metrics,
}

/// How long a mailed activation key works unless configured otherwise: three days.
pub const DEFAULT_ACTIVATION_KEY_HOURS: u32 = 72;

impl Workflows {
    pub fn new(db: DatabaseConnection, clock: Arc<dyn Clock>) -> Self {
        Self {
            db,
            clock,
            mailer: Arc::new(jobs::LogMailer),
            integrations: Arc::new(jobs::NoIntegrations),
            definitions: Arc::default(),
            committer: None,
            changes: tokio::sync::broadcast::channel(CHANGE_BUFFER).0,
            sqlite_writer: Arc::default(),
            waiters: Arc::new(waiting::WaitSlots::new(waiting::DEFAULT_MAX_WAITING)),
            activation_key_hours: DEFAULT_ACTIVATION_KEY_HOURS,
            provisioning: Default::default(),
            engines: Default::default(),
            metrics: Default::default(),
        }
    }

    /// `external` activities hand off to `engines`.
    pub fn with_engines(mut self, engines: crate::server::integrations::engines::Engines) -> Self {
        self.engines = engines;
        self
    }

    pub fn engines(&self) -> &crate::server::integrations::engines::Engines {
        &self.engines
    }

    /// Sends approved access to the resources `provisioning` holds.
    pub fn with_provisioning(
        mut self,
        provisioning: crate::server::provisioning::Provisioning,
    ) -> Self {
        self.provisioning = provisioning;
        self
    }

    pub fn provisioning(&self) -> &crate::server::provisioning::Provisioning {
        &self.provisioning
    }

    /// Announces the id of every workflow whose change was just committed.
    pub fn change_announcements(&self) -> tokio::sync::broadcast::Sender<String> {
        self.changes.clone()
    }

    /// A mailed activation key works for `hours` after it is sent; later it is refused.
    pub fn with_activation_key_hours(mut self, hours: u32) -> Self {
        self.activation_key_hours = hours;
        self
    }

    /// At most `max` requests wait on workflows at once (each caller an eighth of them).
    pub fn with_max_waiting(mut self, max: usize) -> Self {
        self.waiters = Arc::new(waiting::WaitSlots::new(max));
        self
    }

    /// SQLite has one writer at a time, and a transaction that read before it writes is
    /// turned away at once ("database is locked", code 517) when another committed in
    /// between: the busy timeout cannot help it, and under load (the group-commit writer
    /// and the job runner at once) even eight retries were not always enough, which the
    /// requester saw as a 503. The workflow writers of this process therefore take turns;
    /// PostgreSQL needs no turn. Hold the turn only around a transaction, never across
    /// another call that takes it.
    pub(crate) async fn write_turn(&self) -> Option<tokio::sync::MutexGuard<'_, ()>> {
        if sea_orm::ConnectionTrait::get_database_backend(&self.db) == sea_orm::DbBackend::Sqlite {
            Some(self.sqlite_writer.lock().await)
        } else {
            None
        }
    }

    /// The time by the workflow clock (injected, so tests can move it).
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    pub fn with_integrations(
        mut self,
        mailer: Arc<dyn Mailer>,
        integrations: Arc<dyn Integrations>,
    ) -> Self {
        self.mailer = mailer;
        self.integrations = integrations;
        self
    }
}
