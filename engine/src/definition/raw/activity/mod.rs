//! `[[activity]]`: one table holds the keys of every activity type; the function of the
//! activity's type reads the keys it uses, and ignores the others.

mod approval;
mod control;
mod outbox;
mod provisioning;
mod recording;

use super::participants::{self, RawParticipants};
use super::timeout::{self, RawTimeout};
use super::Problems;
use crate::definition::{
    path_parts, Activity, ActivityId, ActivityKind, Assignment, Localized, Participants, PathPart,
    RESPONSE_VARIABLE,
};
use crate::expression::{Expression, STANDARD_LOOKUPS};
use crate::flowdata::FlowPath;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::ops::Range;
use toml::Spanned;

/// `next`: one activity, or several after a branch.
#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAssignment {
    target: String,
    expression: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawActivity {
    pub(super) id: Spanned<String>,
    r#type: Spanned<String>,
    #[serde(default)]
    title: BTreeMap<String, String>,
    next: Option<Spanned<OneOrMany>>,
    when_true: Option<Spanned<String>>,
    when_false: Option<Spanned<String>>,
    on_approve: Option<Spanned<String>>,
    on_reject: Option<Spanned<String>>,
    on_timeout: Option<Spanned<String>>,
    participants: Option<Spanned<RawParticipants>>,
    mode: Option<Spanned<String>>,
    quorum: Option<u32>,
    timeout: Option<Spanned<RawTimeout>>,
    #[serde(default)]
    reason_required_on_reject: bool,
    #[serde(default)]
    content_read_only: bool,
    #[serde(default)]
    sign_approve: bool,
    #[serde(default)]
    sign_deny: bool,
    to: Option<Spanned<RawParticipants>>,
    template: Option<String>,
    #[serde(default)]
    assign: Vec<RawAssignment>,
    expression: Option<String>,
    application_state: Option<String>,
    message: Option<String>,
    action: Option<String>,
    entitlement: Option<String>,
    role: Option<String>,
    resource: Option<String>,
    method: Option<String>,
    endpoint: Option<String>,
    path: Option<String>,
    body: Option<BTreeMap<String, String>>,
    engine: Option<String>,
    start: Option<String>,
    parameters: Option<BTreeMap<String, String>>,
    time_limit: Option<String>,
    on_failure: Option<Spanned<String>>,
}

/// The activity being converted, for the helpers that check its keys: each problem is
/// placed at its id's line and names it.
struct Converting<'c, 'f> {
    id: &'c ActivityId,
    type_name: &'c str,
    span: Range<usize>,
    problems: &'c mut Problems<'f>,
}

impl Converting<'_, '_> {
    fn problem(&mut self, message: impl Into<String>) {
        self.problems.at(self.span.clone(), message);
    }

    /// A key this type of activity needs; its absence is a problem.
    fn required<T>(&mut self, value: Option<T>, key: &str) -> Option<T> {
        if value.is_none() {
            let message = format!("{} activity {} needs {key}", self.type_name, self.id);
            self.problem(message);
        }
        value
    }

    /// A key naming the activity that comes next on one of the paths.
    fn target(&mut self, value: Option<Spanned<String>>, key: &str) -> Option<ActivityId> {
        self.required(value, key)
            .map(|target| ActivityId(target.into_inner()))
    }

    /// `next` naming the one activity that follows.
    fn next(&mut self, next: Option<Spanned<OneOrMany>>) -> Option<ActivityId> {
        match next.map(Spanned::into_inner) {
            Some(OneOrMany::One(target)) => Some(ActivityId(target)),
            Some(OneOrMany::Many(_)) => {
                let message = format!(
                    "activity {}: only a branch has several next activities",
                    self.id
                );
                self.problem(message);
                None
            }
            None => self.required(None, "next"),
        }
    }

    /// Whom a rule names (`participants`, `to`); `missing` says why they are needed.
    fn participants(
        &mut self,
        raw: Option<Spanned<RawParticipants>>,
        missing: String,
    ) -> Option<Participants> {
        match raw {
            Some(raw) => participants::convert(raw, self.problems),
            None => {
                self.problem(missing);
                None
            }
        }
    }

