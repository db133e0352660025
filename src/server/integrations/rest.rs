//! Named REST endpoints for `rest` activities: the `[endpoints.NAME]` tables of the
//! integrations file, checked at start, and the calls, through reqwest with rustls.
//!
//! One delivery of a call makes every try: the first and up to `retries` more after a
//! network error, a timeout, a 5xx or a 429, waiting `backoff` before the first retry and
//! twice as long before each next one. Any other status outside `success` fails at once:
//! asking again would get the same refusal. Each try is logged and listed for the
//! request's timeline as method, endpoint, path without its query, status and time;
//! never a header, a credential or a body.

mod answer;

use super::{parse_span, Secret};
use crate::server::workflow::jobs::{Integrations, RestCall};
use assent_engine::flowdata::Value;
use reqwest::header::{HeaderName, HeaderValue, ACCEPT, AUTHORIZATION};
use reqwest::{Client, Method, RequestBuilder, Response, StatusCode, Url};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// Per try, unless the endpoint says otherwise.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
const DEFAULT_RETRIES: u32 = 2;
const DEFAULT_BACKOFF: Duration = Duration::from_secs(1);
const MAX_RETRIES: u32 = 10;
/// The longest all tries and waits of one call may take. The job runner holds the call's
/// job for 60 seconds (its lease) and works one job at a time: a call must end well
/// within that, or another worker could take the job and call a second time.
const MAX_CALL_TIME: Duration = Duration::from_secs(50);

/// One `[endpoints.NAME]` table of the integrations file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEndpoint {
    url: String,
    timeout: Option<String>,
    retries: Option<u32>,
    backoff: Option<String>,
    success: Option<Vec<u16>>,
    auth: Option<RawAuth>,
}

/// `auth = { ... }`: the names of the environment variables holding the credentials.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAuth {
    bearer_env: Option<String>,
    basic_user: Option<String>,
    password_env: Option<String>,
    header: Option<String>,
    value_env: Option<String>,
}

/// The configured endpoints by name.
#[derive(Default)]
pub struct Endpoints {
    by_name: BTreeMap<String, Endpoint>,
    /// Built only when an endpoint is configured (one client: one connection pool).
    client: Option<Client>,
}

struct Endpoint {
    url: Url,
    timeout: Duration,
    retries: u32,
    backoff: Duration,
    /// `None`: any 2xx.
    success: Option<Vec<u16>>,
    /// The header carrying the credential, marked sensitive (hidden from debug output).
    auth: Option<(HeaderName, HeaderValue)>,
}

/// Why a try got no answer to judge.
enum Failure {
    TimedOut,
    Network(String),
    TooLarge,
}

