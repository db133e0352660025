//! branch: continues on every outgoing path at once.

use crate::definition::{Activity, ActivityId};
use crate::runtime::Machine;

pub(super) fn enter(machine: &mut Machine, activity: &Activity, next: &[ActivityId]) {
    let seq = machine.new_run(&activity.id, activity.type_name());
    let targets: Vec<&ActivityId> = next.iter().collect();
    machine.complete(seq, &targets);
}
