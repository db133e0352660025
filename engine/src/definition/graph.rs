//! Checks of the activity graph: one start first, references that resolve, nothing
//! unreachable, no cycle without a way out, and a merge after every branch.

use super::raw::Problems;
use super::{ActivityId, ActivityKind, Definition};
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::ops::Range;

pub(super) fn check(
    definition: &Definition,
    lines: &BTreeMap<ActivityId, Range<usize>>,
    problems: &mut Problems,
) {
    let place = |id: &ActivityId| lines.get(id).cloned().unwrap_or(0..0);
    let activities = &definition.activities;

    let starts: Vec<_> = activities
        .iter()
        .filter(|a| matches!(a.kind, ActivityKind::Start { .. }))
        .collect();
    if !matches!(activities[0].kind, ActivityKind::Start { .. }) {
        problems.at(
            place(&activities[0].id),
            "the first activity must be the start activity",
        );
    }
    for extra in starts.iter().skip(1) {
        problems.at(
            place(&extra.id),
            format!("activity {} is a second start activity", extra.id),
        );
    }
    if !activities
        .iter()
        .any(|a| matches!(a.kind, ActivityKind::Finish))
    {
        problems.at(0..0, "the definition has no finish activity");
    }

    let known: BTreeSet<&ActivityId> = activities.iter().map(|a| &a.id).collect();
    let mut broken = false;
    for activity in activities {
        for target in activity.successors() {
            if !known.contains(target) {
                problems.at(
                    place(&activity.id),
                    format!(
                        "activity {} refers to unknown activity {target}",
                        activity.id
                    ),
                );
                broken = true;
            } else if target == &activities[0].id {
                problems.at(
                    place(&activity.id),
                    format!("activity {} leads back to the start activity", activity.id),
                );
            }
        }
    }
    if broken {
        return;
    }

    let successors: BTreeMap<&ActivityId, Vec<&ActivityId>> =
        activities.iter().map(|a| (&a.id, a.successors())).collect();
    let reachable = reach(&[&activities[0].id], |id| successors[id].clone());
    for activity in activities {
        if !reachable.contains(&activity.id) {
            problems.at(
                place(&activity.id),
                format!("activity {} is unreachable from the start", activity.id),
            );
        }
    }

    let mut predecessors: BTreeMap<&ActivityId, Vec<&ActivityId>> = BTreeMap::new();
    for (from, targets) in &successors {
        for to in targets {
            predecessors.entry(*to).or_default().push(*from);
        }
    }
    let finishes: Vec<&ActivityId> = activities
        .iter()
        .filter(|a| matches!(a.kind, ActivityKind::Finish))
        .map(|a| &a.id)
        .collect();
    let can_finish = reach(&finishes, |id| {
        predecessors.get(id).cloned().unwrap_or_default()
    });
    for activity in activities {
        if reachable.contains(&activity.id) && !can_finish.contains(&activity.id) {
            problems.at(
                place(&activity.id),
                format!(
                    "activity {} can never reach a finish (a cycle with no way out?)",
                    activity.id
                ),
            );
        }
    }

    let kinds: BTreeMap<&ActivityId, &ActivityKind> =
        activities.iter().map(|a| (&a.id, &a.kind)).collect();
    for activity in activities {
        let ActivityKind::Branch { next } = &activity.kind else {
            continue;
        };
        for start in next {
            // Walk this path until a merge; reaching a finish first means no merge.
            let mut seen = BTreeSet::new();
            let mut queue = VecDeque::from([start]);
            while let Some(id) = queue.pop_front() {
                if !seen.insert(id) {
                    continue;
                }
                match kinds[id] {
                    ActivityKind::Merge { .. } => {}
                    ActivityKind::Finish => {
                        problems.at(
                            place(&activity.id),
                            format!(
                                "branch {} has no merge on its path through {start}",
                                activity.id
                            ),
                        );
                        queue.clear();
                        break;
                    }
                    _ => queue.extend(successors[id].iter().copied()),
                }
            }
        }
    }
}

fn reach<'a>(
    from: &[&'a ActivityId],
    step: impl Fn(&'a ActivityId) -> Vec<&'a ActivityId>,
) -> BTreeSet<&'a ActivityId> {
    let mut seen: BTreeSet<&ActivityId> = BTreeSet::new();
    let mut queue: VecDeque<&ActivityId> = from.iter().copied().collect();
    while let Some(id) = queue.pop_front() {
        if seen.insert(id) {
            queue.extend(step(id));
        }
    }
    seen
}
