use sea_orm::entity::prelude::*;

/// One step of a workflow: the instance as it was saved after it, and why it moved.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "workflow_steps")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub workflow_id: String,
    pub version: i64,
    pub occurred_at: ChronoDateTimeUtc,
    pub actor: Option<String>,
    pub action: String,
    pub detail: String,
    pub data: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
