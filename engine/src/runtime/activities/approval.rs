//! approval: people decide. Participants come from the definition's rule, with
//! substitutes honoured and neither the requester nor the person the request is for
//! among them ([`Instance::may_not_decide`]); decisions count by mode (any-one, all,
//! n-of-m); a timeout escalates, reminds, approves or denies.
//!
//! [`Instance::may_not_decide`]: crate::runtime::model::Instance::may_not_decide

use crate::definition::{Activity, ActivityKind, Approval, Participants, Party, TimeoutOutcome};
use crate::flowdata::Value;
use crate::runtime::model::{
    ApprovalRun, Because, Decision, Instance, Participant, RunMode, Verdict,
};
use crate::runtime::{check_reason, on_behalf, Effect, EngineError, Machine, Timer};
use crate::{ActivityState, UserName};

pub(crate) fn enter(machine: &mut Machine, activity: &Activity, approval: &Approval) {
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
        crate::definition::ApprovalMode::AnyOne => RunMode::AnyOne,
        crate::definition::ApprovalMode::All => RunMode::All,
        crate::definition::ApprovalMode::Quorum { required } => {
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
    machine.run_mut(seq).approval = Some(ApprovalRun {
        participants,
        decisions: Vec::new(),
        mode,
        escalations: 0,
        reminders: 0,
        due_at: None,
        timer_generation: 0,
        outcome: None,
        claimed_by: None,
    });
    arm_timer(machine, seq, approval);
    machine.effects.push(Effect::NotifyParticipants {
        run: seq,
        users,
        reminder: false,
    });
}

/// The users a rule names, with substitutes in place and inactive users left out. When
/// `deciding` (they will decide, not just be told), whoever may not decide this workflow
/// (the requester, the subject) is replaced by their own manager.
pub(crate) fn resolve(machine: &Machine, rule: &Participants, deciding: bool) -> Vec<Participant> {
    let directory = machine.env.directory;
    let instance = &machine.instance;
    let named: Vec<(UserName, String)> = match rule {
        Participants::ManagerOf(party) => {
            let whose = match party {
                Party::Initiator => Some(instance.initiator.clone()),
                _ => instance.subject_user(),
            };
            whose
                .and_then(|user| {
                    directory
                        .manager_of(&user)
                        .map(|manager| (manager, format!("manager of {user}")))
                })
                .into_iter()
                .collect()
        }
        Participants::ResourceOwner => instance
            .resources
            .iter()
            .filter_map(|resource| {
                directory
                    .owner_of(&resource.target_id)
                    .map(|owner| (owner, format!("owner of {}", resource.target_id)))
            })
            .collect(),
        Participants::Group(group) => directory
            .members_of(group)
            .into_iter()
            .map(|user| (user, format!("member of {group}")))
            .collect(),
        Participants::Users(users) => users
            .iter()
            .map(|user| (user.clone(), "named in the definition".to_owned()))
            .collect(),
    };
    let candidates = named
        .into_iter()
        .map(|(user, rule)| (user, Because::Rule { rule }))
        .collect();
    finalize(machine, candidates, deciding)
}

fn finalize(
    machine: &Machine,
    candidates: Vec<(UserName, Because)>,
    deciding: bool,
) -> Vec<Participant> {
    let directory = machine.env.directory;
    let instance = &machine.instance;
    let excluded = |user: &UserName| deciding && instance.may_not_decide(user);
    let mut chosen: Vec<Participant> = Vec::new();
    let add = |user: UserName, because: Because, chosen: &mut Vec<Participant>| {
        if directory.is_active(&user) && !chosen.iter().any(|p| p.user == user) {
            chosen.push(Participant {
                user,
                because,
                active: true,
            });
        }
    };
    for (user, because) in candidates {
        // A delegation to the requester or the subject would hand them the decision:
        // it is ignored and the person named stays asked.
        let (user, because) = match directory.substitute_for(&user, machine.env.now) {
            Some(substitute) if substitute != user && !excluded(&substitute) => {
                (substitute, Because::Substitute { for_user: user })
            }
            _ => (user, because),
        };
        if excluded(&user) {
            let instead = if user == instance.initiator {
                Because::InsteadOfRequester {
                    requester: user.clone(),
                }
            } else {
                Because::InsteadOfBeneficiary {
                    beneficiary: user.clone(),
                }
            };
            // One level up only: a manager who is excluded too (the rule names alice,
            // the request is for her and her manager bob asked) leaves nobody, and the
            // run waits for an administrator rather than guess further up.
            if let Some(manager) = directory.manager_of(&user).filter(|m| !excluded(m)) {
                add(manager, instead, &mut chosen);
            }
            continue;
        }
        add(user, because, &mut chosen);
    }
    chosen
}

pub(super) fn approval_of<'d>(machine: &Machine<'d>, seq: u32) -> Option<&'d Approval> {
    let run = machine.instance.run(seq)?;
    match &machine.definition.activity(&run.activity)?.kind {
        ActivityKind::Approval(approval) => Some(approval),
        _ => None,
    }
}

