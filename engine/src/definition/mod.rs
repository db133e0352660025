//! Workflow definitions: what a request goes through, written by people in TOML, one file
//! per definition, and checked before anything runs it.
//!
//! Parsing produces a [`Definition`] only if the file is sound: every reference resolves,
//! every activity is reachable and can reach a finish, every branch meets a merge, and
//! every approval can find its participants. Otherwise the errors name file, line and
//! problem, and nothing changes.

mod applicable;
mod graph;
pub mod layout;
mod raw;
pub(crate) use raw::Problems;
mod rest_path;
mod starters;

use crate::{ApplicationState, UserName};
use std::collections::BTreeMap;
use std::fmt;

pub use applicable::{applicable, RequestFacts};
pub use raw::parse;
pub use rest_path::{encode_segment, path_parts, PathPart, RESPONSE_VARIABLE};
pub use starters::Starter;

/// A text in several languages, keyed by language code (`en`, `de`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Localized(pub BTreeMap<String, String>);

impl Localized {
    /// The text in `language`, else English, else any.
    pub fn get(&self, language: &str) -> &str {
        self.0
            .get(language)
            .or_else(|| self.0.get("en"))
            .or_else(|| self.0.values().next())
            .map(String::as_str)
            .unwrap_or_default()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Definition {
    pub name: String,
    /// `My-Company/Approval/4-Eye-Approval`
    pub path: String,
    pub title: Localized,
    pub description: Localized,
    pub operation: String,
    pub subject_type: String,
    pub resource_type: String,
    pub request_workflow_type: String,
    pub owner: UserName,
    /// Who may start it (`starters`); never empty. Absent in the file: `self`, `manager`
    /// and `admin` ([`Starter::DEFAULT`]).
    pub starters: Vec<Starter>,
    pub applicability: Vec<Criterion>,
    pub form: Vec<FormField>,
    /// In file order; the first is the start activity.
    pub activities: Vec<Activity>,
}

impl Definition {
    pub fn activity(&self, id: &ActivityId) -> Option<&Activity> {
        self.activities.iter().find(|a| &a.id == id)
    }

    pub fn start(&self) -> &Activity {
        &self.activities[0]
    }
}

/// A "when applicable" criterion: an attribute of the initiator, subject or resource that
/// must match for the definition to be chosen when a request names none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Criterion {
    pub of: Party,
    pub attribute: String,
    pub matching: Match,
    pub value: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Match {
    Equals,
    StartsWith,
    EndsWith,
    Contains,
}

impl Match {
    pub fn matches(self, candidate: &str, value: &str) -> bool {
        match self {
            Match::Equals => candidate == value,
            Match::StartsWith => candidate.starts_with(value),
            Match::EndsWith => candidate.ends_with(value),
            Match::Contains => candidate.contains(value),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Party {
    Initiator,
    Subject,
    Resource,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FormField {
    pub name: String,
    pub label: Localized,
    pub kind: FieldKind,
    pub required: bool,
    pub read_only: bool,
    pub pattern: Option<String>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    /// An expression giving the initial value.
    pub default: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldKind {
    Text,
    LongText,
    Number,
    Date,
    SingleChoice(Vec<String>),
    MultipleChoice(Vec<String>),
    Checkbox,
    UserPicker,
    RolePicker,
    ResourcePicker,
}

#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct ActivityId(pub String);

impl fmt::Display for ActivityId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Activity {
    pub id: ActivityId,
    pub title: Localized,
    pub kind: ActivityKind,
}

impl Activity {
    /// Where control may go from here, in a stable order.
    pub fn successors(&self) -> Vec<&ActivityId> {
        match &self.kind {
            ActivityKind::Finish => vec![],
            ActivityKind::Branch { next } => next.iter().collect(),
            ActivityKind::Condition {
                when_true,
                when_false,
                ..
            } => vec![when_true, when_false],
            ActivityKind::External(external) => {
                let mut targets = vec![&external.next];
                if let Some(on_failure) = &external.on_failure {
                    targets.push(on_failure);
                }
                targets
            }
            ActivityKind::Approval(approval) => {
                let mut targets = vec![&approval.on_approve, &approval.on_reject];
                if let Some(on_timeout) = &approval.on_timeout {
                    targets.push(on_timeout);
                }
                targets
            }
            ActivityKind::Start { next }
            | ActivityKind::Merge { next }
            | ActivityKind::Mapping { next, .. }
            | ActivityKind::Status { next, .. }
            | ActivityKind::Log { next, .. }
            | ActivityKind::Email { next, .. }
            | ActivityKind::Entity { next, .. }
            | ActivityKind::Entitlement { next, .. }
            | ActivityKind::RoleRequest { next, .. }
            | ActivityKind::ResourceRequest { next, .. }
            | ActivityKind::Rest { next, .. }
            | ActivityKind::Activation { next }
            | ActivityKind::Certification { next, .. } => vec![next],
        }
    }

    pub fn type_name(&self) -> &'static str {
        self.kind.type_name()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum ActivityKind {
    Start {
        next: ActivityId,
    },
    Approval(Approval),
    Email {
        to: Participants,
        template: String,
        next: ActivityId,
    },
    Mapping {
        assignments: Vec<Assignment>,
        next: ActivityId,
    },
    Condition {
        expression: String,
        when_true: ActivityId,
        when_false: ActivityId,
    },
    Branch {
        next: Vec<ActivityId>,
    },
    Merge {
        next: ActivityId,
    },
    Status {
        application_state: ApplicationState,
        next: ActivityId,
    },
    Log {
        message: String,
        next: ActivityId,
    },
    Entity {
        changes: Vec<Assignment>,
        next: ActivityId,
    },
    Entitlement {
        grant: bool,
        entitlement: String,
        next: ActivityId,
    },
    RoleRequest {
        role: String,
        grant: bool,
        next: ActivityId,
    },
    ResourceRequest {
        resource: String,
        grant: bool,
        next: ActivityId,
    },
    /// Calls an endpoint named in the portal's integrations file and maps its answer.
    Rest {
        /// The endpoint's name in the integrations file.
        endpoint: String,
        /// `GET`, `POST`, `PUT`, `PATCH` or `DELETE`.
        method: String,
        /// Appended to the endpoint's base URL; `{expression}` placeholders are filled
        /// from flowdata, each value percent-encoded as one segment (see [`path_parts`]).
        path: String,
        /// The JSON object sent: member name and the expression computing its value (one
        /// value a scalar, several an array, none null). `None`: no body.
        body: Option<BTreeMap<String, String>>,
        /// Applied to the answer, which these expressions read as `response`.
        response_mapping: Vec<Assignment>,
        next: ActivityId,
    },
    External(External),
    /// Sends a one-time key to the address stored for the subject's account (never to
    /// an address typed into the request) and waits until the key comes back in time.
    Activation {
        next: ActivityId,
    },
    /// The certifier keeps or revokes each of the subject's listed items, then submits;
    /// revoked items are taken away.
    Certification {
        participants: Participants,
        next: ActivityId,
    },
    Finish,
}

impl ActivityKind {
    pub fn type_name(&self) -> &'static str {
        match self {
            ActivityKind::Start { .. } => "start",
            ActivityKind::Approval(_) => "approval",
            ActivityKind::Email { .. } => "email",
            ActivityKind::Mapping { .. } => "mapping",
            ActivityKind::Condition { .. } => "condition",
            ActivityKind::Branch { .. } => "branch",
            ActivityKind::Merge { .. } => "merge",
            ActivityKind::Status { .. } => "status",
            ActivityKind::Log { .. } => "log",
            ActivityKind::Entity { .. } => "entity",
            ActivityKind::Entitlement { .. } => "entitlement",
            ActivityKind::RoleRequest { .. } => "role_request",
            ActivityKind::ResourceRequest { .. } => "resource_request",
            ActivityKind::Rest { .. } => "rest",
            ActivityKind::External(_) => "external",
            ActivityKind::Activation { .. } => "activation",
            ActivityKind::Certification { .. } => "certification",
            ActivityKind::Finish => "finish",
        }
    }
}

/// Hands the work to an outside workflow engine and waits for its answer.
#[derive(Debug, Clone, PartialEq)]
pub struct External {
    /// The engine's name in the portal's integrations file.
    pub engine: String,
    /// What to start there (for Prefect `flow/deployment`).
    pub start: String,
    /// Parameter name and the expression computing its values from flowdata.
    pub parameters: Vec<(String, String)>,
    /// Applied to the answer, which is kept in flowdata under the activity's id.
    pub result_mapping: Vec<Assignment>,
    /// Longest wait for the answer, in seconds; past it, the activity has failed.
    pub time_limit_seconds: Option<u64>,
    /// Where a failed, cancelled or overdue external run goes; none: it waits in error
    /// for an administrator.
    pub on_failure: Option<ActivityId>,
    pub next: ActivityId,
}

/// An expression whose value is stored at a flowdata path (or a user attribute).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    pub target: String,
    pub expression: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Approval {
    pub participants: Participants,
    pub mode: ApprovalMode,
    pub timeout: Option<Timeout>,
    pub reason_required_on_reject: bool,
    pub content_read_only: bool,
    pub sign_approve: bool,
    pub sign_deny: bool,
    pub on_approve: ActivityId,
    pub on_reject: ActivityId,
    /// Where a timeout with outcome `continue` leads; absent means the outcome decides.
    pub on_timeout: Option<ActivityId>,
}

/// Who is asked. The requester and the subject are removed from whatever this resolves
/// to (their manager is asked instead).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Participants {
    ManagerOf(Party),
    ResourceOwner,
    Group(String),
    Users(Vec<UserName>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApprovalMode {
    /// The first decision decides.
    AnyOne,
    /// Everyone must approve; one rejection rejects.
    All,
    /// `required` approvals approve; rejection once approval can no longer be reached.
    Quorum { required: u32 },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeout {
    pub after_seconds: u64,
    pub outcome: TimeoutOutcome,
    /// How often escalation or reminding repeats before the final outcome applies.
    pub max_repeats: u32,
    pub then: FinalTimeoutOutcome,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeoutOutcome {
    /// Ask the next level: the managers of the current participants.
    Escalate,
    Remind,
    Approve,
    Deny,
}

/// What happens once escalations or reminders are used up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FinalTimeoutOutcome {
    Approve,
    Deny,
}

/// A problem in a definition file, placed at its line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefinitionError {
    pub file: String,
    pub line: usize,
    pub message: String,
}

impl fmt::Display for DefinitionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.message)
    }
}

/// Every problem found in one file; a definition is deployed only when there are none.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct DefinitionErrors(pub Vec<DefinitionError>);

impl fmt::Display for DefinitionErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, error) in self.0.iter().enumerate() {
            if index > 0 {
                writeln!(f)?;
            }
            write!(f, "{error}")?;
        }
        Ok(())
    }
}
