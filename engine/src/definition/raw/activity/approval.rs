//! The activities where people decide: approval and certification.

use super::timeout;
use super::{Converting, RawActivity};
use crate::definition::{ActivityId, ActivityKind, Approval, ApprovalMode, Participants};
use toml::Spanned;

pub(super) fn approval(raw: RawActivity, activity: &mut Converting) -> Option<ActivityKind> {
    let participants = activity.participants(
        raw.participants,
        format!(
            "approval {} has no way to find participants: give participants",
            activity.id
        ),
    );
    let mode = mode(raw.mode, raw.quorum, participants.as_ref(), activity);
    // A broken timeout ends the conversion here, before on_approve and on_reject.
    let timeout = match raw.timeout {
        Some(raw) => Some(timeout::convert(raw, activity.problems)?),
        None => None,
    };
    let on_approve = activity.target(raw.on_approve, "on_approve");
    let on_reject = activity.target(raw.on_reject, "on_reject");
    Some(ActivityKind::Approval(Approval {
        participants: participants?,
        mode: mode?,
        timeout,
        reason_required_on_reject: raw.reason_required_on_reject,
        content_read_only: raw.content_read_only,
        sign_approve: raw.sign_approve,
        sign_deny: raw.sign_deny,
        on_approve: on_approve?,
        on_reject: on_reject?,
        on_timeout: raw.on_timeout.map(|t| ActivityId(t.into_inner())),
    }))
}

/// `mode` (and `quorum`): a quorum needs at least one approval, and no more than the
/// users it names.
fn mode(
    mode: Option<Spanned<String>>,
    quorum: Option<u32>,
    participants: Option<&Participants>,
    activity: &mut Converting,
) -> Option<ApprovalMode> {
    let id = activity.id;
    match mode.as_ref().map(|m| m.get_ref().as_str()) {
        None | Some("any") => Some(ApprovalMode::AnyOne),
        Some("all") => Some(ApprovalMode::All),
        Some("quorum") => match quorum {
            Some(required) if required >= 1 => {
                if let Some(Participants::Users(users)) = participants {
                    if required as usize > users.len() {
                        activity.problem(format!(
                            "approval {id}: quorum {required} is more than its {} users",
                            users.len()
                        ));
                    }
                }
                Some(ApprovalMode::Quorum { required })
            }
            _ => {
                activity.problem(format!(
                    "approval {id}: mode quorum needs quorum = N (at least 1)"
                ));
                None
            }
        },
        Some(other) => {
            activity.problem(format!(
                "approval {id}: mode must be any, all or quorum, not {other:?}"
            ));
            None
        }
    }
}

pub(super) fn certification(raw: RawActivity, activity: &mut Converting) -> Option<ActivityKind> {
    let participants = activity.participants(
        raw.participants,
        format!(
            "certification {} has no way to find its certifier: give participants",
            activity.id
        ),
    );
    Some(ActivityKind::Certification {
        next: activity.next(raw.next)?,
        participants: participants?,
    })
}
