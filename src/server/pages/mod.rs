//! The server side of the pages' server functions: load, authorize, answer. One module
//! a screen, named after its page in `crate::app::pages`; what several screens share
//! (who asks, how a failure is answered, how a form post is answered, the texts that come
//! from definitions) is here.

use super::auth::Viewer;
use super::AppState;
pub(crate) use crate::model::plain_form_post;
use crate::model::{AppError, SessionUser, WorkflowId};
use crate::server::entities::workflow_instance;
use crate::server::usecases::reading::{with_definition, OpenedWorkflow};
use assent_engine::definition::Definition;
use assent_engine::Role;
use axum::http::StatusCode;
use axum::Extension;
use leptos::prelude::use_context;
use sea_orm::{ConnectionTrait, EntityTrait, Select};
use std::sync::Arc;

pub mod admin;
pub mod admin_audit;
pub mod admin_definitions;
pub mod admin_instances;
pub mod admin_users;
pub mod cart;
pub mod catalog;
pub mod changes;
pub mod delegations;
mod errors;
pub mod frame;
mod history;
pub mod mail_decision;
pub mod my_requests;
pub mod provisioning;
pub mod request;
pub mod request_detail;
pub mod tokens;
pub mod work_item;
pub mod worklist;

/// How the pages show a time: to the minute, UTC.
const MINUTES: &str = "%Y-%m-%d %H:%M";

/// Mistakes in a form, with what was typed (dropped when too long to travel back in the
/// URL of a page rendered again without JavaScript).
fn form_invalid(
    errors: Vec<(String, String)>,
    values: std::collections::BTreeMap<String, Vec<String>>,
) -> AppError {
    const MAX_ECHO_BYTES: usize = 3000;
    let size: usize = values.values().flatten().map(String::len).sum();
    AppError::FormInvalid {
        errors,
        values: if size <= MAX_ECHO_BYTES {
            values
        } else {
            Default::default()
        },
    }
}

/// A form posted without JavaScript gets a redirect to `target`, where the page shows
/// the result; a call from the hydrated page just gets the value.
async fn after_form_post(target: &str) {
    if plain_form_post() {
        leptos_axum::redirect(target);
    }
}

/// Records the error's status on the response, then hands the error back.
/// A plain form post keeps the redirect Leptos answers it with (back to the page, the
/// error in its URL), so its status is left alone.
fn fail(error: AppError) -> AppError {
    if plain_form_post() {
        return error;
    }
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(
            StatusCode::from_u16(error.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        );
    }
    error
}

/// The server's state, which the SSR handler provides to every server function.
fn state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| fail(AppError::Internal))
}

/// The signed-in user the auth middleware resolved, if any.
async fn viewer() -> Result<Option<SessionUser>, AppError> {
    let Extension(Viewer(viewer)) =
        leptos_axum::extract::<Extension<Viewer>>()
            .await
            .map_err(|error| {
                tracing::error!(?error, "request without a resolved viewer");
                fail(AppError::Internal)
            })?;
    Ok(viewer)
}

pub async fn require_user() -> Result<SessionUser, AppError> {
    viewer()
        .await?
        .ok_or_else(|| fail(AppError::Unauthenticated))
}

pub async fn require_role(role: Role) -> Result<SessionUser, AppError> {
    let user = require_user().await?;
    if user.has_role(role) {
        Ok(user)
    } else {
        Err(fail(AppError::Forbidden))
    }
}

/// The language the caller reads (their choice, else their browser's), for the texts
/// that come from definitions (titles, step names, field labels).
fn request_lang() -> &'static str {
    use_context::<axum::http::request::Parts>()
        .map(|parts| crate::app::i18n::Lang::of_request(&parts))
        .unwrap_or_default()
        .code()
}

/// A definition's title in the reader's language, else its name.
fn title_of(definition: &Definition) -> String {
    crate::server::usecases::reading::definition_title(definition, request_lang())
}

/// A step's title in the reader's language, else its activity id made readable.
fn step_title(definition: &Definition, activity: &str) -> String {
    crate::server::usecases::reading::step_title(definition, activity, request_lang())
}

/// The one row `select` finds; no row is "not found".
async fn one_or_not_found<E: EntityTrait>(
    select: Select<E>,
    db: &impl ConnectionTrait,
) -> Result<E::Model, AppError> {
    select
        .one(db)
        .await
        .map_err(|e| fail(e.into()))?
        .ok_or_else(|| fail(AppError::NotFound))
}

/// A workflow ID from a page; text that cannot be one is answered as not found.
fn workflow_id(text: &str) -> Result<WorkflowId, AppError> {
    text.parse().map_err(|_| fail(AppError::NotFound))
}

/// A workflow with its definition, read for a screen (which decides who may see it).
async fn opened(state: &AppState, id: &str) -> Result<OpenedWorkflow, AppError> {
    with_definition(&state.workflows, &workflow_id(id)?)
        .await
        .map_err(|e| fail(e.into()))
}

/// The definition version a stored workflow runs on.
async fn definition_of(
    state: &AppState,
    stored: &workflow_instance::Model,
) -> Result<Arc<Definition>, AppError> {
    state
        .workflows
        .definition(stored.definition_id)
        .await
        .map_err(|e| fail(e.into()))
}
