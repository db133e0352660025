//! What list requests select and sort by: value assertions, name and time filters, the
//! workflow and activity filters, and the result constraints.

use super::views::{activity_view, expiration_of, DefinitionFacts};
use super::{
    parse_moment, ActivityState, ApplicationState, Moment, WorkflowState, DEFAULT_ITEM_TO,
    MAX_ITEM_TO,
};
use assent_engine::runtime::model::{self, Instance, Timestamp};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum MatchOperation {
    Equals,
    StartsWith,
    EndsWith,
    Contains,
}

/// One value compared with an attribute, ignoring case.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ValueAssertion {
    #[schemars(length(max = 256))]
    pub value: String,
    #[serde(default = "equals")]
    pub match_operation: MatchOperation,
}

fn equals() -> MatchOperation {
    MatchOperation::Equals
}

impl ValueAssertion {
    pub fn matches(&self, text: &str) -> bool {
        let (text, value) = (text.to_lowercase(), self.value.to_lowercase());
        match self.match_operation {
            MatchOperation::Equals => text == value,
            MatchOperation::StartsWith => text.starts_with(&value),
            MatchOperation::EndsWith => text.ends_with(&value),
            MatchOperation::Contains => text.contains(&value),
        }
    }
}

/// Several assertions, fulfilled when at least one is (OR, as in the seed).
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MultiValueAssertion {
    #[schemars(length(max = 50))]
    pub value_assertion: Vec<ValueAssertion>,
}

impl MultiValueAssertion {
    /// True when one assertion matches one of `texts`; an empty list of assertions
    /// matches everything.
    pub fn matches_any<'a>(&self, texts: impl IntoIterator<Item = &'a str> + Clone) -> bool {
        self.value_assertion.is_empty()
            || self
                .value_assertion
                .iter()
                .any(|a| texts.clone().into_iter().any(|t| a.matches(t)))
    }
}

