//! The timeline of a request, for the approver's item page and the requester's request
//! page alike (both show it with `crate::app::history`).

use super::{request_lang, step_title};
use crate::app::types::HistoryLine;
use crate::server::entities::handoff;
use crate::server::workflow::handoff_state as state;

/// What became of a hand-off to an outside engine: where it went, and how and when it
/// ended (the time taken from the hand-off to the answer).
fn handoff_detail(handoff: &handoff::Model, run_error: Option<&str>) -> String {
    let reference = handoff
        .external_ref
        .as_deref()
        .map(|r| format!(" (run {r})"))
        .unwrap_or_default();
    let mut text = format!(
        "handed off to {}: {}{reference}",
        handoff.engine, handoff.start
    );
    let took = |end: chrono::DateTime<chrono::Utc>| {
        let millis = (end - handoff.created_at).num_milliseconds().max(0);
        format!("{:.1} s", millis as f64 / 1000.0)
    };
    let by = handoff.finished_by.as_deref().unwrap_or("callback");
    match (handoff.state.as_str(), handoff.finished_at) {
        (state::COMPLETED, Some(end)) => text.push_str(&format!(
            "; completed after {} (by {by}); result: {}",
            took(end),
            handoff.result.as_deref().unwrap_or("{}")
        )),
        (state::FAILED, Some(end)) => text.push_str(&format!(
            "; failed after {} (by {by}): {}",
            took(end),
            handoff
                .error
                .as_deref()
                .or(run_error)
                .unwrap_or("no reason given")
        )),
        (state::CLOSED, _) => text.push_str("; closed: the workflow went on without it"),
        (state::STARTING, _) => {
            text = format!("starting in {}: {}", handoff.engine, handoff.start);
            if let Some(error) = &handoff.error {
                text.push_str(&format!("; not started yet: {error} (retrying)"));
            }
        }
        _ => text.push_str("; waiting for its answer"),
    }
    text
}

/// What a `rest` run called and how each try was answered, which its result keeps (a
/// failed run's error lists the tries itself).
fn calls_made(run: &assent_engine::runtime::model::ActivityRun) -> String {
    if run.activity_type != "rest" {
        return String::new();
    }
    run.result
        .get("calls")
        .map(|calls| {
            calls
                .iter()
                .map(|c| c.as_text())
                .collect::<Vec<_>>()
                .join("; ")
        })
        .unwrap_or_default()
}

/// The steps a request went through, with who was asked, who decided and why.
pub(super) fn history_lines(
    instance: &assent_engine::runtime::model::Instance,
    definition: &assent_engine::definition::Definition,
    handoffs: &[handoff::Model],
) -> Vec<HistoryLine> {
    use assent_engine::runtime::model::Verdict;
    let german = request_lang() == "de";
    let (asked_word, approved, rejected, due_word) = if german {
        ("gefragt", "genehmigt", "abgelehnt", "fällig")
    } else {
        ("asked", "approved", "rejected", "due")
    };
    instance
        .runs
        .iter()
        .filter(|r| {
            !matches!(
                r.activity_type.as_str(),
                "start" | "finish" | "merge" | "branch"
            )
        })
        .map(|r| {
            let detail = match &r.approval {
                Some(a) => {
                    let asked: Vec<String> =
                        a.participants.iter().map(|p| p.user.to_string()).collect();
                    let decided: Vec<String> = a
                        .decisions
                        .iter()
                        .map(|d| {
                            let verdict = match d.verdict {
                                Verdict::Approve => approved,
                                Verdict::Reject => rejected,
                            };
                            // Someone who decided for the participant is named too.
                            let who = match &d.by {
                                Some(by) if german => format!("{by} für {}", d.user),
                                Some(by) => format!("{by} for {}", d.user),
                                None => d.user.to_string(),
                            };
                            match &d.reason {
                                Some(reason) => format!("{who} {verdict} ({reason})"),
                                None => format!("{who} {verdict}"),
                            }
                        })
                        .collect();
                    let mut text = format!("{asked_word}: {}", asked.join(", "));
                    if !decided.is_empty() {
                        text.push_str(&format!("; {}", decided.join("; ")));
                    }
                    if let (Some(due), true) = (a.due_at, a.outcome.is_none()) {
                        text.push_str(&format!(
                            "; {due_word} {}",
                            crate::server::workflow::format_timestamp(due)
                        ));
                    }
                    text
                }
                None => match handoffs.iter().find(|h| h.run_seq as u32 == r.seq) {
                    Some(handoff) => handoff_detail(handoff, r.error.as_deref()),
                    None => r.error.clone().unwrap_or_else(|| calls_made(r)),
                },
            };
            HistoryLine {
                step: step_title(definition, &r.activity.0),
                state: r.state.as_str().to_owned(),
                started: crate::server::workflow::format_timestamp(r.started_at),
                detail,
            }
        })
        .collect()
}
