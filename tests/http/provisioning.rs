//! Asynchronous provisioning through RabbitMQ (`shared/spec/provisioning-messages.md`):
//! the message an approval sends, in sequence per account; nothing lost or reordered
//! while the broker is away; a commit whose process died before publishing is published
//! after the restart; refused messages parked, then retried or dropped by an
//! administrator (audited); and target systems' answers marking operations confirmed or
//! failed on the request's page.
//!
//! Each test needs the broker of `ASSENT_TEST_AMQP_URL` (else it says SKIPPED) and starts
//! its own server, with only a resource of its own (`t-<uuid>`) deployed and no watch
//! queue, so the tests sharing the broker and its exchange never see each other's
//! messages. That is why they are not the `on_both_databases!` macro's: its server would
//! deploy the shipped resources (definitions/resources) first.

use super::api::*;
use super::broker::*;
use super::harness::*;
use assent::server::entities::{
    audit_event, provisioning_account as account, provisioning_operation as operation,
};
use futures_util::StreamExt;
use lapin::types::AMQPValue;
use reqwest::StatusCode;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    Statement,
};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::time::{Duration, Instant};

with_a_broker_on_both_databases!(
    an_approval_publishes_the_specified_message_and_changes_follow_in_sequence,
    a_broker_outage_loses_and_reorders_nothing,
    a_commit_whose_process_was_killed_is_published_after_the_restart,
    a_refused_message_is_parked_then_retried_or_dropped_by_an_administrator,
    answers_on_the_results_queue_confirm_or_fail_operations_on_the_request_page,
);

/// How long a message or a state change may take to show.
const WAIT: Duration = Duration::from_secs(30);

/// A server on `backend` whose only resource is the one in `resources`, publishing to
/// `amqp` without the demo's watch queue.
async fn app_with(
    backend: Backend,
    resources: &tempfile::TempDir,
    amqp: &str,
    extra: &[&str],
) -> Option<TestApp> {
    let dir = resources.path().display().to_string();
    // Each server answers on its own results queue, so no other test's server takes its
    // answers (an installation per broker would use the default).
    let results = results_queue_of(resources);
    let mut args = vec![
        "--amqp-url",
        amqp,
        "--resources-dir",
        &dir,
        "--amqp-watch-queue",
        "false",
        "--amqp-results-queue",
        &results,
    ];
    args.extend_from_slice(extra);
    TestApp::spawn_with(backend, &args).await
}

/// A createInstance body: `subject` asks for one catalog item of `kind`; the definition
/// is the one that applies.
fn order(subject: &str, item: &str, kind: &str) -> Value {
    json!({
        "subject": {"type": "infoOrder", "targetID": subject, "objectType": "user"},
        "resources": [{"type": "addOrder", "targetID": item, "objectType": kind}],
        "context": {"justification": ["provisioning test"]},
    })
}

/// `initiator` requests `item` for `subject`; the workflow's id.
async fn request(app: &TestApp, initiator: &str, subject: &str, item: &str, kind: &str) -> String {
    let answer = ok(app, "createInstance", initiator, order(subject, item, kind)).await;
    answer["workflowID"].as_str().unwrap().to_owned()
}

/// `approver` approves their items in the workflow `id`; none may fail.
async fn approve(app: &TestApp, approver: &str, id: &str) {
    let answer = bulk_accept(app, approver, id).await;
    assert_eq!(answer["failed"], json!([]), "{approver} on {id}: {answer}");
}

/// A certification of `subject`'s `items` (all of `kind`), started by the administrator;
/// the subject's manager `certifier` revokes them all and submits.
async fn revoke(
    app: &TestApp,
    subject: &str,
    certifier: &str,
    items: &[&str],
    kind: &str,
) -> String {
    let listed: Vec<Value> = items
        .iter()
        .map(|item| json!({"type": "infoOrder", "targetID": item, "objectType": kind}))
        .collect();
    let started = ok(
        app,
        "createInstance",
        "admin",
        json!({
            "definition": {"nameFilter": {"path": "My-Company/Certification/Access-Certification"}},
            "subject": {"type": "infoOrder", "targetID": subject, "objectType": "user"},
            "resources": listed,
        }),
    )
    .await;
    let id = started["workflowID"].as_str().unwrap().to_owned();
    let revoked: Vec<Value> = items
        .iter()
        .map(|item| json!({"type": "deleteOrder", "targetID": item, "objectType": kind}))
        .collect();
    let done = ok(
        app,
        "updateCertification",
        certifier,
        json!({"workflowID": id, "activityName": "review", "resource": revoked, "submit": true}),
    )
    .await;
    assert_eq!(done["complete"], true, "{done}");
    id
}

/// The resource's operations, oldest first.
async fn operations(db: &DatabaseConnection, key: &str) -> Vec<operation::Model> {
    operation::Entity::find()
        .filter(operation::Column::Resource.eq(key))
        .order_by_asc(operation::Column::Id)
        .all(db)
        .await
        .unwrap()
}

