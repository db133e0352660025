//! The activities whose work leaves the process through the caller's outbox: email, rest,
//! external and activation.

use super::{assignments, Converting, RawActivity};
use crate::definition::ActivityKind;

pub(super) fn email(raw: RawActivity, activity: &mut Converting) -> Option<ActivityKind> {
    let to = activity.participants(raw.to, format!("email activity {} needs to", activity.id));
    let template = activity.required(raw.template, "template");
    Some(ActivityKind::Email {
        next: activity.next(raw.next)?,
        to: to?,
        template: template?,
    })
}

pub(super) fn rest(raw: RawActivity, activity: &mut Converting) -> Option<ActivityKind> {
    let url = activity.required(raw.url, "url");
    let method = raw.method.unwrap_or_else(|| "GET".into()).to_uppercase();
    if !["GET", "POST", "PUT", "PATCH", "DELETE"].contains(&method.as_str()) {
        let message = format!("rest {}: unsupported method {method}", activity.id);
        activity.problem(message);
    }
    Some(ActivityKind::Rest {
        next: activity.next(raw.next)?,
        url: url?,
        method,
        // Optional here, unlike a mapping's: an answer need not be kept.
        response_mapping: assignments(raw.assign),
    })
}

pub(super) fn external(raw: RawActivity, activity: &mut Converting) -> Option<ActivityKind> {
    let system = activity.required(raw.system, "system");
    Some(ActivityKind::External {
        next: activity.next(raw.next)?,
        system: system?,
    })
}

pub(super) fn activation(raw: RawActivity, activity: &mut Converting) -> Option<ActivityKind> {
    Some(ActivityKind::Activation {
        next: activity.next(raw.next)?,
    })
}
