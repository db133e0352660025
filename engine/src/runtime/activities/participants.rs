//! Who is asked, and who may act: the people a definition's rule names, with substitutes
//! in place, and never the requester or the person the request is for
//! ([`Instance::may_not_decide`]), whether asked by the rule, handed the item by someone,
//! or acting on someone's behalf.

use crate::definition::{Participants, Party};
use crate::runtime::model::{Because, Instance, Participant};
use crate::runtime::{EngineError, Machine};
use crate::UserName;

/// The users a rule names, with substitutes in place and inactive users left out. When
/// `deciding` (they will decide, not just be told), whoever may not decide this workflow
/// (the requester, the subject) is replaced by their own manager.
pub(super) fn resolve(machine: &Machine, rule: &Participants, deciding: bool) -> Vec<Participant> {
    let directory = machine.env.directory;
    let instance = &machine.instance;
    let named: Vec<(UserName, String)> = match rule {
        Participants::ManagerOf(party) => {
            let whose = match party {
                Party::Initiator => Some(instance.initiator.clone()),
                _ => instance.subject_user(),
            };
            whose
                .and_then(|user| {
                    directory
                        .manager_of(&user)
                        .map(|manager| (manager, format!("manager of {user}")))
                })
                .into_iter()
                .collect()
        }
        Participants::ResourceOwner => instance
            .resources
            .iter()
            .filter_map(|resource| {
                directory
                    .owner_of(&resource.target_id)
                    .map(|owner| (owner, format!("owner of {}", resource.target_id)))
            })
            .collect(),
        Participants::Group(group) => directory
            .members_of(group)
            .into_iter()
            .map(|user| (user, format!("member of {group}")))
            .collect(),
        Participants::Users(users) => users
            .iter()
            .map(|user| (user.clone(), "named in the definition".to_owned()))
            .collect(),
    };
    let candidates = named
        .into_iter()
        .map(|(user, rule)| (user, Because::Rule { rule }))
        .collect();
    eligible(machine, candidates, deciding)
}

/// `candidates` with substitutes in place, inactive users and repeats left out, and (when
/// `deciding`) whoever may not decide replaced by their manager.
pub(super) fn eligible(
    machine: &Machine,
    candidates: Vec<(UserName, Because)>,
    deciding: bool,
) -> Vec<Participant> {
    let directory = machine.env.directory;
    let instance = &machine.instance;
    let excluded = |user: &UserName| deciding && instance.may_not_decide(user);
    let mut chosen: Vec<Participant> = Vec::new();
    let add = |user: UserName, because: Because, chosen: &mut Vec<Participant>| {
        if directory.is_active(&user) && !chosen.iter().any(|p| p.user == user) {
            chosen.push(Participant {
                user,
                because,
                active: true,
            });
        }
    };
    for (user, because) in candidates {
        // A delegation to the requester or the subject would hand them the decision, and
        // one to someone who left would ask nobody: either is ignored and the person
        // named stays asked.
        let (user, because) = match directory.substitute_for(&user, machine.env.now) {
            Some(substitute)
                if substitute != user
                    && !excluded(&substitute)
                    && directory.is_active(&substitute) =>
            {
                (substitute, Because::Substitute { for_user: user })
            }
            _ => (user, because),
        };
        if excluded(&user) {
            let instead = if user == instance.initiator {
                Because::InsteadOfRequester {
                    requester: user.clone(),
                }
            } else {
                Because::InsteadOfBeneficiary {
                    beneficiary: user.clone(),
                }
            };
            // One level up only: a manager who is excluded too (the rule names alice,
            // the request is for her and her manager bob asked) leaves nobody, and the
            // run waits for an administrator rather than guess further up.
            if let Some(manager) = directory.manager_of(&user).filter(|m| !excluded(m)) {
                add(manager, instead, &mut chosen);
            }
            continue;
        }
        add(user, because, &mut chosen);
    }
    chosen
}

/// Why `user` may decide nothing in this workflow, if so: they asked for it, or it is for
/// them.
fn excluded_because(instance: &Instance, user: &UserName) -> Option<&'static str> {
    if user == &instance.initiator {
        Some("the requester cannot decide on their own request")
    } else if instance.may_not_decide(user) {
        Some("the person the request is for cannot decide on it")
    } else {
        None
    }
}

/// Why `user` cannot be handed an item (forwarded or assigned to them), if they cannot.
pub(super) fn cannot_be_handed(machine: &Machine, user: &UserName) -> Option<&'static str> {
    excluded_because(&machine.instance, user).or_else(|| {
        let inactive = !machine.env.directory.is_active(user);
        inactive.then_some("no such active user")
    })
}

/// Who acts for `actor`, when someone else does. The initiator and the subject may not
/// decide their own workflow, and acting on someone's behalf must not become a way
/// around that.
pub(super) fn on_behalf(
    instance: &Instance,
    actor: &UserName,
    by: Option<UserName>,
) -> Result<Option<UserName>, EngineError> {
    match by {
        Some(by) if instance.may_not_decide(&by) => Err(EngineError::OwnRequest),
        // Someone asked on the item votes as themselves only: acting for another
        // participant too would let one person count twice (a quorum, "all").
        Some(by)
            if &by != actor
                && instance.runs.iter().any(|run| {
                    run.approval.as_ref().is_some_and(|a| {
                        a.outcome.is_none()
                            && (a.participants.iter().any(|p| p.user == by)
                                || a.decisions.iter().any(|d| d.by.as_ref() == Some(&by)))
                    })
                }) =>
        {
            Err(EngineError::OwnRequest)
        }
        // Acting for oneself is no delegation worth recording.
        Some(by) if &by == actor => Ok(None),
        other => Ok(other),
    }
}
