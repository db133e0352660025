//! The API tokens screen's server side: the page's server functions over
//! [`crate::server::tokens`], which decides who may do what.

use super::{fail, plain_form_post, require_user, state};
use crate::app::types::{NewToken, TokensView};
use crate::model::AppError;
use crate::server::tokens::{self, TokenError, TokenRequest};
use assent_engine::Role;
use chrono::NaiveDate;
use tower_sessions::Session;

/// Where a token created by a form posted without JavaScript waits, in the creator's own
/// session, for the one rendering of the page that shows it.
const JUST_CREATED: &str = "api_token_just_created";

fn refused(error: TokenError) -> AppError {
    fail(match error {
        TokenError::Invalid(message) => AppError::Invalid(message.into()),
        TokenError::NotFound => AppError::NotFound,
        TokenError::Database(error) => error.into(),
    })
}

async fn session() -> Result<Session, AppError> {
    leptos_axum::extract::<Session>().await.map_err(|error| {
        tracing::error!(?error, "request without a session");
        fail(AppError::Internal)
    })
}

pub async fn tokens() -> Result<TokensView, AppError> {
    let me = require_user().await?;
    let state = state()?;
    let now = state.workflows.now();
    let tokens = tokens::list_for(&state.db.connection, &me, now)
        .await
        .map_err(|e| fail(e.into()))?;
    // Shown once: taken out of the session as it is shown.
    let created = session()
        .await?
        .remove::<NewToken>(JUST_CREATED)
        .await
        .unwrap_or_else(|error| {
            tracing::error!(%error, "session store error");
            None
        });
    let today = now.date_naive();
    let day = |days: i64| (today + chrono::Duration::days(days)).to_string();
    Ok(TokensView {
        tokens,
        operations: crate::server::wfs::operation_names()
            .iter()
            .map(|name| (*name).to_owned())
            .collect(),
        may_choose_owner: me.has_role(Role::Admin),
        default_expiry: day(tokens::DEFAULT_DAYS),
        earliest_expiry: day(0),
        latest_expiry: day(tokens::MAX_DAYS),
        created,
    })
}

pub async fn create_token(
    name: String,
    owner: Option<String>,
    scopes: Vec<String>,
    expires: String,
) -> Result<NewToken, AppError> {
    let me = require_user().await?;
    let state = state()?;
    let last_day = NaiveDate::parse_from_str(expires.trim(), "%Y-%m-%d").map_err(|_| {
        fail(AppError::Invalid(
            "Valid until: give a date as YYYY-MM-DD.".into(),
        ))
    })?;
    let request = TokenRequest {
        name,
        owner,
        scopes,
        last_day,
    };
    let created = tokens::create(&state.db.connection, &me, request, state.workflows.now())
        .await
        .map_err(refused)?;
    if plain_form_post() {
        // No script to show the answer: the page shows it once after the redirect.
        session()
            .await?
            .insert(JUST_CREATED, created.clone())
            .await
            .map_err(|error| {
                tracing::error!(%error, "session store error");
                fail(AppError::Internal)
            })?;
        leptos_axum::redirect("/tokens");
    }
    Ok(created)
}

pub async fn revoke_token(id: i32) -> Result<String, AppError> {
    let me = require_user().await?;
    let state = state()?;
    tokens::revoke(&state.db.connection, &me, id, state.workflows.now())
        .await
        .map_err(refused)?;
    Ok("The token was revoked; programs using it are refused from now on.".into())
}
