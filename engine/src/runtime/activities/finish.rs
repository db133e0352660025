//! finish: ends one path; the workflow ends when no path is left.

use crate::definition::Activity;
use crate::runtime::Machine;

pub(super) fn enter(machine: &mut Machine, activity: &Activity) {
    let seq = machine.new_run(&activity.id, activity.type_name());
    machine.complete(seq, &[]);
}
