//! A rehearsal of a definition's text before it is deployed: each sample request (recent
//! real ones, or one typed in) runs on the text against today's directory with every
//! approval answered the same way, and the path, who would be asked and what would leave
//! the process are shown. Nothing is stored, sent or granted.

use crate::model::definitions::{DryRun, Rehearsed, RehearsedStep, MOST_SAMPLES};
use crate::model::WorkflowId;
use crate::server::entities::workflow_instance;
use crate::server::rights::{Granted, ManageDefinitions};
use crate::server::usecases::graph::graph_of;
use crate::server::usecases::instances::replay::why_asked;
use crate::server::usecases::reading::{definition_title, step_title};
use crate::server::workflow::{decode_stored, WorkflowError, Workflows};
use assent_engine::definition::{parse, Definition};
use assent_engine::flowdata::Value;
use assent_engine::runtime::model::{DefinitionRef, Instance, Order};
use assent_engine::runtime::rehearsal::{Answer, Rehearsal, Stop};
use assent_engine::runtime::{CreateRequest, NewInstance};
use assent_engine::UserName;
use sea_orm::EntityTrait;
use std::collections::BTreeMap;

/// A request to rehearse on.
#[derive(Debug, Clone)]
pub enum Sample {
    /// A real workflow's request: its requester, subject, items and form.
    Workflow(WorkflowId),
    /// A request typed in: who asks, for whom, for what, with which form values.
    Typed {
        requester: UserName,
        subject: Option<Order>,
        item: Option<Order>,
        form: assent_engine::form::Submission,
    },
}

pub async fn dry_run(
    _may: Granted<ManageDefinitions>,
    workflows: &Workflows,
    file_name: &str,
    source: &str,
    samples: Vec<Sample>,
    answer: Answer,
    lang: &str,
) -> Result<DryRun, WorkflowError> {
    let definition = parse(file_name, source).map_err(WorkflowError::InvalidDefinition)?;
    if samples.is_empty() {
        return Err(WorkflowError::Invalid(
            "Choose a recent request or type one to rehearse on.".into(),
        ));
    }
    if samples.len() > MOST_SAMPLES {
        // The text names the figure: MOST_SAMPLES is 10.
        return Err(WorkflowError::Invalid(
            "Rehearse at most 10 requests at once.".into(),
        ));
    }
    let mut results = Vec::with_capacity(samples.len());
    for sample in samples {
        let (label, request) = match request_of(workflows, &definition, sample).await? {
            (label, Ok(request)) => (label, request),
            (label, Err(refused)) => {
                results.push(Rehearsed {
                    sample: label,
                    state: String::new(),
                    stopped: None,
                    refused: Some(refused),
                    steps: Vec::new(),
                    graph: graph_of(&definition, None, lang),
                });
                continue;
            }
        };
        let new = NewInstance {
            id: "rehearsal".into(),
            definition: DefinitionRef {
                id: definition.path.clone(),
                version: 0,
            },
            request,
        };
        let rehearsal = workflows.rehearse(&definition, new, answer).await?;
        results.push(rehearsed(&definition, label, &rehearsal, lang));
    }
    Ok(DryRun {
        path: definition.path.clone(),
        title: definition_title(&definition, lang),
        results,
    })
}

