use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "jobs")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// `timer`, `effect` or `reassess` (see `workflow::jobs::REASSESS`).
    pub kind: String,
    #[sea_orm(unique)]
    pub idempotency_key: String,
    pub instance_id: String,
    pub run_seq: i32,
    pub payload: String,
    pub due_at: ChronoDateTimeUtc,
    pub attempts: i32,
    pub locked_until: Option<ChronoDateTimeUtc>,
    pub locked_by: Option<String>,
    pub done_at: Option<ChronoDateTimeUtc>,
    pub last_error: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
