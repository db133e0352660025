use sea_orm::entity::prelude::*;

/// How many decisions on one day, on one step of one definition version, took a time in
/// one bucket (see `workflow::decision_times`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "decision_times")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub day: ChronoDate,
    #[sea_orm(primary_key, auto_increment = false)]
    pub definition_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub activity: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub bucket: i16,
    pub decisions: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
