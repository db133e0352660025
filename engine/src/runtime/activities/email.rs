//! email: a templated message through the outbox; the activity waits until the mail is
//! handed to the server, and waits in error when delivery keeps failing.

use super::participants::resolve;
use crate::definition::{Activity, Participants};
use crate::runtime::{Effect, Machine};

pub(super) fn enter(machine: &mut Machine, activity: &Activity, to: &Participants, template: &str) {
    let seq = machine.new_run(&activity.id, activity.type_name());
    let recipients: Vec<_> = resolve(machine, to, false)
        .into_iter()
        .map(|p| p.user)
        .collect();
    if recipients.is_empty() {
        machine.wait_in_error(seq, "the email has no recipient".into());
        return;
    }
    machine.effects.push(Effect::SendEmail {
        run: seq,
        to: recipients,
        template: template.to_owned(),
    });
}
