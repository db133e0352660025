//! The consumer of `assent.changes` (or the queue configured instead). RabbitMQ gives the queue one active consumer across
//! all nodes (`x-single-active-consumer`); deliveries are applied in order, in batches of
//! what has arrived, and acknowledged only after their transaction committed. An event
//! that cannot be applied is held unacknowledged (nothing after it is applied) until an
//! administrator retries or skips it; if Assent stops meanwhile, it is redelivered first.

use super::apply::{Applier, Stop};
use super::sources::{self, Request};
use super::{ChangeStream, ConsumerStatus};
use crate::server::amqp;
use futures_util::{FutureExt, StreamExt};
use lapin::message::Delivery;
use lapin::options::{BasicAckOptions, QueueDeclareOptions};
use lapin::types::{AMQPValue, FieldTable};
use lapin::{Channel, Connection, ConnectionProperties};
use std::collections::VecDeque;
use std::time::Duration;

/// Deliveries the broker sends ahead of the acknowledgements; also the largest batch.
const PREFETCH: u16 = 500;
/// How often a stopped consumer looks for an administrator's request made on another node.
const REQUEST_POLL: Duration = Duration::from_millis(500);

#[derive(Debug, thiserror::Error)]
enum ConsumerError {
    #[error("{0}")]
    Broker(#[from] lapin::Error),
    #[error("the connection to the broker was lost")]
    ConnectionLost,
    #[error("the broker ended the subscription")]
    SubscriptionEnded,
}

/// Declares `assent.changes` as the spec asks (durable), with RabbitMQ's single active
/// consumer so that one node at a time receives the stream. A queue declared before by
/// someone else is used as it is: declaring it again with other arguments would fail.
pub async fn declare(connection: &Connection, queue: &str) -> Result<(), lapin::Error> {
    let probe = connection.create_channel().await?;
    let passive = QueueDeclareOptions {
        passive: true,
        ..QueueDeclareOptions::default()
    };
    if probe
        .queue_declare(queue.into(), passive, FieldTable::default())
        .await
        .is_ok()
    {
        let _ = probe.close(200, "declared".into()).await;
        return Ok(());
    }
    // A failed passive declaration closes its channel: declare on a new one.
    let channel = connection.create_channel().await?;
    let mut arguments = FieldTable::default();
    arguments.insert("x-single-active-consumer".into(), AMQPValue::Boolean(true));
    channel
        .queue_declare(queue.into(), QueueDeclareOptions::durable(), arguments)
        .await?;
    let _ = channel.close(200, "declared".into()).await;
    Ok(())
}

/// Runs the consumer until the process ends, reconnecting while the broker is away.
pub fn spawn(applier: Applier, stream: ChangeStream, url: String, queue: String) {
    tokio::spawn(async move {
        let mut pause = amqp::FIRST_PAUSE;
        loop {
            stream.set_status(ConsumerStatus::Connecting);
            match session(&applier, &stream, &url, &queue, &mut pause).await {
                Ok(()) => pause = amqp::FIRST_PAUSE,
                Err(error) => {
                    tracing::warn!(%error, "change events: broker unavailable; events wait on the queue");
                    stream.set_status(ConsumerStatus::Unreachable(error.to_string()));
                }
            }
            tokio::time::sleep(pause).await;
            pause = amqp::next_pause(pause);
        }
    });
}

async fn session(
    applier: &Applier,
    stream: &ChangeStream,
    url: &str,
    queue: &str,
    pause: &mut Duration,
) -> Result<(), ConsumerError> {
    let connection = Connection::connect(url, ConnectionProperties::default()).await?;
    declare(&connection, queue).await?;
    let (channel, mut consumer) =
        amqp::subscribe(&connection, queue, "assent-changes", PREFETCH).await?;
    stream.set_status(ConsumerStatus::Consuming);
    *pause = amqp::FIRST_PAUSE;
    tracing::info!(queue, "change events: consuming");
    let mut held: VecDeque<Delivery> = VecDeque::new();
    let outcome = loop {
        if held.is_empty() {
            match consumer.next().await {
                Some(Ok(delivery)) => held.push_back(delivery),
                Some(Err(error)) => break Err(ConsumerError::Broker(error)),
                None => break Err(ConsumerError::SubscriptionEnded),
            }
        }
        // Whatever else has already arrived joins the batch, without waiting for more.
        while held.len() < usize::from(PREFETCH) {
            match consumer.next().now_or_never() {
                Some(Some(Ok(delivery))) => held.push_back(delivery),
                Some(Some(Err(error))) => return Err(ConsumerError::Broker(error)),
                _ => break,
            }
        }
        if let Err(error) = apply_held(applier, stream, &connection, &channel, &mut held).await {
            break Err(error);
        }
    };
    let _ = connection.close(200, "consumer restarting".into()).await;
    outcome
}

/// Applies what is held, front first; returns once all of it is settled and
/// acknowledged, waiting for an administrator where an event stops the stream.
async fn apply_held(
    applier: &Applier,
    stream: &ChangeStream,
    connection: &Connection,
    channel: &Channel,
    held: &mut VecDeque<Delivery>,
) -> Result<(), ConsumerError> {
    while !held.is_empty() {
        let payloads: Vec<&[u8]> = held.iter().map(|d| d.data.as_slice()).collect();
        let outcome = match applier.apply_batch(&payloads).await {
            Ok(outcome) => outcome,
            Err(error) => {
                // Nothing of the batch was committed: it is tried again, in order.
                tracing::error!(%error, "change events: cannot apply a batch; trying again");
                tokio::time::sleep(Duration::from_secs(1)).await;
                if !connection.status().connected() {
                    return Err(ConsumerError::ConnectionLost);
                }
                continue;
            }
        };
        if outcome.settled > 0 {
            let last = &held[outcome.settled - 1];
            channel
                .basic_ack(last.delivery_tag, BasicAckOptions { multiple: true })
                .await?;
            held.drain(..outcome.settled);
        }
        let Some(stop) = outcome.stop else {
            continue;
        };
        let Some(front) = held.front() else {
            continue;
        };
        let raw = front.data.clone();
        stream.set_status(ConsumerStatus::Stopped);
        // Administrators act on the recorded stop: without it they would never see why the
        // stream stands still, so it is written until it lands.
        until_written(connection, "record the stop", || async {
            let workflows = applier.workflows();
            let _turn = workflows.write_turn().await;
            sources::record_stop(&workflows.db, &stop, &raw, workflows.now()).await
        })
        .await?;
        tracing::warn!(source = %stop.source, reason = %stop.reason, "change events stopped");
        match wait_for_request(applier, stream, connection, &stop).await? {
            Request::Retry => {}
            Request::Skip { by, note } => {
                // The request was taken from the row: dropping it on a failed write would
                // leave the administrator's skip undone without a word.
                until_written(connection, "record the skip", || async {
                    let workflows = applier.workflows();
                    let _turn = workflows.write_turn().await;
                    sources::skip(
                        &workflows.db,
                        &stop.source,
                        &raw,
                        &by,
                        &note,
                        workflows.now(),
                    )
                    .await
                })
                .await?;
                if let Some(front) = held.pop_front() {
                    front.acker.ack(BasicAckOptions::default()).await?;
                }
            }
        }
        stream.set_status(ConsumerStatus::Consuming);
    }
    Ok(())
}

/// Runs `write` until it commits, pausing longer after each failure (a busy or briefly
/// unreachable database); gives up only when the broker connection is lost, so that the
/// held event is redelivered to whichever node consumes next.
async fn until_written<Fut>(
    connection: &Connection,
    what: &str,
    mut write: impl FnMut() -> Fut,
) -> Result<(), ConsumerError>
where
    Fut: std::future::Future<Output = Result<(), sea_orm::DbErr>>,
{
    let mut pause = amqp::FIRST_PAUSE;
    loop {
        match write().await {
            Ok(()) => return Ok(()),
            Err(error) => tracing::error!(%error, "change events: cannot {what}; trying again"),
        }
        tokio::time::sleep(pause).await;
        pause = amqp::next_pause(pause);
        if !connection.status().connected() {
            return Err(ConsumerError::ConnectionLost);
        }
    }
}

/// Waits until an administrator asks to retry or skip the stopped event.
async fn wait_for_request(
    applier: &Applier,
    stream: &ChangeStream,
    connection: &Connection,
    stop: &Stop,
) -> Result<Request, ConsumerError> {
    loop {
        match sources::take_request(&applier.workflows().db, &stop.source).await {
            Ok(Some(request)) => return Ok(request),
            Ok(None) => {}
            Err(error) => tracing::error!(%error, "change events: cannot read requests"),
        }
        tokio::select! {
            _ = stream.requests.notified() => {}
            _ = tokio::time::sleep(REQUEST_POLL) => {}
        }
        if !connection.status().connected() {
            return Err(ConsumerError::ConnectionLost);
        }
    }
}
