//! Who is signed in, as both the pages and the server's use cases see them.

use assent_engine::{Role, RoleSet, UserName};
use serde::{Deserialize, Serialize};

/// The person a session (or an API call) belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionUser {
    pub user_id: i32,
    pub username: UserName,
    pub display_name: String,
    pub roles: RoleSet,
}

impl SessionUser {
    pub fn has_role(&self, role: Role) -> bool {
        self.roles.contains(role)
    }

    pub fn initials(&self) -> String {
        self.display_name
            .split_whitespace()
            .filter_map(|word| word.chars().next())
            .take(2)
            .collect::<String>()
            .to_uppercase()
    }
}
