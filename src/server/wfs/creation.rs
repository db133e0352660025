//! Starting workflows: createInstance (optionally waiting until the workflow is idle or
//! has ended) and verify (runs a verification workflow to its end and answers its error
//! messages).

use super::contract::{
    check_context_attribute, instance_view, wfs_request, CommonParameters, NameFilter, Order,
    OrderType, WorkflowInstanceView, MAX_ATTRIBUTE_VALUES, MAX_REASON, MAX_TEXT,
};
use super::instances::Catalogue;
use super::{has_right, named_or_caller, Call, Failure, FaultCode, Operation, Right};
use crate::server::entities::{catalog_item, user};
use crate::server::workflow::{IdempotencyKey, SubmitRequest, WorkflowError};
use assent_engine::definition::RequestFacts;
use assent_engine::flowdata::Value as FlowValue;
use assent_engine::runtime::model::{self, Instance};
use assent_engine::UserName;
use schemars::JsonSchema;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Context attributes (or attributes of an order) one request may carry.
const MAX_CONTEXT_ATTRIBUTES: usize = 50;
/// Resource orders one request may carry.
const MAX_RESOURCES: usize = 100;

/// Which definition to start: by id or path, else the best match of the other
/// criteria with the definitions' "when applicable" rules.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DefinitionCriteria {
    #[serde(default)]
    pub name_filter: Option<NameFilter>,
    #[serde(default)]
    #[schemars(length(max = 64))]
    pub operation: Option<String>,
    #[serde(default)]
    #[schemars(length(max = 64))]
    pub subject_type: Option<String>,
    #[serde(default)]
    #[schemars(length(max = 64))]
    pub resource_type: Option<String>,
    #[serde(default)]
    #[schemars(length(max = 64))]
    pub request_workflow_type: Option<String>,
}

