//! The step driver: one event's work on an instance. It enters activities as control
//! reaches them, runs everything automatic until nothing moves, and collects the effects
//! and timers that come out.

use super::activities;
use super::model::{ActivityRun, ApprovalRun, Instance};
use super::{Effect, EngineError, Env, Step, Timer};
use crate::definition::{ActivityId, ActivityKind, Definition};
use crate::flowdata::{FlowPath, Value};
use crate::{ActivityState, UserName, WorkflowState};
use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// Automatic activities one event may run before the engine assumes a loop.
const MAX_STEPS_PER_EVENT: u32 = 1000;

/// An instance while one event is applied to it, with what the event gives rise to.
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
    pub(super) fn new(definition: &'a Definition, env: &'a Env<'a>, instance: Instance) -> Self {
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

    /// Refuses the event unless the workflow is `wanted`.
    pub(super) fn require_state(&self, wanted: WorkflowState) -> Result<(), EngineError> {
        if self.instance.state == wanted {
            Ok(())
        } else {
            Err(EngineError::InvalidState(self.instance.state))
        }
    }

    /// What the event led to; a change makes a new version of the instance.
    pub(super) fn into_step(mut self, changed: bool) -> Step {
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

    /// Run `seq`, or the refusal an event naming a run that does not exist gets.
    pub(crate) fn existing_run(&self, seq: u32) -> Result<&ActivityRun, EngineError> {
        self.instance
            .run(seq)
            .ok_or(EngineError::ActivityNotFound(seq))
    }

    /// The approval state of run `seq`, which the caller knows to have one.
    pub(crate) fn approval_mut(&mut self, seq: u32) -> &mut ApprovalRun {
        self.run_mut(seq)
            .approval
            .as_mut()
            .expect("an approval run")
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

    /// Ends a run as failed, keeping why, and moves on to `next` (its failure path).
    pub(crate) fn fail(&mut self, seq: u32, error: String, next: &[&ActivityId]) {
        let now = self.env.now;
        let run = self.run_mut(seq);
        run.state = ActivityState::Failed;
        run.ended_at = Some(now);
        run.tokens = 0;
        run.error = Some(error);
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

    /// Keeps an answer from outside: every value in flowdata under `under`, and the whole
    /// answer on the run.
    pub(crate) fn record_result(
        &mut self,
        seq: u32,
        under: &str,
        result: BTreeMap<String, Vec<Value>>,
    ) {
        for (key, values) in &result {
            self.set_flowdata(&format!("{under}/{key}"), values.clone());
        }
        self.run_mut(seq).result = result;
    }

    /// Tells `users` they have been asked to decide on run `seq`.
    pub(crate) fn notify(&mut self, seq: u32, users: Vec<UserName>) {
        self.effects.push(Effect::NotifyParticipants {
            run: seq,
            users,
            reminder: false,
        });
    }

    /// Reminds `users` that run `seq` still waits for their decision.
    pub(crate) fn remind(&mut self, seq: u32, users: Vec<UserName>) {
        self.effects.push(Effect::NotifyParticipants {
            run: seq,
            users,
            reminder: true,
        });
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
}
