//! The server half: configuration, storage, sessions, security middleware and routes.

pub mod accounts;
pub mod amqp;
pub mod auth;
pub mod changes;
pub mod config;
pub mod csrf;
pub mod db;
pub mod demo;
pub mod entities;
pub mod headers;
mod health;
pub mod integrations;
pub mod language;
pub mod metrics;
pub mod pages;
pub mod passwords;
pub mod provisioning;
pub mod rights;
pub mod telemetry;
pub mod throttle;
pub mod tokens;
pub mod usecases;
pub mod users_cli;
pub mod wfs;
pub mod workflow;

use crate::app::{shell, App};
use accounts::SeaOrmAccounts;
use axum::extract::FromRef;
use axum::http::{header, HeaderName, HeaderValue, Request};
use axum::response::Redirect;
use axum::routing::{get, post};
use axum::{middleware, Router};
use config::Config;
use db::{Database, Pool};
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, AxumRouteListing, LeptosRoutes};
use std::sync::Arc;
use tokio::net::TcpListener;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::session_store::ExpiredDeletion;
use tower_sessions::{Expiry, SessionManagerLayer, SessionStore};
use tower_sessions_sqlx_store::{PostgresStore, SqliteStore};

/// The name wasm-bindgen gives the browser half (Trunk names it after its package).
const BROWSER_BUNDLE_NAME: &str = "assent-hydrate";

/// Everything a request handler or server function may need.
#[derive(Clone)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: Database,
    pub config: Arc<Config>,
    /// Checked against when a user name is unknown, so that a failed login takes as long
    /// whether or not the user exists.
    pub dummy_password_hash: Arc<str>,
    pub workflows: workflow::Workflows,
    /// Failed password checks per account and client address (see [`throttle`]).
    pub throttle: Arc<throttle::Throttle>,
    /// Refused hand-off callback secrets per client address: a throttle of its own, so
    /// that failed logins never lock an engine's callbacks out, nor the reverse.
    pub callback_throttle: Arc<throttle::Throttle>,
    /// The consumer of identity change events (see [`changes`]).
    pub changes: changes::ChangeStream,
}

