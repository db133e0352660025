//! Identity change events applied per second: 20,000 events (2,000 hires, then changes
//! of title, department, manager and group memberships) wait on a queue of their own in
//! the real RabbitMQ; the consumer applies them, in order, each with its record, audit
//! entry and consequences, acknowledged after commit; the clock stops at the last.
//!
//! Run: `cargo bench --bench change_events` with RabbitMQ at `ASSENT_BENCH_AMQP_URL`
//! (default `amqp://guest:guest@127.0.0.1:5672/%2f`); optionally `ASSENT_BENCH_PG_URL`.

// Shared by the benches; this one needs only the migrated database with the demo company.
#[allow(dead_code)]
mod common;

use assent::server::changes::apply::Applier;
use assent::server::changes::{consumer, feed, ChangeStream};
use assent::server::entities::change_source;
use lapin::options::QueueDeleteOptions;
use lapin::{Connection, ConnectionProperties};
use sea_orm::EntityTrait;
use serde_json::json;
use std::time::{Duration, Instant};

const HIRES: usize = 2_000;
const EVENTS: usize = 20_000;

#[tokio::main]
async fn main() {
    let url = common::amqp_url();
    let bench = common::bench_database().await;
    let db = bench.database.connection.clone();
    let key = uuid::Uuid::new_v4().simple().to_string();
    let queue = format!("bench-changes-{key}");
    let source = format!("bench-{}", &key[..8]);

    let name = |i: usize| format!("b{}-{i:05}", &key[..6]);
    let mut events = Vec::with_capacity(EVENTS);
    let event = |sequence: usize, kind: &str, class: &str, object: &str, attributes| {
        json!({
            "eventId": uuid::Uuid::new_v4().to_string(),
            "source": source,
            "sequence": sequence,
            "kind": kind,
            "objectClass": class,
            "objectKey": object,
            "attributes": attributes,
            "time": "2026-12-03T07:05:03Z",
        })
        .to_string()
    };
    for i in 0..HIRES {
        let manager = if i == 0 {
            "bob".to_owned()
        } else {
            name(i / 2)
        };
        events.push(event(
            events.len() + 1,
            "create",
            "user",
            &name(i),
            json!({"displayName": [format!("Person {i}")], "email": [format!("p{i}@example.com")],
                   "manager": [manager], "department": [format!("Dept {}", i % 9)]}),
        ));
    }
    while events.len() < EVENTS {
        let n = events.len();
        let i = (n * 7919) % HIRES;
        let who = name(i);
        let attributes = match n % 4 {
            0 => json!({"title": [format!("Title {n}")]}),
            1 => json!({"department": [format!("Dept {}", n % 13)]}),
            2 if i > 0 => json!({"manager": [name(n % i)]}),
            _ => {
                let group = format!("bench-group-{}", n % 7);
                let membership = json!({"user": [who], "group": [group], "member": ["true"]});
                events.push(event(n + 1, "modify", "membership", &who, membership));
                continue;
            }
        };
        events.push(event(n + 1, "modify", "user", &who, attributes));
    }

    let connection = Connection::connect(&url, ConnectionProperties::default())
        .await
        .expect("RabbitMQ at ASSENT_BENCH_AMQP_URL");
    let lines: Vec<&str> = events.iter().map(String::as_str).collect();
    feed::publish(&connection, &queue, &lines).await.unwrap();

    let started = Instant::now();
    consumer::spawn(
        Applier::new(bench.workflows.clone()),
        ChangeStream::default(),
        url.clone(),
        queue.clone(),
    );
    let applied = loop {
        let row = change_source::Entity::find_by_id(source.clone())
            .one(&db)
            .await
            .unwrap();
        let applied = row.map_or(0, |r| r.last_sequence as usize);
        if applied >= EVENTS || started.elapsed() > Duration::from_secs(300) {
            break applied;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let elapsed = started.elapsed();
    println!(
        "change events ({}): {applied} of {EVENTS} events applied in {:.2} s: {:.0} events/s (target 2,000)",
        bench.url.split(':').next().unwrap_or("sqlite"),
        elapsed.as_secs_f64(),
        applied as f64 / elapsed.as_secs_f64()
    );
    let channel = connection.create_channel().await.unwrap();
    let _ = channel
        .queue_delete(queue.as_str().into(), QueueDeleteOptions::default())
        .await;
}
