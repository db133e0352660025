//! The workflow service against real databases: each test on SQLite and on PostgreSQL.

#[path = "../common/mod.rs"]
mod common;

use assent::server::workflow::jobs::{Integrations, Mailer};
use assent::server::workflow::{
    CreateRequest, Decision, DeployOutcome, ManualClock, WorkflowError, Workflows,
};
use assent::server::{db, demo};
use assent_engine::flowdata::Value;
use assent_engine::runtime::model::{Instance, Order, OrderType};
use assent_engine::runtime::EngineError;
use assent_engine::{ActivityState, ApplicationState, UserName, WorkflowState};
use chrono::TimeZone;
use common::{Backend, TestDatabase};
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement, TransactionTrait};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

on_both_databases!(
    definitions_are_versioned_and_checked_before_deploy,
    a_request_runs_from_creation_to_grant,
    fifty_concurrent_decisions_have_one_winner,
    timers_escalate_once_even_when_a_job_runs_twice,
    the_requester_never_approves_and_substitutes_are_honoured,
    interrupted_transitions_leave_the_instance_before_or_after,
    failing_mail_is_retried_then_waits_in_error,
    submitted_forms_are_checked_before_anything_starts,
    group_commit_shares_commits_and_isolates_refusals,
    a_killed_process_leaves_no_half_transition,
    registration_is_activated_by_the_mailed_key,
    certification_revokes_what_the_certifier_rejects,
    mail_goes_out_through_smtp_and_is_retried,
    a_request_naming_no_definition_gets_the_best_fitting_one,
    mailed_links_decide_once_after_confirmation,
    only_the_definitions_starters_may_start_it,
);

const FOUR_EYE: &str = "My-Company/Approval/4-Eye-Approval";

#[derive(Default)]
struct RecordingMailer {
    sent: Mutex<Vec<(Vec<String>, String)>>,
    keys: Mutex<Vec<String>>,
    /// (recipient, approve token, reject token) of each approval notification.
    links: Mutex<Vec<(String, String, String)>>,
    fail: bool,
}

#[async_trait::async_trait]
impl Mailer for RecordingMailer {
    async fn send(
        &self,
        to: &[String],
        template: &str,
        _workflow: &str,
        details: &BTreeMap<String, String>,
    ) -> Result<(), String> {
        if self.fail && template != "approval-requested" {
            return Err("SMTP 451: try again later".into());
        }
        self.sent
            .lock()
            .unwrap()
            .push((to.to_vec(), template.to_owned()));
        if let Some(key) = details.get("activationKey") {
            self.keys.lock().unwrap().push(key.clone());
        }
        if let (Some(approve), Some(reject)) =
            (details.get("approveToken"), details.get("rejectToken"))
        {
            self.links
                .lock()
                .unwrap()
                .push((to.join(","), approve.clone(), reject.clone()));
        }
        Ok(())
    }
}

struct NoOutside;

#[async_trait::async_trait]
impl Integrations for NoOutside {
    async fn call_rest(
        &self,
        _: &str,
        _: &str,
        _: &str,
    ) -> Result<BTreeMap<String, Vec<Value>>, String> {
        Err("none".into())
    }
    async fn hand_off(&self, _: &str, _: &str) -> Result<(), String> {
        Err("none".into())
    }
}

struct Fixture {
    _database: TestDatabase,
    workflows: Workflows,
    clock: Arc<ManualClock>,
    mailer: Arc<RecordingMailer>,
    db: DatabaseConnection,
}

async fn fixture(backend: Backend) -> Fixture {
    fixture_with(backend, RecordingMailer::default()).await
}

async fn fixture_with(backend: Backend, mailer: RecordingMailer) -> Fixture {
    let database = TestDatabase::create(backend).await.expect("database");
    let opened = db::connect(&database.url).await.expect("connect");
    db::migrate(&opened).await.expect("migrate");
    demo::load_if_empty(&opened.connection, "pw")
        .await
        .expect("demo");
    let clock = Arc::new(ManualClock::new(
        chrono::Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap(),
    ));
    let mailer = Arc::new(mailer);
    let workflows = Workflows::new(opened.connection.clone(), clock.clone())
        .with_integrations(mailer.clone(), Arc::new(NoOutside));
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("definitions");
    let deployed = workflows.deploy_folder(&folder).await.expect("deploy");
    assert!(deployed.len() >= 4);
    Fixture {
        _database: database,
        workflows,
        clock,
        mailer,
        db: opened.connection,
    }
}

fn user(name: &str) -> UserName {
    UserName::parse(name).unwrap()
}

fn request(path: &str, initiator: &str, subject: &str, item: &str) -> CreateRequest {
    let order = |object_type: &str, id: &str| Order {
        order_type: OrderType::AddOrder,
        target_id: id.into(),
        object_type: object_type.into(),
        attributes: BTreeMap::new(),
    };
    CreateRequest {
        definition_path: path.into(),
        initiator: user(initiator),
        subject: Some(order("user", subject)),
        resources: vec![order("role", item)],
        form: BTreeMap::from([("justification".to_owned(), vec![Value::text("needed")])]),
        context: BTreeMap::new(),
        correlation_id: None,
    }
}

