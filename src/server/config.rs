//! Configuration: command-line flags, each with an environment variable as fallback.

use clap::builder::BoolishValueParser;
use clap::{Parser, ValueEnum};
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Debug, Clone, Parser)]
#[command(
    name = "assent",
    version,
    about = "Assent: identity-management request and approval workflows"
)]
pub struct Config {
    /// Address and port to listen on.
    #[arg(long, env = "ASSENT_BIND", default_value = "127.0.0.1:3000")]
    pub bind: SocketAddr,

    /// Database: sqlite://path?mode=rwc (file created on first start) or postgres://...
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://data/assent.db?mode=rwc",
        hide_env_values = true
    )]
    pub database_url: String,

    /// The portal's domain name; API requests naming another domain are refused.
    #[arg(long, env = "ASSENT_DOMAIN", default_value = "My-Company")]
    pub domain: String,

    /// Load the demo company on first start (into an empty database only).
    #[arg(long, env = "ASSENT_DEMO_DATA", default_value = "false", value_parser = BoolishValueParser::new(), action = clap::ArgAction::Set)]
    pub demo_data: bool,

    /// The password of every demo user.
    #[arg(
        long,
        env = "ASSENT_DEMO_PASSWORD",
        default_value = "assent-demo",
        hide_env_values = true,
        hide_default_value = true
    )]
    pub demo_password: String,

    /// Mark the session cookie Secure (HTTPS only). Turn off only for local plain-HTTP use.
    #[arg(long, env = "ASSENT_SECURE_COOKIES", default_value = "true", value_parser = BoolishValueParser::new(), action = clap::ArgAction::Set)]
    pub secure_cookies: bool,

    /// Log format.
    #[arg(long, env = "ASSENT_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,

    /// Folder holding the built browser half (pkg/ with wasm, JavaScript, CSS, icons).
    #[arg(long, env = "ASSENT_SITE_ROOT", default_value = "target/site")]
    pub site_root: PathBuf,

    /// A session ends after this many minutes without a request.
    #[arg(long, env = "ASSENT_SESSION_IDLE_MINUTES", default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..=1440))]
    pub session_idle_minutes: u32,

    /// Folder of workflow definitions (*.toml) deployed at start; new text becomes a new version.
    #[arg(long, env = "ASSENT_DEFINITIONS_DIR", default_value = "definitions")]
    pub definitions_dir: PathBuf,

    /// How often the job runner looks for due timers and outbox messages, in milliseconds.
    #[arg(long, env = "ASSENT_JOB_INTERVAL_MS", default_value_t = 1000, value_parser = clap::value_parser!(u64).range(10..=3_600_000))]
    pub job_interval_ms: u64,

    /// SMTP server for mail (smtp://user:password@host:587, smtps://host); unset: each mail
    /// is written to --mail-dir as an .eml file.
    #[arg(long, env = "ASSENT_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,

    /// Without --smtp-url: the folder (created if missing) where each mail is written as
    /// one .eml file. The files hold decision links and activation keys: keep it private.
    #[arg(long, env = "ASSENT_MAIL_DIR", default_value = "data/mail")]
    pub mail_dir: PathBuf,

    /// Sender of the portal's mail.
    #[arg(
        long,
        env = "ASSENT_MAIL_FROM",
        default_value = "Assent <assent@localhost>"
    )]
    pub mail_from: String,

    /// The portal's address as people reach it, for links in mail (default: the bind address).
    #[arg(long, env = "ASSENT_PUBLIC_URL")]
    pub public_url: Option<String>,

    /// The integrations file (TOML): REST endpoints and external workflow engines by name,
    /// with the names of the environment variables that hold their credentials. Unset: no
    /// `rest` or `external` activity can reach anything, and they wait in error.
    #[arg(long, env = "ASSENT_INTEGRATIONS")]
    pub integrations: Option<PathBuf>,

    /// An API idempotency key (correlationID, Idempotency-Key) is remembered this many
    /// hours; after that the same key starts a new workflow.
    #[arg(long, env = "ASSENT_IDEMPOTENCY_HOURS", default_value_t = 24, value_parser = clap::value_parser!(u32).range(1..=8760))]
    pub idempotency_hours: u32,

    /// A mailed activation key works this many hours; later it is refused and the
    /// account stays disabled.
    #[arg(long, env = "ASSENT_ACTIVATION_KEY_HOURS", default_value_t = 72, value_parser = clap::value_parser!(u32).range(1..=8760))]
    pub activation_key_hours: u32,

    /// Requests that may wait on workflows at once (waitForIdle, waitForTermination,
    /// notifyParticipantChanged); each caller gets an eighth of them.
    #[arg(long, env = "ASSENT_MAX_WAITING_REQUESTS", default_value_t = 256, value_parser = clap::value_parser!(u64).range(1..=100_000))]
    pub max_waiting_requests: u64,

    /// Failed password checks of one account (login page or API Basic) within
    /// --login-window-minutes that lock it out for a while.
    #[arg(long, env = "ASSENT_LOGIN_FAILURES", default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub login_failures: u32,

    /// Failed password checks from one client address within --login-window-minutes that
    /// lock the address out for a while, whichever accounts were tried.
    #[arg(long, env = "ASSENT_ADDRESS_FAILURES", default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub address_failures: u32,

    /// The window in which failed password checks are counted.
    #[arg(long, env = "ASSENT_LOGIN_WINDOW_MINUTES", default_value_t = 15, value_parser = clap::value_parser!(u32).range(1..=1440))]
    pub login_window_minutes: u32,

    /// The first lockout, in seconds; each repeated one lasts twice as long, up to an hour.
    #[arg(long, env = "ASSENT_LOCKOUT_SECONDS", default_value_t = 60, value_parser = clap::value_parser!(u32).range(1..=86_400))]
    pub lockout_seconds: u32,

    /// A session ends this many hours after login, however active.
    #[arg(long, env = "ASSENT_SESSION_MAX_HOURS", default_value_t = 12, value_parser = clap::value_parser!(u32).range(1..=168))]
    pub session_max_hours: u32,

    /// RabbitMQ for provisioning messages (amqp://user:password@host:5672/%2f, amqps://...);
    /// unset: operations on target systems wait in the outbox, and the pages say why.
    #[arg(long, env = "ASSENT_AMQP_URL", hide_env_values = true, value_parser = amqp_url)]
    pub amqp_url: Option<String>,

    /// Declare the queue `assent.provisioning.all` that receives every provisioning
    /// message, so a person can watch them (default: with the demo data).
    #[arg(long, env = "ASSENT_AMQP_WATCH_QUEUE", value_parser = BoolishValueParser::new(), action = clap::ArgAction::Set)]
    pub amqp_watch_queue: Option<bool>,

    /// The queue target systems answer on. Installations sharing one broker (and its
    /// virtual host) each need their own, or one takes the others' answers.
    #[arg(long, env = "ASSENT_AMQP_RESULTS_QUEUE", default_value = crate::server::provisioning::message::RESULTS_QUEUE)]
    pub amqp_results_queue: String,

    /// The queue of identity change events Assent consumes. Installations sharing one
    /// broker (and its virtual host) each need their own.
    #[arg(long, env = "ASSENT_AMQP_CHANGES_QUEUE", default_value = crate::server::changes::QUEUE)]
    pub amqp_changes_queue: String,

    /// Tries before a message the broker keeps refusing is parked for an administrator.
    #[arg(long, env = "ASSENT_PROVISIONING_MAX_ATTEMPTS", default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub provisioning_max_attempts: u32,

    /// The wait after a refused message's first try, in milliseconds; it doubles with
    /// each further try, up to five minutes.
    #[arg(long, env = "ASSENT_PROVISIONING_RETRY_MS", default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..=300_000))]
    pub provisioning_retry_ms: u64,

    /// Folder of resource declarations (*.toml, one target system each) deployed at start.
    #[arg(
        long,
        env = "ASSENT_RESOURCES_DIR",
        default_value = "definitions/resources"
    )]
    pub resources_dir: PathBuf,

    /// The bearer token a Prometheus scraper sends for `/metrics`. Without one, `/metrics`
    /// answers only requests from this machine (127.0.0.1 or ::1).
    #[arg(long, env = "ASSENT_METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<String>,

    /// Something to do other than serving the portal.
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, clap::Subcommand)]
pub enum Command {
    /// Play a target system: watch provisioning messages and answer them.
    TargetSystem {
        #[command(subcommand)]
        action: crate::server::provisioning::target::Action,
    },
    /// Send identity change events to Assent (`assent.changes`).
    ChangeEvents {
        #[command(subcommand)]
        action: crate::server::changes::feed::Action,
    },
    /// Account chores (set a password).
    Users {
        #[command(subcommand)]
        action: crate::server::users_cli::Action,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

impl Config {
    /// One line for the start-up log; the database URL loses any password.
    pub fn summary(&self) -> String {
        format!(
            "bind={} database={} domain={} demo_data={} secure_cookies={} log_format={} site_root={} definitions={} resources={} smtp={} amqp={} mail_dir={} session_idle={}m session_max={}h",
            self.bind,
            redact_url(&self.database_url),
            self.domain,
            self.demo_data,
            self.secure_cookies,
            format!("{:?}", self.log_format).to_lowercase(),
            self.site_root.display(),
            self.definitions_dir.display(),
            self.resources_dir.display(),
            if self.smtp_url.is_some() { "configured" } else { "off (mail written to mail_dir)" },
            self.amqp_url.as_deref().map(redact_url).unwrap_or_else(|| "off (provisioning waits, no change events read)".to_owned()),
            self.mail_dir.display(),
            self.session_idle_minutes,
            self.session_max_hours,
        )
    }
}

/// An AMQP URL the broker client can use, checked at start; the refusal never repeats
/// the URL (it may hold a password).
fn amqp_url(text: &str) -> Result<String, String> {
    text.parse::<lapin::uri::AMQPUri>()
        .map(|_| text.to_owned())
        .map_err(|_| {
            "not an AMQP URL (amqp://user:password@host:5672/%2f or amqps://...)".to_owned()
        })
}

/// `postgres://user:secret@host/db` becomes `postgres://user:***@host/db`.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    // The last '@' ends the credentials: a password may hold one.
    let Some((credentials, host)) = rest.rsplit_once('@') else {
        return url.to_owned();
    };
    match credentials.split_once(':') {
        Some((user, _password)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_reach_the_summary() {
        assert_eq!(
            redact_url("postgres://app:s3cret@db:5432/assent"),
            "postgres://app:***@db:5432/assent"
        );
        assert_eq!(
            redact_url("postgres://app@db/assent"),
            "postgres://app@db/assent"
        );
        assert_eq!(
            redact_url("sqlite://data/a.db?mode=rwc"),
            "sqlite://data/a.db?mode=rwc"
        );
        let config = Config::parse_from([
            "assent",
            "--database-url",
            "postgres://u:topsecret@h/d",
            "--demo-password",
            "hunter2",
            "--smtp-url",
            "smtp://mailer:smtpsecret@mail:587",
        ]);
        let summary = config.summary();
        assert!(!summary.contains("topsecret"), "{summary}");
        assert!(!summary.contains("hunter2"), "{summary}");
        assert!(!summary.contains("smtpsecret"), "{summary}");
    }

    #[test]
    fn flags_parse_booleans_and_reject_nonsense() {
        let config = Config::parse_from(["assent", "--demo-data", "yes", "--secure-cookies", "0"]);
        assert!(config.demo_data);
        assert!(!config.secure_cookies);
        assert!(Config::try_parse_from(["assent", "--bind", "not-an-address"]).is_err());
        assert!(Config::try_parse_from(["assent", "--session-idle-minutes", "0"]).is_err());
    }
}
