//! The identities that travel between the pages, the API and the use cases: a workflow
//! and one work item (an activity run of a workflow). Parsed once at the edge, so code
//! behind it never splits or joins strings.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The most characters a workflow ID has.
pub const MAX_WORKFLOW_ID_CHARS: usize = 64;

/// A workflow instance's ID: 1 to 64 ASCII letters, digits, `-` or `_`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct WorkflowId(String);

/// What is wrong with a text that should have been an ID.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("a workflow ID has 1 to 64 letters, digits, '-' or '_'")]
    Workflow,
    #[error("a work item is named as workflowID:run")]
    WorkItem,
    #[error("a bulk mark is a:workflowID:run (approve) or r:workflowID:run (reject)")]
    Mark,
}

impl WorkflowId {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for WorkflowId {
    type Err = IdError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let valid = !text.is_empty()
            && text.len() <= MAX_WORKFLOW_ID_CHARS
            && text
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if valid {
            Ok(Self(text.to_owned()))
        } else {
            Err(IdError::Workflow)
        }
    }
}

impl TryFrom<String> for WorkflowId {
    type Error = IdError;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        text.parse()
    }
}

impl From<WorkflowId> for String {
    fn from(id: WorkflowId) -> Self {
        id.0
    }
}

impl fmt::Display for WorkflowId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for WorkflowId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// One work item: the run `run` of an activity in workflow `workflow`, written
/// `workflowID:run` wherever it travels as text (form values, bulk marks).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct WorkItemRef {
    pub workflow: WorkflowId,
    pub run: u32,
}

impl WorkItemRef {
    pub fn new(workflow: WorkflowId, run: u32) -> Self {
        Self { workflow, run }
    }
}

impl FromStr for WorkItemRef {
    type Err = IdError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (workflow, run) = text.rsplit_once(':').ok_or(IdError::WorkItem)?;
        Ok(Self {
            workflow: workflow.parse().map_err(|_| IdError::WorkItem)?,
            run: run.parse().map_err(|_| IdError::WorkItem)?,
        })
    }
}

impl fmt::Display for WorkItemRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.workflow, self.run)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workflow_ids_are_short_plain_words() {
        assert!("wf-1_a".parse::<WorkflowId>().is_ok());
        for bad in ["", "a:b", "a b", "ü", &"x".repeat(65)] {
            assert_eq!(bad.parse::<WorkflowId>(), Err(IdError::Workflow), "{bad:?}");
        }
    }

    #[test]
    fn a_work_item_reads_back_what_it_writes() {
        let item: WorkItemRef = "wf-1:3".parse().unwrap();
        assert_eq!(item.workflow.as_str(), "wf-1");
        assert_eq!(item.run, 3);
        assert_eq!(item.to_string(), "wf-1:3");
        for bad in ["wf-1", "wf-1:", "wf-1:x", ":3", "a:b:3", "wf-1:-1"] {
            assert!(bad.parse::<WorkItemRef>().is_err(), "{bad:?}");
        }
    }
}