fn running(instance: &Instance, activity: &str) -> u32 {
    instance
        .runs
        .iter()
        .rev()
        .find(|r| r.activity.0 == activity && r.state == ActivityState::Running)
        .unwrap_or_else(|| panic!("{activity} not running"))
        .seq
}

async fn count(db: &impl ConnectionTrait, sql: &str) -> i64 {
    let row = db
        .query_one(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap()
        .unwrap();
    row.try_get("", "n").unwrap()
}

async fn definitions_are_versioned_and_checked_before_deploy(backend: Backend) {
    let f = fixture(backend).await;
    let source = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("definitions/4-eye-approval.toml"),
    )
    .unwrap();
    let again = f
        .workflows
        .deploy("4-eye-approval.toml", &source, Some("admin"))
        .await
        .unwrap();
    assert!(matches!(again, DeployOutcome::Unchanged { version: 1, .. }));

    let started = f
        .workflows
        .create(request(FOUR_EYE, "alice", "alice", "Finance Analyst"))
        .await
        .unwrap();
    assert_eq!(started.definition.version, 1);

    // Version 2 sends the approval to a named user instead of the manager.
    let changed = source.replace(
        r#"participants = { manager_of = "subject" }"#,
        r#"participants = { users = ["dave"] }"#,
    );
    let deployed = f
        .workflows
        .deploy("4-eye-approval.toml", &changed, Some("admin"))
        .await
        .unwrap();
    assert!(matches!(
        deployed,
        DeployOutcome::Deployed { version: 2, .. }
    ));

    let broken = changed.replace(r#"on_approve = "grant""#, r#"on_approve = "nowhere""#);
    let before = count(&f.db, "SELECT COUNT(*) AS n FROM workflow_definitions").await;
    match f
        .workflows
        .deploy("4-eye-approval.toml", &broken, Some("admin"))
        .await
    {
        Err(WorkflowError::InvalidDefinition(errors)) => {
            assert!(
                errors.to_string().starts_with("4-eye-approval.toml:"),
                "{errors}"
            );
            assert!(
                errors.to_string().contains("unknown activity nowhere"),
                "{errors}"
            );
        }
        other => panic!("accepted a broken definition: {other:?}"),
    }
    assert_eq!(
        count(&f.db, "SELECT COUNT(*) AS n FROM workflow_definitions").await,
        before,
        "a refused definition changes nothing"
    );

    // The running instance stays on version 1: bob (the manager) still decides it.
    let approval = running(&started, "manager_approval");
    let done = f
        .workflows
        .decide(
            &user("bob"),
            &started.id,
            approval,
            Decision::Approve,
            None,
            None,
        )
        .await
        .unwrap();
    assert_eq!(done.application_state, Some(ApplicationState::Accepted));
    let newer = f
        .workflows
        .create(request(FOUR_EYE, "alice", "alice", "Developer"))
        .await
        .unwrap();
    assert_eq!(newer.definition.version, 2);
    let approval = running(&newer, "manager_approval");
    assert_eq!(
        newer.runs[approval as usize]
            .approval
            .as_ref()
            .unwrap()
            .participants[0]
            .user,
        user("dave")
    );
}

async fn a_request_runs_from_creation_to_grant(backend: Backend) {
    let f = fixture(backend).await;
    let instance = f
        .workflows
        .create(request(FOUR_EYE, "alice", "alice", "Finance Analyst"))
        .await
        .unwrap();
    assert_eq!(instance.state, WorkflowState::Running);
    assert_eq!(f.workflows.open_item_count(&user("bob")).await.unwrap(), 1);
    assert_eq!(
        f.workflows.open_item_count(&user("alice")).await.unwrap(),
        0
    );
    let approval = running(&instance, "manager_approval");

    // Notification and timeout jobs were written with the step.
    assert_eq!(
        count(&f.db, "SELECT COUNT(*) AS n FROM jobs WHERE kind = 'timer'").await,
        1
    );
    assert_eq!(
        count(
            &f.db,
            "SELECT COUNT(*) AS n FROM jobs WHERE kind = 'effect'"
        )
        .await,
        1
    );
    assert_eq!(
        f.workflows.run_due_jobs("test", 10).await.unwrap(),
        1,
        "only the notification is due"
    );
    assert_eq!(f.mailer.sent.lock().unwrap()[0].0, vec!["bob".to_owned()]);

    let wrong = f
        .workflows
        .decide(
            &user("dave"),
            &instance.id,
            approval,
            Decision::Approve,
            None,
            None,
        )
        .await;
    // dave has no part in this workflow: it answers as if it did not exist.
    assert!(matches!(wrong, Err(WorkflowError::WorkflowNotFound)));
    let stale = f
        .workflows
        .decide(
            &user("bob"),
            &instance.id,
            approval,
            Decision::Approve,
            None,
            Some(instance.version + 7),
        )
        .await;
    assert!(matches!(stale, Err(WorkflowError::Conflict)));

    let decided = f
        .workflows
        .decide(
            &user("bob"),
            &instance.id,
            approval,
            Decision::Approve,
            None,
            Some(instance.version),
        )
        .await
        .unwrap();
    assert_eq!(decided.application_state, Some(ApplicationState::Accepted));
    assert_eq!(f.workflows.open_item_count(&user("bob")).await.unwrap(), 0);
    assert_eq!(
        count(&f.db, "SELECT COUNT(*) AS n FROM assignments WHERE username = 'alice' AND kind = 'role' AND name = 'Finance Analyst'").await,
        1,
        "the role was granted in the same transaction"
    );
    // The closing mail leaves through the outbox; then the workflow ends.
    f.workflows.run_due_jobs("test", 10).await.unwrap();
    let finished = f.workflows.instance(&instance.id).await.unwrap();
    assert_eq!(finished.state, WorkflowState::Succeeded);
    assert_eq!(
        count(
            &f.db,
            &format!(
                "SELECT COUNT(*) AS n FROM audit_events WHERE detail LIKE 'workflow {}%'",
                instance.id
            )
        )
        .await,
        3,
        "created, decided, mail sent"
    );
}

async fn fifty_concurrent_decisions_have_one_winner(backend: Backend) {
    let f = fixture(backend).await;
    // Fifty approvers in one group, any one of whom decides.
    let backend_kind = f.db.get_database_backend();
    for i in 0..50 {
        f.db.execute(Statement::from_string(backend_kind, format!(
            "INSERT INTO users (username, display_name, email, title, disabled, created_at) VALUES ('crowd{i}', 'Crowd {i}', 'c{i}@example.com', '', FALSE, '2026-11-23T09:00:00Z')"
        ))).await.unwrap();
        f.db.execute(Statement::from_string(
            backend_kind,
            format!(
                "INSERT INTO group_members (group_name, username) VALUES ('crowd', 'crowd{i}')"
            ),
        ))
        .await
        .unwrap();
    }
    let source = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("definitions/4-eye-approval.toml"),
    )
    .unwrap()
    .replace(
        r#"participants = { manager_of = "subject" }"#,
        r#"participants = { group = "crowd" }"#,
    )
    .replace("My-Company/Approval/4-Eye-Approval", "Test/Crowd");
    f.workflows
        .deploy("crowd.toml", &source, None)
        .await
        .unwrap();
    // Once committing each decision itself, once through the group-commit writer.
    for workflows in [f.workflows.clone(), f.workflows.clone().with_group_commit()] {
        let instance = workflows
            .create(request("Test/Crowd", "alice", "alice", "Finance Analyst"))
            .await
            .unwrap();
        let approval = running(&instance, "manager_approval");
        assert_eq!(workflows.open_item_count(&user("crowd7")).await.unwrap(), 1);
        let mut tasks = Vec::new();
        for i in 0..50 {
            let workflows = workflows.clone();
            let id = instance.id.clone();
            let version = instance.version;
            tasks.push(tokio::spawn(async move {
                workflows
                    .decide(
                        &user(&format!("crowd{i}")),
                        &id,
                        approval,
                        Decision::Approve,
                        None,
                        Some(version),
                    )
                    .await
            }));
        }
        let mut wins = 0;
        let mut conflicts = 0;
        for task in tasks {
            match task.await.unwrap() {
                Ok(_) => wins += 1,
                Err(WorkflowError::Conflict) => conflicts += 1,
                Err(other) => panic!("unexpected: {other:?}"),
            }
        }
        assert_eq!((wins, conflicts), (1, 49));
        let stored = workflows.instance(&instance.id).await.unwrap();
        let decisions = &stored.runs[approval as usize]
            .approval
            .as_ref()
            .unwrap()
            .decisions;
        assert_eq!(decisions.len(), 1, "exactly one decision was recorded");
        assert_eq!(stored.version, instance.version + 1);
    }
}

