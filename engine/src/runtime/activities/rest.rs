//! rest: calls a REST service through the outbox and maps its answer into flowdata.

use crate::definition::{Activity, ActivityId, Assignment};
use crate::expression::{Expression, STANDARD_LOOKUPS};
use crate::flowdata::Value;
use crate::runtime::{to_values, Effect, Machine};
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
    for (key, values) in &result {
        machine.set_flowdata(&format!("{}/response/{key}", activity.id), values.clone());
    }
    machine.run_mut(seq).result = result;
    match apply_assignments(machine, mapping) {
        Ok(()) => machine.complete(seq, &[next]),
        Err(error) => machine.wait_in_error(seq, error),
    }
    true
}

pub(super) fn apply_assignments(
    machine: &mut Machine,
    assignments: &[Assignment],
) -> Result<(), String> {
    for assignment in assignments {
        let values = Expression::parse(&assignment.expression, STANDARD_LOOKUPS)
            .map_err(|e| e.to_string())
            .and_then(|e| {
                e.evaluate(&machine.variables(), machine.env.lookups)
                    .map_err(|e| e.to_string())
            })
            .and_then(to_values)
            .map_err(|e| format!("{} = {}: {e}", assignment.target, assignment.expression))?;
        machine.set_flowdata(&assignment.target, values);
    }
    Ok(())
}
