//! Durable decisions per second through the workflow service on an SQLite file, with one
//! commit per decision and with group commit.
//!
//! Run: `cargo bench --bench write_path` (optionally `ASSENT_BENCH_PG_URL=postgres://...`
//! to measure PostgreSQL instead; the database must exist and be empty).

mod common;

use assent::server::workflow::{Decision, Workflows};
use assent_engine::UserName;
use std::time::Instant;

const INSTANCES: usize = 1000;

async fn measure(label: &str, workflows: Workflows) {
    let started = Instant::now();
    let mut tasks = Vec::new();
    for i in 0..INSTANCES {
        let workflows = workflows.clone();
        let item = format!("{label} {i}");
        tasks.push(tokio::spawn(async move {
            workflows
                .create(common::four_eye_request("alice", item, None))
                .await
        }));
    }
    let mut created = Vec::new();
    let mut failed_creations = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(instance) => created.push(instance),
            Err(_) => failed_creations += 1,
        }
    }
    let creating = started.elapsed();
    let started = Instant::now();
    let bob = UserName::parse("bob").unwrap();
    let mut tasks = Vec::new();
    for instance in created {
        let workflows = workflows.clone();
        let bob = bob.clone();
        tasks.push(tokio::spawn(async move {
            workflows
                .decide(&bob, &instance.id, 1, Decision::Approve, None, None)
                .await
        }));
    }
    let mut conflicts = 0;
    for task in tasks {
        if task.await.unwrap().is_err() {
            conflicts += 1;
        }
    }
    let deciding = started.elapsed();
    println!(
        "{label:>15}: {:>6.0} creations/s ({failed_creations} failed), {:>6.0} decisions/s ({conflicts} failed){}",
        (INSTANCES - failed_creations) as f64 / creating.as_secs_f64(),
        (INSTANCES - failed_creations) as f64 / deciding.as_secs_f64(),
        workflows
            .group_commit_stats()
            .map(|(commits, commands)| format!(", {commands} commands in {commits} commits"))
            .unwrap_or_default(),
    );
}

#[tokio::main]
async fn main() {
    let bench = common::bench_database().await;
    let (url, workflows) = (&bench.url, bench.workflows.clone());
    println!("{INSTANCES} concurrent creations, then {INSTANCES} concurrent decisions ({url}):");
    measure("one commit each", workflows.clone()).await;
    measure("group commit", workflows.with_group_commit()).await;
}
