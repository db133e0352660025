//! Why the engine refuses an event. A refused event changes nothing.

use super::activities::approval::MAX_REASON_CHARS;
use crate::WorkflowState;

/// One refusal, worded for the person whose event it was.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EngineError {
    #[error("this instance runs another definition version")]
    WrongDefinition,
    #[error("the workflow is {0} and accepts no such event")]
    InvalidState(WorkflowState),
    #[error("the workflow has no activity {0}")]
    ActivityNotFound(u32),
    #[error("this activity is not waiting for a decision")]
    NotAwaitingDecision,
    #[error("you are not an approver of this item")]
    NotAParticipant,
    #[error("you cannot decide on your own request")]
    OwnRequest,
    #[error("you have already decided on this item")]
    AlreadyDecided,
    #[error("a reason is required to reject")]
    ReasonRequired,
    #[error("a reason has at most {MAX_REASON_CHARS} characters")]
    ReasonTooLong,
    #[error("cannot forward to {0}: {1}")]
    CannotForward(String, &'static str),
    #[error("only items offered to several people can be claimed")]
    NotAPool,
    #[error("{0} has already claimed this item")]
    ClaimedBy(String),
    #[error("you have not claimed this item")]
    NotClaimed,
    #[error("cannot ask {0}: {1}")]
    CannotAssign(String, &'static str),
    #[error("the context attribute name {0:?} is not a flowdata name")]
    BadContextName(String),
    #[error("this activity is not waiting in error")]
    NotInError,
    #[error("this approval has no timeout, so it has no due time to move")]
    NoTimeout,
    #[error("the new due time has already passed")]
    DueInPast,
    #[error("the activation key does not match")]
    InvalidActivationKey,
    #[error("the activation key has expired")]
    ActivationKeyExpired,
    #[error("{0:?} is not an item of this certification")]
    NotACertificationItem(String),
    #[error("every item needs a verdict before the certification is submitted")]
    CertificationIncomplete,
}