fn arm_timer(machine: &mut Machine, seq: u32, approval: &Approval) {
    let Some(timeout) = approval.timeout else {
        return;
    };
    let due_at = machine.env.now.plus_seconds(timeout.after_seconds);
    let run = machine.run_mut(seq);
    let Some(state) = run.approval.as_mut() else {
        return;
    };
    state.timer_generation += 1;
    state.due_at = Some(due_at);
    let generation = state.timer_generation;
    machine.timers.push(Timer {
        run: seq,
        generation,
        due_at,
    });
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
    let run = machine
        .instance
        .run(seq)
        .ok_or(EngineError::ActivityNotFound(seq))?;
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
    let state = run
        .approval
        .as_ref()
        .filter(|_| run.state == ActivityState::Running)
        .filter(|a| a.outcome.is_none())
        .ok_or(EngineError::NotAwaitingDecision)?;
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
    let state = machine
        .run_mut(seq)
        .approval
        .as_mut()
        .expect("checked above");
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

pub(crate) fn forward(
    machine: &mut Machine,
    seq: u32,
    actor: &UserName,
    to: &UserName,
) -> Result<(), EngineError> {
    let run = machine
        .instance
        .run(seq)
        .ok_or(EngineError::ActivityNotFound(seq))?;
    let state = run
        .approval
        .as_ref()
        .filter(|_| run.state == ActivityState::Running)
        .filter(|a| a.outcome.is_none())
        .ok_or(EngineError::NotAwaitingDecision)?;
    if machine.instance.may_not_decide(actor) {
        // Only an instance stored before the subject was excluded gets here: they must
        // not choose who decides for them either.
        return Err(EngineError::OwnRequest);
    }
    if !state.awaits_decision_from(actor) {
        return Err(EngineError::NotAParticipant);
    }
    if let Some(why) = excluded_because(&machine.instance, to) {
        return Err(EngineError::CannotForward(to.to_string(), why));
    }
    if !machine.env.directory.is_active(to) {
        return Err(EngineError::CannotForward(
            to.to_string(),
            "no such active user",
        ));
    }
    if state.participants.iter().any(|p| p.active && &p.user == to) {
        return Err(EngineError::CannotForward(
            to.to_string(),
            "already an approver of this item",
        ));
    }
    let state = machine
        .run_mut(seq)
        .approval
        .as_mut()
        .expect("checked above");
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
    machine.effects.push(Effect::NotifyParticipants {
        run: seq,
        users: vec![to.clone()],
        reminder: false,
    });
    Ok(())
}

pub(super) fn open_approval(machine: &Machine, seq: u32) -> Result<ApprovalRun, EngineError> {
    let run = machine
        .instance
        .run(seq)
        .ok_or(EngineError::ActivityNotFound(seq))?;
    run.approval
        .as_ref()
        .filter(|_| run.state == ActivityState::Running)
        .filter(|a| a.outcome.is_none())
        .cloned()
        .ok_or(EngineError::NotAwaitingDecision)
}

/// Why `user` may not be handed an item of this workflow, if they may not.
pub(super) fn excluded_because(instance: &Instance, user: &UserName) -> Option<&'static str> {
    if user == &instance.initiator {
        Some("the requester cannot decide on their own request")
    } else if instance.may_not_decide(user) {
        Some("the person the request is for cannot decide on it")
    } else {
        None
    }
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
    machine
        .run_mut(seq)
        .approval
        .as_mut()
        .expect("checked above")
        .claimed_by = Some(actor.clone());
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
    machine
        .run_mut(seq)
        .approval
        .as_mut()
        .expect("checked above")
        .claimed_by = None;
    Ok(())
}

