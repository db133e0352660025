//! sea-orm models of the tables in `migrations/`.

/// The relation of a table whose `user_id` column names a row of `users`, so that
/// queries can load each row with its user.
macro_rules! belongs_to_user {
    () => {
        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {
            #[sea_orm(
                belongs_to = "super::user::Entity",
                from = "Column::UserId",
                to = "super::user::Column::Id"
            )]
            User,
        }

        impl Related<super::user::Entity> for Entity {
            fn to() -> RelationDef {
                Relation::User.def()
            }
        }
    };
}

pub mod api_request;
pub mod api_token;
pub mod assignment;
pub mod audit_event;
pub mod catalog_item;
pub mod change_event;
pub mod change_source;
pub mod decision_link;
pub mod delegation;
pub mod department;
pub mod handoff;
pub mod job;
pub mod provisioning_account;
pub mod provisioning_operation;
pub mod provisioning_resource;
pub mod user;
pub mod user_role;
pub mod work_item;
pub mod workflow_definition;
pub mod workflow_instance;
