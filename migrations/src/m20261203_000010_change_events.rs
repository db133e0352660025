//! Asynchronous update: the sources that send identity change events (how far each got,
//! whether it stopped and on which event, what an administrator asked), and every event
//! applied, skipped or parked, by its id, so a redelivery is recognised.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Sources::Table)
                    .col(
                        ColumnDef::new(Sources::Source)
                            .string_len(64)
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(Sources::LastSequence)
                            .big_integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(Sources::LastEventId).string_len(128).null())
                    .col(ColumnDef::new(Sources::Applied).big_integer().not_null())
                    // stop (the default) or park.
                    .col(ColumnDef::new(Sources::OnError).string_len(8).not_null())
                    // Set while the stream stands still on one of this source's events.
                    .col(moment(Sources::StoppedAt).null())
                    .col(
                        ColumnDef::new(Sources::StoppedEventId)
                            .string_len(128)
                            .null(),
                    )
                    .col(
                        ColumnDef::new(Sources::StoppedSequence)
                            .big_integer()
                            .null(),
                    )
                    .col(ColumnDef::new(Sources::StoppedPayload).text().null())
                    .col(ColumnDef::new(Sources::StoppedReason).text().null())
                    // retry or skip, asked by an administrator for the stopped event.
                    .col(ColumnDef::new(Sources::Request).string_len(8).null())
                    .col(ColumnDef::new(Sources::RequestBy).string_len(64).null())
                    .col(ColumnDef::new(Sources::RequestNote).text().null())
                    .col(moment(Sources::UpdatedAt).not_null())
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Events::Table)
                    .col(
                        ColumnDef::new(Events::EventId)
                            .string_len(128)
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(Events::Source).string_len(64).not_null())
                    .col(ColumnDef::new(Events::Sequence).big_integer().not_null())
                    // applied, skipped or parked.
                    .col(ColumnDef::new(Events::Outcome).string_len(8).not_null())
                    .col(ColumnDef::new(Events::Kind).string_len(16).not_null())
                    .col(ColumnDef::new(Events::ObjectKey).string_len(256).not_null())
                    .col(ColumnDef::new(Events::Reason).text().null())
                    // Kept for skipped and parked events only: what was not applied.
                    .col(ColumnDef::new(Events::Payload).text().null())
                    .col(moment(Events::RecordedAt).not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_change_events_source_sequence")
                    .table(Events::Table)
                    .col(Events::Source)
                    .col(Events::Sequence)
                    .to_owned(),
            )
            .await?;
        // The running workflows of one subject: what a new manager re-asks (those of
        // one requester have their index already).
        manager
            .create_index(
                Index::create()
                    .name("idx_instances_subject")
                    .table(WorkflowInstances::Table)
                    .col(WorkflowInstances::SubjectId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [Events::Table.into_iden(), Sources::Table.into_iden()] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

fn moment(column: impl IntoIden) -> ColumnDef {
    ColumnDef::new(column).timestamp_with_time_zone().to_owned()
}

#[derive(DeriveIden)]
enum Sources {
    #[sea_orm(iden = "change_sources")]
    Table,
    Source,
    LastSequence,
    LastEventId,
    Applied,
    OnError,
    StoppedAt,
    StoppedEventId,
    StoppedSequence,
    StoppedPayload,
    StoppedReason,
    Request,
    RequestBy,
    RequestNote,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Events {
    #[sea_orm(iden = "change_events")]
    Table,
    EventId,
    Source,
    Sequence,
    Outcome,
    Kind,
    ObjectKey,
    Reason,
    Payload,
    RecordedAt,
}

#[derive(DeriveIden)]
enum WorkflowInstances {
    Table,
    SubjectId,
}
