//! Mail through SMTP, or into a folder of `.eml` files when no SMTP server is configured,
//! with the portal's plain-text templates.

use super::jobs::{MailRequest, Mailer};
use crate::server::entities::user;
use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Body, Mailbox, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The portal's mailer: renders a template, addresses it, and hands one message per
/// recipient to its delivery (SMTP, or a folder of files).
pub struct OutgoingMail<D> {
    delivery: D,
    from: Mailbox,
    db: DatabaseConnection,
    public_url: String,
}

/// Mail sent through an SMTP server.
pub type SmtpMailer = OutgoingMail<Smtp>;
/// Mail written to a folder, for a server without SMTP.
pub type FileMailer = OutgoingMail<MailFolder>;

impl<D> OutgoingMail<D> {
    fn with_delivery(
        delivery: D,
        from: &str,
        db: DatabaseConnection,
        public_url: &str,
    ) -> Result<Self, String> {
        let from = from
            .parse()
            .map_err(|e| format!("ASSENT_MAIL_FROM {from:?}: {e}"))?;
        Ok(Self {
            delivery,
            from,
            db,
            public_url: public_url.trim_end_matches('/').to_owned(),
        })
    }
}

/// How a composed message leaves the portal.
#[async_trait::async_trait]
pub trait Delivery: Send + Sync {
    /// The body encoded as this delivery carries it best.
    fn body(&self, text: &str) -> Body;
    /// Sends `message` (whose Message-ID holds `id`); answers the file it was written to,
    /// if any, for the log.
    async fn deliver(&self, message: Message, id: uuid::Uuid) -> Result<Option<PathBuf>, String>;
}

#[async_trait::async_trait]
impl<D: Delivery> Mailer for OutgoingMail<D> {
    async fn send(&self, mail: MailRequest<'_>) -> Result<(), String> {
        let MailRequest {
            to,
            template,
            workflow_id,
            details,
        } = mail;
        let (subject, body) = render(template, workflow_id, details, &self.public_url);
        // One message per recipient: nobody sees who else was asked.
        for mailbox in addresses(&self.db, to).await? {
            let id = uuid::Uuid::new_v4();
            let message = compose(&self.from, mailbox, &subject, self.delivery.body(&body), id)?;
            if let Some(file) = self.delivery.deliver(message, id).await? {
                tracing::info!(file = %file.display(), template, workflow_id, "mail written");
            }
        }
        Ok(())
    }
}

/// Delivery through an SMTP server's connection pool.
pub struct Smtp(AsyncSmtpTransport<Tokio1Executor>);

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
        Self::with_delivery(Smtp(transport), from, db, public_url)
    }
}

#[async_trait::async_trait]
impl Delivery for Smtp {
    fn body(&self, text: &str) -> Body {
        Body::new(text.to_owned())
    }

    async fn deliver(&self, message: Message, _id: uuid::Uuid) -> Result<Option<PathBuf>, String> {
        self.0
            .send(message)
            .await
            .map_err(|e| format!("SMTP: {e}"))?;
        Ok(None)
    }
}

/// Without an SMTP server: each message is written to a folder as one `.eml` file (RFC
/// 5322, what a mail client opens), named `<UTC time>-<message id>.eml` so that the names
/// sort by time and never collide. The log names the file and the template only: the
/// body carries decision links and activation keys, which must not reach the log.
pub struct MailFolder {
    dir: PathBuf,
}

impl FileMailer {
    /// Creates `dir` if missing.
    pub fn new(
        dir: &Path,
        from: &str,
        db: DatabaseConnection,
        public_url: &str,
    ) -> Result<Self, String> {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("ASSENT_MAIL_DIR {}: {e}", dir.display()))?;
        Self::with_delivery(
            MailFolder {
                dir: dir.to_owned(),
            },
            from,
            db,
            public_url,
        )
    }
}

impl MailFolder {
    /// Writes under a temporary name and renames, so a reader of the folder never sees
    /// half a message; readable by the portal's user only (it holds secrets).
    async fn write(&self, name: String, content: Vec<u8>) -> Result<PathBuf, String> {
        let dir = self.dir.clone();
        let written = tokio::task::spawn_blocking(move || -> std::io::Result<PathBuf> {
            use std::io::Write;
            let path = dir.join(&name);
            let partial = dir.join(format!(".{name}.partial"));
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let mut file = options.open(&partial)?;
            file.write_all(&content)?;
            file.sync_all()?;
            drop(file);
            std::fs::rename(&partial, &path)?;
            Ok(path)
        })
        .await
        .map_err(|e| e.to_string())?;
        written.map_err(|e| format!("cannot write mail to {}: {e}", self.dir.display()))
    }
}

