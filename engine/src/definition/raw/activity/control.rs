//! The activities that only steer: start, condition, branch, merge and finish.

use super::{Converting, OneOrMany, RawActivity};
use crate::definition::{ActivityId, ActivityKind};
use toml::Spanned;

pub(super) fn start(raw: RawActivity, activity: &mut Converting) -> Option<ActivityKind> {
    Some(ActivityKind::Start {
        next: activity.next(raw.next)?,
    })
}

pub(super) fn condition(raw: RawActivity, activity: &mut Converting) -> Option<ActivityKind> {
    let expression = activity.required(raw.expression, "expression");
    let when_true = activity.target(raw.when_true, "when_true");
    let when_false = activity.target(raw.when_false, "when_false");
    Some(ActivityKind::Condition {
        expression: expression?,
        when_true: when_true?,
        when_false: when_false?,
    })
}

pub(super) fn branch(raw: RawActivity, activity: &mut Converting) -> Option<ActivityKind> {
    match raw.next.map(Spanned::into_inner) {
        Some(OneOrMany::Many(targets)) if targets.len() >= 2 => Some(ActivityKind::Branch {
            next: targets.into_iter().map(ActivityId).collect(),
        }),
        _ => {
            let message = format!(
                "branch {} needs next = [at least two activities]",
                activity.id
            );
            activity.problem(message);
            None
        }
    }
}

pub(super) fn merge(raw: RawActivity, activity: &mut Converting) -> Option<ActivityKind> {
    Some(ActivityKind::Merge {
        next: activity.next(raw.next)?,
    })
}

pub(super) fn finish(raw: RawActivity, activity: &mut Converting) -> Option<ActivityKind> {
    if raw.next.is_some() {
        let message = format!("finish {} ends the workflow and takes no next", activity.id);
        activity.problem(message);
    }
    Some(ActivityKind::Finish)
}