impl AppState {
    pub fn accounts(&self) -> SeaOrmAccounts {
        SeaOrmAccounts {
            db: self.db.connection.clone(),
        }
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Database(#[from] db::DatabaseError),
    #[error("cannot prepare the session table: {0}")]
    Sessions(sea_orm::sqlx::Error),
    #[error("cannot load the demo data: {0}")]
    Demo(sea_orm::DbErr),
    #[error("cannot set up mail: {0}")]
    Mail(String),
    #[error("{0}")]
    Integrations(#[from] integrations::IntegrationsError),
    #[error("cannot set up workflows: {0}")]
    Workflows(workflow::WorkflowError),
    #[error("cannot listen on {address}: {source}")]
    Bind {
        address: std::net::SocketAddr,
        source: std::io::Error,
    },
}

/// The pages' routes, generated once per process. Generating them sets leptos_server's
/// process-wide "suppress resource loading" flag, and a resource first polled while it is
/// set never resolves (leptos-rs/leptos#4773): a page rendering on one server while a
/// second server in the same process (as in the HTTP tests) started would hang forever.
fn route_list() -> Vec<AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<AxumRouteListing>> = std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// The paths of the portal's pages (`/admin/instances/:workflow`, ...), so that a test
/// can walk every one of them.
pub fn page_paths() -> Vec<String> {
    route_list()
        .iter()
        .map(|route| route.path().to_owned())
        .collect()
}

/// Opens and migrates the database, loads demo data if asked, binds the address and
/// builds the application: everything but serving, so tests can serve it themselves.
pub async fn prepare(config: Config) -> Result<(TcpListener, Router), StartError> {
    prepare_with_env(config, &|name| std::env::var(name).ok()).await
}

/// As [`prepare`], reading the credentials the integrations file names through `env`
/// instead of the process's environment: tests give their own, since changing the
/// environment of a running multi-threaded process is unsound.
pub async fn prepare_with_env(
    config: Config,
    env: &(dyn Fn(&str) -> Option<String> + Sync),
) -> Result<(TcpListener, Router), StartError> {
    tracing::info!(config = %config.summary(), "assent starting");
    let database = db::connect(&config.database_url).await?;
    db::migrate(&database).await?;
    // Creations and decisions share commits (see workflow::committer).
    let mut workflows =
        workflow::Workflows::new(database.connection.clone(), Arc::new(workflow::SystemClock));
    let public_url = config
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{}", config.bind));
    // REST endpoints and external engines, their credentials read from the environment.
    let integrations =
        integrations::Integrations::load(config.integrations.as_deref(), env, &public_url)?;
    workflows = workflows.with_engines(integrations.engines.clone());
    // Through SMTP, else one .eml file per message in --mail-dir; never into the log.
    let mailer: Arc<dyn workflow::Mailer> = match &config.smtp_url {
        Some(smtp_url) => Arc::new(
            workflow::mail::SmtpMailer::new(
                smtp_url,
                &config.mail_from,
                database.connection.clone(),
                &public_url,
            )
            .map_err(StartError::Mail)?,
        ),
        None => Arc::new(
            workflow::mail::FileMailer::new(
                &config.mail_dir,
                &config.mail_from,
                database.connection.clone(),
                &public_url,
            )
            .map_err(StartError::Mail)?,
        ),
    };
    // `rest` activities call the file's endpoints (its engines went to `with_engines`).
    workflows = workflows.with_integrations(mailer, Arc::new(integrations.endpoints));
    let provisioning = provisioning::Provisioning::default();
    provisioning::catalog::deploy_folder(
        &database.connection,
        &provisioning.resources,
        &config.resources_dir,
    )
    .await
    .map_err(|error| StartError::Workflows(error.into()))?;
    let workflows = workflows
        .with_provisioning(provisioning.clone())
        .with_max_waiting(config.max_waiting_requests as usize)
        .with_activation_key_hours(config.activation_key_hours)
        .with_group_commit();
    workflows
        .deploy_folder(&config.definitions_dir)
        .await
        .map_err(StartError::Workflows)?;
    warn_of_unknown_engines(&workflows).await;
    if config.demo_data
        && demo::load_if_empty(&database.connection, &config.demo_password)
            .await
            .map_err(StartError::Demo)?
    {
        demo::start_example_workflows(&workflows)
            .await
            .map_err(StartError::Workflows)?;
        tracing::info!("demo data loaded");
    }
    workflow::jobs::spawn_runner(
        workflows.clone(),
        std::time::Duration::from_millis(config.job_interval_ms),
    );
    spawn_idempotency_purge(workflows.clone(), config.idempotency_hours);
    integrations::watch::spawn(workflows.clone());
    if let Some(url) = &config.amqp_url {
        provisioning::relay::spawn(
            database.connection.clone(),
            provisioning,
            provisioning::relay::RelaySettings {
                url: url.clone(),
                watch_queue: config.amqp_watch_queue.unwrap_or(config.demo_data),
                results_queue: config.amqp_results_queue.clone(),
                retries: provisioning::outbox::Retries {
                    max_attempts: config.provisioning_max_attempts,
                    first_wait: std::time::Duration::from_millis(config.provisioning_retry_ms),
                },
            },
            workflows.change_announcements(),
        );
    }
    let change_stream = changes::ChangeStream::default();
    if let Some(url) = &config.amqp_url {
        changes::consumer::spawn(
            changes::apply::Applier::new(workflows.clone()),
            change_stream.clone(),
            url.clone(),
            config.amqp_changes_queue.clone(),
        );
    }
    let bundle = config
        .site_root
        .join("pkg")
        .join(format!("{BROWSER_BUNDLE_NAME}_bg.wasm"));
    if !bundle.exists() {
        tracing::warn!(path = %bundle.display(), "browser half not built: pages will render but not hydrate (run ./dev.sh build)");
    }
    let listener = TcpListener::bind(config.bind)
        .await
        .map_err(|source| StartError::Bind {
            address: config.bind,
            source,
        })?;
    let leptos_options = LeptosOptions::builder()
        .output_name(BROWSER_BUNDLE_NAME)
        .site_root(config.site_root.to_string_lossy().to_string())
        .site_pkg_dir("pkg")
        .site_addr(listener.local_addr().unwrap_or(config.bind))
        .build();
    let state = AppState {
        leptos_options,
        db: database.clone(),
        dummy_password_hash: passwords::hash("no user has this password".into())
            .await
            .into(),
        workflows,
        throttle: Arc::new(throttle::Throttle::new(throttle::Policy::of(&config))),
        callback_throttle: Arc::new(throttle::Throttle::new(throttle::Policy::of(&config))),
        changes: change_stream,
        config: Arc::new(config),
    };
    for throttle in [&state.throttle, &state.callback_throttle] {
        let throttle = Arc::downgrade(throttle);
        tokio::spawn(async move {
            let mut every = tokio::time::interval(std::time::Duration::from_secs(300));
            loop {
                every.tick().await;
                match throttle.upgrade() {
                    Some(throttle) => throttle.prune(),
                    None => break,
                }
            }
        });
    }
    let app = match &database.pool {
        Pool::Sqlite(pool) => {
            let store = SqliteStore::new(pool.clone());
            store.migrate().await.map_err(StartError::Sessions)?;
            application(state, store)
        }
        Pool::Postgres(pool) => {
            let store = PostgresStore::new(pool.clone());
            store.migrate().await.map_err(StartError::Sessions)?;
            application(state, store)
        }
    };
    Ok((listener, app))
}

pub async fn run(config: Config) -> Result<(), StartError> {
    let (listener, app) = prepare(config).await?;
    let address = listener.local_addr().map_err(|source| StartError::Bind {
        address: std::net::SocketAddr::from(([0, 0, 0, 0], 0)),
        source,
    })?;
    tracing::info!("listening on http://{address}");
    // The peer address is the client address of the login throttle.
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
    .map_err(|source| StartError::Bind { address, source })
}

fn application<Store>(state: AppState, store: Store) -> Router
where
    Store: SessionStore + ExpiredDeletion + Clone,
{
    tokio::spawn(
        store
            .clone()
            .continuously_delete_expired(tokio::time::Duration::from_secs(300)),
    );
    let sessions = SessionManagerLayer::new(store)
        // `__Host-assent_session` when Secure (path `/` and no domain, as that prefix needs).
        .with_name(headers::session_cookie_name(state.config.secure_cookies))
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(state.config.secure_cookies)
        .with_expiry(Expiry::OnInactivity(time::Duration::minutes(i64::from(
            state.config.session_idle_minutes,
        ))));

    let leptos_options = state.leptos_options.clone();
    let pages = Router::new()
        .leptos_routes_with_context(&state, route_list(), headers::provide_page_nonce, {
            let leptos_options = leptos_options.clone();
            move || shell(leptos_options.clone())
        })
        .route("/login", post(auth::login))
        .route("/logout", post(auth::logout))
        .route("/admin/audit.csv", get(pages::admin_audit::export_csv))
        .route("/lang", get(language::choose))
        .route(
            "/api/wfs/v1/openapi.json",
            get(wfs::openapi::serve_document),
        )
        .route("/api/wfs/v1/docs", get(wfs::openapi::serve_page))
        .route(
            "/api/wfs/v1/{operation}",
            // One byte over the limit is enough for the handler to tell "too large".
            post(wfs::handle).layer(axum::extract::DefaultBodyLimit::max(
                wfs::MAX_BODY_BYTES + 1,
            )),
        )
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(
            {
                let state = state.clone();
                move || {
                    provide_context(state.clone());
                    headers::provide_page_nonce();
                }
            },
            shell,
        ))
        .layer(middleware::from_fn(auth::require_login))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            auth::resolve_viewer,
        ))
        .layer(sessions)
        .with_state(state.clone());

