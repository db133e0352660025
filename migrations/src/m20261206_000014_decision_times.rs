//! How long people took to decide, kept as counts per day, definition version, step and
//! time bucket (a quarter of a doubling wide), so that the dashboard's percentiles over
//! the last weeks read a few hundred rows however many decisions there were. Each
//! decision adds one to its bucket in the decision's own transaction.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(DecisionTimes::Table)
                    .col(ColumnDef::new(DecisionTimes::Day).date().not_null())
                    .col(
                        ColumnDef::new(DecisionTimes::DefinitionId)
                            .integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(DecisionTimes::Activity)
                            .string_len(128)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(DecisionTimes::Bucket)
                            .small_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(DecisionTimes::Decisions)
                            .big_integer()
                            .not_null(),
                    )
                    .primary_key(
                        Index::create()
                            .col(DecisionTimes::Day)
                            .col(DecisionTimes::DefinitionId)
                            .col(DecisionTimes::Activity)
                            .col(DecisionTimes::Bucket),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(DecisionTimes::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum DecisionTimes {
    Table,
    Day,
    DefinitionId,
    Activity,
    Bucket,
    Decisions,
}
