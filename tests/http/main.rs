//! HTTP-level tests of the running server, each on SQLite and on PostgreSQL: one module
//! per feature, the shared steps in `harness` (the server and its database), `portal`
//! (the portal's server functions), `api` (the Workflow Management Service) and `broker`
//! (RabbitMQ, for the provisioning tests).

#[path = "../common/mod.rs"]
mod common;
mod harness;

/// Generates one test per backend from an `async fn(TestApp)`.
macro_rules! on_both_databases {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let app = super::TestApp::spawn(super::Backend::Sqlite).await.expect("sqlite app");
                    super::$name(app).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some(app) = super::TestApp::spawn(super::Backend::Postgres).await else { return };
                    super::$name(app).await;
                }
            )*
        }
    };
}

/// Generates one test per backend from an `async fn(Backend, broker URL)`, for the tests
/// that need RabbitMQ (`ASSENT_TEST_AMQP_URL`; without it they say SKIPPED).
macro_rules! with_a_broker_on_both_databases {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some(amqp) = super::amqp_url() else { return };
                    super::$name(super::Backend::Sqlite, amqp).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some(amqp) = super::amqp_url() else { return };
                    if crate::common::postgres_url().is_none() {
                        return;
                    }
                    super::$name(super::Backend::Postgres, amqp).await;
                }
            )*
        }
    };
}

// Shared steps.
mod api;
mod broker;
mod portal;

// The portal, feature by feature (after the macro, which they use).
mod admin;
mod admin_audit;
mod admin_definitions;
mod admin_instances;
mod admin_replay;
mod admin_users;
mod bulk;
mod cart;
mod changes;
mod csrf;
mod delegations;
mod demo;
mod handoffs;
mod language;
mod login;
mod mail_links;
mod metrics;
mod pages;
mod pool;
mod provisioning;
mod requests;
mod rest;
mod sessions;
mod worklist;

// The Workflow Management Service, operation by operation.
mod wfs;
mod wfs_activation;
mod wfs_create;
mod wfs_lifecycle;
mod wfs_openapi;
mod wfs_queries;
mod wfs_waiting;

// Trust (issue #9).
mod security_access;
mod security_lockouts;
mod security_platform;
mod security_tokens;
