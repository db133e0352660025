//! What comes into the engine: the events that move a workflow on, and the changes those
//! who manage workflows make to one.

use super::model::{Timestamp, Verdict};
use crate::flowdata::Value;
use crate::UserName;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// `actor` is the participant the decision counts for. `by` is `None` when they
    /// decide themselves, or whoever decides on their behalf (the caller checks that
    /// right); it is recorded with the decision.
    Decide {
        run: u32,
        actor: UserName,
        verdict: Verdict,
        reason: Option<String>,
        by: Option<UserName>,
    },
    Forward {
        run: u32,
        actor: UserName,
        to: UserName,
    },
    /// A pool member takes the item, hiding it from the others until released.
    Claim {
        run: u32,
        actor: UserName,
    },
    /// The claimant gives a claimed item back to the pool.
    Release {
        run: u32,
        actor: UserName,
    },
    TimerFired {
        run: u32,
        generation: u32,
    },
    EffectSucceeded {
        run: u32,
        result: BTreeMap<String, Vec<Value>>,
    },
    EffectFailed {
        run: u32,
        error: String,
    },
    /// The outside engine's run of an `external` activity failed, was cancelled or went
    /// past its time limit: the activity takes its failure path, or waits in error.
    ExternalFailed {
        run: u32,
        reason: String,
    },
    /// The activation key was sent; only its hash is kept, with the instant from which
    /// it no longer works.
    KeyIssued {
        run: u32,
        key_hash: String,
        expires_at: Timestamp,
    },
    /// Someone presents an activation key (hashed by the caller).
    Activate {
        run: u32,
        key_hash: String,
    },
    /// A certifier's verdicts on items (true keeps, false revokes); `submit` ends it.
    /// `by` as for [`Event::Decide`]: who acts on the certifier's behalf, if not they.
    Certify {
        run: u32,
        actor: UserName,
        verdicts: BTreeMap<String, bool>,
        submit: bool,
        by: Option<UserName>,
    },
    /// Changes made by someone who manages workflows (the contract's modifyInstance).
    Modify {
        actor: UserName,
        change: Modification,
    },
    /// The directory changed (a new manager, an owner, a substitute): approvals waiting
    /// for decisions ask their rule again whom it names now.
    ReevaluateParticipants,
    Suspend,
    /// Resumes a suspended workflow, or restarts `run` if it waits in error.
    Resume {
        run: Option<u32>,
    },
    Abort,
}

/// What a modification changes; `None` leaves a part as it is.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Modification {
    /// `Some(None)` removes the correlation id.
    pub correlation_id: Option<Option<String>>,
    /// Removes every context attribute before `context` is applied.
    pub clear_context: bool,
    /// Context attributes to set (an empty list removes one).
    pub context: BTreeMap<String, Vec<Value>>,
    /// New participants of running approvals, by run: they replace whoever is asked now.
    pub participants: BTreeMap<u32, Vec<UserName>>,
    /// New due times of running approvals with a timeout, by run: the timeout fires then
    /// instead (an earlier timer goes stale). Must lie ahead.
    pub due: BTreeMap<u32, Timestamp>,
    /// `Some(None)` removes the workflow's own description (the definition's shows again).
    pub description: Option<Option<String>>,
    /// Suspends, resumes or aborts in the same step; asking for the state the workflow is
    /// already in changes nothing.
    pub lifecycle: Option<Lifecycle>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lifecycle {
    Suspend,
    Resume,
    Abort,
}

/// Where a workflow's own description is kept in its flowdata.
pub const DESCRIPTION_PATH: &str = "workflow/description";
