//! Decisions on work items: approve or reject (oneself, for someone else, or by a mailed
//! link), forward, and claim or release a pool item.

use super::committer::EventCommand;
use super::{WorkflowError, Workflows};
use assent_engine::runtime::model::{Instance, Verdict};
use assent_engine::runtime::Event;
use assent_engine::UserName;

impl Workflows {
    /// Approve or reject. `expected_version` is the version the decider saw: if the
    /// workflow moved on since, the decision is refused as a conflict.
    pub async fn decide(
        &self,
        actor: &UserName,
        instance_id: &str,
        run: u32,
        verdict: Verdict,
        reason: Option<String>,
        expected_version: Option<u64>,
    ) -> Result<Instance, WorkflowError> {
        let mut command = DecisionCommand {
            instance_id,
            run,
            participant: actor,
            verdict,
            reason,
        }
        .by_participant("");
        command.expected_version = expected_version;
        Ok(self.submit_event(command).await?.instance)
    }

    /// `by` decides for the participant `actor` (the caller holds the right to act for
    /// others). The decision counts as the participant's and records `by`; the audit
    /// trail's actor is `by`, "for" the participant. The engine refuses it on a workflow
    /// `by` started or is the subject of.
    pub async fn decide_on_behalf(
        &self,
        by: &UserName,
        actor: &UserName,
        instance_id: &str,
        run: u32,
        verdict: Verdict,
        reason: Option<String>,
    ) -> Result<Instance, WorkflowError> {
        let command = DecisionCommand {
            instance_id,
            run,
            participant: actor,
            verdict,
            reason,
        }
        .on_behalf(by);
        Ok(self.submit_event(command).await?.instance)
    }

    pub async fn forward(
        &self,
        actor: &UserName,
        instance_id: &str,
        run: u32,
        to: &UserName,
    ) -> Result<Instance, WorkflowError> {
        let event = Event::Forward {
            run,
            actor: actor.clone(),
            to: to.clone(),
        };
        let detail = format!("activity run {run} forwarded to {to}");
        self.event_by(actor, instance_id, event, "workflow.forwarded", detail)
            .await
    }

    /// A pool member takes an item (`claim = true`) or gives it back to the pool.
    pub async fn claim_item(
        &self,
        actor: &UserName,
        instance_id: &str,
        run: u32,
        claim: bool,
    ) -> Result<Instance, WorkflowError> {
        let (event, action, word) = if claim {
            (
                Event::Claim {
                    run,
                    actor: actor.clone(),
                },
                "workflow.claimed",
                "claimed",
            )
        } else {
            (
                Event::Release {
                    run,
                    actor: actor.clone(),
                },
                "workflow.released",
                "released",
            )
        };
        let detail = format!("activity run {run} {word}");
        self.event_by(actor, instance_id, event, action, detail)
            .await
    }
}

/// One participant's verdict on one activity run, before it becomes the event command
/// that records who decided and how.
pub(crate) struct DecisionCommand<'a> {
    pub instance_id: &'a str,
    pub run: u32,
    pub participant: &'a UserName,
    pub verdict: Verdict,
    pub reason: Option<String>,
}

impl DecisionCommand<'_> {
    fn command(self, by: Option<&UserName>, detail: String) -> EventCommand {
        EventCommand {
            instance_id: self.instance_id.to_owned(),
            event: Event::Decide {
                run: self.run,
                actor: self.participant.clone(),
                verdict: self.verdict,
                reason: self.reason,
                by: by.cloned(),
            },
            actor: Some(by.unwrap_or(self.participant).clone()),
            action: "workflow.decided",
            detail,
            expected_version: None,
            completes_job: None,
            spends_link: None,
            settles: None,
        }
    }

    fn word(&self) -> &'static str {
        match self.verdict {
            Verdict::Approve => "approved",
            Verdict::Reject => "rejected",
        }
    }

    /// The participant decides themselves; `how` is added to the audit detail
    /// (e.g. " by a mailed link").
    pub(crate) fn by_participant(self, how: &str) -> EventCommand {
        let detail = format!("activity run {} {}{how}", self.run, self.word());
        self.command(None, detail)
    }

    /// `by` decides for the participant.
    pub(crate) fn on_behalf(self, by: &UserName) -> EventCommand {
        let detail = format!(
            "activity run {} {} for {}",
            self.run,
            self.word(),
            self.participant
        );
        self.command(Some(by), detail)
    }
}
