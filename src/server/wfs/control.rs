//! Managing running workflows: suspend, resume, abort, modifyInstance and
//! notifyParticipantChanged. Each needs the right to manage workflows; a caller without
//! it is refused before anything is loaded, so the refusal says nothing of the workflow.
//!
//! - [`lifecycle`] holds suspend, resume and abort;
//! - [`modify`] holds modifyInstance;
//! - [`participants`] holds notifyParticipantChanged.

mod lifecycle;
mod modify;
mod participants;

pub use lifecycle::{Abort, Resume, Suspend};
pub use modify::ModifyInstance;
pub use participants::NotifyParticipantChanged;

use super::{Call, Failure};
use crate::server::rights::{Granted, ManageWorkflows};

/// The right to manage workflows, checked before anything is loaded; the engine's
/// administrative events take it as proof.
fn require_management(call: &Call<'_>) -> Result<Granted<ManageWorkflows>, Failure> {
    Granted::check(call.user).ok_or_else(Failure::denied)
}
