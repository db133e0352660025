//! A definition's activity graph laid out for drawing, with the marks of one workflow (or
//! of one step of its history): where it has been, where it is, where it waits in error.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Graph {
    pub width: u32,
    pub height: u32,
    pub nodes: Vec<GraphNode>,
    pub edges: Vec<GraphEdge>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GraphNode {
    pub activity: String,
    /// The step's title for people.
    pub title: String,
    /// The activity type (`approval`, `rest`, …).
    pub kind: String,
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
    pub mark: Mark,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Mark {
    /// Not reached (or no workflow is shown).
    #[default]
    Untouched,
    /// Ran and ended.
    Visited,
    /// Running now: the workflow's current position.
    Current,
    /// Waiting in error, or ended in error.
    Failed,
}

impl Mark {
    /// The CSS class and the word a screen reader hears.
    pub fn class(self) -> &'static str {
        match self {
            Mark::Untouched => "untouched",
            Mark::Visited => "visited",
            Mark::Current => "current",
            Mark::Failed => "failed",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GraphEdge {
    pub from: String,
    pub to: String,
    /// Which way out of the source this is (`approved`, `rejected`, `timeout`, …).
    pub label: Option<String>,
    /// A loop back to an earlier step.
    pub back: bool,
    /// The polyline as SVG path data.
    pub path: String,
    /// Where the label is drawn.
    pub label_at: (u32, u32),
}

impl Graph {
    /// The activities marked `mark`, for the summary read out instead of the drawing.
    pub fn marked(&self, mark: Mark) -> Vec<&str> {
        self.nodes
            .iter()
            .filter(|n| n.mark == mark)
            .map(|n| n.title.as_str())
            .collect()
    }
}
