//! The relay: publishes the outbox to RabbitMQ with publisher confirms and marks a
//! message sent only once the broker confirmed it. With the broker away it keeps
//! reconnecting, and everything waits in the outbox, in order, until it is back.

use super::message::{EXCHANGE, SEQUENCE_HEADER, WATCH_QUEUE};
use super::outbox::{self, Publication};
use super::{BrokerStatus, Provisioning};
use crate::server::amqp;
use crate::server::entities::provisioning_operation as row;
use lapin::options::{
    BasicPublishOptions, ConfirmSelectOptions, ExchangeDeclareOptions, QueueBindOptions,
    QueueDeclareOptions,
};
use lapin::types::{AMQPValue, FieldTable};
use lapin::{BasicProperties, Channel, Connection, ConnectionProperties, ExchangeKind};
use sea_orm::DatabaseConnection;
use std::time::Duration;

/// Messages published between two confirmations waits (and two database writes).
const BATCH: u64 = 2000;
/// The longest the relay waits for the broker's confirmations of one round (a broker
/// that blocks publishers, on a memory or disk alarm, sends none).
const CONFIRM_TIMEOUT: Duration = Duration::from_secs(30);
/// How often the relay looks for new messages when nothing woke it.
const IDLE_POLL: Duration = Duration::from_millis(250);

