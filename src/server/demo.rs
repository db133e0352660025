//! The demo company, loaded on first start when demo data is on. Scripts and tests rely
//! on the fixed people: admin, alice (reports to bob), bob (approver, alice's manager),
//! carol (owns resources) and dave (a second approver).

use super::accounts::{insert_audit, AuditEntry};
use super::entities::{assignment, catalog_item, department, user, user_role};
use super::passwords;
use super::workflow::{CreateRequest, WorkflowError, Workflows};
use assent_engine::runtime::model::{Order, OrderType};
use assent_engine::Role;
use assent_engine::UserName;
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    PaginatorTrait, Statement, TransactionTrait,
};
use std::collections::HashMap;

const DEPARTMENTS: &[&str] = &[
    "Executive",
    "Finance",
    "Sales",
    "Engineering",
    "IT Operations",
    "Human Resources",
];

struct DemoUser {
    username: &'static str,
    display_name: &'static str,
    title: &'static str,
    department: &'static str,
    manager: Option<&'static str>,
    roles: &'static [Role],
}

use Role::{ActForOthers, Admin, Approver, Requester};

const USERS: &[DemoUser] = &[
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

const NEW_HIRE: &str = "nora";

struct DemoItem {
    kind: &'static str,
    name: &'static str,
    category: &'static str,
    description: &'static str,
    owner: &'static str,
}

const CATALOG: &[DemoItem] = &[
    DemoItem {
        kind: "role",
        name: "Finance Analyst",
        category: "Finance",
        description: "Read access to ledgers, budgets and the reporting warehouse.",
        owner: "bob",
    },
    DemoItem {
        kind: "role",
        name: "Payroll Administrator",
        category: "Finance",
        description: "Runs payroll; conflicts with Accounts Payable Clerk.",
        owner: "sybil",
    },
    DemoItem {
        kind: "role",
        name: "Accounts Payable Clerk",
        category: "Finance",
        description: "Enters and releases supplier payments.",
        owner: "bob",
    },
    DemoItem {
        kind: "role",
        name: "Sales Representative",
        category: "Sales",
        description: "Manages own accounts and opportunities in the CRM.",
        owner: "heidi",
    },
    DemoItem {
        kind: "role",
        name: "Developer",
        category: "Engineering",
        description: "Write access to source repositories and the CI system.",
        owner: "dave",
    },
    DemoItem {
        kind: "role",
        name: "HR Records Viewer",
        category: "Human Resources",
        description: "Reads personnel records of the own department.",
        owner: "sybil",
    },
    DemoItem {
        kind: "resource",
        name: "VPN Access",
        category: "Infrastructure",
        description: "Remote access to the company network.",
        owner: "carol",
    },
    DemoItem {
        kind: "resource",
        name: "Production Database (read)",
        category: "Infrastructure",
        description: "Read-only account on the production PostgreSQL cluster.",
        owner: "carol",
    },
    DemoItem {
        kind: "resource",
        name: "Cloud Console",
        category: "Infrastructure",
        description: "Access to the company's cloud provider console.",
        owner: "carol",
    },
    DemoItem {
        kind: "resource",
        name: "Source Repository",
        category: "Engineering",
        description: "An account on the company's Git server.",
        owner: "dave",
    },
    DemoItem {
        kind: "resource",
        name: "CRM Account",
        category: "Sales",
        description: "A licence for the customer relationship management system.",
        owner: "carol",
    },
    DemoItem {
        kind: "resource",
        name: "Building Badge",
        category: "Facilities",
        description: "Door access to the head office.",
        owner: "carol",
    },
    DemoItem {
        kind: "entitlement",
        name: "VPN full tunnel",
        category: "Infrastructure",
        description: "Routes all traffic through the company network.",
        owner: "carol",
    },
    DemoItem {
        kind: "entitlement",
        name: "Git repository admin",
        category: "Engineering",
        description: "Administers repositories: settings, protected branches, deletion.",
        owner: "dave",
    },
];

/// Loads the demo company into an empty directory; a directory with users is left alone,
/// so restarts never duplicate it. Returns whether anything was loaded.
pub async fn load_if_empty(db: &DatabaseConnection, password: &str) -> Result<bool, DbErr> {
    if user::Entity::find().count(db).await? > 0 {
        return Ok(false);
    }
    let mut hashes = Vec::with_capacity(USERS.len());
    for _ in USERS {
        hashes.push(passwords::hash(password.to_owned()).await);
    }

    let txn = db.begin().await?;
    let mut department_ids = HashMap::new();
    for name in DEPARTMENTS {
        let saved = department::ActiveModel {
            name: Set((*name).to_owned()),
            ..Default::default()
        }
        .insert(&txn)
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
        .insert(&txn)
        .await?;
        user_ids.insert(person.username, saved.id);
        for role in person.roles {
            user_role::Entity::insert(user_role::ActiveModel {
                user_id: Set(saved.id),
                role: Set(role.as_str().to_owned()),
            })
            .exec(&txn)
            .await?;
        }
    }
    for item in CATALOG {
        catalog_item::ActiveModel {
            kind: Set(item.kind.to_owned()),
            name: Set(item.name.to_owned()),
            category: Set(item.category.to_owned()),
            description: Set(item.description.to_owned()),
            owner_id: Set(user_ids[item.owner]),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
    }
    let backend = txn.get_database_backend();
    txn.execute(Statement::from_string(
        backend,
        "INSERT INTO sod_rules (item_a, item_b) VALUES ('Payroll Administrator', 'Accounts Payable Clerk')",
    ))
    .await?;
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
        .exec_without_returning(&txn)
        .await?;
    }
    insert_audit(
        &txn,
        AuditEntry {
            actor: None,
            action: "demo.loaded",
            detail: format!(
                "{} users, {} departments, {} catalog items",
                USERS.len(),
                DEPARTMENTS.len(),
                CATALOG.len()
            ),
            request_id: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(true)
}

/// Access the demo people already hold: grace's makes her payroll request a conflict of
/// duties; ivan's is up for certification.
const HOLDINGS: &[(&str, &str, &str)] = &[
    ("grace", "role", "Accounts Payable Clerk"),
    ("ivan", "role", "Sales Representative"),
    ("ivan", "resource", "CRM Account"),
];

/// The pool that approves entitlements (see definitions/entitlement-pool.toml).
pub const SECURITY_TEAM: &[&str] = &["trent", "victor", "walter"];

/// One running request for each shipped example, so that worklists have something in
/// them from the first login: (definition, requester and subject, item, item kind).
const EXAMPLE_REQUESTS: &[(&str, &str, &str, &str)] = &[
    (
        "My-Company/Approval/4-Eye-Approval",
        "alice",
        "Finance Analyst",
        "role",
    ),
    (
        "My-Company/Approval/4-Eye-Approval",
        "niaj",
        "Developer",
        "role",
    ),
    (
        "My-Company/Approval/Manager-Then-Owner",
        "frank",
        "VPN Access",
        "resource",
    ),
    (
        "My-Company/Approval/Parallel-Quorum",
        "olivia",
        "Cloud Console",
        "resource",
    ),
    (
        "My-Company/Roles/Role-Request-SoD",
        "grace",
        "Payroll Administrator",
        "role",
    ),
    (
        "My-Company/Approval/Entitlement-Pool",
        "peggy",
        "VPN full tunnel",
        "entitlement",
    ),
];

pub async fn start_example_workflows(workflows: &Workflows) -> Result<(), WorkflowError> {
    let order = |object_type: &str, id: &str| Order::new(OrderType::AddOrder, object_type, id);
    for (path, requester, item, kind) in EXAMPLE_REQUESTS {
        let request = CreateRequest {
            definition_path: (*path).to_owned(),
            initiator: UserName::parse(requester).expect("demo names are valid"),
            subject: Some(order("user", requester)),
            resources: vec![order(kind, item)],
            form: [(
                "justification".to_owned(),
                vec![assent_engine::flowdata::Value::text(format!(
                    "{item} for my new tasks"
                ))],
            )]
            .into(),
            context: Default::default(),
            correlation_id: None,
        };
        start_or_skip(workflows, request).await?;
    }
    // nora's account waits for activation; ivan's manager heidi certifies his access.
    start_or_skip(
        workflows,
        CreateRequest {
            definition_path: "My-Company/Registration/User-Registration".into(),
            initiator: UserName::parse("admin").expect("valid"),
            subject: Some(order("user", NEW_HIRE)),
            resources: vec![],
            form: [(
                "email".to_owned(),
                vec![assent_engine::flowdata::Value::text(format!(
                    "{NEW_HIRE}@example.com"
                ))],
            )]
            .into(),
            context: Default::default(),
            correlation_id: None,
        },
    )
    .await?;
    start_or_skip(
        workflows,
        CreateRequest {
            definition_path: "My-Company/Certification/Access-Certification".into(),
            initiator: UserName::parse("admin").expect("valid"),
            subject: Some(order("user", "ivan")),
            resources: HOLDINGS
                .iter()
                .filter(|(user, ..)| *user == "ivan")
                .map(|(_, kind, name)| order(kind, name))
                .collect(),
            form: Default::default(),
            context: Default::default(),
            correlation_id: None,
        },
    )
    .await?;
    // A registration checked before anything is created: it ends at once, telling what
    // is missing (no surname).
    let mut registration = order("user", "new.hire");
    registration
        .attributes
        .insert("mail".into(), vec!["new.hire@example.com".into()]);
    start_or_skip(
        workflows,
        CreateRequest {
            definition_path: "My-Company/Registration/User-Verification".into(),
            initiator: UserName::parse("admin").expect("valid"),
            subject: Some(registration),
            resources: vec![],
            form: Default::default(),
            context: Default::default(),
            correlation_id: None,
        },
    )
    .await?;
    Ok(())
}

async fn start_or_skip(workflows: &Workflows, request: CreateRequest) -> Result<(), WorkflowError> {
    let path = request.definition_path.clone();
    match workflows.create(request).await {
        Ok(_) => Ok(()),
        Err(WorkflowError::DefinitionNotFound) => {
            tracing::warn!(path, "demo request skipped: definition not deployed");
            Ok(())
        }
        Err(other) => Err(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_company_is_consistent() {
        assert!(USERS.len() >= 20);
        assert!(CATALOG.len() >= 10);
        let position = |name: &str| USERS.iter().position(|u| u.username == name);
        for (index, person) in USERS.iter().enumerate() {
            assert!(
                DEPARTMENTS.contains(&person.department),
                "{}",
                person.username
            );
            if let Some(manager) = person.manager {
                let manager_index = position(manager).expect("manager exists");
                assert!(
                    manager_index < index,
                    "{} is listed after their manager",
                    person.username
                );
            }
        }
        for item in CATALOG {
            assert!(position(item.owner).is_some(), "{} has an owner", item.name);
        }
        let alice = &USERS[position("alice").unwrap()];
        assert_eq!(alice.manager, Some("bob"));
        assert!(USERS[position("admin").unwrap()].roles.contains(&Admin));
        assert!(USERS[position("bob").unwrap()].roles.contains(&Approver));
        assert!(USERS[position("dave").unwrap()].roles.contains(&Approver));
        assert!(CATALOG.iter().any(|item| item.owner == "carol"));
    }
}
