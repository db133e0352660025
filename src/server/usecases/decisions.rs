//! Deciding work items: one at a time (the item page) or many at once (the worklist's
//! bulk form and the API's bulkApproval). Limits, concurrency and the error codes of a
//! bulk decision are decided here, for every adapter.

use crate::model::{BulkErrorCode, SessionUser, WorkItemRef, WorkflowId};
use crate::server::rights::{ActForOthers, Granted};
use crate::server::workflow::{WorkflowError, Workflows};
use assent_engine::runtime::model::{Instance, Verdict};
use assent_engine::runtime::EngineError;
use assent_engine::UserName;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// Items one bulk decision may carry (and the most "all matching" selects).
pub const MAX_BULK_ITEMS: usize = 5000;
/// Whole workflows one bulk decision may name (each may hold several items).
pub const MAX_BULK_WORKFLOWS: usize = 1000;
/// Workflows of one bulk decision decided at once: enough for the group-commit writer to
/// batch them, not so many that one submission fills the database pool and memory.
const IN_FLIGHT: usize = 64;

/// Approves or rejects one item as the signed-in user, against the version they saw.
pub async fn decide_one(
    workflows: &Workflows,
    user: &SessionUser,
    item: &WorkItemRef,
    verdict: Verdict,
    reason: Option<String>,
    seen_version: u64,
) -> Result<Instance, WorkflowError> {
    workflows
        .decide(
            &user.username,
            item.workflow.as_str(),
            item.run,
            verdict,
            reason,
            Some(seen_version),
        )
        .await
}

/// Whose items a bulk decision decides.
pub enum Deciding {
    /// The caller's own.
    OwnItems,
    /// Another participant's, by someone who may act for others.
    ItemsOf(UserName, Granted<ActForOthers>),
}

/// What one entry of a bulk decision names.
#[derive(Debug, Clone)]
pub enum BulkTarget {
    /// One work item.
    Item(WorkItemRef),
    /// Every item of the workflow now waiting for the participant; the text as sent
    /// (the API reports it back as given, even when it is no workflow ID at all).
    EveryItemOf(String),
}

