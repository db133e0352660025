//! Prefect 3 through its REST API: a start is a flow run of a named deployment (`flow/
//! deployment`), created with an idempotency key so a retry or a second node never makes a
//! second run; the flow gets the callback's URL and secret as the parameter
//! `assent_callback`, and leaves its result as JSON in its final state's message, where
//! reconciliation reads it when the callback was lost.

use super::engines::{answers_2xx, describe, RunState, StartRequest};
use crate::server::integrations::Secret;
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

pub struct Prefect {
    api: String,
    token: Option<Secret>,
    client: reqwest::Client,
    /// Deployment ids by `flow/deployment`: they do not change while a deployment exists.
    deployments: Mutex<HashMap<String, String>>,
}

#[derive(Deserialize)]
struct Identified {
    id: String,
}

#[derive(Deserialize)]
struct FlowRun {
    state: Option<State>,
}

#[derive(Deserialize)]
struct State {
    #[serde(rename = "type")]
    kind: String,
    name: Option<String>,
    message: Option<String>,
}

impl Prefect {
    pub fn new(api: String, token: Option<Secret>, timeout: Duration) -> Result<Self, String> {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .build()
            .map_err(|_| "cannot build an HTTP client".to_owned())?;
        Ok(Self {
            api: api.trim_end_matches('/').to_owned(),
            token,
            client,
            deployments: Mutex::default(),
        })
    }

    fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let request = self.client.request(method, format!("{}{path}", self.api));
        match &self.token {
            Some(token) => request.bearer_auth(token.expose()),
            None => request,
        }
    }

    async fn deployment(&self, start: &str) -> Result<String, String> {
        if let Some(id) = self
            .deployments
            .lock()
            .ok()
            .and_then(|d| d.get(start).cloned())
        {
            return Ok(id);
        }
        let Some((flow, deployment)) = start.split_once('/') else {
            return Err(format!("{start:?} is not flow/deployment"));
        };
        let path = format!(
            "/deployments/name/{}/{}",
            segment(flow),
            segment(deployment)
        );
        let answer = self
            .request(reqwest::Method::GET, &path)
            .send()
            .await
            .map_err(|e| format!("Prefect: {}", describe(&e)))?;
        if answer.status() == reqwest::StatusCode::NOT_FOUND {
            return Err(format!("Prefect has no deployment {start}"));
        }
        let found: Identified = ok_json(answer, "reading the deployment").await?;
        if let Ok(mut cache) = self.deployments.lock() {
            cache.insert(start.to_owned(), found.id.clone());
        }
        Ok(found.id)
    }

    pub async fn start(&self, request: StartRequest<'_>) -> Result<String, String> {
        let deployment = self.deployment(request.start).await?;
        let mut parameters = request.parameters.clone();
        parameters.insert(
            "assent_callback".to_owned(),
            serde_json::json!({ "url": request.callback_url, "token": request.callback_token }),
        );
        let body = serde_json::json!({
            "parameters": parameters,
            "idempotency_key": request.key,
        });
        let answer = self
            .request(
                reqwest::Method::POST,
                &format!("/deployments/{deployment}/create_flow_run"),
            )
            .json(&body)
            .send()
            .await
            .map_err(|e| format!("Prefect: {}", describe(&e)))?;
        if answer.status() == reqwest::StatusCode::NOT_FOUND {
            // The deployment was deleted and perhaps made again: look it up next time.
            if let Ok(mut cache) = self.deployments.lock() {
                cache.remove(request.start);
            }
        }
        let run: Identified = ok_json(answer, "starting the flow run").await?;
        Ok(run.id)
    }

    pub async fn state(&self, reference: &str) -> Result<RunState, String> {
        let answer = self
            .request(
                reqwest::Method::GET,
                &format!("/flow_runs/{}", segment(reference)),
            )
            .send()
            .await
            .map_err(|e| format!("Prefect: {}", describe(&e)))?;
        if answer.status() == reqwest::StatusCode::NOT_FOUND {
            return Ok(RunState::Failed(format!(
                "Prefect no longer knows flow run {reference}"
            )));
        }
        let run: FlowRun = ok_json(answer, "reading the flow run").await?;
        let Some(state) = run.state else {
            return Ok(RunState::Going);
        };
        let message = state.message.unwrap_or_default();
        Ok(match state.kind.as_str() {
            "COMPLETED" => RunState::Completed(result_of(&message)),
            "FAILED" | "CRASHED" | "CANCELLED" => {
                let name = state.name.unwrap_or_else(|| state.kind.clone());
                RunState::Failed(if message.is_empty() {
                    format!("flow run {name}")
                } else {
                    format!("flow run {name}: {}", shorten(&message))
                })
            }
            _ => RunState::Going,
        })
    }

    /// Asks Prefect to cancel the run (CANCELLING: its process is stopped; a CANCELLED
    /// set directly would leave it running). Best effort: the portal has moved on anyway.
    pub async fn cancel(&self, reference: &str) -> Result<(), String> {
        let answer = self
            .request(
                reqwest::Method::POST,
                &format!("/flow_runs/{}/set_state", segment(reference)),
            )
            .json(&serde_json::json!({"state": {"type": "CANCELLING", "message": "time limit passed in Assent"}}))
            .send()
            .await
            .map_err(|e| format!("Prefect: {}", describe(&e)))?;
        if answer.status().is_success() {
            Ok(())
        } else {
            Err(format!(
                "Prefect answered {} to the cancellation",
                answer.status()
            ))
        }
    }

    pub async fn health(&self) -> Result<(), String> {
        answers_2xx(self.request(reqwest::Method::GET, "/health")).await
    }
}

/// A completed run's result: its message as a JSON object, or the message as `message`.
fn result_of(message: &str) -> serde_json::Map<String, serde_json::Value> {
    match serde_json::from_str::<serde_json::Value>(message) {
        Ok(serde_json::Value::Object(result)) => result,
        _ if message.is_empty() => serde_json::Map::new(),
        _ => serde_json::Map::from_iter([(
            "message".to_owned(),
            serde_json::Value::String(message.to_owned()),
        )]),
    }
}

/// Reads a 2xx answer's JSON; anything else is an error naming what was being done.
async fn ok_json<T: for<'de> Deserialize<'de>>(
    answer: reqwest::Response,
    doing: &str,
) -> Result<T, String> {
    let status = answer.status();
    if !status.is_success() {
        return Err(format!("Prefect answered {status} {doing}"));
    }
    answer
        .json()
        .await
        .map_err(|_| format!("Prefect's answer {doing} was not what Prefect 3 sends"))
}

fn segment(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// At most 500 characters of an outside message, for the history.
pub fn shorten(text: &str) -> String {
    let mut short: String = text.chars().take(500).collect();
    if short.len() < text.len() {
        short.push('…');
    }
    short
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_completed_runs_message_is_its_result() {
        let result = result_of(r#"{"mailbox": "nina@mail.example.com", "quotaGb": 50}"#);
        assert_eq!(result["quotaGb"], 50);
        assert_eq!(result_of("done")["message"], "done");
        assert!(result_of("").is_empty());
    }
}
