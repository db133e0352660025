use sea_orm::entity::prelude::*;

/// The attribute cache: what Assent last asked one account to hold.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "provisioning_accounts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub resource: String,
    pub account: String,
    /// False once its deletion was asked.
    pub present: bool,
    /// JSON: attribute name to its list of values.
    pub attributes: String,
    /// The sequence of the newest message about this account.
    pub last_sequence: i64,
    pub updated_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
