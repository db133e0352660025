//! Asynchronous update (`shared/spec/change-events.md`): source systems (HR, a directory)
//! send identity change events on `assent.changes`; Assent applies them to its identity
//! store in order and, by default, stops at the first it cannot apply.
//!
//! - [`identity`]: one change applied to users, managers, departments, groups, attributes;
//! - [`known`]: the users and departments a batch names, read once for the batch;
//! - [`apply`]: events applied in order, each refused whole or applied with its id and
//!   sequence, redeliveries ignored, consequences queued as jobs in the same transaction;
//! - [`sources`]: each source's progress, its stop (event and reason), what an
//!   administrator asked (retry, skip) and its error policy (stop or park);
//! - [`consumer`]: the AMQP consumer, acknowledging only what is committed;
//! - [`feed`]: a person publishes a file of events (`assent change-events publish`).

pub mod apply;
pub mod consumer;
pub mod feed;
pub mod identity;
pub mod known;
pub mod sources;

use std::sync::{Arc, RwLock};

/// The queue Assent consumes (durable; declared if missing).
pub const QUEUE: &str = "assent.changes";

/// The name recorded for an event too broken to say which source sent it.
pub const UNREADABLE_SOURCE: &str = "unreadable";

/// What a source wants done with an event that cannot be applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OnError {
    /// Stop the stream until an administrator retries or skips it (no information lost).
    #[default]
    Stop,
    /// Set it aside (parked, with the reason) and go on with the next.
    Park,
}

impl OnError {
    pub fn as_str(self) -> &'static str {
        match self {
            OnError::Stop => "stop",
            OnError::Park => "park",
        }
    }

    pub fn parse(word: &str) -> Option<Self> {
        [OnError::Stop, OnError::Park]
            .into_iter()
            .find(|policy| policy.as_str() == word)
    }
}

/// How this node's consumer is doing, for the administrators' page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConsumerStatus {
    /// No `ASSENT_AMQP_URL`: no events are read.
    NotConfigured,
    Connecting,
    /// Subscribed; RabbitMQ delivers to one subscriber at a time across nodes.
    Consuming,
    /// Holding an event that could not be applied, waiting for an administrator.
    Stopped,
    /// The last attempt failed; the text is safe to show (no address or password).
    Unreachable(String),
}

/// Shared by the consumer and the pages.
#[derive(Clone)]
pub struct ChangeStream {
    status: Arc<RwLock<ConsumerStatus>>,
    /// Woken when an administrator asks for a retry or skip, so a consumer on this node
    /// acts at once (one on another node finds the request within a second).
    pub(crate) requests: Arc<tokio::sync::Notify>,
}

impl Default for ChangeStream {
    fn default() -> Self {
        Self {
            status: Arc::new(RwLock::new(ConsumerStatus::NotConfigured)),
            requests: Arc::new(tokio::sync::Notify::new()),
        }
    }
}

impl ChangeStream {
    pub fn status(&self) -> ConsumerStatus {
        self.status
            .read()
            .map(|status| status.clone())
            .unwrap_or(ConsumerStatus::Connecting)
    }

    pub(crate) fn set_status(&self, status: ConsumerStatus) {
        if let Ok(mut current) = self.status.write() {
            *current = status;
        }
    }
}
