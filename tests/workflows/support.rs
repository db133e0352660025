//! What every test of the workflow service starts from: a migrated database with the
//! demo company and the shipped definitions, a clock the test moves, and a mailer that
//! records what it was asked to send.

use crate::common::{Backend, TestDatabase};
use assent::server::workflow::jobs::{Integrations, MailRequest, Mailer, RestCall};
use assent::server::workflow::{CreateRequest, Decision, ManualClock, WorkflowError, Workflows};
use assent::server::{db, demo};
use assent_engine::flowdata::Value;
use assent_engine::runtime::model::{Instance, Order, OrderType};
use assent_engine::{ActivityState, UserName};
use chrono::TimeZone;
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement, TryGetable};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

pub const FOUR_EYE: &str = "My-Company/Approval/4-Eye-Approval";

#[derive(Default)]
pub struct RecordingMailer {
    /// (recipients, template) of each mail.
    pub sent: Mutex<Vec<(Vec<String>, String)>>,
    /// The activation keys mailed.
    pub keys: Mutex<Vec<String>>,
    /// (recipient, approve token, reject token) of each approval notification.
    pub links: Mutex<Vec<(String, String, String)>>,
    /// Every mail but approval requests fails (as a refusing SMTP server would).
    pub fail: bool,
}

#[async_trait::async_trait]
impl Mailer for RecordingMailer {
    async fn send(&self, mail: MailRequest<'_>) -> Result<(), String> {
        let MailRequest {
            to,
            template,
            details,
            ..
        } = mail;
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
    async fn call_rest(&self, _: RestCall<'_>) -> Result<BTreeMap<String, Vec<Value>>, String> {
        Err("none".into())
    }
}

pub struct Fixture {
    pub database: TestDatabase,
    pub workflows: Workflows,
    pub clock: Arc<ManualClock>,
    pub mailer: Arc<RecordingMailer>,
    pub db: DatabaseConnection,
}

impl Fixture {
    /// `initiator` asks for the Finance Analyst role for `subject` through the 4-eye
    /// approval; the workflow started.
    pub async fn four_eye(&self, initiator: &str, subject: &str) -> Instance {
        self.workflows
            .create(request(FOUR_EYE, initiator, subject, "Finance Analyst"))
            .await
            .unwrap()
    }

    /// Runs one statement on the database.
    pub async fn execute(&self, sql: impl Into<String>) {
        self.db
            .execute(Statement::from_string(self.db.get_database_backend(), sql))
            .await
            .unwrap();
    }
}

pub async fn fixture(backend: Backend) -> Fixture {
    fixture_with(backend, RecordingMailer::default()).await
}

pub async fn fixture_with(backend: Backend, mailer: RecordingMailer) -> Fixture {
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
        database,
        workflows,
        clock,
        mailer,
        db: opened.connection,
    }
}

/// The shipped 4-eye approval's definition, as TOML.
pub fn four_eye_source() -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("definitions/4-eye-approval.toml"),
    )
    .unwrap()
}

pub fn user(name: &str) -> UserName {
    UserName::parse(name).unwrap()
}

/// `initiator` asks for the role `item` for `subject` through the definition at `path`.
pub fn request(path: &str, initiator: &str, subject: &str, item: &str) -> CreateRequest {
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

/// The run of `activity` that is running in `instance`.
pub fn running(instance: &Instance, activity: &str) -> u32 {
    instance
        .runs
        .iter()
        .rev()
        .find(|r| r.activity.0 == activity && r.state == ActivityState::Running)
        .unwrap_or_else(|| panic!("{activity} not running"))
        .seq
}

/// `who` approves the run `run` of the workflow `id`, expecting its `version` if given.
pub async fn approve(
    workflows: &Workflows,
    who: &str,
    id: &str,
    run: u32,
    version: Option<u64>,
) -> Result<Instance, WorkflowError> {
    workflows
        .decide(&user(who), id, run, Decision::Approve, None, version)
        .await
}

/// The column `n` of the row `sql` selects.
pub async fn column_n<T: TryGetable>(db: &impl ConnectionTrait, sql: &str) -> T {
    let row = db
        .query_one(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("no row for {sql}"));
    row.try_get("", "n").unwrap()
}

/// The count `sql` selects as `n`.
pub async fn count(db: &impl ConnectionTrait, sql: &str) -> i64 {
    column_n(db, sql).await
}