async fn timers_escalate_once_even_when_a_job_runs_twice(backend: Backend) {
    let f = fixture(backend).await;
    let instance = f
        .workflows
        .create(request(FOUR_EYE, "alice", "alice", "Finance Analyst"))
        .await
        .unwrap();
    f.workflows.run_due_jobs("test", 10).await.unwrap();
    assert_eq!(
        f.workflows.run_due_jobs("test", 10).await.unwrap(),
        0,
        "the timeout is not due yet"
    );
    f.clock.advance(chrono::Duration::days(3));
    f.workflows.run_due_jobs("test", 10).await.unwrap();
    let escalated = f.workflows.instance(&instance.id).await.unwrap();
    assert_eq!(
        f.workflows.open_item_count(&user("erin")).await.unwrap(),
        1,
        "escalated to bob's manager"
    );
    assert_eq!(f.workflows.open_item_count(&user("bob")).await.unwrap(), 0);

    // The same timer job again, as after a crash between handling and marking it done.
    f.db.execute(Statement::from_string(
        f.db.get_database_backend(),
        "UPDATE jobs SET done_at = NULL, locked_until = NULL WHERE kind = 'timer' AND idempotency_key LIKE '%:1'",
    ))
    .await
    .unwrap();
    f.workflows.run_due_jobs("test", 10).await.unwrap();
    let after = f.workflows.instance(&instance.id).await.unwrap();
    assert_eq!(
        after.version, escalated.version,
        "a timer run twice has one effect"
    );
    assert_eq!(
        count(
            &f.db,
            "SELECT COUNT(*) AS n FROM jobs WHERE done_at IS NULL AND kind = 'timer'"
        )
        .await,
        1,
        "only the next level's timer is pending"
    );
}

