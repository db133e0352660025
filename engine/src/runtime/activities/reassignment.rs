//! Changing who is asked on a running approval: an administrator's reassignment
//! (modifyInstance) and the rule asked again after the directory changed
//! (notifyParticipantChanged). Neither may ever ask the requester or the subject.

use super::approval::{approval_of, conclude, open_approval};
use super::participants::{cannot_be_handed, resolve};
use crate::runtime::model::{ApprovalRun, Because, Participant, RunMode};
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
/// routed (forwarded, escalated, assigned) keeps its people. A rule that now names
/// nobody, or too few for the quorum, changes nothing. True when someone changed.
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
        let named = resolve(machine, &approval.participants, true);
        let Some(current) = machine.instance.run(seq).and_then(|r| r.approval.clone()) else {
            continue;
        };
        let instance = &machine.instance;
        let stale = |user: &UserName| instance.may_not_decide(user);
        // Once a person routed the item (forwarded, escalated, assigned), their choice
        // stands: the rule does not take it back. Routing to someone excluded is no
        // choice that can stand.
        let routed = current
            .participants
            .iter()
            .any(|p| p.active && !from_rule(&p.because) && !stale(&p.user));
        let mut state = current.clone();
        let mut notify = Vec::new();
        let undecided =
            |state: &ApprovalRun, user: &UserName| !state.decisions.iter().any(|d| &d.user == user);
        if routed {
            let before = state.active_participants();
            for participant in &mut state.participants {
                if participant.active
                    && stale(&participant.user)
                    && undecided(&current, &participant.user)
                {
                    participant.active = false;
                }
            }
            let left = state.active_participants();
            if left == before || left == 0 || left < state.required() {
                continue;
            }
        } else {
            let undecided_named = named
                .iter()
                .filter(|n| undecided(&current, &n.user))
                .count() as u32;
            let reachable = match current.mode {
                RunMode::Quorum { required } => current.approvals() + undecided_named >= required,
                _ => true,
            };
            if named.is_empty() || !reachable {
                continue;
            }
            for participant in &mut state.participants {
                if participant.active
                    && undecided(&current, &participant.user)
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
                    notify.push(candidate.user.clone());
                    state.participants.push(candidate);
                }
            }
            if state == current {
                continue;
            }
        }
        changed = true;
        if state
            .claimed_by
            .as_ref()
            .is_some_and(|c| !state.participants.iter().any(|p| p.active && &p.user == c))
        {
            state.claimed_by = None;
        }
        // Fewer people can make the decisions already made decisive.
        let outcome = state.verdict();
        machine.run_mut(seq).approval = Some(state);
        if let Some(outcome) = outcome {
            conclude(machine, seq, approval, outcome, false);
            continue;
        }
        if !notify.is_empty() {
            machine.notify(seq, notify);
        }
    }
    changed
}
