//! Who may start a workflow of a definition: its `starters`.
//!
//! Without a rule, anyone could start any workflow for anyone (register an account, run
//! a certification); the definition says who may, and the server asks [`Definition::may_start`]
//! before it starts one.

use super::raw::Problems;
use super::Definition;
use crate::runtime::directory::Directory;
use crate::UserName;
use std::fmt;
use toml::Spanned;

/// One kind of person who may start a workflow, as a definition's `starters` names it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Starter {
    /// `"self"`: anyone, for themselves (no subject user, or the subject is the initiator).
    Oneself,
    /// `"manager"`: the initiator is the subject's manager in the directory.
    Manager,
    /// `"admin"`: the initiator is an administrator.
    Admin,
    /// `"group:<name>"`: the initiator is a member of that directory group.
    Group(String),
}

impl Starter {
    /// Whom a definition without `starters` lets start it: what was allowed before
    /// definitions could say.
    pub const DEFAULT: [Starter; 3] = [Starter::Oneself, Starter::Manager, Starter::Admin];

    /// Reads one entry as written in a definition; `None` when it is none of the kinds.
    pub fn parse(text: &str) -> Option<Starter> {
        match text {
            "self" => Some(Starter::Oneself),
            "manager" => Some(Starter::Manager),
            "admin" => Some(Starter::Admin),
            other => other
                .strip_prefix("group:")
                .map(str::trim)
                .filter(|group| !group.is_empty())
                .map(|group| Starter::Group(group.to_owned())),
        }
    }

    /// Whether this kind lets the initiator start the workflow.
    fn allows(&self, starting: &Starting) -> bool {
        let initiator = starting.initiator;
        match self {
            Starter::Oneself => starting.subject.is_none_or(|subject| subject == initiator),
            Starter::Manager => starting.subject.is_some_and(|subject| {
                starting.directory.manager_of(subject).as_ref() == Some(initiator)
            }),
            Starter::Admin => starting.initiator_is_admin,
            Starter::Group(group) => starting.directory.members_of(group).contains(initiator),
        }
    }
}

/// One question [`Definition::may_start`] answers: may `initiator` start a workflow for
/// `subject`?
struct Starting<'a> {
    initiator: &'a UserName,
    subject: Option<&'a UserName>,
    initiator_is_admin: bool,
    directory: &'a dyn Directory,
}

/// The spelling a definition uses (`self`, `manager`, `admin`, `group:<name>`).
impl fmt::Display for Starter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Starter::Oneself => f.write_str("self"),
            Starter::Manager => f.write_str("manager"),
            Starter::Admin => f.write_str("admin"),
            Starter::Group(group) => write!(f, "group:{group}"),
        }
    }
}

/// `starters = ["self", "manager", "admin", "group:<name>"]`; absent means the default.
pub(super) fn convert(
    raw: Option<Spanned<Vec<Spanned<String>>>>,
    problems: &mut Problems,
) -> Vec<Starter> {
    let Some(raw) = raw else {
        return Starter::DEFAULT.to_vec();
    };
    if raw.get_ref().is_empty() {
        problems.at(
            raw.span(),
            "starters must name at least one of self, manager, admin or group:<name> (leave it out for the default)",
        );
    }
    let mut starters = Vec::new();
    for entry in raw.into_inner() {
        match Starter::parse(entry.get_ref()) {
            Some(starter) if !starters.contains(&starter) => starters.push(starter),
            Some(_) => {}
            None => problems.at(
                entry.span(),
                format!(
                    "starters: unknown starter {:?} (self, manager, admin or group:<name>)",
                    entry.get_ref()
                ),
            ),
        }
    }
    starters
}

impl Definition {
    /// Whether `initiator` may start a workflow of this definition for `subject` (the
    /// subject user; `None` when the request is for no user). `initiator_is_admin` comes
    /// from the caller, who knows the roles; the directory answers managers and groups.
    pub fn may_start(
        &self,
        initiator: &UserName,
        subject: Option<&UserName>,
        initiator_is_admin: bool,
        directory: &dyn Directory,
    ) -> bool {
        let starting = Starting {
            initiator,
            subject,
            initiator_is_admin,
            directory,
        };
        self.starters
            .iter()
            .any(|starter| starter.allows(&starting))
    }

    /// Who may start it, as the definition spells them, for documentation and forms.
    pub fn starter_names(&self) -> Vec<String> {
        self.starters.iter().map(ToString::to_string).collect()
    }
}
