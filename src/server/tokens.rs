//! API tokens: credentials for programs calling the Workflow Management Service with
//! `Authorization: Bearer assent_…`. A user creates tokens for themselves, an
//! administrator for anyone (a service account). A token acts as its owner, only for the
//! operations it was given (its scopes), until it expires or is revoked; it stops working
//! when its owner is disabled. The secret is shown once and stored only as its SHA-256,
//! so checking a token is one indexed lookup and no password hashing.
//!
//! One function per use: [`create`], [`list_for`], [`revoke`], [`authenticate`]. Each
//! decides on the rows it loaded, whatever a page showed.

use super::accounts::{insert_audit, AccountStore, AuditEntry, SeaOrmAccounts};
use super::entities::{api_token, user, user_role};
use super::workflow::jobs::key_digest;
use crate::app::types::{NewToken, TokenLine};
use crate::model::SessionUser;
use assent_engine::{Role, UserName};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DbErr,
    EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait,
};

/// Every token starts with this, so a leaked one is easy to recognise (and to scan for).
pub const PREFIX: &str = "assent_";
/// The expiry a new token is offered.
pub const DEFAULT_DAYS: i64 = 90;
/// The furthest last day a token may have, from today.
pub const MAX_DAYS: i64 = 365;
/// Tokens one user may have working at once.
const MAX_ACTIVE: u64 = 50;
/// The longest name.
const MAX_NAME_CHARS: usize = 100;
/// `last used` is written at most this often per token.
const LAST_USED_EVERY_SECONDS: i64 = 60;
/// Tokens listed at most (an administrator sees everyone's).
const MAX_LISTED: u64 = 1000;

/// The operations a token may call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scopes {
    All,
    Only(Vec<String>),
}

impl Scopes {
    fn parse(stored: &str) -> Scopes {
        if stored.trim() == "*" {
            Scopes::All
        } else {
            Scopes::Only(stored.split_whitespace().map(str::to_owned).collect())
        }
    }

    fn stored(&self) -> String {
        match self {
            Scopes::All => "*".into(),
            Scopes::Only(operations) => operations.join(" "),
        }
    }

    pub fn allows(&self, operation: &str) -> bool {
        match self {
            Scopes::All => true,
            Scopes::Only(operations) => operations.iter().any(|o| o == operation),
        }
    }
}

