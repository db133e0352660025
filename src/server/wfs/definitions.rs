//! listDefinitions: the deployed definitions (newest version of each), filtered by the
//! contract's definitionFilter.

use super::contract::{wfs_request, Criterion, NameFilter, Order, LIST_FAULTS};
use super::{About, Call, Failure, Operation};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Criteria compared with the definitions' attributes; all given must match.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct DefinitionFilter {
    pub operation: Option<Criterion>,
    pub subject_type: Option<Criterion>,
    pub resource_type: Option<Criterion>,
    /// Accepted for the contract; every definition may be started by any initiator.
    #[allow(dead_code)] // accepted for the contract
    #[schemars(length(max = 64))]
    pub initiator: Option<String>,
    pub name_filter: Option<NameFilter>,
    /// Accepted for the contract; listing does not evaluate "when applicable".
    #[allow(dead_code)] // accepted for the contract
    pub subject: Option<Order>,
    #[allow(dead_code)] // accepted for the contract
    #[schemars(length(max = 100))]
    pub resources: Option<Vec<Order>>,
}

wfs_request! {
    pub struct ListDefinitionsRequest {
        #[serde(default)]
        pub definition_filter: Option<DefinitionFilter>,
    }
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct WorkflowDefinition {
    pub name: String,
    /// What createInstance's `definition.nameFilter.dn` takes.
    pub id: String,
    pub path: String,
    pub request_workflow_type: String,
    pub operation: String,
    pub subject_type: String,
    pub resource_type: String,
    /// In the request's language where the definition has it.
    pub title: String,
    pub description: String,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ListDefinitionsResponse {
    pub workflow_definition: Vec<WorkflowDefinition>,
}

pub struct ListDefinitions;

impl Operation for ListDefinitions {
    const ABOUT: About = About {
        name: "listDefinitions",
        summary: "The deployed workflow definitions matching a filter",
        faults: LIST_FAULTS,
    };
    type Request = ListDefinitionsRequest;
    type Response = ListDefinitionsResponse;

    async fn run(call: &Call<'_>, request: Self::Request) -> Result<Self::Response, Failure> {
        let filter = request.definition_filter.unwrap_or_default();
        let definitions = call.state.workflows.latest_definitions().await?;
        let workflow_definition = definitions
            .into_iter()
            .map(|(_, definition)| definition)
            .filter(|d| {
                Criterion::admits(filter.operation.as_ref(), &d.operation)
                    && Criterion::admits(filter.subject_type.as_ref(), &d.subject_type)
                    && Criterion::admits(filter.resource_type.as_ref(), &d.resource_type)
                    && filter
                        .name_filter
                        .as_ref()
                        .is_none_or(|names| names.matches(&d.path, &d.name))
            })
            .map(|d| WorkflowDefinition {
                name: d.name.clone(),
                id: d.path.clone(),
                path: d.path.clone(),
                request_workflow_type: d.request_workflow_type.clone(),
                operation: d.operation.clone(),
                subject_type: d.subject_type.clone(),
                resource_type: d.resource_type.clone(),
                title: d.title.get(&call.language).to_owned(),
                description: d.description.get(&call.language).to_owned(),
            })
            .collect();
        Ok(ListDefinitionsResponse {
            workflow_definition,
        })
    }
}
