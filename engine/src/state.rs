//! Workflow and activity states, named exactly as the Workflow Management Service contract
//! lists them (`../shared/spec/workflow-service.md`, section States).
//!
//! With the `schemars` feature the contract's OpenAPI document describes them directly,
//! under the schema names it has always had (`WorkflowStateName`, ...).

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schemars", schemars(rename = "WorkflowStateName"))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum WorkflowState {
    Initial,
    Running,
    Suspended,
    Succeeded,
    Failed,
    Aborted,
}

impl WorkflowState {
    pub const ALL: [WorkflowState; 6] = [
        WorkflowState::Initial,
        WorkflowState::Running,
        WorkflowState::Suspended,
        WorkflowState::Succeeded,
        WorkflowState::Failed,
        WorkflowState::Aborted,
    ];

    /// Ended instances accept no further event.
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            WorkflowState::Succeeded | WorkflowState::Failed | WorkflowState::Aborted
        )
    }

    pub fn as_str(self) -> &'static str {
        match self {
            WorkflowState::Initial => "INITIAL",
            WorkflowState::Running => "RUNNING",
            WorkflowState::Suspended => "SUSPENDED",
            WorkflowState::Succeeded => "SUCCEEDED",
            WorkflowState::Failed => "FAILED",
            WorkflowState::Aborted => "ABORTED",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schemars", schemars(rename = "ApplicationStateName"))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ApplicationState {
    Accepted,
    Rejected,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schemars", schemars(rename = "ActivityStateName"))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ActivityState {
    Initial,
    Runnable,
    Running,
    Succeeded,
    Failed,
    WaitInError,
    Aborted,
}

impl ActivityState {
    pub fn as_str(self) -> &'static str {
        match self {
            ActivityState::Initial => "INITIAL",
            ActivityState::Runnable => "RUNNABLE",
            ActivityState::Running => "RUNNING",
            ActivityState::Succeeded => "SUCCEEDED",
            ActivityState::Failed => "FAILED",
            ActivityState::WaitInError => "WAIT_IN_ERROR",
            ActivityState::Aborted => "ABORTED",
        }
    }
}

impl fmt::Display for WorkflowState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for ActivityState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_serialise_with_the_contract_names() {
        for state in WorkflowState::ALL {
            let json = serde_json::to_string(&state).unwrap();
            assert_eq!(json, format!("\"{}\"", state.as_str()));
        }
        assert_eq!(
            serde_json::to_string(&ActivityState::WaitInError).unwrap(),
            "\"WAIT_IN_ERROR\""
        );
        assert_eq!(
            serde_json::to_string(&ApplicationState::Accepted).unwrap(),
            "\"ACCEPTED\""
        );
    }

    #[test]
    fn only_ended_workflows_are_terminal() {
        let terminal: Vec<_> = WorkflowState::ALL
            .into_iter()
            .filter(|s| s.is_terminal())
            .collect();
        assert_eq!(
            terminal,
            vec![
                WorkflowState::Succeeded,
                WorkflowState::Failed,
                WorkflowState::Aborted
            ]
        );
    }
}

/// What a participant decides on an approval item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Approve,
    Reject,
}

impl Verdict {
    /// The verdict as stored and sent: `approve` or `reject`.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Approve => "approve",
            Verdict::Reject => "reject",
        }
    }
}

impl std::str::FromStr for Verdict {
    type Err = UnknownVerdict;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "approve" => Ok(Verdict::Approve),
            "reject" => Ok(Verdict::Reject),
            _ => Err(UnknownVerdict),
        }
    }
}

/// A text that is neither `approve` nor `reject`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a verdict is approve or reject")]
pub struct UnknownVerdict;