async fn the_requester_never_approves_and_substitutes_are_honoured(backend: Backend) {
    let f = fixture(backend).await;
    // bob asks for alice, whose manager he is: his own manager decides instead.
    let instance = f
        .workflows
        .create(request(FOUR_EYE, "bob", "alice", "Finance Analyst"))
        .await
        .unwrap();
    let approval = running(&instance, "manager_approval");
    assert_eq!(f.workflows.open_item_count(&user("bob")).await.unwrap(), 0);
    assert_eq!(f.workflows.open_item_count(&user("erin")).await.unwrap(), 1);
    let own = f
        .workflows
        .decide(
            &user("bob"),
            &instance.id,
            approval,
            Decision::Approve,
            None,
            None,
        )
        .await;
    assert!(matches!(
        own,
        Err(WorkflowError::Engine(EngineError::OwnRequest))
    ));

    // bob is away; dave stands in for him.
    f.db.execute(Statement::from_string(
        f.db.get_database_backend(),
        "INSERT INTO delegations (username, substitute, starts_at, ends_at) VALUES ('bob', 'dave', '2026-11-01T00:00:00Z', '2026-12-31T00:00:00Z')",
    ))
    .await
    .unwrap();
    let delegated = f
        .workflows
        .create(request(FOUR_EYE, "frank", "frank", "Finance Analyst"))
        .await
        .unwrap();
    assert_eq!(f.workflows.open_item_count(&user("dave")).await.unwrap(), 1);
    let approval = running(&delegated, "manager_approval");
    let participant = &delegated.runs[approval as usize]
        .approval
        .as_ref()
        .unwrap()
        .participants[0];
    assert_eq!(participant.user, user("dave"));
    assert!(format!("{:?}", participant.because).contains("Substitute"));
}

async fn interrupted_transitions_leave_the_instance_before_or_after(backend: Backend) {
    let f = fixture(backend).await;
    // A transition cut off at many different points (the task is dropped mid-flight, as
    // a killed process would drop its transaction) is all there or not there at all.
    let (mut befores, mut afters) = (0, 0);
    for cut_after_micros in [0u64, 50, 200, 500, 1_000, 2_000, 5_000, 10_000, 200_000] {
        let item = format!("Item {cut_after_micros}");
        let instance = f
            .workflows
            .create(request(FOUR_EYE, "alice", "alice", &item))
            .await
            .unwrap();
        let approval = running(&instance, "manager_approval");
        let workflows = f.workflows.clone();
        let id = instance.id.clone();
        let decision = async move {
            workflows
                .decide(&user("bob"), &id, approval, Decision::Approve, None, None)
                .await
        };
        let attempt = if cut_after_micros == 0 {
            // Cut after the very first step, before anything can have been committed.
            let mut decision = Box::pin(decision);
            std::future::poll_fn(|cx| {
                let _ = std::future::Future::poll(decision.as_mut(), cx);
                std::task::Poll::Ready(())
            })
            .await;
            drop(decision);
            Err(())
        } else {
            tokio::time::timeout(std::time::Duration::from_micros(cut_after_micros), decision)
                .await
                .map_err(|_| ())
        };
        // A commit already handed to the database may still land; let it, then look at
        // one consistent snapshot of the instance, its work items and its grants.
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        let snapshot = f.db.begin().await.unwrap();
        let version: i64 = snapshot
            .query_one(Statement::from_string(
                f.db.get_database_backend(),
                format!(
                    "SELECT version AS n FROM workflow_instances WHERE id = '{}'",
                    instance.id
                ),
            ))
            .await
            .unwrap()
            .unwrap()
            .try_get("", "n")
            .unwrap();
        let items = count(
            &snapshot,
            &format!(
                "SELECT COUNT(*) AS n FROM work_items WHERE instance_id = '{}'",
                instance.id
            ),
        )
        .await;
        let granted = count(
            &snapshot,
            &format!(
                "SELECT COUNT(*) AS n FROM assignments WHERE instance_id = '{}'",
                instance.id
            ),
        )
        .await;
        snapshot.commit().await.unwrap();
        let stored = f.workflows.instance(&instance.id).await.unwrap();
        assert_eq!(stored.version as i64, version);
        if stored.version == instance.version {
            assert_eq!(
                (items, granted),
                (1, 0),
                "before: cut at {cut_after_micros}µs"
            );
            befores += 1;
        } else {
            assert!(attempt.is_ok() || stored.version == instance.version + 1);
            assert_eq!(
                (items, granted),
                (0, 1),
                "after: cut at {cut_after_micros}µs"
            );
            afters += 1;
        }
    }
    assert!(
        befores >= 1 && afters >= 1,
        "both outcomes were exercised: {befores} before, {afters} after"
    );
}

