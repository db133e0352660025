//! Who may do what to a workflow, decided where every path passes: the workflow layer's
//! create (the definition's starters) and its event application (outsiders learn nothing).

use super::directory::Snapshot;
use super::instances::{contention, CreateRequest};
use super::{WorkflowError, Workflows};
use crate::server::entities::{user, user_role};
use assent_engine::runtime::model::Instance;
use assent_engine::runtime::Event;
use assent_engine::UserName;
use sea_orm::{ColumnTrait, DatabaseTransaction, EntityTrait, PaginatorTrait, QueryFilter};

/// The person whose own part in a workflow an event is about (deciding, forwarding,
/// claiming, releasing, certifying; for themselves or through someone acting for them).
pub(crate) fn participant_of(event: &Event) -> Option<&UserName> {
    match event {
        Event::Decide { actor, .. }
        | Event::Forward { actor, .. }
        | Event::Claim { actor, .. }
        | Event::Release { actor, .. }
        | Event::Certify { actor, .. } => Some(actor),
        _ => None,
    }
}

/// Whether `user` started the workflow, is its subject or was ever asked in it.
pub(crate) fn has_part_in(instance: &Instance, user: &UserName) -> bool {
    &instance.initiator == user
        || instance.subject_user().as_ref() == Some(user)
        || instance.ever_asked(user)
}

impl Workflows {
    /// Whoever starts a workflow, through the portal, the API or a job, must be one of
    /// the definition's `starters` for this subject (themselves, a report, any person as
    /// an administrator, a member of a named group); the subject must be a user.
    pub(crate) async fn check_may_start(
        &self,
        txn: &DatabaseTransaction,
        snapshot: &Snapshot,
        definition: &assent_engine::definition::Definition,
        request: &CreateRequest,
    ) -> Result<(), WorkflowError> {
        if let Some(subject) = &request.subject {
            if subject.object_type != "user" || UserName::parse(&subject.target_id).is_err() {
                return Err(WorkflowError::Invalid(
                    "the subject of a request is a user".into(),
                ));
            }
        }
        let subject = request
            .subject
            .as_ref()
            .and_then(|s| UserName::parse(&s.target_id).ok());
        // The initiator is an enabled account (someone acting for another names them);
        // a disabled administrator is no administrator.
        let enabled = user::Entity::find()
            .filter(user::Column::Username.eq(request.initiator.as_str()))
            .filter(user::Column::Disabled.eq(false))
            .count(txn)
            .await
            .map_err(contention)?
            > 0;
        if !enabled {
            return Err(WorkflowError::Forbidden);
        }
        let is_admin = user_role::Entity::find()
            .inner_join(user::Entity)
            .filter(user::Column::Username.eq(request.initiator.as_str()))
            .filter(user_role::Column::Role.eq(assent_engine::Role::Admin.as_str()))
            .count(txn)
            .await
            .map_err(contention)?
            > 0;
        if definition.may_start(
            &request.initiator,
            subject.as_ref(),
            is_admin,
            &snapshot.directory,
        ) {
            Ok(())
        } else {
            Err(WorkflowError::Forbidden)
        }
    }
}
