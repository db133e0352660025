//! Each source's progress and stop, kept in `change_sources`: the consumer records where
//! a stream stands still and why; administrators ask it to retry or skip the event (from
//! any node: the consumer holding the event finds the request), and choose per source
//! whether a bad event stops the stream or is parked.

use super::{OnError, UNREADABLE_SOURCE};
use crate::server::accounts::{insert_audit, AuditEntry};
use crate::server::entities::{change_event, change_source};
use assent_engine::changes::peek;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    Set, TransactionTrait,
};
use std::collections::HashMap;

/// The largest part of a stopped or skipped event kept for administrators to read.
const KEPT_PAYLOAD_BYTES: usize = 16 * 1024;

/// What an administrator asked for a stopped event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// Apply it again (after fixing what made it fail).
    Retry,
    /// Give it up, acknowledged and recorded, and go on with the next.
    Skip { by: String, note: String },
}

/// The source's row, from the batch's memory or the database, created on first sight.
pub(crate) async fn progress_of(
    db: &impl ConnectionTrait,
    source: &str,
    progress: &mut HashMap<String, change_source::Model>,
    now: DateTime<Utc>,
) -> Result<change_source::Model, DbErr> {
    if let Some(known) = progress.get(source) {
        return Ok(known.clone());
    }
    let row = match change_source::Entity::find_by_id(source.to_owned())
        .one(db)
        .await?
    {
        Some(row) => row,
        None => fresh(source, now).insert(db).await?,
    };
    progress.insert(source.to_owned(), row.clone());
    Ok(row)
}

fn fresh(source: &str, now: DateTime<Utc>) -> change_source::ActiveModel {
    change_source::ActiveModel {
        source: Set(source.to_owned()),
        last_sequence: Set(0),
        last_event_id: Set(None),
        applied: Set(0),
        on_error: Set(OnError::default().as_str().to_owned()),
        stopped_at: Set(None),
        stopped_event_id: Set(None),
        stopped_sequence: Set(None),
        stopped_payload: Set(None),
        stopped_reason: Set(None),
        request: Set(None),
        request_by: Set(None),
        request_note: Set(None),
        updated_at: Set(now),
    }
}

/// The source moved past `sequence` (counting `applied` more events), its stop cleared:
/// the stream runs again. Stored by [`save`].
pub(crate) fn advanced(
    row: &change_source::Model,
    event_id: &str,
    sequence: u64,
    applied: i64,
    now: DateTime<Utc>,
) -> change_source::Model {
    let sequence = i64::try_from(sequence).unwrap_or(i64::MAX);
    change_source::Model {
        last_sequence: sequence.max(row.last_sequence),
        last_event_id: Some(event_id.to_owned()),
        applied: row.applied + applied,
        stopped_at: None,
        stopped_event_id: None,
        stopped_sequence: None,
        stopped_payload: None,
        stopped_reason: None,
        request: None,
        request_by: None,
        request_note: None,
        updated_at: now,
        ..row.clone()
    }
}

/// Stores the whole row of a source that exists.
pub(crate) async fn save(
    db: &impl ConnectionTrait,
    row: change_source::Model,
) -> Result<(), DbErr> {
    // Every column marked changed: the row in memory is the source's whole state.
    change_source::ActiveModel::from(row)
        .reset_all()
        .update(db)
        .await?;
    Ok(())
}

fn kept(raw: &[u8]) -> String {
    let text = String::from_utf8_lossy(raw);
    let mut end = text.len().min(KEPT_PAYLOAD_BYTES);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_owned()
}

