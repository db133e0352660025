//! The workflow service against real databases: each test on SQLite and on PostgreSQL,
//! one module per feature, the fixture they share in `support`.

#[path = "../common/mod.rs"]
mod common;
mod support;

mod approval;
mod certification;
mod concurrency;
mod crashes;
mod definitions;
mod forms;
mod mail;
mod registration;
mod timers;
