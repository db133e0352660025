//! The demo company's departments and people, who reports to whom, which roles they
//! have, and the access some of them already hold.

use crate::server::entities::{assignment, department, user, user_role};
use crate::server::passwords;
use assent_engine::Role;
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ConnectionTrait, DatabaseTransaction, DbErr, EntityTrait,
    Statement,
};
use std::collections::HashMap;

pub(super) const DEPARTMENTS: &[&str] = &[
    "Executive",
    "Finance",
    "Sales",
    "Engineering",
    "IT Operations",
    "Human Resources",
];

pub(super) struct DemoUser {
    pub(super) username: &'static str,
    pub(super) display_name: &'static str,
    pub(super) title: &'static str,
    pub(super) department: &'static str,
    pub(super) manager: Option<&'static str>,
    pub(super) roles: &'static [Role],
}

use Role::{ActForOthers, Admin, Approver, Requester};

pub(super) const USERS: &[DemoUser] = &[
    DemoUser {
        username: "erin",
        display_name: "Erin Walsh",
        title: "Chief Executive Officer",
        department: "Executive",
        manager: None,
        roles: &[Requester, Approver],
    },
    DemoUser {
        username: "admin",
        display_name: "Ada Admin",
        title: "Identity Administrator",
        department: "IT Operations",
        manager: Some("erin"),
        roles: &[Admin, Requester],
    },
    // The service desk acts for people who cannot (decides for an approver on leave,
    // files a request for someone): a right of its own, which the administrator lacks.
    DemoUser {
        username: "sam",
        display_name: "Sam Service Desk",
        title: "Service Desk Agent",
        department: "IT Operations",
        manager: Some("admin"),
        roles: &[Requester, ActForOthers],
    },
    DemoUser {
        username: "bob",
        display_name: "Bob Martin",
        title: "Head of Finance",
        department: "Finance",
        manager: Some("erin"),
        roles: &[Requester, Approver],
    },
    DemoUser {
        username: "dave",
        display_name: "Dave Okafor",
        title: "Head of Engineering",
        department: "Engineering",
        manager: Some("erin"),
        roles: &[Requester, Approver],
    },
    DemoUser {
        username: "carol",
        display_name: "Carol Nguyen",
        title: "Application Owner",
        department: "IT Operations",
        manager: Some("dave"),
        roles: &[Requester, Approver],
    },
    DemoUser {
        username: "alice",
        display_name: "Alice Schmidt",
        title: "Financial Analyst",
        department: "Finance",
        manager: Some("bob"),
        roles: &[Requester],
    },
    DemoUser {
        username: "frank",
        display_name: "Frank Moreau",
        title: "Accountant",
        department: "Finance",
        manager: Some("bob"),
        roles: &[Requester],
    },
    DemoUser {
        username: "grace",
        display_name: "Grace Hopper",
        title: "Payroll Specialist",
        department: "Finance",
        manager: Some("bob"),
        roles: &[Requester],
    },
    DemoUser {
        username: "heidi",
        display_name: "Heidi Larsen",
        title: "Head of Sales",
        department: "Sales",
        manager: Some("erin"),
        roles: &[Requester, Approver],
    },
    DemoUser {
        username: "ivan",
        display_name: "Ivan Petrov",
        title: "Account Executive",
        department: "Sales",
        manager: Some("heidi"),
        roles: &[Requester],
    },
    DemoUser {
        username: "judy",
        display_name: "Judy Chen",
        title: "Sales Engineer",
        department: "Sales",
        manager: Some("heidi"),
        roles: &[Requester],
    },
    DemoUser {
        username: "mallory",
        display_name: "Mallory Brooks",
        title: "Sales Operations",
        department: "Sales",
        manager: Some("heidi"),
        roles: &[Requester],
    },
    DemoUser {
        username: "niaj",
        display_name: "Niaj Rahman",
        title: "Software Engineer",
        department: "Engineering",
        manager: Some("dave"),
        roles: &[Requester],
    },
    DemoUser {
        username: "olivia",
        display_name: "Olivia Rossi",
        title: "Software Engineer",
        department: "Engineering",
        manager: Some("dave"),
        roles: &[Requester],
    },
    DemoUser {
        username: "peggy",
        display_name: "Peggy Carter",
        title: "Site Reliability Engineer",
        department: "Engineering",
        manager: Some("dave"),
        roles: &[Requester],
    },
    DemoUser {
        username: "rupert",
        display_name: "Rupert Hale",
        title: "Database Administrator",
        department: "IT Operations",
        manager: Some("carol"),
        roles: &[Requester],
    },
    DemoUser {
        username: "sybil",
        display_name: "Sybil Ortega",
        title: "Head of People",
        department: "Human Resources",
        manager: Some("erin"),
        roles: &[Requester, Approver],
    },
    DemoUser {
        username: "trent",
        display_name: "Trent Ward",
        title: "HR Partner",
        department: "Human Resources",
        manager: Some("sybil"),
        roles: &[Requester],
    },
    DemoUser {
        username: "victor",
        display_name: "Victor Diaz",
        title: "Recruiter",
        department: "Human Resources",
        manager: Some("sybil"),
        roles: &[Requester],
    },
    DemoUser {
        username: "walter",
        display_name: "Walter Kim",
        title: "Security Analyst",
        department: "IT Operations",
        manager: Some("carol"),
        roles: &[Requester],
    },
    DemoUser {
        username: "yvonne",
        display_name: "Yvonne Adams",
        title: "Help Desk Lead",
        department: "IT Operations",
        manager: Some("carol"),
        roles: &[Requester],
    },
    DemoUser {
        username: "zoe",
        display_name: "Zoe Fischer",
        title: "Intern",
        department: "Engineering",
        manager: Some("olivia"),
        roles: &[Requester],
    },
    // Starts disabled: the registration example activates the account.
    DemoUser {
        username: NEW_HIRE,
        display_name: "Nora Newhire",
        title: "Accountant",
        department: "Finance",
        manager: Some("bob"),
        roles: &[Requester],
    },
];

