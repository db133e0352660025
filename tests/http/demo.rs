//! The demo company: loaded on the first start only, with an instance of each shipped
//! example workflow.

use super::harness::*;

on_both_databases!(demo_data_is_loaded_once);

async fn demo_data_is_loaded_once(mut app: TestApp) {
    let users = app.scalar("SELECT COUNT(*) AS n FROM users").await;
    assert!(users >= 20);
    assert!(app.scalar("SELECT COUNT(*) AS n FROM catalog_items").await >= 10);
    let alice_reports_to_bob = app
        .scalar(
            "SELECT COUNT(*) AS n FROM users a JOIN users m ON a.manager_id = m.id \
             WHERE a.username = 'alice' AND m.username = 'bob'",
        )
        .await;
    assert_eq!(alice_reports_to_bob, 1);
    let carol_owns = app
        .scalar(
            "SELECT COUNT(*) AS n FROM catalog_items c JOIN users u ON c.owner_id = u.id WHERE u.username = 'carol'",
        )
        .await;
    assert!(carol_owns >= 1);
    let examples = app
        .scalar("SELECT COUNT(*) AS n FROM workflow_definitions")
        .await;
    assert!(
        examples >= 6,
        "six shipped examples deployed, found {examples}"
    );
    assert_eq!(
        app.scalar("SELECT COUNT(DISTINCT definition_id) AS n FROM workflow_instances")
            .await,
        examples,
        "the demo starts an instance of each shipped example"
    );
    assert!(
        app.login("nora", DEMO_PASSWORD).await.is_err(),
        "nora waits for activation"
    );
    app.restart().await;
    assert_eq!(
        app.scalar("SELECT COUNT(*) AS n FROM users").await,
        users,
        "restart adds nothing"
    );
    assert!(
        app.login("dave", DEMO_PASSWORD).await.is_ok(),
        "the restarted server serves the same data"
    );
}
