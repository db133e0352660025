use sea_orm::entity::prelude::*;

/// A credential for programs: only its SHA-256 is stored.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "api_tokens")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub token_hash: String,
    pub name: String,
    /// The user the token acts as.
    pub user_id: i32,
    /// Operation names separated by spaces, or `*` for every operation.
    pub scopes: String,
    pub created_by: String,
    pub created_at: ChronoDateTimeUtc,
    pub expires_at: ChronoDateTimeUtc,
    /// Written at most once a minute.
    pub last_used_at: Option<ChronoDateTimeUtc>,
    pub revoked_at: Option<ChronoDateTimeUtc>,
    pub revoked_by: Option<String>,
}

belongs_to_user!();

impl ActiveModelBehavior for ActiveModel {}
