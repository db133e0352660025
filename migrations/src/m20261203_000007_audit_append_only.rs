//! The audit trail is append-only: the database itself refuses to change or remove an
//! entry (UPDATE, DELETE, and on PostgreSQL TRUNCATE), whoever asks, so a bug or a
//! compromised code path cannot rewrite history. Only `down` (dropping the triggers) or
//! dropping the table, which needs the schema owner, gets past it.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

const MESSAGE: &str = "audit_events is append-only";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        match manager.get_database_backend() {
            DbBackend::Sqlite => {
                for operation in ["UPDATE", "DELETE"] {
                    db.execute_unprepared(&format!(
                        "CREATE TRIGGER audit_events_no_{lower} BEFORE {operation} ON audit_events \
                         BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
                        lower = operation.to_lowercase(),
                    ))
                    .await?;
                }
            }
            DbBackend::Postgres => {
                db.execute_unprepared(&format!(
                    "CREATE FUNCTION audit_events_refuse_change() RETURNS trigger \
                     LANGUAGE plpgsql AS $$ BEGIN \
                     RAISE EXCEPTION '{MESSAGE}: % refused', TG_OP USING ERRCODE = 'insufficient_privilege'; \
                     END $$",
                ))
                .await?;
                db.execute_unprepared(
                    "CREATE TRIGGER audit_events_no_change BEFORE UPDATE OR DELETE ON audit_events \
                     FOR EACH ROW EXECUTE FUNCTION audit_events_refuse_change()",
                )
                .await?;
                db.execute_unprepared(
                    "CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events \
                     FOR EACH STATEMENT EXECUTE FUNCTION audit_events_refuse_change()",
                )
                .await?;
            }
            DbBackend::MySql => {
                return Err(DbErr::Migration(
                    "Assent supports SQLite and PostgreSQL only".into(),
                ))
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        match manager.get_database_backend() {
            DbBackend::Sqlite => {
                db.execute_unprepared("DROP TRIGGER IF EXISTS audit_events_no_update")
                    .await?;
                db.execute_unprepared("DROP TRIGGER IF EXISTS audit_events_no_delete")
                    .await?;
            }
            DbBackend::Postgres => {
                db.execute_unprepared(
                    "DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events",
                )
                .await?;
                db.execute_unprepared(
                    "DROP TRIGGER IF EXISTS audit_events_no_change ON audit_events",
                )
                .await?;
                db.execute_unprepared("DROP FUNCTION IF EXISTS audit_events_refuse_change()")
                    .await?;
            }
            DbBackend::MySql => {}
        }
        Ok(())
    }
}
