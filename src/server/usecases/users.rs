//! Accounts for administrators: a search over them, one account with its groups, roles,
//! reports and delegations, and the changes an administrator makes. Changes to the
//! directory go through the same checks and consequences as change events
//! (`changes::identity`): no manager cycle, never the last administrator disabled, and a
//! disabled approver's open items re-asked. A disabled account's sessions end at once:
//! every request reads the account again and a disabled one has no session user.

use crate::model::users::{
    DelegationLine, UserDetail, UserLine, UserPage, UserQuery, USERS_PAGE_SIZE,
};
use crate::server::changes::apply::Applier;
use crate::server::changes::identity::ApplyError;
use crate::server::entities::{delegation, department, user, user_role, work_item};
use crate::server::passwords;
use crate::server::rights::{Granted, ManageAccounts};
use assent_engine::changes::{Change, UserAttributes};
use assent_engine::UserName;
use sea_orm::sea_query::{Expr, Func};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DbErr,
    EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set, Statement,
};
use std::collections::BTreeMap;

use super::MINUTES;

#[derive(Debug, thiserror::Error)]
pub enum UserError {
    /// What was sent cannot be used; the text says why.
    #[error("{0}")]
    Invalid(String),
    /// The directory refuses the change (a manager cycle, the last administrator).
    #[error("{0}")]
    Refused(String),
    #[error("no such user")]
    NotFound,
    #[error(transparent)]
    Database(#[from] DbErr),
}

impl From<ApplyError> for UserError {
    fn from(error: ApplyError) -> Self {
        match error {
            ApplyError::Refused(why) => UserError::Refused(why),
            ApplyError::Database(error) => UserError::Database(error),
        }
    }
}

/// An administrator's change to one account.
#[derive(Debug, Clone)]
pub enum UserEdit {
    Create {
        user: UserName,
        attributes: UserAttributes,
    },
    Update {
        user: UserName,
        attributes: UserAttributes,
    },
    Enable(UserName),
    Disable(UserName),
    /// Groups joined and left.
    Groups {
        user: UserName,
        join: Vec<String>,
        leave: Vec<String>,
    },
}

pub async fn search(
    _may: Granted<ManageAccounts>,
    db: &DatabaseConnection,
    query: &UserQuery,
) -> Result<UserPage, UserError> {
    let mut find = user::Entity::find().order_by_asc(user::Column::Username);
    if let Some(words) = query
        .words
        .as_deref()
        .map(str::trim)
        .filter(|w| !w.is_empty())
    {
        if words.chars().count() > 100 {
            return Err(UserError::Invalid(
                "Search with at most 100 characters.".into(),
            ));
        }
        let pattern = format!("%{}%", words.to_lowercase().replace(['%', '_'], ""));
        let lower = |column: user::Column| Expr::expr(Func::lower(Expr::col(column)));
        find = find.filter(
            Condition::any()
                .add(lower(user::Column::Username).like(&pattern))
                .add(lower(user::Column::DisplayName).like(&pattern))
                .add(lower(user::Column::Email).like(&pattern)),
        );
    }
    if query.disabled.as_deref() != Some("shown") {
        find = find.filter(user::Column::Disabled.eq(false));
    }
    if let Some(after) = query.after.as_deref().filter(|a| !a.is_empty()) {
        find = find.filter(user::Column::Username.gt(after));
    }
    let mut rows = find.limit(USERS_PAGE_SIZE + 1).all(db).await?;
    let more = rows.len() as u64 > USERS_PAGE_SIZE;
    rows.truncate(USERS_PAGE_SIZE as usize);
    let names = names_of(db).await?;
    Ok(UserPage {
        next_after: more
            .then(|| rows.last().map(|r| r.username.clone()))
            .flatten(),
        lines: rows.iter().map(|row| line(row, &names)).collect(),
    })
}

/// User names and department names by id, for the lines (a few thousand rows at most).
struct Names {
    users: BTreeMap<i32, String>,
    departments: BTreeMap<i32, String>,
}

async fn names_of(db: &DatabaseConnection) -> Result<Names, DbErr> {
    let users: Vec<(i32, String)> = user::Entity::find()
        .select_only()
        .columns([user::Column::Id, user::Column::Username])
        .into_tuple()
        .all(db)
        .await?;
    let departments = department::Entity::find().all(db).await?;
    Ok(Names {
        users: users.into_iter().collect(),
        departments: departments.into_iter().map(|d| (d.id, d.name)).collect(),
    })
}

fn line(row: &user::Model, names: &Names) -> UserLine {
    UserLine {
        username: row.username.clone(),
        display_name: row.display_name.clone(),
        email: row.email.clone(),
        title: row.title.clone(),
        department: row
            .department_id
            .and_then(|id| names.departments.get(&id).cloned()),
        manager: row.manager_id.and_then(|id| names.users.get(&id).cloned()),
        disabled: row.disabled,
    }
}

pub async fn detail(
    _may: Granted<ManageAccounts>,
    db: &DatabaseConnection,
    name: &UserName,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<UserDetail, UserError> {
    let row = find(db, name).await?;
    let names = names_of(db).await?;
    let roles = user_role::Entity::find()
        .filter(user_role::Column::UserId.eq(row.id))
        .all(db)
        .await?
        .into_iter()
        .map(|r| r.role)
        .collect();
    let backend = db.get_database_backend();
    let groups = db
        .query_all(Statement::from_sql_and_values(
            backend,
            crate::server::workflow::placeholders(
                backend,
                "SELECT group_name FROM group_members WHERE username = ? ORDER BY group_name",
            ),
            [row.username.clone().into()],
        ))
        .await?
        .iter()
        .map(|r| r.try_get::<String>("", "group_name"))
        .collect::<Result<Vec<_>, _>>()?;
    let reports = user::Entity::find()
        .filter(user::Column::ManagerId.eq(row.id))
        .order_by_asc(user::Column::Username)
        .all(db)
        .await?
        .into_iter()
        .map(|r| r.username)
        .collect();
    let open_items = work_item::Entity::find()
        .filter(work_item::Column::Username.eq(row.username.as_str()))
        .count(db)
        .await?;
    let delegations = delegation::Entity::find()
        .filter(
            Condition::any()
                .add(delegation::Column::Username.eq(row.username.as_str()))
                .add(delegation::Column::Substitute.eq(row.username.as_str())),
        )
        .filter(delegation::Column::EndsAt.gt(now))
        .order_by_asc(delegation::Column::StartsAt)
        .all(db)
        .await?
        .into_iter()
        .map(|d| DelegationLine {
            id: d.id,
            active: d.starts_at <= now && now < d.ends_at,
            username: d.username,
            substitute: d.substitute,
            starts: d.starts_at.format(MINUTES).to_string(),
            ends: d.ends_at.format(MINUTES).to_string(),
        })
        .collect();
    Ok(UserDetail {
        line: line(&row, &names),
        roles,
        groups,
        reports,
        open_items,
        has_password: row.password_hash.is_some(),
        delegations,
        created: row.created_at.format(MINUTES).to_string(),
    })
}

async fn find(db: &DatabaseConnection, name: &UserName) -> Result<user::Model, UserError> {
    user::Entity::find()
        .filter(user::Column::Username.eq(name.as_str()))
        .one(db)
        .await?
        .ok_or(UserError::NotFound)
}

/// Applies `edit` by `actor`, audited; the answer says what was done.
pub async fn edit(
    _may: Granted<ManageAccounts>,
    applier: &Applier,
    actor: &UserName,
    edit: UserEdit,
) -> Result<String, UserError> {
    // Changes to an account that does not exist are "not found", before any check.
    match &edit {
        UserEdit::Create { .. } => {}
        UserEdit::Update { user, .. }
        | UserEdit::Enable(user)
        | UserEdit::Disable(user)
        | UserEdit::Groups { user, .. } => {
            find(&applier.workflows().db, user).await?;
        }
    }
    let (changes, action, done) = match edit {
        UserEdit::Create { user, attributes } => (
            vec![Change::CreateUser {
                user: user.clone(),
                attributes,
            }],
            "user.created",
            format!("{user} was created."),
        ),
        UserEdit::Update { user, attributes } => (
            vec![Change::ModifyUser {
                user: user.clone(),
                attributes,
            }],
            "user.changed",
            format!("{user} was changed."),
        ),
        UserEdit::Enable(user) | UserEdit::Disable(user) if user == *actor => {
            return Err(UserError::Invalid(
                "You cannot disable or enable your own account.".into(),
            ));
        }
        UserEdit::Enable(user) => (
            vec![enabled(&user, true)],
            "user.enabled",
            format!("{user} may log in again."),
        ),
        UserEdit::Disable(user) => (
            vec![enabled(&user, false)],
            "user.disabled",
            format!("{user} is disabled: their sessions have ended and their open items are asked of others."),
        ),
        UserEdit::Groups { user, join, leave } => {
            let changes = join
                .iter()
                .map(|group| (group, true))
                .chain(leave.iter().map(|group| (group, false)))
                .map(|(group, member)| Change::Membership {
                    user: user.clone(),
                    group: group.clone(),
                    member,
                })
                .collect::<Vec<_>>();
            if changes.is_empty() {
                return Err(UserError::Invalid("Name a group to join or leave.".into()));
            }
            (changes, "user.groups_changed", format!("The groups of {user} were changed."))
        }
    };
    let detail = changes.iter().map(describe).collect::<Vec<_>>().join("; ");
    applier
        .apply_by_admin(actor.as_str(), &changes, action, detail)
        .await?;
    Ok(done)
}

fn enabled(user: &UserName, enabled: bool) -> Change {
    Change::ModifyUser {
        user: user.clone(),
        attributes: UserAttributes {
            enabled: Some(enabled),
            ..UserAttributes::default()
        },
    }
}

/// The audit trail's words for a change (never a password, which no change carries).
fn describe(change: &Change) -> String {
    match change {
        Change::CreateUser { user, .. } => format!("created {user}"),
        Change::ModifyUser { user, attributes } => {
            let mut what = Vec::new();
            if let Some(enabled) = attributes.enabled {
                what.push(if enabled { "enabled" } else { "disabled" }.to_owned());
            }
            if let Some(manager) = &attributes.manager {
                what.push(match manager {
                    Some(manager) => format!("manager {manager}"),
                    None => "no manager".to_owned(),
                });
            }
            for (field, changed) in [
                ("display name", attributes.display_name.is_some()),
                ("e-mail", attributes.email.is_some()),
                ("title", attributes.title.is_some()),
                ("department", attributes.department.is_some()),
            ] {
                if changed {
                    what.push(field.to_owned());
                }
            }
            format!("changed {user}: {}", what.join(", "))
        }
        Change::DeleteUser { user } => format!("disabled {user}"),
        Change::Membership {
            user,
            group,
            member,
        } => {
            if *member {
                format!("{user} joined {group}")
            } else {
                format!("{user} left {group}")
            }
        }
    }
}

/// Gives the account a new one-time password and returns it (shown once, never stored
/// in clear, never audited).
pub async fn reset_password(
    _may: Granted<ManageAccounts>,
    db: &DatabaseConnection,
    actor: &UserName,
    name: &UserName,
) -> Result<String, UserError> {
    let row = find(db, name).await?;
    if row.disabled {
        return Err(UserError::Invalid(
            "Enable the account before giving it a password.".into(),
        ));
    }
    // 80 random bits from a v4 UUID, in groups a person can read out and type.
    let random = uuid::Uuid::new_v4().simple().to_string();
    let password = random.as_bytes()[..20]
        .chunks(5)
        .map(|chunk| String::from_utf8_lossy(chunk).into_owned())
        .collect::<Vec<_>>()
        .join("-");
    let hash = passwords::hash(password.clone()).await;
    let mut changed: user::ActiveModel = row.into();
    changed.password_hash = Set(Some(hash));
    changed.update(db).await?;
    crate::server::accounts::insert_audit(
        db,
        crate::server::accounts::AuditEntry {
            actor: Some(actor.to_string()),
            action: "account.password_reset",
            detail: format!("password of {name} reset by an administrator"),
            request_id: None,
        },
    )
    .await?;
    Ok(password)
}