/// What the operations are at, for failure messages.
fn summary(operations: &[operation::Model]) -> Vec<String> {
    operations
        .iter()
        .map(|o| {
            format!(
                "#{} {} {} seq {} {} attempts {} error {:?}",
                o.id, o.operation, o.account, o.sequence, o.state, o.attempts, o.last_error
            )
        })
        .collect()
}

/// The resource's operations once `done` holds for them, within [`WAIT`].
async fn operations_when(
    db: &DatabaseConnection,
    key: &str,
    what: &str,
    done: impl Fn(&[operation::Model]) -> bool,
) -> Vec<operation::Model> {
    let deadline = Instant::now() + WAIT;
    loop {
        let found = operations(db, key).await;
        if done(&found) {
            return found;
        }
        if Instant::now() > deadline {
            let shown = summary(&found);
            let shown = &shown[..shown.len().min(20)];
            panic!(
                "{what}: not within {WAIT:?}; {} operations: {shown:#?}",
                found.len()
            );
        }
        tokio::time::sleep(POLL).await;
    }
}

fn all_in(operations: &[operation::Model], state: &str) -> bool {
    operations.iter().all(|o| o.state == state)
}

async fn audit(db: &DatabaseConnection, action: &str) -> Vec<audit_event::Model> {
    audit_event::Entity::find()
        .filter(audit_event::Column::Action.eq(action))
        .order_by_asc(audit_event::Column::Id)
        .all(db)
        .await
        .unwrap()
}

async fn display_name(db: &DatabaseConnection, username: &str) -> String {
    let backend = db.get_database_backend();
    let sql = format!("SELECT display_name FROM users WHERE username = '{username}'");
    db.query_one(Statement::from_string(backend, sql))
        .await
        .unwrap()
        .expect("the user")
        .try_get("", "display_name")
        .unwrap()
}

