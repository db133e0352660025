//! The audit trail for administrators: a search by actor, kind, workflow, words and time, newest
//! first, a page at a time by entry number (an index walk, however long the trail), and
//! the same search written out as CSV in batches, so an export of any size streams.

use crate::model::audit::{csv_cell, AuditEntryLine, AuditPage, AuditQuery, AUDIT_PAGE_SIZE};
use crate::server::entities::audit_event as row;
use crate::server::rights::{Granted, ReadAudit};
use chrono::{NaiveDate, NaiveTime, TimeZone, Utc};
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

/// Entries read from the database at a time by the export.
const EXPORT_BATCH: u64 = 1000;
/// Longest text of a filter, in characters.
const MAX_FILTER_CHARS: usize = 200;

/// Why a search cannot be made.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Database(#[from] DbErr),
}

/// One page of the entries `query` finds, newest first.
pub async fn search(
    _may: Granted<ReadAudit>,
    db: &DatabaseConnection,
    query: &AuditQuery,
) -> Result<AuditPage, AuditError> {
    let condition = condition(query)?;
    let mut found = batch(db, condition, query.before, AUDIT_PAGE_SIZE + 1).await?;
    let older = (found.len() as u64 > AUDIT_PAGE_SIZE).then(|| {
        found.truncate(AUDIT_PAGE_SIZE as usize);
        found.last().map_or(0, |entry| i64::from(entry.id))
    });
    Ok(AuditPage {
        entries: found.into_iter().map(line).collect(),
        older,
    })
}

/// The export's first line.
pub const CSV_HEADER: &str = "id,occurred_at,actor,action,detail,workflow_id,request_id\r\n";

/// The entries `query` finds, as CSV lines, one batch after the other (`None` when all
/// were written). `after` is where the previous batch ended.
pub async fn csv_batch(
    _may: Granted<ReadAudit>,
    db: &DatabaseConnection,
    query: &AuditQuery,
    after: Option<i64>,
) -> Result<Option<(String, i64)>, AuditError> {
    let found = batch(db, condition(query)?, after, EXPORT_BATCH).await?;
    let Some(last) = found.last().map(|entry| i64::from(entry.id)) else {
        return Ok(None);
    };
    let mut text = String::new();
    for entry in found {
        let line = line(entry);
        let cells = [
            line.id.to_string(),
            line.occurred_at,
            line.actor.unwrap_or_default(),
            line.action,
            line.detail,
            line.workflow_id.unwrap_or_default(),
            line.request_id.unwrap_or_default(),
        ];
        let cells: Vec<String> = cells.iter().map(|cell| csv_cell(cell)).collect();
        text.push_str(&cells.join(","));
        text.push_str("\r\n");
    }
    Ok(Some((text, last)))
}

/// Checks the query (the export checks it before its first line) and makes its condition.
pub fn condition(query: &AuditQuery) -> Result<Condition, AuditError> {
    let given = |text: &Option<String>| -> Result<Option<String>, AuditError> {
        let text = text.as_deref().map(str::trim).filter(|t| !t.is_empty());
        match text {
            Some(text) if text.chars().count() > MAX_FILTER_CHARS => Err(AuditError::Invalid(
                format!("A filter has at most {MAX_FILTER_CHARS} characters."),
            )),
            other => Ok(other.map(str::to_owned)),
        }
    };
    let mut condition = Condition::all();
    if let Some(actor) = given(&query.actor)? {
        condition = condition.add(row::Column::Actor.eq(actor.to_lowercase()));
    }
    if let Some(kind) = given(&query.kind)? {
        condition = condition.add(row::Column::Action.starts_with(kind.to_lowercase()));
    }
    if let Some(target) = given(&query.target)? {
        condition = condition.add(row::Column::WorkflowId.eq(target));
    }
    if let Some(words) = given(&query.words)? {
        condition = condition.add(row::Column::Detail.contains(words));
    }
    let day = |text: &Option<String>| -> Result<Option<NaiveDate>, AuditError> {
        given(text)?
            .map(|text| {
                NaiveDate::parse_from_str(&text, "%Y-%m-%d")
                    .map_err(|_| AuditError::Invalid("Give days as YYYY-MM-DD.".to_owned()))
            })
            .transpose()
    };
    let start_of = |date: NaiveDate| Utc.from_utc_datetime(&date.and_time(NaiveTime::MIN));
    let (from, to) = (day(&query.from)?, day(&query.to)?);
    if let (Some(from), Some(to)) = (from, to) {
        if from > to {
            return Err(AuditError::Invalid(
                "The first day comes after the last.".to_owned(),
            ));
        }
    }
    if let Some(from) = from {
        condition = condition.add(row::Column::OccurredAt.gte(start_of(from)));
    }
    if let Some(next) = to.and_then(|to| to.succ_opt()) {
        condition = condition.add(row::Column::OccurredAt.lt(start_of(next)));
    }
    Ok(condition)
}

/// Up to `limit` entries under `condition` older than entry `before`, newest first.
async fn batch(
    db: &DatabaseConnection,
    condition: Condition,
    before: Option<i64>,
    limit: u64,
) -> Result<Vec<row::Model>, DbErr> {
    let mut select = row::Entity::find().filter(condition);
    if let Some(before) = before {
        select = select.filter(row::Column::Id.lt(before));
    }
    select
        .order_by_desc(row::Column::Id)
        .limit(limit)
        .all(db)
        .await
}

fn line(entry: row::Model) -> AuditEntryLine {
    AuditEntryLine {
        id: i64::from(entry.id),
        occurred_at: entry.occurred_at.format("%Y-%m-%d %H:%M:%S").to_string(),
        actor: entry.actor,
        action: entry.action,
        detail: entry.detail,
        workflow_id: entry.workflow_id,
        request_id: entry.request_id,
    }
}
