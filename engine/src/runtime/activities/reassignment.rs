//! Changing who is asked on a running approval: an administrator's reassignment
//! (modifyInstance) and the rule asked again after the directory changed
//! (notifyParticipantChanged), where whoever left makes way for whoever takes over.
//! Neither may ever ask the requester or the subject.

use super::approval::{approval_of, conclude, open_approval};
use super::participants::{cannot_be_handed, eligible, resolve};
use crate::definition::Approval;
use crate::runtime::model::{ApprovalRun, Because, Instance, Participant, RunMode};
use crate::runtime::{EngineError, Machine};
use crate::{ActivityState, UserName};

/// Replaces whoever is asked now on run `seq` with `users` (modifyInstance). Decisions
/// already made stay; the requester and the subject can never be asked, nor an
/// inactive user.
pub(crate) fn reassign(
    machine: &mut Machine,
    seq: u32,
    actor: &UserName,
    users: &[UserName],
) -> Result<(), EngineError> {
    let state = open_approval(machine, seq)?;
    if users.is_empty() {
        return Err(EngineError::CannotAssign(
            "nobody".into(),
            "an approval needs at least one participant",
        ));
    }
    for user in users {
        if let Some(why) = cannot_be_handed(machine, user) {
            return Err(EngineError::CannotAssign(user.to_string(), why));
        }
    }
    let decided: Vec<&UserName> = state.decisions.iter().map(|d| &d.user).collect();
    let new: Vec<UserName> =
        users
            .iter()
            .filter(|u| !decided.contains(u))
            .fold(Vec::new(), |mut unique, u| {
                if !unique.contains(u) {
                    unique.push(u.clone());
                }
                unique
            });
    let everyone = || {
        users
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    };
    if new.is_empty() {
        return Err(EngineError::CannotAssign(
            everyone(),
            "they have already decided",
        ));
    }
    if let RunMode::Quorum { required } = state.mode {
        if state.approvals() + (new.len() as u32) < required {
            return Err(EngineError::CannotAssign(
                everyone(),
                "too few people left to reach the quorum",
            ));
        }
    }
    let state = machine.approval_mut(seq);
    let mut notify = Vec::new();
    for participant in &mut state.participants {
        let undecided = !state.decisions.iter().any(|d| d.user == participant.user);
        if participant.active && undecided && !new.contains(&participant.user) {
            participant.active = false;
        }
    }
    for user in new {
        if !state
            .participants
            .iter()
            .any(|p| p.active && p.user == user)
        {
            state.participants.push(Participant {
                user: user.clone(),
                because: Because::Forwarded { by: actor.clone() },
                active: true,
            });
            notify.push(user);
        }
    }
    state.claimed_by = None;
    if !notify.is_empty() {
        machine.notify(seq, notify);
    }
    Ok(())
}

/// Whether the rule (not a person) put this participant there.
fn from_rule(because: &Because) -> bool {
    matches!(
        because,
        Because::Rule { .. }
            | Because::Substitute { .. }
            | Because::InsteadOfRequester { .. }
            | Because::InsteadOfBeneficiary { .. }
    )
}

/// Asks every approval still waiting whom its rule names now (notifyParticipantChanged).
/// Participants the rule put there and no longer names are replaced; an item a person
/// routed (forwarded, escalated, assigned) keeps its people. True when someone changed.
///
/// Someone who left (disabled or deleted in the directory) and has not decided makes way
/// for whoever takes over: whom the rule names now, or, when the rule names nobody (or too
/// few for the quorum) or a person routed the item, their manager, as an escalation would
/// ask them. A leaver nobody can take over for stays asked, and so does everyone when the
/// item could no longer reach its decision: an administrator reassigns it, and nobody's
/// leaving decides it.
///
/// Someone who may not decide (asked in an instance stored before the subject was
/// excluded) always steps down here, as long as the item keeps enough people to decide:
/// they could never decide, and in an all-must-approve item they would block it forever.
pub(crate) fn reevaluate(machine: &mut Machine) -> bool {
    let waiting: Vec<u32> = machine
        .instance
        .runs
        .iter()
        .filter(|r| r.state == ActivityState::Running)
        .filter(|r| r.approval.as_ref().is_some_and(|a| a.outcome.is_none()))
        .map(|r| r.seq)
        .collect();
    let mut changed = false;
    for seq in waiting {
        let Some(approval) = approval_of(machine, seq) else {
            continue;
        };
        let Some(current) = machine.instance.run(seq).and_then(|r| r.approval.clone()) else {
            continue;
        };
        let routed = routed_by_person(&machine.instance, &current);
        let change = if routed {
            None
        } else {
            rule_takes_over(machine, approval, &current)
        };
        let Some(change) = change.or_else(|| people_stay(machine, &current, routed)) else {
            continue;
        };
        changed = true;
        apply(machine, seq, approval, change);
    }
    changed
}

/// What re-evaluation makes of one approval: its new state, and who is newly asked.
struct Change {
    state: ApprovalRun,
    asked: Vec<UserName>,
}

/// Whether a person routed the item (forwarded, escalated, assigned): their choice stands,
/// and the rule does not take it back. Routing to someone excluded is no choice that can
/// stand.
fn routed_by_person(instance: &Instance, state: &ApprovalRun) -> bool {
    state
        .participants
        .iter()
        .any(|p| p.active && !from_rule(&p.because) && !instance.may_not_decide(&p.user))
}

