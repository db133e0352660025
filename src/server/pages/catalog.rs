//! The catalog of requestable items, searched by words and narrowed by category.

use super::{fail, require_user, state};
use crate::app::types::{Catalog, CatalogLine};
use crate::model::AppError;
use crate::server::entities::{catalog_item, user};
use sea_orm::{EntityTrait, QueryOrder};
use std::collections::HashMap;

/// One catalog item as the pages show it, with its owner's name.
pub(super) fn catalog_line(
    item: catalog_item::Model,
    owners: &HashMap<i32, String>,
) -> CatalogLine {
    CatalogLine {
        owner: owners.get(&item.owner_id).cloned().unwrap_or_default(),
        id: item.id,
        kind: item.kind,
        name: item.name,
        category: item.category,
        description: item.description,
    }
}

/// Every user's display name by id, to name the items' owners.
pub(super) async fn owner_names(
    db: &sea_orm::DatabaseConnection,
) -> Result<HashMap<i32, String>, AppError> {
    Ok(user::Entity::find()
        .all(db)
        .await
        .map_err(|e| fail(e.into()))?
        .into_iter()
        .map(|u| (u.id, u.display_name))
        .collect())
}

pub async fn catalog(query: Option<String>, category: Option<String>) -> Result<Catalog, AppError> {
    require_user().await?;
    let db = &state()?.db.connection;
    let owners = owner_names(db).await?;
    let all = catalog_item::Entity::find()
        .order_by_asc(catalog_item::Column::Name)
        .all(db)
        .await
        .map_err(|e| fail(e.into()))?;
    let mut categories: Vec<String> = all.iter().map(|i| i.category.clone()).collect();
    categories.sort();
    categories.dedup();
    let words: Vec<String> = query
        .unwrap_or_default()
        .split_whitespace()
        .take(8)
        .map(str::to_lowercase)
        .collect();
    let category = category.filter(|c| !c.is_empty());
    let items = all
        .into_iter()
        .filter(|item| category.as_ref().is_none_or(|c| &item.category == c))
        .filter(|item| {
            let text =
                format!("{} {} {}", item.name, item.description, item.category).to_lowercase();
            words.iter().all(|w| text.contains(w.as_str()))
        })
        .map(|item| catalog_line(item, &owners))
        .collect();
    Ok(Catalog { items, categories })
}
