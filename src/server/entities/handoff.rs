use sea_orm::entity::prelude::*;

/// One hand-off of an `external` activity run to an outside workflow engine.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "handoffs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub instance_id: String,
    pub run_seq: i32,
    pub engine: String,
    pub start: String,
    /// `starting`, `waiting`, `completed`, `failed` or `closed`.
    pub state: String,
    pub external_ref: Option<String>,
    /// SHA-256 of the callback's bearer secret; the secret itself is never stored here.
    pub secret_hash: String,
    pub deadline: Option<ChronoDateTimeUtc>,
    pub created_at: ChronoDateTimeUtc,
    pub started_at: Option<ChronoDateTimeUtc>,
    pub last_checked_at: Option<ChronoDateTimeUtc>,
    pub finished_at: Option<ChronoDateTimeUtc>,
    /// `callback` or `reconciliation`.
    pub finished_by: Option<String>,
    pub result: Option<String>,
    pub error: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
