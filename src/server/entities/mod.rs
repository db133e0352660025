//! sea-orm models of the tables in `migrations/`.

pub mod audit_event;
pub mod catalog_item;
pub mod department;
pub mod user;
pub mod user_role;
