//! Property tests: random definitions (chains of approvals with random modes, sizes and
//! timeouts) driven by random event orders must keep the runtime's invariants.

mod support;

use assent_engine::runtime::model::Verdict;
use assent_engine::runtime::Event;
use assent_engine::{ActivityState, ApplicationState, WorkflowState};
use proptest::prelude::*;
use support::definitions::{header, start, FINISH};
use support::*;

#[derive(Debug, Clone)]
struct Stage {
    approvers: usize,
    mode: Mode,
    timeout: Option<&'static str>,
}

#[derive(Debug, Clone, Copy)]
enum Mode {
    Any,
    All,
    Quorum(usize),
}

const APPROVERS: [&str; 5] = ["bob", "carol", "dave", "erin", "heidi"];

fn stage() -> impl Strategy<Value = Stage> {
    (1usize..=5)
        .prop_flat_map(|n| {
            let mode = prop_oneof![
                Just(Mode::Any),
                Just(Mode::All),
                (1..=n).prop_map(Mode::Quorum),
            ];
            let timeout = prop_oneof![
                Just(None),
                Just(Some("approve")),
                Just(Some("deny")),
                Just(Some("escalate")),
                Just(Some("remind")),
            ];
            (Just(n), mode, timeout)
        })
        .prop_map(|(approvers, mode, timeout)| Stage {
            approvers,
            mode,
            timeout,
        })
}

fn definition_for(stages: &[Stage]) -> String {
    let mut source = header("Random", "Test/Random", "role") + &start("stage0");
    for (index, stage) in stages.iter().enumerate() {
        let next = if index + 1 == stages.len() {
            "accepted".to_owned()
        } else {
            format!("stage{}", index + 1)
        };
        let users: Vec<String> = APPROVERS[..stage.approvers]
            .iter()
            .map(|u| format!("{u:?}"))
            .collect();
        let mode = match stage.mode {
            Mode::Any => "mode = \"any\"".to_owned(),
            Mode::All => "mode = \"all\"".to_owned(),
            Mode::Quorum(k) => format!("mode = \"quorum\"\nquorum = {k}"),
        };
        let timeout = match stage.timeout {
            None => String::new(),
            Some(outcome @ ("escalate" | "remind")) => {
                format!(
                    "timeout = {{ after = \"1h\", outcome = \"{outcome}\", max_repeats = 2 }}\n"
                )
            }
            Some(outcome) => format!("timeout = {{ after = \"1h\", outcome = \"{outcome}\" }}\n"),
        };
        source.push_str(&format!(
            "\n[[activity]]\nid = \"stage{index}\"\ntype = \"approval\"\nparticipants = {{ users = [{}] }}\n{mode}\n{timeout}on_approve = \"{next}\"\non_reject = \"rejected\"\n",
            users.join(", ")
        ));
    }
    source.push_str("\n[[activity]]\nid = \"accepted\"\ntype = \"status\"\napplication_state = \"ACCEPTED\"\nnext = \"end\"\n\n[[activity]]\nid = \"rejected\"\ntype = \"status\"\napplication_state = \"REJECTED\"\nnext = \"end\"\n");
    source.push_str(FINISH);
    source
}

#[derive(Debug, Clone)]
enum Action {
    Decide {
        who: usize,
        approve: bool,
    },
    FireLatestTimer,
    FireOldTimer(u32),
    Suspend,
    Resume,
    /// An administrator asks other people (modifyInstance).
    Reassign(Vec<usize>),
    /// The directory was said to have changed (notifyParticipantChanged).
    Reevaluate,
}

fn action() -> impl Strategy<Value = Action> {
    prop_oneof![
        6 => (0usize..7, any::<bool>()).prop_map(|(who, approve)| Action::Decide { who, approve }),
        2 => Just(Action::FireLatestTimer),
        1 => (0u32..4).prop_map(Action::FireOldTimer),
        1 => Just(Action::Suspend),
        1 => Just(Action::Resume),
        1 => prop::collection::vec(0usize..7, 0..3).prop_map(Action::Reassign),
        1 => Just(Action::Reevaluate),
    ]
}

