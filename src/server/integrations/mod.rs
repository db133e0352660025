//! Outside systems that workflow activities talk to: REST endpoints (`rest` activities, see
//! [`rest`]) and external workflow engines (`external` activities, see [`engines`]). Both
//! are named in one TOML file (`--integrations`); what a definition names must be there.
//! Credentials are never in the file: it names the environment variables that hold them,
//! and they are read once, at start, so a missing one stops the start with a clear error.

pub mod callback;
pub mod callback_engine;
pub mod engines;
pub mod prefect;
pub mod rest;
pub mod watch;

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

/// What the integrations file configures, checked and ready to use.
#[derive(Default)]
pub struct Integrations {
    pub endpoints: rest::Endpoints,
    pub engines: engines::Engines,
}

/// The integrations file could not be used; the start stops with this.
#[derive(Debug, thiserror::Error)]
pub enum IntegrationsError {
    #[error("cannot read the integrations file {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("integrations file {path}: {message}")]
    Invalid { path: String, message: String },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    endpoints: BTreeMap<String, rest::RawEndpoint>,
    #[serde(default)]
    engines: BTreeMap<String, engines::RawEngine>,
}

impl Integrations {
    /// Reads `path` (none: nothing configured), taking credentials from `env`.
    pub fn load(
        path: Option<&Path>,
        env: &dyn Fn(&str) -> Option<String>,
        public_url: &str,
    ) -> Result<Self, IntegrationsError> {
        let Some(path) = path else {
            return Ok(Self::default());
        };
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| IntegrationsError::Read {
            path: shown.clone(),
            source,
        })?;
        let invalid = |message: String| IntegrationsError::Invalid {
            path: shown.clone(),
            message,
        };
        let file: File = toml::from_str(&text).map_err(|e| invalid(e.message().to_owned()))?;
        Ok(Self {
            endpoints: rest::Endpoints::from_config(file.endpoints, env).map_err(invalid)?,
            engines: engines::Engines::from_config(file.engines, env, public_url)
                .map_err(invalid)?,
        })
    }
}

/// A credential read from the environment: shown nowhere, not even in debug output.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    /// The variable `name`'s value; `what` says in the error what needed it.
    pub fn from_env(
        env: &dyn Fn(&str) -> Option<String>,
        name: &str,
        what: &str,
    ) -> Result<Self, String> {
        match env(name) {
            Some(value) if !value.trim().is_empty() => Ok(Self(value)),
            _ => Err(format!(
                "{what}: the environment variable {name} is not set"
            )),
        }
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(..)")
    }
}

/// A span like `500ms`, `30s`, `5m`, `2h` or `1d`, as the definitions write them.
pub fn parse_span(text: &str) -> Option<Duration> {
    let text = text.trim();
    let split = text.find(|c: char| !c.is_ascii_digit())?;
    let (number, unit) = text.split_at(split);
    let number: u64 = number.parse().ok()?;
    let unit_ms: u64 = match unit {
        "ms" => 1,
        "s" => 1_000,
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        _ => return None,
    };
    number.checked_mul(unit_ms).map(Duration::from_millis)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_read_as_definitions_write_them() {
        assert_eq!(parse_span("500ms"), Some(Duration::from_millis(500)));
        assert_eq!(parse_span("30s"), Some(Duration::from_secs(30)));
        assert_eq!(parse_span("2h"), Some(Duration::from_secs(7200)));
        assert_eq!(parse_span("5"), None);
        assert_eq!(parse_span("s"), None);
        assert_eq!(parse_span("3w"), None);
    }
}
