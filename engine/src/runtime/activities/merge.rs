//! merge: waits until no other path can still arrive, then continues once. The waiting
//! paths share one run; `Machine::settle` fires it.

use crate::definition::Activity;
use crate::runtime::Machine;
use crate::ActivityState;

pub(super) fn enter(machine: &mut Machine, activity: &Activity) {
    let waiting = machine
        .instance
        .runs
        .iter()
        .position(|r| r.activity == activity.id && r.state == ActivityState::Running);
    match waiting {
        Some(index) => machine.instance.runs[index].tokens += 1,
        None => {
            machine.new_run(&activity.id, activity.type_name());
        }
    }
}