impl BulkTarget {
    fn workflow_text(&self) -> String {
        match self {
            BulkTarget::Item(item) => item.workflow.to_string(),
            BulkTarget::EveryItemOf(text) => text.clone(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct BulkDecision {
    pub verdict: Verdict,
    pub target: BulkTarget,
    pub reason: Option<String>,
}

/// An entry that was not decided.
#[derive(Debug)]
pub struct BulkFailed {
    /// The workflow as named in the request.
    pub workflow: String,
    /// The activity, where the failure is at activity level and the caller may know it.
    pub activity: String,
    pub code: BulkErrorCode,
    /// Why, where the caller may know it (a workflow of theirs refused the decision).
    pub cause: Option<WorkflowError>,
    /// The place of its entry in the request, to answer in the order asked.
    entry: usize,
}

#[derive(Debug, Default)]
pub struct BulkOutcome {
    pub decided: u32,
    /// In the order of the entries they come from.
    pub failed: Vec<BulkFailed>,
}

#[derive(Debug, thiserror::Error)]
pub enum BulkError {
    #[error("at most {MAX_BULK_ITEMS} items at once")]
    TooManyItems,
    #[error("at most {MAX_BULK_WORKFLOWS} workflows at once")]
    TooManyWorkflows,
}

/// The seed's code for a refused decision.
pub fn bulk_error_code(error: &WorkflowError) -> BulkErrorCode {
    match error {
        WorkflowError::WorkflowNotFound => BulkErrorCode::UnknownWorkflow,
        WorkflowError::Forbidden => BulkErrorCode::NotAllowed,
        WorkflowError::Engine(engine) => match engine {
            EngineError::NotAParticipant | EngineError::OwnRequest => BulkErrorCode::NotAllowed,
            EngineError::AlreadyDecided | EngineError::ClaimedBy(_) => BulkErrorCode::TakenByOther,
            EngineError::ActivityNotFound(_) => BulkErrorCode::NoSuchActivity,
            EngineError::NotAwaitingDecision => BulkErrorCode::NotAwaitingDecision,
            EngineError::ReasonRequired | EngineError::ReasonTooLong => BulkErrorCode::BadReason,
            EngineError::InvalidState(_) => BulkErrorCode::WorkflowEnded,
            _ => BulkErrorCode::ActivityRefused,
        },
        WorkflowError::Conflict | WorkflowError::Busy => BulkErrorCode::WorkflowChanged,
        _ => BulkErrorCode::WorkflowFailed,
    }
}

/// Decides every entry on its own: each item is its own transaction, applied whole or
/// not at all, and the ones that fail are listed. Entries of one workflow are decided
/// in the order given; different workflows concurrently, a bounded number at a time.
pub async fn decide_many(
    workflows: &Workflows,
    caller: &SessionUser,
    deciding: Deciding,
    decisions: Vec<BulkDecision>,
) -> Result<BulkOutcome, BulkError> {
    if decisions.len() > MAX_BULK_ITEMS {
        return Err(BulkError::TooManyItems);
    }
    let whole_workflows = decisions
        .iter()
        .filter(|d| matches!(d.target, BulkTarget::EveryItemOf(_)))
        .count();
    if whole_workflows > MAX_BULK_WORKFLOWS {
        return Err(BulkError::TooManyWorkflows);
    }
    let participant = match &deciding {
        Deciding::OwnItems => None,
        Deciding::ItemsOf(name, _) if *name == caller.username => None,
        Deciding::ItemsOf(name, _) => Some(name.clone()),
    };
    let mut by_workflow: BTreeMap<String, Vec<(usize, BulkDecision)>> = BTreeMap::new();
    for (entry, decision) in decisions.into_iter().enumerate() {
        by_workflow
            .entry(decision.target.workflow_text())
            .or_default()
            .push((entry, decision));
    }
    let in_flight = Arc::new(tokio::sync::Semaphore::new(IN_FLIGHT));
    let mut tasks = tokio::task::JoinSet::new();
    // What each task carries, to name its entries should the task itself be lost.
    let mut carried = HashMap::new();
    for (workflow, decisions) in by_workflow {
        let permit = Arc::clone(&in_flight).acquire_owned().await;
        let one = OneWorkflow {
            workflows: workflows.clone(),
            caller: caller.clone(),
            participant: participant.clone(),
        };
        let entries: Vec<usize> = decisions.iter().map(|(entry, _)| *entry).collect();
        let task = tasks.spawn({
            let workflow = workflow.clone();
            async move {
                let _permit = permit;
                one.decide_all(workflow, decisions).await
            }
        });
        carried.insert(task.id(), (workflow, entries));
    }
    let mut outcome = BulkOutcome::default();
    while let Some(joined) = tasks.join_next_with_id().await {
        match joined {
            Ok((_, (decided, failed))) => {
                outcome.decided += decided;
                outcome.failed.extend(failed);
            }
            Err(error) => {
                tracing::error!(%error, "bulk decision task");
                let (workflow, entries) = carried.remove(&error.id()).unwrap_or_default();
                outcome
                    .failed
                    .extend(entries.into_iter().map(|entry| BulkFailed {
                        workflow: workflow.clone(),
                        activity: String::new(),
                        code: BulkErrorCode::WorkflowFailed,
                        cause: None,
                        entry,
                    }));
            }
        }
    }
    // Stable: the activities of one entry stay in the order they were decided.
    outcome.failed.sort_by_key(|failure| failure.entry);
    Ok(outcome)
}

/// The decisions of one workflow, made by one task.
struct OneWorkflow {
    workflows: Workflows,
    caller: SessionUser,
    /// Set when the caller decides for someone else.
    participant: Option<UserName>,
}

impl OneWorkflow {
    fn participant(&self) -> &UserName {
        self.participant.as_ref().unwrap_or(&self.caller.username)
    }

    async fn decide_all(
        &self,
        workflow: String,
        decisions: Vec<(usize, BulkDecision)>,
    ) -> (u32, Vec<BulkFailed>) {
        let mut decided = 0;
        let mut failed = Vec::new();
        for (entry, decision) in decisions {
            let failure = |activity: String, code, cause| BulkFailed {
                workflow: workflow.clone(),
                activity,
                code,
                cause,
                entry,
            };
            match &decision.target {
                BulkTarget::Item(item) => match self.decide(&workflow, item.run, &decision).await {
                    Ok(()) => decided += 1,
                    Err(error) => {
                        let (activity, code, cause) =
                            self.explain(&workflow, item.run, error).await;
                        failed.push(failure(activity, code, cause));
                    }
                },
                BulkTarget::EveryItemOf(text) => match self.waiting_runs(text).await {
                    Err(code) => failed.push(failure(String::new(), code, None)),
                    // The participant is asked on each of these runs, so the step and the
                    // real reason may be told; the workflow is not read again, which a
                    // busy database could make look like an unknown workflow.
                    Ok(runs) => {
                        for (run, activity) in runs {
                            match self.decide(&workflow, run, &decision).await {
                                Ok(()) => decided += 1,
                                Err(error) => {
                                    let code = bulk_error_code(&error);
                                    failed.push(failure(activity, code, Some(error)));
                                }
                            }
                        }
                    }
                },
            }
        }
        (decided, failed)
    }

    async fn decide(
        &self,
        workflow: &str,
        run: u32,
        decision: &BulkDecision,
    ) -> Result<(), WorkflowError> {
        let reason = decision.reason.clone().filter(|r| !r.trim().is_empty());
        match &self.participant {
            None => {
                self.workflows
                    .decide(
                        &self.caller.username,
                        workflow,
                        run,
                        decision.verdict,
                        reason,
                        None,
                    )
                    .await
            }
            Some(participant) => {
                self.workflows
                    .decide_on_behalf(
                        &self.caller.username,
                        participant,
                        workflow,
                        run,
                        decision.verdict,
                        reason,
                    )
                    .await
            }
        }
        .map(|_| ())
    }

    /// The runs of a workflow now waiting for the participant, with their activities, or
    /// the code that says why there are none.
    async fn waiting_runs(&self, text: &str) -> Result<Vec<(u32, String)>, BulkErrorCode> {
        let Ok(id) = text.parse::<WorkflowId>() else {
            return Err(BulkErrorCode::UnknownWorkflow);
        };
        let instance = match self.workflows.instance(id.as_str()).await {
            Ok(instance) => instance,
            Err(error) => return Err(bulk_error_code(&error)),
        };
        let participant = self.participant();
        let waiting: Vec<(u32, String)> = instance
            .open_items_for(participant)
            .map(|run| (run.seq, run.activity.to_string()))
            .collect();
        if !waiting.is_empty() {
            return Ok(waiting);
        }
        let asked = instance.ever_asked(participant);
        // A workflow the caller has no part in answers like one that does not exist
        // (40), so the codes tell nothing of other people's workflows.
        Err(
            if !asked && !super::reading::may_read(&self.caller, &instance) {
                BulkErrorCode::UnknownWorkflow
            } else if instance.state.is_terminal() {
                BulkErrorCode::WorkflowEnded
            } else if asked {
                BulkErrorCode::NotAwaitingDecision
            } else {
                BulkErrorCode::NotAllowed
            },
        )
    }

    /// The step's name and the real reason only for a workflow the participant has a
    /// part in (asked on that step, requested it, or it is for them): of anyone else's
    /// nothing is told, not even that it exists.
    async fn explain(
        &self,
        workflow: &str,
        run: u32,
        error: WorkflowError,
    ) -> (String, BulkErrorCode, Option<WorkflowError>) {
        let participant = self.participant();
        let asked_run = match self.workflows.instance(workflow).await {
            Ok(instance) => {
                let involved = instance.may_not_decide(participant)
                    || instance.run(run).is_some_and(|r| r.asked(participant));
                instance.run(run).cloned().filter(|_| involved)
            }
            Err(_) => None,
        };
        match asked_run {
            Some(asked) => (
                asked.activity.to_string(),
                bulk_error_code(&error),
                Some(error),
            ),
            None => (String::new(), BulkErrorCode::UnknownWorkflow, None),
        }
    }
}
