//! Starting the chosen definition: the engine's creation built from the request, created
//! once per idempotency key, and the audit entries of a forced definition or of a start
//! for someone else.

use super::checks::{catalog_categories, check_sizes, check_subject};
use super::definition_choice::{chosen_definition, Choice, DefinitionCriteria};
use super::CreateInstanceRequest;
use crate::server::wfs::contract::flow_texts;
use crate::server::wfs::{audit, named_or_caller, Call, Failure, NamedUser};
use crate::server::workflow::{CreateRequest, IdempotencyKey, SubmitRequest, WorkflowError};
use assent_engine::flowdata::Value as FlowValue;
use assent_engine::runtime::model::{self, Instance};
use assent_engine::UserName;

/// Starts a workflow from a creation request; the part createInstance and verify share.
pub(super) async fn start(
    call: &Call<'_>,
    request: &CreateInstanceRequest,
    key: Option<IdempotencyKey>,
) -> Result<Instance, Failure> {
    check_sizes(request)?;
    let initiator = named_or_caller(call, request.initiator.as_deref(), NamedUser::Initiator)?;
    check_subject(call, &initiator, request.subject.as_ref()).await?;
    let categories = catalog_categories(call, &request.resources).await?;
    let choice = chosen_definition(
        call,
        request
            .definition
            .as_ref()
            .unwrap_or(&DefinitionCriteria::default()),
        request.subject.as_ref(),
        &request.resources,
        &categories,
    )
    .await?;
    let (path, forced_over) = match choice {
        Choice::Applicable(path) => (path, None),
        Choice::Forced { path, applicable } => (path, Some(applicable)),
    };
    let mut creation = prepared(call, request, path, initiator).await?;
    // Started by someone acting for the initiator: the workflow keeps who really did.
    let acting_for = (call.user.username != creation.initiator).then(|| creation.initiator.clone());
    if acting_for.is_some() {
        creation.context.insert(
            "startedBy".into(),
            vec![FlowValue::text(call.user.username.to_string())],
        );
    }
    let workflows = &call.state.workflows;
    let instance = match key {
        Some(key) => match workflows.create_once(creation, key).await {
            Err(WorkflowError::Duplicate(first)) => return Ok(workflows.instance(&first).await?),
            other => other?,
        },
        None => workflows.create(creation).await?,
    };
    // Written once the workflow exists (a repeat by idempotency key returned above).
    if let Some(applicable) = forced_over {
        audit(
            call,
            "workflow.definition_forced",
            format!(
                "workflow {}: {} started instead of the applicable {applicable}",
                instance.id, instance.definition.id
            ),
        )
        .await?;
    }
    if let Some(initiator) = acting_for {
        audit(
            call,
            "workflow.started_for",
            format!("workflow {}: started for {initiator}", instance.id),
        )
        .await?;
    }
    Ok(instance)
}

/// The engine's creation of the definition at `path`: its form filled from the context
/// attributes named like its fields (and checked as the form is), then the whole context,
/// the cause and the correlation id attached.
async fn prepared(
    call: &Call<'_>,
    request: &CreateInstanceRequest,
    path: String,
    initiator: UserName,
) -> Result<CreateRequest, Failure> {
    let workflows = &call.state.workflows;
    let (_, definition) = workflows.latest_definition(&path).await?;
    let form = request
        .context
        .iter()
        .filter(|(name, _)| definition.form.iter().any(|f| &f.name == *name))
        .map(|(name, values)| (name.clone(), values.clone()))
        .collect();
    let mut creation = workflows
        .prepare(SubmitRequest {
            definition_path: path,
            initiator,
            // The account's own spelling of the name (checked by check_subject above):
            // later look-ups, grants and readers compare normalized names.
            subject: request.subject.as_ref().map(|order| {
                let mut subject = model::Order::from(order);
                if let Ok(name) = UserName::parse(&subject.target_id) {
                    subject.target_id = name.to_string();
                }
                subject
            }),
            resources: request.resources.iter().map(model::Order::from).collect(),
            form,
        })
        .await
        .map_err(|error| match error {
            // The form's fields are the request's context attributes.
            WorkflowError::InvalidForm(errors) => Failure::invalid(
                errors
                    .iter()
                    .map(|e| format!("context.{}: {}", e.field, e.message))
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
            other => other.into(),
        })?;
    creation.context = request
        .context
        .iter()
        .map(|(name, values)| (name.clone(), flow_texts(values)))
        .collect();
    if let Some(cause) = &request.cause_ref_id {
        creation
            .context
            .insert("causeRefID".into(), vec![FlowValue::text(cause.clone())]);
    }
    creation.correlation_id = request.correlation_id.clone();
    Ok(creation)
}
