//! Creating workflows and applying decisions and other events to them.

use super::committer::{Command, Done, EventCommand};
use super::directory::Snapshot;
use super::guards::{has_part_in, participant_of};
use super::idempotency::IdempotencyKey;
use super::store::{decode, Transition};
use super::{to_timestamp, WorkflowError, Workflows};
use crate::server::entities::{work_item, workflow_instance as row};
use crate::server::rights::{Granted, ManageWorkflows};
use assent_engine::flowdata::Value;
use assent_engine::runtime::model::{DefinitionRef, Instance, Order};
use assent_engine::runtime::{handle, start, Env, Event, NewInstance, Step};
use assent_engine::{UserName, WorkflowState};
use sea_orm::{ColumnTrait, DatabaseTransaction, DbErr, EntityTrait, PaginatorTrait, QueryFilter};
use std::collections::BTreeMap;

pub use assent_engine::runtime::model::Verdict as Decision;
/// A creation as the service is asked for it: the engine's, which then starts it as is.
pub use assent_engine::runtime::CreateRequest;

/// A request as a person submits it: the form's raw values, checked before anything runs.
#[derive(Debug, Clone)]
pub struct SubmitRequest {
    pub definition_path: String,
    pub initiator: UserName,
    pub subject: Option<Order>,
    pub resources: Vec<Order>,
    pub form: assent_engine::form::Submission,
}

/// SQLite answers a second concurrent writer with "database is locked": for the caller
/// that is the same as losing the optimistic lock.
pub(crate) fn contention(error: DbErr) -> WorkflowError {
    let classified = WorkflowError::Database(error);
    if classified.is_busy() {
        WorkflowError::Busy
    } else {
        classified
    }
}

impl Workflows {
    /// Validates a submitted form against the definition's fields (read-only fields take
    /// their defaults) and starts the workflow; every field error is returned at once.
    pub async fn submit(&self, request: SubmitRequest) -> Result<Instance, WorkflowError> {
        let prepared = self.prepare(request).await?;
        self.create(prepared).await
    }

    /// Checks a submitted form and turns it into a creation, without creating anything:
    /// a cart checks every request this way before it starts any of them.
    pub async fn prepare(&self, request: SubmitRequest) -> Result<CreateRequest, WorkflowError> {
        let (_, definition) = self.latest_definition(&request.definition_path).await?;
        let snapshot = self.snapshot(&self.db).await?;
        let variables = std::collections::BTreeMap::from([(
            "initiator",
            assent_engine::expression::Val::Map(std::collections::BTreeMap::from([(
                "id".to_owned(),
                assent_engine::expression::Val::Str(request.initiator.to_string()),
            )])),
        )]);
        let mut defaults = BTreeMap::new();
        for field in definition.form.iter().filter(|f| f.read_only) {
            let Some(default) = &field.default else {
                continue;
            };
            let values = assent_engine::expression::Expression::parse(
                default,
                assent_engine::expression::STANDARD_LOOKUPS,
            )
            .and_then(|e| e.evaluate(&variables, &snapshot.lookups))
            .map_err(|e| e.to_string())
            .map(|v| match v {
                assent_engine::expression::Val::List(items) => items
                    .into_iter()
                    .map(|i| Value::text(i.to_string()))
                    .collect(),
                assent_engine::expression::Val::Null => vec![],
                other => vec![Value::text(other.to_string())],
            })
            .map_err(|e| WorkflowError::Invalid(format!("default of {}: {e}", field.name)))?;
            defaults.insert(field.name.clone(), values);
        }
        let form = assent_engine::form::validate(&definition.form, &request.form, &defaults)
            .map_err(WorkflowError::InvalidForm)?;
        Ok(CreateRequest {
            definition_path: request.definition_path,
            initiator: request.initiator,
            subject: request.subject,
            resources: request.resources,
            form,
            context: BTreeMap::new(),
            correlation_id: None,
        })
    }

