//! Asynchronous update (`shared/spec/change-events.md`): identity change events on a
//! queue, applied in order; a bad event stops its source until an administrator retries
//! or skips it (or is parked, if the source says so); redeliveries change nothing; a
//! process killed while applying loses and doubles nothing; leavers lose their sessions
//! and items, and a new manager is asked.
//!
//! Each test needs the broker of `ASSENT_TEST_AMQP_URL` (else it says SKIPPED) and uses
//! a queue and a source name of its own, so tests sharing the broker never meet.

use super::api::*;
use super::broker::*;
use super::harness::*;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

with_a_broker_on_both_databases!(
    ten_thousand_events_are_applied_in_order_and_the_store_is_what_they_say,
    bad_events_stop_the_stream_until_retried_or_skipped_or_are_parked,
    redelivered_and_outdated_events_change_nothing,
    a_process_killed_while_applying_applies_every_event_exactly_once_after_restart,
    leavers_lose_sessions_and_items_and_a_new_manager_is_asked,
);

/// How long a change may take to show: generous, as ten thousand events in a debug build
/// beside the other tests take a while (the benchmark measures speed).
const WAIT: Duration = Duration::from_secs(240);

/// The change-event server functions.
const RETRY: &str = "/app/changes_retry";
const SKIP: &str = "/app/changes_skip";
const POLICY: &str = "/app/changes_policy";

/// A queue and a source of this test's own, and the queues its servers declare, deleted
/// when the test ends.
struct Stream {
    amqp: String,
    queue: String,
    results: String,
    source: String,
    next: u64,
    _cleanup: (QueueCleanup, QueueCleanup),
}

impl Stream {
    fn new(amqp: &str) -> Stream {
        let key = uuid::Uuid::new_v4().simple().to_string();
        let queue = format!("changes-{key}");
        let results = format!("changes-{key}.results");
        Stream {
            amqp: amqp.to_owned(),
            _cleanup: (
                QueueCleanup::new(amqp, queue.clone()),
                QueueCleanup::new(amqp, results.clone()),
            ),
            queue,
            results,
            source: format!("hr-{}", &key[..12]),
            next: 1,
        }
    }

    /// A stream of this test's own and a server consuming it; `None` if the server
    /// cannot run here.
    async fn with_app(backend: Backend, amqp: &str) -> Option<(Stream, TestApp)> {
        let stream = Stream::new(amqp);
        let app = TestApp::spawn_with(backend, &stream.args()).await?;
        Some((stream, app))
    }

    /// The server flags that make it consume this stream.
    fn args(&self) -> Vec<&str> {
        vec![
            "--amqp-url",
            &self.amqp,
            "--amqp-changes-queue",
            &self.queue,
            "--amqp-results-queue",
            &self.results,
            "--amqp-watch-queue",
            "false",
        ]
    }

    /// The next event of this source: `kind` of `object_class` on `key`.
    fn event(&mut self, kind: &str, object_class: &str, key: &str, attributes: Value) -> String {
        let sequence = self.next;
        self.next += 1;
        self.event_at(sequence, kind, object_class, key, attributes)
    }

    fn event_at(
        &self,
        sequence: u64,
        kind: &str,
        object_class: &str,
        key: &str,
        attributes: Value,
    ) -> String {
        json!({
            "eventId": uuid::Uuid::new_v4().to_string(),
            "source": self.source,
            "sequence": sequence,
            "kind": kind,
            "objectClass": object_class,
            "objectKey": key,
            "attributes": attributes,
            "time": "2026-12-03T07:05:03Z",
        })
        .to_string()
    }

    fn user(&mut self, kind: &str, user: &str, attributes: Value) -> String {
        self.event(kind, "user", user, attributes)
    }

    fn membership(&mut self, user: &str, group: &str, member: bool) -> String {
        let attributes = json!({"user": [user], "group": [group], "member": [member.to_string()]});
        self.event(
            "modify",
            "membership",
            &format!("{user}:{group}"),
            attributes,
        )
    }