fn undecided(state: &ApprovalRun, user: &UserName) -> bool {
    !state.decisions.iter().any(|d| &d.user == user)
}

/// The item of a rule asks whom the rule names now; undecided participants it put there
/// and no longer names step down, with whoever may not decide. None when the rule names
/// nobody, too few for the quorum, or nobody new.
fn rule_takes_over(
    machine: &Machine,
    approval: &Approval,
    current: &ApprovalRun,
) -> Option<Change> {
    let named = resolve(machine, &approval.participants, true);
    let stale = |user: &UserName| machine.instance.may_not_decide(user);
    let undecided_named = named.iter().filter(|n| undecided(current, &n.user)).count() as u32;
    let reachable = match current.mode {
        RunMode::Quorum { required } => current.approvals() + undecided_named >= required,
        _ => true,
    };
    if named.is_empty() || !reachable {
        return None;
    }
    let mut state = current.clone();
    let mut asked = Vec::new();
    for participant in &mut state.participants {
        if participant.active
            && undecided(current, &participant.user)
            && (stale(&participant.user)
                || (from_rule(&participant.because)
                    && !named.iter().any(|n| n.user == participant.user)))
        {
            participant.active = false;
        }
    }
    for candidate in named {
        let known = state
            .participants
            .iter()
            .any(|p| p.user == candidate.user && (p.active || !from_rule(&p.because)))
            || state.decisions.iter().any(|d| d.user == candidate.user);
        if !known {
            asked.push(candidate.user.clone());
            state.participants.push(candidate);
        }
    }
    (state != *current).then_some(Change { state, asked })
}

/// The item keeps its people, but for leavers, who make way for their managers, and
/// (once a person routed it) whoever may not decide. None when nothing changes.
fn people_stay(machine: &Machine, current: &ApprovalRun, routed: bool) -> Option<Change> {
    let (state, asked) =
        leavers_replaced(machine, current).unwrap_or_else(|| (current.clone(), Vec::new()));
    let state = if routed {
        without_stale(&machine.instance, &state).unwrap_or(state)
    } else {
        state
    };
    (state != *current).then_some(Change { state, asked })
}

/// `current` with every undecided participant who left the directory replaced by their
/// manager, exactly as an escalation would ask them (substitutes in place, never the
/// requester or the subject); a manager already asked is not asked twice, and a leaver
/// whose manager cannot be asked stays. None when nobody is replaced, or when the item
/// could then no longer reach its decision (too few left for the quorum).
fn leavers_replaced(
    machine: &Machine,
    current: &ApprovalRun,
) -> Option<(ApprovalRun, Vec<UserName>)> {
    let directory = machine.env.directory;
    let leavers: Vec<UserName> = current
        .undecided()
        .into_iter()
        .map(|p| p.user.clone())
        .filter(|user| !directory.is_active(user))
        .collect();
    let mut state = current.clone();
    let mut asked = Vec::new();
    for leaver in leavers {
        let next_level = directory
            .manager_of(&leaver)
            .map(|manager| {
                let because = Because::Escalation {
                    from: leaver.clone(),
                };
                (manager, because)
            })
            .into_iter()
            .collect();
        let taking_over = eligible(machine, next_level, true);
        if taking_over.is_empty() {
            continue;
        }
        for participant in &mut state.participants {
            if participant.active && participant.user == leaver {
                participant.active = false;
            }
        }
        for participant in taking_over {
            if !state
                .participants
                .iter()
                .any(|p| p.active && p.user == participant.user)
            {
                asked.push(participant.user.clone());
                state.participants.push(participant);
            }
        }
    }
    // A leaver steps down only for someone active, so somebody is always left; but a
    // manager asked already leaves one voter fewer, and a quorum may be out of reach.
    let undecided = state.undecided().len() as u32;
    let reachable = state.approvals() + undecided >= state.required();
    (state != *current && reachable).then_some((state, asked))
}

/// `state` without the undecided participants who may not decide, if any were asked and
/// the item keeps enough people to decide.
fn without_stale(instance: &Instance, state: &ApprovalRun) -> Option<ApprovalRun> {
    let mut next = state.clone();
    for participant in &mut next.participants {
        if participant.active
            && instance.may_not_decide(&participant.user)
            && undecided(state, &participant.user)
        {
            participant.active = false;
        }
    }
    let left = next.active_participants();
    let before = state.active_participants();
    (left != before && left > 0 && left >= next.required()).then_some(next)
}

/// Stores the new state of run `seq`: a claim by someone no longer asked ends, the
/// decisions already made are counted again (fewer people can make them decisive), and
/// whoever is newly asked hears of it.
fn apply(machine: &mut Machine, seq: u32, approval: &Approval, change: Change) {
    let Change { mut state, asked } = change;
    if state
        .claimed_by
        .as_ref()
        .is_some_and(|c| !state.participants.iter().any(|p| p.active && &p.user == c))
    {
        state.claimed_by = None;
    }
    let outcome = state.verdict();
    machine.run_mut(seq).approval = Some(state);
    if let Some(outcome) = outcome {
        conclude(machine, seq, approval, outcome, false);
        return;
    }
    if !asked.is_empty() {
        machine.notify(seq, asked);
    }
}
