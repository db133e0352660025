//! One open item for its approver: what is asked and why them, deciding, forwarding.

use super::history::history_lines;
use super::{after_form_post, fail, request_lang, require_user, state, step_title, title_of};
use crate::app::api::DecideItem;
use crate::app::types::WorkItemDetail;
use crate::model::AppError;
use crate::model::WorkItemRef;
use crate::server::usecases::decisions::decide_one;
use crate::server::usecases::reading::OpenedWorkflow;
use assent_engine::runtime::model::{Because, Verdict};
use assent_engine::UserName;

/// Why the user is asked, in their language. The rule itself ("manager of alice") comes
/// from the definition as written.
fn because_text(because: &Because) -> String {
    if request_lang() == "de" {
        because_in_german(because)
    } else {
        because_in_english(because)
    }
}

fn because_in_english(because: &Because) -> String {
    match because {
        Because::Rule { rule } => format!("You are the {rule}."),
        Because::Substitute { for_user } => format!("You stand in for {for_user}."),
        Because::Escalation { from } => format!("{from} did not answer in time; it came up to you."),
        Because::Forwarded { by } => format!("{by} forwarded it to you."),
        Because::InsteadOfRequester { requester } => format!(
            "{requester} asked, and may not decide on their own request; you are their manager."
        ),
        Because::InsteadOfBeneficiary { beneficiary } => format!(
            "The request is for {beneficiary}, who may not decide on their own access; you are their manager."
        ),
    }
}

fn because_in_german(because: &Because) -> String {
    match because {
        Because::Rule { rule } => {
            // The engine words its three rules in English: "manager of", "owner of",
            // "member of".
            let words = [
                ("manager of ", "Sie sind Vorgesetzte(r) von "),
                ("owner of ", "Sie sind verantwortlich für "),
                ("member of ", "Sie sind Mitglied von "),
            ];
            match words
                .iter()
                .find_map(|(en, de)| rule.strip_prefix(en).map(|rest| format!("{de}{rest}.")))
            {
                Some(text) => text,
                None => format!("Sie sind gefragt als: {rule}."),
            }
        }
        Because::Substitute { for_user } => format!("Sie vertreten {for_user}."),
        Because::Escalation { from } => format!(
            "{from} hat nicht rechtzeitig geantwortet; der Vorgang wurde an Sie eskaliert."
        ),
        Because::Forwarded { by } => format!("{by} hat den Vorgang an Sie weitergeleitet."),
        Because::InsteadOfRequester { requester } => format!(
            "{requester} hat den Antrag gestellt und darf nicht selbst entscheiden; Sie sind die Führungskraft."
        ),
        Because::InsteadOfBeneficiary { beneficiary } => format!(
            "Der Antrag gilt {beneficiary}, und niemand entscheidet über die eigene Berechtigung; Sie sind die Führungskraft."
        ),
    }
}

pub async fn work_item(workflow_id: String, run: u32) -> Result<WorkItemDetail, AppError> {
    use assent_engine::definition::ActivityKind;
    let user = require_user().await?;
    let state = state()?;
    let OpenedWorkflow {
        instance,
        definition,
        ..
    } = super::opened(&state, &workflow_id).await?;
    // Only the people asked may look at an item: the object itself is checked here, and
    // an item of someone else's answers exactly like one that does not exist.
    let activity_run = instance.run(run).ok_or_else(|| fail(AppError::NotFound))?;
    let approval = activity_run
        .approval
        .as_ref()
        .ok_or_else(|| fail(AppError::NotFound))?;
    let me = approval
        .participants
        .iter()
        .find(|p| p.user == user.username)
        .ok_or_else(|| fail(AppError::NotFound))?;
    let reason_required_on_reject = matches!(
        definition.activity(&activity_run.activity).map(|a| &a.kind),
        Some(ActivityKind::Approval(a)) if a.reason_required_on_reject
    );
    let request_fields = instance
        .flowdata
        .node(&assent_engine::flowdata::FlowPath::parse("request").expect("valid path"))
        .map(|node| {
            node.children
                .iter()
                .map(|(name, child)| {
                    // The form's own label, in the reader's language.
                    let label = definition
                        .form
                        .iter()
                        .find(|f| &f.name == name)
                        .map(|f| f.label.get(request_lang()).to_owned())
                        .filter(|l| !l.is_empty())
                        .unwrap_or_else(|| name.replace('_', " "));
                    (
                        label,
                        child
                            .values
                            .iter()
                            .map(|v| v.as_text())
                            .collect::<Vec<_>>()
                            .join(", "),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let time =
        |t: assent_engine::runtime::model::Timestamp| crate::server::workflow::format_timestamp(t);
    let handoffs = state.workflows.handoffs_of(&instance.id).await?;
    let history = history_lines(&instance, &definition, &handoffs);
    Ok(WorkItemDetail {
        workflow_id: instance.id.clone(),
        run,
        version: instance.version,
        workflow: title_of(&definition),
        step: step_title(&definition, &activity_run.activity.0),
        requester: instance.initiator.to_string(),
        subject: instance.subject_id(),
        items: instance.item_ids(),
        request_fields,
        why_me: because_text(&me.because),
        reason_required_on_reject,
        can_decide: activity_run.state == assent_engine::ActivityState::Running
            && approval.awaits_decision_from(&user.username),
        status: match &approval.claimed_by {
            Some(claimant) if claimant == &user.username => "claimed".into(),
            Some(_) => "taken".into(),
            None if approval.is_pool() => "pool".into(),
            None => "personal".into(),
        },
        claimed_by: approval.claimed_by.as_ref().map(|c| c.to_string()),
        due: approval.due_at.map(time),
        conflicts: instance
            .flowdata
            .get(&assent_engine::flowdata::FlowPath::parse("sod/conflicts").expect("valid path"))
            .iter()
            .map(|v| v.as_text())
            .collect(),
        history,
    })
}

/// The form's decision, as its server function [`crate::app::api::decide_item`] receives it.
pub async fn decide(decision: DecideItem) -> Result<String, AppError> {
    let user = require_user().await?;
    let workflow = super::workflow_id(&decision.workflow_id)?;
    let approve = decision.approve;
    let verdict = if approve {
        Verdict::Approve
    } else {
        Verdict::Reject
    };
    let item = WorkItemRef::new(workflow, decision.run);
    let (reason, version) = (decision.reason, decision.version);
    decide_one(&state()?.workflows, &user, &item, verdict, reason, version)
        .await
        .map_err(|error| fail(error.into()))?;
    after_form_post(if approve {
        "/worklist?done=approved"
    } else {
        "/worklist?done=rejected"
    })
    .await;
    Ok(if approve {
        "Approved.".into()
    } else {
        "Rejected.".into()
    })
}

pub async fn forward(workflow_id: String, run: u32, to: String) -> Result<String, AppError> {
    let user = require_user().await?;
    let workflow = super::workflow_id(&workflow_id)?;
    let to =
        UserName::parse(&to).map_err(|e| fail(AppError::Invalid(format!("Forward to: {e}"))))?;
    state()?
        .workflows
        .forward(&user.username, workflow.as_str(), run, &to)
        .await
        .map_err(|error| fail(error.into()))?;
    Ok(format!("Forwarded to {to}."))
}
