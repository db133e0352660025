//! The activities that change the identity store: entity (attributes of the subject),
//! and entitlement, role_request and resource_request (grant or revoke one).

use super::{Converting, OneOrMany, RawActivity};
use crate::definition::{ActivityId, ActivityKind};
use toml::Spanned;

pub(super) fn entity(raw: RawActivity, activity: &mut Converting) -> Option<ActivityKind> {
    Some(ActivityKind::Entity {
        changes: activity.assignments(raw.assign),
        next: activity.next(raw.next)?,
    })
}

pub(super) fn entitlement(raw: RawActivity, activity: &mut Converting) -> Option<ActivityKind> {
    let (entitlement, grant, next) = granted(
        raw.entitlement,
        "entitlement",
        raw.action,
        raw.next,
        activity,
    )?;
    Some(ActivityKind::Entitlement {
        entitlement,
        grant,
        next,
    })
}

pub(super) fn role_request(raw: RawActivity, activity: &mut Converting) -> Option<ActivityKind> {
    let (role, grant, next) = granted(raw.role, "role", raw.action, raw.next, activity)?;
    Some(ActivityKind::RoleRequest { role, grant, next })
}

pub(super) fn resource_request(
    raw: RawActivity,
    activity: &mut Converting,
) -> Option<ActivityKind> {
    let (resource, grant, next) =
        granted(raw.resource, "resource", raw.action, raw.next, activity)?;
    Some(ActivityKind::ResourceRequest {
        resource,
        grant,
        next,
    })
}

/// What a grant-or-revoke activity shares: the item (its key named `key`), whether it is
/// granted (`action`), and `next`.
fn granted(
    item: Option<String>,
    key: &str,
    action: Option<String>,
    next: Option<Spanned<OneOrMany>>,
    activity: &mut Converting,
) -> Option<(String, bool, ActivityId)> {
    let item = activity.required(item, key);
    let grant = grant(action, activity);
    let next = activity.next(next)?;
    Some((item?, grant?, next))
}

/// `action`: `grant` (the default) or `revoke`.
fn grant(action: Option<String>, activity: &mut Converting) -> Option<bool> {
    let Some(word) = action else {
        return Some(true);
    };
    let key = format!("activity {}: action", activity.id);
    let actions = [("grant", true), ("revoke", false)];
    activity
        .problems
        .one_of(activity.span.clone(), &key, &word, &actions)
}