/// The checks every message must pass, whatever it carries: the spec's transport
/// properties and fields.
fn assert_envelope(message: &Received, key: &str) {
    let body = &message.body;
    assert_eq!(message.exchange, EXCHANGE, "{body}");
    assert_eq!(message.routing_key, key, "{body}");
    assert_eq!(message.delivery_mode(), Some(2), "persistent: {body}");
    assert_eq!(message.content_type().as_deref(), Some("application/json"));
    let id = message.text("messageId");
    assert!(uuid::Uuid::parse_str(&id).is_ok(), "{body}");
    assert_eq!(message.message_id(), Some(id), "message_id = messageId");
    assert_eq!(
        message.sequence_header(),
        Some(AMQPValue::LongLongInt(message.sequence())),
        "x-sequence = sequence: {body}"
    );
    let fields: BTreeSet<&str> = body
        .as_object()
        .unwrap_or_else(|| panic!("an object: {body}"))
        .keys()
        .map(String::as_str)
        .collect();
    let expected = [
        "messageId",
        "resource",
        "operation",
        "objectClass",
        "objectKey",
        "sequence",
        "attributes",
        "changes",
        "cause",
        "time",
    ];
    assert_eq!(fields, BTreeSet::from(expected), "{body}");
    assert_eq!(body["resource"], key);
    assert_eq!(body["objectClass"], "account");
    let cause: BTreeSet<&str> = body["cause"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let expected = ["workflowID", "activityName", "initiator", "approvedBy"];
    assert_eq!(cause, BTreeSet::from(expected), "{body}");
    let time = message.text("time");
    let parsed = chrono::DateTime::parse_from_rfc3339(&time)
        .unwrap_or_else(|e| panic!("time {time:?} is not RFC 3339: {e}"));
    assert!(time.ends_with('Z'), "UTC: {time}");
    let age = chrono::Utc::now().signed_duration_since(parsed);
    assert!(age.num_minutes().abs() < 10, "time is now: {time}");
}

/// 1. An approval's grant sends exactly the spec's message; the next grant a `modify`
///    with sequence 2; a grant that changes nothing sends nothing; revocations send a
///    `modify` and finally a `delete`, each next in sequence.
async fn an_approval_publishes_the_specified_message_and_changes_follow_in_sequence(
    backend: Backend,
    amqp: String,
) {
    let key = unique_key();
    let resources = resource_dir(
        &key,
        "Test gateway",
        &[
            ("VPN Access", &["vpn-users"]),
            ("Developer", &["developers"]),
            // Held already through Developer: granting it changes nothing.
            ("HR Records Viewer", &["developers"]),
        ],
    );
    let _cleanup = QueueCleanup::new(&amqp, results_queue_of(&resources));
    let mut queue = TestQueue::bind(&amqp, &key).await;
    let Some(app) = app_with(backend, &resources, &amqp, &[]).await else {
        return;
    };
    let db = app.database().await;

    // VPN Access: two of bob, carol and dave decide. One approval grants nothing yet.
    let vpn = request(&app, "alice", "alice", "VPN Access", "resource").await;
    approve(&app, "bob", &vpn).await;
    assert_eq!(operations(&db, &key).await.len(), 0, "nothing granted yet");
    approve(&app, "carol", &vpn).await;
    let added = queue.expect_next(WAIT, "the grant's message").await;
    assert_envelope(&added, &key);
    let body = &added.body;
    assert_eq!(body["operation"], "add", "{body}");
    assert_eq!(body["objectKey"], "alice");
    assert_eq!(body["sequence"], 1);
    assert_eq!(
        body["attributes"],
        json!({
            "displayName": [display_name(&db, "alice").await],
            "enabled": ["true"],
            "groups": ["vpn-users"],
        }),
        "the whole account, every value a list"
    );
    assert_eq!(body["changes"], json!([]));
    assert_eq!(
        body["cause"],
        json!({"workflowID": vpn, "activityName": "grant", "initiator": "alice", "approvedBy": ["bob", "carol"]})
    );
    // The outbox holds exactly what was published, and it is marked sent.
    let stored = operations_when(&db, &key, "the add is sent", |o| {
        o.len() == 1 && all_in(o, "sent")
    })
    .await;
    assert_eq!(stored[0].message_id, added.text("messageId"));
    assert_eq!(stored[0].message.as_bytes(), added.data.as_slice());
    assert_eq!(stored[0].instance_id.as_deref(), Some(vpn.as_str()));
    assert!(stored[0].sent_at.is_some());

    // A second mapped item: only the change, next in sequence.
    let developer = request(&app, "alice", "alice", "Developer", "role").await;
    approve(&app, "bob", &developer).await;
    let modified = queue.expect_next(WAIT, "the second grant's message").await;
    assert_envelope(&modified, &key);
    let body = &modified.body;
    assert_eq!(body["operation"], "modify", "{body}");
    assert_eq!(body["sequence"], 2);
    assert_eq!(body["objectKey"], "alice");
    assert_eq!(body["attributes"], json!({}));
    assert_eq!(
        body["changes"],
        json!([{"attribute": "groups", "add": ["developers"], "delete": []}])
    );
    assert_eq!(body["cause"]["workflowID"], developer.as_str());
    assert_eq!(body["cause"]["approvedBy"], json!(["bob"]));

    // An item whose values alice holds already: granted, and no operation at all.
    let viewer = request(&app, "alice", "alice", "HR Records Viewer", "role").await;
    approve(&app, "bob", &viewer).await;
    assert_eq!(
        app.scalar("SELECT COUNT(*) AS n FROM assignments WHERE username = 'alice' AND name = 'HR Records Viewer'")
            .await,
        1,
        "the grant happened"
    );
    let total = operations(&db, &key).await;
    assert!(
        total
            .iter()
            .all(|o| o.instance_id.as_deref() != Some(viewer.as_str())),
        "{:?}",
        summary(&total)
    );

    // A certification revokes VPN Access: a modify that deletes the group, sequence 3.
    // (A message of the grant above would have come first.)
    let review = revoke(&app, "alice", "bob", &["VPN Access"], "resource").await;
    let revoked = queue.expect_next(WAIT, "the revocation's message").await;
    assert_envelope(&revoked, &key);
    let body = &revoked.body;
    assert_eq!(body["operation"], "modify", "{body}");
    assert_eq!(body["sequence"], 3);
    assert_eq!(body["attributes"], json!({}));
    assert_eq!(
        body["changes"],
        json!([{"attribute": "groups", "add": [], "delete": ["vpn-users"]}])
    );
    assert_eq!(body["cause"]["workflowID"], review.as_str());
    assert_eq!(body["cause"]["activityName"], "review");
    assert_eq!(body["cause"]["initiator"], "admin");

    // Revoking the rest: the account goes, sequence 4.
    let last = revoke(
        &app,
        "alice",
        "bob",
        &["Developer", "HR Records Viewer"],
        "role",
    )
    .await;
    let deleted = queue.expect_next(WAIT, "the account's deletion").await;
    assert_envelope(&deleted, &key);
    let body = &deleted.body;
    assert_eq!(body["operation"], "delete", "{body}");
    assert_eq!(body["sequence"], 4);
    assert_eq!(body["attributes"], json!({}));
    assert_eq!(body["changes"], json!([]));
    assert_eq!(body["cause"]["workflowID"], last.as_str());

    queue.assert_quiet(Duration::from_secs(1)).await;
    let stored = operations_when(&db, &key, "all four sent", |o| {
        o.len() == 4 && all_in(o, "sent")
    })
    .await;
    let kinds: Vec<(&str, i64)> = stored
        .iter()
        .map(|o| (o.operation.as_str(), o.sequence))
        .collect();
    assert_eq!(
        kinds,
        [("add", 1), ("modify", 2), ("modify", 3), ("delete", 4)]
    );
    let cached = account::Entity::find()
        .filter(account::Column::Resource.eq(&key))
        .all(&db)
        .await
        .unwrap();
    assert_eq!(cached.len(), 1);
    assert_eq!(cached[0].account, "alice");
    assert!(!cached[0].present, "deleted");
    assert_eq!(cached[0].last_sequence, 4);
}

/// Subjects of the outage test and the manager who approves their role requests.
const OUTAGE_SUBJECTS: [(&str, &str); 10] = [
    ("alice", "bob"),
    ("frank", "bob"),
    ("grace", "bob"),
    ("carol", "dave"),
    ("niaj", "dave"),
    ("olivia", "dave"),
    ("peggy", "dave"),
    ("ivan", "heidi"),
    ("judy", "heidi"),
    ("mallory", "heidi"),
];
/// Roles each subject gets: one message each (the first an add, then modifies).
const OUTAGE_ITEMS: usize = 100;
/// How long the broker stays away at least.
const OUTAGE: Duration = Duration::from_secs(3);

/// 2. 1,000 grants, most of them approved while the broker is away: afterwards every
///    message arrives, per account in sequence order without a gap, duplicates only as
///    exact copies, and every operation is marked sent.
async fn a_broker_outage_loses_and_reorders_nothing(backend: Backend, amqp: String) {
    let started = Instant::now();
    let key = unique_key();
    let items: Vec<String> = (0..OUTAGE_ITEMS)
        .map(|i| format!("Outage Role {i:03}"))
        .collect();
    let groups: Vec<[String; 1]> = (0..OUTAGE_ITEMS).map(|i| [format!("g-{i:03}")]).collect();
    let group_refs: Vec<[&str; 1]> = groups.iter().map(|[g]| [g.as_str()]).collect();
    let grants: Vec<(&str, &[&str])> = items
        .iter()
        .zip(&group_refs)
        .map(|(item, groups)| (item.as_str(), &groups[..]))
        .collect();
    let resources = resource_dir(&key, "Outage directory", &grants);
    let _cleanup = QueueCleanup::new(&amqp, results_queue_of(&resources));
    let mut queue = TestQueue::bind(&amqp, &key).await;
    let proxy = Proxy::start(&amqp).await;
    // Mail and other jobs stay quiet: the test is about the relay.
    let slow_jobs = ["--job-interval-ms", "600000"];
    let Some(app) = app_with(backend, &resources, &proxy.url, &slow_jobs).await else {
        return;
    };
    let db = app.database().await;
    let backend_name = db.get_database_backend();
    for item in &items {
        db.execute(Statement::from_string(
            backend_name,
            format!(
                "INSERT INTO catalog_items (kind, name, category, description, owner_id) \
                 SELECT 'role', '{item}', 'Outage test', 'A role of the outage test', id \
                 FROM users WHERE username = 'carol'"
            ),
        ))
        .await
        .unwrap();
    }

    // 1,000 requests by the administrator (signed in once: no password check each).
    let admin = app.session("admin").await;
    let orders: Vec<(&str, &str, &str)> = items
        .iter()
        .flat_map(|item| {
            OUTAGE_SUBJECTS
                .iter()
                .map(move |(subject, approver)| (*subject, *approver, item.as_str()))
        })
        .collect();
    let created: Vec<(String, String)> = futures_util::stream::iter(orders)
        .map(|(subject, approver, item)| {
            let (app, admin) = (&app, &admin);
            async move {
                let body = order(subject, item, "role").to_string();
                let cookie = [("cookie", admin.as_str())];
                let (status, answer) = call_with(app, "createInstance", None, &body, &cookie).await;
                assert_eq!(status, StatusCode::OK, "{subject} {item}: {answer}");
                let id = answer["workflowID"].as_str().unwrap().to_owned();
                (approver.to_owned(), id)
            }
        })
        .buffer_unordered(12)
        .collect()
        .await;
    eprintln!(
        "outage test: 1,000 requests created after {:?}",
        started.elapsed()
    );
    let mut by_approver: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (approver, id) in created {
        by_approver.entry(approver).or_default().push(id);
    }
    let approve_all = |approver: &'static str| {
        let ids = by_approver[approver].clone();
        let app = &app;
        async move {
            let body = json!({"accept": {"workflowID": ids}});
            let answer = ok(app, "bulkApproval", approver, body).await;
            assert_eq!(answer["failed"], json!([]), "{approver}: {answer}");
        }
    };
    // bob's 300 are approved while the broker is there, and the relay sends them.
    approve_all("bob").await;
    // Then the broker stops answering: it takes what the relay publishes, but no
    // confirmation gets back; dave's 400 are approved meanwhile ...
    proxy.deafen();
    let deaf_at = Instant::now();
    approve_all("dave").await;
    // ... until the test's queue has a message whose operation the outbox, never told,
    // still has pending (after a while: a confirmation that came before cannot take
    // that long to be recorded). Then the broker goes away altogether.
    let mut received: Vec<Received> = Vec::new();
    let deadline = Instant::now() + WAIT;
    loop {
        while let Some(message) = queue.next_within(Duration::from_millis(50)).await {
            received.push(message);
        }
        let waiting = operations(&db, &key).await;
        let pending: HashSet<&str> = waiting
            .iter()
            .filter(|o| o.state == "pending")
            .map(|o| o.message_id.as_str())
            .collect();
        let unconfirmed = received
            .iter()
            .any(|m| pending.contains(m.text("messageId").as_str()));
        if unconfirmed && deaf_at.elapsed() > Duration::from_secs(2) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no message came while the broker was deaf"
        );
    }
    proxy.cut();
    let cut_at = Instant::now();
    approve_all("heidi").await;
    eprintln!("outage test: 1,000 approved after {:?}", started.elapsed());
    tokio::time::sleep(OUTAGE.saturating_sub(cut_at.elapsed())).await;
    let all = operations(&db, &key).await;
    assert_eq!(
        all.len(),
        OUTAGE_SUBJECTS.len() * OUTAGE_ITEMS,
        "one per grant"
    );
    // What was approved while the broker was away waits. So do the messages the
    // broker took without a confirmation reaching the relay: they must go again.
    let unconfirmed: Vec<String> = received
        .iter()
        .map(|m| m.text("messageId"))
        .filter(|id| {
            all.iter()
                .any(|o| o.message_id == *id && o.state == "pending")
        })
        .collect();
    assert!(
        !unconfirmed.is_empty(),
        "the broker took messages unconfirmed"
    );
    for waiting in &all {
        let approved_while_away = OUTAGE_SUBJECTS
            .iter()
            .any(|(subject, approver)| *approver == "heidi" && *subject == waiting.account);
        if approved_while_away {
            assert_eq!(
                waiting.state,
                "pending",
                "{:?}",
                summary(std::slice::from_ref(waiting))
            );
        } else {
            assert!(
                waiting.state == "pending" || waiting.state == "sent",
                "{:?}",
                summary(std::slice::from_ref(waiting))
            );
        }
    }
    let sent_before = all.iter().filter(|o| o.state == "sent").count();
    proxy.restore();

    // Every message arrives.
    let expected: HashMap<String, &operation::Model> =
        all.iter().map(|o| (o.message_id.clone(), o)).collect();
    let mut seen: BTreeSet<String> = received.iter().map(|m| m.text("messageId")).collect();
    let deadline = Instant::now() + Duration::from_secs(60);
    let received = queue
        .collect_until(received, deadline, |so_far| {
            if let Some(last) = so_far.last() {
                seen.insert(last.text("messageId"));
            }
            seen.len() == expected.len()
        })
        .await;
    let copies = |id: &str| {
        received
            .iter()
            .filter(|m| m.text("messageId") == id)
            .count()
    };
    eprintln!(
        "outage test: {} messages ({} distinct) after {:?}; {sent_before} were marked sent before the broker came back, {} taken unconfirmed",
        received.len(),
        seen.len(),
        started.elapsed(),
        unconfirmed.len(),
    );
    // The messages the broker took unconfirmed went again: duplicates.
    for id in &unconfirmed {
        assert!(copies(id) >= 2, "{id} published again");
    }
    // Per account the first occurrences come 1, 2, 3, ... and a duplicate is a copy.
    let mut first: HashMap<String, &Received> = HashMap::new();
    let mut order_per_account: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    for message in &received {
        assert_envelope(message, &key);
        let id = message.text("messageId");
        let stored = expected
            .get(&id)
            .unwrap_or_else(|| panic!("a message the outbox does not hold: {}", message.body));
        assert_eq!(stored.message.as_bytes(), message.data.as_slice());
        match first.get(&id) {
            Some(earlier) => {
                assert_eq!(
                    earlier.data, message.data,
                    "a duplicate is the same message"
                );
                assert_eq!(earlier.properties, message.properties);
            }
            None => {
                first.insert(id, message);
                order_per_account
                    .entry(message.text("objectKey"))
                    .or_default()
                    .push(message.sequence());
            }
        }
    }
    let in_order: Vec<i64> = (1..=OUTAGE_ITEMS as i64).collect();
    assert_eq!(order_per_account.len(), OUTAGE_SUBJECTS.len());
    for (account, sequences) in &order_per_account {
        assert_eq!(
            sequences, &in_order,
            "{account}'s messages in order, none missing"
        );
    }
    // Applied in order, each account's messages give every group of its 100 roles,
    // which is what the attribute cache holds.
    let everything: Vec<String> = groups.iter().map(|[g]| g.clone()).collect();
    for (account, _) in OUTAGE_SUBJECTS {
        let mut messages: Vec<&&Received> = first
            .values()
            .filter(|m| m.text("objectKey") == account)
            .collect();
        messages.sort_by_key(|m| m.sequence());
        let mut applied: BTreeSet<String> = BTreeSet::new();
        for (index, message) in messages.iter().enumerate() {
            let body = &message.body;
            if index == 0 {
                assert_eq!(body["operation"], "add", "{body}");
                for group in body["attributes"]["groups"].as_array().unwrap() {
                    applied.insert(group.as_str().unwrap().to_owned());
                }
            } else {
                assert_eq!(body["operation"], "modify", "{body}");
                assert_eq!(body["changes"].as_array().unwrap().len(), 1, "{body}");
                let change = &body["changes"][0];
                assert_eq!(change["attribute"], "groups", "{body}");
                assert_eq!(change["delete"], json!([]), "{body}");
                for group in change["add"].as_array().unwrap() {
                    assert!(applied.insert(group.as_str().unwrap().to_owned()), "{body}");
                }
            }
        }
        let applied: Vec<String> = applied.into_iter().collect();
        assert_eq!(applied, everything, "{account}");
        let cached = account::Entity::find()
            .filter(account::Column::Resource.eq(&key))
            .filter(account::Column::Account.eq(account))
            .one(&db)
            .await
            .unwrap()
            .expect("the account's cache");
        let attributes: Value = serde_json::from_str(&cached.attributes).unwrap();
        assert_eq!(attributes["groups"], json!(applied), "{account}");
        assert_eq!(cached.last_sequence, OUTAGE_ITEMS as i64);
    }
    // And the outbox knows it all went.
    operations_when(&db, &key, "every operation sent", |o| {
        o.len() == expected.len() && all_in(o, "sent")
    })
    .await;
    eprintln!("outage test: done after {:?}", started.elapsed());
}