    /// `assign`, which this type needs at least one of.
    fn assignments(&mut self, raw: Vec<RawAssignment>) -> Vec<Assignment> {
        if raw.is_empty() {
            let message = format!(
                "{} activity {} needs at least one assign",
                self.type_name, self.id
            );
            self.problem(message);
        }
        assignments(raw)
    }
}

/// `assign` as the model has it.
fn assignments(raw: Vec<RawAssignment>) -> Vec<Assignment> {
    raw.into_iter()
        .map(|a| Assignment {
            target: a.target,
            expression: a.expression,
        })
        .collect()
}

/// One activity, or `None` when its problems leave nothing to build.
pub(super) fn convert(mut raw: RawActivity, problems: &mut Problems) -> Option<Activity> {
    let id = ActivityId(raw.id.get_ref().clone());
    let span = raw.id.span();
    let type_span = raw.r#type.span();
    let type_name = raw.r#type.get_ref().clone();
    let title = Localized(std::mem::take(&mut raw.title));
    let mut activity = Converting {
        id: &id,
        type_name: &type_name,
        span: span.clone(),
        problems,
    };
    let kind = match type_name.as_str() {
        "start" => control::start(raw, &mut activity),
        "approval" => approval::approval(raw, &mut activity),
        "email" => outbox::email(raw, &mut activity),
        "mapping" => recording::mapping(raw, &mut activity),
        "condition" => control::condition(raw, &mut activity),
        "branch" => control::branch(raw, &mut activity),
        "merge" => control::merge(raw, &mut activity),
        "status" => recording::status(raw, &mut activity),
        "log" => recording::log(raw, &mut activity),
        "entity" => provisioning::entity(raw, &mut activity),
        "entitlement" => provisioning::entitlement(raw, &mut activity),
        "role_request" => provisioning::role_request(raw, &mut activity),
        "resource_request" => provisioning::resource_request(raw, &mut activity),
        "rest" => outbox::rest(raw, &mut activity),
        "external" => outbox::external(raw, &mut activity),
        "activation" => outbox::activation(raw, &mut activity),
        "certification" => approval::certification(raw, &mut activity),
        "finish" => control::finish(raw, &mut activity),
        other => {
            problems.at(type_span, format!("activity {id}: unknown type {other:?}"));
            return None;
        }
    }?;
    check_expressions(&id, &kind, span, problems);
    Some(Activity { id, title, kind })
}

/// Every expression must parse and name only known variables and functions, and every
/// mapping target must be a flowdata path, so mistakes surface at deploy.
fn check_expressions(
    id: &ActivityId,
    kind: &ActivityKind,
    span: Range<usize>,
    problems: &mut Problems,
) {
    // `extra`: the variables the place offers besides the usual ones.
    let check_in = |expression: &str, extra: &[&str], problems: &mut Problems| {
        if let Err(error) = Expression::parse_with_variables(expression, STANDARD_LOOKUPS, extra) {
            problems.at(
                span.clone(),
                format!("activity {id}: expression {expression:?}: {error}"),
            );
        }
    };
    let check = |expression: &str, problems: &mut Problems| check_in(expression, &[], problems);
    let check_assignments =
        |assignments: &[Assignment], extra: &[&str], problems: &mut Problems| {
            for assignment in assignments {
                check_in(&assignment.expression, extra, problems);
                if let Err(error) = FlowPath::parse(&assignment.target) {
                    problems.at(span.clone(), format!("activity {id}: {error}"));
                }
            }
        };
    match kind {
        ActivityKind::Condition { expression, .. } => check(expression, problems),
        ActivityKind::Mapping { assignments, .. } => check_assignments(assignments, &[], problems),
        ActivityKind::Rest {
            path,
            body,
            response_mapping,
            ..
        } => {
            match path_parts(path) {
                Ok(parts) => {
                    for part in parts {
                        if let PathPart::Placeholder(expression) = part {
                            check(expression, problems);
                        }
                    }
                }
                Err(error) => problems.at(span.clone(), format!("activity {id}: {error}")),
            }
            for expression in body.iter().flat_map(|members| members.values()) {
                check(expression, problems);
            }
            check_assignments(response_mapping, &[RESPONSE_VARIABLE], problems);
        }
        ActivityKind::Entity { changes, .. } => {
            for change in changes {
                check(&change.expression, problems);
            }
        }
        _ => {}
    }
}
