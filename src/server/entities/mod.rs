//! sea-orm models of the tables in `migrations/`.

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
