//! Starting workflows: createInstance (optionally waiting until the workflow is idle or
//! has ended) and verify (runs a verification workflow to its end and answers its error
//! messages).

use super::contract::{
    check_context_attribute, instance_view, wfs_request, CommonParameters, NameFilter, Order,
    OrderType, WorkflowInstanceView, MAX_ATTRIBUTE_VALUES, MAX_REASON, MAX_TEXT,
};
use super::instances::Catalogue;
use super::{audit, has_right, named_or_caller, Call, Failure, FaultCode, Operation, Right};
use crate::server::entities::{catalog_item, user};
use crate::server::workflow::{IdempotencyKey, SubmitRequest, WaitSlot, WorkflowError};
use assent_engine::definition::{Definition, RequestFacts};
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

/// The one object type a subject may have: every definition's subject is a user account.
const SUBJECT_OBJECT_TYPE: &str = "user";

/// Checks the subject against the caller's rights over that account, whatever the order
/// says. Whether the initiator may start the definition for this subject at all (self,
/// manager, group, administrator) is the workflow layer's `starters` check, for the
/// portal and the API alike; this adds what only the API can ask:
/// - the object type must be `user` (anything else could slip past every user check);
/// - an addOrder (a registration) for an account that already exists needs the right to
///   manage accounts, or anyone could start the activation of someone's disabled account;
/// - any other order on a disabled or unknown account needs the same right, and the
///   refusal does not say which of the two it was;
/// - acting as another initiator never reaches the caller's own account.
async fn check_subject(
    call: &Call<'_>,
    initiator: &UserName,
    subject: Option<&Order>,
) -> Result<(), Failure> {
    let Some(subject) = subject else {
        return Ok(());
    };
    // Exactly: the engine knows a subject user by this very word, so "USER" would
    // slip past its exclusions.
    if subject.object_type != SUBJECT_OBJECT_TYPE {
        return Err(Failure::invalid(format!(
            "subject.objectType: unknown object type {:?}; a subject is a {SUBJECT_OBJECT_TYPE}",
            subject.object_type.chars().take(64).collect::<String>()
        )));
    }
    let name = UserName::parse(&subject.target_id)
        .map_err(|_| Failure::invalid("subject.targetID: not a user name"))?;
    if &call.user.username != initiator && name == call.user.username {
        // Acting for someone else on one's own account.
        return Err(Failure::denied());
    }
    let manages_accounts = has_right(call.user, Right::ManageAccounts);
    let account = user::Entity::find()
        .filter(user::Column::Username.eq(name.as_str()))
        .one(&call.state.db.connection)
        .await
        .map_err(|e| Failure::from(WorkflowError::from(e)))?;
    let allowed = match (subject.order_type, account) {
        (OrderType::AddOrder, None) => true,
        (OrderType::AddOrder, Some(_)) => manages_accounts,
        (_, Some(account)) if !account.disabled => true,
        (_, _) => manages_accounts,
    };
    if allowed {
        Ok(())
    } else {
        Err(Failure::denied())
    }
}

/// Every requested item must be in the catalog under the object type the order names
/// (the error names the first that is not); their categories, in the orders' order.
async fn catalog_categories(call: &Call<'_>, resources: &[Order]) -> Result<Vec<String>, Failure> {
    let mut categories = Vec::with_capacity(resources.len());
    for (i, resource) in resources.iter().enumerate() {
        let found = catalog_item::Entity::find()
            .filter(catalog_item::Column::Name.eq(resource.target_id.as_str()))
            .filter(catalog_item::Column::Kind.eq(resource.object_type.as_str()))
            .one(&call.state.db.connection)
            .await
            .map_err(|e| Failure::from(WorkflowError::from(e)))?;
        let Some(item) = found else {
            return Err(Failure::invalid(format!(
                "resources[{i}]: there is no {} {:?} in the catalog",
                resource.object_type.chars().take(64).collect::<String>(),
                resource
                    .target_id
                    .chars()
                    .take(MAX_TEXT)
                    .collect::<String>()
            )));
        };
        categories.push(item.category);
    }
    Ok(categories)
}

