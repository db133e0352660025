//! Playing a target system, for the demo and for people trying an integration:
//! `assent target-system watch` prints each message as it arrives (and may answer it),
//! `assent target-system answer <messageId> done|failed [--error TEXT]` answers one.

use super::message::{
    ProvisioningResult, ResultStatus, RESULTS_QUEUE, SEQUENCE_HEADER, WATCH_QUEUE,
};
use futures_util::StreamExt;
use lapin::options::{
    BasicAckOptions, BasicConsumeOptions, BasicPublishOptions, ConfirmSelectOptions,
};
use lapin::types::{AMQPValue, FieldTable};
use lapin::{BasicProperties, Connection, ConnectionProperties};

#[derive(Debug, Clone, clap::Subcommand)]
pub enum Action {
    /// Take messages from a queue and print each (one JSON document per line).
    Watch {
        /// The queue to read; the demo company's receives every message.
        #[arg(long, default_value = WATCH_QUEUE)]
        queue: String,
        /// Answer every message at once, as a target system that applied it would.
        #[arg(long, value_enum)]
        answer: Option<Status>,
        /// Stop after this many messages.
        #[arg(long)]
        count: Option<u64>,
        /// The queue the portal reads answers from.
        #[arg(long, env = "ASSENT_AMQP_RESULTS_QUEUE", default_value = RESULTS_QUEUE)]
        results_queue: String,
    },
    /// Answer one message on the results queue.
    Answer {
        /// The message's `messageId`.
        message_id: String,
        #[arg(value_enum)]
        status: Status,
        /// Why it failed, shown to the requester and the administrators.
        #[arg(long)]
        error: Option<String>,
        /// The queue the portal reads answers from.
        #[arg(long, env = "ASSENT_AMQP_RESULTS_QUEUE", default_value = RESULTS_QUEUE)]
        results_queue: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Status {
    Done,
    Failed,
}

impl From<Status> for ResultStatus {
    fn from(status: Status) -> Self {
        match status {
            Status::Done => ResultStatus::Done,
            Status::Failed => ResultStatus::Failed,
        }
    }
}

/// Runs the action against the broker at `url`; the error is for the terminal.
pub async fn run(url: Option<&str>, action: Action) -> Result<(), String> {
    let url = url.ok_or("set ASSENT_AMQP_URL (or --amqp-url) to the broker")?;
    let connection = Connection::connect(url, ConnectionProperties::default())
        .await
        .map_err(|e| format!("cannot reach the broker: {e}"))?;
    let result = match action {
        Action::Watch {
            queue,
            answer,
            count,
            results_queue,
        } => {
            watch(
                &connection,
                &queue,
                answer.map(|a| (a, results_queue)),
                count,
            )
            .await
        }
        Action::Answer {
            message_id,
            status,
            error,
            results_queue,
        } => {
            answer(
                &connection,
                &results_queue,
                &ProvisioningResult {
                    message_id,
                    status: status.into(),
                    error,
                },
            )
            .await
        }
    };
    let _ = connection.close(200, "done".into()).await;
    result.map_err(|e| e.to_string())
}

async fn watch(
    connection: &Connection,
    queue: &str,
    reply: Option<(Status, String)>,
    count: Option<u64>,
) -> Result<(), lapin::Error> {
    let channel = connection.create_channel().await?;
    let mut consumer = channel
        .basic_consume(
            queue.into(),
            "assent-target-system".into(),
            BasicConsumeOptions::default(),
            FieldTable::default(),
        )
        .await?;
    eprintln!("watching {queue} (Ctrl-C to stop)");
    let mut seen = 0;
    while let Some(delivery) = consumer.next().await {
        let delivery = delivery?;
        let sequence = delivery
            .properties
            .headers()
            .as_ref()
            .and_then(|headers| headers.inner().get(SEQUENCE_HEADER).cloned());
        let text = String::from_utf8_lossy(&delivery.data).into_owned();
        println!("{text}");
        eprintln!(
            "  routing key {}, message id {}, {} {}",
            delivery.routing_key,
            delivery
                .properties
                .message_id()
                .as_ref()
                .map(|id| id.to_string())
                .unwrap_or_default(),
            SEQUENCE_HEADER,
            match sequence {
                Some(AMQPValue::LongLongInt(n)) => n.to_string(),
                other => format!("{other:?}"),
            }
        );
        if let Some((status, results_queue)) = &reply {
            let status = *status;
            let message_id = serde_json::from_str::<serde_json::Value>(&text)
                .ok()
                .and_then(|m| m.get("messageId")?.as_str().map(str::to_owned));
            if let Some(message_id) = message_id {
                answer(
                    connection,
                    results_queue,
                    &ProvisioningResult {
                        message_id,
                        status: status.into(),
                        error: (status == Status::Failed)
                            .then(|| "refused by the target system".to_owned()),
                    },
                )
                .await?;
            }
        }
        delivery.ack(BasicAckOptions::default()).await?;
        seen += 1;
        if count.is_some_and(|count| seen >= count) {
            break;
        }
    }
    Ok(())
}

async fn answer(
    connection: &Connection,
    results_queue: &str,
    result: &ProvisioningResult,
) -> Result<(), lapin::Error> {
    let channel = connection.create_channel().await?;
    channel
        .confirm_select(ConfirmSelectOptions::default())
        .await?;
    let body = serde_json::to_vec(result).unwrap_or_default();
    channel
        .basic_publish(
            "".into(),
            results_queue.into(),
            BasicPublishOptions::default(),
            &body,
            BasicProperties::default()
                .with_delivery_mode(2)
                .with_content_type("application/json".into()),
        )
        .await?
        .await?;
    eprintln!("answered {} {:?}", result.message_id, result.status);
    Ok(())
}
