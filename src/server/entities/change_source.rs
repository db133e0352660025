use sea_orm::entity::prelude::*;

/// A system that sends identity change events, and how far its stream got.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "change_sources")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub source: String,
    pub last_sequence: i64,
    pub last_event_id: Option<String>,
    pub applied: i64,
    /// `stop` (the default) or `park`.
    pub on_error: String,
    pub stopped_at: Option<ChronoDateTimeUtc>,
    pub stopped_event_id: Option<String>,
    pub stopped_sequence: Option<i64>,
    pub stopped_payload: Option<String>,
    pub stopped_reason: Option<String>,
    /// `retry` or `skip`, asked by an administrator for the stopped event.
    pub request: Option<String>,
    pub request_by: Option<String>,
    pub request_note: Option<String>,
    pub updated_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
