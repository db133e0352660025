//! The message a target system receives, exactly as `shared/spec/provisioning-messages.md`
//! fixes it, and the answer it may send back.

use assent_engine::provisioning::{AttributeChange, Attributes, Operation};
use serde::{Deserialize, Serialize};

/// The exchange every message goes to; the routing key is the resource's key.
pub const EXCHANGE: &str = "assent.provisioning";
/// The demo company's queue that receives every message, so a person can watch them.
pub const WATCH_QUEUE: &str = "assent.provisioning.all";
/// Where target systems answer.
pub const RESULTS_QUEUE: &str = "assent.provisioning.results";
/// The header that carries the message's sequence.
pub const SEQUENCE_HEADER: &str = "x-sequence";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProvisioningMessage {
    pub message_id: String,
    pub resource: String,
    pub operation: String,
    pub object_class: String,
    pub object_key: String,
    pub sequence: i64,
    pub attributes: Attributes,
    pub changes: Vec<AttributeChange>,
    pub cause: Cause,
    /// RFC 3339, UTC, whole seconds (`2026-12-03T07:05:03Z`).
    pub time: String,
}

/// The workflow step that made the change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cause {
    #[serde(rename = "workflowID")]
    pub workflow_id: String,
    #[serde(rename = "activityName")]
    pub activity_name: String,
    pub initiator: String,
    #[serde(rename = "approvedBy")]
    pub approved_by: Vec<String>,
}

impl ProvisioningMessage {
    /// `add` carries the whole account and no changes, `modify` only the changes,
    /// `delete` neither.
    pub fn body(operation: &Operation) -> (Attributes, Vec<AttributeChange>) {
        match operation {
            Operation::Add(attributes) => (attributes.clone(), Vec::new()),
            Operation::Modify(changes) => (Attributes::new(), changes.clone()),
            Operation::Delete => (Attributes::new(), Vec::new()),
        }
    }
}

/// A target system's answer on [`RESULTS_QUEUE`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProvisioningResult {
    pub message_id: String,
    pub status: ResultStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ResultStatus {
    Done,
    Failed,
}
