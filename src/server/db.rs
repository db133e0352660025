//! Opening the database: an SQLite file by default, PostgreSQL by URL.

use assent_migrations::{Migrator, MigratorTrait};
use sea_orm::sqlx::postgres::{PgPool, PgPoolOptions};
use sea_orm::sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sea_orm::{DatabaseConnection, DbErr, SqlxPostgresConnector, SqlxSqliteConnector};
use std::str::FromStr;
use std::time::Duration;

/// The open database, with the raw pool kept for the session store that shares it.
#[derive(Clone)]
pub struct Database {
    pub connection: DatabaseConnection,
    pub pool: Pool,
}

#[derive(Clone)]
pub enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

#[derive(Debug, thiserror::Error)]
pub enum DatabaseError {
    #[error("DATABASE_URL must start with sqlite: or postgres://")]
    UnsupportedScheme,
    #[error("cannot create the folder for the SQLite file {path}: {source}")]
    CreateFolder {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot open the database: {0}")]
    Open(#[from] sea_orm::sqlx::Error),
    #[error("cannot migrate the database: {0}")]
    Migrate(#[from] DbErr),
}

/// SQLite's primary result code for a writer turned away (`SQLITE_BUSY`); its extended
/// codes (517, `SQLITE_BUSY_SNAPSHOT`, when the snapshot went stale) share the low byte.
const SQLITE_BUSY: i64 = 5;

/// Whether the database refused the statement only because another writer held it: the
/// transaction was refused whole, so running it again from the start may succeed.
/// Decided by the driver's error code, never by its message text.
pub fn is_busy(error: &DbErr) -> bool {
    use sea_orm::RuntimeErr;
    let driver_error = match error {
        DbErr::Exec(RuntimeErr::SqlxError(error))
        | DbErr::Query(RuntimeErr::SqlxError(error))
        | DbErr::Conn(RuntimeErr::SqlxError(error)) => error,
        _ => return false,
    };
    let sea_orm::sqlx::Error::Database(database_error) = driver_error else {
        return false;
    };
    if database_error
        .try_downcast_ref::<sea_orm::sqlx::sqlite::SqliteError>()
        .is_none()
    {
        return false;
    }
    database_error
        .code()
        .and_then(|code| code.parse::<i64>().ok())
        .is_some_and(|code| code & 0xff == SQLITE_BUSY)
}

pub async fn connect(url: &str) -> Result<Database, DatabaseError> {
    if url.starts_with("sqlite:") {
        connect_sqlite(url).await
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect(url)
            .await?;
        Ok(Database {
            connection: SqlxPostgresConnector::from_sqlx_postgres_pool(pool.clone()),
            pool: Pool::Postgres(pool),
        })
    } else {
        Err(DatabaseError::UnsupportedScheme)
    }
}

async fn connect_sqlite(url: &str) -> Result<Database, DatabaseError> {
    if let Some(folder) = sqlite_file_folder(url) {
        std::fs::create_dir_all(&folder).map_err(|source| DatabaseError::CreateFolder {
            path: folder.clone(),
            source,
        })?;
    }
    // WAL lets readers run beside the single writer; the busy timeout makes a second writer
    // wait instead of failing; FULL sync because an approval, once answered, must survive.
    let options = SqliteConnectOptions::from_str(url)?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(10));
    let pool = SqlitePoolOptions::new()
        .max_connections(8)
        .connect_with(options)
        .await?;
    Ok(Database {
        connection: SqlxSqliteConnector::from_sqlx_sqlite_pool(pool.clone()),
        pool: Pool::Sqlite(pool),
    })
}

/// The folder part of `sqlite://some/dir/file.db?mode=rwc`, if there is one to create.
fn sqlite_file_folder(url: &str) -> Option<String> {
    let path = url
        .trim_start_matches("sqlite:")
        .trim_start_matches("//")
        .split('?')
        .next()
        .unwrap_or_default();
    if path.is_empty() || path == ":memory:" {
        return None;
    }
    let folder = std::path::Path::new(path).parent()?;
    let folder = folder.to_str()?;
    (!folder.is_empty()).then(|| folder.to_owned())
}

pub async fn migrate(db: &Database) -> Result<(), DatabaseError> {
    Migrator::up(&db.connection, None).await?;
    Ok(())
}

/// True when the database answers and no migration is pending.
pub async fn is_ready(db: &Database) -> bool {
    if db.connection.ping().await.is_err() {
        return false;
    }
    matches!(Migrator::get_pending_migrations(&db.connection).await, Ok(pending) if pending.is_empty())
}

#[cfg(test)]
mod tests {
    use super::sqlite_file_folder;

    #[test]
    fn finds_the_folder_to_create_for_an_sqlite_file() {
        let cases = [
            ("sqlite://data/assent.db?mode=rwc", Some("data")),
            ("sqlite:data/x/assent.db", Some("data/x")),
            ("sqlite:///tmp/abc/assent.db?mode=rwc", Some("/tmp/abc")),
            ("sqlite://assent.db", None),
            ("sqlite::memory:", None),
        ];
        for (url, expected) in cases {
            assert_eq!(sqlite_file_folder(url).as_deref(), expected, "{url}");
        }
    }
}
