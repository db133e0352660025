//! sea-orm models of the tables in `migrations/`.

/// The one relation of a table whose column `from` names a row of `parent` by its
/// column `to` (all three as sea-orm's attribute wants them), so that queries can load
/// each row with its parent.
macro_rules! belongs_to {
    ($variant:ident, $parent:path, $entity:tt, $from:tt, $to:tt) => {
        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {
            #[sea_orm(belongs_to = $entity, from = $from, to = $to)]
            $variant,
        }

        impl Related<$parent> for Entity {
            fn to() -> RelationDef {
                Relation::$variant.def()
            }
        }
    };
}

/// [`belongs_to!`] for a table whose `user_id` names a user.
macro_rules! belongs_to_user {
    () => {
        belongs_to!(
            User,
            super::user::Entity,
            "super::user::Entity",
            "Column::UserId",
            "super::user::Column::Id"
        );
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
pub mod decision_time;
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
pub mod workflow_step;