    pub async fn create(&self, request: CreateRequest) -> Result<Instance, WorkflowError> {
        self.create_with(request, None).await
    }

    pub(crate) async fn create_with(
        &self,
        request: CreateRequest,
        key: Option<IdempotencyKey>,
    ) -> Result<Instance, WorkflowError> {
        let command = Command::Create(request, key);
        let done = match &self.committer {
            Some(committer) => committer.submit(command).await?,
            None => self.execute(command).await?,
        };
        Ok(match done {
            Done::Created(instance) => instance,
            Done::Step(step) => step.instance,
        })
    }

    pub(crate) async fn create_in(
        &self,
        txn: &DatabaseTransaction,
        snapshot: &Snapshot,
        request: CreateRequest,
        key: Option<&IdempotencyKey>,
    ) -> Result<Instance, WorkflowError> {
        let (stored, definition) = self.latest_definition(&request.definition_path).await?;
        self.check_may_start(txn, snapshot, &definition, &request)
            .await?;
        let initiator = request.initiator.to_string();
        // The engine's environment borrows the snapshot; it must not live across an await.
        let step = {
            let env = Env {
                now: to_timestamp(self.clock.now()),
                directory: &snapshot.directory,
                lookups: &snapshot.lookups,
            };
            start(
                &definition,
                NewInstance {
                    id: uuid::Uuid::new_v4().simple().to_string(),
                    definition: DefinitionRef {
                        id: stored.path.clone(),
                        version: stored.version as u32,
                    },
                    request,
                },
                &env,
            )
        };
        self.persist(
            txn,
            Transition {
                step: &step,
                definition_id: stored.id,
                before: None,
                actor: Some(initiator),
                action: "workflow.created",
                detail: format!("{} version {}", stored.path, stored.version),
                completes_job: None,
            },
        )
        .await?;
        if let Some(key) = key {
            self.record_key(txn, key, &step.instance.id).await?;
        }
        Ok(step.instance)
    }

    /// Presents an activation key for the running activation activity `activity`.
    pub async fn activate(
        &self,
        instance_id: &str,
        activity: &str,
        key: &str,
    ) -> Result<Instance, WorkflowError> {
        let current = self.instance(instance_id).await?;
        let run = current
            .runs
            .iter()
            .rev()
            .find(|r| r.activity.0 == activity && r.activity_type == "activation")
            .ok_or(WorkflowError::Invalid(format!(
                "no activation activity {activity:?}"
            )))?
            .seq;
        let step = self
            .submit_event(EventCommand::new(
                instance_id,
                Event::Activate {
                    run,
                    key_hash: super::jobs::key_digest(key),
                },
                None,
                "workflow.activated",
                format!("activity {activity} activated"),
            ))
            .await?;
        Ok(step.instance)
    }

    /// A certifier's verdicts (true keeps, false revokes); `submit` ends the review.
    /// `by`, when set, acts for the certifier `actor` (see [`Workflows::decide_on_behalf`]).
    pub async fn certify(
        &self,
        actor: &UserName,
        by: Option<&UserName>,
        instance_id: &str,
        run: u32,
        verdicts: BTreeMap<String, bool>,
        submit: bool,
    ) -> Result<Instance, WorkflowError> {
        let for_whom = by.map(|_| format!(" for {actor}")).unwrap_or_default();
        let step = self
            .submit_event(EventCommand {
                instance_id: instance_id.to_owned(),
                event: Event::Certify {
                    run,
                    actor: actor.clone(),
                    verdicts,
                    submit,
                    by: by.cloned(),
                },
                actor: Some(by.unwrap_or(actor).clone()),
                action: "workflow.certified",
                detail: format!(
                    "activity run {run} certification updated (submit: {submit}){for_whom}"
                ),
                expected_version: None,
                completes_job: None,
                spends_link: None,
                settles: None,
            })
            .await?;
        Ok(step.instance)
    }

