//! The TOML shape of a definition, and its conversion into the checked model.

use super::graph;
use super::*;
use crate::expression::{Expression, STANDARD_LOOKUPS};
use crate::flowdata::FlowPath;
use crate::UserName;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::ops::Range;
use toml::Spanned;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDefinition {
    name: Spanned<String>,
    path: Spanned<String>,
    #[serde(default)]
    title: BTreeMap<String, String>,
    #[serde(default)]
    description: BTreeMap<String, String>,
    operation: String,
    subject_type: String,
    resource_type: String,
    request_workflow_type: String,
    owner: Spanned<String>,
    starters: Option<Spanned<Vec<Spanned<String>>>>,
    #[serde(default)]
    applicable: Vec<Spanned<RawCriterion>>,
    #[serde(default)]
    field: Vec<Spanned<RawField>>,
    #[serde(default)]
    activity: Vec<Spanned<RawActivity>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCriterion {
    of: String,
    attribute: String,
    #[serde(default = "equals")]
    r#match: String,
    value: String,
}

fn equals() -> String {
    "equals".into()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawField {
    name: String,
    #[serde(default)]
    label: BTreeMap<String, String>,
    kind: String,
    #[serde(default)]
    required: bool,
    #[serde(default)]
    read_only: bool,
    pattern: Option<String>,
    min: Option<f64>,
    max: Option<f64>,
    default: Option<String>,
    #[serde(default)]
    choices: Vec<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawParticipants {
    manager_of: Option<String>,
    resource_owner: Option<bool>,
    group: Option<String>,
    users: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTimeout {
    after: String,
    outcome: String,
    #[serde(default)]
    max_repeats: u32,
    then: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAssignment {
    target: String,
    expression: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawActivity {
    id: Spanned<String>,
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
    url: Option<String>,
    system: Option<String>,
}

/// Collects problems with their places while a file is converted.
pub(super) struct Problems<'a> {
    file: &'a str,
    source: &'a str,
    pub(super) found: Vec<DefinitionError>,
}

impl<'a> Problems<'a> {
    pub(super) fn at(&mut self, span: Range<usize>, message: impl Into<String>) {
        let line = self.source[..span.start.min(self.source.len())]
            .matches('\n')
            .count()
            + 1;
        self.found.push(DefinitionError {
            file: self.file.to_owned(),
            line,
            message: message.into(),
        });
    }
}

/// Reads one definition file. `file` names it in error messages.
pub fn parse(file: &str, source: &str) -> Result<Definition, DefinitionErrors> {
    let mut problems = Problems {
        file,
        source,
        found: Vec::new(),
    };
    let raw: RawDefinition = match toml::from_str(source) {
        Ok(raw) => raw,
        Err(error) => {
            let span = error.span().unwrap_or(0..0);
            problems.at(span, error.message().trim().to_owned());
            return Err(DefinitionErrors(problems.found));
        }
    };
    let definition = convert(raw, &mut problems);
    if problems.found.is_empty() {
        if let Some(definition) = definition {
            return Ok(definition);
        }
    }
    problems.found.sort_by_key(|e| e.line);
    Err(DefinitionErrors(problems.found))
}

fn convert(raw: RawDefinition, problems: &mut Problems) -> Option<Definition> {
    if raw.name.get_ref().trim().is_empty() {
        problems.at(raw.name.span(), "name must not be empty");
    }
    let path = raw.path.get_ref();
    if path.split('/').any(|segment| segment.trim().is_empty()) {
        problems.at(
            raw.path.span(),
            format!("path {path:?} must be segments separated by '/', none empty"),
        );
    }
    let owner = match UserName::parse(raw.owner.get_ref()) {
        Ok(owner) => Some(owner),
        Err(error) => {
            problems.at(raw.owner.span(), format!("owner: {error}"));
            None
        }
    };
    let starters = super::starters::convert(raw.starters, problems);
    let applicability = raw
        .applicable
        .into_iter()
        .filter_map(|criterion| convert_criterion(criterion, problems))
        .collect();
    let form = raw
        .field
        .into_iter()
        .filter_map(|field| convert_field(field, problems))
        .collect();
    if raw.activity.is_empty() {
        problems.at(
            0..0,
            "a definition needs at least a start and a finish activity",
        );
        return None;
    }
    let mut lines = BTreeMap::new();
    let mut activities = Vec::new();
    for activity in raw.activity {
        let span = activity.get_ref().id.span();
        let id = ActivityId(activity.get_ref().id.get_ref().clone());
        if lines.insert(id.clone(), span.clone()).is_some() {
            problems.at(span.clone(), format!("activity id {id:?} is used twice"));
        }
        if let Some(converted) = convert_activity(activity.into_inner(), problems) {
            activities.push(converted);
        }
    }
    let definition = Definition {
        name: raw.name.into_inner(),
        path: raw.path.into_inner(),
        title: Localized(raw.title),
        description: Localized(raw.description),
        operation: raw.operation,
        subject_type: raw.subject_type,
        resource_type: raw.resource_type,
        request_workflow_type: raw.request_workflow_type,
        owner: owner?,
        starters,
        applicability,
        form,
        activities,
    };
    if problems.found.is_empty() {
        graph::check(&definition, &lines, problems);
    }
    Some(definition)
}

fn party(name: &str) -> Option<Party> {
    match name {
        "initiator" => Some(Party::Initiator),
        "subject" => Some(Party::Subject),
        "resource" => Some(Party::Resource),
        _ => None,
    }
}

fn convert_criterion(raw: Spanned<RawCriterion>, problems: &mut Problems) -> Option<Criterion> {
    let span = raw.span();
    let raw = raw.into_inner();
    let Some(of) = party(&raw.of) else {
        problems.at(
            span,
            format!(
                "applicable.of must be initiator, subject or resource, not {:?}",
                raw.of
            ),
        );
        return None;
    };
    let matching = match raw.r#match.as_str() {
        "equals" => Match::Equals,
        "startsWith" => Match::StartsWith,
        "endsWith" => Match::EndsWith,
        "contains" => Match::Contains,
        other => {
            problems.at(span, format!("applicable.match must be equals, startsWith, endsWith or contains, not {other:?}"));
            return None;
        }
    };
    Some(Criterion {
        of,
        attribute: raw.attribute,
        matching,
        value: raw.value,
    })
}

fn convert_field(raw: Spanned<RawField>, problems: &mut Problems) -> Option<FormField> {
    let span = raw.span();
    let raw = raw.into_inner();
    let choices = |problems: &mut Problems| {
        if raw.choices.is_empty() {
            problems.at(
                span.clone(),
                format!("field {:?}: a choice field needs choices", raw.name),
            );
        }
        raw.choices.clone()
    };
    let kind = match raw.kind.as_str() {
        "text" => FieldKind::Text,
        "long_text" => FieldKind::LongText,
        "number" => FieldKind::Number,
        "date" => FieldKind::Date,
        "single_choice" => FieldKind::SingleChoice(choices(problems)),
        "multiple_choice" => FieldKind::MultipleChoice(choices(problems)),
        "checkbox" => FieldKind::Checkbox,
        "user" => FieldKind::UserPicker,
        "role" => FieldKind::RolePicker,
        "resource" => FieldKind::ResourcePicker,
        other => {
            problems.at(
                span,
                format!(
                    "field {:?}: unknown kind {other:?} (text, long_text, number, date, single_choice, multiple_choice, checkbox, user, role, resource)",
                    raw.name
                ),
            );
            return None;
        }
    };
    if let (Some(min), Some(max)) = (raw.min, raw.max) {
        if min > max {
            problems.at(
                span.clone(),
                format!("field {:?}: min {min} is above max {max}", raw.name),
            );
        }
    }
    if let Some(pattern) = &raw.pattern {
        if let Err(error) = regex::Regex::new(&format!("^(?:{pattern})$")) {
            let first_line = error
                .to_string()
                .lines()
                .last()
                .unwrap_or_default()
                .to_owned();
            problems.at(
                span.clone(),
                format!(
                    "field {:?}: pattern {pattern:?} is invalid: {first_line}",
                    raw.name
                ),
            );
        }
    }
    if let Some(default) = &raw.default {
        if let Err(error) = Expression::parse(default, STANDARD_LOOKUPS) {
            problems.at(
                span.clone(),
                format!("field {:?}: default {default:?}: {error}", raw.name),
            );
        }
    }
    Some(FormField {
        name: raw.name,
        label: Localized(raw.label),
        kind,
        required: raw.required,
        read_only: raw.read_only,
        pattern: raw.pattern,
        min: raw.min,
        max: raw.max,
        default: raw.default,
    })
}

fn convert_participants(
    raw: Spanned<RawParticipants>,
    problems: &mut Problems,
) -> Option<Participants> {
    let span = raw.span();
    let raw = raw.into_inner();
    let mut rules = Vec::new();
    if let Some(of) = &raw.manager_of {
        match party(of) {
            Some(Party::Resource) | None => problems.at(
                span.clone(),
                format!("manager_of must be initiator or subject, not {of:?}"),
            ),
            Some(party) => rules.push(Participants::ManagerOf(party)),
        }
    }
    if raw.resource_owner == Some(true) {
        rules.push(Participants::ResourceOwner);
    }
    if let Some(group) = &raw.group {
        rules.push(Participants::Group(group.clone()));
    }
    if let Some(users) = &raw.users {
        let mut parsed = Vec::new();
        for user in users {
            match UserName::parse(user) {
                Ok(name) => parsed.push(name),
                Err(error) => problems.at(span.clone(), format!("users: {user:?}: {error}")),
            }
        }
        if parsed.is_empty() {
            problems.at(span.clone(), "users must name at least one user");
        }
        rules.push(Participants::Users(parsed));
    }
    match rules.len() {
        1 => rules.pop(),
        0 => {
            problems.at(
                span,
                "no way to find participants: give manager_of, resource_owner, group or users",
            );
            None
        }
        _ => {
            problems.at(
                span,
                "give exactly one of manager_of, resource_owner, group or users",
            );
            None
        }
    }
}

/// `30s`, `45m`, `72h`, `3d`.
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
    number.checked_mul(factor).filter(|seconds| *seconds > 0)
}

fn convert_timeout(raw: Spanned<RawTimeout>, problems: &mut Problems) -> Option<Timeout> {
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
    let outcome = match raw.outcome.as_str() {
        "escalate" => TimeoutOutcome::Escalate,
        "remind" => TimeoutOutcome::Remind,
        "approve" => TimeoutOutcome::Approve,
        "deny" => TimeoutOutcome::Deny,
        other => {
            problems.at(
                span,
                format!("timeout.outcome must be escalate, remind, approve or deny, not {other:?}"),
            );
            return None;
        }
    };
    let then = match raw.then.as_deref() {
        None | Some("deny") => FinalTimeoutOutcome::Deny,
        Some("approve") => FinalTimeoutOutcome::Approve,
        Some(other) => {
            problems.at(
                span,
                format!("timeout.then must be approve or deny, not {other:?}"),
            );
            return None;
        }
    };
    if matches!(outcome, TimeoutOutcome::Escalate | TimeoutOutcome::Remind) && raw.max_repeats == 0
    {
        problems.at(
            span.clone(),
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

fn convert_activity(raw: RawActivity, problems: &mut Problems) -> Option<Activity> {
    let id = ActivityId(raw.id.get_ref().clone());
    let span = raw.id.span();
    let type_span = raw.r#type.span();
    let type_name = raw.r#type.get_ref().as_str();
    let need = |field: Option<Spanned<String>>,
                name: &str,
                problems: &mut Problems|
     -> Option<ActivityId> {
        match field {
            Some(target) => Some(ActivityId(target.into_inner())),
            None => {
                problems.at(
                    span.clone(),
                    format!("{type_name} activity {id} needs {name}"),
                );
                None
            }
        }
    };
    let single_next = |next: Option<Spanned<OneOrMany>>, problems: &mut Problems| match next
        .map(Spanned::into_inner)
    {
        Some(OneOrMany::One(target)) => Some(ActivityId(target)),
        Some(OneOrMany::Many(_)) => {
            problems.at(
                span.clone(),
                format!("activity {id}: only a branch has several next activities"),
            );
            None
        }
        None => {
            problems.at(
                span.clone(),
                format!("{type_name} activity {id} needs next"),
            );
            None
        }
    };
    let text = |value: Option<String>, name: &str, problems: &mut Problems| {
        if value.is_none() {
            problems.at(
                span.clone(),
                format!("{type_name} activity {id} needs {name}"),
            );
        }
        value
    };
    let grant = |action: Option<String>, problems: &mut Problems| match action.as_deref() {
        None | Some("grant") => Some(true),
        Some("revoke") => Some(false),
        Some(other) => {
            problems.at(
                span.clone(),
                format!("activity {id}: action must be grant or revoke, not {other:?}"),
            );
            None
        }
    };
    let assignments = |raw: Vec<RawAssignment>| {
        raw.into_iter()
            .map(|a| Assignment {
                target: a.target,
                expression: a.expression,
            })
            .collect::<Vec<_>>()
    };

    let kind = match type_name {
        "start" => ActivityKind::Start {
            next: single_next(raw.next, problems)?,
        },
        "approval" => {
            let participants = match raw.participants {
                Some(p) => convert_participants(p, problems),
                None => {
                    problems.at(
                        span.clone(),
                        format!("approval {id} has no way to find participants: give participants"),
                    );
                    None
                }
            };
            let mode = match raw.mode.as_ref().map(|m| m.get_ref().as_str()) {
                None | Some("any") => Some(ApprovalMode::AnyOne),
                Some("all") => Some(ApprovalMode::All),
                Some("quorum") => match raw.quorum {
                    Some(required) if required >= 1 => {
                        if let Some(Participants::Users(users)) = &participants {
                            if required as usize > users.len() {
                                problems.at(
                                    span.clone(),
                                    format!("approval {id}: quorum {required} is more than its {} users", users.len()),
                                );
                            }
                        }
                        Some(ApprovalMode::Quorum { required })
                    }
                    _ => {
                        problems.at(
                            span.clone(),
                            format!("approval {id}: mode quorum needs quorum = N (at least 1)"),
                        );
                        None
                    }
                },
                Some(other) => {
                    problems.at(
                        span.clone(),
                        format!("approval {id}: mode must be any, all or quorum, not {other:?}"),
                    );
                    None
                }
            };
            let timeout = match raw.timeout {
                Some(t) => Some(convert_timeout(t, problems)?),
                None => None,
            };
            let on_approve = need(raw.on_approve, "on_approve", problems);
            let on_reject = need(raw.on_reject, "on_reject", problems);
            ActivityKind::Approval(Approval {
                participants: participants?,
                mode: mode?,
                timeout,
                reason_required_on_reject: raw.reason_required_on_reject,
                content_read_only: raw.content_read_only,
                sign_approve: raw.sign_approve,
                sign_deny: raw.sign_deny,
                on_approve: on_approve?,
                on_reject: on_reject?,
                on_timeout: raw.on_timeout.map(|t| ActivityId(t.into_inner())),
            })
        }
        "email" => {
            let to = match raw.to {
                Some(to) => convert_participants(to, problems),
                None => {
                    problems.at(span.clone(), format!("email activity {id} needs to"));
                    None
                }
            };
            let template = text(raw.template, "template", problems);
            ActivityKind::Email {
                next: single_next(raw.next, problems)?,
                to: to?,
                template: template?,
            }
        }
        "mapping" => {
            if raw.assign.is_empty() {
                problems.at(
                    span.clone(),
                    format!("mapping activity {id} needs at least one assign"),
                );
            }
            ActivityKind::Mapping {
                assignments: assignments(raw.assign),
                next: single_next(raw.next, problems)?,
            }
        }
        "condition" => {
            let expression = text(raw.expression, "expression", problems);
            let when_true = need(raw.when_true, "when_true", problems);
            let when_false = need(raw.when_false, "when_false", problems);
            ActivityKind::Condition {
                expression: expression?,
                when_true: when_true?,
                when_false: when_false?,
            }
        }
        "branch" => match raw.next.map(Spanned::into_inner) {
            Some(OneOrMany::Many(targets)) if targets.len() >= 2 => ActivityKind::Branch {
                next: targets.into_iter().map(ActivityId).collect(),
            },
            _ => {
                problems.at(
                    span.clone(),
                    format!("branch {id} needs next = [at least two activities]"),
                );
                return None;
            }
        },
        "merge" => ActivityKind::Merge {
            next: single_next(raw.next, problems)?,
        },
        "status" => {
            let state = match raw.application_state.as_deref() {
                Some("ACCEPTED") | Some("approved") => Some(ApplicationState::Accepted),
                Some("REJECTED") | Some("denied") => Some(ApplicationState::Rejected),
                other => {
                    problems.at(
                        span.clone(),
                        format!("status {id}: application_state must be ACCEPTED or REJECTED, not {other:?}"),
                    );
                    None
                }
            };
            ActivityKind::Status {
                next: single_next(raw.next, problems)?,
                application_state: state?,
            }
        }
        "log" => {
            let message = text(raw.message, "message", problems);
            ActivityKind::Log {
                next: single_next(raw.next, problems)?,
                message: message?,
            }
        }
        "entity" => {
            if raw.assign.is_empty() {
                problems.at(
                    span.clone(),
                    format!("entity activity {id} needs at least one assign"),
                );
            }
            ActivityKind::Entity {
                changes: assignments(raw.assign),
                next: single_next(raw.next, problems)?,
            }
        }
        "entitlement" => {
            let entitlement = text(raw.entitlement, "entitlement", problems);
            let grant = grant(raw.action, problems);
            ActivityKind::Entitlement {
                next: single_next(raw.next, problems)?,
                entitlement: entitlement?,
                grant: grant?,
            }
        }
        "role_request" => {
            let role = text(raw.role, "role", problems);
            let grant = grant(raw.action, problems);
            ActivityKind::RoleRequest {
                next: single_next(raw.next, problems)?,
                role: role?,
                grant: grant?,
            }
        }
        "resource_request" => {
            let resource = text(raw.resource, "resource", problems);
            let grant = grant(raw.action, problems);
            ActivityKind::ResourceRequest {
                next: single_next(raw.next, problems)?,
                resource: resource?,
                grant: grant?,
            }
        }
        "rest" => {
            let url = text(raw.url, "url", problems);
            let method = raw.method.unwrap_or_else(|| "GET".into()).to_uppercase();
            if !["GET", "POST", "PUT", "PATCH", "DELETE"].contains(&method.as_str()) {
                problems.at(
                    span.clone(),
                    format!("rest {id}: unsupported method {method}"),
                );
            }
            ActivityKind::Rest {
                next: single_next(raw.next, problems)?,
                url: url?,
                method,
                response_mapping: assignments(raw.assign),
            }
        }
        "external" => {
            let system = text(raw.system, "system", problems);
            ActivityKind::External {
                next: single_next(raw.next, problems)?,
                system: system?,
            }
        }
        "activation" => ActivityKind::Activation {
            next: single_next(raw.next, problems)?,
        },
        "certification" => {
            let participants = match raw.participants {
                Some(p) => convert_participants(p, problems),
                None => {
                    problems.at(span.clone(), format!("certification {id} has no way to find its certifier: give participants"));
                    None
                }
            };
            ActivityKind::Certification {
                next: single_next(raw.next, problems)?,
                participants: participants?,
            }
        }
        "finish" => {
            if raw.next.is_some() {
                problems.at(
                    span.clone(),
                    format!("finish {id} ends the workflow and takes no next"),
                );
            }
            ActivityKind::Finish
        }
        other => {
            problems.at(type_span, format!("activity {id}: unknown type {other:?}"));
            return None;
        }
    };
    check_expressions(&id, &kind, span, problems);
    Some(Activity {
        id,
        title: Localized(raw.title),
        kind,
    })
}

/// Every expression must parse and name only known variables and functions, and every
/// mapping target must be a flowdata path, so mistakes surface at deploy.
fn check_expressions(
    id: &ActivityId,
    kind: &ActivityKind,
    span: Range<usize>,
    problems: &mut Problems,
) {
    let check = |expression: &str, problems: &mut Problems| {
        if let Err(error) = Expression::parse(expression, STANDARD_LOOKUPS) {
            problems.at(
                span.clone(),
                format!("activity {id}: expression {expression:?}: {error}"),
            );
        }
    };
    match kind {
        ActivityKind::Condition { expression, .. } => check(expression, problems),
        ActivityKind::Mapping { assignments, .. }
        | ActivityKind::Rest {
            response_mapping: assignments,
            ..
        } => {
            for assignment in assignments {
                check(&assignment.expression, problems);
                if let Err(error) = FlowPath::parse(&assignment.target) {
                    problems.at(span.clone(), format!("activity {id}: {error}"));
                }
            }
        }
        ActivityKind::Entity { changes, .. } => {
            for change in changes {
                check(&change.expression, problems);
            }
        }
        _ => {}
    }
}
