//! Persisting one engine step: the instance (with its optimistic-lock check), its open
//! work items, its timers and outbox jobs, its identity-store changes and its audit
//! entries, all in the caller's transaction.

use super::{from_timestamp, WorkflowError, Workflows};
use crate::server::accounts::{insert_workflow_audit, AuditEntry};
use crate::server::entities::{
    assignment, job, user, work_item, workflow_instance as row, workflow_step,
};
use crate::server::provisioning::{self, planner::ChangedPeople};
use assent_engine::flowdata::Value;
use assent_engine::runtime::model::Instance;
use assent_engine::runtime::{Effect, IdentityChange, Step};
use assent_engine::ApplicationState;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    Statement,
};
use serde::{Deserialize, Serialize};

/// What the outbox carries for an effect that leaves the process.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(crate) enum OutboxMessage {
    Notify {
        users: Vec<String>,
        reminder: bool,
    },
    Email {
        to: Vec<String>,
        template: String,
    },
    /// A `rest` activity's call (see [`super::jobs::RestCall`]).
    Rest {
        endpoint: String,
        method: String,
        path: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        body: Option<std::collections::BTreeMap<String, Vec<Value>>>,
    },
    /// Starts the hand-off `handoff` (its row is written with the step); `secret` is
    /// the callback's, of which the row keeps only the digest.
    HandOff {
        handoff: String,
        secret: String,
        parameters: serde_json::Map<String, serde_json::Value>,
    },
    /// The key goes to the address stored for this account (a user name), never to one
    /// a requester typed. Messages queued before carried `to`; read as the account, an
    /// address names none and the delivery fails rather than mail anyone else.
    ActivationKey {
        #[serde(alias = "to")]
        account: String,
    },
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct TimerPayload {
    pub generation: u32,
}

pub(crate) struct Transition<'a> {
    pub step: &'a Step,
    pub definition_id: i32,
    /// The instance as the caller loaded it; `None` for a new one.
    pub before: Option<&'a Instance>,
    pub actor: Option<String>,
    pub action: &'static str,
    pub detail: String,
    /// The job whose handling produced this step, marked done in the same transaction.
    pub completes_job: Option<i32>,
}

fn application_state(state: Option<ApplicationState>) -> Option<String> {
    state.map(|s| match s {
        ApplicationState::Accepted => "ACCEPTED".to_owned(),
        ApplicationState::Rejected => "REJECTED".to_owned(),
    })
}

fn work_item_status(
    approval: &assent_engine::runtime::model::ApprovalRun,
    user: &assent_engine::UserName,
    pool: bool,
) -> &'static str {
    if approval.claimed_by.as_ref() == Some(user) {
        "claimed"
    } else if pool {
        "pool"
    } else {
        "personal"
    }
}

pub fn decode(stored: &row::Model) -> Result<Instance, WorkflowError> {
    decode_data(&stored.data)
}

/// An instance as saved (in its row, or in a step of its history).
pub fn decode_data(data: &str) -> Result<Instance, WorkflowError> {
    serde_json::from_str(data).map_err(|e| WorkflowError::Corrupt(e.to_string()))
}

/// Whether a running workflow has an activity waiting for an administrator.
fn waits_in_error(instance: &Instance) -> bool {
    instance.state == assent_engine::WorkflowState::Running
        && instance
            .runs
            .iter()
            .any(|run| run.state == assent_engine::ActivityState::WaitInError)
}