    /// The requester takes back a request that has not ended yet.
    pub async fn withdraw(
        &self,
        actor: &UserName,
        instance_id: &str,
        expected_version: u64,
    ) -> Result<Instance, WorkflowError> {
        let current = self.instance(instance_id).await?;
        if &current.initiator != actor {
            // Someone else's request answers like one that does not exist.
            return Err(WorkflowError::WorkflowNotFound);
        }
        let step = self
            .submit_event(
                EventCommand::new(
                    instance_id,
                    Event::Abort,
                    Some(actor),
                    "workflow.withdrawn",
                    "withdrawn by the requester".into(),
                )
                .expecting(Some(expected_version)),
            )
            .await?;
        Ok(step.instance)
    }

    /// A manager of workflows changes a running one (modifyInstance), whole or not at all.
    pub async fn modify(
        &self,
        actor: &UserName,
        instance_id: &str,
        change: assent_engine::runtime::Modification,
        expected_version: Option<u64>,
        detail: String,
    ) -> Result<Instance, WorkflowError> {
        let step = self
            .submit_event(
                EventCommand::new(
                    instance_id,
                    Event::Modify {
                        actor: actor.clone(),
                        change,
                    },
                    Some(actor),
                    "workflow.modified",
                    detail,
                )
                .expecting(expected_version),
            )
            .await?;
        Ok(step.instance)
    }

    /// The directory changed: waiting approvals ask their rule again whom it names.
    pub async fn reevaluate_participants(
        &self,
        actor: &UserName,
        instance_id: &str,
    ) -> Result<Instance, WorkflowError> {
        let event = Event::ReevaluateParticipants;
        let action = "workflow.participants_reevaluated";
        self.event_by(actor, instance_id, event, action, String::new())
            .await
    }

    /// Suspend, resume or abort: only with the right to manage workflows, which the
    /// caller proves by the capability.
    pub async fn administer(
        &self,
        actor: &UserName,
        _may: Granted<ManageWorkflows>,
        instance_id: &str,
        event: Event,
    ) -> Result<Instance, WorkflowError> {
        let action = administrative_action(&event)?;
        self.event_by(actor, instance_id, event, action, String::new())
            .await
    }

    /// An administrator's repair (suspend, resume, restart or abort) of the workflow as
    /// they saw it at `expected_version`, recorded with `detail` (what and why).
    pub async fn repair(
        &self,
        actor: &UserName,
        _may: Granted<ManageWorkflows>,
        instance_id: &str,
        event: Event,
        expected_version: u64,
        detail: String,
    ) -> Result<Instance, WorkflowError> {
        let action = administrative_action(&event)?;
        let command = EventCommand::new(instance_id, event, Some(actor), action, detail)
            .expecting(Some(expected_version));
        Ok(self.submit_event(command).await?.instance)
    }

    /// `event` on the workflow `instance_id` by the person `actor`, recorded in the audit
    /// trail as `action` with `detail`: the workflow as the event leaves it.
    pub(crate) async fn event_by(
        &self,
        actor: &UserName,
        instance_id: &str,
        event: Event,
        action: &'static str,
        detail: String,
    ) -> Result<Instance, WorkflowError> {
        let command = EventCommand::new(instance_id, event, Some(actor), action, detail);
        Ok(self.submit_event(command).await?.instance)
    }

    /// Runs one event command, through the group-commit writer unless it completes a job.
    pub(crate) async fn submit_event(&self, command: EventCommand) -> Result<Step, WorkflowError> {
        let completes_job = command.completes_job;
        let verdict = match &command.event {
            Event::Decide { verdict, .. } => Some(*verdict),
            _ => None,
        };
        // Jobs write directly: their step and the job's completion share one transaction.
        let done = match (&self.committer, completes_job) {
            (Some(committer), None) => committer.submit(Command::Event(command)).await?,
            _ => self.execute(Command::Event(command)).await?,
        };
        let step = match done {
            Done::Step(step) => step,
            Done::Created(_) => unreachable!("an event answers with a step"),
        };
        if let Some(verdict) = verdict.filter(|_| step.changed) {
            self.metrics.decided(verdict);
        }
        Ok(step)
    }

