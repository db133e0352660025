//! Creations asked through the Workflow Management Service with an idempotency key
//! (`correlationID` or the `Idempotency-Key` header): a repeat by the same caller finds
//! the workflow the first request created instead of creating another. The row is
//! written in the creation's own transaction, so there is never a key without its
//! workflow or a second workflow for one key.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ApiRequests::Table)
                    .col(
                        ColumnDef::new(ApiRequests::KeyHash)
                            .string_len(64)
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(ApiRequests::Caller)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(ApiRequests::WorkflowId)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(ApiRequests::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ApiRequests::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum ApiRequests {
    Table,
    KeyHash,
    Caller,
    WorkflowId,
    CreatedAt,
}
