//! activation: a one-time key goes out by mail; the workflow waits until it comes back.
//! The engine never sees the key itself, only its hash and when it expires.
//!
//! The key goes to the account the request is for, at the address stored for it: an
//! address typed into the request could be anyone's, and whoever reads the mail holds
//! the account.

use crate::definition::{Activity, ActivityKind};
use crate::flowdata::Value;
use crate::runtime::model::Timestamp;
use crate::runtime::{Effect, EngineError, Machine};
use crate::ActivityState;

const KEY_HASH: &str = "keyHash";
/// Milliseconds since the epoch, stored beside the hash.
const KEY_EXPIRES_AT: &str = "keyExpiresAt";

pub(super) fn enter(machine: &mut Machine, activity: &Activity) {
    let seq = machine.new_run(&activity.id, activity.type_name());
    let Some(account) = machine.instance.subject_user() else {
        machine.wait_in_error(seq, "no account to send the activation key to".into());
        return;
    };
    machine
        .effects
        .push(Effect::IssueActivationKey { run: seq, account });
}

pub(crate) fn key_issued(
    machine: &mut Machine,
    seq: u32,
    key_hash: String,
    expires_at: Timestamp,
) -> bool {
    match machine.instance.run(seq) {
        Some(run) if run.state == ActivityState::Running && run.activity_type == "activation" => {
            // A second key (a retried delivery) replaces the first, expiry and all.
            let result = &mut machine.run_mut(seq).result;
            result.insert(KEY_HASH.into(), vec![Value::Text(key_hash)]);
            result.insert(KEY_EXPIRES_AT.into(), vec![Value::Int(expires_at.0)]);
            true
        }
        _ => false,
    }
}

pub(crate) fn activate(machine: &mut Machine, seq: u32, key_hash: &str) -> Result<(), EngineError> {
    let run = machine.existing_run(seq)?;
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
    // Only a matching key learns that it expired. A key stored without an expiry was
    // issued before keys expired, possibly to an address the requester typed: it counts
    // as expired.
    let expires_at = match run.result.get(KEY_EXPIRES_AT).and_then(|v| v.first()) {
        Some(Value::Int(millis)) => Some(Timestamp(*millis)),
        _ => None,
    };
    if expires_at.is_none_or(|at| machine.env.now >= at) {
        return Err(EngineError::ActivationKeyExpired);
    }
    let activity = run.activity.clone();
    let Some(ActivityKind::Activation { next }) = machine
        .definition
        .activity(&activity)
        .map(|a| a.kind.clone())
    else {
        return Err(EngineError::ActivityNotFound(seq));
    };
    let result = &mut machine.run_mut(seq).result;
    result.remove(KEY_HASH);
    result.remove(KEY_EXPIRES_AT);
    machine.set_flowdata(&format!("{activity}/activated"), vec![Value::Bool(true)]);
    machine.complete(seq, &[&next]);
    Ok(())
}