wfs_request! {
    pub struct CreateInstanceRequest {
        #[serde(default)]
        pub definition: Option<DefinitionCriteria>,
        /// User name of the initiator; default the caller. Another needs the right to act
        /// for others.
        #[serde(default)]
        #[schemars(pattern(super::contract::USER_NAME_PATTERN))]
        pub initiator: Option<String>,
        #[serde(default)]
        pub subject: Option<Order>,
        #[serde(default)]
        #[schemars(length(max = 100))]
        pub resources: Vec<Order>,
        /// Attributes stored in the workflow's context. Those named like a field of the
        /// definition's form fill that field and are checked as the form checks it.
        #[serde(default)]
        pub context: BTreeMap<String, Vec<String>>,
        /// The client's own id for this request: a repeat by the same caller with the same
        /// correlationID creates nothing and answers the first workflow.
        #[serde(rename = "correlationID", default)]
        #[schemars(length(max = 256))]
        pub correlation_id: Option<String>,
        /// Reference to the causing audit record, kept in the audit trail.
        #[serde(rename = "causeRefID", default)]
        #[schemars(length(max = 256))]
        pub cause_ref_id: Option<String>,
        /// Answer once the workflow has ended, or when `timeout` runs out.
        #[serde(default)]
        pub wait_for_termination: bool,
        /// Answer once the workflow is idle (ended, or waiting for a person), or when
        /// `timeout` runs out.
        #[serde(default)]
        pub wait_for_idle: bool,
    }
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreateInstanceResponse {
    #[serde(rename = "workflowID")]
    pub workflow_id: String,
    pub workflow_path: String,
    /// With `returnData` `everything` or `matchingActivities`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workflow_instance: Option<WorkflowInstanceView>,
    /// True when a wait ran out before the workflow got there.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timedout: Option<bool>,
}

fn check_text(field: &str, text: &str, max: usize) -> Result<(), Failure> {
    if text.chars().count() > max {
        return Err(Failure::invalid(format!(
            "{field}: at most {max} characters"
        )));
    }
    Ok(())
}

fn check_order(field: &str, order: &Order) -> Result<(), Failure> {
    if order.target_id.trim().is_empty() {
        return Err(Failure::invalid(format!(
            "{field}.targetID: must not be empty"
        )));
    }
    check_text(&format!("{field}.targetID"), &order.target_id, MAX_TEXT)?;
    check_text(&format!("{field}.objectType"), &order.object_type, 64)?;
    if order.attributes.len() > MAX_CONTEXT_ATTRIBUTES {
        return Err(Failure::invalid(format!(
            "{field}.attributes: at most {MAX_CONTEXT_ATTRIBUTES} attributes"
        )));
    }
    for (name, values) in &order.attributes {
        check_text(&format!("{field}.attributes"), name, 64)?;
        if values.len() > MAX_ATTRIBUTE_VALUES {
            return Err(Failure::invalid(format!(
                "{field}.attributes.{name}: at most {MAX_ATTRIBUTE_VALUES} values"
            )));
        }
        for value in values {
            check_text(&format!("{field}.attributes.{name}"), value, MAX_REASON)?;
        }
    }
    Ok(())
}

/// Checks the context's names and sizes; names become flowdata paths.
fn check_context(context: &BTreeMap<String, Vec<String>>) -> Result<(), Failure> {
    if context.len() > MAX_CONTEXT_ATTRIBUTES {
        return Err(Failure::invalid(format!(
            "context: at most {MAX_CONTEXT_ATTRIBUTES} attributes"
        )));
    }
    for (name, values) in context {
        check_context_attribute("context", name, values)?;
    }
    Ok(())
}

/// A user subject other than the initiator needs the initiator to be their manager, or
/// the caller the right to act for others; anyone else is refused without saying whether
/// that user exists. An addOrder may name a user still to be created (a registration)
/// but not one who exists: that would let anyone start, say, the activation of someone
/// else's disabled account.
async fn check_subject(
    call: &Call<'_>,
    initiator: &UserName,
    subject: Option<&Order>,
) -> Result<(), Failure> {
    let Some(subject) = subject.filter(|s| s.object_type.eq_ignore_ascii_case("user")) else {
        return Ok(());
    };
    if has_right(call.user, Right::ActForOthers) {
        return Ok(());
    }
    let db = &call.state.db.connection;
    let lookup = |name: String| async move {
        user::Entity::find()
            .filter(user::Column::Username.eq(name))
            .one(db)
            .await
            .map_err(|e| Failure::from(WorkflowError::from(e)))
    };
    let target = lookup(subject.target_id.to_lowercase()).await?;
    if subject.order_type == OrderType::AddOrder {
        return match target {
            None => Ok(()),
            Some(_) => Err(Failure::denied()),
        };
    }
    if subject.target_id.eq_ignore_ascii_case(initiator.as_str()) {
        return Ok(());
    }
    let manager = lookup(initiator.to_string()).await?;
    match (manager, target) {
        (Some(manager), Some(target))
            if !target.disabled && target.manager_id == Some(manager.id) =>
        {
            Ok(())
        }
        _ => Err(Failure::denied()),
    }
}

/// The path of the definition the criteria name, or the best fitting one.
async fn chosen_definition(
    call: &Call<'_>,
    criteria: &DefinitionCriteria,
    subject: Option<&Order>,
    resources: &[Order],
) -> Result<String, Failure> {
    let workflows = &call.state.workflows;
    if let Some(names) = &criteria.name_filter {
        if let Some(path) = names.dn.as_ref().or(names.path.as_ref()) {
            let (stored, _) = workflows.latest_definition(path).await?;
            return Ok(stored.path);
        }
        if names.name.is_some() || names.value_assertion.is_some() {
            let found = workflows
                .latest_definitions()
                .await?
                .into_iter()
                .find(|(stored, definition)| names.matches(&stored.path, &definition.name))
                .ok_or(WorkflowError::DefinitionNotFound)?;
            return Ok(found.0.path);
        }
    }
    let mut resource: BTreeMap<String, Vec<String>> = BTreeMap::new();
    if let Some(first) = resources.first() {
        resource.extend(first.attributes.clone());
        resource.insert("kind".into(), vec![first.object_type.clone()]);
        resource.insert("name".into(), vec![first.target_id.clone()]);
        let item = catalog_item::Entity::find()
            .filter(catalog_item::Column::Name.eq(first.target_id.as_str()))
            .filter(catalog_item::Column::Kind.eq(first.object_type.as_str()))
            .one(&call.state.db.connection)
            .await
            .map_err(|e| Failure::from(WorkflowError::from(e)))?;
        if let Some(item) = item {
            resource.insert("category".into(), vec![item.category]);
        }
    }
    let facts = RequestFacts {
        operation: criteria.operation.clone(),
        subject_type: criteria
            .subject_type
            .clone()
            .or_else(|| subject.map(|s| s.object_type.clone())),
        resource_type: criteria
            .resource_type
            .clone()
            .or_else(|| resources.first().map(|r| r.object_type.clone())),
        request_workflow_type: criteria.request_workflow_type.clone(),
        initiator: BTreeMap::new(),
        subject: subject.map(|s| s.attributes.clone()).unwrap_or_default(),
        resource,
    };
    Ok(workflows.choose_definition(&facts).await?)
}

/// Starts a workflow from a creation request; the part createInstance and verify share.
async fn start(
    call: &Call<'_>,
    request: &CreateInstanceRequest,
    key: Option<IdempotencyKey>,
) -> Result<Instance, Failure> {
    if let Some(subject) = &request.subject {
        check_order("subject", subject)?;
    }
    if request.resources.len() > MAX_RESOURCES {
        return Err(Failure::invalid(format!(
            "resources: at most {MAX_RESOURCES} orders"
        )));
    }
    for (i, resource) in request.resources.iter().enumerate() {
        check_order(&format!("resources[{i}]"), resource)?;
    }
    check_context(&request.context)?;
    if let Some(id) = &request.cause_ref_id {
        check_text("causeRefID", id, MAX_TEXT)?;
    }
    let initiator = named_or_caller(
        call,
        request.initiator.as_deref(),
        "initiator",
        Right::ActForOthers,
    )?;
    check_subject(call, &initiator, request.subject.as_ref()).await?;
    let criteria = request.definition.as_ref();
    let path = chosen_definition(
        call,
        criteria.unwrap_or(&DefinitionCriteria::default()),
        request.subject.as_ref(),
        &request.resources,
    )
    .await?;
    let workflows = &call.state.workflows;
    let (_, definition) = workflows.latest_definition(&path).await?;
    // Context attributes named like form fields fill the form, checked as the form is.
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
            subject: request.subject.as_ref().map(model::Order::from),
            resources: request.resources.iter().map(model::Order::from).collect(),
            form,
        })
        .await
        .map_err(|error| match error {
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
        .map(|(name, values)| {
            (
                name.clone(),
                values.iter().map(|v| FlowValue::text(v.clone())).collect(),
            )
        })
        .collect();
    if let Some(cause) = &request.cause_ref_id {
        creation
            .context
            .insert("causeRefID".into(), vec![FlowValue::text(cause.clone())]);
    }
    creation.correlation_id = request.correlation_id.clone();
    Ok(match key {
        Some(key) => match workflows.create_once(creation, key).await {
            Err(WorkflowError::Duplicate(first)) => workflows.instance(&first).await?,
            other => other?,
        },
        None => workflows.create(creation).await?,
    })
}

/// Waits as the request asks; `None` when it asks no wait.
async fn wait_as_asked(
    call: &Call<'_>,
    request: &CreateInstanceRequest,
    instance: Instance,
) -> Result<(Instance, Option<bool>), Failure> {
    use crate::server::workflow::is_idle;
    if !request.wait_for_idle && !request.wait_for_termination {
        return Ok((instance, None));
    }
    let deadline = tokio::time::Instant::now() + request.wait();
    let for_termination = request.wait_for_termination;
    let (instance, timed_out) = call
        .state
        .workflows
        .wait_until(&instance.id, deadline, |i| {
            if for_termination {
                i.state.is_terminal()
            } else {
                is_idle(i)
            }
        })
        .await?;
    Ok((instance, Some(timed_out)))
}

pub struct CreateInstance;

impl Operation for CreateInstance {
    const NAME: &'static str = "createInstance";
    const SUMMARY: &'static str =
        "Start a workflow (optionally waiting until it is idle or has ended)";
    const FAULTS: &'static [FaultCode] = &[
        FaultCode::AccessDenied,
        FaultCode::DefinitionNotFound,
        FaultCode::NoApplicableDefinition,
        FaultCode::Conflict,
    ];
    type Request = CreateInstanceRequest;
    type Response = CreateInstanceResponse;

    async fn run(call: &Call<'_>, request: Self::Request) -> Result<Self::Response, Failure> {
        let key = call
            .idempotency_key
            .clone()
            .or_else(|| request.correlation_id.clone())
            .map(|key| {
                check_text("Idempotency-Key", &key, MAX_TEXT)?;
                Ok::<_, Failure>(IdempotencyKey {
                    caller: call.user.username.clone(),
                    key,
                })
            })
            .transpose()?;
        let instance = start(call, &request, key).await?;
        let (instance, timedout) = wait_as_asked(call, &request, instance).await?;
        let catalogue = Catalogue::load(call).await?;
        let facts = catalogue.facts(&instance, &call.language);
        let workflow_instance = match request.return_data {
            super::contract::ReturnData::Everything
            | super::contract::ReturnData::MatchingActivities => {
                Some(instance_view(&instance, &facts, |_| true))
            }
            _ => None,
        };
        Ok(CreateInstanceResponse {
            workflow_path: format!("{}/{}", instance.definition.id, instance.id),
            workflow_id: instance.id,
            workflow_instance,
            timedout,
        })
    }
}

