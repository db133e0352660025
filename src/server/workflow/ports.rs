//! The outside world as the job runner sees it: mail and REST calls, behind traits that
//! the server fills with SMTP and HTTP, and tests and benchmarks with the defaults here.

use assent_engine::flowdata::Value;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Sends the portal's mail.
#[async_trait::async_trait]
pub trait Mailer: Send + Sync {
    async fn send(&self, mail: MailRequest<'_>) -> Result<(), String>;
}

/// One mail to send: the template `template`, filled with `details`, about the workflow
/// `workflow_id`, to `to` (user names or e-mail addresses).
#[derive(Debug, Clone, Copy)]
pub struct MailRequest<'a> {
    pub to: &'a [String],
    pub template: &'a str,
    pub workflow_id: &'a str,
    pub details: &'a BTreeMap<String, String>,
}

/// One call of a `rest` activity's run, as the engine computed it.
#[derive(Debug, Clone, Copy)]
pub struct RestCall<'a> {
    /// The endpoint's name in the integrations file.
    pub endpoint: &'a str,
    pub method: &'a str,
    /// Appended to the endpoint's base URL (placeholders filled and encoded).
    pub path: &'a str,
    /// The members of the JSON object to send; `None`: no body.
    pub body: Option<&'a BTreeMap<String, Vec<Value>>>,
    pub workflow_id: &'a str,
    pub run: u32,
}

/// Talks to outside systems for REST activities.
#[async_trait::async_trait]
pub trait Integrations: Send + Sync {
    /// Makes the call with every retry the endpoint allows, so its result is final: the
    /// answer as flowdata attributes (`status`, `body...`, `calls`: one line per try), or
    /// why it failed, naming endpoint, method, path and each try's status (see
    /// [`crate::server::integrations::rest`]).
    async fn call_rest(&self, call: RestCall<'_>) -> Result<BTreeMap<String, Vec<Value>>, String>;
}

/// The default of [`Workflows::new`] (tests, benchmarks): mail is dropped, and the log
/// says only which template went to how many recipients. Never the recipients, the
/// details or the text: those carry decision links and activation keys. The server
/// itself sends through SMTP or writes files (see [`super::mail`]).
pub struct LogMailer;

#[async_trait::async_trait]
impl Mailer for LogMailer {
    async fn send(&self, mail: MailRequest<'_>) -> Result<(), String> {
        tracing::info!(
            recipients = mail.to.len(),
            template = mail.template,
            workflow_id = mail.workflow_id,
            "mail dropped (no mailer configured)"
        );
        Ok(())
    }
}

/// No outside systems configured: calls fail at once, and the activity waits in error
/// for an administrator.
pub struct NoIntegrations;

#[async_trait::async_trait]
impl Integrations for NoIntegrations {
    async fn call_rest(&self, call: RestCall<'_>) -> Result<BTreeMap<String, Vec<Value>>, String> {
        Err(format!(
            "{} {}: no integrations file configures endpoint {:?} (--integrations)",
            call.method, call.endpoint, call.endpoint
        ))
    }
}

pub type SharedMailer = Arc<dyn Mailer>;
