//! Approval timeouts: a timer armed when an approval starts, and what happens when it
//! fires (escalate, remind, approve or deny, as the definition says). A timer carries a
//! generation; one that fires after the approval moved on is stale and changes nothing.

use super::approval::{approval_of, conclude, open_approval};
use super::participants::eligible;
use crate::definition::{Approval, FinalTimeoutOutcome, TimeoutOutcome};
use crate::runtime::model::{Because, Timestamp, Verdict};
use crate::runtime::{EngineError, Machine, Timer};
use crate::{ActivityState, UserName};

/// Arms the approval's timeout for run `seq`, if it has one; an earlier timer goes stale.
pub(super) fn arm_timer(machine: &mut Machine, seq: u32, approval: &Approval) {
    let Some(timeout) = approval.timeout else {
        return;
    };
    let due_at = machine.env.now.plus_seconds(timeout.after_seconds);
    let Some(state) = machine.run_mut(seq).approval.as_ref() else {
        return;
    };
    let generation = state.timer_generation + 1;
    set_timer(machine, seq, generation, due_at);
}

/// Moves the due time of the running approval `seq` to `due_at` (an administrator's
/// repair): a new timer is armed for it and the earlier one goes stale.
pub(crate) fn move_due(
    machine: &mut Machine,
    seq: u32,
    due_at: Timestamp,
) -> Result<(), EngineError> {
    open_approval(machine, seq)?;
    if approval_of(machine, seq).and_then(|a| a.timeout).is_none() {
        return Err(EngineError::NoTimeout);
    }
    if due_at <= machine.env.now {
        return Err(EngineError::DueInPast);
    }
    let generation = machine.approval_mut(seq).timer_generation + 1;
    set_timer(machine, seq, generation, due_at);
    Ok(())
}

/// Arms a timer of `generation` for approval run `seq`; only the latest generation counts
/// when it fires.
fn set_timer(machine: &mut Machine, seq: u32, generation: u32, due_at: Timestamp) {
    let state = machine.approval_mut(seq);
    state.timer_generation = generation;
    state.due_at = Some(due_at);
    machine.timers.push(Timer {
        run: seq,
        generation,
        due_at,
    });
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
        FinalTimeoutOutcome::Approve => Verdict::Approve,
        FinalTimeoutOutcome::Deny => Verdict::Reject,
    };
    match timeout.outcome {
        TimeoutOutcome::Approve => conclude(machine, seq, approval, Verdict::Approve, true),
        TimeoutOutcome::Deny => conclude(machine, seq, approval, Verdict::Reject, true),
        TimeoutOutcome::Remind if state.reminders < timeout.max_repeats => {
            let users = state.waiting_on().iter().map(|p| p.user.clone()).collect();
            machine.approval_mut(seq).reminders += 1;
            arm_timer(machine, seq, approval);
            machine.remind(seq, users);
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
            let mut escalated = eligible(machine, next_level, true);
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
            let run_state = machine.approval_mut(seq);
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
            machine.notify(seq, users);
        }
        TimeoutOutcome::Remind | TimeoutOutcome::Escalate => {
            conclude(machine, seq, approval, final_outcome, true)
        }
    }
    true
}

/// After a suspension, running approvals get their timers back.
pub(crate) fn rearm_timers(machine: &mut Machine) {
    let pending: Vec<(u32, u32, Timestamp)> = machine
        .instance
        .runs
        .iter()
        .filter(|r| r.state == ActivityState::Running)
        // Only a run with a due time (an approval with a timeout) had a timer.
        .filter_map(|r| {
            let a = r.approval.as_ref()?;
            Some((r.seq, a.timer_generation + 1, a.due_at?))
        })
        .collect();
    for (seq, generation, due_at) in pending {
        set_timer(machine, seq, generation, due_at.max(machine.env.now));
    }
}
