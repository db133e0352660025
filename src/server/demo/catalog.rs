//! What the demo company's people can request, who owns each item, and which two roles
//! nobody may hold together.

use crate::server::entities::catalog_item;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ConnectionTrait, DatabaseTransaction, DbErr, Statement,
};
use std::collections::HashMap;

pub(super) struct DemoItem {
    pub(super) kind: &'static str,
    pub(super) name: &'static str,
    pub(super) category: &'static str,
    pub(super) description: &'static str,
    pub(super) owner: &'static str,
}

pub(super) const CATALOG: &[DemoItem] = &[
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
        kind: "resource",
        name: "Shared Mailbox",
        category: "Collaboration",
        description:
            "A mailbox several people share; the mail team's Prefect flow creates it once approved.",
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

/// The catalog items, owned by the people in `user_ids`, and the separation-of-duties
/// rule between payroll and payables.
pub(super) async fn insert_catalog(
    txn: &DatabaseTransaction,
    user_ids: &HashMap<&str, i32>,
) -> Result<(), DbErr> {
    for item in CATALOG {
        catalog_item::ActiveModel {
            kind: Set(item.kind.to_owned()),
            name: Set(item.name.to_owned()),
            category: Set(item.category.to_owned()),
            description: Set(item.description.to_owned()),
            owner_id: Set(user_ids[item.owner]),
            ..Default::default()
        }
        .insert(txn)
        .await?;
    }
    txn.execute(Statement::from_string(
        txn.get_database_backend(),
        "INSERT INTO sod_rules (item_a, item_b) VALUES ('Payroll Administrator', 'Accounts Payable Clerk')",
    ))
    .await?;
    Ok(())
}
