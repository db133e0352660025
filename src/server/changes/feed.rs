//! Feeding the stream by hand, for people trying Assent and for the walk-through:
//! `assent change-events publish FILE` sends a file of events, one JSON document per
//! line (blank lines and lines starting with `#` are left out), to `assent.changes`,
//! each confirmed by the broker before the command reports it sent.

use super::QUEUE;
use assent_engine::changes::peek;
use lapin::options::{BasicPublishOptions, ConfirmSelectOptions};
use lapin::{BasicProperties, Connection, ConnectionProperties};
use std::io::Read;
use std::path::PathBuf;

#[derive(Debug, Clone, clap::Subcommand)]
pub enum Action {
    /// Publish a file of change events (one JSON document per line; `-` reads stdin).
    Publish {
        /// The file to send.
        file: PathBuf,
        /// The queue the portal reads change events from.
        #[arg(long, env = "ASSENT_AMQP_CHANGES_QUEUE", default_value = QUEUE)]
        queue: String,
    },
}

/// Runs the action against the broker at `url`; the error is for the terminal.
pub async fn run(url: Option<&str>, action: Action) -> Result<(), String> {
    let url = url.ok_or("set ASSENT_AMQP_URL (or --amqp-url) to the broker")?;
    let Action::Publish { file, queue } = action;
    let text = read(&file)?;
    let events = lines(&text);
    let connection = Connection::connect(url, ConnectionProperties::default())
        .await
        .map_err(|e| format!("cannot reach the broker: {e}"))?;
    let sent = publish(&connection, &queue, &events).await;
    let _ = connection.close(200, "published".into()).await;
    let sent = sent?;
    println!("published {sent} event(s) to {queue}");
    Ok(())
}

fn read(file: &PathBuf) -> Result<String, String> {
    if file.as_os_str() == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| format!("cannot read stdin: {e}"))?;
        return Ok(text);
    }
    std::fs::read_to_string(file).map_err(|e| format!("cannot read {}: {e}", file.display()))
}

/// The events of a file: every line that is not blank or a `#` comment, as written (a
/// broken line is sent too: what the stream does with it is what a person wants to see).
pub fn lines(text: &str) -> Vec<&str> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .collect()
}

/// Publishes `events` in order as persistent messages and waits for every confirmation.
pub async fn publish(
    connection: &Connection,
    queue: &str,
    events: &[&str],
) -> Result<usize, String> {
    super::consumer::declare(connection, queue)
        .await
        .map_err(|e| format!("cannot declare {queue}: {e}"))?;
    let channel = connection
        .create_channel()
        .await
        .map_err(|e| e.to_string())?;
    channel
        .confirm_select(ConfirmSelectOptions::default())
        .await
        .map_err(|e| e.to_string())?;
    let mut confirms = Vec::with_capacity(events.len());
    for event in events {
        let mut properties = BasicProperties::default()
            .with_delivery_mode(2)
            .with_content_type("application/json".into());
        if let Some(id) = peek(event.as_bytes()).event_id {
            properties = properties.with_message_id(id.into());
        }
        let confirm = channel
            .basic_publish(
                "".into(),
                queue.into(),
                BasicPublishOptions::default(),
                event.as_bytes(),
                properties,
            )
            .await
            .map_err(|e| format!("cannot publish: {e}"))?;
        confirms.push(confirm);
    }
    for (line, confirm) in confirms.into_iter().enumerate() {
        let confirmation = confirm
            .await
            .map_err(|e| format!("event {} not confirmed: {e}", line + 1))?;
        if !confirmation.is_ack() {
            return Err(format!("the broker refused event {}", line + 1));
        }
    }
    Ok(events.len())
}

#[cfg(test)]
mod tests {
    use super::lines;

    #[test]
    fn blank_lines_and_comments_are_left_out() {
        let text = "# hire\n{\"a\":1}\n\n   \n  {\"b\":2}  \n# end";
        assert_eq!(lines(text), vec!["{\"a\":1}", "{\"b\":2}"]);
    }
}
