//! A large, plausible history for the benches of the administrators' screens: workflows
//! over two years (most ended long ago, some running, a few failed, suspended or waiting
//! in error), their open work items, failing jobs and an audit trail with decisions.
//! Written as rows in bulk (the engine's own path would take hours at this size); the
//! rows hold what the screens query, and a placeholder for the workflow data, which no
//! dashboard figure or search reads.

use assent::server::entities::{audit_event, job, work_item, workflow_instance};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveValue::Set, ConnectionTrait, DatabaseConnection, EntityTrait, TransactionTrait,
};

/// Rows per INSERT (under SQLite's limit of bound values).
const CHUNK: usize = 1000;
const APPROVERS: [&str; 6] = ["bob", "carol", "dave", "erin", "frank", "grace"];
const REQUESTERS: [&str; 8] = [
    "alice", "frank", "grace", "heidi", "ivan", "judy", "mallory", "niaj",
];

/// What was made, for the bench to aim its queries at.
pub struct Generated {
    pub workflows: usize,
    pub running: usize,
    pub audit_entries: usize,
    /// One workflow waiting in error (its ID, to search the audit trail by).
    pub stuck_id: String,
}

/// Writes `count` workflows of the deployed definitions `definition_ids` (and their
/// items, jobs and audit entries), the newest created just now.
pub async fn workflows(db: &DatabaseConnection, definition_ids: &[i32], count: usize) -> Generated {
    let now = Utc::now();
    let span = Duration::days(730);
    let mut running = 0;
    let mut audit_entries = 0;
    let mut stuck_id = String::new();
    let mut rows = Vec::with_capacity(CHUNK);
    let mut items = Vec::new();
    let mut entries = Vec::new();
    let mut jobs = Vec::new();
    for n in 0..count {
        // Oldest first, spread evenly over the span.
        let offset = span.num_seconds() * n as i64 / count.max(1) as i64;
        let created = now - span + Duration::seconds(offset);
        let id = format!("gen{n:012x}");
        // The last 8% are still open; of all, 1% failed; a few are suspended or stuck.
        let open = n >= count - count * 8 / 100;
        let (state, waits_in_error) = match n % 1000 {
            _ if !open && n % 100 == 7 => ("FAILED", false),
            _ if !open && n % 10 == 3 => ("ABORTED", false),
            _ if !open => ("SUCCEEDED", false),
            0 => ("SUSPENDED", false),
            1 => ("RUNNING", true),
            _ => ("RUNNING", false),
        };
        if waits_in_error {
            stuck_id = id.clone();
        }
        let ended = (!open).then(|| created + Duration::hours(30));
        rows.push(workflow_instance::ActiveModel {
            id: Set(id.clone()),
            definition_id: Set(definition_ids[n % definition_ids.len()]),
            state: Set(state.to_owned()),
            application_state: Set(None),
            initiator: Set(REQUESTERS[n % REQUESTERS.len()].to_owned()),
            subject_id: Set(Some(REQUESTERS[(n / 3) % REQUESTERS.len()].to_owned())),
            correlation_id: Set(None),
            data: Set("{}".to_owned()),
            version: Set(3),
            created_at: Set(created),
            updated_at: Set(ended.unwrap_or(created)),
            ended_at: Set(ended),
            waits_in_error: Set(waits_in_error),
        });
        if state == "RUNNING" && !waits_in_error {
            running += 1;
            // Due from ten days ago to ten days ahead.
            let due = now + Duration::minutes((n % 28_800) as i64 - 14_400);
            items.push(work_item::ActiveModel {
                instance_id: Set(id.clone()),
                run_seq: Set(1),
                username: Set(APPROVERS[n % APPROVERS.len()].to_owned()),
                activity: Set("manager_approval".to_owned()),
                due_at: Set(Some(due)),
                created_at: Set(created),
                status: Set("personal".to_owned()),
            });
        }
        if waits_in_error || n % 5000 == 11 {
            jobs.push(job::ActiveModel {
                kind: Set("effect".to_owned()),
                idempotency_key: Set(format!("{id}:1")),
                instance_id: Set(id.clone()),
                run_seq: Set(1),
                payload: Set("{}".to_owned()),
                due_at: Set(created),
                attempts: Set(3),
                last_error: Set(Some("POST hr /employees → 503".to_owned())),
                ..Default::default()
            });
        }
        // Created, and (for most) one decision a day later.
        entries.push(entry(
            created,
            REQUESTERS[n % REQUESTERS.len()],
            "workflow.created",
            &id,
        ));
        if n % 4 != 0 {
            let decided = created + Duration::hours(24);
            entries.push(entry(
                decided,
                APPROVERS[n % APPROVERS.len()],
                "workflow.decided",
                &id,
            ));
        }
        if rows.len() == CHUNK {
            audit_entries += entries.len();
            write(db, &mut rows, &mut items, &mut entries, &mut jobs).await;
        }
    }
    audit_entries += entries.len();
    write(db, &mut rows, &mut items, &mut entries, &mut jobs).await;
    // A database this size in service has its planner statistics (and, on PostgreSQL,
    // its visibility map) from autovacuum; a bulk load has neither until asked.
    let settle = match db.get_database_backend() {
        sea_orm::DatabaseBackend::Postgres => "VACUUM ANALYZE",
        _ => "ANALYZE",
    };
    db.execute_unprepared(settle).await.unwrap();
    Generated {
        workflows: count,
        running,
        audit_entries,
        stuck_id,
    }
}

fn entry(at: DateTime<Utc>, actor: &str, action: &str, id: &str) -> audit_event::ActiveModel {
    audit_event::ActiveModel {
        occurred_at: Set(at),
        actor: Set(Some(actor.to_owned())),
        action: Set(action.to_owned()),
        detail: Set(format!("workflow {id}: generated")),
        request_id: Set(None),
        workflow_id: Set(Some(id.to_owned())),
        ..Default::default()
    }
}

/// Writes and empties the buffers, in one transaction.
async fn write(
    db: &DatabaseConnection,
    rows: &mut Vec<workflow_instance::ActiveModel>,
    items: &mut Vec<work_item::ActiveModel>,
    entries: &mut Vec<audit_event::ActiveModel>,
    jobs: &mut Vec<job::ActiveModel>,
) {
    let txn = db.begin().await.unwrap();
    if !rows.is_empty() {
        workflow_instance::Entity::insert_many(std::mem::take(rows))
            .exec_without_returning(&txn)
            .await
            .unwrap();
    }
    for chunk in std::mem::take(items).chunks(CHUNK) {
        work_item::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(&txn)
            .await
            .unwrap();
    }
    for chunk in std::mem::take(entries).chunks(CHUNK) {
        audit_event::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(&txn)
            .await
            .unwrap();
    }
    for chunk in std::mem::take(jobs).chunks(CHUNK) {
        job::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(&txn)
            .await
            .unwrap();
    }
    txn.commit().await.unwrap();
}
