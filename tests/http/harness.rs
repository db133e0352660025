//! Starts the real server on a free port with a fresh database: an SQLite temp file, or a
//! fresh PostgreSQL database when `ASSENT_TEST_PG_URL` is set.

use assent::server::config::Config;
use clap::Parser;
use reqwest::header::{HeaderMap, COOKIE, LOCATION, SET_COOKIE};
use reqwest::redirect::Policy;
use reqwest::{Client, Response, StatusCode};
use std::net::SocketAddr;

pub const DEMO_PASSWORD: &str = "test-demo-password";

pub use crate::common::Backend;
use crate::common::TestDatabase;

pub struct TestApp {
    pub address: SocketAddr,
    pub database_url: String,
    pub client: Client,
    /// Where the server writes its mail, unless the test names another `--mail-dir`.
    pub mail_dir: tempfile::TempDir,
    _database: TestDatabase,
    server: tokio::task::JoinHandle<()>,
}

impl TestApp {
    /// `None` when the backend is PostgreSQL and no test server is configured.
    pub async fn spawn(backend: Backend) -> Option<TestApp> {
        Self::spawn_with(backend, &[]).await
    }

    pub async fn spawn_with(backend: Backend, extra_args: &[&str]) -> Option<TestApp> {
        let database = TestDatabase::create(backend).await?;
        let mail_dir = tempfile::tempdir().expect("mail dir");
        let (address, server) = Self::start(&database.url, mail_dir.path(), extra_args).await;
        Some(TestApp {
            address,
            database_url: database.url.clone(),
            client: client(),
            mail_dir,
            _database: database,
            server,
        })
    }

    /// Starts another server on the same database, as a restart would.
    pub async fn restart(&mut self) {
        self.restart_with(&[]).await;
    }

    /// Starts another server on the same database with other flags.
    pub async fn restart_with(&mut self, extra_args: &[&str]) {
        self.server.abort();
        let (address, server) =
            Self::start(&self.database_url, self.mail_dir.path(), extra_args).await;
        self.address = address;
        self.server = server;
    }

    async fn start(
        database_url: &str,
        mail_dir: &std::path::Path,
        extra_args: &[&str],
    ) -> (SocketAddr, tokio::task::JoinHandle<()>) {
        let mail_dir = mail_dir.display().to_string();
        let mut args = vec![
            "assent",
            "--bind",
            "127.0.0.1:0",
            "--database-url",
            database_url,
            "--demo-data",
            "true",
            "--demo-password",
            DEMO_PASSWORD,
        ];
        if !extra_args.contains(&"--secure-cookies") {
            args.extend_from_slice(&["--secure-cookies", "false"]);
        }
        if !extra_args.contains(&"--mail-dir") {
            args.extend_from_slice(&["--mail-dir", &mail_dir]);
        }
        args.extend_from_slice(extra_args);
        let config = Config::try_parse_from(args).expect("valid test configuration");
        let (listener, router) = assent::server::prepare(config)
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
        let mut request = self.client.get(self.url(path));
        if let Some(cookie) = cookie {
            request = request.header(COOKIE, cookie);
        }
        request.send().await.expect("GET")
    }

    /// A POST as the portal's own pages send it (same-origin).
    pub async fn post_form(
        &self,
        path: &str,
        form: &[(&str, &str)],
        cookie: Option<&str>,
    ) -> Response {
        let mut request = self
            .client
            .post(self.url(path))
            .header("sec-fetch-site", "same-origin")
            .header("origin", format!("http://{}", self.address))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(encode_form(form));
        if let Some(cookie) = cookie {
            request = request.header(COOKIE, cookie);
        }
        request.send().await.expect("POST")
    }

    /// Logs in and returns the session cookie (`name=value`).
    pub async fn login(&self, username: &str, password: &str) -> Result<String, Response> {
        let response = self
            .post_form(
                "/login",
                &[("username", username), ("password", password)],
                None,
            )
            .await;
        match session_cookie(response.headers()) {
            Some(cookie) if location(&response) != "/login?error=credentials" => Ok(cookie),
            _ => Err(response),
        }
    }

    pub async fn database(&self) -> sea_orm::DatabaseConnection {
        sea_orm::Database::connect(&self.database_url)
            .await
            .expect("connect")
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.server.abort();
    }
}

fn client() -> Client {
    // A request that never comes back fails the test instead of hanging it.
    Client::builder()
        .redirect(Policy::none())
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .expect("client")
}

pub fn encode_form(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Whether a `Set-Cookie` value is the session cookie: `assent_session`, or with Secure
/// cookies `__Host-assent_session`.
fn is_session_cookie(set_cookie: &str) -> bool {
    set_cookie.starts_with("assent_session=") || set_cookie.starts_with("__Host-assent_session=")
}

/// The session cookie a response sets, as `name=value`.
pub fn session_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| is_session_cookie(v))
        .and_then(|v| v.split(';').next())
        .map(str::to_owned)
}

pub fn set_cookie_header(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| is_session_cookie(v))
        .map(str::to_owned)
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
