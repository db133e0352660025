use sea_orm::entity::prelude::*;

/// One operation asked of a resource: the outbox row the relay publishes, and then the
/// operation's state as the target system answers.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "provisioning_operations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub message_id: String,
    pub resource: String,
    pub account: String,
    pub sequence: i64,
    /// `add`, `modify` or `delete`.
    pub operation: String,
    /// The message as published.
    pub message: String,
    pub instance_id: Option<String>,
    /// See `OperationState`.
    pub state: String,
    pub attempts: i32,
    pub next_attempt_at: ChronoDateTimeUtc,
    pub last_error: Option<String>,
    pub created_at: ChronoDateTimeUtc,
    pub sent_at: Option<ChronoDateTimeUtc>,
    pub answered_at: Option<ChronoDateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
