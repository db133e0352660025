//! Links in notification mails that approve or reject one item: each token is stored
//! only as its SHA-256, bound to one item, one approver and one verdict, expires, and
//! works once.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(DecisionLinks::Table)
                    .col(
                        ColumnDef::new(DecisionLinks::TokenHash)
                            .string_len(64)
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(DecisionLinks::InstanceId)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(ColumnDef::new(DecisionLinks::RunSeq).integer().not_null())
                    .col(
                        ColumnDef::new(DecisionLinks::Username)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(DecisionLinks::Verdict)
                            .string_len(8)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(DecisionLinks::ExpiresAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(DecisionLinks::UsedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(DecisionLinks::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum DecisionLinks {
    Table,
    TokenHash,
    InstanceId,
    RunSeq,
    Username,
    Verdict,
    ExpiresAt,
    UsedAt,
}
