//! condition: follows one of two paths by a boolean expression.

use crate::definition::{Activity, ActivityId};
use crate::expression::{Expression, STANDARD_LOOKUPS};
use crate::runtime::Machine;

pub(super) fn enter(
    machine: &mut Machine,
    activity: &Activity,
    expression: &str,
    when_true: &ActivityId,
    when_false: &ActivityId,
) {
    let seq = machine.new_run(&activity.id, activity.type_name());
    let outcome = Expression::parse(expression, STANDARD_LOOKUPS)
        .and_then(|e| e.evaluate_bool(&machine.variables(), machine.env.lookups));
    match outcome {
        Ok(true) => machine.complete(seq, &[when_true]),
        Ok(false) => machine.complete(seq, &[when_false]),
        Err(error) => machine.wait_in_error(seq, format!("condition {expression:?}: {error}")),
    }
}