impl Endpoints {
    pub fn from_config(
        raw: BTreeMap<String, RawEndpoint>,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Self, String> {
        let mut by_name = BTreeMap::new();
        for (name, raw) in raw {
            let endpoint = Endpoint::from_raw(raw, env)
                .map_err(|error| format!("endpoint {name}: {error}"))?;
            by_name.insert(name, endpoint);
        }
        let client = if by_name.is_empty() {
            None
        } else {
            // Redirects are not followed: a credential must not travel to another
            // address, and a 3xx outside `success` is an answer to see, not to chase.
            let client = Client::builder()
                .use_rustls_tls()
                .redirect(reqwest::redirect::Policy::none())
                .user_agent(concat!("assent/", env!("CARGO_PKG_VERSION")))
                .build()
                .map_err(|error| format!("cannot set up the HTTP client: {error}"))?;
            Some(client)
        };
        let names: Vec<&str> = by_name.keys().map(String::as_str).collect();
        tracing::info!(endpoints = ?names, "REST endpoints configured");
        Ok(Self { by_name, client })
    }

    /// Makes `call` with every try it may take: the answer as flowdata attributes
    /// (`status`, `body...`, `calls`), or why it failed for good, listing each try.
    pub async fn call(&self, call: RestCall<'_>) -> Result<BTreeMap<String, Vec<Value>>, String> {
        let shown = format!(
            "{} {} {}",
            call.method,
            call.endpoint,
            shown_path(call.path)
        );
        let (Some(endpoint), Some(client)) = (self.by_name.get(call.endpoint), &self.client) else {
            return Err(format!(
                "{shown}: the integrations file configures no endpoint {:?}",
                call.endpoint
            ));
        };
        let url = endpoint
            .url_for(call.path)
            .map_err(|error| format!("{shown}: {error}"))?;
        let method = Method::from_bytes(call.method.as_bytes())
            .map_err(|_| format!("{shown}: not an HTTP method"))?;
        let body = call.body.map(answer::json_body);
        let mut tries = Vec::new();
        let mut wait = endpoint.backoff;
        loop {
            let mut request = client
                .request(method.clone(), url.clone())
                .timeout(endpoint.timeout)
                .header(ACCEPT, "application/json")
                // The same for every try of this run: a service that honours it does the
                // work once even when an answer was lost and the call was made again.
                .header(
                    "idempotency-key",
                    format!("{}-{}", call.workflow_id, call.run),
                );
            if let Some((name, value)) = &endpoint.auth {
                request = request.header(name.clone(), value.clone());
            }
            if let Some(body) = &body {
                request = request.json(body);
            }
            let started = Instant::now();
            let outcome = match send(request).await {
                Ok(response) if endpoint.succeeded(response.status()) => {
                    let status = response.status();
                    answer::read(response)
                        .await
                        .map(|body| (status, Some(body)))
                }
                Ok(response) => Ok((response.status(), None)),
                Err(failure) => Err(failure),
            };
            let millis = started.elapsed().as_millis();
            let (line, retryable) = match outcome {
                Ok((status, Some(body))) => {
                    let line = format!("{shown} → {status} in {millis} ms");
                    tracing::info!(workflow = call.workflow_id, run = call.run, call = %line, "REST call succeeded");
                    tries.push(line);
                    return Ok(answer::attributes(status, body, tries));
                }
                Ok((status, None)) => (
                    format!("{shown} → {status} in {millis} ms"),
                    status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS,
                ),
                Err(Failure::TimedOut) => (format!("{shown} → timed out after {millis} ms"), true),
                Err(Failure::Network(reason)) => {
                    (format!("{shown} → {reason} after {millis} ms"), true)
                }
                Err(Failure::TooLarge) => (
                    format!(
                        "{shown} → an answer larger than {} bytes",
                        answer::MAX_ANSWER_BYTES
                    ),
                    false,
                ),
            };
            tracing::warn!(workflow = call.workflow_id, run = call.run, call = %line, "REST call failed");
            tries.push(line);
            if !retryable || tries.len() > endpoint.retries as usize {
                let conclusion = if !retryable {
                    "not a success, not retried".to_owned()
                } else if endpoint.retries == 0 {
                    "no retries configured".to_owned()
                } else {
                    format!("gave up after {} tries", tries.len())
                };
                return Err(format!("{}: {conclusion}", tries.join("; ")));
            }
            tokio::time::sleep(wait).await;
            wait = wait.saturating_mul(2);
        }
    }
}

/// The server's REST calls go to the endpoints of its integrations file.
#[async_trait::async_trait]
impl Integrations for Endpoints {
    async fn call_rest(&self, call: RestCall<'_>) -> Result<BTreeMap<String, Vec<Value>>, String> {
        self.call(call).await
    }
}

/// One try: the answer's head, or why none came.
async fn send(request: RequestBuilder) -> Result<Response, Failure> {
    request.send().await.map_err(failure)
}

/// What went wrong, without the URL that reqwest's own message carries (its query may
/// hold what only the far end should see).
fn failure(error: reqwest::Error) -> Failure {
    if error.is_timeout() {
        return Failure::TimedOut;
    }
    let what = if error.is_connect() {
        "could not connect"
    } else if error.is_body() || error.is_decode() {
        "the answer broke off"
    } else {
        "the request failed"
    };
    // The innermost cause names the reason (refused, reset, unknown host) and no URL.
    let mut innermost = None;
    let mut cause = std::error::Error::source(&error);
    while let Some(inner) = cause {
        innermost = Some(inner);
        cause = inner.source();
    }
    match innermost {
        Some(inner) => Failure::Network(format!("{what} ({inner})")),
        None => Failure::Network(what.to_owned()),
    }
}

/// The path as history and logs show it: without its query, which may carry values only
/// the far end should see.
fn shown_path(path: &str) -> String {
    match path.split_once('?') {
        Some(("", _)) => "/?…".to_owned(),
        Some((before, _)) => format!("{before}?…"),
        None if path.is_empty() => "/".to_owned(),
        None => path.to_owned(),
    }
}

impl Endpoint {
    fn from_raw(raw: RawEndpoint, env: &dyn Fn(&str) -> Option<String>) -> Result<Self, String> {
        let url = base_url(&raw.url)?;
        let span = |key: &str, value: Option<String>, default: Duration| match value {
            None => Ok(default),
            Some(text) => parse_span(&text)
                .ok_or_else(|| format!("{key} {text:?} is not a span like 500ms, 10s or 1m")),
        };
        let timeout = span("timeout", raw.timeout, DEFAULT_TIMEOUT)?;
        if timeout.is_zero() {
            return Err("timeout must be longer than nothing".into());
        }
        let backoff = span("backoff", raw.backoff, DEFAULT_BACKOFF)?;
        let retries = raw.retries.unwrap_or(DEFAULT_RETRIES);
        if retries > MAX_RETRIES {
            return Err(format!("retries is {retries}, at most {MAX_RETRIES}"));
        }
        let longest = longest_call(timeout, retries, backoff);
        if longest > MAX_CALL_TIME {
            return Err(format!(
                "timeout, retries and backoff let one call take up to {}s, more than the {}s \
                 a call may take: lower one of them",
                longest.as_secs(),
                MAX_CALL_TIME.as_secs()
            ));
        }
        let success = match raw.success {
            None => None,
            Some(statuses) if statuses.is_empty() => {
                return Err("success must list at least one status".into());
            }
            Some(statuses) => {
                if let Some(bad) = statuses.iter().find(|s| !(100..=599).contains(*s)) {
                    return Err(format!("success: {bad} is not an HTTP status"));
                }
                Some(statuses)
            }
        };
        let auth = raw.auth.map(|auth| auth_header(auth, env)).transpose()?;
        Ok(Self {
            url,
            timeout,
            retries,
            backoff,
            success,
            auth,
        })
    }

