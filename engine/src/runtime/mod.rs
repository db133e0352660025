//! The workflow runtime: pure functions from (definition, instance, event, time,
//! directory) to the next instance and the effects to carry out.
//!
//! Nothing here waits, sleeps or does I/O. Work that leaves the process (mail, provisioning,
//! REST calls, hand-offs) comes out as [`Effect`]s for the caller's outbox, and timeouts as
//! [`Timer`]s for its job table; their results come back in as events.

mod activities;
pub mod directory;
pub mod model;

use crate::definition::{ActivityId, ActivityKind, Definition};
use crate::expression::{Lookups, Val};
use crate::flowdata::{FlowData, FlowPath, Node, Value};
use crate::{ActivityState, UserName, WorkflowState};
use directory::Directory;
use model::*;
use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// Automatic activities one event may run before the engine assumes a loop.
const MAX_STEPS_PER_EVENT: u32 = 1000;
const MAX_REASON_CHARS: usize = 2000;

/// What the engine is handed with every call: the time and the look-ups it may use.
pub struct Env<'a> {
    pub now: Timestamp,
    pub directory: &'a dyn Directory,
    pub lookups: &'a dyn Lookups,
}

/// A request to start an instance; the form values are already validated.
#[derive(Debug, Clone)]
pub struct NewInstance {
    pub id: String,
    pub definition: DefinitionRef,
    pub initiator: UserName,
    pub subject: Option<Order>,
    pub resources: Vec<Order>,
    pub form: BTreeMap<String, Vec<Value>>,
    pub context: BTreeMap<String, Vec<Value>>,
    pub correlation_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// `actor` is the participant the decision counts for. `by` is `None` when they
    /// decide themselves, or whoever decides on their behalf (the caller checks that
    /// right); it is recorded with the decision.
    Decide {
        run: u32,
        actor: UserName,
        verdict: Verdict,
        reason: Option<String>,
        by: Option<UserName>,
    },
    Forward {
        run: u32,
        actor: UserName,
        to: UserName,
    },
    /// A pool member takes the item, hiding it from the others until released.
    Claim {
        run: u32,
        actor: UserName,
    },
    /// The claimant gives a claimed item back to the pool.
    Release {
        run: u32,
        actor: UserName,
    },
    TimerFired {
        run: u32,
        generation: u32,
    },
    EffectSucceeded {
        run: u32,
        result: BTreeMap<String, Vec<Value>>,
    },
    EffectFailed {
        run: u32,
        error: String,
    },
    /// The activation key was sent; only its hash is kept, with the instant from which
    /// it no longer works.
    KeyIssued {
        run: u32,
        key_hash: String,
        expires_at: Timestamp,
    },
    /// Someone presents an activation key (hashed by the caller).
    Activate {
        run: u32,
        key_hash: String,
    },
    /// A certifier's verdicts on items (true keeps, false revokes); `submit` ends it.
    /// `by` as for [`Event::Decide`]: who acts on the certifier's behalf, if not they.
    Certify {
        run: u32,
        actor: UserName,
        verdicts: BTreeMap<String, bool>,
        submit: bool,
        by: Option<UserName>,
    },
    /// Changes made by someone who manages workflows (the contract's modifyInstance).
    Modify {
        actor: UserName,
        change: Modification,
    },
    /// The directory changed (a new manager, an owner, a substitute): approvals waiting
    /// for decisions ask their rule again whom it names now.
    ReevaluateParticipants,
    Suspend,
    /// Resumes a suspended workflow, or restarts `run` if it waits in error.
    Resume {
        run: Option<u32>,
    },
    Abort,
}

