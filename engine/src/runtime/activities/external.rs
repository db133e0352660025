//! external: hands the request to an outside workflow engine and waits for its answer.

use crate::definition::{Activity, ActivityId};
use crate::flowdata::Value;
use crate::runtime::{Effect, Machine};
use std::collections::BTreeMap;

pub(super) fn enter(machine: &mut Machine, activity: &Activity, system: &str) {
    let seq = machine.new_run(&activity.id, activity.type_name());
    machine.effects.push(Effect::HandOff {
        run: seq,
        system: system.to_owned(),
    });
}

pub(super) fn answered(
    machine: &mut Machine,
    seq: u32,
    activity: &Activity,
    next: &ActivityId,
    result: BTreeMap<String, Vec<Value>>,
) -> bool {
    machine.record_result(seq, &activity.id.to_string(), result);
    machine.complete(seq, &[next]);
    true
}