    let request_id = HeaderName::from_static("x-request-id");
    let pkg_dir = state.config.site_root.join("pkg");
    let secure_cookies = state.config.secure_cookies;
    let metrics = state.workflows.metrics.clone();
    spawn_metrics_upkeep(metrics.clone());
    Router::new()
        .route("/healthz", get(health::alive))
        .route("/readyz", get(health::ready))
        .route("/metrics", get(health::metrics))
        .route(
            "/api/external/v1/callback/{handoff}",
            post(integrations::callback::callback).layer(axum::extract::DefaultBodyLimit::max(
                integrations::callback::MAX_BODY_BYTES + 1,
            )),
        )
        .with_state(state)
        .route(
            "/favicon.ico",
            get(|| async { Redirect::permanent("/pkg/favicon.svg") }),
        )
        .nest_service("/pkg", ServeDir::new(pkg_dir))
        .merge(pages)
        .layer(middleware::from_fn_with_state(
            metrics,
            metrics::time_requests,
        ))
        .layer(middleware::from_fn(csrf::refuse_cross_site))
        // No request may hold its resources forever.
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            std::time::Duration::from_secs(30),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        // Content-Security-Policy (a fresh nonce per page) and, behind TLS, HSTS.
        .layer(middleware::from_fn_with_state(
            secure_cookies,
            headers::security_headers,
        ))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(
            TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
                let request_id = request
                    .headers()
                    .get("x-request-id")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("-");
                tracing::info_span!(
                    "request",
                    request_id = %request_id,
                    method = %request.method(),
                    path = %request.uri().path(),
                )
            }),
        )
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
}

/// A definition handing off to an engine the integrations file does not name still
/// deploys (the file may come later), but its hand-offs can only wait in error: say so.
async fn warn_of_unknown_engines(workflows: &workflow::Workflows) {
    let Ok(definitions) = workflows.latest_definitions().await else {
        return;
    };
    for (stored, definition) in definitions {
        for activity in &definition.activities {
            if let assent_engine::definition::ActivityKind::External(external) = &activity.kind {
                if workflows.engines().get(&external.engine).is_none() {
                    tracing::warn!(
                        definition = %stored.path,
                        activity = %activity.id,
                        engine = %external.engine,
                        "a definition hands off to an engine the integrations file does not name; its hand-offs will wait in error"
                    );
                }
            }
        }
    }
}

/// Every few seconds, folds the recorded latencies into their buckets (see `metrics`).
fn spawn_metrics_upkeep(metrics: metrics::Metrics) {
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(std::time::Duration::from_secs(5));
        loop {
            ticker.tick().await;
            metrics.upkeep();
        }
    });
}

/// Once an hour, forgets the API idempotency keys older than the window.
fn spawn_idempotency_purge(workflows: workflow::Workflows, hours: u32) {
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            ticker.tick().await;
            let not_before = workflows.now() - chrono::Duration::hours(i64::from(hours));
            if let Err(error) = workflows.forget_expired_keys(not_before).await {
                tracing::warn!(%error, "forgetting expired idempotency keys");
            }
        }
    });
}

async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut signal) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            signal.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
