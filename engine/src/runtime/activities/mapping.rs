//! mapping: stores expression results at flowdata paths.

use crate::definition::{Activity, ActivityId, Assignment};
use crate::runtime::Machine;

pub(super) fn enter(
    machine: &mut Machine,
    activity: &Activity,
    assignments: &[Assignment],
    next: &ActivityId,
) {
    let seq = machine.new_run(&activity.id, activity.type_name());
    match super::rest::apply_assignments(machine, assignments) {
        Ok(()) => machine.complete(seq, &[next]),
        Err(error) => machine.wait_in_error(seq, error),
    }
}
