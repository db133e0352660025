//! Reading workflows: who may read one, decided once for the pages and the API, and a
//! workflow with the definition it runs on.

use crate::model::{SessionUser, WorkflowId};
use crate::server::entities::workflow_instance;
use crate::server::rights::{holds, ReadAllWorkflows};
use crate::server::workflow::{decode_stored, WorkflowError, Workflows};
use assent_engine::definition::Definition;
use assent_engine::runtime::model::Instance;
use sea_orm::EntityTrait;
use std::sync::Arc;

/// The requester, the subject, anyone ever asked, and those with the right may read it.
pub fn may_read(user: &SessionUser, instance: &Instance) -> bool {
    holds::<ReadAllWorkflows>(user)
        || instance.initiator == user.username
        || instance.subject_id() == user.username.as_str()
        || instance.ever_asked(&user.username)
}

/// A definition's title in `lang`, else its name.
pub fn definition_title(definition: &Definition, lang: &str) -> String {
    let title = definition.title.get(lang);
    if title.is_empty() {
        definition.name.clone()
    } else {
        title.to_owned()
    }
}

/// A step's title in `lang`, else its activity id made readable.
pub fn step_title(definition: &Definition, activity: &str, lang: &str) -> String {
    definition
        .activity(&assent_engine::definition::ActivityId(activity.to_owned()))
        .map(|a| a.title.get(lang).to_owned())
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| activity.replace('_', " "))
}

/// A workflow as stored, decoded, with the definition version it runs on.
pub struct OpenedWorkflow {
    pub stored: workflow_instance::Model,
    pub instance: Instance,
    pub definition: Arc<Definition>,
}

/// Reads a workflow and its definition in one go (the row once). Whether the caller may
/// see it is the caller's to decide on what this returns: the object actually loaded.
pub async fn with_definition(
    workflows: &Workflows,
    id: &WorkflowId,
) -> Result<OpenedWorkflow, WorkflowError> {
    let stored = workflow_instance::Entity::find_by_id(id.as_str())
        .one(&workflows.db)
        .await?
        .ok_or(WorkflowError::WorkflowNotFound)?;
    let instance = decode_stored(&stored)?;
    let definition = workflows.definition(stored.definition_id).await?;
    Ok(OpenedWorkflow {
        stored,
        instance,
        definition,
    })
}

/// A workflow's flowdata as the screens show it: each attribute's path and its values.
pub fn flowdata_texts(flowdata: &assent_engine::flowdata::FlowData) -> Vec<(String, Vec<String>)> {
    flowdata
        .attributes()
        .into_iter()
        .map(|(path, values)| (path, values.iter().map(|v| v.as_text()).collect()))
        .collect()
}
