//! Data that travels between the server and the pages.

use serde::{Deserialize, Serialize};

use crate::model::{SessionUser, WorkItemRef, WorkflowId};

/// What the frame around every page needs: who is logged in and how much awaits them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShellInfo {
    pub user: SessionUser,
    pub open_work_items: u32,
}

/// The admin overview: figures about the directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminOverview {
    pub users: u64,
    pub disabled_users: u64,
    pub departments: u64,
    pub catalog_items: u64,
    pub running_workflows: u64,
    pub definitions: Vec<DefinitionLine>,
    pub recent_audit: Vec<AuditLine>,
    /// The external workflow engines `external` activities hand off to.
    pub engines: Vec<EngineLine>,
    /// What needs an administrator, and workflows by state and definition.
    pub attention: crate::model::instances::Attention,
}

/// An external workflow engine as the portal last saw it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EngineLine {
    pub name: String,
    /// `prefect` or `callback`.
    pub kind: String,
    /// `up`, `down` or `unknown` (not asked yet).
    pub state: String,
    pub waiting: u64,
    pub checked_at: Option<String>,
    pub last_error: Option<String>,
}

/// The newest version of a deployed workflow definition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DefinitionLine {
    pub path: String,
    pub name: String,
    pub version: i32,
    pub deployed_at: String,
    pub deployed_by: Option<String>,
}

/// What deploying a definition did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeployResult {
    pub path: String,
    pub version: i32,
    pub changed: bool,
}

pub use crate::model::instances::AuditLine;

/// Which of the signed-in user's open items to show, and in which order. Every field
/// comes from the worklist page's query string, so a filtered view is a link.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorklistFilter {
    /// Words searched in the request's business fields, subject, items and requester.
    #[serde(default)]
    pub q: Option<String>,
    /// A definition path.
    #[serde(default)]
    pub definition: Option<String>,
    #[serde(default)]
    pub requester: Option<String>,
    #[serde(default)]
    pub subject: Option<String>,
    /// personal, pool or claimed.
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub overdue: bool,
    /// due (default), oldest, newest or requester.
    #[serde(default)]
    pub sort: Option<String>,
    /// From 1.
    #[serde(default)]
    pub page: Option<u32>,
}

impl WorklistFilter {
    /// The filter as a query string (without the page), for links and for "all matching".
    pub fn to_query(&self) -> String {
        let pairs = [
            ("q", self.q.clone()),
            ("definition", self.definition.clone()),
            ("requester", self.requester.clone()),
            ("subject", self.subject.clone()),
            ("status", self.status.clone()),
            ("overdue", self.overdue.then(|| "true".to_owned())),
            ("sort", self.sort.clone()),
        ];
        pairs
            .into_iter()
            .filter_map(|(key, value)| value.filter(|v| !v.is_empty()).map(|v| (key, v)))
            .map(|(key, value)| format!("{key}={}", encode_query_value(&value)))
            .collect::<Vec<_>>()
            .join("&")
    }
}

pub use crate::model::query::encode_query_value;

/// One page of the worklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorklistPage {
    pub items: Vec<WorkItemLine>,
    /// Items matching the filter, over all pages.
    pub total: u64,
    pub page: u32,
    pub pages: u32,
    /// Definitions to filter by: path and title.
    pub definitions: Vec<(String, String)>,
}

/// An open item in someone's worklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkItemLine {
    pub workflow_id: WorkflowId,
    pub run: u32,
    /// personal, pool (several candidates; claim it to take it) or claimed.
    pub status: String,
    pub overdue: bool,
    pub workflow: String,
    pub step: String,
    pub requester: String,
    pub subject: String,
    pub items: Vec<String>,
    pub waiting_since: String,
    pub due: Option<String>,
}

impl WorkItemLine {
    /// The item this line shows.
    pub fn item(&self) -> WorkItemRef {
        WorkItemRef::new(self.workflow_id.clone(), self.run)
    }
}

/// One of the signed-in user's requests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestLine {
    pub workflow_id: String,
    pub workflow: String,
    pub subject: String,
    pub items: Vec<String>,
    pub state: String,
    pub outcome: Option<String>,
    pub current_steps: Vec<String>,
    pub created: String,
}

/// An open item with everything its approver needs to decide.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkItemDetail {
    pub workflow_id: String,
    pub run: u32,
    /// The workflow's version when loaded: a decision against an older one is a conflict.
    pub version: u64,
    pub workflow: String,
    pub step: String,
    pub requester: String,
    pub subject: String,
    pub items: Vec<String>,
    pub request_fields: Vec<(String, String)>,
    /// Why this user is asked (the rule, a delegation, an escalation).
    pub why_me: String,
    pub reason_required_on_reject: bool,
    pub can_decide: bool,
    /// personal, pool, claimed (by this user) or taken (claimed by someone else).
    pub status: String,
    pub claimed_by: Option<String>,
    pub due: Option<String>,
    /// Segregation-of-duties conflicts found for this request.
    pub conflicts: Vec<String>,
    pub history: Vec<HistoryLine>,
}