/// A value a filter asks an attribute to have (a definition's operation, a subject or
/// resource type, an activity's type), compared ignoring ASCII case.
// Inlined where used and without a description of its own, so the document shows each
// such field as the string of at most 64 characters it is, described by the field.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(transparent)]
#[schemars(inline, description = "")]
pub struct Criterion(#[schemars(length(max = 64))] String);

impl Criterion {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether `actual` is the value asked for.
    pub fn matches(&self, actual: &str) -> bool {
        self.0.eq_ignore_ascii_case(actual)
    }

    /// Whether `actual` passes a criterion that may not be given: anything passes none.
    pub fn admits(wanted: Option<&Self>, actual: &str) -> bool {
        wanted.is_none_or(|w| w.matches(actual))
    }
}

impl From<String> for Criterion {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl From<&str> for Criterion {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

impl From<Criterion> for String {
    fn from(criterion: Criterion) -> Self {
        criterion.0
    }
}

/// A definition named by id (`dn`), by path, or by value assertions on its name.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct NameFilter {
    /// The definition's id as listDefinitions returns it.
    #[schemars(length(max = 256))]
    pub dn: Option<String>,
    /// The definition's path, e.g. `My-Company/Approval/4-Eye-Approval`.
    #[schemars(length(max = 256))]
    pub path: Option<String>,
    /// The definition's name, exactly (ignoring case).
    #[schemars(length(max = 256))]
    pub name: Option<String>,
    #[schemars(length(max = 50))]
    pub value_assertion: Option<Vec<ValueAssertion>>,
}

impl NameFilter {
    pub fn matches(&self, path: &str, name: &str) -> bool {
        self.dn.as_deref().is_none_or(|id| id == path)
            && self.path.as_deref().is_none_or(|p| p == path)
            && self
                .name
                .as_deref()
                .is_none_or(|n| n.eq_ignore_ascii_case(name))
            && self
                .value_assertion
                .as_ref()
                .is_none_or(|all| all.iter().all(|a| a.matches(name)))
    }
}

/// Matches times after, before or exactly at the given moments (all that are given).
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct TimestampFilter {
    pub after: Option<Moment>,
    pub before: Option<Moment>,
    pub at: Option<Moment>,
}

impl TimestampFilter {
    /// A missing time matches only a filter that asks nothing.
    pub fn matches(&self, time: Option<Timestamp>) -> bool {
        let asks = self.after.is_some() || self.before.is_some() || self.at.is_some();
        let Some(time) = time else { return !asks };
        // Seconds are the contract's resolution.
        let second = |t: Timestamp| t.0.div_euclid(1000);
        self.after.as_ref().is_none_or(|m| time > m.at())
            && self.before.as_ref().is_none_or(|m| time < m.at())
            && self
                .at
                .as_ref()
                .is_none_or(|m| second(time) == second(m.at()))
    }
}

/// Which workflows (and which of their activities) a list or worklist keeps. Every
/// element given must match; multi-value assertions match when one value does.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct WorkflowInstanceFilter {
    #[serde(rename = "correlationID")]
    #[schemars(length(max = 256))]
    pub correlation_id: Option<String>,
    /// The definition's operation (`assign`, `certify`, ...).
    pub operation: Option<Criterion>,
    pub definition_filter: Option<NameFilter>,
    /// User name of the requester.
    #[schemars(length(max = 64))]
    pub initiator: Option<String>,
    pub subject_type: Option<Criterion>,
    #[serde(rename = "subjectID")]
    #[schemars(length(max = 256))]
    pub subject_id: Option<String>,
    #[serde(rename = "resourceID")]
    #[schemars(length(max = 256))]
    pub resource_id: Option<String>,
    pub resource_type: Option<Criterion>,
    pub request_workflow_type: Option<Criterion>,
    pub state: Option<WorkflowState>,
    pub started: Option<TimestampFilter>,
    /// The earliest due date of the workflow's running activities.
    pub expires: Option<TimestampFilter>,
    /// Error messages of the workflow's activities.
    pub error: Option<MultiValueAssertion>,
    /// User name of the definition's owner.
    #[schemars(length(max = 64))]
    pub owner: Option<String>,
    pub workflow_activity_filter: Option<ActivityFilter>,
}

/// Which activities match. Elements the portal's activities never carry (signatures,
/// categories, retry configuration) match only their absence.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct ActivityFilter {
    pub name_filter: Option<MultiValueAssertion>,
    pub title: Option<MultiValueAssertion>,
    /// The activity's type (`approval`, `email`, ...).
    #[serde(rename = "type")]
    pub activity_type_name: Option<Criterion>,
    pub activity_type: Option<Criterion>,
    /// `approval` for people activities.
    pub activity_sub_type: Option<Criterion>,
    pub due_date_enabled: Option<bool>,
    pub description: Option<MultiValueAssertion>,
    pub state: Option<ActivityState>,
    pub application_state: Option<ApplicationState>,
    /// User name of a participant.
    #[schemars(length(max = 64))]
    pub participant: Option<String>,
    #[schemars(length(max = 64))]
    pub category: Option<String>,
    pub started: Option<TimestampFilter>,
    pub expires: Option<TimestampFilter>,
    pub ended: Option<TimestampFilter>,
    pub escalation_level: Option<u32>,
    pub retry_count: Option<u32>,
    pub retry_limit: Option<u32>,
    pub last_retry_time: Option<TimestampFilter>,
    pub wait_before_retry: Option<u32>,
    pub sign_approve: Option<bool>,
    pub sign_deny: Option<bool>,
    pub content_read_only: Option<bool>,
    pub approval_result: Option<ApplicationState>,
    pub reason: Option<MultiValueAssertion>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum ApplyTo {
    /// `itemTo` counts workflows.
    #[default]
    Workflows,
    /// `itemTo` counts activities.
    Activities,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct Range {
    /// Deprecated in the seed; accepted and ignored.
    pub item_from: Option<u32>,
    /// How many results at most (default 100, at most 1000).
    #[schemars(range(min = 1, max = 1000))]
    pub item_to: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum SortKey {
    StartDate,
    EndDate,
    ExpirationDate,
    State,
    Name,
    Initiator,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SortCriterion {
    pub attribute: SortKey,
    #[serde(default)]
    pub reverse: bool,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct ResultConstraints {
    pub apply_to: ApplyTo,
    pub range: Option<Range>,
    /// Applied in order; default: newest started first.
    #[schemars(length(max = 6))]
    pub sort_criteria: Vec<SortCriterion>,
}

impl ResultConstraints {
    pub fn item_to(&self) -> usize {
        self.range
            .as_ref()
            .and_then(|r| r.item_to)
            .unwrap_or(DEFAULT_ITEM_TO)
            .clamp(1, MAX_ITEM_TO) as usize
    }
}

impl ActivityFilter {
    pub fn matches(&self, run: &model::ActivityRun) -> bool {
        let view = activity_view(run);
        let approval = run.approval.as_ref();
        let absent = |wanted: &Option<bool>| wanted.is_none_or(|w| !w);
        let at = |text: &Option<String>| text.as_deref().and_then(parse_moment);
        self.name_filter
            .as_ref()
            .is_none_or(|f| f.matches_any([view.name.as_str()]))
            && self
                .title
                .as_ref()
                .is_none_or(|f| f.matches_any([view.name.as_str()]))
            && Criterion::admits(self.activity_type_name.as_ref(), &view.activity_type)
            && Criterion::admits(self.activity_type.as_ref(), &view.activity_type)
            && self
                .activity_sub_type
                .as_ref()
                .is_none_or(|w| approval.is_some() && w.matches("approval"))
            && self
                .due_date_enabled
                .is_none_or(|w| w == approval.is_some_and(|a| a.due_at.is_some()))
            && self
                .description
                .as_ref()
                .is_none_or(|f| f.value_assertion.is_empty())
            && self.state.is_none_or(|s| s == view.state)
            && self
                .application_state
                .is_none_or(|s| Some(s) == view.application_state)
            && self.participant.as_deref().is_none_or(|p| {
                approval.is_some_and(|a| a.participants.iter().any(|x| x.user.as_str() == p))
            })
            && self.category.is_none()
            && self
                .started
                .as_ref()
                .is_none_or(|f| f.matches(Some(run.started_at)))
            && self
                .expires
                .as_ref()
                .is_none_or(|f| f.matches(at(&view.expiration_date)))
            && self.ended.as_ref().is_none_or(|f| f.matches(run.ended_at))
            && self
                .escalation_level
                .is_none_or(|l| l == view.escalation_level)
            && self.retry_count.is_none_or(|c| c == view.retry_count)
            && self.retry_limit.is_none()
            && self
                .last_retry_time
                .as_ref()
                .is_none_or(|f| f.matches(None))
            && self.wait_before_retry.is_none()
            && absent(&self.sign_approve)
            && absent(&self.sign_deny)
            && absent(&self.content_read_only)
            && self
                .approval_result
                .is_none_or(|r| Some(r) == view.approval_result)
            && self.reason.as_ref().is_none_or(|f| {
                f.matches_any(
                    view.decision
                        .iter()
                        .filter_map(|d| d.reason.as_deref())
                        .collect::<Vec<_>>(),
                )
            })
    }
}

impl WorkflowInstanceFilter {
    /// Everything but the activity filter, which callers apply to each activity.
    pub fn matches(&self, instance: &Instance, facts: &DefinitionFacts<'_>) -> bool {
        let subject = instance.subject.as_ref();
        self.correlation_id
            .as_deref()
            .is_none_or(|c| instance.correlation_id.as_deref() == Some(c))
            && Criterion::admits(self.operation.as_ref(), facts.operation)
            && self
                .definition_filter
                .as_ref()
                .is_none_or(|f| f.matches(&instance.definition.id, facts.name))
            && self
                .initiator
                .as_deref()
                .is_none_or(|i| instance.initiator.as_str() == i)
            && Criterion::admits(
                self.subject_type.as_ref(),
                subject.map(|s| s.object_type.as_str()).unwrap_or(""),
            )
            && self
                .subject_id
                .as_deref()
                .is_none_or(|s| subject.is_some_and(|x| x.target_id == s))
            && self
                .resource_id
                .as_deref()
                .is_none_or(|r| instance.resources.iter().any(|x| x.target_id == r))
            && self
                .resource_type
                .as_ref()
                .is_none_or(|t| instance.resources.iter().any(|x| t.matches(&x.object_type)))
            && Criterion::admits(
                self.request_workflow_type.as_ref(),
                facts.request_workflow_type,
            )
            && self.state.is_none_or(|s| s == instance.state)
            && self
                .started
                .as_ref()
                .is_none_or(|f| f.matches(Some(instance.created_at)))
            && self
                .expires
                .as_ref()
                .is_none_or(|f| f.matches(expiration_of(instance)))
            && self.error.as_ref().is_none_or(|f| {
                f.matches_any(
                    instance
                        .runs
                        .iter()
                        .filter_map(|r| r.error.as_deref())
                        .collect::<Vec<_>>(),
                )
            })
            && self.owner.as_deref().is_none_or(|o| o == facts.owner)
    }
}
