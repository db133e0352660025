//! What every server bench starts from: a migrated database (an SQLite file in a
//! temporary folder, or `ASSENT_BENCH_PG_URL`) with the demo company and the shipped
//! definitions deployed.

use assent::server::db::{self, Database};
use assent::server::demo;
use assent::server::workflow::{SystemClock, Workflows};
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
