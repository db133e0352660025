//! The activities whose work leaves the process through the caller's outbox: email, rest,
//! external and activation.

use super::{assignments, Converting, RawActivity};
use crate::definition::raw::timeout::parse_duration;
use crate::definition::{ActivityId, ActivityKind, External};

pub(super) fn email(raw: RawActivity, activity: &mut Converting) -> Option<ActivityKind> {
    let to = activity.participants(raw.to, format!("email activity {} needs to", activity.id));
    let template = activity.required(raw.template, "template");
    Some(ActivityKind::Email {
        next: activity.next(raw.next)?,
        to: to?,
        template: template?,
    })
}

/// `rest`: `endpoint` names one of the integrations file (checked when the call is made:
/// the file belongs to the installation, the definition may travel); `path` and `body`
/// are checked with the other expressions.
pub(super) fn rest(raw: RawActivity, activity: &mut Converting) -> Option<ActivityKind> {
    let endpoint = match activity.required(raw.endpoint, "endpoint") {
        Some(name) if name.trim().is_empty() => {
            let message = format!("rest {}: endpoint must name an endpoint", activity.id);
            activity.problem(message);
            None
        }
        endpoint => endpoint,
    };
    let method = raw.method.unwrap_or_else(|| "GET".into()).to_uppercase();
    if !["GET", "POST", "PUT", "PATCH", "DELETE"].contains(&method.as_str()) {
        let message = format!("rest {}: unsupported method {method}", activity.id);
        activity.problem(message);
    }
    if method == "GET" && raw.body.is_some() {
        let message = format!("rest {}: a GET sends no body", activity.id);
        activity.problem(message);
    }
    Some(ActivityKind::Rest {
        next: activity.next(raw.next)?,
        endpoint: endpoint?,
        method,
        path: raw.path.unwrap_or_default(),
        body: raw.body,
        // Optional here, unlike a mapping's: an answer need not be kept.
        response_mapping: assignments(raw.assign),
    })
}

/// Longest engine name and start (a deployment, a process) a hand-off can record.
const MAX_ENGINE_NAME: usize = 64;
const MAX_START: usize = 256;

pub(super) fn external(raw: RawActivity, activity: &mut Converting) -> Option<ActivityKind> {
    let engine = activity.required(raw.engine, "engine");
    let start = activity.required(raw.start, "start");
    for (key, value, longest) in [
        ("engine", &engine, MAX_ENGINE_NAME),
        ("start", &start, MAX_START),
    ] {
        match value.as_deref().map(str::trim) {
            Some("") => {
                let message = format!("external {}: {key} must not be empty", activity.id);
                activity.problem(message);
            }
            Some(text) if text.chars().count() > longest => {
                let message = format!(
                    "external {}: {key} is longer than {longest} characters",
                    activity.id
                );
                activity.problem(message);
            }
            _ => {}
        }
    }
    let time_limit_seconds = match raw.time_limit {
        None => None,
        Some(text) => match parse_duration(&text) {
            Some(seconds) if seconds > 0 => Some(seconds),
            _ => {
                let message = format!(
                    "external {}: time_limit {text:?} is not a span like 30m, 2h or 1d (at most 3650d)",
                    activity.id
                );
                activity.problem(message);
                None
            }
        },
    };
    let on_failure = raw.on_failure.map(|target| ActivityId(target.into_inner()));
    Some(ActivityKind::External(External {
        next: activity.next(raw.next)?,
        engine: engine?,
        start: start?,
        parameters: raw.parameters.unwrap_or_default().into_iter().collect(),
        result_mapping: assignments(raw.assign),
        time_limit_seconds,
        on_failure,
    }))
}

pub(super) fn activation(raw: RawActivity, activity: &mut Converting) -> Option<ActivityKind> {
    Some(ActivityKind::Activation {
        next: activity.next(raw.next)?,
    })
}
