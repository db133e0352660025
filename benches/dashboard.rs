//! Server time of the administrators' screens on a large history: 1,000,000 workflows
//! over two years (8% open), their work items and 1.75 million audit entries, made by
//! `common::generate`. Each query is timed as the page asks it, median of 10 runs,
//! against the target of 50 ms.
//!
//! Run: `cargo bench --bench dashboard` (optionally `ASSENT_BENCH_PG_URL=postgres://...`
//! to measure PostgreSQL, an empty database; `ASSENT_BENCH_WORKFLOWS=100000` for a
//! smaller history).

mod common;

use assent::model::audit::AuditQuery;
use assent::model::instances::{InstanceQuery, STUCK};
use assent::model::SessionUser;
use assent::server::rights::Granted;
use assent::server::usecases::{audit, instances};
use assent_engine::{Role, RoleSet, UserName};
use std::future::Future;
use std::time::{Duration, Instant};

const ROUNDS: usize = 10;
const TARGET: Duration = Duration::from_millis(50);

async fn timed<T, F: Future<Output = T>>(label: &str, run: impl Fn() -> F) -> Duration {
    let mut times = Vec::with_capacity(ROUNDS);
    for _ in 0..ROUNDS {
        let started = Instant::now();
        run().await;
        times.push(started.elapsed());
    }
    times.sort();
    let median = times[ROUNDS / 2];
    let verdict = if median <= TARGET { "ok" } else { "OVER 50 ms" };
    println!(
        "{label:>44}: median {:>7.1} ms  {verdict}",
        median.as_secs_f64() * 1000.0
    );
    median
}

#[tokio::main]
async fn main() {
    let count: usize = std::env::var("ASSENT_BENCH_WORKFLOWS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1_000_000);
    let bench = common::bench_database().await;
    let db = bench.database.connection.clone();
    let workflows = bench.workflows.clone();
    let definitions: Vec<i32> = workflows
        .latest_definitions()
        .await
        .unwrap()
        .into_iter()
        .map(|(stored, _)| stored.id)
        .collect();
    let started = Instant::now();
    let made = common::generate::workflows(&db, &definitions, count).await;
    println!(
        "{} workflows ({} running, {} audit entries) generated in {:.0} s ({})",
        made.workflows,
        made.running,
        made.audit_entries,
        started.elapsed().as_secs_f64(),
        bench.url
    );
    let admin = SessionUser {
        user_id: 0,
        username: UserName::parse("admin").unwrap(),
        display_name: "Admin".into(),
        roles: RoleSet::from_iter([Role::Admin]),
    };
    let read = Granted::check(&admin).unwrap();
    let audit_right = Granted::check(&admin).unwrap();
    let now = chrono::Utc::now();
    let search = |query: InstanceQuery| {
        let workflows = workflows.clone();
        async move {
            instances::search(read, &workflows, &query, now, "en")
                .await
                .unwrap()
        }
    };
    let trail = |query: AuditQuery| {
        let db = db.clone();
        async move { audit::search(audit_right, &db, &query).await.unwrap() }
    };
    let mut over = 0;
    let mut check = |median: Duration| over += usize::from(median > TARGET);

    check(
        timed("dashboard: everything that needs attention", || {
            instances::attention::attention(read, &workflows, now, "en")
        })
        .await,
    );
    check(
        timed("workflows: first page, no filter", || {
            search(InstanceQuery::default())
        })
        .await,
    );
    check(
        timed("workflows: waiting in error", || {
            search(InstanceQuery {
                state: Some(STUCK.into()),
                ..Default::default()
            })
        })
        .await,
    );
    check(
        timed("workflows: running of one definition", || {
            search(InstanceQuery {
                state: Some("RUNNING".into()),
                definition: Some("My-Company/Approval/4-Eye-Approval".into()),
                ..Default::default()
            })
        })
        .await,
    );
    check(
        timed("workflows: one requester, page 100", || {
            search(InstanceQuery {
                initiator: Some("alice".into()),
                page: Some(100),
                ..Default::default()
            })
        })
        .await,
    );
    check(
        timed("audit: first page, no filter", || {
            trail(AuditQuery::default())
        })
        .await,
    );
    check(
        timed("audit: decisions of one day", || {
            let day = (now - chrono::Duration::days(100))
                .format("%Y-%m-%d")
                .to_string();
            trail(AuditQuery {
                kind: Some("workflow.decided".into()),
                from: Some(day.clone()),
                to: Some(day),
                ..Default::default()
            })
        })
        .await,
    );
    check(
        timed("audit: one workflow", || {
            trail(AuditQuery {
                target: Some(made.stuck_id.clone()),
                ..Default::default()
            })
        })
        .await,
    );
    println!("{over} of 8 queries over 50 ms");
}
