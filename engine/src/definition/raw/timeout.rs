//! `timeout`: when an approval stops waiting, and what happens then.

use super::Problems;
use crate::definition::{FinalTimeoutOutcome, Timeout, TimeoutOutcome};
use serde::Deserialize;
use toml::Spanned;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawTimeout {
    after: String,
    outcome: String,
    #[serde(default)]
    max_repeats: u32,
    then: Option<String>,
}

/// The longest span a definition may give: ten years. Longer ones are typos, and they
/// would overflow the clock arithmetic of whoever schedules them.
pub(super) const MAX_DURATION_SECONDS: u64 = 3_650 * 86_400;

/// `30s`, `45m`, `72h`, `3d`; at most [`MAX_DURATION_SECONDS`].
pub(super) fn parse_duration(text: &str) -> Option<u64> {
    let text = text.trim();
    let unit = text.chars().last()?;
    let number: u64 = text[..text.len() - unit.len_utf8()].parse().ok()?;
    let factor = match unit {
        's' => 1,
        'm' => 60,
        'h' => 3600,
        'd' => 86_400,
        _ => return None,
    };
    number
        .checked_mul(factor)
        .filter(|seconds| (1..=MAX_DURATION_SECONDS).contains(seconds))
}

const OUTCOMES: [(&str, TimeoutOutcome); 4] = [
    ("escalate", TimeoutOutcome::Escalate),
    ("remind", TimeoutOutcome::Remind),
    ("approve", TimeoutOutcome::Approve),
    ("deny", TimeoutOutcome::Deny),
];

/// What applies once escalations or reminders are used up; `deny` when not given.
const FINAL_OUTCOMES: [(&str, FinalTimeoutOutcome); 2] = [
    ("approve", FinalTimeoutOutcome::Approve),
    ("deny", FinalTimeoutOutcome::Deny),
];

pub(super) fn convert(raw: Spanned<RawTimeout>, problems: &mut Problems) -> Option<Timeout> {
    let span = raw.span();
    let raw = raw.into_inner();
    let Some(after_seconds) = parse_duration(&raw.after) else {
        problems.at(
            span,
            format!(
                "timeout.after {:?} is not a duration like 30m, 72h or 3d",
                raw.after
            ),
        );
        return None;
    };
    let outcome = problems.one_of(span.clone(), "timeout.outcome", &raw.outcome, &OUTCOMES)?;
    let then = match raw.then.as_deref() {
        None => FinalTimeoutOutcome::Deny,
        Some(word) => problems.one_of(span.clone(), "timeout.then", word, &FINAL_OUTCOMES)?,
    };
    if matches!(outcome, TimeoutOutcome::Escalate | TimeoutOutcome::Remind) && raw.max_repeats == 0
    {
        problems.at(
            span,
            "timeout.max_repeats must be at least 1 for escalate or remind",
        );
    }
    Some(Timeout {
        after_seconds,
        outcome,
        max_repeats: raw.max_repeats,
        then,
    })
}
