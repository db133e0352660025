//! Starts the real server on a free port with a fresh database: an SQLite temp file, or a
//! fresh PostgreSQL database when `ASSENT_TEST_PG_URL` is set. Also the steps most tests
//! share: logging in, posting a form, calling a server function, reading the database.

use assent::app::types::encode_query_value;
use assent::server::config::Config;
use clap::Parser;
use reqwest::header::{HeaderMap, COOKIE, LOCATION, SET_COOKIE};
use reqwest::redirect::Policy;
use reqwest::{Client, RequestBuilder, Response, StatusCode};
use sea_orm::{ConnectionTrait, QueryResult, Statement};
use serde_json::Value;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

pub const DEMO_PASSWORD: &str = "test-demo-password";

pub use crate::common::Backend;
use crate::common::TestDatabase;

pub struct TestApp {
    pub address: SocketAddr,
    pub database_url: String,
    pub client: Client,
    /// Where the server writes its mail, unless the test names another `--mail-dir`.
    pub mail_dir: tempfile::TempDir,
    /// The environment the server reads credentials from, besides the process's.
    env: Vec<(String, String)>,
    _database: TestDatabase,
    server: tokio::task::JoinHandle<()>,
}

impl TestApp {
    /// `None` when the backend is PostgreSQL and no test server is configured.
    pub async fn spawn(backend: Backend) -> Option<TestApp> {
        Self::spawn_with(backend, &[]).await
    }

    pub async fn spawn_with(backend: Backend, extra_args: &[&str]) -> Option<TestApp> {
        Self::spawn_with_env(backend, extra_args, &[]).await
    }

