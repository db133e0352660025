//! An idempotency key binds the request it first came with: the digest of that request is
//! stored beside the key, so the same key with a different request is refused instead of
//! silently answering the first workflow. Keys expire (the server's idempotency window),
//! so `created_at` gets an index for the purge.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Rows written before this migration have no digest: they match any request
        // until they expire.
        manager
            .alter_table(
                Table::alter()
                    .table(ApiRequests::Table)
                    .add_column(
                        ColumnDef::new(ApiRequests::RequestHash)
                            .string_len(64)
                            .null(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_api_requests_created_at")
                    .table(ApiRequests::Table)
                    .col(ApiRequests::CreatedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_api_requests_created_at")
                    .table(ApiRequests::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(ApiRequests::Table)
                    .drop_column(ApiRequests::RequestHash)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum ApiRequests {
    Table,
    RequestHash,
    CreatedAt,
}
