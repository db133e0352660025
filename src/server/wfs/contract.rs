//! The contract's shared JSON types: the common parameters, orders, filters, result
//! constraints and the workflow instance as answers show it. Each type is what the
//! handlers deserialize or serialize and, through schemars, what the OpenAPI document
//! says: one definition, so the two cannot disagree.

use assent_engine::runtime::model::{self, Instance, Timestamp};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A workflow ID as the portal makes them (and nothing else can be one).
pub const WORKFLOW_ID_PATTERN: &str = "^[A-Za-z0-9_-]{1,64}$";
/// A user name, as the directory has them.
pub const USER_NAME_PATTERN: &str = "^[A-Za-z0-9._-]{1,64}$";

/// Longest string accepted in a name, id or filter value.
pub const MAX_TEXT: usize = 256;
/// Longest reason or description accepted.
pub const MAX_REASON: usize = 2000;
/// Values one attribute (of the context or of an order) may carry.
pub const MAX_ATTRIBUTE_VALUES: usize = 100;

/// Longest wait (`timeout`) a request may ask for, in milliseconds: under the 30 s after
/// which the server ends any request.
pub const MAX_TIMEOUT_MS: u64 = 25_000;
/// Wait when a request asks to wait but names no `timeout`, in milliseconds.
pub const DEFAULT_TIMEOUT_MS: u64 = 10_000;
/// Default and largest `resultConstraints.range.itemTo`.
pub const DEFAULT_ITEM_TO: u32 = 100;
pub const MAX_ITEM_TO: u32 = 1000;