/// 3. The grant commits in a server that cannot reach the broker and is then killed:
///    the restarted server publishes the very message from the outbox.
async fn a_commit_whose_process_was_killed_is_published_after_the_restart(
    backend: Backend,
    amqp: String,
) {
    let key = unique_key();
    let resources = resource_dir(&key, "Killed test", &[("Developer", &["developers"])]);
    let _cleanup = QueueCleanup::new(&amqp, results_queue_of(&resources));
    let dir = resources.path().display().to_string();
    let mut queue = TestQueue::bind(&amqp, &key).await;
    let proxy = Proxy::start(&amqp).await;
    proxy.cut();
    // The database with its demo company, made by a server that has no broker (so
    // publishes nothing) and whose jobs stay quiet.
    let quiet = ["--resources-dir", &dir, "--job-interval-ms", "600000"];
    let Some(mut app) = TestApp::spawn_with(backend, &quiet).await else {
        return;
    };
    let db = app.database().await;
    let mail = tempfile::tempdir().unwrap();
    let mail = mail.path().display().to_string();
    let child_args = [
        "--mail-dir",
        &mail,
        "--resources-dir",
        &dir,
        "--amqp-url",
        &proxy.url,
        "--amqp-watch-queue",
        "false",
    ];
    let mut child = ChildServer::start(&app.database_url, &child_args).await;
    // The steps below go to the child.
    app.address = child.address;
    let id = ok(
        &app,
        "createInstance",
        "alice",
        role_order("alice", "Developer"),
    )
    .await;
    let id = id["workflowID"].as_str().unwrap().to_owned();
    approve(&app, "bob", &id).await;
    let committed = operations(&db, &key).await;
    assert_eq!(committed.len(), 1, "{:?}", summary(&committed));
    let waiting = &committed[0];
    assert_eq!(waiting.state, "pending");
    assert_eq!(waiting.instance_id.as_deref(), Some(id.as_str()));
    assert_eq!((waiting.account.as_str(), waiting.sequence), ("alice", 1));
    // The child's relay did try the broker, and could not get through.
    let deadline = Instant::now() + WAIT;
    while proxy.refused() == 0 {
        assert!(
            Instant::now() < deadline,
            "the child never tried the broker"
        );
        tokio::time::sleep(POLL).await;
    }
    let status = child.kill();
    {
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(status.signal(), Some(9), "killed, not stopped: {status}");
    }
    let still = operations(&db, &key).await;
    assert_eq!(still[0].state, "pending", "{:?}", summary(&still));

    // Restarted with the broker: the message from the outbox goes out.
    app.restart_with(&[
        "--resources-dir",
        &dir,
        "--amqp-url",
        &amqp,
        "--amqp-watch-queue",
        "false",
    ])
    .await;
    let message = queue
        .expect_next(WAIT, "the message after the restart")
        .await;
    assert_envelope(&message, &key);
    assert_eq!(message.text("messageId"), waiting.message_id);
    assert_eq!(message.data, waiting.message.as_bytes());
    assert_eq!(message.body["operation"], "add");
    assert_eq!(message.body["sequence"], 1);
    assert_eq!(message.body["cause"]["workflowID"], id.as_str());
    assert_eq!(message.body["cause"]["approvedBy"], json!(["bob"]));
    operations_when(&db, &key, "the message is marked sent", |o| {
        o.len() == 1 && all_in(o, "sent")
    })
    .await;
    queue.assert_quiet(Duration::from_millis(500)).await;
}

