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

use super::{has_right, Call, Failure, Right};

fn require_management(call: &Call<'_>) -> Result<(), Failure> {
    if has_right(call.user, Right::ManageWorkflows) {
        Ok(())
    } else {
        Err(Failure::denied())
    }
}
