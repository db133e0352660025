//! One change applied to the identity store: users, their manager and department,
//! group memberships and further attributes. Every refusal says why in words an
//! administrator can act on. Every refusal is decided before the first write, so a
//! refused change leaves nothing behind without a savepoint (two round trips an event
//! saved); nothing here commits.

use super::known::Known;
use crate::server::entities::{user, user_role};
use crate::server::workflow::placeholders;
use assent_engine::changes::{Change, UserAttributes};
use assent_engine::{Role, UserName};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, Set, Statement,
};

/// How far up a manager chain is followed looking for a cycle; deeper chains are refused
/// rather than followed forever.
const MAX_MANAGER_DEPTH: usize = 64;

#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    /// The change cannot be applied as it stands; the text is for administrators.
    #[error("{0}")]
    Refused(String),
    #[error(transparent)]
    Database(#[from] DbErr),
}

fn refused(why: impl Into<String>) -> ApplyError {
    ApplyError::Refused(why.into())
}

/// What else must follow once the change is committed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Consequences {
    /// The user can no longer act: their open items go to whoever takes over.
    pub disabled: bool,
    /// Their manager changed: open manager approvals of their requests ask again.
    pub manager_changed: bool,
    /// They left a group: pool items of that group no longer wait for them.
    pub left_group: bool,
}

/// Applies `change` to the store through `db` (the caller's transaction): refused before
/// anything is written, or written whole.
pub async fn apply(
    db: &impl ConnectionTrait,
    known: &mut Known,
    change: &Change,
    now: DateTime<Utc>,
) -> Result<Consequences, ApplyError> {
    match change {
        Change::CreateUser { user, attributes } => create(db, known, user, attributes, now).await,
        Change::ModifyUser { user, attributes } => {
            let existing = find(db, known, user).await?;
            modify(db, known, existing, attributes).await
        }
        Change::DeleteUser { user } => {
            let existing = find(db, known, user).await?;
            if existing.disabled {
                return Ok(Consequences::default());
            }
            let only_delete = UserAttributes {
                enabled: Some(false),
                ..UserAttributes::default()
            };
            modify(db, known, existing, &only_delete).await
        }
        Change::Membership {
            user,
            group,
            member,
        } => membership(db, known, user, group, *member).await,
    }
}

async fn find(
    db: &impl ConnectionTrait,
    known: &mut Known,
    name: &UserName,
) -> Result<user::Model, ApplyError> {
    known
        .user(db, name)
        .await?
        .ok_or_else(|| refused(format!("unknown user {name}")))
}

