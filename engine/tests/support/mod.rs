//! Shared fixtures for the engine's tests: a small company, look-ups, definitions, a
//! clock, and a workflow under test.

#![allow(dead_code)]

pub mod definitions;

use assent_engine::definition::{parse, Definition};
use assent_engine::expression::{Lookups, Val};
use assent_engine::flowdata::{FlowPath, Value};
use assent_engine::runtime::directory::{MemoryDirectory, Substitution};
use assent_engine::runtime::model::{
    ActivityRun, Because, DefinitionRef, Instance, Order, OrderType, Timestamp,
};
use assent_engine::runtime::{
    handle, start, CreateRequest, EngineError, Env, Event, NewInstance, Step,
};
use assent_engine::UserName;
use std::collections::BTreeMap;
use std::path::Path;

pub fn user(name: &str) -> UserName {
    UserName::parse(name).unwrap()
}

/// erin heads the company; bob and dave report to her; alice and frank to bob; carol to dave.
pub fn company() -> MemoryDirectory {
    let mut directory = MemoryDirectory::default();
    directory
        .user("erin", None)
        .user("bob", Some("erin"))
        .user("dave", Some("erin"))
        .user("alice", Some("bob"))
        .user("frank", Some("bob"))
        .user("carol", Some("dave"))
        .user("grace", Some("dave"))
        .user("heidi", Some("erin"));
    directory.owners.insert("VPN Access".into(), user("carol"));
    directory
        .owners
        .insert("Payroll Administrator".into(), user("dave"));
    directory
}

/// Answers `sodConflicts` with the configured conflicts.
#[derive(Default)]
pub struct TestLookups {
    pub conflicts: Vec<String>,
}

impl Lookups for TestLookups {
    fn names(&self) -> &'static [&'static str] {
        assent_engine::expression::STANDARD_LOOKUPS
    }
    fn call(&self, name: &str, _args: &[Val]) -> Result<Val, String> {
        match name {
            "sodConflicts" => Ok(Val::List(
                self.conflicts.iter().cloned().map(Val::Str).collect(),
            )),
            other => Err(format!("{other} is not available in tests")),
        }
    }
}

pub fn shipped(file: &str) -> Definition {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../definitions")
        .join(file);
    let source = std::fs::read_to_string(&path).unwrap();
    parse(file, &source).unwrap_or_else(|e| panic!("{e}"))
}

pub fn definition(source: &str) -> Definition {
    parse("test.toml", source).unwrap_or_else(|e| panic!("{e}"))
}

pub fn order(object_type: &str, id: &str) -> Order {
    Order {
        order_type: OrderType::AddOrder,
        target_id: id.into(),
        object_type: object_type.into(),
        attributes: BTreeMap::new(),
    }
}

/// A request to start a workflow `id` of definition `definition_id` (version 1): no
/// resources, form or context unless the caller adds them.
pub fn new_instance(
    id: &str,
    definition_id: &str,
    initiator: &str,
    subject: Option<Order>,
) -> NewInstance {
    NewInstance {
        id: id.into(),
        definition: DefinitionRef {
            id: definition_id.into(),
            version: 1,
        },
        request: CreateRequest {
            definition_path: definition_id.into(),
            initiator: user(initiator),
            subject,
            resources: vec![],
            form: BTreeMap::new(),
            context: BTreeMap::new(),
            correlation_id: None,
        },
    }
}

/// The values at `path` in the workflow's flowdata.
pub fn flow(run: &Run, path: &str) -> Vec<Value> {
    run.instance
        .flowdata
        .get(&FlowPath::parse(path).unwrap())
        .to_vec()
}

/// Why `who` is asked on run `seq`; panics when they are not.
pub fn because(run: &Run, seq: u32, who: &str) -> Because {
    run.instance.runs[seq as usize]
        .approval
        .as_ref()
        .unwrap()
        .participants
        .iter()
        .find(|p| p.active && p.user == user(who))
        .unwrap_or_else(|| panic!("{who} is not asked"))
        .because
        .clone()
}

/// A workflow under test, with its own clock, directory and look-ups.
pub struct Run {
    pub definition: Definition,
    pub directory: MemoryDirectory,
    pub lookups: TestLookups,
    pub now: Timestamp,
    pub instance: Instance,
    pub last: Option<Step>,
}

pub const HOUR: i64 = 3_600_000;
pub const DAY: i64 = 24 * HOUR;
/// When every workflow under test starts.
pub const START: Timestamp = Timestamp(1_800_000_000_000);

impl Run {
    /// `initiator` requests the role `resource` for the user `subject`, in the company
    /// directory, with no look-up answers.
    pub fn start(definition: Definition, initiator: &str, subject: &str, resource: &str) -> Self {
        Self::start_with(
            definition,
            company(),
            TestLookups::default(),
            initiator,
            subject,
            resource,
        )
    }

    /// alice requests `resource` for herself through the shipped definition `file`.
    pub fn alice_requests(file: &str, resource: &str) -> Self {
        Self::start(shipped(file), "alice", "alice", resource)
    }