    async fn publish(&self, events: &[String]) {
        let connection = connect(&self.amqp).await;
        let lines: Vec<&str> = events.iter().map(String::as_str).collect();
        let sent = assent::server::changes::feed::publish(&connection, &self.queue, &lines)
            .await
            .expect("publish");
        assert_eq!(sent, events.len());
        let _ = connection.close(200, "published".into()).await;
    }

    /// How many messages wait on the queue (ready, not unacknowledged).
    async fn ready(&self) -> u32 {
        let connection = connect(&self.amqp).await;
        let channel = connection.create_channel().await.unwrap();
        let passive = lapin::options::QueueDeclareOptions {
            passive: true,
            ..Default::default()
        };
        let queue = channel
            .queue_declare(self.queue.as_str().into(), passive, Default::default())
            .await
            .unwrap();
        let _ = connection.close(200, "asked".into()).await;
        queue.message_count()
    }
}

/// The source's row: last sequence, applied count, stop reason.
async fn progress(app: &TestApp, source: &str) -> Option<(i64, i64, Option<String>)> {
    let row = app
        .row(&format!(
            "SELECT last_sequence, applied, stopped_reason FROM change_sources WHERE source = '{source}'"
        ))
        .await?;
    Some((
        row.try_get("", "last_sequence").unwrap(),
        row.try_get("", "applied").unwrap(),
        row.try_get("", "stopped_reason").unwrap(),
    ))
}

/// Asks `probe` until it answers, for at most [`WAIT`]; fails with what `last` says.
async fn until<T, Fut>(mut probe: impl FnMut() -> Fut, last: impl Fn() -> String) -> T
where
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + WAIT;
    loop {
        if let Some(found) = probe().await {
            return found;
        }
        assert!(Instant::now() < deadline, "{}", last());
        tokio::time::sleep(POLL).await;
    }
}

/// Waits until the source's last sequence is `sequence`.
async fn until_sequence(app: &TestApp, source: &str, sequence: i64) {
    until(
        || async move {
            let now = progress(app, source).await;
            now.is_some_and(|p| p.0 == sequence).then_some(())
        },
        || format!("{source} never reached sequence {sequence}"),
    )
    .await
}

/// Waits until the source stands still; its stop reason.
async fn until_stopped(app: &TestApp, source: &str) -> String {
    until(
        || async move { progress(app, source).await.and_then(|p| p.2) },
        || format!("{source} never stopped"),
    )
    .await
}

/// A stored user as the test compares it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct Person {
    display_name: String,
    email: String,
    title: String,
    manager: Option<String>,
    department: Option<String>,
    disabled: bool,
}

async fn people(app: &TestApp, prefix: &str) -> BTreeMap<String, Person> {
    app.rows(&format!(
        "SELECT u.username, u.display_name, u.email, u.title, m.username AS manager, \
         d.name AS department, u.disabled FROM users u \
         LEFT JOIN users m ON m.id = u.manager_id \
         LEFT JOIN departments d ON d.id = u.department_id \
         WHERE u.username LIKE '{prefix}%'"
    ))
    .await
    .into_iter()
    .map(|row| {
        (
            row.try_get("", "username").unwrap(),
            Person {
                display_name: row.try_get("", "display_name").unwrap(),
                email: row.try_get("", "email").unwrap(),
                title: row.try_get("", "title").unwrap(),
                manager: row.try_get("", "manager").unwrap(),
                department: row.try_get("", "department").unwrap(),
                disabled: row.try_get("", "disabled").unwrap(),
            },
        )
    })
    .collect()
}

async fn members(app: &TestApp, group_prefix: &str) -> BTreeSet<(String, String)> {
    app.rows(&format!(
        "SELECT group_name, username FROM group_members WHERE group_name LIKE '{group_prefix}%'"
    ))
    .await
    .into_iter()
    .map(|row| {
        (
            row.try_get("", "group_name").unwrap(),
            row.try_get("", "username").unwrap(),
        )
    })
    .collect()
}

const EVENTS: u64 = 10_000;
const HIRES: usize = 1_000;

