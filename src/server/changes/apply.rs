//! Events applied in order. A batch (the events on hand) is one database transaction; an
//! event is refused before anything of it is written (see `identity`), so a refused
//! event leaves nothing behind. Its record (id, sequence, outcome), audit entry and the
//! source's progress are written with the batch, before the commit that the broker's
//! acknowledgement follows: an event is applied and recorded whole, or not at all.

use super::identity::{self, ApplyError, Consequences};
use super::known::Known;
use super::sources;
use super::{OnError, UNREADABLE_SOURCE};
use crate::server::entities::{audit_event, change_event, change_source};
use crate::server::workflow::{jobs, placeholders, Workflows};
use assent_engine::changes::{parse_event, peek, Change, ChangeEvent, ChangeEventError, Peek};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, DbErr, EntityTrait,
    QueryFilter, QuerySelect, Set, Statement, TransactionTrait,
};
use std::collections::{HashMap, HashSet};

/// Rows written with one statement at the end of a batch.
const INSERT_CHUNK: usize = 200;

/// The event that stopped a batch, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stop {
    /// The source it came from ([`UNREADABLE_SOURCE`] when it does not say).
    pub source: String,
    pub event_id: Option<String>,
    pub sequence: Option<u64>,
    pub reason: String,
}

/// How far a batch got: the first `settled` events are committed (applied, ignored as
/// redeliveries, or parked); `stop` is the event after them, when it could not be applied.
#[derive(Debug)]
pub struct BatchOutcome {
    pub settled: usize,
    pub applied: usize,
    pub stop: Option<Stop>,
}

/// What became of one event inside the batch.
enum Verdict {
    Applied,
    /// Already applied (its id), or its sequence is not above the source's last.
    Redelivery,
    Refused {
        peek: Peek,
        reason: String,
    },
}

/// What a batch has settled and writes before its commit.
struct Batch {
    now: DateTime<Utc>,
    /// Each source's row as the batch leaves it; written at the end when `dirty`.
    progress: HashMap<String, change_source::Model>,
    dirty: HashSet<String>,
    /// Event ids recorded before the batch, or by it.
    recorded: HashSet<String>,
    records: Vec<change_event::ActiveModel>,
    audits: Vec<audit_event::ActiveModel>,
    /// The users and departments the batch's events name.
    known: Known,
}

impl Batch {
    async fn source(
        &mut self,
        txn: &DatabaseTransaction,
        source: &str,
    ) -> Result<change_source::Model, DbErr> {
        sources::progress_of(txn, source, &mut self.progress, self.now).await
    }

    fn advance(&mut self, row: &change_source::Model, event_id: &str, sequence: u64, applied: i64) {
        let moved = sources::advanced(row, event_id, sequence, applied, self.now);
        self.dirty.insert(moved.source.clone());
        self.progress.insert(moved.source.clone(), moved);
        self.recorded.insert(event_id.to_owned());
    }

    fn audit(&mut self, action: &str, detail: String) {
        self.audits.push(audit_event::ActiveModel {
            occurred_at: Set(self.now),
            actor: Set(None),
            action: Set(action.to_owned()),
            detail: Set(detail),
            request_id: Set(None),
            ..Default::default()
        });
    }

    #[allow(clippy::too_many_arguments)]
    fn record(
        &mut self,
        event_id: &str,
        source: &str,
        sequence: u64,
        outcome: &str,
        change: Option<&ChangeEvent>,
        reason: Option<&str>,
        payload: Option<String>,
    ) {
        self.records.push(change_event::ActiveModel {
            event_id: Set(event_id.to_owned()),
            source: Set(source.to_owned()),
            sequence: Set(i64::try_from(sequence).unwrap_or(i64::MAX)),
            outcome: Set(outcome.to_owned()),
            kind: Set(change
                .map(|e| e.change.kind().to_owned())
                .unwrap_or_default()),
            object_key: Set(change
                .map(|e| e.change.user().to_string())
                .unwrap_or_default()),
            reason: Set(reason.map(str::to_owned)),
            payload: Set(payload),
            recorded_at: Set(self.now),
        });
    }