/// The sample's label and its request, or why its form does not fit the new text.
async fn request_of(
    workflows: &Workflows,
    definition: &Definition,
    sample: Sample,
) -> Result<(String, Result<CreateRequest, String>), WorkflowError> {
    match sample {
        Sample::Workflow(id) => {
            let stored = workflow_instance::Entity::find_by_id(id.as_str())
                .one(&workflows.db)
                .await?
                .ok_or(WorkflowError::WorkflowNotFound)?;
            let instance = decode_stored(&stored)?;
            let label = sample_label(&instance, stored.created_at);
            Ok((label, Ok(request_again(definition, &instance))))
        }
        Sample::Typed {
            requester,
            subject,
            item,
            form,
        } => {
            let label = format!(
                "{requester} → {}",
                item.as_ref().map_or("—", |i| i.target_id.as_str())
            );
            let checked = assent_engine::form::validate(&definition.form, &form, &BTreeMap::new())
                .map_err(|errors| {
                    errors
                        .iter()
                        .map(|e| format!("{}: {}", e.field, e.message))
                        .collect::<Vec<_>>()
                        .join("; ")
                });
            Ok((
                label,
                checked.map(|form| CreateRequest {
                    definition_path: definition.path.clone(),
                    initiator: requester,
                    subject,
                    resources: item.into_iter().collect(),
                    form,
                    context: BTreeMap::new(),
                    correlation_id: None,
                }),
            ))
        }
    }
}

/// A real request asked again of a new text: the same people, items, form and context
/// (fields the new text no longer has are left out).
fn request_again(definition: &Definition, instance: &Instance) -> CreateRequest {
    let under = |prefix: &str| -> BTreeMap<String, Vec<Value>> {
        instance
            .flowdata
            .attributes()
            .into_iter()
            .filter_map(|(path, values)| {
                path.strip_prefix(prefix)
                    .map(|name| (name.to_owned(), values.to_vec()))
            })
            .collect()
    };
    let mut form = under("request/");
    form.retain(|name, _| definition.form.iter().any(|field| &field.name == name));
    CreateRequest {
        definition_path: definition.path.clone(),
        initiator: instance.initiator.clone(),
        subject: instance.subject.clone(),
        resources: instance.resources.clone(),
        form,
        context: under("context/"),
        correlation_id: None,
    }
}

/// "alice for alice → Finance Analyst (2026-12-05 10:00)".
pub fn sample_label(instance: &Instance, created: chrono::DateTime<chrono::Utc>) -> String {
    let created = created.format(crate::server::usecases::MINUTES);
    let items = instance.item_ids().join(", ");
    let subject = instance.subject_id();
    let whom = if subject.is_empty() || subject == instance.initiator.as_str() {
        instance.initiator.to_string()
    } else {
        format!("{} for {subject}", instance.initiator)
    };
    format!("{whom} → {items} ({created})")
}

fn rehearsed(
    definition: &Definition,
    sample: String,
    rehearsal: &Rehearsal,
    lang: &str,
) -> Rehearsed {
    let instance = &rehearsal.instance;
    let title = |seq: u32| {
        instance
            .run(seq)
            .map(|run| step_title(definition, &run.activity.0, lang))
            .unwrap_or_default()
    };
    let stopped = rehearsal.stopped.as_ref().map(|stop| match stop {
        Stop::WaitInError { run, error } => {
            format!("{} would wait in error: {error}", title(*run))
        }
        Stop::WaitsForOutside { run } => {
            format!(
                "{} waits for someone outside (an activation key)",
                title(*run)
            )
        }
        Stop::Refused { run, error } => format!("{}: the engine refused: {error}", title(*run)),
        Stop::TooLong => "stopped after 200 events: a loop these answers never leave".to_owned(),
    });
    let steps = instance
        .runs
        .iter()
        .map(|run| RehearsedStep {
            title: step_title(definition, &run.activity.0, lang),
            kind: run.activity_type.clone(),
            state: run.state.as_str().to_owned(),
            asked: run
                .approval
                .iter()
                .flat_map(|approval| approval.participants.iter())
                .map(|p| (p.user.to_string(), why_asked(&p.because, lang)))
                .collect(),
            effects: rehearsal
                .effects
                .iter()
                .filter(|(seq, _)| *seq == run.seq)
                .map(|(_, effect)| effect.clone())
                .collect(),
            error: run.error.clone(),
        })
        .collect();
    Rehearsed {
        sample,
        state: instance.state.as_str().to_owned(),
        stopped,
        refused: None,
        steps,
        graph: graph_of(definition, Some(instance), lang),
    }
}
