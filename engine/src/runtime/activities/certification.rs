//! certification: a certifier reviews each listed item of the subject (the request's
//! resource orders), keeping or revoking it; on submit the revoked ones are taken away.

use super::participants::{on_behalf, resolve};
use crate::definition::{Activity, ActivityKind, Participants};
use crate::flowdata::Value;
use crate::runtime::model::{ApprovalRun, RunMode, Verdict};
use crate::runtime::{Effect, EngineError, IdentityChange, Machine};
use crate::{ActivityState, UserName};
use std::collections::BTreeMap;

const KEEP: &str = "keep";
const REVOKE: &str = "revoke";

pub(super) fn enter(machine: &mut Machine, activity: &Activity, participants: &Participants) {
    let seq = machine.new_run(&activity.id, activity.type_name());
    let certifiers = resolve(machine, participants, true);
    if certifiers.is_empty() {
        machine.wait_in_error(seq, "no eligible certifier".into());
        return;
    }
    let users: Vec<UserName> = certifiers.iter().map(|p| p.user.clone()).collect();
    // The certifiers are held like approvers, so the item shows in their worklists.
    machine.run_mut(seq).approval = Some(ApprovalRun::new(certifiers, RunMode::AnyOne));
    machine.notify(seq, users);
}

/// Records a certifier's verdicts; on `submit`, every item must have one, and the revoked
/// ones are taken away.
pub(crate) fn certify(
    machine: &mut Machine,
    seq: u32,
    actor: &UserName,
    by: Option<UserName>,
    verdicts: BTreeMap<String, bool>,
    submit: bool,
) -> Result<(), EngineError> {
    let by = on_behalf(&machine.instance, actor, by)?;
    let run = machine.existing_run(seq)?;
    if run.state != ActivityState::Running || run.activity_type != "certification" {
        return Err(EngineError::NotAwaitingDecision);
    }
    // Nobody certifies their own access, nor the campaign item they started.
    if machine.instance.may_not_decide(actor) {
        return Err(EngineError::OwnRequest);
    }
    let certifier = run
        .approval
        .as_ref()
        .is_some_and(|a| a.awaits_decision_from(actor));
    if !certifier {
        return Err(EngineError::NotAParticipant);
    }
    let items = machine.instance.item_ids();
    if let Some(unknown) = verdicts.keys().find(|item| !items.contains(item)) {
        return Err(EngineError::NotACertificationItem(unknown.clone()));
    }
    let mut recorded = run.result.clone();
    for (item, keep) in verdicts {
        recorded.insert(item, vec![Value::text(if keep { KEEP } else { REVOKE })]);
    }
    if submit && items.iter().any(|item| !recorded.contains_key(item)) {
        return Err(EngineError::CertificationIncomplete);
    }
    machine.run_mut(seq).result = recorded.clone();
    if !submit {
        return Ok(());
    }
    let activity = machine.instance.runs[seq as usize].activity.clone();
    let Some(ActivityKind::Certification { next, .. }) = machine
        .definition
        .activity(&activity)
        .map(|a| a.kind.clone())
    else {
        return Err(EngineError::ActivityNotFound(seq));
    };
    let user = machine.instance.subject_id();
    let mut revoked = Vec::new();
    for resource in machine.instance.resources.clone() {
        if recorded.get(&resource.target_id).and_then(|v| v.first()) == Some(&Value::text(REVOKE)) {
            revoked.push(Value::text(resource.target_id.as_str()));
            let change = match resource.object_type.as_str() {
                "role" => IdentityChange::Role {
                    user: user.clone(),
                    role: resource.target_id.clone(),
                    grant: false,
                },
                "entitlement" => IdentityChange::Entitlement {
                    user: user.clone(),
                    entitlement: resource.target_id.clone(),
                    grant: false,
                },
                _ => IdentityChange::Resource {
                    user: user.clone(),
                    resource: resource.target_id.clone(),
                    grant: false,
                },
            };
            machine
                .effects
                .push(Effect::ChangeIdentity { run: seq, change });
        }
    }
    machine.set_flowdata(&format!("{activity}/revoked"), revoked);
    machine.set_flowdata(
        &format!("{activity}/certifiedBy"),
        vec![Value::text(actor.as_str())],
    );
    // Submitted by someone else for the certifier: the record says who.
    if let Some(by) = by {
        machine.set_flowdata(
            &format!("{activity}/certifiedOnBehalfBy"),
            vec![Value::text(by.as_str())],
        );
    }
    if let Some(approval) = machine.run_mut(seq).approval.as_mut() {
        approval.outcome = Some(Verdict::Approve);
    }
    machine.complete(seq, &[&next]);
    Ok(())
}
