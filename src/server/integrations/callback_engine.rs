//! Callback engines: any system that can be started by one HTTP POST and calls a URL back
//! when done, so integrators are not tied to Prefect. The start's body and the callback's
//! body are fixed here (and in the README); a status URL, when the system has one, lets
//! reconciliation find runs whose callback was lost.

use super::engines::{answers_2xx, describe, RunState, StartRequest};
use crate::server::integrations::Secret;
use serde::Deserialize;
use std::time::Duration;

pub struct CallbackEngine {
    url: String,
    status_url: Option<String>,
    health_url: Option<String>,
    token: Option<Secret>,
    client: reqwest::Client,
}

/// What an engine reports about a run: the body of a callback, and of a status answer.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Report {
    /// `COMPLETED`, `FAILED` or `CANCELLED` (a status answer may also say `RUNNING`).
    pub state: String,
    /// The result of a completed run: an object whose keys become flowdata under the
    /// activity's id.
    #[serde(default)]
    pub result: Option<serde_json::Map<String, serde_json::Value>>,
    /// Why a run failed or was cancelled.
    #[serde(default)]
    pub message: Option<String>,
}

impl Report {
    /// What the report means; an unknown state is refused with the states allowed.
    pub fn run_state(self) -> Result<RunState, String> {
        let message = self.message.map(|m| super::prefect::shorten(&m));
        match self.state.to_ascii_uppercase().as_str() {
            "COMPLETED" => Ok(RunState::Completed(self.result.unwrap_or_default())),
            "FAILED" | "CANCELLED" => {
                let state = self.state.to_ascii_uppercase();
                Ok(RunState::Failed(match message {
                    Some(message) if !message.is_empty() => format!("run {state}: {message}"),
                    _ => format!("run {state}"),
                }))
            }
            "RUNNING" | "PENDING" | "SCHEDULED" => Ok(RunState::Going),
            _ => Err("state: must be COMPLETED, FAILED or CANCELLED".to_owned()),
        }
    }
}

#[derive(Deserialize)]
struct Started {
    id: Option<String>,
}

impl CallbackEngine {
    pub fn new(
        url: String,
        status_url: Option<String>,
        health_url: Option<String>,
        token: Option<Secret>,
        timeout: Duration,
    ) -> Result<Self, String> {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .build()
            .map_err(|_| "cannot build an HTTP client".to_owned())?;
        Ok(Self {
            url,
            status_url,
            health_url,
            token,
            client,
        })
    }

    fn authorised(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match &self.token {
            Some(token) => request.bearer_auth(token.expose()),
            None => request,
        }
    }

    /// POSTs `{start, key, parameters, callback: {url, token}}`; a 2xx answer may name the
    /// run (`{"id": ...}`), else the key is its reference.
    pub async fn start(&self, request: StartRequest<'_>) -> Result<String, String> {
        let body = serde_json::json!({
            "start": request.start,
            "key": request.key,
            "parameters": request.parameters,
            "callback": { "url": request.callback_url, "token": request.callback_token },
        });
        let answer = self
            .authorised(self.client.post(&self.url))
            .json(&body)
            .send()
            .await
            .map_err(|e| describe(&e))?;
        let status = answer.status();
        if !status.is_success() {
            return Err(format!("answered {status} to the start"));
        }
        let started: Option<Started> = answer.json().await.ok();
        Ok(started
            .and_then(|s| s.id)
            .filter(|id| !id.is_empty() && id.len() <= 128)
            .unwrap_or_else(|| request.key.to_owned()))
    }

    pub async fn state(&self, reference: &str) -> Option<Result<RunState, String>> {
        let template = self.status_url.as_ref()?;
        let encoded =
            percent_encoding::utf8_percent_encode(reference, percent_encoding::NON_ALPHANUMERIC);
        let url = template.replace("{ref}", &encoded.to_string());
        let read = async {
            let answer = self
                .authorised(self.client.get(url))
                .send()
                .await
                .map_err(|e| describe(&e))?;
            let status = answer.status();
            if !status.is_success() {
                return Err(format!("answered {status} to the status question"));
            }
            let report: Report = answer
                .json()
                .await
                .map_err(|_| "its status answer was not a report".to_owned())?;
            report.run_state()
        };
        Some(read.await)
    }

    pub async fn health(&self) -> Result<(), String> {
        let Some(url) = &self.health_url else {
            return Ok(()); // nothing to ask: taken as up
        };
        answers_2xx(self.authorised(self.client.get(url))).await
    }
}
