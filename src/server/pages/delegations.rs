//! The delegations screen's server side: a user names who decides in their place for a
//! period (holiday, leave). New items of that period go to the substitute, who sees why.

use super::{fail, one_or_not_found, require_user, state, MINUTES};
use crate::app::types::{DelegationLine, Delegations};
use crate::model::{AppError, SessionUser};
use crate::server::entities::{audit_event, delegation, user};
use crate::server::rights::{holds, ManageAccounts};
use assent_engine::UserName;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    Set, TransactionTrait,
};

/// Delegations one user may have running or planned at once.
const MAX_DELEGATIONS: u64 = 20;
/// The longest period one delegation may cover.
const MAX_DAYS: i64 = 366;

fn line(row: delegation::Model, now: DateTime<Utc>) -> DelegationLine {
    DelegationLine {
        id: row.id,
        username: row.username,
        substitute: row.substitute,
        starts: row.starts_at.format(MINUTES).to_string(),
        ends: row.ends_at.format(MINUTES).to_string(),
        active: row.starts_at <= now && now < row.ends_at,
    }
}

pub async fn delegations() -> Result<Delegations, AppError> {
    let me = require_user().await?;
    let state = state()?;
    let now = state.workflows.now();
    let rows = delegation::Entity::find()
        .filter(
            Condition::any()
                .add(delegation::Column::Username.eq(me.username.as_str()))
                .add(delegation::Column::Substitute.eq(me.username.as_str())),
        )
        .filter(delegation::Column::EndsAt.gt(now))
        .order_by_asc(delegation::Column::StartsAt)
        .all(&state.db.connection)
        .await
        .map_err(|e| fail(e.into()))?;
    let (mine, for_others) = rows
        .into_iter()
        .partition::<Vec<_>, _>(|row| row.username == me.username.as_str());
    Ok(Delegations {
        mine: mine.into_iter().map(|row| line(row, now)).collect(),
        standing_in: for_others.into_iter().map(|row| line(row, now)).collect(),
    })
}

/// Whose delegations a call is about: the caller's own, or with `owner` (administrators
/// only, through the Users screen) another account's.
async fn whose(me: &SessionUser, owner: Option<String>) -> Result<UserName, AppError> {
    let Some(owner) = owner.filter(|o| !o.trim().is_empty()) else {
        return Ok(me.username.clone());
    };
    if !holds::<ManageAccounts>(me) {
        return Err(fail(AppError::Forbidden));
    }
    let owner = UserName::parse(owner.trim()).map_err(|_| fail(AppError::NotFound))?;
    let exists = user::Entity::find()
        .filter(user::Column::Username.eq(owner.as_str()))
        .count(&state()?.db.connection)
        .await
        .map_err(|e| fail(e.into()))?;
    if exists == 0 {
        return Err(fail(AppError::NotFound));
    }
    Ok(owner)
}

fn parse_day(value: &str, field: &str) -> Result<NaiveDate, AppError> {
    NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d").map_err(|_| {
        fail(AppError::Invalid(format!(
            "{field}: give a date as YYYY-MM-DD."
        )))
    })
}

