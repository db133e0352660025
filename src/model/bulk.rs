//! Bulk decisions: the marks a page sends and the codes of the items that failed.

use super::ids::{IdError, WorkItemRef};
use assent_engine::Verdict;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Why one item (or workflow) of a bulk decision was not decided, as the seed's
/// bulkApproval numbers it: 1x activity level, 2x workflow level, 3x participant,
/// 4x invalid workflow ID.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum BulkErrorCode {
    /// The activity does not exist.
    NoSuchActivity,
    /// The activity is not waiting for a decision from this participant.
    NotAwaitingDecision,
    /// The decision's reason is missing or too long.
    BadReason,
    /// Another activity-level refusal.
    ActivityRefused,
    /// The workflow is no longer running.
    WorkflowEnded,
    /// Someone changed the workflow first, or the database was busy: try again.
    WorkflowChanged,
    /// Another workflow-level failure.
    WorkflowFailed,
    /// The participant may not decide here.
    NotAllowed,
    /// Someone else decided or holds the item.
    TakenByOther,
    /// No such workflow, or one the caller may not know of.
    UnknownWorkflow,
}

impl BulkErrorCode {
    /// The number the contract sends.
    pub fn code(self) -> u16 {
        match self {
            BulkErrorCode::NoSuchActivity => 10,
            BulkErrorCode::NotAwaitingDecision => 11,
            BulkErrorCode::BadReason => 12,
            BulkErrorCode::ActivityRefused => 19,
            BulkErrorCode::WorkflowEnded => 20,
            BulkErrorCode::WorkflowChanged => 21,
            BulkErrorCode::WorkflowFailed => 29,
            BulkErrorCode::NotAllowed => 30,
            BulkErrorCode::TakenByOther => 31,
            BulkErrorCode::UnknownWorkflow => 40,
        }
    }
}

/// One item of a bulk submission from the worklist: `a:workflowID:run` approves,
/// `r:workflowID:run` rejects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkMark {
    pub verdict: Verdict,
    pub item: WorkItemRef,
}

impl FromStr for BulkMark {
    type Err = IdError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let verdict = match text.split_once(':') {
            Some(("a", _)) => Verdict::Approve,
            Some(("r", _)) => Verdict::Reject,
            _ => return Err(IdError::Mark),
        };
        Ok(Self {
            verdict,
            item: text[2..].parse().map_err(|_| IdError::Mark)?,
        })
    }
}

impl fmt::Display for BulkMark {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let letter = match self.verdict {
            Verdict::Approve => 'a',
            Verdict::Reject => 'r',
        };
        write!(f, "{letter}:{}", self.item)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_name_a_verdict_and_an_item() {
        let mark: BulkMark = "r:wf-1:2".parse().unwrap();
        assert_eq!(mark.verdict, Verdict::Reject);
        assert_eq!(mark.item.to_string(), "wf-1:2");
        assert_eq!(mark.to_string(), "r:wf-1:2");
        for bad in ["x:wf-1:2", "a:wf-1", "garbage", "a:"] {
            assert_eq!(bad.parse::<BulkMark>(), Err(IdError::Mark), "{bad:?}");
        }
    }

    #[test]
    fn codes_are_the_seeds() {
        assert_eq!(BulkErrorCode::UnknownWorkflow.code(), 40);
        assert_eq!(BulkErrorCode::NotAllowed.code(), 30);
        assert_eq!(BulkErrorCode::WorkflowChanged.code(), 21);
    }
}