/// Returns whether the timer changed anything; a stale or repeated timer does not.
pub(crate) fn timer_fired(machine: &mut Machine, seq: u32, generation: u32) -> bool {
    let Some(approval) = approval_of(machine, seq) else {
        return false;
    };
    let Some(timeout) = approval.timeout else {
        return false;
    };
    let live = machine.instance.run(seq).and_then(|run| {
        run.approval
            .as_ref()
            .filter(|a| run.state == ActivityState::Running && a.outcome.is_none())
            .filter(|a| a.timer_generation == generation)
    });
    let Some(state) = live.cloned() else {
        return false;
    };
    let final_outcome = match timeout.then {
        crate::definition::FinalTimeoutOutcome::Approve => Verdict::Approve,
        crate::definition::FinalTimeoutOutcome::Deny => Verdict::Reject,
    };
    match timeout.outcome {
        TimeoutOutcome::Approve => conclude(machine, seq, approval, Verdict::Approve, true),
        TimeoutOutcome::Deny => conclude(machine, seq, approval, Verdict::Reject, true),
        TimeoutOutcome::Remind if state.reminders < timeout.max_repeats => {
            let users = state.waiting_on().iter().map(|p| p.user.clone()).collect();
            machine
                .run_mut(seq)
                .approval
                .as_mut()
                .expect("live")
                .reminders += 1;
            arm_timer(machine, seq, approval);
            machine.effects.push(Effect::NotifyParticipants {
                run: seq,
                users,
                reminder: true,
            });
        }
        TimeoutOutcome::Escalate if state.escalations < timeout.max_repeats => {
            let undecided: Vec<UserName> =
                state.undecided().iter().map(|p| p.user.clone()).collect();
            let next_level: Vec<(UserName, Because)> = undecided
                .iter()
                .filter_map(|user| {
                    machine
                        .env
                        .directory
                        .manager_of(user)
                        .map(|manager| (manager, Because::Escalation { from: user.clone() }))
                })
                .collect();
            let mut escalated = finalize(machine, next_level, true);
            escalated.retain(|p| {
                !state
                    .participants
                    .iter()
                    .any(|existing| existing.active && existing.user == p.user)
            });
            if escalated.is_empty() {
                conclude(machine, seq, approval, final_outcome, true);
                return true;
            }
            let users = escalated.iter().map(|p| p.user.clone()).collect();
            let run_state = machine.run_mut(seq).approval.as_mut().expect("live");
            for participant in &mut run_state.participants {
                if undecided.contains(&participant.user) {
                    participant.active = false;
                }
            }
            run_state.participants.extend(escalated);
            run_state.escalations += 1;
            if run_state
                .claimed_by
                .as_ref()
                .is_some_and(|c| undecided.contains(c))
            {
                run_state.claimed_by = None;
            }
            // Two people escalating to one manager leave fewer voters; a quorum that can
            // no longer be reached ends the way the definition's final outcome says.
            if run_state.active_participants() < run_state.required() {
                conclude(machine, seq, approval, final_outcome, true);
                return true;
            }
            // Fewer voters can also make earlier rejections decisive.
            if let Some(outcome) = run_state.verdict() {
                conclude(machine, seq, approval, outcome, false);
                return true;
            }
            arm_timer(machine, seq, approval);
            machine.effects.push(Effect::NotifyParticipants {
                run: seq,
                users,
                reminder: false,
            });
        }
        TimeoutOutcome::Remind | TimeoutOutcome::Escalate => {
            conclude(machine, seq, approval, final_outcome, true)
        }
    }
    true
}

/// After a suspension, running approvals get their timers back.
pub(crate) fn rearm_timers(machine: &mut Machine) {
    let pending: Vec<(u32, u32, crate::runtime::model::Timestamp)> = machine
        .instance
        .runs
        .iter()
        .filter(|r| r.state == ActivityState::Running)
        .filter_map(|r| {
            let a = r.approval.as_ref()?;
            Some((r.seq, a.timer_generation + 1, a.due_at?))
        })
        .collect();
    for (seq, generation, due_at) in pending {
        let due_at = due_at.max(machine.env.now);
        if let Some(state) = machine.run_mut(seq).approval.as_mut() {
            state.timer_generation = generation;
            state.due_at = Some(due_at);
        }
        machine.timers.push(Timer {
            run: seq,
            generation,
            due_at,
        });
    }
}

pub(super) fn conclude(
    machine: &mut Machine,
    seq: u32,
    approval: &Approval,
    outcome: Verdict,
    by_timeout: bool,
) {
    let activity = machine.instance.runs[seq as usize].activity.clone();
    let state = machine
        .run_mut(seq)
        .approval
        .as_mut()
        .expect("an approval run");
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
