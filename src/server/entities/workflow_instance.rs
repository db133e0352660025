use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "workflow_instances")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub definition_id: i32,
    pub state: String,
    pub application_state: Option<String>,
    pub initiator: String,
    pub subject_id: Option<String>,
    pub correlation_id: Option<String>,
    /// The engine's instance as JSON; the columns above are copies for queries.
    pub data: String,
    pub version: i64,
    pub created_at: ChronoDateTimeUtc,
    pub updated_at: ChronoDateTimeUtc,
    pub ended_at: Option<ChronoDateTimeUtc>,
    /// A running workflow with an activity in WAIT_IN_ERROR, for the dashboard.
    pub waits_in_error: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
