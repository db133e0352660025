//! A rehearsal: a definition run on a sample request with nothing leaving the process, so
//! that an administrator sees the path it would take and who would be asked before it is
//! deployed. Every approval gets the same answer, outside systems are assumed to answer
//! with success and no data, and the rehearsal stops where only the world could go on (an
//! activation key) or where the workflow would wait in error.

use super::model::{ActivityRun, Instance, Verdict};
use super::{handle, start, Effect, Env, Event, IdentityChange, NewInstance};
use crate::definition::Definition;
use crate::flowdata::Value;
use crate::{ActivityState, WorkflowState};
use std::collections::BTreeMap;

/// Events a rehearsal gives at most: a loop that never ends stops here.
const MOST_EVENTS: usize = 200;

/// The answer every approval and certification gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// Approvals approve; certifiers keep everything.
    Approve,
    /// Approvals reject; certifiers revoke everything.
    Reject,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Rehearsal {
    /// The instance where the rehearsal ended: its runs are the path taken.
    pub instance: Instance,
    /// What would have left the process, in order: mail, calls, hand-offs, changes to
    /// the identity store, each with the run it came from.
    pub effects: Vec<(u32, String)>,
    /// Why the rehearsal stopped before the workflow ended, if it did.
    pub stopped: Option<Stop>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stop {
    /// An activity waits in error: its run and the error.
    WaitInError { run: u32, error: String },
    /// An activity waits for something only a person outside can give (an activation key).
    WaitsForOutside { run: u32 },
    /// The engine refused the rehearsed answer.
    Refused { run: u32, error: String },
    /// More than [`MOST_EVENTS`] events: a loop the answers never leave.
    TooLong,
}

pub fn rehearse(definition: &Definition, new: NewInstance, env: &Env, answer: Answer) -> Rehearsal {
    let mut step = start(definition, new, env);
    let mut effects = Vec::new();
    for _ in 0..MOST_EVENTS {
        effects.extend(step.effects.iter().filter_map(described));
        let instance = &step.instance;
        if instance.state != WorkflowState::Running {
            return ended(step.instance, effects, None);
        }
        if let Some(run) = instance
            .runs
            .iter()
            .find(|run| run.state == ActivityState::WaitInError)
        {
            let stop = Stop::WaitInError {
                run: run.seq,
                error: run.error.clone().unwrap_or_default(),
            };
            return ended(step.instance, effects, Some(stop));
        }
        let Some(run) = instance
            .runs
            .iter()
            .find(|run| run.state == ActivityState::Running && run.activity_type != "merge")
        else {
            return ended(step.instance, effects, None);
        };
        let Some(event) = rehearsed_event(instance, run, answer) else {
            let stop = Stop::WaitsForOutside { run: run.seq };
            return ended(step.instance, effects, Some(stop));
        };
        let seq = run.seq;
        step = match handle(definition, instance, event, env) {
            Ok(next) => next,
            Err(error) => {
                let stop = Stop::Refused {
                    run: seq,
                    error: error.to_string(),
                };
                return ended(step.instance, effects, Some(stop));
            }
        };
    }
    ended(step.instance, effects, Some(Stop::TooLong))
}

fn ended(instance: Instance, effects: Vec<(u32, String)>, stopped: Option<Stop>) -> Rehearsal {
    Rehearsal {
        instance,
        effects,
        stopped,
    }
}

/// The event that moves a running activity on, as the rehearsal answers it.
fn rehearsed_event(instance: &Instance, run: &ActivityRun, answer: Answer) -> Option<Event> {
    let waiting = run
        .approval
        .as_ref()
        .and_then(|approval| approval.waiting_on().first().map(|p| p.user.clone()));
    match run.activity_type.as_str() {
        "approval" => Some(Event::Decide {
            run: run.seq,
            actor: waiting?,
            verdict: match answer {
                Answer::Approve => Verdict::Approve,
                Answer::Reject => Verdict::Reject,
            },
            reason: Some("rehearsal".to_owned()),
            by: None,
        }),
        "certification" => Some(Event::Certify {
            run: run.seq,
            actor: waiting?,
            verdicts: instance
                .item_ids()
                .into_iter()
                .map(|item| (item, answer == Answer::Approve))
                .collect(),
            submit: true,
            by: None,
        }),
        "email" | "rest" | "external" => Some(Event::EffectSucceeded {
            run: run.seq,
            result: BTreeMap::from([("status".to_owned(), vec![Value::text("200")])]),
        }),
        _ => None,
    }
}

/// An effect in words, or `None` for the engine's own audit lines.
fn described(effect: &Effect) -> Option<(u32, String)> {
    Some(match effect {
        Effect::NotifyParticipants { run, users, .. } => (*run, format!("notify {}", names(users))),
        Effect::SendEmail { run, to, template } => {
            (*run, format!("mail {template} to {}", names(to)))
        }
        Effect::ChangeIdentity { run, change } => (*run, identity_change(change)),
        Effect::CallRest {
            run,
            endpoint,
            method,
            path,
            ..
        } => (*run, format!("{method} {endpoint}{path}")),
        Effect::HandOff {
            run, engine, start, ..
        } => (*run, format!("hand off to {engine}: {start}")),
        Effect::IssueActivationKey { run, account } => {
            (*run, format!("send an activation key to {account}"))
        }
        Effect::Audit { .. } => return None,
    })
}

fn identity_change(change: &IdentityChange) -> String {
    let (user, kind, name, grant) = match change {
        IdentityChange::SetAttributes { user, attributes } => {
            let names: Vec<&str> = attributes.keys().map(String::as_str).collect();
            return format!("set {} of {user}", names.join(", "));
        }
        IdentityChange::Entitlement {
            user,
            entitlement,
            grant,
        } => (user, "entitlement", entitlement, grant),
        IdentityChange::Role { user, role, grant } => (user, "role", role, grant),
        IdentityChange::Resource {
            user,
            resource,
            grant,
        } => (user, "resource", resource, grant),
    };
    if *grant {
        format!("grant {user} the {kind} {name}")
    } else {
        format!("revoke the {kind} {name} from {user}")
    }
}

fn names(users: &[crate::UserName]) -> String {
    users
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}
