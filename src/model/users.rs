//! What the administrators' Users screen shows and sends: a search over accounts, one
//! account with its groups, roles and delegations, and the changes an administrator makes.

use serde::{Deserialize, Serialize};

/// Accounts per page of the list.
pub const USERS_PAGE_SIZE: u64 = 50;

/// The list's search: words in the user name, display name or e-mail, and whether
/// disabled accounts are shown; `after` is the last user name of the page before.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserQuery {
    #[serde(default)]
    pub words: Option<String>,
    #[serde(default)]
    pub disabled: Option<String>,
    #[serde(default)]
    pub after: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserPage {
    pub lines: Vec<UserLine>,
    /// The last user name of this page, when there are more.
    pub next_after: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserLine {
    pub username: String,
    pub display_name: String,
    pub email: String,
    pub title: String,
    pub department: Option<String>,
    pub manager: Option<String>,
    pub disabled: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserDetail {
    pub line: UserLine,
    pub roles: Vec<String>,
    pub groups: Vec<String>,
    pub reports: Vec<String>,
    /// Work items waiting for them now.
    pub open_items: u64,
    pub has_password: bool,
    pub delegations: Vec<DelegationLine>,
    pub created: String,
}

/// Someone standing in for someone else over a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DelegationLine {
    pub id: i32,
    pub username: String,
    pub substitute: String,
    pub starts: String,
    pub ends: String,
    /// The period has begun (it has not ended, or it would not be listed).
    pub active: bool,
}