/// What a modification changes; `None` leaves a part as it is.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Modification {
    /// `Some(None)` removes the correlation id.
    pub correlation_id: Option<Option<String>>,
    /// Removes every context attribute before `context` is applied.
    pub clear_context: bool,
    /// Context attributes to set (an empty list removes one).
    pub context: BTreeMap<String, Vec<Value>>,
    /// New participants of running approvals, by run: they replace whoever is asked now.
    pub participants: BTreeMap<u32, Vec<UserName>>,
    /// `Some(None)` removes the workflow's own description (the definition's shows again).
    pub description: Option<Option<String>>,
    /// Suspends, resumes or aborts in the same step; asking for the state the workflow is
    /// already in changes nothing.
    pub lifecycle: Option<Lifecycle>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lifecycle {
    Suspend,
    Resume,
    Abort,
}

/// Where a workflow's own description is kept in its flowdata.
pub const DESCRIPTION_PATH: &str = "workflow/description";

/// Work for the caller to do once the step is committed (through its outbox).
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    NotifyParticipants {
        run: u32,
        users: Vec<UserName>,
        reminder: bool,
    },
    SendEmail {
        run: u32,
        to: Vec<UserName>,
        template: String,
    },
    /// Applied to the identity store in the same transaction as the step.
    ChangeIdentity {
        run: u32,
        change: IdentityChange,
    },
    CallRest {
        run: u32,
        method: String,
        url: String,
    },
    HandOff {
        run: u32,
        system: String,
    },
    /// Generate a one-time key, send it to the e-mail address stored for `account` (never
    /// to an address someone typed into the request), and answer with
    /// [`Event::KeyIssued`].
    IssueActivationKey {
        run: u32,
        account: UserName,
    },
    Audit {
        message: String,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum IdentityChange {
    SetAttributes {
        user: String,
        attributes: BTreeMap<String, Vec<Value>>,
    },
    Entitlement {
        user: String,
        entitlement: String,
        grant: bool,
    },
    Role {
        user: String,
        role: String,
        grant: bool,
    },
    Resource {
        user: String,
        resource: String,
        grant: bool,
    },
}

/// A timeout to fire once at `due_at`; a stale generation is ignored when it fires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timer {
    pub run: u32,
    pub generation: u32,
    pub due_at: Timestamp,
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

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EngineError {
    #[error("this instance runs another definition version")]
    WrongDefinition,
    #[error("the workflow is {0} and accepts no such event")]
    InvalidState(WorkflowState),
    #[error("the workflow has no activity {0}")]
    ActivityNotFound(u32),
    #[error("this activity is not waiting for a decision")]
    NotAwaitingDecision,
    #[error("you are not an approver of this item")]
    NotAParticipant,
    #[error("you cannot decide on your own request")]
    OwnRequest,
    #[error("you have already decided on this item")]
    AlreadyDecided,
    #[error("a reason is required to reject")]
    ReasonRequired,
    #[error("a reason has at most {MAX_REASON_CHARS} characters")]
    ReasonTooLong,
    #[error("cannot forward to {0}: {1}")]
    CannotForward(String, &'static str),
    #[error("only items offered to several people can be claimed")]
    NotAPool,
    #[error("{0} has already claimed this item")]
    ClaimedBy(String),
    #[error("you have not claimed this item")]
    NotClaimed,
    #[error("cannot ask {0}: {1}")]
    CannotAssign(String, &'static str),
    #[error("the context attribute name {0:?} is not a flowdata name")]
    BadContextName(String),
    #[error("this activity is not waiting in error")]
    NotInError,
    #[error("the activation key does not match")]
    InvalidActivationKey,
    #[error("the activation key has expired")]
    ActivationKeyExpired,
    #[error("{0:?} is not an item of this certification")]
    NotACertificationItem(String),
    #[error("every item needs a verdict before the certification is submitted")]
    CertificationIncomplete,
}

/// Starts an instance: runs the start activity and everything automatic after it.
pub fn start(definition: &Definition, new: NewInstance, env: &Env) -> Step {
    let mut flowdata = FlowData::new();
    for (field, values) in &new.form {
        if let Ok(path) = FlowPath::parse(&format!("request/{field}")) {
            flowdata.set(&path, values.clone());
        }
    }
    for (key, values) in &new.context {
        if let Ok(path) = FlowPath::parse(&format!("context/{key}")) {
            flowdata.set(&path, values.clone());
        }
    }
    let instance = Instance {
        id: new.id,
        definition: new.definition,
        state: WorkflowState::Running,
        application_state: None,
        initiator: new.initiator,
        subject: new.subject,
        resources: new.resources,
        flowdata,
        runs: Vec::new(),
        correlation_id: new.correlation_id,
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
                && activities::approval::timer_fired(&mut machine, run, generation)
        }
        Event::EffectSucceeded { run, result } => {
            state == WorkflowState::Running && machine.effect_succeeded(run, result)
        }
        Event::EffectFailed { run, error } => {
            state == WorkflowState::Running && machine.effect_failed(run, error)
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
            if state.is_terminal() {
                return Err(EngineError::InvalidState(state));
            }
            let lifecycle = change.lifecycle;
            modify(&mut machine, &actor, change)?;
            match lifecycle {
                Some(Lifecycle::Suspend) if state == WorkflowState::Suspended => {}
                Some(Lifecycle::Resume) if state == WorkflowState::Running => {}
                Some(Lifecycle::Suspend) => suspend(&mut machine)?,
                Some(Lifecycle::Resume) => resume(&mut machine, state, None)?,
                Some(Lifecycle::Abort) => machine.abort(),
                None => {}
            }
            true
        }
        Event::ReevaluateParticipants => {
            machine.require_state(WorkflowState::Running)?;
            activities::reassignment::reevaluate(&mut machine)
        }
        Event::Suspend => {
            suspend(&mut machine)?;
            true
        }
        Event::Resume { run } => {
            resume(&mut machine, state, run)?;
            true
        }
        Event::Abort => {
            if state.is_terminal() {
                return Err(EngineError::InvalidState(state));
            }
            machine.abort();
            true
        }
    };
    if changed {
        machine.settle();
    }
    Ok(machine.into_step(changed))
}

fn suspend(machine: &mut Machine) -> Result<(), EngineError> {
    machine.require_state(WorkflowState::Running)?;
    machine.instance.state = WorkflowState::Suspended;
    Ok(())
}

fn resume(
    machine: &mut Machine,
    state: WorkflowState,
    run: Option<u32>,
) -> Result<(), EngineError> {
    match (state, run) {
        (WorkflowState::Suspended, None) => {
            machine.instance.state = WorkflowState::Running;
            activities::approval::rearm_timers(machine);
        }
        (WorkflowState::Suspended | WorkflowState::Running, Some(seq)) => {
            machine.instance.state = WorkflowState::Running;
            machine.restart(seq)?;
        }
        (other, _) => return Err(EngineError::InvalidState(other)),
    }
    Ok(())
}

/// Applies a modification whole, or refuses it whole.
fn modify(
    machine: &mut Machine,
    actor: &UserName,
    change: Modification,
) -> Result<(), EngineError> {
    // Choosing who approves is deciding by other means: not for the requester or the
    // subject, administrator or not.
    if !change.participants.is_empty() && machine.instance.may_not_decide(actor) {
        return Err(EngineError::OwnRequest);
    }
    for (seq, users) in &change.participants {
        activities::reassignment::reassign(machine, *seq, actor, users)?;
    }
    if let Some(correlation_id) = change.correlation_id {
        machine.instance.correlation_id = correlation_id;
    }
    if let Some(description) = change.description {
        let path = FlowPath::parse(DESCRIPTION_PATH).expect("a valid constant path");
        match description {
            Some(text) => machine
                .instance
                .flowdata
                .set(&path, vec![Value::Text(text)]),
            None => machine.instance.flowdata.remove(&path),
        }
    }
    if change.clear_context {
        let context = FlowPath::parse("context").expect("a valid constant path");
        machine.instance.flowdata.remove(&context);
    }
    for (name, values) in change.context {
        let path = FlowPath::parse(&format!("context/{name}"))
            .map_err(|_| EngineError::BadContextName(name.clone()))?;
        if values.is_empty() {
            machine.instance.flowdata.remove(&path);
        } else {
            machine.instance.flowdata.set(&path, values);
        }
    }
    Ok(())
}

pub(crate) struct Machine<'a> {
    pub(crate) definition: &'a Definition,
    pub(crate) env: &'a Env<'a>,
    pub(crate) instance: Instance,
    pub(crate) effects: Vec<Effect>,
    pub(crate) timers: Vec<Timer>,
    pub(crate) queue: VecDeque<ActivityId>,
    steps: u32,
}

impl<'a> Machine<'a> {
    fn new(definition: &'a Definition, env: &'a Env<'a>, instance: Instance) -> Self {
        Self {
            definition,
            env,
            instance,
            effects: Vec::new(),
            timers: Vec::new(),
            queue: VecDeque::new(),
            steps: 0,
        }
    }

    fn require_state(&self, wanted: WorkflowState) -> Result<(), EngineError> {
        if self.instance.state == wanted {
            Ok(())
        } else {
            Err(EngineError::InvalidState(self.instance.state))
        }
    }

    fn into_step(mut self, changed: bool) -> Step {
        if changed {
            self.instance.version += 1;
            self.instance.updated_at = self.env.now;
        }
        Step {
            instance: self.instance,
            effects: self.effects,
            timers: self.timers,
            changed,
        }
    }

    pub(crate) fn run_mut(&mut self, seq: u32) -> &mut ActivityRun {
        &mut self.instance.runs[seq as usize]
    }

    /// Starts a run of `id` and returns its number.
    pub(crate) fn new_run(&mut self, id: &ActivityId, type_name: &str) -> u32 {
        let seq = self.instance.runs.len() as u32;
        self.instance.runs.push(ActivityRun {
            seq,
            activity: id.clone(),
            activity_type: type_name.to_owned(),
            state: ActivityState::Running,
            started_at: self.env.now,
            ended_at: None,
            tokens: 1,
            approval: None,
            error: None,
            result: BTreeMap::new(),
        });
        seq
    }

    /// Ends a run successfully and moves on to `next`.
    pub(crate) fn complete(&mut self, seq: u32, next: &[&ActivityId]) {
        let now = self.env.now;
        let run = self.run_mut(seq);
        run.state = ActivityState::Succeeded;
        run.ended_at = Some(now);
        run.tokens = 0;
        for target in next {
            self.queue.push_back((*target).clone());
        }
    }

    pub(crate) fn wait_in_error(&mut self, seq: u32, error: String) {
        let run = self.run_mut(seq);
        run.state = ActivityState::WaitInError;
        run.error = Some(error.clone());
        let message = format!("activity {} waits in error: {error}", run.activity);
        self.effects.push(Effect::Audit { message });
    }

    pub(crate) fn set_flowdata(&mut self, path: &str, values: Vec<Value>) {
        if let Ok(path) = FlowPath::parse(path) {
            self.instance.flowdata.set(&path, values);
        }
    }

    /// Runs everything that can run now: queued activities, then merges whose paths have
    /// all arrived, until nothing moves; then ends the workflow if no path is left.
    pub(crate) fn settle(&mut self) {
        loop {
            while let Some(id) = self.queue.pop_front() {
                self.steps += 1;
                if self.steps > MAX_STEPS_PER_EVENT {
                    let seq = self.new_run(&id, "loop-guard");
                    self.wait_in_error(
                        seq,
                        format!("more than {MAX_STEPS_PER_EVENT} automatic steps without waiting: a loop?"),
                    );
                    self.queue.clear();
                    break;
                }
                self.enter(&id);
            }
            if !self.fire_ready_merges() {
                break;
            }
        }
        let live = self
            .instance
            .runs
            .iter()
            .any(|r| matches!(r.state, ActivityState::Running | ActivityState::WaitInError));
        if self.instance.state == WorkflowState::Running && !live {
            self.instance.state = WorkflowState::Succeeded;
            self.instance.ended_at = Some(self.env.now);
        }
    }

    fn enter(&mut self, id: &ActivityId) {
        let Some(activity) = self.definition.activity(id) else {
            // Only a definition that changed under a running instance gets here.
            let seq = self.new_run(id, "unknown");
            self.wait_in_error(seq, format!("activity {id} is not in the definition"));
            return;
        };
        let definition = self.definition;
        let activity = definition
            .activities
            .iter()
            .find(|a| a.id == activity.id)
            .expect("found above");
        activities::enter(self, activity);
    }

    fn fire_ready_merges(&mut self) -> bool {
        let waiting: Vec<u32> = self
            .instance
            .runs
            .iter()
            .filter(|r| {
                r.state == ActivityState::Running
                    && matches!(
                        self.definition.activity(&r.activity).map(|a| &a.kind),
                        Some(ActivityKind::Merge { .. })
                    )
            })
            .map(|r| r.seq)
            .collect();
        let mut fired = false;
        for seq in waiting {
            let target = self.instance.runs[seq as usize].activity.clone();
            let blocked = self.instance.runs.iter().any(|other| {
                other.seq != seq
                    && matches!(
                        other.state,
                        ActivityState::Running | ActivityState::WaitInError
                    )
                    && self.can_reach(&other.activity, &target)
            });
            if !blocked {
                if let Some(ActivityKind::Merge { next }) =
                    self.definition.activity(&target).map(|a| a.kind.clone())
                {
                    self.complete(seq, &[&next]);
                    fired = true;
                }
            }
        }
        fired
    }

    /// Whether a path leads from `from` (strictly after it) to `to`.
    fn can_reach(&self, from: &ActivityId, to: &ActivityId) -> bool {
        let mut seen = BTreeSet::new();
        let mut queue: VecDeque<ActivityId> = self
            .definition
            .activity(from)
            .map(|a| a.successors().into_iter().cloned().collect())
            .unwrap_or_default();
        while let Some(id) = queue.pop_front() {
            if &id == to {
                return true;
            }
            if seen.insert(id.clone()) {
                if let Some(activity) = self.definition.activity(&id) {
                    queue.extend(activity.successors().into_iter().cloned());
                }
            }
        }
        false
    }

    fn effect_succeeded(&mut self, seq: u32, result: BTreeMap<String, Vec<Value>>) -> bool {
        let Some(run) = self.instance.run(seq) else {
            return false;
        };
        if run.state != ActivityState::Running {
            return false; // a duplicate delivery: the first one counted
        }
        let Some(activity) = self.definition.activity(&run.activity).cloned() else {
            return false;
        };
        activities::effect_succeeded(self, seq, &activity, result)
    }

    fn effect_failed(&mut self, seq: u32, error: String) -> bool {
        match self.instance.run(seq) {
            Some(run) if run.state == ActivityState::Running && run.approval.is_none() => {
                self.wait_in_error(seq, error);
                true
            }
            _ => false,
        }
    }

    fn restart(&mut self, seq: u32) -> Result<(), EngineError> {
        let run = self
            .instance
            .run(seq)
            .ok_or(EngineError::ActivityNotFound(seq))?;
        if run.state != ActivityState::WaitInError {
            return Err(EngineError::NotInError);
        }
        let activity = run.activity.clone();
        let now = self.env.now;
        let run = self.run_mut(seq);
        run.state = ActivityState::Failed;
        run.ended_at = Some(now);
        self.queue.push_back(activity);
        Ok(())
    }

    fn abort(&mut self) {
        let now = self.env.now;
        for run in &mut self.instance.runs {
            if matches!(
                run.state,
                ActivityState::Running | ActivityState::WaitInError
            ) {
                run.state = ActivityState::Aborted;
                run.ended_at = Some(now);
                if let Some(approval) = &mut run.approval {
                    approval.timer_generation += 1;
                    approval.due_at = None;
                }
            }
        }
        self.instance.state = WorkflowState::Aborted;
        self.instance.ended_at = Some(now);
    }

    /// The variables expressions see.
    pub(crate) fn variables(&self) -> BTreeMap<&'static str, Val> {
        let order = |order: &Order| {
            let attributes = order
                .attributes
                .iter()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        Val::List(v.iter().map(|s| Val::Str(s.clone())).collect()),
                    )
                })
                .collect();
            Val::Map(BTreeMap::from([
                ("id".to_owned(), Val::Str(order.target_id.clone())),
                ("objectType".to_owned(), Val::Str(order.object_type.clone())),
                ("attributes".to_owned(), Val::Map(attributes)),
            ]))
        };
        let mut variables = BTreeMap::new();
        variables.insert("flowdata", flowdata_value(&self.instance.flowdata));
        variables.insert(
            "initiator",
            Val::Map(BTreeMap::from([(
                "id".to_owned(),
                Val::Str(self.instance.initiator.to_string()),
            )])),
        );
        if let Some(subject) = &self.instance.subject {
            variables.insert("subject", order(subject));
        }
        if let Some(resource) = self.instance.resources.first() {
            variables.insert("resource", order(resource));
        }
        variables
    }
}