/// The administrators' server functions on parked messages.
const RETRY: &str = "/app/provisioning_retry";
const DROP: &str = "/app/provisioning_drop";

/// 4. A message no queue takes is refused at each try and parked after the maximum;
///    an administrator's retry offers it again (it parks again, still unroutable), a
///    drop gives it up; both are audited, and nobody else may do either.
async fn a_refused_message_is_parked_then_retried_or_dropped_by_an_administrator(
    backend: Backend,
    amqp: String,
) {
    // No queue is bound to this key: each publication comes back unroutable. Unless
    // the broker has the demo's watch queue, which takes every message: then a queue
    // that refuses everything makes the broker nack them instead.
    let key = unique_key();
    let resources = resource_dir(&key, "Nobody listens", &[("Developer", &["developers"])]);
    let _cleanup = QueueCleanup::new(&amqp, results_queue_of(&resources));
    let (_refusing, refusal) = if watch_queue_exists(&amqp).await {
        eprintln!("NOTE: {WATCH_QUEUE} exists on the broker, so nothing is unroutable; refused by nack instead");
        (Some(RefusingQueue::bind(&amqp, &key).await), "nack")
    } else {
        (None, "NO_ROUTE")
    };
    let retries = [
        "--provisioning-max-attempts",
        "2",
        "--provisioning-retry-ms",
        "50",
    ];
    let Some(app) = app_with(backend, &resources, &amqp, &retries).await else {
        return;
    };
    let db = app.database().await;
    let id = request(&app, "alice", "alice", "Developer", "role").await;
    approve(&app, "bob", &id).await;
    let parked = operations_when(&db, &key, "the message is parked", |o| {
        o.len() == 1 && all_in(o, "parked")
    })
    .await
    .remove(0);
    assert_eq!(parked.attempts, 2, "parked after the maximum of tries");
    let error = parked.last_error.clone().unwrap_or_default();
    assert!(error.contains(refusal), "says why: {error}");
    assert!(parked.sent_at.is_none());
    let target = parked.id.to_string();
    let provisioning_audit = || async {
        let mut entries = audit(&db, "provisioning.retried").await;
        entries.extend(audit(&db, "provisioning.dropped").await);
        entries
    };

    // alice may neither retry nor drop it, and nothing changes when she tries.
    let alice = app.session("alice").await;
    for endpoint in [RETRY, DROP] {
        let (status, answer) = app
            .server_fn(endpoint, &[("id", &target)], Some(&alice))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{endpoint}: {answer}");
    }
    let unchanged = operations(&db, &key).await.remove(0);
    assert_eq!(unchanged, parked, "a refused call changes nothing");
    assert!(provisioning_audit().await.is_empty());

    // The administrator retries: waiting again from a fresh count, and audited.
    let admin = app.session("admin").await;
    let (status, answer) = app.server_fn(RETRY, &[("id", &target)], Some(&admin)).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let retried = operations(&db, &key).await.remove(0);
    assert_eq!(retried.state, "pending", "offered again");
    assert!(retried.attempts < 2, "{}", retried.attempts);
    let entries = audit(&db, "provisioning.retried").await;
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].actor.as_deref(), Some("admin"));
    assert!(
        entries[0].detail.contains(&parked.message_id),
        "{}",
        entries[0].detail
    );
    // Still unroutable: refused twice more and parked again.
    let again = operations_when(&db, &key, "parked again", |o| {
        o.len() == 1 && all_in(o, "parked")
    })
    .await
    .remove(0);
    assert_eq!(again.attempts, 2);
    assert!(again.next_attempt_at > parked.next_attempt_at);

    // The administrator drops it: given up for good, and audited.
    let (status, answer) = app.server_fn(DROP, &[("id", &target)], Some(&admin)).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let dropped = operations(&db, &key).await.remove(0);
    assert_eq!(dropped.state, "dropped");
    let entries = audit(&db, "provisioning.dropped").await;
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].actor.as_deref(), Some("admin"));
    assert!(
        entries[0].detail.contains(&parked.message_id),
        "{}",
        entries[0].detail
    );
    // Once dropped it cannot be retried.
    let (status, answer) = app.server_fn(RETRY, &[("id", &target)], Some(&admin)).await;
    assert!(!status.is_success(), "{status}: {answer}");
    assert_eq!(operations(&db, &key).await[0].state, "dropped");
    assert_eq!(audit(&db, "provisioning.retried").await.len(), 1);
}

