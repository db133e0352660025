use sea_orm::entity::prelude::*;

/// One version of a resource declaration; a deployed version never changes.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "provisioning_resources")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub key: String,
    pub version: i32,
    pub deployed_at: ChronoDateTimeUtc,
    pub deployed_by: Option<String>,
    pub file_name: String,
    pub source: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
