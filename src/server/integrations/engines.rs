//! Named external workflow engines for `external` activities: their configuration, the
//! calls every kind answers (start a run, read a run, health) and what the portal knows
//! of each one's health. Kinds: [`prefect`] (Prefect 3's REST API) and [`callback`] (any
//! system started by one HTTP POST that calls the portal back when done).

use super::{parse_span, Secret};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::callback_engine as callback;
use super::prefect;

/// The longest an engine may take to answer one request.
const MAX_TIMEOUT: Duration = Duration::from_secs(30);

/// One `[engines.NAME]` table of the integrations file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEngine {
    /// `prefect` or `callback`.
    kind: String,
    /// Prefect: its API (`http://127.0.0.1:4200/api`). Callback engines: the URL a start
    /// is POSTed to.
    url: String,
    /// The environment variable holding a bearer token for the engine, if it needs one.
    token_env: Option<String>,
    /// Callback engines: where a run's state can be read, `{ref}` standing for the
    /// reference the start answered with; without it, lost callbacks are found only by
    /// the time limit.
    status_url: Option<String>,
    /// Callback engines: a URL that answers 2xx while the engine is up.
    health_url: Option<String>,
    /// The portal's address as this engine reaches it, for the callback (default: the
    /// portal's public URL).
    callback_base: Option<String>,
    /// A hand-off with no callback this long is asked for its state (default 1m).
    reconcile_after: Option<String>,
    /// How often the engine's health is asked (default 30s).
    health_every: Option<String>,
    /// Per call to the engine (default 10s).
    timeout: Option<String>,
}

/// How far a run on the outside engine got.
#[derive(Debug, Clone, PartialEq)]
pub enum RunState {
    /// Not finished yet (scheduled, pending, running, paused).
    Going,
    Completed(serde_json::Map<String, serde_json::Value>),
    /// Failed, crashed or cancelled, and why.
    Failed(String),
}

/// A start asked of an engine.
pub struct StartRequest<'a> {
    /// Idempotency key: the workflow ID and the activity run.
    pub key: &'a str,
    pub start: &'a str,
    pub parameters: &'a serde_json::Map<String, serde_json::Value>,
    pub callback_url: &'a str,
    pub callback_token: &'a str,
}

/// A configured engine.
pub struct Engine {
    pub name: String,
    pub kind: EngineKind,
    pub callback_base: String,
    pub reconcile_after: Duration,
    pub health_every: Duration,
}

pub enum EngineKind {
    Prefect(prefect::Prefect),
    Callback(callback::CallbackEngine),
}

impl Engine {
    pub fn kind_name(&self) -> &'static str {
        match self.kind {
            EngineKind::Prefect(_) => "prefect",
            EngineKind::Callback(_) => "callback",
        }
    }

    /// Starts a run; answers the engine's reference for it. The same key twice gives the
    /// same run (Prefect's idempotency key; callback engines are asked to honour it).
    pub async fn start(&self, request: StartRequest<'_>) -> Result<String, String> {
        match &self.kind {
            EngineKind::Prefect(prefect) => prefect.start(request).await,
            EngineKind::Callback(engine) => engine.start(request).await,
        }
    }

    /// Reads the state of the run `reference`; `None` when this engine cannot tell.
    pub async fn state(&self, reference: &str) -> Option<Result<RunState, String>> {
        match &self.kind {
            EngineKind::Prefect(prefect) => Some(prefect.state(reference).await),
            EngineKind::Callback(engine) => engine.state(reference).await,
        }
    }

    /// Asks the engine to stop the run `reference`, where it can be asked (Prefect).
    pub async fn cancel(&self, reference: &str) -> Result<(), String> {
        match &self.kind {
            EngineKind::Prefect(prefect) => prefect.cancel(reference).await,
            EngineKind::Callback(_) => Ok(()),
        }
    }

    pub async fn check_health(&self) -> Result<(), String> {
        match &self.kind {
            EngineKind::Prefect(prefect) => prefect.health().await,
            EngineKind::Callback(engine) => engine.health().await,
        }
    }

    /// The URL this engine calls back for hand-off `handoff`.
    pub fn callback_url(&self, handoff: &str) -> String {
        format!(
            "{}/api/external/v1/callback/{handoff}",
            self.callback_base.trim_end_matches('/')
        )
    }
}

/// What the portal last learnt of an engine's health.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Health {
    /// `None` until first asked.
    pub up: Option<bool>,
    pub last_error: Option<String>,
    pub checked_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// The configured engines by name, and their health.
#[derive(Default, Clone)]
pub struct Engines {
    engines: Arc<BTreeMap<String, Arc<Engine>>>,
    health: Arc<Mutex<BTreeMap<String, Health>>>,
}

