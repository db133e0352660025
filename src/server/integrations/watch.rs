//! The background work of external engines: each engine's health asked every
//! `health_every`, and the hand-offs reconciled every few seconds (each one asked only
//! once its `reconcile_after` has passed without a callback).

use crate::server::integrations::engines::Health;
use crate::server::workflow::Workflows;
use std::time::Duration;

/// How often reconciliation looks for hand-offs that are due.
pub const RECONCILE_EVERY: Duration = Duration::from_secs(2);

pub fn spawn(workflows: Workflows) {
    if workflows.engines().is_empty() {
        return;
    }
    for engine in workflows.engines().all().cloned().collect::<Vec<_>>() {
        let engines = workflows.engines().clone();
        let clock = workflows.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(engine.health_every);
            every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                every.tick().await;
                let checked = engine.check_health().await;
                let before = engines.health(&engine.name);
                let health = Health {
                    up: Some(checked.is_ok()),
                    last_error: match &checked {
                        Ok(()) => before.last_error.clone(),
                        Err(error) => Some(error.clone()),
                    },
                    checked_at: Some(clock.now()),
                };
                if before.up != health.up {
                    match &checked {
                        Ok(()) => tracing::info!(engine = %engine.name, "external engine is up"),
                        Err(error) => {
                            tracing::warn!(engine = %engine.name, %error, "external engine is down")
                        }
                    }
                }
                engines.record_health(&engine.name, health);
            }
        });
    }
    tokio::spawn(async move {
        let mut every = tokio::time::interval(RECONCILE_EVERY);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            every.tick().await;
            match workflows.reconcile_handoffs().await {
                Ok(0) => {}
                Ok(settled) => tracing::info!(settled, "hand-offs settled by reconciliation"),
                Err(error) => tracing::warn!(%error, "reconciling hand-offs"),
            }
        }
    });
}