/// Records that the stream stands still on `raw` for `reason`. The first stop on an
/// event is audited; the same event failing again (a retry, a restart) updates the
/// reason and keeps any request an administrator already made.
pub async fn record_stop(
    db: &impl TransactionTrait,
    stop: &super::apply::Stop,
    raw: &[u8],
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let txn = db.begin().await?;
    let mut progress = HashMap::new();
    let row = progress_of(&txn, &stop.source, &mut progress, now).await?;
    let same_event = row.stopped_at.is_some() && row.stopped_event_id == stop.event_id;
    let mut changed: change_source::ActiveModel = row.into();
    if !same_event {
        changed.stopped_at = Set(Some(now));
        changed.request = Set(None);
        changed.request_by = Set(None);
        changed.request_note = Set(None);
        insert_audit(
            &txn,
            AuditEntry {
                actor: None,
                action: "directory.changes_stopped",
                detail: format!(
                    "{} #{} ({}) stopped the stream: {}",
                    stop.source,
                    stop.sequence.map(|s| s.to_string()).unwrap_or_default(),
                    stop.event_id.as_deref().unwrap_or("no event id"),
                    stop.reason
                ),
                request_id: None,
            },
        )
        .await?;
    }
    changed.stopped_event_id = Set(stop.event_id.clone());
    changed.stopped_sequence = Set(stop.sequence.and_then(|s| i64::try_from(s).ok()));
    changed.stopped_payload = Set(Some(kept(raw)));
    changed.stopped_reason = Set(Some(stop.reason.clone()));
    changed.updated_at = Set(now);
    changed.update(&txn).await?;
    txn.commit().await
}

/// Takes the request an administrator made for the stopped `source`, if any.
pub async fn take_request(
    db: &impl ConnectionTrait,
    source: &str,
) -> Result<Option<Request>, DbErr> {
    let Some(row) = change_source::Entity::find_by_id(source.to_owned())
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let request = match row.request.as_deref() {
        Some("retry") => Request::Retry,
        Some("skip") => Request::Skip {
            by: row.request_by.clone().unwrap_or_default(),
            note: row.request_note.clone().unwrap_or_default(),
        },
        _ => return Ok(None),
    };
    let none: Option<String> = None;
    let taken = change_source::Entity::update_many()
        .col_expr(change_source::Column::Request, Expr::value(none))
        .filter(change_source::Column::Source.eq(source))
        .filter(change_source::Column::Request.eq(row.request.clone()))
        .exec(db)
        .await?;
    Ok((taken.rows_affected == 1).then_some(request))
}

/// Gives the stopped event `raw` up: recorded as skipped with who asked and why, the
/// source moved past it, audited; all in one transaction, before it is acknowledged.
pub async fn skip(
    db: &impl TransactionTrait,
    source: &str,
    raw: &[u8],
    by: &str,
    note: &str,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let seen = peek(raw);
    let event_id = seen
        .event_id
        .clone()
        .unwrap_or_else(|| format!("unreadable-{}", uuid::Uuid::new_v4()));
    let txn = db.begin().await?;
    let mut progress = HashMap::new();
    let row = progress_of(&txn, source, &mut progress, now).await?;
    let reason = row.stopped_reason.clone();
    let already = change_event::Entity::find_by_id(event_id.clone())
        .one(&txn)
        .await?
        .is_some();
    if !already {
        change_event::Entity::insert(change_event::ActiveModel {
            event_id: Set(event_id.clone()),
            source: Set(source.to_owned()),
            sequence: Set(seen
                .sequence
                .and_then(|s| i64::try_from(s).ok())
                .unwrap_or(0)),
            outcome: Set("skipped".to_owned()),
            kind: Set(String::new()),
            object_key: Set(String::new()),
            // Why it failed, and who gave it up and why, for the page that lists it.
            reason: Set(Some(format!(
                "{}; skipped by {by}: {note}",
                reason.as_deref().unwrap_or("not applied")
            ))),
            payload: Set(Some(kept(raw))),
            recorded_at: Set(now),
        })
        .exec(&txn)
        .await?;
    }
    let sequence = if source == UNREADABLE_SOURCE {
        0
    } else {
        seen.sequence.unwrap_or(0)
    };
    save(&txn, advanced(&row, &event_id, sequence, 0, now)).await?;
    insert_audit(
        &txn,
        AuditEntry {
            actor: Some(by.to_owned()),
            action: "directory.change_skipped",
            detail: format!(
                "{source} #{} ({event_id}) skipped: {note} (it had failed: {})",
                seen.sequence.map(|s| s.to_string()).unwrap_or_default(),
                reason.unwrap_or_default()
            ),
            request_id: None,
        },
    )
    .await?;
    txn.commit().await
}