pub(super) const NEW_HIRE: &str = "nora";

/// Access the demo people already hold: grace's makes her payroll request a conflict of
/// duties; ivan's is up for certification.
pub(super) const HOLDINGS: &[(&str, &str, &str)] = &[
    ("grace", "role", "Accounts Payable Clerk"),
    ("ivan", "role", "Sales Representative"),
    ("ivan", "resource", "CRM Account"),
];

/// The pool that approves entitlements (see definitions/entitlement-pool.toml).
pub const SECURITY_TEAM: &[&str] = &["trent", "victor", "walter"];

/// Each person's password hash, in the order of [`USERS`]. Hashing is slow on purpose,
/// so it is done before the loading transaction opens rather than while it is held.
pub(super) async fn password_hashes(password: &str) -> Vec<String> {
    let mut hashes = Vec::with_capacity(USERS.len());
    for _ in USERS {
        hashes.push(passwords::hash(password.to_owned()).await);
    }
    hashes
}

/// The departments, then the people with their roles, managers before those who report
/// to them. Returns each person's id by user name.
pub(super) async fn insert_people(
    txn: &DatabaseTransaction,
    hashes: Vec<String>,
) -> Result<HashMap<&'static str, i32>, DbErr> {
    let mut department_ids = HashMap::new();
    for name in DEPARTMENTS {
        let saved = department::ActiveModel {
            name: Set((*name).to_owned()),
            ..Default::default()
        }
        .insert(txn)
        .await?;
        department_ids.insert(*name, saved.id);
    }
    let mut user_ids: HashMap<&str, i32> = HashMap::new();
    for (person, hash) in USERS.iter().zip(hashes) {
        let saved = user::ActiveModel {
            username: Set(person.username.to_owned()),
            display_name: Set(person.display_name.to_owned()),
            email: Set(format!("{}@example.com", person.username)),
            title: Set(person.title.to_owned()),
            department_id: Set(department_ids.get(person.department).copied()),
            manager_id: Set(person.manager.and_then(|m| user_ids.get(m).copied())),
            disabled: Set(person.username == NEW_HIRE),
            password_hash: Set(Some(hash)),
            created_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(txn)
        .await?;
        user_ids.insert(person.username, saved.id);
        for role in person.roles {
            user_role::Entity::insert(user_role::ActiveModel {
                user_id: Set(saved.id),
                role: Set(role.as_str().to_owned()),
            })
            .exec(txn)
            .await?;
        }
    }
    Ok(user_ids)
}

/// The security team's membership and the access in [`HOLDINGS`].
pub(super) async fn insert_memberships_and_holdings(
    txn: &DatabaseTransaction,
) -> Result<(), DbErr> {
    let backend = txn.get_database_backend();
    for member in SECURITY_TEAM {
        txn.execute(Statement::from_sql_and_values(
            backend,
            crate::server::workflow::placeholders(
                backend,
                "INSERT INTO group_members (group_name, username) VALUES (?, ?)",
            ),
            ["security-team".into(), (*member).into()],
        ))
        .await?;
    }
    for (username, kind, name) in HOLDINGS {
        assignment::Entity::insert(assignment::ActiveModel {
            username: Set((*username).to_owned()),
            kind: Set((*kind).to_owned()),
            name: Set((*name).to_owned()),
            granted_at: Set(Utc::now()),
            instance_id: Set(None),
            ..Default::default()
        })
        .exec_without_returning(txn)
        .await?;
    }
    Ok(())
}