fn flowdata_value(flowdata: &FlowData) -> Val {
    fn node(n: &Node) -> Val {
        if n.children.is_empty() {
            Val::List(n.values.iter().map(value).collect())
        } else {
            Val::Map(
                n.children
                    .iter()
                    .map(|(k, v)| (k.clone(), node(v)))
                    .collect(),
            )
        }
    }
    Val::Map(
        flowdata
            .top_level()
            .iter()
            .map(|(k, v)| (k.clone(), node(v)))
            .collect(),
    )
}

pub(crate) fn value(v: &Value) -> Val {
    match v {
        Value::Bool(b) => Val::Bool(*b),
        Value::Int(i) => Val::Int(*i),
        Value::Float(x) => Val::Float(*x),
        Value::Text(s) => Val::Str(s.clone()),
    }
}

/// An expression's result as flowdata values: always a list.
pub(crate) fn to_values(v: Val) -> Result<Vec<Value>, String> {
    let scalar = |v: Val| match v {
        Val::Bool(b) => Ok(Value::Bool(b)),
        Val::Int(i) => Ok(Value::Int(i)),
        Val::Float(x) => Ok(Value::Float(x)),
        Val::Str(s) => Ok(Value::Text(s)),
        other => Err(format!("cannot store a nested {other:?} in flowdata")),
    };
    match v {
        Val::Null => Ok(vec![]),
        Val::List(items) => items.into_iter().map(scalar).collect(),
        Val::Map(_) => Err("cannot store a map in a flowdata attribute".into()),
        other => Ok(vec![scalar(other)?]),
    }
}

