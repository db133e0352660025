//! Waiting for a workflow to reach a state (idle, ended) without polling: every commit
//! announces the instances it changed, and a waiter re-reads its workflow only when that
//! workflow changed (or when it fell so far behind that it cannot tell).
//!
//! The announcements are in-process: with several portal nodes on one PostgreSQL, a wait
//! on one node for a step another node commits ends at its timeout (see the README).

use super::committer::Done;
use super::{WorkflowError, Workflows};
use assent_engine::runtime::model::Instance;
use assent_engine::ActivityState;
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

    /// The workflow once `reached` holds for it, or as it is when `deadline` passes
    /// (`timed_out` true).
    pub async fn wait_until(
        &self,
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
