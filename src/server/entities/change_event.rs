use sea_orm::entity::prelude::*;

/// An event applied, skipped or parked, recorded in the transaction that settled it.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "change_events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub event_id: String,
    pub source: String,
    pub sequence: i64,
    /// `applied`, `skipped` or `parked`.
    pub outcome: String,
    pub kind: String,
    pub object_key: String,
    pub reason: Option<String>,
    /// The event as received, for skipped and parked ones.
    pub payload: Option<String>,
    pub recorded_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