#[async_trait::async_trait]
impl Delivery for MailFolder {
    fn body(&self, text: &str) -> Body {
        readable(text)
    }

    async fn deliver(&self, message: Message, id: uuid::Uuid) -> Result<Option<PathBuf>, String> {
        let name = format!(
            "{}-{}.eml",
            chrono::Utc::now().format("%Y%m%dT%H%M%S%.6fZ"),
            id.simple()
        );
        self.write(name, message.formatted()).await.map(Some)
    }
}

/// User names become their addresses; anything with an `@` already is one. Errors and
/// the log name no address.
async fn addresses(db: &DatabaseConnection, to: &[String]) -> Result<Vec<Mailbox>, String> {
    let mut mailboxes = Vec::new();
    for recipient in to {
        let address = if recipient.contains('@') {
            recipient.clone()
        } else {
            match user::Entity::find()
                .filter(user::Column::Username.eq(recipient))
                .one(db)
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
        mailboxes.push(
            address
                .parse()
                .map_err(|e| format!("a recipient's address is not valid: {e}"))?,
        );
    }
    Ok(mailboxes)
}

/// One message to one recipient: From, To, Subject, Date, Message-ID (`<id@sender's
/// domain>`), MIME-Version and a text/plain UTF-8 body.
fn compose(
    from: &Mailbox,
    to: Mailbox,
    subject: &str,
    body: Body,
    id: uuid::Uuid,
) -> Result<Message, String> {
    Message::builder()
        .from(from.clone())
        .to(to)
        .subject(subject)
        .message_id(Some(format!("<{}@{}>", id.simple(), from.email.domain())))
        .singlepart(
            SinglePart::builder()
                .header(ContentType::TEXT_PLAIN)
                .body(body),
        )
        .map_err(|e| e.to_string())
}

/// The body as 8bit when it can be (every line within RFC 5322's 998 bytes, no NUL or
/// bare CR), so that the links in a written file stay whole and can be followed from a
/// text viewer; otherwise lettre's choice (quoted-printable or base64, which it also picks
/// for any line over 76 characters, as every decision link is).
fn readable(text: &str) -> Body {
    let lines = text.replace("\r\n", "\n");
    if lines.contains(['\r', '\0']) || lines.lines().any(|line| line.len() > 998) {
        return Body::new(text.to_owned());
    }
    Body::dangerous_pre_encoded(
        lines.replace('\n', "\r\n").into_bytes(),
        ContentTransferEncoding::EightBit,
    )
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

    #[test]
    fn a_written_message_is_rfc_5322_with_whole_links() {
        use super::{compose, readable};
        use lettre::message::header::ContentTransferEncoding;
        let tokens = BTreeMap::from([
            ("approveToken".to_owned(), "a".repeat(64)),
            ("rejectToken".to_owned(), "r".repeat(64)),
        ]);
        let (subject, body) = render(
            "approval-requested",
            "wf2",
            &tokens,
            "https://assent.example",
        );
        let from = "Assent <assent@example.com>".parse().unwrap();
        let message = compose(
            &from,
            "bob@example.com".parse().unwrap(),
            &subject,
            readable(&body),
            uuid::Uuid::nil(),
        )
        .unwrap();
        let text = String::from_utf8(message.formatted()).unwrap();
        for header in [
            "From: Assent <assent@example.com>\r\n",
            "To: bob@example.com\r\n",
            "Subject: Assent: a request waits for your decision\r\n",
            "Message-ID: <00000000000000000000000000000000@example.com>\r\n",
            "MIME-Version: 1.0\r\n",
            "Content-Type: text/plain; charset=utf-8\r\n",
            "Content-Transfer-Encoding: 8bit\r\n",
            "Date: ",
        ] {
            assert!(text.contains(header), "{header:?} in {text}");
        }
        let link = format!(
            "https://assent.example/mail-decision?token={}\r\n",
            "a".repeat(64)
        );
        assert!(text.contains(&link), "{text}");
        assert!(!text.contains("\r\r") && !text.replace("\r\n", "").contains('\n'));
        // Beyond what 8bit may carry, lettre encodes.
        let long = "x".repeat(1200);
        assert_ne!(
            readable(&long).encoding(),
            ContentTransferEncoding::EightBit
        );
        assert_eq!(
            readable("Grüße\n").encoding(),
            ContentTransferEncoding::EightBit
        );
    }
}