/// What the request says about itself and one requested item (with its catalog
/// category), for choosing its definition.
fn request_facts(
    criteria: &DefinitionCriteria,
    subject: Option<&Order>,
    item: Option<(&Order, &str)>,
) -> RequestFacts {
    let mut resource: BTreeMap<String, Vec<String>> = BTreeMap::new();
    if let Some((order, category)) = item {
        resource.extend(order.attributes.clone());
        resource.insert("kind".into(), vec![order.object_type.clone()]);
        resource.insert("name".into(), vec![order.target_id.clone()]);
        resource.insert("category".into(), vec![category.to_owned()]);
    }
    RequestFacts {
        operation: criteria.operation.clone(),
        subject_type: criteria
            .subject_type
            .clone()
            .or_else(|| subject.map(|s| s.object_type.clone())),
        resource_type: criteria
            .resource_type
            .clone()
            .or_else(|| item.map(|(order, _)| order.object_type.clone())),
        request_workflow_type: criteria.request_workflow_type.clone(),
        initiator: BTreeMap::new(),
        subject: subject.map(|s| s.attributes.clone()).unwrap_or_default(),
        resource,
    }
}

/// The definition that applies to every requested item, as the portal's cart groups
/// them: each item is matched on its own (the rules read one resource's kind, category,
/// name), and items that different definitions decide cannot share one request, or the
/// first item's (weaker) workflow would decide them all. The resource type is the
/// orders' own: one type per request, and a `resourceType` criterion must agree.
async fn applicable_to_all(
    call: &Call<'_>,
    criteria: &DefinitionCriteria,
    subject: Option<&Order>,
    resources: &[Order],
    categories: &[String],
) -> Result<String, Failure> {
    let workflows = &call.state.workflows;
    let Some(first) = resources.first() else {
        let facts = request_facts(criteria, subject, None);
        return Ok(workflows.choose_definition(&facts).await?);
    };
    if resources.iter().any(|r| r.object_type != first.object_type) {
        return Err(Failure::invalid(
            "resources: all items of one request must have the same objectType",
        ));
    }
    if criteria
        .resource_type
        .as_ref()
        .is_some_and(|wanted| *wanted != first.object_type)
    {
        return Err(Failure::invalid(
            "definition.resourceType: must be the objectType of the requested items",
        ));
    }
    let mut chosen: Option<String> = None;
    for (resource, category) in resources.iter().zip(categories) {
        let facts = request_facts(criteria, subject, Some((resource, category)));
        let path = workflows.choose_definition(&facts).await?;
        match &chosen {
            Some(earlier) if *earlier != path => {
                return Err(Failure::invalid(
                    "resources: these items are decided by different workflows; request them separately",
                ))
            }
            Some(_) => {}
            None => chosen = Some(path),
        }
    }
    chosen.ok_or_else(|| WorkflowError::NoApplicableDefinition.into())
}

/// The definition the criteria name, if they name one.
async fn named_definition(
    call: &Call<'_>,
    names: &NameFilter,
) -> Result<Option<(String, std::sync::Arc<Definition>)>, Failure> {
    let workflows = &call.state.workflows;
    if let Some(path) = names.dn.as_ref().or(names.path.as_ref()) {
        let (stored, definition) = workflows.latest_definition(path).await?;
        return Ok(Some((stored.path, definition)));
    }
    if names.name.is_some() || names.value_assertion.is_some() {
        let found = workflows
            .latest_definitions()
            .await?
            .into_iter()
            .find(|(stored, definition)| names.matches(&stored.path, &definition.name))
            .ok_or(WorkflowError::DefinitionNotFound)?;
        return Ok(Some((found.0.path, found.1)));
    }
    Ok(None)
}

/// How the definition was chosen, for the audit trail.
enum Choice {
    /// The one that applies (named or not).
    Applicable(String),
    /// Named by an administrator although another applies.
    Forced { path: String, applicable: String },
}

