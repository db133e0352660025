//! Where each activity of a definition sits when drawn, so the portal can render the
//! activity graph as SVG on the server, without a layout library or script in the page.
//!
//! A plain layered drawing, top to bottom: loops are found by a depth-first search from
//! the start, every other edge points down, and each activity sits one row below its
//! lowest predecessor. Pure and deterministic: the same definition always gives the same
//! picture, so pages can be cached and tests can compare coordinates.

use super::{Activity, ActivityId, ActivityKind, Definition};
use std::collections::BTreeMap;

/// Every box has this size, so a page can size its titles to it.
pub const NODE_WIDTH: u32 = 168;
pub const NODE_HEIGHT: u32 = 44;
const COLUMN_GAP: u32 = 48;
const ROW_GAP: u32 = 56;
/// At least half a row gap, so loops can run above the top row and below the bottom one.
const MARGIN: u32 = 32;
/// Distance between the vertical runs of loops right of the drawing.
const LANE_GAP: u32 = 16;

/// A way out of an activity by index into the activities: from, to, label.
type Link = (usize, usize, Option<&'static str>);

/// A drawing of a definition's activities, in SVG user units from the top left corner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    pub width: u32,
    pub height: u32,
    /// In file order.
    pub nodes: Vec<Node>,
    /// By source in file order, then in the order of [`Activity::successors`].
    pub edges: Vec<Edge>,
}

/// One activity's box; `x`, `y` is its top left corner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    pub id: ActivityId,
    /// [`Activity::type_name`], the name runs record as their activity type.
    pub kind: &'static str,
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
}

/// One way from an activity to the next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edge {
    pub from: ActivityId,
    pub to: ActivityId,
    /// Which way out this is (`approved`, `rejected`, `timeout`, `yes`, `no`, `failed`);
    /// `None` for a plain `next` and for the paths of a branch.
    pub label: Option<&'static str>,
    /// Leads back to the same or an earlier row: a loop, drawn around the right side.
    pub back: bool,
    /// From the source box's border to the target box's border, for an SVG polyline.
    pub points: Vec<(u32, u32)>,
}

/// Lays out `definition` for drawing; references to unknown activities are left out.
pub fn layout(definition: &Definition) -> Layout {
    let activities = &definition.activities;
    let count = activities.len();
    let index = |id: &ActivityId| activities.iter().position(|a| &a.id == id);
    // `out[node]` lists the links leaving it.
    let mut links: Vec<Link> = Vec::new();
    let mut out = vec![Vec::new(); count];
    for (from, activity) in activities.iter().enumerate() {
        for (to, label) in activity.successors().into_iter().zip(labels(activity)) {
            if let Some(to) = index(to) {
                out[from].push(links.len());
                links.push((from, to, label));
            }
        }
    }

    let (back, finished) = find_loops(&links, &out);
    // Reverse finishing order is a topological order of the graph without its loops.
    let mut layer = vec![0usize; count];
    for &node in finished.iter().rev() {
        for &link in out[node].iter().filter(|&&l| !back[l]) {
            let to = links[link].1;
            layer[to] = layer[to].max(layer[node] + 1);
        }
    }
    let mut rows = vec![Vec::new(); layer.iter().max().map_or(0, |top| top + 1)];
    for node in 0..count {
        rows[layer[node]].push(node);
    }
    let mut predecessors = vec![Vec::new(); count];
    let mut successors = vec![Vec::new(); count];
    for (link, &(from, to, _)) in links.iter().enumerate() {
        if !back[link] {
            predecessors[to].push(from);
            successors[from].push(to);
        }
    }
    // Down, up, down again: enough to untangle the usual approval and branch shapes.
    let rows_count = rows.len();
    reorder(&mut rows, &predecessors, 1..rows_count);
    reorder(&mut rows, &successors, (0..rows_count).rev().skip(1));
    reorder(&mut rows, &predecessors, 1..rows_count);

    let row_width = |row: &Vec<usize>| span(row.len(), NODE_WIDTH, COLUMN_GAP);
    let content = rows.iter().map(row_width).max().unwrap_or(0);
    let mut place = vec![(0, 0); count];
    for (r, row) in rows.iter().enumerate() {
        let left = MARGIN + (content - row_width(row)) / 2;
        for (slot, &node) in row.iter().enumerate() {
            let y = MARGIN + r as u32 * (NODE_HEIGHT + ROW_GAP);
            place[node] = (left + slot as u32 * (NODE_WIDTH + COLUMN_GAP), y);
        }
    }

    let centre = |node: usize| place[node].0 + NODE_WIDTH / 2;
    let out_ports = ports(&links, &back, |&(from, to, _)| (from, centre(to)));
    let in_ports = ports(&links, &back, |&(from, to, _)| (to, centre(from)));
    let lanes_left = MARGIN + content + COLUMN_GAP / 2;
    let mut lanes = 0;
    let mut edges = Vec::with_capacity(links.len());
    for (link, &(from, to, label)) in links.iter().enumerate() {
        let ((sx, sy), (tx, ty)) = (place[from], place[to]);
        let points = if back[link] {
            lanes += 1;
            loop_route((sx, sy), (tx, ty), lanes_left + lanes * LANE_GAP)
        } else {
            vec![
                (sx + out_ports[link], sy + NODE_HEIGHT),
                (tx + in_ports[link], ty),
            ]
        };
        edges.push(Edge {
            from: activities[from].id.clone(),
            to: activities[to].id.clone(),
            label,
            back: back[link],
            points,
        });
    }

    let nodes = activities
        .iter()
        .zip(&place)
        .map(|(activity, &(x, y))| Node {
            id: activity.id.clone(),
            kind: activity.type_name(),
            x,
            y,
            width: NODE_WIDTH,
            height: NODE_HEIGHT,
        })
        .collect();
    let lanes_width = u32::from(lanes > 0) * COLUMN_GAP / 2 + lanes * LANE_GAP;
    Layout {
        width: 2 * MARGIN + content + lanes_width,
        height: 2 * MARGIN + span(rows_count, NODE_HEIGHT, ROW_GAP),
        nodes,
        edges,
    }
}

