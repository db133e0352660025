//! A definition's graph drawn as SVG on the server (readable without JavaScript): a box per
//! step, arrows between them labelled with the way out they take, loops dashed; a workflow's
//! current position, visited steps and steps in error marked, and said in words for those
//! who do not see the drawing.

use crate::app::i18n::{t, use_lang};
use crate::model::graph::{Graph, Mark};
use leptos::prelude::*;

/// Characters of a step's title that fit its box; longer ones are cut, the full title is
/// the box's tooltip.
const TITLE_FITS: usize = 24;

#[component]
pub fn WorkflowGraph(graph: Graph, id: &'static str) -> impl IntoView {
    let lang = use_lang();
    let said = |mark: Mark, label: &'static str| {
        let titles = graph.marked(mark);
        (!titles.is_empty()).then(|| format!("{}: {}.", t(lang, label), titles.join(", ")))
    };
    let summary = [
        said(Mark::Current, "Now at"),
        said(Mark::Failed, "In error"),
        said(Mark::Visited, "Done"),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ");
    let summary = if summary.is_empty() {
        t(lang, "The definition's steps and the ways between them.").to_owned()
    } else {
        summary
    };
    let edges = graph
        .edges
        .iter()
        .map(|edge| {
            let class = if edge.back { "edge back" } else { "edge" };
            let label = edge.label.clone().map(|label| {
                let (x, y) = edge.label_at;
                view! { <text class="edge-label" x=x + 4 y=y.saturating_sub(3)>{label}</text> }
            });
            view! {
                <path class=class d=edge.path.clone() marker-end="url(#arrow)"/>
                {label}
            }
        })
        .collect_view();
    let nodes = graph
        .nodes
        .iter()
        .map(|node| {
            let shown: String = if node.title.chars().count() > TITLE_FITS {
                node.title.chars().take(TITLE_FITS - 1).chain(['…']).collect()
            } else {
                node.title.clone()
            };
            view! {
                <g class=format!("node {}", node.mark.class()) data-activity=node.activity.clone()>
                    <title>{format!("{} ({}, {})", node.title, node.kind, node.activity)}</title>
                    <rect x=node.x y=node.y width=node.width height=node.height rx="6"/>
                    <text x=node.x + node.width / 2 y=node.y + node.height / 2 - 3 text-anchor="middle">{shown}</text>
                    <text class="node-kind" x=node.x + node.width / 2 y=node.y + node.height / 2 + 11 text-anchor="middle">{node.kind.clone()}</text>
                </g>
            }
        })
        .collect_view();
    view! {
        <figure class="graph-figure">
            <svg class="graph" id=id viewBox=format!("0 0 {} {}", graph.width, graph.height)
                width=graph.width role="img" aria-label=summary.clone()>
                <defs>
                    <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                        <path d="M0 0 L10 5 L0 10 z"/>
                    </marker>
                </defs>
                {edges}
                {nodes}
            </svg>
            <figcaption class="muted">{summary}</figcaption>
        </figure>
    }
    .into_any()
}
