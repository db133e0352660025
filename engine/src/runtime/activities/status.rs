//! status: records the request's outcome (applicationState).

use crate::definition::{Activity, ActivityId};
use crate::runtime::Machine;
use crate::ApplicationState;

pub(super) fn enter(
    machine: &mut Machine,
    activity: &Activity,
    state: ApplicationState,
    next: &ActivityId,
) {
    let seq = machine.new_run(&activity.id, activity.type_name());
    machine.instance.application_state = Some(state);
    machine.complete(seq, &[next]);
}
