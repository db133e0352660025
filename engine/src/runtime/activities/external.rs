//! external: hands the request to an outside workflow engine and waits for its answer.
//! Starting it, the callback and the reconciliation are the caller's (through the
//! [`Effect::HandOff`] it is given); the engine computes the parameters and decides what
//! the answer means for the workflow.

use crate::definition::{Activity, ActivityId, External};
use crate::flowdata::Value;
use crate::runtime::{Effect, Machine};
use std::collections::BTreeMap;

pub(super) fn enter(machine: &mut Machine, activity: &Activity, external: &External) {
    let seq = machine.new_run(&activity.id, activity.type_name());
    let mut parameters = BTreeMap::new();
    for (name, expression) in &external.parameters {
        match machine.evaluate_values(expression) {
            Ok(values) => {
                parameters.insert(name.clone(), values);
            }
            Err(error) => {
                // Nothing was started: an administrator can fix the data and resume.
                machine.wait_in_error(seq, format!("parameter {name} = {expression}: {error}"));
                return;
            }
        }
    }
    machine.effects.push(Effect::HandOff {
        run: seq,
        engine: external.engine.clone(),
        start: external.start.clone(),
        parameters,
        time_limit_seconds: external.time_limit_seconds,
    });
}

/// The outside run finished well with `result`: it is kept in flowdata under the
/// activity's id (`flowdata.<id>.<key>`), the mapping applied, and the workflow goes on.
pub(super) fn answered(
    machine: &mut Machine,
    seq: u32,
    activity: &Activity,
    external: &External,
    result: BTreeMap<String, Vec<Value>>,
) -> bool {
    machine.record_result(seq, &activity.id.to_string(), result);
    match super::rest::apply_assignments(machine, &external.result_mapping) {
        Ok(()) => machine.complete(seq, &[&external.next]),
        Err(error) => machine.wait_in_error(seq, error),
    }
    true
}

/// The outside run failed, was cancelled or is overdue: with an `on_failure` path the
/// workflow takes it (the reason kept as `flowdata.<id>.error`); without one, the
/// activity waits in error for an administrator.
pub(super) fn failed(
    machine: &mut Machine,
    seq: u32,
    id: &ActivityId,
    external: &External,
    reason: String,
) -> bool {
    match &external.on_failure {
        Some(on_failure) => {
            machine.set_flowdata(&format!("{id}/error"), vec![Value::text(reason.clone())]);
            machine.effects.push(Effect::Audit {
                message: format!("activity {id} failed in {}: {reason}", external.engine),
            });
            machine.fail(seq, reason, &[on_failure]);
        }
        None => machine.wait_in_error(seq, reason),
    }
    true
}
