//! start: the request form; its values are already in flowdata under `request/`.

use crate::definition::{Activity, ActivityId};
use crate::runtime::Machine;

pub(super) fn enter(machine: &mut Machine, activity: &Activity, next: &ActivityId) {
    let seq = machine.new_run(&activity.id, activity.type_name());
    machine.complete(seq, &[next]);
}
