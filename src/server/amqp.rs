//! What the RabbitMQ integrations share (provisioning's relay and results consumer, the
//! change-event consumer): subscribing with a prefetch window, and the pause between
//! attempts to reach a broker that is away.

use lapin::options::{BasicConsumeOptions, BasicQosOptions};
use lapin::types::FieldTable;
use lapin::{Channel, Connection, Consumer};
use std::time::Duration;

/// The first wait before connecting again.
pub const FIRST_PAUSE: Duration = Duration::from_millis(500);
/// The longest wait between two attempts while the broker stays away.
const LONGEST_PAUSE: Duration = Duration::from_secs(15);

/// The wait after `pause` when the broker is still away: twice as long, up to 15 s.
pub fn next_pause(pause: Duration) -> Duration {
    (pause * 2).min(LONGEST_PAUSE)
}

/// A channel of its own that receives at most `prefetch` unacknowledged deliveries of
/// `queue`, and the subscription on it, named `tag` for the broker's management pages.
pub async fn subscribe(
    connection: &Connection,
    queue: &str,
    tag: &str,
    prefetch: u16,
) -> Result<(Channel, Consumer), lapin::Error> {
    let channel = connection.create_channel().await?;
    channel
        .basic_qos(prefetch, BasicQosOptions::default())
        .await?;
    let consumer = channel
        .basic_consume(
            queue.into(),
            tag.into(),
            BasicConsumeOptions::default(),
            FieldTable::default(),
        )
        .await?;
    Ok((channel, consumer))
}