    /// The body of [`Workflows::submit_event`]: load, decide with the engine, persist with
    /// the version check, inside a transaction (or savepoint) the caller commits.
    pub(crate) async fn apply_in(
        &self,
        txn: &DatabaseTransaction,
        snapshot: &Snapshot,
        command: EventCommand,
    ) -> Result<Step, WorkflowError> {
        let stored = row::Entity::find_by_id(&command.instance_id)
            .one(txn)
            .await
            .map_err(contention)?
            .ok_or(WorkflowError::WorkflowNotFound)?;
        let instance = decode(&stored)?;
        // A person's own event (decide, forward, claim, release, certify) on a workflow
        // they have no part in is answered as if the workflow did not exist, before any
        // version or engine check could tell otherwise.
        if let Some(participant) = participant_of(&command.event) {
            if !has_part_in(&instance, participant) {
                return Err(WorkflowError::WorkflowNotFound);
            }
        }
        if command
            .expected_version
            .is_some_and(|expected| expected != instance.version)
        {
            return Err(WorkflowError::Conflict);
        }
        let definition = self.definition(stored.definition_id).await?;
        let answered_run = super::answers::answered_run(&command.event);
        // The engine's environment borrows the snapshot; it must not live across an await.
        let step = {
            let env = Env {
                now: to_timestamp(self.clock.now()),
                directory: &snapshot.directory,
                lookups: &snapshot.lookups,
            };
            handle(&definition, &instance, command.event, &env)?
        };
        if let Some(token_hash) = &command.spends_link {
            self.spend_link(txn, token_hash).await?;
        }
        if let Some(settlement) = command.settles.as_ref().filter(|_| step.changed) {
            if !super::handoffs::settle_row(txn, settlement, self.clock.now()).await? {
                return Err(WorkflowError::Conflict);
            }
        }
        if step.changed
            && instance.state == WorkflowState::Suspended
            && step.instance.state == WorkflowState::Running
        {
            super::answers::offer_kept_answers(txn, &command.instance_id, self.clock.now()).await?;
        }
        if step.changed {
            self.persist(
                txn,
                Transition {
                    step: &step,
                    definition_id: stored.definition_id,
                    before: Some(&instance),
                    actor: command.actor.as_ref().map(ToString::to_string),
                    action: command.action,
                    detail: command.detail,
                    completes_job: command.completes_job,
                },
            )
            .await
            .map_err(|e| match e {
                WorkflowError::Database(db) => contention(db),
                other => other,
            })?;
        } else if let Some(job) = command.completes_job {
            // An answer a suspended workflow cannot take yet stays with its job.
            let kept = answered_run
                .is_some_and(|run| super::answers::waits_for_resume(&step.instance, run));
            if !kept {
                self.finish_job(txn, job).await?;
            }
        }
        Ok(step)
    }

    pub async fn instance(&self, instance_id: &str) -> Result<Instance, WorkflowError> {
        let stored = row::Entity::find_by_id(instance_id)
            .one(&self.db)
            .await?
            .ok_or(WorkflowError::WorkflowNotFound)?;
        decode(&stored)
    }

    /// Open approval items waiting for `user`.
    pub async fn open_item_count(&self, user: &UserName) -> Result<u64, WorkflowError> {
        Ok(work_item::Entity::find()
            .filter(work_item::Column::Username.eq(user.as_str()))
            .count(&self.db)
            .await?)
    }
}

/// The audit trail's name of an administrative event; other events are not one.
fn administrative_action(event: &Event) -> Result<&'static str, WorkflowError> {
    Ok(match event {
        Event::Suspend => "workflow.suspended",
        Event::Resume { run: None } => "workflow.resumed",
        Event::Resume { run: Some(_) } => "workflow.activity_restarted",
        Event::Abort => "workflow.aborted",
        _ => return Err(WorkflowError::Invalid("not an administrative event".into())),
    })
}
