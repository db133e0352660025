//! Work items learn whether they are a personal item, an unclaimed pool item or one the
//! user claimed (the worklist filters on it), and get an index for the default order.
//! Delegations get an index for "my delegations".

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(WorkItems::Table)
                    .add_column(
                        ColumnDef::new(WorkItems::Status)
                            .string_len(16)
                            .not_null()
                            .default("personal"),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_work_items_username_due")
                    .table(WorkItems::Table)
                    .col(WorkItems::Username)
                    .col(WorkItems::DueAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_delegations_username")
                    .table(Delegations::Table)
                    .col(Delegations::Username)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_delegations_username")
                    .table(Delegations::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("idx_work_items_username_due")
                    .table(WorkItems::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(WorkItems::Table)
                    .drop_column(WorkItems::Status)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum WorkItems {
    Table,
    Username,
    DueAt,
    Status,
}

#[derive(DeriveIden)]
enum Delegations {
    Table,
    Username,
}
