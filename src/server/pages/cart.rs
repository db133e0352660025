//! The cart: several catalog items requested in one go, for oneself or for someone the
//! requester may request for. Items approved by the same workflow travel in one request;
//! every group's form is checked before any workflow starts. The cart lives in the
//! session, so it works without JavaScript.

use super::catalog::{catalog_line, owner_names};
use super::request::{field_views, item_and_definition};
use super::{after_form_post, fail, form_invalid, require_user, state, title_of};
use crate::app::types::{CartGroup, CartOutcome, CartView};
use crate::model::AppError;
use crate::model::SessionUser;
use crate::server::entities::user;
use crate::server::workflow::{SubmitRequest, WorkflowError};
use assent_engine::runtime::model::{Order, OrderType};
use assent_engine::{Role, UserName};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::BTreeMap;
use tower_sessions::Session;

const CART_KEY: &str = "cart";
pub const MAX_CART_ITEMS: usize = 20;
/// Administrators may request for anyone; the choice lists at most this many people.
const MAX_SUBJECTS: u64 = 500;

async fn session() -> Result<Session, AppError> {
    leptos_axum::extract::<Session>().await.map_err(|error| {
        tracing::error!(%error, "no session for the cart");
        fail(AppError::Internal)
    })
}

async fn cart_items(session: &Session) -> Result<Vec<i32>, AppError> {
    session
        .get::<Vec<i32>>(CART_KEY)
        .await
        .map(Option::unwrap_or_default)
        .map_err(|error| {
            tracing::error!(%error, "reading the cart");
            fail(AppError::Internal)
        })
}

async fn store(session: &Session, items: &[i32]) -> Result<(), AppError> {
    session.insert(CART_KEY, items).await.map_err(|error| {
        tracing::error!(%error, "writing the cart");
        fail(AppError::Internal)
    })
}

/// The people `me` may request for: themselves first, then their direct reports
/// (anyone active, for an administrator).
pub async fn requestable_subjects(me: &SessionUser) -> Result<Vec<(String, String)>, AppError> {
    let db = &state()?.db.connection;
    let mut select = user::Entity::find()
        .filter(user::Column::Disabled.eq(false))
        .filter(user::Column::Id.ne(me.user_id));
    if !me.has_role(Role::Admin) {
        select = select.filter(user::Column::ManagerId.eq(me.user_id));
    }
    let others = select
        .order_by_asc(user::Column::DisplayName)
        .limit(MAX_SUBJECTS)
        .all(db)
        .await
        .map_err(|e| fail(e.into()))?;
    Ok(
        std::iter::once((me.username.to_string(), me.display_name.clone()))
            .chain(others.into_iter().map(|u| (u.username, u.display_name)))
            .collect(),
    )
}

/// The subject of a request by `me`: themselves unless they name someone they may
/// request for. Anyone else is refused without saying whether that user exists.
pub async fn subject_for(me: &SessionUser, subject: Option<String>) -> Result<UserName, AppError> {
    let Some(named) = subject
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
    else {
        return Ok(me.username.clone());
    };
    if named == me.username.as_str() {
        return Ok(me.username.clone());
    }
    let refused = || {
        fail(AppError::Invalid(
            "Requested for: you may request only for yourself and the people who report to you."
                .into(),
        ))
    };
    let name = UserName::parse(&named).map_err(|_| refused())?;
    let db = &state()?.db.connection;
    let found = user::Entity::find()
        .filter(user::Column::Username.eq(name.as_str()))
        .filter(user::Column::Disabled.eq(false))
        .one(db)
        .await
        .map_err(|e| fail(e.into()))?
        .ok_or_else(refused)?;
    if me.has_role(Role::Admin) || found.manager_id == Some(me.user_id) {
        Ok(name)
    } else {
        Err(refused())
    }
}

pub async fn cart_count() -> Result<u32, AppError> {
    require_user().await?;
    Ok(cart_items(&session().await?).await?.len() as u32)
}

pub async fn add(item_id: i32) -> Result<String, AppError> {
    require_user().await?;
    let (item, _, _) = item_and_definition(item_id).await?;
    let session = session().await?;
    let mut items = cart_items(&session).await?;
    if items.contains(&item_id) {
        return Ok(format!("{} is already in your cart.", item.name));
    }
    if items.len() >= MAX_CART_ITEMS {
        return Err(fail(AppError::Invalid(format!(
            "A cart holds at most {MAX_CART_ITEMS} items."
        ))));
    }
    items.push(item_id);
    store(&session, &items).await?;
    Ok(format!("{} added to your cart.", item.name))
}