    fn succeeded(&self, status: StatusCode) -> bool {
        match &self.success {
            Some(statuses) => statuses.contains(&status.as_u16()),
            None => status.is_success(),
        }
    }

    /// The base URL followed by `path` (which starts with `/` or `?`, or is empty).
    fn url_for(&self, path: &str) -> Result<Url, String> {
        let base = self.url.as_str();
        let joined = if path.starts_with('/') {
            format!("{}{path}", base.trim_end_matches('/'))
        } else {
            format!("{base}{path}")
        };
        Url::parse(&joined).map_err(|error| format!("not a URL with this path: {error}"))
    }
}

/// The longest a call may take: every try timing out, with every wait between them.
fn longest_call(timeout: Duration, retries: u32, backoff: Duration) -> Duration {
    let tries = timeout.saturating_mul(retries + 1);
    let waits = backoff.saturating_mul(2u32.saturating_pow(retries).saturating_sub(1));
    tries.saturating_add(waits)
}

/// The endpoint's base URL, checked: http or https, a host, no credentials (they come
/// from the environment), no query or fragment (the activity's path adds those). The
/// errors never repeat the URL, which might hold a credential after all.
fn base_url(text: &str) -> Result<Url, String> {
    let url = Url::parse(text.trim()).map_err(|error| format!("url is not a URL: {error}"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("url must be http or https, not {}", url.scheme()));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("url names no host".into());
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("url must not carry credentials: name their variables in auth".into());
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err("url must not have a query or fragment: the activity's path adds them".into());
    }
    Ok(url)
}

/// The header that carries the credential of `auth`, its value read from the
/// environment now and marked sensitive.
fn auth_header(
    auth: RawAuth,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<(HeaderName, HeaderValue), String> {
    let secret =
        |variable: &str, key: &str| Secret::from_env(env, variable, &format!("auth.{key}"));
    let (name, value, key) = match auth {
        RawAuth {
            bearer_env: Some(variable),
            basic_user: None,
            password_env: None,
            header: None,
            value_env: None,
        } => {
            let token = secret(&variable, "bearer_env")?;
            let value = format!("Bearer {}", token.expose());
            (AUTHORIZATION, value, "bearer_env")
        }
        RawAuth {
            bearer_env: None,
            basic_user: Some(user),
            password_env: Some(variable),
            header: None,
            value_env: None,
        } => {
            use base64::Engine;
            if user.contains(':') {
                return Err("auth.basic_user cannot contain ':'".into());
            }
            let password = secret(&variable, "password_env")?;
            let pair = format!("{user}:{}", password.expose());
            let value = format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(pair)
            );
            (AUTHORIZATION, value, "password_env")
        }
        RawAuth {
            bearer_env: None,
            basic_user: None,
            password_env: None,
            header: Some(header),
            value_env: Some(variable),
        } => {
            let name = HeaderName::from_bytes(header.trim().as_bytes())
                .map_err(|_| format!("auth.header {header:?} is not a header name"))?;
            let value = secret(&variable, "value_env")?;
            (name, value.expose().to_owned(), "value_env")
        }
        _ => {
            return Err("auth must be { bearer_env = ... }, { basic_user = ..., \
                        password_env = ... } or { header = ..., value_env = ... }"
                .into())
        }
    };
    let mut value = HeaderValue::from_str(&value)
        .map_err(|_| format!("auth.{key}: the variable's value cannot be sent in a header"))?;
    value.set_sensitive(true);
    Ok((name, value))
}

#[cfg(test)]
mod tests;
