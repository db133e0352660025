//! Assent: a web portal for identity-management request and approval workflows.
//!
//! `app` holds the pages, shared by both halves; `server` exists only in the `ssr` build.

pub mod app;
pub mod model;

#[cfg(feature = "ssr")]
pub mod server;