pub async fn add_delegation(
    substitute: String,
    starts: String,
    ends: String,
    owner: Option<String>,
) -> Result<String, AppError> {
    let me = require_user().await?;
    let delegator = whose(&me, owner).await?;
    let state = state()?;
    let db = &state.db.connection;
    let now = state.workflows.now();
    let substitute = UserName::parse(substitute.trim())
        .map_err(|_| fail(AppError::Invalid("Substitute: no such user.".into())))?;
    if substitute == delegator {
        return Err(fail(AppError::Invalid(
            "Substitute: you cannot stand in for yourself.".into(),
        )));
    }
    let first_day = parse_day(&starts, "From")?;
    let last_day = parse_day(&ends, "Until")?;
    if last_day < first_day {
        return Err(fail(AppError::Invalid(
            "Until: the last day comes on or after the first.".into(),
        )));
    }
    if (last_day - first_day).num_days() >= MAX_DAYS {
        return Err(fail(AppError::Invalid(format!(
            "Until: a delegation covers at most {MAX_DAYS} days."
        ))));
    }
    let starts_at = first_day.and_time(chrono::NaiveTime::MIN).and_utc();
    // The day after the last, at midnight; a date at the end of the calendar has none.
    let ends_at = last_day
        .checked_add_days(chrono::Days::new(1))
        .ok_or_else(|| {
            fail(AppError::Invalid(
                "Until: give a date as YYYY-MM-DD.".into(),
            ))
        })?
        .and_time(chrono::NaiveTime::MIN)
        .and_utc();
    if ends_at <= now {
        return Err(fail(AppError::Invalid(
            "Until: the period is already over.".into(),
        )));
    }
    // The row is written first: on SQLite a transaction that reads before its first
    // write can be refused outright when another writer commits in between, while one
    // that writes first simply waits for the lock. The checks then see a stable database
    // and a refusal rolls the row back.
    let txn = db.begin().await.map_err(|e| fail(e.into()))?;
    let created = delegation::ActiveModel {
        username: Set(delegator.to_string()),
        substitute: Set(substitute.to_string()),
        starts_at: Set(starts_at),
        ends_at: Set(ends_at),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(|e| fail(e.into()))?;
    let active_substitute = user::Entity::find()
        .filter(user::Column::Username.eq(substitute.as_str()))
        .filter(user::Column::Disabled.eq(false))
        .count(&txn)
        .await
        .map_err(|e| fail(e.into()))?;
    if active_substitute == 0 {
        return Err(fail(AppError::Invalid("Substitute: no such user.".into())));
    }
    let others = delegation::Entity::find()
        .filter(delegation::Column::Username.eq(delegator.as_str()))
        .filter(delegation::Column::Id.ne(created.id));
    let planned = others
        .clone()
        .filter(delegation::Column::EndsAt.gt(now))
        .count(&txn)
        .await
        .map_err(|e| fail(e.into()))?;
    if planned >= MAX_DELEGATIONS {
        return Err(fail(AppError::Invalid(format!(
            "You have {MAX_DELEGATIONS} delegations already; remove one first."
        ))));
    }
    let overlapping = others
        .filter(delegation::Column::StartsAt.lt(ends_at))
        .filter(delegation::Column::EndsAt.gt(starts_at))
        .count(&txn)
        .await
        .map_err(|e| fail(e.into()))?;
    if overlapping > 0 {
        return Err(fail(AppError::Invalid(
            "From: this period overlaps another of your delegations.".into(),
        )));
    }
    audit_event::ActiveModel {
        occurred_at: Set(now),
        actor: Set(Some(me.username.to_string())),
        action: Set("delegation.added".into()),
        detail: Set(format!(
            "{substitute} stands in for {delegator} from {first_day} to {last_day}"
        )),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(|e| fail(e.into()))?;
    txn.commit().await.map_err(|e| fail(e.into()))?;
    if delegator != me.username {
        return Ok(format!(
            "{substitute} stands in for {delegator} from {first_day} to {last_day}."
        ));
    }
    Ok(format!(
        "{substitute} stands in for you from {first_day} to {last_day}."
    ))
}

pub async fn remove_delegation(id: i32, owner: Option<String>) -> Result<String, AppError> {
    let me = require_user().await?;
    let delegator = whose(&me, owner).await?;
    let state = state()?;
    // Only the delegator's own rows: anyone else's id is "not found", revealing nothing.
    let row = one_or_not_found(
        delegation::Entity::find_by_id(id)
            .filter(delegation::Column::Username.eq(delegator.as_str())),
        &state.db.connection,
    )
    .await?;
    let txn = state
        .db
        .connection
        .begin()
        .await
        .map_err(|e| fail(e.into()))?;
    let deleted = delegation::Entity::delete_many()
        .filter(delegation::Column::Id.eq(row.id))
        .filter(delegation::Column::Username.eq(delegator.as_str()))
        .exec(&txn)
        .await
        .map_err(|e| fail(e.into()))?;
    if deleted.rows_affected == 0 {
        return Err(fail(AppError::NotFound));
    }
    audit_event::ActiveModel {
        occurred_at: Set(state.workflows.now()),
        actor: Set(Some(me.username.to_string())),
        action: Set("delegation.removed".into()),
        detail: Set(format!(
            "{} no longer stands in for {delegator}",
            row.substitute
        )),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(|e| fail(e.into()))?;
    txn.commit().await.map_err(|e| fail(e.into()))?;
    if delegator != me.username {
        return Ok(format!(
            "{} no longer stands in for {delegator}.",
            row.substitute
        ));
    }
    Ok(format!("{} no longer stands in for you.", row.substitute))
}