/// One step of a request's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryLine {
    pub step: String,
    pub state: String,
    pub started: String,
    pub detail: String,
}

/// A requestable role, resource or entitlement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogLine {
    pub id: i32,
    pub kind: String,
    pub name: String,
    pub category: String,
    pub description: String,
    pub owner: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Catalog {
    pub items: Vec<CatalogLine>,
    pub categories: Vec<String>,
}

/// One field of a request form, as the browser renders it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldView {
    pub name: String,
    pub label: String,
    /// text, long_text, number, date, single_choice, multiple_choice, checkbox, user, role, resource
    pub kind: String,
    pub required: bool,
    pub choices: Vec<String>,
    pub pattern: Option<String>,
    pub min: Option<f64>,
    pub max: Option<f64>,
}

/// The form for requesting one catalog item, from the definition that applies to it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequestForm {
    pub item: CatalogLine,
    pub workflow: String,
    pub fields: Vec<FieldView>,
    /// For whom the user may request: themselves first, then (user name, display name) of
    /// the people they may request for (their reports; anyone for an administrator).
    pub subjects: Vec<(String, String)>,
}

/// Catalog items that go through one workflow definition, with that definition's form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CartGroup {
    pub workflow: String,
    pub items: Vec<CatalogLine>,
    pub fields: Vec<FieldView>,
}

/// The cart: the chosen items grouped by the workflow that approves them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CartView {
    pub groups: Vec<CartGroup>,
    pub subjects: Vec<(String, String)>,
}

/// What submitting the cart gave: one workflow per group. Mistakes (fields named
/// `g{group}_{field}`) come back as `AppError::FormInvalid`, and then nothing starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum CartOutcome {
    Started { workflow_ids: Vec<String> },
}

/// What submitting a request gave (mistakes come back as `AppError::FormInvalid`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum SubmitOutcome {
    Started { workflow_id: String },
}

/// What a bulk decision did: how many items were decided, and why the others were not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkOutcome {
    pub decided: u32,
    pub failed: Vec<BulkFailure>,
}

/// An item a bulk decision could not apply, with the contract's bulkApproval error code
/// (1x activity level, 2x workflow level, 3x participant, 4x invalid workflow ID).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct BulkFailure {
    pub id: String,
    pub name: String,
    pub error_code: u16,
    pub message: String,
}

/// A request as its requester follows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestDetail {
    pub workflow_id: String,
    pub version: u64,
    pub workflow: String,
    pub subject: String,
    pub items: Vec<String>,
    pub state: String,
    pub outcome: Option<String>,
    pub created: String,
    pub can_withdraw: bool,
    pub history: Vec<HistoryLine>,
    /// Where the request's access was sent, and how far each operation got.
    pub provisioning: Vec<crate::model::provisioning::DeliveryLine>,
}

pub use crate::model::users::DelegationLine;

/// The signed-in user's current and planned delegations, both ways.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delegations {
    /// Who stands in for this user.
    pub mine: Vec<DelegationLine>,
    /// For whom this user stands in.
    pub standing_in: Vec<DelegationLine>,
}

/// What a mailed approve or reject link is about, shown before the approver confirms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailDecisionPreview {
    pub workflow: String,
    pub step: String,
    pub requester: String,
    pub subject: String,
    pub items: Vec<String>,
    pub approver: String,
    /// The link approves (else it rejects).
    pub approve: bool,
    pub reason_required: bool,
    /// The item still waits for a decision.
    pub still_open: bool,
}

/// Where a refused request form echoes the chosen "Requested for" (not a field name, so
/// it cannot clash with one).
pub const SUBJECT_ECHO: &str = "@subject";

/// An API token as its screen lists it; the secret itself is never listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenLine {
    pub id: i32,
    pub name: String,
    pub owner: String,
    /// The operations it may call; empty when it may call every operation.
    pub scopes: Vec<String>,
    pub created: String,
    pub created_by: String,
    pub expires: String,
    pub last_used: Option<String>,
    /// `active`, `expired` or `revoked`.
    pub state: String,
}

/// A token just created: the only time its secret is shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewToken {
    pub id: i32,
    pub name: String,
    pub owner: String,
    pub secret: String,
    pub expires: String,
}

/// The API tokens screen: the viewer's tokens (an administrator's: everyone's) and what
/// the form offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokensView {
    pub tokens: Vec<TokenLine>,
    /// Every operation of the Workflow Management Service, for the scopes.
    pub operations: Vec<String>,
    /// Administrators may create tokens for other users (service accounts).
    pub may_choose_owner: bool,
    /// YYYY-MM-DD: the default last day, the first and the last day one may choose.
    pub default_expiry: String,
    pub earliest_expiry: String,
    pub latest_expiry: String,
    /// A token created by a form posted without JavaScript, shown on this one rendering.
    pub created: Option<NewToken>,
}