    /// As [`Run::start`], in `directory` and with `lookups`.
    pub fn start_with(
        definition: Definition,
        directory: MemoryDirectory,
        lookups: TestLookups,
        initiator: &str,
        subject: &str,
        resource: &str,
    ) -> Self {
        let mut new = new_instance(
            "wf-1",
            &definition.path,
            initiator,
            Some(order("user", subject)),
        );
        new.request.resources = vec![order("role", resource)];
        new.request.form =
            BTreeMap::from([("justification".to_owned(), vec![Value::text("new job")])]);
        Self::start_new_with(definition, directory, lookups, new)
    }

    /// `initiator` requests X for alice through the 4-eye approval while `substitute`
    /// stands in for her manager bob.
    pub fn while_bob_is_away(substitute: &str, initiator: &str) -> Self {
        let mut directory = company();
        directory.substitutions.push(Substitution {
            user: user("bob"),
            substitute: user(substitute),
            from: Timestamp(0),
            until: Timestamp(i64::MAX),
        });
        let definition = shipped("4-eye-approval.toml");
        let lookups = TestLookups::default();
        Self::start_with(definition, directory, lookups, initiator, "alice", "X")
    }

    /// Starts `new` in the company directory, with no look-up answers.
    pub fn start_new(definition: Definition, new: NewInstance) -> Self {
        Self::start_new_with(definition, company(), TestLookups::default(), new)
    }

    fn start_new_with(
        definition: Definition,
        directory: MemoryDirectory,
        lookups: TestLookups,
        new: NewInstance,
    ) -> Self {
        let now = START;
        let step = start(
            &definition,
            new,
            &Env {
                now,
                directory: &directory,
                lookups: &lookups,
            },
        );
        Self {
            instance: step.instance.clone(),
            last: Some(step),
            definition,
            directory,
            lookups,
            now,
        }
    }

    pub fn send(&mut self, event: Event) -> Result<&Step, EngineError> {
        let step = handle(
            &self.definition,
            &self.instance,
            event,
            &Env {
                now: self.now,
                directory: &self.directory,
                lookups: &self.lookups,
            },
        )?;
        self.instance = step.instance.clone();
        self.last = Some(step);
        Ok(self.last.as_ref().unwrap())
    }

    /// Fires timer `generation` of run `seq`, as the caller's job table would.
    pub fn fire_timer(&mut self, seq: u32, generation: u32) -> Result<&Step, EngineError> {
        self.send(Event::TimerFired {
            run: seq,
            generation,
        })
    }

    pub fn advance(&mut self, millis: i64) {
        self.now = Timestamp(self.now.0 + millis);
    }

    /// The runs of the activity with this id, oldest first, whatever their state.
    pub fn runs_of<'a>(
        &'a self,
        activity: &'a str,
    ) -> impl DoubleEndedIterator<Item = &'a ActivityRun> {
        self.instance
            .runs
            .iter()
            .filter(move |r| r.activity.0 == activity)
    }

    /// The run number of the running activity with this id.
    pub fn running(&self, activity: &str) -> u32 {
        self.runs_of(activity)
            .rfind(|r| r.state == assent_engine::ActivityState::Running)
            .unwrap_or_else(|| panic!("{activity} is not running: {:#?}", self.instance.runs))
            .seq
    }

    pub fn participants(&self, seq: u32) -> Vec<String> {
        self.instance.runs[seq as usize]
            .approval
            .as_ref()
            .unwrap()
            .participants
            .iter()
            .filter(|p| p.active)
            .map(|p| p.user.to_string())
            .collect()
    }

    pub fn decide(
        &mut self,
        seq: u32,
        actor: &str,
        approve: bool,
        reason: Option<&str>,
    ) -> Result<&Step, EngineError> {
        use assent_engine::runtime::model::Verdict;
        self.send(Event::Decide {
            run: seq,
            actor: user(actor),
            verdict: if approve {
                Verdict::Approve
            } else {
                Verdict::Reject
            },
            reason: reason.map(str::to_owned),
            by: None,
        })
    }

    pub fn timer(&self) -> (u32, u32, Timestamp) {
        let timer = self
            .last
            .as_ref()
            .unwrap()
            .timers
            .last()
            .expect("a timer was armed");
        (timer.run, timer.generation, timer.due_at)
    }

    /// Acknowledges every effect the last step asked to wait for (mail sent, call answered).
    pub fn complete_waiting_effects(&mut self) {
        loop {
            let waiting = self
                .instance
                .runs
                .iter()
                .find(|r| {
                    r.state == assent_engine::ActivityState::Running
                        && matches!(r.activity_type.as_str(), "email" | "rest" | "external")
                })
                .map(|r| r.seq);
            let Some(seq) = waiting else { break };
            self.send(Event::EffectSucceeded {
                run: seq,
                result: BTreeMap::new(),
            })
            .unwrap();
        }
    }
}
