//! The workflow runtime: pure functions from (definition, instance, event, time,
//! directory) to the next instance and the effects to carry out.
//!
//! Nothing here waits, sleeps or does I/O. Work that leaves the process (mail, provisioning,
//! REST calls, hand-offs) comes out as [`Effect`]s for the caller's outbox, and timeouts as
//! [`Timer`]s for its job table; their results come back in as events.
//!
//! [`start`] and [`handle`] hand each event on: the step driver (`machine`) enters the
//! activities, each type in its own module under `activities`, and `management` holds
//! what those who manage workflows do.

mod activities;
pub mod directory;
mod effect;
mod error;
mod event;
mod machine;
mod management;
pub mod model;
pub mod rehearsal;
mod values;

pub use effect::{Effect, IdentityChange, Timer};
pub use error::EngineError;
pub use event::{Event, Lifecycle, Modification, DESCRIPTION_PATH};

use crate::definition::Definition;
use crate::expression::Lookups;
use crate::flowdata::{FlowData, FlowPath, Value};
use crate::{UserName, WorkflowState};
use directory::Directory;
use machine::Machine;
use model::*;
use std::collections::BTreeMap;

/// What the engine is handed with every call: the time and the look-ups it may use.
pub struct Env<'a> {
    pub now: Timestamp,
    pub directory: &'a dyn Directory,
    pub lookups: &'a dyn Lookups,
}

/// What is asked when a workflow is to be started: the definition by its path, who asks,
/// for whom and for what, the form (already validated) and the caller's context. The
/// service holds it until it has found the definition's current version; then it becomes
/// a [`NewInstance`].
#[derive(Debug, Clone)]
pub struct CreateRequest {
    pub definition_path: String,
    pub initiator: UserName,
    pub subject: Option<Order>,
    pub resources: Vec<Order>,
    pub form: BTreeMap<String, Vec<Value>>,
    pub context: BTreeMap<String, Vec<Value>>,
    pub correlation_id: Option<String>,
}

/// A request to start an instance: the id it gets, the definition version that runs it
/// (the engine goes by this, not by the request's path), and what was asked.
#[derive(Debug, Clone)]
pub struct NewInstance {
    pub id: String,
    pub definition: DefinitionRef,
    pub request: CreateRequest,
}

/// The result of one event: the next state and what to do about it.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub instance: Instance,
    pub effects: Vec<Effect>,
    pub timers: Vec<Timer>,
    /// False when the event had no effect (a stale timer): nothing to persist.
    pub changed: bool,
}

/// Starts an instance: runs the start activity and everything automatic after it.
pub fn start(definition: &Definition, new: NewInstance, env: &Env) -> Step {
    let request = new.request;
    let mut flowdata = FlowData::new();
    for (field, values) in &request.form {
        if let Ok(path) = FlowPath::parse(&format!("request/{field}")) {
            flowdata.set(&path, values.clone());
        }
    }
    for (key, values) in &request.context {
        if let Ok(path) = FlowPath::parse(&format!("context/{key}")) {
            flowdata.set(&path, values.clone());
        }
    }
    let instance = Instance {
        id: new.id,
        definition: new.definition,
        state: WorkflowState::Running,
        application_state: None,
        initiator: request.initiator,
        subject: request.subject,
        resources: request.resources,
        flowdata,
        runs: Vec::new(),
        correlation_id: request.correlation_id,
        created_at: env.now,
        updated_at: env.now,
        ended_at: None,
        version: 0,
    };
    let mut machine = Machine::new(definition, env, instance);
    let start = definition.start().id.clone();
    machine.queue.push_back(start);
    machine.settle();
    let mut step = machine.into_step(true);
    step.instance.version = 1;
    step
}

/// Applies one event to an instance.
pub fn handle(
    definition: &Definition,
    instance: &Instance,
    event: Event,
    env: &Env,
) -> Result<Step, EngineError> {
    let mut machine = Machine::new(definition, env, instance.clone());
    let state = instance.state;
    let changed = match event {
        Event::Decide {
            run,
            actor,
            verdict,
            reason,
            by,
        } => {
            machine.require_state(WorkflowState::Running)?;
            activities::approval::decide(&mut machine, run, &actor, by, verdict, reason)?;
            true
        }
        Event::Forward { run, actor, to } => {
            machine.require_state(WorkflowState::Running)?;
            activities::approval::forward(&mut machine, run, &actor, &to)?;
            true
        }
        Event::Claim { run, actor } => {
            machine.require_state(WorkflowState::Running)?;
            activities::approval::claim(&mut machine, run, &actor)?;
            true
        }
        Event::Release { run, actor } => {
            machine.require_state(WorkflowState::Running)?;
            activities::approval::release(&mut machine, run, &actor)?;
            true
        }
        Event::TimerFired { run, generation } => {
            // A suspended workflow re-arms its timers on resume; an ended one has none.
            state == WorkflowState::Running
                && activities::timeouts::timer_fired(&mut machine, run, generation)
        }
        Event::EffectSucceeded { run, result } => {
            state == WorkflowState::Running
                && activities::effect_succeeded(&mut machine, run, result)
        }
        Event::EffectFailed { run, error } => {
            state == WorkflowState::Running && activities::effect_failed(&mut machine, run, error)
        }
        Event::ExternalFailed { run, reason } => {
            state == WorkflowState::Running
                && activities::external_failed(&mut machine, run, reason)
        }
        Event::KeyIssued {
            run,
            key_hash,
            expires_at,
        } => {
            state == WorkflowState::Running
                && activities::activation::key_issued(&mut machine, run, key_hash, expires_at)
        }
        Event::Activate { run, key_hash } => {
            machine.require_state(WorkflowState::Running)?;
            activities::activation::activate(&mut machine, run, &key_hash)?;
            true
        }
        Event::Certify {
            run,
            actor,
            verdicts,
            submit,
            by,
        } => {
            machine.require_state(WorkflowState::Running)?;
            activities::certification::certify(&mut machine, run, &actor, by, verdicts, submit)?;
            true
        }
        Event::Modify { actor, change } => {
            management::modify(&mut machine, state, &actor, change)?;
            true
        }
        Event::ReevaluateParticipants => {
            machine.require_state(WorkflowState::Running)?;
            activities::reassignment::reevaluate(&mut machine)
        }
        Event::Suspend => {
            management::suspend(&mut machine)?;
            true
        }
        Event::Resume { run } => {
            management::resume(&mut machine, state, run)?;
            true
        }
        Event::Abort => {
            management::require_not_ended(state)?;
            management::abort(&mut machine);
            true
        }
    };
    if changed {
        machine.settle();
    }
    Ok(machine.into_step(changed))
}
