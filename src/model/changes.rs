//! What the administrators' page shows of identity change events: the consumer, each
//! source with its progress and any stop, and the events set aside (parked, skipped).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangesOverview {
    /// How this node's consumer is doing (English; the page translates known texts).
    pub consumer: String,
    pub consumer_ok: bool,
    pub sources: Vec<SourceLine>,
    /// The latest events set aside, newest first.
    pub set_aside: Vec<SetAsideLine>,
}

/// One source system and how far its stream got.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceLine {
    pub source: String,
    pub last_sequence: i64,
    pub applied: i64,
    /// True when events it cannot apply are parked instead of stopping the stream.
    pub parks: bool,
    pub updated: String,
    pub stop: Option<StopLine>,
}

/// The event a stream stands still on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StopLine {
    pub event_id: Option<String>,
    pub sequence: Option<i64>,
    /// Why it cannot be applied (English, from the server).
    pub reason: String,
    pub since: String,
    /// The event as received (at most 16 KiB of it).
    pub payload: String,
    /// A retry or skip already asked and not yet carried out: `retry` or `skip`.
    pub asked: Option<String>,
    pub asked_by: Option<String>,
}

/// An event that was not applied: parked by its source's policy or skipped by someone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetAsideLine {
    pub event_id: String,
    pub source: String,
    pub sequence: i64,
    /// `parked` or `skipped`.
    pub outcome: String,
    pub reason: String,
    pub recorded: String,
    pub payload: String,
}
