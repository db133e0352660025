//! The timeline of a request, for the approver's item page and the requester's request
//! page alike (both show it with `crate::app::history`).

use super::{request_lang, step_title};
use crate::app::types::HistoryLine;

/// The steps a request went through, with who was asked, who decided and why.
pub(super) fn history_lines(
    instance: &assent_engine::runtime::model::Instance,
    definition: &assent_engine::definition::Definition,
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
                None => r.error.clone().unwrap_or_default(),
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
