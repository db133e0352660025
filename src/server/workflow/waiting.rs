//! Waiting for a workflow to reach a state (idle, ended) without polling: every commit
//! announces the instances it changed, and a waiter re-reads its workflow only when that
//! workflow changed (or when it fell so far behind that it cannot tell).
//!
//! The announcements are in-process: with several portal nodes on one PostgreSQL, a wait
//! on one node for a step another node commits ends at its timeout (see the README).

use super::committer::Done;
use super::{WorkflowError, Workflows};
use assent_engine::runtime::model::Instance;
use assent_engine::{ActivityState, UserName};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::broadcast::error::RecvError;
use tokio::time::Instant;

/// Activity types that wait for a person.
const PEOPLE_ACTIVITIES: &[&str] = &["approval", "start", "activation", "certification"];

/// Ended, or waiting for a person: the workflow does nothing more by itself.
pub fn is_idle(instance: &Instance) -> bool {
    instance.state.is_terminal()
        || instance.runs.iter().any(|run| {
            run.state == ActivityState::Running
                && PEOPLE_ACTIVITIES.contains(&run.activity_type.as_str())
        })
}

impl Workflows {
    pub(crate) fn announce(&self, done: &Done) {
        // No receiver is no error: nobody waits.
        let _ = self.changes.send(done.instance().id.clone());
    }

    /// One of the bounded slots for a request of `waiter` that will wait: taken before
    /// the request changes anything, so a refusal ([`WorkflowError::TooManyWaiting`])
    /// leaves nothing done.
    pub fn wait_slot(&self, waiter: &UserName) -> Result<WaitSlot, WorkflowError> {
        self.waiters
            .take(waiter)
            .ok_or(WorkflowError::TooManyWaiting)
    }

    /// The workflow once `reached` holds for it, or as it is when `deadline` passes
    /// (`timed_out` true). Only a request holding a slot may wait.
    pub async fn wait_until(
        &self,
        _slot: &WaitSlot,
        instance_id: &str,
        deadline: Instant,
        reached: impl Fn(&Instance) -> bool,
    ) -> Result<(Instance, bool), WorkflowError> {
        // Subscribe before reading, so no change between the read and the wait is missed.
        let mut changes = self.changes.subscribe();
        let mut instance = self.instance(instance_id).await?;
        loop {
            if reached(&instance) {
                return Ok((instance, false));
            }
            match tokio::time::timeout_at(deadline, changes.recv()).await {
                Err(_elapsed) => return Ok((instance, true)),
                Ok(Ok(changed)) if changed != instance_id => continue,
                Ok(Ok(_)) | Ok(Err(RecvError::Lagged(_))) => {
                    instance = self.instance(instance_id).await?;
                }
                Ok(Err(RecvError::Closed)) => return Ok((instance, true)),
            }
        }
    }
}

/// Requests that may wait on workflows at once, by default.
pub const DEFAULT_MAX_WAITING: usize = 256;

/// The bounded slots of waiting requests: a wait is a parked request and a subscription,
/// cheap but not free, and each caller gets at most an eighth of them so that one client
/// cannot keep everyone else from waiting.
pub struct WaitSlots {
    max: usize,
    per_caller: usize,
    taken: Mutex<(usize, HashMap<UserName, usize>)>,
}

impl WaitSlots {
    pub fn new(max: usize) -> Self {
        Self {
            max,
            per_caller: (max / 8).max(1),
            taken: Mutex::default(),
        }
    }

    fn take(self: &Arc<Self>, caller: &UserName) -> Option<WaitSlot> {
        let mut taken = self.taken.lock().unwrap_or_else(|e| e.into_inner());
        let (total, by_caller) = &mut *taken;
        let mine = by_caller.get(caller).copied().unwrap_or(0);
        if *total >= self.max || mine >= self.per_caller {
            return None;
        }
        *total += 1;
        by_caller.insert(caller.clone(), mine + 1);
        Some(WaitSlot {
            slots: Arc::clone(self),
            caller: caller.clone(),
        })
    }
}

/// A taken slot, given back when the wait ends (however it ends).
pub struct WaitSlot {
    slots: Arc<WaitSlots>,
    caller: UserName,
}

impl Drop for WaitSlot {
    fn drop(&mut self) {
        let mut taken = self.slots.taken.lock().unwrap_or_else(|e| e.into_inner());
        let (total, by_caller) = &mut *taken;
        *total = total.saturating_sub(1);
        if let Some(mine) = by_caller.get_mut(&self.caller) {
            *mine = mine.saturating_sub(1);
            if *mine == 0 {
                by_caller.remove(&self.caller);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_bounded_in_all_and_per_caller_and_given_back() {
        let slots = Arc::new(WaitSlots::new(16));
        let alice = UserName::parse("alice").unwrap();
        let bob = UserName::parse("bob").unwrap();
        let first = slots.take(&alice).expect("a free slot");
        let second = slots.take(&alice).expect("a second slot");
        assert!(slots.take(&alice).is_none(), "alice's share is 16 / 8 = 2");
        let bobs = slots.take(&bob).expect("bob has his own share");
        drop(first);
        assert!(
            slots.take(&alice).is_some(),
            "a slot comes back when dropped"
        );
        drop((second, bobs));
        let everyone: Vec<_> = (0..8)
            .flat_map(|i| {
                let user = UserName::parse(&format!("u{i}")).unwrap();
                [slots.take(&user), slots.take(&user)]
            })
            .collect();
        assert!(everyone.iter().all(Option::is_some));
        let late = UserName::parse("late").unwrap();
        assert!(slots.take(&late).is_none(), "all 16 slots are taken");
    }
}
