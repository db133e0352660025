//! Every step of a workflow as it was: the instance saved after the step, with who moved it
//! and why, so that administrators can replay a workflow one step at a time. Written in the
//! step's own transaction; workflows saved before this table start their history at their
//! next step.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Steps::Table)
                    .col(
                        ColumnDef::new(Steps::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(Steps::WorkflowId).string_len(64).not_null())
                    .col(ColumnDef::new(Steps::Version).big_integer().not_null())
                    .col(
                        ColumnDef::new(Steps::OccurredAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(ColumnDef::new(Steps::Actor).string_len(64).null())
                    .col(ColumnDef::new(Steps::Action).string_len(64).not_null())
                    .col(ColumnDef::new(Steps::Detail).text().not_null())
                    // The instance after the step, as the engine serialises it.
                    .col(ColumnDef::new(Steps::Data).text().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_workflow_steps_workflow")
                    .table(Steps::Table)
                    .col(Steps::WorkflowId)
                    .col(Steps::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Steps::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Steps {
    #[sea_orm(iden = "workflow_steps")]
    Table,
    Id,
    WorkflowId,
    Version,
    OccurredAt,
    Actor,
    Action,
    Detail,
    Data,
}