/// Why a token was not created or revoked; the texts are shown to the person.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("{0}")]
    Invalid(&'static str),
    /// No such token, or not one the caller may touch: the same answer.
    #[error("not found")]
    NotFound,
    #[error(transparent)]
    Database(#[from] DbErr),
}

/// What the new-token form asks.
#[derive(Debug, Clone)]
pub struct TokenRequest {
    pub name: String,
    /// `None` (or the caller): for oneself; anyone else only by an administrator.
    pub owner: Option<String>,
    /// Operation names, or `*` for every operation.
    pub scopes: Vec<String>,
    /// The last day the token works (UTC).
    pub last_day: NaiveDate,
}

/// A random 244-bit secret (two v4 UUIDs, as mailed decision links have), in hex.
fn new_secret() -> String {
    format!(
        "{PREFIX}{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    )
}

fn scopes_of(asked: &[String]) -> Result<Scopes, TokenError> {
    if asked.iter().any(|s| s.trim() == "*") {
        return Ok(Scopes::All);
    }
    let known = super::wfs::operation_names();
    if let Some(_unknown) = asked.iter().find(|s| !known.contains(&s.trim())) {
        return Err(TokenError::Invalid(
            "Scopes: choose only operations from the list.",
        ));
    }
    // In the list's order, each once.
    let chosen: Vec<String> = known
        .iter()
        .filter(|name| asked.iter().any(|s| s.trim() == **name))
        .map(|name| (*name).to_owned())
        .collect();
    if chosen.is_empty() {
        return Err(TokenError::Invalid(
            "Scopes: choose at least one operation, or all operations.",
        ));
    }
    Ok(Scopes::Only(chosen))
}

/// Creates a token for `request.owner` (default: `by`); the secret is in the answer only.
pub async fn create(
    db: &DatabaseConnection,
    by: &SessionUser,
    request: TokenRequest,
    now: DateTime<Utc>,
) -> Result<NewToken, TokenError> {
    let name = request.name.trim().to_owned();
    if name.is_empty()
        || name.chars().count() > MAX_NAME_CHARS
        || name.chars().any(char::is_control)
    {
        return Err(TokenError::Invalid(
            "Name: give the token a name of at most 100 characters.",
        ));
    }
    let owner = match request.owner.as_deref().map(str::trim) {
        None | Some("") => by.username.clone(),
        Some(named) => {
            UserName::parse(named).map_err(|_| TokenError::Invalid("Owner: no such user."))?
        }
    };
    if owner != by.username && !by.has_role(Role::Admin) {
        return Err(TokenError::Invalid(
            "Owner: you may create tokens only for yourself.",
        ));
    }
    let scopes = scopes_of(&request.scopes)?;
    let today = now.date_naive();
    if request.last_day < today || (request.last_day - today).num_days() > MAX_DAYS {
        return Err(TokenError::Invalid(
            "Valid until: choose a day from today to one year from today.",
        ));
    }
    let expires_at = request
        .last_day
        .checked_add_days(chrono::Days::new(1))
        .ok_or(TokenError::Invalid(
            "Valid until: give a date as YYYY-MM-DD.",
        ))?
        .and_time(chrono::NaiveTime::MIN)
        .and_utc();
    let no_such_owner = || TokenError::Invalid("Owner: no such user.");
    let owner_id = user::Entity::find()
        .filter(user::Column::Username.eq(owner.as_str()))
        .one(db)
        .await?
        .ok_or_else(no_such_owner)?
        .id;
    // A token acts as its owner. For someone else, an administrator may make one only
    // for an account without powers of its own (a service account, a person's own
    // work): a token for another administrator or for someone who may act for others
    // would hand the creator rights that being an administrator does not give.
    if owner != by.username {
        let powerful = user_role::Entity::find()
            .filter(user_role::Column::UserId.eq(owner_id))
            .filter(
                user_role::Column::Role.is_in([Role::Admin.as_str(), Role::ActForOthers.as_str()]),
            )
            .count(db)
            .await?;
        if powerful > 0 {
            return Err(TokenError::Invalid(
                "Owner: tokens for administrators and for those who act for others are made by themselves.",
            ));
        }
    }
    // The row is written first: on SQLite a transaction that reads before its first
    // write can be refused outright when another writer commits in between, while one
    // that writes first waits for the lock. The checks then see a stable database, and
    // a refusal rolls the row back.
    let txn = db.begin().await?;
    let secret = new_secret();
    let created = api_token::ActiveModel {
        token_hash: Set(key_digest(&secret)),
        name: Set(name.clone()),
        user_id: Set(owner_id),
        scopes: Set(scopes.stored()),
        created_by: Set(by.username.to_string()),
        created_at: Set(now),
        expires_at: Set(expires_at),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let owner_enabled = user::Entity::find_by_id(owner_id)
        .filter(user::Column::Disabled.eq(false))
        .count(&txn)
        .await?;
    if owner_enabled == 0 {
        return Err(no_such_owner());
    }
    let working = api_token::Entity::find()
        .filter(api_token::Column::UserId.eq(owner_id))
        .filter(api_token::Column::RevokedAt.is_null())
        .filter(api_token::Column::ExpiresAt.gt(now))
        .count(&txn)
        .await?;
    if working > MAX_ACTIVE {
        return Err(TokenError::Invalid(
            "This user has too many working tokens; revoke one first.",
        ));
    }
    insert_audit(
        &txn,
        AuditEntry {
            actor: Some(by.username.to_string()),
            action: "token.created",
            detail: format!(
                "API token #{} {name:?} for {owner}, scopes {}, valid until {}",
                created.id,
                scopes.stored(),
                request.last_day
            ),
            request_id: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(NewToken {
        id: created.id,
        name,
        owner: owner.to_string(),
        secret,
        expires: request.last_day.to_string(),
    })
}

fn state_of(row: &api_token::Model, now: DateTime<Utc>) -> &'static str {
    if row.revoked_at.is_some() {
        "revoked"
    } else if row.expires_at <= now {
        "expired"
    } else {
        "active"
    }
}

/// The tokens `viewer` may see: their own, or everyone's for an administrator; newest
/// first, revoked and expired ones included.
pub async fn list_for(
    db: &DatabaseConnection,
    viewer: &SessionUser,
    now: DateTime<Utc>,
) -> Result<Vec<TokenLine>, DbErr> {
    let mut query = api_token::Entity::find()
        .order_by_desc(api_token::Column::Id)
        .limit(MAX_LISTED);
    if !viewer.has_role(Role::Admin) {
        query = query.filter(api_token::Column::UserId.eq(viewer.user_id));
    }
    let rows = query.find_also_related(user::Entity).all(db).await?;
    let minutes = |t: DateTime<Utc>| t.format("%Y-%m-%d %H:%M").to_string();
    Ok(rows
        .into_iter()
        .map(|(row, owner)| TokenLine {
            id: row.id,
            state: state_of(&row, now).to_owned(),
            name: row.name,
            owner: owner.map(|u| u.username).unwrap_or_default(),
            scopes: match Scopes::parse(&row.scopes) {
                Scopes::All => Vec::new(),
                Scopes::Only(operations) => operations,
            },
            created: minutes(row.created_at),
            created_by: row.created_by,
            // The last day it works: the day before the midnight it stops.
            expires: (row.expires_at - chrono::Duration::seconds(1))
                .date_naive()
                .to_string(),
            last_used: row.last_used_at.map(minutes),
        })
        .collect())
}

/// Revokes a token of `by`'s own, or anyone's for an administrator; any other id is
/// [`TokenError::NotFound`]. The row stays, marked revoked.
pub async fn revoke(
    db: &DatabaseConnection,
    by: &SessionUser,
    id: i32,
    now: DateTime<Utc>,
) -> Result<api_token::Model, TokenError> {
    let row = api_token::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(TokenError::NotFound)?;
    if row.user_id != by.user_id && !by.has_role(Role::Admin) {
        return Err(TokenError::NotFound);
    }
    // Written first (see `create`); only the row authorized above, if still not revoked.
    let txn = db.begin().await?;
    let updated = api_token::Entity::update_many()
        .col_expr(api_token::Column::RevokedAt, Expr::value(now))
        .col_expr(
            api_token::Column::RevokedBy,
            Expr::value(by.username.to_string()),
        )
        .filter(api_token::Column::Id.eq(row.id))
        .filter(api_token::Column::UserId.eq(row.user_id))
        .filter(api_token::Column::RevokedAt.is_null())
        .exec(&txn)
        .await?;
    if updated.rows_affected == 0 {
        return Err(TokenError::Invalid("This token is already revoked."));
    }
    insert_audit(
        &txn,
        AuditEntry {
            actor: Some(by.username.to_string()),
            action: "token.revoked",
            detail: format!("API token #{} {:?}", row.id, row.name),
            request_id: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// The user and scopes of a presented token, or `None` when it is unknown, revoked,
/// expired, or its owner is disabled. Notes the use at most once a minute.
pub async fn authenticate(
    db: &DatabaseConnection,
    secret: &str,
    now: DateTime<Utc>,
) -> Result<Option<(SessionUser, Scopes)>, DbErr> {
    if !secret.starts_with(PREFIX) || secret.len() > 128 {
        return Ok(None);
    }
    let Some(row) = api_token::Entity::find()
        .filter(api_token::Column::TokenHash.eq(key_digest(secret)))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    if row.revoked_at.is_some() || row.expires_at <= now {
        return Ok(None);
    }
    let accounts = SeaOrmAccounts { db: db.clone() };
    let Some(user) = accounts.find_session_user(row.user_id).await? else {
        return Ok(None);
    };
    let a_minute_ago = now - chrono::Duration::seconds(LAST_USED_EVERY_SECONDS);
    if row.last_used_at.is_none_or(|at| at <= a_minute_ago) {
        // A lost race or a busy database only delays the note.
        let noted = note_use(db, row.id, now, a_minute_ago).await;
        if let Err(error) = noted {
            tracing::warn!(%error, token = row.id, "cannot note an API token's use");
        }
    }
    Ok(Some((user, Scopes::parse(&row.scopes))))
}

async fn note_use(
    db: &impl ConnectionTrait,
    id: i32,
    now: DateTime<Utc>,
    a_minute_ago: DateTime<Utc>,
) -> Result<(), DbErr> {
    api_token::Entity::update_many()
        .col_expr(api_token::Column::LastUsedAt, Expr::value(now))
        .filter(api_token::Column::Id.eq(id))
        .filter(
            Condition::any()
                .add(api_token::Column::LastUsedAt.is_null())
                .add(api_token::Column::LastUsedAt.lte(a_minute_ago)),
        )
        .exec(db)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_are_known_operations_or_all() {
        let asked =
            |names: &[&str]| scopes_of(&names.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(asked(&["getWorklist", "*"]).unwrap(), Scopes::All);
        let some = asked(&["bulkApproval", "getWorklist", "getWorklist"]).unwrap();
        assert_eq!(
            some,
            Scopes::Only(vec!["getWorklist".into(), "bulkApproval".into()])
        );
        assert!(some.allows("getWorklist") && !some.allows("abort"));
        assert_eq!(Scopes::parse(&some.stored()), some);
        assert!(asked(&[]).is_err());
        assert!(asked(&["getWorklist", "dropTables"]).is_err());
    }

    #[test]
    fn secrets_are_long_random_and_prefixed() {
        let (a, b) = (new_secret(), new_secret());
        assert!(a.starts_with(PREFIX) && a.len() == PREFIX.len() + 64, "{a}");
        assert_ne!(a, b);
        assert_eq!(key_digest(&a).len(), 64);
    }
}
