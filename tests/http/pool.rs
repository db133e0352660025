//! Pool items: offered to several people, claimed by one, released back to all.

use super::harness::*;
use super::portal::*;
use reqwest::StatusCode;

on_both_databases!(pool_items_are_claimed_and_released);

async fn pool_items_are_claimed_and_released(app: TestApp) {
    let trent = app.session("trent").await;
    let victor = app.session("victor").await;
    let pool = worklist(&app, &trent, &[("status", "pool")]).await;
    assert_eq!(pool["total"], 1, "{pool}");
    let item = &pool["items"][0];
    let (id, run) = (
        item["workflow_id"].as_str().unwrap().to_owned(),
        item["run"].as_u64().unwrap().to_string(),
    );
    assert_eq!(
        workflow_ids(&worklist(&app, &victor, &[]).await),
        vec![id.clone()]
    );
    let claim = |cookie: String, claim: &'static str| {
        let (id, run, app) = (id.clone(), run.clone(), &app);
        async move {
            app.server_fn(
                "/app/claim",
                &[("workflow_id", &id), ("run", &run), ("claim", claim)],
                Some(&cookie),
            )
            .await
        }
    };
    let (status, _) = claim(trent.clone(), "true").await;
    assert_eq!(status, StatusCode::OK);
    assert!(workflow_ids(&worklist(&app, &victor, &[]).await).is_empty());
    let mine = worklist(&app, &trent, &[("status", "claimed")]).await;
    assert_eq!(workflow_ids(&mine), vec![id.clone()]);
    let (status, refused) = claim(victor.clone(), "true").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        refused.to_string().contains("trent has already claimed"),
        "{refused}"
    );
    let (status, _) = claim(victor.clone(), "false").await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "only the claimant releases"
    );
    let (status, _) = claim(trent.clone(), "false").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        workflow_ids(&worklist(&app, &victor, &[]).await),
        vec![id.clone()]
    );
    // Someone outside the pool can neither claim nor learn anything: the item answers
    // as if it did not exist.
    let bob = app.session("bob").await;
    let (status, _) = claim(bob, "true").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