    /// As [`TestApp::spawn_with`], the server also finding the variables `env` (the
    /// credentials an integrations file names) as if they were in its environment.
    pub async fn spawn_with_env(
        backend: Backend,
        extra_args: &[&str],
        env: &[(&str, &str)],
    ) -> Option<TestApp> {
        let database = TestDatabase::create(backend).await?;
        let mail_dir = tempfile::tempdir().expect("mail dir");
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(name, value)| (name.to_string(), value.to_string()))
            .collect();
        let (address, server) = Self::start(&database.url, mail_dir.path(), extra_args, &env).await;
        Some(TestApp {
            address,
            database_url: database.url.clone(),
            client: client(),
            mail_dir,
            env,
            _database: database,
            server,
        })
    }

    /// Another server on the same kind of database whose job runner ticks once at start
    /// and then not for ten minutes: mail and other jobs stay pending, deterministically.
    pub async fn with_slow_jobs(&self) -> TestApp {
        let slow = TestApp::spawn_with(self.backend(), &["--job-interval-ms", "600000"])
            .await
            .expect("a second app");
        // The first tick works off the demo's mail (on PostgreSQL that takes a while); a
        // job made while it still runs would be worked too.
        let deadline = Instant::now() + Duration::from_secs(30);
        while slow
            .scalar("SELECT COUNT(*) AS n FROM jobs WHERE done_at IS NULL AND kind <> 'timer'")
            .await
            > 0
        {
            assert!(Instant::now() < deadline, "the first tick never finished");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        // And the runner has asked once more, found nothing, and sleeps.
        tokio::time::sleep(Duration::from_millis(300)).await;
        slow
    }

    /// The kind of database this app runs on.
    pub fn backend(&self) -> Backend {
        if self.database_url.starts_with("sqlite") {
            Backend::Sqlite
        } else {
            Backend::Postgres
        }
    }

    /// Starts another server on the same database, as a restart would.
    pub async fn restart(&mut self) {
        self.restart_with(&[]).await;
    }

    /// Starts another server on the same database with other flags.
    pub async fn restart_with(&mut self, extra_args: &[&str]) {
        self.server.abort();
        let (address, server) = Self::start(
            &self.database_url,
            self.mail_dir.path(),
            extra_args,
            &self.env,
        )
        .await;
        self.address = address;
        self.server = server;
    }

    async fn start(
        database_url: &str,
        mail_dir: &std::path::Path,
        extra_args: &[&str],
        env: &[(String, String)],
    ) -> (SocketAddr, tokio::task::JoinHandle<()>) {
        let mail_dir = mail_dir.display().to_string();
        let mut args = vec!["assent"];
        // A test whose server must know its address before it starts (callbacks) binds it.
        if !extra_args.contains(&"--bind") {
            args.extend_from_slice(&["--bind", "127.0.0.1:0"]);
        }
        args.extend_from_slice(&[
            "--database-url",
            database_url,
            "--demo-data",
            "true",
            "--demo-password",
            DEMO_PASSWORD,
        ]);
        if !extra_args.contains(&"--secure-cookies") {
            args.extend_from_slice(&["--secure-cookies", "false"]);
        }
        if !extra_args.contains(&"--mail-dir") {
            args.extend_from_slice(&["--mail-dir", &mail_dir]);
        }
        args.extend_from_slice(extra_args);
        let config = Config::try_parse_from(args).expect("valid test configuration");
        let env = |name: &str| {
            env.iter()
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.clone())
                .or_else(|| std::env::var(name).ok())
        };
        let (listener, router) = assent::server::prepare_with_env(config, &env)
            .await
            .expect("server starts");
        let address = listener.local_addr().unwrap();
        let server = tokio::spawn(async move {
            axum::serve(
                listener,
                router.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .await
            .expect("server runs");
        });
        (address, server)
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str, cookie: Option<&str>) -> Response {
        self.get_with(path, cookie, &[]).await
    }

    /// A GET with more headers.
    pub async fn get_with(
        &self,
        path: &str,
        cookie: Option<&str>,
        headers: &[(&str, &str)],
    ) -> Response {
        let mut request = self.client.get(self.url(path));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        send(request, cookie).await
    }

    /// The text of the page at `path`.
    pub async fn text(&self, path: &str, cookie: Option<&str>) -> String {
        self.get(path, cookie).await.text().await.unwrap()
    }

    /// The text of the page at `path` as a browser asking for `languages` (its
    /// Accept-Language) gets it.
    pub async fn text_in(&self, path: &str, cookie: Option<&str>, languages: &str) -> String {
        let headers = [("accept-language", languages)];
        let page = self.get_with(path, cookie, &headers).await;
        page.text().await.unwrap()
    }

    /// A POST as the portal's own pages send it (same-origin).
    pub async fn post_form(
        &self,
        path: &str,
        form: &[(&str, &str)],
        cookie: Option<&str>,
    ) -> Response {
        let request = self
            .client
            .post(self.url(path))
            .header("sec-fetch-site", "same-origin")
            .header("origin", format!("http://{}", self.address))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(encode_form(form));
        send(request, cookie).await
    }

    /// A server function called as the hydrated pages call it: its status and answer.
    pub async fn server_fn(
        &self,
        path: &str,
        form: &[(&str, &str)],
        cookie: Option<&str>,
    ) -> (StatusCode, Value) {
        json(self.post_form(path, form, cookie).await).await
    }

    /// A server function taking one struct argument named `query` (a search), with
    /// `filters` as its fields.
    pub async fn query_fn(
        &self,
        path: &str,
        filters: &[(&str, &str)],
        cookie: &str,
    ) -> (StatusCode, Value) {
        let form: Vec<(String, &str)> = filters
            .iter()
            .map(|(name, value)| (format!("query[{name}]"), *value))
            .collect();
        let form: Vec<(&str, &str)> = form.iter().map(|(n, v)| (n.as_str(), *v)).collect();
        self.server_fn(path, &form, Some(cookie)).await
    }

    /// The login form, posted as the login page posts it.
    pub async fn login_attempt(&self, username: &str, password: &str) -> Response {
        self.post_form(
            "/login",
            &[("username", username), ("password", password)],
            None,
        )
        .await
    }

    /// Logs in and returns the session cookie (`name=value`).
    pub async fn login(&self, username: &str, password: &str) -> Result<String, Response> {
        let response = self.login_attempt(username, password).await;
        match session_cookie(response.headers()) {
            Some(cookie) if location(&response) != "/login?error=credentials" => Ok(cookie),
            _ => Err(response),
        }
    }

    /// Logs a demo user in with the demo password; the session cookie.
    pub async fn session(&self, username: &str) -> String {
        self.login(username, DEMO_PASSWORD).await.expect("login")
    }

    pub async fn database(&self) -> sea_orm::DatabaseConnection {
        sea_orm::Database::connect(&self.database_url)
            .await
            .expect("connect")
    }

    /// Runs one statement on the database.
    pub async fn execute(&self, sql: &str) {
        let db = self.database().await;
        db.execute(Statement::from_string(db.get_database_backend(), sql))
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }

    /// Every row `sql` selects.
    pub async fn rows(&self, sql: &str) -> Vec<QueryResult> {
        let db = self.database().await;
        db.query_all(Statement::from_string(db.get_database_backend(), sql))
            .await
            .unwrap()
    }

    /// The first row `sql` selects, if there is one.
    pub async fn row(&self, sql: &str) -> Option<QueryResult> {
        let db = self.database().await;
        db.query_one(Statement::from_string(db.get_database_backend(), sql))
            .await
            .unwrap()
    }

    /// The column `n` of the row `sql` selects (a count, mostly).
    pub async fn scalar(&self, sql: &str) -> i64 {
        self.row(sql)
            .await
            .unwrap_or_else(|| panic!("no row for {sql}"))
            .try_get("", "n")
            .unwrap()
    }

    /// How many audit entries of `action` have a detail matching the SQL `like` pattern.
    pub async fn audited(&self, action: &str, like: &str) -> i64 {
        self.scalar(&format!(
            "SELECT COUNT(*) AS n FROM audit_events WHERE action = '{action}' AND detail LIKE '{like}'"
        ))
        .await
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// Sends `request`, with the session `cookie` if there is one.
async fn send(request: RequestBuilder, cookie: Option<&str>) -> Response {
    match cookie {
        Some(cookie) => request.header(COOKIE, cookie),
        None => request,
    }
    .send()
    .await
    .expect("the server answers")
}

fn client() -> Client {
    // A request that never comes back fails the test instead of hanging it.
    Client::builder()
        .redirect(Policy::none())
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .expect("client")
}

/// A response's status and its body as JSON (or as a JSON string when it is not JSON).
pub async fn json(response: Response) -> (StatusCode, Value) {
    let status = response.status();
    let text = response.text().await.unwrap();
    let value = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, value)
}

pub fn encode_form(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", encode_query_value(k), encode_query_value(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// The SHA-256 digest of `text` in lowercase hex, as the server stores secrets.
pub fn sha256_hex(text: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Stores an approving decision link for `user`'s item (`instance`, `run`) whose token
/// is `token`, valid for `days` from now, as a mail would have carried it.
pub async fn insert_decision_link(
    app: &TestApp,
    token: &str,
    instance: &str,
    run: i64,
    user: &str,
    days: i64,
) {
    let expires = (chrono::Utc::now() + chrono::Duration::days(days)).to_rfc3339();
    app.execute(&format!(
        "INSERT INTO decision_links (token_hash, instance_id, run_seq, username, verdict, expires_at) VALUES ('{}', '{instance}', {run}, '{user}', 'approve', '{expires}')",
        sha256_hex(token)
    ))
    .await;
}

/// The date `offset` days from today (UTC), as `YYYY-MM-DD`.
pub fn day(offset: i64) -> String {
    (chrono::Utc::now().date_naive() + chrono::Duration::days(offset)).to_string()
}

/// The session cookie's whole `Set-Cookie` value: `assent_session`, or with Secure
/// cookies `__Host-assent_session`.
pub fn set_cookie_header(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("assent_session=") || v.starts_with("__Host-assent_session="))
        .map(str::to_owned)
}

/// The session cookie a response sets, as `name=value`.
pub fn session_cookie(headers: &HeaderMap) -> Option<String> {
    set_cookie_header(headers).map(|v| v.split(';').next().unwrap_or_default().to_owned())
}

pub fn location(response: &Response) -> String {
    response
        .headers()
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

pub fn is_redirect(status: StatusCode) -> bool {
    status.is_redirection()
}

#[test]
fn replaces_the_database_of_a_postgres_url() {
    use crate::common::replace_database;
    assert_eq!(
        replace_database("postgres://postgres@127.0.0.1:5432/test", "x"),
        "postgres://postgres@127.0.0.1:5432/x"
    );
    assert_eq!(
        replace_database("postgres://u:p@h/test?sslmode=disable", "x"),
        "postgres://u:p@h/x?sslmode=disable"
    );
    assert_eq!(replace_database("postgres://u@h", "x"), "postgres://u@h/x");
}

/// The real server binary as a child process, killed (SIGKILL) when dropped.
pub struct ChildServer {
    process: std::process::Child,
    pub address: std::net::SocketAddr,
    log: std::path::PathBuf,
}

impl ChildServer {
    pub async fn start(database_url: &str, args: &[&str]) -> ChildServer {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let address: std::net::SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
        let log = std::env::temp_dir().join(format!("assent-child-{port}.log"));
        let output = std::fs::File::create(&log).unwrap();
        let process = std::process::Command::new(env!("CARGO_BIN_EXE_assent"))
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args([
                "--bind",
                &address.to_string(),
                "--database-url",
                database_url,
            ])
            .args(["--demo-data", "true", "--demo-password", DEMO_PASSWORD])
            .args(["--secure-cookies", "false"])
            .args(args)
            .stdout(output.try_clone().unwrap())
            .stderr(output)
            .spawn()
            .expect("start the server binary");
        let mut child = ChildServer {
            process,
            address,
            log,
        };
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let ready = client
                .get(format!("http://{address}/readyz"))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success());
            if ready {
                return child;
            }
            if let Ok(Some(status)) = child.process.try_wait() {
                panic!("the server ended ({status}): {}", child.log_text());
            }
            assert!(Instant::now() < deadline, "not ready: {}", child.log_text());
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// SIGKILL: no shutdown of any kind.
    pub fn kill(&mut self) -> std::process::ExitStatus {
        self.process.kill().expect("kill the server");
        self.process.wait().unwrap()
    }
}

impl Drop for ChildServer {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
        let _ = std::fs::remove_file(&self.log);
    }
}
