//! One workflow's history, one step at a time: what moved it, and the state, the flowdata
//! and who was asked right after.

use super::graph::Graph;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Replay {
    pub id: String,
    pub title: String,
    pub definition: String,
    /// Every recorded step, oldest first (without their data).
    pub steps: Vec<StepLine>,
    /// The step shown, numbered from 1.
    pub at: usize,
    /// The workflow was saved before steps were recorded: its history starts later.
    pub starts_late: bool,
    pub view: StepView,
    pub graph: Graph,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepLine {
    pub number: usize,
    pub occurred_at: String,
    /// Who moved it; `None` for the engine itself (a timer, a job's answer).
    pub actor: Option<String>,
    pub action: String,
    pub detail: String,
}

/// The workflow right after one step.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepView {
    pub state: String,
    /// Steps that began with this one.
    pub started: Vec<String>,
    /// Steps that ended with this one, each with how.
    pub ended: Vec<(String, String)>,
    /// Approvals waiting after this step.
    pub asked: Vec<Asked>,
    /// Decisions taken in this step: who, what, why.
    pub decisions: Vec<String>,
    pub flowdata: Vec<FlowLine>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Asked {
    pub step: String,
    /// Those whose answer is awaited, each with why they were asked.
    pub waiting_on: Vec<(String, String)>,
    pub due: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlowLine {
    pub path: String,
    pub values: Vec<String>,
    /// New or different since the step before.
    pub changed: bool,
}