impl Engines {
    pub fn from_config(
        raw: BTreeMap<String, RawEngine>,
        env: &dyn Fn(&str) -> Option<String>,
        public_url: &str,
    ) -> Result<Self, String> {
        let mut engines = BTreeMap::new();
        for (name, raw) in raw {
            let engine = Self::engine(&name, raw, env, public_url)?;
            engines.insert(name, Arc::new(engine));
        }
        Ok(Self {
            engines: Arc::new(engines),
            health: Arc::default(),
        })
    }

    fn engine(
        name: &str,
        raw: RawEngine,
        env: &dyn Fn(&str) -> Option<String>,
        public_url: &str,
    ) -> Result<Engine, String> {
        let what = format!("engines.{name}");
        let span = |value: Option<&str>, key: &str, default: Duration| match value {
            None => Ok(default),
            Some(text) => parse_span(text)
                .filter(|d| !d.is_zero())
                .ok_or_else(|| format!("{what}.{key}: {text:?} is not a span like 30s or 5m")),
        };
        let timeout = span(raw.timeout.as_deref(), "timeout", Duration::from_secs(10))?;
        // A start makes at most two requests inside one job's lease (see `jobs`).
        if timeout > MAX_TIMEOUT {
            return Err(format!(
                "{what}.timeout: at most {}s",
                MAX_TIMEOUT.as_secs()
            ));
        }
        let token = raw
            .token_env
            .as_deref()
            .map(|var| Secret::from_env(env, var, &format!("{what}.token_env")))
            .transpose()?;
        let url = http_url(&raw.url, &format!("{what}.url"))?;
        let kind = match raw.kind.as_str() {
            "prefect" => EngineKind::Prefect(prefect::Prefect::new(url, token, timeout)?),
            "callback" => {
                let status_url = raw
                    .status_url
                    .as_deref()
                    .map(|u| http_url(u, &format!("{what}.status_url")))
                    .transpose()?;
                let health_url = raw
                    .health_url
                    .as_deref()
                    .map(|u| http_url(u, &format!("{what}.health_url")))
                    .transpose()?;
                EngineKind::Callback(callback::CallbackEngine::new(
                    url, status_url, health_url, token, timeout,
                )?)
            }
            other => {
                return Err(format!(
                    "{what}.kind: {other:?} is not an engine kind (prefect or callback)"
                ))
            }
        };
        if matches!(kind, EngineKind::Prefect(_))
            && (raw.status_url.is_some() || raw.health_url.is_some())
        {
            return Err(format!(
                "{what}: status_url and health_url are for callback engines; Prefect's are known"
            ));
        }
        let callback_base = match raw.callback_base {
            Some(base) => http_url(&base, &format!("{what}.callback_base"))?,
            None => public_url.to_owned(),
        };
        Ok(Engine {
            name: name.to_owned(),
            kind,
            callback_base,
            reconcile_after: span(
                raw.reconcile_after.as_deref(),
                "reconcile_after",
                Duration::from_secs(60),
            )?,
            health_every: span(
                raw.health_every.as_deref(),
                "health_every",
                Duration::from_secs(30),
            )?,
        })
    }

    pub fn get(&self, name: &str) -> Option<Arc<Engine>> {
        self.engines.get(name).cloned()
    }

    pub fn all(&self) -> impl Iterator<Item = &Arc<Engine>> {
        self.engines.values()
    }

    pub fn is_empty(&self) -> bool {
        self.engines.is_empty()
    }

    pub fn health(&self, name: &str) -> Health {
        self.health
            .lock()
            .map(|h| h.get(name).cloned().unwrap_or_default())
            .unwrap_or_default()
    }

    pub fn record_health(&self, name: &str, health: Health) {
        if let Ok(mut all) = self.health.lock() {
            all.insert(name.to_owned(), health);
        }
    }
}

/// An http(s) URL, checked at start; the error never repeats it (it may hold a password).
fn http_url(text: &str, what: &str) -> Result<String, String> {
    match reqwest::Url::parse(text) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => {
            Ok(text.to_owned())
        }
        _ => Err(format!("{what}: not an http or https URL")),
    }
}

/// A health question: up when it answers 2xx.
pub async fn answers_2xx(request: reqwest::RequestBuilder) -> Result<(), String> {
    let answer = request.send().await.map_err(|e| describe(&e))?;
    if answer.status().is_success() {
        Ok(())
    } else {
        Err(format!("answered {}", answer.status()))
    }
}

/// A short description of a failed call for logs and the history: never the URL's
/// credentials, never a body.
pub fn describe(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        "no answer in time".to_owned()
    } else if error.is_connect() {
        "cannot connect".to_owned()
    } else if let Some(status) = error.status() {
        format!("answered {status}")
    } else {
        "the call failed".to_owned()
    }
}
