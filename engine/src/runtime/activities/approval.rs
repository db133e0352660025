//! approval: people decide. Participants come from the definition's rule, with
//! substitutes honoured and neither the requester nor the person the request is for
//! among them ([`Instance::may_not_decide`]); decisions count by mode (any-one, all,
//! n-of-m); a timeout escalates, reminds, approves or denies ([`super::timeouts`]).
//!
//! [`Instance::may_not_decide`]: crate::runtime::model::Instance::may_not_decide

use super::participants::{cannot_be_handed, on_behalf, resolve};
use super::timeouts::arm_timer;
use crate::definition::{Activity, ActivityKind, Approval, ApprovalMode};
use crate::flowdata::Value;
use crate::runtime::model::{ApprovalRun, Because, Decision, Participant, RunMode, Verdict};
use crate::runtime::{EngineError, Machine};
use crate::{ActivityState, UserName};

/// The longest reason a decision may give.
pub(crate) const MAX_REASON_CHARS: usize = 2000;

pub(super) fn enter(machine: &mut Machine, activity: &Activity, approval: &Approval) {
    let seq = machine.new_run(&activity.id, activity.type_name());
    let participants = resolve(machine, &approval.participants, true);
    if participants.is_empty() {
        machine.wait_in_error(
            seq,
            "no eligible approver: the rule found nobody who may decide".into(),
        );
        return;
    }
    let count = participants.len() as u32;
    let mode = match approval.mode {
        ApprovalMode::AnyOne => RunMode::AnyOne,
        ApprovalMode::All => RunMode::All,
        ApprovalMode::Quorum { required } => {
            if required > count {
                machine.wait_in_error(
                    seq,
                    format!("quorum {required} cannot be reached by {count} eligible approvers"),
                );
                return;
            }
            RunMode::Quorum { required }
        }
    };
    let users: Vec<UserName> = participants.iter().map(|p| p.user.clone()).collect();
    machine.run_mut(seq).approval = Some(ApprovalRun::new(participants, mode));
    arm_timer(machine, seq, approval);
    machine.notify(seq, users);
}

/// The definition's approval that run `seq` runs, if it runs one.
pub(super) fn approval_of<'d>(machine: &Machine<'d>, seq: u32) -> Option<&'d Approval> {
    let run = machine.instance.run(seq)?;
    match &machine.definition.activity(&run.activity)?.kind {
        ActivityKind::Approval(approval) => Some(approval),
        _ => None,
    }
}

/// The state of run `seq` if it is an approval still waiting for decisions.
pub(super) fn open_approval<'m>(
    machine: &'m Machine,
    seq: u32,
) -> Result<&'m ApprovalRun, EngineError> {
    let run = machine.existing_run(seq)?;
    run.approval
        .as_ref()
        .filter(|_| run.state == ActivityState::Running)
        .filter(|a| a.outcome.is_none())
        .ok_or(EngineError::NotAwaitingDecision)
}

pub(crate) fn decide(
    machine: &mut Machine,
    seq: u32,
    actor: &UserName,
    by: Option<UserName>,
    verdict: Verdict,
    reason: Option<String>,
) -> Result<(), EngineError> {
    let by = on_behalf(&machine.instance, actor, by)?;
    let run = machine.existing_run(seq)?;
    // Someone never asked learns nothing about the activity's state; the requester and
    // the subject may read the workflow anyway, and hear why they cannot decide.
    let asked = run
        .approval
        .as_ref()
        .is_some_and(|a| a.participants.iter().any(|p| &p.user == actor));
    if !asked && !machine.instance.may_not_decide(actor) {
        return Err(EngineError::NotAParticipant);
    }
    let approval = approval_of(machine, seq).ok_or(EngineError::NotAwaitingDecision)?;
    let state = open_approval(machine, seq)?;
    // Also refuses a participant stored before the subject was excluded.
    if machine.instance.may_not_decide(actor) {
        return Err(EngineError::OwnRequest);
    }
    if state.decisions.iter().any(|d| &d.user == actor) {
        return Err(EngineError::AlreadyDecided);
    }
    if let Some(claimant) = state.claimed_by.as_ref().filter(|c| *c != actor) {
        return Err(EngineError::ClaimedBy(claimant.to_string()));
    }
    if !state
        .participants
        .iter()
        .any(|p| p.active && &p.user == actor)
    {
        return Err(EngineError::NotAParticipant);
    }
    let reason = check_reason(reason)?;
    if verdict == Verdict::Reject && approval.reason_required_on_reject && reason.is_none() {
        return Err(EngineError::ReasonRequired);
    }
    let now = machine.env.now;
    let state = machine.approval_mut(seq);
    state.decisions.push(Decision {
        user: actor.clone(),
        verdict,
        reason,
        at: now,
        by_timeout: false,
        by,
    });
    if let Some(outcome) = state.verdict() {
        conclude(machine, seq, approval, outcome, false);
    }
    Ok(())
}