/// Declares an operation's request type: the contract's common parameters followed by the
/// operation's own, every unknown field refused.
macro_rules! wfs_request {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $(
                $(#[$field_meta:meta])*
                pub $field:ident : $type:ty,
            )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
        #[serde(rename_all = "camelCase", deny_unknown_fields)]
        pub struct $name {
            /// Echoed in the response and in a fault.
            // The handler reads requestID, domain and language before this parsing.
            #[allow(dead_code)]
            #[serde(rename = "requestID", default)]
            #[schemars(length(max = 256))]
            pub request_id: Option<String>,
            /// If present, must be the portal's domain name.
            #[allow(dead_code)]
            #[serde(default)]
            #[schemars(length(max = 256))]
            pub domain: Option<String>,
            /// Language of titles, descriptions and messages (`en`, `de`); default `en`.
            #[allow(dead_code)]
            #[serde(default)]
            #[schemars(length(max = 35))]
            pub language: Option<String>,
            /// How much of each workflow instance the response carries.
            #[serde(default)]
            pub return_data: $crate::server::wfs::contract::ReturnData,
            /// Milliseconds to wait where the operation waits (at most 25000; the server ends
            /// every request after 30 s).
            #[serde(default)]
            #[schemars(range(max = 25000))]
            pub timeout: Option<u64>,
            $(
                $(#[$field_meta])*
                pub $field: $type,
            )*
        }

        impl $crate::server::wfs::contract::CommonParameters for $name {
            fn return_data(&self) -> $crate::server::wfs::contract::ReturnData {
                self.return_data
            }
            fn timeout(&self) -> Option<u64> {
                self.timeout
            }
        }
    };
}
pub(crate) use wfs_request;

/// What every request carries besides its own fields.
pub trait CommonParameters {
    fn return_data(&self) -> ReturnData;
    fn timeout(&self) -> Option<u64>;

    /// The wait asked for, bounded; `DEFAULT_TIMEOUT_MS` when none is named.
    fn wait(&self) -> std::time::Duration {
        std::time::Duration::from_millis(
            self.timeout()
                .unwrap_or(DEFAULT_TIMEOUT_MS)
                .min(MAX_TIMEOUT_MS),
        )
    }
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum ReturnData {
    /// Only the workflow's identifier.
    #[default]
    Identifier,
    /// The workflow with the activities matching the activity filter.
    MatchingActivities,
    /// The workflow with all its activities.
    Everything,
    /// Nothing but the request id.
    Nothing,
}

/// A subject or resource order. Attributes are always lists of values.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Order {
    #[serde(rename = "type")]
    pub order_type: OrderType,
    /// The user name, or the id of the role, resource or entitlement.
    #[serde(rename = "targetID")]
    #[schemars(length(min = 1, max = 256))]
    pub target_id: String,
    /// `user`, `role`, `resource` or `entitlement`.
    #[schemars(length(min = 1, max = 64))]
    pub object_type: String,
    #[serde(default)]
    pub attributes: BTreeMap<String, Vec<String>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum OrderType {
    AddOrder,
    ModifyOrder,
    DeleteOrder,
    InfoOrder,
}

impl From<&model::Order> for Order {
    fn from(order: &model::Order) -> Self {
        Self {
            order_type: match order.order_type {
                model::OrderType::AddOrder => OrderType::AddOrder,
                model::OrderType::ModifyOrder => OrderType::ModifyOrder,
                model::OrderType::DeleteOrder => OrderType::DeleteOrder,
                model::OrderType::InfoOrder => OrderType::InfoOrder,
            },
            target_id: order.target_id.clone(),
            object_type: order.object_type.clone(),
            attributes: order.attributes.clone(),
        }
    }
}

impl From<&Order> for model::Order {
    fn from(order: &Order) -> Self {
        Self {
            order_type: match order.order_type {
                OrderType::AddOrder => model::OrderType::AddOrder,
                OrderType::ModifyOrder => model::OrderType::ModifyOrder,
                OrderType::DeleteOrder => model::OrderType::DeleteOrder,
                OrderType::InfoOrder => model::OrderType::InfoOrder,
            },
            target_id: order.target_id.clone(),
            object_type: order.object_type.clone(),
            attributes: order.attributes.clone(),
        }
    }
}

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

/// A definition named by id (`dn`), by path, or by value assertions on its name.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NameFilter {
    /// The definition's id as listDefinitions returns it.
    #[serde(default)]
    #[schemars(length(max = 256))]
    pub dn: Option<String>,
    /// The definition's path, e.g. `My-Company/Approval/4-Eye-Approval`.
    #[serde(default)]
    #[schemars(length(max = 256))]
    pub path: Option<String>,
    /// The definition's name, exactly (ignoring case).
    #[serde(default)]
    #[schemars(length(max = 256))]
    pub name: Option<String>,
    #[serde(default)]
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

/// A point in time: RFC 3339 (`2026-07-01T00:00:00Z`) or the seed's Z-format
/// (`20260701000000Z`).
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(transparent)]
pub struct Moment(#[schemars(length(max = 40))] pub String);

impl<'de> Deserialize<'de> for Moment {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        parse_moment(&text)
            .map(|_| Moment(text))
            .ok_or_else(|| serde::de::Error::custom("not a time: use RFC 3339 or 20260701000000Z"))
    }
}

pub fn parse_moment(text: &str) -> Option<Timestamp> {
    if let Ok(at) = chrono::DateTime::parse_from_rfc3339(text) {
        return Some(Timestamp(at.timestamp_millis()));
    }
    let digits = text.strip_suffix('Z')?;
    chrono::NaiveDateTime::parse_from_str(digits, "%Y%m%d%H%M%S")
        .ok()
        .map(|at| Timestamp(at.and_utc().timestamp_millis()))
}

impl Moment {
    pub fn at(&self) -> Timestamp {
        parse_moment(&self.0).unwrap_or(Timestamp(0))
    }
}

/// Matches times after, before or exactly at the given moments (all that are given).
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TimestampFilter {
    #[serde(default)]
    pub after: Option<Moment>,
    #[serde(default)]
    pub before: Option<Moment>,
    #[serde(default)]
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

/// RFC 3339 in UTC, as the contract has times.
pub fn time(at: Timestamp) -> String {
    chrono::DateTime::from_timestamp_millis(at.0)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_default()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum WorkflowStateName {
    Initial,
    Running,
    Suspended,
    Succeeded,
    Failed,
    Aborted,
}

impl WorkflowStateName {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Initial => "INITIAL",
            Self::Running => "RUNNING",
            Self::Suspended => "SUSPENDED",
            Self::Succeeded => "SUCCEEDED",
            Self::Failed => "FAILED",
            Self::Aborted => "ABORTED",
        }
    }

    fn of(state: assent_engine::WorkflowState) -> Self {
        use assent_engine::WorkflowState as S;
        match state {
            S::Initial => Self::Initial,
            S::Running => Self::Running,
            S::Suspended => Self::Suspended,
            S::Succeeded => Self::Succeeded,
            S::Failed => Self::Failed,
            S::Aborted => Self::Aborted,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ActivityStateName {
    Initial,
    Runnable,
    Running,
    Succeeded,
    Failed,
    WaitInError,
    Aborted,
}

impl ActivityStateName {
    fn of(state: assent_engine::ActivityState) -> Self {
        use assent_engine::ActivityState as S;
        match state {
            S::Initial => Self::Initial,
            S::Runnable => Self::Runnable,
            S::Running => Self::Running,
            S::Succeeded => Self::Succeeded,
            S::Failed => Self::Failed,
            S::WaitInError => Self::WaitInError,
            S::Aborted => Self::Aborted,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ApplicationStateName {
    Accepted,
    Rejected,
}

/// Which workflows (and which of their activities) a list or worklist keeps. Every
/// element given must match; multi-value assertions match when one value does.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WorkflowInstanceFilter {
    #[serde(rename = "correlationID", default)]
    #[schemars(length(max = 256))]
    pub correlation_id: Option<String>,
    /// The definition's operation (`assign`, `certify`, ...).
    #[serde(default)]
    #[schemars(length(max = 64))]
    pub operation: Option<String>,
    #[serde(default)]
    pub definition_filter: Option<NameFilter>,
    /// User name of the requester.
    #[serde(default)]
    #[schemars(length(max = 64))]
    pub initiator: Option<String>,
    #[serde(default)]
    #[schemars(length(max = 64))]
    pub subject_type: Option<String>,
    #[serde(rename = "subjectID", default)]
    #[schemars(length(max = 256))]
    pub subject_id: Option<String>,
    #[serde(rename = "resourceID", default)]
    #[schemars(length(max = 256))]
    pub resource_id: Option<String>,
    #[serde(default)]
    #[schemars(length(max = 64))]
    pub resource_type: Option<String>,
    #[serde(default)]
    #[schemars(length(max = 64))]
    pub request_workflow_type: Option<String>,
    #[serde(default)]
    pub state: Option<WorkflowStateName>,
    #[serde(default)]
    pub started: Option<TimestampFilter>,
    /// The earliest due date of the workflow's running activities.
    #[serde(default)]
    pub expires: Option<TimestampFilter>,
    /// Error messages of the workflow's activities.
    #[serde(default)]
    pub error: Option<MultiValueAssertion>,
    /// User name of the definition's owner.
    #[serde(default)]
    #[schemars(length(max = 64))]
    pub owner: Option<String>,
    #[serde(default)]
    pub workflow_activity_filter: Option<ActivityFilter>,
}

/// Which activities match. Elements the portal's activities never carry (signatures,
/// categories, retry configuration) match only their absence.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ActivityFilter {
    #[serde(default)]
    pub name_filter: Option<MultiValueAssertion>,
    #[serde(default)]
    pub title: Option<MultiValueAssertion>,
    /// The activity's type (`approval`, `email`, ...).
    #[serde(rename = "type", default)]
    #[schemars(length(max = 64))]
    pub activity_type_name: Option<String>,
    #[serde(default)]
    #[schemars(length(max = 64))]
    pub activity_type: Option<String>,
    /// `approval` for people activities.
    #[serde(default)]
    #[schemars(length(max = 64))]
    pub activity_sub_type: Option<String>,
    #[serde(default)]
    pub due_date_enabled: Option<bool>,
    #[serde(default)]
    pub description: Option<MultiValueAssertion>,
    #[serde(default)]
    pub state: Option<ActivityStateName>,
    #[serde(default)]
    pub application_state: Option<ApplicationStateName>,
    /// User name of a participant.
    #[serde(default)]
    #[schemars(length(max = 64))]
    pub participant: Option<String>,
    #[serde(default)]
    #[schemars(length(max = 64))]
    pub category: Option<String>,
    #[serde(default)]
    pub started: Option<TimestampFilter>,
    #[serde(default)]
    pub expires: Option<TimestampFilter>,
    #[serde(default)]
    pub ended: Option<TimestampFilter>,
    #[serde(default)]
    pub escalation_level: Option<u32>,
    #[serde(default)]
    pub retry_count: Option<u32>,
    #[serde(default)]
    pub retry_limit: Option<u32>,
    #[serde(default)]
    pub last_retry_time: Option<TimestampFilter>,
    #[serde(default)]
    pub wait_before_retry: Option<u32>,
    #[serde(default)]
    pub sign_approve: Option<bool>,
    #[serde(default)]
    pub sign_deny: Option<bool>,
    #[serde(default)]
    pub content_read_only: Option<bool>,
    #[serde(default)]
    pub approval_result: Option<ApplicationStateName>,
    #[serde(default)]
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
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Range {
    /// Deprecated in the seed; accepted and ignored.
    #[serde(default)]
    pub item_from: Option<u32>,
    /// How many results at most (default 100, at most 1000).
    #[serde(default)]
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
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ResultConstraints {
    #[serde(default)]
    pub apply_to: ApplyTo,
    #[serde(default)]
    pub range: Option<Range>,
    /// Applied in order; default: newest started first.
    #[serde(default)]
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

/// One decision of an approval.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DecisionView {
    pub participant: String,
    pub accept: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub time: String,
    /// True when the timeout, not a person, decided.
    pub by_timeout: bool,
}

/// An activity instance as answers show it.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ActivityView {
    /// The activity instance's id within its workflow.
    pub id: String,
    pub name: String,
    /// The activity's type (`start`, `approval`, `email`, ...).
    #[serde(rename = "type")]
    pub activity_type: String,
    pub state: ActivityStateName,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub application_state: Option<ApplicationStateName>,
    pub start_date: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_date: Option<String>,
    /// When a waiting approval times out.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expiration_date: Option<String>,
    /// Who is asked now (user names).
    pub participant: Vec<String>,
    pub decision: Vec<DecisionView>,
    pub escalation_level: u32,
    pub retry_count: u32,
    /// The reason of the decision that concluded the approval.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approval_result: Option<ApplicationStateName>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The definition an instance runs.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct DefinitionRefView {
    pub id: String,
    pub version: u32,
}

/// A workflow instance as answers show it.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct WorkflowInstanceView {
    #[serde(rename = "workflowID")]
    pub workflow_id: String,
    /// The definition's name.
    pub name: String,
    /// The instance's path: the definition's path and the workflow id.
    pub path: String,
    pub definition: DefinitionRefView,
    pub operation: String,
    pub request_workflow_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub state: WorkflowStateName,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub application_state: Option<ApplicationStateName>,
    pub initiator: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject_type: Option<String>,
    #[serde(rename = "subjectID", skip_serializing_if = "Option::is_none")]
    pub subject_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<Order>,
    pub resources: Vec<Order>,
    /// The workflow's context attributes.
    pub context: BTreeMap<String, Vec<String>>,
    #[serde(rename = "correlationID", skip_serializing_if = "Option::is_none")]
    pub correlation_id: Option<String>,
    pub start_date: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_date: Option<String>,
    /// The earliest due date of its running activities.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expiration_date: Option<String>,
    pub activity: Vec<ActivityView>,
}

/// What a workflow's definition adds to its view (name, operation, ...).
pub struct DefinitionFacts<'a> {
    pub name: &'a str,
    pub operation: &'a str,
    pub request_workflow_type: &'a str,
    pub owner: &'a str,
    pub description: Option<String>,
}

/// Flowdata values under `context/` as the contract's attribute lists.
pub fn context_of(instance: &Instance) -> BTreeMap<String, Vec<String>> {
    instance
        .flowdata
        .top_level()
        .get("context")
        .map(|node| {
            node.children
                .iter()
                .map(|(name, child)| {
                    (
                        name.clone(),
                        child.values.iter().map(|v| v.as_text()).collect(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

pub fn activity_view(run: &model::ActivityRun) -> ActivityView {
    let approval = run.approval.as_ref();
    let result = approval.and_then(|a| a.outcome).map(|v| match v {
        model::Verdict::Approve => ApplicationStateName::Accepted,
        model::Verdict::Reject => ApplicationStateName::Rejected,
    });
    let concluding_reason = approval.and_then(|a| {
        let outcome = a.outcome?;
        a.decisions
            .iter()
            .rev()
            .find(|d| d.verdict == outcome)
            .and_then(|d| d.reason.clone())
    });
    ActivityView {
        id: run.seq.to_string(),
        name: run.activity.0.clone(),
        activity_type: run.activity_type.clone(),
        state: ActivityStateName::of(run.state),
        application_state: result,
        start_date: time(run.started_at),
        end_date: run.ended_at.map(time),
        expiration_date: approval
            .filter(|_| run.state == assent_engine::ActivityState::Running)
            .and_then(|a| a.due_at)
            .map(time),
        participant: approval
            .map(|a| {
                a.waiting_on()
                    .into_iter()
                    .map(|p| p.user.to_string())
                    .collect()
            })
            .unwrap_or_default(),
        decision: approval
            .map(|a| {
                a.decisions
                    .iter()
                    .map(|d| DecisionView {
                        participant: d.user.to_string(),
                        accept: d.verdict == model::Verdict::Approve,
                        reason: d.reason.clone(),
                        time: time(d.at),
                        by_timeout: d.by_timeout,
                    })
                    .collect()
            })
            .unwrap_or_default(),
        escalation_level: approval.map(|a| a.escalations).unwrap_or(0),
        retry_count: approval.map(|a| a.reminders).unwrap_or(0),
        reason: concluding_reason,
        approval_result: result,
        error: run.error.clone(),
    }
}

/// The earliest due date of the running approvals.
pub fn expiration_of(instance: &Instance) -> Option<Timestamp> {
    instance
        .runs
        .iter()
        .filter(|r| r.state == assent_engine::ActivityState::Running)
        .filter_map(|r| r.approval.as_ref()?.due_at)
        .min()
}

pub fn instance_view(
    instance: &Instance,
    facts: &DefinitionFacts<'_>,
    keep: impl Fn(&model::ActivityRun) -> bool,
) -> WorkflowInstanceView {
    WorkflowInstanceView {
        workflow_id: instance.id.clone(),
        name: facts.name.to_owned(),
        path: format!("{}/{}", instance.definition.id, instance.id),
        definition: DefinitionRefView {
            id: instance.definition.id.clone(),
            version: instance.definition.version,
        },
        operation: facts.operation.to_owned(),
        request_workflow_type: facts.request_workflow_type.to_owned(),
        description: assent_engine::flowdata::FlowPath::parse(
            assent_engine::runtime::DESCRIPTION_PATH,
        )
        .ok()
        .and_then(|path| instance.flowdata.get(&path).first().map(|v| v.as_text()))
        .or_else(|| facts.description.clone()),
        state: WorkflowStateName::of(instance.state),
        application_state: instance.application_state.map(|s| match s {
            assent_engine::ApplicationState::Accepted => ApplicationStateName::Accepted,
            assent_engine::ApplicationState::Rejected => ApplicationStateName::Rejected,
        }),
        initiator: instance.initiator.to_string(),
        subject_type: instance.subject.as_ref().map(|s| s.object_type.clone()),
        subject_id: instance.subject.as_ref().map(|s| s.target_id.clone()),
        subject: instance.subject.as_ref().map(Order::from),
        resources: instance.resources.iter().map(Order::from).collect(),
        context: context_of(instance),
        correlation_id: instance.correlation_id.clone(),
        start_date: time(instance.created_at),
        end_date: instance.ended_at.map(time),
        expiration_date: expiration_of(instance).map(time),
        activity: instance
            .runs
            .iter()
            .filter(|r| keep(r))
            .map(activity_view)
            .collect(),
    }
}

impl ActivityFilter {
    pub fn matches(&self, run: &model::ActivityRun) -> bool {
        let view = activity_view(run);
        let approval = run.approval.as_ref();
        let text = |wanted: &Option<String>, actual: &str| {
            wanted
                .as_deref()
                .is_none_or(|w| w.eq_ignore_ascii_case(actual))
        };
        let absent = |wanted: &Option<bool>| wanted.is_none_or(|w| !w);
        let at = |text: &Option<String>| text.as_deref().and_then(parse_moment);
        self.name_filter
            .as_ref()
            .is_none_or(|f| f.matches_any([view.name.as_str()]))
            && self
                .title
                .as_ref()
                .is_none_or(|f| f.matches_any([view.name.as_str()]))
            && text(&self.activity_type_name, &view.activity_type)
            && text(&self.activity_type, &view.activity_type)
            && self
                .activity_sub_type
                .as_deref()
                .is_none_or(|w| approval.is_some() && w.eq_ignore_ascii_case("approval"))
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
        let text = |wanted: &Option<String>, actual: &str| {
            wanted
                .as_deref()
                .is_none_or(|w| w.eq_ignore_ascii_case(actual))
        };
        let subject = instance.subject.as_ref();
        self.correlation_id
            .as_deref()
            .is_none_or(|c| instance.correlation_id.as_deref() == Some(c))
            && text(&self.operation, facts.operation)
            && self
                .definition_filter
                .as_ref()
                .is_none_or(|f| f.matches(&instance.definition.id, facts.name))
            && self
                .initiator
                .as_deref()
                .is_none_or(|i| instance.initiator.as_str() == i)
            && text(
                &self.subject_type,
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
            && self.resource_type.as_deref().is_none_or(|t| {
                instance
                    .resources
                    .iter()
                    .any(|x| x.object_type.eq_ignore_ascii_case(t))
            })
            && text(&self.request_workflow_type, facts.request_workflow_type)
            && self
                .state
                .is_none_or(|s| s == WorkflowStateName::of(instance.state))
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

/// A workflow as `returnData` asks: its id, the instance (all activities or the
/// matching ones), or nothing.
#[derive(Debug, Default, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct InstanceAnswer {
    #[serde(rename = "workflowID", skip_serializing_if = "Option::is_none")]
    pub workflow_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workflow_instance: Option<WorkflowInstanceView>,
}

impl InstanceAnswer {
    pub fn new(
        return_data: ReturnData,
        instance: &Instance,
        facts: &DefinitionFacts<'_>,
        activities: Option<&ActivityFilter>,
    ) -> Self {
        match return_data {
            ReturnData::Nothing => Self::default(),
            ReturnData::Identifier => Self {
                workflow_id: Some(instance.id.clone()),
                workflow_instance: None,
            },
            ReturnData::Everything => Self {
                workflow_id: None,
                workflow_instance: Some(instance_view(instance, facts, |_| true)),
            },
            ReturnData::MatchingActivities => Self {
                workflow_id: None,
                workflow_instance: Some(instance_view(instance, facts, |run| {
                    activities.is_none_or(|f| f.matches(run))
                })),
            },
        }
    }
}

/// Checks one context attribute of a request (`field` names where, as `context` or
/// `workflow.context`): its name must be one flowdata name, as the engine keeps it under
/// `context/<name>`, and its values are bounded.
pub fn check_context_attribute(
    field: &str,
    name: &str,
    values: &[String],
) -> Result<(), super::Failure> {
    use super::Failure;
    let valid = name.len() <= 64
        && !name.contains('/')
        && assent_engine::flowdata::FlowPath::parse(name).is_ok();
    if !valid {
        return Err(Failure::invalid(format!(
            "{field}: attribute names have 1 to 64 letters, digits, '_' or '-' ({:?} has not)",
            name.chars().take(64).collect::<String>()
        )));
    }
    if values.len() > MAX_ATTRIBUTE_VALUES {
        return Err(Failure::invalid(format!(
            "{field}.{name}: at most {MAX_ATTRIBUTE_VALUES} values"
        )));
    }
    if values.iter().any(|v| v.chars().count() > MAX_REASON) {
        return Err(Failure::invalid(format!(
            "{field}.{name}: at most {MAX_REASON} characters"
        )));
    }
    Ok(())
}
