//! The frame around every page: who is signed in and how many items wait for them.

use super::{fail, state, viewer};
use crate::app::types::ShellInfo;
use crate::model::AppError;

pub async fn shell_info() -> Result<Option<ShellInfo>, AppError> {
    let Some(user) = viewer().await? else {
        return Ok(None);
    };
    let open = state()?
        .workflows
        .open_item_count(&user.username)
        .await
        .map_err(|e| fail(e.into()))?;
    Ok(Some(ShellInfo {
        user,
        open_work_items: u32::try_from(open).unwrap_or(u32::MAX),
    }))
}
