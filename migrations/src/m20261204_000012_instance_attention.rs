//! What the administrators' dashboard asks of workflows, answered from indexes: whether a
//! running workflow has an activity waiting in error (kept beside its data on every save),
//! and the orders its lists use (by definition, newest first); overdue work items, a
//! workflow's jobs and the decisions per day; a workflow's audit entries found by its id.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Instances::Table)
                    .add_column(
                        ColumnDef::new(Instances::WaitsInError)
                            .boolean()
                            .not_null()
                            .default(false),
                    )
                    .to_owned(),
            )
            .await?;
        // Workflows saved before this column: their runs are in the JSON data, written
        // compactly by serde, so the run state appears exactly like this.
        manager
            .get_connection()
            .execute_unprepared(
                r#"UPDATE workflow_instances SET waits_in_error = TRUE
                   WHERE state = 'RUNNING' AND data LIKE '%"state":"WAIT_IN_ERROR"%'"#,
            )
            .await?;
        for (name, columns) in [
            (
                "idx_instances_attention",
                vec![Instances::WaitsInError, Instances::State],
            ),
            (
                "idx_instances_state_definition",
                vec![Instances::State, Instances::DefinitionId],
            ),
            (
                "idx_instances_state_ended",
                vec![Instances::State, Instances::EndedAt],
            ),
            (
                "idx_instances_initiator_created",
                vec![Instances::Initiator, Instances::CreatedAt],
            ),
            ("idx_instances_created", vec![Instances::CreatedAt]),
        ] {
            let mut index = Index::create();
            index.name(name).table(Instances::Table);
            for column in columns {
                index.col(column);
            }
            manager.create_index(index.to_owned()).await?;
        }
        // The dashboard's overdue work items (of anyone), a workflow's jobs, and the
        // decisions per day.
        for (name, table, columns) in [
            // Covering: the overdue count and the late work by approver never visit rows.
            (
                "idx_work_items_due",
                "work_items",
                vec!["due_at", "instance_id", "username"],
            ),
            ("idx_jobs_instance", "jobs", vec!["instance_id"]),
            (
                "idx_audit_events_action_time",
                "audit_events",
                vec!["action", "occurred_at"],
            ),
        ] {
            let mut index = Index::create();
            index.name(name).table(Alias::new(table));
            for column in columns {
                index.col(Alias::new(column));
            }
            manager.create_index(index.to_owned()).await?;
        }
        // A workflow's own audit entries, for its page (from now on: the trail is
        // append-only, so earlier entries stay without it).
        manager
            .alter_table(
                Table::alter()
                    .table(AuditEvents::Table)
                    .add_column(
                        ColumnDef::new(AuditEvents::WorkflowId)
                            .string_len(64)
                            .null(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_audit_events_workflow")
                    .table(AuditEvents::Table)
                    .col(AuditEvents::WorkflowId)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_audit_events_workflow")
                    .table(AuditEvents::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(AuditEvents::Table)
                    .drop_column(AuditEvents::WorkflowId)
                    .to_owned(),
            )
            .await?;
        for (name, table) in [
            ("idx_work_items_due", "work_items"),
            ("idx_jobs_instance", "jobs"),
            ("idx_audit_events_action_time", "audit_events"),
        ] {
            manager
                .drop_index(Index::drop().name(name).table(Alias::new(table)).to_owned())
                .await?;
        }
        for name in [
            "idx_instances_attention",
            "idx_instances_state_definition",
            "idx_instances_state_ended",
            "idx_instances_initiator_created",
            "idx_instances_created",
        ] {
            manager
                .drop_index(Index::drop().name(name).table(Instances::Table).to_owned())
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Instances::Table)
                    .drop_column(Instances::WaitsInError)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Instances {
    #[sea_orm(iden = "workflow_instances")]
    Table,
    WaitsInError,
    State,
    DefinitionId,
    CreatedAt,
    EndedAt,
    Initiator,
}

#[derive(DeriveIden)]
enum AuditEvents {
    Table,
    WorkflowId,
}