    /// Writes what the batch settled: records, audit entries, the sources' progress.
    async fn write(self, txn: &DatabaseTransaction) -> Result<(), DbErr> {
        for chunk in self.records.chunks(INSERT_CHUNK) {
            change_event::Entity::insert_many(chunk.to_vec())
                .exec_without_returning(txn)
                .await?;
        }
        for chunk in self.audits.chunks(INSERT_CHUNK) {
            audit_event::Entity::insert_many(chunk.to_vec())
                .exec_without_returning(txn)
                .await?;
        }
        for source in &self.dirty {
            if let Some(row) = self.progress.get(source) {
                sources::save(txn, row.clone()).await?;
            }
        }
        Ok(())
    }
}

/// Applies change events to the identity store of `workflows`.
#[derive(Clone)]
pub struct Applier {
    workflows: Workflows,
}

impl Applier {
    pub fn new(workflows: Workflows) -> Self {
        Self { workflows }
    }

    pub fn workflows(&self) -> &Workflows {
        &self.workflows
    }

    /// Applies `events` (raw, as received) in order in one transaction and stops at the
    /// first one that cannot be applied, unless its source parks such events. A database
    /// failure rolls the whole batch back: nothing of it is committed or to be acknowledged.
    pub async fn apply_batch(&self, events: &[&[u8]]) -> Result<BatchOutcome, DbErr> {
        let parsed: Vec<Result<ChangeEvent, ChangeEventError>> =
            events.iter().map(|raw| parse_event(raw)).collect();
        let _turn = self.workflows.write_turn().await;
        let txn = self.workflows.db.begin().await?;
        let mut batch = Batch {
            now: self.workflows.now(),
            progress: HashMap::new(),
            dirty: HashSet::new(),
            recorded: recorded_among(&txn, &parsed).await?,
            records: Vec::new(),
            audits: Vec::new(),
            known: Known::load(&txn, parsed.iter().flatten().map(|e| &e.change)).await?,
        };
        let mut applied = 0;
        let mut stop = None;
        let mut settled = events.len();
        for (index, (raw, event)) in events.iter().zip(&parsed).enumerate() {
            match self.apply_one(&txn, raw, event, &mut batch).await? {
                Verdict::Applied => applied += 1,
                Verdict::Redelivery => {}
                Verdict::Refused { peek, reason } => {
                    if park(&txn, &peek, raw, &reason, &mut batch).await? {
                        continue;
                    }
                    settled = index;
                    stop = Some(Stop {
                        source: peek
                            .source
                            .map(|s| s.to_string())
                            .unwrap_or_else(|| UNREADABLE_SOURCE.to_owned()),
                        event_id: peek.event_id,
                        sequence: peek.sequence,
                        reason,
                    });
                    break;
                }
            }
        }
        batch.write(&txn).await?;
        txn.commit().await?;
        Ok(BatchOutcome {
            settled,
            applied,
            stop,
        })
    }

    /// An administrator's changes to the directory (the Users screen), with the same
    /// checks and consequences as change events, in one transaction: refused whole, or
    /// applied whole and audited as `action` with `detail`.
    pub async fn apply_by_admin(
        &self,
        actor: &str,
        changes: &[Change],
        action: &'static str,
        detail: String,
    ) -> Result<(), ApplyError> {
        // SQLite turns a transaction away when another writer (the job runner) committed
        // after it read: nothing was written, so it is tried again, as steps are.
        let mut attempt = 0;
        loop {
            match self.admin_attempt(actor, changes, action, &detail).await {
                Err(ApplyError::Database(error))
                    if crate::server::db::is_busy(&error)
                        && attempt + 1 < crate::server::workflow::BUSY_ATTEMPTS =>
                {
                    crate::server::workflow::busy_pause(attempt).await;
                    attempt += 1;
                }
                done => return done,
            }
        }
    }

