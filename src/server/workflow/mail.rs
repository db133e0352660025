//! Mail through SMTP, with the portal's plain-text templates.

use super::jobs::Mailer;
use crate::server::entities::user;
use lettre::message::{header::ContentType, Mailbox};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use std::collections::BTreeMap;

pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    db: DatabaseConnection,
    public_url: String,
}

impl SmtpMailer {
    /// `url`: `smtp://host:port` (STARTTLS when offered), `smtps://host` (TLS), with
    /// optional `user:password@`; see lettre's `from_url`.
    pub fn new(
        url: &str,
        from: &str,
        db: DatabaseConnection,
        public_url: &str,
    ) -> Result<Self, String> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| format!("ASSENT_SMTP_URL: {e}"))?
            .build();
        let from = from
            .parse()
            .map_err(|e| format!("ASSENT_MAIL_FROM {from:?}: {e}"))?;
        Ok(Self {
            transport,
            from,
            db,
            public_url: public_url.trim_end_matches('/').to_owned(),
        })
    }

    /// User names become their addresses; anything with an `@` already is one.
    async fn addresses(&self, to: &[String]) -> Result<Vec<Mailbox>, String> {
        let mut mailboxes = Vec::new();
        for recipient in to {
            let address = if recipient.contains('@') {
                recipient.clone()
            } else {
                match user::Entity::find()
                    .filter(user::Column::Username.eq(recipient))
                    .one(&self.db)
                    .await
                    .map_err(|e| e.to_string())?
                {
                    Some(found) if !found.email.is_empty() => found.email,
                    _ => {
                        tracing::warn!(recipient, "no e-mail address: skipped");
                        continue;
                    }
                }
            };
            mailboxes.push(address.parse().map_err(|e| format!("{address:?}: {e}"))?);
        }
        Ok(mailboxes)
    }
}

#[async_trait::async_trait]
impl Mailer for SmtpMailer {
    async fn send(
        &self,
        to: &[String],
        template: &str,
        workflow_id: &str,
        details: &BTreeMap<String, String>,
    ) -> Result<(), String> {
        let (subject, body) = render(template, workflow_id, details, &self.public_url);
        // One message per recipient: nobody sees who else was asked.
        for mailbox in self.addresses(to).await? {
            let message = Message::builder()
                .from(self.from.clone())
                .to(mailbox)
                .subject(subject.clone())
                .header(ContentType::TEXT_PLAIN)
                .body(body.clone())
                .map_err(|e| e.to_string())?;
            self.transport
                .send(message)
                .await
                .map_err(|e| format!("SMTP: {e}"))?;
        }
        Ok(())
    }
}

/// The subject and body of a template, filled in.
pub fn render(
    template: &str,
    workflow_id: &str,
    details: &BTreeMap<String, String>,
    public_url: &str,
) -> (String, String) {
    let link = format!("{public_url}/worklist");
    match template {
        "approval-requested" => {
            let by_link = match (details.get("approveToken"), details.get("rejectToken")) {
                (Some(approve), Some(reject)) => format!(
                    "\nOr decide from here (you confirm on the page that opens; each link works once, for {} days):\n  Approve: {public_url}/mail-decision?token={approve}\n  Reject:  {public_url}/mail-decision?token={reject}\n",
                    super::links::LINK_DAYS
                ),
                _ => String::new(),
            };
            (
                "Assent: a request waits for your decision".into(),
                format!("A request waits for your decision.\n\nOpen your worklist: {link}\n{by_link}\nWorkflow {workflow_id}\n"),
            )
        }
        "request-decided" => (
            "Assent: your request was decided".into(),
            format!("Your request has been decided.\n\nSee it in the portal: {public_url}/requests\n\nWorkflow {workflow_id}\n"),
        ),
        "activation-key" => (
            "Assent: your activation key".into(),
            format!(
                "Your activation key is:\n\n    {}\n\nIt works once. If you did not expect this message, ignore it.\n\nWorkflow {workflow_id}\n",
                details.get("activationKey").map(String::as_str).unwrap_or("(missing)")
            ),
        ),
        other => (
            format!("Assent: {other}"),
            format!("There is news about workflow {workflow_id}: {other}.\n\n{public_url}\n"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::render;
    use std::collections::BTreeMap;

    #[test]
    fn templates_name_the_workflow_and_link_to_the_portal() {
        let details = BTreeMap::from([("activationKey".to_owned(), "abc123".to_owned())]);
        let (subject, body) = render("activation-key", "wf1", &details, "https://assent.example");
        assert_eq!(subject, "Assent: your activation key");
        assert!(body.contains("abc123") && body.contains("wf1"));
        let (_, body) = render(
            "approval-requested",
            "wf2",
            &BTreeMap::new(),
            "https://assent.example",
        );
        assert!(body.contains("https://assent.example/worklist"));
        assert!(!body.contains("mail-decision"), "no links without tokens");
        let tokens = BTreeMap::from([
            ("approveToken".to_owned(), "t-approve".to_owned()),
            ("rejectToken".to_owned(), "t-reject".to_owned()),
        ]);
        let (_, body) = render(
            "approval-requested",
            "wf2",
            &tokens,
            "https://assent.example",
        );
        assert!(body.contains("https://assent.example/mail-decision?token=t-approve"));
        assert!(body.contains("https://assent.example/mail-decision?token=t-reject"));
        let (subject, _) = render("custom-note", "wf3", &BTreeMap::new(), "https://a");
        assert_eq!(subject, "Assent: custom-note");
    }
}
