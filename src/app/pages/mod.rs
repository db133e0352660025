//! One module per screen.

pub mod admin;
pub mod admin_audit;
pub mod admin_changes;
pub mod admin_dashboard;
pub mod admin_instance;
pub mod admin_instances;
pub mod admin_provisioning;
pub mod cart;
pub mod catalog;
pub mod common;
pub mod delegations;
pub mod deliveries;
pub mod home;
pub mod login;
pub mod mail_decision;
pub mod my_access;
pub mod my_requests;
pub mod not_found;
pub mod request;
pub mod request_detail;
pub mod tokens;
pub mod work_item;
pub mod worklist;