wfs_request! {
    pub struct VerifyRequest {
        /// The name of the verification definition; default the applicable definition
        /// with operation `verify` for the subject.
        #[serde(default)]
        #[schemars(length(max = 256))]
        pub workflow_definition_name: Option<String>,
        #[serde(default)]
        #[schemars(pattern(super::contract::USER_NAME_PATTERN))]
        pub initiator: Option<String>,
        /// Typically an addOrder with the attributes of a user to be created.
        pub subject: Order,
        #[serde(default)]
        pub context: BTreeMap<String, Vec<String>>,
    }
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct VerifyResponse {
    #[serde(rename = "workflowID")]
    pub workflow_id: String,
    /// The error messages the verification workflow produced (its context attribute
    /// `errorMessage`); empty when the subject passed.
    pub error_message: Vec<String>,
    /// True when the workflow had not ended when `timeout` ran out.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timedout: Option<bool>,
}

pub struct Verify;

impl Operation for Verify {
    const NAME: &'static str = "verify";
    const SUMMARY: &'static str =
        "Run a verification workflow to its end and answer the errors it found";
    const FAULTS: &'static [FaultCode] = &[
        FaultCode::AccessDenied,
        FaultCode::DefinitionNotFound,
        FaultCode::NoApplicableDefinition,
    ];
    type Request = VerifyRequest;
    type Response = VerifyResponse;

    async fn run(call: &Call<'_>, request: Self::Request) -> Result<Self::Response, Failure> {
        let wait = request.wait();
        let creation = CreateInstanceRequest {
            request_id: None,
            domain: None,
            language: None,
            return_data: Default::default(),
            timeout: Some(wait.as_millis() as u64),
            definition: Some(DefinitionCriteria {
                name_filter: request
                    .workflow_definition_name
                    .clone()
                    .map(|name| NameFilter {
                        name: Some(name),
                        ..NameFilter::default()
                    }),
                operation: Some("verify".into()),
                subject_type: Some(request.subject.object_type.clone()),
                ..DefinitionCriteria::default()
            }),
            initiator: request.initiator,
            subject: Some(request.subject),
            resources: vec![],
            context: request.context,
            correlation_id: None,
            cause_ref_id: None,
            wait_for_termination: true,
            wait_for_idle: false,
        };
        let instance = start(call, &creation, None).await?;
        let (instance, timedout) = wait_as_asked(call, &creation, instance).await?;
        let error_message = super::contract::context_of(&instance)
            .remove("errorMessage")
            .unwrap_or_default();
        Ok(VerifyResponse {
            workflow_id: instance.id,
            error_message,
            timedout: timedout.filter(|t| *t),
        })
    }
}
