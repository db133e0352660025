//! `external` activities against a callback engine served by the test itself: starts
//! it records, callbacks with good, wrong and spent secrets, a time limit, a report for a
//! suspended workflow, and a start given up.

use super::*;
use axum::extract::State;
use axum::routing::post;
use axum::Json;

on_both_databases!(
    callbacks_with_a_wrong_or_spent_secret_are_refused_and_a_repeat_changes_nothing,
    a_hand_off_past_its_time_limit_takes_the_failure_path,
    a_report_for_a_suspended_workflow_is_kept_and_applied_when_it_resumes,
    a_start_given_up_fails_the_hand_off_and_its_run_together,
);

/// What a callback engine served by the test was asked to start.
#[derive(Clone, Default)]
struct Starts(Arc<Mutex<Vec<Value>>>);

impl Starts {
    /// The `n`th start (from 0), once the engine has been asked it.
    async fn nth(&self, n: usize) -> Value {
        eventually(20, "the engine asked to start", || async {
            self.0.lock().unwrap().len() > n
        })
        .await;
        self.0.lock().unwrap()[n].clone()
    }
}

async fn record_start(State(starts): State<Starts>, Json(body): Json<Value>) -> Json<Value> {
    let key = body["key"].clone();
    starts.0.lock().unwrap().push(body);
    Json(json!({ "id": format!("ticket-{}", key.as_str().unwrap_or_default()) }))
}

/// A callback engine of the test's own, `tickets`, which records the starts and never
/// calls back by itself; and the portal (on `app`'s kind of database) that names it.
async fn with_a_callback_engine(app: TestApp) -> (TestApp, tempfile::TempDir, Starts) {
    let starts = Starts::default();
    let engine = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let engine_url = format!("http://{}/start", engine.local_addr().unwrap());
    let router = axum::Router::new()
        .route("/start", post(record_start))
        .with_state(starts.clone());
    tokio::spawn(async move { axum::serve(engine, router).await });
    let backend = app.backend();
    drop(app);
    let integrations = format!("[engines.tickets]\nkind = \"callback\"\nurl = \"{engine_url}\"\n");
    let (app, folder) = portal(backend, &integrations).await;
    (app, folder, starts)
}

