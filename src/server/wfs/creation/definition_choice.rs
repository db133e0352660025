//! Which definition a createInstance starts: the one the portal would choose for the
//! same request, item by item; a named one only when it is that one, or when an
//! administrator forces it.

use crate::server::wfs::contract::{Criterion, NameFilter, Order};
use crate::server::wfs::{has_right, Call, Failure, FaultCode, Right};
use crate::server::workflow::WorkflowError;
use assent_engine::definition::{Definition, RequestFacts};
use schemars::JsonSchema;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Which definition to start: by id or path, else the best match of the other
/// criteria with the definitions' "when applicable" rules.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct DefinitionCriteria {
    pub name_filter: Option<NameFilter>,
    pub operation: Option<Criterion>,
    pub subject_type: Option<Criterion>,
    pub resource_type: Option<Criterion>,
    pub request_workflow_type: Option<Criterion>,
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
    let given = |criterion: &Option<Criterion>| criterion.clone().map(String::from);
    RequestFacts {
        operation: given(&criteria.operation),
        subject_type: given(&criteria.subject_type)
            .or_else(|| subject.map(|s| s.object_type.clone())),
        resource_type: given(&criteria.resource_type)
            .or_else(|| item.map(|(order, _)| order.object_type.clone())),
        request_workflow_type: given(&criteria.request_workflow_type),
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
        .is_some_and(|wanted| wanted.as_str() != first.object_type)
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
) -> Result<Option<(String, Arc<Definition>)>, Failure> {
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
pub(super) enum Choice {
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
pub(super) async fn chosen_definition(
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
        operation: Some(definition.operation.clone().into()),
        subject_type: criteria.subject_type.clone(),
        resource_type: criteria.resource_type.clone(),
        request_workflow_type: Some(definition.request_workflow_type.clone().into()),
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
