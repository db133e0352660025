//! rest: calls a REST service through the outbox and maps its answer into flowdata.

use crate::definition::{Activity, ActivityId, Assignment};
use crate::flowdata::Value;
use crate::runtime::{Effect, Machine};
use std::collections::BTreeMap;

pub(super) fn enter(machine: &mut Machine, activity: &Activity, method: &str, url: &str) {
    let seq = machine.new_run(&activity.id, activity.type_name());
    machine.effects.push(Effect::CallRest {
        run: seq,
        method: method.to_owned(),
        url: url.to_owned(),
    });
}

pub(super) fn answered(
    machine: &mut Machine,
    seq: u32,
    activity: &Activity,
    mapping: &[Assignment],
    next: &ActivityId,
    result: BTreeMap<String, Vec<Value>>,
) -> bool {
    machine.record_result(seq, &format!("{}/response", activity.id), result);
    match apply_assignments(machine, mapping) {
        Ok(()) => machine.complete(seq, &[next]),
        Err(error) => machine.wait_in_error(seq, error),
    }
    true
}

/// Stores each expression's value at its flowdata path, in order, so a later one can read
/// an earlier one's result. The first that fails stops it, named in the error.
pub(super) fn apply_assignments(
    machine: &mut Machine,
    assignments: &[Assignment],
) -> Result<(), String> {
    for assignment in assignments {
        let values = machine
            .evaluate_values(&assignment.expression)
            .map_err(|e| format!("{} = {}: {e}", assignment.target, assignment.expression))?;
        machine.set_flowdata(&assignment.target, values);
    }
    Ok(())
}
