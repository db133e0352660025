//! Schema migrations, shared by SQLite and PostgreSQL and run automatically at start.

pub use sea_orm_migration::prelude::*;

mod m20261122_000001_directory;
mod m20261122_000002_workflows;
mod m20261122_000003_work_item_status;
mod m20261122_000004_decision_links;
mod m20261202_000005_api_requests;
mod m20261203_000006_idempotency_binding;
mod m20261203_000007_audit_append_only;
mod m20261203_000008_api_tokens;
mod m20261203_000009_provisioning;
mod m20261203_000010_change_events;
mod m20261203_000011_handoffs;
mod m20261204_000012_instance_attention;
mod m20261205_000013_workflow_steps;
mod m20261206_000014_decision_times;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261122_000001_directory::Migration),
            Box::new(m20261122_000002_workflows::Migration),
            Box::new(m20261122_000003_work_item_status::Migration),
            Box::new(m20261122_000004_decision_links::Migration),
            Box::new(m20261202_000005_api_requests::Migration),
            Box::new(m20261203_000006_idempotency_binding::Migration),
            Box::new(m20261203_000007_audit_append_only::Migration),
            Box::new(m20261203_000008_api_tokens::Migration),
            Box::new(m20261203_000009_provisioning::Migration),
            Box::new(m20261203_000010_change_events::Migration),
            Box::new(m20261203_000011_handoffs::Migration),
            Box::new(m20261204_000012_instance_attention::Migration),
            Box::new(m20261205_000013_workflow_steps::Migration),
            Box::new(m20261206_000014_decision_times::Migration),
        ]
    }
}