async fn failing_mail_is_retried_then_waits_in_error(backend: Backend) {
    let f = fixture_with(
        backend,
        RecordingMailer {
            fail: true,
            ..Default::default()
        },
    )
    .await;
    let instance = f
        .workflows
        .create(request(FOUR_EYE, "alice", "alice", "Finance Analyst"))
        .await
        .unwrap();
    let approval = running(&instance, "manager_approval");
    f.workflows
        .decide(
            &user("bob"),
            &instance.id,
            approval,
            Decision::Approve,
            None,
            None,
        )
        .await
        .unwrap();
    for _ in 0..12 {
        f.workflows.run_due_jobs("test", 10).await.unwrap();
        f.clock.advance(chrono::Duration::minutes(20));
    }
    let stored = f.workflows.instance(&instance.id).await.unwrap();
    let notify = stored
        .runs
        .iter()
        .find(|r| r.activity.0 == "notify")
        .unwrap();
    assert_eq!(notify.state, ActivityState::WaitInError);
    assert!(
        notify
            .error
            .as_deref()
            .unwrap()
            .contains("after 5 attempts"),
        "{:?}",
        notify.error
    );
    assert_eq!(
        stored.state,
        WorkflowState::Running,
        "waiting for an administrator"
    );
}

async fn submitted_forms_are_checked_before_anything_starts(backend: Backend) {
    use assent::server::workflow::SubmitRequest;
    let f = fixture(backend).await;
    let base = request(FOUR_EYE, "alice", "alice", "Finance Analyst");
    let submit = |form: &[(&str, &str)]| SubmitRequest {
        definition_path: base.definition_path.clone(),
        initiator: base.initiator.clone(),
        subject: base.subject.clone(),
        resources: base.resources.clone(),
        form: form
            .iter()
            .map(|(k, v)| (k.to_string(), vec![v.to_string()]))
            .collect(),
    };
    let before = count(&f.db, "SELECT COUNT(*) AS n FROM workflow_instances").await;
    match f
        .workflows
        .submit(submit(&[("valid_until", "2026-02-30")]))
        .await
    {
        Err(WorkflowError::InvalidForm(errors)) => {
            let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
            assert_eq!(fields, vec!["justification", "valid_until"], "{errors:?}");
        }
        other => panic!("accepted a bad form: {other:?}"),
    }
    assert_eq!(
        count(&f.db, "SELECT COUNT(*) AS n FROM workflow_instances").await,
        before,
        "nothing started"
    );
    let started = f
        .workflows
        .submit(submit(&[
            ("justification", " new job "),
            ("valid_until", "2027-01-31"),
        ]))
        .await
        .unwrap();
    let path = assent_engine::flowdata::FlowPath::parse("request/justification").unwrap();
    assert_eq!(started.flowdata.get(&path), &[Value::text("new job")]);
}

async fn group_commit_shares_commits_and_isolates_refusals(backend: Backend) {
    let mut f = fixture(backend).await;
    f.workflows = f.workflows.clone().with_group_commit();
    let mut created = Vec::new();
    for i in 0..60 {
        created.push(
            f.workflows
                .create(request(FOUR_EYE, "alice", "alice", &format!("Item {i}")))
                .await
                .unwrap(),
        );
    }
    let mut tasks = Vec::new();
    for (i, instance) in created.iter().enumerate() {
        let workflows = f.workflows.clone();
        let id = instance.id.clone();
        let approval = running(instance, "manager_approval");
        // Every tenth decision comes from someone who is not an approver.
        let actor = if i % 10 == 0 { "dave" } else { "bob" };
        tasks.push(tokio::spawn(async move {
            workflows
                .decide(&user(actor), &id, approval, Decision::Approve, None, None)
                .await
        }));
    }
    let mut approved = 0;
    let mut refused = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(instance) => {
                assert_eq!(instance.application_state, Some(ApplicationState::Accepted));
                approved += 1;
            }
            // Outsiders are answered as if the workflow did not exist.
            Err(WorkflowError::WorkflowNotFound) => refused += 1,
            Err(other) => panic!("unexpected: {other:?}"),
        }
    }
    assert_eq!((approved, refused), (54, 6));
    // Each answer came after a durable commit: a fresh read sees every approval.
    assert_eq!(
        count(
            &f.db,
            "SELECT COUNT(*) AS n FROM workflow_instances WHERE application_state = 'ACCEPTED'"
        )
        .await,
        54
    );
    assert_eq!(
        f.workflows.open_item_count(&user("bob")).await.unwrap(),
        6,
        "the refused ones still wait for bob"
    );
    let (commits, commands) = f.workflows.group_commit_stats().unwrap();
    eprintln!("group commit: {commits} commits for {commands} commands");
    assert_eq!(
        commands, 120,
        "60 creations and 60 decisions went through the writer"
    );
    assert!(
        commits < commands,
        "decisions shared commits: {commits} commits for {commands} commands"
    );
}