/// Who acts for `actor`, when someone else does. The initiator and the subject may not
/// decide their own workflow, and acting on someone's behalf must not become a way
/// around that.
pub(crate) fn on_behalf(
    instance: &Instance,
    actor: &UserName,
    by: Option<UserName>,
) -> Result<Option<UserName>, EngineError> {
    match by {
        Some(by) if instance.may_not_decide(&by) => Err(EngineError::OwnRequest),
        // Someone asked on the item votes as themselves only: acting for another
        // participant too would let one person count twice (a quorum, "all").
        Some(by)
            if &by != actor
                && instance.runs.iter().any(|run| {
                    run.approval.as_ref().is_some_and(|a| {
                        a.outcome.is_none()
                            && (a.participants.iter().any(|p| p.user == by)
                                || a.decisions.iter().any(|d| d.by.as_ref() == Some(&by)))
                    })
                }) =>
        {
            Err(EngineError::OwnRequest)
        }
        // Acting for oneself is no delegation worth recording.
        Some(by) if &by == actor => Ok(None),
        other => Ok(other),
    }
}

pub(crate) fn check_reason(reason: Option<String>) -> Result<Option<String>, EngineError> {
    let reason = reason
        .map(|r| r.trim().to_owned())
        .filter(|r| !r.is_empty());
    if reason
        .as_ref()
        .is_some_and(|r| r.chars().count() > MAX_REASON_CHARS)
    {
        return Err(EngineError::ReasonTooLong);
    }
    Ok(reason)
}