/// Names for the ways out of `activity`, in the order of [`Activity::successors`], so a
/// drawing can tell an approval's approved path from its rejected one.
fn labels(activity: &Activity) -> Vec<Option<&'static str>> {
    // The optional ways out come last in `successors`, so a missing one drops off the end.
    let names: &[Option<&'static str>] = match activity.kind {
        ActivityKind::Approval(_) => &[Some("approved"), Some("rejected"), Some("timeout")],
        ActivityKind::Condition { .. } => &[Some("yes"), Some("no")],
        ActivityKind::External(_) => &[None, Some("failed")],
        _ => &[],
    };
    let count = activity.successors().len();
    (0..count)
        .map(|k| names.get(k).copied().flatten())
        .collect()
}

/// Marks the links that close a cycle (depth-first from the start in successor order,
/// then from anything not yet seen) and returns them with the nodes in finishing order;
/// only without these links does "one row below every predecessor" have an answer.
fn find_loops(links: &[Link], out: &[Vec<usize>]) -> (Vec<bool>, Vec<usize>) {
    // `seen`: `None` not yet, `Some(false)` on the current path, `Some(true)` finished.
    // An explicit stack of (node, next link to follow), not recursion: a long chain of
    // activities must not overflow the thread's stack.
    let (mut seen, mut back, mut finished) =
        (vec![None; out.len()], vec![false; links.len()], Vec::new());
    for root in 0..out.len() {
        if seen[root].is_some() {
            continue;
        }
        seen[root] = Some(false);
        let mut stack = vec![(root, 0usize)];
        while let Some((node, next)) = stack.last_mut() {
            let node = *node;
            let Some(&link) = out[node].get(*next) else {
                seen[node] = Some(true);
                finished.push(node);
                stack.pop();
                continue;
            };
            *next += 1;
            let to = links[link].1;
            match seen[to] {
                None => {
                    seen[to] = Some(false);
                    stack.push((to, 0));
                }
                Some(false) => back[link] = true,
                Some(true) => {}
            }
        }
    }
    (back, finished)
}

/// Sorts each row in `order` by the mean position of each node's `neighbours` (a node
/// without any keeps its place), so that edges between rows cross less. Stable, so ties
/// keep the previous order, which starts as file order.
fn reorder(rows: &mut [Vec<usize>], neighbours: &[Vec<usize>], order: impl Iterator<Item = usize>) {
    // Slot relative to the row's middle: rows are centred, so this compares across rows.
    let mut position = vec![0.0; neighbours.len()];
    let set = |row: &[usize], position: &mut [f64]| {
        for (slot, &node) in row.iter().enumerate() {
            position[node] = slot as f64 - (row.len() as f64 - 1.0) / 2.0;
        }
    };
    for row in rows.iter() {
        set(row, &mut position);
    }
    for r in order {
        let mut keyed: Vec<(f64, usize)> = rows[r]
            .iter()
            .map(|&node| {
                let near = &neighbours[node];
                let key = if near.is_empty() {
                    position[node]
                } else {
                    near.iter().map(|&n| position[n]).sum::<f64>() / near.len() as f64
                };
                (key, node)
            })
            .collect();
        keyed.sort_by(|a, b| a.0.total_cmp(&b.0));
        rows[r] = keyed.into_iter().map(|(_, node)| node).collect();
        set(&rows[r], &mut position);
    }
}

