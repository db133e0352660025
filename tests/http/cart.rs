//! The cart: several items requested at once, all or nothing.

use super::harness::*;
use super::portal::*;
use reqwest::StatusCode;

on_both_databases!(a_cart_requests_several_items_all_or_nothing);

async fn a_cart_requests_several_items_all_or_nothing(app: TestApp) {
    let peggy = app.session("peggy").await;
    let developer = catalog_id(&app, &peggy, "Developer").await;
    let crm = catalog_id(&app, &peggy, "CRM Account").await;
    for item in [&developer, &crm, &developer] {
        let (status, body) = app
            .server_fn("/app/cart/add", &[("item_id", item)], Some(&peggy))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let (_, count) = app.server_fn("/app/cart/count", &[], Some(&peggy)).await;
    assert_eq!(count, 2, "an item is in the cart once");
    let (_, cart) = app.server_fn("/app/cart", &[], Some(&peggy)).await;
    let groups = cart["groups"].as_array().unwrap();
    assert_eq!(
        groups.len(),
        2,
        "a role and a resource go through different workflows: {cart}"
    );
    let count_requests = || async {
        let (_, mine) = app.server_fn("/app/my-requests", &[], Some(&peggy)).await;
        mine.as_array().unwrap().len()
    };
    let before = count_requests().await;
    // The second group's justification is missing: nothing starts.
    let (status, outcome) = app
        .server_fn(
            "/app/cart/submit",
            &[("fields[g0_justification][]", "new project")],
            Some(&peggy),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{outcome}");
    assert!(
        outcome["FormInvalid"]["errors"]
            .to_string()
            .contains("g1_justification"),
        "{outcome}"
    );
    assert_eq!(
        outcome["FormInvalid"]["values"]["g0_justification"][0], "new project",
        "what was typed comes back"
    );
    assert_eq!(count_requests().await, before);
    let (status, refused) = app
        .server_fn("/app/cart/submit", &[("fields[g7_x][]", "?")], Some(&peggy))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{refused}");
    let (status, outcome) = app
        .server_fn(
            "/app/cart/submit",
            &[
                ("fields[g0_justification][]", "new project"),
                ("fields[g1_justification][]", "new project"),
            ],
            Some(&peggy),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{outcome}");
    assert_eq!(
        outcome["Started"]["workflow_ids"].as_array().unwrap().len(),
        2
    );
    assert_eq!(count_requests().await, before + 2);
    let (_, count) = app.server_fn("/app/cart/count", &[], Some(&peggy)).await;
    assert_eq!(count, 0, "the cart empties once requested");
}