/// Everyone who might act: the approvers, the requester alice, and an outsider.
const ACTORS: [&str; 7] = ["bob", "carol", "dave", "erin", "heidi", "alice", "grace"];

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, .. ProptestConfig::default() })]

    #[test]
    fn invariants_hold_for_random_definitions_and_event_orders(
        stages in prop::collection::vec(stage(), 1..4),
        actions in prop::collection::vec(action(), 0..40),
    ) {
        let definition = definition(&definition_for(&stages));
        // alice asks for grace; heidi reports to erin, so escalation has somewhere to go.
        let mut run = Run::start(definition, "alice", "grace", "Some Role");
        let mut ended_at_version: Option<u64> = None;
        let mut fired: std::collections::BTreeSet<(u32, u32)> = Default::default();
        let mut latest_timer = run.last.as_ref().unwrap().timers.last().copied();

        for action in actions {
            let before = run.instance.clone();
            let open_run = before.runs.iter().rev().find(|r| r.state == ActivityState::Running).map(|r| r.seq);
            let event = match (&action, open_run) {
                (Action::Decide { who, approve }, Some(seq)) => Event::Decide {
                    run: seq,
                    actor: user(ACTORS[*who]),
                    verdict: if *approve { Verdict::Approve } else { Verdict::Reject },
                    reason: Some("because".into()),
                    by: None,
                },
                (Action::Decide { .. }, None) => Event::Decide { run: 1, actor: user("bob"), verdict: Verdict::Approve, reason: None, by: None },
                (Action::FireLatestTimer, _) => match latest_timer {
                    Some(timer) => Event::TimerFired { run: timer.run, generation: timer.generation },
                    None => continue,
                },
                (Action::FireOldTimer(generation), Some(seq)) => Event::TimerFired { run: seq, generation: *generation },
                (Action::FireOldTimer(_), None) => continue,
                (Action::Suspend, _) => Event::Suspend,
                (Action::Resume, _) => Event::Resume { run: None },
                (Action::Reassign(who), Some(seq)) => Event::Modify {
                    actor: user("admin"),
                    change: assent_engine::runtime::Modification {
                        participants: [(seq, who.iter().map(|w| user(ACTORS[*w])).collect())].into(),
                        ..Default::default()
                    },
                },
                (Action::Reassign(_), None) => continue,
                (Action::Reevaluate, _) => Event::ReevaluateParticipants,
            };
            run.advance(2 * HOUR);
            let timer_key = match &event { Event::TimerFired { run, generation } => Some((*run, *generation)), _ => None };
            let is_decision = matches!(event, Event::Decide { .. });
            let outcome = run.send(event).map(|step| (step.changed, step.timers.last().copied()));

            match outcome {
                Ok((changed, timer)) => {
                    // No decision and no change at all after the end.
                    if ended_at_version.is_some() {
                        prop_assert!(!changed || !before.state.is_terminal(), "changed after the end");
                        prop_assert!(!is_decision, "a decision was accepted after the end");
                    }
                    if changed {
                        prop_assert_eq!(run.instance.version, before.version + 1);
                    } else {
                        prop_assert_eq!(&run.instance, &before);
                    }
                    if let (Some(key), true) = (timer_key, changed) {
                        prop_assert!(fired.insert(key), "timer {:?} had an effect twice", key);
                    }
                    if timer.is_some() {
                        latest_timer = timer;
                    }
                }
                Err(_) => prop_assert_eq!(&run.instance, &before, "a refused event changed state"),
            }

            // The requester never holds an open item.
            for r in &run.instance.runs {
                if let Some(approval) = &r.approval {
                    prop_assert!(!approval.participants.iter().any(|p| p.user == user("alice")));
                    prop_assert!(!approval.decisions.iter().any(|d| d.user == user("alice")));
                    // Quorum arithmetic, computed here independently of the engine: a
                    // concluded approval ended exactly when its threshold was first met.
                    if let (Some(outcome), false) = (approval.outcome, approval.decisions.is_empty()) {
                        let timed_out = run.instance.flowdata.get(&assent_engine::flowdata::FlowPath::parse(&format!("{}/timedOut", r.activity)).unwrap())
                            == [assent_engine::flowdata::Value::Bool(true)];
                        if !timed_out {
                            let index: usize = r.activity.0.trim_start_matches("stage").parse().unwrap();
                            let active = approval.participants.iter().filter(|p| p.active).count();
                            let approvals = approval.decisions.iter().filter(|d| d.verdict == Verdict::Approve).count();
                            let rejections = approval.decisions.len() - approvals;
                            match stages[index].mode {
                                Mode::Any => {
                                    prop_assert_eq!(approval.decisions.len(), 1);
                                    prop_assert_eq!(outcome, approval.decisions[0].verdict);
                                }
                                mode => {
                                    let required = match mode { Mode::Quorum(k) => k, _ => active };
                                    match outcome {
                                        Verdict::Approve => prop_assert_eq!(approvals, required),
                                        Verdict::Reject => prop_assert_eq!(rejections, active - required + 1),
                                    }
                                }
                            }
                        }
                    }
                }
            }
            if run.instance.state.is_terminal() {
                match ended_at_version {
                    None => ended_at_version = Some(run.instance.version),
                    Some(version) => prop_assert_eq!(version, run.instance.version, "ended twice"),
                }
            }
        }

        // One terminal outcome: a finished workflow has exactly one application state.
        if run.instance.state == WorkflowState::Succeeded {
            prop_assert!(matches!(run.instance.application_state, Some(ApplicationState::Accepted | ApplicationState::Rejected)));
            let statuses = run.instance.runs.iter().filter(|r| r.activity_type == "status").count();
            prop_assert_eq!(statuses, 1);
        }
    }
}
