//! What the administrators' definition screen shows and sends: a definition's versions,
//! one version's text and graph, the difference between two versions, and a rehearsal
//! (dry run) of a new text on sample requests.

use super::graph::Graph;
use serde::{Deserialize, Serialize};

/// Recent workflows of a definition offered as samples for a rehearsal.
pub const SAMPLE_CHOICES: u64 = 10;
/// Samples rehearsed at most in one go.
pub const MOST_SAMPLES: usize = 10;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DefinitionView {
    pub path: String,
    pub title: String,
    /// Newest first.
    pub versions: Vec<VersionLine>,
    /// The version shown.
    pub shown: i32,
    pub file_name: String,
    pub source: String,
    pub graph: Graph,
    pub diff: Option<Diff>,
    pub samples: Vec<SampleChoice>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionLine {
    pub version: i32,
    pub deployed_at: String,
    pub deployed_by: Option<String>,
    /// Workflows running or suspended on this version.
    pub open: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diff {
    pub from: i32,
    pub to: i32,
    pub added: usize,
    pub removed: usize,
    /// Groups of changed lines with a little context; unchanged stretches between them
    /// are left out.
    pub hunks: Vec<Vec<DiffLine>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiffLine {
    pub change: Change,
    /// Line numbers in the older and the newer text (1-based), where the line is in it.
    pub old: Option<usize>,
    pub new: Option<usize>,
    pub text: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Change {
    Same,
    Added,
    Removed,
}

impl Change {
    pub fn class(self) -> &'static str {
        match self {
            Change::Same => "same",
            Change::Added => "added",
            Change::Removed => "removed",
        }
    }

    /// The sign a diff shows in front of the line (read out too).
    pub fn sign(self) -> &'static str {
        match self {
            Change::Same => " ",
            Change::Added => "+",
            Change::Removed => "−",
        }
    }
}

/// A recent real request that a rehearsal can replay on a new text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SampleChoice {
    pub workflow: String,
    pub label: String,
}

/// The outcome of a rehearsal: one result per sample.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DryRun {
    pub path: String,
    pub title: String,
    pub results: Vec<Rehearsed>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rehearsed {
    /// Which sample: a real workflow or the typed request, in words.
    pub sample: String,
    /// The state the workflow reached.
    pub state: String,
    /// Why the rehearsal stopped before the end, if it did.
    pub stopped: Option<String>,
    /// The form did not fit the new text: the sample was not run.
    pub refused: Option<String>,
    pub steps: Vec<RehearsedStep>,
    pub graph: Graph,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RehearsedStep {
    pub title: String,
    pub kind: String,
    pub state: String,
    /// Who would be asked, each with why.
    pub asked: Vec<(String, String)>,
    /// What would leave the process (mail, calls, grants), in words.
    pub effects: Vec<String>,
    pub error: Option<String>,
}
