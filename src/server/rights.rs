//! Rights as capabilities, after lldap's handlers: a use case that needs a right takes a
//! [`Granted`] for it, and the only way to get one is [`Granted::check`] on the user
//! actually asking. Which role holds which right is decided here, once.

use crate::model::SessionUser;
use assent_engine::Role;
use std::marker::PhantomData;

/// A right the use cases check; each is a type, so a capability names exactly one.
pub trait Right {
    /// Whether `user` holds this right.
    fn held_by(user: &SessionUser) -> bool;
}

macro_rules! rights {
    ($($(#[$doc:meta])* $name:ident => $role:expr;)*) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy)]
        pub struct $name;

        impl Right for $name {
            fn held_by(user: &SessionUser) -> bool {
                user.has_role($role)
            }
        }
    )*};
}

rights! {
    /// Decide, start or sign for another person (the service desk).
    ActForOthers => Role::ActForOthers;
    /// Read another participant's worklist.
    ReadOthersWork => Role::Admin;
    /// Suspend, resume, abort, modify and re-evaluate workflows.
    ManageWorkflows => Role::Admin;
    /// Read every workflow, not only one's own.
    ReadAllWorkflows => Role::Admin;
    /// Search and export the audit trail.
    ReadAudit => Role::Admin;
    /// Register, activate or change accounts that are not one's own.
    ManageAccounts => Role::Admin;
    /// Deploy definitions, read their versions and rehearse a new text.
    ManageDefinitions => Role::Admin;
    /// Start a workflow through a definition other than the one that applies.
    ForceDefinition => Role::Admin;
    /// See every provisioning message; retry or drop a parked one.
    ManageProvisioning => Role::Admin;
    /// See the sources of identity change events; retry or skip a stopped event; choose
    /// whether a source's bad events stop the stream or are parked.
    ManageChangeEvents => Role::Admin;
}

/// Proof that the user asking holds right `R`. It cannot be built outside this module
/// except through [`Granted::check`].
#[derive(Debug, Clone, Copy)]
pub struct Granted<R: Right> {
    right: PhantomData<R>,
}

impl<R: Right> Granted<R> {
    /// The capability, when `user` holds the right.
    pub fn check(user: &SessionUser) -> Option<Self> {
        R::held_by(user).then_some(Self { right: PhantomData })
    }
}

/// Whether `user` holds `R`, where only a yes or no is needed (e.g. to show more).
pub fn holds<R: Right>(user: &SessionUser) -> bool {
    R::held_by(user)
}

#[cfg(test)]
mod tests {
    use super::*;
    use assent_engine::{RoleSet, UserName};

    fn user(roles: &[Role]) -> SessionUser {
        SessionUser {
            user_id: 1,
            username: UserName::parse("pat").unwrap(),
            display_name: "Pat".into(),
            roles: RoleSet::from_iter(roles.iter().copied()),
        }
    }

    #[test]
    fn a_capability_exists_only_for_a_holder() {
        assert!(Granted::<ManageWorkflows>::check(&user(&[Role::Admin])).is_some());
        assert!(Granted::<ManageWorkflows>::check(&user(&[Role::ActForOthers])).is_none());
        assert!(Granted::<ActForOthers>::check(&user(&[Role::ActForOthers])).is_some());
        assert!(Granted::<ActForOthers>::check(&user(&[Role::Admin])).is_none());
    }
}
