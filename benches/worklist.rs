//! Server time of one worklist page when a single approver has 10,000 open items: the
//! default page (soonest due first), a requester filter, a full-text search and the last
//! page. Creation uses group commit, as the server does.
//!
//! Run: `cargo bench --bench worklist` (optionally `ASSENT_BENCH_PG_URL=postgres://...`
//! to measure PostgreSQL; the database must exist and be empty).

mod common;

use assent::app::types::WorklistFilter;
use assent::server::pages::worklist::page_for;
use assent_engine::UserName;
use std::time::{Duration, Instant};

const OPEN_ITEMS: usize = 10_000;
const ROUNDS: usize = 20;

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

#[tokio::main]
async fn main() {
    let bench = common::bench_database().await;
    let url = &bench.url;
    let workflows = bench.workflows.clone().with_group_commit();
    // alice, frank and grace report to bob, so bob is asked for every one of these.
    let started = Instant::now();
    let mut tasks = Vec::new();
    for i in 0..OPEN_ITEMS {
        let workflows = workflows.clone();
        let requester = ["alice", "frank", "grace"][i % 3];
        tasks.push(tokio::spawn(async move {
            workflows
                .create(common::four_eye_request(
                    requester,
                    format!("Role {i}"),
                    Some(format!("project number {i}")),
                ))
                .await
        }));
    }
    for task in tasks {
        task.await.unwrap().expect("created");
    }
    println!(
        "{OPEN_ITEMS} open items for bob created in {:.1} s ({url})",
        started.elapsed().as_secs_f64()
    );
    let bob = UserName::parse("bob").unwrap();
    let filters = [
        ("first page, soonest due", WorklistFilter::default()),
        (
            "requester filter",
            WorklistFilter {
                requester: Some("frank".into()),
                ..Default::default()
            },
        ),
        (
            "search in request fields",
            WorklistFilter {
                q: Some("number 4242".into()),
                ..Default::default()
            },
        ),
        (
            "last page",
            WorklistFilter {
                page: Some(200),
                ..Default::default()
            },
        ),
    ];
    for (label, filter) in filters {
        let mut times = Vec::with_capacity(ROUNDS);
        let mut total = 0;
        for _ in 0..ROUNDS {
            let started = Instant::now();
            let page = page_for(&workflows, &bob, filter.clone())
                .await
                .expect("page");
            times.push(started.elapsed());
            total = page.total;
        }
        println!(
            "{label:>26}: median {:>6.1} ms over {ROUNDS} runs ({total} matching)",
            median(times).as_secs_f64() * 1000.0
        );
    }
}