/// Publishes the answers on the server's results queue, then waits until each operation
/// has taken its answer.
async fn answer_until_taken(
    amqp: &str,
    db: &DatabaseConnection,
    key: &str,
    answers: &[(Value, &str)],
) -> Vec<operation::Model> {
    for (answer, _) in answers {
        publish_result(amqp, &format!("{key}.results"), answer).await;
    }
    let deadline = Instant::now() + WAIT;
    loop {
        let found = operations(db, key).await;
        let taken = answers.iter().all(|(answer, state)| {
            found.iter().any(|o| {
                answer["messageId"].as_str() == Some(o.message_id.as_str()) && o.state == *state
            })
        });
        if taken {
            return found;
        }
        assert!(
            Instant::now() < deadline,
            "answers not taken: {:?}",
            summary(&found)
        );
        tokio::time::sleep(POLL).await;
    }
}

/// The `provisioning` section of a page: from its id to the end of its section.
fn provisioning_section(page: &str) -> &str {
    let start = page
        .find(r#"id="provisioning""#)
        .unwrap_or_else(|| panic!("no provisioning section on the request page: {page}"));
    let rest = &page[start..];
    rest.find("</section>").map_or(rest, |end| &rest[..end])
}

/// The section's rows, one per operation (`data-message-id` names its message).
fn operation_rows(section: &str) -> Vec<&str> {
    section
        .match_indices("<tr data-message-id=")
        .map(|(start, _)| {
            let row = &section[start..];
            row.find("</tr>").map_or(row, |end| &row[..end])
        })
        .collect()
}

/// Asserts that the request page at `path` shows one operation: the message
/// `message_id` on `resource`, as the `operation` words, in `state` (its data word and
/// its shown word), with `more` also shown.
async fn assert_shown(
    app: &TestApp,
    cookie: &str,
    path: &str,
    message_id: &str,
    (resource, operation, state, more): (&str, &str, &str, &[&str]),
) {
    let page = app.text(path, Some(cookie)).await;
    let rows = operation_rows(provisioning_section(&page));
    assert_eq!(rows.len(), 1, "only this request's operation: {rows:#?}");
    let row = rows[0];
    let attributes = format!(
        r#"data-message-id="{message_id}" data-state="{}""#,
        state.to_lowercase()
    );
    assert!(row.contains(&attributes), "{attributes}: {row}");
    for shown in [resource, operation, state].iter().chain(more) {
        assert!(row.contains(shown), "{shown}: {row}");
    }
}

/// 5. A target system's answers: `done` confirms its operation, `failed` fails it with
///    the reason, and the requester's request page shows both.
async fn answers_on_the_results_queue_confirm_or_fail_operations_on_the_request_page(
    backend: Backend,
    amqp: String,
) {
    let key = unique_key();
    let name = format!("Directory {}", &key[2..10]);
    let resources = resource_dir(
        &key,
        &name,
        &[
            ("Developer", &["developers"]),
            ("HR Records Viewer", &["hr-viewers"]),
        ],
    );
    let _cleanup = QueueCleanup::new(&amqp, results_queue_of(&resources));
    let mut queue = TestQueue::bind(&amqp, &key).await;
    let Some(app) = app_with(backend, &resources, &amqp, &[]).await else {
        return;
    };
    let db = app.database().await;
    let first = request(&app, "alice", "alice", "Developer", "role").await;
    approve(&app, "bob", &first).await;
    let added = queue.expect_next(WAIT, "the first grant").await;
    let second = request(&app, "alice", "alice", "HR Records Viewer", "role").await;
    approve(&app, "bob", &second).await;
    let modified = queue.expect_next(WAIT, "the second grant").await;
    assert_eq!(added.body["cause"]["workflowID"], first.as_str());
    assert_eq!(modified.body["cause"]["workflowID"], second.as_str());

    let done = json!({"messageId": added.text("messageId"), "status": "done"});
    let failed = json!({"messageId": modified.text("messageId"), "status": "failed", "error": "no such group"});
    let answered =
        answer_until_taken(&amqp, &db, &key, &[(done, "confirmed"), (failed, "failed")]).await;
    assert_eq!(answered.len(), 2, "{:?}", summary(&answered));
    let confirmed = &answered[0];
    assert_eq!(confirmed.message_id, added.text("messageId"));
    assert_eq!(confirmed.state, "confirmed");
    assert_eq!(confirmed.last_error, None);
    assert!(confirmed.answered_at.is_some());
    let refused = &answered[1];
    assert_eq!(refused.state, "failed");
    assert_eq!(refused.last_error.as_deref(), Some("no such group"));
    assert!(refused.answered_at.is_some());

    // The requester follows them on each request's page.
    let alice = app.session("alice").await;
    let first_page = format!("/requests/{first}");
    let shown = (name.as_str(), "Create account", "Confirmed", &[][..]);
    assert_shown(&app, &alice, &first_page, &confirmed.message_id, shown).await;
    let second_page = format!("/requests/{second}");
    let shown = (
        name.as_str(),
        "Change account",
        "Failed",
        &["no such group"][..],
    );
    assert_shown(&app, &alice, &second_page, &refused.message_id, shown).await;
}