/// 1. Ten thousand events (hires, changes of name, title, manager, department, group
///    memberships, leavers) applied in order: the store is exactly what they say.
async fn ten_thousand_events_are_applied_in_order_and_the_store_is_what_they_say(
    backend: Backend,
    amqp: String,
) {
    let Some((mut stream, app)) = Stream::with_app(backend, &amqp).await else {
        return;
    };
    let prefix = format!("p{}-", &stream.source[3..9]);
    let group = format!("g{}-", &stream.source[3..9]);
    let name = |i: usize| format!("{prefix}{i:04}");
    let mut expected: BTreeMap<String, Person> = BTreeMap::new();
    let mut groups: BTreeSet<(String, String)> = BTreeSet::new();
    let mut events = Vec::new();
    for i in 0..HIRES {
        // Each reports to someone hired before them: the chain never loops.
        let manager = if i == 0 {
            "bob".to_owned()
        } else {
            name(i / 2)
        };
        let person = Person {
            display_name: format!("Person {i}"),
            email: format!("{}@example.com", name(i)),
            title: String::new(),
            manager: Some(manager.clone()),
            department: Some(format!("Dept {}", i % 7)),
            disabled: false,
        };
        events.push(stream.user(
            "create",
            &name(i),
            json!({
                "displayName": [person.display_name],
                "email": [person.email],
                "manager": [manager],
                "department": [person.department.clone().unwrap()],
            }),
        ));
        expected.insert(name(i), person);
    }
    let mut round = 0u64;
    while (events.len() as u64) < EVENTS {
        round += 1;
        let i = (round as usize * 7919) % HIRES;
        let who = name(i);
        let person = expected.get_mut(&who).unwrap();
        let event = match round % 6 {
            0 => {
                person.display_name = format!("Person {i} ({round})");
                stream.user(
                    "modify",
                    &who,
                    json!({"displayName": [person.display_name]}),
                )
            }
            1 => {
                person.title = format!("Title {round}");
                stream.user("modify", &who, json!({"title": [person.title]}))
            }
            2 if i > 0 => {
                // Someone hired earlier still: no loop.
                let manager = name((round as usize) % i);
                person.manager = Some(manager.clone());
                stream.user("modify", &who, json!({"manager": [manager]}))
            }
            3 => {
                person.department = Some(format!("Dept {}", round % 11));
                stream.user(
                    "modify",
                    &who,
                    json!({"department": [person.department.clone().unwrap()]}),
                )
            }
            4 => {
                let group = format!("{group}{}", round % 5);
                let member = !groups.contains(&(group.clone(), who.clone()));
                if member {
                    groups.insert((group.clone(), who.clone()));
                } else {
                    groups.remove(&(group.clone(), who.clone()));
                }
                stream.membership(&who, &group, member)
            }
            _ => {
                person.disabled = !person.disabled;
                stream.user(
                    "modify",
                    &who,
                    json!({"enabled": [(!person.disabled).to_string()]}),
                )
            }
        };
        events.push(event);
    }
    let started = Instant::now();
    stream.publish(&events).await;
    until_sequence(&app, &stream.source, EVENTS as i64).await;
    let elapsed = started.elapsed();
    eprintln!(
        "{EVENTS} change events applied in {elapsed:?} ({:.0}/s, publishing included)",
        EVENTS as f64 / elapsed.as_secs_f64()
    );
    let (_, applied, stopped) = progress(&app, &stream.source).await.unwrap();
    assert_eq!((applied, stopped), (EVENTS as i64, None));
    assert_eq!(people(&app, &prefix).await, expected);
    assert_eq!(members(&app, &group).await, groups);
    let recorded = app
        .scalar(&format!(
            "SELECT COUNT(*) AS n FROM change_events WHERE source = '{}' AND outcome = 'applied'",
            stream.source
        ))
        .await;
    assert_eq!(recorded, EVENTS as i64);
    assert_eq!(stream.ready().await, 0, "everything was acknowledged");
}

