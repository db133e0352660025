//! The state of a running workflow, as stored between events.

use crate::definition::ActivityId;
use crate::flowdata::{FlowData, Value};
use crate::{ActivityState, ApplicationState, UserName, WorkflowState};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Milliseconds since the Unix epoch, UTC. The engine never reads a clock: callers hand
/// it the time with every event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Timestamp(pub i64);

impl Timestamp {
    pub fn plus_seconds(self, seconds: u64) -> Timestamp {
        let millis = i64::try_from(seconds.saturating_mul(1000)).unwrap_or(i64::MAX);
        Timestamp(self.0.saturating_add(millis))
    }
}

/// Which version of which definition an instance runs. Instances refer to it; they never
/// copy it, and a new version never changes a running instance.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DefinitionRef {
    pub id: String,
    pub version: u32,
}

/// A subject or resource order, as the contract has them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Order {
    #[serde(rename = "type")]
    pub order_type: OrderType,
    #[serde(rename = "targetID")]
    pub target_id: String,
    #[serde(rename = "objectType")]
    pub object_type: String,
    #[serde(default)]
    pub attributes: BTreeMap<String, Vec<String>>,
}

impl Order {
    /// An order without attributes.
    pub fn new(order_type: OrderType, object_type: &str, target_id: &str) -> Self {
        Self {
            order_type,
            target_id: target_id.to_owned(),
            object_type: object_type.to_owned(),
            attributes: BTreeMap::new(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub enum OrderType {
    AddOrder,
    ModifyOrder,
    DeleteOrder,
    InfoOrder,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Instance {
    pub id: String,
    pub definition: DefinitionRef,
    pub state: WorkflowState,
    pub application_state: Option<ApplicationState>,
    pub initiator: UserName,
    pub subject: Option<Order>,
    pub resources: Vec<Order>,
    pub flowdata: FlowData,
    /// Every activity run, in the order they started; a run's `seq` is its index here.
    pub runs: Vec<ActivityRun>,
    pub correlation_id: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub ended_at: Option<Timestamp>,
    /// Incremented by every change: the optimistic lock.
    pub version: u64,
}

impl Instance {
    pub fn run(&self, seq: u32) -> Option<&ActivityRun> {
        self.runs.get(seq as usize)
    }

    /// The subject's id, or empty when the request has none.
    pub fn subject_id(&self) -> String {
        self.subject
            .as_ref()
            .map(|s| s.target_id.clone())
            .unwrap_or_default()
    }

    /// The ids of the requested roles, resources or entitlements.
    pub fn item_ids(&self) -> Vec<String> {
        self.resources.iter().map(|r| r.target_id.clone()).collect()
    }

    /// The user the request is for, when the subject is a user.
    pub fn subject_user(&self) -> Option<UserName> {
        self.subject
            .as_ref()
            .filter(|s| s.object_type == "user")
            .and_then(|s| UserName::parse(&s.target_id).ok())
    }

    /// Whether `user` is kept from deciding anything in this workflow: the initiator
    /// (who asked) and the subject user (who would get the access). Neither may approve,
    /// certify, claim or be handed the item, nor decide on someone else's behalf; one rule
    /// so no path of the engine can forget one of them.
    pub fn may_not_decide(&self, user: &UserName) -> bool {
        user == &self.initiator || self.subject_user().as_ref() == Some(user)
    }

    /// Approvals waiting for a decision by `user`.
    pub fn open_items_for<'a>(
        &'a self,
        user: &'a UserName,
    ) -> impl Iterator<Item = &'a ActivityRun> + 'a {
        self.runs.iter().filter(move |run| {
            run.state == ActivityState::Running
                && run
                    .approval
                    .as_ref()
                    .is_some_and(|a| a.awaits_decision_from(user))
        })
    }

    /// Whether `user` was ever asked in this workflow (replaced or not).
    pub fn ever_asked(&self, user: &UserName) -> bool {
        self.runs.iter().any(|run| run.asked(user))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActivityRun {
    pub seq: u32,
    pub activity: ActivityId,
    pub activity_type: String,
    pub state: ActivityState,
    pub started_at: Timestamp,
    pub ended_at: Option<Timestamp>,
    /// Tokens parked here (a merge waits for its paths); 1 for any other running activity.
    pub tokens: u32,
    pub approval: Option<ApprovalRun>,
    pub error: Option<String>,
    /// Outputs of an effect (REST response, external answer), recorded on completion.
    pub result: BTreeMap<String, Vec<Value>>,
}

impl ActivityRun {
    /// Whether `user` was ever asked on this run (certifiers are held as its
    /// participants too).
    pub fn asked(&self, user: &UserName) -> bool {
        self.approval
            .as_ref()
            .is_some_and(|a| a.participants.iter().any(|p| &p.user == user))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApprovalRun {
    pub participants: Vec<Participant>,
    pub decisions: Vec<Decision>,
    pub mode: RunMode,
    pub escalations: u32,
    pub reminders: u32,
    pub due_at: Option<Timestamp>,
    /// Identifies the armed timer; a timer of another generation is stale and ignored.
    pub timer_generation: u32,
    pub outcome: Option<Verdict>,
    /// A pool member who took the item: while set, only they see and decide it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claimed_by: Option<UserName>,
}

/// How an approval run counts its decisions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunMode {
    AnyOne,
    All,
    Quorum { required: u32 },
}

impl ApprovalRun {
    /// Just asked: no decision, timer, claim or outcome yet.
    pub(crate) fn new(participants: Vec<Participant>, mode: RunMode) -> Self {
        Self {
            participants,
            decisions: Vec::new(),
            mode,
            escalations: 0,
            reminders: 0,
            due_at: None,
            timer_generation: 0,
            outcome: None,
            claimed_by: None,
        }
    }

    /// Approvals that approve: 1 for any-one, every active participant for all, n for n-of-m.
    pub fn required(&self) -> u32 {
        match self.mode {
            RunMode::AnyOne => 1,
            RunMode::All => self.active_participants(),
            RunMode::Quorum { required } => required,
        }
    }

    /// The outcome the decisions so far give, if they give one yet.
    pub fn verdict(&self) -> Option<Verdict> {
        if let (RunMode::AnyOne, Some(first)) = (self.mode, self.decisions.first()) {
            return Some(first.verdict);
        }
        let required = self.required();
        let possible = self.active_participants();
        if self.approvals() >= required {
            Some(Verdict::Approve)
        } else if self.rejections() > possible.saturating_sub(required) {
            Some(Verdict::Reject)
        } else {
            None
        }
    }

    /// A pool: any one of several people may take it, so one can claim it for themselves.
    pub fn is_pool(&self) -> bool {
        self.mode == RunMode::AnyOne && self.active_participants() > 1
    }

    /// Whom the item waits on now: the undecided, or only the claimant while claimed.
    pub fn waiting_on(&self) -> Vec<&Participant> {
        self.undecided()
            .into_iter()
            .filter(|p| self.claimed_by.as_ref().is_none_or(|c| c == &p.user))
            .collect()
    }

    pub fn awaits_decision_from(&self, user: &UserName) -> bool {
        self.claimed_by.as_ref().is_none_or(|c| c == user)
            && self.outcome.is_none()
            && self
                .participants
                .iter()
                .any(|p| &p.user == user && p.active)
            && !self.decisions.iter().any(|d| &d.user == user)
    }

    pub fn approvals(&self) -> u32 {
        self.decisions
            .iter()
            .filter(|d| d.verdict == Verdict::Approve)
            .count() as u32
    }

    pub fn rejections(&self) -> u32 {
        self.decisions
            .iter()
            .filter(|d| d.verdict == Verdict::Reject)
            .count() as u32
    }

    pub fn active_participants(&self) -> u32 {
        self.participants.iter().filter(|p| p.active).count() as u32
    }

    pub fn undecided(&self) -> Vec<&Participant> {
        self.participants
            .iter()
            .filter(|p| p.active && !self.decisions.iter().any(|d| d.user == p.user))
            .collect()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Participant {
    pub user: UserName,
    /// Why this user was asked, for the approver and the audit trail.
    pub because: Because,
    /// False once replaced (escalated away, forwarded).
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Because {
    /// The definition's rule, in words ("manager of alice").
    Rule { rule: String },
    /// Standing in for `for_user` (a delegation or out-of-office substitute).
    Substitute { for_user: UserName },
    /// The next level up after `from` did not answer in time.
    Escalation { from: UserName },
    /// `by` forwarded the item.
    Forwarded { by: UserName },
    /// The rule named the requester, who may not approve their own request.
    InsteadOfRequester { requester: UserName },
    /// The rule named the person the request is for, who may not approve access for
    /// themselves.
    InsteadOfBeneficiary { beneficiary: UserName },
}

/// A decision's verdict lives with the shared state types (the pages need it too).
pub use crate::state::Verdict;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    pub user: UserName,
    pub verdict: Verdict,
    pub reason: Option<String>,
    pub at: Timestamp,
    /// Set when the timeout, not a person, decided.
    pub by_timeout: bool,
    /// Who decided on behalf of `user` (someone with the right to), when not `user`
    /// themselves. Absent in instances stored before it was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<UserName>,
}
