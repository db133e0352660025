//! log: writes an entry to the audit trail.

use crate::definition::{Activity, ActivityId};
use crate::runtime::{Effect, Machine};

pub(super) fn enter(machine: &mut Machine, activity: &Activity, message: &str, next: &ActivityId) {
    let seq = machine.new_run(&activity.id, activity.type_name());
    machine.effects.push(Effect::Audit {
        message: format!("workflow {}: {message}", machine.instance.id),
    });
    machine.complete(seq, &[next]);
}