/// The definition that applies to the request, the same choice the portal makes. A
/// named definition must be that one (among those for its operation and workflow type),
/// else `noApplicableDefinition`: naming a weaker workflow must not skip, say, the
/// segregation-of-duties check. Only an administrator may force another, and that is
/// audited by the caller.
async fn chosen_definition(
    call: &Call<'_>,
    criteria: &DefinitionCriteria,
    subject: Option<&Order>,
    resources: &[Order],
    categories: &[String],
) -> Result<Choice, Failure> {
    let named = match &criteria.name_filter {
        Some(names) => named_definition(call, names).await?,
        None => None,
    };
    let Some((path, definition)) = named else {
        return Ok(Choice::Applicable(
            applicable_to_all(call, criteria, subject, resources, categories).await?,
        ));
    };
    let narrowed = DefinitionCriteria {
        name_filter: None,
        operation: Some(definition.operation.clone()),
        subject_type: criteria.subject_type.clone(),
        resource_type: criteria.resource_type.clone(),
        request_workflow_type: Some(definition.request_workflow_type.clone()),
    };
    let applicable = applicable_to_all(call, &narrowed, subject, resources, categories).await;
    match applicable {
        Err(mistake) if mistake.code == FaultCode::InvalidRequest => Err(mistake),
        Ok(applicable) if applicable == path => Ok(Choice::Applicable(path)),
        _ if has_right(call.user, Right::ForceDefinition) => Ok(Choice::Forced {
            path,
            applicable: applicable.unwrap_or_else(|_| "none".to_owned()),
        }),
        _ => Err(WorkflowError::NoApplicableDefinition.into()),
    }
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
    let categories = catalog_categories(call, &request.resources).await?;
    let criteria = request.definition.as_ref();
    let choice = chosen_definition(
        call,
        criteria.unwrap_or(&DefinitionCriteria::default()),
        request.subject.as_ref(),
        &request.resources,
        &categories,
    )
    .await?;
    let (path, forced_over) = match choice {
        Choice::Applicable(path) => (path, None),
        Choice::Forced { path, applicable } => (path, Some(applicable)),
    };
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
    // Started by someone acting for the initiator: the workflow keeps who really did.
    let acting_for = (call.user.username != creation.initiator).then(|| creation.initiator.clone());
    if acting_for.is_some() {
        creation.context.insert(
            "startedBy".into(),
            vec![FlowValue::text(call.user.username.to_string())],
        );
    }
    creation.correlation_id = request.correlation_id.clone();
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

/// A waiting slot when the request asks to wait, taken before anything is created.
fn slot_if_waiting(
    call: &Call<'_>,
    request: &CreateInstanceRequest,
) -> Result<Option<WaitSlot>, Failure> {
    if !request.wait_for_idle && !request.wait_for_termination {
        return Ok(None);
    }
    Ok(Some(call.state.workflows.wait_slot(&call.user.username)?))
}

/// Waits as the request asks; `None` when it asks no wait.
async fn wait_as_asked(
    call: &Call<'_>,
    request: &CreateInstanceRequest,
    slot: Option<WaitSlot>,
    instance: Instance,
) -> Result<(Instance, Option<bool>), Failure> {
    use crate::server::workflow::is_idle;
    let Some(slot) = slot else {
        return Ok((instance, None));
    };
    let deadline = tokio::time::Instant::now() + request.wait();
    let for_termination = request.wait_for_termination;
    let (instance, timed_out) = call
        .state
        .workflows
        .wait_until(&slot, &instance.id, deadline, |i| {
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
        FaultCode::TooManyRequests,
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
                let window =
                    chrono::Duration::hours(i64::from(call.state.config.idempotency_hours));
                Ok::<_, Failure>(IdempotencyKey {
                    caller: call.user.username.clone(),
                    key,
                    request_hash: call.request_digest.clone(),
                    not_before: call.state.workflows.now() - window,
                })
            })
            .transpose()?;
        let slot = slot_if_waiting(call, &request)?;
        let instance = start(call, &request, key).await?;
        let (instance, timedout) = wait_as_asked(call, &request, slot, instance).await?;
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
        FaultCode::TooManyRequests,
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
        let slot = slot_if_waiting(call, &creation)?;
        let instance = start(call, &creation, None).await?;
        let (instance, timedout) = wait_as_asked(call, &creation, slot, instance).await?;
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
