//! Liveness and readiness for load balancers and orchestrators, and the external engines'
//! health for people and monitoring.

use super::usecases::operations::OperationsFigures;
use super::{db, AppState};
use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use std::fmt::Write;
use std::net::SocketAddr;

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

/// Everything `/metrics` tells, in Prometheus' text format: what this process counted and
/// timed (see `metrics`), the database's figures of open work, and the external engines.
/// Only for a scraper holding the configured token or, without one, on this machine.
pub async fn metrics(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Response {
    if !may_scrape(state.config.metrics_token.as_deref(), peer, &headers) {
        return (
            StatusCode::FORBIDDEN,
            "metrics need the bearer token set in ASSENT_METRICS_TOKEN\n",
        )
            .into_response();
    }
    let mut text = state.workflows.metrics.render();
    let now = state.workflows.now();
    match crate::server::usecases::operations::figures(&state.db.connection, now).await {
        Ok(figures) => write_figures(&mut text, &figures),
        Err(error) => {
            tracing::warn!(%error, "reading the figures for /metrics");
            return (StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n").into_response();
        }
    }
    write_engines(&mut text, &engine_lines(&state).await);
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text).into_response()
}

/// With a token configured, only a request carrying it; without, only this machine.
fn may_scrape(token: Option<&str>, peer: SocketAddr, headers: &HeaderMap) -> bool {
    use sha2::{Digest, Sha256};
    match token {
        // Compared as digests: the time taken tells nothing of the token.
        Some(token) => super::headers::bearer_token(headers)
            .is_some_and(|given| Sha256::digest(given) == Sha256::digest(token)),
        None => peer.ip().is_loopback(),
    }
}

fn family(text: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(text, "# HELP {name} {help}\n# TYPE {name} {kind}");
}

fn write_figures(text: &mut String, figures: &OperationsFigures) {
    family(
        text,
        "assent_workflows",
        "gauge",
        "Workflows in each state that is not an end (failed ones stay until repaired).",
    );
    for (state, count) in &figures.workflows_by_state {
        let _ = writeln!(text, "assent_workflows{{state=\"{state}\"}} {count}");
    }
    let gauges = [
        (
            "assent_workflows_waiting_in_error",
            "Running workflows with a step waiting in error for an administrator.",
            figures.waiting_in_error as f64,
        ),
        (
            "assent_jobs_due",
            "Jobs (timers, mail, REST calls, hand-offs) due and not yet done.",
            figures.jobs_due as f64,
        ),
        (
            "assent_job_lag_seconds",
            "How long the oldest job due has waited; 0 when none is due.",
            figures.job_lag_seconds,
        ),
    ];
    for (name, help, value) in gauges {
        family(text, name, "gauge", help);
        let _ = writeln!(text, "{name} {value}");
    }
    family(
        text,
        "assent_outbox_depth",
        "gauge",
        "Provisioning messages waiting for the broker (pending) or for an administrator (parked).",
    );
    let _ = writeln!(
        text,
        "assent_outbox_depth{{state=\"pending\"}} {}\nassent_outbox_depth{{state=\"parked\"}} {}",
        figures.outbox_pending, figures.outbox_parked
    );
}

fn write_engines(text: &mut String, lines: &[EngineLine]) {
    family(
        text,
        "assent_external_engine_up",
        "gauge",
        "Whether the external workflow engine answered its last health check (1), did not (0), or was not asked yet (-1).",
    );
    for line in lines {
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
    family(
        text,
        "assent_external_handoffs_waiting",
        "gauge",
        "Hand-offs not yet answered by the engine.",
    );
    for line in lines {
        let _ = writeln!(
            text,
            "assent_external_handoffs_waiting{{engine=\"{}\"}} {}",
            line.name, line.waiting
        );
    }
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
