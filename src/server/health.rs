//! Liveness and readiness for load balancers and orchestrators.

use super::{db, AppState};
use axum::extract::State;
use axum::http::StatusCode;

pub async fn alive() -> &'static str {
    "ok"
}

/// Ready when the database answers and every migration has run.
pub async fn ready(State(state): State<AppState>) -> (StatusCode, &'static str) {
    if db::is_ready(&state.db).await {
        (StatusCode::OK, "ready")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "not ready")
    }
}
