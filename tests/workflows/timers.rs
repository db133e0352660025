//! Timers: an escalation happens once, even when its job runs twice.

use crate::common::{self, Backend};
use crate::on_both_databases;
use crate::support::*;

on_both_databases!(timers_escalate_once_even_when_a_job_runs_twice,);

async fn timers_escalate_once_even_when_a_job_runs_twice(backend: Backend) {
    let f = fixture(backend).await;
    let instance = f.four_eye("alice", "alice").await;
    f.workflows.run_due_jobs("test", 10).await.unwrap();
    assert_eq!(
        f.workflows.run_due_jobs("test", 10).await.unwrap(),
        0,
        "the timeout is not due yet"
    );
    f.clock.advance(chrono::Duration::days(3));
    f.workflows.run_due_jobs("test", 10).await.unwrap();
    let escalated = f.workflows.instance(&instance.id).await.unwrap();
    assert_eq!(
        f.workflows.open_item_count(&user("erin")).await.unwrap(),
        1,
        "escalated to bob's manager"
    );
    assert_eq!(f.workflows.open_item_count(&user("bob")).await.unwrap(), 0);

    // The same timer job again, as after a crash between handling and marking it done.
    f.execute(
        "UPDATE jobs SET done_at = NULL, locked_until = NULL WHERE kind = 'timer' AND idempotency_key LIKE '%:1'",
    )
    .await;
    f.workflows.run_due_jobs("test", 10).await.unwrap();
    let after = f.workflows.instance(&instance.id).await.unwrap();
    assert_eq!(
        after.version, escalated.version,
        "a timer run twice has one effect"
    );
    assert_eq!(
        count(
            &f.db,
            "SELECT COUNT(*) AS n FROM jobs WHERE done_at IS NULL AND kind = 'timer'"
        )
        .await,
        1,
        "only the next level's timer is pending"
    );
}
