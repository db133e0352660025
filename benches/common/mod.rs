//! What every server bench starts from: a migrated database (an SQLite file in a
//! temporary folder, or `ASSENT_BENCH_PG_URL`) with the demo company and the shipped
//! definitions deployed.

// Only the benches of the administrators' screens generate a large history.
#[allow(dead_code)]
pub mod generate;

use assent::server::db::{self, Database};
use assent::server::demo;
use assent::server::workflow::{CreateRequest, SystemClock, Workflows};
use assent_engine::flowdata::Value;
use assent_engine::runtime::model::{Order, OrderType};
use assent_engine::UserName;
use std::sync::Arc;

pub struct BenchDatabase {
    /// Kept so the SQLite file lives as long as the bench.
    _folder: tempfile::TempDir,
    pub url: String,
    /// Not every bench reads the database directly.
    #[allow(dead_code)]
    pub database: Database,
    pub workflows: Workflows,
}

pub async fn bench_database() -> BenchDatabase {
    let folder = tempfile::tempdir().unwrap();
    let url = std::env::var("ASSENT_BENCH_PG_URL")
        .unwrap_or_else(|_| format!("sqlite://{}/bench.db?mode=rwc", folder.path().display()));
    let database = db::connect(&url).await.unwrap();
    db::migrate(&database).await.unwrap();
    demo::load_if_empty(&database.connection, "bench")
        .await
        .unwrap();
    let workflows = Workflows::new(database.connection.clone(), Arc::new(SystemClock));
    workflows
        .deploy_folder(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("definitions")
                .as_path(),
        )
        .await
        .unwrap();
    BenchDatabase {
        _folder: folder,
        url,
        database,
        workflows,
    }
}

/// `requester` asks for the role `role` for themselves through the 4-eye approval (which
/// their manager decides), with `justification` on the form if given.
#[allow(dead_code)] // The dashboard bench writes its history in bulk instead.
pub fn four_eye_request(
    requester: &str,
    role: String,
    justification: Option<String>,
) -> CreateRequest {
    let order = |object_type: &str, id: String| Order {
        order_type: OrderType::AddOrder,
        target_id: id,
        object_type: object_type.into(),
        attributes: Default::default(),
    };
    CreateRequest {
        definition_path: "My-Company/Approval/4-Eye-Approval".into(),
        initiator: UserName::parse(requester).unwrap(),
        subject: Some(order("user", requester.into())),
        resources: vec![order("role", role)],
        form: justification
            .map(|text| ("justification".to_owned(), vec![Value::text(text)]))
            .into_iter()
            .collect(),
        context: Default::default(),
        correlation_id: None,
    }
}

/// The broker of the benches that need RabbitMQ: `ASSENT_BENCH_AMQP_URL`, else the one on
/// this machine.
#[allow(dead_code)] // The benches without a broker include this module too.
pub fn amqp_url() -> String {
    std::env::var("ASSENT_BENCH_AMQP_URL")
        .unwrap_or_else(|_| "amqp://guest:guest@127.0.0.1:5672/%2f".to_owned())
}