/// Why a connection to the broker ended; shown to administrators, so it never holds the
/// broker's address or credentials.
#[derive(Debug, thiserror::Error)]
enum RelayError {
    #[error("{0}")]
    Broker(#[from] lapin::Error),
    #[error("the connection to the broker was lost")]
    ConnectionLost,
    #[error("the broker confirmed nothing for {} s", CONFIRM_TIMEOUT.as_secs())]
    Unconfirmed,
    #[error("the consumer of the target systems' answers stopped")]
    ResultsStopped,
}

#[derive(Clone)]
pub struct RelaySettings {
    pub url: String,
    /// Declare `assent.provisioning.all`, bound to every message (the demo company).
    pub watch_queue: bool,
    /// Where target systems answer (`assent.provisioning.results` unless configured).
    pub results_queue: String,
    pub retries: outbox::Retries,
}

/// Runs the relay (and the results consumer) until the process ends.
pub fn spawn(
    db: DatabaseConnection,
    provisioning: Provisioning,
    settings: RelaySettings,
    wake: tokio::sync::broadcast::Sender<String>,
) {
    tokio::spawn(async move {
        let mut pause = amqp::FIRST_PAUSE;
        loop {
            provisioning.set_broker(BrokerStatus::Connecting);
            match session(&db, &provisioning, &settings, &wake, &mut pause).await {
                Ok(()) => pause = amqp::FIRST_PAUSE,
                Err(error) => {
                    tracing::warn!(%error, "provisioning broker unavailable; messages wait");
                    provisioning.set_broker(BrokerStatus::Unreachable(error.to_string()));
                }
            }
            tokio::time::sleep(pause).await;
            pause = amqp::next_pause(pause);
        }
    });
}

/// One connection's life: declare, then publish until the connection fails.
async fn session(
    db: &DatabaseConnection,
    provisioning: &Provisioning,
    settings: &RelaySettings,
    wake: &tokio::sync::broadcast::Sender<String>,
    pause: &mut Duration,
) -> Result<(), RelayError> {
    let connection = Connection::connect(&settings.url, ConnectionProperties::default()).await?;
    let channel = connection.create_channel().await?;
    declare(&channel, settings.watch_queue, &settings.results_queue).await?;
    channel
        .confirm_select(ConfirmSelectOptions::default())
        .await?;
    let consumer = super::results::spawn(&connection, &settings.results_queue, db.clone()).await?;
    provisioning.set_broker(BrokerStatus::Connected);
    // Connected: the next outage starts again from a short pause.
    *pause = amqp::FIRST_PAUSE;
    tracing::info!("provisioning relay connected");
    let mut woken = wake.subscribe();
    let outcome = loop {
        let now = chrono::Utc::now();
        let batch = match outbox::next_batch(db, now, BATCH).await {
            Ok(batch) => batch,
            Err(error) => {
                tracing::error!(%error, "provisioning relay cannot read the outbox");
                tokio::time::sleep(IDLE_POLL * 4).await;
                continue;
            }
        };
        if batch.is_empty() {
            tokio::select! {
                _ = woken.recv() => {}
                _ = tokio::time::sleep(IDLE_POLL) => {}
            }
            if !connection.status().connected() {
                break Err(RelayError::ConnectionLost);
            }
            if consumer.is_finished() {
                break Err(RelayError::ResultsStopped);
            }
            continue;
        }
        let outcomes = match publish(&channel, &batch).await {
            Ok(outcomes) => outcomes,
            // Nothing is marked: all of it goes again on the next connection.
            Err(error) => break Err(error),
        };
        if let Err(error) =
            outbox::record(db, &outcomes, settings.retries, chrono::Utc::now()).await
        {
            // Left pending, they go again: duplicates with the same messageId.
            tracing::error!(%error, "provisioning relay cannot record what was sent");
            tokio::time::sleep(IDLE_POLL * 4).await;
        }
    };
    consumer.abort();
    let _ = connection.close(200, "relay restarting".into()).await;
    outcome
}

/// The exchange, the results queue and, for the demo company, the queue that shows
/// every message.
pub async fn declare(
    channel: &Channel,
    watch_queue: bool,
    results_queue: &str,
) -> Result<(), lapin::Error> {
    let durable_exchange = ExchangeDeclareOptions {
        durable: true,
        ..ExchangeDeclareOptions::default()
    };
    channel
        .exchange_declare(
            EXCHANGE.into(),
            ExchangeKind::Topic,
            durable_exchange,
            FieldTable::default(),
        )
        .await?;
    channel
        .queue_declare(
            results_queue.into(),
            QueueDeclareOptions::durable(),
            FieldTable::default(),
        )
        .await?;
    if watch_queue {
        // As the spec declares it (no further arguments, which a queue declared by
        // someone else would refuse); nobody may be reading it, so it grows meanwhile.
        channel
            .queue_declare(
                WATCH_QUEUE.into(),
                QueueDeclareOptions::durable(),
                FieldTable::default(),
            )
            .await?;
        channel
            .queue_bind(
                WATCH_QUEUE.into(),
                EXCHANGE.into(),
                "#".into(),
                QueueBindOptions::default(),
                FieldTable::default(),
            )
            .await?;
    }
    Ok(())
}

/// Publishes the batch back to back, then waits for every confirmation (the broker
/// confirms in batches too). An error of the channel or connection fails the whole
/// round: the caller marks nothing.
async fn publish(
    channel: &Channel,
    batch: &[row::Model],
) -> Result<Vec<(row::Model, Publication)>, RelayError> {
    let mut confirms = Vec::with_capacity(batch.len());
    for operation in batch {
        let mut headers = FieldTable::default();
        headers.insert(
            SEQUENCE_HEADER.into(),
            AMQPValue::LongLongInt(operation.sequence),
        );
        let properties = BasicProperties::default()
            .with_delivery_mode(2)
            .with_content_type("application/json".into())
            .with_message_id(operation.message_id.as_str().into())
            .with_headers(headers);
        let confirm = channel
            .basic_publish(
                EXCHANGE.into(),
                operation.resource.as_str().into(),
                BasicPublishOptions {
                    mandatory: true,
                    ..BasicPublishOptions::default()
                },
                operation.message.as_bytes(),
                properties,
            )
            .await?;
        confirms.push(confirm);
    }
    let mut outcomes = Vec::with_capacity(batch.len());
    for (operation, confirm) in batch.iter().zip(confirms) {
        let confirmation = tokio::time::timeout(CONFIRM_TIMEOUT, confirm)
            .await
            .map_err(|_| RelayError::Unconfirmed)??;
        // Only a plain acknowledgement is a confirmation: a nack, a message returned as
        // unroutable, or a channel without confirms is not.
        let outcome = if confirmation.is_nack() {
            Publication::Refused("the broker refused the message (nack)".to_owned())
        } else if !confirmation.is_ack() {
            Publication::Refused("the broker did not confirm the message".to_owned())
        } else if let Some(returned) = confirmation.take_message() {
            Publication::Refused(format!(
                "no queue takes messages for this resource ({} {})",
                returned.reply_code, returned.reply_text
            ))
        } else {
            Publication::Confirmed
        };
        outcomes.push((operation.clone(), outcome));
    }
    Ok(outcomes)
}
