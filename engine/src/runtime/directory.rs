//! What the engine may ask of the identity store while resolving participants. The server
//! hands in an implementation loaded for the event; tests use [`MemoryDirectory`].

use super::model::Timestamp;
use crate::UserName;
use std::collections::{BTreeMap, BTreeSet};

pub trait Directory {
    fn manager_of(&self, user: &UserName) -> Option<UserName>;
    /// The owner of a requestable role or resource, by its id.
    fn owner_of(&self, resource: &str) -> Option<UserName>;
    fn members_of(&self, group: &str) -> Vec<UserName>;
    /// False for unknown or disabled users: they are never asked.
    fn is_active(&self, user: &UserName) -> bool;
    /// Who stands in for `user` at `now` (a delegation or an out-of-office substitute).
    fn substitute_for(&self, user: &UserName, now: Timestamp) -> Option<UserName>;
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Substitution {
    pub user: UserName,
    pub substitute: UserName,
    pub from: Timestamp,
    pub until: Timestamp,
}

/// A directory held in memory.
#[derive(Debug, Clone, Default)]
pub struct MemoryDirectory {
    pub users: BTreeSet<UserName>,
    pub disabled: BTreeSet<UserName>,
    pub managers: BTreeMap<UserName, UserName>,
    pub owners: BTreeMap<String, UserName>,
    pub groups: BTreeMap<String, Vec<UserName>>,
    pub substitutions: Vec<Substitution>,
}

impl MemoryDirectory {
    pub fn user(&mut self, name: &str, manager: Option<&str>) -> &mut Self {
        let name = UserName::parse(name).expect("valid user name");
        if let Some(manager) = manager {
            self.managers.insert(
                name.clone(),
                UserName::parse(manager).expect("valid manager"),
            );
        }
        self.users.insert(name);
        self
    }
}

impl Directory for MemoryDirectory {
    fn manager_of(&self, user: &UserName) -> Option<UserName> {
        self.managers.get(user).cloned()
    }

    fn owner_of(&self, resource: &str) -> Option<UserName> {
        self.owners.get(resource).cloned()
    }

    fn members_of(&self, group: &str) -> Vec<UserName> {
        self.groups.get(group).cloned().unwrap_or_default()
    }

    fn is_active(&self, user: &UserName) -> bool {
        self.users.contains(user) && !self.disabled.contains(user)
    }

    fn substitute_for(&self, user: &UserName, now: Timestamp) -> Option<UserName> {
        self.substitutions
            .iter()
            .find(|s| &s.user == user && s.from <= now && now < s.until)
            .map(|s| s.substitute.clone())
    }
}
