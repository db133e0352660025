//! listDefinitions: the deployed definitions (newest version of each), filtered by the
//! contract's definitionFilter.

use super::{parse_request, Common, Failure, FaultCode};
use crate::server::AppState;
use serde::Deserialize;
use serde_json::{json, Value};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[allow(dead_code)] // the common parameters are read before the operation's own parsing
struct ListDefinitions {
    #[serde(rename = "requestID")]
    request_id: Option<String>,
    domain: Option<String>,
    language: Option<String>,
    return_data: Option<String>,
    timeout: Option<u64>,
    definition_filter: Option<DefinitionFilter>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct DefinitionFilter {
    operation: Option<String>,
    subject_type: Option<String>,
    resource_type: Option<String>,
    /// Accepted for the contract; every definition may be started by any initiator.
    #[allow(dead_code)]
    initiator: Option<String>,
    name_filter: Option<NameFilter>,
    #[allow(dead_code)]
    subject: Option<Value>,
    #[allow(dead_code)]
    resources: Option<Vec<Value>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct NameFilter {
    dn: Option<String>,
    path: Option<String>,
    value_assertion: Option<Vec<ValueAssertion>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ValueAssertion {
    value: String,
    match_operation: MatchOperation,
}

#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "camelCase")]
enum MatchOperation {
    Equals,
    StartsWith,
    EndsWith,
    Contains,
}

impl ValueAssertion {
    fn matches(&self, name: &str) -> bool {
        let (name, value) = (name.to_lowercase(), self.value.to_lowercase());
        match self.match_operation {
            MatchOperation::Equals => name == value,
            MatchOperation::StartsWith => name.starts_with(&value),
            MatchOperation::EndsWith => name.ends_with(&value),
            MatchOperation::Contains => name.contains(&value),
        }
    }
}

pub async fn list(state: &AppState, common: &Common, body: &[u8]) -> Result<Value, Failure> {
    let request: ListDefinitions = parse_request(body)?;
    let same = |wanted: &Option<String>, actual: &str| {
        wanted
            .as_deref()
            .is_none_or(|w| w.eq_ignore_ascii_case(actual))
    };
    let definitions = state.workflows.latest_definitions().await?;
    let found: Vec<Value> = definitions
        .into_iter()
        .map(|(_, definition)| definition)
        .filter(|d| match &request.definition_filter {
            None => true,
            Some(filter) => {
                same(&filter.operation, &d.operation)
                    && same(&filter.subject_type, &d.subject_type)
                    && same(&filter.resource_type, &d.resource_type)
                    && filter.name_filter.as_ref().is_none_or(|names| {
                        names.dn.as_deref().is_none_or(|id| id == d.path)
                            && names.path.as_deref().is_none_or(|path| path == d.path)
                            && names
                                .value_assertion
                                .as_ref()
                                .is_none_or(|all| all.iter().all(|a| a.matches(&d.name)))
                    })
            }
        })
        .map(|d| {
            json!({
                "name": d.name,
                "id": d.path,
                "path": d.path,
                "requestWorkflowType": d.request_workflow_type,
                "title": d.title.get(&common.language),
                "description": d.description.get(&common.language),
            })
        })
        .collect();
    if found.is_empty() && request.definition_filter.is_none() {
        return Err(Failure::new(
            FaultCode::InternalError,
            "no workflow definition is deployed",
        ));
    }
    Ok(json!({ "workflowDefinition": found }))
}
