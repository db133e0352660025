//! Server functions: the pages' only way to the server's data. Each one checks who is
//! asking on the server, whatever the page showed.

use super::error::AppError;
use super::types::{AdminOverview, ShellInfo};
use leptos::prelude::*;

/// The frame's data, or `None` when nobody is logged in.
#[server(prefix = "/app", endpoint = "shell")]
pub async fn get_shell_info() -> Result<Option<ShellInfo>, AppError> {
    crate::server::pages::shell_info().await
}

#[server(prefix = "/app", endpoint = "admin/overview")]
pub async fn get_admin_overview() -> Result<AdminOverview, AppError> {
    crate::server::pages::admin_overview().await
}