/// 2. A malformed event, an unknown manager and a refused change (a manager loop) each
///    stop the stream with nothing after them applied; a skip (audited, with the reason)
///    or a retry after the fix goes on in order. A source that parks goes on at once;
///    an event too broken to name its source stops the stream too. Only administrators
///    may retry, skip or change the policy.
async fn bad_events_stop_the_stream_until_retried_or_skipped_or_are_parked(
    backend: Backend,
    amqp: String,
) {
    let Some((mut stream, app)) = Stream::with_app(backend, &amqp).await else {
        return;
    };
    let source = stream.source.clone();
    let admin = app.session("admin").await;
    let alice = app.session("alice").await;
    let tag = &source[3..9];
    let (ann, ben) = (format!("ann{tag}"), format!("ben{tag}"));
    let title_of = |user: String| {
        let app = &app;
        async move {
            app.row(&format!(
                "SELECT title FROM users WHERE username = '{user}'"
            ))
            .await
            .and_then(|row| row.try_get::<String>("", "title").ok())
        }
    };

    // A malformed event (enabled must be true or false) stops the stream.
    let hire = stream.user(
        "create",
        &ann,
        json!({"displayName": ["Ann"], "manager": ["bob"]}),
    );
    let malformed = stream.user("modify", &ann, json!({"enabled": ["maybe"]}));
    let after = stream.user(
        "modify",
        &ann,
        json!({"title": ["After the malformed one"]}),
    );
    stream.publish(&[hire, malformed, after]).await;
    let reason = until_stopped(&app, &source).await;
    assert!(reason.contains("attributes.enabled"), "{reason}");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(progress(&app, &source).await.unwrap().0, 1);
    assert_eq!(
        title_of(ann.clone()).await.as_deref(),
        Some(""),
        "nothing after it applied"
    );

    // Nobody but an administrator retries or skips.
    for (endpoint, form) in [
        (RETRY, vec![("source", source.as_str())]),
        (
            SKIP,
            vec![("source", source.as_str()), ("note", "not mine")],
        ),
        (
            POLICY,
            vec![("source", source.as_str()), ("policy", "park")],
        ),
    ] {
        let (status, _) = app.server_fn(endpoint, &form, Some(&alice)).await;
        assert_eq!(status, 403, "{endpoint} by alice");
    }
    let (status, answer) = app
        .server_fn(SKIP, &[("source", &source), ("note", " ")], Some(&admin))
        .await;
    assert_eq!(status, 400, "a skip needs a reason: {answer}");
    assert_eq!(progress(&app, &source).await.unwrap().0, 1);
    let (status, answer) = app
        .server_fn(
            SKIP,
            &[
                ("source", &source),
                ("note", "HR sent a typo; corrected by hand"),
            ],
            Some(&admin),
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    until_sequence(&app, &source, 3).await;
    assert_eq!(
        title_of(ann.clone()).await.as_deref(),
        Some("After the malformed one")
    );
    let skipped = app
        .scalar(&format!(
            "SELECT COUNT(*) AS n FROM audit_events WHERE action = 'directory.change_skipped' \
             AND actor = 'admin' AND detail LIKE '%{source} #2%corrected by hand%'"
        ))
        .await;
    assert_eq!(skipped, 1, "the skip is audited with who and why");

    // An unknown manager stops it, leaving nothing of the event behind (not even the new
    // department it names); once the manager exists, a retry applies it and the event
    // after it.
    let ghost = format!("ghost{tag}");
    let moved_to = format!("Moved{tag}");
    let departments_named = |name: String| {
        let app = &app;
        async move {
            app.scalar(&format!(
                "SELECT COUNT(*) AS n FROM departments WHERE name = '{name}'"
            ))
            .await
        }
    };
    let unknown = stream.user(
        "modify",
        &ann,
        json!({"manager": [ghost], "department": [moved_to]}),
    );
    let after = stream.user(
        "modify",
        &ann,
        json!({"title": ["After the unknown manager"]}),
    );
    stream.publish(&[unknown, after]).await;
    let reason = until_stopped(&app, &source).await;
    assert_eq!(reason, format!("unknown manager {ghost}"));
    assert_eq!(departments_named(moved_to.clone()).await, 0);
    let (status, answer) = app
        .server_fn(RETRY, &[("source", &source)], Some(&admin))
        .await;
    assert_eq!(status, 200, "{answer}");
    // Retried before the fix: it stops again on the same event.
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(progress(&app, &source).await.unwrap().0, 3);
    assert_eq!(
        until_stopped(&app, &source).await,
        format!("unknown manager {ghost}")
    );
    let now = "2026-12-03 08:00:00";
    app.execute(&format!(
        "INSERT INTO users (username, display_name, email, title, disabled, created_at) \
         VALUES ('{ghost}', 'Ghost', 'ghost@example.com', '', false, '{now}')"
    ))
    .await;
    let (status, answer) = app
        .server_fn(RETRY, &[("source", &source)], Some(&admin))
        .await;
    assert_eq!(status, 200, "{answer}");
    until_sequence(&app, &source, 5).await;
    let manager = app
        .row(&format!(
            "SELECT m.username AS manager FROM users u JOIN users m ON m.id = u.manager_id \
             WHERE u.username = '{ann}'"
        ))
        .await
        .unwrap();
    assert_eq!(manager.try_get::<String>("", "manager").unwrap(), ghost);
    assert_eq!(departments_named(moved_to.clone()).await, 1);
    assert_eq!(
        title_of(ann.clone()).await.as_deref(),
        Some("After the unknown manager")
    );

    // A refused change (ghost would report to ann, who reports to ghost) stops it too.
    let hire_ben = stream.user(
        "create",
        &ben,
        json!({"displayName": ["Ben"], "manager": [ann]}),
    );
    let looping = stream.user("modify", &ghost, json!({"manager": [ben]}));
    let after = stream.user("modify", &ben, json!({"title": ["After the loop"]}));
    stream.publish(&[hire_ben, looping, after]).await;
    let reason = until_stopped(&app, &source).await;
    assert!(reason.contains("reports to"), "{reason}");
    assert_eq!(progress(&app, &source).await.unwrap().0, 6);
    assert_eq!(title_of(ben.clone()).await.as_deref(), Some(""));
    let (status, _) = app
        .server_fn(
            SKIP,
            &[("source", &source), ("note", "a loop")],
            Some(&admin),
        )
        .await;
    assert_eq!(status, 200);
    until_sequence(&app, &source, 8).await;
    assert_eq!(
        title_of(ben.clone()).await.as_deref(),
        Some("After the loop")
    );

    // Asking to retry a stream that runs is refused, and changes nothing.
    let (status, answer) = app
        .server_fn(RETRY, &[("source", &source)], Some(&admin))
        .await;
    assert_eq!(status, 400, "{answer}");

    // A source that parks what it cannot apply goes on.
    let (status, answer) = app
        .server_fn(
            POLICY,
            &[("source", &source), ("policy", "park")],
            Some(&admin),
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    let bad = stream.user("modify", &ben, json!({"manager": [format!("nobody{tag}")]}));
    let after = stream.user("modify", &ben, json!({"title": ["After the parked one"]}));
    stream.publish(&[bad, after]).await;
    until_sequence(&app, &source, 10).await;
    assert_eq!(
        title_of(ben.clone()).await.as_deref(),
        Some("After the parked one")
    );
    let parked = app
        .row(&format!(
            "SELECT sequence, reason FROM change_events WHERE source = '{source}' AND outcome = 'parked'"
        ))
        .await
        .expect("the parked event is kept");
    assert_eq!(parked.try_get::<i64>("", "sequence").unwrap(), 9);
    assert_eq!(
        parked.try_get::<String>("", "reason").unwrap(),
        format!("unknown manager nobody{tag}")
    );

    // Not even JSON: no source to name, so the stream stops whatever the policies say.
    let after = stream.user("modify", &ben, json!({"title": ["After the garbage"]}));
    stream
        .publish(&["this is not an event".to_owned(), after])
        .await;
    let reason = until_stopped(&app, "unreadable").await;
    assert!(reason.starts_with("malformed event"), "{reason}");
    assert_eq!(progress(&app, &source).await.unwrap().0, 10);
    let (status, _) = app
        .server_fn(
            SKIP,
            &[("source", "unreadable"), ("note", "garbage")],
            Some(&admin),
        )
        .await;
    assert_eq!(status, 200);
    until_sequence(&app, &source, 11).await;
    assert_eq!(title_of(ben).await.as_deref(), Some("After the garbage"));
    assert_eq!(stream.ready().await, 0);
}

/// 3. An event delivered again (same id), one whose sequence is not above the last
///    applied, and one with a new id but a used sequence change nothing.
async fn redelivered_and_outdated_events_change_nothing(backend: Backend, amqp: String) {
    let Some((mut stream, app)) = Stream::with_app(backend, &amqp).await else {
        return;
    };
    let source = stream.source.clone();
    let who = format!("cy{}", &source[3..9]);
    let hire = stream.user("create", &who, json!({"displayName": ["First"]}));
    let rename = stream.user("modify", &who, json!({"displayName": ["Second"]}));
    stream.publish(&[hire.clone(), rename.clone()]).await;
    until_sequence(&app, &source, 2).await;
    let stale = stream.event_at(1, "modify", "user", &who, json!({"displayName": ["Stale"]}));
    let reused = stream.event_at(
        2,
        "modify",
        "user",
        &who,
        json!({"displayName": ["Reused"]}),
    );
    let last = stream.user("modify", &who, json!({"title": ["Last"]}));
    stream
        .publish(&[rename.clone(), hire, stale, reused, rename, last])
        .await;
    until_sequence(&app, &source, 3).await;
    let person = people(&app, &who).await.remove(&who).unwrap();
    assert_eq!(
        (person.display_name.as_str(), person.title.as_str()),
        ("Second", "Last")
    );
    let (_, applied, stopped) = progress(&app, &source).await.unwrap();
    assert_eq!((applied, stopped), (3, None));
    let audited = app
        .audited("directory.change_applied", &format!("{source} #%"))
        .await;
    assert_eq!(audited, 3);
    assert_eq!(stream.ready().await, 0, "redeliveries are acknowledged too");
}

const KILLED_EVENTS: u64 = 6_000;

/// 4. The server binary is killed (SIGKILL) while it applies a long stream; after the
///    restart every event is applied exactly once.
async fn a_process_killed_while_applying_applies_every_event_exactly_once_after_restart(
    backend: Backend,
    amqp: String,
) {
    let mut stream = Stream::new(&amqp);
    // The database with its demo company, made by a server that reads no events.
    let Some(mut app) = TestApp::spawn_with(backend, &[]).await else {
        return;
    };
    let source = stream.source.clone();
    let who = format!("kim{}", &source[3..9]);
    let mut events = vec![stream.user("create", &who, json!({"displayName": ["Kim"]}))];
    while (events.len() as u64) < KILLED_EVENTS {
        let n = events.len();
        events.push(stream.user("modify", &who, json!({"title": [format!("Title {n}")]})));
    }
    stream.publish(&events).await;
    let mail = tempfile::tempdir().unwrap();
    let mail = mail.path().display().to_string();
    let mut args = stream.args();
    args.extend_from_slice(&["--mail-dir", &mail]);
    let mut child = ChildServer::start(&app.database_url, &args).await;
    let deadline = Instant::now() + WAIT;
    loop {
        let applied = progress(&app, &source).await.map_or(0, |p| p.0);
        if applied >= 500 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the child applied nothing: {}",
            child.log_text()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let status = child.kill();
    {
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(status.signal(), Some(9), "killed, not stopped: {status}");
    }
    let at_kill = progress(&app, &source).await.unwrap().0;
    eprintln!("killed after {at_kill} of {KILLED_EVENTS} events");
    assert!(
        (at_kill as u64) < KILLED_EVENTS,
        "the stream was done before the kill; the test proves nothing"
    );

    app.restart_with(&stream.args()).await;
    until_sequence(&app, &source, KILLED_EVENTS as i64).await;
    let (_, applied, _) = progress(&app, &source).await.unwrap();
    assert_eq!(applied, KILLED_EVENTS as i64, "each applied once");
    let recorded = app
        .scalar(&format!(
            "SELECT COUNT(*) AS n FROM change_events WHERE source = '{source}'"
        ))
        .await;
    assert_eq!(recorded, KILLED_EVENTS as i64);
    let audited = app
        .audited("directory.change_applied", &format!("{source} #%"))
        .await;
    assert_eq!(audited, KILLED_EVENTS as i64);
    let person = people(&app, &who).await.remove(&who).unwrap();
    assert_eq!(person.title, format!("Title {}", KILLED_EVENTS - 1));
    assert_eq!(stream.ready().await, 0);
}

/// The approvers waiting on workflow `id`.
async fn asked(app: &TestApp, id: &str) -> BTreeSet<String> {
    app.rows(&format!(
        "SELECT username FROM work_items WHERE instance_id = '{id}'"
    ))
    .await
    .into_iter()
    .map(|row| row.try_get("", "username").unwrap())
    .collect()
}

async fn until_asked(app: &TestApp, id: &str, expected: &[&str]) {
    let expected: BTreeSet<String> = expected.iter().map(|s| s.to_string()).collect();
    let wanted = &expected;
    until(
        || async move { (asked(app, id).await == *wanted).then_some(()) },
        || format!("{id} never asked {expected:?}"),
    )
    .await
}

/// 5. A new manager is asked in place of the old; a leaver's sessions end at once, their
///    open items go to their manager, and they cannot log in; a new hire cannot log in
///    before they have a password.
async fn leavers_lose_sessions_and_items_and_a_new_manager_is_asked(
    backend: Backend,
    amqp: String,
) {
    let Some((mut stream, app)) = Stream::with_app(backend, &amqp).await else {
        return;
    };
    let source = stream.source.clone();
    // alice's role request waits for her manager, bob.
    let id = ok(
        &app,
        "createInstance",
        "alice",
        role_order("alice", "Developer"),
    )
    .await;
    let id = id["workflowID"].as_str().unwrap().to_owned();
    until_asked(&app, &id, &["bob"]).await;

    // HR moves alice to dave: dave is asked instead.
    let dave = app.session("dave").await;
    let moved = stream.user("modify", "alice", json!({"manager": ["dave"]}));
    stream.publish(&[moved]).await;
    until_sequence(&app, &source, 1).await;
    until_asked(&app, &id, &["dave"]).await;
    let worklist = app.text("/worklist", Some(&dave)).await;
    assert!(
        worklist.contains("Developer"),
        "dave's worklist shows the item"
    );

    // dave leaves: his session ends at once, the item goes to his manager erin.
    let leaver = stream.user("delete", "dave", json!({}));
    let hire = stream.user(
        "create",
        "newbie",
        json!({"displayName": ["New Person"], "manager": ["erin"]}),
    );
    stream.publish(&[leaver, hire]).await;
    until_sequence(&app, &source, 3).await;
    let page = app.get("/worklist", Some(&dave)).await;
    assert!(is_redirect(page.status()), "{}", page.status());
    assert!(location(&page).starts_with("/login"), "{}", location(&page));
    until_asked(&app, &id, &["erin"]).await;
    let login = app.login("dave", DEMO_PASSWORD).await;
    assert!(login.is_err(), "a leaver cannot log in");
    let (status, fault) = call(&app, "getWorklist", Some(&basic("dave")), "{}").await;
    assert_eq!(status, 401, "refused like a wrong password");
    assert_eq!(fault["error"], "authenticationFailed");
    // The hire exists, reports to erin, and has no password yet.
    let person = people(&app, "newbie").await.remove("newbie").unwrap();
    assert_eq!(person.manager.as_deref(), Some("erin"));
    assert!(app.login("newbie", DEMO_PASSWORD).await.is_err());
    // Until someone running Assent gives them one.
    let password = "a long enough password";
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_assent"))
        .args([
            "--database-url",
            &app.database_url,
            "users",
            "set-password",
            "newbie",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut stdin = command.stdin.take().unwrap();
        writeln!(stdin, "{password}").unwrap();
    }
    let output = command.wait_with_output().unwrap();
    assert!(output.status.success(), "{output:?}");
    assert!(app.login("newbie", password).await.is_ok());
}
