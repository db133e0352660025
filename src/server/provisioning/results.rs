//! Target systems' answers on `assent.provisioning.results` (or the queue configured
//! instead): each marks its operation confirmed or failed, and is acknowledged only after
//! that is committed.

use super::message::ProvisioningResult;
use super::outbox::{self, Answered};
use futures_util::StreamExt;
use lapin::options::{BasicAckOptions, BasicNackOptions};
use lapin::Connection;
use sea_orm::DatabaseConnection;
use std::time::Duration;

/// Answers taken from the broker before the first is acknowledged.
const PREFETCH: u16 = 200;

/// Starts consuming on a channel of its own; the task ends with the connection.
pub async fn spawn(
    connection: &Connection,
    queue: &str,
    db: DatabaseConnection,
) -> Result<tokio::task::JoinHandle<()>, lapin::Error> {
    let (_channel, mut consumer) =
        crate::server::amqp::subscribe(connection, queue, "assent-results", PREFETCH).await?;
    Ok(tokio::spawn(async move {
        while let Some(delivery) = consumer.next().await {
            let delivery = match delivery {
                Ok(delivery) => delivery,
                Err(error) => {
                    tracing::warn!(%error, "provisioning results consumer stopped");
                    break;
                }
            };
            let result: ProvisioningResult = match serde_json::from_slice(&delivery.data) {
                Ok(result) => result,
                Err(error) => {
                    // It can never be applied; keeping it would block nothing but fill
                    // the queue, so it is logged and taken off.
                    tracing::warn!(%error, "unreadable provisioning result dropped");
                    let _ = delivery.ack(BasicAckOptions::default()).await;
                    continue;
                }
            };
            match outbox::answer(&db, &result, chrono::Utc::now()).await {
                Ok(answered) => {
                    if answered == Answered::Unknown {
                        tracing::warn!(message_id = %result.message_id, "result for an unknown provisioning message");
                    }
                    let _ = delivery.ack(BasicAckOptions::default()).await;
                }
                Err(error) => {
                    // Not recorded, so not acknowledged: it comes again.
                    tracing::error!(%error, "cannot record a provisioning result");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    let _ = delivery
                        .nack(BasicNackOptions {
                            requeue: true,
                            ..BasicNackOptions::default()
                        })
                        .await;
                }
            }
        }
    }))
}