/// For each forward link, the x offset inside its box where it attaches: the links at a
/// box (grouped by `end`'s node) spread evenly, ordered by the other end's x, so two ways
/// to the same place stay apart and do not cross at the box.
fn ports(links: &[Link], back: &[bool], end: impl Fn(&Link) -> (usize, u32)) -> Vec<u32> {
    let mut at: BTreeMap<usize, Vec<(u32, usize)>> = BTreeMap::new();
    for (link, ends) in links.iter().enumerate().filter(|(l, _)| !back[*l]) {
        let (node, other_x) = end(ends);
        at.entry(node).or_default().push((other_x, link));
    }
    let mut offset = vec![0; links.len()];
    for mut group in at.into_values() {
        group.sort();
        let count = group.len() as u32;
        for (k, (_, link)) in group.into_iter().enumerate() {
            offset[link] = NODE_WIDTH * (k as u32 + 1) / (count + 1);
        }
    }
    offset
}

/// The way of a loop from the box at `source` to the box at `target` (top left corners):
/// out of the source's right side, down into the gap below its row, right to its own lane
/// beside the drawing, up to the gap above the target's row, and into the target's right
/// side. The horizontal runs stay in gaps between rows and the vertical ones in gaps
/// between boxes, so a loop crosses no box.
fn loop_route(source: (u32, u32), target: (u32, u32), lane: u32) -> Vec<(u32, u32)> {
    let (source_right, target_right) = (source.0 + NODE_WIDTH, target.0 + NODE_WIDTH);
    let (source_middle, target_middle) = (source.1 + NODE_HEIGHT / 2, target.1 + NODE_HEIGHT / 2);
    let below = source.1 + NODE_HEIGHT + ROW_GAP / 2;
    let above = target.1 - ROW_GAP / 2;
    vec![
        (source_right, source_middle),
        (source_right + COLUMN_GAP / 2, source_middle),
        (source_right + COLUMN_GAP / 2, below),
        (lane, below),
        (lane, above),
        (target_right + COLUMN_GAP / 2, above),
        (target_right + COLUMN_GAP / 2, target_middle),
        (target_right, target_middle),
    ]
}