async fn create(
    db: &impl ConnectionTrait,
    known: &mut Known,
    name: &UserName,
    attributes: &UserAttributes,
    now: DateTime<Utc>,
) -> Result<Consequences, ApplyError> {
    if known.user(db, name).await?.is_some() {
        return Err(refused(format!(
            "user {name} already exists (a change to them is a modify event)"
        )));
    }
    let Some(display_name) = attributes.display_name.clone() else {
        return Err(refused("a new user needs a displayName"));
    };
    let manager_id = match &attributes.manager {
        Some(Some(manager)) if manager == name => {
            return Err(refused(format!("{name} cannot be their own manager")))
        }
        Some(Some(manager)) => Some(manager_id(db, known, manager).await?),
        _ => None,
    };
    let others = other_attributes(attributes)?;
    let department_id = match &attributes.department {
        Some(Some(department)) => Some(known.department(db, department).await?),
        _ => None,
    };
    let created = user::ActiveModel {
        username: Set(name.to_string()),
        display_name: Set(display_name),
        email: Set(attributes.email.clone().unwrap_or_default()),
        title: Set(attributes.title.clone().unwrap_or_default()),
        department_id: Set(department_id),
        manager_id: Set(manager_id),
        disabled: Set(attributes.enabled == Some(false)),
        // No password: they log in once they have one or activate their account.
        password_hash: Set(None),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    user_role::Entity::insert(user_role::ActiveModel {
        user_id: Set(created.id),
        role: Set(Role::Requester.as_str().to_owned()),
    })
    .exec(db)
    .await?;
    store_other_attributes(db, name, others).await?;
    known.wrote(created);
    Ok(Consequences::default())
}

async fn modify(
    db: &impl ConnectionTrait,
    known: &mut Known,
    existing: user::Model,
    attributes: &UserAttributes,
) -> Result<Consequences, ApplyError> {
    let name = UserName::parse(&existing.username).map_err(|_| {
        refused(format!(
            "the stored user {} has an unusable name",
            existing.username
        ))
    })?;
    // The checks that may refuse come first; writes (a new department included) after.
    let mut consequences = Consequences::default();
    let new_manager = match &attributes.manager {
        Some(Some(manager)) if *manager == name => {
            return Err(refused(format!("{name} cannot be their own manager")))
        }
        Some(Some(manager)) => {
            let id = manager_id(db, known, manager).await?;
            refuse_manager_cycle(db, &existing, manager, id).await?;
            Some(Some(id))
        }
        Some(None) => Some(None),
        None => None,
    };
    if attributes.enabled == Some(false) && !existing.disabled {
        refuse_losing_last_administrator(db, &existing).await?;
        consequences.disabled = true;
    }
    let others = other_attributes(attributes)?;
    let mut changed: user::ActiveModel = existing.clone().into();
    if let Some(display_name) = &attributes.display_name {
        changed.display_name = Set(display_name.clone());
    }
    if let Some(email) = &attributes.email {
        changed.email = Set(email.clone());
    }
    if let Some(title) = &attributes.title {
        changed.title = Set(title.clone());
    }
    if let Some(department) = &attributes.department {
        let id = match department {
            Some(department) => Some(known.department(db, department).await?),
            None => None,
        };
        changed.department_id = Set(id);
    }
    if let Some(id) = new_manager {
        consequences.manager_changed = id != existing.manager_id;
        changed.manager_id = Set(id);
    }
    if let Some(enabled) = attributes.enabled {
        changed.disabled = Set(!enabled);
    }
    let updated = changed.update(db).await?;
    store_other_attributes(db, &name, others).await?;
    known.wrote(updated);
    Ok(consequences)
}

/// The id of an existing manager; an unknown one is refused, never created.
async fn manager_id(
    db: &impl ConnectionTrait,
    known: &mut Known,
    manager: &UserName,
) -> Result<i32, ApplyError> {
    known
        .user(db, manager)
        .await?
        .map(|m| m.id)
        .ok_or_else(|| refused(format!("unknown manager {manager}")))
}

/// Refuses a manager who reports, directly or not, to `subject`: approvals asked of a
/// manager would then go round in a circle. One recursive query walks the chain upwards.
async fn refuse_manager_cycle(
    db: &impl ConnectionTrait,
    subject: &user::Model,
    manager: &UserName,
    manager_id: i32,
) -> Result<(), ApplyError> {
    let backend = db.get_database_backend();
    let found = db
        .query_one(Statement::from_sql_and_values(
            backend,
            placeholders(
                backend,
                "WITH RECURSIVE chain (id, manager_id, depth) AS ( \
                   SELECT id, manager_id, 0 FROM users WHERE id = ? \
                   UNION ALL \
                   SELECT u.id, u.manager_id, c.depth + 1 FROM users u \
                   JOIN chain c ON u.id = c.manager_id WHERE c.depth < ? \
                 ) \
                 SELECT COUNT(CASE WHEN id = ? THEN 1 END) AS looping, MAX(depth) AS deepest FROM chain",
            ),
            [
                manager_id.into(),
                (MAX_MANAGER_DEPTH as i32).into(),
                subject.id.into(),
            ],
        ))
        .await?;
    let (looping, deepest): (i64, i32) = match found {
        Some(row) => (
            row.try_get("", "looping")?,
            row.try_get::<Option<i32>>("", "deepest")?.unwrap_or(0),
        ),
        None => (0, 0),
    };
    if looping > 0 {
        return Err(refused(format!(
            "{manager} cannot be the manager of {}: {manager} reports to them",
            subject.username
        )));
    }
    if deepest >= MAX_MANAGER_DEPTH as i32 {
        return Err(refused(format!(
            "the manager chain above {manager} is longer than {MAX_MANAGER_DEPTH} people"
        )));
    }
    Ok(())
}

/// Disabling the last active administrator would leave nobody to repair anything.
async fn refuse_losing_last_administrator(
    db: &impl ConnectionTrait,
    leaving: &user::Model,
) -> Result<(), ApplyError> {
    let admin = Role::Admin.as_str();
    let is_admin = user_role::Entity::find()
        .filter(user_role::Column::UserId.eq(leaving.id))
        .filter(user_role::Column::Role.eq(admin))
        .count(db)
        .await?
        > 0;
    if !is_admin {
        return Ok(());
    }
    let others = user_role::Entity::find()
        .filter(user_role::Column::Role.eq(admin))
        .filter(user_role::Column::UserId.ne(leaving.id))
        .all(db)
        .await?
        .into_iter()
        .map(|role| role.user_id)
        .collect::<Vec<_>>();
    let active_others = user::Entity::find()
        .filter(user::Column::Id.is_in(others))
        .filter(user::Column::Disabled.eq(false))
        .count(db)
        .await?;
    if active_others == 0 {
        return Err(refused(format!(
            "{} is the last active administrator; disabling them would leave nobody to administer Assent",
            leaving.username
        )));
    }
    Ok(())
}

/// Attributes beyond the user's columns as they are stored: each name with its values as
/// JSON, or `None` where an empty list removes it.
fn other_attributes(
    attributes: &UserAttributes,
) -> Result<Vec<(&str, Option<String>)>, ApplyError> {
    attributes
        .other
        .iter()
        .map(|(attribute, values)| {
            if values.is_empty() {
                return Ok((attribute.as_str(), None));
            }
            serde_json::to_string(values)
                .map(|json| (attribute.as_str(), Some(json)))
                .map_err(|e| refused(format!("attribute {attribute}: {e}")))
        })
        .collect()
}

/// Stores attributes beyond the user's columns, for definitions' `identity.attribute`
/// look-ups.
async fn store_other_attributes(
    db: &impl ConnectionTrait,
    name: &UserName,
    others: Vec<(&str, Option<String>)>,
) -> Result<(), ApplyError> {
    let backend = db.get_database_backend();
    for (attribute, json) in others {
        db.execute(Statement::from_sql_and_values(
            backend,
            placeholders(
                backend,
                "DELETE FROM user_attributes WHERE username = ? AND name = ?",
            ),
            [name.as_str().into(), attribute.into()],
        ))
        .await?;
        let Some(json) = json else {
            continue;
        };
        db.execute(Statement::from_sql_and_values(
            backend,
            placeholders(
                backend,
                "INSERT INTO user_attributes (username, name, values_json) VALUES (?, ?, ?)",
            ),
            [name.as_str().into(), attribute.into(), json.into()],
        ))
        .await?;
    }
    Ok(())
}

async fn membership(
    db: &impl ConnectionTrait,
    known: &mut Known,
    name: &UserName,
    group: &str,
    member: bool,
) -> Result<Consequences, ApplyError> {
    find(db, known, name).await?;
    let backend = db.get_database_backend();
    let values = [group.into(), name.as_str().into()];
    if member {
        db.execute(Statement::from_sql_and_values(
            backend,
            placeholders(
                backend,
                "INSERT INTO group_members (group_name, username) VALUES (?, ?) \
                 ON CONFLICT (group_name, username) DO NOTHING",
            ),
            values,
        ))
        .await?;
        return Ok(Consequences::default());
    }
    let removed = db
        .execute(Statement::from_sql_and_values(
            backend,
            placeholders(
                backend,
                "DELETE FROM group_members WHERE group_name = ? AND username = ?",
            ),
            values,
        ))
        .await?
        .rows_affected();
    Ok(Consequences {
        left_group: removed > 0,
        ..Consequences::default()
    })
}
