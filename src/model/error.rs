//! The error every server function returns: small, typed, and safe to show a person.
//! Internal details (SQL, stack) are logged on the server and never serialised.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("Please log in to continue.")]
    Unauthenticated,
    #[error("You do not have access to this page.")]
    Forbidden,
    #[error("Not found.")]
    NotFound,
    #[error("{0}")]
    Invalid(String),
    /// A form's fields have mistakes: each (field, message), and what was typed so a page
    /// rendered again without JavaScript keeps it.
    #[error("Please correct the marked fields.")]
    FormInvalid {
        errors: Vec<(String, String)>,
        values: std::collections::BTreeMap<String, Vec<String>>,
    },
    #[error("Someone else changed this first. Reload and try again.")]
    Conflict,
    /// The database turned a writer away (SQLite under load): nothing was written.
    #[error("The portal is busy. Nothing was changed; please try again in a moment.")]
    Busy,
    #[error("Something went wrong on our side. Please try again.")]
    Internal,
    #[error("The request could not be completed. Check your connection and try again.")]
    Transport,
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // The request's fields could not be read: the caller's mistake, not ours.
            ServerFnErrorErr::Args(_) | ServerFnErrorErr::MissingArg(_) => {
                let error = AppError::Invalid(
                    "The form could not be read: a field is missing or has the wrong form.".into(),
                );
                // A plain form post keeps its redirect back to the page.
                #[cfg(feature = "ssr")]
                if !plain_form_post() {
                    if let Some(response) =
                        leptos::prelude::use_context::<leptos_axum::ResponseOptions>()
                    {
                        response.set_status(axum::http::StatusCode::BAD_REQUEST);
                    }
                }
                error
            }
            _ => AppError::Transport,
        }
    }
}

impl AppError {
    pub fn status_code(&self) -> u16 {
        match self {
            AppError::Unauthenticated => 401,
            AppError::Forbidden => 403,
            AppError::NotFound => 404,
            AppError::Invalid(_) | AppError::FormInvalid { .. } => 400,
            AppError::Conflict => 409,
            AppError::Busy => 503,
            AppError::Internal | AppError::Transport => 500,
        }
    }
}

impl AppError {
    /// The message for `field`, when this is a form's mistakes.
    pub fn field_error(&self, field: &str) -> Option<String> {
        match self {
            AppError::FormInvalid { errors, .. } => errors
                .iter()
                .find(|(name, _)| name == field)
                .map(|(_, message)| message.clone()),
            _ => None,
        }
    }

    /// What was typed into `field`, when this is a form's mistakes.
    pub fn typed(&self, field: &str) -> Option<Vec<String>> {
        match self {
            AppError::FormInvalid { values, .. } => values.get(field).cloned(),
            _ => None,
        }
    }
}

/// Whether the server function was called by a plain HTML form (no JavaScript): the
/// browser asks for HTML, the hydrated page for the function's encoding. Such a post
/// keeps the redirect Leptos answers it with, so its status is left alone.
#[cfg(feature = "ssr")]
pub fn plain_form_post() -> bool {
    leptos::prelude::use_context::<axum::http::request::Parts>()
        .filter(|parts| parts.method == axum::http::Method::POST)
        .and_then(|parts| {
            parts
                .headers
                .get(axum::http::header::ACCEPT)
                .and_then(|v| v.to_str().ok())
                .map(|accept| accept.contains("text/html"))
        })
        .unwrap_or(false)
}