/// Why an administrator's request was not taken.
#[derive(Debug, thiserror::Error)]
pub enum RequestError {
    #[error("no such change source")]
    UnknownSource,
    #[error("the stream of this source is not stopped")]
    NotStopped,
    #[error("say why the event is skipped")]
    NoteRequired,
    #[error(transparent)]
    Database(#[from] DbErr),
}

/// An administrator asks the consumer holding the stopped event of `source` to retry or
/// skip it; audited here, and (for a skip) again when it is done.
pub async fn ask(
    db: &impl TransactionTrait,
    source: &str,
    request: &Request,
    by: &str,
    now: DateTime<Utc>,
) -> Result<(), RequestError> {
    let (word, action, note) = match request {
        Request::Retry => ("retry", "directory.change_retry_asked", String::new()),
        Request::Skip { note, .. } if note.trim().is_empty() => {
            return Err(RequestError::NoteRequired)
        }
        Request::Skip { note, .. } => (
            "skip",
            "directory.change_skip_asked",
            note.trim().to_owned(),
        ),
    };
    administer(db, source, by, action, now, |row, changed| {
        if row.stopped_at.is_none() {
            return Err(RequestError::NotStopped);
        }
        changed.request = Set(Some(word.to_owned()));
        changed.request_by = Set(Some(by.to_owned()));
        changed.request_note = Set((!note.is_empty()).then(|| note.clone()));
        let event = row.stopped_event_id.as_deref().unwrap_or_default();
        Ok(format!("{source}: {word} event {event} {note}")
            .trim_end()
            .to_owned())
    })
    .await
}

/// Sets what `source` does with events it cannot apply; audited.
pub async fn set_policy(
    db: &impl TransactionTrait,
    source: &str,
    policy: OnError,
    by: &str,
    now: DateTime<Utc>,
) -> Result<(), RequestError> {
    administer(
        db,
        source,
        by,
        "directory.change_policy",
        now,
        |_, changed| {
            changed.on_error = Set(policy.as_str().to_owned());
            let effect = match policy {
                OnError::Stop => "stop the stream",
                OnError::Park => "are parked",
            };
            Ok(format!("{source}: events that cannot be applied {effect}"))
        },
    )
    .await
}

/// Changes the row of `source` as `change` says (which also words the audit entry), in
/// one transaction with the entry recorded as `action` by `by`.
async fn administer(
    db: &impl TransactionTrait,
    source: &str,
    by: &str,
    action: &'static str,
    now: DateTime<Utc>,
    change: impl FnOnce(
        &change_source::Model,
        &mut change_source::ActiveModel,
    ) -> Result<String, RequestError>,
) -> Result<(), RequestError> {
    let txn = db.begin().await?;
    let row = change_source::Entity::find_by_id(source.to_owned())
        .one(&txn)
        .await?
        .ok_or(RequestError::UnknownSource)?;
    let mut changed: change_source::ActiveModel = row.clone().into();
    let detail = change(&row, &mut changed)?;
    changed.updated_at = Set(now);
    changed.update(&txn).await?;
    insert_audit(
        &txn,
        AuditEntry {
            actor: Some(by.to_owned()),
            action,
            detail,
            request_id: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Every source, by name.
pub async fn all(db: &impl ConnectionTrait) -> Result<Vec<change_source::Model>, DbErr> {
    change_source::Entity::find()
        .order_by_asc(change_source::Column::Source)
        .all(db)
        .await
}

/// The latest events set aside (parked or skipped), newest first.
pub async fn set_aside(
    db: &impl ConnectionTrait,
    limit: u64,
) -> Result<Vec<change_event::Model>, DbErr> {
    use sea_orm::QuerySelect;
    change_event::Entity::find()
        .filter(change_event::Column::Outcome.is_in(["parked", "skipped"]))
        .order_by_desc(change_event::Column::RecordedAt)
        .limit(limit)
        .all(db)
        .await
}
