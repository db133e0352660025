use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "work_items")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub instance_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub run_seq: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub username: String,
    pub activity: String,
    pub due_at: Option<ChronoDateTimeUtc>,
    pub created_at: ChronoDateTimeUtc,
    /// personal, pool (several candidates, unclaimed) or claimed (by this user).
    pub status: String,
}

belongs_to!(
    Instance,
    super::workflow_instance::Entity,
    "super::workflow_instance::Entity",
    "Column::InstanceId",
    "super::workflow_instance::Column::Id"
);

impl ActiveModelBehavior for ActiveModel {}
