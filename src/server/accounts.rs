//! The account store: who may log in, and who a session belongs to.

use super::entities::{audit_event, user, user_role};
use crate::model::SessionUser;
use assent_engine::{Role, RoleSet, UserName};
use chrono::Utc;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    QueryFilter,
};

/// What login needs to know about a user name.
#[derive(Debug, Clone)]
pub struct LoginRecord {
    pub user_id: i32,
    pub password_hash: Option<String>,
    pub disabled: bool,
}

/// An entry of the audit trail.
#[derive(Debug, Clone)]
pub struct AuditEntry {
    pub actor: Option<String>,
    pub action: &'static str,
    pub detail: String,
    pub request_id: Option<String>,
}

#[allow(async_fn_in_trait)]
pub trait AccountStore {
    async fn find_login(&self, username: &UserName) -> Result<Option<LoginRecord>, DbErr>;
    /// The user behind a session, or `None` if the account is gone or disabled.
    async fn find_session_user(&self, user_id: i32) -> Result<Option<SessionUser>, DbErr>;
    async fn record_audit(&self, entry: AuditEntry) -> Result<(), DbErr>;
}

#[derive(Clone)]
pub struct SeaOrmAccounts {
    pub db: DatabaseConnection,
}

impl AccountStore for SeaOrmAccounts {
    async fn find_login(&self, username: &UserName) -> Result<Option<LoginRecord>, DbErr> {
        let found = user::Entity::find()
            .filter(user::Column::Username.eq(username.as_str()))
            .one(&self.db)
            .await?;
        Ok(found.map(|u| LoginRecord {
            user_id: u.id,
            password_hash: u.password_hash,
            disabled: u.disabled,
        }))
    }

    async fn find_session_user(&self, user_id: i32) -> Result<Option<SessionUser>, DbErr> {
        let Some((found, roles)) = user::Entity::find_by_id(user_id)
            .find_with_related(user_role::Entity)
            .all(&self.db)
            .await?
            .into_iter()
            .next()
        else {
            return Ok(None);
        };
        if found.disabled {
            return Ok(None);
        }
        let Ok(username) = UserName::parse(&found.username) else {
            return Ok(None);
        };
        let roles: RoleSet = roles
            .iter()
            .filter_map(|r| r.role.parse::<Role>().ok())
            .collect();
        Ok(Some(SessionUser {
            user_id: found.id,
            username,
            display_name: found.display_name,
            roles,
        }))
    }

    async fn record_audit(&self, entry: AuditEntry) -> Result<(), DbErr> {
        insert_audit(&self.db, entry).await
    }
}

pub async fn insert_audit(db: &impl ConnectionTrait, entry: AuditEntry) -> Result<(), DbErr> {
    insert_entry(db, None, entry).await
}

/// An audit entry about the workflow `workflow_id`, found again by it on the workflow's
/// page.
pub async fn insert_workflow_audit(
    db: &impl ConnectionTrait,
    workflow_id: &str,
    entry: AuditEntry,
) -> Result<(), DbErr> {
    insert_entry(db, Some(workflow_id.to_owned()), entry).await
}

async fn insert_entry(
    db: &impl ConnectionTrait,
    workflow_id: Option<String>,
    entry: AuditEntry,
) -> Result<(), DbErr> {
    audit_event::Entity::insert(audit_event::ActiveModel {
        occurred_at: Set(Utc::now()),
        actor: Set(entry.actor),
        action: Set(entry.action.to_owned()),
        detail: Set(entry.detail),
        request_id: Set(entry.request_id),
        workflow_id: Set(workflow_id),
        ..Default::default()
    })
    .exec(db)
    .await?;
    Ok(())
}