pub async fn remove(item_id: i32) -> Result<String, AppError> {
    require_user().await?;
    let session = session().await?;
    let mut items = cart_items(&session).await?;
    items.retain(|id| *id != item_id);
    store(&session, &items).await?;
    Ok("Removed from your cart.".into())
}

/// The cart's items grouped by the definition that applies to each, in cart order.
async fn groups(
    items: &[i32],
) -> Result<
    Vec<(
        String,
        std::sync::Arc<assent_engine::definition::Definition>,
        Vec<crate::server::entities::catalog_item::Model>,
    )>,
    AppError,
> {
    let mut groups: Vec<(String, _, Vec<_>)> = Vec::new();
    for item_id in items {
        let (item, path, definition) = match item_and_definition(*item_id).await {
            Ok(found) => found,
            // An item removed from the catalog since it was added simply drops out.
            Err(AppError::NotFound) => continue,
            Err(other) => return Err(other),
        };
        match groups.iter_mut().find(|(p, _, _)| *p == path) {
            Some((_, _, members)) => members.push(item),
            None => groups.push((path, definition, vec![item])),
        }
    }
    Ok(groups)
}

pub async fn view() -> Result<CartView, AppError> {
    let me = require_user().await?;
    let items = cart_items(&session().await?).await?;
    let owners = owner_names(&state()?.db.connection).await?;
    let groups = groups(&items)
        .await?
        .into_iter()
        .map(|(_, definition, members)| CartGroup {
            workflow: title_of(&definition),
            fields: field_views(&definition),
            items: members
                .into_iter()
                .map(|item| catalog_line(item, &owners))
                .collect(),
        })
        .collect();
    Ok(CartView {
        groups,
        subjects: requestable_subjects(&me).await?,
    })
}

/// Starts one workflow per group. `fields` are named `g{group}_{field}` (group from 0;
/// a dot or a leading digit would be read as structure by the form decoder).
pub async fn submit(
    subject: Option<String>,
    fields: BTreeMap<String, Vec<String>>,
) -> Result<CartOutcome, AppError> {
    let me = require_user().await?;
    let subject = subject_for(&me, subject).await?;
    let session = session().await?;
    let items = cart_items(&session).await?;
    let groups = groups(&items).await?;
    if groups.is_empty() {
        return Err(fail(AppError::Invalid("Your cart is empty.".into())));
    }
    let mut by_group: Vec<BTreeMap<String, Vec<String>>> = vec![BTreeMap::new(); groups.len()];
    let typed = fields.clone();
    for (key, values) in fields {
        let parsed = key
            .strip_prefix('g')
            .and_then(|rest| rest.split_once('_'))
            .and_then(|(group, name)| group.parse::<usize>().ok().map(|g| (g, name.to_owned())));
        match parsed {
            Some((group, name)) if group < by_group.len() => {
                by_group[group].insert(name, values);
            }
            _ => {
                return Err(fail(AppError::Invalid(format!(
                    "{key}: not a field of this cart."
                ))))
            }
        }
    }
    let workflows = state()?.workflows;
    let order = |object_type: &str, id: &str| Order::new(OrderType::AddOrder, object_type, id);
    let mut prepared = Vec::with_capacity(groups.len());
    let mut errors = Vec::new();
    for (index, ((path, _, members), form)) in groups.into_iter().zip(by_group).enumerate() {
        let request = SubmitRequest {
            definition_path: path,
            initiator: me.username.clone(),
            subject: Some(order("user", subject.as_str())),
            resources: members.iter().map(|m| order(&m.kind, &m.name)).collect(),
            form,
        };
        match workflows.prepare(request).await {
            Ok(creation) => prepared.push(creation),
            Err(WorkflowError::InvalidForm(problems)) => errors.extend(
                problems
                    .into_iter()
                    .map(|p| (format!("g{index}_{}", p.field), p.message)),
            ),
            Err(other) => return Err(fail(other.into())),
        }
    }
    if !errors.is_empty() {
        return Err(fail(form_invalid(errors, typed)));
    }
    let mut workflow_ids = Vec::with_capacity(prepared.len());
    for creation in prepared {
        let instance = workflows
            .create(creation)
            .await
            .map_err(|e| fail(e.into()))?;
        workflow_ids.push(instance.id);
    }
    store(&session, &[]).await?;
    after_form_post(&format!("/requests?submitted={}", workflow_ids.len())).await;
    Ok(CartOutcome::Started { workflow_ids })
}
