//! Deploying definitions: checked first, stored as a new version, never changing an
//! existing one, so running instances finish on the version they started with.

use super::{WorkflowError, Workflows};
use crate::server::entities::workflow_definition as row;
use assent_engine::definition::{parse, Definition};
use assent_engine::runtime::rehearsal::{rehearse, Answer, Rehearsal};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder,
};
use std::path::Path;
use std::sync::Arc;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeployOutcome {
    Deployed {
        id: i32,
        path: String,
        version: i32,
    },
    /// The same text is already the newest version: nothing changed.
    Unchanged {
        id: i32,
        path: String,
        version: i32,
    },
}

impl Workflows {
    /// Checks and stores a definition; a rejected one changes nothing.
    pub async fn deploy(
        &self,
        file_name: &str,
        source: &str,
        deployed_by: Option<&str>,
    ) -> Result<DeployOutcome, WorkflowError> {
        let definition = parse(file_name, source).map_err(WorkflowError::InvalidDefinition)?;
        let latest = row::Entity::find()
            .filter(row::Column::Path.eq(&definition.path))
            .order_by_desc(row::Column::Version)
            .one(&self.db)
            .await?;
        if let Some(latest) = &latest {
            if latest.source == source {
                return Ok(DeployOutcome::Unchanged {
                    id: latest.id,
                    path: latest.path.clone(),
                    version: latest.version,
                });
            }
        }
        let version = latest.map(|l| l.version + 1).unwrap_or(1);
        let saved = row::ActiveModel {
            path: Set(definition.path.clone()),
            version: Set(version),
            name: Set(definition.name.clone()),
            file_name: Set(file_name.to_owned()),
            source: Set(source.to_owned()),
            deployed_at: Set(self.clock.now()),
            deployed_by: Set(deployed_by.map(str::to_owned)),
            ..Default::default()
        }
        .insert(&self.db)
        .await
        .map_err(|error| match error.sql_err() {
            Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => WorkflowError::Conflict,
            _ => WorkflowError::Database(error),
        })?;
        self.cache(saved.id, Arc::new(definition));
        tracing::info!(path = %saved.path, version, "definition deployed");
        Ok(DeployOutcome::Deployed {
            id: saved.id,
            path: saved.path,
            version,
        })
    }

    /// Deploys every `*.toml` in a folder, in name order. A bad file is reported and
    /// skipped, so one mistake does not keep the portal from starting.
    pub async fn deploy_folder(&self, folder: &Path) -> Result<Vec<DeployOutcome>, WorkflowError> {
        let Some(files) = toml_files(folder, "definitions") else {
            return Ok(Vec::new());
        };
        let mut outcomes = Vec::new();
        for (name, file) in files {
            let source = match std::fs::read_to_string(&file) {
                Ok(source) => source,
                Err(error) => {
                    tracing::error!(file = %file.display(), %error, "cannot read definition");
                    continue;
                }
            };
            match self.deploy(&name, &source, None).await {
                Ok(outcome) => outcomes.push(outcome),
                Err(WorkflowError::InvalidDefinition(errors)) => {
                    tracing::error!(%errors, "definition refused");
                }
                Err(other) => return Err(other),
            }
        }
        Ok(outcomes)
    }

    fn cache(&self, id: i32, definition: Arc<Definition>) {
        self.definitions
            .lock()
            .expect("definition cache lock")
            .insert(id, definition);
    }

    /// A deployed version, parsed once and kept.
    pub async fn definition(&self, id: i32) -> Result<Arc<Definition>, WorkflowError> {
        if let Some(found) = self
            .definitions
            .lock()
            .expect("definition cache lock")
            .get(&id)
        {
            return Ok(found.clone());
        }
        let stored = row::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or(WorkflowError::DefinitionNotFound)?;
        let definition = Arc::new(
            parse(&stored.file_name, &stored.source)
                .map_err(|e| WorkflowError::Corrupt(e.to_string()))?,
        );
        self.cache(id, definition.clone());
        Ok(definition)
    }

    /// Runs `new` on `definition` against the directory as it is now, every approval
    /// answered with `answer`; nothing is stored or sent.
    pub async fn rehearse(
        &self,
        definition: &Definition,
        new: assent_engine::runtime::NewInstance,
        answer: Answer,
    ) -> Result<Rehearsal, WorkflowError> {
        let snapshot = self.snapshot(&self.db).await?;
        let env = assent_engine::runtime::Env {
            now: super::to_timestamp(self.clock.now()),
            directory: &snapshot.directory,
            lookups: &snapshot.lookups,
        };
        Ok(rehearse(definition, new, &env, answer))
    }

    /// The newest version of every deployed definition.
    pub async fn latest_definitions(
        &self,
    ) -> Result<Vec<(row::Model, Arc<Definition>)>, WorkflowError> {
        let mut newest: std::collections::BTreeMap<String, row::Model> = Default::default();
        for stored in row::Entity::find().all(&self.db).await? {
            match newest.get(&stored.path) {
                Some(kept) if kept.version >= stored.version => {}
                _ => {
                    newest.insert(stored.path.clone(), stored);
                }
            }
        }
        let mut result = Vec::with_capacity(newest.len());
        for stored in newest.into_values() {
            let definition = self.definition(stored.id).await?;
            result.push((stored, definition));
        }
        Ok(result)
    }

    /// The path of the best-fitting definition for a request that names none.
    pub async fn choose_definition(
        &self,
        facts: &assent_engine::definition::RequestFacts,
    ) -> Result<String, WorkflowError> {
        let latest = self.latest_definitions().await?;
        assent_engine::definition::applicable(latest.iter().map(|(_, d)| d.as_ref()), facts)
            .first()
            .map(|d| d.path.clone())
            .ok_or(WorkflowError::NoApplicableDefinition)
    }

    /// The newest version of the definition at `path`.
    pub async fn latest_definition(
        &self,
        path: &str,
    ) -> Result<(row::Model, Arc<Definition>), WorkflowError> {
        let stored = row::Entity::find()
            .filter(row::Column::Path.eq(path))
            .order_by_desc(row::Column::Version)
            .one(&self.db)
            .await?
            .ok_or(WorkflowError::DefinitionNotFound)?;
        let definition = self.definition(stored.id).await?;
        Ok((stored, definition))
    }
}

/// The `*.toml` files of a folder of declarations (definitions, resources), each with its
/// file name, in name order; `None` (logged) when the folder cannot be read.
pub(crate) fn toml_files(folder: &Path, what: &str) -> Option<Vec<(String, std::path::PathBuf)>> {
    let mut files: Vec<_> = match std::fs::read_dir(folder) {
        Ok(entries) => entries
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .filter(|path| path.extension().is_some_and(|e| e == "toml"))
            .collect(),
        Err(error) => {
            tracing::warn!(folder = %folder.display(), %error, "no {what} folder");
            return None;
        }
    };
    files.sort();
    Some(
        files
            .into_iter()
            .map(|file| {
                let name = file
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                (name, file)
            })
            .collect(),
    )
}
