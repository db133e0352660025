//! Asynchronous provisioning (`shared/spec/provisioning-messages.md`): approved access
//! reaches target systems ("resources") as messages through RabbitMQ.
//!
//! - [`catalog`]: resource declarations, deployed and versioned like definitions;
//! - [`planner`]: in the workflow step's own transaction, the operation each changed
//!   account needs, written to the outbox, with the attribute cache brought along;
//! - [`outbox`]: what waits, what was sent, parked, confirmed or failed; retry and drop;
//! - [`relay`]: publishes the outbox with publisher confirms, in order per account;
//! - [`results`]: target systems' answers mark operations confirmed or failed;
//! - [`target`]: a person plays a target system (watch the messages, answer them).

pub mod catalog;
pub mod message;
pub mod outbox;
pub(crate) mod planner;
pub mod relay;
pub mod results;
pub mod target;

use assent_engine::provisioning::Resource;
use std::sync::{Arc, RwLock};

pub use catalog::ResourceCatalog;

/// Where an operation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OperationState {
    /// Written with its workflow step; waits for the relay (or for a broker).
    Pending,
    /// Confirmed by the broker; the target system has not answered (or never does).
    Sent,
    /// The target system applied it.
    Confirmed,
    /// The target system could not apply it.
    Failed,
    /// The broker refused it too often; an administrator retries or drops it.
    Parked,
    /// An administrator gave it up.
    Dropped,
}

impl OperationState {
    pub const ALL: [OperationState; 6] = [
        OperationState::Pending,
        OperationState::Sent,
        OperationState::Confirmed,
        OperationState::Failed,
        OperationState::Parked,
        OperationState::Dropped,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OperationState::Pending => "pending",
            OperationState::Sent => "sent",
            OperationState::Confirmed => "confirmed",
            OperationState::Failed => "failed",
            OperationState::Parked => "parked",
            OperationState::Dropped => "dropped",
        }
    }

    pub fn parse(word: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|state| state.as_str() == word)
    }
}

/// How the relay is doing, for the pages that explain why something still waits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BrokerStatus {
    /// No `ASSENT_AMQP_URL`: nothing is published, everything waits.
    NotConfigured,
    Connecting,
    Connected,
    /// The last attempt failed; the text is safe to show (no address or password).
    Unreachable(String),
}

/// Shared by the pages and the relay: the deployed resources and the broker's state.
#[derive(Clone)]
pub struct Provisioning {
    pub resources: ResourceCatalog,
    broker: Arc<RwLock<BrokerStatus>>,
}

impl Default for Provisioning {
    fn default() -> Self {
        Self {
            resources: ResourceCatalog::default(),
            broker: Arc::new(RwLock::new(BrokerStatus::NotConfigured)),
        }
    }
}

impl Provisioning {
    pub fn broker(&self) -> BrokerStatus {
        self.broker
            .read()
            .map(|status| status.clone())
            .unwrap_or(BrokerStatus::Connecting)
    }

    pub(crate) fn set_broker(&self, status: BrokerStatus) {
        if let Ok(mut current) = self.broker.write() {
            *current = status;
        }
    }

    /// The resource with this key, newest version.
    pub fn resource(&self, key: &str) -> Option<Arc<Resource>> {
        self.resources
            .current()
            .iter()
            .find(|resource| resource.key.as_str() == key)
            .cloned()
    }
}
