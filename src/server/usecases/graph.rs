//! A definition's graph for the screens: the engine's layout, with people's titles, and the
//! marks of one workflow as it stands (or stood at one step of its history).

use crate::model::graph::{Graph, GraphEdge, GraphNode, Mark};
use crate::server::usecases::reading::step_title;
use assent_engine::definition::layout::layout;
use assent_engine::definition::Definition;
use assent_engine::runtime::model::Instance;
use assent_engine::ActivityState;
use std::fmt::Write as _;

/// The graph of `definition`, marked with where `instance` has been and is.
pub fn graph_of(definition: &Definition, instance: Option<&Instance>, lang: &str) -> Graph {
    let drawn = layout(definition);
    let nodes = drawn
        .nodes
        .iter()
        .map(|node| GraphNode {
            activity: node.id.0.clone(),
            title: step_title(definition, &node.id.0, lang),
            kind: node.kind.to_owned(),
            x: node.x,
            y: node.y,
            width: node.width,
            height: node.height,
            mark: instance.map_or(Mark::Untouched, |i| mark_of(i, &node.id.0)),
        })
        .collect();
    let edges = drawn
        .edges
        .iter()
        .map(|edge| {
            let mut path = String::new();
            for (index, (x, y)) in edge.points.iter().enumerate() {
                let command = if index == 0 { 'M' } else { 'L' };
                let _ = write!(path, "{command}{x} {y} ");
            }
            // The label sits beside the middle of the line.
            let middle = edge.points.len() / 2;
            let label_at = match (
                edge.points.get(middle.saturating_sub(1)),
                edge.points.get(middle),
            ) {
                (Some(a), Some(b)) if edge.points.len() % 2 == 0 => {
                    ((a.0 + b.0) / 2, (a.1 + b.1) / 2)
                }
                (_, Some(b)) => *b,
                _ => (0, 0),
            };
            GraphEdge {
                from: edge.from.0.clone(),
                to: edge.to.0.clone(),
                label: edge.label.map(str::to_owned),
                back: edge.back,
                path: path.trim_end().to_owned(),
                label_at,
            }
        })
        .collect();
    Graph {
        width: drawn.width,
        height: drawn.height,
        nodes,
        edges,
    }
}

/// The latest run of `activity` decides: running is the current position, in error is
/// failed, ended is visited.
fn mark_of(instance: &Instance, activity: &str) -> Mark {
    match instance
        .runs
        .iter()
        .rev()
        .find(|run| run.activity.0 == activity)
        .map(|run| run.state)
    {
        None => Mark::Untouched,
        Some(ActivityState::Running | ActivityState::Runnable | ActivityState::Initial) => {
            Mark::Current
        }
        Some(ActivityState::WaitInError | ActivityState::Failed) => Mark::Failed,
        Some(ActivityState::Succeeded | ActivityState::Aborted) => Mark::Visited,
    }
}