/// Not a test by itself: the child process of `a_killed_process_leaves_no_half_transition`,
/// which creates and decides workflows as fast as it can until it is killed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "run as a child process by the crash test"]
async fn crash_child_worker() {
    let Ok(url) = std::env::var("ASSENT_CRASH_CHILD_DB") else {
        return;
    };
    let opened = db::connect(&url).await.expect("connect");
    let workflows = Workflows::new(
        opened.connection.clone(),
        Arc::new(assent::server::workflow::SystemClock),
    )
    .with_group_commit();
    let mut round = 0u64;
    loop {
        round += 1;
        let mut tasks = Vec::new();
        for i in 0..8 {
            let workflows = workflows.clone();
            tasks.push(tokio::spawn(async move {
                let instance = workflows
                    .create(request(
                        FOUR_EYE,
                        "alice",
                        "alice",
                        &format!("Crash {}-{round}-{i}", std::process::id()),
                    ))
                    .await?;
                let approval = running(&instance, "manager_approval");
                workflows
                    .decide(
                        &user("bob"),
                        &instance.id,
                        approval,
                        Decision::Approve,
                        None,
                        None,
                    )
                    .await
            }));
        }
        for task in tasks {
            let _ = task.await;
        }
        println!("round {round}");
    }
}

async fn a_killed_process_leaves_no_half_transition(backend: Backend) {
    let f = fixture(backend).await;
    let url = f._database.url.clone();
    for kill_after_ms in [400u64, 900, 1500] {
        let mut child = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "crash_child_worker",
                "--ignored",
                "--nocapture",
                "--test-threads",
                "1",
            ])
            .env("ASSENT_CRASH_CHILD_DB", &url)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("start the child");
        tokio::time::sleep(std::time::Duration::from_millis(kill_after_ms)).await;
        child.kill().expect("SIGKILL"); // no chance to finish or roll back anything
        child.wait().unwrap();
        check_consistency(&f).await;
    }
    let made = count(&f.db, "SELECT COUNT(*) AS n FROM workflow_instances").await;
    assert!(made > 0, "the child made progress before it was killed");
}

/// Every instance's columns, open items and grants agree with its stored state.
async fn check_consistency(f: &Fixture) {
    let backend = f.db.get_database_backend();
    let rows =
        f.db.query_all(Statement::from_string(
            backend,
            "SELECT id, version, state, application_state, data FROM workflow_instances",
        ))
        .await
        .unwrap();
    for row in rows {
        let id: String = row.try_get("", "id").unwrap();
        let version: i64 = row.try_get("", "version").unwrap();
        let state: String = row.try_get("", "state").unwrap();
        let application: Option<String> = row.try_get("", "application_state").unwrap();
        let data: String = row.try_get("", "data").unwrap();
        let instance: Instance = serde_json::from_str(&data).expect("stored state is whole");
        assert_eq!(
            instance.version as i64, version,
            "{id}: version column matches the state"
        );
        assert_eq!(instance.state.as_str(), state, "{id}");
        let expected_items: i64 = instance
            .runs
            .iter()
            .filter(|r| r.state == ActivityState::Running)
            .filter_map(|r| r.approval.as_ref())
            .map(|a| a.undecided().len() as i64)
            .sum();
        let items = count(
            &f.db,
            &format!("SELECT COUNT(*) AS n FROM work_items WHERE instance_id = '{id}'"),
        )
        .await;
        assert_eq!(items, expected_items, "{id}: work items match the state");
        let granted = count(
            &f.db,
            &format!("SELECT COUNT(*) AS n FROM assignments WHERE instance_id = '{id}'"),
        )
        .await;
        let accepted = application.as_deref() == Some("ACCEPTED");
        assert_eq!(
            granted,
            i64::from(accepted),
            "{id}: the grant is there exactly when accepted"
        );
    }
}

