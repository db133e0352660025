//! The portal adapter's one mapping from the use cases' typed errors to what a person is
//! shown (and the status the server function answers with). Internal details are logged
//! here and never shown.

use crate::model::AppError;
use crate::server::changes::sources::RequestError;
use crate::server::provisioning::outbox::ParkedError;
use crate::server::usecases::audit::AuditError;
use crate::server::usecases::users::UserError;
use crate::server::usecases::worklist::WorklistError;
use crate::server::workflow::WorkflowError;
use assent_engine::runtime::EngineError;

impl From<WorkflowError> for AppError {
    fn from(error: WorkflowError) -> Self {
        match error {
            WorkflowError::InvalidDefinition(errors) => AppError::Invalid(errors.to_string()),
            WorkflowError::DefinitionNotFound | WorkflowError::WorkflowNotFound => {
                AppError::NotFound
            }
            WorkflowError::NoApplicableDefinition => AppError::Invalid(error.to_string()),
            WorkflowError::Conflict => AppError::Conflict,
            WorkflowError::Busy => AppError::Busy,
            WorkflowError::Forbidden => AppError::Forbidden,
            WorkflowError::Invalid(message) => AppError::Invalid(message),
            WorkflowError::InvalidForm(errors) => AppError::Invalid(
                errors
                    .iter()
                    .map(|e| format!("{}: {}", e.field, e.message))
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
            WorkflowError::Engine(engine) => engine_refusal(engine),
            WorkflowError::Database(error) => AppError::from(error),
            WorkflowError::Corrupt(message) => {
                tracing::error!(%message, "corrupt workflow data");
                AppError::Internal
            }
            WorkflowError::Duplicate(_) | WorkflowError::KeyReused(_) | WorkflowError::LinkUsed => {
                AppError::Conflict
            }
            WorkflowError::TooManyWaiting => AppError::Busy,
            WorkflowError::Unavailable(message) => {
                tracing::error!(%message, "workflow storage unavailable");
                AppError::Busy
            }
        }
    }
}

impl From<ParkedError> for AppError {
    fn from(error: ParkedError) -> Self {
        match error {
            ParkedError::NotFound => AppError::NotFound,
            ParkedError::NotParked(_) => AppError::Invalid(
                "Only a parked message can be retried or dropped; this one has moved on.".into(),
            ),
            ParkedError::Database(message) => {
                tracing::error!(%message, "provisioning outbox unavailable");
                AppError::Internal
            }
        }
    }
}

impl From<AuditError> for AppError {
    fn from(error: AuditError) -> Self {
        match error {
            AuditError::Invalid(message) => AppError::Invalid(message),
            AuditError::Database(error) => AppError::from(error),
        }
    }
}

impl From<UserError> for AppError {
    fn from(error: UserError) -> Self {
        match error {
            UserError::Invalid(message) | UserError::Refused(message) => AppError::Invalid(message),
            UserError::NotFound => AppError::NotFound,
            UserError::Database(error) => AppError::from(error),
        }
    }
}

/// The engine's refusals in the words the pages show.
fn engine_refusal(error: EngineError) -> AppError {
    match error {
        // Someone never asked is answered as if the item did not exist.
        EngineError::NotAParticipant => AppError::NotFound,
        EngineError::OwnRequest => AppError::Forbidden,
        EngineError::ReasonRequired => {
            AppError::Invalid("Please give a reason for rejecting.".into())
        }
        EngineError::NotAwaitingDecision | EngineError::AlreadyDecided => {
            AppError::Invalid("This item has already been decided.".into())
        }
        EngineError::InvalidState(_) => {
            AppError::Invalid("This request is no longer running.".into())
        }
        EngineError::CannotForward(who, why) => {
            AppError::Invalid(format!("Cannot forward to {who}: {why}."))
        }
        other => AppError::Invalid(other.to_string()),
    }
}

impl From<RequestError> for AppError {
    fn from(error: RequestError) -> Self {
        match error {
            RequestError::UnknownSource => AppError::NotFound,
            RequestError::NotStopped => AppError::Invalid(
                "This source's stream is not stopped: there is nothing to retry or skip.".into(),
            ),
            RequestError::NoteRequired => AppError::Invalid("Say why the event is skipped.".into()),
            RequestError::Database(error) => error.into(),
        }
    }
}

impl From<sea_orm::DbErr> for AppError {
    fn from(error: sea_orm::DbErr) -> Self {
        // A busy database refused the transaction whole: the person may simply try again.
        if crate::server::db::is_busy(&error) {
            tracing::warn!(%error, "database busy");
            return AppError::Busy;
        }
        tracing::error!(%error, "database error");
        AppError::Internal
    }
}

impl From<WorklistError> for AppError {
    fn from(error: WorklistError) -> Self {
        match error {
            WorklistError::Workflow(error) => error.into(),
            refused => AppError::Invalid(refused.to_string()),
        }
    }
}
