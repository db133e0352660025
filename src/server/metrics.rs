//! What this process counts and times, for `/metrics`: request latency, decisions and
//! failed mail. Each portal holds its own recorder (not the process-wide one), so that
//! several portals in one process, as in the tests, never count into each other's figures.
//! The figures the database knows (workflows by state, job lag, outbox depth) are read
//! when `/metrics` is asked (see `health`).

use assent_engine::runtime::model::Verdict;
use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use metrics_exporter_prometheus::{
    Matcher, PrometheusBuilder, PrometheusHandle, PrometheusRecorder,
};
use std::sync::Arc;

const HTTP_SECONDS: &str = "assent_http_request_duration_seconds";
const DECISIONS: &str = "assent_decisions_total";
const MAIL_FAILURES: &str = "assent_mail_failures_total";

/// Upper bounds of the latency buckets, in seconds: 1 ms to 30 s (the request timeout).
const LATENCY_BUCKETS: [f64; 14] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

#[derive(Clone)]
pub struct Metrics {
    recorder: Arc<PrometheusRecorder>,
    handle: PrometheusHandle,
}

impl Default for Metrics {
    fn default() -> Self {
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Full(HTTP_SECONDS.to_owned()), &LATENCY_BUCKETS)
            .expect("the latency buckets are not empty")
            .build_recorder();
        let handle = recorder.handle();
        let metrics = Self {
            recorder: Arc::new(recorder),
            handle,
        };
        metrics.record(|| {
            metrics::describe_histogram!(
                HTTP_SECONDS,
                metrics::Unit::Seconds,
                "Time from request to response head, by method, route and status class."
            );
            metrics::describe_counter!(
                DECISIONS,
                "Approvals and rejections by people (not timeouts), once committed."
            );
            metrics::describe_counter!(
                MAIL_FAILURES,
                "Mail the SMTP server (or the mail folder) did not take; its job retries."
            );
            // Present from the start, so that a rate over them is defined before the first.
            for verdict in ["approve", "reject"] {
                metrics::counter!(DECISIONS, "verdict" => verdict).absolute(0);
            }
            metrics::counter!(MAIL_FAILURES).absolute(0);
        });
        metrics
    }
}

impl Metrics {
    fn record(&self, what: impl FnOnce()) {
        metrics::with_local_recorder(self.recorder.as_ref(), what);
    }

    /// One answered request. `route` is the route's pattern (never the path a stranger
    /// typed, which would make a new series per path).
    pub fn request(&self, method: &str, route: String, status: u16, seconds: f64) {
        let method = match method {
            "GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE" | "OPTIONS" => method.to_owned(),
            _ => "other".to_owned(),
        };
        let status = format!("{}xx", status / 100);
        self.record(|| {
            metrics::histogram!(HTTP_SECONDS, "method" => method, "route" => route, "status" => status)
                .record(seconds);
        });
    }

    pub fn decided(&self, verdict: Verdict) {
        let verdict = match verdict {
            Verdict::Approve => "approve",
            Verdict::Reject => "reject",
        };
        self.record(|| metrics::counter!(DECISIONS, "verdict" => verdict).increment(1));
    }

    pub fn mail_failed(&self) {
        self.record(|| metrics::counter!(MAIL_FAILURES).increment(1));
    }

    /// Everything recorded so far, in Prometheus' text format.
    pub fn render(&self) -> String {
        self.handle.render()
    }

    /// Folds recorded latencies into their buckets, so that memory does not grow between
    /// scrapes (or when nobody scrapes).
    pub fn upkeep(&self) {
        self.handle.run_upkeep();
    }
}

/// Times every request, labelled with the route that answered it.
pub async fn time_requests(
    State(metrics): State<Metrics>,
    request: Request,
    next: Next,
) -> Response {
    let started = std::time::Instant::now();
    let method = request.method().as_str().to_owned();
    let route = match request.extensions().get::<MatchedPath>() {
        Some(matched) => matched.as_str().to_owned(),
        // Pages, the browser half's files and unknown paths: one series each, whatever
        // path was asked.
        None if request.uri().path().starts_with("/pkg/") => "/pkg".to_owned(),
        None => "page".to_owned(),
    };
    let response = next.run(request).await;
    metrics.request(
        &method,
        route,
        response.status().as_u16(),
        started.elapsed().as_secs_f64(),
    );
    response
}
