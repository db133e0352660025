//! The activities that record: values into flowdata (mapping), the request's outcome
//! (status), and an entry in the audit trail (log).

use super::{Converting, RawActivity};
use crate::definition::ActivityKind;
use crate::ApplicationState;

pub(super) fn mapping(raw: RawActivity, activity: &mut Converting) -> Option<ActivityKind> {
    Some(ActivityKind::Mapping {
        assignments: activity.assignments(raw.assign),
        next: activity.next(raw.next)?,
    })
}

pub(super) fn status(raw: RawActivity, activity: &mut Converting) -> Option<ActivityKind> {
    let state = match raw.application_state.as_deref() {
        Some("ACCEPTED") | Some("approved") => Some(ApplicationState::Accepted),
        Some("REJECTED") | Some("denied") => Some(ApplicationState::Rejected),
        other => {
            let message = format!(
                "status {}: application_state must be ACCEPTED or REJECTED, not {other:?}",
                activity.id
            );
            activity.problem(message);
            None
        }
    };
    Some(ActivityKind::Status {
        next: activity.next(raw.next)?,
        application_state: state?,
    })
}

pub(super) fn log(raw: RawActivity, activity: &mut Converting) -> Option<ActivityKind> {
    let message = activity.required(raw.message, "message");
    Some(ActivityKind::Log {
        next: activity.next(raw.next)?,
        message: message?,
    })
}
