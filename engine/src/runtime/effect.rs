//! What comes out of the engine besides the next instance: work for the caller's outbox,
//! and timeouts for its job table.

use super::model::Timestamp;
use crate::flowdata::Value;
use crate::UserName;
use std::collections::BTreeMap;

/// Work for the caller to do once the step is committed (through its outbox).
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    NotifyParticipants {
        run: u32,
        users: Vec<UserName>,
        reminder: bool,
    },
    SendEmail {
        run: u32,
        to: Vec<UserName>,
        template: String,
    },
    /// Applied to the identity store in the same transaction as the step.
    ChangeIdentity {
        run: u32,
        change: IdentityChange,
    },
    /// Call `method` on the endpoint named `endpoint` at its base URL followed by `path`
    /// (placeholders already filled and encoded), sending `body` as a JSON object if
    /// there is one (per member: one value a scalar, several an array, none null). Answer
    /// with [`Event::EffectSucceeded`](super::Event::EffectSucceeded) carrying the answer
    /// (`status`, `body`, `calls`: see [`crate::definition::RESPONSE_VARIABLE`]), or
    /// [`Event::EffectFailed`](super::Event::EffectFailed).
    CallRest {
        run: u32,
        endpoint: String,
        method: String,
        path: String,
        body: Option<BTreeMap<String, Vec<Value>>>,
    },
    /// Start `start` on the outside engine `engine` with `parameters` and wait for its
    /// answer (at most `time_limit_seconds`): see [`crate::definition::External`].
    HandOff {
        run: u32,
        engine: String,
        start: String,
        parameters: BTreeMap<String, Vec<Value>>,
        time_limit_seconds: Option<u64>,
    },
    /// Generate a one-time key, send it to the e-mail address stored for `account` (never
    /// to an address someone typed into the request), and answer with
    /// [`Event::KeyIssued`](super::Event::KeyIssued).
    IssueActivationKey {
        run: u32,
        account: UserName,
    },
    Audit {
        message: String,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum IdentityChange {
    SetAttributes {
        user: String,
        attributes: BTreeMap<String, Vec<Value>>,
    },
    Entitlement {
        user: String,
        entitlement: String,
        grant: bool,
    },
    Role {
        user: String,
        role: String,
        grant: bool,
    },
    Resource {
        user: String,
        resource: String,
        grant: bool,
    },
}

impl IdentityChange {
    /// The person whose identity changes.
    pub fn user(&self) -> &str {
        match self {
            IdentityChange::SetAttributes { user, .. }
            | IdentityChange::Entitlement { user, .. }
            | IdentityChange::Role { user, .. }
            | IdentityChange::Resource { user, .. } => user,
        }
    }
}

/// A timeout to fire once at `due_at`; a stale generation is ignored when it fires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timer {
    pub run: u32,
    pub generation: u32,
    pub due_at: Timestamp,
}
