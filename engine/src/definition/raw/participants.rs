//! `participants` and `to`: whom an approval asks or a mail goes to.

use super::criterion::PARTIES;
use super::Problems;
use crate::definition::Participants;
use crate::UserName;
use serde::Deserialize;
use toml::Spanned;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawParticipants {
    manager_of: Option<String>,
    resource_owner: Option<bool>,
    group: Option<String>,
    users: Option<Vec<String>>,
}

/// Exactly one rule: `manager_of`, `resource_owner`, `group` or `users`.
pub(super) fn convert(
    raw: Spanned<RawParticipants>,
    problems: &mut Problems,
) -> Option<Participants> {
    let span = raw.span();
    let raw = raw.into_inner();
    let mut rules = Vec::new();
    if let Some(of) = &raw.manager_of {
        // A resource has an owner, not a manager.
        let with_managers = &PARTIES[..2];
        if let Some(party) = problems.one_of(span.clone(), "manager_of", of, with_managers) {
            rules.push(Participants::ManagerOf(party));
        }
    }
    if raw.resource_owner == Some(true) {
        rules.push(Participants::ResourceOwner);
    }
    if let Some(group) = &raw.group {
        rules.push(Participants::Group(group.clone()));
    }
    if let Some(users) = &raw.users {
        let mut parsed = Vec::new();
        for user in users {
            match UserName::parse(user) {
                Ok(name) => parsed.push(name),
                Err(error) => problems.at(span.clone(), format!("users: {user:?}: {error}")),
            }
        }
        if parsed.is_empty() {
            problems.at(span.clone(), "users must name at least one user");
        }
        rules.push(Participants::Users(parsed));
    }
    match rules.len() {
        1 => rules.pop(),
        0 => {
            problems.at(
                span,
                "no way to find participants: give manager_of, resource_owner, group or users",
            );
            None
        }
        _ => {
            problems.at(
                span,
                "give exactly one of manager_of, resource_owner, group or users",
            );
            None
        }
    }
}