    async fn admin_attempt(
        &self,
        actor: &str,
        changes: &[Change],
        action: &'static str,
        detail: &str,
    ) -> Result<(), ApplyError> {
        let _turn = self.workflows.write_turn().await;
        let txn = self.workflows.db.begin().await?;
        let now = self.workflows.now();
        let mut known = Known::load(&txn, changes).await?;
        // Each administrator's change is its own cause of the re-asking it leads to.
        let cause = format!("admin-{}", uuid::Uuid::new_v4().simple());
        for change in changes {
            // A refusal drops the transaction: what earlier changes wrote rolls back.
            let consequences = identity::apply(&txn, &mut known, change, now).await?;
            queue_consequences(&txn, change, &cause, consequences, now).await?;
        }
        audit_event::ActiveModel {
            occurred_at: Set(now),
            actor: Set(Some(actor.to_owned())),
            action: Set(action.to_owned()),
            detail: Set(detail.to_owned()),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        txn.commit().await?;
        Ok(())
    }

    async fn apply_one(
        &self,
        txn: &DatabaseTransaction,
        raw: &[u8],
        parsed: &Result<ChangeEvent, ChangeEventError>,
        batch: &mut Batch,
    ) -> Result<Verdict, DbErr> {
        let event = match parsed {
            Ok(event) => event,
            Err(error) => {
                let seen = peek(raw);
                // A malformed event skipped or parked before, delivered again because
                // its acknowledgement was lost, is a redelivery like any other.
                if already_settled(txn, &seen, batch).await? {
                    return Ok(Verdict::Redelivery);
                }
                return Ok(Verdict::Refused {
                    peek: seen,
                    reason: format!("malformed event: {error}"),
                });
            }
        };
        let source = batch.source(txn, event.source.as_str()).await?;
        let stale = i64::try_from(event.sequence).map_or(true, |s| s <= source.last_sequence);
        if stale || batch.recorded.contains(&event.event_id) {
            return Ok(Verdict::Redelivery);
        }
        // Refusals come before any write (see `identity`), so no savepoint is needed.
        let consequences =
            match identity::apply(txn, &mut batch.known, &event.change, batch.now).await {
                Ok(consequences) => consequences,
                Err(ApplyError::Refused(reason)) => {
                    return Ok(Verdict::Refused {
                        peek: Peek {
                            event_id: Some(event.event_id.clone()),
                            source: Some(event.source.clone()),
                            sequence: Some(event.sequence),
                        },
                        reason,
                    });
                }
                Err(ApplyError::Database(error)) => return Err(error),
            };
        queue_consequences(txn, &event.change, &event.event_id, consequences, batch.now).await?;
        let source_name = event.source.to_string();
        batch.record(
            &event.event_id,
            &source_name,
            event.sequence,
            "applied",
            Some(event),
            None,
            None,
        );
        batch.audit("directory.change_applied", describe(event));
        batch.advance(&source, &event.event_id, event.sequence, 1);
        Ok(Verdict::Applied)
    }
}

/// The ids among `parsed` that are recorded already (applied, skipped or parked).
async fn recorded_among(
    txn: &DatabaseTransaction,
    parsed: &[Result<ChangeEvent, ChangeEventError>],
) -> Result<HashSet<String>, DbErr> {
    let ids: Vec<&str> = parsed
        .iter()
        .filter_map(|event| event.as_ref().ok().map(|e| e.event_id.as_str()))
        .collect();
    let mut recorded = HashSet::new();
    for chunk in ids.chunks(INSERT_CHUNK) {
        let found: Vec<String> = change_event::Entity::find()
            .select_only()
            .column(change_event::Column::EventId)
            .filter(change_event::Column::EventId.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(txn)
            .await?;
        recorded.extend(found);
    }
    Ok(recorded)
}

/// Whether what can be read of a malformed event shows it was settled already: its id is
/// recorded, or its source is past its sequence.
async fn already_settled(
    txn: &DatabaseTransaction,
    seen: &Peek,
    batch: &mut Batch,
) -> Result<bool, DbErr> {
    if let Some(id) = &seen.event_id {
        let recorded = batch.recorded.contains(id)
            || change_event::Entity::find_by_id(id.clone())
                .one(txn)
                .await?
                .is_some();
        if recorded {
            return Ok(true);
        }
    }
    if let (Some(source), Some(sequence)) = (&seen.source, seen.sequence) {
        // A source never seen is not created for an event that cannot be applied.
        let row = match batch.progress.get(source.as_str()) {
            Some(row) => Some(row.clone()),
            None => {
                change_source::Entity::find_by_id(source.to_string())
                    .one(txn)
                    .await?
            }
        };
        if let Some(row) = row {
            return Ok(i64::try_from(sequence).is_ok_and(|s| s <= row.last_sequence));
        }
    }
    Ok(false)
}

/// One line for the audit trail and the pages: `hr #17 (7c9e…): modify user frank`.
pub fn describe(event: &ChangeEvent) -> String {
    format!(
        "{} #{} ({}): {} {}",
        event.source,
        event.sequence,
        event.event_id,
        event.change.kind(),
        event.change.user()
    )
}

/// Sets a refused event aside and moves its source past it, when its source parks what
/// it cannot apply (and the event says which source and sequence it is); else false.
async fn park(
    txn: &DatabaseTransaction,
    peek: &Peek,
    raw: &[u8],
    reason: &str,
    batch: &mut Batch,
) -> Result<bool, DbErr> {
    let (Some(event_id), Some(source), Some(sequence)) =
        (&peek.event_id, &peek.source, peek.sequence)
    else {
        return Ok(false);
    };
    let row = batch.source(txn, source.as_str()).await?;
    if OnError::parse(&row.on_error) != Some(OnError::Park) {
        return Ok(false);
    }
    let payload = String::from_utf8_lossy(raw).into_owned();
    let source = source.to_string();
    batch.record(
        event_id,
        &source,
        sequence,
        "parked",
        None,
        Some(reason),
        Some(payload),
    );
    batch.audit(
        "directory.change_parked",
        format!("{source} #{sequence} ({event_id}) parked: {reason}"),
    );
    batch.advance(&row, event_id, sequence, 0);
    Ok(true)
}

/// Jobs that re-ask the affected workflows once the change is committed: one per
/// workflow and `cause` (an event's id: the idempotency key), so a redelivered event
/// queues nothing twice.
async fn queue_consequences(
    db: &impl ConnectionTrait,
    change: &Change,
    cause: &str,
    consequences: Consequences,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let user = change.user().as_str();
    let backend = db.get_database_backend();
    let mut workflows: Vec<(String, &'static str)> = Vec::new();
    if consequences.disabled || consequences.left_group {
        let why = if consequences.disabled {
            "an approver left"
        } else {
            "an approver left a group"
        };
        for row in db
            .query_all(Statement::from_sql_and_values(
                backend,
                placeholders(
                    backend,
                    "SELECT DISTINCT instance_id FROM work_items WHERE username = ?",
                ),
                [user.into()],
            ))
            .await?
        {
            workflows.push((row.try_get("", "instance_id")?, why));
        }
    }
    if consequences.manager_changed {
        for row in db
            .query_all(Statement::from_sql_and_values(
                backend,
                placeholders(
                    backend,
                    "SELECT id FROM workflow_instances \
                     WHERE (initiator = ? OR subject_id = ?) AND ended_at IS NULL",
                ),
                [user.into(), user.into()],
            ))
            .await?
        {
            workflows.push((row.try_get("", "id")?, "a manager changed"));
        }
    }
    workflows.sort();
    workflows.dedup_by(|a, b| a.0 == b.0);
    for (instance_id, why) in workflows {
        let payload = serde_json::json!({ "eventId": cause, "why": why }).to_string();
        jobs::enqueue(
            db,
            jobs::NewJob {
                kind: jobs::REASSESS,
                key: format!("reassess:{instance_id}:{cause}"),
                instance_id: &instance_id,
                run: 0,
                payload,
                due_at: now,
            },
        )
        .await?;
    }
    Ok(())
}
