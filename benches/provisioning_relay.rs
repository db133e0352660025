//! Confirmed provisioning messages per second: the outbox holds 20,000 pending messages
//! (2,000 accounts, ten each), the relay publishes them to the real RabbitMQ with
//! publisher confirms and marks them sent; the clock stops when the last is marked.
//!
//! Run: `cargo bench --bench provisioning_relay` with RabbitMQ at `ASSENT_BENCH_AMQP_URL`
//! (default `amqp://guest:guest@127.0.0.1:5672/%2f`); optionally `ASSENT_BENCH_PG_URL`.

// Shared by the benches; this one needs only the migrated database with the demo company.
#[allow(dead_code)]
mod common;

use assent::server::entities::provisioning_operation as operation;
use assent::server::provisioning::message::{Cause, ProvisioningMessage, EXCHANGE};
use assent::server::provisioning::outbox::{self, Retries};
use assent::server::provisioning::relay::{self, RelaySettings};
use assent::server::provisioning::{OperationState, Provisioning};
use assent_engine::provisioning::AttributeChange;
use lapin::options::{QueueBindOptions, QueueDeclareOptions, QueueDeleteOptions};
use lapin::types::FieldTable;
use lapin::{Connection, ConnectionProperties};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use std::time::{Duration, Instant};

const ACCOUNTS: usize = 2_000;
const PER_ACCOUNT: usize = 10;

#[tokio::main]
async fn main() {
    let url = common::amqp_url();
    let bench = common::bench_database().await;
    let db = bench.database.connection.clone();
    let resource = format!("bench-{}", uuid::Uuid::new_v4().simple());
    let total = ACCOUNTS * PER_ACCOUNT;
    let results_queue = format!("{resource}.results");

    // A queue that takes the messages, so none is returned as unroutable.
    let connection = Connection::connect(&url, ConnectionProperties::default())
        .await
        .expect("RabbitMQ at ASSENT_BENCH_AMQP_URL");
    let channel = connection.create_channel().await.unwrap();
    relay::declare(&channel, false, &results_queue)
        .await
        .unwrap();
    channel
        .queue_declare(
            resource.as_str().into(),
            QueueDeclareOptions::default(),
            FieldTable::default(),
        )
        .await
        .unwrap();
    channel
        .queue_bind(
            resource.as_str().into(),
            EXCHANGE.into(),
            resource.as_str().into(),
            QueueBindOptions::default(),
            FieldTable::default(),
        )
        .await
        .unwrap();

    let now = chrono::Utc::now();
    let rows: Vec<operation::ActiveModel> = (0..total)
        .map(|n| {
            let message = ProvisioningMessage {
                message_id: uuid::Uuid::new_v4().to_string(),
                resource: resource.clone(),
                operation: "modify".into(),
                object_class: "account".into(),
                object_key: format!("user{:05}", n % ACCOUNTS),
                sequence: (n / ACCOUNTS + 1) as i64,
                attributes: Default::default(),
                changes: vec![AttributeChange {
                    attribute: "groups".into(),
                    add: vec![format!("g{n}")],
                    delete: vec![],
                }],
                cause: Cause {
                    workflow_id: "bench".into(),
                    activity_name: "grant".into(),
                    initiator: "bench".into(),
                    approved_by: vec![],
                },
                time: now.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            };
            let text = serde_json::to_string(&message).unwrap();
            outbox::waiting_row(&message, text, None, now)
        })
        .collect();
    for chunk in rows.chunks(500) {
        operation::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(&db)
            .await
            .unwrap();
    }

    let started = Instant::now();
    relay::spawn(
        db.clone(),
        Provisioning::default(),
        RelaySettings {
            url: url.clone(),
            watch_queue: false,
            results_queue: results_queue.clone(),
            retries: Retries::default(),
        },
        tokio::sync::broadcast::channel(16).0,
    );
    let sent = loop {
        let sent = operation::Entity::find()
            .filter(operation::Column::Resource.eq(&resource))
            .filter(operation::Column::State.eq(OperationState::Sent.as_str()))
            .count(&db)
            .await
            .unwrap();
        if sent as usize >= total || started.elapsed() > Duration::from_secs(120) {
            break sent;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let elapsed = started.elapsed();
    println!(
        "provisioning relay ({}): {sent} of {total} messages confirmed and marked sent in {:.2} s: {:.0} messages/s (target 5,000)",
        bench.url.split(':').next().unwrap_or("sqlite"),
        elapsed.as_secs_f64(),
        sent as f64 / elapsed.as_secs_f64()
    );
    for queue in [&resource, &results_queue] {
        let _ = channel
            .queue_delete(queue.as_str().into(), QueueDeleteOptions::default())
            .await;
    }
}
