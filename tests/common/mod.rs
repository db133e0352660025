//! A fresh database per test: an SQLite temp file, or a new PostgreSQL database (dropped
//! afterwards) when `ASSENT_TEST_PG_URL` is set.

#![allow(dead_code)]

#[derive(Debug, Clone, Copy)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub struct TestDatabase {
    pub url: String,
    _sqlite_dir: Option<tempfile::TempDir>,
    postgres_cleanup: Option<(String, String)>,
}

/// The PostgreSQL server for tests, or `None` (with a note in the output) when unset.
/// Under CI a missing variable is an error: no storage test may be skipped there.
pub fn postgres_url() -> Option<String> {
    match std::env::var("ASSENT_TEST_PG_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!("CI=true but ASSENT_TEST_PG_URL is not set: PostgreSQL tests may not be skipped in CI");
            }
            eprintln!("SKIPPED: PostgreSQL test (set ASSENT_TEST_PG_URL=postgres://postgres@127.0.0.1:5432/test to run it)");
            None
        }
    }
}

impl TestDatabase {
    /// `None` when the backend is PostgreSQL and no test server is configured.
    pub async fn create(backend: Backend) -> Option<TestDatabase> {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite://{}/assent.db?mode=rwc", dir.path().display());
                Some(TestDatabase {
                    url,
                    _sqlite_dir: Some(dir),
                    postgres_cleanup: None,
                })
            }
            Backend::Postgres => {
                let admin_url = postgres_url()?;
                let name = format!("assent_test_{}", uuid::Uuid::new_v4().simple());
                let admin = sea_orm::sqlx::PgPool::connect(&admin_url)
                    .await
                    .expect("connect to ASSENT_TEST_PG_URL");
                sea_orm::sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&admin)
                    .await
                    .expect("create test database");
                admin.close().await;
                Some(TestDatabase {
                    url: replace_database(&admin_url, &name),
                    _sqlite_dir: None,
                    postgres_cleanup: Some((admin_url, name)),
                })
            }
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Some((admin_url, name)) = self.postgres_cleanup.take() {
            // Drop runs outside async code: a short-lived runtime on its own thread.
            let _ = std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                runtime.block_on(async {
                    if let Ok(admin) = sea_orm::sqlx::PgPool::connect(&admin_url).await {
                        let _ = sea_orm::sqlx::query(&format!(
                            "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                        ))
                        .execute(&admin)
                        .await;
                    }
                });
            })
            .join();
        }
    }
}

pub fn replace_database(url: &str, database: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, format!("?{query}")),
        None => (url, String::new()),
    };
    let prefix_end = base
        .rfind('/')
        .filter(|&i| i > "postgres://".len())
        .unwrap_or(base.len());
    format!("{}/{}{}", &base[..prefix_end], database, query)
}

/// Generates one test per backend from an `async fn(Backend)`.
#[macro_export]
macro_rules! on_both_databases {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(super::common::Backend::Sqlite).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if super::common::postgres_url().is_none() { return; }
                    super::$name(super::common::Backend::Postgres).await;
                }
            )*
        }
    };
}
