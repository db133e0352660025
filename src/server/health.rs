//! Liveness and readiness for load balancers and orchestrators, and the external engines'
//! health for people and monitoring.

use super::{db, AppState};
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use std::fmt::Write;

pub async fn alive() -> &'static str {
    "ok"
}

/// Ready when the database answers and every migration has run. A down external engine
/// does not make the portal unready (its hand-offs wait and retry), but each configured
/// engine gets a line: `engine NAME: up|down|unknown, N waiting[, last error: ...]`.
pub async fn ready(State(state): State<AppState>) -> (StatusCode, String) {
    if !db::is_ready(&state.db).await {
        return (StatusCode::SERVICE_UNAVAILABLE, "not ready".to_owned());
    }
    let mut text = "ready".to_owned();
    for line in engine_lines(&state).await {
        let _ = write!(text, "\n{}", line.describe());
    }
    (StatusCode::OK, text)
}

/// The external engines in Prometheus' text format.
pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    let mut text = String::from(
        "# HELP assent_external_engine_up Whether the external workflow engine answered its last health check (1), did not (0), or was not asked yet (-1).\n# TYPE assent_external_engine_up gauge\n",
    );
    let lines = engine_lines(&state).await;
    for line in &lines {
        let up = match line.up {
            Some(true) => 1,
            Some(false) => 0,
            None => -1,
        };
        let _ = writeln!(
            text,
            "assent_external_engine_up{{engine=\"{}\"}} {up}",
            line.name
        );
    }
    text.push_str("# HELP assent_external_handoffs_waiting Hand-offs not yet answered by the engine.\n# TYPE assent_external_handoffs_waiting gauge\n");
    for line in &lines {
        let _ = writeln!(
            text,
            "assent_external_handoffs_waiting{{engine=\"{}\"}} {}",
            line.name, line.waiting
        );
    }
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text)
}

/// One engine's state as the portal knows it.
pub struct EngineLine {
    pub name: String,
    pub kind: &'static str,
    pub checked_at: Option<chrono::DateTime<chrono::Utc>>,
    pub up: Option<bool>,
    pub last_error: Option<String>,
    pub waiting: u64,
}

impl EngineLine {
    fn describe(&self) -> String {
        let state = match self.up {
            Some(true) => "up",
            Some(false) => "down",
            None => "unknown",
        };
        let mut text = format!("engine {}: {state}, {} waiting", self.name, self.waiting);
        if let (Some(false), Some(error)) = (self.up, &self.last_error) {
            let _ = write!(text, ", last error: {error}");
        }
        text
    }
}

async fn engine_lines(state: &AppState) -> Vec<EngineLine> {
    engines_of(&state.workflows).await
}

/// Each configured engine with its health and its hand-offs not yet answered.
pub(crate) async fn engines_of(workflows: &super::workflow::Workflows) -> Vec<EngineLine> {
    let engines = workflows.engines();
    let waiting = workflows.open_handoffs().await.unwrap_or_default();
    engines
        .all()
        .map(|engine| {
            let health = engines.health(&engine.name);
            EngineLine {
                name: engine.name.clone(),
                kind: engine.kind_name(),
                checked_at: health.checked_at,
                up: health.up,
                last_error: health.last_error,
                waiting: waiting.get(&engine.name).copied().unwrap_or(0),
            }
        })
        .collect()
}
