use sea_orm::entity::prelude::*;

/// A creation asked with an idempotency key, and the workflow it created.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "api_requests")]
pub struct Model {
    /// SHA-256 of the caller and the key: the key itself may be long or private.
    #[sea_orm(primary_key, auto_increment = false)]
    pub key_hash: String,
    pub caller: String,
    pub workflow_id: String,
    pub created_at: ChronoDateTimeUtc,
    /// SHA-256 of the request the key first came with (`None` for keys stored before
    /// requests were bound to their keys).
    pub request_hash: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
