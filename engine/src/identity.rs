//! Who people are to the portal: user names and the roles they hold.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A login name as typed by a person or named in the API (`bob`).
///
/// Parsing is the only way to build one, so every `UserName` in the program is already
/// normalised (trimmed, lower case) and within the allowed alphabet.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct UserName(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UserNameError {
    #[error("a user name is required")]
    Empty,
    #[error("a user name has at most {max} characters")]
    TooLong { max: usize },
    #[error("a user name may contain only letters a-z, digits and . _ -")]
    InvalidCharacter,
}

impl UserName {
    pub const MAX_LEN: usize = 64;

    pub fn parse(raw: &str) -> Result<Self, UserNameError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(UserNameError::Empty);
        }
        if trimmed.chars().count() > Self::MAX_LEN {
            return Err(UserNameError::TooLong { max: Self::MAX_LEN });
        }
        let lowered = trimmed.to_ascii_lowercase();
        let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c);
        if !lowered.chars().all(allowed) {
            return Err(UserNameError::InvalidCharacter);
        }
        Ok(Self(lowered))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for UserName {
    type Error = UserNameError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<UserName> for String {
    fn from(value: UserName) -> Self {
        value.0
    }
}

impl fmt::Display for UserName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a user may do in the portal. A user can hold several.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Requester,
    Approver,
    Admin,
    /// May act on behalf of another person: decide their items, start workflows as them.
    /// Deliberately not implied by `Admin`: acting as someone else is a separate, rarer
    /// right (a help desk or an integration's service account), granted on its own.
    #[serde(rename = "act-for-others")]
    ActForOthers,
}

impl Role {
    pub const ALL: [Role; 4] = [
        Role::Requester,
        Role::Approver,
        Role::Admin,
        Role::ActForOthers,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Requester => "requester",
            Role::Approver => "approver",
            Role::Admin => "admin",
            Role::ActForOthers => "act-for-others",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown role {0:?}; expected requester, approver, admin or act-for-others")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|role| role.as_str() == s)
            .ok_or_else(|| UnknownRole(s.to_owned()))
    }
}

/// The roles one user holds, kept sorted and without duplicates.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleSet(Vec<Role>);

impl RoleSet {
    pub fn contains(&self, role: Role) -> bool {
        self.0.contains(&role)
    }

    pub fn iter(&self) -> impl Iterator<Item = Role> + '_ {
        self.0.iter().copied()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl FromIterator<Role> for RoleSet {
    fn from_iter<I: IntoIterator<Item = Role>>(iter: I) -> Self {
        let mut roles: Vec<Role> = iter.into_iter().collect();
        roles.sort();
        roles.dedup();
        Self(roles)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_names_parse_or_explain_why_not() {
        let cases: &[(&str, Result<&str, UserNameError>)] = &[
            ("alice", Ok("alice")),
            ("  Bob ", Ok("bob")),
            ("j.doe-2_x", Ok("j.doe-2_x")),
            ("", Err(UserNameError::Empty)),
            ("   ", Err(UserNameError::Empty)),
            ("al ice", Err(UserNameError::InvalidCharacter)),
            ("alice'--", Err(UserNameError::InvalidCharacter)),
            ("émile", Err(UserNameError::InvalidCharacter)),
        ];
        for (raw, expected) in cases {
            let parsed = UserName::parse(raw);
            match expected {
                Ok(name) => assert_eq!(parsed.as_ref().map(UserName::as_str), Ok(*name), "{raw:?}"),
                Err(error) => assert_eq!(parsed.as_ref().err(), Some(error), "{raw:?}"),
            }
        }
        let too_long = "a".repeat(UserName::MAX_LEN + 1);
        assert_eq!(
            UserName::parse(&too_long),
            Err(UserNameError::TooLong {
                max: UserName::MAX_LEN
            })
        );
        assert!(UserName::parse(&"a".repeat(UserName::MAX_LEN)).is_ok());
    }

    #[test]
    fn user_name_deserialisation_validates() {
        let ok: UserName = serde_json::from_str("\"Carol\"").unwrap();
        assert_eq!(ok.as_str(), "carol");
        assert!(serde_json::from_str::<UserName>("\"no way\"").is_err());
    }

    #[test]
    fn roles_round_trip_through_their_names() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
        }
        assert!("superuser".parse::<Role>().is_err());
        assert!("Admin".parse::<Role>().is_err(), "role names are exact");
    }

    #[test]
    fn role_sets_are_sorted_and_unique() {
        let set: RoleSet = [Role::Admin, Role::Requester, Role::Admin]
            .into_iter()
            .collect();
        assert_eq!(
            set.iter().collect::<Vec<_>>(),
            vec![Role::Requester, Role::Admin]
        );
        assert!(set.contains(Role::Admin));
        assert!(!set.contains(Role::Approver));
    }
}
