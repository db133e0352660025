//! The demo company, loaded on first start when demo data is on. Scripts and tests rely
//! on the fixed people: admin, alice (reports to bob), bob (approver, alice's manager),
//! carol (owns resources) and dave (a second approver).

mod catalog;
mod people;
mod requests;

pub use people::SECURITY_TEAM;
pub use requests::start_example_workflows;

use super::accounts::{insert_audit, AuditEntry};
use super::entities::user;
use catalog::{insert_catalog, CATALOG};
use people::{insert_memberships_and_holdings, insert_people, password_hashes, DEPARTMENTS, USERS};
use sea_orm::{DatabaseConnection, DbErr, EntityTrait, PaginatorTrait, TransactionTrait};

/// Loads the demo company into an empty directory; a directory with users is left alone,
/// so restarts never duplicate it. Returns whether anything was loaded.
pub async fn load_if_empty(db: &DatabaseConnection, password: &str) -> Result<bool, DbErr> {
    if user::Entity::find().count(db).await? > 0 {
        return Ok(false);
    }
    let hashes = password_hashes(password).await;
    let txn = db.begin().await?;
    let user_ids = insert_people(&txn, hashes).await?;
    insert_catalog(&txn, &user_ids).await?;
    insert_memberships_and_holdings(&txn).await?;
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

#[cfg(test)]
mod tests {
    use super::catalog::CATALOG;
    use super::people::{DEPARTMENTS, USERS};
    use assent_engine::Role::{Admin, Approver};

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
