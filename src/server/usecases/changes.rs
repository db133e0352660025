//! Identity change events as administrators see them: the consumer, each source's
//! progress and stop, the events set aside; retry or skip a stopped event and choose a
//! source's policy. Each needs the right to manage change events, proved by capability.

use crate::model::changes::{ChangesOverview, SetAsideLine, SourceLine, StopLine};
use crate::server::changes::sources::{self, Request, RequestError};
use crate::server::changes::{ChangeStream, ConsumerStatus, OnError};
use crate::server::rights::{Granted, ManageChangeEvents};
use chrono::{DateTime, Utc};
use sea_orm::{DatabaseConnection, DbErr};

use super::MINUTES;
/// Set-aside events the page lists at most.
const SET_ASIDE_PAGE: u64 = 100;

pub async fn overview(
    _may: Granted<ManageChangeEvents>,
    db: &DatabaseConnection,
    stream: &ChangeStream,
) -> Result<ChangesOverview, DbErr> {
    let status = stream.status();
    let sources = sources::all(db)
        .await?
        .into_iter()
        .map(|row| SourceLine {
            parks: OnError::parse(&row.on_error) == Some(OnError::Park),
            updated: minutes(row.updated_at),
            stop: row.stopped_at.map(|since| StopLine {
                event_id: row.stopped_event_id.clone(),
                sequence: row.stopped_sequence,
                reason: row.stopped_reason.clone().unwrap_or_default(),
                since: minutes(since),
                payload: row.stopped_payload.clone().unwrap_or_default(),
                asked: row.request.clone(),
                asked_by: row.request_by.clone(),
            }),
            source: row.source,
            last_sequence: row.last_sequence,
            applied: row.applied,
        })
        .collect();
    let set_aside = sources::set_aside(db, SET_ASIDE_PAGE)
        .await?
        .into_iter()
        .map(|row| SetAsideLine {
            event_id: row.event_id,
            source: row.source,
            sequence: row.sequence,
            outcome: row.outcome,
            reason: row.reason.unwrap_or_default(),
            recorded: minutes(row.recorded_at),
            payload: row.payload.unwrap_or_default(),
        })
        .collect();
    Ok(ChangesOverview {
        consumer_ok: matches!(status, ConsumerStatus::Consuming),
        consumer: consumer_words(&status),
        sources,
        set_aside,
    })
}

fn consumer_words(status: &ConsumerStatus) -> String {
    match status {
        ConsumerStatus::NotConfigured => {
            "No broker is configured (ASSENT_AMQP_URL): no change events are read.".to_owned()
        }
        ConsumerStatus::Connecting => "Connecting to the broker…".to_owned(),
        ConsumerStatus::Consuming => "Reading change events from the queue.".to_owned(),
        ConsumerStatus::Stopped => {
            "Stopped: an event cannot be applied and waits for an administrator.".to_owned()
        }
        ConsumerStatus::Unreachable(why) => {
            format!("The broker cannot be reached; events wait on the queue. ({why})")
        }
    }
}

fn minutes(at: DateTime<Utc>) -> String {
    at.format(MINUTES).to_string()
}

/// Asks the consumer holding the stopped event of `source` to apply it again.
pub async fn retry(
    _may: Granted<ManageChangeEvents>,
    db: &DatabaseConnection,
    stream: &ChangeStream,
    source: &str,
    by: &str,
) -> Result<String, RequestError> {
    sources::ask(db, source, &Request::Retry, by, Utc::now()).await?;
    stream.requests.notify_waiters();
    Ok("Retry asked: the stopped event is applied again.".to_owned())
}

/// Asks the consumer holding the stopped event of `source` to skip it, for `note`.
pub async fn skip(
    _may: Granted<ManageChangeEvents>,
    db: &DatabaseConnection,
    stream: &ChangeStream,
    source: &str,
    note: &str,
    by: &str,
) -> Result<String, RequestError> {
    let request = Request::Skip {
        by: by.to_owned(),
        note: note.to_owned(),
    };
    sources::ask(db, source, &request, by, Utc::now()).await?;
    stream.requests.notify_waiters();
    Ok("Skip asked: the event is recorded as skipped and the stream goes on.".to_owned())
}

/// Chooses what `source` does with events it cannot apply.
pub async fn set_policy(
    _may: Granted<ManageChangeEvents>,
    db: &DatabaseConnection,
    source: &str,
    policy: OnError,
    by: &str,
) -> Result<String, RequestError> {
    sources::set_policy(db, source, policy, by, Utc::now()).await?;
    Ok(match policy {
        OnError::Stop => "Events of this source that cannot be applied now stop the stream.",
        OnError::Park => "Events of this source that cannot be applied are now parked.",
    }
    .to_owned())
}