impl Workflows {
    pub(crate) async fn persist(
        &self,
        txn: &DatabaseTransaction,
        transition: Transition<'_>,
    ) -> Result<(), WorkflowError> {
        let now = self.clock.now();
        let instance = &transition.step.instance;
        let data =
            serde_json::to_string(instance).map_err(|e| WorkflowError::Corrupt(e.to_string()))?;
        let version = i64::try_from(instance.version).unwrap_or(i64::MAX);
        let waits_in_error = waits_in_error(instance);
        match transition.before.map(|before| before.version) {
            None => {
                row::Entity::insert(row::ActiveModel {
                    id: Set(instance.id.clone()),
                    definition_id: Set(transition.definition_id),
                    state: Set(instance.state.as_str().to_owned()),
                    application_state: Set(application_state(instance.application_state)),
                    initiator: Set(instance.initiator.to_string()),
                    subject_id: Set(instance.subject.as_ref().map(|s| s.target_id.clone())),
                    correlation_id: Set(instance.correlation_id.clone()),
                    data: Set(data.clone()),
                    version: Set(version),
                    created_at: Set(from_timestamp(instance.created_at)),
                    updated_at: Set(now),
                    ended_at: Set(instance.ended_at.map(from_timestamp)),
                    waits_in_error: Set(waits_in_error),
                })
                .exec_without_returning(txn)
                .await?;
            }
            Some(loaded) => {
                let updated = row::Entity::update_many()
                    .col_expr(row::Column::State, Expr::value(instance.state.as_str()))
                    .col_expr(
                        row::Column::ApplicationState,
                        Expr::value(application_state(instance.application_state)),
                    )
                    .col_expr(row::Column::Data, Expr::value(data.clone()))
                    .col_expr(row::Column::WaitsInError, Expr::value(waits_in_error))
                    .col_expr(row::Column::Version, Expr::value(version))
                    .col_expr(row::Column::UpdatedAt, Expr::value(now))
                    .col_expr(
                        row::Column::EndedAt,
                        Expr::value(instance.ended_at.map(from_timestamp)),
                    )
                    .filter(row::Column::Id.eq(&instance.id))
                    .filter(row::Column::Version.eq(i64::try_from(loaded).unwrap_or(i64::MAX)))
                    .exec(txn)
                    .await?;
                if updated.rows_affected != 1 {
                    return Err(WorkflowError::Conflict);
                }
            }
        }

        work_item::Entity::delete_many()
            .filter(work_item::Column::InstanceId.eq(&instance.id))
            .exec(txn)
            .await?;
        let items: Vec<work_item::ActiveModel> = instance
            .runs
            .iter()
            .filter(|run| run.state == assent_engine::ActivityState::Running)
            .filter_map(|run| run.approval.as_ref().map(|approval| (run, approval)))
            .flat_map(|(run, approval)| {
                let pool = approval.is_pool();
                approval
                    .waiting_on()
                    .into_iter()
                    .map(move |p| work_item::ActiveModel {
                        instance_id: Set(instance.id.clone()),
                        run_seq: Set(run.seq as i32),
                        username: Set(p.user.to_string()),
                        activity: Set(run.activity.to_string()),
                        due_at: Set(approval.due_at.map(from_timestamp)),
                        created_at: Set(from_timestamp(run.started_at)),
                        status: Set(work_item_status(approval, &p.user, pool).to_owned()),
                    })
            })
            .collect();
        if !items.is_empty() {
            work_item::Entity::insert_many(items)
                .exec_without_returning(txn)
                .await?;
        }

        for timer in &transition.step.timers {
            let payload = serde_json::to_string(&TimerPayload {
                generation: timer.generation,
            })
            .expect("a timer payload serialises");
            self.enqueue(
                txn,
                "timer",
                format!("timer:{}:{}:{}", instance.id, timer.run, timer.generation),
                &instance.id,
                timer.run,
                payload,
                from_timestamp(timer.due_at),
            )
            .await?;
        }

        let mut changed_people = ChangedPeople::new();
        for (index, effect) in transition.step.effects.iter().enumerate() {
            let (run, message) = match effect {
                Effect::ChangeIdentity { run, change } => {
                    apply_identity_change(txn, change, &instance.id, now).await?;
                    let activity = instance
                        .runs
                        .iter()
                        .find(|r| r.seq == *run)
                        .map(|r| r.activity.to_string())
                        .unwrap_or_default();
                    changed_people.insert(change.user().to_owned(), activity);
                    continue;
                }
                Effect::Audit { message } => {
                    insert_workflow_audit(
                        txn,
                        &instance.id,
                        AuditEntry {
                            actor: None,
                            action: "workflow.log",
                            detail: message.clone(),
                            request_id: None,
                        },
                    )
                    .await?;
                    continue;
                }
                Effect::NotifyParticipants {
                    run,
                    users,
                    reminder,
                } => (
                    *run,
                    OutboxMessage::Notify {
                        users: users.iter().map(ToString::to_string).collect(),
                        reminder: *reminder,
                    },
                ),
                Effect::SendEmail { run, to, template } => (
                    *run,
                    OutboxMessage::Email {
                        to: to.iter().map(ToString::to_string).collect(),
                        template: template.clone(),
                    },
                ),
                Effect::CallRest {
                    run,
                    endpoint,
                    method,
                    path,
                    body,
                } => (
                    *run,
                    OutboxMessage::Rest {
                        endpoint: endpoint.clone(),
                        method: method.clone(),
                        path: path.clone(),
                        body: body.clone(),
                    },
                ),
                Effect::HandOff {
                    run,
                    engine,
                    start,
                    parameters,
                    time_limit_seconds,
                } => {
                    let recorded = super::handoffs::record(
                        txn,
                        &instance.id,
                        *run,
                        engine,
                        start,
                        *time_limit_seconds,
                        now,
                    )
                    .await?;
                    (
                        *run,
                        OutboxMessage::HandOff {
                            handoff: recorded.id,
                            secret: recorded.secret,
                            parameters: parameters
                                .iter()
                                .map(|(k, v)| (k.clone(), super::handoffs::to_json(v)))
                                .collect(),
                        },
                    )
                }
                Effect::IssueActivationKey { run, account } => (
                    *run,
                    OutboxMessage::ActivationKey {
                        account: account.to_string(),
                    },
                ),
            };
            let payload = serde_json::to_string(&message).expect("an outbox message serialises");
            self.enqueue(
                txn,
                "effect",
                format!("effect:{}:{}:{index}", instance.id, instance.version),
                &instance.id,
                run,
                payload,
                now,
            )
            .await?;
        }

        // Their accounts on target systems follow in this same transaction (the outbox).
        provisioning::planner::provision(
            txn,
            &self.provisioning.resources.current(),
            &changed_people,
            instance,
            now,
        )
        .await?;

        if let Some(job_id) = transition.completes_job {
            job::Entity::update_many()
                .col_expr(job::Column::DoneAt, Expr::value(now))
                .col_expr(
                    job::Column::LockedUntil,
                    Expr::value(Option::<chrono::DateTime<chrono::Utc>>::None),
                )
                .filter(job::Column::Id.eq(job_id))
                .exec(txn)
                .await?;
        }

        if let Some(before) = transition.before {
            super::decision_times::record(txn, transition.definition_id, before, instance).await?;
        }

        // The step as it was, for replay: the same who and why as the audit entry.
        workflow_step::Entity::insert(workflow_step::ActiveModel {
            workflow_id: Set(instance.id.clone()),
            version: Set(version),
            occurred_at: Set(now),
            actor: Set(transition.actor.clone()),
            action: Set(transition.action.to_owned()),
            detail: Set(transition.detail.clone()),
            data: Set(data),
            ..Default::default()
        })
        .exec_without_returning(txn)
        .await?;
        insert_workflow_audit(
            txn,
            &instance.id,
            AuditEntry {
                actor: transition.actor,
                action: transition.action,
                detail: format!("workflow {}: {}", instance.id, transition.detail),
                request_id: None,
            },
        )
        .await?;
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    async fn enqueue(
        &self,
        txn: &DatabaseTransaction,
        kind: &str,
        key: String,
        instance_id: &str,
        run: u32,
        payload: String,
        due_at: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), WorkflowError> {
        super::jobs::enqueue(
            txn,
            super::jobs::NewJob {
                kind,
                key,
                instance_id,
                run,
                payload,
                due_at,
            },
        )
        .await?;
        Ok(())
    }
}

async fn apply_identity_change(
    txn: &DatabaseTransaction,
    change: &IdentityChange,
    instance_id: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), WorkflowError> {
    let (username, kind, name, grant) = match change {
        IdentityChange::Role { user, role, grant } => (user, "role", role, *grant),
        IdentityChange::Resource {
            user,
            resource,
            grant,
        } => (user, "resource", resource, *grant),
        IdentityChange::Entitlement {
            user,
            entitlement,
            grant,
        } => (user, "entitlement", entitlement, *grant),
        IdentityChange::SetAttributes {
            user: username,
            attributes,
        } => {
            for (name, values) in attributes {
                let text =
                    |values: &[Value]| values.first().map(Value::as_text).unwrap_or_default();
                if name == "enabled" {
                    let enabled = values.first() == Some(&Value::Bool(true));
                    user::Entity::update_many()
                        .col_expr(user::Column::Disabled, Expr::value(!enabled))
                        .filter(user::Column::Username.eq(username))
                        .exec(txn)
                        .await?;
                    continue;
                }
                let column = match name.as_str() {
                    "title" => Some(user::Column::Title),
                    "email" => Some(user::Column::Email),
                    "displayName" => Some(user::Column::DisplayName),
                    _ => None,
                };
                match column {
                    Some(column) => {
                        user::Entity::update_many()
                            .col_expr(column, Expr::value(text(values)))
                            .filter(user::Column::Username.eq(username))
                            .exec(txn)
                            .await?;
                    }
                    None => {
                        let backend = txn.get_database_backend();
                        let json = serde_json::to_string(
                            &values.iter().map(Value::as_text).collect::<Vec<_>>(),
                        )
                        .expect("strings serialise");
                        txn.execute(Statement::from_sql_and_values(
                            backend,
                            placeholders(
                                backend,
                                "DELETE FROM user_attributes WHERE username = ? AND name = ?",
                            ),
                            [username.clone().into(), name.clone().into()],
                        ))
                        .await?;
                        txn.execute(Statement::from_sql_and_values(
                            backend,
                            placeholders(backend, "INSERT INTO user_attributes (username, name, values_json) VALUES (?, ?, ?)"),
                            [username.clone().into(), name.clone().into(), json.into()],
                        ))
                        .await?;
                    }
                }
            }
            return Ok(());
        }
    };
    if grant {
        assignment::Entity::insert(assignment::ActiveModel {
            username: Set(username.clone()),
            kind: Set(kind.to_owned()),
            name: Set(name.clone()),
            granted_at: Set(now),
            instance_id: Set(Some(instance_id.to_owned())),
            ..Default::default()
        })
        .on_conflict(
            OnConflict::columns([
                assignment::Column::Username,
                assignment::Column::Kind,
                assignment::Column::Name,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(txn)
        .await?;
    } else {
        assignment::Entity::delete_many()
            .filter(assignment::Column::Username.eq(username))
            .filter(assignment::Column::Kind.eq(kind))
            .filter(assignment::Column::Name.eq(name))
            .exec(txn)
            .await?;
    }
    Ok(())
}

/// `?` placeholders as the backend wants them (`$1`, `$2`, ... on PostgreSQL).
pub(crate) fn placeholders(backend: sea_orm::DbBackend, sql: &str) -> String {
    if backend != sea_orm::DbBackend::Postgres {
        return sql.to_owned();
    }
    let mut out = String::with_capacity(sql.len() + 8);
    let mut n = 0;
    for c in sql.chars() {
        if c == '?' {
            n += 1;
            out.push_str(&format!("${n}"));
        } else {
            out.push(c);
        }
    }
    out
}