/// The length of `count` boxes of `size` with `gap` between them.
fn span(count: usize, size: u32, gap: u32) -> u32 {
    (count as u32 * (size + gap)).saturating_sub(gap)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::definition::parse;

    /// The keys every test definition has, then a start leading to `first`.
    fn header(first: &str) -> String {
        let keys = "name = 'T'\npath = 'Test/T'\noperation = 'assign'\nsubject_type = 'user'\n\
            resource_type = 'role'\nrequest_workflow_type = 'approval'\nowner = 'admin'\n";
        format!("{keys}[[activity]]\nid = 'start'\ntype = 'start'\nnext = '{first}'\n")
    }

    const FINISH: &str = "\n[[activity]]\nid = 'end'\ntype = 'finish'\n";

    /// An approval whose approval leads back to it through a log (a loop with a way out),
    /// and which also has a timeout path.
    fn looping() -> Definition {
        let activities = "[[activity]]\nid = 'decide'\ntype = 'approval'\n\
            participants = { manager_of = 'subject' }\n\
            on_approve = 'again'\non_reject = 'end'\non_timeout = 'end'\n\
            [[activity]]\nid = 'again'\ntype = 'log'\nmessage = 'more'\nnext = 'decide'\n";
        parse("loop.toml", &(header("decide") + activities + FINISH)).unwrap()
    }

    /// The shipped definitions, the engine tests' fixtures (the activities-only one
    /// completed as its test does) and [`looping`], parsed the way the portal does.
    fn definitions() -> Vec<Definition> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files: Vec<_> = [root.join("../definitions"), root.join("tests/fixtures")]
            .iter()
            .flat_map(|folder| std::fs::read_dir(folder).unwrap())
            .map(|entry| entry.unwrap().path())
            .filter(|path| path.extension().is_some_and(|e| e == "toml"))
            .collect();
        files.sort();
        assert!(files.len() >= 6, "found {}", files.len());
        let mut definitions: Vec<_> = files
            .iter()
            .map(|path| {
                let mut source = std::fs::read_to_string(path).unwrap();
                if path.ends_with("every_automatic_type.toml") {
                    source = header("map") + &source + FINISH;
                }
                parse(&path.display().to_string(), &source).unwrap_or_else(|e| panic!("{e}"))
            })
            .collect();
        definitions.push(looping());
        definitions
    }

    fn node<'a>(layout: &'a Layout, id: &ActivityId) -> &'a Node {
        layout.nodes.iter().find(|n| &n.id == id).unwrap()
    }

    #[test]
    fn every_activity_has_one_node_inside_the_drawing_and_none_overlap() {
        for definition in definitions() {
            let layout = layout(&definition);
            assert_eq!(layout.nodes.len(), definition.activities.len());
            for (activity, a) in definition.activities.iter().zip(&layout.nodes) {
                assert_eq!((&a.id, a.kind), (&activity.id, activity.type_name()));
                assert!(a.x + a.width + MARGIN <= layout.width);
                assert!(a.y + a.height + MARGIN <= layout.height);
                for b in layout.nodes.iter().filter(|b| b.id != a.id) {
                    let apart = a.x + a.width <= b.x || b.x + b.width <= a.x;
                    assert!(apart || a.y + a.height <= b.y || b.y + b.height <= a.y);
                }
            }
        }
    }

    #[test]
    fn the_start_is_alone_in_the_top_row() {
        for definition in definitions() {
            let layout = layout(&definition);
            assert_eq!(node(&layout, &definition.start().id).y, MARGIN);
            assert!(layout.nodes[1..].iter().all(|n| n.y > MARGIN));
        }
    }

    #[test]
    fn every_successor_gives_one_edge_with_its_label() {
        let mut labels_seen = Vec::new();
        for definition in definitions() {
            let mut expected = Vec::new();
            for activity in &definition.activities {
                let names: &[&str] = match activity.type_name() {
                    "approval" => &["approved", "rejected", "timeout"],
                    "condition" => &["yes", "no"],
                    "external" => &["", "failed"],
                    _ => &[],
                };
                for (k, to) in activity.successors().into_iter().enumerate() {
                    let label = names.get(k).copied().filter(|name| !name.is_empty());
                    expected.push((activity.id.clone(), to.clone(), label));
                }
            }
            let edges = layout(&definition).edges;
            let actual = edges
                .iter()
                .map(|e| (e.from.clone(), e.to.clone(), e.label));
            assert_eq!(actual.collect::<Vec<_>>(), expected, "{}", definition.name);
            labels_seen.extend(edges.iter().filter_map(|e| e.label));
        }
        for label in ["approved", "rejected", "timeout", "yes", "no", "failed"] {
            assert!(labels_seen.contains(&label), "no definition has {label}");
        }
    }

    #[test]
    fn edges_run_from_border_to_border_and_loops_are_marked_back() {
        let on_border = |n: &Node, (x, y): (u32, u32)| {
            let (across, along) = ((n.x..=n.x + n.width), (n.y..=n.y + n.height));
            (across.contains(&x) && (y == n.y || y == n.y + n.height))
                || (along.contains(&y) && (x == n.x || x == n.x + n.width))
        };
        for definition in definitions() {
            let layout = layout(&definition);
            for edge in &layout.edges {
                let (from, to) = (node(&layout, &edge.from), node(&layout, &edge.to));
                assert_eq!(edge.back, to.y <= from.y, "{} -> {}", edge.from, edge.to);
                assert!(on_border(from, edge.points[0]));
                assert!(on_border(to, *edge.points.last().unwrap()));
            }
        }
    }

    #[test]
    fn a_loop_goes_around_the_right_of_the_drawing() {
        let layout = layout(&looping());
        let back: Vec<&Edge> = layout.edges.iter().filter(|e| e.back).collect();
        assert_eq!(back.len(), 1);
        assert_eq!(
            (back[0].from.0.as_str(), back[0].to.0.as_str()),
            ("again", "decide")
        );
        let rightmost = layout.nodes.iter().map(|n| n.x + n.width).max().unwrap();
        assert!(back[0].points.iter().any(|&(x, _)| x > rightmost));
        assert!(back[0].points.iter().all(|&(x, _)| x < layout.width));
    }

    #[test]
    fn a_long_chain_is_laid_out_on_a_small_stack() {
        let chain: String = (0..3_000)
            .map(|n| {
                format!(
                    "[[activity]]\nid = 'log{n}'\ntype = 'log'\nmessage = 'm'\nnext = 'log{}'\n",
                    n + 1
                )
            })
            .collect::<String>()
            .replace("next = 'log3000'", "next = 'end'");
        let long = parse("long.toml", &(header("log0") + &chain + FINISH)).unwrap();
        // 64 KiB would not hold one stack frame per activity.
        let drawn = std::thread::Builder::new()
            .stack_size(64 * 1024)
            .spawn(move || layout(&long).nodes.len())
            .unwrap()
            .join()
            .expect("laid out without overflowing the stack");
        assert_eq!(drawn, 3_002);
    }

    #[test]
    fn the_same_definition_gives_the_same_layout() {
        for definition in definitions() {
            assert_eq!(layout(&definition), layout(&definition.clone()));
        }
    }
}
