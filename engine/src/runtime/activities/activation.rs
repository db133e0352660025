//! activation: a one-time key goes out by mail; the workflow waits until it comes back.
//! The engine never sees the key itself, only its hash.

use crate::definition::{Activity, ActivityKind};
use crate::flowdata::{FlowPath, Value};
use crate::runtime::{Effect, EngineError, Machine};
use crate::ActivityState;

const KEY_HASH: &str = "keyHash";

pub(super) fn enter(machine: &mut Machine, activity: &Activity) {
    let seq = machine.new_run(&activity.id, activity.type_name());
    let email = FlowPath::parse("request/email")
        .ok()
        .and_then(|path| machine.instance.flowdata.get(&path).first().cloned());
    let to = match email {
        Some(address) => address.as_text(),
        None => match machine.instance.subject.as_ref() {
            Some(subject) => subject.target_id.clone(),
            None => {
                machine.wait_in_error(seq, "no address to send the activation key to".into());
                return;
            }
        },
    };
    machine
        .effects
        .push(Effect::IssueActivationKey { run: seq, to });
}

pub(crate) fn key_issued(machine: &mut Machine, seq: u32, key_hash: String) -> bool {
    match machine.instance.run(seq) {
        Some(run) if run.state == ActivityState::Running && run.activity_type == "activation" => {
            // A second key (a retried delivery) replaces the first.
            machine
                .run_mut(seq)
                .result
                .insert(KEY_HASH.into(), vec![Value::Text(key_hash)]);
            true
        }
        _ => false,
    }
}

pub(crate) fn activate(machine: &mut Machine, seq: u32, key_hash: &str) -> Result<(), EngineError> {
    let run = machine
        .instance
        .run(seq)
        .ok_or(EngineError::ActivityNotFound(seq))?;
    if run.state != ActivityState::Running || run.activity_type != "activation" {
        return Err(EngineError::InvalidState(machine.instance.state));
    }
    let expected = run
        .result
        .get(KEY_HASH)
        .and_then(|v| v.first())
        .map(Value::as_text);
    if expected.as_deref() != Some(key_hash) {
        return Err(EngineError::InvalidActivationKey);
    }
    let activity = run.activity.clone();
    let Some(ActivityKind::Activation { next }) = machine
        .definition
        .activity(&activity)
        .map(|a| a.kind.clone())
    else {
        return Err(EngineError::ActivityNotFound(seq));
    };
    machine.run_mut(seq).result.remove(KEY_HASH);
    machine.set_flowdata(&format!("{activity}/activated"), vec![Value::Bool(true)]);
    machine.complete(seq, &[&next]);
    Ok(())
}