/// A reason trimmed, and none when it is empty; a longer one than allowed is refused.
fn check_reason(reason: Option<String>) -> Result<Option<String>, EngineError> {
    let reason = reason
        .map(|r| r.trim().to_owned())
        .filter(|r| !r.is_empty());
    if reason
        .as_ref()
        .is_some_and(|r| r.chars().count() > MAX_REASON_CHARS)
    {
        return Err(EngineError::ReasonTooLong);
    }
    Ok(reason)
}

pub(crate) fn forward(
    machine: &mut Machine,
    seq: u32,
    actor: &UserName,
    to: &UserName,
) -> Result<(), EngineError> {
    let state = open_approval(machine, seq)?;
    if machine.instance.may_not_decide(actor) {
        // Only an instance stored before the subject was excluded gets here: they must
        // not choose who decides for them either.
        return Err(EngineError::OwnRequest);
    }
    if !state.awaits_decision_from(actor) {
        return Err(EngineError::NotAParticipant);
    }
    if let Some(why) = cannot_be_handed(machine, to) {
        return Err(EngineError::CannotForward(to.to_string(), why));
    }
    if state.participants.iter().any(|p| p.active && &p.user == to) {
        return Err(EngineError::CannotForward(
            to.to_string(),
            "already an approver of this item",
        ));
    }
    let state = machine.approval_mut(seq);
    for participant in &mut state.participants {
        if &participant.user == actor {
            participant.active = false;
        }
    }
    state.claimed_by = None;
    state.participants.push(Participant {
        user: to.clone(),
        because: Because::Forwarded { by: actor.clone() },
        active: true,
    });
    machine.notify(seq, vec![to.clone()]);
    Ok(())
}

pub(crate) fn claim(machine: &mut Machine, seq: u32, actor: &UserName) -> Result<(), EngineError> {
    let state = open_approval(machine, seq)?;
    if machine.instance.may_not_decide(actor) {
        return Err(EngineError::OwnRequest);
    }
    if let Some(claimant) = &state.claimed_by {
        return Err(EngineError::ClaimedBy(claimant.to_string()));
    }
    if !state.awaits_decision_from(actor) {
        return Err(EngineError::NotAParticipant);
    }
    if !state.is_pool() {
        return Err(EngineError::NotAPool);
    }
    machine.approval_mut(seq).claimed_by = Some(actor.clone());
    Ok(())
}

pub(crate) fn release(
    machine: &mut Machine,
    seq: u32,
    actor: &UserName,
) -> Result<(), EngineError> {
    let state = open_approval(machine, seq)?;
    if state.claimed_by.as_ref() != Some(actor) {
        return Err(EngineError::NotClaimed);
    }
    machine.approval_mut(seq).claimed_by = None;
    Ok(())
}

/// Ends run `seq` with `outcome`: records the decision in flowdata under the activity's
/// id and moves on where the definition says.
pub(super) fn conclude(
    machine: &mut Machine,
    seq: u32,
    approval: &Approval,
    outcome: Verdict,
    by_timeout: bool,
) {
    let activity = machine.instance.runs[seq as usize].activity.clone();
    let state = machine.approval_mut(seq);
    state.outcome = Some(outcome);
    state.timer_generation += 1;
    state.due_at = None;
    let approvers: Vec<Value> = state
        .decisions
        .iter()
        .filter(|d| d.verdict == Verdict::Approve)
        .map(|d| Value::text(d.user.as_str()))
        .collect();
    let reasons: Vec<Value> = state
        .decisions
        .iter()
        .filter_map(|d| d.reason.clone().map(Value::Text))
        .collect();
    let word = match outcome {
        Verdict::Approve => "approved",
        Verdict::Reject => "rejected",
    };
    machine.set_flowdata(&format!("{activity}/decision"), vec![Value::text(word)]);
    machine.set_flowdata(&format!("{activity}/approvers"), approvers);
    machine.set_flowdata(&format!("{activity}/reasons"), reasons);
    machine.set_flowdata(
        &format!("{activity}/timedOut"),
        vec![Value::Bool(by_timeout)],
    );
    let next = match (&approval.on_timeout, by_timeout, outcome) {
        (Some(on_timeout), true, _) => on_timeout,
        (_, _, Verdict::Approve) => &approval.on_approve,
        (_, _, Verdict::Reject) => &approval.on_reject,
    };
    machine.complete(seq, &[next]);
}
