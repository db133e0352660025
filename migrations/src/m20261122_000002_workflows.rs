//! Workflow storage: definition versions, instances with their optimistic-lock version,
//! open work items, the job table (timers and outbox), and the identity store's
//! assignments, attributes, groups, delegations and segregation-of-duties rules.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Definitions::Table)
                    .col(pk(Definitions::Id))
                    .col(ColumnDef::new(Definitions::Path).string_len(300).not_null())
                    .col(ColumnDef::new(Definitions::Version).integer().not_null())
                    .col(ColumnDef::new(Definitions::Name).string_len(200).not_null())
                    .col(
                        ColumnDef::new(Definitions::FileName)
                            .string_len(300)
                            .not_null(),
                    )
                    .col(ColumnDef::new(Definitions::Source).text().not_null())
                    .col(
                        ColumnDef::new(Definitions::DeployedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Definitions::DeployedBy)
                            .string_len(64)
                            .null(),
                    )
                    .index(
                        Index::create()
                            .name("ux_definitions_path_version")
                            .col(Definitions::Path)
                            .col(Definitions::Version)
                            .unique(),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Instances::Table)
                    .col(
                        ColumnDef::new(Instances::Id)
                            .string_len(64)
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(Instances::DefinitionId).integer().not_null())
                    .col(ColumnDef::new(Instances::State).string_len(16).not_null())
                    .col(
                        ColumnDef::new(Instances::ApplicationState)
                            .string_len(16)
                            .null(),
                    )
                    .col(
                        ColumnDef::new(Instances::Initiator)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(ColumnDef::new(Instances::SubjectId).string_len(200).null())
                    .col(
                        ColumnDef::new(Instances::CorrelationId)
                            .string_len(200)
                            .null(),
                    )
                    .col(ColumnDef::new(Instances::Data).text().not_null())
                    .col(ColumnDef::new(Instances::Version).big_integer().not_null())
                    .col(
                        ColumnDef::new(Instances::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Instances::UpdatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Instances::EndedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Instances::Table, Instances::DefinitionId)
                            .to(Definitions::Table, Definitions::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            ("idx_instances_state", Instances::State),
            ("idx_instances_initiator", Instances::Initiator),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(Instances::Table)
                        .col(column)
                        .to_owned(),
                )
                .await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(WorkItems::Table)
                    .col(
                        ColumnDef::new(WorkItems::InstanceId)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(ColumnDef::new(WorkItems::RunSeq).integer().not_null())
                    .col(
                        ColumnDef::new(WorkItems::Username)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(WorkItems::Activity)
                            .string_len(200)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(WorkItems::DueAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(WorkItems::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .primary_key(
                        Index::create()
                            .col(WorkItems::InstanceId)
                            .col(WorkItems::RunSeq)
                            .col(WorkItems::Username),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(WorkItems::Table, WorkItems::InstanceId)
                            .to(Instances::Table, Instances::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_work_items_username")
                    .table(WorkItems::Table)
                    .col(WorkItems::Username)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Jobs::Table)
                    .col(pk(Jobs::Id))
                    .col(ColumnDef::new(Jobs::Kind).string_len(16).not_null())
                    .col(
                        ColumnDef::new(Jobs::IdempotencyKey)
                            .string_len(200)
                            .not_null()
                            .unique_key(),
                    )
                    .col(ColumnDef::new(Jobs::InstanceId).string_len(64).not_null())
                    .col(ColumnDef::new(Jobs::RunSeq).integer().not_null())
                    .col(ColumnDef::new(Jobs::Payload).text().not_null())
                    .col(
                        ColumnDef::new(Jobs::DueAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Jobs::Attempts)
                            .integer()
                            .not_null()
                            .default(0),
                    )
                    .col(
                        ColumnDef::new(Jobs::LockedUntil)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(ColumnDef::new(Jobs::LockedBy).string_len(64).null())
                    .col(
                        ColumnDef::new(Jobs::DoneAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(ColumnDef::new(Jobs::LastError).text().null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_jobs_due")
                    .table(Jobs::Table)
                    .col(Jobs::DoneAt)
                    .col(Jobs::DueAt)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Assignments::Table)
                    .col(pk(Assignments::Id))
                    .col(
                        ColumnDef::new(Assignments::Username)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(ColumnDef::new(Assignments::Kind).string_len(16).not_null())
                    .col(ColumnDef::new(Assignments::Name).string_len(200).not_null())
                    .col(
                        ColumnDef::new(Assignments::GrantedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Assignments::InstanceId)
                            .string_len(64)
                            .null(),
                    )
                    .index(
                        Index::create()
                            .name("ux_assignments")
                            .col(Assignments::Username)
                            .col(Assignments::Kind)
                            .col(Assignments::Name)
                            .unique(),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(UserAttributes::Table)
                    .col(
                        ColumnDef::new(UserAttributes::Username)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(UserAttributes::Name)
                            .string_len(120)
                            .not_null(),
                    )
                    .col(ColumnDef::new(UserAttributes::ValuesJson).text().not_null())
                    .primary_key(
                        Index::create()
                            .col(UserAttributes::Username)
                            .col(UserAttributes::Name),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(GroupMembers::Table)
                    .col(
                        ColumnDef::new(GroupMembers::GroupName)
                            .string_len(120)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(GroupMembers::Username)
                            .string_len(64)
                            .not_null(),
                    )
                    .primary_key(
                        Index::create()
                            .col(GroupMembers::GroupName)
                            .col(GroupMembers::Username),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Delegations::Table)
                    .col(pk(Delegations::Id))
                    .col(
                        ColumnDef::new(Delegations::Username)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Delegations::Substitute)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Delegations::StartsAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Delegations::EndsAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(SodRules::Table)
                    .col(pk(SodRules::Id))
                    .col(ColumnDef::new(SodRules::ItemA).string_len(200).not_null())
                    .col(ColumnDef::new(SodRules::ItemB).string_len(200).not_null())
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            SodRules::Table.into_iden(),
            Delegations::Table.into_iden(),
            GroupMembers::Table.into_iden(),
            UserAttributes::Table.into_iden(),
            Assignments::Table.into_iden(),
            Jobs::Table.into_iden(),
            WorkItems::Table.into_iden(),
            Instances::Table.into_iden(),
            Definitions::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

fn pk<T: IntoIden>(column: T) -> ColumnDef {
    ColumnDef::new(column)
        .integer()
        .not_null()
        .auto_increment()
        .primary_key()
        .to_owned()
}

#[derive(DeriveIden)]
enum Definitions {
    #[sea_orm(iden = "workflow_definitions")]
    Table,
    Id,
    Path,
    Version,
    Name,
    FileName,
    Source,
    DeployedAt,
    DeployedBy,
}

#[derive(DeriveIden)]
enum Instances {
    #[sea_orm(iden = "workflow_instances")]
    Table,
    Id,
    DefinitionId,
    State,
    ApplicationState,
    Initiator,
    SubjectId,
    CorrelationId,
    Data,
    Version,
    CreatedAt,
    UpdatedAt,
    EndedAt,
}

#[derive(DeriveIden)]
enum WorkItems {
    Table,
    InstanceId,
    RunSeq,
    Username,
    Activity,
    DueAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Jobs {
    Table,
    Id,
    Kind,
    IdempotencyKey,
    InstanceId,
    RunSeq,
    Payload,
    DueAt,
    Attempts,
    LockedUntil,
    LockedBy,
    DoneAt,
    LastError,
}

#[derive(DeriveIden)]
enum Assignments {
    Table,
    Id,
    Username,
    Kind,
    Name,
    GrantedAt,
    InstanceId,
}

#[derive(DeriveIden)]
enum UserAttributes {
    Table,
    Username,
    Name,
    ValuesJson,
}

#[derive(DeriveIden)]
enum GroupMembers {
    Table,
    GroupName,
    Username,
}

#[derive(DeriveIden)]
enum Delegations {
    Table,
    Id,
    Username,
    Substitute,
    StartsAt,
    EndsAt,
}

#[derive(DeriveIden)]
enum SodRules {
    Table,
    Id,
    ItemA,
    ItemB,
}
