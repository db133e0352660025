//! Registration: a new account is enabled by the key mailed to its stored address.

use crate::common::{self, Backend};
use crate::on_both_databases;
use crate::support::*;
use assent::server::workflow::WorkflowError;
use assent_engine::flowdata::Value;
use assent_engine::runtime::model::{Order, OrderType};
use assent_engine::runtime::EngineError;
use assent_engine::ApplicationState;
use std::collections::BTreeMap;

on_both_databases!(registration_is_activated_by_the_mailed_key,);

async fn registration_is_activated_by_the_mailed_key(backend: Backend) {
    use assent::server::workflow::SubmitRequest;
    let f = fixture(backend).await;
    f.execute(
        "INSERT INTO users (username, display_name, email, title, disabled, created_at) VALUES ('newhire', 'New Hire', 'new.hire@example.com', '', TRUE, '2026-11-23T09:00:00Z')",
    )
    .await;
    let order = |id: &str| Order {
        order_type: OrderType::AddOrder,
        target_id: id.into(),
        object_type: "user".into(),
        attributes: BTreeMap::new(),
    };
    let instance = f
        .workflows
        .submit(SubmitRequest {
            definition_path: "My-Company/Registration/User-Registration".into(),
            initiator: user("admin"),
            subject: Some(order("newhire")),
            resources: vec![],
            // Typed by the requester: the key must not go here, only to the stored address.
            form: BTreeMap::from([(
                "email".to_owned(),
                vec!["someone.else@example.com".to_owned()],
            )]),
        })
        .await
        .unwrap();
    f.workflows.run_due_jobs("test", 10).await.unwrap();
    let key = f
        .mailer
        .keys
        .lock()
        .unwrap()
        .first()
        .cloned()
        .expect("a key was mailed");
    let keys_sent: Vec<Vec<String>> = f
        .mailer
        .sent
        .lock()
        .unwrap()
        .iter()
        .filter(|(_, template)| template == "activation-key")
        .map(|(to, _)| to.clone())
        .collect();
    assert_eq!(keys_sent, vec![vec!["new.hire@example.com".to_owned()]]);
    // The key works for the default 72 hours from its mailing.
    let stored = f.workflows.instance(&instance.id).await.unwrap();
    let expires =
        stored.runs[running(&stored, "activation") as usize].result["keyExpiresAt"].clone();
    let due = f.workflows.now() + chrono::Duration::hours(72);
    assert_eq!(expires, vec![Value::Int(due.timestamp_millis())]);
    let stored: String = column_n(
        &f.db,
        &format!(
            "SELECT data AS n FROM workflow_instances WHERE id = '{}'",
            instance.id
        ),
    )
    .await;
    assert!(!stored.contains(&key), "only the key's digest is stored");

    let wrong = f
        .workflows
        .activate(&instance.id, "activation", "0000")
        .await;
    assert!(matches!(
        wrong,
        Err(WorkflowError::Engine(EngineError::InvalidActivationKey))
    ));
    assert_eq!(
        count(
            &f.db,
            "SELECT COUNT(*) AS n FROM users WHERE username = 'newhire' AND disabled = TRUE"
        )
        .await,
        1
    );
    let done = f
        .workflows
        .activate(&instance.id, "activation", &key)
        .await
        .unwrap();
    assert_eq!(done.application_state, Some(ApplicationState::Accepted));
    assert_eq!(
        count(
            &f.db,
            "SELECT COUNT(*) AS n FROM users WHERE username = 'newhire' AND disabled = FALSE"
        )
        .await,
        1,
        "the account is enabled"
    );
}
