//! rest: calls an endpoint of the portal's integrations file through the outbox and maps
//! its answer into flowdata.
//!
//! The caller answers with flat attributes (keys are flowdata paths): `status` (the HTTP
//! status), `body` (a JSON answer's members under it, `body/<member>/...`, items of an
//! array of objects under their index; any other answer as its text) and `calls` (one
//! line per try, for the timeline). The answer is kept on the run and in flowdata under
//! `<activity>/response`, and the `assign` expressions read it as `response`, every
//! attribute a list as in flowdata: `response.status[0] == 201`,
//! `response.body.employeeId`.

use crate::definition::{
    encode_segment, path_parts, Activity, ActivityId, ActivityKind, Assignment, PathPart,
    RESPONSE_VARIABLE,
};
use crate::expression::Val;
use crate::flowdata::{FlowData, FlowPath, Value};
use crate::runtime::values::flowdata_value;
use crate::runtime::{Effect, Machine};
use std::collections::BTreeMap;

/// Fills in the path and the body from flowdata and asks the caller to make the call. A
/// placeholder or member that cannot be computed makes the run wait in error before
/// anything is sent: an administrator can fix the data and resume it.
pub(super) fn enter(machine: &mut Machine, activity: &Activity) {
    let ActivityKind::Rest {
        endpoint,
        method,
        path,
        body,
        ..
    } = &activity.kind
    else {
        return;
    };
    let seq = machine.new_run(&activity.id, activity.type_name());
    let path = match fill_path(machine, path) {
        Ok(path) => path,
        Err(error) => {
            machine.wait_in_error(seq, error);
            return;
        }
    };
    let body = match body {
        None => None,
        Some(members) => {
            let mut values = BTreeMap::new();
            for (name, expression) in members {
                match machine.evaluate_values(expression) {
                    Ok(computed) => {
                        values.insert(name.clone(), computed);
                    }
                    Err(error) => {
                        machine.wait_in_error(seq, format!("body {name} = {expression}: {error}"));
                        return;
                    }
                }
            }
            Some(values)
        }
    };
    machine.effects.push(Effect::CallRest {
        run: seq,
        endpoint: endpoint.clone(),
        method: method.clone(),
        path,
        body,
    });
}

/// The path with each placeholder replaced by its one value, percent-encoded as a segment.
fn fill_path(machine: &Machine, path: &str) -> Result<String, String> {
    let mut filled = String::with_capacity(path.len());
    for part in path_parts(path)? {
        match part {
            PathPart::Text(text) => filled.push_str(text),
            PathPart::Placeholder(expression) => {
                let placeholder = |error: String| format!("path {{{expression}}}: {error}");
                let values = machine.evaluate_values(expression).map_err(placeholder)?;
                let [value] = values.as_slice() else {
                    return Err(placeholder(format!(
                        "gives {} values, and a path segment takes one",
                        values.len()
                    )));
                };
                filled.push_str(&encode_segment(&value.as_text()).map_err(placeholder)?);
            }
        }
    }
    Ok(filled)
}

pub(super) fn answered(
    machine: &mut Machine,
    seq: u32,
    activity: &Activity,
    mapping: &[Assignment],
    next: &ActivityId,
    result: BTreeMap<String, Vec<Value>>,
) -> bool {
    let response = response_value(&result);
    machine.record_result(seq, &format!("{}/response", activity.id), result);
    match apply_assignments_with(machine, mapping, &[(RESPONSE_VARIABLE, response)]) {
        Ok(()) => machine.complete(seq, &[next]),
        Err(error) => machine.wait_in_error(seq, error),
    }
    true
}

/// The answer as the `response` variable: nested as flowdata would nest it.
fn response_value(result: &BTreeMap<String, Vec<Value>>) -> Val {
    let mut tree = FlowData::new();
    for (key, values) in result {
        if let Ok(path) = FlowPath::parse(key) {
            tree.set(&path, values.clone());
        }
    }
    flowdata_value(&tree)
}

/// Stores each expression's value at its flowdata path, in order, so a later one can read
/// an earlier one's result. The first that fails stops it, named in the error.
pub(super) fn apply_assignments(
    machine: &mut Machine,
    assignments: &[Assignment],
) -> Result<(), String> {
    apply_assignments_with(machine, assignments, &[])
}

/// As [`apply_assignments`], the expressions also reading the variables `extra`.
fn apply_assignments_with(
    machine: &mut Machine,
    assignments: &[Assignment],
    extra: &[(&'static str, Val)],
) -> Result<(), String> {
    for assignment in assignments {
        let values = machine
            .evaluate_values_with(&assignment.expression, extra)
            .map_err(|e| format!("{} = {}: {e}", assignment.target, assignment.expression))?;
        machine.set_flowdata(&assignment.target, values);
    }
    Ok(())
}