async fn callbacks_with_a_wrong_or_spent_secret_are_refused_and_a_repeat_changes_nothing(
    app: TestApp,
) {
    let (app, _folder, starts) = with_a_callback_engine(app).await;
    let tickets = handing_off("Tickets", "tickets", "open-mailbox-ticket");
    let id = start_workflow(&app, &tickets).await;
    let start = starts.nth(0).await;
    assert_eq!(start["start"], "open-mailbox-ticket");
    assert_eq!(start["parameters"]["user"], "alice");
    assert_eq!(start["parameters"]["display_name"], "Nina Berger");
    let callback = start["callback"]["url"].as_str().unwrap().to_owned();
    let token = start["callback"]["token"].as_str().unwrap().to_owned();
    let own = format!(
        "http://127.0.0.1:{}/api/external/v1/callback/",
        app.address.port()
    );
    assert!(callback.starts_with(&own), "{callback}");
    // The secret is not kept: only its digest; nor in the job, once it started the run.
    let kept = format!("SELECT COUNT(*) AS n FROM handoffs WHERE secret_hash = '{token}'");
    assert_eq!(app.scalar(&kept).await, 0);
    let in_jobs = format!("SELECT COUNT(*) AS n FROM jobs WHERE payload LIKE '%{token}%'");
    eventually(10, "the secret gone from the job table", || async {
        app.scalar(&in_jobs).await == 0
    })
    .await;

    // Health and the waiting hand-off, on /readyz and the administrators' overview.
    ready_says(&app, "engine tickets: up, 1 waiting").await;
    let admin = app.session("admin").await;
    let overview = app
        .post_form("/app/admin/overview", &[], Some(&admin))
        .await;
    let overview: Value = serde_json::from_str(&overview.text().await.unwrap()).unwrap();
    let engine = &overview["engines"][0];
    let shown = (
        &engine["name"],
        &engine["kind"],
        &engine["state"],
        &engine["waiting"],
    );
    assert_eq!(
        shown,
        (
            &json!("tickets"),
            &json!("callback"),
            &json!("up"),
            &json!(1)
        )
    );
    let page = app.text("/admin", Some(&admin)).await;
    assert!(
        page.contains("External workflow engines") && page.contains("tickets"),
        "{page}"
    );

    let report = json!({"state": "COMPLETED", "result": {"mailbox": "alice@mail.example.com", "ticket": 4711}});
    let send = |url: String, token: Option<String>, body: Value| {
        let client = app.client.clone();
        async move {
            let request = client.post(&url).json(&body);
            let request = match token {
                Some(token) => request.bearer_auth(token),
                None => request,
            };
            let response = request.send().await.unwrap();
            let status = response.status();
            (
                status,
                response.json::<Value>().await.unwrap_or(Value::Null),
            )
        }
    };
    let good = Some(token.clone());

    // Wrong secret, no secret, unknown hand-off: refused alike, nothing changes.
    let unknown = callback.replace(&callback[callback.len() - 32..], &"0".repeat(32));
    for (url, token) in [
        (callback.clone(), Some("not-the-secret".to_owned())),
        (callback.clone(), None),
        (unknown, good.clone()),
    ] {
        let (status, answer) = send(url, token, report.clone()).await;
        assert_eq!(
            (status, answer["error"].as_str()),
            (StatusCode::UNAUTHORIZED, Some("unauthorized"))
        );
    }
    // A bad report names its mistake.
    let (status, answer) = send(callback.clone(), good.clone(), json!({"state": "DONE"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    assert!(answer["message"]
        .as_str()
        .unwrap()
        .contains("COMPLETED, FAILED or CANCELLED"));
    let listed = json!({"state": "COMPLETED", "result": [1]});
    let (status, answer) = send(callback.clone(), good.clone(), listed).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        answer["message"].as_str().unwrap().starts_with("result:"),
        "{answer}"
    );
    assert_eq!(instance(&app, &id).await["state"], "RUNNING");

    // The good one goes through; a repeat changes nothing.
    let (status, answer) = send(callback.clone(), good.clone(), report.clone()).await;
    assert_eq!(
        (status, answer["outcome"].as_str()),
        (StatusCode::OK, Some("applied")),
        "{answer}"
    );
    let workflow = until_ended(&app, &id, 10).await;
    assert_eq!(workflow["applicationState"], "ACCEPTED");
    assert_eq!(flowdata(&app, &id, "mailbox/ticket").await, ["4711"]);
    let late = json!({"state": "FAILED", "message": "late"});
    let (status, answer) = send(callback.clone(), good.clone(), late).await;
    assert_eq!(
        (status, answer["outcome"].as_str()),
        (StatusCode::OK, Some("alreadySettled"))
    );
    assert_eq!(instance(&app, &id).await["version"], workflow["version"]);
    assert_eq!(audits(&app, "workflow.handoff_completed", &id).await, 1);
    assert_eq!(handoff(&app, &id).await.0, "completed");

    // A hand-off whose workflow went on without it: its secret is spent.
    let second = start_workflow(&app, &tickets).await;
    let start = starts.nth(1).await;
    ok(&app, "abort", "admin", json!({"workflowID": second})).await;
    let callback = start["callback"]["url"].as_str().unwrap().to_owned();
    let token = start["callback"]["token"].as_str().map(str::to_owned);
    for _ in 0..2 {
        let (status, answer) = send(callback.clone(), token.clone(), report.clone()).await;
        assert_eq!(
            (status, answer["error"].as_str()),
            (StatusCode::CONFLICT, Some("handoffClosed"))
        );
    }
    assert_eq!(handoff(&app, &second).await.0, "closed");

    // Refused secrets count against the address: the fifth starts a lockout, and then
    // even a good secret waits, before anything is looked up.
    let wrong = Some("still-not-the-secret".to_owned());
    let (status, _) = send(callback.clone(), wrong.clone(), report.clone()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    for _ in 0..2 {
        let (status, answer) = send(callback.clone(), wrong.clone(), report.clone()).await;
        assert_eq!(
            (status, answer["error"].as_str()),
            (StatusCode::TOO_MANY_REQUESTS, Some("tooManyAttempts")),
            "{answer}"
        );
    }
    let response = app
        .client
        .post(&callback)
        .bearer_auth(token.unwrap())
        .json(&report)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry_after), "{retry_after}");
}

async fn a_hand_off_past_its_time_limit_takes_the_failure_path(app: TestApp) {
    // The engine takes the start and never answers; the definition allows two seconds.
    let (app, _folder, starts) = with_a_callback_engine(app).await;
    let slow = handing_off("Slow", "tickets", "open-mailbox-ticket").replace("\"10m\"", "\"2s\"");
    let (id, workflow) = run_to_end(&app, &slow, 30).await;
    assert_eq!(workflow["applicationState"], "REJECTED", "{workflow}");
    assert_eq!(starts.0.lock().unwrap().len(), 1, "started once");
    let (state, by, _, error) = handoff(&app, &id).await;
    assert_eq!(
        (state.as_str(), by.as_deref()),
        ("failed", Some("time limit"))
    );
    assert!(error
        .unwrap()
        .contains("no answer within the time limit of 2 s"));
    let reason = flowdata(&app, &id, "mailbox/error").await.join(" ");
    assert!(reason.contains("time limit"), "{reason}");
}

/// POSTs `report` to a start's callback with its token.
async fn report(app: &TestApp, start: &Value, report: Value) -> (StatusCode, Value) {
    let response = app
        .client
        .post(start["callback"]["url"].as_str().unwrap())
        .bearer_auth(start["callback"]["token"].as_str().unwrap())
        .json(&report)
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn a_report_for_a_suspended_workflow_is_kept_and_applied_when_it_resumes(app: TestApp) {
    let (app, _folder, starts) = with_a_callback_engine(app).await;
    let tickets = handing_off("Tickets", "tickets", "open-mailbox-ticket");
    let id = start_workflow(&app, &tickets).await;
    let start = starts.nth(0).await;
    ok(&app, "suspend", "admin", json!({"workflowID": id})).await;

    // The run ended while the workflow is suspended: the report is kept, not refused.
    let done = json!({"state": "COMPLETED", "result": {"mailbox": "alice@mail.example.com", "ticket": 815}});
    let (status, answer) = report(&app, &start, done.clone()).await;
    assert_eq!(
        (status, answer["outcome"].as_str()),
        (StatusCode::ACCEPTED, Some("deferred")),
        "{answer}"
    );
    let (status, _) = report(&app, &start, done).await;
    assert_eq!(status, StatusCode::ACCEPTED, "a repeat is kept once more");
    let kept = format!(
        "SELECT COUNT(*) AS n FROM jobs WHERE instance_id = '{id}' AND kind = 'answer' AND done_at IS NULL"
    );
    assert_eq!(
        app.scalar(&kept).await,
        1,
        "kept once, however often reported"
    );
    assert_eq!(instance(&app, &id).await["state"], "SUSPENDED");
    assert_eq!(handoff(&app, &id).await.0, "waiting");

    // Resumed, the workflow takes the kept answer at once (not after the minute's retry).
    ok(&app, "resume", "admin", json!({"workflowID": id})).await;
    let workflow = until_ended(&app, &id, 15).await;
    assert_eq!(workflow["applicationState"], "ACCEPTED", "{workflow}");
    assert_eq!(flowdata(&app, &id, "mailbox/ticket").await, ["815"]);
    assert_eq!(app.scalar(&kept).await, 0);
    let (state, by, result, _) = handoff(&app, &id).await;
    assert_eq!(
        (state.as_str(), by.as_deref()),
        ("completed", Some("callback"))
    );
    assert!(result.unwrap().contains("815"));
    assert_eq!(audits(&app, "workflow.handoff_completed", &id).await, 1);
}

async fn a_start_given_up_fails_the_hand_off_and_its_run_together(app: TestApp) {
    // An engine nobody listens on: every start fails.
    let backend = app.backend();
    drop(app);
    let dead = format!("http://127.0.0.1:{}/start", free_port().await);
    let integrations = format!("[engines.tickets]\nkind = \"callback\"\nurl = \"{dead}\"\n");
    let (app, _folder) = portal(backend, &integrations).await;
    let tickets = handing_off("Tickets", "tickets", "open-mailbox-ticket");
    let id = start_workflow(&app, &tickets).await;
    let tried = format!(
        "SELECT COUNT(*) AS n FROM jobs WHERE instance_id = '{id}' AND kind = 'effect' AND attempts >= 1 AND last_error IS NOT NULL AND done_at IS NULL"
    );
    eventually(20, "a failed start", || async {
        app.scalar(&tried).await == 1
    })
    .await;
    // The next try is the last one (rather than waiting half an hour for twelve).
    app.execute(&format!(
        "UPDATE jobs SET attempts = {} WHERE instance_id = '{id}' AND kind = 'effect'",
        assent::server::workflow::MAX_START_ATTEMPTS - 1
    ))
    .await;
    eventually(30, "the hand-off given up", || async {
        handoff(&app, &id).await.0 == "failed"
    })
    .await;
    let (_, by, _, error) = handoff(&app, &id).await;
    assert_eq!(by.as_deref(), Some("start"));
    assert!(error.unwrap().contains("after 12 attempts"));
    // In the same transaction: the run waits in error for an administrator, and the
    // job is done.
    use sea_orm::EntityTrait;
    let stored = assent::server::entities::workflow_instance::Entity::find_by_id(&id)
        .one(&app.database().await)
        .await
        .unwrap()
        .unwrap();
    let workflow = assent::server::workflow::decode_stored(&stored).unwrap();
    let run = workflow
        .runs
        .iter()
        .find(|run| run.activity.0 == "mailbox")
        .unwrap();
    assert_eq!(run.state, assent_engine::ActivityState::WaitInError);
    assert!(run.error.as_deref().unwrap().contains("after 12 attempts"));
    let open =
        format!("SELECT COUNT(*) AS n FROM jobs WHERE instance_id = '{id}' AND done_at IS NULL");
    assert_eq!(app.scalar(&open).await, 0);
}