async fn registration_is_activated_by_the_mailed_key(backend: Backend) {
    use assent::server::workflow::SubmitRequest;
    let f = fixture(backend).await;
    let backend_kind = f.db.get_database_backend();
    f.db.execute(Statement::from_string(backend_kind,
        "INSERT INTO users (username, display_name, email, title, disabled, created_at) VALUES ('newhire', 'New Hire', 'new.hire@example.com', '', TRUE, '2026-11-23T09:00:00Z')",
    )).await.unwrap();
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
    let stored: String =
        f.db.query_one(Statement::from_string(
            backend_kind,
            format!(
                "SELECT data AS n FROM workflow_instances WHERE id = '{}'",
                instance.id
            ),
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get("", "n")
        .unwrap();
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

/// A minimal SMTP server: accepts mail, refusing the first `refuse_first` senders with a
/// temporary error.
async fn fake_smtp(refuse_first: usize) -> (u16, Arc<Mutex<Vec<String>>>) {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let received = Arc::new(Mutex::new(Vec::new()));
    let refusals = Arc::new(Mutex::new(refuse_first));
    let store = received.clone();
    tokio::spawn(async move {
        loop {
            let Ok((socket, _)) = listener.accept().await else {
                return;
            };
            let store = store.clone();
            let refusals = refusals.clone();
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read).lines();
                write.write_all(b"220 fake ESMTP\r\n").await.unwrap();
                let mut message = String::new();
                let mut in_data = false;
                while let Ok(Some(line)) = lines.next_line().await {
                    if in_data {
                        if line == "." {
                            in_data = false;
                            store.lock().unwrap().push(std::mem::take(&mut message));
                            write.write_all(b"250 queued\r\n").await.unwrap();
                        } else {
                            message.push_str(&line);
                            message.push('\n');
                        }
                        continue;
                    }
                    let verb = line
                        .split_whitespace()
                        .next()
                        .unwrap_or_default()
                        .to_uppercase();
                    let reply: &[u8] = match verb.as_str() {
                        "EHLO" | "HELO" => b"250 fake\r\n",
                        "MAIL" => {
                            let mut left = refusals.lock().unwrap();
                            if *left > 0 {
                                *left -= 1;
                                b"451 try again later\r\n"
                            } else {
                                b"250 OK\r\n"
                            }
                        }
                        "DATA" => {
                            in_data = true;
                            b"354 go ahead\r\n"
                        }
                        "QUIT" => {
                            let _ = write.write_all(b"221 bye\r\n").await;
                            return;
                        }
                        _ => b"250 OK\r\n",
                    };
                    if write.write_all(reply).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    (port, received)
}

async fn mail_goes_out_through_smtp_and_is_retried(backend: Backend) {
    use assent::server::workflow::jobs::NoIntegrations;
    use assent::server::workflow::mail::SmtpMailer;
    let f = fixture(backend).await;
    let (port, received) = fake_smtp(1).await;
    let mailer = SmtpMailer::new(
        &format!("smtp://127.0.0.1:{port}"),
        "Assent <assent@example.com>",
        f.db.clone(),
        "https://assent.example",
    )
    .unwrap();
    let workflows = f
        .workflows
        .clone()
        .with_integrations(Arc::new(mailer), Arc::new(NoIntegrations));
    workflows
        .create(request(FOUR_EYE, "alice", "alice", "Finance Analyst"))
        .await
        .unwrap();
    workflows.run_due_jobs("test", 10).await.unwrap();
    assert!(
        received.lock().unwrap().is_empty(),
        "the server refused the first attempt"
    );
    assert_eq!(
        count(&f.db, "SELECT COUNT(*) AS n FROM jobs WHERE kind = 'effect' AND done_at IS NULL AND last_error LIKE '%451%'").await,
        1,
        "the failure is recorded for a retry"
    );
    f.clock.advance(chrono::Duration::seconds(5));
    workflows.run_due_jobs("test", 10).await.unwrap();
    let mails = received.lock().unwrap().clone();
    assert_eq!(mails.len(), 1, "delivered on the retry");
    assert!(mails[0].contains("To: bob@example.com"), "{}", mails[0]);
    assert!(
        mails[0].contains("https://assent.example/worklist"),
        "{}",
        mails[0]
    );
}

async fn a_request_naming_no_definition_gets_the_best_fitting_one(backend: Backend) {
    use assent_engine::definition::RequestFacts;
    let f = fixture(backend).await;
    let facts = |resource: &[(&str, &str)]| RequestFacts {
        operation: Some("assign".into()),
        subject_type: Some("user".into()),
        resource_type: Some("resource".into()),
        resource: resource
            .iter()
            .map(|(k, v)| (k.to_string(), vec![v.to_string()]))
            .collect(),
        ..RequestFacts::default()
    };
    assert_eq!(
        f.workflows
            .choose_definition(&facts(&[
                ("kind", "resource"),
                ("category", "Infrastructure")
            ]))
            .await
            .unwrap(),
        "My-Company/Approval/Parallel-Quorum"
    );
    assert_eq!(
        f.workflows
            .choose_definition(&facts(&[("kind", "resource"), ("category", "Sales")]))
            .await
            .unwrap(),
        "My-Company/Approval/Manager-Then-Owner"
    );
    let mut unknown = facts(&[]);
    unknown.resource_type = Some("printer".into());
    assert!(matches!(
        f.workflows.choose_definition(&unknown).await,
        Err(WorkflowError::NoApplicableDefinition)
    ));
}

async fn mailed_links_decide_once_after_confirmation(backend: Backend) {
    use assent::server::workflow::links::LinkError;
    let f = fixture(backend).await;
    let instance = f
        .workflows
        .create(request(FOUR_EYE, "alice", "alice", "Finance Analyst"))
        .await
        .unwrap();
    f.workflows.run_due_jobs("test", 10).await.unwrap();
    let (to, approve, reject) = f.mailer.links.lock().unwrap()[0].clone();
    assert_eq!(to, "bob");
    assert_ne!(approve, reject);
    // Looking at a link changes nothing.
    let link = f.workflows.decision_link(&approve).await.unwrap();
    assert_eq!(
        (link.username.as_str(), link.verdict.as_str()),
        ("bob", "approve")
    );
    assert_eq!(f.workflows.open_item_count(&user("bob")).await.unwrap(), 1);
    assert!(matches!(
        f.workflows.decision_link("made-up-token").await,
        Err(LinkError::Unknown)
    ));
    let (_, decided) = f.workflows.decide_by_link(&approve, None).await.unwrap();
    assert_eq!(
        decided.application_state,
        Some(assent_engine::ApplicationState::Accepted)
    );
    assert_eq!(decided.id, instance.id);
    assert!(matches!(
        f.workflows.decide_by_link(&approve, None).await,
        Err(LinkError::Used)
    ));
    // The other link of the pair finds the item decided, and is spent by trying.
    assert!(matches!(
        f.workflows.decide_by_link(&reject, Some("no".into())).await,
        Err(LinkError::Workflow(_))
    ));
    // Links expire.
    let second = f
        .workflows
        .create(request(FOUR_EYE, "frank", "frank", "Finance Analyst"))
        .await
        .unwrap();
    f.workflows.run_due_jobs("test", 10).await.unwrap();
    let (_, approve, _) = f.mailer.links.lock().unwrap().last().unwrap().clone();
    f.clock.advance(chrono::Duration::days(8));
    assert!(matches!(
        f.workflows.decide_by_link(&approve, None).await,
        Err(LinkError::Expired)
    ));
    assert_eq!(
        f.workflows
            .instance(&second.id)
            .await
            .unwrap()
            .application_state,
        None
    );
}

/// `starters` is checked where every creation passes (portal, cart, API, demo, jobs):
/// the workflow layer's create.
async fn only_the_definitions_starters_may_start_it(backend: Backend) {
    let f = fixture(backend).await;
    let source = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("definitions/4-eye-approval.toml"),
    )
    .unwrap();
    let for_the_team = source
        .replace(
            r#"path = "My-Company/Approval/4-Eye-Approval""#,
            "path = \"Test/Team-Only\"\nstarters = [\"group:security-team\", \"manager\"]",
        )
        .replace(r#"name = "4-Eye-Approval""#, r#"name = "Team-Only""#);
    f.workflows
        .deploy("team-only.toml", &for_the_team, Some("admin"))
        .await
        .unwrap();
    let refused = f
        .workflows
        .create(request(
            "Test/Team-Only",
            "alice",
            "alice",
            "Finance Analyst",
        ))
        .await;
    assert!(
        matches!(refused, Err(WorkflowError::Forbidden)),
        "alice is in no such group: {refused:?}"
    );
    // A member of the group, for herself; a manager, for his report.
    f.workflows
        .create(request(
            "Test/Team-Only",
            "trent",
            "trent",
            "Finance Analyst",
        ))
        .await
        .expect("trent is in the security team");
    f.workflows
        .create(request("Test/Team-Only", "bob", "alice", "Finance Analyst"))
        .await
        .expect("bob is alice's manager");
    // Administrators are not starters of this one.
    let by_admin = f
        .workflows
        .create(request(
            "Test/Team-Only",
            "admin",
            "alice",
            "Finance Analyst",
        ))
        .await;
    assert!(
        matches!(by_admin, Err(WorkflowError::Forbidden)),
        "{by_admin:?}"
    );
    // The default (self, manager, admin) still lets a requester ask for herself, but
    // not for someone else who does not report to her.
    f.workflows
        .create(request(FOUR_EYE, "alice", "alice", "Finance Analyst"))
        .await
        .expect("for herself");
    let for_carol = f
        .workflows
        .create(request(FOUR_EYE, "alice", "carol", "Finance Analyst"))
        .await;
    assert!(
        matches!(for_carol, Err(WorkflowError::Forbidden)),
        "{for_carol:?}"
    );
    // Any subject but a user is refused, whoever asks.
    let mut group_subject = request(FOUR_EYE, "admin", "alice", "Finance Analyst");
    group_subject.subject.as_mut().unwrap().object_type = "group".into();
    assert!(matches!(
        f.workflows.create(group_subject).await,
        Err(WorkflowError::Invalid(_))
    ));
    assert_eq!(
        count(&f.db, "SELECT COUNT(*) AS n FROM workflow_instances i JOIN workflow_definitions d ON d.id = i.definition_id WHERE d.path = 'Test/Team-Only'").await,
        2
    );
}
