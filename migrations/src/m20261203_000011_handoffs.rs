//! Hand-offs to external workflow engines: one row per `external` activity run, written in
//! the transaction that suspends the activity; it holds the outside run's reference, the
//! digest of the callback's secret and what came back.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Handoffs::Table)
                    .col(
                        ColumnDef::new(Handoffs::Id)
                            .string_len(32)
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(Handoffs::InstanceId)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(ColumnDef::new(Handoffs::RunSeq).integer().not_null())
                    .col(ColumnDef::new(Handoffs::Engine).string_len(64).not_null())
                    .col(ColumnDef::new(Handoffs::Start).string_len(256).not_null())
                    // starting, waiting, completed, failed or closed (the workflow moved on).
                    .col(ColumnDef::new(Handoffs::State).string_len(12).not_null())
                    .col(ColumnDef::new(Handoffs::ExternalRef).string_len(128).null())
                    .col(
                        ColumnDef::new(Handoffs::SecretHash)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(moment(Handoffs::Deadline).null())
                    .col(moment(Handoffs::CreatedAt).not_null())
                    .col(moment(Handoffs::StartedAt).null())
                    .col(moment(Handoffs::LastCheckedAt).null())
                    .col(moment(Handoffs::FinishedAt).null())
                    // How it ended: by callback or by reconciliation.
                    .col(ColumnDef::new(Handoffs::FinishedBy).string_len(16).null())
                    .col(ColumnDef::new(Handoffs::Result).text().null())
                    .col(ColumnDef::new(Handoffs::Error).text().null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_handoffs_run")
                    .table(Handoffs::Table)
                    .col(Handoffs::InstanceId)
                    .col(Handoffs::RunSeq)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_handoffs_state")
                    .table(Handoffs::Table)
                    .col(Handoffs::State)
                    .col(Handoffs::Engine)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Handoffs::Table).to_owned())
            .await
    }
}

fn moment(column: impl IntoIden) -> ColumnDef {
    ColumnDef::new(column).timestamp_with_time_zone().to_owned()
}

#[derive(DeriveIden)]
enum Handoffs {
    Table,
    Id,
    InstanceId,
    RunSeq,
    Engine,
    Start,
    State,
    ExternalRef,
    SecretHash,
    Deadline,
    CreatedAt,
    StartedAt,
    LastCheckedAt,
    FinishedAt,
    FinishedBy,
    Result,
    Error,
}
