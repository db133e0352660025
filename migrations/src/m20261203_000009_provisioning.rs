//! Asynchronous provisioning: the resource declarations (versioned like definitions), the
//! attribute cache (what Assent last asked each account to hold) and the operations,
//! which are also the outbox the relay publishes from.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Resources::Table)
                    .col(pk(Resources::Id))
                    .col(ColumnDef::new(Resources::Key).string_len(64).not_null())
                    .col(ColumnDef::new(Resources::Version).integer().not_null())
                    .col(
                        ColumnDef::new(Resources::FileName)
                            .string_len(255)
                            .not_null(),
                    )
                    .col(ColumnDef::new(Resources::Source).text().not_null())
                    .col(moment(Resources::DeployedAt).not_null())
                    .col(ColumnDef::new(Resources::DeployedBy).string_len(64).null())
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_resources_key_version",
            Resources::Table,
            &[Resources::Key, Resources::Version],
            true,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(Accounts::Table)
                    .col(pk(Accounts::Id))
                    .col(ColumnDef::new(Accounts::Resource).string_len(64).not_null())
                    .col(ColumnDef::new(Accounts::Account).string_len(255).not_null())
                    // False once a delete was asked: the sequence goes on if it comes back.
                    .col(ColumnDef::new(Accounts::Present).boolean().not_null())
                    // JSON: attribute name to list of values, as last asked.
                    .col(ColumnDef::new(Accounts::Attributes).text().not_null())
                    .col(
                        ColumnDef::new(Accounts::LastSequence)
                            .big_integer()
                            .not_null(),
                    )
                    .col(moment(Accounts::UpdatedAt).not_null())
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_accounts_resource_account",
            Accounts::Table,
            &[Accounts::Resource, Accounts::Account],
            true,
        )
        .await?;
        index(
            manager,
            "idx_accounts_account",
            Accounts::Table,
            &[Accounts::Account],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(Operations::Table)
                    .col(pk(Operations::Id))
                    .col(
                        ColumnDef::new(Operations::MessageId)
                            .string_len(36)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Operations::Resource)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Operations::Account)
                            .string_len(255)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Operations::Sequence)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Operations::Operation)
                            .string_len(16)
                            .not_null(),
                    )
                    // The message exactly as published (and published again on a retry).
                    .col(ColumnDef::new(Operations::Message).text().not_null())
                    .col(ColumnDef::new(Operations::InstanceId).string_len(64).null())
                    // pending, sent, confirmed, failed, parked or dropped.
                    .col(ColumnDef::new(Operations::State).string_len(16).not_null())
                    .col(ColumnDef::new(Operations::Attempts).integer().not_null())
                    .col(moment(Operations::NextAttemptAt).not_null())
                    .col(ColumnDef::new(Operations::LastError).text().null())
                    .col(moment(Operations::CreatedAt).not_null())
                    .col(moment(Operations::SentAt).null())
                    .col(moment(Operations::AnsweredAt).null())
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_operations_message_id",
            Operations::Table,
            &[Operations::MessageId],
            true,
        )
        .await?;
        index(
            manager,
            "idx_operations_object_sequence",
            Operations::Table,
            &[
                Operations::Resource,
                Operations::Account,
                Operations::Sequence,
            ],
            true,
        )
        .await?;
        // The relay reads what waits, oldest first.
        index(
            manager,
            "idx_operations_state_id",
            Operations::Table,
            &[Operations::State, Operations::Id],
            false,
        )
        .await?;
        index(
            manager,
            "idx_operations_instance",
            Operations::Table,
            &[Operations::InstanceId],
            false,
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Operations::Table.into_iden(),
            Accounts::Table.into_iden(),
            Resources::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

fn pk(column: impl IntoIden) -> ColumnDef {
    ColumnDef::new(column)
        .integer()
        .not_null()
        .auto_increment()
        .primary_key()
        .to_owned()
}

fn moment(column: impl IntoIden) -> ColumnDef {
    ColumnDef::new(column).timestamp_with_time_zone().to_owned()
}

/// An index on `columns` of `table` (all of one table's idens).
async fn index<C: Iden + Copy + 'static>(
    manager: &SchemaManager<'_>,
    name: &str,
    table: C,
    columns: &[C],
    unique: bool,
) -> Result<(), DbErr> {
    let mut index = Index::create().name(name).table(table).to_owned();
    if unique {
        index.unique();
    }
    for column in columns {
        index.col(*column);
    }
    manager.create_index(index).await
}

#[derive(DeriveIden, Clone, Copy)]
enum Resources {
    #[sea_orm(iden = "provisioning_resources")]
    Table,
    Id,
    Key,
    Version,
    FileName,
    Source,
    DeployedAt,
    DeployedBy,
}

#[derive(DeriveIden, Clone, Copy)]
enum Accounts {
    #[sea_orm(iden = "provisioning_accounts")]
    Table,
    Id,
    Resource,
    Account,
    Present,
    Attributes,
    LastSequence,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Operations {
    #[sea_orm(iden = "provisioning_operations")]
    Table,
    Id,
    MessageId,
    Resource,
    Account,
    Sequence,
    Operation,
    Message,
    InstanceId,
    State,
    Attempts,
    NextAttemptAt,
    LastError,
    CreatedAt,
    SentAt,
    AnsweredAt,
}
