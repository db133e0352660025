//! Certification: what the certifier rejects is revoked.

use crate::common::{self, Backend};
use crate::on_both_databases;
use crate::support::*;
use assent::server::workflow::CreateRequest;
use assent_engine::runtime::model::{Order, OrderType};
use std::collections::BTreeMap;

on_both_databases!(certification_revokes_what_the_certifier_rejects,);

async fn certification_revokes_what_the_certifier_rejects(backend: Backend) {
    let f = fixture(backend).await;
    // The demo company gives ivan these two.
    assert_eq!(
        count(
            &f.db,
            "SELECT COUNT(*) AS n FROM assignments WHERE username = 'ivan'"
        )
        .await,
        2
    );
    let order = |object_type: &str, id: &str| Order {
        order_type: OrderType::InfoOrder,
        target_id: id.into(),
        object_type: object_type.into(),
        attributes: BTreeMap::new(),
    };
    let instance = f
        .workflows
        .create(CreateRequest {
            definition_path: "My-Company/Certification/Access-Certification".into(),
            initiator: user("admin"),
            subject: Some(order("user", "ivan")),
            resources: vec![
                order("role", "Sales Representative"),
                order("resource", "CRM Account"),
            ],
            form: BTreeMap::new(),
            context: BTreeMap::new(),
            correlation_id: None,
        })
        .await
        .unwrap();
    assert_eq!(
        f.workflows.open_item_count(&user("heidi")).await.unwrap(),
        1,
        "ivan's manager certifies"
    );
    let review = running(&instance, "review");
    let verdicts = BTreeMap::from([
        ("Sales Representative".to_owned(), true),
        ("CRM Account".to_owned(), false),
    ]);
    f.workflows
        .certify(&user("heidi"), None, &instance.id, review, verdicts, true)
        .await
        .unwrap();
    assert_eq!(count(&f.db, "SELECT COUNT(*) AS n FROM assignments WHERE username = 'ivan' AND name = 'Sales Representative'").await, 1);
    assert_eq!(count(&f.db, "SELECT COUNT(*) AS n FROM assignments WHERE username = 'ivan' AND name = 'CRM Account'").await, 0, "revoked");
    assert_eq!(
        f.workflows.open_item_count(&user("heidi")).await.unwrap(),
        0
    );
}
