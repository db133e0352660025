//! Resource declarations: one TOML file per target system in the resources folder,
//! checked at deploy (every mistake at its `file:line`), stored as a new version when the
//! text changed, never changing an earlier version.

use crate::server::entities::provisioning_resource as row;
use crate::server::workflow::toml_files;
use assent_engine::definition::DefinitionErrors;
use assent_engine::provisioning::{parse_resource, Resource};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, DbErr, EntityTrait,
    QueryFilter, QueryOrder,
};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, RwLock};

/// The newest version of every deployed resource, swapped whole on each deploy.
#[derive(Clone, Default)]
pub struct ResourceCatalog(Arc<RwLock<Arc<Vec<Arc<Resource>>>>>);

impl ResourceCatalog {
    pub fn current(&self) -> Arc<Vec<Arc<Resource>>> {
        self.0
            .read()
            .map(|current| current.clone())
            .unwrap_or_default()
    }

    fn replace(&self, resources: Vec<Arc<Resource>>) {
        if let Ok(mut current) = self.0.write() {
            *current = Arc::new(resources);
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ResourceDeployError {
    #[error("the resource is invalid:\n{0}")]
    Invalid(DefinitionErrors),
    #[error("database error: {0}")]
    Database(#[from] DbErr),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceVersion {
    pub key: String,
    pub version: i32,
    /// False when the same text was already the newest version.
    pub changed: bool,
}

/// Checks and stores one declaration; a refused one changes nothing.
pub async fn deploy(
    db: &DatabaseConnection,
    catalog: &ResourceCatalog,
    file_name: &str,
    source: &str,
    deployed_by: Option<&str>,
) -> Result<ResourceVersion, ResourceDeployError> {
    let resource = parse_resource(file_name, source).map_err(ResourceDeployError::Invalid)?;
    let key = resource.key.as_str().to_owned();
    let latest = row::Entity::find()
        .filter(row::Column::Key.eq(&key))
        .order_by_desc(row::Column::Version)
        .one(db)
        .await?;
    if let Some(latest) = latest.as_ref().filter(|latest| latest.source == source) {
        return Ok(ResourceVersion {
            key,
            version: latest.version,
            changed: false,
        });
    }
    let version = latest.map(|l| l.version + 1).unwrap_or(1);
    row::ActiveModel {
        key: Set(key.clone()),
        version: Set(version),
        file_name: Set(file_name.to_owned()),
        source: Set(source.to_owned()),
        deployed_at: Set(chrono::Utc::now()),
        deployed_by: Set(deployed_by.map(str::to_owned)),
        ..Default::default()
    }
    .insert(db)
    .await?;
    tracing::info!(resource = %key, version, "resource deployed");
    reload(db, catalog).await?;
    Ok(ResourceVersion {
        key,
        version,
        changed: true,
    })
}

/// Deploys every `*.toml` of a folder, in name order. A bad file is reported and
/// skipped, so one mistake does not keep the portal from starting.
pub async fn deploy_folder(
    db: &DatabaseConnection,
    catalog: &ResourceCatalog,
    folder: &Path,
) -> Result<(), DbErr> {
    let files = toml_files(folder, "resources").unwrap_or_default();
    for (name, file) in files {
        match std::fs::read_to_string(&file) {
            Ok(source) => match deploy(db, catalog, &name, &source, None).await {
                Ok(_) => {}
                Err(ResourceDeployError::Invalid(errors)) => {
                    tracing::error!(%errors, "resource refused");
                }
                Err(ResourceDeployError::Database(error)) => return Err(error),
            },
            Err(error) => tracing::error!(file = %file.display(), %error, "cannot read resource"),
        }
    }
    reload(db, catalog).await
}

/// Reads the newest version of every resource into the catalog.
pub async fn reload(db: &DatabaseConnection, catalog: &ResourceCatalog) -> Result<(), DbErr> {
    let mut newest: BTreeMap<String, row::Model> = BTreeMap::new();
    for stored in row::Entity::find().all(db).await? {
        match newest.get(&stored.key) {
            Some(kept) if kept.version >= stored.version => {}
            _ => {
                newest.insert(stored.key.clone(), stored);
            }
        }
    }
    let resources = newest
        .into_values()
        .filter_map(
            |stored| match parse_resource(&stored.file_name, &stored.source) {
                Ok(resource) => Some(Arc::new(resource)),
                Err(errors) => {
                    // Checked at deploy; only a newer engine could refuse it now.
                    tracing::error!(%errors, "a stored resource no longer reads");
                    None
                }
            },
        )
        .collect();
    catalog.replace(resources);
    Ok(())
}

/// Every stored version, newest first, for the administrators' page.
pub async fn versions(db: &DatabaseConnection) -> Result<Vec<row::Model>, DbErr> {
    row::Entity::find()
        .order_by_asc(row::Column::Key)
        .order_by_desc(row::Column::Version)
        .all(db)
        .await
}
