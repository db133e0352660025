//! One module per activity type; `enter` runs an activity when control reaches it.

pub(super) mod activation;
pub(super) mod approval;
mod branch;
pub(super) mod certification;
mod condition;
mod email;
mod external;
mod finish;
mod log;
mod mapping;
mod merge;
mod participants;
mod provisioning;
pub(super) mod reassignment;
mod rest;
mod start;
mod status;
pub(super) mod timeouts;

use super::Machine;
use crate::definition::{Activity, ActivityKind};
use crate::flowdata::Value;
use crate::ActivityState;
use std::collections::BTreeMap;

pub(super) fn enter(machine: &mut Machine, activity: &Activity) {
    match &activity.kind {
        ActivityKind::Start { next } => start::enter(machine, activity, next),
        ActivityKind::Approval(approval) => approval::enter(machine, activity, approval),
        ActivityKind::Email { to, template, .. } => email::enter(machine, activity, to, template),
        ActivityKind::Mapping { assignments, next } => {
            mapping::enter(machine, activity, assignments, next)
        }
        ActivityKind::Condition {
            expression,
            when_true,
            when_false,
        } => condition::enter(machine, activity, expression, when_true, when_false),
        ActivityKind::Branch { next } => branch::enter(machine, activity, next),
        ActivityKind::Merge { .. } => merge::enter(machine, activity),
        ActivityKind::Status {
            application_state,
            next,
        } => status::enter(machine, activity, *application_state, next),
        ActivityKind::Log { message, next } => log::enter(machine, activity, message, next),
        ActivityKind::Entity { .. }
        | ActivityKind::Entitlement { .. }
        | ActivityKind::RoleRequest { .. }
        | ActivityKind::ResourceRequest { .. } => provisioning::enter(machine, activity),
        ActivityKind::Rest { .. } => rest::enter(machine, activity),
        ActivityKind::External(external) => external::enter(machine, activity, external),
        ActivityKind::Activation { .. } => activation::enter(machine, activity),
        ActivityKind::Certification { participants, .. } => {
            certification::enter(machine, activity, participants)
        }
        ActivityKind::Finish => finish::enter(machine, activity),
    }
}

/// An effect run `seq` waited for has been carried out, with `result`. True when that
/// moved the run on; a duplicate delivery does not.
pub(super) fn effect_succeeded(
    machine: &mut Machine,
    seq: u32,
    result: BTreeMap<String, Vec<Value>>,
) -> bool {
    let Some(run) = machine.instance.run(seq) else {
        return false;
    };
    if run.state != ActivityState::Running {
        return false; // a duplicate delivery: the first one counted
    }
    let Some(activity) = machine.definition.activity(&run.activity).cloned() else {
        return false;
    };
    match &activity.kind {
        ActivityKind::Email { next, .. } => {
            machine.complete(seq, &[next]);
            true
        }
        ActivityKind::Rest {
            response_mapping,
            next,
            ..
        } => rest::answered(machine, seq, &activity, response_mapping, next, result),
        ActivityKind::External(external) => {
            external::answered(machine, seq, &activity, external, result)
        }
        _ => false,
    }
}

/// The external run that run `seq` handed off to failed: see [`external::failed`].
pub(super) fn external_failed(machine: &mut Machine, seq: u32, reason: String) -> bool {
    let Some(run) = machine.instance.run(seq) else {
        return false;
    };
    if run.state != ActivityState::Running {
        return false; // already answered
    }
    match machine.definition.activity(&run.activity).cloned() {
        Some(Activity {
            kind: ActivityKind::External(external),
            id,
            ..
        }) => external::failed(machine, seq, &id, &external, reason),
        _ => false,
    }
}

/// An effect run `seq` waited for failed for good: the run waits in error until someone
/// resumes it. An approval's only effects are notifications: one that fails does not stop
/// the approval.
pub(super) fn effect_failed(machine: &mut Machine, seq: u32, error: String) -> bool {
    match machine.instance.run(seq) {
        Some(run) if run.state == ActivityState::Running && run.approval.is_none() => {
            machine.wait_in_error(seq, error);
            true
        }
        _ => false,
    }
}
