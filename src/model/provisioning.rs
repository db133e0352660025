//! What the pages show of provisioning: operations on target systems with their state,
//! a person's accounts as Assent last asked them to be, and the administrators' outbox.

use serde::{Deserialize, Serialize};

/// Where an operation stands, as people read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DeliveryState {
    /// Not published yet (no broker, broker away, or waiting to be offered again).
    Waiting,
    /// The broker has it; the target system has not answered (or never answers).
    Sent,
    Confirmed,
    Failed,
    /// The broker refused it too often; an administrator decides.
    Parked,
    Dropped,
}

impl DeliveryState {
    /// The word the pages show (English; the pages translate it).
    pub fn label(self) -> &'static str {
        match self {
            DeliveryState::Waiting => "Waiting",
            DeliveryState::Sent => "Sent",
            DeliveryState::Confirmed => "Confirmed",
            DeliveryState::Failed => "Failed",
            DeliveryState::Parked => "Parked",
            DeliveryState::Dropped => "Dropped",
        }
    }

    /// The class that colours its badge.
    pub fn class(self) -> &'static str {
        match self {
            DeliveryState::Confirmed => "badge badge-ok",
            DeliveryState::Failed | DeliveryState::Parked => "badge badge-bad",
            DeliveryState::Dropped => "badge badge-muted",
            DeliveryState::Waiting | DeliveryState::Sent => "badge badge-wait",
        }
    }
}

/// One operation asked of a target system.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryLine {
    pub id: i32,
    pub message_id: String,
    /// The resource's name in the reader's language.
    pub resource: String,
    pub resource_key: String,
    pub account: String,
    /// `add`, `modify` or `delete`.
    pub operation: String,
    pub sequence: i64,
    /// What it asks, in short: `groups +vpn-users`.
    pub summary: String,
    pub state: DeliveryState,
    /// Why it waits, or why it failed; English from the server, translated by the page
    /// where it is a known text.
    pub note: Option<String>,
    pub workflow_id: Option<String>,
    pub attempts: i32,
    pub created: String,
    pub changed: String,
}

/// One of a person's accounts: what Assent last asked it to hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountLine {
    pub resource: String,
    pub resource_key: String,
    pub account: String,
    /// False once its deletion was asked.
    pub present: bool,
    pub attributes: Vec<(String, Vec<String>)>,
    /// The newest operation on it.
    pub latest: Option<DeliveryLine>,
}

/// A deployed resource declaration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceLine {
    pub key: String,
    pub name: String,
    pub version: i32,
    pub file_name: String,
    pub deployed: String,
    /// Whether its target system answers on the results queue.
    pub answers: bool,
    pub newest: bool,
}

/// The administrators' view of provisioning.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProvisioningOverview {
    /// How the relay reaches the broker, in words.
    pub broker: String,
    pub broker_ok: bool,
    /// How many operations are in each state.
    pub counts: Vec<(DeliveryState, u64)>,
    /// Waiting and parked messages, oldest first.
    pub waiting: Vec<DeliveryLine>,
    pub resources: Vec<ResourceLine>,
}
